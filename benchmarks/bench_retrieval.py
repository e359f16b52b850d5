"""Retrieval benchmark: BM25, dense, weighted fusion and RRF on the demo corpus and a CMRC2018 trial slice.

    .venv/bin/python benchmarks/bench_retrieval.py [--quick]

Indexes are built with wenyuan.index.build_index into benchmarks/.cache/<corpus>-<lexical mode>/ and reused on
later runs (build_index with previous=<cached index> re-embeds only new or changed files). The first full build of
each corpus records its timing in bench_build.json next to the index, so reruns still report it.

A hit for a question is a returned chunk of the question's document whose text, folded (wenyuan.clean.fold) and
stripped of all whitespace, contains the evidence (demo) or the first answer (cmrc). Only answerable questions count
for recall@1, recall@5 and MRR@5.

Tables go to stdout and to benchmarks/results/retrieval.md. No network traffic: the USE model is bundled.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from common import CACHE, RESULTS, Corpus, MeteredEmbedder, Question, cmrc_corpus, demo_corpus, squash, write_report
from wenyuan.answer import ExtractiveAnswerer
from wenyuan.assistant import Assistant
from wenyuan.config import Settings
from wenyuan.embed import UseEmbedder
from wenyuan import lexical, retrieve
from wenyuan.index import Index, IndexNotUsable, build_index
from wenyuan.query import analyse

MODES = ("words", "bigrams", "words+bigrams")
WEIGHTS = (0.05, 0.1, 0.15, 0.25, 0.5, 1.0)
RRF_K = 60
POOL = 50  # candidates each path gives RRF
TOP_K = 5
QUICK_CMRC = 200

log = logging.getLogger("bench_retrieval")


# ---- corpora -----------------------------------------------------------------------------------------------
@dataclass
class IndexedCorpus(Corpus):
    build: dict = field(default_factory=dict)  # first-build statistics
    indexes: dict[str, Index] = field(default_factory=dict)  # lexical mode -> index
    rebuild_seconds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, corpus: Corpus) -> IndexedCorpus:
        return cls(corpus.name, corpus.docs, corpus.questions)


# ---- indexes -----------------------------------------------------------------------------------------------
def settings_for(mode: str) -> Settings:
    return Settings(lexical_tokens=mode, progress=False)


def load_cached(directory: Path, settings: Settings, embedder_name: str) -> Index | None:
    try:
        return Index.load(directory, settings, embedder_name)
    except IndexNotUsable as error:
        log.info("no usable cached index in %s: %s", directory, error)
        return None


def prepare(corpus: Corpus, embedder: MeteredEmbedder, modes: Sequence[str]) -> None:
    """One index per lexical mode; the first mode's vectors are reused by the others."""
    donor: Index | None = None
    for mode in modes:
        directory = CACHE / f"{corpus.name}-{mode.replace('+', '-')}"
        settings = settings_for(mode)
        previous = load_cached(directory, settings, embedder.name) or donor
        embedder.reset()
        began = time.perf_counter()
        index, report = build_index([corpus.docs], directory, settings, embedder, previous=previous)
        seconds = time.perf_counter() - began
        if report.skipped:
            log.warning("%s: skipped %s", corpus.name, report.skipped)
        stats_file = directory / "bench_build.json"
        if report.chunks and report.embedded == report.chunks:  # a full, first build: record its speed
            stats = {
                "mode": mode,
                "documents": len(index.documents),
                "chunks": report.chunks,
                "seconds": round(seconds, 2),
                "embed_seconds": round(embedder.seconds, 2),
                "embed_calls_texts": embedder.texts,
                "when": datetime.now().isoformat(timespec="seconds"),
            }
            stats_file.write_text(json.dumps(stats, indent=1), encoding="utf-8")
        if not corpus.build and stats_file.exists():
            recorded = json.loads(stats_file.read_text(encoding="utf-8"))
            if "embed_seconds" in recorded:
                corpus.build = recorded
        corpus.rebuild_seconds[mode] = seconds
        corpus.indexes[mode] = index
        donor = index
        print(f"[{corpus.name}/{mode}] {report.chunks} chunks, {report.embedded} embedded, {seconds:.1f} s",
              file=sys.stderr)


