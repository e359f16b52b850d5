"""The web server: FastAPI with the Gradio app mounted at /, plus plain HTTP routes for health and asking."""

from __future__ import annotations

import collections
import html
import json
import logging
import math
import os
import secrets
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Literal
from urllib.parse import quote

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from fastapi import Depends, FastAPI, HTTPException, Request  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi.middleware.cors import CORSMiddleware  # noqa: E402
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse  # noqa: E402
from fastapi.security import APIKeyHeader  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

from wenyuan.assistant import Assistant, QuestionRejected, checked_question  # noqa: E402
from wenyuan.web.questionlog import QuestionLog  # noqa: E402
from wenyuan.config import Settings  # noqa: E402
from wenyuan.export import answer_docx, export_name  # noqa: E402
from wenyuan.tasks import checklist, checklist_file, checklist_json  # noqa: E402
from wenyuan.index import MANIFEST, IndexNotUsable  # noqa: E402
from wenyuan.types import Answer, AnswerItem, Scope  # noqa: E402
from wenyuan.web.render import checked_note, stream_points  # noqa: E402
from wenyuan.web.security import ADMIN_COOKIE, ADMIN_HEADER, KEY_HEADER, Access, normalise_origin  # noqa: E402

log = logging.getLogger(__name__)


def _event(name: str, payload: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


class ItemOut(BaseModel):
    doc: str = Field(description="The item's document, as in citations' doc.")
    start: int = Field(description="Offset of the item in the cleaned document text.")
    end: int
    text: str = Field(description="The item's own words (its heading or lead clause).")


class CandidateOut(BaseModel):
    doc: str
    title: str
    quote: str = Field(description="The opening words of its best passage.")


class Turn(BaseModel):
    question: str = ""
    answer: str = ""
    mode: str = "fact"
    refused: bool = False
    items: list[ItemOut] = Field(default_factory=list, description="A list answer's items, for '第二项…' follow-ups.")


class Filters(BaseModel):
    type: str | None = Field(None, max_length=20, description="Document type, e.g. 通知, 意见, 办法 (a type ending so counts).")
    year: int | None = Field(None, ge=1949, le=2100, description="The year the document was issued.")
    issuer: str | None = Field(None, max_length=60, description="A part of the issuing body's name, e.g. 国务院办公厅.")


class Rating(BaseModel):
    id: str = Field(..., min_length=1, max_length=40, description='The answer\'s "id", as /api/ask returned it.')
    rating: Literal["up", "down"]
    reason: str | None = Field(None, max_length=200, description="Why, for a 👎: 答非所问, 不完整, 引用不对, 应该拒答 or words.")


class AskRequest(BaseModel):
    question: str = Field(..., min_length=1, max_length=2000, description="The question, in Chinese.")
    history: list[Turn] = Field(
        default_factory=list, max_length=50,
        description="Earlier turns of the conversation (as returned by this API), for follow-up questions.",
    )
    documents: list[str] | None = Field(
        None, max_length=200,
        description='Answer only from these documents (paths as in citations\' "doc"), e.g. after an ask_back.',
    )
    filters: Filters | None = Field(None, description="Answer only from documents with this metadata.")

    def scope(self) -> Scope | None:
        filters = self.filters or Filters()
        return Scope.chosen(self.documents, filters.type, filters.year, filters.issuer)

    def past(self) -> list[Answer]:
        return [
            Answer(t.question, t.answer, (), t.refused, t.mode,
                   items=tuple(AnswerItem(i.doc, i.start, i.end, i.text) for i in t.items))
            for t in self.history
        ]


class CitationOut(BaseModel):
    n: int = Field(description="The number of the [n] marker in the answer.")
    doc: str = Field(description="File name of the document, relative to data/.")
    title: str
    heading_path: list[str] = Field(description="Title, then the headings from the top level down to the passage.")
    start: int = Field(description="Offset of the quote in the cleaned document text.")
    end: int
    quote: str = Field(description="The quoted sentence(s), exactly as in the document.")
    score: float
    number: str | None = Field(None, description="The document's 文号, when it has one.")
    date: str | None = Field(None, description="The document's date (ISO), from its 落款 or subtitle, when found.")
    page: int | None = Field(None, description="The PDF or OFD page the passage is on.")
    ocr: bool = Field(False, description="The passage was read from a scan by OCR: check it against the original.")


class SentenceOut(BaseModel):
    text: str
    status: Literal["verified", "re-cited", "unverified"] = Field(
        description="verified: the cited passages hold its figures and key words; re-cited: another retrieved passage "
                    "does, and it cites that one; unverified: none does (shown only with WENYUAN_LLM_UNVERIFIED=mark).")


class AskResponse(BaseModel):
    question: str
    answer: str = Field(description="Every sentence ends with [n] markers; a refusal starts with 文档中没有找到.")
    refused: bool
    citations: list[CitationOut]
    mode: str = Field(description='"list", "number", "fact", "refused", "ask_back" or "llm".')
    items: list[ItemOut] = Field(default_factory=list, description="A list answer's items, in order.")
    candidates: list[CandidateOut] = Field(
        default_factory=list, description='For "ask_back": the documents the question could mean; ask again naming one.'
    )
    scope: str | None = Field(None, description="When documents or filters were given: the scope, as shown to people.")
    id: str | None = Field(None, description="The answer's id in the question log, to rate it (POST /api/feedback).")
    searched: str | None = Field(None, description="A follow-up as it was searched (第二项… → the item; in LLM mode the "
                                                  "model's standalone rewrite), when it differs from the question.")
    sentences: list[SentenceOut] = Field(
        default_factory=list, description='An LLM answer ("llm" mode): each sentence and how it was checked.')


class Health(BaseModel):
    status: str = Field(description='"ok", or "no-index" while there is nothing to answer from.')
    documents: int | None = None
    chunks: int | None = None
    embedder: str | None = None
    detail: str | None = None


# Paths a browser on another page could call: the REST API, Gradio's own API (the chat's queue), administration.
_GUARDED = ("/api/", "/gradio_api/", "/admin", "/login", "/logout")
# Gradio's upload route writes files to its temp folder before any event handler runs: the chat takes no files.
_UPLOADS = ("/gradio_api/upload", "/gradio_api/process_recording")
_CHAT_FILES = ("/gradio_api/file=", "/gradio_api/file/", "/file=")
# Everything under it is the documents page (a Gradio app of its own): page, events, API and uploads alike.
ADMIN_PATH = "/admin"


def ensure_index(assistant: Assistant) -> None:
    """Build the index from data/ on first start, when there is none yet, or when it was made by another version
    (unchanged documents keep their vectors when only the BM25 word list changed)."""
    if (assistant.settings.index_dir / MANIFEST).exists():
        try:
            assistant.index
            return
        except IndexNotUsable as error:
            log.warning("%s: rebuilding it", error)
    else:
        log.warning("no index in %s: building it from %s", assistant.settings.index_dir, assistant.settings.data_dir)
    report = assistant.build()
    log.warning("%s", report.summary())


def create_app(assistant: Assistant) -> FastAPI:
    """The ASGI app: REST routes, the widget and embed page, then the Gradio UI at /."""
    import gradio as gr

    from wenyuan.web.admin import ADMIN_CSS, build_admin_ui
    from wenyuan.web.ui import CSS, HEAD, build_ui

    access = Access(assistant.settings)
    app = FastAPI(
        title="文渊 API",
        description="Cited answers from Chinese documents. Calls from the browser need an allowed origin; "
        f"when widget keys are configured, /api/ask needs one in the {KEY_HEADER} header.",
        version="0.1.0",
        docs_url=None,  # FastAPI's pages load Swagger UI / ReDoc from a CDN: nothing here may; /openapi.json stays
        redoc_url=None,
    )
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        """422 with where and why, never the input itself: echoing a megabyte, or a lone surrogate that cannot
        be encoded (a 500), helps nobody."""
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in error.errors()]
        return JSONResponse(status_code=422, content={"detail": detail})

    widget_key = APIKeyHeader(name=KEY_HEADER, auto_error=False, description="A widget key (only when keys are configured).")
    app.add_middleware(
        CORSMiddleware, allow_origins=access.origins, allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", KEY_HEADER], max_age=600,
    )

    hosts = _allowed_hosts(assistant.settings)
    limiter = _RateLimiter(assistant.settings.questions_per_minute)
    logins = _RateLimiter(_LOGINS_PER_MINUTE)
    exports = Exports()
    if not assistant.settings.admin_token:
        log.warning("administration is open: set WENYUAN_ADMIN_TOKEN to require a password for upload, delete and rebuild")
    questions = QuestionLog(assistant.settings.question_log) if assistant.settings.question_log else None

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if hosts and request.url.hostname not in hosts:  # a DNS-rebinding page reaches us under its own name
            return JSONResponse({"detail": "unknown host"}, status_code=400)
        path = _route_path(request)
        if path.startswith(_MONITORING):  # Gradio's monitoring pages: nobody's business here
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        client = request.client.host if request.client else ""
        administering = path == ADMIN_PATH or path.startswith(ADMIN_PATH + "/")
        if administering and not access.may_administer(request.headers.get(ADMIN_HEADER),
                                                        request.cookies.get(ADMIN_COOKIE)):
            wait = logins.wait(client) if request.headers.get(ADMIN_HEADER) else 0  # a token being guessed
            if wait:
                return _too_many("管理口令尝试过于频繁", wait)
            if request.method == "GET" and path in (ADMIN_PATH, ADMIN_PATH + "/"):
                return RedirectResponse("../login" if path.endswith("/") else "login", status_code=303)
            return JSONResponse({"detail": "需要管理口令：请先登录文档管理"}, status_code=401)
        if path.startswith(_CHAT_FILES):  # the chat shows no files; Gradio's cache holds the administrators' uploads
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        declared = request.headers.get("content-length", "")
        uploading = path.startswith(tuple(ADMIN_PATH + upload for upload in _UPLOADS))
        if declared.isdigit() and int(declared) > _MAX_REQUEST_BYTES and not uploading:
            return JSONResponse({"detail": "请求过大"}, status_code=413)  # a question and its history are kilobytes
        if request.method == "POST" and path.startswith(_ASKING):
            wait = limiter.wait(request.headers.get(KEY_HEADER) or client)
            if wait:
                return _too_many("提问过于频繁", wait)
        if path.startswith(_GUARDED) and not access.origin_allowed(request.headers.get("origin"),
                                                                               _own_origin(request)):
            return JSONResponse({"detail": "this origin is not allowed to call the API"}, status_code=403)
        if path.startswith(_UPLOADS):
            return JSONResponse({"detail": "问答页面不接受文件：上传请到“文档管理”"}, status_code=403)
        if request.method == "POST" and path in ("/login", "/api/admin/session"):
            wait = logins.wait(client)
            if wait:
                return _too_many("登录尝试过于频繁", wait)
        response = await call_next(request)
        if request.method == "GET" and path in ("/", ADMIN_PATH + "/") \
                and response.headers.get("content-type", "").startswith("text/html"):
            response = await _with_chinese_labels(response)
        if "content-security-policy" not in response.headers:
            response.headers["Content-Security-Policy"] = _PAGE_POLICY + f"; frame-ancestors {access.frame_ancestors()}"
        return response

    def permitted(key: str | None = Depends(widget_key)) -> None:
        if not access.may_ask(key):
            raise HTTPException(status_code=401, detail=f"a valid widget key is needed in the {KEY_HEADER} header")

    @app.get("/api/health", response_model=Health, response_model_exclude_none=True)
    def health() -> dict:
        """Whether the app can answer, and how much it has indexed."""
        try:
            manifest = assistant.index.manifest
        except Exception as error:  # the app is up but cannot answer yet
            return {"status": "no-index", "detail": str(error)}
        return {"status": "ok", "documents": len(manifest.documents), "chunks": manifest.chunks,
                "embedder": manifest.embedder.name}

    def _check(question: str) -> None:
        try:
            checked_question(question, assistant.settings.max_question_chars)
        except QuestionRejected as error:
            raise HTTPException(status_code=422, detail=str(error)) from None

    @app.post("/api/ask", response_model=AskResponse, dependencies=[Depends(permitted)],
              responses={401: {"description": "widget keys are configured and none valid was sent"},
                         403: {"description": "called from a browser page whose origin is not allowed"}})
    def ask(request: AskRequest, key: str | None = Depends(widget_key)) -> dict:
        """The answer with its citations, in the CLI's --json schema."""
        _check(request.question)
        began = time.perf_counter()
        answer = assistant.ask(request.question, request.past(), scope=request.scope())
        answer_id = questions.record("widget" if key else "api", answer, time.perf_counter() - began) \
            if questions is not None else None
        return answer.to_json(answer_id)

    @app.post("/api/ask/stream", dependencies=[Depends(permitted)], response_class=StreamingResponse,
              responses={200: {"content": {"text/event-stream": {}},
                               "description": "`delta` events ({\"text\"}), then one `answer` event: the /api/ask "
                                              "JSON plus `passages` (n, passage, passage_start, page). The `answer` "
                                              "event is authoritative: with an LLM, unbacked sentences streamed "
                                              "before it are dropped and markers renumbered."}})
    def ask_stream(request: AskRequest, key: str | None = Depends(widget_key)) -> StreamingResponse:
        """Server-sent events: `delta` events carry the answer text as it grows, a final `answer` event the JSON."""
        _check(request.question)

        def produce():
            written, began = "", time.perf_counter()
            for item in assistant.ask_stream(request.question, request.past(), scope=request.scope()):
                if isinstance(item, Answer):
                    answer = item
                    break
                if item.startswith(written):  # an LLM writing: what it added
                    yield _event("delta", {"text": item[len(written):]})
                written = item
            answer_id = questions.record("widget" if key else "api", answer, time.perf_counter() - began) \
                if questions is not None else None
            if not written:  # the extractive answer is whole at once: sent one cited statement at a time
                sent = 0
                for point in stream_points(answer):
                    yield _event("delta", {"text": answer.text[sent:point]})
                    sent = point
            payload = answer.to_json(answer_id)
            payload["passages"] = [
                {"n": c.n, "passage": c.passage, "passage_start": c.passage_start, "page": c.page, "ocr": c.ocr}
                for c in answer.citations
            ]
            if answer.sentences:  # an LLM's answer: what the sentence check made of it, as the chat says it
                payload["checked"] = checked_note(answer)
            yield _event("answer", payload)

        return _ClosingStreamingResponse(_closing_stream(produce()), media_type="text/event-stream",
                                         headers={"Cache-Control": "no-cache"})

    @app.get("/api/tasks", dependencies=[Depends(permitted)],
             responses={404: {"description": "no indexed document by that name"},
                        200: {"content": {_DOCX: {}, _XLSX: {}}, "description": "JSON, or the file asked for"}})
    def task_list(doc: str, format: Literal["json", "xlsx", "docx"] = "json") -> Response:
        """任务分解: a document's requirements as rows (item, requirement, lead and participating units, deadline,
        citation), as `wenyuan tasks --json` gives them; `format=xlsx` or `docx` returns the table as a file."""
        index = assistant.index
        document = index.document_at(doc)
        if document is None:
            raise HTTPException(status_code=404, detail="没有这份文件（请用引用中的文件名）")
        rows = checklist(index, document.id)
        if format == "json":
            return JSONResponse(checklist_json(document, rows))
        return download(*checklist_file(document, rows, format), "tasks")

    @app.post("/api/feedback", dependencies=[Depends(permitted)], status_code=204,
              responses={404: {"description": "no answer with this id (or the question log is off)"}})
    def feedback(rating: Rating) -> Response:
        """A 👍 ("up") or 👎 ("down", with a reason such as 答非所问 / 不完整 / 引用不对 / 应该拒答) on an answer, by
        the id /api/ask gave it; stored with the question in the question log."""
        if questions is None or not questions.rate(rating.id, rating.rating, rating.reason or ""):
            raise HTTPException(status_code=404, detail="没有这条回答（或未启用问答记录）")
        return Response(status_code=204)

    @app.post("/api/export/docx", dependencies=[Depends(permitted)], response_class=Response,
              responses={200: {"content": {_DOCX: {}}, "description": "The answer as a Word file."}})
    def export_docx(answer: AskResponse) -> Response:
        """An answer (as /api/ask returned it) as a Word file: question, answer and numbered 【来源】 entries."""
        return download(export_name(answer.question), answer_docx(answer.model_dump()))

    @app.get("/api/export/{token}", include_in_schema=False)
    def exported(token: str) -> Response:
        found = exports.get(token)
        if found is None:
            raise HTTPException(status_code=404, detail="导出的文件已过期，请重新点击“导出 Word”")
        return download(*found)

    @app.post("/api/admin/session", include_in_schema=False, status_code=204)
    def admin_session(request: Request) -> Response:
        """The admin token (X-Wenyuan-Admin) opens a cookie session for the documents page, for scripts."""
        if not access.is_admin(request.headers.get(ADMIN_HEADER)):
            raise HTTPException(status_code=401, detail="wrong admin token")
        response = Response(status_code=204)
        _open_session(response, request)
        return response

    def _open_session(response: Response, request: Request) -> None:
        # each knowledge base mounted at /kb/<name>/ keeps its own session, under its own path
        response.set_cookie(ADMIN_COOKIE, access.admin_session(), httponly=True, samesite="strict",
                            path=_cookie_path(request), secure=assistant.settings.secure_cookies)

    @app.get("/login", include_in_schema=False)
    def login_page(failed: int = 0) -> HTMLResponse:
        message = '<p class="error" id="wy-login-error">口令不正确，请重试。</p>' if failed else ""
        if not assistant.settings.admin_token:
            message = '<p class="error">未设置管理口令（WENYUAN_ADMIN_TOKEN）：文档管理无需登录。</p>'
        return HTMLResponse(_static("login.html").replace("{{message}}", message), headers={"Cache-Control": "no-store"})

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        """The password form: a right token opens an admin session and goes to the documents page."""
        form = await request.form()
        token = form.get("token")
        if not isinstance(token, str) or not access.is_admin(token):
            return RedirectResponse("login?failed=1", status_code=303)
        response = RedirectResponse("admin/", status_code=303)
        _open_session(response, request)
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        response = RedirectResponse("./", status_code=303)
        response.delete_cookie(ADMIN_COOKIE, path=_cookie_path(request))
        return response

    @app.get("/widget.js", include_in_schema=False)
    def widget_script() -> Response:
        return Response(_static("widget.js"), media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"})

    @app.get("/embed.js", include_in_schema=False)
    def embed_script() -> Response:
        return Response(_static("embed.js"), media_type="text/javascript; charset=utf-8")

    @app.get("/embed", include_in_schema=False)
    def embed_page(request: Request, title: str = "政策问答助手", key: str = "", parent: str = "") -> HTMLResponse:
        # The page talks to its parent window only when that is an allowed origin; the list itself is not shown.
        parent = normalise_origin(parent) if parent else ""
        allowed = parent and access.origin_allowed(parent, _own_origin(request))
        config = {"title": title[:40], "key": key, "parent": parent if allowed else ""}
        page = _static("embed.html").replace("{{config}}", html.escape(json.dumps(config, ensure_ascii=False)))
        page = page.replace("{{title}}", html.escape(title[:40]))
        policy = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            f"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {access.frame_ancestors()}"
        )
        return HTMLResponse(page, headers={"Content-Security-Policy": policy, "Cache-Control": "no-cache"})

    blocked = [str(assistant.settings.index_dir.resolve())]
    # the documents page first: "/" would take every path
    documents_page = build_admin_ui(assistant, questions)
    gr.mount_gradio_app(
        app, documents_page, path=ADMIN_PATH, css=ADMIN_CSS, ssr_mode=False, footer_links=[], allowed_paths=[],
        max_file_size=int(assistant.settings.max_file_mb * (1 << 20)), blocked_paths=blocked,
        auth_dependency=lambda request: "admin" if access.may_administer(
            request.headers.get(ADMIN_HEADER), request.cookies.get(ADMIN_COOKIE)) else None,
    )
    demo = build_ui(assistant, questions, exports)
    mounted = gr.mount_gradio_app(
        app, demo, path="/", css=CSS, head=HEAD, ssr_mode=False, footer_links=[],
        allowed_paths=[], blocked_paths=blocked,
    )
    # Gradio checks the file paths a call names (only its own upload folder for inputs) once the app "has
    # launched"; mounting never says so, and without it any server file named in a call is copied and served
    demo.has_launched = documents_page.has_launched = True
    return mounted


