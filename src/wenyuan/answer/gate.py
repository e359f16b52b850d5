"""The refusal gate: do the passages hold what the question asks for, or only words around it?

Two checks, both on the analysed question:
- coverage: the best passage (with its headings and its document's card) holds most of the question's weighted key
  terms, counting their other forms (GDP = 国内生产总值), and every year the question names (the document's own year
  counts: inside a 2013 report "今年" is 2013; so does a year set where the passage's section opens);
- the asked slot: the words that say what is asked (森林覆盖率 in "…森林覆盖率要达到多少"), besides those that only
  name the document, are held by the words the answer quotes or the headings above them.
A near miss (a figure, list or item the document does not give) passes the first and fails the second.
"""

from __future__ import annotations

import re
from functools import lru_cache

from wenyuan import lexical, weights
from wenyuan.index import Index
from wenyuan.query import FIGURE, LIST, LIST_NOUNS, MONEY, QUESTION_FRAME, Query, lexicon_rows, lexicon_words_of
from wenyuan.types import Document


def term_weights(query: Query, index: Index) -> dict[str, float]:
    """Each key term's rarity among the passages (inverse document frequency); a compound the passages never hold
    whole (控制目标) weighs as its parts do, not as the rarest word."""
    found = {}
    for term in query.terms:
        if lexical.is_function_word(term):
            found[term] = 0.0  # 我家, 暂时: how the asker speaks
            continue
        if index.knows(term):
            found[term] = index.term_weight(term)
            continue
        known = [index.term_weight(part) for part in parts(term) if index.knows(part)]
        # a word no passage holds says little about which passage answers: it weighs as a common word
        found[term] = sum(known) / len(known) if known else index.common_weight()
    return found


@lru_cache(maxsize=4096)
def parts(term: str) -> tuple[str, ...]:
    """The words a compound is made of (控制目标 -> 控制, 目标), less those that only frame a question; none when
    the words do not cover the compound (住院日 is not 住院)."""
    pieces = [p for p in lexical.words(term) if p != term and len(p) >= 2]
    if set(term) - set("".join(pieces)):
        return ()
    return tuple(dict.fromkeys(p for p in pieces if p not in QUESTION_FRAME))


_QUOTED = re.compile("[“”‘’「」『』\"]")
_QUOTE_MARKS = str.maketrans("", "", "“”‘’「」『』\"")


def held(query: Query, term: str, context: str) -> bool:
    """Whether a folded text holds a term in any of its forms, or all the words of a compound."""
    if _QUOTED.search(context):  # 可以变更“姓名”: a word the document puts in quotation marks is still the word
        context = context.translate(_QUOTE_MARKS)
    if any(form in context for form in query.forms(term)):
        return True
    pieces = parts(term)
    if pieces and all(piece in context for piece in pieces):
        return True
    return len(term) == 2 and any(lexical.is_word(m.group(1)) and lexical.is_word(m.group(2))
                                  for m in _abbreviated(term).finditer(context))


@lru_cache(maxsize=4096)
def _abbreviated(term: str) -> re.Pattern[str]:
    """Where a two-character word may stand for the two words it abbreviates, by the first character of the one and
    either of the other (报备 for 报送备案, 环保 for 环境保护, 租房 for 租赁住房): both must be words, not any two
    characters a character apart (地震带 is no 地带)."""
    first, second = map(re.escape, term)
    return re.compile(f"(?=({first}[\u4e00-\u9fff])({second}[\u4e00-\u9fff]|[\u4e00-\u9fff]{second}))")


def years_held(query: Query, document: Document, context: str) -> bool:
    """Every year the question names is the document's own year or is written in the context."""
    return all(year == document.year or str(year) in context for year in query.years)


def share(query: Query, term_weight: dict[str, float], context: str) -> float:
    """Share of the question's weighted key terms a folded text holds, in any of their forms."""
    total = sum(term_weight.values())
    if total == 0:
        return 0.0
    return sum(weight for term, weight in term_weight.items() if held(query, term, context)) / total


# verbs that say how a document came out ("…2827号印发的…办法"): they name the document, not what is asked, unless
# the question asks about them (何时印发)
_ISSUING = frozenset("印发 下发 发布 公布 颁布 出台 转发 制定 出台的 印发的".split())


def slot_terms(query: Query, term_weight: dict[str, float], card: str, index_knows=lambda _: True) -> list[str]:
    """What the question asks about, less the words that only name its document: for a list, what it is a list of
    (the focus words); else the focus words and then the rarest key terms, three in all. Years are checked apart.
    `card` is the answering document's folded card."""
    naming = {term for term in query.terms if held(query, term, card)}
    usable = [t for t in query.terms if t not in naming and _telling(t, index_knows)]
    focus = [t for t in query.focus if t in usable and t not in LIST_NOUNS]
    if query.shape == LIST:  # what the list is of; 要求, 措施 … are what any list is
        if focus:
            return focus
    rarest = sorted((t for t in usable if t not in focus and t not in _ISSUING), key=lambda t: -term_weight.get(t, 0))
    return (focus + rarest)[: weights.SLOT_TERMS]


# how sure the asker is (一般几个工作日？): it helps find the sentence that says 一般, but a rule that does not is
# still the answer
HEDGES = frozenset("一般 通常 平时 正常 一般情况 正常情况 大致 大概 大约 一直 已经 仍然 总是".split())
# a span's words (天内 of 多少天内, 工作日之后, 以上): the form of an answer, not what it is about
SPAN = re.compile(r"(?:之)?(?:工作)?[日天年月周]+(?:之|以)?(?:内|起|后|前)|以[内上下]")
_COUNT = re.compile(r"[一二三四五六七八九十几两\d]+(?:[组项条点个类种批次起]|方面)")


