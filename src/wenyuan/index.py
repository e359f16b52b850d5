"""The hybrid index: FAISS vectors + BM25 over Chinese tokens + chunk store + manifest; build, load, search.

Layout of the index directory (self-describing, no pickle):

    index/manifest.json          format, embedder, chunker, documents (path, size, sha256, chunks), generation
    index/<generation>/documents.jsonl   cleaned text and headings of each document
    index/<generation>/chunks.jsonl      one chunk a line, offsets into its document's text
    index/<generation>/vectors.npy       float32 unit vectors, one row per chunk
    index/<generation>/bm25/             bm25s sparse score matrix (numpy arrays + json vocabulary)
    index/<generation>/tokens.jsonl      each chunk's BM25 tokens, reused for unchanged documents by the next build
    index/<generation>/hnsw.faiss        only above `hnsw_threshold` chunks

A build writes a new generation folder and then replaces manifest.json in one `os.replace`, so a crash or Ctrl-C
mid-build leaves the previous index loadable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from wenyuan import lexical, weights
from wenyuan.chunking import CHUNKER_VERSION, Structure
from wenyuan.clean import fold
from wenyuan.structure import names
from wenyuan.config import Settings
from wenyuan.embed import Embedder, embedder_dimension
from wenyuan.ingest import IngestError, discover, read_bytes
from wenyuan.parsing import Budget, Parser, ParserUnavailable
from wenyuan.types import Chunk, Document, Heading

NAME_GRAM = 8  # characters of a document's name a question must quote to point at it
FORMAT_VERSION = 2  # 2: documents know their subtitle, issuer, date, year and kind; BM25 counts titles apart
MANIFEST = "manifest.json"
# passages a store returns per lexical search: those below count 0 (the embedded store scores every passage)
STORE_CANDIDATES = 500
log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class IndexNotUsable(Exception):
    """The index is missing or was built with other settings; the message says how to rebuild it."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What one `wenyuan index` run did, file by file."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0
    warned: tuple[tuple[str, str], ...] = ()  # files indexed with something to check: OCR pages, garbled pages …

    def summary(self) -> str:
        lines = [
            f"indexed {len(self.added) + len(self.changed)} (new {len(self.added)}, changed {len(self.changed)}), "
            f"unchanged {len(self.unchanged)}, removed {len(self.removed)}, skipped {len(self.skipped)}; "
            f"{self.chunks} chunks, {self.embedded} embedded, {self.seconds:.1f} s"
        ]
        lines += [f"  skipped {path}: {reason}" for path, reason in self.skipped]
        lines += [f"  warning {path}: {warning}" for path, warning in self.warned]
        return "\n".join(lines)


@dataclass(slots=True)
class _DocEntry:
    document: Document
    structure: Structure
    chunks: list[Chunk]
    vectors: np.ndarray
    sha256: str
    size: int
    indexed_at: str
    tokens: list[list[str]] | None = None  # BM25 tokens of each chunk, kept from the previous build when unchanged


