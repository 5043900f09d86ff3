"""Editors' backup, swap, autosave and lock files: never content, wherever they lie.

They sit beside the file being edited (``x.svg~``, ``.x.svg.swp``,
``#x.svg#``, and Emacs's ``.#x.svg``, a symlink to nowhere while a file is
open), carry its name and an older copy of its text, and are skipped before
any other rule looks at a folder. The patterns are also handed to Pelican's
``IGNORE_FILES``, so the two read the same files.
"""

from __future__ import annotations

import re
from fnmatch import translate

EDITOR_TEMPORARY = (
    "*~",  # Emacs, Vim, nano, gedit backups
    "#*#",  # Emacs autosave
    ".#*",  # Emacs lock link
    ".*.sw[a-p]",  # Vim swap (.swp, .swo, ...)
    ".*.kate-swp",  # Kate swap
    "*___jb_tmp___",  # JetBrains safe write
    "*___jb_old___",
    ".~lock.*#",  # LibreOffice lock
    "~$*",  # Microsoft Office owner file
)


def is_editor_temporary(name: str) -> bool:
    """Whether a file name (not a path) is an editor's temporary file."""
    return _ANY_TEMPORARY.match(name) is not None


_ANY_TEMPORARY = re.compile("|".join(translate(pattern) for pattern in EDITOR_TEMPORARY))  # fnmatchcase's, at once
