"""One measured build, run in its own process by the bench runner; prints JSON.

Only the build is timed here: sizes and counts are read by the runner afterwards.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
from pathlib import Path

from vouch_site.build import build


def main() -> None:
    """``python -m bench.child NETWORK [--no-print]``; ``--no-print``: without print pages (their baseline)."""
    overrides = {"PRINT_PAGES": False} if "--no-print" in sys.argv[2:] else None
    result = build(Path(sys.argv[1]), overrides=overrides)
    report = {
        "stages": dict(result.timings.stages),
        "files": result.files,
        "children_max_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "partners_published": len(result.site.partners),
        "output": str(result.output),
    }
    print(json.dumps(report))
    gc.freeze()  # as ``invoke build`` ends: the last collection would walk the whole built site


if __name__ == "__main__":
    main()
