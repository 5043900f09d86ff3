"""Which spreadsheet column fills which profile field: common headers recognised, ``--map`` overrides.

FIELD names are the profile's own field paths (the JSON Schema's): ``contact.phone``,
``contact.address.postcode``... OpenStreetMap exports (``addr:*``, ``contact:*``, ``shop``,
``craft``) are recognised too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unidecode import unidecode

from vouch.problems import did_you_mean

# Fields an import can fill, each with the headers that name it (normalised: lower case, single spaces).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "business name", "business", "company", "company name", "organisation", "organization",
             "trading name", "partner", "brand"),
    "category": ("category", "categories", "trade", "trades", "type", "business type", "sector", "shop", "craft",
                 "office", "amenity", "healthcare", "tourism"),
    "areas": ("area", "areas", "areas served", "service area", "service areas", "coverage"),
    "summary": ("summary", "description", "about", "short description", "tagline"),
    "services": ("services", "service", "what they do"),
    "opening_hours": ("opening hours", "hours", "opening times"),
    "contact.person": ("contact person", "contact name", "contact", "owner", "person", "proprietor"),
    "contact.phone": ("phone", "telephone", "tel", "mobile", "phone number", "telephone number", "mobile number",
                      "landline", "cell"),
    "contact.email": ("email", "e mail", "email address", "e mail address", "mail"),
    "contact.website": ("website", "url", "web", "web site", "homepage", "home page", "www", "site"),
    "contact.social": ("social", "social media", "facebook", "instagram", "twitter", "x", "linkedin", "tiktok",
                       "youtube", "mastodon"),
    "contact.address.street": ("street", "address", "street address", "address 1", "address line 1", "road"),
    "contact.address.housenumber": ("housenumber", "house number", "number"),
    "contact.address.locality": ("town", "city", "locality", "town city", "village", "place", "suburb"),
    "contact.address.region": ("county", "region", "state", "province"),
    "contact.address.postcode": ("postcode", "post code", "zip", "zip code", "postal code", "postcode zip"),
    "contact.address.country": ("country", "country code"),
}  # fmt: skip
# Fields that take every column naming them (two phone columns, shop and craft); the others take the first.
MANY_COLUMNS = ("category", "contact.phone", "contact.social")
INTERNAL = ("contact.address.housenumber",)  # OpenStreetMap's addr:housenumber: put before the street
MAPPABLE = tuple(field for field in HEADERS if field not in INTERNAL)
_ALIASES = {alias: field for field, aliases in HEADERS.items() for alias in aliases}
_SEPARATORS = re.compile(r"[\s_\-./]+")


def normal_header(header: str) -> str:
    """``Business_Name`` and ``business-name `` are ``business name``; OpenStreetMap's colons stay."""
    return _SEPARATORS.sub(" ", unidecode(header).lower()).strip()


def recognise(header: str) -> str | None:
    """The field a header names, if it is a common one."""
    key = normal_header(header)
    if key in _ALIASES:
        return _ALIASES[key]
    prefix, _, rest = key.partition(":")
    if prefix in ("contact", "addr", "social") and rest:  # OpenStreetMap: contact:phone, addr:city, addr:street
        return _ALIASES.get(rest.strip())
    return None


@dataclass(frozen=True, slots=True)
class Mapping:
    fields: dict[str, tuple[int, ...]]  # field -> column indices, in column order
    unused: tuple[str, ...]  # columns nothing reads (kept in each profile's source-row comment)


def map_columns(columns: tuple[str, ...], overrides: dict[str, str]) -> Mapping:
    """Recognised headers, then ``overrides`` (FIELD -> COLUMN, from ``--map``). ValueError names a wrong one."""
    by_name = {normal_header(c): i for i, c in reversed(list(enumerate(columns)))}
    chosen: dict[str, int] = {}
    for field, column in overrides.items():
        if field not in MAPPABLE:
            raise ValueError(
                f"--map {field}={column}: expected one of {', '.join(MAPPABLE)}{did_you_mean(field, MAPPABLE)}"
            )
        index = by_name.get(normal_header(column))
        if index is None:
            shown = ", ".join(repr(c) for c in columns)
            raise ValueError(f"--map {field}={column}: no column {column!r}; the columns are {shown}")
        chosen[field] = index
    fields: dict[str, list[int]] = {field: [index] for field, index in chosen.items()}
    taken = set(chosen.values())
    for index, column in enumerate(columns):
        field = recognise(column)
        if index in taken or field is None or field in chosen:
            continue
        if field in MANY_COLUMNS or field not in fields:
            fields.setdefault(field, []).append(index)
            taken.add(index)
    unused = tuple(c for i, c in enumerate(columns) if i not in taken and c)
    return Mapping({field: tuple(indices) for field, indices in fields.items()}, unused)
