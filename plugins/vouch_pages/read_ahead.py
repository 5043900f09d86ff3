"""Pelican's articles and pages read on every core, into its own reader cache, before it reads them one by one.

Pelican reads content files in a loop on one core: Python-Markdown for 1,000 articles was 4.7 s of a
10,000-partner build, with the other core idle. At the first file a generator reads, every file it is about to
read and its cache does not hold is read by ``parallel.map_split`` and put in that cache; Pelican's loop then
finds each one there. What Pelican does with a read file (metadata, signals, its checks) is unchanged.

A file whose reading logs anything, warns or raises is not put in the cache: Pelican reads it again itself, so its
messages and errors come exactly as they would without this (a message said here would also count as said for
Pelican's once-only filter, so none reaches a logger). What is cached is stamped as the file was before it was
read: a file saved meanwhile no longer matches its stamp and is read again, now and in later builds. The settings
a read file's tags and category hold are the very ones this process has, never copies sent back by a child (they
need not pickle: a ``lambda`` in JINJA_FILTERS).
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import warnings
from typing import Any

from pelican.cache import FileDataCacher
from pelican.readers import _filter_discardable_metadata
from pelican.utils import file_suffix

from vouch.writer import parallel

READ_AHEAD_FROM = 100  # files to read; below this a fork costs more than it saves (about 4 ms a Markdown file)


class _Pickler(pickle.Pickler):
    """Pickles a read file with the settings objects it refers to left as references (a forked child has the very
    objects its parent has, at the same ids)."""

    def __init__(self, file: io.BytesIO, kept: dict[int, object]) -> None:
        super().__init__(file, protocol=5)
        self.kept = kept

    def persistent_id(self, obj: object) -> int | None:
        return id(obj) if id(obj) in self.kept else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, kept: dict[int, object]) -> None:
        super().__init__(file)
        self.kept = kept

    def persistent_load(self, pid: int) -> object:
        return self.kept[pid]


def held_settings(readers: Any, *more: dict[str, Any]) -> dict[int, object]:
    """The settings objects a read file's metadata may refer to (each reader's own, which its tags hold), by id."""
    held = [readers.settings, *more, *(reader.settings for reader in readers.readers.values())]
    return {id(settings): settings for settings in held}


def _quiet_read(readers: Any, path: str, kept: dict[int, object]) -> bytes | None:
    """What ``Readers`` caches for ``path`` (its stamp, then content and reader metadata), pickled; None if reading it
    logged or failed, or it does not pickle."""
    reader = readers.readers.get(file_suffix(path))
    if reader is None:
        return None
    logged: list[logging.LogRecord] = []
    handle = logging.Logger.handle
    logging.Logger.handle = lambda _logger, record: logged.append(record)  # type: ignore[method-assign,assignment]
    try:
        with warnings.catch_warnings(record=True) as warned:  # a Python warning too: Pelican's reading shows it
            stamp = readers._get_file_stamp(path)  # before reading: a file saved meanwhile will not match it
            content, metadata = reader.read(path)
        data = io.BytesIO()
        _Pickler(data, kept).dump((stamp, (content, _filter_discardable_metadata(metadata))))
    except Exception:
        return None
    finally:
        logging.Logger.handle = handle  # type: ignore[method-assign]
    return None if logged or warned else data.getvalue()


def read_ahead(generator: Any, paths_setting: str, excludes_setting: str) -> None:
    """Fill ``generator``'s reader cache with the files it will read (once per generator)."""
    readers = generator.readers
    if getattr(generator, "_vouch_read_ahead", False) or not readers._cache_data_policy:  # Pelican caches no read file
        return
    generator._vouch_read_ahead = True
    found = generator.get_files(generator.settings[paths_setting], exclude=generator.settings[excludes_setting])
    paths = [os.path.abspath(os.path.join(generator.path, rel)) for rel in found]
    todo = [path for path in paths if readers.get_cached_data(path, (None, None))[0] is None]
    if parallel.workers(len(todo), READ_AHEAD_FROM) < 2:
        return
    kept = held_settings(readers, generator.settings)
    for path, read in zip(todo, parallel.map_split(lambda path: _quiet_read(readers, path, kept), todo,
                                                   READ_AHEAD_FROM), strict=True):  # fmt: skip
        if read is not None:  # stored with the stamp taken before it was read, not the file's stamp now
            FileDataCacher.cache_data(readers, path, _Unpickler(io.BytesIO(read), kept).load())


def read_articles_ahead(generator: Any) -> None:
    """``article_generator_preread``."""
    read_ahead(generator, "ARTICLE_PATHS", "ARTICLE_EXCLUDES")


def read_pages_ahead(generator: Any) -> None:
    """``page_generator_preread``."""
    read_ahead(generator, "PAGE_PATHS", "PAGE_EXCLUDES")
