"""Pelican's articles read ahead on every core (``plugins/vouch_pages/read_ahead.py``): the same site, the same
messages, only sooner."""

from __future__ import annotations

import hashlib
import importlib
import io
import logging
import os
import random
import sys
import warnings
from pathlib import Path

import pytest
from pelican.readers import Readers
from pelican.settings import DEFAULT_CONFIG

from tests.sitekit import make_site, stable_tree, vetted
from vouch_site.build import build

# the plugin as Pelican loads it: ``vouch_pages`` from PLUGIN_PATHS (``plugins.vouch_pages`` would be another module)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
read_ahead = importlib.import_module("vouch_pages.read_ahead")
CommentFreeMarkdownReader = importlib.import_module("vouch_pages.content").CommentFreeMarkdownReader

WORDS = ["boiler", "damp", "hedge", "quay", "survey", "roof", "gutter", "lime", "render", "slate", "drain", "flue"]


def _article(rng: random.Random, number: int) -> str:
    """An article in the Markdown editors write: headings, lists, emphasis, links to a partner, code."""
    body = [f"## {rng.choice(WORDS).title()} {number}", ""]
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["para", "list", "code", "quote"])
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        body += {
            "para": [f'{words} *{rng.choice(WORDS)}* "quoted" -- {{partner}}harbour-plumbing.', ""],
            "list": [f"- {w}" for w in words.split()[:5]] + [""],
            "code": ["    if x < 3: <b>escaped</b>", ""],
            "quote": [f"> {words}", ""],
        }[kind]
    tags = ", ".join(rng.sample(WORDS, 2))
    return f"Title: Note {number}\nDate: 2026-0{1 + number % 9}-1{number % 10}\nTags: {tags}\n\n" + "\n".join(body)


TWICE_DATED = 6  # articles with two Date: lines, which Pelican warns of while reading (a warning, not a Vouch problem)


def _site(root: Path, articles: int) -> Path:
    """Generated articles, some that Pelican warns of, and a setting that does not pickle (a lambda filter)."""
    rng = random.Random(articles)
    files = {f"content/articles/note-{n:03}.md": _article(rng, n) for n in range(articles)}
    for n in range(TWICE_DATED):
        files[f"content/articles/twice-{n}.md"] = (
            f"Title: Twice {n}\nDate: 2026-03-0{n + 1}\nDate: 2026-04-01\n\nText.\n"
        )
    site = make_site(root, {"harbour-plumbing": vetted("Harbour Plumbing")}, files)
    with (site / "pelicanconf.py").open("a") as conf:
        conf.write('JINJA_FILTERS = {"shout": lambda text: text.upper()}\n')
    return site


def _warned_of(caplog: pytest.LogCaptureFixture, root: Path) -> list[str]:
    """The articles Pelican said it read two dates in, by name, as often as it said so."""
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Duplicate definition of `date`")]
    return sorted(message.split(" for ")[1].split(". Using")[0].rsplit("/", 1)[-1] for message in said
                  if str(root) in message)  # fmt: skip


