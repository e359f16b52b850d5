"""Reading order from positioned characters: characters to lines, lines to columns, columns to paragraphs.

A fixed-layout page (OFD; the same would serve a PDF read character by character) says where each character stands,
not which characters form a line or a paragraph; both are rebuilt here from positions alone (see `wenyuan.readers.ofd`
for the rules in words). Pure functions over `Glyph`s.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from wenyuan.clean import CELL, glue

LINE_TOLERANCE = 0.6  # baselines this close (in the smaller font) are one line
WORD_GAP = 0.3  # a gap between two runs (in the smaller font) that reads as a space
CELL_GAP = 1.0  # a gap between two runs that separates table cells (an invoice's quantity and unit price)
INDENT = 1.0  # a line starting this much further right than the line before opens a paragraph
SHORT_LINE = 2.0  # a line ending this much before its block's right edge closes its paragraph
MAX_LEADING = 2.5  # no paragraph sets its lines further apart, so two lines on a page need not be one paragraph
COLUMN_WIDTH = 8.0  # a cell this wide may be a line of a column of prose; narrower ones are table cells

PARAGRAPH_GAP = 1.6  # in typical line spacings: a wider vertical gap separates paragraphs
SIZE_CHANGE = 1.2  # neighbouring lines whose font sizes differ by this factor belong to different paragraphs
FORM_ROWS = 3  # a block with this many table rows is a form: its rows mark how far its lines reach
MIN_COLUMN_LINES = 3  # full prose lines needed on both sides of a gutter before the text is read as columns
LEADER_DOTS = frozenset(".．…·")
MIN_LEADER = 4  # this many dots in a row lead to a page number; two are an ellipsis ("……")

_WHITE_SPACE = re.compile(r"\s+")


def advance(char: str, size: float) -> float:
    """A character's width when the file does not say: a Chinese character is square, a Latin one half as wide."""
    return size if unicodedata.east_asian_width(char) in "WFA" else size / 2


@dataclass(slots=True)
class Glyph:
    """A character (or a whole vertical or rotated run) at its baseline origin on the page, in millimetres."""

    x: float
    y: float
    size: float
    text: str
    run: int  # which TextCode it came from
    index: int  # its place in that run


@dataclass(frozen=True, slots=True)
class _Cell:
    """A stretch of a line without a wide gap: a table cell, one column's share of a line, or the whole line."""

    left: float
    right: float
    text: str


@dataclass(frozen=True, slots=True)
class _Line:
    """A line of text: its baseline, its font size and its cells, left to right."""

    y: float
    size: float
    cells: tuple[_Cell, ...]

    @property
    def text(self) -> str:
        return CELL.join(cell.text for cell in self.cells)

    @property
    def left(self) -> float:
        return self.cells[0].left

    @property
    def right(self) -> float:
        return self.cells[-1].right

    @property
    def is_row(self) -> bool:
        return len(self.cells) > 1


def page_paragraphs(glyphs: list[Glyph]) -> tuple[str, ...]:
    """A page's paragraphs in reading order, block after block."""
    paragraphs: list[str] = []
    previous: list[_Line] = []
    for block in _blocks(_lines(glyphs)):
        texts = _paragraphs(block)
        if previous and _runs_on(previous, block):
            paragraphs[-1] = glue(paragraphs[-1], texts.pop(0))
        paragraphs.extend(texts)
        previous = block
    return tuple(paragraphs)


def _lines(glyphs: list[Glyph]) -> list[_Line]:
    """Characters grouped by baseline into lines, top to bottom, each read left to right; blank lines dropped."""
    groups: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda glyph: (glyph.y, glyph.x)):
        if groups:
            first = groups[-1][0]
            if glyph.y - first.y <= LINE_TOLERANCE * min(first.size, glyph.size):
                groups[-1].append(glyph)
                continue
        groups.append([glyph])
    lines = [_line(sorted(group, key=lambda glyph: glyph.x)) for group in groups]
    # in the order of their tops: a large title comes before the small print beside it whose baseline is higher
    return sorted((line for line in lines if line is not None), key=lambda line: line.y - line.size)


