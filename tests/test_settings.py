"""Vouch's settings are checked like profiles: a wrong one is named with its line, before anything is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitekit import PELICANCONF, make_site, read_tree, vetted
from vouch.problems import ValidationFailed
from vouch_site.build import build


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'NEWSLETTER_UNSUBSCRIBE_URL = "http://lists.example/u?e={email}"',
            "NEWSLETTER_UNSUBSCRIBE_URL: expected an https URL (one-click unsubscribe requires https); "
            "got 'http://lists.example/u?e={email}'",
        ),
        (
            'SUBSCRIBE_URL = "lists.example/join"',
            "SUBSCRIBE_URL: expected the http(s) address of a sign-up form; got 'lists.example/join'",
        ),
        (
            'SITEURL = "partners.example.org"',
            "SITEURL: expected the site's public address, such as "
            "https://partners.example.org; got 'partners.example.org'",
        ),
        (
            'NEWSLETTER_FROM = "news at example"',
            "NEWSLETTER_FROM: expected an e-mail address, optionally with a name: "
            "'News <news@example.org>'; got 'news at example'",
        ),
        ("VETTING_VALID_DAYS = 0", "VETTING_VALID_DAYS: expected a whole number of at least 1; got 0"),
        ('FEED_MAX_ITEMS = "50"', "FEED_MAX_ITEMS: expected a whole number of at least 1; got '50'"),
        ('PHONE_REGION = "UK"', "PHONE_REGION: expected a two-letter region code such as GB, IE or US; got 'UK'"),
        (
            'TIMEZONE = "Europe/Londres"',
            "TIMEZONE: expected a time zone name such as Europe/London or UTC; got 'Europe/Londres'",
        ),
    ],
)
def test_a_wrong_setting_fails_the_build_naming_file_line_and_expectation(
    tmp_path: Path, line: str, expected: str
) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")})
    settings = tmp_path / "pelicanconf.py"
    settings.write_text(PELICANCONF + "\n" + line + "\n")
    number = settings.read_text().splitlines().index(line) + 1
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [str(p).removeprefix(f"{tmp_path}/") for p in failed.value.problems] == [
        f"pelicanconf.py:{number}: {expected}"
    ]
    assert not (tmp_path / "output").exists()


def test_without_siteurl_the_build_works_and_says_where_links_point(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")})
    (tmp_path / "pelicanconf.py").write_text('SITENAME = "Test"\n')
    result = build(tmp_path)
    assert "warning: SITEURL is not set in pelicanconf.py" in result.summary()
    tree = read_tree(tmp_path / "output")
    assert (
        b'<link rel="canonical" href="http://localhost:8000/partners/harbour/">' in tree["partners/harbour/index.html"]
    )
    assert b"<id>http://localhost:8000/" in tree["feeds/partners.atom.xml"]


def test_a_site_listing_the_plugins_old_name_still_builds_with_a_one_line_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from vouch_site.config import load_settings

    make_site(tmp_path, {"harbour": vetted("Harbour")})
    with (tmp_path / "pelicanconf.py").open("a") as conf:
        conf.write('PLUGINS = ["vouch_partners"]\n')
    assert load_settings(tmp_path)["PLUGINS"] == ["vouch_pages"]
    assert "PLUGINS names vouch_partners, now called vouch_pages" in caplog.text
    build(tmp_path)
    assert (tmp_path / "output/partners/harbour/index.html").is_file()
