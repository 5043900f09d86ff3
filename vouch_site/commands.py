"""The editor's commands, callable in-process: ``tasks.py`` only parses options and calls these.

Each command prints what the editor reads and raises ``CommandFailed`` (a
one-line message and an exit code) where the command line must end non-zero;
a test calls them directly, without starting a process.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import smtplib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, NoReturn, TextIO

from vouch.controls import printable
from vouch.problems import Problem, ValidationFailed, relative_to
from vouch.render.humanize import counted
from vouch.settings import VouchSettings
from vouch.site import EditorReport, PublicSite
from vouch_site.config import load_settings


class CommandFailed(Exception):
    """The command ends with ``code``; ``message`` (may be empty) is its last line on stderr."""

    def __init__(self, message: str = "", code: int = 1) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def fail_with(problems: list[Problem], consequence: str, root: Path, code: int = 1) -> NoReturn:
    """Every problem on stderr, then one line counting them."""
    for problem in problems:
        print(relative_to(problem, root), file=sys.stderr)
    raise CommandFailed(f"vouch: {counted(len(problems), 'problem')}{consequence}", code)


class _Escaping(io.TextIOBase):
    """A stream that writes a file's control characters as escapes: an escape sequence could repaint the terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(printable(text, keep="\n"))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


@contextmanager
def terminal_safe() -> Iterator[None]:
    with redirect_stdout(_Escaping(sys.stdout)), redirect_stderr(_Escaping(sys.stderr)):
        yield


@contextmanager
def refused(prefix: str = "") -> Iterator[None]:
    """A ValueError from the domain (bad input, bad environment) becomes a one-line refusal, not a traceback."""
    try:
        yield
    except ValueError as exc:
        raise CommandFailed(f"vouch: {prefix}{exc}", 2) from None


def verbosity(verbose: bool) -> None:
    import logging

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    logging.getLogger("pelican").setLevel(logging.WARNING)  # -v is for Vouch's own detail, not every file written


def build(root: Path, output: str = "", verbose: bool = False, keep_going: bool = False) -> None:
    """Validate everything, then build the site into output/ (atomically)."""
    verbosity(verbose)
    from vouch.writer.outputs import Refused
    from vouch_site.build import build as run_build
    from vouch_site.progress import build_progress

    try:
        with build_progress() as progress:
            result = run_build(root, Path(output) if output else None, progress=progress, keep_going=keep_going)
    except ValidationFailed as failed:
        if keep_going:
            print("vouch: --keep-going leaves out invalid profiles and content files only: ", end="", file=sys.stderr)
            print("settings and registries must be valid", file=sys.stderr)
        fail_with(failed.problems, "; nothing was written, output/ is unchanged", root)
    except Refused as refusal:
        raise CommandFailed(f"vouch: {refusal}; nothing was built, output/ is unchanged") from None
    with terminal_safe():
        print(result.summary())
    if result.report.problems:  # only with --keep-going: the files named were left out
        fail_with(result.report.problems, "; the files named were left out, everything else was built", root, 2)


def check(root: Path) -> None:
    """Validate only; list partners by state, reviews due within 30 days, lapses."""
    from vouch.report import editor_notes, roster_report
    from vouch_site.build import validate_only

    with terminal_safe():  # it prints names and paths from every file
        try:
            report = validate_only(root)
        except ValidationFailed as failed:  # a wrong setting: nothing else can be read until it is fixed
            fail_with(failed.problems, "", root)
        print(roster_report(report.roster, report.today))
        for line in editor_notes(report, root):
            print(line)
        _warn_if_schema_is_stale(root)
        if report.problems:
            print(file=sys.stderr)
            fail_with(report.problems, "", root)


def _warn_if_schema_is_stale(root: Path) -> None:
    from vouch.schema import SCHEMA_PATH, site_schema

    target = root / SCHEMA_PATH
    if not target.exists() or target.read_text(encoding="utf-8") != site_schema(root):
        print(f"note: {SCHEMA_PATH} does not list the current categories and checks: run invoke schema")


