"""One issue as an e-mail: inlined HTML, a real plain-text part, a reproducible .eml.

Rendering happens once per issue; each recipient's copy only fills the
template's own slots (greeting, unsubscribe link) into the ready parts. The
parts are cut at the slots when rendered, so personal values can never land
in editor or partner text, whatever that text contains.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import css_inline
import html2text
import jinja2
import markdown

from vouch.mailing.subscribers import mailbox
from vouch.newsletter.issue import IssueView
from vouch.newsletter.welcome import WelcomeView
from vouch.references import link_partners
from vouch.render.feeds import absolutize
from vouch.render.humanize import long_date
from vouch.render.markup import MARKDOWN_EXTENSIONS, StripComments
from vouch.settings import VouchSettings

SLOTS = ("greeting", "unsubscribe_url", "near")  # the template's per-recipient variables
HTML_SLOTS = frozenset({"near"})  # filled with ready HTML (and its own text), not escaped text


def issue_body_html(view: IssueView | WelcomeView, root: str, names: Mapping[str, str]) -> str:
    """An issue's editor's note as HTML; partner references and intrasite links (``{filename}``...) linked
    from ``root`` (relative or absolute)."""
    extensions = [*MARKDOWN_EXTENSIONS, StripComments()]  # editor's notes, e.g. the drafted digest
    html = markdown.markdown(view.body_markdown, extensions=extensions, output_format="html")
    urls = {(kind, written): url for kind, written, url in view.links}

    def resolve(match: re.Match[str]) -> str:
        value = match.group(4)
        cut = min((i for i in (value.find("#"), value.find("?")) if i >= 0), default=len(value))
        url = urls.get((match.group(3), value)) or urls.get((match.group(3), value[:cut]))
        if url is None:
            return match.group(0)  # left as written: the content checks report a link to nothing
        return f"{match.group(1)}{match.group(2)}{root}/{url}{value[cut:]}{match.group(2)}"

    return link_partners(_INTRASITE.sub(resolve, html), root, names)


_INTRASITE = re.compile(r"""(\s(?:href|src)=)(["'])[{|](filename|static|attach)[}|](.*?)\2""")


@dataclass(frozen=True, slots=True)
class Slotted:
    """A rendered part cut at the template's slots: ``pieces[0] slots[0] pieces[1] ...``."""

    pieces: tuple[str, ...]
    slots: tuple[str, ...]

    def fill(self, values: Mapping[str, str]) -> str:
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            out += (values[slot], piece)
        return "".join(out)


@dataclass(frozen=True, slots=True)
class RenderedIssue:
    slug: str
    subject: str
    status: str
    html: Slotted
    text: Slotted


class _Slot:
    """A slot's stand-in while rendering: an unguessable marker that counts how often the template prints it."""

    def __init__(self) -> None:
        self.marker = f"vouchslot{secrets.token_hex(16)}"  # letters and digits: survives inlining and wrapping
        self.printed = 0

    def __html__(self) -> str:
        self.printed += 1
        return self.marker


def _render_slotted(
    template: jinja2.Template, context: dict[str, Any], post: Callable[[str], str], **extra: Any
) -> Slotted:
    """Render with fresh markers, post-process, then cut at the markers.

    Each marker must be found exactly as often as the template printed it: content
    cannot contain a marker made after it was written, and a post-processing step
    that dropped or copied one fails loudly instead of sending a wrong e-mail.
    """
    slots = {name: _Slot() for name in SLOTS}
    page = post(template.render(context, **slots, **extra))
    names = {slot.marker: name for name, slot in slots.items()}
    cut = re.split(f"({'|'.join(names)})", page)
    found = [names[marker] for marker in cut[1::2]]
    for name, slot in slots.items():
        if found.count(name) != slot.printed:
            raise RuntimeError(f"e-mail template: {name} printed {slot.printed} time(s), found {found.count(name)}")
    return Slotted(tuple(cut[0::2]), tuple(found))


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
    env.filters["long_date"] = lambda day: long_date(day) if day else ""  # a welcome step has no date
    return env


def render_issue(
    view: IssueView | WelcomeView, settings: VouchSettings, names: Mapping[str, str], env: jinja2.Environment, css: str
) -> RenderedIssue:
    """``css`` is the theme's e-mail style sheet (inlined into every element: mail programs drop ``<style>``)."""
    site = settings.site_root
    web_url = f"{site}/{view.url}" if view.url else None  # a welcome step is not on the site
    body = absolutize(issue_body_html(view, site, names), web_url or f"{site}/")
    context = {
        "issue": view,
        "body_html": body,
        "site_url": site,
        "site_name": settings.sitename,
        "lang": settings.default_lang,
        "web_url": web_url,
        "subscribe_url": subscribe_url(settings),
        "css": css,
    }
    template = env.get_template("issue.html")
    # the theme's email.css alone: a <link> stylesheet (a file, a URL) is dropped, not fetched at build time
    inliner = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)
    html = _render_slotted(template, context, inliner.inline, for_text=False)
    text = _render_slotted(template, context, _text, for_text=True)
    return RenderedIssue(view.slug, view.subject, view.status, html, text)


