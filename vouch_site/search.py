"""The static search index: Pagefind over the finished site, run once, last."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


class SearchIndexFailed(Exception):
    pass


def index_site(site: Path) -> None:
    """Write ``site/pagefind/`` from the pages marked ``data-pagefind-body``."""
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind", "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SearchIndexFailed(
            f"pagefind failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
        )
