"""A double introduction: one e-mail to both people, each with the other's full details."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import quote

from vouch.mailing.subscribers import mailbox, one_address
from vouch.public import Partner


@dataclass(frozen=True, slots=True)
class Client:
    name: str
    email: str

    @classmethod
    def parse(cls, value: str) -> Client:
        """Exactly one address, strictly (raises ValueError): the name defaults to the address."""
        name, email = one_address(value)
        return cls(name or email, email)


def partner_lines(partner: Partner, profile_url: str) -> list[str]:
    c = partner.contact
    lines = [partner.name]
    if c is not None:
        if c.person:
            lines.append(f"Ask for: {c.person}")
        if c.phone:
            lines.append(f"Phone: {c.phone.display}")
        if c.email:
            lines.append(f"E-mail: {c.email}")
        if c.website:
            lines.append(f"Website: {c.website}")
        if c.address and c.address.lines:
            lines.append("Address: " + ", ".join(c.address.lines))
    lines.append(f"Profile: {profile_url}")
    return lines


def compose(
    partner: Partner,
    client: Client,
    note: str,
    connector: str,
    profile_url: str,
    network: str,
    follow_up: dt.date | None = None,
) -> EmailMessage:
    """The message: addressed to both, plain text and HTML, replies going to both and the connector."""
    if partner.contact is None or not partner.contact.email:
        raise ValueError(f"{partner.slug}: the profile has no contact.email to introduce")
    person = partner.contact.person or partner.name
    note = note.strip()
    if note and note[-1] not in ".!?":
        note += "."
    why = f"Why you should talk: {note}" if note else f"{client.name} is looking for help that {partner.name} provides."
    refer = partner.referrals.how_to_refer if partner.referrals and partner.referrals.how_to_refer else ""
    partner_block = partner_lines(partner, profile_url)
    client_block = [client.name, f"E-mail: {client.email}"]
    text_lines = [
        f"Hello {client.name} and {person},",
        "",
        "I'd like to introduce you to each other.",
        why,
        "",
        f"{client.name}: {partner.name} is one of the businesses {network} vouches for "
        f"(vouched for by {partner.vetting.vouched_by}, vetted {partner.vetting.vetted_on:%d %B %Y}).",
        *([f"How they like to be contacted: {refer}"] if refer else []),
        "",
        *partner_block,
        "",
        f"{person}: here is how to reach {client.name}:",
        "",
        *client_block,
        "",
        "I'll check in with you both "
        + (f"around {follow_up.day} {follow_up:%B}" if follow_up else "in a couple of weeks")
        + " to see how it went.",
        "",
        f"Best wishes,\n{parseaddr(connector)[0] or network}",
    ]
    text = "\n".join(text_lines) + "\n"
    paragraphs = "".join(
        f"<p>{'<br>'.join(html.escape(line) for line in block.splitlines())}</p>" for block in text.split("\n\n")
    )
    msg = EmailMessage(policy=SMTP)
    msg["From"] = connector
    msg["To"] = [mailbox(client.name, client.email), mailbox(person, partner.contact.email)]
    msg["Cc"] = connector
    msg["Subject"] = f"Introduction: {client.name} <> {partner.name}"
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=parseaddr(connector)[1].split("@")[-1] or None)
    msg.set_content(text)
    msg.add_alternative(f"<!doctype html><html><body>{paragraphs}</body></html>", subtype="html")
    return msg


def ask_link(partner: Partner, introductions_email: str, profile_url: str) -> str:
    """The profile's "Ask for an introduction" mailto:, subject and body filled in (RFC 6068 encoding)."""
    subject = f"Introduction to {partner.name}, please"
    body = (
        f"Hello,\n\nPlease introduce me to {partner.name} ({profile_url}).\n\n"
        "What I need help with:\n\nMy name:\nMy phone (optional):\n\nThank you!"
    )
    address = quote(parseaddr(introductions_email)[1], safe="@")
    return f"mailto:{address}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
