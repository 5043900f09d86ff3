"""A seeded synthetic referral network, for benchmarks and scale tests.

Realistic mix: most partners vetted and current, some pending, suspended,
retired or lapsed; articles featuring partners (a few of them unpublished, so
their articles are withheld); monthly newsletter issues.

The shape, chosen to be close to a county-wide network (``describe`` measures it, ``invoke bench`` prints it):

- areas: 400 distinct places (a county such as Devon has about 30 towns and 400 civil
  parishes), drawn with Zipf weights (s = 1): a few big towns are served by many partners,
  most villages by a few dozen, as town sizes are (the largest is among the areas of a third of partners);
  1-6 areas per partner, 2.4 on average (a trade serves its town and the villages around);
- trades: 20 (the trade categories of a BNI-like chapter list); services are real phrases of
  the partner's trade (10 per trade, 200 distinct), 2-8 per partner, 4.2 on average;
- text lengths: summary 6-22 words (at most 160 characters, as SPEC allows); description
  log-normal around 110 words (30-400); 0-4 testimonials (1.5 on average) of 12-60 words;
  articles log-normal around 600 words (250-1,500; PERFORMANCE.md's anchor had ~600);
- words from a 2,000-word vocabulary with Zipf frequencies (natural text's), the trades'
  own words the commonest, so a search index sees a realistic number of distinct words;
- articles: 1-5 tags (2.7 on average) from 60 topic tags, Zipf-weighted, category ``Advice``.

Figures are this module's choice from public orders of magnitude (parish counts,
Zipf's law of settlement sizes and word frequencies), not from a real member list.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

TRADES = [
    "plumbing", "electrical", "building", "roofing", "gardening", "cleaning", "locksmiths", "accountancy",
    "legal", "decorating", "carpentry", "heating", "windows", "flooring", "removals", "pest-control",
    "solar", "drainage", "fencing", "tiling",
]  # fmt: skip
SERVICES = {
    "plumbing": ["boiler servicing", "leak repair", "bathroom fitting", "emergency call-out", "tap replacement",
                 "power flushing", "water softeners", "radiator fitting", "burst pipes", "shower installation"],
    "electrical": ["rewiring", "fuse board upgrade", "EV charger installation", "fault finding", "PAT testing",
                   "outdoor lighting", "electrical safety certificate", "socket installation", "smoke alarms",
                   "landlord inspections"],
    "building": ["extensions", "loft conversions", "garage conversions", "structural repairs", "new builds",
                 "renovations", "brickwork", "groundworks", "planning drawings", "porches"],
    "roofing": ["slate roofing", "flat roofs", "chimney repairs", "gutter cleaning", "roof inspections",
                "lead work", "fascias and soffits", "storm damage", "moss removal", "skylights"],
    "gardening": ["lawn care", "hedge cutting", "garden design", "tree surgery", "patio laying", "turfing",
                  "garden clearance", "planting", "pond maintenance", "seasonal tidy-up"],
    "cleaning": ["end of tenancy cleaning", "carpet cleaning", "window cleaning", "office cleaning",
                 "deep cleaning", "oven cleaning", "holiday let changeovers", "pressure washing",
                 "upholstery cleaning", "after-builders cleaning"],
    "locksmiths": ["emergency lockout", "lock changes", "UPVC door repair", "safe opening", "key cutting",
                   "burglary repairs", "smart locks", "master key systems", "window locks", "garage door locks"],
    "accountancy": ["self assessment", "bookkeeping", "payroll", "VAT returns", "year-end accounts",
                    "company formation", "tax planning", "management accounts", "R&D tax credits",
                    "making tax digital"],
    "legal": ["conveyancing", "wills and probate", "lasting power of attorney", "family law", "employment law",
              "lease extensions", "commercial property", "dispute resolution", "trusts", "debt recovery"],
    "decorating": ["interior painting", "exterior painting", "wallpapering", "plastering", "coving",
                   "spray painting", "woodwork", "feature walls", "damp-proof painting", "colour advice"],
    "carpentry": ["fitted wardrobes", "kitchen fitting", "staircases", "doors hung", "decking", "skirting",
                  "bespoke shelving", "sash window repair", "timber frames", "flooring joists"],
    "heating": ["heat pump installation", "boiler replacement", "underfloor heating", "gas safety certificate",
                "oil boiler servicing", "thermostat upgrades", "system flushing", "cylinder replacement",
                "radiator balancing", "LPG heating"],
    "windows": ["double glazing", "sash windows", "bifold doors", "conservatories", "misted units",
                "secondary glazing", "roof lanterns", "composite doors", "window repairs", "glass replacement"],
    "flooring": ["carpet fitting", "laminate flooring", "engineered oak", "vinyl flooring", "floor sanding",
                 "parquet restoration", "stair carpets", "underlay", "screeding", "commercial flooring"],
    "removals": ["house removals", "office moves", "packing service", "storage", "piano moving", "man and van",
                 "international removals", "clearances", "furniture assembly", "student moves"],
    "pest-control": ["wasp nests", "rodent control", "bird proofing", "moles", "bed bugs", "fleas",
                     "commercial contracts", "squirrels", "cluster flies", "proofing surveys"],
    "solar": ["solar panels", "battery storage", "panel cleaning", "inverter replacement", "system health check",
              "off-grid systems", "solar thermal", "export tariff advice", "bird mesh", "EV solar charging"],
    "drainage": ["blocked drains", "CCTV drain survey", "drain jetting", "septic tanks", "soakaways",
                 "drain relining", "gully cleaning", "treatment plants", "pipe repairs", "manhole repairs"],
    "fencing": ["close board fencing", "gates", "post replacement", "farm fencing", "trellis",
                "security fencing", "fence painting", "railings", "hedge-line fencing", "storm repairs"],
    "tiling": ["bathroom tiling", "kitchen splashbacks", "floor tiling", "wet rooms", "natural stone",
               "grout renewal", "outdoor porcelain", "mosaic work", "tile repairs", "underfloor heating mats"],
}  # fmt: skip
TOWNS = [
    "Exeter",
    "Plymouth",
    "Torquay",
    "Paignton",
    "Barnstaple",
    "Exmouth",
    "Newton Abbot",
    "Tiverton",
    "Bideford",
    "Teignmouth",
    "Tavistock",
    "Brixham",
    "Dawlish",
    "Okehampton",
    "Sidmouth",
    "Ivybridge",
    "Honiton",
    "Crediton",
    "Totnes",
    "Ilfracombe",
    "Kingsbridge",
    "Dartmouth",
    "Cullompton",
    "Ashburton",
    "Bovey Tracey",
    "Buckfastleigh",
    "Modbury",
    "Salcombe",
    "Saint-Étienne",
    "Chudleigh",
]  # fmt: skip (largest first: Zipf weights follow this order)
PLACE_HEADS = ["Ash", "Berry", "Black", "Brad", "Broad", "Chilt", "Church", "Comb", "Dun", "East", "Hol", "Lang",
               "Little", "Long", "Mill", "North", "Oak", "South", "Stoke", "Thorn", "West", "Whit", "Wood",
               "Yar"]  # fmt: skip
PLACE_TAILS = ["bridge", "bury", "combe", "cott", "don", "ford", "ham", "leigh", "minster", "ton", "well",
               "worthy", "stow", "field", "hay"]  # fmt: skip
AREA_COUNT = 400
AREAS_PER_PARTNER = (35, 25, 17, 11, 7, 5)  # weights of 1..6 areas
SERVICES_PER_PARTNER = (10, 20, 22, 18, 13, 10, 7)  # weights of 2..8 services
TESTIMONIALS = (20, 35, 25, 12, 8)  # weights of 0..4 testimonials
TAGS_PER_ARTICLE = (15, 30, 30, 15, 10)  # weights of 1..5 tags
TAG_COUNT = 60
VOCABULARY = 2000
WORDS = [
    "quote", "survey", "boiler", "radiator", "roof", "gutter", "damp", "insulation", "timber", "window", "door",
    "lock", "garden", "hedge", "patio", "invoice", "contract", "warranty", "insurance", "reference", "deposit",
    "schedule", "permit", "drainage", "wiring", "socket", "tile", "paint", "plaster", "flooring", "cleaning",
    "accounts", "payroll", "probate", "lease", "survey", "estimate", "visit", "repair", "install", "service",
    "replace", "inspect", "maintain", "advice", "local", "family", "firm", "trusted", "reliable", "tidy", "prompt",
    "careful",
]  # fmt: skip
FIRST = [
    "Harbour", "Quay", "Moor", "Tide", "Estuary", "Coast", "Valley", "River", "Bay", "Cliff", "Harbourside",
    "Anchor", "Beacon", "Granite", "Oak",
]  # fmt: skip
LAST = [
    "Services", "Works", "Co", "Brothers", "&", "Sons", "Ltd", "Partners", "Group", "Specialists", "Solutions",
    "Trades", "Crafts",
]  # fmt: skip
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


def _syllable_words(count: int, rng: random.Random) -> list[str]:
    """Made-up words of two or three syllables: the long tail of a natural vocabulary."""
    onsets, vowels, codas = (
        ["b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "w"],
        ["a", "e", "i", "o", "u", "ai", "ea", "oo"],
        ["n", "r", "s", "t", "l", "ck", "nd"],
    )
    words: dict[str, None] = {}
    while len(words) < count:
        parts = [rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(rng.randint(2, 3))]
        words["".join(parts)] = None
    return list(words)


def _zipf(count: int, s: float = 1.0) -> list[float]:
    """Cumulative Zipf weights of ranks 1..count (for ``random.choices(cum_weights=...)``)."""
    return list(itertools.accumulate(1 / rank**s for rank in range(1, count + 1)))


def _places() -> list[str]:
    """The 30 towns, largest first, then villages named as the county's are (head + tail)."""
    villages = [f"{head}{tail}" for tail, head in itertools.product(PLACE_TAILS, PLACE_HEADS)]
    random.Random(3).shuffle(villages)
    return [*TOWNS, *villages[: AREA_COUNT - len(TOWNS)]]


