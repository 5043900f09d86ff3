"""Turn pydantic's validation errors into messages an editor can act on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from difflib import get_close_matches
from typing import Any

from vouch.model import IMAGE_RE, NON_BLANK_RE, OPENING_HOURS_RE
from vouch.slugs import SLUG_RE

YAML11_BOOLEANS = {"yes", "no", "on", "off", "true", "false"}

_EXPECTED_BY_TYPE = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "date_type": "a date written as YYYY-MM-DD",
    "date_from_datetime_inexact": "a date without a time",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
    "missing": "a value (this field is required)",
    "too_short": "at least one item",
}

_EXPECTED_BY_PATTERN = {
    NON_BLANK_RE: "a non-empty string",
    SLUG_RE: "a key (lower-case letters, digits and single hyphens)",
    OPENING_HOURS_RE: "opening hours such as 'Mo-Fr 08:00-17:30'",
    r"^[A-Z]{2}$": "a two-letter country code such as GB",
    r"^https?://": "an http/https URL such as https://example.org",
    r"^https://": "an https URL such as https://example.org",
    r"^[^@\s]+@[^@\s]+$": "an e-mail address",
    IMAGE_RE: "an image file under content/ (.png, .jpg, .jpeg, .gif, .svg, .webp or .avif)",
}


def describe(value: Any) -> str:
    """A short, unambiguous rendering of what the file held."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return repr(text)
    return str(value)


def yaml_hint(value: Any, raw: str | None, expected: str) -> str:  # noqa: PLR0911
    """Explain the YAML 1.1 surprises: unquoted yes, numbers, dates."""
    if raw is None:
        return ""
    if isinstance(value, bool) and raw.lower() in YAML11_BOOLEANS:
        return f" (YAML reads {raw} as a boolean: quote it)"
    if isinstance(value, int | float) and not isinstance(value, bool) and "string" in expected:
        return f" (YAML reads {raw} as a number: quote it)"
    if isinstance(value, dt.date) and "string" in expected:
        return f" (YAML reads {raw} as a date: quote it)"
    if isinstance(value, str) and "date" in expected:
        return " (write the date unquoted)"
    if isinstance(value, str) and expected == "a whole number":
        return " (write the number unquoted)"
    return ""


def from_pydantic(
    error: dict[str, Any], raw: str | None, siblings: tuple[str, ...], homes: Mapping[str, str] | None = None
) -> str:
    """The message part (after ``field: ``) for one pydantic error.

    ``homes`` maps a field that exists at one other level to that level, so a key
    written at the wrong indentation is told where it belongs.
    """
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        if homes and key in homes:
            return f"unknown field here; {key} belongs under {homes[key]}: (indent it below that key)"
        close = get_close_matches(key, siblings, n=1)
        if close:
            return f"unknown field; did you mean '{close[0]}'?"
        return f"unknown field; expected one of {', '.join(siblings)}"
    detail = ""
    if kind == "vouch":
        expected, value = ctx["expected"], ctx.get("got", value)  # the validator names the offending part
        detail = ctx.get("detail", "")
    elif kind == "literal_error":
        expected = "one of " + ctx["expected"].replace("'", "").replace(" or ", ", ")
    elif kind == "string_pattern_mismatch":
        expected = _EXPECTED_BY_PATTERN.get(ctx["pattern"], f"text matching {ctx['pattern']}")
    elif kind == "string_too_short":
        expected = "a non-empty string"
    elif kind == "string_too_long":
        return f"expected at most {ctx['max_length']} characters; got {len(value)}"
    elif kind == "too_long":
        return f"expected at most {ctx['max_length']} items; got {ctx['actual_length']}"
    elif kind in {"greater_than_equal", "less_than_equal"}:
        expected = "a year such as 1998"
    else:
        expected = _EXPECTED_BY_TYPE.get(kind, error["msg"].lower())
    got = "nothing" if kind == "missing" else describe(value)
    return f"expected {expected}; got {got}{yaml_hint(value, raw, expected)}{detail}"
