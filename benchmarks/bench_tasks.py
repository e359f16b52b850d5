"""任务分解 measured against items annotated by hand: item recall and precision, lead / participant / deadline accuracy.

    .venv/bin/python benchmarks/bench_tasks.py

benchmarks/tasks/annotations.jsonl holds, per document, the items a person listed by reading the document alone
(benchmarks/tasks/README.md says how). It is a frozen test set: run to report, never to tune. The documents are read
from ../shared/corpus/ as `wenyuan index` reads them (the .docx and .pdf through the same readers), then
`wenyuan.tasks.tasks` makes the checklist. An annotated item is found when a row starts at the same words (the
first ten characters, white space and bracket widths aside).

Beside it, the simplest strong baseline: every line that begins with a heading number (一、 （一） 1. （1）) is an item,
the last （…负责） of its line gives its units, the first deadline phrase its deadline. Writes
benchmarks/results/tasks.md.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime

from common import BENCH, RESULTS, ROOT, read_jsonl, write_report
from wenyuan.chunking import build_structure
from wenyuan.clean import fold
from wenyuan.ingest import SourceFile, load
from wenyuan.tasks import deadline, responsibility, tasks

ANNOTATIONS = BENCH / "tasks" / "annotations.jsonl"
MORE_DEV = BENCH / "tasks" / "annotations-dev.jsonl"  # 8 more documents, annotated later, only to tune on
# Split once, after the first (untuned) run: the extractor is changed only for differences on these documents; the
# other six are the frozen test part, one of each kind (意见, 讲话, 通知, 方案, a real .docx and a real .pdf).
DEV = frozenset({
    "genres/国务院关于促进综合保税区高水平开放高质量发展的若干意见.txt",
    "gov/国务院办公厅关于深入开展消费扶贫助力打赢脱贫攻坚战的指导意见.txt",
    "gov/国务院办公厅关于印发无废城市建设试点工作方案的通知.txt",
    "gov/国务院办公厅关于对真抓实干成效明显地方进一步加大激励支持力度的通知.txt",
    "real/成都市人民政府关于非城镇户籍从业人员综合社会保险并轨城镇职工社会保险有关问题的通知.docx",
})
CORPUS = ROOT.parent / "shared" / "corpus"
_KEY_LENGTH = 10
_NUMBERED_LINE = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．、]|[（(]\d+[）)])")


@dataclass
class Row:
    """An item as either side lists it: where it starts (its first words), its units and its deadline."""

    key: str
    lead: str
    participants: tuple[str, ...]
    deadline: str
    written: bool = False  # the units come from a responsibility the item writes (（…负责）), not from its clauses


def key(words: str) -> str:
    """The first words of an item, compared without white space or bracket and stop widths."""
    squashed = re.sub(r"\s+", "", fold(words)).replace("(", "（").replace(")", "）").replace("．", ".")
    return squashed[:_KEY_LENGTH]


def unit_form(unit: str) -> str:
    return re.sub(r"\s+", "", fold(unit)).removesuffix("等")


def shipped(document, structure) -> list[Row]:
    return [Row(key(document.text[row.start:row.start + 40]), row.lead, row.participants, row.deadline, row.assigned)
            for row in tasks(document, structure)]


def baseline(document) -> list[Row]:
    """Every numbered line is an item; its own line gives its units and deadline."""
    first_leads = "列第一位" in document.text
    rows = []
    for line in document.text.splitlines():
        if _NUMBERED_LINE.match(line):
            lead, participants, span = responsibility(line, first_leads)
            rows.append(Row(key(line), lead, participants, deadline(line)[0], span is not None))
    return rows


@dataclass
class Tally:
    tasks: int = 0  # annotated items that set a task
    found_tasks: int = 0
    items: int = 0  # every annotated item (tasks and framing ones)
    found_items: int = 0
    predicted: int = 0
    predicted_right: int = 0  # rows that are an annotated item
    unit_cases: int = 0  # matched items where either side names a unit
    unit_right: int = 0
    lead_right: int = 0
    written_cases: int = 0  # of the unit cases, those whose units the item writes as a responsibility
    written_right: int = 0
    deadline_cases: int = 0  # matched items where either side gives a deadline
    deadline_right: int = 0

    def add(self, gold: list[dict], rows: list[Row]) -> list[str]:
        """Counts one document; an annotated item stopped short at a line break ("（一）老年补贴。") matches the row
        that starts with it. Returns what differs."""
        def starts_as(row: Row, words: str) -> bool:
            return row.key.startswith(words) if len(words) < _KEY_LENGTH else row.key == words

        annotated = [key(item["starts"]) for item in gold]
        self.predicted += len(rows)
        self.predicted_right += sum(any(starts_as(row, words) for words in annotated) for row in rows)
        misses, used = [], set()
        for item, words in zip(gold, annotated):
            # two items may start alike (（一）小学 in two sections): each row answers for one item, in order
            at = next((n for n, row in enumerate(rows) if n not in used and starts_as(row, words)), None)
            row = None if at is None else rows[at]
            used.add(at)
            self.items += 1
            self.tasks += bool(item["task"])
            if row is None:
                if item["task"]:
                    misses.append(f"missed {item['starts']}")
                continue
            self.found_items += 1
            self.found_tasks += bool(item["task"])
            lead = unit_form(item.get("lead", ""))
            participants = tuple(unit_form(u) for u in item.get("participants", []))
            if lead or participants or row.lead or row.participants:
                self.unit_cases += 1
                same_lead = unit_form(row.lead) == lead
                same = same_lead and tuple(unit_form(u) for u in row.participants) == participants
                self.lead_right += same_lead
                self.unit_right += same
                self.written_cases += row.written
                self.written_right += row.written and same
                if not same:
                    misses.append(f"units {item['starts']}: {row.lead}/{'、'.join(row.participants)} "
                                  f"(annotated {item.get('lead', '')}/{'、'.join(item.get('participants', []))})")
            written, expected = fold(row.deadline), fold(item.get("deadline", ""))
            if written or expected:
                self.deadline_cases += 1
                right = bool(written and expected and (written in expected or expected in written))
                self.deadline_right += right
                if not right:
                    misses.append(f"deadline {item['starts']}: {row.deadline!r} (annotated {expected!r})")
        return misses


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f} ({part}/{whole})" if whole else "–"


def main() -> int:
    if not CORPUS.is_dir():
        print(f"needs the shared corpus at {CORPUS}", file=sys.stderr)
        return 2
    documents = read_jsonl(ANNOTATIONS)
    more = read_jsonl(MORE_DEV) if MORE_DEV.exists() else []
    dev = DEV | {entry["doc"] for entry in more}
    documents += more
    tallies = {(part, method): Tally() for part in ("test", "dev") for method in ("ours", "baseline")}
    per_document, notes = [], []
    for entry in sorted(documents, key=lambda e: (e["doc"] in dev, e["doc"])):
        part = "dev" if entry["doc"] in dev else "test"
        document = load(SourceFile(CORPUS / entry["doc"], entry["doc"]))
        structure = build_structure(document)
        rows, simple = shipped(document, structure), baseline(document)
        mine, theirs = Tally(), Tally()
        misses = mine.add(entry["items"], rows)
        theirs.add(entry["items"], simple)
        tallies[part, "ours"].add(entry["items"], rows)
        tallies[part, "baseline"].add(entry["items"], simple)
        per_document.append(
            f"| {part} | {entry['doc']} | {entry['kind']} | {len(entry['items'])} | "
            f"{_ratio(mine.found_tasks, mine.tasks)} | {_ratio(mine.predicted_right, mine.predicted)} | "
            f"{_ratio(mine.unit_right, mine.unit_cases)} | {_ratio(mine.deadline_right, mine.deadline_cases)} | "
            f"{_ratio(theirs.found_tasks, theirs.tasks)} |")
        notes += [f"- ({part}) {entry['doc']}: {miss}" for miss in misses]
    test_docs = sum(entry["doc"] not in dev for entry in documents)
    lines = [
        "# 任务分解 against hand-annotated items", "",
        f"Command: `.venv/bin/python benchmarks/bench_tasks.py` ({datetime.now():%Y-%m-%d %H:%M}); annotations in "
        f"`benchmarks/tasks/annotations.jsonl` ({test_docs} test documents, frozen: reported, never tuned on; "
        f"{len(DEV)} dev) and `annotations-dev.jsonl` ({len(more)} more dev documents).", "",
        "| part | method | item recall (tasks) | item recall (all items) | precision | unit accuracy "
        "(lead and participants) | units written (（…负责）) | units read from clauses | lead accuracy | "
        "deadline accuracy |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (part, method), tally in tallies.items():
        name = "Wenyuan `tasks`" if method == "ours" else "baseline: numbered lines"
        lines.append(
            f"| {'**test**' if part == 'test' else 'dev'} | {name} | {_ratio(tally.found_tasks, tally.tasks)} | "
            f"{_ratio(tally.found_items, tally.items)} | {_ratio(tally.predicted_right, tally.predicted)} | "
            f"{_ratio(tally.unit_right, tally.unit_cases)} | {_ratio(tally.written_right, tally.written_cases)} | "
            f"{_ratio(tally.unit_right - tally.written_right, tally.unit_cases - tally.written_cases)} | "
            f"{_ratio(tally.lead_right, tally.unit_cases)} | "
            f"{_ratio(tally.deadline_right, tally.deadline_cases)} |")
    lines += ["", "Unit and deadline accuracy count the matched items where either side names a unit (a deadline); "
              "a deadline is right when one wording holds the other. \"Units written\" are the cases where the row's units "
              "come from a responsibility the item writes (（…负责）, （…牵头）); \"read from clauses\" are the rest: a "
              "unit the item's sentences make act (…由A负责, A要…), or none found.", "",
              "| part | document | kind | items | recall (tasks) | precision | units | deadlines | baseline recall |",
              "|---|---|---|---|---|---|---|---|---|", *per_document, "", "## Differences", "", *(notes or ["none"])]
    write_report("\n".join(lines) + "\n", RESULTS / "tasks.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
