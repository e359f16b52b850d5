"""What the assistant told people: one JSON line per question answered through the web app, and one per rating
(👍 / 👎 with a reason) of such an answer, rotated, exportable as CSV from the documents page. Departments must be able to show what was said, and on what sources.

Nothing personal is recorded beyond what the intranet's proxy chooses to pass (no IP addresses, no cookies).
"""

from __future__ import annotations

import collections
import csv
import io
import json
import logging
import logging.handlers
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

from wenyuan.types import Answer

MAX_BYTES = 10 << 20  # one log file; five older ones are kept
BACKUPS = 5
COLUMNS = ("time", "route", "question", "mode", "refused", "documents", "milliseconds", "answer", "id", "rating",
           "reason")
RATINGS = ("up", "down")
REASONS = ("答非所问", "不完整", "引用不对", "应该拒答")  # what a 👎 can say; other words are kept as given
_RECENT = 20_000  # answers that can still be rated, newest kept


class QuestionLog:
    """Appends one line per answered question; thread-safe (the web app answers many at once)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._logger: logging.Logger | None = None
        self._lock = threading.Lock()
        self._recent: collections.OrderedDict[str, None] = collections.OrderedDict()  # ids that can be rated

    def _writer(self) -> logging.Logger:
        with self._lock:
            if self._logger is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                handler = logging.handlers.RotatingFileHandler(self.path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                               encoding="utf-8")
                handler.setFormatter(logging.Formatter("%(message)s"))
                logger = logging.getLogger(f"wenyuan.questions.{self.path.resolve()}")
                logger.propagate = False  # the questions go to their own file, not to the server's log
                logger.setLevel(logging.INFO)
                logger.handlers = [handler]
                self._logger = logger
            return self._logger

    def record(self, route: str, answer: Answer, seconds: float) -> str:
        """One answered question: when, through which route, what was asked and answered, which documents. Returns
        the answer's id, by which it can be rated."""
        answer_id = uuid.uuid4().hex[:16]
        entry = {
            "id": answer_id,
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "route": route,
            "question": answer.question,
            "mode": answer.mode,
            "refused": answer.refused,
            "documents": sorted({citation.doc for citation in answer.citations}),
            "milliseconds": round(seconds * 1000),
            "answer": answer.text,
        }
        self._writer().info(json.dumps(entry, ensure_ascii=False))
        with self._lock:
            self._recent[answer_id] = None
            while len(self._recent) > _RECENT:
                self._recent.popitem(last=False)
        return answer_id

    def rate(self, answer_id: str, rating: str, reason: str = "") -> bool:
        """A person's 👍 or 👎 (with a reason) on an answer recorded here; False for an id it does not know."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}")
        with self._lock:
            if answer_id not in self._recent:
                return False
        entry = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "rated": answer_id,
                 "rating": rating, "reason": reason.strip()[:200]}
        self._writer().info(json.dumps(entry, ensure_ascii=False))
        return True

    def entries(self) -> list[dict]:
        """Every recorded question, oldest first, each with its latest rating ("rating", "reason"; empty if none)."""
        files = [self.path.with_name(f"{self.path.name}.{n}") for n in range(BACKUPS, 0, -1)] + [self.path]
        entries, ratings = [], {}
        for file in files:
            if not file.exists():
                continue
            for line in file.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut by a crash
                if "rated" in entry:
                    ratings[entry["rated"]] = entry  # the latest rating of an answer counts
                elif "question" in entry:
                    entries.append(entry)
        for entry in entries:
            rated = ratings.get(entry.get("id", ""), {})
            entry["rating"], entry["reason"] = rated.get("rating", ""), rated.get("reason", "")
        return entries

    def to_csv(self) -> str:
        """Every recorded question, oldest first, as CSV with a header row (UTF-8 with BOM, for Excel)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for entry in self.entries():
            entry["documents"] = "；".join(entry.get("documents", []))
            writer.writerow([entry.get(column, "") for column in COLUMNS])
        return "\ufeff" + out.getvalue()