_MONITORING = ("/monitoring", "/gradio_api/monitoring")
# the API routes that start an answer: REST and Gradio's API calls (the browser's own chat events go through
# Gradio's queue, whose concurrency limit bounds them already, and every click there is an event)
_ASKING = ("/api/ask", "/gradio_api/call/", "/gradio_api/run/")


class _RateLimiter:
    """At most `per_minute` requests per client in any sliding minute; says how many seconds to wait when over."""

    def __init__(self, per_minute: int) -> None:
        self._limit = per_minute
        self._seen: dict[str, collections.deque] = {}
        self._lock = threading.Lock()

    def wait(self, client: str) -> int:
        if self._limit <= 0:
            return 0
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > _MAX_CLIENTS:  # forget quiet clients so the table cannot grow without bound
                self._seen = {c: times for c, times in self._seen.items() if times and now - times[-1] < 60}
            times = self._seen.setdefault(client, collections.deque())
            while times and now - times[0] >= 60:
                times.popleft()
            if len(times) >= self._limit:
                return max(1, math.ceil(60 - (now - times[0])))
            times.append(now)
            return 0


_MAX_CLIENTS = 10_000
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_LOGINS_PER_MINUTE = 10  # password tries per client
_MAX_REQUEST_BYTES = 1 << 20  # any request but an upload: 2,000 characters and 50 turns of history fit many times
# Every page but the widget's own (which has a stricter one): only this server's scripts, styles, images and
# connections; Gradio's front end needs inline scripts and styles and blob: workers.
_PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' blob:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'"
)
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class Exports:
    """Word files made for the chat's "导出 Word" links, kept a few minutes under an unguessable name: the chat serves
    no files through Gradio, and the file is the person's own answer."""

    def __init__(self, seconds: float = 600, most: int = 200) -> None:
        self._files: dict[str, tuple[float, str, bytes]] = {}
        self._seconds, self._most = seconds, most
        self._lock = threading.Lock()

    def put(self, name: str, content: bytes) -> str:
        token = secrets.token_urlsafe(18)
        now = time.monotonic()
        with self._lock:
            self._files = {key: value for key, value in self._files.items() if value[0] > now}
            while len(self._files) >= self._most:
                self._files.pop(next(iter(self._files)))
            self._files[token] = (now + self._seconds, name, content)
        return token

    def get(self, token: str) -> tuple[str, bytes] | None:
        with self._lock:
            found = self._files.get(token)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1], found[2]


