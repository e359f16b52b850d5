"""The browser chat in real headless Chromium, its HTTP and Gradio APIs, and the admin tab's safety rules."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import DATA, SEED, Server
from make_files import write_pdf
from wenyuan.assistant import Assistant
from wenyuan.config import Settings

GOV = "国务院办公厅关于推进政务新媒体健康有序发展的意见.txt"
HOSTILE = "含有网页代码的通知.txt"
HOSTILE_TEXT = (
    "关于网页安全测试的通知\n"
    "一、测试要求\n"
    "页面必须把<script>window.__pwned = 1</script>和<b>粗体标签</b>原样显示为文字，网页安全测试编号为XSS-2026。\n"
)
NEW_DOC = "关于推进智慧养老服务的通知.txt"
NEW_TEXT = (
    "关于推进智慧养老服务的通知\n一、工作目标\n到2028年，全市建成智慧养老服务平台12个，覆盖全部街道。\n"
    "二、重点任务\n（一）建设服务平台\n整合社区养老服务资源，实现线上预约。\n（二）培育服务队伍\n培训养老护理人员3000名。\n"
)


def _corpus(root: Path) -> Path:
    data = root / "data"
    data.mkdir(parents=True)
    shutil.copy(SEED, data)
    shutil.copy(DATA / GOV, data)
    (data / HOSTILE).write_text(HOSTILE_TEXT, encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, embedder):
    root = tmp_path_factory.mktemp("web")
    _corpus(root)
    running = Server(root, embedder)
    yield running
    running.stop()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.outside_requests = []
    page.on("request", lambda r: page.outside_requests.append(r.url)
            if not r.url.startswith((server.url, "data:", "blob:")) else None)
    blocked = []  # what the page's Content-Security-Policy stopped: the policy must not break the app
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(server.url)
    page.wait_for_selector("#wy-question textarea", timeout=60_000)
    yield page
    context.close()
    assert not blocked, blocked


def _ask(page, question: str) -> None:
    page.fill("#wy-question textarea", question)
    page.click("#wy-send")
    shown = "q => [...document.querySelectorAll('#wy-chat .message')].some(m => m.innerText.includes(q))"
    try:
        page.wait_for_function(shown, arg=question, timeout=20_000)
    except Exception:  # noqa: BLE001 - Gradio's queue can drop the first event of a page on a loaded machine (a
        # KeyError in its SSE stream, seen once in CI); a person would press 提问 again, and so does the test
        if page.input_value("#wy-question textarea") != question:
            raise
        page.click("#wy-send")
        page.wait_for_function(shown, arg=question, timeout=30_000)
    page.wait_for_selector("#wy-sources .wy-card, #wy-sources .wy-refusal", timeout=30_000)


@pytest.mark.browser
def test_ask_see_chips_open_the_cited_passage(page, server) -> None:
    _ask(page, "组织领导方面提了哪几条要求？")
    chips = page.locator("#wy-chat a.wy-chip")
    assert chips.count() >= 5
    assert "一要压紧压实工作责任" in page.inner_text("#wy-chat")
    assert "四、切实加强对学习教育的组织领导" in page.inner_text("#wy-sources")
    chips.nth(2).click()  # [3]: 二要坚持分类指导
    page.wait_for_selector("#wy-hl", timeout=15_000)
    assert page.inner_text("#wy-hl").startswith("二要坚持分类指导")
    assert "四、切实加强对学习教育的组织领导" in page.inner_text("#wy-viewer .wy-viewer-head")
    assert page.evaluate("document.getElementById('wy-hl').closest('.wy-doc') !== null")
    copied = page.input_value("#wy-copy textarea")
    assert "【来源1】《树立和践行正确政绩观学习教育动员部署会讲话》" in copied
    assert page.outside_requests == []  # fully offline: no CDN, no fonts, no analytics


@pytest.mark.browser
def test_refusals_look_different_and_new_conversation_clears(page) -> None:
    _ask(page, "2023年**市的城镇化率是多少？")
    assert "文档中没有找到" in page.inner_text("#wy-chat")
    assert page.locator("#wy-sources .wy-refusal").count() == 1
    assert page.locator("#wy-sources .wy-related").count() >= 1
    page.click("#wy-new")
    page.wait_for_function("!document.querySelector('#wy-chat').innerText.includes('城镇化率')", timeout=10_000)


@pytest.mark.browser
def test_the_chat_trash_button_starts_a_new_conversation(page) -> None:
    _ask(page, "三、紧密结合统战工作实际部分有哪几项要求？")
    page.click("#wy-chat button[aria-label=清空对话]")  # Gradio's own trash button (zh-CN label)
    page.wait_for_selector("#wy-sources .wy-empty", timeout=10_000)
    assert page.input_value("#wy-copy textarea") == ""
    _ask(page, "第二项具体怎么要求？")  # no list before it any more: nothing to refer to
    assert "文档中没有找到" in page.inner_text("#wy-chat")


@pytest.mark.browser
def test_each_answer_copies_with_its_sources(page, server) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    _ask(page, "组织领导方面提了哪几条要求？")
    _ask(page, "城镇化率提升到了多少？")
    page.wait_for_function(
        "() => document.querySelectorAll(\"#wy-chat a.wy-copy-link[href^='#wy-copy-']\").length === 2", timeout=15_000)
    assert page.locator("#wy-chat button[aria-label^=Copy]").count() == 0  # Gradio's own copy would give HTML
    page.locator("#wy-chat a.wy-copy-link[href^='#wy-copy-']").first.click()  # the earlier answer, not the latest
    page.wait_for_function(
        "() => document.querySelector('#wy-copy textarea').value.includes('一要压紧压实工作责任')", timeout=15_000
    )
    copied = page.input_value("#wy-copy textarea")
    assert "【来源1】《树立和践行正确政绩观学习教育动员部署会讲话》" in copied and "60.37" not in copied
    assert "<a" not in copied and "wy-chip" not in copied
    page.wait_for_function("t => navigator.clipboard.readText().then(c => c === t)", arg=copied, timeout=10_000)


@pytest.mark.browser
def test_follow_up_resolves_to_the_listed_item(page) -> None:
    _ask(page, "三、紧密结合统战工作实际部分有哪几项要求？")
    page.fill("#wy-question textarea", "第二项具体怎么要求？")
    page.click("#wy-send")
    page.wait_for_function(
        "() => document.querySelector('#wy-sources').innerText.includes('二要把学习教育与解决群众急难愁盼')",
        timeout=30_000,
    )


@pytest.mark.browser
def test_document_html_is_shown_as_text_and_never_runs(page) -> None:
    _ask(page, "网页安全测试编号是多少？")
    page.locator("#wy-chat a.wy-chip").first.click()
    page.wait_for_selector("#wy-hl", timeout=15_000)
    viewer_text = page.inner_text("#wy-viewer .wy-doc")
    assert "<script>window.__pwned = 1</script>" in viewer_text and "<b>粗体标签</b>" in viewer_text
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#wy-viewer b, #wy-chat b, #wy-sources b").count() == 0


@pytest.mark.browser
def test_upload_rebuild_and_ask_about_the_new_document(page, server, tmp_path: Path) -> None:
    new_file = tmp_path / NEW_DOC
    new_file.write_text(NEW_TEXT, encoding="utf-8")
    page.goto(server.url + "/admin/")
    page.wait_for_function("() => document.querySelector('#wy-doc-table')?.innerText.includes('政务新媒体')",
                           timeout=30_000)
    assert "未设置管理口令" in page.inner_text("#wy-open-admin")  # open administration is said where it is used
    page.set_input_files("#wy-upload input[type=file]", str(new_file))
    page.wait_for_timeout(1500)
    page.click("#wy-upload-button")
    page.wait_for_function("() => document.querySelector('#wy-upload-status').innerText.includes('✓')", timeout=30_000)
    assert (server.assistant.settings.data_dir / NEW_DOC).exists()
    page.click("#wy-rebuild")
    page.wait_for_function("() => document.querySelector('#wy-rebuild-status').innerText.includes('重建完成')",
                           timeout=120_000)
    assert "新增 1" in page.inner_text("#wy-rebuild-status")
    page.goto(server.url + "/")
    # the new document brings its example question
    page.wait_for_function("() => document.body.innerText.includes('《关于推进智慧养老服务的通知》有哪些重点任务？')",
                           timeout=15_000)
    _ask(page, "全市要建成多少个智慧养老服务平台？")
    assert "12个" in page.inner_text("#wy-chat")
    assert "关于推进智慧养老服务的通知" in page.inner_text("#wy-sources")


def test_http_api_health_and_ask(server) -> None:
    health = json.load(urllib.request.urlopen(server.url + "/api/health"))
    assert health["status"] == "ok" and health["documents"] >= 3
    request = urllib.request.Request(
        server.url + "/api/ask", data=json.dumps({"question": "城镇化率提升到了多少？"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    answer = json.load(urllib.request.urlopen(request))
    assert set(answer) == {"question", "answer", "refused", "citations", "mode", "items", "candidates", "scope", "id", "searched", "sentences"}
    assert answer["sentences"] == [] and answer["searched"] is None  # an extractive answer: nothing an LLM wrote
    assert "60.37%" in answer["answer"] and answer["citations"][0]["doc"] == SEED.name


def test_streaming_endpoint_sends_the_answer_in_pieces(server) -> None:
    request = urllib.request.Request(
        server.url + "/api/ask/stream", data=json.dumps({"question": "组织领导方面提了哪几条要求？"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    body = urllib.request.urlopen(request).read().decode("utf-8")
    events = [block.split("\n", 1) for block in body.strip().split("\n\n")]
    names = [head.removeprefix("event: ") for head, _ in events]
    payloads = [json.loads(data.removeprefix("data: ")) for _, data in events]
    assert names[-1] == "answer" and names.count("delta") >= 5
    assert "".join(p["text"] for p in payloads[:-1]) == payloads[-1]["answer"]


@pytest.mark.parametrize("route", ["/api/ask", "/api/ask/stream"])
@pytest.mark.parametrize("question", ["问" * 3000, "城镇化率\ud800是多少", "城镇化率\x00是多少"])
def test_rest_refuses_a_huge_question_or_one_that_is_not_text_with_422(server, route: str, question: str) -> None:
    body = json.dumps({"question": question}).encode()  # json escapes the lone surrogate as \ud800
    request = urllib.request.Request(server.url + route, data=body, headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 422


def test_gradio_api_and_chat_refuse_a_huge_question(server) -> None:
    from gradio_client import Client

    client = Client(server.url + "/", verbose=False)
    with pytest.raises(Exception, match="问题过长"):
        client.predict("问" * 3000, api_name="/ask")
    with pytest.raises(Exception, match="413"):  # a megabyte is refused before it is read
        client.predict("问" * 1_000_000, api_name="/ask")
    from wenyuan.web.ui import ChatHandlers

    with pytest.warns(UserWarning, match="问题过长"):  # outside a browser session Gradio's toast is a warning
        steps = list(ChatHandlers(server.assistant, stream_delay=0).respond("问" * 5000, [], []))
    assert len(steps) == 1 and steps[0][0] == [] and steps[0][1] == []  # nothing asked, nothing answered


def test_gradio_client_ask_endpoint(server) -> None:
    from gradio_client import Client

    client = Client(server.url + "/", verbose=False)
    result = client.predict("政务新媒体的基本原则有哪些？", api_name="/ask")
    assert result["mode"] == "list" and "坚持正确导向" in result["answer"]
    assert result["citations"][0]["doc"] == GOV


def _admin_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route of the documents page as mounted, path parameters filled in."""
    from starlette.routing import Mount

    def walk(routes, prefix: str):
        for route in routes:
            if isinstance(route, Mount):
                yield from walk(route.routes, prefix + route.path)
                continue
            included = getattr(route, "original_router", None)  # FastAPI's include_router (Gradio's /gradio_api)
            if included is not None:
                yield from walk(included.routes, prefix + route.include_context.prefix)
                continue
            path = re.sub(r"\{[^}:]+(:path)?\}", "x", getattr(route, "path", ""))
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                if method != "HEAD":
                    yield method, prefix + path

    (mount,) = [route for route in app.routes if isinstance(route, Mount) and route.path == "/admin"]
    return sorted(set(walk(mount.routes, "/admin")))


