"""Enumerations inside a document's text: the items a sentence ending in a colon introduces, 一是…二是… inside a
paragraph, ——lines, clauses split by ；, rosters of names. Pure functions over the cleaned text and offsets into it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from wenyuan.chunking import sentence_spans
from wenyuan.clean import DASHES, ENUM_MARKER, chinese_number, heading_level

ITEM_BODY = 90  # characters of an item's own words shown in a list

_LEAD_REACH = 200  # characters before a passage where the sentence that introduces its list may stand


# a lead-in: a colon; a paragraph that ——lines follow; a sentence that announces what follows (…抓好以下五项工作。)
_LEAD_END = re.compile(rf"[：:]|[。]\n(?=[{DASHES}]{{1,2}})|(?:以下|下列|如下)[^。：:\n]{{0,10}}(?P<period>。)(?=\s*\n)")


def lead_lists(text: str, start: int, end: int, asked: Callable[[str], bool] | None = None
               ) -> Iterator[tuple[int, int, list[tuple[int, int]]]]:
    """Lists that reach into text[start:end], introduced by a sentence ending in a colon ("必须把握好以下原则："): the
    items after the colon in the same paragraph (一是…, or clauses split by ；), then following paragraphs that open
    with an item marker (二是, ——, （一）, 1.), or that end in ；. The parts (一、…) a sentence announces are a list after
    a sentence that ends in 。 ("…现将有关情况函复如下。"), or when each part says what is `asked` (关于…问题);
    else ("…通知如下：") they are the sections of a notice, each holding its own lists."""
    # a colon, or the end of a paragraph that ——lines follow ("…努力实现新的要求。\n——经济持续健康发展。")
    for colon in _LEAD_END.finditer(text, max(0, start - _LEAD_REACH), min(len(text), end + 3)):
        colon_at = colon.start("period") if colon.group("period") else colon.start()
        paragraph_start = text.rfind("\n", 0, colon_at) + 1
        paragraph_end = text.find("\n", colon_at)
        paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
        lead_start = sentence_start(text, paragraph_start, colon_at, "。；！？")
        items = items_after(text, colon_at + 1, paragraph_end, parts=True)
        if items and not colon.group("period") and (marker(text[items[0][0] : items[0][1]]) or ("",))[0] == "top" \
                and not (asked is not None and all(asked(text[s:e]) for s, e in items)):
            items = items_after(text, colon_at + 1, paragraph_end)
        if len(items) >= 2 and items[-1][1] > start:  # a list that reaches into the passage
            yield lead_start, colon_at + 1, items
    # 一要…二要… inside a paragraph after a sentence that says what they are ("…两方面采取有力措施。一要大力发展生产…")
    for first in _FIRST_INLINE.finditer(text, max(0, start - _LEAD_REACH), min(len(text), end + 3)):
        at = first.start("marker")
        paragraph_start = text.rfind("\n", 0, at) + 1
        paragraph_end = text.find("\n", at)
        paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
        items = _in_order(text, items_after(text, at, paragraph_end))
        if len(items) >= 2 and items[-1][1] > start:
            lead_start = paragraph_start  # the paragraph's words before the items, or the last sentence of long ones
            if at - paragraph_start > _INLINE_LEAD:
                lead_start = sentence_start(text, paragraph_start, at - 1, "。；！？")
            yield lead_start, at, items


# the first item of an enumeration that begins inside a paragraph, after the sentences that lead it
_INLINE_LEAD = 150  # characters of a paragraph before its items that are all its lead
_FIRST_INLINE = re.compile(r"(?<=[。！？])[ \u3000]*(?P<marker>一[要是]|第一[，,、])")


def _in_order(text: str, items: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The items numbered one after another from 一 (一要, 二要, 三要; a second 一要 starts another list), each ended
    before a sentence that opens a heading (…见成效。三、紧密结合…: an outline run into one paragraph)."""
    kept: list[tuple[int, int]] = []
    for start, end in items:
        marked = marker(text[start:end])
        if marked is None or marked[1] != len(kept) + 1:
            break
        spans = sentence_spans(text, start, end)
        cut = next((s for s, _ in spans[1:] if heading_level(text[s:end]) is not None), end)
        kept.append((start, cut))
    return kept


