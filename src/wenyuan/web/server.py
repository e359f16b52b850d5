"""The web server: FastAPI with the Gradio app mounted at /, plus plain HTTP routes for health and asking."""

from __future__ import annotations

import json
import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from fastapi import FastAPI  # noqa: E402
from fastapi.responses import StreamingResponse  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

from wenyuan.assistant import Assistant  # noqa: E402
from wenyuan.config import Settings  # noqa: E402
from wenyuan.index import MANIFEST  # noqa: E402
from wenyuan.web.render import stream_points  # noqa: E402

log = logging.getLogger(__name__)


def _event(name: str, payload: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


class AskRequest(BaseModel):
    question: str = Field(..., min_length=1, max_length=2000, description="The question, in Chinese.")


def ensure_index(assistant: Assistant) -> None:
    """Build the index from data/ on first start, when there is none yet."""
    if not (assistant.settings.index_dir / MANIFEST).exists():
        log.warning("no index in %s: building it from %s", assistant.settings.index_dir, assistant.settings.data_dir)
        report = assistant.build()
        log.warning("%s", report.summary())


def create_app(assistant: Assistant) -> FastAPI:
    """The ASGI app: REST routes first, then the Gradio UI at /."""
    import gradio as gr

    from wenyuan.web.ui import CSS, HEAD, build_ui

    app = FastAPI(title="文渊 API", description="Cited answers from Chinese documents.", version="0.1.0")

    @app.get("/api/health")
    def health() -> dict:
        try:
            manifest = assistant.index.manifest
        except Exception as error:  # the app is up but cannot answer yet
            return {"status": "no-index", "detail": str(error)}
        return {"status": "ok", "documents": len(manifest["documents"]), "chunks": manifest["chunks"],
                "embedder": manifest["embedder"]["name"]}

    @app.post("/api/ask")
    def ask(request: AskRequest) -> dict:
        """The answer with its citations, in the CLI's --json schema."""
        return assistant.ask(request.question).to_json()

    @app.post("/api/ask/stream")
    def ask_stream(request: AskRequest) -> StreamingResponse:
        """Server-sent events: `delta` events carry the answer text as it grows, a final `answer` event the JSON."""

        def events():
            answer = assistant.ask(request.question)
            sent = 0
            for point in stream_points(answer):
                yield _event("delta", {"text": answer.text[sent:point]})
                sent = point
            yield _event("answer", answer.to_json())

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    demo = build_ui(assistant)
    return gr.mount_gradio_app(
        app, demo, path="/", css=CSS, head=HEAD, ssr_mode=False,
        max_file_size=f"{int(assistant.settings.max_file_mb)}mb", footer_links=["api"],
    )


def serve(settings: Settings) -> None:
    """Start the web app and block."""
    import uvicorn

    assistant = Assistant(settings)
    ensure_index(assistant)
    app = create_app(assistant)
    print(f"文渊 is serving on http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
