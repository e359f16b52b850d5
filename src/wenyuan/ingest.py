"""From files to cleaned Documents: one small loader per format, encoding detection, content-hash ids.

A file that cannot be read raises `IngestError` with a reason a user understands; the caller reports and skips it.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from wenyuan.clean import (
    LEVEL_ARTICLE,
    LEVEL_CN,
    Line,
    heading_level,
    repair,
    split_lines,
)
from wenyuan.structure import describe
from wenyuan.types import Document

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf", ".html", ".htm"}
_HEADING_SENTINEL = "\ue000"  # marks an HTML heading line and its level until the line is split off


class IngestError(Exception):
    """A file that cannot be indexed; the message says why, in Chinese, for the person who put it there."""


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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def decode(raw: bytes) -> str:
    """Text from bytes in UTF-8 (with or without BOM), UTF-16, GB18030/GBK, or whatever charset-normalizer finds."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise IngestError("不是文本文件，或编码无法识别（支持 UTF-8、GB18030/GBK、UTF-16）")
    return str(best)


def _load_text(path: Path, raw: bytes) -> list[Line]:
    return split_lines(decode(raw))


def _load_html(path: Path, raw: bytes) -> list[Line]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode(raw), "html.parser")
    for hidden in soup(["script", "style", "noscript", "template", "head", "nav", "footer"]):
        hidden.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    blocks = "p div section article li tr td th h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dd dt".split()
    for tag in soup.find_all(blocks):
        if tag.name in ("td", "th"):
            tag.insert_after(" | ")
            continue
        if tag.name[0] == "h" and tag.name[1:].isdigit():
            tag.insert_before(f"\n{_HEADING_SENTINEL}{tag.name[1]}")
        else:
            tag.insert_before("\n")
        tag.insert_after("\n")
    lines = []
    for line in soup.get_text().split("\n"):
        line = line.strip().removesuffix("|").strip()
        level = None
        if line.startswith(_HEADING_SENTINEL):
            level = min(int(line[1]), LEVEL_ARTICLE)
            line = line[2:].strip()
        lines.append(Line(line, level if line and heading_level(line) is None else None))
    return lines


def _load_pdf(path: Path, raw: bytes) -> list[Line]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("PDF 文件设有密码保护，请先解除密码")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        reason = str(error) or type(error).__name__
        if "crypt" in reason.lower() or "password" in reason.lower():
            raise IngestError("PDF 文件设有密码保护，请先解除密码") from error
        raise IngestError(f"PDF 文件已损坏或不是 PDF（{reason}）") from error
    if not any(page.strip() for page in pages):
        raise IngestError("PDF 没有文字层（扫描件需先做 OCR 文字识别）")
    lines: list[Line] = []
    for number, page in enumerate(pages, start=1):
        lines.extend(split_lines(page, page=number))
    return lines


_CN_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting"):
        return _chinese_number(value)
    if fmt == "decimalEnclosedCircle" and value <= 20:
        return chr(0x2460 + value - 1)
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "bullet":
        return ""
    return str(value)


