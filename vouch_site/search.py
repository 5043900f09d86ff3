"""The static search index: Pagefind over the finished site's searchable pages, once per content.

The searchable pages (marked ``data-pagefind-body``; print pages and the index itself are not even read) are
hashed as they are read. Past ``PART_PAGES`` of them they are indexed in parts (``vouch/search_parts.py``: why),
two Pagefind runs at a time, plus a word index whose page k holds the tokens Pagefind read from part k; the
search page asks the word index which parts hold a query's words and searches those (``pagefind/vouch-parts.json``
lists the parts and maps the word index's pages to them). Each index is kept in ``.cache/vouch/search/<hash>/``
and hard-linked into the next site while its pages are unchanged, so an edit re-indexes its own part (and the word
index if the part's tokens changed), and a build that changes nothing a visitor searches runs no Pagefind. A cached
index is used only if every file in it is still the very file Pagefind wrote.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import cache, partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from vouch import pagefind_files, search_parts
from vouch.cache_files import read_stamped
from vouch.paths import own_folder
from vouch.search_parts import Page
from vouch.writer.parallel import Started, end_with_parent
from vouch.writer.staged import FileId, file_id

BODY = b"data-pagefind-body"
SEARCH_FOLDER = "pagefind"  # in the site: the search index
MANIFEST = ".vouch-manifest.json"  # in a cached index, never published: each file's size, mtime and inode
PARTS = "vouch-parts.json"  # in pagefind/: the parts the search page merges, in order, and the word index
WORDS = "words"  # in pagefind/: the word index, whose page k holds the words of part k
STATE = "parts.pickle"  # in the cache: where the parts began, each index's tokens, each page read (by file id)
MAKING = "making.lock"  # in the cache: held by the one process making indexes into it
Tokens = tuple[str, frozenset[str]]  # the language read, and the tokens Pagefind read in it
STATE_VERSION = 5  # 4: tokens as written, marks kept; pages without their language; 5: pages quick-pickled
# pages are pickled as their field values in order: a state written with other fields is another state's
STATE_STAMP = (STATE_VERSION, tuple(f.name for f in fields(Page)))


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


def site_files(site: Path) -> list[str]:
    """Every file of the site but its search index, as paths in the site, in no set order. One walk gives the build
    its file count and the search its pages (two took 0.4 s of a one-edit rebuild at 10,000 partners). As
    ``os.walk`` lists them (a link to a folder is a folder, not followed; a folder that cannot be read is
    skipped), in half its time: 0.15 s against 0.3 s for 18,000 folders."""
    found: list[str] = []
    stack = [("", os.fspath(site))]
    while stack:
        rel, folder = stack.pop()
        try:
            listing = os.scandir(folder)
        except OSError:
            continue
        with listing:
            for entry in listing:
                try:
                    is_folder = entry.is_dir()
                except OSError:
                    is_folder = False
                if not is_folder:
                    found.append(rel + entry.name)
                elif not entry.is_symlink() and (rel or entry.name != SEARCH_FOLDER):
                    stack.append((f"{rel}{entry.name}/", entry.path))
    return found


def _html_files(files: list[str]) -> list[str]:
    """Of the site's ``files``, every page Pagefind could index, in a fixed order. Never read: print pages (8,000
    certificates at 10,000 partners) carry no search body."""
    found = []
    for rel in files:
        if not rel.endswith(".html"):
            continue
        parts = rel.split("/")
        if parts[:2] == ["print", "cards"] or (parts[0] == "partners" and "certificate" in parts[2:-1]):
            continue
        found.append(rel)
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
    """Each file's stamp, and None for a link (to a file or a folder, which is not followed): one lstat a file
    (10,000 of them in a 10,000-partner site's index, checked on every build)."""
    found: dict[str, list[int] | None] = {}
    for folder, folders, names in os.walk(index):
        rel = os.path.relpath(folder, index)
        for name in names:
            found[name if rel == "." else f"{rel}/{name}"] = _stamp(os.path.join(folder, name))
        for name in folders:
            if os.path.islink(os.path.join(folder, name)):  # os.walk lists it among the folders, never enters it
                found[name if rel == "." else f"{rel}/{name}"] = None
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
    """An index as the cache holds it: the site's pages it indexes, pages written for it alone (the word index's),
    and the key of both with Pagefind's version, so a stale index is never used."""

    pages: list[Page]
    written: dict[str, bytes] = field(default_factory=dict)  # path in the index's site -> page

    @property
    def key(self) -> str:
        digest = hashlib.sha256(_pagefind_identity())
        digest.update(_part_key(self.pages).encode())
        for rel, data in sorted(self.written.items()):
            digest.update(f"\0{rel}\0".encode())
            digest.update(data)
        return digest.hexdigest()[:32]


def _read_pages(
    site: Path, files: list[str], known: dict[str, tuple[FileId, Page | None]]
) -> dict[str, tuple[FileId, Page | None]]:
    """Every page among the site's ``files`` and, if Pagefind indexes it, what it is (hashed as read, not kept: 80 MB
    at 10,000 partners). A page that is the very file the last build read (``file_id``, as the render cache trusts it: a
    rebuild links unchanged pages into the new site) is not read again: hashing 9,000 pages took 1.4 s."""
    found: dict[str, tuple[FileId, Page | None]] = {}
    for rel in _html_files(files):
        path = os.path.join(site, rel)
        identity = file_id(path)
        if rel in known and known[rel][0] == identity:
            found[rel] = known[rel]
            continue
        with open(path, "rb") as file:
            data = file.read()
        page = None
        if BODY in data:
            name = search_parts.partner_name(data) if rel.startswith("partners/") else None
            page = Page(rel, hashlib.sha256(data).hexdigest(), name)
        found[rel] = (identity, page)
    return found


def _part_key(part: list[Page]) -> str:
    return hashlib.sha256("\0".join(f"{p.rel}\0{p.digest}" for p in part).encode()).hexdigest()[:32]


def _make(index: _Index, source: Path, cache_folder: Path) -> Path:
    """The index in the cache, made now by Pagefind over a folder of just its pages (linked from ``source``, or
    written), if it is not there whole and untouched."""
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
        for rel, data in index.written.items():
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_bytes(data)
        _pagefind(site, made)
        (made / MANIFEST).write_text(json.dumps(_files(made)))
        made.rename(done)  # whole or not at all (whoever makes indexes holds ``_making``)
    return done


def _make_parts(
    parts: list[list[Page]], source: Path, cache_folder: Path, lang: str | None, known: dict[str, Tokens]
) -> list[tuple[Path, frozenset[str]]]:
    """Each part's index, two Pagefind runs at a time (each uses about one core, and ~170 MB a part), with the
    tokens Pagefind read from its pages in ``lang``, the language the search page loads (kept from the last
    build, else read back as soon as Pagefind has written them); none if ``lang`` is None (one index needs no
    word index)."""

    def make(part: list[Page]) -> tuple[Path, frozenset[str]]:
        index = _make(_Index(part), source, cache_folder)
        if lang is None:
            return index, frozenset()
        if index.name in known and known[index.name][0] == lang:
            return index, known[index.name][1]
        loaded = pagefind_files.loaded_language(index, lang)
        if loaded != lang:  # every page is in DEFAULT_LANG (a Lang: header is refused): not met so far
            raise SearchIndexFailed(
                f"a search part's pages are in {loaded!r}, the search page in {lang!r}: the word index, which "
                "tells the search page which parts hold a word, speaks one language"
            )
        return index, pagefind_files.indexed_tokens(index, lang)

    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(make, parts))


