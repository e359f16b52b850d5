"""Scale benchmark: build time, pipeline overhead, incremental update, query latency, peak RSS and disk size
for synthetic corpora of about 1k, 10k and 100k chunks.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1000,10000,100000] [--rebuild] [--profile]

Corpora: copy 0 is data/*.txt as it is; copy i >= 1 rewrites every document deterministically (seeded by copy and
document): numbers changed (years shifted, other figures scaled), 国务院/全国/各省… replaced by a region, a copy tag
第{i}批 and region/city names put into 一、/（一） headings and into sentences, synonyms swapped, and the body
paragraphs between two headings shuffled. Heading lines stay heading lines, so the chunker sees the official
structure. Documents are added until the corpus reaches the target chunk count. Everything goes to
benchmarks/.cache/scale-<n>/ (data/, index-use/, index-hash/, corpus.json, build-use.json).

Per size:
  * full build with the default embedder (USE, cached: a rerun only measures the rest), with the time spent inside
    embedder.embed accumulated by a wrapper; overhead = total - embedder time;
  * full build with a hash embedder ("hash-test", 512-d, deterministic numpy): pipeline-only throughput (rerun
    every time);
  * incremental update: one document gets a paragraph appended, build_index(previous=<loaded index>) into a copy of
    the USE index (so the cache stays valid), then the file is restored;
  * a fresh subprocess loads the index through wenyuan.assistant.Assistant, warms up, times Assistant.search and
    Assistant.ask over 50 questions (benchmarks/questions_demo.jsonl, cycled: it has 40) and reports its peak RSS;
  * index size on disk.

Output: a markdown table on stdout and in benchmarks/results/scale.md (with the targets, met/missed),
benchmarks/results/scale.png. --profile also writes cProfile reports of ask/search, the hash build and the
incremental update to benchmarks/.cache/scale-profiles/. Only local traffic: the USE model is bundled.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import logging
import os
import platform
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

from common import CACHE, DATA, DEMO_QUESTIONS, RESULTS, MeteredEmbedder

PROFILES = CACHE / "scale-profiles"
GENERATOR_VERSION = 1
N_QUESTIONS = 50
WARMUP = 5

log = logging.getLogger("bench_scale")

TARGETS_TEXT = [
    ("search p50 ≤ 20 ms at 10k chunks", 10_000, "search_p50", 20.0),
    ("ask p50 ≤ 60 ms at 10k chunks", 10_000, "ask_p50", 60.0),
    ("ask p95 ≤ 250 ms at 100k chunks", 100_000, "ask_p95", 250.0),
    ("incremental update of one changed document ≤ 5 s at 10k chunks", 10_000, "incremental_s", 5.0),
    ("incremental update of one changed document ≤ 5 s at 100k chunks", 100_000, "incremental_s", 5.0),
    ("peak RSS ≤ 2 GB at 100k chunks: a process answering questions", 100_000, "rss_mb", 2048.0),
    ("peak RSS ≤ 2 GB at 100k chunks: the app rebuilding while it serves", 100_000, "rebuild_rss_mb", 2048.0),
]
OVERHEAD_TARGET = 10.0  # % of build time outside embedder.embed, every size


# ---- embedders ---------------------------------------------------------------------------------------------
class HashEmbedder:
    """Deterministic stand-in: a unit vector drawn from a generator seeded by the text's hash. No model."""

    name = "hash-test"
    dimension = 512

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
            out[row] = np.random.default_rng(seed).standard_normal(self.dimension, dtype=np.float32)
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out


