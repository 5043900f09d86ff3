"""The static search index: Pagefind over the finished site's searchable pages, in parts merged at query time.

One Pagefind run over a whole 10,000-partner site took most of an edit's rebuild (issue 20). The searchable pages
(marked ``data-pagefind-body``) are split into parts: every page that is not a partner profile in the main index
(``pagefind/``), and the profiles by the first letter of the partner's name in fixed letter groups
(``pagefind/part-<letters>/``), listed in ``pagefind/vouch-parts.json``; the search page asks every part's own
``pagefind.js`` and merges the answers (theme/static/search.js says how). Each part is indexed once per content:
its index is kept in ``.cache/vouch/search/<hash of its pages' paths and bytes>/`` and hard-linked into the next
site while its pages are unchanged, so one edit re-indexes one part. Pagefind reads the same pages as before, so
titles, excerpts, filters and card data are unchanged, and every page found before is found
(tests/test_search_equivalence.py).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from vouch.writer.parallel import end_with_parent

MAIN = ""  # the part served at pagefind/ itself: pages, articles, newsletter issues, the vetting page
LETTER_GROUPS = ("ab", "cd", "efg", "hij", "klm", "nop", "qrs", "tuvwxyz")  # fixed: a partner's part never moves
SPLIT_FROM = 1000  # fewer profiles than this: one part for them all (each part costs a visitor a few requests)
PARTS_FILE = "vouch-parts.json"
BODY = b"data-pagefind-body"
PROFILE = re.compile(r"partners/[^/]+/index\.html")
NAME = re.compile(rb'data-pagefind-sort="name">([^<]*)<')
WORKERS = 2  # two Pagefind runs at a time: the machine's cores, and a small memory peak each


class SearchIndexFailed(Exception):
    pass


@cache
def _pagefind_command() -> tuple[str, ...]:
    """Pagefind's binary itself: ``python -m pagefind`` only finds it and execs it, after a Python
    start-up that costs twice what indexing a small site does."""
    from pagefind.service import get_executable

    binary = get_executable()
    return (str(binary),) if binary else (sys.executable, "-m", "pagefind")  # the module then says what is missing


def _pagefind(site: Path, output: Path) -> None:
    """Index the pages of ``site`` marked ``data-pagefind-body`` into ``output``."""
    result = subprocess.run(
        [*_pagefind_command(), "--site", str(site), "--output-path", str(output), "--silent"],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=partial(end_with_parent, os.getpid()),  # killed with the build, not left indexing a deleted folder
    )
    if result.returncode != 0:
        raise SearchIndexFailed(
            f"pagefind failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
        )


def _searchable(site: Path) -> Iterator[tuple[str, bytes]]:
    """Every page Pagefind would index, as (path in the site, bytes), in a fixed order (os.walk and strings:
    pathlib took most of an unchanged index's time on 18,000 pages)."""
    found = []
    for folder, folders, names in os.walk(site):
        rel = os.path.relpath(folder, site)
        # never read: print pages (8,000 certificates at 10,000 partners) carry no search body; nor the index
        unread = ("print", "pagefind") if rel == "." else ("certificate",) if rel.startswith("partners/") else ()
        folders[:] = [f for f in folders if f not in unread]
        found += [name if rel == "." else f"{rel}/{name}" for name in names if name.endswith(".html")]
    for rel in sorted(found):
        with open(os.path.join(site, rel), "rb") as file:
            data = file.read()
        if BODY in data:
            yield rel, data


def _letters(page: bytes) -> str:
    """The letter group of a profile's partner, by the first letter of the name it is sorted by."""
    found = NAME.search(page)
    name = html.unescape(found.group(1).decode()) if found else ""
    first = next((c for c in name.casefold() if c.isalnum()), "a")
    return next((g for g in LETTER_GROUPS if first in g), LETTER_GROUPS[0])  # digits and other scripts: the first


@cache
def _pagefind_identity() -> bytes:
    """Pagefind's version and binary, in every part's cache key."""
    return f"{version('pagefind')} {_pagefind_command()}".encode()


@dataclass
class Part:
    """A part's pages (paths in the site) and its cache key: the pages' paths and bytes, hashed as they are
    read (not kept: 80 MB of pages at 10,000 partners), with Pagefind's version, so a stale index is never used."""

    pages: list[str] = field(default_factory=list)
    digest: Any = field(default_factory=lambda: hashlib.sha256(_pagefind_identity()))

    def add(self, rel: str, data: bytes) -> None:
        self.pages.append(rel)
        self.digest.update(f"\0{rel}\0{len(data)}\0".encode())
        self.digest.update(data)


def parts_of(site: Path) -> dict[str, Part]:
    """The searchable pages of ``site`` by part name (``MAIN`` for pagefind/, else ``part-<letters>``); profiles
    are split by letter from ``SPLIT_FROM`` of them on (counted first: a cheap pass over the paths)."""
    pages = _searchable(site)
    split = sum(1 for folder in (site / "partners").glob("*/index.html")) >= SPLIT_FROM
    parts: dict[str, Part] = {MAIN: Part()}
    for rel, data in pages:
        if not PROFILE.fullmatch(rel):
            parts[MAIN].add(rel, data)
            continue
        name = f"part-{_letters(data)}" if split else "part-partners"
        if name not in parts:  # not setdefault: a Part made for nothing costs a metadata lookup (7 s for 8,000)
            parts[name] = Part()
        parts[name].add(rel, data)
    return {name: part for name, part in parts.items() if part.pages}


def _cached_index(name: str, part: Part, source: Path, cache_folder: Path) -> Path:
    """The part's index in the cache, made now by Pagefind over a folder of just its pages (from ``source``)
    if not there."""
    done = cache_folder / part.digest.copy().hexdigest()[:32]
    if done.is_dir():
        return done
    cache_folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_folder, prefix=".making-") as scratch:
        site, index = Path(scratch) / "site", Path(scratch) / "index"
        for rel in part.pages:
            target = site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source / rel, target)  # a link costs a tenth of writing the page again
            except OSError:
                shutil.copyfile(source / rel, target)
        _pagefind(site, index)
        try:
            index.rename(done)  # whole or not at all
        except OSError:
            if not done.is_dir():
                raise
    return done


