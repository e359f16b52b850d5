"""Answers from retrieved passages, every sentence cited: the extractive answerer that needs no LLM.

Composition follows the question's shape (query.py):
- list: the document's own summary of the list (由…组成, 包括…, 等N项), else the enumerated items of the section the
  question names, each with its content, in order (sub-headings with the sentence that develops them, 一是…二是… with
  each item's whole clause, ——lines), else a sentence that enumerates;
- figure: the sentence that holds the figure; fact: the one or two sentences that cover the question best;
- doc_number, and facts a document states once in a place of its own (when it is in force, who holds a post): from
  that place (facts.py).
Every answer names its document (《…》). The gate (gate.py) refuses what the passages do not hold; when the question
names no document and passages of several documents answer it equally well, the answer asks back which one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Protocol, runtime_checkable

from wenyuan import lexical, weights
from wenyuan.answer import enumerations, facts, gate
from wenyuan.answer.citations import Citations, document_name
from wenyuan.chunking import Structure, sentence_spans
from wenyuan.clean import DASHES, DOC_NUMBER, ENUM_MARKER, chinese_number, fold, heading_level
from wenyuan.index import Index
from wenyuan.query import DOC_NUMBER_SHAPE, FIGURE, LIST, LIST_NOUNS, NamedDocument, Query, analyse
from wenyuan.structure import ZONES
from wenyuan.types import Answer, AnswerItem, Candidate, Citation, Document, Heading, Hit

_QUESTION_WORDS = re.compile(
    r"是什么|是谁|是多少|有哪些|哪几[条项个点]|哪些|什么|多少|怎么|怎样|如何|是否|哪个|哪一|为什么|吗|呢|请问|[？?。！!，,\s]"
)
# item and article markers are not figures: 1.摸底排查, （二）…, 第二十七条
_HEADING_MARKER = re.compile(r"^(?:[（(]?\d{1,2}[）).、．]|[（(][一二三四五六七八九十]+[）)])|第[一二三四五六七八九十百零\d]+条")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
# numbers that name another text, not a figure it sets: a 文号 (成办发〔2011〕31号), a title in 《》, an attachment
_REFERENCE = re.compile(rf"《[^《》]{{0,80}}》|附件\s*\d+|{DOC_NUMBER.pattern}")
_CN_FIGURE = re.compile(
    r"[一二三四五六七八九十百千万亿两半]+(?:个|项|条|家|所|天|年|倍|成|亿元|万元|日|周岁|岁|%|次(?!性)|周|季度|批|名|人|号|届|期|份|件|张|本|门|科)|"
    r"[零〇一二三四五六七八九十]年|[一二三四五六七八九十]+月"
)
_SUMMARY = re.compile(r"由.{4,120}(?:组成|构成)|包括.{4,120}|分为.{4,120}|等[\d一二三四五六七八九十]+(?:项|个|类|种|方面)")
_DASH_ITEM = re.compile(rf"^[{DASHES}-]{{1,2}}")
_LABEL_SENTENCE = 12  # a paragraph's first sentence this short, that more sentences follow, is its label
_BARE_LABEL = 16  # a sub-heading this short is a label: its answer is the sentence that develops it


class Answerer(Protocol):
    """Composes an answer to an analysed question from retrieved passages."""

    def answer(self, question: Query | str, hits: Sequence[Hit], history: Sequence[Answer] = ()) -> Answer: ...


@runtime_checkable
class StreamingAnswerer(Protocol):
    """An answerer that writes as it goes (an LLM): the text so far (str, not yet checked), then the final Answer."""

    def stream(self, question: Query | str, hits: Sequence[Hit], history: Sequence[Answer] = ()) -> Iterator[str | Answer]: ...


@dataclass(frozen=True, slots=True)
class _Sentence:
    doc_id: str
    start: int
    end: int
    score: float
    hit: Hit


@dataclass(frozen=True, slots=True)
class _List:
    score: float
    doc_id: str
    owner_start: int
    owner_end: int
    owner_text: str
    items: tuple[tuple[int, int], ...]
    outline: bool = False


class ExtractiveAnswerer:
    """Answers with the documents' own sentences, so every word can be traced to its source."""

    def __init__(self, index: Index, min_coverage: float = weights.MIN_COVERAGE) -> None:
        self._index = index
        self._min_coverage = min_coverage
        self._folded_texts: dict[str, str] = {}
        self._matters: dict[str, list[str]] = {}  # each document's 关于…问题 headings, folded
        self._folded_lock = threading.Lock()

    def analyse(self, question: Query | str) -> Query:
        return question if isinstance(question, Query) else analyse(question, self._index.definitions)

    def context(self, hit: Hit) -> str:
        """What a passage speaks about: its document's card, its headings and its words (folded)."""
        document = self._index.documents[hit.chunk.doc_id]
        return self._index.folded_card(document.id) + "\n" + fold(hit.chunk.embedding_text())

    def coverage(self, question: Query | str, hit: Hit, term_weight: dict[str, float] | None = None) -> float:
        """Share of the question's weighted key terms a passage, its headings and its document's card hold."""
        query = self.analyse(question)
        term_weight = gate.term_weights(query, self._index) if term_weight is None else term_weight
        document, context = self._index.documents[hit.chunk.doc_id], self.context(hit)
        if not self._years_held(query, document, context, hit.chunk.start):
            return 0.0  # a year the question names that neither the passage nor its section's opening holds
        return gate.share(query, term_weight, context)

    # ---- the answer -----------------------------------------------------------------------------------------
    def answer(self, question: Query | str, hits: Sequence[Hit], history: Sequence[Answer] = ()) -> Answer:
        query = self.analyse(question)
        if not hits:
            return refusal(query.asked, hits)
        term_weight = gate.term_weights(query, self._index)
        covered = [self.coverage(query, hit, term_weight) for hit in hits]
        if max(covered) < self._min_coverage:
            return refusal(query.asked, hits)
        hits = [hit for hit, share in zip(hits, covered) if share >= self._min_coverage] or list(hits)
        # a place or title word of some documents (成都) that a document never uses: its passages answer another
        # question (南京's rule), whatever their other words; the answer is made from the documents that fit
        fitting = [hit for hit in hits if self._names_fit(query, hit.chunk.doc_id)]
        hits = fitting or hits
        if query.shape == DOC_NUMBER_SHAPE and fitting:  # 重庆…的文号 and only 上海's documents found: no number
            numbered = facts.document_number(self._index, query, hits)
            if numbered is not None:
                return numbered
        asked_back = self._ask_back(query, hits, term_weight)
        if asked_back is not None:
            return asked_back
        in_force = facts.in_force(self._index, query, hits)
        # the clause answers the when (施行, 有效期 …) by what it is; the rest of what is asked must be in it
        if in_force is not None and self._slot_held(_without(query, facts.IN_FORCE_WORDS), term_weight, in_force, hits):
            return in_force
        listed_people = facts.roster(self._index, query, hits)
        if listed_people is not None and self._slot_held(query, term_weight, listed_people, hits):
            return listed_people
        if query.shape == LIST and _ASKS_PARTS.search(query.text):
            parts = self._parts_answer(query, hits)
            if parts is not None:
                return parts
        sentence = self._sentence_answer(query, hits, term_weight)
        candidates = [sentence]
        if query.shape == LIST:
            listed = self._list_answer(query, hits, term_weight)
            # the document's own summary of the list first, else the list's items, else a sentence that enumerates
            first_sentence = _sums_up(query, sentence) or _enumerates_closer(query, term_weight, sentence, listed,
                                                                              self._card_of)
            if listed is not None and query.count == len(listed.items):
                first_sentence = False  # 哪四方面？ and a list of four
            candidates = [sentence, listed] if first_sentence else [listed, sentence]
            if _SEVERAL_FIGURES.search(query.text):
                # 起扣线和限额分别是多少？: figures asked, so a sentence that gives figures before one that only names them
                figures = self._sentence_answer(replace(query, shape=FIGURE), hits, term_weight)
                candidates.insert(candidates.index(sentence), figures)
        if _ASKS_EACH.search(query.text):
            # 单人户、两人户、三口之家分别能申请什么样的房子？ and the best sentence is one item of a list: the list
            siblings = self._siblings(query, hits, sentence)
            if siblings is not None:
                candidates.insert(0, siblings)
        asks_in_force = facts.asks_in_force(query)
        for answer in candidates:
            if answer is None or not self._slot_held(query, term_weight, answer, hits):
                continue
            if asks_in_force and not facts.IN_FORCE_SAID.search("".join(c.quote for c in answer.citations)):
                continue  # 从哪天起施行？ answered by a sentence that puts nothing in force (…2006年印发…) is a near miss
            return answer
        if query.shape == FIGURE and gate.asks_target(query):
            # "GDP目标是多少": the next sentences, when the best gives a figure that sets no target (2015年将超过…);
            # one of them answers only when its passage holds every asked word
            ranked = self._rank_sentences(query, hits, term_weight, require_figure=True)
            for skip in range(1, weights.FIGURE_TRIES):
                answer = self._sentence_answer(query, hits, term_weight, ranked[skip:])
                if answer is not None and self._slot_held(query, term_weight, answer, hits) \
                        and self._holds_whole_slot(query, term_weight, answer):
                    return answer
        return refusal(query.asked, hits)

    def _quoted(self, answer: Answer) -> tuple[Document, str, str]:
        """The document an answer quotes first, its folded card, and the folded passages and headings it quotes."""
        first, cited = answer.citations[0], answer.citations
        document = self._index.documents[self._doc_id(first.doc)]
        quoted = fold(" ".join(" ".join(c.heading_path) + " " + c.passage for c in cited))
        if answer.mode == "list" and len(cited) >= 2 and cited[1].doc == first.doc \
                and 0 < cited[1].start - first.end <= weights.LIST_INTRO:
            # a section's list is framed by the paragraphs between its heading and its first item (…建设美丽中国)
            quoted += " " + fold(document.text[first.end : cited[1].start])
        if answer.mode == "list":
            # and a list a sentence leads by the sentences before it in its paragraph (2003年…考察。…函复如下。)
            opened = document.text.rfind("\n", 0, first.start) + 1
            quoted += " " + fold(document.text[max(opened, first.start - weights.LIST_INTRO) : first.start])
        return document, self._index.folded_card(document.id), quoted

    def _holds_whole_slot(self, query: Query, term_weight: dict[str, float], answer: Answer) -> bool:
        _, card, quoted = self._quoted(answer)
        return gate.slot_share(query, term_weight, card, quoted, self._index.knows) >= 1.0

    def _years_held(self, query: Query, document: Document, context: str, offset: int) -> bool:
        """Every year the question names is held by a folded context, or set where the section that holds `offset`
        opens (确保到二〇二〇年实现…目标 for the paragraphs under it)."""
        return gate.years_held(query, document, context) \
            or gate.years_held(query, document, context + self._section_opening(document.id, offset))

    def _slot_held(self, query: Query, term_weight: dict[str, float], answer: Answer, hits: Sequence[Hit]) -> bool:
        document, card, quoted = self._quoted(answer)
        if not self._years_held(query, document, card + quoted, answer.citations[0].start):
            return False
        if any(_PLAN_PERIOD.fullmatch(t) and not gate.held(query, t, card + quoted) for t in query.terms):
            return False  # "十二五"期间 asked: a passage on the 十一五 years' results answers another period
        # a place or title word of other documents that this one never uses (天津 asked, a 武汉 rule found) means
        # the wrong document
        whole = self._folded(document.id)
        if not self._names_fit(query, document.id):
            return False
        said = fold(" ".join(c.quote for c in answer.citations))
        headings = fold(" ".join(" ".join(c.heading_path) for c in answer.citations))
        if gate.contrasted(query, card + headings, said):
            return False  # 住院起付线 asked, the 门诊 起付标准 quoted: another of the same kind
        if gate.kind_unanswered(query, said + headings, said):
            return False  # 装饰条是什么颜色？ answered by "…涂装装饰条。": no colour, the kind of answer asked
        if self._heads_another_section(query, document.id, card, said + headings):
            return False  # 亭子口水利枢纽的总投资？ answered under 六、关于康定机场建设问题: another section's figure
        if any(_OMITTED.search(c.quote) or _OMITTED_NEXT.match(self._after(c)) for c in answer.citations):
            return False  # 五、关于大连新机场建设项目问题。（略）: the document leaves out what it would say
        if answer.mode != "list" and any(_DEFERRED.search(fold(c.quote)) for c in answer.citations):
            return False  # "…具体安排另行通知", "5月27日前，公布…学校名单": what is asked is said elsewhere, later
        asks_who = _ASKS_WHO.search(query.text)
        role = gate.asked_head(query) if asks_who else ""
        if role and _ROLE.search(role) and not gate.held(query, role, said):
            return False  # 副组长是谁？ answered by 成立…领导小组: the role asked is named by whoever holds it
        office = _OFFICE_ROLE.search(query.text) if asks_who else None
        if office and office.group(0) not in said:
            return False  # 办公室副主任是谁？ answered by a member who is 发展改革委副主任, or by the 办公室主任
        if answer.mode != "list" and _restates_count(query.text, said):
            return False  # 获得一等奖的4项成果是哪些？ and "…等4项成果…": the count the question already states
        if answer.mode != "list" and not _ASKS_BODY.search(query.text) \
                and all(_SET_ELSEWHERE.search(fold(c.quote)) for c in answer.citations):
            return False  # "备案文书的格式，由市人民政府法制办公室统一制定。": who sets it, not what it is
        if query.shape == FIGURE:
            per = _PER_UNIT.search(query.text)
            if per and not re.search(_PER_FORMS[per.group(1)], said):
                return False  # 每套建筑面积 asked, 人均建筑面积20平方米 answered: a figure per another unit
            said_with_leads = said + self._leads(answer)
            if not gate.target_held(query, said_with_leads):
                return False
            if _measure_unnamed(query, said_with_leads + headings):
                return False  # 公示期是几天？ answered by the days of 验收: the figure of another measure
        # a compound of the question (学习教育) that other passages found hold but this document never writes means
        # a passage about something else (职业教育, 学习账号)
        elsewhere = fold(" ".join(h.chunk.embedding_text() for h in hits if h.chunk.doc_id != document.id))
        if any(any(a + b in elsewhere for a, b in parts) and not _written(parts, whole)
               for parts in _compound_parts(query)):
            return False
        return gate.slot_share(query, term_weight, card, quoted, self._index.knows) >= weights.SLOT_SHARE

    def _section_opening(self, doc_id: str, offset: int) -> str:
        """The folded words from the heading of the section that holds an offset to the offset, at most LIST_INTRO
        characters of them: where a section sets what its paragraphs share (确保到二〇二〇年实现…目标)."""
        owner, _ = self._index.structures[doc_id].section(offset, 8)
        if owner is None:
            return ""
        text = self._index.documents[doc_id].text
        return " " + fold(text[owner.start : min(offset, owner.start + weights.LIST_INTRO)])

    def _names_fit(self, query: Query, doc_id: str) -> bool:
        """Whether a document holds every word of the question that names a few documents (a place, an issuer: 天津
        asked, a 武汉 rule found fails) and every district it names (萧山区 asked, a rule for the other districts
        found fails), in its card or its text."""
        written = self._index.folded_card(doc_id) + self._folded(doc_id)
        places = self._index.places_in(query.text)
        if any(place not in written for place in places):
            return False  # 四川 asked, the rule of 湖北 found: a region some documents are of, which this one never names
        for place in places:
            level = re.search(rf"{re.escape(place)}(省|市)", query.text)
            if level and level.group(0) not in written:
                return False  # 吉林市 asked, a rule of 吉林省 found: the province, not the city
        return not any((self._index.names_few_documents(t) or _DISTRICT.fullmatch(t))
                       and not gate.held(query, t, written) for t in query.terms)

    def _heads_another_section(self, query: Query, doc_id: str, card: str, quoted: str) -> bool:
        """Whether a word of the question that neither the quoted words nor their headings hold names the matter of one
        section of the document, and of that one only (二、关于亭子口水利枢纽工程问题): the question is about it."""
        headings = self._matters.get(doc_id)
        if headings is None:  # read once per document: the answerer lives as long as its index
            headings = self._matters[doc_id] = [about.group(0) for h in self._index.structures[doc_id].headings
                                                if not h.outline for about in [_ABOUT_MATTER.search(fold(h.text))]
                                                if about]
        for term in query.terms:
            if len(term) < 2 or gate.held(query, term, card) or gate.held(query, term, quoted):
                continue
            if sum(term in heading for heading in headings) == 1:  # as written: 孩子 is not every 学生 a heading names
                return True
        return False

    def _after(self, citation: Citation) -> str:
        """The few characters of its document that follow a quote."""
        return self._index.documents[self._doc_id(citation.doc)].text[citation.end : citation.end + 8]

    def _leads(self, answer: Answer) -> str:
        """The lead-in sentences (ending in a colon) of the quoted clauses, folded."""
        leads = []
        for citation in answer.citations:
            text = self._index.documents[self._doc_id(citation.doc)].text
            lead = enumerations.lead_of(text, citation.start)
            if lead:
                leads.append(text[lead[0] : lead[1]])
        return fold(" ".join(leads))

    def _folded(self, doc_id: str) -> str:
        """A document's whole text folded for matching, kept for the documents answered from recently (the web app
        answers several questions at once: the cache is shared under a lock)."""
        with self._folded_lock:
            folded = self._folded_texts.get(doc_id)
        if folded is None:
            folded = fold(self._index.documents[doc_id].text)
            with self._folded_lock:
                while len(self._folded_texts) >= 32:
                    self._folded_texts.pop(next(iter(self._folded_texts)), None)
                self._folded_texts[doc_id] = folded
        return folded

    def _doc_id(self, path: str) -> str:
        return self._index.path_ids[path]

    def _card_of(self, answer: Answer) -> str:
        """The folded card of the document an answer quotes first."""
        return self._index.folded_card(self._doc_id(answer.citations[0].doc))

    # ---- several documents, and the question names none --------------------------------------------------------
    def _ask_back(self, query: Query, hits: Sequence[Hit], term_weight: dict[str, float]) -> Answer | None:
        """"您问的是哪份文件？" when the question names no document and the best passages of two or more documents
        hold the question equally well."""
        if query.named or len(hits) < 2:
            return None
        best: dict[str, Hit] = {}
        for hit in hits:
            best.setdefault(hit.chunk.doc_id, hit)
        if len(best) < 2:
            return None
        ranked = sorted(best.values(), key=lambda h: -h.score)
        top = ranked[0]
        close = [h for h in ranked if h.score >= weights.ASK_BACK_MARGIN * top.score
                 and self.coverage(query, h, term_weight) >= weights.ASK_BACK_COVERAGE]
        if len(close) < 2:
            return None
        # only when the question's words sit in the same place in each: a section heading they all share
        headings = [fold(" ".join(h.chunk.heading_path[1:])) for h in close]
        focus = [t for t in query.focus if t]
        if not focus or not all(all(gate.held(query, t, heading) for t in focus) for heading in headings):
            return None
        if len(query.asked_for) >= 2 and len({query.asked_for in heading for heading in headings}) > 1:
            return None  # one of them names the asked thing as written (主要任务, not 重点任务): no doubt
        candidates = tuple(
            Candidate(self._index.documents[h.chunk.doc_id].path, self._index.documents[h.chunk.doc_id].display_title,
                      h.chunk.text[:40])
            for h in close[:4]
        )
        lines = ["您问的是哪份文件？以下文件都有相关内容，请指明文件后再问："]
        lines += [f"{n}. 《{c.title}》" for n, c in enumerate(candidates, 1)]
        return Answer(query.asked, "\n".join(lines), (), False, "ask_back", tuple(hits), candidates=candidates)

    # ---- figures and facts ----------------------------------------------------------------------------------
    def _sentence_answer(self, query: Query, hits: Sequence[Hit], term_weight: dict[str, float],
                         ranked: list[_Sentence] | None = None) -> Answer | None:
        """The best of the ranked sentences (ranked here when not given), with the next when it is nearly as good."""
        figure = query.shape == FIGURE
        # a figure question is answered by a sentence that holds a figure, or not at all
        if ranked is None:
            ranked = self._rank_sentences(query, hits, term_weight, require_figure=figure)
        if not ranked:
            return None
        best = ranked[0]
        chosen = [best]
        for other in ranked[1:3]:
            # a second sentence when it is nearly as good; for a figure, only when the two are close to a tie
            close = weights.SECOND_FIGURE if figure else weights.SECOND_SENTENCE
            if other.score >= close * best.score and other.doc_id == best.doc_id and not _overlaps(other, chosen):
                chosen.append(other)
                break
        document = self._index.documents[best.doc_id]
        citations = Citations(self._index)
        numbered = document.number and document.text[best.start : best.end].strip() == document.number
        addressed = _salutation_sentence(document.text) if numbered and _ASKS_WHO.search(query.text) else None
        if addressed:
            # 82号答复的是哪位委员？: the reply's salutation line and the sentence that names what it answers
            best = _Sentence(best.doc_id, *addressed, best.score, best.hit)
            chosen = [best]
        if numbered and not addressed:
            # the question names a document by its number: answer with the document's title and number
            header_end = facts.number_end(document)
            n = citations.cite(best.doc_id, 0, header_end, best.score, (0, header_end))
            text = f"{document_name(document)}（{document.number}）[{n}]"
            return Answer(query.asked, text, tuple(citations.items), False, "fact", tuple(hits))
        for leading in chosen if query.shape == LIST or _ASKS_CASES.search(query.text) else ():
            if not document.text[leading.start : leading.end].rstrip().endswith(("：", ":")):
                continue
            # "有下列情形之一的，…可以申请变更户主：": the sentence leads items; they are the answer
            led = next((items for start, end, items in enumerations.lead_lists(document.text, leading.start, leading.end)
                        if start <= leading.start < end and end >= leading.end - 1), None)
            if led:
                listed = _List(leading.score, leading.doc_id, leading.start, leading.end,
                               document.text[leading.start : leading.end], tuple(led))
                return self._compose_list(query, hits, listed)
        heading = self._heading_at(best)
        if heading is not None:
            structure = self._index.structures[best.doc_id]
            items = self._items(best.doc_id, structure, heading)
            if len(items) >= 2 and not figure:  # 如何…结合？ answered by a heading that lists its ways
                listed = _List(best.score, best.doc_id, heading.start, heading.end, heading.text, tuple(items),
                               heading.outline)
                return self._compose_list(query, hits, listed)
            chosen = [self._with_body(best, whole_paragraph=query.shape == LIST)]
        elif len(chosen) == 1 and _asks_twice(query.asked):
            # 哪天考？考几门？: the sentence after the one that answers the first ask, in its paragraph, often answers
            # the second ("考试科目为语文、数学两科")
            following = _next_in_paragraph(document.text, best.end)
            if following is not None:
                chosen.append(_Sentence(best.doc_id, *following, best.score, best.hit))
            before = _sentence_before(document.text, best.start)
            first_ask = [t for t in query.terms if t in re.split(r"[？?]", query.text)[0]]
            if before is not None and before[1] - before[0] <= weights.WHOLE_SENTENCE and \
                    _holds_more(query, term_weight, first_ask, fold(document.text[before[0] : before[1]]),
                                fold(document.text[best.start : best.end])):
                # 能免几年？要是2018年底前就转完了呢？: the sentence before answers the first ask (五年内免征…)
                chosen.append(_Sentence(best.doc_id, *before, best.score, best.hit))
        parts = []
        covered = 0
        for sentence in sorted(chosen, key=lambda s: s.start):
            if sentence.start < covered:
                continue  # one of the clauses quoted with the sentence before it
            lead = enumerations.lead_of(document.text, sentence.start)
            if lead and sentence.end - lead[0] <= enumerations.WITH_LEAD:  # "主要预期目标是：…；国内生产总值增长8%左右；"
                sentence = _Sentence(sentence.doc_id, lead[0], sentence.end, sentence.score, sentence.hit)
            rest = _rest_of_clauses(document.text, sentence.end)
            if rest and (rest - sentence.start <= weights.WHOLE_SENTENCE or rest - sentence.start <= enumerations.WITH_LEAD
                         and re.search("[：:]", document.text[sentence.start : sentence.end])):
                # "收入限制：单身人士月收入不高于2000元；家庭月收入不高于3000元。": what a colon opens is all its clauses
                sentence = _Sentence(sentence.doc_id, sentence.start, rest, sentence.score, sentence.hit)
            opening = _clauses_before(document.text, sentence.start)
            if opening is not None and sentence.end - opening <= weights.WHOLE_SENTENCE and not lead:
                # "…30个工作日内完成；…但延长的期限不得超过15个工作日。": the clause after ； is half of a short rule
                sentence = _Sentence(sentence.doc_id, opening, sentence.end, sentence.score, sentence.hit)
            addressed = _addressee_start(document.text, sentence) if _ASKS_WHO.search(query.text) else None
            if addressed is not None:  # 谁提的？ "您提出的…提案收悉" says it to the person the reply is addressed to
                sentence = _Sentence(sentence.doc_id, addressed, sentence.end, sentence.score, sentence.hit)
            covered = sentence.end
            n = citations.cite(sentence.doc_id, sentence.start, sentence.end, sentence.score,
                               (sentence.hit.chunk.start, sentence.hit.chunk.end))
            parts.append(f"{document.text[sentence.start : sentence.end].strip()}[{n}]")
        text = f"据{document_name(document)}：" + "".join(parts)
        return Answer(query.asked, text, tuple(citations.items), False, "number" if figure else "fact", tuple(hits))

    def _heading_at(self, sentence: _Sentence) -> Heading | None:
        return next(
            (h for h in self._index.structures[sentence.doc_id].headings if h.start == sentence.start and h.end > h.start),
            None,
        )

    def _with_body(self, sentence: _Sentence, whole_paragraph: bool = False) -> _Sentence:
        """A heading that matches the question is answered with the sentences that develop it: two, or for a list
        asked (哪些政策保障), its first paragraph whole when short, each sentence one of what it lists."""
        structure = self._index.structures[sentence.doc_id]
        text = self._index.documents[sentence.doc_id].text
        heading = self._heading_at(sentence)
        end = structure.section_end(heading)
        following = sentence_spans(text, heading.end, len(text) if end < 0 else end)
        if not following:
            return sentence
        paragraph_end = text.find("\n", following[0][0])
        paragraph = [s for s in following if paragraph_end < 0 or s[1] <= paragraph_end]
        if whole_paragraph and paragraph and paragraph[-1][1] - sentence.start <= weights.SECTION_PARAGRAPH:
            return _Sentence(sentence.doc_id, sentence.start, paragraph[-1][1], sentence.score, sentence.hit)
        return _Sentence(sentence.doc_id, sentence.start, following[:2][-1][1], sentence.score, sentence.hit)

    def _rank_sentences(
        self, query: Query, hits: Sequence[Hit], term_weight: dict[str, float], require_figure: bool
    ) -> list[_Sentence]:
        total = sum(term_weight.values()) or 1.0
        asked_figures = set(_FIGURE.findall(query.text))
        phrase = _QUESTION_WORDS.sub("", query.text)
        top = hits[0].score or 1.0
        ranked: list[_Sentence] = []
        about_header = bool(_ABOUT_HEADER.search(query.text))
        target = require_figure and gate.asks_target(query)
        when = _ASKS_DATE.search(query.text) is not None
        slot = [t for t in query.focus if len(t) >= 2] or list(term_weight)[:3]
        anchor = _COUNTED_FROM.search(query.text)
        if anchor and anchor.group(1) in query.terms:
            slot.append(anchor.group(1))  # 签发后几天内报备？: the days are counted from 签发 (自签发之日起4个工作日内)
        listed_of = [t for t in query.focus if len(t) >= 2 and t not in LIST_NOUNS] if query.shape == LIST else []
        defines = _defining(fold(query.defined)) if query.defined else None
        head = gate.asked_head(query)
        for hit in hits:
            chunk = hit.chunk
            document = self._index.documents[chunk.doc_id]
            card = self._index.folded_card(document.id)
            context = card + " " + fold(" ".join(chunk.heading_path))
            header_end = _header_end(document)
            names_only = all(gate.held(query, term, card) for term in query.terms)
            for start, end in sentence_spans(document.text, chunk.start, chunk.end):
                words = fold(document.text[start:end])
                if len(words) < 6 or _is_question(words):
                    continue  # a FAQ's own question line is not its answer
                if start < header_end and not (names_only or about_header):
                    continue  # the title, 文号 and 主送 lines name the document; they answer little else
                figures_in = _REFERENCE.sub("", _HEADING_MARKER.sub("", words))
                if require_figure and not (set(_FIGURE.findall(figures_in)) - asked_figures or _CN_FIGURE.search(figures_in)
                                           or when and _RELATIVE_TIME.search(figures_in)):
                    continue
                if require_figure and query.unit and not re.search(query.unit, figures_in):
                    continue  # 多少钱 asked: a sentence that counts nothing in 元 does not answer
                own = gate.share(query, term_weight, words)
                lead = enumerations.lead_of(document.text, start)
                around = context + (fold(document.text[lead[0] : lead[1]]) if lead else "")
                near = sum(
                    w for term, w in term_weight.items() if gate.held(query, term, around) and not gate.held(query, term, words)
                ) / total
                # the question's own wording found in one piece ("政务新媒体工作的主管单位") beats scattered terms
                run = _longest_common_run(phrase, words) / max(len(phrase), 1) if phrase else 0.0
                score = own + 0.9 * near + 0.25 * hit.score / top + 0.5 * run - 0.0005 * len(words)
                if query.shape == LIST and words.count("、") >= 2:
                    score += weights.ENUMERATION  # a list asked, and a sentence that enumerates
                if listed_of and all(gate.held(query, t, words) for t in listed_of):
                    score += weights.LIST_OF  # a list asked: a sentence that says what it is a list of (…具有重要意义)
                if require_figure and _figure_near(query, slot, words):
                    score += weights.FIGURE_NEAR  # "子女教育…每月1000元": the figure stands by what is asked
                if target and gate.target_held(query, words + around):
                    score += weights.TARGET  # a target asked: a sentence that sets one, not last year's result
                if head and gate.held(query, head, words):
                    score += weights.ASKED_HEAD  # 初审要多少个工作日？: the sentence that says 初审, not only 审核
                if require_figure and document.year in query.years and _THIS_YEAR.search(words + around):
                    score += weights.THIS_YEAR  # 2011年的目标 in the 2011 report: 今年…, not 今后五年…
                if defines is not None and defines.search(words):
                    score += weights.DEFINITION  # “2”指的是什么？ and the sentence that says “2”是指…
                if gate.contrasted(query, context, words):
                    score -= weights.CONTRASTED  # 理科考生总分相同 asked, the rule for 体育类 考生 quoted
                if chunk.outline:
                    score *= weights.OUTLINE_PENALTY
                ranked.append(_Sentence(chunk.doc_id, start, end, score, hit))
        ranked.sort(key=lambda s: -s.score)
        unique, seen = [], set()
        for sentence in ranked:
            key = (sentence.doc_id, sentence.start)
            if key not in seen:
                seen.add(key)
                unique.append(sentence)
        return unique

    # ---- list questions -------------------------------------------------------------------------------------
    def _list_answer(self, query: Query, hits: Sequence[Hit], term_weight: dict[str, float]) -> Answer | None:
        focus = [t for t in query.focus if not t.isdigit()]
        top = hits[0].score or 1.0
        best: _List | None = None
        # a 文号 names the document (国发〔2018〕38号): whether a heading is the one asked for is judged without it
        asked = {t: w for t, w in term_weight.items() if not DOC_NUMBER.fullmatch(t)} or term_weight
        for hit in hits:
            doc_id = hit.chunk.doc_id
            structure = self._index.structures[doc_id]
            text = self._index.documents[doc_id].text
            fits = self.coverage(query, hit, term_weight)
            for candidate in self._candidate_lists(query, doc_id, structure, hit):
                lead = fold(candidate.owner_text)
                match = gate.share(query, term_weight, lead)
                focused = sum(gate.held(query, term, lead) for term in focus) / len(focus) if focus else 0.0
                # 打造成哪几个中心？ is answered by the headings that each name one (…加工制造中心, …研发设计中心)
                naming = _items_naming(query, focus, self._index.documents[doc_id].text, candidate.items)
                focused = max(focused, naming)
                # 哪四方面工作？ and a section of four items whose heading holds some of the question's words
                counted = weights.LIST_COUNT if query.count == len(candidate.items) and match > 0 else 0.0
                if focused == 0 and gate.share(query, asked, lead) < weights.LIST_HEADING_MATCH and not counted:
                    continue  # a list under a heading the question does not name is not what was asked
                if _announces_other_kind(query, lead, text, candidate.items):
                    continue  # 走哪些程序？ and "…按照下列规定办理": a list of rules, not of steps
                named = weights.LIST_PHRASE if len(query.asked_for) >= 2 and query.asked_for in lead else 0.0
                score = match + focused + naming + fits + named + counted + 0.5 * hit.score / top \
                    + 0.05 * min(len(candidate.items), 6)
                if _ANNOUNCES.search(lead):
                    score += weights.LIST_ANNOUNCED  # 评估内容包括： says a list follows, a chapter's articles do not
                if hit.chunk.outline:
                    score *= weights.OUTLINE_PENALTY
                if best is None or score > best.score:
                    best = _List(score, candidate.doc_id, candidate.owner_start, candidate.owner_end,
                                 candidate.owner_text, candidate.items, candidate.outline)
        if best is None:
            return None
        return self._compose_list(query, hits, best)

    def _candidate_lists(self, query: Query, doc_id: str, structure: Structure, hit: Hit) -> Iterator[_List]:
        """Lists a passage may belong to: the sections governing it (their sub-headings, 一是…, ——lines), deepest
        first, and enumerations inside the passage's own paragraphs (their lead-in sentence names them)."""
        owners = self._owners(structure, hit)
        # the sections governing the passage, then those that open inside it (…（六）… 二、下列人员不属于报考对象 …)
        owners += [h for h in structure.headings if hit.chunk.start <= h.start < hit.chunk.end and h.end > h.start
                   and not h.outline and h not in owners]
        for owner in owners:
            # the same section in the outline and in the body: take the one that lists more items
            versions = [(h, self._items(doc_id, structure, h)) for h in _twins(structure, owner)]
            owner, items = max(versions, key=lambda v: (len(v[1]), not v[0].outline))
            if len(items) >= 2:
                yield _List(0.0, doc_id, owner.start, owner.end, owner.text, tuple(items), owner.outline)
        text = self._index.documents[doc_id].text
        asked = [t for t in query.focus if len(t) >= 2]

        def says_asked(words: str) -> bool:  # 一、关于60万吨乙烯项目问题 for 回复了哪些问题和建议
            return any(gate.held(query, t, fold(words)) for t in asked)

        for lead_start, lead_end, items in enumerations.lead_lists(text, hit.chunk.start, hit.chunk.end, says_asked):
            yield _List(0.0, doc_id, lead_start, lead_end, text[lead_start:lead_end], tuple(items))

    def _siblings(self, query: Query, hits: Sequence[Hit], sentence: Answer | None) -> Answer | None:
        """The list whose item a one-passage answer quotes, when the question asks for each of several (分别)."""
        if sentence is None or len({c.doc for c in sentence.citations}) != 1:
            return None
        first = sentence.citations[0]
        doc_id = self._doc_id(first.doc)
        for hit in hits:
            if hit.chunk.doc_id != doc_id or not hit.chunk.start <= first.start < hit.chunk.end:
                continue
            candidates = list(self._candidate_lists(query, doc_id, self._index.structures[doc_id], hit))
            for candidate in candidates:
                if any(start <= first.start and first.end <= end for start, end in candidate.items):
                    return self._compose_list(query, hits, candidate)
            for candidate in candidates:
                # the quote is the list's lead with its first item: (一)在三级医院发生的医疗费用：1、起付标准至1万元…
                if candidate.owner_start == first.start and candidate.items[0][0] < first.end <= candidate.items[0][1]:
                    return self._compose_list(query, hits, candidate)
        return None

    def _compose_list(self, query: Query, hits: Sequence[Hit], listed: _List) -> Answer:
        document = self._index.documents[listed.doc_id]
        structure = self._index.structures[listed.doc_id]
        citations = Citations(self._index)
        owner_text = listed.owner_text.strip().rstrip("：:，,")
        cited_start, cited_end = listed.owner_start, listed.owner_end
        owner = next((h for h in structure.headings if h.start == cited_start and h.text == listed.owner_text), None)
        if owner is not None and owner.end == owner.start:  # a heading only the outline has words for
            twin = next((h for h in _twins(structure, owner) if h.end > h.start), owner)
            cited_start, cited_end = twin.start, twin.end
        heading_n = citations.cite(listed.doc_id, cited_start, cited_end, listed.score, (cited_start, cited_end))
        shown = len(listed.items[: weights.MAX_LIST_ITEMS])
        count = f"列出了{shown}项" if shown == len(listed.items) else f"共{len(listed.items)}项，以下是前{shown}项"
        if owner is not None:  # a section: 《…》“四、切实加强对学习教育的组织领导”部分列出了4项
            lines = [f"{document_name(document)}“{_short(owner_text)}”部分{count}：[{heading_n}]"]
        else:  # a sentence that leads the items: 据《…》，“…现将有关情况函复如下”，列出了5项
            lead = owner_text if len(owner_text) <= weights.WHOLE_SENTENCE else "…" + owner_text[-40:]  # its end says what follows
            lines = [f"据{document_name(document)}，“{lead}”，{count}：[{heading_n}]"]
        items = []
        for number, (start, end) in enumerate(listed.items[: weights.MAX_LIST_ITEMS], 1):
            item_start, item_end = self._prefer_body(listed.doc_id, start, end)
            item_end = self._with_content(listed.doc_id, item_start, item_end)
            n = citations.cite(listed.doc_id, item_start, item_end, listed.score, self._paragraph(listed.doc_id, item_start))
            words = document.text[item_start:item_end].strip()
            if words[-1:] not in "。；;！？!?":
                words += "…"
            prefix = "" if heading_level(words) is not None else f"{number}. "
            lines.append(f"{prefix}{words}[{n}]")
            label = document.text[start:end]
            label_start = start + len(label) - len(label.lstrip())
            items.append(AnswerItem(document.path, label_start, label_start + len(label.strip()), label.strip()))
        return Answer(query.asked, "\n".join(lines), tuple(citations.items), False, "list", tuple(hits),
                      items=tuple(items))

    def _parts_answer(self, query: Query, hits: Sequence[Hit]) -> Answer | None:
        """分了哪几部分？: the parts of the document found first, its top-level headings in order."""
        doc_id = hits[0].chunk.doc_id
        document = self._index.documents[doc_id]
        headings = [h for h in self._index.structures[doc_id].headings if not h.outline and h.end > h.start]
        if not headings:
            return None
        top = min(h.level for h in headings)
        parts = [h for h in headings if h.level == top]
        if not 2 <= len(parts) <= weights.MAX_LIST_ITEMS:
            return None
        citations = Citations(self._index)
        lines = [f"{document_name(document)}分为{len(parts)}个部分："]
        for part in parts:
            n = citations.cite(doc_id, part.start, part.end, hits[0].score, (part.start, part.end))
            lines.append(f"{part.text.strip()}[{n}]")
        items = tuple(AnswerItem(document.path, part.start, part.end, part.text.strip()) for part in parts)
        return Answer(query.asked, "\n".join(lines), tuple(citations.items), False, "list", tuple(hits), items=items)

    def _with_content(self, doc_id: str, start: int, end: int) -> int:
        """An item that is only a label (（一）指导思想, 二要在“真查”上挖根源。) is shown with the words that develop
        it: its first sentence, cut after a clause when long."""
        text = self._index.documents[doc_id].text
        structure = self._index.structures[doc_id]
        label = text[start:end].strip()
        if len(label) > _BARE_LABEL or structure.in_outline(start):
            return end
        heading = next((h for h in structure.headings if h.start == start and h.end > h.start), None)
        if heading is None:
            return end
        section_end = structure.section_end(heading)
        stop = len(text) if section_end < 0 else section_end
        following = sentence_spans(text, heading.end, stop)[:1]
        if not following or _is_question(text[following[0][0] : following[0][1]]):
            return end
        return _body_end(text, *following[0])

    def _owners(self, structure: Structure, hit: Hit) -> list[Heading]:
        """Sections that may hold the listed items: those governing the passage, deepest first."""
        owners: list[Heading] = []
        for level in range(8, 0, -1):
            owner, _ = structure.section(hit.chunk.start if hit.chunk.outline else _first_body(hit), level)
            if owner is not None and all(o.start != owner.start for o in owners):
                owners.append(owner)
        return owners

    def _items(self, doc_id: str, structure: Structure, owner: Heading) -> list[tuple[int, int]]:
        """The enumerated items of a section: its sub-headings, else 一是…二是… or ——lines inside its text."""
        end = structure.section_end(owner)
        children = structure.children(owner, end)
        if len(children) >= 2:
            return [(child.start, child.end) for child in children]
        text = self._index.documents[doc_id].text
        stop = len(text) if end < 0 else end
        markers = [m.start("marker") for m in ENUM_MARKER.finditer(text, owner.end, stop)]
        if len(markers) >= 2:
            return enumerations.enumerated(text, markers, stop)
        dashes = [(s, e) for s, e in enumerations.paragraphs_in(text, owner.end, stop) if _DASH_ITEM.match(text[s:e])]
        if len(dashes) >= 2:
            return [(s, min(e, sentence_spans(text, s, e)[0][1])) for s, e in dashes]
        # 坚持党的领导。坚持和加强…\n维护国家安全。…: every paragraph of the section opens with a short label sentence,
        # sub-headings written as the first sentence of their paragraph
        paragraphs = enumerations.paragraphs_in(text, owner.end, stop)
        while paragraphs and not any(mark in text[slice(*paragraphs[-1])] for mark in "。；！？"):
            paragraphs.pop()  # the signature and date that close the document
        labels = [sentence_spans(text, s, e)[:1] for s, e in paragraphs]
        if len(paragraphs) >= 2 and all(label and label[0][1] - label[0][0] <= _LABEL_SENTENCE
                                        and label[0][1] < e and text[label[0][1] - 1] == "。"
                                        for label, (_, e) in zip(labels, paragraphs)):
            return [_label_with_body(text, label[0], end) for label, (_, end) in zip(labels, paragraphs)]
        # 对少数民族小学毕业生…予以适当照顾；对驻郑部队现役军人子女予以适当照顾；对…予以适当照顾。: one paragraph of
        # clauses that end alike, each one of what the section lists
        if len(paragraphs) == 1:
            parts = enumerations.clauses(text, *paragraphs[0])
            ends = {text[s:e].rstrip("；;。 \n")[-_PARALLEL_END:] for s, e in parts}
            if len(parts) >= 3 and len(ends) == 1:
                return parts
        return []

    def _prefer_body(self, doc_id: str, start: int, end: int) -> tuple[int, int]:
        """An outline item that the body repeats is cited from the body, where its text is developed."""
        structure = self._index.structures[doc_id]
        if not structure.in_outline(start):
            return start, end
        words = fold(self._index.documents[doc_id].text[start:end]).rstrip("。；;")
        for heading in structure.headings:
            if not heading.outline and heading.end > heading.start and fold(heading.text) == words:
                return heading.start, heading.end
        return start, end

    def _paragraph(self, doc_id: str, offset: int) -> tuple[int, int]:
        """The passage shown around a cited item: its paragraph, or its top-level item of an inline outline."""
        text = self._index.documents[doc_id].text
        structure = self._index.structures[doc_id]
        if structure.in_outline(offset):
            owner, end = structure.section(offset, 4)
            if owner is not None and owner.level > 0:
                outline_end = structure.outline_span[1]
                return owner.start, outline_end if end < 0 else min(end, outline_end)
        start = text.rfind("\n", 0, offset) + 1
        end = text.find("\n", offset)
        return start, len(text) if end < 0 else end


