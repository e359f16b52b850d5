"""Web latency benchmark: the real app over HTTP, streaming (SSE) and plain /api/ask, and the Gradio API.

    .venv/bin/python benchmarks/bench_web.py [--port N] [--questions N]

Starts `python -m wenyuan.cli serve` as a subprocess on 127.0.0.1 with the index in benchmarks/.cache/web-index/
(built from data/ on first start, then reused) and waits for /api/health to say "ok". Then, after two warm-up
requests per endpoint, asks each question once per endpoint, interleaved (stream, ask, gradio for question 1, then
question 2, ...), so drift on the machine hits all endpoints alike:

* POST /api/ask/stream (httpx, streaming): time from sending the request to the first `delta` event (time to first
  token) and to the final `answer` event (full answer);
* POST /api/ask: time to the full JSON response;
* Gradio API: gradio_client.Client(url).predict(question, api_name="/ask"), full time (client created once).

The questions are the 40 of benchmarks/questions_demo.jsonl followed by the first 10 again (50), cycled or cut to
--questions. The server log goes to benchmarks/.cache/web-serve.log. Only 127.0.0.1 traffic; the server is stopped
at the end, also on errors. The table goes to stdout and, with the date, machine and command, to
benchmarks/results/web.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import httpx
import numpy as np

from common import CACHE, DATA, DEMO_QUESTIONS, RESULTS, ROOT, write_report
from wenyuan.index import MANIFEST

INDEX = CACHE / "web-index"
LOG = CACHE / "web-serve.log"
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 180.0
WARMUP = 2
REPEAT_FIRST = 10  # the first questions asked again after all 40


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def load_questions(n: int | None) -> list[str]:
    base = [json.loads(line)["question"] for line in DEMO_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = base + base[:REPEAT_FIRST]
    if n is None:
        return questions
    return [questions[i % len(questions)] for i in range(n)]


# ---- the server ------------------------------------------------------------------------------------------------
def local_env() -> dict[str, str]:
    """The environment for server and clients: no analytics, no proxies for 127.0.0.1, no Hub lookups."""
    env = dict(os.environ)
    env["GRADIO_ANALYTICS_ENABLED"] = "False"
    env["HF_HUB_OFFLINE"] = "1"
    for name in ("NO_PROXY", "no_proxy"):
        env[name] = ",".join(filter(None, [env.get(name, ""), HOST, "localhost"]))
    return env


def start_server(port: int) -> tuple[subprocess.Popen, list[str], object]:
    command = [sys.executable, "-m", "wenyuan.cli", "serve", "--host", HOST, "--port", str(port),
               "--index", str(INDEX.relative_to(ROOT)), "--data", str(DATA.relative_to(ROOT))]
    LOG.parent.mkdir(parents=True, exist_ok=True)
    log_file = open(LOG, "w", encoding="utf-8")  # a file, not a pipe: a full pipe would block the server
    process = subprocess.Popen(command, cwd=ROOT, env=local_env(), stdout=log_file, stderr=subprocess.STDOUT)
    return process, command, log_file


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_healthy(process: subprocess.Popen, client: httpx.Client, base: str) -> tuple[dict, float]:
    began = time.perf_counter()
    last = "no answer yet"
    while time.perf_counter() - began < STARTUP_TIMEOUT:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}; see {LOG}:\n{tail(LOG)}")
        try:
            response = client.get(f"{base}/api/health", timeout=5)
            if response.status_code == 200 and response.json().get("status") == "ok":
                return response.json(), time.perf_counter() - began
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as error:
            last = repr(error)
        time.sleep(0.5)
    raise RuntimeError(f"/api/health not ok after {STARTUP_TIMEOUT:.0f} s (last: {last}); see {LOG}:\n{tail(LOG)}")


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# ---- the endpoints -----------------------------------------------------------------------------------------------
class Checks:
    """Sanity counts: a timing is only worth something if the endpoint answered properly."""

    def __init__(self) -> None:
        self.deltas = 0
        self.mismatched_stream = 0  # joined delta texts != the answer event's text
        self.refused = 0
        self.disagree = 0  # stream, /api/ask and Gradio gave different answer texts


def ask_stream(client: httpx.Client, base: str, question: str) -> tuple[float, float, dict, int, bool]:
    """(seconds to the first delta, seconds to the answer event, the answer, delta count, deltas join to text)."""
    began = time.perf_counter()
    first: float | None = None
    parts: list[str] = []
    answer: dict | None = None
    full = 0.0
    event = "message"
    with client.stream("POST", f"{base}/api/ask/stream", json={"question": question}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line[len("event:"):].strip()
            elif line.startswith("data:"):
                payload = json.loads(line[len("data:"):].strip())
                if event == "delta":
                    if first is None:
                        first = time.perf_counter() - began
                    parts.append(payload["text"])
                elif event == "answer":
                    answer = payload
                    full = time.perf_counter() - began
            elif not line:
                event = "message"
    if answer is None:
        raise RuntimeError(f"no answer event for {question!r}")
    if first is None:  # an answer without any delta: count the answer as the first token
        first = full
    return first, full, answer, len(parts), "".join(parts) == answer["answer"]


def ask_plain(client: httpx.Client, base: str, question: str) -> tuple[float, dict]:
    began = time.perf_counter()
    response = client.post(f"{base}/api/ask", json={"question": question})
    response.raise_for_status()
    answer = response.json()
    return time.perf_counter() - began, answer


def ask_gradio(gradio, question: str) -> tuple[float, dict]:
    began = time.perf_counter()
    answer = gradio.predict(question, api_name="/ask")
    return time.perf_counter() - began, answer


# ---- report ---------------------------------------------------------------------------------------------------
def row(name: str, samples: Sequence[float]) -> str:
    ms = np.asarray(samples) * 1000
    return (f"| {name} | {len(ms)} | {np.percentile(ms, 50):.1f} | {np.percentile(ms, 95):.1f} | "
            f"{ms.max():.1f} |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=None, help="port for the server (default: a free one)")
    parser.add_argument("--questions", type=int, default=None,
                        help="how many timed questions per endpoint (default 50: the 40 demo questions, then the "
                             "first 10 again)")
    parser.add_argument("--out", type=Path, default=RESULTS / "web.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    os.environ.update({k: v for k, v in local_env().items() if k in ("NO_PROXY", "no_proxy", "HF_HUB_OFFLINE",
                                                                      "GRADIO_ANALYTICS_ENABLED")})
    questions = load_questions(args.questions)
    port = args.port or free_port()
    base = f"http://{HOST}:{port}"
    index_existed = (INDEX / MANIFEST).exists()

    stream_first: list[float] = []
    stream_full: list[float] = []
    plain: list[float] = []
    via_gradio: list[float] = []
    checks = Checks()

    process, command, log_file = start_server(port)
    try:
        # trust_env=False: no proxy settings from the environment, the traffic stays on 127.0.0.1
        with httpx.Client(trust_env=False, timeout=httpx.Timeout(120.0)) as client:
            health, startup = wait_healthy(process, client, base)
            print(f"server up on {base} after {startup:.1f} s: {health}", file=sys.stderr)

            from gradio_client import Client

            gradio = Client(base + "/", verbose=False)
            for question in questions[:WARMUP]:
                ask_stream(client, base, question)
                ask_plain(client, base, question)
                ask_gradio(gradio, question)

            for number, question in enumerate(questions, 1):
                first, full, streamed, deltas, joined = ask_stream(client, base, question)
                stream_first.append(first)
                stream_full.append(full)
                checks.deltas += deltas
                checks.mismatched_stream += not joined
                checks.refused += bool(streamed.get("refused"))
                seconds, answered = ask_plain(client, base, question)
                plain.append(seconds)
                seconds, from_gradio = ask_gradio(gradio, question)
                via_gradio.append(seconds)
                texts = {streamed["answer"], answered["answer"], from_gradio["answer"]}
                checks.disagree += len(texts) > 1
                if number % 10 == 0:
                    print(f"[{number}/{len(questions)}]", file=sys.stderr)
    finally:
        stop_server(process)
        log_file.close()

    elapsed = time.perf_counter() - started
    n = len(questions)
    rows = [
        "| endpoint | n | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        row("POST /api/ask/stream, first `delta` (time to first token)", stream_first),
        row("POST /api/ask/stream, `answer` event (full answer)", stream_full),
        row("POST /api/ask (full answer)", plain),
        row('Gradio API, Client.predict(q, api_name="/ask") (full answer)', via_gradio),
    ]
    notes = [
        f"{n} questions per endpoint (questions_demo.jsonl: 40, then the first 10 again) after {WARMUP} warm-up "
        "requests per endpoint; endpoints interleaved per question; one client at a time (no concurrency).",
        f"Checks: {checks.deltas / max(n, 1):.1f} delta events per streamed answer on average; "
        f"{checks.mismatched_stream} streamed answers whose deltas did not join to the answer text; "
        f"{checks.disagree} questions where the three endpoints gave different answer texts; "
        f"{checks.refused} refusals.",
        f"Server start to /api/health ok: {startup:.1f} s "
        f"({'index reused' if index_existed else 'index built on first start'}). Total run time: {elapsed:.0f} s.",
    ]

    invocation = " ".join(shlex.quote(a) for a in [".venv/bin/python", "benchmarks/bench_web.py",
                                                     *(sys.argv[1:] if argv is None else argv)])
    text = "\n".join([
        "# Web latency benchmark",
        "",
        f"{datetime.now().isoformat(timespec='seconds')}; machine: {os.cpu_count()} cores "
        f"(the small 2-core box the other benchmarks ran on), server and client on the same machine; "
        f"embedder {health.get('embedder')}, {health.get('documents')} documents, {health.get('chunks')} chunks.",
        "",
        f"Command: `{invocation}` (server: `{' '.join(shlex.quote(str(c)) for c in ['python', *command[1:]])}`)",
        "",
        *rows,
        "",
        *[f"{note}\n" for note in notes],
    ])
    write_report(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
