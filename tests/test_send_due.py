"""`invoke send --due`, the welcome series and "Trusted near": days simulated with SOURCE_DATE_EPOCH,
a real SMTP server (aiosmtpd) in the test process."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.sitekit import REPO, make_site, run_invoke, vetted
from tests.smtpd import Faults, Recorder, start
from vouch.mailing.subscribers import Subscriber
from vouch.newsletter.welcome import WelcomeStep, plan_steps

START = dt.date(2026, 12, 1)


def make(root: Path, profiles: dict, files: dict) -> Path:
    """A site with this repository's tasks.py, as an editor's checkout has."""
    make_site(root, profiles, files)
    shutil.copy(REPO / "tasks.py", root / "tasks.py")
    return root


def epoch(day: dt.date) -> str:
    return str(int(dt.datetime(day.year, day.month, day.day, 6, 0, tzinfo=dt.UTC).timestamp()))


def env_for(root: Path, port: int, day: dt.date) -> dict[str, str]:
    private = root / "private"
    return {**os.environ, "SOURCE_DATE_EPOCH": epoch(day), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
            "SMTP_SECURITY": "none", "SMTP_TIMEOUT": "5", "SMTP_RETRY_DELAY": "0.01",
            "NEWSLETTER_SUBSCRIBERS": str(private / "subscribers.csv"),
            "NEWSLETTER_SUPPRESSIONS": str(private / "suppressions.csv"),
            "NEWSLETTER_LEDGER": str(private / "newsletter.sqlite")}  # fmt: skip


def issue(title: str, date: str, body: str = "A short note.", status: str = "published") -> str:
    return f"Title: {title}\nDate: {date}\nStatus: {status}\n\n{body}\n"


def step(title: str, delay: int, body: str = "Glad to have you.") -> str:
    return f"Title: {title}\nDelay: {delay}\n\n{body}\n"


PARTNERS = {
    "harbour": vetted("Harbour Plumbing", vetted_on="2026-03-01", areas=["Totnes", "Dartmouth"]),
    "quay": vetted("Quay Drains", vetted_on="2026-06-01", areas=["totnes"]),
    "ridge": vetted("Ridge Roofing", vetted_on="2026-05-01", areas=["Totnes"]),
    "spark": vetted("Spark Electrical", vetted_on="2026-01-01", areas=["Totnes"]),  # the fourth: past the limit
    "etienne": vetted("Étienne Joinery", vetted_on="2026-02-01", areas=["Saint-Étienne"]),
    "hidden": {**vetted("Hidden Heating", vetted_on="2026-11-01", areas=["Totnes"]), "status": "pending"},
}


def built(root: Path, day: dt.date) -> None:
    """``invoke build`` as of ``day``: an issue goes out only once its web version is on the built site."""
    done = run_invoke(root, "build", env={**os.environ, "SOURCE_DATE_EPOCH": epoch(day)})
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def server():
    recorder = Recorder()
    controller = start(recorder)
    yield controller.port, recorder
    controller.stop()


def closed_port() -> int:
    """A local port nothing listens on: the SMTP server is down."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def by_subject(recorder: Recorder) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for address, message in recorder.accepted:
        out.setdefault(str(message["Subject"]), []).append(address)
    return out


def test_an_issue_comes_due_goes_to_those_who_had_joined_and_an_old_one_never_goes(tmp_path: Path, server) -> None:
    port, recorder = server
    make(
        tmp_path,
        PARTNERS,
        {
            "content/newsletter/old-news.md": issue("Old news from November", "2026-11-17"),
            "content/newsletter/2026-12-03.md": issue("December news for all", "2026-12-03"),
            "private/subscribers.csv": "email,name,subscribed\nold@example.org,Old,\n"
            "early@example.org,Early,2026-12-01\nlate@example.org,Late,2026-12-05\n",
        },
    )

    def due(day: dt.date, *more: str):
        done = run_invoke(tmp_path, "send", "--due", *more, env=env_for(tmp_path, port, day))
        assert "Traceback" not in done.stderr, done.stderr
        return done

    before = due(dt.date(2026, 12, 2))
    assert before.returncode == 0 and "nothing due on 2026-12-02" in before.stdout and not recorder.accepted
    built(tmp_path, dt.date(2026, 12, 3))  # the cron line's build, before the send
    on_day = due(dt.date(2026, 12, 3))
    assert on_day.returncode == 0, on_day.stdout + on_day.stderr
    assert "2026-12-03: sent 2, already sent before 0, failed 0" in on_day.stdout
    assert "messages/s" in on_day.stdout
    assert by_subject(recorder) == {"December news for all": ["old@example.org", "early@example.org"]}
    again = due(dt.date(2026, 12, 4))
    assert again.returncode == 0 and "nothing due" in again.stdout
    by_name = run_invoke(tmp_path, "send", "2026-12-03", env=env_for(tmp_path, port, dt.date(2026, 12, 4)))
    assert by_name.returncode == 0 and "sent 0, already sent before 2" in by_name.stdout  # not twice, either way
    assert "warning: subscribed after today (2026-12-04), so sent nothing until then: late@example.org" in (
        by_name.stderr
    )
    late = due(dt.date(2026, 12, 6))  # the late joiner never gets an issue dated before they joined
    assert late.returncode == 0 and "nothing due" in late.stdout
    assert len(recorder.accepted) == 2 and "Old news from November" not in by_subject(recorder)


