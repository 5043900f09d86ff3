"""Vouch's settings are checked like profiles: a wrong one is named with its line, before anything is read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sitekit import PELICANCONF, REPO, make_site, read_tree, vetted
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
        ('PRINT_PAGES = "no"', "PRINT_PAGES: expected True or False; got 'no'"),
        ("VETTING_VALID_DAYS = 0", "VETTING_VALID_DAYS: expected a whole number of at least 1; got 0"),
        ('FEED_MAX_ITEMS = "50"', "FEED_MAX_ITEMS: expected a whole number of at least 1; got '50'"),
        ('PHONE_REGION = "UK"', "PHONE_REGION: expected a two-letter region code such as GB, IE or US; got 'UK'"),
        (
            'DEFAULT_LANG = "English"',
            "DEFAULT_LANG: expected a BCP 47 language tag such as en, en-GB or zh-CN (what html lang and feeds say); "
            "got 'english'",
        ),
        (
            'PAGE_PATHS = ["articles"]',
            "PAGE_PATHS: expected folders ARTICLE_PATHS does not name (a file there would be read as both an "
            "article and a page); got 'articles' in both",
        ),
        (
            'ARTICLE_PATHS = ["newsletter/welcome"]',
            "ARTICLE_PATHS: expected folders outside newsletter/ (issues and welcome/ are the newsletter's, never "
            "articles or pages); got 'newsletter/welcome'",
        ),
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


def test_default_lang_is_written_as_a_bcp_47_tag_whatever_its_spelling(tmp_path: Path) -> None:
    """Pelican lower-cases DEFAULT_LANG and locale names use ``_``: ``zh_CN`` is written ``zh-CN``."""
    from vouch.settings import VouchSettings

    assert VouchSettings.of({"DEFAULT_LANG": "zh_cn"}).default_lang == "zh-CN"
    make_site(tmp_path, {"harbour": vetted("Harbour")})
    (tmp_path / "pelicanconf.py").write_text(PELICANCONF + 'DEFAULT_LANG = "zh_CN"\n')
    build(tmp_path, search=False)
    assert '<html lang="zh-CN">' in (tmp_path / "output/index.html").read_text(encoding="utf-8")
    assert 'xml:lang="zh-CN"' in (tmp_path / "output/feeds/articles.atom.xml").read_text(encoding="utf-8")


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


def _project_with_private_files(root: Path) -> Path:
    """A site with a theme of its own, private/ and a .git beside content/: what path settings must not reach."""
    make_site(root, {"harbour": vetted("Harbour")}, {"content/images/logo.png": b"\x89PNG\r\n"})
    shutil.copytree(REPO / "theme", root / "theme")
    (root / "private").mkdir()
    (root / "private/subscribers.csv").write_text("email,name\nann@example.org,Ann\n")
    (root / ".git").mkdir()
    (root / ".git/config").write_text("[core]\n")
    return root


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'THEME_STATIC_PATHS = ["static", "../private"]',
            "THEME_STATIC_PATHS: expected paths inside the theme (theme/); got '../private', which leads to private/",
        ),
        (
            'THEME_STATIC_PATHS = ["{root}/private/subscribers.csv"]',
            "THEME_STATIC_PATHS: expected paths inside the theme (theme/); got '{root}/private/subscribers.csv', "
            "which leads to private/subscribers.csv",
        ),
        (
            'STATIC_PATHS = ["images", "../private"]',
            "STATIC_PATHS: expected paths inside content/ (PATH); got '../private', which leads to private/",
        ),
        (
            'ARTICLE_PATHS = ["articles", "../.git"]',
            "ARTICLE_PATHS: expected paths inside content/ (PATH); got '../.git', which leads to .git/",
        ),
        (
            'PAGE_PATHS = ["../partners"]',
            "PAGE_PATHS: expected paths inside content/ (PATH); got '../partners', which leads to partners/",
        ),
        (
            'EXTRA_PATH_METADATA = {"../private/subscribers.csv": {"path": "subscribers.csv"}}',
            "EXTRA_PATH_METADATA: expected paths inside content/ (PATH); got '../private/subscribers.csv', "
            "which leads to private/subscribers.csv",
        ),
        (
            'THEME_TEMPLATES_OVERRIDES = ["private"]',
            "THEME_TEMPLATES_OVERRIDES: expected folders outside private/, .git/ and partners/; got 'private', "
            "which is private/",
        ),
        (
            'THEME = "private/theme"',
            "THEME: expected a folder outside private/, .git/ and partners/; got 'private/theme', "
            "which lies inside private/",
        ),
        (
            'THEME = "."',
            "THEME: expected a folder outside private/, .git/ and partners/; got '.', which contains private/, .git/ "
            "and partners/",
        ),
        (
            'PATH = "."',
            "PATH: expected a folder outside private/, .git/ and partners/; got '.', which contains private/, .git/ "
            "and partners/",
        ),
    ],
)
def test_a_path_setting_that_reaches_outside_content_or_the_theme_is_named_with_its_line(
    tmp_path: Path, line: str, expected: str
) -> None:
    root = _project_with_private_files(tmp_path / "site")
    if "private/theme" in line:
        shutil.copytree(root / "theme", root / "private/theme")
    line, expected = line.replace("{root}", str(root)), expected.replace("{root}", str(root))
    settings = root / "pelicanconf.py"
    settings.write_text(PELICANCONF + "\n" + line + "\n")
    number = settings.read_text().splitlines().index(line) + 1
    with pytest.raises(ValidationFailed) as failed:
        build(root)
    assert [str(p).removeprefix(f"{root}/") for p in failed.value.problems] == [f"pelicanconf.py:{number}: {expected}"]
    assert not (root / "output").exists()


def test_path_settings_inside_content_and_the_theme_build(tmp_path: Path) -> None:
    root = _project_with_private_files(tmp_path / "site")
    (root / "templates").mkdir()
    (root / "pelicanconf.py").write_text(
        PELICANCONF + 'STATIC_PATHS = ["images", "./images/../images"]\n'
        'THEME_STATIC_PATHS = ["static", "static/../static"]\nTHEME_TEMPLATES_OVERRIDES = ["templates"]\n'
        'EXTRA_PATH_METADATA = {"images/logo.png": {"path": "logo.png"}}\n'
    )
    build(root)
    assert (root / "output/theme/site.css").is_file()
    assert not [path for path in read_tree(root / "output") if "subscribers" in path]


def test_a_symlink_out_of_a_template_override_folder_is_named(tmp_path: Path) -> None:
    root = _project_with_private_files(tmp_path / "site")
    (root / "templates").mkdir()
    (root / "templates/list.html").symlink_to(root / "private/subscribers.csv")
    (root / "pelicanconf.py").write_text(PELICANCONF + 'THEME_TEMPLATES_OVERRIDES = ["templates"]\n')
    with pytest.raises(ValidationFailed) as failed:
        build(root)
    assert [str(p).removeprefix(f"{root}/") for p in failed.value.problems] == [
        f"templates/list.html:1: symlink: expected a link to a file or folder inside templates/; got a link to "
        f"{root}/private/subscribers.csv (nothing outside is published)"
    ]
