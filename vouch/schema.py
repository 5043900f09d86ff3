"""The JSON Schema of a profile, from the same model the validator uses.

It names the site's own categories and checks, so an editor's YAML support
offers them while typing; ``invoke schema`` regenerates it after a registry
changes, and ``invoke check`` says when it is out of date.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from vouch.model import ProfileFile
from vouch.strictyaml import YamlProblem, load

SCHEMA_PATH = "schema/partner.schema.json"


def profile_schema(categories: Iterable[str] = (), checks: Iterable[str] = ()) -> str:
    schema = ProfileFile.model_json_schema(mode="validation")
    if categories := sorted(categories):
        schema["properties"]["category"]["enum"] = categories
    if checks := sorted(checks):
        schema["$defs"]["Vetting"]["properties"]["checks"]["items"]["enum"] = checks
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://vouch.example/schema/partner.schema.json",
        **schema,
        # A vetted partner needs its vetting block (the validator says so too).
        "if": {"properties": {"status": {"const": "vetted"}}, "required": ["status"]},
        "then": {"required": ["vetting"]},
    }
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def registry_keys(partners_dir: Path) -> tuple[list[str], list[str]]:
    """The category and check keys the schema lists (unreadable registries list none)."""
    out = []
    for name in ("_categories.yaml", "_checks.yaml"):
        try:
            data = load((partners_dir / name).read_text(encoding="utf-8")).data
        except (OSError, UnicodeDecodeError, YamlProblem):
            data = None
        out.append(sorted(str(k) for k in data) if isinstance(data, dict) else [])
    return out[0], out[1]


def site_schema(root: Path) -> str:
    """The schema for the site in ``root``: its own registries named."""
    return profile_schema(*registry_keys(root / "partners"))
