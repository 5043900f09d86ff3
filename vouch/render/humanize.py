"""Dates, opening hours, initials and excerpts in words, for people (used as template filters)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import cache
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from vouch.public import Area, Partner

DAYS = {
    "Mo": "Monday",
    "Tu": "Tuesday",
    "We": "Wednesday",
    "Th": "Thursday",
    "Fr": "Friday",
    "Sa": "Saturday",
    "Su": "Sunday",
}


def opening_hours(spec: str) -> tuple[str, str]:
    """``("Monday to Friday", "08:00–17:30")`` for one validated opening_hours entry."""
    days, _, times = spec.partition(" ")
    ranges = []
    for part in days.split(","):
        first, _, last = part.partition("-")
        ranges.append(f"{DAYS[first]} to {DAYS[last]}" if last else DAYS[first])
    return ", ".join(ranges), times.replace("-", "–")


@cache  # every listing card and profile shows dates; a network has few distinct ones
def long_date(value: dt.date) -> str:
    """``1 March 2026``: unambiguous in every English-speaking country."""
    return f"{value.day} {value:%B %Y}"


CADENCES = {1: "every day", 7: "once a week", 14: "every two weeks", **dict.fromkeys(range(28, 32), "once a month"),
            **dict.fromkeys(range(89, 93), "once a quarter")}  # fmt: skip


def counted(number: int, noun: str) -> str:
    """``1 article``, ``2 articles``."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def cadence(days: int) -> str:
    """``once a month`` for NEWSLETTER_CADENCE_DAYS = 30: how often the newsletter comes, in words."""
    if days in CADENCES:
        return CADENCES[days]
    return f"every {days // 7} weeks" if days % 7 == 0 else f"every {days} days"


SOCIAL_SITES = {
    "instagram.com": "Instagram", "facebook.com": "Facebook", "x.com": "X", "twitter.com": "X",
    "linkedin.com": "LinkedIn", "youtube.com": "YouTube", "tiktok.com": "TikTok", "threads.net": "Threads",
    "bsky.app": "Bluesky", "pinterest.com": "Pinterest", "mastodon.social": "Mastodon",
}  # fmt: skip


def social_label(url: str) -> str:
    """``Instagram`` for an Instagram profile URL: a name people know, not a long address that wraps."""
    host = (urlsplit(url).hostname or url).removeprefix("www.").removeprefix("m.")
    return SOCIAL_SITES.get(host, host)


def breakable(text: str) -> Markup:
    """An address or e-mail that may wrap at its dots and @ on a narrow screen, never mid-word."""
    return Markup("<wbr>").join(escape(part) for part in re.split(r"(?<=[@./])", text))


MONOGRAM_SKIP = {"the", "and", "of", "for", "a", "an", "&", "ltd", "limited", "llp", "plc", "inc", "co"}


@cache
def monogram(name: str) -> str:
    """``HP`` for "Harbour Plumbing & Heating": the initials a listing card shows when there is no logo."""
    words = re.findall(r"[^\W_]+", name)
    lettered = [w for w in words if not w.isdigit() and w.casefold() not in MONOGRAM_SKIP]
    chosen = lettered or words or ["?"]
    return "".join(w[0] for w in chosen[:2]).upper()


def excerpt(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with "…" when cut (never "gun.…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:  # the cut fell inside a word: leave that word out
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


def some_areas(areas: Sequence[Area], shown: int = 3) -> str:
    """``Kingsbridge, Salcombe, Totnes and 4 more``: a card's line stays one line, whatever a partner serves."""
    names = [a.name for a in areas]
    if len(names) <= shown + 1:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"


FILTERS = {
    "long_date": long_date,
    "some_areas": some_areas,
    "monogram": monogram,
    "hours": opening_hours,
    "cadence": cadence,
    "social_label": social_label,
    "breakable": breakable,
}


def share_text(partner: Partner, trade: str, sitename: str) -> tuple[str, str]:
    """The title and description a messaging app shows for a shared profile link: who, what, where, and why trust
    them, in the ~60 and ~160 characters previews keep (a referral is often just a shared link)."""
    where = f" in {some_areas(partner.areas, 2)}" if partner.areas else ""
    title = f"{partner.name}: {trade}{where}"
    vetting = partner.vetting
    trust = f"Vetted by {sitename}, vouched for by {vetting.vouched_by}; next review {long_date(vetting.review_by)}."
    return title, excerpt(f"{trust} {partner.summary or ''}", 200)
