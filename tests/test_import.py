"""``invoke import``: spreadsheets (CSV in any delimiter and encoding, .xlsx) to pending profiles."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.spreadsheet import messy_rows, write_csv
from tests.sitekit import DEMO_EPOCH, REPO, make_site, run_invoke, vetted
from vouch.duplicates import name_key
from vouch.importing.categories import CategoryMatcher
from vouch.importing.headers import map_columns
from vouch.importing.tables import read_table

HEADER = ["Business Name", "Telephone", "Website", "Type", "Town", "Instagram"]
ROWS = [
    ["Café Crème’s", "0117 496 0101", "cafe.example", "Plumber", "Kingsbridge", "@cafecreme"],
    ["Quay Electrics", "0117 496 0102; 0117 496 0103", "www.quay.example", "ELECTRICAL", "Salcombe", ""],
    ["", "0117 496 0104", "", "", "", ""],
    ["Moor <b>Water</b> Sports", "0800 12 34", "https://moor.example", "water_sports", "", ""],
    ["Yes Shop", "", "", "yes", "", "https://www.instagram.com/yesshop"],
]


def invoke(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_invoke(project, *args, env={**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(REPO / "tasks.py", tmp_path / "tasks.py")
    return make_site(tmp_path, {})


def write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    import csv

    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows([HEADER, *rows])
    return path


def profile(project: Path, slug: str) -> dict:
    return yaml.safe_load((project / "partners" / f"{slug}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be"])
def test_csv_reads_the_same_in_every_encoding_and_delimiter(tmp_path: Path, encoding: str, delimiter: str) -> None:
    """utf-16-le and -be: UTF-16 without a byte-order mark, as some exports write it."""
    table = read_table(write_rows(tmp_path / "shops.csv", ROWS, encoding, delimiter))
    assert table.columns == tuple(HEADER)
    assert [cells[0] for _, cells in table.rows] == [row[0] for row in ROWS]  # é, curly apostrophe intact
    assert [n for n, _ in table.rows] == [2, 3, 4, 5, 6]
    named = {"utf-8": "UTF-8,", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252", "utf-16": "UTF-16,",
             "utf-16-le": "UTF-16 little-endian without a byte-order mark",
             "utf-16-be": "UTF-16 big-endian without a byte-order mark"}[encoding]  # fmt: skip
    assert named in table.how and ("semicolon" if delimiter == ";" else "comma") in table.how


def test_a_utf8_file_with_stray_windows_1252_bytes_is_read_as_utf8_naming_their_lines(project: Path) -> None:
    data = ("Name,Town\nMixed Café,Totnes\n".encode() + "Other Café,Totnes\n".encode("cp1252")
            + "Third Crème,Totnes\nFourth Naïve,Totnes\n".encode())  # fmt: skip
    (project / "mixed.csv").write_bytes(data)
    table = read_table(project / "mixed.csv")
    assert [cells[0] for _, cells in table.rows] == ["Mixed Café", "Other Café", "Third Crème", "Fourth Naïve"]
    assert table.how == "UTF-8, but 1 byte on line 3 read as Windows-1252, comma-separated"
    assert table.warnings == (
        "line 3: not UTF-8 like the rest of the file: byte 0xE9 read as Windows-1252, 'é' ('Other Café,Totnes'): "
        "check the spelling",
    )
    result = invoke(project, "import", "mixed.csv", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "warnings (1):\n  line 3: not UTF-8 like the rest of the file" in result.stdout


def test_a_windows_1252_file_that_also_holds_utf8_sequences_names_their_lines(tmp_path: Path) -> None:
    data = "Name\nCafé\nNaïve\n".encode("cp1252") + "Crème\n".encode()  # two cp1252 bytes, one UTF-8 letter
    (tmp_path / "mostly1252.csv").write_bytes(data)
    table = read_table(tmp_path / "mostly1252.csv")
    assert [cells[0] for _, cells in table.rows] == ["Café", "Naïve", "CrÃ¨me"]
    assert table.how.startswith("Windows-1252,")
    assert table.warnings == (
        "line 4: read as Windows-1252 like the rest of the file, but 'Ã¨' is also UTF-8 for 'è' ('CrÃ¨me'): "
        "check the spelling",
    )


def test_a_quote_that_is_never_closed_is_named_and_its_row_skipped_never_merged_in_silence(project: Path) -> None:
    (project / "quote.csv").write_text('Name,Phone\n"Unclosed,01803 123456\nNext Co,01803 654321\n', encoding="utf-8")
    result = invoke(project, "import", "quote.csv", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would write 0 profiles" in result.stdout
    assert "row 2: the name runs over 2 lines ('Unclosed,01803 123456\\nNext Co,01803 654321'): " \
           "a quote that is never closed? Close it, then import again" in result.stdout  # fmt: skip
    assert "  row 2 (lines 2-3): a cell runs over 2 lines and holds ',' ('Unclosed,01803 123456\\nNext Co,01803 " \
           "654321\\n'): a quote that is never closed? The rows in it are not read as rows" in result.stdout  # fmt: skip


def test_a_quoted_cell_over_two_lines_is_one_cell_and_a_line_separator_ends_no_row(tmp_path: Path) -> None:
    text = 'Name;Address\nHarbour;"1 Quay\nSalcombe"\nQuay\u2028Cafe;2 Quay\r\nMoor;3 Moor\n'
    (tmp_path / "cells.csv").write_text(text, encoding="utf-8", newline="")
    table = read_table(tmp_path / "cells.csv")
    assert table.rows == (
        (2, ("Harbour", "1 Quay\nSalcombe")),
        (3, ("Quay\u2028Cafe", "2 Quay")),
        (4, ("Moor", "3 Moor")),
    )
    assert table.warnings == ()


def test_xlsx_written_by_openpyxl_imports_and_gets_back_a_dropped_leading_zero(project: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Company", "Mobile", "E-mail", "Trade"])
    sheet.append(["Harbour Plumbing", 1174960100, "fred@harbour.example", "plumbing"])  # Excel made it a number
    sheet.append([None, None, None, None])
    sheet.append(["Estuary Electrical", "+44 117 496 0111", "mailto:info@estuary.example", "Electrical"])
    book.save(project / "shops.xlsx")
    result = invoke(project, "import", "shops.xlsx")
    assert result.returncode == 0, result.stderr
    assert "read 2 rows (Excel workbook, sheet 'Sheet')" in result.stdout
    assert profile(project, "harbour-plumbing")["contact"] == {"phone": "01174960100", "email": "fred@harbour.example"}
    assert profile(project, "estuary-electrical")["contact"]["email"] == "info@estuary.example"
    assert invoke(project, "check").returncode == 0


def test_an_xlsx_formula_without_a_saved_value_is_named_never_dropped_in_silence(project: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Company", "Mobile", "Trade"])
    sheet.append(["Harbour Plumbing", "0117 496 0100", "plumbing"])
    sheet.append(["Formula Co", "=1+1", "plumbing"])  # openpyxl saves no value for a formula, as some tools do
    book.save(project / "book.xlsx")
    warning = ("row 3, column 'Mobile' (cell B3): a formula with no saved value ('=1+1'): open the file in Excel "
               "and save it, then import again")  # fmt: skip
    assert read_table(project / "book.xlsx").warnings == (warning,)
    result = invoke(project, "import", "book.xlsx", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert f"warnings (1):\n  {warning}\n" in result.stdout and "would write 2 profiles" in result.stdout


def test_openstreetmap_headers_are_recognised() -> None:
    columns = ("name", "shop", "craft", "addr:housenumber", "addr:street", "addr:city", "addr:postcode",
               "contact:phone", "contact:website", "contact:email", "contact:instagram", "opening_hours", "fixme")  # fmt: skip
    mapping = map_columns(columns, {})
    assert {field: [columns[i] for i in found] for field, found in mapping.fields.items()} == {
        "name": ["name"],
        "category": ["shop", "craft"],
        "contact.address.housenumber": ["addr:housenumber"],
        "contact.address.street": ["addr:street"],
        "contact.address.locality": ["addr:city"],
        "contact.address.postcode": ["addr:postcode"],
        "contact.phone": ["contact:phone"],
        "contact.website": ["contact:website"],
        "contact.email": ["contact:email"],
        "contact.social": ["contact:instagram"],
        "opening_hours": ["opening_hours"],
    }
    assert mapping.unused == ("fixme",)


def test_map_overrides_and_names_a_wrong_field_or_column() -> None:
    mapping = map_columns(("Firm", "Notes", "Tel"), {"name": "firm", "summary": "Notes"})
    assert mapping.fields == {"name": (0,), "summary": (1,), "contact.phone": (2,)}
    with pytest.raises(ValueError, match=r"--map contact\.phnoe=Tel: expected one of .*did you mean 'contact\.phone'"):
        map_columns(("Tel",), {"contact.phnoe": "Tel"})
    with pytest.raises(ValueError, match="no column 'Fon'; the columns are 'Tel'"):
        map_columns(("Tel",), {"contact.phone": "Fon"})


def test_categories_match_by_case_separators_and_closest_key_else_become_new_keys() -> None:
    matcher = CategoryMatcher({"plumbing": "Plumbing", "water-sports": "Water sports", "electrical": "Electrical"})
    changes: list[str] = []
    assert matcher.category(["PLUMBING"], changes) == ("plumbing", False)
    assert matcher.category(["water_sports"], changes) == ("water-sports", False)
    assert matcher.category(["Plumber"], changes) == ("plumbing", False)
    assert matcher.category(["electricl"], changes) == ("electrical", False)
    assert matcher.category(["beauty;hairdresser;"], changes) == ("beauty", False)
    assert matcher.category(["Hairdresser"], changes) == ("hairdresser", False)
    assert matcher.category(["hairdressers"], changes) == ("hairdresser", False)
    for no_trade in (["yes"], ["no"], ["3"], [""], []):
        assert matcher.category(no_trade, changes) == ("uncategorised", True)
    assert matcher.added == {"beauty": "Beauty", "hairdresser": "Hairdresser", "uncategorised": "Uncategorised"}
    assert "category: 'water_sports' -> water-sports (same key)" in changes
    assert "category: 'beauty; hairdresser' -> beauty (new key) (also given: hairdresser)" in changes
    assert CategoryMatcher({"plumbing": "Plumbing"}, fixed="plumbing").category(["yes"], []) == ("plumbing", False)


@pytest.mark.parametrize("cell", ["n/a", "N/A", "none", "-", "—", "n.a.", "unknown", "TBC"])
def test_a_placeholder_in_a_contact_cell_is_no_value_not_a_phone(cell: str) -> None:
    from vouch.importing import clean

    notes = clean.Notes()
    assert clean.phones([cell], "GB", notes) is None
    assert clean.emails([cell], notes) is None
    assert clean.website(cell, notes) is None
    assert notes.warnings == [] and notes.private == {}
    assert notes.changes == [f"{field}: {cell!r} read as no value" for field in
                             ("contact.phone", "contact.email", "contact.website")]  # fmt: skip


@pytest.mark.parametrize("cell", ["24/7", " 24/7 ", "24/7;"])
def test_openstreetmap_24_7_is_every_day_all_day_in_the_profile_form(cell: str) -> None:
    """OSM's valid ``24/7`` (SPEC §2 spells hours Mo-Fr 08:00-17:30): open every day, 00:00-24:00."""
    from vouch.importing import clean
    from vouch.model import OPENING_HOURS_RE

    notes = clean.Notes()
    assert clean.opening_hours(cell, notes) == ["Mo-Su 00:00-24:00"]
    assert re.match(OPENING_HOURS_RE, "Mo-Su 00:00-24:00")
    assert notes.private == {} and notes.warnings == []
    assert notes.changes == ["opening_hours: '24/7' written as 'Mo-Su 00:00-24:00'"]


