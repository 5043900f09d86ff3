"""Markdown items (articles, pages, newsletter issues): metadata checks and selection.

Pelican alone logs a bad article, skips it and exits 0; Vouch reads the
metadata header itself first, so a bad item fails the build with
``file:line`` like a bad profile does. Selection decides, with the same
``today`` as the partners, which items are shown: not drafts, not dated in
the future, and not those that name an unpublished partner (withheld).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse
from zoneinfo import ZoneInfo

from vouch.content_folders import DEFAULT_FOLDERS, Folders, is_item_source, site_owned
from vouch.item_header import Header, control_problems, read_header, without_comments
from vouch.item_reading import MARKDOWN_SUFFIXES, ItemReader, Located, Refusal, default_url, page_link_refusals
from vouch.problems import Problem, did_you_mean
from vouch.references import Reference, references
from vouch.settings import NEWSLETTER_FOLDER, WELCOME_FOLDER

MAX_ITEM_BYTES = 1_000_000  # 1 MB: far above any article, far below what makes a build crawl (the README says so)
STATUSES = ("draft", "published")
ITEM_STATUSES = (*STATUSES, "hidden")  # hidden: an article or page written at its URL, listed nowhere (as Pelican)
# URL segments the site itself uses: a page there would collide.
RESERVED_SLUGS = frozenset(
    {"directory", "areas", "partners", "vetting", "articles", "newsletter", "search", "feeds", "pagefind", "theme",
     "images", "page", "404", "sitemap", "robots", "partners-json"}
)  # fmt: skip
TITLE_HINTS = {
    ".md": "a title line such as 'Title: How to brief a tradesperson'",
    ".rst": "a title: the document's first heading, underlined with ### (reStructuredText)",
    ".html": "a title: a <title> element in <head>",
    ".htm": "a title: a <title> element in <head>",
}
# Pages Vouch writes that a Pelican site often has as a content file: the fix is to delete it.
SITE_WRITTEN = {"404": "404.html", "sitemap": "sitemap.xml", "robots": "robots.txt"}
# Templates of Vouch's own pages: no article or page renders with them.
SITE_TEMPLATES = frozenset(
    {"404", "areas", "articles", "base", "directory", "home", "listing", "newsletter_index", "newsletter_issue",
     "partner", "search", "vetting"}
)  # fmt: skip
# Pelican's intrasite links ({filename}, {static}, {attach}, or |static|), found in the source rather than
# in the rendered HTML: found in a code sample too, which errs on the safe side (a file published, not a leak).
_LINK = re.compile(r"[{|](filename|static|attach|index)[|}]([^\s\"'<>()\[\]]*)")
FILE_LINKS = ("filename", "static", "attach")


@dataclass(frozen=True, slots=True)
class Link:
    """An intrasite link, resolved as Pelican resolves it: from the item's folder, or from content/ after ``/``."""

    kind: str  # filename | static | attach | index
    written: str  # as in the file
    target: Path  # content/ joined with it, normalised (real paths are compared where it matters)
    line: int
    cut: bool = False  # the path goes on after a space or '(' (which end it here): a file name to rename


@dataclass(frozen=True, slots=True)
class Item:
    path: Path
    kind: str  # articles | pages | newsletter
    slug: str
    title: str
    date: dt.date | None
    status: str
    partners: tuple[str, ...]  # every slug named, metadata first, each once
    summary: str | None = None
    body: str = ""  # the Markdown after the metadata header
    links: tuple[Link, ...] = ()
    slug_field: str = "file name"  # where the slug comes from: Slug, Title or file name
    slug_line: int = 1
    url: str = ""  # relative to the site root, as Pelican writes it (ARTICLE_URL...); "" for default_url
    save_as: str | None = None  # relative to output/, as Pelican writes it; None: not known (no reader)
    category: str | None = None

    @property
    def link(self) -> str:
        """The item's URL relative to the site root, wherever a URL is written (digests, e-mail)."""
        return self.url or default_url(self.kind, self.slug)


@dataclass(slots=True)
class Selection:
    shown: list[Item] = field(default_factory=list)
    withheld: dict[Path, list[str]] = field(default_factory=dict)  # path -> unpublished slugs it names
    linking: dict[Path, list[Path]] = field(default_factory=dict)  # path -> the items not shown that it links
    scheduled: list[Item] = field(default_factory=list)  # dated after today
    drafts: list[Item] = field(default_factory=list)


