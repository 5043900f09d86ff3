"""Writing a build into a folder of its own, then making it live with one rename.

``output`` and ``mail`` are symbolic links into ``.output.builds/current/``,
and ``current`` is a link to the live build's folder. A build writes a new
folder beside the others; when everything succeeded, a new ``current`` link
is renamed over the old one. That rename is the whole swap: at every instant
a reader finds the old site or the new one, whole, ``mail/`` with it, and the
render keys in the same folder describe exactly the live files. A killed
build leaves at most a folder (or a link) that the next build deletes. The
build before the live one is kept until the next swap, so a reader that
entered ``output/`` before a swap (``cd output``, an rsync) reads a whole site.

A file whose bytes equal the live copy is hard-linked instead of written,
which saves the disk work on rebuilds; since every staging file is new,
nothing ever writes into a linked file.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("vouch")

MARKER = "made-by-vouch.txt"
MARKER_TEXT = (
    "Vouch's builds. The site folder and mail/ beside this folder are links to current/,\n"
    "the live build; each build adds a folder here and deletes the old ones. Do not edit.\n"
)
KEYS = "render-keys.pickle"
INSIDE = "a build there would put a site and draft e-mail previews in it"
OVER = "a build there would replace it"
MISPLACED = "choose a folder outside the project's sources, private files and other builds"
MAIL_PREVIEWS = {"message.html", "message.txt", "message.eml"}


class Refused(Exception):
    """A build that must not go ahead: the message is one line the editor can act on."""


@contextmanager
def build_lock(path: Path, wait: float) -> Iterator[None]:
    """Hold the build lock ``path``, waiting at most ``wait`` seconds for the build that holds it.

    An flock: the system frees it when its holder dies, however it dies, so a killed build's
    lock is taken over at once. The file names the holder's pid, for the messages.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)  # a program it runs does not inherit it
    try:
        deadline = time.monotonic() + wait
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = os.pread(fd, 20, 0).decode(errors="replace").strip() or "unknown"
                if time.monotonic() >= deadline:
                    message = f"another build (pid {holder}) is still running after {wait:g} s (BUILD_LOCK_WAIT)"
                    raise Refused(message) from None
                if not waiting:
                    log.warning("vouch: waiting for another build (pid %s), up to %g s (BUILD_LOCK_WAIT)", holder, wait)
                    waiting = True
                time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        pid = f"{os.getpid()}\n".encode()
        os.pwrite(fd, pid, 0)
        os.ftruncate(fd, len(pid))
        yield
    finally:
        os.close(fd)  # and with it the lock


class StagedWriter:
    """Puts files into a build's staging folder, hard-linking those whose bytes the live build already has."""

    def __init__(self, staging: Path, live: Path | None) -> None:
        self.staging = staging
        self.live = live if live is not None and live.is_dir() else None
        self._dirs: set[Path] = set()

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
            return
        target.write_bytes(data)

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


@dataclass(frozen=True, slots=True)
class Build:
    """One build's folder: the site, its e-mail previews and the render keys that describe them."""

    folder: Path
    site_name: str

    @property
    def output(self) -> Path:
        return self.folder / self.site_name

    @property
    def mail(self) -> Path:
        return self.folder / "mail"

    @property
    def render_keys(self) -> Path:
        return self.folder / KEYS


@dataclass(frozen=True, slots=True)
class KeepOut:
    """The folders of a project that a build must neither write into nor replace, and how to name them."""

    root: Path
    folders: Mapping[Path, str] = field(default_factory=dict)  # absolute path -> what it is, for the message
    sites: tuple[Path, ...] = ()  # the project's site folders: each with its mail/ and builds folder

    def forbidden(self, mine: tuple[Path, ...]) -> dict[Path, str]:
        """``folders``, and the folders of every site but the one being built (``mine``, two spellings)."""
        found = dict(self.folders)
        for site in self.sites:
            if site in mine:
                continue
            mail, builds = site.with_name("mail"), site.with_name(f".{site.name}.builds")
            found[site] = f"{self.name(site)}/, another Vouch site"
            found[mail] = f"{self.name(mail)}/, the e-mail previews of another Vouch site"
            found[builds] = f"{self.name(builds)}/, the builds of another Vouch site"
        return found

    def name(self, path: Path) -> str:
        """``path`` from the project folder when it lies inside it."""
        return os.path.relpath(path, self.root) if path.is_relative_to(self.root) else str(path)


