"""A seeded, messy spreadsheet of local businesses in OpenStreetMap's export shape, for ``invoke import``.

The mess is the kind a real export has: rows without a name, repeated names spelt
differently, free-form type values (``yes``, ``beauty;hairdresser;``, underscores), two
phones in one cell, numbers no phone library can place, bare domains and social handles,
markup, curly apostrophes, a very long name. Every number and address is fictional
(Ofcom's drama ranges, ``.example`` domains).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

COLUMNS = (
    "name",
    "shop",
    "craft",
    "addr:housenumber",
    "addr:street",
    "addr:city",
    "addr:postcode",
    "contact:phone",
    "website",
    "contact:email",
    "contact:instagram",
    "opening_hours",
    "description",
)
AREA_CODES = ("0117 496", "0113 496", "020 7946", "0121 496", "0161 496", "0118 496", "0114 496", "0116 496",
              "0131 496", "0141 496", "0151 496")  # fmt: skip
SHOPS = (
    "hairdresser",
    "Hairdresser",
    "beauty;hairdresser;",
    "bakery",
    "butcher",
    "yes",
    "convenience",
    "florist",
    "water_sports",
    "Water Sports",
    "bicycle",
    "optician",
    "",
    "",
    "no",
    "3",
    "gift;books",
    "<b>deli</b>",
)
CRAFTS = ("plumber", "electrician", "roofer", "carpenter", "", "", "", "", "", "Plumbing", "window_construction")
FIRST = ("Harbour", "Quay", "Estuary", "Moorland", "Tidewater", "Creek", "Salt", "Anchor", "Beacon", "Combe", "Dart",
         "Avon", "Erme", "Start Bay", "Prawle", "Bolt", "Church", "Market", "Old Mill", "Sea View")  # fmt: skip
SECOND = ("Bakery", "Hair", "Flowers", "Cycles", "Plumbing", "Electrics", "Roofing", "Deli", "Books", "Optics",
          "Butchers", "Joinery", "Surf School", "Stores", "Beauty", "Gifts")  # fmt: skip
SUFFIX = ("", "", "", " Ltd", " & Sons", " Limited", " Co.", "’s")
TOWNS = ("Kingsbridge", "Salcombe", "Dartmouth", "Totnes", "Modbury", "Thurlestone", "Brixham", "Ivybridge")
STREETS = ("Fore Street", "Quay Road", "Church Street", "Mill Street", "Bridge Street", "Market Place")


def messy_rows(count: int, seed: int = 15) -> list[dict[str, str]]:
    """``count`` rows, about one in twenty without a name and one in ten a repeat of an earlier one."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    numbers = iter(range(10**6))
    for i in range(count):
        n = next(numbers)
        code = AREA_CODES[n // 1000 % len(AREA_CODES)]
        phone = f"{code} {n % 1000:04d}"
        name = f"{rng.choice(FIRST)} {rng.choice(SECOND)}{rng.choice(SUFFIX)} {i}"
        roll = rng.random()
        if roll < 0.05:
            name = ""
        elif roll < 0.15 and rows:
            earlier = rng.choice(rows)["name"] or name
            name = earlier.upper().replace("&", "and") if rng.random() < 0.5 else f"{earlier}."
        elif roll < 0.17:
            name = f"The {name} Traditional Family Bakery, Tea Room and Gift Shop of the South Hams Estuary"
        elif roll < 0.19:
            name = f"<strong>{name}</strong>"
        if rng.random() < 0.1:
            phone = f"{phone}; {AREA_CODES[(n + 3) % len(AREA_CODES)]} {(n + 500) % 1000:04d}"
        elif rng.random() < 0.03:
            phone = rng.choice(("0800 12 34", "07700 900123", "01632 960999"))
        elif rng.random() < 0.1:
            phone = ""
        slug = f"shop{i}"
        website = rng.choice((f"{slug}.example", f"www.{slug}.example", f"https://{slug}.example",
                              f"http://www.{slug}.example/", "", f"@{slug}"))  # fmt: skip
        email = rng.choice((f"hello@{slug}.example", f"mailto:info@{slug}.example", "", "", f"info at {slug}"))
        instagram = rng.choice(("", "", f"@{slug}", f"https://www.instagram.com/{slug}", slug))
        hours = rng.choice(("", "", "Mo-Fr 09:00-17:30; Sa 09:00-13:00", "Mo-Sa 08:00-18:00", "by appointment"))
        rows.append({
            "name": name,
            "shop": rng.choice(SHOPS),
            "craft": rng.choice(CRAFTS),
            "addr:housenumber": str(rng.randint(1, 120)) if rng.random() < 0.7 else "",
            "addr:street": rng.choice(STREETS),
            "addr:city": rng.choice(TOWNS),
            "addr:postcode": rng.choice(("TQ7 1AA", "TQ8 8BB", "TQ6 9CC", "")),
            "contact:phone": phone,
            "website": website,
            "contact:email": email,
            "contact:instagram": instagram,
            "opening_hours": hours,
            "description": rng.choice(("", "Family firm since 1998 &amp; proud of it.", "<p>Fresh <em>daily</em></p>")),
        })  # fmt: skip
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else list(COLUMNS), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path
