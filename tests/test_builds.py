"""Builds that share an index folder: one at a time, the previous generation kept, a running app following along,
and explicit paths that add without dropping the rest."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from wenyuan.assistant import Assistant
from wenyuan.config import Settings
from wenyuan.index import BUILD_LOCK, IndexBusy


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _assistant(root: Path, embedder) -> Assistant:
    return Assistant(Settings(data_dir=root / "data", index_dir=root / "index", progress=False), embedder)


def _paths(root: Path) -> set[str]:
    manifest = json.loads((root / "index" / "manifest.json").read_text(encoding="utf-8"))
    return {document["path"] for document in manifest["documents"]}


def test_a_second_build_waits_or_is_refused_while_one_runs(tmp_path: Path, embedder) -> None:
    from filelock import FileLock

    _write(tmp_path / "data", "养老方案.txt", "养老服务实施方案\n一、目标\n到2027年社区养老服务设施覆盖率达到95%。")
    assistant = _assistant(tmp_path, embedder)
    (tmp_path / "index").mkdir()
    held = FileLock(tmp_path / "index" / BUILD_LOCK)
    held.acquire()
    try:
        with pytest.raises(IndexBusy, match="另一个索引任务正在进行"):
            assistant.build(wait=False)
        finished = threading.Event()
        waiting = threading.Thread(target=lambda: (assistant.build(), finished.set()))
        waiting.start()
        assert not finished.wait(1.0)  # blocked by the other build
    finally:
        held.release()
    waiting.join(timeout=120)
    assert finished.is_set() and _paths(tmp_path) == {"养老方案.txt"}


def _manifest(root: Path) -> dict:
    return json.loads((root / "index" / "manifest.json").read_text(encoding="utf-8"))


def test_a_build_writes_only_what_changed_and_old_segments_go(tmp_path: Path, counting_embedder) -> None:
    data = tmp_path / "data"
    assistant = _assistant(tmp_path, counting_embedder)
    for n in range(3):
        _write(data, f"通知{n}.txt", f"关于第{n}批项目的通知\n各单位要在{n + 10}日内完成申报。")
        counting_embedder.texts = 0
        assistant.build()
        assert counting_embedder.texts == 1  # the new document's one passage, nothing else
    manifest = _manifest(tmp_path)
    assert len(manifest["segments"]) == 3 and all(item["rows"] == 1 for item in manifest["segments"])
    first = next(d["segment"] for d in manifest["documents"] if d["path"] == "通知0.txt")
    _write(data, "通知0.txt", "关于第0批项目的通知\n各单位要在30日内完成申报。")
    assistant.build()
    manifest = _manifest(tmp_path)
    assert first not in {item["name"] for item in manifest["segments"]}
    assert (tmp_path / "index" / first).is_dir()  # the replaced manifest names it: a running app may read it
    _write(data, "通知0.txt", "关于第0批项目的通知\n各单位要在40日内完成申报。")
    assistant.build()
    on_disk = {p.name for p in (tmp_path / "index").glob("seg-*")}
    assert first not in on_disk and len(on_disk) == 4  # 通知1, 通知2, and 通知0 as it is and as it was before
    assert not list((tmp_path / "index").glob("manifest.json.*"))
    fresh = _assistant(tmp_path, counting_embedder)
    assert "40日内" in fresh.ask("第0批项目要在多少日内完成申报？").text


def test_many_segments_are_written_into_one_without_embedding_again(tmp_path: Path, counting_embedder,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from wenyuan import index as index_module

    monkeypatch.setattr(index_module, "SEGMENTS_MOST", 3)
    data = tmp_path / "data"
    assistant = _assistant(tmp_path, counting_embedder)
    for n in range(3):
        _write(data, f"通知{n}.txt", f"关于第{n}批项目的通知\n各单位要在{n + 10}日内完成申报。")
        assistant.build()
    assert len(_manifest(tmp_path)["segments"]) == 3
    _write(data, "通知3.txt", "关于第3批项目的通知\n各单位要在13日内完成申报。")
    counting_embedder.texts = 0
    assistant.build()
    manifest = _manifest(tmp_path)
    assert [item["rows"] for item in manifest["segments"]] == [4] and counting_embedder.texts == 1
    fresh = _assistant(tmp_path, counting_embedder)
    assert "12日内" in fresh.ask("第2批项目要在多少日内完成申报？").text


def _lexical_and_dense(assistant: Assistant, question: str) -> tuple[list, list]:
    from wenyuan import lexical

    index = assistant.index
    scores = index.lexical_scores(lexical.tokenize(question, index.lexical_tokens))
    lexical_best = sorted(((round(float(scores[row]), 4), index.chunks[row].id) for row in np.flatnonzero(scores)),
                          reverse=True)
    rows, dense_scores = index.dense_search(assistant.embedder.embed([question], query=True)[0], 5)
    return lexical_best, [(index.chunks[row].id, round(float(score), 4)) for row, score in zip(rows, dense_scores)]


def test_an_index_updated_many_times_scores_as_one_built_at_once(tmp_path: Path, embedder) -> None:
    """Term statistics (IDF, average length) come from the passages held now, whatever segments hold them."""
    data = tmp_path / "data"
    updated = _assistant(tmp_path, embedder)
    texts = {f"文件{n}.txt": f"关于第{n}项工作的通知\n一、各单位要在{n + 5}日内完成自查。\n二、加强组织领导。" + "落实责任。" * n
             for n in range(6)}
    for name, text in texts.items():
        _write(data, name, text)
        updated.build()
    _write(data, "文件2.txt", texts["文件2.txt"] + "\n三、资金保障到位，专款专用。")
    (data / "文件4.txt").unlink()
    (data / "文件1.txt").rename(data / "文件九.txt")
    updated.build()
    once = Assistant(Settings(data_dir=data, index_dir=tmp_path / "once", progress=False), embedder)
    once.build()
    reloaded = _assistant(tmp_path, embedder)
    for question in ("各单位要在几日内完成自查？", "资金保障", "加强组织领导落实责任"):
        expected = _lexical_and_dense(once, question)
        assert _lexical_and_dense(updated, question) == expected
        assert _lexical_and_dense(reloaded, question) == expected


def test_a_graph_serves_later_updates_without_the_passages_gone(tmp_path: Path, embedder) -> None:
    data = tmp_path / "data"
    assistant = Assistant(Settings(data_dir=data, index_dir=tmp_path / "index", progress=False, hnsw_threshold=5),
                          embedder)
    for n in range(12):
        _write(data, f"文件{n}.txt", f"关于第{n}项工作的通知\n各单位要在{n + 5}日内完成第{n}项自查。")
    assistant.build()
    graph = _manifest(tmp_path)["faiss"]["graph"]
    assert graph and (tmp_path / "index" / f"{graph}.faiss").exists()
    (data / "文件3.txt").unlink()
    _write(data, "养老方案.txt", "养老服务实施方案\n到2027年社区养老服务设施覆盖率达到95%。")
    assistant.build()
    assert _manifest(tmp_path)["faiss"]["graph"] == graph  # 2 of 12 passages outside it: drawn again past 20 %
    for serving in (assistant, _assistant(tmp_path, embedder)):
        rows, _ = serving.index.dense_search(serving.embedder.embed(["社区养老服务设施覆盖率"], query=True)[0], 20)
        found = [serving.index.chunks[row].doc_path for row in rows]
        assert found[0] == "养老方案.txt" and "文件3.txt" not in found and len(found) == 12
    _write(data, "医保办法.txt", "城乡居民医保办法\n门诊报销比例为50%。")
    assistant.build()
    assert _manifest(tmp_path)["faiss"]["graph"] != graph


def test_a_running_app_notices_an_index_rebuilt_by_another_process(tmp_path: Path, embedder) -> None:
    data = tmp_path / "data"
    _write(data, "养老方案.txt", "养老服务实施方案\n一、目标\n到2027年社区养老服务设施覆盖率达到95%。")
    serving = _assistant(tmp_path, embedder)
    serving.build()
    assert "医保" not in "".join(c.doc for c in serving.ask("门诊报销比例是多少？").citations)
    _write(data, "医保办法.txt", "城乡居民医保办法\n第一条 门诊报销比例为50%，年度限额2000元。")
    _assistant(tmp_path, embedder).build()  # as `wenyuan index` from a shell would
    answer = serving.ask("门诊报销比例是多少？")
    assert "50%" in answer.text and answer.citations[0].doc == "医保办法.txt"


def test_a_running_app_reads_only_the_segment_another_process_wrote(tmp_path: Path, embedder,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from wenyuan import index as index_module

    data = tmp_path / "data"
    _write(data, "养老方案.txt", "养老服务实施方案\n一、目标\n到2027年社区养老服务设施覆盖率达到95%。")
    _write(data, "医保办法.txt", "城乡居民医保办法\n第一条 门诊报销比例为50%，年度限额2000元。")
    serving = _assistant(tmp_path, embedder)
    serving.build()
    read = []
    original = index_module._read_segment
    monkeypatch.setattr(index_module, "_read_segment", lambda folder, records: read.append(folder.name)
                        or original(folder, records))
    _write(data, "医保办法.txt", "城乡居民医保办法\n第一条 门诊报销比例为60%，年度限额3000元。")
    _assistant(tmp_path, embedder).build()  # as `wenyuan index` from a shell would (it reads the index it builds on)
    read.clear()
    answer = serving.ask("门诊报销比例是多少？")
    assert "60%" in answer.text and answer.citations[0].doc == "医保办法.txt"
    changed = next(d["segment"] for d in _manifest(tmp_path)["documents"] if d["path"] == "医保办法.txt")
    assert read == [changed]
    assert "95%" in serving.ask("社区养老服务设施覆盖率要达到多少？").text


def test_a_load_that_meets_files_removed_under_it_keeps_serving_and_tries_again(tmp_path: Path, embedder,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from wenyuan import index as index_module

    data = tmp_path / "data"
    _write(data, "养老方案.txt", "养老服务实施方案\n一、目标\n到2027年社区养老服务设施覆盖率达到95%。")
    serving = _assistant(tmp_path, embedder)
    serving.build()
    _write(data, "医保办法.txt", "城乡居民医保办法\n第一条 门诊报销比例为50%，年度限额2000元。")
    _assistant(tmp_path, embedder).build()  # another process
    original, calls = index_module._read_segment, []

    def vanishing(folder, records):  # as if two more builds had switched and collected this segment meanwhile
        calls.append(folder)
        if len(calls) == 1:
            raise FileNotFoundError(folder / "chunks.jsonl")
        return original(folder, records)

    monkeypatch.setattr(index_module, "_read_segment", vanishing)
    assert "95%" in serving.ask("社区养老服务设施覆盖率要达到多少？").text  # the index in use, unharmed
    answer = serving.ask("门诊报销比例是多少？")  # the next question loads the new index
    assert "50%" in answer.text and answer.citations[0].doc == "医保办法.txt"


def test_a_build_whose_first_look_at_the_index_fails_looks_again_under_the_lock(tmp_path: Path, counting_embedder,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from wenyuan import index as index_module

    data = tmp_path / "data"
    for n in range(3):
        _write(data, f"通知{n}.txt", f"关于第{n}批项目的通知\n各单位要在{n + 10}日内完成申报。")
    _assistant(tmp_path, counting_embedder).build()
    _write(data, "通知3.txt", "关于第3批项目的通知\n各单位要在13日内完成申报。")
    original, calls = index_module._read_segment, []

    def vanishing(folder, records):  # the load before the lock meets a segment collected meanwhile
        calls.append(folder)
        if len(calls) == 1:
            raise FileNotFoundError(folder / "chunks.jsonl")
        return original(folder, records)

    monkeypatch.setattr(index_module, "_read_segment", vanishing)
    counting_embedder.texts = 0
    report = _assistant(tmp_path, counting_embedder).build()
    assert report.added == ("通知3.txt",) and counting_embedder.texts == 1  # nothing else embedded again


def test_indexing_one_file_keeps_the_others_unless_pruned(tmp_path: Path, embedder) -> None:
    data = tmp_path / "data"
    _write(data, "养老方案.txt", "养老服务实施方案\n一、目标\n到2027年社区养老服务设施覆盖率达到95%。")
    _write(data, "医保办法.txt", "城乡居民医保办法\n第一条 门诊报销比例为50%，年度限额2000元。")
    assistant = _assistant(tmp_path, embedder)
    assistant.build()
    extra = _write(tmp_path / "inbox", "住房通知.txt", "公共租赁住房通知\n申请人应在本市连续缴纳社保满一年。")
    report = assistant.build([extra])
    assert _paths(tmp_path) == {"养老方案.txt", "医保办法.txt", "住房通知.txt"} and not report.removed
    report = assistant.build([extra], prune=True)
    assert _paths(tmp_path) == {"住房通知.txt"} and set(report.removed) == {"养老方案.txt", "医保办法.txt"}


def _cli(root: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENYUAN_")}
    return subprocess.Popen([sys.executable, "-m", "wenyuan.cli", *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _corpus(data: Path, round_: int) -> None:
    for n in range(12):
        _write(data, f"文件{n:02d}.txt", f"关于第{n}项工作的通知（第{round_}版）\n一、各单位要在{n + round_}日内完成。\n"
               + "二、加强组织领导，压实工作责任，确保各项任务落到实处。" * 20)


@pytest.mark.slow
def test_killing_builds_at_random_moments_never_leaves_a_broken_index(tmp_path: Path, embedder) -> None:
    from wenyuan.index import Index, IndexNotUsable

    data = tmp_path / "data"
    settings = Settings(data_dir=data, index_dir=tmp_path / "index", progress=False)
    rng = random.Random(11)
    deadline = time.monotonic() + 240
    kills = 0
    while kills < 30 and time.monotonic() < deadline:
        _corpus(data, kills)  # every round changes every file: each build has work to do when it is killed
        process = _cli(tmp_path, "index", "--quiet")
        time.sleep(rng.uniform(0.2, 2.5))
        process.send_signal(signal.SIGKILL)
        process.communicate()
        kills += 1
        if (tmp_path / "index" / "manifest.json").exists():
            try:
                Index.load(tmp_path / "index", settings, embedder.name)
            except IndexNotUsable as error:  # pragma: no cover - the failure this test exists to catch
                pytest.fail(f"after kill {kills} the index does not load: {error}")
    assert kills >= 10
    finished = _cli(tmp_path, "index", "--quiet")
    assert finished.wait(timeout=300) == 0, finished.stderr.read()
    answer = _assistant(tmp_path, embedder).ask("第3项工作要在几日内完成？")
    assert not answer.refused and "文件03.txt" in {c.doc for c in answer.citations}
    assert len(list((tmp_path / "index").glob("seg-*"))) <= 2  # killed builds' segments are gone too


def test_two_builders_started_together_both_finish_with_one_index(tmp_path: Path, embedder) -> None:
    _corpus(tmp_path / "data", 0)
    first, second = _cli(tmp_path, "index", "--quiet"), _cli(tmp_path, "index", "--quiet")
    outputs = [process.communicate(timeout=300) for process in (first, second)]
    assert first.returncode == second.returncode == 0, outputs
    assert sum("another build" in err for _, err in outputs) <= 1
    assert len(_paths(tmp_path)) == 12 and len(list((tmp_path / "index").glob("seg-*"))) <= 2


def _swollen_docx(path: Path, megabytes: int) -> Path:
    """A small .docx whose document.xml unpacks to `megabytes` of paragraphs: a few seconds and gigabytes to parse."""
    import zipfile

    import docx

    docx.Document().save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    paragraph = "<w:p><w:r><w:t>各单位要高度重视安全生产工作，切实落实主体责任，认真排查整治各类隐患。</w:t></w:r></w:p>"
    body = paragraph * (megabytes * (1 << 20) // len(paragraph.encode()))
    xml = parts["word/document.xml"].decode()
    parts["word/document.xml"] = xml.replace("<w:body>", "<w:body>" + body, 1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return path


@pytest.mark.parametrize("budget", [{"file_seconds": 1.0}, {"file_memory_mb": 300.0}], ids=["time", "memory"])
def test_a_file_over_its_time_or_memory_budget_is_skipped_and_the_rest_indexed(tmp_path: Path, embedder,
                                                                               budget: dict) -> None:
    """The file is read in a child process that is killed when the file passes its budget; the next file gets a
    fresh child, and the index is built without the file, which is reported with the reason."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "a-通知.txt").write_text("关于开展安全检查的通知\n一、检查范围\n各单位要在10日内完成自查。", encoding="utf-8")
    _swollen_docx(data / "b-巨大的文件.docx", 120)
    (data / "c-方案.txt").write_text("养老服务实施方案\n一、主要任务\n建设社区养老服务中心20个。", encoding="utf-8")
    assistant = Assistant(Settings(data_dir=data, index_dir=tmp_path / "index", progress=False, **budget), embedder)
    report = assistant.build()
    (skipped,) = report.skipped
    assert skipped[0] == "b-巨大的文件.docx"
    assert ("时限" in skipped[1]) if "file_seconds" in budget else ("内存" in skipped[1]), skipped
    assert sorted(report.added) == ["a-通知.txt", "c-方案.txt"]
    answer = assistant.ask("要建设多少个社区养老服务中心？")
    assert not answer.refused and "20个" in answer.text