_VOCAB_RNG = random.Random(11)
LEXICON = list(
    dict.fromkeys([*WORDS, *(w for t in TRADES for w in t.split("-")), *_syllable_words(VOCABULARY, _VOCAB_RNG)])
)[:VOCABULARY]
LEXICON_WEIGHTS = _zipf(len(LEXICON))
PLACES = _places()
PLACE_WEIGHTS = _zipf(len(PLACES))
TAGS = LEXICON[:TAG_COUNT]
TAG_WEIGHTS = _zipf(TAG_COUNT)


def _pick(rng: random.Random, weights: Sequence[int], low: int) -> int:
    """A count from ``low`` up, by ``weights``."""
    return rng.choices(range(low, low + len(weights)), weights=weights)[0]


def _distinct(rng: random.Random, population: list[str], cum_weights: list[float], count: int) -> list[str]:
    """``count`` distinct values drawn by weight."""
    chosen: dict[str, None] = {}
    while len(chosen) < count:
        chosen[rng.choices(population, cum_weights=cum_weights)[0]] = None
    return list(chosen)


def _lognormal_words(rng: random.Random, median: int, sigma: float, low: int, high: int) -> int:
    return max(low, min(high, round(median * math.exp(rng.gauss(0, sigma)))))


def _text(rng: random.Random, words: int) -> str:
    sentences = []
    while words > 0:
        n = rng.randint(8, 18)
        sentence = " ".join(rng.choices(LEXICON, cum_weights=LEXICON_WEIGHTS, k=min(n, words)))
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
    trade = rng.choice(TRADES)
    name = f"{rng.choice(FIRST)} {trade.replace('-', ' ').title()} {rng.choice(LAST)} {index}"
    slug = f"partner-{index:05d}"
    status = _status(rng)
    data: dict = {
        "name": name,
        "status": status,
        "category": trade,
        "summary": _text(rng, rng.randint(6, 22))[:160].strip(),
        "description": _text(rng, _lognormal_words(rng, 110, 0.5, 30, 400)),
        "services": rng.sample(SERVICES[trade], _pick(rng, SERVICES_PER_PARTNER, 2)),
        "areas": _distinct(rng, PLACES, PLACE_WEIGHTS, _pick(rng, AREAS_PER_PARTNER, 1)),
        "established": rng.randint(1960, 2024),
        "opening_hours": ["Mo-Fr 08:00-17:30"],
        "contact": {
            "person": f"{rng.choice(['Sam', 'Alex', 'Jo', 'Chris', 'Pat'])} {rng.choice(FIRST)}",
            "phone": PHONE_RANGES[index % 3].format(index // 3 % PHONES_PER_RANGE),
            "email": f"hello@{slug}.example",
            "website": f"https://{slug}.example",
        },
        "referrals": {
            "good_fit": [_text(rng, rng.randint(4, 10)) for _ in range(rng.randint(1, 3))],
            "how_to_refer": _text(rng, rng.randint(8, 20)),
        },
        "testimonials": [
            {"quote": _text(rng, rng.randint(12, 60)), "by": f"Client {index}-{n}"}
            for n in range(_pick(rng, TESTIMONIALS, 0))
        ],
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
        tags = _distinct(rng, TAGS, TAG_WEIGHTS, _pick(rng, TAGS_PER_ARTICLE, 1))
        meta += f"Summary: {_text(rng, 16)}\nCategory: Advice\nTags: {', '.join(tags)}\n"
        if featured:
            meta += f"Partners: {', '.join(featured)}\n"
        body = _text(rng, _lognormal_words(rng, 600, 0.35, 250, 1500))
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


def _words(text: str) -> int:
    return len(text.split())


def describe(root: Path) -> dict[str, Any]:
    """The shape of the network in ``root`` as measured from its files (what ``invoke bench`` prints)."""
    partners = [
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for path in sorted((root / "partners").glob("[!_]*.yaml"))
    ]
    articles = [path.read_text(encoding="utf-8").partition("\n\n") for path in (root / "content/articles").glob("*.md")]
    areas = [area for p in partners for area in p.get("areas", [])]
    by_area: dict[str, int] = {}
    for area in areas:
        by_area[area] = by_area.get(area, 0) + 1
    testimonials = [t["quote"] for p in partners for t in p.get("testimonials", [])]
    tags = [
        len(line[5:].split(",")) for head, _, _ in articles for line in head.splitlines() if line.startswith("Tags:")
    ]

    def mean(values: Sequence[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    return {
        "partners": len(partners),
        "distinct_areas": len(by_area),
        "areas_per_partner": mean([len(p.get("areas", [])) for p in partners]),
        "largest_area_share": max(by_area.values(), default=0) / max(1, len(partners)),
        "areas_with_at_most_10_partners": sum(1 for n in by_area.values() if n <= 10),
        "distinct_services": len({s for p in partners for s in p.get("services", [])}),
        "services_per_partner": mean([len(p.get("services", [])) for p in partners]),
        "summary_words": mean([_words(p.get("summary", "")) for p in partners]),
        "description_words": mean([_words(p.get("description", "")) for p in partners]),
        "testimonials_per_partner": mean([len(p.get("testimonials", [])) for p in partners]),
        "testimonial_words": mean([_words(t) for t in testimonials]),
        "articles": len(articles),
        "article_words": mean([_words(body) for _, _, body in articles]),
        "tags_per_article": mean(tags),
        "distinct_words": len({w.strip(".").lower() for p in partners for w in p.get("description", "").split()}),
    }


def shape_line(shape: dict[str, Any]) -> str:
    """``describe``'s figures on two lines."""
    s = shape
    return (
        f"corpus: {s['partners']} partners; {s['distinct_areas']} distinct areas"
        f" ({s['areas_per_partner']:.1f} a partner,"
        f" largest {s['largest_area_share']:.0%} of partners, {s['areas_with_at_most_10_partners']} with <= 10);"
        f" {s['distinct_services']} distinct services ({s['services_per_partner']:.1f} a partner)\n"
        f"        words: summary {s['summary_words']:.0f}, description {s['description_words']:.0f},"
        f" testimonial {s['testimonial_words']:.0f} ({s['testimonials_per_partner']:.1f} a partner),"
        f" article {s['article_words']:.0f} ({s['articles']} articles, {s['tags_per_article']:.1f} tags each);"
        f" {s['distinct_words']} distinct words in descriptions"
    )
