"""One-time confirmation tokens: random, recognisable in any reply, stored only as a hash.

The token is one word of lower-case letters and digits behind a fixed prefix,
so it survives quoting (``> ``), line wrapping, HTML replies and a mail
program that keeps only the subject: it is in both.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

PREFIX = "vouch-confirm-"
TOKEN = re.compile(r"vouch-confirm-([a-z2-7]{26})(?![a-z2-7])", re.IGNORECASE)


def new_token() -> str:
    """130 random bits: unguessable, and short enough for a subject line."""
    return PREFIX + base64.b32encode(secrets.token_bytes(20)).decode().lower()[:26]


def tokens_in(text: str) -> list[str]:
    """Every token in ``text``, normalised, in order of appearance, each once."""
    found = [PREFIX + m.group(1).lower() for m in TOKEN.finditer(text)]
    return list(dict.fromkeys(found))


def token_hash(token: str) -> str:
    """What the ledger keeps: a copy of private/ does not let anyone confirm for someone else."""
    return hashlib.sha256(token.lower().encode()).hexdigest()
