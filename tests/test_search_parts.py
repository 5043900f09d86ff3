"""The search index in parts (vouch_site/search.py): a part is re-indexed only when its pages change, a stale
part is never used, a warm build equals a cold one, and a failed Pagefind run changes nothing."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sitekit import make_site, stable_tree, vetted
from vouch_site import commands, search
from vouch_site.build import build
from vouch_site.commands import CommandFailed

NAMES = ["Anchor Roofing", "Beacon Plumbing", "Cliff Electrical", "Harbour Drains", "Tide Gardening"]


@pytest.fixture(autouse=True)
def split_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SPLIT_FROM", 0)  # letter parts even on a five-partner site


def network(root: Path, edited: bool = False) -> Path:
    profiles = {name.split()[1].lower(): vetted(name) for name in NAMES}
    if edited:
        profiles["drains"] = vetted("Harbour Drains", description="Now also clears zqgutterq gutters.")
    return make_site(root, profiles)


def cached(root: Path) -> set[str]:
    return {p.name for p in (root / ".cache/vouch/search").iterdir()}


def test_profiles_are_indexed_in_letter_parts_listed_for_the_search_page(tmp_path: Path) -> None:
    out = build(network(tmp_path)).output
    assert json.loads((out / "pagefind/vouch-parts.json").read_text()) == [
        "part-ab",
        "part-cd",
        "part-hij",
        "part-tuvwxyz",
    ]
    assert (out / "pagefind/pagefind.js").is_file() and (out / "pagefind/part-hij/pagefind.js").is_file()
    fragments = {p.parent.parent.name for p in out.glob("pagefind/**/fragment/*.pf_fragment")}
    assert fragments == {"pagefind", "part-ab", "part-cd", "part-hij", "part-tuvwxyz"}


def test_an_edit_reindexes_only_its_part_and_the_warm_build_equals_a_cold_one(tmp_path: Path) -> None:
    root = network(tmp_path / "warm")
    build(root)
    before = cached(root)
    network(root, edited=True)
    build(root)
    after = cached(root)
    assert len(before) == len(after) == 5 and len(after - before) == 1  # part-hij only, made again
    cold = network(tmp_path / "cold", edited=True)
    build(cold)
    assert stable_tree(root / "output") == stable_tree(cold / "output")


def test_the_edited_words_are_found_in_the_new_part_not_the_old_one(tmp_path: Path) -> None:
    root = network(tmp_path)
    build(root)
    network(root, edited=True)
    out = build(root).output
    words = {p.parent.parent.name: gzip.decompress(p.read_bytes()) for p in out.glob("pagefind/**/fragment/*")}
    assert [part for part, data in words.items() if b"zqgutterq" in data] == ["part-hij"]


@pytest.fixture
def failing_pagefind(tmp_path: Path) -> Iterator[None]:
    fake = tmp_path / "failing-pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: the index could not be written' >&2\nexit 3\n")
    fake.chmod(0o755)
    os.environ["PAGEFIND_BINARY_PATH"] = str(fake)
    search._pagefind_command.cache_clear()
    yield
    del os.environ["PAGEFIND_BINARY_PATH"]
    search._pagefind_command.cache_clear()


def test_a_failed_pagefind_run_changes_nothing(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    root = network(tmp_path / "site")
    build(root)
    before, kept = stable_tree(root / "output"), cached(root)
    network(root, edited=True)
    request.getfixturevalue("failing_pagefind")
    with pytest.raises(CommandFailed) as failed:
        commands.build(root)
    assert failed.value.message == (
        "vouch: the search index: pagefind failed (3): Error: the index could not be written; "
        "nothing was built, output/ is unchanged"
    )
    assert stable_tree(root / "output") == before
    assert cached(root) == kept  # nothing half-made left in the cache either
