"""sitemap.xml: every public page, with a lastmod only where content gives an honest one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from vouch.render.files import OutputFile, url_of


def sitemap(urls: Iterable[tuple[str, dt.date | None]]) -> bytes:
    """``urls`` are absolute; duplicates keep the newest date; output sorted by URL."""
    newest: dict[str, dt.date | None] = {}
    for url, lastmod in urls:
        old = newest.get(url)
        newest[url] = max((d for d in (old, lastmod) if d is not None), default=None)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url in sorted(newest):
        lastmod = newest[url]
        date = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(url)}</loc>{date}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def site_sitemap(site_url: str, html: Sequence[OutputFile], articles: Sequence[Any], pages: Sequence[Any]) -> bytes:
    """Vouch's own pages (dated by their content) and Pelican's articles and pages (by their dates)."""
    urls: list[tuple[str, dt.date | None]] = [(f"{site_url}/{url_of(f.relpath)}", f.lastmod) for f in html]
    for article in articles:
        modified = getattr(article, "modified", None) or article.date
        urls.append((f"{site_url}/{article.url}", modified.date()))
    for page in pages:
        stamp = getattr(page, "modified", None) or getattr(page, "date", None)
        urls.append((f"{site_url}/{page.url}", stamp.date() if stamp else None))
    return sitemap(urls)


def robots(site_url: str) -> bytes:
    """Everything may be crawled; the sitemap is named when the site's address is known."""
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {site_url}/sitemap.xml")
    return ("\n".join(lines) + "\n").encode()
