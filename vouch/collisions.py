"""Two items at one URL, or an item where the site writes a file: Pelican would stop with a traceback."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from vouch.content import Item
from vouch.content_folders import SITE_FILES, SITE_FOLDERS
from vouch.problems import Problem


def output_collisions(items: Iterable[Item], save_as: Callable[[Item], str | None], root: Path) -> list[Problem]:
    """Items Pelican would write to one file, or to a file the site writes, or where one needs a folder.

    Pelican stops with a traceback on either: a problem for each item instead, naming the other
    file (``root``: paths are named from there). Drafts are written nowhere.
    """
    written: dict[str, list[Item]] = {}
    for item in items:
        if item.status != "draft" and (target := save_as(item)):
            written.setdefault(target, []).append(item)
    owners: dict[str, Item | None] = dict.fromkeys(SITE_FILES) | {t: items[0] for t, items in written.items()}
    folders: dict[str, str] = {}  # folder -> the first file written in it
    for target in sorted(owners):
        for parent in _parents(target):
            folders.setdefault(parent, target)
    problems = []
    for target, items_there in sorted(written.items()):
        if folder := next((f for f in SITE_FOLDERS if target.startswith(f"{f}/")), None):
            for item in items_there:
                if item.kind != "newsletter":  # an issue is the site's own page there
                    where = f"expected a URL outside {folder}/, where the site writes its own pages"
                    message = f"{where}; got {item.slug!r}: it is written to {target}"
                    problems.append(Problem(item.path, item.slug_line, item.slug_field, message))
            if not (items_there := [item for item in items_there if item.kind == "newsletter"]):
                continue
        clashes = [(target, other) for other in items_there]
        clashes += [(parent, owners[parent]) for parent in _parents(target) if parent in owners]
        if target in folders:
            clashes.append((folders[target], owners[folders[target]]))
        for item in items_there:
            theirs = next(((t, o) for t, o in clashes if o is not item), None)
            if theirs is None:
                continue
            other, owner = theirs
            if owner is None:
                whose = f"the site writes the file {other}"
            else:
                name = os.path.relpath(owner.path, root)
                whose = f"so is {name}" if other == target else f"{name} to {other}"
            message = f"expected a URL of its own; got {item.slug!r}: it is written to {target}, and {whose}"
            problems.append(Problem(item.path, item.slug_line, item.slug_field, message))
    return problems


def _parents(target: str) -> list[str]:
    """``a/b/c.html`` -> ``a``, ``a/b``: the folders a file needs."""
    parts = target.split("/")
    return ["/".join(parts[:n]) for n in range(1, len(parts))]


def save_as_of(article_save_as: str, page_save_as: str, lang: str) -> Callable[[Item], str | None]:
    """Where Pelican writes an item: ARTICLE_SAVE_AS or PAGE_SAVE_AS filled in with its slug and date.

    None where it is not written, or the setting names metadata Vouch does not read (``{category}``).
    """

    def save_as(item: Item) -> str | None:
        if item.kind == "newsletter":  # Vouch's own pages
            return f"newsletter/{item.slug}/index.html"
        if item.save_as is not None:  # as Pelican located it
            return os.path.normpath(item.save_as).lstrip("/") if item.save_as else None
        template = article_save_as if item.kind == "articles" else page_save_as
        date = dt.datetime.combine(item.date, dt.time()) if item.date else None
        try:
            target = template.format(slug=item.slug, date=date, lang=lang) if template else ""
        except (KeyError, IndexError, AttributeError, ValueError, TypeError):
            return None
        return os.path.normpath(target).lstrip("/") if target else None

    return save_as