def _line(glyphs: list[Glyph]) -> _Line | None:
    """One line cut into cells at wide gaps; None when it holds only white space."""
    glyphs = _without_leaders(glyphs)
    cells: list[_Cell] = []
    start = 0
    for index in range(1, len(glyphs) + 1):
        if index == len(glyphs) or _separator(glyphs[index - 1], glyphs[index]) == CELL:
            cells.append(_cell(glyphs[start:index]))
            start = index
    cells = [cell for cell in cells if cell.text]
    if not cells:
        return None
    return _Line(
        y=statistics.median(glyph.y for glyph in glyphs),
        size=statistics.median(glyph.size for glyph in glyphs),
        cells=tuple(cells),
    )


def _without_leaders(glyphs: list[Glyph]) -> list[Glyph]:
    """The glyphs without dot leaders (a table of contents' "……"): the gap they leave then parts the cells."""
    kept: list[Glyph] = []
    dots: list[Glyph] = []
    for glyph in [*glyphs, None]:
        if glyph is not None and glyph.text in LEADER_DOTS:
            dots.append(glyph)
            continue
        if len(dots) < MIN_LEADER:
            kept.extend(dots)
        dots = []
        if glyph is not None:
            kept.append(glyph)
    return kept


def _cell(glyphs: list[Glyph]) -> _Cell:
    """A cell's text, runs joined by spaces where their gap is wide, and its extent."""
    parts = [glyphs[0].text]
    for previous, glyph in pairwise(glyphs):
        parts.append(_separator(previous, glyph) + glyph.text)
    last = glyphs[-1]
    text = _WHITE_SPACE.sub(" ", "".join(parts)).strip()
    return _Cell(glyphs[0].x, last.x + advance(last.text[-1], last.size), text)


def _separator(previous: Glyph, glyph: Glyph) -> str:
    """Nothing inside a run; between runs, a space or a cell mark depending on the gap (in the smaller font)."""
    if glyph.run == previous.run and glyph.index == previous.index + 1:
        return ""
    gap = glyph.x - (previous.x + advance(previous.text[-1], previous.size))
    size = min(previous.size, glyph.size)
    if gap >= CELL_GAP * size:
        return CELL
    return " " if gap >= WORD_GAP * size else ""


def _blocks(lines: list[_Line]) -> list[list[_Line]]:
    """Lines in blocks read one after another: where a gutter splits a run of lines into prose columns (a
    magazine's two or three columns), each column is a block read top to bottom before the next."""
    found = _gutter(lines)
    if found is None:
        return [lines] if lines else []
    x, start, end = found
    zone = lines[start:end]
    left = [part for line in zone if (part := _side(line, x, right=False)) is not None]
    right = [part for line in zone if (part := _side(line, x, right=True)) is not None]
    return _blocks(lines[:start]) + _blocks(left) + _blocks(right) + _blocks(lines[end:])


def _gutter(lines: list[_Line]) -> tuple[float, int, int] | None:
    """The column gutter with the longest run of lines beside it, and that run's bounds; None on a page without.

    Candidates are the gaps between cells. A run ends at a line with a cell across the gutter (a title spanning
    the columns). Text on both sides must read as prose (see `_prose_lines`), so a table's rows stay rows.
    """
    # a table's rows offer the same gaps again and again: each is tried once
    candidates = sorted({round((left.right + right.left) / 2, 1)
                         for line in lines for left, right in pairwise(line.cells)})
    best: tuple[int, int, float, int, int] | None = None
    for x in candidates:
        for start, end in _runs(lines, x):
            prose = _prose_lines(lines[start:end], x)
            if prose >= MIN_COLUMN_LINES and (best is None or (end - start, prose) > best[:2]):
                best = (end - start, prose, x, start, end)
    return best[2:] if best is not None else None


def _runs(lines: list[_Line], x: float) -> Iterator[tuple[int, int]]:
    """Where each run of lines that no cell crosses at x starts and ends."""
    start = 0
    for index, line in enumerate([*lines, None]):
        if line is None or any(cell.left < x < cell.right for cell in line.cells):
            if index > start:
                yield start, index
            start = index + 1


