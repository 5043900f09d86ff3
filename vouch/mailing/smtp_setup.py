"""Opening an SMTP connection, and what to change when it fails.

Each step (connect, greeting, EHLO, STARTTLS, login) waits at most
SMTP_TIMEOUT seconds, and a failure is turned into one sentence that names
the setting to change: a wrong setting should cost seconds and say why, not
30 silent seconds and a generic error.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 10.0


class SmtpSetupError(smtplib.SMTPException):
    """The connection could not be set up; the message says what to change (an SMTPException, so code
    that catches those, such as ``invoke inbox``'s replies, reports it the same way).

    ``settings_wrong`` is True when trying again cannot help (no STARTTLS, login refused,
    no TLS on the port): a send gives up at once instead of backing off.
    """

    def __init__(self, message: str, settings_wrong: bool) -> None:
        super().__init__(message)
        self.settings_wrong = settings_wrong


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 587
    user: str = ""
    password: str = ""
    security: str = "starttls"
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> SmtpSettings:
        security = environ.get("SMTP_SECURITY", "starttls").lower()
        if security not in SECURITY:
            raise ValueError(f"SMTP_SECURITY: expected one of {', '.join(SECURITY)}; got {security!r}")
        raw_port = environ.get("SMTP_PORT") or str(DEFAULT_PORTS[security])
        if not raw_port.isdigit():
            raise ValueError(f"SMTP_PORT: expected a port number such as 587; got {raw_port!r}")
        raw_timeout = environ.get("SMTP_TIMEOUT") or str(DEFAULT_TIMEOUT)
        try:
            timeout = float(raw_timeout)
        except ValueError:
            timeout = 0.0
        if not timeout > 0:
            raise ValueError(f"SMTP_TIMEOUT: expected a number of seconds such as 10; got {raw_timeout!r}")
        host = environ.get("SMTP_HOST", "localhost").strip()
        if not host:  # set but empty (a blank line in private/smtp.env): never "connected to :587"
            raise ValueError(
                "SMTP_HOST: expected the relay's host name, such as smtp.example.org (unset, it is localhost); "
                f"got {environ['SMTP_HOST']!r}"
            )
        if why := _not_a_host(host):  # copied from a provider's page: said as a setting, not a DNS failure
            raise ValueError(f"SMTP_HOST: expected a host name without a port or scheme ({why}); got {host!r}")
        return cls(
            host,
            int(raw_port),
            environ.get("SMTP_USER", ""),
            environ.get("SMTP_PASSWORD", ""),
            security,
            timeout,
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def connect(self, log: list[str] | None = None) -> smtplib.SMTP:
        """A ready connection (TLS and login as set), or SmtpSetupError saying what to change.

        ``log``, if given, receives one line per step (``invoke smtp-check`` prints them).
        """
        conn: smtplib.SMTP | None = None
        step = "connect"
        try:
            if self.security == "ssl":
                context = ssl.create_default_context()
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            _note(log, f"connected to {self.where}" + (" over TLS" if self.security == "ssl" else ""))
            step = "EHLO"
            conn.ehlo()
            _note(log, f"offers: {offered(conn)}")
            if self.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise SmtpSetupError(no_starttls(self), settings_wrong=True)
                step = "STARTTLS"
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
                _note(log, f"STARTTLS: encrypted; offers now: {offered(conn)}")
            elif self.security == "none":
                _note(log, "no encryption (SMTP_SECURITY=none: only for a relay on this machine or network)")
            if self.user:
                step = "login"
                if not conn.has_extn("auth"):
                    raise SmtpSetupError(no_auth(self), settings_wrong=True)
                conn.login(self.user, self.password)
                _note(log, f"login as {self.user}: accepted")
            else:
                _note(log, "login: not tried (SMTP_USER is empty)")
        except SmtpSetupError:
            _quietly_close(conn)
            raise
        except (OSError, smtplib.SMTPException) as exc:
            _quietly_close(conn)
            raise explain(exc, step, self) from None
        return conn


def _note(log: list[str] | None, line: str) -> None:
    if log is not None:
        log.append(line)


def offered(conn: smtplib.SMTP) -> str:
    """The EHLO extensions, as the server named them (``AUTH LOGIN PLAIN``, ``STARTTLS``...)."""
    return ", ".join(f"{k.upper()} {v}".strip() for k, v in conn.esmtp_features.items()) or "nothing beyond plain SMTP"


def _quietly_close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.close()


def no_starttls(smtp: SmtpSettings) -> str:
    return (
        f"{smtp.where} does not offer STARTTLS (SMTP_SECURITY=starttls): for a local relay or test server set "
        "SMTP_SECURITY=none; for a server that speaks TLS from the start set SMTP_SECURITY=ssl and SMTP_PORT=465"
    )


def no_auth(smtp: SmtpSettings) -> str:
    hint = " (many servers offer it only after STARTTLS: set SMTP_SECURITY=starttls)" if smtp.security == "none" else ""
    return (
        f"{smtp.where} does not offer a login (AUTH) but SMTP_USER is set{hint}; "
        "leave SMTP_USER and SMTP_PASSWORD empty for a relay that needs none"
    )


def _timed_out(exc: BaseException) -> bool:
    chain = [exc, exc.__cause__, exc.__context__]
    return any(isinstance(e, TimeoutError | socket.timeout) for e in chain) or "timed out" in str(exc)


def explain(exc: BaseException, step: str, smtp: SmtpSettings) -> SmtpSetupError:
    """One sentence naming what to change, for a failure at ``step``."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        answer = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return SmtpSetupError(
            f"{smtp.where} refused the login as {smtp.user!r} ({exc.smtp_code} {answer}): "
            "check SMTP_USER and SMTP_PASSWORD (some providers want an app password or an API key here)",
            settings_wrong=True,
        )
    return _network(exc, step, smtp)


