"""The hybrid index: passages, their vectors and their term counts, kept in segments; build, load, search.

Layout of the index directory (self-describing, no pickle):

    index/manifest.json               format, embedder, chunker, the segments in use, each document (path, size,
                                      sha256, chunks, and the segment that holds it), generation
    index/seg-<time>-<pid>/documents.jsonl  cleaned text and headings of each document the segment was written with
    index/seg-<time>-<pid>/chunks.jsonl     one chunk a line, offsets into its document's text
    index/seg-<time>-<pid>/vectors.npy      float32 unit vectors, one row per chunk
    index/seg-<time>-<pid>/terms.npz, terms.json   BM25 term counts of each chunk (terms.py) and their words
    index/graph-<time>-<pid>.faiss, .json   an HNSW graph and its passages' ids, only above `hnsw_threshold` chunks

Segments are never changed once written. A build writes one new segment with the new and changed documents only;
the manifest says which documents of each segment are still in force. When the segments grow many or hold mostly
documents gone since, a build writes one segment with everything instead (no document is embedded again for that).
The new manifest replaces the old in one `os.replace`, so a crash or Ctrl-C mid-build leaves the previous index
loadable; what neither the new nor the replaced manifest names is deleted after the switch.
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
from wenyuan.config import Settings
from wenyuan.dense import GRAPH_STALE, Graph, VectorSearch
from wenyuan.embed import Embedder, embed_batches, embedder_dimension
from wenyuan.ingest import IngestError, discover, read_bytes
from wenyuan.manifest import Chunking, Dense, DocumentRecord, Embedding, Lexical, Manifest, Segment, Skipped
from wenyuan.parsing import Budget, Parser, ParserUnavailable
from wenyuan.structure import names, places
from wenyuan.terms import TermIndex
from wenyuan.types import Chunk, Document, Heading

NAME_GRAM = 8  # characters of a document's name a question must quote to point at it
FORMAT_VERSION = 3  # 3: segments of term counts and vectors, written only for what changed
MANIFEST = "manifest.json"
SEGMENTS_MOST = 12  # more segments than this, and a build writes them all into one
SEGMENTS_GONE = 0.3  # the same when this share of the rows in the segments belongs to documents gone since
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
    terms: TermIndex | None = None  # where this document's term counts are: rows `term_rows` of these
    term_rows: np.ndarray | None = None
    segment: str | None = None  # the segment file that holds it; None: not written yet


@dataclass(frozen=True, slots=True)
class _Derived:
    """What queries need from one document, worked out from it alone (so once per document, not per build)."""

    path: str
    card_tokens: list[str]
    definitions: dict[str, str]
    folded_card: str
    names: set[str]
    name_grams: frozenset[str]
    places: set[str]


def _derive(document: Document) -> _Derived:
    known = names(document.title, document.path)
    grams = frozenset(name[at : at + NAME_GRAM] for name in known for at in range(len(name) - NAME_GRAM + 1))
    card = document.card()
    stem = document.path.rsplit("/", 1)[-1]
    return _Derived(document.path, lexical.tokenize(card, "words"), lexical.definitions(document.text), fold(card),
                    known, grams, places(document.title, document.issuer, stem))


@dataclass(slots=True)
class Index:
    """A loaded index, ready to search. Everything a query needs is computed when the index is built or loaded."""

    manifest: Manifest
    documents: dict[str, Document]
    structures: dict[str, Structure]
    chunks: list[Chunk]
    vectors: np.ndarray
    terms: TermIndex | None  # BM25 term counts, a row per chunk; None without chunks
    lexical_tokens: str
    dense: VectorSearch | None = None  # None: a store searches the vectors
    directory: Path | None = None  # the index folder this index was loaded from or written to
    _common_idf: float | None = None

    # ---- search: the raw scores that retrieve.py fuses ---------------------------------------------------------
    document_ids: tuple[str, ...] = ()  # documents in card order
    chunk_documents: np.ndarray | None = None  # row of each chunk's document in `document_ids`
    header_chunks: np.ndarray | None = None  # 1.0 for each document's first chunk (title, 文号, 主送), else 0.0
    cards: TermIndex | None = None  # BM25 over each document's card (title, subtitle, 文号, issuer, year, file name)
    definitions: dict[str, str] | None = None  # short names documents define (以下简称) -> their long form
    card_rows: dict[str, np.ndarray] | None = None  # the documents (rows in `document_ids`) whose card holds a word
    document_names: dict[str, set[str]] | None = None  # the names a question may call each document by
    path_ids: dict[str, str] | None = None  # document path -> id
    name_grams: dict[str, set[str]] | None = None  # every 8 characters of a document's names -> the documents
    places: dict[str, set[str]] | None = None  # a region documents' names open with (四川, 杭州) -> those documents
    task_rows: dict | None = None  # each document's 任务分解 rows, made when a question first needs them
    store: object = None  # a MilvusStore that searches the passages; None: searched here (store.py)
    chunk_rows: dict[str, int] | None = None  # passage id -> row, to read a store's answers
    derived: dict[str, _Derived] | None = None  # what `prepare` worked out from each document alone

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

    def places_in(self, text: str) -> dict[str, set[str]]:
        """The regions some documents' names open with that a (folded) text names, each with those documents; read
        from the left, a name at a time (山西安徽 names 山西 and 安徽, not 西安)."""
        found: dict[str, set[str]] = {}
        known = self.places or {}
        at = 0
        while at < len(text):
            place = next((text[at : at + n] for n in (3, 2) if text[at : at + n] in known), None)
            if place is None:
                at += 1
                continue
            found[place] = known[place]
            at += len(place)
        return found

    def names_few_documents(self, term: str) -> bool:
        """Whether a word names a few documents (a place, an issuer, a topic of a title: 天津, 公积金): it is in the
        cards of some documents but few, and most passages that use it belong to those documents (unlike 一次,
        found in a few titles but used everywhere; 处理, in the titles of two long 清单 that use it on every page)."""
        count = len((self.card_rows or {}).get(term, ()))
        if not 0 < count <= max(1, weights.FEW_CARDS * len(self.document_ids)):
            return False
        column = self.terms.columns.get(term) if self.terms is not None else None
        if column is None:
            return True
        rows = self.terms.holders(column)
        if not len(rows):
            return True
        theirs = np.isin(self.chunk_documents, self.card_rows[term])
        share = float(theirs[rows].mean())
        return share >= weights.NAME_LIKE and share >= weights.NAME_LIFT * float(theirs.mean())

    def prepare(self, previous: Index | None = None) -> Index:
        """Work out what queries need besides the stored parts: the card index, chunk-to-document rows and the
        documents' own abbreviations. Called once when an index is built or loaded; what depends on one document
        only is taken from `previous` for the documents it holds under the same name."""
        known = previous.derived if previous is not None and previous.derived else {}
        self.derived = {}
        for doc_id, document in self.documents.items():
            found = known.get(doc_id)
            self.derived[doc_id] = found if found is not None and found.path == document.path else _derive(document)
        self.document_ids = tuple(self.documents)
        row_of = {doc_id: row for row, doc_id in enumerate(self.document_ids)}
        self.chunk_documents = np.fromiter((row_of[c.doc_id] for c in self.chunks), dtype=np.int32, count=len(self.chunks))
        self.header_chunks = np.fromiter((c.ordinal == 0 for c in self.chunks), dtype=np.float32, count=len(self.chunks))
        self.card_rows = {}
        if self.documents:
            card_tokens = [self.derived[d].card_tokens for d in self.document_ids]
            self.cards = TermIndex.of(card_tokens)
            rows_with: dict[str, list[int]] = {}
            for row, tokens in enumerate(card_tokens):
                for token in set(tokens):
                    rows_with.setdefault(token, []).append(row)
            self.card_rows = {token: np.asarray(rows, dtype=np.int32) for token, rows in rows_with.items()}
        self.definitions = {}
        for doc_id in self.documents:
            self.definitions.update(self.derived[doc_id].definitions)
        self.document_names = {doc_id: derived.names for doc_id, derived in self.derived.items()}
        self.name_grams = {}
        for doc_id, derived in self.derived.items():
            for gram in derived.name_grams:
                self.name_grams.setdefault(gram, set()).add(doc_id)
        self.places = {}
        for doc_id, derived in self.derived.items():
            for place in derived.places:
                self.places.setdefault(place, set()).add(doc_id)
        self.path_ids = {d.path: doc_id for doc_id, d in self.documents.items()}
        self.chunk_rows = {chunk.id: row for row, chunk in enumerate(self.chunks)}
        return self

    def folded_card(self, doc_id: str) -> str:
        """A document's card, folded for matching (worked out once)."""
        return self.derived[doc_id].folded_card

    def lexical_scores(self, tokens: list[str], own_title_weight: float = 1.0,
                       within: Collection[str] | None = None) -> np.ndarray:
        """BM25 score of every chunk for the query's tokens; with `own_title_weight` < 1, a word counts that much
        less in the passages of a document whose own title (card) holds it: there it names the document, not the
        passage."""
        if self.terms is None:
            return np.zeros(len(self.chunks), dtype=np.float32)
        tokens = [t for t in dict.fromkeys(tokens) if t in self.terms.columns]
        if self.store is not None:  # `within`: the documents a question is routed to, so theirs are all scored
            return self._store_lexical(tokens, own_title_weight, within)
        total = self.terms.scores(self.terms.ids(tokens))
        if own_title_weight == 1.0 or not tokens:
            return total
        for token in tokens:  # only the few words that are in some document's card are scored apart
            rows = (self.card_rows or {}).get(token.removeprefix("▁"))
            if rows is None:
                continue
            in_card = np.zeros(len(self.document_ids), dtype=bool)
            in_card[rows] = True
            own = in_card[self.chunk_documents]
            scores = self.terms.scores([self.terms.columns[token]])
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
        if self.cards is None:
            return np.zeros(len(self.document_ids), dtype=np.float32)
        return self.cards.scores(self.cards.ids(tokens))

    def dense_search(self, query_vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k chunk rows and cosine scores for a unit query vector."""
        if self.store is not None:
            pairs = [(self.chunk_rows[i], score) for i, score in self.store.dense(query_vector, 2 * k + 16)
                     if i in self.chunk_rows][:k]
            return (np.asarray([row for row, _ in pairs], dtype=np.int64),
                    np.asarray([score for _, score in pairs], dtype=np.float32))
        return self.dense.search(query_vector, k)

    # ---- term weights used by the answerer --------------------------------------------------------------
    def common_weight(self) -> float:
        """The inverse document frequency of a common word: the 10th percentile over the words the passages hold."""
        if self._common_idf is None:
            held = self.terms.idf[np.diff(self.terms.matrix.indptr) > 0] if self.terms is not None else ()
            self._common_idf = float(np.percentile(held, 10)) if len(held) else 1.0
        return self._common_idf

    def knows(self, token: str) -> bool:
        """Whether some passage holds the word."""
        column = self.terms.columns.get(token) if self.terms is not None else None
        return column is not None and len(self.terms.holders(column)) > 0

    def term_weight(self, token: str) -> float:
        """Inverse document frequency of a word among chunks (unknown words weigh as the rarest)."""
        if self.terms is None:
            return math.log(1.0 + (len(self.chunks) + 0.5) / 0.5)
        return self.terms.weight(token)

    # ---- persistence --------------------------------------------------------------------------------------
    @classmethod
    def load(cls, directory: Path, settings: Settings, embedder_name: str | None = None, *,
             for_rebuild: bool = False, store=None, previous: Index | None = None) -> Index:
        """Load an index, refusing one built with another embedder or chunker; `for_rebuild` accepts one whose BM25
        tokens were made another way (a rebuild makes them again and reuses the vectors). With `previous` (an index
        of the same folder in memory), only the segments it does not hold are read from disk."""
        manifest_path = Path(directory) / MANIFEST
        if not manifest_path.exists():
            raise IndexNotUsable(f"no index in {directory}: build one with `wenyuan index` (documents in data/)")
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
        if data.get("format") not in (2, FORMAT_VERSION):
            raise IndexNotUsable(f"the index in {directory} has format {data.get('format')}, expected {FORMAT_VERSION}; "
                                 f"rebuild it: delete {directory} and run `wenyuan index`")
        manifest = Manifest.read(data)
        if for_rebuild and manifest.format == 2:  # one generation folder: its vectors serve the rebuild
            manifest = replace(manifest, format=FORMAT_VERSION, faiss=Dense("flat"))
        _check_compatible(manifest, settings, embedder_name or settings.embedder, directory, lexical_too=not for_rebuild)
        index = _read_segments(Path(directory), manifest, store is None, previous)
        if store is not None:
            _attach_store(index, store, previous)
        return index


def _check_compatible(manifest: Manifest, settings: Settings, embedder_name: str, directory: Path,
                      lexical_too: bool = True) -> None:
    rebuild = f"rebuild it: delete {directory} and run `wenyuan index`"
    if manifest.format == 2:
        raise IndexNotUsable(f"the index in {directory} is of an older format (2): run `wenyuan index` to bring it up "
                             "to date (the passages' vectors are kept, nothing is embedded again)")
    built_with = manifest.embedder.name
    if built_with != embedder_name:
        raise IndexNotUsable(
            f"the index in {directory} was built with embedder '{built_with}' but the settings ask for "
            f"'{embedder_name}'; {rebuild}, or set WENYUAN_EMBEDDER={built_with}"
        )
    wanted = _chunking(settings)
    if manifest.chunker != wanted:
        raise IndexNotUsable(f"the index in {directory} was built with chunker {asdict(manifest.chunker)}, the settings "
                             f"ask for {asdict(wanted)}; {rebuild}")
    if not lexical_too:
        return
    if manifest.lexical.vocabulary != lexical.vocabulary():
        raise IndexNotUsable(f"the index in {directory} was tokenised with another word list (lexicon); {rebuild}")
    if manifest.lexical.tokens != settings.lexical_tokens:
        raise IndexNotUsable(
            f"the index in {directory} counts BM25 '{manifest.lexical.tokens}' but the settings ask for "
            f"'{settings.lexical_tokens}'; {rebuild}"
        )


def _read_segments(directory: Path, manifest: Manifest, searched_here: bool = True, previous: Index | None = None) -> Index:
    """The index a manifest describes: the documents it names, each from its segment, in path order; those that
    `previous` holds from the same segment are taken from it."""
    held: dict[str, _DocEntry] = {}
    if (previous is not None and previous.directory is not None
            and previous.directory.resolve() == Path(directory).resolve()
            and _same_making(previous.manifest, manifest)):
        held = _previous_entries(previous)
    entries: list[_DocEntry] = []
    by_segment: dict[str, dict[str, DocumentRecord]] = {}
    for record in manifest.documents:
        entry = held.get(record.sha256)
        if entry is not None and entry.segment == record.segment:
            entries.append(_relocated(entry, record.path))
        else:
            by_segment.setdefault(record.segment, {})[record.id] = record
    entries += [entry for name, records in by_segment.items() for entry in _read_segment(directory / name, records)]
    entries.sort(key=lambda entry: entry.document.path)
    index = _combine(entries, manifest, manifest.lexical.tokens, manifest.embedder.dimension,
                     previous if held else None)
    index.directory = Path(directory)
    if searched_here:
        graph_name = manifest.faiss.graph
        known = previous.dense.graph if held and previous.dense is not None else None
        graph = known if known is not None and known.name == graph_name else (
            Graph.load(directory, graph_name) if graph_name else None)
        index.dense = VectorSearch(index.vectors, graph, index.chunk_rows)
    return index


def _same_making(one: Manifest, other: Manifest) -> bool:
    """Whether two manifests' passages were made alike (embedder, chunker, tokens), so one's can stand in the other."""
    return (one.format, one.embedder, one.chunker, one.lexical) == (other.format, other.embedder, other.chunker,
                                                                    other.lexical)


def _read_segment(folder: Path, records: dict[str, DocumentRecord]) -> list[_DocEntry]:
    """The documents of one segment that `records` (manifest entries by id) name, under the manifest's paths."""
    documents: dict[str, Document] = {}
    structures: dict[str, Structure] = {}
    with (folder / "documents.jsonl").open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            if record["id"] not in records:
                continue  # changed or removed since this segment was written
            headings = tuple(Heading(*h) for h in record.pop("headings"))
            outline = tuple(record.pop("outline_span")) if record.get("outline_span") else None
            record.pop("outline_span", None)
            record["path"] = records[record["id"]].path  # a file renamed since keeps its segment
            record["page_starts"] = tuple(record["page_starts"])
            record["ocr_pages"] = tuple(record.get("ocr_pages", ()))
            record["warnings"] = tuple(record.get("warnings", ()))
            record["styled_headings"] = tuple(tuple(x) for x in record["styled_headings"])
            record["tables"] = tuple(tuple(x) for x in record.get("tables", ()))
            document = Document(**record)
            documents[document.id] = document
            structures[document.id] = Structure.of(document.title, headings, outline)
    rows_of: dict[str, list[int]] = {}
    chunks_of: dict[str, list[Chunk]] = {}
    with (folder / "chunks.jsonl").open(encoding="utf-8") as stream:
        for row, line in enumerate(stream):
            record = json.loads(line)
            document = documents.get(record["doc_id"])
            if document is None:
                continue
            rows_of.setdefault(document.id, []).append(row)
            chunks_of.setdefault(document.id, []).append(
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
    vectors = np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False)
    terms = TermIndex.load(folder) if (folder / "terms.npz").exists() else None  # format 2: counted again
    entries = []
    for doc_id, document in documents.items():
        rows = np.asarray(rows_of.get(doc_id, []), dtype=np.int64)
        record = records[doc_id]
        entries.append(_DocEntry(document, structures[doc_id], chunks_of.get(doc_id, []),
                                 vectors[rows[0] : rows[-1] + 1] if len(rows) else vectors[:0],
                                 record.sha256, record.size, record.indexed_at, terms,
                                 rows if terms is not None else None, folder.name))
    return entries


def _attach_store(index: Index, store, previous: Index | None = None) -> None:
    """Connects the index to a store (store.PassageStore) and inserts the passages it lacks. It deletes nothing: a
    build under way in another process may have inserted passages of documents the index does not hold yet (each
    index ignores passages it does not know; the next build removes what no index holds)."""
    index.store = store
    _fill_store(index, previous)


def _fill_store(index: Index, previous: Index | None = None) -> set[str]:
    """Inserts the passages of this index the store lacks (compared by passage id, so a document read again with
    other chunk sizes, or half inserted by a build that failed, is completed); returns the ids the store holds
    besides. A build on an index the same store was filled for compares with that index instead of listing every
    passage the store holds (at 100k passages, seconds in Milvus Lite), as long as the store holds as many passages
    as that index: else something was left behind (a build killed between insert and switch) or lost, and the whole
    listing settles it."""
    from wenyuan.store import fingerprint, passage_rows

    index.store.bind(fingerprint(index.manifest))
    if (previous is not None and previous.store is index.store and previous.chunk_rows is not None
            and fingerprint(previous.manifest) == fingerprint(index.manifest)
            and index.store.count() == len(previous.chunk_rows)):
        held = set(previous.chunk_rows)
    else:
        held = index.store.passage_ids()
    missing = set(index.chunk_rows) - held
    if missing:
        rows = passage_rows(index, missing)
        index.store.insert(rows)
        log.info("store: inserted %d passages", len(rows))
    return held - set(index.chunk_rows)


# ---- build ------------------------------------------------------------------------------------------------
def _previous_entries(index: Index | None) -> dict[str, _DocEntry]:
    if index is None:
        return {}
    rows_by_doc: dict[str, list[int]] = {}
    for row, chunk in enumerate(index.chunks):
        rows_by_doc.setdefault(chunk.doc_id, []).append(row)
    entries = {}
    for record in index.manifest.documents:
        document = index.documents[record.id]
        rows = rows_by_doc.get(document.id, [])
        if rows and rows[-1] - rows[0] + 1 == len(rows):  # a document's chunks are contiguous: a view, no copy
            vectors = index.vectors[rows[0] : rows[-1] + 1]
        else:
            vectors = index.vectors[rows] if rows else np.zeros((0, index.vectors.shape[1]), dtype=np.float32)
        entries[record.sha256] = _DocEntry(
            document,
            index.structures[document.id],
            [index.chunks[row] for row in rows],
            vectors,
            record.sha256,
            record.size,
            record.indexed_at,
            index.terms,
            np.asarray(rows, dtype=np.int64),
            record.segment,
        )
    return entries


def _nothing_changed(previous: Index, entries: list[_DocEntry], skipped: list, directory: Path,
                     settings: Settings) -> bool:
    """Whether `previous` is already the index this build would write (same files, same names, same failures,
    same settings, and still the one in force in `directory`): then nothing is written at all."""
    if previous.directory is None or previous.directory.resolve() != directory.resolve():
        return False
    current = _current_generation(directory)
    manifest = previous.manifest
    kind = "hnsw" if manifest.chunks > settings.hnsw_threshold else "flat"
    return (
        current == manifest.generation
        and manifest.lexical == _lexical_manifest(settings)
        and manifest.faiss.kind == kind
        and sorted((e.document.path, e.sha256) for e in entries)
        == sorted((d.path, d.sha256) for d in manifest.documents)
        and [(s.path, s.reason) for s in manifest.skipped] == [tuple(item) for item in skipped]
    )


def _lexical_manifest(settings: Settings) -> Lexical:
    """How BM25 tokens are made with these settings."""
    return Lexical(settings.lexical_tokens, "terms", "lucene", lexical.vocabulary())


def _chunking(settings: Settings) -> Chunking:
    return Chunking(CHUNKER_VERSION, settings.chunk_size, settings.chunk_overlap)


def _reusable_for(manifest: Manifest, settings: Settings, embedder: Embedder) -> bool:
    return manifest.embedder.name == embedder.name and manifest.chunker == _chunking(settings)


def _relocated(entry: _DocEntry, path: str) -> _DocEntry:
    """An unchanged document found under a new name: same text and vectors, new path."""
    if entry.document.path == path:
        return entry
    document = replace(entry.document, path=path)
    chunks = [replace(chunk, doc_path=path) for chunk in entry.chunks]
    return _DocEntry(document, entry.structure, chunks, entry.vectors, entry.sha256, entry.size, entry.indexed_at,
                     entry.terms, entry.term_rows, entry.segment)


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
        if previous is None or (previous.directory is None
                                or previous.manifest.generation != _current_generation(directory)):
            # another builder switched in a newer index meanwhile, or the caller's load met one switching: build on
            # the index in force now (its vectors are reused)
            try:
                previous = Index.load(directory, settings, embedder.name, for_rebuild=True, store=store,
                                      previous=previous)
            except (IndexNotUsable, OSError):
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
    if (previous is not None and not to_embed and _nothing_changed(previous, entries, skipped, directory, settings)
            and (store is None or store.count() == len(previous.chunks))):  # else the store is set right below
        report = BuildReport((), (), tuple(unchanged), (), tuple(skipped), len(previous.chunks), 0,
                             time.perf_counter() - began)
        return previous, report

    dimension = embedder_dimension(embedder)
    total = sum(len(texts) for _, texts in to_embed)
    embedded = 0
    if progress:
        progress("chunks", 0, total)
    # full batches across documents (a document of three passages makes no batch of its own), split back after
    texts = [text for _, document_texts in to_embed for text in document_texts]
    size = settings.embed_batch_size
    batches = [texts[offset : offset + size] for offset in range(0, len(texts), size)]
    workers = settings.embed_workers if len(batches) >= 2 * settings.embed_workers else 1
    parts = []
    for vectors in embed_batches(embedder, batches, workers):
        parts.append(vectors)
        embedded += len(vectors)
        if progress:
            progress("chunks", embedded, total)
    every = np.concatenate(parts) if parts else np.zeros((0, dimension), np.float32)
    at = 0
    for entry, document_texts in to_embed:
        entry.vectors = every[at : at + len(document_texts)]
        at += len(document_texts)

    entries.sort(key=lambda entry: entry.document.path)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") + f"-{os.getpid()}"
    segments = _segments_after(entries, previous, directory, settings, "seg-" + stamp)
    fresh = [entry for entry in entries if entry.segment == "seg-" + stamp]
    manifest = _manifest(entries, settings, embedder.name, dimension, skipped, store is None, segments, stamp)
    index = _combine(entries, manifest, settings.lexical_tokens, dimension, previous)
    if store is None:
        index.dense = _dense_for(index, settings, previous, "graph-" + stamp)
        index.manifest = manifest.with_graph(index.dense.graph.name if index.dense.graph is not None else None)
    stale: set[str] = set()
    if store is not None:  # the new documents' passages go in before the switch, the old out after it
        index.store = store
        stale = _fill_store(index, previous)
    _write(index, fresh, directory)
    if stale:
        index.store.delete(stale)
    report = BuildReport(
        tuple(added), tuple(changed), tuple(unchanged), tuple(removed), tuple(skipped),
        len(index.chunks), embedded, time.perf_counter() - began,
        tuple((entry.document.path, warning) for entry, _ in to_embed for warning in entry.document.warnings),
    )
    return index, report


def _segments_after(entries: list[_DocEntry], previous: Index | None, directory: Path, settings: Settings,
                    segment: str) -> dict[str, int]:
    """Which segments the new index reads, with their rows: those of the previous index that still hold documents,
    and `segment`, which the entries without one are written to. Everything goes into `segment` when the previous
    segments cannot be read from here, were counted another way, are many, or hold mostly documents gone since.
    Entries whose term counts cannot be reused lose them (they are counted again)."""
    held: dict[str, int] = {}
    if previous is None or previous.manifest.lexical != _lexical_manifest(settings):
        for entry in entries:
            entry.terms = entry.term_rows = None  # counted another way: tokenised again
    elif previous.directory is not None and previous.directory.resolve() == directory.resolve():
        held = {segment.name: segment.rows for segment in previous.manifest.segments}
    used = {entry.segment for entry in entries if entry.segment in held}
    live = sum(len(entry.chunks) for entry in entries if entry.segment in used)
    rows = sum(held[name] for name in used)
    compact = len(used) + 1 > SEGMENTS_MOST or (rows > 0 and (rows - live) / rows > SEGMENTS_GONE)
    for entry in entries:
        if compact or entry.segment not in used:
            entry.segment = segment
    kept = {name: held[name] for name in used if not compact}
    written = sum(len(entry.chunks) for entry in entries if entry.segment == segment)
    return kept | ({segment: written} if written else {})


def _manifest(entries: list[_DocEntry], settings: Settings, embedder_name: str, dimension: int, skipped,
              searched_here: bool, segments: dict[str, int], stamp: str) -> Manifest:
    chunks = sum(len(entry.chunks) for entry in entries)
    return Manifest(
        format=FORMAT_VERSION,
        generation="gen-" + stamp,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        embedder=Embedding(embedder_name, dimension),
        chunker=_chunking(settings),
        lexical=_lexical_manifest(settings),
        faiss=Dense("hnsw" if chunks > settings.hnsw_threshold else "flat"),
        store="embedded" if searched_here else "milvus",
        chunks=chunks,
        segments=tuple(Segment(name, rows) for name, rows in segments.items()),
        documents=tuple(
            DocumentRecord(
                id=entry.document.id,
                path=entry.document.path,
                title=entry.document.title,
                number=entry.document.number,
                size=entry.size,
                sha256=entry.sha256,
                chunks=len(entry.chunks),
                indexed_at=entry.indexed_at,
                reader=entry.document.reader,
                pages=entry.document.pages,
                characters=len(entry.document.text),
                ocr_pages=tuple(entry.document.ocr_pages),
                warnings=tuple(entry.document.warnings),
                segment=entry.segment,
            )
            for entry in entries
        ),
        skipped=tuple(Skipped(path, reason) for path, reason in skipped),
    )


def _combine(entries: list[_DocEntry], manifest: Manifest, lexical_tokens: str, dimension: int,
             previous: Index | None = None) -> Index:
    """One index of these documents (in this order): their chunks, vectors and term counts side by side. Term counts
    are taken from where the entries have them; documents without are tokenised here."""
    chunks = [chunk for entry in entries for chunk in entry.chunks]
    vectors = (
        np.ascontiguousarray(np.concatenate([entry.vectors for entry in entries]), dtype=np.float32)
        if entries
        else np.zeros((0, dimension), np.float32)
    )
    terms = None
    if chunks:
        fresh = [entry for entry in entries if entry.terms is None]
        if fresh:
            counted = TermIndex.of([lexical.tokenize(chunk.lexical_text(), lexical_tokens)
                                    for entry in fresh for chunk in entry.chunks])
            at = 0
            for entry in fresh:
                entry.terms, entry.term_rows = counted, np.arange(at, at + len(entry.chunks))
                at += len(entry.chunks)
        terms = TermIndex.gather([(entry.terms, entry.term_rows) for entry in entries])
    return Index(
        manifest,
        {entry.document.id: entry.document for entry in entries},
        {entry.document.id: entry.structure for entry in entries},
        chunks,
        vectors,
        terms,
        lexical_tokens,
    ).prepare(previous)


def _dense_for(index: Index, settings: Settings, previous: Index | None, graph_name: str) -> VectorSearch:
    """The vector search of a new index: exact up to `hnsw_threshold` chunks; above, the previous index's graph
    while it still serves most passages as they are, else a graph drawn anew."""
    if len(index.chunks) <= settings.hnsw_threshold:
        return VectorSearch(index.vectors)
    graph = previous.dense.graph if previous is not None and previous.dense is not None else None
    if graph is not None and graph.hnsw.d == index.vectors.shape[1]:
        search = VectorSearch(index.vectors, graph, index.chunk_rows)
        if search.outside <= GRAPH_STALE * len(index.chunks):
            return search
    graph = Graph.draw(graph_name, index.vectors, [chunk.id for chunk in index.chunks])
    return VectorSearch(index.vectors, graph, index.chunk_rows)


def _write(index: Index, fresh: list[_DocEntry], directory: Path) -> None:
    """Writes the new segment (the documents in `fresh`) and a new graph if one was drawn, then switches the
    manifest; then deletes what neither this manifest nor the one it replaced names."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if fresh:
        folder = directory / fresh[0].segment
        folder.mkdir()
        _write_segment(folder, index, fresh)
        written.append(folder)
    graph = index.dense.graph if index.dense is not None else None
    if graph is not None and not (directory / f"{graph.name}.faiss").exists():
        written += graph.save(directory)
    for path in written:  # on disk before the switch: a power cut leaves the old manifest or a whole new index
        if path.is_dir():
            _sync_tree(path)
        else:
            with path.open("rb") as stream:
                os.fsync(stream.fileno())
    replaced = _read_manifest(directory)
    temporary = directory / f"{MANIFEST}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
    with temporary.open("w", encoding="utf-8") as stream:
        stream.write(json.dumps(index.manifest.json(), ensure_ascii=False, indent=1))
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, directory / MANIFEST)  # the switch: readers see the old index or the new one, whole
    _sync_directory(directory)
    index.directory = directory
    keep = index.manifest.names() | _named_by(replaced)  # the replaced one may still be read by a running app
    for stale in directory.iterdir():
        name = stale.name.removesuffix(".faiss").removesuffix(".json")
        if name.startswith(("seg-", "gen-", "graph-")) and name not in keep:
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)
    for leftover in directory.glob(f"{MANIFEST}.*.tmp"):  # a killed build's, never this one's (it was renamed)
        leftover.unlink(missing_ok=True)


def _write_segment(folder: Path, index: Index, entries: list[_DocEntry]) -> None:
    rows = np.asarray([index.chunk_rows[chunk.id] for entry in entries for chunk in entry.chunks], dtype=np.int64)
    with (folder / "documents.jsonl").open("w", encoding="utf-8") as stream:
        for entry in entries:
            record = asdict(entry.document)
            record["headings"] = [list(asdict(h).values()) for h in entry.structure.headings]
            record["outline_span"] = list(entry.structure.outline_span) if entry.structure.outline_span else None
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (folder / "chunks.jsonl").open("w", encoding="utf-8") as stream:
        for entry in entries:
            for chunk in entry.chunks:  # the text is the document's, from `start` to `end`
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
                }
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    np.save(folder / "vectors.npy", index.vectors[rows], allow_pickle=False)
    index.terms.take(rows).save(folder)


def _read_manifest(directory: Path) -> dict:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _named_by(data: dict) -> set[str]:
    """The files and folders the manifest a folder held names (nothing when it held none, or one unreadable)."""
    try:
        return Manifest.read(data).names()
    except (KeyError, TypeError, ValueError):
        return set()


def _current_generation(directory: Path) -> str | None:
    return _read_manifest(directory).get("generation")


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
