"""``invoke inbox`` against a real Dovecot (IMAP) and a real SMTP server (aiosmtpd): no IMAP mock."""

from __future__ import annotations

import email
import os
import random
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.imapd import PASSWORD, USER, Dovecot, start_dovecot
from tests.inboxkit import SENT_ID, bounce, mail, reply_to
from tests.sitekit import DEMO_EPOCH, REPO, make_site, run_invoke
from tests.smtpd import Faults, Recorder, start
from vouch.mailing.send_ledger import Ledger
from vouch.mailing.subscribers import Subscriber, add_subscriber, suppressed

pytestmark = pytest.mark.slow
SETTINGS = 'SITENAME = "Harbour Partners"\nSITEURL = "https://partners.example.org"\nTIMEZONE = "UTC"\n'
SETTINGS += 'NEWSLETTER_FROM = "Harbour Partners <newsletter@partners.example.org>"\n'
HANDLED = "Vouch.Handled"  # Maildir++ spells Vouch/Handled with a dot


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = start_dovecot()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    server = start(recorder)
    try:
        yield recorder, server.port
    finally:
        server.stop()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = make_site(tmp_path / "site", {}, {"tasks.py": (REPO / "tasks.py").read_text()})
    (root / "pelicanconf.py").write_text(SETTINGS)
    return root


def env_for(dovecot: Dovecot, smtp_port: int) -> dict[str, str]:
    return {
        **os.environ, **dovecot.env(), "SOURCE_DATE_EPOCH": DEMO_EPOCH,
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_SECURITY": "none",
    }  # fmt: skip


def client(dovecot: Dovecot) -> IMAPClient:
    imap = IMAPClient("127.0.0.1", dovecot.port, ssl=False)
    imap.login(USER, PASSWORD)
    return imap


def append(dovecot: Dovecot, *messages: bytes) -> None:
    with client(dovecot) as imap:
        for raw in messages:
            imap.append("INBOX", raw)


def folder(dovecot: Dovecot, name: str) -> list[tuple[tuple[bytes, ...], EmailMessage]]:
    """(flags, message) of each message in ``name``, read without changing a flag."""
    with client(dovecot) as imap:
        if not imap.folder_exists(name):
            return []
        imap.select_folder(name, readonly=True)
        found = imap.fetch(imap.search("ALL"), ["FLAGS", "BODY.PEEK[]"])
        return [(data[b"FLAGS"], email.message_from_bytes(data[b"BODY[]"], policy=default)) for data in found.values()]


def test_sign_up_confirm_and_unsubscribe_end_to_end(dovecot: Dovecot, smtp, site: Path) -> None:
    recorder, port = smtp
    env = env_for(dovecot, port)
    question = mail("Carol <carol@example.org>", "Do you list electricians?", "Thanks, Carol")
    append(dovecot, mail("Ann Lee <ann@example.org>", "subscribe"), question,
           mail("Bob <bob@example.org>", "unsubscribe"))  # fmt: skip
    first = run_invoke(site, "inbox", env=env)
    assert first.returncode == 0, first.stderr
    assert "subscribe: confirmation sent: 1" in first.stdout and "unsubscribe: suppressed: 1" in first.stdout
    assert "moved 2 to Vouch.Handled" in first.stdout and "replies sent: 2" in first.stdout
    [(flags, left)] = folder(dovecot, "INBOX")
    assert left["Subject"] == "Do you list electricians?" and b"\\Seen" not in flags  # untouched, unread
    assert sorted(m["Subject"] for _, m in folder(dovecot, HANDLED)) == ["subscribe", "unsubscribe"]
    assert suppressed(site / "private" / "suppressions.csv") == {"bob@example.org"}
    confirmation = next(m for a, m in recorder.accepted if a == "ann@example.org")
    assert recorder.senders == ["newsletter@partners.example.org"] * 2  # the Return-Path: bounces come back here

    append(dovecot, reply_to(confirmation, "Ann Lee <ann@example.org>"))
    second = run_invoke(site, "inbox", env=env)
    assert "confirm: subscribed: 1" in second.stdout, second.stdout
    rows = (site / "private" / "subscribers.csv").read_text().splitlines()
    assert rows == ["email,name,subscribed", "ann@example.org,Ann Lee,2026-11-25"]
    assert recorder.accepted[-1][1]["Subject"] == "You're in: Harbour Partners newsletter"

    sent = len(recorder.accepted)
    third = run_invoke(site, "inbox", env=env)
    assert third.returncode == 0 and "moved 0 to" in third.stdout and "other mail: 1" in third.stdout
    assert len(recorder.accepted) == sent and len(folder(dovecot, HANDLED)) == 3


