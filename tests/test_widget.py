"""The embeddable widget: one script tag on a page of another origin, allowed origins only, widget keys only ask."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import SEED, Server, free_port
from test_quality import PLAN_A, PLAN_B
from test_web import _corpus

KEY = "PUBLIC-WIDGET-KEY"
ROOT = Path(__file__).resolve().parents[1]


class _Portal:
    """A static intranet page served from its own origin (another port on 127.0.0.1)."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _portal_page(folder: Path, app_url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    page = (ROOT / "examples" / "intranet-portal.html").read_text(encoding="utf-8")
    (folder / "index.html").write_text(page.replace("http://127.0.0.1:7860", app_url), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, embedder):
    root = tmp_path_factory.mktemp("widget")
    allowed_folder = root / "allowed"
    blocked_folder = root / "blocked"
    port_allowed = free_port()
    data = _corpus(root)
    (data / "养老服务方案.txt").write_text(PLAN_A, encoding="utf-8")  # two plans with the same 总体要求: ask-backs
    (data / "托育服务方案.txt").write_text(PLAN_B, encoding="utf-8")
    keys = root / "widget-keys.txt"
    keys.write_text(f"# one key a line\n{KEY}\n", encoding="utf-8")
    server = Server(root, embedder, admin_token="admin-口令", question_log=root / "logs" / "questions.jsonl",
                    allowed_origins=[f"http://127.0.0.1:{port_allowed}"], widget_keys_file=keys)
    allowed = _Portal(_portal_page(allowed_folder, server.url), port_allowed)
    blocked = _Portal(_portal_page(blocked_folder, server.url))
    yield server, allowed, blocked, keys
    server.stop()
    allowed.stop()
    blocked.stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    yield context
    context.close()


def _open_widget(page, portal: _Portal):
    page.goto(portal.origin + "/index.html")
    page.locator("#wenyuan-widget .launcher").click()
    return page.frame_locator("#wenyuan-widget iframe")


def _ask(frame, question: str) -> None:
    frame.locator("#question").fill(question)
    frame.locator("#ask button[type=submit]").click()


@pytest.mark.browser
def test_widget_on_an_allowed_portal_answers_with_citations(setup, context) -> None:
    server, allowed, _, _ = setup
    page = context.new_page()
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server.url, allowed.origin, "data:")) else None)
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    frame = _open_widget(page, allowed)
    _ask(frame, "组织领导方面提了哪几条要求？")
    frame.locator(".sources li").first.wait_for(timeout=30_000)
    answer = frame.locator(".msg.bot").last.inner_text()
    assert "一要压紧压实工作责任" in answer
    assert frame.locator(".msg.bot .chip").count() >= 5
    frame.locator(".msg.bot .chip").nth(1).click()
    assert frame.locator("#source mark").inner_text().startswith("一要压紧压实工作责任")
    assert "四、切实加强对学习教育的组织领导" in frame.locator("#source .path").inner_text()
    # closing and reopening keeps the conversation
    frame.locator("#close").click()
    page.locator("#wenyuan-widget .panel").wait_for(state="hidden", timeout=5_000)  # postMessage is async
    page.locator("#wenyuan-widget .launcher").click()
    frame.locator("#back").click()
    assert "一要压紧压实工作责任" in frame.locator(".msg.bot").last.inner_text()
    # the host page's aggressive button style does not reach the widget, and ours does not leak out
    color = page.locator("#wenyuan-widget .launcher").evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(29, 78, 216)"
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("serif")
    # page rules aimed at every element of the body, even with !important, do not reach the widget's element
    page.add_style_tag(content="div, body > * { opacity: .4 !important; transform: scale(.5) !important; }")
    widget = page.locator("#wenyuan-widget")
    assert widget.evaluate("e => getComputedStyle(e).opacity") == "1"
    assert widget.evaluate("e => getComputedStyle(e).transform") == "none"
    assert page.locator("#wenyuan-widget .launcher").bounding_box()["width"] == 56
    assert outside == []
    assert errors == []  # e.g. no postMessage to the iframe before it has loaded


