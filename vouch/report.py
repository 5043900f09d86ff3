"""Plain-text tables and notes for ``invoke check`` and ``invoke referrals`` (the editor's view, never published)."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from vouch.controls import printable
from vouch.publication import DUE_SOON_DAYS, RosterEntry, due_soon
from vouch.site import EditorReport

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


def not_read_name(path: Path, root: Path) -> str:
    """An entry of partners/ as the editor finds it: ``partners/extra/`` for a folder."""
    return os.path.relpath(path, root) + ("/" if path.is_dir() else "")


def editor_notes(report: EditorReport, root: Path) -> Iterator[str]:
    """What ``invoke check`` adds below the roster: skipped, withheld, scheduled and unlinked files, reviews due."""

    def name(path: Path) -> str:
        """A path as the editor types it, one line whatever the name holds."""
        return printable(str(path.relative_to(root)))

    invalid = sorted({printable(p.path.name) for p in report.problems if p.path.parent.name == "partners"})
    if invalid:
        yield f"\ninvalid (not counted above until fixed): {', '.join(invalid)}"
    for path in report.editor_files:
        yield f"skipped (editor temporary file): {name(path)}"
    for path in report.not_read:
        if path.is_dir():
            why = "a folder: profiles go directly in partners/"
        elif path.name.startswith("_"):
            why = "no registry: Vouch reads _categories.yaml and _checks.yaml"
        else:
            why = "no profile: profiles are partners/<slug>.yaml"
        yield f"not read: {printable(not_read_name(path, root))} ({why})"
    for slug, slugs in sorted(report.withheld_partners.items()):
        yield f"withheld: partners/{slug}.yaml (its description names unpublished {', '.join(slugs)})"
    selection = report.content
    for path, slugs in sorted(selection.withheld.items()):
        yield f"withheld: {name(path)} (names unpublished {', '.join(slugs)})"
    for path, targets in sorted(selection.linking.items()):
        links = ", ".join(name(target) for target in targets)
        yield f"withheld: {name(path)} (links {links}, not published)"
    for path, slugs in sorted(report.withheld_steps.items()):
        yield f"withheld: {name(path)} (names unpublished {', '.join(slugs)}: the welcome series waits there)"
    for path in report.draft_steps:
        yield f"draft: {name(path)} (the welcome series waits there: set 'Status: published' to send it)"
    for item in selection.scheduled:
        yield f"scheduled: {name(item.path)} (published on {item.date})"
    for path in report.files.unlinked:
        yield f"not published: {name(path)} (no published item or partner links it)"
    for path in report.files.temporary:
        yield f"skipped: {name(path)} (an editor's temporary file)"
    for duplicate in report.duplicates:
        shown = printable(duplicate.value)
        yield f"likely duplicates (same {duplicate.kind}, {shown!r}): {', '.join(duplicate.owners)}"
    due = {e.slug: e.review_by for e in due_soon(report.roster, report.today)}
    for item in selection.shown:
        named = [slug for slug in item.partners if slug in due]
        if named:
            reviews = ", ".join(f"{slug} (review by {due[slug]})" for slug in named)
            yield f"features a partner due for review: {name(item.path)}: {reviews}"


REFERRAL_HEADER = ("partner", "introductions", "won", "lost", "no contact", "open", "value", "won of closed")


def referral_rows(summaries: Iterable[Any]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """``invoke referrals``'s table (and CSV): one row per partner's ``PartnerSummary``."""
    rows = []
    for s in summaries:
        rate = "-" if s.conversion is None else f"{s.conversion:.0%}"
        rows.append((s.partner, str(s.introductions), str(s.won), str(s.lost), str(s.no_contact), str(s.open),
                     f"{s.value:.2f}", rate))  # fmt: skip
    return REFERRAL_HEADER, rows


def write_csv(target: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
