"""Quality benchmark: Wenyuan as shipped against the naive LangChain pipeline, BM25 alone and dense alone.

    .venv/bin/python benchmarks/bench_quality.py

Two corpora, each in ONE index (the other documents are distractors):
- demo: data/ (16 government documents) with benchmarks/questions_demo.jsonl;
- cmrc: ../shared/bench/cmrc2018-trial/docs/ with its questions.jsonl (the only part of ../shared read here).

Methods, all with the same embedder (use-multilingual-v3):
- Wenyuan: Assistant(Settings(index_dir=..., data_dir=...)).search(q, 5) at default settings, plus Assistant.ask on
  demo for answer-level metrics (key-point coverage, refusal and false-refusal rates);
- naive LangChain: RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50, default separators) over each
  file's raw UTF-8 text, WenyuanEmbeddings(UseEmbedder()), FAISS.from_documents, similarity_search(q, k=5). The
  store is rebuilt every run (no save_local/load_local: loading needs allow_dangerous_deserialization);
- BM25 alone: Index.lexical_scores of the Wenyuan index, top 5 positive scores;
- dense alone: Index.dense_search with the query embedding, top 5.

The Wenyuan index is built with wenyuan.index.build_index into benchmarks/.cache/quality-<corpus>/, reusing the
vectors of a cached index (quality-<corpus> or bench_retrieval's <corpus>-words) so unchanged files are not
re-embedded.

A hit: a returned passage of the question's document whose text, after NFKC and removing all whitespace, contains
the evidence (demo) or answers[0] (cmrc). recall@1, recall@5 and MRR@5 count answerable questions only.

Tables go to stdout and to benchmarks/results/quality.md. No network traffic: the USE model is bundled.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from common import (CACHE, RESULTS, ROOT, Corpus, MeteredEmbedder, PlainBm25, Question, cmrc_corpus, demo_corpus, squash,
                    write_report)
from wenyuan import lexical
from wenyuan.assistant import Assistant
from wenyuan.config import Settings
from wenyuan.embed import UseEmbedder
from wenyuan.index import Index, IndexNotUsable, build_index

TOP_K = 5
NAIVE_CHUNK, NAIVE_OVERLAP = 500, 50
METHODS = ("Wenyuan (Assistant.search, hybrid)", "naive LangChain (500/50 splitter + FAISS)", "BM25 alone", "dense alone",
           "BM25 jieba + title (plain baseline)")

log = logging.getLogger("bench_quality")


# ---- Wenyuan index -------------------------------------------------------------------------------------------
def wenyuan_index(corpus: Corpus, embedder: MeteredEmbedder) -> tuple[Path, str]:
    """Build (or refresh) benchmarks/.cache/quality-<corpus>/ at default settings, reusing cached vectors."""
    directory = CACHE / f"quality-{corpus.name}"
    settings = Settings(index_dir=directory, data_dir=corpus.docs, progress=False)
    previous: Index | None = None
    source = "none (full build)"
    for candidate in (directory, CACHE / f"{corpus.name}-{settings.lexical_tokens.replace('+', '-')}"):
        try:
            previous = Index.load(candidate, settings, embedder.name)
            source = str(candidate.relative_to(ROOT))
            break
        except IndexNotUsable as error:
            log.info("cannot reuse %s: %s", candidate, error)
    embedder.reset()
    began = time.perf_counter()
    index, report = build_index([corpus.docs], directory, settings, embedder, previous=previous)
    seconds = time.perf_counter() - began
    if report.skipped:
        log.warning("%s: skipped %s", corpus.name, report.skipped)
    note = (f"{len(index.documents)} documents, {report.chunks} chunks, {report.embedded} embedded this run "
            f"(vectors reused from {source}), {seconds:.1f} s")
    print(f"[{corpus.name}] Wenyuan index: {note}", file=sys.stderr)
    return directory, note


# ---- naive LangChain pipeline ----------------------------------------------------------------------------------
def naive_store(corpus: Corpus, embedder: MeteredEmbedder):
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from wenyuan.langchain_adapters import WenyuanEmbeddings

    splitter = RecursiveCharacterTextSplitter(chunk_size=NAIVE_CHUNK, chunk_overlap=NAIVE_OVERLAP)
    raw = [Document(page_content=path.read_text(encoding="utf-8"), metadata={"source": path.name})
           for path in sorted(corpus.docs.glob("*.txt"))]
    chunks = splitter.split_documents(raw)
    embedder.reset()
    began = time.perf_counter()
    store = FAISS.from_documents(chunks, WenyuanEmbeddings(embedder))
    seconds = time.perf_counter() - began
    note = (f"{len(raw)} files, {len(chunks)} chunks (mean {np.mean([len(c.page_content) for c in chunks]):.0f} "
            f"chars), FAISS.from_documents {seconds:.1f} s ({len(chunks) / max(embedder.seconds, 1e-9):.0f} "
            f"chunks/s embedding)")
    print(f"[{corpus.name}] naive store: {note}", file=sys.stderr)
    return store, chunks, note


# ---- evaluation --------------------------------------------------------------------------------------------------
Passage = tuple[str, str]  # (document file name, squashed text)


def first_hit(question: Question, passages: Sequence[Passage]) -> int | None:
    return next((rank for rank, (doc, text) in enumerate(passages[:TOP_K], 1)
                 if doc == question.doc and question.target in text), None)


def top_rows(scores: np.ndarray, k: int) -> list[int]:
    """Rows of the k highest positive scores, best first, ties by row (as in bench_retrieval.py)."""
    positive = np.flatnonzero(scores > 0)
    return sorted(positive.tolist(), key=lambda row: (-float(scores[row]), row))[:k]


@dataclass
class Run:
    ranks: dict[str, list[int | None]]  # method -> first hit rank per answerable question
    context_points: dict[str, list[float]]  # method -> share of key points inside the top-5 passages
    ceilings: dict[str, float]  # method's passage set -> share of answerable targets inside one passage


def evaluate(corpus: Corpus, assistant: Assistant, store, naive_chunks, embedder: MeteredEmbedder) -> Run:
    index = assistant.index
    wen_text = [squash(c.text) for c in index.chunks]
    wen_doc = [c.doc_path for c in index.chunks]
    naive_passages = [(c.metadata["source"], squash(c.page_content)) for c in naive_chunks]
    ranks: dict[str, list[int | None]] = {m: [] for m in METHODS}
    context: dict[str, list[float]] = {m: [] for m in METHODS}
    baseline = PlainBm25(index)
    for question in corpus.answerable:
        found = assistant.search(question.text, TOP_K)
        wen = [(hit.chunk.doc_path, squash(hit.chunk.text)) for hit in found]
        naive = [(d.metadata["source"], squash(d.page_content))
                 for d in store.similarity_search(question.text, k=TOP_K)]
        tokens = lexical.tokenize(question.text, index.lexical_tokens)
        bm25 = [(wen_doc[r], wen_text[r]) for r in top_rows(index.lexical_scores(tokens), TOP_K)]
        rows, _ = index.dense_search(embedder.embed([question.text], query=True)[0], TOP_K)
        dense = [(wen_doc[r], wen_text[r]) for r in rows.tolist()]
        plain = [(chunk.doc_path, squash(chunk.text)) for chunk in baseline.search(question.text, TOP_K)]
        for method, passages in zip(METHODS, (wen, naive, bm25, dense, plain)):
            ranks[method].append(first_hit(question, passages))
            if question.key_points:
                joined = "".join(text for _, text in passages)
                context[method].append(sum(p in joined for p in question.key_points) / len(question.key_points))

    def ceiling(passages: Sequence[Passage]) -> float:
        reachable = sum(any(d == q.doc and q.target in t for d, t in passages) for q in corpus.answerable)
        return reachable / max(len(corpus.answerable), 1)

    return Run(ranks, context, {"wenyuan": ceiling(list(zip(wen_doc, wen_text))), "naive": ceiling(naive_passages)})


@dataclass
class AskResult:
    coverage: float  # mean share of key points in the answer text, answerable questions
    coverage_answered: float  # the same over answerable questions it did not refuse
    refused_unanswerable: tuple[int, int]
    refused_answerable: tuple[int, int]
    refused_ids: list[str]
    accepted_unanswerable_ids: list[str]


def ask_all(corpus: Corpus, assistant: Assistant) -> AskResult:
    coverage, answered_coverage, refused_ids, accepted = [], [], [], []
    ru = ra = 0
    for question in corpus.questions:
        answer = assistant.ask(question.text)
        if question.doc is None:
            ru += answer.refused
            if not answer.refused:
                accepted.append(question.id)
            continue
        ra += answer.refused
        if answer.refused:
            refused_ids.append(question.id)
        if question.key_points:
            text = squash(answer.text)
            share = sum(p in text for p in question.key_points) / len(question.key_points)
            coverage.append(share)
            if not answer.refused:
                answered_coverage.append(share)
    n_un = sum(q.doc is None for q in corpus.questions)
    return AskResult(
        float(np.mean(coverage)) if coverage else float("nan"),
        float(np.mean(answered_coverage)) if answered_coverage else float("nan"),
        (ru, n_un),
        (ra, len(corpus.answerable)),
        refused_ids,
        accepted,
    )


def metrics(ranks: Sequence[int | None]) -> tuple[float, float, float]:
    n = max(len(ranks), 1)
    return (sum(r == 1 for r in ranks) / n, sum(r is not None for r in ranks) / n,
            sum(1.0 / r for r in ranks if r is not None) / n)


# ---- report ------------------------------------------------------------------------------------------------------
def table(corpus: Corpus, run: Run, ask: AskResult | None) -> list[str]:
    ceilings = {METHODS[0]: run.ceilings["wenyuan"], METHODS[1]: run.ceilings["naive"],
                METHODS[2]: run.ceilings["wenyuan"], METHODS[3]: run.ceilings["wenyuan"], METHODS[4]: run.ceilings["wenyuan"]}
    header = "| method | recall@1 | recall@5 | MRR@5 | ceiling |"
    rule = "|---|---:|---:|---:|---:|"
    if ask:
        header += " key points in top-5 passages | key-point coverage of answer | refusal (unanswerable) | false refusal (answerable) |"
        rule += "---:|---:|---:|---:|"
    rows = [header, rule]
    for method in METHODS:
        r1, r5, mrr = metrics(run.ranks[method])
        row = f"| {method} | {r1:.3f} | {r5:.3f} | {mrr:.3f} | {ceilings[method]:.3f} |"
        if ask:
            ctx = np.mean(run.context_points[method])
            if method == METHODS[0]:
                (ru, nu), (ra, na) = ask.refused_unanswerable, ask.refused_answerable
                row += (f" {ctx:.3f} | {ask.coverage:.3f} (answered only: {ask.coverage_answered:.3f}) | "
                        f"{ru / nu:.0%} ({ru}/{nu}) | {ra / na:.1%} ({ra}/{na}) |")
            elif method == METHODS[1]:
                row += f" {ctx:.3f} | — (retrieval only, no answer step) | 0% — no refusal, answers everything | 0% |"
            else:
                row += f" {ctx:.3f} | — | — | — |"
        rows.append(row)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS / "quality.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    embedder = MeteredEmbedder(UseEmbedder(), cache_queries=True)
    corpora = [demo_corpus(), cmrc_corpus()]

    sections: list[str] = []
    notes: list[str] = []
    for corpus in corpora:
        began = time.perf_counter()
        directory, index_note = wenyuan_index(corpus, embedder)
        assistant = Assistant(Settings(index_dir=directory, data_dir=corpus.docs), embedder=embedder)
        store, naive_chunks, naive_note = naive_store(corpus, embedder)
        run = evaluate(corpus, assistant, store, naive_chunks, embedder)
        ask = ask_all(corpus, assistant) if corpus.name == "demo" else None
        seconds = time.perf_counter() - began
        print(f"[{corpus.name}] done in {seconds:.1f} s", file=sys.stderr)
        unanswerable = len(corpus.questions) - len(corpus.answerable)
        sections += [
            f"## {corpus.name}: {'data/' if corpus.name == 'demo' else '../shared/bench/cmrc2018-trial/docs/'}",
            "",
            f"{len(corpus.answerable)} answerable questions"
            + (f" (+{unanswerable} unanswerable, used only for refusal)" if unanswerable else "")
            + f"; Wenyuan index: {index_note}; naive: {naive_note}; corpus time {seconds:.0f} s.",
            "",
            *table(corpus, run, ask),
            "",
        ]
        if ask:
            sections += [
                f"Assistant.ask refused answerable: {', '.join(ask.refused_ids) or 'none'}; answered unanswerable: "
                f"{', '.join(ask.accepted_unanswerable_ids) or 'none'}.",
                "",
            ]
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    defaults = Settings()
    notes = [
        "# Quality benchmark: Wenyuan vs the naive LangChain pipeline",
        "",
        f"- Date: {datetime.now().isoformat(timespec='seconds')}; command: `.venv/bin/python benchmarks/bench_quality.py`"
        f"; total run time {elapsed:.0f} s (1-min load average {load_before:.1f} at start, {load_after:.1f} at end: "
        "timings are inflated when other jobs share the CPUs; the quality numbers are deterministic).",
        f"- Setup: embedder {embedder.name} (bundled, numpy) for every method; {os.cpu_count()} CPU cores; top-k {TOP_K}.",
        f"- Wenyuan: default Settings (chunk_size {defaults.chunk_size}, overlap {defaults.chunk_overlap}, BM25 over "
        f"'{defaults.lexical_tokens}', dense weight {defaults.resolved_dense_weight():g}, {defaults.candidates} candidates, "
        f"min_coverage {defaults.min_coverage:g}), one index per corpus built with build_index; search = "
        "Assistant.search(q, 5), answers = Assistant.ask(q). BM25 alone = Index.lexical_scores top 5 (positive "
        "scores); dense alone = Index.dense_search top 5 — both on the same Wenyuan index.",
        f"- Naive LangChain: RecursiveCharacterTextSplitter(chunk_size={NAIVE_CHUNK}, chunk_overlap={NAIVE_OVERLAP}), "
        "default separators, over each file's raw UTF-8 text; WenyuanEmbeddings(UseEmbedder()); "
        "FAISS.from_documents (default L2 on unit vectors); similarity_search(q, k=5). Rebuilt each run.",
        "- Hit: a returned passage of the question's document whose text (NFKC, all whitespace removed) contains the "
        "evidence (demo) or answers[0] (cmrc). Recall and MRR over answerable questions only. Ceiling = share of "
        "answerable questions whose target lies inside a single passage of that method's chunking at all.",
        "- Key points in top-5 passages: mean share of a question's key_points found in the concatenated top-5 "
        "passages (what an LLM would be given). Key-point coverage of answer: mean share found in Assistant.ask's "
        "answer text (normalised the same way), over answerable questions; refusals count 0.",
        "",
    ]
    text = "\n".join(notes + sections)
    write_report(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