@dataclass(slots=True)
class Index:
    """A loaded index, ready to search. Everything a query needs is computed when the index is built or loaded."""

    manifest: dict
    documents: dict[str, Document]
    structures: dict[str, Structure]
    chunks: list[Chunk]
    vectors: np.ndarray
    bm25: object
    lexical_tokens: str
    faiss_index: object = None
    generation: Path | None = None
    _token_idf: np.ndarray | None = None
    _common_idf: float | None = None

    # ---- search: the raw scores that retrieve.py fuses ---------------------------------------------------------
    document_ids: tuple[str, ...] = ()  # documents in card order
    chunk_documents: np.ndarray | None = None  # row of each chunk's document in `document_ids`
    header_chunks: np.ndarray | None = None  # 1.0 for each document's first chunk (title, 文号, 主送), else 0.0
    cards: object = None  # BM25 over each document's card (title, subtitle, 文号, issuer, year, file name)
    definitions: dict[str, str] | None = None  # short names documents define (以下简称) -> their long form
    card_rows: dict[str, np.ndarray] | None = None  # the documents (rows in `document_ids`) whose card holds a word
    document_names: dict[str, set[str]] | None = None  # the names a question may call each document by
    path_ids: dict[str, str] | None = None  # document path -> id
    name_grams: dict[str, set[str]] | None = None  # every 8 characters of a document's names -> the documents
    _folded_cards: dict[str, str] | None = None
    task_rows: dict | None = None  # each document's 任务分解 rows, made when a question first needs them
    store: object = None  # a MilvusStore that searches the passages; None: FAISS and bm25s here (store.py)
    chunk_rows: dict[str, int] | None = None  # passage id -> row, to read a store's answers

    def document_at(self, path: str) -> Document | None:
        """The indexed document of a file, named as citations name it (relative to the indexed folder)."""
        return next((document for document in self.documents.values() if document.path == path), None)

    def named_in(self, text: str) -> set[str]:
        """The documents a text quotes eight or more characters of the name of ("个人所得税专项附加扣除" for
        国务院关于印发个人所得税专项附加扣除暂行办法的通知)."""
        found: set[str] = set()
        for at in range(len(text) - NAME_GRAM + 1):
            found |= (self.name_grams or {}).get(text[at : at + NAME_GRAM], set())
        return found

    def names_few_documents(self, term: str) -> bool:
        """Whether a word names a few documents (a place, an issuer, a topic of a title: 天津, 公积金): it is in the
        cards of some documents but few, and most passages that use it belong to those documents (unlike 一次,
        found in a few titles but used everywhere)."""
        count = len((self.card_rows or {}).get(term, ()))
        if not 0 < count <= max(1, weights.FEW_CARDS * len(self.document_ids)):
            return False
        token_id = self.bm25.vocab_dict.get(term) if self.bm25 is not None else None
        if token_id is None or token_id + 1 >= len(self.bm25.scores["indptr"]):
            return True
        indptr = self.bm25.scores["indptr"]
        rows = np.asarray(self.bm25.scores["indices"][indptr[token_id] : indptr[token_id + 1]])
        if not len(rows):
            return True
        return float(np.isin(self.chunk_documents[rows], self.card_rows[term]).mean()) >= weights.NAME_LIKE

    def prepare(self) -> Index:
        """Work out what queries need besides the stored parts: the card index, chunk-to-document rows and the
        documents' own abbreviations. Called once when an index is built or loaded."""
        bm25s = _bm25s()
        self.document_ids = tuple(self.documents)
        row_of = {doc_id: row for row, doc_id in enumerate(self.document_ids)}
        self.chunk_documents = np.fromiter((row_of[c.doc_id] for c in self.chunks), dtype=np.int32, count=len(self.chunks))
        self.header_chunks = np.fromiter((c.ordinal == 0 for c in self.chunks), dtype=np.float32, count=len(self.chunks))
        self.card_rows = {}
        if self.documents:
            card_tokens = [lexical.tokenize(self.documents[d].card(), "words") or [""] for d in self.document_ids]
            self.cards = bm25s.BM25()
            self.cards.index(card_tokens, show_progress=False)
            rows_with: dict[str, list[int]] = {}
            for row, tokens in enumerate(card_tokens):
                for token in set(tokens):
                    rows_with.setdefault(token, []).append(row)
            self.card_rows = {token: np.asarray(rows, dtype=np.int32) for token, rows in rows_with.items()}
        self.definitions = {}
        for document in self.documents.values():
            self.definitions.update(lexical.definitions(document.text))
        self._folded_cards = {doc_id: fold(d.card()) for doc_id, d in self.documents.items()}
        self.document_names = {doc_id: names(d.title, d.path) for doc_id, d in self.documents.items()}
        self.name_grams = {}
        for doc_id, known in self.document_names.items():
            for name in known:
                for at in range(len(name) - NAME_GRAM + 1):
                    self.name_grams.setdefault(name[at : at + NAME_GRAM], set()).add(doc_id)
        self.path_ids = {d.path: doc_id for doc_id, d in self.documents.items()}
        self.chunk_rows = {chunk.id: row for row, chunk in enumerate(self.chunks)}
        return self

    def folded_card(self, doc_id: str) -> str:
        """A document's card, folded for matching (worked out once)."""
        return self._folded_cards[doc_id]

    def lexical_scores(self, tokens: list[str], own_title_weight: float = 1.0,
                       within: Collection[str] | None = None) -> np.ndarray:
        """BM25 score of every chunk for the query's tokens; with `own_title_weight` < 1, a word counts that much
        less in the passages of a document whose own title (card) holds it: there it names the document, not the
        passage."""
        if self.bm25 is None:
            return np.zeros(len(self.chunks), dtype=np.float32)
        tokens = [t for t in dict.fromkeys(tokens) if t in self.bm25.vocab_dict]
        if self.store is not None:  # `within`: the documents a question is routed to, so theirs are all scored
            return self._store_lexical(tokens, own_title_weight, within)
        if own_title_weight == 1.0:
            ids = self.bm25.get_tokens_ids(tokens)
            if not ids:
                return np.zeros(len(self.chunks), dtype=np.float32)
            return np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)
        ids = self.bm25.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(len(self.chunks), dtype=np.float32)
        total = np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)
        for token in tokens:  # only the few words that are in some document's card are scored apart
            rows = (self.card_rows or {}).get(token.removeprefix("▁"))
            if rows is None:
                continue
            in_card = np.zeros(len(self.document_ids), dtype=bool)
            in_card[rows] = True
            own = in_card[self.chunk_documents]
            scores = np.asarray(self.bm25.get_scores_from_ids([self.bm25.vocab_dict[token]]), dtype=np.float32)
            total[own] -= (1.0 - own_title_weight) * scores[own]
        return total

    def _store_lexical(self, tokens: list[str], own_title_weight: float,
                       within: Collection[str] | None = None) -> np.ndarray:
        """`lexical_scores` from the store: the BM25 scores of its best passages (the others count 0), the words of
        documents' own cards scored apart in those documents."""
        from wenyuan.store import token_key

        total = np.zeros(len(self.chunks), dtype=np.float32)
        limit = STORE_CANDIDATES
        self._scatter(total, self.store.lexical({token_key(t): self.term_weight(t) for t in tokens}, limit, within),
                      1.0)
        if own_title_weight == 1.0:
            return total
        for token in tokens:
            rows = (self.card_rows or {}).get(token.removeprefix("▁"))
            if rows is None:
                continue
            owners = [self.document_ids[row] for row in rows]
            found = self.store.lexical({token_key(token): self.term_weight(token)}, limit, owners)
            # only passages the first search scored: the others count 0 there, and never less
            held = [(chunk_id, score) for chunk_id, score in found
                    if (row := self.chunk_rows.get(chunk_id)) is not None and total[row] > 0]
            self._scatter(total, held, -(1.0 - own_title_weight))
        return np.maximum(total, 0.0)

    def _scatter(self, into: np.ndarray, found: list[tuple[str, float]], factor: float) -> None:
        """Adds a store's (passage id, score) pairs into a per-row array; passages this index does not hold (a
        build under way, or one that failed) are left out."""
        for chunk_id, score in found:
            row = self.chunk_rows.get(chunk_id)
            if row is not None:
                into[row] += factor * score

    def card_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every document's card (in `document_ids` order) for the query's words."""
        ids = self.cards.get_tokens_ids(list(dict.fromkeys(tokens))) if self.cards is not None else []
        if not ids:
            return np.zeros(len(self.document_ids), dtype=np.float32)
        return np.asarray(self.cards.get_scores_from_ids(ids), dtype=np.float32)

    def dense_search(self, query_vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k chunk rows and cosine scores for a unit query vector."""
        if self.store is not None:
            pairs = [(self.chunk_rows[i], score) for i, score in self.store.dense(query_vector, 2 * k + 16)
                     if i in self.chunk_rows][:k]
            return (np.asarray([row for row, _ in pairs], dtype=np.int64),
                    np.asarray([score for _, score in pairs], dtype=np.float32))
        k = min(k, len(self.chunks))
        scores, rows = self.faiss_index.search(query_vector.reshape(1, -1).astype(np.float32), k)
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]

    # ---- term weights used by the answerer --------------------------------------------------------------
    def common_weight(self) -> float:
        """The inverse document frequency of a common word: the 10th percentile over the words the passages hold."""
        if self._common_idf is None:
            self.term_weight("")
            idf = self._token_idf
            self._common_idf = float(np.percentile(idf, 10)) if idf is not None and len(idf) else 1.0
        return self._common_idf

    def knows(self, token: str) -> bool:
        """Whether some passage holds the word."""
        return self.bm25 is not None and token in self.bm25.vocab_dict

    def term_weight(self, token: str) -> float:
        """Inverse document frequency of a word among chunks (unknown words weigh as the rarest)."""
        if self._token_idf is None:
            indptr = np.asarray(self.bm25.scores["indptr"])
            frequency = np.diff(indptr).astype(np.float64)
            total = max(len(self.chunks), 1)
            self._token_idf = np.log(1.0 + (total - frequency + 0.5) / (frequency + 0.5))
        token_id = self.bm25.vocab_dict.get(token)
        if token_id is None or token_id >= len(self._token_idf):
            return math.log(1.0 + (len(self.chunks) + 0.5) / 0.5)
        return float(self._token_idf[token_id])

    # ---- persistence --------------------------------------------------------------------------------------
    @classmethod
    def load(cls, directory: Path, settings: Settings, embedder_name: str | None = None, *,
             for_rebuild: bool = False, store=None) -> Index:
        """Load an index, refusing one built with another embedder or chunker; `for_rebuild` accepts one whose BM25
        tokens were made another way (a rebuild makes them again and reuses the vectors)."""
        manifest_path = Path(directory) / MANIFEST
        if not manifest_path.exists():
            raise IndexNotUsable(f"no index in {directory}: build one with `wenyuan index` (documents in data/)")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        _check_compatible(manifest, settings, embedder_name or settings.embedder, directory, lexical_too=not for_rebuild)
        generation = Path(directory) / manifest["generation"]
        index = _read_generation(generation, manifest, searched_here=store is None)
        if store is not None:
            _attach_store(index, store)
        return index


