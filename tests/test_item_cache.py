"""content/'s items are read once per content (``vouch_site/item_cache.py``): a build with nothing changed reads
no article, and after any change what the editor is told equals what a build without the cache tells."""

from __future__ import annotations

import logging
import os
import random
import shutil
from pathlib import Path

import pytest

from tests.sitekit import make_site, vetted
from vouch import content
from vouch.site import EditorReport
from vouch_site.build import validate_only
from vouch_site.item_cache import CACHE_FILE

PROFILES = {"harbour": vetted("Harbour Plumbing"), "anchor": vetted("Anchor Roofing")}


def article(title: str, partners: str = "harbour", body: str = "Ask {partner}harbour.") -> str:
    return f"Title: {title}\nDate: 2026-10-01\nPartners: {partners}\n\n{body}\n"


Told = tuple[list[str], list[str], list[str]]


def told(report: EditorReport, root: Path | None = None) -> Told:
    """What the editor is told about content/: problems, items shown and withheld (paths from ``root``)."""

    def shown(text: str) -> str:
        return text.replace(f"{root}/", "") if root else text

    return (
        [shown(str(p)) for p in report.problems],
        sorted(f"{i.path.name}:{i.title}:{i.save_as}" for i in report.content.shown),
        sorted(shown(str(p)) for p in report.content.withheld),
    )


