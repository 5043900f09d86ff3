"""Splitting CPU-bound work over the machine's cores with fork: the one helper for validation and rendering.

Validating thousands of profiles and rendering thousands of pages are
CPU-bound Python; a forked child shares the ready templates and models for
free, does its own slice, and sends back its result (or its traceback)
through a pipe. A child dies with the build, even a killed one.
"""

from __future__ import annotations

import ctypes
import logging
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from functools import partial
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_FROM = 500  # items (profiles to validate, files to render); below this a fork costs more than it saves
_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def end_with_parent(parent: int) -> None:
    """In a child of ``parent`` (a build): die with it, even by SIGKILL (Linux; elsewhere only if
    it is already gone). A child left running would write into a folder the next build deletes."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


def workers(items: int, least: int = PARALLEL_FROM) -> int:
    """How many processes share ``items``: one below ``least`` (a fork then costs more than it saves)."""
    if items < least or not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


class ChildFailed(Exception):
    pass


def run_split(items: Sequence[T], work: Callable[[list[T]], R], count: int) -> list[R]:
    """``work`` on ``count`` interleaved slices of ``items`` (the last here, the others in children)."""
    if count <= 1:
        return [work(list(items))]
    children = []
    parent = os.getpid()
    for index in range(count - 1):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: do its slice, report, and leave without running the parent's cleanup
            end_with_parent(parent)
            os.close(read)
            code = 0
            try:
                payload = pickle.dumps((True, work(list(items[index::count]))))
            except BaseException:
                payload = pickle.dumps((False, traceback.format_exc()))
                code = 1
            with os.fdopen(write, "wb") as pipe:
                pipe.write(payload)
            os._exit(code)
        os.close(write)
        children.append((pid, read))
    error: BaseException | None = None
    results: list[R] = []
    try:
        mine = work(list(items[count - 1 :: count]))
    except BaseException as exc:
        error = exc
    failures = []
    for pid, read in children:
        with os.fdopen(read, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
        ok, value = pickle.loads(payload) if payload else (False, f"child {pid} exited with status {status}")
        if ok and status == 0:
            results.append(value)
        else:
            failures.append(value)
    if error is not None:
        raise error
    if failures:
        raise ChildFailed("\n".join(failures))
    return [*results, mine]


def map_split(function: Callable[[T], R], items: Sequence[T], least: int = PARALLEL_FROM) -> list[R]:
    """``[function(item) for item in items]``, on every core when there are ``least`` items or more; in order."""
    count = workers(len(items), least)
    parts = run_split(items, partial(_map_all, function), count)
    out: list[R] = [None] * len(items)  # type: ignore[list-item]
    for index, part in enumerate(parts):
        out[index::count] = part
    return out


def _map_all(function: Callable[[T], R], items: list[T]) -> list[R]:
    return [function(item) for item in items]


def isolated(work: Callable[[], R]) -> R:
    """``work()`` in a forked child; its result, or the exception it raised, comes back pickled.

    Why: a build's validation parses and checks every profile, and the allocator keeps most
    of that garbage (about 65 MB at 10,000 profiles, beyond the public site it returns). In
    the build process it would be copied into every page writer forked later, and counted
    again in each. The child's log records are handed to this process's loggers, in order.
    """
    return Started(work).result()


class Started(Generic[R]):
    """``work()`` begun now in a forked child (as ``isolated``), while this process goes on; ``result()``
    waits for it. ``cancel()`` ends a child whose result is no longer wanted."""

    def __init__(self, work: Callable[[], R]) -> None:
        self._pid = 0
        if not hasattr(os, "fork"):
            self._work = work
            return
        parent = os.getpid()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            end_with_parent(parent)
            os.close(read)
            records: list[logging.LogRecord] = []
            logging.Logger.callHandlers = lambda _logger, record: records.append(_portable(record))  # type: ignore[method-assign]
            code = 0
            try:
                payload = pickle.dumps((True, work(), records), protocol=5)
            except BaseException as exc:
                code = 1
                try:
                    payload = pickle.dumps((False, exc, records), protocol=5)
                except Exception:  # an exception that does not pickle: its traceback as text
                    payload = pickle.dumps((False, ChildFailed(traceback.format_exc()), records), protocol=5)
            with os.fdopen(write, "wb") as pipe:
                pipe.write(payload)
            os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> R:
        if not self._pid:
            return self._work()
        with os.fdopen(self._read, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        if not payload:
            raise ChildFailed(f"child {self._pid} exited with status {status}")
        ok, value, records = pickle.loads(payload)
        for record in records:
            logging.getLogger(record.name).handle(record)
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            os.close(self._read)


def _portable(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message made (its arguments need not pickle) and any traceback as text."""
    record.msg, record.args = record.getMessage(), None
    if record.exc_info:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    return record
