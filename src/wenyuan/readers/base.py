"""What every reader returns, and the one error a file that cannot be used raises."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

from wenyuan.clean import CELL, DOC_NUMBER, LINE_END, Line

_WRAP_SHARE = 0.85  # a line this close to the text's full width ran into the right margin: it continues
_MIN_WIDTH = 10
# a Word file was wrapped by hand when this share of its longer lines reach one width (within a character) and this
# share of them stop mid-sentence (measured on real/: the hand-wrapped files have 0.21–0.56 and 0.56–0.80, the
# others at most 0.19 or 0.34)
_AT_MARGIN = 0.2
_MID_SENTENCE = 0.5
_HAND_WRAP_SHARE = 0.75
_HAND_WRAPPED_LINES = 8  # a file this short says too little about how it was typed
_OPENS_CONTINUATION = frozenset("，、。；：）》,;:)")


class IngestError(Exception):
    """A file that cannot be indexed; the message says why, in Chinese, for the person who put it there."""


@dataclass(slots=True)
class Reading:
    """A file's lines as its format gave them, and what the reader noticed on the way (shown to the administrator).

    `join_broken`: lines may end mid-sentence (plain text, PDF, OFD), so the cleaner joins them;
    `pages`: 0 for formats without pages; `ocr_pages`: pages whose text came from optical character recognition.
    """

    lines: list[Line]
    reader: str
    join_broken: bool = False
    pages: int = 0
    ocr_pages: tuple[int, ...] = ()
    warnings: list[str] = field(default_factory=list)


def width(text: str) -> float:
    """Display width in Chinese characters: a full-width character counts 1, a Latin letter or digit ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def mark_wrapped(lines: list[Line], *, typeset: bool = True) -> list[Line]:
    """Lines that run to the right margin without ending a sentence, marked as continuing on the next line.

    The margin is the most common width of the longer lines. Text typeset in pages (PDF) always wraps. A Word file
    was wrapped by hand (text pasted from a fixed-width source) only when many of its lines share one width within a
    character and many of its longer lines stop without ending a sentence; it is left alone otherwise (ordinary
    paragraphs all differ in width). In a hand-wrapped file the indentation it lost makes the first line of a
    paragraph shorter, so the bar is lower, and a 文号 never continues. A line followed by one that opens with a
    comma continues in any case.
    """
    widths = [0 if CELL in line.text else round(width(line.text.strip())) for line in lines]  # rows never wrap
    long = Counter(w for w in widths if w >= _MIN_WIDTH)
    if not long:
        return lines
    top = max(long.values())
    full = max(w for w, count in long.items() if count >= top / 2)
    share = _WRAP_SHARE
    if not typeset:
        at_margin = sum(count for w, count in long.items() if abs(w - full) <= 1)
        ends = [line.text.strip()[-1] in LINE_END for line, w in zip(lines, widths) if w >= full / 2]
        if at_margin < max(_HAND_WRAPPED_LINES, _AT_MARGIN * sum(long.values())) \
                or ends.count(False) < _MID_SENTENCE * len(ends):
            full = 0  # paragraphs as the author typed them: only a comma at a line's start says it continues
        share = _HAND_WRAP_SHARE
    marked = list(lines)
    for position, line in enumerate(lines):
        text = line.text.strip()
        following = lines[position + 1].text.strip() if position + 1 < len(lines) else ""
        if not text or not following or text[-1] in LINE_END or CELL in line.text or CELL in following:
            continue
        if not typeset and DOC_NUMBER.fullmatch(text):
            continue
        if (full and widths[position] >= full * share) or following[0] in _OPENS_CONTINUATION:
            marked[position] = replace(line, continues=True)
    return marked
