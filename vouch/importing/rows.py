"""The import plan: each row cleaned into a pending profile, or skipped saying why. Writes nothing.

Every profile in the plan has passed the profile model, so it passes ``invoke check`` as it is:
a value the model still refuses after cleaning is moved to the private notes, with a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from vouch import messages
from vouch.controls import printable
from vouch.duplicates import KeyIndex, Keys, keys_of
from vouch.importing import clean
from vouch.importing.categories import CategoryMatcher
from vouch.importing.headers import Mapping
from vouch.importing.tables import Table
from vouch.model import ProfileFile
from vouch.profiles import MAX_FILE_BYTES
from vouch.scaffold import SCHEMA_COMMENT
from vouch.slugs import slugify

MAX_SLUG = 60  # characters: an 87-character name makes a long URL
MAX_SUMMARY = 160
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's: five times faster
_APOSTROPHES = re.compile("['’‘`]")  # Bob's Bakery is bobs-bakery, not bob-s-bakery


@dataclass(frozen=True, slots=True)
class ImportOptions:
    source: str  # the file's name, for the comments
    region: str = "GB"  # PHONE_REGION
    area: str = ""  # --area: for rows without one


@dataclass(frozen=True, slots=True)
class Planned:
    row: int
    slug: str
    text: str  # the profile file
    changes: tuple[str, ...]
    warnings: tuple[str, ...]
    uncategorised: bool


@dataclass(slots=True)
class Plan:
    rows_read: int = 0
    profiles: list[Planned] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why)
    categories_added: dict[str, str] = field(default_factory=dict)  # key -> title


def plan_import(
    table: Table,
    mapping: Mapping,
    options: ImportOptions,
    matcher: CategoryMatcher,
    existing: Iterable[tuple[str, Keys]],
    taken_slugs: set[str],
) -> Plan:
    """``existing``: (file name, keys) of every profile already in partners/; ``taken_slugs``: every file stem."""
    index = KeyIndex()
    for owner, keys in existing:
        index.add(owner, keys)
    slugs = set(taken_slugs)
    plan = Plan(rows_read=len(table.rows))
    for number, cells in table.rows:
        notes = clean.Notes()
        data, no_trade = _profile_data(cells, table.columns, mapping, options, matcher, notes)
        name = data.get("name", "")
        if not name:
            plan.skipped.append((number, "no name"))
            continue
        names = (cells[i] for i in mapping.fields["name"] if number in table.run_on)  # a cell of a line may: not a name
        if broken := next((name for name in names if "\n" in name or "\r" in name), ""):
            shown = broken if len(broken) <= 60 else broken[:57] + "..."
            lines = broken.count("\n") + broken.count("\r") - broken.count("\r\n") + 1
            plan.skipped.append((number, f"the name runs over {lines} lines ({shown!r}): a quote that is never "
                                         "closed? Close it, then import again"))  # fmt: skip
            continue
        contact = data.get("contact", {})
        keys = keys_of(name, contact.get("phone", ""), contact.get("email", ""), contact.get("website", ""),
                       options.region)  # fmt: skip
        if clash := index.clash(keys):
            kind, owner = clash
            plan.skipped.append((number, f"duplicate of {owner} (same {kind}): {name!r}"))
            continue
        slug = _free_slug(slugify(_APOSTROPHES.sub("", name))[:MAX_SLUG].strip("-"), slugs)
        if not slug:
            plan.skipped.append((number, f"the name {name!r} has no letter or digit for a file name"))
            continue
        if not _fit_the_model(data, notes, options.region):
            plan.skipped.append((number, f"no valid profile could be made of it: {'; '.join(notes.warnings)}"))
            continue
        if notes.private:
            data["private"] = {"imported": notes.private}
        text = _profile_text(data, options.source, number, table.columns, cells, notes.changes)
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            plan.skipped.append((number, f"too large for a profile ({len(text):,} characters; at most 256 KB)"))
            continue
        index.add(f"row {number} (partners/{slug}.yaml)", keys)
        slugs.add(slug)
        plan.profiles.append(Planned(number, slug, text, tuple(notes.changes), tuple(notes.warnings), no_trade))
    plan.categories_added = dict(matcher.added)
    return plan


def _profile_data(
    cells: tuple[str, ...],
    columns: tuple[str, ...],
    mapping: Mapping,
    options: ImportOptions,
    matcher: CategoryMatcher,
    notes: clean.Notes,
) -> tuple[dict[str, Any], bool]:
    """The profile's fields, and whether its category value named no trade (listed for review)."""

    def values(name: str) -> list[str]:
        return [cells[i] for i in mapping.fields.get(name, ()) if cells[i]]

    def first(name: str) -> str:
        found = values(name)
        return clean.text(found[0], notes, name) if found else ""

    data: dict[str, Any] = {"name": first("name")}
    if not data["name"]:
        return data, False
    data["status"] = "pending"
    data["category"], no_trade = matcher.category([clean.text(v, notes, "category") for v in values("category")],
                                           notes.changes)  # fmt: skip
    if summary := first("summary"):
        if len(summary) <= MAX_SUMMARY:
            data["summary"] = summary
        else:
            data["description"] = summary
            notes.changes.append(f"summary: longer than {MAX_SUMMARY} characters: written as the description")
    if services := [clean.text(s, notes, "services") for v in values("services") for s in clean.split_list(v)]:
        data["services"] = [s for s in dict.fromkeys(services) if s]
    areas = [clean.text(a, notes, "areas") for v in values("areas") for a in clean.split_list(v.replace(",", ";"))]
    areas = [a for a in dict.fromkeys(areas) if slugify(a)]
    if not areas and options.area:
        areas = [options.area]
    if areas:
        data["areas"] = areas
    if hours := first("opening_hours"):
        data["opening_hours"] = clean.opening_hours(hours, notes) or None
    contact: dict[str, Any] = {}
    if person := first("contact.person"):
        contact["person"] = person
    if (phone := clean.phones(values("contact.phone"), options.region, notes)) is not None:
        contact["phone"] = phone
    if (email := clean.emails(values("contact.email"), notes)) is not None:
        contact["email"] = email
    if (site := first("contact.website")) and (url := clean.website(site, notes)):
        contact["website"] = url
    social_cells = [(columns[i], cells[i]) for i in mapping.fields.get("contact.social", ()) if cells[i]]
    if social := clean.social(social_cells, notes):
        contact["social"] = social
    address = _address(first, notes)
    if address:
        contact["address"] = address
    if contact:
        data["contact"] = contact
    return {k: v for k, v in data.items() if v is not None}, no_trade


