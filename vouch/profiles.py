"""Load and validate ``partners/``: registries first, then every profile.

Every problem in every file is collected; nothing stops at the first one.
Validated profiles are cached by content hash, so a rebuild after one edit
validates only that file again.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vouch import messages
from vouch.editor_files import is_editor_temporary
from vouch.images import image_bytes, kind_of_content, kind_of_name, mismatch
from vouch.model import ProfileFile, RegistryEntry, field_homes, known_keys
from vouch.phones import Phone, format_phone
from vouch.problems import Problem, did_you_mean, sort_problems
from vouch.profile_cache import Entry, read_cache, write_cache
from vouch.settings import VouchSettings
from vouch.slugs import SLUG_PATTERN
from vouch.strictyaml import Document, YamlProblem, dotted, load
from vouch.svg import EXPECTED as SVG_EXPECTED
from vouch.svg import published_svg_problems
from vouch.svg import summary as svg_summary

REGISTRIES = ("_categories.yaml", "_checks.yaml")
# Read by nothing and named by nothing: what repositories and operating systems leave in any folder.
NORMAL_EXTRAS = ("README*", "readme*", "Readme*", ".gitkeep", ".gitignore", ".gitattributes", ".DS_Store",
                 "Thumbs.db", "desktop.ini")  # fmt: skip
CACHE_VERSION = 11  # 9: Profile.digest renamed content_hash; 10: Loaded.not_read; 11: phone_as_written
MAX_FILE_BYTES = 256 * 1024  # a profile is a page: a 50 MB one took 101 s and 550 MB to build
KNOWN_KEYS = known_keys()
HOMES = field_homes(KNOWN_KEYS)


Pool = Callable[[Callable[[Any], Any], list[Any]], list[Any]]  # map(): results in the order of the items


def in_turn(function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """The plain ``Pool``: one item after the other, in this process."""
    return [function(item) for item in items]


@dataclass(frozen=True, slots=True)
class Options:
    """Settings that change what a profile means (part of the cache key)."""

    phone_region: str = "GB"
    vetting_valid_days: int = 365

    @classmethod
    def of(cls, settings: VouchSettings) -> Options:
        return cls(phone_region=settings.phone_region, vetting_valid_days=settings.vetting_valid_days)


@dataclass(frozen=True, slots=True)
class Profile:
    """A valid profile file, private fields included: never handed to templates."""

    slug: str
    source: Path
    file: ProfileFile
    review_by: dt.date | None  # explicit, or vetted_on + VETTING_VALID_DAYS
    logo_line: int | None = None  # so a missing logo file can be reported after a cache hit
    description_line: int | None = None  # the file line of the description's first line (partner references)
    phone: Phone | None = None  # contact.phone, parsed once here and formatted for display
    content_hash: str = ""  # of the file's bytes: what the public partner is made of, for the render cache


@dataclass(slots=True)
class Loaded:
    profiles: list[Profile]
    categories: dict[str, RegistryEntry]
    checks: dict[str, RegistryEntry]
    problems: list[Problem]
    broken: frozenset[str] = frozenset()  # slugs of profile files with errors: they exist, so no "unknown partner"
    editor_files: tuple[Path, ...] = ()  # skipped, and listed by invoke check
    not_read: tuple[Path, ...] = ()  # subfolders and files that are no profile or registry: named, not read

    @property
    def known_slugs(self) -> frozenset[str]:
        """Every profile file's slug, valid or not: what a partner reference may name."""
        return frozenset(p.slug for p in self.profiles) | self.broken


