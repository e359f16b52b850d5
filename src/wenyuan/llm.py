"""Answers written by an OpenAI-compatible LLM (vLLM, Ollama, Xinference) from the retrieved passages only.

The LLM sees numbered passages and must end every sentence with [n]. What comes back is checked: sentences citing
no given passage are dropped, markers are renumbered into real citations, and any failure (no endpoint, a timeout,
an answer without valid citations) falls back to the extractive answer. Refusal is decided before the LLM is asked,
by the same coverage rule, so the LLM is never asked to answer what the documents do not hold.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import replace

from wenyuan.answer import ExtractiveAnswerer
from wenyuan.index import Index
from wenyuan.query import Query
from wenyuan.types import HEADING_SEPARATOR, Answer, Citation, Hit

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "你是机关单位的文件问答助手。只能根据用户提供的【资料】回答，不得使用资料以外的知识。"
    "回答要简洁准确，用中文；每一句话的末尾必须用方括号注明所依据资料的编号，例如[1]或[2][3]。"
    "如果资料中没有答案，只回答：文档中没有找到能回答这个问题的内容。"
)
UNAVAILABLE_NOTE = "（大模型服务暂时无法使用，以下为从原文摘录的回答。）"
_MARKERS = re.compile(r"\[(\d+)\]")
_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?(?:\s*\[\d+\])*")


class CircuitBreaker:
    """Skips an endpoint that keeps failing: after `failures` failures in a row, for `cooldown` seconds every
    question is answered extractively at once instead of holding a worker for a connect or read timeout each time.
    Shared by the answerers of successive index snapshots, so a rebuild does not forget an endpoint that is down."""

    def __init__(self, failures: int = 3, cooldown: float = 60.0) -> None:
        self._failures = failures
        self._cooldown = cooldown
        self._count = 0
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allows(self) -> bool:
        return time.monotonic() >= self._open_until

    def succeeded(self) -> None:
        with self._lock:
            self._count = 0

    def failed(self) -> None:
        with self._lock:
            self._count += 1
            if self._count >= self._failures:
                self._open_until = time.monotonic() + self._cooldown
                self._count = 0


class LlmAnswerer:
    """Asks an OpenAI-compatible chat endpoint, then keeps only what the passages back."""

    def __init__(
        self,
        index: Index,
        fallback: ExtractiveAnswerer,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 3.0,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self._index = index
        self._fallback = fallback
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = timeout
        self._connect_timeout = min(connect_timeout, timeout)
        self._breaker = breaker or CircuitBreaker()

    def answer(self, question: Query | str, hits: Sequence[Hit], history: Sequence[Answer] = ()) -> Answer:
        """The checked answer: the last thing `stream` yields."""
        final = None
        for final in self.stream(question, hits, history):
            pass
        return final

    def stream(self, question: Query | str, hits: Sequence[Hit], history: Sequence[Answer] = ()) -> Iterator[str | Answer]:
        """The model's reply as it grows (str: raw, markers not yet checked), then the checked Answer; the
        extractive answer instead when the question is refused, the endpoint fails or nothing in the reply is backed."""
        query = self._fallback.analyse(question)
        question = query.asked
        extractive = self._fallback.answer(query, hits, history)
        if extractive.refused or extractive.mode == "ask_back" or not hits:
            yield extractive
            return
        if not self._breaker.allows():
            yield replace(extractive, text=UNAVAILABLE_NOTE + extractive.text)
            return
        reply = ""
        try:
            # closing(): a reader who stops listening (a closed browser tab) ends the request to the LLM at once
            with closing(self._complete(question, hits, history)) as pieces:
                for piece in pieces:
                    reply += piece
                    yield reply
        except Exception as error:  # the LLM is optional: any failure answers extractively
            log.warning("LLM endpoint failed (%s); answering extractively", type(error).__name__)
            self._breaker.failed()
            yield replace(extractive, text=UNAVAILABLE_NOTE + extractive.text)
            return
        self._breaker.succeeded()
        checked = self._checked(question, reply, hits)
        yield checked if checked is not None else extractive

    def _complete(self, question: str, hits: Sequence[Hit], history: Sequence[Answer]) -> Iterator[str]:
        """The reply in pieces, as the endpoint streams them (server-sent events); whole if it does not stream."""
        import httpx

        sources = "\n\n".join(
            f"[{i}] 《{hit.chunk.title}》 {HEADING_SEPARATOR.join(hit.chunk.heading_path[1:])}\n{hit.chunk.text}"
            for i, hit in enumerate(hits, 1)
        )
        messages = [{"role": "system", "content": SYSTEM_PROMPT}]
        for past in history[-3:]:
            messages += [{"role": "user", "content": past.question}, {"role": "assistant", "content": past.text}]
        messages.append({"role": "user", "content": f"【资料】\n{sources}\n\n【问题】{question}"})
        body = {"model": self._model, "messages": messages, "temperature": 0.1, "stream": True}
        deadline = time.monotonic() + self._timeout  # for the whole reply: httpx's timeout bounds each read only
        # a short connect timeout: an endpoint that is down is known in seconds, not after the whole reply's time
        limits = httpx.Timeout(self._timeout, connect=self._connect_timeout)
        with httpx.stream("POST", self._url, json=body, headers=self._headers, timeout=limits) as response:
            response.raise_for_status()
            if "text/event-stream" not in response.headers.get("content-type", ""):
                response.read()
                yield response.json()["choices"][0]["message"]["content"]
                return
            for line in response.iter_lines():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete reply within {self._timeout:g} s")
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                choices = json.loads(data).get("choices") or [{}]
                piece = (choices[0].get("delta") or {}).get("content")
                if piece:
                    yield piece

    def _checked(self, question: str, reply: str, hits: Sequence[Hit]) -> Answer | None:
        """The reply with every kept sentence citing a given passage, markers renumbered; None if nothing is left."""
        numbers: dict[int, int] = {}
        citations: list[Citation] = []
        kept: list[str] = []
        for match in _SENTENCE.finditer(reply.strip()):
            sentence = match.group(0).strip()
            cited = [int(n) for n in _MARKERS.findall(sentence) if 1 <= int(n) <= len(hits)]
            if not cited:
                continue  # a sentence the passages do not back is not shown
            words = _MARKERS.sub("", sentence).strip()
            if not words:
                continue
            markers = []
            for n in dict.fromkeys(cited):
                if n not in numbers:
                    numbers[n] = len(citations) + 1
                    citations.append(self._citation(numbers[n], hits[n - 1]))
                markers.append(f"[{numbers[n]}]")
            kept.append(words + "".join(markers))
        if not kept:
            return None
        return Answer(question, "".join(kept), tuple(citations), False, "llm", tuple(hits))

    def _citation(self, n: int, hit: Hit) -> Citation:
        chunk = hit.chunk
        structure = self._index.structures[chunk.doc_id]
        return Citation(
            n=n, doc=chunk.doc_path, title=chunk.title, heading_path=structure.path_at(chunk.start),
            start=chunk.start, end=chunk.end, quote=chunk.text, score=hit.score,
            passage_start=chunk.start, passage_end=chunk.end, passage=chunk.text, page=chunk.page,
        )
