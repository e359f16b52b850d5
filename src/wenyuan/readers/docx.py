"""Word .docx: paragraphs with their automatic numbers and heading styles, soft line breaks, fields and tables.

Text is taken from the XML rather than python-docx's `paragraph.text`, which leaves out simple fields (where office
systems keep 文号 and title as DOCPROPERTY values) and text boxes, and flattens nested tables.
"""

from __future__ import annotations

import io
import re
import zipfile

from wenyuan.clean import CELL, LEVEL_ARTICLE, LEVEL_CN, Line, heading_level
from wenyuan.readers.base import IngestError, Reading, mark_wrapped

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# A table cell holding this much is page layout (a whole document laid out in a table), not a table of data.
_MAX_XML_BYTES = 200 << 20  # the XML of the longest real documents is a few megabytes
_LAYOUT_CELL_CHARS = 150
_LAYOUT_CELL_PARAGRAPHS = 4
# Word's field and cell marks that converters leave in the text as private-use characters (U+E000…)
_WORD_MARKS = dict.fromkeys(range(0xE000, 0xE020))
_NUMBER = r"[\u4e00-\u9fff]{1,10}\s*[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,4}\s*号"
_NUMBER_AFTER = re.compile(rf"^(.{{4,}}?[\u4e00-\u9fff》）)])\s+({_NUMBER})$")
_NUMBER_BEFORE = re.compile(rf"^({_NUMBER})\s+([\u4e00-\u9fff《].{{4,}})$")
_GLUED_MAX = 100
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_CN_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """一 … 十 … 九十九 … 一百零一 … 九千九百九十九: Word's chineseCounting list numbers."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    for unit, size in (("千", 1000), ("百", 100)):
        if n >= size:
            lead, rest = divmod(n, size)
            if not rest:
                return _CN_DIGITS[lead] + unit
            gap = "零" if rest < size // 10 else ""
            tail = _chinese_number(rest)
            return _CN_DIGITS[lead] + unit + gap + ("一" + tail if rest < 20 and tail.startswith("十") else tail)
    return str(n)


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


class _Numbering:
    """Renders Word's automatic list numbers (一、 （一） 1.) that are not part of the paragraph's text."""

    def __init__(self, document) -> None:
        self._levels: dict[tuple[str, str], tuple[str, str, int]] = {}
        self._counters: dict[tuple[str, str], int] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(f"{_W}abstractNumId"): a for a in numbering.findall(f"{_W}abstractNum")}
        for num in numbering.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None or ref.get(f"{_W}val") not in abstract:
                continue
            for lvl in abstract[ref.get(f"{_W}val")].findall(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                self._levels[(num.get(f"{_W}numId"), lvl.get(f"{_W}ilvl"))] = (
                    fmt.get(f"{_W}val") if fmt is not None else "decimal",
                    text.get(f"{_W}val") if text is not None else "%1.",
                    int(start.get(f"{_W}val")) if start is not None else 1,
                )

    def label(self, paragraph) -> str:
        properties = paragraph.find(f"{_W}pPr")
        num_pr = properties.find(f"{_W}numPr") if properties is not None else None
        if num_pr is None:
            return ""
        num_id = num_pr.find(f"{_W}numId")
        ilvl = num_pr.find(f"{_W}ilvl")
        key = (num_id.get(f"{_W}val") if num_id is not None else "", ilvl.get(f"{_W}val") if ilvl is not None else "0")
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


def _paragraph_text(paragraph) -> str:
    """The paragraph's text in document order: runs, hyperlinks, fields' shown values, text boxes; soft line
    breaks as "\\n". The alternative rendering of a drawing (mc:Fallback) is skipped, it repeats the text box."""
    parts: list[str] = []

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if tag == _MC_FALLBACK or tag == f"{_W}delText" or tag == f"{_W}instrText":
                continue
            if tag == f"{_W}t":
                parts.append(child.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                if child.get(f"{_W}type") != "page":
                    parts.append("\n")
            elif tag == f"{_W}p":  # a paragraph inside a text box
                parts.append("\n")
                walk(child)
                parts.append("\n")
            else:
                walk(child)

    walk(paragraph)
    return "".join(parts)


def _unglued(line: str) -> list[str]:
    """A title and its 文号 typed into one paragraph ("关于…的通知 渝府发〔2010〕61号") as the two lines they are."""
    if len(line) <= _GLUED_MAX:
        for pattern in (_NUMBER_AFTER, _NUMBER_BEFORE):
            found = pattern.match(line)
            if found:
                return [part.strip() for part in found.groups()]
    return [line]


def _style_level(paragraph, styles: dict[str, str]) -> int | None:
    properties = paragraph.find(f"{_W}pPr")
    style = properties.find(f"{_W}pStyle") if properties is not None else None
    name = styles.get(style.get(f"{_W}val"), "") if style is not None else ""
    if name.lower().startswith("heading") and name[-1:].isdigit():
        level = int(name[-1])
        return level if level <= LEVEL_ARTICLE else LEVEL_CN + level - 4
    return None


class _Body:
    """Walks the document body in order, turning paragraphs and tables into lines."""

    def __init__(self, document) -> None:
        self.numbering = _Numbering(document)
        self.styles = {s.style_id: s.name or "" for s in document.styles} if document.styles is not None else {}
        self.lines: list[Line] = []
        self.tables = 0

    def paragraph(self, element) -> None:
        text = self.numbering.label(element) + _paragraph_text(element)
        level = _style_level(element, self.styles)
        pieces = text.split("\n")  # soft line breaks: web text pasted into Word keeps each paragraph on one
        pieces = [part for piece in pieces for part in _unglued(_SPACES.sub(" ", piece.translate(_WORD_MARKS)).strip())]
        for piece in pieces:
            self.lines.append(Line(piece, level if len(pieces) == 1 and heading_level(piece) is None else None))

    def table(self, element) -> None:
        rows = element.findall(f"{_W}tr")
        cells_of = [[cell for cell in row.findall(f"{_W}tc")] for row in rows]
        if any(self._is_layout(cell) for row in cells_of for cell in row):
            for row in cells_of:  # a page laid out in a table: its cells are the document's paragraphs
                for cell in row:
                    self.block(cell)
            return
        self.tables += 1
        self.lines.append(Line(""))
        for row in cells_of:
            texts: list[str] = []
            for cell in row:
                words = " ".join(self._cell_text(cell).split())
                if words and (not texts or texts[-1] != words):  # a merged cell repeats its text
                    texts.append(words)
            if texts:
                self.lines.append(Line(CELL.join(texts), table=self.tables))
        self.lines.append(Line(""))

    def block(self, container) -> None:
        for child in container:
            tag = child.tag
            if tag == f"{_W}p":
                self.paragraph(child)
            elif tag == f"{_W}tbl":
                self.table(child)
            elif tag == f"{_W}sdt":  # content controls wrap paragraphs and tables
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    self.block(content)

    def _cell_text(self, cell) -> str:
        """A cell's own paragraphs (text boxes inside them included once, by `_paragraph_text`)."""
        return " ".join(_paragraph_text(p).replace("\n", " ") for p in cell.findall(f"{_W}p"))

    @staticmethod
    def _is_layout(cell) -> bool:
        if cell.find(f".//{_W}tbl") is not None:
            return True
        paragraphs = [p for p in cell.findall(f"{_W}p") if _paragraph_text(p).strip()]
        return len(paragraphs) >= _LAYOUT_CELL_PARAGRAPHS or sum(len(_paragraph_text(p)) for p in paragraphs) > (
            _LAYOUT_CELL_CHARS * 3
        )


def _check_sizes(raw: bytes) -> None:
    """Refuse a .docx whose XML would unpack to more than a real document ever is (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            total = sum(member.file_size for member in archive.infolist() if member.filename.endswith(".xml"))
    except zipfile.BadZipFile as error:
        raise IngestError(f"Word 文件已损坏或不是 .docx（{error}）") from error
    if total > _MAX_XML_BYTES:
        raise IngestError(f"Word 文件解压后过大（{total >> 20} MB），疑似压缩炸弹，拒绝读取")


def read_docx(raw: bytes) -> Reading:
    """A .docx's paragraphs and tables in order, as lines; hand-wrapped text marked to be joined again."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_sizes(raw)
    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        raise IngestError(f"Word 文件已损坏或不是 .docx（{error}）") from error
    body = _Body(document)
    body.block(document.element.body)
    # text pasted from a fixed-width source keeps its hard line breaks: such lines are joined again
    return Reading(mark_wrapped(body.lines, typeset=False), "docx")
