"""The page plan: every file a build writes besides Pelican's articles and pages, and how it is rendered.

``plan`` only decides (which files, from which templates, with which inputs);
the costly part of each file (Markdown, vCards, feeds) is deferred to
``PagePlan.render``, which the writer calls on every core, and only for the
files the render cache does not still hold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from vouch import directory
from vouch.content import Item
from vouch.mailing.introduction import ask_link
from vouch.newsletter.issue import IssueView
from vouch.public import Partner
from vouch.references import link_partners, references
from vouch.render import feeds, structured
from vouch.render.email import issue_body_html, subscribe_url
from vouch.render.files import OutputFile, pagination, root_of, url_of
from vouch.render.humanize import share_text
from vouch.render.markup import ProfileMarkdown
from vouch.render.print_pages import print_files
from vouch.render.qr import Pool, QrCache, in_turn
from vouch.render.sitemap import robots, site_sitemap
from vouch.render.vcard import vcard
from vouch.settings import VouchSettings
from vouch.site import PublicSite


class Template(Protocol):
    def render(self, *args: Any, **kwargs: Any) -> str: ...


Templates = Callable[[str], Template]  # a template by name, without ".html" (Pelican's ``get_template``)


@dataclass(frozen=True, slots=True)
class Mention:
    """An article that features a partner, for the profile's "Featured in"."""

    title: str
    url: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class Sources:
    """What the plan is made from: the public site, this run's shown items, and Pelican's articles and pages."""

    site: PublicSite
    settings: VouchSettings
    theme: Path
    content: Path  # PATH: logos are read from here
    static_paths: Sequence[str] = ()  # STATIC_PATHS: Pelican copies these; logos elsewhere are copied here
    articles: Sequence[Any] = ()  # Pelican's articles shown, newest first
    pages: Sequence[Any] = ()  # Pelican's pages shown (menu, sitemap)
    archive: Sequence[IssueView] = ()  # newsletter issues shown, newest first
    items: Sequence[Item] = ()  # the Markdown items shown (which partners each features)
    pagination: int = 20  # DEFAULT_PAGINATION: articles per index page
    qr_cache: Path | None = None  # the file QR codes are kept in between builds; None: encode every code
    map_all: Pool = in_turn  # map() for CPU-bound work (the build's uses every core): new QR codes


@dataclass(slots=True)
class PagePlan:
    """The planned files, what every template sees, and how one file is rendered."""

    sources: Sources
    template: Templates
    html: list[OutputFile]  # pages with a URL (the sitemap lists them)
    data: list[OutputFile]  # robots.txt, 404.html, vCards, partners.json, feeds, logos
    context: dict[str, Any]  # added to Pelican's context for every template
    printed: list[OutputFile] = field(default_factory=list)  # card sheets, certificates, QR codes: no sitemap
    names: dict[str, str] = field(default_factory=dict)
    category_titles: dict[str, str] = field(default_factory=dict)
    mentions: dict[str, list[Mention]] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)  # slug -> the partner's content hash (render-cache keys)
    print_seconds: float = 0.0  # planning the print files (QR codes read or made): the build reports it

    @property
    def files(self) -> list[OutputFile]:
        return [*self.html, *self.data, *self.printed]

    @property
    def site_url(self) -> str:
        return self.sources.settings.site_root

    def render(self, file: OutputFile, base: dict[str, Any]) -> bytes:
        """``file``'s bytes; ``base`` is the whole template context (Pelican's, with ``context`` added)."""
        made = file.make() if file.make else None
        if isinstance(made, bytes):
            return made
        if file.data is not None:
            return file.data
        template = self.template(file.template.removesuffix(".html"))  # type: ignore[union-attr]
        context = base | file.context | (made or {})
        context.update(SITEURL=root_of(file.relpath), page_url=url_of(file.relpath), output_file=file.relpath)
        if file.relpath == "404.html":  # served at any depth: only absolute links work there
            context["SITEURL"] = self.site_url
            context["inline_css"] = (self.sources.theme / "static" / "site.css").read_text(encoding="utf-8")
        return template.render(context).encode()

    def sitemap(self) -> bytes:
        return site_sitemap(self.site_url, self.html, self.sources.articles, self.sources.pages)

    def profile_page(self, partner: Partner) -> OutputFile:
        """A partner's page (also ``invoke serve``'s instant preview of an edited profile)."""
        args = (
            self.category_titles.get(partner.category, partner.category),
            tuple(self.mentions.get(partner.slug, ())),
            tuple((slug, self.names.get(slug)) for slug in _linked(partner)),
        )
        return OutputFile(
            f"partners/{partner.slug}/index.html",
            "partner.html",
            lastmod=partner.vetting.vetted_on,
            make=partial(_partner_context, self, partner, *args[:2]),
            inputs=(self.content_hash(partner), *args),
        )

    def content_hash(self, partner: Partner) -> str:
        """Stands for the whole partner in render-cache keys (made once per build, in ``plan``)."""
        return self.hashes.get(partner.slug) or hashlib.sha256(repr(partner).encode()).hexdigest()


