"""``invoke bench``: our build beside a plain Pelican build of the same pages, in one run.

Every build runs in a fresh process on a fresh folder; wall time, CPU time
and peak memory come from the operating system (wait4), not from the build.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.generate import describe, generate, shape_line
from bench.plain import plain_site

EPOCH = "1795608000"  # the synthetic network's "today": 2026-11-25


BUDGET_SIZE = 10_000  # partners the budgets are set at: a curve (--sizes) gives it the articles asked for, scaled
TREE_SAMPLE_S = 0.02  # how often the process tree's memory is read while a build runs


@dataclass
class Run:
    wall: float
    cpu: float
    max_rss_mb: float  # the largest single process (wait4's ru_maxrss, forked workers included)
    tree_rss_mb: float = 0.0  # the largest sum of RSS over the process and all its descendants at one instant
    detail: dict[str, Any] = field(default_factory=dict)


class TreeMemory:
    """Samples the summed RSS of a process and all its descendants while it runs.

    wait4's ru_maxrss is one process's peak: work split over forked workers, or handed to
    another program (Pagefind), would hide there. A forked worker counts in full: its pages
    shared copy-on-write with the parent are counted twice, as ``free`` would not, but as the
    budget asks (the sum of the processes running at the same time).
    """

    def __init__(self, pid: int, every: float = TREE_SAMPLE_S) -> None:
        self.peak = 0
        self._root = psutil.Process(pid)
        self._every = every
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.is_set():
            total = 0
            try:
                for process in [self._root, *self._root.children(recursive=True)]:
                    try:
                        total += process.memory_info().rss
                    except psutil.Error:  # it ended between the listing and the reading
                        continue
            except psutil.Error:
                return
            self.peak = max(self.peak, total)
            self._done.wait(self._every)

    def stop(self) -> float:
        """The peak in MB, once the process has ended."""
        self._done.set()
        self._thread.join()
        return self.peak / (1 << 20)


def timed(command: list[str], cwd: Path) -> Run:
    """Run ``command`` and read its own resource usage (children included) from wait4."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        tree = TreeMemory(child.pid)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        tree_mb = tree.stop()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr[-3000:]}")
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    detail = json.loads(lines[-1]) if lines else {}
    rss_kb = max(usage.ru_maxrss, detail.get("children_max_rss_kb", 0))
    return Run(wall, usage.ru_utime + usage.ru_stime, rss_kb / 1024, max(tree_mb, rss_kb / 1024), detail)


def serve_latency(network: Path, edited: Path) -> dict[str, float]:
    """Seconds from saving a profile to ``invoke serve`` serving the new page, then the new search."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = f"from pathlib import Path; from vouch_site.serve import serve; serve(Path({str(network)!r}), port={port})"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, cwd=Path(__file__).resolve().parent.parent)  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()  # type: ignore[union-attr]

    def wait_for(*texts: str, limit: float = 600) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
                if any(text in line for text in texts):
                    return
            except queue.Empty:
                continue
        raise RuntimeError(f"serve never printed any of {texts!r}")

    try:
        wait_for("serve: http://")
        token = f"Served-{time.monotonic_ns()}"
        url = f"http://127.0.0.1:{port}/partners/{edited.stem}/"
        start = time.perf_counter()
        edited.write_text(
            edited.read_text(encoding="utf-8").replace("summary: ", f"summary: {token} ", 1), encoding="utf-8"
        )
        while token not in urllib.request.urlopen(url, timeout=10).read().decode():
            if time.perf_counter() - start > 300:
                raise RuntimeError("serve never showed the edit")
            time.sleep(0.02)
        page = time.perf_counter() - start
        wait_for("serve: search refreshed", ", search included")  # after the rebuild, or made beside it
        return {"edit_visible_s": page, "search_refreshed_s": time.perf_counter() - start}
    finally:
        server.terminate()
        server.wait(timeout=30)


def site_sizes(output: Path) -> dict[str, Any]:
    """Counted after the timed build, so the walk over the output is not part of its time."""
    html = list(output.rglob("*.html"))
    largest = max(html, key=lambda p: p.stat().st_size)
    return {
        "bytes": sum(p.stat().st_size for p in output.rglob("*") if p.is_file()),
        "html_pages": len(html),
        "largest_html": largest.stat().st_size,
        "largest_html_path": str(largest.relative_to(output)),
    }


def _fresh_copy(network: Path, to: Path) -> Path:
    """The network's sources alone, in a new folder: no output, no caches."""
    shutil.copytree(network, to, ignore=shutil.ignore_patterns("output", "mail", ".output.builds", ".cache", ".serve"))
    return to


PRINT_CACHES = ("qr.pickle", "files")  # under .cache/vouch/: the QR codes by URL and the file store of print files


