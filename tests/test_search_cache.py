"""The search index is made once per content (vouch_site/search.py): a build that changes no searchable page
runs no Pagefind, a changed page makes a new index, a cached index that is no longer exactly what Pagefind
wrote is never published, a warm build equals a cold one, and a failed Pagefind run changes nothing."""

from __future__ import annotations

import fcntl
import gzip
import os
import pickle
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sitekit import make_site, stable_tree, vetted
from vouch import search_parts
from vouch_site import commands, search
from vouch_site.build import build
from vouch_site.commands import CommandFailed

NAMES = ["Anchor Roofing", "Beacon Plumbing", "Harbour Drains"]


def network(root: Path, edited: bool = False) -> Path:
    profiles = {name.split()[1].lower(): vetted(name) for name in NAMES}
    if edited:
        profiles["drains"] = vetted("Harbour Drains", description="Now also clears zqgutterq gutters.")
    return make_site(root, profiles)


def cache_of(root: Path) -> Path:
    return root / ".cache/vouch/search"


def cached(root: Path) -> set[str]:
    return {p.name for p in cache_of(root).iterdir() if p.name not in (search.STATE, search.MAKING)}  # the indexes


def words(out: Path) -> bytes:
    return b"".join(gzip.decompress(p.read_bytes()) for p in out.glob("pagefind/fragment/*"))


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    made: list[Path] = []
    real = search._pagefind
    monkeypatch.setattr(search, "_pagefind", lambda site, output: (made.append(output), real(site, output)))
    return made


def test_one_index_made_once_per_content_and_the_warm_build_equals_a_cold_one(tmp_path: Path, runs: list) -> None:
    root = network(tmp_path / "warm")
    out = build(root).output
    assert (out / "pagefind/pagefind.js").is_file() and not list(out.glob("pagefind/part-*"))
    assert not (out / "pagefind" / search.MANIFEST).exists()
    (root / "partners/roofing.yaml").rename(root / "partners/roofing.yaml.keep")
    (root / "partners/roofing.yaml.keep").rename(root / "partners/roofing.yaml")
    build(root)
    assert len(runs) == 1  # nothing searchable changed: no Pagefind run
    network(root, edited=True)
    out = build(root).output
    assert len(runs) == 2 and len(cached(root)) == 1 and b"zqgutterq" in words(out)
    cold = network(tmp_path / "cold", edited=True)
    build(cold)
    assert stable_tree(root / "output") == stable_tree(cold / "output")


@pytest.mark.parametrize("damage", ["append", "delete", "add", "symlink", "file-for-folder"])
def test_a_cached_index_changed_in_any_way_is_made_again_never_published(tmp_path: Path, runs: list,
                                                                         damage: str) -> None:  # fmt: skip
    root = network(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("vetting notes zqsecretq")
    out = build(root).output
    entry = cache_of(root) / cached(root).pop()
    fragment = next((entry / "fragment").iterdir())
    if damage == "append":  # through output/, where the same file is linked
        with open(out / "pagefind/fragment" / fragment.name, "ab") as published:
            published.write(b"junk")
    elif damage == "delete":
        fragment.unlink()
    elif damage == "add":
        (entry / "fragment/extra.pf_fragment").write_bytes(gzip.compress(b"zqsecretq"))
    elif damage == "symlink":
        fragment.unlink()
        fragment.symlink_to(secret)
    else:
        import shutil

        shutil.rmtree(cache_of(root))
        cache_of(root).write_text("not a folder")
    again = build(root).output
    assert len(runs) == 2, damage
    assert b"zqsecretq" not in words(again) and not any(p.is_symlink() for p in again.rglob("*"))
    assert stable_tree(again) == stable_tree(build(network(tmp_path / "cold")).output)


def test_a_pagefind_config_in_the_project_changes_nothing(tmp_path: Path) -> None:
    root = network(tmp_path / "site")
    (root / "pagefind.yml").write_text("exclude_selectors: ['main']\nforce_language: fr\n")
    out = build(root).output
    assert b"Beacon" in words(out) and not list(out.glob("pagefind/wasm.fr*"))


@pytest.fixture
def failing_pagefind(tmp_path: Path) -> Iterator[None]:
    fake = tmp_path / "failing-pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: the index could not be written' >&2\nexit 3\n")
    fake.chmod(0o755)
    os.environ["PAGEFIND_BINARY_PATH"] = str(fake)
    search._pagefind_command.cache_clear()
    search._pagefind_identity.cache_clear()
    yield
    del os.environ["PAGEFIND_BINARY_PATH"]
    search._pagefind_command.cache_clear()
    search._pagefind_identity.cache_clear()


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


