"""Spreadsheet cells to profile values. Each function returns what it changed, so the import can say so.

Nothing here drops a value in silence: what does not fit a public field (a second phone, a
bare social handle, a number the phone library cannot place) goes to the profile's private notes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import nh3
import phonenumbers

from vouch.controls import CONTROL_RE
from vouch.model import OPENING_HOURS_RE, email_problem, is_url

_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
_SPACES = re.compile(r"\s+")
_LIST_SEPARATORS = re.compile(r"\s*[;|\n]\s*")
_PHONE_SEPARATORS = re.compile(r"\s*(?:[;,/\n|]|\bor\b|\band\b)\s*", re.IGNORECASE)
_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/?#]\S*)?$", re.I)
_HOURS = re.compile(OPENING_HOURS_RE)
ALL_WEEK = "Mo-Su 00:00-24:00"  # OpenStreetMap's 24/7, in the form SPEC §2 gives opening hours
PLACEHOLDERS = {"n/a", "na", "n.a.", "n/k", "none", "nil", "null", "-", "--", "—", "–", "?", "unknown", "not known",
                "tbc", "tba", "no"}  # fmt: skip
COUNTRY_NAMES = {"uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
                 "wales": "GB", "northern ireland": "GB", "ireland": "IE", "france": "FR", "germany": "DE",
                 "deutschland": "DE", "spain": "ES", "united states": "US", "usa": "US"}  # fmt: skip


@dataclass(slots=True)
class Notes:
    """What one row's cleaning changed, kept privately, and warned about."""

    changes: list[str] = field(default_factory=list)
    private: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def keep(self, key: str, value: str) -> None:
        """Add ``value`` to the private note ``key`` (a list)."""
        self.private.setdefault(key, []).append(value)


def text(value: str, notes: Notes, label: str) -> str:
    """One line of plain text: markup and control characters out, white space collapsed."""
    plain = value
    if _TAG.search(plain) or "&" in plain:
        stripped = html.unescape(nh3.clean(plain, tags=set()))
        if stripped != plain:
            notes.changes.append(f"{label}: markup stripped")
        plain = stripped
    return _SPACES.sub(" ", CONTROL_RE.sub(" ", plain)).strip()


def no_value(value: str, label: str, notes: Notes) -> bool:
    """``n/a``, ``none``, ``-`` and the like: what a spreadsheet writes for nothing (noted as a change)."""
    if value.strip().lower() not in PLACEHOLDERS:
        return False
    notes.changes.append(f"{label}: {value.strip()!r} read as no value")
    return True


def split_list(value: str) -> list[str]:
    """``beauty;hairdresser;`` and ``a | b`` are lists; empty items dropped."""
    return [item for item in _LIST_SEPARATORS.split(value) if item]


def website(value: str, notes: Notes) -> str | None:
    """An http(s) URL; a bare domain gets ``https://``. Anything else goes to private notes, with a warning."""
    url = value.strip()
    if no_value(url, "contact.website", notes):
        return None
    if is_url(url, ("http", "https")):
        return url
    if _DOMAIN.match(url):
        notes.changes.append(f"contact.website: https:// added to {url!r}")
        return f"https://{url}"
    if re.fullmatch(r"@\w[\w.]*", url):
        notes.keep("social_handles", url)
        notes.changes.append(f"contact.website: {url!r} is a social handle, not a URL: kept in private notes")
        return None
    notes.keep("website_as_imported", url)
    notes.warnings.append(f"contact.website: {url!r} is not a web address: kept in private notes")
    return None


def phones(values: list[str], region: str, notes: Notes) -> str | None:
    """The first number the library can place is the phone; the others, and any it cannot place, go to notes."""
    found: str | None = None
    cells = [value for value in values if not no_value(value, "contact.phone", notes)]
    for raw in (part for value in cells for part in _PHONE_SEPARATORS.split(value) if part.strip()):
        number = _placed(raw, region)
        if number is None:
            notes.keep("phones_to_confirm", raw)
            notes.warnings.append(
                f"contact.phone: {raw!r} is not a number the phone library can place (read as {region}): "
                "kept in private notes, no phone set; if it is right, set contact.phone to it "
                "with phone_as_written: true"
            )
        elif found is None:
            found = number
            if number != raw:
                notes.changes.append(f"contact.phone: {raw!r} read as {number!r}")
        else:
            notes.keep("other_phones", raw)
            notes.changes.append(f"contact.phone: another number, {raw!r}, kept in private notes")
    return found


