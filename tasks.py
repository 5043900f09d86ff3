"""The editor's commands: ``invoke --list`` shows them all."""

from __future__ import annotations

import io
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TextIO

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
if hasattr(signal, "SIGPIPE"):  # `invoke check | head` ends quietly, like any Unix tool
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def _fail_with(problems: list, consequence: str, code: int = 1) -> None:
    from vouch.humanize import counted
    from vouch.problems import relative_to

    for problem in problems:
        print(relative_to(problem, ROOT), file=sys.stderr)
    raise Exit(f"vouch: {counted(len(problems), 'problem')}{consequence}", code=code)


class _Escaping(io.TextIOBase):
    """A stream that writes a file's control characters as escapes: an escape sequence could repaint the terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        from vouch.controls import printable

        self.stream.write(printable(text, keep="\n"))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


@contextmanager
def _terminal_safe() -> Iterator[None]:
    with redirect_stdout(_Escaping(sys.stdout)), redirect_stderr(_Escaping(sys.stderr)):
        yield


def _verbosity(verbose: bool) -> None:
    import logging

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    logging.getLogger("pelican").setLevel(logging.WARNING)  # -v is for Vouch's own detail, not every file written


@task(
    help={
        "output": "folder to build into (default: output/): new, empty, or one Vouch built",
        "verbose": "say more (withheld items, counts)",
        "keep_going": "leave out each invalid profile or content file, build the rest, exit 2 (the daily cron build)",
    }
)
def build(c, output="", verbose=False, keep_going=False):
    """Validate everything, then build the site into output/ (atomically)."""
    _verbosity(verbose)
    from vouch.outputs import Refused
    from vouch.problems import ValidationFailed
    from vouch_site.build import build as run_build
    from vouch_site.progress import build_progress

    try:
        with build_progress() as progress:
            result = run_build(ROOT, Path(output) if output else None, progress=progress, keep_going=keep_going)
    except ValidationFailed as failed:
        if keep_going:
            print("vouch: --keep-going leaves out invalid profiles and content files only: ", end="", file=sys.stderr)
            print("settings and registries must be valid", file=sys.stderr)
        _fail_with(failed.problems, "; nothing was written, output/ is unchanged")
    except Refused as refused:
        raise Exit(f"vouch: {refused}; nothing was built, output/ is unchanged", code=1) from None
    with _terminal_safe():
        print(result.summary())
    if result.report.problems:  # only with --keep-going: the files named were left out
        _fail_with(result.report.problems, "; the files named were left out, everything else was built", code=2)


@task
def check(c):
    """Validate only; list partners by state, reviews due within 30 days, lapses."""
    with _terminal_safe():  # it prints names and paths from every file
        _check()


def _check() -> None:
    from vouch.controls import printable
    from vouch.problems import ValidationFailed
    from vouch.report import roster_report
    from vouch_site.build import check_only

    def name(path: Path) -> str:
        """A path as the editor types it, one line whatever the name holds (the output keeps its line breaks)."""
        return printable(str(path.relative_to(ROOT)))

    try:
        report = check_only(ROOT)
    except ValidationFailed as failed:  # a wrong setting: nothing else can be read until it is fixed
        _fail_with(failed.problems, "")
    print(roster_report(report.roster, report.today))
    invalid = sorted({printable(p.path.name) for p in report.problems if p.path.parent.name == "partners"})
    if invalid:
        print(f"\ninvalid (not counted above until fixed): {', '.join(invalid)}")
    for path in report.editor_files:
        print(f"skipped (editor temporary file): {name(path)}")
    for slug, slugs in sorted(report.withheld_partners.items()):
        print(f"withheld: partners/{slug}.yaml (its description names unpublished {', '.join(slugs)})")
    selection = report.content
    for path, slugs in sorted(selection.withheld.items()):
        print(f"withheld: {name(path)} (names unpublished {', '.join(slugs)})")
    for path, targets in sorted(selection.linking.items()):
        links = ", ".join(name(target) for target in targets)
        print(f"withheld: {name(path)} (links {links}, not published)")
    for item in selection.scheduled:
        print(f"scheduled: {name(item.path)} (published on {item.date})")
    for path in report.files.unlinked:
        print(f"not published: {name(path)} (no published item or partner links it)")
    for path in report.files.temporary:
        print(f"skipped: {name(path)} (an editor's temporary file)")
    from vouch.publication import due_soon

    due = {e.slug: e.review_by for e in due_soon(report.roster, report.today)}
    for item in selection.shown:
        named = [slug for slug in item.partners if slug in due]
        if named:
            reviews = ", ".join(f"{slug} (review by {due[slug]})" for slug in named)
            print(f"features a partner due for review: {name(item.path)}: {reviews}")
    _warn_if_schema_is_stale()
    if report.problems:
        print(file=sys.stderr)
        _fail_with(report.problems, "")


def _warn_if_schema_is_stale() -> None:
    from vouch.schema import SCHEMA_PATH, site_schema

    target = ROOT / SCHEMA_PATH
    if not target.exists() or target.read_text(encoding="utf-8") != site_schema(ROOT):
        print(f"note: {SCHEMA_PATH} does not list the current categories and checks: run invoke schema")


@task(
    help={
        "name": "the business name, e.g. 'Harbour Plumbing & Heating'",
        "category": "a key of partners/_categories.yaml (default: the first one)",
        "email": "contact e-mail (optional)",
        "phone": "contact phone (optional)",
    }
)
def new_partner(c, name, category="", email="", phone=""):
    """Scaffold partners/<slug>.yaml with status: pending."""
    from vouch.scaffold import new_profile
    from vouch.schema import registry_keys
    from vouch.slugs import slugify

    categories, _ = registry_keys(ROOT / "partners")
    if not categories:
        raise Exit("vouch: partners/_categories.yaml defines no category (or cannot be read: invoke check says why)", 2)
    category = category or categories[0]
    if category not in categories:
        raise Exit(f"vouch: --category must be one of: {', '.join(categories)}", code=2)
    from pydantic import ValidationError

    from vouch.messages import from_pydantic
    from vouch.model import Contact
    from vouch.publication import today
    from vouch_site.config import load_settings

    settings = load_settings(ROOT)
    contact = {k: v for k, v in (("email", email), ("phone", phone)) if v}
    try:
        Contact.model_validate(contact, context={"phone_region": settings["PHONE_REGION"]})
    except ValidationError as exc:
        messages = [f"--{e['loc'][0]}: {from_pydantic(e, None, ())}" for e in exc.errors()]
        raise Exit("vouch: " + "; ".join(messages), code=2) from None
    slug = slugify(name)
    target = ROOT / "partners" / f"{slug}.yaml"
    if not slug:
        raise Exit("vouch: the name needs at least one letter or digit", code=2)
    if target.exists():
        raise Exit(f"vouch: {target.relative_to(ROOT)} already exists", code=2)
    with _refused():
        on = today(settings["TIMEZONE"])
    text = new_profile(name, category, email, phone, on, categories)
    target.write_text(text, encoding="utf-8")
    print(f"created {target.relative_to(ROOT)} (status: pending); fill it in, then run: invoke check")


@task
def schema(c):
    """Regenerate schema/partner.schema.json from the profile model."""
    from vouch.schema import SCHEMA_PATH, site_schema

    target = ROOT / SCHEMA_PATH
    target.parent.mkdir(exist_ok=True)
    target.write_text(site_schema(ROOT), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")


@task(help={"quick": "leave out the slow tests (browser, servers, chaos, bench, the wheel, big sends)"})
def test(c, quick=False):
    """Run the whole test suite (ruff, then pytest on both cores)."""
    c.run("ruff check .", pty=False)
    c.run("ruff format --check .", pty=False)
    c.run(f"{sys.executable} -m pytest -n 2" + (' -m "not slow"' if quick else ""), pty=False)


@contextmanager
def _refused(prefix: str = "") -> Iterator[None]:
    """A ValueError from the domain (bad input, bad environment) becomes a one-line refusal, not a traceback."""
    try:
        yield
    except ValueError as exc:
        raise Exit(f"vouch: {prefix}{exc}", code=2) from None


def _smtp():
    """SMTP settings from the environment, or a one-line error."""
    from vouch.newsletter.sender import SmtpSettings

    with _refused():
        return SmtpSettings.from_env()


def _validated(consequence: str):
    """Settings, the public site and the editor's report; exits listing every problem if any."""
    from vouch.problems import ValidationFailed
    from vouch_site.build import validate
    from vouch_site.config import load_settings

    settings = load_settings(ROOT)
    try:
        site, report = validate(ROOT, settings)
    except ValidationFailed as failed:
        _fail_with(failed.problems, consequence)
    return settings, site, report


