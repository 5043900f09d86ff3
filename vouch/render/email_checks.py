"""Pre-send checks: warnings at build time, a refusal at send time."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from vouch.render.email import RenderedIssue

SUBJECT_MIN, SUBJECT_MAX = 10, 78
MAX_HTML_BYTES = 100 * 1024  # Gmail clips messages past ~102 KB
PLACEHOLDER = re.compile(r"\b(TODO|TK|TBC|XXX)\b")
LINK_SCHEMES = ("https", "mailto", "tel")


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.images_without_alt = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href") is not None:
            self.links.append(values["href"] or "")
        if tag == "img" and not (values.get("alt") or "").strip():
            self.images_without_alt += 1


def pre_send_findings(issue: RenderedIssue, near_html: str = "") -> list[Finding]:
    """``near_html``: the largest "Trusted near" block a recipient may get (counted in the size)."""
    findings = []
    if issue.status == "draft":
        what = "welcome step" if issue.slug.startswith("welcome/") else "issue"
        findings.append(Finding("status", f"the {what} is a draft: set 'Status: published' to send it"))
    if not SUBJECT_MIN <= len(issue.subject) <= SUBJECT_MAX:
        findings.append(
            Finding("subject", f"expected {SUBJECT_MIN}-{SUBJECT_MAX} characters; got {len(issue.subject)}")
        )
    probe = f"https://{secrets.token_hex(8)}.invalid/"  # stands in for each recipient's unsubscribe link
    html = issue.html.fill({"greeting": "Hello,", "unsubscribe_url": probe, "near": near_html})
    size = len(html.encode())
    if size >= MAX_HTML_BYTES:
        findings.append(
            Finding("size", f"expected the HTML under {MAX_HTML_BYTES // 1024} KB; got {size / 1024:.0f} KB")
        )
    collector = _Collector()
    collector.feed(html)
    bad = sorted({u for u in collector.links if urlsplit(u).scheme not in LINK_SCHEMES})
    if bad:
        findings.append(Finding("links", f"expected absolute https, mailto: or tel: links; got {', '.join(bad)}"))
    if collector.images_without_alt:
        findings.append(Finding("images", f"{collector.images_without_alt} image(s) without alt text"))
    placeholders = sorted(set(PLACEHOLDER.findall("\n".join(issue.text.pieces))))
    if placeholders:
        findings.append(Finding("placeholders", f"unfinished text: {', '.join(placeholders)}"))
    if probe not in collector.links or "unsubscribe_url" not in issue.text.slots:
        findings.append(Finding("unsubscribe", "the unsubscribe link is missing from the HTML or the text part"))
    return findings
