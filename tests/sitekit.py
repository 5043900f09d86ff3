"""Build small throw-away sites for tests (a folder tree and a real build)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
DEMO_EPOCH = "1795608000"  # 2026-11-25 12:00 UTC: the demo's "today" in tests

CATEGORIES = {
    "plumbing": {"title": "Plumbing", "description": "Pipes, boilers and bathrooms."},
    "electrical": {"title": "Electrical", "description": "Wiring and repairs."},
}
CHECKS = {
    "references": {"title": "References taken", "description": "Two past clients called."},
    "insurance": {"title": "Insurance seen", "description": "Certificate in date."},
}
PELICANCONF = """\
SITENAME = "Test Network"
SITEURL = "https://test.example"
TIMEZONE = "UTC"
"""


def make_site(root: Path, profiles: dict[str, dict | str], files: dict[str, str | bytes] | None = None) -> Path:
    """A site folder: registries, the given profiles (dicts or raw YAML), extra files."""
    (root / "partners").mkdir(parents=True, exist_ok=True)
    (root / "content").mkdir(exist_ok=True)
    (root / "pelicanconf.py").write_text(PELICANCONF)
    (root / "partners" / "_categories.yaml").write_text(yaml.safe_dump(CATEGORIES))
    (root / "partners" / "_checks.yaml").write_text(yaml.safe_dump(CHECKS))
    for slug, profile in profiles.items():
        text = profile if isinstance(profile, str) else yaml.safe_dump(profile, allow_unicode=True, sort_keys=False)
        (root / "partners" / f"{slug}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    for rel, data in (files or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    return root


def vetted(name: str, vetted_on: str = "2026-01-10", review_by: str | None = "2030-01-10", **extra) -> dict:
    """A minimal published-looking profile as a dict."""
    import datetime as dt

    vetting: dict = {
        "vetted_on": dt.date.fromisoformat(vetted_on),
        "vouched_by": "Jim Carter",
        "checks": ["references"],
    }
    if review_by:
        vetting["review_by"] = dt.date.fromisoformat(review_by)
    return {"name": name, "status": "vetted", "category": "plumbing", "vetting": vetting, **extra}


def read_tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# Spellings of {partner}SLUG that Markdown escapes, HTML entities, nh3's re-serialisation, URL
# decoding or a stripped comment or tag turn back into a reference, or show as one (issue 12).
REFERENCE_SPELLINGS = (
    r"{partner\}SLUG",
    r"\{partner\}SLUG",
    "&#123;partner&#125;SLUG",
    "&#x7B;partner&#x7d;SLUG",
    "&#123partner&#125SLUG",
    "&lbrace;partner&rbrace;SLUG",
    "&lcub;partner&rcub;SLUG",
    "{&#112;artner}SLUG",
    "[them](%7Bpartner%7DSLUG)",
    "[them](%257Bpartner%257DSLUG)",
    "[them](&#123;partner&#125;SLUG)",
    '<a href="&#x7b;partner&#x7d;SLUG">them</a>',
    '[them](https://example.org/ "&#123;partner&#125;SLUG")',
    "{partner}<!-- note -->SLUG",
    "{<span></span>partner}SLUG",
    "{partner<!--\n-->}SLUG",
    # Pelican's old intrasite syntax, and what it leaves as written (unknown indicator) for a browser to show.
    "|partner|SLUG",
    '<a href="|partner|SLUG">them</a>',
    "[them](|partner|SLUG)",
    "{PARTNER}SLUG",
    '<a href="{Partner}SLUG">them</a>',
    "{ partner }SLUG",
    '<a href="{ partner }SLUG">them</a>',
    '<a href="%7B%20partner%20%7DSLUG">them</a>',
)


PAGEFIND_UNSTABLE = re.compile(r"pagefind/(\d+/)?(filter/|pagefind-entry\.json$|.*\.pf_meta$)")


def stable_tree(folder: Path) -> dict[str, bytes]:
    """The tree minus the Pagefind files whose names and order change on every run (SPEC section 7), in the
    main index and in each part of it."""
    return {rel: data for rel, data in read_tree(folder).items() if not PAGEFIND_UNSTABLE.match(rel)}


def readable_tree(folder: Path) -> dict[str, bytes]:
    """The tree with Pagefind's gzipped index files decompressed, so canaries can be searched for."""
    import gzip

    tree = read_tree(folder)
    return {rel: gzip.decompress(data) if rel.startswith("pagefind/") and ".pf_" in rel else data
            for rel, data in tree.items()}  # fmt: skip


