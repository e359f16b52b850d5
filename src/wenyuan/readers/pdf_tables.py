"""Ruled tables in a PDF page, read as rows: the drawn cell borders give the grid, the text inside each cell is
joined, and the page's text gets `a | b | c` lines where the table was, one row per line.

Text extraction alone reads a table line by line across the page, so a cell wrapped over three lines is cut into
pieces interleaved with its neighbours (`国家重点建设水电站项目` `和国家核准（审批）水电` …) and the row a question asks
about cannot be found. A cell merged over several rows (one 办理部门 for three items) is repeated in each of them,
so every row carries all its fields. Tables drawn without borders stay as the text layer has them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from wenyuan.clean import CELL, glue

_TOLERANCE = 2.0  # points: borders this close are one border, a line ends this close to another it touches
_MIN_SEGMENT = 4.0  # points: shorter strokes are glyph parts or dots, not borders
_THIN = 2.0  # a filled rectangle this thin is a border (Word and WPS draw borders so)
_REPEATED_CHARS = 60  # a merged cell up to this long is repeated in each of its rows
_FILLED_ROWS = 0.6  # share of a data table's rows that have two cells or more filled
_LAYOUT_CELL_CHARS = 400  # a cell holding more is page layout, not a table of data
_TURNED = 0.01  # radians: a character turned more than this is not upright
_PAINT = {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}


@dataclass(slots=True)
class _Grid:
    """One table: its borders, in page coordinates (y grows upwards)."""

    horizontal: list[tuple[float, float, float]]  # (y, x0, x1)
    vertical: list[tuple[float, float, float]]  # (x, y0, y1)
    left: float = 0.0
    right: float = 0.0
    bottom: float = 0.0
    top: float = 0.0
    rows: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.left = min(x for x, _, _ in self.vertical)
        self.right = max(x for x, _, _ in self.vertical)
        self.bottom = min(y for y, _, _ in self.horizontal)
        self.top = max(y for y, _, _ in self.horizontal)

    def holds(self, x: float, y: float) -> bool:
        return self.left - _TOLERANCE <= x <= self.right and self.bottom <= y <= self.top + _TOLERANCE


class _Recorder:
    """Collects what pypdf's text extraction visits: stroked and filled path segments, and text runs in order."""

    def __init__(self) -> None:
        self.segments: list[tuple[float, float, float, float]] = []
        self.pending: list[tuple[float, float, float, float]] = []
        self.point: tuple[float, float] | None = None
        self.start: tuple[float, float] | None = None
        self.pieces: list[tuple[str, float, float, bool, bool]] = []  # text, x, y, upright, in a form
        self.forms = 0  # how deep inside form XObjects the visit is: pypdf gives their own coordinates there
        self.form_names: set[str] = set()  # names of the page's form XObjects (images are drawn by Do too)

    def after(self, operator: bytes, operands: list, cm: list, tm: list) -> None:
        if operator == b"Do" and operands and str(operands[0]) in self.form_names and self.forms:
            self.forms -= 1

    def operator(self, operator: bytes, operands: list, cm: list, tm: list) -> None:
        try:
            if operator == b"Do":
                self.forms += str(operands[0]) in self.form_names
            elif self.forms:
                return  # a form's paths are in the form's own coordinates, not the page's
            elif operator == b"m":
                self.point = self.start = _apply(cm, float(operands[0]), float(operands[1]))
            elif operator == b"l" and self.point is not None:
                end = _apply(cm, float(operands[0]), float(operands[1]))
                self.pending.append((*self.point, *end))
                self.point = end
            elif operator == b"h" and self.point is not None and self.start is not None:
                self.pending.append((*self.point, *self.start))
            elif operator == b"re":
                x, y, w, h = (float(value) for value in operands[:4])
                corners = [_apply(cm, x, y), _apply(cm, x + w, y), _apply(cm, x + w, y + h), _apply(cm, x, y + h)]
                if abs(w) <= _THIN or abs(h) <= _THIN:  # a border drawn as a thin filled bar: its middle line
                    (x0, y0), (x1, y1) = corners[0], corners[2]
                    if abs(x1 - x0) <= _THIN:
                        self.pending.append(((x0 + x1) / 2, y0, (x0 + x1) / 2, y1))
                    else:
                        self.pending.append((x0, (y0 + y1) / 2, x1, (y0 + y1) / 2))
                else:
                    self.pending.extend((*corners[k], *corners[(k + 1) % 4]) for k in range(4))
            elif operator in _PAINT:
                self.segments.extend(self.pending)
                self.pending = []
            elif operator == b"n":  # a clipping path, not drawn
                self.pending = []
        except (TypeError, ValueError, IndexError):  # malformed operands: the path is not a border
            self.pending = []

    def text(self, text: str, cm: list, tm: list, font: object, size: float) -> None:
        if not text:
            return
        x, y = _apply(cm, float(tm[4]), float(tm[5]))
        upright = abs(tm[1]) < 1e-6 and abs(tm[2]) < 1e-6 and abs(cm[1]) < 1e-6 and abs(cm[2]) < 1e-6
        self.pieces.append((text, x, y, upright, self.forms > 0))


