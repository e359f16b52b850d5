"""Embedding throughput of an indexing run, in one process or shared among several (Settings.embed_workers).

    .venv/bin/python benchmarks/bench_embed.py [--passages 2000] [--workers 1 2]

Embeds the first `--passages` chunks of the 10k scale corpus (benchmarks/.cache/scale-10000, made by bench_scale.py)
in batches of Settings().embed_batch_size through wenyuan.embed.embed_batches, as
build_index does, once per worker count, and prints passages per second. The time includes starting the worker
processes and loading their models, as a build pays it. Writes benchmarks/results/embed.md. Only local traffic.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime
from pathlib import Path

from common import CACHE, RESULTS, write_report


def passages(limit: int) -> list[str]:
    from wenyuan.config import Settings
    from wenyuan.index import Index

    folder = CACHE / "scale-10000" / "index-use"
    if not (folder / "manifest.json").exists():
        raise SystemExit(f"no index in {folder}: run benchmarks/bench_scale.py --sizes 10000 first")
    index = Index.load(folder, Settings())
    return [chunk.embedding_text() for chunk in index.chunks[:limit]]


def main() -> None:
    from wenyuan.config import Settings
    from wenyuan.embed import UseEmbedder, embed_batches

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()
    texts = passages(args.passages)
    size = Settings().embed_batch_size
    batches = [texts[at : at + size] for at in range(0, len(texts), size)]
    rows = []
    for workers in args.workers:
        embedder = UseEmbedder()
        if workers == 1:
            embedder.embed(["模型预热", "批量"])  # the serving app has its model loaded; workers load their own
        began = time.perf_counter()
        count = sum(len(vectors) for vectors in embed_batches(embedder, batches, workers))
        seconds = time.perf_counter() - began
        rows.append(f"| {workers} | {max(1, (os.cpu_count() or 1) // workers)} | {count} | {seconds:.1f} "
                    f"| {count / seconds:.0f} |")
    text = "\n".join([
        "# Embedding over processes", "",
        f"Command: `.venv/bin/python benchmarks/bench_embed.py --passages {args.passages} --workers "
        f"{' '.join(map(str, args.workers))}` ({datetime.now():%Y-%m-%d %H:%M}); USE-multilingual-v3; "
        f"{os.cpu_count()} cores; batches of {size}.", "",
        "| processes | threads each | passages | seconds | passages/s |", "|---:|---:|---:|---:|---:|",
        *rows, "",
        "Seconds include starting the processes and loading their models (about a second each), as a build pays it.",
    ])
    write_report(text + "\n", RESULTS / "embed.md")


if __name__ == "__main__":
    main()