class _DocxNumbering:
    """Renders Word's automatic list numbers (一、 （一） 1.) that python-docx leaves out of the paragraph text."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self._qn = qn
        self._levels: dict[tuple[str, str], tuple[str, str, int]] = {}
        self._counters: dict[tuple[str, str], int] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in numbering.findall(qn("w:abstractNum"))}
        for num in numbering.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is None or ref.get(qn("w:val")) not in abstract:
                continue
            for lvl in abstract[ref.get(qn("w:val"))].findall(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                self._levels[(num.get(qn("w:numId")), lvl.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "%1.",
                    int(start.get(qn("w:val"))) if start is not None else 1,
                )

    def label(self, paragraph) -> str:
        qn = self._qn
        properties = paragraph._p.pPr
        num_pr = properties.find(qn("w:numPr")) if properties is not None else None
        if num_pr is None:
            return ""
        num_id = num_pr.find(qn("w:numId"))
        ilvl = num_pr.find(qn("w:ilvl"))
        key = (num_id.get(qn("w:val")) if num_id is not None else "", ilvl.get(qn("w:val")) if ilvl is not None else "0")
        if key not in self._levels:
            return ""
        fmt, pattern, start = self._levels[key]
        if fmt in ("bullet", "none"):
            return ""
        self._counters[key] = self._counters.get(key, start - 1) + 1
        for deeper in [k for k in self._counters if k[0] == key[0] and int(k[1]) > int(key[1])]:
            del self._counters[deeper]
        label = pattern
        for depth in range(int(key[1]) + 1):
            value = self._counters.get((key[0], str(depth)), self._levels.get((key[0], str(depth)), ("", "", 1))[2])
            fmt_at = self._levels.get((key[0], str(depth)), (fmt, "", 1))[0]
            label = label.replace(f"%{depth + 1}", _format_number(value, fmt_at))
        return label


def _load_docx(path: Path, raw: bytes) -> list[Line]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        if raw.startswith(b"\xd0\xcf\x11\xe0"):
            raise IngestError("Word 文件设有密码，或是旧的 .doc 格式：请另存为 .docx") from error
        raise IngestError(f"Word 文件已损坏或不是 .docx（{error}）") from error
    numbering = _DocxNumbering(document)
    lines: list[Line] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(element, document)
            text = numbering.label(paragraph) + paragraph.text
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            level = None
            if style.lower().startswith("heading") and style[-1:].isdigit():
                level = int(style[-1]) if int(style[-1]) <= LEVEL_ARTICLE else LEVEL_CN + int(style[-1]) - 4
            lines.append(Line(text, level if heading_level(text.strip()) is None else None))
        elif tag == "tbl":
            for row in Table(element, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    words = " ".join(cell.text.split())
                    if words and (not cells or cells[-1] != words):
                        cells.append(words)
                lines.append(Line(" | ".join(cells)))
            lines.append(Line(""))
    return lines


_LOADERS = {
    ".txt": _load_text,
    ".text": _load_text,
    ".md": _load_text,
    ".markdown": _load_text,
    ".html": _load_html,
    ".htm": _load_html,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
}


def load(source: SourceFile, *, max_bytes: int | None = None, sha256: str | None = None) -> Document:
    """Read, clean and describe one file; raises IngestError saying why a file cannot be used."""
    suffix = source.path.suffix.lower()
    if suffix not in _LOADERS:
        if suffix in (".doc", ".wps", ".ofd"):
            raise IngestError(f"暂不支持 {suffix} 文件：请另存为 .docx 或 .pdf")
        raise IngestError(f"不支持的文件类型“{suffix or source.path.name}”（支持 .txt .md .docx .pdf .html）")
    try:
        size = source.path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise IngestError(f"文件超过 {max_bytes / (1 << 20):g} MB 的上限")
        raw = source.path.read_bytes()
    except OSError as error:
        raise IngestError(f"文件无法读取（{error.strerror or error}）") from error
    if not raw.strip():
        raise IngestError("文件是空的")
    lines = _LOADERS[suffix](source.path, raw)
    paragraphs = repair(lines, join_broken=suffix in TEXT_SUFFIXES or suffix == ".pdf", bare_page_numbers=suffix == ".pdf")
    if not paragraphs:
        raise IngestError("文件中没有文字")
    text_parts: list[str] = []
    page_starts: list[int] = []
    styled: list[tuple[int, int]] = []
    offset = 0
    for paragraph in paragraphs:
        if paragraph.page is not None:
            while len(page_starts) < paragraph.page:
                page_starts.append(offset)
        if paragraph.level:
            styled.append((offset, paragraph.level))
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
        subtitle=about.subtitle,
        issuer=about.issuer,
        date=about.date,
        year=about.year,
        kind=about.kind,
    )