def marker(line: str) -> tuple[str, int | None] | None:
    """The kind and ordinal of the item marker a line opens with (一是 -> ("是", 1), （二） -> ("paren", 2))."""
    enum = re.match(r"^(?:([一二三四五六七八九十]{1,2})([要是])|第([一二三四五六七八九十]{1,2})[，,、])", line)
    if enum:
        return (enum.group(2) or "第", chinese_number(enum.group(1) or enum.group(3)))
    if re.match(rf"^[{DASHES}]{{1,2}}", line):
        return ("dash", None)
    paren = re.match(r"^[（(]([一二三四五六七八九十]{1,3}|\d{1,2})[）)]", line)
    if paren:
        return ("paren", chinese_number(paren.group(1)))
    top = re.match(r"^([一二三四五六七八九十]{1,3})、", line)
    if top:  # 一、关于…问题: the parts a letter or notice announces (…现将有关情况函复如下。)
        return ("top", chinese_number(top.group(1)))
    arabic = re.match(r"^(\d{1,2})[.、．](?!\d)", line)
    if arabic:
        return ("arabic", int(arabic.group(1)))
    if line[:1] and "①" <= line[0] <= "⑳":
        return ("circled", ord(line[0]) - ord("①") + 1)
    return None


def item_span(text: str, start: int, stop: int) -> tuple[int, int] | None:
    """An item: its first sentence, and the sentences after it while the item stays short (None: no words)."""
    spans = sentence_spans(text, start, stop)
    if not spans:
        return None
    end = spans[0][1]
    for _, sentence_end in spans[1:]:
        if sentence_end - spans[0][0] > ITEM_BODY * 2:
            break
        end = sentence_end
    return spans[0][0], end


def items_after(text: str, begin: int, paragraph_end: int, parts: bool = False) -> list[tuple[int, int]]:
    """The items that follow a lead-in colon: inline (一是…, or ；-separated clauses), then in the next paragraphs,
    in order of their markers; body paragraphs between numbered items are passed over."""
    items: list[tuple[int, int]] = []
    kind: str | None = None
    expected: int | None = None
    rest = text[begin:paragraph_end].strip()
    if rest:
        offset = begin + text[begin:paragraph_end].index(rest[0])
        marked = marker(rest)
        if marked is None and short_line(rest):
            return roster(text, offset, paragraph_end)
        if marked is None:
            parts = clauses(text, offset, paragraph_end)
            return parts if len(parts) >= 2 else []
        kind, number = marked
        markers = [m.start("marker") for m in ENUM_MARKER.finditer(text, offset, paragraph_end)]
        inline = enumerated(text, markers, paragraph_end) if len(markers) >= 2 else []
        first = item_span(text, offset, paragraph_end)
        items = inline or ([first] if first else [])
        expected = (number or 1) + len(items) if number is not None else None
    cursor, passed = paragraph_end + 1, 0
    while cursor < len(text) and len(items) < 30:
        line_end = text.find("\n", cursor)
        line_end = len(text) if line_end < 0 else line_end
        line = text[cursor:line_end].strip()
        if not line:
            cursor = line_end + 1
            continue
        offset = cursor + text[cursor:line_end].index(line[0])
        marked = marker(line)
        if marked is not None and marked[0] == "top" and not parts:
            marked = None  # a part (一、…), where parts are not what is listed
        if kind is None and marked is None and line.endswith(("；", ";")):
            kind = "semicolon"
        elif kind is None and marked is not None:
            kind, expected = marked[0], marked[1]
        if kind == "semicolon":
            if marked is not None or not line.endswith(("；", ";", "。")):
                break
            items.append((offset, line_end))
            if line.endswith("。"):
                break
        elif marked is not None and marked[0] == kind:
            if expected is not None and marked[1] != expected:
                break
            span = item_span(text, offset, line_end)
            if span is None:
                break
            items.append(span)
            expected = expected + 1 if expected is not None else None
            passed = 0
        elif kind == "top" and (heading_level(line) or 99) > 1 and passed < _TOP_PASSED:
            passed += 1  # the body of a part: its paragraphs and its own （一） and 1. items
        elif kind in (None, "dash", "top") or (heading_level(line) or 99) < 8 or passed >= 6:
            break  # a contiguous list ended, a new section began, or the items stopped coming
        else:
            passed += 1
        cursor = line_end + 1
    return items


