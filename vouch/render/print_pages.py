"""Pages to print: card sheets per trade (and for the whole directory), a window certificate per partner,
and the QR code (``partners/<slug>/qr.svg``) both of them show.

Made from the same published partners as every other page, and listed nowhere a search engine
or feed reader looks: no sitemap entry, no search index, no feed, ``noindex``. A sheet holds at
most ``SHEET_CARDS`` cards (``page/2/`` on), so no page file nears the 300 KB page limit. Every
print file is ``stored``: kept in the file store, so a build after ``output/`` is deleted links
the thousands of them instead of writing them (``vouch/writer/file_store.py``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from vouch import directory
from vouch.public import Partner
from vouch.render.files import OutputFile, pagination
from vouch.render.qr import Pool, QrCache, in_turn, useless_for_print

SHEET_CARDS = 100  # cards per page file: ten printed sheets of ten (85 x 55 mm, 2 x 5 on A4)
CARDS_BASE = "print/cards/"

Hash = Callable[[Partner], str]  # a partner's stand-in in render-cache keys


def profile_url(site_url: str, partner: Partner) -> str:
    """What the code on a card or certificate opens: the profile, the live proof of vetting."""
    return f"{site_url}/partners/{partner.slug}/"


def print_files(
    partners: Sequence[Partner],
    categories: Sequence[directory.Group],
    site_url: str,
    codes: QrCache,
    content_hash: Hash,
    whole_limit: int,
    map_all: Pool = in_turn,
) -> list[OutputFile]:
    """Every print page and code; the whole directory on one run of sheets only up to ``whole_limit`` partners."""
    warning = useless_for_print(site_url)
    trades = [g for g in categories if g.count]
    whole = len(partners) <= whole_limit
    index = {"trades": trades, "whole": whole, "total": len(partners), "whole_limit": whole_limit}
    index_key = (tuple((g.slug, g.title, g.count) for g in trades), whole, len(partners), whole_limit)
    files = _sheets(CARDS_BASE, None, partners if whole else (), index, index_key, warning, content_hash)
    for trade in trades:
        key = (trade.slug, trade.title, trade.count)
        files += _sheets(f"{CARDS_BASE}{trade.slug}/", trade, trade.partners, {}, key, warning, content_hash)
    titles = {g.slug: g.title for g in categories}
    # Encoded here, not when written: a new code must come back to this process to be kept.
    packed = codes.packed([profile_url(site_url, p) for p in partners], map_all)  # held compressed until written
    for partner in partners:
        url = profile_url(site_url, partner)
        code = partial(zlib.decompress, packed[url])
        files.append(OutputFile(f"partners/{partner.slug}/qr.svg", make=code, inputs=(url, codes.version), stored=True))
        context = {
            "partner": partner,
            "category_title": titles.get(partner.category, partner.category),
            "profile_url": url,
            "qr_warning": warning,
        }
        files.append(
            OutputFile(
                f"partners/{partner.slug}/certificate/index.html",
                "certificate.html",
                context,
                inputs=(content_hash(partner), context["category_title"], url, warning),
                stored=True,
            )
        )
    return files


def _sheets(
    base: str,
    trade: directory.Group | None,
    partners: Sequence[Partner],
    extra: dict[str, Any],
    key: Any,
    warning: bool,
    content_hash: Hash,
) -> list[OutputFile]:
    """One page file per ``SHEET_CARDS`` cards; ``extra`` and ``key`` are what else the pages show."""
    chunks = directory.paginate(partners, SHEET_CARDS)
    return [
        OutputFile(
            f"{base}index.html" if number == 1 else f"{base}page/{number}/index.html",
            "print_cards.html",
            extra
            | {
                "trade": trade,
                "cards": chunk,
                "pagination": pagination(base, number, len(chunks)),
                "qr_warning": warning,
            },
            inputs=(key, number, len(chunks), warning, tuple(map(content_hash, chunk))),
            stored=True,
        )
        for number, chunk in enumerate(chunks, start=1)
    ]
