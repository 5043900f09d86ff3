"""The inbox's rules without a server: reading messages and bounces, tokens, what each message changes."""

from __future__ import annotations

import base64
import datetime as dt
import email
from email.policy import default
from pathlib import Path

import pytest

from tests.inboxkit import BOUNCES, SENT_ID, bounce, mail, reply_to
from tests.smtpd import Recorder, start
from vouch.mailing.inbox.classify import classify
from vouch.mailing.inbox.handler import Handler, ListFiles, Rules
from vouch.mailing.inbox.ledger import InboxLedger
from vouch.mailing.inbox.replies import ReplyContext
from vouch.mailing.inbox.tokens import new_token, tokens_in
from vouch.mailing.send_ledger import Ledger
from vouch.mailing.subscribers import Subscriber, add_subscriber, recipients, suppressed
from vouch.newsletter.welcome import greets_on_joining
from vouch.render.email import subscribe_url
from vouch.settings import VouchSettings
from vouch_site.inbox import ImapSettings, Summary, send_replies
from vouch_site.mailout import envelope_sender

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
CONTEXT = ReplyContext("Harbour Partners", "https://partners.example.org", "News <newsletter@partners.example.org>",
                       "newsletter@partners.example.org", "bounces@partners.example.org")  # fmt: skip

FORMATS = {  # sample -> (hard, soft): every format this issue claims, each read from a real-shaped sample
    "dsn-postfix-hard.eml": ({"gone@example.net"}, set()),
    "dsn-microsoft365-hard.eml": ({"gone@example.net"}, set()),
    "dsn-postfix-delayed-soft.eml": (set(), {"gone@example.net"}),
    "dsn-postfix-expired-soft.eml": (set(), {"gone@example.net"}),  # Action: failed, but Status 4.4.7
    "qmail-hard.eml": ({"gone@example.net"}, set()),
    "exim-hard.eml": ({"gone@example.net"}, set()),
    "yahoo-hard.eml": ({"gone@example.net"}, set()),
    "exchange-hard.eml": ({"gone@example.net"}, set()),
    "sendmail-hard.eml": ({"gone@example.net"}, set()),
    "gmail-warning-soft.eml": (set(), {"gone@example.net"}),
}


def test_every_sample_is_a_claimed_format() -> None:
    assert sorted(p.name for p in BOUNCES.glob("*.eml")) == sorted(FORMATS)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_bounce_format_names_who_failed_hard_or_soft(name: str) -> None:
    found = classify(bounce(name))
    assert found.kind == "bounce" and found.bounce is not None
    assert (set(found.bounce.hard), set(found.bounce.soft)) == FORMATS[name]
    if name != "exchange-hard.eml":  # Exchange 2003's report does not return the message
        assert SENT_ID in found.bounce.sent_ids
    assert found.bounce.standard == name.startswith("dsn-")


def test_a_person_quoting_a_bounce_is_not_a_bounce() -> None:
    text = bounce("qmail-hard.eml").decode().split("\r\n\r\n", 1)[1]
    assert classify(mail("Ann <ann@example.org>", "Fwd: failure notice", text)).kind == "other"


@pytest.mark.parametrize(
    ("subject", "body", "kind"),
    [
        ("subscribe", "", "subscribe"),
        ("Subscribe", "", "subscribe"),
        ("", "subscribe\n\nSent from my phone", "subscribe"),
        ("Hello", "Subscribe.\n", "subscribe"),
        ("unsubscribe", "", "unsubscribe"),
        ("UNSUBSCRIBE", "", "unsubscribe"),
        ("Re: November", "unsubscribe\n> Hello Ann,", "unsubscribe"),
        ("Question about a plumber", "Can you subscribe my colleague?", "other"),
        ("please unsubscribe me and my wife", "", "other"),
    ],
)
def test_requests_are_recognised_by_subject_or_first_line(subject: str, body: str, kind: str) -> None:
    found = classify(mail("Ann Lee <ann@example.org>", subject, body))
    assert found.kind == kind
    if kind != "other":
        assert (found.name, found.address, found.problem) == ("Ann Lee", "ann@example.org", "")


