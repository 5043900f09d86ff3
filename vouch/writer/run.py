"""What ``invoke build`` hands its Pelican plugin for one run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vouch.content import Item
from vouch.newsletter.issue import IssueView
from vouch.site import PublicSite


@dataclass(frozen=True, slots=True)
class BuildRun:
    """The validated site and the build's own bookkeeping, under one setting: ``VOUCH_RUN``.

    Pelican pickles its settings into its reader cache (every Category and Tag holds
    them), so this record pickles to an empty one: otherwise every rebuild would save
    and load the whole public site again (14 MB and over a second at 10,000 partners).
    """

    site: PublicSite | None = None
    items: tuple[Item, ...] | None = None  # the Markdown items shown; None: not filtered
    archive: tuple[IssueView, ...] = ()  # newsletter issues shown, newest first
    published_files: frozenset[str] | None = None  # real paths of the content files that go out; None: not filtered
    left_out: frozenset[str] = frozenset()  # content files with problems (--keep-going), as Pelican names them
    live_output: Path | None = None
    render_cache: Path | None = None
    render_cache_next: Path | None = None
    progress: Callable[[int, int], None] | None = None
    keep: dict[str, Any] | None = None  # invoke serve keeps the generator for instant previews

    def __reduce__(self) -> tuple[type[BuildRun], tuple[()]]:
        return (BuildRun, ())

    def __deepcopy__(self, memo: dict[int, Any]) -> BuildRun:
        return self
