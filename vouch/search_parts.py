"""How the search index is split into parts, and the words every part must hold (no Pelican, no Pagefind).

One Pagefind index of 10,000 partners holds about 1.2 GB while it is made (some 120 KB a page) and is made whole
again after any edit. Past ``PART_PAGES`` searchable pages the site is therefore indexed in parts, merged by the
search page: partners in name order (filters alone list partners A to Z: the parts one after another), then the
other pages. A part whose pages did not change keeps its index; an edit re-indexes its own part.

Merged parts answer as the one index would only if every part knows the same words: Pagefind backs off to a
prefix of a word a part lacks (CloudCannon/pagefind#599: "Anchor" found 929 pages instead of 63) and ignores a
query word the whole index lacks. So every part also indexes a vocabulary page holding every word of the site,
which the search page filters out. The words are read from each page here, a superset of what Pagefind reads
(tests check, from the indexes Pagefind wrote, that every part then holds the same words).
"""

from __future__ import annotations

import bisect
import itertools
import re
import string
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import lxml.html

PART_PAGES = 1000  # pages a part; a site with fewer searchable pages gets one index and no vocabulary page
MOST_PARTS = 64  # of partners, and of other pages: the search page weights part k by (part size)**k, a float
VOCABULARY = "vouch-vocabulary"  # the vocabulary page's folder in each part, and the filter that marks it