def test_name_key_folds_case_punctuation_and_and_legal_forms() -> None:
    assert name_key("Smith & Sons Ltd.") == name_key("SMITH AND SONS LIMITED") == name_key("smith and sons")
    assert name_key("Café Crème") == name_key("cafe creme")
    assert name_key("Smith & Co") != name_key("Smith")


def test_import_cleans_each_row_and_reports_every_change(project: Path) -> None:
    result = invoke(project, "import", str(write_rows(project / "shops.csv", ROWS)), "--area", "South Hams")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    cafe = profile(project, "cafe-cremes")
    assert cafe["status"] == "pending" and cafe["category"] == "plumbing"
    assert cafe["contact"]["website"] == "https://cafe.example"
    assert cafe["private"] == {"imported": {"social_handles": ["Instagram: @cafecreme"]}}
    assert cafe["areas"] == ["South Hams"]  # --area: no column names areas (a town is the address)
    assert cafe["contact"]["address"] == {"locality": "Kingsbridge"}
    quay = profile(project, "quay-electrics")
    assert quay["contact"]["phone"] == "0117 496 0102" and quay["category"] == "electrical"
    assert quay["private"] == {"imported": {"other_phones": ["0117 496 0103"]}}
    moor = profile(project, "moor-water-sports")
    assert moor["name"] == "Moor Water Sports" and moor["category"] == "water-sports"
    assert "phone" not in moor["contact"] and moor["private"]["imported"]["phones_to_confirm"] == ["0800 12 34"]
    assert moor["areas"] == ["South Hams"]
    assert profile(project, "yes-shop")["category"] == "uncategorised"
    assert profile(project, "yes-shop")["contact"]["social"] == ["https://www.instagram.com/yesshop"]
    text = (project / "partners" / "cafe-cremes.yaml").read_text(encoding="utf-8")
    assert '#   "Website": "cafe.example"' in text and "contact.website: https:// added to 'cafe.example'" in text
    assert "read 5 rows (UTF-8, comma-separated)" in out
    assert "wrote 4 profiles (status: pending) in partners/" in out
    assert "skipped 1 row:\n  row 4: no name" in out
    assert "row 5 (partners/moor-water-sports.yaml): contact.phone: '0800 12 34' is not a number" in out
    assert "phone_as_written: true" in out
    assert "categories added to partners/_categories.yaml (write their descriptions): water-sports" in out
    assert "uncategorised (no trade given: choose a category): partners/yes-shop.yaml" in out
    registry = yaml.safe_load((project / "partners" / "_categories.yaml").read_text(encoding="utf-8"))
    assert registry["water-sports"] == {
        "title": "Water sports",
        "description": "Imported from shops.csv: needs writing.",
    }
    check = invoke(project, "check")
    assert check.returncode == 0, check.stderr
    assert "5 profiles" not in check.stdout and "4 profiles (4 pending)" in check.stdout


