"""The private side's commands (newsletter sends, introductions and their outcomes), callable in-process.

Like ``vouch_site.commands``, whose helpers they share: they print what the editor reads and
raise ``CommandFailed`` where the command line must end non-zero.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vouch.problems import relative_to
from vouch.publication import today
from vouch.settings import VouchSettings
from vouch_site.commands import CommandFailed, refused, validated
from vouch_site.config import load_settings


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
    from vouch.mailing.smtp_setup import SmtpSetupError

    smtp = smtp_settings()
    try:
        with smtp.connect() as conn:
            conn.send_message(message)
    except SmtpSetupError as exc:
        raise CommandFailed(f"vouch: {exc}; nothing recorded", 3) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise CommandFailed(f"vouch: could not send through {smtp.where}: {exc}; nothing recorded", 3) from None
    ident = ledger.record(slug, partner.name, client.name, client.email, note, on, follow_up)
    print(f"introduced {client.name} to {partner.name} (#{ident}); follow up on {follow_up}")


def smtp_settings() -> Any:
    """SMTP settings from the environment, or a one-line refusal."""
    from vouch.mailing.smtp_setup import SmtpSettings

    with refused():
        return SmtpSettings.from_env()


def smtp_check(root: Path) -> None:
    """Connect with the SMTP_* settings, say what the server offers and whether login works; send nothing."""
    from vouch.mailing.smtp_setup import SmtpSetupError

    smtp = smtp_settings()
    print(f"SMTP server {smtp.where}, SMTP_SECURITY={smtp.security}, SMTP_TIMEOUT={smtp.timeout:g} s")
    steps: list[str] = []
    try:
        conn = smtp.connect(log=steps)
    except SmtpSetupError as exc:
        print("\n".join(f"  {step}" for step in steps))
        raise CommandFailed(f"vouch: {exc}", 3) from None
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        conn.close()
    print("\n".join(f"  {step}" for step in steps))
    print("ready to send; nothing was sent")


def today_of(root: Path) -> dt.date:
    """Today in the site's time zone (SOURCE_DATE_EPOCH honoured), for commands that validate nothing."""

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


def send(
    root: Path,
    slug: str = "",
    dry_run: bool = False,
    to: str = "",
    yes: bool = False,
    retry_unknown: bool = False,
    due: bool = False,
    again: bool = False,
) -> None:
    """Send an issue to every subscriber who had joined by its date, exactly once each, through SMTP_* settings;
    ``again``: even though an issue of its Date and Title went out under another (gone) slug."""
    from vouch.mailing.sender import Policy
    from vouch_site.mailout import Audience, Paths
    from vouch_site.sending import (
        Job,
        confirm,
        findings_for,
        joined_by,
        not_current,
        one_send_at_a_time,
        renamed,
        run_jobs,
        warn,
        warn_future_joiners,
    )  # fmt: skip

    if due:
        if slug or to or retry_unknown or again:
            given = "give it no issue, --to, --retry-unknown or --again"
            raise CommandFailed(f"vouch: --due sends whatever is due: {given}", 2)
        send_due(root, dry_run, yes)
        return
    if not slug:
        raise CommandFailed("vouch: name the issue (invoke send <slug>), or send whatever is due with --due", 2)
    with refused("--to: "):
        test_copy = Audience.test_copy(to) if to else None  # before validating: a typo fails at once
    settings, newsletter = _newsletter(root, slug, welcome=bool(to))
    rendered = (newsletter.rendered | newsletter.welcome)[slug]
    paths = Paths.from_env(root)
    audience = test_copy or _subscribers(paths)
    view = next((v for v in newsletter.views if v.slug == slug), None)  # None: a welcome step (a test copy)
    if test_copy is None:
        warn_future_joiners(audience.subscribers, today_of(root))
        audience = Audience(joined_by(audience.subscribers, view.date), audience.ledger, audience.skipped)
    findings = findings_for(newsletter, slug, rendered, audience.subscribers)
    if test_copy:
        warn(findings, slug)  # checking the draft is the point of a test copy
    elif findings:
        for finding in findings:
            print(f"{slug}: {finding}", file=sys.stderr)
        raise CommandFailed(f"vouch: {slug} fails {len(findings)} pre-send check(s); nothing was sent")
    refusal = None
    if view and not audience.test:  # a test copy of a draft or an edit is how it is checked: never refused
        refusal = not_current(root / "output", view, newsletter, settings)
        refusal = refusal or (None if again else renamed(audience.ledger, view, newsletter))
    if refusal and not dry_run:
        raise CommandFailed(f"vouch: {refusal}; nothing was sent")
    for problem in audience.skipped:
        print(relative_to(problem, root), file=sys.stderr)
    smtp = smtp_settings()
    with refused():
        policy = Policy.from_env()
    print(audience.plan(slug, rendered.subject))
    if refusal:  # a dry run shows what would go, then why it may not yet
        raise CommandFailed(f"vouch: {refusal}; nothing was sent")
    if dry_run:
        print("dry run: nothing sent")
        return
    if retry_unknown:
        print(f"re-queued {audience.ledger.retry_unknown(slug)} recipients whose answer was lost")
    confirm(yes)
    with one_send_at_a_time(paths.ledger) if not audience.test else _nothing():
        resume = "send the test copy again" if audience.test else "run the same command again to resume"
        job = Job(slug, rendered, audience.subscribers, view=None if audience.test else view)
        code = run_jobs([job], audience, newsletter, settings, smtp, policy, today_of(root), resume)
    if code:
        raise CommandFailed("", code)


