"""A partner's contact card as vCard 3.0, written as vobject writes it, without its object model.

vobject's serialisation cost 0.56 ms a card (4.6 s of CPU at 10,000 partners); the card
is a handful of text lines, so they are written here with vobject's escaping, property
order and folding. tests/test_vcard.py checks the bytes equal vobject's for generated
hostile profiles (vobject, a test dependency now, is the reference there).
"""

from __future__ import annotations

from vouch.public import Partner

_FOLD_AT = 75  # octets a line, as vobject folds


def vcard(partner: Partner, profile_url: str) -> str:
    name = _escape(partner.name)
    lines = {"fn": f"FN:{name}", "n": f"N:{name};;;;", "org": f"ORG:{name}", "source": f"SOURCE:{_escape(profile_url)}"}
    contact = partner.contact
    if contact is not None:
        if contact.person:
            lines["note"] = f"NOTE:{_escape(f'Contact: {contact.person}')}"
        if contact.phone:
            lines["tel"] = f"TEL;TYPE=WORK:{_escape(contact.phone.uri.removeprefix('tel:'))}"
        if contact.email:
            lines["email"] = f"EMAIL;TYPE=INTERNET:{_escape(contact.email)}"
        if contact.website:
            lines["url"] = f"URL:{_escape(contact.website)}"
        if contact.address:
            a = contact.address
            parts = ("", "", a.street, a.locality, a.region, a.postcode, a.country)
            lines["adr"] = "ADR;TYPE=WORK:" + ";".join(_escape(p or "") for p in parts)
    body = [lines[key] for key in sorted(lines)]  # vobject: VERSION first, then by property name
    return "".join(_fold(line) for line in ("BEGIN:VCARD", "VERSION:3.0", *body, "END:VCARD"))


def _escape(text: str) -> str:
    """vobject's ``backslashEscape`` (RFC 2426 text)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    """vobject's ``foldOneLine``: lines of 75 characters or more are cut before 75 UTF-8 octets."""
    if len(line) < _FOLD_AT:
        return line + "\r\n"
    out, octets = [], 0
    for char in line:
        size = len(char.encode())
        if octets + size > _FOLD_AT:
            out.append("\r\n ")
            octets = 1
        out.append(char)
        octets += size
    return "".join(out) + "\r\n"
