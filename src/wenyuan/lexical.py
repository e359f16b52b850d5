"""Chinese tokens for BM25 and for matching a question's key terms against a passage.

Text is folded (NFKC, lower case) before tokenising, so full-width and half-width forms match. Words come from
rjieba (the Rust port of jieba); character bigrams catch words jieba splits differently in query and passage.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from wenyuan.clean import DOC_NUMBER, fold

STOPWORDS = frozenset(
    """的 了 和 与 及 或 是 在 对 把 被 为 以 于 等 之 其 这 那 就 都 也 而 并 又 要 将 从 向 由 有 中 上 下 个 们
    什么 哪些 哪个 哪几 哪 几 多少 怎么 怎样 如何 是否 吗 呢 吧 啊 请问 请 一下 关于 有关 方面 提出 提到 规定 文件
    问 说 讲 具体 主要 哪里 何时 什么时候 为什么 为何 多 少 几条 几项 几个 谁 哪一 这个 那个 它 他们 我们 你们""".split()
)
# Question words whose answer is a number or date; they make a question a lookup of a figure.
_TOKEN_KEEP = re.compile(r"[\w\u3400-\u9fff%％.]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_ALNUM_RUN = re.compile(r"[a-z0-9][a-z0-9.%]*")


@lru_cache(maxsize=1)
def _jieba():
    """rjieba, taught the lexicon's abbreviations (个税, 公租房) and the numbered congresses (十八大) as words."""
    import rjieba

    from wenyuan.query import lexicon_words

    for word in [*lexicon_words(), *(f"十{digit}大" for digit in "一二三四五六七八九"), "二十大"]:
        if len(word) >= 2 and not word.isascii():
            rjieba.add_word(word, None, None)
    return rjieba


@lru_cache(maxsize=1)
def vocabulary() -> str:
    """A fingerprint of the words jieba was taught: tokens stored with another vocabulary are made again."""
    from wenyuan.query import lexicon_words

    return hashlib.sha1("\n".join(sorted(lexicon_words())).encode()).hexdigest()[:12]


_DEFINITION = re.compile(r"([^，,。；;：:、（(“”《》\s]{2,40})[（(](?:以下|下文)?简称[“\"《]?([^”\"》）)，,]{2,16})[”\"》]?[）)]")


def definitions(text: str) -> dict[str, str]:
    """The short names a document defines for itself: "…培训评价组织（以下简称评价组织）" -> {评价组织: …培训评价组织}."""
    found = {}
    for match in _DEFINITION.finditer(fold(text)):
        short = match.group(2)
        long = _name_before(match.group(1), len(short))
        if len(long) > len(short) >= 2:
            found.setdefault(short, long)
    return found


_NOT_IN_NAME = ("v", "p", "c", "d", "u", "r", "m", "t", "x")


def _name_before(words: str, longer_than: int) -> str:
    """The name that ends a clause: the words after its last verb, preposition or figure that still leave a name
    longer than the short one ("实行国家职业资格目录" -> 国家职业资格目录)."""
    tagged = list(_jieba().tag(words[-24:]))
    start = 0
    for index, (_, tag) in enumerate(tagged):
        rest = "".join(word for word, _ in tagged[index + 1 :])
        if tag.startswith(_NOT_IN_NAME) and len(rest) > longer_than:
            start = index + 1
    return "".join(word for word, _ in tagged[start:])


def is_word(term: str) -> bool:
    """Whether jieba's dictionary (with the lexicon's words) knows the word."""
    return bool(_jieba().has_word(term))


# jieba's word classes of words that carry no content of their own: pronouns (我家), adverbs (暂时), conjunctions
# (还要), prepositions (经过), particles, interjections and onomatopoeia; of its place words (f), only those that place
# by 之 or 以 (之前, 以上), not 东部, 周边 or 期间
_FUNCTION_CLASSES = ("r", "d", "c", "p", "u", "y", "e", "o")


@lru_cache(maxsize=8192)
def is_function_word(term: str) -> bool:
    """Whether jieba's dictionary knows the term as one word of a class that carries no content (我家, 暂时, 还要)."""
    if term.startswith("每"):
        return False  # 每月, 每人: jieba's pronouns, but the unit a figure is counted per
    tagged = list(_jieba().tag(term))
    if len(tagged) != 1 or not is_word(term):
        return False
    tag = tagged[0][1]
    return tag.startswith(_FUNCTION_CLASSES) or tag == "f" and term[0] in "之以"


def word_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where jieba's words stand in the text (start and end offsets)."""
    return tuple((start, end) for _, start, end in _jieba().tokenize(text))


def words(text: str) -> list[str]:
    """jieba words of the folded text, without punctuation and stopwords."""
    folded = fold(text)
    tokens = [
        token
        for token in _jieba().cut_for_search(folded)
        if token.strip() and token not in STOPWORDS and _TOKEN_KEEP.search(token)
    ]
    return tokens + _doc_numbers(folded)


def _doc_numbers(folded: str) -> list[str]:
    """Document numbers such as 国发〔2019〕4号 as one token each, so 国发 and 国办发 do not meet."""
    return [re.sub(r"\s+", "", match.group(0)) for match in DOC_NUMBER.finditer(folded)]


def bigrams(text: str) -> list[str]:
    """Character bigrams of each run of Chinese characters, plus runs of letters and digits."""
    folded = fold(text)
    tokens = []
    for run in _CJK_RUN.findall(folded):
        if len(run) == 1:
            tokens.append(run)
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    tokens.extend(_ALNUM_RUN.findall(folded))
    return tokens


def tokenize(text: str, mode: str) -> list[str]:
    """The tokens BM25 counts for a text, by mode: 'words', 'bigrams' or 'words+bigrams'."""
    if mode == "words":
        return words(text)
    if mode == "bigrams":
        return bigrams(text)
    return words(text) + ["▁" + token for token in bigrams(text)]


# the characters that end a word naming a measure (公示期, 费率, 限额, 起付线)
MEASURE_ENDS = "期率额费价线"
# 公示期是几天: jieba reads 公示 | 期是; the 期 (率, 额, 费 …) ends the word before it, whose figure is asked
_MEASURE_BEFORE_IS = re.compile(rf"(?<=[\u4e00-\u9fff])([{MEASURE_ENDS}])是(?=多少|几|什么|哪|多久|多长|多大|多高|\s*$)")


def terms(text: str) -> list[str]:
    """The distinct content words of a question, in order: what a passage must mention to answer it."""
    folded = fold(text)
    numbers = _doc_numbers(folded)
    for number in numbers:
        folded = folded.replace(number, " ")
    raw = _jieba().cut(_MEASURE_BEFORE_IS.sub(r"\1 是", folded))
    cut: list[str] = []
    for at, token in enumerate(raw):
        if len(token) == 1 and token in MEASURE_ENDS and cut and _CJK_RUN.fullmatch(cut[-1]) \
                and raw[at + 1 : at + 3] == [" ", "是"]:
            cut[-1] += token  # 公示 + 期: one word, as the question writes it
        else:
            cut.append(token)
    seen = dict.fromkeys(
        numbers + [token for token in cut if token.strip() and token not in STOPWORDS and _TOKEN_KEEP.search(token)]
    )
    return list(seen)
