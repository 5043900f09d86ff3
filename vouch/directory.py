"""Groupings, sorts and counts, built once in Python and handed to templates."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from vouch.model import RegistryEntry
from vouch.public import Partner
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


def by_area(az: Sequence[Partner]) -> list[Group]:
    """Areas by slug; spellings with one slug are one area, named by the commonest."""
    members: dict[str, list[Partner]] = defaultdict(list)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for p in az:
        for area in p.areas:
            if not area.slug:
                continue
            if not members[area.slug] or members[area.slug][-1] is not p:
                members[area.slug].append(p)
            names[area.slug][area.name] += 1
    groups = []
    for slug, partners in members.items():
        title = min(names[slug].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        groups.append(Group(slug, title, None, tuple(partners)))
    return sorted(groups, key=lambda g: g.slug)


def by_letter(az: Sequence[Partner]) -> list[Group]:
    """A–Z groups, ``0-9`` first for names that start with a digit."""
    members: dict[str, list[Partner]] = defaultdict(list)
    for p in az:
        members[initial(p.name)].append(p)
    return [Group(key, key.upper(), None, tuple(members[key])) for key in sorted(members)]


def paginate(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Pages of at most ``size`` items; an empty list still has one (empty) page."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [items[:0]]
