"""Digest windows, the rendered e-mail, pre-send checks and the web archive."""

from __future__ import annotations

import datetime as dt
import email
import re
from email.policy import default
from pathlib import Path

import pytest

from tests.sitekit import make_site, read_tree, vetted
from vouch.newsletter.digest import DigestArticle, Window, digest, window_for
from vouch.public import Partner
from vouch.publication import publish
from vouch.render.email import RenderedIssue, Slotted
from vouch.render.email_checks import pre_send_findings
from vouch_site.build import build

D = dt.date


def test_first_issue_looks_back_the_cadence() -> None:
    assert window_for(D(2026, 10, 1), [D(2026, 10, 1)], 30) == Window(D(2026, 9, 1), D(2026, 10, 1))


def test_consecutive_issues_start_where_the_previous_published_one_ended() -> None:
    published = [D(2026, 10, 1), D(2026, 11, 1)]
    assert window_for(D(2026, 11, 1), published, 30) == Window(D(2026, 10, 1), D(2026, 11, 1))
    assert window_for(D(2026, 12, 1), published, 30) == Window(D(2026, 11, 1), D(2026, 12, 1))


def _partner(slug: str, vetted_on: str, review_by: str = "2030-01-01") -> Partner:
    from vouch.model import ProfileFile
    from vouch.profiles import Profile

    data = vetted(slug.title(), vetted_on=vetted_on, review_by=review_by)
    return Profile(slug, Path(f"{slug}.yaml"), ProfileFile.model_validate(data), D.fromisoformat(review_by))


def test_boundary_dates_belong_to_the_later_issue_and_lapsed_partners_are_left_out() -> None:
    window = Window(D(2026, 10, 1), D(2026, 11, 1))
    profiles = [
        _partner("on-start", "2026-10-01"),  # previous issue's day: already announced
        _partner("on-end", "2026-11-01"),  # this issue's day: included
        _partner("inside", "2026-10-15"),
        _partner("lapsed", "2026-10-10", review_by="2026-10-20"),  # vetted in the window, lapsed since
    ]
    partners = publish(profiles, D(2026, 11, 1))
    found = digest(window, [], partners, 10)
    assert [p.url for p in found.partners] == ["partners/on-end/", "partners/inside/"]


def test_digest_is_capped_with_a_count_of_the_rest() -> None:
    articles = [DigestArticle(f"A{i}", f"articles/a{i}/", D(2026, 10, 2 + i), None) for i in range(5)]
    found = digest(Window(D(2026, 10, 1), D(2026, 11, 1)), articles, [], 2)
    assert [a.title for a in found.articles] == ["A4", "A3"] and found.more_articles == 3


GREETING, UNSUBSCRIBE = "[greeting]", "[unsubscribe_url]"


def slotted(part: str) -> Slotted:
    """``part`` cut at [greeting] and [unsubscribe_url], as render_issue cuts a rendered part at its slots."""
    cut = re.split(r"\[(greeting|unsubscribe_url)\]", part)
    return Slotted(tuple(cut[0::2]), tuple(cut[1::2]))


def rendered(**changes: str) -> RenderedIssue:
    html = (
        f'<p>{GREETING}</p><p><a href="https://x.example/a/">a</a> <img src="https://x.example/i.png" alt="Logo"></p>'
        f'<a href="{UNSUBSCRIBE}">Unsubscribe</a>'
    )
    base = {"slug": "nov", "subject": "Two new partners this month", "status": "published", "html": html,
            "text": f"{GREETING}\nUnsubscribe: {UNSUBSCRIBE}\n"}  # fmt: skip
    fields = base | changes
    return RenderedIssue(**fields | {"html": slotted(fields["html"]), "text": slotted(fields["text"])})


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"status": "draft"}, ["status: the issue is a draft: set 'Status: published' to send it"]),
        ({"subject": "Hi there"}, ["subject: expected 10-78 characters; got 8"]),
        ({"subject": "x" * 79}, ["subject: expected 10-78 characters; got 79"]),
        ({"text": f"TODO add intro\n{UNSUBSCRIBE}"}, ["placeholders: unfinished text: TODO"]),
        (
            {"html": f'<a href="../about/">About</a><a href="http://x.example/">x</a><a href="{UNSUBSCRIBE}">u</a>'},
            ["links: expected absolute https, mailto: or tel: links; got ../about/, http://x.example/"],
        ),
        (
            {"html": f'<img src="https://x/i.png"><a href="{UNSUBSCRIBE}">u</a>'},
            ["images: 1 image(s) without alt text"],
        ),
        ({"text": "no link here"}, ["unsubscribe: the unsubscribe link is missing from the HTML or the text part"]),
        (
            {"html": f'<a href="{UNSUBSCRIBE}">u</a>' + "x" * 110_000},
            ["size: expected the HTML under 100 KB; got 107 KB"],
        ),
    ],
)
def test_pre_send_checks(changes: dict, expected: list[str]) -> None:
    assert [str(f) for f in pre_send_findings(rendered(**changes))] == expected