def test_an_autoresponder_is_never_answered() -> None:
    found = classify(mail("Ann <ann@example.org>", "subscribe", "Out of office", Auto_Submitted="auto-replied"))
    assert found.kind == "automatic" and "Auto-Submitted: auto-replied" in found.note
    away = classify(mail("Ann <ann@example.org>", "Re: November", "Out of office", Auto_Submitted="auto-replied"))
    assert (away.kind, away.note) == ("other", "")  # an away message to an issue is just other mail


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("=?utf-8?q?Ann=0D=0ABcc=3A_victim=40example=2Eorg?= <ann@example.org>", "one line of text"),
        ("Ann <not-an-address>", "exactly one address"),
        ("ann@example.org, bob@example.org", "exactly one address"),
        ("Ann <ann@example..org>", "exactly one address"),
        ("Ann <ann@exa mple.org>", "exactly one address"),
    ],
)
def test_a_bad_from_is_a_refused_request_with_its_reason(sender: str, expected: str) -> None:
    raw = mail("placeholder@example.org", "subscribe").replace(
        b"From: placeholder@example.org", b"From: " + sender.encode()
    )
    found = classify(raw)
    assert found.kind == "subscribe"
    assert found.problem.startswith("From: ") and expected in found.problem


def test_a_bad_name_still_unsubscribes_its_one_address_but_never_subscribes(tmp_path: Path) -> None:
    world = World(tmp_path)
    sender = b"=?utf-8?q?Ann=0D=0ABcc=3A_victim=40example=2Eorg?= <ann@example.org>"
    leave = mail("x@example.org", "unsubscribe").replace(b"x@example.org", sender, 1)
    outcome, _ = world.handle(leave)
    assert outcome.category == "unsubscribe: suppressed" and "expected one line of text" in outcome.line
    assert suppressed(world.files.suppressions) == {"ann@example.org"}
    [answer] = world.replies()
    assert answer["To"] == "ann@example.org"
    join = mail("x@example.org", "subscribe").replace(b"x@example.org", sender, 1)
    assert world.handle(join)[0].category == "subscribe: refused" and world.replies() == []


def test_outlooks_address_as_name_is_no_name() -> None:
    found = classify(mail('"ann@example.org" <ann@example.org>', "subscribe"))
    assert (found.kind, found.name, found.address, found.problem) == ("subscribe", "", "ann@example.org", "")


def test_malformed_mime_is_other_mail_with_a_note() -> None:
    raw = (b"From: Ann <ann@example.org>\r\nSubject: hello\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"never-used\"\r\n\r\nno parts at all\r\n")  # fmt: skip
    found = classify(raw)
    assert found.kind == "other" and "malformed MIME" in found.note


def test_token_is_found_quoted_in_html_and_base64_replies() -> None:
    token = new_token()
    assert tokens_in(f"> > code: {token.upper()}.") == [token]
    html = classify(mail("Ann <ann@example.org>", "Re: Confirm", "", html=f"<p>ok</p><blockquote>{token}</blockquote>"))
    assert html.kind == "confirm" and html.tokens == (token,)
    encoded = base64.b64encode(f"Yes\n> {token}\n".encode()).decode()
    raw = ("From: Ann <ann@example.org>\r\nSubject: Re: yes\r\nMIME-Version: 1.0\r\n"
           f"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n").encode()  # fmt: skip
    assert classify(raw).tokens == (token,)
    subject_only = classify(mail("Ann <ann@example.org>", f"Re: Confirm your subscription ({token})", "ok"))
    assert subject_only.tokens == (token,)


# --- the handler: what each message changes, once ---


class World:
    """A handler over files in tmp, a ledger in memory, the clock in the test's hands."""

    def __init__(self, tmp: Path, rules: Rules | None = None) -> None:
        self.files = ListFiles(tmp / "subscribers.csv", tmp / "suppressions.csv")
        self.ledger = InboxLedger(None)  # in memory: the rules, not the disk, are under test here
        self.sends = Ledger(None)
        self.rules, self.now = rules or Rules(), NOW

    def handle(self, raw: bytes, dry_run: bool = False):
        listed, _ = recipients(self.files.subscribers, self.files.suppressions) if self.files.subscribers.exists() \
            else ([], [])  # fmt: skip
        handler = Handler(self.ledger, self.files, self.rules, CONTEXT, self.sends.by_message_id,
                          {s.address.lower() for s in listed}, self.now, self.now.date(), dry_run)  # fmt: skip
        return handler.handle(classify(raw)), handler

    def replies(self) -> list[email.message.EmailMessage]:
        found = [email.message_from_bytes(r.message, policy=default) for r in self.ledger.queued_replies()]
        for reply in self.ledger.queued_replies():
            self.ledger.reply_sent(reply.id)
        return found

    def subscribers(self) -> list[Subscriber]:
        return recipients(self.files.subscribers, self.files.suppressions)[0]


