"""Double introductions: the e-mail, the ledger, follow-ups and outcomes (with a real SMTP server)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.sitekit import DEMO_EPOCH, demo_clock, run_invoke
from tests.smtpd import Recorder, start
from vouch.mailing.introduction import Client, ask_link, compose
from vouch.mailing.referral_ledger import ReferralLedger
from vouch_site.build import validate
from vouch_site.config import load_settings

D = dt.date
DAY = 86400


@pytest.fixture(scope="module")
def harbour(demo_site: Path):
    with demo_clock():
        site, _ = validate(demo_site, load_settings(demo_site))
    return next(p for p in site.partners if p.slug == "harbour-plumbing")


def test_one_message_to_both_with_each_sides_full_details(harbour) -> None:
    client = Client.parse("Ann Lee <ann@example.org>")
    message = compose(harbour, client, "Ann's boiler is 15 years old.", "Helen <connect@x.example>",
                      "https://x.example/partners/harbour-plumbing/", "Net", D(2026, 12, 9))  # fmt: skip
    assert [str(a) for a in message["To"].addresses] == [
        "Ann Lee <ann@example.org>",
        "Fred Jones <fred@harbour-plumbing.example>",
    ]
    text = message.get_body(("plain",)).get_content()
    for line in ("Hello Ann Lee and Fred Jones,", "Why you should talk: Ann's boiler is 15 years old.", "Harbour Plumbing & Heating",
                 "Ask for: Fred Jones", "Phone: 0117 496 0100", "E-mail: fred@harbour-plumbing.example",
                 "Website: https://harbour-plumbing.example", "Profile: https://x.example/partners/harbour-plumbing/",
                 "Ann Lee\nE-mail: ann@example.org", "I'll check in with you both around 9 December"):  # fmt: skip
        assert line in text
    html = message.get_body(("html",)).get_content()
    assert "Harbour Plumbing &amp; Heating" in html and "ann@example.org" in html


def test_ask_link_is_a_correctly_encoded_mailto(harbour) -> None:
    link = ask_link(harbour, "Helen <connect@x.example>", "https://x.example/partners/harbour-plumbing/")
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and parts.path == "connect@x.example"
    assert " " not in link and "&amp;" not in link
    query = parse_qs(parts.query)
    assert query["subject"] == ["Introduction to Harbour Plumbing & Heating, please"]
    assert "https://x.example/partners/harbour-plumbing/" in query["body"][0]


def test_profile_page_offers_an_introduction_without_javascript(demo_output: Path) -> None:
    html = (demo_output / "partners/harbour-plumbing/index.html").read_text()
    assert 'href="mailto:connect@trusted.southhams.example?subject=Introduction%20to%20Harbour' in html
    assert "<script" not in html.split("<body>")[1]  # a plain link: no JavaScript


def test_ledger_follow_ups_outcomes_and_summary(tmp_path: Path) -> None:
    ledger = ReferralLedger(tmp_path / "referrals.sqlite")
    first = ledger.record("harbour", "Harbour", "Ann", "Ann@Example.org", "", D(2026, 11, 1), D(2026, 11, 15))
    ledger.record("harbour", "Harbour", "Bob", "bob@example.org", "", D(2026, 11, 10), D(2026, 11, 24))
    ledger.record("quay", "Quay", "Cy", "cy@example.org", "", D(2026, 11, 20), D(2026, 12, 4))
    assert ledger.recent("harbour", "ann@example.org", D(2026, 11, 15)).id == first  # within the follow-up period
    assert ledger.recent("harbour", "ann@example.org", D(2026, 11, 16)) is None
    assert [i.client_name for i in ledger.due(D(2026, 11, 24))] == ["Ann", "Bob"]
    ledger.close_with(first, "won", 1200.0, D(2026, 11, 25))
    assert [i.client_name for i in ledger.due(D(2026, 11, 24))] == ["Bob"]
    with pytest.raises(ValueError, match="expected one of won, lost, no-contact"):
        ledger.close_with(first, "maybe", None, D(2026, 11, 25))
    summary = {s.partner: s for s in ledger.summary()}
    assert (summary["harbour"].introductions, summary["harbour"].won, summary["harbour"].open) == (2, 1, 1)
    assert summary["harbour"].value == 1200.0 and summary["harbour"].conversion == 1.0
    assert summary["quay"].conversion is None


def test_introduce_sends_once_records_and_warns_on_a_repeat(demo_site: Path, tmp_path: Path) -> None:
    recorder = Recorder()
    server = start(recorder)
    env = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port),
           "SMTP_SECURITY": "none", "REFERRALS_LEDGER": str(tmp_path / "referrals.sqlite")}  # fmt: skip

    def invoke(*args: str, epoch: str = DEMO_EPOCH) -> subprocess.CompletedProcess[str]:
        return run_invoke(demo_site, *args, env=env | {"SOURCE_DATE_EPOCH": epoch})

    try:
        first = invoke("introduce", "harbour-plumbing", "--to", "Ann Lee <ann@example.org>", "--note", "New boiler.")
        repeat = invoke("introduce", "harbour-plumbing", "--to", "Ann Lee <ANN@example.org>")
        suspended = invoke("introduce", "quayside-drainage", "--to", "Ann Lee <ann@example.org>")
        dry = invoke("introduce", "estuary-electrical", "--to", "Bo <bo@example.org>", "--dry-run")
        later = str(int(DEMO_EPOCH) + 15 * DAY)
        due = invoke("follow-ups", epoch=later)
        bad_value = invoke("outcome", "1", "won", "--value", "abc")
        closed = invoke("outcome", "1", "won", "--value", "£2,400")
        overwrite = invoke("outcome", "1", "lost")
        summary = invoke("referrals", "--csv", str(tmp_path / "referrals.csv"))
    finally:
        server.stop()
    unreachable = invoke("introduce", "estuary-electrical", "--to", "Bo <bo@example.org>")
    assert first.returncode == 0, first.stderr
    assert "(#1); follow up on 2026-12-09" in first.stdout
    assert sorted(recorder.addresses()) == [
        "ann@example.org", "connect@trusted.southhams.example", "fred@harbour-plumbing.example",
    ]  # fmt: skip  # one message: both people, and the connector in copy
    assert repeat.returncode == 0 and "was introduced to harbour-plumbing on 2026-11-25 (#1)" in repeat.stderr
    assert suspended.returncode == 1 and "only published partners are introduced (it is suspended)" in suspended.stderr
    assert dry.returncode == 0 and "dry run: nothing sent" in dry.stdout and "Ask for: Tom Hext" in dry.stdout
    assert "To: Bo <bo@example.org>" in dry.stdout and "Subject: " in dry.stdout
    assert len(recorder.accepted) == 3  # the repeat, the refusal and the dry run sent nothing
    assert "harbour-plumbing" in due.stdout and "Ann Lee" in due.stdout
    assert bad_value.returncode == 2 and "--value: expected an amount such as 1200" in bad_value.stderr
    assert closed.returncode == 0 and "won (2400)" in closed.stdout
    assert overwrite.returncode == 1 and "already recorded as won (2400); add --change" in overwrite.stderr
    assert unreachable.returncode == 3 and "nothing accepts connections at 127.0.0.1" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr and "nothing recorded" in unreachable.stderr
    assert "harbour-plumbing" in summary.stdout
    assert (tmp_path / "referrals.csv").read_text().splitlines()[1].startswith("harbour-plumbing,1,1,0,0,0,2400.00")


ONE = 'exactly one address, such as "Ann Lee <ann@example.org>"'


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ann@old.example <ann@new.example>", f"expected {ONE}; got 'ann@old.example <ann@new.example>'"),
        ("ann@example.org, bob@example.org", f"expected {ONE}; got 'ann@example.org, bob@example.org'"),
        ("Ann <ann@example.org> bob@example.org", f"expected {ONE}; got 'Ann <ann@example.org> bob@example.org'"),
        ("team: ann@example.org;", f"expected {ONE}; got 'team: ann@example.org;'"),
        ("", f"expected {ONE}; got ''"),
        ("Ann <ann@example.org>\r\nBcc: eve@example.org", "expected one line of text; got 'Ann <ann@example.org>\\r\\nBcc: eve@example.org'"),
        ("Ann <ann@example.org\neve@example.org>", "expected one line of text; got 'Ann <ann@example.org\\neve@example.org>'"),
        ('"ann@old.example" <ann@new.example>', "expected a name, not an address, before <ann@new.example>; got 'ann@old.example'"),
        ("Ann <ann@example>", "expected an e-mail address; got 'ann@example' (The part after the @-sign is not valid. It should have a period.)"),
    ],
)  # fmt: skip
def test_to_is_exactly_one_address_parsed_strictly(value: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        Client.parse(value)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("value", "name", "address"),
    [
        ("Ann Lee <ann@example.org>", "Ann Lee", "ann@example.org"),
        ('"Lee, Ann" <ann@example.org>', "Lee, Ann", "ann@example.org"),
        ("ann@example.org", "ann@example.org", "ann@example.org"),
        ("Jos\u00e9 <jos\u00e9@example.org>", "Jos\u00e9", "jos\u00e9@example.org"),
    ],
)
def test_to_accepts_one_address_with_or_without_a_name(value: str, name: str, address: str) -> None:
    assert Client.parse(value) == Client(name, address)


def test_introduce_and_send_refuse_a_to_that_is_not_exactly_one_address(demo_site: Path, tmp_path: Path) -> None:
    recorder = Recorder()
    server = start(recorder, smtputf8=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port),
           "SMTP_SECURITY": "none", "REFERRALS_LEDGER": str(tmp_path / "referrals.sqlite")}  # fmt: skip

    def invoke(*args: str) -> subprocess.CompletedProcess[str]:
        return run_invoke(demo_site, *args, env=env)

    try:
        two = invoke("introduce", "harbour-plumbing", "--to", "ann@old.example <ann@new.example>")
        injected = invoke("introduce", "harbour-plumbing", "--to", "Ann <ann@example.org>\r\nBcc: eve@example.org")
        copies = invoke("send", "november-2026", "--to", "ann@example.org, eve@example.org")
        international = invoke("introduce", "harbour-plumbing", "--to", "Jos\u00e9 <jos\u00e9@example.org>")
    finally:
        server.stop()
    for refused in (two, injected, copies):
        assert refused.returncode == 2 and refused.stderr.startswith("vouch: --to: expected ")
        assert len(refused.stderr.splitlines()) == 1, refused.stderr
    assert international.returncode == 0, international.stderr
    assert sorted(recorder.addresses()) == [
        "connect@trusted.southhams.example", "fred@harbour-plumbing.example", "jos\u00e9@example.org",
    ]  # fmt: skip  # only the introduction with one address went out
