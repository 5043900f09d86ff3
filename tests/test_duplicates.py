"""Likely duplicates: grouped by key (phone, e-mail, website, normalised name), never compared pair by pair."""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

from tests.sitekit import DEMO_EPOCH, REPO, make_site, run_invoke, vetted
from vouch.duplicates import Keys, email_key, likely_duplicates, name_key, website_key


def test_check_warns_about_profiles_that_share_a_key(tmp_path: Path) -> None:
    shutil.copy(REPO / "tasks.py", tmp_path / "tasks.py")
    pending = {"status": "pending", "category": "plumbing"}
    make_site(
        tmp_path,
        {
            "harbour": vetted("Harbour Plumbing & Heating Ltd", contact={"phone": "0117 496 0100"}),
            "harbour-2": {"name": "harbour plumbing and heating limited", **pending},
            "quay": {"name": "Quay", **pending, "contact": {"phone": "+44 117 496 0100", "email": "Q@quay.example"}},
            "quay-cafe": {"name": "Quay Café", **pending, "contact": {"email": "q@QUAY.example"}},
            "moor": {"name": "Moor", **pending, "contact": {"website": "https://www.moor.example/"}},
            "moor-2": {"name": "Moor Two", **pending, "contact": {"website": "http://moor.example"}},
            "alone": {"name": "Alone", **pending, "contact": {"phone": "0117 496 0101"}},
        },
    )
    result = run_invoke(tmp_path, "check", env={**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH})
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("likely duplicates")]
    assert lines == [
        "likely duplicates (same name, 'harbour plumbing and heating'): partners/harbour-2.yaml, partners/harbour.yaml",
        "likely duplicates (same phone, '+441174960100'): partners/harbour.yaml, partners/quay.yaml",
        "likely duplicates (same e-mail, 'q@quay.example'): partners/quay-cafe.yaml, partners/quay.yaml",
        "likely duplicates (same website, 'moor.example'): partners/moor-2.yaml, partners/moor.yaml",
    ]


def test_grouping_10000_partners_takes_well_under_a_second() -> None:
    rng = random.Random(15)
    words = ["Harbour", "Quay", "Moor", "Estuary", "Plumbing", "Roofing", "& Sons", "Ltd", "Bakery", "Café"]
    people = [
        (f"{' '.join(rng.sample(words, 3))} {i}", f"+44117496{i % 9000:04d}", f"info@shop{i}.example",
         f"https://www.shop{i}.example/")
        for i in range(10_000)
    ]  # fmt: skip
    name_key.cache_clear()
    started = time.perf_counter()
    owners = [(f"partners/p{i}.yaml", Keys(name_key(n), p, email_key(e), website_key(w)))
              for i, (n, p, e, w) in enumerate(people)]  # fmt: skip
    found = likely_duplicates(owners)
    took = time.perf_counter() - started
    print(f"\nlikely duplicates among 10,000 partners: {took * 1000:.0f} ms (budget 1 s)")
    assert {d.kind for d in found} == {"phone"}  # 10,000 numbers drawn from 9,000
    assert len(found) == 1000 and all(len(d.owners) == 2 for d in found)