def send_due(root: Path, dry_run: bool = False, yes: bool = False) -> None:
    """Every published issue dated in the last NEWSLETTER_DUE_DAYS with subscribers left, and every due welcome
    step: for the daily cron line. Exit 0 and "nothing due" when nothing is."""
    from vouch.mailing.sender import Policy
    from vouch.render.humanize import counted
    from vouch_site.mailout import Paths
    from vouch_site.sending import confirm, due_jobs, one_send_at_a_time, run_jobs, warn_future_joiners

    settings, newsletter, held = _newsletter_due(root)
    paths = Paths.from_env(root)
    audience = _subscribers(paths)
    for problem in audience.skipped:
        print(relative_to(problem, root), file=sys.stderr)
    on = today_of(root)
    warn_future_joiners(audience.subscribers, on)
    smtp = smtp_settings()
    with refused():
        policy = Policy.from_env()
    with one_send_at_a_time(paths.ledger):
        lost = audience.ledger.recover_all()  # a run killed while a message was in flight, whatever it sent
        for d in lost:
            print(f"unknown: {d.address} ({d.issue}): the server's answer was lost; check its log before "
                  f"invoke send {d.issue} --retry-unknown")  # fmt: skip
        jobs, problems, blocked = due_jobs(newsletter, audience, on, settings, held, root / "output")
        for line in problems:
            print(line, file=sys.stderr)
        not_sent = f"{counted(blocked, 'due item')} could not go (listed above)"
        failed = 3 if lost else 1 if problems else 0  # a dry run ends as the real run would
        if not jobs or dry_run:
            for job in jobs:
                print(job.label)
            if dry_run:
                print(f"dry run: nothing sent; {not_sent}" if blocked else "dry run: nothing sent")
            else:
                print(f"nothing sent on {on}: {not_sent}" if blocked else f"nothing due on {on}")
            if failed:
                raise CommandFailed("", failed)
            return
        for job in jobs:
            print(job.label)
        confirm(yes)
        try:
            code = max(run_jobs(jobs, audience, newsletter, settings, smtp, policy, on), 3 if lost else 0)
        except CommandFailed as aborted:  # the server down: said, and what could not go is still the last line
            if not blocked:
                raise
            print(aborted.message, file=sys.stderr)
            print(not_sent)
            raise CommandFailed("", aborted.code) from None
        if blocked:
            print(not_sent)
    if code or problems:
        raise CommandFailed("", code or 1)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _subscribers(paths: Any) -> Any:
    from vouch_site.mailout import Audience

    if not paths.subscribers.exists():
        raise CommandFailed(f"vouch: no subscriber list at {paths.subscribers} (CSV with header email,name)", 2)
    with refused():
        return Audience.subscribers_of(paths)