def parse_date(value: str, timezone: str) -> dt.date | None:
    """The calendar date, in ``timezone``, of a Pelican ``Date:`` value written as ISO 8601."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(timezone))
    return moment.date()


def is_welcome_step(path: Path, content_dir: Path) -> bool:
    """A file of the welcome series (``newsletter/welcome/``): never an issue, read by ``vouch.newsletter.welcome``."""
    return path.relative_to(content_dir).parts[:2] == (NEWSLETTER_FOLDER, WELCOME_FOLDER)


def load_items(
    content_dir: Path,
    timezone: str,
    known: set[str],
    files: Iterable[Path],
    *,
    templates: frozenset[str] | None = None,
    slugify: Callable[[str], str] | None = None,
    slug_from_title: bool = False,
    folders: Folders = DEFAULT_FOLDERS,
    dirs: Iterable[Path] = (),
    reader: ItemReader | None = None,
) -> tuple[list[Item], list[Problem]]:
    """Every item among ``files`` (all under content_dir, as ``content_files.scan`` finds them, with its
    folders ``dirs``: one named like an item is a problem), in ``folders``.

    ``templates`` are the names a ``Template:`` may take (``item_templates``); None: not checked.
    ``slugify`` is Pelican's, of the file name (or the title, ``slug_from_title``) when there is no
    ``Slug:``; None: the file name as it is. ``reader`` reads files that are not Markdown and says where
    Pelican writes each article and page; None: Markdown only, at Vouch's default URLs.
    """
    reading = _Reading(content_dir, timezone, frozenset(known), templates, slugify, slug_from_title, reader)
    problems = [
        Problem(path, 1, "file", "expected a Markdown file; got a folder named like one (rename it)")
        for path in dirs
        if is_item_source(path, content_dir, folders)
    ]
    items: list[Item] = []
    for path in sorted(files):
        if (kind := folders.kind_of(path, content_dir)) and not is_welcome_step(path, content_dir):
            item, found = _read_item(path, kind, reading)
            problems += found
            if item is not None:
                items.append(item)
    return items, problems


def item_templates(folders: Iterable[Path]) -> frozenset[str]:
    """What a ``Template:`` may name: the theme's templates but partials and those of Vouch's own pages."""
    names = {
        path.relative_to(folder).with_suffix("").as_posix()
        for folder in folders
        if folder.is_dir()
        for path in folder.rglob("*.html")
    }
    return frozenset(n for n in names if n not in SITE_TEMPLATES and not n.startswith(("_", "email/")))


@dataclass(frozen=True, slots=True)
class _Reading:
    content_dir: Path
    timezone: str
    known: frozenset[str]
    templates: frozenset[str] | None
    slugify: Callable[[str], str] | None
    slug_from_title: bool
    reader: ItemReader | None = None


def _read_item(path: Path, kind: str, reading: _Reading) -> tuple[Item | None, list[Problem]]:
    if (size := path.stat().st_size) > MAX_ITEM_BYTES:  # not even read: Markdown's time grows with it
        most = f"at most 1 MB ({MAX_ITEM_BYTES:,} bytes) in an article, page or issue"
        return None, [
            Problem(path, 1, "file", f"expected {most}; got {size:,} bytes (link large material as a file instead)")
        ]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"expected UTF-8 text; got an undecodable byte at offset {exc.start} (save the file as UTF-8)"
        return None, [Problem(path, data.count(b"\n", 0, exc.start) + 1, "file", message)]
    header, body, visible, rendered, problems, refused = _header_and_text(path, kind, text, reading.reader)
    if refused or any(p.field == "file" for p in problems):  # nothing was read: no metadata to check
        return None, problems
    meta = {key: values[0] for key, values in header.items()}  # Pelican keeps the first of a key it reads once

    def problem(key: str, message: str) -> None:
        line = meta[key.lower()][0] if key.lower() in meta else 1
        problems.append(Problem(path, line, key, message))

    for key in ("title", "template"):  # read once by Vouch, but as a list by Pelican
        if len(header.get(key, ())) > 1:
            why = "an indented line continues the one above, and Pelican would show both as a list"
            message = f"expected the {key} on one line; got a second ({why})"
            problems.append(Problem(path, header[key][1][0], key.capitalize(), message))
    title = meta.get("title", (0, ""))[1]
    if not title:
        problem("Title", f"expected {TITLE_HINTS.get(path.suffix, TITLE_HINTS['.md'])}; got nothing")
    status = (meta.get("status", (0, ""))[1] or "published").lower()  # as Pelican: an empty value is no value
    allowed = STATUSES if kind == "newsletter" else ITEM_STATUSES
    if status not in allowed:
        problem("Status", f"expected one of {', '.join(allowed)}; got {meta['status'][1]!r}")
    located = _located(path, kind, meta, reading, problem)
    date = None
    if reading.reader is not None and kind != "newsletter":  # dates as Pelican reads them (its refusals above)
        date = located.date.astimezone(ZoneInfo(reading.timezone)).date() if located and located.date else None
        if located and date is None and kind == "articles" and status != "draft":
            how = "a date line such as 'Date: 2026-09-14' (or DEFAULT_DATE, or a date that FILENAME_METADATA reads)"
            problem("Date", f"expected {how}; got nothing")
    else:
        if "date" in meta:
            date = parse_date(meta["date"][1], reading.timezone)
            if date is None:
                problem("Date", f"expected a date such as 2026-09-14 or 2026-09-14 10:30; got {meta['date'][1]!r}")
        elif kind != "pages":
            problem("Date", "expected a date line such as 'Date: 2026-09-14'; got nothing")
        if "modified" in meta and parse_date(meta["modified"][1], reading.timezone) is None:
            problem("Modified", f"expected a date such as 2026-09-14; got {meta['modified'][1]!r}")
    if "template" in meta and reading.templates is not None and kind != "newsletter":
        own, other = ("article", "page") if kind == "articles" else ("page", "article")
        allowed, name = reading.templates - {other}, meta["template"][1]
        if name not in allowed:
            where = f"a template for {kind} in the theme's templates/ folder, such as {own}"
            problem("Template", f"expected {where}; got {name!r}{did_you_mean(name, allowed)}")
    slug, slug_field = (
        (path.stem, "file name")
        if kind == "newsletter"
        else _slug(path, kind, title, meta, reading, problem, located.slug if located else None)
    )
    slug_line = meta[slug_field.lower()][0] if slug_field.lower() in meta else 1
    slugs: list[str] = []
    partners = [Reference(s.strip(), line, "Partners") for line, v in header.get("partners", ()) for s in v.split(",")]
    # A comment may join a reference (``{partner}<!-- -->slug``) or hide one: both are read, to err on the safe side.
    found = references(text, metadata=False) + references(visible, metadata=False)
    # What another reader rendered is searched too, as the file's last line: an escape of its own (reST's
    # ``{partner}\ slug``) may make a reference the source does not spell.
    spelled, last = {r.slug for r in found}, max(1, len(text.splitlines()))
    found += [Reference(r.slug, last, r.field) for r in references(rendered, metadata=False) if r.slug not in spelled]
    for ref in [r for r in partners if r.slug] + sorted(dict.fromkeys(found), key=lambda r: r.line):
        if ref.slug not in reading.known:
            field_name = ref.field or "partner reference"
            problems.append(Problem(path, ref.line, field_name, unknown_partner(ref.slug, reading.known)))
        elif ref.slug not in slugs:
            slugs.append(ref.slug)
    if problems:
        return None, problems
    summary = "\n".join(v for _, v in header.get("summary", ())).strip() or None
    links = tuple(link for link in _links(visible, path.parent, reading.content_dir) if link.kind in FILE_LINKS)
    problems += [Problem(path, line, "text", message) for line, message in page_link_refusals(text, visible, rendered)]
    if problems:
        return None, problems
    url, save_as, category = (located.url, located.save_as, located.category) if located else ("", None, None)
    return Item(path, kind, slug, title, date, status, tuple(slugs), summary, body, links, slug_field, slug_line,
                url, save_as, category), []  # fmt: skip


def _header_and_text(
    path: Path, kind: str, text: str, reader: ItemReader | None
) -> tuple[Header, str, str, str, list[Problem], bool]:
    """The metadata, the body, the text as Pelican renders it (no comments), what another reader rendered
    (HTML; "" for Markdown, which ``references`` reads as Markdown decodes it), control-character problems,
    and whether the reader refused the file (then nothing of it was read: no title or date to miss).

    Markdown is read here exactly as Pelican's reader reads it; another format (reStructuredText, HTML)
    by Pelican's own reader, through ``reader``, its whole text searched for links and references.
    """
    if kind == "newsletter" or path.suffix[1:] in MARKDOWN_SUFFIXES or reader is None:
        header, body, start = read_header(text)
        problems = control_problems(path, header, body, start)
        header, visible = without_comments(header, body, start)
        return header, body, visible, "", problems, False
    header, rendered, refusals = reader.read_other(path, text)
    problems = control_problems(path, header, text, 0)
    problems += [Problem(path, r.line or _line(header, r.field), r.field, r.message) for r in refusals]
    return header, text, text, rendered, problems, bool(refusals)


def _line(header: Header, field: str) -> int:
    return header[field.lower()][0][0] if field.lower() in header else 1


def _located(
    path: Path, kind: str, meta: dict[str, tuple[int, str]], reading: _Reading, problem: Callable[[str, str], None]
) -> Located | None:
    """Pelican's view of an article or page (None for an issue, or without a reader); refusals reported."""
    if reading.reader is None or kind == "newsletter":
        return None
    found = reading.reader.locate(path, kind, {key: value for key, (_, value) in meta.items()})
    if isinstance(found, Refusal):
        problem(found.field, found.message)
        return None
    if found.translation:
        why = "Vouch publishes one language, DEFAULT_LANG: translations are not supported"
        fix = "remove the Lang: line, or publish the translation on a site of its own"
        problem("Lang", f"expected the language DEFAULT_LANG names ({why}; {fix}); got {found.lang!r}")
    target = found.save_as
    if target and (os.path.isabs(target) or os.path.normpath(target).split(os.sep)[0] == ".."):
        setting = "ARTICLE_SAVE_AS" if kind == "articles" else "PAGE_SAVE_AS"
        problem("file name", f"expected {setting} to write inside output/; got {target!r} for this file")
    return found