def _check_compatible(manifest: dict, settings: Settings, embedder_name: str, directory: Path,
                      lexical_too: bool = True) -> None:
    rebuild = f"rebuild it: delete {directory} and run `wenyuan index`"
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexNotUsable(f"the index in {directory} has format {manifest.get('format')}, expected {FORMAT_VERSION}; {rebuild}")
    built_with = manifest["embedder"]["name"]
    if built_with != embedder_name:
        raise IndexNotUsable(
            f"the index in {directory} was built with embedder '{built_with}' but the settings ask for "
            f"'{embedder_name}'; {rebuild}, or set WENYUAN_EMBEDDER={built_with}"
        )
    chunker = manifest["chunker"]
    wanted = {"version": CHUNKER_VERSION, "size": settings.chunk_size, "overlap": settings.chunk_overlap}
    if chunker != wanted:
        raise IndexNotUsable(f"the index in {directory} was built with chunker {chunker}, the settings ask for {wanted}; {rebuild}")
    if not lexical_too:
        return
    if manifest["lexical"].get("vocabulary") != lexical.vocabulary():
        raise IndexNotUsable(f"the index in {directory} was tokenised with another word list (lexicon); {rebuild}")
    if manifest["lexical"]["tokens"] != settings.lexical_tokens:
        raise IndexNotUsable(
            f"the index in {directory} counts BM25 '{manifest['lexical']['tokens']}' but the settings ask for "
            f"'{settings.lexical_tokens}'; {rebuild}"
        )


