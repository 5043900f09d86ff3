"""Vouch's own settings and their defaults (Pelican's are documented by Pelican)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULTS: dict[str, Any] = {
    "SITENAME": "Trusted partners",
    "SITEURL": "",
    "SITE_DESCRIPTION": "Businesses our members know, have used and vouch for.",
    "TIMEZONE": "UTC",
    "DEFAULT_LANG": "en",
    "PHONE_REGION": "GB",
    "VETTING_VALID_DAYS": 365,
    "DIRECTORY_PAGE_SIZE": 500,
    "LISTING_PAGE_SIZE": 50,
    "HOME_NEWEST_PARTNERS": 6,
    "HOME_LATEST_ARTICLES": 3,
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


def vouch_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults merged once with whatever the site's settings define."""
    return dict(DEFAULTS, **{k: settings[k] for k in DEFAULTS if k in settings and settings[k] is not None})
