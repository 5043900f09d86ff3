"""``private/referrals.sqlite``: every introduction, when to follow it up, and how it ended."""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

OUTCOMES = ("won", "lost", "no-contact")
CURRENCY = "£$€¥ "


def parse_value(text: str) -> float:
    """``1200``, ``1,200.50`` or ``£1,200``: the value of the work an introduction brought."""
    cleaned = text.strip().strip(CURRENCY).replace(",", "").replace("_", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"expected an amount such as 1200 or 1,200.50; got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"expected an amount of zero or more; got {text!r}")
    return value


SCHEMA = """
CREATE TABLE IF NOT EXISTS introductions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partner TEXT NOT NULL,          -- slug
    partner_name TEXT NOT NULL,
    client_name TEXT NOT NULL,
    client_email TEXT NOT NULL,     -- lower-cased
    note TEXT NOT NULL DEFAULT '',
    sent_on TEXT NOT NULL,          -- ISO date
    follow_up_on TEXT NOT NULL,     -- ISO date
    outcome TEXT CHECK (outcome IS NULL OR outcome IN ('won', 'lost', 'no-contact')),
    value REAL,
    closed_on TEXT
)
"""


@dataclass(frozen=True, slots=True)
class Introduction:
    id: int
    partner: str
    partner_name: str
    client_name: str
    client_email: str
    note: str
    sent_on: dt.date
    follow_up_on: dt.date
    outcome: str | None
    value: float | None


@dataclass(frozen=True, slots=True)
class PartnerSummary:
    partner: str
    partner_name: str
    introductions: int
    won: int
    lost: int
    no_contact: int
    open: int
    value: float

    @property
    def conversion(self) -> float | None:
        closed = self.won + self.lost + self.no_contact
        return self.won / closed if closed else None


_COLUMNS = "id, partner, partner_name, client_name, client_email, note, sent_on, follow_up_on, outcome, value"


def _row(row: tuple) -> Introduction:
    values = list(row)
    values[6] = dt.date.fromisoformat(values[6])
    values[7] = dt.date.fromisoformat(values[7])
    return Introduction(*values)


class ReferralLedger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def record(
        self, partner: str, partner_name: str, client_name: str, client_email: str, note: str, sent_on: dt.date,
        follow_up_on: dt.date,
    ) -> int:  # fmt: skip
        cursor = self.db.execute(
            "INSERT INTO introductions (partner, partner_name, client_name, client_email, note, sent_on, follow_up_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                partner,
                partner_name,
                client_name,
                client_email.lower(),
                note,
                sent_on.isoformat(),
                follow_up_on.isoformat(),
            ),
        )
        return int(cursor.lastrowid or 0)

    def recent(self, partner: str, client_email: str, on: dt.date) -> Introduction | None:
        """An open introduction of the same two people whose follow-up date has not passed."""
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM introductions WHERE partner = ? AND client_email = ? AND follow_up_on >= ?"
            " AND outcome IS NULL ORDER BY id DESC LIMIT 1",
            (partner, client_email.lower(), on.isoformat()),
        ).fetchone()
        return _row(row) if row else None

    def due(self, on: dt.date) -> list[Introduction]:
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM introductions WHERE outcome IS NULL AND follow_up_on <= ?"
            " ORDER BY follow_up_on, id",
            (on.isoformat(),),
        )
        return [_row(r) for r in rows]

    def get(self, ident: int) -> Introduction | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM introductions WHERE id = ?", (ident,)).fetchone()
        return _row(row) if row else None

    def close_with(self, ident: int, outcome: str, value: float | None, on: dt.date) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome: expected one of {', '.join(OUTCOMES)}; got {outcome!r}")
        self.db.execute(
            "UPDATE introductions SET outcome = ?, value = ?, closed_on = ? WHERE id = ?",
            (outcome, value, on.isoformat(), ident),
        )

    def summary(self) -> list[PartnerSummary]:
        rows = self.db.execute(
            "SELECT partner, MAX(partner_name), COUNT(*),"
            " TOTAL(outcome = 'won'), TOTAL(outcome = 'lost'), TOTAL(outcome = 'no-contact'), TOTAL(outcome IS NULL),"
            " COALESCE(SUM(value), 0) FROM introductions GROUP BY partner ORDER BY partner"
        )
        return [PartnerSummary(p, name, n, int(won), int(lost), int(none), int(open_), float(value))
                for p, name, n, won, lost, none, open_, value in rows]  # fmt: skip
