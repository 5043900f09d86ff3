"""Pelican adapter: the partner directory pages, rendered from public models.

Partner pages are not Pelican articles: they are rendered straight from the
validated, published models with the theme's compiled templates, which is
several times cheaper than going through Pelican's readers and writer.
"""

from __future__ import annotations

import os
from typing import Any

from pelican import signals
from pelican.generators import StaticGenerator

from .content import article_jsonld, keep_shown_articles, keep_shown_pages, resolve_partner_links
from .generator import PartnersGenerator, run_of


def get_generators(_pelican: object) -> type[PartnersGenerator]:
    return PartnersGenerator


def drop_withheld_files(static_generator: StaticGenerator) -> None:
    """Keep content files that only unpublished partners use (their logos) out of output/."""
    withheld = run_of(static_generator.settings).withheld_files
    if withheld:
        root = static_generator.path
        static_generator.staticfiles[:] = [
            s for s in static_generator.staticfiles if os.path.relpath(s.source_path, root) not in withheld
        ]


def skip_left_out_files(generator: Any) -> None:
    """Never read a file validation left out (``--keep-going``): Pelican would stop on a broken one."""
    left_out = run_of(generator.settings).withheld_files
    if left_out:
        find = generator.get_files
        generator.get_files = lambda *args, **kwargs: {f for f in find(*args, **kwargs) if f not in left_out}


def add_template_globals(generator: object) -> None:
    generator.env.globals["article_jsonld"] = article_jsonld  # type: ignore[attr-defined]


def register() -> None:
    signals.generator_init.connect(add_template_globals)
    signals.get_generators.connect(get_generators)
    signals.article_generator_init.connect(skip_left_out_files)
    signals.page_generator_init.connect(skip_left_out_files)
    signals.static_generator_finalized.connect(drop_withheld_files)
    signals.content_object_init.connect(resolve_partner_links)
    signals.article_generator_finalized.connect(keep_shown_articles)
    signals.page_generator_finalized.connect(keep_shown_pages)
