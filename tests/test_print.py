"""Print pages (issue 18): the QR codes and their cache, the plan of sheets and certificates, and a small
built site's print pages (noindex, out of the sitemap, search and feeds). The browser prints them in
tests/test_print_browser.py."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.sitekit import REPO, demo_clock, make_site, vetted
from tests.test_generators import Named
from vouch.public import Area, Partner, Vetting
from vouch.render import pages, qr
from vouch.render.print_pages import SHEET_CARDS
from vouch.settings import VouchSettings
from vouch.site import PublicSite
from vouch.writer import render_cache
from vouch_site.build import build
from vouch_site.summary import Timings

URL = "https://test.example/partners/harbour/"


# --- QR codes and their cache -----------------------------------------------------------------


def test_a_code_is_the_same_bytes_every_time_and_scales_by_its_viewbox() -> None:
    first, again = qr.qr_svg(URL), qr.qr_svg(URL)
    assert first == again
    assert first != qr.qr_svg(URL.replace("harbour", "quay"))
    assert re.match(rb'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 (\d+) \1"', first)
    assert b"<script" not in first and b"<!DOCTYPE" not in first
    assert qr.ERROR_CORRECTION in {"M", "Q", "H"}


def no_encoding(_text: str) -> bytes:
    raise AssertionError("a kept URL was encoded again")


def test_the_cache_encodes_a_url_once_and_serves_it_after_output_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = tmp_path / "qr.pickle"
    made = qr.QrCache.at(kept).codes([URL])
    assert made == {URL: qr.qr_svg(URL)} and kept.is_file()
    monkeypatch.setattr(qr, "qr_svg", no_encoding)
    assert qr.QrCache.at(kept).codes([URL]) == made  # a later build: read back, not encoded
    with pytest.raises(AssertionError, match="encoded again"):
        qr.QrCache.at(kept).codes([URL, URL + "new/"])  # a new URL costs an encoding


def test_the_cache_keeps_the_last_builds_urls_alone_and_names_the_encoder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, other, expected = tmp_path / "qr.pickle", URL.replace("harbour", "quay"), {URL: qr.qr_svg(URL)}
    qr.QrCache(kept, "zxing-cpp 3.0").codes([URL, other])
    qr.QrCache(kept, "zxing-cpp 3.0").codes([URL])  # quay lapsed: its code is dropped
    monkeypatch.setattr(qr, "qr_svg", no_encoding)
    assert qr.QrCache(kept, "zxing-cpp 3.0").codes([URL]) == expected
    with pytest.raises(AssertionError):
        qr.QrCache(kept, "zxing-cpp 3.0").codes([other])
    with pytest.raises(AssertionError):
        qr.QrCache(kept, "zxing-cpp 3.1").codes([URL])  # an upgrade encodes again
    assert qr.QrCache.at(None).codes([]) == {}


@pytest.mark.parametrize(
    ("site_url", "useless"),
    [("http://localhost:8000", True), ("http://127.0.0.1:8000", True), ("", True), ("http://shop.localhost", True),
     ("https://trusted.example", False), ("https://localhost.example.org", False)],
)  # fmt: skip
def test_codes_to_this_machine_are_useless_in_print(site_url: str, useless: bool) -> None:
    assert qr.useless_for_print(site_url) is useless


# --- The plan ----------------------------------------------------------------------------------


def partner(n: int, category: str = "plumbing") -> Partner:
    return Partner(
        slug=f"firm-{n:04d}", name=f"Firm {n:04d}", category=category, summary=None, description=None, services=(),
        areas=(Area("Kingsbridge", "kingsbridge"),), established=None, logo=None, opening_hours=(), contact=None,
        vetting=Vetting(dt.date(2026, 1, 1), dt.date(2027, 1, 1), "Jim", ("references",)), referrals=None,
        testimonials=(),
    )  # fmt: skip


def print_plan(count: int, **settings: Any) -> dict[str, Any]:
    registry = {key: SimpleNamespace(title=key.title(), description=None) for key in ("plumbing", "roofing", "empty")}
    partners = tuple(partner(n, "roofing" if n % 10 == 0 else "plumbing") for n in range(count))
    site = PublicSite(dt.date(2026, 11, 25), partners, registry, registry)  # type: ignore[arg-type]
    typed = VouchSettings.of({"SITEURL": "https://test.example", **settings})
    plan = pages.plan(pages.Sources(site, typed, REPO / "theme", Path("content")), Named)
    return {f.relpath: f for f in plan.printed} | {"_sitemap": plan.sitemap().decode()}


def test_sheets_hold_a_hundred_cards_then_continue_on_page_two() -> None:
    files = print_plan(2 * SHEET_CARDS + 5)
    sheets = sorted(p for p in files if p.startswith("print/cards/plumbing/"))
    assert sheets == ["print/cards/plumbing/index.html", "print/cards/plumbing/page/2/index.html"]
    assert [len(files[s].context["cards"]) for s in sheets] == [SHEET_CARDS, 2 * SHEET_CARDS + 5 - 21 - SHEET_CARDS]
    assert files["print/cards/plumbing/index.html"].context["pagination"]["next"] == "print/cards/plumbing/page/2/"
    whole = sorted(p for p in files if re.fullmatch(r"print/cards/(page/\d+/)?index.html", p))
    assert len(whole) == 3 and sum(len(files[p].context["cards"]) for p in whole) == 2 * SHEET_CARDS + 5
    assert not [p for p in files if p.startswith("print/cards/empty/")]  # a trade without partners has no sheet


def test_past_the_directory_size_the_whole_directory_sheet_sends_to_the_trades() -> None:
    files = print_plan(30, DIRECTORY_PAGE_SIZE=20)
    index = files["print/cards/index.html"]
    assert index.context["whole"] is False and list(index.context["cards"]) == []
    assert [g.slug for g in index.context["trades"]] == ["plumbing", "roofing"]
    assert not [p for p in files if p.startswith("print/cards/page/")]


def test_every_partner_has_a_code_and_a_certificate_and_no_print_page_is_in_the_sitemap() -> None:
    files = print_plan(3)
    for slug in ("firm-0000", "firm-0001", "firm-0002"):
        code = files[f"partners/{slug}/qr.svg"]
        assert code.make() == qr.qr_svg(f"https://test.example/partners/{slug}/")  # held compressed
        assert files[f"partners/{slug}/certificate/index.html"].context["profile_url"].endswith(f"/{slug}/")
    assert "print/" not in files["_sitemap"] and "certificate" not in files["_sitemap"]


def test_a_local_siteurl_marks_every_print_page() -> None:
    files = print_plan(2, SITEURL="http://localhost:8000")
    pages_ = [f for f in files.values() if hasattr(f, "template") and f.template]
    assert pages_ and all(f.context["qr_warning"] for f in pages_)
    assert not any(f.context["qr_warning"] for f in print_plan(2).values() if getattr(f, "template", None))


# --- A small site, built ------------------------------------------------------------------------

PROFILES = {
    "harbour": vetted("Harbour Plumbing", contact={"phone": "+44 117 496 0100"}, areas=["Kingsbridge", "Salcombe"]),
    "quay": vetted("Quay Drains"),
    "gone": vetted("Gone Drains Ltd") | {"status": "suspended"},
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("print"), PROFILES)
    with demo_clock():
        build(root)
    return root


def test_print_pages_are_noindex_and_in_no_sitemap_search_index_or_feed(built: Path) -> None:
    out = built / "output"
    printed = [out / "print/cards/index.html", out / "print/cards/plumbing/index.html",
               out / "partners/harbour/certificate/index.html"]  # fmt: skip
    for page in printed:
        html = page.read_text()
        assert '<meta name="robots" content="noindex">' in html and "theme/print.css" in html
        assert "data-pagefind-body" not in html  # Pagefind indexes only pages marked so
    assert "print/" not in (out / "sitemap.xml").read_text() and "certificate" not in (out / "sitemap.xml").read_text()
    for feed in (out / "feeds").iterdir():
        assert b"certificate" not in feed.read_bytes() and b"print/cards" not in feed.read_bytes()
    assert (out / "theme/print.css").is_file() and "print.css" not in (out / "index.html").read_text()


def test_the_certificate_says_who_vouches_and_links_its_code(built: Path) -> None:
    html = (built / "output/partners/harbour/certificate/index.html").read_text()
    assert "Harbour Plumbing</span> is vouched for by Test Network" in html
    assert "Jim Carter" in html and "References taken" in html and "Scan to check this is still current" in html
    assert 'src="../qr.svg"' in html and "https://test.example/partners/harbour/" in html
    assert "Do not print yet" not in html


def test_profiles_and_trade_pages_link_their_print_pages_and_only_published_partners_print(built: Path) -> None:
    out = built / "output"
    assert 'href="../../partners/harbour/certificate/"' in (out / "partners/harbour/index.html").read_text()
    assert 'href="../../print/cards/plumbing/">Print cards</a>' in (out / "directory/plumbing/index.html").read_text()
    sheet = (out / "print/cards/plumbing/index.html").read_text()
    assert sheet.count('class="print-card"') == 2 and "0117 496 0100" in sheet and "Kingsbridge, Salcombe" in sheet
    assert "Gone" not in sheet and not (out / "partners/gone").exists()
    assert sorted(p.parent.name for p in out.glob("partners/*/qr.svg")) == ["harbour", "quay"]
    assert (built / ".cache/vouch/qr.pickle").is_file()  # kept for the next build


def test_a_build_for_localhost_warns_in_its_summary_and_on_the_print_pages(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"harbour": vetted("Harbour Plumbing")})
    (root / "pelicanconf.py").write_text('SITENAME = "Test"\n')
    result = build(root)
    assert "the QR codes on the print pages (/print/cards/, certificates) would lead nowhere" in result.summary()
    assert "Do not print yet" in (root / "output/partners/harbour/certificate/index.html").read_text()
    shutil.rmtree(root / "output")
    assert "Do not print yet" in (build(root).output / "print/cards/index.html").read_text()


def test_a_lapsed_partners_code_lands_on_a_404_that_explains_and_names_nobody(built: Path) -> None:
    """A certificate outlives its vetting: its code then opens the 404, which points to the directory."""
    html = (built / "output/404.html").read_text()
    assert "Partners come off the site when their vetting lapses or is withdrawn" in html
    assert 'href="https://test.example/directory/"' in html  # absolute: served at any depth
    assert not [name for name in ("Harbour", "Quay", "Gone") if name in html]


def test_print_pages_false_leaves_out_every_print_page_and_link(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"harbour": vetted("Harbour Plumbing")})
    with (root / "pelicanconf.py").open("a") as settings:
        settings.write("PRINT_PAGES = False\n")
    result = build(root)
    out = result.output
    assert "print pages" not in dict(result.timings.stages)
    assert not (out / "print").exists() and not list(out.glob("partners/*/qr.svg"))
    assert not (out / "partners/harbour/certificate").exists() and not (root / ".cache/vouch/qr.pickle").exists()
    assert "certificate/" not in (out / "partners/harbour/index.html").read_text()
    assert "print/cards/" not in (out / "directory/plumbing/index.html").read_text()


def test_after_one_edit_only_that_partners_certificate_and_sheets_are_written_again(tmp_path: Path) -> None:
    profiles = {"harbour": vetted("Harbour Plumbing"), "quay": vetted("Quay Drains"),
                "volt": vetted("Volt Electrical", category="electrical")}  # fmt: skip
    root = make_site(tmp_path, profiles)
    out = build(root).output

    def printed() -> dict[str, int]:
        files = [*out.glob("print/**/*.html"), *out.glob("partners/*/qr.svg"), *out.glob("partners/*/certificate/*")]
        return {p.relative_to(out).as_posix(): p.stat().st_ino for p in files}

    before = printed()
    make_site(root, {"harbour": vetted("Harbour Plumbing & Gas")})
    build(root)
    after = printed()
    assert after.keys() == before.keys()
    assert sorted(rel for rel in after if after[rel] != before[rel]) == [
        "partners/harbour/certificate/index.html", "print/cards/index.html", "print/cards/plumbing/index.html",
    ]  # fmt: skip


def test_one_edit_changes_the_render_keys_of_that_partners_print_files_alone() -> None:
    def keys(partners: tuple[Partner, ...]) -> dict[str, str]:
        registry = {"plumbing": SimpleNamespace(title="Plumbing", description=None)}
        site = PublicSite(dt.date(2026, 11, 25), partners, registry, registry)  # type: ignore[arg-type]
        plan = pages.plan(pages.Sources(site, VouchSettings.of({"SITEURL": "https://t.example"}), REPO / "theme",
                                        Path("content")), Named)  # fmt: skip
        return {f.relpath: render_cache.key("shared", f.relpath, f.template, f.inputs) for f in plan.printed}

    partners = tuple(partner(n) for n in range(2 * SHEET_CARDS + 5))
    edited = list(partners)
    edited[150] = replace(edited[150], summary="Edited.", name="Firm 0150 & Sons")
    before, after = keys(partners), keys(tuple(edited))
    assert sorted(rel for rel in after if after[rel] != before[rel]) == [
        "partners/firm-0150/certificate/index.html", "print/cards/page/2/index.html",
        "print/cards/plumbing/page/2/index.html",
    ]  # fmt: skip


def test_the_summary_times_the_print_pages_as_a_stage_of_their_own(tmp_path: Path) -> None:
    """What cards, certificates and codes cost is measured, not guessed from two whole builds (issue 18)."""
    root = make_site(tmp_path, {"harbour": vetted("Harbour Plumbing")})
    for _ in range(2):  # the QR cache empty, then filled with output/ deleted
        result = build(root)
        stages = [name for name, _ in result.timings.stages]
        assert stages[stages.index("pages") + 1] == "print pages" and "print pages: " in result.summary()
        assert dict(result.timings.stages)["print pages"] > 0
        shutil.rmtree(root / "output")


def test_a_part_timed_inside_a_stage_is_taken_out_of_it() -> None:
    timings = Timings()
    timings.stages = [("validate", 1.0), ("pages", 5.0)]
    timings.split("print pages", 1.5)
    assert timings.stages == [("validate", 1.0), ("pages", 3.5), ("print pages", 1.5)]