def test_duplicates_of_profiles_and_earlier_rows_are_named_and_not_written(project: Path) -> None:
    make_site(project, {"harbour": vetted("Harbour Plumbing & Heating Ltd", contact={"phone": "0117 496 0100"})})
    before = (project / "partners" / "harbour.yaml").read_bytes()
    rows = [
        ["HARBOUR PLUMBING AND HEATING", "", "", "plumbing", "", ""],
        ["Other Name", "+44 117 496 0100", "", "plumbing", "", ""],
        ["Quay Cafe", "", "https://quay.example/", "plumbing", "", ""],
        ["Quay Café Limited", "", "", "plumbing", "", ""],
        ["Third Name", "", "http://www.QUAY.example", "plumbing", "", ""],
    ]
    result = invoke(project, "import", str(write_rows(project / "s.csv", rows)))
    assert result.returncode == 0, result.stderr
    assert "row 2: duplicate of partners/harbour.yaml (same name)" in result.stdout
    assert "row 3: duplicate of partners/harbour.yaml (same phone)" in result.stdout
    assert "row 5: duplicate of row 4 (partners/quay-cafe.yaml) (same name)" in result.stdout
    assert "row 6: duplicate of row 4 (partners/quay-cafe.yaml) (same website)" in result.stdout
    assert "wrote 1 profile " in result.stdout
    assert (project / "partners" / "harbour.yaml").read_bytes() == before


