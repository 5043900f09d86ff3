"""The static search index: Pagefind over the finished site's searchable pages, once per content.

The searchable pages (marked ``data-pagefind-body``; print pages and the index itself are not even read) are
hashed as they are read. Past ``PART_PAGES`` of them they are indexed in parts (``vouch/search_parts.py``: why,
and how every part is made to know every word), two Pagefind runs at a time, and the search page merges the parts
listed in ``pagefind/vouch-parts.json``. Each part's index is kept in ``.cache/vouch/search/<hash>/`` and
hard-linked into the next site while its pages and the site's vocabulary are unchanged, so an edit re-indexes
its own part, and a build that changes nothing a visitor searches runs no Pagefind. A cached index is used only
if every file in it is still the very file Pagefind wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from vouch import search_parts
from vouch.cache_files import read_stamped
from vouch.paths import own_folder
from vouch.search_parts import VOCABULARY, Page
from vouch.writer import parallel
from vouch.writer.parallel import end_with_parent
from vouch.writer.staged import FileId, file_id

BODY = b"data-pagefind-body"
MANIFEST = ".vouch-manifest.json"  # in a cached index, never published: each file's size, mtime and inode
PARTS = "vouch-parts.json"  # in pagefind/: the parts the search page merges, in order
STATE = "parts.pickle"  # in the cache: where the parts began, each part's words, each page read (by file identity)
STATE_VERSION = 2


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


def _html_files(site: Path) -> list[str]:
    """Every page Pagefind could index, as paths in the site, in a fixed order (os.walk and strings: pathlib took
    most of an unchanged index's time on 18,000 pages)."""
    found = []
    for folder, folders, names in os.walk(site):
        rel = os.path.relpath(folder, site)
        # never read: print pages (8,000 certificates at 10,000 partners) carry no search body; nor the index
        partner = ("certificate",) if rel.startswith("partners/") else ()
        unread = {".": ("pagefind",), "print": ("cards",)}.get(rel, partner)
        folders[:] = [f for f in folders if f not in unread]
        found += [name if rel == "." else f"{rel}/{name}" for name in names if name.endswith(".html")]
    return sorted(found)


@cache
def _pagefind_identity() -> bytes:
    """Pagefind's version and binary, in the cache key."""
    return f"{version('pagefind')} {_pagefind_command()}".encode()


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


@dataclass
class _Index:
    """One part's index, as the cache holds it: its pages, the vocabulary page it needs (None for a site in one
    part), and the key of both with Pagefind's version, so a stale index is never used."""

    pages: list[Page]
    vocabulary: dict[str, bytes] | None = None  # language -> vocabulary page

    @property
    def key(self) -> str:
        digest = hashlib.sha256(_pagefind_identity())
        digest.update(_part_key(self.pages).encode())
        for lang, data in sorted((self.vocabulary or {}).items()):
            digest.update(f"\0{lang}\0".encode())
            digest.update(data)
        return digest.hexdigest()[:32]


def _read_pages(site: Path, known: dict[str, tuple[FileId, Page | None]]) -> dict[str, tuple[FileId, Page | None]]:
    """Every page of the site and, if Pagefind indexes it, what it is (hashed as read, not kept: 80 MB at 10,000
    partners). A page that is the very file the last build read (``file_id``, as the render cache trusts it: a
    rebuild links unchanged pages into the new site) is not read again: hashing 9,000 pages took 1.4 s."""
    found: dict[str, tuple[FileId, Page | None]] = {}
    for rel in _html_files(site):
        path = os.path.join(site, rel)
        identity = file_id(Path(path))
        if rel in known and known[rel][0] == identity:
            found[rel] = known[rel]
            continue
        with open(path, "rb") as file:
            data = file.read()
        page = None
        if BODY in data:
            name = search_parts.partner_name(data) if rel.startswith("partners/") else None
            page = Page(rel, hashlib.sha256(data).hexdigest(), name, search_parts.language(data))
        found[rel] = (identity, page)
    return found


def _part_key(part: list[Page]) -> str:
    return hashlib.sha256("\0".join(f"{p.rel}\0{p.digest}" for p in part).encode()).hexdigest()[:32]


def _words(site: Path, pages: list[tuple[str, Page]]) -> dict[str, dict[str, set[str]]]:
    """The words of these pages by part key and language: ~0.8 ms a page."""
    found: dict[str, dict[str, set[str]]] = {}
    for key, page in pages:
        found.setdefault(key, {}).setdefault(page.lang, set()).update(
            search_parts.page_words((site / page.rel).read_bytes())
        )
    return found


def _part_words(
    site: Path, parts: list[list[Page]], known: dict[str, dict[str, frozenset[str]]]
) -> dict[str, dict[str, frozenset[str]]]:
    """Each part's words by its key: kept from the last build for a part whose pages are the same, else read
    (the pages shared over every core, so that one changed part is read on all of them)."""
    keys = [_part_key(part) for part in parts]
    unread = [(key, page) for key, part in zip(keys, parts, strict=True) if key not in known for page in part]
    read: dict[str, dict[str, set[str]]] = {}
    for found in parallel.run_split(unread, partial(_words, site), parallel.workers(len(unread))):
        for key, by_lang in found.items():
            for lang, words in by_lang.items():
                read.setdefault(key, {}).setdefault(lang, set()).update(words)
    return {
        key: known[key] if key in known else {lang: frozenset(w) for lang, w in read.get(key, {}).items()}
        for key in keys
    }


def _vocabulary(words: dict[str, dict[str, frozenset[str]]]) -> dict[str, frozenset[str]]:
    """Every word of the site now, by language: never a word of the last build's (one only a partner since
    suspended had would stay in every part's index)."""
    now: dict[str, set[str]] = {}
    for found in words.values():
        for lang, held in found.items():
            now.setdefault(lang, set()).update(held)
    return {lang: frozenset(held) for lang, held in now.items()}


def _make(index: _Index, source: Path, cache_folder: Path) -> Path:
    """The part's index in the cache, made now by Pagefind over a folder of just its pages (linked from
    ``source``) and its vocabulary page, if it is not there whole and untouched."""
    done = cache_folder / index.key
    if done.is_dir() and not done.is_symlink() and _intact(done):
        return done
    _remove(done)
    with tempfile.TemporaryDirectory(dir=cache_folder, prefix=".making-") as scratch:
        site, made = Path(scratch) / "site", Path(scratch) / "index"
        for page in index.pages:
            target = site / page.rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source / page.rel, target)  # a link costs a tenth of writing the page again
            except OSError:
                shutil.copyfile(source / page.rel, target)
        for lang, data in (index.vocabulary or {}).items():
            page = site / VOCABULARY / lang / "index.html"
            page.parent.mkdir(parents=True)
            page.write_bytes(data)
        _pagefind(site, made)
        (made / MANIFEST).write_text(json.dumps(_files(made)))
        made.rename(done)  # whole or not at all (builds and reindexing hold the project lock)
    return done


