"""Markdown from profiles, rendered then sanitised: profiles are untrusted text."""

from __future__ import annotations

import markdown
import nh3

PROFILE_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4"}
PROFILE_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Typographic quotes, dashes and ellipses, as in articles (Pelican is given the same extension).
MARKDOWN_EXTENSIONS = ["sane_lists", "smarty"]
# Profiles without smarty: it doubles Markdown's cost, about a second of a 10,000-partner build.
PROFILE_EXTENSIONS = ["sane_lists"]


class ProfileMarkdown:
    """One reusable Markdown converter (building one per call costs more than the text)."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=PROFILE_EXTENSIONS, output_format="html")

    def render(self, text: str) -> str:
        html = self._md.reset().convert(text)
        return nh3.clean(
            html,
            tags=PROFILE_TAGS,
            attributes=PROFILE_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="nofollow noopener",
        )
