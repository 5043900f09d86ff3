"""Newsletter issues for a build and for ``invoke send``: plan, render, preview."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.policy import SMTP, SMTPUTF8
from email.utils import make_msgid
from pathlib import Path

from vouch.mailing.referral_ledger import ReferralLedger
from vouch.mailing.send_ledger import Ledger
from vouch.mailing.sender import SendReport
from vouch.mailing.subscribers import Subscriber, one_address, recipients
from vouch.newsletter.issue import IssueView, plan_issues
from vouch.newsletter.welcome import WelcomeStep, WelcomeView, load_steps, withheld
from vouch.problems import Problem
from vouch.render.email import (
    NearBlock,
    RenderedIssue,
    build_message,
    display_to,
    email_env,
    personalize,
    recipient_headers,
    render_issue,
)
from vouch.render.email_checks import Finding, pre_send_findings
from vouch.render.fast_mime import message_bytes
from vouch.render.humanize import counted
from vouch.render.near import NearBlocks
from vouch.settings import NEWSLETTER_FOLDER, WELCOME_FOLDER, VouchSettings
from vouch.site import EditorReport, PublicSite
from vouch.writer.staged import StagedWriter
from vouch_site.issue_cache import IssueCache


@dataclass(frozen=True, slots=True)
class Newsletter:
    views: list[IssueView]  # every renderable issue, oldest first
    rendered: dict[str, RenderedIssue]
    findings: dict[str, list[Finding]]
    near: NearBlocks
    steps: list[WelcomeStep] = field(default_factory=list)  # the welcome series, in order (withheld ones too)
    welcome: dict[str, RenderedIssue] = field(default_factory=dict)  # welcome/NN-slug -> rendered (not withheld)
    welcome_withheld: dict[str, list[str]] = field(default_factory=dict)  # welcome/NN-slug -> unpublished slugs

    def archive(self, shown: set[str]) -> list[IssueView]:
        """Published issues the site shows (not drafts, not future-dated), newest first."""
        return [v for v in reversed(self.views) if v.slug in shown]


def prepare_newsletter(
    site: PublicSite,
    report: EditorReport,
    settings: VouchSettings,
    theme: Path,
    content: Path | None = None,
    cache: Path | None = None,
) -> Newsletter:
    """Every renderable issue and welcome step, rendered once with ``theme``'s e-mail templates, and its
    pre-send findings.

    ``content`` (PATH): where the files issues link are (their URLs are their paths there), and the welcome
    series (``newsletter/welcome/``); None: no welcome series. ``cache``: where the build keeps issues rendered
    (``IssueCache``); None: each rendered now."""
    views = plan_issues(report.content, site.partners, settings, content)
    env = email_env(theme)
    css = (theme / "static" / "email.css").read_text(encoding="utf-8")
    near = NearBlocks(site.partners, settings.site_root, settings.newsletter_near_max, env, css)
    example = near.example()
    example_html = example.html if example else ""
    kept = IssueCache(cache, settings, site.names, theme, example_html)

    def rendered(view: IssueView | WelcomeView) -> tuple[RenderedIssue, list[Finding]]:
        def render() -> tuple[RenderedIssue, list[Finding]]:
            issue = render_issue(view, settings, site.names, env, css)
            return issue, pre_send_findings(issue, example_html)

        return kept.rendered(view, render)

    folder = content / NEWSLETTER_FOLDER / WELCOME_FOLDER if content else None
    steps = load_steps(folder, report.known_slugs)[0] if folder else []  # problems: reported by validate
    held = withheld(steps, {p.slug for p in site.partners})
    issues = {v.slug: rendered(v) for v in views}
    welcome = {s.key: rendered(s.view()) for s in steps if s.key not in held}
    kept.save()
    findings = {slug: found for slug, (_, found) in (issues | welcome).items()}
    return Newsletter(
        views,
        {slug: issue for slug, (issue, _) in issues.items()},
        findings,
        near,
        steps,
        {key: issue for key, (issue, _) in welcome.items()},
        held,
    )


def write_previews(newsletter: Newsletter, settings: VouchSettings, writer: StagedWriter) -> None:
    """``mail/<slug>/message.{html,txt,eml}`` and ``mail/welcome/NN-slug/...``: reproducible, addressed to
    nobody, with the "Trusted near" block of the area most partners serve."""
    example = newsletter.near.example()
    for slug, rendered in (newsletter.rendered | newsletter.welcome).items():
        for name, data in previews(rendered, settings, example).items():
            writer.put(f"{slug}/{name}", data)


def previews(rendered: RenderedIssue, settings: VouchSettings, example: NearBlock | None) -> dict[str, bytes]:
    """An issue's ``mail/<slug>/`` files, as the build writes them: ``send`` compares them with the issue now."""
    personal = personalize(rendered, settings, "", "", example)
    message = bytes(build_message(rendered, personal, settings))
    return {"message.html": personal.html.encode(), "message.txt": personal.text.encode(), "message.eml": message}


