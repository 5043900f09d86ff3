"""``invoke serve`` as the editor runs it: a subprocess, real files edited, pages fetched."""

from __future__ import annotations

import gzip
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sitekit import DEMO_EPOCH, REPO, make_site, pausing, stable_tree, start_build, vetted, wait_for
from tests.smtpd import free_port
from vouch import search_parts
from vouch.writer.run import Preview
from vouch_site import search
from vouch_site.build import build
from vouch_site.serve import State, edited, rebuild


class Server:
    def __init__(self, project: Path) -> None:
        self.port = free_port()
        env = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "invoke", "serve", "--port", str(self.port)],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if text in line:
                return line
        raise AssertionError(f"serve never printed {text!r}")

    def get(self, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{path}", timeout=5) as response:
            return response.read().decode()

    def wait_until(self, path: str, text: str, timeout: float = 20) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if text in self.get(path):
                return time.monotonic() - started
            time.sleep(0.05)
        raise AssertionError(f"{path} never showed {text!r}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    shutil.copy(REPO / "tasks.py", tmp_path / "tasks.py")
    make_site(tmp_path, {"harbour": vetted("Harbour Plumbing", summary="Boilers and bathrooms.")})
    running = Server(tmp_path)
    try:
        running.wait_for("serve: http://")
        yield running, tmp_path
    finally:
        running.stop()


def test_edits_are_served_errors_keep_the_last_good_site_and_fixes_recover(server: tuple[Server, Path]) -> None:
    running, project = server
    page = "partners/harbour/"
    assert "Boilers and bathrooms." in running.get(page)
    profile = project / "partners/harbour.yaml"
    good = profile.read_text()

    profile.write_text(good.replace("Boilers and bathrooms.", "Heat pumps too."))
    seconds = running.wait_until(page, "Heat pumps too.")
    print(f"edit visible after {seconds:.2f} s")  # measured by invoke bench, not asserted here
    running.wait_for("search included")  # its search made beside the rebuild
    fragments = (project / ".serve/output/pagefind").glob("**/fragment/*.pf_fragment")
    assert any(b"Heat pumps too." in gzip.decompress(f.read_bytes()) for f in fragments)  # search says it too

    profile.write_text(good.replace("status: vetted", "status: yes"))
    error = running.wait_for("status: expected one of")
    assert "partners/harbour.yaml:2" in error
    running.wait_for("still serving the last good build")
    assert "Heat pumps too." in running.get(page)

    profile.write_text(good.replace("Boilers and bathrooms.", "Fixed and back."))
    running.wait_until(page, "Fixed and back.")


def test_a_warning_is_said_when_an_edit_makes_it_once_and_again_if_it_comes_back(server: tuple[Server, Path]) -> None:
    """``invoke serve`` said nothing of a build's warnings: a dead link made while previewing went unseen."""
    running, project = server
    said: list[str] = []

    def until(text: str) -> None:
        said.append(running.lines.get(timeout=30))
        while text not in said[-1]:
            said.append(running.lines.get(timeout=30))

    article = project / "content/articles/photos.md"
    article.parent.mkdir(parents=True, exist_ok=True)
    dead = "Title: Photos\nDate: 2026-10-01\n\n![a photo](/static/none.jpg)\n"
    article.write_text(dead)
    until("which the site does not publish")
    assert said[-1].startswith("warning: content/articles/photos.md:4: links /static/none.jpg")
    article.write_text(dead + "\nMore words.\n")  # the warning stands: not said again
    until("serve: rebuilt in")
    article.write_text("Title: Photos\nDate: 2026-10-01\n\nNo photo yet.\n")  # gone
    until("serve: rebuilt in")
    article.write_text(dead)  # back: said again
    until("which the site does not publish")
    assert sum("which the site does not publish" in line for line in said) == 2, said


def test_the_reload_script_is_served_but_never_written(server: tuple[Server, Path]) -> None:
    running, project = server
    assert "/__vouch/version" in running.get("")
    before = running.get("__vouch/version")
    (project / "partners/harbour.yaml").write_text(
        (project / "partners/harbour.yaml").read_text().replace("Boilers", "Radiators")
    )
    running.wait_until("partners/harbour/", "Radiators")
    assert running.get("__vouch/version") != before  # the browser's cue to reload
    written = b"".join(p.read_bytes() for p in (project / ".serve/output").rglob("*.html"))
    assert b"__vouch" not in written
    assert not (project / "output").exists()  # a preview is never the deployable site


def test_a_missing_page_gets_the_sites_404_and_a_taken_port_a_one_line_error(server: tuple[Server, Path]) -> None:
    running, project = server
    with pytest.raises(urllib.error.HTTPError) as missing:
        running.get("partners/nobody/")
    assert missing.value.code == 404 and b"Page not found" in missing.value.read()
    env = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH}
    second = subprocess.run([sys.executable, "-m", "invoke", "serve", "--port", str(running.port)], cwd=project,
                            env=env, capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert f"127.0.0.1:{running.port} is already in use" in second.stderr


@pytest.mark.slow
def test_serve_writes_its_preview_only_while_it_holds_the_build_lock(
    server: tuple[Server, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    running, project = server
    pausing(project)
    running.wait_for("serve: search refreshed")
    monkeypatch.setenv("BUILD_LOCK_WAIT", "0")
    build(project)  # an idle serve holds no lock: a build runs at once
    log = project / "settings-read-by"
    holder = start_build(project, env={"TEST_SETTINGS_PAUSE": "4", "TEST_SETTINGS_LOG": str(log)})
    assert wait_for(log.exists)
    profile = project / "partners/harbour.yaml"
    profile.write_text(profile.read_text().replace("Boilers", "Radiators"))
    running.wait_for(f"waiting for another build (pid {holder.pid})", timeout=5)
    time.sleep(1)
    assert "Radiators" not in running.get("partners/harbour/")  # not even the instant preview
    holder.join()
    assert holder.exitcode == 0
    running.wait_until("partners/harbour/", "Radiators")


def test_an_edited_profiles_search_is_made_beside_the_rebuild_and_the_site_equals_a_cold_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the rest of the site is rebuilt, a child process indexes the previewed page: the reindex after the
    rebuild finds its index in the cache and runs no Pagefind. In parts, so the word index is made ahead too."""
    monkeypatch.setattr(search_parts, "PART_PAGES", 2)
    names = {"harbour": "Harbour Plumbing", "anchor": "Anchor Roofing", "beacon": "Beacon Drains"}
    root = make_site(tmp_path / "served", {slug: vetted(name) for slug, name in names.items()})
    site, preview, said = root / ".serve" / "output", Preview(), set[str]()
    assert rebuild(root, site, State(), search=True, preview=preview, said=said)
    edit = {"harbour": vetted("Harbour Plumbing", description="Now also clears zqgutterq gutters.")}
    make_site(root, {**{slug: vetted(name) for slug, name in names.items()}, **edit})
    runs: list[Path] = []  # Pagefind runs in this process (the child's are its own)
    real = search._pagefind
    monkeypatch.setattr(search, "_pagefind", lambda pages, output: (runs.append(output), real(pages, output)))
    edited(root, site, {root / "partners" / "harbour.yaml"}, State(), preview, said)
    assert runs == []
    assert any(b"zqgutterq" in gzip.decompress(p.read_bytes()) for p in site.glob("pagefind/*/fragment/*"))
    cold = make_site(tmp_path / "cold", {slug: vetted(name) for slug, name in names.items()} | edit)
    assert stable_tree(site) == stable_tree(build(cold).output)


def test_a_search_cache_that_cannot_be_locked_costs_the_search_not_the_preview(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Indexing ahead only saves work: if it cannot start (here the cache's lock is a folder; a failed fork or no
    file descriptors left alike), the rest is rebuilt, the search says in one line why it was not refreshed, and
    serve goes on (it ended with a traceback)."""
    root = make_site(tmp_path, {"harbour": vetted("Harbour Plumbing", summary="Boilers and bathrooms.")})
    site, preview, said = root / ".serve" / "output", Preview(), set[str]()
    assert rebuild(root, site, State(), search=True, preview=preview, said=said)
    lock = root / ".cache" / "vouch" / "search" / search.MAKING
    lock.unlink()
    lock.mkdir()
    make_site(root, {"harbour": vetted("Harbour Plumbing", summary="Heat pumps too.")})
    capsys.readouterr()
    edited(root, site, {root / "partners" / "harbour.yaml"}, State(), preview, said)
    printed = capsys.readouterr().out
    assert "Heat pumps too." in (site / "partners" / "harbour" / "index.html").read_text()
    assert "serve: rebuilt in" in printed and "search included" not in printed
    assert "serve: the search index was not refreshed ([Errno 21] Is a directory" in printed
    assert "Traceback" not in printed


def test_a_search_index_that_fails_in_a_rebuild_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pagefind failing inside a rebuild that makes its search (an edited profile's, once indexed ahead) is said as
    ``invoke build`` says it, and the last good preview stays up (it printed a traceback)."""
    root = make_site(tmp_path, {"harbour": vetted("Harbour Plumbing", summary="Boilers and bathrooms.")})
    site, preview, said = root / ".serve" / "output", Preview(), set[str]()
    assert rebuild(root, site, State(), search=True, preview=preview, said=said)
    make_site(root, {"harbour": vetted("Harbour Plumbing", summary="Heat pumps too.")})

    def failing(pages: Path, output: Path) -> None:
        raise search.SearchIndexFailed("Pagefind exited with status 1: no space left")

    monkeypatch.setattr(search, "_pagefind", failing)
    capsys.readouterr()
    assert not rebuild(root, site, State(), search=True, preview=preview, said=said)
    printed = capsys.readouterr()
    assert printed.out.splitlines() == [
        "serve: the search index: Pagefind exited with status 1: no space left; still serving the last good build"
    ]
    assert "Traceback" not in printed.err
    assert "Heat pumps too." not in (site / "partners" / "harbour" / "index.html").read_text()


def test_an_edit_is_rebuilt_without_collections_and_its_garbage_collected_after() -> None:
    """The collector waits while an edit is rebuilt (its collections were 0.2-0.4 s of an edit at 10,000
    partners) and runs once it is served: a cycle made during the edit is gone after it, what lives on is frozen."""
    import gc
    import weakref

    from vouch_site.serve import _collected_after

    class Node:
        pass

    assert gc.isenabled()
    try:
        with _collected_after():
            assert not gc.isenabled()
            cycle = Node()
            cycle.me = cycle  # type: ignore[attr-defined]
            gone = weakref.ref(cycle)
            del cycle
            made = [[] for _ in range(100_000)]  # far past the thresholds that start a collection
            assert gone() is not None
            del made
        assert gc.isenabled()
        assert gone() is None
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