def download(name: str, content: bytes, plain: str = "answer") -> Response:
    """A Word or Excel file to save under its Chinese name (and `plain` for clients that read no other)."""
    suffix = name.rsplit(".", 1)[-1]
    return Response(content, media_type=_XLSX if suffix == "xlsx" else _DOCX, headers={
        "Content-Disposition": f"attachment; filename=\"{plain}.{suffix}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store"})


async def _with_chinese_labels(response: Response) -> Response:
    """The page with a script at the top of its <head> that says the browser reads Chinese, before Gradio's own
    scripts ask: Gradio labels its controls in the browser's language (Drop File Here on an English Windows), and
    a `head` given to Gradio is inserted only after its scripts have run."""
    from wenyuan.web.ui import CHINESE_LABELS

    body = b"".join([chunk async for chunk in response.body_iterator])
    body = body.replace(b"<head>", b"<head>" + CHINESE_LABELS.strip().encode(), 1).replace(
        b'lang="en"', b'lang="zh-CN"', 1)
    headers = {name: value for name, value in response.headers.items() if name.lower() != "content-length"}
    return Response(body, status_code=response.status_code, headers=headers)


def _too_many(what: str, wait: int) -> JSONResponse:
    """429, saying how many seconds to wait, in words and in Retry-After."""
    return JSONResponse({"detail": f"{what}，请 {wait} 秒后再试"}, status_code=429, headers={"Retry-After": str(wait)})