def test_double_opt_in_subscribes_with_name_and_date_and_says_you_are_in(tmp_path: Path) -> None:
    world = World(tmp_path)
    outcome, _ = world.handle(mail("Ann Lee <Ann@Example.org>", "subscribe"))
    assert outcome.category == "subscribe: confirmation sent" and not world.files.subscribers.exists()
    [confirmation] = world.replies()
    assert confirmation["To"] == "Ann Lee <Ann@Example.org>" and confirmation["Auto-Submitted"] == "auto-replied"
    assert confirmation["Reply-To"] == "newsletter@partners.example.org"
    world.now += dt.timedelta(days=6)
    outcome, _ = world.handle(reply_to(confirmation, "Ann Lee-Smith <ann@example.org>"))
    assert outcome.category == "confirm: subscribed"
    assert (
        world.files.subscribers.read_bytes().decode()
        == "email,name,subscribed\r\nAnn@Example.org,Ann Lee,2026-12-06\r\n"  # the name she asked with
    )
    [welcome] = world.replies()
    assert welcome["Subject"] == "You're in: Harbour Partners newsletter"
    again, _ = world.handle(reply_to(confirmation, "Ann Lee-Smith <ann@example.org>", quoted=False))
    assert again.category == "confirm: already confirmed"  # the token is in the subject: a second reply is harmless
    assert world.replies() == [] and len(world.subscribers()) == 1


def test_an_expired_or_wrong_token_changes_nothing_and_says_so(tmp_path: Path) -> None:
    world = World(tmp_path, Rules(confirm_days=7))
    world.handle(mail("Ann <ann@example.org>", "subscribe"))
    [confirmation] = world.replies()
    world.now += dt.timedelta(days=7, minutes=1)
    expired, _ = world.handle(reply_to(confirmation, "Ann <ann@example.org>"))
    assert expired.category == "confirm: expired token" and "expired" in expired.line
    wrong, _ = world.handle(mail("Ann <ann@example.org>", f"Re: Confirm ({new_token()})"))
    assert wrong.category == "confirm: wrong token" and "no such token" in wrong.line
    assert not world.files.subscribers.exists() and world.replies() == []


def test_a_flood_of_requests_gets_one_confirmation_a_day(tmp_path: Path) -> None:
    world = World(tmp_path)
    outcomes = [world.handle(mail("Ann <ann@example.org>", "subscribe", f"try {i}"))[0] for i in range(30)]
    assert [o.category for o in outcomes].count("subscribe: confirmation sent") == 1
    assert len(world.replies()) == 1
    _, handler = world.handle(mail("Ann <ann@example.org>", "subscribe", "once more"))
    assert handler.flood_lines() == [
        "ann@example.org: 1 more subscribe request(s) within a day of a confirmation: no mail sent"
    ]
    world.now += dt.timedelta(days=1, minutes=1)
    assert world.handle(mail("Ann <ann@example.org>", "subscribe", "next day"))[0].category == (
        "subscribe: confirmation sent"
    )


def test_the_same_message_is_handled_once(tmp_path: Path) -> None:
    world = World(tmp_path)
    raw = mail("Ann <ann@example.org>", "unsubscribe")
    assert world.handle(raw)[0].category == "unsubscribe: suppressed"
    assert world.handle(raw)[0].category == "handled by an earlier run"
    assert len(world.replies()) == 1


