"""Newsletter issues for a build and for ``invoke send``: plan, render, preview."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from email.policy import SMTP, SMTPUTF8
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import Any

from vouch.mailing.subscribers import Subscriber
from vouch.newsletter.issue import IssueView, plan_issues
from vouch.render.email import (
    RenderedIssue,
    build_message,
    display_to,
    email_env,
    personalize,
    recipient_headers,
    render_issue,
)
from vouch.render.email_checks import Finding, pre_send_findings
from vouch.site import EditorReport, PublicSite
from vouch.writer.outputs import StagedWriter


@dataclass(frozen=True, slots=True)
class Newsletter:
    views: list[IssueView]  # every renderable issue, oldest first
    rendered: dict[str, RenderedIssue]
    findings: dict[str, list[Finding]]

    def archive(self, shown: set[str]) -> list[IssueView]:
        """Published issues the site shows (not drafts, not future-dated), newest first."""
        return [v for v in reversed(self.views) if v.slug in shown]


def prepare_newsletter(site: PublicSite, report: EditorReport, settings: dict[str, Any]) -> Newsletter:
    views = plan_issues(report.content, site.partners, settings)
    env = email_env(Path(settings["THEME"]))
    rendered = {v.slug: render_issue(v, settings, site.names, env) for v in views}
    findings = {slug: pre_send_findings(r) for slug, r in rendered.items()}
    return Newsletter(views, rendered, findings)


def write_previews(newsletter: Newsletter, settings: dict[str, Any], writer: StagedWriter) -> None:
    """``mail/<slug>/message.{html,txt,eml}``: reproducible, addressed to nobody."""
    for slug, rendered in newsletter.rendered.items():
        personal = personalize(rendered, settings, "", "")
        writer.put(f"{slug}/message.html", personal.html.encode())
        writer.put(f"{slug}/message.txt", personal.text.encode())
        writer.put(f"{slug}/message.eml", bytes(build_message(rendered, personal, settings)))


@dataclass(frozen=True, slots=True)
class Paths:
    """Private files, from the environment (relative paths are taken from the project folder)."""

    subscribers: Path
    suppressions: Path
    ledger: Path

    @classmethod
    def from_env(cls, root: Path, environ: Mapping[str, str] = os.environ) -> Paths:
        def get(name: str, default: str) -> Path:
            return root / environ.get(name, default)

        return cls(
            get("NEWSLETTER_SUBSCRIBERS", "private/subscribers.csv"),
            get("NEWSLETTER_SUPPRESSIONS", "private/suppressions.csv"),
            get("NEWSLETTER_LEDGER", "private/newsletter.sqlite"),
        )


def personal_message(
    rendered: RenderedIssue, settings: dict[str, Any], subscriber: Subscriber, test: bool = False
) -> bytes:
    """The bytes one recipient gets: own To, greeting, unsubscribe link, Date (now) and Message-ID.

    An internationalised address (or sender) is written as UTF-8 (RFC 6532);
    send_issue sends such a message only through a server that offers SMTPUTF8.

    A ``test`` copy says so in its subject and gets a Message-ID of its own: with the real
    one, a mail provider would take the real send for a duplicate of the test and drop it.
    """
    personal = personalize(rendered, settings, subscriber.name, subscriber.address)
    headers = recipient_headers(rendered.slug, subscriber.address, settings, dt.datetime.now(dt.UTC))
    if test:
        headers["Message-ID"] = make_msgid("test", domain=headers["Message-ID"].rsplit("@", 1)[1].rstrip(">"))
    to = display_to(subscriber.name, subscriber.address)
    prefix = "[Test] " if test else ""
    message = build_message(rendered, personal, settings, to=to, extra_headers=headers, subject_prefix=prefix)
    ascii_only = subscriber.address.isascii() and envelope_sender(settings).isascii()
    return message.as_bytes(policy=SMTP if ascii_only else SMTPUTF8)


def envelope_sender(settings: dict[str, Any]) -> str:
    return parseaddr(settings["NEWSLETTER_FROM"])[1]
