"""From a cleaned document to its section tree and to chunks that know their offsets and heading path.

The official hierarchy (第X章, 一、, （一）, 1., （1）, 一要…) gives each position of the text a heading path. A leading
【提纲】 outline is parsed too: its chunks are marked as outline, and its items repair the body's headings where the
export lost them (the seed's section 二 heading exists only in its outline).
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass

from wenyuan.clean import (
    CELL, CN_NUM, ENUM_MARKER, IMPRINT_LINE, LEVEL_ARABIC, LEVEL_ARABIC_PAREN, LEVEL_ARTICLE, LEVEL_CN, LEVEL_CN_PAREN,
    LEVEL_ENUM, LEVEL_PART, fold, heading_level,
)
from wenyuan.types import Chunk, Document, Heading

# 15: a 。 alone on a line and a line of one quoted word (“2”) join their neighbours;
# 14: a dash alone on a line joins its neighbours, a page number spread over three lines (— / 4 / —) goes;
# 13: only a short line without punctuation is a row (a law's 第八条　　… line joins again);
# 12: a decree that opens with its number takes its title from 现公布《…》;
# 11: a short line in columns (a roster's 王晓晖　　中央宣传部副部长) stays a row;
# 10: a decree's number under its title (（…人民政府令第26号公布）, 河北省人民政府令 / 〔2010〕第14号) is its 文号;
# 9: numbering that starts again at 1 under a short 1. label nests inside it;
# 8: ruled PDF tables are read as rows, 签发人 is split from the 文号 (files are read again), the 版记 is a part;
# 7: a Word table heads its chunks with its own first row; 6: a run of heading lines is cut at the chunk size;
# 5: a chunk inside a table carries its header row, an article (第X条) is a unit; 4: 公文 anatomy (subtitle, salutation
# and dash lines stay lines), 一、2008年… is a heading
CHUNKER_VERSION = 16
OUTLINE_LABEL = "【提纲】"
IMPRINT_LABEL = "版记"

_SENTENCE_END = re.compile(r"(?:[。！？；!?;]|…+)[”’」』）)》]*|\n")
_CLAUSE_END = re.compile(r"[，,、：:]")
_OUTLINE_START = re.compile(r"^(?:【(?:提纲|目录)】|(?:提纲|目录|目\s*录)[:：]?$)")
_OUTLINE_ITEM = re.compile(
    r"(?:(?<=^)|(?<=[。；;】:：]))\s*(?=[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,2}[要是])"
)
_TITLE_ZONE = 300  # characters from the start where the title may stand again, styled as a heading
_ARTICLE_LABEL = re.compile(rf"第[{CN_NUM}\d]+[条條]")
_OUTLINE_LABEL = re.compile(r"【[^】\n]{1,6}】")
_TRAILING_PUNCT = "。；;：:，, "


@dataclass(frozen=True, slots=True)
class Structure:
    """The section tree of one document: its headings in order, and the outline's span if it has one."""

    title: str
    headings: tuple[Heading, ...]
    outline_span: tuple[int, int] | None = None
    starts: tuple[int, ...] = (0,)
    paths: tuple[tuple[str, ...], ...] = ((),)

    def path_at(self, offset: int) -> tuple[str, ...]:
        """The heading path (title first) in force at `offset`."""
        return self.paths[max(bisect_right(self.starts, offset) - 1, 0)]

    def in_outline(self, offset: int) -> bool:
        return self.outline_span is not None and self.outline_span[0] <= offset < self.outline_span[1]

    def section(self, offset: int, level: int) -> tuple[Heading | None, int]:
        """The heading of at most `level` that governs `offset`, and where its section ends."""
        owner_index = None
        for index, heading in enumerate(self.headings):
            if heading.start > offset:
                break
            if heading.level <= level and heading.outline == self.in_outline(offset):
                owner_index = index
        if owner_index is None:
            return None, -1
        owner = self.headings[owner_index]
        return owner, self.section_end(owner)

    def section_end(self, owner: Heading) -> int:
        """Where the section a heading opens ends (-1: the end of the document)."""
        index = self.headings.index(owner)
        for heading in self.headings[index + 1 :]:
            if heading.level <= owner.level or heading.outline != owner.outline:
                return heading.start
        return self.outline_span[1] if owner.outline and self.outline_span else -1

    def children(self, owner: Heading, end: int) -> tuple[Heading, ...]:
        """The headings directly below `owner`, up to `end` (-1: the end of the document)."""
        inside = [
            heading
            for heading in self.headings
            if heading.start > owner.start and (end < 0 or heading.start < end) and heading.outline == owner.outline
        ]
        if not inside:
            return ()
        top = min(heading.level for heading in inside)
        return tuple(heading for heading in inside if heading.level == top)

    @classmethod
    def of(cls, title: str, headings: tuple[Heading, ...], outline_span: tuple[int, int] | None) -> Structure:
        """A structure with its heading paths worked out once, so `path_at` is a binary search."""
        starts, paths = _path_table(title, headings, outline_span)
        return cls(title, headings, outline_span, tuple(starts), tuple(paths))


