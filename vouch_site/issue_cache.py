"""Each newsletter issue's e-mail, rendered once per content: Markdown, the theme's e-mail template, CSS inlined,
the plain-text version and the pre-send checks took 0.3 s of every build with 24 issues (and of every edit in
``invoke serve``), for issues that had not changed.

Kept in ``.cache/vouch/newsletter.pickle`` under a key of everything rendering reads: the issue as planned (its
text and its computed digest), the settings, every published partner's name (a reference links by name), the
example "Trusted near" block the checks measure, the theme's e-mail templates and style sheet, Vouch's code and
the installed libraries. The file keeps the last build's issues only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from vouch.cache_files import read_stamped, save
from vouch.render.email import RenderedIssue
from vouch.render.email_checks import Finding
from vouch.settings import VouchSettings
from vouch.writer import render_cache
from vouch_site.config import code_files

VERSION = 1
CACHE_FILE = "newsletter.pickle"  # in .cache/vouch/

Rendered = tuple[RenderedIssue, list[Finding]]


class IssueCache:
    """The issues rendered by the last build, by key; ``None`` as the file: nothing kept (``invoke send``)."""

    def __init__(
        self, file: Path | None, settings: VouchSettings, names: Mapping[str, str], theme: Path, example: str
    ) -> None:
        self.file = file
        self.kept: dict[str, Rendered] = read_stamped(file, VERSION) if file else {}
        self.used: dict[str, Rendered] = {}
        if file is None:
            self.shared = ""
            return
        files = [*render_cache.files_under(theme / "templates" / "email"), theme / "static" / "email.css"]
        files += code_files()
        readable = [f for f in files if f.is_file()]
        self.shared = render_cache.fingerprint(
            repr(settings), sorted(names.items()), example, render_cache.installed(), files=readable
        )

    def rendered(self, view: Any, render: Callable[[], Rendered]) -> Rendered:
        """The issue ``view`` rendered (``render()`` unless kept)."""
        if self.file is None:
            return render()
        key = render_cache.key(self.shared, view)
        found = self.kept.get(key)
        whole = isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], RenderedIssue)
        self.used[key] = found if whole and isinstance(found[1], list) else render()  # type: ignore[assignment]
        return self.used[key]

    def save(self) -> None:
        """Whole or not at all, and only if anything changed (``invoke serve`` and ``invoke build`` may both write)."""
        if self.file is None or self.used.keys() == self.kept.keys():
            return
        save(self.file, (VERSION, self.used))
