"""``invoke import``: read the spreadsheet, plan every row, print the summary, then write (unless --dry-run).

The plan is made whole before anything is written, and each profile file is created
exclusively (never over an existing one), so an interrupted or repeated import loses nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

from vouch.duplicates import Keys, keys_of
from vouch.importing.categories import UNCATEGORISED, UNCATEGORISED_ENTRY, CategoryMatcher
from vouch.importing.headers import map_columns, normal_header
from vouch.importing.rows import ImportOptions, Plan, plan_import
from vouch.importing.tables import Table, read_table
from vouch.problems import did_you_mean
from vouch.profiles import MAX_FILE_BYTES
from vouch.render.humanize import counted
from vouch.schema import SCHEMA_PATH, site_schema
from vouch.settings import VouchSettings
from vouch.strictyaml import YamlProblem, load
from vouch_site.config import load_settings

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ImportRefused(ValueError):
    """One line for the editor; nothing was written."""


def parse_maps(maps: list[str]) -> dict[str, str]:
    """``--map contact.phone=Tel`` given any number of times -> {field: column}; two columns for one field, or
    one column for two fields, are refused (neither is a guess worth making). Columns compare as they match."""
    out: dict[str, str] = {}
    for item in maps:
        field, sep, column = (part.strip() for part in item.partition("="))
        if not sep or not field or not column:
            raise ImportRefused(f"--map {item}: expected FIELD=COLUMN, e.g. --map contact.phone=Telephone")
        if field in out and normal_header(out[field]) != normal_header(column):
            raise ImportRefused(
                f"--map {field}={column}: expected one column per field; got --map {field}={out[field]} too"
            )
        other = next((f for f, c in out.items() if f != field and normal_header(c) == normal_header(column)), None)
        if other:
            raise ImportRefused(
                f"--map {field}={column}: expected one field per column; got --map {other}={out[other]} too"
            )
        out.setdefault(field, column)
    return out


def run_import(
    root: Path, file: Path, maps: dict[str, str], category: str = "", area: str = "", dry_run: bool = False
) -> tuple[Plan, list[str]]:
    """The plan, and the summary's lines; writes the profiles and new categories unless ``dry_run``."""
    started = time.perf_counter()
    partners = root / "partners"
    titles = _category_titles(partners / "_categories.yaml")
    if category and category not in titles:
        known = ", ".join(titles)
        raise ImportRefused(f"--category {category}: expected a key of partners/_categories.yaml ({known})"
                            f"{did_you_mean(category, titles)}")  # fmt: skip
    table = read_table(file)
    mapping = map_columns(table.columns, maps)
    if "name" not in mapping.fields:
        shown = ", ".join(repr(c) for c in table.columns)
        raise ImportRefused(f"{file.name}: no column holds the business name ({shown}): add --map name=COLUMN")
    region = VouchSettings.of(load_settings(root)).phone_region
    slugs, existing = existing_profiles(partners, region)
    options = ImportOptions(source=file.name, region=region, area=area)
    plan = plan_import(table, mapping, options, CategoryMatcher(titles, category), existing, slugs)
    if not dry_run:
        _write(partners, plan, file.name)
        if plan.categories_added and (root / SCHEMA_PATH).exists():  # so editors offer the new keys
            (root / SCHEMA_PATH).write_text(site_schema(root), encoding="utf-8")
    elapsed = time.perf_counter() - started
    return plan, list(_summary(plan, table, mapping.fields, mapping.unused, dry_run, elapsed))


def _category_titles(path: Path) -> dict[str, str]:
    try:
        data = load(path.read_text(encoding="utf-8")).data
    except (OSError, UnicodeDecodeError, YamlProblem):
        data = None
    if not isinstance(data, dict):
        raise ImportRefused("partners/_categories.yaml cannot be read: run invoke check to see why")
    return {str(k): str(v.get("title", k)) if isinstance(v, dict) else str(k) for k, v in data.items()}