def _sums_up(query: Query, answer: Answer | None) -> bool:
    """Whether a one-sentence answer sums the asked list up itself: it enumerates (A、B和C) within 由…组成, 包括…,
    分为…, …等N项 and holds what was asked (one of its sentences, where it quotes two)."""
    if answer is None:
        return False
    slot = [t for t in query.focus if t not in LIST_NOUNS] or list(query.focus)
    return any(_SUMMARY.search(quote) and quote.count("、") >= 2 and slot and all(gate.held(query, t, quote) for t in slot)
               for quote in (fold(citation.quote) for citation in answer.citations))


# what a lead-in says its items are (按照下列规定办理, 应当提交以下材料)
_ANNOUNCED_KIND = re.compile(r"(?:下列|以下|如下)(?:的|各项|几项|几类)?([\u4e00-\u9fff]{2})")
_KINDS = LIST_NOUNS | frozenset("规定 情形 规则 文件 证件 人员 单位 项目".split())
_ANY_KIND = frozenset("情况 事项 内容 方面 工作".split())  # 哪些情况 may be asked of 下列情形, of 下列人员 …


def _announces_other_kind(query: Query, lead: str, text: str, items: Sequence[tuple[int, int]]) -> bool:
    """Whether a list's folded lead-in says its items (spans of `text`) are of a kind (下列规定) other than the kind
    the question asks (程序), and no item names the kind asked (（二）配房租赁的建筑面积标准… is a 标准 among 下列规定)."""
    asked = [t for t in query.focus if t in LIST_NOUNS and t not in _ANY_KIND]
    kinds = [m.group(1) for m in _ANNOUNCED_KIND.finditer(lead) if m.group(1) in _KINDS]
    if not asked or not kinds or any(gate.held(query, t, kind) for t in asked for kind in kinds):
        return False
    said = fold(" ".join(text[start:end] for start, end in items))  # folded only when the lead-in says another kind
    return not any(gate.held(query, t, said) for t in asked)


