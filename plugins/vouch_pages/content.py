"""Pelican content (articles, pages) and partner references.

Links are resolved in each item's rendered HTML; only the items validation
selected (not withheld, not dated in the future) are kept, before anything
is written.
"""

from __future__ import annotations

import os
from typing import Any

from vouch.content import strip_comments
from vouch.references import link_partners
from vouch.render import structured
from vouch.render.files import root_of

from .generator import run_of


def resolve_partner_links(content: Any) -> None:
    """``content_object_init``: ``{partner}slug``, however spelled, -> a relative link to the profile."""
    site = run_of(content.settings).site
    if site is None or not getattr(content, "_content", None):
        return
    content._content = link_partners(content._content, root_of(content.save_as), site.names)


def drop_comments(content: Any) -> None:
    """``content_object_init``: editors' ``<!-- notes -->`` leave neither the body nor the summary."""
    if getattr(content, "_content", None):
        content._content = strip_comments(content._content)
    if content.metadata.get("summary"):
        content.metadata["summary"] = strip_comments(content.metadata["summary"])
        if hasattr(content, "_summary"):
            content._summary = content.metadata["summary"]


def _shown(settings: dict[str, Any]) -> frozenset[str] | None:
    items = run_of(settings).items
    return None if items is None else frozenset(os.path.realpath(item.path) for item in items)


ARTICLE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "dates", "drafts",
                 "drafts_translations")  # fmt: skip
PAGE_LISTS = ("pages", "translations", "hidden_pages", "hidden_translations", "draft_pages", "draft_translations")


def _keep_shown(generator: Any, lists: tuple[str, ...]) -> None:
    """Drop what validation did not select: withheld, future-dated, drafts (in place: the context shares them)."""
    shown = _shown(generator.settings)
    if shown is not None:
        for name in lists:
            items = getattr(generator, name)
            items[:] = [item for item in items if os.path.realpath(item.source_path) in shown]


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
