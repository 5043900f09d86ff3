"""Where a build writes and how it swaps in: kills at each step, one build at a time, folders it may replace."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.sitekit import (
    build_folders_left,
    cold_states,
    count_swap_steps,
    site_state,
    start_build,
    toggled_site,
    wait_for,
)
from vouch_site.build import build


def test_a_kill_before_any_step_of_the_swap_leaves_old_or_new_and_the_next_build_repairs(tmp_path: Path) -> None:
    cold = cold_states(tmp_path)
    root = toggled_site(tmp_path / "site", True)
    build(root)
    steps = count_swap_steps(toggled_site(root, False))  # a whole build, counting the swap's changes
    assert steps >= 2
    live = False
    for step in range(steps):
        child = start_build(toggled_site(root, not live), kill_at_step=step)
        child.join()
        assert child.exitcode == -signal.SIGKILL, f"step {step}"
        found = site_state(root)
        assert found in (cold[live], cold[not live]), f"a kill before step {step} of the swap left a mix"
        build(root)  # the next build repairs whatever the kill left
        assert site_state(root) == cold[not live]
        assert wait_for(lambda: not build_folders_left(root)), build_folders_left(root)
        live = not live