def test_every_admin_route_refuses_anonymous_widget_key_and_wrong_token_calls(tmp_path: Path, embedder) -> None:
    """The documents page and everything under it (page, config, events, API, uploads, files), whatever Gradio
    names its routes: enumerated from the mounted app, each called with each credential."""
    import httpx
    from gradio_client import Client

    token = "s3cret-口令"
    _corpus(tmp_path)
    protected = Server(tmp_path, embedder, admin_token=token, widget_keys=["WIDGET-KEY-1"])
    try:
        routes = _admin_routes(protected.app)
        assert len(routes) > 20 and ("POST", "/admin/gradio_api/upload") in routes
        credentials = {"anonymous": {}, "widget key": {"X-Wenyuan-Key": "WIDGET-KEY-1"},
                       "widget key as admin": {"X-Wenyuan-Admin": "WIDGET-KEY-1"},
                       "wrong token": {"X-Wenyuan-Admin": quote("wrong")}}
        with httpx.Client(base_url=protected.url, cookies={"wenyuan_admin": "forged"}) as client:
            for method, path in routes:
                for name, headers in credentials.items():
                    response = client.request(method, path, headers=headers)
                    # 429 once a wrong token has been tried ten times in a minute: refused all the same
                    assert response.status_code in (401, 429) or (
                        response.status_code == 303 and path in ("/admin", "/admin/")), (method, path, name)
            # the right token passes the gate (what each route then does with an empty call is its business)
            right = {"X-Wenyuan-Admin": quote(token)}
            assert client.get("/admin/config", headers=right).status_code == 200
            assert client.get("/admin/", headers=right).status_code == 200
            # the page itself sends a browser to the login form
            assert client.get("/admin/").headers["location"] == "../login"
        documents = Client(protected.url + "/admin/", verbose=False, headers=right).predict(api_name="/documents")
        assert {d["doc"] for d in documents} == {SEED.name, GOV, HOSTILE}
        # the chat has no admin endpoint left, and asking needs no token
        chat = Client(protected.url + "/", verbose=False, headers={"X-Wenyuan-Key": "WIDGET-KEY-1"})
        assert not {"/documents", "/rebuild", "/upload", "/delete"} & set(chat.view_api(return_format="dict",
                                                                                        print_info=False)["named_endpoints"])
        assert not chat.predict("城镇化率提升到了多少？", api_name="/ask")["refused"]
    finally:
        protected.stop()


