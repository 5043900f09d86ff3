"""The JSON Schema (for editors) and the validator agree, as far as a schema can.

yaml-language-server reads YAML 1.2: dates stay strings and only true/false
are booleans. Every file the validator accepts must pass the schema; the bad
files only the validator can catch are listed, so nobody expects the schema
to catch them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.sitekit import CATEGORIES, CHECKS, REPO, make_site
from vouch.profiles import Options, load_partners
from vouch.schema import SCHEMA_PATH, profile_schema, site_schema


class Yaml12Loader(yaml.SafeLoader):
    """What an editor's YAML 1.2 language server sees."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}  # fmt: skip
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))

DEMO = jsonschema.Draft202012Validator(json.loads((REPO / SCHEMA_PATH).read_text()))
VALID = jsonschema.Draft202012Validator(json.loads(profile_schema(CATEGORIES, CHECKS)))  # the test sites' registries

GOOD_HEAD = "name: Harbour\nstatus: vetted\ncategory: plumbing\n"
VETTING = "vetting:\n  vetted_on: 2026-01-01\n  vouched_by: Jim\n  checks: [references]\n"
BAD = {
    "typo-key": GOOD_HEAD + VETTING + "staus: x\n",
    "bad-status": "name: H\nstatus: maybe\ncategory: plumbing\n",
    "number-for-name": "name: 42\nstatus: pending\ncategory: plumbing\n",
    "javascript-website": GOOD_HEAD + VETTING + "contact: {website: 'javascript:alert(1)'}\n",
    "http-social": GOOD_HEAD + VETTING + "contact: {social: ['http://x.example']}\n",
    "long-summary": GOOD_HEAD + VETTING + "summary: " + "x" * 161 + "\n",
    "empty-name": "name: ''\nstatus: pending\ncategory: plumbing\n",
    "bad-hours": GOOD_HEAD + VETTING + "opening_hours: ['9 to 5']\n",
    "logo-without-alt": GOOD_HEAD + VETTING + "logo: {src: images/x.svg}\n",
    "not-an-email": GOOD_HEAD + VETTING + "contact: {email: nobody}\n",
    "unknown-category": "name: H\nstatus: pending\ncategory: juggling\n",
    "unknown-check": GOOD_HEAD + "vetting:\n  vetted_on: 2026-01-01\n  vouched_by: Jim\n  checks: [vibes]\n",
    "vetted-without-vetting": GOOD_HEAD,
    # Only the validator can catch these:
    "duplicate-key": GOOD_HEAD + VETTING + "name: Again\n",
    "alias": "name: &n Harbour\nstatus: pending\ncategory: plumbing\nsummary: *n\n",
    "invalid-phone": GOOD_HEAD + VETTING + "contact: {phone: '0117 496'}\n",
    "Bad_File_Name": "name: H\nstatus: pending\ncategory: plumbing\n",
    "impossible-date": GOOD_HEAD + "vetting:\n  vetted_on: 2026-02-30\n  vouched_by: Jim\n  checks: [references]\n",
    "email-with-bad-domain": GOOD_HEAD + VETTING + "contact: {email: someone@localhost}\n",
}
ONLY_THE_VALIDATOR = {
    "duplicate-key", "alias", "invalid-phone", "Bad_File_Name", "impossible-date", "email-with-bad-domain",
}  # fmt: skip


def schema_accepts(text: str, validator: jsonschema.Validator = VALID) -> bool:
    try:
        data = yaml.load(text, Loader=Yaml12Loader)
    except yaml.YAMLError:
        return False
    return validator.is_valid(data)


def test_schema_accepts_every_demo_profile() -> None:
    for path in sorted((REPO / "partners").glob("[!_]*.yaml")):
        errors = [e.message for e in DEMO.iter_errors(yaml.load(path.read_text(), Loader=Yaml12Loader))]
        assert errors == [], path.name


def test_schema_accepts_what_the_validator_accepts_over_a_generated_network(tmp_path: Path) -> None:
    from bench.generate import generate

    generate(tmp_path, partners=300, articles=0, issues=0)
    loaded = load_partners(tmp_path / "partners", tmp_path / "content")
    accepted = {p.slug for p in loaded.profiles}
    assert len(accepted) == 300
    validator = jsonschema.Draft202012Validator(json.loads(site_schema(tmp_path)))
    for slug in accepted:
        assert schema_accepts((tmp_path / "partners" / f"{slug}.yaml").read_text(), validator), slug


@pytest.mark.parametrize("case", sorted(BAD))
def test_every_bad_file_fails_the_validator(tmp_path: Path, case: str) -> None:
    make_site(tmp_path, {case: BAD[case]})
    loaded = load_partners(tmp_path / "partners", tmp_path / "content", Options())
    assert loaded.problems, case


def test_the_cases_only_the_validator_catches_are_exactly_these() -> None:
    caught_by_schema = {case for case, text in BAD.items() if not schema_accepts(text)}
    assert set(BAD) - caught_by_schema == ONLY_THE_VALIDATOR