def _bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each build at DEBUG on its own handler
    return bm25s


def _read_generation(generation: Path, manifest: dict, searched_here: bool = True) -> Index:
    import faiss

    bm25s = _bm25s()

    documents: dict[str, Document] = {}
    structures: dict[str, Structure] = {}
    with (generation / "documents.jsonl").open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            headings = tuple(Heading(*h) for h in record.pop("headings"))
            outline = tuple(record.pop("outline_span")) if record.get("outline_span") else None
            record.pop("outline_span", None)
            record["page_starts"] = tuple(record["page_starts"])
            record["ocr_pages"] = tuple(record.get("ocr_pages", ()))
            record["warnings"] = tuple(record.get("warnings", ()))
            record["styled_headings"] = tuple(tuple(x) for x in record["styled_headings"])
            record["tables"] = tuple(tuple(x) for x in record.get("tables", ()))
            document = Document(**record)
            documents[document.id] = document
            structures[document.id] = Structure.of(document.title, headings, outline)
    chunks: list[Chunk] = []
    with (generation / "chunks.jsonl").open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            document = documents[record["doc_id"]]
            chunks.append(
                Chunk(
                    id=record["id"],
                    doc_id=document.id,
                    doc_path=document.path,
                    title=document.title,
                    ordinal=record["ordinal"],
                    start=record["start"],
                    end=record["end"],
                    text=document.text[record["start"] : record["end"]],
                    heading_path=tuple(record["heading_path"]),
                    page=record["page"],
                    outline=record["outline"],
                    table_header=record.get("table_header", ""),
                )
            )
    vectors = np.load(generation / "vectors.npy", allow_pickle=False)
    if not searched_here:  # another store searches the vectors: no FAISS index in memory
        faiss_index = None
    elif (generation / "hnsw.faiss").exists():
        faiss_index = faiss.read_index(str(generation / "hnsw.faiss"))
    else:
        faiss_index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            faiss_index.add(vectors)
    bm25 = bm25s.BM25.load(str(generation / "bm25"), mmap=False, show_progress=False) if chunks else None
    return Index(
        manifest, documents, structures, chunks, vectors, bm25, manifest["lexical"]["tokens"], faiss_index, generation
    ).prepare()


