"""The publication rule, and the editor's view of who is (not) on the site."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from vouch.profiles import Profile
from vouch.public import Partner, to_public

DUE_SOON_DAYS = 30
MAX_EPOCH = 253_402_300_799  # 9999-12-31 23:59:59 UTC, the last second a date can hold


def epoch_problem(environ: Mapping[str, str] = os.environ) -> str | None:
    """What is wrong with SOURCE_DATE_EPOCH, or None: digits only, as ``date +%s`` prints them (or unset)."""
    value = environ.get("SOURCE_DATE_EPOCH", "")
    if value and not (value.isascii() and value.isdigit() and int(value) <= MAX_EPOCH):
        return f"expected whole seconds since 1970-01-01 UTC, such as 1795608000 (or leave it unset); got {value!r}"
    return None


def today(timezone: str = "UTC", environ: Mapping[str, str] = os.environ) -> dt.date:
    """The build's calendar date in ``timezone``: SOURCE_DATE_EPOCH, else the clock.

    Raises ValueError, naming the variable, if SOURCE_DATE_EPOCH is no Unix time.
    """
    if problem := epoch_problem(environ):
        raise ValueError(f"SOURCE_DATE_EPOCH: {problem}")
    epoch = environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


def is_published(profile: Profile, on: dt.date) -> bool:
    """The one publication rule: vetted, and inside the vetting window."""
    vet = profile.file.vetting
    return (
        profile.file.status == "vetted"
        and vet is not None
        and profile.review_by is not None
        and vet.vetted_on <= on <= profile.review_by
    )


def publish(profiles: Iterable[Profile], on: dt.date) -> list[Partner]:
    """The only source of partners for anything that is written out."""
    return [to_public(p) for p in profiles if is_published(p, on)]


@dataclass(frozen=True, slots=True)
class RosterEntry:
    slug: str
    name: str
    state: str  # published | scheduled | pending | lapsed | suspended | retired
    vetted_on: dt.date | None
    review_by: dt.date | None


def state_of(profile: Profile, on: dt.date) -> str:
    if is_published(profile, on):
        return "published"
    status = profile.file.status
    if status == "vetted":
        vet = profile.file.vetting
        return "scheduled" if vet is not None and vet.vetted_on > on else "lapsed"
    return status


def roster(profiles: Iterable[Profile], on: dt.date) -> list[RosterEntry]:
    """Every profile with its state, for ``invoke check`` (never written to the site)."""
    out = []
    for p in profiles:
        vet = p.file.vetting
        out.append(RosterEntry(p.slug, p.file.name, state_of(p, on), vet.vetted_on if vet else None, p.review_by))
    return out


def due_soon(entries: Iterable[RosterEntry], on: dt.date, days: int = DUE_SOON_DAYS) -> list[RosterEntry]:
    """Published partners whose review falls within ``days``."""
    limit = on + dt.timedelta(days=days)
    return [e for e in entries if e.state == "published" and e.review_by is not None and e.review_by <= limit]
