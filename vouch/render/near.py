""" "Trusted near <area>": a few published partners serving a subscriber's area, for any issue or step.

Made from the public model only (``PublicSite.partners``: published, public
fields), once per area and cached, so personal rendering stays cheap: each
recipient's message only fills the ready block into the template's ``near`` slot.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Sequence

import css_inline
import jinja2

from vouch.public import Partner
from vouch.render.email import NearBlock
from vouch.render.humanize import long_date
from vouch.slugs import slugify

# Used when the site's theme predates the block (a copy of an older theme/): the same markup as theme's near.html.
DEFAULT_TEMPLATE = """<div class="near">
<h2>Trusted near {{ area }}</h2>
{% for p in partners %}<div class="item">
<h3><a href="{{ site_url }}/partners/{{ p.slug }}/">{{ p.name }}</a></h3>
{% if p.summary %}<p>{{ p.summary }}</p>{% endif %}
<p class="meta">Vouched for by {{ p.vetting.vouched_by }}, vetted {{ p.vetting.vetted_on|long_date }}</p>
</div>{% endfor %}
<p><a href="{{ more_url }}">Everyone we vouch for near {{ area }}</a></p>
</div>"""


def _template(env: jinja2.Environment) -> jinja2.Template:
    try:
        return env.get_template("near.html")
    except jinja2.TemplateNotFound:
        return env.from_string(DEFAULT_TEMPLATE)


class NearBlocks:
    def __init__(self, partners: Sequence[Partner], site_url: str, limit: int, env: jinja2.Environment, css: str):
        by_area: dict[str, list[Partner]] = defaultdict(list)
        self.names: dict[str, str] = {}
        for partner in partners:  # names already one per area (``one_name_per_area``)
            for area in partner.areas:
                by_area[area.slug].append(partner)
                self.names[area.slug] = area.name
        self.by_area = {
            slug: sorted(members, key=lambda p: (-p.vetting.vetted_on.toordinal(), p.name.casefold(), p.slug))[:limit]
            for slug, members in by_area.items()
        }
        self.counts = {slug: len(members) for slug, members in by_area.items()}
        self.site_url, self.limit = site_url, limit
        self.template = _template(env) if limit else None
        self.css = css
        self.cache: dict[str, NearBlock | None] = {}

    def for_area(self, area: str) -> NearBlock | None:
        """The block for what a subscriber wrote in ``area`` (the slug rule of /areas/); None: no match, no block."""
        slug = slugify(area) if area.strip() else ""
        if slug not in self.cache:
            self.cache[slug] = self._render(slug) if slug in self.by_area and self.template else None
        return self.cache[slug]

    def example(self) -> NearBlock | None:
        """The block of the area most partners serve: what the preview shows."""
        if not self.counts:
            return None
        slug = min(self.counts, key=lambda s: (-self.counts[s], s))
        return self.for_area(self.names[slug])

    def largest_html(self, areas: Sequence[str]) -> str:
        blocks = [b for a in areas if (b := self.for_area(a))]
        return max((b.html for b in blocks), key=len, default="")

    def _render(self, slug: str) -> NearBlock:
        assert self.template is not None
        name, partners = self.names[slug], self.by_area[slug]
        more = f"{self.site_url}/areas/{slug}/"
        html = self.template.render(area=name, partners=partners, site_url=self.site_url, more_url=more)
        html = css_inline.inline_fragment(html, self.css)
        heading = f"Trusted near {name}"
        lines = [heading, "-" * len(heading), ""]
        for p in partners:
            lines.append(textwrap.fill(f"{p.name}: {p.summary}" if p.summary else p.name, 72))
            lines.append(f"{self.site_url}/partners/{p.slug}/")
            lines.append(f"Vouched for by {p.vetting.vouched_by}, vetted {long_date(p.vetting.vetted_on)}")
            lines.append("")
        lines.append(f"Everyone we vouch for near {name}: {more}")
        return NearBlock(name, html, "\n".join(lines) + "\n")