def test_unsubscribe_answers_the_same_on_the_list_or_not_and_only_confirming_brings_back(tmp_path: Path) -> None:
    world = World(tmp_path)
    add_subscriber(world.files.subscribers, "ann@example.org", "Ann", "2026-01-01")
    world.handle(mail("Ann <ann@example.org>", "unsubscribe"))
    world.handle(mail("Zed <zed@example.org>", "unsubscribe"))
    ann, zed = world.replies()
    assert ann.get_body(("plain",)).get_content() == zed.get_body(("plain",)).get_content()
    assert ann["Subject"] == zed["Subject"]
    assert suppressed(world.files.suppressions) == {"ann@example.org", "zed@example.org"}
    world.handle(mail("Ann <ann@example.org>", "subscribe"))
    assert world.subscribers() == []  # a request alone does not lift the suppression
    [confirmation] = world.replies()
    world.handle(reply_to(confirmation, "Ann <ann@example.org>"))
    assert suppressed(world.files.suppressions) == {"zed@example.org"}
    assert world.subscribers() == [Subscriber("ann@example.org", "Ann", dt.date(2026, 1, 1))]  # her row, as it was


def test_hard_bounces_suppress_at_the_limit_soft_ones_never(tmp_path: Path) -> None:
    world = World(tmp_path, Rules(bounce_limit=2))
    add_subscriber(world.files.subscribers, "gone@example.net", "Gone", "2026-01-01")
    world.sends.enqueue("november-2026", [Subscriber("gone@example.net", "Gone")])
    world.sends.mark("november-2026", "gone@example.net", "sent", message_id=SENT_ID)
    assert world.handle(bounce("dsn-postfix-hard.eml"))[0].category == "bounce: hard"
    assert world.handle(bounce("qmail-hard.eml"))[0].category == "bounce: hard"  # the same send: counted once
    for _ in range(3):
        world.handle(bounce("gmail-warning-soft.eml").replace(b"Message-ID: <5f", b"Message-ID: <6f"))
    assert suppressed(world.files.suppressions) == set()
    world.now += dt.timedelta(days=1)  # one without our Message-ID counts only a day after the last
    second = bounce("exchange-hard.eml")  # no Message-ID of ours: matched by the subscriber list
    outcome, _ = world.handle(second)
    assert outcome.category == "bounce: hard, suppressed"
    assert outcome.line == "gone@example.net: suppressed after 2 hard bounces"
    assert suppressed(world.files.suppressions) == {"gone@example.net"}


def test_a_bounce_for_an_unknown_address_is_left_for_the_editor(tmp_path: Path) -> None:
    world = World(tmp_path)
    outcome, _ = world.handle(bounce("exchange-hard.eml"))
    assert not outcome.handled and outcome.line.startswith("bounce for gone@example.net: not on the list")


def test_a_bounced_confirmation_is_handled_and_changes_nothing(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.handle(mail("Nobody <nobody@example.net>", "subscribe"))
    [confirmation] = world.replies()
    returned = bounce("qmail-hard.eml").replace(b"gone@example.net", b"nobody@example.net")
    returned = returned.replace(SENT_ID.encode(), str(confirmation["Message-ID"]).encode())
    outcome, _ = world.handle(returned)
    assert outcome.handled and outcome.category == "bounce: of a confirmation or answer (no change)"
    assert not world.files.suppressions.exists()


def test_a_dry_run_changes_no_file(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.handle(mail("Ann <ann@example.org>", "unsubscribe"), dry_run=True)
    assert not world.files.suppressions.exists()


def test_a_new_subscriber_keeps_the_other_columns(tmp_path: Path) -> None:
    path = tmp_path / "subscribers.csv"
    path.write_text("Email,Name,area\nbob@example.org,Bob,Totnes\n", encoding="utf-8")
    assert add_subscriber(path, "ann@example.org", "Ann, of Dartmouth", "2026-11-30")
    assert not add_subscriber(path, "ANN@example.org", "Ann", "2026-11-30")
    assert path.read_bytes().decode() == (
        'Email,Name,area,subscribed\r\nbob@example.org,Bob,Totnes\r\nann@example.org,"Ann, of Dartmouth",,2026-11-30\r\n'
    )


def test_the_send_ledger_finds_a_delivery_by_its_message_id(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "newsletter.sqlite")
    ledger.enqueue("nov", [Subscriber("ann@example.org", "Ann")])
    ledger.mark("nov", "ann@example.org", "sending", message_id="<nov.1@x>")
    ledger.mark("nov", "ann@example.org", "sent", 250, "ok")
    found = ledger.by_message_id("<nov.1@x>")
    assert found is not None and (found.issue, found.key, found.state) == ("nov", "ann@example.org", "sent")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("ssl", 993, "INBOX")),
        ({"IMAP_SECURITY": "starttls"}, ("starttls", 143, "INBOX")),
        ({"IMAP_SECURITY": "none", "IMAP_PORT": "1143", "IMAP_FOLDER": "Lists"}, ("none", 1143, "Lists")),
    ],
)
def test_imap_settings_and_their_defaults(env: dict[str, str], expected: tuple[str, int, str]) -> None:
    found = ImapSettings.from_env({"IMAP_HOST": "imap.example.org", "IMAP_USER": "news", **env})
    assert (found.security, found.port, found.folder) == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"IMAP_SECURITY": "tls"}, "IMAP_SECURITY: expected one of ssl, starttls, none; got 'tls'"),
        ({"IMAP_PORT": "imap"}, "IMAP_PORT: expected a port number such as 993; got 'imap'"),
    ],
)
def test_bad_imap_settings_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        ImapSettings.from_env({"IMAP_HOST": "h", "IMAP_USER": "u", **env})


