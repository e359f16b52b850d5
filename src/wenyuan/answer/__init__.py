"""Answers from retrieved passages: the protocols, and the extractive answerer that needs no LLM.

The way a question travels: query.py analyses it, retrieve.py routes it to documents and finds passages, then
`extractive` composes the answer for its shape (list, figure, fact) and `gate` decides whether the passages hold
what was asked at all.
"""

from wenyuan.answer.extractive import Answerer, ExtractiveAnswerer, StreamingAnswerer, refusal

__all__ = ["Answerer", "ExtractiveAnswerer", "StreamingAnswerer", "refusal"]
