"""Subscribers and suppressions: small CSV files kept in private/."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from email_validator import EmailNotValidError, validate_email


@dataclass(frozen=True, slots=True)
class Subscriber:
    address: str
    name: str


def _rows(path: Path, required: str) -> list[dict[str, str]]:
    """Rows keyed by lower-case header names, so a spreadsheet's ``Email,Name`` export works as is."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [name.strip().lower().replace("-", "") for name in next(reader, [])]
        if required not in header:
            got = ",".join(header) if header else "an empty file"
            raise ValueError(f"{path}:1: expected a header row naming the column '{required}'; got {got!r}")
        return [dict(zip(header, row, strict=False)) for row in reader if any(cell.strip() for cell in row)]


def suppressed(path: Path) -> set[str]:
    return {row["email"].strip().lower() for row in _rows(path, "email")} if path.exists() else set()


def recipients(subscribers_csv: Path, suppressions_csv: Path) -> tuple[list[Subscriber], list[str]]:
    """Valid, de-duplicated (case-insensitively), not suppressed; plus the rows that were skipped."""
    blocked = suppressed(suppressions_csv)
    seen: set[str] = set()
    out: list[Subscriber] = []
    skipped: list[str] = []
    for number, row in enumerate(_rows(subscribers_csv, "email"), start=2):
        address = (row.get("email") or "").strip()
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            skipped.append(f"{subscribers_csv}:{number}: not an e-mail address: {address!r}")
            continue
        key = address.lower()
        if key in seen or key in blocked:
            continue
        seen.add(key)
        out.append(Subscriber(address, (row.get("name") or "").strip()))
    return out, skipped


def add_suppression(path: Path, address: str) -> bool:
    """Append ``address`` (returns False if it was already there); raises ValueError if it is not one."""
    key = address.strip().lower()
    try:
        validate_email(key, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"expected an e-mail address; got {address!r} ({exc})") from None
    if key in suppressed(path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(["email"])
        writer.writerow([key])
    return True
