"""Is a page's text usable? Text layers made with custom-encoded fonts extract as rare characters (`犌犕／犜`) or
private-use code points; such text must be re-read by OCR or reported, never indexed silently."""

from __future__ import annotations

from functools import lru_cache

_MIN_CHARACTERS = 20
_MIN_COMMON_SHARE = 0.8
# Frequent traditional characters: a page written in traditional Chinese is usable although most of it is not GB2312.
_TRADITIONAL = frozenset("國會為與們這發說時經對來開關學實體現當後點個業員電從網際區產務辦機構條")


@lru_cache(maxsize=8192)
def _common(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def garbled(text: str) -> bool:
    """True when the text is not language: private-use code points, or Chinese characters mostly outside the 6,763
    of GB2312 (real simplified text has over 99 % inside it) without being traditional Chinese."""
    characters = [ch for ch in text if not ch.isspace()]
    if len(characters) < _MIN_CHARACTERS:
        return False
    private = sum(1 for ch in characters if "\ue000" <= ch <= "\uf8ff")
    if private > len(characters) * 0.1:
        return True
    cjk = [ch for ch in characters if _cjk(ch)]
    if len(cjk) < _MIN_CHARACTERS:
        return False
    common = sum(1 for ch in cjk if _common(ch))
    if common >= len(cjk) * _MIN_COMMON_SHARE:
        return False
    return sum(1 for ch in cjk if ch in _TRADITIONAL) < len(cjk) * 0.02
