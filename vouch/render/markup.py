"""Markdown from profiles, rendered then sanitised: profiles are untrusted text."""

from __future__ import annotations

import re

import markdown
import nh3
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from vouch.comments import strip_comments, strip_value_comments

PROFILE_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4"}
PROFILE_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Typographic quotes, dashes and ellipses, as in articles (Pelican is given the same extension).
MARKDOWN_EXTENSIONS = ["sane_lists", "smarty"]
# Profiles without smarty: it doubles Markdown's cost, about a second of a 10,000-partner build.
PROFILE_EXTENSIONS = ["sane_lists"]
# After the meta extension (27) and fenced code (25), before raw HTML blocks (20): a fenced code
# sample keeps its comments (Markdown shows them as code), everything else is read without them.
_COMMENTS_PRIORITY = 24


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
        plain = plain_paragraphs(text)
        if plain is not None:
            return plain  # no tag, entity or URL: the sanitiser returns it unchanged (tests/test_markup.py)
        return sanitise(self._md.reset().convert(text))


def sanitise(html: str) -> str:
    """Only the tags, attributes and URL schemes a profile may use; links marked nofollow."""
    return nh3.clean(
        html,
        tags=PROFILE_TAGS,
        attributes=PROFILE_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
    )


# Prose that Markdown cannot read as anything but paragraphs: letters, digits and punctuation with no
# Markdown or HTML meaning, each line starting with a letter and without spaces around it.
_PLAIN_TEXT = re.compile(r"[\w .,;:!?'\"()/%$@£€\u2018\u2019\u201c\u201d\u2013\u2014\n-]*")
_PLAIN_LINE = re.compile(r"(?:[^\W\d_]|[\"'(\u2018\u201c])(?:.*\S)?")


def plain_paragraphs(text: str) -> str | None:
    """Python-Markdown's HTML for plain prose, built directly (a tenth of its cost), or None.

    Most descriptions are paragraphs of plain words; Markdown's block and inline
    machinery costs about a millisecond each, the largest single part of a profile page.
    Anything that could mean Markdown or HTML (``*_[]<>&#`~|\\=+``, a digit or dash
    starting a line, indentation, trailing spaces) returns None and goes to Markdown;
    tests/test_markup.py checks the two agree on generated text.
    """
    if "_" in text or not _PLAIN_TEXT.fullmatch(text):
        return None
    paragraphs = []
    for block in re.split(r"\n{2,}", text.strip("\n")):
        lines = block.split("\n")
        if not all(map(_PLAIN_LINE.fullmatch, lines)):
            return None
        paragraphs.append(f"<p>{block}</p>")
    return "\n".join(paragraphs)