def _prose_lines(lines: list[_Line], x: float) -> int:
    """How many lines read as prose on both sides of x: the fewer of the full cells next to x on either side."""
    left = [(cells[-1], line.size) for line in lines if (cells := [c for c in line.cells if c.right <= x])]
    right = [(cells[0], line.size) for line in lines if (cells := [c for c in line.cells if c.left >= x])]
    return min(_full_cells(left), _full_cells(right))


def _full_cells(cells: list[tuple[_Cell, float]]) -> int:
    """How many cells are as wide as a column of prose and reach the column's right edge, as justified text does
    (a table's cells are narrow or ragged)."""
    if not cells:
        return 0
    edge = max(cell.right for cell, _ in cells)
    return sum(cell.right >= edge - size and cell.right - cell.left >= COLUMN_WIDTH * size for cell, size in cells)


def _side(line: _Line, x: float, *, right: bool) -> _Line | None:
    """The part of a line on one side of a gutter, if any."""
    cells = tuple(cell for cell in line.cells if (cell.left >= x) == right)
    return _Line(line.y, line.size, cells) if cells else None


def _paragraphs(lines: list[_Line]) -> list[str]:
    """A block's lines joined into paragraphs at gaps, indents, short lines, size changes and table rows."""
    spacing = _line_spacing(lines)
    right_edge = _right_edge(lines)
    paragraphs = [lines[0].text]
    for previous, line in pairwise(lines):
        if _starts_paragraph(previous, line, spacing, right_edge):
            paragraphs.append(line.text)
        else:
            paragraphs[-1] = glue(paragraphs[-1], line.text)
    return paragraphs


def _line_spacing(lines: list[_Line]) -> float:
    """The block's typical distance between baselines, measured between neighbouring lines of one font size (a
    heading's or a table's distances would inflate it on a short page)."""
    every = list(pairwise(lines))
    body = [(previous, line) for previous, line in every
            if not (previous.is_row or line.is_row) and abs(line.size - previous.size) <= 0.1 * line.size]
    return statistics.median([line.y - previous.y for previous, line in body or every] or [0.0])


def _right_edge(lines: list[_Line]) -> float:
    """Where the block's lines end: the right end of its widest line in the body font.

    Table rows count only in a form (a block of `FORM_ROWS` rows or more), whose one-field lines ("发票代码：…")
    then end short and stay apart; a lone row, such as a photo caption beside a column's line, would make the
    whole column look short.
    """
    body_size = statistics.median(line.size for line in lines)
    form = sum(line.is_row for line in lines) >= FORM_ROWS
    counted = [line for line in lines if abs(line.size - body_size) <= 0.1 * body_size and (form or not line.is_row)]
    return max(line.right for line in counted or lines)


def _runs_on(previous: list[_Line], block: list[_Line]) -> bool:
    """Whether a block's first line continues the paragraph that ends the block before it: text running on from
    the foot of one column to the head of the next, or a paragraph's last line caught beside a column gutter.
    A block of one line (a title) has no right edge of its own to judge by, so nothing runs on from it."""
    last, first = previous[-1], block[0]
    size = max(last.size, first.size)
    margin = min(line.left for line in block)
    return (
        len(previous) > 1
        and not (last.is_row or first.is_row)
        and size <= SIZE_CHANGE * min(last.size, first.size)
        and last.right >= _right_edge(previous) - SHORT_LINE * size
        and min(first.left - last.left, first.left - margin) <= INDENT * size
    )


def _starts_paragraph(previous: _Line, line: _Line, spacing: float, right_edge: float) -> bool:
    """Whether `line` opens a new paragraph rather than continuing the one `previous` belongs to."""
    size = max(previous.size, line.size)
    return (
        previous.is_row
        or line.is_row
        or line.y - previous.y > PARAGRAPH_GAP * min(spacing, MAX_LEADING * size)
        or line.left - previous.left > INDENT * size
        or previous.right < right_edge - SHORT_LINE * size
        or size > SIZE_CHANGE * min(previous.size, line.size)
    )


