"""``invoke new-partner``: a profile to fill in, pending until someone vouches."""

from __future__ import annotations

import datetime as dt
import json

SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/partner.schema.json"


def new_profile(
    name: str,
    category: str,
    email: str = "",
    phone: str = "",
    today: dt.date | None = None,
    categories: list[str] | None = None,
) -> str:
    """YAML text for a new, pending profile that validates as it is; the rest is commented out."""
    on = today or dt.date.today()
    next_year = on.replace(year=on.year + 1, day=min(on.day, 28))

    def quoted(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML string

    lines = [
        SCHEMA_COMMENT,
        f"name: {quoted(name)}",
        "status: pending          # pending | vetted | suspended | retired",
        f"category: {category}" + (f"  # one of: {', '.join(categories)}" if categories else ""),
        "# summary: One line, at most 160 characters.",
        "# description: |",
        "#   What they do, for whom, since when (Markdown).",
        "services: []",
        "areas: []",
        "contact:",
        f"  email: {quoted(email)}" if email else "  # email: someone@example.org",
        f"  phone: {quoted(phone)}" if phone else '  # phone: "+44 117 496 0100"',
        "# When the checks are done, set status: vetted and add:",
        "# vetting:",
        f"#   vetted_on: {on.isoformat()}",
        "#   vouched_by: Your Name",
        "#   checks: [references, insurance]",
        f"#   review_by: {next_year.isoformat()}  # optional; default vetted_on + VETTING_VALID_DAYS",
        "#   notes: private, never published",
        "",
    ]
    return "\n".join(lines)
