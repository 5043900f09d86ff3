"""``invoke inbox``: the newsletter's IMAP mailbox does the list work (see vouch.mailing.inbox).

The client is ``imapclient``: it parses FETCH, LIST and NAMESPACE answers,
speaks UIDs throughout and encodes folder names (modified UTF-7), all of which
``imaplib`` leaves to its caller as raw bytes. Messages are fetched in
batches with BODY.PEEK (which sets no \\Seen flag), so a mailbox of any size
is read in bounded memory and other mail stays unread and untouched.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from vouch.mailing.inbox.classify import classify
from vouch.mailing.inbox.handler import Handler, ListFiles, Outcome, Rules
from vouch.mailing.inbox.ledger import InboxLedger
from vouch.mailing.inbox.replies import ReplyContext
from vouch.mailing.send_ledger import Ledger
from vouch.mailing.sender import SmtpSettings
from vouch.mailing.subscribers import recipients
from vouch.newsletter.welcome import greets_on_joining
from vouch.publication import today
from vouch.settings import NEWSLETTER_FOLDER, WELCOME_FOLDER, VouchSettings

SECURITY = ("ssl", "starttls", "none")
BATCH = 200  # messages fetched at once: memory stays bounded whatever the mailbox holds
BIGGEST = 5_000_000  # bytes; a bigger message is nobody's subscribe request or bounce, and is not read
HANDLED = ("Vouch", "Handled")  # joined with the server's own hierarchy separator
DETAILS = 20  # lines shown per kind of problem; the count above has them all


@dataclass(frozen=True, slots=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    security: str = "ssl"
    folder: str = "INBOX"
    timeout: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> ImapSettings:
        security = environ.get("IMAP_SECURITY", "ssl").lower()
        if security not in SECURITY:
            raise ValueError(f"IMAP_SECURITY: expected one of {', '.join(SECURITY)}; got {security!r}")
        raw_port = environ.get("IMAP_PORT") or ("993" if security == "ssl" else "143")
        if not raw_port.isdigit():
            raise ValueError(f"IMAP_PORT: expected a port number such as 993; got {raw_port!r}")
        host, user = environ.get("IMAP_HOST", ""), environ.get("IMAP_USER", "")
        if not host or not user:
            raise ValueError("IMAP_HOST and IMAP_USER: set them (and IMAP_PASSWORD) to the newsletter's mailbox")
        raw_timeout = environ.get("IMAP_TIMEOUT") or "30"
        try:
            timeout = float(raw_timeout)
        except ValueError:
            raise ValueError(f"IMAP_TIMEOUT: expected a number of seconds such as 30; got {raw_timeout!r}") from None
        return cls(
            host, int(raw_port), user, environ.get("IMAP_PASSWORD", ""), security,
            environ.get("IMAP_FOLDER") or "INBOX", timeout,
        )  # fmt: skip

    def connect(self) -> IMAPClient:
        context = ssl.create_default_context()
        client = IMAPClient(self.host, self.port, ssl=self.security == "ssl", ssl_context=context, timeout=self.timeout)
        if self.security == "starttls":
            client.starttls(context)
        client.login(self.user, self.password)
        return client


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    lines: list[str] = field(default_factory=list)  # for the run as a whole
    details: dict[str, list[str]] = field(default_factory=dict)  # per outcome: one line a message
    messages: int = 0
    target: str = "/".join(HANDLED)
    moved: int = 0
    replies_sent: int = 0
    replies_waiting: int = 0

    def add(self, uid: int, outcome: Outcome) -> None:
        self.counts[outcome.category] += 1
        if outcome.line:
            self.details.setdefault(outcome.category, []).append(f"message {uid}: {outcome.line}")


def inbox_ledger_path(root: Path, environ: Mapping[str, str] = os.environ) -> Path:
    return root / environ.get("INBOX_LEDGER", "private/inbox.sqlite")


def handled_folder(client: IMAPClient) -> str:
    """``Vouch/Handled`` in the server's own spelling: its separator (Maildir++: '.') and personal prefix."""
    personal = client.namespace().personal
    prefix, separator = personal[0] if personal else ("", "/")
    separator = separator.decode() if isinstance(separator, bytes) else separator or "/"
    prefix = prefix.decode() if isinstance(prefix, bytes) else prefix or ""
    return prefix + separator.join(HANDLED)


