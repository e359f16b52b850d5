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
           "WENYUAN_WIDGET_KEYS": "PUBLIC-WIDGET-KEY"}
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
            page.goto(url.rstrip("/") + "/admin/")
            page.wait_for_function("() => document.querySelector('#wy-doc-table')?.innerText.includes('国务院')")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / "documents.png"))
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


if __name__ == "__main__":
    sys.exit(main())
