"""The editor's commands, callable in-process: ``tasks.py`` only parses options and calls these.

Each command prints what the editor reads and raises ``CommandFailed`` (a
one-line message and an exit code) where the command line must end non-zero;
a test calls them directly, without starting a process.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, NoReturn, TextIO

from vouch.controls import printable
from vouch.problems import Problem, ValidationFailed, relative_to
from vouch.render.humanize import counted
from vouch.settings import VouchSettings
from vouch.site import EditorReport, PublicSite
from vouch_site.config import load_settings


class CommandFailed(Exception):
    """The command ends with ``code``; ``message`` (may be empty) is its last line on stderr."""

    def __init__(self, message: str = "", code: int = 1) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def fail_with(problems: list[Problem], consequence: str, root: Path, code: int = 1) -> NoReturn:
    """Every problem on stderr, then one line counting them."""
    for problem in problems:
        print(relative_to(problem, root), file=sys.stderr)
    raise CommandFailed(f"vouch: {counted(len(problems), 'problem')}{consequence}", code)


class _Escaping(io.TextIOBase):
    """A stream that writes a file's control characters as escapes: an escape sequence could repaint the terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(printable(text, keep="\n"))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


@contextmanager
def terminal_safe() -> Iterator[None]:
    with redirect_stdout(_Escaping(sys.stdout)), redirect_stderr(_Escaping(sys.stderr)):
        yield


@contextmanager
def refused(prefix: str = "") -> Iterator[None]:
    """A ValueError from the domain (bad input, bad environment) becomes a one-line refusal, not a traceback."""
    try:
        yield
    except ValueError as exc:
        raise CommandFailed(f"vouch: {prefix}{exc}", 2) from None


def verbosity(verbose: bool) -> None:
    import logging

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    logging.getLogger("pelican").setLevel(logging.WARNING)  # -v is for Vouch's own detail, not every file written


def build(root: Path, output: str = "", verbose: bool = False, keep_going: bool = False) -> None:
    """Validate everything, then build the site into output/ (atomically)."""
    verbosity(verbose)
    from vouch.writer.lock import Refused
    from vouch_site.build import build as run_build
    from vouch_site.progress import build_progress
    from vouch_site.search import SearchIndexFailed

    try:
        with build_progress() as progress:
            result = run_build(root, Path(output) if output else None, progress=progress, keep_going=keep_going)
    except ValidationFailed as failed:
        if keep_going:
            print("vouch: --keep-going leaves out invalid profiles and content files only: ", end="", file=sys.stderr)
            print("settings and registries must be valid", file=sys.stderr)
        fail_with(failed.problems, "; nothing was written, output/ is unchanged", root)
    except Refused as refusal:
        raise CommandFailed(f"vouch: {refusal}; nothing was built, output/ is unchanged") from None
    except SearchIndexFailed as failed:  # Pagefind's own words, not a traceback
        raise CommandFailed(f"vouch: the search index: {failed}; nothing was built, output/ is unchanged") from None
    with terminal_safe():
        print(result.summary())
    if result.report.problems:  # only with --keep-going: the files named were left out
        fail_with(result.report.problems, "; the files named were left out, everything else was built", root, 2)


def check(root: Path) -> None:
    """Validate only; list partners by state, reviews due within 30 days, lapses."""
    from vouch.report import editor_notes, roster_report
    from vouch_site.build import validate_only

    with terminal_safe():  # it prints names and paths from every file
        try:
            report = validate_only(root)
        except ValidationFailed as failed:  # a wrong setting: nothing else can be read until it is fixed
            fail_with(failed.problems, "", root)
        print(roster_report(report.roster, report.today))
        for line in editor_notes(report, root):
            print(line)
        _warn_if_schema_is_stale(root)
        if report.problems:
            print(file=sys.stderr)
            fail_with(report.problems, "", root)


def _warn_if_schema_is_stale(root: Path) -> None:
    from vouch.schema import SCHEMA_PATH, site_schema

    target = root / SCHEMA_PATH
    if not target.exists() or target.read_text(encoding="utf-8") != site_schema(root):
        print(f"note: {SCHEMA_PATH} does not list the current categories and checks: run invoke schema")