def _slug(
    path: Path,
    kind: str,
    title: str,
    meta: dict[str, tuple[int, str]],
    reading: _Reading,
    problem: Callable[[str, str], None],
    pelican_slug: str | None = None,
) -> tuple[str, str]:
    """Pelican's slug for an article or page (``Slug:``, else SLUGIFY_SOURCE slugified), checked as a URL,
    and the field it comes from."""
    for key, name, setting, does in (("save_as", "Save_as", "SAVE_AS", "writes"), ("url", "URL", "URL", "links")):
        if key in meta:  # Pelican would take these over the URL settings, and over the checks below
            where = f"every article and page where ARTICLE_{setting} or PAGE_{setting} says"
            value = meta[key][1]
            target = os.path.normpath(value).lstrip("/")
            owned = site_owned(target) or site_owned(f"{target}/index.html")
            clash = f", where the site writes its own {owned}" if owned else ""
            problem(name, f"expected no {name}: (Vouch {does} {where}); got {value!r}{clash}")
    if meta.get("slug", (0, ""))[1]:
        slug, (field, noun, hint) = meta["slug"][1], ("Slug", "slug", "")
    elif reading.slugify and reading.slug_from_title:
        slug, (field, noun, hint) = reading.slugify(title), ("Title", "title", " (write a Slug: line)")
    else:
        slug = reading.slugify(path.stem) if reading.slugify else path.stem
        field, noun, hint = "file name", "name", " (rename the file)"
    slug = pelican_slug if pelican_slug is not None else slug  # FILENAME_METADATA may give one
    if slug.split("/")[0].lower() in SITE_WRITTEN:
        hint = f" (delete the file: Vouch writes /{SITE_WRITTEN[slug.split('/')[0].lower()]} itself)"
    parts = slug.split("/")
    if any(part in ("", ".", "..") for part in parts):
        problem(field, f"expected a {noun} that makes a URL such as about-us; got {slug!r}")
    elif kind == "pages" and parts[0].lower() in RESERVED_SLUGS:
        problem(field, f"expected a page {noun} that no site URL uses; got /{slug}/{hint}")
    return slug, field