def toggled_site(root: Path, published: bool) -> Path:
    """A small site in one of two states a build flips between: Quay Drains published, or suspended.

    The states differ in pages, listings, feeds, ``partners.json``, the search index and the
    e-mail previews (Quay is new in the issue's window; an article that names it is withheld).
    """
    quay = vetted("Quay Drains", vetted_on="2026-10-20") | ({} if published else {"status": "suspended"})
    for stale in (root / "partners").glob("*.yaml"):
        stale.unlink()
    return make_site(
        root,
        {"harbour": vetted("Harbour Plumbing", summary="Boilers and bathrooms."), "quay": quay},
        {
            "content/articles/drains.md": "Title: Blocked drains\nDate: 2026-10-25\n\nAsk {partner}quay.\n",
            "content/newsletter/news.md": "Title: News of the month\nDate: 2026-11-01\n\nHello.\n",
        },
    )


def site_state(root: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """What a reader finds: the stable bytes of ``output/`` and of ``mail/``."""
    return stable_tree(root / "output"), read_tree(root / "mail")


def cold_states(folder: Path) -> dict[bool, tuple[dict[str, bytes], dict[str, bytes]]]:
    """What cold builds of both toggled inputs give: the only two things a reader may ever find."""
    from vouch_site.build import build

    states = {}
    for published in (True, False):
        root = toggled_site(folder / f"cold-{published}", published)
        build(root)
        states[published] = site_state(root)
    return states


MUTATING = ("mkdir", "rename", "replace", "rmdir", "symlink", "link", "unlink", "remove")
WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT


class SwapSteps:
    """A ``progress`` for ``build()`` that calls ``before(n)`` ahead of every change the build makes
    to the file system (``n`` counting from 0) once its swap has begun: a kill there is a kill at
    that step. An exchange of two names (``renameat2``, called through ctypes) is one step;
    ``calls`` names each step's call. Patches ``os`` and ``vouch.writer.outputs`` in this process: use it
    in a child, or ``restore()`` after.
    """

    def __init__(self, before: Callable[[int], None] = lambda _n: None) -> None:
        self.before = before
        self.calls: list[str] = []
        self.saved: dict[str, Callable[..., Any]] = {}

    def progress(self, stage: str, _done: int, _total: int) -> None:
        from vouch.writer import outputs

        if stage != "swap" or self.saved:
            return
        for name in MUTATING:
            self.saved[name] = getattr(os, name)
            setattr(os, name, self._counted(name, self.saved[name]))
        self.saved["open"] = os.open
        os.open = self._counted("open", self.saved["open"], lambda _path, flags, *_a, **_k: flags & WRITES)
        self.saved["_exchange"] = outputs._exchange
        outputs._exchange = self._counted("exchange", outputs._exchange)

    def _counted(
        self, name: str, call: Callable[..., Any], when: Callable[..., Any] = lambda *_a, **_k: True
    ) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            if when(*args, **kwargs):
                self.before(len(self.calls))
                self.calls.append(name)
            return call(*args, **kwargs)

        return counted

    def restore(self) -> None:
        from vouch.writer import outputs

        for name, call in self.saved.items():
            setattr(outputs if name == "_exchange" else os, name, call)


def swap_steps(root: Path) -> list[str]:
    """Build ``root`` here; the changes its swap makes, in order (``exchange``, ``rename``...)."""
    from vouch_site.build import build

    steps = SwapSteps()
    try:
        build(root, progress=steps.progress)
    finally:
        steps.restore()
    return steps.calls


def left_by_a_kill(steps: list[str], step: int, old: tuple[Any, Any], new: tuple[Any, Any]) -> tuple[Any, Any]:
    """What ``output/`` and ``mail/`` hold after a kill before ``step`` of a swap that exchanges
    ``output`` first, then ``mail``: each whole, and never the new previews beside the old site."""
    first, second = [n for n, call in enumerate(steps) if call == "exchange"]
    return old if step <= first else (new[0], old[1]) if step <= second else new


SETTINGS_PAUSE = """
import os, time
if os.environ.get("TEST_SETTINGS_PAUSE"):  # a build that stays a while in validation, where it holds the lock
    with open(os.environ["TEST_SETTINGS_LOG"], "a") as log:
        log.write(f"{os.getpid()}\\n")
    time.sleep(float(os.environ["TEST_SETTINGS_PAUSE"]))
"""


def pausing(root: Path) -> Path:
    """Give ``root`` settings that pause for ``TEST_SETTINGS_PAUSE`` seconds when read (after noting
    the reader's pid in ``TEST_SETTINGS_LOG``), so a test can hold a build where it wants it."""
    with (root / "pelicanconf.py").open("a") as settings:
        settings.write(SETTINGS_PAUSE)
    return root


def _build_killed_at(root: Path, step: int | None, env: dict[str, str]) -> None:
    from vouch_site.build import build

    os.environ.update(env)

    def before(n: int) -> None:
        if n == step:
            os.kill(os.getpid(), signal.SIGKILL)

    build(root, progress=SwapSteps(before).progress if step is not None else None)


def start_build(
    root: Path, kill_at_step: int | None = None, env: dict[str, str] | None = None
) -> multiprocessing.process.BaseProcess:
    """``build(root)`` in a forked child (modules already loaded: a build starts at once), optionally
    SIGKILLed just before the given step of its swap, with ``env`` added to its environment."""
    child = multiprocessing.get_context("fork").Process(target=_build_killed_at, args=(root, kill_at_step, env or {}))
    child.start()
    return child


def build_folders_left(root: Path) -> list[str]:
    """What a finished build should not have left: anything hidden beside ``output/`` but ``.cache``
    and Vouch's ``.output.builds``, and in there any folder or link but ``previous`` and the folder
    it names (the trees the last swap replaced)."""
    left = [
        p.name for p in root.iterdir() if p.name.startswith(".") and p.name not in {".cache", ".git", ".output.builds"}
    ]
    builds = root / ".output.builds"
    if builds.is_dir():
        previous = builds / "previous"
        kept = {"previous", os.readlink(previous)} if previous.is_symlink() else set()
        left += [f".output.builds/{p.name}" for p in builds.iterdir() if (p.is_dir() or p.is_symlink())
                 and p.name not in kept]  # fmt: skip
    return sorted(left)


@contextmanager
def pinned(folder: Path) -> Iterator[Path]:
    """``folder`` as a reader that entered it sees it (``cd output``, an rsync under way): the very
    folder, wherever a swap moves it. Raises if there is no folder there."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield Path(f"/proc/self/fd/{fd}")
    finally:
        os.close(fd)


def symlink_layout(root: Path, live: Path, before: Path) -> None:
    """Turn ``root`` into what the Vouch of 2026-12 (``output`` and ``mail`` links) left: the builds
    of the projects ``live`` and ``before`` (their ``output/`` and ``mail/``) as its current and
    previous builds."""
    builds = root / ".output.builds"
    for name in ("output", "mail", ".output.builds"):
        path = root / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)
    builds.mkdir()
    (builds / "made-by-vouch.txt").write_text(
        "Vouch's builds. The site folder and mail/ beside this folder are links to current/,\n"
        "the live build; each build adds a folder here and deletes the old ones. Do not edit.\n"
    )
    for folder, source in (("build-1-1", before), ("build-1-2", live)):
        for name in ("output", "mail"):
            shutil.copytree(source / name, builds / folder / name)
    (builds / "previous").symlink_to("build-1-1")
    (builds / "current").symlink_to("build-1-2")
    (root / "output").symlink_to(".output.builds/current/output")
    (root / "mail").symlink_to(".output.builds/current/mail")


def wait_for(condition: Callable[[], Any], timeout: float = 10) -> Any:
    """Poll until ``condition()`` is truthy (background deletion takes a moment); its last value."""
    deadline = time.monotonic() + timeout
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in {"Z", "X"}


def run_invoke(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``invoke ARGS`` in ``project`` (with its own copy of tasks.py), run in this process.

    The same parser, messages and exit code as the command line, without starting Python
    and importing everything again (about 2 s a command). ``env``, if given, is the whole
    environment while it runs. Use a subprocess where the process itself is tested.
    """
    import importlib.util
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from invoke import Collection, Program

    pipe = signal.getsignal(signal.SIGPIPE)
    spec = importlib.util.spec_from_file_location(f"tasks_{os.getpid()}_{id(project)}", project / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(tasks)  # type: ignore[union-attr]
    signal.signal(signal.SIGPIPE, pipe)  # tasks.py ends `invoke check | head` quietly: not this process
    program = Program(namespace=Collection.from_module(tasks), binary="invoke")
    saved, cwd, stdin = dict(os.environ), os.getcwd(), sys.stdin
    out, err, code = io.StringIO(), io.StringIO(), 0
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    os.chdir(project)
    sys.stdin = io.StringIO()  # not a terminal: nothing asks for confirmation
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers = []  # as in a new process: log lines go to its stderr, not to pytest's capture
    try:
        with redirect_stdout(out), redirect_stderr(err):
            program.run(["invoke", *args])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    finally:
        root.handlers, root.level = handlers, level
        sys.stdin = stdin
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["invoke", *args], code, out.getvalue(), err.getvalue())


def in_ci() -> bool:
    """CI runs the README's test command with VOUCH_CI=1 (.ci/run); hosted CI services set CI=true."""
    return os.environ.get("VOUCH_CI") == "1" or os.environ.get("CI", "").lower() == "true"


def require_tool(found: object, missing: str) -> None:
    """A test tool (chromium, java, vnu.jar) that is not installed skips its tests, saying why, outside
    CI; in CI it fails them: every tool must be there."""
    import pytest

    if found:
        return
    reason = f"{missing}: run scripts/install-test-tools.sh"
    if in_ci():
        pytest.fail(f"{reason} (required in CI)", pytrace=False)
    pytest.skip(reason)


@contextmanager
def demo_clock() -> Iterator[None]:
    """``SOURCE_DATE_EPOCH`` at the demo's date for a module-scoped fixture, put back afterwards
    (the per-test ``pinned_clock`` fixture cannot reach module scope)."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = DEMO_EPOCH
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
