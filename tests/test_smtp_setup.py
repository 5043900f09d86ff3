"""SMTP failures say what to change, each within SMTP_TIMEOUT, against real servers (aiosmtpd, raw sockets)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.sitekit import DEMO_EPOCH, run_invoke
from tests.smtpd import Recorder, free_port, start

TIMEOUT = "1"  # seconds: short, so the server that never answers costs one second


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"ann", b"right")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_server() -> Iterator[Controller]:
    controller = Controller(
        Recorder(), hostname="127.0.0.1", port=free_port(), authenticator=_authenticator, auth_require_tls=False
    )
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def check(root: Path, port: int, **env: str) -> tuple[object, float]:
    environ = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
               "SMTP_TIMEOUT": TIMEOUT, **env}  # fmt: skip
    started = time.monotonic()
    done = run_invoke(root, "smtp-check", env=environ)
    elapsed = time.monotonic() - started
    assert "Traceback" not in done.stderr, done.stderr
    return done, elapsed


def test_a_plain_relay_with_starttls_names_smtp_security_none(demo_site: Path) -> None:
    server = start(Recorder())
    try:
        done, elapsed = check(demo_site, server.port, SMTP_SECURITY="starttls")
    finally:
        server.stop()
    assert done.returncode == 3 and elapsed < 1.5
    assert "does not offer STARTTLS" in done.stderr and "SMTP_SECURITY=none" in done.stderr
    assert "SMTP_SECURITY=ssl and SMTP_PORT=465" in done.stderr


def test_a_plain_relay_reports_what_it_offers_and_sends_nothing(demo_site: Path) -> None:
    recorder = Recorder()
    server = start(recorder)
    try:
        done, _ = check(demo_site, server.port, SMTP_SECURITY="none")
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    assert "offers: SIZE" in done.stdout and "login: not tried" in done.stdout
    assert "nothing was sent" in done.stdout and recorder.accepted == []


def test_a_refused_login_names_the_variables(demo_site: Path, auth_server: Controller) -> None:
    done, elapsed = check(demo_site, auth_server.port, SMTP_SECURITY="none", SMTP_USER="ann", SMTP_PASSWORD="wrong")
    assert done.returncode == 3 and elapsed < 1.5
    assert "refused the login as 'ann' (535" in done.stderr and "check SMTP_USER and SMTP_PASSWORD" in done.stderr
    good, _ = check(demo_site, auth_server.port, SMTP_SECURITY="none", SMTP_USER="ann", SMTP_PASSWORD="right")
    assert good.returncode == 0 and "login as ann: accepted" in good.stdout


def test_a_refused_connection_names_host_port_and_variables(demo_site: Path) -> None:
    port = free_port()  # nobody listens there
    done, elapsed = check(demo_site, port, SMTP_SECURITY="none")
    assert done.returncode == 3 and elapsed < 1.5
    assert f"nothing accepts connections at 127.0.0.1:{port} (connection refused)" in done.stderr
    assert "check SMTP_HOST and SMTP_PORT" in done.stderr


def test_a_server_that_never_answers_gives_up_within_the_timeout(demo_site: Path, silent_port: int) -> None:
    for security in ("none", "ssl"):
        done, elapsed = check(demo_site, silent_port, SMTP_SECURITY=security)
        assert done.returncode == 3 and elapsed < 2.5, (security, elapsed)
        assert f"127.0.0.1:{silent_port} did not answer within SMTP_TIMEOUT=1 s" in done.stderr, done.stderr


def test_ssl_against_a_plain_port_says_which_security_to_use(demo_site: Path) -> None:
    server = start(Recorder())
    try:
        done, elapsed = check(demo_site, server.port, SMTP_SECURITY="ssl")
    finally:
        server.stop()
    assert done.returncode == 3 and elapsed < 1.5
    assert "TLS with 127.0.0.1" in done.stderr and "SMTP_SECURITY=starttls" in done.stderr


def test_a_send_to_a_wrong_server_fails_at_once_with_the_same_message(demo_site: Path, tmp_path: Path) -> None:
    """No 30 s of backoff before the first message: the settings are wrong, not the server busy."""
    (tmp_path / "subscribers.csv").write_text("email,name\na@example.org,A\n")
    server = start(Recorder())
    env = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port),
           "SMTP_SECURITY": "starttls", "SMTP_TIMEOUT": TIMEOUT,
           "NEWSLETTER_SUBSCRIBERS": str(tmp_path / "subscribers.csv"),
           "NEWSLETTER_LEDGER": str(tmp_path / "ledger.sqlite")}  # fmt: skip
    started = time.monotonic()
    try:
        done = run_invoke(demo_site, "send", "november-2026", "--to", "editor@example.org", env=env)
    finally:
        server.stop()
    assert time.monotonic() - started < 3
    assert done.returncode == 3 and "does not offer STARTTLS" in done.stderr and "SMTP_SECURITY=none" in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("smtp-check",),
        ("send", "november-2026", "--to", "editor@example.org"),
        ("send", "--due"),
        ("introduce", "harbour-plumbing", "--to", "Ann Lee <ann@example.org>"),
    ],
)
@pytest.mark.parametrize("host", ["", "  "])
def test_an_empty_smtp_host_is_a_setting_error_before_any_connection(
    demo_site: Path, tmp_path: Path, command: tuple[str, ...], host: str
) -> None:
    (tmp_path / "subscribers.csv").write_text("email,name\na@example.org,A\n")
    env = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH, "SMTP_HOST": host, "SMTP_PORT": "8025",
           "SMTP_SECURITY": "none", "NEWSLETTER_SUBSCRIBERS": str(tmp_path / "subscribers.csv"),
           "NEWSLETTER_LEDGER": str(tmp_path / "ledger.sqlite"),
           "REFERRALS_LEDGER": str(tmp_path / "referrals.sqlite")}  # fmt: skip
    done = run_invoke(demo_site, *command, env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("vouch: SMTP_HOST: expected the relay's host name")
    assert "connected" not in done.stdout and "connect() first" not in done.stderr


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("smtp.example.org:587", "put 587 in SMTP_PORT"),
        ("http://smtp.example.org", "no scheme or path"),
        ("smtp.example.org 8025", "put 8025 in SMTP_PORT"),
    ],
)
def test_a_host_with_a_port_or_a_scheme_is_a_setting_error_naming_smtp_port(host: str, why: str) -> None:
    """Review 3, finding 10: copied from a provider's page, it is named as a setting, not a DNS failure."""
    from vouch.mailing.smtp_setup import SmtpSettings

    with pytest.raises(ValueError) as refused:
        SmtpSettings.from_env({"SMTP_HOST": host, "SMTP_PORT": "8025"})
    assert str(refused.value).startswith("SMTP_HOST: expected a host name without a port or scheme (")
    assert why in str(refused.value) and str(refused.value).endswith(f"got {host!r}")


def test_smtp_check_with_a_port_in_smtp_host_exits_2_before_any_connection(demo_site: Path) -> None:
    env = {**os.environ, "SMTP_HOST": "127.0.0.1:587", "SMTP_PORT": "8025", "SMTP_SECURITY": "none"}
    done = run_invoke(demo_site, "smtp-check", env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "put 587 in SMTP_PORT" in done.stderr.strip().splitlines()[-1]
