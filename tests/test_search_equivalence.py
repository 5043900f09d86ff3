"""A visitor finds what they found before the search index was reworked (issue 20): for each recorded query
(``tests/fixtures/search_queries.json``, see ``tests/searchkit.py``), every page found then is found now, and
a query that is exactly a partner's name lists that partner's profile first; with one index (a small site) and
with the index in parts (a big one: here parts of 60 pages, as 10,000 partners get parts of 1,000)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from tests.searchkit import ARGS, CHROMIUM, FIXTURE, NETWORK, ask, build_network, served
from tests.sitekit import require_tool
from vouch import search_parts
from vouch_site import search

pytestmark = pytest.mark.slow  # a real browser over a 400-partner network

RECORDED: list[dict[str, Any]] = json.loads(FIXTURE.read_text())["queries"]


@pytest.fixture(scope="module", params=["one index", "parts"])
def found(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[list[str]]]:
    require_tool(Path(CHROMIUM).exists(), f"Debian chromium missing at {CHROMIUM}")
    assert json.loads(FIXTURE.read_text())["network"] == NETWORK, "the recording is of another network"
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "parts":
            patch.setattr(search_parts, "PART_PAGES", 60)
        output = build_network(tmp_path_factory.mktemp("searched"))
    parts = json.loads((output / "pagefind" / search.PARTS).read_text())["parts"]
    assert len(parts) == 1 if request.param == "one index" else len(parts) >= 6, parts
    assert not list(output.glob(f"pagefind/**/{search.MANIFEST}"))
    with served(output) as search_page, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield ask(browser, search_page, RECORDED)
        browser.close()


def test_the_recording_covers_what_visitors_search() -> None:
    assert len(RECORDED) >= 30
    assert sum(1 for q in RECORDED if q.get("name_of")) >= 8
    assert any(q["filters"] and not q["query"] for q in RECORDED) and any(q["filters"] and q["query"] for q in RECORDED)
    assert all(q["urls"] for q in RECORDED), "a query that found nothing proves nothing"


@pytest.mark.parametrize("number", range(len(RECORDED)), ids=[str(q["query"] or q["filters"]) for q in RECORDED])
def test_every_page_found_before_is_still_found(found: list[list[str]], number: int) -> None:
    recorded = RECORDED[number]
    assert not set(recorded["urls"]) - set(found[number]), f"lost for {recorded['query']!r} {recorded['filters']}"


@pytest.mark.parametrize("number", [n for n, q in enumerate(RECORDED) if q.get("name_of")])
def test_an_exact_partner_name_lists_that_partner_first(found: list[list[str]], number: int) -> None:
    recorded = RECORDED[number]
    assert found[number][:1] == [recorded["name_of"]], recorded["query"]


@pytest.mark.parametrize("number", [n for n, q in enumerate(RECORDED) if q.get("sort")])
def test_filters_alone_list_the_same_partners_a_to_z(found: list[list[str]], number: int) -> None:
    assert found[number] == RECORDED[number]["urls"]


@pytest.mark.parametrize("number", range(len(RECORDED)), ids=[str(q["query"] or q["filters"]) for q in RECORDED])
def test_nothing_is_found_that_was_not_found_before(found: list[list[str]], number: int) -> None:
    """One index, as recorded: no junk either (letter parts, tried first, listed hundreds of pages more for a
    name, ranked above it)."""
    recorded = RECORDED[number]
    assert not set(found[number]) - set(recorded["urls"]), f"new for {recorded['query']!r} {recorded['filters']}"
