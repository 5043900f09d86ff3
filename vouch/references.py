"""Partner references in Markdown: ``Partners:`` metadata, ``[text]({partner}slug)``
and a bare ``{partner}slug``.

An unknown slug is an error; a known but unpublished one *withholds* the item
that names it, so suspending or lapsing a partner always takes every mention
of them off the site.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
REFERENCE = re.compile(r"\{partner\}(" + SLUG + r")")
_HREF = re.compile(r"""(href=)(["'])\{partner\}(""" + SLUG + r")\2")
_META_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Reference:
    slug: str
    line: int
    field: str  # "Partners" for metadata, "" for the body


def metadata_lines(text: str) -> dict[str, tuple[int, str]]:
    """Pelican-style ``Key: value`` header lines (up to the first blank line), with line numbers."""
    out: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            break
        match = _META_LINE.match(line)
        if match:
            out[match.group(1).lower()] = (number, match.group(2).strip())
    return out


def references(text: str, metadata: bool = True) -> list[Reference]:
    """Every partner a Markdown file names, in its metadata (unless ``metadata=False``) or its text."""
    found: list[Reference] = []
    if "{partner}" not in text and not metadata:
        return found
    meta = metadata_lines(text) if metadata else {}
    if "partners" in meta:
        line, value = meta["partners"]
        found += [Reference(slug.strip(), line, "Partners") for slug in value.split(",") if slug.strip()]
    for number, line in enumerate(text.splitlines(), start=1):
        found += [Reference(m.group(1), number, "") for m in REFERENCE.finditer(line)]
    return found


def link_partners(rendered: str, root: str, names: Mapping[str, str]) -> str:
    """Resolve references in rendered HTML: links get the partner's URL, bare ones also its name."""

    def url(slug: str) -> str:
        return f"{root}/partners/{slug}/"

    rendered = _HREF.sub(lambda m: f"{m.group(1)}{m.group(2)}{url(m.group(3))}{m.group(2)}", rendered)

    def bare(match: re.Match[str]) -> str:
        slug = match.group(1)
        return f'<a href="{url(slug)}">{html.escape(names.get(slug, slug))}</a>'

    return REFERENCE.sub(bare, rendered)
