"""Answers from retrieved passages, every sentence cited: the extractive answerer that needs no LLM.

Three shapes of question, told apart by their wording:
- list questions (有哪些, 哪几条, 什么要求, 任务, 措施 …) get the enumerated items of the matching section, in order;
- number questions (多少, 比例, 几天, 何时 …) get the sentence that holds the figure;
- other questions get the one or two sentences that cover the question's key terms best.
A question whose key terms, years and figures no passage covers is refused, with the closest passages as related.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from difflib import SequenceMatcher
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from wenyuan import lexical
from wenyuan.chunking import Structure, sentence_spans
from wenyuan.clean import ENUM_MARKER, fold, heading_level
from wenyuan.index import Index
from wenyuan.types import Answer, Citation, Heading, Hit

LIST_QUESTION = re.compile(
    r"有哪些|哪几|哪些|几条|几项|几个方面|几点|什么要求|哪些要求|要求是什么|要求有|任务是什么|目标任务|主要任务|重点任务|"
    r"措施|举措|怎么做|如何做|怎样做|主要内容|包括哪|包括什么|原则是什么|基本原则|分别是"
)
NUMBER_QUESTION = re.compile(
    r"多少|几成|比例|比重|百分之|增速|增长率|率是|率为|达到了|提升到|提高到|(?<!哪)几天|(?<!哪)几个|几家|几所|(?<!哪)几年|何时|什么时候|哪天|哪一天|"
    r"几月|几号|哪一年|哪年|日期|时间|期限|截至|金额|规模|数量|文号|多长|多大"
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_QUESTION_WORDS = re.compile(
    r"是什么|是谁|是多少|有哪些|哪几[条项个点]|哪些|什么|多少|怎么|怎样|如何|是否|哪个|哪一|为什么|吗|呢|请问|[？?。！!，,\s]"
)
_HEADING_MARKER = re.compile(r"^(?:[（(]?\d{1,2}[）).、．]|[（(][一二三四五六七八九十]+[）)])")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_CN_FIGURE = re.compile(r"[一二三四五六七八九十百千万亿两]+(?:个|项|条|家|所|天|年|倍|成|亿元|万元)")
# Words that say what kind of answer is wanted, not what it is about: a passage need not contain them.
QUESTION_FRAME = frozenset(
    "要求 措施 举措 内容 情况 工作 提了 提出 条 项 点 方面 哪几条 几条 几项 具体 怎么 如何 包括 主要 分别 几天 几年 几月 几个 几 到了 达到 "
    "阐述 论述 强调 指出 说明 明确 规定 采取 方式 可以 能 没有 有没有 是不是 倾向 什么样".split()
)
_OUTLINE_PENALTY = 0.85
_LIST_HEADING_MATCH = 0.5  # share of the question's weighted terms a heading must hold when it lacks the focus words
_LIST_ASKING = re.compile(r"有哪些|有哪几|哪几|哪些|是什么|有什么|包括|分别|怎么做|如何做|怎样做|几条|几项|几个方面|几点")
_FOCUS_SPLIT = re.compile(r"[的，,、：:“”\s]")
_DOC_NUMBER_QUESTION = re.compile(r"文号|发文字号|文件编号")
_MAX_ITEMS = 12


class Answerer(Protocol):
    """Composes an answer to a question from retrieved passages."""

    def answer(self, question: str, hits: Sequence[Hit], history: Sequence[Answer] = ()) -> Answer: ...


@runtime_checkable
class StreamingAnswerer(Protocol):
    """An answerer that writes as it goes (an LLM): the text so far (str, not yet checked), then the final Answer."""

    def stream(self, question: str, hits: Sequence[Hit], history: Sequence[Answer] = ()) -> Iterator[str | Answer]: ...


@dataclass(frozen=True, slots=True)
class _Sentence:
    doc_id: str
    start: int
    end: int
    score: float
    hit: Hit


class _Citations:
    """Numbers quotes in the order they are first cited; the same words cited twice share a number."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self.items: list[Citation] = []
        self._numbers: dict[tuple[str, int, int], int] = {}

    def cite(self, doc_id: str, start: int, end: int, score: float, passage: tuple[int, int]) -> int:
        key = (doc_id, start, end)
        if key in self._numbers:
            return self._numbers[key]
        document = self._index.documents[doc_id]
        structure = self._index.structures[doc_id]
        n = len(self.items) + 1
        self._numbers[key] = n
        self.items.append(
            Citation(
                n=n,
                doc=document.path,
                title=document.title,
                heading_path=structure.path_at(start),
                start=start,
                end=end,
                quote=document.text[start:end],
                score=score,
                passage_start=passage[0],
                passage_end=passage[1],
                passage=document.text[passage[0] : passage[1]],
                page=document.page_at(start),
            )
        )
        return n


