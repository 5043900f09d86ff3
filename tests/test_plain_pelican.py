"""The real ``pelican`` command, typed by habit in a Vouch site, refuses before writing anything.

Plain Pelican would skip every Vouch check (withholding, partner links, the
staged swap) and write straight into the folder that gets deployed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sitekit import REPO

PELICAN = str(Path(sys.executable).with_name("pelican"))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    for name in ("partners", "content"):
        shutil.copytree(REPO / name, tmp_path / name)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["content"],
        ["content", "-s", "publishconf.py"],
        ["-r", "content"],
        ["--listen"],
        ["content", "-o", "elsewhere"],
    ],
    ids=["content", "publishconf", "autoreload", "listen", "other-output"],
)
def test_plain_pelican_refuses_in_one_line_and_writes_nothing(site: Path, args: list[str]) -> None:
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    done = subprocess.run([PELICAN, *args], check=False, cwd=site, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "invoke build" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout
    after = sorted(p.relative_to(site) for p in site.rglob("*") if "__pycache__" not in p.parts)
    assert after == [p for p in before if "__pycache__" not in p.parts]