def new_partner(root: Path, name: str, category: str = "", email: str = "", phone: str = "", slug: str = "") -> None:
    """Scaffold partners/<slug>.yaml with status: pending; refuses a file or a business name already taken."""
    from pydantic import ValidationError

    from vouch.messages import from_pydantic
    from vouch.model import Contact
    from vouch.publication import today
    from vouch.scaffold import new_profile
    from vouch.schema import registry_keys
    from vouch.slugs import SLUG_PATTERN, slugify

    categories, _ = registry_keys(root / "partners")
    if not categories:
        why = "defines no category (or cannot be read: invoke check says why)"
        raise CommandFailed(f"vouch: partners/_categories.yaml {why}", 2)
    category = category or categories[0]
    if category not in categories:
        raise CommandFailed(f"vouch: --category must be one of: {', '.join(categories)}", 2)
    settings = VouchSettings.of(load_settings(root))
    contact = {k: v for k, v in (("email", email), ("phone", phone)) if v}
    try:
        Contact.model_validate(contact, context={"phone_region": settings.phone_region})
    except ValidationError as exc:
        messages = [f"--{e['loc'][0]}: {from_pydantic(e, None, ())}" for e in exc.errors()]
        raise CommandFailed("vouch: " + "; ".join(messages), 2) from None
    if slug and not SLUG_PATTERN.fullmatch(slug):
        raise CommandFailed(f"vouch: --slug {slug}: expected a-z, 0-9 and single hyphens, e.g. {slugify(slug)}", 2)
    chosen, slug = bool(slug), slug or slugify(name)
    target = root / "partners" / f"{slug}.yaml"
    if not slug:
        raise CommandFailed("vouch: the name needs at least one letter or digit", 2)
    if target.exists():
        where = target.relative_to(root)
        raise CommandFailed(f"vouch: {where} already exists: choose another file name with --slug", 2)
    if not chosen:  # the same business under another file name?
        _refuse_a_name_taken(root, name, settings.phone_region)
    with refused():
        on = today(settings.timezone)
    target.write_text(new_profile(name, category, email, phone, on, categories), encoding="utf-8")
    print(f"created {target.relative_to(root)} (status: pending); fill it in, then run: invoke check")


def _refuse_a_name_taken(root: Path, name: str, region: str) -> None:
    from vouch.duplicates import name_key
    from vouch_site.importer import existing_profiles

    wanted = name_key(name)
    for owner, keys in existing_profiles(root / "partners", region)[1]:
        if keys.name == wanted:
            raise CommandFailed(
                f"vouch: {owner} already holds the name {name!r} (case, punctuation, & and Ltd set aside): "
                "edit that file, or give another business of that name its own file with --slug",
                2,
            )


def import_file(
    root: Path, file: str, maps: list[str] | None = None, category: str = "", area: str = "", dry_run: bool = False
) -> None:
    """Spreadsheet rows (CSV or .xlsx) become pending profiles: cleaned, deduplicated, never overwriting."""
    from vouch_site.importer import parse_maps, run_import

    with refused():
        _, lines = run_import(root, Path(file), parse_maps(list(maps or ())), category, area, dry_run)
    with terminal_safe():  # every cell of the file is printed somewhere
        for line in lines:
            print(line)


def init(
    root: Path,
    name: str,
    url: str,
    region: str = "GB",
    timezone: str = "Europe/London",
    sender: str = "",
    introductions: str = "",
    force: bool = False,
) -> None:
    """Turn the demo into an empty network of one's own; refuses on anything but the demo without ``force``."""
    from vouch_site.new_network import OptionsRefused, SettingsRefused, init_network, new_settings

    with refused("init: "):
        try:
            settings = new_settings(name, url, region, timezone, sender, introductions)
        except OptionsRefused as wrong:
            if len(wrong.problems) == 1:
                raise
            with terminal_safe():
                for problem in wrong.problems:
                    print(f"vouch: init: {problem}", file=sys.stderr)
            raise CommandFailed(f"vouch: init: {len(wrong.problems)} options to fix; nothing was changed", 2) from None
        try:
            lines = init_network(root, settings, force)
        except SettingsRefused as problem:  # a problem line of pelicanconf.py, like invoke check's
            raise CommandFailed(str(problem), 1) from None
    with terminal_safe():
        for line in lines:
            print(line)
        print("next: invoke import FILE (or invoke new-partner NAME), vet, then invoke build")


