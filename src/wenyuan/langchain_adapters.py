"""Wenyuan as LangChain parts: the hybrid retriever as a `BaseRetriever`, embedders as `Embeddings`.

A user can drop an index into a LangChain chain; each returned `Document` carries the citation fields in metadata.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from wenyuan.embed import Embedder
from wenyuan.types import Hit


class WenyuanEmbeddings(Embeddings):
    """A Wenyuan embedder behind LangChain's `Embeddings` interface."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed([text], query=True)[0].tolist()


def hit_to_document(hit: Hit) -> LCDocument:
    """A search hit as a LangChain Document: the passage's own words, with where they come from."""
    chunk = hit.chunk
    return LCDocument(
        page_content=chunk.text,
        id=chunk.id,
        metadata={
            "doc": chunk.doc_path,
            "title": chunk.title,
            "heading_path": list(chunk.heading_path),
            "start": chunk.start,
            "end": chunk.end,
            "page": chunk.page,
            "outline": chunk.outline,
            "score": hit.score,
            "rank": hit.rank,
        },
    )


class WenyuanRetriever(BaseRetriever):
    """The hybrid BM25 + FAISS search of an `Assistant` as a LangChain retriever."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [hit_to_document(hit) for hit in self.assistant.search(query, self.k)]
