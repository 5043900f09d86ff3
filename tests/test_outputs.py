"""Where a build writes and how it swaps in: kills at each step, one build at a time, folders it may replace."""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from tests.sitekit import (
    DEMO_EPOCH,
    REPO,
    alive,
    build_folders_left,
    cold_states,
    left_by_a_kill,
    make_site,
    pausing,
    pinned,
    read_tree,
    run_invoke,
    site_state,
    stable_tree,
    start_build,
    swap_steps,
    symlink_layout,
    toggled_site,
    vetted,
    wait_for,
)
from vouch.problems import Problem, ValidationFailed
from vouch.writer import outputs, parallel
from vouch.writer.lock import Refused
from vouch.writer.parallel import run_split
from vouch_site.build import build
from vouch_site.search import _pagefind_command, index_site


def _real_folders(root: Path) -> bool:
    return all((root / name).is_dir() and not (root / name).is_symlink() for name in ("output", "mail"))


@pytest.mark.slow  # chaos: a build killed at every step of its swap
def test_a_kill_before_each_step_of_the_swap_leaves_each_folder_whole_and_the_next_build_repairs(
    tmp_path: Path,
) -> None:
    cold = cold_states(tmp_path)
    root = toggled_site(tmp_path / "site", True)
    build(root)
    steps = swap_steps(toggled_site(root, False))  # a whole build, noting the swap's changes
    assert steps.count("exchange") == 2
    live = False
    for step in range(len(steps)):
        child = start_build(toggled_site(root, not live), kill_at_step=step)
        child.join()
        assert child.exitcode == -signal.SIGKILL, f"step {step}"
        assert _real_folders(root), f"step {step}"
        expected = left_by_a_kill(steps, step, old=cold[live], new=cold[not live])
        assert site_state(root) == expected, f"a kill before step {step} ({steps[step]}) of the swap"
        build(root)  # the next build repairs whatever the kill left (the render keys among it)
        assert site_state(root) == cold[not live] and _real_folders(root)
        assert wait_for(lambda: not build_folders_left(root)), build_folders_left(root)
        live = not live


