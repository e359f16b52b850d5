"""Nearest passages by inner product: exact (a flat FAISS index) for small indexes; for large ones an HNSW graph, kept
across updates.

An HNSW graph cannot forget a vector, and building one over 100k passages takes seconds. So a graph built once
serves later indexes as it is: the passages it holds that are gone are filtered out of its search (a bitmap
selector), and the passages added since it was built (the "tail") are searched exactly beside it. A build makes a
new graph only when the tail or the gone part grows past `GRAPH_STALE` of the index.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

GRAPH_STALE = 0.2  # share of passages outside the graph (added since, or gone) that makes the next build draw anew
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


class Graph:
    """An HNSW graph and the passage id of each of its vectors; files `<name>.faiss` and `<name>.json`."""

    def __init__(self, name: str, hnsw, ids: Sequence[str]) -> None:
        self.name = name
        self.hnsw = hnsw
        self.ids = list(ids)

    @classmethod
    def draw(cls, name: str, vectors: np.ndarray, ids: Sequence[str]) -> Graph:
        import faiss

        hnsw = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        hnsw.hnsw.efSearch = HNSW_EF_SEARCH
        hnsw.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(name, hnsw, ids)

    def save(self, folder: Path) -> list[Path]:
        import faiss

        files = [folder / f"{self.name}.faiss", folder / f"{self.name}.json"]
        faiss.write_index(self.hnsw, str(files[0]))
        files[1].write_text(json.dumps(self.ids), encoding="utf-8")
        return files

    @classmethod
    def load(cls, folder: Path, name: str) -> Graph:
        import faiss

        hnsw = faiss.read_index(str(folder / f"{name}.faiss"))
        hnsw.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(name, hnsw, json.loads((folder / f"{name}.json").read_text(encoding="utf-8")))


class VectorSearch:
    """Top-k rows of `vectors` for a unit query vector, through a graph (with an exact tail) or exactly."""

    def __init__(self, vectors: np.ndarray, graph: Graph | None = None, rows_of: Mapping[str, int] | None = None) -> None:
        import faiss

        self.graph = graph
        self._flat = None
        if graph is None:
            self._flat = faiss.IndexFlatIP(vectors.shape[1])
            if len(vectors):
                self._flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
            return
        rows_of = rows_of or {}
        self._graph_rows = np.fromiter((rows_of.get(i, -1) for i in graph.ids), dtype=np.int64, count=len(graph.ids))
        live = self._graph_rows >= 0
        self.gone = int((~live).sum())
        self._params = None
        if self.gone:
            self._bitmap = np.packbits(live, bitorder="little")  # kept: the selector reads it during searches
            self._selector = faiss.IDSelectorBitmap(len(live), faiss.swig_ptr(self._bitmap))
            self._params = faiss.SearchParametersHNSW()
            self._params.sel = self._selector
            self._params.efSearch = HNSW_EF_SEARCH
        covered = np.zeros(len(vectors), dtype=bool)
        covered[self._graph_rows[live]] = True
        self._tail_rows = np.flatnonzero(~covered)
        self._tail = np.ascontiguousarray(vectors[self._tail_rows], dtype=np.float32)

    @property
    def outside(self) -> int:
        """Passages the graph does not serve as they are: added after it was drawn, or gone since."""
        return 0 if self.graph is None else len(self._tail_rows) + self.gone

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        query = np.asarray(query, dtype=np.float32).reshape(1, -1)
        if self._flat is not None:
            k = min(k, self._flat.ntotal)
            if k <= 0:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
            scores, rows = self._flat.search(query, k)
            keep = rows[0] >= 0
            return rows[0][keep], scores[0][keep]
        scores, labels = self.graph.hnsw.search(query, k, params=self._params)
        keep = labels[0] >= 0
        rows = self._graph_rows[labels[0][keep]]
        found_scores = scores[0][keep]
        if len(self._tail_rows):
            tail_scores = self._tail @ query[0]
            best = np.argsort(-tail_scores)[:k]
            rows = np.concatenate([rows, self._tail_rows[best]])
            found_scores = np.concatenate([found_scores, tail_scores[best]])
        order = np.argsort(-found_scores, kind="stable")[:k]
        return rows[order], found_scores[order]
