"""The data that flows through Wenyuan: documents, chunks, hits, citations, answers.

Frozen dataclasses with no I/O. Offsets always refer to `Document.text`, the cleaned text that chunks and
citations quote from, so `document.text[chunk.start:chunk.end] == chunk.text` holds everywhere.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

HEADING_SEPARATOR = " › "


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading found in a document: where it starts and ends, its depth and its own words."""

    start: int
    end: int
    level: int
    text: str
    outline: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    """A cleaned document: the one text that every offset, chunk and citation refers to."""

    id: str  # sha256 of the source file's bytes
    path: str  # path relative to the indexed root, with "/" separators
    title: str
    text: str
    number: str = ""  # document number such as 国发〔2019〕4号, when there is one
    page_starts: tuple[int, ...] = ()  # offset in `text` where each PDF page starts; empty for other formats
    styled_headings: tuple[tuple[int, int], ...] = ()  # (offset, level) of headings the format declared (docx styles)

    def page_at(self, offset: int) -> int | None:
        """The 1-based PDF page holding `offset`, or None for formats without pages."""
        if not self.page_starts:
            return None
        return max(bisect_right(self.page_starts, offset), 1)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of a document, with where it came from recorded while splitting."""

    id: str
    doc_id: str
    doc_path: str
    title: str
    ordinal: int
    start: int
    end: int
    text: str
    heading_path: tuple[str, ...]  # (title, 一、…, （一）…)
    page: int | None = None
    outline: bool = False

    def embedding_text(self) -> str:
        """What is indexed for this chunk: title and heading path in front of the passage itself."""
        return HEADING_SEPARATOR.join(self.heading_path) + "\n" + self.text


@dataclass(frozen=True, slots=True)
class Hit:
    """A chunk returned by a search, with its fused score and the scores of both paths."""

    chunk: Chunk
    score: float
    rank: int
    lexical: float = 0.0
    dense: float = 0.0


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered source of an answer: the quoted words, where they stand, and the passage around them."""

    n: int
    doc: str
    title: str
    heading_path: tuple[str, ...]
    start: int
    end: int
    quote: str
    score: float
    passage_start: int = 0
    passage_end: int = 0
    passage: str = ""
    page: int | None = None

    def to_json(self) -> dict:
        """The citation in the command-line JSON contract."""
        return {
            "n": self.n,
            "doc": self.doc,
            "title": self.title,
            "heading_path": list(self.heading_path),
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer whose every sentence ends with a [n] marker pointing into `citations`."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    refused: bool
    mode: str  # "list", "number", "fact", "refused" (extractive) or "llm"
    related: tuple[Hit, ...] = field(default=())

    def to_json(self, id_: object = None) -> dict:
        """The answer in the command-line JSON contract."""
        payload = {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [citation.to_json() for citation in self.citations],
            "mode": self.mode,
        }
        if id_ is not None:
            payload = {"id": id_, **payload}
        return payload
