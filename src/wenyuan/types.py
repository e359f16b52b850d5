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
    level: float  # 1 第X章 … 8 一是; a list of 1. items under a 1. label sits halfway between (chunking._arabic_level)
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
    tables: tuple[tuple[int, int], ...] = ()  # (start, end) of each table the format declared; its first row heads it
    subtitle: str = ""  # ——2013年3月5日在第十二届全国人民代表大会第一次会议上
    issuer: str = ""  # 发文机关 (red header or 落款)
    date: str = ""  # ISO date of the 落款 or subtitle (yyyy-mm-dd or yyyy-mm)
    year: int | None = None
    kind: str = ""  # 通知, 意见, 报告, 讲话 … (the word that ends the title)
    reader: str = ""  # how the file was read: text, html, docx, pdf, ofd, LibreOffice, antiword, pdf+OCR（rapidocr）…
    pages: int = 0  # pages of a PDF or OFD file
    ocr_pages: tuple[int, ...] = ()  # pages whose text came from OCR: citations of them say so
    warnings: tuple[str, ...] = ()  # what the reader noticed: garbled or scanned pages, a misnamed file …

    @property
    def display_title(self) -> str:
        """The title as answers name it: with its year when the title alone does not say which one (a report, a
        speech or a resolution without a 文号)."""
        if self.year and str(self.year) not in self.title and not self.number and self.kind in ("报告", "讲话", "决议", ""):
            return f"{self.title}（{self.year}年）"
        return self.title

    def card(self) -> str:
        """What names this document: title, subtitle, 文号, issuer, year, kind and file name, searched as one field."""
        stem = self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        parts = [self.title, self.subtitle, self.number, self.issuer, f"{self.year}年" if self.year else "", self.kind]
        if stem not in self.title:
            parts.append(stem)
        return " ".join(part for part in parts if part)

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
    table_header: str = ""  # the header row of the table this chunk continues ("家庭人口 | 面积标准"), when not in it

    def embedding_text(self) -> str:
        """What is embedded for this chunk: title and heading path in front of the passage itself (and the table's
        header row, so a question about one row finds it by the columns' names)."""
        return HEADING_SEPARATOR.join(self.heading_path) + "\n" + self._header() + self.text

    def _header(self) -> str:
        return self.table_header + "\n" if self.table_header else ""

    def lexical_text(self) -> str:
        """What BM25 counts for this chunk: its headings and the passage without the lines of the document's title;
        the title and the other names of the document are a field of their own (`Document.card`), searched once per
        document, so the header passage does not win every question that names its document."""
        title = self.title.replace(" ", "")
        lines = [line for line in self.text.split("\n") if len(line.strip()) < 4 or line.strip() not in title]
        return HEADING_SEPARATOR.join(self.heading_path[1:]) + "\n" + self._header() + "\n".join(lines)


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
    number: str = ""  # the document's 文号
    date: str = ""  # the document's date (ISO), from its 落款 or subtitle
    ocr: bool = False  # the quoted page was read by OCR: the words may differ from the original

    def page_label(self) -> str:
        """第3页 (and that its text came from OCR), or nothing for formats without pages."""
        if not self.page:
            return ""
        return f"第{self.page}页" + ("（OCR 识别，请核对原件）" if self.ocr else "")

    def to_json(self) -> dict:
        """The citation in the command-line JSON contract."""
        payload = {
            "n": self.n,
            "doc": self.doc,
            "title": self.title,
            "heading_path": list(self.heading_path),
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "score": round(self.score, 6),
        }
        if self.number:
            payload["number"] = self.number
        if self.date:
            payload["date"] = self.date
        if self.page:
            payload["page"] = self.page
        if self.ocr:
            payload["ocr"] = True
        return payload

    def source_line(self) -> str:
        """《title》（文号，date）: how a report names this source."""
        about = "，".join(part for part in (self.number, self.date) if part)
        return f"《{self.title}》" + (f"（{about}）" if about else "")