def _enumerates_closer(query: Query, term_weight: dict[str, float], sentence: Answer | None,
                       listed: Answer | None, card_of) -> bool:
    """Whether a sentence that enumerates (A、B、C) holds the question's words clearly better than the heading of
    the list found beside it ("符合有合法稳定就业、合法稳定住所、连续就读条件之一的…" against "有下列情形之一的，…注销
    居住证")."""
    if sentence is None or listed is None or len(sentence.citations) != 1:
        return False
    said, lead = fold(sentence.citations[0].quote), fold(listed.citations[0].quote)
    if said.count("、") < 2:
        return False
    said, lead = card_of(sentence) + " " + said, card_of(listed) + " " + lead  # each with what names its document
    focus = [t for t in query.focus if t not in LIST_NOUNS]
    return (gate.share(query, term_weight, said) >= gate.share(query, term_weight, lead) + weights.ENUMERATION_CLOSER
            and sum(gate.held(query, t, said) for t in focus) >= sum(gate.held(query, t, lead) for t in focus))


_COMPOUND_GAP = 12  # characters between a compound's parts that still write it


def _asks_twice(question: str) -> bool:
    """Whether a question asks two things, each with its own question mark (多久找不到才给补？补好之前怎么办？)."""
    return sum(len(re.findall(r"[\u4e00-\u9fff]", part)) >= 2 for part in re.split(r"[？?]", question)) >= 2


