"""The Vouch generator: directory pages, article index, feeds and sitemap.

``generate_context`` collects (Pelican's articles and pages are already
read and filtered by then); ``generate_output`` only renders and writes.
Partner pages are rendered straight from the public models with the
theme's compiled templates, not as Pelican articles.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pelican.generators import Generator

import vouch_site
from vouch import directory, feeds, parallel, render_cache, structured
from vouch.markup import ProfileMarkdown
from vouch.newsletter.email import subscribe_url
from vouch.outputs import StagedWriter
from vouch.public import Partner
from vouch.references import link_partners, references
from vouch.referrals.introduction import ask_link
from vouch.settings import vouch_settings
from vouch.site import PublicSite, prepare
from vouch.sitemap import sitemap
from vouch.vcard import vcard
from vouch_site.run import BuildRun

log = logging.getLogger(__name__)
# Settings that differ on every run without changing a page: the staging folder, the run's own state.
PER_RUN = frozenset({"OUTPUT_PATH", "CACHE_PATH", "VOUCH_RUN"})


@dataclass(slots=True)
class Page:
    """One file to write: a template and its context, or bytes.

    ``make`` defers the costly part (Markdown, vCards) to the write step,
    which runs on every core.
    """

    relpath: str
    template: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None
    lastmod: dt.date | None = None  # for the sitemap; HTML pages only
    make: Callable[[], dict[str, Any] | bytes] | None = None
    inputs: Any = None  # what the file is made of, besides the shared fingerprint; None: always render


@dataclass(frozen=True, slots=True)
class Mention:
    """An article that features a partner, for the profile's "Featured in"."""

    title: str
    url: str
    date: dt.date


def run_of(settings: dict[str, Any]) -> BuildRun:
    """This build's state; an empty one when plain ``pelican`` runs the plugin."""
    return settings.get("VOUCH_RUN") or BuildRun()


def root_of(relpath: str) -> str:
    """Relative path from a file back to the site root ('.' at the top)."""
    return "/".join([".."] * relpath.count("/")) or "."


def url_of(relpath: str) -> str:
    """The public URL path of a file: ``partners/x/index.html`` -> ``partners/x/``."""
    return relpath.removesuffix("index.html")


