"""Splitting write-heavy work over the machine's cores with fork.

Rendering thousands of pages is CPU-bound Python; a forked child shares the
ready templates and models for free, writes its own slice of the files, and
sends back a small result (or its traceback) through a pipe.
"""

from __future__ import annotations

import os
import pickle
import traceback
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_FROM = 2000  # items; below this a fork costs more than it saves


def workers(items: int) -> int:
    if items < PARALLEL_FROM or not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


class ChildFailed(Exception):
    pass


def run_split(items: Sequence[T], work: Callable[[list[T]], R], count: int) -> list[R]:
    """``work`` on ``count`` interleaved slices of ``items`` (the last here, the others in children)."""
    if count <= 1:
        return [work(list(items))]
    children = []
    for index in range(count - 1):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: do its slice, report, and leave without running the parent's cleanup
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
