"""Stop the plain ``pelican`` command in a Vouch site before it writes anything.

Plain Pelican skips every Vouch rule (withholding, partner links, the staged
swap) and writes straight into the deployed folder. The refusal sits in the
site's ``pelicanconf.py``, the one file both commands read: ``invoke build``
reads it inside ``reading_settings()``; anything else reading it is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REFUSAL = (
    "vouch: this is a Vouch site: build it with `invoke build` (or preview with `invoke serve`); "
    "plain `pelican` would skip its checks and publish unvetted partners"
)
_vouch_reading: ContextVar[bool] = ContextVar("vouch_reading", default=False)


@contextmanager
def reading_settings() -> Iterator[None]:
    """Vouch itself is reading the settings file: let it through."""
    token = _vouch_reading.set(True)
    try:
        yield
    finally:
        _vouch_reading.reset(token)


def refuse_plain_pelican() -> None:
    """Called from ``pelicanconf.py``: exits in one line unless Vouch is the reader."""
    if not _vouch_reading.get():
        raise SystemExit(REFUSAL)