@dataclass(frozen=True, slots=True)
class SiteFolders:
    """A site folder (``output``) and its sibling ``mail``, both links into ``.output.builds/current``."""

    output: Path

    @classmethod
    def claim(cls, path: Path, keep_out: KeepOut | None = None) -> SiteFolders:
        """The folders a build into ``path`` replaces, refused unless Vouch made them (nothing written yet).

        Vouch's own: absent, empty, a link into a builds folder holding the marker, or a folder an
        earlier Vouch left (adopted, so a deployed site keeps updating after an upgrade). And none
        of the three may be, lie inside or contain a folder of ``keep_out`` or any Vouch builds
        folder: a site inside the live one is deployed with it, one inside content/ read back.
        """
        absolute = Path(os.path.abspath(path))
        folders = cls(absolute.parent.resolve() / absolute.name)  # the folders above resolved, not the link
        if not _vouch_made(folders.output, _earlier_site):
            raise Refused(
                f"{folders.output} is not a folder Vouch built, and a build would replace it: "
                "choose a new or empty folder"
            )
        if not _vouch_made(folders.mail, _earlier_mail):
            raise Refused(
                f"{folders.mail} (where the e-mail previews go, beside {folders.output.name}) is not a folder Vouch "
                "built, and a build would replace it: choose another output folder"
            )
        builds = folders.builds
        if builds.is_symlink() or (builds.exists() and not (builds / MARKER).is_file() and _has_anything(builds)):
            raise Refused(f"{builds} is not Vouch's (no {MARKER} in it), and a build would delete what it holds")
        if where := folders._misplaced(absolute, keep_out or KeepOut(absolute.parent)):
            raise Refused(f"{where}; {MISPLACED}")
        return folders

    def _misplaced(self, asked: Path, keep_out: KeepOut) -> str | None:
        """Where the site, its mail/ or its builds folder would overlap a folder it must keep out of.

        Each is compared as asked (``output/x``) and with the folders above resolved (which finds
        ``.output.builds/...`` behind the ``output`` link).
        """
        forbidden = keep_out.forbidden(mine=(asked, self.output))
        mail = f"{asked.with_name('mail')} (where the e-mail previews go, beside {asked.name})"
        roles = (
            (asked, self.output, str(asked)),
            (asked.with_name("mail"), self.mail, mail),
            (asked.with_name(self.builds.name), self.builds, f"{asked.with_name(self.builds.name)} (its builds)"),
        )
        for as_asked, resolved, shown in roles:
            for place in dict.fromkeys((as_asked, resolved)):
                for folder, label in forbidden.items():
                    if place == folder:
                        return f"{shown} is {label}: {OVER}"
                    if folder in place.parents:
                        return f"{shown} lies inside {label}: {INSIDE}"
                    if place in folder.parents:
                        return f"{shown} contains {label}: {OVER}"
                for above in place.parents:  # any site's builds, wherever it is
                    if above != self.builds and above.name.endswith(".builds") and (above / MARKER).is_file():
                        builds = f"{keep_out.name(above)}/, the builds of another Vouch site"
                        return f"{shown} lies inside {builds}: {INSIDE}"
        return None

    @property
    def mail(self) -> Path:
        return self.output.with_name("mail")

    @property
    def builds(self) -> Path:
        return self.output.with_name(f".{self.output.name}.builds")

    def live_keys(self) -> Path | None:
        """The render keys of the live site; None unless ``output`` is the live build (nothing to trust)."""
        if _points_to(self.output, self._target(self.output.name)):
            return self.builds / "current" / KEYS
        return None

    def begin(self) -> Build:
        """A new, empty build folder (one per run); what killed builds left is repaired or deleted first."""
        self.builds.mkdir(parents=True, exist_ok=True)
        marker = self.builds / MARKER
        if not marker.exists():
            marker.write_text(MARKER_TEXT, encoding="utf-8")
        if (self.builds / "current").is_dir():  # a kill in the middle of a first swap can leave a link unmade
            for link, name in ((self.output, self.output.name), (self.mail, "mail")):
                if not os.path.lexists(link):
                    self._point(link, name)
        delete_in_background(self._garbage())
        folder = self.builds / f"build-{os.getpid()}-{time.time_ns()}"
        folder.mkdir()  # as readable as any folder here (mkdtemp's would be for its owner only)
        return Build(folder, self.output.name)

    def swap_in(self, build: Build) -> None:
        """Make ``build`` live by renaming one link; then keep the one before it and delete the rest."""
        current = self.builds / "current"
        before = os.readlink(current) if current.is_symlink() else None
        self._relink(current, build.folder.name)  # the swap: everything after it is bookkeeping
        if before and before != build.folder.name:
            self._relink(self.builds / "previous", before)
        self._point(self.output, self.output.name)
        self._point(self.mail, "mail")
        delete_in_background(self._garbage())

    def _target(self, name: str) -> str:
        return f"{self.builds.name}/current/{name}"

    def _relink(self, link: Path, target: str) -> None:
        """Point ``link`` at ``target`` in one rename (a folder that stood there is left as garbage)."""
        new = self.builds / f".new-{link.name}-{os.getpid()}-{time.monotonic_ns()}"
        os.symlink(target, new)
        if link.is_dir() and not link.is_symlink():  # a folder (an older Vouch's output): swap the two names
            if not _exchange(new, link):  # the system cannot: a moment without it (the next build repairs a kill)
                os.rename(link, new.with_name(f"{new.name}-old"))
                os.rename(new, link)
        else:
            os.replace(new, link)

    def _point(self, link: Path, name: str) -> None:
        """``link`` (``output`` or ``mail``) made a link to ``current/name``, if it is not one already."""
        if not _points_to(link, self._target(name)):
            self._relink(link, self._target(name))

    def _garbage(self) -> list[Path]:
        """Everything in the builds folder but the live build and the one before it; and what Vouch
        before 2026-12 left beside the site (staging and trash folders)."""
        kept = {MARKER, "current", "previous"}
        kept |= {os.readlink(link) for link in (self.builds / "current", self.builds / "previous") if link.is_symlink()}
        found = [path for path in self.builds.iterdir() if path.name not in kept]
        for name in (self.output.name, "mail"):
            found += [*self.output.parent.glob(f".{name}.staging"), *self.output.parent.glob(f".{name}.trash-*")]
        return found


