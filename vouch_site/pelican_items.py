"""Pelican's readers and URL rules, offered to the domain as plain data (``vouch.item_reading.ItemReader``).

Vouch checks an item before Pelican reads it; what Pelican would make of it
(its reStructuredText and HTML readers, dates in its formats, ``DEFAULT_DATE``,
``FILENAME_METADATA``, ``PATH_METADATA``, categories from folders, the slug and
the URL settings) is asked of Pelican itself here, so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from docutils.utils import SystemMessage
from markupsafe import Markup
from pelican.contents import Article, Page
from pelican.readers import (
    BaseReader,
    MarkdownReader,
    Readers,
    RstReader,
    _filter_discardable_metadata,
    default_metadata,
    parse_path_metadata,
    path_metadata,
)
from pelican.urlwrappers import URLWrapper
from pelican.utils import posixize_path

from vouch.item_reading import Header, Located, Refusal

# Any non-empty CATEGORY_SAVE_AS: Pelican takes categories from folders and DEFAULT_CATEGORY only when it
# writes category pages, which Vouch does not (its CATEGORY_SAVE_AS is ""); the category is kept all the same.
_AS_IF_CATEGORY_PAGES = "category/{slug}.html"


def same_lang(lang: str, default: str) -> bool:
    """One language if the primary subtags agree: ``en``, ``en_gb`` and ``en-US`` are the site's ``en-GB`` (Pelican
    compares them as written, lower-cased, and would drop each as a translation); ``fr`` is another language."""
    return _primary(lang) == _primary(default)


def _primary(lang: str) -> str:
    return lang.replace("_", "-").split("-", 1)[0].strip().lower()


def complete_metadata(metadata: dict[str, Any], source_path: str, settings: dict[str, Any], process: Any) -> None:
    """What Pelican's readers leave out under Vouch's settings: the category from the folder (or
    DEFAULT_CATEGORY), and a ``Lang:`` naming DEFAULT_LANG's language (``en`` on an ``en-GB`` site) taken as
    DEFAULT_LANG (Pelican would count it a translation, and drop it)."""
    if "category" not in metadata:
        as_if = {**settings, "CATEGORY_SAVE_AS": _AS_IF_CATEGORY_PAGES}
        found = parse_path_metadata(source_path=source_path, settings=as_if, process=process)
        fallback = default_metadata(settings=as_if, process=process)
        if category := found.get("category") or fallback.get("category"):
            metadata["category"] = category
    lang = metadata.get("lang")
    if isinstance(lang, str) and same_lang(lang, settings["DEFAULT_LANG"]):
        metadata["lang"] = settings["DEFAULT_LANG"].lower()


def complete_content(content: Any) -> None:
    """``complete_metadata`` for an article or page Pelican has read (``Readers.read_file``)."""
    settings = content.settings
    meta = dict(content.metadata)
    source_path = posixize_path(content.get_relative_source_path())
    complete_metadata(meta, source_path, settings, BaseReader(settings).process_metadata)
    for key in ("category", "lang"):
        if key in meta and meta[key] != content.metadata.get(key):
            content.metadata[key] = meta[key]
            setattr(content, key, meta[key])
    content.in_default_lang = content.lang == settings["DEFAULT_LANG"].lower()


class PelicanItems:
    """Reads what is not Markdown with Pelican's readers, and says where Pelican writes each item."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.readers = Readers(settings)  # no cache: the build's own readers cache what they render
        self._read: dict[Path, dict[str, Any]] = {}
        self._defaults: dict[str, dict[str, Any]] = {}  # reader -> DEFAULT_METADATA, DEFAULT_DATE processed once

    @property
    def extensions(self) -> frozenset[str]:
        return frozenset(self.readers.extensions)

    def read_other(self, path: Path, text: str) -> tuple[Header, str, list[Refusal]]:
        reader = self.readers.readers[path.suffix[1:]]
        if isinstance(reader, RstReader) and (clock := _CLOCK.search(text)):
            written = clock.group(0).strip()
            why = "it writes the time the build runs, so the same files would never build the same site"
            line = text.count("\n", 0, clock.start()) + 1
            message = f"expected no date directive ({why}: write the date); got {written!r}"
            return {}, "", [Refusal("text", message, line)]
        try:
            rendered, metadata = reader.read(str(path))
        except SystemMessage as exc:  # docutils: a warning or worse in the reStructuredText (DOCUTILS_HALT_LEVEL)
            return {}, "", [rst_refusal(str(exc), text.splitlines())]
        except ValueError as exc:  # a date Pelican cannot read
            return {}, "", [Refusal("file", f"expected metadata Pelican reads; got {exc}")]
        except (AttributeError, TypeError) as exc:  # a <meta> name given twice: Pelican's HTML reader makes a list
            return {}, "", [_repeated_meta(text) or Refusal("file", f"expected metadata Pelican reads; got {exc}")]
        if not metadata and not (rendered or "").strip() and text.strip():
            what = "HTML with a <head> holding its <title>, and a <body>"
            why = (
                "a template belongs in the theme; a character reference without ';' before a letter, "
                "such as &#125f, stops Pelican's reader too"
            )
            return {}, "", [Refusal("file", f"expected {what}; Pelican's reader read nothing of it ({why})")]
        self._read[path] = metadata
        lines = text.splitlines()
        header = {key.lower(): [(_line_of(lines, key, value), _as_text(value))] for key, value in metadata.items()}
        for key in self.settings["FORMATTED_FIELDS"]:  # rendered by the reader: as text, as Markdown has them
            if key in header:
                line, value = header[key][0]
                header[key] = [(line, " ".join(Markup(value).striptags().split()))]
        # The metadata as the reader made it (a title, a summary) counts as rendered text too.
        made = "\n".join(_as_text(value) for value in metadata.values())
        return header, f"{rendered or ''}\n{made}", []

    def locate(self, path: Path, kind: str, metadata: dict[str, str]) -> Located | Refusal:
        reader = self.readers.readers[path.suffix[1:]]
        content = Path(self.settings["PATH"])
        source_path = posixize_path(str(path.relative_to(content)))
        process = reader.process_metadata
        if (name := type(reader).__name__) not in self._defaults:
            self._defaults[name] = _filter_discardable_metadata(
                default_metadata(settings=self.settings, process=process)
            )
        meta = dict(self._defaults[name])
        if self.settings.get("DEFAULT_DATE") == "fs" or self.settings.get("EXTRA_PATH_METADATA"):
            meta.update(path_metadata(full_path=str(path), source_path=source_path, settings=self.settings))
        meta.update(_filter_discardable_metadata(parse_path_metadata(source_path, self.settings, process)))
        if path in self._read:
            meta.update(_filter_discardable_metadata(self._read[path]))
        else:
            for key, value in metadata.items():
                if isinstance(reader, MarkdownReader) and key in self.settings["FORMATTED_FIELDS"]:
                    meta[key] = value  # rendered by Pelican later; the URL does not depend on it
                    continue
                try:
                    meta[key] = process(key, value)
                except ValueError:
                    example = "2026-09-14, 2026-09-14 10:30 or 14 Sep 2026"
                    return Refusal(key.capitalize(), f"expected a date such as {example}; got {value!r}")
        complete_metadata(meta, source_path, self.settings, process)
        if meta.get("status", "") == "":
            meta.pop("status", None)
        made = (Article if kind == "articles" else Page)(
            content="", metadata=meta, settings=self.settings, source_path=str(path), context={}
        )
        has_date = "date" in meta
        category = getattr(made, "category", None)
        return Located(
            slug=made.slug,
            url=made.url,
            save_as=made.save_as,
            date=made.date if has_date else None,
            category=str(category) if category is not None else None,
            lang=str(made.lang),
            translation=not same_lang(str(made.lang), self.settings["DEFAULT_LANG"]),
        )


