"""The optional LLM answerer against a deterministic fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from conftest import LocalApp, free_port
from wenyuan.assistant import make_answerer
from wenyuan.config import Settings


@pytest.fixture(params=["embedded", "milvus"])
def demo_assistant(request, demo_assistant):
    """The LLM answers, checked sentence by sentence, from passages either store found."""
    return demo_assistant if request.param == "embedded" else request.getfixturevalue("milvus_demo_assistant")



class _FakeLlm:
    """Answers /v1/chat/completions from the passages it is sent: one backed sentence, one unbacked, one bad marker."""

    def __init__(self, fail: bool = False, stream: bool = True, delay: float = 0.01, padding: int = 0) -> None:
        from fastapi import FastAPI, HTTPException
        from fastapi.responses import StreamingResponse

        self.requests: list[dict] = []
        self.pieces_sent = 0
        self.pieces_total = 0
        app = FastAPI()

        @app.post("/v1/chat/completions")
        def complete(body: dict):
            self.requests.append(body)
            if fail:
                raise HTTPException(status_code=503, detail="model is loading")
            prompt = body["messages"][-1]["content"]
            first_passage = re.search(r"\[1\][^\n]*\n([^。\n]+。)", prompt).group(1)
            content = f"{first_passage}[1]\n这句话资料里没有。还有一句引用了不存在的资料。[9]" + "另外。" * padding
            if not (stream and body.get("stream")):  # a server that ignores "stream": one JSON reply
                return {"choices": [{"message": {"role": "assistant", "content": content}}]}

            def events():  # OpenAI-style chunks, 6 characters each, as vLLM and Ollama send them
                self.pieces_total = len(range(0, len(content), 6))
                for at in range(0, len(content), 6):
                    chunk = {"choices": [{"index": 0, "delta": {"content": content[at : at + 6]}}]}
                    yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
                    self.pieces_sent += 1
                    time.sleep(delay)
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        self._served = LocalApp(app)
        self.base_url = self._served.base_url

    def stop(self) -> None:
        self._served.stop()


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


def test_llm_answers_stream_as_written_then_arrive_checked(demo_assistant, fake_llm) -> None:
    answerer = _llm_answerer(demo_assistant, fake_llm.base_url)
    question = "城镇化率提升到了多少？"
    items = list(answerer.stream(question, demo_assistant.search(question)))
    drafts, final = items[:-1], items[-1]
    assert fake_llm.requests[-1]["stream"] is True
    assert len(drafts) >= 5 and all(isinstance(d, str) for d in drafts)
    assert all(later.startswith(earlier) for earlier, later in zip(drafts, drafts[1:]))
    assert "这句话资料里没有" in drafts[-1]  # the raw reply, before the check
    assert final.mode == "llm" and "资料里没有" not in final.text and final.text.endswith("[1]")


def test_an_endpoint_that_does_not_stream_still_answers(demo_assistant) -> None:
    plain = _FakeLlm(stream=False)
    try:
        question = "城镇化率提升到了多少？"
        items = list(_llm_answerer(demo_assistant, plain.base_url).stream(question, demo_assistant.search(question)))
        assert items[-1].mode == "llm" and items[-1].text.endswith("[1]")
    finally:
        plain.stop()


def test_the_web_streams_an_llm_answer_then_the_checked_one(tmp_path, embedder, fake_llm) -> None:
    import httpx

    from conftest import Server
    from test_web import _corpus

    _corpus(tmp_path)
    server = Server(tmp_path, embedder, answerer="llm", llm_base_url=fake_llm.base_url, llm_model="fake-qwen")
    try:
        events = []
        with httpx.stream("POST", server.url + "/api/ask/stream", json={"question": "城镇化率提升到了多少？"}) as response:
            for block in response.iter_text():
                events.append(block)
        text = "".join(events)
        deltas = [json.loads(m) for m in re.findall(r"event: delta\ndata: (.*)", text)]
        answer = json.loads(re.search(r"event: answer\ndata: (.*)", text).group(1))
        assert len(deltas) >= 5 and "这句话资料里没有" in "".join(d["text"] for d in deltas)
        assert answer["mode"] == "llm" and "资料里没有" not in answer["answer"] and answer["citations"]
        assert answer["checked"].startswith("大模型生成，已逐句核对原文：1 句有出处支持")  # the widget shows it
        assert [s["status"] for s in answer["sentences"]][0] == "verified"
    finally:
        server.stop()


def test_the_chat_shows_the_llm_draft_then_the_cited_answer(demo_assistant, fake_llm) -> None:
    from wenyuan.assistant import Assistant
    from wenyuan.web.ui import ChatHandlers

    settings = demo_assistant.settings.model_copy(
        update={"answerer": "llm", "llm_base_url": fake_llm.base_url, "llm_model": "fake-qwen"})
    chat = ChatHandlers(Assistant(settings, demo_assistant.embedder), stream_delay=0)
    steps, bubbles = [], []
    for step in chat.respond("城镇化率提升到了多少？", [], []):  # what Gradio sends at each step
        steps.append(step)
        bubbles.append(step[0][-1]["content"])
    drafts = [b for b in bubbles if b.endswith("▍")]
    assert len(drafts) >= 5 and "wy-chip" not in drafts[0]
    final_messages, history, sources, _, copied = steps[-1]
    assert 'class="wy-chip"' in final_messages[-1]["content"] and "资料里没有" not in final_messages[-1]["content"]
    assert history[-1].mode == "llm" and "【来源1】" in copied


def test_llm_timeout_bounds_the_whole_reply_not_each_piece(demo_assistant) -> None:
    slow = _FakeLlm(delay=0.2, padding=40)  # a piece every 0.2 s, about 30 pieces: longer than the 1 s allowed
    try:
        settings = Settings(answerer="llm", llm_base_url=slow.base_url, llm_model="fake-qwen", llm_timeout=1)
        answerer = make_answerer(settings, demo_assistant.index)
        question = "城镇化率提升到了多少？"
        answer = answerer.answer(question, demo_assistant.search(question))
        assert answer.mode == "number" and "60.37%" in answer.text  # the extractive answer, not a wait
        assert slow.pieces_sent < slow.pieces_total
    finally:
        slow.stop()


def test_a_reader_who_leaves_ends_the_llm_request(tmp_path, embedder, monkeypatch) -> None:
    import httpx

    from conftest import Server
    from test_web import _corpus
    from wenyuan.llm import LlmAnswerer

    slow = _FakeLlm(delay=0.1, padding=60)  # about 40 pieces over 4 s
    ended = threading.Event()
    original = LlmAnswerer._complete

    def tracked(self, *args):
        try:
            yield from original(self, *args)
        finally:
            ended.set()

    monkeypatch.setattr(LlmAnswerer, "_complete", tracked)
    _corpus(tmp_path)
    server = Server(tmp_path, embedder, answerer="llm", llm_base_url=slow.base_url, llm_model="fake-qwen")
    try:
        with httpx.stream("POST", server.url + "/api/ask/stream", json={"question": "城镇化率提升到了多少？"}) as response:
            for line in response.iter_lines():
                if line.startswith("event: delta"):
                    break  # the reader leaves after the first piece
        assert ended.wait(10)
        assert slow.pieces_sent < slow.pieces_total  # the request to the LLM ended before its reply did
    finally:
        server.stop()
        slow.stop()


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


def test_an_endpoint_that_never_answers_is_skipped_after_repeated_failures(demo_assistant) -> None:
    import socket

    from wenyuan.llm import UNAVAILABLE_NOTE, CircuitBreaker

    # a server that accepts connections and never says a word: each question would wait for the read timeout
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(silent.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        port = silent.getsockname()[1]
        settings = Settings(answerer="llm", llm_base_url=f"http://127.0.0.1:{port}/v1", llm_model="fake-qwen",
                            llm_timeout=1, llm_failures=2, llm_cooldown=60)
        breaker = CircuitBreaker(settings.llm_failures, settings.llm_cooldown)
        answerer = make_answerer(settings, demo_assistant.index, breaker)
        question = "城镇化率提升到了多少？"
        hits = demo_assistant.search(question)
        for _ in range(4):
            answer = answerer.answer(question, hits)
            assert answer.text.startswith(UNAVAILABLE_NOTE) and "60.37%" in answer.text
        assert len(accepted) == 2  # after two failures the endpoint is not asked again during the cooldown
        assert not breaker.allows()
    finally:
        silent.close()
        for connection in accepted:
            connection.close()


@pytest.mark.browser
def test_the_widget_says_how_the_llm_answer_was_checked(browser, tmp_path, embedder, fake_llm) -> None:
    from conftest import Server
    from test_web import _corpus

    _corpus(tmp_path)
    server = Server(tmp_path, embedder, answerer="llm", llm_base_url=fake_llm.base_url, llm_model="fake-qwen")
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(server.url + "/embed")
        page.locator("#question").fill("城镇化率提升到了多少？")
        page.locator("#ask button[type=submit]").click()
        note = page.locator(".msg.bot .checked")
        note.wait_for(timeout=30_000)
        assert note.inner_text().startswith("大模型生成，已逐句核对原文：1 句有出处支持")
        assert "资料里没有" not in page.locator(".msg.bot").last.inner_text()
    finally:
        context.close()
        server.stop()
