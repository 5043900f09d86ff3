"""What ``invoke send`` sends: one issue by name, or everything due (``--due``, the daily cron line).

Both go through the same ledger and ``send_issue``: an issue's ledger key is its
slug whichever way it is sent, so nobody gets it twice, and a run that was
interrupted is resumed by the next one. One send runs at a time per ledger.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vouch.mailing.sender import SendReport, send_issue
from vouch.mailing.subscribers import Subscriber
from vouch.newsletter.issue import IssueView
from vouch.newsletter.welcome import PREFIX as WELCOME_PREFIX
from vouch.newsletter.welcome import plan_steps
from vouch.render.email import RenderedIssue
from vouch.render.email_checks import Finding, pre_send_findings
from vouch.render.humanize import counted
from vouch.settings import VouchSettings
from vouch_site.commands import CommandFailed
from vouch_site.mailout import Audience, Newsletter, envelope_sender, personal_message, previews, send_summary
from vouch_site.progress import progress_bar


def joined_by(subscribers: Sequence[Subscriber], day: dt.date) -> list[Subscriber]:
    """Who had joined by ``day``: an issue is not sent to those who subscribed after its date
    (a row without ``subscribed`` is an existing subscriber)."""
    return [s for s in subscribers if s.subscribed is None or s.subscribed <= day]


def warn_future_joiners(subscribers: Sequence[Subscriber], today: dt.date) -> None:
    """A ``subscribed`` date after today (a typo, often) keeps someone from every issue: said, not silent."""
    future = [s for s in subscribers if s.subscribed and s.subscribed > today]
    if future:
        named = ", ".join(f"{s.address} ({s.subscribed})" for s in future[:3])
        more = f" and {len(future) - 3} more" if len(future) > 3 else ""
        print(f"warning: subscribed after today ({today}), so sent nothing until then: {named}{more}", file=sys.stderr)


def findings_for(newsletter: Newsletter, key: str, rendered: RenderedIssue, people: Sequence[Subscriber]) -> list:
    """The pre-send findings with the largest "Trusted near" block these recipients get counted in the size."""
    if not any(s.area for s in people):
        return newsletter.findings[key]
    return pre_send_findings(rendered, newsletter.near.largest_html(sorted({s.area for s in people if s.area})))


def not_built(output: Path, view: IssueView) -> str | None:
    """Why an issue may not go yet: its "Web version" link would lead nowhere, since the last build (into
    ``output``) did not make its page (it was a draft then, or is new). None when the page is there."""
    if (output / view.url / "index.html").is_file():
        return None
    return f"{view.slug}: its web version ({view.url}) is not in {output.name}/: run invoke build first (and deploy it)"


def not_current(output: Path, view: IssueView, newsletter: Newsletter, settings: VouchSettings) -> str | None:
    """``not_built``, or why the built issue is not the one about to go: edited since the last build, its web
    version (and ``mail/<slug>/``, which the build wrote beside ``output``) is the old text."""
    if unbuilt := not_built(output, view):
        return unbuilt
    built = output.with_name("mail") / view.slug
    expected = previews(newsletter.rendered[view.slug], settings, newsletter.near.example())
    if all((built / name).is_file() and (built / name).read_bytes() == data for name, data in expected.items()):
        return None
    return f"{view.slug}: changed since the last build (its web version is the old text): run invoke build first"


def renamed(ledger: Any, view: IssueView, newsletter: Newsletter) -> str | None:
    """Why an issue may not go: one of its Date and Title already went out under a slug no issue has now (the
    file was renamed), so everyone would get it twice. None when no such issue was sent."""
    current = {v.slug for v in newsletter.views}
    earlier = [slug for slug in ledger.sent_as(view.date, view.subject) if slug not in current]
    if not earlier:
        return None
    was = earlier[0]
    return (f"{view.slug}: an issue of the same date and title already went out as {was} (renamed?): rename it back "
            f"to {was}, or send it to everyone again with invoke send {view.slug} --again")  # fmt: skip


@dataclass(slots=True)
class Job:
    """One issue or welcome step to send in this run."""

    key: str  # the ledger's name: the issue's slug, or welcome/NN-slug
    rendered: RenderedIssue
    people: list[Subscriber]
    new_step: list[Subscriber] = field(default_factory=list)  # welcome: queued today (the day is recorded)
    view: IssueView | None = None  # an issue: its Date and Title are recorded as it goes out
    left: int = 0  # recipients not yet reached

    @property
    def label(self) -> str:
        return f"{self.key}: {self.rendered.subject!r} to {counted(self.left, 'recipient')} not yet reached"


@contextmanager
def one_send_at_a_time(ledger_path: Path) -> Iterator[None]:
    """A cron run and an editor's send must not both walk the same queue."""
    ledger_path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{ledger_path}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CommandFailed(f"vouch: another send is running (it holds {ledger_path}.lock); nothing sent") from None
        yield


