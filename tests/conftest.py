"""Shared fixtures: every test in its own folder, one real embedder and one demo index per session."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never download model weights
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PROJECT = Path(__file__).resolve().parents[1]
DATA = PROJECT / "data"
SEED = DATA / "树立和践行正确政绩观学习教育动员部署会讲话.txt"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each test in its own empty folder, with no WENYUAN_* settings leaking in from the environment."""
    for name in list(os.environ):
        if name.startswith("WENYUAN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def embedder():
    """The bundled USE-multilingual-v3 embedder, loaded once."""
    from wenyuan.embed import UseEmbedder

    return UseEmbedder()


class CountingEmbedder:
    """The real embedder, counting how many texts it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.texts = 0

    def embed(self, texts, *, query=False):
        if not query:
            self.texts += len(texts)
        return self.inner.embed(texts, query=query)


@pytest.fixture
def counting_embedder(embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled demo corpus with its index built once for the session."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(DATA, root / "data")
    return root


@pytest.fixture(scope="session")
def milvus_demo_assistant(demo_dir: Path, embedder):
    """The demo corpus indexed with its passages in Milvus Lite (a file in the session's temporary folder)."""
    from wenyuan.assistant import Assistant
    from wenyuan.config import Settings

    assistant = Assistant(Settings(data_dir=demo_dir / "data", index_dir=demo_dir / "index-milvus", progress=False,
                                   store="milvus"), embedder)
    assistant.build()
    return assistant


@pytest.fixture(scope="session")
def demo_assistant(demo_dir: Path, embedder):
    from wenyuan.assistant import Assistant
    from wenyuan.config import Settings

    assistant = Assistant(Settings(data_dir=demo_dir / "data", index_dir=demo_dir / "index", progress=False), embedder)
    assistant.build()
    return assistant


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalApp:
    """A FastAPI app (a fake of a service we do not own) served by uvicorn in a thread on a free local port."""

    def __init__(self, app, log_level: str = "warning", ready: str = "/docs") -> None:
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level=log_level))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}{ready}", timeout=1)
                break
            except OSError:
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class Server:
    """The real app (FastAPI + Gradio) served by uvicorn in a thread on a free local port."""

    def __init__(self, root: Path, embedder, **overrides) -> None:
        import uvicorn

        from wenyuan.assistant import Assistant
        from wenyuan.config import Settings
        from wenyuan.web.server import create_app, ensure_index

        settings = Settings(data_dir=root / "data", index_dir=root / "index", progress=False, **overrides)
        self.assistant = Assistant(settings, embedder)
        ensure_index(self.assistant)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(self.assistant)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/health", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the app did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    with playwright.sync_playwright() as driver:
        instance = driver.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        yield instance
        instance.close()
