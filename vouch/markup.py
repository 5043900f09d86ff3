"""Markdown from profiles, rendered then sanitised: profiles are untrusted text."""

from __future__ import annotations

import re

import markdown
import nh3
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

PROFILE_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4"}
PROFILE_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Typographic quotes, dashes and ellipses, as in articles (Pelican is given the same extension).
MARKDOWN_EXTENSIONS = ["sane_lists", "smarty"]
# Profiles without smarty: it doubles Markdown's cost, about a second of a 10,000-partner build.
PROFILE_EXTENSIONS = ["sane_lists"]
# An HTML comment ends where a browser ends it: at "-->" or "--!>", at once for "<!-->", or at the end.
_COMMENT = re.compile(r"<!--(?:-?>|.*?--!?>|.*\Z)", re.DOTALL)
# After the meta extension (27) and fenced code (25), before raw HTML blocks (20): a fenced code
# sample keeps its comments (Markdown shows them as code), everything else is read without them.
_COMMENTS_PRIORITY = 24


def strip_comments(text: str, keep_lines: bool = False) -> str:
    """``text`` without its HTML comments, read as an HTML parser reads them: editors keep notes in them.

    Done once, on the source, before Markdown (whose smarty extension escapes a comment it does
    not see whole): what Vouch checks and what Pelican renders are the same text. ``keep_lines``
    moves each comment's line breaks to the end of its line, so that line numbers stay true.
    """
    if "<!--" not in text:
        return text
    if not keep_lines:
        return _COMMENT.sub("", text)
    pieces: list[str] = []
    owed = last = 0
    for match in [*_COMMENT.finditer(text), None]:
        kept = text[last : match.start() if match else len(text)]
        if owed and "\n" in kept:
            cut = kept.index("\n")
            kept, owed = kept[:cut] + "\n" * owed + kept[cut:], 0
        pieces.append(kept)
        if match:
            owed += match.group().count("\n")
            last = match.end()
    return "".join(pieces) + "\n" * owed


def strip_value_comments(values: list[str]) -> list[str]:
    """A metadata key's values (a line each) without comments, as many as before: one may span lines."""
    return [v.strip() for v in strip_comments("\n".join(values), keep_lines=True).split("\n")]


class _CommentStripper(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        meta = getattr(self.md, "Meta", None)  # read by now: Pelican takes its metadata from here
        for key, values in (meta or {}).items():
            meta[key] = strip_value_comments(values)
        text = "\n".join(lines)
        return strip_comments(text).split("\n") if "<!--" in text else lines


class StripComments(Extension):
    """Markdown without HTML comments, in the header's values and in the text (see ``strip_comments``)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.register(_CommentStripper(md), "vouch_comments", _COMMENTS_PRIORITY)


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
