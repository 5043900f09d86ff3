"""Reading back a build cache: a pickled (stamp, dict) that is trusted only as far as its stamp."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any


def read_stamped(path: Path | None, stamp: object) -> dict[Any, Any]:
    """The dict pickled at ``path`` as ``(stamp, dict)`` when its stamp is ``stamp``; else an empty one: none yet,
    another version, or damaged in any way (unpickling runs code: a module, an attribute, a size may fail)."""
    if path is None or not path.is_file():  # a pipe would wait for ever, a device never end
        return {}
    try:
        stored, value = pickle.loads(path.read_bytes())
    except Exception:
        return {}
    return value if stored == stamp and isinstance(value, dict) else {}


def save(path: Path, stamped: tuple[object, dict[Any, Any]]) -> None:
    """Pickle ``(stamp, dict)`` to ``path`` whole or not at all (two builds may write it); a cache only saves
    work, so a path that cannot be written (a folder there, a full disk) is left as it is, and nothing beside it."""
    beside = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        beside.write_bytes(pickle.dumps(stamped, protocol=pickle.HIGHEST_PROTOCOL))
        beside.replace(path)
    except OSError:
        beside.unlink(missing_ok=True)
