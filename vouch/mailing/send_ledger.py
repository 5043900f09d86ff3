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
);
CREATE TABLE IF NOT EXISTS issues (
    issue TEXT PRIMARY KEY,      -- the slug it was sent under, as in deliveries.issue
    date TEXT NOT NULL,          -- its Date and Title then: the same issue renamed is known by them
    title TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS welcome_days (
    step TEXT NOT NULL,          -- welcome/NN-slug, as in deliveries.issue
    key TEXT NOT NULL,
    day TEXT NOT NULL,           -- the site's date (TIMEZONE, SOURCE_DATE_EPOCH) the step was queued for them
    PRIMARY KEY (step, key)
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
        self.db.executescript(SCHEMA)
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

    def recover_all(self) -> list[Delivery]:
        """``recover`` for every issue and welcome step (``send --due``, holding the send lock)."""
        stale = [Delivery(*row) for row in self.db.execute(
            "SELECT issue, key, address, name, state, attempts, code, response FROM deliveries"
            " WHERE state = 'sending' ORDER BY rowid")]  # fmt: skip
        for issue in sorted({d.issue for d in stale}):
            self.recover(issue)
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

    def mark_sending(
        self, issue: str, key: str, answered: Iterable[tuple[str, int, str]], message_id: str | None = None
    ) -> None:
        """``key`` is about to be sent (with ``message_id``), and ``answered`` (key, code, text) were: one commit."""
        now = _now()
        self.db.execute("BEGIN")
        self.db.executemany(
            "UPDATE deliveries SET state = 'sent', code = ?, response = ?, updated = ? WHERE issue = ? AND key = ?",
            [(code, text, now, issue, sent) for sent, code, text in answered],
        )
        self.db.execute(
            "UPDATE deliveries SET state = 'sending', updated = ?, message_id = COALESCE(?, message_id)"
            " WHERE issue = ? AND key = ?",
            (now, message_id, issue, key),
        )
        self.db.execute("COMMIT")

    def mark_sent(self, issue: str, answered: Iterable[tuple[str, int, str]]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(
            "UPDATE deliveries SET state = 'sent', code = ?, response = ?, updated = ? WHERE issue = ? AND key = ?",
            [(code, text, _now(), issue, sent) for sent, code, text in answered],
        )
        self.db.execute("COMMIT")

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

    def reached(self, issue: str) -> set[str]:
        """The keys this issue has been tried for (sent, failed, unknown, sending): never queued again."""
        rows = self.db.execute("SELECT key FROM deliveries WHERE issue = ? AND state != 'queued'", (issue,))
        return {key for (key,) in rows}

    def states(self, prefix: str) -> dict[tuple[str, str], str]:
        """(issue, key) -> state for every issue whose name starts with ``prefix`` (``welcome/``)."""
        rows = self.db.execute(
            "SELECT issue, key, state FROM deliveries WHERE substr(issue, 1, ?) = ?", (len(prefix), prefix)
        )
        return {(issue, key): state for issue, key, state in rows}

    def welcome_days(self) -> dict[tuple[str, str], dt.date]:
        """(step, key) -> the day that step was queued for that subscriber."""
        rows = self.db.execute("SELECT step, key, day FROM welcome_days")
        return {(step, key): dt.date.fromisoformat(day) for step, key, day in rows}

    def enqueue_step(self, step: str, subscribers: Iterable[Subscriber], day: dt.date) -> None:
        """Queue a welcome step for ``subscribers``, remembering the day (one step a day per subscriber)."""
        chosen = list(subscribers)
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT OR IGNORE INTO welcome_days (step, key, day) VALUES (?, ?, ?)",
            [(step, s.address.lower(), day.isoformat()) for s in chosen],
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO deliveries (issue, key, address, name, state, updated)"
            " VALUES (?, ?, ?, ?, 'queued', ?)",
            [(step, s.address.lower(), s.address, s.name, _now()) for s in chosen],
        )
        self.db.execute("COMMIT")

    def remember_issue(self, issue: str, date: dt.date, title: str) -> None:
        """The Date and Title ``issue`` goes out with: renamed later, it is still known (``sent_as``)."""
        self.db.execute(
            "INSERT OR REPLACE INTO issues (issue, date, title) VALUES (?, ?, ?)", (issue, date.isoformat(), title)
        )

    def sent_as(self, date: dt.date, title: str) -> list[str]:
        """The slugs an issue of this Date and Title was sent (or tried) under, in the order first sent."""
        rows = self.db.execute(
            "SELECT issue FROM issues WHERE date = ? AND title = ? AND EXISTS (SELECT 1 FROM deliveries"
            " WHERE deliveries.issue = issues.issue AND state != 'queued') ORDER BY rowid",
            (date.isoformat(), title),
        )
        return [issue for (issue,) in rows]

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
