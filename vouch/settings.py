"""Vouch's own settings and their defaults (Pelican's are documented by Pelican)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import langcodes
import phonenumbers

from vouch.model import email_problem, is_url
from vouch.paths import shown_from, within
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
    "NEWSLETTER_CONFIRM_DAYS": 7,  # an unconfirmed subscribe request expires after this
    "NEWSLETTER_BOUNCE_LIMIT": 2,  # hard bounces that suppress an address
    "NEWSLETTER_BOUNCE_ADDRESS": "",  # the envelope sender (Return-Path); empty: NEWSLETTER_FROM's address
    "NEWSLETTER_DUE_DAYS": 3,
    "NEWSLETTER_NEAR_MAX": 3,
    "PRINT_PAGES": True,  # card sheets, window certificates and their QR codes (/print/cards/, certificate/)
}


CONTENT_FOLDERS: dict[str, tuple[str, ...]] = {"ARTICLE_PATHS": ("articles",), "PAGE_PATHS": ("pages",)}
NEWSLETTER_FOLDER = "newsletter"  # fixed: issues are not Pelican content, and the archive URL says newsletter/
WELCOME_FOLDER = "welcome"  # content/newsletter/welcome/: the welcome series, read by vouch.newsletter.welcome


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
    newsletter_confirm_days: int
    newsletter_bounce_limit: int
    newsletter_bounce_address: str
    newsletter_due_days: int = 3
    newsletter_near_max: int = 3
    print_pages: bool = True
    article_paths: tuple[str, ...] = CONTENT_FOLDERS["ARTICLE_PATHS"]  # folders under content/, as Pelican reads them
    page_paths: tuple[str, ...] = CONTENT_FOLDERS["PAGE_PATHS"]

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> VouchSettings:
        """The defaults merged with whatever ``settings`` define (None counts as not set)."""
        merged = dict(DEFAULTS, **{k: settings[k] for k in DEFAULTS if settings.get(k) is not None})
        folders = {k: tuple(settings.get(k) or default) for k, default in CONTENT_FOLDERS.items()}
        merged["DEFAULT_LANG"] = language_tag(merged["DEFAULT_LANG"]) or merged["DEFAULT_LANG"]
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

    @property
    def newsletter_address(self) -> str:
        """NEWSLETTER_FROM's bare address: the mailbox ``invoke inbox`` reads."""
        return parseaddr(self.newsletter_from)[1]

    @property
    def bounce_address(self) -> str:
        """The envelope sender of everything the newsletter sends: where bounces go."""
        return parseaddr(self.newsletter_bounce_address)[1] or self.newsletter_address


POSITIVE_INTS = (
    "VETTING_VALID_DAYS", "DIRECTORY_PAGE_SIZE", "LISTING_PAGE_SIZE", "HOME_NEWEST_PARTNERS",
    "HOME_LATEST_ARTICLES", "FEED_MAX_ITEMS", "REFERRAL_FOLLOW_UP_DAYS", "NEWSLETTER_CADENCE_DAYS",
    "NEWSLETTER_DIGEST_MAX", "NEWSLETTER_CONFIRM_DAYS", "NEWSLETTER_BOUNCE_LIMIT", "NEWSLETTER_DUE_DAYS",
    "NEWSLETTER_NEAR_MAX",
)  # fmt: skip
ADDRESSES = ("NEWSLETTER_FROM", "NEWSLETTER_REPLY_TO", "INTRODUCTIONS_EMAIL", "NEWSLETTER_BOUNCE_ADDRESS")


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
    if not isinstance(settings.get("PRINT_PAGES", True), bool):
        expect("PRINT_PAGES", "True or False")
    if settings.get("SITEURL") and not is_url(settings["SITEURL"], ("http", "https")):
        expect("SITEURL", "the site's public address, such as https://partners.example.org")
    if settings.get("NEWSLETTER_UNSUBSCRIBE_URL") and not is_url(settings["NEWSLETTER_UNSUBSCRIBE_URL"], ("https",)):
        expect("NEWSLETTER_UNSUBSCRIBE_URL", "an https URL (one-click unsubscribe requires https)")
    if settings.get("SUBSCRIBE_URL") and not is_url(settings["SUBSCRIBE_URL"], ("http", "https")):
        expect("SUBSCRIBE_URL", "the http(s) address of a sign-up form")
    for key in ADDRESSES:
        if settings.get(key) and not _is_address(settings[key]):
            expect(key, "an e-mail address, optionally with a name: 'News <news@example.org>'")
    if settings.get("DEFAULT_LANG") is not None and language_tag(settings["DEFAULT_LANG"]) is None:
        expect("DEFAULT_LANG", "a BCP 47 language tag such as en, en-GB or zh-CN (what html lang and feeds say)")
    if settings.get("PHONE_REGION") not in phonenumbers.SUPPORTED_REGIONS:
        expect("PHONE_REGION", "a two-letter region code such as GB, IE or US")
    try:
        ZoneInfo(str(settings.get("TIMEZONE")))
    except (ZoneInfoNotFoundError, ValueError):
        expect("TIMEZONE", "a time zone name such as Europe/London or UTC")
    found += folder_problems(settings)
    if "VOUCH_ROOT" in settings:  # the path settings, as load_settings made them absolute
        found += path_problems(settings, Path(settings["VOUCH_ROOT"]))
    return [Problem(source, _line_of(text, key), key, message) for key, message in found]


