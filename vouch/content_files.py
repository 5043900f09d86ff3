"""Which files under content/ go out: only those a published item or partner links.

Pelican copies everything under ``STATIC_PATHS`` and every file any article
links, drafts and withheld ones included, before Vouch knows what is shown.
So the list is decided here, before Pelican runs, and compared by real path:
``./images/x.svg``, ``images/../images/x.svg``, an absolute path and a
symlink are all the same file.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from vouch.content import Item, Link
from vouch.content_folders import DEFAULT_FOLDERS, Folders, is_item_source
from vouch.editor_files import is_editor_temporary
from vouch.images import image_bytes, is_svg_named
from vouch.paths import inside
from vouch.problems import Problem
from vouch.svg import EXPECTED as SVG_EXPECTED
from vouch.svg import looks_like_svg, published_svg_problems, summary

FILE_LINKS = ("static", "attach")
MAX_DEPTH = 100  # folders one inside another: far more than a site needs, far less than a recursive walk can take


@dataclass(frozen=True, slots=True)
class ContentFiles:
    published: frozenset[str] = frozenset()  # real paths of the files that go out
    unlinked: tuple[Path, ...] = ()  # linked by nothing at all: not published, and named in a warning
    temporary: tuple[Path, ...] = ()  # editors' backups, swap and lock files: skipped, and counted


@dataclass(frozen=True, slots=True)
class Scan:
    files: tuple[Path, ...]  # as Pelican walks them: linked folders followed
    problems: tuple[Problem, ...]  # links that leave the folder, special files, folders too deep
    temporary: tuple[Path, ...] = ()  # editors' files, left out of ``files``
    folders: tuple[Path, ...] = ()  # every folder walked, ``root`` aside


def scan(root: Path) -> Scan:
    """Every file under ``root``, following links as Pelican does, but none that leads out, nowhere or round.

    The walk keeps its own stack: a tree deeper than Python's recursion limit is a problem, not a
    RecursionError (and ``MAX_DEPTH`` keeps Pelican's recursive walks shallow). A pipe, socket or
    device is named, never opened: reading a pipe would wait for ever.
    """
    top = os.path.realpath(root)
    files: list[Path] = []
    temporary: list[Path] = []
    folders: list[Path] = []
    problems: dict[Path, Problem] = {}
    if not root.is_dir():
        return Scan((), ())
    stack = [_listing(root, frozenset({top}))]
    while stack:
        here, above, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        path = Path(entry.path)
        if is_editor_temporary(entry.name):  # before any other rule: a lock file is a link to nowhere
            temporary.append(path)
        elif entry.is_symlink() and (why := _bad_link(path, root.name, top, above)):
            problems[here / entry.name] = Problem(here / entry.name, 1, "symlink", why)
        elif entry.is_dir():
            if len(stack) > MAX_DEPTH:
                why = f"expected at most {MAX_DEPTH} folders one inside another; got more (nothing in it is read)"
                problems[path] = Problem(path, 1, "folder", why)
            else:
                folders.append(path)
                stack.append(_listing(path, above | {os.path.realpath(path)}))
        elif not entry.is_file():
            why = f"expected a file or a folder; got {_special(path)} (it is never opened)"
            problems[here / entry.name] = Problem(here / entry.name, 1, "file", why)
        else:
            files.append(path)
    return Scan(tuple(files), tuple(problems.values()), tuple(temporary), tuple(folders))


def _listing(folder: Path, above: frozenset[str]) -> tuple[Path, frozenset[str], Iterator[os.DirEntry[str]]]:
    """A folder's entries in name order, with its real path (a link is reported where it is, not where
    the walk met it) and the real paths of the folders above it."""
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    return Path(os.path.realpath(folder)), above, iter(entries)


def _special(path: Path) -> str:
    mode = os.stat(path).st_mode
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    return "a socket" if stat.S_ISSOCK(mode) else "a device or other special file"


def _bad_link(path: Path, name: str, top: str, above: frozenset[str]) -> str | None:
    """What is wrong with a symlink: it leads nowhere, out of ``top``, or back to a folder it is in."""
    expected = "expected a link to a file or folder"
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"{expected}; got a link that leads to itself"
        return f"{expected}; got a link to {os.readlink(path)}, which does not exist"
    real = os.path.realpath(path)
    if real in above:  # Pelican's walk would go round for ever
        return f"{expected}; got a loop back to {real}"
    if not inside(real, top):
        return f"{expected} inside {name}/; got a link to {real} (nothing outside is published)"
    return None


def content_files(
    content_dir: Path,
    found: Scan,
    items: Sequence[Item],
    shown: Iterable[Item],
    logos: Iterable[str],
    held_logos: Iterable[str],
    folders: Folders = DEFAULT_FOLDERS,
) -> tuple[ContentFiles, list[Problem]]:
    """The files that go out, and the problems: links out of content/, and what published items link.

    ``logos`` are the real paths of published partners' logos; ``held_logos`` every profile's (a
    file an unpublished partner or a withheld item links is held back, not stray).
    """
    files = {os.path.realpath(f): f for f in found.files if not is_item_source(f, content_dir, folders)}
    names: dict[str, list[Path]] = {}  # real path -> every name it has under content/: each goes out
    for path in found.files:
        if not is_item_source(path, content_dir, folders):
            names.setdefault(os.path.realpath(path), []).append(path)
    linked_by: dict[str, list[tuple[Item, Link]]] = {}
    sources = {os.path.realpath(f) for f in found.files if is_item_source(f, content_dir, folders)}
    published = {real for real in logos if real in files}
    problems = list(found.problems)
    bad_links = {p.path for p in found.problems}
    for item in shown:
        for link in item.links:
            target = link.target
            real = os.path.realpath(target)
            if real in files:
                published.add(real)
                linked_by.setdefault(real, []).append((item, link))
            elif bad_links.intersection((target, *target.parents)):
                continue  # the symlink on the way is the problem, reported once
            elif link.kind in FILE_LINKS or real not in sources:
                why = _why_not(real, os.path.realpath(content_dir), sources)
                if link.cut and why == "not found":
                    why += "; a link's path ends at a space or '(': rename the file without them"
                message = f"expected a file under content/; got {link.written!r} ({why})"
                problems.append(Problem(item.path, link.line, f"{{{link.kind}}}", message))
    linked = {os.path.realpath(link.target) for item in items for link in item.links}
    linked |= published | set(held_logos)
    unlinked = tuple(path for real, path in sorted(files.items(), key=lambda f: f[1]) if real not in linked)
    svg_problems, hostile = _svg_problems(published, names, linked_by, content_dir)
    # Out of the published set, not only reported: `invoke build --keep-going` leaves the items out, not their files.
    published -= hostile
    return ContentFiles(frozenset(published), unlinked, found.temporary), problems + svg_problems


def _svg_problems(
    published: Iterable[str], names: dict[str, list[Path]], linked_by: dict[str, list[tuple[Item, Link]]], top: Path
) -> tuple[list[Problem], set[str]]:
    """Each published file that is an SVG by any of its names or by its content, checked; and the hostile ones.

    A hostile one is named where a published item links it; a logo's own check (profiles.py)
    names its profile, so a file no item links is named here only when a name its logo check
    never sees makes it an SVG (a link ``x.svg`` to a PNG logo).
    """
    problems, hostile = [], set()
    for real in sorted(published):
        data = svg_data(real, names.get(real, []))
        if data is None:
            continue
        seen_by_logo_check = is_svg_named(Path(real)) or looks_like_svg("", data)
        if real not in linked_by and seen_by_logo_check:
            continue  # only a published logo: its profile's check parsed it already (and refused its profile)
        if not (found := published_svg_problems(data)):
            continue
        hostile.add(real)
        svg_named = [path for path in names.get(real, []) if is_svg_named(path)]
        for item, link in linked_by.get(real, []):
            also = ", ".join(os.path.relpath(path, top) for path in svg_named if path != link.target)
            got = f"{link.written!r}" + (f" (also published as {also})" if also else "")
            message = f"{SVG_EXPECTED}; got {got}: {summary(found)}"
            problems.append(Problem(item.path, link.line, f"{{{link.kind}}}", message))
        if real not in linked_by:  # a logo whose check saw no SVG: only another name here makes it one
            for path in svg_named:
                got = os.path.relpath(path, top.parent)
                problems.append(Problem(path, None, "svg", f"{SVG_EXPECTED}; got {got!r}: {summary(found)}"))
    return problems, hostile


def svg_data(real: str, names: Iterable[Path] = ()) -> bytes | None:
    """The bytes of the file at ``real`` if it goes out as an SVG (by its name or any of ``names``, or by content)."""
    if not os.path.isfile(real):  # a pipe or device: never read (and never published)
        return None
    data = image_bytes(Path(real), names)
    return data if is_svg_named(Path(real), *names) or looks_like_svg("", data) else None


def static_svg_problems(paths: Iterable[Path], shown_from: Path) -> list[Problem]:
    """The SVGs (by name or content) among the files Pelican copies from ``paths`` (the theme's static ones)."""
    problems: dict[Path, Problem] = {}
    for path in paths:
        for file in [path] if path.is_file() else scan(path).files:
            data = svg_data(os.path.realpath(file), [file])
            if data is not None and (found := published_svg_problems(data)):
                got = os.path.relpath(file, shown_from)
                problems[file] = Problem(file, None, "svg", f"{SVG_EXPECTED}; got {got!r}: {summary(found)}")
    return list(problems.values())


def _why_not(real: str, root: str, sources: set[str]) -> str:
    if is_editor_temporary(os.path.basename(real)):
        return "an editor's temporary file: never published"
    if real in sources:
        return "an article, page or issue: link it with {filename}"
    if not inside(real, root):
        return "it leads outside content/"
    return "not found"