def _form_names(page) -> set[str]:
    """The names under which the page's resources hold form XObjects."""
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else {}
        return {str(name) for name, value in xobjects.items() if value.get_object().get("/Subtype") == "/Form"}
    except (AttributeError, KeyError, TypeError, ValueError):
        return set()


def _apply(matrix: list, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = (float(value) for value in matrix)
    return a * x + c * y + e, b * x + d * y + f


@dataclass(frozen=True, slots=True)
class Glyph:
    """One character the page shows upright, by the centre of its box (PDF points, y grows upwards)."""

    char: str
    x: float
    y: float
    height: float
    order: int  # place in the page's text: a line's characters are read in this order (boxes of glyphs a
    # substituted font draws can overlap their neighbours')


def page_text(page, glyphs: Callable[[], list[Glyph]] | None) -> str:
    """The page's text as pypdf extracts it, with each ruled table replaced by its rows (`glyphs` gives the page's
    characters with their places, called only when the page has a grid; without it the page is returned as
    extracted)."""
    recorder = _Recorder()
    recorder.form_names = _form_names(page)
    plain = page.extract_text(visitor_operand_before=recorder.operator, visitor_operand_after=recorder.after,
                              visitor_text=recorder.text) or ""
    grids = _grids(recorder.segments) if glyphs is not None else []
    placed: dict[int, _Grid] = {}
    shown = glyphs() if grids else []
    for grid in grids:
        inside = [index for index, (text, x, y, _, in_form) in enumerate(recorder.pieces)
                  if text.strip() and not in_form and grid.holds(x, y)]  # a form's text is placed by no grid
        upright = sum(len(recorder.pieces[index][0]) for index in inside if recorder.pieces[index][3])
        if upright * 2 <= sum(len(recorder.pieces[index][0]) for index in inside):
            continue  # empty, or turned text (a landscape table on a portrait page) that the grid cannot order
        grid.rows = _rows(grid, [glyph for glyph in shown if grid.holds(glyph.x, glyph.y)])
        if _is_data_table(grid.rows):
            placed.update((index, grid) for index in inside)
    if not placed:
        return plain
    out: list[str] = []
    written: set[int] = set()
    for index, (text, *_) in enumerate(recorder.pieces):
        grid = placed.get(index)
        if grid is None:
            out.append(text)
        elif id(grid) not in written and recorder.pieces[index][3]:  # where its first upright text was
            written.add(id(grid))
            out.append("\n" + "\n".join(grid.rows) + "\n")
    return "".join(out)


def _grids(segments: list[tuple[float, float, float, float]]) -> list[_Grid]:
    """Groups of crossing horizontal and vertical borders with at least two rows and two columns."""
    horizontal = [(round((y0 + y1) / 2, 1), min(x0, x1), max(x0, x1)) for x0, y0, x1, y1 in segments
                  if abs(y1 - y0) <= 1 and abs(x1 - x0) >= _MIN_SEGMENT]
    vertical = [(round((x0 + x1) / 2, 1), min(y0, y1), max(y0, y1)) for x0, y0, x1, y1 in segments
                if abs(x1 - x0) <= 1 and abs(y1 - y0) >= _MIN_SEGMENT]
    if len(horizontal) < 3 or len(vertical) < 3 or len(horizontal) * len(vertical) > 250_000:
        return []
    parent = list(range(len(horizontal) + len(vertical)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for h, (y, x0, x1) in enumerate(horizontal):
        for v, (x, y0, y1) in enumerate(vertical):
            if x0 - _TOLERANCE <= x <= x1 + _TOLERANCE and y0 - _TOLERANCE <= y <= y1 + _TOLERANCE:
                parent[root(h)] = root(len(horizontal) + v)
    groups: dict[int, tuple[list, list]] = {}
    for h, segment in enumerate(horizontal):
        groups.setdefault(root(h), ([], []))[0].append(segment)
    for v, segment in enumerate(vertical):
        groups.setdefault(root(len(horizontal) + v), ([], []))[1].append(segment)
    grids = []
    for hs, vs in groups.values():
        if len(_levels([y for y, _, _ in hs])) >= 3 and len(_levels([x for x, _, _ in vs])) >= 3:
            grids.append(_Grid(hs, vs))
    return grids


def _levels(values: list[float]) -> list[float]:
    """The distinct positions among `values`, those within the tolerance of each other counted once."""
    levels: list[float] = []
    for value in sorted(values):
        if not levels or value - levels[-1] > _TOLERANCE:
            levels.append(value)
    return levels


def _covers(segments: list[tuple[float, float, float]], at: float, low: float, high: float) -> bool:
    """Whether a border at position `at` (within tolerance) spans the stretch low..high."""
    return any(abs(position - at) <= _TOLERANCE and start - _TOLERANCE <= low and high <= end + _TOLERANCE
               for position, start, end in segments)


def _rows(grid: _Grid, glyphs: list[Glyph]) -> list[str]:
    """The table's rows as `a | b | c` lines, top row first. A row's cells are bounded by the vertical borders that
    cross it; a cell with no border below it continues into the next band (merged rows) and is repeated there."""
    ys = sorted(_levels([y for y, _, _ in grid.horizontal]), reverse=True)
    xs = _levels([x for x, _, _ in grid.vertical])
    bands = list(zip(ys, ys[1:]))  # (top, bottom)
    read: dict[tuple[float, float, float, float], str] = {}
    rows: list[str] = []
    for band, (top, bottom) in enumerate(bands):
        middle = (top + bottom) / 2
        borders = [x for x in xs if x in (xs[0], xs[-1]) or _covers(grid.vertical, x, middle - 0.5, middle + 0.5)
                   or _bridged(grid, bands, band, x)]
        cells = []
        for left, right in zip(borders, borders[1:]):
            centre = (left + right) / 2
            first = last = band
            while first > 0 and not _covers(grid.horizontal, bands[first][0], centre - 0.5, centre + 0.5):
                first -= 1
            while last + 1 < len(bands) and not _covers(grid.horizontal, bands[last][1], centre - 0.5, centre + 0.5):
                last += 1
            box = (left, bands[last][1], right, bands[first][0])
            if box not in read:
                read[box] = _cell_text([glyph for glyph in glyphs
                                        if box[0] <= glyph.x < box[2] and box[1] < glyph.y <= box[3]])
                cells.append(read[box])
            else:  # a cell merged over rows: repeated when it is a value (办理部门), not a paragraph
                cells.append(read[box] if len(read[box]) <= _REPEATED_CHARS else "")
        if any(cells):
            rows.append(CELL.join(cells))
    return rows


def _bridged(grid: _Grid, bands: list[tuple[float, float]], band: int, x: float) -> bool:
    """Whether a border missing from a band is a gap in the drawing: some writers leave out the side borders of
    cells merged over rows in the rows' middle. The border goes on in a band above and in one below, and no
    horizontal border meets it on the way (a row merged across columns, such as a category row, has one there)."""

    def meets(y: float) -> bool:
        return any(abs(level - y) <= _TOLERANCE and x0 - _TOLERANCE <= x <= x1 + _TOLERANCE
                   for level, x0, x1 in grid.horizontal)

    def ruled(k: int) -> bool:
        middle = (bands[k][0] + bands[k][1]) / 2
        return _covers(grid.vertical, x, middle - 0.5, middle + 0.5)

    up = band
    while up > 0 and not meets(bands[up][0]):
        up -= 1
        if ruled(up):
            break
    else:
        return False
    down = band
    while down + 1 < len(bands) and not meets(bands[down][1]):
        down += 1
        if ruled(down):
            return True
    return False


def _is_data_table(rows: list[str]) -> bool:
    """Rows of data, not a page laid out in a grid (a web page printed to PDF: menus, a whole article in one
    cell): most rows hold two values or more, and no cell holds a page of text."""
    filled = [sum(1 for cell in row.split(CELL) if cell.strip()) for row in rows]
    if sum(count >= 2 for count in filled) < max(2, _FILLED_ROWS * len(rows)):
        return False
    return all(len(cell) <= _LAYOUT_CELL_CHARS for row in rows for cell in row.split(CELL))


def _cell_text(glyphs: list[Glyph]) -> str:
    """A cell's characters line by line, top to bottom: Chinese wraps anywhere, so lines join without a space,
    except between two Latin letters or digits; `|` is written full-width so it cannot be taken for a cell border."""
    lines: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda glyph: -glyph.y):
        if lines and lines[-1][0].y - glyph.y <= lines[-1][0].height / 2:
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
    text = ""
    for line in lines:
        piece = "".join(glyph.char for glyph in sorted(line, key=lambda glyph: glyph.order)).strip()
        text = glue(text, piece) if text and piece else text + piece
    text = " ".join(text.split())
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text).replace("|", "｜")


def pdfium_glyphs(raw: bytes) -> tuple[Callable[[int], Callable[[], list[Glyph]]], Callable[[], None]] | None:
    """For each page number (from 0), a function giving the page's upright characters, read by PDFium; and a
    function that closes the document. None when pypdfium2 is not installed (tables are then read as plain text).
    Turned characters are left out: a watermark (`深 圳 信 访` at an angle across the table) is not cell text."""
    try:
        import pypdfium2
        import pypdfium2.raw as pdfium
    except ImportError:
        return None
    try:
        document = pypdfium2.PdfDocument(raw)
    except pypdfium2.PdfiumError:
        return None

    def page(number: int) -> Callable[[], list[Glyph]]:
        def glyphs() -> list[Glyph]:
            try:
                text = document[number].get_textpage()
            except (pypdfium2.PdfiumError, IndexError):
                return []
            found = []
            for k in range(text.count_chars()):
                code = pdfium.FPDFText_GetUnicode(text, k)
                if code < 32 or pdfium.FPDFText_IsGenerated(text, k) == 1:
                    continue
                angle = pdfium.FPDFText_GetCharAngle(text, k)
                if min(angle, 2 * math.pi - angle) > _TURNED:
                    continue
                left, bottom, right, top = text.get_charbox(k, loose=True)  # a whole line high: "一" is not
                found.append(Glyph(chr(code), (left + right) / 2, (bottom + top) / 2, top - bottom, k))
            return found
        return glyphs

    return page, document.close