def _not_a_host(host: str) -> str | None:
    """Why ``host`` is not a host name or address (it holds a port, a scheme or a path), or None."""
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(host.strip("[]"))  # an IPv6 address has colons of its own
        return None
    if port := re.fullmatch(r"[^:\s/]+(?::|\s+)(\d+)", host):
        return f"put {port.group(1)} in SMTP_PORT"
    if re.search(r"[:/\s]", host):
        return "no scheme or path, such as smtp.example.org"
    return None


def _network(exc: BaseException, step: str, smtp: SmtpSettings) -> SmtpSetupError:
    where, variables = smtp.where, "SMTP_HOST and SMTP_PORT"
    defaults = "the default port is 587 for SMTP_SECURITY=starttls, 465 for ssl, 25 for none"
    if _timed_out(exc):
        return SmtpSetupError(
            f"{where} did not answer within SMTP_TIMEOUT={smtp.timeout:g} s (at {step}): check {variables} "
            f"({defaults}), a firewall between here and there, or raise SMTP_TIMEOUT for a slow server",
            settings_wrong=False,
        )
    if isinstance(exc, ConnectionRefusedError):
        return SmtpSetupError(
            f"nothing accepts connections at {where} (connection refused): check {variables} ({defaults}), "
            "and that the server is running",
            settings_wrong=False,
        )
    if isinstance(exc, socket.gaierror):
        return SmtpSetupError(f"cannot find the host {smtp.host!r} ({exc.strerror}): check SMTP_HOST", False)
    if isinstance(exc, ssl.SSLError) or (step == "connect" and smtp.security == "ssl"):
        return SmtpSetupError(
            f"TLS with {where} failed at {step} ({exc}): with SMTP_SECURITY=ssl the port must speak TLS from the "
            "start (usually 465); for port 587 set SMTP_SECURITY=starttls, for a local relay SMTP_SECURITY=none",
            settings_wrong=True,
        )
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPResponseException):
        code = getattr(exc, "smtp_code", "")
        return SmtpSetupError(f"{where} refused us at {step} ({code} {exc}); try again later", settings_wrong=False)
    return SmtpSetupError(
        f"{where} closed or broke the connection at {step} ({exc}): check {variables} and SMTP_SECURITY ({defaults})",
        settings_wrong=False,
    )