def test_a_due_issue_sent_by_name_first_is_not_sent_again_by_due(tmp_path: Path, server) -> None:
    port, recorder = server
    make(tmp_path, PARTNERS, {
        "content/newsletter/2026-12-03.md": issue("December news for all", "2026-12-03"),
        "private/subscribers.csv": "email,name\na@example.org,A\nb@example.org,B\n",
    })  # fmt: skip
    built(tmp_path, dt.date(2026, 12, 3))
    first = run_invoke(tmp_path, "send", "2026-12-03", env=env_for(tmp_path, port, dt.date(2026, 12, 3)))
    assert first.returncode == 0, first.stderr
    (tmp_path / "private/subscribers.csv").write_text("email,name\na@example.org,A\nb@example.org,B\nc@example.org,C\n")
    later = run_invoke(tmp_path, "send", "--due", env=env_for(tmp_path, port, dt.date(2026, 12, 4)))
    assert later.returncode == 0 and "2026-12-03: sent 1, already sent before 2" in later.stdout
    assert Counter(recorder.addresses()) == {"a@example.org": 1, "b@example.org": 1, "c@example.org": 1}
    # A run killed with c's message in flight, the last one: the next --due run reports it, once, and resends nothing.
    with sqlite3.connect(tmp_path / "private/newsletter.sqlite") as db:
        db.execute("UPDATE deliveries SET state = 'sending' WHERE key = 'c@example.org'")
    lost = run_invoke(tmp_path, "send", "--due", env=env_for(tmp_path, port, dt.date(2026, 12, 5)))
    assert lost.returncode == 3 and "unknown: c@example.org (2026-12-03): the server's answer was lost" in lost.stdout
    quiet = run_invoke(tmp_path, "send", "--due", env=env_for(tmp_path, port, dt.date(2026, 12, 5)))
    assert quiet.returncode == 0 and "nothing due" in quiet.stdout and len(recorder.accepted) == 3


def test_due_reports_what_it_cannot_send_and_the_unknown_exit_code(tmp_path: Path, server) -> None:
    port, recorder = server
    make(tmp_path, PARTNERS, {
        "content/newsletter/2026-12-03.md": issue("December news for all", "2026-12-03", "TODO write this"),
        "content/newsletter/held.md": issue("Meet a hidden partner", "2026-12-03", "{partner}hidden"),
        "private/subscribers.csv": "email,name\na@example.org,A\n",
    })  # fmt: skip
    done = run_invoke(tmp_path, "send", "--due", env=env_for(tmp_path, port, dt.date(2026, 12, 3)))
    assert done.returncode == 1 and not recorder.accepted
    assert "2026-12-03: placeholders: unfinished text: TODO" in done.stderr
    assert "held: due, but it names unpublished hidden: not sent" in done.stderr
    assert done.stdout.splitlines()[-1] == "nothing sent on 2026-12-03: 2 due items could not go (listed above)"
    assert "nothing due" not in done.stdout
    dry = run_invoke(tmp_path, "send", "--due", "--dry-run", env=env_for(tmp_path, port, dt.date(2026, 12, 3)))
    assert (
        dry.returncode == 1
        and dry.stdout.splitlines()[-1] == "dry run: nothing sent; 2 due items could not go (listed above)"
    )