class ExtractiveAnswerer:
    """Answers with the documents' own sentences, so every word can be traced to its source."""

    def __init__(self, index: Index, min_coverage: float = 0.5) -> None:
        self._index = index
        self._min_coverage = min_coverage

    # ---- coverage: does a passage speak about the question at all? ----------------------------------------
    def _weights(self, question: str) -> dict[str, float]:
        return {
            term: self._index.term_weight(term) for term in lexical.terms(question) if term not in QUESTION_FRAME
        }

    def coverage(self, question: str, hit: Hit, weights: dict[str, float] | None = None) -> float:
        """Share of the question's key terms (weighted by rarity) found in a passage, its title or its headings;
        0 when the question names a year the passage does not."""
        weights = self._weights(question) if weights is None else weights
        context = fold(hit.chunk.embedding_text())
        if any(year not in context for year in _YEAR.findall(question)):
            return 0.0
        total = sum(weights.values())
        if total == 0:
            return 0.0
        return sum(weight for term, weight in weights.items() if term in context) / total

    # ---- the answer -----------------------------------------------------------------------------------------
    def answer(self, question: str, hits: Sequence[Hit], history: Sequence[Answer] = ()) -> Answer:
        if not hits:
            return _refusal(question, hits)
        weights = self._weights(question)
        covered = max(self.coverage(question, hit, weights) for hit in hits)
        if covered < self._min_coverage:
            return _refusal(question, hits)
        if _DOC_NUMBER_QUESTION.search(question):
            numbered = self._document_number_answer(question, hits)
            if numbered is not None:
                return numbered
        if LIST_QUESTION.search(question):
            listed = self._list_answer(question, hits, weights)
            if listed is not None:
                return listed
        number = bool(NUMBER_QUESTION.search(question))
        return self._sentence_answer(question, hits, weights, number)

    def _sentence_answer(self, question: str, hits: Sequence[Hit], weights: dict[str, float], number: bool) -> Answer:
        ranked = self._rank_sentences(hits, weights, require_figure=number, question=question)
        if not ranked and number:
            ranked = self._rank_sentences(hits, weights, require_figure=False, question=question)
        if not ranked:
            return _refusal(question, hits)
        best = ranked[0]
        chosen = [best]
        for other in ranked[1:3]:
            if other.score >= 0.8 * best.score and not number and not _overlaps(other, chosen):
                chosen.append(other)
                break
        document = self._index.documents[best.doc_id]
        citations = _Citations(self._index)
        if document.number and document.text[best.start : best.end].strip() == document.number:
            # the question names a document by its number: answer with the document's title and number
            header_end = document.text.find(document.number) + len(document.number)
            n = citations.cite(best.doc_id, 0, header_end, best.score, (0, header_end))
            text = f"{document.title}（{document.number}）[{n}]"
            return Answer(question, text, tuple(citations.items), False, "fact", tuple(hits))
        if self._is_heading(best):
            heading = self._heading_at(best)
            structure = self._index.structures[best.doc_id]
            items = self._items(best.doc_id, structure, heading)
            if len(items) >= 2 and not number:  # 如何…结合？ answered by a heading that lists its ways
                return self._compose_list(question, hits, best.score, best.doc_id, heading, items)
            chosen = [self._with_body(best)]
        parts = []
        for sentence in sorted(chosen, key=lambda s: (s.doc_id != best.doc_id, s.start)):
            n = citations.cite(sentence.doc_id, sentence.start, sentence.end, sentence.score,
                               (sentence.hit.chunk.start, sentence.hit.chunk.end))
            text = self._index.documents[sentence.doc_id].text[sentence.start : sentence.end].strip()
            parts.append(f"{text}[{n}]")
        return Answer(question, "".join(parts), tuple(citations.items), False, "number" if number else "fact", tuple(hits))

    def _document_number_answer(self, question: str, hits: Sequence[Hit]) -> Answer | None:
        """'…的文号是多少？': the document number of the best matching document, cited from its header."""
        document = next(
            (self._index.documents[h.chunk.doc_id] for h in hits if self._index.documents[h.chunk.doc_id].number), None
        )
        if document is None:
            return None
        header_end = document.text.find(document.number) + len(document.number)
        citations = _Citations(self._index)
        n = citations.cite(document.id, 0, header_end, hits[0].score, (0, header_end))
        text = f"《{document.title}》的文号是{document.number}。[{n}]"
        return Answer(question, text, tuple(citations.items), False, "fact", tuple(hits))

    def _heading_at(self, sentence: _Sentence) -> Heading:
        return next(
            h for h in self._index.structures[sentence.doc_id].headings if h.start == sentence.start and h.end > h.start
        )

    def _is_heading(self, sentence: _Sentence) -> bool:
        return any(
            h.start == sentence.start and h.end > h.start for h in self._index.structures[sentence.doc_id].headings
        )

    def _with_body(self, sentence: _Sentence) -> _Sentence:
        """A heading that matches the question is answered with the sentences that develop it."""
        structure = self._index.structures[sentence.doc_id]
        text = self._index.documents[sentence.doc_id].text
        heading = next(h for h in structure.headings if h.start == sentence.start and h.end > h.start)
        end = structure.section_end(heading)
        following = sentence_spans(text, heading.end, len(text) if end < 0 else end)[:2]
        if not following:
            return sentence
        return _Sentence(sentence.doc_id, sentence.start, following[-1][1], sentence.score, sentence.hit)

    def _rank_sentences(
        self, hits: Sequence[Hit], weights: dict[str, float], require_figure: bool, question: str = ""
    ) -> list[_Sentence]:
        total = sum(weights.values()) or 1.0
        asked_figures = set(_FIGURE.findall(question))
        phrase = _QUESTION_WORDS.sub("", fold(question))
        top = hits[0].score or 1.0
        ranked: list[_Sentence] = []
        for hit in hits:
            chunk = hit.chunk
            document = self._index.documents[chunk.doc_id]
            context = fold(" ".join(chunk.heading_path))
            for start, end in sentence_spans(document.text, chunk.start, chunk.end):
                words = fold(document.text[start:end])
                figures_in = _HEADING_MARKER.sub("", words)  # "1.摸底排查" holds no figure
                if require_figure and not (set(_FIGURE.findall(figures_in)) - asked_figures or _CN_FIGURE.search(figures_in)):
                    continue
                if len(words) < 6:
                    continue
                own = sum(weight for term, weight in weights.items() if term in words) / total
                near = sum(weight for term, weight in weights.items() if term in context and term not in words) / total
                # words of the title and headings hold for every sentence beneath them
                # the question's own wording found in one piece ("政务新媒体工作的主管单位") beats scattered terms
                run = _longest_common_run(phrase, words) / max(len(phrase), 1) if phrase else 0.0
                score = own + 0.9 * near + 0.25 * hit.score / top + 0.5 * run - 0.0005 * len(words)
                if chunk.outline:
                    score *= _OUTLINE_PENALTY
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
    def _list_answer(self, question: str, hits: Sequence[Hit], weights: dict[str, float]) -> Answer | None:
        total = sum(weights.values()) or 1.0
        focus = _focus_terms(question)
        top = hits[0].score or 1.0
        best: tuple[float, str, Heading, list[tuple[int, int]]] | None = None
        for hit in hits:
            doc_id = hit.chunk.doc_id
            structure = self._index.structures[doc_id]
            for owner in self._owners(structure, hit):
                # the same section in the outline and in the body: take the one that lists more items
                versions = [(h, self._items(doc_id, structure, h)) for h in _twins(structure, owner)]
                owner, items = max(versions, key=lambda v: (len(v[1]), not v[0].outline))
                if len(items) < 2:
                    continue
                heading_words = fold(owner.text)
                match = sum(weight for term, weight in weights.items() if term in heading_words) / total
                focused = sum(term in heading_words for term in focus) / len(focus) if focus else 0.0
                if focused == 0 and match < _LIST_HEADING_MATCH:
                    continue  # a list under a heading the question does not name is not what was asked
                score = match + focused + 0.5 * hit.score / top + 0.05 * min(len(items), 6)
                if hit.chunk.outline:
                    score *= _OUTLINE_PENALTY
                if best is None or score > best[0]:
                    best = (score, doc_id, owner, items)
        if best is None:
            return None
        return self._compose_list(question, hits, *best)

    def _compose_list(
        self, question: str, hits: Sequence[Hit], score: float, doc_id: str, owner: Heading, items: list[tuple[int, int]]
    ) -> Answer:
        document = self._index.documents[doc_id]
        structure = self._index.structures[doc_id]
        citations = _Citations(self._index)
        cited_owner = next((h for h in _twins(structure, owner) if h.end > h.start), owner)
        heading_n = citations.cite(doc_id, cited_owner.start, cited_owner.end, score, (cited_owner.start, cited_owner.end))
        lines = [f"“{owner.text}”部分列出了{len(items)}项：[{heading_n}]"]
        for number, (start, end) in enumerate(items[:_MAX_ITEMS], 1):
            item_start, item_end = self._prefer_body(doc_id, start, end)
            n = citations.cite(doc_id, item_start, item_end, score, self._paragraph(doc_id, item_start))
            words = document.text[item_start:item_end].strip()
            prefix = "" if heading_level(words) is not None else f"{number}. "
            lines.append(f"{prefix}{words}[{n}]")
        return Answer(question, "\n".join(lines), tuple(citations.items), False, "list", tuple(hits))

    def _owners(self, structure: Structure, hit: Hit) -> list[Heading]:
        """Sections that may hold the listed items: those governing the passage, deepest first."""
        owners: list[Heading] = []
        for level in range(8, 0, -1):
            owner, _ = structure.section(hit.chunk.start if hit.chunk.outline else _first_body(hit), level)
            if owner is not None and all(o.start != owner.start for o in owners):
                owners.append(owner)
        return owners

    def _items(self, doc_id: str, structure: Structure, owner: Heading) -> list[tuple[int, int]]:
        """The enumerated items of a section: its sub-headings, else 一是…二是… inside its text."""
        end = structure.section_end(owner)
        children = structure.children(owner, end)
        if len(children) >= 2:
            return [(child.start, child.end) for child in children]
        text = self._index.documents[doc_id].text
        stop = len(text) if end < 0 else end
        markers = [m.start("marker") for m in ENUM_MARKER.finditer(text, owner.end, stop)]
        items = []
        for index, start in enumerate(markers):
            limit = markers[index + 1] if index + 1 < len(markers) else stop
            first = sentence_spans(text, start, limit)[:1]
            if first:
                items.append((first[0][0], first[0][1]))
        return items if len(items) >= 2 else []

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


def _focus_terms(question: str) -> list[str]:
    """The words right before the question word: what the list is of ("…的目标任务是什么" -> 目标, 任务)."""
    asked = None
    for asked in _LIST_ASKING.finditer(question):
        pass
    if asked is None:
        return []
    before = _FOCUS_SPLIT.split(question[: asked.start()])
    tail = next((part for part in reversed(before) if part.strip()), "")
    return [term for term in lexical.terms(tail) if term not in QUESTION_FRAME][-3:]


def _longest_common_run(a: str, b: str) -> int:
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size if match.size >= 3 else 0


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


def _refusal(question: str, hits: Sequence[Hit]) -> Answer:
    text = "文档中没有找到能回答这个问题的内容。"
    if hits:
        text += "以下段落可能相关，请自行核对。"
    return Answer(question, text, (), True, "refused", tuple(hits))

