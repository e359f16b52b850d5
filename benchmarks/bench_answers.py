"""Answer benchmark on official documents and questions nobody tuned on, against plain BM25 in the same run.

    .venv/bin/python benchmarks/bench_answers.py            # every question set
    .venv/bin/python benchmarks/bench_answers.py --sets dev govqa   # only the sets you tune on

Corpus: all of ../shared/corpus/ in ONE index (seed/, gov/, genres/, real/, formats/; the other documents are
distractors, and files Wenyuan cannot read are reported and skipped, as a user would see). The demo set runs on its
own index of data/, as the app ships.

Question sets (JSONL as in `wenyuan eval`; "doc" relative to ../shared/corpus/):
- test:  benchmarks/questions/gov-test.jsonl, the frozen test part of our own questions: run to report, never to tune;
- dev:   benchmarks/questions/gov-dev.jsonl, the part we tune on;
- real-test / real-dev: benchmarks/questions/real-{test,dev}.jsonl, questions about files of real/ and formats/ in
  every format (pdf, scans, doc, docx, wps, ofd), split the same way;
- govqa: ../shared/bench/govqa/questions.jsonl, written outside the team, used as a development set;
- lists-dev: benchmarks/questions/lists-dev.jsonl, 45 list questions over the 27 genres/ documents that have no test
  questions, written later (from the documents alone) to tune list answers on;
- local-test / local-dev: benchmarks/questions/local-{test,dev}.jsonl, 96 questions over 36 real/ .docx and .doc
  files no other set asks about (local regulations, many alike: 规范性文件 rules of ten provinces and cities), written
  later from the documents alone and split the same way;
- near-dev: benchmarks/questions/near-dev.jsonl, 40 unanswerable near misses and 20 answerable controls over 50
  documents that only development sets ask about, written later from the documents alone: a development set;
- city-test / city-dev: benchmarks/questions/city-{test,dev}.jsonl, 110 questions over 45 more real/ .docx and .doc
  files no other set asks about, written later from the documents alone and split the same way;
- more-test / more-dev: benchmarks/questions/more-{test,dev}.jsonl, 110 questions over the 41 other real/ files
  no set asked about, written later from the documents alone and split the same way;
- wording-test / wording-dev: benchmarks/questions/wording-{test,dev}.jsonl, 110 new questions (set-j) over the 48
  real/ files city-dev and more-dev ask about, written later from the documents alone, in everyday words; split by
  document the same way (with its own salt). Its documents were tuned on: the test part tells how new wording fares,
  not new documents;
- fresh-test: benchmarks/questions/fresh-test.jsonl (= written/set-k.jsonl, not split), 110 questions in everyday
  words over 98 documents of the frozen test parts, written later from the documents alone: frozen as a whole;
- talk-dev: benchmarks/questions/talk-dev.jsonl (= written/set-l.jsonl, not split), 100 questions in everyday and
  spoken wording (yes/no, two-part, context first) over 70 documents the development sets ask about: a development set;
- check-dev: benchmarks/questions/check-dev.jsonl (= written/set-m.jsonl, not split), 120 questions in formal,
  everyday and spoken wording over 115 development documents, written to check whether the round's later changes
  carry to new questions (run once on the code before and after them, then a development set);
- genres-dev: benchmarks/questions/genres-dev.jsonl, 100 new questions over the 27 genres/ documents that the
  development sets ask about, written later from the documents alone: a development set only (its documents were
  tuned on), to tell wording the rules fit from documents they fit;
- demo:  benchmarks/questions_demo.jsonl on data/: the 40 questions the answerer was first tuned on.

A frozen part some of whose documents a development set asks about (test: govqa, written outside the team, asks about
22 of its documents) gets a second row, "unseen documents", on the questions about the other documents only.

Methods, on the same chunks of the same index:
- Wenyuan: `wenyuan.evaluate.evaluate` (Assistant.search for retrieval, Assistant.ask for answers);
- BM25 jieba + title: bm25s (Lucene BM25, k1 1.5, b 0.75) over jieba words of "<file name> <chunk text>", no
  stopwords, no dense path, no routing: the simplest strong baseline.

Scores as `wenyuan eval` defines them (src/wenyuan/evaluate.py). Tables go to stdout and
benchmarks/results/answers.md; per-question JSONL to benchmarks/.cache/answers-<set>.jsonl.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from common import BENCH, CACHE, DATA, DEMO_QUESTIONS, RESULTS, ROOT, PlainBm25, write_report
from wenyuan.assistant import Assistant
from wenyuan.config import Settings
from wenyuan.embed import UseEmbedder
from wenyuan.evaluate import Question, _matches, evaluate, outcome_json, read_questions, summarise
from wenyuan.index import Index, IndexNotUsable, build_index

CORPUS = ROOT.parent / "shared" / "corpus"
SETS = {
    "test": (BENCH / "questions" / "gov-test.jsonl", "corpus"),
    "dev": (BENCH / "questions" / "gov-dev.jsonl", "corpus"),
    "real-test": (BENCH / "questions" / "real-test.jsonl", "corpus"),
    "real-dev": (BENCH / "questions" / "real-dev.jsonl", "corpus"),
    "govqa": (ROOT.parent / "shared" / "bench" / "govqa" / "questions.jsonl", "corpus"),
    "lists-dev": (BENCH / "questions" / "lists-dev.jsonl", "corpus"),
    "local-test": (BENCH / "questions" / "local-test.jsonl", "corpus"),
    "local-dev": (BENCH / "questions" / "local-dev.jsonl", "corpus"),
    "near-dev": (BENCH / "questions" / "near-dev.jsonl", "corpus"),
    "city-test": (BENCH / "questions" / "city-test.jsonl", "corpus"),
    "city-dev": (BENCH / "questions" / "city-dev.jsonl", "corpus"),
    "more-test": (BENCH / "questions" / "more-test.jsonl", "corpus"),
    "more-dev": (BENCH / "questions" / "more-dev.jsonl", "corpus"),
    "wording-test": (BENCH / "questions" / "wording-test.jsonl", "corpus"),
    "fresh-test": (BENCH / "questions" / "fresh-test.jsonl", "corpus"),
    "wording-dev": (BENCH / "questions" / "wording-dev.jsonl", "corpus"),
    "talk-dev": (BENCH / "questions" / "talk-dev.jsonl", "corpus"),
    "check-dev": (BENCH / "questions" / "check-dev.jsonl", "corpus"),
    "genres-dev": (BENCH / "questions" / "genres-dev.jsonl", "corpus"),
    "demo": (DEMO_QUESTIONS, "demo"),
}
ROOTS = {"corpus": CORPUS, "demo": DATA}
log = logging.getLogger("bench_answers")


def built_index(name: str, embedder) -> Path:
    """benchmarks/.cache/answers-<name>/, built or refreshed (unchanged files are not re-embedded)."""
    directory = CACHE / f"answers-{name}"
    settings = Settings(index_dir=directory, data_dir=ROOTS[name], progress=False)
    try:
        previous = Index.load(directory, settings, embedder.name, for_rebuild=True)
    except IndexNotUsable:
        previous = None
    began = time.perf_counter()
    index, report = build_index([ROOTS[name]], directory, settings, embedder, previous=previous)
    print(f"[{name}] {len(index.documents)} documents, {report.chunks} chunks, {report.embedded} embedded, "
          f"{len(report.skipped)} skipped, {time.perf_counter() - began:.0f} s", file=sys.stderr)
    return directory


def baseline_ranks(baseline: PlainBm25, questions: Sequence[Question]) -> list[int | None]:
    ranks = []
    for question in questions:
        if not (question.answerable and question.targets):
            continue
        found = baseline.search(question.question)
        ranks.append(next((n for n, c in enumerate(found, 1) if _matches(question, c.doc_path, c.text)), None))
    return ranks


def _formats(path: Path) -> dict[str, str]:
    """Each question's file format, for the sets that record it (real-files: pdf, scan, doc, docx, wps, ofd)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["id"]: r["format"] for r in records if "format" in r}


