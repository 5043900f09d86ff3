"""One error type for everything a build can reject, printed in one format."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

from vouch.controls import printable


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        """One line, whatever a file name, key or value holds (never a raw control character)."""
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return printable(f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'plumbing'?)`` for the closest choice, or nothing."""
    close = get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def relative_to(problem: Problem, root: Path) -> Problem:
    """The same problem with its path shown from the project folder, as the editor types it.

    Only the folders are resolved: a symbolic link is named where it is, not by where it leads.
    """
    path = problem.path.parent.resolve() / problem.path.name
    try:
        return Problem(path.relative_to(root), problem.line, problem.field, problem.message)
    except ValueError:
        return problem


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Sort by file, then line (a missing line first), then field."""
    return sorted(problems, key=lambda p: (str(p.path), p.line or 0, p.field, p.message))


class ValidationFailed(Exception):
    """Raised by the build when validation found problems; carries all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sort_problems(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ValidationFailed], tuple[list[Problem]]]:  # from a forked validation
        return (type(self), (self.problems,))
