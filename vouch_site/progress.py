"""Progress bars for long work: shown in a terminal, silent in CI or when piped."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


def interactive() -> bool:
    return sys.stdout.isatty()


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """Yields ``advance(done, total)``; a no-op unless stdout is a terminal."""
    if not interactive():
        yield lambda _done, _total: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=total)

        def advance(done: int, new_total: int) -> None:
            bar.update(task, completed=done, total=new_total)

        yield advance


@contextmanager
def build_progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """Yields ``progress(stage, done, total)`` for ``build()``: a bar per stage, in a terminal only."""
    if not interactive():
        yield None
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                for other in tasks.values():
                    bar.update(other, completed=bar.tasks[other].total or 1, total=bar.tasks[other].total or 1)
                tasks[stage] = bar.add_task(stage, total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield progress
