"""An item's metadata header read exactly as Pelican's Markdown reader reads it (the ``meta`` extension).

Vouch decides from what Pelican reads: a header line Pelican does not take is not taken here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import markdown
from markdown.extensions.meta import BEGIN_RE, END_RE, META_MORE_RE, META_RE
from markdown.preprocessors import Preprocessor

from vouch.comments import strip_comments, strip_value_comments
from vouch.controls import CONTROL_RE, PROSE_CONTROL_RE, position
from vouch.problems import Problem

Header = dict[str, list[tuple[int, str]]]  # key (lower case) -> each value with its line


def metadata(text: str) -> tuple[Header, str]:
    """The ``Key: value`` header exactly as Pelican reads it, and the Markdown after it.

    Pelican takes it from Python-Markdown's meta extension, after the library's
    whitespace normalisation: the same expressions run here on the same lines,
    so Vouch and Pelican cannot disagree about a status (`` Status: draft``, a
    repeated key, a form feed). Keys are lower case; each value has its line.
    """
    header, body, _ = read_header(text)
    return header, body


def read_header(text: str) -> tuple[Header, str, int]:
    """``metadata``, and the number of lines before the Markdown."""
    text = text.removeprefix("\ufeff")  # Pelican opens files as utf-8-sig
    if not text.strip():
        return {}, text, 0
    lines = _normalize_whitespace().run(text.split("\n"))
    header: Header = {}
    key = None
    start = 1 if BEGIN_RE.match(lines[0]) else 0
    for number, line in enumerate(lines[start:], start=start + 1):
        if not line.strip() or END_RE.match(line):
            return header, "\n".join(lines[number:]), number
        if match := META_RE.match(line):
            key = match.group("key").lower().strip()
            header.setdefault(key, []).append((number, match.group("value").strip()))
        elif key and (match := META_MORE_RE.match(line)):
            header[key].append((number, match.group("value").strip()))
        else:
            return header, "\n".join(lines[number - 1 :]), number - 1
    return header, "", len(lines)


def control_problems(path: Path, header: Header, body: str, start: int) -> list[Problem]:
    """Control characters: feeds refuse them, they split e-mail headers, and a terminal obeys them."""
    problems = []
    for key, values in header.items():
        for line, value in values:
            if found := CONTROL_RE.search(value):
                where = position(found)
                message = f"expected one line of text without control characters; got {value!r} {where}"
                problems.append(Problem(path, line, key.capitalize(), message))
    if found := PROSE_CONTROL_RE.search(body):
        first = body.rfind("\n", 0, found.start()) + 1
        text = body[first:].split("\n", 1)[0]
        where = position(found, first)
        message = f"expected text without control characters (line breaks and tabs are fine); got {text!r} {where}"
        problems.append(Problem(path, start + body.count("\n", 0, first) + 1, "text", message))
    return problems


def without_comments(header: Header, body: str, start: int) -> tuple[Header, str]:
    """The header and the text as Pelican renders them: without comments (``StripComments``).

    The text is the file's, line for line (the header's values in place of its lines), so that
    links and references are found where the file has them.
    """
    header = {
        key: list(zip([line for line, _ in values], strip_value_comments([v for _, v in values]), strict=True))
        for key, values in header.items()
    }
    lines = [""] * start
    for key, values in header.items():
        for line, value in values:
            lines[line - 1] = f"{key}: {value}"
    return header, "\n".join([*lines, strip_comments(body, keep_lines=True)])


@cache
def _normalize_whitespace() -> Preprocessor:
    """Python-Markdown's own first step (line endings, tabs, blank lines), which runs before the meta extension."""
    return markdown.Markdown().preprocessors["normalize_whitespace"]
