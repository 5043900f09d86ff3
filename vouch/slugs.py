"""ASCII, lower-case slugs for URLs ("Saint-Étienne" -> "saint-etienne")."""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)  # names and towns repeat across thousands of partners
def slugify(text: str) -> str:
    return _NON_ALNUM.sub("-", unidecode(text).lower()).strip("-")


def initial(name: str) -> str:
    """The A–Z group of a name: its first ASCII letter, or ``0-9``."""
    first = slugify(name)[:1]
    return "0-9" if not first or first.isdigit() else first