def test_login_form_opens_a_session_and_logout_ends_it(tmp_path: Path, embedder) -> None:
    import httpx

    token = "s3cret-口令"
    _corpus(tmp_path)
    protected = Server(tmp_path, embedder, admin_token=token)
    try:
        with httpx.Client(base_url=protected.url) as browser_like:
            failed = browser_like.post("/login", data={"token": "wrong"})
            assert failed.status_code == 303 and failed.headers["location"] == "login?failed=1"
            assert "口令不正确" in browser_like.get("/login?failed=1").text
            opened = browser_like.post("/login", data={"token": token})
            assert opened.status_code == 303 and opened.headers["location"] == "admin/"
            assert browser_like.get("/admin/config").status_code == 200
            assert browser_like.post("/logout").status_code == 303
            assert browser_like.get("/admin/config").status_code == 401
            # guessing is slowed down: ten tries a minute per client
            codes = [browser_like.post("/login", data={"token": f"guess{n}"}).status_code for n in range(12)]
            assert codes[-1] == 429
    finally:
        protected.stop()


def test_gradio_upload_route_needs_the_admin_token_when_one_is_set(tmp_path: Path, embedder) -> None:
    import httpx
    from gradio_client import Client, handle_file

    token = "s3cret-口令"
    _corpus(tmp_path)
    protected = Server(tmp_path, embedder, admin_token=token, max_file_mb=0.5)
    small = {"files": ("小.txt", "一、总则\n内容。".encode(), "text/plain")}
    try:
        url = protected.url
        assert httpx.post(url + "/admin/gradio_api/upload", files=small).status_code == 401
        assert httpx.post(url + "/api/admin/session", headers={"X-Wenyuan-Admin": "wrong"}).status_code == 401
        with httpx.Client() as session:
            opened = session.post(url + "/api/admin/session", headers={"X-Wenyuan-Admin": quote(token)})
            assert opened.status_code == 204 and opened.cookies.get("wenyuan_admin")
            assert session.post(url + "/admin/gradio_api/upload", files=small).status_code == 200
            # the limit is 0.5 MB, not rounded down to 0
            big = {"files": ("大.txt", b"x" * (600 << 10), "text/plain")}
            assert session.post(url + "/admin/gradio_api/upload", files=big).status_code == 413
            # the chat takes no files at all, not even from an administrator
            assert session.post(url + "/gradio_api/upload", files=small).status_code == 403
            assert session.post(url + "/gradio_api/process_recording", files=small).status_code == 403
        # gradio_client, with the token as a header
        document = tmp_path / "新文件.txt"
        document.write_text(NEW_TEXT, encoding="utf-8")
        client = Client(url + "/admin/", verbose=False, headers={"X-Wenyuan-Admin": quote(token)})
        assert "✓ 新文件.txt" in client.predict([handle_file(str(document))], api_name="/upload")
        assert (tmp_path / "data" / "新文件.txt").exists()
    finally:
        protected.stop()


@pytest.mark.browser
def test_admin_logs_in_sees_failures_and_uploads_in_the_browser(browser, tmp_path: Path, embedder) -> None:
    token = "s3cret-口令"
    data = _corpus(tmp_path)
    (data / "损坏的文件.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    write_pdf(data / "养老方案.pdf")  # two pages: 二、主要任务 is on page 2
    protected = Server(tmp_path, embedder, admin_token=token)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(protected.url + "/admin/")  # not logged in: the login form
        page.wait_for_selector("#token", timeout=15_000)
        page.fill("#token", "wrong")
        page.press("#token", "Enter")  # Enter submits
        page.wait_for_selector("#wy-login-error", timeout=15_000)
        page.fill("#token", token)
        page.click("#wy-login")
        page.wait_for_selector("#wy-doc-table", state="visible", timeout=30_000)
        assert page.locator("#wy-open-admin").count() == 0
        page.wait_for_function("() => document.querySelector('#wy-doc-status').innerText.includes('未能索引')",
                               timeout=15_000)
        assert "损坏的文件.pdf" in page.inner_text("#wy-doc-status")
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d", page.inner_text("#wy-doc-table"))
        new_file = tmp_path / NEW_DOC
        new_file.write_text(NEW_TEXT, encoding="utf-8")
        page.set_input_files("#wy-upload input[type=file]", str(new_file))
        page.wait_for_timeout(1500)
        page.click("#wy-upload-button")
        page.wait_for_function("() => document.querySelector('#wy-upload-status').innerText.includes('✓')",
                               timeout=30_000)
        assert (data / NEW_DOC).exists()

        def delete(name: str, confirm: bool) -> None:
            page.click("#wy-delete-choice input")
            page.get_by_role("option", name=name, exact=True).click()
            page.click("#wy-delete")
            page.wait_for_selector("#wy-confirm-delete", state="visible", timeout=15_000)
            assert name in page.inner_text("#wy-confirm-text")
            page.click("#wy-confirm-delete" if confirm else "#wy-cancel-delete")
            page.wait_for_selector("#wy-confirm-delete", state="hidden", timeout=15_000)

        # deleting asks first; cancelled, nothing moves
        delete(GOV, confirm=False)
        assert (data / GOV).exists()
        # confirmed, the file goes to the recycle folder, and the page puts it back
        delete(GOV, confirm=True)
        page.wait_for_function("() => document.querySelector('#wy-rebuild-status').innerText.includes('回收站')",
                               timeout=15_000)
        assert not (data / GOV).exists() and [p.name for p in (data / ".回收站").glob("*/*")] == [GOV]
        page.click("#wy-restore-choice input")
        page.get_by_role("option", name=re.compile(re.escape(GOV))).click()
        page.click("#wy-restore")
        page.wait_for_function("() => document.querySelector('#wy-rebuild-status').innerText.includes('已恢复')",
                               timeout=15_000)
        assert (data / GOV).exists() and not list((data / ".回收站").glob("*/*"))
        delete(GOV, confirm=True)
        page.wait_for_function("() => document.querySelector('#wy-rebuild-status').innerText.includes('回收站')",
                               timeout=15_000)
        page.click("#wy-rebuild")
        page.wait_for_function("() => document.querySelector('#wy-rebuild-status').innerText.includes('重建完成')",
                               timeout=120_000)
        summary = page.inner_text("#wy-rebuild-status")
        assert "新增 1" in summary and "删除 1" in summary and "跳过 1" in summary and "损坏的文件.pdf" in summary
        assert GOV not in page.inner_text("#wy-doc-table")
        # logging out ends the session: the page asks for the password again
        page.click("#wy-logout")
        page.wait_for_url(re.compile(r"/$"), timeout=15_000)
        page.goto(protected.url + "/admin/")
        page.wait_for_selector("#token", timeout=15_000)
        page.goto(protected.url + "/")
        # a PDF passage carries its page, in the sources and in the viewer
        _ask(page, "社区养老服务的主要任务包括哪些方面？")
        assert "第2页" in page.inner_text("#wy-sources")
        page.locator("#wy-chat a.wy-chip").first.click()
        page.wait_for_selector("#wy-hl", timeout=15_000)
        assert "第2页" in page.inner_text("#wy-viewer .wy-viewer-head")
    finally:
        context.close()
        protected.stop()


def test_rebuild_reports_progress_and_open_administration_is_logged(tmp_path: Path, embedder, caplog) -> None:
    from wenyuan.web.admin import AdminHandlers
    from wenyuan.web.server import create_app

    _corpus(tmp_path)
    assistant = Assistant(Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index", progress=False), embedder)
    with caplog.at_level("WARNING", logger="wenyuan.web.server"):
        create_app(assistant)
    assert "administration is open" in caplog.text and "WENYUAN_ADMIN_TOKEN" in caplog.text
    steps = []
    summary, rows, *_ = AdminHandlers(assistant).rebuild(progress=lambda share, desc="": steps.append((share, desc)))
    assert "新增 3" in summary and len(rows) == 3
    assert any(desc.startswith("读取文件") for _, desc in steps) and steps[-1] == (1.0, f"向量化片段 {len(assistant.index.chunks)}/{len(assistant.index.chunks)}")


def test_index_times_show_in_local_time_with_the_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from wenyuan.web.admin import _local_time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert _local_time("2026-11-26T23:30:00+00:00") == "2026-11-27 07:30 +08:00"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\系统.txt", "系统.txt"),
        ("  .隐藏文件.md", "隐藏文件.md"),
        ("a<b>c:d?.pdf", "a_b_c_d_.pdf"),
        ("正常的文件名（2019）.docx", "正常的文件名（2019）.docx"),
    ],
)
def test_uploaded_names_are_sanitised(name: str, expected: str) -> None:
    from wenyuan.web.admin import safe_filename

    assert safe_filename(name) == expected


