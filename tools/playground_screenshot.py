"""Regenerate docs/playground.png, the README's picture of ``tinynet playground``.

    python tools/playground_screenshot.py      # needs playwright and a Chromium

Starts the playground on a free port, plays SGD and RMSProp on moons until RMSProp's test
accuracy passes 0.9, pauses, and takes a screenshot.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from tinynet.playground.server import Playground

OUT = Path(__file__).resolve().parent.parent / "docs" / "playground.png"
VIEWPORT = {"width": 1280, "height": 800}  # the tests check the page fits it


def play_until(page, url: str, accuracy: float = 0.9) -> None:
    """Open the page, press play, wait until the second panel's test accuracy passes
    ``accuracy``, and pause (the tests drive the page the same way)."""
    page.goto(url)
    page.wait_for_selector("#acc-1")
    page.click("#play")
    page.wait_for_function(
        f"Number(document.getElementById('acc-1').textContent) > {accuracy}", timeout=60_000)
    page.click("#pause")


def main() -> None:
    from playwright.sync_api import sync_playwright

    server = Playground(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        page = browser.new_page(viewport=VIEWPORT)
        play_until(page, server.url, accuracy=0.95)  # a curved boundary by then
        OUT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(OUT))
        browser.close()
    server.shutdown()
    print("wrote", OUT)


if __name__ == "__main__":
    main()
