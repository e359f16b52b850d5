"""OCR benchmark: which engine reads scanned Chinese government documents best on a 2-core machine, and at which dpi.

    python benchmarks/bench_ocr.py [--engines rapidocr,tesseract] [--dpis 150,200] [--legacy-python PATH]

Run it with an interpreter that has the `ocr` extra (`pip install -e ".[ocr]"`) and, for the tesseract rows,
Debian's tesseract-ocr + tesseract-ocr-chi-sim; an engine that is not installed is skipped with the reason.
`rapidocr_onnxruntime` (RapidOCR 1.4, PP-OCRv4 models, the predecessor of the `rapidocr` package) is measured too
when `--legacy-python` names an interpreter that has it: it needs opencv-python, which cannot share an environment
with the opencv-python-headless that `rapidocr` uses.

For each engine and dpi a fresh worker process (so its peak RSS is its own):
  * synthetic scans with ground truth: a page of a text PDF from ../shared/corpus/real rendered at 200 dpi in grey,
    turned by 0.4°, given Gaussian noise and JPEG artefacts, and saved as an image-only PDF; OCR'd through
    wenyuan.readers.ocr.recognise_pdf_pages at the dpi under test. Ground truth: the page's own text layer (PDFium's
    characters with their boxes, put into reading order by the same line grouping the OCR output gets). Character
    accuracy = 1 − Levenshtein distance / length, over CJK characters and digits only (white space, punctuation and
    Latin letters ignored). Two sets: 公文, three pages of regulations as offices print them (东莞市企业自评人才入户实施
    细则2015 pages 2-3, 16 pt 仿宋; 建设项目环境影响评价公众参与办法…修订说明 page 2, 仿宋 with 楷体 run-in headings), and
    small print, a web page printed to PDF
    (深圳 少儿医保 notice 2013, page 1: ~9 pt sans, the hard case);
  * real scans without a text layer: the 4 pages of 印发《东莞市社会保障局重大疾病医疗保险实施细则》的通知2016.pdf (200 dpi
    colour, red seal) and the 18 of 广州来穗务工人员…实施细则（试行）2016.pdf (200 dpi bi-level), timed after the
    synthetic pages have warmed the engine; the text goes to benchmarks/.cache/ocr/<engine>-<dpi>/ for reading.
pages/min = real-scan pages / their wall time (render + OCR + layout); CPU s/page = the worker's and its children's
user + system time over the same pages (less disturbed by other processes). first page s: the first synthetic page,
including the engine's model loading. Peak RSS: the worker's VmHWM; for tesseract also the largest tesseract child
(ru_maxrss of the children). Install MB: the distributions the engine adds to this project's .venv (read, not
changed), or Debian's Installed-Size of the tesseract packages plus pypdfium2.

Output: the table on stdout and in benchmarks/results/ocr.md with the command and the date.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import io
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
import unicodedata
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache" / "ocr"
RESULTS = ROOT / "benchmarks" / "results"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
sys.path.insert(0, str(ROOT / "src"))

SCANS = [  # real scans, no text layer
    "印发《东莞市社会保障局重大疾病医疗保险实施细则》的通知2016.pdf",
    "广州来穗务工人员申请承租市本级公共租赁住房实施细则（试行）2016.pdf",
]
SYNTHETIC = {  # label: pages (text PDF, 1-based page) that become one synthetic scan
    "公文": [("东莞市企业自评人才入户实施细则2015.pdf", 2), ("东莞市企业自评人才入户实施细则2015.pdf", 3),
             ("建设项目环境影响评价公众参与办法（征求意见稿）修订说明.pdf", 2)],
    "small print": [("sz-深圳市少年儿童及大学生医疗保险纳入住院医疗保险的通知-2013.pdf", 1)],
}
SCAN_DPI = 200  # the synthetic scans' own resolution, as the real ones
ENGINES = ("rapidocr", "tesseract", "rapidocr_onnxruntime")
DEBIAN_PACKAGES = ("tesseract-ocr", "libtesseract5", "liblept5", "tesseract-ocr-chi-sim", "tesseract-ocr-eng",
                   "tesseract-ocr-osd")
ENGINE_DISTRIBUTIONS = {
    "rapidocr": ("rapidocr", "onnxruntime", "pypdfium2"),
    "rapidocr_onnxruntime": ("rapidocr-onnxruntime", "pypdfium2"),
    "tesseract": ("pypdfium2",),
}


# --- ground truth and scoring ---------------------------------------------------------------------------------------


def synthetic_scan(sources: list[tuple[str, int]], out: Path) -> list[str]:
    """Write an image-only PDF of the given pages that looks scanned; return each page's true text in reading order."""
    images, truths = [], []
    for index, (name, page_number) in enumerate(sources):
        image, truth = _synthetic_page(CORPUS / name, page_number, seed=index)
        images.append(image)
        truths.append(truth)
    images[0].save(out, format="PDF", resolution=SCAN_DPI, save_all=True, append_images=images[1:])
    return truths