_ROSTER_LINE = 30
_TOP_PASSED = 40  # paragraphs of one part (一、…) passed over before the next part


def short_line(line: str) -> bool:
    return len(line) <= _ROSTER_LINE and not re.search(r"[。；;：:，,]", line)


def roster(text: str, start: int, paragraph_end: int) -> list[tuple[int, int]]:
    """"副组长：丁学东 国务院副秘书长" and the short lines under it, up to the next "成员：": a roster of names."""
    items = [(start, paragraph_end)]
    cursor = paragraph_end + 1
    while cursor < len(text):
        line_end = text.find("\n", cursor)
        line_end = len(text) if line_end < 0 else line_end
        line = text[cursor:line_end].strip()
        if not line or not short_line(line):
            break
        items.append((cursor + text[cursor:line_end].index(line[0]), line_end))
        cursor = line_end + 1
    return items if len(items) >= 2 else []


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clauses of text[start:end] split after ；."""
    spans, cursor = [], start
    for match in re.finditer(r"[；;]", text[start:end]):
        spans.append((cursor, start + match.end()))
        cursor = start + match.end()
    if text[cursor:end].strip():
        spans.append((cursor, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def enumerated(text: str, markers: list[int], stop: int) -> list[tuple[int, int]]:
    """一是…二是…: each item's whole clause, up to the next item (a long one cut at a sentence end)."""
    items = []
    for index, start in enumerate(markers):
        limit = markers[index + 1] if index + 1 < len(markers) else stop
        paragraph_end = text.find("\n", start, limit)
        span = item_span(text, start, paragraph_end if paragraph_end >= 0 else limit)
        if span is not None:
            items.append(span)
    return items if len(items) >= 2 else []


WITH_LEAD = 160  # a clause after a colon is quoted with its lead-in when both fit in this many characters


# a line ending in a colon that addresses people (主送: "…各直属机构：", "同志们：") leads into no list
_ADDRESS_LINE = re.compile(r"(?:机构|政府|部门|单位|部委|厅|局|委|办|处|室|同志们|代表|委员们?|朋友们|先生|女士)\s*[：:]$")


def lead_of(text: str, start: int) -> tuple[int, int] | None:
    """The lead-in a clause belongs to: the sentence ending in a colon earlier in its paragraph, when the clause
    is one of the ；-separated parts after it."""
    paragraph_start = text.rfind("\n", 0, start) + 1
    colon = max(text.rfind("：", paragraph_start, start), text.rfind(":", paragraph_start, start))
    if colon < 0 and paragraph_start >= 2:  # a lead-in line of its own ("…主要预期目标是：" above "国内生产总值增长7.5％；")
        previous = text[: paragraph_start - 1].rstrip()
        if previous.endswith(("：", ":")) and not _ADDRESS_LINE.search(previous[-12:]):  # not a 主送 line
            colon = len(previous) - 1
            paragraph_start = text.rfind("\n", 0, colon) + 1
            if "。" in text[colon:start]:
                return None
            return sentence_start(text, paragraph_start, colon), colon + 1
    if colon < 0 or "。" in text[colon:start]:
        return None
    return sentence_start(text, paragraph_start, colon), colon + 1


def sentence_start(text: str, paragraph_start: int, at: int, marks: str = "。！？") -> int:
    """Where the sentence (or, with ； among `marks`, the clause) that holds `at` starts within its paragraph."""
    return max(paragraph_start, max(text.rfind(mark, paragraph_start, at) for mark in marks) + 1)


def paragraphs_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, cursor = [], start
    while cursor < end:
        newline = text.find("\n", cursor, end)
        stop = end if newline < 0 else newline
        if text[cursor:stop].strip():
            spans.append((cursor, stop))
        cursor = stop + 1
    return spans


