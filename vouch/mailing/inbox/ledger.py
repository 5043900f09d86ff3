"""What ``invoke inbox`` has done, in SQLite: each message handled once, tokens, bounces, replies.

A message is handled under one savepoint (its record, any token, bounce and
reply together), after the subscriber and suppression files changed (those
changes are idempotent); a batch of messages is committed at once, before the
batch is moved out of the inbox, and replies go out only after that. A crash
before the commit leaves messages the next run handles again (the files come
out the same, no reply had gone); after it, messages it recognises and only
moves.
Replies are queued here and marked sent once the SMTP server took them, so a
run that could not reach the server sends them next time, once; a sent
reply's message is dropped then, so no confirmation code outlives its e-mail
here (only its hash, in ``tokens``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS handled (
    key TEXT PRIMARY KEY,        -- sha256 of the message's bytes
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY,       -- sha256 of the token: the token itself is only in the e-mail
    address TEXT NOT NULL,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    expires TEXT NOT NULL,
    used TEXT
);
CREATE TABLE IF NOT EXISTS bounces (
    address TEXT NOT NULL,
    sent_id TEXT NOT NULL,       -- our Message-ID it bounces, else the bounce's own key (one a day counts)
    issue TEXT NOT NULL,
    hard INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (address, sent_id, hard)
);
CREATE TABLE IF NOT EXISTS replies (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL,
    kind TEXT NOT NULL,
    created TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    message BLOB NOT NULL        -- only while queued: emptied once sent or refused (a code is in it)
);
CREATE INDEX IF NOT EXISTS replies_by_address ON replies (address, kind, created);
"""


@dataclass(frozen=True, slots=True)
class Token:
    address: str
    name: str
    expires: dt.datetime
    used: bool


@dataclass(frozen=True, slots=True)
class Reply:
    id: int
    address: str
    kind: str
    message: bytes


class InboxLedger:
    def __init__(self, path: Path | None) -> None:
        """``path=None``: in memory (a dry run works on a copy, see ``rehearsal``)."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path or ":memory:", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")  # one sync per commit
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def rehearsal(self) -> InboxLedger:
        """A copy in memory: a dry run decides exactly as a real run would, and keeps nothing."""
        copy = InboxLedger(None)
        self.db.backup(copy.db)
        return copy

    def close(self) -> None:
        self.db.close()

    def begin(self) -> None:
        """A batch: committed once, before its messages are moved."""
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def savepoint(self) -> None:
        """One message: kept whole or not at all (inside a batch, or on its own)."""
        self.db.execute("SAVEPOINT message")

    def release(self) -> None:
        self.db.execute("RELEASE message")

    def undo(self) -> None:
        self.db.execute("ROLLBACK TO message")
        self.db.execute("RELEASE message")

    def outcome(self, key: str) -> str | None:
        row = self.db.execute("SELECT outcome FROM handled WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def record(self, key: str, kind: str, address: str, outcome: str, now: dt.datetime) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO handled (key, kind, address, outcome, at) VALUES (?, ?, ?, ?, ?)",
            (key, kind, address, outcome, _iso(now)),
        )

    def add_token(self, token_hash: str, address: str, name: str, now: dt.datetime, days: int) -> None:
        expires = now + dt.timedelta(days=days)
        self.db.execute(
            "INSERT INTO tokens (hash, address, name, created, expires) VALUES (?, ?, ?, ?, ?)",
            (token_hash, address, name, _iso(now), _iso(expires)),
        )

    def token(self, token_hash: str) -> Token | None:
        row = self.db.execute(
            "SELECT address, name, expires, used FROM tokens WHERE hash = ?", (token_hash,)
        ).fetchone()
        return Token(row[0], row[1], dt.datetime.fromisoformat(row[2]), row[3] is not None) if row else None

    def use_token(self, token_hash: str, now: dt.datetime) -> None:
        self.db.execute("UPDATE tokens SET used = ? WHERE hash = ?", (_iso(now), token_hash))

    def forget_expired(self, now: dt.datetime) -> int:
        """Unconfirmed requests past their expiry, kept a further 30 days to tell 'expired' from 'wrong'."""
        cursor = self.db.execute("DELETE FROM tokens WHERE expires < ?", (_iso(now - dt.timedelta(days=30)),))
        return cursor.rowcount

    def add_bounce(self, address: str, sent_id: str, issue: str, hard: bool, now: dt.datetime) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO bounces (address, sent_id, issue, hard, at) VALUES (?, ?, ?, ?, ?)",
            (address, sent_id, issue, int(hard), _iso(now)),
        )

    def hard_bounces(self, address: str) -> int:
        """Distinct messages of ours that bounced for good: two reports of one send count once."""
        row = self.db.execute("SELECT COUNT(*) FROM bounces WHERE address = ? AND hard = 1", (address,)).fetchone()
        return int(row[0])

    def bounced_since(self, address: str, hard: bool, since: dt.datetime) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM bounces WHERE address = ? AND hard = ? AND at > ? LIMIT 1", (address, int(hard), _iso(since))
        ).fetchone()
        return row is not None

    def replied_since(self, address: str, kind: str, since: dt.datetime) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM replies WHERE address = ? AND kind = ? AND created > ? LIMIT 1",
            (address, kind, _iso(since)),
        ).fetchone()
        return row is not None

    def queue_reply(self, address: str, kind: str, message: bytes, now: dt.datetime) -> None:
        self.db.execute(
            "INSERT INTO replies (address, kind, created, state, message) VALUES (?, ?, ?, 'queued', ?)",
            (address, kind, _iso(now), message),
        )

    def queued_replies(self) -> list[Reply]:
        rows = self.db.execute("SELECT id, address, kind, message FROM replies WHERE state = 'queued' ORDER BY id")
        return [Reply(*row) for row in rows]

    def reply_sent(self, reply_id: int) -> None:
        """Sent: the message is dropped (a confirmation holds its code), the row kept for the one-a-day rule."""
        self.db.execute("UPDATE replies SET state = 'sent', message = X'' WHERE id = ?", (reply_id,))

    def reply_failed(self, reply_id: int) -> None:
        """Refused for good by the relay (5xx): never tried again, and its message (and code) dropped."""
        self.db.execute("UPDATE replies SET state = 'failed', message = X'' WHERE id = ?", (reply_id,))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