def _frozen(name: str) -> bool:
    return name == "test" or name.endswith("-test")


def _question_documents(path: Path) -> dict[str, str]:
    """Each question's document (the near miss's document for an unanswerable one), by file name."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["id"]: Path(r.get("doc") or r.get("near_doc") or "").name for r in records}


def _tuned_documents() -> set[str]:
    """The file names of the documents some development set asks about (the demo set's included)."""
    return {name for set_name, (path, _) in SETS.items() if not _frozen(set_name) and path.exists()
            for name in _question_documents(path).values() if name}


def fmt(value) -> str:
    return "—" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=list(SETS), choices=list(SETS))
    parser.add_argument("--out", type=Path, default=RESULTS / "answers.md")
    parser.add_argument("--label", default="Wenyuan", help="the method's name in the table (e.g. 'Wenyuan before')")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    embedder = UseEmbedder()
    began = time.perf_counter()
    assistants: dict[str, tuple[Assistant, PlainBm25]] = {}
    rows = [
        "| set | questions (answerable / unanswerable) | method | R@1 | R@5 | correct answers | median chars | "
        "unanswerable refused | false refusals |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    by_kind_rows = ["| set | kind | n | correct |", "|---|---|---:|---:|"]
    tuned = _tuned_documents()
    for name in args.sets:
        path, corpus = SETS[name]
        if not path.exists():
            print(f"[{name}] {path} missing, skipped", file=sys.stderr)
            continue
        if corpus not in assistants:
            directory = built_index(corpus, embedder)
            assistant = Assistant(Settings(index_dir=directory, data_dir=ROOTS[corpus]), embedder=embedder)
            assistants[corpus] = (assistant, PlainBm25(assistant.index))
        assistant, baseline = assistants[corpus]
        questions = read_questions(path)
        report = evaluate(assistant, questions)
        summary = report.summary
        with (CACHE / f"answers-{name}.jsonl").open("w", encoding="utf-8") as stream:
            for outcome in report.outcomes:
                stream.write(json.dumps(outcome_json(outcome), ensure_ascii=False) + "\n")
        ranks = baseline_ranks(baseline, questions)
        n = max(len(ranks), 1)
        counts = f"{summary['answerable']} / {summary['unanswerable']}"
        rows.append(
            f"| {name} | {counts} | {args.label} | {fmt(summary['recall@1'])} | {fmt(summary['recall@5'])} | "
            f"{fmt(summary['answers_correct'])} | {summary['median_answer_chars'] or 0:.0f} | "
            f"{fmt(summary['refusal_rate_unanswerable'])} | {fmt(summary['false_refusal_rate'])} |"
        )
        rows.append(
            f"| {name} | {counts} | BM25 jieba + title | {sum(r == 1 for r in ranks) / n:.3f} | "
            f"{sum(r is not None for r in ranks) / n:.3f} | — | — | — | — |"
        )
        if _frozen(name):
            # the same part, on the documents no development set asks about (govqa, written outside the team, asks
            # about some of test's documents): what a user sees on documents nothing was tuned on
            named = _question_documents(path)
            unseen = [i for i, outcome in enumerate(report.outcomes) if named[outcome.question.id] not in tuned]
            if 0 < len(unseen) < len(report.outcomes):
                part = summarise([report.outcomes[i] for i in unseen])
                part_ranks = baseline_ranks(baseline, [questions[i] for i in unseen])
                m = max(len(part_ranks), 1)
                where = f"{name}, unseen documents"
                part_counts = f"{part['answerable']} / {part['unanswerable']}"
                rows.append(
                    f"| {where} | {part_counts} | {args.label} | {fmt(part['recall@1'])} | {fmt(part['recall@5'])} | "
                    f"{fmt(part['answers_correct'])} | {part['median_answer_chars'] or 0:.0f} | "
                    f"{fmt(part['refusal_rate_unanswerable'])} | {fmt(part['false_refusal_rate'])} |")
                rows.append(f"| {where} | {part_counts} | BM25 jieba + title | "
                            f"{sum(r == 1 for r in part_ranks) / m:.3f} | {sum(r is not None for r in part_ranks) / m:.3f}"
                            " | — | — | — | — |")
        kinds: dict[str, list] = defaultdict(list)
        formats = _formats(path)
        for outcome in report.outcomes:
            kinds[outcome.question.kind or "—"].append(outcome)
            if formats:
                kinds["format " + formats[outcome_json(outcome)["id"]]].append(outcome)
        for kind, outcomes in sorted(kinds.items()):
            part = summarise(outcomes)
            score = part["answers_correct"] if kind != "unanswerable" else part["refusal_rate_unanswerable"]
            if kind.startswith("format "):  # answerable questions right and cited, unanswerable ones refused
                right = [o for o in outcomes if o.question.answerable and o.correct]
                refused = [o for o in outcomes if not o.question.answerable and o.refused]
                score = (len(right) + len(refused)) / len(outcomes)
            by_kind_rows.append(f"| {name} | {kind}{' (refused)' if kind == 'unanswerable' else ''} | "
                                f"{len(outcomes)} | {fmt(score)} |")
        print(f"[{name}] done", file=sys.stderr)
    text = "\n".join([
        "# Answers on documents and questions nobody tuned on",
        "",
        f"- Date: {datetime.now().isoformat(timespec='seconds')}; command: "
        f"`.venv/bin/python benchmarks/bench_answers.py{' --sets ' + ' '.join(args.sets) if args.sets != list(SETS) else ''}`; "
        f"{time.perf_counter() - began:.0f} s.",
        "- test, real-test, local-test, city-test, more-test, wording-test, fresh-test = frozen test parts (reported, "
        "never tuned on; wording-test asks anew about documents city-dev and more-dev ask about; fresh-test about the "
        "other test parts' documents); dev, real-dev, local-dev, "
        "city-dev, more-dev, wording-dev, talk-dev, check-dev, genres-dev, govqa, lists-dev and near-dev = development "
        "sets; "
        "demo = the set the "
        "answerer was first tuned on (data/ only). Corpus for test, dev, govqa: all of ../shared/corpus in one index.",
        "- Correct answer: not refused, every key point in the answer, and a citation of the right document whose "
        "passage holds the evidence, the answer or a key point. R@k: a passage of the right document holding the "
        "evidence or the answer among the first k.",
        "",
        *rows,
        "",
        "By kind (correct answers; for unanswerable questions, the share refused):",
        "",
        *by_kind_rows,
        "",
    ])
    write_report(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
