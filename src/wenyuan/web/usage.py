"""What the question log says about use: questions a day, how many were refused or rated 👎, how fast answers came,
what is asked most, and the knowledge gaps (refused or 👎 questions, grouped by meaning, so a department sees which
documents are missing).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from wenyuan.embed import Embedder

_SAME_GAP = 0.72  # cosine similarity above which two unanswered questions ask for the same thing
_TOP = 10


@dataclass(frozen=True, slots=True)
class Gap:
    """Questions the documents did not answer (refused, or rated 👎), that ask for the same thing."""

    count: int
    examples: tuple[str, ...]
    reasons: tuple[str, ...]  # the 👎 reasons given, most common first


@dataclass(frozen=True, slots=True)
class Usage:
    questions: int
    refused: int
    rated: int
    down: int
    median_ms: int | None
    per_day: list[tuple[str, int, int]] = field(default_factory=list)  # (day, questions, refused)
    top: list[tuple[str, int]] = field(default_factory=list)  # most asked questions
    gaps: list[Gap] = field(default_factory=list)

    def summary(self) -> str:
        """The figures in one paragraph, as the dashboard shows them."""
        if not self.questions:
            return "还没有问答记录。"
        refused = self.refused / self.questions
        down = f"{self.down / self.rated:.0%}（{self.down}/{self.rated}）" if self.rated else "—（尚无评价）"
        latency = f"{self.median_ms} 毫秒" if self.median_ms is not None else "—"
        return (f"共 {self.questions} 个问题，拒答 {refused:.0%}（{self.refused} 个），"
                f"评价为“没有帮助”的占 {down}，回答用时中位数 {latency}。")


def usage(entries: list[dict], embedder: Embedder | None = None) -> Usage:
    """The figures of a question log's entries (QuestionLog.entries())."""
    per_day: dict[str, list[int]] = {}
    for entry in entries:
        day = per_day.setdefault(str(entry.get("time", ""))[:10], [0, 0])
        day[0] += 1
        day[1] += bool(entry.get("refused"))
    latencies = [int(entry["milliseconds"]) for entry in entries if isinstance(entry.get("milliseconds"), int)]
    asked = Counter(" ".join(str(entry.get("question", "")).split()) for entry in entries)
    unanswered = [entry for entry in entries if entry.get("refused") or entry.get("rating") == "down"]
    return Usage(
        questions=len(entries),
        refused=sum(bool(entry.get("refused")) for entry in entries),
        rated=sum(entry.get("rating") in ("up", "down") for entry in entries),
        down=sum(entry.get("rating") == "down" for entry in entries),
        median_ms=round(statistics.median(latencies)) if latencies else None,
        per_day=[(day, counts[0], counts[1]) for day, counts in sorted(per_day.items())],
        top=[(question, count) for question, count in asked.most_common(_TOP) if count > 1 or len(asked) <= _TOP],
        gaps=gaps(unanswered, embedder),
    )


def gaps(entries: list[dict], embedder: Embedder | None) -> list[Gap]:
    """Unanswered questions grouped by meaning (the embedder's; exact wording without one), largest group first."""
    if not entries:
        return []
    texts = [" ".join(str(entry.get("question", "")).split()) for entry in entries]
    groups: list[list[int]] = []
    if embedder is not None:
        vectors = np.asarray(embedder.embed(texts, query=True), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        centres: list[np.ndarray] = []
        for k, vector in enumerate(vectors):  # greedy: each question joins the closest group it is close enough to
            similarities = [float(vector @ centre) for centre in centres]
            best = int(np.argmax(similarities)) if similarities else -1
            if best >= 0 and similarities[best] >= _SAME_GAP:
                groups[best].append(k)
                mean = vectors[groups[best]].mean(axis=0)
                centres[best] = mean / max(float(np.linalg.norm(mean)), 1e-9)
            else:
                groups.append([k])
                centres.append(vector)
    else:
        by_text: dict[str, list[int]] = {}
        for k, text in enumerate(texts):
            by_text.setdefault(text, []).append(k)
        groups = list(by_text.values())
    found = []
    for members in groups:
        examples = list(dict.fromkeys(texts[k] for k in members))
        reasons = Counter(entries[k].get("reason") for k in members if entries[k].get("reason"))
        found.append(Gap(len(members), tuple(examples[:3]), tuple(reason for reason, _ in reasons.most_common())))
    return sorted(found, key=lambda gap: -gap.count)[:_TOP * 2]