def _attach_store(index: Index, store) -> None:
    """Connects the index to a store (store.PassageStore) and inserts the passages it lacks. It deletes nothing: a
    build under way in another process may have inserted passages of documents the index does not hold yet (each
    index ignores passages it does not know; the next build removes what no index holds)."""
    index.store = store
    _fill_store(index)


def _fill_store(index: Index) -> set[str]:
    """Inserts the passages of this index the store lacks (compared by passage id, so a document read again with
    other chunk sizes, or half inserted by a build that failed, is completed); returns the ids the store holds
    besides."""
    from wenyuan.store import fingerprint, passage_rows

    index.store.bind(fingerprint(index.manifest))
    held = index.store.passage_ids()
    missing = set(index.chunk_rows) - held
    if missing:
        rows = passage_rows(index, missing)
        index.store.insert(rows)
        log.info("store: inserted %d passages", len(rows))
    return held - set(index.chunk_rows)


def _stored_tokens(index: Index) -> dict[str, list[str]]:
    """BM25 tokens of every chunk of a built index, so a rebuild does not tokenise unchanged documents again."""
    path = index.generation / "tokens.jsonl" if index.generation else None
    if path is None or not path.exists():
        return {}
    tokens: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            # interned: one string object per distinct token, so 100k chunks' tokens take ~1/10 of the memory
            tokens[record["id"]] = list(map(sys.intern, record["tokens"]))
    return tokens


# ---- build ------------------------------------------------------------------------------------------------
def _previous_entries(index: Index | None) -> dict[str, _DocEntry]:
    if index is None:
        return {}
    rows_by_doc: dict[str, list[int]] = {}
    for row, chunk in enumerate(index.chunks):
        rows_by_doc.setdefault(chunk.doc_id, []).append(row)
    entries = {}
    for record in index.manifest["documents"]:
        document = index.documents[record["id"]]
        rows = rows_by_doc.get(document.id, [])
        if rows and rows[-1] - rows[0] + 1 == len(rows):  # a document's chunks are contiguous: a view, no copy
            vectors = index.vectors[rows[0] : rows[-1] + 1]
        else:
            vectors = index.vectors[rows] if rows else np.zeros((0, index.vectors.shape[1]), dtype=np.float32)
        entries[record["sha256"]] = _DocEntry(
            document,
            index.structures[document.id],
            [index.chunks[row] for row in rows],
            vectors,
            record["sha256"],
            record["size"],
            record["indexed_at"],
        )
    return entries


def _reuse_tokens(previous: Index, entries: list[_DocEntry]) -> None:
    """Give the reused documents their stored BM25 tokens (read only now: a no-op rebuild never needs them)."""
    stored = _stored_tokens(previous)
    for entry in entries:
        if entry.tokens is None and entry.chunks and all(chunk.id in stored for chunk in entry.chunks):
            entry.tokens = [stored[chunk.id] for chunk in entry.chunks]


def _nothing_changed(previous: Index, entries: list[_DocEntry], skipped: list, directory: Path,
                     settings: Settings) -> bool:
    """Whether `previous` is already the index this build would write (same files, same names, same failures,
    same settings, and still the one in force in `directory`): then nothing is written at all."""
    if previous.generation is None or previous.generation.parent.resolve() != directory.resolve():
        return False
    current = _current_generation(directory)
    manifest = previous.manifest
    kind = "hnsw" if manifest["chunks"] > settings.hnsw_threshold else "flat"
    return (
        current == manifest["generation"]
        and manifest["lexical"] == _lexical_manifest(settings)
        and manifest["faiss"]["kind"] == kind
        and sorted((e.document.path, e.sha256) for e in entries)
        == sorted((d["path"], d["sha256"]) for d in manifest["documents"])
        and [(s["path"], s["reason"]) for s in manifest.get("skipped", [])] == [tuple(item) for item in skipped]
    )


def _lexical_manifest(settings: Settings) -> dict:
    """How BM25 tokens were made: stored tokens are reused only when all of this is the same."""
    return {"tokens": settings.lexical_tokens, "engine": "bm25s", "method": "lucene", "vocabulary": lexical.vocabulary()}


