"""QR codes for printed cards and certificates: one small SVG per profile URL, made once and kept.

zxing-cpp encodes (about 0.6 ms a code, a tenth of segno's 6 ms: measured for issue 18); its
SVG is reduced to one path with a ``viewBox``, so a page can draw it at any size. Codes are
kept by URL in ``.cache/vouch/qr.pickle``, which outlives ``output/``, so a build encodes only
URLs it has not seen.
"""

from __future__ import annotations

import os
import pickle
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import zxingcpp

from vouch.cache_files import read_stamped

ERROR_CORRECTION = "M"  # recovers ~15% of a scuffed or dirty code; Q/H would make the card's code denser
FORMAT = 2  # bump when the SVG written below (or how it is kept: zlib since 2) changes: the cache key includes it
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
_SIZE = re.compile(r'<svg width="(\d+)" height="(\d+)"')
_PATH = re.compile(r'<path d="([^"]+)"')


def qr_svg(text: str) -> bytes:
    """``text`` as a QR code (quiet zone included): black modules on white, sized by its ``viewBox``."""
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=ERROR_CORRECTION)
    drawn = zxingcpp.write_barcode_to_svg(code, add_quiet_zones=True)
    size, path = _SIZE.search(drawn), _PATH.search(drawn)
    if size is None or path is None:  # a zxing-cpp upgrade changed its SVG: fail the build, never print a blank
        raise ValueError(f"{encoder_version()} wrote an SVG this code does not read: {drawn[:200]!r}")
    width, height = size.groups()
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'shape-rendering="crispEdges"><rect width="{width}" height="{height}" fill="#fff"/>'
        f'<path d="{path.group(1)}" fill="#000"/></svg>\n'
    ).encode()


def _packed_svg(text: str) -> bytes:
    return zlib.compress(qr_svg(text), 1)


def encoder_version() -> str:
    from importlib.metadata import version

    return f"zxing-cpp {version('zxing-cpp')}, format {FORMAT}, ec {ERROR_CORRECTION}"


Pool = Callable[[Callable[[str], bytes], list[str]], list[bytes]]  # map(): results in the order of the items


def in_turn(function: Callable[[str], bytes], items: list[str]) -> list[bytes]:
    return [function(item) for item in items]


@dataclass(frozen=True, slots=True)
class QrCache:
    """The codes of the last build, by URL, in one file (None: none kept, every code is encoded).

    One file rather than one per code: creating ten thousand small files cost more than encoding
    them. Builds of a project take turns (the build lock), so one writer at a time; the file is
    replaced whole. It keeps the codes of the URLs of the last build alone, so it never grows stale.
    """

    path: Path | None
    version: str

    @classmethod
    def at(cls, path: Path | None) -> QrCache:
        return cls(path, encoder_version())

    def codes(self, urls: Sequence[str], map_all: Pool = in_turn) -> dict[str, bytes]:
        """The code of every URL: kept ones read back, new ones encoded with ``map_all`` (every core)."""
        return {url: zlib.decompress(code) for url, code in self.packed(urls, map_all).items()}

    def packed(self, urls: Sequence[str], map_all: Pool = in_turn) -> dict[str, bytes]:
        """``codes`` compressed with zlib, as they are kept and encoded: a fifth of the size (27 MB of SVG at
        10,000 partners would otherwise stay in the build, and in every page writer forked from it)."""
        kept = self._load()
        missing = [url for url in dict.fromkeys(urls) if url not in kept]
        made = dict(zip(missing, map_all(_packed_svg, missing), strict=True))
        codes = {url: kept[url] if url in kept else made[url] for url in urls}
        if missing or kept.keys() != codes.keys():
            self._save(codes)
        return codes

    def _load(self) -> dict[str, bytes]:
        return read_stamped(self.path, self.version)  # none yet, or unreadable: encoded again, never trusted

    def _save(self, codes: dict[str, bytes]) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        part = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        part.write_bytes(pickle.dumps((self.version, codes), protocol=5))
        os.replace(part, self.path)


def useless_for_print(site_url: str) -> bool:
    """A code pointing at this machine leads nowhere once printed: SITEURL unset (localhost) or local."""
    host = urlsplit(site_url).hostname
    return not host or host in LOCAL_HOSTS or host.endswith(".localhost")
