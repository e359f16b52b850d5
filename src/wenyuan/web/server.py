"""The web server: FastAPI with the Gradio app mounted at /, plus plain HTTP routes for health and asking."""

from __future__ import annotations

import html
import json
import logging
import os
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from fastapi import FastAPI, Header, HTTPException, Request  # noqa: E402
from fastapi.middleware.cors import CORSMiddleware  # noqa: E402
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

from wenyuan.assistant import Assistant  # noqa: E402
from wenyuan.config import Settings  # noqa: E402
from wenyuan.index import MANIFEST  # noqa: E402
from wenyuan.types import Answer  # noqa: E402
from wenyuan.web.render import stream_points  # noqa: E402
from wenyuan.web.security import KEY_HEADER, Access, normalise_origin  # noqa: E402

log = logging.getLogger(__name__)


def _event(name: str, payload: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


class Turn(BaseModel):
    question: str = ""
    answer: str = ""
    mode: str = "fact"
    refused: bool = False


class AskRequest(BaseModel):
    question: str = Field(..., min_length=1, max_length=2000, description="The question, in Chinese.")
    history: list[Turn] = Field(
        default_factory=list, max_length=50,
        description="Earlier turns of the conversation (as returned by this API), for follow-up questions.",
    )

    def past(self) -> list[Answer]:
        return [Answer(t.question, t.answer, (), t.refused, t.mode) for t in self.history]


def ensure_index(assistant: Assistant) -> None:
    """Build the index from data/ on first start, when there is none yet."""
    if not (assistant.settings.index_dir / MANIFEST).exists():
        log.warning("no index in %s: building it from %s", assistant.settings.index_dir, assistant.settings.data_dir)
        report = assistant.build()
        log.warning("%s", report.summary())


def create_app(assistant: Assistant) -> FastAPI:
    """The ASGI app: REST routes, the widget and embed page, then the Gradio UI at /."""
    import gradio as gr

    from wenyuan.web.ui import CSS, HEAD, build_ui

    access = Access(assistant.settings)
    app = FastAPI(
        title="文渊 API",
        description="Cited answers from Chinese documents. Calls from the browser need an allowed origin; "
        f"when widget keys are configured, /api/ask needs one in the {KEY_HEADER} header.",
        version="0.1.0",
    )
    app.add_middleware(
        CORSMiddleware, allow_origins=access.origins, allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", KEY_HEADER], max_age=600,
    )

    @app.middleware("http")
    async def guard(request: Request, call_next):
        own = f"{request.url.scheme}://{request.url.netloc}"
        if request.url.path.startswith("/api/") and not access.origin_allowed(request.headers.get("origin"), own):
            return JSONResponse({"detail": "this origin is not allowed to call the API"}, status_code=403)
        response = await call_next(request)
        if "content-security-policy" not in response.headers:
            response.headers["Content-Security-Policy"] = f"frame-ancestors {access.frame_ancestors()}"
        return response

    def permitted(key: str | None) -> None:
        if not access.may_ask(key):
            raise HTTPException(status_code=401, detail=f"a valid widget key is needed in the {KEY_HEADER} header")

    @app.get("/api/health")
    def health() -> dict:
        """Whether the app can answer, and how much it has indexed."""
        try:
            manifest = assistant.index.manifest
        except Exception as error:  # the app is up but cannot answer yet
            return {"status": "no-index", "detail": str(error)}
        return {"status": "ok", "documents": len(manifest["documents"]), "chunks": manifest["chunks"],
                "embedder": manifest["embedder"]["name"]}

    @app.post("/api/ask")
    def ask(request: AskRequest, key: str | None = Header(None, alias=KEY_HEADER)) -> dict:
        """The answer with its citations, in the CLI's --json schema."""
        permitted(key)
        return assistant.ask(request.question, request.past()).to_json()

    @app.post("/api/ask/stream")
    def ask_stream(request: AskRequest, key: str | None = Header(None, alias=KEY_HEADER)) -> StreamingResponse:
        """Server-sent events: `delta` events carry the answer text as it grows, a final `answer` event the JSON."""
        permitted(key)

        def events():
            answer = assistant.ask(request.question, request.past())
            sent = 0
            for point in stream_points(answer):
                yield _event("delta", {"text": answer.text[sent:point]})
                sent = point
            payload = answer.to_json()
            payload["passages"] = [
                {"n": c.n, "passage": c.passage, "passage_start": c.passage_start, "page": c.page}
                for c in answer.citations
            ]
            yield _event("answer", payload)

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.get("/widget.js", include_in_schema=False)
    def widget_script() -> Response:
        return Response(_static("widget.js"), media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"})

    @app.get("/embed.js", include_in_schema=False)
    def embed_script() -> Response:
        return Response(_static("embed.js"), media_type="text/javascript; charset=utf-8")

    @app.get("/embed", include_in_schema=False)
    def embed_page(title: str = "政策问答助手", key: str = "", parent: str = "") -> HTMLResponse:
        config = {"title": title[:40], "key": key, "parent": normalise_origin(parent) if parent else "",
                  "allowedParents": access.origins}
        page = _static("embed.html").replace("{{config}}", html.escape(json.dumps(config, ensure_ascii=False)))
        page = page.replace("{{title}}", html.escape(title[:40]))
        policy = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            f"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {access.frame_ancestors()}"
        )
        return HTMLResponse(page, headers={"Content-Security-Policy": policy, "Cache-Control": "no-cache"})

    demo = build_ui(assistant)
    return gr.mount_gradio_app(
        app, demo, path="/", css=CSS, head=HEAD, ssr_mode=False,
        max_file_size=f"{int(assistant.settings.max_file_mb)}mb", footer_links=["api"],
    )


def _static(name: str) -> str:
    return (Path(__file__).parent / "static" / name).read_text(encoding="utf-8")


def serve(settings: Settings) -> None:
    """Start the web app and block."""
    import uvicorn

    assistant = Assistant(settings)
    ensure_index(assistant)
    app = create_app(assistant)
    print(f"文渊 is serving on http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