def _reusable_for(manifest: dict, settings: Settings, embedder: Embedder) -> bool:
    chunker = {"version": CHUNKER_VERSION, "size": settings.chunk_size, "overlap": settings.chunk_overlap}
    return manifest["embedder"]["name"] == embedder.name and manifest["chunker"] == chunker


def _relocated(entry: _DocEntry, path: str) -> _DocEntry:
    """An unchanged document found under a new name: same text and vectors, new path."""
    if entry.document.path == path:
        return entry
    document = replace(entry.document, path=path)
    chunks = [replace(chunk, doc_path=path) for chunk in entry.chunks]
    return _DocEntry(
        document, entry.structure, chunks, entry.vectors, entry.sha256, entry.size, entry.indexed_at, entry.tokens
    )


class IndexBusy(Exception):
    """Another build of the same index is running (from the documents tab or a `wenyuan index` in a shell)."""


BUILD_LOCK = ".build.lock"
# what each stage `progress(stage, done, total)` reports is called where people see it (CLI, documents tab)
STAGE_LABELS = {"files": "读取文件", "ocr": "OCR 识别扫描页", "chunks": "向量化片段"}


def build_index(
    sources: Iterable[Path],
    directory: Path,
    settings: Settings,
    embedder: Embedder,
    *,
    previous: Index | None = None,
    progress: Progress | None = None,
    wait: bool = True,
    prune: bool = True,
    store=None,
) -> tuple[Index, BuildReport]:
    """Index every supported file under `sources` into `directory`, re-embedding only new or changed files.

    One build at a time per index folder (a file lock, across processes): a second one waits for the first, or with
    `wait=False` raises IndexBusy. With `prune=False` the documents indexed before from elsewhere are kept (adding
    one file does not drop the rest); with `prune` the index holds exactly what `sources` hold. With a `store`
    (store.PassageStore) the passages are searched there: the new documents' go in before the switch, the rest
    out after it.
    """
    from filelock import FileLock, Timeout

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    lock = FileLock(directory / BUILD_LOCK)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise IndexBusy("另一个索引任务正在进行（文档页或命令行），请等它完成后再试") from None
        log.warning("another build of %s is running: waiting for it to finish", directory)
        lock.acquire()
    try:
        if previous is not None and (previous.generation is None
                                     or previous.generation.name != _current_generation(directory)):
            try:  # another builder switched in a newer index meanwhile: build on that one
                previous = Index.load(directory, settings, embedder.name, for_rebuild=True, store=store)
            except IndexNotUsable:
                previous = None
        return _build_index(sources, directory, settings, embedder, previous, progress, prune, store)
    finally:
        lock.release()


