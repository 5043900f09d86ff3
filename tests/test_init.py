"""``invoke init``: the demo becomes an empty network of one's own; anything else is kept, never deleted."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.sitekit import DEMO_EPOCH, REPO, run_invoke
from vouch_site.demo_files import DEMO_FILES, KEPT, current_demo
from vouch_site.guard import REFUSAL
from vouch_site.new_network import rewrite_settings

ARGS = ("init", "--name", "Totnes Trusted Traders", "--url", "https://trusted.totnes.example")


def invoke(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_invoke(project, *args, env={**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH})


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of this repository's demo network, as a fresh clone has it."""
    for folder in ("partners", "content", "schema"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    for name in ("pelicanconf.py", "tasks.py"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for top in ("partners", "content")
        for p in sorted((root / top).rglob("*"))
        if p.is_file()
    } | {"pelicanconf.py": (root / "pelicanconf.py").read_bytes()}


def test_the_list_of_demo_files_is_the_demo_of_this_checkout() -> None:
    assert current_demo(REPO) == DEMO_FILES, "the demo changed: run python -m vouch_site.demo_files"


def test_init_empties_the_demo_and_writes_the_settings(demo: Path) -> None:
    result = invoke(
        demo, *ARGS, "--region", "IE", "--timezone", "Europe/Dublin", "--from", "News <news@totnes.example>"
    )
    assert result.returncode == 0, result.stderr
    left = sorted(p.relative_to(demo).as_posix() for top in ("partners", "content") for p in (demo / top).rglob("*"))
    assert left == [
        "content/articles",
        "content/images",
        "content/newsletter",
        "content/newsletter/welcome",
        "content/pages",
        "content/pages/about.md",
        *KEPT,
    ]  # welcome/ stays, empty: where a welcome series goes
    assert f"removed {len(DEMO_FILES)} demo files:" in result.stdout
    assert "harbour-plumbing.yaml" in result.stdout and "wrote content/pages/about.md: fill it in" in result.stdout
    assert "removed the demo's INTRODUCTIONS_EMAIL" in result.stdout
    conf = (demo / "pelicanconf.py").read_text(encoding="utf-8")
    for line in ('SITENAME = "Totnes Trusted Traders"', 'SITEURL = "https://trusted.totnes.example"',
                 'PHONE_REGION = "IE"', 'TIMEZONE = "Europe/Dublin"', 'NEWSLETTER_FROM = "News <news@totnes.example>"',
                 "VETTING_VALID_DAYS = 365", "refuse_plain_pelican()"):  # fmt: skip
        assert line in conf
    assert "South Hams" not in conf and "INTRODUCTIONS_EMAIL" not in conf
    with pytest.raises(SystemExit, match="build it with `invoke build`"):  # plain pelican is still refused
        runpy.run_path(str(demo / "pelicanconf.py"))
    assert REFUSAL.startswith("vouch: this is a Vouch site")
    assert "Title: About Totnes Trusted Traders" in (demo / "content/pages/about.md").read_text(encoding="utf-8")


def test_init_refuses_a_network_that_is_not_the_demo_and_changes_nothing(demo: Path) -> None:
    (demo / "partners" / "my-plumber.yaml").write_text("name: Mine\nstatus: pending\ncategory: plumbing\n")
    edited = demo / "content/articles/how-to-read-a-quote.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nMy own paragraph.\n", encoding="utf-8")
    before = tree(demo)
    result = invoke(demo, *ARGS)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "content/articles/how-to-read-a-quote.md, partners/my-plumber.yaml" in result.stderr
    assert "nothing was changed" in result.stderr
    assert tree(demo) == before


