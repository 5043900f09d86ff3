"""What users click, in a real browser: Debian's chromium driven by Playwright, plus axe-core."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.sitekit import make_site, require_tool, vetted
from vouch.problems import ValidationFailed
from vouch.svg import svg_problems
from vouch_site.build import build

pytestmark = pytest.mark.slow  # a real browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]  # fmt: skip


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(demo_output: Path) -> Iterator[str]:
    """The demo served from a sub-path, as a real host might (it must work from any folder)."""
    mount = demo_output.parent / "www"
    mount.mkdir(exist_ok=True)
    link = mount / "network"
    if not link.exists():
        link.symlink_to(demo_output)
    handler = functools.partial(QuietHandler, directory=str(mount))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/network/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_tool(Path(CHROMIUM).exists(), f"Debian chromium missing at {CHROMIUM}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def wait_for_results(page: Page) -> None:
    """The live region is filled once results are drawn; `expect` retries across navigations."""
    expect(page.locator("#search-status")).not_to_be_empty()


def results(page: Page) -> list[str]:
    return [a.inner_text() for a in page.locator("#search-results h2 a").all()]


def search(page: Page, site_url: str, query: str) -> list[str]:
    page.goto(f"{site_url}search/")
    page.fill("#q", query)
    page.press("#q", "Enter")
    wait_for_results(page)
    return results(page)


def test_a_service_word_finds_the_right_partner(page: Page, site_url: str) -> None:
    found = search(page, site_url, "thatch roof repairs")
    assert found and found[0] == "Start Bay Roofing"
    page.click("#search-results h2 a >> nth=0")
    assert page.url == f"{site_url}partners/start-bay-roofing/"


def test_an_excerpt_from_the_start_of_a_page_does_not_begin_with_an_ellipsis(page: Page, site_url: str) -> None:
    assert search(page, site_url, "locksmiths")[0] == "24/7 Locksmiths Devon"
    first = page.locator("#search-results li > p:not(.meta)").first.inner_text()
    assert first.startswith("24/7 Locksmiths Devon") and not first.endswith(",…")


def test_filters_narrow_the_results_and_the_count_is_announced(page: Page, site_url: str) -> None:
    everything = search(page, site_url, "boiler")
    assert len(everything) > 1
    excerpts = page.locator("#search-results li > p:not(.meta)").all_inner_texts()
    assert excerpts and not [e for e in excerpts if re.search(r"[.!?]…$", e)]  # "…" only where the text goes on
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == f"{len(everything)} results."
    page.select_option("#category", "Plumbing & Heating")
    expect(page.locator("#search-status")).to_have_text("1 result.")
    assert results(page) == ["Harbour Plumbing & Heating"]
    assert "category=Plumbing" in page.url  # the filtered search can be shared as a link


def test_filters_alone_list_a_trade_in_an_area(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}search/?area=Dartmouth&category=Roofing")
    wait_for_results(page)
    assert results(page) == ["Start Bay Roofing"]


def test_filters_alone_list_partners_a_to_z_with_what_they_do(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}search/?area=Kingsbridge")
    wait_for_results(page)
    names = results(page)
    assert len(names) > 2 and names == sorted(names, key=str.lower)
    first = page.locator("#search-results li").first  # the directory's card, filled in by search.js
    assert first.get_attribute("class") == "card"
    assert "Kingsbridge" in first.locator(".card-meta").inner_text()
    assert first.locator(".tick time").inner_text()  # the vetted date


@pytest.mark.parametrize("query", ["Crystal Clear Windows", "Quayside Drainage", "Moorview", "Thurlestone Thatching"])
def test_unpublished_partners_are_never_found(page: Page, site_url: str, query: str) -> None:
    found = search(page, site_url, query)
    assert not [title for title in found if query.split(maxsplit=1)[0] in title]


def test_home_search_box_leads_to_results(page: Page, site_url: str) -> None:
    page.goto(site_url)
    page.fill("#home-q", "accountant")
    page.press("#home-q", "Enter")
    page.wait_for_url(f"{site_url}search/?q=accountant")
    wait_for_results(page)
    assert "Avon Valley Accountants" in results(page)


def test_profile_contact_links_and_vcard(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}partners/harbour-plumbing/")
    assert page.get_attribute("a[href^='tel:']", "href") == "tel:+441174960100"
    assert page.get_attribute("a[href^='mailto:']", "href") == "mailto:fred@harbour-plumbing.example"
    vcard = page.locator("a[href$='.vcf']")
    with page.expect_download() as download:
        vcard.click()
    text = Path(download.value.path()).read_text()
    assert text.startswith("BEGIN:VCARD") and "TEL;TYPE=WORK:+441174960100" in text


def test_keyboard_alone_skips_to_content_searches_and_opens_a_result(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}search/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    for _ in range(10):  # from the top of the content, the search box is within reach
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("locksmith")
    page.keyboard.press("Enter")
    expect(page.locator("#search-results a").first).to_be_visible()
    page.evaluate("document.querySelector('#search-results a').focus()")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site_url}partners/**")


PAGES = [
    "",
    "directory/",
    "directory/plumbing/",
    "areas/",
    "areas/kingsbridge/",
    "partners/harbour-plumbing/",
    "vetting/",
    "articles/",
    "articles/how-to-brief-a-tradesperson/",
    "newsletter/",
    "newsletter/november-2026/",
    "search/?q=boiler",
    "about/",
    "404.html",
    "print/cards/",
    "print/cards/plumbing/",
    "partners/harbour-plumbing/certificate/",
]


@pytest.mark.parametrize("path", PAGES)
def test_nothing_scrolls_sideways_at_320_px(browser: Browser, site_url: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violation(browser: Browser, site_url: str, path: str, scheme: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = context.new_page()
    page.goto(site_url + path)
    if "?q=" in path:
        wait_for_results(page)
    violations = Axe().run(page).response["violations"]
    context.close()
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []


PHONE = {"width": 390, "height": 844}


def test_every_profile_shows_who_trust_and_actions_in_the_first_phone_screen(
    browser: Browser, site_url: str, demo_output: Path
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    slugs = sorted(p.parent.name for p in demo_output.glob("partners/*/index.html"))
    assert len(slugs) >= 10
    below = []
    for slug in slugs:
        page.goto(f"{site_url}partners/{slug}/")
        actions = page.locator(".actions a").all()
        assert actions, f"{slug}: no actions"
        for element in [page.locator("h1"), page.locator(".profile-trade"), page.locator(".trust a"), *actions]:
            box = element.bounding_box()
            if not (box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]):
                below.append((slug, element.inner_text(), box and round(box["y"] + box["height"])))
    context.close()
    assert below == []


def test_the_trust_line_opens_the_full_vetting_panel(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}partners/harbour-plumbing/")
    assert page.locator(".trust").inner_text().startswith("✓ Vetted · vouched for by ")
    page.click(".trust a")
    expect(page.locator("#vetting")).to_be_in_viewport()
    assert page.locator("#vetting h3").inner_text() == "Checks passed"


def test_on_a_desktop_the_contact_and_vetting_card_stays_in_view(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site_url}partners/harbour-plumbing/")
    card, body = page.locator(".profile-card").bounding_box(), page.locator(".profile-body").bounding_box()
    assert card["x"] > body["x"] + body["width"]  # two columns: details, then the card beside them
    page.evaluate("window.scrollTo(0, 600)")
    page.wait_for_function("window.scrollY == 600")
    expect(page.locator(".actions a").first).to_be_in_viewport()  # scrolled well past where it started
    assert 0 <= page.locator(".profile-card").bounding_box()["y"] <= 20
    context.close()


@pytest.mark.parametrize(
    "path", ["", "directory/", "directory/plumbing/", "areas/kingsbridge/", "search/?area=Kingsbridge"]
)
def test_every_listing_shows_partners_as_cards(page: Page, site_url: str, path: str) -> None:
    page.goto(site_url + path)
    cards = page.locator("li.card")
    expect(cards.first).to_be_visible()
    for card in cards.all():
        logo = card.locator(".card-logo").bounding_box()
        assert logo and logo["width"] == logo["height"] == 48  # a logo, or the monogram in the same square
        assert card.locator(".card-title a").inner_text()
        assert card.locator(".tick time").get_attribute("datetime")
    first = cards.first
    first.scroll_into_view_if_needed()
    box = first.locator(".tick").bounding_box()
    page.mouse.click(box["x"] + 5, box["y"] + 5)  # the whole card opens the profile, not only its name
    page.wait_for_url(f"{site_url}partners/**")


def test_pages_work_without_javascript(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}search/")
    assert page.locator("noscript").count() == 1
    page.click("text=All partners, A to Z")
    assert page.url == f"{site_url}directory/"
    page.click("text=Harbour Plumbing & Heating")
    assert page.locator("h1").inner_text() == "Harbour Plumbing & Heating"
    context.close()


# --- SVG logos (issue 12, case 8): an SVG opened on its own is a document of the site's origin ------

EVIL = "http://evil.test/"
SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"'
HOSTILE_SVGS = {
    "script": f"{SVG_HEAD}><script>var quiet = document.cookie</script></svg>",
    "alert": f"{SVG_HEAD}><script>alert('script')</script></svg>",
    "html-script": f"{SVG_HEAD}><script xmlns='http://www.w3.org/1999/xhtml'>alert('html')</script></svg>",
    "onload": f"{SVG_HEAD} onload=\"alert('onload')\"></svg>",
    "foreign-object": f"{SVG_HEAD}><foreignObject width='9' height='9'>"
    f"<iframe xmlns='http://www.w3.org/1999/xhtml' src='{EVIL}frame'/></foreignObject></svg>",
    "image": f"{SVG_HEAD}><image width='9' height='9' href='{EVIL}pixel.png'/></svg>",
    "style-import": f"{SVG_HEAD}><style>@import url({EVIL}x.css);</style></svg>",
    "style-url": f"{SVG_HEAD}><rect width='9' height='9' style='fill: url({EVIL}p.svg#g)'/></svg>",
    "xslt": f"<?xml-stylesheet type='text/xsl' href='{EVIL}x.xsl'?>{SVG_HEAD}></svg>",
}


@dataclass
class Seen:
    scripts: int = 0  # scripts parsed in the document's own world (Playwright's live in an isolated one)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # besides the SVG itself


def open_svg(browser: Browser, url: str, body: str | None = None) -> Seen:
    """Open ``url`` as a visitor following a link to the file would; ``body`` serves it without a server."""
    context = browser.new_context()
    page = context.new_page()
    seen = Seen()
    cdp = context.new_cdp_session(page)
    cdp.on(
        "Debugger.scriptParsed",
        lambda e: setattr(seen, "scripts", seen.scripts + e["executionContextAuxData"]["isDefault"]),
    )
    cdp.send("Debugger.enable")
    page.on("dialog", lambda dialog: (seen.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: request.url != url and seen.requests.append(request.url))
    page.route(f"{EVIL}**", lambda route: route.fulfill(status=204))
    if body is not None:
        page.route(url, lambda route: route.fulfill(content_type="image/svg+xml", body=body))
    page.goto(url)
    context.close()
    return seen


@pytest.mark.parametrize("name", HOSTILE_SVGS)
def test_each_hostile_svg_is_live_in_chromium_and_refused(browser: Browser, name: str) -> None:
    seen = open_svg(browser, "http://logo.test/images/logo.svg", HOSTILE_SVGS[name])
    assert seen != Seen()  # the payload ran or reached outside: a real attack, not a strawman
    assert svg_problems(HOSTILE_SVGS[name].encode())


def test_a_build_with_a_hostile_svg_logo_fails_and_writes_nothing(tmp_path: Path) -> None:
    logo = {"src": "images/harbour.svg", "alt": "Harbour van"}
    root = make_site(
        tmp_path, {"harbour": vetted("Harbour", logo=logo)}, {"content/images/harbour.svg": HOSTILE_SVGS["onload"]}
    )
    with pytest.raises(ValidationFailed) as failed:
        build(root)
    assert [p.field for p in failed.value.problems] == ["logo.src"]
    assert "got 'images/harbour.svg': an event handler onload= on line 1" in str(failed.value)
    assert not (root / "output").exists()


def test_published_svg_logos_run_no_script_and_fetch_nothing_when_opened(
    browser: Browser, site_url: str, demo_output: Path
) -> None:
    logos = sorted(p.relative_to(demo_output).as_posix() for p in demo_output.rglob("*.svg"))
    assert logos
    for logo in logos:
        assert (logo, open_svg(browser, site_url + logo)) == (logo, Seen())


@pytest.mark.parametrize("name", HOSTILE_SVGS)
def test_a_hostile_svg_an_article_links_fails_the_build_and_writes_nothing(tmp_path: Path, name: str) -> None:
    article = "Title: Charts\nDate: 2026-11-01\n\nThe chart:\n\n![chart]({static}../images/chart.svg)\n"
    files = {"content/articles/charts.md": article, "content/images/chart.svg": HOSTILE_SVGS[name]}
    root = make_site(tmp_path, {"harbour": vetted("Harbour")}, files)
    with pytest.raises(ValidationFailed) as failed:
        build(root)
    assert [(p.path.name, p.line, p.field) for p in failed.value.problems] == [("charts.md", 6, "{static}")]
    assert not (root / "output").exists()


def test_svgs_articles_link_run_no_script_and_fetch_nothing_when_opened(browser: Browser, tmp_path: Path) -> None:
    chart = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="9" height="9"/></svg>'
    article = "Title: Charts\nDate: 2026-11-01\n\n![chart]({static}../images/chart.svg)\n"
    files = {"content/articles/charts.md": article, "content/images/chart.svg": chart}
    root = make_site(tmp_path, {"harbour": vetted("Harbour")}, files)
    build(root)
    handler = functools.partial(QuietHandler, directory=str(root / "output"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        svgs = sorted(p.relative_to(root / "output").as_posix() for p in (root / "output").rglob("*.svg"))
        assert "images/chart.svg" in svgs
        for svg in svgs:
            assert (svg, open_svg(browser, f"http://127.0.0.1:{server.server_port}/{svg}")) == (svg, Seen())
    finally:
        server.shutdown()
