from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.sitekit import DEMO_EPOCH, REPO

MEMORY_TEMP = Path("/dev/shm")
MEMORY_TEMP_NEEDED = 4 << 30  # the whole suite's throw-away sites take well under 1 GB


def _temp_in_memory() -> None:
    """Throw-away sites on tmpfs where the machine has room: hundreds of small builds spend a third of their
    time creating folders and files on disk (PYTEST_DEBUG_TEMPROOT is pytest's own setting for where
    ``tmp_path`` lives; one already set is kept). Where /dev/shm is small (a container's 64 MB), the disk."""
    if "PYTEST_DEBUG_TEMPROOT" in os.environ or not MEMORY_TEMP.is_dir():
        return
    free = shutil.disk_usage(MEMORY_TEMP).free
    if free >= MEMORY_TEMP_NEEDED and os.access(MEMORY_TEMP, os.W_OK):
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(MEMORY_TEMP)


_temp_in_memory()  # before pytest makes its first tmp_path (in each xdist worker too)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs on the demo's fixed date unless it sets its own."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DEMO_EPOCH)


@pytest.fixture(scope="session", autouse=True)
def shared_template_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every throw-away site of a session uses the same compiled theme (each project has its own otherwise):
    Jinja checks each template's source before reusing its code, so nothing stale is ever rendered."""
    from vouch_site import build

    build.TEMPLATE_CACHE = tmp_path_factory.mktemp("jinja")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo network (partners, content, settings), built once."""

    from vouch_site.build import build

    root = tmp_path_factory.mktemp("demo")
    for name in ("partners", "content"):
        shutil.copytree(REPO / name, root / name)
    for name in ("pelicanconf.py", "tasks.py"):
        shutil.copy(REPO / name, root / name)
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = DEMO_EPOCH
    try:
        build(root)
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return root


@pytest.fixture(scope="session")
def demo_output(demo_site: Path) -> Path:
    return demo_site / "output"
