"""Read a spreadsheet (CSV in any delimiter and the encodings Excel writes, or .xlsx) as rows of text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vouch.importing.encodings import Decoded, decode

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
DELIMITERS = ",;\t|"
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}


@dataclass(frozen=True, slots=True)
class Table:
    """A header and the rows below it; ``rows`` pairs each with its spreadsheet row number (the header is row 1)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    how: str  # how it was read, for the summary: "UTF-8, semicolon-separated"
    warnings: tuple[str, ...] = ()  # about the file as a whole, for the summary: "line 3: ..."
    run_on: frozenset[int] = frozenset()  # rows over several lines that look like a quote never closed


def read_table(path: Path) -> Table:
    """The file's first sheet; ValueError (one line, for the editor) when it cannot be read."""
    suffix = path.suffix.lower()
    if path.is_dir():
        raise ValueError(f"{path}: a folder, not a file: expected a .csv or .xlsx file, one business a row")
    if suffix not in SUFFIXES:
        raise ValueError(f"{path.name}: expected a .csv or .xlsx file; got {suffix or 'no extension'}")
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if suffix == ".xlsx":
        return _read_xlsx(path)
    data = path.read_bytes()
    try:
        decoded = decode(data)
    except ValueError as exc:  # NUL bytes: not text in an encoding Vouch can tell
        raise ValueError(f"{path.name}: {exc}") from None
    return _read_csv(decoded)


def _read_csv(decoded: Decoded) -> Table:
    text = decoded.text
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)  # rows end at CR/LF only, not U+2028
    lines: list[list[str]] = []
    warnings: list[str] = []
    run_on: set[int] = set()
    last, width = 0, 0
    try:
        for record in reader:
            first, last = last + 1, reader.line_num
            lines.append(record)
            if not width:  # the header
                width = len(record) if any(cell.strip() for cell in record) else 0
            elif first < last and (warning := _run_on(len(lines), first, last, record, delimiter, width)):
                warnings.append(warning)
                run_on.add(len(lines))
    except csv.Error as exc:  # a cell over the csv module's 128 KB, often a quote that is never closed
        raise ValueError(f"line {reader.line_num}: {exc} (a quote that is never closed?)") from None
    how = f"{decoded.how}, {_DELIMITER_NAMES[delimiter]}-separated"
    return _table(lines, how, (*decoded.warnings, *warnings), frozenset(run_on))


def _run_on(row: int, first: int, last: int, record: list[str], delimiter: str, width: int) -> str:
    """A row over several lines whose cell holds the delimiter too, or of the wrong width: likely a quote
    that is never closed, so the rows below it were read as one cell (the row is named, never silent)."""
    for cell in record:
        if ("\n" in cell or "\r" in cell) and (delimiter in cell or len(record) != width):
            shown = cell if len(cell) <= 60 else cell[:57] + "..."
            odd = f"holds {delimiter!r}" if delimiter in cell else f"is in a row of {len(record)} cells, not {width}"
            return (
                f"row {row} (lines {first}-{last}): a cell runs over {last - first + 1} lines and {odd} "
                f"({shown!r}): a quote that is never closed? The rows in it are not read as rows"
            )
    return ""


def _delimiter(text: str) -> str:
    """The Sniffer's guess from the first rows, if the header holds it; else the header's commonest candidate."""
    lines = text[: 64 * 1024].splitlines(keepends=True)[:50]
    header = next((line for line in lines if line.strip()), "")
    try:
        guess = csv.Sniffer().sniff("".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:  # rows of different lengths, or one column
        guess = ""
    if guess and guess in header:
        return guess
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_xlsx(path: Path) -> Table:
    """Values as Excel last saved them; a formula without a saved value (a file written by a program that does
    not calculate) is named in a warning, never dropped in silence."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    def opened(data_only: bool) -> Any:
        try:
            return load_workbook(path, read_only=True, data_only=data_only)
        except (zipfile.BadZipFile, OSError, KeyError) as exc:
            raise ValueError(f"{path.name}: not an .xlsx workbook Vouch can read ({exc})") from None

    book = opened(False)  # formulas as formulas: other cells read the same either way
    try:
        sheet = book.active or book.worksheets[0]
        cells = [[(cell.value, getattr(cell, "data_type", "") == "f") for cell in row] for row in sheet.iter_rows()]
        title = sheet.title
    finally:
        book.close()
    formulas = {(r, c): value for r, row in enumerate(cells) for c, (value, is_formula) in enumerate(row) if is_formula}
    saved: dict[tuple[int, int], object] = {}
    if formulas:
        book = opened(True)
        try:
            sheet = book.active or book.worksheets[0]
            for r, row in enumerate(sheet.iter_rows(values_only=True)):
                saved.update(((r, c), value) for c, value in enumerate(row) if (r, c) in formulas)
        finally:
            book.close()
    lines = [[_cell_text(saved.get((r, c)) if f else value) for c, (value, f) in enumerate(row)]
             for r, row in enumerate(cells)]  # fmt: skip
    header = next((line for line in lines if any(line)), [])
    warnings = tuple(
        f"row {r + 1}, column {header[c] if c < len(header) else ''!r} (cell {get_column_letter(c + 1)}{r + 1}): "
        f"a formula with no saved value ({formula!r}): open the file in Excel and save it, then import again"
        for (r, c), formula in sorted(formulas.items())
        if saved.get((r, c)) is None
    )
    return _table(lines, f"Excel workbook, sheet {title!r}", warnings)


def _cell_text(value: object) -> str:
    """A cell as the spreadsheet shows it: 1548123456.0 is 1548123456, a date is ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value)


def _table(
    lines: list[list[str]], how: str, warnings: tuple[str, ...] = (), run_on: frozenset[int] = frozenset()
) -> Table:
    """The first non-empty line is the header; blank lines below it keep their row numbers but are dropped."""
    numbered = [(n, tuple(cell.strip() for cell in line)) for n, line in enumerate(lines, start=1)]
    numbered = [(n, cells) for n, cells in numbered if any(cells)]
    if not numbered:
        raise ValueError("the file holds no rows (expected a header row, then one row per business)")
    (_, header), *rows = numbered
    width = len(header)
    padded = tuple((n, (cells + ("",) * width)[:width]) for n, cells in rows)
    return Table(header, padded, how, warnings, run_on)
