"""How the search index is split into parts, and the words every part must hold (no Pelican, no Pagefind).

One Pagefind index of 10,000 partners holds about 1.2 GB while it is made (some 120 KB a page) and is made whole
again after any edit. Past ``PART_PAGES`` searchable pages the site is therefore indexed in parts, merged by the
search page: partners in name order (filters alone list partners A to Z: the parts one after another), then the
other pages. A part whose pages did not change keeps its index; an edit re-indexes its own part.

Merged parts answer as the one index would only if each part is asked about the words it holds: a part backs
off to a prefix of a word it lacks (CloudCannon/pagefind#599: "Anchor" found 929 pages instead of 63). So the
site also has a word index whose page k holds the words part k's index stores (the text Pagefind read from the
part, each token once, read back from its own files: ``vouch/pagefind_files.py``); the search page asks it first
which parts hold a query's words, then searches those alone. A part's index depends on its own pages only: a new
word re-indexes its part and the word index (one page a part, under a second at 10,000 partners), never every
part.
"""

from __future__ import annotations

import bisect
import itertools
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import lxml.html

from vouch.pickling import quick_pickle

PART_PAGES = 1000  # pages a part; a site with fewer searchable pages gets one index and no word index
MOST_PARTS = 64  # the search page merges every part: each costs it a few fetches a search word

_LANG = re.compile(rb"<html[^>]*\slang=[\"']?([\w-]+)", re.IGNORECASE)
_NAME = re.compile(rb"data-pagefind-sort=[\"']name[\"'][^>]*>(.*?)</", re.DOTALL)


@quick_pickle  # the search cache keeps one for each of 9,000 pages at 10,000 partners, read and saved every build
@dataclass(frozen=True, slots=True)
class Page:
    """A searchable page: its path in the site, a hash of its bytes and the partner's name (None: not a partner)."""

    rel: str
    digest: str
    name: str | None = None

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


def words_page(tokens: Iterable[str], lang: str) -> bytes:
    """A part's page in the word index: every token Pagefind read from the part, once, in the part's language,
    so that Pagefind stores the very words the part's index holds; ended by a lone full stop, so that the last
    token does not end the text (which would split "zx81" into zx and 81 as well)."""
    text = " ".join(sorted(tokens)).replace("&", "&amp;").replace("<", "&lt;")
    lang_attribute = f' lang="{lang}"' if lang != "unknown" else ""
    return (
        f'<!doctype html><html{lang_attribute}><head><meta charset="utf-8"></head>'
        f"<body><main data-pagefind-body><p>{text} .</p></main></body></html>"
    ).encode()
