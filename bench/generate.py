"""A seeded synthetic referral network, for benchmarks and scale tests.

Realistic mix: most partners vetted and current, some pending, suspended,
retired or lapsed; articles of 500-800 words, some featuring partners (a few
of them unpublished, so their articles are withheld); monthly newsletter issues.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import yaml

TRADES = [
    "plumbing", "electrical", "building", "roofing", "gardening", "cleaning", "locksmiths", "accountancy",
    "legal", "decorating", "carpentry", "heating", "windows", "flooring", "removals", "pest-control",
    "solar", "drainage", "fencing", "tiling",
]  # fmt: skip
TOWNS = [
    "Kingsbridge", "Salcombe", "Dartmouth", "Totnes", "Ivybridge", "Modbury", "Thurlestone", "Brixham",
    "Paignton", "Torquay", "Newton Abbot", "Ashburton", "Buckfastleigh", "South Brent", "Yealmpton",
    "Plympton", "Tavistock", "Okehampton", "Exeter", "Exmouth", "Sidmouth", "Honiton", "Crediton",
    "Tiverton", "Barnstaple", "Bideford", "Ilfracombe", "Saint-Étienne", "Bovey Tracey", "Chudleigh",
]  # fmt: skip
WORDS = [
    "quote",
    "survey",
    "boiler",
    "radiator",
    "roof",
    "gutter",
    "damp",
    "insulation",
    "timber",
    "window",
    "door",
    "lock",
    "garden",
    "hedge",
    "patio",
    "invoice",
    "contract",
    "warranty",
    "insurance",
    "reference",
    "deposit",
    "schedule",
    "permit",
    "drainage",
    "wiring",
    "socket",
    "tile",
    "paint",
    "plaster",
    "flooring",
    "cleaning",
    "accounts",
    "payroll",
    "probate",
    "lease",
    "survey",
    "estimate",
    "visit",
    "repair",
    "install",
    "service",
    "replace",
    "inspect",
    "maintain",
    "advice",
    "local",
    "family",
    "firm",
    "trusted",
    "reliable",
    "tidy",
    "prompt",
    "careful",
]
FIRST = [
    "Harbour",
    "Quay",
    "Moor",
    "Tide",
    "Estuary",
    "Coast",
    "Valley",
    "River",
    "Bay",
    "Cliff",
    "Harbourside",
    "Anchor",
    "Beacon",
    "Granite",
    "Oak",
]
LAST = [
    "Services",
    "Works",
    "Co",
    "Brothers",
    "&",
    "Sons",
    "Ltd",
    "Partners",
    "Group",
    "Specialists",
    "Solutions",
    "Trades",
    "Crafts",
]
TODAY = dt.date(2026, 11, 25)
PHONES_PER_RANGE = 1000
PHONE_RANGES = ["+44 117 496 {:04d}", "+44 113 496 {:04d}", "+44 20 7946 {:04d}"]


def _text(rng: random.Random, words: int) -> str:
    sentences = []
    while words > 0:
        n = rng.randint(8, 18)
        sentence = " ".join(rng.choice(WORDS) for _ in range(min(n, words)))
        sentences.append(sentence.capitalize() + ".")
        words -= n
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs)


def _status(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.85:
        return "vetted"
    if roll < 0.90:
        return "pending"
    if roll < 0.95:
        return "suspended"
    return "retired"


def partner(rng: random.Random, index: int) -> tuple[str, dict]:
    name = f"{rng.choice(FIRST)} {rng.choice(TRADES).replace('-', ' ').title()} {rng.choice(LAST)} {index}"
    slug = f"partner-{index:05d}"
    status = _status(rng)
    data: dict = {
        "name": name,
        "status": status,
        "category": rng.choice(TRADES),
        "summary": _text(rng, 14)[:150],
        "description": _text(rng, rng.randint(60, 140)),
        "services": [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(rng.randint(2, 5))],
        "areas": rng.sample(TOWNS, rng.randint(1, 4)),
        "established": rng.randint(1960, 2024),
        "opening_hours": ["Mo-Fr 08:00-17:30"],
        "contact": {
            "person": f"{rng.choice(['Sam', 'Alex', 'Jo', 'Chris', 'Pat'])} {rng.choice(FIRST)}",
            "phone": PHONE_RANGES[index % 3].format(index // 3 % PHONES_PER_RANGE),
            "email": f"hello@{slug}.example",
            "website": f"https://{slug}.example",
        },
        "referrals": {"good_fit": [_text(rng, 6)], "how_to_refer": _text(rng, 12)},
        "testimonials": [{"quote": _text(rng, 16), "by": f"Client {index}"}],
        "private": {"owner_notes": _text(rng, 8)},
    }
    if status != "pending":
        lapsed = rng.random() < 0.04
        vetted_on = TODAY - dt.timedelta(days=rng.randint(400, 900) if lapsed else rng.randint(1, 700))
        data["vetting"] = {
            "vetted_on": vetted_on,
            "vouched_by": f"Member {rng.randint(1, 80)}",
            "checks": ["references", "insurance"],
            "review_by": vetted_on + dt.timedelta(days=365 if lapsed else 365 * 3),
            "notes": _text(rng, 10),
        }
    return slug, data


def generate(root: Path, partners: int = 10_000, articles: int = 1_000, issues: int = 24, seed: int = 7) -> Path:
    """Write a complete Vouch project (partners/, content/, pelicanconf.py) into ``root``."""
    rng = random.Random(seed)
    (root / "partners").mkdir(parents=True, exist_ok=True)
    for sub in ("articles", "pages", "newsletter"):
        (root / "content" / sub).mkdir(parents=True, exist_ok=True)
    (root / "pelicanconf.py").write_text(
        'SITENAME = "Bench Network"\nSITEURL = "https://bench.example"\nTIMEZONE = "Europe/London"\n'
        'DEFAULT_LANG = "en-GB"\n'
    )
    registry = {t: {"title": t.replace("-", " ").title(), "description": f"Vetted {t} businesses."} for t in TRADES}
    (root / "partners/_categories.yaml").write_text(yaml.safe_dump(registry))
    checks = {
        "references": {"title": "References", "description": "Two past clients called."},
        "insurance": {"title": "Insurance", "description": "Certificate seen."},
    }
    (root / "partners/_checks.yaml").write_text(yaml.safe_dump(checks))
    slugs: list[tuple[str, bool]] = []
    for i in range(partners):
        slug, data = partner(rng, i)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        (root / "partners" / f"{slug}.yaml").write_text(text, encoding="utf-8")
        slugs.append((slug, data["status"] == "vetted"))
    for i in range(articles):
        date = TODAY - dt.timedelta(days=rng.randint(1, 720))
        featured = [s for s, _ in rng.sample(slugs, min(len(slugs), rng.randint(0, 3)))]
        meta = f"Title: Advice {i}: {rng.choice(WORDS)} and {rng.choice(WORDS)}\nDate: {date.isoformat()}\n"
        meta += f"Summary: {_text(rng, 16)}\nCategory: Advice\nTags: {rng.choice(WORDS)}, {rng.choice(WORDS)}\n"
        if featured:
            meta += f"Partners: {', '.join(featured)}\n"
        body = _text(rng, rng.randint(500, 800))
        if featured:
            body += f"\n\nAsk {{partner}}{featured[0]} for a quote."
        (root / "content/articles" / f"advice-{i:04d}.md").write_text(meta + "\n" + body + "\n", encoding="utf-8")
    for name in ("about", "join", "contact"):
        (root / "content/pages" / f"{name}.md").write_text(f"Title: {name.title()}\n\n{_text(rng, 200)}\n")
    for i in range(issues):
        date = TODAY - dt.timedelta(days=30 * (issues - i))
        (root / "content/newsletter" / f"issue-{i:02d}.md").write_text(
            f"Title: Bench newsletter number {i}\nDate: {date.isoformat()}\nSummary: {_text(rng, 10)}\n"
            f"Status: published\n\n{_text(rng, 120)}\n",
            encoding="utf-8",
        )
    return root
