"""Plain text and HTML: encoding detection, headings of markdown and of HTML tags."""

from __future__ import annotations

from html.parser import HTMLParser

from wenyuan.clean import CELL, LEVEL_ARTICLE, Line, heading_level, split_lines
from wenyuan.readers.base import IngestError, Reading
from wenyuan.readers.quality import garbled

_HEADING_SENTINEL = "\ue000"  # marks an HTML heading line and its level until the line is split off


# Tried in this order after UTF-8: GB18030 decodes almost any bytes, so each result must also read as language
_CANDIDATES = ("gb18030", "big5", "utf-16-le", "utf-16-be", "shift_jis")
_USUAL_SHARE = 0.95
_DAMAGED_SHARE = 0.005  # undecodable bytes a text file may have and still be read, each shown as �


def decode(raw: bytes, encoding: str | None = None) -> str:
    """Text from bytes in UTF-8 (with or without BOM), UTF-16 (with or without BOM), GB18030/GBK, Big5 or Shift-JIS;
    a decoding is taken only when it reads as language (see `quality.garbled`). `encoding` forces one."""
    if encoding:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise IngestError(f"文件不是 {encoding} 编码（{error}）") from error
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" not in text:
            return text
    for candidate in _CANDIDATES:
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and not garbled(text) and _printable(text):
            return text
    for candidate in ("utf-8", "gb18030"):  # a few damaged bytes in an otherwise good file
        text = raw.decode(candidate, errors="replace")
        if text.count("\ufffd") <= len(text) * _DAMAGED_SHARE and not garbled(text) and _printable(text):
            return text
    raise IngestError("文件编码无法识别，或不是文本文件（支持 UTF-8、GB18030/GBK、Big5、UTF-16）；"
                      "可用 WENYUAN_ENCODING 指定编码")


def _printable(text: str) -> bool:
    """Mostly characters Chinese documents are written in: Chinese, ASCII, full-width forms and punctuation (and
    kana); not control codes, unassigned code points or the Hangul a wrong UTF-16 guess turns Chinese into."""
    sample = text[:20000]
    usual = sum(1 for ch in sample if ch.isascii() or "\u3000" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff"
                or "\uff00" <= ch <= "\uffef" or ch in "\u2014\u2018\u2019\u201c\u201d\u2026\u00b7\ufffd")
    return usual >= len(sample) * _USUAL_SHARE


def read_text(raw: bytes, encoding: str | None = None) -> Reading:
    """A plain-text or markdown file's lines; broken lines are joined by the cleaner."""
    return Reading(split_lines(decode(raw, encoding)), "text", join_broken=True)


class _VisibleText(HTMLParser):
    """The visible text of a page in one pass (linear however deep the tags nest): a line break around each block,
    " | " after each table cell, a marker before each heading; scripts, styles and page chrome left out."""

    _HIDDEN = frozenset(["script", "style", "noscript", "template", "head", "nav", "footer"])
    _BLOCKS = frozenset(["p", "div", "section", "article", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dd", "dt"])

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0  # depth inside hidden elements

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self._BLOCKS:
            heading = tag[0] == "h" and tag[1:].isdigit()
            self.parts.append(f"\n{_HEADING_SENTINEL}{tag[1]}" if heading else "\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in ("td", "th"):
            self.parts.append(CELL)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data.replace("\n", " "))


def read_html(raw: bytes, encoding: str | None = None) -> Reading:
    """The visible text of a web page saved to disk: one line per block, table cells joined by " | "."""
    parser = _VisibleText()
    parser.feed(decode(raw, encoding))
    parser.close()
    lines = []
    for line in "".join(parser.parts).split("\n"):
        line = line.strip().removesuffix("|").strip()
        level = None
        if line.startswith(_HEADING_SENTINEL):
            level = min(int(line[1]), LEVEL_ARTICLE)
            line = line[2:].strip()
        lines.append(Line(line, level if line and heading_level(line) is None else None))
    return Reading(lines, "html")
