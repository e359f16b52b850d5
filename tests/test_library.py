"""Several knowledge bases in one server: each at /kb/<name>/ with its own documents, index, chat, API and admin
token; who may use which from the authenticating proxy's group header."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from conftest import DATA, SEED, LocalApp
from wenyuan.config import Settings
from wenyuan.web.library import create_library, knowledge_bases

MEDIA = "国务院办公厅关于推进政务新媒体健康有序发展的意见.txt"


def test_knowledge_bases_from_folders_or_named(tmp_path: Path) -> None:
    for name in ("统战部", "zhengwu", ".回收站"):
        (tmp_path / "data" / name).mkdir(parents=True)
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index", knowledge_bases="folders",
                        kb_groups="统战部=tzb|leaders", kb_admin_tokens="zhengwu=secret-zw", admin_token="secret-all")
    bases = {base.name: base for base in knowledge_bases(settings)}
    assert set(bases) == {"统战部", "zhengwu"}  # hidden folders are none
    assert bases["zhengwu"].slug == "zhengwu" and bases["统战部"].slug.startswith("kb")
    assert bases["统战部"].settings.index_dir == tmp_path / "index" / bases["统战部"].slug
    assert bases["统战部"].groups == {"tzb", "leaders"} and not bases["zhengwu"].groups
    assert bases["zhengwu"].settings.admin_token == "secret-zw" and bases["统战部"].settings.admin_token == "secret-all"
    assert bases["zhengwu"].settings.milvus_collection == "wenyuan_zhengwu"
    assert bases["zhengwu"].settings.question_log.name == "questions-zhengwu.jsonl"
    named = Settings(knowledge_bases=f"a={tmp_path / 'x'};b={tmp_path / 'y'}")
    assert [(b.name, b.settings.data_dir) for b in knowledge_bases(named)] == [("a", tmp_path / "x"), ("b", tmp_path / "y")]
    with pytest.raises(ValueError, match="name no knowledge base"):
        knowledge_bases(Settings(knowledge_bases="a=x", kb_groups="c=g"))


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, embedder):
    root = tmp_path_factory.mktemp("library")
    (root / "data" / "speech").mkdir(parents=True)
    (root / "data" / "media").mkdir(parents=True)
    shutil.copy(SEED, root / "data" / "speech")
    shutil.copy(DATA / MEDIA, root / "data" / "media")
    settings = Settings(data_dir=root / "data", index_dir=root / "index", progress=False, knowledge_bases="folders",
                        kb_groups="media=press", kb_admin_tokens="speech=token-speech;media=token-media",
                        question_log=root / "logs" / "questions.jsonl")
    served = LocalApp(create_library(settings, embedder), ready="/api/knowledge-bases")
    yield served
    served.stop()


def test_each_knowledge_base_answers_from_its_own_documents(library) -> None:
    speech = httpx.post(library.url + "/kb/speech/api/ask", json={"question": "城镇化率提升到了多少？"}).json()
    assert "60.37%" in speech["answer"] and speech["citations"][0]["doc"] == SEED.name
    media = httpx.post(library.url + "/kb/media/api/ask", json={"question": "政务新媒体的基本原则有哪些？"},
                       headers={"X-Forwarded-Groups": "staff, press"}).json()
    assert {c["doc"] for c in media["citations"]} == {MEDIA}
    other = httpx.post(library.url + "/kb/speech/api/ask", json={"question": "政务新媒体的基本原则有哪些？"}).json()
    assert all(c["doc"] == SEED.name for c in other["citations"])  # never the other base's document


def test_a_base_is_used_only_by_the_groups_it_admits(library) -> None:
    anonymous = httpx.get(library.url + "/api/knowledge-bases").json()
    assert anonymous == [{"name": "speech", "path": "/kb/speech/"}]
    press = httpx.get(library.url + "/api/knowledge-bases", headers={"X-Forwarded-Groups": "press"}).json()
    assert [base["name"] for base in press] == ["media", "speech"]
    refused = httpx.post(library.url + "/kb/media/api/ask", json={"question": "基本原则有哪些？"})
    assert refused.status_code == 403 and "media" in refused.json()["detail"]
    assert httpx.get(library.url + "/kb/media/").status_code == 403
    assert httpx.get(library.url + "/kb/media/admin/", headers={"X-Forwarded-Groups": "staff"}).status_code == 403
    page = httpx.get(library.url + "/", headers={"X-Forwarded-Groups": "press"}).text
    assert 'href="kb/media/"' in page and 'href="kb/speech/"' in page
    assert 'href="kb/media/"' not in httpx.get(library.url + "/").text


def test_each_base_has_its_own_admin_token(library) -> None:
    session = "/kb/speech/api/admin/session"
    assert httpx.post(library.url + session, headers={"X-Wenyuan-Admin": "token-media"}).status_code == 401
    opened = httpx.post(library.url + session, headers={"X-Wenyuan-Admin": "token-speech"})
    assert opened.status_code == 204 and "Path=/kb/speech/" in opened.headers["set-cookie"]


@pytest.mark.browser
def test_a_person_picks_a_base_and_asks_in_its_chat(browser, library) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(library.url + "/")
        page.click("a[href='kb/speech/']")
        page.wait_for_selector("#wy-question textarea", timeout=60_000)
        page.fill("#wy-question textarea", "城镇化率提升到了多少？")
        page.click("#wy-send")
        page.wait_for_selector("#wy-sources .wy-card", timeout=30_000)
        assert "60.37%" in page.inner_text("#wy-chat")
        page.goto(library.url + "/kb/speech/embed")  # the widget's page finds its script and API under the base
        page.wait_for_selector("textarea, input", timeout=30_000)
        assert page.evaluate("document.querySelector('script[src]').src").endswith("/kb/speech/embed.js")
    finally:
        context.close()


def test_the_command_line_asks_one_knowledge_base(tmp_path: Path, monkeypatch, capsys) -> None:
    import json

    from wenyuan import cli

    (tmp_path / "data" / "speech").mkdir(parents=True)
    shutil.copy(SEED, tmp_path / "data" / "speech")
    monkeypatch.setenv("WENYUAN_KNOWLEDGE_BASES", "folders")
    monkeypatch.setenv("WENYUAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WENYUAN_INDEX_DIR", str(tmp_path / "index"))
    assert cli.main(["index", "--kb", "speech", "--quiet", str(tmp_path / "data" / "speech")]) == 0
    assert (tmp_path / "index" / "speech" / "manifest.json").exists()
    capsys.readouterr()
    assert cli.main(["ask", "--kb", "speech", "--json", "城镇化率提升到了多少？"]) == 0
    assert "60.37%" in json.loads(capsys.readouterr().out)["answer"]
    with pytest.raises(SystemExit, match="no knowledge base 'other'"):
        cli.main(["ask", "--kb", "other", "城镇化率提升到了多少？"])
