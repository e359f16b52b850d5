"""Ingestion of real files as departments have them: per format, files indexed, skipped and warned, seconds per file.

    .venv/bin/python benchmarks/bench_files.py

Reads every file of ../shared/corpus/real/ (local-government .pdf, .docx, .doc as published) and
../shared/corpus/formats/ (.ofd and .wps samples) with `wenyuan.ingest.load`, one at a time, as `wenyuan index`
does, and prints a table per format (a PDF whose pages were read by OCR counts as "scan") and one line per file that
was skipped or warned. Writes benchmarks/results/files.md. What it installs matters: without LibreOffice, .doc and .wps
files are read by antiword or skipped; without an OCR engine, scanned pages are reported, not read.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime

from common import RESULTS, ROOT, write_report
from wenyuan.ingest import IngestError, SourceFile, load
from wenyuan.readers import legacy, ocr

FOLDERS = [ROOT.parent / "shared" / "corpus" / "real", ROOT.parent / "shared" / "corpus" / "formats"]


def main() -> int:
    rows: dict[str, list[tuple[str, str, float, str]]] = defaultdict(list)  # format -> (file, outcome, s, detail)
    tables: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # format -> [tables, table rows]
    began = time.perf_counter()
    for folder in FOLDERS:
        for path in sorted(folder.iterdir()):
            if path.name.startswith("SOURCES"):
                continue
            started = time.perf_counter()
            fmt = path.suffix.lower().lstrip(".")
            try:
                document = load(SourceFile(path, path.name))
            except IngestError as error:
                outcome, detail = "skipped", str(error)
            else:
                fmt = "scan" if document.ocr_pages else fmt
                tables[fmt][0] += len(document.tables)
                tables[fmt][1] += sum(document.text.count("\n", start, end) + 1 for start, end in document.tables)
                outcome = "warned" if document.warnings else "indexed"
                detail = f"{document.reader}, {len(document.text)} 字" + (
                    "；" + "；".join(document.warnings) if document.warnings else "")
            seconds = time.perf_counter() - started
            rows[fmt].append((path.name, outcome, seconds, detail))
            print(f"{seconds:6.2f} s  {outcome:8} {path.name[:50]}  {detail[:100]}", file=sys.stderr)
    table = ["| format | files | indexed | indexed with a warning | skipped | seconds per file (median / max) "
             "| tables read as rows (rows) |", "|---|---:|---:|---:|---:|---|---:|"]
    for fmt, items in sorted(rows.items()):
        seconds = [s for _, _, s, _ in items]
        count = {kind: sum(1 for _, o, _, _ in items if o == kind) for kind in ("indexed", "warned", "skipped")}
        table.append(f"| {fmt} | {len(items)} | {count['indexed']} | {count['warned']} | {count['skipped']} | "
                     f"{statistics.median(seconds):.2f} / {max(seconds):.2f} | {tables[fmt][0]} ({tables[fmt][1]}) |")
    details = [f"- {outcome} `{name}`: {detail}" for items in rows.values() for name, outcome, _, detail in items
               if outcome != "indexed"]
    text = "\n".join([
        "# Real files: what each format's reader makes of them",
        "",
        f"- Date: {datetime.now().isoformat(timespec='seconds')}; command: `.venv/bin/python benchmarks/bench_files.py`; "
        f"{time.perf_counter() - began:.0f} s in all, 2 cores.",
        f"- Readers installed: LibreOffice {'yes' if legacy.soffice() else 'no'}, OCR {ocr.available() or 'no'}.",
        "",
        *table,
        "",
        "Files skipped or indexed with a warning:",
        "",
        *details,
        "",
    ])
    write_report(text, RESULTS / "files.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
