"""From files to cleaned Documents: the reader for what the file is (`wenyuan.readers`), cleaning, the document's
own description (title, 文号, issuer, date), content-hash ids.

A file that cannot be read raises `IngestError` with a reason a user understands; the caller reports and skips it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from wenyuan.clean import repair
from wenyuan.readers import SUPPORTED_SUFFIXES, TEXT_SUFFIXES, IngestError, read
from wenyuan.readers.quality import garbled
from wenyuan.readers.text import decode
from wenyuan.structure import describe
from wenyuan.types import Document

__all__ = ["IngestError", "SUPPORTED_SUFFIXES", "TEXT_SUFFIXES", "SourceFile", "decode", "discover", "load",
           "read_bytes"]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file found under an indexed root: where it is and the path citations will name it by."""

    path: Path
    relative: str


def discover(paths: Iterable[Path]) -> Iterator[SourceFile]:
    """Every file under the given folders (and the given files), hidden files and folders left out."""
    for root in paths:
        root = Path(root)
        if root.is_file():
            yield SourceFile(root, root.name)
            continue
        if not root.is_dir():
            raise IngestError(f"{root}：没有这个文件或文件夹")
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and not any(part.startswith((".", "~$")) for part in relative.parts):
                yield SourceFile(path, relative.as_posix())


def read_bytes(source: SourceFile, max_bytes: int | None = None) -> bytes:
    """The file's bytes, read once (what is hashed is what is parsed); raises IngestError for a file too large,
    of a type no reader takes, or unreadable."""
    suffix = source.path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(f"不支持的文件类型“{suffix or source.path.name}”（支持 {' '.join(sorted(SUPPORTED_SUFFIXES))}）")
    try:
        size = source.path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise IngestError(f"文件超过 {max_bytes / (1 << 20):g} MB 的上限")
        return source.path.read_bytes()
    except OSError as error:
        raise IngestError(f"文件无法读取（{error.strerror or error}）") from error


def load(source: SourceFile, *, max_bytes: int | None = None, sha256: str | None = None,
         progress: Callable[[int, int], None] | None = None, encoding: str | None = None,
         raw: bytes | None = None) -> Document:
    """Read, clean and describe one file (from `raw` when the caller has read it already); raises IngestError saying
    why a file cannot be used."""
    raw = read_bytes(source, max_bytes) if raw is None else raw
    if not raw.strip():
        raise IngestError("文件是空的")
    reading = read(source.path, raw, progress, encoding)
    paragraphs = repair(reading.lines, join_broken=reading.join_broken)
    if garbled("".join(paragraph.text for paragraph in paragraphs[:400])):
        raise IngestError("文字是乱码（字体或编码异常），无法使用：请换用原始文件，或另存为 PDF 后用 OCR 识别")
    if not paragraphs:
        raise IngestError("文件中没有文字")
    text_parts: list[str] = []
    page_starts: list[int] = []
    styled: list[tuple[int, int]] = []
    tables: dict[int, list[int]] = {}  # table number -> [start, end]
    offset = 0
    for paragraph in paragraphs:
        if paragraph.page is not None:
            while len(page_starts) < paragraph.page:
                page_starts.append(offset)
        if paragraph.level:
            styled.append((offset, paragraph.level))
        if paragraph.table is not None:
            tables.setdefault(paragraph.table, [offset, offset])[1] = offset + len(paragraph.text)
        text_parts.append(paragraph.text)
        offset += len(paragraph.text) + 1
    about = describe(text_parts, Path(source.relative).stem)
    return Document(
        id=sha256 or hashlib.sha256(raw).hexdigest(),
        path=source.relative,
        title=about.title,
        text="\n".join(text_parts),
        number=about.number,
        page_starts=tuple(page_starts),
        styled_headings=tuple(styled),
        tables=tuple((start, end) for start, end in tables.values()),
        subtitle=about.subtitle,
        issuer=about.issuer,
        date=about.date,
        year=about.year,
        kind=about.kind,
        reader=reading.reader,
        pages=reading.pages,
        ocr_pages=reading.ocr_pages,
        warnings=tuple(reading.warnings),
    )
