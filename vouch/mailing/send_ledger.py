"""The send ledger: each recipient's state of each issue, in SQLite.

States: ``queued`` -> ``sending`` (committed just before the end of DATA is
written) -> ``sent`` | ``failed``. A recipient still ``sending`` when a run
starts had its answer lost (crash, kill -9, dropped connection): it becomes
``unknown`` and is reported, never resent without being asked.

Each delivery keeps the ``Message-ID`` it went out with, so a bounce that
quotes it is matched to the issue and the subscriber (``invoke inbox``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vouch.mailing.subscribers import Subscriber

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    issue TEXT NOT NULL,
    key TEXT NOT NULL,           -- the address, lower-cased
    address TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unknown')),
    attempts INTEGER NOT NULL DEFAULT 0,
    code INTEGER,
    response TEXT,
    updated TEXT NOT NULL,
    message_id TEXT,             -- as sent, angle brackets and all: bounces quote it
    PRIMARY KEY (issue, key)
)
"""
MESSAGE_ID_INDEX = "CREATE INDEX IF NOT EXISTS deliveries_message_id ON deliveries (message_id)"


@dataclass(frozen=True, slots=True)
class Delivery:
    issue: str
    key: str
    address: str
    name: str
    state: str
    attempts: int
    code: int | None
    response: str | None


class Ledger:
    def __init__(self, path: Path | None) -> None:
        """``path=None`` keeps the ledger in memory (a test send to one address records nothing)."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path or ":memory:", isolation_level=None)  # autocommit: each change is durable
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(deliveries)")}
        if "message_id" not in columns:  # a ledger from before bounces were matched
            self.db.execute("ALTER TABLE deliveries ADD COLUMN message_id TEXT")
        self.db.execute(MESSAGE_ID_INDEX)

    def close(self) -> None:
        self.db.close()

    def enqueue(self, issue: str, subscribers: Iterable[Subscriber]) -> None:
        now = _now()
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT OR IGNORE INTO deliveries (issue, key, address, name, state, updated)"
            " VALUES (?, ?, ?, ?, 'queued', ?)",
            [(issue, s.address.lower(), s.address, s.name, now) for s in subscribers],
        )
        self.db.execute("COMMIT")

    def recover(self, issue: str) -> list[Delivery]:
        """Recipients left ``sending`` by an interrupted run: their answer is unknown."""
        stale = self.in_state(issue, "sending")
        self.db.execute(
            "UPDATE deliveries SET state = 'unknown', updated = ? WHERE issue = ? AND state = 'sending'",
            (_now(), issue),
        )
        return stale

    def retry_unknown(self, issue: str) -> int:
        cursor = self.db.execute(
            "UPDATE deliveries SET state = 'queued', updated = ? WHERE issue = ? AND state = 'unknown'", (_now(), issue)
        )
        return cursor.rowcount

    def mark(
        self,
        issue: str,
        key: str,
        state: str,
        code: int | None = None,
        response: str | None = None,
        message_id: str | None = None,
    ) -> None:
        self.db.execute(
            "UPDATE deliveries SET state = ?, code = ?, response = ?, updated = ?,"
            " message_id = COALESCE(?, message_id) WHERE issue = ? AND key = ?",
            (state, code, response, _now(), message_id, issue, key),
        )

    def defer(self, issue: str, key: str, code: int | None, response: str) -> int:
        """Back to the queue after a temporary failure; returns the attempts so far."""
        self.db.execute(
            "UPDATE deliveries SET state = 'queued', attempts = attempts + 1, code = ?, response = ?, updated = ?"
            " WHERE issue = ? AND key = ?",
            (code, response, _now(), issue, key),
        )
        row = self.db.execute("SELECT attempts FROM deliveries WHERE issue = ? AND key = ?", (issue, key)).fetchone()
        return int(row[0])

    def in_state(self, issue: str, state: str) -> list[Delivery]:
        rows = self.db.execute(
            "SELECT issue, key, address, name, state, attempts, code, response FROM deliveries"
            " WHERE issue = ? AND state = ? ORDER BY rowid",
            (issue, state),
        )
        return [Delivery(*row) for row in rows]

    def by_message_id(self, message_id: str) -> Delivery | None:
        """The delivery that went out with ``message_id`` (``<...>``), if this ledger sent it."""
        row = self.db.execute(
            "SELECT issue, key, address, name, state, attempts, code, response FROM deliveries WHERE message_id = ?",
            (message_id,),
        ).fetchone()
        return Delivery(*row) if row else None

    def sent_to(self, issue: str, addresses: Iterable[str]) -> int:
        """How many of ``addresses`` (today's list) already have this issue."""
        rows = self.db.execute("SELECT key FROM deliveries WHERE issue = ? AND state = 'sent'", (issue,))
        sent = {key for (key,) in rows}
        return len(sent & {a.lower() for a in addresses})


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
