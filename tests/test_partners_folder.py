"""What partners/ may hold: every entry is read as a profile or a registry, or named in a warning.

A subfolder or a stray file is not an error (one stray note must not stop the daily
build), but it is never ignored in silence: the build summary warns and ``invoke check``
lists it. README files, .gitkeep and the files operating systems leave behind are normal.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.sitekit import REPO, make_site, run_invoke, vetted
from tests.test_hostile_profiles import child_env
from tests.test_profile_errors import HEAD, Network
from vouch_site.build import build

ALLOWED = ("README.md", "readme.txt", ".gitkeep", ".gitignore", ".DS_Store", "Thumbs.db", "desktop.ini")


def _leave_strays(partners: Path) -> None:
    (partners / "extra").mkdir()
    (partners / "extra/another.yaml").write_text(HEAD)
    (partners / "notes.txt").write_text("call Ann back\n")
    (partners / "_areas.yaml").write_text("south: {title: South}\n")  # no registry of Vouch's
    for name in ALLOWED:
        (partners / name).write_text("")


def test_a_subfolder_and_files_that_are_no_profile_are_named_not_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    network = Network()
    network.write("harbour.yaml", HEAD)
    _leave_strays(network.partners)
    loaded = network.load()
    assert loaded.problems == []
    assert [p.slug for p in loaded.profiles] == ["harbour"]
    assert [str(p) for p in loaded.not_read] == ["partners/_areas.yaml", "partners/extra", "partners/notes.txt"]


def test_the_build_summary_warns_of_what_partners_holds_besides_profiles(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")})
    _leave_strays(tmp_path / "partners")
    lines = build(tmp_path).summary().splitlines()
    assert [line for line in lines if "partners/" in line] == [
        "warning: not read, as no profile or registry: partners/_areas.yaml, partners/extra/, partners/notes.txt "
        "(invoke check lists them)"
    ]


def test_a_partners_folder_with_only_normal_extras_builds_without_a_warning(tmp_path: Path) -> None:
    make_site(tmp_path, {"harbour": vetted("Harbour")})
    for name in ALLOWED:
        (tmp_path / "partners" / name).write_text("")
    assert not [line for line in build(tmp_path).summary().splitlines() if "warning" in line]


def test_check_lists_what_partners_holds_besides_profiles_and_passes(tmp_path: Path) -> None:
    shutil.copy(REPO / "tasks.py", tmp_path / "tasks.py")
    make_site(tmp_path, {"harbour": vetted("Harbour")})
    _leave_strays(tmp_path / "partners")
    result = run_invoke(tmp_path, "check", env=child_env())
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("not read")] == [
        "not read: partners/_areas.yaml (no registry: Vouch reads _categories.yaml and _checks.yaml)",
        "not read: partners/extra/ (a folder: profiles go directly in partners/)",
        "not read: partners/notes.txt (no profile: profiles are partners/<slug>.yaml)",
    ]
