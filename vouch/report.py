"""Plain-text tables for ``invoke check`` (the editor's view, never published)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

from vouch.publication import DUE_SOON_DAYS, RosterEntry, due_soon

STATE_ORDER = ("published", "scheduled", "pending", "lapsed", "suspended", "retired")


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*(str(x) for x in row)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"


def roster_report(entries: Iterable[RosterEntry], on: dt.date) -> str:
    entries = sorted(entries, key=lambda e: (STATE_ORDER.index(e.state), e.slug))
    counts = Counter(e.state for e in entries)
    summary = ", ".join(f"{counts[s]} {s}" for s in STATE_ORDER if counts[s])
    parts = [f"partners on {on.isoformat()}: {len(entries)} profiles ({summary or 'none'})"]
    if entries:
        rows = [(e.state, e.slug, e.name, _date(e.vetted_on), _date(e.review_by)) for e in entries]
        parts.append(table(rows, ("state", "slug", "name", "vetted on", "review by")))
    due = due_soon(entries, on)
    if due:
        rows = [(e.slug, _date(e.review_by), str((e.review_by - on).days)) for e in due if e.review_by]
        parts.append(f"due for review within {DUE_SOON_DAYS} days:\n" + table(rows, ("slug", "review by", "days left")))
    lapsed = [e for e in entries if e.state == "lapsed"]
    if lapsed:
        parts.append("lapsed (off the site until renewed): " + ", ".join(e.slug for e in lapsed))
    return "\n\n".join(parts)
