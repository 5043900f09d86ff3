"""The Vouch generator: a thin adapter between Pelican and ``vouch.render.pages``.

``generate_context`` asks the page plan what to write (Pelican's articles and
pages are already read and filtered by then); ``generate_output`` renders each
planned file, unless the render cache still holds it, into the staged build.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from vouch.render import pages
from vouch.render.files import OutputFile
from vouch.writer import parallel, render_cache
from vouch.writer.file_store import FileStore
from vouch.writer.run import BuildRun
from vouch.writer.staged import StagedWriter
from vouch_site.config import code_files
from vouch_site.guard import REFUSAL

log = logging.getLogger(__name__)
# Settings that differ on every run without changing a page: the staging folder, the run's own state.
PER_RUN = frozenset({"OUTPUT_PATH", "VOUCH_RUN", "CACHE_PATH"})  # CACHE_PATH: the run's own copy


class NotAVouchRun(Exception):
    """The plugin was loaded by plain ``pelican``: without Vouch's validated site there is nothing safe to write."""


def run_of(settings: dict[str, Any]) -> BuildRun:
    """This build's state; an empty one when plain ``pelican`` runs the plugin."""
    return settings.get("VOUCH_RUN") or BuildRun()


class VouchPagesGenerator(Generator):
    def generate_context(self) -> None:
        self.run = run_of(self.settings)
        if self.run.site is None or self.run.settings is None:
            raise NotAVouchRun(REFUSAL)
        sources = pages.Sources(
            site=self.run.site,
            settings=self.run.settings,
            theme=Path(self.theme),
            content=Path(self.settings["PATH"]),
            static_paths=tuple(self.settings["STATIC_PATHS"]),
            articles=tuple(self.context.get("articles", [])),
            pages=tuple(self.context.get("pages", [])),
            archive=self.run.archive,
            items=self.run.items or (),
            pagination=self.settings["DEFAULT_PAGINATION"],
            qr_cache=self.run.qr_cache,
            map_all=parallel.map_split,
        )
        self.plan = pages.plan(sources, self.get_template)
        self.context.update(self.plan.context)
        if self.run.preview is not None:  # invoke serve renders an edited profile from this build at once
            self.run.preview.plan, self.run.preview.context = self.plan, self.context

    def generate_output(self, _writer: object) -> None:
        out = StagedWriter(Path(self.output_path), self.run.live_output)
        previous = render_cache.load(self.run.render_cache)
        base = dict(self.context)
        store = FileStore(self.run.file_store)
        shared = self._shared_fingerprint()

        pages, total = [*self.plan.html, *self.plan.data], len(self.plan.files)

        def write(files: list[OutputFile], before: int) -> tuple[render_cache.Record, int, int]:
            report = self.run.progress  # one bar over both calls
            progress = (lambda done, _: report(before + done, total)) if report else None
            return render_cache.write_all(
                files, lambda file: self._render(file, base), out, shared, previous, progress, store
            )

        record, rendered, reused = write(pages, 0)
        out.put("sitemap.xml", self.plan.sitemap())
        printed: render_cache.Record = {}
        printed_rendered = printed_reused = 0
        if self.plan.printed:  # written apart, so the build can say what cards, certificates and codes cost
            start = time.perf_counter()
            printed, printed_rendered, printed_reused = write(self.plan.printed, len(pages))
            stored = {file.relpath for file in self.plan.printed if file.stored}
            store.save({key: written for relpath, (key, written) in printed.items() if relpath in stored})
            self.run.measured["print pages"] = self.plan.print_seconds + time.perf_counter() - start
        else:
            store.save({})  # print pages turned off: the store lets its files go
        render_cache.save(self.run.render_cache_next, record | printed)
        log.info(
            "vouch: %d files rendered, %d current files reused",
            rendered + printed_rendered,
            reused + printed_reused,
        )

    def _render(self, file: OutputFile, base: dict[str, Any]) -> bytes:
        return self.plan.render(file, base)

    def _shared_fingerprint(self) -> str:
        """What every page depends on: theme, code, every setting, registries, menu, site-wide words.

        Settings are taken whole (lists, dicts and functions too), so a warm build equals a cold
        one after any change; only this run's own paths and state are left out.
        """
        folders = [Path(self.theme), *map(Path, self.settings["THEME_TEMPLATES_OVERRIDES"])]
        files = {p for folder in folders for p in render_cache.files_under(folder)}  # through linked folders too
        files |= set(code_files(Path(__file__).resolve().parent, *self.settings["PLUGIN_PATHS"]))
        menu = [(p.title, p.url) for p in self.context.get("pages", [])]
        settings = {k: v for k, v in self.context.items() if k.isupper() and k not in PER_RUN}
        words = [self.context[name] for name in ("subscribe_href", "vouch_search_example")]
        site = self.run.site
        return render_cache.fingerprint(
            render_cache.canonical(settings), render_cache.installed(), menu, words, site.categories, site.checks,
            files=files,
        )  # fmt: skip