@dataclass(frozen=True, slots=True)
class Paths:
    """Private files, from the environment (relative paths are taken from the project folder)."""

    subscribers: Path
    suppressions: Path
    ledger: Path
    referrals: Path

    @classmethod
    def from_env(cls, root: Path, environ: Mapping[str, str] = os.environ) -> Paths:
        def get(name: str, default: str) -> Path:
            return root / environ.get(name, default)

        return cls(
            get("NEWSLETTER_SUBSCRIBERS", "private/subscribers.csv"),
            get("NEWSLETTER_SUPPRESSIONS", "private/suppressions.csv"),
            get("NEWSLETTER_LEDGER", "private/newsletter.sqlite"),
            get("REFERRALS_LEDGER", "private/referrals.sqlite"),
        )

    def referral_ledger(self) -> ReferralLedger:
        return ReferralLedger(self.referrals)


@dataclass(frozen=True, slots=True)
class Audience:
    """Who an issue goes to, and where each send is recorded.

    A test copy goes to one address, is recorded nowhere (a ledger in memory) and may be a
    draft; a real send goes to the subscriber list, suppressions left out, recorded for good.
    """

    subscribers: list[Subscriber]
    ledger: Ledger
    skipped: list[Problem] = field(default_factory=list)  # bad rows of the subscriber list
    test: bool = False

    @classmethod
    def test_copy(cls, to: str) -> Audience:
        """One address as the editor typed it (``"Ann <ann@example.org>"``); ValueError unless exactly one."""
        name, address = one_address(to)
        return cls([Subscriber(address, name)], Ledger(None), test=True)

    @classmethod
    def subscribers_of(cls, paths: Paths) -> Audience:
        subscribers, skipped = recipients(paths.subscribers, paths.suppressions)
        return cls(subscribers, Ledger(paths.ledger), skipped)

    def plan(self, slug: str, subject: str) -> str:
        """One line: the issue, how many it goes to, how many have it already, rows skipped."""
        done = self.ledger.sent_to(slug, [s.address for s in self.subscribers])
        bad = f"; {counted(len(self.skipped), 'bad row')} skipped (listed above)" if self.skipped else ""
        return f"{slug}: {subject!r} to {counted(len(self.subscribers), 'recipient')} ({done} already sent){bad}"


def blocking(findings: list[Finding], test: bool) -> list[Finding]:
    """The pre-send findings that stop a send: all of them, but a test copy may be a draft."""
    return [f for f in findings if not (test and f.check == "status")]


def send_summary(report: SendReport) -> tuple[list[str], int]:
    """What a send tells the editor, and its exit code: 3 if an answer was lost, 1 if some wait for SMTPUTF8."""
    lines = [f"sent {report.sent}, already sent before {report.already_sent}, failed {len(report.failed)}"]
    lines += [f"failed: {d.address}: {d.code} {d.response}" for d in report.failed]
    lines += [f"unknown: {d.address}: the server's answer was lost; check its log before --retry-unknown"
              for d in report.unknown]  # fmt: skip
    why = "the SMTP server does not offer SMTPUTF8, which an internationalised address needs"
    lines += [f"not sent: {d.address}: {why}; it stays queued for a run through a server that does"
              for d in report.needs_smtputf8]  # fmt: skip
    return lines, 3 if report.unknown else 1 if report.needs_smtputf8 else 0


def personal_message(
    rendered: RenderedIssue,
    settings: VouchSettings,
    subscriber: Subscriber,
    test: bool = False,
    near: NearBlocks | None = None,
) -> bytes:
    """The bytes one recipient gets: own To, greeting, unsubscribe link, Date (now) and Message-ID.

    An internationalised address (or sender) is written as UTF-8 (RFC 6532);
    send_issue sends such a message only through a server that offers SMTPUTF8.

    A ``test`` copy says so in its subject and gets a Message-ID of its own: with the real
    one, a mail provider would take the real send for a duplicate of the test and drop it.
    """
    block = near.for_area(subscriber.area) if near and subscriber.area else None
    personal = personalize(rendered, settings, subscriber.name, subscriber.address, block)
    headers = recipient_headers(rendered.slug, subscriber.address, settings, dt.datetime.now(dt.UTC))
    if test:
        headers["Message-ID"] = make_msgid("test", domain=headers["Message-ID"].rsplit("@", 1)[1].rstrip(">"))
    to = display_to(subscriber.name, subscriber.address)
    prefix = "[Test] " if test else ""
    ascii_only = subscriber.address.isascii() and envelope_sender(settings).isascii()
    if ascii_only and (fast := message_bytes(rendered, personal, settings, to, headers, prefix)) is not None:
        return fast
    message = build_message(rendered, personal, settings, to=to, extra_headers=headers, subject_prefix=prefix)
    return message.as_bytes(policy=SMTP if ascii_only else SMTPUTF8)


def envelope_sender(settings: VouchSettings) -> str:
    """The Return-Path: NEWSLETTER_BOUNCE_ADDRESS, else NEWSLETTER_FROM's address (where ``invoke inbox`` reads)."""
    return settings.bounce_address
