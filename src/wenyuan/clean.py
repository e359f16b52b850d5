"""Pure repairs of exported text: broken lines, stray spaces, page furniture; and the heading markers they rely on.

Everything here maps text to text; nothing reads files. Redaction marks such as `**市`, `_总书记` and `z-教`
pass through untouched: they are the document's own words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace

CN_NUM = "一二三四五六七八九十百零〇两"
DASHES = "—–－―─"  # the dashes documents open "——必须坚持…" items and subtitles with (em dash, horizontal bar …)

# Official heading hierarchy, deepest last. Level numbers are what the section tree nests by.
LEVEL_PART = 1  # 第X编 / 第X章 / markdown "#"
LEVEL_SECTION = 2  # 第X节 / markdown "##"
LEVEL_ARTICLE = 3  # 第X条 / markdown "###"
LEVEL_CN = 4  # 一、
LEVEL_CN_PAREN = 5  # （一）
LEVEL_ARABIC = 6  # 1. 1、 1．
LEVEL_ARABIC_PAREN = 7  # （1）
LEVEL_ENUM = 8  # 一要… 一是… 第一，… 首先，…

CELL = " | "  # between the cells of a table row, as every reader writes a row on one line
ATTACHMENT_LINE = re.compile(r"^附\s*件\s*\d{0,2}\s*[:：]?$")  # 附件 / 附件2 alone on a line: an attachment begins
# the 版记 at a 公文's end (GB/T 9704): 抄送 and 主题词 lines, the 公开方式, and the 印发 line with the printing office
IMPRINT_LINE = re.compile(
    r"^(?:抄\s*送|抄\s*报|主\s*题\s*词|公开方式|公开属性|信息公开选项)\s*[:：]"
    r"|^\S.{1,30}?\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印\s*发\s*$"
)
_HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (LEVEL_PART, re.compile(rf"^第[{CN_NUM}\d]+[编章編](?=\s|[^\w]|[\u4e00-\u9fff]|$)")),
    (LEVEL_PART, ATTACHMENT_LINE),
    (LEVEL_SECTION, re.compile(rf"^第[{CN_NUM}\d]+[节節]")),
    (LEVEL_ARTICLE, re.compile(rf"^第[{CN_NUM}\d]+[条條](?=[\s\u3000]|[\u4e00-\u9fff])")),
    (LEVEL_CN, re.compile(rf"^[{CN_NUM}]{{1,3}}(?:、|[．.](?!\d))(?![、．.])")),
    (LEVEL_CN_PAREN, re.compile(rf"^[（(][{CN_NUM}]{{1,3}}[）)]")),
    (LEVEL_ARABIC, re.compile(r"^\d{1,2}[.、．](?![\d.．%％])")),
    (LEVEL_ARABIC_PAREN, re.compile(r"^[（(]\d{1,2}[）)]|^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]")),
    (LEVEL_ENUM, re.compile(rf"^(?:[{CN_NUM}]{{1,2}}[要是](?![否非])|第[{CN_NUM}]{{1,2}}[，,、]|(?:首先|其次|再次|最后)[，,])")),
)
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+")

# In-paragraph enumerations: 一要…二要…, 一是…二是…, 第一…第二…
ENUM_MARKER = re.compile(rf"(?:(?<=^)|(?<=[。；;！!？?：:，,\s]))(?P<marker>[{CN_NUM}]{{1,2}}[要是]|第[{CN_NUM}]{{1,2}}[，,、])")

# A 规范性文件 registration number printed above the red header: HFGS—2015—31, BJZ-2016-004
REGISTRATION_NUMBER = re.compile(r"^[A-Z]{2,8}\s*[-—－]\s*\d{4}\s*[-—－]\s*\d{1,4}$")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号")
# 签发人 (GB/T 9704: on a 上报 document, on the 文号's line, at its right): a line of its own
SIGNER_LINE = re.compile(r"^签\s*发\s*人\s*[:：]")
_NUMBER_AND_SIGNER = re.compile(rf"^({DOC_NUMBER.pattern})\s*(签\s*发\s*人\s*[:：].*)$")
# A line that is only a date (a 落款 date, a law's 公布 date): 2018年12月4日, 二〇一八年十二月四日, （2013年5月28日）
DATE_LINE = re.compile(
    r"^[（(]?\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[二〇零一三四五六七八九十○]{4}年[^。]{1,6}日)\s*[）)]?$"
)
_PAGE_FURNITURE = re.compile(
    rf"^(?:[-{DASHES}]\s*\d{{1,4}}\s*[-{DASHES}]|第\s*\d{{1,4}}\s*页(?:\s*[，,/]?\s*共\s*\d{{1,4}}\s*页)?|\d{{1,4}}\s*/\s*\d{{1,4}})$"
)
# A line ending in one of these ends a sentence or a block; any other line was broken by the export.
LINE_END = frozenset("。！？；：…”」』）)!?;:》")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u3000\u00a0]+(?=[{_CJK}])")
_ARTICLE = rf"第[{CN_NUM}\d]+[编章节条編節條]"  # 第三条, 第二章
_ARTICLE_PREFIX = re.compile(_ARTICLE + "$")
_MAX_HEADING_LINE = 40
# a short line whose words stand in columns (a roster's "王晓晖　　中央宣传部副部长"): a row of its own, its gap kept as two
# ideographic spaces; prose has punctuation, a row has none
_COLUMN_GAP = re.compile(rf"(?:(?<=[{_CJK}]{{2}})|(?<=[{_CJK}][ \u3000][{_CJK}]))[ \t\u3000\u00a0]{{2,}}(?=[{_CJK}]{{2}})")
_ROW_GAP = re.compile(rf"(?<=[{_CJK}])\u3000\u3000(?=[{_CJK}])")
_GAP_MARK = "\x00"
_ARTICLE_START = re.compile("^" + _ARTICLE)
_ROW_MAX = 50
_PROSE_MARK = re.compile("[。，；！？,;]")  # one makes a line prose; alone on a line, it is an end the export broke off


@dataclass(frozen=True, slots=True)
class Line:
    """A line or paragraph of a loaded file, with the heading level its format declared and its PDF page.

    `continues`: the reader saw the line run into the right margin without ending a sentence (a PDF line wrapped
    inside a paragraph), so it joins the next line even when it looks like a heading itself (`第一条　为了实现…协调发`).
    """

    text: str
    level: int | None = None
    page: int | None = None
    continues: bool = False
    table: int | None = None  # the number of the table this line is a row of (its first row is the header)


def heading_level(line: str) -> int | None:
    """The official heading level a line starts with (一、 → 4, （一） → 5, …), or None for body text."""
    markdown = _MARKDOWN_HEADING.match(line)
    if markdown:
        return min(len(markdown.group(1)), LEVEL_ARTICLE)
    for level, pattern in _HEADING_PATTERNS:
        if pattern.match(line):
            return level
    return None


_CN_DIGIT = {"零": 0, "〇": 0, "○": 0, "o": 0, "0": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_CN_YEAR = re.compile(r"[零〇○o0一二三四五六七八九]{4}(?=年)")


def chinese_number(words: str) -> int | None:
    """The value of a Chinese numeral up to the thousands (十八 → 18, 二十三 → 23, 一百零五 → 105), or of digits."""
    if words.isdigit():
        return int(words)
    total, current = 0, 0
    for ch in words:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        elif ch in "十百千":
            total += (current or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            current = 0
        else:
            return None
    value = total + current
    return value if words else None


def fold(text: str) -> str:
    """Fold full-width forms, case and Chinese-numeral years (二〇二〇年 → 2020年) for matching only; never for what
    is shown or quoted."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return _CN_YEAR.sub(lambda m: "".join(str(_CN_DIGIT[ch]) for ch in m.group(0)), folded)