def existing_profiles(partners: Path, region: str) -> tuple[set[str], list[tuple[str, Keys]]]:
    """Every profile file's slug, and the keys of each one that can be read (a broken one keeps its slug)."""
    slugs: set[str] = set()
    keys: list[tuple[str, Keys]] = []
    for path in sorted(partners.glob("*.y*ml")):
        if path.name.startswith("_"):
            continue
        slugs.add(path.stem)
        try:
            raw = path.read_bytes()
            data = yaml.load(raw, Loader=_LOADER) if len(raw) <= MAX_FILE_BYTES else None  # invoke check says why
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        contact = data.get("contact") if isinstance(data.get("contact"), dict) else {}
        fields = [data.get("name"), contact.get("phone"), contact.get("email"), contact.get("website")]
        name, phone, email, website = (value if isinstance(value, str) else "" for value in fields)
        keys.append((f"partners/{path.name}", keys_of(name, phone, email, website, region)))
    return slugs, keys


def _write(partners: Path, plan: Plan, source: str) -> None:
    if plan.categories_added:
        registry = partners / "_categories.yaml"
        text = registry.read_text(encoding="utf-8")
        entries = []
        for key, title in plan.categories_added.items():
            description = UNCATEGORISED_ENTRY[1] if key == UNCATEGORISED else f"Imported from {source}: needs writing."
            entries.append(f"{key}:\n  title: {json.dumps(title, ensure_ascii=False)}\n"
                           f"  description: {json.dumps(description, ensure_ascii=False)}\n")  # fmt: skip
        registry.write_text(text + ("" if text.endswith("\n") or not text else "\n") + "".join(entries), "utf-8")
    for planned in plan.profiles:
        with (partners / f"{planned.slug}.yaml").open("x", encoding="utf-8") as handle:  # never over a file
            handle.write(planned.text)


def _summary(
    plan: Plan,
    table: Table,
    fields: dict[str, tuple[int, ...]],
    unused: tuple[str, ...],
    dry_run: bool,
    elapsed: float,
) -> Iterator[str]:
    yield f"read {counted(plan.rows_read, 'row')} ({table.how})"
    columns = table.columns
    used = ", ".join(f"{' + '.join(repr(columns[i]) for i in indices)} -> {field}" for field, indices in fields.items())
    yield f"columns: {used}"
    if unused:
        yield f"columns not imported (kept in each profile's source-row comment): {', '.join(map(repr, unused))}"
    verb = "would write" if dry_run else "wrote"
    yield f"{verb} {counted(len(plan.profiles), 'profile')} (status: pending) in partners/"
    changed = [p for p in plan.profiles if p.changes]
    if changed:
        yield f"changes ({counted(sum(len(p.changes) for p in changed), 'change')}, also in each profile's comments):"
        for p in changed:
            yield f"  row {p.row} (partners/{p.slug}.yaml): " + "; ".join(p.changes)
    if plan.skipped:
        yield f"skipped {counted(len(plan.skipped), 'row')}:"
        for row, why in plan.skipped:
            yield f"  row {row}: {why}"
    if plan.categories_added:
        added = ", ".join(f"{key} ({title!r})" for key, title in plan.categories_added.items())
        done = "to add" if dry_run else "added"
        yield f"categories {done} to partners/_categories.yaml (write their descriptions): {added}"
    review = [p for p in plan.profiles if p.uncategorised]
    if review:
        yield f"{UNCATEGORISED} (no trade given: choose a category): " + ", ".join(
            f"partners/{p.slug}.yaml" for p in review
        )
    warned = [f"row {p.row} (partners/{p.slug}.yaml): {w}" for p in plan.profiles for w in p.warnings]
    if table.warnings or warned:  # the file's own first: they may explain a row's
        yield f"warnings ({len(table.warnings) + len(warned)}):"
        for warning in (*table.warnings, *warned):
            yield f"  {warning}"
    tail = "--dry-run: nothing was written" if dry_run else "next: vet each partner, then set status: vetted"
    yield f"done in {elapsed:.2f} s; {tail}"
