"""QR codes for printed cards and certificates: one small SVG per profile URL, made once and kept.

zxing-cpp encodes (about 0.6 ms a code, a tenth of segno's 6 ms: measured for issue 18); its
SVG is reduced to one path with a ``viewBox``, so a page can draw it at any size. Codes are
kept in a folder keyed by URL (``.cache/vouch/qr/``, which outlives ``output/``), so a build
encodes only URLs it has not seen.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import zxingcpp

ERROR_CORRECTION = "M"  # recovers ~15% of a scuffed or dirty code; Q/H would make the card's code denser
FORMAT = 1  # bump when the SVG written below changes: the cache key includes it
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


def encoder_version() -> str:
    from importlib.metadata import version

    return f"zxing-cpp {version('zxing-cpp')}, format {FORMAT}, ec {ERROR_CORRECTION}"


@dataclass(frozen=True, slots=True)
class QrCache:
    """Codes by URL in ``folder`` (None: no cache, every code is encoded).

    Build workers on several cores write here at once: each file is written whole to a
    temporary name, then renamed, so a reader sees a whole code or none.
    """

    folder: Path | None
    version: str

    @classmethod
    def at(cls, folder: Path | None) -> QrCache:
        return cls(folder, encoder_version())

    def path(self, url: str) -> Path | None:
        if self.folder is None:
            return None
        name = hashlib.sha256(f"{self.version}\n{url}".encode()).hexdigest()
        return self.folder / name[:2] / f"{name}.svg"

    def svg(self, url: str) -> bytes:
        """The code of ``url``: from the cache if there, else encoded and kept."""
        path = self.path(url)
        if path is not None:
            try:
                return path.read_bytes()
            except FileNotFoundError:
                pass
        data = qr_svg(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        return data


def useless_for_print(site_url: str) -> bool:
    """A code pointing at this machine leads nowhere once printed: SITEURL unset (localhost) or local."""
    host = urlsplit(site_url).hostname
    return not host or host in LOCAL_HOSTS or host.endswith(".localhost")
