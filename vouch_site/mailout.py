"""Newsletter issues for a build and for ``invoke send``: plan, render, preview."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vouch.newsletter.checks import Finding, pre_send_findings
from vouch.newsletter.email import RenderedIssue, build_message, email_env, personalize, render_issue
from vouch.newsletter.issue import IssueView, plan_issues
from vouch.outputs import StagedWriter
from vouch.site import EditorReport, PublicSite


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
    names = {p.slug: p.name for p in site.partners}
    env = email_env(Path(settings["THEME"]))
    rendered = {v.slug: render_issue(v, settings, names, env) for v in views}
    findings = {slug: pre_send_findings(r) for slug, r in rendered.items()}
    return Newsletter(views, rendered, findings)


def write_previews(newsletter: Newsletter, settings: dict[str, Any], writer: StagedWriter) -> None:
    """``mail/<slug>/message.{html,txt,eml}``: reproducible, addressed to nobody."""
    for slug, rendered in newsletter.rendered.items():
        personal = personalize(rendered, settings, "", "")
        writer.put(f"{slug}/message.html", personal.html.encode())
        writer.put(f"{slug}/message.txt", personal.text.encode())
        writer.put(f"{slug}/message.eml", bytes(build_message(rendered, personal, settings)))
