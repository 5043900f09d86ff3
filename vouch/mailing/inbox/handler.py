"""What each message means for the list, done once: the rules of subscribing, unsubscribing and bouncing.

The handler changes the subscriber and suppression files (not in a dry
run), records every decision in the inbox ledger and queues the replies; the
IMAP session around it only fetches and moves.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vouch.mailing.inbox import replies
from vouch.mailing.inbox.classify import Incoming
from vouch.mailing.inbox.ledger import InboxLedger
from vouch.mailing.inbox.tokens import new_token, token_hash
from vouch.mailing.send_ledger import Delivery
from vouch.mailing.subscribers import add_subscriber, add_suppression, remove_suppression

DAY = dt.timedelta(days=1)  # at most one confirmation (or unsubscribe answer) per address in this time


@dataclass(frozen=True, slots=True)
class ListFiles:
    subscribers: Path
    suppressions: Path


@dataclass(frozen=True, slots=True)
class Rules:
    confirm_days: int = 7
    bounce_limit: int = 2
    welcome_series: bool = False  # the welcome series greets new subscribers instead of "you're in"


@dataclass(frozen=True, slots=True)
class Outcome:
    category: str  # what the summary counts
    handled: bool  # moved out of the inbox (else left untouched)
    line: str = ""  # a line of its own in the summary


@dataclass
class Handler:
    ledger: InboxLedger
    files: ListFiles
    rules: Rules
    context: replies.ReplyContext
    sent: Callable[[str], Delivery | None]  # our delivery with this Message-ID (the send ledger)
    listed: set[str]  # lower-cased addresses of the subscriber list, for bounces without our Message-ID
    now: dt.datetime
    today: dt.date
    dry_run: bool = False
    repeats: Counter[str] = field(default_factory=Counter)  # subscribe requests within a day of a confirmation

    def handle(self, incoming: Incoming) -> Outcome:
        if incoming.kind == "other":
            return Outcome("other mail, unreadable (left)" if incoming.note else "other mail", False, incoming.note)
        if incoming.kind == "automatic":
            return Outcome("automatic reply (left)", False, f"{incoming.note}; left unread in the inbox")
        if self.ledger.outcome(incoming.key) is not None:
            return Outcome("handled by an earlier run", True)
        self.ledger.savepoint()
        try:
            outcome = getattr(self, f"_{incoming.kind}")(incoming)
            if outcome.handled:
                self.ledger.record(incoming.key, incoming.kind, incoming.address, outcome.category, self.now)
            self.ledger.release()
        except (OSError, ValueError) as exc:  # a list file that cannot be read or written: nothing recorded
            self.ledger.undo()
            return Outcome("not handled (error)", False, f"{incoming.kind} from {incoming.address}: {exc}")
        return outcome

    def _subscribe(self, incoming: Incoming) -> Outcome:
        if incoming.problem:
            return Outcome("subscribe: refused", True, f"subscribe request refused: {incoming.problem}")
        address = incoming.address
        if self.ledger.replied_since(address.lower(), "confirm", self.now - DAY):
            self.repeats[address.lower()] += 1
            return Outcome("subscribe: asked again within a day (no mail)", True)
        token = new_token()
        self.ledger.add_token(token_hash(token), address, incoming.name, self.now, self.rules.confirm_days)
        message = replies.confirmation(self.context, incoming.name, address, token, self.rules.confirm_days, self.now)
        self.ledger.queue_reply(address.lower(), "confirm", message, self.now)
        return Outcome("subscribe: confirmation sent", True)

    def _confirm(self, incoming: Incoming) -> Outcome:
        found = [(t, self.ledger.token(token_hash(t))) for t in incoming.tokens]
        valid = [(t, k) for t, k in found if k is not None and not k.used and k.expires >= self.now]
        who = incoming.address or "an unreadable From"
        if not valid:
            if any(k is not None and k.used for _, k in found):
                return Outcome("confirm: already confirmed", True)
            if any(k is not None for _, k in found):
                return Outcome("confirm: expired token", True, f"{who}: the token has expired; nothing changed")
            return Outcome("confirm: wrong token", True, f"{who}: no such token; nothing changed")
        token, known = valid[0]
        same = incoming.address.lower() == known.address.lower()
        name = known.name or (incoming.name if same else "")  # the name they asked with: a reply never renames
        if not self.dry_run:
            add_subscriber(self.files.subscribers, known.address, name, self.today.isoformat())
            remove_suppression(self.files.suppressions, known.address)  # it confirmed itself: the only way back
        self.ledger.use_token(token_hash(token), self.now)
        self.listed.add(known.address.lower())
        if not self.rules.welcome_series:
            message = replies.welcome(self.context, name, known.address, self.now)
            self.ledger.queue_reply(known.address.lower(), "welcome", message, self.now)
        return Outcome("confirm: subscribed", True)

    def _unsubscribe(self, incoming: Incoming) -> Outcome:
        if not incoming.address:
            return Outcome("unsubscribe: refused", True, f"unsubscribe request refused: {incoming.problem}")
        address = incoming.address.lower()
        if not self.dry_run:
            add_suppression(self.files.suppressions, address)
        if not self.ledger.replied_since(address, "unsubscribe", self.now - DAY):
            message = replies.unsubscribed(self.context, incoming.address, self.now)
            self.ledger.queue_reply(address, "unsubscribe", message, self.now)
        if incoming.problem:  # honoured all the same: the one address in it asked to leave
            return Outcome("unsubscribe: suppressed", True, f"{address} unsubscribed; its {incoming.problem}")
        return Outcome("unsubscribe: suppressed", True)

    def _bounce(self, incoming: Incoming) -> Outcome:
        bounce = incoming.bounce
        assert bounce is not None  # classify sets it for every bounce
        matched = next(((i, d) for i in bounce.sent_ids if (d := self.sent(i)) is not None), None)
        if matched is not None:
            sent_id, ours = matched  # the address we sent to, even if the bounce names where it was forwarded
            hard = ours.key in bounce.hard or (ours.key not in bounce.soft and bool(bounce.hard))
            failed = [(ours.key, sent_id, ours.issue, hard)]
        else:  # which send it bounces is unknown: two reports of one send (two hops, a re-sent DSN) count once
            failed = [(a, incoming.key, "", a in bounce.hard) for a in sorted(bounce.hard | bounce.soft)]
            failed = [f for f in failed if f[0] in self.listed]
        if not failed and any(replies.is_reply_id(i) for i in bounce.sent_ids):
            return Outcome("bounce: of a confirmation or answer (no change)", True)  # a made-up From, most often
        if not failed:
            names = ", ".join(sorted(bounce.hard | bounce.soft))
            why = "not on the list, and it quotes no Message-ID Vouch sent"
            return Outcome("bounce: unknown address (left)", False, f"bounce for {names}: {why}; left in the inbox")
        lines, counted = [], 0
        for address, sent_id, issue, hard in failed:
            if matched is None and self.ledger.bounced_since(address, hard, self.now - DAY):
                continue  # without our Message-ID: at most one a day counts, and none beside one that did
            counted += 1
            self.ledger.add_bounce(address, sent_id, issue, hard, self.now)
            if hard and self.ledger.hard_bounces(address) >= self.rules.bounce_limit:
                if not self.dry_run:
                    add_suppression(self.files.suppressions, address)
                lines.append(f"{address}: suppressed after {self.ledger.hard_bounces(address)} hard bounces")
        kind = "hard" if any(f[3] for f in failed) else "soft"
        if not counted:
            return Outcome(f"bounce: {kind}, without a Message-ID of ours, already counted today", True)
        return Outcome(f"bounce: {kind}" + (", suppressed" if lines else ""), True, "; ".join(lines))

    def flood_lines(self) -> list[str]:
        return [
            f"{address}: {n} more subscribe request(s) within a day of a confirmation: no mail sent"
            for address, n in sorted(self.repeats.items())
        ]
