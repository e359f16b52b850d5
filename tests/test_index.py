"""The index: hybrid search, self-describing directory, incremental and atomic rebuilds, broken files skipped."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from conftest import DATA, SEED, CountingEmbedder
from make_files import write_docx, write_pdf
from wenyuan.assistant import Assistant
from wenyuan.config import Settings
from wenyuan.index import Index, IndexNotUsable

GOV = sorted(p for p in DATA.iterdir() if p != SEED)[:3]


def _corpus(root: Path) -> Path:
    data = root / "data"
    data.mkdir()
    shutil.copy(SEED, data)
    for path in GOV:
        shutil.copy(path, data)
    return data


def _assistant(root: Path, embedder, **overrides) -> Assistant:
    settings = Settings(data_dir=root / "data", index_dir=root / "index", progress=False, **overrides)
    return Assistant(settings, embedder)


def test_index_directory_describes_itself(tmp_path: Path, counting_embedder: CountingEmbedder) -> None:
    _corpus(tmp_path)
    report = _assistant(tmp_path, counting_embedder).build()
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedder"] == {"name": "use-multilingual-v3", "dimension": 512}
    assert manifest["chunker"]["size"] == 300
    assert {doc["path"] for doc in manifest["documents"]} == {SEED.name, *(p.name for p in GOV)}
    assert all(len(doc["sha256"]) == 64 and doc["chunks"] > 0 for doc in manifest["documents"])
    assert sum(doc["chunks"] for doc in manifest["documents"]) == manifest["chunks"] == report.chunks
    (segment,) = manifest["segments"]  # a first build writes everything into one segment
    assert segment["rows"] == manifest["chunks"] and {doc["segment"] for doc in manifest["documents"]} == {segment["name"]}
    folder = tmp_path / "index" / segment["name"]
    vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    assert vectors.shape == (manifest["chunks"], 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert sum(1 for _ in (folder / "chunks.jsonl").open(encoding="utf-8")) == manifest["chunks"]
    with np.load(folder / "terms.npz", allow_pickle=False) as terms:
        assert len(terms["lengths"]) == manifest["chunks"]


def test_hybrid_search_finds_the_passage_and_its_citation_fields(tmp_path: Path, embedder) -> None:
    _corpus(tmp_path)
    assistant = _assistant(tmp_path, embedder)
    assistant.build()
    hits = assistant.search("城镇化率提升到了多少", 5)
    assert "城镇化率提升至60.37%" in hits[0].chunk.text
    assert hits[0].chunk.doc_path == SEED.name
    assert [hit.rank for hit in hits] == [1, 2, 3, 4, 5]
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    # a freshly loaded index answers the same: nothing lives only in memory
    reloaded = _assistant(tmp_path, embedder)
    assert [h.chunk.id for h in reloaded.search("城镇化率提升到了多少", 5)] == [h.chunk.id for h in hits]


def test_rebuild_embeds_only_new_and_changed_documents(tmp_path: Path, counting_embedder: CountingEmbedder) -> None:
    data = _corpus(tmp_path)
    first = _assistant(tmp_path, counting_embedder).build()
    assert counting_embedder.texts == first.chunks and len(first.added) == 4

    counting_embedder.texts = 0
    again = _assistant(tmp_path, counting_embedder).build()
    assert counting_embedder.texts == 0
    assert len(again.unchanged) == 4 and not again.added and not again.changed

    changed = data / GOV[0].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补充说明：本意见自发布之日起施行。\n", encoding="utf-8")
    (data / GOV[1].name).unlink()
    write_docx(data / "养老方案.docx")
    assistant = _assistant(tmp_path, counting_embedder)
    report = assistant.build()
    manifest = assistant.index.manifest
    chunks_of = {doc.path: doc.chunks for doc in manifest.documents}
    assert report.changed == (GOV[0].name,) and report.added == ("养老方案.docx",)
    assert report.removed == (GOV[1].name,)
    assert counting_embedder.texts == chunks_of[GOV[0].name] + chunks_of["养老方案.docx"]
    assert GOV[1].name not in chunks_of
    assert all(hit.chunk.doc_path != GOV[1].name for hit in assistant.search("工作", 50))
    assert assistant.search("护理型床位占比", 1)[0].chunk.doc_path == "养老方案.docx"


def test_a_rebuild_with_nothing_changed_writes_nothing(tmp_path: Path, counting_embedder: CountingEmbedder) -> None:
    data = _corpus(tmp_path)
    assistant = _assistant(tmp_path, counting_embedder)
    assistant.build()
    manifest = tmp_path / "index" / "manifest.json"
    before, stamp = manifest.read_text(encoding="utf-8"), manifest.stat().st_mtime_ns
    served = assistant.index
    report = assistant.build()
    assert len(report.unchanged) == 4 and not (report.added or report.changed or report.removed)
    assert report.embedded == 0 and report.chunks == len(served.chunks)
    assert manifest.read_text(encoding="utf-8") == before and manifest.stat().st_mtime_ns == stamp
    assert assistant.index is served
    # a renamed file changes the index (its path) although nothing is embedded again
    counting_embedder.texts = 0
    (data / GOV[0].name).rename(data / ("改名-" + GOV[0].name))
    assistant.build()
    assert counting_embedder.texts == 0
    assert json.loads(manifest.read_text(encoding="utf-8"))["generation"] != json.loads(before)["generation"]
    assert "改名-" + GOV[0].name in {d.path for d in assistant.index.manifest.documents}


class _FailingEmbedder(CountingEmbedder):
    def __init__(self, inner, fail_after: int, error: BaseException) -> None:
        super().__init__(inner)
        self.fail_after = fail_after
        self.error = error

    def embed(self, texts, *, query=False):
        if not query and self.texts >= self.fail_after:
            raise self.error
        return super().embed(texts, query=query)


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "two-processes"])
@pytest.mark.parametrize("error", [RuntimeError("embedding server died"), KeyboardInterrupt()])
def test_a_failed_rebuild_leaves_the_previous_index_serving(tmp_path: Path, embedder, error, workers: int) -> None:
    data = _corpus(tmp_path)
    _assistant(tmp_path, embedder).build()
    before = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    write_pdf(data / "新文件.pdf")
    (data / SEED.name).write_text(SEED.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    failing = _FailingEmbedder(embedder, fail_after=1, error=error)
    with pytest.raises(type(error)):  # in the second batch (of the building process, or of each embedding one)
        _assistant(tmp_path, failing, embed_batch_size=8, embed_workers=workers).build()
    after = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert after == before
    answer = _assistant(tmp_path, embedder).ask("城镇化率提升到了多少？")
    assert "60.37%" in answer.text and not answer.refused


def test_a_broken_file_is_reported_and_the_rest_indexed(tmp_path: Path, embedder) -> None:
    data = _corpus(tmp_path)
    (data / "损坏的文件.pdf").write_bytes(b"%PDF-1.7 broken")
    (data / "空白.txt").write_bytes(b"")
    (data / "表格.xlsx").write_bytes(b"PK\x03\x04")
    report = _assistant(tmp_path, embedder).build()
    reasons = dict(report.skipped)
    assert set(reasons) == {"损坏的文件.pdf", "空白.txt", "表格.xlsx"}
    assert "PDF" in reasons["损坏的文件.pdf"] and "空的" in reasons["空白.txt"]
    assert len(report.added) == 4
    assert "skipped 损坏的文件.pdf" in report.summary()


def test_loading_with_another_embedder_or_chunker_asks_for_a_rebuild(tmp_path: Path, embedder) -> None:
    _corpus(tmp_path)
    _assistant(tmp_path, embedder).build()
    with pytest.raises(IndexNotUsable, match="rebuild"):
        Index.load(tmp_path / "index", Settings(index_dir=tmp_path / "index"), "BAAI/bge-small-zh-v1.5")
    with pytest.raises(IndexNotUsable, match="chunker"):
        Index.load(tmp_path / "index", Settings(index_dir=tmp_path / "index", chunk_size=500))
    with pytest.raises(IndexNotUsable, match="wenyuan index"):
        Index.load(tmp_path / "nowhere", Settings())


def test_hnsw_above_the_threshold_finds_the_same_passage(tmp_path: Path, embedder) -> None:
    _corpus(tmp_path)
    assistant = _assistant(tmp_path, embedder, hnsw_threshold=10)
    assistant.build()
    assert assistant.index.manifest.faiss.kind == "hnsw"
    assert "60.37%" in assistant.search("城镇化率提升到了多少", 1)[0].chunk.text
    reloaded = _assistant(tmp_path, embedder, hnsw_threshold=10)
    assert "60.37%" in reloaded.search("城镇化率提升到了多少", 1)[0].chunk.text


def test_a_previous_index_made_another_way_is_not_reused(tmp_path: Path, counting_embedder: CountingEmbedder) -> None:
    from wenyuan.index import build_index

    _corpus(tmp_path)
    old = _assistant(tmp_path, counting_embedder)
    old.build()
    counting_embedder.texts = 0
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index", chunk_size=500, progress=False)
    index, report = build_index([tmp_path / "data"], tmp_path / "index", settings, counting_embedder,
                                previous=old.index)
    assert counting_embedder.texts == report.chunks == len(index.chunks)
    assert index.manifest.chunker.size == 500 and len(report.added) == 4


class _SlowEmbedder(CountingEmbedder):
    """The real embedder, held back until released, so a rebuild can be caught halfway."""

    def __init__(self, inner) -> None:
        super().__init__(inner)
        self.started = threading.Event()
        self.release = threading.Event()

    def embed(self, texts, *, query=False):
        if not query:
            self.started.set()
            self.release.wait(timeout=60)
        return super().embed(texts, query=query)


def test_questions_are_answered_from_the_old_index_while_a_rebuild_runs(tmp_path: Path, embedder) -> None:
    data = _corpus(tmp_path)
    _assistant(tmp_path, embedder).build()
    slow = _SlowEmbedder(embedder)
    assistant = _assistant(tmp_path, slow)
    assert "60.37%" in assistant.ask("城镇化率提升到了多少？").text
    write_pdf(data / "养老方案.pdf")
    rebuild = threading.Thread(target=assistant.build)
    rebuild.start()
    assert slow.started.wait(timeout=30)
    during = assistant.ask("城镇化率提升到了多少？")  # the rebuild is waiting inside the embedder
    assert "60.37%" in during.text and not during.refused
    assert all(hit.chunk.doc_path != "养老方案.pdf" for hit in assistant.search("社区养老服务设施覆盖率", 5))
    slow.release.set()
    rebuild.join(timeout=120)
    assert assistant.search("社区养老服务设施覆盖率", 1)[0].chunk.doc_path == "养老方案.pdf"


def test_an_incremental_build_scores_exactly_like_a_fresh_one(tmp_path: Path, embedder) -> None:
    data = _corpus(tmp_path)
    assistant = _assistant(tmp_path, embedder)
    assistant.build()
    changed = data / GOV[0].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补充说明：城镇化率按常住人口计算。\n", encoding="utf-8")
    assistant.build()  # reuses the stored tokens and vectors of the unchanged documents
    fresh_root = tmp_path / "fresh"
    shutil.copytree(data, fresh_root / "data")
    fresh = _assistant(fresh_root, embedder)
    fresh.build()
    for query in ("城镇化率", "政务新媒体的基本原则", "组织领导"):
        incremental = assistant.index.lexical_scores(query)
        scratch = fresh.index.lexical_scores(query)
        order = {c.id: i for i, c in enumerate(fresh.index.chunks)}
        aligned = np.array([scratch[order[c.id]] for c in assistant.index.chunks])
        assert np.allclose(incremental, aligned, atol=1e-5)


def _as_format_2(directory: Path) -> None:
    """Rewrites an index as the format before segments wrote it: one generation folder, BM25 by bm25s."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    (segment,) = manifest["segments"]
    generation = directory / "gen-20260101T000000000000-1"
    (directory / segment["name"]).rename(generation)
    for name in ("terms.npz", "terms.json"):
        (generation / name).unlink()
    manifest.update(format=2, generation=generation.name, faiss={"kind": "flat", "metric": "inner_product"})
    manifest["lexical"]["engine"] = "bm25s"
    del manifest["segments"]
    for record in manifest["documents"]:
        del record["segment"]
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_an_index_of_the_older_format_is_brought_up_to_date_without_embedding(
        tmp_path: Path, counting_embedder: CountingEmbedder) -> None:
    _corpus(tmp_path)
    _assistant(tmp_path, counting_embedder).build()
    _as_format_2(tmp_path / "index")
    with pytest.raises(IndexNotUsable, match="older format.*wenyuan index.*nothing is embedded again"):
        Index.load(tmp_path / "index", Settings(index_dir=tmp_path / "index"))
    counting_embedder.texts = 0
    assistant = _assistant(tmp_path, counting_embedder)
    report = assistant.build()
    assert counting_embedder.texts == 0 and len(report.unchanged) == 4
    assert "60.37%" in _assistant(tmp_path, counting_embedder).search("城镇化率提升到了多少", 1)[0].chunk.text
    (tmp_path / "data" / "通知.txt").write_text("关于开展安全检查的通知\n各单位要在10日内完成自查。", encoding="utf-8")
    assistant.build()  # the old folder outlives the manifest that named it by one build, as segments do
    assert not list((tmp_path / "index").glob("gen-*"))


def test_passages_embedded_by_several_processes_are_the_same_vectors(tmp_path: Path, embedder) -> None:
    _corpus(tmp_path)
    serial = _assistant(tmp_path, embedder, embed_batch_size=16)
    serial.build()
    parallel = Assistant(Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "parallel", progress=False,
                                  embed_batch_size=16, embed_workers=2), embedder)
    report = parallel.build()
    assert report.embedded == len(serial.index.chunks) > 4 * 16  # enough batches to share among the processes
    assert [c.id for c in parallel.index.chunks] == [c.id for c in serial.index.chunks]
    assert np.allclose(parallel.index.vectors, serial.index.vectors, atol=1e-5)