def _synthetic_page(source: Path, page_number: int, seed: int):
    import numpy as np
    import pypdfium2
    from PIL import Image

    from wenyuan.readers.ocr import _Box, _layout

    document = pypdfium2.PdfDocument(source)
    page = document[page_number - 1]
    scale = SCAN_DPI / 72
    image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    height = page.get_height()
    textpage = page.get_textpage()
    boxes = []
    for index in range(textpage.count_chars()):
        char = textpage.get_text_range(index, 1)
        if not char.strip():
            continue
        left, bottom, right, top = textpage.get_charbox(index)
        boxes.append(_Box(left * scale, (height - top) * scale, right * scale, (height - bottom) * scale, char))
    truth = _layout(boxes)
    textpage.close()
    page.close()
    document.close()

    rng = np.random.default_rng(seed)
    image = image.rotate(0.4, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, 12, size=(image.height, image.width))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    jpeg = io.BytesIO()
    image.save(jpeg, format="JPEG", quality=60)
    return Image.open(jpeg), truth


def scored(text: str) -> str:
    """The characters accuracy is measured on: CJK ideographs and digits, after NFKC (full-width digits fold)."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(char for char in folded if char.isdigit() or unicodedata.name(char, "").startswith("CJK"))


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def accuracy(truths: list[str], ocr_texts: list[str]) -> float:
    """Over several pages: the summed edit distances over the summed lengths."""
    distance = sum(levenshtein(scored(truth), scored(text)) for truth, text in zip(truths, ocr_texts, strict=True))
    return 1 - distance / max(sum(len(scored(truth)) for truth in truths), 1)


# --- the worker: one engine at one dpi in its own process ------------------------------------------------------------


class LegacyRapidOcr:
    """rapidocr_onnxruntime 1.4 behind the same page function as the module's engines (for comparison only)."""

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR

        # as wenyuan.readers.ocr configures rapidocr 3: the dpi decides the resolution, detection on a copy ≤ 1280 px long
        self.engine = RapidOCR(max_side_len=4096, det_limit_type="max", det_limit_side_len=1280)

    def pages(self, path: Path, pages: list[int], dpi: int) -> dict[int, str]:
        import numpy as np
        import pypdfium2

        from wenyuan.readers.ocr import _Box, _layout

        document = pypdfium2.PdfDocument(path)
        texts = {}
        for number in pages:
            image = document[number - 1].render(scale=dpi / 72).to_pil().convert("RGB")
            result, _ = self.engine(np.asarray(image))
            boxes = [
                _Box(min(p[0] for p in quad), min(p[1] for p in quad), max(p[0] for p in quad),
                     max(p[1] for p in quad), text)
                for quad, text, _score in (result or [])
            ]
            texts[number] = _layout(boxes)
        document.close()
        return texts