@pytest.mark.slow  # chaos: killed at every step where names cannot be exchanged
def test_where_names_cannot_be_exchanged_a_kill_leaves_at_most_a_gap_the_next_build_repairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file system without RENAME_EXCHANGE (NFS...): the old folder moved aside, the new one in."""
    cold = cold_states(tmp_path)
    root = toggled_site(tmp_path / "site", True)
    build(root)
    monkeypatch.setattr(outputs, "_renameat2", None)
    steps = swap_steps(toggled_site(root, False))
    assert steps.count("rename") == 6  # per folder: the live one aside, the new one in, the old one into the build's
    gaps = 0
    live = False
    for step in range(len(steps)):
        child = start_build(toggled_site(root, not live), kill_at_step=step)
        child.join()
        assert child.exitcode == -signal.SIGKILL, f"step {step}"
        missing = [name for name in ("output", "mail") if not (root / name).exists()]
        assert len(missing) <= 1, step
        gaps += bool(missing)
        for name, index in (("output", 0), ("mail", 1)):
            if name not in missing:
                assert site_state(root)[index] in (cold[live][index], cold[not live][index]), (step, name)
        (root / "partners/broken.yaml").write_text("name: [\n")
        with pytest.raises(ValidationFailed):
            build(root)  # even a failed build first puts back the folder the kill left aside
        (root / "partners/broken.yaml").unlink()
        assert _real_folders(root), step
        build(root)
        assert site_state(root) == cold[not live]
        live = not live
    assert gaps == 2  # one moment per folder


@pytest.mark.slow  # concurrency: two builds at once
def test_a_second_build_waits_for_the_running_one_then_builds(tmp_path: Path) -> None:
    root = pausing(toggled_site(tmp_path / "site", True))
    log = tmp_path / "settings-read-by"
    first = start_build(root, env={"TEST_SETTINGS_PAUSE": "1.5", "TEST_SETTINGS_LOG": str(log)})
    assert wait_for(log.exists)
    paused = time.monotonic()
    pausing(toggled_site(root, False))
    second = start_build(root, env={"TEST_SETTINGS_PAUSE": "0.01", "TEST_SETTINGS_LOG": str(log)})
    while time.monotonic() - paused < 1.2:  # the first is still in its pause, holding the lock
        assert log.read_text().split() == [str(first.pid)], "the second build began while the first ran"
        time.sleep(0.02)
    first.join()
    second.join()
    assert (first.exitcode, second.exitcode) == (0, 0)
    assert log.read_text().split() == [str(first.pid), str(second.pid)]
    assert site_state(root) == cold_states(tmp_path)[False]


@pytest.mark.slow  # concurrency: a build held, then killed
def test_a_build_refuses_after_BUILD_LOCK_WAIT_and_takes_over_a_killed_builds_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = pausing(toggled_site(tmp_path / "site", True))
    shutil.copy(REPO / "tasks.py", project / "tasks.py")
    build(project)
    before = site_state(project)
    log = tmp_path / "settings-read-by"
    holder = start_build(
        pausing(toggled_site(project, False)), env={"TEST_SETTINGS_PAUSE": "30", "TEST_SETTINGS_LOG": str(log)}
    )
    try:
        assert wait_for(log.exists)
        env = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH, "BUILD_LOCK_WAIT": "0.5"}
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "invoke", "build"], cwd=project, env=env, capture_output=True,
                                text=True, check=False)  # fmt: skip
        assert 0.5 <= time.monotonic() - started < 10
        assert result.returncode == 1
        assert result.stderr.splitlines()[-1] == (
            f"vouch: another build (pid {holder.pid}) is still running after 0.5 s (BUILD_LOCK_WAIT); "
            "nothing was built, output/ is unchanged"
        )
        assert "Traceback" not in result.stderr and result.stdout == ""
        assert site_state(project) == before
        os.kill(holder.pid, signal.SIGKILL)  # a holder killed mid-build: its lock is free at once
        holder.join()
    finally:
        _end(holder.pid)
    monkeypatch.setenv("BUILD_LOCK_WAIT", "0")
    build(project)
    assert site_state(project) == cold_states(tmp_path)[False]


def test_a_BUILD_LOCK_WAIT_that_is_no_number_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUILD_LOCK_WAIT", "ten minutes")
    with pytest.raises(
        Refused, match=r"^BUILD_LOCK_WAIT: expected a number of seconds such as 600; got 'ten minutes'$"
    ):
        build(toggled_site(tmp_path, True))
    assert not (tmp_path / "output").exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_killed_build_takes_its_search_indexer_with_it(tmp_path: Path) -> None:
    fake = tmp_path / "indexer"
    fake.write_text(f"#!/bin/sh\necho $$ > {tmp_path}/indexer.pid\nexec sleep 60\n")
    fake.chmod(0o755)

    def index_with_fake() -> None:
        os.environ["PAGEFIND_BINARY_PATH"] = str(fake)  # where Pagefind's own lookup looks first
        _pagefind_command.cache_clear()
        site = tmp_path / "site"
        site.mkdir()
        (site / "index.html").write_text("<html><body><main data-pagefind-body>Hello</main></body></html>")
        index_site(site, tmp_path / "cache")

    child = multiprocessing.get_context("fork").Process(target=index_with_fake)
    child.start()
    pid_file = tmp_path / "indexer.pid"
    assert wait_for(lambda: pid_file.exists() and pid_file.read_text().strip())
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    indexer = int(pid_file.read_text())
    try:
        assert wait_for(lambda: not alive(indexer), timeout=3), "Pagefind outlived its build"
    finally:
        _end(indexer)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_killed_build_takes_its_render_workers_with_it(tmp_path: Path) -> None:
    def work(_items: list[int]) -> None:
        (tmp_path / f"worker-{os.getpid()}").touch()
        time.sleep(60)

    child = multiprocessing.get_context("fork").Process(target=run_split, args=([1, 2], work, 2))
    child.start()
    assert wait_for(lambda: len(list(tmp_path.glob("worker-*"))) == 2)
    [worker] = [int(p.name.split("-")[1]) for p in tmp_path.glob("worker-*") if p.name != f"worker-{child.pid}"]
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    try:
        assert wait_for(lambda: not alive(worker), timeout=3), "a render worker outlived its build"
    finally:
        _end(worker)


def _end(pid: int) -> None:
    """Kill what a failing test left running (it holds pytest's output open)."""
    if alive(pid):
        os.kill(pid, signal.SIGKILL)


def test_a_build_killed_while_pelican_saves_its_cache_breaks_no_later_build(tmp_path: Path) -> None:
    root = toggled_site(tmp_path / "site", True)
    build(root)

    def killed_saving_the_cache() -> None:
        def die(*_args: object) -> None:  # Pelican has just opened its cache file for writing
            os.kill(os.getpid(), signal.SIGKILL)

        pickle.dump = die
        build(root)

    child = multiprocessing.get_context("fork").Process(target=killed_saving_the_cache)
    toggled_site(root, False)
    child.start()
    child.join()
    assert child.exitcode == -signal.SIGKILL
    build(root)
    assert site_state(root) == cold_states(tmp_path)[False]


def test_a_web_server_running_as_another_user_can_read_output_as_before(tmp_path: Path) -> None:
    root = toggled_site(tmp_path / "site", True)
    build(root)
    build(toggled_site(root, False))
    plain = (root / "partners").stat().st_mode & 0o777  # what mkdir gives here
    builds = root / ".output.builds"
    previous = builds / os.readlink(builds / "previous")
    for folder in (root / "output", root / "output/partners", root / "mail", builds, previous, previous / "output"):
        assert not folder.is_symlink() and folder.stat().st_mode & 0o777 == plain, folder
    assert {p.stat().st_mode & 0o444 for p in (root / "output").rglob("*") if p.is_file()} == {0o444}


def _private_folder(project: Path) -> Path:
    (project / "private").mkdir()
    (project / "private/subscribers.csv").write_text("email,name\nann@example.org,Ann\n")
    return project / "private"


def _the_project(project: Path) -> Path:
    (project / ".git").mkdir()
    (project / ".git/HEAD").write_text("ref: refs/heads/main\n")
    return project


def _a_file(project: Path) -> Path:
    (project / "notes.txt").write_text("my notes\n")
    return project / "notes.txt"


def _a_link_to_a_folder(project: Path) -> Path:
    _private_folder(project)
    (project / "elsewhere").symlink_to("private")
    return project / "elsewhere"


def _someones_mail_beside_it(project: Path) -> Path:
    (project / "public/mail").mkdir(parents=True)
    (project / "public/mail/inbox.mbox").write_text("From ann@example.org\n")
    return project / "public/site"


def _someones_folder_in_place_of_the_site(project: Path) -> Path:
    build(project)
    shutil.rmtree(project / "output")
    (project / "output").mkdir()
    (project / "output/draft.txt").write_text("my draft\n")
    return project / "output"


def _someones_folder_named_like_vouchs(project: Path) -> Path:
    (project / ".site.builds").mkdir()
    (project / ".site.builds/plans.txt").write_text("plans\n")
    return project / "site"


@pytest.mark.parametrize(
    "target",
    [_private_folder, _the_project, _a_file, _a_link_to_a_folder, _someones_mail_beside_it,
     _someones_folder_in_place_of_the_site, _someones_folder_named_like_vouchs],
)  # fmt: skip
def test_a_build_replaces_no_folder_vouch_did_not_make(tmp_path: Path, target: Callable[[Path], Path]) -> None:
    project = toggled_site(tmp_path / "site", True)
    output = target(project)
    before = _everything(tmp_path)
    with pytest.raises(Refused, match=r"is not a folder Vouch built|is not Vouch's"):
        build(project, output)
    assert _everything(tmp_path) == before


def _everything(folder: Path) -> list[tuple[str, str | bytes]]:
    """Every file's bytes, every link's target and every folder under ``folder`` (the build lock aside)."""
    return sorted(
        (str(path.relative_to(folder)), os.readlink(path) if path.is_symlink() else path.read_bytes() if path.is_file()
         else "folder")
        for path in folder.rglob("*")
        if ".cache" not in path.parts
    )  # fmt: skip


def test_build_output_refuses_in_one_line(tmp_path: Path) -> None:
    project = toggled_site(tmp_path / "site", True)
    shutil.copy(REPO / "tasks.py", project / "tasks.py")
    _private_folder(project)
    result = run_invoke(project, "build", "--output", "private", env={**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"vouch: {project}/private is not a folder Vouch built, and a build would replace it: "
        "choose a new or empty folder; nothing was built, output/ is unchanged"
    ]
    assert (project / "private/subscribers.csv").read_text() == "email,name\nann@example.org,Ann\n"


@pytest.mark.slow  # chaos: adoption killed at every step
def test_an_output_left_by_an_earlier_vouch_is_adopted_whole_at_every_step(tmp_path: Path) -> None:
    cold = cold_states(tmp_path)
    root = toggled_site(tmp_path / "site", True)
    earlier = tmp_path / "cold-True"  # a plain folder of Vouch's shape: partners.json, pagefind/, index.html

    def earlier_vouchs_folders() -> None:
        wait_for(lambda: not build_folders_left(root))  # the last build's deletions are done
        for name in ("output", "mail", ".output.builds"):
            if (root / name).exists():
                shutil.rmtree(root / name)
            if name != ".output.builds":
                shutil.copytree(earlier / name, root / name)

    earlier_vouchs_folders()
    steps = swap_steps(toggled_site(root, False))
    assert _real_folders(root) and site_state(root) == cold[False]
    for step in range(len(steps)):
        earlier_vouchs_folders()
        child = start_build(root, kill_at_step=step)
        child.join()
        assert child.exitcode == -signal.SIGKILL
        output, mail = site_state(root)
        assert output in (cold[True][0], cold[False][0]) and mail in (cold[True][1], cold[False][1]), step
        build(root)
        assert site_state(root) == cold[False] and _real_folders(root)
        assert wait_for(lambda: not build_folders_left(root)), build_folders_left(root)


@pytest.mark.slow  # chaos: the upgrade killed at every step
def test_a_site_the_symlink_version_built_becomes_real_folders_whole_at_every_step(tmp_path: Path) -> None:
    """Vouch of 2026-12 made ``output`` and ``mail`` links into ``.output.builds/current``."""
    cold = cold_states(tmp_path)
    root = toggled_site(tmp_path / "site", False)
    old, new = cold[True], cold[False]

    def links_of_the_symlink_version() -> None:
        wait_for(lambda: not build_folders_left(root))
        symlink_layout(root, live=tmp_path / "cold-True", before=tmp_path / "cold-False")

    links_of_the_symlink_version()
    assert site_state(root) == old
    steps = swap_steps(root)
    assert _real_folders(root) and site_state(root) == new
    for step in range(len(steps)):
        links_of_the_symlink_version()
        child = start_build(root, kill_at_step=step)
        child.join()
        assert child.exitcode == -signal.SIGKILL
        assert site_state(root) == left_by_a_kill(steps, step, old, new), f"a kill before step {step} ({steps[step]})"
        build(root)
        assert site_state(root) == new and _real_folders(root)
        assert wait_for(lambda: not build_folders_left(root)), build_folders_left(root)

    assert "links to current" not in (root / ".output.builds/made-by-vouch.txt").read_text()  # what it says now
    links_of_the_symlink_version()
    with pinned(root / "output") as reader:  # a reader that entered the link's site before the upgrade
        build(root)
        assert _real_folders(root) and stable_tree(reader) == old[0]  # kept until the next swap
        build(root)
        assert wait_for(lambda: not (reader / "index.html").exists())  # then deleted


def test_a_reader_inside_output_reads_the_old_site_whole_until_the_next_swap(tmp_path: Path) -> None:
    cold = cold_states(tmp_path)
    root = toggled_site(tmp_path / "site", True)
    build(root)
    with pinned(root / "output") as reader:
        build(toggled_site(root, False))
        assert stable_tree(root / "output") == cold[False][0]
        assert stable_tree(reader) == cold[True][0]
        build(root)
        assert wait_for(lambda: not (reader / "index.html").exists())


def test_a_site_built_without_search_is_still_one_vouch_built(tmp_path: Path) -> None:
    """No pagefind/ (``invoke serve``'s builds): the builds folder records the site folder it made."""
    root = toggled_site(tmp_path / "site", True)
    build(root, search=False)
    assert not (root / "output/pagefind").exists()
    build(toggled_site(root, False), search=False)
    assert "Quay Drains" not in (root / "output/index.html").read_text()


@pytest.mark.parametrize("tool", ["find", "rsync", "tar"])
def test_tools_pointed_at_output_see_the_whole_site(tmp_path: Path, tool: str) -> None:
    """``output`` is a real folder: ``find output``, ``rsync -a --delete output host:site`` (no
    trailing slash) and ``tar -C output`` see the site, not a link (the audit's HTML check ran
    ``find "$(cd output && pwd)"``)."""
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (scripts/install-test-tools.sh installs it)")
    root = toggled_site(tmp_path / "site", True)
    build(root)
    build(toggled_site(root, False))
    site = read_tree(root / "output")
    pages = sorted(rel for rel in site if rel.endswith(".html"))
    assert len(pages) > 5

    def run(*command: str) -> str:
        return subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout

    if tool == "find":
        assert sorted(run("find", "output", "-type", "f", "-name", "*.html").split()) == [f"output/{p}" for p in pages]
        audit = run("sh", "-c", 'SITE_DIR="$(cd output && pwd)"; find "$SITE_DIR" -type f -name "*.html"')
        assert len(audit.split()) == len(pages)
    elif tool == "rsync":
        for source, dest, copied in (("output", "deployed", "deployed/output"), ("output/", "www/", "www")):
            (tmp_path / copied).mkdir(parents=True)
            (tmp_path / copied / "stale.html").write_text("gone after --delete")
            run("rsync", "-a", "--delete", source, str(tmp_path / dest))
            assert not (tmp_path / copied).is_symlink() and read_tree(tmp_path / copied) == site, source
    else:
        (tmp_path / "untarred").mkdir()
        run("sh", "-c", f"tar -cf - output | tar -xf - -C {tmp_path}/untarred")
        assert read_tree(tmp_path / "untarred/output") == site


def test_an_empty_folder_may_be_the_output(tmp_path: Path) -> None:
    root = toggled_site(tmp_path / "site", True)
    (tmp_path / "www").mkdir()
    build(root, tmp_path / "www")
    assert (tmp_path / "www/partners/quay/index.html").exists()


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a theme of its own, built to output/ and to public/site (another of its outputs)."""
    project = toggled_site(tmp_path_factory.mktemp("two-sites") / "site", True)
    shutil.copytree(REPO / "theme", project / "theme")
    _the_project(project)
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = DEMO_EPOCH
    try:
        build(project)
        build(project, project / "public/site")
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH")
        if previous is not None:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    wait_for(lambda: not build_folders_left(project))
    return project


@pytest.mark.parametrize(
    ("target", "refusal"),
    [
        ("output/x", "output/x lies inside output/, another Vouch site"),
        ("mail/x", "mail/x lies inside mail/, the e-mail previews of another Vouch site"),
        (".output.builds/current/output/sub", "output/sub lies inside .output.builds/, the builds of another Vouch site"),
        ("public/site/sub", "public/site/sub lies inside public/site/, another Vouch site"),
        ("public/mail/x", "public/mail/x lies inside public/mail/, the e-mail previews of another Vouch site"),
        ("site", "/mail (where the e-mail previews go, beside site) is mail/, the e-mail previews of another Vouch site"),
        ("content/images/pub", "content/images/pub lies inside content/ (PATH)"),
        ("partners/site", "partners/site lies inside partners/"),
        ("theme/site", "theme/site lies inside theme/ (THEME)"),
        ("private", "private is private/"),
        ("private/site", "private/site lies inside private/"),
        (".cache/site", ".cache/site lies inside .cache/"),
        (".git/site", ".git/site lies inside .git/"),
    ],
)  # fmt: skip
def test_a_build_into_the_sources_private_files_or_another_build_is_refused(
    two_sites: Path, tmp_path: Path, target: str, refusal: str
) -> None:
    project = tmp_path / "site"
    shutil.copytree(two_sites, project, symlinks=True)
    before = _everything(tmp_path)
    with pytest.raises(Refused) as refused:
        build(project, project / target)
    assert refusal in str(refused.value)
    assert "\n" not in str(refused.value)
    assert _everything(tmp_path) == before


def test_build_output_into_the_live_site_refuses_in_one_line(two_sites: Path, tmp_path: Path) -> None:
    project = tmp_path / "site"
    shutil.copytree(two_sites, project, symlinks=True)
    shutil.copy(REPO / "tasks.py", project / "tasks.py")
    before = _everything(tmp_path)
    result = run_invoke(project, "build", "--output", "output/x", env={**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"vouch: {project}/output/x lies inside output/, another Vouch site: a build there would put a site and "
        "draft e-mail previews in it; choose a folder outside the project's sources, private files and other "
        "builds; nothing was built, output/ is unchanged"
    ]
    assert _everything(tmp_path) == before


def _logs_then(value: object) -> object:
    logging.getLogger("vouch").warning("checked %s in the child", "everything")
    if isinstance(value, Exception):
        raise value
    return value


def test_isolated_work_hands_back_its_result_its_log_records_and_its_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("WARNING", logger="vouch"):
        assert parallel.isolated(partial(_logs_then, {"site": [1, 2]})) == {"site": [1, 2]}
    assert [r.getMessage() for r in caplog.records] == ["checked everything in the child"]
    problem = Problem(Path("partners/x.yaml"), 3, "status", "expected one of vetted")
    with pytest.raises(ValidationFailed) as failed:
        parallel.isolated(partial(_logs_then, ValidationFailed([problem])))
    assert failed.value.problems == [problem]


def _sleep_then(seconds: float, value: object) -> object:
    time.sleep(seconds)
    return value


def test_started_work_runs_while_this_process_goes_on_and_a_cancelled_child_is_gone() -> None:
    began = time.perf_counter()
    first, second = parallel.Started(partial(_sleep_then, 0.5, "a")), parallel.Started(partial(_sleep_then, 0.5, "b"))
    assert (first.result(), second.result()) == ("a", "b")
    assert time.perf_counter() - began < 0.9  # side by side, not one after the other
    waiting = parallel.Started(partial(_sleep_then, 60, "never"))
    pid = waiting._pid
    waiting.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # killed and reaped: no such child any more


def test_a_big_network_is_validated_apart_and_says_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)  # this small site counts as big
    apart = []
    isolated = parallel.isolated
    monkeypatch.setattr(parallel, "isolated", lambda work: apart.append(work) or isolated(work))
    make_site(
        tmp_path,
        {"harbour": vetted("Harbour Plumbing"), "quay": vetted("Quay Drains") | {"status": "suspended"}},
        {"content/articles/boilers.md": "Title: Boilers\nDate: 2026-10-02\n\nAsk {partner}quay.\n"},
    )
    with caplog.at_level("INFO", logger="vouch"):
        result = build(tmp_path)
    assert len(apart) == 1 and [p.slug for p in result.site.partners] == ["harbour"]
    assert any("withheld content/articles/boilers.md" in r.getMessage() for r in caplog.records)
    (tmp_path / "partners" / "quay.yaml").write_text("status: yes\n")
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert [p.field for p in failed.value.problems] == ["category", "name", "status"] and len(apart) == 2


def test_a_build_into_another_file_system_works_twice(tmp_path: Path) -> None:
    """``--output /srv/www`` on its own partition (review 4): Pelican's cache comes back across file systems."""
    import tempfile

    project = toggled_site(tmp_path / "site", True)
    other = "/dev/shm" if os.stat(tmp_path).st_dev != os.stat("/dev/shm").st_dev else "/var/tmp"
    with tempfile.TemporaryDirectory(dir=other) as elsewhere:
        site = Path(elsewhere) / "www"
        assert os.stat(elsewhere).st_dev != os.stat(project).st_dev, "two file systems are needed"
        first = build(project, site)
        second = build(project, site)
        assert (second.output / "index.html").is_file() and first.files == second.files