def test_area_blocks_are_right_for_each_recipient(tmp_path: Path, server) -> None:
    port, recorder = server
    make(tmp_path, PARTNERS, {
        "content/newsletter/2026-12-03.md": issue("December news for all", "2026-12-03"),
        "private/subscribers.csv": "email,name,area\ntot@example.org,T,TOTNES\nst@example.org,S,saint etienne\n"
        "dart@example.org,D, Dartmouth \nnone@example.org,N,Atlantis\nblank@example.org,B,\n",
    })  # fmt: skip
    built(tmp_path, dt.date(2026, 12, 3))
    done = run_invoke(tmp_path, "send", "--due", env=env_for(tmp_path, port, dt.date(2026, 12, 3)))
    assert done.returncode == 0, done.stdout + done.stderr
    blocks = {}
    for address, message in recorder.accepted:
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        assert len(message.as_bytes()) < 100 * 1024
        assert "Hidden Heating" not in html + text  # not published: in no block
        names = [n for n in ("Quay Drains", "Ridge Roofing", "Harbour Plumbing", "Spark Electrical",
                             "Étienne Joinery") if n in text]  # fmt: skip
        near = [line for line in text.splitlines() if line.startswith("Trusted near")]
        assert ("Trusted near" in html) == bool(near)
        blocks[address] = (near, sorted(names, key=text.index))
    assert blocks == {
        "tot@example.org": (["Trusted near Totnes"], ["Quay Drains", "Ridge Roofing", "Harbour Plumbing"]),
        "st@example.org": (["Trusted near Saint-Étienne"], ["Étienne Joinery"]),
        "dart@example.org": (["Trusted near Dartmouth"], ["Harbour Plumbing"]),
        "none@example.org": ([], []),
        "blank@example.org": ([], []),
    }


def test_the_preview_shows_one_area_and_welcome_steps_stay_off_the_site(tmp_path: Path) -> None:
    make(tmp_path, PARTNERS, {
        "content/newsletter/2026-11-03.md": issue("November news for all", "2026-11-03"),
        "content/newsletter/welcome/01-hello.md": step("Welcome aboard, neighbour", 0, "Meet {partner}quay."),
        "content/newsletter/welcome/02-vetting.md": step("How we vet our partners", 3),
    })  # fmt: skip
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(dt.date(2026, 12, 1))}
    built = run_invoke(tmp_path, "build", env=env)
    assert built.returncode == 0, built.stderr
    assert "e-mail previews: 3 in" in built.stdout and "(2 welcome steps)" in built.stdout
    preview = (tmp_path / "mail/2026-11-03/message.txt").read_text()
    assert "Trusted near Totnes" in preview and "Quay Drains" in preview
    welcome = (tmp_path / "mail/welcome/01-hello/message.html").read_text()
    assert "Welcome aboard, neighbour" in welcome and "Read on the web" not in welcome
    assert (tmp_path / "mail/welcome/02-vetting/message.eml").exists()
    site = b"".join(p.read_bytes() for p in (tmp_path / "output").rglob("*") if p.is_file())
    assert b"Welcome aboard" not in site and b"01-hello" not in site and b"How we vet our partners" not in site


@pytest.mark.slow  # two builds
def test_a_second_build_replaces_the_welcome_previews(tmp_path: Path) -> None:
    make(tmp_path, PARTNERS, {"content/newsletter/welcome/01-hello.md": step("Welcome aboard, neighbour", 0)})
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(dt.date(2026, 12, 1))}
    assert run_invoke(tmp_path, "build", env=env).returncode == 0
    (tmp_path / "content/newsletter/welcome/01-hello.md").rename(tmp_path / "content/newsletter/welcome/01-hi.md")
    again = run_invoke(tmp_path, "build", env=env)  # mail/welcome/ is Vouch's own: the next build replaces it
    assert again.returncode == 0, again.stderr
    assert [p.name for p in (tmp_path / "mail/welcome").iterdir()] == ["01-hi"]


def test_bad_welcome_steps_are_problem_lines(tmp_path: Path) -> None:
    make(tmp_path, PARTNERS, {
        "content/newsletter/welcome/01-hello.md": "Title: Welcome aboard, neighbour\nDelay: soon\n\nHi.\n",
        "content/newsletter/welcome/2-oops.md": step("Badly named step file", 1),
        "content/newsletter/welcome/03-meet.md": step("Meet a partner today", 2, "{partner}nobody"),
        "content/newsletter/welcome/later/06-more.md": step("A step put in a folder", 6),
        "content/newsletter/welcome/empty/.keep": "",
    })  # fmt: skip
    done = run_invoke(tmp_path, "check", env={**os.environ, "SOURCE_DATE_EPOCH": epoch(START)})
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "content/newsletter/welcome/01-hello.md:2: Delay: expected a whole number of days" in done.stderr
    assert "content/newsletter/welcome/2-oops.md:1: file: expected a welcome step named NN-slug.md" in done.stderr
    assert "content/newsletter/welcome/03-meet.md:4: partner reference: expected the slug" in done.stderr
    assert (
        "content/newsletter/welcome/later:1: file: expected welcome steps directly in welcome/; got a folder "
        "later/ holding Markdown, which is not read"
    ) in done.stderr
    assert "welcome/empty" not in done.stderr


