"""The demo's HTML checked by the current Nu HTML checker (vnu.jar on Java)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.sitekit import REPO, require_tool

pytestmark = pytest.mark.slow  # the Nu HTML checker on a JVM

VNU_CANDIDATES = (
    os.environ.get("VNU_JAR", ""),
    str(REPO / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"),
)


def vnu_jar() -> str:
    found = next((c for c in VNU_CANDIDATES if c and Path(c).is_file()), "")
    require_tool(found, "vnu.jar not found (or set VNU_JAR)")
    return found


def test_every_demo_page_is_valid_html(demo_output: Path) -> None:
    java = shutil.which("java")
    require_tool(java, "java not found")
    pages = sorted(str(p) for p in demo_output.rglob("*.html"))
    assert len(pages) > 20
    result = subprocess.run(
        [java, "-jar", vnu_jar(), "--format", "json", "--stdout", *pages],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages if m["type"] == "error"]
    assert errors == []