def warm_and_cold(root: Path, cold: Path) -> tuple[Told, Told]:
    """What a build with the cache tells, and what a copy of the project without it tells."""
    warm = told(validate_only(root), root)
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns(".cache"))
    return warm, told(validate_only(cold), cold)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every item file read."""
    done: list[Path] = []
    real = content._read_item
    monkeypatch.setattr(content, "_read_item", lambda path, *rest: (done.append(path), real(path, *rest))[1])
    return done


def test_a_build_with_nothing_changed_reads_no_item_and_tells_the_same(tmp_path: Path, reads: list[Path]) -> None:
    root = make_site(tmp_path, PROFILES, {f"content/articles/a{k}.md": article(f"Advice {k}") for k in range(3)})
    first = told(validate_only(root))
    assert len(reads) == 3 and (root / ".cache" / "vouch" / CACHE_FILE).is_file()
    reads.clear()
    assert told(validate_only(root)) == first
    assert reads == []


def test_every_change_that_could_change_the_reading_reads_again(tmp_path: Path, reads: list[Path]) -> None:
    """Bytes of an item (its size and mtime put back too), a new profile a reference names, a setting, a folder
    named like an item: each is read again and told as a cold build tells it."""
    root = make_site(tmp_path / "site", PROFILES, {"content/articles/a.md": article("Advice", "harbour, quay")})
    assert any("quay" in p for p in told(validate_only(root))[0])
    path = root / "content" / "articles" / "a.md"

    def changed(change: str) -> Told:
        reads.clear()
        warm, cold = warm_and_cold(root, tmp_path / change.replace(" ", "-"))
        assert reads, f"not read again after {change}"
        assert warm == cold
        return warm

    stat = path.stat()
    path.write_text(article("Advise", "harbour, quay"))  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert "a.md:Advise" not in str(changed("the same size and mtime"))
    make_site(root, {**PROFILES, "quay": vetted("Quay Glass")})
    assert not changed("a new profile")[0]
    (root / "pelicanconf.py").write_text((root / "pelicanconf.py").read_text() + '\nARTICLE_URL = "a/{slug}/"\n')
    (root / "pelicanconf.py").write_text(
        (root / "pelicanconf.py").read_text() + 'ARTICLE_SAVE_AS = "a/{slug}/index.html"\n'
    )
    assert "a/a/index.html" in str(changed("a setting"))
    (root / "content" / "articles" / "b.md").mkdir()
    assert any("folder named like one" in p for p in changed("a folder")[0])


def test_a_reading_that_logged_is_read_again_so_it_is_said_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_site(tmp_path, PROFILES, {"content/articles/a.md": article("Advice")})
    real = content._read_item
    calls: list[Path] = []

    def noisy(path: Path, *rest: object) -> object:
        calls.append(path)  # a message of its own each time: Pelican's loggers say a repeated one once a process
        logging.getLogger("vouch.reading").warning("odd markup in %s (%d)", path.name, len(calls))
        return real(path, *rest)

    monkeypatch.setattr(content, "_read_item", noisy)
    with caplog.at_level("WARNING"):
        validate_only(root)
        validate_only(root)
    assert [r.getMessage() for r in caplog.records] == ["odd markup in a.md (1)", "odd markup in a.md (2)"]
    assert not (root / ".cache" / "vouch" / CACHE_FILE).exists()


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01.", None])
def test_a_damaged_or_foreign_cache_is_read_past(tmp_path: Path, reads: list[Path], damage: bytes | None) -> None:
    root = make_site(tmp_path, PROFILES, {"content/articles/a.md": article("Advice")})
    first = told(validate_only(root))
    cache = root / ".cache" / "vouch" / CACHE_FILE
    if damage is None:
        cache.unlink()
        cache.mkdir()  # not even a file: the reading is not kept, the build goes on
    else:
        cache.write_bytes(damage)
    reads.clear()
    assert told(validate_only(root)) == first
    assert reads


def test_warm_readings_equal_cold_ones_over_random_edits(tmp_path: Path) -> None:
    """Forty random edits of titles, references, drafts, dates and files; after each, the warm report equals that
    of a copy without the cache."""
    rng = random.Random(20)
    root = make_site(tmp_path / "site", PROFILES | {"quay": vetted("Quay") | {"status": "suspended"}})
    articles = root / "content" / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    for step in range(40):
        name = articles / f"a{rng.randrange(4)}.md"
        choice = rng.randrange(5)
        if choice == 0 and name.exists():
            name.unlink()
        elif choice == 1:
            name.write_text(article(f"T{step}", rng.choice(["harbour", "anchor", "quay", "ghost", ""])))
        elif choice == 2:
            name.write_text(article(f"T{step}") + "Status: draft\n" if rng.random() < 0.5 else "Title: x\n\n")
        elif choice == 3:
            name.write_text(article(f"T{step}", body=f"See {{partner}}{rng.choice(['anchor', 'quay', 'nobody'])}."))
        else:
            name.write_bytes(b"Title: \xff\n\nx\n")
        warm, cold = warm_and_cold(root, tmp_path / f"cold{step}")
        assert warm == cold, step


def test_an_items_time_is_in_the_key_when_it_dates_the_item(tmp_path: Path) -> None:
    """``DEFAULT_DATE = "fs"`` dates an item without ``Date:`` by its modification time: a new time with the same
    bytes schedules it as a cold build does (review of stop 29: the warm build published it under its old date)."""
    root = make_site(
        tmp_path / "site", PROFILES, {"content/articles/a.md": "Title: Undated\n\nAsk {partner}harbour.\n"}
    )
    (root / "pelicanconf.py").write_text((root / "pelicanconf.py").read_text() + '\nDEFAULT_DATE = "fs"\n')
    path = root / "content" / "articles" / "a.md"
    os.utime(path, (1792497600, 1792497600))  # 2026-10-20
    assert told(validate_only(root))[1]  # shown
    os.utime(path, (1796904000, 1796904000))  # 2026-12-10, after the build's today
    warm, cold = warm_and_cold(root, tmp_path / "cold")
    assert warm == cold and warm[1] == []


def test_an_item_too_big_to_read_is_named_with_its_size_now(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", PROFILES, {"content/articles/big.md": "Title: Big\n\n" + "x" * 1_100_000})
    validate_only(root)
    (root / "content/articles/big.md").write_text("Title: Big\n\n" + "x" * 1_300_000)
    warm, cold = warm_and_cold(root, tmp_path / "cold")
    assert warm == cold and "1,300,012 bytes" in warm[0][0]


def test_a_cache_that_is_a_pipe_or_a_folder_costs_a_reading_and_leaves_nothing(tmp_path: Path) -> None:
    """A pipe would be waited on for ever; a folder cannot be replaced: the reading is not kept, and no half-written
    file is left beside it (review of stop 29: one a build)."""
    root = make_site(tmp_path, PROFILES, {"content/articles/a.md": article("Advice")})
    cache = root / ".cache" / "vouch" / CACHE_FILE
    cache.parent.mkdir(parents=True)
    os.mkfifo(cache)
    first = told(validate_only(root))
    cache.unlink()
    cache.mkdir()
    assert told(validate_only(root)) == first == told(validate_only(root))
    assert [p.name for p in cache.parent.iterdir() if p.name.startswith(f".{CACHE_FILE}")] == []
