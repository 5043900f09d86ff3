"""``invoke build``: validate everything, build into staging, swap in on success."""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import shutil
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from functools import partial, wraps
from operator import attrgetter
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import unquote

from vouch.collisions import output_collisions, save_as_of
from vouch.content import Item, item_templates, load_items, select
from vouch.content_files import Scan, content_files, scan, static_svg_problems
from vouch.content_folders import Folders
from vouch.newsletter.welcome import load_steps, withheld
from vouch.paths import shown_from
from vouch.problems import Problem, ValidationFailed, sort_problems
from vouch.profiles import known_slugs
from vouch.publication import epoch_problem, today
from vouch.render.pages import Sources
from vouch.settings import NEWSLETTER_FOLDER, WELCOME_FOLDER, VouchSettings, settings_problems
from vouch.site import EditorReport, PublicSite, prepare
from vouch.writer import parallel, render_cache
from vouch.writer.lock import Refused, build_lock
from vouch.writer.outputs import Build, KeepOut, SiteFolders, discard
from vouch.writer.run import BuildRun, Preview
from vouch.writer.staged import StagedWriter
from vouch_site.config import load_settings
from vouch_site.dead_links import dead_links
from vouch_site.issue_cache import CACHE_FILE as ISSUES
from vouch_site.item_cache import CACHE_FILE as ITEMS_CACHE
from vouch_site.item_cache import item_key, read_items
from vouch_site.mailout import prepare_newsletter, write_previews
from vouch_site.pelican_items import PelicanItems
from vouch_site.search import SEARCH_FOLDER, index_site, keep_search_index, site_files
from vouch_site.summary import BuildResult, Timings, shown_path

log = logging.getLogger("vouch")
BUILD_LOCK_WAIT = 600  # seconds a build waits for another build of the project (environment: BUILD_LOCK_WAIT)
P = ParamSpec("P")
T = TypeVar("T")
TEMPLATE_CACHE: Path | None = None  # compiled templates; None: the project's .cache/vouch/jinja (tests share one)


def validate(root: Path, settings: dict[str, Any], keep_going: bool = False) -> tuple[PublicSite, EditorReport]:
    """Everything a build checks before it writes a byte; raises with all problems.

    ``keep_going`` (the daily cron build, so that lapses never wait for a clean build): a problem
    in a profile or in a file under content/ only leaves that file out. An invalid profile is
    never published (``prepare``), so what names it is withheld; an invalid item is never
    selected; and no file left out is read by Pelican or copied. A problem anywhere else (the
    registries, the settings) still raises: nothing can be checked without them.
    """
    site, report = read_site(root, settings)
    if not report.problems:
        return site, report
    left_out = _files_to_leave_out(report.problems, root / "partners", Path(settings["PATH"]))
    if not keep_going or left_out is None:
        raise ValidationFailed(report.problems)
    return site, replace(report, left_out=left_out)


def _validate_apart(
    root: Path, settings: dict[str, Any], keep_going: bool, last: Sources | None = None
) -> tuple[PublicSite, EditorReport]:
    """``validate`` in a child process on a big network (``parallel.isolated``): only the public site and
    the report come back, not the garbage of checking every profile, which every page writer would copy.
    ``last``: what this process built its last site from (``invoke serve``'s), whose unchanged partners and items
    need not come back."""
    partners = root / "partners"
    with _collector_paused():
        if partners.is_dir() and len(os.listdir(partners)) >= parallel.PARALLEL_FROM:
            site, report = parallel.isolated(partial(_validate_in_child, root, settings, keep_going, last))
            return _from_numbers(site, report, last)
        return validate(root, settings, keep_going)