def new_partner(root: Path, name: str, category: str = "", email: str = "", phone: str = "") -> None:
    """Scaffold partners/<slug>.yaml with status: pending."""
    from pydantic import ValidationError

    from vouch.messages import from_pydantic
    from vouch.model import Contact
    from vouch.publication import today
    from vouch.scaffold import new_profile
    from vouch.schema import registry_keys
    from vouch.slugs import slugify

    categories, _ = registry_keys(root / "partners")
    if not categories:
        why = "defines no category (or cannot be read: invoke check says why)"
        raise CommandFailed(f"vouch: partners/_categories.yaml {why}", 2)
    category = category or categories[0]
    if category not in categories:
        raise CommandFailed(f"vouch: --category must be one of: {', '.join(categories)}", 2)
    settings = VouchSettings.of(load_settings(root))
    contact = {k: v for k, v in (("email", email), ("phone", phone)) if v}
    try:
        Contact.model_validate(contact, context={"phone_region": settings.phone_region})
    except ValidationError as exc:
        messages = [f"--{e['loc'][0]}: {from_pydantic(e, None, ())}" for e in exc.errors()]
        raise CommandFailed("vouch: " + "; ".join(messages), 2) from None
    slug = slugify(name)
    target = root / "partners" / f"{slug}.yaml"
    if not slug:
        raise CommandFailed("vouch: the name needs at least one letter or digit", 2)
    if target.exists():
        raise CommandFailed(f"vouch: {target.relative_to(root)} already exists", 2)
    with refused():
        on = today(settings.timezone)
    target.write_text(new_profile(name, category, email, phone, on, categories), encoding="utf-8")
    print(f"created {target.relative_to(root)} (status: pending); fill it in, then run: invoke check")


