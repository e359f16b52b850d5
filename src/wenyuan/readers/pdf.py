"""PDF: the text layer page by page, with what printing adds removed (page numbers, running heads, a browser's
print header and footer, dot-leader tables of contents) and wrapped lines marked so the cleaner joins them, headings
included. Pages without usable text go to OCR when it is installed, else are reported.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from wenyuan.clean import CELL, DASHES, Line
from wenyuan.readers import pdf_tables
from wenyuan.readers.base import IngestError, Reading, mark_wrapped
from wenyuan.readers.quality import garbled

PageProgress = Callable[[int, int], None]

# Lines that are only page furniture when they stand at the top or bottom of a page.
_PAGE_NUMBER = re.compile(
    rf"^(?:[-{DASHES}]?\s*\d{{1,4}}\s*[-{DASHES}]?|第\s*\d{{1,4}}\s*页(?:\s*[，,/]?\s*共\s*\d{{1,4}}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|(?:page\s*)?\d{1,4}\s*of\s*\d{1,4}.*)$",
    re.IGNORECASE,
)
# what a browser prints at a page's edge: the address alone, or the date and time
_PRINT_FURNITURE = re.compile(r"^\s*https?://\S+\s*$|\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}", re.IGNORECASE)
_TOC_LEADER = re.compile(r"(?:[.．·…。_]\s*){4,}\s*\d{1,4}$")
_EDGE_LINES = 3  # how far from a page's top or bottom furniture is looked for
_MIN_RUNNING = 2  # characters a running head or footer has at least
_PAGE_SLACK = 10  # a bare number at a page's edge is its page number when at most this far past the page count


def _shape(text: str) -> str:
    """A line with its digits hidden, so running heads with page numbers compare equal across pages."""
    return re.sub(r"\d+", "#", "".join(text.split()))


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Shapes of lines that open or close at least half the pages (three or more): running heads and footers."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = {_shape(line) for line in lines[:2] + lines[-2:] if CELL not in line}  # a header row is kept
        counts.update(shape for shape in edge if len(shape) >= _MIN_RUNNING)  # not a lone "。" or "—"
    return {shape for shape, count in counts.items() if count >= max(3, len(pages) / 2)}


def _is_page_number(text: str, pages: int) -> bool:
    """A page number: `— 3 —`, `第3页 共9页`, `3/9`, `3 of 9`, or a bare number no larger than a page number can be
    (a table's last cell `2100` at a page's foot is text)."""
    text = "".join(text.split())
    if not _PAGE_NUMBER.match(text):
        return False
    return not text.isdigit() or int(text) <= pages + _PAGE_SLACK


def _is_edge_furniture(line: str, running: set[str], pages: int) -> bool:
    squeezed = "".join(line.split())
    return bool(_is_page_number(line, pages) or _PRINT_FURNITURE.search(line) or _shape(squeezed) in running)


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _strip_edges(lines: list[str], running: set[str], pages: int) -> list[str]:
    """The page's lines without the furniture at its top and bottom; a page number split over lines (`—` `1` `—`)
    is recognised joined (only with its dashes: two table cells `80` `95` are not page 8095). Blank lines inside the
    page stay: they separate blocks (title, 主送, paragraphs)."""
    lines = _trim_blank(lines)
    for _ in range(_EDGE_LINES):
        joined = ["".join("".join(lines[-span:]).split()) for span in (3, 2)]
        span = next((k for k, text in zip((3, 2), joined)
                     if len(lines) >= k and not text.isdigit() and _is_page_number(text, pages)), 0)
        if span:
            del lines[-span:]
        elif lines and _is_edge_furniture(lines[-1], running, pages):
            lines.pop()
        else:
            break
        lines = _trim_blank(lines)
    for _ in range(_EDGE_LINES):
        if lines and _is_edge_furniture(lines[0], running, pages):
            lines = _trim_blank(lines[1:])
    return lines


def page_lines(pages: list[str]) -> list[Line]:
    """Lines of the pages' text in order, furniture removed, each line that runs to the right margin without ending
    a sentence marked as continuing on the next (across a page break too: no blank line is put between pages)."""
    split = [page.replace("\r", "\n").split("\n") for page in pages]
    running = _running_lines([[line for line in lines if line.strip()] for lines in split])
    split = [_strip_edges(lines, running, len(pages)) for lines in split]
    lines = [Line(text, None, number) for number, page in enumerate(split, start=1) for text in page
             if not _TOC_LEADER.search(text.strip())]
    return mark_wrapped(_number_tables(lines))


def _number_tables(lines: list[Line]) -> list[Line]:
    """Runs of table rows (`a | b | c`) numbered as tables; a run that opens a page right after one that closed the
    previous page, with as many cells, goes on the same table (a long table broken over pages)."""
    numbered: list[Line] = []
    tables = 0
    header = ""
    previous: Line | None = None  # the last line with text
    for line in lines:
        if CELL in line.text:
            cells = line.text.count(CELL)
            continued = previous is not None and previous.table is not None and (
                previous.page == line.page or previous.text.count(CELL) == cells)
            if not continued:
                tables += 1
                header = line.text
            elif line.page != previous.page and line.text == header:
                continue  # the header row printed again on the next page
            line = replace(line, table=tables)
        if line.text.strip():
            previous = line
        numbered.append(line)
    return numbered


def read_pdf(raw: bytes, progress: PageProgress | None = None) -> Reading:
    """The PDF's text layer; scanned or garbled pages through OCR (`progress(done, total)` after each such page)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("PDF 文件设有密码保护，请先解除密码")
        pages = _page_texts(reader, raw)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        reason = str(error) or type(error).__name__
        if "crypt" in reason.lower() or "password" in reason.lower():
            raise IngestError("PDF 文件设有密码保护，请先解除密码") from error
        raise IngestError(f"PDF 文件已损坏或不是 PDF（{reason}）") from error
    reading = Reading([], "pdf", join_broken=True, pages=len(pages))
    unusable = [n for n, text in enumerate(pages, 1) if len("".join(text.split())) < 5 or garbled(text)]
    if unusable:
        pages = _read_unusable_pages(raw, pages, unusable, reading, progress)
    if not any(page.strip() for page in pages):
        raise IngestError(_no_text_reason(reading))
    reading.lines = page_lines(pages)
    return reading


