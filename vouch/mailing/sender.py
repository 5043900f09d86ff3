"""Sending an issue through any SMTP relay, exactly once per recipient.

The ledger marks a recipient ``sending`` before the end of DATA is written
and ``sent`` once the server's 250 is read: in the same commit as the next
recipient's ``sending`` mark (one fsync per message, not two), or at once when
no message follows. A process killed in between leaves at most one recipient
``sending``, as before: reported, never resent. Anything that fails before
the end of DATA is safe to retry (the server cannot have accepted the
message); a reply lost after it leaves the recipient ``sending``, which the
next run reports as unknown instead of resending.
"""

from __future__ import annotations

import os
import re
import smtplib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from vouch.mailing.send_ledger import Delivery, Ledger
from vouch.mailing.smtp_setup import SmtpSettings, SmtpSetupError
from vouch.mailing.subscribers import Subscriber

__all__ = ["Policy", "SendAborted", "SendReport", "SmtpSettings", "send_issue"]

_DOT_LINE = re.compile(rb"(?m)^\.")
_MESSAGE_ID = re.compile(rb"(?im)^Message-ID:\s*(<[^>\r\n]+>)")  # folded or not


class SendAborted(Exception):
    """The relay could not be reached; the ledger keeps what is left for a rerun."""


@dataclass(slots=True)
class SendReport:
    sent: int = 0
    already_sent: int = 0
    failed: list[Delivery] = field(default_factory=list)
    unknown: list[Delivery] = field(default_factory=list)
    needs_smtputf8: list[Delivery] = field(default_factory=list)  # left queued: the relay cannot carry them


@dataclass(frozen=True, slots=True)
class Policy:
    max_attempts: int = 5
    retry_delay: float = 2.0  # seconds; doubled after each round of retries
    max_delay: float = 300.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Policy:
        """``SMTP_RETRY_DELAY`` (seconds before the first retry) from the environment."""
        text = environ.get("SMTP_RETRY_DELAY", "2")
        try:
            return cls(retry_delay=float(text))
        except ValueError:
            raise ValueError(f"SMTP_RETRY_DELAY: expected a number of seconds such as 2; got {text!r}") from None


class _Temporary(Exception):
    """A 4xx answer or a broken connection before the end of DATA: safe to retry."""

    def __init__(self, code: int | None, text: str, reconnect: bool) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.reconnect = reconnect


class _Permanent(Exception):
    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


class _ReplyLost(Exception):
    """The message was fully written but no answer came back."""


class _NeedsSmtputf8(Exception):
    """A non-ASCII address, and a server that does not offer SMTPUTF8: nothing was sent."""


