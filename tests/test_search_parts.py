"""The search index in parts (vouch/search_parts.py, vouch_site/search.py): partners A to Z then the other pages,
boundaries kept while parts stay balanced, the word index holding exactly each part's words (both read back from
the index files Pagefind wrote), and an edit re-indexing its own part alone (and the word index if its words
changed)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import cbor2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sitekit import make_site, vetted
from vouch import pagefind_files, search_parts
from vouch.search_parts import Page, split
from vouch_site import search
from vouch_site.build import build


def index_words(index: Path) -> dict[str, set[str]]:
    """The words of a Pagefind index folder by language, from its word files (gzip: ``pagefind_dcd`` then CBOR, a
    list of [word, pages, accented variants]; a query is matched against the words, the variants only rank)."""
    found: dict[str, set[str]] = {}
    for path in sorted((index / "index").glob("*.pf_index")):
        words = found.setdefault(path.name.split("_", 1)[0], set())
        for entry in cbor2.loads(pagefind_files.decoded(path))[0]:
            words.add(entry[0])
    return found


def partners(count: int, start: int = 0) -> list[Page]:
    return [Page(f"partners/p{n}/index.html", str(n), f"Name {n:04d}") for n in range(start, start + count)]


def test_a_small_site_is_one_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_parts, "PART_PAGES", 10)
    pages = [*partners(6), Page("about/index.html", "a")]
    assert split(pages) == ([pages], [])


def test_partners_come_a_to_z_in_balanced_parts_with_the_other_pages_spread_over_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search_parts, "PART_PAGES", 10)
    others = [Page(f"articles/a{n}/index.html", f"a{n}") for n in range(6)]
    pages = [others[0], *reversed(partners(25)), *others[1:]]
    parts, bounds = split(pages)
    assert len(parts) == 4 and sum(map(len, parts)) == 31
    names = [page.name for part in parts for page in part if page.name]
    assert names == sorted(names) and [len([p for p in part if p.name]) for part in parts] == [7, 7, 7, 4]
    assert sorted((p for part in parts for p in part if p.name is None), key=lambda p: p.rel) == others
    assert split(list(reversed(pages)))[0] == parts  # the same parts, whatever order the pages were read in
    assert bounds == [("partner", [parts[k][0].name, parts[k][0].rel]) for k in (1, 2, 3)]


def test_one_partner_more_changes_one_part_and_lopsided_parts_are_cut_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_parts, "PART_PAGES", 10)
    before, bounds = split(partners(25))
    after, kept = split([*partners(25), Page("partners/x/index.html", "x", "Name 0003b")], bounds)
    assert kept == bounds and after[1:] == before[1:] and len(after[0]) == len(before[0]) + 1
    lopsided, again = split(partners(25, start=100), bounds)  # every name past the last boundary
    assert again != bounds and all(5 <= len(part) <= 20 for part in lopsided)


def test_parts_grow_rather_than_outnumber_what_the_search_page_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_parts, "PART_PAGES", 2)
    monkeypatch.setattr(search_parts, "MOST_PARTS", 4)
    parts, _ = split(partners(40))
    assert [len(part) for part in parts] == [10, 10, 10, 10]


@pytest.mark.parametrize(
    ("languages", "wanted", "loaded"),
    [({"en-gb": 5, "fr": 9}, "en-GB", "en-gb"), ({"en": 5, "fr": 9}, "en-gb", "en"), ({"fr": 9, "de": 12}, "en",
     "de"), ({"fr": 9, "de": 9}, "en", "fr"), ({}, "en", None)],
)  # fmt: skip
def test_the_language_loaded_is_the_one_pagefinds_search_page_picks(
    tmp_path: Path, languages: dict[str, int], wanted: str, loaded: str | None
) -> None:
    """Pagefind's findIndex: the tag, else its first subtag, else the most pages (the first of equals)."""
    entry = {
        "version": "1.5.2",
        "languages": {k: {"hash": k, "wasm": k, "page_count": n} for k, n in languages.items()},
    }
    (tmp_path / "pagefind-entry.json").write_text(json.dumps(entry))
    assert pagefind_files.loaded_language(tmp_path, wanted) == loaded


