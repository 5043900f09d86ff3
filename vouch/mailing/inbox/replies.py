"""The short e-mails the inbox sends: please confirm, you're in, you're unsubscribed.

Each is marked ``Auto-Submitted: auto-replied`` (RFC 3834), so other
autoresponders do not answer it, and replies go to the newsletter address,
the mailbox ``invoke inbox`` reads (NEWSLETTER_REPLY_TO may point elsewhere).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from vouch.mailing.subscribers import mailbox

ID_MARK = "vouch-inbox"  # in the Message-ID of every reply: a bounce of one is recognised as ours


def is_reply_id(message_id: str) -> bool:
    return f".{ID_MARK}@" in message_id


@dataclass(frozen=True, slots=True)
class ReplyContext:
    sitename: str
    siteurl: str
    newsletter_from: str  # "Name <address>"
    newsletter_address: str
    bounce_address: str


def confirmation(ctx: ReplyContext, name: str, address: str, token: str, days: int, now: dt.datetime) -> bytes:
    text = (
        f"{_hello(name)}\n\n"
        f"Someone, probably you, asked to get the {ctx.sitename} newsletter at this address.\n\n"
        f"To confirm, reply to this e-mail (keep the subject as it is). The code is:\n\n"
        f"    {token}\n\n"
        f"It works for {days} days. If you did not ask, ignore this e-mail: nothing happens "
        f"and you will not hear from us again.\n"
    )
    return _message(ctx, name, address, f"Confirm your subscription to {ctx.sitename} ({token})", text, now)


def welcome(ctx: ReplyContext, name: str, address: str, now: dt.datetime) -> bytes:
    text = (
        f"{_hello(name)}\n\n"
        f"You're in: the {ctx.sitename} newsletter will come to this address.\n"
        f"Past issues: {ctx.siteurl.rstrip('/')}/newsletter/\n\n"
        f'To stop it at any time, reply with the word "unsubscribe".\n'
    )
    return _message(ctx, name, address, f"You're in: {ctx.sitename} newsletter", text, now)


def unsubscribed(ctx: ReplyContext, address: str, now: dt.datetime) -> bytes:
    """The same words whether or not the address was on the list: the answer tells nothing."""
    text = (
        f"Hello,\n\n"
        f"This address will not get the {ctx.sitename} newsletter. Nothing more to do.\n\n"
        f'Changed your mind? Write to {ctx.newsletter_address} with the subject "subscribe".\n'
    )
    return _message(ctx, "", address, f"Unsubscribed from {ctx.sitename}", text, now)


def _hello(name: str) -> str:
    return f"Hello {name}," if name else "Hello,"


def _message(ctx: ReplyContext, name: str, address: str, subject: str, text: str, now: dt.datetime) -> bytes:
    msg = EmailMessage()
    msg["From"] = ctx.newsletter_from
    msg["To"] = mailbox(name, address)
    msg["Reply-To"] = ctx.newsletter_address
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(ID_MARK, domain=urlsplit(ctx.siteurl).hostname or "vouch.invalid")
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content(text)
    ascii_only = address.isascii() and ctx.bounce_address.isascii()
    return msg.as_bytes(policy=SMTP if ascii_only else SMTPUTF8)