def _placed(raw: str, region: str) -> str | None:
    """The number as written when valid; a spreadsheet's number without its leading 0 gets it back."""
    lost_zero = raw.isdigit() and not raw.startswith("0")  # a number cell: Excel drops the trunk 0
    for candidate in (f"0{raw}", raw) if lost_zero else (raw,):
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return candidate
    return None


def emails(values: list[str], notes: Notes) -> str | None:
    """The first valid address; other addresses and anything else go to private notes."""
    found: str | None = None
    cells = [value for value in values if not no_value(value, "contact.email", notes)]
    for raw in (part for value in cells for part in _addresses(value)):
        address = raw.removeprefix("mailto:")
        if email_problem(address):
            notes.keep("emails_to_confirm", raw)
            notes.warnings.append(f"contact.email: {raw!r} is not an e-mail address: kept in private notes")
        elif found is None:
            found = address
        else:
            notes.keep("other_emails", address)
            notes.changes.append(f"contact.email: another address, {address!r}, kept in private notes")
    return found


def _addresses(value: str) -> list[str]:
    """Several addresses in a cell, or the whole cell when it is not a list of addresses ("info at x")."""
    parts = [part for part in re.split(r"[\s;,]+", value) if part]
    return parts if all("@" in part for part in parts) else [value.strip()]


def social(cells: list[tuple[str, str]], notes: Notes) -> list[str]:
    """Full URLs (https; a domain and path gets ``https://``); a bare handle such as ``@harbour`` goes to notes."""
    urls: list[str] = []
    for column, value in cells:
        for raw in split_list(value):
            item = raw.strip()
            if item.startswith("http://"):
                item = "https://" + item.removeprefix("http://")
                notes.changes.append(f"contact.social: {raw!r} now https")
            elif "/" in item and _DOMAIN.match(item):
                item = f"https://{item}"
                notes.changes.append(f"contact.social: https:// added to {raw!r}")
            if is_url(item, ("https",)):
                urls.append(item)
            else:
                notes.keep("social_handles", f"{column}: {raw}")
                notes.changes.append(
                    f"contact.social: {raw!r} ({column}) is a handle, not a URL: kept in private notes"
                )
    return urls


def country(value: str, notes: Notes) -> str | None:
    """A two-letter code (``UK`` is ``GB``); a name Vouch knows; else private notes."""
    key = value.strip().lower()
    code = COUNTRY_NAMES.get(key) or (key.upper() if re.fullmatch(r"[a-z]{2}", key) else None)
    if code is None:
        notes.keep("country_as_imported", value)
        notes.warnings.append(f"contact.address.country: {value!r} is no two-letter code: kept in private notes")
    elif code != value:
        notes.changes.append(f"contact.address.country: {value!r} written as {code}")
    return code


def opening_hours(value: str, notes: Notes) -> list[str]:
    """``Mo-Fr 08:00-17:30; Sa 09:00-12:00`` (OpenStreetMap's form) split into entries; OSM's ``24/7`` is
    every day all day in the profile's form; others to notes."""
    entries = [entry for entry in split_list(value.replace(",  ", "; ")) if entry]
    if [entry.strip() for entry in entries] == ["24/7"]:
        notes.changes.append(f"opening_hours: '24/7' written as {ALL_WEEK!r}")
        return [ALL_WEEK]
    good = [entry for entry in entries if _HOURS.match(entry)]
    if len(good) < len(entries):
        notes.keep("opening_hours_as_imported", value)
        notes.changes.append("opening_hours: not in the form 'Mo-Fr 08:00-17:30': kept in private notes")
        return []
    return good