def test_editor_backups_beside_welcome_steps_are_skipped_and_listed_not_problems(tmp_path: Path) -> None:
    make(tmp_path, PARTNERS, {
        "content/newsletter/welcome/01-hello.md": step("Welcome aboard, neighbour", 0),
        "content/newsletter/welcome/01-hello.md~": step("An older welcome", 0),
        "content/newsletter/welcome/.01-hello.md.swp": "binary swap",
    })  # fmt: skip
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(START)}
    check = run_invoke(tmp_path, "check", env=env)
    assert check.returncode == 0, check.stderr
    assert "skipped: content/newsletter/welcome/01-hello.md~ (an editor's temporary file)" in check.stdout
    built = run_invoke(tmp_path, "build", env=env)
    assert built.returncode == 0, built.stderr
    assert [p.name for p in (tmp_path / "mail/welcome").iterdir()] == ["01-hello"]


def test_a_test_copy_of_a_draft_with_todo_goes_out_with_warnings_the_real_send_refuses(tmp_path: Path, server):
    port, recorder = server
    make(tmp_path, PARTNERS, {
        "content/newsletter/2026-12-20.md": issue("December draft for all", "2026-12-20", "TODO: TK", "draft"),
        "content/newsletter/welcome/01-hello.md": step("Welcome aboard, neighbour", 0, "TODO say hello"),
        "private/subscribers.csv": "email,name\na@example.org,A\n",
    })  # fmt: skip
    env = env_for(tmp_path, port, START)
    copy = run_invoke(tmp_path, "send", "2026-12-20", "--to", "editor@example.org", env=env)
    assert copy.returncode == 0, copy.stderr
    assert "warning: 2026-12-20: placeholders: unfinished text: TK, TODO" in copy.stderr
    assert "warning: 2026-12-20: status: the issue is a draft" in copy.stderr
    step_copy = run_invoke(tmp_path, "send", "welcome/01-hello", "--to", "editor@example.org", env=env)
    assert step_copy.returncode == 0 and "warning: welcome/01-hello: placeholders" in step_copy.stderr
    real = run_invoke(tmp_path, "send", "2026-12-20", env=env)
    assert real.returncode == 1 and "fails 2 pre-send check(s); nothing was sent" in real.stderr
    step_real = run_invoke(tmp_path, "send", "welcome/01-hello", env=env)
    assert step_real.returncode == 2 and "is a welcome step: --due sends it" in step_real.stderr
    assert recorder.addresses() == ["editor@example.org", "editor@example.org"]
    assert [str(m["Subject"]) for _, m in recorder.accepted] == ["[Test] December draft for all",
                                                                  "[Test] Welcome aboard, neighbour"]  # fmt: skip


@pytest.mark.parametrize(
    ("cadence", "existing", "expected"),
    [
        (30, {"november-2026.md": "2026-11-01"}, "december-2026.md"),  # monthly, December free
        (30, {"december-2026.md": "2026-12-01"}, "2026-12-31.md"),  # December has one: by date, never -2
        (14, {"2026-11-20.md": "2026-11-20"}, "2026-12-04.md"),  # fortnightly: always by date
    ],
)
def test_newsletter_names_the_next_issue_by_month_or_by_date(tmp_path: Path, cadence, existing, expected) -> None:
    files = {f"content/newsletter/{name}": issue("An issue for everyone", date) for name, date in existing.items()}
    make(tmp_path, PARTNERS, files)
    with (tmp_path / "pelicanconf.py").open("a") as conf:
        conf.write(f"NEWSLETTER_CADENCE_DAYS = {cadence}\n")
    done = run_invoke(tmp_path, "newsletter", env={**os.environ, "SOURCE_DATE_EPOCH": epoch(START)})
    assert done.returncode == 0, done.stderr
    made = sorted({p.name for p in (tmp_path / "content/newsletter").iterdir()} - set(existing))
    assert made == [expected]
    date = expected.removesuffix(".md") if expected[0].isdigit() else None
    if date:
        assert f"Date: {date}\n" in (tmp_path / "content/newsletter" / expected).read_text()


# --- the welcome schedule, as a pure function over 30 simulated days --------------------------------------


def steps3() -> list[WelcomeStep]:
    return [WelcomeStep(Path(f"{n}.md"), f"0{n}-s", f"Step {n}", delay, None, "published", "", ())
            for n, delay in ((1, 0), (2, 3), (3, 7))]  # fmt: skip


def simulate(subscribers: list[Subscriber], days: list[dt.date]) -> dict[tuple[str, str], dt.date]:
    """Run the planner on ``days`` with an in-memory ledger where every send succeeds; (step, key) -> day sent."""
    steps = steps3()
    states: dict[tuple[str, str], str] = {}
    sent: dict[tuple[str, str], dt.date] = {}
    for day in days:
        for plan in plan_steps(steps, subscribers, states, sent, day):
            for s in plan.new + plan.resumed:
                key = (plan.step.key, s.address.lower())
                assert key not in states, f"{key} planned twice"
                states[key], sent[key] = "sent", day
    return sent


