"""What the domain asks of the site's reader: files in other formats, and each item's place as Pelican sees it.

Vouch checks every item itself (``vouch.content``), but an item's URL, date,
slug and category are Pelican's to decide (its readers, ``DEFAULT_DATE``,
``FILENAME_METADATA``, ``PATH_METADATA``, the URL settings). The application
hands the domain an ``ItemReader`` that asks Pelican; the domain sees plain data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

Header = dict[str, list[tuple[int, str]]]  # key (lower case) -> each value with its line

MARKDOWN_SUFFIXES = frozenset({"md", "markdown", "mkd", "mdown"})  # Pelican's Markdown reader's, read by Vouch too
# Pelican's intrasite links to pages a Vouch site does not have: a link there would lead nowhere.
NO_PAGES_FOR = ("category", "tag", "author")


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
