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
from email.message import Message
from email.utils import getaddresses

from vouch.mailing.inbox.bounces import Bounce, looks_like_bounce, read_bounce
from vouch.mailing.inbox.tokens import tokens_in
from vouch.mailing.subscribers import address_problem, one_address

KINDS = ("bounce", "confirm", "unsubscribe", "subscribe", "other")
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_ANGLE_ADDR = re.compile(r"<([^<>\s]+)>\s*$")  # the address of 'Name <address>', at the very end
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
    """Read with the email package's compat32 model: an order of magnitude faster than its
    ``default`` policy on a mailbox of thousands, and every header is read as written."""
    key = hashlib.sha256(raw).hexdigest()
    try:
        msg = email.message_from_bytes(raw)
        message_id = str(msg.get("Message-ID", "")).strip()[:998]
    except _UNREADABLE as exc:
        return Incoming("other", key, note=f"malformed message: {exc}")
    try:
        return _classify(msg, key, message_id)
    except _UNREADABLE as exc:
        return Incoming("other", key, message_id, note=f"malformed MIME: {type(exc).__name__}: {exc}")


def _classify(msg: Message, key: str, message_id: str) -> Incoming:
    sender = written(msg, "From")
    if looks_like_bounce(msg, sender):
        bounce = read_bounce(msg)
        if bounce is not None:
            return Incoming("bounce", key, message_id, bounce=bounce)
        return Incoming("other", key, message_id, note="a bounce that names no failed address (left for the editor)")
    if _automatic(msg):
        return Incoming("other", key, message_id)  # an autoresponder is never answered: no mail loops
    subject = _REPLY_PREFIX.sub("", written(msg, "Subject")).strip()
    texts, defects = _texts(msg)
    tokens = tuple(tokens_in("\n".join([subject, *texts])))
    words = [w for w in (_word(subject), _word(_first_line(texts))) if w in ("subscribe", "unsubscribe")]
    kind = "confirm" if tokens else words[0] if words else "other"
    if kind == "other":
        note = f"malformed MIME ({', '.join(sorted(defects))})" if defects else ""
        return Incoming("other", key, message_id, note=note)
    name, address, problem = _sender(sender)
    return Incoming(kind, key, message_id, address, name, problem, tokens=tokens)


def _sender(sender: str) -> tuple[str, str, str]:
    """(name, address, problem) of a From: strictly one address with a one-line name, else a problem.

    The address is kept where exactly one valid address can be found however bad the rest:
    an unsubscribe is honoured for it (the law asks for the unsubscribe, not a tidy header).
    Outlook's '"ann@x.org" <ann@x.org>' is an address without a name, not a problem.
    """
    try:
        name, address = one_address(sender)
    except ValueError as exc:
        name, address = _one_bare_address(sender)
        if address and "@" in name and not _breaks_lines(name):
            return "", address, ""
        return "", address, f"From: {exc}"
    return name, address, ""


def _one_bare_address(sender: str) -> tuple[str, str]:
    angle = _ANGLE_ADDR.search(sender)
    found = [(sender[: angle.start()].strip(), angle.group(1))] if angle else getaddresses([sender])
    if len(found) != 1 or address_problem(found[0][1]):
        return "", ""
    return found[0]


def _breaks_lines(text: str) -> bool:
    return "\r" in text or "\n" in text


def written(msg: Message, name: str) -> str:
    """A header's text as the sender wrote it, encoded words decoded, line breaks and all.

    (The ``default`` policy's parsed From raises on a name with CR or LF in it; this keeps
    them, for ``one_address`` to refuse with a reason.)
    """
    value = msg.get(name)
    if value is None:
        return ""
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", str(value))
    try:
        return str(make_header(decode_header(unfolded)))
    except (HeaderParseError, LookupError, UnicodeError):  # an unknown charset: the words as written
        return unfolded


def _automatic(msg: Message) -> bool:
    """RFC 3834 and the common vendor headers for autoresponders, and bulk mail."""
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(msg.get("Precedence", "")).strip().lower()
    return auto != "no" or precedence in ("bulk", "junk", "list") or any(h in msg for h in AUTOMATIC)


def _texts(msg: Message) -> tuple[list[str], set[str]]:
    """The text of each text part (HTML without its tags), the first plain one first; plus MIME defects found."""
    defects = {type(d).__name__ for part in msg.walk() for d in part.defects}
    parts = [p for p in msg.walk() if p.get_content_maintype() == "text"]
    parts.sort(key=lambda p: p.get_content_subtype() != "plain")  # stable: the body a person typed comes first
    texts = []
    for part in parts:
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        try:
            text = payload.decode(part.get_content_charset() or "utf-8", "replace")
        except LookupError:  # a charset nobody knows: read as UTF-8, noted
            defects.add(f"unknown charset {part.get_content_charset()!r}")
            text = payload.decode("utf-8", "replace")
        texts.append(_TAGS.sub(" ", text) if part.get_content_subtype() == "html" else text)
    return texts, defects


def _first_line(texts: list[str]) -> str:
    for line in texts[0].splitlines() if texts else []:
        if line.strip():
            return line
    return ""


def _word(text: str) -> str:
    """``subscribe`` from "Subscribe", " subscribe. " or "SUBSCRIBE!"; empty for anything longer."""
    return text.strip().strip(".!?,;:").strip().lower()
