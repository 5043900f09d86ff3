"""Editors keep notes in HTML comments: they leave the source once, before anything reads it."""

from __future__ import annotations

import re

# An HTML comment ends where a browser ends it: at "-->" or "--!>", at once for "<!-->", or at the end.
_COMMENT = re.compile(r"<!--(?:-?>|.*?--!?>|.*\Z)", re.DOTALL)


def strip_comments(text: str, keep_lines: bool = False) -> str:
    """``text`` without its HTML comments, read as an HTML parser reads them: editors keep notes in them.

    Done once, on the source, before Markdown (whose smarty extension escapes a comment it does
    not see whole): what Vouch checks and what Pelican renders are the same text. ``keep_lines``
    moves each comment's line breaks to the end of its line, so that line numbers stay true.
    """
    if "<!--" not in text:
        return text
    if not keep_lines:
        return _COMMENT.sub("", text)
    pieces: list[str] = []
    owed = last = 0
    for match in [*_COMMENT.finditer(text), None]:
        kept = text[last : match.start() if match else len(text)]
        if owed and "\n" in kept:
            cut = kept.index("\n")
            kept, owed = kept[:cut] + "\n" * owed + kept[cut:], 0
        pieces.append(kept)
        if match:
            owed += match.group().count("\n")
            last = match.end()
    return "".join(pieces) + "\n" * owed


def strip_value_comments(values: list[str]) -> list[str]:
    """A metadata key's values (a line each) without comments, as many as before: one may span lines."""
    return [v.strip() for v in strip_comments("\n".join(values), keep_lines=True).split("\n")]