def due_jobs(newsletter: Newsletter, audience: Audience, today: dt.date, settings: VouchSettings,
             withheld: dict[str, str], output: Path) -> tuple[list[Job], list[str], int]:  # fmt: skip
    """Every published issue dated in the last NEWSLETTER_DUE_DAYS with recipients left, then every due welcome
    step; plus a line for each that is due but cannot go (withheld, failing a check, not yet built into
    ``output``), and how many those are: nothing silent."""
    jobs: list[Job] = []
    held: list[str] = []
    blocked = len(withheld)
    ledger = audience.ledger
    for slug, why in withheld.items():
        held.append(f"{slug}: due, but {why}: not sent")
    for view in newsletter.views:
        if view.status != "published" or not 0 <= (today - view.date).days <= settings.newsletter_due_days:
            continue
        people = joined_by(audience.subscribers, view.date)
        reached = ledger.reached(view.slug)
        left = [s for s in people if s.address.lower() not in reached]
        if not left:
            continue
        rendered = newsletter.rendered[view.slug]
        if findings := findings_for(newsletter, view.slug, rendered, left):
            held += [f"{view.slug}: {finding}" for finding in findings]
            held.append(f"{view.slug}: due, but fails {counted(len(findings), 'pre-send check')}: not sent")
            blocked += 1
            continue
        if why := not_current(output, view, newsletter, settings) or renamed(ledger, view, newsletter):
            held.append(f"{why}: not sent")
            blocked += 1
            continue
        jobs.append(Job(view.slug, rendered, people, left=len(left), view=view))
    plans = plan_steps(
        newsletter.steps, audience.subscribers, ledger.states(WELCOME_PREFIX), ledger.welcome_days(), today
    )
    for plan in plans:
        key = plan.step.key
        if key in newsletter.welcome_withheld:
            names = ", ".join(newsletter.welcome_withheld[key])
            held.append(f"{key}: names unpublished {names}: withheld; the series waits at this step")
            blocked += 1
            continue
        rendered = newsletter.welcome[key]
        people = plan.new + plan.resumed
        if findings := findings_for(newsletter, key, rendered, people):
            held += [f"{key}: {finding}" for finding in findings]
            held.append(f"{key}: fails {counted(len(findings), 'pre-send check')}; the series waits at this step")
            blocked += 1
            continue
        jobs.append(Job(key, rendered, people, plan.new, left=len(people)))
    return jobs, held, blocked


def run_jobs(jobs: Sequence[Job], audience: Audience, newsletter: Newsletter, settings: VouchSettings,
             smtp: Any, policy: Any, today: dt.date,
             again: str = "the next run resumes where this one stopped") -> int:  # fmt: skip
    """Send each job in turn, print what each sent and the rate; the exit code (3: an answer lost)."""
    from vouch.mailing.sender import SendAborted

    worst, total, started = 0, 0, time.perf_counter()
    for job in jobs:
        if job.new_step:
            audience.ledger.enqueue_step(job.key, job.new_step, today)
        if job.view:
            audience.ledger.remember_issue(job.key, job.view.date, job.view.subject)
        try:
            report = _send(job, audience, newsletter, settings, smtp, policy)
        except SendAborted as aborted:
            raise CommandFailed(f"vouch: {aborted}; {again}", 3) from None
        lines, code = send_summary(report)
        print(f"{job.key}: " + "\n".join(lines))
        worst, total = max(worst, code), total + report.sent
    seconds = time.perf_counter() - started
    if total:
        print(f"sent {counted(total, 'message')} in {seconds:.1f} s ({total / seconds:.0f} messages/s)")
    return worst


def _send(job: Job, audience: Audience, newsletter: Newsletter, settings: VouchSettings,
          smtp: Any, policy: Any) -> SendReport:  # fmt: skip
    def render(subscriber: Subscriber) -> bytes:
        return personal_message(job.rendered, settings, subscriber, test=audience.test, near=newsletter.near)

    with progress_bar(f"sending {job.key}", len(job.people)) as advance:
        return send_issue(job.key, job.people, render, audience.ledger, smtp, envelope_sender(settings),
                          policy=policy, progress=advance)  # fmt: skip


def confirm(yes: bool) -> None:
    """Asks only at a terminal: a cron line (no terminal) never waits for an answer."""
    if sys.stdin.isatty() and not yes and input("Send now? [y/N] ").strip().lower() not in {"y", "yes"}:
        raise CommandFailed("vouch: not sent")


def warn(findings: Sequence[Finding], key: str) -> None:
    for finding in findings:
        print(f"warning: {key}: {finding} (a test copy goes out anyway; the real send refuses)", file=sys.stderr)