def test_the_welcome_series_reaches_200_subscribers_once_each_in_order_and_catches_up() -> None:
    people = [Subscriber(f"r{i}@example.org", "", START + dt.timedelta(days=i % 20)) for i in range(200)]
    people.append(Subscriber("old@example.org", "Old"))  # no subscribed date: an existing subscriber
    every_day = [START + dt.timedelta(days=d) for d in range(40)]
    missed_week = [d for d in every_day if not 10 <= (d - START).days < 17]
    for days in (every_day, missed_week):
        sent = simulate(people, days)
        assert not [k for k in sent if k[1] == "old@example.org"]
        for s in people[:-1]:
            got = [sent[(f"welcome/0{n}-s", s.address)] for n in (1, 2, 3)]
            assert got == sorted(got) and len(set(got)) == 3  # in order, never two on one day
            for day, delay in zip(got, (0, 3, 7), strict=True):
                assert day >= s.subscribed + dt.timedelta(days=delay)  # never early
            if days is every_day:
                assert got == [s.subscribed + dt.timedelta(days=d) for d in (0, 3, 7)]  # on the day
        if days is missed_week:  # the week's steps go out from the first day back, one a day
            back = START + dt.timedelta(days=17)
            joined_day_10 = people[10]
            assert [sent[(f"welcome/0{n}-s", joined_day_10.address)] for n in (1, 2, 3)] == [
                back, back + dt.timedelta(days=1), back + dt.timedelta(days=2)]  # fmt: skip


def test_a_renamed_step_is_not_sent_again_and_a_step_added_below_goes_only_to_those_not_past_it() -> None:
    """Steps are known by their number: renaming ``03-s`` keeps who had it; a ``00-hello`` added later never
    reaches someone already further on (it would arrive out of order), only those who have not started."""
    ann = Subscriber("ann@example.org", "Ann", START)
    new = Subscriber("new@example.org", "New", START + dt.timedelta(days=30))
    states = {(f"welcome/0{n}-s", ann.address): "sent" for n in (1, 2, 3)}
    days = {(f"welcome/0{n}-s", ann.address): START + dt.timedelta(days=d) for n, d in ((1, 0), (2, 3), (3, 7))}
    renamed = [*steps3()[:2], WelcomeStep(Path("3.md"), "03-refer", "Step 3", 7, None, "published", "", ())]
    hello = WelcomeStep(Path("0.md"), "00-hello", "Hello", 0, None, "published", "", ())
    day = START + dt.timedelta(days=30)
    assert plan_steps(renamed, [ann], states, days, day) == []
    plans = plan_steps([hello, *renamed], [ann, new], states, days, day)
    assert [(p.step.name, [s.address for s in p.new]) for p in plans] == [("00-hello", ["new@example.org"])]


# --- slow: a kill mid-send, and 30 simulated days end to end -------------------------------------------------


@pytest.mark.slow
def test_a_due_send_killed_halfway_is_resumed_by_the_next_due_run(tmp_path: Path) -> None:
    make(tmp_path, PARTNERS, {
        "content/newsletter/2026-12-03.md": issue("December news for all", "2026-12-03"),
        "private/subscribers.csv": "email,name\n" + "".join(f"reader{i}@example.org,Reader {i}\n" for i in range(400)),
    })  # fmt: skip
    built(tmp_path, dt.date(2026, 12, 3))
    recorder = Recorder(Faults(delay=0.01))
    controller = start(recorder)
    command = [sys.executable, "-m", "invoke", "send", "--due"]
    try:
        env = env_for(tmp_path, controller.port, dt.date(2026, 12, 3))
        first = subprocess.Popen(command, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 60
        while len(recorder.addresses()) < 100 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.01)
        assert first.poll() is None, first.communicate()
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = len(recorder.addresses())
        assert 100 <= killed_at < 399
        env = env_for(tmp_path, controller.port, dt.date(2026, 12, 4))  # the next day's cron line
        second = subprocess.run(command, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, check=False, timeout=120)  # fmt: skip
    finally:
        controller.stop()
    got = Counter(recorder.addresses())
    assert max(got.values()) == 1, "an address got two copies"
    expected = {f"reader{i}@example.org" for i in range(400)}
    unknown = {line.split()[1].rstrip(":") for line in second.stdout.splitlines() if "unknown:" in line}
    assert len(unknown) <= 1  # at most the one in flight when the process died
    assert expected - unknown <= set(got) <= expected
    assert second.returncode == (3 if unknown else 0), second.stdout + second.stderr
    assert "2026-12-03: sent" in second.stdout


