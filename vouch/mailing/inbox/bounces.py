"""Who a bounce says failed, hard or soft, and which of our messages it bounces.

RFC 3464 delivery status notifications are read here, by their ``Status``
codes (5.x.x is permanent, 4.x.x temporary; ``Action`` only where a status is
missing). The non-standard formats (qmail, Exim, Postfix, Yahoo, AOL,
Microsoft and Exchange, GroupWise, the many "simple match" texts) are read by
``flufl.bounce``, Mailman's own detectors, which sort them into temporary and
permanent failures. Its DSN detector goes by ``Action`` alone, which calls a
4.4.7 "gave up after retrying" a permanent failure, hence our own DSN reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr

from flufl.bounce import all_failures

DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
_MESSAGE_ID = re.compile(r"(?im)^[ \t>]*Message-ID:[ \t]*(<[^<>\s]+>)")


@dataclass(frozen=True, slots=True)
class Bounce:
    hard: frozenset[str]  # lower-cased addresses that failed for good
    soft: frozenset[str]  # ... and for now
    sent_ids: tuple[str, ...]  # Message-IDs the bounce quotes: ours among them name the issue
    standard: bool  # an RFC 3464 report, else one of flufl.bounce's formats


def looks_like_bounce(msg: Message, from_header: str) -> bool:
    """Sent by a mail system, not a person: a null sender, a daemon, a report or Exim's header.

    Only these are read as bounces, so a person quoting a bounce is never taken for one.
    ``from_header`` is the From as written (the email package refuses some to its caller).
    """
    return_path = str(msg.get("Return-Path", "")).strip()
    sender = parseaddr(from_header)[1].lower()
    return (
        ("Return-Path" in msg and return_path in ("<>", ""))
        or sender.split("@", 1)[0] in DAEMONS
        or msg.get_content_type() == "multipart/report"
        or "X-Failed-Recipients" in msg
    )


def read_bounce(msg: Message) -> Bounce | None:
    """The failures ``msg`` (compat32, what flufl.bounce's detectors are written for) reports, or None."""
    statuses = list(_dsn_failures(msg))
    if statuses:
        hard = frozenset(a for a, permanent in statuses if permanent)
        soft = frozenset(a for a, permanent in statuses if not permanent) - hard
        standard = True
    else:
        temporary, permanent = all_failures(msg)
        hard = frozenset(_text(a).lower() for a in permanent)
        soft = frozenset(_text(a).lower() for a in temporary) - hard
        standard = False
    if not hard and not soft:
        return None
    return Bounce(hard, soft, _quoted_ids(msg), standard)


def _dsn_failures(msg: Message) -> list[tuple[str, bool]]:
    """(address, permanent) for each failed or delayed recipient of each delivery-status part."""
    found: list[tuple[str, bool]] = []
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status" or not part.is_multipart():
            continue
        for block in part.get_payload()[1:]:  # the first block is about the message, the rest one per recipient
            recipient = block.get("Final-Recipient") or block.get("Original-Recipient") or ""
            address = parseaddr(str(recipient).split(";", 1)[-1].strip())[1].lower()
            status = str(block.get("Status", "")).strip()
            action = str(block.get("Action", "")).strip().lower()
            if not address or action in ("delivered", "relayed", "expanded"):
                continue
            if status[:1] in ("4", "5"):
                found.append((address, status[0] == "5"))
            elif action.startswith(("fail", "delayed")):
                found.append((address, action.startswith("fail")))
    return found


def _quoted_ids(msg: Message) -> tuple[str, ...]:
    """Message-IDs of the returned message: in an attached message, its headers, or quoted as text."""
    found: list[str] = []
    top = msg.get("Message-ID", "").strip()
    for part in msg.walk():
        if part is not msg and part.get("Message-ID"):
            found.append(str(part["Message-ID"]).strip())
        if not part.is_multipart():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                found += _MESSAGE_ID.findall(payload.decode("utf-8", "replace"))
    return tuple(i for i in dict.fromkeys(found) if i != top)


def _text(address: bytes | str) -> str:
    return address.decode("ascii", "replace") if isinstance(address, bytes) else address