def test_a_subscriber_confirmed_by_the_inbox_gets_welcome_step_one_from_send_due(
    dovecot: Dovecot, smtp, site: Path
) -> None:
    recorder, port = smtp
    env = env_for(dovecot, port)
    welcome = site / "content" / "newsletter" / "welcome"
    welcome.mkdir(parents=True)
    (welcome / "01-hello.md").write_text("Title: Hello from Harbour Partners\nDelay: 0\n\nGlad to have you.\n")
    (welcome / "02-later.md").write_text("Title: Three days on\nDelay: 3\n\nStill here.\n")
    append(dovecot, mail("Ann Lee <ann@example.org>", "subscribe"))
    assert "confirmation sent: 1" in run_invoke(site, "inbox", env=env).stdout
    [(_, confirmation)] = recorder.accepted
    append(dovecot, reply_to(confirmation, "Ann Lee <ann@example.org>"))
    confirmed = run_invoke(site, "inbox", env=env)
    assert "confirm: subscribed: 1" in confirmed.stdout and "replies sent: 0" in confirmed.stdout, confirmed.stdout
    due = run_invoke(site, "send", "--due", "--yes", env=env)  # the same day: step 1 (Delay: 0) is due
    assert due.returncode == 0, due.stdout + due.stderr
    assert [(a, str(m["Subject"])) for a, m in recorder.accepted[1:]] == [
        ("ann@example.org", "Hello from Harbour Partners")
    ]
    (welcome / "01-hello.md").write_text("Title: Hello from Harbour Partners\nDelay: 1\n\nGlad to have you.\n")
    append(dovecot, mail("Bob <bob@example.org>", "subscribe"))
    run_invoke(site, "inbox", env=env)
    append(dovecot, reply_to(recorder.accepted[-1][1], "Bob <bob@example.org>"))
    assert "replies sent: 1" in run_invoke(site, "inbox", env=env).stdout  # no step today: "You're in" greets
    assert str(recorder.accepted[-1][1]["Subject"]) == "You're in: Harbour Partners newsletter"


def test_a_dry_run_changes_nothing(dovecot: Dovecot, smtp, site: Path) -> None:
    recorder, port = smtp
    append(dovecot, mail("Ann <ann@example.org>", "subscribe"), mail("Bob <bob@example.org>", "unsubscribe"),
           mail("Carol <carol@example.org>", "Hello"))  # fmt: skip
    before = [(f, m.as_bytes()) for f, m in folder(dovecot, "INBOX")]
    result = run_invoke(site, "inbox", "--dry-run", env=env_for(dovecot, port))
    assert result.returncode == 0, result.stderr
    assert "would move 2 to Vouch.Handled" in result.stdout and "dry run: nothing changed" in result.stdout
    assert [(f, m.as_bytes()) for f, m in folder(dovecot, "INBOX")] == before
    with client(dovecot) as imap:
        assert not imap.folder_exists(HANDLED)
    assert recorder.accepted == [] and not (site / "private").exists()


def test_bounces_suppress_after_the_limit_and_unknown_ones_stay(dovecot: Dovecot, smtp, site: Path) -> None:
    recorder, port = smtp
    private = site / "private"
    add_subscriber(private / "subscribers.csv", "gone@example.net", "Gone", "2026-01-01")
    add_subscriber(private / "subscribers.csv", "slow@example.net", "Slow", "2026-01-01")
    ledger = Ledger(private / "newsletter.sqlite")
    for issue, sent_id in (("november-2026", SENT_ID), ("october-2026", "<october-2026.42@partners.example.org>")):
        ledger.enqueue(issue, [Subscriber("gone@example.net", "Gone")])
        ledger.mark(issue, "gone@example.net", "sent", 250, "ok", message_id=sent_id)
    ledger.close()
    october = bounce("exim-hard.eml").replace(SENT_ID.encode(), b"<october-2026.42@partners.example.org>")
    soft = bounce("dsn-postfix-delayed-soft.eml").replace(b"gone@example.net", b"slow@example.net")
    stranger = bounce("sendmail-hard.eml").replace(b"gone@example.net", b"who@example.com")
    stranger = stranger.replace(SENT_ID.encode(), b"<something-else@elsewhere.example>")
    append(dovecot, bounce("dsn-postfix-hard.eml"), soft, soft.replace(b"4F1A2B3C4D@", b"5F1A2B3C4D@"), stranger)
    first = run_invoke(site, "inbox", env=env_for(dovecot, port))
    assert "bounce: hard: 1" in first.stdout and "bounce: soft: 2" in first.stdout, first.stdout
    assert suppressed(private / "suppressions.csv") == set()
    assert "bounce for who@example.com: not on the list" in first.stdout
    append(dovecot, october)
    second = run_invoke(site, "inbox", env=env_for(dovecot, port))
    assert "gone@example.net: suppressed after 2 hard bounces" in second.stdout, second.stdout
    assert suppressed(private / "suppressions.csv") == {"gone@example.net"}
    assert [m["Subject"] for _, m in folder(dovecot, "INBOX")] == ["Returned mail: User unknown"]
    assert recorder.accepted == []  # a bounce is never answered