def test_without_a_sign_up_form_subscribe_mails_the_newsletter_address() -> None:
    settings = VouchSettings.of({"NEWSLETTER_FROM": "News <news@partners.example.org>"})
    assert subscribe_url(settings) == "mailto:news@partners.example.org?subject=subscribe"
    form = VouchSettings.of({"SUBSCRIBE_URL": "https://lists.example.org/join"})
    assert subscribe_url(form) == "https://lists.example.org/join"


def test_the_return_path_is_the_bounce_address_else_the_newsletter_address() -> None:
    assert envelope_sender(VouchSettings.of({"NEWSLETTER_FROM": "News <news@x.example>"})) == "news@x.example"
    custom = VouchSettings.of({"NEWSLETTER_FROM": "News <news@x.example>", "NEWSLETTER_BOUNCE_ADDRESS": "b@x.example"})
    assert envelope_sender(custom) == "b@x.example"


# --- review 1: findings 7, 8, 9, 10, 15, 17 ---


def test_an_encoded_name_with_a_comma_is_one_sender() -> None:
    raw = b"From: =?utf-8?q?M=C3=BCller=2C_J=C3=BCrgen?= <jm@example.org>\r\nSubject: subscribe\r\n\r\n\r\n"
    found = classify(raw)
    assert (found.kind, found.name, found.address, found.problem) == (
        "subscribe", "M\u00fcller, J\u00fcrgen", "jm@example.org", "")  # fmt: skip


def test_a_raw_utf8_address_unsubscribes_whatever_its_case(tmp_path: Path) -> None:
    world = World(tmp_path)
    add_subscriber(world.files.subscribers, "j\u00fcrgen@example.org", "J\u00fcrgen", "2026-01-01")
    raw = "From: J\u00fcrgen <J\u00dcRGEN@example.org>\r\nSubject: unsubscribe\r\n\r\n\r\n".encode()
    found = classify(raw)
    assert (found.kind, found.name, found.address, found.problem) == (
        "unsubscribe", "J\u00fcrgen", "J\u00dcRGEN@example.org", "")  # fmt: skip
    assert world.handle(raw)[0].category == "unsubscribe: suppressed"
    assert world.subscribers() == []


def test_a_message_with_two_from_headers_is_refused(tmp_path: Path) -> None:
    world = World(tmp_path)
    raw = b"From: a@example.org\r\nFrom: b@example.org\r\nSubject: unsubscribe\r\n\r\n\r\n"
    outcome, _ = world.handle(raw)
    assert outcome.category == "unsubscribe: refused" and "2 From headers" in outcome.line
    assert not world.files.suppressions.exists() and world.replies() == []


@pytest.mark.parametrize(
    "header",
    ["Auto-Submitted: auto-replied", "X-Autoreply: yes", "X-Autorespond: yes", "Precedence: auto_reply",
     "Precedence: bulk", "Precedence: junk", "Auto-Reply-From: ann@example.org"],
)  # fmt: skip
def test_an_automatic_reply_is_left_unread_with_a_line(tmp_path: Path, header: str) -> None:
    world = World(tmp_path)
    world.handle(mail("Ann <ann@example.org>", "subscribe"))
    [confirmation] = world.replies()
    name, value = header.split(": ")
    outcome, _ = world.handle(reply_to(confirmation, "Out Of Office <ann@example.org>", **{name: value}))
    assert not outcome.handled and outcome.category == "automatic reply (left)"
    assert "automatic reply" in outcome.line and "ann@example.org" in outcome.line
    assert not world.files.subscribers.exists() and world.replies() == []


