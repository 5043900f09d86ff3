"""The one slug grammar, and ASCII lower-case slugs made from names ("Saint-Étienne" -> "saint-etienne").

Profile file names, registry keys and ``{partner}slug`` references all follow ``SLUG``;
``slugify`` only ever returns a string that matches it (or an empty one).
"""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"  # lower-case letters and digits, single hyphens between
SLUG_RE = rf"^{SLUG}$"
SLUG_PATTERN = re.compile(SLUG_RE)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")  # what slugify turns into one hyphen
_SURROGATE = re.compile("[\ud800-\udfff]")  # a file name's undecodable byte: unidecode would warn on stderr


@lru_cache(maxsize=65536)  # names and towns repeat across thousands of partners
def slugify(text: str) -> str:
    return _NON_ALNUM.sub("-", unidecode(_SURROGATE.sub("", text)).lower()).strip("-")


def initial(name: str) -> str:
    """The A–Z group of a name: its first ASCII letter, or ``0-9``."""
    first = slugify(name)[:1]
    return "0-9" if not first or first.isdigit() else first
