"""One measured build, run in its own process by the bench runner; prints JSON."""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from vouch_site.build import build


def main() -> None:
    root = Path(sys.argv[1])
    result = build(root)
    html = list(result.output.rglob("*.html"))
    report = {
        "stages": dict(result.timings.stages),
        "files": result.files,
        "bytes": sum(p.stat().st_size for p in result.output.rglob("*") if p.is_file()),
        "html_pages": len(html),
        "largest_html": max((p.stat().st_size for p in html), default=0),
        "largest_html_path": str(max(html, key=lambda p: p.stat().st_size).relative_to(result.output)) if html else "",
        "children_max_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "partners_published": len(result.site.partners),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
