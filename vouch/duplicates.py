"""Likely duplicates among partners: the same phone, e-mail, website or normalised name.

Grouped by key (one dict per kind), never by comparing every pair, so ten
thousand profiles take milliseconds. ``invoke check`` warns with these;
``invoke import`` refuses to write a row whose key is already taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers
from unidecode import unidecode

KINDS = ("name", "phone", "e-mail", "website")
_LEGAL_FORMS = {"limited": "ltd", "company": "co", "incorporated": "inc"}
_DROPPED_AT_END = ("ltd", "llp", "plc", "inc")  # "Smith Ltd" is Smith; "Smith & Co" keeps its "co"
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Case, accents, punctuation, "&"/"and" and "Ltd"/"Limited" folded: "Smith & Sons Ltd." = "smith and sons".

    A legal form at the end is dropped: a spreadsheet writes "Smith Ltd" where the profile says "Smith".
    """
    words = [_LEGAL_FORMS.get(w, w) for w in _WORD.findall(unidecode(name).lower().replace("&", " and "))]
    while len(words) > 1 and words[-1] in _DROPPED_AT_END:
        words.pop()
    return " ".join(words)


def phone_key(phone: str, region: str) -> str:
    """The number in E.164 when the library can read it, else its digits."""
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", phone)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_key(email: str) -> str:
    return email.strip().lower()


def website_key(url: str) -> str:
    """Host without ``www.`` and path without a trailing slash: http and https, upper and lower case are one site."""
    parts = urlsplit(url.strip() if "://" in url else f"https://{url.strip()}")
    host = (parts.hostname or "").removeprefix("www.")
    return host + parts.path.rstrip("/").lower() if host else ""


@dataclass(frozen=True, slots=True)
class Keys:
    """What makes two partners the same business; empty strings are no key."""

    name: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""

    def pairs(self) -> Iterator[tuple[str, str]]:
        for kind, value in zip(KINDS, (self.name, self.phone, self.email, self.website), strict=True):
            if value:
                yield kind, value


@dataclass(frozen=True, slots=True)
class Duplicate:
    kind: str  # one of KINDS
    value: str
    owners: tuple[str, ...]  # two or more: slugs, file names or row labels, in the order they came


def keys_of(name: str = "", phone: str = "", email: str = "", website: str = "", region: str = "GB") -> Keys:
    return Keys(
        name_key(name) if name else "",
        phone_key(phone, region) if phone else "",
        email_key(email) if email else "",
        website_key(website) if website else "",
    )


def likely_duplicates(owners: Iterable[tuple[str, Keys]]) -> list[Duplicate]:
    """Every key two or more owners share, sorted by kind, then by first owner."""
    groups: dict[tuple[str, str], list[str]] = {}
    for owner, keys in owners:
        for pair in keys.pairs():
            groups.setdefault(pair, []).append(owner)
    found = [Duplicate(kind, value, tuple(who)) for (kind, value), who in groups.items() if len(who) > 1]
    return sorted(found, key=lambda d: (KINDS.index(d.kind), d.owners))


class KeyIndex:
    """Keys seen so far -> who holds them: an import asks before it writes each row."""

    def __init__(self) -> None:
        self._owners: dict[tuple[str, str], str] = {}

    def clash(self, keys: Keys) -> tuple[str, str] | None:
        """(kind, owner) of the first key already held, or None."""
        for pair in keys.pairs():
            if pair in self._owners:
                return pair[0], self._owners[pair]
        return None

    def add(self, owner: str, keys: Keys) -> None:
        for pair in keys.pairs():
            self._owners.setdefault(pair, owner)