def worker(engine: str, dpi: int, synthetic: list[dict], out_dir: Path) -> dict:
    if engine == "rapidocr_onnxruntime":
        started = time.perf_counter()
        legacy = LegacyRapidOcr()
        recognise = legacy.pages
    else:
        from wenyuan.readers import ocr

        started = time.perf_counter()

        def recognise(path: Path, pages: list[int], dpi: int) -> dict[int, str]:
            return ocr.recognise_pdf_pages(path, pages, engine=engine, dpi=dpi)

    out_dir.mkdir(parents=True, exist_ok=True)
    accuracies, first_page_s = {}, None
    for item in synthetic:
        texts = []
        for number in range(1, len(item["truths"]) + 1):
            texts.append(recognise(Path(item["pdf"]), [number], dpi)[number])
            if first_page_s is None:
                first_page_s = time.perf_counter() - started
            (out_dir / f"synthetic-{item['label'].replace(' ', '-')}-p{number}.txt").write_text(texts[-1],
                                                                                                 encoding="utf-8")
        accuracies[item["label"]] = accuracy(item["truths"], texts)

    import pypdfium2

    def cpu_seconds() -> float:
        usages = (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
        return sum(usage.ru_utime + usage.ru_stime for usage in usages)

    pages_done, seconds, cpu_before = 0, 0.0, cpu_seconds()
    for name in SCANS:
        path = CORPUS / name
        count = len(pypdfium2.PdfDocument(path))
        begin = time.perf_counter()
        texts = recognise(path, list(range(1, count + 1)), dpi)
        seconds += time.perf_counter() - begin
        pages_done += count
        stem = name[:12]
        for number, text in texts.items():
            (out_dir / f"{stem}-p{number:02d}.txt").write_text(text, encoding="utf-8")
    status = Path("/proc/self/status").read_text()
    peak_kb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "pages": pages_done, "seconds": seconds, "cpu_seconds": cpu_seconds() - cpu_before,
        "first_page_s": first_page_s, "accuracy": accuracies, "peak_mb": peak_kb / 1024,
        "child_peak_mb": children_kb / 1024,
    }


# --- the parent: setup, one worker per row, sizes, the report -------------------------------------------------------


def engine_missing(engine: str, python: str) -> str | None:
    """Why `engine` cannot be measured with `python` (None when it can)."""
    if engine == "rapidocr_onnxruntime":
        probe = "import importlib.util,sys; sys.exit(importlib.util.find_spec('rapidocr_onnxruntime') is None)"
        if subprocess.run([python, "-c", probe], check=False).returncode:
            return "rapidocr_onnxruntime is not installed (give --legacy-python an interpreter that has it)"
        return None
    from wenyuan.readers import ocr

    return ocr._engine_problem(engine)


def install_mb(engine: str, python: str) -> float:
    """MB the engine adds: installed files of its Python distributions and their dependencies that this project's
    .venv does not already have, plus Debian's Installed-Size for tesseract."""
    probe = (
        "import importlib.metadata as m, json, re, sys\n"
        "base = {re.sub(r'[-_.]+', '-', d.metadata['Name']).lower() for d in m.distributions(path=[sys.argv[2]])}\n"
        "todo, seen, size = list(json.loads(sys.argv[1])), set(), 0\n"
        "while todo:\n"
        "    name = re.sub(r'[-_.]+', '-', todo.pop()).lower()\n"
        "    if name in seen or name in base: continue\n"
        "    seen.add(name)\n"
        "    try: dist = m.distribution(name)\n"
        "    except m.PackageNotFoundError: continue\n"
        "    size += sum(f.size or 0 for f in dist.files or [])\n"
        "    for req in dist.requires or []:\n"
        "        if 'extra ==' not in req: todo.append(re.split(r'[ ;<>=!~\\[(]', req, maxsplit=1)[0])\n"
        "print(size)\n"
    )
    venv_site = next((ROOT / ".venv" / "lib").glob("python3*/site-packages"), Path("/nonexistent"))
    names = json.dumps(ENGINE_DISTRIBUTIONS[engine])
    python_bytes = int(subprocess.run([python, "-c", probe, names, str(venv_site)], capture_output=True, text=True,
                                      check=True).stdout)
    debian_kb = 0
    if engine == "tesseract":
        listing = subprocess.run(["dpkg-query", "-W", "-f=${Installed-Size}\\n", *DEBIAN_PACKAGES],
                                 capture_output=True, text=True, check=False).stdout
        debian_kb = sum(int(value) for value in listing.split())
    return python_bytes / 1e6 + debian_kb / 1024


