"""Control characters: refused in profile text, escaped wherever Vouch prints a file's text.

A terminal obeys them (an escape sequence can repaint a line of ``invoke check``), a
CR/LF splits an e-mail header, and bidi overrides reorder what a reader sees.
"""

from __future__ import annotations

import re

# Besides C0: DEL, C1, the Unicode line and paragraph separators, and the bidi embeddings,
# overrides and isolates. (The invisible marks U+200E/U+200F stay: right-to-left names need them.)
_OTHERS = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
CONTROL_RE = re.compile(f"[\x00-\x1f{_OTHERS}]")  # one-line text holds none
PROSE_CONTROL_RE = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHERS}]")  # Markdown may break lines and hold tabs


# A file name's bytes that are not UTF-8 come as lone surrogates; written out, they are those bytes again.
_UNPRINTABLE = re.compile(f"[\x00-\x1f{_OTHERS}\udc80-\udcff]")


def printable(text: str, keep: str = "") -> str:
    """``text`` with each control character not in ``keep`` written as its escape (``\\x1b``), safe for a terminal."""
    return _UNPRINTABLE.sub(lambda m: m.group() if m.group() in keep else repr(m.group())[1:-1], text)


def position(found: re.Match[str], line_start: int = 0) -> str:
    """Which control character ``found`` is and where, for a message: ``(U+001B at character 8)``."""
    return f"(U+{ord(found.group()):04X} at character {found.start() - line_start + 1})"
