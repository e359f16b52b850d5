"""Every sentence an LLM writes, checked against the passages it cites.

A model's reply is taken apart as models write it: reasoning blocks (`<think>…</think>`, DeepSeek-R1 and Qwen3)
dropped; markers in their common forms (`[1]`, `[1,2]`, `[1][3]`, `【1】`, `（来源1）`, `[1-3]`) made `[n]`; a marker at
the end of a paragraph (`A。B。C。[1]`) given to every sentence of it that carries none. A sentence is **verified**
when the passages it cites hold every figure it states (numbers, dates, percentages, money, after folding full-width
forms and Chinese numerals) and most of its weighted key words (the extractive answerer's rarity weights and
lexicon); the embedder's similarity tips a sentence that holds somewhat fewer. A sentence its own passages do not
hold but another retrieved passage does is **re-cited** to that one; the rest are **unverified**.

What it guarantees: no figure reaches the user as verified unless a cited passage states it, and every verified
sentence shares most of its rare words with what it cites. What it does not: it reads words, not logic: a sentence
that recombines a passage's words into a claim the passage does not make (a negation dropped, two figures swapped
between subjects) can pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wenyuan import lexical
from wenyuan.clean import chinese_number, fold
from wenyuan.query import QUESTION_FRAME, aliases

VERIFIED, RECITED, UNVERIFIED = "verified", "re-cited", "unverified"
# how much of a sentence's weighted key words its passages must hold; between the two, the embedder decides
HOLDS_ENOUGH = 0.7
HOLDS_SOME = 0.45
SIMILAR_ENOUGH = 0.55

_THINKING = re.compile(r"<think(?:ing)?>.*?(?:</think(?:ing)?>|$)", re.S | re.I)
_NUMBERS = r"\d+(?:\s*[,，、]\s*\d+)*"
_MARKER_FORMS = (
    re.compile(rf"【\s*(?:来源|资料|出处)?\s*(\d+(?:\s*[,，、]\s*(?:来源|资料|出处)?\s*\d+)*)\s*】"),
    re.compile(rf"\[\s*(?:来源|资料|出处)\s*[:：]?\s*({_NUMBERS})\s*\]"),
    re.compile(rf"\[\s*(\d+\s*[,，、]\s*{_NUMBERS})\s*\]"),
    re.compile(rf"[（(]\s*(?:参见|参考|见)?\s*(?:来源|资料|出处)?\s*[:：]?\s*\[?({_NUMBERS})\]?\s*[）)](?<![（(]\d[）)])"
               r"(?<![（(]\d\d[）)])"),
    re.compile(r"\[\^(\d+)\]"),
    re.compile(r"\^\[(\d+)\]"),
    re.compile(r"〔(\d{1,2})〕"),  # not 〔2019〕 of a 文号
)
_RANGE = re.compile(r"\[(\d+)\s*[-–—~～]\s*(\d+)\]")
_MARKER = re.compile(r"\[(\d+)\]")
_SENTENCE = re.compile(r"[^。！？；!?;\n]+(?:[。！？；!?;]+|$)(?:\s*\[\d+\])*")
_PERCENT_WORDS = re.compile(r"百分之([零〇一二两三四五六七八九十百点]+)")
_FRACTION_WORDS = re.compile(r"([零〇一二两三四五六七八九十百千]+)分之([零〇一二两三四五六七八九十百千点]+)")
_SCALES = "万亿|亿|万|千"
_UNITS = ("个百分点|百分点|%|‰|个月|周岁|公里|平方米|元|年|月|日|天|岁|倍|项|个|人|家|所|条|次|名|亩|吨|户|台|辆|套|件|批|"
          "届|位|类|种|成|大")
_CN_RUN = r"[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?"
# a Chinese numeral that counts (三项, 十八大, 第十二届, 五千万, 一点二万亿): not the 一 of 统一, the 十 of 十分, nor
# the 三要 that enumerates
_CN_QUANTITY = re.compile(
    rf"(?<=第){_CN_RUN}"
    rf"|(?!一(?![万亿倍点十百千]))(?!十分){_CN_RUN}(?=(?:余|多)?(?:{_SCALES}|{_UNITS}))"
)
_FIGURE = re.compile(rf"(\d+(?:\.\d+)?(?:/\d+)?)(?:余|多)?({_SCALES})?({_UNITS})?")
_ENUMERATOR = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．](?!\d)|"
                         r"第[一二三四五六七八九十]+[，,、]|[①-⑳])\s*")
# how models say the passages do not answer: of the passages themselves (资料中没有…, 文档未提及…), or outright
_REFUSALS = re.compile(
    r"(?:资料|文档|文件|材料|所给内容|提供的内容|上述内容)[^。！？]{0,12}?(?:(?:没有|未|并未|无|不)(?:找到|提[及到]|涉及|包含|"
    r"给出|说明|明确|相关|记载|规定)|无法(?:回答|确定|判断|得知|找到)|不能回答)"
    r"|^(?:很?抱歉|对不起)|^(?:无法|不能)(?:回答|根据|从)|^文档中没有找到|^没有找到"
)


@dataclass(frozen=True, slots=True)
class Claim:
    """A sentence of the reply with the passages it cites (1-based, as the model numbered them)."""

    text: str  # without markers
    cited: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Checked:
    """A sentence after the check: its status and the passages that hold it."""

    text: str
    status: str  # verified, re-cited or unverified
    cited: tuple[int, ...]


def without_reasoning(reply: str) -> str:
    """The reply without `<think>` blocks; a block never closed hides everything after it."""
    return _THINKING.sub("", reply).strip()


def plain_markers(reply: str) -> str:
    """Every marker form as `[n]`: 【1】, ［1］, [1,2], [来源1], （来源：2）, （见资料1）, [^3], 〔4〕 and [1-3] alike."""
    reply = reply.replace("［", "[").replace("］", "]")
    text = _RANGE.sub(lambda m: "".join(f"[{n}]" for n in range(int(m.group(1)), int(m.group(2)) + 1))
                      if 0 < int(m.group(2)) - int(m.group(1)) < 10 else m.group(0), reply)
    for form in _MARKER_FORMS:
        text = form.sub(lambda m: "".join(f"[{n}]" for n in re.findall(r"\d+", m.group(1))), text)
    return text


def claims(reply: str) -> list[Claim]:
    """The reply's sentences with the passages each cites. A sentence without markers takes those of the next
    sentence of its paragraph that has some (the paragraph's marker at its end), else of the one before."""
    found: list[Claim] = []
    for paragraph in plain_markers(without_reasoning(reply)).split("\n"):
        pieces = []
        for match in _SENTENCE.finditer(paragraph):
            sentence = match.group(0)
            words = _MARKER.sub("", sentence).strip()
            cited = tuple(dict.fromkeys(int(n) for n in _MARKER.findall(sentence)))
            if re.fullmatch(r".{0,20}[：:]", _ENUMERATOR.sub("", words, count=1).strip()):
                continue  # a heading of the reply's own ("一、主要目标："): structure, not a claim
            if words.strip("。！？；!?;，,、：: "):
                pieces.append([words, cited])
            elif cited and pieces:  # markers alone after a stop: the sentence before
                pieces[-1][1] = tuple(dict.fromkeys((*pieces[-1][1], *cited)))
        for at, piece in enumerate(pieces):
            if not piece[1]:
                later = next((p[1] for p in pieces[at + 1:] if p[1]), ())
                earlier = next((p[1] for p in reversed(pieces[:at]) if p[1]), ())
                piece[1] = later or earlier
        found += [Claim(words, cited) for words, cited in pieces]
    return found


def is_refusal(reply: str) -> bool:
    """Whether a reply says the passages do not answer (in the words models use for it)."""
    text = without_reasoning(reply).strip()
    short = len(text) <= 80  # a refusal says so and stops; a longer reply that says "未明确…" goes on to answer
    return short and bool(_REFUSALS.search(text)) and not _MARKER.search(plain_markers(text))


def figures(text: str) -> set[str]:
    """The figures a text states, each with its scale and unit, as plain decimals: 60.37%, 百分之六十 → 60%,
    二〇三五年 → 2035年, 3,000人 → 3000人, 一点二万亿元 → 1.2万亿元, 三分之二 → 2/3, 十八大 → 18大. A number with no
    unit stands alone (60.37)."""
    folded = fold(text)
    folded = re.sub(r"(?<=\d),(?=\d{3})", "", folded)
    folded = _PERCENT_WORDS.sub(lambda m: _spelt(m.group(1)) + "%", folded)
    folded = _FRACTION_WORDS.sub(lambda m: f"{_spelt(m.group(2))}/{_spelt(m.group(1))}", folded)
    folded = _CN_QUANTITY.sub(lambda m: _spelt(m.group(0)), folded)
    found = set()
    for match in _FIGURE.finditer(folded):
        value = "/".join(_plain(part) for part in match.group(1).split("/"))
        unit = (match.group(3) or "").replace("百分点", "个百分点").replace("个个", "个")
        found.add(value + (match.group(2) or "") + unit)
    return found


def _bare(figure: str) -> str:
    """A figure's number and scale without its unit (2亿元 → 2亿)."""
    match = re.match(rf"[\d./]+(?:{_SCALES})?", figure)
    return match.group(0) if match else figure


def stated_by(sentence: str, passages: set[str]) -> bool:
    """Whether passages whose figures are `passages` state every figure of the sentence: the same number, scale and
    unit (2亿元 is not 2万亿元, 6% is not 6个月); a number the sentence writes with no unit may have one there. List
    numbers at the sentence's start (3. （三） 第三，) are not figures."""
    bare_stated = {_bare(figure) for figure in passages}
    for figure in figures(_ENUMERATOR.sub("", sentence, count=1)):
        if figure in passages or (_bare(figure) == figure and figure in bare_stated):
            continue
        return False
    return True


def _spelt(words: str) -> str:
    """A Chinese numeral as digits (六十 → 60, 六点五 → 6.5); itself when it is not one."""
    whole, _, fraction = words.replace("两", "二").partition("点")
    whole = whole.replace("〇", "零").replace("零", "") if whole.strip("零〇") else "0"
    value = chinese_number(whole) if whole != "0" else 0
    if value is None:
        return words
    digits = "".join(str(chinese_number(ch) or 0) for ch in fraction) if fraction else ""
    return f"{value}.{digits}" if digits else str(value)


def _plain(number: str) -> str:
    number = number.replace(",", "")
    return number.rstrip("0").rstrip(".") if "." in number else number.lstrip("0") or "0"


class Checker:
    """Checks claims against passages with the index's word rarity (`weight`) and, optionally, an embedder's cosine
    (`similarity(sentence, passage_number)`)."""

    def __init__(self, passages: Sequence[str], weight: Callable[[str], float],
                 similarity: Callable[[str, int], float] | None = None) -> None:
        self._passages = [fold(passage) for passage in passages]
        self._figures = [figures(passage) for passage in passages]
        self._weight = weight
        self._similarity = similarity
        self._aliases = aliases()

    def check(self, claim: Claim) -> Checked:
        """Verified by its own passages, re-cited to another that holds it, or unverified."""
        own = tuple(n for n in claim.cited if 1 <= n <= len(self._passages))
        if own and self.holds(claim.text, own):
            return Checked(claim.text, VERIFIED, own)
        for n in range(1, len(self._passages) + 1):
            if n not in own and self.holds(claim.text, (n,)):
                return Checked(claim.text, RECITED, (n,))
        return Checked(claim.text, UNVERIFIED, own)

    def holds(self, sentence: str, cited: Sequence[int]) -> bool:
        """Whether the passages together state every figure of the sentence and enough of its key words."""
        stated = set().union(*(self._figures[n - 1] for n in cited))
        if not stated_by(sentence, stated):
            return False
        share = self.key_words_held(sentence, cited)
        if share >= HOLDS_ENOUGH:
            return True
        if share < HOLDS_SOME or self._similarity is None:
            return False
        return max(self._similarity(sentence, n) for n in cited) >= SIMILAR_ENOUGH

    def key_words_held(self, sentence: str, cited: Sequence[int]) -> float:
        """The weighted share of the sentence's content words that the passages hold, in any lexicon form."""
        context = "\n".join(self._passages[n - 1] for n in cited)
        total = held = 0.0
        for word in dict.fromkeys(lexical.terms(sentence)):
            if len(word) < 2 or word in QUESTION_FRAME or word.isdigit():
                continue
            weight = self._weight(word)
            total += weight
            forms = (word, *self._aliases.get(word, ()))
            if any(form in context for form in forms) or _pieces_held(word, context):
                held += weight
        return held / total if total else 1.0


def _pieces_held(word: str, context: str) -> bool:
    """A compound the passage writes apart (稳就业 for 稳定就业 is not; 城镇化率 as 城镇化 … 率 is)."""
    pieces = [piece for piece in lexical.words(word) if piece != word and len(piece) >= 2]
    return bool(pieces) and not set(word) - set("".join(pieces)) and all(piece in context for piece in pieces)
