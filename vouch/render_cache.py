"""Which output files are still current: a key per file, from everything it was made of.

A page's key hashes its own inputs (the partner, the names it links...)
together with a fingerprint of everything pages share (theme, code,
settings, registries). When the key is the one recorded for the live file,
the build links that file instead of rendering it again.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

VERSION = 1


def fingerprint(*parts: Any, files: Iterable[Path] = ()) -> str:
    """A hash of ``parts`` (picklable values) and of the bytes of ``files``."""
    digest = hashlib.sha256(repr((VERSION, parts)).encode())
    for path in sorted(files):
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key(shared: str, *inputs: Any) -> str:
    """Inputs are frozen dataclasses, tuples, strings and dates: their repr is canonical.

    (pickle is not: its bytes depend on which equal objects happen to be identical.)
    """
    return hashlib.sha256(f"{shared}\n{inputs!r}".encode()).hexdigest()


def load(path: Path | None) -> dict[str, str]:
    if path is None or not path.exists():
        return {}
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        return {}


def save(path: Path | None, keys: dict[str, str]) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(keys, protocol=5))
    tmp.replace(path)
