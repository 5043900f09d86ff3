"""From a project folder to the public data a site is built from.

``prepare`` is the single place where profiles become public partners; what
it returns for rendering holds nothing about an unpublished partner.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from vouch.content import Selection, unknown_partner
from vouch.content_files import ContentFiles
from vouch.directory import one_name_per_area, sort_az
from vouch.duplicates import Duplicate, Keys, email_key, likely_duplicates, name_key, website_key
from vouch.model import RegistryEntry
from vouch.paths import inside
from vouch.problems import Problem, sort_problems
from vouch.profiles import Options, Pool, Profile, in_turn, load_partners
from vouch.public import Logo, Partner
from vouch.publication import RosterEntry, publish, roster
from vouch.references import references
from vouch.settings import VouchSettings


@dataclass(frozen=True)
class PublicSite:
    """Everything public the generators need; built only by ``prepare``."""

    today: dt.date
    partners: tuple[Partner, ...]  # published only, A–Z
    categories: dict[str, RegistryEntry]
    checks: dict[str, RegistryEntry]
    content_hashes: dict[str, str] = field(default_factory=dict)  # slug -> hash of its profile file (render cache)

    @cached_property
    def names(self) -> dict[str, str]:
        """slug -> name of every published partner, for partner links."""
        return {p.slug: p.name for p in self.partners}


@dataclass(frozen=True, slots=True)
class EditorReport:
    """What ``invoke check`` shows the editor; never handed to a template."""

    today: dt.date
    problems: list[Problem]
    roster: list[RosterEntry]
    logos: frozenset[str]  # real paths of every valid profile's logo, published or not (so not stray files)
    content: Selection = field(default_factory=Selection)  # which Markdown items are shown, and why not
    files: ContentFiles = field(default_factory=ContentFiles)  # which files under content/ go out, and strays
    withheld_partners: dict[str, list[str]] = field(default_factory=dict)  # slug -> unpublished slugs it names
    withheld_steps: dict[Path, list[str]] = field(default_factory=dict)  # welcome step file -> unpublished slugs
    draft_steps: tuple[Path, ...] = ()  # welcome step files with Status: draft: the series waits there too
    known_slugs: frozenset[str] = frozenset()  # every profile file's slug, valid or not: what a reference may name
    editor_files: tuple[Path, ...] = ()  # editor temporary files skipped in partners/
    not_read: tuple[Path, ...] = ()  # what else partners/ holds (a subfolder, a note): named in a warning
    left_out: frozenset[str] = frozenset()  # content files with problems that `invoke build --keep-going` leaves out
    duplicates: tuple[Duplicate, ...] = ()  # profiles sharing a phone, e-mail, website or normalised name


def prepare(
    partners_dir: Path,
    content_dir: Path,
    settings: VouchSettings,
    on: dt.date,
    cache_dir: Path | None = None,
    map_all: Pool = in_turn,
) -> tuple[PublicSite, EditorReport]:
    """The public site as of ``on`` (the caller's clock), and what the editor is told.

    ``map_all`` validates profiles (the build passes one that uses every core).
    """
    profiles_cache = cache_dir / "profiles" if cache_dir else None
    loaded = load_partners(partners_dir, content_dir, Options.of(settings), profiles_cache, map_all)
    problems = loaded.problems + _unknown_description_references(loaded.profiles, loaded.known_slugs)
    # A profile with any problem (a missing logo, a link to no partner) is never published, so that
    # `invoke build --keep-going` can leave it out and withhold what names it.
    invalid = {problem.path for problem in problems}
    valid = [p for p in loaded.profiles if p.source not in invalid]
    partners, withheld = _withhold_by_description(publish(valid, on))
    partners = [_logo_by_real_path(p, content_dir) for p in partners]
    hashes = {p.slug: p.content_hash for p in loaded.profiles}
    public = PublicSite(
        today=on,
        partners=tuple(sort_az(one_name_per_area(partners))),
        categories=loaded.categories,
        checks=loaded.checks,
        content_hashes={p.slug: hashes[p.slug] for p in partners},
    )
    report = EditorReport(
        on,
        sort_problems(problems),
        roster(valid, on),
        frozenset(os.path.realpath(content_dir / p.file.logo.src) for p in loaded.profiles if p.file.logo),
        withheld_partners=withheld,
        known_slugs=loaded.known_slugs,
        editor_files=loaded.editor_files,
        not_read=loaded.not_read,
        duplicates=tuple(likely_duplicates(_duplicate_keys(loaded.profiles))),
    )
    return public, report


def _duplicate_keys(profiles: list[Profile]) -> Iterator[tuple[str, Keys]]:
    """Each valid profile's keys; the phone as the E.164 number its profile already parsed."""
    for p in profiles:
        contact = p.file.contact
        phone = p.phone.uri.removeprefix("tel:") if p.phone else ""
        email = email_key(contact.email) if contact and contact.email else ""
        website = website_key(contact.website) if contact and contact.website else ""
        yield f"partners/{p.source.name}", Keys(name_key(p.file.name), phone, email, website)


def _logo_by_real_path(partner: Partner, content_dir: Path) -> Partner:
    """The logo at its real path under content/, so ``./x.svg``, ``a/../x.svg`` or an absolute path give one URL."""
    if partner.logo is None:
        return partner
    root = os.path.realpath(content_dir)
    real = os.path.realpath(content_dir / partner.logo.src)
    if not inside(real, root):  # reported by the profile checks
        return replace(partner, logo=None)
    return replace(partner, logo=Logo(Path(os.path.relpath(real, root)).as_posix(), partner.logo.alt))


def _withhold_by_description(partners: list[Partner]) -> tuple[list[Partner], dict[str, list[str]]]:
    """A description naming an unpublished partner withholds its profile, like an article."""
    withheld: dict[str, list[str]] = {}
    while True:
        shown = {p.slug for p in partners}
        dropped = {}
        for p in partners:
            missing = [r.slug for r in references(p.description or "", metadata=False) if r.slug not in shown]
            if missing:
                dropped[p.slug] = list(dict.fromkeys(missing))
        if not dropped:
            return partners, withheld
        withheld |= dropped
        partners = [p for p in partners if p.slug not in dropped]


def _unknown_description_references(profiles: list[Profile], known: frozenset[str]) -> list[Problem]:
    return [
        Problem(p.source, (p.description_line or 1) + r.line - 1, "description", unknown_partner(r.slug, known))
        for p in profiles
        for r in references(p.file.description or "", metadata=False)
        if r.slug not in known
    ]
