"""Each issue's digest: what is new since the previous published issue.

The window of an issue is (previous published issue's date, this issue's
date], compared as calendar dates; the first issue looks back
NEWSLETTER_CADENCE_DAYS. Partners count when their ``vetted_on`` falls in
the window *and* they are published now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vouch.public import Partner


@dataclass(frozen=True, slots=True)
class Window:
    after: dt.date  # exclusive
    until: dt.date  # inclusive

    def __contains__(self, day: dt.date) -> bool:
        return self.after < day <= self.until


@dataclass(frozen=True, slots=True)
class DigestArticle:
    title: str
    url: str  # relative to the site root, e.g. articles/x/
    date: dt.date
    summary: str | None


@dataclass(frozen=True, slots=True)
class DigestPartner:
    name: str
    url: str
    summary: str | None
    vouched_by: str
    vetted_on: dt.date


@dataclass(frozen=True, slots=True)
class Digest:
    window: Window
    articles: tuple[DigestArticle, ...]
    more_articles: int  # beyond NEWSLETTER_DIGEST_MAX
    partners: tuple[DigestPartner, ...]
    more_partners: int

    @property
    def empty(self) -> bool:
        return not self.articles and not self.partners


def window_for(day: dt.date, published_dates: Iterable[dt.date], cadence_days: int) -> Window:
    """The window of an issue dated ``day`` given the dates of the published issues."""
    earlier = [d for d in published_dates if d < day]
    return Window(max(earlier) if earlier else day - dt.timedelta(days=cadence_days), day)


def digest(window: Window, articles: Sequence[DigestArticle], partners: Iterable[Partner], limit: int) -> Digest:
    """Newest first, at most ``limit`` of each kind."""
    new_articles = sorted((a for a in articles if a.date in window), key=lambda a: (a.date, a.url), reverse=True)
    new_partners = sorted(
        (
            DigestPartner(p.name, f"partners/{p.slug}/", p.summary, p.vetting.vouched_by, p.vetting.vetted_on)
            for p in partners
            if p.vetting.vetted_on in window
        ),
        key=lambda p: (p.vetted_on, p.url),
        reverse=True,
    )
    return Digest(
        window,
        tuple(new_articles[:limit]),
        max(0, len(new_articles) - limit),
        tuple(new_partners[:limit]),
        max(0, len(new_partners) - limit),
    )
