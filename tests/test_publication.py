"""The one publication rule, the build's calendar date, and the editor's roster."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vouch.model import ProfileFile
from vouch.profiles import Profile
from vouch.publication import due_soon, is_published, publish, roster, state_of, today

D = dt.date
MARCH_1 = D(2026, 3, 1)
NEXT_MARCH_1 = D(2027, 3, 1)


def profile(status: str = "vetted", vetted_on: D | None = MARCH_1, review_by: D | None = NEXT_MARCH_1) -> Profile:
    data: dict = {"name": "Harbour", "status": status, "category": "plumbing"}
    if vetted_on:
        data["vetting"] = {"vetted_on": vetted_on, "vouched_by": "Jim", "checks": ["references"]}
    return Profile("harbour", Path("partners/harbour.yaml"), ProfileFile.model_validate(data), review_by)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D(2026, 2, 28), False),  # the day before vetted_on: not yet
        (D(2026, 3, 1), True),  # vetted_on itself
        (D(2027, 3, 1), True),  # review_by itself
        (D(2027, 3, 2), False),  # lapsed the day after
    ],
)
def test_vetted_partner_is_published_inside_its_window_only(on: D, expected: bool) -> None:
    assert is_published(profile(), on) is expected


@pytest.mark.parametrize("status", ["pending", "suspended", "retired"])
def test_other_statuses_are_never_published(status: str) -> None:
    assert not is_published(profile(status), D(2026, 6, 1))


def test_states_for_the_editor() -> None:
    on = D(2026, 6, 1)
    assert state_of(profile(), on) == "published"
    assert state_of(profile(vetted_on=D(2026, 7, 1)), on) == "scheduled"
    assert state_of(profile(review_by=D(2026, 5, 31)), on) == "lapsed"
    assert state_of(profile("suspended"), on) == "suspended"


def test_due_soon_lists_published_partners_reviewed_within_30_days() -> None:
    entries = roster([profile(review_by=D(2026, 7, 1))], D(2026, 6, 1))
    assert [e.slug for e in due_soon(entries, D(2026, 6, 1))] == ["harbour"]
    assert due_soon(entries, D(2026, 5, 31) - dt.timedelta(days=1)) == []


def test_publish_returns_public_partners_without_private_fields() -> None:
    [partner] = publish([profile()], D(2026, 6, 1))
    assert not hasattr(partner, "private")
    assert not hasattr(partner.vetting, "notes")
    assert not hasattr(partner, "status")


@pytest.mark.parametrize(
    ("epoch", "zone", "expected"),
    [
        ("1795564800", "UTC", D(2026, 11, 25)),  # 2026-11-25 00:00 UTC
        ("1795564800", "America/New_York", D(2026, 11, 24)),  # still the 24th there
        ("1795561200", "Europe/Berlin", D(2026, 11, 25)),  # 23:00 UTC is already the 25th in Berlin
    ],
)
def test_today_is_the_calendar_date_of_source_date_epoch_in_the_timezone(epoch: str, zone: str, expected: D) -> None:
    assert today(zone, {"SOURCE_DATE_EPOCH": epoch}) == expected


def test_today_without_source_date_epoch_uses_the_clock() -> None:
    assert today("UTC", {}) == dt.datetime.now(dt.UTC).date()
