"""Root-relative links an item writes (``/static/x.jpg``) that lead to no file in output/.

A Pelican blog links its ``STATIC_PATHS`` files by plain root-relative paths; Vouch publishes a
file under content/ only when a published item links it with ``{static}`` (or ``{attach}``,
``{filename}``), so such links would break in silence. Each linking file gets one warning line,
not an error: nothing leaks, and a blog with hundreds of them still builds while they are fixed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from vouch.content import Item

_LINK = re.compile(r"""\s(?:href|src|poster|data|cite|formaction|action)\s*=\s*(["'])(.*?)\1""", re.I)
_NAMED = 3  # links named in a warning; the rest are counted


def dead_links(output: Path, items: Iterable[Item], siteurl: str) -> dict[Path, list[tuple[int, str]]]:
    """Per item source: (line, link) for each link written in its source whose target output/ lacks."""
    found: dict[Path, list[tuple[int, str]]] = {}
    for item in items:
        page = output / item.save_as if item.save_as else None
        if page is None or not page.is_file():
            continue
        source = item.path.read_text(encoding="utf-8", errors="replace")
        dead: dict[str, int] = {}
        for match in _LINK.finditer(page.read_text(encoding="utf-8", errors="replace")):
            url = html.unescape(match.group(2))
            local = url.removeprefix(siteurl) if siteurl and url.startswith(f"{siteurl}/") else url
            if not local.startswith("/") or local.startswith("//") or url not in source or url in dead:
                continue
            target = output / unquote(urlsplit(local).path).lstrip("/")
            if not (target.is_file() or (target / "index.html").is_file()):
                dead[url] = source.count("\n", 0, source.index(url)) + 1
        if dead:
            found[item.path] = sorted((line, url) for url, line in dead.items())
    return found


def dead_link_warning(source: Path, links: list[tuple[int, str]], shown: str, content: Path) -> str:
    """One line: the linking file and line, the first links, and what to change."""
    (line, first), rest = links[0], [url for _, url in links[1:]]
    more = ""
    if rest:
        named = ", ".join(rest[:_NAMED]) + (f" and {len(rest) - _NAMED} more" if len(rest) > _NAMED else "")
        more = f" and {len(rest)} more ({named})"
    under_content = [url for _, url in links if (content / unquote(urlsplit(url).path).lstrip("/")).is_file()]
    if under_content:
        example = f"{{static}}{under_content[0]}"
        fix = f"link a file under content/ with {{static}} (such as {example}), and it is published with the page"
    else:
        fix = "put the file under content/ and link it with {static}, or correct the link"
    return f"warning: {shown}:{line}: links {first}{more}, which the site does not publish: {fix}"
