"""The plain-prose shortcut gives exactly Python-Markdown's HTML, or steps aside."""

from __future__ import annotations

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from vouch.render.markup import PROFILE_EXTENSIONS, ProfileMarkdown, plain_paragraphs, sanitise

_MARKDOWN = markdown.Markdown(extensions=PROFILE_EXTENSIONS, output_format="html")

# Pieces that mean something to Markdown or HTML, mixed with plain words, so both paths are exercised.
# fmt: off
_PIECES = st.sampled_from(
    [
        "roof", "Boiler", "quote", "Élan", "ĳssel", "naïve", "東京", "1990", "3.", "1)", "-", "+", "*", "_", "**",
        "#", "##", ">", "<b>", "</p>", "&", "&amp;", "&#169;", "`", "~~~", "```", "[x]", "(y)", "[a](http://e.org)",
        "<http://e.org>", "http://e.org", "a@b.org", "!", "?", ".", ",", ";", ":", "'", '"', "“", "”", "–", "—",
        "£5", "50%", "\\", "|", "=", "===", "---", " ", "  ", "\t", "\n", "\n\n", "\n\n\n", "\r\n", "\u00a0",
        "\u0301", "\x02", "\x03", "    ", "=\n", "a  \n",
    ]
)
# fmt: on
_TEXT = st.lists(_PIECES, max_size=40).map(" ".join) | st.lists(_PIECES, max_size=40).map("".join)
_WORDS = st.lists(st.sampled_from(["quote", "damp.", "tiles,", "(since", "1990)", "“good”", "it's", "—", "£5"]))
_LINE = st.tuples(st.sampled_from(["Roof", "Élan", "(Tiles", "“Good”"]), _WORDS).map(lambda t: " ".join([t[0], *t[1]]))
_PROSE = st.lists(_LINE, min_size=1, max_size=6).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(_TEXT | _PROSE | st.text(max_size=60))
def test_plain_paragraphs_are_markdowns_html_or_none(text: str) -> None:
    fast = plain_paragraphs(text)
    if fast is not None:  # what a profile page shows, with and without the shortcut
        assert fast == _MARKDOWN.reset().convert(text) == sanitise(fast)
        assert ProfileMarkdown().render(text) == sanitise(_MARKDOWN.reset().convert(text))


@settings(max_examples=40, deadline=None)
@given(st.lists(_PROSE, min_size=1, max_size=4).map("\n\n".join))
def test_plain_prose_takes_the_shortcut(text: str) -> None:
    """Paragraphs of words and punctuation (most descriptions) do not go through Markdown."""
    assert plain_paragraphs(text) == _MARKDOWN.reset().convert(text) == sanitise(plain_paragraphs(text) or "")


def test_markdown_still_renders_what_is_not_plain() -> None:
    html = ProfileMarkdown().render("We fit **boilers**.\n\n- roofs\n- gutters\n\n<script>x</script>")
    assert "<strong>boilers</strong>" in html and "<li>roofs</li>" in html and "<script" not in html
    assert plain_paragraphs("We fit **boilers**.") is None
