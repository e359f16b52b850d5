"""The composition root: builds the parts from Settings, and answers `ask(question, history) -> Answer`."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from wenyuan.answer import Answerer, ExtractiveAnswerer, StreamingAnswerer
from wenyuan.config import DEFAULT_EMBEDDER, Settings
from wenyuan.embed import Embedder
from wenyuan.index import BuildReport, Index, Progress, build_index
from wenyuan.types import Answer, Hit

log = logging.getLogger(__name__)

_ORDINAL = re.compile(r"第([一二三四五六七八九十\d]{1,3})(?:项|条|点|个|要|是|部分)")
_CN_ORDINALS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name: the bundled USE model, or a sentence-transformers model."""
    match settings.embedder:
        case "use-multilingual-v3" | "use":
            from wenyuan.embed import UseEmbedder

            return UseEmbedder()
        case name:
            from wenyuan.embed import SentenceTransformerEmbedder

            return SentenceTransformerEmbedder(name, settings.embedder_query_prefix)


def make_answerer(settings: Settings, index: Index) -> Answerer:
    """The answerer the settings name: extractive (no LLM), or an OpenAI-compatible LLM checked against sources."""
    extractive = ExtractiveAnswerer(index, settings.min_coverage)
    match settings.answerer:
        case "extractive":
            return extractive
        case "llm":
            from wenyuan.llm import LlmAnswerer

            return LlmAnswerer(
                index, extractive, base_url=settings.llm_base_url, model=settings.llm_model,
                api_key=settings.llm_api_key, timeout=settings.llm_timeout,
            )


class Assistant:
    """Searches the index and answers questions with citations; rebuilds swap the index in without a pause."""

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._index: Index | None = None
        self._answerer: Answerer | None = None
        self._lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def embedder_name(self) -> str:
        return self._embedder.name if self._embedder is not None else _canonical(self.settings.embedder)

    @property
    def index(self) -> Index:
        """The index in use, loaded from disk on first use."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._use(Index.load(self.settings.index_dir, self.settings, self.embedder_name))
        return self._index

    def _use(self, index: Index) -> None:
        self._answerer = make_answerer(self.settings, index)
        self._index = index

    def build(self, paths: Iterable[Path] | None = None, progress: Progress | None = None) -> BuildReport:
        """Index the documents (data/ by default), re-embedding only what changed, then switch to the new index."""
        previous = None
        try:
            previous = self.index
        except Exception as error:  # no index yet, or one built with other settings: start afresh
            log.info("building a new index: %s", error)
        roots = list(paths) if paths else [self.settings.data_dir]
        index, report = build_index(roots, self.settings.index_dir, self.settings, self.embedder,
                                    previous=previous, progress=progress)
        with self._lock:
            self._use(index)
        return report

    def search(self, query: str, top_k: int | None = None) -> list[Hit]:
        """The passages that best match a query, best first."""
        return self.index.search(
            query,
            self.embedder,
            top_k=top_k or self.settings.top_k,
            dense_weight=self.settings.resolved_dense_weight(),
            candidates=self.settings.candidates,
        )

    def ask(self, question: str, history: Sequence[Answer] = ()) -> Answer:
        """A short answer whose every sentence cites the passage it comes from, or a refusal that says so: the last
        thing `ask_stream` yields."""
        answer = None
        for answer in self.ask_stream(question, history):
            pass
        return answer

    def ask_stream(self, question: str, history: Sequence[Answer] = ()) -> Iterator[str | Answer]:
        """Like `ask`, for showing an answer as it is written: an LLM answerer yields its text so far (str) before
        the final Answer, which may differ (unbacked sentences dropped, markers renumbered); the extractive
        answerer, done in milliseconds, yields the Answer alone."""
        question = question.strip()
        resolved = self._resolve_follow_up(question, history)
        hits = self.search(resolved)
        answerer = self._answerer
        if isinstance(answerer, StreamingAnswerer):
            items = answerer.stream(resolved, hits, history)
        else:
            items = (answer for answer in [answerer.answer(resolved, hits, history)])  # a generator: closable
        with closing(items):  # closed with this generator: an LLM request ends when nobody reads it any more
            for item in items:
                if isinstance(item, Answer) and resolved != question:
                    item = replace(item, question=question)
                yield item

    def _resolve_follow_up(self, question: str, history: Sequence[Answer]) -> str:
        """'第二项具体怎么要求？' after a list answer becomes a question about the second listed item."""
        ordinal = _ORDINAL.search(question)
        if not ordinal or not history or history[-1].mode != "list":
            return question
        token = ordinal.group(1)
        position = int(token) if token.isdigit() else _CN_ORDINALS.get(token, 0)
        items = [line for line in history[-1].text.split("\n")[1:] if line.strip()]
        if not 1 <= position <= len(items):
            return question
        item = re.sub(r"^\d+\.\s*|\[\d+\]$", "", items[position - 1]).strip()
        return f"{item}{question[ordinal.end():]}" if question[ordinal.end():].strip("？?") else item


def _canonical(name: str) -> str:
    return DEFAULT_EMBEDDER if name in ("use", DEFAULT_EMBEDDER) else name

