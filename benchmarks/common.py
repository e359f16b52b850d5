"""What the benchmark scripts share: paths, the question sets, an embedder that keeps time, and the report writer.

Imported as `common` (the scripts run as `python benchmarks/<script>.py`, so this folder is on sys.path).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wenyuan.clean import fold
from wenyuan.evaluate import normalise as squash  # NFKC, no white space or cell borders: as `wenyuan eval`

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
# another folder for a run of other code (WENYUAN_BENCH_CACHE=/tmp/before-cache …): built indexes are reused by
# file hash, so two versions of the readers must not share one
CACHE = Path(os.environ.get("WENYUAN_BENCH_CACHE", BENCH / ".cache"))
RESULTS = BENCH / "results"
DATA = ROOT / "data"
DEMO_QUESTIONS = BENCH / "questions_demo.jsonl"
SHARED_BENCH = ROOT.parent / "shared" / "bench"  # the only part of ../shared a benchmark reads: cmrc2018-trial/

__all__ = ["BENCH", "CACHE", "DATA", "DEMO_QUESTIONS", "RESULTS", "ROOT", "SHARED_BENCH", "Corpus", "MeteredEmbedder",
           "PlainBm25", "Question", "cmrc_corpus", "demo_corpus", "read_jsonl", "squash", "write_report"]


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    doc: str | None  # None: the documents do not answer it
    target: str | None  # squashed evidence (demo) or first answer (cmrc)
    key_points: tuple[str, ...] = ()  # squashed
    kind: str = ""


@dataclass
class Corpus:
    name: str
    docs: Path
    questions: list[Question]

    @property
    def answerable(self) -> list[Question]:
        return [q for q in self.questions if q.doc is not None]


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def demo_corpus() -> Corpus:
    """data/ (16 documents, one index: the others are distractors) with the 40 hand-written demo questions."""
    questions = [
        Question(
            r["id"],
            r["question"],
            r.get("doc"),
            squash(r["evidence"]) if r.get("doc") else None,
            tuple(squash(p) for p in r.get("key_points") or ()),
            r.get("kind", ""),
        )
        for r in read_jsonl(DEMO_QUESTIONS)
    ]
    return Corpus("demo", DATA, questions)


def cmrc_corpus(limit: int | None = None) -> Corpus:
    """CMRC 2018's trial set from ../shared/bench: its documents in one index, the first answer as target."""
    folder = SHARED_BENCH / "cmrc2018-trial"
    records = read_jsonl(folder / "questions.jsonl")[:limit]
    questions = [Question(r["id"], r["question"], r["doc"], squash(r["answers"][0]), kind="span") for r in records]
    return Corpus("cmrc", folder / "docs", questions)


class MeteredEmbedder:
    """Wraps an embedder: adds up calls, texts and wall time of passage embedding (query=False), and with
    `cache_queries` embeds each distinct query once (the same vector as embedding it again), so that several
    methods over one question set do not pay for the question embeddings more than once."""

    def __init__(self, inner, *, cache_queries: bool = False) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.cache_queries = cache_queries
        self._queries: dict[str, np.ndarray] = {}
        self.reset()

    def reset(self) -> None:
        self.seconds, self.texts, self.calls = 0.0, 0, 0

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if query and self.cache_queries and texts:
            missing = [t for t in dict.fromkeys(texts) if t not in self._queries]
            if missing:
                self._queries.update(zip(missing, self.inner.embed(missing, query=True)))
            return np.stack([self._queries[t] for t in texts])
        if query:
            return self.inner.embed(texts, query=True)
        began = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - began
            self.texts += len(texts)
            self.calls += 1


class PlainBm25:
    """BM25 over jieba words with the file name in front of each chunk: the baseline every method must beat."""

    def __init__(self, index) -> None:
        import bm25s
        import rjieba

        # a jieba of its own, with jieba's dictionary only: the module-level one is taught Wenyuan's lexicon when an
        # index loads in this process, which would make the baseline a little less plain
        self._cut = rjieba.Jieba().cut_for_search
        self.chunks = index.chunks
        corpus = [self.tokens(Path(chunk.doc_path).stem + " " + chunk.text) for chunk in index.chunks]
        self.bm25 = bm25s.BM25()
        self.bm25.index(corpus, show_progress=False)

    def tokens(self, text: str) -> list[str]:
        return [token for token in self._cut(fold(text)) if token.strip() and any(ch.isalnum() for ch in token)] or [""]

    def search(self, query: str, k: int = 5) -> list:
        vocabulary = self.bm25.vocab_dict
        ids = [vocabulary[token] for token in dict.fromkeys(self.tokens(query)) if token and token in vocabulary]
        if not ids:
            return []
        scores = np.asarray(self.bm25.get_scores_from_ids(ids))
        rows = np.argsort(-scores, kind="stable")[:k]
        return [self.chunks[row] for row in rows if scores[row] > 0]


def write_report(text: str, out: Path) -> None:
    """The markdown report to stdout and to `out` (benchmarks/results/... by default)."""
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
