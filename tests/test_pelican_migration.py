"""A Pelican blog brought to Vouch: every file Pelican would read is published at its URL, or in a problem line.

``tests/fixtures/pelican_blog`` holds one file per Pelican feature (written for Vouch, not copied from
Pelican's samples); one build of it is shared by the assertions below.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import feedparser
import pytest

from tests.sitekit import make_site, vetted
from tests.test_feed_links import dead_links, feed_entry_links, links_in, mail_links
from vouch_site.build import build, validate_only
from vouch_site.summary import BuildResult

FIXTURE = Path(__file__).parent / "fixtures" / "pelican_blog"
SITEURL = "https://blog.example"

# Each file of the fixture blog, and the URL Pelican gives it.
AT_ITS_URL = {
    "rest-article.rst": ("misc/rest-article.html", "Boiler pressure, explained"),
    "boilers/boiler-myths.md": ("boilers/boiler-myths-busted.html", "Boiler myths, busted"),
    "Winter Boiler_Tips.markdown": ("misc/winter-boiler_tips.html", "Winter boiler tips"),
    "notes/radiators.mkd": ("notes/radiators.html", "Bleeding radiators"),
    "notes/tools.mdown": ("notes/tools.html", "A small tool kit"),
    "html-article.html": ("misc/html-article.html", "Written in HTML"),
    "2018-09-30-dated-by-name.md": ("misc/2018-09-30-dated-by-name.html", "Dated by its file name"),
    "dated/2018-09-29/dated-by-folder.md": ("2018-09-29/dated-by-folder.html", "Dated by its folder"),
    "links.md": ("misc/links.html", "Every kind of link"),
    "same-name.md": ("misc/same-name.html", "Same name, top folder"),
    "notes/same-name.md": ("notes/same-name.html", "Same name, notes folder"),
    "notes/written-lang.md": ("notes/written-lang.html", "Lang names the site&#39;s language"),
    "notes/hidden.md": ("notes/hidden.html", "Hidden from the lists"),
    "pages/about.rst": ("about/", "About this blog"),
    "pages/contact.md": ("contact/", "Contact"),
    "newsletter/december-2018.md": ("newsletter/december-2018/", "December news from the blog"),
}
NOT_WRITTEN = {  # file -> what must not be in output/ (its title)
    "draft-without-date.md": "Half written",
    "withheld.rst": "Moorview",
}


def blog(root: Path, extra: dict[str, str] | None = None) -> Path:
    make_site(root, {"harbour": vetted("Harbour Plumbing"), "moorview": {**vetted("Moorview"), "status": "pending"}})
    shutil.copytree(FIXTURE / "content", root / "content", dirs_exist_ok=True)
    shutil.copy(FIXTURE / "pelicanconf.py", root / "pelicanconf.py")
    for rel, text in (extra or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(blog(tmp_path_factory.mktemp("blog")), search=False)


@pytest.fixture(scope="module")
def built(result: BuildResult) -> Path:
    return result.root


def test_the_build_says_once_where_vouch_differs_from_pelican(result: BuildResult) -> None:
    notes = [line for line in result.summary().splitlines() if "Coming from Pelican" in line]
    assert notes == [
        "note: pelicanconf.py sets CATEGORY_SAVE_AS, FEED_ALL_ATOM, which Vouch decides itself: Vouch writes no "
        "category, tag, author, archive or draft pages and no translations, and makes its own feeds (/feeds/), "
        "index pages and sitemap (README: Coming from Pelican)"
    ]
    assert not (result.root / "output/feeds/all.atom.xml").exists()
    assert not (result.root / "output/category").exists()


def output_file(root: Path, url: str) -> Path:
    return root / "output" / (f"{url}index.html" if url.endswith("/") else url)


@pytest.mark.parametrize("source", sorted(AT_ITS_URL))
def test_every_file_pelican_reads_is_published_at_its_url(built: Path, source: str) -> None:
    url, title = AT_ITS_URL[source]
    page = output_file(built, url)
    assert page.is_file(), f"{source} is not at /{url}"
    assert title in page.read_text(encoding="utf-8")


def test_drafts_without_a_date_and_withheld_rest_articles_are_written_nowhere(built: Path) -> None:
    written = b"\n".join(p.read_bytes() for p in (built / "output").rglob("*") if p.is_file())
    written += b"\n".join(p.read_bytes() for p in (built / "mail").rglob("*") if p.is_file())
    for source, title in NOT_WRITTEN.items():
        assert title.encode() not in written, f"{source} was written"
    assert b"moorview" not in written


def test_the_newsletter_folder_is_never_read_as_articles(built: Path) -> None:
    assert not list((built / "output").glob("*/december-2018.html"))
    feed = feedparser.parse((built / "output/feeds/articles.atom.xml").read_bytes())
    assert "December news from the blog" not in [e.title for e in feed.entries]


def test_articles_carry_the_category_of_their_folder(built: Path) -> None:
    assert "filed under boilers" in output_file(built, "boilers/boiler-myths-busted.html").read_text(encoding="utf-8")
    assert "filed under" not in output_file(built, "misc/links.html").read_text(encoding="utf-8")  # DEFAULT_CATEGORY


def test_every_article_is_in_the_feeds_and_sitemap_at_its_url(built: Path) -> None:
    feed = feedparser.parse((built / "output/feeds/articles.atom.xml").read_bytes())
    sitemap = (built / "output/sitemap.xml").read_text(encoding="utf-8")
    articles = [
        url for s, (url, _) in AT_ITS_URL.items() if not s.startswith(("pages/", "newsletter/", "notes/hidden"))
    ]
    assert sorted(e.link for e in feed.entries) == sorted(f"{SITEURL}/{url}" for url in articles)
    assert all(f"{SITEURL}/{url}" in sitemap for url in articles)
    assert "notes/hidden.html" not in sitemap


def test_intrasite_links_of_every_kind_resolve_in_pages_feeds_and_mail(built: Path) -> None:
    output = built / "output"
    page = output_file(built, "misc/links.html").read_text(encoding="utf-8")
    assert "{" not in "".join(links_in(page))
    urls = feed_entry_links(output) + mail_links(built / "mail", output)
    assert f"{SITEURL}/boilers/boiler-myths-busted.html" in urls
    assert f"{SITEURL}/images/pic.svg" in urls
    assert not [u for u in urls if "{" in u or "%7B" in u]
    assert dead_links(urls, output, SITEURL) == []


def test_the_digest_links_articles_at_their_real_urls(built: Path) -> None:
    issue = output_file(built, "newsletter/december-2018/").read_text(encoding="utf-8")
    mail = (built / "mail/december-2018/message.html").read_text(encoding="utf-8")
    for url in ("boilers/boiler-myths-busted.html", "misc/winter-boiler_tips.html", "misc/rest-article.html"):
        assert url in issue
        assert f"{SITEURL}/{url}" in mail
    assert "articles/" not in "".join(links_in(mail)).replace(f"{SITEURL}/articles/", "")
    assert "notes/hidden.html" not in issue + mail  # a hidden article is listed nowhere


def test_intrasite_links_in_an_issue_resolve_on_its_page_and_in_its_email(built: Path) -> None:
    issue = output_file(built, "newsletter/december-2018/").read_text(encoding="utf-8")
    mail = (built / "mail/december-2018/message.html").read_text(encoding="utf-8")
    text = (built / "mail/december-2018/message.txt").read_text(encoding="utf-8")
    assert 'href="../../notes/tools.html"' in issue
    assert 'src="../../images/pic.svg"' in issue
    assert f"{SITEURL}/notes/tools.html" in mail and f"{SITEURL}/images/pic.svg" in mail
    assert f"{SITEURL}/notes/tools.html" in text
    assert "{filename}" not in issue + mail + text and "{static}" not in issue + mail + text


def test_default_lang_is_written_as_a_bcp_47_tag(built: Path) -> None:
    assert '<html lang="en-GB">' in output_file(built, "misc/links.html").read_text(encoding="utf-8")
    assert 'xml:lang="en-GB"' in (built / "output/feeds/articles.atom.xml").read_text(encoding="utf-8")


BAD = {
    "content/undated.mkd": ("Title: No date\n\nA .mkd without a date.\n", "undated.mkd:1: Date: expected a date line"),
    "content/pages/404.md": (
        "Title: Not found\n\nGone.\n",
        "404.md:1: file name: expected a page name that no site URL uses; got /404/ (delete the file: Vouch writes /404.html itself)",
    ),
    "content/pages/search.md": (
        "Title: Search\n\nx\n",
        "search.md:1: file name: expected a page name that no site URL uses; got /search/ (rename the file)",
    ),
    "content/pages/vetting.md": (
        "Title: Our vetting\nSave_as: vetting/index.html\n\nx\n",
        "vetting.md:2: Save_as: expected no Save_as: (Vouch writes every article and page where ARTICLE_SAVE_AS or PAGE_SAVE_AS says); got 'vetting/index.html', where the site writes its own vetting/index.html",
    ),
    "content/translated.md": (
        "Title: Bonjour\nDate: 2018-11-01\nLang: fr\n\nx\n",
        "translated.md:3: Lang: expected the language DEFAULT_LANG names",
    ),
    "content/category-link.md": (
        "Title: C\nDate: 2018-11-01\n\n[all]({category}boilers)\n",
        "category-link.md:4: text: expected no {category} link",
    ),
    "content/pages/base.html": (
        "<html><body>{% block content %}{% endblock %}</body></html>\n",
        "base.html:1: Title: expected a title: a <title> element in <head>; got nothing",
    ),
    "content/dup-one.md": (
        "Title: One\nDate: 2018-11-01\nSlug: twin\n\nx\n",
        "dup-one.md:3: Slug: expected a URL of its own; got 'twin': it is written to misc/twin.html, and so is content/dup-two.md",
    ),
    "content/dup-two.md": (
        "Title: Two\nDate: 2018-11-02\nSlug: twin\n\nx\n",
        "dup-two.md:3: Slug: expected a URL of its own; got 'twin': it is written to misc/twin.html, and so is content/dup-one.md",
    ),
    "content/unreadable.html": (
        "<html><head><title>&#123x&#125f</title></head></html>\n",
        "unreadable.html:1: file: expected HTML with a <head> holding its <title>, and a <body>; Pelican's reader read nothing of it",
    ),
    "content/partners/harbour.md": (
        "Title: Our plumber\nDate: 2018-11-01\n\nx\n",
        "harbour.md:1: file name: expected a URL outside partners/, where the site writes its own pages; got 'harbour': it is written to partners/harbour.html",
    ),
    "content/broken.rst": (
        "Broken\n######\n\n:date: 2018-11-01\n\n`unclosed\n",
        "broken.rst:6: text: expected reStructuredText that docutils reads; got 'Inline interpreted text or phrase reference start-string without end-string.'",
    ),
}


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    root = blog(tmp_path_factory.mktemp("bad"), {rel: text for rel, (text, _) in BAD.items()})
    return [str(problem) for problem in validate_only(root).problems]


@pytest.mark.parametrize("source", sorted(BAD))
def test_every_file_pelican_would_publish_wrongly_is_in_a_problem_line(checked: list[str], source: str) -> None:
    expected = BAD[source][1]
    assert [p for p in checked if f"/{expected}" in p or p.startswith(expected)], "\n".join(checked)


def test_only_the_bad_files_are_in_problem_lines(checked: list[str]) -> None:
    named = {p.split(":", 1)[0].rsplit("content/", 1)[-1] for p in checked}
    assert named == {rel.removeprefix("content/") for rel in BAD}


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("DEFAULT_DATE = (2018, 1, 2)", dt.date(2018, 1, 2)),
        ('DEFAULT_DATE = "2018-03-04"', dt.date(2018, 3, 4)),
        ('FILENAME_METADATA = r"(?P<slug>[a-z]+)-(?P<date>\\d{4}-\\d{2}-\\d{2})"', dt.date(2018, 5, 6)),
    ],
)
def test_an_article_without_a_date_line_takes_the_date_pelican_gives_it(
    tmp_path: Path, setting: str, expected: dt.date
) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/articles/tips-2018-05-06.md": "Title: T\n\nx\n"})
    (tmp_path / "pelicanconf.py").write_text(f'SITEURL = "{SITEURL}"\nTIMEZONE = "UTC"\n{setting}\n')
    report = validate_only(tmp_path)
    assert report.problems == []
    assert [item.date for item in report.content.shown] == [expected]


def test_a_save_as_setting_that_leaves_output_is_a_problem_line_not_a_traceback(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/articles/a.md": "Title: A\nDate: 2018-01-01\n\nx\n"})
    (tmp_path / "pelicanconf.py").write_text('ARTICLE_SAVE_AS = "../{slug}.html"\nARTICLE_URL = "{slug}.html"\n')
    assert [str(p).rsplit("content/", 1)[1] for p in validate_only(tmp_path).problems] == [
        "articles/a.md:1: file name: expected ARTICLE_SAVE_AS to write inside output/; got '../a.html' for this file"
    ]


CODE_SAMPLES = {
    "content/articles/code-md.md": (
        'Title: Code sample\nDate: 2018-11-01\n\nSet this:\n\n    ARTICLE_URL = "{category}/{slug}.html"\n\n'
        'or inline `{tag}` too.\n\n```\n<a href="{author}ann">x</a>\n```\n'
    ),
    "content/articles/code-rst.rst": (
        'Code sample\n###########\n\n:date: 2018-11-01\n\nSet this::\n\n    ARTICLE_URL = "{category}/{slug}.html"\n\n'
        "or ``{tag}x``.\n"
    ),
    "content/articles/code-html.html": (
        '<html><head><title>Code</title><meta name="date" content="2018-11-01"></head>'
        '<body><pre><code>&lt;a href="{category}x"&gt;</code></pre> {tag} is text</body></html>\n'
    ),
}


def test_category_tag_and_author_in_code_are_text_not_links(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")}, CODE_SAMPLES)
    assert [str(p) for p in validate_only(tmp_path).problems] == []


def test_a_category_link_is_named_whole_on_its_line(tmp_path: Path) -> None:
    article = (
        "Title: C\nDate: 2018-11-01\n\nSee `{tag}` or\n[all]({category}boilers) and <a href='{author}ann'>Ann</a>.\n"
    )
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/articles/c.md": article})
    why = "a Vouch site has no category, tag or author pages: link an article, a page or /directory/"
    assert [str(p).rsplit("content/", 1)[1] for p in validate_only(tmp_path).problems] == [
        f"articles/c.md:5: text: expected no {{author}} link ({why}); got '{{author}}ann'",
        f"articles/c.md:5: text: expected no {{category}} link ({why}); got '{{category}}boilers'",
    ]


@pytest.mark.parametrize(("lang", "problem"), [("en", None), ("EN_us", None), ("fr", "Lang: expected the language")])
def test_a_lang_of_the_default_languages_primary_subtag_is_no_translation(
    tmp_path: Path, lang: str, problem: str | None
) -> None:
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour")},
        {"content/articles/a.md": f"Title: A\nDate: 2018-11-01\nLang: {lang}\n\nx\n"},
    )
    with (tmp_path / "pelicanconf.py").open("a") as conf:
        conf.write('DEFAULT_LANG = "en-GB"\n')
    report = validate_only(tmp_path)
    if problem is None:
        assert report.problems == []
        assert [item.slug for item in report.content.shown] == ["a"]
    else:
        assert [p for p in report.problems if problem in str(p)]


@pytest.mark.parametrize(
    "link",
    ["[a]({filename}/articles/real.md)", pytest.param("[all]({category}boilers)", marks=pytest.mark.slow)],
)  # slow: Python-Markdown takes 2 s to reach the RecursionError
def test_markdown_nested_500_deep_is_read_or_one_problem_line_never_a_traceback(tmp_path: Path, link: str) -> None:
    """Review 3, finding 5: hostile nesting that Python-Markdown cannot render (RecursionError)."""
    deep = "Title: Deep\nDate: 2026-11-21\nSummary: x\n\n" + "".join("  " * i + "- `x`\n" for i in range(500))
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {
        "content/articles/deep.md": f"{deep}\n{link}\n",
        "content/articles/real.md": "Title: Real\nDate: 2018-10-01\n\nx\n",
    })  # fmt: skip
    problems = [str(p) for p in validate_only(tmp_path).problems]
    assert problems in ([], [f"{tmp_path}/content/articles/deep.md:1: text: expected Markdown nested less deeply; "
                             "got nesting too deep to read (flatten the lists or quotes)"])  # fmt: skip


def test_a_path_with_a_space_or_parenthesis_is_refused_saying_why_not_only_not_found(tmp_path: Path) -> None:
    """Review 3, finding 2: the file exists; the link is read up to the '(' or space, so say so."""
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {
        "content/articles/linking.md": "Title: L\nDate: 2026-11-21\n\n[a]({filename}/articles/q_(survey).md) "
                                       "[b](<{filename}/articles/q survey.md>) [c]({filename}/gone.md \"t\")\n",
        "content/articles/q_(survey).md": "Title: Q\nDate: 2026-11-20\n\nx\n",
        "content/articles/q survey.md": "Title: Q2\nDate: 2026-11-20\n\nx\n",
    })  # fmt: skip
    cut = "; a link's path ends at a space or '(': rename the file without them"
    assert sorted(p.message for p in validate_only(tmp_path).problems) == [
        f"expected a file under content/; got '/articles/q' (not found{cut})",
        f"expected a file under content/; got '/articles/q_' (not found{cut})",
        "expected a file under content/; got '/gone.md' (not found)",
    ]
