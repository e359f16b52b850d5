"""Take the README's screenshots of the running app with Debian's Chromium: chat, source viewer, documents tab.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png
"""

from __future__ import annotations

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
    index = Path(tempfile.mkdtemp()) / "index"
    server = subprocess.Popen(
        [sys.executable, "-m", "wenyuan.cli", "serve", "--port", str(port), "--index", str(index), "--data", str(ROOT / "data")]
    )
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
            page.get_by_role("tab", name="文档管理").click()
            page.wait_for_selector("#wy-doc-table")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / "documents.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