def _measure_unnamed(query: Query, written: str) -> bool:
    """Whether a figure question asks the figure of a measure (公示期, 贷款) that the quoted words do not name: then the
    figure they give is another's (验收's months; growth and prices, not 贷款). 有效 holds 有效期."""
    measure = gate.asked_head(query)
    if not (len(measure) >= 3 and _MEASURE.search(measure) or _MEASURED_THING.fullmatch(measure)):
        return False  # 期限, 总额: words any figure's sentence may leave unsaid
    return not gate.held(query, measure, written) \
        and not (len(measure) >= 3 and gate.held(query, measure[:-1], written))


def _sentence_before(text: str, start: int) -> tuple[int, int] | None:
    """The sentence before `start` in the same paragraph, if any."""
    opened = text.rfind("\n", 0, start) + 1
    spans = sentence_spans(text, opened, start) if opened < start else []
    return spans[-1] if spans else None


def _holds_more(query: Query, term_weight: dict[str, float], terms: list[str], one: str, other: str) -> bool:
    """Whether one folded text holds more of these terms' weight than the other."""
    def weight(text: str) -> float:
        return sum(term_weight.get(t, 0.0) for t in terms if gate.held(query, t, text))
    return weight(one) > weight(other)


def _next_in_paragraph(text: str, end: int) -> tuple[int, int] | None:
    """The sentence after `end` when it is in the same paragraph and short enough to quote whole."""
    paragraph_end = text.find("\n", end)
    spans = sentence_spans(text, end, len(text) if paragraph_end < 0 else paragraph_end)
    if not spans or spans[0][1] - spans[0][0] > weights.WHOLE_SENTENCE:
        return None
    return spans[0]


