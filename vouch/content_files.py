"""Which files under content/ go out: only those a published item or partner links.

Pelican copies everything under ``STATIC_PATHS`` and every file any article
links, drafts and withheld ones included, before Vouch knows what is shown.
So the list is decided here, before Pelican runs, and compared by real path:
``./images/x.svg``, ``images/../images/x.svg``, an absolute path and a
symlink are all the same file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vouch.content import KINDS, Item
from vouch.problems import Problem

FILE_LINKS = ("static", "attach")


@dataclass(frozen=True, slots=True)
class ContentFiles:
    published: frozenset[str] = frozenset()  # real paths of the files that go out
    unlinked: tuple[Path, ...] = ()  # linked by nothing at all: not published, and named in a warning


def walk(content_dir: Path) -> list[Path]:
    """Every file under ``content_dir``, sorted."""
    return sorted(Path(folder, name) for folder, _, names in os.walk(content_dir) for name in names)


def is_item_source(path: Path, content_dir: Path) -> bool:
    """A file read as an article, page or issue: never published as a file of its own."""
    parts = path.relative_to(content_dir).parts
    return path.suffix == ".md" and len(parts) > 1 and parts[0] in KINDS


def content_files(
    content_dir: Path,
    items: Sequence[Item],
    shown: Iterable[Item],
    logos: Iterable[str],
    held_logos: Iterable[str],
) -> tuple[ContentFiles, list[Problem]]:
    """The files that go out, and the problems of the links published items make.

    ``logos`` are the real paths of published partners' logos; ``held_logos`` every profile's (a
    file an unpublished partner or a withheld item links is held back, not stray).
    """
    files = {os.path.realpath(f): f for f in walk(content_dir) if not is_item_source(f, content_dir)}
    sources = {os.path.realpath(item.path) for item in items}
    published = {real for real in logos if real in files}
    problems = []
    for item in shown:
        for link in item.links:
            real = os.path.realpath(content_dir / link.target)
            if real in files:
                published.add(real)
            elif link.kind in FILE_LINKS or real not in sources:
                why = _why_not(real, os.path.realpath(content_dir), sources)
                message = f"expected a file under content/; got {link.written!r} ({why})"
                problems.append(Problem(item.path, link.line, f"{{{link.kind}}}", message))
    linked = {os.path.realpath(content_dir / link.target) for item in items for link in item.links}
    linked |= published | set(held_logos)
    unlinked = tuple(path for real, path in sorted(files.items(), key=lambda f: f[1]) if real not in linked)
    return ContentFiles(frozenset(published), unlinked), problems


def _why_not(real: str, root: str, sources: set[str]) -> str:
    if real in sources:
        return "an article, page or issue: link it with {filename}"
    if not real.startswith(root + os.sep):
        return "it leads outside content/"
    return "not found"
