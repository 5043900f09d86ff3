"""The static search index: Pagefind over the finished site's searchable pages, once per content.

The searchable pages (marked ``data-pagefind-body``; print pages and the index itself are not even read) are
hashed as they are read; the index Pagefind makes of them is kept in ``.cache/vouch/search/<hash>/`` and
hard-linked into the next site while those pages are unchanged, so a build that changes nothing a visitor
searches runs no Pagefind. One index, not parts merged at query time: parts ranked a name below junk from the
other parts (Pagefind backs off to a prefix of a word a part lacks, and each part scores on its own scale; review 4
of issue 20). A cached index is used only if every file in it is still the very file Pagefind wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from vouch.paths import own_folder
from vouch.writer.parallel import end_with_parent

BODY = b"data-pagefind-body"
MANIFEST = ".vouch-manifest.json"  # in a cached index, never published: each file's size, mtime and inode


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
        cwd=site.parent,  # a scratch folder: a pagefind.yml in the project would change the index behind the cache
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
        partner = ("certificate",) if rel.startswith("partners/") else ()
        unread = {".": ("pagefind",), "print": ("cards",)}.get(rel, partner)
        folders[:] = [f for f in folders if f not in unread]
        found += [name if rel == "." else f"{rel}/{name}" for name in names if name.endswith(".html")]
    for rel in sorted(found):
        with open(os.path.join(site, rel), "rb") as file:
            data = file.read()
        if BODY in data:
            yield rel, data


@cache
def _pagefind_identity() -> bytes:
    """Pagefind's version and binary, in the cache key."""
    return f"{version('pagefind')} {_pagefind_command()}".encode()


@dataclass
class Pages:
    """The searchable pages (paths in the site) and their cache key: paths and bytes, hashed as they are read
    (not kept: 80 MB of pages at 10,000 partners), with Pagefind's version, so a stale index is never used."""

    paths: list[str] = field(default_factory=list)
    digest: Any = field(default_factory=lambda: hashlib.sha256(_pagefind_identity()))

    def add(self, rel: str, data: bytes) -> None:
        self.paths.append(rel)
        self.digest.update(f"\0{rel}\0{len(data)}\0".encode())
        self.digest.update(data)


def searchable_pages(site: Path) -> Pages:
    pages = Pages()
    for rel, data in _searchable(site):
        pages.add(rel, data)
    return pages


def _stamp(path: str) -> list[int] | None:
    """What identifies the file Pagefind wrote: None for anything but a regular file (a symlink publishes
    whatever it points at)."""
    found = os.lstat(path)
    return [found.st_size, found.st_mtime_ns, found.st_ino] if stat.S_ISREG(found.st_mode) else None


def _files(index: Path) -> dict[str, list[int] | None]:
    found: dict[str, list[int] | None] = {}
    for folder, folders, names in os.walk(index):
        rel = os.path.relpath(folder, index)
        for name in folders + names:
            path = os.path.join(folder, name)
            if os.path.islink(path) or name in names:
                found[name if rel == "." else f"{rel}/{name}"] = _stamp(path)
    found.pop(MANIFEST, None)
    return found


def _intact(index: Path) -> bool:
    """The cached index is still exactly what Pagefind wrote: no file changed, added, removed or replaced by a
    link (its files are hard-linked into output/, where an editor could change them)."""
    try:
        recorded = json.loads((index / MANIFEST).read_text())
        return recorded == _files(index) and None not in recorded.values()
    except (OSError, ValueError):
        return False


def _cached_index(pages: Pages, source: Path, cache_folder: Path) -> Path:
    """The pages' index in the cache, made now by Pagefind over a folder of just those pages (from ``source``)
    if it is not there whole and untouched."""
    done = cache_folder / pages.digest.copy().hexdigest()[:32]
    if done.is_dir() and not done.is_symlink() and _intact(done):
        return done
    _remove(done)
    with tempfile.TemporaryDirectory(dir=cache_folder, prefix=".making-") as scratch:
        site, index = Path(scratch) / "site", Path(scratch) / "index"
        for rel in pages.paths:
            target = site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source / rel, target)  # a link costs a tenth of writing the page again
            except OSError:
                shutil.copyfile(source / rel, target)
        _pagefind(site, index)
        (index / MANIFEST).write_text(json.dumps(_files(index)))
        index.rename(done)  # whole or not at all (builds and reindexing hold the project lock)
    return done


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _link_tree(source: Path, target: Path) -> None:
    for folder, _, names in os.walk(source):
        placed = os.path.join(target, os.path.relpath(folder, source))
        os.makedirs(placed, exist_ok=True)
        for name in names:
            if name == MANIFEST:
                continue
            try:
                os.link(os.path.join(folder, name), os.path.join(placed, name))
            except OSError:  # the cache on another file system than the site
                shutil.copyfile(os.path.join(folder, name), os.path.join(placed, name))


def write_index(site: Path, output: Path, cache_folder: Path) -> None:
    """Index ``site``'s searchable pages into ``output`` (a new folder)."""
    pages = searchable_pages(site)
    index = _cached_index(pages, site, own_folder(cache_folder))
    _link_tree(index, output)
    _prune(cache_folder, {index.name})


def _prune(cache_folder: Path, kept: set[str]) -> None:
    """Drop the cached indexes this site no longer uses: the cache holds the last build's alone."""
    for entry in cache_folder.iterdir():
        if entry.name not in kept:  # and what a killed build was making: builds and reindexing hold the lock
            _remove(entry)


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