def test_bad_input_gets_a_line_and_nothing_is_lost(dovecot: Dovecot, smtp, site: Path) -> None:
    recorder, port = smtp
    cr_lf = mail("x@example.org", "subscribe").replace(
        b"From: x@example.org", b"From: =?utf-8?q?Eve=0D=0ABcc=3A_all=40example=2Eorg?= <eve@example.org>"
    )
    invalid = mail("x@example.org", "subscribe").replace(b"From: x@example.org", b"From: Eve <eve@@example.org>")
    malformed = (b"From: Dan <dan@example.org>\r\nSubject: hello\r\nMIME-Version: 1.0\r\n"
                 b"Content-Type: multipart/mixed; boundary=\"gone\"\r\n\r\nno parts\r\n")  # fmt: skip
    wrong = mail("Ann <ann@example.org>", "Re: Confirm (vouch-confirm-aaaaaaaaaaaaaaaaaaaaaaaaaa)", "yes")
    flood = [mail("Mallory <mallory@example.org>", "subscribe", f"#{i}") for i in range(25)]
    append(dovecot, cr_lf, invalid, malformed, wrong, *flood)
    result = run_invoke(site, "inbox", env=env_for(dovecot, port))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "subscribe request refused: From: expected one line of text" in out
    assert "subscribe request refused: From: expected exactly one address" in out
    assert "malformed MIME" in out and "ann@example.org: no such token; nothing changed" in out
    assert "mallory@example.org: 24 more subscribe request(s) within a day of a confirmation: no mail sent" in out
    assert recorder.addresses() == ["mallory@example.org"]
    assert [m["Subject"] for _, m in folder(dovecot, "INBOX")] == ["hello"]
    assert len(folder(dovecot, HANDLED)) == 28  # refused, wrong-token and flood requests kept, never deleted


def test_a_refused_reply_is_a_line_and_never_holds_up_the_others(dovecot: Dovecot, site: Path) -> None:
    recorder = Recorder(Faults(reject={"gone@example.org"}))
    server = start(recorder)
    try:
        append(dovecot, mail("Gone <gone@example.org>", "unsubscribe"), mail("Ann <ann@example.org>", "unsubscribe"))
        result = run_invoke(site, "inbox", env=env_for(dovecot, server.port))
        again = run_invoke(site, "inbox", env=env_for(dovecot, server.port))
    finally:
        server.stop()
    assert result.returncode == 0 and "replies sent: 1" in result.stdout
    assert "reply to gone@example.org not sent: refused by the SMTP server: 550 5.1.1 No such user" in result.stdout
    assert recorder.addresses() == ["ann@example.org"] and "replies sent: 0" in again.stdout
    assert suppressed(site / "private" / "suppressions.csv") == {"ann@example.org", "gone@example.org"}


def test_replies_wait_for_smtp_and_go_once_on_the_next_run(dovecot: Dovecot, smtp, site: Path) -> None:
    recorder, port = smtp
    append(dovecot, mail("Ann <ann@example.org>", "unsubscribe"))
    down = {**env_for(dovecot, port), "SMTP_PORT": "1"}
    failed = run_invoke(site, "inbox", env=down)
    assert failed.returncode == 3 and "1 replies wait" in failed.stdout
    assert suppressed(site / "private" / "suppressions.csv") == {"ann@example.org"}
    again = run_invoke(site, "inbox", env=env_for(dovecot, port))
    assert again.returncode == 0 and "replies sent: 1" in again.stdout
    run_invoke(site, "inbox", env=env_for(dovecot, port))
    assert recorder.addresses() == ["ann@example.org"]