def _radical_table() -> dict[int, str]:
    table = {}
    for code in list(range(0x2E80, 0x2EF4)) + list(range(0x2F00, 0x2FD6)):
        normal = unicodedata.normalize("NFKC", chr(code))
        if len(normal) == 1 and normal != chr(code):
            table[code] = normal
    return table


# PDF text layers often carry Kangxi radicals (⼀ ⼈ ⽇, U+2F00…) where the document shows 一 人 日: they look the
# same and match nothing, so they are read as the characters they show.
_RADICALS = _radical_table()


def _collapse_spaces(text: str) -> str:
    def keep_after_article(match: re.Match[str]) -> str:
        before = text[max(0, match.start() - 6) : match.start()]
        return match.group(0) if _ARTICLE_PREFIX.search(before) else ""

    return _SPACE_BETWEEN_CJK.sub(keep_after_article, text)


_DASH_LINE = re.compile(rf"^[{DASHES}]{{1,2}}|^-{{2}}")
_QUOTED_TOKEN = re.compile(r"[“\"][^”\"。，；]{1,8}[”\"]")
_DASH_ONLY = re.compile(rf"[{DASHES}]{{1,2}}|-{{1,2}}")


def _is_row(text: str) -> bool:
    """A line short enough and without punctuation to be a row of columns rather than prose."""
    return len(text) <= _ROW_MAX and not _PROSE_MARK.search(text)


def _opens_block(text: str) -> bool:
    """A heading, a document number or a date line: never the rest of the line before it."""
    return heading_level(text) is not None or bool(DOC_NUMBER.fullmatch(text) or DATE_LINE.match(text)
                                                   or IMPRINT_LINE.match(text))