def plan(sources: Sources, template: Templates) -> PagePlan:
    """Every file to write, and the context every template shares."""
    site, settings = sources.site, sources.settings
    az = list(site.partners)
    categories = directory.by_category(az, site.categories)
    featured = {os.path.realpath(item.path): item.partners for item in sources.items}
    out = PagePlan(
        sources,
        template,
        html=[],
        data=[],
        context={},
        names=site.names,
        category_titles={g.slug: g.title for g in categories},
        mentions=_mentions(sources.articles, featured),
        # A partner's stand-in in render-cache keys: its profile file's hash, and the area names it
        # shows (the commonest spelling across the network, so not its file alone).
        hashes={p.slug: f"{site.content_hashes[p.slug]}:{p.areas!r}" for p in az if p.slug in site.content_hashes},
    )
    out.context.update(
        ABSOLUTE_SITEURL=out.site_url,
        vouch_partners=site.partners,
        vouch_checks=site.checks,
        vouch_names=out.names,
        vouch_category_titles=out.category_titles,
        subscribe_href=subscribe_url(settings),
        vouch_search_example=settings.search_hint or directory.search_example(site.partners, site.categories),
        vouch_featured={a.source_path: featured.get(os.path.realpath(a.source_path), ()) for a in sources.articles},
        VOUCH=settings.as_settings(),
        vouch_card=_card_once(),
        vouch_url=_url_once(),
    )
    out.html = _html_pages(out, categories, directory.by_area(az), directory.by_letter(az))
    out.data = _data_files(out)
    if settings.print_pages:
        start = time.perf_counter()
        codes = QrCache.at(sources.qr_cache)
        out.printed = print_files(
            az, categories, out.site_url, codes, out.content_hash, settings.directory_page_size, sources.map_all
        )
        out.print_seconds = time.perf_counter() - start
    return out


def _mentions(articles: Sequence[Any], featured: dict[str, tuple[str, ...]]) -> dict[str, list[Mention]]:
    out: dict[str, list[Mention]] = defaultdict(list)
    for article in articles:
        for slug in featured.get(os.path.realpath(article.source_path), ()):
            out[slug].append(Mention(article.title, article.url, article.date.date()))
    return out


def _html_pages(
    out: PagePlan, categories: list[directory.Group], areas: list[directory.Group], letters: list[directory.Group]
) -> list[OutputFile]:
    site, settings = out.sources.site, out.sources.settings
    newest_vetting = _newest(site.partners)
    latest = list(out.sources.articles[: settings.home_latest_articles])
    home_date = max([d for d in (newest_vetting, *(a.date.date() for a in latest[:1])) if d], default=None)
    newest = directory.newest(site.partners, settings.home_newest_partners)
    home = {"categories": [g for g in categories if g.count], "newest": newest, "latest": latest}
    split = len(site.partners) > settings.directory_page_size
    listing = {"letters": letters, "split": split, "categories": categories, "count": len(site.partners)}
    pages = [
        OutputFile("index.html", "home.html", home, lastmod=home_date),
        OutputFile("vetting/index.html", "vetting.html", {"checks": site.checks}),
        OutputFile("search/index.html", "search.html", {"categories": categories, "areas": areas}),
        OutputFile("areas/index.html", "areas.html", {"areas": areas}, lastmod=newest_vetting),
        OutputFile("directory/index.html", "directory.html", listing, lastmod=newest_vetting),
    ]
    listings = [("category", categories, "directory"), ("area", areas, "areas")]
    if split:
        listings.append(("letter", letters, "directory"))
    for kind, groups, base in listings:
        for group in groups:
            pages.extend(_listing(out, kind, group, f"{base}/{group.slug}/", settings.listing_page_size))
    pages.extend(_article_index(out.sources.articles, out.sources.pagination))
    pages.extend(_newsletter_archive(out.sources.archive, out.names))
    pages.extend(out.profile_page(partner) for partner in site.partners)
    return pages


