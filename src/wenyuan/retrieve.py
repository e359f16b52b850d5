"""Document routing and passage retrieval: which documents a question may be answered from, and the best passages.

Routing reads the documents a question names (a 文号, "2013年政府工作报告", "十八大报告", 《…》) against each
document's card; a strictly named document that no document fits means the documents do not hold the answer.
Retrieval fuses three scores per chunk (weights in weights.py): BM25 over the chunk's headings and text, where a word of
the document's own title counts for less (the card carries it), and BM25 over its document's card, each divided by its
best score; and the dense similarity, min-max scaled over the dense candidates. The best few are then reranked by the
weighted share of the question's terms the passage itself holds and by the answer's shape: a list question's passage
that leads into numbered items, a figure question's passage that writes a figure in the unit asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from wenyuan import lexical, weights
from wenyuan.clean import fold
from wenyuan.embed import Embedder
from wenyuan.index import Index
from wenyuan.query import DOC_NUMBER_SHAPE, LIST, NamedDocument, Query, canonical_number
from wenyuan.types import Document, Hit


# a passage that leads into numbered items (…应同时具备以下条件：（一）…): what a list question asks for
_LIST_LED = re.compile(r"[：:]\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[1-9一二三四五六七八九][.．、](?![\d.．%％])"
                       r"|[①⑴]|一是|——)")  # not 标准为：1.5万元


@dataclass(frozen=True, slots=True)
class Route:
    """Where a question may be answered from: some documents (None: any), or a named document that is missing."""

    documents: frozenset[str] | None = None
    preferred: frozenset[str] = frozenset()  # loosely named: boosted, not required
    missing: NamedDocument | None = None


def fits(document: Document, named: NamedDocument, query: Query, index: Index) -> bool:
    """Whether a document is the one a question names."""
    card = index.folded_card(document.id)
    number = canonical_number(document.number) if document.number else ""
    for word in named.card_words:
        # a 文号 may come with words before it ("请问国办发〔2019〕6号…")
        if word not in card and not (number and canonical_number(word).endswith(number)):
            return False
    if named.year is not None and document.year != named.year and f"{named.year}年" not in fold(document.title):
        return False
    if named.kind and named.kind not in card:
        return False
    if named.year is not None:
        # the words between the year and the kind must describe this document ("2013年政府工作报告")
        middle = named.phrase.split("年", 1)[-1].removesuffix(named.kind)
        terms = [t for t in lexical.terms(middle) if t not in ("的", "关于", "度")]
        held = sum(any(form in card for form in query.forms(t)) for t in terms)
        if terms and held / len(terms) < weights.NAME_WORDS:
            return False
    return True


def route(query: Query, index: Index, documents: Collection[str] | None = None) -> Route:
    """The documents a question may be answered from: those it names (and `documents`, a user's choice of paths)."""
    allowed: set[str] | None = None
    if documents is not None:
        chosen = set(documents)
        allowed = {doc_id for doc_id, d in index.documents.items() if d.path in chosen}
    preferred: set[str] = set()
    for named in query.named:
        reading: NamedDocument | None = named
        matching: set[str] = set()
        while reading is not None and not matching:  # the longest reading of the name that some document fits
            matching = {doc_id for doc_id, d in index.documents.items() if fits(d, reading, query, index)}
            if not matching:
                reading = reading.fallback
        named = reading or named
        # of those, the ones of the very kind named ("2010年政府工作报告": the report, not the resolution on it)
        preferred |= {doc_id for doc_id in matching if _of_kind(index.documents[doc_id], named.kind)}
        if not named.strict:
            continue
        if not matching:
            return Route(frozenset(allowed) if allowed is not None else None, frozenset(), named)
        allowed = matching if allowed is None else (allowed & matching) or allowed
    preferred |= index.named_in(query.text)  # a long piece of a document's name: that document first
    for term, forms in query.alternatives.items():  # 个税专项附加扣除: 个人所得税专项附加扣除 is a piece of a name
        for form in forms:
            if len(form) > len(term) and term in query.text:
                preferred |= index.named_in(query.text.replace(term, form))
    asked_places = index.places_in(query.text)
    for named_place in asked_places.values():  # 四川…规定: the documents of 四川 first
        # of them, those of no place the question leaves out: 重庆 asked, the city's rule before 渝北区's
        whole = {doc_id for doc_id in named_place if index.derived[doc_id].places <= asked_places.keys()}
        preferred |= whole or named_place
    mentioned = {doc_id for doc_id, names in index.document_names.items() if any(n in query.text for n in names)}
    if mentioned:  # "天津市居住证管理办法的有效期…": the question spells out a document's name
        allowed = mentioned if allowed is None else (allowed & mentioned) or allowed
    return Route(frozenset(allowed) if allowed is not None else None, frozenset(preferred))


def _of_kind(document: Document, kind: str) -> bool:
    return not kind or document.kind.endswith(kind) or fold(document.title).endswith(kind)


def search(
    query: Query,
    index: Index,
    embedder: Embedder | None,
    *,
    top_k: int = 5,
    dense_weight: float = 0.5,
    candidates: int = 50,
    route_to: Route | None = None,
) -> list[Hit]:
    """The best passages for an analysed question, best first, from the routed documents only."""
    if not index.chunks:
        return []
    route_to = route_to or Route()
    # the question's own words count fully; the other forms of its terms (GDP → 国内生产总值) count for less; a word
    # of a document's own title says little about which of its passages answers (the card carries it)
    within = route_to.documents  # a store scores only its best passages: those of the routed documents, then
    lexical_all = _asked_and_other(query, index.lexical_tokens,
                                   lambda tokens: index.lexical_scores(tokens, weights.OWN_TITLE, within), index.knows)
    fused = _normalised(lexical_all)
    card_all = _asked_and_other(query, "words", index.card_scores)
    card_of_chunk = _normalised(card_all)[index.chunk_documents]
    fused += weights.CARD * card_of_chunk
    if query.shape == DOC_NUMBER_SHAPE:  # "…的文号是多少": the header passage of the document the question names
        fused += weights.HEADER * card_of_chunk * index.header_chunks
    dense_all = np.zeros(len(index.chunks), dtype=np.float32)
    if embedder is not None and dense_weight > 0:
        rows, scores = index.dense_search(embedder.embed([query.asked], query=True)[0], candidates)
        if len(rows):
            dense_all[rows] = scores
            low, high = float(scores.min()), float(scores.max())
            if high > low:
                fused[rows] += (dense_weight if lexical_all.max() > 0 else 1.0) * (scores - low) / (high - low)
    if route_to.preferred:
        fused += weights.NAMED * _chunks_of(index, route_to.preferred)
    if route_to.documents is not None:
        fused[~_chunks_of(index, route_to.documents)] = -np.inf
    scored = np.flatnonzero(np.isfinite(fused) & (fused > 0))
    order = scored[np.lexsort((scored, -fused[scored]))][: weights.RERANKED]
    if len(order) and weights.COVERAGE > 0:
        # rerank the best few by how many of the question's distinct terms the passage itself holds
        term_weight = {term: index.term_weight(term) for term in query.terms if not term.isdigit()}
        for row in order.tolist():
            chunk = index.chunks[row]
            card = index.folded_card(chunk.doc_id)
            own = {t: w for t, w in term_weight.items() if not any(f in card for f in query.forms(t))}
            words = fold(chunk.lexical_text())
            held = sum(w for term, w in own.items() if any(f in words for f in query.forms(term)))
            fused[row] += weights.COVERAGE * held / (sum(own.values()) or 1.0)
            if query.shape == LIST and _LIST_LED.search(chunk.text):
                fused[row] += weights.LIST_PASSAGE
            if query.unit and re.search(query.unit, words):
                fused[row] += weights.UNIT_PASSAGE
        order = order[np.lexsort((order, -fused[order]))]
    order = order[:top_k]
    return [
        Hit(index.chunks[row], float(fused[row]), rank, float(lexical_all[row]), float(dense_all[row]))
        for rank, row in enumerate(order.tolist(), 1)
    ]


def _asked_and_other(query: Query, mode: str, scores: Callable[[list[str]], np.ndarray],
                     knows: Callable[[str], bool] = lambda _: True) -> np.ndarray:
    """Scores for the question's own words plus, with less weight, for the other forms of its terms; the forms of a
    word no passage writes (医药费, 不给付: how people say it) stand in for it with the weight of a word asked."""
    asked = lexical.tokenize(query.text, mode)
    unknown = {term for term in query.alternatives if not knows(term)}
    standing_in = [token for token in lexical.tokenize(" ".join(
        form for term in unknown for form in query.alternatives[term]), mode) if token not in asked]
    other = [token for token in lexical.tokenize(query.other_forms, mode)
             if token not in asked and token not in standing_in]
    return scores(asked) + weights.STANDING_IN * scores(standing_in) + weights.OTHER_FORMS * scores(other)


def _chunks_of(index: Index, doc_ids: Collection[str]) -> np.ndarray:
    """A mask over chunks: those of the given documents."""
    chosen = np.fromiter((d in doc_ids for d in index.document_ids), dtype=bool, count=len(index.document_ids))
    return chosen[index.chunk_documents]


def _normalised(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)
