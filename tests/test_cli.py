"""The command line and its JSON contract, run as a user runs it: a real process over a real index."""

from __future__ import annotations

import json
import os
import shutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, SEED

HIT_KEYS = {"rank", "doc", "title", "heading_path", "start", "end", "text", "score"}
CITATION_KEYS = {"n", "doc", "title", "heading_path", "start", "end", "quote", "score"}


def _wenyuan(*args: str, stdin: str | None = None, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENYUAN_")}
    return subprocess.run(
        [sys.executable, "-m", "wenyuan.cli", *args],
        input=stdin, capture_output=True, text=True, cwd=cwd, env=env, timeout=600,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    (root / "data" / "政策").mkdir(parents=True)
    shutil.copy(SEED, root / "data")
    shutil.copy(DATA / "国务院办公厅关于推进政务新媒体健康有序发展的意见.txt", root / "data" / "政策")
    done = _wenyuan("index", "--quiet", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "indexed 2 (new 2, changed 0)" in done.stdout
    return root


def test_search_jsonl_contract(project: Path) -> None:
    lines = [{"id": "a", "question": "城镇化率"}, {"id": 7, "question": "政务新媒体的基本原则"}]
    done = _wenyuan("search", "--jsonl", "--top-k", "3", stdin="\n".join(json.dumps(l, ensure_ascii=False) for l in lines), cwd=project)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 7]
    for record in out:
        assert set(record) == {"id", "hits"} and len(record["hits"]) == 3
        for hit in record["hits"]:
            assert set(hit) == HIT_KEYS
    assert out[1]["hits"][0]["doc"] == "政策/国务院办公厅关于推进政务新媒体健康有序发展的意见.txt"
    assert "60.37%" in out[0]["hits"][0]["text"]


def test_ask_jsonl_contract(project: Path) -> None:
    stdin = "\n".join(
        json.dumps({"id": i, "question": q}, ensure_ascii=False)
        for i, q in enumerate(["组织领导方面提了哪几条要求？", "2023年**市的城镇化率是多少？"])
    )
    done = _wenyuan("ask", "--jsonl", stdin=stdin, cwd=project)
    assert done.returncode == 0, done.stderr
    listed, refused = (json.loads(line) for line in done.stdout.splitlines())
    assert set(refused) == {"id", "question", "answer", "refused", "citations", "mode"}
    assert set(listed) == {"id", "question", "answer", "refused", "citations", "mode", "items"}
    assert listed["mode"] == "list" and not listed["refused"]
    assert [item["text"][:2] for item in listed["items"]] == ["一要", "二要", "三要", "四要"]
    assert set(listed["citations"][0]) == CITATION_KEYS
    text = (DATA / SEED.name).read_text(encoding="utf-8")
    assert all(c["doc"] == SEED.name and c["quote"].strip() for c in listed["citations"])
    assert refused["refused"] and refused["citations"] == []
    assert "压紧压实工作责任" in listed["answer"] and text


def test_ask_json_and_human_output(project: Path) -> None:
    done = _wenyuan("ask", "城镇化率提升到了多少？", "--json", cwd=project)
    record = json.loads(done.stdout)
    assert "60.37%" in record["answer"] and record["citations"][0]["heading_path"][0] == SEED.stem
    human = _wenyuan("ask", "城镇化率提升到了多少？", cwd=project)
    assert "60.37%" in human.stdout and "来源" in human.stdout and "›" in human.stdout


def test_ask_within_a_type_year_or_issuer(project: Path) -> None:
    scoped = json.loads(_wenyuan("ask", "政务新媒体的基本原则有哪些？", "--type", "意见", "--issuer", "国务院办公厅",
                                 "--json", cwd=project).stdout)
    assert scoped["scope"] == "范围：类型：意见；发文机关：国务院办公厅" and not scoped["refused"]
    assert {c["doc"] for c in scoped["citations"]} == {"政策/国务院办公厅关于推进政务新媒体健康有序发展的意见.txt"}
    human = _wenyuan("ask", "城镇化率提升到了多少？", "--year", "1990", cwd=project).stdout
    assert human.startswith("（范围：1990年）\n所选范围内没有文件")
    # a citation line names page and heading path, never character offsets, and no dangling › without a path
    plain = _wenyuan("ask", "城镇化率提升到了多少？", cwd=project).stdout
    assert not re.search(r"\d+-\d+\)", plain) and not re.search(r"› *$", plain, re.MULTILINE)


def test_malformed_jsonl_lines_are_reported_and_the_rest_answered(project: Path) -> None:
    done = _wenyuan("search", "--jsonl", stdin='not json\n{"id": 1, "question": "城镇化率"}\n', cwd=project)
    assert done.returncode == 0
    assert "line 1" in done.stderr
    assert json.loads(done.stdout.strip())["id"] == 1


def test_missing_index_gives_a_clear_message(tmp_path: Path) -> None:
    done = _wenyuan("ask", "问题？", "--index", str(tmp_path / "none"), cwd=tmp_path)
    assert done.returncode == 1 and "wenyuan index" in done.stderr


def test_reindex_reports_unchanged(project: Path) -> None:
    done = _wenyuan("index", "--quiet", cwd=project)
    assert "unchanged 2" in done.stdout and "0 embedded" in done.stdout


def test_app_py_serves_on_the_flags_and_environment_it_is_given(tmp_path: Path) -> None:
    """`python app.py`: the port from WENYUAN_PORT, the host from --host (over WENYUAN_HOST), --index/--data
    folders, and the index built on first start."""
    import socket
    import time
    import urllib.request

    (tmp_path / "文档").mkdir()
    shutil.copy(SEED, tmp_path / "文档")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENYUAN_")}
    env |= {"WENYUAN_HOST": "192.0.2.1", "WENYUAN_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"}
    app = Path(__file__).resolve().parents[1] / "app.py"
    process = subprocess.Popen(
        [sys.executable, str(app), "--host", "127.0.0.1", "--index", "索引", "--data", "文档"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline, health = time.time() + 180, None
        while time.time() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as response:
                    health = json.load(response)
                break
            except OSError:
                time.sleep(0.5)
        assert health is not None and health["status"] == "ok" and health["documents"] == 1
        assert (tmp_path / "索引" / "manifest.json").exists()
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}/" in output and "administration is open" in output