def _listing(out: PagePlan, kind: str, group: directory.Group, base: str, size: int) -> list[OutputFile]:
    chunks = directory.paginate(group.partners, size)
    return [
        OutputFile(
            f"{base}index.html" if number == 1 else f"{base}page/{number}/index.html",
            "listing.html",
            {"group": group, "kind": kind, "partners": chunk, "pagination": pagination(base, number, len(chunks))},
            lastmod=_newest(chunk),
            inputs=(kind, group.slug, group.title, group.description, group.count, number, len(chunks), hashes),
        )
        for number, chunk in enumerate(chunks, start=1)
        for hashes in [tuple(out.content_hash(p) for p in chunk)]
    ]


def _article_index(articles: Sequence[Any], size: int) -> list[OutputFile]:
    chunks = directory.paginate(articles, size)
    return [
        OutputFile(
            "articles/index.html" if number == 1 else f"articles/page/{number}/index.html",
            "articles.html",
            {"articles_page": chunk, "pagination": pagination("articles/", number, len(chunks))},
            lastmod=max((a.date.date() for a in chunk), default=None),
        )
        for number, chunk in enumerate(chunks, start=1)
    ]


def _newsletter_archive(archive: Sequence[IssueView], names: dict[str, str]) -> list[OutputFile]:
    newest = archive[0].date if archive else None
    pages = [OutputFile("newsletter/index.html", "newsletter_index.html", {"issues": archive}, lastmod=newest)]
    for issue in archive:
        body = issue_body_html(issue, "../..", names)
        context = {"issue": issue, "body_html": body}
        pages.append(OutputFile(f"{issue.url}index.html", "newsletter_issue.html", context, lastmod=issue.date))
    return pages


def _partner_context(
    out: PagePlan, partner: Partner, category_title: str, featured_in: tuple[Mention, ...]
) -> dict[str, Any]:
    """Everything a profile page shows comes from these arguments and the names it links (its render-cache key)."""
    site_url, settings = out.site_url, out.sources.settings
    url = f"{site_url}/partners/{partner.slug}/"
    logo_url = f"{site_url}/{partner.logo.src}" if partner.logo else None
    share_title, share_description = share_text(partner, category_title, settings.sitename)
    return {
        "partner": partner,
        "category_title": category_title,
        "description_html": _description(partner, out.names),
        "featured_in": featured_in,
        "ask_href": ask_link(partner, settings.introductions_email, url) if settings.introductions_email else "",
        "share_title": share_title,
        "share_description": share_description,
        "og_image": logo_url if logo_url and logo_url.lower().endswith((".png", ".jpg", ".jpeg", ".webp")) else None,
        "jsonld": structured.script_json(structured.local_business(partner, url, logo_url)),
    }


def _card_once() -> Callable[..., Any]:
    """The theme's listing card, rendered once per partner and look for this build (each writer
    process keeps its own): a card is on ~5 listings, and rendering it was a tenth of theirs."""
    made: dict[tuple[str, int, bool, str], tuple[Partner, Any]] = {}

    def card(macro: Callable[..., Any], partner: Partner, level: int, show_category: bool, site_url: str) -> Any:
        key = (partner.slug, level, bool(show_category), site_url)
        kept = made.get(key)
        if kept is None or kept[0] is not partner:  # the very partner object, not an older edit of it
            kept = made[key] = (partner, macro(partner, level, show_category))
        return kept[1]

    return card