def test_a_partners_sort_name_is_its_text() -> None:
    assert search_parts.partner_name(b'<h1 data-pagefind-sort="name">Smith &amp; Sons</h1>') == "Smith & Sons"
    assert search_parts.partner_name(b"<h1>Smith</h1>") is None


PIECES = [*"abcdeéøß-'.,&<>()/ ", "日本", "café", "<b>", "</b>", "<em>x</em>", "&amp;", "–", "Ångström", "**", "`",
          "3", "pm", "zx81", "9am,", "1st", "“", "\"", "aB", ". "]  # fmt: skip
TEXT = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)  # words, marks and markup, as editors type


def site_in_parts(root: Path, descriptions: list[str]) -> Path:
    profiles = {f"p{n}": vetted(f"Firm {n} {text[:20]}".strip(), description=text or "plain") for n, text in
                enumerate(descriptions)}  # fmt: skip
    return make_site(root, profiles)


@pytest.mark.slow  # several sites built whole, each in parts
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(descriptions=st.lists(TEXT, min_size=4, max_size=7))
def test_the_word_index_holds_each_parts_words_as_it_stores_them(tmp_path_factory: pytest.TempPathFactory,
                                                                 descriptions: list[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """The search page asks the word index which parts hold a query's words: a word it had that the part lacks
    would make the part back off to a prefix and list junk (pagefind#599); one it lacked would lose results."""
    monkeypatch.setattr(search_parts, "PART_PAGES", 2)
    out = build(site_in_parts(tmp_path_factory.mktemp("parts"), descriptions)).output
    held, listed = part_words(out), word_index(out)
    assert len(held) > 1 and listed == held


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    made: list[Path] = []
    real = search._pagefind
    monkeypatch.setattr(search, "_pagefind", lambda site, output: (made.append(site), real(site, output)))
    monkeypatch.setattr(search_parts, "PART_PAGES", 3)
    return made


def test_an_edit_re_indexes_its_own_part_and_the_word_index_if_its_words_change(
    tmp_path: Path, runs: list[Path]
) -> None:
    names = ["Anchor Roofing", "Beacon Plumbing", "Coast Drains", "Delta Glazing", "Echo Tiling", "Fern Gardens"]
    profiles = {name.split()[0].lower(): vetted(name, description="Repairs and roofs.") for name in names}
    root = make_site(tmp_path, profiles)
    out = build(root).output
    parts = len(json.loads((out / "pagefind" / search.PARTS).read_text())["parts"])
    assert parts >= 3 and len(runs) == parts + 1  # and the word index
    runs.clear()
    make_site(
        root, profiles | {"beacon": vetted("Beacon Plumbing", description="Repairs and roofs. Repairs and roofs.")}
    )
    build(root)
    assert len(runs) == 1  # the same words, twice: its own part alone
    runs.clear()
    make_site(root, profiles | {"beacon": vetted("Beacon Plumbing", description="Zqthatch roofs.")})
    out = build(root).output
    assert len(runs) == 2  # a new word: its own part and the word index, not every part
    held = [words for words in word_index(out) if "zqthatch" in words]
    assert len(held) == 1 and word_index(out) == part_words(out)
    runs.clear()
    make_site(root, profiles | {"beacon": vetted("Beacon Plumbing", description="Roofs.")})
    out = build(root).output
    assert len(runs) == 2  # a word gone: its part and the word index again
    assert not any("zqthatch" in words for words in word_index(out) + part_words(out))


def part_words(out: Path) -> list[set[str]]:
    """The words of each part's index in the language the search page (lang en) loads: en, else the commonest."""
    listed = json.loads((out / "pagefind" / search.PARTS).read_text())["parts"]
    found = []
    for part in listed:
        by_lang = index_words(out / "pagefind" / part)
        found.append(by_lang.get("en") or max(by_lang.values(), key=len))
    return found


def word_index(out: Path) -> list[set[str]]:
    """Page k of the word index, read back word by word (pages are numbered in its meta file, and counted up
    as differences in its word files, a word's and each accented variant's), as the search page maps it to part k
    (``part_of``)."""
    listed = json.loads((out / "pagefind" / search.PARTS).read_text())
    folder = out / "pagefind" / listed["words"]
    (meta,) = folder.glob("*.pf_meta")
    pages = [page[0] for page in cbor2.loads(pagefind_files.decoded(meta))[1]]
    found: list[set[str]] = [set() for _ in listed["parts"]]
    for path in (folder / "index").glob("*.pf_index"):
        for word, postings, variants in cbor2.loads(pagefind_files.decoded(path))[0]:
            for held in [postings, *(variant[1] for variant in variants)]:  # "café": word cafe, pages under café
                number = 0
                for posting in held:
                    number += posting[0]
                    found[listed["parts"].index(listed["part_of"][pages[number]])].add(word)
    return found


def test_a_suspended_partners_words_leave_every_part(tmp_path: Path, runs: list[Path]) -> None:
    """A word only a suspended partner had is in no part's index, not in the word index, in no file (the promise:
    nothing about an unpublished partner in the search index)."""
    names = ["Anchor Roofing", "Beacon Plumbing", "Coast Drains", "Delta Glazing", "Echo Tiling", "Fern Gardens"]
    profiles = {name.split()[0].lower(): vetted(name, description="Repairs and roofs.") for name in names}
    secret = vetted("Zqhidden Glass", description="Zqonlyword panes.")
    root = make_site(tmp_path, profiles | {"hidden": secret})
    out = build(root).output
    assert b"zqonlyword" in b"".join(gzip.decompress(p.read_bytes()) for p in out.glob("pagefind/**/*.pf_*"))
    make_site(root, profiles | {"hidden": {**secret, "status": "suspended"}})
    out = build(root).output
    held = part_words(out)
    assert len(held) > 1
    indexed = b"".join(gzip.decompress(p.read_bytes()) for p in out.glob("pagefind/**/*.pf_*"))
    assert b"zqonlyword" not in indexed.lower() and b"zqhidden" not in indexed.lower()
    assert not any("zqonlyword" in w for words in held + word_index(out) for w in words)


def test_a_pelican_blog_in_parts_has_each_parts_words_in_the_word_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Content this project did not write (tests/fixtures/pelican_blog: Pelican's samples, HTML and reST articles,
    code, tables, footnotes): the word index still holds exactly each part's words."""
    from tests.test_pelican_migration import blog

    monkeypatch.setattr(search_parts, "PART_PAGES", 3)
    root = blog(tmp_path, {f"partners/extra{n}.yaml": yaml.safe_dump(vetted(f"Extra Firm {n}")) for n in range(6)})
    out = build(root).output
    held = part_words(out)
    assert len(held) > 2 and len(set(map(frozenset, held))) > 1 and word_index(out) == held


def test_a_part_in_another_language_stops_the_build_with_a_message(tmp_path: Path, runs: list[Path],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """The word index speaks the search page's language; a part in another (not met: every page is in
    DEFAULT_LANG) would make it answer wrongly, so the index is refused in words, not left wrong."""
    names = ["Anchor Roofing", "Beacon Plumbing", "Coast Drains", "Delta Glazing"]
    root = make_site(tmp_path, {name.split()[0].lower(): vetted(name) for name in names})
    monkeypatch.setattr(pagefind_files, "loaded_language", lambda index, wanted: "fr")
    with pytest.raises(search.SearchIndexFailed, match="speaks one language"):
        build(root)
