"""The directory's look as markup: one listing card everywhere, share text and images, the design rules."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from tests.sitekit import make_site, vetted
from vouch.render.humanize import excerpt, monogram, some_areas
from vouch_site.build import build

THEME = Path(__file__).resolve().parent.parent / "theme"
CARD = re.compile(r'<li class="card">(.*?)</li>', re.S)


def cards(html: str) -> dict[str, str]:
    """Each card on a page by partner slug, with its links made root-relative and its heading level removed."""
    found = {}
    for body in CARD.findall(html):
        slug = re.search(r'href="[./]*partners/([^/]+)/"', body)
        assert slug, body
        found[slug.group(1)] = re.sub(r'(href|src)="[./]*', r'\1="', re.sub(r"<(/?)h[1-6]", r"<\1h", body))
    return found


@pytest.fixture(scope="module")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seven partners, past a directory page size of five: the A-Z splits into letter pages."""
    root = tmp_path_factory.mktemp("split")
    profiles = {f"p{i}": vetted(f"{'AB9'[i % 3]}firm {i}", summary=f"Summary {i}.", areas=["Totnes"]) for i in range(7)}
    make_site(root, profiles)
    build(root, overrides={"DIRECTORY_PAGE_SIZE": 5, "LISTING_PAGE_SIZE": 50})
    return root / "output"


def test_every_demo_listing_shows_the_same_card_for_a_partner(demo_output: Path) -> None:
    pages = ["index.html", "directory/index.html", "directory/plumbing/index.html", "areas/kingsbridge/index.html"]
    seen: dict[str, set[str]] = {}
    for rel in pages:
        found = cards((demo_output / rel).read_text())
        assert found, f"no card on {rel}"
        for slug, card in found.items():
            seen.setdefault(slug, set()).add(card)
    for slug, variants in seen.items():  # a trade's own page leaves the trade out of the card, nothing else
        assert len({re.sub(r'<p class="card-meta">.*?</p>', "", v) for v in variants}) == 1, slug
    card = max(seen["harbour-plumbing"], key=len)
    assert 'class="card-logo"' in card and "Harbour Plumbing &amp; Heating</a>" in card
    assert "Kingsbridge" in card and "Gas Safe" in card  # areas and summary
    assert re.search(r'Vetted <time datetime="\d{4}-\d\d-\d\d">', card)


def test_a_partner_without_a_logo_shows_a_monogram_on_every_listing(split_site: Path) -> None:
    pages = [
        "directory/a/index.html",
        "directory/0-9/index.html",
        "directory/plumbing/index.html",
        "areas/totnes/index.html",
    ]
    for rel in pages:
        found = cards((split_site / rel).read_text())
        assert found, f"no card on {rel}"
        assert all('<span class="card-logo mono" aria-hidden="true">' in c for c in found.values()), rel
    letter = cards((split_site / "directory/a/index.html").read_text())
    assert set(letter) == {"p0", "p3", "p6"}
    assert '<span class="card-logo mono" aria-hidden="true">A</span>' in letter["p0"]
    assert "Summary 0." in letter["p0"] and "Totnes" in letter["p0"]


def test_the_search_page_holds_an_empty_card_for_results_by_filter(demo_output: Path) -> None:
    html = (demo_output / "search/index.html").read_text()
    template = re.search(r'<template id="card-template">(.*?)</template>', html, re.S)
    assert template and '<li class="card">' in template.group(1) and 'class="card-meta"' in template.group(1)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Harbour Plumbing & Heating", "HP"),
        ("The Avon Valley Accountants", "AV"),
        ("24-7 Locksmiths Devon", "LD"),
        ("123", "1"),
        ("élan", "É"),
    ],
)
def test_monogram_is_the_initials_of_the_first_two_real_words(name: str, expected: str) -> None:
    assert monogram(name) == expected


def test_excerpt_ends_at_a_word_and_says_it_was_cut() -> None:
    assert excerpt("A boiler service, then a gun. More text follows here.", 30) == "A boiler service, then a gun…"
    assert excerpt("Short enough.", 30) == "Short enough."


