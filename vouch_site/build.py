"""``invoke build``: validate everything, build into staging, swap in on success."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from functools import partial, wraps
from pathlib import Path
from typing import Any, Concatenate, ParamSpec

from vouch.content import load_items, select
from vouch.humanize import counted
from vouch.outputs import Build, Refused, SiteFolders, StagedWriter, build_lock, discard
from vouch.problems import ValidationFailed, sort_problems
from vouch.settings import DEFAULTS, settings_problems
from vouch.site import EditorReport, PublicSite, prepare
from vouch_site.config import load_settings
from vouch_site.mailout import Newsletter, prepare_newsletter, write_previews
from vouch_site.run import BuildRun
from vouch_site.search import index_site, keep_search_index

log = logging.getLogger("vouch")
BUILD_LOCK_WAIT = 600  # seconds a build waits for another build of the project (environment: BUILD_LOCK_WAIT)
P = ParamSpec("P")


@dataclass(slots=True)
class Timings:
    progress: Callable[[str, int, int], None] | None = None
    stages: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name, 0, 0)
        start = time.perf_counter()
        yield
        self.stages.append((name, time.perf_counter() - start))


@dataclass(slots=True)
class BuildResult:
    output: Path
    site: PublicSite
    report: EditorReport
    timings: Timings
    files: int
    newsletter: Newsletter
    siteurl_set: bool = True

    def summary(self) -> str:
        kinds = Counter(item.kind for item in self.report.content.shown)
        lines = [
            f"built {self.output}: {self.files} files, "
            f"{len(self.site.partners)} of {len(self.report.roster)} partners published, "
            f"{counted(kinds['articles'], 'article')}, {counted(kinds['pages'], 'page')}, "
            f"{counted(kinds['newsletter'], 'newsletter issue')}",
            f"e-mail previews: {len(self.newsletter.rendered)} in {self.output.with_name('mail')}",
        ]
        lines += [f"{name}: {seconds:.1f} s" for name, seconds in self.timings.stages]
        if not self.siteurl_set:
            lines.append(
                f"warning: SITEURL is not set in pelicanconf.py: canonical links, feeds, the sitemap and e-mails "
                f"point at {DEFAULTS['SITEURL']}; set the site's public address before deploying"
            )
        withheld = len(self.report.content.withheld) + len(self.report.withheld_partners)
        if withheld:
            lines.append(f"withheld: {withheld} item(s) name an unpublished partner (invoke check lists them)")
        for view in self.newsletter.views:
            for finding in self.newsletter.findings[view.slug]:
                if not (view.status == "draft" and finding.check == "status"):
                    lines.append(f"warning: newsletter {view.slug}: {finding}")
        return "\n".join(lines)


def validate(root: Path, settings: dict[str, Any]) -> tuple[PublicSite, EditorReport]:
    """Everything a build checks before it writes a byte; raises with all problems."""
    site, report = check(root, settings)
    if report.problems:
        raise ValidationFailed(report.problems)
    return site, report


def check(root: Path, settings: dict[str, Any]) -> tuple[PublicSite, EditorReport]:
    """Settings, then profiles, registries, and the metadata and partner references of every Markdown item.

    Raises at once if a setting is wrong (everything else is read with them); else the problems are in the report.
    """
    content = Path(settings["PATH"])
    setting_problems = settings_problems(settings, Path(settings["VOUCH_SETTINGS_FILE"]))
    if setting_problems:  # the rest is read with these settings: fix them first
        raise ValidationFailed(setting_problems)
    site, report = prepare(root / "partners", content, settings, cache_dir=root / ".cache" / "vouch")
    items, problems = load_items(content, settings["TIMEZONE"], report.known_slugs)
    selection = select(items, site.today, {p.slug for p in site.partners})
    for path, slugs in selection.withheld.items():
        log.info("vouch: withheld %s: it names unpublished %s", os.path.relpath(path, root), ", ".join(slugs))
    report = replace(report, problems=sort_problems(report.problems + problems), content=selection)
    return site, report


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
    keep: dict[str, Any] | None = None,
) -> BuildResult:
    """Build the site in ``root`` into ``output`` (default ``root/output``), atomically.

    ``search=False`` (for ``invoke serve``) keeps the previous search index, so the edited page
    is served at once; ``reindex`` then refreshes the search. ``progress(stage, done, total)``
    is told how the build advances; ``keep`` receives the generator (``invoke serve``'s previews).
    """
    root = root.resolve()
    folders = SiteFolders.claim(output or root / "output")
    timings = Timings(progress)
    with timings.stage("validate"):
        settings = load_settings(root, settings_file, overrides)
        site, report = validate(root, settings)
    staging = folders.begin()
    try:
        with timings.stage("newsletter"):
            newsletter = prepare_newsletter(site, report, settings)
            write_previews(newsletter, settings, StagedWriter(staging.mail, folders.mail))
            shown = {i.slug for i in report.content.shown if i.kind == "newsletter"}
            run = BuildRun(
                site=site,
                items=tuple(report.content.shown),
                archive=tuple(newsletter.archive(shown)),
                withheld_files=report.withheld_files,
                live_output=folders.output,
                render_cache=folders.live_keys(),  # the keys live in the build they describe, and swap with it
                render_cache_next=staging.render_keys,
                progress=partial(progress, "pages") if progress else None,
                keep=keep,
            )
        with timings.stage("pages"):
            _run_pelican(settings, run, staging)
        if search:
            with timings.stage("search index"):
                index_site(staging.output)
        else:
            keep_search_index(folders.output, staging.output)
        files = sum(len(names) for _, _, names in os.walk(staging.output))
        with timings.stage("swap"):
            folders.swap_in(staging)
    except BaseException:
        discard(staging)
        raise
    return BuildResult(folders.output, site, report, timings, files, newsletter, settings["VOUCH_SITEURL_SET"])


def _run_pelican(settings: dict[str, Any], run: BuildRun, staging: Build) -> None:
    from pelican import Pelican
    from pelican.log import FatalLogger, console

    # Pelican rewrites its cache in place, and a kill mid-write leaves a file that stops every later build:
    # it works on a copy in the build's folder, which replaces the cache only once Pelican is done.
    cache, scratch = Path(settings["CACHE_PATH"]), staging.folder / "pelican-cache"
    if cache.is_dir():
        shutil.copytree(cache, scratch)
    settings = {**settings, "OUTPUT_PATH": str(staging.output), "CACHE_PATH": str(scratch), "VOUCH_RUN": run}
    # Pelican logs a broken article or template and carries on; a Vouch build stops.
    previous, FatalLogger.fatal_lvl = FatalLogger.fatal_lvl, logging.ERROR
    quiet, console.quiet = console.quiet, True
    try:
        Pelican(settings).run()
    finally:
        FatalLogger.fatal_lvl = previous
        console.quiet = quiet
    cache.mkdir(parents=True, exist_ok=True)
    for saved in scratch.glob("*"):
        saved.replace(cache / saved.name)  # each file whole, old or new
    shutil.rmtree(scratch, ignore_errors=True)


def check_only(root: Path, settings_file: str = "pelicanconf.py") -> EditorReport:
    """Validate without building: the problems and the roster, for ``invoke check``."""
    root = root.resolve()
    _, report = check(root, load_settings(root, settings_file))
    return report
