"""Atom and RSS feeds with feedgen, dated by content, never by the clock.

feedgen stamps ``updated``/``lastBuildDate`` with *now* unless told
otherwise, and its CDATA content type makes invalid Atom: both are avoided
here, so the same content gives byte-identical feeds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from feedgen.feed import FeedGenerator
from markupsafe import Markup

from vouch.directory import newest
from vouch.newsletter.issue import IssueView
from vouch.public import Partner

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


def midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """A day's start in the site's time zone: partners and issues are dated by day."""
    return dt.datetime.combine(day, dt.time(), zone)


def plain(html: str) -> str:
    return Markup(html).striptags()


def article_entries(articles: Sequence[Any], site_url: str) -> list[Entry]:
    """Pelican's articles (newest first), dated by their ``Date:`` and ``Modified:``.

    The content is Pelican's with its intrasite links (``{filename}``, ``{static}``...) resolved
    against the absolute ``site_url`` (``get_content``), as Pelican's own feeds take it.
    """
    entries = []
    for a in articles:
        url = f"{site_url}/{a.url}"
        entries.append(
            Entry(
                id=tag_uri(site_url, a.date.date(), a.url.rstrip("/")),
                title=a.title,
                url=url,
                published=a.date,
                updated=getattr(a, "modified", None) or a.date,
                summary=plain(a.summary),
                content_html=absolutize(a.get_content(site_url), url),
            )
        )
    return entries


def partner_entries(partners: Sequence[Partner], site_url: str, zone: ZoneInfo, limit: int) -> list[Entry]:
    """The newest vettings: a renewal is a new entry (its id holds the vetting date)."""
    entries = []
    for p in newest(partners, limit):
        vetted_on = p.vetting.vetted_on
        entries.append(
            Entry(
                id=tag_uri(site_url, vetted_on, f"partners/{p.slug}/{vetted_on.isoformat()}"),
                title=f"Vetted: {p.name}",
                url=f"{site_url}/partners/{p.slug}/",
                published=midnight(vetted_on, zone),
                updated=midnight(vetted_on, zone),
                summary=f"{p.summary or p.name} Vouched for by {p.vetting.vouched_by}.",
            )
        )
    return entries


def issue_entries(
    issues: Sequence[IssueView], site_url: str, zone: ZoneInfo, content_html: Callable[[IssueView], str]
) -> list[Entry]:
    """Archived issues, their content as the archive page shows it (``content_html``)."""
    entries = []
    for issue in issues:
        url = f"{site_url}/{issue.url}"
        entries.append(
            Entry(
                id=tag_uri(site_url, issue.date, issue.url.rstrip("/")),
                title=issue.subject,
                url=url,
                published=midnight(issue.date, zone),
                updated=midnight(issue.date, zone),
                summary=issue.preheader,
                content_html=absolutize(content_html(issue), url),
            )
        )
    return entries


@dataclass(frozen=True, slots=True)
class SiteFeeds:
    """The three feeds of a site, as entries; ``render`` gives every feed file's bytes."""

    site_name: str
    language: str
    site_url: str
    articles: Sequence[Entry]
    partners: Sequence[Entry]
    issues: Sequence[Entry]
    today: dt.datetime  # an empty site's feeds are dated today (midnight)

    def render(self) -> dict[str, bytes]:
        """``feeds/<name>.atom.xml`` and ``.rss.xml`` -> bytes; an empty feed takes the newest date of any."""
        dates = [e.updated for e in (*self.articles, *self.partners, *self.issues)]
        fallback = max(dates, default=self.today)
        name, out = self.site_name, {}
        for path, title, subtitle, entries in (
            ("feeds/articles", f"{name}: articles", "Advice from the network.", self.articles),
            ("feeds/partners", f"{name}: newly vetted partners", "Partners as they are vetted.", self.partners),
            ("feeds/newsletter", f"{name}: newsletter", "The newsletter archive.", self.issues),
        ):
            atom, rss = render(Feed(title, subtitle, self.site_url, path, self.language, name), entries, fallback)
            out[f"{path}.atom.xml"], out[f"{path}.rss.xml"] = atom, rss
        return out