def test_profile_share_text_says_who_what_where_and_why_trust_them(demo_output: Path) -> None:
    html = (demo_output / "partners/24-7-locksmiths-devon/index.html").read_text()
    title = re.search(r'<meta property="og:title" content="([^"]*)">', html).group(1)
    description = re.search(r'<meta property="og:description" content="([^"]*)">', html).group(1)
    assert title == "24/7 Locksmiths Devon: Locksmiths &amp; Security in Ivybridge, Modbury and 2 more"
    assert description.startswith("Vetted by South Hams Trusted Traders, vouched for by Jim Carter; next review ")
    assert len(description) <= 200 and not description.endswith(" …")


def test_pages_without_a_raster_logo_share_the_theme_image_at_an_absolute_url(demo_output: Path) -> None:
    html = (demo_output / "index.html").read_text()
    assert '<meta property="og:image" content="https://trusted.southhams.example/theme/share.png">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    png = (demo_output / "theme/share.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1200, 630)
    assert (demo_output / "theme/favicon-32.png").exists()


def test_profile_puts_name_trust_line_and_actions_before_the_details(demo_output: Path) -> None:
    html = (demo_output / "partners/harbour-plumbing/index.html").read_text()
    order = ["<h1", 'class="trust"', 'href="#vetting"', 'class="actions"', 'href="tel:', 'id="vetting"', "About</h2>"]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert len(html.encode()) <= 30_000


def test_the_stylesheet_keeps_its_design_rules_and_budget() -> None:
    css = (THEME / "static/site.css").read_text()
    assert len(css.encode()) <= 30_000
    for rule in ("--step-0:", "--space-4:", "--measure:", "--brand:"):
        assert rule in css
    light, dark = css.split("@media (prefers-color-scheme: dark)", 1)
    colours = set(re.findall(r"(--[a-z-]+): #", light))
    assert colours and colours == set(re.findall(r"(--[a-z-]+): #", dark.split("}\n}", 1)[0]))  # a dark twin each


def test_a_card_names_three_areas_then_says_how_many_more() -> None:
    from vouch.public import Area

    areas = [Area(name, name.lower()) for name in ("Totnes", "Dartmouth", "Kingsbridge", "Salcombe", "Modbury")]
    assert some_areas(areas[:4]) == "Totnes, Dartmouth, Kingsbridge, Salcombe"  # "and 1 more" saves nothing
    assert some_areas(areas) == "Totnes, Dartmouth, Kingsbridge and 2 more"


def test_screenshots_cover_every_page_type_of_the_demo(demo_output: Path) -> None:
    from vouch_site.screenshots import page_types

    shots = {s.name: s.path for s in page_types(demo_output, "boiler")}
    assert set(shots) == {"404", "area", "areas", "article", "articles", "directory", "home", "issue", "newsletter",
                          "profile", "search", "search-results", "trade", "vetting", "print-cards",
                          "certificate"}  # fmt: skip
    assert {s.name for s in page_types(demo_output) if s.printed} == {"print-cards", "certificate"}
    assert shots["print-cards"] == "print/cards/accountancy/" and shots["certificate"].endswith("/certificate/")
    assert shots["trade"] == "directory/accountancy/" and shots["profile"].startswith("partners/")
    assert shots["search-results"] == "search/?q=boiler"


@pytest.mark.slow  # a real browser
def test_screenshots_are_phone_and_desktop_light_and_dark_pngs(demo_output: Path, tmp_path: Path) -> None:
    from tests.sitekit import require_tool
    from vouch_site.screenshots import CHROMIUM, Shot, take

    require_tool(Path(CHROMIUM).exists(), f"Debian chromium missing at {CHROMIUM}")
    shots = [Shot("profile", "partners/harbour-plumbing/"),
             Shot("certificate", "partners/harbour-plumbing/certificate/", printed=True)]  # fmt: skip
    made = take(demo_output, tmp_path / "shots", shots)
    widths = {p.name: struct.unpack(">I", p.read_bytes()[16:20])[0] for p in made}
    assert widths == {"profile-phone-light.png": 390, "profile-phone-dark.png": 390,
                      "profile-desktop-light.png": 1280, "profile-desktop-dark.png": 1280,
                      "certificate-phone-light.png": 390, "certificate-phone-dark.png": 390,
                      "certificate-desktop-light.png": 1280, "certificate-desktop-dark.png": 1280,
                      "certificate-a4-print.png": 794}  # fmt: skip