def test_importing_the_same_file_twice_writes_nothing_new(project: Path) -> None:
    source = str(write_rows(project / "shops.csv", ROWS))
    assert invoke(project, "import", source).returncode == 0
    before = {p.name: p.read_bytes() for p in (project / "partners").iterdir()}
    again = invoke(project, "import", source)
    assert again.returncode == 0, again.stderr
    assert "wrote 0 profiles" in again.stdout and "categories added" not in again.stdout
    assert {p.name: p.read_bytes() for p in (project / "partners").iterdir()} == before


def test_a_slug_already_taken_by_another_business_gets_a_number_never_the_file(project: Path) -> None:
    make_site(
        project, {"quay-electrics": {"name": "Quay-Electrics Group", "status": "pending", "category": "plumbing"}}
    )
    before = (project / "partners" / "quay-electrics.yaml").read_bytes()
    assert invoke(project, "import", str(write_rows(project / "s.csv", ROWS[1:2]))).returncode == 0
    assert (project / "partners" / "quay-electrics.yaml").read_bytes() == before
    assert profile(project, "quay-electrics-2")["name"] == "Quay Electrics"


def test_dry_run_prints_the_same_summary_and_writes_nothing(project: Path) -> None:
    source = str(write_rows(project / "shops.csv", ROWS))
    before = {p.name: p.read_bytes() for p in (project / "partners").iterdir()}
    dry = invoke(project, "import", source, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert {p.name: p.read_bytes() for p in (project / "partners").iterdir()} == before
    real = invoke(project, "import", source)
    assert "would write 4 profiles" in dry.stdout and "wrote 4 profiles" in real.stdout
    assert "--dry-run: nothing was written" in dry.stdout
    summary_only = ("done in", "would", "wrote", "categories")
    assert [x for x in dry.stdout.splitlines() if not x.startswith(summary_only)] == [
        x for x in real.stdout.splitlines() if not x.startswith(summary_only)
    ]


def test_category_option_puts_every_row_in_one_and_must_be_a_key(project: Path) -> None:
    source = str(write_rows(project / "shops.csv", ROWS))
    wrong = invoke(project, "import", source, "--category", "plumbng")
    assert wrong.returncode == 2
    assert "--category plumbng: expected a key of partners/_categories.yaml" in wrong.stderr
    assert "did you mean 'plumbing'" in wrong.stderr
    assert invoke(project, "import", source, "--category", "electrical").returncode == 0
    categories = {profile(project, p.stem)["category"] for p in (project / "partners").glob("[!_]*.yaml")}
    assert categories == {"electrical"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "vouch: missing.csv: no such file"),
        (["shops.txt.pdf"], "expected a .csv or .xlsx file; got .pdf"),
        (["shops.csv", "--map", "nonsense"], "--map nonsense: expected FIELD=COLUMN"),
        (
            ["shops.csv", "--map", "name=Firma", "--map", " name = Tel"],
            "vouch: --map name=Tel: expected one column per field; got --map name=Firma too",
        ),
        (["quote.csv"], "vouch: line 2: field larger than field limit (131072) (a quote that is never closed?)"),
        (["fake.xlsx"], "vouch: fake.xlsx: not an .xlsx workbook Vouch can read (File is not a zip file)"),
        (["nul.csv"], "vouch: nul.csv: expected UTF-8 or UTF-16 text; got a NUL byte at byte 12 (line 2): save the"),
        (["odd16.csv"], "vouch: odd16.csv: looks like UTF-16 without a byte-order mark, but does not decode as it"),
        (["empty.csv"], "vouch: the file holds no rows (expected a header row, then one row per business)"),
        (["folder.csv"], "vouch: folder.csv: a folder, not a file: expected a .csv or .xlsx file"),
        (["folder"], "vouch: folder: a folder, not a file: expected a .csv or .xlsx file"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(project: Path, args: list[str], message: str) -> None:
    write_rows(project / "shops.csv", ROWS)
    (project / "shops.txt.pdf").write_bytes(b"%PDF")
    (project / "quote.csv").write_text('name\n"Harbour' + "x" * 140_000, encoding="utf-8")
    (project / "fake.xlsx").write_text("name\nHarbour\n", encoding="utf-8")
    (project / "nul.csv").write_bytes(b"name\nHarbour\x00\x00\x00\x00 Ltd\n")  # a binary file renamed
    (project / "odd16.csv").write_bytes("name\nHarbour\n".encode("utf-16-le") + b"\x00\xd8" + b"x")  # cut short
    (project / "empty.csv").write_bytes(b"")
    (project / "folder.csv").mkdir()
    (project / "folder").mkdir()
    result = invoke(project, "import", *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in (project / "partners").iterdir()) == ["_categories.yaml", "_checks.yaml"]


def test_a_file_without_a_name_column_asks_for_map(project: Path) -> None:
    (project / "s.csv").write_text("Firm;Tel\nHarbour;0117 496 0100\n", encoding="utf-8")
    result = invoke(project, "import", "s.csv")
    assert (
        result.returncode == 2
        and "no column holds the business name ('Firm', 'Tel'): add --map name=COLUMN" in result.stderr
    )
    assert invoke(project, "import", "s.csv", "--map", "name=Firm").returncode == 0
    assert profile(project, "harbour")["contact"]["phone"] == "0117 496 0100"


def test_a_row_too_large_for_a_profile_is_skipped_saying_why(project: Path) -> None:
    columns = ["name", "description", "a", "b"]
    rows = [["Big", "x" * 100_000, "y" * 100_000, "z" * 100_000], ["Small", "ok", "", ""]]
    import csv

    with (project / "big.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([columns, *rows])
    result = invoke(project, "import", "big.csv")
    assert result.returncode == 0, result.stderr
    assert "row 2: too large for a profile (" in result.stdout and "wrote 1 profile " in result.stdout
    assert invoke(project, "check").returncode == 0


@pytest.mark.slow
def test_a_messy_openstreetmap_export_of_520_rows_imports_and_passes_check(project: Path) -> None:
    source = write_csv(project / "osm.csv", messy_rows(520))
    started = time.perf_counter()
    result = invoke(project, "import", str(source))
    took = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    print(f"\nimport of 520 messy rows: {took:.2f} s\n" + "\n".join(line[:160] for line in lines[:4] + lines[-2:]))
    written = len(list((project / "partners").glob("[!_]*.yaml")))
    assert f"wrote {written} profiles" in result.stdout and 400 < written < 520
    assert "no name" in result.stdout and "(same name)" in result.stdout
    check = invoke(project, "check")
    assert check.returncode == 0, check.stderr[-2000:]
    assert invoke(project, "import", str(source)).stdout.count("\nwrote 0 profiles") == 1


@pytest.mark.slow
def test_import_speed_of_1000_rows_is_printed(project: Path) -> None:
    source = write_csv(project / "big.csv", messy_rows(1000, seed=2), encoding="cp1252", delimiter=";")
    started = time.perf_counter()
    result = invoke(project, "import", str(source))
    took = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert "Windows-1252, semicolon-separated" in result.stdout
    print(f"\nimport of 1,000 rows (Windows-1252, semicolon-separated): {took:.2f} s (budget 5 s)")


CELL = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["yes", "3", "beauty;hairdresser;", "0117 496 0100", "0800 12 34", "harbour.example", "@h",
                     "a@b.example", "mailto:x", "<b>Bold</b> & co", "Mo-Fr 08:00-17:30", "GB", "uk", "\u2028", ""]),
)  # fmt: skip
IMPORT_COLUMNS = ("name", "shop", "phone", "website", "email", "instagram", "areas", "description", "opening_hours",
                  "addr:housenumber", "addr:street", "addr:country", "contact person")  # fmt: skip


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(*[CELL] * len(IMPORT_COLUMNS)), min_size=1, max_size=4))
def test_every_profile_an_import_plans_passes_the_profile_checks(tmp_path: Path, rows: list[tuple[str, ...]]) -> None:
    from vouch.importing.rows import ImportOptions, plan_import
    from vouch.importing.tables import Table
    from vouch.profiles import Options, validate_one

    table = Table(IMPORT_COLUMNS, tuple((n, row) for n, row in enumerate(rows, start=2)), "test")
    matcher = CategoryMatcher({"plumbing": "Plumbing"})
    plan = plan_import(table, map_columns(IMPORT_COLUMNS, {}), ImportOptions("t.csv"), matcher, [], set())
    categories = ["plumbing", *plan.categories_added]
    for planned in plan.profiles:
        path = tmp_path / f"{planned.slug}.yaml"
        path.write_text(planned.text, encoding="utf-8")
        loaded = validate_one(path, Options(), categories, [])
        assert not isinstance(loaded, list), (planned.text, [str(p) for p in loaded])
        assert loaded.file.status == "pending"
    assert len(plan.profiles) + len(plan.skipped) == len(rows)