# ---- synthetic corpus ---------------------------------------------------------------------------------------
REGIONS = (
    "北京市 天津市 河北省 山西省 内蒙古自治区 辽宁省 吉林省 黑龙江省 上海市 江苏省 浙江省 安徽省 福建省 江西省 山东省 "
    "河南省 湖北省 湖南省 广东省 广西壮族自治区 海南省 重庆市 四川省 贵州省 云南省 西藏自治区 陕西省 甘肃省 青海省 "
    "宁夏回族自治区 新疆维吾尔自治区"
).split()
CITIES = (
    "石家庄 太原 沈阳 长春 哈尔滨 南京 杭州 合肥 福州 南昌 济南 郑州 武汉 长沙 广州 南宁 海口 成都 贵阳 昆明 拉萨 西安 "
    "兰州 西宁 银川 乌鲁木齐 呼和浩特 苏州 无锡 宁波 温州 厦门 青岛 烟台 洛阳 宜昌 襄阳 株洲 佛山 东莞 珠海 绵阳 遵义 "
    "大理 宝鸡 天水 包头 大连 鞍山 吉林 齐齐哈尔 徐州 扬州 绍兴 芜湖 泉州 赣州 潍坊 开封 岳阳 汕头 柳州 三亚 宜宾"
).split()
SYNONYMS = [
    ("加强", "强化"), ("推进", "推动"), ("完善", "健全"), ("提升", "提高"), ("落实", "贯彻"), ("积极", "主动"),
    ("建立", "构建"), ("支持", "扶持"), ("鼓励", "引导"), ("促进", "带动"), ("开展", "实施"), ("明显", "显著"),
    ("重点", "关键"), ("有关", "相关"), ("部门", "单位"), ("机制", "制度"), ("水平", "能力"), ("深入", "扎实"),
]
SENTENCE_PREFIXES = (
    "结合{city}实际，", "在{region}范围内，", "按照第{i}批试点安排，", "{city}方面，", "对照{year}年工作要点，",
    "{region}各地要", "据{city}试点经验，",
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SENTENCE = re.compile(r"[^。！？；]*[。！？；]|[^。！？；]+$")


def _copy_params(copy: int, doc: int) -> tuple[random.Random, str, str, int]:
    rng = random.Random(f"wenyuan-scale-{GENERATOR_VERSION}-{copy}-{doc}")
    region = REGIONS[(copy * 7 + doc) % len(REGIONS)]
    city = CITIES[(copy * 13 + doc * 3) % len(CITIES)]
    year_shift = (copy % 13) - 6 or 7
    return rng, region, city, year_shift


def _new_number(match: re.Match, rng: random.Random, year_shift: int) -> str:
    text = match.group(0)
    if "." in text:
        whole, frac = text.split(".")
        value = float(text) * rng.uniform(0.6, 1.4)
        return f"{value:.{len(frac)}f}"
    value = int(text)
    if 1950 <= value <= 2050 and len(text) == 4:
        return str(value + year_shift)
    if value <= 12:  # months, days, counts of items: keep small and plausible
        return str(max(1, min(12, value + rng.choice((-1, 0, 1)))))
    return str(max(1, round(value * rng.uniform(0.5, 1.5))))


def _swap_words(text: str, rng: random.Random) -> str:
    for a, b in SYNONYMS:
        if rng.random() < 0.5:
            text = text.replace(a, "\0").replace(b, a).replace("\0", b)
    return text


def rewrite(text: str, copy: int, doc: int) -> str:
    """A deterministic variant of a document for copy `copy`; copy 0 is the original."""
    from wenyuan.clean import LEVEL_CN, LEVEL_CN_PAREN, heading_level

    if copy == 0:
        return text
    rng, region, city, year_shift = _copy_params(copy, doc)
    fmt = {"city": city, "region": region, "i": copy}
    text = text.replace("国务院办公厅", f"{region}人民政府办公厅").replace("国务院", f"{region}人民政府")
    text = text.replace("各省、自治区、直辖市", f"{region}各市（州）、县（市、区）")
    text = re.sub("全国", lambda m: region if rng.random() < 0.6 else "全国", text)
    lines = text.split("\n")
    out: list[str] = []
    body: list[str] = []
    seen_heading = False

    def flush() -> None:
        if seen_heading:
            rng.shuffle(body)
        out.extend(body)
        body.clear()

    for number, line in enumerate(lines):
        level = heading_level(line.strip()) if line.strip() else None
        # numbers: keep a leading "1." / "（1）" heading marker as it is
        marker_end = 0
        if level is not None:
            lead = re.match(r"^\s*[（(]?\d{1,2}[）).、．]", line)
            marker_end = lead.end() if lead else 0
        line = line[:marker_end] + _NUMBER.sub(lambda m: _new_number(m, rng, year_shift), line[marker_end:])
        line = _swap_words(line, rng)
        if number == 0:  # the title line (its 国务院 already replaced by the region): copy tag in front
            out.append(f"第{copy}批{line}" if line.strip() else line)
            continue
        if level is not None:
            flush()
            seen_heading = True
            if level == LEVEL_CN:
                marker = re.match(r"^\s*[一二三四五六七八九十]{1,3}[、．.]", line)
                line = f"{line[: marker.end()]}{region}第{copy}批{line[marker.end():]}"
            elif level == LEVEL_CN_PAREN:
                marker = re.match(r"^\s*[（(][一二三四五六七八九十]{1,3}[）)]", line)
                line = f"{line[: marker.end()]}{city}{line[marker.end():]}"
            out.append(line)
            continue
        if not seen_heading:  # title, number, salutation, preamble: order kept
            out.append(line)
            continue
        if not line.strip():
            flush()
            out.append(line)
            continue
        sentences = _SENTENCE.findall(line)
        varied = []
        for position, sentence in enumerate(sentences):
            if position and rng.random() < 0.25 and heading_level(sentence.strip()) is None:
                prefix = rng.choice(SENTENCE_PREFIXES).format(year=2019 + year_shift, **fmt)
                sentence = prefix + sentence
            varied.append(sentence)
        body.append("".join(varied))
    flush()
    return "\n".join(out)


def _count_chunks(path: Path, relative: str) -> int:
    from wenyuan.chunking import build_structure, chunk_document
    from wenyuan.config import Settings
    from wenyuan.ingest import SourceFile, load

    settings = Settings(progress=False)
    document = load(SourceFile(path, relative))
    return len(chunk_document(document, build_structure(document), settings.chunk_size, settings.chunk_overlap))


def make_corpus(target: int, folder: Path) -> dict:
    """Write copies of data/*.txt into folder/data until the chunk count reaches `target` (cached)."""
    stamp = folder / "corpus.json"
    if stamp.exists():
        info = json.loads(stamp.read_text(encoding="utf-8"))
        if info.get("version") == GENERATOR_VERSION and info.get("target") == target:
            return info
    for stale in ("data", "index-use", "index-hash", "build-use.json"):
        path = folder / stale
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    sources = sorted(DATA.glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in sources]
    data = folder / "data"
    chunks = files = copy = 0
    began = time.perf_counter()
    while chunks < target:
        directory = data / f"c{copy:04d}"
        directory.mkdir(parents=True, exist_ok=True)
        for doc, (source, text) in enumerate(zip(sources, texts)):
            if chunks >= target:
                break
            path = directory / source.name
            path.write_text(rewrite(text, copy, doc), encoding="utf-8")
            chunks += _count_chunks(path, path.relative_to(data).as_posix())
            files += 1
        copy += 1
    info = {"version": GENERATOR_VERSION, "target": target, "copies": copy, "files": files, "chunks": chunks,
            "seconds": round(time.perf_counter() - began, 1)}
    stamp.write_text(json.dumps(info, indent=1), encoding="utf-8")
    print(f"[{target}] corpus: {files} files, {chunks} chunks, {copy} copies ({info['seconds']} s)", file=sys.stderr)
    return info


# ---- measurements -----------------------------------------------------------------------------------------
def disk_mb(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 2**20


def settings_for(folder: Path, index: str, embedder: str = "use-multilingual-v3"):
    from wenyuan.config import Settings

    return Settings(data_dir=folder / "data", index_dir=folder / index, embedder=embedder, progress=False)


def build_use(folder: Path, rebuild: bool) -> dict:
    """The full build with the default embedder, measured once and cached with its timings."""
    from wenyuan.embed import UseEmbedder
    from wenyuan.index import Index, IndexNotUsable, build_index

    stats_file = folder / "build-use.json"
    settings = settings_for(folder, "index-use")
    if not rebuild and stats_file.exists():
        try:
            Index.load(settings.index_dir, settings)
            return json.loads(stats_file.read_text(encoding="utf-8"))
        except IndexNotUsable:
            pass
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    embedder = MeteredEmbedder(UseEmbedder())
    warm = time.perf_counter()
    embedder.embed(["模型预热", "批量"])  # load the (batch) model outside the measured build
    warm = time.perf_counter() - warm
    embedder.reset()
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    index, report = build_index([settings.data_dir], settings.index_dir, settings, embedder)
    seconds = time.perf_counter() - began
    stats = {"loadavg": [load_before, os.getloadavg()[0]], "seconds": seconds, "embed_seconds": embedder.seconds, "embed_calls": embedder.calls,
             "embedded": embedder.texts, "chunks": report.chunks, "documents": len(index.documents),
             "skipped": len(report.skipped), "model_load_seconds": warm, "faiss": index.manifest.faiss.kind,
             "when": datetime.now().isoformat(timespec="seconds")}
    stats_file.write_text(json.dumps(stats, indent=1), encoding="utf-8")
    return stats


def build_hash(folder: Path, profile: bool = False) -> dict:
    from wenyuan.index import build_index

    settings = settings_for(folder, "index-hash", "hash-test")
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    embedder = MeteredEmbedder(HashEmbedder())
    profiler = cProfile.Profile() if profile else None
    began = time.perf_counter()
    if profiler:
        profiler.enable()
    index, report = build_index([settings.data_dir], settings.index_dir, settings, embedder)
    if profiler:
        profiler.disable()
        dump_profile(profiler, f"{folder.name}-hash-build")
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "embed_seconds": embedder.seconds, "chunks": report.chunks}


def incremental(folder: Path, profile: bool = False) -> dict:
    """The administrator's rebuild, as the app runs it: a fresh process loads the index (a scratch copy) and answers
    a question (model loaded), then Assistant.build() after one document got a new paragraph, then build() again
    with nothing changed. Reports both times and the process's peak RSS (old index serving + the new one built)."""
    settings = settings_for(folder, "index-use")
    scratch = folder / "index-incremental"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(settings.index_dir, scratch)
    documents = sorted((folder / "data" / "c0000").glob("*.txt"))
    target = documents[len(documents) // 2]
    original = target.read_bytes()
    try:
        target.write_text(original.decode("utf-8") + "\n各地区、各部门要结合实际认真贯彻落实本文件精神，"
                          "及时总结推广好经验好做法，重大情况及时报告。\n", encoding="utf-8")
        result = _run_child("--child-rebuild", folder, profile)
    finally:
        target.write_bytes(original)
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def child_rebuild(folder: Path, profile: bool) -> None:
    from wenyuan.assistant import Assistant

    settings = settings_for(folder, "index-use").model_copy(update={"index_dir": folder / "index-incremental"})
    assistant = Assistant(settings, MeteredEmbedder(_use()))
    began = time.perf_counter()
    _ = assistant.index
    load_seconds = time.perf_counter() - began
    assistant.ask(questions(1)[0])  # the serving state: index loaded, query model loaded
    assistant.embedder.embed(["模型预热", "批量"])  # and the batch model, outside the measured rebuild
    assistant.embedder.reset()
    serving_mb = _vm_rss_mb()
    profiler = cProfile.Profile() if profile else None
    began = time.perf_counter()
    if profiler:
        profiler.enable()
    report = assistant.build()
    if profiler:
        profiler.disable()
        dump_profile(profiler, f"{folder.name}-incremental")
    seconds = time.perf_counter() - began
    assert len(report.changed) == 1 and not report.added and not report.removed, report.summary()
    began = time.perf_counter()
    again = assistant.build()
    noop_seconds = time.perf_counter() - began
    assert not (again.changed or again.added or again.removed) and again.embedded == 0, again.summary()
    print(json.dumps({"seconds": seconds, "load_seconds": load_seconds, "embedded": report.embedded,
                      "embed_seconds": assistant.embedder.seconds, "changed": report.changed[0],
                      "noop_seconds": noop_seconds, "serving_rss_mb": serving_mb, "rebuild_rss_mb": _vm_hwm_mb()}))


def _use():
    from wenyuan.embed import UseEmbedder

    return UseEmbedder()


def questions(n: int = N_QUESTIONS) -> list[str]:
    with DEMO_QUESTIONS.open(encoding="utf-8") as stream:
        texts = [json.loads(line)["question"] for line in stream if line.strip()]
    return [texts[i % len(texts)] for i in range(n)]


def child_main(folder: Path, profile: bool) -> None:
    """Runs in a fresh process: load, warm up, time search and ask, report latencies and peak RSS as JSON."""
    from wenyuan.assistant import Assistant

    settings = settings_for(folder, "index-use")
    began = time.perf_counter()
    assistant = Assistant(settings)
    _ = assistant.index
    load_seconds = time.perf_counter() - began
    qs = questions()
    for q in qs[-WARMUP:]:  # warm-up: embedder model, lazy term weights, caches
        assistant.ask(q)
    warm_seconds = time.perf_counter() - began - load_seconds
    result = {"load_seconds": load_seconds, "warm_seconds": warm_seconds, "search": [], "ask": []}
    for q in qs:  # interleaved, so a burst of load from other processes hits both alike
        for name, call in (("search", assistant.search), ("ask", assistant.ask)):
            t = time.perf_counter()
            call(q)
            result[name].append((time.perf_counter() - t) * 1000)
    if profile:
        for name, call in (("search", assistant.search), ("ask", assistant.ask)):
            profiler = cProfile.Profile()
            profiler.enable()
            for q in qs:
                call(q)
            profiler.disable()
            dump_profile(profiler, f"{folder.name}-{name}")
    # VmHWM is this process's own high-water mark. ru_maxrss is not: a child made by fork/exec starts its record
    # with the parent's RSS at fork time (the parent holds whole built indexes here), so it is reported only aside.
    result["rss_mb"] = _vm_hwm_mb()
    result["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as stream:
        for line in stream:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _vm_hwm_mb() -> float:
    return _status_mb("VmHWM")


def _vm_rss_mb() -> float:
    return _status_mb("VmRSS")


def _run_child(flag: str, folder: Path, profile: bool) -> dict:
    """This script in a fresh process (its own peak RSS), returning the JSON line the child prints last."""
    command = [sys.executable, __file__, flag, str(folder)] + (["--profile"] if profile else [])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{flag} subprocess failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def queries(folder: Path, profile: bool) -> dict:
    result = _run_child("--child", folder, profile)
    for name in ("search", "ask"):
        times = np.asarray(result.pop(name))
        result[f"{name}_p50"] = float(np.percentile(times, 50))
        result[f"{name}_p95"] = float(np.percentile(times, 95))
        result[f"{name}_mean"] = float(times.mean())
    return result


def dump_profile(profiler: cProfile.Profile, name: str) -> None:
    PROFILES.mkdir(parents=True, exist_ok=True)
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(30)
    (PROFILES / f"{name}.txt").write_text(stream.getvalue(), encoding="utf-8")
    print(f"profile written: {PROFILES / (name + '.txt')}", file=sys.stderr)


def milvus(size: int) -> dict | None:
    """The same index searched by Milvus Lite (bench_store.py: fill, one-document update, latency, RSS, disk)."""
    try:
        import pymilvus  # noqa: F401
    except ImportError:
        print(f"[{size}] Milvus not measured: pip install -e '.[milvus]'", file=sys.stderr)
        return None
    import bench_store

    return bench_store.run(size, "milvus")


def measure(size: int, rebuild: bool, profile: bool, stores: Sequence[str]) -> dict:
    folder = CACHE / f"scale-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(size, folder)
    print(f"[{size}] building with USE (cached if built before) ...", file=sys.stderr)
    use = build_use(folder, rebuild)
    print(f"[{size}] USE build {use['seconds']:.1f} s ({use['embed_seconds']:.1f} s embedding); hash build ...",
          file=sys.stderr)
    hashed = build_hash(folder, profile)
    print(f"[{size}] hash build {hashed['seconds']:.1f} s; incremental ...", file=sys.stderr)
    inc = incremental(folder, profile)
    print(f"[{size}] incremental {inc['seconds']:.1f} s; queries ...", file=sys.stderr)
    load_before = os.getloadavg()[0]
    q = queries(folder, profile)
    q["loadavg_1min_queries"] = max(load_before, os.getloadavg()[0])
    chunks = use["chunks"]
    row = {"loadavg_1min_end": os.getloadavg()[0],
        "size": size, "files": corpus["files"], "chunks": chunks, "faiss": use["faiss"],
        "build_s": use["seconds"], "embed_s": use["embed_seconds"],
        "overhead_s": use["seconds"] - use["embed_seconds"],
        "overhead_pct": 100 * (use["seconds"] - use["embed_seconds"]) / use["seconds"],
        "chunks_per_s": chunks / use["seconds"],
        "chunks_per_s_outside_embedder": chunks / max(use["seconds"] - use["embed_seconds"], 1e-9),
        "hash_build_s": hashed["seconds"], "hash_embed_s": hashed["embed_seconds"],
        "chunks_per_s_no_embedder": hashed["chunks"] / hashed["seconds"],
        "incremental_s": inc["seconds"], "incremental_load_s": inc["load_seconds"],
        "incremental_embed_s": inc["embed_seconds"], "incremental_embedded": inc["embedded"],
        "noop_rebuild_s": inc["noop_seconds"], "serving_rss_mb": inc["serving_rss_mb"],
        "rebuild_rss_mb": inc["rebuild_rss_mb"],
        "disk_mb": disk_mb(folder / "index-use"), "use_built": use["when"],
        "loadavg_build": max(use.get("loadavg", [0.0])), **q,
    }
    if "milvus" in stores:
        print(f"[{size}] Milvus Lite ...", file=sys.stderr)
        row["milvus"] = milvus(size)
    print(f"[{size}] done: {json.dumps({k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()})}",
          file=sys.stderr)
    return row


# ---- report -----------------------------------------------------------------------------------------------
def fmt_size(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def table(rows: list[dict]) -> str:
    head = ("| size | chunks | build s | embedder s | overhead % | chunks/s | chunks/s without embedder | incremental s "
            "| no-op rebuild s | search p50/p95 ms | ask p50/p95 ms | peak RSS MB: queries / rebuild | disk MB |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    lines = [head]
    for r in rows:
        lines.append(
            f"| {fmt_size(r['size'])} | {r['chunks']} | {r['build_s']:.1f} | {r['embed_s']:.1f} | {r['overhead_pct']:.1f} "
            f"| {r['chunks_per_s']:.1f} | {r['chunks_per_s_no_embedder']:.0f} | {r['incremental_s']:.2f} "
            f"| {r['noop_rebuild_s']:.2f} | {r['search_p50']:.1f} / {r['search_p95']:.1f} "
            f"| {r['ask_p50']:.1f} / {r['ask_p95']:.1f} | {r['rss_mb']:.0f} / {r['rebuild_rss_mb']:.0f} | {r['disk_mb']:.1f} |"
        )
    return "\n".join(lines)


def details(rows: list[dict]) -> str:
    lines = ["| size | files | FAISS | overhead s | chunks/s outside embedder | hash build s (hash embed s) "
             "| incremental: load s, embedded, embed s, RSS MB before | query process: index load s, warm-up s | search/ask mean ms "
             "| 1-min load avg: USE build / queries |",
             "|---|---:|---|---:|---:|---:|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {fmt_size(r['size'])} | {r['files']} | {r['faiss']} | {r['overhead_s']:.1f} "
            f"| {r['chunks_per_s_outside_embedder']:.0f} | {r['hash_build_s']:.1f} ({r['hash_embed_s']:.1f}) "
            f"| {r['incremental_load_s']:.2f}, {r['incremental_embedded']}, {r['incremental_embed_s']:.2f}, "
            f"{r['serving_rss_mb']:.0f} "
            f"| {r['load_seconds']:.2f}, {r['warm_seconds']:.2f} | {r['search_mean']:.1f} / {r['ask_mean']:.1f} "
            f"| {r['loadavg_build']:.1f} / {r['loadavg_1min_queries']:.1f} |"
        )
    return "\n".join(lines)


def stores_table(rows: list[dict]) -> str:
    """Both stores on the same index, one row each per size."""
    lines = ["| size | chunks | store | build s | one-document update s | search p50/p95 ms | ask p50/p95 ms "
             "| peak RSS MB | disk MB |", "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {fmt_size(r['size'])} | {r['chunks']} | embedded | {r['build_s']:.1f} | {r['incremental_s']:.2f} "
                     f"| {r['search_p50']:.1f} / {r['search_p95']:.1f} | {r['ask_p50']:.1f} / {r['ask_p95']:.1f} "
                     f"| {max(r['rss_mb'], r['rebuild_rss_mb']):.0f} | {r['disk_mb']:.1f} |")
        m = r.get("milvus")
        if m:
            lines.append(f"| {fmt_size(r['size'])} | {m['chunks']} | Milvus Lite | {r['build_s'] + m['first_load_s']:.1f} "
                         f"| {m['update_s']:.2f} | {m['search_p50']:.1f} / {m['search_p95']:.1f} "
                         f"| {m['ask_p50']:.1f} / {m['ask_p95']:.1f} | {m['rss_mb']:.0f} | {m['disk_mb']:.1f} |")
    return "\n".join(lines)


def targets(rows: list[dict]) -> list[str]:
    by_size = {r["size"]: r for r in rows}
    out = []
    for text, size, key, limit in TARGETS_TEXT:
        row = by_size.get(size)
        if row is None:
            out.append(f"- {text}: not measured (size {fmt_size(size)} not run)")
            continue
        value = row[key]
        unit = " s" if key.endswith("_s") else (" MB" if key.endswith("rss_mb") else " ms")
        out.append(f"- {text}: {value:.2f}{unit} → **{'met' if value <= limit else 'missed'}**")
    for row in rows:
        ok = row["overhead_pct"] <= OVERHEAD_TARGET
        out.append(f"- indexing overhead outside the embedder ≤ {OVERHEAD_TARGET:.0f} % at {fmt_size(row['size'])}: "
                   f"{row['overhead_pct']:.1f} % → **{'met' if ok else 'missed'}**")
    return out


def _dress(axes, title: str, unit: str) -> None:
    """Chunks on a log scale, the title, the unit, the legend and a light grid."""
    axes.set_xscale("log")
    axes.set_xlabel("chunks")
    axes.set_ylabel(unit)
    axes.set_title(title)
    axes.legend(fontsize=8)
    axes.grid(True, which="both", alpha=0.3)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [r["chunks"] for r in rows]
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(16, 4.4))
    with_milvus = [r for r in rows if r.get("milvus")]
    if with_milvus:
        mx = [r["milvus"]["chunks"] for r in with_milvus]
        left.plot(mx, [r["milvus"]["search_p50"] for r in with_milvus], "v-", color="tab:olive",
                  label="Milvus Lite search p50")
        left.plot(mx, [r["milvus"]["ask_p95"] for r in with_milvus], "v--", color="tab:olive",
                  label="Milvus Lite ask p95")
        middle.plot(mx, [r["milvus"]["update_s"] for r in with_milvus], "v-", color="tab:olive", label="Milvus Lite")
    middle.plot(x, [r["incremental_s"] for r in rows], "o-", color="tab:blue", label="embedded")
    middle.axhline(5, color="grey", lw=0.8, ls=":")
    middle.text(x[0], 5, " 5 s target", va="bottom", fontsize=7, color="grey")
    _dress(middle, "One changed document: Assistant.build()", "s")
    for key, style, label in (("search_p50", "o-", "search p50"), ("search_p95", "o--", "search p95"),
                              ("ask_p50", "s-", "ask p50"), ("ask_p95", "s--", "ask p95")):
        left.plot(x, [r[key] for r in rows], style, label=label)
    left.axhline(20, color="grey", lw=0.8, ls=":")
    left.axhline(60, color="grey", lw=0.8, ls=":")
    left.axhline(250, color="grey", lw=0.8, ls=":")
    left.text(x[0], 20, " search p50 target (10k)", va="bottom", fontsize=7, color="grey")
    left.text(x[0], 60, " ask p50 target (10k)", va="bottom", fontsize=7, color="grey")
    left.text(x[0], 250, " ask p95 target (100k)", va="bottom", fontsize=7, color="grey")
    left.set_yscale("log")
    _dress(left, "Query latency (after warm-up, 50 questions)", "latency (ms)")
    right.plot(x, [r["rss_mb"] for r in rows], "d-", color="tab:red", label="answering (load + 50 searches + 50 asks)")
    right.plot(x, [r["rebuild_rss_mb"] for r in rows], "^--", color="tab:purple",
               label="rebuilding in the serving app (one document changed)")
    right.axhline(2048, color="grey", lw=0.8, ls=":")
    right.text(x[0], 2048, " 2 GB target (100k)", va="bottom", fontsize=7, color="grey")
    right.set_ylim(0, max(2300, max(max(r["rss_mb"], r["rebuild_rss_mb"]) for r in rows) * 1.15))
    _dress(right, "Peak RSS of a process", "MB")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(rows: list[dict], seconds: float) -> str:
    import faiss

    env = (f"{datetime.now().isoformat(timespec='seconds')}; {os.cpu_count()} CPU cores; Python "
           f"{platform.python_version()}; faiss {faiss.__version__}; embedder use-multilingual-v3 "
           f"(threads = cpu_count); default Settings (chunk_size 300, overlap 50, lexical 'words', "
           f"hnsw_threshold 50000); run time of this benchmark {seconds / 60:.1f} min (USE builds cached from "
           + ", ".join(f"{fmt_size(r['size'])}: {r['use_built']}" for r in rows) + ").")
    text = "\n".join([
        "# Scale benchmark", "", env, "",
        "Corpora: data/*.txt copied and rewritten per copy (numbers, regions, 第N批 tags, synonyms, paragraph order "
        "within sections; headings kept), see benchmarks/bench_scale.py.", "",
        "## Both stores", "",
        stores_table(rows), "",
        "- embedded: FAISS and term counts in the index folder (the measures below). Milvus Lite: the same index "
        "searched by Milvus Lite in-process (benchmarks/bench_store.py in a fresh process: build s = the USE build plus "
        "filling Milvus from the index's vectors; update, latency over the same 50 questions, VmHWM, disk with "
        "milvus.db). Peak RSS of the embedded row: the larger of answering and rebuilding.", "",
        "## Embedded store in detail", "",
        table(rows), "",
        "- build s: full build_index with USE; embedder s: time inside embedder.embed; overhead % = (build − "
        "embedder) / build. chunks/s = chunks / build s. chunks/s without embedder: a full build with the hash "
        "embedder (hash-test, 512-d numpy), i.e. the pipeline alone.",
        "- incremental s: Assistant.build() in a process that serves the index (loaded, a question answered, models "
        "loaded), after a paragraph was appended to one document: what the documents tab's rebuild does (index "
        "loading not included; see details). no-op rebuild s: build() again with nothing changed (writes nothing).",
        "- the hash embedder's vectors are random, which makes HNSW construction (100k, above hnsw_threshold) "
        "several times slower than over real embeddings (measured once on this machine: 105 s against 12.6 s for "
        "the 100k vectors), so the 100k 'without embedder' figure understates the pipeline; the USE build's "
        "overhead (details: chunks/s outside embedder) is the better measure there.",
        "- latency: a fresh process (Assistant(Settings(index_dir, data_dir))) after 5 warm-up asks; 50 questions "
        "(the 40 of questions_demo.jsonl, cycled). Peak RSS, queries: VmHWM of that process (load + warm-up + 50 "
        "searches + 50 asks; not ru_maxrss, which a fork/exec child inherits from its parent). Peak RSS, rebuild: "
        "VmHWM of the incremental process (the old index serving while the new one is built; details: RSS before "
        "the rebuild). disk MB: the USE index directory.", "",
        "## Details", "", details(rows), "",
        "## Targets", "", *targets(rows), "",
        "![scale](scale.png)", "",
    ])
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="target chunk counts, comma-separated")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached USE indexes")
    parser.add_argument("--stores", default="embedded,milvus",
                        help="'embedded' always; with 'milvus' also Milvus Lite on the same index (bench_store.py)")
    parser.add_argument("--profile", action="store_true", help="also write cProfile reports (scale-profiles/)")
    parser.add_argument("--report-only", action="store_true",
                        help="redraw scale.md and scale.png from the last results (.cache/scale-results.json)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-rebuild", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.child:
        child_main(args.child, args.profile)
        return
    if args.child_rebuild:
        child_rebuild(args.child_rebuild, args.profile)
        return
    saved = CACHE / "scale-results.json"
    if args.report_only:
        record = json.loads(saved.read_text(encoding="utf-8"))
        rows, seconds = record["rows"], record["seconds"]
    else:
        began = time.perf_counter()
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        stores = [s.strip() for s in args.stores.split(",") if s.strip()]
        rows = [measure(size, args.rebuild, args.profile, stores) for size in sizes]
        seconds = time.perf_counter() - began
        saved.write_text(json.dumps({"rows": rows, "seconds": seconds}, indent=1), encoding="utf-8")
    RESULTS.mkdir(parents=True, exist_ok=True)
    plot(rows, RESULTS / "scale.png")
    report = write_report(rows, seconds)
    (RESULTS / "scale.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"wrote {RESULTS / 'scale.md'} and {RESULTS / 'scale.png'}; {seconds:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