def print_cost(network: Path, work: Path, ours: Run) -> dict[str, Any]:
    """What the print pages (sheets, certificates, QR codes) add to a cold build: ``ours`` (with them, the QR cache
    empty) and a build with the print caches kept (the QR codes and the file store) but no output/ and no other
    cache, each against a cold build without print pages. Each timed build in a fresh process.

    The kept-cache build runs where its caches were made, as when ``output/`` is deleted: a copy has other paths
    in its settings, so other render keys (and a copied store entry is another file, which the store refuses)."""
    code = [sys.executable, "-m", "bench.child"]
    here = Path(__file__).resolve().parent.parent
    without = timed([*code, str(_fresh_copy(network, work / "no-print")), "--no-print"], here)
    filled = _fresh_copy(network, work / "qr-filled")
    timed([*code, str(filled)], here)  # fills its caches
    for made in ("output", "mail", ".output.builds"):
        shutil.rmtree(filled / made)
    cache = filled / ".cache"
    for path in [*cache.iterdir(), *(cache / "vouch").iterdir()]:
        if path.name not in (*PRINT_CACHES, "vouch"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    warm = timed([*code, str(filled)], here)
    stored = {entry.stat().st_ino for entry in (cache / "vouch" / "files").iterdir()}
    printed = [*filled.glob("output/print/**/index.html"), *filled.glob("output/partners/*/qr.svg"),
               *filled.glob("output/partners/*/certificate/index.html")]  # fmt: skip
    return {
        "without": asdict(without),
        "qr_filled": asdict(warm),
        "print_files": len(printed),
        "print_files_from_store": sum(path.stat().st_ino in stored for path in printed),  # linked, not written
        "added_empty_qr_cache_s": ours.wall - without.wall,
        "added_filled_qr_cache_s": warm.wall - without.wall,
        "added_cpu_empty_qr_cache_s": ours.cpu - without.cpu,
        "added_cpu_filled_qr_cache_s": warm.cpu - without.cpu,
        # the build's own "print pages" stage: the print files planned and written apart from the other pages
        "stage_empty_qr_cache_s": ours.detail["stages"]["print pages"],
        "stage_filled_qr_cache_s": warm.detail["stages"]["print pages"],
    }


def bench_size(partners: int, articles: int, issues: int, work: Path) -> dict[str, Any]:
    network = generate(work / "network", partners, articles, issues)
    shape = describe(network)
    print(shape_line(shape), flush=True)
    plain_root = work / "plain"
    plain_pages = plain_site(network, plain_root)
    plain = timed(
        [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "output", "-q"], plain_root
    )
    plain_html = sum(1 for _ in (plain_root / "output").rglob("*.html"))
    plain_files = [p for p in (plain_root / "output").rglob("*") if p.is_file()]
    ours = timed([sys.executable, "-m", "bench.child", str(network)], Path(__file__).resolve().parent.parent)
    ours.detail |= site_sizes(Path(ours.detail["output"]))
    # the print and serve budgets are set at BUDGET_SIZE: beyond it only the build and rebuild are measured (at
    # 50,000 partners the two extra builds and a serve session would add a quarter of an hour to the curve)
    printing = print_cost(network, work, ours) if partners <= BUDGET_SIZE else None
    edited = network / "partners" / "partner-00001.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("summary: ", "summary: Edited. ", 1), encoding="utf-8")
    rebuild = timed([sys.executable, "-m", "bench.child", str(network)], Path(__file__).resolve().parent.parent)
    search = rebuild.detail["stages"].get("search index", 0.0)
    # "Edited" is a word the corpus lacks: the edited profile's search part and the word index re-index; an edit in
    # words the part has re-indexes that part alone (the corpus's commonest word; "Edited" kept: its words only grow)
    edited.write_text(edited.read_text(encoding="utf-8").replace("summary: ", "summary: Quote. ", 1), encoding="utf-8")
    known = timed([sys.executable, "-m", "bench.child", str(network)], Path(__file__).resolve().parent.parent)
    serve = serve_latency(network, edited) if partners <= BUDGET_SIZE else None
    return {
        "partners": partners,
        "articles": articles,
        "issues": issues,
        "markdown_pages": plain_pages,
        "shape": shape,
        "plain": {
            **asdict(plain),
            "html_pages": plain_html,
            "files": len(plain_files),
            "bytes": sum(p.stat().st_size for p in plain_files),
        },
        "ours": asdict(ours),
        "rebuild": asdict(rebuild),
        "rebuild_known_words": asdict(known),
        "serve": serve,
        "print": printing,
        "ratio": ours.wall / plain.wall,
        "rebuild_ratio": rebuild.wall / ours.wall,
        "rebuild_ratio_without_search": (rebuild.wall - search) / ours.wall,
        "rebuild_known_words_ratio": known.wall / ours.wall,
        "ms_per_input_page": 1000 * ours.wall / (partners + articles + issues),
    }


def table(results: list[dict[str, Any]]) -> str:
    rows = [
        ("partners", "articles", "plain s", "ours s", "ratio", "plain CPU s", "ours CPU s", "CPU ratio", "ours tree MB",
         "ours 1 proc MB", "plain RSS MB", "ours pages/s", "plain pages/s", "rebuild s", "of which search s",
         "rebuild/full", "rebuild/full*", "rebuild known words s", "its search s", "its /full",
         "ms/page", "largest HTML KB", "serve: edit shown s", "serve: search s",
         "print +s (QR cold)", "print +s (QR kept)", "print +CPU s (cold)", "print +CPU s (kept)",
         "print stage s (QR cold)", "print stage s (QR kept)"),
    ]  # fmt: skip
    for r in results:
        ours, plain, rebuild = r["ours"], r["plain"], r["rebuild"]
        rows.append(
            (
                str(r["partners"]),
                str(r["articles"]),
                f"{plain['wall']:.1f}",
                f"{ours['wall']:.1f}",
                f"{r['ratio']:.2f}",
                f"{plain['cpu']:.1f}",
                f"{ours['cpu']:.1f}",
                f"{ours['cpu'] / plain['cpu']:.2f}",
                f"{ours['tree_rss_mb']:.0f}",
                f"{ours['max_rss_mb']:.0f}",
                f"{plain['tree_rss_mb']:.0f}",
                f"{ours['detail']['html_pages'] / ours['wall']:.0f}",
                f"{plain['html_pages'] / plain['wall']:.0f}",
                f"{rebuild['wall']:.1f}",
                f"{rebuild['detail']['stages'].get('search index', 0):.1f}",
                f"{r['rebuild_ratio']:.2f}",
                f"{r['rebuild_ratio_without_search']:.2f}",
                f"{r['rebuild_known_words']['wall']:.1f}",
                f"{r['rebuild_known_words']['detail']['stages'].get('search index', 0):.1f}",
                f"{r['rebuild_known_words_ratio']:.2f}",
                f"{r['ms_per_input_page']:.2f}",
                f"{ours['detail']['largest_html'] / 1024:.0f}",
                *_figures(r["serve"], "edit_visible_s", "search_refreshed_s"),
                *_figures(
                    r["print"],
                    "added_empty_qr_cache_s",
                    "added_filled_qr_cache_s",
                    "added_cpu_empty_qr_cache_s",
                    "added_cpu_filled_qr_cache_s",
                    "stage_empty_qr_cache_s",
                    "stage_filled_qr_cache_s",
                ),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + (
        "\ntree MB: the peak of the summed RSS of the build and all its processes (forked workers, Pagefind);"
        " 1 proc MB: the largest single process"
        "\nrebuild/full: rebuild after editing one profile, search included, over our full build (*: search excluded);"
        "\n  the edit adds a word the site lacks: its search part and the word index re-index; rebuild known words:"
        "\n  a second edit in words its part has, which re-indexes the edited profile's search part alone"
        "\nserve and print columns are measured up to 10,000 partners"
        "\nprint +s: what card sheets, certificates and QR codes add to a cold build (QR cache empty, or the QR"
        "\n  cache and file store kept with output/ deleted), as the difference of two whole builds;"
        '\n  print stage s: the build\'s own "print pages" stage (planned and written apart from the other pages)'
    )


def _figures(measured: dict[str, float] | None, *keys: str) -> list[str]:
    """Cells of figures measured at the budget size only ("-" beyond it)."""
    return [f"{measured[key]:.1f}" if measured else "-" for key in keys]


def stages(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        full = ", ".join(f"{k} {v:.1f} s" for k, v in r["ours"]["detail"]["stages"].items())
        again = ", ".join(f"{k} {v:.1f} s" for k, v in r["rebuild"]["detail"]["stages"].items())
        again += "; known words: " + ", ".join(
            f"{k} {v:.1f} s" for k, v in r["rebuild_known_words"]["detail"]["stages"].items()
        )
        lines.append(
            f"{r['partners']} partners: full build: {full}\n{' ' * len(str(r['partners']))}           rebuild: {again}"
        )
    return "\n".join(lines)


def work_folder(partners: int) -> str | None:
    """tmpfs, as ../shared/PERFORMANCE.md measured plain Pelican ("output to tmpfs"), when it has room for
    both builds (about 300 KB a partner); the disk otherwise, where creating files in a folder just deleted
    costs both builds seconds of system time that vary from run to run."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > partners * 300_000 + (1 << 30):
        return str(shm)
    return None


def main(sizes: list[int], articles: int, issues: int, json_path: Path | None, keep: bool = False) -> list[dict]:
    results = []
    for size in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"vouch-bench-{size}-", dir=work_folder(size)))
        try:
            scaled_articles = max(1, articles * size // BUDGET_SIZE) if len(sizes) > 1 else articles
            print(f"bench: {size} partners, {scaled_articles} articles, {issues} issues ...", flush=True)
            results.append(bench_size(size, scaled_articles, issues, work))
        finally:
            if not keep:
                shutil.rmtree(work, ignore_errors=True)
    print(table(results))
    print(stages(results))
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"results written to {json_path}")
    return results