def _text(page: str) -> str:
    converter = html2text.HTML2Text()
    converter.inline_links = False  # numbered references, listed at the end
    converter.body_width = 72
    converter.wrap_links = False
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.unicode_snob = True
    return converter.handle(page).strip() + "\n"


def subscribe_url(settings: VouchSettings) -> str:
    if settings.subscribe_url:
        return settings.subscribe_url
    return mail_the_sender(settings, "subscribe")


def unsubscribe_url(settings: VouchSettings, address: str) -> str:
    """The recipient's own link: NEWSLETTER_UNSUBSCRIBE_URL ({email} filled in), else a mailto."""
    base = settings.newsletter_unsubscribe_url
    if base:
        return base.replace("{email}", quote(address, safe=""))
    return mail_the_sender(settings, "unsubscribe")


def mail_the_sender(settings: VouchSettings, subject: str) -> str:
    """``mailto:`` NEWSLETTER_FROM with a one-word subject: (un)subscribing without a list service."""
    return f"mailto:{parseaddr(settings.newsletter_from)[1]}?subject={subject}"


@dataclass(frozen=True, slots=True)
class NearBlock:
    """A recipient's "Trusted near <area>" block, ready for both parts."""

    area: str
    html: str
    text: str


def personalize(
    rendered: RenderedIssue, settings: VouchSettings, name: str, address: str, near: NearBlock | None = None
) -> Personal:
    # The preview (no address) shows the setting as written, {email} and all.
    link = (
        unsubscribe_url(settings, address)
        if address
        else (settings.newsletter_unsubscribe_url or unsubscribe_url(settings, ""))
    )
    values = {"greeting": f"Hello {name.strip()}," if name.strip() else "Hello,", "unsubscribe_url": link}
    html = rendered.html.fill(
        {slot: html_lib.escape(value) for slot, value in values.items()} | {"near": near.html if near else ""}
    )
    return Personal(html, rendered.text.fill(values | {"near": near.text if near else ""}), link)


def message_id(slug: str, address: str, site_url: str) -> str:
    """Derived from issue and address: a resend of the same issue to the same person is recognisable."""
    digest = hashlib.sha256(f"{slug}\n{address.lower()}".encode()).hexdigest()[:20]
    host = urlsplit(site_url).hostname or "vouch.invalid"
    return f"<{slug.replace('/', '.')}.{digest}@{host}>"


def build_message(
    rendered: RenderedIssue,
    personal: Personal,
    settings: VouchSettings,
    to: str | None = None,
    extra_headers: dict[str, str] | None = None,
    subject_prefix: str = "",
) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = settings.newsletter_from
    if to:
        msg["To"] = to
    if settings.newsletter_reply_to:
        msg["Reply-To"] = settings.newsletter_reply_to
    msg["Subject"] = subject_prefix + rendered.subject
    msg["List-Id"] = list_id(settings)
    mailto = mail_the_sender(settings, "unsubscribe")
    if settings.newsletter_unsubscribe_url:
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


def list_id(settings: VouchSettings) -> str:
    """RFC 2919: lets mail programs and providers recognise (and filter) the newsletter."""
    host = urlsplit(settings.siteurl).hostname or "vouch.invalid"
    name = settings.sitename.replace('"', "'")
    return f'"{name}" <newsletter.{host}>'


def recipient_headers(slug: str, address: str, settings: VouchSettings, now: dt.datetime) -> dict[str, str]:
    return {"Date": format_datetime(now), "Message-ID": message_id(slug, address, settings.siteurl)}


def display_to(name: str, address: str) -> str:
    return str(mailbox(name.strip(), address))