def _defining(word: str) -> re.Pattern[str]:
    """How a document says what a word means: “2”是指…, 所称经济解困房，是指…, 积分即…"""
    return re.compile(re.escape(word) + r"[”\"」]?\s*[，,]?\s*(?:是指|指的是|系指|指|即|就是|意思是)")


def _compound_parts(query: Query) -> list[list[tuple[str, str]]]:
    """Two key terms written next to each other in the question (学习 + 教育 -> 学习教育), as pairs of parts in all
    their forms (公租房 + 申请, 公共租赁住房 + 申请)."""
    found = []
    for first, second in zip(query.terms, query.terms[1:]):
        if gate.SPAN.fullmatch(first) or gate.SPAN.fullmatch(second):
            continue  # "多少日内报送": the 日内 belongs to the figure asked, which the document writes its own way
        if len(first) >= 2 and len(second) >= 2 and first + second in query.text:
            found.append([(a, b) for a in query.forms(first) for b in query.forms(second)])
    return found


def _written(parts: list[tuple[str, str]], text: str) -> bool:
    """Whether a text writes a compound, whole or its two parts a few characters apart, in order ("有效期自施行之日起
    一般" for 有效期一般)."""
    return any(re.search(re.escape(a) + f".{{0,{_COMPOUND_GAP}}}?" + re.escape(b), text) for a, b in parts)


