"""Subscribers and suppressions: small CSV files kept in private/.

A bad subscriber row (not an address, a name that is not one line of text,
bytes that are not UTF-8, a field past the csv module's size limit) is
reported with its line and skipped: one row never stops a send to everyone
else. The suppressions are read strictly instead: a row that cannot be read
might be someone who unsubscribed.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import unicodedata
from dataclasses import dataclass
from email.errors import NonASCIILocalPartDefect
from email.headerregistry import Address
from email.policy import default
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from vouch.problems import Problem

NAME_MAX = 200  # characters: a name, not a document
NOT_UTF8 = "expected UTF-8 text; got other bytes (save the file as CSV UTF-8)"
LINE_BREAKS = ("Cc", "Zl", "Zp")  # control characters (CR, LF, tab, escape...) and U+2028, U+2029
ONE_ADDRESS = 'exactly one address, such as "Ann Lee <ann@example.org>"'


@dataclass(frozen=True, slots=True)
class Subscriber:
    address: str
    name: str
    subscribed: dt.date | None = None  # the optional ``subscribed`` column: none, no welcome series
    area: str = ""  # the optional ``area`` column: "Trusted near <area>" when it names an area of the directory


def address_problem(value: str) -> str | None:
    """Why ``value`` is not one bare address we can send to, or None (internationalised ones are fine)."""
    if not _is_utf8(value):
        return NOT_UTF8
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"expected an e-mail address; got {value!r} ({exc})"
    return None


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot be a recipient's name (in a To header and a greeting), or None."""
    if not _is_utf8(value):
        return NOT_UTF8
    if _breaks_lines(value):
        return f"expected one line of text; got {value!r}"
    if len(value) > NAME_MAX:
        return f"expected at most {NAME_MAX} characters; got {len(value)}"
    return None


def date_problem(value: str) -> str | None:
    """Why ``value`` is not an ISO date (``2026-11-25``), or None; empty is fine (no welcome series)."""
    if not value:
        return None
    if not _is_utf8(value):
        return NOT_UTF8
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"expected a date such as 2026-11-25 (when they joined); got {value!r}"
    return None


def one_address(value: str) -> tuple[str, str]:
    """(name, address) from what an editor typed, or ValueError: never the first of two, never a guess.

    Parsed as an RFC 5322 To header and refused on any defect, so a second
    address, a group or a line break is an error rather than dropped.
    """
    if _breaks_lines(value):
        raise ValueError(f"expected one line of text; got {value!r}")
    header = default.header_factory("To", value)
    defects = [d for d in header.defects if not isinstance(d, NonASCIILocalPartDefect)]  # SMTPUTF8 carries those
    if defects or len(header.groups) != 1 or header.groups[0].display_name is not None or len(header.addresses) != 1:
        raise ValueError(f"expected {ONE_ADDRESS}; got {value!r}")
    [found] = header.addresses
    if "@" in found.display_name:  # a reader would take it for the address
        raise ValueError(f"expected a name, not an address, before <{found.addr_spec}>; got {found.display_name!r}")
    if problem := address_problem(found.addr_spec) or name_problem(found.display_name):
        raise ValueError(problem)
    return found.display_name, found.addr_spec


def mailbox(name: str, address: str) -> Address:
    """``Name <address>`` from its parts: Address(addr_spec=) refuses a non-ASCII local part, which SMTPUTF8 carries."""
    username, _, domain = address.rpartition("@")
    return Address(display_name=name, username=username, domain=domain)


def _breaks_lines(value: str) -> bool:
    return any(unicodedata.category(c) in LINE_BREAKS for c in value)