class PartnersGenerator(Generator):
    def generate_context(self) -> None:
        self.vouch = vouch_settings(self.settings)
        self.run = run_of(self.settings)
        site: PublicSite | None = self.run.site
        if site is None:  # run by plain `pelican`, not `invoke build`
            root = Path(self.settings["PATH"]).parent
            site, report = prepare(root / "partners", Path(self.settings["PATH"]), self.vouch)
            for problem in report.problems:
                log.error("vouch: %s", problem)
        self.site = site
        # A partner's stand-in in render-cache keys: its profile file's hash, and the area names it
        # shows (the commonest spelling across the network, so not its file alone).
        self.digests = {p.slug: f"{site.digests[p.slug]}:{p.areas!r}" for p in site.partners if p.slug in site.digests}
        self.names = site.names
        self.abs_url = self.settings.get("SITEURL", "").rstrip("/")
        self.zone = ZoneInfo(self.vouch["TIMEZONE"])
        self.markdown = ProfileMarkdown()
        self.articles = list(self.context.get("articles", []))
        self.archive = list(self.run.archive)
        self.featured = self._featured_by_path()
        self.mentions = self._mentions()

        az = list(site.partners)
        self.categories = directory.by_category(az, site.categories)
        self.areas = directory.by_area(az)
        self.letters = directory.by_letter(az)
        self.newest = directory.newest(az, self.vouch["HOME_NEWEST_PARTNERS"])
        self.category_titles = {g.slug: g.title for g in self.categories}
        self.context.update(
            ABSOLUTE_SITEURL=self.abs_url,
            vouch_partners=site.partners,
            vouch_checks=site.checks,
            vouch_names=self.names,
            vouch_category_titles=self.category_titles,
            subscribe_href=subscribe_url(self.vouch),
            vouch_search_example=self.vouch["SEARCH_HINT"] or directory.search_example(site.partners, site.categories),
            vouch_featured={
                a.source_path: self.featured.get(os.path.realpath(a.source_path), ()) for a in self.articles
            },
            VOUCH=self.vouch,
        )
        self.pages = self._html_pages()
        self.files = self._data_files()
        if self.run.keep is not None:  # invoke serve keeps the last build's state for instant previews
            self.run.keep["generator"] = self

    # -- collecting ------------------------------------------------------------

    def _featured_by_path(self) -> dict[str, tuple[str, ...]]:
        items = self.run.items or ()
        return {os.path.realpath(item.path): item.partners for item in items}

    def _mentions(self) -> dict[str, list[Mention]]:
        out: dict[str, list[Mention]] = defaultdict(list)
        for article in self.articles:
            for slug in self.featured.get(os.path.realpath(article.source_path), ()):
                out[slug].append(Mention(article.title, article.url, article.date.date()))
        return out

    def _html_pages(self) -> list[Page]:
        site, size = self.site, self.vouch["LISTING_PAGE_SIZE"]
        newest_vetting = max((p.vetting.vetted_on for p in site.partners), default=None)
        latest = self.articles[: self.vouch["HOME_LATEST_ARTICLES"]]
        home_date = max([d for d in (newest_vetting, *(a.date.date() for a in latest[:1])) if d], default=None)
        pages = [
            Page(
                "index.html",
                "home.html",
                {"categories": [g for g in self.categories if g.count], "newest": self.newest, "latest": latest},
                lastmod=home_date,
            ),
            Page("vetting/index.html", "vetting.html", {"checks": site.checks}),
            Page("search/index.html", "search.html", {"categories": self.categories, "areas": self.areas}),
            Page("areas/index.html", "areas.html", {"areas": self.areas}, lastmod=newest_vetting),
        ]
        split = len(site.partners) > self.vouch["DIRECTORY_PAGE_SIZE"]
        pages.append(
            Page(
                "directory/index.html",
                "directory.html",
                {"letters": self.letters, "split": split, "categories": self.categories, "count": len(site.partners)},
                lastmod=newest_vetting,
            )
        )
        listings = [("category", self.categories, "directory"), ("area", self.areas, "areas")]
        if split:
            listings.append(("letter", self.letters, "directory"))
        for kind, groups, base in listings:
            for group in groups:
                pages.extend(self._listing(kind, group, f"{base}/{group.slug}/", size))
        pages.extend(self._article_index())
        pages.extend(self._newsletter_archive())
        pages.extend(self._profile_page(partner) for partner in site.partners)
        return pages

    def _profile_page(self, partner: Partner) -> Page:
        args = (
            self.category_titles.get(partner.category, partner.category),
            tuple(self.mentions.get(partner.slug, ())),
            tuple((slug, self.names.get(slug)) for slug in _linked(partner)),
        )
        return Page(
            f"partners/{partner.slug}/index.html",
            "partner.html",
            lastmod=partner.vetting.vetted_on,
            make=partial(self._partner_context, partner, *args),
            inputs=(self._digest(partner), *args),
        )

    def _listing(self, kind: str, group: directory.Group, base: str, size: int) -> list[Page]:
        chunks = directory.paginate(group.partners, size)
        return [
            Page(
                f"{base}index.html" if number == 1 else f"{base}page/{number}/index.html",
                "listing.html",
                {"group": group, "kind": kind, "partners": chunk, "pagination": _pagination(base, number, len(chunks))},
                lastmod=_newest(chunk),
                inputs=(
                    kind,
                    group.slug,
                    group.title,
                    group.description,
                    group.count,
                    number,
                    len(chunks),
                    tuple(self._digest(p) for p in chunk),
                ),
            )
            for number, chunk in enumerate(chunks, start=1)
        ]

    def _article_index(self) -> list[Page]:
        chunks = directory.paginate(self.articles, self.settings["DEFAULT_PAGINATION"])
        return [
            Page(
                "articles/index.html" if number == 1 else f"articles/page/{number}/index.html",
                "articles.html",
                {"articles_page": chunk, "pagination": _pagination("articles/", number, len(chunks))},
                lastmod=max((a.date.date() for a in chunk), default=None),
            )
            for number, chunk in enumerate(chunks, start=1)
        ]

    def _newsletter_archive(self) -> list[Page]:
        newest = self.archive[0].date if self.archive else None
        pages = [Page("newsletter/index.html", "newsletter_index.html", {"issues": self.archive}, lastmod=newest)]
        for issue in self.archive:
            body = issue.body_html("../..", self.names)
            pages.append(
                Page(f"{issue.url}index.html", "newsletter_issue.html", {"issue": issue, "body_html": body},
                     lastmod=issue.date)
            )  # fmt: skip
        return pages

    def _digest(self, partner: Partner) -> str:
        """Stands for the whole partner in render-cache keys (made once per build, above)."""
        return self.digests.get(partner.slug) or render_cache.key("", partner)

    def _partner_context(
        self, partner: Partner, category_title: str, featured_in: tuple[Mention, ...], _linked_names: tuple
    ) -> dict[str, Any]:
        """Everything a profile page shows comes from these arguments (they are its render-cache key)."""
        url = f"{self.abs_url}/partners/{partner.slug}/"
        logo_url = f"{self.abs_url}/{partner.logo.src}" if partner.logo else None
        return {
            "partner": partner,
            "category_title": category_title,
            "description_html": self._description(partner),
            "featured_in": featured_in,
            "ask_href": ask_link(partner, self.vouch["INTRODUCTIONS_EMAIL"], url)
            if self.vouch["INTRODUCTIONS_EMAIL"]
            else "",
            "og_image": logo_url
            if logo_url and logo_url.lower().endswith((".png", ".jpg", ".jpeg", ".webp"))
            else None,
            "jsonld": structured.script_json(structured.local_business(partner, url, logo_url)),
        }

    def _description(self, partner: Partner) -> str:
        if not partner.description:
            return ""
        html = self.markdown.render(partner.description)  # sanitised first; links added are ours
        return link_partners(html, "../..", self.names)

    def _data_files(self) -> list[Page]:
        site = self.site
        files = [Page("robots.txt", data=self._robots()), Page("404.html", "404.html")]
        records = []
        for partner in site.partners:
            url = f"{self.abs_url}/partners/{partner.slug}/"
            files.append(
                Page(
                    f"partners/{partner.slug}.vcf",
                    make=partial(_vcard_bytes, partner, url),
                    inputs=(self._digest(partner), url),
                )
            )
            records.append(structured.partner_record(partner, url))
        files.append(Page("partners.json", data=structured.partners_json(records, site.today).encode()))
        files.extend(self._feeds())
        files.extend(self._logos_outside_static_paths())
        return files

    def _logos_outside_static_paths(self) -> list[Page]:
        """A logo may be any file under content/; Pelican copies only STATIC_PATHS, so copy the rest."""
        content = Path(self.settings["PATH"])
        static = [Path(os.path.normpath(p)) for p in self.settings["STATIC_PATHS"]]
        pages = {}
        for partner in self.site.partners:
            if partner.logo is None:
                continue
            rel = Path(os.path.normpath(partner.logo.src))
            if not any(folder == Path(".") or folder in rel.parents for folder in static):
                pages[rel.as_posix()] = Page(rel.as_posix(), data=(content / rel).read_bytes())
        return [pages[rel] for rel in sorted(pages)]

    def _midnight(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), self.zone)

    def _feeds(self) -> list[Page]:
        site, limit = self.site, self.vouch["FEED_MAX_ITEMS"]
        name, lang = self.settings["SITENAME"], self.settings["DEFAULT_LANG"]
        article_entries = []
        for a in self.articles[:limit]:
            url = f"{self.abs_url}/{a.url}"
            updated = getattr(a, "modified", None) or a.date
            article_entries.append(
                feeds.Entry(
                    id=feeds.tag_uri(self.abs_url, a.date.date(), a.url.rstrip("/")),
                    title=a.title,
                    url=url,
                    published=a.date,
                    updated=updated,
                    summary=_plain(a.summary),
                    content_html=feeds.absolutize(a._content, url),
                )
            )
        partner_entries = []
        for p in directory.newest(site.partners, limit):
            vetted_on = p.vetting.vetted_on
            partner_entries.append(
                feeds.Entry(
                    id=feeds.tag_uri(self.abs_url, vetted_on, f"partners/{p.slug}/{vetted_on.isoformat()}"),
                    title=f"Vetted: {p.name}",
                    url=f"{self.abs_url}/partners/{p.slug}/",
                    published=self._midnight(vetted_on),
                    updated=self._midnight(vetted_on),
                    summary=f"{p.summary or p.name} Vouched for by {p.vetting.vouched_by}.",
                )
            )
        content = self.get_template("_issue_content")
        issue_entries = []
        for issue in self.archive[:limit]:
            url = f"{self.abs_url}/{issue.url}"
            html = content.render(issue=issue, base=self.abs_url, body_html=issue.body_html(self.abs_url, self.names))
            issue_entries.append(
                feeds.Entry(
                    id=feeds.tag_uri(self.abs_url, issue.date, issue.url.rstrip("/")),
                    title=issue.subject,
                    url=url,
                    published=self._midnight(issue.date),
                    updated=self._midnight(issue.date),
                    summary=issue.preheader,
                    content_html=feeds.absolutize(html, url),
                )
            )
        dates = [e.updated for e in (*article_entries, *partner_entries, *issue_entries)]
        fallback = max(dates, default=self._midnight(site.today))
        out = []
        for path, title, subtitle, entries in (
            ("feeds/articles", f"{name}: articles", "Advice from the network.", article_entries),
            ("feeds/partners", f"{name}: newly vetted partners", "Partners as they are vetted.", partner_entries),
            ("feeds/newsletter", f"{name}: newsletter", "The newsletter archive.", issue_entries),
        ):
            feed = feeds.Feed(title, subtitle, self.abs_url, path, lang, name)
            atom, rss = feeds.render(feed, entries, fallback)
            out += [Page(f"{path}.atom.xml", data=atom), Page(f"{path}.rss.xml", data=rss)]
        return out

    def _robots(self) -> bytes:
        lines = ["User-agent: *", "Allow: /"]
        if self.abs_url:
            lines.append(f"Sitemap: {self.abs_url}/sitemap.xml")
        return ("\n".join(lines) + "\n").encode()

    def _sitemap(self) -> bytes:
        urls: list[tuple[str, dt.date | None]] = [
            (f"{self.abs_url}/{url_of(p.relpath)}", p.lastmod) for p in self.pages
        ]
        for article in self.articles:
            modified = getattr(article, "modified", None) or article.date
            urls.append((f"{self.abs_url}/{article.url}", modified.date()))
        for page in self.context.get("pages", []):
            stamp = getattr(page, "modified", None) or getattr(page, "date", None)
            urls.append((f"{self.abs_url}/{page.url}", stamp.date() if stamp else None))
        return sitemap(urls)

    # -- writing -----------------------------------------------------------------

    def generate_output(self, _writer: object) -> None:
        out = StagedWriter(Path(self.output_path), self.run.live_output)
        everything = [*self.pages, *self.files]
        shared = self._shared_fingerprint()
        previous = render_cache.load(self.run.render_cache)
        workers = parallel.workers(len(everything))
        progress = _Progress(self.run.progress, len(everything), workers)
        results = parallel.run_split(everything, partial(self._write_all, out, shared, previous, progress), workers)
        out.put("sitemap.xml", self._sitemap())
        record = {relpath: entry for part in results for relpath, entry in part[0].items()}
        render_cache.save(self.run.render_cache_next, record)
        log.info(
            "vouch: %d files rendered, %d current files reused", sum(p[1] for p in results), sum(p[2] for p in results)
        )

    def _shared_fingerprint(self) -> str:
        """What every page depends on: theme, code, every setting, registries, menu, site-wide words.

        Settings are taken whole (lists, dicts and functions too), so a warm build equals a cold
        one after any change; only this run's own paths and state are left out.
        """
        folders = [Path(self.theme), *map(Path, self.settings["THEME_TEMPLATES_OVERRIDES"])]
        code = {Path(__file__).resolve().parent, Path(directory.__file__).parent, Path(vouch_site.__file__).parent}
        code |= {Path(folder) for folder in self.settings["PLUGIN_PATHS"]}
        files = {p for folder in folders for p in folder.rglob("*") if p.is_file()}
        files |= {p for folder in code for p in folder.rglob("*.py")}
        menu = [(p.title, p.url) for p in self.context.get("pages", [])]
        settings = {k: v for k, v in self.context.items() if k.isupper() and k not in PER_RUN}
        words = [self.context[name] for name in ("subscribe_href", "vouch_search_example")]
        return render_cache.fingerprint(
            render_cache.canonical(settings),
            render_cache.installed(),
            menu,
            words,
            self.site.categories,
            self.site.checks,
            files=files,
        )

    def _write_all(
        self, out: StagedWriter, shared: str, previous: render_cache.Record, progress: _Progress, pages: list[Page]
    ) -> tuple[render_cache.Record, int, int]:
        """Render (or reuse) ``pages``; returns each file's key and identity, and the counts."""
        base = dict(self.context)
        record: render_cache.Record = {}
        rendered = reused = 0
        for done, page in enumerate(pages):
            progress(done)
            if page.inputs is None:
                out.put(page.relpath, self._render(page, base))
                rendered += 1
                continue
            key = render_cache.key(shared, page.relpath, page.template, page.inputs)
            last_key, written = previous.get(page.relpath, (None, None))
            if last_key == key and out.reuse(page.relpath, written):
                record[page.relpath] = (key, written)
                reused += 1
                continue
            out.put(page.relpath, self._render(page, base))
            record[page.relpath] = (key, out.identity(page.relpath))
            rendered += 1
        return record, rendered, reused

    def _render(self, page: Page, base: dict[str, Any]) -> bytes:
        made = page.make() if page.make else None
        if isinstance(made, bytes):
            return made
        if page.data is not None:
            return page.data
        template = self.get_template(page.template.removesuffix(".html"))
        context = base | page.context | (made or {})
        context.update(SITEURL=root_of(page.relpath), page_url=url_of(page.relpath), output_file=page.relpath)
        if page.relpath == "404.html":  # served at any depth: only absolute links work there
            context["SITEURL"] = self.abs_url
            context["inline_css"] = (Path(self.theme) / "static" / "site.css").read_text(encoding="utf-8")
        return template.render(context).encode()

    def quick_profile_page(self, partner: Partner) -> bytes:
        """One profile page from this build's state, for ``invoke serve`` to show an edit at once."""
        return self._render(self._profile_page(partner), dict(self.context))


class _Progress:
    """Reports how far the pages are, from the parent process only (children share its slice sizes)."""

    def __init__(self, report: Callable[[int, int], None] | None, total: int, workers: int) -> None:
        self.report, self.total, self.workers, self.parent = report, total, workers, os.getpid()

    def __call__(self, done: int) -> None:
        if self.report and done % 250 == 0 and os.getpid() == self.parent:
            self.report(min(self.total, done * self.workers), self.total)


def _linked(partner: Partner) -> list[str]:
    """Partners named in the description: their names appear on this page."""
    return [r.slug for r in references(partner.description or "", metadata=False)]


def _vcard_bytes(partner: Partner, url: str) -> bytes:
    return vcard(partner, url).encode()


def _newest(partners: Any) -> dt.date | None:
    return max((p.vetting.vetted_on for p in partners), default=None)


def _pagination(base: str, number: int, count: int) -> dict[str, Any]:
    return {
        "number": number,
        "count": count,
        "previous": None if number == 1 else (base if number == 2 else f"{base}page/{number - 1}/"),
        "next": f"{base}page/{number + 1}/" if number < count else None,
    }


def _plain(html: str) -> str:
    from markupsafe import Markup

    return Markup(html).striptags()