def _search_language(site: Path) -> str:
    """The ``<html lang>`` of the search page: the language whose index Pagefind loads from every part."""
    try:
        return search_parts.language((site / "search" / "index.html").read_bytes())
    except OSError:
        return "unknown"


@dataclass
class _Made:
    """The indexes a site's search is made of, in the cache: each part's (with its tokens) and the word index's
    (None for a site of one part)."""

    parts: list[tuple[Path, frozenset[str]]]
    words: Path | None


@contextmanager
def _making(cache_folder: Path) -> Iterator[None]:
    """One process at a time makes indexes into the cache: ``invoke serve`` makes an edited page's index in a
    child process while its rebuild runs, and the rebuild's own search then waits for it, and finds it made. An
    flock: freed when its holder ends, however it ends."""
    fd = os.open(cache_folder / MAKING, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def index_ahead(site: Path, cache_folder: Path) -> Started[None]:
    """The indexes ``write_index`` needs, made in a child process (``invoke serve``: the edited page's index,
    made while the rest of the site is rebuilt). The child holds the cache from before it is forked, so whoever
    makes indexes next (the rebuild's search) waits for it, and finds its index made."""
    cache_folder = own_folder(cache_folder)
    with _making(cache_folder):  # the child shares the lock taken here; this process lets go of its own share
        return Started(partial(_made_ahead, site, cache_folder))


def _made_ahead(site: Path, cache_folder: Path) -> None:
    gc.freeze()  # in a child forked from a big process: its collections would walk (and copy) the parent's objects
    _make_indexes(site, cache_folder, site_files(site))


def _make_indexes(site: Path, cache_folder: Path, listing: list[str]) -> _Made:
    """Every index the site's searchable pages need, made in the cache where it is not there yet (the cache then
    holds these alone): in parts past PART_PAGES pages, with the word index that tells the search page which parts
    can hold a query's words. Called holding ``_making``."""
    state = _read_state(cache_folder)
    files = _read_pages(site, listing, state.get("files", {}))
    pages = [page for _, page in files.values() if page is not None]
    parts, bounds = search_parts.split(pages, state.get("bounds", ()))
    lang = _search_language(site) if len(parts) > 1 else None  # one index needs no word index
    made = _Made(_make_parts(parts, site, cache_folder, lang, state.get("tokens", {})), None)
    if len(made.parts) > 1:
        written = {
            f"{number}/index.html": search_parts.words_page(tokens, lang or "unknown")
            for number, (_, tokens) in enumerate(made.parts)
        }
        made.words = _make(_Index([], written), site, cache_folder)
    tokens = {index.name: (lang, held) for index, held in made.parts if lang is not None}
    _save_state(cache_folder, {"bounds": bounds, "tokens": tokens, "files": files})
    kept = {index.name for index, _ in made.parts} | ({made.words.name} if made.words else set())
    _prune(cache_folder, kept | {STATE, MAKING})
    return made


def write_index(site: Path, output: Path, cache_folder: Path, files: list[str] | None = None) -> None:
    """Index ``site``'s searchable pages into ``output`` (a new folder): one index, or the parts listed in
    ``vouch-parts.json`` for the search page (one index is listed as ``[""]``) with the word index. ``files``:
    ``site_files(site)``, if the caller has walked the site already."""
    cache_folder = own_folder(cache_folder)
    with _making(cache_folder):  # made and linked before another process may prune the cache
        made = _make_indexes(site, cache_folder, site_files(site) if files is None else files)
        _link_made(made, output)


def _link_made(made: _Made, output: Path) -> None:
    if made.words is None:
        _link_tree(made.parts[0][0], output)
        listing: dict[str, Any] = {"parts": [""]}
    else:
        names = [str(number) for number in range(len(made.parts))]
        for name, (index, _) in zip(names, made.parts, strict=True):
            _link_tree(index, output / name)
        _link_tree(made.words, output / WORDS)
        part_of = {page: url.strip("/") for page, url in sorted(pagefind_files.fragment_urls(made.words).items())}
        listing = {"parts": names, "words": WORDS, "part_of": part_of}
    (output / PARTS).write_text(json.dumps(listing))


def _read_state(cache_folder: Path) -> dict[str, Any]:
    """The last build's state, or none if anything in it is not of the shape this code writes (a hand-edited or
    foreign cache): it only saves work, so an odd one is dropped, never trusted nor fatal."""
    state = read_stamped(cache_folder / STATE, STATE_STAMP)
    files, tokens, bounds = state.get("files", {}), state.get("tokens", {}), state.get("bounds", [])
    shaped = (
        isinstance(files, dict)
        and all(
            isinstance(rel, str) and isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], tuple)
            and (entry[1] is None or isinstance(entry[1], Page))
            for rel, entry in files.items()
        )
        and isinstance(tokens, dict)
        and all(
            isinstance(name, str) and isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)
            and isinstance(entry[1], frozenset) and all(isinstance(token, str) for token in entry[1])
            for name, entry in tokens.items()
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
        if entry.name not in kept:  # and what a killed build was making: whoever makes indexes holds ``_making``
            _remove(entry)


def _save_state(cache_folder: Path, state: dict[str, Any]) -> None:
    tmp = cache_folder / f".{STATE}.tmp"
    tmp.write_bytes(pickle.dumps((STATE_STAMP, state), protocol=5))
    tmp.replace(cache_folder / STATE)


def index_site(site: Path, cache_folder: Path, files: list[str] | None = None) -> None:
    """Write ``site/pagefind/`` (``files``: as ``write_index``)."""
    write_index(site, site / SEARCH_FOLDER, cache_folder, files)


def keep_search_index(live: Path, staging: Path) -> None:
    """Link the live site's index into a staging site built without one (``invoke serve``)."""
    index = live / SEARCH_FOLDER
    if index.is_dir():
        _link_tree(index, staging / SEARCH_FOLDER)


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
    current = site / SEARCH_FOLDER
    if current.exists():
        current.rename(old)
    fresh.rename(current)
    shutil.rmtree(old, ignore_errors=True)
