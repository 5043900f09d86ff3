"""An installed wheel (not a checkout) builds a site: every subpackage is in it, theme and plugins come from the site."""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.sitekit import DEMO_EPOCH, REPO

SITE_FILES = ("partners", "content", "theme", "plugins", "pelicanconf.py", "publishconf.py", "tasks.py")


@pytest.mark.slow
def test_the_wheel_builds_the_demo_from_a_folder_of_site_files(tmp_path: Path) -> None:
    source = tmp_path / "source"  # setuptools writes build/ beside the sources: not into the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "vouch", "vouch_site"):
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, source / name)
    wheels = tmp_path / "wheels"
    run = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels)]
    subprocess.run([*run, str(source)], check=True, capture_output=True)
    (wheel,) = wheels.glob("vouch-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    # The dependencies come from the test environment, after the venv's own site-packages.
    (Path(purelib) / "test-env.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", purelib, str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip

    project = tmp_path / "network"
    project.mkdir()
    for name in SITE_FILES:
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, project / name)
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "SOURCE_DATE_EPOCH": DEMO_EPOCH, "HOME": str(tmp_path)}
    where = subprocess.run(
        [python, "-c", "import vouch, vouch_site; print(vouch.__file__); print(vouch_site.__file__)"],
        cwd=project, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    assert all(path.startswith(purelib) for path in where), where
    built = subprocess.run(
        [python, "-m", "invoke", "build"], cwd=project, env=env, check=False, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    assert "partners published" in built.stdout
    assert (project / "output" / "partners.json").is_file()
    assert (project / "output" / "partners" / "harbour-plumbing" / "index.html").is_file()
