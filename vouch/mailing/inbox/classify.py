"""What one incoming message is: a bounce, a confirmation, an unsubscribe, a subscribe request, or other mail.

Reading never fails: a message the email package cannot make sense of is
"other" with a note, left where it is for the editor.
"""

from __future__ import annotations

import email
import hashlib
import re
from dataclasses import dataclass
from email.errors import HeaderParseError, MessageError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import default

from vouch.mailing.inbox.bounces import Bounce, looks_like_bounce, read_bounce
from vouch.mailing.inbox.tokens import tokens_in
from vouch.mailing.subscribers import one_address

KINDS = ("bounce", "confirm", "unsubscribe", "subscribe", "other")
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_UNREADABLE = (HeaderParseError, MessageError, LookupError, ValueError, TypeError, AttributeError, IndexError)
AUTOMATIC = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")


@dataclass(frozen=True, slots=True)
class Incoming:
    kind: str
    key: str  # the message's identity in the ledger: a hash of its bytes
    message_id: str = ""
    address: str = ""  # the sender, when it is one valid address
    name: str = ""
    problem: str = ""  # why a request cannot be acted on (a bad From)
    tokens: tuple[str, ...] = ()
    bounce: Bounce | None = None
    note: str = ""  # why other mail gets a line in the summary (malformed MIME, an unreadable bounce)


def classify(raw: bytes) -> Incoming:
    key = hashlib.sha256(raw).hexdigest()
    try:
        msg = email.message_from_bytes(raw, policy=default)
        message_id = str(msg.get("Message-ID", "")).strip()[:998]
    except _UNREADABLE as exc:
        return Incoming("other", key, note=f"malformed message: {exc}")
    try:
        return _classify(msg, raw, key, message_id)
    except _UNREADABLE as exc:
        return Incoming("other", key, message_id, note=f"malformed MIME: {type(exc).__name__}: {exc}")


def _classify(msg: EmailMessage, raw: bytes, key: str, message_id: str) -> Incoming:
    sender = written(msg, "From")
    if looks_like_bounce(msg, sender):
        bounce = read_bounce(raw)
        if bounce is not None:
            return Incoming("bounce", key, message_id, bounce=bounce)
        return Incoming("other", key, message_id, note="a bounce that names no failed address (left for the editor)")
    if _automatic(msg):
        return Incoming("other", key, message_id)  # an autoresponder is never answered: no mail loops
    subject = _REPLY_PREFIX.sub("", str(msg.get("Subject", ""))).strip()
    texts, defects = _texts(msg)
    tokens = tuple(tokens_in("\n".join([subject, *texts])))
    words = [w for w in (_word(subject), _word(_first_line(texts))) if w in ("subscribe", "unsubscribe")]
    kind = "confirm" if tokens else words[0] if words else "other"
    if kind == "other":
        note = f"malformed MIME ({', '.join(sorted(defects))})" if defects else ""
        return Incoming("other", key, message_id, note=note)
    try:
        name, address = one_address(sender)
    except ValueError as exc:
        return Incoming(kind, key, message_id, problem=f"From: {exc}", tokens=tokens)
    return Incoming(kind, key, message_id, address, name, tokens=tokens)


def written(msg: EmailMessage, name: str) -> str:
    """A header's text as the sender wrote it, encoded words decoded, line breaks and all.

    The email package's parsed From refuses (raises on) a name with CR or LF in it; this
    keeps them, for ``one_address`` to refuse with a reason.
    """
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            unfolded = re.sub(r"\r?\n(?=[ \t])", "", str(value))
            return str(make_header(decode_header(unfolded)))
    return ""


def _automatic(msg: EmailMessage) -> bool:
    """RFC 3834 and the common vendor headers for autoresponders, and bulk mail."""
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(msg.get("Precedence", "")).strip().lower()
    return auto != "no" or precedence in ("bulk", "junk", "list") or any(h in msg for h in AUTOMATIC)


def _texts(msg: EmailMessage) -> tuple[list[str], set[str]]:
    """The text of each text part (HTML without its tags), the plain body first; plus MIME defects found."""
    defects = {type(d).__name__ for part in msg.walk() for d in part.defects}
    body = msg.get_body(("plain", "html"))
    parts = [body] if body is not None else []
    parts += [p for p in msg.walk() if p.get_content_maintype() == "text" and p is not body]
    texts = []
    for part in parts:
        try:
            content = part.get_content()
        except (LookupError, ValueError, AssertionError) as exc:  # an unknown charset, a broken encoding
            defects.add(type(exc).__name__)
            continue
        if isinstance(content, str):
            texts.append(_TAGS.sub(" ", content) if part.get_content_subtype() == "html" else content)
    return texts, defects


def _first_line(texts: list[str]) -> str:
    for line in texts[0].splitlines() if texts else []:
        if line.strip():
            return line
    return ""


def _word(text: str) -> str:
    """``subscribe`` from "Subscribe", " subscribe. " or "SUBSCRIBE!"; empty for anything longer."""
    return text.strip().strip(".!?,;:").strip().lower()
