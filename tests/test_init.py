"""``invoke init``: the demo becomes an empty network of one's own; anything else is kept, never deleted."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sitekit import DEMO_EPOCH, REPO, run_invoke
from vouch_site.demo_files import DEMO_FILES, KEPT, current_demo
from vouch_site.guard import REFUSAL
from vouch_site.new_network import InitRefused, rewrite_settings

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
    assert 'pelicanconf.py: INTRODUCTIONS_EMAIL removed (line 15; was "Helen at South Hams' in result.stdout
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
        (
            ("--name", "N\u2028x", "--url", "https://x.example"),
            "--name: expected one line of text without control characters; got 'N\\u2028x' (U+2028 at character 2)",
        ),
        (
            ("--name", "X", "--url", "https://x.example:99999"),
            "--url: expected the site's https address, e.g. https://partners.example.org; got 'https://x.example:99999'",
        ),
    ],
)
def test_init_checks_every_option_before_changing_anything(demo: Path, args: tuple[str, ...], message: str) -> None:
    before = tree(demo)
    result = invoke(demo, "init", *args)
    assert result.returncode == 2 and f"vouch: init: {message}" in result.stderr, result.stderr
    assert tree(demo) == before


def test_init_reports_every_bad_option_at_once(demo: Path) -> None:
    before = tree(demo)
    result = invoke(demo, "init", "--name", "X", "--url", "https://x.example:99999", "--timezone", "Mars/Base",
                    "--region", "ZZ", "--from", "bad", "--introductions", "nobody")  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert [line.split(":")[2] for line in lines[:-1]] == [
        " --url",
        " --region",
        " --timezone",
        " --from",
        " --introductions",
    ], result.stderr
    assert lines[-1] == "vouch: init: 5 options to fix; nothing was changed"
    assert tree(demo) == before


def test_rewrite_settings_replaces_assignments_keeps_the_rest_and_adds_the_guard() -> None:
    text = 'SITENAME = (\n    "Old"\n)\nPLUGINS = ["x"]\nSITEURL = "https://old.example"\nINTRODUCTIONS_EMAIL = "a@b.example"\n'
    new, changes = rewrite_settings(text, {"SITENAME": 'New "Quoted" Name', "SITEURL": "https://new.example",
                                          "TIMEZONE": "UTC"})  # fmt: skip
    assert changes == [
        'SITENAME = "New \\"Quoted\\" Name" (line 1; was "Old")',
        'SITEURL = "https://new.example" (line 5; was "https://old.example")',
        'INTRODUCTIONS_EMAIL removed (line 6; was "a@b.example"): its default applies until you set it',
        'TIMEZONE = "UTC" added at the end',
        "the guard against a plain `pelican` run added at the top",
    ]
    assert new.startswith("from vouch_site.guard import refuse_plain_pelican\n\nrefuse_plain_pelican()")
    assert new.endswith('SITENAME = (\n    "New \\"Quoted\\" Name"\n)\nPLUGINS = ["x"]\nSITEURL = "https://new.example"\n'
                        'TIMEZONE = "UTC"\n')  # fmt: skip


def run_settings(text: str) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(text.replace("refuse_plain_pelican()", "pass"), namespace)  # the test's own settings, without the guard
    return {key: value for key, value in namespace.items() if key.isupper()}


def test_rewrite_settings_changes_only_its_own_assignment_on_a_shared_line() -> None:
    text = (
        'SITENAME = "Old"\n'
        'SITEURL = "https://old.example"; PLUGIN_EXTRA = ["keep-me"]  # mine\n'
        'SITENAME = SITETITLE = "My own title"\n'
        "INTRODUCTIONS_EMAIL = 'a@b.example'; MY_OWN = 1\n"
        "X = 2; NEWSLETTER_FROM = 'n@b.example'  # the demo's\n"
        "TIMEZONE: str = 'UTC'\n"
    )
    new, changes = rewrite_settings(text, {"SITENAME": "New", "SITEURL": "https://new.example", "TIMEZONE": "UTC"})
    assert run_settings(new) == {"SITENAME": "New", "SITEURL": "https://new.example", "PLUGIN_EXTRA": ["keep-me"],
                                 "SITETITLE": "My own title", "MY_OWN": 1, "X": 2, "TIMEZONE": "UTC"}  # fmt: skip
    assert '"https://new.example"; PLUGIN_EXTRA = ["keep-me"]  # mine\n' in new and "X = 2  # the demo's\n" in new
    assert 'SITETITLE = "My own title"\nSITENAME = "New"\n' in new and "TIMEZONE: str = 'UTC'" in new
    assert changes == [
        'SITENAME = "New" (line 1; was "Old")',
        'SITEURL = "https://new.example" (line 2; was "https://old.example"; the rest of the line kept)',
        'SITENAME = "New" (line 3, split off onto a line of its own; was "My own title", which SITETITLE keeps)',
        "INTRODUCTIONS_EMAIL removed (line 4; was 'a@b.example'; the rest of the line kept): "
        "its default applies until you set it",
        "NEWSLETTER_FROM removed (line 5; was 'n@b.example'; the rest of the line kept): "
        "its default applies until you set it",
        'TIMEZONE = "UTC" already (line 6)',
        "the guard against a plain `pelican` run added at the top",
    ]


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('SITENAME, SITETITLE = "A", "B"', "3: SITENAME: set in a way init cannot rewrite"),
        ('if True:\n    SITEURL = "https://a.example"', "4: SITEURL: set in a way init cannot rewrite"),
        ('SITENAME += " 2"', "3: SITENAME: set in a way init cannot rewrite"),
        ("REPLY_TO = INTRODUCTIONS_EMAIL", "3: INTRODUCTIONS_EMAIL: used here, so init cannot remove it"),
    ],
)
def test_rewrite_settings_refuses_what_it_cannot_rewrite_naming_the_line(line: str, why: str) -> None:
    text = f'SITENAME = "Old"\nINTRODUCTIONS_EMAIL = "a@b.example"\n{line}\n'
    with pytest.raises(InitRefused, match=f"^pelicanconf.py:{why}") as refused:
        rewrite_settings(text, {"SITENAME": "New", "SITEURL": "https://new.example"})
    assert "change it by hand" in str(refused.value) and "nothing was changed" in str(refused.value)


MANAGED = ["SITENAME", "SITEURL", "PHONE_REGION", "TIMEZONE", "NEWSLETTER_FROM", "INTRODUCTIONS_EMAIL"]
NAME = st.sampled_from([*MANAGED, "A", "B", "PLUGINS"])
VALUE = st.sampled_from(["1", "'x'", "[1, 2]", "(\n    3\n)", "\\\n    'cont'"])
STATEMENT = st.one_of(
    st.builds(lambda n, v: f"{n} = {v}", NAME, VALUE),
    st.builds(lambda ns: " = ".join(ns) + " = 'v'", st.lists(NAME, min_size=2, max_size=3, unique=True)),
    st.builds(lambda n: f"{n}: str = 'ann'", NAME),
    st.sampled_from(["pass", "# a comment", "", "if 'A' in dir():\n    B = 2", "A = 5  # mine"]),
)
LINE = st.one_of(STATEMENT, st.lists(st.builds(lambda n: f"{n} = 'v'", NAME), min_size=2, max_size=3).map("; ".join))


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=7), st.sets(st.sampled_from(MANAGED)), st.booleans())
def test_rewrite_settings_keeps_every_other_setting_or_refuses(lines: list[str], keys: set[str], end: bool) -> None:
    text = "\n".join(lines) + ("\n" if end else "")
    chosen = {key: f"new {key}" for key in MANAGED if key in keys}
    try:
        new, _ = rewrite_settings(text, dict(chosen))
    except InitRefused:
        return
    before, after = run_settings(text), run_settings(new)
    assert {k: v for k, v in after.items() if k not in MANAGED} == {k: v for k, v in before.items() if k not in MANAGED}
    assert {k: v for k, v in after.items() if k in MANAGED} == chosen


def test_init_keeps_settings_that_share_a_line_and_reports_exactly_what_it_changed(demo: Path) -> None:
    conf = demo / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + 'SITEURL = "https://old.example"; PLUGIN_EXTRA = ["keep-me"]\n'
                    'SITENAME = SITETITLE = "My own title"\nMY_OWN = 1\n', encoding="utf-8")  # fmt: skip
    result = invoke(demo, *ARGS)
    assert result.returncode == 0, result.stderr
    assert run_settings(conf.read_text(encoding="utf-8")) | {"SITE_DESCRIPTION": ""} == {
        "SITENAME": "Totnes Trusted Traders", "SITEURL": "https://trusted.totnes.example", "SITE_DESCRIPTION": "",
        "TIMEZONE": "Europe/London", "DEFAULT_LANG": "en-GB", "PHONE_REGION": "GB", "VETTING_VALID_DAYS": 365,
        "PLUGIN_EXTRA": ["keep-me"], "SITETITLE": "My own title", "MY_OWN": 1,
    }  # fmt: skip
    assert "removed the demo's" not in result.stdout and "SITEURL removed" not in result.stdout
    assert "pelicanconf.py: NEWSLETTER_FROM removed (line 14;" in result.stdout
    assert "pelicanconf.py: SITEURL = \"https://trusted.totnes.example\" (line 16; was \"https://old.example\"; " \
           "the rest of the line kept)" in result.stdout  # fmt: skip
    assert "pelicanconf.py: nothing else changed" in result.stdout


def test_init_on_settings_that_do_not_parse_names_the_line_and_changes_nothing(demo: Path) -> None:
    conf = demo / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + "SITENAME = (\n", encoding="utf-8")
    before = tree(demo)
    result = invoke(demo, *ARGS)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == (
        "pelicanconf.py:16: expected Python that parses ('(' was never closed); nothing was changed\n"
    )
    assert tree(demo) == before


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
