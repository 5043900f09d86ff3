"""The file store (issue 18): print files kept by render key under .cache/vouch/files/, linked into a build
made after output/ is deleted; never a stale or altered entry, never more than the last build's files."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from tests.sitekit import demo_clock, make_site, stable_tree, vetted
from vouch.writer.file_store import INDEX, FileStore
from vouch.writer.staged import StagedWriter, file_id
from vouch_site.build import build

PROFILES = {
    "harbour": vetted("Harbour Plumbing", contact={"phone": "+44 117 496 0100"}, areas=["Kingsbridge"]),
    "quay": vetted("Quay Drains"),
    "volt": vetted("Volt Electrical", category="electrical"),
}
PRINTED = ("print/**/index.html", "partners/*/qr.svg", "partners/*/certificate/index.html")


def printed(out: Path) -> dict[str, int]:
    """The print files of a build, by path, with their inode."""
    return {p.relative_to(out).as_posix(): p.stat().st_ino for pattern in PRINTED for p in out.glob(pattern)}


def store_inodes(root: Path) -> dict[int, str]:
    return {p.stat().st_ino: p.name for p in (root / ".cache/vouch/files").iterdir() if p.name != INDEX}


def forget_output(root: Path) -> None:
    """output/, the e-mail previews and the builds folder with its render keys gone; .cache/ kept."""
    for name in ("output", "mail", ".output.builds"):
        shutil.rmtree(root / name)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, int]]:
    """A cold build, and the same site built, its output deleted and built again; the first build's print files."""
    cold = make_site(tmp_path_factory.mktemp("cold"), PROFILES)
    warm = make_site(tmp_path_factory.mktemp("warm"), PROFILES)
    with demo_clock():
        build(cold)
        first = printed(build(warm).output)
        forget_output(warm)
        build(warm)
    return cold, warm, first


def test_a_build_after_output_is_deleted_links_every_print_file_from_the_store(sites: tuple) -> None:
    _, warm, first = sites
    again = printed(warm / "output")
    assert len(again) == 3 * 2 + 3  # 3 codes, 3 certificates, the whole sheet and one per trade
    assert again == first  # the very files the first build wrote: linked, neither rendered nor written
    assert set(store_inodes(warm)) == set(again.values())  # the store holds this build's print files, nothing else


def test_the_build_from_the_store_equals_a_cold_build_byte_for_byte(sites: tuple) -> None:
    cold, warm, _ = sites
    assert stable_tree(warm / "output") == stable_tree(cold / "output")


def test_a_changed_setting_or_an_entry_written_in_place_is_never_used(tmp_path: Path) -> None:
    root = make_site(tmp_path, PROFILES)
    with demo_clock():
        out = build(root).output
        certificate = out / "partners/harbour/certificate/index.html"
        with certificate.open("r+b") as shared:  # the store's entry too: the same file
            shared.write(b"<!-- tampered -->")
        forget_output(root)
        html = (build(root).output / "partners/harbour/certificate/index.html").read_text()
        assert "tampered" not in html and "Harbour Plumbing</span> is vouched for by Test Network" in html
        (root / "pelicanconf.py").write_text((root / "pelicanconf.py").read_text().replace("Test Network", "Other"))
        forget_output(root)
        html = (build(root).output / "partners/harbour/certificate/index.html").read_text()
    assert "Harbour Plumbing</span> is vouched for by Other" in html


def test_the_store_keeps_the_last_builds_files_alone_and_drops_what_a_killed_build_left(tmp_path: Path) -> None:
    root = make_site(tmp_path, PROFILES)
    with demo_clock():
        build(root)
        store = root / ".cache/vouch/files"
        (store / ".0123abcd.999").write_bytes(b"half")  # a part a killed build left
        (store / "a-folder").mkdir()  # not the store's: it holds files alone
        make_site(root, {"harbour": vetted("Harbour Plumbing & Gas")})
        out = build(root).output
    assert set(store_inodes(root)) == set(printed(out).values())
    assert not (store / ".0123abcd.999").exists() and not (store / "a-folder").exists()
    _, index = pickle.loads((store / INDEX).read_bytes())
    assert sorted(index) == sorted(p.name for p in store.iterdir() if p.name != INDEX)
    assert all(index[name] == file_id(store / name) for name in index)


def test_an_unreadable_index_makes_every_print_file_again(tmp_path: Path) -> None:
    root = make_site(tmp_path, PROFILES)
    with demo_clock():
        first = printed(build(root).output)
        (root / ".cache/vouch/files" / INDEX).write_bytes(b"not a pickle")
        forget_output(root)
        again = printed(build(root).output)
    assert again.keys() == first.keys() and not set(again.values()) & set(first.values())


def test_a_file_put_twice_is_replaced_never_written_into(tmp_path: Path) -> None:
    """A staged file may be a link to the store's entry and the live site's file: they must not change."""
    kept = tmp_path / "kept"
    kept.write_bytes(b"stored")
    out = StagedWriter(tmp_path / "staging", None)
    assert out.adopt("a/file", kept, file_id(kept))
    out.put("a/file", b"new bytes")
    assert kept.read_bytes() == b"stored" and (tmp_path / "staging/a/file").read_bytes() == b"new bytes"


def test_a_store_that_cannot_link_keeps_nothing_and_the_build_goes_on(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")  # never made: every link fails, as across file systems
    made = tmp_path / "made"
    made.write_bytes(b"x")
    store.keep("key", made, file_id(made))
    assert not store.usable and not os.path.exists(tmp_path / "files")


def test_a_store_that_is_a_link_deletes_nothing_where_it_points(tmp_path: Path) -> None:
    """Review 4: pruning through a linked store folder deleted everything in the folder it pointed at."""
    root = make_site(tmp_path / "site", PROFILES)
    elsewhere = tmp_path / "precious"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("keep me")
    (root / ".cache/vouch").mkdir(parents=True)
    (root / ".cache/vouch/files").symlink_to(elsewhere)
    with demo_clock():
        out = build(root).output
    assert (elsewhere / "notes.txt").read_text() == "keep me" and os.listdir(elsewhere) == ["notes.txt"]
    assert not (root / ".cache/vouch/files").is_symlink() and set(store_inodes(root)) == set(printed(out).values())


@pytest.mark.parametrize("cache", [".cache/vouch/files/index.pickle", ".cache/vouch/qr.pickle"])
@pytest.mark.parametrize(
    "damage", [b"cnosuchmodule\nX\n.", b"\x80\x05\x95\xff\xff\xff\xff\xff\xff\xff\x7f", b"cos\nnope\n."]
)
def test_a_damaged_cache_pickle_is_no_cache_never_a_traceback(tmp_path: Path, cache: str, damage: bytes) -> None:
    """Review 4: a pickle naming a missing module, an absurd size or a missing attribute ended the build."""
    root = make_site(tmp_path / "site", PROFILES)
    with demo_clock():
        cold = build(root).output
        first = stable_tree(cold)
        (root / cache).write_bytes(damage)
        forget_output(root)
        assert stable_tree(build(root).output) == first