def _validate_in_child(
    root: Path, settings: dict[str, Any], keep_going: bool, last: Sources | None
) -> tuple[PublicSite, EditorReport]:
    """The child was forked from the process holding ``last``: each partner and shown item equal to the one of its
    slug or file there is sent back as its number there. An edit in invoke serve sends one partner, not 18 MB of
    them, nor the 4 MB of a thousand articles (0.3 s to pickle, 0.15 s to read back at 10,000 partners). Equal
    frozen dataclasses, field by field: what is put back is the same in every value."""
    site, report = validate(root, settings, keep_going)
    if last is None:
        return site, report
    partners = _as_numbers(site.partners, last.site.partners, attrgetter("slug"))
    shown = _as_numbers(report.content.shown, last.items, attrgetter("path"))
    return replace(site, partners=partners), replace(report, content=replace(report.content, shown=list(shown)))


def _from_numbers(site: PublicSite, report: EditorReport, last: Sources | None) -> tuple[PublicSite, EditorReport]:
    if last is None:
        return site, report
    partners = tuple(last.site.partners[p] if isinstance(p, int) else p for p in site.partners)
    shown = [last.items[i] if isinstance(i, int) else i for i in report.content.shown]
    return replace(site, partners=partners), replace(report, content=replace(report.content, shown=shown))


def _as_numbers(new: Sequence[T], old: Sequence[T], key: Callable[[T], Any]) -> tuple[Any, ...]:
    """Each of ``new`` that equals the one of ``old`` with its key, as its number in ``old``."""
    number = {key(x): index for index, x in enumerate(old)}
    return tuple(found if (found := number.get(key(x))) is not None and old[found] == x else x for x in new)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while validation makes its millions of objects (almost none in a cycle): it
    walked them again and again, 1-2 s of a 10,000-partner validation. What a cycle holds is freed when the
    validation child ends, or when the collector runs again after an in-process validation."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _files_to_leave_out(problems: list[Problem], partners: Path, content: Path) -> frozenset[str] | None:
    """The files under content/ that ``problems`` name, as Pelican names them (``articles/x.md``).

    None if a problem lies outside the profiles and content/ (a registry, the settings): such a
    file cannot be left out, since everything is checked against the registries and read with
    the settings.
    """
    files = set()
    for problem in problems:
        path = Path(os.path.abspath(problem.path))
        if path.is_relative_to(content):
            files.add(path.relative_to(content).as_posix())
        elif path.parent != partners or path.name.startswith("_"):
            return None
    return frozenset(files)


def read_site(root: Path, settings: dict[str, Any]) -> tuple[PublicSite, EditorReport]:
    """Settings, then profiles, registries, and the metadata and partner references of every Markdown item.

    Raises at once if a setting is wrong (everything else is read with them); else the problems are in the report.
    """
    content = Path(settings["PATH"])
    refuse_wrong_settings(settings)
    on = today(settings["TIMEZONE"])  # SOURCE_DATE_EPOCH, checked above, is the build's only clock
    known = known_slugs(root / "partners")
    # A big network's articles are read in a second child while this one validates the profiles (on a rebuild
    # from the profile cache, one core each: 1-2 s at 10,000 partners); they need only the profiles' names.
    reading = parallel.Started(partial(_read_items, settings, known)) if len(known) >= parallel.PARALLEL_FROM else None
    try:
        site, report = prepare(
            root / "partners", content, VouchSettings.of(settings), on, root / ".cache" / "vouch", parallel.map_split
        )
    except BaseException:
        if reading is not None:
            reading.cancel()
        raise
    read = None
    if reading is not None and report.known_slugs == known:
        read = reading.result()
    elif reading is not None:  # the listing changed between the two readings: read them again, with these
        reading.cancel()
    return site, _check_content(root, settings, site, report, read)


ReadItems = tuple[Scan, list[Item], list[Problem]]