def batches(client: IMAPClient) -> Iterator[list[tuple[int, bytes | None]]]:
    """(uid, bytes) of every message, BATCH at a time; None for one too big to be a request."""
    uids = sorted(client.search(["NOT", "DELETED"]))
    for start in range(0, len(uids), BATCH):
        chunk = uids[start : start + BATCH]
        sizes = client.fetch(chunk, ["RFC822.SIZE"])
        small = [u for u in chunk if u in sizes and sizes[u].get(b"RFC822.SIZE", 0) <= BIGGEST]
        bodies = client.fetch(small, ["BODY.PEEK[]"]) if small else {}
        yield [(u, bodies[u].get(b"BODY[]") if u in bodies else None) for u in chunk if u in sizes]


def process(client: IMAPClient, handler: Handler, folder: str, target: str, dry_run: bool, summary: Summary) -> None:
    """Read ``folder`` batch by batch; move what was handled to ``target`` (not in a dry run)."""
    client.select_folder(folder, readonly=dry_run)
    for batch in batches(client):
        done: list[int] = []
        handler.ledger.begin()
        try:
            for uid, raw in batch:
                summary.messages += 1
                outcome = handler.handle(classify(raw)) if raw is not None else Outcome("other mail", False)
                summary.add(uid, outcome)
                if outcome.handled:
                    done.append(uid)
        finally:
            handler.ledger.commit()  # what was decided is kept before anything moves
        if done and not dry_run:
            client.add_flags(done, [b"\\Seen"])
            if client.has_capability("MOVE"):
                client.move(done, target)
            else:  # RFC 3501 alone: a copy, then the original expunged (the copy is kept)
                client.copy(done, target)
                client.delete_messages(done)
                client.uid_expunge(done) if client.has_capability("UIDPLUS") else client.expunge()
        summary.moved += len(done)


def send_replies(ledger: InboxLedger, bounce_address: str, summary: Summary) -> None:
    """Queued replies through SMTP_*: a refused one (5xx) is given up with a line, a deferred one (4xx)
    and all those after a lost connection wait in the ledger for the next run."""
    queued = ledger.queued_replies()
    if not queued:
        return
    smtp = SmtpSettings.from_env()
    waiting = len(queued)  # those not yet tried when the connection fails
    try:
        with smtp.connect() as conn:
            for n, reply in enumerate(queued):
                waiting = len(queued) - n
                code, why = _send_one(conn, bounce_address, reply.address, reply.message)
                if code is None:
                    ledger.reply_sent(reply.id)
                    summary.replies_sent += 1
                elif code >= 500:
                    ledger.reply_failed(reply.id)
                    summary.lines.append(f"reply to {reply.address} not sent: {why}")
                else:
                    summary.replies_waiting += 1
            waiting = 0
    except (OSError, smtplib.SMTPException) as exc:
        summary.replies_waiting += waiting
        summary.lines.append(
            f"{summary.replies_waiting} replies wait: cannot send through {smtp.host}:{smtp.port} ({exc}); "
            "they go on the next run"
        )


def _send_one(conn: smtplib.SMTP, sender: str, address: str, message: bytes) -> tuple[int | None, str]:
    """(None, '') once the server took it; else the refusal's code and text (the connection stays usable)."""
    options = [] if address.isascii() and sender.isascii() else ["SMTPUTF8"]
    if options and not conn.has_extn("smtputf8"):
        return 553, "the SMTP server does not offer SMTPUTF8, which this internationalised address needs"
    try:
        conn.sendmail(sender, [address], message, mail_options=options)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        return code, f"refused by the SMTP server: {code} {text.decode('utf-8', 'replace')}"
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        return exc.smtp_code, f"refused by the SMTP server: {exc.smtp_code} {exc.smtp_error.decode('utf-8', 'replace')}"
    return None, ""