def _build_index(sources: Iterable[Path], directory: Path, settings: Settings, embedder: Embedder,
                 previous: Index | None, progress: Progress | None, prune: bool, store=None
                 ) -> tuple[Index, BuildReport]:
    began = time.perf_counter()
    if previous is not None and not _reusable_for(previous.manifest, settings, embedder):
        previous = None  # vectors or chunks made another way cannot be mixed into this index
    reusable = _previous_entries(previous)
    old_paths = {entry.document.path: sha for sha, entry in reusable.items()}
    files = list(discover(sources))
    entries: list[_DocEntry] = []
    added, changed, unchanged, skipped = [], [], [], []
    to_embed: list[tuple[_DocEntry, list[str]]] = []
    seen_ids: set[str] = set()
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    budget = Budget(settings.file_seconds, settings.file_memory_mb, settings.encoding, settings.chunk_size,
                    settings.chunk_overlap)
    with Parser(budget) as parser:  # each file read in a child process, within its time and memory budget
        for done, source in enumerate(files, 1):
            if progress:
                progress("files", done, len(files))
            try:
                raw = read_bytes(source, int(settings.max_file_mb * (1 << 20)))
                sha, size = hashlib.sha256(raw).hexdigest(), len(raw)
                if sha in seen_ids:
                    skipped.append((source.relative, "与已收录的另一个文件内容相同"))
                    continue
                if sha in reusable:
                    entries.append(_relocated(reusable[sha], source.relative))
                    unchanged.append(source.relative)
                    seen_ids.add(sha)
                    continue
                ocr_progress = (lambda page, total: progress("ocr", page, total)) if progress else None
                parsed = parser.parse(source, raw, sha, ocr_progress)
                document, structure, chunks = parsed.document, parsed.structure, parsed.chunks
            except IngestError as error:
                skipped.append((source.relative, str(error)))
                log.warning("skipped %s: %s", source.relative, error)
                continue
            except ParserUnavailable:
                raise  # no file could be read: the build stops, the index in use stays
            except Exception as error:  # a reader, structure or chunking failing on one odd file must not stop the batch
                skipped.append((source.relative, f"文件无法读取（{type(error).__name__}: {error}）"))
                log.warning("skipped %s: %s", source.relative, error, exc_info=True)
                continue
            if not chunks:
                skipped.append((source.relative, "文件中没有文字"))
                continue
            entry = _DocEntry(document, structure, chunks, np.zeros((0, 0), np.float32), sha, size, now)
            entries.append(entry)
            to_embed.append((entry, [chunk.embedding_text() for chunk in chunks]))
            (changed if source.relative in old_paths else added).append(source.relative)
            seen_ids.add(sha)

    present = {source.relative for source in files}
    # without prune, documents indexed before from other paths stay, unless one of this run's files is the same one
    replaced = set(seen_ids)
    removed = sorted(path for path in old_paths if path not in present and (prune or old_paths[path] in replaced))
    if not prune:
        kept = [entry for sha, entry in reusable.items() if entry.document.path not in present and sha not in replaced]
        entries.extend(kept)
        unchanged.extend(entry.document.path for entry in kept)
    if previous is not None and not to_embed and _nothing_changed(previous, entries, skipped, directory, settings):
        report = BuildReport((), (), tuple(unchanged), (), tuple(skipped), len(previous.chunks), 0,
                             time.perf_counter() - began)
        return previous, report
    if previous is not None and previous.manifest["lexical"] == _lexical_manifest(settings):
        _reuse_tokens(previous, entries)  # else counted another way: tokenised again

    dimension = embedder_dimension(embedder)
    total = sum(len(texts) for _, texts in to_embed)
    embedded = 0
    if progress:
        progress("chunks", 0, total)
    for entry, texts in to_embed:
        parts = []
        for offset in range(0, len(texts), settings.embed_batch_size):
            parts.append(embedder.embed(texts[offset : offset + settings.embed_batch_size]))
            embedded += len(parts[-1])
            if progress:
                progress("chunks", embedded, total)
        entry.vectors = np.concatenate(parts) if parts else np.zeros((0, dimension), np.float32)

    index = _assemble(entries, settings, embedder.name, dimension, skipped, searched_here=store is None)
    stale: set[str] = set()
    if store is not None:  # the new documents' passages go in before the switch, the old out after it
        index.store = store
        stale = _fill_store(index)
    _write(index, entries, directory)
    if stale:
        index.store.delete(stale)
    report = BuildReport(
        tuple(added), tuple(changed), tuple(unchanged), tuple(removed), tuple(skipped),
        len(index.chunks), embedded, time.perf_counter() - began,
        tuple((entry.document.path, warning) for entry, _ in to_embed for warning in entry.document.warnings),
    )
    return index, report


