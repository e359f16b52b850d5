"""Several knowledge bases in one server: each its own documents, index, chat, documents page and API at
/kb/<name>/, and a page at / that lists those the person may use.

Who may use which comes from the intranet's authenticating proxy: it names the person's groups in a header
(`WENYUAN_GROUP_HEADER`, default X-Forwarded-Groups) and `WENYUAN_KB_GROUPS` says which groups each base admits. The
header must come from that proxy only: the server should listen where nothing else reaches it (127.0.0.1 behind the
proxy), as any client can send the header itself. Each base has its own admin token (`WENYUAN_KB_ADMIN_TOKENS`).
"""

from __future__ import annotations

import html
import logging
import re
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from wenyuan.assistant import Assistant
from wenyuan.config import Settings

log = logging.getLogger(__name__)

_SLUG = re.compile(r"[A-Za-z0-9_-]{1,40}")
_PREFIX = "/kb/"


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """One knowledge base: its name as people see it, its path in URLs, its settings and the groups it admits."""

    name: str
    slug: str
    settings: Settings
    groups: frozenset[str]  # empty: everyone

    def admits(self, groups: set[str]) -> bool:
        return not self.groups or bool(self.groups & groups)


def _pairs(text: str | None) -> dict[str, str]:
    """'a=x;b=y' as {a: x, b: y}."""
    found = {}
    for part in (text or "").split(";"):
        name, _, value = part.partition("=")
        if name.strip() and value.strip():
            found[name.strip()] = value.strip()
    return found


def knowledge_bases(settings: Settings) -> list[KnowledgeBase]:
    """The knowledge bases the settings name, each with its own data folder, index folder, Milvus collection,
    question log and admin token."""
    if settings.knowledge_bases == "folders":
        folders = {folder.name: folder for folder in sorted(Path(settings.data_dir).iterdir())
                   if folder.is_dir() and not folder.name.startswith(".")}
    else:
        folders = {name: Path(folder) for name, folder in _pairs(settings.knowledge_bases).items()}
    if not folders:
        raise ValueError(f"WENYUAN_KNOWLEDGE_BASES={settings.knowledge_bases!r} names no knowledge base "
                         "('folders', or 'name=folder;name2=folder2')")
    groups = {name: frozenset(g.strip() for g in value.split("|") if g.strip())
              for name, value in _pairs(settings.kb_groups).items()}
    tokens = _pairs(settings.kb_admin_tokens)
    unknown = (set(groups) | set(tokens)) - set(folders)
    if unknown:
        raise ValueError(f"WENYUAN_KB_GROUPS / WENYUAN_KB_ADMIN_TOKENS name no knowledge base: {sorted(unknown)}")
    bases = []
    for number, (name, folder) in enumerate(folders.items(), 1):
        slug = name if _SLUG.fullmatch(name) else f"kb{number}"
        log_file = settings.question_log
        own = settings.model_copy(update={
            "data_dir": folder, "index_dir": Path(settings.index_dir) / slug, "knowledge_bases": None,
            "milvus_collection": f"{settings.milvus_collection}_{slug.replace('-', '_')}",
            "admin_token": tokens.get(name, settings.admin_token),
            "question_log": log_file.with_name(f"{log_file.stem}-{slug}{log_file.suffix}") if log_file else None,
        })
        bases.append(KnowledgeBase(name, slug, own, groups.get(name, frozenset())))
    return bases


def groups_of(request_headers, header: str) -> set[str]:
    """The person's groups, as the authenticating proxy names them."""
    return {g.strip() for g in (request_headers.get(header) or "").split(",") if g.strip()}


def create_library(settings: Settings, embedder=None) -> FastAPI:
    """The server of several knowledge bases: each one's app (as `create_app` makes it) at /kb/<slug>/, their
    indexes built on first start, and the list at / and /api/knowledge-bases."""
    from wenyuan.web.server import create_app, ensure_index

    bases = knowledge_bases(settings)
    apps = []
    for base in bases:
        assistant = Assistant(base.settings, embedder)
        embedder = assistant.embedder  # one model in memory for all bases
        ensure_index(assistant)
        apps.append(create_app(assistant))

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # a mounted app's own startup (Gradio's queue) runs only when told to
        async with AsyncExitStack() as stack:
            for mounted in apps:
                await stack.enter_async_context(mounted.router.lifespan_context(mounted))
            yield

    library = FastAPI(title="文渊 · 知识库", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @library.middleware("http")
    async def admitted(request: Request, call_next) -> Response:
        path = request.url.path
        if path.startswith(_PREFIX):
            slug = path[len(_PREFIX):].split("/", 1)[0]
            base = next((b for b in bases if b.slug == slug), None)
            if base is not None and not base.admits(groups_of(request.headers, settings.group_header)):
                return JSONResponse({"detail": f"您所在的用户组无权使用知识库“{base.name}”"}, status_code=403)
        return await call_next(request)

    def visible(request: Request) -> list[KnowledgeBase]:
        groups = groups_of(request.headers, settings.group_header)
        return [base for base in bases if base.admits(groups)]

    @library.get("/api/knowledge-bases")
    def listed(request: Request) -> list[dict]:
        """The knowledge bases this person may use: name and path."""
        return [{"name": base.name, "path": f"{_PREFIX}{base.slug}/"} for base in visible(request)]

    @library.get("/", response_class=HTMLResponse)
    def chooser(request: Request) -> HTMLResponse:
        items = "".join(f'<li><a href="kb/{base.slug}/">{html.escape(base.name)}</a></li>' for base in visible(request))
        body = f"<ul>{items}</ul>" if items else "<p>您所在的用户组没有可用的知识库，请联系管理员。</p>"
        return HTMLResponse(
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>文渊 · 知识库</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<style>body{font-family:sans-serif;max-width:40em;margin:3em auto;line-height:1.8}"
            "a{color:#1d4ed8;font-size:1.2em}</style></head>"
            f"<body><h2>文渊 · 请选择知识库</h2>{body}</body></html>",
            headers={"Cache-Control": "no-store"})

    for base, app in zip(bases, apps):
        library.mount(f"{_PREFIX}{base.slug}", app)
    return library