_META_NAME = re.compile(r"""<meta\s[^>]*?\bname\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def _repeated_meta(text: str) -> Refusal | None:
    """The first ``<meta name>`` an HTML item gives twice, at its second line (Pelican reads it as a list)."""
    seen: dict[str, int] = {}
    for found in _META_NAME.finditer(text):
        name, line = found.group(1).lower(), text.count("\n", 0, found.start()) + 1
        if name in seen:
            return Refusal(name, f'expected one <meta name="{name}">; got a second one (the first on line '
                                 f"{seen[name]})", line)  # fmt: skip
        seen[name] = line
    return None


# docutils' date directive (``.. |now| date:: %Y``): the clock, which SOURCE_DATE_EPOCH does not set (review of stop 29)
_CLOCK = re.compile(r"^[ \t]*\.\.[ \t]+\|[^|\n]+\|[ \t]+date::.*$", re.MULTILINE)
# docutils' warnings when a directive would insert a file (file_insertion_enabled is off: vouch_site.config).
_INSERTION = re.compile(r'"(include|raw)" directive disabled|File and URL access deactivated')
_SYSTEM_MESSAGE = re.compile(r"^.*?:(\d+): \((?:[A-Z]+)/\d\) (.*)$", re.S)
_INSERTING = "include, and raw or csv-table with :file: or :url:, would publish a file from disk"


def rst_refusal(message: str, lines: list[str]) -> Refusal:
    """docutils' message as a problem line: its line, without the file's path; a file insertion said so."""
    found = _SYSTEM_MESSAGE.match(message)
    line, said = (int(found.group(1)), found.group(2)) if found else (None, message)
    said = said.split("\n\n", 1)[0].strip()
    if _INSERTION.search(said):
        written = lines[line - 1].strip() if line and line <= len(lines) else said
        fix = "paste the text in, or link the file with {static}"
        return Refusal("text", f"expected no file inserted into the page ({_INSERTING}: {fix}); got {written!r}", line)
    return Refusal("text", f"expected reStructuredText that docutils reads; got {said!r}", line)


def _as_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(map(_as_text, value))
    if isinstance(value, URLWrapper):
        return value.name
    return str(value)


def _line_of(lines: list[str], key: str, value: Any) -> int:
    """The line of a field: ``:key:`` in reStructuredText, ``name="key"`` in HTML, the title's own line."""
    pattern = re.compile(rf"^\s*:{re.escape(key)}:|<meta[^>]*name=[\"']{re.escape(key)}[\"']", re.I)
    for number, line in enumerate(lines, start=1):
        if pattern.search(line):
            return number
    text = _as_text(value).strip()
    for number, line in enumerate(lines, start=1):
        if text and line.strip() == text:
            return number
    return 1