def load_partners(
    partners_dir: Path,
    content_dir: Path,
    options: Options = Options(),
    cache_dir: Path | None = None,
    map_all: Pool = in_turn,
) -> Loaded:
    """Read the registries and every profile under ``partners_dir``.

    Logo files are looked up under ``content_dir`` on every call (never cached). ``map_all``
    validates the changed files (the build passes one that uses every core).
    """
    problems: list[Problem] = []
    categories, category_keys = _load_registry(partners_dir / "_categories.yaml", problems)
    checks, check_keys = _load_registry(partners_dir / "_checks.yaml", problems)
    fingerprint = repr((CACHE_VERSION, options, category_keys, check_keys))
    cache = read_cache(cache_dir, fingerprint)
    files, editor_files, not_files, not_read = _profile_files(partners_dir)
    problems += not_files
    # Every file is read and hashed: size and mtime say nothing once an mtime is put back (cp -p, rsync -t).
    hashes: dict[Path, str] = {}
    misses: dict[Path, bytes] = {}
    for path in files:
        data = path.read_bytes()
        hashes[path] = hashlib.sha256(data).hexdigest()
        if cache.get(str(path), ("",))[0] != hashes[path]:
            misses[path] = data
    validate = partial(_validate_file, options=options, categories=category_keys, checks=check_keys)
    validated = dict(zip(misses, map_all(validate, list(misses.items())), strict=True))
    fresh: dict[str, Entry] = {}
    profiles: list[Profile] = []
    broken = {p.path.stem for p in not_files}
    for path in files:
        key = str(path)
        result = validated[path] if path in validated else cache[key][1]
        fresh[key] = (hashes[path], result)
        if isinstance(result, Profile):
            profiles.append(result)
            problems.extend(_check_logo(result, content_dir))
        else:
            problems.extend(result)
            broken.add(path.stem)
    changed = {str(p) for p in misses} | (cache.keys() - fresh.keys())
    if cache_dir is not None and changed:
        write_cache(cache_dir, fingerprint, fresh, changed)
    return Loaded(
        profiles, categories, checks, sort_problems(problems), frozenset(broken), tuple(editor_files), tuple(not_read)
    )


def known_slugs(partners_dir: Path) -> frozenset[str]:
    """What ``Loaded.known_slugs`` will be, from the listing alone: every profile file's stem (a valid
    profile's slug is its file's stem). Content can then be checked while the profiles are validated."""
    files, _, not_files, _ = _profile_files(partners_dir)
    return frozenset(path.stem for path in files) | frozenset(problem.path.stem for problem in not_files)


def _profile_files(partners_dir: Path) -> tuple[list[Path], list[Path], list[Problem], list[Path]]:
    """Profile files; editor temporary files (skipped); a problem for each name that only looks like a
    profile; and what is neither profile nor registry (a subfolder, a note: named in a warning, not read)."""
    files: list[Path] = []
    editor_files: list[Path] = []
    problems: list[Problem] = []
    not_read: list[Path] = []
    if not partners_dir.is_dir():
        return files, editor_files, problems, not_read
    with os.scandir(partners_dir) as listing:  # its file types come with the listing: no stat per profile
        entries = sorted(listing, key=lambda entry: entry.name)
    for entry in entries:
        path = partners_dir / entry.name
        if is_editor_temporary(entry.name):
            editor_files.append(path)
        elif fnmatchcase(entry.name, "*.y*ml") and not entry.name.startswith("_"):
            if _is_file(entry):
                files.append(path)
            else:
                problems.append(Problem(path, None, "file", f"expected a profile file; got {_what_is(path)}"))
        elif entry.name not in REGISTRIES and not any(fnmatchcase(entry.name, p) for p in NORMAL_EXTRAS):
            not_read.append(path)
    return files, editor_files, problems, not_read


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:  # a symbolic link that loops
        return False


