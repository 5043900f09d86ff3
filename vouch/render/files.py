"""One output file of the page plan, and the two path rules every page's links are made with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class OutputFile:
    """One file to write: a template and its context, or bytes.

    ``make`` defers the costly part (Markdown, vCards, feeds) to the write step, which runs on
    every core and is skipped when the render cache still holds the file.
    """

    relpath: str
    template: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None
    lastmod: dt.date | None = None  # for the sitemap; HTML pages only
    make: Callable[[], dict[str, Any] | bytes] | None = None
    inputs: Any = None  # what the file is made of, besides the shared fingerprint; None: always render
    stored: bool = False  # kept in the file store (``.cache/vouch/files/``), which outlives output/


def root_of(relpath: str) -> str:
    """Relative path from a file back to the site root ('.' at the top)."""
    return "/".join([".."] * relpath.count("/")) or "."


def url_of(relpath: str) -> str:
    """The public URL path of a file: ``partners/x/index.html`` -> ``partners/x/``."""
    return relpath.removesuffix("index.html")


def pagination(base: str, number: int, count: int) -> dict[str, Any]:
    """Page ``number`` of ``count`` under ``base`` (``base`` itself is page 1, then ``base/page/<n>/``)."""
    return {
        "number": number,
        "count": count,
        "previous": None if number == 1 else (base if number == 2 else f"{base}page/{number - 1}/"),
        "next": f"{base}page/{number + 1}/" if number < count else None,
    }
