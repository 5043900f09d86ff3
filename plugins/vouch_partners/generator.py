"""The directory generator: collect in ``generate_context``, write in ``generate_output``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from vouch import directory, structured
from vouch.markup import ProfileMarkdown
from vouch.outputs import StagedWriter
from vouch.public import Partner
from vouch.settings import vouch_settings
from vouch.site import PublicSite, prepare
from vouch.vcard import vcard

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Page:
    """One file to write: a template and its context, or ready bytes."""

    relpath: str
    template: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None


def root_of(relpath: str) -> str:
    """Relative path from a file back to the site root ('.' at the top)."""
    depth = relpath.count("/")
    return "/".join([".."] * depth) or "."


def url_of(relpath: str) -> str:
    """The public URL path of a file: ``partners/x/index.html`` -> ``partners/x/``."""
    return relpath.removesuffix("index.html")


class PartnersGenerator(Generator):
    def generate_context(self) -> None:
        self.vouch = vouch_settings(self.settings)
        site: PublicSite | None = self.settings.get("VOUCH_SITE")
        if site is None:  # run by plain `pelican`, not `invoke build`
            root = Path(self.settings["PATH"]).parent
            site, report = prepare(root / "partners", Path(self.settings["PATH"]), self.vouch)
            for problem in report.problems:
                log.error("vouch: %s", problem)
        self.site = site
        self.abs_url = self.settings.get("SITEURL", "").rstrip("/")
        self.markdown = ProfileMarkdown()

        az = list(site.partners)
        self.categories = directory.by_category(az, site.categories)
        self.areas = directory.by_area(az)
        self.letters = directory.by_letter(az)
        self.newest = directory.newest(az, self.vouch["HOME_NEWEST_PARTNERS"])
        self.context.update(
            ABSOLUTE_SITEURL=self.abs_url,
            vouch_partners=site.partners,
            vouch_categories=self.categories,
            vouch_areas=self.areas,
            vouch_newest=self.newest,
            vouch_checks=site.checks,
            vouch_today=site.today,
            VOUCH=self.vouch,
        )

    # -- what to write ---------------------------------------------------

    def pages(self) -> list[Page]:
        site, size = self.site, self.vouch["LISTING_PAGE_SIZE"]
        category_titles = {g.slug: g.title for g in self.categories}
        out = [
            Page(
                "index.html",
                "home.html",
                {"categories": [g for g in self.categories if g.count], "newest": self.newest},
            ),
            Page("vetting/index.html", "vetting.html", {"checks": site.checks}),
            Page("areas/index.html", "areas.html", {"areas": self.areas}),
            Page("404.html", "404.html", {}),
            Page("robots.txt", data=self._robots()),
        ]
        split = len(site.partners) > self.vouch["DIRECTORY_PAGE_SIZE"]
        out.append(
            Page(
                "directory/index.html",
                "directory.html",
                {"letters": self.letters, "split": split, "categories": self.categories, "count": len(site.partners)},
            )
        )
        if split:
            for group in self.letters:
                out.append(
                    Page(f"directory/{group.slug}/index.html", "listing.html", {"group": group, "kind": "letter"})
                )
        for kind, groups, base in (("category", self.categories, "directory"), ("area", self.areas, "areas")):
            for group in groups:
                out.extend(self._listing(kind, group, f"{base}/{group.slug}/", size))
        records = []
        for partner in site.partners:
            url = f"partners/{partner.slug}/"
            out.append(Page(f"{url}index.html", "partner.html", self._partner_context(partner, category_titles)))
            out.append(Page(f"partners/{partner.slug}.vcf", data=vcard(partner, f"{self.abs_url}/{url}").encode()))
            records.append(structured.partner_record(partner, f"{self.abs_url}/{url}"))
        out.append(Page("partners.json", data=structured.partners_json(records, site.today).encode()))
        return out

    def _listing(self, kind: str, group: directory.Group, base: str, size: int) -> list[Page]:
        chunks = directory.paginate(group.partners, size)
        pages = []
        for number, chunk in enumerate(chunks, start=1):
            relpath = f"{base}index.html" if number == 1 else f"{base}page/{number}/index.html"
            pagination = {
                "number": number,
                "count": len(chunks),
                "previous": None if number == 1 else (base if number == 2 else f"{base}page/{number - 1}/"),
                "next": f"{base}page/{number + 1}/" if number < len(chunks) else None,
            }
            pages.append(
                Page(
                    relpath, "listing.html", {"group": group, "kind": kind, "partners": chunk, "pagination": pagination}
                )
            )
        return pages

    def _partner_context(self, partner: Partner, category_titles: dict[str, str]) -> dict[str, Any]:
        url = f"{self.abs_url}/partners/{partner.slug}/"
        logo_url = f"{self.abs_url}/{partner.logo.src}" if partner.logo else None
        return {
            "partner": partner,
            "category_title": category_titles.get(partner.category, partner.category),
            "description_html": self.markdown.render(partner.description) if partner.description else "",
            "jsonld": structured.script_json(structured.local_business(partner, url, logo_url)),
        }

    def _robots(self) -> bytes:
        lines = ["User-agent: *", "Allow: /"]
        if self.abs_url:
            lines.append(f"Sitemap: {self.abs_url}/sitemap.xml")
        return ("\n".join(lines) + "\n").encode()

    # -- writing -----------------------------------------------------------

    def generate_output(self, _writer: object) -> None:
        out = StagedWriter(Path(self.output_path), self.settings.get("VOUCH_LIVE_OUTPUT"))
        base = dict(self.context)
        for page in self.pages():
            if page.data is not None:
                out.put(page.relpath, page.data)
                continue
            template = self.get_template(page.template.removesuffix(".html"))
            context = base | page.context
            context.update(SITEURL=root_of(page.relpath), page_url=url_of(page.relpath), output_file=page.relpath)
            out.put(page.relpath, template.render(context).encode())
        log.info("vouch: %d files written, %d unchanged (linked)", out.written, out.linked)