def _header_end(document: Document) -> int:
    """Where a 公文's header (title, 文号, 主送) ends: after the 文号 line, or after the title's lines."""
    text = document.text
    if document.number:
        at = text.find(document.number, 0, 400)
        if at >= 0:
            return at + len(document.number)
    title = document.title.replace(" ", "")
    cursor = 0
    for line in text[:300].split("\n"):
        if line.strip() and line.strip() in title:
            cursor += len(line) + 1
            continue
        break
    return cursor


_ABOUT_HEADER = re.compile(r"号|令|公布|发布|印发|签发|成文|日期|哪天|哪一天|何时|什么时候|主送|发给")
_ASKS_PARTS = re.compile(r"(?:分(?:了|为|成)?|有|包括|包含)(?:哪几|几)(?:个)?(?:部分|章|篇)")  # the document's own parts
_THIS_YEAR = re.compile(r"今年|本年度?")
_NEAR = 20  # characters between an asked word and a figure that make them belong together
# verbs a date comes before ("自2010年7月1日起施行", "于2019年3月底前完成")
_ASKS_DATE = re.compile(r"哪天|哪一天|何时|什么时候|什么时间|几号|几月几日|哪年哪月|从何时")
# a time asked and a time written by the event it counts from (从出生之日起, 次月): a figure of its own kind
_RELATIVE_TIME = re.compile(gate.RELATIVE_TIME)
_FIGURE_OR_TIME = re.compile(f"{_FIGURE.pattern}|{gate.RELATIVE_TIME}")
_DATED_VERBS = frozenset("施行 实施 执行 生效 试行 废止 失效 完成 印发 发布 公布 开始 启动 截止".split())


