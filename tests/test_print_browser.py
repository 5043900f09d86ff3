"""Print pages printed by a real browser (Debian's chromium, ``page.pdf()``), read back with poppler and every
QR code decoded by zbar: the right number of sheets, no card split over two, and codes that open exactly
the published partners' profiles."""

from __future__ import annotations

import functools
import http.server
import math
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.sitekit import demo_clock, make_site, require_tool, vetted
from tests.test_browser import ARGS, CHROMIUM, QuietHandler
from vouch_site.build import build

pytestmark = pytest.mark.slow  # a real browser, poppler and zbar

CARDS = 25  # three A4 sheets (10 + 10 + 5), four US Letter ones (8 a sheet)
SITE = "https://test.example"
LONG_NAME = (  # 150 characters (review 2, findings 8 and 9)
    "The Extraordinarily Long-Named Kingsbridge, Salcombe and Dartmouth Emergency Plumbing, "
    "Heating, Drainage and Renewable Energy Cooperative Ltd"
)
AREAS = ["Kingsbridge", "Salcombe", "Dartmouth", *(f"Village Number {n}" for n in range(17))]


def profiles() -> dict[str, dict]:
    found = {
        f"firm-{n:02d}": vetted(
            f"Firm {n:02d} Plumbing", contact={"phone": f"+44 117 496 0{n:03d}"}, areas=["Kingsbridge", "Salcombe"]
        )
        for n in range(CARDS)
    }
    found["roof"] = vetted("Spark Electrical", category="electrical")
    found["long-name"] = vetted(
        LONG_NAME, category="electrical", areas=AREAS, contact={"person": "Jo Long", "phone": "+44 117 496 0777"}
    )
    found["gone"] = vetted("Gone Plumbing Ltd", contact={"phone": "+44 117 496 0999"}) | {"status": "suspended"}
    return found


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = make_site(tmp_path_factory.mktemp("printed"), profiles())
    with demo_clock():
        build(root)
    handler = functools.partial(QuietHandler, directory=str(root / "output"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_tool(Path(CHROMIUM).exists(), f"Debian chromium missing at {CHROMIUM}")
    for tool in ("pdfinfo", "pdftotext", "pdftoppm", "zbarimg"):
        require_tool(shutil.which(tool), f"{tool} not found (Debian's poppler-utils, zbar-tools)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def printed(browser: Browser, url: str, paper: str, folder: Path) -> Path:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")  # every code drawn
    pdf = folder / f"{paper}.pdf"
    pdf.write_bytes(page.pdf(format=paper))
    context.close()
    return pdf


def sheets(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def text_of(pdf: Path, number: int) -> str:
    command = ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def decoded(png: Path) -> list[str]:
    """Every QR code zbar finds in ``png`` (exit 4: none found)."""
    result = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode in (0, 4), result.stderr
    return result.stdout.split()


def codes_in(pdf: Path, folder: Path) -> list[str]:
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(folder / pdf.stem)], check=True)
    return [url for png in sorted(folder.glob(f"{pdf.stem}-*.png")) for url in decoded(png)]


def profile(n: int) -> str:
    return f"{SITE}/partners/firm-{n:02d}/"


@pytest.mark.parametrize(("paper", "per_sheet"), [("A4", 10), ("Letter", 8)])
def test_a_trade_prints_on_the_right_number_of_sheets_and_no_card_is_split(
    browser: Browser, site_url: str, tmp_path: Path, paper: str, per_sheet: int
) -> None:
    pdf = printed(browser, f"{site_url}print/cards/plumbing/", paper, tmp_path)
    assert sheets(pdf) == math.ceil(CARDS / per_sheet)
    pages = [text_of(pdf, n) for n in range(1, sheets(pdf) + 1)]
    for n in range(CARDS):  # a card whose name and last line are on one sheet is whole on it
        name, phone = f"Firm {n:02d} Plumbing", f"0117 496 0{n:03d}"
        holding = [i for i, text in enumerate(pages) if name in text]
        assert len(holding) == 1 and phone in pages[holding[0]], (name, holding)
        assert "Vouched for by Test Network" in pages[holding[0]]
    assert [sum(f"Firm {n:02d} Plumbing" in text for n in range(CARDS)) for text in pages] == [
        min(per_sheet, CARDS - i * per_sheet) for i in range(len(pages))
    ]


def test_every_code_on_the_printed_directory_opens_a_published_profile(
    browser: Browser, site_url: str, tmp_path: Path
) -> None:
    pdf = printed(browser, f"{site_url}print/cards/", "A4", tmp_path)
    assert sheets(pdf) == math.ceil((CARDS + 2) / 10)
    expected = sorted(
        [profile(n) for n in range(CARDS)] + [f"{SITE}/partners/{slug}/" for slug in ("roof", "long-name")]
    )
    assert sorted(codes_in(pdf, tmp_path)) == expected  # each once, and none for the suspended partner


def test_every_code_on_the_screen_view_decodes_from_a_png(browser: Browser, site_url: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{site_url}print/cards/plumbing/")
    page.wait_for_load_state("networkidle")
    png = tmp_path / "screen.png"
    page.screenshot(path=str(png), full_page=True)
    context.close()
    assert sorted(decoded(png)) == sorted(profile(n) for n in range(CARDS))


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_certificate_fills_one_sheet_and_its_code_opens_the_profile(
    browser: Browser, site_url: str, tmp_path: Path, paper: str
) -> None:
    pdf = printed(browser, f"{site_url}partners/firm-03/certificate/", paper, tmp_path)
    assert sheets(pdf) == 1
    text = " ".join(text_of(pdf, 1).split())
    assert "Firm 03 Plumbing is vouched for by Test Network" in text
    assert "Scan to check this is still current" in text and "Jim Carter" in text
    assert codes_in(pdf, tmp_path) == [profile(3)]


def test_a_card_with_a_long_name_keeps_its_trade_phone_areas_and_voucher_on_the_printed_card(
    browser: Browser, site_url: str, tmp_path: Path
) -> None:
    """Laid out for print by the browser: every line of each card lies inside the card (none cut off at 55 mm)."""
    context = browser.new_context()
    page = context.new_page()
    page.emulate_media(media="print")
    page.goto(f"{site_url}print/cards/electrical/")
    page.wait_for_load_state("networkidle")
    cards = page.eval_on_selector_all(
        ".print-card",
        r"""cards => cards.map(card => {
            const box = card.getBoundingClientRect();
            const lines = [...card.querySelectorAll("p, h2")].map(line => {
                const r = line.getBoundingClientRect();
                return {text: line.textContent.replace(/\s+/g, " ").trim(), inside: r.top >= box.top && r.bottom <= box.bottom + 0.5 && r.height > 0};
            });
            const name = card.querySelector(".print-card-name");
            return {height: box.height, lines, clamped: name.scrollHeight > name.clientHeight + 1};
        })""",
    )
    context.close()
    long_card = next(card for card in cards if card["lines"][0]["text"].startswith("The Extraordinarily"))
    assert [line["text"] for line in long_card["lines"][1:]] == [
        "Electrical", "0117 496 0777", "Serving Kingsbridge, Salcombe, Dartmouth and 17 more",
        "✓ Vouched for by Test Network",
    ]  # fmt: skip
    assert long_card["clamped"]  # the name is cut short (with an ellipsis), not the lines under it
    for card in cards:
        assert all(line["inside"] for line in card["lines"]), card
        assert abs(card["height"] - 55 * 96 / 25.4) < 1  # 55 mm: the card did not grow
    pdf = printed(browser, f"{site_url}print/cards/electrical/", "A4", tmp_path)
    assert sheets(pdf) == 1 and "Vouched for by Test Network" in text_of(pdf, 1)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_certificate_with_a_long_name_still_fills_one_sheet(
    browser: Browser, site_url: str, tmp_path: Path, paper: str
) -> None:
    pdf = printed(browser, f"{site_url}partners/long-name/certificate/", paper, tmp_path)
    assert sheets(pdf) == 1
    text = " ".join(text_of(pdf, 1).split()).replace("- ", "-")  # a line may break after "Long-"
    assert f"{LONG_NAME} is vouched for by Test Network" in text and "Scan to check this is still current" in text
    assert codes_in(pdf, tmp_path) == [f"{SITE}/partners/long-name/"]
