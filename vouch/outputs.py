"""Writing a build into a staging folder, then swapping it in whole.

A build never touches the live ``output/``: it writes a fresh sibling folder
and renames it into place only when everything succeeded. A file whose bytes
equal the live copy is hard-linked instead of written, which saves the disk
work on rebuilds; since every staging file is new, nothing ever writes into a
linked file.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

STALE_TRASH_SECONDS = 120


class StagedWriter:
    def __init__(self, staging: Path, live: Path | None) -> None:
        self.staging = staging
        self.live = live if live is not None and live.is_dir() else None
        self._dirs: set[Path] = set()
        self.written = 0
        self.linked = 0

    def _target(self, relpath: str) -> Path:
        """The staging path of ``relpath``, its folder made once."""
        target = self.staging / relpath
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        return target

    def put(self, relpath: str, data: bytes) -> None:
        target = self._target(relpath)
        if self.live is not None and self._same_as_live(relpath, data):
            os.link(self.live / relpath, target)
            self.linked += 1
            return
        target.write_bytes(data)
        self.written += 1

    def reuse(self, relpath: str, written: FileId) -> bool:
        """Link the live copy of ``relpath`` into staging if it is the very file ``written`` identifies.

        The render cache says which file was current, never what output/ holds now: an older copy
        put back, or a site swapped in before its keys were saved, must be rendered again.
        """
        if self.live is None:
            return False
        target = self._target(relpath)
        try:
            os.link(self.live / relpath, target)
        except FileNotFoundError:
            return False
        if file_id(target) != written:  # the link is checked, not the path: nothing can swap in between
            target.unlink()
            return False
        self.linked += 1
        return True

    def identity(self, relpath: str) -> FileId:
        """The identity of a file just put in staging, for the render cache to record."""
        return file_id(self.staging / relpath)

    def _same_as_live(self, relpath: str, data: bytes) -> bool:
        old = self.live / relpath  # type: ignore[operator]
        try:
            if old.stat().st_size != len(data):
                return False
            return old.read_bytes() == data
        except OSError:
            return False


FileId = tuple[int, int, int, int]


def file_id(path: Path) -> FileId:
    """Device, inode, size and mtime_ns: unchanged by renaming the site and by linking, new for any rewrite.

    A copy put back (cp -a, rsync -a, tar) is a new inode; a file moved back is another inode
    than the one recorded; mtime_ns tells an inode number the kernel gave out again. ctime is
    left out: every link and unlink changes it, and each rebuild links the file and deletes the
    old site.
    """
    stat = os.stat(path)
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def staging_path(live: Path) -> Path:
    return live.with_name(f".{live.name}.staging")


def fresh_staging(live: Path) -> Path:
    """An empty staging folder beside ``live`` (left-overs of a crashed build removed)."""
    staging = staging_path(live)
    if staging.exists():
        shutil.rmtree(staging)
    sweep_trash(live)
    staging.mkdir(parents=True)
    return staging


def swap_in(staging: Path, live: Path) -> None:
    """Replace ``live`` with ``staging`` by two renames; the old tree is deleted in the background."""
    retired = live.with_name(f".{live.name}.trash-{os.getpid()}-{time.monotonic_ns()}")
    if live.exists():
        live.rename(retired)
    staging.rename(live)
    if retired.exists():
        delete_in_background(retired)


def delete_in_background(path: Path) -> None:
    """Unlinking tens of thousands of files takes seconds the editor need not wait for."""
    if not hasattr(os, "fork"):
        shutil.rmtree(path, ignore_errors=True)
        return
    pid = os.fork()
    if pid == 0:  # double fork: the grandchild is adopted by init, so nobody waits for it
        try:
            os.setsid()
            if os.fork() == 0:
                shutil.rmtree(path, ignore_errors=True)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def sweep_trash(live: Path) -> None:
    """Remove what an earlier background deletion left (it may have been interrupted)."""
    for old in live.parent.glob(f".{live.name}.trash-*"):
        if time.time() - old.stat().st_ctime > STALE_TRASH_SECONDS:  # younger ones are still being deleted
            shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    if staging.exists():
        shutil.rmtree(staging)