@pytest.mark.browser
def test_messages_from_other_windows_are_ignored(setup, context) -> None:
    _, allowed, _, _ = setup
    page = context.new_page()
    _open_widget(page, allowed)
    page.frame_locator("#wenyuan-widget iframe").locator("#question").wait_for()
    # the host page itself (not the app's iframe) posts the iframe's close message: the widget must ignore it
    page.evaluate("window.postMessage({type: 'wenyuan:close'}, '*')")
    page.wait_for_timeout(500)
    assert page.locator("#wenyuan-widget .panel").is_visible()
    # the embed page only accepts messages from the parent origin it was given and allowed
    embedded = next(f for f in page.frames if "/embed" in f.url)
    assert embedded.evaluate("JSON.parse(document.body.dataset.config).parent") == allowed.origin


@pytest.mark.browser
def test_widget_fits_a_phone_screen(setup, browser) -> None:
    _, allowed, _, _ = setup
    phone = browser.new_context(viewport={"width": 390, "height": 780}, locale="zh-CN")
    try:
        page = phone.new_page()
        _open_widget(page, allowed)
        box = page.locator("#wenyuan-widget .panel").bounding_box()
        assert box["width"] <= 390 and box["x"] >= 0 and box["height"] > 500
    finally:
        phone.close()


@pytest.mark.browser
def test_a_portal_not_in_the_allowlist_can_neither_frame_nor_call(setup, context) -> None:
    server, _, blocked, _ = setup
    page = context.new_page()
    frame = _open_widget(page, blocked)
    page.wait_for_timeout(2500)
    assert frame.locator("#question").count() == 0  # the browser refused to show the framed chat
    outcome = page.evaluate(
        """async (url) => {
            try {
                const r = await fetch(url + '/api/ask', {method: 'POST', headers: {'Content-Type': 'application/json',
                    'X-Wenyuan-Key': 'PUBLIC-WIDGET-KEY'}, body: JSON.stringify({question: '城镇化率提升到了多少？'})});
                return 'read ' + r.status;
            } catch (error) { return 'blocked'; }
        }""",
        server.url,
    )
    assert outcome == "blocked"