def schema(root: Path) -> None:
    """Regenerate schema/partner.schema.json from the profile model."""
    from vouch.schema import SCHEMA_PATH, site_schema

    target = root / SCHEMA_PATH
    target.parent.mkdir(exist_ok=True)
    target.write_text(site_schema(root), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")


def validated(root: Path, consequence: str) -> tuple[dict[str, Any], PublicSite, EditorReport]:
    """Settings, the public site and the editor's report; fails listing every problem if any."""
    from vouch_site.build import validate

    settings = load_settings(root)
    try:
        site, report = validate(root, settings)
    except ValidationFailed as failed:
        fail_with(failed.problems, consequence, root)
    return settings, site, report


def newsletter(root: Path) -> None:
    """Draft the next issue in content/newsletter/, its computed digest shown as a comment."""
    from vouch.newsletter.issue import digest_articles, digest_on, draft_text, new_issue_path, published_issue_dates

    settings, site, report = validated(root, "")
    typed, on = VouchSettings.of(settings), report.today
    pending = [i for i in report.content.drafts if i.kind == "newsletter" and (i.date is None or i.date >= on)]
    if pending:
        draft = pending[0]
        raise CommandFailed(
            f"vouch: {draft.path.relative_to(root)} is already the next issue (a draft dated {draft.date}): "
            "edit it, or publish or delete it before drafting another"
        )
    published = published_issue_dates(report.content)
    date = max(on, max(published, default=on) + dt.timedelta(days=typed.newsletter_cadence_days))
    found = digest_on(date, published, digest_articles(report.content.shown), site.partners, typed)
    every = [i.date for i in (*report.content.shown, *report.content.scheduled, *report.content.drafts)
             if i.kind == "newsletter" and i.date]  # fmt: skip
    with refused():
        target = new_issue_path(root / "content" / "newsletter", date, typed.newsletter_cadence_days, every)
    target.write_text(draft_text(date, found, typed.siteurl), encoding="utf-8")
    print(f"created {target.relative_to(root)} (draft, dated {date}); preview after `invoke build` in mail/")


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Build and serve a preview on localhost; rebuild and reload the browser on every change."""
    from vouch_site.serve import serve as run_serve

    try:
        run_serve(root, host, port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        hint = f"another invoke serve?); try --port {port + 1}"
        raise CommandFailed(f"vouch: {host}:{port} is already in use ({hint}", 2) from None


def screenshots(root: Path, folder: str = "screenshots", query: str = "", no_build: bool = False) -> None:
    """Build, then photograph each page type on a phone and a desktop, light and dark, into ``folder``."""
    from vouch_site import screenshots as shots

    try:
        import playwright.sync_api  # noqa: F401  (the test extra)
    except ImportError:
        raise CommandFailed("vouch: screenshots need Playwright: pip install -e '.[test]'") from None
    if not Path(shots.CHROMIUM).exists():
        raise CommandFailed(f"vouch: screenshots need chromium at {shots.CHROMIUM}: run scripts/install-test-tools.sh")
    if not no_build:
        build(root)
    output = root / "output"
    target = Path(folder) if Path(folder).is_absolute() else root / folder
    made = shots.take(output, target, shots.page_types(output, query or _search_word(root)))
    print(f"vouch: {len(made)} screenshots in {target}")
    for path in made:
        print(f"  {path.name}")


def _search_word(root: Path) -> str:
    """A word the demo's search finds: the first word of the first published partner's trade."""
    import json

    data = json.loads((root / "output" / "partners.json").read_text(encoding="utf-8"))
    return data["partners"][0]["category"] if data["partners"] else "advice"
