"""Writing one build's files into its staging folder, hard-linking what the live build (or the file store)
already has.

Every file is written as a new file, never into one already there: a staged file may be a link
to the live site's file and to the file store's entry, which must never change.
"""

from __future__ import annotations

import os
from pathlib import Path


class StagedWriter:
    """Puts files into a build's staging folder, hard-linking those whose bytes the live build already has."""

    def __init__(self, staging: Path, live: Path | None) -> None:
        self.staging = staging
        self.live = live if live is not None and live.is_dir() else None
        # paths as strings: a rebuild links 40,000 unchanged files, and pathlib was a third of it
        self._staging, self._live = os.fspath(staging), os.fspath(self.live) if self.live is not None else None
        self._dirs: set[str] = set()

    def _target(self, relpath: str) -> str:
        """The staging path of ``relpath``, its folder made once."""
        target = os.path.join(self._staging, relpath)
        folder = os.path.dirname(target)
        if folder not in self._dirs:
            os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)
        return target

    def put(self, relpath: str, data: bytes) -> None:
        target = self._target(relpath)
        if self._live is not None and self._same_as_live(relpath, data):
            os.link(os.path.join(self._live, relpath), target)
            return
        try:
            file = open(target, "xb")  # noqa: SIM115 (closed below, once it is known which file is written)
        except FileExistsError:  # put twice: the first may be a link, so it is replaced, not written into
            os.unlink(target)
            file = open(target, "xb")  # noqa: SIM115
        with file:
            file.write(data)

    def reuse(self, relpath: str, written: FileId) -> bool:
        """Link the live copy of ``relpath`` into staging if it is the very file ``written`` identifies.

        The render cache says which file was current, never what output/ holds now: an older copy
        put back, or a site swapped in before its keys were saved, must be rendered again.
        """
        if self._live is None:
            return False
        return self.adopt(relpath, os.path.join(self._live, relpath), written)

    def adopt(self, relpath: str, source: str | Path, written: FileId) -> bool:
        """Link ``source`` into staging as ``relpath`` if it is the very file ``written`` identifies."""
        target = self._target(relpath)
        try:
            os.link(source, target)
        except OSError:  # gone, or on another file system
            return False
        if file_id(target) != written:  # the link is checked, not the path: nothing can swap in between
            os.unlink(target)
            return False
        return True

    def identity(self, relpath: str) -> FileId:
        """The identity of a file just put in staging, for the render cache to record."""
        return file_id(os.path.join(self._staging, relpath))

    def _same_as_live(self, relpath: str, data: bytes) -> bool:
        old = os.path.join(self._live, relpath)  # type: ignore[arg-type]
        try:
            if os.stat(old).st_size != len(data):
                return False
            with open(old, "rb") as file:
                return file.read() == data
        except OSError:
            return False


FileId = tuple[int, int, int, int]


def file_id(path: str | Path) -> FileId:
    """Device, inode, size and mtime_ns: unchanged by renaming the site and by linking, new for any rewrite.

    A copy put back (cp -a, rsync -a, tar) is a new inode; a file moved back is another inode
    than the one recorded; mtime_ns tells an inode number the kernel gave out again. ctime is
    left out: every link and unlink changes it, and each rebuild links the file and deletes the
    old site.
    """
    stat = os.stat(path)
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
