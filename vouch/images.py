"""What an image file holds, by its first bytes: a logo's name must say what it is.

A web server picks the type it sends from the name, so a logo whose name and content
disagree is shown broken at best; and an SVG under another name (or another file
under an SVG name, through a link) escapes the checks meant for its real type.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from vouch.svg import SNIFFED, SVG_NAMES, looks_like_svg

KINDS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP", ".avif": "AVIF", ".svg": "SVG"}
NAMED = {"PNG": "a PNG image", "JPEG": "a JPEG image", "GIF": "a GIF image", "WebP": "a WebP image",
         "AVIF": "an AVIF image", "SVG": "an SVG image"}  # fmt: skip


def image_bytes(path: Path, names: Iterable[Path] = ()) -> bytes:
    """Enough of a file to tell its type: the first bytes of a photo or a PDF (a site links big ones), and the
    whole of an SVG, by its name, by the name of a link to it (``names``) or by its content."""
    with open(path, "rb") as file:
        data = file.read(SNIFFED)
        if is_svg_named(path, *names) or looks_like_svg("", data) or b"<?xml" in data[:64]:
            data += file.read()
    return data


def is_svg_named(*paths: Path) -> bool:
    return any(path.name.lower().endswith(SVG_NAMES) for path in paths)


def kind_of_name(name: str) -> str | None:
    """The image type a file name says (any case), or None."""
    return KINDS.get(os.path.splitext(name)[1].lower())


def kind_of_content(data: bytes) -> str | None:
    """The image type ``data`` holds, by its signature, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[4:8] == b"ftyp" and (b"avif" in data[8:64] or b"avis" in data[8:64]):
        return "AVIF"
    return "SVG" if looks_like_svg("", data) else None


def mismatch(link: str, real: str, data: bytes) -> str | None:
    """Why a logo named ``link`` (its real file ``real``, as shown) holding ``data`` is no image of that name's type."""
    named, real_kind, held = kind_of_name(link), kind_of_name(real), kind_of_content(data)
    if real_kind is None:
        return f"a link to {real}, which is no image file's name"
    if real_kind != named:
        return f"a link to {real}, which names {NAMED[real_kind]}"
    if held != named:
        known = list(NAMED)
        holding = NAMED[held] if held else f"no {', '.join(known[:-1])} or {known[-1]} image"
        return f"a {os.path.splitext(real)[1]} file holding {holding}"
    return None