def test_a_reply_does_not_rename_the_subscriber(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.handle(mail('"Smith, John" <john@example.org>', "subscribe"))
    [confirmation] = world.replies()
    world.handle(reply_to(confirmation, "Out Of Office <john@example.org>"))  # no automatic headers at all
    assert [s.name for s in world.subscribers()] == ["Smith, John"]


def test_bounces_without_our_message_id_count_once_a_day(tmp_path: Path) -> None:
    world = World(tmp_path, Rules(bounce_limit=2))
    add_subscriber(world.files.subscribers, "gone@example.net", "Gone", "2026-01-01")
    first = bounce("exchange-hard.eml")  # quotes no Message-ID of ours
    other_hop = first.replace(b"Message-ID: <", b"Message-ID: <mx2.")
    assert first != other_hop
    assert world.handle(first)[0].category == "bounce: hard"
    assert world.handle(other_hop)[0].category == "bounce: hard, without a Message-ID of ours, already counted today"
    assert suppressed(world.files.suppressions) == set()
    world.now += dt.timedelta(days=1, minutes=1)
    next_day = first.replace(b"Message-ID: <", b"Message-ID: <next.")
    assert world.handle(next_day)[0].category == "bounce: hard, suppressed"


def test_no_table_keeps_the_code_once_the_confirmation_is_sent(tmp_path: Path, monkeypatch) -> None:
    recorder = Recorder()
    server = start(recorder)
    try:
        for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port), "SMTP_SECURITY": "none"}.items():
            monkeypatch.setenv(name, value)
        world = World(tmp_path)
        world.handle(mail("Ann <ann@example.org>", "subscribe"))
        summary = Summary()
        send_replies(world.ledger, CONTEXT.bounce_address, summary)
    finally:
        server.stop()
    assert summary.replies_sent == 1
    [(_, sent)] = recorder.accepted
    [code] = tokens_in(str(sent["Subject"]))
    rows = [row for (table,) in world.ledger.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            for row in world.ledger.db.execute(f"SELECT * FROM {table}")]  # fmt: skip
    assert rows and not any(code.encode() in (c if isinstance(c, bytes) else str(c).encode()) for r in rows for c in r)


@pytest.mark.parametrize(
    ("first_step", "greets"),
    [("Delay: 0\n", True), ("Delay: 2\n", False), ("Delay: 0\nStatus: draft\n", False), (None, False)],
)
def test_the_welcome_series_greets_on_joining_only_with_a_first_step_at_day_zero(
    tmp_path: Path, first_step: str | None, greets: bool
) -> None:
    if first_step is not None:
        tmp_path.joinpath("01-hello.md").write_text(f"Title: Hello\n{first_step}\nHi.\n", encoding="utf-8")
        tmp_path.joinpath("02-later.md").write_text("Title: Later\nDelay: 0\n\nHi.\n", encoding="utf-8")
    assert greets_on_joining(tmp_path) is greets


def test_an_internationalised_unsubscribe_is_honoured_and_its_answer_needs_smtputf8(
    tmp_path: Path, monkeypatch
) -> None:
    recorder = Recorder()
    server = start(recorder)  # offers no SMTPUTF8
    try:
        for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port), "SMTP_SECURITY": "none"}.items():
            monkeypatch.setenv(name, value)
        world = World(tmp_path)
        world.handle("From: J\u00fcrgen <j\u00fcrgen@example.org>\r\nSubject: unsubscribe\r\n\r\n\r\n".encode())
        summary = Summary()
        send_replies(world.ledger, CONTEXT.bounce_address, summary)
    finally:
        server.stop()
    assert suppressed(world.files.suppressions) == {"j\u00fcrgen@example.org"} and recorder.accepted == []
    assert summary.lines == [
        "reply to j\u00fcrgen@example.org not sent: the SMTP server does not offer SMTPUTF8, "
        "which this internationalised address needs"
    ]