def send_issue(
    issue: str,
    subscribers: Sequence[Subscriber],
    render: Callable[[Subscriber], bytes],
    ledger: Ledger,
    smtp: SmtpSettings,
    sender: str,
    policy: Policy = Policy(),
    progress: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    report = SendReport()
    ledger.enqueue(issue, subscribers)
    report.unknown = ledger.recover(issue)
    wanted = {s.address.lower() for s in subscribers}
    report.already_sent = ledger.sent_to(issue, wanted)
    by_key = {s.address.lower(): s for s in subscribers}
    queue = [d for d in ledger.in_state(issue, "queued") if d.key in wanted]
    total, done, connected = len(queue), 0, 0
    conn: smtplib.SMTP | None = None
    delay = policy.retry_delay
    answered: list[tuple[str, int, str]] = []  # 250 read, recorded with the next 'sending' mark

    def record_answered() -> None:
        if answered:
            ledger.mark_sent(issue, answered)
            answered.clear()

    try:
        while queue:
            retry: list[Delivery] = []
            for delivery in queue:
                if conn is None:
                    conn = _connect(smtp, policy, sleep, first=connected == 0)
                    connected += 1
                try:
                    code, text = _transaction(conn, ledger, delivery, sender, render(by_key[delivery.key]), answered)
                    answered.append((delivery.key, code, text))
                    report.sent += 1
                    done += 1
                except _Temporary as exc:
                    record_answered()
                    if exc.reconnect:
                        conn = _close(conn)
                    attempts = ledger.defer(issue, delivery.key, exc.code, exc.text)
                    if attempts >= policy.max_attempts:
                        ledger.mark(
                            issue, delivery.key, "failed", exc.code, f"gave up after {attempts} attempts: {exc.text}"
                        )
                        done += 1
                    else:
                        retry.append(delivery)
                except _Permanent as exc:
                    record_answered()
                    ledger.mark(issue, delivery.key, "failed", exc.code, exc.text)
                    done += 1
                except _ReplyLost:
                    record_answered()
                    conn = _close(conn)  # stays 'sending': reported as unknown, never resent blindly
                    done += 1
                except _NeedsSmtputf8:
                    report.needs_smtputf8.append(delivery)  # stays queued: a rerun through a relay that offers it
                    done += 1
                if progress:
                    progress(done, total)
            record_answered()
            if retry:
                sleep(delay)
                delay = min(delay * 2, policy.max_delay)
            queue = retry
    except SendAborted:
        raise
    finally:
        record_answered()
        _close(conn)
        report.unknown += ledger.recover(issue)
        report.failed = ledger.in_state(issue, "failed")
    return report


def _connect(smtp: SmtpSettings, policy: Policy, sleep: Callable[[float], None], first: bool) -> smtplib.SMTP:
    """A connection; the ``first`` of a run, or one the settings make impossible, is tried once.

    A wrong host, port, security or login fails in seconds with what to change; only a
    reconnection during a send (a server restarting, a dropped line) backs off and retries.
    """
    delay = policy.retry_delay
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return smtp.connect()
        except SmtpSetupError as exc:
            if first or exc.settings_wrong or attempt == policy.max_attempts:
                raise SendAborted(str(exc)) from None
            sleep(delay)
            delay = min(delay * 2, policy.max_delay)
    raise AssertionError("unreachable")


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()


def _check(conn: smtplib.SMTP, code: int, text: bytes, ok: tuple[int, ...]) -> None:
    """Raise for an answer other than ``ok``, leaving the connection ready for the next message."""
    if code in ok:
        return
    message = text.decode("utf-8", "replace")
    closing = code in (421, -1)  # the server is closing the connection
    if not closing:
        try:
            conn.rset()
        except (OSError, smtplib.SMTPException):
            closing = True
    if 400 <= code < 500 or code == -1 or closing:  # a closing server's refusal is retried on a new connection
        raise _Temporary(code, message, reconnect=closing)
    raise _Permanent(code, message)


def _message_id(message: bytes) -> str | None:
    """The Message-ID header of ``message`` (searched in its header block only)."""
    head = message.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = _MESSAGE_ID.search(head)
    return found.group(1).decode("ascii", "replace") if found else None


def _transaction(
    conn: smtplib.SMTP,
    ledger: Ledger,
    delivery: Delivery,
    sender: str,
    message: bytes,
    answered: list[tuple[str, int, str]],
) -> tuple[int, str]:
    """One message; ``answered`` (recipients whose 250 was read) are marked sent in the commit that marks
    this one sending, and emptied."""
    utf8 = not (sender.isascii() and delivery.address.isascii())
    if utf8 and not conn.has_extn("smtputf8"):
        raise _NeedsSmtputf8
    try:
        code, text = conn.mail(sender, ["SMTPUTF8", "BODY=8BITMIME"] if utf8 else [])
        _check(conn, code, text, (250,))
        code, text = conn.rcpt(delivery.address)
        _check(conn, code, text, (250, 251))
        code, text = conn.docmd("DATA")
        _check(conn, code, text, (354,))
        payload = _DOT_LINE.sub(b"..", message)  # dot-stuffing, as smtplib.data() does
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        payload += b".\r\n"
        ledger.mark_sending(delivery.issue, delivery.key, answered, _message_id(message))
        answered.clear()
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        raise _Temporary(None, f"connection lost: {exc}", reconnect=True) from exc
    try:
        conn.send(payload)
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        # The end of DATA never left: the server cannot have accepted the message.
        ledger.mark(delivery.issue, delivery.key, "queued")
        raise _Temporary(None, f"connection lost while sending: {exc}", reconnect=True) from exc
    try:
        code, text = conn.getreply()
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        raise _ReplyLost(str(exc)) from exc
    if code == 250:
        return code, text.decode("utf-8", "replace")
    ledger.mark(delivery.issue, delivery.key, "queued")  # an explicit refusal: not delivered
    _check(conn, code, text, (250,))
    raise AssertionError("unreachable")
