"""The plain-Pelican baseline of ../shared/PERFORMANCE.md: the same pages as Markdown articles."""

from __future__ import annotations

from pathlib import Path

import yaml

PELICANCONF = """\
SITEURL = "https://partners.example.com"; RELATIVE_URLS = False
PATH = "content"; PAGE_PATHS = ["pages"]; ARTICLE_PATHS = ["directory", "articles"]
TIMEZONE = "UTC"; DEFAULT_LANG = "en"
ARTICLE_URL = ARTICLE_SAVE_AS = "{category}/{slug}.html"
DEFAULT_PAGINATION = 20
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = 20
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ""
CACHE_CONTENT = LOAD_CONTENT_CACHE = False
"""


def plain_site(network: Path, root: Path) -> int:
    """Mirror ``network`` as a plain Pelican site in ``root``; returns the number of Markdown pages."""
    for sub in ("directory", "articles", "pages"):
        (root / "content" / sub).mkdir(parents=True, exist_ok=True)
    (root / "pelicanconf.py").write_text(PELICANCONF)
    count = 0
    for path in sorted((network / "partners").glob("[!_]*.yaml")):
        p = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        vetted_on = (p.get("vetting") or {}).get("vetted_on", "2026-01-01")
        trade, town = p["category"], (p.get("areas") or ["Anywhere"])[0]
        body = f"{p.get('summary', '')}\n\n{p.get('description', '')}\n"
        (root / "content/directory" / f"{path.stem}.md").write_text(
            f"Title: {p['name']}\nDate: {vetted_on}\nCategory: directory\nTags: {trade}, {town}\n\n{body}",
            encoding="utf-8",
        )
        count += 1
    for path in sorted((network / "content/articles").glob("*.md")):
        head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        lines = [line for line in head.splitlines() if not line.startswith("Partners:")]  # keeps its own Category
        text = "\n".join(lines) + "\n\n" + body.replace("{partner}", "")
        (root / "content/articles" / path.name).write_text(text, encoding="utf-8")
        count += 1
    for path in sorted((network / "content/pages").glob("*.md")):
        (root / "content/pages" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        count += 1
    return count
