"""From a project folder to the public data a site is built from.

``prepare`` is the single place where profiles become public partners; what
it returns for rendering holds nothing about an unpublished partner.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vouch.content import Selection
from vouch.directory import sort_az
from vouch.model import RegistryEntry
from vouch.problems import Problem
from vouch.profiles import Options, load_partners
from vouch.public import Partner
from vouch.publication import RosterEntry, publish, roster, today


@dataclass(frozen=True, slots=True)
class PublicSite:
    """Everything public the generators need; built only by ``prepare``."""

    today: dt.date
    partners: tuple[Partner, ...]  # published only, A–Z
    categories: dict[str, RegistryEntry]
    checks: dict[str, RegistryEntry]


@dataclass(frozen=True, slots=True)
class EditorReport:
    """What ``invoke check`` shows the editor; never handed to a template."""

    today: dt.date
    problems: list[Problem]
    roster: list[RosterEntry]
    withheld_files: frozenset[str]  # content files (logos) only unpublished partners use
    content: Selection = field(default_factory=Selection)  # which Markdown items are shown, and why not


def prepare(
    partners_dir: Path,
    content_dir: Path,
    settings: dict[str, Any],
    cache_dir: Path | None = None,
) -> tuple[PublicSite, EditorReport]:
    options = Options(phone_region=settings["PHONE_REGION"], vetting_valid_days=settings["VETTING_VALID_DAYS"])
    cache_file = cache_dir / "profiles.pickle" if cache_dir else None
    loaded = load_partners(partners_dir, content_dir, options, cache_file)
    on = today(settings["TIMEZONE"])
    partners = tuple(sort_az(publish(loaded.profiles, on, options.phone_region)))
    public = PublicSite(today=on, partners=partners, categories=loaded.categories, checks=loaded.checks)
    shown = {p.logo.src for p in partners if p.logo}
    hidden = {p.file.logo.src for p in loaded.profiles if p.file.logo} - shown
    return public, EditorReport(on, loaded.problems, roster(loaded.profiles, on), frozenset(hidden))