def _assemble(entries: list[_DocEntry], settings: Settings, embedder_name: str, dimension: int, skipped,
              searched_here: bool = True) -> Index:
    import faiss

    bm25s = _bm25s()

    entries.sort(key=lambda entry: entry.document.path)
    chunks = [chunk for entry in entries for chunk in entry.chunks]
    vectors = (
        np.ascontiguousarray(np.concatenate([entry.vectors for entry in entries]), dtype=np.float32)
        if entries
        else np.zeros((0, dimension), np.float32)
    )
    bm25 = None
    if chunks:
        bm25 = bm25s.BM25()
        for entry in entries:
            if entry.tokens is None:
                entry.tokens = [lexical.tokenize(chunk.lexical_text(), settings.lexical_tokens) for chunk in entry.chunks]
        corpus = [tokens or [""] for entry in entries for tokens in entry.tokens]
        bm25.index(corpus, show_progress=False)
    if not searched_here:
        faiss_index = None  # the store searches the vectors
    elif len(chunks) > settings.hnsw_threshold:
        faiss_index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        faiss_index.hnsw.efConstruction = 80
        faiss_index.hnsw.efSearch = 128
        faiss_index.add(vectors)
    else:
        faiss_index = faiss.IndexFlatIP(dimension)
        if len(vectors):
            faiss_index.add(vectors)
    manifest = {
        "format": FORMAT_VERSION,
        "generation": "gen-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") + f"-{os.getpid()}",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "embedder": {"name": embedder_name, "dimension": dimension},
        "chunker": {"version": CHUNKER_VERSION, "size": settings.chunk_size, "overlap": settings.chunk_overlap},
        "lexical": _lexical_manifest(settings),
        "faiss": {"kind": "hnsw" if len(chunks) > settings.hnsw_threshold else "flat", "metric": "inner_product"},
        "store": "embedded" if searched_here else "milvus",
        "chunks": len(chunks),
        "documents": [
            {
                "id": entry.document.id,
                "path": entry.document.path,
                "title": entry.document.title,
                "number": entry.document.number,
                "size": entry.size,
                "sha256": entry.sha256,
                "chunks": len(entry.chunks),
                "indexed_at": entry.indexed_at,
                "reader": entry.document.reader,
                "pages": entry.document.pages,
                "characters": len(entry.document.text),
                "ocr_pages": list(entry.document.ocr_pages),
                "warnings": list(entry.document.warnings),
            }
            for entry in entries
        ],
        "skipped": [{"path": path, "reason": reason} for path, reason in skipped],
    }
    return Index(
        manifest,
        {entry.document.id: entry.document for entry in entries},
        {entry.document.id: entry.structure for entry in entries},
        chunks,
        vectors,
        bm25,
        settings.lexical_tokens,
        faiss_index,
    ).prepare()


def _write(index: Index, entries: list[_DocEntry], directory: Path) -> None:
    import faiss

    directory.mkdir(parents=True, exist_ok=True)
    generation = directory / index.manifest["generation"]
    generation.mkdir()
    index.generation = generation
    with (generation / "documents.jsonl").open("w", encoding="utf-8") as stream:
        for entry in entries:
            record = asdict(entry.document)
            record["headings"] = [list(asdict(h).values()) for h in entry.structure.headings]
            record["outline_span"] = list(entry.structure.outline_span) if entry.structure.outline_span else None
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (generation / "chunks.jsonl").open("w", encoding="utf-8") as stream:
        for chunk in index.chunks:
            record = {
                "id": chunk.id,
                "doc_id": chunk.doc_id,
                "ordinal": chunk.ordinal,
                "start": chunk.start,
                "end": chunk.end,
                "heading_path": list(chunk.heading_path),
                "page": chunk.page,
                "outline": chunk.outline,
                "table_header": chunk.table_header,
                "text": chunk.text,
            }
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (generation / "tokens.jsonl").open("w", encoding="utf-8") as stream:
        for entry in entries:
            for chunk, tokens in zip(entry.chunks, entry.tokens or []):
                stream.write(json.dumps({"id": chunk.id, "tokens": tokens}, ensure_ascii=False) + "\n")
    np.save(generation / "vectors.npy", index.vectors, allow_pickle=False)
    if index.bm25 is not None:
        index.bm25.save(str(generation / "bm25"), allow_pickle=False)
    if index.manifest["faiss"]["kind"] == "hnsw" and index.faiss_index is not None:
        faiss.write_index(index.faiss_index, str(generation / "hnsw.faiss"))
    _sync_tree(generation)  # on disk before the switch: a power cut leaves the old manifest or a whole new index
    previous = _current_generation(directory)
    temporary = directory / f"{MANIFEST}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
    with temporary.open("w", encoding="utf-8") as stream:
        stream.write(json.dumps(index.manifest, ensure_ascii=False, indent=1))
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, directory / MANIFEST)  # the switch: readers see the old index or the new one, whole
    _sync_directory(directory)
    keep = {index.manifest["generation"], previous}  # the one just replaced may still be read by a running app
    for stale in directory.glob("gen-*"):
        if stale.name not in keep:
            shutil.rmtree(stale, ignore_errors=True)
    for leftover in directory.glob(f"{MANIFEST}.*.tmp"):  # a killed build's, never this one's (it was renamed)
        leftover.unlink(missing_ok=True)


def _current_generation(directory: Path) -> str | None:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))["generation"]
    except (OSError, ValueError, KeyError):
        return None


def _sync_tree(folder: Path) -> None:
    """fsync every file under `folder`, then each folder, so that what the manifest names survives a power cut."""
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_file():
            with path.open("rb") as stream:
                os.fsync(stream.fileno())
        else:
            _sync_directory(path)
    _sync_directory(folder)


def _sync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
