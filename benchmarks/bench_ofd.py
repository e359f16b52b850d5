"""OFD reader benchmark: how much text `wenyuan.readers.ofd` gets out of real OFD files, how fast, and in what order.

    .venv/bin/python benchmarks/bench_ofd.py [folder]

Reads every .ofd in the folder (default ../shared/corpus/formats, test files of the Java library ofdrw: invoices,
a 公文, a CNKI magazine article, a spec excerpt, a table of contents) and prints a markdown table (pages,
characters, paragraphs, image-only pages, unreadable private-use characters, seconds: the best of three reads),
then the first 300 characters of each file's text, paragraphs on their own lines, for a person to judge the
reading order. A file the reader refuses shows its reason instead.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from wenyuan.readers.ofd import OfdError, OfdPage, read_ofd_pages

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "formats"
PREVIEW = 300
REPEATS = 3


def timed_read(path: Path) -> tuple[list[OfdPage], float]:
    """The pages of one file and the best time of `REPEATS` reads (the first read also warms the file cache)."""
    best = float("inf")
    pages: list[OfdPage] = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        pages = read_ofd_pages(path)
        best = min(best, time.perf_counter() - start)
    return pages, best


def text_of(pages: list[OfdPage]) -> str:
    return "\n".join(paragraph for page in pages for paragraph in page.paragraphs)


def main(folder: Path) -> None:
    files = sorted(folder.glob("*.ofd"))
    if not files:
        sys.exit(f"no .ofd files in {folder}")
    rows = ["| file | pages | characters | paragraphs | image-only pages | unreadable | seconds |",
            "|---|---:|---:|---:|---|---:|---:|"]
    previews: list[str] = []
    for path in files:
        try:
            pages, seconds = timed_read(path)
        except OfdError as error:
            rows.append(f"| {path.name} | refused: {error} | | | | | |")
            continue
        text = text_of(pages)
        image_only = ", ".join(str(page.number) for page in pages if page.image_only) or "-"
        characters = sum(len(paragraph) for page in pages for paragraph in page.paragraphs)
        paragraphs = sum(len(page.paragraphs) for page in pages)
        unreadable = sum(page.unreadable for page in pages)
        rows.append(f"| {path.name} | {len(pages)} | {characters} | {paragraphs} | {image_only} | {unreadable} "
                    f"| {seconds:.3f} |")
        previews.append(f"## {path.name}\n{text[:PREVIEW]}")
    print("\n".join(rows))
    print()
    print("\n\n".join(previews))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS)
