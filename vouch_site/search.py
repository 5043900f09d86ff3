"""The static search index: Pagefind over the finished site, run once, last."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import cache, partial
from pathlib import Path

from vouch.writer.parallel import end_with_parent


class SearchIndexFailed(Exception):
    pass


@cache
def _pagefind_command() -> tuple[str, ...]:
    """Pagefind's binary itself: ``python -m pagefind`` only finds it and execs it, after a Python
    start-up that costs twice what indexing a small site does."""
    from pagefind.service import get_executable

    binary = get_executable()
    return (str(binary),) if binary else (sys.executable, "-m", "pagefind")  # the module then says what is missing


# Folders of print pages (issue 18): never searchable (noindex, no data-pagefind-body), yet thousands of
# files that Pagefind would read and parse for nothing (about 3 s of CPU at 10,000 partners).
PRINT_FOLDER, PARTNERS, CERTIFICATE = "print", "partners", "certificate"
_GLOB_SPECIAL = frozenset("\\?*$:<>()[]{},!")


def search_glob(site: Path) -> str:
    """Pagefind's ``--glob``: every HTML file of ``site`` but those under ``print/`` and ``partners/*/certificate/``.

    Pagefind's globs (wax) cannot negate a folder, so the folders at the top are named (the
    finished site's own), and a folder under a profile is any name but ``certificate``.
    """
    tops = sorted(p.name for p in site.iterdir() if p.is_dir() and p.name not in (PRINT_FOLDER, PARTNERS))
    return "{" + ",".join(
        ["*.html", *(f"{_literal(top)}/**/*.html" for top in tops), f"{PARTNERS}/*.html", f"{PARTNERS}/*/*.html",
         f"{PARTNERS}/*/{_other_than(CERTIFICATE)}/**/*.html"]
    ) + "}"  # fmt: skip


def _other_than(name: str) -> str:
    """A glob for one path segment that is anything but ``name`` (a prefix of it, a name that leaves it
    at some letter, or one that goes on past it)."""
    alternatives = [f"[!{name[0]}]*"]
    for at in range(1, len(name)):
        alternatives += [name[:at], f"{name[:at]}[!{name[at]}]*"]
    return "{" + ",".join([*alternatives, f"{name}?*"]) + "}"


def _literal(name: str) -> str:
    return "".join(f"\\{c}" if c in _GLOB_SPECIAL else c for c in name)


def _pagefind(site: Path, *output: str) -> None:
    """Index the pages of ``site`` marked ``data-pagefind-body``, writing where ``output`` says."""
    result = subprocess.run(
        [*_pagefind_command(), "--site", str(site), "--glob", search_glob(site), *output, "--silent"],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=partial(end_with_parent, os.getpid()),  # killed with the build, not left indexing a deleted folder
    )
    if result.returncode != 0:
        raise SearchIndexFailed(
            f"pagefind failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
        )


def index_site(site: Path) -> None:
    """Write ``site/pagefind/``."""
    _pagefind(site, "--output-subdir", "pagefind")


def keep_search_index(live: Path, staging: Path) -> None:
    """Link the live site's index into a staging site built without one (``invoke serve``)."""
    index = live / "pagefind"
    if not index.is_dir():
        return
    for path in index.rglob("*"):
        target = staging / path.relative_to(live)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)


def reindex(site: Path) -> None:
    """Rebuild ``site/pagefind`` beside the live site, then swap it in with two renames."""
    fresh = site.parent / f".{site.name}.pagefind-new"
    if fresh.exists():
        shutil.rmtree(fresh)
    try:
        _pagefind(site, "--output-path", str(fresh))
    except SearchIndexFailed:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = site.parent / f".{site.name}.pagefind-old"
    if old.exists():
        shutil.rmtree(old)
    current = site / "pagefind"
    if current.exists():
        current.rename(old)
    fresh.rename(current)
    shutil.rmtree(old, ignore_errors=True)