def _link_tree(source: Path, target: Path) -> None:
    for folder, _, names in os.walk(source):
        placed = os.path.join(target, os.path.relpath(folder, source))
        os.makedirs(placed, exist_ok=True)
        for name in names:
            try:
                os.link(os.path.join(folder, name), os.path.join(placed, name))
            except OSError:  # the cache on another file system than the site
                shutil.copyfile(os.path.join(folder, name), os.path.join(placed, name))


def write_index(site: Path, output: Path, cache_folder: Path) -> None:
    """Index ``site``'s searchable pages into ``output`` (a new folder): the main part, the parts, their list."""
    parts = parts_of(site)
    with ThreadPoolExecutor(WORKERS) as pool:
        made = dict(zip(parts, pool.map(lambda n: _cached_index(n, parts[n], site, cache_folder), parts), strict=True))
    output.mkdir(parents=True)
    for name, index in made.items():
        _link_tree(index, output / name)
    listed = sorted(n for n in made if n != MAIN)  # A to Z: merged in this order, filters alone list A to Z
    (output / PARTS_FILE).write_text(json.dumps(listed) + "\n")
    _prune(cache_folder, {p.name for p in made.values()})


def _prune(cache_folder: Path, kept: set[str]) -> None:
    """Drop the cached parts this site no longer uses: the cache holds one site's worth."""
    for entry in cache_folder.iterdir():
        if entry.name not in kept:  # and what a killed build was making: builds and reindexing hold the lock
            shutil.rmtree(entry, ignore_errors=True)


def index_site(site: Path, cache_folder: Path) -> None:
    """Write ``site/pagefind/``."""
    write_index(site, site / "pagefind", cache_folder)


def keep_search_index(live: Path, staging: Path) -> None:
    """Link the live site's index into a staging site built without one (``invoke serve``)."""
    index = live / "pagefind"
    if index.is_dir():
        _link_tree(index, staging / "pagefind")


def reindex(site: Path, cache_folder: Path) -> None:
    """Rebuild ``site/pagefind`` beside the live site, then swap it in with two renames."""
    fresh = site.parent / f".{site.name}.pagefind-new"
    if fresh.exists():
        shutil.rmtree(fresh)
    try:
        write_index(site, fresh, cache_folder)
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
