"""Item metadata is read exactly as Pelican reads it (Python-Markdown's meta extension), so the two never disagree."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pelican.readers import MarkdownReader

from tests.sitekit import make_site, read_tree, vetted
from vouch.item_header import metadata
from vouch.problems import ValidationFailed
from vouch_site.build import build
from vouch_site.config import load_settings

# Headers on which a line-by-line reader and Pelican disagree.
TRICKY = [
    "Title: A\n Status: draft\n\nx\n",  # up to three leading spaces still make a key
    "Title: A\n   Status: draft\n\nx\n",
    "Title: A\nStatus: draft\nStatus: published\n\nx\n",  # Pelican keeps the first
    "Title: A\nStatus: published\nStatus: draft\n\nx\n",
    "\ufeffTitle: A\nStatus: draft\n\nx\n",  # a byte-order mark is not part of the first key
    "Title: A\r\nStatus: draft\r\n\r\nx\r\n",
    "Title: A\rStatus: draft\r\rx\r",  # a lone CR ends a line for Markdown too
    "Title: A\u2028Status: draft\n\nx\n",  # ... but U+2028 does not
    "Title: A\x0cStatus: draft\n\nx\n",
    "---\nTitle: A\nStatus: draft\n---\nx\n",
    "Title: A\nNot a key line\nStatus: draft\n\nx\n",  # the header ends at the first line that is no key
    "Title: A\n  \t \nStatus: draft\n\nx\n",  # a blank-looking line ends it
    "Title: A\nStatus: published\n    draft\n\nx\n",  # an indented line continues the value above
    "Title: A\n\tStatus: draft\n\nx\n",  # a tab indents: it continues the title
    "Title: A\nstatus : draft\n\nx\n",
    "Title: A\nSTATUS: Draft\n\nx\n",
    "    Title: A\nStatus: draft\n\nx\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_a_page_is_shown_exactly_when_pelican_publishes_it(tmp_path: Path, text: str) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/pages/a.md": text.encode()})
    source = tmp_path / "content/pages/a.md"
    _, meta = MarkdownReader(load_settings(tmp_path)).read(str(source))
    published = str(meta.get("status", "published")).lower() == "published"
    try:
        result = build(tmp_path)
    except ValidationFailed:
        return  # a build that stops publishes nothing Pelican would not
    assert [item.path.name for item in result.report.content.shown] == (["a.md"] if published else [])
    assert ("a/index.html" in read_tree(tmp_path / "output")) == published


LINES = st.sampled_from(
    ["Title: A", " Status: draft", "   Slug: s", "    more", "\tmore", "", "  ", "---", "...", "x", "Key:", "a b: c",
     "Status: published", "\ufeffTitle: B", "Summary: one\r", "Tags: a, b\u2028c"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=8), st.sampled_from(["\n", "\r\n", "\r"]))
def test_the_header_is_what_the_markdown_meta_extension_reads(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    md = markdown.Markdown(extensions=["meta"])
    md.convert(text.removeprefix("\ufeff"))  # Pelican opens files as utf-8-sig
    ours, _ = metadata(text)
    assert {key: [value for _, value in values] for key, values in ours.items()} == getattr(md, "Meta", {})


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        (
            "content/articles/a.md",
            "Title: A\nDate: 2026-01-01\n Status: skip\n\nBody\n",
            "content/articles/a.md:3: Status: expected one of draft, published, hidden; got 'skip'",
        ),
        (
            "content/pages/about.md",
            "Title: About\nSlug: directory\n\nBody\n",
            "content/pages/about.md:2: Slug: expected a page slug that no site URL uses; got /directory/",
        ),
        (
            "content/pages/Partners.md",
            "Title: Partners\n\nBody\n",
            "content/pages/Partners.md:1: file name: expected a page name that no site URL uses; got /partners/ "
            "(rename the file)",
        ),
        (
            "content/pages/about.md",
            "Title: About\nSave_as: partners.json\n\nBody\n",
            "content/pages/about.md:2: Save_as: expected no Save_as: (Vouch writes every article and page where "
            "ARTICLE_SAVE_AS or PAGE_SAVE_AS says); got 'partners.json', where the site writes its own partners.json",
        ),
        (
            "content/articles/a.md",
            "Title: A\nDate: 2026-01-01\nURL: feeds/articles.atom.xml\n\nBody\n",
            "content/articles/a.md:3: URL: expected no URL: (Vouch links every article and page where ARTICLE_URL "
            "or PAGE_URL says); got 'feeds/articles.atom.xml', where the site writes its own feeds/",
        ),
        (
            "content/articles/a.md",
            "Title: Boilers\n    in winter\nDate: 2026-01-01\n\nBody\n",
            "content/articles/a.md:2: Title: expected the title on one line; got a second (an indented line "
            "continues the one above, and Pelican would show both as a list)",
        ),
    ],
)
def test_metadata_is_checked_as_pelican_reads_it(tmp_path: Path, rel: str, text: str, expected: str) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {rel: text})
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [expected]


def test_an_articles_slug_is_pelicans_wherever_its_url_is_written(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/a.md": "Title: A\nDate: 2026-11-01\nSlug: fresh-start\n\nBody\n",
            "content/articles/Winter Boilers.md": "Title: B\nDate: 2026-11-02\n\nBody\n",
            "content/newsletter/n.md": "Title: News of the month\nDate: 2026-11-10\n\nHello.\n",
        },
    )
    result = build(tmp_path)
    assert sorted(item.slug for item in result.report.content.shown if item.kind == "articles") == [
        "fresh-start",
        "winter-boilers",
    ]
    issue = (tmp_path / "mail/n/message.html").read_text()
    assert "/articles/fresh-start/" in issue and "/articles/winter-boilers/" in issue
    assert (tmp_path / "output/articles/fresh-start/index.html").exists()
