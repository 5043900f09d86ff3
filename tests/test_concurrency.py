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
    pinned,
    read_tree,
    site_state,
    stable_tree,
    start_build,
    swap_steps,
    toggled_site,
    wait_for,
)
from vouch_site.build import build

pytestmark = pytest.mark.slow


class Observer(threading.Thread):
    """Reads ``output/`` and ``mail/`` in a loop, as a web server or an rsync would, and notes
    every read that finds a folder missing or holding neither of the two sites a build may leave."""

    def __init__(self, root: Path, sites: dict[bool, tuple[dict, dict]]) -> None:
        super().__init__(daemon=True)
        self.expected = {name: {f"{name}: Quay {'listed' if key else 'suspended'}": site[index] for key, site in sites.items()}
                         for index, name in enumerate(("output", "mail"))}  # fmt: skip
        self.root = root
        self.reads: Counter[str] = Counter()
        self.problems: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for name, read in (("output", stable_tree), ("mail", read_tree)):
                try:
                    with pinned(self.root / name) as folder:  # one reader's view, as `cd output` pins it
                        found = read(folder)
                except OSError as exc:
                    self.problems.append(f"read {self.reads.total()}: {name}/ missing: {exc}")
                    continue
                seen = [label for label, site in self.expected[name].items() if site == found]
                self.reads[seen[0] if seen else f"{name} neither"] += 1
                if not seen:
                    self.problems.append(f"read {self.reads.total()}: {name}/ had {len(found)} files, neither site")
            time.sleep(0.005)  # a busy reader, not a spinning one: the builds need the cores


def test_builds_killed_at_random_and_at_each_swap_step_leave_old_or_new_never_a_mix(tmp_path: Path) -> None:
    cold = cold_states(tmp_path)
    root = toggled_site(tmp_path / "site", True)
    build(root)
    started = time.monotonic()
    steps = len(swap_steps(toggled_site(root, False)))
    duration = time.monotonic() - started
    live = {"output": False, "mail": False}  # which inputs each folder shows
    observer = Observer(root, cold)
    observer.start()
    rng = random.Random(12)
    ended: Counter[str] = Counter()
    builds = 48
    try:
        for n in range(builds):
            at_step = (n // 2) % steps if n % 2 else None  # every other build dies at a step of the swap
            target = not live["output"]
            child = start_build(toggled_site(root, target), kill_at_step=at_step)
            if at_step is None:
                time.sleep(rng.uniform(0.1, 1.3) * duration)  # from start-up to past the end
                os.kill(child.pid, signal.SIGKILL)
            child.join()
            assert child.exitcode in (0, -signal.SIGKILL), f"build {n} failed"
            ended["killed" if child.exitcode == -signal.SIGKILL else "completed"] += 1
            output, mail = site_state(root)
            assert output in (cold[live["output"]][0], cold[target][0]), f"build {n} (killed at step {at_step})"
            assert mail in (cold[live["mail"]][1], cold[target][1]), f"build {n} (killed at step {at_step})"
            output_new, mail_new = output == cold[target][0], mail == cold[target][1]
            assert output_new or not mail_new or live["mail"] == target, f"build {n}: mail/ swapped before output/"
            ended["new" if output_new and mail_new else "new output, old mail" if output_new else "old"] += 1
            live = {"output": output == cold[True][0], "mail": mail == cold[True][1]}
    finally:
        observer.stop.set()
        observer.join()
    build(toggled_site(root, not live["output"]))
    assert site_state(root) == cold[not live["output"]]
    assert wait_for(lambda: not build_folders_left(root)), build_folders_left(root)
    print(f"\nchaos: {builds} builds ({steps} swap steps): {dict(ended)}; observer reads: {dict(observer.reads)}")
    assert observer.problems == []
    assert ended["killed"] >= 30 and ended["old"] and ended["new"] and ended["new output, old mail"]
    assert observer.reads.total() > builds


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
    print(f"\ntogether: {dict(outcomes)}; observer reads: {dict(observer.reads)}")
    assert outcomes["built"] >= 6 and observer.problems == []
