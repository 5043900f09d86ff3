"""Splitting write-heavy work over the machine's cores with fork.

Rendering thousands of pages is CPU-bound Python; a forked child shares the
ready templates and models for free, writes its own half of the files, and
reports failure through its exit status and a pipe.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
PARALLEL_FROM = 2000  # items; below this a fork costs more than it saves


def workers(items: int) -> int:
    if items < PARALLEL_FROM or not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


class ChildFailed(Exception):
    pass


def run_split(items: Sequence[T], work: Callable[[list[T]], None], count: int) -> None:
    """Run ``work`` on ``count`` interleaved slices of ``items``: the last here, the others in children."""
    if count <= 1:
        work(list(items))
        return
    children = []
    for index in range(count - 1):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: do its slice, report, and leave without running the parent's cleanup
            os.close(read)
            code = 0
            try:
                work(list(items[index::count]))
            except BaseException:
                os.write(write, traceback.format_exc().encode())
                code = 1
            finally:
                os.close(write)
                os._exit(code)
        os.close(write)
        children.append((pid, read))
    error = None
    try:
        work(list(items[count - 1 :: count]))
    except BaseException as exc:
        error = exc
    failures = []
    for pid, read in children:
        with os.fdopen(read, "rb") as pipe:
            message = pipe.read().decode()
        _, status = os.waitpid(pid, 0)
        if status != 0:
            failures.append(message or f"child {pid} exited with status {status}")
    if error is not None:
        raise error
    if failures:
        raise ChildFailed("\n".join(failures))
