"""Partner references in Markdown: ``Partners:`` metadata, ``[text]({partner}slug)``
and a bare ``{partner}slug`` (or ``|partner|slug``, Pelican's old syntax).

An unknown slug is an error; a known but unpublished one *withholds* the item
that names it, so suspending or lapsing a partner always takes every mention
of them off the site.

One check for every spelling: ``references`` reads the source as Markdown,
HTML, nh3 and URLs could decode it (``decoded``), so an escaped brace, an
entity, a percent-encoded brace or a comment in between is no way around it.
``link_partners`` resolves what a browser reads in the rendered HTML, and
fails closed: a slug it is not given is left out, never linked or shown.
"""

from __future__ import annotations

import html
import logging
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

from vouch.controls import printable
from vouch.slugs import SLUG

log = logging.getLogger("vouch")


# Every spelling Pelican or a browser could make a partner link of, or that shows a slug: ``{partner}``, Pelican's
# old ``|partner|``, any case, spaces inside; the slug in any case, so ``Quay-Drains`` is "no such profile"
# (every slug is lower case: ``vouch.slugs.SLUG``), never a link left as written.
_SLUG_ANY_CASE = SLUG.replace("a-z0-9", "A-Za-z0-9")
REFERENCE = re.compile(r"[{|]\s*(?i:partner)\s*[}|](" + _SLUG_ANY_CASE + r")")
# In a URL a browser also reads percent-encoded braces, bars and spaces.
_URL_SPACE = r"(?:\s|%20|%09)*"
_URL_REFERENCE = re.compile(
    r"(?i:\{|%7b|\||%7c)" + _URL_SPACE + r"(?i:partner)" + _URL_SPACE + r"(?i:\}|%7d|\||%7c)(" + _SLUG_ANY_CASE + r")"
)
# Markdown drops a backslash before ASCII punctuation.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# Comments and tags: nh3 (and comment stripping) take them out, browsers show neither.
_MARKUP = re.compile(r"<!--.*?(?:-->|\Z)|<[^<>]*>", re.S)
# Markdown, HTML (nh3 too) and URLs each decode once on the way to a reader; a margin on top.
_DECODE_ROUNDS = 4
# Attributes a reader sees as text get the partner's name; every other one gets its URL.
TEXT_ATTRIBUTES = frozenset({"title", "alt", "aria-label", "placeholder", "label"})
_META_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Reference:
    slug: str
    line: int
    field: str  # "Partners" for metadata, "" for the body


def metadata_lines(text: str) -> dict[str, tuple[int, str]]:
    """Pelican-style ``Key: value`` header lines (up to the first blank line), with line numbers."""
    out: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            break
        match = _META_LINE.match(line)
        if match:
            out[match.group(1).lower()] = (number, match.group(2).strip())
    return out


def decoded(text: str) -> str:
    """``text`` with Markdown escapes, HTML character references and percent-encoding undone.

    Decoding repeats, so this reads at least as much into the source as the renderers do: a
    reference in what they produce is a reference here.
    """
    for _ in range(_DECODE_ROUNDS):
        text, before = unquote(html.unescape(_ESCAPE.sub(r"\1", text))), text
        if text == before:
            break
    return text


def references(text: str, metadata: bool = True) -> list[Reference]:
    """Every partner a Markdown file names, in its metadata (unless ``metadata=False``) or its text.

    The one check every reader and every spelling goes through: text, titles and summaries are
    read decoded, and once more with comments and tags taken out, even across lines.
    """
    found: list[Reference] = []
    meta = metadata_lines(text) if metadata else {}
    if "partners" in meta:
        line, value = meta["partners"]
        found += [Reference(slug.strip(), line, "Partners") for slug in value.split(",") if slug.strip()]
    if "partner" not in decoded(text).lower():  # the common case, fast: no spelling of a reference at all
        return found
    lines = [decoded(line).replace("\n", " ") for line in text.splitlines()]  # a decoded &#10; keeps lines
    named = [(number, m.group(1)) for number, line in enumerate(lines, start=1) for m in REFERENCE.finditer(line)]
    named += _behind_markup("\n".join(lines))
    found += [Reference(slug, number, "") for number, slug in sorted(dict.fromkeys(named), key=lambda n: n[0])]
    return found


def _behind_markup(text: str) -> list[tuple[int, str]]:
    """References that a comment or a tag splits (``{partner}<!-- -->slug``), with their lines."""
    if "<" not in text:
        return []
    kept, cuts, newlines = [], [], [0]  # cuts[i]: where in the kept text cut i was; newlines: removed so far
    last = length = 0
    for markup in _MARKUP.finditer(text):
        kept.append(text[last : markup.start()])
        length += markup.start() - last
        cuts.append(length)
        newlines.append(newlines[-1] + markup.group().count("\n"))
        last = markup.end()
    visible = "".join([*kept, text[last:]])
    return [
        (visible.count("\n", 0, m.start()) + newlines[bisect_right(cuts, m.start())] + 1, m.group(1))
        for m in REFERENCE.finditer(visible)
    ]