def test_a_rebuild_reads_only_the_pages_it_wrote_again_and_indexes_as_a_cold_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages the rebuild linked unchanged into the new site are the very files the last index read (file_id, as
    the render cache trusts it): hashing all 9,000 of them took 1.4 s of a one-edit rebuild."""
    read: list[bytes] = []  # the partner pages read (each read names its partner)
    real = search_parts.partner_name
    monkeypatch.setattr(search_parts, "partner_name", lambda data: (read.append(data[:0]), real(data))[1])
    monkeypatch.setattr(search_parts, "PART_PAGES", 2)
    root = network(tmp_path / "warm")
    build(root)
    everything = len(read)
    read.clear()
    out = build(network(root, edited=True)).output
    assert 1 <= len(read) < everything  # the edited profile, not every partner's page
    cold = build(network(tmp_path / "cold", edited=True)).output
    assert stable_tree(out) == stable_tree(cold)


def test_a_page_put_back_in_place_with_its_old_size_and_time_is_read_again(tmp_path: Path) -> None:
    """A different file (another inode) with the recorded size and mtime is still read: its words are indexed."""
    root = network(tmp_path)
    out = build(root).output
    page = out / "partners" / "drains" / "index.html"
    data, before = page.read_bytes(), page.stat()
    replaced = data.replace(b"Harbour Drains</h1>", b"Zqharbourq Dra</h1>", 1)
    assert len(replaced) == len(data) and replaced != data
    put_back = page.with_suffix(".new")  # made while the old file exists: another inode
    put_back.write_bytes(replaced)
    os.utime(put_back, ns=(before.st_atime_ns, before.st_mtime_ns))
    put_back.replace(page)
    search.reindex(out, cache_of(root))
    assert b"Zqharbourq" in words(out)


ODD_STATES = [
    {"files": None},
    {"files": {"index.html": None}},
    {"files": {"index.html": ((1, 2), "not a page")}},
    {"tokens": None},
    {"tokens": {"k": ("en", ["a", "list"])}},
    {"tokens": {"k": {"en": frozenset()}}},
    {"bounds": [("partner", [1, 2])]},
    {"bounds": "partner"},
]


@pytest.mark.parametrize("state", ODD_STATES)
def test_a_search_state_of_another_shape_is_not_read(tmp_path: Path, state: dict) -> None:
    (tmp_path / search.STATE).write_bytes(pickle.dumps((search.STATE_STAMP, state)))
    assert search._read_state(tmp_path) == {}


def test_a_search_state_of_another_shape_is_dropped_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hand-edited or foreign parts.pickle only costs a full read: the index is a cold build's (each odd shape
    is read as no state, above)."""
    monkeypatch.setattr(search_parts, "PART_PAGES", 2)
    root = network(tmp_path / "warm")
    build(root)
    assert search._read_state(cache_of(root)) != {}  # the state a build writes is read
    (cache_of(root) / search.STATE).write_bytes(pickle.dumps((search.STATE_STAMP, ODD_STATES[2])))
    out = build(network(root, edited=True)).output
    cold = build(network(tmp_path / "cold", edited=True)).output
    assert stable_tree(out) == stable_tree(cold)


