"""Regenerate the images the project commits, from the real thing.

- ``docs/page.png``: the page on the headline example (12 April 2019 in the EU, 2019 compared, five years shown),
  as Debian's Chromium draws it from a real ``guidancekg serve`` on the bundled data;
- ``api/static/favicon.ico``: the icon browsers ask for at ``/favicon.ico``, drawn from
  ``api/static/page-favicon.svg`` at 16, 32 and 48 pixels.

Run from the checkout: ``.venv/bin/python -m scripts.images`` (both), or with ``page`` or ``favicon``.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# The flags that start Chromium here: no sandbox (root), no network services, nothing fetched at start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
HEADLINE = "/?drug=alemtuzumab&jurisdiction=EU&on=2019-04-12&compare=2019-01-01..2019-12-31&zoom=5y"
ICON_SIZES = (16, 32, 48)


def page_png(browser: Any, out: Path, base_url: str) -> Path:
    """Save the page of the server at ``base_url`` on the headline example to ``out``, drawn by ``browser``."""
    context = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="en-GB", timezone_id="UTC")
    try:
        tab = context.new_page()
        tab.goto(base_url + HEADLINE)
        tab.wait_for_selector("#chart svg .bar")
        tab.wait_for_timeout(300)
        out.parent.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(out))
    finally:
        context.close()
    return out


def favicon_ico(browser: Any, svg: Path, out: Path) -> Path:
    """Draw ``svg`` at each of :data:`ICON_SIZES` with ``browser`` and write the PNGs into one ICO file at ``out``."""
    text = svg.read_text(encoding="utf-8")
    images = []
    for size in ICON_SIZES:
        tab = browser.new_page(viewport={"width": size, "height": size})
        sized = text.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
        tab.set_content(f'<html><body style="margin:0;background:transparent">{sized}</body></html>')
        images.append((size, tab.screenshot(omit_background=True)))
        tab.close()
    # ICO: a header, one 16-byte entry per image (PNG payloads are allowed since Windows Vista), then the images.
    offset = 6 + 16 * len(images)
    entries, data = b"", b""
    for size, png in images:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    out.write_bytes(struct.pack("<HHH", 0, 1, len(images)) + entries + data)
    return out


def main(argv: list[str]) -> None:
    """Regenerate the images named in ``argv`` (``page``, ``favicon``; default both)."""
    from playwright.sync_api import sync_playwright

    from benchmarks.server import Server

    wanted = set(argv) or {"page", "favicon"}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        if "favicon" in wanted:
            print(favicon_ico(browser, REPO / "api/static/page-favicon.svg", REPO / "api/static/favicon.ico"))
        if "page" in wanted:
            with Server(data=REPO / "data", start_timeout=300) as server:
                print(page_png(browser, REPO / "docs/page.png", server.url))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