def _read_items(settings: dict[str, Any], known: frozenset[str]) -> ReadItems:
    """What content/ holds, its items (articles, pages, issues) and their problems; ``known``: the slugs a
    partner reference may name."""
    content, theme = Path(settings["PATH"]), Path(settings["THEME"])
    found = scan(content)
    reader = PelicanItems(settings)
    templates = item_templates([*map(Path, settings["THEME_TEMPLATES_OVERRIDES"]), theme / "templates"])
    folders = Folders.of(VouchSettings.of(settings), reader.extensions)
    read = partial(
        load_items,
        content,
        settings["TIMEZONE"],
        known,
        found.files,
        templates=templates,
        slugify=_pelican_slugify(settings),
        slug_from_title=settings["SLUGIFY_SOURCE"] == "title",
        folders=folders,
        dirs=found.folders,
        reader=reader,
    )
    key = item_key(settings, content, found.files, found.folders, folders, known, templates)
    items, problems = read_items(Path(settings["VOUCH_ROOT"]) / ".cache" / "vouch" / ITEMS_CACHE, key, read)
    return found, items, problems


def refuse_wrong_settings(settings: dict[str, Any]) -> None:
    """Raises with every wrong setting: everything else is read with them (and written where they say)."""
    setting_problems = settings_problems(settings, Path(settings["VOUCH_SETTINGS_FILE"]))
    if epoch := epoch_problem(os.environ):  # the build's clock
        setting_problems.append(Problem(Path("environment"), None, "SOURCE_DATE_EPOCH", epoch))
    setting_problems += _metadata_setting_problems(settings, Path(settings["VOUCH_SETTINGS_FILE"]))
    if setting_problems:  # the rest is read with these settings: fix them first
        raise ValidationFailed(setting_problems)


# Metadata Vouch decides from each file's header (drafts, dates, URLs): a setting that supplied it would
# have Pelican write what Vouch did not check (its generate_drafts fails on a draft Vouch did not read).
DECIDED_METADATA = ("date", "save_as", "slug", "status", "url")


def _metadata_setting_problems(settings: dict[str, Any], source: Path) -> list[Problem]:
    """DEFAULT_METADATA and EXTRA_PATH_METADATA may add any metadata but what Vouch decides itself."""
    why = "Vouch reads status, date and slug from each file's own header and checks them there: write them in the file"
    text = source.read_text(encoding="utf-8") if source.is_file() else ""

    def problem(key: str, given: dict[str, Any], where: str = "") -> Problem | None:
        decided = sorted(k for k in given if str(k).lower() in DECIDED_METADATA)
        if not decided:
            return None
        names = " or ".join(repr(k) for k in decided)
        lines = [n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(key)]
        return Problem(source, lines[-1] if lines else None, key, f"expected no {names}{where} ({why}); got {given!r}")

    found = [problem("DEFAULT_METADATA", dict(settings.get("DEFAULT_METADATA") or {}))]
    for path, given in sorted((settings.get("EXTRA_PATH_METADATA") or {}).items()):
        found.append(problem("EXTRA_PATH_METADATA", dict(given), f" for {path}"))
    return [p for p in found if p is not None]