def test_a_wrong_password_is_one_line_and_changes_nothing(dovecot: Dovecot, smtp, site: Path) -> None:
    _, port = smtp
    append(dovecot, mail("Ann <ann@example.org>", "unsubscribe"))
    result = run_invoke(site, "inbox", env={**env_for(dovecot, port), "IMAP_PASSWORD": "wrong"})
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"vouch: inbox: INBOX on 127.0.0.1:{dovecot.port} (none): ")
    assert len(folder(dovecot, "INBOX")) == 1 and not (site / "private" / "suppressions.csv").exists()


def test_ssl_and_starttls_verify_the_server_certificate(smtp, site: Path) -> None:
    _, port = smtp
    server = start_dovecot(tls=True)
    try:
        append(server, mail("Ann <ann@example.org>", "unsubscribe"))
        base = {**env_for(server, port), "SSL_CERT_FILE": str(server.cert)}
        for security, imap_port in (("ssl", server.imaps_port), ("starttls", server.port)):
            env = {**base, "IMAP_SECURITY": security, "IMAP_PORT": str(imap_port)}
            result = run_invoke(site, "inbox", "--dry-run", env=env)
            assert result.returncode == 0, result.stderr
            assert "unsubscribe: suppressed: 1" in result.stdout
        untrusted = {**base, "IMAP_SECURITY": "ssl", "IMAP_PORT": str(server.imaps_port)}
        del untrusted["SSL_CERT_FILE"]
        refused = run_invoke(site, "inbox", env=untrusted)
        assert refused.returncode == 3 and "CERTIFICATE_VERIFY_FAILED" in refused.stderr
        assert "Traceback" not in refused.stderr and len(folder(server, "INBOX")) == 1
    finally:
        server.stop()


def write_maildir(dovecot: Dovecot, messages: list[bytes]) -> None:
    """Straight into Maildir/new, as a delivery agent would: much faster than APPEND for thousands."""
    new = dovecot.maildir / "new"
    new.mkdir(parents=True, exist_ok=True)
    for n, raw in enumerate(messages):
        (new / f"1764490000.M{n}P17.test").write_bytes(raw)
    dovecot.give_back(dovecot.maildir)


def mixed(n: int) -> list[bytes]:
    """A newsletter mailbox's mix: mostly other mail, then requests, unsubscribes and bounces."""
    out = []
    for i in range(n):
        kind = i % 10
        if kind == 0:
            out.append(mail(f"Reader {i} <reader{i}@example.org>", "subscribe"))
        elif kind == 1:
            out.append(mail(f"Reader {i} <reader{i}@example.org>", "unsubscribe"))
        elif kind == 2:
            out.append(bounce("qmail-hard.eml").replace(b"gone@example.net", f"reader{i}@example.org".encode()))
        else:
            out.append(mail(f"Someone {i} <someone{i}@example.org>", f"Question {i}", "Hello\n" * 20))
    return out


def test_ten_thousand_messages_are_read_in_batches(dovecot: Dovecot, smtp, site: Path) -> None:
    recorder, port = smtp
    write_maildir(dovecot, mixed(10_000))
    started = time.perf_counter()
    result = run_invoke(site, "inbox", env=env_for(dovecot, port))
    took = time.perf_counter() - started
    print(result.stdout, f"\n10,000 messages in {took:.1f} s")
    assert result.returncode == 0, result.stderr
    assert "inbox: 10000 messages read in INBOX" in result.stdout
    assert "subscribe: confirmation sent: 1000" in result.stdout and "unsubscribe: suppressed: 1000" in result.stdout
    assert "bounce for reader2@example.org: not on the list" in result.stdout  # no subscriber, no Message-ID of ours
    assert len(recorder.accepted) == 2000
    assert "... and 980 more like these (bounce: unknown address (left))" in result.stdout
    with client(dovecot) as imap:
        assert imap.select_folder(HANDLED, readonly=True)[b"EXISTS"] == 2000
        assert imap.select_folder("INBOX", readonly=True)[b"EXISTS"] == 8000
        assert imap.search(["SEEN"]) == []  # nothing left in the inbox was marked read