def _make_all(indexes: list[_Index], source: Path, cache_folder: Path) -> list[Path]:
    """Each part's index, two Pagefind runs at a time (each uses about one core, and ~170 MB a part)."""
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(lambda index: _make(index, source, cache_folder), indexes))


def write_index(site: Path, output: Path, cache_folder: Path) -> None:
    """Index ``site``'s searchable pages into ``output`` (a new folder): in parts past PART_PAGES pages, listed in
    ``vouch-parts.json`` for the search page (one index is listed as ``[""]``)."""
    cache_folder = own_folder(cache_folder)
    state = _read_state(cache_folder)
    files = _read_pages(site, state.get("files", {}))
    pages = [page for _, page in files.values() if page is not None]
    parts, bounds = search_parts.split(pages, state.get("bounds", ()))
    words = _part_words(site, parts, state.get("words", {})) if len(parts) > 1 else {}
    vocabulary = _vocabulary(words)
    pages_of = {lang: search_parts.vocabulary_page(held, lang) for lang, held in vocabulary.items()}
    made = _make_all([_Index(part, pages_of or None) for part in parts], site, cache_folder)
    names = [str(number) for number in range(len(made))] if len(made) > 1 else [""]
    for name, index in zip(names, made, strict=True):
        _link_tree(index, output / name)
    # base: above any part's count of name-sorted pages, so that weighting part k by base**k lists parts in turn
    base = max(len(part) for part in parts) + 2
    (output / PARTS).write_text(json.dumps({"parts": names, "vocabulary": VOCABULARY, "base": base}))
    _save_state(cache_folder, {"bounds": bounds, "words": words, "files": files})
    _prune(cache_folder, {index.name for index in made} | {STATE})


def _read_state(cache_folder: Path) -> dict[str, Any]:
    """The last build's state, or none if anything in it is not of the shape this code writes (a hand-edited or
    foreign cache): it only saves work, so an odd one is dropped, never trusted nor fatal."""
    state = read_stamped(cache_folder / STATE, STATE_VERSION)
    files, words, bounds = state.get("files", {}), state.get("words", {}), state.get("bounds", [])
    shaped = (
        isinstance(files, dict)
        and all(
            isinstance(rel, str) and isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], tuple)
            and (entry[1] is None or isinstance(entry[1], Page))
            for rel, entry in files.items()
        )
        and isinstance(words, dict)
        and all(
            isinstance(key, str) and isinstance(by_lang, dict)
            and all(isinstance(lang, str) and isinstance(held, frozenset) for lang, held in by_lang.items())
            for key, by_lang in words.items()
        )
        and isinstance(bounds, list)
        and all(
            isinstance(bound, tuple) and len(bound) == 2 and isinstance(bound[1], list)
            and all(isinstance(part, str) for part in bound[1])
            for bound in bounds
        )
    )  # fmt: skip
    return state if shaped else {}


def _prune(cache_folder: Path, kept: set[str]) -> None:
    """Drop what this site no longer uses: the cache holds the last build's indexes alone."""
    for entry in cache_folder.iterdir():
        if entry.name not in kept:  # and what a killed build was making: builds and reindexing hold the lock
            _remove(entry)


def _save_state(cache_folder: Path, state: dict[str, Any]) -> None:
    tmp = cache_folder / f".{STATE}.tmp"
    tmp.write_bytes(pickle.dumps((STATE_VERSION, state), protocol=5))
    tmp.replace(cache_folder / STATE)


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