def _newsletter(slug: str):
    """Settings, the validated site and the rendered issue ``slug`` (exits on any problem)."""
    from vouch_site.mailout import prepare_newsletter

    settings, site, report = _validated("; fix them before sending")
    withheld = {p.stem: slugs for p, slugs in report.content.withheld.items() if p.parent.name == "newsletter"}
    if slug in withheld:
        raise Exit(f"vouch: {slug} names unpublished {', '.join(withheld[slug])}: it is withheld", code=1)
    linking = {p.stem: targets for p, targets in report.content.linking.items() if p.parent.name == "newsletter"}
    if slug in linking:
        from vouch.controls import printable

        links = ", ".join(printable(str(target.relative_to(ROOT))) for target in linking[slug])
        raise Exit(f"vouch: {slug} links {links}, not published: it is withheld", code=1)
    newsletter = prepare_newsletter(site, report, settings)
    if slug not in newsletter.rendered:
        known = ", ".join(v.slug for v in newsletter.views) or "none"
        raise Exit(f"vouch: no newsletter issue {slug!r} (issues: {known})", code=2)
    return settings, newsletter


@task(
    help={
        "slug": "the issue: content/newsletter/<slug>.md",
        "dry_run": "show what would be sent; send nothing",
        "to": "send one test copy to this address only (recorded nowhere; drafts allowed)",
        "yes": "do not ask for confirmation",
        "retry_unknown": "send again to recipients whose earlier answer was lost",
    }
)
def send(c, slug, dry_run=False, to="", yes=False, retry_unknown=False):
    """Send an issue to every subscriber, exactly once each, through SMTP_* settings."""
    from vouch.humanize import counted
    from vouch.newsletter.ledger import Ledger
    from vouch.newsletter.sender import Policy, SendAborted, send_issue
    from vouch.newsletter.subscribers import Subscriber, one_address, recipients
    from vouch.problems import relative_to
    from vouch_site.mailout import Paths, envelope_sender, personal_message
    from vouch_site.progress import progress_bar

    if to:
        with _refused("--to: "):
            name, address = one_address(to)
        test_copy = Subscriber(address, name)
    settings, newsletter = _newsletter(slug)
    rendered = newsletter.rendered[slug]
    findings = [f for f in newsletter.findings[slug] if not (to and f.check == "status")]
    if findings:
        for finding in findings:
            print(f"{slug}: {finding}", file=sys.stderr)
        raise Exit(f"vouch: {slug} fails {len(findings)} pre-send check(s); nothing was sent", code=1)
    paths = Paths.from_env(ROOT)
    if to:
        subscribers, skipped, ledger = [test_copy], [], Ledger(None)
    else:
        if not paths.subscribers.exists():
            raise Exit(f"vouch: no subscriber list at {paths.subscribers} (CSV with header email,name)", code=2)
        with _refused():
            subscribers, skipped = recipients(paths.subscribers, paths.suppressions)
        ledger = Ledger(paths.ledger)
    for problem in skipped:
        print(relative_to(problem, ROOT), file=sys.stderr)
    smtp = _smtp()
    done = ledger.sent_to(slug, [s.address for s in subscribers])
    bad = f"; {counted(len(skipped), 'bad row')} skipped (listed above)" if skipped else ""
    print(f"{slug}: {rendered.subject!r} to {counted(len(subscribers), 'recipient')} ({done} already sent){bad}")
    if dry_run:
        print("dry run: nothing sent")
        return
    if retry_unknown:
        print(f"re-queued {ledger.retry_unknown(slug)} recipients whose answer was lost")
    if sys.stdin.isatty() and not yes:
        answer = input("Send now? [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            raise Exit("vouch: not sent", code=1)
    policy = Policy(retry_delay=float(os.environ.get("SMTP_RETRY_DELAY", "2")))
    try:
        with progress_bar("sending", len(subscribers)) as advance:
            report = send_issue(
                slug,
                subscribers,
                lambda s: personal_message(rendered, settings, s, test=bool(to)),
                ledger,
                smtp,
                envelope_sender(settings),
                policy=policy,
                progress=advance,
            )
    except SendAborted as aborted:
        again = "send the test copy again" if to else "run the same command again to resume"
        raise Exit(f"vouch: {aborted}; {again}", code=3) from None
    print(f"sent {report.sent}, already sent before {report.already_sent}, failed {len(report.failed)}")
    for delivery in report.failed:
        print(f"failed: {delivery.address}: {delivery.code} {delivery.response}")
    for delivery in report.unknown:
        print(f"unknown: {delivery.address}: the server's answer was lost; check its log before --retry-unknown")
    for delivery in report.needs_smtputf8:
        print(f"not sent: {delivery.address}: the SMTP server does not offer SMTPUTF8, which an internationalised "
              "address needs; it stays queued for a run through a server that does")  # fmt: skip
    if report.unknown:
        raise Exit(code=3)
    if report.needs_smtputf8:
        raise Exit(code=1)


@task(help={"email": "the address to suppress"})
def unsubscribe(c, email):
    """Add an address to NEWSLETTER_SUPPRESSIONS: it is never sent to again."""
    from vouch.newsletter.subscribers import add_suppression
    from vouch_site.mailout import Paths

    path = Paths.from_env(ROOT).suppressions
    with _refused():
        added = add_suppression(path, email)
    print(f"{email.strip().lower()} {'added to' if added else 'already in'} {path.relative_to(ROOT)}")


@task
def newsletter(c):
    """Draft the next issue in content/newsletter/, its computed digest shown as a comment."""
    import datetime as dt

    from vouch.newsletter.issue import digest_articles, digest_on, draft_text, published_issue_dates

    settings, site, report = _validated("")
    on = report.today
    pending = [i for i in report.content.drafts if i.kind == "newsletter" and (i.date is None or i.date >= on)]
    if pending:
        draft = pending[0]
        raise Exit(
            f"vouch: {draft.path.relative_to(ROOT)} is already the next issue (a draft dated {draft.date}): "
            "edit it, or publish or delete it before drafting another",
            code=1,
        )
    published = published_issue_dates(report.content)
    date = max(on, max(published, default=on) + dt.timedelta(days=settings["NEWSLETTER_CADENCE_DAYS"]))
    found = digest_on(date, published, digest_articles(report.content.shown), site.partners, settings)
    folder = ROOT / "content" / "newsletter"
    folder.mkdir(parents=True, exist_ok=True)
    slug = f"{date:%B-%Y}".lower()
    target = folder / f"{slug}.md"
    suffix = 2
    while target.exists():
        target = folder / f"{slug}-{suffix}.md"
        suffix += 1
    target.write_text(draft_text(date, found, settings["SITEURL"]), encoding="utf-8")
    print(f"created {target.relative_to(ROOT)} (draft, dated {date}); preview after `invoke build` in mail/")


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


@task(help={"port": "port on localhost (default 8000)", "host": "address to listen on (default 127.0.0.1)"})
def serve(c, port=8000, host="127.0.0.1"):
    """Build and serve a preview on localhost; rebuild and reload the browser on every change."""
    import errno

    from vouch_site.serve import serve as run_serve

    try:
        run_serve(ROOT, host, int(port))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        hint = f"another invoke serve?); try --port {int(port) + 1}"
        raise Exit(f"vouch: {host}:{port} is already in use ({hint}", code=2) from None


def _today():
    """Today in the site's time zone (SOURCE_DATE_EPOCH honoured), for commands that validate nothing."""
    from vouch.publication import today
    from vouch_site.config import load_settings

    with _refused():
        return today(load_settings(ROOT)["TIMEZONE"])


def _referrals():
    from vouch.referrals.ledger import ReferralLedger

    return ReferralLedger(ROOT / os.environ.get("REFERRALS_LEDGER", "private/referrals.sqlite"))


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
    import datetime as dt
    import smtplib

    from vouch.referrals.introduction import Client, compose

    settings, site, report = _validated("; fix them first")
    partner = next((p for p in site.partners if p.slug == slug), None)
    if partner is None:
        state = next((e.state for e in report.roster if e.slug == slug), None)
        why = f"it is {state}" if state else "there is no such profile"
        raise Exit(f"vouch: cannot introduce {slug}: only published partners are introduced ({why})", code=1)
    if partner.contact is None or not partner.contact.email:
        raise Exit(f"vouch: cannot introduce {slug}: the profile has no contact.email", code=1)
    with _refused("--to: "):
        client = Client.parse(to)
    on = report.today
    ledger = _referrals()
    earlier = ledger.recent(slug, client.email, on)
    if earlier and not again:
        print(
            f"warning: {client.email} was introduced to {slug} on {earlier.sent_on} (#{earlier.id}); "
            f"follow-up due {earlier.follow_up_on}. Nothing sent; use --again to send anyway.",
            file=sys.stderr,
        )
        return
    connector = settings["INTRODUCTIONS_EMAIL"] or settings["NEWSLETTER_FROM"]
    url = f"{settings['SITEURL']}/partners/{slug}/"
    follow_up = on + dt.timedelta(days=settings["REFERRAL_FOLLOW_UP_DAYS"])
    message = compose(partner, client, note, connector, url, settings["SITENAME"], follow_up)
    if dry_run:
        for header in ("From", "To", "Cc", "Reply-To", "Subject"):
            if message[header]:
                print(f"{header}: {message[header]}")
        print()
        print(message.get_body(("plain",)).get_content())
        print("dry run: nothing sent, nothing recorded")
        return
    smtp = _smtp()
    try:
        with smtp.connect() as conn:
            conn.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise Exit(f"vouch: could not send through {smtp.host}:{smtp.port}: {exc}; nothing recorded", code=3) from None
    ident = ledger.record(slug, partner.name, client.name, client.email, note, on, follow_up)
    print(f"introduced {client.name} to {partner.name} (#{ident}); follow up on {follow_up}")


@task(name="follow-ups")
def follow_ups(c):
    """Introductions due (or overdue) for a follow-up."""
    from vouch.report import table

    on = _today()
    due = _referrals().due(on)
    if not due:
        print(f"no follow-ups due on {on}")
        return
    rows = [(str(i.id), str(i.follow_up_on), f"{(on - i.follow_up_on).days}", i.partner, i.client_name, i.client_email)
            for i in due]  # fmt: skip
    print(table(rows, ("id", "due", "days late", "partner", "client", "e-mail")))
    print("record the result with: invoke outcome <id> won|lost|no-contact [--value N]")


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
    from vouch.referrals.ledger import OUTCOMES, parse_value

    if not ident.lstrip("#").isdigit():
        raise Exit(f"vouch: expected an introduction number such as 3; got {ident!r}", code=2)
    number = int(ident.lstrip("#"))
    if result not in OUTCOMES:
        raise Exit(f"vouch: result must be one of {', '.join(OUTCOMES)}; got {result!r}", code=2)
    with _refused("--value: "):
        amount = parse_value(value) if value else None
    ledger = _referrals()
    intro = ledger.get(number)
    if intro is None:
        raise Exit(f"vouch: no introduction #{number}", code=2)
    if intro.outcome is not None and not change:
        before = intro.outcome + (f" ({intro.value:g})" if intro.value is not None else "")
        raise Exit(f"vouch: #{number} is already recorded as {before}; add --change to replace it", code=1)
    ledger.close_with(number, result, amount, _today())
    worth = f" ({amount:g})" if amount is not None else ""
    print(f"#{number} {intro.client_name} -> {intro.partner_name}: {result}{worth}")


@task(help={"csv": "also write the summary as CSV to this file (e.g. private/referrals.csv)"})
def referrals(c, csv=""):
    """Introductions and outcomes per partner (private: never written to output/)."""
    import csv as csv_module

    from vouch.report import table

    rows = []
    for s in _referrals().summary():
        rate = "-" if s.conversion is None else f"{s.conversion:.0%}"
        rows.append((s.partner, str(s.introductions), str(s.won), str(s.lost), str(s.no_contact), str(s.open),
                     f"{s.value:.2f}", rate))  # fmt: skip
    header = ("partner", "introductions", "won", "lost", "no contact", "open", "value", "won of closed")
    print(table(rows, header) if rows else "no introductions yet")
    if csv:
        target = ROOT / csv
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv_module.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        print(f"wrote {csv}")