def _telling(term: str, index_knows) -> bool:
    """A word that can tell a passage that answers from one that does not: two characters or more, not a figure,
    and a word of the dictionary or of the passages (not a fragment such as 内要 from 几天内要…)."""
    if len(term) < 2 or term.isdigit() or _COUNT.fullmatch(term) or term in HEDGES:
        return False  # 三组, 五项, 几点: how many are asked, which the items show, not what they are about
    if lexical.is_function_word(term):
        return False  # 我家, 还要, 暂时: how the asker speaks, not what is asked
    if SPAN.fullmatch(term):
        return False  # 天内 of 多少天内: the form of the answer (its unit is checked apart), not what it is about
    return lexical.is_word(term) or index_knows(term) or any(index_knows(part) for part in parts(term))


def asked_head(query: Query) -> str:
    """The word that heads what is asked: the last of the asked slot's words that can tell passages apart (初审 in
    "区廉租办初审要多少个工作日"; not 一般, 一次, 要求), or ""."""
    heads = [t for t in query.focus if len(t) >= 2 and t not in LIST_NOUNS and t not in HEDGES
             and not _COUNT.fullmatch(t) and not t.isdigit()]
    return heads[-1] if heads else ""


_TARGET_ASKED = re.compile(r"目标|预期|计划|任务")
_TARGET_SAID = re.compile(r"目标|预期|计划|力争|争取|左右|拟|确保|控制在|到20\d\d年|到\d{4}年|以上|以内|不低于|不超过|今年|年内|全年")


def asks_target(query: Query) -> bool:
    """Whether the question asks for a target (目标, 预期, 计划)."""
    return bool(_TARGET_ASKED.search(query.text))


def target_held(query: Query, answer_context: str) -> bool:
    """A question about a target (目标, 预期, 计划) is answered by words that set one ("增长8%左右", "到2020年…",
    "预期目标是："), not by last year's result ("增长17.8%")."""
    return not asks_target(query) or bool(_TARGET_SAID.search(answer_context))


_SPAN_GIVEN = r"(?:\d+|[一二三四五六七八九十两]+)\s*(?:个)?(?:工作日|日|天|周|月|年)"
# a time written by the event it counts from: 从出生之日起, 次月, 当年, 期满
RELATIVE_TIME = r"[之当次]日|[当次](?:月|年)|届满|期满"
_AMOUNT = re.compile(MONEY)
# words that name the kind of answer asked, and how a passage gives one: 缴费比例 is answered by "8%" or "1:1", 颜色 by
# "红色" (期限 and 时限 are not: a period of another step would answer them)
ANSWER_KINDS = {
    "比例": re.compile(r"%|％|‰|百分之|千分之|\d+\s*[:比]\s*\d+|(?<!统)[一二三四五六七八九十]成(?![立为员功果绩本效])"),
    "比重": re.compile(r"%|％|百分之"),
    "年限": re.compile(r"(?<!\d)\d{1,2}\s*(?:个)?年(?![\d度])|[一二三四五六七八九十两]+(?:个)?年(?!度)"),
    "时间": re.compile(rf"{_SPAN_GIVEN}|\d{{1,2}}月|{RELATIVE_TIME}|小时|半年|半月|每(?:年|月|周|季度)"),
    "颜色": re.compile(r"[红黄蓝绿白黑橙紫灰金银](?:色|底|字)"),
    "金额": _AMOUNT,
    "数额": _AMOUNT,
}


def kind_given(term: str, context: str) -> bool:
    """Whether a folded text gives an answer of the kind a word names (比例: 8%; 颜色: 红色); False for other words."""
    return term in ANSWER_KINDS and ANSWER_KINDS[term].search(context) is not None


def kind_unanswered(query: Query, named: str, said: str) -> bool:
    """Whether the asked words hold a kind of answer (比例, 颜色 …) that the quoted words (`said`) do not give, and
    that they and their headings (`named`) do not name either: …涂装装饰条。 for 装饰条是什么颜色？ For a figure
    question naming it is not enough (按什么比例折算？ and "…按本人选择的缴费比例…")."""
    return any(term in ANSWER_KINDS and not kind_given(term, said)
               and (query.shape == FIGURE or not held(query, term, named)) for term in query.focus)


def slot_share(query: Query, term_weight: dict[str, float], card: str, answer_context: str,
               index_knows=lambda _: True) -> float:
    """The weighted share of the asked slot that the quoted words (and their headings) hold; a word that names the
    kind of answer (比例, 颜色) is held by an answer of that kind (8%, 红色)."""
    slot = slot_terms(query, term_weight, card, index_knows)
    if not slot:
        return 1.0
    total = sum(term_weight.get(t, 1.0) for t in slot)
    return sum(term_weight.get(t, 1.0) for t in slot if held(query, t, answer_context)
               or kind_given(t, answer_context)) / total


@lru_cache(maxsize=1)
def _contrasts() -> tuple[tuple[str, ...], ...]:
    """The sets of lexicon/contrasts.txt: words that tell apart things of one kind (住院 | 门诊)."""
    return tuple(lexicon_words_of(row) for row in lexicon_rows("lexicon/contrasts.txt"))


def contrasted(query: Query, named: str, quoted: str) -> bool:
    """Whether the question names one of a set of words that tell things apart (住院) and the quoted words name
    another of them (门诊) while neither they nor what names them (`named`: headings, the document's card) name it."""
    for words in _contrasts():
        asked = [word for word in words if word in query.text]
        if len(asked) == 1 and asked[0] not in quoted + named \
                and any(word in quoted for word in words if word != asked[0]):
            return True
    return False
