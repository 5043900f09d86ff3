"""reStructuredText cannot publish a file from disk: ``include``, ``raw`` and ``csv-table`` with ``:file:``
or ``:url:`` are problem lines, whatever DOCUTILS_SETTINGS or a docutils.conf say (review 1, finding 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitekit import make_site, vetted
from vouch.problems import ValidationFailed
from vouch_site.build import build, validate_only
from vouch_site.config import load_settings

SECRET = "zqsecretq"
HEAD = "Inserted\n########\n\n:date: 2026-11-01\n\nBefore.\n\n"
ATTEMPTS = {
    "include": ".. include:: ../../private/subscribers.csv\n   :literal:\n",
    "include-plain": ".. include:: ../../private/subscribers.csv\n",
    "raw-file": ".. raw:: html\n   :file: ../../private/subscribers.csv\n",
    "raw-url": ".. raw:: html\n   :url: file://PRIVATE\n",
    "csv-file": ".. csv-table:: subs\n   :file: ../../private/subscribers.csv\n",
    "csv-url": ".. csv-table:: subs\n   :url: file://PRIVATE\n",
}
# What an editor could write to turn file insertion back on.
REENABLE = 'DOCUTILS_SETTINGS = {"file_insertion_enabled": True, "raw_enabled": True, "halt_level": 5}\n'


def site(root: Path, attempt: str) -> Path:
    private = root / "private" / "subscribers.csv"
    body = ATTEMPTS[attempt].replace("PRIVATE", str(private))
    make_site(root, {"harbour": vetted("Harbour")}, {"content/articles/x.rst": HEAD + body})
    private.parent.mkdir()
    private.write_text(f"email,name\n{SECRET}@example.org,Sub One\n")
    with (root / "pelicanconf.py").open("a") as conf:
        conf.write(REENABLE)
    (root / "docutils.conf").write_text("[general]\nfile_insertion_enabled: yes\nhalt_level: 5\n")
    return root


@pytest.mark.parametrize("attempt", sorted(ATTEMPTS))
def test_a_file_inserted_by_restructuredtext_is_a_problem_line_and_never_published(
    tmp_path: Path, attempt: str
) -> None:
    root = site(tmp_path, attempt)
    problems = [str(p).rsplit("content/", 1)[1] for p in validate_only(root).problems]
    assert len(problems) == 1, problems
    assert problems[0].startswith("articles/x.rst:8: text: expected no file inserted into the page"), problems
    assert "; got " in problems[0] and SECRET not in problems[0]
    with pytest.raises(ValidationFailed):
        build(root)
    written = [p for p in (root / "output").rglob("*") if p.is_file()] if (root / "output").exists() else []
    assert not [p for p in written if SECRET.encode() in p.read_bytes()]


def test_pelicans_own_run_reads_restructuredtext_without_file_insertion(tmp_path: Path) -> None:
    root = site(tmp_path, "include")
    docutils = load_settings(root)["DOCUTILS_SETTINGS"]
    assert docutils["file_insertion_enabled"] is False
    assert docutils["_disable_config"] is True  # no docutils.conf turns it back on
    assert docutils["raw_enabled"] is True  # inline raw HTML is Pelican content, checked after rendering


def test_a_restructuredtext_error_is_one_line_at_its_place_without_false_title_or_date_lines(tmp_path: Path) -> None:
    short = "Title too long\n####\n\n:date: 2026-11-01\n\nText.\n"
    make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/articles/r1.rst": short})
    assert [str(p).rsplit("content/", 1)[1] for p in validate_only(tmp_path).problems] == [
        "articles/r1.rst:2: text: expected reStructuredText that docutils reads; got 'Title underline too short.'"
    ]


def test_the_date_directive_is_a_problem_on_its_line(tmp_path: Path) -> None:
    """``.. |now| date::`` writes the time the build runs (docutils does not read SOURCE_DATE_EPOCH): the same files
    would never build the same site, and a kept reading would show one time in the e-mail and another on the page
    (review of stop 29)."""
    text = "Clock\n#####\n\n:date: 2026-10-15\n\nAs of |now|.\n\n   .. |now| date:: %Y-%m-%d %H:%M\n"
    root = make_site(tmp_path, {"harbour": vetted("Harbour")}, {"content/articles/clock.rst": text})
    with pytest.raises(ValidationFailed) as failed:
        build(root)
    assert [str(p).removeprefix(f"{root}/") for p in failed.value.problems] == [
        "content/articles/clock.rst:8: text: expected no date directive (it writes the time the build runs, so the "
        "same files would never build the same site: write the date); got '.. |now| date:: %Y-%m-%d %H:%M'"
    ]
