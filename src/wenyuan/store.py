"""Where the passages are searched: the embedded store (FAISS and term counts in the index folder, the default) or
Milvus (`WENYUAN_STORE=milvus`: Milvus Lite in a local file, or a Milvus server shared by several app servers).

The seam is small on purpose: the two searches that grow with the corpus (dense by vector, lexical by BM25) and
keeping the passages of each document in step with the index, by document. Everything else a question needs
(documents, structures, the documents' cards, term statistics) stays in the index folder.

Milvus holds per passage: its id (content-addressed: the document's hash and the span), its document, the
document's metadata for filters (path, type, year, issuing body), the dense vector, and a sparse vector of our own
BM25 term-frequency components over our own tokens (rjieba words with the lexicon, or bigrams), keyed by a hash
of the token. A query's sparse vector carries each token's IDF from the index's term statistics, so the inner
product is the BM25 score the embedded store computes: the same tokens, k1 and b, but the average passage length of
the build that inserted the passage, so scores drift from the embedded store's as the corpus grows (4.5 % after
growing 2 documents to 16; the answers stayed the same). Milvus Lite's own analyzers (standard, jieba) would
tokenise otherwise than the embedded store. Token keys are 32-bit hashes (Milvus's sparse dimensions): two tokens
of a 300k-word vocabulary share one about ten times.

Consistency with the index folder, passage by passage: a build inserts the passages the new index holds and the
store lacks before it switches the index, and deletes those no index holds after the switch. An index in use ignores
passages it does not know (content-addressed ids), so a build that fails or is interrupted midway leaves the index
in use answering as before; a load only inserts what its index lacks, and the next build removes what was left.
Passages embedded by another model or counted with other tokens have the same ids: they go to a collection of their
own, named by that fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import zlib
from dataclasses import asdict
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from wenyuan.index import IndexNotUsable

log = logging.getLogger(__name__)

MISSING = ("Milvus 存储需要 pymilvus 和 milvus-lite：请安装 `pip install 'wenyuan[milvus]'`（full 已包含），"
           "或不设置 WENYUAN_STORE（默认使用内置存储）。")
_SEARCH_MOST = 16384  # Milvus's largest top-k
STORE_FORMAT = 1  # the rows' fields and meaning; a change makes a new collection
_INSERT_BATCH = 2000
_PAGE = 1000


class StoreUnavailable(IndexNotUsable):
    """The configured store cannot be used (its package is missing, or its server cannot be reached): the app and
    the command line say so, as of an index that cannot be loaded."""


class PassageStore(Protocol):
    """Searches the passages of one knowledge base, kept in step with the index passage by passage."""

    def lexical(self, weights: dict[int, float], limit: int, doc_ids: Collection[str] | None = None
                ) -> list[tuple[str, float]]:
        """(passage id, BM25 score) of the best passages for a query given as {token key: IDF}."""

    def dense(self, vector: np.ndarray, limit: int) -> list[tuple[str, float]]:
        """(passage id, inner product) of the nearest passages."""

    def bind(self, fingerprint: str) -> None:
        """Use the collection of passages made this way (embedder, BM25 tokens): another way's are not mixed in."""

    def passage_ids(self) -> set[str]:
        """The ids of every passage the store holds."""

    def count(self) -> int:
        """How many passages the store holds."""

    def insert(self, rows: Sequence[dict]) -> None:
        """Passages as rows (`passage_rows`)."""

    def delete(self, ids: Collection[str]) -> None:
        """Deletes these passages."""


def token_key(token: str) -> int:
    """A token's dimension in the sparse vectors: a hash of its text, the same in every build and process."""
    return zlib.crc32(token.encode("utf-8"))


