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


def root_of(relpath: str) -> str:
    """Relative path from a file back to the site root ('.' at the top)."""
    return "/".join([".."] * relpath.count("/")) or "."


def url_of(relpath: str) -> str:
    """The public URL path of a file: ``partners/x/index.html`` -> ``partners/x/``."""
    return relpath.removesuffix("index.html")
