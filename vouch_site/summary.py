"""What ``invoke build`` tells the editor at the end: what was built, each stage's time, and what to look at."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from vouch.controls import printable
from vouch.render.humanize import counted
from vouch.render.qr import useless_for_print
from vouch.report import not_read_name
from vouch.settings import DEFAULTS
from vouch.site import EditorReport, PublicSite
from vouch_site.dead_links import dead_link_warning
from vouch_site.mailout import Newsletter


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

    def split(self, part: str, seconds: float) -> None:
        """Report ``part`` (timed inside the last stage) as a stage of its own, taken out of the last one."""
        name, total = self.stages.pop()
        self.stages += [(name, max(0.0, total - seconds)), (part, seconds)]


@dataclass(slots=True)
class BuildResult:
    output: Path
    site: PublicSite
    report: EditorReport
    timings: Timings
    files: int
    newsletter: Newsletter
    siteurl_set: bool = True
    root: Path = Path()  # the project folder: paths in the summary are written from it
    overridden: tuple[str, ...] = ()  # Pelican settings the site sets that Vouch decides otherwise
    site_url: str = ""  # SITEURL as built: printed QR codes lead there
    dead_links: dict[Path, list[tuple[int, str]]] = field(
        default_factory=dict
    )  # source -> (line, link) leading nowhere
    content: Path = Path("content")

    def summary(self) -> str:
        kinds = Counter(item.kind for item in self.report.content.shown)
        lines = [
            f"built {self.output}: {self.files} files, "
            f"{len(self.site.partners)} of {len(self.report.roster)} partners published, "
            f"{counted(kinds['articles'], 'article')}, {counted(kinds['pages'], 'page')}, "
            f"{counted(kinds['newsletter'], 'newsletter issue')}",
            f"e-mail previews: {len(self.newsletter.rendered) + len(self.newsletter.welcome)} in "
            f"{self.output.with_name('mail')}"
            + (f" ({counted(len(self.newsletter.welcome), 'welcome step')})" if self.newsletter.welcome else ""),
        ]
        lines += [f"{name}: {seconds:.1f} s" for name, seconds in self.timings.stages]
        return "\n".join(lines + self.notices())

    def notices(self) -> list[str]:
        """The summary's lines an editor acts on: warnings, notes, what was withheld, skipped or left out
        (``invoke serve`` prints these alone)."""
        lines = []
        if not self.siteurl_set:
            lines.append(
                f"warning: SITEURL is not set in pelicanconf.py: canonical links, feeds, the sitemap and e-mails "
                f"point at {DEFAULTS['SITEURL']}; set the site's public address before deploying"
            )
        if self.overridden:
            lines.append(pelican_note(self.overridden))
        if useless_for_print(self.site_url):
            lines.append(
                f"warning: SITEURL is {self.site_url}: the QR codes on the print pages (/print/cards/, certificates) "
                f"would lead nowhere once printed; set the site's public address before printing them"
            )
        if self.report.problems:  # only with --keep-going
            left_out = counted(len({p.path for p in self.report.problems}), "file")
            lines.append(f"left out: {left_out} with problems, listed below; what names them is withheld")
        if self.report.editor_files:
            skipped = counted(len(self.report.editor_files), "editor temporary file")
            lines.append(f"skipped {skipped} in partners/ (invoke check lists them)")
        if self.report.not_read:
            names = ", ".join(not_read_name(path, self.root) for path in self.report.not_read)
            lines.append(f"warning: not read, as no profile or registry: {names} (invoke check lists them)")
        withheld = len(self.report.content.withheld) + len(self.report.withheld_partners)
        if withheld:
            lines.append(f"withheld: {withheld} item(s) name an unpublished partner (invoke check lists them)")
        if linking := len(self.report.content.linking):
            links = "links" if linking == 1 else "link"
            lines.append(
                f"withheld: {counted(linking, 'item')} {links} an item that is not published (invoke check lists them)"
            )
        if self.report.files.unlinked:
            lines.append(_unlinked_warning(self.report.files.unlinked, self.root))
        for source, links in self.dead_links.items():
            lines.append(dead_link_warning(source, links, shown_path(source, self.root), self.content))
        if temporary := self.report.files.temporary:
            kind = "editor temporary file"
            lines.append(f"skipped: {counted(len(temporary), kind)} under content/ (backups, swap and lock files)")
        for view in self.newsletter.views:
            for finding in self.newsletter.findings[view.slug]:
                if not (view.status == "draft" and finding.check == "status"):
                    lines.append(f"warning: newsletter {printable(view.slug)}: {finding}")
        for key in self.newsletter.welcome:
            lines += [f"warning: newsletter {key}: {finding}" for finding in self.newsletter.findings[key]]
        for key, slugs in self.newsletter.welcome_withheld.items():
            lines.append(f"withheld: {key} names unpublished {', '.join(slugs)}: the welcome series waits there")
        return lines


def pelican_note(keys: tuple[str, ...]) -> str:
    """One line, once per build: what Vouch does in place of the Pelican settings the site sets."""
    what = (
        "Vouch writes no category, tag, author, archive or draft pages and no translations, and makes its own "
        "feeds (/feeds/), index pages and sitemap"
    )
    return (
        f"note: pelicanconf.py sets {', '.join(keys)}, which Vouch decides itself: {what} (README: Coming from Pelican)"
    )


def _unlinked_warning(paths: tuple[Path, ...], root: Path, named: int = 5) -> str:
    """One line: the first few files by name, the rest counted."""
    names = ", ".join(shown_path(path, root) for path in paths[:named])
    more = f" and {len(paths) - named} more (invoke check lists them)" if len(paths) > named else ""
    are = "is" if len(paths) == 1 else "are"
    return (
        f"warning: {counted(len(paths), 'file')} under content/ {are} linked by no published item or partner, "
        f"so not published: {names}{more}"
    )


def shown_path(path: Path, root: Path) -> str:
    """A path from the project folder, on one line whatever its name holds (as problem lines are)."""
    return printable(os.path.relpath(path, root))