def _post(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_security_headers_and_origin_rules(setup) -> None:
    server, allowed, blocked, _ = setup
    with urllib.request.urlopen(server.url + "/embed?key=x") as response:
        policy = response.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {allowed.origin}" in policy and "script-src 'self'" in policy
    with urllib.request.urlopen(server.url + "/") as response:
        assert f"frame-ancestors 'self' {allowed.origin}" in response.headers["Content-Security-Policy"]
    status, _ = _post(server.url + "/api/ask", {"question": "城镇化率？"}, {"Origin": blocked.origin, "X-Wenyuan-Key": KEY})
    assert status == 403
    request = urllib.request.Request(server.url + "/api/ask", method="OPTIONS", headers={
        "Origin": allowed.origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-wenyuan-key"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Access-Control-Allow-Origin"] == allowed.origin


def test_widget_keys_only_ask_and_rotate_without_restart(setup) -> None:
    server, _, _, keys = setup
    assert _post(server.url + "/api/ask", {"question": "城镇化率提升到了多少？"})[0] == 401
    status, answer = _post(server.url + "/api/ask", {"question": "城镇化率提升到了多少？"}, {"X-Wenyuan-Key": KEY})
    assert status == 200 and "60.37%" in answer["answer"] and answer["citations"][0]["doc"] == SEED.name
    # a widget key is no admin credential (every admin route is checked in test_web.py)
    for path in ("/admin/gradio_api/info", "/admin/config"):
        request = urllib.request.Request(server.url + path, headers={"X-Wenyuan-Key": KEY, "X-Wenyuan-Admin": KEY})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request)
        assert refused.value.code == 401
    # rotation: edit the key file, no restart
    keys.write_text("NEW-KEY-2027\n", encoding="utf-8")
    assert _post(server.url + "/api/ask", {"question": "城镇化率？"}, {"X-Wenyuan-Key": KEY})[0] == 401
    assert _post(server.url + "/api/ask", {"question": "城镇化率？"}, {"X-Wenyuan-Key": "NEW-KEY-2027"})[0] == 200
    keys.write_text(f"{KEY}\n", encoding="utf-8")


def test_rest_follow_up_uses_the_history(setup) -> None:
    server, _, _, _ = setup
    headers = {"X-Wenyuan-Key": KEY}
    _, first = _post(server.url + "/api/ask", {"question": "三、紧密结合统战工作实际部分有哪几项要求？"}, headers)
    status, follow = _post(server.url + "/api/ask", {"question": "第二项具体怎么要求？", "history": [first]}, headers)
    assert status == 200 and not follow["refused"]
    assert any("二要把学习教育与解决群众急难愁盼" in " ".join(c["heading_path"]) for c in follow["citations"])


def test_openapi_describes_the_rest_api(setup) -> None:
    server, _, _, _ = setup
    with urllib.request.urlopen(server.url + "/openapi.json") as response:
        spec = json.load(response)
    assert {"/api/ask", "/api/ask/stream", "/api/health"} <= set(spec["paths"])
    answer = spec["paths"]["/api/ask"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("/AskResponse")
    schemas = spec["components"]["schemas"]
    assert {"answer", "refused", "citations", "mode"} <= set(schemas["AskResponse"]["properties"])
    assert {"doc", "heading_path", "quote", "start", "end"} <= set(schemas["CitationOut"]["properties"])
    scheme = next(iter(spec["components"]["securitySchemes"].values()))
    assert scheme["in"] == "header" and scheme["name"] == "X-Wenyuan-Key"
    # FastAPI's /docs and /redoc would load Swagger UI and ReDoc from a CDN: they are off
    for page in ("/docs", "/redoc"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(server.url + page)
        assert missing.value.code == 404


def test_gradio_api_calls_from_other_origins_are_refused(setup) -> None:
    server, allowed, blocked, _ = setup
    body = {"data": ["城镇化率提升到了多少？", []]}
    assert _post(server.url + "/gradio_api/call/ask", body, {"Origin": blocked.origin})[0] == 403
    assert _post(server.url + "/gradio_api/call/ask", body, {"Origin": allowed.origin})[0] == 200


@pytest.mark.browser
def test_the_plain_iframe_page_shows_no_close_button_and_no_allowlist(setup, context) -> None:
    server, allowed, _, _ = setup
    page = context.new_page()
    page.goto(server.url + f"/embed?title=问答&key={KEY}&parent={allowed.origin}")
    page.locator("#question").wait_for()
    assert page.locator("#close").is_hidden()  # not inside a widget: nothing to close
    config = page.evaluate("JSON.parse(document.body.dataset.config)")
    assert set(config) == {"title", "key", "parent"}
    page.goto(server.url + "/embed?parent=http://evil.example")
    assert page.evaluate("JSON.parse(document.body.dataset.config).parent") == ""


@pytest.mark.browser
def test_widget_asks_back_and_answers_in_the_document_picked(setup, context) -> None:
    _, allowed, _, _ = setup
    page = context.new_page()
    frame = _open_widget(page, allowed)
    _ask(frame, "总体要求的指导思想是什么？")
    frame.locator(".candidates button").first.wait_for(timeout=30_000)
    assert "您问的是哪份文件" in frame.locator(".msg.bot").last.inner_text()
    offered = frame.locator(".candidates button").all_inner_texts()
    assert sorted(offered) == ["《某县托育服务发展实施方案》", "《某市养老服务体系建设实施方案》"]
    frame.locator(".candidates button", has_text="托育").click()
    frame.locator(".msg.bot").nth(1).locator(".chip").first.wait_for(timeout=30_000)
    assert "普惠托育服务体系" in frame.locator(".msg.bot").last.inner_text()
    assert "托育" in frame.locator(".msg.user").last.inner_text()


def test_rest_ask_back_lists_candidates_and_documents_narrows_the_answer(setup) -> None:
    server, _, _, _ = setup
    headers = {"X-Wenyuan-Key": KEY}
    status, asked = _post(server.url + "/api/ask", {"question": "总体要求的指导思想是什么？"}, headers)
    assert status == 200 and asked["mode"] == "ask_back" and not asked["refused"]
    docs = {c["doc"] for c in asked["candidates"]}
    assert docs == {"养老服务方案.txt", "托育服务方案.txt"}
    status, narrowed = _post(server.url + "/api/ask",
                             {"question": "总体要求的指导思想是什么？", "documents": ["养老服务方案.txt"]}, headers)
    assert status == 200 and narrowed["mode"] != "ask_back"
    assert {c["doc"] for c in narrowed["citations"]} == {"养老服务方案.txt"}
    assert "居家社区机构相协调" in narrowed["answer"]


@pytest.mark.browser
def test_widget_answers_are_rated_with_a_reason(setup, context) -> None:
    server, allowed, _, _ = setup
    page = context.new_page()
    frame = _open_widget(page, allowed)
    _ask(frame, "城镇化率提升到了多少？")
    frame.locator(".msg.bot .rating .rate-down").last.click(timeout=30_000)
    frame.locator(".msg.bot .rating .rate-reason", has_text="答非所问").click()
    frame.locator(".msg.bot .rating", has_text="已记录，谢谢！").wait_for(timeout=15_000)
    log = server.assistant.settings.question_log
    ratings = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if '"rated"' in line]
    assert (ratings[-1]["rating"], ratings[-1]["reason"]) == ("down", "答非所问")


@pytest.mark.browser
def test_widget_copies_an_answer_with_its_sources_and_starts_a_new_conversation(setup, context) -> None:
    server, allowed, _, _ = setup
    for origin in (server.url, allowed.origin):
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    frame = _open_widget(page, allowed)
    _ask(frame, "城镇化率提升到了多少？")
    frame.locator(".msg.bot .copy:not(.word)").last.click(timeout=30_000)
    frame.locator(".msg.bot .copy:not(.word)", has_text="已复制").wait_for(timeout=10_000)
    copied = page.evaluate("() => navigator.clipboard.readText()")  # the portal's page reads what the frame wrote
    assert "60.37%" in copied and "【来源1】《树立和践行正确政绩观学习教育动员部署会讲话》" in copied
    frame.locator("#new").click()
    assert frame.locator(".msg").count() == 0 and "根据已收录的文件回答" in frame.locator("#log").inner_text()
    _ask(frame, "第二项具体怎么要求？")  # the conversation is gone: nothing to refer to
    frame.locator(".msg.bot.refused").wait_for(timeout=30_000)


@pytest.mark.browser
def test_widget_exports_an_answer_as_a_word_file(setup, context) -> None:
    import io

    import docx

    _, allowed, _, _ = setup
    page = context.new_page()
    frame = _open_widget(page, allowed)
    _ask(frame, "城镇化率提升到了多少？")
    frame.locator(".msg.bot .word").last.wait_for(timeout=30_000)
    with page.expect_download(timeout=30_000) as waiting:
        frame.locator(".msg.bot .word").last.click()
    assert waiting.value.suggested_filename == "问答-城镇化率提升到了多少？.docx"
    paragraphs = [p.text for p in docx.Document(io.BytesIO(Path(waiting.value.path()).read_bytes())).paragraphs]
    assert "问：城镇化率提升到了多少？" in paragraphs and any(p.startswith("【来源1】") for p in paragraphs)
