"""Writing a build into a folder of its own, then swapping it in by exchanging two names.

``output/`` and ``mail/`` are real folders, so every tool pointed at them (``find output``,
``rsync -a output host:``, ``tar``, an upload action) sees the site, not a link. A build writes
its site, its e-mail previews and its render keys into a folder of its own under
``.output.builds/``. When everything succeeded, Linux's ``renameat2(RENAME_EXCHANGE)`` swaps
the new ``output`` with the live one in one step, then ``mail`` likewise, then the keys are
moved to ``.output.builds/render-keys.pickle``. So ``output/`` is never missing and always
whole, old or new; a kill between the two exchanges leaves the new site with the old
previews, each whole. The keys need not swap with the site: the render cache reuses a live
file only if it is the very file a key recorded (``file_id``), whichever build's keys it reads.

The folders the swap replaced stay in the build's folder (named by the ``previous`` link) until
the next swap, so a reader that entered ``output/`` before it (``cd output``, an rsync under
way) reads whole files; older folders are deleted in the background. Where the file system
cannot exchange (NFS...), the live folder is moved aside and the new one renamed in: a moment
without it, and a build after a kill there first puts the old folder back.

A file whose bytes equal the live copy is hard-linked instead of written, which saves the
disk work on rebuilds; since every staging file is new, nothing ever writes into a linked file.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from vouch.paths import shown_from
from vouch.settings import WELCOME_FOLDER
from vouch.writer.lock import Refused

log = logging.getLogger("vouch")

MARKER = "made-by-vouch.txt"
MARKER_TEXT = (
    "Vouch's builds: a folder per build, the render keys of the live site and the site folders\n"
    "it made. The last swap's folders are kept until the next; each build deletes the rest. Do not edit.\n"
)
KEYS = "render-keys.pickle"
INSIDE = "a build there would put a site and draft e-mail previews in it"
OVER = "a build there would replace it"
MISPLACED = "choose a folder outside the project's sources, private files and other builds"
MADE = "site-folders.txt"  # the site folders Vouch made (device, inode, mtime): how a build knows its own
PREVIOUS = "previous"  # a link to the build folder holding what the last swap replaced
ASIDE = "-aside"  # a live folder moved aside where names cannot be exchanged
MAIL_PREVIEWS = {"message.html", "message.txt", "message.eml"}


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
        return shown_from(path, self.root)


@dataclass(frozen=True, slots=True)
class SiteFolders:
    """A site folder (``output``), its sibling ``mail`` and the builds folder that swaps them."""

    output: Path

    @classmethod
    def claim(cls, path: Path, keep_out: KeepOut | None = None) -> SiteFolders:
        """The folders a build into ``path`` replaces, refused unless Vouch made them (nothing written yet).

        Vouch's own: absent, empty, a folder this builds folder records, a link the symlink
        version of Vouch made, or a folder an earlier Vouch left (adopted, so a deployed site
        keeps updating after an upgrade). And none of the three may be, lie inside or contain a
        folder of ``keep_out`` or any Vouch builds folder: a site inside the live one is deployed
        with it, one inside content/ read back.
        """
        absolute = Path(os.path.abspath(path))
        folders = cls(absolute.parent.resolve() / absolute.name)  # the folders above resolved, not the link
        if not _vouch_made(folders.output, folders.made_here):
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
                for above in place.parents:  # any site, its previews or its builds, wherever they are
                    if other := self._other_site(above, keep_out):
                        return f"{shown} lies inside {other}: {INSIDE}"
        return None

    def _other_site(self, folder: Path, keep_out: KeepOut) -> str | None:
        """What ``folder`` is, if it belongs to another Vouch site: a site, its previews or its builds."""
        if folder in (self.output, self.mail, self.builds):
            return None
        name = keep_out.name(folder)
        if folder.name.endswith(".builds") and (folder / MARKER).is_file():
            return f"{name}/, the builds of another Vouch site"
        if (folder.parent / f".{folder.name}.builds" / MARKER).is_file():
            return f"{name}/, another Vouch site"
        if folder.name == "mail" and any((b / MARKER).is_file() for b in folder.parent.glob(".*.builds")):
            return f"{name}/, the e-mail previews of another Vouch site"
        return None

    @property
    def mail(self) -> Path:
        return self.output.with_name("mail")

    @property
    def builds(self) -> Path:
        return self.output.with_name(f".{self.output.name}.builds")

    def made_here(self, folder: Path) -> bool:
        """A site folder Vouch built: its shape, or (a build without search has no ``pagefind/``)
        the identity the builds folder recorded; never a marker inside, which would be deployed."""
        if _earlier_site(folder):
            return True
        try:
            recorded = (self.builds / MADE).read_text(encoding="utf-8").split()
        except OSError:
            return False
        return (self.builds / MARKER).is_file() and _folder_id(folder) in recorded

    def repair(self) -> None:
        """Put back a live folder that a build killed mid-swap moved aside (only where names cannot be
        exchanged): before anything else, so that even a failed build leaves ``output/`` whole."""
        for live in (self.output, self.mail):
            if os.path.lexists(live) or not self.builds.is_dir():
                continue
            aside = sorted(self.builds.glob(f"build-*/{live.name}{ASIDE}"), key=_started)
            if aside:
                os.rename(aside[-1], live)  # the latest: older ones were the live folder before it

    def live_keys(self) -> Path | None:
        """The render keys the last swap moved into place (or those of the symlink version's live build).

        Any keys are safe, even another build's: a file is reused only if it is the very file a key recorded.
        """
        for keys in (self.builds / KEYS, self.builds / "current" / KEYS):
            if keys.is_file():
                return keys
        return None

    def begin(self) -> Build:
        """A new build folder (one per run) with empty ``output/`` and ``mail/``; what killed builds left is
        deleted first."""
        for live in (self.output, self.mail):
            if os.path.ismount(live):  # a rename cannot move a mount point: refused before anything is written
                raise Refused(f"{live} is a mount point, which a build cannot swap: build into a folder inside it")
        self.builds.mkdir(parents=True, exist_ok=True)
        marker = self.builds / MARKER
        if not marker.is_file() or marker.read_text(encoding="utf-8") != MARKER_TEXT:  # an older Vouch's words
            _write_whole(marker, MARKER_TEXT)
        delete_in_background(self._garbage())
        build = Build(self.builds / f"build-{os.getpid()}-{time.time_ns()}", self.output.name)
        build.folder.mkdir()  # as readable as any folder here (mkdtemp's would be for its owner only)
        build.output.mkdir()
        build.mail.mkdir()  # even with no preview to write: the swap exchanges two folders
        return build

    def swap_in(self, build: Build) -> None:
        """Make ``build`` live: exchange ``output``, then ``mail``, then move its render keys into place;
        then keep the folders it replaced until the next swap and delete the rest."""
        made = [_folder_id(build.output)]  # written before the swap: a kill anywhere leaves the live folder recorded
        if self.output.is_dir() and not self.output.is_symlink():  # claimed: the live site, Vouch's
            made.append(_folder_id(self.output))
        _write_whole(self.builds / MADE, "".join(f"{line}\n" for line in made))
        replaced = build.folder.name
        if self._linked():  # the symlink version's links: its live build holds the site they lead to
            replaced = os.readlink(self.builds / "current")
        _put(build.output, self.output)
        _put(build.mail, self.mail)  # a kill before this leaves the new site with the old previews
        if build.render_keys.exists():
            os.replace(build.render_keys, self.builds / KEYS)
        self._relink(self.builds / PREVIOUS, replaced)
        delete_in_background(self._garbage())

    def _linked(self) -> bool:
        """Whether ``output`` or ``mail`` is still a link the symlink version made (into ``current``)."""
        return (self.builds / "current").is_symlink() and any(p.is_symlink() for p in (self.output, self.mail))

    def _relink(self, link: Path, target: str) -> None:
        """Point ``link`` at ``target`` in one rename."""
        new = self.builds / f".new-{link.name}-{os.getpid()}-{time.monotonic_ns()}"
        os.symlink(target, new)
        os.replace(new, link)

    def _garbage(self) -> list[Path]:
        """Everything in the builds folder but the keys, the records and the folders the last swap replaced
        (and, until the links are gone, the symlink version's live build); and what Vouch before
        2026-12 left beside the site (staging and trash folders)."""
        kept = {MARKER, KEYS, MADE, PREVIOUS}
        links = [self.builds / PREVIOUS] + ([self.builds / "current"] if self._linked() else [])
        kept |= {link.name for link in links} | {os.readlink(link) for link in links if link.is_symlink()}
        found = [path for path in self.builds.iterdir() if path.name not in kept]
        for name in (self.output.name, "mail"):
            found += [*self.output.parent.glob(f".{name}.staging"), *self.output.parent.glob(f".{name}.trash-*")]
        return found


def _put(new: Path, live: Path) -> None:
    """``new`` renamed to ``live``, and whatever was there to ``new``: in one step where the system can."""
    if not os.path.lexists(live):
        os.rename(new, live)  # the first build
    elif not _exchange(new, live):  # the system cannot: a moment without it (the next build repairs a kill)
        aside = new.with_name(f"{live.name}{ASIDE}")
        os.rename(live, aside)
        os.rename(new, live)
        os.rename(aside, new)


def _started(path: Path) -> int:
    """When the build whose folder holds ``path`` began (``build-<pid>-<ns>``)."""
    ns = path.parent.name.rsplit("-", 1)[-1]
    return int(ns) if ns.isdigit() else 0


def _folder_id(folder: Path) -> str:
    """Device, inode and mtime_ns of a folder: a rename keeps them; a folder made again in its place
    (its inode number given out again) has another mtime, and so has one where a file was added."""
    stat = os.stat(folder)
    return f"{stat.st_dev}:{stat.st_ino}:{stat.st_mtime_ns}"


def _write_whole(path: Path, text: str) -> None:
    """``path`` replaced in one rename: a kill leaves the old text or the new."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _vouch_made(path: Path, made: Callable[[Path], bool]) -> bool:
    if path.is_symlink():  # the symlink version's: .<name>.builds/current/<name>, in a builds folder with the marker
        parts = Path(os.readlink(path)).parts
        return len(parts) == 3 and parts[1] == "current" and (path.parent / parts[0] / MARKER).is_file()
    return not path.exists() or (path.is_dir() and (not _has_anything(path) or made(path)))


def _has_anything(folder: Path) -> bool:
    return not folder.is_dir() or any(folder.iterdir())


def _earlier_site(folder: Path) -> bool:
    """The shape of a site an earlier Vouch built in place."""
    return (folder / "partners.json").is_file() and (folder / "pagefind").is_dir() and (folder / "index.html").is_file()


def _earlier_mail(folder: Path) -> bool:
    """E-mail previews an earlier Vouch wrote in place: ``<issue>/message.{html,txt,eml}`` and
    ``welcome/<step>/message.{html,txt,eml}`` (the welcome series), and nothing else."""

    def previews(entry: Path) -> bool:
        return entry.is_dir() and not entry.is_symlink() and {f.name for f in entry.iterdir()} <= MAIL_PREVIEWS

    def series(entry: Path) -> bool:  # an issue named "welcome" shares the folder: its files are allowed too
        return (
            entry.name == WELCOME_FOLDER
            and entry.is_dir()
            and not entry.is_symlink()
            and all(previews(step) or (step.name in MAIL_PREVIEWS and step.is_file()) for step in entry.iterdir())
        )

    return all(previews(entry) or series(entry) for entry in folder.iterdir())


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
            # the build lock above all: a grandchild that still held it until its exec made the next
            # build wait (closing a copy leaves the build's own lock held)
            os.closerange(3, os.sysconf("SC_OPEN_MAX"))
            if os.fork() == 0:
                quiet = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(quiet, fd)
                os.execvp("rm", ["rm", "-rf", "--", *map(str, paths)])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def discard(build: Build) -> None:
    """A failed build's folder, deleted before the error is reported."""
    shutil.rmtree(build.folder, ignore_errors=True)
