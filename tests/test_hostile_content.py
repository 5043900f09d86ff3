"""Hostile and careless content: notes in comments, colliding URLs, control characters, odd files.

The outside review of 2026-12-01 (second round) broke these on the landed demo; each test
names the spelling it used.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.sitekit import make_site, read_tree, readable_tree, vetted
from vouch.markup import strip_comments
from vouch.problems import ValidationFailed
from vouch_site.build import build

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