@pytest.mark.slow
def test_thirty_days_of_due_runs_with_a_missed_week(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """200 subscribers joining on different days, 100 existing, three welcome steps, two issues and an old one;
    the cron misses a week. Prints the table the closing note shows."""
    make(tmp_path, PARTNERS, {
        "content/newsletter/november-2026.md": issue("Old news from November", "2026-11-17"),
        "content/newsletter/december-2026.md": issue("December news for all", "2026-12-10"),
        "content/newsletter/2026-12-17.md": issue("A winter storm warning", "2026-12-17"),
        "content/newsletter/welcome/01-hello.md": step("Welcome aboard, neighbour", 0, "Meet {partner}quay."),
        "content/newsletter/welcome/02-vetting.md": step("How we vet our partners", 3),
        "content/newsletter/welcome/03-refer.md": step("Know someone who needs us?", 7),
    })  # fmt: skip
    existing = [f"old{i}@example.org,Old {i},,Totnes\n" for i in range(100)]
    joining = [(START + dt.timedelta(days=i % 20), f"new{i}@example.org") for i in range(200)]
    areas = ("Totnes", "Dartmouth", "Atlantis", "")
    built(tmp_path, START + dt.timedelta(days=29))  # every issue's web version on the site: this is about the days
    recorder = Recorder()
    controller = start(recorder)
    table: list[tuple[str, str, int]] = []
    rates: list[float] = []
    missed = range(12, 19)
    try:
        for offset in range(30):
            day = START + dt.timedelta(days=offset)
            rows = [f"{a},New,{d},{areas[i % 4]}\n" for i, (d, a) in enumerate(joining) if d <= day]
            (tmp_path / "private").mkdir(exist_ok=True)
            (tmp_path / "private/subscribers.csv").write_text("email,name,subscribed,area\n" + "".join(existing + rows))
            if offset in missed:
                table.append((str(day), "(no cron run)", 0))
                continue
            done = run_invoke(tmp_path, "send", "--due", env=env_for(tmp_path, controller.port, day))
            assert done.returncode == 0, done.stdout + done.stderr
            lines = [line for line in done.stdout.splitlines() if ": sent " in line]
            table += [(str(day), line.split(":")[0], int(line.split(": sent ")[1].split(",")[0])) for line in lines]
            rates += [float(line.split("(")[1].split()[0]) for line in done.stdout.splitlines() if "messages/s" in line]
            if not lines:
                table.append((str(day), "nothing due", 0))
    finally:
        controller.stop()
    subjects: dict[str, list[str]] = {}
    for address, message in recorder.accepted:
        subjects.setdefault(address, []).append(str(message["Subject"]))
    assert max(Counter(recorder.addresses()).values()) <= 5
    steps = ["Welcome aboard, neighbour", "How we vet our partners", "Know someone who needs us?"]
    for _, address in joining:
        assert [s for s in subjects[address] if s in steps] == steps  # each once, in order
    for i in range(100):
        assert subjects[f"old{i}@example.org"] == ["December news for all", "A winter storm warning"]
    assert not [a for a, s in subjects.items() if "Old news from November" in s]
    assert "A winter storm warning" in subjects["new0@example.org"]  # joined before the 17th
    assert "A winter storm warning" not in subjects["new19@example.org"]  # joined on the 20th
    with capsys.disabled():
        print("\n| day | issue or step | messages sent |\n|---|---|---|")
        for day, what, count in table:
            print(f"| {day} | {what} | {count} |")
        print(f"send rate: {min(rates):.0f}-{max(rates):.0f} messages/s over {len(rates)} runs")


@pytest.mark.parametrize("unsubscribe_url", ["", "https://list.example/leave?e={email}"])
def test_the_fast_message_parses_to_what_the_email_package_makes(demo_site: Path, unsubscribe_url: str) -> None:
    """message_bytes skips the email package per recipient: the same headers and parts, decoded, as build_message."""
    import email as email_lib
    from dataclasses import replace
    from email.policy import default

    from tests.sitekit import demo_clock
    from vouch.render.email import build_message, display_to, personalize, recipient_headers
    from vouch.render.fast_mime import message_bytes
    from vouch.settings import VouchSettings
    from vouch_site.build import validate
    from vouch_site.config import load_settings
    from vouch_site.mailout import prepare_newsletter

    with demo_clock():
        settings = load_settings(demo_site)
        site, report = validate(demo_site, settings)
    typed = replace(VouchSettings.of(settings), newsletter_unsubscribe_url=unsubscribe_url)
    newsletter = prepare_newsletter(site, report, typed, Path(settings["THEME"]), Path(settings["PATH"]))
    now = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    for key in ("november-2026", "welcome/01-welcome"):
        rendered = (newsletter.rendered | newsletter.welcome)[key]
        for name, address, area in (("Ann Lee", "ann@example.org", "Kingsbridge"), ("José Ñú", "jn@example.org", ""),
                                    ("", "x+y@example.org", "Nowhere"), ('A "quoted", name', "q@example.org", "")):  # fmt: skip
            personal = personalize(rendered, typed, name, address, newsletter.near.for_area(area))
            headers = recipient_headers(key, address, typed, now)
            to = display_to(name, address)
            fast = message_bytes(rendered, personal, typed, to, headers, "[Test] ")
            slow = build_message(rendered, personal, typed, to=to, extra_headers=headers, subject_prefix="[Test] ")
            a = email_lib.message_from_bytes(fast, policy=default)
            b = email_lib.message_from_bytes(slow.as_bytes(), policy=default)
            assert sorted((k, str(v).strip()) for k, v in a.items()) == sorted(
                (k, str(v).strip()) for k, v in b.items()
            )
            for kind in ("plain", "html"):
                assert a.get_body((kind,)).get_content() == b.get_body((kind,)).get_content()
            assert max(len(line) for line in fast.split(b"\r\n")) <= 998 and b"\n" not in fast.replace(b"\r\n", b"")


def test_check_lists_a_withheld_welcome_step_as_the_build_does(tmp_path: Path) -> None:
    make(tmp_path, PARTNERS, {
        "content/newsletter/welcome/01-hello.md": step("Welcome aboard, neighbour", 0),
        "content/newsletter/welcome/02-meet.md": step("Meet a partner", 3, "Try {partner}hidden today."),
        "content/newsletter/welcome/03-vet.md": "Title: How we vet\nDelay: 5\nStatus: draft\n\nCarefully.\n",
    })  # fmt: skip
    check = run_invoke(tmp_path, "check", env={**os.environ, "SOURCE_DATE_EPOCH": epoch(START)})
    assert check.returncode == 0, check.stderr
    assert (
        "withheld: content/newsletter/welcome/02-meet.md (names unpublished hidden: the welcome series waits there)"
        in check.stdout
    )
    assert (  # review 3, finding 13: a draft step holds the series too
        "draft: content/newsletter/welcome/03-vet.md (the welcome series waits there: set 'Status: published' to "
        "send it)" in check.stdout
    )
    assert "01-hello" not in check.stdout


def test_an_issue_not_on_the_built_site_is_refused_and_the_others_still_go(tmp_path: Path, server) -> None:
    """Its "Web version" link would lead nowhere: built while a draft (or not at all), it waits for invoke build."""
    port, recorder = server
    make(tmp_path, PARTNERS, {
        "content/newsletter/2026-12-02.md": issue("Built and on the site", "2026-12-02"),
        "content/newsletter/2026-12-03.md": issue("Still a draft when built", "2026-12-03", status="draft"),
        "private/subscribers.csv": "email,name\na@example.org,A\nnot-an-address,B\n",
    })  # fmt: skip
    env = env_for(tmp_path, port, dt.date(2026, 12, 3))
    assert run_invoke(tmp_path, "build", env=env).returncode == 0
    draft = tmp_path / "content/newsletter/2026-12-03.md"
    draft.write_text(draft.read_text().replace("Status: draft", "Status: published"))  # and no build since
    by_name = run_invoke(tmp_path, "send", "2026-12-03", env=env)
    assert by_name.returncode == 1 and not recorder.accepted
    refusal = (
        "2026-12-03: its web version (newsletter/2026-12-03/) is not in output/: run invoke build first (and deploy it)"
    )
    assert refusal in by_name.stderr and "nothing was sent" in by_name.stderr
    dry_by_name = run_invoke(tmp_path, "send", "2026-12-03", "--dry-run", env=env)  # what would go, then why not
    assert dry_by_name.returncode == 1 and "'Still a draft when built' to 1 recipient" in dry_by_name.stdout
    assert "subscribers.csv:3: email: " in dry_by_name.stderr
    assert dry_by_name.stderr.splitlines()[-1] == f"vouch: {refusal}; nothing was sent"
    test_copy = run_invoke(tmp_path, "send", "2026-12-03", "--to", "editor@example.org", env=env)
    assert test_copy.returncode == 0, test_copy.stderr  # a test copy is how a draft is checked: not refused
    dry = run_invoke(tmp_path, "send", "--due", "--dry-run", env=env)
    assert dry.stdout.splitlines()[-1] == "dry run: nothing sent; 1 due item could not go (listed above)"
    assert dry.returncode == 1  # as the real run: something due could not go
    down = run_invoke(tmp_path, "send", "--due", env={**env, "SMTP_PORT": str(closed_port())})
    assert down.returncode == 3 and "vouch: " in down.stderr and len(recorder.accepted) == 1  # the test copy
    assert down.stdout.splitlines()[-1] == "1 due item could not go (listed above)"  # the server down too
    due = run_invoke(tmp_path, "send", "--due", env=env)
    assert due.returncode == 1, due.stdout + due.stderr
    assert f"{refusal}: not sent" in due.stderr
    assert by_subject(recorder) == {"[Test] Still a draft when built": ["editor@example.org"],
                                    "Built and on the site": ["a@example.org"]}  # fmt: skip
    assert due.stdout.splitlines()[-1] == "1 due item could not go (listed above)"


def test_an_issue_renamed_after_it_went_out_is_not_sent_again_unless_asked(tmp_path: Path, server) -> None:
    """Review 3, finding 4: the ledger knows issues by slug; a sent issue's Date and Title under a slug that no
    longer exists is the same issue renamed: refused (by name and by --due), said how to go on, --again sends."""
    port, recorder = server
    make(tmp_path, PARTNERS, {
        "content/newsletter/december-2026.md": issue("Year-end tax", "2026-12-02"),
        "private/subscribers.csv": "email,name\na@example.org,A\nb@example.org,B\n",
    })  # fmt: skip
    env = env_for(tmp_path, port, dt.date(2026, 12, 2))
    assert run_invoke(tmp_path, "build", env=env).returncode == 0
    assert run_invoke(tmp_path, "send", "--due", env=env).returncode == 0
    assert by_subject(recorder) == {"Year-end tax": ["a@example.org", "b@example.org"]}
    source = tmp_path / "content/newsletter/december-2026.md"
    source.rename(source.with_name("year-end-2026.md"))
    assert run_invoke(tmp_path, "build", env=env).returncode == 0
    refusal = (
        "year-end-2026: an issue of the same date and title already went out as december-2026 (renamed?): "
        "rename it back to december-2026, or send it to everyone again with invoke send year-end-2026 --again"
    )
    due = run_invoke(tmp_path, "send", "--due", env=env)
    assert due.returncode == 1 and f"{refusal}: not sent" in due.stderr, due.stdout + due.stderr
    by_name = run_invoke(tmp_path, "send", "year-end-2026", env=env)
    assert by_name.returncode == 1 and f"vouch: {refusal}; nothing was sent" in by_name.stderr, by_name.stderr
    assert len(recorder.accepted) == 2
    again = run_invoke(tmp_path, "send", "year-end-2026", "--again", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert by_subject(recorder) == {"Year-end tax": ["a@example.org", "b@example.org"] * 2}
    assert run_invoke(tmp_path, "send", "--due", env=env).stdout.splitlines()[-1] == "nothing due on 2026-12-02"


def test_an_issue_edited_since_the_build_is_not_sent_until_built_again(tmp_path: Path, server) -> None:
    """Review 3, finding 6: its web version would be the old text; a test copy still goes (that is how an edit is
    checked), the real send and --due wait for invoke build."""
    port, recorder = server
    make(tmp_path, PARTNERS, {
        "content/newsletter/december-2026.md": issue("Year-end tax", "2026-12-02"),
        "private/subscribers.csv": "email,name\na@example.org,A\n",
    })  # fmt: skip
    env = env_for(tmp_path, port, dt.date(2026, 12, 2))
    assert run_invoke(tmp_path, "build", env=env).returncode == 0
    source = tmp_path / "content/newsletter/december-2026.md"
    source.write_text(issue("CORRECTED after the build", "2026-12-02", "CORRECTION: the event moved to Friday."))
    refusal = "december-2026: changed since the last build (its web version is the old text): run invoke build first"
    by_name = run_invoke(tmp_path, "send", "december-2026", "--yes", env=env)
    assert by_name.returncode == 1 and f"vouch: {refusal}; nothing was sent" in by_name.stderr, by_name.stderr
    due = run_invoke(tmp_path, "send", "--due", env=env)
    assert due.returncode == 1 and f"{refusal}: not sent" in due.stderr, due.stdout + due.stderr
    test_copy = run_invoke(tmp_path, "send", "december-2026", "--to", "editor@example.org", env=env)
    assert test_copy.returncode == 0, test_copy.stderr
    assert by_subject(recorder) == {"[Test] CORRECTED after the build": ["editor@example.org"]}
    assert run_invoke(tmp_path, "build", env=env).returncode == 0
    assert run_invoke(tmp_path, "send", "--due", env=env).returncode == 0
    assert by_subject(recorder)["CORRECTED after the build"] == ["a@example.org"]