class MilvusStore:
    """The passages of one knowledge base in one Milvus collection. Connects on first use; the collection is made
    at the first insert, when the vectors' dimension is known."""

    def __init__(self, uri: str, collection: str, token: str | None = None) -> None:
        self._uri = uri
        self._server = uri.startswith(("http://", "https://", "tcp://"))
        self._token = token
        self.base = collection
        self.collection = collection
        self._client_ = None

    @property
    def _client(self):
        if self._client_ is None:
            try:
                from pymilvus import MilvusClient
            except ImportError as error:
                raise StoreUnavailable(MISSING) from error
            if not self._server:
                Path(self._uri).parent.mkdir(parents=True, exist_ok=True)
            try:
                client = MilvusClient(self._uri, token=self._token or "")
            except Exception as error:  # noqa: BLE001 - a server down, a Lite file another process holds
                raise StoreUnavailable(f"无法连接 Milvus（{self._uri}）：{error}") from error
            self._client_ = client
            self._load()
        return self._client_

    def _load(self) -> None:
        if self._client_.has_collection(self.collection):  # one made before a restart is searched once loaded
            self._client_.load_collection(self.collection)

    def bind(self, fingerprint: str) -> None:
        """The collection `<base>_<fingerprint>`: passages embedded by another model or counted with other tokens
        have the same ids but other vectors, and live in a collection of their own, dropped when superseded."""
        name = f"{self.base}_{fingerprint}"
        if name == self.collection:
            return
        self.collection = name
        client = self._client
        self._load()
        stale = re.compile(rf"^{re.escape(self.base)}_[0-9a-f]{{8}}$")
        for other in client.list_collections():
            if other != name and stale.match(other):
                client.drop_collection(other)

    def _exists(self) -> bool:
        return bool(self._client.has_collection(self.collection))

    def _create(self, dimension: int) -> None:
        from pymilvus import DataType

        schema = self._client.create_schema(auto_id=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=128)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=128)
        schema.add_field("kind", DataType.VARCHAR, max_length=32)
        schema.add_field("year", DataType.INT64)
        schema.add_field("issuer", DataType.VARCHAR, max_length=256)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dimension)
        schema.add_field("lexical", DataType.SPARSE_FLOAT_VECTOR)
        indexes = self._client.prepare_index_params()
        # a server builds HNSW for its own sake; Milvus Lite searches exactly
        indexes.add_index("dense", index_type="AUTOINDEX" if self._server else "FLAT", metric_type="IP")
        indexes.add_index("lexical", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        self._client.create_collection(self.collection, schema=schema, index_params=indexes)

    # ---- keeping it in step with the index ---------------------------------------------------------------
    def passage_ids(self) -> set[str]:
        """The ids of every passage here, read in pages."""
        if not self._exists():
            return set()
        found: set[str] = set()
        pages = self._client.query_iterator(self.collection, batch_size=_PAGE, filter='id != ""', output_fields=["id"])
        try:
            while rows := pages.next():
                found |= {row["id"] for row in rows}
        finally:
            pages.close()
        return found

    def insert(self, rows: Sequence[dict]) -> None:
        """Passages as rows: id, doc_id, kind, year, issuer, dense (list of floats), lexical ({key: weight})."""
        if rows and not self._exists():
            self._create(len(rows[0]["dense"]))
        for offset in range(0, len(rows), _INSERT_BATCH):
            self._client.upsert(self.collection, list(rows[offset : offset + _INSERT_BATCH]))
        if rows:
            self._client.flush(self.collection)  # sealed and indexed: searched by the index, not row by row

    def delete(self, ids: Collection[str]) -> None:
        """Deletes these passages (of removed or changed documents, or left by a build that failed)."""
        if not ids or not self._exists():
            return
        ordered = sorted(ids)
        for offset in range(0, len(ordered), _PAGE):
            self._client.delete(self.collection, ids=ordered[offset : offset + _PAGE])
        self._client.flush(self.collection)

    def count(self) -> int:
        if not self._exists():
            return 0
        rows = self._client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def drop(self) -> None:
        self._client.drop_collection(self.collection)

    def close(self) -> None:
        """Lets go of the collection; for Milvus Lite, of its file too (another process may then open it)."""
        if self._client_ is None:
            return
        self._client_.close()
        self._client_ = None
        if not self._server:
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(self._uri)

    # ---- search ----------------------------------------------------------------------------------------
    def dense(self, vector: np.ndarray, limit: int) -> list[tuple[str, float]]:
        """(passage id, inner product) of the nearest passages."""
        if not self._exists():
            return []
        found = self._client.search(self.collection, data=[np.asarray(vector, dtype=np.float32).tolist()],
                                    anns_field="dense", limit=min(limit, _SEARCH_MOST), output_fields=[],
                                    search_params={"metric_type": "IP"})
        return [(hit["id"], float(hit["distance"])) for hit in found[0]]

    def lexical(self, weights: dict[int, float], limit: int, doc_ids: Collection[str] | None = None
                ) -> list[tuple[str, float]]:
        """(passage id, BM25 score) of the best passages for a query given as {token key: IDF}."""
        if not weights or not self._exists():
            return []
        expression = f"doc_id in {_quoted(sorted(doc_ids))}" if doc_ids is not None else ""
        found = self._client.search(self.collection, data=[weights], anns_field="lexical",
                                    limit=min(limit, _SEARCH_MOST), output_fields=[], filter=expression,
                                    search_params={"metric_type": "IP"})
        return [(hit["id"], float(hit["distance"])) for hit in found[0]]


def _quoted(values: Sequence[str]) -> str:
    return "[" + ", ".join('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values) + "]"


def fingerprint(manifest) -> str:
    """What makes passages with the same ids differ: the embedder and how BM25 counted tokens (of a
    manifest.Manifest)."""
    made = {"embedder": asdict(manifest.embedder), "lexical": asdict(manifest.lexical), "format": STORE_FORMAT}
    return hashlib.sha256(json.dumps(made, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:8]


def passage_rows(index, ids: Collection[str]) -> list[dict]:
    """The rows of these passages, as the index holds them, for `MilvusStore.insert`."""
    rows_of = sorted(index.chunk_rows[chunk_id] for chunk_id in set(ids) if chunk_id in index.chunk_rows)
    if not rows_of:
        return []
    sparse = [{token_key(token): value for token, value in components.items() if value > 0}
              for components in index.terms.row_components(rows_of)]
    found = []
    for row, weights in zip(rows_of, sparse):
        chunk = index.chunks[row]
        document = index.documents[chunk.doc_id]
        found.append({"id": chunk.id, "doc_id": chunk.doc_id, "kind": document.kind[:32], "year": document.year or 0,
                      "issuer": document.issuer[:256], "dense": index.vectors[row].astype(np.float32).tolist(),
                      "lexical": weights or {token_key(""): 1e-6}})
    return found