def test_demo_previews_are_complete_small_and_reproducible(demo_site: Path, tmp_path: Path) -> None:
    mail = demo_site / "mail"
    assert sorted(p.name for p in mail.iterdir()) == ["december-2026", "november-2026", "october-2026", "welcome"]
    assert sorted(p.name for p in (mail / "welcome").iterdir()) == ["01-welcome", "02-how-we-vet", "03-refer-a-friend"]
    html = (mail / "november-2026/message.html").read_text()
    assert len(html.encode()) < 100 * 1024
    assert "<script" not in html and 'rel="stylesheet"' not in html
    assert 'style="' in html and "prefers-color-scheme: dark" in html  # inlined, dark mode kept
    assert "&#34;" not in html and "&quot;" not in html.split("<body")[0]  # the CSS is CSS, not escaped text
    body_style = re.search(r'<body[^>]*style="([^"]*)"', html).group(1)
    assert "font-size: 16px" in body_style and "line-height: 1.55" in body_style and "Segoe UI" in body_style
    assert "Tidewater Cleaning Co" in html and "How to read a quote" in html  # the computed digest
    text = (mail / "november-2026/message.txt").read_text()
    assert "[1]: https://trusted.southhams.example/" in text
    message = email.message_from_bytes((mail / "november-2026/message.eml").read_bytes(), policy=default)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert [p["MIME-Version"] for p in message.iter_parts()] == [None, None]  # the message's header only
    assert message["List-Id"] == '"South Hams Trusted Traders" <newsletter.trusted.southhams.example>'
    assert "x-apple-disable-message-reformatting" in html and "<!--[if mso]>" in html
    again = build(demo_site, tmp_path / "output")
    assert read_tree(again.output.with_name("mail")) == read_tree(mail)


def test_web_archive_and_feed_carry_published_issues_only(demo_output: Path) -> None:
    index = (demo_output / "newsletter/index.html").read_text()
    assert "Storm season checklist" in index
    assert not (demo_output / "newsletter/december-2026").exists()  # a draft
    issue = (demo_output / "newsletter/november-2026/index.html").read_text()
    assert '<a href="../../partners/tidewater-cleaning/">Tidewater Cleaning Co</a>' in issue
    assert "Subscribe" in issue and "Subscribe" in (demo_output / "index.html").read_text()


def test_an_issue_naming_an_unpublished_partner_is_neither_previewed_nor_archived(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"quay": vetted("Quay Drains") | {"status": "suspended"}},
        {"content/newsletter/n.md": "Title: News of the month here\nDate: 2026-11-01\n\nMeet {partner}quay.\n"},
    )
    build(tmp_path)
    assert not (tmp_path / "mail/n").exists()
    assert not (tmp_path / "output/newsletter/n").exists()


def test_the_preview_shows_the_unsubscribe_setting_as_written(tmp_path: Path) -> None:
    make_site(tmp_path, {}, {"content/newsletter/n.md": "Title: News of the month here\nDate: 2026-11-01\n\nHi.\n"})
    build(tmp_path, overrides={"NEWSLETTER_UNSUBSCRIBE_URL": "https://lists.example/u?e={email}"})
    text = (tmp_path / "mail/n/message.txt").read_text()
    assert "https://lists.example/u?e={email}" in text and "%7Bemail%7D" not in text
    message = email.message_from_bytes((tmp_path / "mail/n/message.eml").read_bytes(), policy=default)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