# the event a span asked is counted from (签发后几天内, 受理之日起多少个工作日): the word before 后 or 之日起
_COUNTED_FROM = re.compile(r"([\u4e00-\u9fff]{2})(?:后|以后|之后|之日起|起)(?:的)?(?:几|多少|多长|多久)")
# how many asked (有几个开通了英文版, 多少家): the count stands before what it counts
_ASKS_COUNT = re.compile(r"(?:几|多少)(?:个|家|所|项|名|位|人|次|件|份|部|条|种)")


def _figure_near(query: Query, slot: list[str], words: str) -> bool:
    """Whether a figure stands within a few characters of one of the asked words: after it ("子女教育…每月1000元")
    or, for a verb, before it ("自2010年7月1日起施行"). A year asked is not such a word: 2016 stands by its own
    month and day."""
    when = bool(_ASKS_DATE.search(query.text))
    counted = bool(_ASKS_COUNT.search(query.text))
    figure = _FIGURE_OR_TIME if when else _FIGURE  # 什么时候 asked: 医保待遇从出生之日起享受
    for term in slot:
        if term.isdigit():
            continue
        for form in query.forms(term):
            at = words.find(form)
            if at < 0:
                continue
            if figure.search(words[at + len(form) : at + len(form) + _NEAR]):
                return True
            if (form in _DATED_VERBS or when or counted) and figure.search(words[max(0, at - _NEAR) : at]):
                return True  # 自2016年4月15日起享受, 有10个开通了英文版: a date or count stands before what it dates
    return False


def _rest_of_clauses(text: str, end: int) -> int | None:
    """Where the clauses after a clause ending in ； end: the 。 that closes them in the same paragraph; None when the
    clause does not end in ；, or no 。 closes them before the paragraph ends (the next item on a line of its own)."""
    if not text[:end].rstrip().endswith(("；", ";")):
        return None
    paragraph_end = text.find("\n", end)
    paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
    closing = text.find("。", end, paragraph_end)
    if closing < 0:
        return None
    return closing + 1


def _clauses_before(text: str, start: int) -> int | None:
    """Where the sentence starts whose clause after a ； starts at `start`: after the 。 (or the paragraph start)
    before it; None when the clause opens its sentence."""
    before = text[:start].rstrip()
    if not before.endswith(("；", ";")):
        return None
    paragraph_start = text.rfind("\n", 0, start) + 1
    opening = max(text.rfind(mark, paragraph_start, start) for mark in "。！？") + 1
    opening = max(opening, paragraph_start)
    while opening < start and text[opening] in " \u3000":
        opening += 1
    return opening if opening < len(before) else None


def _without(query: Query, words: frozenset[str]) -> Query:
    """The question less some of its words, as the checks see it."""
    return replace(query, terms=tuple(t for t in query.terms if t not in words),
                   focus=tuple(t for t in query.focus if t not in words))


def _short(words: str, limit: int = 40) -> str:
    return words if len(words) <= limit else words[:limit] + "…"


def _is_question(words: str) -> bool:
    return words.rstrip().endswith(("？", "?"))


def _longest_common_run(a: str, b: str) -> int:
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size if match.size >= 3 else 0


def _label_with_body(text: str, label: tuple[int, int], paragraph_end: int) -> tuple[int, int]:
    """A label sentence (坚持党的领导。) with the sentence that develops it, cut after a clause when long."""
    following = sentence_spans(text, label[1], paragraph_end)[:1]
    return (label[0], _body_end(text, *following[0])) if following else label


def _body_end(text: str, body_start: int, body_end: int) -> int:
    """Where the sentence that develops a label is cut: its end when short, else after its last clause within
    ITEM_BODY characters."""
    if body_end - body_start <= enumerations.ITEM_BODY:
        return body_end
    cut = max(text.rfind(mark, body_start, body_start + enumerations.ITEM_BODY) for mark in "，,；;")
    return cut + 1 if cut > body_start else body_start + enumerations.ITEM_BODY


def _twins(structure: Structure, owner: Heading) -> list[Heading]:
    """The heading itself and the headings of the same words elsewhere (outline and body)."""
    words = fold(owner.text)
    return [owner] + [h for h in structure.headings if h is not owner and h.level == owner.level and fold(h.text) == words]


def _first_body(hit: Hit) -> int:
    """Where a passage's own text begins, past heading lines that only introduce it."""
    newline = hit.chunk.text.find("\n")
    if 0 <= newline < 40 and hit.chunk.text[:newline].rstrip("。")[-1:] not in "。；":
        return hit.chunk.start + newline + 1
    return hit.chunk.start


def _overlaps(candidate: _Sentence, chosen: list[_Sentence]) -> bool:
    return any(c.doc_id == candidate.doc_id and c.start < candidate.end and candidate.start < c.end for c in chosen)


_PARALLEL_END = 3  # characters at the end of each ；-clause that show them parallel (予以适当照顾)


