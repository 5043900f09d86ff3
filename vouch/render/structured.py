"""Machine-readable outputs: schema.org JSON-LD and /partners.json."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from vouch.public import Partner

_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: Any) -> str:
    """JSON that no string can use to close its ``<script>`` element."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).translate(_SCRIPT_SAFE)


def _address(partner: Partner) -> dict[str, str] | None:
    contact = partner.contact
    if contact is None or contact.address is None:
        return None
    a = contact.address
    fields = {
        "streetAddress": a.street,
        "addressLocality": a.locality,
        "addressRegion": a.region,
        "postalCode": a.postcode,
        "addressCountry": a.country,
    }
    return {"@type": "PostalAddress", **{k: v for k, v in fields.items() if v}}


def local_business(partner: Partner, url: str, logo_url: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "name": partner.name,
        "url": url,
    }
    contact = partner.contact
    optional: dict[str, Any] = {
        "description": partner.summary,
        "foundingDate": str(partner.established) if partner.established else None,
        "areaServed": [a.name for a in partner.areas] or None,
        "openingHours": list(partner.opening_hours) or None,
        "logo": logo_url,
        "address": _address(partner),
    }
    if contact is not None:
        optional |= {
            "telephone": contact.phone.uri.removeprefix("tel:") if contact.phone else None,
            "email": contact.email,
            "sameAs": [u for u in (contact.website, *contact.social) if u] or None,
        }
    data |= {k: v for k, v in optional.items() if v is not None}
    return data


def partner_record(partner: Partner, url: str) -> dict[str, Any]:
    """One entry of /partners.json: public fields only, in the SPEC's shape."""
    contact = partner.contact
    record: dict[str, Any] = {
        "slug": partner.slug,
        "name": partner.name,
        "category": partner.category,
        "summary": partner.summary,
        "areas": [a.name for a in partner.areas],
        "services": list(partner.services),
        "contact": None,
        "vetting": {
            "vetted_on": partner.vetting.vetted_on.isoformat(),
            "review_by": partner.vetting.review_by.isoformat(),
            "vouched_by": partner.vetting.vouched_by,
            "checks": list(partner.vetting.checks),
        },
        "url": url,
    }
    if contact is not None:
        a = contact.address
        record["contact"] = {
            "person": contact.person,
            "phone": contact.phone.uri.removeprefix("tel:") if contact.phone else None,
            "email": contact.email,
            "website": contact.website,
            "social": list(contact.social),
            "address": None
            if a is None
            else {
                "street": a.street,
                "locality": a.locality,
                "region": a.region,
                "postcode": a.postcode,
                "country": a.country,
            },
        }
    return record


def partners_json(records: list[dict[str, Any]], generated: dt.date) -> str:
    # Compact: json's C encoder only runs without indent (ten times faster on a big network).
    return json.dumps({"generated": generated.isoformat(), "partners": records}, ensure_ascii=False) + "\n"


def article_data(
    title: str,
    url: str,
    published: dt.datetime,
    modified: dt.datetime | None,
    publisher: str,
    mentions: list[tuple[str, str]],
) -> dict[str, Any]:
    """schema.org Article; ``mentions`` are (name, absolute profile URL) of featured partners."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": title,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": published.isoformat(),
        "dateModified": (modified or published).isoformat(),
        "author": {"@type": "Organization", "name": publisher},
        "publisher": {"@type": "Organization", "name": publisher},
    }
    if mentions:
        data["mentions"] = [{"@type": "LocalBusiness", "name": name, "url": link} for name, link in mentions]
    return data
