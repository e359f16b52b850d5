"""What an index folder says about itself (manifest.json), as typed records: how its passages were made, which
segments hold them, and each document's file, reading and segment.

`Manifest.read` takes the JSON of this format and of the format before segments (2: one generation folder), so that
an index of that format can be brought up to date; `Manifest.json` writes it back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Embedding:
    name: str
    dimension: int


@dataclass(frozen=True, slots=True)
class Chunking:
    version: int
    size: int
    overlap: int


@dataclass(frozen=True, slots=True)
class Lexical:
    """How BM25 tokens were made: stored term counts are reused only when all of this is the same."""

    tokens: str
    engine: str
    method: str
    vocabulary: str


@dataclass(frozen=True, slots=True)
class Dense:
    kind: str  # "flat" (exact) or "hnsw"
    metric: str = "inner_product"
    graph: str | None = None  # the HNSW graph's files, graph-<time>-<pid>.faiss / .json


@dataclass(frozen=True, slots=True)
class Segment:
    name: str
    rows: int  # passages the segment's files hold, documents gone since included


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """One indexed file: what the documents page lists and a build compares."""

    id: str
    path: str
    title: str
    sha256: str
    size: int
    chunks: int
    indexed_at: str
    segment: str
    number: str = ""
    reader: str = ""
    pages: int = 0
    characters: int = 0
    ocr_pages: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file the build could not index, and why (said to the administrator)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Manifest:
    format: int
    generation: str  # this manifest's name; a build whose `previous` is not the one in force loads that one
    created: str
    embedder: Embedding
    chunker: Chunking
    lexical: Lexical
    faiss: Dense
    store: str
    chunks: int
    segments: tuple[Segment, ...] = ()
    documents: tuple[DocumentRecord, ...] = ()
    skipped: tuple[Skipped, ...] = field(default=())

    @classmethod
    def read(cls, data: dict) -> Manifest:
        """From manifest.json's contents; a format-2 manifest names its generation folder as every document's
        segment."""
        segment_of_old = data["generation"] if data.get("format") == 2 else None
        return cls(
            format=data["format"],
            generation=data["generation"],
            created=data.get("created", ""),
            embedder=Embedding(**data["embedder"]),
            chunker=Chunking(**data["chunker"]),
            lexical=Lexical(**data["lexical"]),
            faiss=Dense(data["faiss"]["kind"], data["faiss"].get("metric", "inner_product"), data["faiss"].get("graph")),
            store=data.get("store", "embedded"),
            chunks=data["chunks"],
            segments=tuple(Segment(**item) for item in data.get("segments", ())),
            documents=tuple(
                DocumentRecord(**{**record, "segment": record.get("segment") or segment_of_old,
                                  "ocr_pages": tuple(record.get("ocr_pages", ())),
                                  "warnings": tuple(record.get("warnings", ()))})
                for record in data["documents"]),
            skipped=tuple(Skipped(**item) for item in data.get("skipped", ())),
        )

    def json(self) -> dict:
        return asdict(self)

    def with_graph(self, graph: str | None) -> Manifest:
        return replace(self, faiss=replace(self.faiss, graph=graph))

    def names(self) -> set[str]:
        """The files and folders this manifest reads (a format-2 generation folder too)."""
        named = {segment.name for segment in self.segments} | {self.generation}
        return named | ({self.faiss.graph} if self.faiss.graph else set())
