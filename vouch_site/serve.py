"""``invoke serve``: build, serve on localhost, rebuild on every change, reload the browser.

It builds into ``.serve/`` (never deployed), so a preview can never be
mistaken for the published site, and holds the project's build lock only
while it writes there: a build (cron's, the editor's) waits at most for one
rebuild. An edited profile's page is shown at
once and its search index made in a child process while the rest of the site
is rebuilt (keeping the previous index until then); a failed rebuild prints
its errors and the last good site stays up.
"""

from __future__ import annotations

import contextlib
import gc
import http.server
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path

from watchfiles import watch

from vouch.problems import ValidationFailed, relative_to
from vouch.profiles import Options, Profile, validate_one
from vouch.public import to_public
from vouch.publication import is_published
from vouch.references import references
from vouch.writer import parallel
from vouch.writer.lock import Refused
from vouch.writer.run import Preview
from vouch_site.build import build, project_lock
from vouch_site.search import SearchIndexFailed, index_ahead, reindex

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
            self._send(str(self.state.version).encode(), "text/plain")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file() and self.path.split("?")[0].endswith(("/", ".html")):
            self._send(path.read_bytes().replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1), "text/html; charset=utf-8")
            return
        super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing page gets the site's own 404 page, as a real host would serve it."""
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            self._send(page.read_bytes(), "text/html; charset=utf-8", status=404)
            return
        super().send_error(code, message, explain)

    def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def rebuild(root: Path, site: Path, state: State, search: bool, preview: Preview, said: set[str]) -> bool:
    """Build into ``site``; print the build's notices (warnings, notes, what it withheld or skipped) that the last
    good build did not say (``said``), so a dead link or an unlinked file shows up as it is made, once, not after
    every edit."""
    started = time.perf_counter()
    try:
        result = build(root, site, search=search, preview=preview)
    except ValidationFailed as failed:
        for problem in failed.problems:
            print(relative_to(problem, root), flush=True)
        print(f"serve: {len(failed.problems)} problem(s); still serving the last good build", flush=True)
        return False
    except Refused as refused:
        print(f"serve: {refused}; still serving the last good build", flush=True)
        return False
    except SearchIndexFailed as failed:  # Pagefind's own words, as invoke build says them
        print(f"serve: the search index: {failed}; still serving the last good build", flush=True)
        return False
    except Exception:
        traceback.print_exc()
        print("serve: the build failed; still serving the last good build", flush=True)
        return False
    state.bump()
    print(f"serve: rebuilt in {time.perf_counter() - started:.1f} s{', search included' if search else ''}", flush=True)
    notices = result.notices()
    for line in notices:
        if line not in said:
            print(line, flush=True)
    said.clear()
    said.update(notices)
    return True


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    root = root.resolve()
    site = root / ".serve" / "output"
    state = State()
    preview = Preview()
    handler = partial(type("BoundHandler", (Handler,), {"state": state}), directory=str(site))
    server = http.server.ThreadingHTTPServer((host, port), handler)  # before building: a taken port fails fast
    said: set[str] = set()  # the notices the last good build printed
    with _collected_after():
        if not rebuild(root, site, state, search=True, preview=preview, said=said):
            site.mkdir(parents=True, exist_ok=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    announced = False
    try:
        # yield_on_timeout: the first (empty) round comes once the watcher is live, so no edit made
        # after the address is printed can be missed.
        for changes in watch(*_existing(root, WATCHED + CODE), debounce=200, step=50, yield_on_timeout=True,
                             rust_timeout=300):  # fmt: skip
            if not announced:
                print(f"serve: http://{host}:{server.server_port}/ (Ctrl+C to stop)", flush=True)
                announced = True
            if not changes:
                continue
            changed = {Path(path) for _, path in changes}
            if any(root / folder in p.parents for p in changed for folder in CODE):
                print("serve: Vouch's own code changed: restart `invoke serve` to use it", flush=True)
            with _collected_after():
                try:
                    edited(root, site, changed, state, preview, said)
                except Refused as refused:
                    print(f"serve: {refused}; still serving the last good build", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def edited(root: Path, site: Path, changed: set[Path], state: State, preview: Preview, said: set[str]) -> None:
    """Bring the preview up to date with ``changed``. An edited profile's page is shown at once, and a child process
    indexes it while the rest of the site is rebuilt, search and all: the rebuild's search waits for the child and
    finds its index made. Any other edit is rebuilt first, keeping the previous search index, and then indexed."""
    searching = None
    if quick_preview(root, site, changed, preview):
        state.bump()
        try:
            searching = index_ahead(site, root / ".cache" / "vouch" / "search")
        except Exception:  # it only saves work: the rebuild and reindex below say what is wrong, if anything still is
            searching = None
    try:
        built = rebuild(root, site, state, search=searching is not None, preview=preview, said=said)
    finally:
        if searching is not None:
            _waited(searching)
    if built and searching is None:
        started = time.perf_counter()
        try:
            with project_lock(root):
                reindex(site, root / ".cache" / "vouch" / "search")
        except (SearchIndexFailed, OSError) as failed:
            print(f"serve: the search index was not refreshed ({failed}); still serving the last one", flush=True)
            return
        print(f"serve: search refreshed in {time.perf_counter() - started:.1f} s", flush=True)


def _waited(searching: parallel.Started[None]) -> None:
    """The index made ahead only saves the rebuild work: if making it failed (the site swapped under it), the
    rebuild does the work and says what went wrong, if anything still does."""
    with contextlib.suppress(Exception):
        searching.result()


@contextlib.contextmanager
def _collected_after() -> Iterator[None]:
    """No collection while an edit is rebuilt: the rebuild's own collections walked what Pelican and the page
    writers made, 0.2-0.4 s of an edit at 10,000 partners, for no memory (measured: the same RSS after each of
    four edits). Its garbage is collected once the edit is served, while nobody waits, and what lives on (the
    preview's plan, the server) is frozen, so that later collections walk only new objects: a full collection of
    a 10,000-partner preview took 0.4-0.8 s of every reindex."""
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        gc.enable()


def quick_preview(root: Path, site: Path, changed: set[Path], preview: Preview) -> bool:
    """When only profiles changed and they are valid and published, show their pages at once.

    The full (incremental) rebuild that follows brings every other page up to date.
    """
    plan = preview.plan
    partners_dir = root / "partners"
    if plan is None or not changed:
        return False
    if any(
        p.parent != partners_dir or p.suffix != ".yaml" or p.name.startswith("_") or not p.is_file() for p in changed
    ):
        return False
    public = plan.sources.site
    options = Options.of(plan.sources.settings)
    pages = {}
    for path in changed:
        profile = validate_one(path, options, list(public.categories), list(public.checks))
        if not isinstance(profile, Profile) or not is_published(profile, public.today):
            return False
        partner = to_public(profile)
        if any(r.slug not in plan.names for r in references(partner.description or "", metadata=False)):
            return False  # a link to an unpublished partner withholds the page: leave it to the full build
        pages[site / "partners" / partner.slug / "index.html"] = preview.profile_page(partner)
    with project_lock(root):  # serve holds the lock only while it writes .serve/
        for target, html in pages.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_suffix(".tmp")
            temporary.write_bytes(html)
            temporary.replace(target)
    print(f"serve: {', '.join(p.parent.name for p in pages)} updated; rebuilding the rest", flush=True)
    return True


def _existing(root: Path, names: Iterable[str]) -> list[Path]:
    return [root / name for name in names if (root / name).exists()]
