"""Readers: bytes of one file to lines with pages, one small module per format, chosen by what the bytes are.

A file's extension says what its author meant; its first bytes say what it is. A .docx saved as .doc, a web page
saved as .pdf, a WPS file: each is read by the reader for what it is, and a mismatch is reported as a warning.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from wenyuan.readers.base import IngestError, Reading

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".docx", ".doc", ".wps", ".rtf", ".pdf", ".ofd", ".html", ".htm"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NAMES = {"pdf": ".pdf", "docx": ".docx", "ofd": ".ofd", "ole": ".doc", "rtf": ".rtf", "html": ".html", "text": ".txt"}

__all__ = ["IngestError", "Reading", "SUPPORTED_SUFFIXES", "TEXT_SUFFIXES", "read", "sniff"]


def sniff(raw: bytes, path: Path) -> str:
    """What the bytes are: pdf, docx, ofd, ole (.doc / .wps), rtf, html or text."""
    head = raw[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if raw.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as error:
            kind = {".docx": "Word ", ".ofd": "OFD "}.get(path.suffix.lower(), "")
            raise IngestError(f"{kind}文件已损坏（压缩包无法打开：{error}）") from error
        if "word/document.xml" in names:
            return "docx"
        if "OFD.xml" in names or "/OFD.xml" in names:
            return "ofd"
        raise IngestError("是压缩包，但不是 Word（.docx）或 OFD 文件")
    if raw.startswith(_OLE):
        return "ole"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    sample = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    opening = raw[: 1 << 16].lower()
    if sample.startswith((b"<!doctype html", b"<html")) or (
        sample.startswith(b"<") and any(tag in opening for tag in (b"<html", b"<body", b"<div", b"<p>", b"<table"))
    ):
        return "html"  # also a page saved with a "<!-- saved from url -->" comment or a long <head> first
    return "text"


def _check_ole(raw: bytes) -> None:
    """An OLE compound file is a Word or WPS document only when it holds a `WordDocument` stream; an encrypted .docx
    is an OLE file holding an `EncryptedPackage` stream; a spreadsheet holds a `Workbook`."""
    if "EncryptedPackage".encode("utf-16-le") in raw:
        raise IngestError("Word 文件设有密码保护，请先解除密码")
    if "WordDocument".encode("utf-16-le") not in raw:
        if "Workbook".encode("utf-16-le") in raw:
            raise IngestError("这是 Excel 表格，不是 Word 文件：请另存为 .docx 或 .pdf")
        raise IngestError("Word 文件已损坏（找不到正文）")


def read(path: Path, raw: bytes, progress: Callable[[int, int], None] | None = None,
         encoding: str | None = None) -> Reading:
    """Lines of the file, read by the reader for what its bytes are; raises IngestError saying why it cannot be.
    Only `raw` is read (the path gives the name): what is hashed is what is parsed, even if the file changes.
    `progress(done, total)` follows the pages read by OCR, a second or more each; `encoding` overrides the detected
    encoding of plain-text and HTML files."""
    suffix = path.suffix.lower()
    kind = sniff(raw, path)
    if kind == "text" and suffix in (".html", ".htm"):
        kind = "html"  # a fragment of a page: its name says what it is
    if kind == "text" and suffix not in TEXT_SUFFIXES:
        if suffix in (".pdf", ".docx", ".doc", ".wps", ".ofd"):
            raise IngestError(f"文件内容不是 {suffix} 格式（已损坏，或扩展名有误）")
        raise IngestError(f"不支持的文件类型“{suffix or path.name}”（支持 {' '.join(sorted(SUPPORTED_SUFFIXES))}）")
    match kind:
        case "pdf":
            from wenyuan.readers.pdf import read_pdf

            reading = read_pdf(raw, progress)
        case "docx":
            from wenyuan.readers.docx import read_docx

            reading = read_docx(raw)
        case "ofd":
            from wenyuan.readers.ofd import read_ofd_lines

            reading = read_ofd_lines(raw, progress)
        case "ole" | "rtf":
            if kind == "ole":
                _check_ole(raw)
            from wenyuan.readers.legacy import read_legacy

            reading = read_legacy(raw, ".rtf" if kind == "rtf" else (".wps" if suffix == ".wps" else ".doc"))
        case "html":
            from wenyuan.readers.text import read_html

            reading = read_html(raw, encoding)
        case _:
            from wenyuan.readers.text import read_text

            reading = read_text(raw, encoding)
    expected = _NAMES[kind]
    mismatch = suffix != expected and not (kind == "ole" and suffix in (".doc", ".wps")) and not (
        kind == "html" and suffix == ".htm") and not (kind == "text" and suffix in TEXT_SUFFIXES)
    if mismatch:
        reading.warnings.insert(0, f"扩展名是 {suffix}，内容其实是 {expected} 格式，已按 {expected} 读取")
    return reading