def _path_table(
    title: str, headings: tuple[Heading, ...], outline_span: tuple[int, int] | None
) -> tuple[list[int], list[tuple[str, ...]]]:
    starts, paths = [0], [(title,)]
    stack: list[Heading] = []
    for heading in headings:
        if outline_span and heading.start >= outline_span[1] and stack and stack[0].level == 0:
            stack = []
        if heading.level == 0:
            stack = [heading]
        else:
            while stack and stack[-1].level >= heading.level:
                stack.pop()
            stack.append(heading)
        starts.append(heading.start)
        paths.append((title, *(h.text for h in stack)))
    if outline_span:
        index = bisect_right(starts, outline_span[1])
        if not any(h.start == outline_span[1] for h in headings):
            starts.insert(index, outline_span[1])
            paths.insert(index, (title,))
    return starts, paths


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line of a cleaned text."""
    spans, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of text[start:end] split on 。！？；… with closing quotes kept, never inside a number like 6.4%."""
    end = len(text) if end is None else end
    spans, cursor = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((cursor, match.start() if match.group() == "\n" else match.end()))
        cursor = match.end()
    if cursor < end:
        spans.append((cursor, end))
    result = []
    for s, e in spans:
        while s < e and text[s] in " \n\u3000":
            s += 1
        while e > s and text[e - 1] in " \n\u3000":
            e -= 1
        if s < e:
            result.append((s, e))
    return result


def _heading_text(text: str, start: int, end: int) -> int:
    """Where the heading that opens text[start:end] ends: its first sentence, or the whole line."""
    for s, e in sentence_spans(text, start, end)[:1]:
        return e
    return end


def _clean_heading(words: str) -> str:
    return words.strip().rstrip(_TRAILING_PUNCT).strip()


