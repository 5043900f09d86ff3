"""One issue as an e-mail: inlined HTML, a real plain-text part, a reproducible .eml.

Rendering happens once per issue; each recipient's copy only substitutes
the greeting and the unsubscribe link into the ready parts.
"""

from __future__ import annotations

import hashlib
import html as html_lib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import css_inline
import html2text
import jinja2

from vouch.feeds import absolutize
from vouch.newsletter.issue import IssueView

GREETING = "VOUCH-GREETING-PLACEHOLDER"
UNSUBSCRIBE = "https://unsubscribe.vouch.invalid/placeholder"


@dataclass(frozen=True, slots=True)
class RenderedIssue:
    slug: str
    subject: str
    status: str
    html: str  # with GREETING and UNSUBSCRIBE placeholders
    text: str


@dataclass(frozen=True, slots=True)
class Personal:
    html: str
    text: str
    unsubscribe_url: str


def email_env(theme: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(theme / "templates" / "email"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["long_date"] = lambda d: f"{d.day} {d:%B %Y}"
    return env


def render_issue(
    view: IssueView, settings: dict[str, Any], names: dict[str, str], env: jinja2.Environment
) -> RenderedIssue:
    site = settings["SITEURL"].rstrip("/")
    web_url = f"{site}/{view.url}"
    body = absolutize(view.body_html(site, names), web_url)
    context = {
        "issue": view,
        "body_html": body,
        "site_url": site,
        "site_name": settings["SITENAME"],
        "web_url": web_url,
        "subscribe_url": subscribe_url(settings),
        "greeting": GREETING,
        "unsubscribe_url": UNSUBSCRIBE,
        "css": (Path(settings["THEME"]) / "static" / "email.css").read_text(encoding="utf-8"),
    }
    template = env.get_template("issue.html")
    page = template.render(context, for_text=False)
    inlined = css_inline.CSSInliner(keep_style_tags=True).inline(page)
    text = _text(template.render(context, for_text=True))
    return RenderedIssue(view.slug, view.subject, view.status, inlined, text)


def _text(page: str) -> str:
    converter = html2text.HTML2Text()
    converter.inline_links = False  # numbered references, listed at the end
    converter.body_width = 72
    converter.wrap_links = False
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.unicode_snob = True
    return converter.handle(page).strip() + "\n"


def subscribe_url(settings: dict[str, Any]) -> str:
    if settings.get("SUBSCRIBE_URL"):
        return settings["SUBSCRIBE_URL"]
    return _mail_the_sender(settings, "subscribe")


def unsubscribe_url(settings: dict[str, Any], address: str) -> str:
    """The recipient's own link: NEWSLETTER_UNSUBSCRIBE_URL ({email} filled in), else a mailto."""
    base = settings.get("NEWSLETTER_UNSUBSCRIBE_URL") or ""
    if base:
        return base.replace("{email}", quote(address, safe=""))
    return _mail_the_sender(settings, "unsubscribe")


def _mail_the_sender(settings: dict[str, Any], subject: str) -> str:
    """``mailto:`` NEWSLETTER_FROM with a one-word subject: (un)subscribing without a list service."""
    return f"mailto:{parseaddr(settings['NEWSLETTER_FROM'])[1]}?subject={subject}"


def personalize(rendered: RenderedIssue, settings: dict[str, Any], name: str, address: str) -> Personal:
    # The preview (no address) shows the setting as written, {email} and all.
    link = (
        unsubscribe_url(settings, address)
        if address
        else (settings.get("NEWSLETTER_UNSUBSCRIBE_URL") or unsubscribe_url(settings, ""))
    )
    greeting = f"Hello {name.strip()}," if name.strip() else "Hello,"
    html = rendered.html.replace(GREETING, html_lib.escape(greeting)).replace(UNSUBSCRIBE, html_lib.escape(link))
    text = rendered.text.replace(GREETING, greeting).replace(UNSUBSCRIBE, link)
    return Personal(html, text, link)


def message_id(slug: str, address: str, site_url: str) -> str:
    """Derived from issue and address: a resend of the same issue to the same person is recognisable."""
    digest = hashlib.sha256(f"{slug}\n{address.lower()}".encode()).hexdigest()[:20]
    host = urlsplit(site_url).hostname or "vouch.invalid"
    return f"<{slug}.{digest}@{host}>"


def build_message(
    rendered: RenderedIssue,
    personal: Personal,
    settings: dict[str, Any],
    to: str | None = None,
    extra_headers: dict[str, str] | None = None,
    subject_prefix: str = "",
) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = settings["NEWSLETTER_FROM"]
    if to:
        msg["To"] = to
    if settings.get("NEWSLETTER_REPLY_TO"):
        msg["Reply-To"] = settings["NEWSLETTER_REPLY_TO"]
    msg["Subject"] = subject_prefix + rendered.subject
    msg["List-Id"] = list_id(settings)
    mailto = _mail_the_sender(settings, "unsubscribe")
    if settings.get("NEWSLETTER_UNSUBSCRIBE_URL"):
        msg["List-Unsubscribe"] = f"<{personal.unsubscribe_url}>, <{mailto}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    else:
        msg["List-Unsubscribe"] = f"<{mailto}>"
    for key, value in (extra_headers or {}).items():
        msg[key] = value
    msg.set_content(personal.text)
    msg.add_alternative(personal.html, subtype="html")
    for part in msg.iter_parts():
        del part["MIME-Version"]  # belongs to the message only
    msg.set_boundary(f"==vouch-{hashlib.sha256(rendered.slug.encode()).hexdigest()[:16]}==")
    return msg


def list_id(settings: dict[str, Any]) -> str:
    """RFC 2919: lets mail programs and providers recognise (and filter) the newsletter."""
    host = urlsplit(settings["SITEURL"]).hostname or "vouch.invalid"
    name = settings["SITENAME"].replace('"', "'")
    return f'"{name}" <newsletter.{host}>'


def recipient_headers(slug: str, address: str, settings: dict[str, Any], now: Any) -> dict[str, str]:
    return {"Date": format_datetime(now), "Message-ID": message_id(slug, address, settings["SITEURL"])}


def display_to(name: str, address: str) -> str:
    return str(Address(display_name=name.strip(), addr_spec=address)) if name.strip() else address