def _what_is(path: Path) -> str:
    """What ``path`` is, when it is no regular file."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that loops"
        return "a symbolic link to a missing file" if path.is_symlink() else f"a path that cannot be read ({exc})"
    return "a folder" if stat.S_ISDIR(mode) else "a special file (a pipe or device)"


def validate_one(path: Path, options: Options, categories: list[str], checks: list[str]) -> Profile | list[Problem]:
    """One profile file against known registries (``invoke serve``'s instant preview)."""
    return _validate_file((path, path.read_bytes()), options, categories, checks)


def _validate_file(
    job: tuple[Path, bytes],
    options: Options,
    categories: list[str],
    checks: list[str],
) -> Profile | list[Problem]:
    path, data = job
    problems: list[Problem] = []
    if path.suffix != ".yaml":
        problems.append(Problem(path, 1, "file name", f"expected a name ending in .yaml; got {path.name!r}"))
    if not SLUG_PATTERN.fullmatch(path.stem):
        problems.append(
            Problem(
                path,
                1,
                "file name",
                f"expected a slug such as harbour-plumbing.yaml (a-z, 0-9, single hyphens); got {path.name!r}",
            )
        )
    doc = _read_yaml(path, data, problems)
    if doc is None:
        return problems
    if not isinstance(doc.data, dict):
        problems.append(Problem(path, 1, "", f"expected one mapping of fields; got {messages.describe(doc.data)}"))
        return problems
    try:
        profile_file = ProfileFile.model_validate(doc.data, context={"phone_region": options.phone_region})
    except ValidationError as exc:
        problems.extend(_pydantic_problems(path, doc, exc))
        profile_file = None
    # Registry cross-checks need only the raw values, so they run even when the model failed.
    raw = doc.data
    category = raw.get("category")
    if isinstance(category, str) and category not in categories and SLUG_PATTERN.fullmatch(category):
        problems.append(
            Problem(
                path, doc.line_of(("category",)), "category", _unknown_key(category, categories, "_categories.yaml")
            )
        )
    vetting = raw.get("vetting")
    if isinstance(vetting, dict) and isinstance(vetting.get("checks"), list):
        for i, check in enumerate(vetting["checks"]):
            if isinstance(check, str) and check not in checks and SLUG_PATTERN.fullmatch(check):
                where = ("vetting", "checks", i)
                problems.append(
                    Problem(path, doc.line_of(where), dotted(where), _unknown_key(check, checks, "_checks.yaml"))
                )
    if raw.get("status") == "vetted" and raw.get("vetting") is None:
        problems.append(
            Problem(
                path,
                doc.line_of(("vetting",) if "vetting" in raw else ("status",)),
                "vetting",
                "expected a vetting block (vetted_on, vouched_by, checks, each indented below vetting:) "
                "because status is vetted; got nothing",
            )
        )
    if problems or profile_file is None:
        return _dedupe(problems)
    vet = profile_file.vetting
    review_by = None
    if vet is not None:
        review_by = vet.review_by or vet.vetted_on + dt.timedelta(days=options.vetting_valid_days)
        if review_by < vet.vetted_on:
            where = ("vetting", "review_by")
            return [
                Problem(
                    path,
                    doc.line_of(where),
                    dotted(where),
                    f"expected a date on or after vetted_on ({vet.vetted_on}); got {review_by}",
                )
            ]
    logo_line = doc.line_of(("logo", "src")) if profile_file.logo else None
    description_line = doc.text_line_of(("description",)) if profile_file.description else None
    contact = profile_file.contact
    phone = (
        format_phone(contact.phone, options.phone_region, contact.phone_as_written)
        if contact and contact.phone
        else None
    )
    content_hash = hashlib.sha256(data).hexdigest()
    return Profile(path.stem, path, profile_file, review_by, logo_line, description_line, phone, content_hash)


def _check_logo(profile: Profile, content_dir: Path) -> list[Problem]:
    """The logo is a file under content/, an image of the type its name says, and a safe SVG if it is one.

    Its link name, its real name and its content must agree: a link ``x.svg`` to an SVG in a
    ``.txt`` would escape the SVG check, and a ``.png`` holding SVG would be checked as nothing.
    """
    logo = profile.file.logo
    if logo is None:
        return []
    target = Path(os.path.realpath(content_dir / logo.src))  # a symlink loop stays a path: not found, below
    root = Path(os.path.realpath(content_dir))
    if root not in target.parents or not target.is_file():
        return [
            Problem(
                profile.source,
                profile.logo_line,
                "logo.src",
                f"expected a file under {content_dir}/; got {logo.src!r} (not found)",
            )
        ]
    data = image_bytes(target)  # a PNG's first bytes; an SVG whole, for its check
    problems = []
    if why := mismatch(logo.src, target.relative_to(root).as_posix(), data):
        message = f"expected an image file whose extension matches its content; got {logo.src!r}: {why}"
        problems.append(Problem(profile.source, profile.logo_line, "logo.src", message))
    kinds = {kind_of_name(logo.src), kind_of_name(target.name), held := kind_of_content(data)}
    if "SVG" in kinds and held in (None, "SVG") and (found := published_svg_problems(data)):
        message = f"{SVG_EXPECTED}; got {logo.src!r}: {svg_summary(found)}"
        problems.append(Problem(profile.source, profile.logo_line, "logo.src", message))
    return problems


def _unknown_key(key: str, registry: list[str], file: str) -> str:
    known = ", ".join(registry) or "none defined"
    return f"expected a key of partners/{file} ({known}); got {key!r}{did_you_mean(key, registry)}"


def _read_yaml(path: Path, data: bytes, problems: list[Problem]) -> Document | None:
    if len(data) > MAX_FILE_BYTES:
        problems.append(
            Problem(path, 1, "file", f"expected at most {MAX_FILE_BYTES:,} bytes (256 KB); got {len(data):,} bytes")
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(path, 1, "file", f"expected UTF-8 text; got an undecodable byte at offset {exc.start}"))
        return None
    try:
        doc = load(text)
    except YamlProblem as exc:
        problems.append(Problem(path, exc.line, exc.field, exc.message))
        return None
    problems.extend(Problem(path, line, field, message) for line, field, message in doc.faults)
    return doc


def _pydantic_problems(path: Path, doc: Document, exc: ValidationError) -> list[Problem]:
    out = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        parent = tuple(p for p in loc[:-1] if isinstance(p, str))
        siblings = KNOWN_KEYS.get(parent, ())
        homes = {k: v for k, v in HOMES.items() if v != ".".join(parent)}
        message = messages.from_pydantic(error, doc.raw.get(loc), siblings, homes)
        out.append(Problem(path, doc.line_of(loc), dotted(loc), message))
    return _dedupe(out)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: dict[tuple[int | None, str], Problem] = {}
    for p in problems:
        seen.setdefault((p.line, p.field), p)
    return list(seen.values())


def _load_registry(path: Path, problems: list[Problem]) -> tuple[dict[str, RegistryEntry], list[str]]:
    """Valid entries, and every well-formed key (so a broken entry is reported once, not per profile)."""
    if not path.is_file():
        form = "(key: {title: ..., description: ...})"
        if path.exists() or path.is_symlink():
            problems.append(Problem(path, None, "", f"expected a registry file {form}; got {_what_is(path)}"))
        else:
            problems.append(Problem(path, None, "", f"missing registry file {form}"))
        return {}, []
    doc = _read_yaml(path, path.read_bytes(), problems)
    if doc is None:
        return {}, []
    if not isinstance(doc.data, dict) or not doc.data:
        problems.append(
            Problem(
                path, 1, "", f"expected a mapping of key: {{title, description}}; got {messages.describe(doc.data)}"
            )
        )
        return {}, []
    entries: dict[str, RegistryEntry] = {}
    keys: list[str] = []
    for key, value in doc.data.items():
        line = doc.line_of((key,))
        if len(key) < 2 or not SLUG_PATTERN.fullmatch(key) or key == "0-9":  # 0-9 is the digits' A–Z page
            problems.append(
                Problem(
                    path, line, key, f"expected a key of at least two characters: a-z, 0-9, single hyphens; got {key!r}"
                )
            )
            continue
        keys.append(key)
        try:
            entries[key] = RegistryEntry.model_validate(value)
        except ValidationError as exc:
            for error in exc.errors():
                loc = (key, *error["loc"])
                message = messages.from_pydantic(error, doc.raw.get(loc), tuple(RegistryEntry.model_fields))
                problems.append(Problem(path, doc.line_of(loc), dotted(loc), message))
    return entries, keys