def _page_texts(reader, raw: bytes) -> list[str]:
    """Each page's text layer, ruled tables as rows when PDFium is there to place the characters in the cells."""
    pdfium = pdf_tables.pdfium_glyphs(raw)
    if pdfium is None:
        return [page.extract_text() or "" for page in reader.pages]
    glyphs, close = pdfium
    try:
        return [pdf_tables.page_text(page, glyphs(number)) for number, page in enumerate(reader.pages)]
    finally:
        close()


def _read_unusable_pages(raw: bytes, pages: list[str], unusable: list[int], reading: Reading,
                         progress: PageProgress | None) -> list[str]:
    """Pages without a text layer, or with a garbled one, read by OCR when installed; otherwise left out, and said."""
    from wenyuan.readers import ocr

    pages = list(pages)
    garbled_pages = [n for n in unusable if garbled(pages[n - 1])]
    for n in garbled_pages:
        pages[n - 1] = ""
    if ocr.available() is None:
        if garbled_pages:
            reading.warnings.append(f"第 {_page_list(garbled_pages)} 页文字层是乱码（字体编码异常），已跳过。{ocr.INSTALL_HINT}")
        blank = [n for n in unusable if n not in garbled_pages]
        if blank and len(blank) < len(pages):
            reading.warnings.append(f"第 {_page_list(blank)} 页没有文字层（扫描页），未识别。{ocr.INSTALL_HINT}")
        return pages
    recognised = ocr.recognise_pdf_pages(raw, unusable, progress)
    for n, text in recognised.items():
        pages[n - 1] = text
    reading.ocr_pages = tuple(sorted(n for n, text in recognised.items() if text.strip()))
    if reading.ocr_pages:
        reading.reader = f"pdf+OCR（{ocr.available()}）"
        reading.warnings.append(f"第 {_page_list(list(reading.ocr_pages))} 页的文字由 OCR 识别，引用前请核对原件")
    return pages


def _no_text_reason(reading: Reading) -> str:
    from wenyuan.readers import ocr

    if ocr.available() is None:
        return f"PDF 没有可用的文字层（扫描件或字体编码异常），需要 OCR 文字识别。{ocr.INSTALL_HINT}"
    return "PDF 没有文字层，OCR 也没有识别出文字"


def _page_list(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers[:10]) + ("等" if len(numbers) > 10 else "")