def _newsletter(root: Path, slug: str, welcome: bool = False) -> tuple[VouchSettings, Any]:
    """Typed settings and the newsletter with the rendered issue ``slug`` (fails on any problem);
    ``welcome``: a welcome step (``welcome/NN-slug``) may be named too (a test copy of it)."""
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
    newsletter = prepare_newsletter(site, report, typed, Path(settings["THEME"]), Path(settings["PATH"]))
    if slug in newsletter.welcome_withheld:
        names = ", ".join(newsletter.welcome_withheld[slug])
        raise CommandFailed(f"vouch: {slug} names unpublished {names}: it is withheld")
    if slug in newsletter.welcome and not welcome:
        raise CommandFailed(f"vouch: {slug} is a welcome step: --due sends it to each new subscriber on its day "
                            "(--to ADDRESS sends a test copy)", 2)  # fmt: skip
    if slug not in newsletter.rendered and slug not in newsletter.welcome:
        known = ", ".join(v.slug for v in newsletter.views) or "none"
        raise CommandFailed(f"vouch: no newsletter issue {slug!r} (issues: {known})", 2)
    return typed, newsletter


def _date_and_status(path: Path, timezone: str) -> tuple[dt.date | None, str]:
    """An issue file's Date (in ``timezone``) and Status, read again: a withheld item is not kept."""
    from vouch.content import parse_date
    from vouch.item_header import read_header

    header, _, _ = read_header(path.read_text(encoding="utf-8"))
    date = parse_date(header["date"][0][1], timezone) if "date" in header else None
    status = (header["status"][0][1] if "status" in header else "") or "published"
    return date, status.lower()


def _newsletter_due(root: Path) -> tuple[VouchSettings, Any, dict[str, str]]:
    """Typed settings, the newsletter, and why each withheld issue is (slug -> reason)."""
    from vouch_site.mailout import prepare_newsletter

    settings, site, report = validated(root, "; fix them before sending")
    typed = VouchSettings.of(settings)
    newsletter = prepare_newsletter(site, report, typed, Path(settings["THEME"]), Path(settings["PATH"]))
    due_after = report.today - dt.timedelta(days=typed.newsletter_due_days)
    held: dict[str, str] = {}
    not_shown = {path: f"it names unpublished {', '.join(slugs)}" for path, slugs in report.content.withheld.items()}
    for path, targets in report.content.linking.items():
        not_shown[path] = f"it links {', '.join(str(t.relative_to(root)) for t in targets)}, not published"
    for path, why in not_shown.items():
        if path.parent.name != "newsletter":
            continue
        date, status = _date_and_status(path, typed.timezone)
        if status == "published" and date is not None and due_after <= date <= report.today:
            held[path.stem] = why
    return typed, newsletter, held


def unsubscribe(root: Path, email: str) -> None:
    """Add an address to NEWSLETTER_SUPPRESSIONS: it is never sent to again."""
    from vouch.mailing.subscribers import add_suppression
    from vouch_site.mailout import Paths

    path = Paths.from_env(root).suppressions
    with refused():
        added = add_suppression(path, email)
    print(f"{email.strip().lower()} {'added to' if added else 'already in'} {path.relative_to(root)}")


def inbox(root: Path, dry_run: bool = False) -> None:
    """Subscribe requests, confirmations, unsubscribes and bounces from the newsletter's IMAP mailbox."""
    from vouch_site.inbox import inbox as run

    run(root, dry_run=dry_run)
