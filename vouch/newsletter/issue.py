"""Newsletter issues as ready-to-render views: subject, body, computed digest."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vouch.content import Item, Selection
from vouch.newsletter.digest import Digest, DigestArticle, digest, window_for
from vouch.public import Partner
from vouch.settings import VouchSettings


@dataclass(frozen=True, slots=True)
class IssueView:
    slug: str
    subject: str
    preheader: str | None
    date: dt.date
    status: str  # draft | published
    body_markdown: str
    digest: Digest
    links: tuple[tuple[str, str, str], ...] = ()  # (kind, as written, URL from the site root) of each intrasite link

    @property
    def url(self) -> str:
        return f"newsletter/{self.slug}/"


def digest_articles(items: Sequence[Item]) -> list[DigestArticle]:
    return [
        DigestArticle(i.title, i.link, i.date, i.summary)
        for i in items
        if i.kind == "articles" and i.date is not None and i.status != "hidden"  # hidden: listed nowhere
    ]


def published_issue_dates(selection: Selection) -> list[dt.date]:
    """The dates of the published issues (shown or scheduled): they bound every digest window."""
    return [i.date for i in (*selection.shown, *selection.scheduled) if i.kind == "newsletter" and i.date]


def digest_on(
    date: dt.date,
    published: Sequence[dt.date],
    articles: Sequence[DigestArticle],
    partners: Sequence[Partner],
    settings: VouchSettings,
) -> Digest:
    """The digest of an issue dated ``date``: what is new since the previous published issue."""
    window = window_for(date, published, settings.newsletter_cadence_days)
    return digest(window, articles, partners, settings.newsletter_digest_max)


def intrasite_urls(item: Item, urls: dict[str, str], content: Path | None) -> tuple[tuple[str, str, str], ...]:
    """Each ``{filename}``, ``{static}`` or ``{attach}`` link of an issue, and the URL (from the site root) of
    what it names, as Pelican links it in an article: a shown item's URL (``urls``: ``shown_urls``), a file's
    path under content/."""
    found = []
    for link in item.links:
        real = os.path.realpath(link.target)
        if real in urls:
            found.append((link.kind, link.written, urls[real]))
        elif content is not None and link.target.is_relative_to(content):
            found.append((link.kind, link.written, link.target.relative_to(content).as_posix()))
    return tuple(found)


def shown_urls(shown: Sequence[Item]) -> dict[str, str]:
    """Each shown item's URL by its real path (made once for all issues: a realpath per item is not free)."""
    return {os.path.realpath(i.path): i.link for i in shown}


def plan_issues(
    selection: Selection, partners: Sequence[Partner], settings: VouchSettings, content: Path | None = None
) -> list[IssueView]:
    """Every newsletter issue that may be rendered (not withheld), oldest first, with its digest.

    ``content`` (PATH) makes the URLs of the files the issues link; None: only links to items are resolved.
    """
    issues = [
        i for i in (*selection.shown, *selection.scheduled, *selection.drafts) if i.kind == "newsletter" and i.date
    ]
    published = published_issue_dates(selection)
    articles = digest_articles(selection.shown)
    views, urls = [], shown_urls(selection.shown)
    for item in sorted(issues, key=lambda i: (i.date, i.slug)):
        views.append(
            IssueView(
                slug=item.slug,
                subject=item.title,
                preheader=item.summary,
                date=item.date,
                status=item.status,
                body_markdown=item.body,
                digest=digest_on(item.date, published, articles, partners, settings),
                links=intrasite_urls(item, urls, content),
            )
        )
    return views


def draft_text(date: dt.date, digest: Digest, site_url: str) -> str:
    """A new issue file: metadata, a note to write, and the computed digest as a comment."""
    lines = [
        "Title: TODO subject, 10 to 78 characters",
        f"Date: {date.isoformat()}",
        "Summary: TODO one line shown as the preheader",
        "Status: draft",
        "",
        "TODO: a short note from the editor. Link a partner by writing {partner} directly followed by its slug.",
        "",
        "<!--",
        f"Digest computed for {digest.window.after} < date <= {digest.window.until} (added to the e-mail for you):",
    ]
    lines += [f"  partner: {p.name} ({site_url}/{p.url}), vetted {p.vetted_on}" for p in digest.partners]
    if digest.more_partners:
        lines.append(f"  ... and {digest.more_partners} more partners")
    lines += [f"  article: {a.title} ({site_url}/{a.url}), {a.date}" for a in digest.articles]
    if digest.more_articles:
        lines.append(f"  ... and {digest.more_articles} more articles")
    if digest.empty:
        lines.append("  nothing new in this window yet")
    lines += ["-->", ""]
    return "\n".join(lines)


MONTHLY_CADENCE = 28  # days: from this cadence on, issues are named by their month


def new_issue_name(date: dt.date, cadence_days: int, issue_dates: Sequence[dt.date]) -> str:
    """The next issue's slug: its month (``december-2026``) when issues are monthly or rarer and that
    month has none yet, else its date (``2026-12-31``). The date is never moved to fit a name."""
    if cadence_days >= MONTHLY_CADENCE and not any((d.year, d.month) == (date.year, date.month) for d in issue_dates):
        return f"{date:%B-%Y}".lower()
    return date.isoformat()


def new_issue_path(folder: Path, date: dt.date, cadence_days: int, issue_dates: Sequence[dt.date]) -> Path:
    """Where the next issue is drafted; ValueError if a file has that name already (never ``-2``)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{new_issue_name(date, cadence_days, issue_dates)}.md"
    if target.exists():
        raise ValueError(f"{target.name} exists already: edit it, or rename it before drafting the issue of {date}")
    return target
