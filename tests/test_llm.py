"""The optional LLM answerer against a deterministic fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import re
import threading
import time
import urllib.request

import pytest

from conftest import free_port
from wenyuan.assistant import make_answerer
from wenyuan.config import Settings


class _FakeLlm:
    """Answers /v1/chat/completions from the passages it is sent: one backed sentence, one unbacked, one bad marker."""

    def __init__(self, fail: bool = False) -> None:
        import uvicorn
        from fastapi import FastAPI, HTTPException

        self.requests: list[dict] = []
        app = FastAPI()

        @app.post("/v1/chat/completions")
        def complete(body: dict) -> dict:
            self.requests.append(body)
            if fail:
                raise HTTPException(status_code=503, detail="model is loading")
            prompt = body["messages"][-1]["content"]
            first_passage = re.search(r"\[1\][^\n]*\n([^。\n]+。)", prompt).group(1)
            content = f"{first_passage}[1]\n这句话资料里没有。还有一句引用了不存在的资料。[9]"
            return {"choices": [{"message": {"role": "assistant", "content": content}}]}

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/docs", timeout=1)
                break
            except OSError:
                time.sleep(0.1)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def fake_llm():
    server = _FakeLlm()
    yield server
    server.stop()


def _llm_answerer(demo_assistant, base_url: str):
    settings = Settings(answerer="llm", llm_base_url=base_url, llm_model="fake-qwen", llm_timeout=5)
    return make_answerer(settings, demo_assistant.index)


def test_llm_answers_keep_only_sentences_backed_by_passages(demo_assistant, fake_llm) -> None:
    answerer = _llm_answerer(demo_assistant, fake_llm.base_url)
    question = "城镇化率提升到了多少？"
    hits = demo_assistant.search(question)
    answer = answerer.answer(question, hits)
    assert answer.mode == "llm" and not answer.refused
    assert "资料里没有" not in answer.text and "[9]" not in answer.text
    assert re.fullmatch(r"[^\[]+\[1\]", answer.text)
    citation = answer.citations[0]
    document = next(d for d in demo_assistant.index.documents.values() if d.path == citation.doc)
    assert document.text[citation.start : citation.end] == citation.quote == hits[0].chunk.text
    request = fake_llm.requests[-1]
    assert request["model"] == "fake-qwen" and "只能根据" in request["messages"][0]["content"]
    assert "城镇化率" in request["messages"][-1]["content"]


def test_unanswerable_questions_are_refused_without_asking_the_llm(demo_assistant, fake_llm) -> None:
    answerer = _llm_answerer(demo_assistant, fake_llm.base_url)
    question = "2023年**市的城镇化率是多少？"
    answer = answerer.answer(question, demo_assistant.search(question))
    assert answer.refused and fake_llm.requests == []


def test_a_failing_or_missing_endpoint_falls_back_to_the_extractive_answer(demo_assistant) -> None:
    failing = _FakeLlm(fail=True)
    try:
        for base_url in (failing.base_url, f"http://127.0.0.1:{free_port()}/v1"):
            answer = _llm_answerer(demo_assistant, base_url).answer(
                "城镇化率提升到了多少？", demo_assistant.search("城镇化率提升到了多少？"))
            assert answer.mode == "number" and "60.37%" in answer.text
        assert len(failing.requests) == 1
    finally:
        failing.stop()