def render_report(rows: list[dict], synthetic: list[dict], skipped: list[str], command: str, minutes: float) -> str:
    labels = [item["label"] for item in synthetic]
    table = [
        "| engine | dpi | pages | pages/min | CPU s/page | first page s | "
        + " | ".join(f"char accuracy: {label}" for label in labels)
        + " | peak RSS MB (worker / tesseract) | install MB | load |",
        "|---|---:|---:|---:|---:|---:|" + "---:|" * len(labels) + "---:|---:|---:|",
    ]
    for row in rows:
        child = f" / {row['child_peak_mb']:.0f}" if row["engine"] == "tesseract" else ""
        cells = [
            row["engine"], row["dpi"], row["pages"], f"{row['pages'] / row['seconds'] * 60:.1f}",
            f"{row['cpu_seconds'] / row['pages']:.2f}", f"{row['first_page_s']:.1f}",
            *(f"{row['accuracy'][label]:.3f}" for label in labels),
            f"{row['peak_mb']:.0f}{child}", f"{row['install_mb']:.0f}", f"{row['load']:.1f}",
        ]
        table.append("| " + " | ".join(str(cell) for cell in cells) + " |")

    versions = []
    for distribution in ("rapidocr", "onnxruntime", "pypdfium2", "rapidocr-onnxruntime"):
        try:
            versions.append(f"{distribution} {importlib.metadata.version(distribution)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    if any(row["engine"] == "tesseract" for row in rows):
        versions.append(subprocess.run(["tesseract", "--version"], capture_output=True, text=True,
                                       check=False).stdout.split("\n")[0])
    synthetic_sets = "; ".join(
        f"{item['label']} = " + ", ".join(f"{Path(name).stem} p{page}" for name, page in SYNTHETIC[item["label"]])
        + f" ({item['chars']} chars)"
        for item in synthetic
    )
    notes = [
        (f"- pages: the real scans without a text layer ({', '.join(SCANS)}), rendered at the row's dpi by"
         " pypdfium2; pages/min over them with the engine already loaded (wall clock: render + OCR + layout);"
         " CPU s/page: user + system time of the worker and its tesseract children per page, which another process"
         " on the machine disturbs less; first page s includes loading the engine."),
        ("- char accuracy: 1 − edit distance / length over CJK characters and digits, on synthetic scans (a text PDF"
         f" page rendered at {SCAN_DPI} dpi, turned 0.4°, noise σ 12, JPEG q 60, as an image-only PDF) against the"
         f" page's text layer: {synthetic_sets}."),
        ("- peak RSS: VmHWM of a fresh worker process running that row; for tesseract also the largest tesseract"
         " subprocess. install MB: what the engine adds to this project's .venv (its distributions and"
         " dependencies not already there) and, for tesseract, Debian's Installed-Size of "
         + ", ".join(DEBIAN_PACKAGES) + "."),
        ("- RapidOCR as wenyuan.readers.ocr configures it: max_side_len 4096 so that the dpi decides the resolution the"
         " characters are read at (its default, 2000 px, would shrink an A4 page above 171 dpi), detection on a copy"
         " at most 1280 px long; tesseract with OMP_THREAD_LIMIT=1 (with OpenMP it was 5× slower on this 2-core"
         " machine) and --psm 3."),
        ("- load: the 1-min load average when the row finished; above ~2 another process shared the 2 cores and"
         " the row's pages/min is low (CPU s/page less so)."),
        "- OCR output of every page: benchmarks/.cache/ocr/<engine>-<dpi>/.",
    ]
    header = (f"{datetime.now().isoformat(timespec='seconds')}; {os.cpu_count()} CPU cores;"
              f" Python {platform.python_version()}; {'; '.join(versions)}; run time {minutes:.1f} min.")
    skipped_lines = ["", "Skipped: " + "; ".join(skipped)] if skipped else []
    return "\n".join(["# OCR benchmark", "", header, "", f"Command: `{command}`", "", *table, "", *notes,
                      *skipped_lines, ""])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="rapidocr,tesseract,rapidocr_onnxruntime")
    parser.add_argument("--dpis", default="150,200")
    parser.add_argument("--legacy-python", default=sys.executable,
                        help="interpreter with rapidocr_onnxruntime installed (and pypdfium2, pillow)")
    parser.add_argument("--out", type=Path, default=RESULTS / "ocr.md")
    parser.add_argument("--worker", nargs=3, metavar=("ENGINE", "DPI", "SYNTHETIC_JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        engine, dpi, synthetic = args.worker
        result = worker(engine, int(dpi), json.loads(Path(synthetic).read_text(encoding="utf-8")),
                        CACHE / f"{engine}-{dpi}")
        print(json.dumps(result))
        return

    for module in ("pypdfium2", "numpy", "PIL"):
        if importlib.util.find_spec(module) is None:
            sys.exit(f'{module} is missing: run this with an interpreter that has the ocr extra (pip install -e ".[ocr]")')
    needed = SCANS + [name for pages in SYNTHETIC.values() for name, _ in pages]
    missing_files = sorted({name for name in needed if not (CORPUS / name).exists()})
    if missing_files:
        sys.exit(f"missing from {CORPUS}: {', '.join(missing_files)}")
    CACHE.mkdir(parents=True, exist_ok=True)
    synthetic = []
    for label, sources in SYNTHETIC.items():
        pdf = CACHE / f"synthetic-{label.replace(' ', '-')}.pdf"
        truths = synthetic_scan(sources, pdf)
        for number, truth in enumerate(truths, start=1):
            (CACHE / f"synthetic-{label.replace(' ', '-')}-p{number}.truth.txt").write_text(truth, encoding="utf-8")
        synthetic.append({"label": label, "pdf": str(pdf), "truths": truths,
                          "chars": sum(len(scored(truth)) for truth in truths)})
    synthetic_json = CACHE / "synthetic.json"
    synthetic_json.write_text(json.dumps(synthetic, ensure_ascii=False), encoding="utf-8")

    started = time.time()
    rows, skipped = [], []
    for engine in [name.strip() for name in args.engines.split(",") if name.strip()]:
        if engine not in ENGINES:
            sys.exit(f"unknown engine {engine}; expected some of {', '.join(ENGINES)}")
        python = args.legacy_python if engine == "rapidocr_onnxruntime" else sys.executable
        reason = engine_missing(engine, python)
        if reason:
            print(f"skipping {engine}: {reason}", file=sys.stderr)
            skipped.append(f"{engine}: {reason}")
            continue
        size = install_mb(engine, python)
        for dpi in [int(value) for value in args.dpis.split(",")]:
            print(f"{engine} at {dpi} dpi …", file=sys.stderr)
            finished = subprocess.run(
                [python, __file__, "--worker", engine, str(dpi), str(synthetic_json)],
                capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            )
            if finished.returncode:
                sys.exit(f"{engine} at {dpi} dpi failed:\n{finished.stderr[-3000:]}")
            rows.append({"engine": engine, "dpi": dpi, "install_mb": size, "load": os.getloadavg()[0],
                         **json.loads(finished.stdout.strip().splitlines()[-1])})

    command = "python benchmarks/bench_ocr.py " + " ".join(argv if argv is not None else sys.argv[1:])
    report = render_report(rows, synthetic, skipped, command.strip(), (time.time() - started) / 60)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
