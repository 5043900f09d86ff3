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

import markdown

Header = dict[str, list[tuple[int, str]]]  # key (lower case) -> each value with its line

MARKDOWN_SUFFIXES = frozenset({"md", "markdown", "mkd", "mdown"})  # Pelican's Markdown reader's, read by Vouch too
# Pelican's intrasite links to pages a Vouch site does not have (category, tag, author) lead nowhere. Pelican
# rewrites intrasite links only in these attributes (its own pattern): in code, or in text, they are text.
_PAGE_LINK = re.compile(
    r"""<[^>]+(?:href|src|poster|data|cite|formaction|action|content)\s*=\s*(["'])[{|](category|tag|author)[|}](.*?)\1"""
)
_MAY_LINK_A_PAGE = re.compile(r"[{|](?:category|tag|author)[|}]")


def page_link_refusals(text: str, visible: str, rendered: str) -> list[tuple[int, str]]:
    """(line, message) for each link to a category, tag or author page, as Pelican sees links: in the rendered
    HTML's attributes (``rendered``, or ``visible`` rendered as Markdown), so code and text are not links."""
    if not _MAY_LINK_A_PAGE.search(visible):  # the common case, fast
        return []
    try:
        html_of = rendered or markdown.markdown(visible, extensions=["markdown.extensions.extra"])
    except RecursionError:  # hostile nesting (hundreds of levels): a problem line, never a traceback
        return [(1, "expected Markdown nested less deeply; got nesting too deep to read (flatten the lists or quotes)")]
    why = "a Vouch site has no category, tag or author pages: link an article, a page or /directory/"
    found = []
    for match in _PAGE_LINK.finditer(html_of):
        kind, written = match.group(2), html.unescape(html_of[match.start(2) - 1 : match.end(3)])
        line = next((n for n, row in enumerate(text.splitlines(), 1) if written in html.unescape(row)), 1)
        found.append((line, f"expected no {{{kind}}} link ({why}); got {written!r}"))
    return found


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
