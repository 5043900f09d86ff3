"""Partner references in Markdown: ``Partners:`` metadata, ``[text]({partner}slug)``
and a bare ``{partner}slug``.

An unknown slug is an error; a known but unpublished one *withholds* the item
that names it, so suspending or lapsing a partner always takes every mention
of them off the site.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
REFERENCE = re.compile(r"\{partner\}(" + SLUG + r")")
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


def references(text: str, metadata: bool = True) -> list[Reference]:
    """Every partner a Markdown file names, in its metadata (unless ``metadata=False``) or its text."""
    found: list[Reference] = []
    if "{partner}" not in text and not metadata:
        return found
    meta = metadata_lines(text) if metadata else {}
    if "partners" in meta:
        line, value = meta["partners"]
        found += [Reference(slug.strip(), line, "Partners") for slug in value.split(",") if slug.strip()]
    for number, line in enumerate(text.splitlines(), start=1):
        found += [Reference(m.group(1), number, "") for m in REFERENCE.finditer(line)]
    return found


def link_partners(rendered: str, root: str, names: Mapping[str, str]) -> str:
    """Resolve references in rendered HTML, token by token as a browser reads it.

    In text a reference becomes a link whose text is the partner's name (only the name inside
    another link); in an attribute it becomes the partner's URL, or its name in a text attribute
    such as ``title``. Each value is escaped for its place, so the markup, and the sanitiser's
    work on a description, stay as they were.
    """
    if "{partner}" not in rendered:
        return rendered
    return _Linker(root, names).rewrite(rendered)


class _Linker(HTMLParser):
    """Rewrites only the tokens that hold a reference; the rest is kept byte for byte."""

    def __init__(self, root: str, names: Mapping[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.root, self.names = root, names
        # (offset, new text, or None for the source with references as plain names); a token runs
        # to the next one. The parser reports every token but "</>", which joins the one before.
        self.tokens: list[tuple[int, str | None]] = [(0, None)]
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
            self.plain(html[start:end]) if new is None else new
            for (start, new), end in zip(self.tokens, ends, strict=True)
        )

    def token(self, new: str | None = None) -> None:
        line, column = self.getpos()
        self.tokens.append((self.lines[line - 1] + column, new))

    def url(self, slug: str) -> str:
        return f"{self.root}/partners/{slug}/"

    def name(self, slug: str) -> str:
        return self.names.get(slug, slug)

    def plain(self, source: str) -> str:
        """Where no markup can go and browsers decode nothing (comments, scripts, tag names): the name."""
        return REFERENCE.sub(lambda m: html.escape(self.name(m.group(1))), source)

    def text(self, data: str) -> str:
        out, last = [], 0
        for match in REFERENCE.finditer(data):
            slug = match.group(1)
            name = html.escape(self.name(slug), quote=False)
            out += [html.escape(data[last : match.start()], quote=False)]
            out += [name if self.links else f'<a href="{html.escape(self.url(slug))}">{name}</a>']
            last = match.end()
        return "".join([*out, html.escape(data[last:], quote=False)])

    def tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> None:
        if not any(value and REFERENCE.search(value) for _, value in attrs):
            self.token()
            return

        def value(name: str, text: str) -> str:
            place = self.name if name in TEXT_ATTRIBUTES else self.url  # a name could be "javascript:..."
            return html.escape(REFERENCE.sub(lambda m: place(m.group(1)), text))

        written = "".join(
            f" {self.plain(name)}" if text is None else f' {self.plain(name)}="{value(name, text)}"'
            for name, text in attrs
        )
        self.token(f"<{self.plain(tag)}{written}{close}")

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
        self.token(self.text(data) if not self.cdata_elem and REFERENCE.search(data) else None)

    def handle_comment(self, data: str) -> None:
        self.token()

    def handle_decl(self, decl: str) -> None:
        self.token()

    def handle_pi(self, data: str) -> None:
        self.token()

    def unknown_decl(self, data: str) -> None:
        self.token()
