"""The word index in a real browser (Debian's chromium): the search page asks only the parts that hold a query's
words (vouch_site/search.py, theme/static/search.js)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.searchkit import ARGS, CHROMIUM, ask, served
from tests.sitekit import demo_clock, make_site, require_tool, vetted
from vouch import search_parts
from vouch_site import search
from vouch_site.build import build

pytestmark = pytest.mark.slow  # a real browser


def test_a_part_lacking_a_word_is_not_asked_for_it(tmp_path: Path) -> None:
    """pagefind#599 in parts: "Anchor" is held by one part; another holds only "anch", to which it alone would
    back off. The word index keeps that part out: the search page lists the Anchor profile and nothing else, and
    a word added by an edit (one part and the word index re-indexed) is found at once; a "quoted phrase" too."""
    require_tool(Path(CHROMIUM).exists(), f"Debian chromium missing at {CHROMIUM}")
    names = ["Anchor Roofing", "Beacon Plumbing", "Coast Drains", "Delta Glazing", "Echo Tiling", "Fern Gardens"]
    profiles = {name.split()[0].lower(): vetted(name, description="Repairs.") for name in names}
    profiles["fern"] = vetted("Fern Gardens", description="Anch hedges.")  # a prefix of anchor, in another part
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_parts, "PART_PAGES", 3)
        root = make_site(tmp_path, profiles)
        with demo_clock():
            out = build(root).output
            assert len(json.loads((out / "pagefind" / search.PARTS).read_text())["parts"]) >= 3
            queries = [{"query": q, "filters": {}} for q in ("Anchor", "anch", "zqgutterq", '"anch hedges"')]
            with served(out) as search_page, sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                before = ask(browser, search_page, queries)
                make_site(root, profiles | {"coast": vetted("Coast Drains", description="Zqgutterq clearing.")})
                build(root)
                after = ask(browser, search_page, queries)
                browser.close()
    assert before[0] == ["/partners/anchor/"] and "/partners/fern/" in before[1] and before[2] == []
    assert before[3] == ["/partners/fern/"]  # a phrase: its words side by side on the page, never on the word index
    assert after == [before[0], before[1], ["/partners/coast/"], before[3]]