def test_upload_writes_only_inside_data_and_checks_type_and_size(tmp_path: Path, embedder) -> None:
    import gradio as gr

    from wenyuan.web.admin import AdminHandlers

    (tmp_path / "data").mkdir()
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index", max_file_mb=0.001)
    admin = AdminHandlers(Assistant(settings, embedder))
    small, big, bad = tmp_path / "小.txt", tmp_path / "大.txt", tmp_path / "x.exe"
    small.write_text("一、总则\n内容。", encoding="utf-8")
    big.write_text("内容" * 2000, encoding="utf-8")
    bad.write_bytes(b"MZ")
    message = admin.upload([str(small), str(big), str(bad)])
    assert "✓ 小.txt" in message and "超过" in message and "不支持" in message
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["小.txt"]
    with pytest.raises(gr.Error, match="找不到"):
        admin.delete("../index/manifest.json")
    with pytest.raises(gr.Error, match="回收站里没有"):
        admin.restore("../../index/manifest.json")
    # a restored file never overwrites one that has come since
    admin.delete("小.txt")
    (tmp_path / "data" / "小.txt").write_text("新的内容。", encoding="utf-8")
    with pytest.raises(gr.Error, match="同名文件"):
        admin.restore(admin.recycled()[0])
    assert (tmp_path / "data" / "小.txt").read_text(encoding="utf-8") == "新的内容。"


@pytest.mark.browser
def test_an_ask_back_offers_documents_that_answer_when_clicked(browser, tmp_path: Path, embedder) -> None:
    from test_quality import PLAN_A, PLAN_B

    data = tmp_path / "data"
    data.mkdir()
    (data / "养老服务方案.txt").write_text(PLAN_A, encoding="utf-8")
    (data / "托育服务方案.txt").write_text(PLAN_B, encoding="utf-8")
    running = Server(tmp_path, embedder)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(running.url)
        page.wait_for_selector("#wy-question textarea", timeout=60_000)
        page.fill("#wy-question textarea", "总体要求的指导思想是什么？")
        page.click("#wy-send")
        page.wait_for_selector("#wy-chat a.wy-candidate", timeout=30_000)
        assert "您问的是哪份文件" in page.inner_text("#wy-chat")
        assert page.locator("#wy-chat a.wy-candidate").count() == 2
        assert "托育" in page.inner_text("#wy-sources") and "养老" in page.inner_text("#wy-sources")
        page.locator("#wy-chat a.wy-candidate", has_text="养老").click()
        page.wait_for_function(
            "() => document.querySelector('#wy-chat').innerText.includes('居家社区机构相协调')", timeout=30_000)
        assert "某市养老服务体系建设实施方案" in page.inner_text("#wy-sources")
        assert "普惠托育" not in page.inner_text("#wy-sources")
    finally:
        context.close()
        running.stop()


