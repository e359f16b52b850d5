"""`wenyuan eval`: how well the assistant answers a user's own questions about their own documents.

Input lines: {"id", "question", "doc"?, "answer"?, "key_points"?: [...], "evidence"?, "type"?}. "doc": null means the
documents do not answer the question; without "doc" the question is answerable from any document. A passage is right
when it comes from the question's document and contains the evidence or the answer; a citation is right when it
comes from that document and its passage holds the evidence, the answer or a key point. A passage of another file
that holds the whole evidence (15 characters or more) is right too: the same text, reprinted. An answer is correct when it
is not a refusal, holds every key point and has a right citation. Text is compared after NFKC and with all white
space removed.
"""

from __future__ import annotations

import json
import re
import statistics
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from wenyuan.assistant import Assistant


def normalise(text: str) -> str:
    """Text as evidence is compared: NFKC, without spaces and without table cell borders (a row `a | b` holds the
    evidence `a b` written from the printed table)."""
    return "".join(unicodedata.normalize("NFKC", text).replace("|", " ").split())


@dataclass(frozen=True, slots=True)
class Question:
    """One line of a questions file."""

    id: str
    question: str
    doc: str | None  # the document that answers it; None: any document (answerable) or none (unanswerable)
    answer: str | None = None
    key_points: tuple[str, ...] = ()
    evidence: str | None = None
    answerable: bool = True  # False for "doc": null
    kind: str = ""  # lookup, list, paraphrase, unanswerable … as the file says

    @property
    def targets(self) -> tuple[str, ...]:
        """What a passage must contain (one of them) to count as the right one: the evidence or the answer."""
        return tuple(target for target in map(normalise, filter(None, (self.evidence, self.answer))) if target)

    @property
    def citation_targets(self) -> tuple[str, ...]:
        """What a cited passage may contain to count as a right source: the targets or any key point."""
        return self.targets + tuple(point for point in map(normalise, self.key_points) if point)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one question went."""

    question: Question
    rank: int | None  # 1-based rank of the first right passage among the top 5, None if none
    refused: bool
    key_point_coverage: float | None
    citations: int
    correct_citations: int
    seconds: float
    answer: str
    correct: bool = False  # not refused, every key point, a right citation
    sentences: int = 0  # an LLM answer's sentences, as the model wrote them (0 for an extractive answer)
    verified: int = 0  # of those, how many the cited passages hold (verified or re-cited)

    @property
    def answer_chars(self) -> int:
        """Length of the answer as a reader sees it, without the [n] markers."""
        return len(re.sub(r"\[\d+\]", "", self.answer))


@dataclass(frozen=True, slots=True)
class Report:
    outcomes: tuple[Outcome, ...]
    summary: dict = field(default_factory=dict)


def read_questions(path: Path) -> list[Question]:
    """Questions from a JSONL file; a line that is not a question object raises ValueError naming the line."""
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            questions.append(
                Question(
                    id=str(record.get("id", number)),
                    question=str(record["question"]),
                    doc=record.get("doc"),
                    answer=_text(record.get("answer")),
                    key_points=tuple(str(p) for p in record.get("key_points") or ()),
                    evidence=_text(record.get("evidence")),
                    answerable=not ("doc" in record and record["doc"] is None),
                    kind=str(record.get("type") or record.get("kind") or ""),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{path}, line {number}: expected a JSON object with a \"question\" ({error})") from error
    return questions


def _text(value) -> str | None:
    return None if value is None else str(value)


# evidence this long, found whole in a passage of another file, is the same text: a copy or a reprint of the document
_SAME_TEXT = 15


def _matches(question: Question, doc: str, text: str, targets: tuple[str, ...] | None = None) -> bool:
    targets = question.targets if targets is None else targets
    if not question.answerable or not targets:
        return False
    said = normalise(text)
    if question.doc is not None and doc != question.doc and Path(doc).name != Path(question.doc).name:
        # another file that prints the same passage (a regulation and the notice that reprints it) holds the answer
        evidence = normalise(question.evidence or "")
        return len(evidence) >= _SAME_TEXT and evidence in said
    return any(target in said for target in targets)


def evaluate(assistant: Assistant, questions: Iterable[Question]) -> Report:
    """Ask every question once and score retrieval, answers, citations, refusals and latency."""
    outcomes = []
    for question in questions:
        hits = assistant.search(question.question, 5)
        began = time.perf_counter()
        answer = assistant.ask(question.question)
        seconds = time.perf_counter() - began
        rank = None
        if question.answerable:
            rank = next(
                (hit.rank for hit in hits if _matches(question, hit.chunk.doc_path, hit.chunk.text)), None
            )
        coverage = None
        if question.answerable and question.key_points and not answer.refused:
            said = normalise(answer.text)
            coverage = sum(normalise(point) in said for point in question.key_points) / len(question.key_points)
        elif question.answerable and question.key_points:
            coverage = 0.0
        right = sum(
            1
            for c in answer.citations
            if _matches(question, c.doc, (c.passage or "") + c.quote, question.citation_targets)
        )
        correct = question.answerable and not answer.refused and right > 0 and coverage in (None, 1.0)
        held = sum(sentence.status != "unverified" for sentence in answer.sentences)
        outcomes.append(
            Outcome(question, rank, answer.refused, coverage, len(answer.citations), right, seconds, answer.text,
                    correct, len(answer.sentences), held)
        )
    return Report(tuple(outcomes), summarise(outcomes))


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarise(outcomes: list[Outcome]) -> dict:
    answerable = [o for o in outcomes if o.question.answerable and o.question.targets]  # with something to check
    unanswerable = [o for o in outcomes if not o.question.answerable]
    with_points = [o for o in outcomes if o.key_point_coverage is not None]
    answered = [o for o in answerable if not o.refused]
    latencies = [o.seconds * 1000 for o in outcomes]

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return {
        "questions": len(outcomes),
        "answerable": len([o for o in outcomes if o.question.answerable]),
        "unanswerable": len(unanswerable),
        "recall@1": share(sum(o.rank == 1 for o in answerable), len(answerable)),
        "recall@5": share(sum(o.rank is not None for o in answerable), len(answerable)),
        "mrr@5": share(sum(1 / o.rank for o in answerable if o.rank), len(answerable)),
        "key_point_coverage": statistics.fmean(o.key_point_coverage for o in with_points) if with_points else None,
        "answers_correct": share(sum(o.correct for o in answerable), len(answerable)),
        "citation_precision": share(sum(o.correct_citations for o in answered), sum(o.citations for o in answered)),
        "answers_with_a_correct_citation": share(sum(o.correct_citations > 0 for o in answered), len(answered)),
        "refusal_rate_unanswerable": share(sum(o.refused for o in unanswerable), len(unanswerable)),
        "false_refusal_rate": share(
            sum(o.refused for o in outcomes if o.question.answerable),
            len([o for o in outcomes if o.question.answerable]),
        ),
        "median_answer_chars": statistics.median(o.answer_chars for o in answered) if answered else None,
        "llm_sentences_verified": share(sum(o.verified for o in outcomes), sum(o.sentences for o in outcomes)),
        "latency_p50_ms": _percentile(latencies, 0.5),
        "latency_p95_ms": _percentile(latencies, 0.95),
    }


LABELS = {
    "recall@1": "检索 recall@1",
    "recall@5": "检索 recall@5",
    "mrr@5": "检索 MRR@5",
    "key_point_coverage": "要点覆盖率",
    "answers_correct": "回答正确（要点齐全且引用正确）",
    "citation_precision": "引用正确率（正确引用 / 全部引用）",
    "answers_with_a_correct_citation": "含正确引用的回答占比",
    "refusal_rate_unanswerable": "无答案问题的拒答率",
    "false_refusal_rate": "有答案问题的误拒率",
    "median_answer_chars": "回答长度中位数（字）",
    "llm_sentences_verified": "大模型句子核实率（有出处支持的句子 / 全部句子）",
    "latency_p50_ms": "延迟 p50 (ms)",
    "latency_p95_ms": "延迟 p95 (ms)",
}


def table(summary: dict) -> str:
    """The summary as a readable terminal table."""
    lines = [
        f"问题 {summary['questions']} 个（有答案 {summary['answerable']}，无答案 {summary['unanswerable']}）",
        "",
    ]
    width = max(_display_width(label) for label in LABELS.values()) + 2
    for key, label in LABELS.items():
        value = summary[key]
        if value is None:
            shown = "—"
        elif key.startswith("latency") or key == "median_answer_chars":
            shown = f"{value:.1f}"
        else:
            shown = f"{value:.3f}"
        lines.append(label + " " * (width - _display_width(label)) + f"{shown:>10}")
    return "\n".join(lines)


def _display_width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def outcome_json(outcome: Outcome) -> dict:
    question = outcome.question
    return {
        "id": question.id,
        "question": question.question,
        "doc": question.doc,
        "rank": outcome.rank,
        "refused": outcome.refused,
        "key_point_coverage": outcome.key_point_coverage,
        "citations": outcome.citations,
        "correct_citations": outcome.correct_citations,
        "correct": outcome.correct,
        "type": question.kind,
        "ms": round(outcome.seconds * 1000, 2),
        "sentences": outcome.sentences,
        "sentences_verified": outcome.verified,
        "answer": outcome.answer,
    }
