"""The Milvus store (Milvus Lite, in-process, a file in a temporary folder): the same answers as the embedded
store, only a changed document's passages written, and a failed build that leaves the index answering."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from conftest import DATA, SEED
from wenyuan.assistant import Assistant
from wenyuan.config import Settings
from wenyuan.store import MISSING, MilvusStore, StoreUnavailable

PROJECT = Path(__file__).resolve().parent.parent
EMPLOYMENT = "国务院关于做好当前和今后一个时期促进就业工作的若干意见.txt"
MEDIA = "国务院办公厅关于推进政务新媒体健康有序发展的意见.txt"


def test_both_stores_give_the_same_answers(demo_assistant, milvus_demo_assistant) -> None:
    questions = [json.loads(line)["question"]
                 for line in (PROJECT / "benchmarks" / "questions_demo.jsonl").read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    assert len(questions) >= 30
    assert milvus_demo_assistant.index.store.count() == len(milvus_demo_assistant.index.chunks)
    for question in questions:
        embedded, milvus = demo_assistant.ask(question), milvus_demo_assistant.ask(question)
        assert milvus.text == embedded.text, question
        assert [(c.doc, c.start, c.end) for c in milvus.citations] == [(c.doc, c.start, c.end) for c in embedded.citations]


def test_the_lexical_scores_are_the_embedded_bm25_scores(demo_assistant, milvus_demo_assistant) -> None:
    from wenyuan import lexical

    tokens = lexical.tokenize("城镇化率提升到了多少", "words")
    embedded = demo_assistant.index.lexical_scores(tokens)
    milvus = milvus_demo_assistant.index.lexical_scores(tokens)
    assert embedded.max() > 0
    assert abs(embedded - milvus).max() < 1e-3 * embedded.max()


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The documents of each batch of passages written to Milvus."""
    written: list[set[str]] = []
    original = MilvusStore.insert

    def insert(self, rows):
        written.append({row["doc_id"] for row in rows})
        return original(self, rows)

    monkeypatch.setattr(MilvusStore, "insert", insert)
    return written


def _milvus(root: Path, embedder) -> Assistant:
    return Assistant(Settings(data_dir=root / "data", index_dir=root / "index", progress=False, store="milvus",
                              milvus_collection="kb_" + root.name.replace("-", "_")[-40:]), embedder)


def test_only_a_changed_documents_passages_are_written(tmp_path: Path, embedder, spied) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(SEED, tmp_path / "data")
    shutil.copy(DATA / EMPLOYMENT, tmp_path / "data")
    assistant = _milvus(tmp_path, embedder)
    assistant.build()
    store = assistant.index.store
    assert store.count() == len(assistant.index.chunks) and len(spied) == 1 and len(spied[0]) == 2

    shutil.copy(DATA / MEDIA, tmp_path / "data")  # one new document
    assistant.build()
    media = next(d.id for d in assistant.index.documents.values() if d.path == MEDIA)
    assert spied[-1] == {media} and store.count() == len(assistant.index.chunks)

    employment = next(d.id for d in assistant.index.documents.values() if d.path == EMPLOYMENT)
    changed = tmp_path / "data" / EMPLOYMENT
    changed.write_text(changed.read_text(encoding="utf-8") + "\n七、本意见自印发之日起施行。\n", encoding="utf-8")
    assistant.build()
    renewed = next(d.id for d in assistant.index.documents.values() if d.path == EMPLOYMENT)
    assert spied[-1] == {renewed} and renewed != employment
    assert store.passage_ids() == set(assistant.index.chunk_rows)  # the old version's passages are gone
    assert not any(chunk_id.startswith(employment[:16]) for chunk_id in store.passage_ids())

    (tmp_path / "data" / MEDIA).unlink()
    assistant.build()
    assert store.passage_ids() == set(assistant.index.chunk_rows)
    top = assistant.search("本意见自印发之日起施行", top_k=1)[0]  # the changed text is what the store finds
    assert top.chunk.doc_path == EMPLOYMENT and "施行" in top.chunk.text


def test_a_build_that_fails_after_writing_passages_leaves_the_index_answering(tmp_path: Path, embedder,
                                                                               monkeypatch) -> None:
    from wenyuan import index as index_module

    (tmp_path / "data").mkdir()
    shutil.copy(SEED, tmp_path / "data")
    assistant = _milvus(tmp_path, embedder)
    assistant.build()
    before = assistant.ask("城镇化率提升到了多少？")
    chunks = len(assistant.index.chunks)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    shutil.copy(DATA / EMPLOYMENT, tmp_path / "data")
    monkeypatch.setattr(index_module, "_write", broken)
    with pytest.raises(OSError):
        assistant.build()
    store = assistant.index.store
    assert store.count() > chunks  # the new document's passages went in before the switch that failed
    after = assistant.ask("城镇化率提升到了多少？")
    assert after.text == before.text and [c.start for c in after.citations] == [c.start for c in before.citations]
    assert EMPLOYMENT not in {d.path for d in assistant.index.documents.values()}  # still the index before
    assert all(hit.chunk.doc_path == SEED.name for hit in assistant.search("加大稳岗支持力度", top_k=5))

    monkeypatch.undo()
    fresh = _milvus(tmp_path, embedder)  # another process starting: it answers from what its index holds
    assert fresh.ask("城镇化率提升到了多少？").text == before.text and len(fresh.index.chunks) == chunks
    fresh.build()  # the next build completes the index and removes what no index holds
    assert fresh.index.store.passage_ids() == set(fresh.index.chunk_rows)


