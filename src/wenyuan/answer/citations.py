"""Numbered citations: the quoted words, where they stand, the passage around them and the heading path."""

from __future__ import annotations

from wenyuan.index import Index
from wenyuan.types import Citation, Document


class Citations:
    """Numbers quotes in the order they are first cited; the same words cited twice share a number."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self.items: list[Citation] = []
        self._numbers: dict[tuple[str, int, int], int] = {}

    def cite(self, doc_id: str, start: int, end: int, score: float, passage: tuple[int, int]) -> int:
        key = (doc_id, start, end)
        if key in self._numbers:
            return self._numbers[key]
        document = self._index.documents[doc_id]
        structure = self._index.structures[doc_id]
        n = len(self.items) + 1
        self._numbers[key] = n
        self.items.append(
            Citation(
                n=n,
                doc=document.path,
                title=document.title,
                heading_path=structure.path_at(start),
                start=start,
                end=end,
                quote=document.text[start:end],
                score=score,
                passage_start=passage[0],
                passage_end=passage[1],
                passage=document.text[passage[0] : passage[1]],
                page=document.page_at(start),
                number=document.number,
                date=document.date,
                ocr=document.page_at(start) in document.ocr_pages,
            )
        )
        return n


def document_name(document: Document) -> str:
    """How an answer names its document: 《title》."""
    return f"《{document.display_title}》"