def link_partners(rendered: str, root: str, names: Mapping[str, str], source: str = "") -> str:
    """Resolve references in rendered HTML, token by token as a browser reads it.

    In text a reference becomes a link whose text is the partner's name (only the name inside
    another link); in an attribute it becomes the partner's URL, or its name in a text attribute
    such as ``title``. Each value is escaped for its place, so the markup, and the sanitiser's
    work on a description, stay as they were. A slug not in ``names`` is left out (an attribute
    naming one is dropped): ``references`` should have stopped the item, and this fails closed,
    with one warning per slug naming ``source`` (the item's file), if given.
    """
    if not _URL_REFERENCE.search(html.unescape(rendered)):  # everything the parser below could read
        return rendered
    return _Linker(root, names, source).rewrite(rendered)


def _in_attribute(name: str) -> re.Pattern[str]:
    return REFERENCE if name in TEXT_ATTRIBUTES else _URL_REFERENCE


class _Linker(HTMLParser):
    """Rewrites only the tokens that hold a reference; the rest is kept byte for byte."""

    def __init__(self, root: str, names: Mapping[str, str], source: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.root, self.names, self.source = root, names, source
        self.left_out: set[str] = set()  # slugs already warned about
        # (offset, source -> new text, or None for the source with references as plain names); a
        # token runs to the next one. The parser reports every token but "</>", which joins the one before.
        self.tokens: list[tuple[int, Callable[[str], str] | None]] = [(0, None)]
        self.links = 0  # open <a> elements
        self.lines: list[int] = []

    def rewrite(self, html: str) -> str:
        self.lines = [0, *(m.end() for m in re.finditer("\n", html))]
        self.feed(html)
        self.close()
        if self.rawdata:  # an unclosed <script> or <style> runs to the end
            self.tokens.append((len(html) - len(self.rawdata), None))
        ends = [offset for offset, _ in self.tokens[1:]] + [len(html)]
        return "".join(
            self.plain(html[start:end]) if change is None else change(html[start:end])
            for (start, change), end in zip(self.tokens, ends, strict=True)
        )

    def token(self, change: Callable[[str], str] | None = None) -> None:
        line, column = self.getpos()
        self.tokens.append((self.lines[line - 1] + column, change))

    def known(self, slug: str) -> bool:
        if slug in self.names:
            return True
        if slug not in self.left_out:
            self.left_out.add(slug)
            where = f"{printable(self.source)}: " if self.source else ""  # one line, whatever the name holds
            log.warning("vouch: %sa reference to %s was left out: that partner is not published", where, slug)
        return False

    def url(self, slug: str) -> str:
        return f"{self.root}/partners/{slug}/"

    def plain(self, source: str) -> str:
        """Where no markup can go and browsers decode nothing (comments, scripts, tag names): the name."""
        return REFERENCE.sub(lambda m: html.escape(self.names[m[1]]) if self.known(m[1]) else "", source)

    def text(self, source: str, data: str, in_link: bool) -> str:
        """The source with its references linked when it shows them all as written (the usual
        case: its entities stay as they are), else the decoded text, escaped again."""
        as_written = REFERENCE.findall(source) == REFERENCE.findall(data)
        text, escape = (source, str) if as_written else (data, lambda s: html.escape(s, quote=False))
        out, last = [], 0
        for match in REFERENCE.finditer(text):
            out.append(escape(text[last : match.start()]))
            if self.known(slug := match.group(1)):
                name = html.escape(self.names[slug], quote=False)
                out.append(name if in_link else f'<a href="{html.escape(self.url(slug))}">{name}</a>')
            last = match.end()
        return "".join([*out, escape(text[last:])])

    def tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> None:
        if any(value and _in_attribute(name).search(value) for name, value in attrs):
            written = f"<{self.plain(tag)}{''.join(self.attribute(name, value) for name, value in attrs)}{close}"
            self.token(lambda _source: written)
        else:
            self.token()

    def attribute(self, name: str, value: str | None) -> str:
        """`` name="value"`` with references resolved; nothing if one names a partner not given."""
        if value is None:
            return f" {self.plain(name)}"
        pattern = _in_attribute(name)
        if [slug for slug in pattern.findall(value) if not self.known(slug)]:
            return ""
        as_text = name in TEXT_ATTRIBUTES  # a name is never written into a URL: it could be "javascript:..."
        value = pattern.sub(lambda m: self.names[m[1]] if as_text else self.url(m[1]), value)
        return f' {self.plain(name)}="{html.escape(value)}"'

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag(tag, attrs, ">")
        self.links += tag == "a"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag(tag, attrs, " />")

    def handle_endtag(self, tag: str) -> None:
        self.token()
        if tag == "a":
            self.links = max(0, self.links - 1)

    def handle_data(self, data: str) -> None:
        # Decoded as a browser reads it; script and style text is not decoded, so it stays plain.
        if self.cdata_elem or not REFERENCE.search(data):
            self.token()
        else:
            in_link = self.links > 0  # known now, not when the tokens are written
            self.token(lambda source: self.text(source, data, in_link))

    def handle_comment(self, data: str) -> None:
        self.token()

    handle_decl = handle_pi = unknown_decl = handle_comment  # kept, with references as plain names
