"""The JSON Schema of a profile, from the same model the validator uses."""

from __future__ import annotations

import json

from vouch.model import ProfileFile

SCHEMA_PATH = "schema/partner.schema.json"


def profile_schema() -> str:
    schema = ProfileFile.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://vouch.example/schema/partner.schema.json",
        **schema,
    }
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
