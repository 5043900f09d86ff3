"""A CSV file's bytes as text: the encodings Excel writes, decided per file, and never a silent guess.

A file that is UTF-8 apart from a few bytes (a name pasted from an old Windows program) is
read as UTF-8, those bytes as Windows-1252, each line holding one named; a Windows-1252 file
that happens to hold UTF-8 sequences names the lines where a letter may be two.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from vouch.render.humanize import counted

_STRAY = re.compile("[\udc80-\udcff]+")  # bytes that are not UTF-8, as surrogateescape keeps them
_UTF8_LETTER = re.compile("[^\x00-\x7f\udc80-\udcff]")  # a non-ASCII character that was valid UTF-8
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # never in a table's text; in bytes misread as UTF-16
_LISTED = 20  # lines named one by one; the rest in one line


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    how: str  # for the summary: "UTF-8", "Windows-1252", ...
    warnings: tuple[str, ...] = ()


def decode(data: bytes) -> Decoded:
    """UTF-8 (with or without BOM), UTF-32 with BOM, UTF-16 with BOM or without (told by where its NUL bytes are), else
    Windows-1252 as Excel writes; mixed files say where. ValueError for NUL bytes that are not UTF-16's."""
    if data.startswith(codecs.BOM_UTF8):
        return _utf8_with_strays(data[len(codecs.BOM_UTF8) :].decode("utf-8", "surrogateescape"), "UTF-8 with BOM")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
        return _with_wide_bom(data)
    if b"\x00" in data:  # never in text of any 8-bit encoding: the high byte of UTF-16's ASCII letters
        return _utf16_without_bom(data)
    try:
        return Decoded(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        pass
    escaped = data.decode("utf-8", "surrogateescape")
    strays = sum(len(found.group()) for found in _STRAY.finditer(escaped))
    if len(_UTF8_LETTER.findall(escaped)) >= strays:  # mostly UTF-8: a few bytes from elsewhere
        return _utf8_with_strays(escaped, "UTF-8")
    return _windows_1252(data, escaped)


def _with_wide_bom(data: bytes) -> Decoded:
    """UTF-16, or UTF-32, whose byte-order mark FF FE 00 00 starts like UTF-16's."""
    if not data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return Decoded(data.decode("utf-16"), "UTF-16")
    try:
        return Decoded(data.decode("utf-32"), "UTF-32")
    except UnicodeDecodeError as exc:
        raise ValueError(f"expected UTF-32 (it starts with UTF-32's byte-order mark); got {exc.reason} at byte "
                         f"{exc.start}: save the file as CSV UTF-8") from None  # fmt: skip


def _utf16_without_bom(data: bytes) -> Decoded:
    """UTF-16 whose byte-order mark was left out: a CSV is mostly ASCII, so NUL is every other byte, on one side."""
    high_first, high_second = data[0::2].count(0), data[1::2].count(0)
    nuls = high_first + high_second
    first = data.index(0)
    line = data.count(b"\n", 0, first) + 1
    stray = ValueError(f"expected UTF-8 or UTF-16 text; got a NUL byte at byte {first} (line {line}): "
                       "save the file as CSV UTF-8")  # fmt: skip
    if max(high_first, high_second) < 0.9 * nuls:
        raise stray
    codec, order = ("utf-16-le", "little-endian") if high_second > high_first else ("utf-16-be", "big-endian")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"looks like UTF-16 without a byte-order mark, but does not decode as it ({exc.reason} at byte "
            f"{exc.start}): save the file as CSV UTF-8"
        ) from None
    if max(high_first, high_second) < 0.3 * (len(data) // 2) and not _few_nuls_yet_utf16(text):
        raise stray
    return Decoded(text, f"UTF-16 {order} without a byte-order mark")


def _few_nuls_yet_utf16(text: str) -> bool:
    """Greek or Cyrillic UTF-16 has NULs only in its commas and line ends; bytes misread as UTF-16 (a stray NUL
    in UTF-8) give control characters or letters made of two ASCII bytes instead."""
    ascii_pairs = (c for c in text if 0x20 <= ord(c) >> 8 <= 0x7E and 0x20 <= ord(c) & 0xFF <= 0x7E)
    return "\n" in text and not _CONTROL.search(text) and next(ascii_pairs, None) is None


def _byte_as_1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined: Latin-1's control characters
        return chr(byte)


def _utf8_with_strays(escaped: str, name: str) -> Decoded:
    lines = escaped.split("\n")
    warnings: list[str] = []
    bad_lines: list[int] = []
    count = 0
    for number, line in enumerate(lines, start=1):
        found = _STRAY.findall(line)
        if not found:
            continue
        raw = [ord(c) - 0xDC00 for c in "".join(found)]
        count += len(raw)
        lines[number - 1] = fixed = _STRAY.sub(
            lambda m: "".join(_byte_as_1252(ord(c) - 0xDC00) for c in m.group()), line
        )
        bad_lines.append(number)
        if len(bad_lines) <= _LISTED:
            shown = " ".join(f"0x{b:02X}" for b in raw[:5]) + (" ..." if len(raw) > 5 else "")
            letters = "".join(_byte_as_1252(b) for b in raw[:5])
            noun = "byte" if len(raw) == 1 else "bytes"
            warnings.append(f"line {number}: not UTF-8 like the rest of the file: {noun} {shown} read as Windows-1252, "
                            f"{letters!r} ({_shown(fixed)!r}): check the spelling")  # fmt: skip
    if not bad_lines:
        return Decoded(escaped, name)
    if len(bad_lines) > _LISTED:
        more = bad_lines[_LISTED:]
        warnings.append(f"{counted(len(more), 'more line')} with bytes that are not UTF-8, read as Windows-1252: "
                        f"lines {', '.join(map(str, more))}")  # fmt: skip
    where = f"line {bad_lines[0]}" if len(bad_lines) == 1 else counted(len(bad_lines), "line")
    how = f"{name}, but {counted(count, 'byte')} on {where} read as Windows-1252"
    return Decoded("\n".join(lines), how, tuple(warnings))


def _windows_1252(data: bytes, escaped: str) -> Decoded:
    try:
        text, how = data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined
        text, how = data.decode("latin-1"), "Latin-1"
    warnings: list[str] = []
    listed = 0
    for number, (line, read) in enumerate(zip(escaped.split("\n"), text.split("\n"), strict=True), start=1):
        letter = _UTF8_LETTER.search(line)
        if letter is None:
            continue
        listed += 1
        if listed > _LISTED:
            continue
        as_read = letter.group().encode("utf-8").decode("latin-1" if how == "Latin-1" else "cp1252", "replace")
        warnings.append(f"line {number}: read as {how} like the rest of the file, but {as_read!r} is also UTF-8 for "
                        f"{letter.group()!r} ({_shown(read)!r}): check the spelling")  # fmt: skip
    if listed > _LISTED:
        warnings.append(f"{counted(listed - _LISTED, 'more line')} that may hold UTF-8 letters read as {how}")
    return Decoded(text, how, tuple(warnings))


def _shown(line: str) -> str:
    line = line.rstrip("\r")
    return line if len(line) <= 60 else line[:57] + "..."