GREEK = [["όνομα", "πόλη"]] + [["Ηλεκτρολόγος Παπαδόπουλος Αθηνά", "Κινγκσμπριτζ"]] * 5


@pytest.mark.parametrize(("codec", "how"), [("utf-16-le", "little-endian"), ("utf-16-be", "big-endian")])
def test_greek_only_utf16_without_a_bom_is_read(codec: str, how: str) -> None:
    """Review 3, finding 11: Greek letters have no NUL byte, so only the commas and line ends hold NULs."""
    from vouch.importing.encodings import decode

    text = "\r\n".join(",".join(row) for row in GREEK) + "\r\n"
    decoded = decode(text.encode(codec))
    assert decoded.text == text and decoded.how == f"UTF-16 {how} without a byte-order mark"


def test_utf32_is_read_and_named_and_a_stray_nul_is_placed() -> None:
    from vouch.importing.encodings import decode

    assert decode("name,phone\r\nA,1\r\n".encode("utf-32")) == decode(b"name,phone\r\nA,1\r\n").__class__(
        "name,phone\r\nA,1\r\n", "UTF-32"
    )
    with pytest.raises(ValueError) as stray:
        decode(b"name\nHarbour\n\x00")
    assert str(stray.value) == (
        "expected UTF-8 or UTF-16 text; got a NUL byte at byte 13 (line 3): save the file as CSV UTF-8"
    )


def test_utf32_big_endian_is_read_too() -> None:
    from vouch.importing.encodings import decode

    assert decode("name\nA\n".encode("utf-32-be").join([b"\x00\x00\xfe\xff", b""])).how == "UTF-32"


def test_map_compares_columns_as_it_matches_them_and_one_column_feeds_one_field() -> None:
    """Review 3, finding 12: 'Business Name' and 'business name' are one column (no conflict); one column given
    to two fields (every profile named after its phone number) is refused in one line."""
    from vouch_site.importer import ImportRefused, parse_maps

    assert parse_maps(["name=Business Name", "name=business  name"]) == {"name": "Business Name"}
    with pytest.raises(ImportRefused) as refused:
        parse_maps(["contact.phone=Telephone", "name=telephone"])
    assert str(refused.value) == (
        "--map name=telephone: expected one field per column; got --map contact.phone=Telephone too"
    )
