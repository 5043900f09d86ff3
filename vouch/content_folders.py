"""Which folders under content/ hold articles, pages and newsletter issues, and which files in them are read."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vouch.item_reading import MARKDOWN_SUFFIXES
from vouch.settings import CONTENT_FOLDERS, NEWSLETTER_FOLDER, VouchSettings

KINDS = ("articles", "pages", "newsletter")
# Files Vouch's own pages write: no item may be written there, or need one of them as a folder.
SITE_FILES = ("index.html", "404.html", "robots.txt", "sitemap.xml", "partners.json", "articles/index.html",
              "newsletter/index.html", "directory/index.html", "areas/index.html", "search/index.html",
              "vetting/index.html")  # fmt: skip
# Folders whose every file is Vouch's (partner pages, listings, feeds, the search index, the theme):
# no article or page may be written in them, whatever its URL settings and category make of it.
SITE_FOLDERS = ("directory", "areas", "partners", "vetting", "search", "feeds", "pagefind", "theme", "newsletter",
                "articles/page")  # fmt: skip


def site_owned(target: str) -> str | None:
    """The file or folder of the site's own pages that ``target`` (a path in output/) would be or be in."""
    if target in SITE_FILES:
        return target
    return next((f"{f}/" for f in SITE_FOLDERS if target.startswith(f"{f}/")), None)


@dataclass(frozen=True, slots=True)
class Folders:
    """Which folders under content/ hold which kind of item: ``ARTICLE_PATHS`` and ``PAGE_PATHS`` as the
    site sets them (Pelican reads the same ones), and ``newsletter/`` (fixed: issues are not Pelican's)."""

    articles: tuple[str, ...] = CONTENT_FOLDERS["ARTICLE_PATHS"]
    pages: tuple[str, ...] = CONTENT_FOLDERS["PAGE_PATHS"]
    newsletter: tuple[str, ...] = (NEWSLETTER_FOLDER,)
    extensions: frozenset[str] = MARKDOWN_SUFFIXES  # what Pelican reads as articles and pages (issues: .md)

    @classmethod
    def of(cls, settings: VouchSettings, extensions: frozenset[str] = MARKDOWN_SUFFIXES) -> Folders:
        return cls(settings.article_paths, settings.page_paths, extensions=extensions)

    def kind_of(self, path: Path, content_dir: Path) -> str | None:
        """``articles``, ``pages`` or ``newsletter`` for a file Pelican (or Vouch, for issues) reads in one
        of the folders (the deepest folder that holds it decides, so newsletter/ is never an article's);
        None for any other file."""
        suffix = path.suffix[1:]
        if suffix not in self.extensions and suffix != "md":
            return None
        parts = path.relative_to(content_dir).parts
        found: tuple[int, str] | None = None
        for kind, folder in _folder_parts(self):
            if parts[: len(folder)] == folder and len(parts) > len(folder) and (not found or len(folder) > found[0]):
                found = (len(folder), kind)
        if not found:
            return None
        wanted = {"md"} if found[1] == "newsletter" else self.extensions  # an issue is Markdown, read by Vouch
        return found[1] if suffix in wanted else None

    def roots(self, content_dir: Path) -> list[Path]:
        return [content_dir.joinpath(*folder) for _, folder in _folder_parts(self)]


@cache
def _folder_parts(folders: Folders) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each kind's folders as path parts (asked for every file under content/: worked out once)."""
    return tuple(
        (kind, Path(os.path.normpath(folder)).parts if os.path.normpath(folder) != "." else ())
        for kind, named in zip(KINDS, (folders.articles, folders.pages, folders.newsletter), strict=True)
        for folder in named
    )


DEFAULT_FOLDERS = Folders()


def is_item_source(path: Path, content_dir: Path, folders: Folders = DEFAULT_FOLDERS) -> bool:
    """A file read as an article, page or issue (never published as a file of its own)."""
    return folders.kind_of(path, content_dir) is not None
