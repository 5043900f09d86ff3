"""Groupings, sorts and counts, built once in Python and handed to templates."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from vouch.model import RegistryEntry
from vouch.public import Area, Partner
from vouch.slugs import initial, slugify

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Group:
    """A named list of partners with its own URL part (category, area or letter)."""

    slug: str
    title: str
    description: str | None
    partners: tuple[Partner, ...]

    @property
    def count(self) -> int:
        return len(self.partners)


def az_key(partner: Partner) -> tuple[str, str]:
    return (slugify(partner.name), partner.slug)


def sort_az(partners: Iterable[Partner]) -> list[Partner]:
    return sorted(partners, key=az_key)


def newest(partners: Iterable[Partner], limit: int) -> list[Partner]:
    """Most recently vetted first; ties by name, so the order is stable."""
    return sorted(partners, key=lambda p: (-p.vetting.vetted_on.toordinal(), az_key(p)))[:limit]


def by_category(az: Sequence[Partner], categories: Mapping[str, RegistryEntry]) -> list[Group]:
    """Every category of the registry, in title order, empty ones included."""
    members: dict[str, list[Partner]] = defaultdict(list)
    for p in az:
        members[p.category].append(p)
    groups = [Group(key, e.title, e.description, tuple(members[key])) for key, e in categories.items()]
    return sorted(groups, key=lambda g: (g.title.lower(), g.slug))


def one_name_per_area(partners: Sequence[Partner]) -> list[Partner]:
    """Spellings with one slug are one area: every partner gets the commonest spelling.

    So ``Saint-Étienne`` and ``saint etienne`` are one area on its page, in the
    search filter and on each profile.
    """
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for p in partners:
        for area in p.areas:
            names[area.slug][area.name] += 1
    title = {slug: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for slug, c in names.items()}
    out = []
    for p in partners:
        areas: dict[str, Area] = {}
        for area in p.areas:
            areas.setdefault(area.slug, Area(title[area.slug], area.slug))
        fixed = tuple(areas.values())
        out.append(p if fixed == p.areas else replace(p, areas=fixed))
    return out


def by_area(az: Sequence[Partner]) -> list[Group]:
    """Areas by slug (names already made one per slug by ``one_name_per_area``)."""
    members: dict[str, list[Partner]] = defaultdict(list)
    titles: dict[str, str] = {}
    for p in az:
        for area in p.areas:
            if not members[area.slug] or members[area.slug][-1] is not p:
                members[area.slug].append(p)
            titles[area.slug] = area.name
    return sorted((Group(slug, titles[slug], None, tuple(ps)) for slug, ps in members.items()), key=lambda g: g.slug)


def by_letter(az: Sequence[Partner]) -> list[Group]:
    """A–Z groups, ``0-9`` first for names that start with a digit."""
    members: dict[str, list[Partner]] = defaultdict(list)
    for p in az:
        members[initial(p.name)].append(p)
    return [Group(key, key.upper(), None, tuple(members[key])) for key in sorted(members)]


def paginate(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Pages of at most ``size`` items; an empty list still has one (empty) page."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [items[:0]]


HINT_MAX = 24  # characters that fit the search box on a 360 px phone


def search_example(partners: Sequence[Partner], categories: Mapping[str, RegistryEntry]) -> str:
    """A search-box hint drawn from the network itself: its biggest trade, and its commonest area if it fits.

    A trade's name is a word people search for and that finds that trade (a service such as
    "wills" stems to "will", which is on every page).
    """
    trades = Counter(p.category for p in partners if p.category in categories)
    areas = Counter(a.name for p in partners for a in p.areas)
    if not trades:
        return ""
    title = categories[_commonest(trades)].title
    trade = re.split(r"\s*(?:&|,|/|\band\b)\s*", title, maxsplit=1)[0].lower()
    hint = f"e.g. {trade}"
    if areas and len(with_area := f"{hint}, {_commonest(areas)}") <= HINT_MAX:
        return with_area
    return hint


def _commonest(counts: Counter[str]) -> str:
    """The commonest, the shorter on a tie (a hint must fit a phone-wide search box)."""
    return min(counts.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0] if counts else ""