def test_init_force_removes_only_the_demo_files_and_lists_what_it_kept(demo: Path) -> None:
    (demo / "partners" / "my-plumber.yaml").write_text("name: Mine\nstatus: pending\ncategory: plumbing\n")
    edited = demo / "content/articles/how-to-read-a-quote.md"  # a demo file the organiser changed is theirs
    edited.write_text(edited.read_text(encoding="utf-8").replace("Title:", "Title: Our"), encoding="utf-8")
    (demo / "content/pages/about.md").write_text("Title: About us\n\nOurs.\n", encoding="utf-8")
    (demo / "content/images/.DS_Store").write_bytes(b"\0")
    mine = {p: (demo / p).read_bytes() for p in ("partners/my-plumber.yaml", "content/articles/how-to-read-a-quote.md",
                                                  "content/pages/about.md", "content/images/.DS_Store")}  # fmt: skip
    result = invoke(demo, *ARGS, "--force")
    assert result.returncode == 0, result.stderr
    assert {p: (demo / p).read_bytes() for p in mine} == mine
    assert not (demo / "partners/harbour-plumbing.yaml").exists()
    assert not (demo / "content/articles/how-to-brief-a-tradesperson.md").exists()
    assert f"removed {len(DEMO_FILES) - 2} demo files:" in result.stdout
    kept = "kept 3 files that are not the demo's: content/articles/how-to-read-a-quote.md, content/pages/about.md, "
    assert kept + "partners/my-plumber.yaml" in result.stdout
    assert "wrote content/pages/about.md" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--name", " ", "--url", "https://x.example"), "--name: expected the network's name"),
        (("--name", "X", "--url", "http://x.example"), "--url: expected the site's https address"),
        (("--name", "X", "--url", "https://x.example", "--region", "ZZ"), "--region: expected a two-letter region"),
        (("--name", "X", "--url", "https://x.example", "--timezone", "Mars/Base"), "--timezone: expected a time zone"),
        (("--name", "X", "--url", "https://x.example", "--from", "news at x"), "--from: expected an e-mail address"),
    ],
)
def test_init_checks_every_option_before_changing_anything(demo: Path, args: tuple[str, ...], message: str) -> None:
    before = tree(demo)
    result = invoke(demo, "init", *args)
    assert result.returncode == 2 and f"vouch: init: {message}" in result.stderr, result.stderr
    assert tree(demo) == before


def test_rewrite_settings_replaces_assignments_keeps_the_rest_and_adds_the_guard() -> None:
    text = 'SITENAME = (\n    "Old"\n)\nPLUGINS = ["x"]\nSITEURL = "https://old.example"\nINTRODUCTIONS_EMAIL = "a@b.example"\n'
    new, removed = rewrite_settings(text, {"SITENAME": 'New "Quoted" Name', "SITEURL": "https://new.example",
                                          "TIMEZONE": "UTC"})  # fmt: skip
    assert removed == ["INTRODUCTIONS_EMAIL"]
    assert new.startswith("from vouch_site.guard import refuse_plain_pelican\n\nrefuse_plain_pelican()")
    assert new.endswith('SITENAME = "New \\"Quoted\\" Name"\nPLUGINS = ["x"]\nSITEURL = "https://new.example"\n'
                        'TIMEZONE = "UTC"\n')  # fmt: skip


@pytest.mark.slow
def test_demo_to_empty_network_builds_then_imports_and_checks(demo: Path) -> None:
    assert invoke(demo, *ARGS).returncode == 0
    built = invoke(demo, "build")
    assert built.returncode == 0, built.stderr
    assert "0 of 0 partners published, 0 articles, 1 page, 0 newsletter issues" in built.stdout
    directory = (demo / "output/directory/index.html").read_text(encoding="utf-8")
    assert "No partners are listed yet." in directory
    assert "Totnes Trusted Traders" in (demo / "output/index.html").read_text(encoding="utf-8")
    assert invoke(demo, "check").returncode == 0
    (demo / "shops.csv").write_text(
        "Business name,Phone,Website,Trade\nHarbour Plumbing,0117 496 0100,harbour.example,Plumber\nQuay Cafe,,,yes\n",
        encoding="utf-8",
    )
    imported = invoke(demo, "import", "shops.csv")
    assert imported.returncode == 0 and "wrote 2 profiles" in imported.stdout, imported.stderr
    checked = invoke(demo, "check")
    assert checked.returncode == 0, checked.stderr
    assert "2 profiles (2 pending)" in checked.stdout
    assert "run invoke schema" not in checked.stdout  # the import added 'uncategorised' to the schema too
    assert invoke(demo, "build").returncode == 0
    published = b"".join(p.read_bytes() for p in (demo / "output").rglob("*") if p.is_file())
    assert b"Harbour Plumbing" not in published and b"Quay Cafe" not in published  # pending: nowhere
