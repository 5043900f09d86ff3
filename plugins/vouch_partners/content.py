"""Pelican content (articles, pages) and partner references.

Links are resolved in each item's rendered HTML; items that name a partner
who is not published were found by validation and are dropped here, before
anything is written.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from vouch.references import link_partners

from .generator import root_of

log = logging.getLogger(__name__)


def resolve_partner_links(content: Any) -> None:
    """``content_object_init``: ``{partner}slug`` -> a relative link to the profile."""
    site = content.settings.get("VOUCH_SITE")
    if site is None or not getattr(content, "_content", None) or "{partner}" not in content._content:
        return
    names = {p.slug: p.name for p in site.partners}
    content._content = link_partners(content._content, root_of(content.save_as), names)


def _drop(items: list[Any], withheld: dict[str, list[str]]) -> None:
    kept = []
    for item in items:
        slugs = withheld.get(os.path.realpath(item.source_path))
        if slugs:
            log.warning("vouch: withheld %s: it names unpublished %s", item.relative_source_path, ", ".join(slugs))
        else:
            kept.append(item)
    items[:] = kept


def drop_withheld_articles(generator: Any) -> None:
    withheld = generator.settings.get("VOUCH_WITHHELD_CONTENT") or {}
    for name in ("articles", "translations", "hidden_articles", "hidden_translations", "dates"):
        _drop(getattr(generator, name), withheld)


def drop_withheld_pages(generator: Any) -> None:
    withheld = generator.settings.get("VOUCH_WITHHELD_CONTENT") or {}
    for name in ("pages", "translations", "hidden_pages", "hidden_translations"):
        _drop(getattr(generator, name), withheld)
