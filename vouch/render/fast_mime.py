"""Each recipient's message as bytes, at the speed of a send to a local relay.

``build_message`` (the email package) parses and folds every header of every
message: most of a send's time. Here the headers every recipient shares are
folded once by the email package and cached; per recipient only ``To`` is
folded, ``Date`` and ``Message-ID`` (ASCII, made by Vouch) are written as they
are, and the two bodies are quoted-printable by ``binascii`` (C). The result
parses to the same message as ``build_message`` (tests/test_send_due.py checks
it); an internationalised address (SMTPUTF8) still goes the email package's way.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
from email.policy import SMTP

from vouch.render.email import Personal, RenderedIssue, list_id, mail_the_sender
from vouch.settings import VouchSettings

LINE_MAX = 998  # RFC 5322: longer header lines must be folded


def fold(name: str, value: str) -> bytes:
    """One header as the email package writes it (encoded words, folded at 78)."""
    return SMTP.header_factory(name, value).fold(policy=SMTP).encode("ascii")


@functools.lru_cache(maxsize=32)
def _shared(settings: VouchSettings, subject: str, slug: str) -> tuple[bytes, bytes, bytes]:
    """(From, the other shared headers, the body's MIME frame start): the same for every recipient."""
    rest = b""
    if settings.newsletter_reply_to:
        rest += fold("Reply-To", settings.newsletter_reply_to)
    rest += fold("Subject", subject) + fold("List-Id", list_id(settings))
    mailto = mail_the_sender(settings, "unsubscribe")
    if not settings.newsletter_unsubscribe_url:
        rest += fold("List-Unsubscribe", f"<{mailto}>")
    boundary = f"==vouch-{hashlib.sha256(slug.encode()).hexdigest()[:16]}==".encode()
    frame = b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary="' + boundary + b'"\r\n\r\n'
    return fold("From", settings.newsletter_from), rest, frame


def _qp(text: str) -> bytes:
    data = text.replace("\r\n", "\n").replace("\r", "\n")
    if not data.endswith("\n"):
        data += "\n"
    return binascii.b2a_qp(data.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")


def message_bytes(
    rendered: RenderedIssue,
    personal: Personal,
    settings: VouchSettings,
    to: str,
    headers: dict[str, str],
    subject_prefix: str = "",
) -> bytes | None:
    """The message ``build_message`` would make, as SMTP bytes; None where only the email package will do
    (a header that is not plain ASCII or too long to write unfolded)."""
    head_from, rest, frame = _shared(settings, subject_prefix + rendered.subject, rendered.slug)
    own = [f"{key}: {value}\r\n" for key, value in headers.items()]
    if settings.newsletter_unsubscribe_url:
        mailto = mail_the_sender(settings, "unsubscribe")
        own.append(f"List-Unsubscribe: <{personal.unsubscribe_url}>, <{mailto}>\r\n")
        own.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
    if any(len(line) > LINE_MAX or not line.isascii() for line in own):
        return None
    boundary = frame.split(b'boundary="')[1].split(b'"')[0]
    part = b'--%s\r\nContent-Type: text/%s; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
    return b"".join([head_from, fold("To", to), rest, "".join(own).encode(), frame,
                     part % (boundary, b"plain"), _qp(personal.text), b"\r\n", part % (boundary, b"html"),
                     _qp(personal.html), b"\r\n--%s--\r\n" % boundary])  # fmt: skip