def _check_content(
    root: Path, settings: dict[str, Any], site: PublicSite, report: EditorReport, read: ReadItems | None = None
) -> EditorReport:
    """Items and files under content/: which are shown or go out, and their problems, added to the report.
    ``read``: the items, if already read with the report's known slugs."""
    content, theme = Path(settings["PATH"]), Path(settings["THEME"])
    found, items, problems = read if read is not None else _read_items(settings, report.known_slugs)
    folders = Folders.of(VouchSettings.of(settings), PelicanItems(settings).extensions)
    save_as = save_as_of(settings["ARTICLE_SAVE_AS"], settings["PAGE_SAVE_AS"], settings["DEFAULT_LANG"])
    collisions = output_collisions(items, save_as, root)
    clashing = {problem.path for problem in collisions}
    problems += collisions
    items = [item for item in items if item.path not in clashing]  # with --keep-going, neither is written
    selection = select(items, site.today, {p.slug for p in site.partners})
    for path, slugs in selection.withheld.items():
        log.info("vouch: withheld %s: it names unpublished %s", shown_path(path, root), ", ".join(slugs))
    for path, targets in selection.linking.items():
        names = ", ".join(shown_path(target, root) for target in targets)
        log.info("vouch: withheld %s: it links %s, not published", shown_path(path, root), names)
    logos = {os.path.realpath(content / p.logo.src) for p in site.partners if p.logo}
    files, file_problems = content_files(content, found, items, selection.shown, logos, report.logos, folders)
    problems += file_problems
    # Pelican copies THEME_STATIC_PATHS (inside the theme: settings_problems) and reads templates: no link may lead out.
    for folder in dict.fromkeys([theme, *map(Path, settings["THEME_TEMPLATES_OVERRIDES"])]):
        problems += scan(folder).problems
    problems += static_svg_problems([theme / path for path in settings["THEME_STATIC_PATHS"]], theme.parent)
    steps, step_problems = load_steps(content / NEWSLETTER_FOLDER / WELCOME_FOLDER, report.known_slugs)
    problems += step_problems
    held = withheld(steps, {p.slug for p in site.partners})  # the series waits there: invoke check lists it
    held_steps = {step.path: held[step.key] for step in steps if step.key in held}
    drafts = tuple(step.path for step in steps if step.status == "draft" and step.key not in held)
    return replace(
        report,
        problems=sort_problems(report.problems + problems),
        content=selection,
        files=files,
        withheld_steps=held_steps,
        draft_steps=drafts,
    )


def _pelican_slugify(settings: dict[str, Any]) -> Callable[[str], str]:
    """Pelican's slugify with the site's settings, for the slugs of items without ``Slug:``."""
    from pelican.utils import slugify

    return partial(
        slugify,
        regex_subs=settings["SLUG_REGEX_SUBSTITUTIONS"],
        preserve_case=settings["SLUGIFY_PRESERVE_CASE"],
        use_unicode=settings["SLUGIFY_USE_UNICODE"],
    )


def project_lock(root: Path) -> AbstractContextManager[None]:
    """One build at a time per project (``invoke build``, cron, ``invoke serve`` while it writes ``.serve/``):
    they share the caches, and an editor's build must not be overtaken by one that read older files."""
    text = os.environ.get("BUILD_LOCK_WAIT", str(BUILD_LOCK_WAIT))
    try:
        wait = float(text)
    except ValueError:
        wait = -1.0
    if not wait >= 0:
        raise Refused(f"BUILD_LOCK_WAIT: expected a number of seconds such as {BUILD_LOCK_WAIT}; got {text!r}")
    return build_lock(root / ".cache" / "vouch" / "build.lock", wait)


def _one_at_a_time(run: Callable[Concatenate[Path, P], BuildResult]) -> Callable[Concatenate[Path, P], BuildResult]:
    """The lock is held from reading the inputs to the swap."""

    @wraps(run)
    def locked(root: Path, *args: P.args, **kwargs: P.kwargs) -> BuildResult:
        with project_lock(root.resolve()):
            return run(root, *args, **kwargs)

    return locked


