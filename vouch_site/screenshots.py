"""Phone and desktop, light and dark screenshots of each page type of a built site, for reviewers.

A change to the theme is judged by looking at it: this serves the built ``output/`` on a free local
port and photographs one page of every type with Debian's chromium (Playwright), full length; the
print pages (a card sheet, a certificate) are also photographed as printed: print media on an A4 page.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")  # fmt: skip
DEVICES = {"phone": (390, 844), "desktop": (1280, 900)}
SCHEMES = ("light", "dark")
A4 = (794, 1123)  # 210 x 297 mm at the 96 px an inch CSS prints at
EAGER = """Promise.all([...document.images].map((img) => {
  img.loading = "eager";
  return img.complete ? null : new Promise((done) => { img.onload = img.onerror = done; });
}))"""


@dataclass(frozen=True, slots=True)
class Shot:
    name: str  # the page type, e.g. "profile"
    path: str  # URL path under the site root
    printed: bool = False  # also photographed as printed (print media, A4)


def page_types(output: Path, query: str = "") -> list[Shot]:
    """One page of each type the build wrote (the first, in name order, where there are many)."""
    fixed = [
        Shot("home", ""),
        Shot("directory", "directory/"),
        Shot("areas", "areas/"),
        Shot("vetting", "vetting/"),
        Shot("articles", "articles/"),
        Shot("newsletter", "newsletter/"),
        Shot("search", "search/"),
        Shot("404", "404.html"),
    ]
    first = {
        "trade": "directory/*/index.html",
        "area": "areas/*/index.html",
        "profile": "partners/*/index.html",
        "article": "articles/*/index.html",
        "issue": "newsletter/*/index.html",
    }
    shots = list(fixed)
    for name, pattern in first.items():
        found = sorted(p for p in output.glob(pattern) if p.parent.name != "page")
        if name == "trade":  # a trade page, not a letter page of a split directory
            found = [p for p in found if len(p.parent.name) > 1] or found
        if found:
            shots.append(Shot(name, found[0].parent.relative_to(output).as_posix() + "/"))
    printed = {"print-cards": "print/cards/*/index.html", "certificate": "partners/*/certificate/index.html"}
    for name, pattern in printed.items():  # the first trade's sheet, the first partner's certificate
        if found := sorted(output.glob(pattern)):
            shots.append(Shot(name, found[0].parent.relative_to(output).as_posix() + "/", printed=True))
    if query:
        shots.append(Shot("search-results", f"search/?q={query}"))
    return sorted(shots, key=lambda s: s.name)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` on http://127.0.0.1:<free port>/ while the block runs."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def take(output: Path, folder: Path, shots: list[Shot]) -> list[Path]:
    """Every shot on every device in both colour schemes, as ``<type>-<device>-<scheme>.png`` in ``folder``;
    the print pages also as printed on A4, ``<type>-a4-print.png``."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    with served(output) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            for device, (width, height) in DEVICES.items():
                for scheme in SCHEMES:
                    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
                    page = context.new_page()
                    for shot in shots:
                        made.append(_shoot(page, base, shot, folder / f"{shot.name}-{device}-{scheme}.png"))
                    context.close()
            context = browser.new_context(viewport={"width": A4[0], "height": A4[1]}, color_scheme="light")
            page = context.new_page()
            page.emulate_media(media="print")
            for shot in (s for s in shots if s.printed):
                made.append(_shoot(page, base, shot, folder / f"{shot.name}-a4-print.png"))
            context.close()
        finally:
            browser.close()
    return made


def _shoot(page: Any, base: str, shot: Shot, target: Path) -> Path:
    page.goto(base + shot.path, wait_until="networkidle")
    page.evaluate(EAGER)  # a full-length shot shows the logos below the fold too
    if "?q=" in shot.path:
        page.wait_for_selector("#search-results li", timeout=10_000)
    page.screenshot(path=str(target), full_page=True)
    return target
