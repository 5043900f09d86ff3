"""Pelican adapter: every Vouch page (directory, profiles, listings, feeds, sitemap), from public models.

Partner pages are not Pelican articles: they are rendered straight from the
validated, published models with the theme's compiled templates, which is
several times cheaper than going through Pelican's readers and writer.
The plan lives in ``vouch.render.pages``; this package only connects it.
"""

from __future__ import annotations

import os
from typing import Any

from pelican import signals
from pelican.generators import StaticGenerator

from .content import (
    article_jsonld,
    complete_read_metadata,
    keep_shown_articles,
    keep_shown_pages,
    read_without_comments,
    resolve_partner_links,
)
from .generator import VouchPagesGenerator, run_of
from .read_ahead import read_articles_ahead, read_pages_ahead


def get_generators(_pelican: object) -> type[VouchPagesGenerator]:
    return VouchPagesGenerator


def keep_published_files(static_generator: StaticGenerator) -> None:
    """Only the files a published item or partner links: Pelican collected STATIC_PATHS and every item's links."""
    published = run_of(static_generator.settings).published_files
    if published is not None:
        static_generator.staticfiles[:] = [
            s for s in static_generator.staticfiles if os.path.realpath(s.source_path) in published
        ]


def list_files_in_order(generator: Any) -> None:
    """``article_generator_init``, ``page_generator_init``: Pelican lists a generator's files as a set, in an
    order that changes from run to run with Python's hash seed, and sorts articles by date only: articles dated
    alike were listed in another order on every build (review of stop 27). They are listed by path, so equal
    dates keep that order; and as ``skip_left_out_files``."""
    skip_left_out_files(generator)
    find = generator.get_files

    def get_files(paths: Any, exclude: list[str] | None = None, extensions: Any = None) -> list[str]:
        return sorted(find(paths, exclude=exclude, extensions=extensions))

    generator.get_files = get_files


def skip_left_out_files(generator: Any) -> None:
    """Never read a file validation left out (``--keep-going``): Pelican would stop on a broken one, wait
    for ever on a pipe, or recurse out of stack in a folder too deep (a left-out folder is not walked)."""
    left_out = run_of(generator.settings).left_out
    if left_out:
        find = generator.get_files

        def get_files(paths: Any, exclude: list[str] | None = None, extensions: Any = None) -> set[str]:
            found = find(paths, exclude=[*(exclude or []), *sorted(left_out)], extensions=extensions)
            return {f for f in found if f not in left_out}

        generator.get_files = get_files


def add_template_globals(generator: object) -> None:
    generator.env.globals["article_jsonld"] = article_jsonld  # type: ignore[attr-defined]


def register() -> None:
    signals.generator_init.connect(add_template_globals)
    signals.get_generators.connect(get_generators)
    signals.readers_init.connect(read_without_comments)
    signals.readers_init.connect(complete_read_metadata)
    signals.article_generator_init.connect(list_files_in_order)
    signals.page_generator_init.connect(list_files_in_order)
    signals.static_generator_init.connect(skip_left_out_files)  # its cache stamps a file by reading it
    signals.static_generator_finalized.connect(keep_published_files)
    signals.article_generator_preread.connect(read_articles_ahead)
    signals.page_generator_preread.connect(read_pages_ahead)
    signals.content_object_init.connect(resolve_partner_links)
    signals.article_generator_finalized.connect(keep_shown_articles)
    signals.page_generator_finalized.connect(keep_shown_pages)
