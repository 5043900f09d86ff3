"""Feeds read back with a real parser, and the sitemap checked against the site."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser

from tests.sitekit import make_site, vetted
from tests.test_build import PUBLISHED
from vouch_site.build import build

SITE = "https://trusted.southhams.example"


def parse(path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_demo_feeds_parse_and_count_what_is_published(demo_output: Path) -> None:
    for kind in ("atom", "rss"):
        articles = parse(demo_output / f"feeds/articles.{kind}.xml")
        partners = parse(demo_output / f"feeds/partners.{kind}.xml")
        newsletter = parse(demo_output / f"feeds/newsletter.{kind}.xml")
        assert len(articles.entries) == 5
        assert [e.link.rsplit("/", 2)[-2] for e in newsletter.entries] == ["november-2026", "october-2026"]
        assert {e.link.rsplit("/", 2)[-2] for e in partners.entries} == PUBLISHED
        assert newsletter.feed.title.endswith("newsletter")


def test_article_entries_carry_full_content_with_absolute_links(demo_output: Path) -> None:
    feed = parse(demo_output / "feeds/articles.atom.xml")
    entry = next(e for e in feed.entries if e.link.endswith("/how-to-brief-a-tradesperson/"))
    html = entry.content[0].value
    assert len(html) > 3000
    assert f'href="{SITE}/partners/harbour-plumbing/"' in html
    assert not re.findall(r'(?:href|src)="(?!https?:|mailto:|tel:|#)', html)
    assert entry.id == "tag:trusted.southhams.example,2026-09-14:articles/how-to-brief-a-tradesperson"
    assert entry.published.startswith("2026-09-14")


def test_feeds_are_dated_by_content_and_stable(demo_site: Path, tmp_path: Path) -> None:
    again = build(demo_site, tmp_path / "again").output
    for name in ("articles.atom.xml", "partners.rss.xml", "newsletter.atom.xml"):
        assert (again / "feeds" / name).read_bytes() == (demo_site / "output/feeds" / name).read_bytes()


def test_empty_feed_takes_the_newest_date_of_any_content(tmp_path: Path) -> None:
    make_site(tmp_path, {}, {"content/articles/a.md": "Title: A\nDate: 2026-03-04 09:30\n\nText.\n"})
    build(tmp_path)
    empty = parse(tmp_path / "output/feeds/partners.atom.xml")
    assert empty.entries == []
    assert empty.feed.updated == "2026-03-04T09:30:00+00:00"  # the newest content, not the clock


def test_renewal_is_a_new_entry_and_a_lapse_removes_it(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour", vetted_on="2026-01-10")})
    build(tmp_path)
    [first] = parse(tmp_path / "output/feeds/partners.atom.xml").entries
    make_site(tmp_path, {"harbour": vetted("Harbour", vetted_on="2026-06-01")})
    build(tmp_path)
    [renewed] = parse(tmp_path / "output/feeds/partners.atom.xml").entries
    assert first.id != renewed.id and renewed.id.endswith("partners/harbour/2026-06-01")
    make_site(tmp_path, {"harbour": vetted("Harbour", vetted_on="2024-01-10", review_by="2025-01-10")})
    build(tmp_path)
    assert parse(tmp_path / "output/feeds/partners.atom.xml").entries == []


def test_feed_max_items_caps_the_articles_feed(tmp_path: Path) -> None:
    files = {f"content/articles/a{i}.md": f"Title: A{i}\nDate: 2026-01-{i + 1:02d}\n\nText {i}.\n" for i in range(5)}
    make_site(tmp_path, {}, files)
    build(tmp_path, overrides={"FEED_MAX_ITEMS": 3})
    entries = parse(tmp_path / "output/feeds/articles.rss.xml").entries
    assert [e.title for e in entries] == ["A4", "A3", "A2"]


NOINDEX = '<meta name="robots" content="noindex">'  # the 404 and the print pages: for people, not for finding


def indexed_pages(output: Path) -> list[Path]:
    return [page for page in output.rglob("*.html") if NOINDEX not in page.read_text()]


def test_every_page_announces_the_feeds(demo_output: Path) -> None:
    pages = indexed_pages(demo_output)
    assert demo_output / "partners/harbour-plumbing/index.html" in pages
    for page in pages:
        assert 'type="application/atom+xml"' in page.read_text(), page


def test_sitemap_lists_exactly_the_public_pages(demo_output: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring((demo_output / "sitemap.xml").read_bytes())
    listed = {loc.text for loc in root.findall("s:url/s:loc", ns)}
    pages = {f"{SITE}/{p.relative_to(demo_output).as_posix().removesuffix('index.html')}"
             for p in indexed_pages(demo_output)}  # fmt: skip
    assert listed == pages
    assert not [url for url in listed if "/print/" in url or url.endswith("/certificate/")]
    lastmods = {u.find("s:loc", ns).text: u.find("s:lastmod", ns) for u in root.findall("s:url", ns)}
    assert lastmods[f"{SITE}/partners/harbour-plumbing/"].text == "2026-09-10"
    assert lastmods[f"{SITE}/vetting/"] is None  # no honest date for it
    assert (demo_output / "robots.txt").read_text().endswith(f"Sitemap: {SITE}/sitemap.xml\n")
