"""The welcome series: ``content/newsletter/welcome/NN-slug.md``, sent to each new subscriber in order.

A step is Markdown with ``Title`` (the subject), ``Delay: N`` (days after the
subscriber's ``subscribed`` date) and optional ``Summary`` (the preheader) and
``Status``. It is checked like an issue (partner references, withholding,
pre-send checks), never shown on the site and never read as an issue.

Scheduling is pure: from the steps, the subscribers, what the ledger holds and
today, which subscriber gets which step now. Each subscriber gets each step
once, in order, on or after its day; a late run catches up one step a day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vouch.content import unknown_partner
from vouch.editor_files import is_editor_temporary
from vouch.item_header import control_problems, read_header
from vouch.mailing.subscribers import Subscriber
from vouch.newsletter.digest import Digest, Window
from vouch.problems import Problem
from vouch.references import references

STEP_NAME = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
PREFIX = "welcome/"  # ledger and preview names: welcome/NN-slug
DELAY_MAX = 3650
NO_DIGEST = Digest(Window(dt.date.min, dt.date.min), (), 0, (), 0)


@dataclass(frozen=True, slots=True)
class WelcomeStep:
    path: Path
    name: str  # NN-slug
    title: str
    delay: int  # days after the subscriber's `subscribed` date
    summary: str | None
    status: str  # draft | published
    body: str
    partners: tuple[str, ...]

    @property
    def key(self) -> str:
        """Its name in the ledger and under mail/: ``welcome/NN-slug``."""
        return PREFIX + self.name

    def view(self) -> WelcomeView:
        return WelcomeView(self.key, self.title, self.summary, self.status, self.body)


@dataclass(frozen=True, slots=True)
class WelcomeView:
    """What the e-mail template reads of a step: an issue without a date, a digest or a web page."""

    slug: str
    subject: str
    preheader: str | None
    status: str
    body_markdown: str
    date: None = None
    digest: Digest = NO_DIGEST  # empty rather than None: a theme's issue.html written before steps still renders
    url: None = None
    links: tuple[tuple[str, str, str], ...] = ()  # intrasite links are not resolved in a step (not on the site)


def load_steps(folder: Path, known: Iterable[str]) -> tuple[list[WelcomeStep], list[Problem]]:
    """Every step in ``folder``, in order of its number; a problem for each bad file (all at once)."""
    if not folder.is_dir():
        return [], []
    known = frozenset(known)
    steps: list[WelcomeStep] = []
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or is_editor_temporary(path.name):
            continue  # an editor's backup is listed as skipped by invoke check, like every other one
        if path.is_dir() and not path.name.endswith(".md"):
            if any(path.rglob("*.md")):  # a step put in a folder would otherwise never go, without a word
                why = f"expected welcome steps directly in {folder.name}/; got a folder {path.name}/ holding Markdown"
                problems.append(Problem(path, 1, "file", f"{why}, which is not read"))
            continue
        if not STEP_NAME.match(path.name):
            expected = "a welcome step named NN-slug.md, such as 01-hello.md (two digits, then lower-case words)"
            problems.append(Problem(path, 1, "file", f"expected {expected}; got {path.name!r}"))
            continue
        step, found = _read_step(path, known)
        problems += found
        if step is not None:
            steps.append(step)
    numbers: dict[str, Path] = {}
    for step in steps:
        if (number := step_number(step.name)) in numbers:
            problems.append(Problem(step.path, 1, "file", f"expected one step numbered {number}; "
                                    f"{numbers[number].name} has it too"))  # fmt: skip
        numbers[number] = step.path
    return steps, problems


def _read_step(path: Path, known: frozenset[str]) -> tuple[WelcomeStep | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(path, 1, "file", "expected UTF-8 text; got other bytes (save the file as UTF-8)")]
    header, body, start = read_header(text)
    problems = control_problems(path, header, body, start)
    meta = {key: values[0] for key, values in header.items()}

    def problem(key: str, message: str) -> None:
        problems.append(Problem(path, meta[key.lower()][0] if key.lower() in meta else 1, key, message))

    title = meta.get("title", (0, ""))[1].strip()
    if not title:
        problem("Title", "expected a subject line such as 'Title: Welcome to the network'; got nothing")
    raw_delay = meta.get("delay", (0, ""))[1].strip()
    delay = int(raw_delay) if raw_delay.isdigit() else -1
    if not 0 <= delay <= DELAY_MAX:
        problem("Delay", f"expected a whole number of days after joining, such as 'Delay: 3'; got {raw_delay!r}")
    status = (meta.get("status", (0, ""))[1] or "published").lower()
    if status not in ("draft", "published"):
        problem("Status", f"expected draft or published; got {meta['status'][1]!r}")
    slugs: list[str] = []
    for ref in references(text):
        if ref.slug not in known:
            problems.append(Problem(path, ref.line, ref.field or "partner reference", unknown_partner(ref.slug, known)))
        elif ref.slug not in slugs:
            slugs.append(ref.slug)
    if problems:
        return None, problems
    summary = "\n".join(v for _, v in header.get("summary", ())).strip() or None
    return WelcomeStep(path, path.name[:-3], title, delay, summary, status, body, tuple(slugs)), []


def greets_on_joining(folder: Path) -> bool:
    """True when the series' first step is published with ``Delay: 0``: ``send --due`` greets a new
    subscriber the day they join (so the inbox sends no "You're in"); read cheaply, without checking the steps."""
    files = sorted(p for p in folder.glob("*.md") if STEP_NAME.match(p.name)) if folder.is_dir() else []
    if not files:
        return False
    header, _, _ = read_header(files[0].read_text(encoding="utf-8", errors="replace"))
    meta = {key: values[0][1].strip() for key, values in header.items() if values}
    return meta.get("delay") == "0" and (meta.get("status") or "published").lower() == "published"


def withheld(steps: Sequence[WelcomeStep], published: set[str]) -> dict[str, list[str]]:
    """Step key -> the unpublished partners it names: it is not rendered, and the series waits there."""
    return {s.key: hidden for s in steps if (hidden := [slug for slug in s.partners if slug not in published])}


@dataclass(frozen=True, slots=True)
class StepPlan:
    step: WelcomeStep
    new: list[Subscriber]  # reaching this step today: queued now, with today's date
    resumed: list[Subscriber]  # queued by an interrupted run: sent now, no new date


def step_number(name: str) -> str:
    """``NN`` of ``NN-slug``: what a step is known by (two steps with one number are refused)."""
    return name.split("-", 1)[0]


def plan_steps(
    steps: Sequence[WelcomeStep],
    subscribers: Iterable[Subscriber],
    states: Mapping[tuple[str, str], str],
    days: Mapping[tuple[str, str], dt.date],
    today: dt.date,
) -> list[StepPlan]:
    """Which subscriber gets which step today: the first step they have not had, if its day has come
    and they had no step today; one still queued from an interrupted run is resumed first.

    Steps are known by their number (``NN``), so renaming ``03-refer-a-friend.md`` sends it to nobody
    again; a step numbered below one a subscriber has had is skipped for them (it would arrive out of
    order). ``states`` and ``days`` are the ledger's (``Ledger.states``, ``Ledger.welcome_days``).
    """
    plans = {s.key: StepPlan(s, [], []) for s in steps}
    had: dict[str, dict[str, tuple[str, dt.date | None]]] = {}  # address -> number -> (state, day)
    for (step_key, address), state in states.items():
        number = step_number(step_key.removeprefix(PREFIX))
        had.setdefault(address, {})[number] = (state, days.get((step_key, address)))
    for subscriber in subscribers:
        if subscriber.subscribed is None:
            continue  # an existing subscriber: no series
        key = subscriber.address.lower()
        done = had.get(key, {})
        furthest = max(done, default="")
        last_day = max((day for _, day in done.values() if day is not None), default=None)
        for step in steps:
            number = step_number(step.name)
            if states.get((step.key, key)) == "queued":
                plans[step.key].resumed.append(subscriber)
                break
            if number in done or number < furthest:  # had it (by any name), or it was added below
                continue
            due = subscriber.subscribed + dt.timedelta(days=step.delay)
            if today >= due and (last_day is None or last_day < today):
                plans[step.key].new.append(subscriber)
            break
    return [p for p in plans.values() if p.new or p.resumed]