def test_the_next_build_in_the_same_app_removes_what_a_failed_one_left(tmp_path: Path, embedder, monkeypatch) -> None:
    from wenyuan import index as index_module

    (tmp_path / "data").mkdir()
    shutil.copy(SEED, tmp_path / "data")
    assistant = _milvus(tmp_path, embedder)
    assistant.build()
    shutil.copy(DATA / EMPLOYMENT, tmp_path / "data")
    with monkeypatch.context() as patched:
        patched.setattr(index_module, "_write", lambda *args, **kwargs: (_ for _ in ()).throw(OSError("disk full")))
        with pytest.raises(OSError):
            assistant.build()
    (tmp_path / "data" / EMPLOYMENT).unlink()  # the file is taken back: the index in force already holds the rest
    assistant.build()
    assert assistant.index.store.passage_ids() == set(assistant.index.chunk_rows)


def test_passages_read_again_another_way_replace_the_old_ones(tmp_path: Path, embedder) -> None:
    """Other chunk sizes give other passages of the same files; other BM25 tokens, another collection."""
    (tmp_path / "data").mkdir()
    shutil.copy(SEED, tmp_path / "data")
    first = _milvus(tmp_path, embedder)
    first.build()
    assert "60.37%" in first.ask("城镇化率提升到了多少？").text
    smaller = Assistant(first.settings.model_copy(update={"chunk_size": 200}), embedder)
    smaller.build()
    assert smaller.index.store.passage_ids() == set(smaller.index.chunk_rows) != set(first.index.chunk_rows)
    assert "60.37%" in smaller.ask("城镇化率提升到了多少？").text
    bigrams = Assistant(first.settings.model_copy(update={"lexical_tokens": "bigrams"}), embedder)
    bigrams.build()
    store = bigrams.index.store
    assert store.collection != first.index.store.collection  # BM25 counted otherwise: a collection of its own
    assert store.passage_ids() == set(bigrams.index.chunk_rows)
    from wenyuan import lexical

    tokens = lexical.tokenize("城镇化率提升到了多少", "bigrams")
    embedded = Assistant(first.settings.model_copy(update={"lexical_tokens": "bigrams", "store": "embedded",
                                                           "index_dir": tmp_path / "index-embedded"}), embedder)
    embedded.build()
    assert abs(bigrams.index.lexical_scores(tokens) - embedded.index.lexical_scores(tokens)).max() < 1e-3


def test_without_the_milvus_packages_the_message_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pymilvus", None)
    with pytest.raises(StoreUnavailable) as raised:
        MilvusStore(str(Path("/tmp") / "never-made" / "milvus.db"), "kb").count()  # connects on first use
    assert "pip install 'wenyuan[milvus]'" in str(raised.value) and str(raised.value) == MISSING


def test_the_command_line_reports_a_missing_milvus_package(tmp_path: Path, monkeypatch, capsys) -> None:
    from wenyuan import cli

    (tmp_path / "data").mkdir()
    shutil.copy(SEED, tmp_path / "data")
    monkeypatch.setitem(sys.modules, "pymilvus", None)
    monkeypatch.setenv("WENYUAN_STORE", "milvus")
    monkeypatch.setenv("WENYUAN_INDEX_DIR", str(tmp_path / "index"))
    code = cli.main(["index", str(tmp_path / "data")])
    assert code == 1 and "wenyuan[milvus]" in capsys.readouterr().err


def test_another_process_searches_the_store_a_build_filled(tmp_path: Path, embedder) -> None:
    """Milvus hands a collection a restarted process opens over as released: it must be loaded to be searched."""
    import subprocess

    (tmp_path / "data").mkdir()
    shutil.copy(SEED, tmp_path / "data")
    assistant = _milvus(tmp_path, embedder)
    assistant.build()
    expected = assistant.ask("城镇化率提升到了多少？").text
    assistant.index.store.close()  # this process lets go of the Lite file, as a stopped server would
    script = ("import sys; from pathlib import Path; from wenyuan.assistant import Assistant; "
              "from wenyuan.config import Settings; "
              "a = Assistant(Settings(data_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]), store='milvus', "
              "milvus_collection=sys.argv[3])); print(a.ask('城镇化率提升到了多少？').text)")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "data"), str(tmp_path / "index"),
                           assistant.settings.milvus_collection], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == expected


def test_a_question_within_chosen_documents_scores_all_their_passages(demo_assistant, milvus_demo_assistant,
                                                                        monkeypatch) -> None:
    """A store returns only its best passages: asked within some documents, it searches those documents, so a
    small share of a large corpus (here 17 of 333 passages, as 500 of 10,000) answers as the embedded store does."""
    from wenyuan import index as index_module

    monkeypatch.setattr(index_module, "STORE_CANDIDATES", 17)
    documents = sorted({d.path for d in demo_assistant.index.documents.values()})[:6]
    for path in documents:
        for question in ("有哪些保障措施？", "如何加强组织领导？", "工作目标是什么？"):
            embedded = demo_assistant.ask(question, documents=[path])
            milvus = milvus_demo_assistant.ask(question, documents=[path])
            assert milvus.text == embedded.text, (path, question)
    lexical = milvus_demo_assistant.index.lexical_scores(["就业", "工作", "保障", "措施"], 0.2)
    assert lexical.min() >= 0
