"""One build at a time per project: a lock the system frees when its holder dies, however it dies."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("vouch")


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