def realistic_mailbox(private: Path) -> list[bytes]:
    """1,000 messages as a newsletter mailbox gets them, with the list and send ledger they refer to."""
    from vouch.render.email import message_id

    subscribers = [Subscriber(f"sub{i}@example.net", f"Sub {i}") for i in range(100)]
    for s in subscribers:
        add_subscriber(private / "subscribers.csv", s.address, s.name, "2026-01-01")
    ledger = Ledger(private / "newsletter.sqlite")
    for issue in ("october-2026", "november-2026"):
        ledger.enqueue(issue, subscribers)
        for s in subscribers:
            ledger.mark(
                issue,
                s.address,
                "sent",
                250,
                "ok",
                message_id=message_id(issue, s.address, "https://partners.example.org"),
            )
    ledger.close()

    def dsn(sample: str, address: str, issue: str, n: int) -> bytes:
        ours = message_id(issue, address, "https://partners.example.org").encode()
        raw = bounce(sample).replace(b"gone@example.net", address.encode()).replace(SENT_ID.encode(), ours)
        return raw.replace(b"4F1A2B3C4D@", f"{n}X4F1A2B3C4D@".encode())

    out = [dsn("dsn-postfix-hard.eml", f"sub{i}@example.net", issue, i)
           for i in range(30) for issue in ("october-2026", "november-2026")]  # fmt: skip
    out += [dsn("dsn-postfix-delayed-soft.eml", f"sub{i}@example.net", "november-2026", i) for i in range(30, 70)]
    out += [bounce("sendmail-hard.eml").replace(b"gone@example.net", f"stranger{i}@example.com".encode())
            .replace(SENT_ID.encode(), b"<other@elsewhere.example>") for i in range(20)]  # fmt: skip
    out += [mail(f"New {i} <new{i}@example.org>", "subscribe") for i in range(100)]
    out += [mail("Mallory <mallory@example.org>", "subscribe", f"#{i}") for i in range(20)]
    out += [mail(f"Sub {i} <sub{i}@example.net>", "unsubscribe") for i in range(70, 100)]
    out += [mail(f"Passer {i} <passer{i}@example.org>", "Unsubscribe") for i in range(50)]
    out += [
        mail("x@example.org", "subscribe").replace(
            b"From: x@example.org", f"From: =?utf-8?q?E{i}=0D=0Ax?= <e{i}@example.org>".encode()
        )
        for i in range(5)
    ]
    out += [
        mail("x@example.org", "subscribe").replace(b"From: x@example.org", f"From: Bad <bad{i}@@example.org>".encode())
        for i in range(5)
    ]
    out += [(f"From: Dan <dan{i}@example.org>\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
             'Content-Type: multipart/mixed; boundary="gone"\r\n\r\nno parts\r\n').encode() for i in range(20)]  # fmt: skip
    out += [
        mail(f"Away {i} <away{i}@example.org>", "subscribe", "I am away", Auto_Submitted="auto-replied")
        for i in range(20)
    ]
    out += [
        mail(f"Someone {i} <someone{i}@example.org>", f"Question {i}", "Hello\n" * 30) for i in range(1000 - len(out))
    ]
    random.Random(17).shuffle(out)
    return out


def test_a_mixed_mailbox_of_a_thousand_messages(dovecot: Dovecot, smtp, site: Path) -> None:
    """The closing note's numbers: one run over 1,000 mixed messages, then one over the 100 confirmations."""
    recorder, port = smtp
    private = site / "private"
    write_maildir(dovecot, realistic_mailbox(private))
    started = time.perf_counter()
    first = run_invoke(site, "inbox", env=env_for(dovecot, port))
    took = time.perf_counter() - started
    print(first.stdout, f"\n1,000 mixed messages in {took:.1f} s")
    assert first.returncode == 0, first.stderr
    for line in ("bounce: hard: 30", "bounce: hard, suppressed: 30", "bounce: soft: 40",
                 "bounce: unknown address (left): 20", "subscribe: confirmation sent: 101",
                 "subscribe: asked again within a day (no mail): 19", "subscribe: refused: 10",
                 "unsubscribe: suppressed: 80", "other mail: 630", "other mail, unreadable (left): 20",
                 "automatic reply (left): 20",  # out-of-office answers that read as "subscribe": left, a line each
                 "moved 310 to Vouch.Handled"):  # fmt: skip
        assert line in first.stdout
    assert len(suppressed(private / "suppressions.csv")) == 30 + 80
    confirmations = [m for a, m in recorder.accepted if a.startswith("new")]
    append(dovecot, *[reply_to(m, str(m["To"])) for m in confirmations])
    started = time.perf_counter()
    second = run_invoke(site, "inbox", env=env_for(dovecot, port))
    print(second.stdout, f"\nthe 100 confirmations among 790 messages, in {time.perf_counter() - started:.1f} s")
    assert "confirm: subscribed: 100" in second.stdout
    assert len((private / "subscribers.csv").read_text().splitlines()) == 1 + 100 + 100
