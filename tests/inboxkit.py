"""Incoming mail as the tests write it: requests, replies, odd senders (shared by the inbox tests)."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

BOUNCES = Path(__file__).parent / "bounces"
SENT_ID = "<november-2026.0123456789abcdef0123@partners.example.org>"  # what every sample bounces
NEWSLETTER = "newsletter@partners.example.org"


def mail(sender: str, subject: str, body: str = "", html: str = "", **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = NEWSLETTER
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.org")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body or "\n")
    if html:
        msg.add_alternative(html, subtype="html")
    return msg.as_bytes(policy=SMTP)


def reply_to(confirmation: EmailMessage, sender: str, quoted: bool = True, **headers: str) -> bytes:
    """What a mail program sends back: Re: subject, the original quoted under the answer."""
    text = confirmation.get_body(("plain",)).get_content()
    body = "Yes please!\n\nOn Mon, 30 Nov 2026, Newsletter wrote:\n" + "".join(
        f"> {line}\n" for line in text.splitlines()
    )
    return mail(sender, f"Re: {confirmation['Subject']}", body if quoted else "Yes please!\n",
                In_Reply_To=str(confirmation["Message-ID"]), **headers)  # fmt: skip


def bounce(name: str) -> bytes:
    return (BOUNCES / name).read_bytes().replace(b"\n", b"\r\n")
