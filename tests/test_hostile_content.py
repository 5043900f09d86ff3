"""Hostile and careless content: notes in comments, colliding URLs, control characters, odd files.

The outside review of 2026-12-01 (second round) broke these on the landed demo; each test
names the spelling it used.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import pytest

from tests.sitekit import DEMO_EPOCH, REPO, make_site, read_tree, readable_tree, run_invoke, vetted
from vouch.comments import strip_comments
from vouch.problems import ValidationFailed, relative_to
from vouch_site.build import build, validate_only

T = TypeVar("T")

# The reviewer's spellings: a comment that smarty used to escape (it spans paragraphs, inline),
# one that "--!>" ends (the words after it are visible), and one that never ends.
NOTES = (
    "Some text <!-- zqinlineq note\nspanning\n\nparagraphs --> after.\n\n"
    "<!-- zqbangq --!> Visible words.\n\n"
    "Final words.\n\n"
    "<!-- zqendq note: do not mention moorview yet\n\nmore of the note\n"
)


def test_notes_in_comments_reach_no_output_and_visible_words_stay(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/a.md": "Title: Advice <!-- zqtitleq -->\nDate: 2026-11-01\n"
            "Summary: Short <!-- zqsummaryq --> one.\n\n" + NOTES,
            "content/pages/p.md": "Title: About us\n\n" + NOTES,
            "content/newsletter/n.md": "Title: The November news <!-- zqsubjectq -->\nDate: 2026-11-20\n"
            "Summary: Preheader <!-- zqpreheaderq --> text\nStatus: published\n\n" + NOTES,
        },
    )
    build(tmp_path)
    tree = readable_tree(tmp_path / "output") | {f"mail/{k}": v for k, v in read_tree(tmp_path / "mail").items()}
    assert {"articles/a/index.html", "p/index.html", "newsletter/n/index.html", "mail/n/message.eml"} <= set(tree)
    assert not [rel for rel, data in tree.items() if re.search(rb"zq[a-z]+q|more of the note", data)]
    for rel in ("articles/a/index.html", "p/index.html", "newsletter/n/index.html", "mail/n/message.eml"):
        text = tree[rel].decode()
        assert "Some text  after." in text or "Some text after." in text, rel
        assert "Visible words." in text and "Final words." in text, rel
    assert "<title>Advice" in tree["articles/a/index.html"].decode()
    assert re.search(rb"<summary>Short +one.</summary>", tree["feeds/articles.atom.xml"])


@pytest.mark.parametrize(
    ("text", "keep_lines", "expected"),
    [
        ("a <!-- x --> b", False, "a  b"),
        ("a <!-- x --!> b", False, "a  b"),
        ("a <!--> b", False, "a  b"),
        ("a <!---> b", False, "a  b"),
        ("a <!-- x -- y --> b", False, "a  b"),
        ("a <!-- x\n\ny --> b\nc", False, "a  b\nc"),
        ("a <!-- x\n\ny --> b\nc", True, "a  b\n\n\nc"),
        ("a <!-- never ends\nb\n", False, "a "),
        ("a <!-- never ends\nb\n", True, "a \n\n"),
    ],
)
def test_a_comment_runs_as_far_as_an_html_parser_reads_it(text: str, keep_lines: bool, expected: str) -> None:
    assert strip_comments(text, keep_lines=keep_lines) == expected


def test_what_a_comment_hides_is_neither_a_reference_nor_a_link(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/a.md": "Title: A\nDate: 2026-11-01\n\nOld: <!-- ![x]({static}../images/old.png) -->\n",
            "content/articles/b.md": "Title: B\nDate: 2026-11-01\n\nAsk\n{partner}<!-- x --!>ghost.\n",
            "content/images/old.png": b"\x89PNG old",
        },
    )
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [
        "content/articles/b.md:5: partner reference: expected the slug of a profile in partners/; got 'ghost'"
    ]
    (tmp_path / "content/articles/b.md").unlink()
    build(tmp_path)
    assert not (tmp_path / "output/images/old.png").exists()


def test_two_items_at_one_url_are_both_problems_and_left_out_with_keep_going(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/dup1.md": "Title: Dup one\nDate: 2026-10-02\nSlug: dup\n\nx\n",
            "content/articles/dup2.md": "Title: Dup two\nDate: 2026-10-03\nSlug: dup\n\ny\n",
            "content/articles/fine.md": "Title: Fine\nDate: 2026-10-04\n\nz\n",
            "content/newsletter/a/news.md": "Title: News of the month\nDate: 2026-11-01\n\nHello.\n",
            "content/newsletter/b/news.md": "Title: News of another month\nDate: 2026-11-02\n\nHello.\n",
        },
    )
    expected = [
        "content/articles/dup1.md:3: Slug: expected a URL of its own; got 'dup': it is written to "
        "articles/dup/index.html, and so is content/articles/dup2.md",
        "content/articles/dup2.md:3: Slug: expected a URL of its own; got 'dup': it is written to "
        "articles/dup/index.html, and so is content/articles/dup1.md",
        "content/newsletter/a/news.md:1: file name: expected a URL of its own; got 'news': it is written to "
        "newsletter/news/index.html, and so is content/newsletter/b/news.md",
        "content/newsletter/b/news.md:1: file name: expected a URL of its own; got 'news': it is written to "
        "newsletter/news/index.html, and so is content/newsletter/a/news.md",
    ]
    assert [str(relative_to(p, tmp_path)) for p in validate_only(tmp_path).problems] == expected
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(relative_to(p, tmp_path)) for p in failed.value.problems] == expected
    result = build(tmp_path, keep_going=True)
    assert [str(relative_to(p, tmp_path)) for p in result.report.problems] == expected
    out = tmp_path / "output"
    assert (out / "articles/fine/index.html").exists()
    assert not (out / "articles/dup").exists() and not (out / "newsletter/news").exists()


@pytest.mark.parametrize("slug", ["404.html", "index.html", "partners.json", "sitemap.xml", "robots.txt"])
def test_a_page_written_where_the_site_writes_a_file_is_a_problem(tmp_path: Path, slug: str) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {"content/pages/p.md": f"Title: P\nSlug: {slug}\n\nx\n", "content/pages/fine.md": "Title: Fine\n\nx\n"},
    )
    expected = [
        f"content/pages/p.md:2: Slug: expected a URL of its own; got {slug!r}: it is written to "
        f"{slug}/index.html, and the site writes the file {slug}"
    ]
    assert [str(relative_to(p, tmp_path)) for p in validate_only(tmp_path).problems] == expected
    result = build(tmp_path, keep_going=True)
    assert [str(relative_to(p, tmp_path)) for p in result.report.problems] == expected
    assert (tmp_path / "output/fine/index.html").exists() and (tmp_path / f"output/{slug}").is_file()


ONE_LINE = "expected one line of text without control characters"
PROSE = "expected text without control characters (line breaks and tabs are fine)"


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        pytest.param(
            "content/articles/a.md",
            "Title: Boilers\x1b[2J now\nDate: 2026-10-01\n\nx\n",
            f"content/articles/a.md:1: Title: {ONE_LINE}; got 'Boilers\\x1b[2J now' (U+001B at character 8)",
            id="escape-in-title",
        ),
        pytest.param(
            "content/newsletter/n.md",
            "Title: News of the\x00 month\nDate: 2026-10-01\n\nx\n",
            f"content/newsletter/n.md:1: Title: {ONE_LINE}; got 'News of the\\x00 month' (U+0000 at character 12)",
            id="nul-in-subject",
        ),
        pytest.param(
            "content/newsletter/n.md",
            "Title: News of the\x85month\nDate: 2026-10-01\n\nx\n",
            f"content/newsletter/n.md:1: Title: {ONE_LINE}; got 'News of the\\x85month' (U+0085 at character 12)",
            id="next-line-in-subject",
        ),
        pytest.param(
            "content/newsletter/n.md",
            "Title: News of the month\nDate: 2026-10-01\nSummary: Read\u2028Bcc: all@example.org\n\nx\n",
            f"content/newsletter/n.md:3: Summary: {ONE_LINE}; got 'Read\\u2028Bcc: all@example.org' "
            "(U+2028 at character 5)",
            id="line-separator-in-preheader",
        ),
        pytest.param(
            "content/articles/a.md",
            "Title: A\nDate: 2026-10-01\nCategory: Home\x0bGarden\n\nx\n",
            f"content/articles/a.md:3: Category: {ONE_LINE}; got 'Home\\x0bGarden' (U+000B at character 5)",
            id="vertical-tab-in-category",
        ),
        pytest.param(
            "content/articles/a.md",
            "Title: A\nDate: 2026-10-01\nTags: a, b\x1cc\n\nx\n",
            f"content/articles/a.md:3: Tags: {ONE_LINE}; got 'a, b\\x1cc' (U+001C at character 5)",
            id="file-separator-in-tags",
        ),
        pytest.param(
            "content/pages/p.md",
            "Title: A\n\nFirst.\n\nSecond\x0cpage.\n",
            f"content/pages/p.md:5: text: {PROSE}; got 'Second\\x0cpage.' (U+000C at character 7)",
            id="form-feed-in-text",
        ),
        pytest.param(
            "content/newsletter/n.md",
            "Title: News of the month\nDate: 2026-10-01\n\nHello \x1b]8;;https://evil.example\x1b\\here.\n",
            f"content/newsletter/n.md:4: text: {PROSE}; got 'Hello \\x1b]8;;https://evil.example\\x1b\\\\here.' "
            "(U+001B at character 7)",
            id="escape-in-issue-text",
        ),
    ],
)
def test_control_characters_in_items_are_problems_not_tracebacks(
    tmp_path: Path, rel: str, text: str, expected: str
) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {rel: text, "content/pages/fine.md": "Title: Fine\n\nx\n"})
    assert [str(relative_to(p, tmp_path)) for p in validate_only(tmp_path).problems] == [expected]
    result = build(tmp_path, keep_going=True)
    assert [str(relative_to(p, tmp_path)) for p in result.report.problems] == [expected]
    assert (tmp_path / "output/fine/index.html").exists()
    assert not read_tree(tmp_path / "mail")  # the issue with the character is left out


@pytest.mark.parametrize("rel", ["content/articles/pipe.md", "content/images/pipe.png", "content/pipe.txt"])
def test_a_named_pipe_is_never_opened_but_named_in_a_problem(tmp_path: Path, rel: str) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/pages/fine.md": "Title: Fine\n\nx\n"})
    (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(tmp_path / rel)
    expected = [f"{rel}:1: file: expected a file or a folder; got a named pipe (it is never opened)"]
    assert [str(relative_to(p, tmp_path)) for p in run_briefly(validate_only, tmp_path).problems] == expected
    with pytest.raises(ValidationFailed) as failed:
        run_briefly(build, tmp_path)
    assert [str(relative_to(p, tmp_path)) for p in failed.value.problems] == expected
    result = run_briefly(partial(build, keep_going=True), tmp_path)
    assert [str(relative_to(p, tmp_path)) for p in result.report.problems] == expected
    assert (tmp_path / "output/fine/index.html").exists()


def test_a_deep_folder_tree_is_a_problem_not_a_recursion_error(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/pages/fine.md": "Title: Fine\n\nx\n"})
    folder = tmp_path / "content/images"
    for _ in range(1100):  # one at a time: os.makedirs itself recurses
        folder /= "d"
        folder.mkdir(parents=True)
    (folder / "x.png").write_bytes(b"png")
    request.addfinalizer(lambda: remove_deep(tmp_path / "content/images/d"))  # shutil.rmtree would recurse
    too_deep = "content/images" + "/d" * 100
    expected = [
        f"{too_deep}:1: folder: expected at most 100 folders one inside another; got more (nothing in it is read)"
    ]
    assert [str(relative_to(p, tmp_path)) for p in validate_only(tmp_path).problems] == expected
    result = build(tmp_path, keep_going=True)
    assert [str(relative_to(p, tmp_path)) for p in result.report.problems] == expected
    assert (tmp_path / "output/fine/index.html").exists()


def remove_deep(top: Path) -> None:
    """Remove a chain of folders from the bottom up, without recursion."""
    chain = [top]
    while subfolders := [p for p in chain[-1].iterdir() if p.is_dir() and not p.is_symlink()]:
        chain.append(subfolders[0])
    for folder in reversed(chain):
        for path in folder.iterdir():  # files only: the folder below is gone
            path.unlink()
        folder.rmdir()


def run_briefly(function: Callable[[Path], T], root: Path, seconds: int = 20) -> T:
    """``function(root)``, or a failure (not a test that hangs) if it blocks, as on opening a named pipe."""

    def alarm(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"blocked for {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        return function(root)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


DECIDED = "Vouch reads status, date and slug from each file's own header and checks them there: write them in the file"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            'DEFAULT_METADATA = {"status": "draft"}',
            f"pelicanconf.py:4: DEFAULT_METADATA: expected no 'status' ({DECIDED}); got {{'status': 'draft'}}",
        ),
        (
            'EXTRA_PATH_METADATA = {"articles/a.md": {"status": "draft", "slug": "b"}}',
            "pelicanconf.py:4: EXTRA_PATH_METADATA: expected no 'slug' or 'status' for articles/a.md "
            f"({DECIDED}); got {{'status': 'draft', 'slug': 'b'}}",
        ),
    ],
)
def test_metadata_settings_vouch_cannot_honour_are_refused_in_one_line(
    tmp_path: Path, setting: str, expected: str
) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/articles/a.md": "Title: A\nDate: 2026-10-01\n\nx\n"})
    with (tmp_path / "pelicanconf.py").open("a") as conf:
        conf.write(setting + "\n")
    for run in (validate_only, build, partial(build, keep_going=True)):
        with pytest.raises(ValidationFailed) as failed:
            run(tmp_path)
        assert [str(relative_to(p, tmp_path)) for p in failed.value.problems] == [expected]


def test_metadata_settings_for_other_keys_are_kept(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/articles/a.md": "Title: A\nDate: 2026-10-01\n\nx\n"})
    with (tmp_path / "pelicanconf.py").open("a") as conf:
        conf.write('DEFAULT_METADATA = {"author": "The network"}\n')
    build(tmp_path)
    assert (tmp_path / "output/articles/a/index.html").exists()


def test_file_names_with_line_breaks_print_on_one_line(tmp_path: Path) -> None:
    shutil.copy(REPO / "tasks.py", tmp_path / "tasks.py")
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour"), "moor": {"name": "Moor", "status": "pending", "category": "plumbing"}},
        {
            "content/images/a\nwarning: nothing else is wrong.png": b"png",
            "content/images/b\x1b[2K.png~": b"png",
            "content/images/c\udc9b2J.png": b"png",  # the byte 0x9b, not UTF-8: a C1 escape to some terminals
            "content/articles/later\nok.md": "Title: Soon\nDate: 2026-12-24\n\nx\n",
            "content/articles/held\nok.md": "Title: Held\nDate: 2026-11-01\n\nAsk {partner}moor.\n",
        },
    )
    env = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH}
    outputs = {}
    for command in ("check", "build"):
        result = run_invoke(tmp_path, command, env=env)
        assert result.returncode == 0, result.stderr
        lines = (result.stdout + result.stderr).splitlines()
        assert not [line for line in lines if line.startswith(("warning: nothing", "ok.md", ".png"))], lines
        assert "a\\nwarning: nothing else is wrong.png" in result.stdout
        outputs[command] = result.stdout
    check = outputs["check"]
    assert "scheduled: content/articles/later\\nok.md (published on 2026-12-24)" in check
    assert "withheld: content/articles/held\\nok.md (names unpublished moor)" in check
    assert "skipped: content/images/b\\x1b[2K.png~ (an editor's temporary file)" in check
    assert "not published: content/images/c\\udc9b2J.png (no published item or partner links it)" in check


def test_a_theme_link_that_leads_out_is_named_where_it_is(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"private/subscribers.csv": "email\nann@example.org\n"})
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    (tmp_path / "theme/static/subs.csv").symlink_to("../../private/subscribers.csv")
    (tmp_path / "content/images").mkdir()
    (tmp_path / "content/images/subs.csv").symlink_to(tmp_path / "private/subscribers.csv")
    target = tmp_path.resolve() / "private/subscribers.csv"
    expected = [
        f"content/images/subs.csv:1: symlink: expected a link to a file or folder inside content/; got a link to "
        f"{target} (nothing outside is published)",
        f"theme/static/subs.csv:1: symlink: expected a link to a file or folder inside theme/; got a link to "
        f"{target} (nothing outside is published)",
    ]
    assert [str(relative_to(p, tmp_path.resolve())) for p in validate_only(tmp_path).problems] == expected


def test_an_item_withheld_under_one_path_is_not_published_under_the_link_that_shows_its_twin(tmp_path: Path) -> None:
    """``beta/note.md`` links to ``alpha/note.md``: one file, two items. ``alpha/note.md`` links a draft and is
    withheld; ``beta/note.md`` links a published plan and is shown. The shown item's real path was the withheld
    one's too, which let the withheld page out, linking the draft by its URL (review of stop 29)."""
    conf = 'ARTICLE_URL = "{category}/{slug}/"\nARTICLE_SAVE_AS = "{category}/{slug}/index.html"\n'
    files = {
        "content/articles/alpha/note.md": "Title: Shared note\nDate: 2026-10-02\n\nSee [the plan]({filename}plan.md).\n",
        "content/articles/alpha/plan.md": "Title: Secret plan\nDate: 2026-10-01\nStatus: draft\n\nZqsecretq.\n",
        "content/articles/beta/plan.md": "Title: Public plan\nDate: 2026-10-01\n\nPublic.\n",
    }
    root = make_site(tmp_path, {"harbour": vetted("Harbour")}, files)
    (root / "pelicanconf.py").write_text((root / "pelicanconf.py").read_text() + conf)
    (root / "content/articles/beta/note.md").symlink_to("../alpha/note.md")
    result = build(root)
    assert [p.parent.name for p in result.report.content.linking] == ["alpha"]
    tree = readable_tree(result.output)
    assert [rel for rel, data in tree.items() if b"drafts/" in data or b"zqsecretq" in data.lower()] == []
    assert "alpha/note/index.html" not in tree and "beta/note/index.html" in tree