def test_tokens_of_another_type_under_a_real_index_are_dropped_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 7: tokens that are not strings, under the name of an index the build will use, crashed it."""
    monkeypatch.setattr(search_parts, "PART_PAGES", 2)
    root = network(tmp_path / "warm")
    build(root)
    version, state = pickle.loads((cache_of(root) / search.STATE).read_bytes())
    state["tokens"] = {name: (lang, frozenset({1, 2})) for name, (lang, _) in state["tokens"].items()}
    (cache_of(root) / search.STATE).write_bytes(pickle.dumps((version, state)))
    out = build(network(root, edited=True)).output
    cold = build(network(tmp_path / "cold", edited=True)).output
    assert stable_tree(out) == stable_tree(cold)


def test_indexes_are_made_into_the_cache_by_one_process_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``invoke serve`` makes an edited page's index in a child while its rebuild runs: the rebuild's search waits
    for the child (then finds the index made) rather than making the same index into the same cache beside it."""
    root = network(tmp_path)
    out = build(root).output
    held, released = tmp_path / "held", tmp_path / "released"
    pid = os.fork()
    if pid == 0:  # another process making indexes: holds the cache a while
        with search._making(cache_of(root)):
            held.touch()
            time.sleep(0.5)
            released.touch()
        os._exit(0)
    seen: list[bool] = []
    real = search._make_indexes
    monkeypatch.setattr(search, "_make_indexes", lambda *given: (seen.append(released.exists()), real(*given))[1])
    while not held.exists():
        time.sleep(0.01)
    search.write_index(out, tmp_path / "index", cache_of(root))
    os.waitpid(pid, 0)
    assert seen == [True]


def test_an_index_made_ahead_holds_the_cache_from_before_its_child_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child's share of the lock is taken before the fork: the rebuild's search can never make the same index
    beside it, however late the child is scheduled. (It runs at the rebuild's own priority: niced, it was starved
    by any other busy process while the rebuild waited for it, 20 s an edit.)"""
    root = network(tmp_path)
    out = build(root).output
    real = search._make_indexes
    monkeypatch.setattr(search, "_make_indexes", lambda *given: (time.sleep(0.5), real(*given))[1])
    ahead = search.index_ahead(out, cache_of(root))
    fd = os.open(cache_of(root) / search.MAKING, os.O_RDWR)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        ahead.result()
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once the child is done
    finally:
        os.close(fd)


def test_the_sites_files_are_those_os_walk_lists_but_the_search_index(tmp_path: Path) -> None:
    """``site_files`` walks with ``os.scandir`` (half of ``os.walk``'s time on 18,000 folders) and lists what
    ``os.walk`` lists: links to files and dangling links as files, a link to a folder neither listed nor followed,
    a ``pagefind/`` folder left out at the top only, hidden and odd names as they are."""
    site = tmp_path / "site"
    for rel in ("index.html", "partners/a/index.html", "partners/a/certificate/index.html", ".hidden/x.txt",
                "pagefind/pagefind.js", "docs/pagefind/kept.html", "odd name/é ü.html", "deep/" * 40 + "end.html"):  # fmt: skip
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text("x")
    (site / "to-file.html").symlink_to(site / "index.html")
    (site / "dangling.html").symlink_to(tmp_path / "nowhere")
    (site / "to-folder").symlink_to(site / "partners")
    (site / "loop").symlink_to(site / "loop")
    walked = []
    for folder, folders, names in os.walk(site):
        rel = os.path.relpath(folder, site)
        if rel == ".":
            folders[:] = [name for name in folders if name != search.SEARCH_FOLDER]
        walked += [name if rel == "." else f"{rel}/{name}" for name in names]
    assert sorted(search.site_files(site)) == sorted(walked)
    assert "docs/pagefind/kept.html" in walked and "to-file.html" in walked and "loop" in walked


def test_a_state_written_with_other_page_fields_is_dropped(tmp_path: Path) -> None:
    """Pages are kept as their field values in order: a state whose pages had other fields (a field added or
    moved without a new version) is another state, read as none, not as pages with their values swapped."""
    (tmp_path / search.STATE).write_bytes(pickle.dumps(((search.STATE_VERSION, ("digest", "rel", "name")), {})))
    assert search._read_state(tmp_path) == {}
    assert search.STATE_STAMP == (search.STATE_VERSION, ("rel", "digest", "name"))
