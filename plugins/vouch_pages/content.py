"""Pelican content (articles, pages) and partner references.

Links are resolved in each item's rendered HTML; only the items validation
selected (not withheld, not dated in the future) are kept, before anything
is written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pelican.contents import Article, Page
from pelican.readers import MarkdownReader

from vouch.references import link_partners
from vouch.render import structured
from vouch.render.files import root_of
from vouch.render.markup import StripComments
from vouch_site.pelican_items import complete_content

from .generator import run_of


def resolve_partner_links(content: Any) -> None:
    """``content_object_init``: ``{partner}slug``, however spelled, -> a relative link to the profile. Not in an
    item validation did not select (withheld, a draft, dated later): it is dropped unwritten, and its reference to an
    unpublished partner would be logged as left out of a page that does not exist, on every build."""
    run = run_of(content.settings)
    site, shown = run.site, run.shown_paths
    if site is None or not getattr(content, "_content", None):
        return
    if shown is not None and os.path.abspath(content.source_path) not in shown:
        return
    source = f"{Path(content.settings['PATH']).name}/{content.get_relative_source_path()}"  # as problem lines
    content._content = link_partners(content._content, root_of(content.save_as), site.names, source=source)


class CommentFreeMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, which reads no HTML comment (``StripComments``): editors keep notes in them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        md = self.settings["MARKDOWN"]  # a copy of it: the site's settings stay as they are
        self.settings = {**self.settings, "MARKDOWN": {**md, "extensions": [*md["extensions"], StripComments()]}}


def read_without_comments(readers: Any) -> None:
    """``readers_init``: Markdown is read by ``CommentFreeMarkdownReader`` (a site's own reader is left alone)."""
    for extension, reader in readers.reader_classes.items():
        if reader is MarkdownReader:
            readers.reader_classes[extension] = CommentFreeMarkdownReader


def complete_read_metadata(readers: Any) -> None:
    """``readers_init``: every article and page read gets its category from its folder (or DEFAULT_CATEGORY)
    and a ``Lang:`` that names DEFAULT_LANG counts as it, as Vouch's checks located it (``complete_content``)."""
    read = readers.read_file

    def read_file(*args: Any, **kwargs: Any) -> Any:
        content = read(*args, **kwargs)
        if isinstance(content, Article | Page):  # not a static file
            complete_content(content)
        return content

    readers.read_file = read_file


ARTICLE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "dates", "drafts",
                 "drafts_translations")  # fmt: skip
PAGE_LISTS = ("pages", "translations", "hidden_pages", "hidden_translations", "draft_pages", "draft_translations")


def _keep_shown(generator: Any, lists: tuple[str, ...]) -> None:
    """Drop what validation did not select: withheld, future-dated, drafts (in place: the context shares them)."""
    shown = run_of(generator.settings).shown_paths
    if shown is not None:
        for name in lists:
            items = getattr(generator, name)
            items[:] = [item for item in items if os.path.abspath(item.source_path) in shown]


def keep_shown_articles(generator: Any) -> None:
    _keep_shown(generator, ARTICLE_LISTS)


def keep_shown_pages(generator: Any) -> None:
    _keep_shown(generator, PAGE_LISTS)


def article_jsonld(
    article: Any, site_url: str, site_name: str, featured: tuple[str, ...], names: dict[str, str]
) -> str:
    """Jinja global: the article's JSON-LD, safe inside ``<script>``."""
    mentions = [(names[slug], f"{site_url}/partners/{slug}/") for slug in featured if slug in names]
    data = structured.article_data(
        article.title,
        f"{site_url}/{article.url}",
        article.date,
        getattr(article, "modified", None),
        site_name,
        mentions,
    )
    return structured.script_json(data)