def _points_to(link: Path, target: str) -> bool:
    return link.is_symlink() and os.readlink(link) == target


def _vouch_made(path: Path, earlier: Callable[[Path], bool]) -> bool:
    if path.is_symlink():  # ours: .<name>.builds/current/<name>, in a builds folder with the marker
        parts = Path(os.readlink(path)).parts
        return len(parts) == 3 and parts[1] == "current" and (path.parent / parts[0] / MARKER).is_file()
    return not path.exists() or (path.is_dir() and (not _has_anything(path) or earlier(path)))


def _has_anything(folder: Path) -> bool:
    return not folder.is_dir() or any(folder.iterdir())


def _earlier_site(folder: Path) -> bool:
    """The shape of a site an earlier Vouch built in place."""
    return (folder / "partners.json").is_file() and (folder / "pagefind").is_dir() and (folder / "index.html").is_file()


def _earlier_mail(folder: Path) -> bool:
    """E-mail previews an earlier Vouch wrote in place: ``<issue>/message.{html,txt,eml}`` and nothing else."""
    return all(
        issue.is_dir() and not issue.is_symlink() and {f.name for f in issue.iterdir()} <= MAIL_PREVIEWS
        for issue in folder.iterdir()
    )


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2
try:
    _renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
except (AttributeError, OSError):  # not Linux (or an old C library)
    _renameat2 = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names in one step (Linux's ``renameat2(RENAME_EXCHANGE)``); False where the system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # a file system without exchange (NFS...)
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def delete_in_background(paths: list[Path]) -> None:
    """Unlinking tens of thousands of files takes seconds the editor need not wait for."""
    if not paths:
        return
    pid = os.fork()
    if pid == 0:  # double fork: the grandchild is adopted by init, so nobody waits for it
        try:
            os.setsid()
            if os.fork() == 0:
                quiet = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(quiet, fd)
                # exec closes every other file, the build lock above all: it is not held while rm runs
                os.execvp("rm", ["rm", "-rf", "--", *map(str, paths)])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def discard(build: Build) -> None:
    """A failed build's folder, deleted before the error is reported."""
    shutil.rmtree(build.folder, ignore_errors=True)
