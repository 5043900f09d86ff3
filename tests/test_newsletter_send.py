"""Sending with a real SMTP server (aiosmtpd): exactly once, through faults and crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from tests.sitekit import DEMO_EPOCH, demo_clock, make_site, run_invoke, vetted
from tests.smtpd import Faults, Recorder, start
from vouch.mailing.send_ledger import Ledger
from vouch.mailing.sender import Policy, SmtpSettings, send_issue
from vouch.mailing.subscribers import Subscriber, recipients
from vouch.render.email import message_id
from vouch.settings import VouchSettings
from vouch_site.build import validate
from vouch_site.config import load_settings
from vouch_site.mailout import envelope_sender, personal_message, prepare_newsletter

ISSUE = "november-2026"
FAST = Policy(max_attempts=5, retry_delay=0.01)


@pytest.fixture(scope="module")
def rendered(demo_site: Path):
    with demo_clock():
        settings = load_settings(demo_site)
        site, report = validate(demo_site, settings)
    typed = VouchSettings.of(settings)
    return typed, prepare_newsletter(site, report, typed, Path(settings["THEME"])).rendered[ISSUE]


def send_env(port: int, private: Path) -> dict[str, str]:
    """The environment `invoke send` reads: the local server, and private files in ``private``."""
    return {
        **os.environ,
        "SOURCE_DATE_EPOCH": DEMO_EPOCH,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_SECURITY": "none",
        "NEWSLETTER_SUBSCRIBERS": str(private / "subscribers.csv"),
        "NEWSLETTER_SUPPRESSIONS": str(private / "suppressions.csv"),
        "NEWSLETTER_LEDGER": str(private / "newsletter.sqlite"),
    }


def people(n: int) -> list[Subscriber]:
    return [Subscriber(f"reader{i}@example.org", f"Reader {i}" if i % 3 else "") for i in range(n)]


def run(rendered, recorder: Recorder, subscribers: list[Subscriber], ledger: Ledger):
    settings, issue = rendered
    server = start(recorder)
    try:
        smtp = SmtpSettings("127.0.0.1", server.port, security="none", timeout=5)
        return send_issue(
            ISSUE, subscribers, lambda s: personal_message(issue, settings, s), ledger, smtp,
            envelope_sender(settings), policy=FAST,
        )  # fmt: skip
    finally:
        server.stop()


@pytest.mark.slow
def test_a_thousand_recipients_each_get_exactly_one_complete_message(rendered, tmp_path: Path) -> None:
    recorder = Recorder()
    subscribers = people(1000)
    started = time.perf_counter()
    report = run(rendered, recorder, subscribers, Ledger(tmp_path / "ledger.sqlite"))
    rate = 1000 / (time.perf_counter() - started)
    print(f"send rate against the local server: {rate:.0f} messages/s")
    assert report.sent == 1000 and not report.failed and not report.unknown
    assert Counter(recorder.addresses()) == Counter(s.address for s in subscribers)
    ids = set()
    for address, message in recorder.accepted:
        assert message["To"].endswith(f"{address}>") or message["To"] == address
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "Hello Reader" in text or "Hello," in text
        assert 'href="https://trusted.southhams.example/partners/' in html
        assert "mailto:news@trusted.southhams.example?subject=unsubscribe" in html
        assert message["List-Unsubscribe"] == "<mailto:news@trusted.southhams.example?subject=unsubscribe>"
        ids.add(message["Message-ID"])
    assert len(ids) == 1000


def test_personal_unsubscribe_link_and_one_click_header(rendered, tmp_path: Path) -> None:
    settings, issue = rendered
    custom = replace(settings, newsletter_unsubscribe_url="https://list.example/leave?e={email}")
    recorder = Recorder()
    run((custom, issue), recorder, [Subscriber("Ann+news@example.org", "Ann")], Ledger(tmp_path / "l.sqlite"))
    [(_, message)] = recorder.accepted
    link = "https://list.example/leave?e=Ann%2Bnews%40example.org"
    assert link in message.get_body(("plain",)).get_content()
    assert message["List-Unsubscribe"].startswith(f"<{link}>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_bounces_return_to_the_bounce_address_and_the_ledger_keeps_each_message_id(rendered, tmp_path: Path) -> None:
    settings, issue = rendered
    custom = replace(settings, newsletter_bounce_address="bounces@trusted.southhams.example")
    recorder, ledger = Recorder(), Ledger(tmp_path / "l.sqlite")
    run((custom, issue), recorder, [Subscriber("ann@example.org", "Ann")], ledger)
    [(_, message)] = recorder.accepted
    assert recorder.senders == ["bounces@trusted.southhams.example"]
    found = ledger.by_message_id(message["Message-ID"])
    assert found is not None and (found.issue, found.key, found.state) == (ISSUE, "ann@example.org", "sent")


# Every spelling of a personal value the code ever used or might: none may be filled in inside content.
SPELLINGS = (
    "https://unsubscribe.vouch.invalid/placeholder", "VOUCH-GREETING-PLACEHOLDER", "{email}", "%7Bemail%7D",
    "{name}", "{{ unsubscribe_url }}", "{{ greeting }}",
)  # fmt: skip


def test_placeholders_in_partner_and_editor_text_reach_every_recipient_unchanged(tmp_path: Path) -> None:
    """A partner summary or an editor's link carrying a placeholder gets no one's address or name."""
    words = " ".join(SPELLINGS)
    tracker = "https://tracker.example/c?u=https://unsubscribe.vouch.invalid/placeholder&who={email}"
    make_site(
        tmp_path,
        {"quay": vetted("Quay Drains", vetted_on="2026-11-10", summary=f"Offers {words}")},
        {"content/newsletter/n.md": f"Title: News of the month here\nDate: 2026-11-20\n\n[Claim]({tracker}) {words}\n"},
    )
    with (tmp_path / "pelicanconf.py").open("a") as conf:
        conf.write('NEWSLETTER_UNSUBSCRIBE_URL = "https://list.example/leave?e={email}"\n')
    settings = load_settings(tmp_path)
    site, report = validate(tmp_path, settings)
    typed = VouchSettings.of(settings)
    issue = prepare_newsletter(site, report, typed, Path(settings["THEME"])).rendered["n"]
    recorder = Recorder()
    people = [Subscriber("ann@example.org", "Ann"), Subscriber("bob@example.org", "Bob")]
    run((typed, issue), recorder, people, Ledger(tmp_path / "l.sqlite"))
    bodies = []
    for address, message in sorted(recorder.accepted, key=lambda pair: pair[0]):
        link = f"https://list.example/leave?e={address.replace('@', '%40')}"
        name = address.split("@")[0].title()
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        assert f'href="{tracker.replace("&", "&amp;")}"' in html and f"]: {tracker}" in text
        for part in (html, text):
            assert part.count(link) == 1 and part.count(f"Hello {name},") == 1  # the template's own slots only
            assert address not in part
            bodies.append(part.replace(link, "LINK").replace(f"Hello {name},", "GREETING"))
        assert html.count(words) == 2 and "".join(text.split()).count("".join(words.split())) == 2  # wrapped text
    assert bodies[0:2] == bodies[2:4]  # apart from the slots, every recipient reads the same bytes


def test_faults_never_cause_a_duplicate_and_unknowns_are_reported(rendered, tmp_path: Path) -> None:
    subscribers = people(200)
    faults = Faults(
        reject={"reader7@example.org", "reader8@example.org"},
        busy_for=3,
        drop_after_data={50, 120},
        drop_at_rcpt={30, 90},
    )
    recorder = Recorder(faults)
    ledger = Ledger(tmp_path / "ledger.sqlite")
    report = run(rendered, recorder, subscribers, ledger)
    got = Counter(recorder.addresses())
    assert max(got.values()) == 1
    unknown = {d.key for d in report.unknown}
    failed = {d.key for d in report.failed}
    assert len(unknown) == 2 and failed == {"reader7@example.org", "reader8@example.org"}
    assert set(got) == {s.address for s in subscribers} - unknown - failed
    assert {d.key for d in ledger.in_state(ISSUE, "sent")} == set(got)
    # A rerun sends nothing new: everyone is sent, failed, or unknown.
    again = run(rendered, Recorder(), subscribers, ledger)
    assert again.sent == 0 and again.already_sent == len(got)
    assert {d.key for d in again.unknown} == set()  # reported once, and kept as 'unknown'
    assert len(ledger.in_state(ISSUE, "unknown")) == 2


def test_temporary_failures_give_up_after_the_last_attempt(rendered, tmp_path: Path) -> None:
    recorder = Recorder(Faults(busy_for=100))
    report = run(rendered, recorder, people(2), Ledger(tmp_path / "ledger.sqlite"))
    assert report.sent == 0
    assert [d.response.startswith("gave up after 5 attempts") for d in report.failed] == [True, True]


@pytest.mark.slow
def test_send_killed_mid_run_resumes_without_duplicates(demo_site: Path, tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir()
    (private / "subscribers.csv").write_text(
        "email,name\n" + "".join(f"reader{i}@example.org,Reader {i}\n" for i in range(400))
        + "READER5@example.org,Duplicate\n"  # the same address again: sent once
    )  # fmt: skip
    (private / "suppressions.csv").write_text("email\nreader9@example.org\n")
    recorder = Recorder(Faults(delay=0.01))
    server = start(recorder)
    env = send_env(server.port, private)
    command = [sys.executable, "-m", "invoke", "send", ISSUE]
    try:
        first = subprocess.Popen(command, cwd=demo_site, env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 60
        while len(recorder.addresses()) < 100 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.01)
        assert first.poll() is None, first.communicate()
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = len(recorder.addresses())
        assert 100 <= killed_at < 399
        second = subprocess.run(command, cwd=demo_site, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, check=False, timeout=120)  # fmt: skip
    finally:
        server.stop()
    got = Counter(recorder.addresses())
    assert max(got.values()) == 1, "an address got two copies"
    expected = {f"reader{i}@example.org" for i in range(400)} - {"reader9@example.org"}
    unknown = {line.split()[1].rstrip(":") for line in second.stdout.splitlines() if line.startswith("unknown:")}
    assert len(unknown) <= 1  # at most the one in flight when the process died
    # An unknown recipient may or may not have been accepted; everyone else got exactly one copy.
    assert expected - unknown <= set(got) <= expected
    ledger = Ledger(private / "newsletter.sqlite")
    sent = {d.key for d in ledger.in_state(ISSUE, "sent")}
    assert sent <= set(got) and set(got) - sent <= unknown  # the ledger agrees with the server
    assert second.returncode == (3 if unknown else 0), second.stdout + second.stderr


def test_dry_run_sends_nothing_and_draft_is_refused(demo_site: Path, tmp_path: Path) -> None:
    (tmp_path / "subscribers.csv").write_text("Email,Name\na@example.org,A\n")  # a spreadsheet's export
    recorder = Recorder()
    server = start(recorder)
    env = send_env(server.port, tmp_path)

    def invoke(*args: str) -> subprocess.CompletedProcess[str]:
        return run_invoke(demo_site, *args, env=env)

    try:
        dry = invoke("send", ISSUE, "--dry-run")
        draft = invoke("send", "december-2026")
        test_copy = invoke("send", "december-2026", "--to", "editor@example.org")
        env["SMTP_SECURITY"] = "tls"
        misconfigured = invoke("send", ISSUE, "--dry-run")
    finally:
        server.stop()
    assert dry.returncode == 0 and "dry run: nothing sent" in dry.stdout and "to 1 recipient (0 already" in dry.stdout
    assert misconfigured.returncode == 2 and "Traceback" not in misconfigured.stderr
    assert "vouch: SMTP_SECURITY: expected one of starttls, ssl, none; got 'tls'" in misconfigured.stderr
    assert draft.returncode == 1 and "status: the issue is a draft" in draft.stderr
    assert "nothing was sent" in draft.stderr
    assert test_copy.returncode == 0, test_copy.stderr
    assert recorder.addresses() == ["editor@example.org"]
    [(_, copy)] = recorder.accepted
    assert copy["Subject"].startswith("[Test] ")  # and its own Message-ID, not the one the real send will use
    assert copy["Message-ID"] != message_id("december-2026", "editor@example.org", "https://trusted.southhams.example")
    ledger = tmp_path / "newsletter.sqlite"
    assert ledger.exists() and b"a@example.org" not in ledger.read_bytes()  # a dry run and a test copy record nothing


def test_bad_subscriber_rows_are_reported_skipped_and_the_rest_sent(demo_site: Path, tmp_path: Path) -> None:
    subscribers = tmp_path / "subscribers.csv"
    rows = [
        b"email,name",
        b"first@example.org,First",
        "jos\u00e9@example.org,Jos\u00e9".encode(),  # internationalised: needs SMTPUTF8
        b'cr@example.org,"Ann\r\nLee"',  # lines 4-5
        "ls@example.org,Ann\u2028Lee".encode(),
        b"big@example.org," + b"x" * 140_000,  # past the csv module's field limit
        b"latin@example.org,Jos\xe9",  # saved as Latin-1
        b"not-an-address,Nobody",
        b"last@example.org,Last",
    ]
    subscribers.write_bytes(b"\n".join(rows) + b"\n")
    bad = [
        f"{subscribers}:4: name: expected one line of text; got 'Ann\\r\\nLee'",
        f"{subscribers}:6: name: expected one line of text; got 'Ann\\u2028Lee'",
        f"{subscribers}:7: expected a CSV row; got field larger than field limit (131072)",
        f"{subscribers}:8: name: expected UTF-8 text; got other bytes (save the file as CSV UTF-8)",
        f"{subscribers}:9: email: expected an e-mail address; got 'not-an-address' (An email address must have an @-sign.)",
    ]

    def send(*args: str, smtputf8: bool) -> tuple[subprocess.CompletedProcess[str], Recorder]:
        recorder = Recorder()
        server = start(recorder, smtputf8=smtputf8)
        try:
            done = run_invoke(demo_site, "send", ISSUE, *args, env=send_env(server.port, tmp_path))
        finally:
            server.stop()
        assert "Traceback" not in done.stderr, done.stderr
        return done, recorder

    dry, _ = send("--dry-run", smtputf8=False)
    assert dry.returncode == 0 and dry.stderr.splitlines() == bad
    assert "to 3 recipients (0 already sent)" in dry.stdout
    ascii_only, recorder = send(smtputf8=False)
    assert ascii_only.stderr.splitlines() == bad
    assert sorted(recorder.addresses()) == ["first@example.org", "last@example.org"]
    assert "not sent: jos\u00e9@example.org: the SMTP server does not offer SMTPUTF8" in ascii_only.stdout
    assert ascii_only.returncode == 1  # left queued, and said so: a rerun through a server that offers it sends it
    utf8, recorder = send(smtputf8=True)
    assert utf8.returncode == 0, utf8.stdout + utf8.stderr
    [(address, message)] = recorder.accepted
    assert address == "jos\u00e9@example.org" and message["To"] == "Jos\u00e9 <jos\u00e9@example.org>"
    assert "Hello Jos\u00e9," in message.get_body(("plain",)).get_content()


def test_an_unreadable_suppression_refuses_the_send_in_one_line(tmp_path: Path) -> None:
    """A suppression row that cannot be read might be someone who unsubscribed: nobody is sent to."""
    (tmp_path / "subscribers.csv").write_text("email,name\nann@example.org,Ann\n")
    (tmp_path / "suppressions.csv").write_bytes(b"email\nbob@example.org\njos\xe9@example.org\n")
    with pytest.raises(ValueError) as refused:
        recipients(tmp_path / "subscribers.csv", tmp_path / "suppressions.csv")
    assert str(refused.value) == (
        f"{tmp_path / 'suppressions.csv'}:3: email: expected UTF-8 text; got other bytes (save the file as CSV UTF-8)"
        " (nothing is sent until every suppression can be read)"
    )


def test_a_second_row_for_one_address_in_another_case_is_named_with_both_lines(tmp_path: Path) -> None:
    """Sent once (SPEC §4), but not silently: the second row's name, date and area would vanish."""
    subscribers = tmp_path / "subscribers.csv"
    subscribers.write_text(
        "email,name,subscribed,area\nann@example.org,Ann Lee,2026-11-28,Kingsbridge\nbob@example.org,Bob,,\n"
        "ANN@Example.org,Ann Dup,2026-11-29,Salcombe\nbob@example.org,Bob,,\n"
    )
    found, problems = recipients(subscribers, tmp_path / "suppressions.csv")
    assert [(s.address, s.area) for s in found] == [("ann@example.org", "Kingsbridge"), ("bob@example.org", "")]
    assert [str(p) for p in problems] == [
        f"{subscribers}:4: email: expected each address once; got 'ANN@Example.org' again (line 2 has it): "
        "this row is skipped, and its name, subscribed and area differ from line 2's (keep one row)",
        f"{subscribers}:5: email: expected each address once; got 'bob@example.org' again (line 3 has it): "
        "this row is skipped",
    ]
