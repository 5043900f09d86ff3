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

KINDS = ("bounce", "confirm", "unsubscribe", "subscribe", "automatic", "other")
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_ANGLE_ADDR = re.compile(r"<([^<>\s]+)>\s*$")  # the address of 'Name <address>', at the very end
_UNREADABLE = (HeaderParseError, MessageError, LookupError, ValueError, TypeError, AttributeError, IndexError)
AUTOMATIC = ("X-Autoreply", "X-Autorespond", "Auto-Reply-From", "X-Auto-Response-Suppress")


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
    if looks_like_bounce(msg, written(msg, "From")):
        bounce = read_bounce(msg)
        if bounce is not None:
            return Incoming("bounce", key, message_id, bounce=bounce)
        return Incoming("other", key, message_id, note="a bounce that names no failed address (left for the editor)")
    subject = _REPLY_PREFIX.sub("", written(msg, "Subject")).strip()
    texts, defects = _texts(msg)
    tokens = tuple(tokens_in("\n".join([subject, *texts])))
    words = [w for w in (_word(subject), _word(_first_line(texts))) if w in ("subscribe", "unsubscribe")]
    kind = "confirm" if tokens else words[0] if words else "other"
    if kind == "other":
        note = f"malformed MIME ({', '.join(sorted(defects))})" if defects else ""
        return Incoming("other", key, message_id, note=note)
    name, address, problem = _sender(msg)
    if why := _automatic(msg):  # never answered (no mail loops), never a request: an out-of-office quoting a code
        note = f"an automatic reply ({why}) from {address or written(msg, 'From')} reads as a {kind}: not acted on"
        return Incoming("automatic", key, message_id, address, note=note)
    return Incoming(kind, key, message_id, address, name, problem, tokens=tokens)


def _sender(msg: Message) -> tuple[str, str, str]:
    """(name, address, problem) of a From: strictly one address with a one-line name, else a problem.

    The header is parsed as written (the ``default`` policy's address parser, through
    ``one_address``) and its encoded words decoded afterwards, so "=?utf-8?q?M=C3=BCller=2C_J...?="
    is one name with a comma, not two addresses. The address is kept where exactly one valid
    address can be found however bad the rest: an unsubscribe is honoured for it (the law asks
    for the unsubscribe, not a tidy header). Outlook's '"ann@x.org" <ann@x.org>' is an address
    without a name, not a problem. Two From headers: no address at all.
    """
    values = raw_headers(msg, "From")
    if len(values) > 1:
        return "", "", f"From: expected one From header; got {len(values)} From headers"
    sender = values[0] if values else ""
    try:
        if _breaks_lines(decoded := _decoded(sender)):  # an encoded CR or LF: refused by what the reader sees
            one_address(decoded)
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


def raw_headers(msg: Message, name: str) -> list[str]:
    """Each ``name`` header as written, unfolded, 8-bit bytes read as UTF-8 (RFC 6532).

    compat32 keeps undecodable bytes as surrogates and its ``get`` turns them into U+FFFD;
    ``raw_items`` has them as they came, so ``jürgen@example.org`` stays itself.
    """
    found = []
    for key, value in msg.raw_items():
        if key.lower() == name.lower() and isinstance(value, str):
            text = value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
            found.append(re.sub(r"\r?\n(?=[ \t])", "", text).strip())
    return found


def written(msg: Message, name: str) -> str:
    """A header's text as the sender wrote it, encoded words decoded, line breaks and all (for words, not addresses)."""
    values = raw_headers(msg, name)
    return _decoded(values[0]) if values else ""


def _decoded(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeError):  # an unknown charset: the words as written
        return value


def _automatic(msg: Message) -> str:
    """The header that marks ``msg`` as sent by a program (RFC 3834, vendors' headers, bulk mail), or ''."""
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    if auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(msg.get("Precedence", "")).strip().lower()
    if precedence in ("auto_reply", "bulk", "junk", "list"):
        return f"Precedence: {precedence}"
    return next((f"{h}: {str(msg.get(h, '')).strip()}" for h in AUTOMATIC if h in msg), "")


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