def test_a_call_naming_a_server_file_never_copies_it(tmp_path: Path, embedder) -> None:
    import httpx

    _corpus(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("这是服务器上的机密文件内容 7f3a9c", encoding="utf-8")
    running = Server(tmp_path, embedder)
    try:
        # administration is open here (no token): the documents page's upload event is reachable
        payload = {"data": [[{"path": str(secret), "orig_name": "x.txt", "meta": {"_type": "gradio.FileData"}}]]}
        started = httpx.post(running.url + "/admin/gradio_api/call/upload", json=payload)
        assert started.status_code == 200
        event = started.json()["event_id"]
        result = httpx.get(running.url + f"/admin/gradio_api/call/upload/{event}", timeout=30).text
        assert "event: error" in result
        assert not (tmp_path / "data" / "x.txt").exists()
        import tempfile

        gradio_cache = Path(os.environ.get("GRADIO_TEMP_DIR", Path(tempfile.gettempdir()) / "gradio"))
        copies = [p for p in gradio_cache.rglob("secret.txt")] if gradio_cache.exists() else []
        assert not any("7f3a9c" in p.read_text(encoding="utf-8", errors="replace") for p in copies)
    finally:
        running.stop()


def test_monitoring_is_closed_pages_carry_a_full_policy_and_unknown_hosts_are_refused(server) -> None:
    import httpx

    for path in ("/monitoring", "/monitoring/summary", "/gradio_api/monitoring"):
        assert httpx.get(server.url + path).status_code == 404
    # the chat shows no files: Gradio's cache (where the documents page's uploads land) is not served through it
    assert httpx.get(server.url + "/gradio_api/file=/tmp/gradio/x/上传.txt").status_code == 404
    page = httpx.get(server.url + "/")
    policy = page.headers["content-security-policy"]
    assert page.status_code == 200 and "default-src 'self'" in policy and "object-src 'none'" in policy
    rebound = httpx.get(server.url + "/api/health", headers={"Host": f"evil.example:{server.port}"})
    assert rebound.status_code == 400
    assert httpx.get(server.url + "/api/health", headers={"Host": f"localhost:{server.port}"}).status_code == 200


def test_every_route_records_the_question_and_administrators_export_it_as_csv(tmp_path: Path, embedder) -> None:
    import csv
    import io

    import httpx
    from gradio_client import Client

    from wenyuan.web.admin import AdminHandlers
    from wenyuan.web.ui import ChatHandlers

    _corpus(tmp_path)
    running = Server(tmp_path, embedder, question_log=tmp_path / "logs" / "questions.jsonl")
    try:
        httpx.post(running.url + "/api/ask", json={"question": "城镇化率提升到了多少？"})
        httpx.post(running.url + "/api/ask/stream", json={"question": "组织领导方面提了哪几条要求？"})
        Client(running.url + "/", verbose=False).predict("政务新媒体的基本原则有哪些？", api_name="/ask")
        from wenyuan.web.questionlog import QuestionLog

        log = QuestionLog(tmp_path / "logs" / "questions.jsonl")
        list(ChatHandlers(running.assistant, stream_delay=0, questions=log).respond("今年GDP增长目标是多少？", [], []))
        exported = Path(AdminHandlers(running.assistant, log).export_questions())
        rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8").lstrip("\ufeff"))))
    finally:
        running.stop()
    assert [row["route"] for row in rows] == ["api", "api", "gradio-api", "chat"]
    first = rows[0]
    assert first["question"] == "城镇化率提升到了多少？" and first["refused"] == "False" and SEED.name in first["documents"]
    assert "60.37%" in first["answer"] and int(first["milliseconds"]) >= 0
    assert rows[3]["refused"] == "True"  # what was not answered is recorded too


def test_a_wrong_admin_token_is_refused_without_a_traceback_in_the_log(tmp_path: Path, embedder, capfd) -> None:
    import httpx
    from gradio_client import Client

    _corpus(tmp_path)
    protected = Server(tmp_path, embedder, admin_token="s3cret")
    try:
        with pytest.raises(Exception):
            Client(protected.url + "/admin/", verbose=False, headers={"X-Wenyuan-Admin": "wrong"})
        assert httpx.post(protected.url + "/login", data={"token": "wrong"}).status_code == 303
    finally:
        protected.stop()
    assert "Traceback" not in capfd.readouterr().err


def test_a_file_that_failed_to_index_can_be_chosen_for_removal(tmp_path: Path, embedder) -> None:
    from wenyuan.assistant import Assistant
    from wenyuan.config import Settings
    from wenyuan.web.admin import AdminHandlers

    data = tmp_path / "data"
    data.mkdir()
    (data / "通知.txt").write_text("关于开展检查的通知\n各单位要在10日内完成自查。", encoding="utf-8")
    (data / "损坏的文件.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    assistant = Assistant(Settings(data_dir=data, index_dir=tmp_path / "index", progress=False), embedder)
    assistant.build()
    admin = AdminHandlers(assistant)
    _, status, choices, _ = admin.listing()
    assert "损坏的文件.pdf" in status and "损坏的文件.pdf" in choices["choices"]
    assert "回收站" in admin.delete("损坏的文件.pdf") and not (data / "损坏的文件.pdf").exists()
    assert admin.listing()[3]["choices"][0].endswith("/损坏的文件.pdf")


def test_a_client_asking_too_fast_gets_429_with_retry_after(tmp_path: Path, embedder) -> None:
    import httpx

    _corpus(tmp_path)
    limited = Server(tmp_path, embedder, questions_per_minute=3)
    try:
        codes = [httpx.post(limited.url + "/api/ask", json={"question": "城镇化率提升到了多少？"}).status_code
                 for _ in range(3)]
        refused = httpx.post(limited.url + "/api/ask/stream", json={"question": "城镇化率提升到了多少？"})
        gradio = httpx.post(limited.url + "/gradio_api/call/ask", json={"data": ["城镇化率提升到了多少？"]})
        other = httpx.post(limited.url + "/api/ask", json={"question": "城镇化率提升到了多少？"},
                           headers={"X-Wenyuan-Key": "another-client"})
    finally:
        limited.stop()
    assert codes == [200, 200, 200]
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert gradio.status_code == 429  # the same budget on Gradio's routes
    assert other.status_code != 429  # another client has its own


def test_a_request_body_of_megabytes_is_refused_before_it_is_read(server) -> None:
    import httpx

    huge = json.dumps({"question": "城镇化率", "history": [{"question": "问" * 1000, "answer": "答" * 1000}] * 400})
    response = httpx.post(server.url + "/api/ask", content=huge.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_rebuild_during_200_concurrent_questions_gives_no_error(tmp_path: Path, embedder) -> None:
    """Twenty clients ask 200 questions through the REST API while another thread rebuilds the index with a new
    document: every answer arrives whole and cited, and afterwards the new document answers."""
    import concurrent.futures
    import threading

    import httpx

    data = _corpus(tmp_path)
    running = Server(tmp_path, embedder, questions_per_minute=0)
    questions = ["城镇化率提升到了多少？", "组织领导方面提了哪几条要求？", "政务新媒体的基本原则有哪些？",
                 "学习教育的目标任务是什么？"]
    rebuilt = threading.Event()

    def rebuild() -> None:
        (data / NEW_DOC).write_text(NEW_TEXT, encoding="utf-8")
        report = running.assistant.build()
        assert report.added == (NEW_DOC,)
        rebuilt.set()

    def ask(number: int) -> tuple[int, dict]:
        if number == 60:
            threading.Thread(target=rebuild).start()
        response = httpx.post(running.url + "/api/ask", json={"question": questions[number % len(questions)]},
                              timeout=60)
        return response.status_code, response.json()

    try:
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            results = list(pool.map(ask, range(200)))
        assert rebuilt.wait(120)
        assert all(status == 200 for status, _ in results), [r for r in results if r[0] != 200][:3]
        assert all(body["citations"] and body["answer"] for _, body in results if not body["refused"])
        assert sum(not body["refused"] for _, body in results) >= 150
        after = httpx.post(running.url + "/api/ask", json={"question": "全市要建成多少个智慧养老服务平台？"}).json()
        assert after["citations"][0]["doc"] == NEW_DOC
    finally:
        running.stop()


def test_an_upload_interrupted_midway_leaves_no_file_behind(tmp_path: Path, embedder, monkeypatch) -> None:
    """A client that drops the connection halfway through its upload, and a copy into data/ that fails halfway
    (disk full): neither leaves a file, whole or partial, in data/."""
    import socket

    from wenyuan.web import admin as admin_module

    data = _corpus(tmp_path)
    before = sorted(p.name for p in data.iterdir())
    running = Server(tmp_path, embedder)
    try:
        boundary = "wenyuanboundary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"半截.txt\"\r\n"
                "Content-Type: text/plain\r\n\r\n").encode()
        body = head + "一、总则\n内容。".encode() * 20_000  # the rest of the body and its end never come
        with socket.create_connection(("127.0.0.1", running.port)) as raw:
            raw.sendall((f"POST /admin/gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1:{running.port}\r\n"
                         f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                         f"Content-Length: {len(body) * 2}\r\n\r\n").encode() + body)
        assert sorted(p.name for p in data.iterdir()) == before
    finally:
        running.stop()

    source = tmp_path / "新文件.txt"
    source.write_text(NEW_TEXT * 50, encoding="utf-8")

    def copy_then_fail(from_path, to_path) -> None:
        Path(to_path).write_bytes(Path(from_path).read_bytes()[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(admin_module.shutil, "copyfile", copy_then_fail)
    handlers = admin_module.AdminHandlers(Assistant(Settings(data_dir=data, index_dir=tmp_path / "index2"), embedder))
    assert "✗ 新文件.txt：保存失败（No space left on device）" in handlers.upload([str(source)])
    assert sorted(p.name for p in data.iterdir()) == before


def test_questions_are_asked_within_chosen_documents_and_filters(server) -> None:
    """REST, streaming and the Gradio API take `documents` and `filters` (type, year, issuer); the answer cites
    only documents in the scope and says which scope it was asked within."""
    import httpx
    from gradio_client import Client

    def ask(**payload) -> dict:
        return httpx.post(server.url + "/api/ask", json={"question": "政务新媒体的基本原则有哪些？", **payload}).json()

    open_answer = ask()
    assert not open_answer["refused"] and open_answer["scope"] is None
    scoped = ask(filters={"issuer": "国务院办公厅", "year": 2018, "type": "意见"})
    assert scoped["scope"] == "范围：类型：意见；2018年；发文机关：国务院办公厅" and not scoped["refused"]
    assert {c["doc"] for c in scoped["citations"]} == {GOV}
    speech_only = ask(documents=[SEED.name])
    assert speech_only["scope"] == "范围：《树立和践行正确政绩观学习教育动员部署会讲话》"
    assert all(c["doc"] == SEED.name for c in speech_only["citations"])
    assert speech_only["refused"] == ("所选范围的文件中没有找到" in speech_only["answer"])
    nothing = ask(filters={"year": 1990})
    assert nothing["refused"] and "所选范围内没有文件（1990年）" in nothing["answer"] and not nothing["citations"]
    assert httpx.post(server.url + "/api/ask", json={"question": "问", "filters": {"year": "明年"}}).status_code == 422
    streamed = httpx.post(server.url + "/api/ask/stream", json={"question": "城镇化率提升到了多少？",
                                                                 "filters": {"type": "讲话"}}).text
    assert '"scope": "范围：类型：讲话"' in streamed and "60.37%" in streamed
    via_gradio = Client(server.url + "/", verbose=False).predict(
        "政务新媒体的基本原则有哪些？", [GOV], {"type": "意见"}, api_name="/ask")
    assert via_gradio["scope"].startswith("范围：《国务院办公厅关于推进政务新媒体健康有序发展的意见》")
    assert {c["doc"] for c in via_gradio["citations"]} == {GOV}


@pytest.mark.browser
def test_a_source_card_limits_the_next_questions_to_its_document(page) -> None:
    _ask(page, "政务新媒体的基本原则有哪些？")
    page.click("#wy-scope button")  # open the scope panel: the choice shows there
    page.wait_for_selector("#wy-scope-docs", timeout=10_000)
    page.locator("#wy-sources a.wy-only").first.click()
    page.wait_for_function("() => document.querySelector('#wy-scope-docs').innerText.includes('政务新媒体')",
                           timeout=15_000)
    _ask(page, "城镇化率提升到了多少？")  # the speech holds it, but the scope is the 意见 now
    page.wait_for_function("() => document.querySelector('#wy-chat').innerText.includes('范围：《国务院办公厅')",
                           timeout=15_000)
    last = page.locator("#wy-chat .message").last.inner_text()
    assert "范围：《国务院办公厅关于推进政务新媒体健康有序发展的意见》" in last and "60.37" not in last
    page.click("#wy-scope-clear")
    page.wait_for_function("() => !document.querySelector('#wy-scope-docs').innerText.includes('政务新媒体')",
                           timeout=15_000)
    _ask(page, "城镇化率提升到了多少？")
    page.wait_for_function("() => document.querySelector('#wy-chat').innerText.includes('60.37%')", timeout=15_000)


def _docx_paragraphs(content: bytes) -> list[str]:
    import io

    import docx

    return [paragraph.text for paragraph in docx.Document(io.BytesIO(content)).paragraphs]


def test_an_answer_exports_as_a_word_file_with_its_sources(server) -> None:
    import httpx
    from docx import Document as WordDocument

    answer = httpx.post(server.url + "/api/ask", json={"question": "组织领导方面提了哪几条要求？"}).json()
    exported = httpx.post(server.url + "/api/export/docx", json=answer)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "filename*=UTF-8''%E9%97%AE%E7%AD%94" in exported.headers["content-disposition"]  # 问答-….docx
    paragraphs = _docx_paragraphs(exported.content)
    assert paragraphs[0] == "问答摘录" and "问：组织领导方面提了哪几条要求？" in paragraphs
    assert any(p.startswith("答：") and "一要压紧压实工作责任" in p for p in paragraphs)
    sources = [p for p in paragraphs if p.startswith("【来源")]
    assert len(sources) == len(answer["citations"]) >= 4
    assert sources[0].startswith("【来源1】《树立和践行正确政绩观学习教育动员部署会讲话》")
    assert f"“{answer['citations'][1]['quote'].strip()}”" in paragraphs
    import io

    fonts = WordDocument(io.BytesIO(exported.content)).styles["Normal"].element.xml
    assert 'w:eastAsia="仿宋"' in fonts
    assert httpx.post(server.url + "/api/export/docx", json={"question": "问"}).status_code == 422
    assert httpx.get(server.url + "/api/export/not-a-token").status_code == 404


@pytest.mark.browser
def test_export_word_downloads_the_answer_from_the_chat(page) -> None:
    _ask(page, "城镇化率提升到了多少？")
    page.wait_for_selector("#wy-chat a[href^='#wy-word-']", timeout=15_000)
    with page.expect_download(timeout=30_000) as waiting:
        page.locator("#wy-chat a[href^='#wy-word-']").last.click()
    download = waiting.value
    assert download.suggested_filename == "问答-城镇化率提升到了多少？.docx"
    paragraphs = _docx_paragraphs(Path(download.path()).read_bytes())
    assert "问：城镇化率提升到了多少？" in paragraphs and any("60.37%" in p for p in paragraphs)
    assert any(p.startswith("【来源1】《树立和践行正确政绩观学习教育动员部署会讲话》") for p in paragraphs)


def test_answers_are_rated_through_the_api_and_the_ratings_exported(tmp_path: Path, embedder) -> None:
    import csv
    import io

    import httpx

    from wenyuan.web.admin import AdminHandlers

    _corpus(tmp_path)
    running = Server(tmp_path, embedder, question_log=tmp_path / "logs" / "questions.jsonl")
    try:
        answer = httpx.post(running.url + "/api/ask", json={"question": "城镇化率提升到了多少？"}).json()
        other = httpx.post(running.url + "/api/ask", json={"question": "政务新媒体的基本原则有哪些？"}).json()
        assert answer["id"] and other["id"] and answer["id"] != other["id"]

        def rate(**payload) -> int:
            return httpx.post(running.url + "/api/feedback", json=payload).status_code

        assert rate(id=answer["id"], rating="up") == 204
        assert rate(id=other["id"], rating="down", reason="引用不对") == 204
        assert rate(id="0123456789abcdef", rating="up") == 404  # no such answer
        assert rate(id=answer["id"], rating="meh") == 422
        streamed = httpx.post(running.url + "/api/ask/stream", json={"question": "城镇化率提升到了多少？"}).text
        assert '"id": "' in streamed
        from wenyuan.web.questionlog import QuestionLog

        exported = AdminHandlers(running.assistant, QuestionLog(tmp_path / "logs" / "questions.jsonl")).export_questions()
    finally:
        running.stop()
    rows = list(csv.DictReader(io.StringIO(Path(exported).read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert [(row["rating"], row["reason"]) for row in rows] == [("up", ""), ("down", "引用不对"), ("", "")]


@pytest.mark.browser
def test_a_thumbs_down_with_a_reason_is_stored_with_the_question(browser, tmp_path: Path, embedder) -> None:
    _corpus(tmp_path)
    log = tmp_path / "logs" / "questions.jsonl"
    running = Server(tmp_path, embedder, question_log=log)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(running.url)
        page.wait_for_selector("#wy-question textarea", timeout=60_000)
        _ask(page, "城镇化率提升到了多少？")
        page.wait_for_function("() => document.querySelector('#wy-chat').innerText.includes('60.37%')", timeout=15_000)
        page.locator("#wy-chat button[aria-label='赞']").last.click()  # 👍 first, then changed to a reason
        page.wait_for_function("() => document.body.innerText.includes('已记录您的评价')", timeout=15_000)
        page.locator("#wy-chat button[aria-label='Feedback']").last.click()
        page.locator("#wy-chat button.extra-feedback-option", has_text="引用不对").last.click()
        page.wait_for_function("() => document.body.innerText.includes('已记录您的意见')", timeout=15_000)
    finally:
        context.close()
        running.stop()
    ratings = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if '"rated"' in line]
    asked = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if '"question"' in line]
    # the latest rating of an answer is the one that counts (the CSV export keeps it)
    assert (ratings[0]["rated"], ratings[0]["rating"]) == (asked[0]["id"], "up")
    assert (ratings[-1]["rated"], ratings[-1]["rating"], ratings[-1]["reason"]) == (asked[0]["id"], "down", "引用不对")


@pytest.mark.browser
def test_on_a_phone_the_source_viewer_leads_back_to_the_conversation(browser, server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    try:
        page = context.new_page()
        page.goto(server.url)
        page.wait_for_selector("#wy-question textarea", timeout=60_000)
        _ask(page, "城镇化率提升到了多少？")
        page.locator("#wy-chat a.wy-chip").first.click()
        page.wait_for_selector("#wy-hl", timeout=15_000)
        back = page.locator("#wy-viewer a.wy-back")
        assert back.is_visible()
        page.wait_for_function("() => document.getElementById('wy-chat').getBoundingClientRect().bottom < 0",
                               timeout=10_000)  # the viewer is far below the chat on a narrow screen
        back.click()
        page.wait_for_function("() => Math.abs(document.getElementById('wy-chat').getBoundingClientRect().top) < 120",
                               timeout=10_000)
    finally:
        context.close()


def test_a_question_in_english_is_told_to_ask_in_chinese(server) -> None:
    import httpx

    answer = httpx.post(server.url + "/api/ask", json={"question": "What is the urbanisation rate?"}).json()
    assert answer["refused"] and "文件都是中文的，请用中文提问" in answer["answer"]
    chinese = httpx.post(server.url + "/api/ask", json={"question": "今年GDP增长目标是多少？"}).json()
    assert chinese["refused"] and "请用中文提问" not in chinese["answer"]  # a Chinese refusal stays as it was


def test_example_questions_name_their_document_and_ask_about_different_things(server) -> None:
    from wenyuan.web.ui import _example, example_questions

    examples = example_questions(server.assistant)
    assert examples and all(q.startswith("《") and q.endswith("？") for q in examples)
    assert len(examples) == len({q.split("》", 1)[0] for q in examples})  # one a document
    assert _example("推进政务新媒体健康有序发展的意见", "基本原则") == "《推进政务新媒体健康有序发展的意见》有哪些基本原则？"
    assert _example("国家职业教育改革实施方案", "总体要求") == "《国家职业教育改革实施方案》提出了哪些总体要求？"
    assert _example("某方案", "加强组织领导") == "《某方案》在“加强组织领导”方面提了哪些要求？"


def test_the_usage_dashboard_counts_questions_and_groups_knowledge_gaps(embedder) -> None:
    from wenyuan.web.usage import usage

    def entry(day: str, question: str, refused: bool = False, rating: str = "", reason: str = "", ms: int = 20):
        return {"time": f"2026-11-{day}T08:00:00+00:00", "question": question, "refused": refused,
                "milliseconds": ms, "rating": rating, "reason": reason}

    entries = [entry("25", "城镇化率提升到了多少？", rating="up"), entry("25", "城镇化率提升到了多少？"),
               entry("26", "今年GDP增长目标是多少？", refused=True, ms=40),
               entry("26", "今年的GDP增长预期目标定为多少？", refused=True),
               entry("26", "政务新媒体的基本原则有哪些？", rating="down", reason="引用不对", ms=30),
               entry("27", "养老机构床位补贴标准是多少？", refused=True)]
    figures = usage(entries, embedder)
    assert (figures.questions, figures.refused, figures.rated, figures.down, figures.median_ms) == (6, 3, 2, 1, 20)
    assert figures.per_day == [("2026-11-25", 2, 0), ("2026-11-26", 3, 2), ("2026-11-27", 1, 1)]
    assert figures.top[0] == ("城镇化率提升到了多少？", 2)
    assert "拒答 50%（3 个）" in figures.summary() and "50%（1/2）" in figures.summary()
    largest = figures.gaps[0]  # the two GDP questions are one gap
    assert largest.count == 2 and set(largest.examples) == {"今年GDP增长目标是多少？", "今年的GDP增长预期目标定为多少？"}
    assert sorted(gap.count for gap in figures.gaps) == [1, 1, 2]
    assert any(gap.reasons == ("引用不对",) for gap in figures.gaps)


@pytest.mark.browser
def test_administrators_see_ratings_and_gaps_on_the_usage_tab(browser, tmp_path: Path, embedder) -> None:
    import httpx

    _corpus(tmp_path)
    running = Server(tmp_path, embedder, question_log=tmp_path / "logs" / "questions.jsonl")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        for question in ("城镇化率提升到了多少？", "今年GDP增长目标是多少？", "今年的GDP增长预期目标定为多少？"):
            answer = httpx.post(running.url + "/api/ask", json={"question": question}).json()
        httpx.post(running.url + "/api/feedback", json={"id": answer["id"], "rating": "down", "reason": "应该拒答"})
        page = context.new_page()
        outside = []
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith((running.url, "data:", "blob:")) else None)
        page.goto(running.url + "/admin/")
        page.get_by_role("tab", name="使用情况").click()
        page.wait_for_function("() => document.querySelector('#wy-usage-summary').innerText.includes('共 3 个问题')",
                               timeout=30_000)
        assert "拒答 67%（2 个）" in page.inner_text("#wy-usage-summary")
        gaps = page.inner_text("#wy-usage-gaps")
        assert "今年GDP增长目标是多少？" in gaps and "应该拒答" in gaps
        page.wait_for_selector("#wy-usage-days svg, #wy-usage-days canvas", timeout=15_000)
        assert outside == []  # the plot is drawn by the page itself: nothing from a CDN
    finally:
        context.close()
        running.stop()


def _viewing(context, server, name: str):
    """A page of the documents tab with one file chosen in "查看一份文件", its reading shown."""
    page = context.new_page()
    page.goto(server.url + "/admin/")
    page.click("#wy-view-choice input")
    page.get_by_role("option", name=name, exact=True).click()
    page.wait_for_selector("#wy-document-view .wy-docview", timeout=15_000)
    return page


@pytest.mark.browser
def test_the_documents_page_shows_how_a_file_was_read_and_split(browser, server) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        page = _viewing(context, server, GOV)
        view = page.locator("#wy-document-view")
        facts = view.locator("table").inner_text()
        assert "国务院办公厅关于推进政务新媒体健康有序发展的意见" in facts and "国务院办公厅" in facts and "意见" in facts
        outline = view.locator("details > summary").all_inner_texts()
        assert any(text.startswith("一、总体要求（") for text in outline)
        assert view.locator("details .wy-chunk").first.is_hidden()  # collapsed until opened
        view.locator("details > summary", has_text="一、总体要求").first.click()
        assert view.locator("details[open] .wy-chunk").count() >= 1
    finally:
        context.close()


@pytest.mark.browser
def test_past_conversations_are_kept_in_the_browser_and_reopen_whole(page, server) -> None:
    _ask(page, "组织领导方面提了哪几条要求？")
    page.wait_for_function("() => document.querySelector('#wy-chat').innerText.includes('一要压紧压实工作责任')",
                           timeout=15_000)
    page.click("#wy-new")
    _ask(page, "城镇化率提升到了多少？")
    page.wait_for_function("() => document.querySelector('#wy-chat').innerText.includes('60.37%')", timeout=15_000)
    page.wait_for_timeout(1000)
    page.reload()  # kept by the browser itself, across page loads
    page.wait_for_selector("#wy-question textarea", timeout=60_000)
    page.click("#wy-past button")
    page.click("#wy-past-choice input")
    options = page.get_by_role("option").all_inner_texts()
    assert len(options) == 2 and "城镇化率提升到了多少？" in options[0] and "组织领导方面" in options[1]
    page.get_by_role("option", name=re.compile("组织领导方面")).click()
    page.click("#wy-past-open")
    page.wait_for_function("() => document.querySelector('#wy-chat').innerText.includes('一要压紧压实工作责任')",
                           timeout=15_000)
    assert "60.37%" not in page.inner_text("#wy-chat")
    _ask(page, "第二项具体怎么要求？")  # the reopened answer's items are data again: the follow-up resolves
    page.wait_for_function(
        "() => { const m = [...document.querySelectorAll('#wy-chat .message')]; const last = m[m.length - 1];"
        " return last.innerText.startsWith('检索问题：二要坚持分类指导') && last.innerText.includes('据《'); }",
        timeout=15_000)
    page.click("#wy-past-choice input")
    page.get_by_role("option", name=re.compile("城镇化率")).click()
    page.click("#wy-past-delete")
    page.click("#wy-past-choice input")
    page.wait_for_function("() => [...document.querySelectorAll('[role=option]')].length === 1", timeout=10_000)
    assert "组织领导方面" in page.get_by_role("option").first.inner_text()


@pytest.mark.browser
def test_gradio_labels_its_controls_in_chinese_in_an_english_browser(browser, server) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        page = context.new_page()
        page.goto(server.url + "/admin/")
        page.wait_for_selector("#wy-upload", timeout=60_000)
        upload = page.inner_text("#wy-upload")
        assert "Drop File Here" not in upload and "拖放" in upload
        page.goto(server.url)
        page.wait_for_selector("#wy-question textarea", timeout=60_000)
        _ask(page, "城镇化率提升到了多少？")
        page.wait_for_selector("#wy-chat button[aria-label='清空对话']", timeout=15_000)  # not "Clear"
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
    finally:
        context.close()


@pytest.mark.browser
def test_the_viewer_lists_a_documents_tasks_and_downloads_them(page) -> None:
    from openpyxl import load_workbook

    _ask(page, "组织领导方面提了哪几条要求？")
    page.locator("#wy-chat a.wy-chip").first.click()
    page.wait_for_selector("#wy-viewer .wy-tasks-link", timeout=15_000)
    page.click("#wy-viewer .wy-tasks-link")
    page.wait_for_selector("#wy-viewer .wy-task-table", timeout=15_000)
    table = page.inner_text("#wy-viewer .wy-task-table")
    for item in ("一要在“深学”上下功夫", "四要把学习教育与健全制度机制紧密结合起来", "一要压紧压实工作责任"):
        assert item in table
    row = page.locator("#wy-viewer .wy-task-table tr", has_text="二要坚持分类指导")
    row.locator("a").click()  # its 出处: the item, highlighted in the document
    page.wait_for_selector("#wy-hl", timeout=15_000)
    assert page.inner_text("#wy-hl").startswith("二要坚持分类指导")
    page.click("#wy-viewer .wy-tasks-link")  # back to the list, and its Excel file
    page.wait_for_selector("#wy-viewer a.wy-download", timeout=15_000)
    with page.expect_download(timeout=30_000) as waiting:
        page.locator("#wy-viewer a.wy-download", has_text="Excel").click()
    assert waiting.value.suggested_filename.startswith("任务分解-树立和践行正确政绩观")
    sheet = load_workbook(io.BytesIO(Path(waiting.value.path()).read_bytes())).active
    assert sheet["A3"].value == "序号" and sheet.max_row >= 3 + 9
    assert "四要做到两手抓两促进" in [cell.value for cell in sheet["B"]]


@pytest.mark.browser
def test_the_documents_page_gives_a_files_task_list(browser, server) -> None:
    from openpyxl import load_workbook

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
    try:
        page = _viewing(context, server, GOV)
        page.click("#wy-tasks-button")
        page.wait_for_selector("#wy-document-view .wy-task-table", timeout=15_000)
        table = page.inner_text("#wy-document-view .wy-task-table")
        assert "牵头单位" in table and "完成时限" in table
        with page.expect_download(timeout=30_000) as waiting:
            page.click("#wy-tasks-xlsx")
        assert waiting.value.suggested_filename.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(Path(waiting.value.path()).read_bytes())).active
        assert sheet["A1"].value == "《国务院办公厅关于推进政务新媒体健康有序发展的意见》任务分解表"
        assert sheet.max_row - 3 == page.locator("#wy-document-view .wy-task-table tr").count() - 1
    finally:
        context.close()