def test_a_parser_that_cannot_start_stops_the_build_and_keeps_the_index(tmp_path: Path, embedder,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from wenyuan.parsing import ParserUnavailable

    _write(tmp_path / "data", "通知.txt", "关于开展安全检查的通知\n各单位要在10日内完成自查。")
    assistant = _assistant(tmp_path, embedder)
    assistant.build()
    _write(tmp_path / "data", "方案.txt", "养老服务实施方案\n建设社区养老服务中心20个。")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    with pytest.raises(ParserUnavailable):
        assistant.build()
    assert _paths(tmp_path) == {"通知.txt"}  # the index in use is untouched, not rebuilt without its files
    assert not assistant.ask("各单位要在多少日内完成自查？").refused


def test_a_script_without_a_main_guard_can_build(tmp_path: Path) -> None:
    """The parser child is a fresh interpreter running wenyuan.parsing: it never re-runs the caller's script."""
    _write(tmp_path / "data", "通知.txt", "关于开展安全检查的通知\n各单位要在10日内完成自查。")
    script = (f"from pathlib import Path\nfrom wenyuan.assistant import Assistant\nfrom wenyuan.config import Settings\n"
              f"root = Path({str(tmp_path)!r})\n"
              "print(Assistant(Settings(data_dir=root / 'data', index_dir=root / 'index', progress=False)).build()"
              ".summary())\n")
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "indexed 1" in done.stdout and done.stdout.count("indexed 1") == 1
