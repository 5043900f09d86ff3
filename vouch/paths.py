"""Paths compared by real path, and shown as the editor types them."""

from __future__ import annotations

import os
from pathlib import Path


def within(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or lies inside it (both real paths)."""
    return path == folder or inside(path, folder)


def inside(path: str, folder: str) -> bool:
    """``path`` lies inside ``folder``, not at it (both real paths)."""
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def shown_from(path: Path, root: Path) -> str:
    """``path`` from the project folder ``root`` when it lies there, else as it is."""
    return os.path.relpath(path, root) if path.is_relative_to(root) else str(path)


def own_folder(path: Path) -> Path:
    """``path`` made a folder of its own: a link (which pruning would follow to wherever it points) or a file in
    its place is removed first."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    path.mkdir(parents=True, exist_ok=True)
    return path