def test_articles_read_on_every_core_make_the_same_site_and_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Enough articles to read ahead: the site equals the one Pelican makes reading them one by one, Pelican warns
    of each file it warned of then, once (review: half the warnings were lost to its once-only filter), a setting
    that does not pickle changes nothing (review: it failed the build), and this process read only its share of
    the files (a child read the rest)."""
    caplog.set_level(logging.WARNING)
    count = read_ahead.READ_AHEAD_FROM + 20
    main, reads_here = os.getpid(), []
    original = CommentFreeMarkdownReader.read

    def counted(self: object, path: str) -> object:
        if os.getpid() == main:
            reads_here.append(path)
        return original(self, path)

    monkeypatch.setattr(CommentFreeMarkdownReader, "read", counted)
    ahead = _site(tmp_path / "ahead", count)
    build(ahead)
    read_ahead_here = len(reads_here)
    monkeypatch.setattr(read_ahead, "READ_AHEAD_FROM", 10**9)
    reads_here.clear()
    one_by_one = _site(tmp_path / "one-by-one", count)
    build(one_by_one)

    assert len(reads_here) == count + TWICE_DATED  # without read-ahead this process reads every article
    assert 0 < read_ahead_here < count  # with it, a child read some
    assert stable_tree(ahead / "output") == stable_tree(one_by_one / "output")
    assert len(list((ahead / "output" / "articles").glob("note-*/index.html"))) == count
    twice = sorted(f"twice-{n}.md" for n in range(TWICE_DATED))
    assert _warned_of(caplog, ahead) == twice == _warned_of(caplog, one_by_one)


def test_a_file_whose_reading_logs_is_left_to_pelican(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Pelican warns of a duplicate ``Date:`` while reading: that file is not read ahead (the warning would be
    said in a child, or not at all), so Pelican reads it itself and says it, once."""
    settings = {**DEFAULT_CONFIG, "CACHE_PATH": str(tmp_path / "cache"), "CHECK_MODIFIED_METHOD": "md5"}  # as Vouch
    readers = Readers(settings)
    readers.readers["md"] = CommentFreeMarkdownReader(settings)
    plain, twice = tmp_path / "plain.md", tmp_path / "twice.md"
    plain.write_text("Title: One\nDate: 2026-01-01\nTags: damp, roof\n\nText.\n")
    twice.write_text("Title: One\nDate: 2026-01-01\nDate: 2026-02-01\n\nText.\n")
    kept = read_ahead.held_settings(readers)
    with caplog.at_level(logging.WARNING):
        read = read_ahead._quiet_read(readers, str(plain), kept)
        assert read_ahead._quiet_read(readers, str(twice), kept) is None
        assert read_ahead._quiet_read(readers, str(tmp_path / "missing.md"), kept) is None  # Pelican says why
    assert caplog.records == []  # nothing said here: Pelican says it when it reads the file
    assert read is not None
    stamp, (content, metadata) = read_ahead._Unpickler(io.BytesIO(read), kept).load()
    assert stamp == hashlib.md5(plain.read_bytes()).digest() and content == "<p>Text.</p>"
    assert metadata["title"] == "One" and metadata["tags"][0].settings is readers.readers["md"].settings  # not a copy
    assert "lambda" not in repr(logging.Logger.handle)  # put back


def test_a_file_saved_while_it_is_read_ahead_is_read_again(tmp_path: Path) -> None:
    """What is cached carries the stamp of the file before it was read (review: an edit saved during read-ahead
    was published stale, build after build): a file saved meanwhile misses the cache and is read again."""
    settings = {**DEFAULT_CONFIG, "CACHE_PATH": str(tmp_path / "cache"), "CHECK_MODIFIED_METHOD": "md5",
                "CACHE_CONTENT": True}  # fmt: skip
    readers = Readers(settings, "articles")  # caching as Vouch's build has it
    page = tmp_path / "page.md"
    page.write_text("Title: Old\nDate: 2026-01-01\n\nOld.\n")

    class SavedWhileRead(CommentFreeMarkdownReader):
        def read(self, path: str) -> tuple[str, dict]:
            Path(path).write_text("Title: New\nDate: 2026-01-01\n\nNew.\n")  # the editor saves
            return super().read(path)

    readers.readers["md"] = SavedWhileRead(settings)
    kept = read_ahead.held_settings(readers)
    read = read_ahead._quiet_read(readers, str(page), kept)
    assert read is not None
    read_ahead.FileDataCacher.cache_data(readers, str(page), read_ahead._Unpickler(io.BytesIO(read), kept).load())
    assert readers._cache_data_policy and readers.get_cached_data(str(page), None) is None  # stale: read again
    page.write_text("Title: Old\nDate: 2026-01-01\n\nOld.\n")  # the file as it was when stamped
    assert readers.get_cached_data(str(page), None) is not None


def test_a_file_whose_reading_warns_is_left_to_pelican(tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    """A Python warning while reading (a Markdown extension's, say) would be shown by the child and again by
    Pelican: that file is left to Pelican, which shows it as it always did."""
    settings = {**DEFAULT_CONFIG, "CACHE_PATH": str(tmp_path / "cache")}
    readers = Readers(settings)

    class Warns(CommentFreeMarkdownReader):
        def read(self, path: str) -> tuple[str, dict]:
            warnings.warn("an extension's own warning", UserWarning, stacklevel=1)
            return super().read(path)

    readers.readers["md"] = Warns(settings)
    page = tmp_path / "page.md"
    page.write_text("Title: One\nDate: 2026-01-01\n\nText.\n")
    assert read_ahead._quiet_read(readers, str(page), read_ahead.held_settings(readers)) is None
    assert len(recwarn) == 0  # not shown here
