"""Vouch's own settings and their defaults (Pelican's are documented by Pelican)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from vouch.model import email_problem, is_url
from vouch.problems import Problem

DEFAULTS: dict[str, Any] = {
    "SITENAME": "Trusted partners",
    "SITEURL": "http://localhost:8000",  # right for invoke serve; set the real one before deploying
    "SITE_DESCRIPTION": "Businesses our members know, have used and vouch for.",
    "TIMEZONE": "UTC",
    "DEFAULT_LANG": "en",
    "PHONE_REGION": "GB",
    "VETTING_VALID_DAYS": 365,
    "DIRECTORY_PAGE_SIZE": 500,
    "LISTING_PAGE_SIZE": 50,
    "HOME_NEWEST_PARTNERS": 6,
    "HOME_LATEST_ARTICLES": 3,
    "SEARCH_HINT": "",  # the search box's placeholder; empty: drawn from the network (biggest trade, commonest area)
    "FEED_MAX_ITEMS": 50,
    "VETTING_DISCLAIMER": (
        "Vetting is a check of track record, references and paperwork at one point in time. "
        "It is not a guarantee of work, a warranty or a regulated accreditation: agree the "
        "scope, price and terms of every job directly with the business."
    ),
    "INTRODUCTIONS_EMAIL": "",
    "REFERRAL_FOLLOW_UP_DAYS": 14,
    "NEWSLETTER_FROM": "Newsletter <newsletter@example.org>",
    "NEWSLETTER_REPLY_TO": "",
    "NEWSLETTER_UNSUBSCRIBE_URL": "",
    "SUBSCRIBE_URL": "",
    "NEWSLETTER_CADENCE_DAYS": 30,
    "NEWSLETTER_DIGEST_MAX": 10,
}


CONTENT_FOLDERS: dict[str, tuple[str, ...]] = {"ARTICLE_PATHS": ("articles",), "PAGE_PATHS": ("pages",)}
NEWSLETTER_FOLDER = "newsletter"  # fixed: issues are not Pelican content, and the archive URL says newsletter/


@dataclass(frozen=True, slots=True)
class VouchSettings:
    """Vouch's settings, typed, with the defaults merged in once (``of``): what the domain is handed.

    Field names are the setting names in lower case; ``as_settings`` gives them back as the
    site wrote them (the ``VOUCH`` template variable).
    """

    sitename: str
    siteurl: str
    site_description: str
    timezone: str
    default_lang: str
    phone_region: str
    vetting_valid_days: int
    directory_page_size: int
    listing_page_size: int
    home_newest_partners: int
    home_latest_articles: int
    search_hint: str
    feed_max_items: int
    vetting_disclaimer: str
    introductions_email: str
    referral_follow_up_days: int
    newsletter_from: str
    newsletter_reply_to: str
    newsletter_unsubscribe_url: str
    subscribe_url: str
    newsletter_cadence_days: int
    newsletter_digest_max: int
    article_paths: tuple[str, ...] = CONTENT_FOLDERS["ARTICLE_PATHS"]  # folders under content/, as Pelican reads them
    page_paths: tuple[str, ...] = CONTENT_FOLDERS["PAGE_PATHS"]

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> VouchSettings:
        """The defaults merged with whatever ``settings`` define (None counts as not set)."""
        merged = dict(DEFAULTS, **{k: settings[k] for k in DEFAULTS if settings.get(k) is not None})
        folders = {k: tuple(settings.get(k) or default) for k, default in CONTENT_FOLDERS.items()}
        return cls(
            **{k.lower(): v for k, v in merged.items()},
            article_paths=folders["ARTICLE_PATHS"],
            page_paths=folders["PAGE_PATHS"],
        )

    def as_settings(self) -> dict[str, Any]:
        """Vouch's own settings by their names (``SITEURL``...), as templates and ``pelicanconf.py`` spell them."""
        return {key: getattr(self, key.lower()) for key in DEFAULTS}

    @property
    def site_root(self) -> str:
        """SITEURL without a trailing slash: every absolute link is made from it."""
        return self.siteurl.rstrip("/")


POSITIVE_INTS = (
    "VETTING_VALID_DAYS", "DIRECTORY_PAGE_SIZE", "LISTING_PAGE_SIZE", "HOME_NEWEST_PARTNERS",
    "HOME_LATEST_ARTICLES", "FEED_MAX_ITEMS", "REFERRAL_FOLLOW_UP_DAYS", "NEWSLETTER_CADENCE_DAYS",
    "NEWSLETTER_DIGEST_MAX",
)  # fmt: skip
ADDRESSES = ("NEWSLETTER_FROM", "NEWSLETTER_REPLY_TO", "INTRODUCTIONS_EMAIL")


def settings_problems(settings: Mapping[str, Any], source: Path) -> list[Problem]:
    """Vouch's settings checked like a profile: a wrong one is named with its line, not met later."""
    text = source.read_text(encoding="utf-8") if source.is_file() else ""
    found: list[tuple[str, str]] = []

    def expect(key: str, what: str) -> None:
        found.append((key, f"expected {what}; got {settings.get(key)!r}"))

    for key in POSITIVE_INTS:
        value = settings.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            expect(key, "a whole number of at least 1")
    if settings.get("SITEURL") and not is_url(settings["SITEURL"], ("http", "https")):
        expect("SITEURL", "the site's public address, such as https://partners.example.org")
    if settings.get("NEWSLETTER_UNSUBSCRIBE_URL") and not is_url(settings["NEWSLETTER_UNSUBSCRIBE_URL"], ("https",)):
        expect("NEWSLETTER_UNSUBSCRIBE_URL", "an https URL (one-click unsubscribe requires https)")
    if settings.get("SUBSCRIBE_URL") and not is_url(settings["SUBSCRIBE_URL"], ("http", "https")):
        expect("SUBSCRIBE_URL", "the http(s) address of a sign-up form")
    for key in ADDRESSES:
        if settings.get(key) and not _is_address(settings[key]):
            expect(key, "an e-mail address, optionally with a name: 'News <news@example.org>'")
    if settings.get("PHONE_REGION") not in phonenumbers.SUPPORTED_REGIONS:
        expect("PHONE_REGION", "a two-letter region code such as GB, IE or US")
    try:
        ZoneInfo(str(settings.get("TIMEZONE")))
    except (ZoneInfoNotFoundError, ValueError):
        expect("TIMEZONE", "a time zone name such as Europe/London or UTC")
    return [Problem(source, _line_of(text, key), key, message) for key, message in found]


def _is_address(value: object) -> bool:
    """An address, optionally with a display name: ``News <news@example.org>``."""
    return isinstance(value, str) and email_problem(parseaddr(value)[1]) is None


def _line_of(text: str, key: str) -> int | None:
    """The line of the last assignment to ``key`` (the one Python keeps)."""
    matches = list(re.finditer(rf"^{key}\s*=", text, re.MULTILINE))
    return text.count("\n", 0, matches[-1].start()) + 1 if matches else None