def _items_naming(query: Query, focus: Sequence[str], text: str, items: Sequence[tuple[int, int]]) -> float:
    """The share of a list's items whose own words name what the question asks a list of, when at least two do."""
    if not focus or len(items) < 2:
        return 0.0
    naming = sum(all(gate.held(query, t, fold(text[start:end])) for t in focus) for start, end in items)
    return naming / len(items) if naming >= 2 else 0.0


# a measured thing named in one word, unlike 期限 or 总额, which any figure's sentence may leave unsaid (not 面积 or
# 人数: 50平方米, 3000人 name their own measure)
_THINGS_MEASURED = "损失|贷款|投资|产量"
_MEASURED_THING = re.compile(_THINGS_MEASURED)
# a word that names the figure asked: its measure (…期, …率, 标准, 期限) or a thing that is measured (经济损失, 投资)
_MEASURE = re.compile(rf"(?:[{lexical.MEASURE_ENDS}]|标准|限额|年限|期限|时限|{_THINGS_MEASURED}|人数|面积|总量|数额|数量)$")
_DEFERRED = re.compile(r"另行(?:通知|公布|制定|确定|发布|规定)|届时(?:另行)?(?:通知|公布)|公布[^。；]{0,30}名单")
# a sentence that only says who will set what is asked ("…的格式，由市法制办统一制定（见附件）。"), and questions
# that ask that who (由谁制定, 哪个部门)
_SET_ELSEWHERE = re.compile(r"由[^。；，,]{2,30}?(?:统一|另行|负责|会同[^。；，,]{2,20}?)?(?:制定|规定|确定|提出)"
                            r"(?:[^。；，,]{0,30}?(?:后施行|后执行))?\s*(?:[（(][^（）()]{0,20}[）)])?\s*[。；]?$")
# what a figure is counted per (每套, 人均), and how an answer may write the same
_PER_UNIT = re.compile(r"(?:每|户均|人均)(套|户|人|平方米|平米)")
_PER_FORMS = {"套": r"每套|套均|/套|套型|\d\s*套", "户": r"每户|户均|/户|以户|按户|\d人户", "人": r"每人|人均|/人|按人",
              "平方米": r"每平方米|/平方米|/M2|/m2|/㎡|元/", "平米": r"每平方米|每平米|/平方米|/M2|/m2|/㎡|元/"}
_ANNOUNCES = re.compile(r"(?:包括|如下|下列|以下)[^：:]{0,12}[：:]$")  # a lead that says a list follows
_ASKS_CASES = re.compile(r"(?:什么|哪些|哪几种|哪种)(?:情况|情形|条件|场合)")  # answered by a rule's list of cases
_ROLE = re.compile(r"(?:组长|主任|主席|委员|成员|秘书长|部长|局长|厅长|书记|负责人|召集人|发言人)$")  # a post someone holds
# a role in the office of a body (办公室副主任, 秘书处处长): the office's, not the body's nor another body's
_OFFICE_ROLE = re.compile(r"(?:办公室|秘书处)(?:常务)?(?:副)?(?:主任|处长|秘书长|负责人)")
_ASKS_BODY = re.compile(r"谁|哪个(?:部门|单位|机关|机构)|什么(?:部门|单位|机关|机构)|哪些(?:部门|单位)|由哪|负责")
_ABOUT_MATTER = re.compile(r"关于.{2,40}?(?:问题|事项|建议)")  # a section of a reply: 五、关于大连新机场建设项目问题
_OMITTED = re.compile(r"[（(]\s*略\s*[）)]\s*$")  # what a published text leaves out: “……（略）”
_OMITTED_NEXT = re.compile(r"\s*[（(]\s*略\s*[）)]")  # … or right after a quoted heading: 五、关于…问题。（略）
# a count the question states of what it asks to be named (那3个网站是哪几个, 4项成果分别是哪些, 5名专家都是谁), not an
# ordinal (第3条)
_STATED_COUNT = re.compile(r"(?<![第\d])(\d{1,3}|[一二三四五六七八九十两]{1,3})\s*(个|项|名|位|家|所|条|种|类|部|篇|件)"
                           r"(?![一二三四五六七八九十两])")  # not 五位一体
_ASKS_WHICH = re.compile(r"哪些|哪几|是谁|哪[一二三四五六七八九十两\d]+[个项名位家所条种类部篇件]")


def _restates_count(question: str, said: str) -> bool:
    """Whether a question that states how many things it asks to be named (4项成果分别是哪些？) is answered by folded
    words that only state that count again (…等4项成果…, …等四项成果…), with no enumeration before it in its clause."""
    if not _ASKS_WHICH.search(question):
        return False
    for match in _STATED_COUNT.finditer(fold(question)):
        count, measure = chinese_number(match.group(1)), match.group(2)
        if count < 2:
            continue
        written = f"(?:{count}|{_chinese_count(count)}){measure}"
        stated = re.compile(rf"(?<![第\d{_CN_NUMERALS}]){written}(?![{_CN_NUMERALS}])")
        for found in stated.finditer(said):
            clause = said[max(said.rfind(mark, 0, found.start()) for mark in ",;:。") + 1 : found.start()]
            if clause.count("、") < 2:  # …子女教育、继续教育、大病医疗…等6项: the clause names them
                return True
    return False


_CN_NUMERALS = "一二三四五六七八九十两"


def _chinese_count(count: int) -> str:
    """A count under 100 in Chinese numerals (4 -> 四, 10 -> 十, 23 -> 二十三)."""
    digits = "零一二三四五六七八九"
    if count < 10:
        return digits[count]
    tens, units = divmod(count, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[units] if units else "")


# each of several asked: 分别是多少, 各需提交几份 (not 各有关部门, 各要素)
_ASKS_EACH = re.compile(r"分别|各自|各(?:是|为|需)|各有(?!关)|各要(?!素)")
_SEVERAL_FIGURES = re.compile(r"(?:分别|各)(?:是|为)?(?:多少|几)")  # figures asked as a list: 分别是多少
_ASKS_WHO = re.compile(r"谁|哪位|哪几位|哪些人|什么人")
_PLAN_PERIOD = re.compile(r"[十]?[一二三四五六七八九十]五")  # a five-year plan's period: 十一五, 十二五, 十四五
# a district or county by name (萧山区, 高淳区, 桐庐县); 市区, 城区 and other two-character words are kinds of place
_DISTRICT = re.compile(rf"(?![\u4e00-\u9fff]*(?:{ZONES}|各)[区县])[\u4e00-\u9fff]{{2,4}}[区县]")
_LETTER_TOP = 600  # characters from a letter's top that hold its salutation line
_SALUTATION = re.compile(r"[^。；：:\n]{1,40}(?:委员|代表|同志|先生|女士)们?[：:]")


def _addressee_start(text: str, sentence: _Sentence) -> int | None:
    """Where the salutation line (王某某委员：) stands above a sentence that speaks to its reader (您提出的…), when
    it is the line right above the sentence's paragraph."""
    if not re.search(r"您|你们", text[sentence.start : sentence.end]):
        return None
    paragraph = text.rfind("\n", 0, sentence.start) + 1
    above_end = paragraph - 1
    if above_end <= 0:
        return None
    above = text.rfind("\n", 0, above_end) + 1
    return above if _SALUTATION.fullmatch(text[above:above_end].strip()) else None


def _salutation_sentence(text: str) -> tuple[int, int] | None:
    """The salutation line near a letter's top (王某某委员：) with the sentence after it (您提出的…提案收悉)."""
    for line in re.finditer(r"^[^\n]+$", text[:_LETTER_TOP], re.MULTILINE):
        if _SALUTATION.fullmatch(line.group(0).strip()):
            following = sentence_spans(text, line.end(), min(len(text), line.end() + 400))
            return (line.start(), following[0][1]) if following else None
    return None


def refusal(question: str, hits: Sequence[Hit], missing: NamedDocument | None = None) -> Answer:
    """The answer that says the documents do not hold it, with the closest passages as related."""
    if missing is not None:
        text = f"文档库中没有找到问题所说的文件（{missing.phrase}），无法回答。"
    else:
        text = "文档中没有找到能回答这个问题的内容。"
    if hits:
        text += "以下段落可能相关，请自行核对。"
    return Answer(question, text, (), True, "refused", tuple(hits))