def _route_path(request: Request) -> str:
    """The path as the routes see it: without the root path a proxy mounts the app under."""
    path, root = request.url.path, request.scope.get("root_path", "")
    return path[len(root):] or "/" if root and path.startswith(root) else path


def _allowed_hosts(settings) -> frozenset[str]:
    """Host names requests may carry: those configured; for an app listening on loopback only, the loopback names;
    otherwise (behind a proxy that names it) any."""
    if settings.allowed_hosts:
        return frozenset(host.lower() for host in settings.allowed_hosts) | _LOOPBACK
    return _LOOPBACK if settings.host in _LOOPBACK else frozenset()


def _own_origin(request: Request) -> str:
    """This app's origin as the request reached it (behind a proxy: as the proxy passed it on)."""
    return f"{request.url.scheme}://{request.url.netloc}"


_END = object()


class _ClosingStreamingResponse(StreamingResponse):
    """Closes its event generator however the response ends (Starlette leaves it to the garbage collector)."""

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.body_iterator.aclose()


async def _closing_stream(events: Iterator[str]) -> AsyncIterator[str]:
    """The sync event generator, stepped in a worker thread, closed when this one is: a client who disconnects must
    not leave an LLM writing for nobody."""
    from anyio import CancelScope
    from starlette.concurrency import run_in_threadpool

    lock = threading.Lock()  # close() must wait for a step still running in its thread

    def step():
        with lock:
            return next(events, _END)

    def finish():
        with lock:
            events.close()

    try:
        while (item := await run_in_threadpool(step)) is not _END:
            yield item
    finally:
        with CancelScope(shield=True):
            await run_in_threadpool(finish)


def _static(name: str) -> str:
    return (Path(__file__).parent / "static" / name).read_text(encoding="utf-8")


def _cookie_path(request: Request) -> str:
    """Where the admin session cookie applies: the app's own path (/, or /kb/<name>/ in a library)."""
    return (request.scope.get("root_path") or "").rstrip("/") + "/"


def serve(settings: Settings) -> None:
    """Start the web app and block."""
    import uvicorn

    if settings.knowledge_bases:
        from wenyuan.web.library import create_library

        app = create_library(settings)
    else:
        assistant = Assistant(settings)
        ensure_index(assistant)
        app = create_app(assistant)
    print(f"文渊 is serving on http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
