"""Builds killed at random and at each step of the swap, and builds started together (slow)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.sitekit import (
    DEMO_EPOCH,
    REPO,
    build_folders_left,
    cold_states,
    count_swap_steps,
    read_tree,
    site_state,
    stable_tree,
    start_build,
    toggled_site,
    wait_for,
)
from vouch_site.build import build

pytestmark = pytest.mark.slow


class Observer(threading.Thread):
    """Reads ``output/`` and ``mail/`` in a loop, as a web server or an rsync would, and notes
    every read that is neither of the two sites a build may leave there."""

    def __init__(self, root: Path, sites: dict[bool, tuple[dict, dict]]) -> None:
        super().__init__(daemon=True)
        self.expected = {"output": [site[0] for site in sites.values()], "mail": [site[1] for site in sites.values()]}
        self.root = root
        self.reads = 0
        self.problems: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for name, read in (("output", stable_tree), ("mail", read_tree)):
                folder = Path(os.path.realpath(self.root / name))  # one reader's view, as `cd output` pins it
                try:
                    found = read(folder)
                except OSError as exc:
                    found = {"error": str(exc).encode()}
                self.reads += 1
                if found not in self.expected[name]:
                    self.problems.append(f"read {self.reads}: {name}/ had {len(found)} files, neither site")
            time.sleep(0.005)  # a busy reader, not a spinning one: the builds need the cores


def test_builds_killed_at_random_and_at_each_swap_step_leave_old_or_new_never_a_mix(tmp_path: Path) -> None:
    cold = cold_states(tmp_path)
    root = toggled_site(tmp_path / "site", True)
    build(root)
    started = time.monotonic()
    steps = count_swap_steps(toggled_site(root, False))
    duration = time.monotonic() - started
    live = False
    observer = Observer(root, cold)
    observer.start()
    rng = random.Random(12)
    ended: Counter[str] = Counter()
    builds = 32
    try:
        for n in range(builds):
            at_step = (n // 2) % steps if n % 2 else None  # every other build dies at a step of the swap
            child = start_build(toggled_site(root, not live), kill_at_step=at_step)
            if at_step is None:
                time.sleep(rng.uniform(0.1, 2) * duration)  # from start-up to well past the end
                os.kill(child.pid, signal.SIGKILL)
            child.join()
            assert child.exitcode in (0, -signal.SIGKILL), f"build {n} failed"
            ended["killed" if child.exitcode == -signal.SIGKILL else "completed"] += 1
            found = site_state(root)
            assert found in (cold[live], cold[not live]), f"build {n} (killed at step {at_step}) left a mix"
            ended["new" if found == cold[not live] else "old"] += 1
            live = found == cold[True]
    finally:
        observer.stop.set()
        observer.join()
    build(toggled_site(root, not live))
    assert site_state(root) == cold[not live]
    assert wait_for(lambda: not build_folders_left(root)), build_folders_left(root)
    print(f"\nchaos: {builds} builds ({steps} swap steps): {dict(ended)}; observer: {observer.reads} reads")
    assert observer.problems == []
    assert ended["killed"] >= builds // 2 and ended["old"] and ended["new"]
    assert observer.reads > builds


def test_builds_started_together_run_one_at_a_time_and_every_exit_code_is_honest(tmp_path: Path) -> None:
    project = toggled_site(tmp_path / "site", True)
    shutil.copy(REPO / "tasks.py", project / "tasks.py")
    build(project)
    site = site_state(project)
    observer = Observer(project, {True: site})
    observer.start()
    env = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH}
    outcomes: Counter[str] = Counter()
    try:
        for together, wait in ((2, "600"), (3, "600"), (3, "0")):
            builds = [subprocess.Popen([sys.executable, "-m", "invoke", "build"], cwd=project, text=True,
                                       env=env | {"BUILD_LOCK_WAIT": wait}, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE) for _ in range(together)]  # fmt: skip
            for running in builds:
                out, err = running.communicate(timeout=120)
                if running.returncode == 0:  # it says what it built, and that is what output/ holds
                    files = sum(len(names) for _, _, names in os.walk(project / "output"))
                    assert f"built {project}/output: {files} files," in out, err
                    outcomes["built"] += 1
                else:
                    assert wait == "0" and running.returncode == 1, err
                    assert err.splitlines()[-1].endswith("nothing was built, output/ is unchanged"), err
                    assert "Traceback" not in err
                    outcomes["refused"] += 1
            assert site_state(project) == site
    finally:
        observer.stop.set()
        observer.join()
    print(f"\ntogether: {dict(outcomes)}; observer: {observer.reads} reads")
    assert outcomes["built"] >= 6 and observer.problems == []
