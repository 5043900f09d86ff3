"""What the domain asks of the site's reader: files in other formats, and each item's place as Pelican sees it.

Vouch checks every item itself (``vouch.content``), but an item's URL, date,
slug and category are Pelican's to decide (its readers, ``DEFAULT_DATE``,
``FILENAME_METADATA``, ``PATH_METADATA``, the URL settings). The application
hands the domain an ``ItemReader`` that asks Pelican; the domain sees plain data.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

Header = dict[str, list[tuple[int, str]]]  # key (lower case) -> each value with its line

MARKDOWN_SUFFIXES = frozenset({"md", "markdown", "mkd", "mdown"})  # Pelican's Markdown reader's, read by Vouch too
# Pelican's intrasite links to pages a Vouch site does not have: a link there would lead nowhere.
NO_PAGES_FOR = ("category", "tag", "author")
# Pelican rewrites intrasite links only in these attributes (its own pattern): in code, or in text, they are text.
_PAGE_LINK = re.compile(
    r"""<[^>]+(?:href|src|poster|data|cite|formaction|action|content)\s*=\s*(["'])[{|](category|tag|author)[|}](.*?)\1"""
)
_MAY_LINK_A_PAGE = re.compile(r"[{|](?:category|tag|author)[|}]")


def may_link_a_page(text: str) -> bool:
    """Whether ``text`` spells a link to a category, tag or author page anywhere (code included): fast."""
    return bool(_MAY_LINK_A_PAGE.search(text))


def page_links(rendered: str) -> list[tuple[str, str]]:
    """Each link of rendered HTML to a page a Vouch site does not have, as (kind, link as written)."""
    return [(m.group(2), html.unescape(rendered[m.start(2) - 1 : m.end(3)])) for m in _PAGE_LINK.finditer(rendered)]


@dataclass(frozen=True, slots=True)
class Located:
    """An article or page as Pelican will write it."""

    slug: str
    url: str  # relative to the site root, e.g. articles/x/
    save_as: str  # relative to output/; empty: not written (a draft)
    date: dt.datetime | None  # aware; None: no date (a page, or a draft without one)
    category: str | None
    lang: str
    translation: bool  # Lang: names another language than DEFAULT_LANG


@dataclass(frozen=True, slots=True)
class Refusal:
    """Metadata Pelican cannot take (a date it cannot read): the field and the message."""

    field: str
    message: str
    line: int | None = None  # where the reader says; None: the field's line


class ItemReader(Protocol):
    """Pelican's readers and URL rules, as the application offers them to the domain."""

    @property
    def extensions(self) -> frozenset[str]:
        """Every file extension Pelican reads as an article or page (``md``, ``rst``, ``html``...)."""
        ...

    def read_other(self, path: Path, text: str) -> tuple[Header, str, list[Refusal]]:
        """The metadata of a file that is not Markdown (reStructuredText, HTML), each value with its line,
        and its body as the reader renders it (where an escape may have made a partner reference)."""
        ...

    def locate(self, path: Path, kind: str, metadata: dict[str, str]) -> Located | Refusal:
        """Where Pelican writes the item (``kind``: articles | pages) with this metadata from its file."""
        ...


def default_url(kind: str, slug: str) -> str:
    """The URL of an item without a reader to ask: Vouch's default URL settings."""
    return {"articles": f"articles/{slug}/", "pages": f"{slug}/", "newsletter": f"newsletter/{slug}/"}[kind]
