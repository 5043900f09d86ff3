"""Pelican's articles read ahead on every core (``plugins/vouch_pages/read_ahead.py``): the same site, the same
messages, only sooner."""

from __future__ import annotations

import importlib
import logging
import os
import random
import sys
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


def _site(root: Path, articles: int) -> Path:
    rng = random.Random(articles)
    files = {f"content/articles/note-{n:03}.md": _article(rng, n) for n in range(articles)}
    return make_site(root, {"harbour-plumbing": vetted("Harbour Plumbing")}, files)


def test_articles_read_on_every_core_make_the_same_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough articles to read ahead: the site equals the one Pelican makes reading them one by one, and this
    process read only its share of them (a child read the rest)."""
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

    assert len(reads_here) == count  # without read-ahead this process reads every article
    assert 0 < read_ahead_here < count  # with it, a child read some
    assert stable_tree(ahead / "output") == stable_tree(one_by_one / "output")
    assert len(list((ahead / "output" / "articles").glob("note-*/index.html"))) == count


def test_a_file_whose_reading_logs_is_left_to_pelican(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Pelican warns of a duplicate ``Date:`` while reading: that file is not read ahead (the warning would be
    said in a child, or not at all), so Pelican reads it itself and says it, once."""
    settings = {**DEFAULT_CONFIG, "CACHE_PATH": str(tmp_path / "cache")}
    readers = Readers(settings)
    readers.readers["md"] = CommentFreeMarkdownReader(settings)
    plain, twice = tmp_path / "plain.md", tmp_path / "twice.md"
    plain.write_text("Title: One\nDate: 2026-01-01\n\nText.\n")
    twice.write_text("Title: One\nDate: 2026-01-01\nDate: 2026-02-01\n\nText.\n")
    with caplog.at_level(logging.WARNING):
        read = read_ahead._quiet_read(readers, str(plain))
        assert read_ahead._quiet_read(readers, str(twice)) is None
        assert read_ahead._quiet_read(readers, str(tmp_path / "missing.md")) is None  # raises: Pelican says why
    assert caplog.records == []  # nothing said here: Pelican says it when it reads the file
    assert read is not None and read[0] == "<p>Text.</p>" and read[1]["title"] == "One"
    assert logging.Logger.callHandlers is not None and "lambda" not in repr(logging.Logger.callHandlers)