# ---- retrieval methods -------------------------------------------------------------------------------------
def top_rows(scores: np.ndarray, k: int) -> list[int]:
    """Rows of the k highest positive scores, best first (ties by row, as retrieve.search breaks them)."""
    positive = np.flatnonzero(scores > 0)
    if positive.size == 0:
        return []
    order = sorted(positive.tolist(), key=lambda row: (-float(scores[row]), row))
    return order[:k]


def rrf(lists: Sequence[Sequence[int]], k: int = RRF_K) -> list[int]:
    fused: dict[int, float] = {}
    for ranked in lists:
        for rank, row in enumerate(ranked, 1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
    return sorted(fused, key=lambda row: (-fused[row], row))


class Judge:
    """Which chunks of an index are hits for a question."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.row_of = {chunk.id: row for row, chunk in enumerate(index.chunks)}
        self.text = [squash(chunk.text) for chunk in index.chunks]

    def hits(self, question: Question) -> set[int]:
        return {
            row
            for row, chunk in enumerate(self.index.chunks)
            if chunk.doc_path == question.doc and question.target in self.text[row]
        }


def method_names() -> list[str]:
    return ["bm25", "dense"] + [f"fusion w={w:g}" for w in WEIGHTS] + [f"rrf k={RRF_K}"]


def evaluate(index: Index, questions: Sequence[Question], embedder) -> tuple[dict[str, list[int | None]], float]:
    """First hit rank (1..5, None for a miss) of each method for each answerable question; and the share of
    questions whose target lies inside a single chunk of its document at all (the ceiling of recall)."""
    judge = Judge(index)
    ranks: dict[str, list[int | None]] = {name: [] for name in method_names()}
    reachable = 0
    for question in questions:
        good = judge.hits(question)
        reachable += bool(good)

        def first(rows: Sequence[int]) -> int | None:
            return next((rank for rank, row in enumerate(rows[:TOP_K], 1) if row in good), None)

        bm25_rows = top_rows(index.lexical_scores(lexical.tokenize(question.text, index.lexical_tokens)), POOL)
        vector = embedder.embed([question.text], query=True)[0]
        dense_rows, _ = index.dense_search(vector, POOL)
        dense_rows = dense_rows.tolist()
        ranks["bm25"].append(first(bm25_rows))
        ranks["dense"].append(first(dense_rows))
        for w in WEIGHTS:
            found = wenyuan_search(index, question.text, embedder, TOP_K, w)
            ranks[f"fusion w={w:g}"].append(first([judge.row_of[hit.chunk.id] for hit in found]))
        ranks[f"rrf k={RRF_K}"].append(first(rrf([bm25_rows, dense_rows])))
    return ranks, reachable / max(len(questions), 1)


def wenyuan_search(index: Index, question: str, embedder, top_k: int, weight: float) -> list:
    """Wenyuan's retrieval as Assistant.search runs it (analysis, routing, fusion), at a given dense weight."""
    query = analyse(question, index.definitions)
    route = retrieve.route(query, index)
    if route.missing is not None:
        return []
    return retrieve.search(query, index, embedder, top_k=top_k, dense_weight=weight, route_to=route)


def metrics(ranks: Sequence[int | None]) -> tuple[float, float, float]:
    n = max(len(ranks), 1)
    r1 = sum(r == 1 for r in ranks) / n
    r5 = sum(r is not None for r in ranks) / n
    mrr = sum(1.0 / r for r in ranks if r is not None) / n
    return r1, r5, mrr


# ---- latency and refusal -------------------------------------------------------------------------------------
def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    values = np.asarray(samples) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def latency(corpus: Corpus, embedder, repeats: int) -> tuple[list[str], dict[str, bool]]:
    """p50/p95 of retrieval (analysis, routing, fusion) and Assistant.ask at default settings; each is also timed with a one-thread USE
    embedder, because the default (one BLAS thread per CPU) stalls ~200 ms now and then on a small machine."""
    defaults = Settings()
    index = corpus.indexes[defaults.lexical_tokens]
    questions = [q.text for q in corpus.questions]
    weight = defaults.resolved_dense_weight()
    directory = CACHE / f"{corpus.name}-{defaults.lexical_tokens.replace('+', '-')}"
    one_thread = UseEmbedder(threads=1)

    def timed(call) -> list[float]:
        call(questions[0])  # warm-up
        samples = []
        for _ in range(repeats):
            for q in questions:
                began = time.perf_counter()
                call(q)
                samples.append(time.perf_counter() - began)
        return samples

    def searcher(model):
        return lambda q: wenyuan_search(index, q, model, defaults.top_k, weight)

    results: list[tuple[str, list[float]]] = [
        (f"search (routed hybrid, w={weight:g}, query embedding included)", timed(searcher(embedder))),
        ("search, UseEmbedder(threads=1)", timed(searcher(one_thread))),
    ]
    assistant = Assistant(Settings(index_dir=directory))
    began = time.perf_counter()
    assistant.ask(questions[0])  # loads the index and the embedding model
    cold = time.perf_counter() - began
    refused: dict[str, bool] = {}

    def ask(q: str) -> None:
        answer = assistant.ask(q)
        refused[q] = answer.refused

    results.append(("Assistant.ask (search + extractive answer)", timed(ask)))
    assistant_one = Assistant(Settings(index_dir=directory), embedder=one_thread)
    results.append(("Assistant.ask, UseEmbedder(threads=1)", timed(assistant_one.ask)))
    rows = [
        "| call | n | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, samples in results:
        p50, p95 = percentiles(samples)
        rows.append(f"| {name} | {len(samples)} | {p50:.1f} | {p95:.1f} | {max(samples) * 1000:.1f} |")
    rows.append("")
    rows.append(f"{len(questions)} demo questions x {repeats} passes after one warm-up query each. The first "
                f"Assistant.ask (loading index and model) took {cold * 1000:.0f} ms.")
    return rows, {q.id: refused[q.text] for q in corpus.questions}


def calibration(corpus: Corpus, embedder, refused_by_ask: dict[str, bool]) -> list[str]:
    defaults = Settings()
    index = corpus.indexes[defaults.lexical_tokens]
    answerer = ExtractiveAnswerer(index)
    weight = defaults.resolved_dense_weight()
    coverage: dict[str, float] = {}
    for question in corpus.questions:
        hits = wenyuan_search(index, question.text, embedder, TOP_K, weight)
        coverage[question.id] = max((answerer.coverage(question.text, hit) for hit in hits), default=0.0)
    answerable = {q.id: coverage[q.id] for q in corpus.questions if q.doc is not None}
    unanswerable = {q.id: coverage[q.id] for q in corpus.questions if q.doc is None}

    def summary(values: dict[str, float]) -> str:
        v = list(values.values())
        return f"{min(v):.3f} | {statistics.median(v):.3f} | {max(v):.3f}"

    rows = [
        "Max coverage over the top-5 hybrid hits (default settings), per group:",
        "",
        "| group | n | min | median | max |",
        "|---|---:|---:|---:|---:|",
        f"| answerable | {len(answerable)} | {summary(answerable)} |",
        f"| unanswerable | {len(unanswerable)} | {summary(unanswerable)} |",
        "",
        "Unanswerable: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(unanswerable.items(), key=lambda x: x[1])),
        "",
        "Answerable, lowest ten: "
        + ", ".join(f"{k} {v:.2f}" for k, v in sorted(answerable.items(), key=lambda x: x[1])[:10]),
        "",
    ]
    thresholds = [round(i * 0.05, 2) for i in range(21)]
    scan = []
    for t in thresholds:  # refused when coverage < t, as ExtractiveAnswerer.answer does
        correct_refusals = sum(v < t for v in unanswerable.values())
        correct_answers = sum(v >= t for v in answerable.values())
        scan.append((t, correct_refusals, correct_answers))
    best = max(r + a for _, r, a in scan)
    best_ts = [t for t, r, a in scan if r + a == best]
    rows += [
        "| threshold | refused unanswerable | answered answerable | correct |",
        "|---:|---:|---:|---:|",
    ]
    rows += [
        f"| {t:.2f}{' **best**' if t in best_ts else ''} | {r}/{len(unanswerable)} | {a}/{len(answerable)} | {r + a}/{len(coverage)} |"
        for t, r, a in scan
    ]
    mc = defaults.min_coverage
    refusal = sum(v < mc for v in unanswerable.values()) / len(unanswerable)
    false_refusal = sum(v < mc for v in answerable.values()) / len(answerable)
    ask_refusal = sum(refused_by_ask.get(k, False) for k in unanswerable) / len(unanswerable)
    ask_false = sum(refused_by_ask.get(k, False) for k in answerable) / len(answerable)
    rows += [
        "",
        f"Best threshold(s): {', '.join(f'{t:.2f}' for t in best_ts)} ({best}/{len(coverage)} correct).",
        "",
        f"At the default min_coverage = {mc:g}: refusal rate on unanswerable {refusal:.0%} "
        f"({round(refusal * len(unanswerable))}/{len(unanswerable)}), false-refusal rate on answerable "
        f"{false_refusal:.0%} ({round(false_refusal * len(answerable))}/{len(answerable)}).",
        "",
        f"Cross-check with Assistant.ask (refuses also when no sentence qualifies): refused {ask_refusal:.0%} of "
        f"unanswerable, {ask_false:.0%} of answerable.",
    ]
    return rows


# ---- report ---------------------------------------------------------------------------------------------------
def method_table(corpus: Corpus, results: dict[str, tuple[dict[str, list], float]], mode: str) -> list[str]:
    ranks, reachable = results[mode]
    default_w = Settings().resolved_dense_weight()
    rows = [
        f"Lexical tokens '{mode}', {len(corpus.answerable)} answerable questions, "
        f"{len(corpus.indexes[mode].chunks)} chunks. Ceiling (target inside one chunk of its document): {reachable:.1%}.",
        "",
        "| method | recall@1 | recall@5 | MRR@5 |",
        "|---|---:|---:|---:|",
    ]
    for name in method_names():
        r1, r5, mrr = metrics(ranks[name])
        label = name + (" (default)" if name == f"fusion w={default_w:g}" else "")
        rows.append(f"| {label} | {r1:.3f} | {r5:.3f} | {mrr:.3f} |")
    return rows


def mode_table(results: dict[str, tuple[dict[str, list], float]]) -> list[str]:
    rows = [
        "| lexical tokens | bm25 R@1 | bm25 R@5 | bm25 MRR@5 | best fusion w | fusion R@1 | fusion R@5 | fusion MRR@5 | rrf MRR@5 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, (ranks, _) in results.items():
        b1, b5, bm = metrics(ranks["bm25"])
        fusion = [(metrics(ranks[f"fusion w={w:g}"]), w) for w in WEIGHTS]
        (f1, f5, fm), w = max(fusion, key=lambda x: (x[0][2], x[0][1], -x[1]))
        rrf_mrr = metrics(ranks[f"rrf k={RRF_K}"])[2]
        rows.append(f"| {mode} | {b1:.3f} | {b5:.3f} | {bm:.3f} | {w:g} | {f1:.3f} | {f5:.3f} | {fm:.3f} | {rrf_mrr:.3f} |")
    rows += ["", "Best fusion = the weight with the highest MRR@5 (ties: higher recall@5, then lower weight)."]
    return rows


def build_table(corpora: Sequence[Corpus]) -> list[str]:
    rows = [
        "| corpus | documents | chunks | first build s | chunks/s | embedder s | embedder chunks/s | other s | this run, per mode (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for corpus in corpora:
        b = corpus.build
        again = ", ".join(f"{m} {s:.1f}" for m, s in corpus.rebuild_seconds.items())
        if not b:
            rows.append(f"| {corpus.name} | | | | | | | | {again} |")
            continue
        rows.append(
            f"| {corpus.name} | {b['documents']} | {b['chunks']} | {b['seconds']:.1f} | {b['chunks'] / b['seconds']:.1f} | "
            f"{b['embed_seconds']:.1f} | {b['chunks'] / max(b['embed_seconds'], 1e-9):.1f} | "
            f"{b['seconds'] - b['embed_seconds']:.1f} | {again} |"
        )
    rows += [
        "",
        "First build = the full build of the first lexical mode (recorded in .cache/<corpus>-words/bench_build.json "
        "when it happened); 'this run' = build_index with previous=<cached index> (or the first mode's index), "
        "which re-embeds nothing when no file changed.",
    ]
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"only the first {QUICK_CMRC} cmrc questions")
    parser.add_argument("--latency-repeats", type=int, default=3, help="passes over the demo questions for latency")
    parser.add_argument("--out", type=Path, default=RESULTS / "retrieval.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()

    embedder = MeteredEmbedder(UseEmbedder())
    cached = MeteredEmbedder(embedder, cache_queries=True)
    default_mode = Settings().lexical_tokens
    modes = [default_mode] + [m for m in MODES if m != default_mode]
    corpora = [IndexedCorpus.of(demo_corpus()), IndexedCorpus.of(cmrc_corpus(QUICK_CMRC if args.quick else None))]

    sections: list[str] = []
    evaluations: dict[str, dict[str, tuple[dict[str, list], float]]] = {}
    for corpus in corpora:
        prepare(corpus, embedder, modes)
    for corpus in corpora:
        evaluations[corpus.name] = {}
        for mode in modes:
            began = time.perf_counter()
            evaluations[corpus.name][mode] = evaluate(corpus.indexes[mode], corpus.answerable, cached)
            print(f"[{corpus.name}/{mode}] evaluated in {time.perf_counter() - began:.1f} s", file=sys.stderr)

    demo = corpora[0]
    latency_rows, refused = latency(demo, embedder.inner, args.latency_repeats)
    calibration_rows = calibration(demo, cached, refused)

    defaults = Settings()
    sections += [
        "# Retrieval benchmark",
        "",
        f"{datetime.now().isoformat(timespec='seconds')}; embedder {embedder.name}; chunk_size {defaults.chunk_size}, "
        f"overlap {defaults.chunk_overlap}; top_k {TOP_K}; fusion candidates {POOL}; RRF over bm25 top-{POOL} and "
        f"dense top-{POOL}, k={RRF_K}; cmrc questions: {len(corpora[1].questions)}"
        f"{' (--quick)' if args.quick else ''}.",
        "",
        "A hit: a returned chunk of the question's document whose folded, whitespace-free text contains the evidence "
        "(demo) or answers[0] (cmrc).",
        "",
        "## Indexing",
        "",
        *build_table(corpora),
        "",
    ]
    for corpus in corpora:
        sections += [f"## Methods: {corpus.name}", "", *method_table(corpus, evaluations[corpus.name], default_mode), ""]
    for corpus in corpora:
        sections += [f"## Lexical tokens: {corpus.name}", "", *mode_table(evaluations[corpus.name]), ""]
    sections += ["## Query latency (demo)", "", *latency_rows, ""]
    sections += ["## Refusal calibration (demo)", "", *calibration_rows, ""]
    elapsed = time.perf_counter() - started
    sections += [f"Total run time: {elapsed:.0f} s.", ""]

    text = "\n".join(sections)
    write_report(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
