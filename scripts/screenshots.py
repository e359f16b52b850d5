"""Take the README's screenshots of the running app with Debian's Chromium: chat, source viewer, documents page.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        portal_port = sock.getsockname()[1]
    portal_dir = Path(tempfile.mkdtemp())
    page_html = (ROOT / "examples" / "intranet-portal.html").read_text(encoding="utf-8")
    (portal_dir / "index.html").write_text(page_html.replace("http://127.0.0.1:7860", url), encoding="utf-8")
    index = Path(tempfile.mkdtemp()) / "index"
    env = {**os.environ, "WENYUAN_ALLOWED_ORIGINS": f"http://127.0.0.1:{portal_port}",
           "WENYUAN_WIDGET_KEYS": "PUBLIC-WIDGET-KEY", "WENYUAN_QUESTION_LOG": str(index.parent / "questions.jsonl")}
    server = subprocess.Popen(
        [sys.executable, "-m", "wenyuan.cli", "serve", "--port", str(port), "--index", str(index), "--data", str(ROOT / "data")],
        env=env,
    )
    portal = subprocess.Popen([sys.executable, "-m", "http.server", str(portal_port), "-b", "127.0.0.1", "-d", str(portal_dir)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/api/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            )
            page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
            page.goto(url)
            page.wait_for_selector("#wy-question textarea")
            page.fill("#wy-question textarea", "组织领导方面提了哪几条要求？")
            page.click("#wy-send")
            page.wait_for_selector("#wy-sources .wy-card")
            page.wait_for_timeout(800)
            page.screenshot(path=str(OUT / "chat.png"))
            page.locator("#wy-chat a.wy-chip").nth(1).click()
            page.wait_for_selector("#wy-hl")
            page.wait_for_timeout(1200)
            page.screenshot(path=str(OUT / "viewer.png"))
            # a question within chosen documents: the scope panel open, the answer saying its scope
            page.click("#wy-new")
            page.click("#wy-scope button")
            page.click("#wy-scope-kind input")
            page.get_by_role("option", name="意见", exact=True).click()
            page.fill("#wy-question textarea", "基本原则有哪些？")
            page.click("#wy-send")
            page.wait_for_function("() => document.querySelector('#wy-chat').innerText.includes('范围：类型：意见')")
            page.wait_for_timeout(1200)
            page.screenshot(path=str(OUT / "scope.png"))
            _log_some_questions(url)
            page.goto(url.rstrip("/") + "/admin/")
            page.wait_for_function("() => document.querySelector('#wy-doc-table')?.innerText.includes('国务院')")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / "documents.png"))
            page.click("#wy-view-choice input")
            page.get_by_role("option", name="国务院办公厅关于推进政务新媒体健康有序发展的意见.txt").click()
            page.wait_for_selector("#wy-document-view .wy-docview")
            page.locator("#wy-document-view details > summary").first.click()
            page.wait_for_timeout(600)
            page.locator("#wy-document-view").screenshot(path=str(OUT / "document-view.png"))
            page.get_by_role("tab", name="使用情况").click()
            page.wait_for_selector("#wy-usage-days svg, #wy-usage-days canvas")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / "usage.png"), full_page=True)
            page = browser.new_page(viewport={"width": 1200, "height": 800}, locale="zh-CN")
            page.goto(f"http://127.0.0.1:{portal_port}/index.html")
            page.wait_for_selector("#wenyuan-widget .launcher")
            page.wait_for_timeout(500)
            page.screenshot(path=str(OUT / "widget-closed.png"))
            page.locator("#wenyuan-widget .launcher").click()
            frame = page.frame_locator("#wenyuan-widget iframe")
            frame.locator("#question").fill("学习教育的目标任务是什么？")
            frame.locator("#ask button[type=submit]").click()
            frame.locator(".sources li").first.wait_for()
            page.wait_for_timeout(800)
            page.screenshot(path=str(OUT / "widget-open.png"))
            browser.close()
    finally:
        portal.terminate()
        server.terminate()
        server.wait(timeout=20)
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")
    return 0


def _log_some_questions(url: str) -> None:
    """A few questions through the REST API, one rated 👎, so the usage tab has something to show."""
    import json

    def post(path: str, payload: dict) -> dict:
        request = urllib.request.Request(url + path, data=json.dumps(payload).encode(), headers={
            "Content-Type": "application/json", "X-Wenyuan-Key": "PUBLIC-WIDGET-KEY"})
        with urllib.request.urlopen(request) as response:
            body = response.read()
        return json.loads(body) if body else {}

    for question in ("城镇化率提升到了多少？", "学习教育的目标任务是什么？", "今年GDP增长目标是多少？",
                     "今年的GDP增长预期目标定为多少？", "养老机构床位补贴标准是多少？", "城镇化率提升到了多少？"):
        answer = post("/api/ask", {"question": question})
    post("/api/feedback", {"id": answer["id"], "rating": "down", "reason": "不完整"})


if __name__ == "__main__":
    sys.exit(main())