def _is_utf8(value: str) -> bool:
    """False for text holding bytes that did not decode (kept as lone surrogates by ``surrogateescape``)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _rows(path: Path, required: str) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """(line, row) for each non-blank row, keyed by lower-case header names (a spreadsheet's
    ``Email,Name`` export works as is); plus a problem for each row the csv module cannot read.
    """
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        reader = csv.reader(handle)
        expected = f"{path}:1: expected a header row naming the column '{required}'"
        try:
            header = [name.strip().lower().replace("-", "") for name in next(reader, [])]
        except csv.Error as exc:
            raise ValueError(f"{expected}; got {exc}") from None
        if required not in header:
            got = ",".join(header) if header else "an empty file"
            raise ValueError(f"{expected}; got {got!r}")
        line = reader.line_num + 1  # where the next row starts: a quoted field may span lines
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # the reader starts afresh on the next line
                problems.append(Problem(path, line, "", f"expected a CSV row; got {exc}"))
            else:
                if any(cell.strip() for cell in row):
                    rows.append((line, dict(zip(header, row, strict=False))))
            line = reader.line_num + 1
    return rows, problems


def suppressed(path: Path) -> set[str]:
    """The suppressed addresses, lower-cased; raises ValueError on any row it cannot read."""
    if not path.exists():
        return set()
    rows, problems = _rows(path, "email")
    problems += [Problem(path, line, "email", NOT_UTF8) for line, row in rows if not _is_utf8(row.get("email", ""))]
    if problems:
        first = sorted(problems, key=lambda p: p.line or 0)[0]
        raise ValueError(f"{first} (nothing is sent until every suppression can be read)")
    return {row["email"].strip().lower() for _, row in rows}


def recipients(subscribers_csv: Path, suppressions_csv: Path) -> tuple[list[Subscriber], list[Problem]]:
    """Valid, de-duplicated (case-insensitively), not suppressed; plus a problem for each row skipped."""
    blocked = suppressed(suppressions_csv)
    rows, problems = _rows(subscribers_csv, "email")
    seen: dict[str, tuple[int, tuple[str, ...]]] = {}  # address, lower-cased -> its first line and values
    out: list[Subscriber] = []
    for line, row in rows:
        address, name = (row.get("email") or "").strip(), (row.get("name") or "").strip()
        joined, area = (row.get("subscribed") or "").strip(), (row.get("area") or "").strip()
        checks = (("email", address_problem(address)), ("name", name_problem(name)),
                  ("subscribed", date_problem(joined)), ("area", name_problem(area)))  # fmt: skip
        found = [(f, p) for f, p in checks if p]
        if found:
            problems.append(Problem(subscribers_csv, line, *found[0]))
            continue
        key = address.lower()
        if key in seen:  # sent once, but said: the row's own name, date and area would vanish unseen
            problems.append(
                Problem(subscribers_csv, line, "email", _duplicate(address, (name, joined, area), *seen[key]))
            )
            continue
        seen[key] = (line, (name, joined, area))
        if key in blocked:
            continue
        out.append(Subscriber(address, name, dt.date.fromisoformat(joined) if joined else None, area))
    return out, sorted(problems, key=lambda p: p.line or 0)


def _duplicate(address: str, values: tuple[str, ...], first: int, first_values: tuple[str, ...]) -> str:
    """The problem of a second row for an address (in any case): skipped, and which of its values differ."""
    message = f"expected each address once; got {address!r} again (line {first} has it): this row is skipped"
    differ = [field for field, a, b in zip(("name", "subscribed", "area"), values, first_values, strict=True) if a != b]
    if differ:
        fields = ", ".join(differ[:-1]) + " and " + differ[-1] if len(differ) > 1 else differ[0]
        message += f", and its {fields} {'differ' if len(differ) > 1 else 'differs'} from line {first}'s (keep one row)"
    return message


def add_suppression(path: Path, address: str) -> bool:
    """Append ``address`` (returns False if it was already there); raises ValueError if it is not one."""
    if problem := address_problem(address.strip()):
        raise ValueError(problem)
    key = address.strip().lower()
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


def add_subscriber(path: Path, address: str, name: str, subscribed: str) -> bool:
    """Add a row ``email,name,subscribed`` (False if the address is already listed, in any case).

    Columns the file has beyond these are kept (left empty in the new row); a file without a
    ``subscribed`` column gets one, its old rows left empty, written to a new file that replaces it.
    """
    if problem := address_problem(address) or name_problem(name):
        raise ValueError(problem)
    wanted = {"email": address, "name": name, "subscribed": subscribed}
    if not path.exists() or path.stat().st_size == 0:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_rows(path, list(wanted), [list(wanted.values())])
        return True
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        table = list(csv.reader(handle))
    header = [name.strip().lower().replace("-", "") for name in table[0]] if table else []
    if "email" not in header:
        raise ValueError(f"{path}:1: expected a header row naming the column 'email'")
    at = header.index("email")
    if any(len(row) > at and row[at].strip().lower() == address.lower() for row in table[1:]):
        return False
    if "subscribed" not in header:
        table[0].append("subscribed")
        header.append("subscribed")
    row = [wanted.get(column, "") for column in header]
    _write_rows(path, table[0], [*table[1:], row])
    return True


def remove_suppression(path: Path, address: str) -> bool:
    """Take ``address`` off the suppressions (it confirmed a subscription itself); False if it was not there."""
    if not path.exists():
        return False
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        table = list(csv.reader(handle))
    header = [name.strip().lower() for name in table[0]] if table else []
    if "email" not in header:
        return False
    at = header.index("email")
    kept = [row for row in table[1:] if not (len(row) > at and row[at].strip().lower() == address.lower())]
    if len(kept) == len(table) - 1:
        return False
    _write_rows(path, table[0], kept)
    return True


def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """The whole file, written beside it and renamed over it: a crash leaves the old file or the new one."""
    temporary = path.with_name(f".{path.name}.new")
    with temporary.open("w", newline="", encoding="utf-8", errors="surrogateescape") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
