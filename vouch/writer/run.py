"""What ``invoke build`` hands its Pelican plugin for one run, and what ``invoke serve`` keeps of it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vouch.content import Item
from vouch.newsletter.issue import IssueView
from vouch.render.pages import PagePlan
from vouch.settings import VouchSettings
from vouch.site import PublicSite


@dataclass(slots=True)
class Preview:
    """``invoke serve``'s hold on the last build: its page plan, and the context its templates saw.

    Filled by the plugin at each build; an edited profile's page is rendered from it at once.
    """

    plan: PagePlan | None = None
    context: dict[str, Any] | None = None

    def profile_page(self, partner: Any) -> bytes | None:
        """The page of ``partner`` (a public partner) as the last build would render it; None before a build."""
        if self.plan is None or self.context is None:
            return None
        return self.plan.render(self.plan.profile_page(partner), dict(self.context))


@dataclass(frozen=True, slots=True)
class BuildRun:
    """The validated site and the build's own bookkeeping, under one setting: ``VOUCH_RUN``.

    Pelican pickles its settings into its reader cache (every Category and Tag holds
    them), so this record pickles to an empty one: otherwise every rebuild would save
    and load the whole public site again (14 MB and over a second at 10,000 partners).
    """

    site: PublicSite | None = None  # None: not a Vouch run (plain ``pelican``): the plugin refuses
    settings: VouchSettings | None = None
    items: tuple[Item, ...] | None = None  # the Markdown items shown; None: not filtered
    archive: tuple[IssueView, ...] = ()  # newsletter issues shown, newest first
    published_files: frozenset[str] | None = None  # real paths of the content files that go out; None: not filtered
    left_out: frozenset[str] = frozenset()  # content files with problems (--keep-going), as Pelican names them
    live_output: Path | None = None
    render_cache: Path | None = None
    render_cache_next: Path | None = None
    qr_cache: Path | None = None  # QR codes by URL, kept between builds (``.cache/vouch/qr.pickle``)
    file_store: Path | None = None  # print files by render key, kept between builds (``.cache/vouch/files/``)
    progress: Callable[[int, int], None] | None = None
    preview: Preview | None = None  # invoke serve's: the plugin leaves its page plan there
    measured: dict[str, float] = field(default_factory=dict)  # parts of the pages stage timed on their own
    shown_paths: frozenset[str] | None = field(init=False, default=None)  # ``items``' absolute paths

    def __post_init__(self) -> None:
        if self.items is not None:  # asked of every article and page Pelican reads: worked out once
            object.__setattr__(self, "shown_paths", frozenset(os.path.abspath(item.path) for item in self.items))

    def __reduce__(self) -> tuple[type[BuildRun], tuple[()]]:
        return (BuildRun, ())

    def __deepcopy__(self, memo: dict[int, Any]) -> BuildRun:
        return self
