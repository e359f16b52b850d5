"""Both stores on the same index: the embedded one (FAISS and term counts in the index folder) and Milvus Lite.

    .venv/bin/python benchmarks/bench_store.py [--sizes 1000 10000]

Uses the corpora and USE indexes bench_scale.py made and cached (benchmarks/.cache/scale-<n>/data and index-use/;
run that first; it also runs this for its table of both stores).
Per size and store, in a fresh process each: loading the index (for Milvus the first load also fills the store from
the index's vectors), a one-document update (a paragraph appended to one file, then Assistant.build(), as the
documents page does), search and ask latency over the 40 demo questions cycled to 50 after 5 warm-ups, peak RSS
(VmHWM) and disk. Writes benchmarks/results/store.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from common import CACHE, DEMO_QUESTIONS, RESULTS, read_jsonl, write_report

N_QUESTIONS = 50


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _disk_mb(*paths: Path) -> float:
    return sum(f.stat().st_size for p in paths if p.exists() for f in p.rglob("*") if f.is_file()) / 1e6


def child(size: int, store: str, work: Path) -> dict:
    """One store on one size, in this process; returns the measurements."""
    from wenyuan.assistant import Assistant
    from wenyuan.config import Settings

    settings = Settings(data_dir=work / "data", index_dir=work / "index", progress=False, store=store)
    began = time.perf_counter()
    assistant = Assistant(settings)
    assistant.index  # noqa: B018 - load (and, for Milvus, fill the store from the index's vectors)
    first_load = time.perf_counter() - began
    del assistant
    began = time.perf_counter()
    assistant = Assistant(settings)
    assistant.index  # noqa: B018
    load = time.perf_counter() - began
    asked = [row["question"] for row in read_jsonl(DEMO_QUESTIONS)]
    asked = (asked * (N_QUESTIONS // len(asked) + 1))[:N_QUESTIONS]
    for question in asked[:5]:
        assistant.ask(question)
    searches, asks = [], []
    for question in asked:
        began = time.perf_counter()
        assistant.search(question)
        searches.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        assistant.ask(question)
        asks.append((time.perf_counter() - began) * 1000)
    target = sorted((work / "data").rglob("*.txt"))[len(list((work / "data").rglob("*.txt"))) // 2]
    target.write_text(target.read_text(encoding="utf-8") + "\n补充说明：本段为基准测试追加的内容。\n", encoding="utf-8")
    began = time.perf_counter()
    report = assistant.build()
    update = time.perf_counter() - began
    return {
        "size": size, "store": store, "chunks": len(assistant.index.chunks), "first_load_s": first_load,
        "load_s": load, "update_s": update, "update_embedded": report.embedded,
        "search_p50": statistics.median(searches), "search_p95": sorted(searches)[int(0.95 * (len(searches) - 1))],
        "ask_p50": statistics.median(asks), "ask_p95": sorted(asks)[int(0.95 * (len(asks) - 1))],
        "rss_mb": _vm_hwm_mb(), "disk_mb": _disk_mb(work / "index"),
    }


def current_index(folder: Path) -> Path:
    """The corpus's USE index that bench_scale.py built and cached (benchmarks/.cache/scale-<n>/index-use/)."""
    index = folder / "index-use"
    check = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from wenyuan.config import "
                            "Settings; from wenyuan.index import Index; Index.load(Path(sys.argv[1]), Settings())",
                            str(index)], capture_output=True, text=True)
    if check.returncode != 0:
        raise SystemExit(f"no index of this version in {index}: run benchmarks/bench_scale.py first")
    return index


def run(size: int, store: str) -> dict:
    folder = CACHE / f"scale-{size}"
    if not (folder / "data").exists():
        raise SystemExit(f"no corpus in {folder}: run benchmarks/bench_scale.py first")
    index = current_index(folder)
    with tempfile.TemporaryDirectory(prefix=f"wenyuan-store-{size}-") as scratch:
        work = Path(scratch)
        shutil.copytree(folder / "data", work / "data")
        shutil.copytree(index, work / "index")
        done = subprocess.run([sys.executable, __file__, "--child", str(size), store, str(work)],
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        size, store, work = args.child
        print(json.dumps(child(int(size), store, Path(work))))
        return
    rows = [run(size, store) for size in args.sizes for store in ("embedded", "milvus")]
    lines = [
        "# Both stores on the same index", "",
        f"Command: `.venv/bin/python benchmarks/bench_store.py --sizes {' '.join(map(str, args.sizes))}` "
        f"({datetime.now():%Y-%m-%d %H:%M}); the USE indexes bench_scale.py cached; Milvus Lite "
        "(milvus-lite, in-process) with FLAT dense search; 2 cores.", "",
        "| chunks | store | first load s | load s | one-document update s | search p50 / p95 ms | ask p50 / p95 ms "
        "| peak RSS MB | disk MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['chunks']} | {row['store']} | {row['first_load_s']:.2f} | {row['load_s']:.2f} | "
            f"{row['update_s']:.2f} | {row['search_p50']:.1f} / {row['search_p95']:.1f} | "
            f"{row['ask_p50']:.1f} / {row['ask_p95']:.1f} | {row['rss_mb']:.0f} | {row['disk_mb']:.1f} |")
    lines += ["", "first load: for Milvus, the passages are inserted from the index's vectors (once per store). "
              "one-document update: a paragraph appended to one file, Assistant.build() in the serving process "
              f"({rows[0]['update_embedded']} passages re-embedded at the first size). disk: the index folder, "
              "for Milvus including its milvus.db."]
    write_report("\n".join(lines) + "\n", RESULTS / "store.md")


if __name__ == "__main__":
    main()