def _outline_span(text: str, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    for index, (start, end) in enumerate(spans[:8]):
        line = text[start:end]
        if not _OUTLINE_START.match(line):
            continue
        if end - start > 12:  # the outline is inline: 【提纲】一、…。（一）…
            return start, end
        last = end
        for follow_start, follow_end in spans[index + 1 :]:
            entry = text[follow_start:follow_end]
            if len(entry) > 60 or (heading_level(entry) is None and not entry[-1:].isdigit()):
                break
            last = follow_end
        return (start, last) if last > end else None
    return None


def _outline_headings(text: str, span: tuple[int, int]) -> list[Heading]:
    headings = [Heading(span[0], span[0], 0, OUTLINE_LABEL, True)]
    for start, end in paragraphs(text[span[0] : span[1]]):
        start, end = start + span[0], end + span[0]
        line = text[start:end]
        if _OUTLINE_START.match(line) and end - start <= 12:
            continue
        positions = [m.end() + start for m in _OUTLINE_ITEM.finditer(line)]
        for index, item_start in enumerate(positions):
            item_end = positions[index + 1] if index + 1 < len(positions) else end
            level = heading_level(text[item_start:item_end])
            if level is None:
                continue
            head_end = _heading_text(text, item_start, item_end)
            headings.append(Heading(item_start, head_end, level, _clean_heading(text[item_start:head_end]), True))
    return headings


def build_structure(document: Document) -> Structure:
    """Find the outline and every heading of a document, repairing body headings the outline knows better."""
    text = document.text
    spans = paragraphs(text)
    outline = _outline_span(text, spans)
    headings = _outline_headings(text, outline) if outline else []
    outline_items = {fold(h.text): h for h in headings if h.level == LEVEL_ENUM}
    outline_parents = {}
    parent_stack: list[Heading] = []
    for heading in headings[1:]:
        while parent_stack and parent_stack[-1].level >= heading.level:
            parent_stack.pop()
        if heading.level == LEVEL_ENUM and parent_stack:
            outline_parents[fold(heading.text)] = parent_stack[-1]
        parent_stack.append(heading)

    styled = dict(document.styled_headings)
    title = _squeezed(document.title)
    body_stack: list[Heading] = []
    arabic_runs: list[tuple[float, int]] = []  # open runs of 1. 2. 3. headings, innermost last: (level, last number)
    imprint = False
    for start, end in spans:
        if outline and start < outline[1]:
            continue
        if not imprint and start > len(text) / 3 and IMPRINT_LINE.match(text[start:end]):
            imprint = True  # the 版记: a part of its own, so 抄送 and 印发 lines are in no section's sentences
            heading = Heading(start, start, LEVEL_PART, IMPRINT_LABEL)
            body_stack = [heading]
            headings.append(heading)
            continue
        level = styled.get(start) or heading_level(text[start:end])
        if level is None or (start < _TITLE_ZONE and _squeezed(text[start:end]) == title):
            continue  # the title styled as a heading: it heads every path already
        if imprint and body_stack and body_stack[0].text == IMPRINT_LABEL:
            body_stack, imprint = [], False  # a heading after the 版记: another document of a compilation
        if level == LEVEL_ENUM and sum(1 for _ in ENUM_MARKER.finditer(text, start, end)) > 1:
            continue  # 一是…；二是…；三是… in one paragraph is a list inside the text, not a heading
        if level == LEVEL_ARABIC and start not in styled:
            level = _arabic_level(arabic_runs, text[start:end], body_stack)
        elif level < LEVEL_ARABIC:
            arabic_runs.clear()
        article = _ARTICLE_LABEL.match(text, start, end) if level == LEVEL_ARTICLE else None
        # an article's heading is its label (第十一条): its text is the article's body, a unit of its own
        head_end = article.end() if article else _heading_text(text, start, end)
        heading = Heading(start, head_end, level, _clean_heading(text[start:head_end]))
        parent = outline_parents.get(fold(heading.text)) if fold(heading.text) in outline_items else None
        if parent is not None and not any(h.level <= parent.level for h in body_stack if fold(h.text) == fold(parent.text)):
            repaired = Heading(start, start, parent.level, parent.text)
            while body_stack and body_stack[-1].level >= repaired.level:
                body_stack.pop()
            body_stack.append(repaired)
            headings.append(repaired)
        while body_stack and body_stack[-1].level >= heading.level:
            body_stack.pop()
        body_stack.append(heading)
        headings.append(heading)
    return Structure.of(document.title, tuple(headings), outline)


_ARABIC_NUMBER = re.compile(r"\d{1,2}")
_LABEL_MOST = 15  # a heading this short without a sentence's end is a label that can head a list of its own


def _arabic_level(runs: list[tuple[float, int]], line: str, stack: list[Heading]) -> float:
    """The depth of a 1. heading. Numbering that starts again at 1 right under a short label of the same style
    ("2. 环保要求" then "1.所有垃圾…" "2.不随意采摘…") is a list inside that label, one step deeper; a number that
    continues an outer run returns to it."""
    number = int(_ARABIC_NUMBER.match(line).group())
    while runs and number != runs[-1][1] + 1 and not (number == 1 and _is_label(stack, runs[-1][0])):
        runs.pop()
    if not runs:
        runs.append((LEVEL_ARABIC, number))
    elif number == runs[-1][1] + 1:
        runs[-1] = (runs[-1][0], number)
    else:  # 1 under a label of the innermost run
        deeper = runs[-1][0] + (LEVEL_ARABIC_PAREN - runs[-1][0]) / 2
        runs.append((deeper, number))
    return runs[-1][0]


def _is_label(stack: list[Heading], level: float) -> bool:
    """Whether the last heading is a short label at this level (食材准备计划), not an item with its sentence."""
    last = stack[-1] if stack else None
    return (last is not None and last.level == level and len(last.text) <= _LABEL_MOST
            and not re.search(r"[。；;！？]", last.text))


def _squeezed(words: str) -> str:
    return "".join(fold(words).split())


def _units(text: str, structure: Structure) -> list[tuple[int, int]]:
    """Paragraphs, with an inline outline cut at its items so each item can be cited on its own."""
    units = []
    outline_starts = sorted(h.start for h in structure.headings if h.outline and h.level > 0)
    for start, end in paragraphs(text):
        cuts = [
            p
            for p in outline_starts
            if start < p < end and structure.in_outline(start) and not _OUTLINE_START.fullmatch(text[start:p].strip())
        ]
        edges = [start, *cuts, end]
        units.extend((a, b) for a, b in zip(edges, edges[1:]) if text[a:b].strip())
    return units


def _split_long(text: str, start: int, end: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """Windows of whole sentences, about `size` characters, repeating up to `overlap` characters of sentences."""
    pieces: list[tuple[int, int]] = []
    for s, e in sentence_spans(text, start, end):
        if e - s <= 2 * size:
            pieces.append((s, e))
            continue
        cursor = s
        for match in _CLAUSE_END.finditer(text, s, e):
            if match.end() - cursor >= size:
                pieces.append((cursor, match.end()))
                cursor = match.end()
        if cursor < e:
            pieces.append((cursor, e))
    windows, index = [], 0
    while index < len(pieces):
        first = index
        while index + 1 < len(pieces) and pieces[index + 1][1] - pieces[first][0] <= size:
            index += 1
        windows.append((pieces[first][0], pieces[index][1]))
        index += 1
        if index >= len(pieces):
            break
        back = index
        while back - 1 > first and pieces[index - 1][1] - pieces[back - 1][0] <= overlap:
            back -= 1
        index = back if back < index else index
    return windows


def chunk_document(document: Document, structure: Structure, size: int = 300, overlap: int = 50) -> list[Chunk]:
    """Sentence-aware chunks of about `size` characters that never cross a （一）-level section or the outline."""
    text = document.text
    in_articles = _inside_articles(structure.headings)
    boundaries = {
        h.start
        for h in structure.headings
        if (h.start != h.end or h.text == IMPRINT_LABEL) and h.level <= (LEVEL_CN if h.outline else LEVEL_CN_PAREN)
        and h.start not in in_articles
    }
    heading_lines = {h.start for h in structure.headings if h.end >= _line_end(text, h.start)}
    imprint = {h.start for h in structure.headings if h.text == IMPRINT_LABEL}  # never joins the lines above
    groups: list[list[tuple[int, int]]] = []
    has_body = False  # the current group holds more than heading lines (kept as we go: a scan per unit is quadratic)
    for unit in _units(text, structure):
        current = groups[-1] if groups else None
        starts_new = current is None or unit[0] in boundaries
        starts_new = starts_new or structure.in_outline(unit[0]) != structure.in_outline(current[0][0])
        if starts_new and (current is None or has_body or unit[0] in imprint):
            groups.append([unit])
            has_body = False
        else:
            current.append(unit)
        has_body = has_body or unit[0] not in heading_lines

    tables = _tables(document)
    chunks: list[Chunk] = []
    for group in groups:
        for w_start, w_end in _windows(text, group, heading_lines, size, overlap):
            body = [u for u in group if u[0] < w_end and u[1] > w_start and u[0] not in heading_lines]
            first = max(body[0][0], w_start) if body else w_start
            label = _OUTLINE_LABEL.match(text, first)
            first = label.end() if label else first  # an outline's label is not what its first chunk is about
            last = max(body[-1][0], w_start) if body else w_start
            chunks.append(
                Chunk(
                    id=_chunk_id(document.id, w_start, w_end),
                    doc_id=document.id,
                    doc_path=document.path,
                    title=document.title,
                    ordinal=len(chunks),
                    start=w_start,
                    end=w_end,
                    text=text[w_start:w_end],
                    heading_path=_common_prefix(structure.path_at(first), structure.path_at(last)),
                    page=document.page_at(w_start),
                    outline=structure.in_outline(w_start),
                    table_header=next((header for start, end, header in tables if start < w_start < end), ""),
                )
            )
    return chunks


def _inside_articles(headings: tuple[Heading, ...]) -> set[int]:
    """Starts of the items inside an article (第八条 …下列事项：（一）…（二）…): they stay in the article's unit.
    A 一、 closes the article (an attachment's own sections after the last 第X条 are sections again)."""
    inside: set[int] = set()
    in_article = False
    for heading in headings:
        if heading.level <= LEVEL_CN:
            in_article = heading.level == LEVEL_ARTICLE and bool(_ARTICLE_LABEL.fullmatch(heading.text))
        elif in_article:
            inside.add(heading.start)
    return inside


def _tables(document: Document) -> list[tuple[int, int, str]]:
    """(start, end, header row) of each table: those its reader declared (a Word table: first row, whatever follows
    it), else each run of two or more lines with cells joined by " | " (a web page's or an OFD invoice's rows)."""
    text = document.text
    if document.tables:
        return [(start, end, text[start:_line_end(text, start)]) for start, end in document.tables]
    tables: list[tuple[int, int, str]] = []
    run: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n") + [""]:
        if CELL in line:
            run.append((offset, line))
        else:
            if len(run) >= 2:
                tables.append((run[0][0], run[-1][0] + len(run[-1][1]), run[0][1]))
            run = []
        offset += len(line) + 1
    return tables


def _windows(
    text: str, group: list[tuple[int, int]], heading_lines: set[int], size: int, overlap: int
) -> list[tuple[int, int]]:
    """Windows over one section: whole if it is short, else paragraphs packed to `size`, long ones cut by sentence."""
    longest = size + size // 2
    if group[-1][1] - group[0][0] <= longest:
        return [(group[0][0], group[-1][1])]
    windows: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    pending_is_heading = False
    for start, end in group:
        if end - start > longest:
            parts = _split_long(text, start, end, size, overlap)
            if pending and pending_is_heading:
                parts[0] = (pending[0], parts[0][1])  # a heading line stays with the text it introduces
            elif pending:
                windows.append(pending)
            windows.extend(parts)
            pending = None
        elif pending and (end - pending[0] <= size or (pending_is_heading and end - pending[0] <= longest)):
            pending = (pending[0], end)
            pending_is_heading = pending_is_heading and start in heading_lines
        else:
            if pending:
                windows.append(pending)
            pending, pending_is_heading = (start, end), start in heading_lines
    if pending:
        windows.append(pending)
    return windows


def _line_end(text: str, start: int) -> int:
    newline = text.find("\n", start)
    return len(text) if newline < 0 else newline


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    prefix = []
    for x, y in zip(a, b):
        if x != y:
            break
        prefix.append(x)
    return tuple(prefix)


def _chunk_id(doc_id: str, start: int, end: int) -> str:
    return hashlib.sha1(f"{doc_id}:{start}:{end}".encode()).hexdigest()[:16]
