"""Shared fixtures: every test in its own folder, one real embedder and one demo index per session."""

from __future__ import annotations

import os
import shutil
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
def demo_assistant(demo_dir: Path, embedder):
    from wenyuan.assistant import Assistant
    from wenyuan.config import Settings

    assistant = Assistant(Settings(data_dir=demo_dir / "data", index_dir=demo_dir / "index", progress=False), embedder)
    assistant.build()
    return assistant
