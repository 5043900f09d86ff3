"""Articles and pages: Vouch's own metadata checks, drafts, future dates, collisions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.sitekit import make_site, read_tree, readable_tree, vetted
from vouch.problems import ValidationFailed
from vouch_site.build import build


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        (
            "content/articles/a.md",
            "Date: 2026-01-01\n\nBody\n",
            "content/articles/a.md:1: Title: expected a title line such as 'Title: How to brief a tradesperson'; got nothing",
        ),
        (
            "content/articles/a.md",
            "Title: A\n\nBody\n",
            "content/articles/a.md:1: Date: expected a date line such as 'Date: 2026-09-14' (or DEFAULT_DATE, or a date that FILENAME_METADATA reads); got nothing",
        ),
        (
            "content/articles/a.md",
            "Title: A\nDate: 14/13/2026\n\nBody\n",
            "content/articles/a.md:2: Date: expected a date such as 2026-09-14, 2026-09-14 10:30 or 14 Sep 2026; got '14/13/2026'",
        ),
        (
            "content/articles/a.md",
            "Title: A\nDate: 2026-01-01\nModified: soon\n\nBody\n",
            "content/articles/a.md:3: Modified: expected a date such as 2026-09-14, 2026-09-14 10:30 or 14 Sep 2026; got 'soon'",
        ),
        (
            "content/articles/a.md",
            "Title: A\nDate: 2026-01-01\nStatus: skip\n\nBody\n",
            "content/articles/a.md:3: Status: expected one of draft, published, hidden; got 'skip'",
        ),
        (
            "content/articles/a.md",
            "Title: A\nDate: 2026-01-01\nPartners: harbour, nobody\n\nBody\n",
            "content/articles/a.md:3: Partners: expected the slug of a profile in partners/; got 'nobody'",
        ),
        (  # review of stop 27: Pelican's HTML reader made a list of it and a traceback reached the editor
            "content/articles/two.html",
            '<html><head><title>Two</title>\n<meta name="date" content="2026-01-01">\n'
            '<meta name="date" content="2026-02-01">\n</head><body><p>Text</p></body></html>\n',
            'content/articles/two.html:3: date: expected one <meta name="date">; got a second one (the first on line 2)',
        ),
        (
            "content/pages/directory.md",
            "Title: Directory\n\nBody\n",
            "content/pages/directory.md:1: file name: expected a page name that no site URL uses; got /directory/ (rename the file)",
        ),
    ],
)
def test_bad_metadata_fails_the_build_with_file_and_line(tmp_path: Path, rel: str, text: str, expected: str) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {rel: text})
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [expected]


def test_all_content_and_profile_problems_are_reported_together(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": "name: H\nstatus: yes\ncategory: plumbing\n"},
        {"content/articles/a.md": "Date: nope\n\nx\n", "content/pages/b.md": "Title: B\n\n{partner}ghost\n"},
    )
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [f"{p.path.name}:{p.line}:{p.field}" for p in failed.value.problems] == [
        "a.md:1:Date",
        "a.md:1:Title",
        "b.md:3:partner reference",
        "harbour.yaml:2:status",
    ]


def test_a_broken_profile_is_reported_once_not_as_unknown_wherever_it_is_named(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "harbour": "name: H\nstaus: vetted\ncategory: plumbing\n",
            "quay": vetted("Q", description="{partner}harbour"),
        },
        {"content/articles/a.md": "Title: A\nDate: 2026-01-01\nPartners: harbour\n\nSee {partner}harbour.\n"},
    )
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [f"{p.path.name}:{p.line}:{p.field}" for p in failed.value.problems] == [
        "harbour.yaml:1:status",
        "harbour.yaml:2:staus",
    ]


def test_drafts_and_future_articles_are_not_written_anywhere(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/live.md": "Title: Live one\nDate: 2026-11-25\n\nNow.\n",
            "content/articles/draft.md": "Title: Draft one\nDate: 2026-01-01\nStatus: draft\n\nSoon.\n",
            "content/articles/later.md": "Title: Later one\nDate: 2026-11-26\n\nTomorrow.\n",
        },
    )
    build(tmp_path)
    tree = read_tree(tmp_path / "output")
    assert "articles/live/index.html" in tree
    blob = b"".join(tree.values())
    assert b"Draft one" not in blob and b"Later one" not in blob
    assert not [rel for rel in tree if "draft" in rel or "later" in rel]


def test_articles_index_paginates_and_profiles_show_featured_in(tmp_path: Path) -> None:
    files = {
        f"content/articles/a{i}.md": f"Title: Article {i}\nDate: 2026-01-{i + 1:02d}\nPartners: harbour\n\nText.\n"
        for i in range(3)
    }
    make_site(tmp_path, {"harbour": vetted("Harbour")}, files)
    build(tmp_path, overrides={"DEFAULT_PAGINATION": 2})
    out = tmp_path / "output"
    first = (out / "articles/index.html").read_text()
    assert "Article 2" in first and "Article 1" in first and "Article 0" not in first
    assert "Article 0" in (out / "articles/page/2/index.html").read_text()
    profile = (out / "partners/harbour/index.html").read_text()
    assert "Featured in" in profile and '<a href="../../articles/a0/">Article 0</a>' in profile


def test_an_item_linking_a_draft_withheld_or_future_item_is_withheld_too(tmp_path: Path) -> None:
    pending = {"name": "Moorview", "status": "pending", "category": "plumbing"}
    head = "Title: {}\nDate: 2026-11-01\n\n"
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour"), "moorview": pending},
        {
            "content/articles/draft.md": "Title: zqdraftq\nDate: 2026-11-01\nStatus: draft\n\nSoon.\n",
            "content/articles/secret.md": head.format("zqsecretq") + "Ask {partner}moorview.\n",
            "content/articles/later.md": "Title: zqlaterq\nDate: 2026-12-24\n\nLater.\n",
            "content/articles/fine.md": head.format("Fine") + "Fine.\n",
            "content/articles/a.md": head.format("zqaq") + "See [this]({filename}draft.md).\n",
            "content/articles/b.md": head.format("zqbq") + "See [this]({filename}/articles/secret.md).\n",
            "content/articles/c.md": head.format("zqcq") + "See [this]({filename}b.md).\n",  # withheld in turn
            "content/articles/d.md": head.format("zqdq") + '<a href="{filename}later.md">soon</a>\n',
            "content/articles/e.md": head.format("Linked") + "See [fine]({filename}fine.md).\n",
            "content/pages/p.md": "Title: zqpq\n\nSee [this]({filename}../articles/draft.md).\n",
            "content/newsletter/n.md": "Title: News of the month zqnq\nDate: 2026-11-02\n\n"
            "See [this]({filename}../articles/draft.md).\n",
        },
    )
    result = build(tmp_path)
    tree = read_tree(tmp_path / "output") | read_tree(tmp_path / "mail")
    assert '<a href="../../articles/fine/">fine</a>' in tree["articles/e/index.html"].decode()
    assert not [rel for rel, data in tree.items() if b"drafts/" in data or re.search(rb"zq[a-z]+q", data)]
    withheld = {path.name: [t.name for t in targets] for path, targets in result.report.content.linking.items()}
    assert withheld == {
        "a.md": ["draft.md"],
        "b.md": ["secret.md"],
        "c.md": ["b.md"],
        "d.md": ["later.md"],
        "n.md": ["draft.md"],
        "p.md": ["draft.md"],
    }
    assert "withheld: 6 items link an item that is not published (invoke check lists them)" in result.summary()


def test_html_comments_in_articles_and_pages_reach_no_page_or_feed(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/a.md": "Title: A\nDate: 2026-11-01\nSummary: Short. <!-- zqsummaryq -->\n\n"
            "Text <!-- zqinlineq --> more.\n\n<!--\nzqblockq: call back on Monday\n-->\n\nEnd.\n",
            "content/articles/b.md": "Title: B\nDate: 2026-11-02\n\nText.\n\n<!-- zqbq -->\n",
            "content/pages/p.md": "Title: P\n\nAbout.\n\n<!-- zqpageq -->\n",
        },
    )
    build(tmp_path)
    tree = readable_tree(tmp_path / "output")
    assert "articles/a/index.html" in tree and "p/index.html" in tree
    assert not [rel for rel, data in tree.items() if re.search(rb"zq[a-z]+q", data)]
    assert b"Text  more." in tree["articles/a/index.html"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"content/articles/guide.md/part.md": "Title: Part\nDate: 2026-01-01\n\nx\n"},
            "content/articles/guide.md:1: file: expected a Markdown file; got a folder named like one (rename it)",
        ),
        (
            {"content/articles/a.md": b"Title: Caf\xe9 culture\nDate: 2026-01-01\n\nx\n"},
            "content/articles/a.md:1: file: expected UTF-8 text; got an undecodable byte at offset 10 "
            "(save the file as UTF-8)",
        ),
        (
            {"content/articles/a.md": "Title: A\nDate: 2026-01-01\n\n\u00e9t\u00e9\n".encode() + b"\xff\n"},
            "content/articles/a.md:5: file: expected UTF-8 text; got an undecodable byte at offset 33 "
            "(save the file as UTF-8)",
        ),
        (
            {"content/articles/a.md": "Title: A\nDate: 2026-01-01\nTemplate: artcle\n\nx\n"},
            "content/articles/a.md:3: Template: expected a template for articles in the theme's templates/ "
            "folder, such as article; got 'artcle' (did you mean 'article'?)",
        ),
        (
            {"content/pages/p.md": "Title: P\nTemplate: article\n\nx\n"},
            "content/pages/p.md:2: Template: expected a template for pages in the theme's templates/ "
            "folder, such as page; got 'article'",
        ),
        (
            {"content/pages/p.md": "Title: P\nTemplate: partner\n\nx\n"},
            "content/pages/p.md:2: Template: expected a template for pages in the theme's templates/ "
            "folder, such as page; got 'partner'",
        ),
    ],
)
def test_unreadable_items_are_problems_with_file_and_line(
    tmp_path: Path, files: dict[str, str | bytes], expected: str
) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, files)
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [expected]


def test_a_template_the_site_adds_may_be_named(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/pages/p.md": "Title: P\nTemplate: wide\n\nx\n",
            "overrides/wide.html": '{% extends "page.html" %}{% block title %}Wide {{ page.title }}{% endblock %}',
        },
    )
    build(tmp_path, overrides={"THEME_TEMPLATES_OVERRIDES": [str(tmp_path / "overrides")]})
    assert "<title>Wide P" in (tmp_path / "output/p/index.html").read_text()


def test_symlink_loops_are_problems_not_a_walk_without_end(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/images/x.svg": "<svg/>", "content/c/x.txt": "x"})
    content = tmp_path / "content"
    (content / "images/up").symlink_to("..", target_is_directory=True)
    (content / "images/self").symlink_to("self")
    (content / "images/gone.svg").symlink_to("nowhere.svg")
    (content / "a").mkdir()
    (content / "a/b").symlink_to("../c", target_is_directory=True)
    (content / "c/d").symlink_to("../a", target_is_directory=True)
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [
        f"content/a/b:1: symlink: expected a link to a file or folder; got a loop back to {content / 'c'}",
        f"content/c/d:1: symlink: expected a link to a file or folder; got a loop back to {content / 'a'}",
        "content/images/gone.svg:1: symlink: expected a link to a file or folder; got a link to nowhere.svg, "
        "which does not exist",
        "content/images/self:1: symlink: expected a link to a file or folder; got a link that leads to itself",
        f"content/images/up:1: symlink: expected a link to a file or folder; got a loop back to {content}",
    ]


def test_an_item_over_the_size_limit_is_a_problem_not_a_slow_build(tmp_path: Path) -> None:
    head = "Title: Big\nDate: 2026-01-01\n\n"
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/big.md": head + "x" * (1_000_001 - len(head)),
            "content/newsletter/big.md": head + "word " * 300_000,
            "content/pages/fits.md": "Title: Fits\n\n" + "y" * (1_000_000 - 13),
        },
    )
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [
        "content/articles/big.md:1: file: expected at most 1 MB (1,000,000 bytes) in an article, page or issue; "
        "got 1,000,001 bytes (link large material as a file instead)",
        "content/newsletter/big.md:1: file: expected at most 1 MB (1,000,000 bytes) in an article, page or issue; "
        "got 1,500,029 bytes (link large material as a file instead)",
    ]