@_one_at_a_time
def build(
    root: Path,
    output: Path | None = None,
    overrides: dict[str, Any] | None = None,
    settings_file: str = "pelicanconf.py",
    search: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
    preview: Preview | None = None,
    keep_going: bool = False,
) -> BuildResult:
    """Build the site in ``root`` into ``output`` (default ``root/output``), atomically.

    ``search=False`` (for ``invoke serve``) keeps the previous search index, so the edited page
    is served at once; ``reindex`` then refreshes the search. ``progress(stage, done, total)``
    is told how the build advances; ``preview`` receives the page plan (``invoke serve``'s previews);
    ``keep_going`` leaves invalid profiles and content files out (see ``validate``).
    """
    root = root.resolve()
    timings = Timings(progress)
    with timings.stage("validate"):
        settings = load_settings(root, settings_file, overrides)
        refuse_wrong_settings(settings)  # they say where the sources are
        folders = SiteFolders.claim(output or root / "output", keep_out(root, settings))  # before any write
        folders.repair()  # a folder a killed swap moved aside is put back even if this build fails
        last = preview.plan.sources if preview is not None and preview.plan is not None else None
        site, report = _validate_apart(root, settings, keep_going, last)
        typed = VouchSettings.of(settings)
    staging = folders.begin()
    # The validated site lives all build: later collections skip it (and forked writers share it). Thawed at the
    # end unless the caller froze objects itself: unfreezing would thaw its objects too (invoke serve thaws and
    # collects everything itself once the edit is served, when nobody waits for it).
    thawing = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        with timings.stage("newsletter"):
            newsletter = prepare_newsletter(
                site, report, typed, Path(settings["THEME"]), Path(settings["PATH"]), root / ".cache" / "vouch" / ISSUES
            )
            write_previews(newsletter, typed, StagedWriter(staging.mail, folders.mail))
            shown = {i.slug for i in report.content.shown if i.kind == "newsletter"}
            run = BuildRun(
                site=site,
                settings=typed,
                items=tuple(report.content.shown),
                archive=tuple(newsletter.archive(shown)),
                published_files=report.files.published,
                left_out=report.left_out,
                live_output=folders.output,
                render_cache=folders.live_keys(),  # any keys are safe: reuse checks each file's identity
                render_cache_next=staging.render_keys,
                qr_cache=root / ".cache" / "vouch" / "qr.pickle",
                file_store=root / ".cache" / "vouch" / "files",
                progress=partial(progress, "pages") if progress else None,
                preview=preview,
            )
        with timings.stage("pages"):
            _run_pelican(settings, run, staging)
        if "print pages" in run.measured:  # cards, certificates and QR codes: what they add, on a line of its own
            timings.split("print pages", run.measured["print pages"])
        listing = site_files(staging.output)  # one walk: the file count and the search's pages
        # checked on the other core while the search is made (0.3 s at 10,000 partners; in a thread it held up the
        # search's own Python, and so Pagefind's start): it only reads pages
        checking = parallel.Started(partial(dead_links, staging.output, report.content.shown, settings["SITEURL"]))
        try:
            if search:
                with timings.stage("search index"):
                    index_site(staging.output, root / ".cache" / "vouch" / "search", listing)
            else:
                keep_search_index(folders.output, staging.output)
        except BaseException:
            checking.cancel()
            raise
        dead = checking.result()
        files = len(listing) + _count_files(staging.output / SEARCH_FOLDER)
        if any(f"/{SEARCH_FOLDER}/" in unquote(url) for links in dead.values() for _, url in links):  # too soon
            dead = dead_links(staging.output, report.content.shown, settings["SITEURL"])
        with timings.stage("swap"):
            folders.swap_in(staging)
    except BaseException:
        discard(staging)
        raise
    finally:
        if thawing:
            gc.unfreeze()  # collectable again once the build is over
    return BuildResult(
        folders.output, site, report, timings, files, newsletter, settings["VOUCH_SITEURL_SET"], root,
        settings["VOUCH_PELICAN_OVERRIDES"], typed.site_root, dead, Path(settings["PATH"]),
    )  # fmt: skip


def _count_files(folder: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(folder))


def _compiled_templates(settings: dict[str, Any]) -> Any:
    """The theme's templates compiled once, not on every build (a third of a small site's build).

    Jinja checks each template's source before using its compiled code; the options that
    change the compiled code (autoescape, whitespace, extensions) name the folder.
    """
    import jinja2

    options = render_cache.canonical(settings["JINJA_ENVIRONMENT"])
    name = hashlib.sha256(repr((options, jinja2.__version__)).encode()).hexdigest()[:12]
    folder = (TEMPLATE_CACHE or Path(settings["VOUCH_ROOT"]) / ".cache" / "vouch" / "jinja") / name
    folder.mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(folder))