def folder_problems(settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    """ARTICLE_PATHS and PAGE_PATHS naming one folder (each file would be both), or newsletter/ (Vouch's)."""
    named = {
        key: [os.path.normpath(p) for p in settings.get(key) or default] for key, default in CONTENT_FOLDERS.items()
    }
    found = []
    for path in named["PAGE_PATHS"]:
        if path in named["ARTICLE_PATHS"]:
            why = "a file there would be read as both an article and a page"
            found.append(("PAGE_PATHS", f"expected folders ARTICLE_PATHS does not name ({why}); got {path!r} in both"))
    for key, paths in named.items():
        for path in paths:
            if path == NEWSLETTER_FOLDER or path.startswith(f"{NEWSLETTER_FOLDER}/"):
                why = "issues and welcome/ are the newsletter's, never articles or pages"
                found.append((key, f"expected folders outside {NEWSLETTER_FOLDER}/ ({why}); got {path!r}"))
    return found


CONTENT_PATHS = ("STATIC_PATHS", "ARTICLE_PATHS", "PAGE_PATHS")  # read from content/ (PATH)
KEPT_OUT = ("private", ".git", "partners")  # what no folder Pelican reads may be, lie inside or contain


def path_problems(settings: Mapping[str, Any], root: Path) -> list[tuple[str, str]]:
    """Path settings that would let Pelican read or copy what must never be published.

    What it copies or reads as content must lie (real path) inside content/ or the theme; the
    theme, template overrides and content/ themselves may be anywhere but in, over or at
    private/, .git or partners/ (a theme of "." would let THEME_STATIC_PATHS name private/).
    """
    content, theme = Path(settings["PATH"]), Path(settings["THEME"])

    def shown(path: str | Path) -> str:
        path = Path(path)
        name = shown_from(path, root)
        return f"{name}/" if path.is_dir() else name

    def leaving(top: Path, key: str, entries: Iterable[str], what: str) -> list[tuple[str, str]]:
        real_top = os.path.realpath(top)
        return [
            (key, f"expected paths inside {what}; got {entry!r}, which leads to {shown(real)}")
            for entry in entries
            if not within(real := os.path.realpath(top / entry), real_top)
        ]

    in_content, in_theme = f"{shown(content)} (PATH)", f"the theme ({shown(theme)})"
    found = [problem for key in CONTENT_PATHS for problem in leaving(content, key, settings.get(key) or [], in_content)]
    found += leaving(content, "EXTRA_PATH_METADATA", settings.get("EXTRA_PATH_METADATA") or {}, in_content)
    found += leaving(theme, "THEME_STATIC_PATHS", settings.get("THEME_STATIC_PATHS") or [], in_theme)
    kept = {f"{name}/": os.path.realpath(root / name) for name in KEPT_OUT}
    folders = [("PATH", content), ("THEME", theme)]
    folders += [("THEME_TEMPLATES_OVERRIDES", Path(p)) for p in settings.get("THEME_TEMPLATES_OVERRIDES") or []]
    for key, folder in folders:
        real = os.path.realpath(folder)
        what = "folders" if key == "THEME_TEMPLATES_OVERRIDES" else "a folder"
        written = shown_from(folder, root)
        expected = f"expected {what} outside {_joined(list(kept))}; got {written!r}, which"
        if at := [name for name, path in kept.items() if within(real, path)]:
            found.append((key, f"{expected} {'is' if real == kept[at[0]] else 'lies inside'} {at[0]}"))
        elif over := [name for name, path in kept.items() if within(path, real)]:
            found.append((key, f"{expected} contains {_joined(over)}"))
    return found


def _joined(names: list[str]) -> str:
    return f"{', '.join(names[:-1])} and {names[-1]}" if len(names) > 1 else names[0]


def language_tag(value: object) -> str | None:
    """``value`` as a BCP 47 tag in its standard case (``zh_cn`` -> ``zh-CN``: Pelican lower-cases the
    setting, and writes locale names with ``_``); None if it is not a valid tag."""
    if not isinstance(value, str) or not langcodes.tag_is_valid(value):
        return None
    return langcodes.standardize_tag(value)


def _is_address(value: object) -> bool:
    """An address, optionally with a display name: ``News <news@example.org>``."""
    return isinstance(value, str) and email_problem(parseaddr(value)[1]) is None


def _line_of(text: str, key: str) -> int | None:
    """The line of the last assignment to ``key`` (the one Python keeps)."""
    matches = list(re.finditer(rf"^{key}\s*=", text, re.MULTILINE))
    return text.count("\n", 0, matches[-1].start()) + 1 if matches else None
