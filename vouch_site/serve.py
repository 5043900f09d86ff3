"""``invoke serve``: build, serve on localhost, rebuild on every change, reload the browser.

It builds into ``.serve/`` (never deployed), so a preview can never be
mistaken for the published site. Each rebuild keeps the previous search index
until the page is served, then re-indexes; a failed rebuild prints its errors
and the last good site stays up.
"""

from __future__ import annotations

import http.server
import threading
import time
import traceback
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from watchfiles import watch

from vouch.problems import ValidationFailed, relative_to
from vouch_site.build import build
from vouch_site.search import reindex

WATCHED = ("partners", "content", "theme", "plugins", "pelicanconf.py")
CODE = ("vouch", "vouch_site")
VERSION_PATH = "/__vouch/version"
RELOAD_SCRIPT = (
    "<script>(function(){var seen=null;function poll(){fetch('" + VERSION_PATH + "',{cache:'no-store'})"
    ".then(function(r){return r.text()}).then(function(v){if(seen===null){seen=v}else if(v!==seen){location.reload()}})"
    ".catch(function(){}).finally(function(){setTimeout(poll,400)})}poll()})();</script>"
).encode()


class State:
    def __init__(self) -> None:
        self.version = 0
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.version += 1


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the preview; adds the reload script to HTML responses (never to the files)."""

    state: State

    def log_message(self, *args: object) -> None:  # quiet: the terminal shows builds, not requests
        pass

    def do_GET(self) -> None:
        if self.path == VERSION_PATH:
            body = str(self.state.version).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file() and self.path.split("?")[0].endswith(("/", ".html")):
            body = path.read_bytes().replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


def rebuild(root: Path, site: Path, state: State, search: bool) -> bool:
    started = time.perf_counter()
    try:
        build(root, site, search=search)
    except ValidationFailed as failed:
        for problem in failed.problems:
            print(relative_to(problem, root), flush=True)
        print(f"serve: {len(failed.problems)} problem(s); still serving the last good build", flush=True)
        return False
    except Exception:
        traceback.print_exc()
        print("serve: the build failed; still serving the last good build", flush=True)
        return False
    state.bump()
    print(f"serve: rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
    return True


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    root = root.resolve()
    site = root / ".serve" / "output"
    state = State()
    if not rebuild(root, site, state, search=True):
        site.mkdir(parents=True, exist_ok=True)
    handler = partial(type("BoundHandler", (Handler,), {"state": state}), directory=str(site))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serve: http://{host}:{server.server_port}/ (Ctrl+C to stop)", flush=True)
    try:
        for changes in watch(*_existing(root, WATCHED + CODE), debounce=200, step=50):
            changed = {Path(path) for _, path in changes}
            if any(root / folder in p.parents for p in changed for folder in CODE):
                print("serve: Vouch's own code changed: restart `invoke serve` to use it", flush=True)
            if rebuild(root, site, state, search=False):
                started = time.perf_counter()
                reindex(site)
                print(f"serve: search refreshed in {time.perf_counter() - started:.1f} s", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def _existing(root: Path, names: Iterable[str]) -> list[Path]:
    return [root / name for name in names if (root / name).exists()]