def _address(first: Any, notes: clean.Notes) -> dict[str, str]:
    street = " ".join(part for part in (first("contact.address.housenumber"), first("contact.address.street")) if part)
    address = {"street": street, "locality": first("contact.address.locality"),
               "region": first("contact.address.region"), "postcode": first("contact.address.postcode")}  # fmt: skip
    if country_name := first("contact.address.country"):
        address["country"] = clean.country(country_name, notes) or ""
    return {k: v for k, v in address.items() if v}


def _free_slug(slug: str, taken: set[str]) -> str:
    """``slug``, or ``slug-2``, ``slug-3``...: never a file that exists (two businesses may share a slug)."""
    if not slug or slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


def _fit_the_model(data: dict[str, Any], notes: clean.Notes, region: str) -> bool:
    """Move each value the profile model refuses into the private notes, with a warning, until it validates."""
    for _ in range(10):  # each round removes at least one value
        try:
            ProfileFile.model_validate(data, context={"phone_region": region})
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                path = ".".join(str(p) for p in loc if isinstance(p, str))
                if path in ("name", "status", "category"):  # required: nothing to move aside
                    notes.warnings.append(f"{path}: {messages.from_pydantic(error, None, ())}")
                    return False
                value = _pop(data, loc)
                notes.keep("not_imported", f"{path}: {value}")
                notes.warnings.append(f"{path}: {messages.from_pydantic(error, None, ())}: kept in private notes")
        else:
            return True
    return False


def _pop(data: dict[str, Any], loc: tuple[Any, ...]) -> Any:
    """Remove the value at ``loc`` (a list item, or the field), and any container left empty."""
    parents = [data]
    for part in loc[:-1]:
        parents.append(parents[-1][part])
    value = parents[-1].pop(loc[-1])
    for parent, part in zip(reversed(parents[:-1]), reversed(loc[:-1]), strict=True):
        if not parent[part]:
            parent.pop(part)
    return value


def _profile_text(
    data: dict[str, Any],
    source: str,
    row: int,
    columns: tuple[str, ...],
    cells: tuple[str, ...],
    changes: list[str],
) -> str:
    """The profile: the source row and the changes as comments (never published), then the fields."""
    lines = [SCHEMA_COMMENT, f"# Imported by `invoke import` from {source}, row {row}:"]
    # printable(): a line or paragraph separator in a cell would end the comment, for YAML
    lines += [printable(f"#   {json.dumps(c, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}")
              for c, v in zip(columns, cells, strict=True) if v]  # fmt: skip
    if changes:
        lines.append("# What the import changed (check when you vet):")
        lines += [printable(f"#   {json.dumps(change, ensure_ascii=False)[1:-1]}") for change in changes]
    body = yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False)
    return "\n".join(lines) + "\n" + body
