from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sitekit import DEMO_EPOCH, REPO


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
    import os

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
