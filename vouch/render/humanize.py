"""Dates and opening hours in words, for people (used as template filters)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

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


FILTERS = {
    "long_date": long_date,
    "hours": opening_hours,
    "cadence": cadence,
    "social_label": social_label,
    "breakable": breakable,
}
