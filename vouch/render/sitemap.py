"""sitemap.xml: every public page, with a lastmod only where content gives an honest one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from xml.sax.saxutils import escape


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