def _url_once() -> Callable[[Any], str]:
    """A Pelican page's URL, worked out once per build: Pelican expands its URL pattern on every
    ``.url`` (50 us), and every page's menu asks for each page's (3 % of a large build)."""
    made: dict[int, tuple[Any, str]] = {}

    def url(content: Any) -> str:
        kept = made.get(id(content))
        if kept is None or kept[0] is not content:
            kept = made[id(content)] = (content, content.url)
        return kept[1]

    return url


@cache
def _markdown() -> ProfileMarkdown:
    """One converter per process (a forked writer inherits it)."""
    return ProfileMarkdown()


def _description(partner: Partner, names: dict[str, str]) -> str:
    if not partner.description:
        return ""
    html = _markdown().render(partner.description)  # sanitised first; links added are ours
    return link_partners(html, "../..", names)


def _data_files(out: PagePlan) -> list[OutputFile]:
    site, site_url = out.sources.site, out.site_url
    files = [OutputFile("robots.txt", data=robots(site_url)), OutputFile("404.html", "404.html")]
    for partner in site.partners:
        url = f"{site_url}/partners/{partner.slug}/"
        vcf = partial(_vcard_bytes, partner, url)
        files.append(OutputFile(f"partners/{partner.slug}.vcf", make=vcf, inputs=(out.content_hash(partner), url)))
    files.append(OutputFile("partners.json", make=partial(_partners_json, site.partners, site_url, site.today)))
    site_feeds = cache(partial(_feeds, out))  # one render of all six files, whichever is asked for first
    names = ("articles", "partners", "newsletter")
    files += [OutputFile(p, make=partial(_one, site_feeds, p)) for n in names for p in _feed_paths(n)]
    files.extend(_logos_outside_static_paths(out.sources))
    return files


def _feed_paths(name: str) -> tuple[str, str]:
    return f"feeds/{name}.atom.xml", f"feeds/{name}.rss.xml"


def _one(files: Callable[[], dict[str, bytes]], relpath: str) -> bytes:
    return files()[relpath]


def _feeds(out: PagePlan) -> dict[str, bytes]:
    sources, site_url = out.sources, out.site_url
    settings, limit = sources.settings, sources.settings.feed_max_items
    zone = ZoneInfo(settings.timezone)
    content = out.template("_issue_content")

    def issue_html(issue: IssueView) -> str:
        return content.render(issue=issue, base=site_url, body_html=issue_body_html(issue, site_url, out.names))

    return feeds.SiteFeeds(
        settings.sitename,
        settings.default_lang,
        site_url,
        feeds.article_entries(sources.articles[:limit], site_url),
        feeds.partner_entries(sources.site.partners, site_url, zone, limit),
        feeds.issue_entries(sources.archive[:limit], site_url, zone, issue_html),
        feeds.midnight(sources.site.today, zone),
    ).render()


def _partners_json(partners: Sequence[Partner], site_url: str, today: dt.date) -> bytes:
    """Made when written, so its records are not held by the whole build."""
    records = [structured.partner_record(p, f"{site_url}/partners/{p.slug}/") for p in partners]
    return structured.partners_json(records, today).encode()


def _logos_outside_static_paths(sources: Sources) -> list[OutputFile]:
    """A logo may be any file under content/; Pelican copies only STATIC_PATHS, so copy the rest."""
    static = [Path(os.path.normpath(p)) for p in sources.static_paths]
    files = {}
    for partner in sources.site.partners:
        if partner.logo is None:
            continue
        rel = Path(os.path.normpath(partner.logo.src))
        if not any(folder == Path(".") or folder in rel.parents for folder in static):
            files[rel.as_posix()] = OutputFile(rel.as_posix(), make=partial((sources.content / rel).read_bytes))
    return [files[rel] for rel in sorted(files)]


def _linked(partner: Partner) -> list[str]:
    """Partners named in the description: their names appear on this page."""
    return [r.slug for r in references(partner.description or "", metadata=False)]


def _vcard_bytes(partner: Partner, url: str) -> bytes:
    return vcard(partner, url).encode()


def _newest(partners: Sequence[Partner]) -> dt.date | None:
    return max((p.vetting.vetted_on for p in partners), default=None)
