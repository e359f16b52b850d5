"""Load benchmark: 20 concurrent clients asking for a while, through REST and through Gradio, with and without a
rebuild in the middle; throughput, latency percentiles, errors and the server's memory.

    .venv/bin/python benchmarks/bench_load.py                 # 4 runs of 120 s (the issue's setting)
    .venv/bin/python benchmarks/bench_load.py --seconds 30    # shorter runs

Starts `python -m wenyuan.cli serve` on 127.0.0.1 (only) over a copy of data/ in benchmarks/.cache/load-data and
its index in benchmarks/.cache/load-index, rate limit off (every client here is 127.0.0.1). Each run: `--clients`
threads ask the 50 demo questions in turn until `--seconds` have passed (bounded in count by `--max-requests`);
"with rebuild" adds a document to the copy halfway and runs `wenyuan index` on the same index from a second process,
which the serving app must notice and swap in while it answers. Errors are any non-200 reply, a refused answer to an
answerable question does not count as one. Memory: the server's RSS sampled every second (psutil), at the start
and end of each run and its peak. Table to stdout and benchmarks/results/load.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime

import httpx
import numpy as np
import psutil

from bench_web import HOST, free_port, load_questions, local_env, stop_server, wait_healthy
from common import CACHE, DATA, RESULTS, ROOT, write_report

LOAD_DATA = CACHE / "load-data"
LOAD_INDEX = CACHE / "load-index"
LOG = CACHE / "load-serve.log"
EXTRA = "关于开展负载测试的通知.txt"


def start(port: int) -> subprocess.Popen:
    env = local_env() | {"WENYUAN_QUESTIONS_PER_MINUTE": "0", "WENYUAN_QUESTION_LOG": str(CACHE / "load-questions.jsonl")}
    command = [sys.executable, "-m", "wenyuan.cli", "serve", "--host", HOST, "--port", str(port),
               "--index", str(LOAD_INDEX), "--data", str(LOAD_DATA)]
    LOG.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=LOG.open("w", encoding="utf-8"), stderr=subprocess.STDOUT)


def rebuild_halfway(seconds: float, done: threading.Event) -> threading.Thread:
    def run() -> None:
        if done.wait(seconds / 2):
            return
        (LOAD_DATA / EXTRA).write_text(f"关于开展负载测试的通知\n一、{time.time()}前完成测试。\n", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "wenyuan.cli", "index", "--quiet", "--index", str(LOAD_INDEX),
                        str(LOAD_DATA)], cwd=ROOT, env=local_env(), check=True, capture_output=True)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def run(name: str, ask: Callable[[int, str], bool], clients: int, seconds: float, max_requests: int,
        server: psutil.Process, rebuild: bool) -> dict:
    questions = load_questions(None)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    done = threading.Event()
    deadline = time.monotonic() + seconds
    rss = [server.memory_info().rss]

    def client(number: int) -> None:
        turn = number
        while time.monotonic() < deadline and not done.is_set():
            began = time.perf_counter()
            ok = ask(number, questions[turn % len(questions)])
            with lock:
                latencies.append(time.perf_counter() - began)
                errors[0] += 0 if ok else 1
                if len(latencies) >= max_requests:
                    done.set()
            turn += clients

    rebuilder = rebuild_halfway(seconds, done) if rebuild else None
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        rss.append(server.memory_info().rss)
        time.sleep(1)
    elapsed = time.perf_counter() - began
    done.set()
    if rebuilder is not None:
        rebuilder.join(timeout=600)
    rss.append(server.memory_info().rss)
    values = np.array(latencies) * 1000
    return {
        "name": name, "requests": len(latencies), "rps": len(latencies) / elapsed,
        "p50": np.percentile(values, 50), "p95": np.percentile(values, 95), "p99": np.percentile(values, 99),
        "errors": errors[0], "rss_start": rss[0] / 2**20, "rss_peak": max(rss) / 2**20, "rss_end": rss[-1] / 2**20,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--max-requests", type=int, default=50_000, help="stop a run after this many requests")
    args = parser.parse_args(argv)
    shutil.rmtree(LOAD_DATA, ignore_errors=True)
    shutil.copytree(DATA, LOAD_DATA)
    port = free_port()
    base = f"http://{HOST}:{port}"
    process = start(port)
    rows = []
    try:
        with httpx.Client() as probe:
            wait_healthy(process, probe, base)
        server = psutil.Process(process.pid)
        rest = [httpx.Client(timeout=60) for _ in range(args.clients)]

        def ask_rest(number: int, question: str) -> bool:
            response = rest[number].post(f"{base}/api/ask", json={"question": question})
            return response.status_code == 200 and "answer" in response.json()

        from gradio_client import Client

        gradio = [Client(base + "/", verbose=False) for _ in range(args.clients)]

        def ask_gradio(number: int, question: str) -> bool:
            try:
                return "answer" in gradio[number].predict(question, api_name="/ask")
            except Exception:  # an error event, a dropped connection: counted, never fatal to the run
                return False

        for name, ask, rebuild in (("REST /api/ask", ask_rest, False), ("REST /api/ask, rebuild halfway", ask_rest, True),
                                   ("Gradio /ask (queue)", ask_gradio, False),
                                   ("Gradio /ask (queue), rebuild halfway", ask_gradio, True)):
            rows.append(run(name, ask, args.clients, args.seconds, args.max_requests, server, rebuild))
            (LOAD_DATA / EXTRA).unlink(missing_ok=True)
            print(f"[{name}] done", file=sys.stderr)
    finally:
        stop_server(process)
    table = ["| route | requests | req/s | p50 ms | p95 ms | p99 ms | errors | RSS start / peak / end MB |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        table.append(f"| {r['name']} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
                     f"{r['p99']:.0f} | {r['errors']} | {r['rss_start']:.0f} / {r['rss_peak']:.0f} / {r['rss_end']:.0f} |")
    command = "benchmarks/bench_load.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    text = "\n".join([
        "# Load: concurrent clients through REST and Gradio, with a rebuild in the middle",
        "",
        f"- Date: {datetime.now().isoformat(timespec='seconds')}; command: `.venv/bin/python {command}`; "
        f"{args.clients} clients, {args.seconds:g} s a run, 127.0.0.1 only, 2 cores shared by server and clients.",
        "- Errors: replies that were not a 200 with an answer (a refusal is an answer). RSS: the server process.",
        "",
        *table,
        "",
    ])
    write_report(text, RESULTS / "load.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
