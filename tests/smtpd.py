"""A real SMTP server (aiosmtpd) in the test process, with faults to inject."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default

from aiosmtpd.controller import Controller


@dataclass
class Faults:
    reject: set[str] = field(default_factory=set)  # RCPT answered 550
    busy_for: int = 0  # the next n DATA commands are answered 421
    drop_after_data: set[int] = field(default_factory=set)  # DATA numbers whose reply never comes
    drop_at_rcpt: set[int] = field(default_factory=set)  # RCPT numbers at which the connection drops
    delay: float = 0.0  # seconds per accepted message


class Recorder:
    """Keeps what it accepted: (recipient, parsed message)."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self.accepted: list[tuple[str, Message]] = []
        self.senders: list[str] = []  # each accepted message's envelope sender (MAIL FROM: the Return-Path)
        self.data_seen = 0
        self.rcpt_seen = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_seen += 1
        if self.rcpt_seen in self.faults.drop_at_rcpt:
            server.transport.close()
            return "421 closing"
        if address.lower() in self.faults.reject:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_seen += 1
        if self.faults.busy_for > 0:
            self.faults.busy_for -= 1
            return "421 4.3.2 Busy, try again later"
        if self.data_seen in self.faults.drop_after_data:
            server.transport.close()  # the message is dropped and the reply never sent
            return "451 never sent"
        if self.faults.delay:
            await asyncio.sleep(self.faults.delay)
        message = email.message_from_bytes(envelope.content, policy=default)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.accepted.append((rcpt.lower(), message))
            self.senders.append(envelope.mail_from)
        return "250 2.0.0 Accepted"

    def addresses(self) -> list[str]:
        with self.lock:
            return [a for a, _ in self.accepted]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(recorder: Recorder, smtputf8: bool = False) -> Controller:
    """A server on a free port; ``smtputf8`` makes it offer SMTPUTF8 (RFC 6531: internationalised addresses)."""
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=smtputf8)
    controller.start()
    return controller