def _is_standalone(text: str) -> bool:
    """A line that must stay a line of its own: a short heading, a document number, a date, a salutation, or a line
    that opens with a dash (a subtitle "——2013年3月5日在…", or a "——必须坚持…" item)."""
    if DOC_NUMBER.fullmatch(text) or DATE_LINE.match(text) or REGISTRATION_NUMBER.match(text) or SIGNER_LINE.match(text) \
            or (_DASH_LINE.match(text) and not _DASH_ONLY.fullmatch(text)):
        return True  # a dash alone on a line is a dash the export broke off (…两类必需载体 / — / 网络和现场张贴)
    if _is_row(text) and _ROW_GAP.search(text) and not _ARTICLE_START.match(text):
        return True  # a row of columns: 副主任：陈宝生　　教育部部长
    if len(text) <= _MAX_HEADING_LINE and text[-1] in "：:" and "，" not in text:
        return True  # a salutation (同志们：) or the 主送机关 line (各区人民政府：)
    return heading_level(text) is not None and len(text) <= _MAX_HEADING_LINE


def _joins(previous: Line, following: Line) -> bool:
    if previous.table is not None or following.table is not None or IMPRINT_LINE.match(following.text):
        return False  # a table row is a line of its own; 抄送 or the 印发 line is never the end of a sentence
    if previous.continues and following.level is None and not _opens_block(following.text):
        return True  # a line run to the margin goes on, unless what follows opens a heading (2. 食材准备) or is a 文号
    if previous.level is not None or following.level is not None:
        return False
    if _PROSE_MARK.fullmatch(following.text):
        return True  # the 。 the export broke off the line before it
    if (previous.text[-1] in LINE_END and not _QUOTED_TOKEN.fullmatch(previous.text)) or following.text.startswith("【"):
        return False  # a quoted word alone on a line (“2”) ends no sentence
    return not (_is_standalone(previous.text) or _is_standalone(following.text))


def glue(left: str, right: str) -> str:
    """Two pieces of one text joined: Chinese directly, with a space between Latin letters or digits."""
    if left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return left + " " + right
    return left + right


def repair(lines: list[Line], *, join_broken: bool = True) -> list[Line]:
    """Trim lines, drop page furniture, collapse spaces between Chinese characters and join broken lines.

    A blank line always ends a paragraph. With `join_broken`, a line that does not end a sentence is joined to the
    next one unless either is a heading, a document number or a date (titles split over two lines join too); a line
    its reader marked as `continues` is joined in any format.
    """
    paragraphs: list[Line] = []
    open_paragraph = False
    for line in _without_dashed_numbers(list(_split_signer(lines))):
        text = line.text.replace("\r", "").strip(" \t\u3000\u00a0\ufeff\x0c").translate(_RADICALS)
        if _is_row(text) and heading_level(text) is None:
            text = _COLUMN_GAP.sub(_GAP_MARK, text)
        text = _collapse_spaces(text).replace(_GAP_MARK, "\u3000\u3000")
        if not text:
            open_paragraph = False
            continue
        if _PAGE_FURNITURE.match(text):  # bare page numbers are the PDF reader's: only it knows a page's edges
            continue
        current = replace(line, text=text)
        if open_paragraph and paragraphs and (join_broken or paragraphs[-1].continues) and _joins(paragraphs[-1], current):
            paragraphs[-1] = replace(paragraphs[-1], text=glue(paragraphs[-1].text, text), continues=line.continues)
        else:
            paragraphs.append(current)
        open_paragraph = True
    return paragraphs


def _without_dashed_numbers(lines: list[Line]) -> Iterator[Line]:
    """Lines less a page number the export spread over three lines (— / 4 / —): it is never text."""
    index = 0
    while index < len(lines):
        three = [line.text.strip(" \t\u3000\u00a0") for line in lines[index : index + 3]]
        if len(three) == 3 and _DASH_ONLY.fullmatch(three[0]) and three[1].isdigit() and len(three[1]) <= 4 \
                and _DASH_ONLY.fullmatch(three[2]):
            index += 3
            continue
        yield lines[index]
        index += 1


def _split_signer(lines: list[Line]) -> Iterator[Line]:
    """Lines, a 文号 and the 签发人 beside it (合政〔2015〕88号　　签发人：张三) as two."""
    for line in lines:
        both = _NUMBER_AND_SIGNER.match(line.text.strip(" \t\u3000\u00a0"))
        if both:
            yield replace(line, text=both.group(1))
            yield replace(line, text=both.group(2))
        else:
            yield line


def split_lines(text: str, page: int | None = None) -> list[Line]:
    """Lines of a plain text, as `Line`s; markdown '#' headings keep their level."""
    return [Line(raw, None, page) for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
