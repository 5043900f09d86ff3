"""Build small throw-away sites for tests (a folder tree and a real build)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DEMO_EPOCH = "1795608000"  # 2026-11-25 12:00 UTC: the demo's "today" in tests

CATEGORIES = {
    "plumbing": {"title": "Plumbing", "description": "Pipes, boilers and bathrooms."},
    "electrical": {"title": "Electrical", "description": "Wiring and repairs."},
}
CHECKS = {
    "references": {"title": "References taken", "description": "Two past clients called."},
    "insurance": {"title": "Insurance seen", "description": "Certificate in date."},
}
PELICANCONF = """\
SITENAME = "Test Network"
SITEURL = "https://test.example"
TIMEZONE = "UTC"
"""


def make_site(root: Path, profiles: dict[str, dict | str], files: dict[str, str | bytes] | None = None) -> Path:
    """A site folder: registries, the given profiles (dicts or raw YAML), extra files."""
    (root / "partners").mkdir(parents=True, exist_ok=True)
    (root / "content").mkdir(exist_ok=True)
    (root / "pelicanconf.py").write_text(PELICANCONF)
    (root / "partners" / "_categories.yaml").write_text(yaml.safe_dump(CATEGORIES))
    (root / "partners" / "_checks.yaml").write_text(yaml.safe_dump(CHECKS))
    for slug, profile in profiles.items():
        text = profile if isinstance(profile, str) else yaml.safe_dump(profile, allow_unicode=True, sort_keys=False)
        (root / "partners" / f"{slug}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    for rel, data in (files or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    return root


def vetted(name: str, vetted_on: str = "2026-01-10", review_by: str | None = "2030-01-10", **extra) -> dict:
    """A minimal published-looking profile as a dict."""
    import datetime as dt

    vetting: dict = {
        "vetted_on": dt.date.fromisoformat(vetted_on),
        "vouched_by": "Jim Carter",
        "checks": ["references"],
    }
    if review_by:
        vetting["review_by"] = dt.date.fromisoformat(review_by)
    return {"name": name, "status": "vetted", "category": "plumbing", "vetting": vetting, **extra}


def read_tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# Spellings of {partner}SLUG that Markdown escapes, HTML entities, nh3's re-serialisation, URL
# decoding or a stripped comment or tag turn back into a reference, or show as one (issue 12).
REFERENCE_SPELLINGS = (
    r"{partner\}SLUG",
    r"\{partner\}SLUG",
    "&#123;partner&#125;SLUG",
    "&#x7B;partner&#x7d;SLUG",
    "&#123partner&#125SLUG",
    "&lbrace;partner&rbrace;SLUG",
    "&lcub;partner&rcub;SLUG",
    "{&#112;artner}SLUG",
    "[them](%7Bpartner%7DSLUG)",
    "[them](%257Bpartner%257DSLUG)",
    "[them](&#123;partner&#125;SLUG)",
    '<a href="&#x7b;partner&#x7d;SLUG">them</a>',
    '[them](https://example.org/ "&#123;partner&#125;SLUG")',
    "{partner}<!-- note -->SLUG",
    "{<span></span>partner}SLUG",
    "{partner<!--\n-->}SLUG",
)


PAGEFIND_UNSTABLE = ("pagefind/filter/", "pagefind/pagefind-entry.json")  # Pagefind 1.5 renames these per run


def stable_tree(folder: Path) -> dict[str, bytes]:
    """The tree minus the Pagefind files whose names and order change on every run (SPEC section 7)."""
    return {
        rel: data
        for rel, data in read_tree(folder).items()
        if not rel.startswith(PAGEFIND_UNSTABLE) and not rel.endswith(".pf_meta")
    }


def readable_tree(folder: Path) -> dict[str, bytes]:
    """The tree with Pagefind's gzipped index files decompressed, so canaries can be searched for."""
    import gzip

    tree = read_tree(folder)
    return {rel: gzip.decompress(data) if rel.startswith("pagefind/") and ".pf_" in rel else data
            for rel, data in tree.items()}  # fmt: skip
