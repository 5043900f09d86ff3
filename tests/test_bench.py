"""The benchmark harness runs end to end on a small network (a check of the harness, not a timing)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench.run import main

pytestmark = pytest.mark.slow  # the benchmark harness


def test_bench_harness_runs_and_reports_every_figure(tmp_path: Path, capsys) -> None:
    out = tmp_path / "bench.json"
    [result] = main([300], articles=20, issues=3, json_path=out)
    printed = capsys.readouterr().out
    assert "ratio" in printed and "rebuild" in printed and "search index" in printed
    assert json.loads(out.read_text())[0]["partners"] == 300
    for key in ("plain", "ours", "rebuild", "rebuild_known_words"):
        assert result[key]["wall"] > 0 and result[key]["max_rss_mb"] > 0
        assert result[key]["tree_rss_mb"] >= result[key]["max_rss_mb"]  # the whole tree, at least its largest process
    assert "corpus: 300 partners;" in printed and "ours tree MB" in printed
    shape = result["shape"]
    assert shape["distinct_areas"] > 100 and shape["distinct_services"] > 100 and shape["articles"] == 20
    assert result["ours"]["detail"]["html_pages"] > 250
    assert result["plain"]["html_pages"] > 300
    assert 0 < result["serve"]["edit_visible_s"] <= result["serve"]["search_refreshed_s"]
    assert result["print"]["without"]["wall"] > 0 and result["print"]["qr_filled"]["wall"] > 0
    assert "print +s (QR cold)" in printed and "print +CPU s (kept)" in printed and "print stage s (QR kept)" in printed
    assert 0 < result["print"]["stage_filled_qr_cache_s"] < result["print"]["qr_filled"]["wall"]
    assert result["print"]["print_files_from_store"] == result["print"]["print_files"] > 2 * 200  # nothing rendered


def test_the_process_tree_memory_counts_every_process_under_the_build(tmp_path: Path) -> None:
    from bench.run import timed

    # a parent and a child each holding ~60 MB at the same time: the tree holds both
    code = "import os, time; b = bytearray(60 << 20); pid = os.fork(); time.sleep(0.5); pid and os.wait()"
    run = timed([sys.executable, "-c", code], tmp_path)
    # both at once (2 x 60 MB and two interpreters), not the largest alone; wait4's largest process is not
    # compared: Linux keeps the high-water mark across exec, so it starts at the launching process's (pytest's)
    assert run.tree_rss_mb > 2 * 60
