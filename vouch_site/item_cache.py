"""What content/'s articles, pages and issues say (headers, partner references, where Pelican writes them), read
once per content: reading 1,000 articles takes 0.7 s of CPU, on every build and every edit in ``invoke serve``,
where it competes with the profiles' validation for the two cores.

The result is kept in ``.cache/vouch/items.pickle`` under a key of everything the reading depends on: each item
file's bytes (hashed, as the profile cache does: a size and an mtime put back prove nothing) and modification time
(``DEFAULT_DATE = "fs"`` dates an item by it), the folders, the
settings, the slugs a reference may name, the theme's template names, Vouch's code and the installed libraries.
A reading that logged anything is not kept, so that what it said is said again by the next build.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vouch.cache_files import read_stamped, save
from vouch.content import MAX_ITEM_BYTES, Item, is_welcome_step
from vouch.content_folders import Folders
from vouch.problems import Problem
from vouch.writer import render_cache
from vouch_site.config import code_files

VERSION = 1
CACHE_FILE = "items.pickle"  # in .cache/vouch/

Read = tuple[list[Item], list[Problem]]


def item_key(
    settings: dict[str, Any],
    content: Path,
    files: Iterable[Path],
    folders: Iterable[Path],
    kinds: Folders,
    known: frozenset[str],
    templates: frozenset[str],
) -> str:
    """What the reading of ``files`` (under ``content``, as ``scan`` found them, with its ``folders``) depends on."""
    digest = hashlib.sha256()
    code = code_files(*settings["PLUGIN_PATHS"])
    shared = (VERSION, render_cache.canonical(settings), render_cache.installed(), sorted(known), sorted(templates))
    digest.update(render_cache.fingerprint(shared, str(content), sorted(map(str, folders)), files=code).encode())
    for path in sorted(p for p in files if kinds.kind_of(p, content) and not is_welcome_step(p, content)):
        digest.update(f"\0{path}\0".encode())
        try:
            found = os.stat(path)
            # its time too: DEFAULT_DATE = "fs" dates an item by it (review: a warm build kept the old date)
            digest.update(f"{found.st_size} {found.st_mtime_ns}".encode())
            if found.st_size <= MAX_ITEM_BYTES:  # a bigger one is not read by the reading either: its size is named
                digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError as exc:  # the reading names it: a key that cannot match a reading of the file
            digest.update(f"unreadable {exc.errno}".encode())
    return digest.hexdigest()


def read_items(cache_file: Path, key: str, read: Callable[[], Read]) -> Read:
    """The reading kept under ``key``, else ``read()``, kept if it logged nothing."""
    kept = read_stamped(cache_file, key)
    if "items" in kept and "problems" in kept:
        return kept["items"], kept["problems"]
    with _logging_watched() as said:
        items, problems = read()
    if not said:
        save(cache_file, (key, {"items": items, "problems": problems}))
    return items, problems


@contextmanager
def _logging_watched() -> Iterator[list[logging.LogRecord]]:
    """Each record any logger hands to its handlers meanwhile (whatever handles them: a child process of the build
    collects them for its parent)."""
    said: list[logging.LogRecord] = []
    handing = logging.Logger.callHandlers

    def call_handlers(logger: logging.Logger, record: logging.LogRecord) -> None:
        said.append(record)
        handing(logger, record)

    logging.Logger.callHandlers = call_handlers  # type: ignore[method-assign]
    try:
        yield said
    finally:
        logging.Logger.callHandlers = handing  # type: ignore[method-assign]
