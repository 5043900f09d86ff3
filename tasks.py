"""The editor's commands: ``invoke --list`` shows them all.

Only the options are parsed here; each command's body is in ``vouch_site.commands``.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from pathlib import Path
from typing import Any

from invoke import Argument, Exit, Task, task

ROOT = Path(__file__).resolve().parent
if hasattr(signal, "SIGPIPE"):  # `invoke check | head` ends quietly, like any Unix tool
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def _run(command: str, /, **options: Any) -> None:
    """``vouch_site.commands.<name>`` (or ``mail_commands``) here; a failure ends it with its code and message."""
    from vouch_site import commands, mail_commands

    run = getattr(commands, command, None) or getattr(mail_commands, command)
    try:
        run(ROOT, **options)
    except commands.CommandFailed as failed:
        raise Exit(failed.message or None, code=failed.code) from None


@task(
    help={
        "output": "folder to build into (default: output/): new, empty, or one Vouch built",
        "verbose": "say more (withheld items, counts)",
        "keep_going": "leave out each invalid profile or content file, build the rest, exit 2 (the daily cron build)",
    }
)
def build(c, output="", verbose=False, keep_going=False):
    """Validate everything, then build the site into output/ (atomically)."""
    _run("build", output=output, verbose=verbose, keep_going=keep_going)
    gc.freeze()  # the process ends here: Python's last collection walked the whole built site (0.2-0.4 s at 10,000)


@task
def check(c):
    """Validate only; list partners by state, reviews due within 30 days, lapses."""
    _run("check")


@task(
    help={
        "name": "the business name, e.g. 'Harbour Plumbing & Heating'",
        "category": "a key of partners/_categories.yaml (default: the first one)",
        "email": "contact e-mail (optional)",
        "phone": "contact phone (optional)",
        "slug": "the file name, partners/<slug>.yaml (default: made from the name)",
    }
)
def new_partner(c, name, category="", email="", phone="", slug=""):
    """Scaffold partners/<slug>.yaml with status: pending."""
    _run("new_partner", name=name, category=category, email=email, phone=phone, slug=slug)


@task(
    help={
        "name": "the network's name, e.g. 'Totnes Trusted Traders'",
        "url": "the site's public https address, e.g. https://partners.example.org",
        "region": "how national phone numbers are read (default GB)",
        "timezone": "the network's time zone (default Europe/London)",
        "from_": "the newsletter's sender, 'Name <address>'",
        "introductions": "the connector's 'Name <address>': turns on 'Ask for an introduction'",
        "force": "also when partners/ or content/ hold files of your own: remove only the demo's, keep yours",
    }
)
def init(c, name, url, region="GB", timezone="Europe/London", from_="", introductions="", force=False):
    """Turn the demo into an empty network of your own (refuses if partners/ or content/ hold your files)."""
    _run("init", name=name, url=url, region=region, timezone=timezone, sender=from_, introductions=introductions,
         force=force)  # fmt: skip


@task(
    name="import",
    iterable=["map_"],
    help={
        "file": "a .csv (any delimiter; UTF-8 or Windows-1252) or .xlsx file, one business a row under a header row",
        "map_": "FIELD=COLUMN, e.g. contact.phone=Tel (repeatable): which column fills a profile field",
        "category": "put every row in this category (a key of partners/_categories.yaml)",
        "area": "the area of rows that name none",
        "dry_run": "print the summary; write nothing",
    },
)
def import_(c, file, map_=None, category="", area="", dry_run=False):
    """Spreadsheet rows become pending profiles: cleaned, deduplicated, never overwriting."""
    _run("import_file", file=file, maps=map_, category=category, area=area, dry_run=dry_run)


@task
def schema(c):
    """Regenerate schema/partner.schema.json from the profile model."""
    _run("schema")


@task(help={"quick": "leave out the slow tests (browser, servers, chaos, bench, the wheel, big sends)"})
def test(c, quick=False):
    """Run the whole test suite (ruff, then pytest on both cores)."""
    c.run("ruff check .", pty=False)
    c.run("ruff format --check .", pty=False)
    # Compiled modules and pytest's rewritten tests kept in .cache/pycache, even where the environment sets
    # PYTHONDONTWRITEBYTECODE: otherwise each of the suite's processes compiles every module again.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(__file__).resolve().parent / ".cache" / "pycache")
    pytest = f"{sys.executable} -m pytest -n 2 --dist worksteal" + (' -m "not slow"' if quick else "")
    c.run(pytest, pty=False, env=env, replace_env=True)


class _DueFlag(Argument):
    """--due, which fills the issue's slug with "" when it is given (it travels with the parser's copies)."""

    slug: Argument

    def set_value(self, value: Any, cast: bool = True) -> None:
        super().set_value(value, cast)
        if self.slug.value is None:
            self.slug.set_value("", cast=False)


class _SendTask(Task):
    """``invoke send <slug>`` or ``invoke send --due``: Invoke has no optional positional argument."""

    def get_arguments(self, ignore_unknown_help: bool | None = None) -> list[Argument]:
        arguments = super().get_arguments(ignore_unknown_help)
        due = next(a for a in arguments if a.name == "due")
        due.__class__ = _DueFlag
        due.slug = next(a for a in arguments if a.name == "slug")
        return arguments


@task(
    klass=_SendTask,
    help={
        "slug": "the issue: content/newsletter/<slug>.md (or welcome/NN-slug with --to)",
        "due": "send whatever is due today (issues of the last NEWSLETTER_DUE_DAYS, welcome steps): the cron line",
        "dry_run": "show what would be sent; send nothing",
        "to": "send one test copy to this address only (recorded nowhere; drafts and TODOs allowed, with warnings)",
        "yes": "do not ask for confirmation",
        "retry_unknown": "send again to recipients whose earlier answer was lost",
        "again": "send an issue renamed after it went out to everyone again",
    },
)
def send(c, slug, dry_run=False, to="", yes=False, retry_unknown=False, due=False, again=False):
    """Send an issue to every subscriber, exactly once each, through SMTP_* settings; --due: whatever is due."""
    _run("send", slug=slug, due=due, dry_run=dry_run, to=to, yes=yes, retry_unknown=retry_unknown, again=again)


@task(help={"email": "the address to suppress"})
def unsubscribe(c, email):
    """Add an address to NEWSLETTER_SUPPRESSIONS: it is never sent to again."""
    _run("unsubscribe", email=email)


@task
def newsletter(c):
    """Draft the next issue in content/newsletter/, its computed digest shown as a comment."""
    _run("newsletter")


@task(
    help={
        "partners": "partners in the synthetic network (default 10000)",
        "articles": "articles (default 1000; scaled with --sizes)",
        "issues": "newsletter issues (default 24)",
        "sizes": "comma list of network sizes for the scaling curve, e.g. 1000,5000,10000",
        "json": "where to write the results (default bench/results/latest.json)",
    }
)
def bench(c, partners=10000, articles=1000, issues=24, sizes="", json="bench/results/latest.json"):
    """Benchmark our build beside a plain Pelican build of the same pages."""
    from bench.run import main

    chosen = [int(s) for s in sizes.split(",") if s.strip()] or [int(partners)]
    main(chosen, int(articles), int(issues), ROOT / json if json else None)


@task(
    help={
        "folder": "where the PNGs go (default: screenshots/)",
        "query": "the word searched in the search-results shot (default: the first partner's trade)",
        "no_build": "photograph output/ as it is, without building first",
    }
)
def screenshots(c, folder="screenshots", query="", no_build=False):
    """Phone and desktop, light and dark screenshots of each page type, for reviewers."""
    _run("screenshots", folder=folder, query=query, no_build=no_build)


@task(help={"port": "port on localhost (default 8000)", "host": "address to listen on (default 127.0.0.1)"})
def serve(c, port=8000, host="127.0.0.1"):
    """Build and serve a preview on localhost; rebuild and reload the browser on every change."""
    _run("serve", host=host, port=int(port))


@task(
    help={
        "slug": "the partner to introduce",
        "to": '"Name <email>" of the person who needs them',
        "note": "why they should talk (shown to both)",
        "dry_run": "print the e-mail; send and record nothing",
        "again": "send even if the same two were introduced within the follow-up period",
    }
)
def introduce(c, slug, to, note="", dry_run=False, again=False):
    """Introduce someone to a partner: one e-mail to both, recorded for follow-up."""
    _run("introduce", slug=slug, to=to, note=note, dry_run=dry_run, again=again)


@task(name="follow-ups")
def follow_ups(c):
    """Introductions due (or overdue) for a follow-up."""
    _run("follow_ups")


@task(
    help={
        "ident": "the introduction's number (invoke follow-ups shows it)",
        "result": "won, lost or no-contact",
        "value": "the work's value, e.g. 1200 or 1,200.50",
        "change": "replace an outcome recorded before",
    }
)
def outcome(c, ident, result, value="", change=False):
    """Record how an introduction ended."""
    _run("outcome", ident=ident, result=result, value=value, change=change)


@task(help={"csv": "also write the summary as CSV to this file (e.g. private/referrals.csv)"})
def referrals(c, csv=""):
    """Introductions and outcomes per partner (private: never written to output/)."""
    _run("referrals", csv=csv)


@task(name="smtp-check")
def smtp_check(c):
    """Connect with the SMTP_* settings: what the server offers, whether login works; sends nothing."""
    _run("smtp_check")


@task(help={"dry_run": "print the summary; change nothing (no flags, no moves, no mail, no list changes)"})
def inbox(c, dry_run=False):
    """Subscribe requests (double opt-in), unsubscribes and bounces from the newsletter's IMAP mailbox."""
    _run("inbox", dry_run=dry_run)
