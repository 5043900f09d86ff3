"""Atom and RSS feeds with feedgen, dated by content, never by the clock.

feedgen stamps ``updated``/``lastBuildDate`` with *now* unless told
otherwise, and its CDATA content type makes invalid Atom: both are avoided
here, so the same content gives byte-identical feeds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from feedgen.feed import FeedGenerator

_URL_ATTR = re.compile(r"""(\s(?:href|src)=)(["'])(.*?)\2""")


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    url: str
    published: dt.datetime
    updated: dt.datetime
    summary: str | None = None  # plain text
    content_html: str | None = None  # absolute URLs only


@dataclass(frozen=True, slots=True)
class Feed:
    title: str
    subtitle: str
    site_url: str  # absolute, no trailing slash
    path: str  # e.g. feeds/articles (".atom.xml" / ".rss.xml" are added)
    language: str
    author: str  # the network: Atom requires an author


def tag_uri(site_url: str, date: dt.date, specific: str) -> str:
    """An RFC 4151 tag: stable across builds and hosts' URL changes of scheme."""
    host = urlsplit(site_url).hostname or "localhost"
    return f"tag:{host},{date.isoformat()}:{specific}"


def absolutize(html: str, base_url: str) -> str:
    """Make every href/src in ``html`` absolute against ``base_url`` (feed readers need it)."""

    def fix(match: re.Match[str]) -> str:
        return f"{match.group(1)}{match.group(2)}{urljoin(base_url, match.group(3))}{match.group(2)}"

    return _URL_ATTR.sub(fix, html)


def render(feed: Feed, entries: Sequence[Entry], fallback_updated: dt.datetime) -> tuple[bytes, bytes]:
    """``(atom, rss)`` for the entries, newest first; an empty feed is dated ``fallback_updated``."""
    ordered = sorted(entries, key=lambda e: (e.updated, e.id), reverse=True)
    updated = max((e.updated for e in ordered), default=fallback_updated)
    atom_url = f"{feed.site_url}/{feed.path}.atom.xml"
    fg = FeedGenerator()
    fg.id(atom_url)
    fg.title(feed.title)
    fg.subtitle(feed.subtitle)
    fg.link(href=f"{feed.site_url}/", rel="alternate")
    fg.link(href=atom_url, rel="self")
    fg.language(feed.language)
    fg.author({"name": feed.author})
    fg.updated(updated)
    fg.lastBuildDate(updated)
    fg.generator("Vouch")
    for e in reversed(ordered):  # feedgen prepends each new entry
        fe = fg.add_entry()
        fe.id(e.id)
        fe.guid(e.id, permalink=False)
        fe.title(e.title)
        fe.link(href=e.url, rel="alternate")
        fe.published(e.published)
        fe.updated(e.updated)
        if e.summary:
            fe.summary(e.summary)
        if e.content_html:
            fe.content(e.content_html, type="html")
    rss_url = f"{feed.site_url}/{feed.path}.rss.xml"
    atom = fg.atom_str(pretty=True)
    fg.link(href=rss_url, rel="self", replace=True)
    fg.link(href=f"{feed.site_url}/", rel="alternate")
    rss = fg.rss_str(pretty=True)
    return atom, rss