def schema(root: Path) -> None:
    """Regenerate schema/partner.schema.json from the profile model."""
    from vouch.schema import SCHEMA_PATH, site_schema

    target = root / SCHEMA_PATH
    target.parent.mkdir(exist_ok=True)
    target.write_text(site_schema(root), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")


def validated(root: Path, consequence: str) -> tuple[dict[str, Any], PublicSite, EditorReport]:
    """Settings, the public site and the editor's report; fails listing every problem if any."""
    from vouch_site.build import validate

    settings = load_settings(root)
    try:
        site, report = validate(root, settings)
    except ValidationFailed as failed:
        fail_with(failed.problems, consequence, root)
    return settings, site, report


def newsletter(root: Path) -> None:
    """Draft the next issue in content/newsletter/, its computed digest shown as a comment."""
    from vouch.newsletter.issue import digest_articles, digest_on, draft_text, new_issue_path, published_issue_dates

    settings, site, report = validated(root, "")
    typed, on = VouchSettings.of(settings), report.today
    pending = [i for i in report.content.drafts if i.kind == "newsletter" and (i.date is None or i.date >= on)]
    if pending:
        draft = pending[0]
        raise CommandFailed(
            f"vouch: {draft.path.relative_to(root)} is already the next issue (a draft dated {draft.date}): "
            "edit it, or publish or delete it before drafting another"
        )
    published = published_issue_dates(report.content)
    date = max(on, max(published, default=on) + dt.timedelta(days=typed.newsletter_cadence_days))
    found = digest_on(date, published, digest_articles(report.content.shown), site.partners, typed)
    target = new_issue_path(root / "content" / "newsletter", date)
    target.write_text(draft_text(date, found, typed.siteurl), encoding="utf-8")
    print(f"created {target.relative_to(root)} (draft, dated {date}); preview after `invoke build` in mail/")


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Build and serve a preview on localhost; rebuild and reload the browser on every change."""
    from vouch_site.serve import serve as run_serve

    try:
        run_serve(root, host, port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        hint = f"another invoke serve?); try --port {port + 1}"
        raise CommandFailed(f"vouch: {host}:{port} is already in use ({hint}", 2) from None


def introduce(root: Path, slug: str, to: str, note: str = "", dry_run: bool = False, again: bool = False) -> None:
    """Introduce someone to a partner: one e-mail to both, recorded for follow-up."""
    from vouch.mailing.introduction import Client, compose
    from vouch_site.mailout import Paths

    settings, site, report = validated(root, "; fix them first")
    partner = next((p for p in site.partners if p.slug == slug), None)
    if partner is None:
        state = next((e.state for e in report.roster if e.slug == slug), None)
        why = f"it is {state}" if state else "there is no such profile"
        raise CommandFailed(f"vouch: cannot introduce {slug}: only published partners are introduced ({why})")
    if partner.contact is None or not partner.contact.email:
        raise CommandFailed(f"vouch: cannot introduce {slug}: the profile has no contact.email")
    with refused("--to: "):
        client = Client.parse(to)
    on, typed = report.today, VouchSettings.of(settings)
    ledger = Paths.from_env(root).referral_ledger()
    earlier = ledger.recent(slug, client.email, on)
    if earlier and not again:
        print(
            f"warning: {client.email} was introduced to {slug} on {earlier.sent_on} (#{earlier.id}); "
            f"follow-up due {earlier.follow_up_on}. Nothing sent; use --again to send anyway.",
            file=sys.stderr,
        )
        return
    connector = typed.introductions_email or typed.newsletter_from
    follow_up = on + dt.timedelta(days=typed.referral_follow_up_days)
    message = compose(partner, client, note, connector, f"{typed.siteurl}/partners/{slug}/", typed.sitename, follow_up)
    if dry_run:
        for header in ("From", "To", "Cc", "Reply-To", "Subject"):
            if message[header]:
                print(f"{header}: {message[header]}")
        print()
        print(message.get_body(("plain",)).get_content())
        print("dry run: nothing sent, nothing recorded")
        return
    smtp = smtp_settings()
    try:
        with smtp.connect() as conn:
            conn.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        where = f"{smtp.host}:{smtp.port}"
        raise CommandFailed(f"vouch: could not send through {where}: {exc}; nothing recorded", 3) from None
    ident = ledger.record(slug, partner.name, client.name, client.email, note, on, follow_up)
    print(f"introduced {client.name} to {partner.name} (#{ident}); follow up on {follow_up}")


def smtp_settings() -> Any:
    """SMTP settings from the environment, or a one-line refusal."""
    from vouch.mailing.sender import SmtpSettings

    with refused():
        return SmtpSettings.from_env()


def today_of(root: Path) -> dt.date:
    """Today in the site's time zone (SOURCE_DATE_EPOCH honoured), for commands that validate nothing."""
    from vouch.publication import today

    with refused():
        return today(VouchSettings.of(load_settings(root)).timezone)


def follow_ups(root: Path) -> None:
    """Introductions due (or overdue) for a follow-up."""
    from vouch.report import table
    from vouch_site.mailout import Paths

    on = today_of(root)
    due = Paths.from_env(root).referral_ledger().due(on)
    if not due:
        print(f"no follow-ups due on {on}")
        return
    rows = [(str(i.id), str(i.follow_up_on), f"{(on - i.follow_up_on).days}", i.partner, i.client_name, i.client_email)
            for i in due]  # fmt: skip
    print(table(rows, ("id", "due", "days late", "partner", "client", "e-mail")))
    print("record the result with: invoke outcome <id> won|lost|no-contact [--value N]")


def outcome(root: Path, ident: str, result: str, value: str = "", change: bool = False) -> None:
    """Record how an introduction ended."""
    from vouch.mailing.referral_ledger import OUTCOMES, parse_value
    from vouch_site.mailout import Paths

    if not ident.lstrip("#").isdigit():
        raise CommandFailed(f"vouch: expected an introduction number such as 3; got {ident!r}", 2)
    number = int(ident.lstrip("#"))
    if result not in OUTCOMES:
        raise CommandFailed(f"vouch: result must be one of {', '.join(OUTCOMES)}; got {result!r}", 2)
    with refused("--value: "):
        amount = parse_value(value) if value else None
    ledger = Paths.from_env(root).referral_ledger()
    intro = ledger.get(number)
    if intro is None:
        raise CommandFailed(f"vouch: no introduction #{number}", 2)
    if intro.outcome is not None and not change:
        before = intro.outcome + (f" ({intro.value:g})" if intro.value is not None else "")
        raise CommandFailed(f"vouch: #{number} is already recorded as {before}; add --change to replace it")
    ledger.close_with(number, result, amount, today_of(root))
    worth = f" ({amount:g})" if amount is not None else ""
    print(f"#{number} {intro.client_name} -> {intro.partner_name}: {result}{worth}")


def referrals(root: Path, csv: str = "") -> None:
    """Introductions and outcomes per partner (private: never written to output/)."""
    from vouch.report import referral_rows, table, write_csv
    from vouch_site.mailout import Paths

    header, rows = referral_rows(Paths.from_env(root).referral_ledger().summary())
    print(table(rows, header) if rows else "no introductions yet")
    if csv:
        write_csv(root / csv, header, rows)
        print(f"wrote {csv}")


def exit_code_of(call: Callable[[], None]) -> tuple[int, str]:
    """Run a command; its exit code and final message, as the command line would end (for tests)."""
    try:
        call()
    except CommandFailed as failed:
        return failed.code, failed.message
    return 0, ""


def send(
    root: Path, slug: str, dry_run: bool = False, to: str = "", yes: bool = False, retry_unknown: bool = False
) -> None:
    """Send an issue to every subscriber, exactly once each, through SMTP_* settings."""
    from vouch.mailing.sender import Policy, SendAborted, send_issue
    from vouch_site.mailout import Audience, Paths, blocking, envelope_sender, personal_message, send_summary
    from vouch_site.progress import progress_bar

    with refused("--to: "):
        test_copy = Audience.test_copy(to) if to else None  # before validating: a typo fails at once
    settings, newsletter = _newsletter(root, slug)
    rendered = newsletter.rendered[slug]
    findings = blocking(newsletter.findings[slug], test=bool(to))
    if findings:
        for finding in findings:
            print(f"{slug}: {finding}", file=sys.stderr)
        raise CommandFailed(f"vouch: {slug} fails {len(findings)} pre-send check(s); nothing was sent")
    audience = test_copy or _subscribers(Paths.from_env(root))
    for problem in audience.skipped:
        print(relative_to(problem, root), file=sys.stderr)
    smtp = smtp_settings()
    with refused():
        policy = Policy.from_env()
    print(audience.plan(slug, rendered.subject))
    if dry_run:
        print("dry run: nothing sent")
        return
    if retry_unknown:
        print(f"re-queued {audience.ledger.retry_unknown(slug)} recipients whose answer was lost")
    if sys.stdin.isatty() and not yes and input("Send now? [y/N] ").strip().lower() not in {"y", "yes"}:
        raise CommandFailed("vouch: not sent")
    try:
        with progress_bar("sending", len(audience.subscribers)) as advance:
            report = send_issue(
                slug, audience.subscribers, lambda s: personal_message(rendered, settings, s, test=audience.test),
                audience.ledger, smtp, envelope_sender(settings), policy=policy, progress=advance,
            )  # fmt: skip
    except SendAborted as aborted:
        again = "send the test copy again" if audience.test else "run the same command again to resume"
        raise CommandFailed(f"vouch: {aborted}; {again}", 3) from None
    lines, code = send_summary(report)
    print("\n".join(lines))
    if code:
        raise CommandFailed("", code)


def _subscribers(paths: Any) -> Any:
    from vouch_site.mailout import Audience

    if not paths.subscribers.exists():
        raise CommandFailed(f"vouch: no subscriber list at {paths.subscribers} (CSV with header email,name)", 2)
    with refused():
        return Audience.subscribers_of(paths)


def _newsletter(root: Path, slug: str) -> tuple[VouchSettings, Any]:
    """Typed settings and the newsletter with the rendered issue ``slug`` (fails on any problem)."""
    from vouch_site.mailout import prepare_newsletter

    settings, site, report = validated(root, "; fix them before sending")
    withheld = {p.stem: slugs for p, slugs in report.content.withheld.items() if p.parent.name == "newsletter"}
    if slug in withheld:
        raise CommandFailed(f"vouch: {slug} names unpublished {', '.join(withheld[slug])}: it is withheld")
    linking = {p.stem: targets for p, targets in report.content.linking.items() if p.parent.name == "newsletter"}
    if slug in linking:
        links = ", ".join(str(target.relative_to(root)) for target in linking[slug])
        raise CommandFailed(f"vouch: {slug} links {links}, not published: it is withheld")
    typed = VouchSettings.of(settings)
    newsletter = prepare_newsletter(site, report, typed, Path(settings["THEME"]))
    if slug not in newsletter.rendered:
        known = ", ".join(v.slug for v in newsletter.views) or "none"
        raise CommandFailed(f"vouch: no newsletter issue {slug!r} (issues: {known})", 2)
    return typed, newsletter


def unsubscribe(root: Path, email: str) -> None:
    """Add an address to NEWSLETTER_SUPPRESSIONS: it is never sent to again."""
    from vouch.mailing.subscribers import add_suppression
    from vouch_site.mailout import Paths

    path = Paths.from_env(root).suppressions
    with refused():
        added = add_suppression(path, email)
    print(f"{email.strip().lower()} {'added to' if added else 'already in'} {path.relative_to(root)}")