@dataclass(frozen=True, slots=True)
class AnswerItem:
    """One item of a list answer, kept as data so that a follow-up ("第二项…") can go back to it."""

    doc: str  # path of its document, as in citations
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence an LLM wrote, and what the check made of it: verified by the passages it cites, re-cited to
    another passage that holds it, or unverified (dropped, or shown marked 未核实)."""

    text: str
    status: str


@dataclass(frozen=True, slots=True)
class Scope:
    """The documents a person asks within: chosen files (paths as in citations' doc) and filters on the documents'
    metadata (type, year, issuing body); a document must pass every one that is set."""

    documents: tuple[str, ...] = ()
    kind: str = ""  # 通知, 意见, 办法 … as Document.kind
    year: int | None = None
    issuer: str = ""  # a part of the issuing body's name: 国务院办公厅, 市教育局

    def __bool__(self) -> bool:
        return bool(self.documents or self.kind or self.year or self.issuer)

    @classmethod
    def chosen(cls, documents=None, kind=None, year=None, issuer=None) -> Scope | None:
        """The scope a person chose, from a form's, a request's or the command line's values (empty ones mean no
        choice); None when nothing was chosen. Raises ValueError for a year that is not a number."""
        scope = cls(tuple(documents or ()), str(kind or ""), int(year) if year else None, str(issuer or ""))
        return scope or None

    def admits(self, document: Document) -> bool:
        return ((not self.documents or document.path in self.documents)
                and (not self.kind or document.kind == self.kind or document.title.endswith(self.kind))
                and (self.year is None or document.year == self.year)
                and (not self.issuer or self.issuer in document.issuer))

    def label(self, titles: dict[str, str] | None = None) -> str:
        """The scope as the answer shows it: 范围：《…》、《…》；类型：通知；2019年；发文机关：国务院办公厅."""
        parts = []
        if self.documents:
            names = [f"《{(titles or {}).get(path) or path}》" for path in self.documents[:3]]
            parts.append("、".join(names) + (f"等 {len(self.documents)} 份文件" if len(self.documents) > 3 else ""))
        if self.kind:
            parts.append(f"类型：{self.kind}")
        if self.year:
            parts.append(f"{self.year}年")
        if self.issuer:
            parts.append(f"发文机关：{self.issuer}")
        return "范围：" + "；".join(parts) if parts else ""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A document a question could mean, offered when the question does not say which one."""

    doc: str
    title: str
    quote: str  # its best passage's opening words


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer whose every sentence ends with a [n] marker pointing into `citations`."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    refused: bool
    mode: str  # "list", "number", "fact", "refused", "ask_back" (extractive) or "llm"
    related: tuple[Hit, ...] = field(default=())
    items: tuple[AnswerItem, ...] = ()  # the listed items, for follow-ups
    candidates: tuple[Candidate, ...] = ()  # for "ask_back": the documents the question could mean
    searched: str = ""  # the question as retrieval saw it, when a follow-up was resolved
    scope: str = ""  # the documents it was asked within, as shown (Scope.label), when the person chose some
    log_id: str = ""  # its id in the web app's question log, by which a person rates it
    sentences: tuple[Sentence, ...] = ()  # an LLM answer's sentences as checked (verify.py)

    def to_json(self, id_: object = None) -> dict:
        """The answer in the command-line JSON contract."""
        payload = {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [citation.to_json() for citation in self.citations],
            "mode": self.mode,
        }
        if self.items:
            payload["items"] = [{"doc": i.doc, "start": i.start, "end": i.end, "text": i.text} for i in self.items]
        if self.candidates:
            payload["candidates"] = [{"doc": c.doc, "title": c.title, "quote": c.quote} for c in self.candidates]
        if self.scope:
            payload["scope"] = self.scope
        if self.searched:
            payload["searched"] = self.searched
        if self.sentences:
            payload["sentences"] = [{"text": s.text, "status": s.status} for s in self.sentences]
        if id_ is not None:
            payload = {"id": id_, **payload}
        return payload

    @classmethod
    def from_json(cls, payload: dict) -> Answer:
        """The answer back from `to_json` (a conversation kept in the browser): citations, items and candidates
        as data again, for follow-ups and for opening the cited passages."""
        citations = tuple(
            Citation(int(c["n"]), str(c["doc"]), str(c["title"]), tuple(c.get("heading_path", ())), int(c["start"]),
                     int(c["end"]), str(c["quote"]), float(c.get("score", 0.0)), page=c.get("page"),
                     number=c.get("number") or "", date=c.get("date") or "", ocr=bool(c.get("ocr")))
            for c in payload.get("citations", ()))
        items = tuple(AnswerItem(str(i["doc"]), int(i["start"]), int(i["end"]), str(i["text"]))
                      for i in payload.get("items", ()))
        candidates = tuple(Candidate(str(c["doc"]), str(c["title"]), str(c["quote"]))
                           for c in payload.get("candidates", ()))
        sentences = tuple(Sentence(str(s["text"]), str(s["status"])) for s in payload.get("sentences", ()))
        return cls(str(payload["question"]), str(payload["answer"]), citations, bool(payload["refused"]),
                   str(payload["mode"]), items=items, candidates=candidates, scope=str(payload.get("scope") or ""),
                   log_id=str(payload.get("id") or ""), sentences=sentences, searched=str(payload.get("searched") or ""))
