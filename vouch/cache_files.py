"""Reading back a build cache: a pickled (stamp, dict) that is trusted only as far as its stamp."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any


def read_stamped(path: Path | None, stamp: object) -> dict[Any, Any]:
    """The dict pickled at ``path`` as ``(stamp, dict)`` when its stamp is ``stamp``; else an empty one: none yet,
    another version, or damaged in any way (unpickling runs code: a module, an attribute, a size may fail)."""
    if path is None:
        return {}
    try:
        stored, value = pickle.loads(path.read_bytes())
    except Exception:
        return {}
    return value if stored == stamp and isinstance(value, dict) else {}