def _links(text: str, folder: Path, content_dir: Path) -> Iterable[Link]:
    """Every intrasite link in ``text``, from the item's ``folder``, or from content/ after a ``/``."""
    for match in _LINK.finditer(text):
        path = unquote(html.unescape(urlparse(match.group(2)).path))
        target = Path(os.path.normpath(content_dir / path.lstrip("/") if path.startswith("/") else folder / path))
        after = text[match.end() : match.end() + 2]
        cut = after[:1] == "(" or (after[:1] == " " and after[1:] not in ('"', "'", "(", ""))  # not a link title
        yield Link(match.group(1), match.group(2), target, text.count("\n", 0, match.start()) + 1, cut)


def unknown_partner(slug: str, known: Iterable[str]) -> str:
    return f"expected the slug of a profile in partners/; got {slug!r}{did_you_mean(slug, known)}"


def select(items: Sequence[Item], today: dt.date, published: set[str]) -> Selection:
    """Which items the site shows; the rest are reported, never written.

    Withholding comes first: a draft that names an unpublished partner is
    withheld too, so not even its e-mail preview is rendered. Then an item
    that links ({filename}) one not shown is withheld, and so on along the
    links: Pelican would write the other's URL (``drafts/...`` for a draft).
    """
    chosen = Selection()
    for item in items:
        hidden = [slug for slug in item.partners if slug not in published]
        if hidden:
            chosen.withheld[item.path] = hidden
        elif item.status == "draft":
            chosen.drafts.append(item)
        elif item.date is not None and item.date > today:
            chosen.scheduled.append(item)
        else:
            chosen.shown.append(item)
    by_real_path = {os.path.realpath(item.path): item.path for item in items}
    while True:
        shown = {os.path.realpath(item.path) for item in chosen.shown}
        linking = {}
        for item in chosen.shown:
            linked = [os.path.realpath(link.target) for link in item.links if link.kind == "filename"]
            hidden_items = [by_real_path[real] for real in linked if real in by_real_path and real not in shown]
            if hidden_items:
                linking[item.path] = list(dict.fromkeys(hidden_items))
        if not linking:
            return chosen
        chosen.linking |= linking
        chosen.shown = [item for item in chosen.shown if item.path not in linking]