def keep_out(root: Path, settings: dict[str, Any]) -> KeepOut:
    """What no build may write into or replace: the sources, private files, caches and the default site.

    Each folder by the path written and by its real path (content/ may be a link).
    """
    named = {
        Path(settings["PATH"]): "{}/ (PATH)",
        root / "partners": "{}/",
        Path(settings["THEME"]): "{}/ (THEME)",
        root / "private": "{}/",
        root / ".cache": "{}/",
        Path(settings["CACHE_PATH"]).parent: "{}/ (CACHE_PATH)",
        root / ".git": "{}/",
    }
    folders: dict[Path, str] = {}
    for path, label in named.items():
        for spelling in (Path(os.path.abspath(path)), Path(os.path.realpath(path))):
            shown = shown_from(spelling, root)
            folders.setdefault(spelling, label.format(shown))
    return KeepOut(root, folders, sites=(root / "output",))


def _run_pelican(settings: dict[str, Any], run: BuildRun, staging: Build) -> None:
    from pelican import Pelican
    from pelican.log import FatalLogger, console

    # Pelican rewrites its cache in place, and a kill mid-write leaves a file that stops every later build:
    # it works on a copy in the build's folder, which replaces the cache only once Pelican is done.
    cache, scratch = Path(settings["CACHE_PATH"]) / _reader_code(), staging.folder / "pelican-cache"
    if cache.is_dir():
        shutil.copytree(cache, scratch)
    jinja = {**settings["JINJA_ENVIRONMENT"], "bytecode_cache": _compiled_templates(settings)}
    settings = {**settings, "OUTPUT_PATH": str(staging.output), "CACHE_PATH": str(scratch), "VOUCH_RUN": run,
                "JINJA_ENVIRONMENT": jinja}  # fmt: skip
    # Pelican logs a broken article or template and carries on; a Vouch build stops.
    previous, FatalLogger.fatal_lvl = FatalLogger.fatal_lvl, logging.ERROR
    quiet, console.quiet = console.quiet, True
    try:
        with warnings.catch_warnings():  # a file name's undecodable byte: the file is named in a problem line
            warnings.filterwarnings("ignore", "Surrogate character", RuntimeWarning)
            Pelican(settings).run()
    finally:
        FatalLogger.fatal_lvl = previous
        console.quiet = quiet
        _forget_memoized_content()
    cache.mkdir(parents=True, exist_ok=True)
    for saved in scratch.glob("*"):
        try:
            saved.replace(cache / saved.name)  # each file whole, old or new
        except OSError:  # the build's folder on another file system (--output /srv/www): copy beside, then rename
            beside = cache / f".{saved.name}.{os.getpid()}"
            shutil.copyfile(saved, beside)
            beside.replace(cache / saved.name)
    shutil.rmtree(scratch, ignore_errors=True)


def _forget_memoized_content() -> None:
    """Pelican memoizes each article's content in a cache on its class, which holds every article (and through it
    the site it was built with) as long as the process lives: ``invoke serve`` kept every rebuild's, 54 MB and
    100,000 objects a rebuild at 10,000 partners, each walked again by every later collection."""
    from pelican.contents import Content
    from pelican.utils import memoized

    for attribute in vars(Content).values():
        if isinstance(attribute, memoized):
            attribute.cache.clear()


def _reader_code() -> str:
    """Pelican's reader cache holds Markdown as ``vouch.render.markup`` has it read (comments left out): one
    cache per version of that code (and of the comment rule), or a cache written before a fix would keep
    publishing what it fixed."""
    from vouch import content
    from vouch.render import markup
    from vouch.writer.render_cache import fingerprint

    return "reader-" + fingerprint(files=[Path(markup.__file__), Path(content.__file__)])[:12]


def validate_only(root: Path, settings_file: str = "pelicanconf.py") -> EditorReport:
    """The editor's report without building, problems and all (``invoke check``); raises only for bad settings."""
    root = root.resolve()
    _, report = read_site(root, load_settings(root, settings_file))
    return report
