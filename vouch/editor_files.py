"""Files an editor leaves beside the one being edited: never content, never an error."""

from __future__ import annotations


def is_editor_file(name: str) -> bool:
    """Emacs's lock link (``.#x``) and auto-save (``#x#``), a backup (``x~``), vim's swap file (``.x.swp``).

    Emacs's lock is a dangling symlink named like a profile: read, it failed every build
    while a profile was open.
    """
    return (
        name.startswith(".#") or (name.startswith("#") and name.endswith("#")) or name.endswith(("~", ".swp", ".swo"))
    )