def run_inbox(
    root: Path, settings: VouchSettings, dry_run: bool, environ: Mapping[str, str] = os.environ,
    content: Path | None = None,
) -> Summary:  # fmt: skip
    """Everything ``invoke inbox`` does; raises ValueError for a setting and OSError/IMAPClientError for the server.

    ``content`` (PATH, default content/): where the welcome series is."""
    from vouch_site.mailout import Paths

    imap = ImapSettings.from_env(environ)
    SmtpSettings.from_env(environ)  # a wrong SMTP_* setting is named before anything is read
    on = today(settings.timezone, environ)  # refuses a SOURCE_DATE_EPOCH that is no Unix time
    paths = Paths.from_env(root, environ)
    where = inbox_ledger_path(root, environ)
    stored = InboxLedger(where if where.exists() or not dry_run else None)
    ledger = stored.rehearsal() if dry_run else stored
    moment = _now(environ)
    ledger.forget_expired(moment)
    listed, _ = recipients(paths.subscribers, paths.suppressions) if paths.subscribers.exists() else ([], [])
    sends = Ledger(paths.ledger) if paths.ledger.exists() else None  # nothing sent yet: no bounce is ours
    welcome = greets_on_joining((content or root / "content") / NEWSLETTER_FOLDER / WELCOME_FOLDER)
    handler = Handler(
        ledger, ListFiles(paths.subscribers, paths.suppressions),
        Rules(settings.newsletter_confirm_days, settings.newsletter_bounce_limit, welcome),
        ReplyContext(settings.sitename, settings.siteurl, settings.newsletter_from, settings.newsletter_address,
                     settings.bounce_address),
        sends.by_message_id if sends else lambda _: None, {s.address.lower() for s in listed}, moment,
        on, dry_run,
    )  # fmt: skip
    summary = Summary()
    client = imap.connect()
    try:
        target = summary.target = handled_folder(client)
        if not dry_run and not client.folder_exists(target):
            client.create_folder(target)
            client.subscribe_folder(target)
        process(client, handler, imap.folder, target, dry_run, summary)
    finally:
        try:
            client.logout()
        except (OSError, IMAPClientError):
            client.shutdown()
    summary.lines += handler.flood_lines()
    if not dry_run:
        send_replies(ledger, settings.bounce_address, summary)
    else:
        summary.replies_waiting = len(ledger.queued_replies())
    if sends:
        sends.close()
    stored.close()
    return summary


def report(summary: Summary, imap_folder: str, dry_run: bool) -> list[str]:
    """The summary ``invoke inbox`` ends with: counts by outcome, then one line per problem."""
    lines = [f"inbox: {summary.messages} messages read in {imap_folder}"]
    lines += [f"  {category}: {n}" for category, n in sorted(summary.counts.items())]
    verb = "would move" if dry_run else "moved"
    lines.append(f"{verb} {summary.moved} to {summary.target}; other mail left unread and untouched")
    if dry_run:
        lines.append(f"dry run: nothing changed (no flags, no moves, no mail; {summary.replies_waiting} replies)")
    else:
        waiting = f", waiting for the next run: {summary.replies_waiting}" if summary.replies_waiting else ""
        lines.append(f"replies sent: {summary.replies_sent}{waiting}")
    lines += [f"  {line}" for line in summary.lines]
    for category, details in sorted(summary.details.items()):
        lines += [f"  {line}" for line in details[:DETAILS]]
        if len(details) > DETAILS:
            lines.append(f"  ... and {len(details) - DETAILS} more like these ({category})")
    return lines


def _now(environ: Mapping[str, str]) -> dt.datetime:
    """SOURCE_DATE_EPOCH (tests, reproducible runs), else the clock."""
    epoch = environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)


def inbox(root: Path, dry_run: bool = False) -> None:
    """The command body: settings, run, summary (``vouch_site.mail_commands.inbox`` calls it)."""
    from vouch_site.commands import CommandFailed, refused
    from vouch_site.config import load_settings

    with refused():
        raw = load_settings(root)
        settings = VouchSettings.of(raw)
        imap = ImapSettings.from_env()
    try:
        summary = run_inbox(root, settings, dry_run, content=Path(raw["PATH"]))
    except (OSError, IMAPClientError) as exc:
        where = f"{imap.host}:{imap.port} ({imap.security})"
        why = f"vouch: inbox: {imap.folder} on {where}: {exc}"
        raise CommandFailed(f"{why}; what was done is recorded, run it again to go on", 3) from None
    except ValueError as exc:
        raise CommandFailed(f"vouch: inbox: {exc}", 2) from None
    print("\n".join(report(summary, imap.folder, dry_run)))
    if summary.replies_waiting and not dry_run:
        raise CommandFailed("", 3)