# What Pagefind leaves out of a page's words (its fossick parser's REMOVE_SELECTORS).
_REMOVED = frozenset(
    ["head", "style", "script", "noscript", "label", "form", "svg", "footer", "nav", "iframe", "template"]
)
# Where Pagefind breaks words between elements (SENTENCE_SELECTORS, and br); it joins the text of any other.
_BREAKS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6", "p", "td", "div", "ul", "li", "article", "section", "br"])
_META_ATTRIBUTE = re.compile(r"\[([^\]]+)\]")
_LANG = re.compile(rb"<html[^>]*\slang=[\"']?([\w-]+)", re.IGNORECASE)
_NAME = re.compile(rb"data-pagefind-sort=[\"']name[\"'][^>]*>(.*?)</", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Page:
    """A searchable page: its path in the site, a hash of its bytes, the partner's name (None: not a partner) and
    its ``<html lang>`` (Pagefind makes an index per language)."""

    rel: str
    digest: str
    name: str | None = None
    lang: str = "unknown"

    @property
    def key(self) -> tuple[str, str]:
        """Where the page sorts: partners by name, as Pagefind sorts them (code points), other pages by path."""
        return (self.name, self.rel) if self.name is not None else ("", self.rel)


def partner_name(data: bytes) -> str | None:
    """The text of the element marked ``data-pagefind-sort="name"`` (a profile's name), else None."""
    found = _NAME.search(data)
    if not found:
        return None
    return lxml.html.fromstring(b"<p>" + found.group(1) + b"</p>").text_content().strip()


def language(data: bytes) -> str:
    """The page's ``<html lang>``, lower-cased as Pagefind names its indexes ("unknown" without one)."""
    found = _LANG.search(data[:2048])
    return found.group(1).decode("ascii", "replace").lower() if found else "unknown"


def split(
    pages: Sequence[Page], bounds: Sequence[tuple[str, list[str]]] = ()
) -> tuple[list[list[Page]], list[tuple[str, list[str]]]]:
    """The parts and the names they start at, for the next build: partners A to Z in ranges of names, the other
    pages (articles, issues, pages) spread over those parts by a hash of their path, so each part holds the same
    mix of pages and scores a word (its BM25 statistics are the part's) as the others do: in a part of articles
    alone "advice" was common and ranked low, in partner parts rare and high.

    The last build's ``bounds`` are kept while every part's partners stay between half and twice ``PART_PAGES``
    (parts grow past it rather than number more than ``MOST_PARTS``), so adding or renaming one partner
    re-indexes one part, not every part after it. Up to ``PART_PAGES`` pages: one part."""
    if len(pages) <= PART_PAGES:
        return [list(pages)], []
    partners = sorted((p for p in pages if p.name is not None), key=lambda p: p.key)
    others = sorted((p for p in pages if p.name is None), key=lambda p: p.key)
    target = max(PART_PAGES, -(-len(pages) // MOST_PARTS))
    starts = [b[1] for b in bounds if b[0] == "partner"]
    parts = _cut(partners, starts) if starts and partners else None
    if parts is None or not all(target // 2 <= len(part) <= 2 * target for part in parts):
        count = -(-len(pages) // target)  # the other pages count towards the size of the part they join
        size = max(1, -(-len(partners) // count))
        parts = [partners[i : i + size] for i in range(0, len(partners), size)]
    if not parts:  # no partners: the other pages alone, in as many parts as they need
        parts = [[] for _ in range(-(-len(others) // target))]
    for page in others:
        parts[zlib.crc32(page.rel.encode()) % len(parts)].append(page)
    return parts, [("partner", list(part[0].key)) for part in parts[1:] if part and part[0].name is not None]


def _cut(group: list[Page], starts: list[list[str]]) -> list[list[Page]] | None:
    keys = [p.key for p in group]
    edges = [0, *(bisect.bisect_left(keys, tuple(start)) for start in starts), len(group)]
    parts = [group[a:b] for a, b in itertools.pairwise(edges)]
    return parts if all(parts) else None


def page_words(data: bytes) -> set[str]:
    """Every word Pagefind indexes from this page, as ``_as_pagefind_reads`` spells it: the text of the
    ``data-pagefind-body`` elements joined as Pagefind joins it (a break around its block elements and ``br``,
    none around others: "<dt>Phone</dt><dd>0117</dd>" is one word to it), its metadata values (Pagefind 1.5
    searches them: an image's address and alt text too) and the title. A word it lacked would make other parts
    back off to a prefix; a word too many, found by nothing but the vocabulary page, makes a query with it find
    nothing where one index might have backed off (tests read the words back from Pagefind's own index files)."""
    try:
        doc = lxml.html.fromstring(data.decode("utf-8", "replace"))  # as Pagefind reads it, whatever <meta> says
    except (ValueError, lxml.etree.ParserError):
        return set()
    text: list[str] = []
    for title in doc.iter("title"):
        text.append(title.text_content())
    for body in doc.xpath("//*[@data-pagefind-body]"):
        for element in body.xpath(".//*[@data-pagefind-meta]"):
            text.append(element.text_content())
            for name in _META_ATTRIBUTE.findall(element.get("data-pagefind-meta", "")):
                text.append(element.get(name.strip(), ""))
        for image in body.iter("img"):  # the first after the title is the page's image and image_alt metadata
            text += [image.get("src", ""), image.get("alt", "")]
        for element in list(body.iter()):
            tag = element.tag if isinstance(element.tag, str) else ""
            if element is not body and (tag in _REMOVED or element.get("data-pagefind-ignore") is not None):
                element.drop_tree()
            elif tag in _BREAKS:
                element.text, element.tail = f" {element.text or ''}", f" {element.tail or ''}"
        text.append(body.text_content())
    tokens = {token for chunk in text for token in chunk.split()}  # each spelt once: half the time went there
    return {word for token in tokens if (word := _as_pagefind_reads(token))}


def _as_pagefind_reads(token: str) -> str:
    """The shortest spelling that Pagefind turns into the same index words as ``token`` (its splitting.rs): ASCII
    marks at either end change nothing, nor does case, unless a capital inside the word splits it ("aB" -> a, b).
    Other marks stay: "a–" is a word of its own to Pagefind."""
    word = token.strip(string.punctuation)
    rest = word[1:]
    if rest.isascii():  # most words: a capital is then what lower() changes
        return word if rest != rest.lower() else word.lower()
    return word if any(c.isupper() for c in rest) else word.lower()


def vocabulary_page(words: Iterable[str], lang: str) -> bytes:
    """The page each part indexes so that it knows every word of the site; marked for the search page to drop."""
    text = " ".join(sorted(words)).replace("&", "&amp;").replace("<", "&lt;")
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{VOCABULARY}</title></head>'
        f'<body><main data-pagefind-body data-pagefind-sort="name:">'  # first A to Z: see vouch-parts.json's base
        f'<span data-pagefind-filter="{VOCABULARY}">yes</span><p>{text}</p>'
        "</main></body></html>"
    ).encode()
