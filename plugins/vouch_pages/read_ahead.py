"""Pelican's articles and pages read on every core, into its own reader cache, before it reads them one by one.

Pelican reads content files in a loop on one core: Python-Markdown for 1,000 articles was 4.7 s of a
10,000-partner build, with the other core idle. At the first file a generator reads, every file it is about to
read and its cache does not hold is read by ``parallel.map_split`` and put in that cache; Pelican's loop then
finds each one there. What Pelican does with a read file (metadata, signals, its checks) is unchanged.

A file whose reading logs anything or raises is not put in the cache: Pelican reads it again itself, so its
messages and errors come exactly as they would without this.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from pelican.readers import _filter_discardable_metadata
from pelican.utils import file_suffix

from vouch.writer import parallel

READ_AHEAD_FROM = 100  # files to read; below this a fork costs more than it saves (about 4 ms a Markdown file)
Read = tuple[str, dict[str, Any]]  # what Pelican's reader cache holds for a file: content and reader metadata


def _quiet_read(readers: Any, path: str) -> Read | None:
    """What ``Readers.read_file`` caches for ``path``, or None if reading it logged or failed."""
    reader = readers.readers.get(file_suffix(path))
    if reader is None:
        return None
    logged: list[logging.LogRecord] = []
    call_handlers = logging.Logger.callHandlers
    logging.Logger.callHandlers = lambda _logger, record: logged.append(record)  # type: ignore[method-assign]
    try:
        content, metadata = reader.read(path)
    except Exception:
        return None
    finally:
        logging.Logger.callHandlers = call_handlers  # type: ignore[method-assign]
    return None if logged else (content, _filter_discardable_metadata(metadata))


def read_ahead(generator: Any, paths_setting: str, excludes_setting: str) -> None:
    """Fill ``generator``'s reader cache with the files it will read (once per generator)."""
    readers = generator.readers
    if getattr(generator, "_vouch_read_ahead", False) or not readers._cache_data_policy:  # Pelican caches no read file
        return
    generator._vouch_read_ahead = True
    found = generator.get_files(generator.settings[paths_setting], exclude=generator.settings[excludes_setting])
    paths = [os.path.abspath(os.path.join(generator.path, rel)) for rel in sorted(found)]
    todo = [path for path in paths if readers.get_cached_data(path, (None, None))[0] is None]
    if parallel.workers(len(todo), READ_AHEAD_FROM) < 2:
        return
    for path, read in zip(todo, parallel.map_split(lambda path: _quiet_read(readers, path), todo, READ_AHEAD_FROM),
                          strict=True):  # fmt: skip
        if read is not None:
            readers.cache_data(path, read)


def read_articles_ahead(generator: Any) -> None:
    """``article_generator_preread``."""
    read_ahead(generator, "ARTICLE_PATHS", "ARTICLE_EXCLUDES")


def read_pages_ahead(generator: Any) -> None:
    """``page_generator_preread``."""
    read_ahead(generator, "PAGE_PATHS", "PAGE_EXCLUDES")
