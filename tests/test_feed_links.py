"""Every link that feeds and e-mail previews carry to the site leads to a file the build wrote."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser

SITEURL = "https://trusted.southhams.example"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


def links_in(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.found


def target_of(url: str, output: Path, site_url: str) -> Path | None:
    """The file under output/ a link to the site is served from; None for a link elsewhere."""
    if not url.startswith(f"{site_url}/") and url != site_url:
        return None
    path = unquote(urlsplit(url).path)
    rel = path[len(urlsplit(site_url).path) :].lstrip("/")
    target = output / rel
    return target / "index.html" if not rel or rel.endswith("/") or target.is_dir() else target


def dead_links(urls: list[str], output: Path, site_url: str = SITEURL) -> list[str]:
    dead = []
    for url in urls:
        target = target_of(url, output, site_url)
        if target is not None and not target.is_file():
            dead.append(url)
    return dead


def feed_entry_links(output: Path) -> list[str]:
    urls = []
    for feed in sorted((output / "feeds").glob("*.xml")):
        parsed = feedparser.parse(feed.read_bytes())
        for entry in parsed.entries:
            urls.append(entry.link)
            for content in [*entry.get("content", []), entry.get("summary_detail") or {}]:
                urls += links_in(content.get("value", ""))
    return urls


def mail_links(mail: Path, output: Path) -> list[str]:
    """Links in the previews of the issues the site has published (a draft's "view online" page comes later)."""
    urls = []
    for folder in sorted(p for p in mail.iterdir() if (output / "newsletter" / p.name / "index.html").is_file()):
        urls += links_in((folder / "message.html").read_text(encoding="utf-8"))
        text = (folder / "message.txt").read_text(encoding="utf-8")
        urls += [word.strip("()<>[].,") for word in text.split() if "://" in word]
    return urls


def test_every_site_link_in_the_demos_feed_entries_leads_to_a_written_file(demo_output: Path) -> None:
    urls = feed_entry_links(demo_output)
    assert [u for u in urls if u.startswith(SITEURL)], "the feeds link the site"
    assert not [u for u in urls if "{" in u or "%7B" in u], "no unresolved {filename}, {static} or {attach}"
    assert dead_links(urls, demo_output) == []


def test_every_site_link_in_the_demos_mail_previews_leads_to_a_written_file(demo_site: Path) -> None:
    urls = mail_links(demo_site / "mail", demo_site / "output")
    assert [u for u in urls if u.startswith(f"{SITEURL}/articles/")], "the digests link articles"
    assert dead_links(urls, demo_site / "output") == []
