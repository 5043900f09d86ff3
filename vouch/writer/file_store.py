"""Rendered files kept by render key under ``.cache/vouch/files/``, so a build after ``output/`` is deleted
links them instead of rendering and writing them again.

Creating a file costs far more than linking one (0.25-0.5 ms of system time against 0.02 ms,
measured for issue 18), so the thousands of certificates and QR codes of a large network are
kept here: a build links each one it writes into the store, and a later build whose render key
is unchanged links the stored file into its own output, even when ``output/`` and the render
keys beside it are gone.

A stored file is named by its render key, which hashes everything the file is made of (the
shared fingerprint: settings, theme, code, installed packages), so an entry is used only for the
very bytes a fresh render would give. The index (``index.pickle``) records each entry's
identity (``file_id``); an entry is used only when the file linked is that very file, so an entry
written in place, put back or half made is never used. Entries are made by linking a file already
whole under a temporary name and renaming it; the index is replaced whole after the files; and
every build prunes the entries it did not use, so the store holds the last build's files alone.
Nothing writes into a file once written (``StagedWriter.put`` makes a new file), so the links the
store shares with ``output/`` never change under it.
"""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Mapping
from pathlib import Path

from vouch.cache_files import read_stamped
from vouch.paths import own_folder
from vouch.writer.staged import FileId, StagedWriter

VERSION = 1
INDEX = "index.pickle"


class FileStore:
    """The store at ``folder`` (None: no store, nothing kept) and its index of the last build's entries."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.index: dict[str, FileId] = _load(folder / INDEX) if folder is not None else {}
        self.usable = folder is not None

    def take(self, key: str, relpath: str, out: StagedWriter) -> bool:
        """Link the entry for ``key`` into the build as ``relpath``, if it is the very file the index recorded."""
        written = self.index.get(key)
        if not self.usable or written is None:
            return False
        return out.adopt(relpath, self.folder / key, written)  # type: ignore[operator]

    def keep(self, key: str, path: Path, written: FileId) -> None:
        """Make ``path`` (a whole file just put in the build, of identity ``written``) the entry for ``key``,
        unless it already is. Where the store cannot link (another file system) nothing is kept."""
        if not self.usable or self.index.get(key) == written:
            return
        entry = self.folder / key  # type: ignore[operator]
        part = entry.with_name(f".{key}.{os.getpid()}")
        try:
            os.link(path, part)
            os.replace(part, entry)  # whole or absent: a build killed before this leaves a part, pruned later
        except OSError:
            self.usable = False
            part.unlink(missing_ok=True)

    def save(self, used: Mapping[str, FileId]) -> None:
        """Delete every entry but ``used`` (this build's), then record them: the store never outgrows a build."""
        if self.folder is None or self.folder.is_symlink() or not self.folder.is_dir():
            return  # never prune through a link: it would delete whatever the link points at
        present = set()
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.name in used:
                    present.add(entry.name)
                elif entry.is_dir(follow_symlinks=False):  # not one of ours: the store holds files alone
                    shutil.rmtree(entry.path)
                elif entry.name != INDEX:
                    os.unlink(entry.path)
        index = {key: written for key, written in used.items() if key in present}
        part = self.folder / f".{INDEX}.{os.getpid()}"
        part.write_bytes(pickle.dumps((VERSION, index), protocol=5))
        os.replace(part, self.folder / INDEX)

    def prepare(self) -> None:
        """The store's folder, made before the build's workers fork."""
        if self.folder is not None:
            own_folder(self.folder)


def _load(path: Path) -> dict[str, FileId]:
    return read_stamped(path, VERSION)  # none yet, or unreadable: every file is rendered again, never trusted
