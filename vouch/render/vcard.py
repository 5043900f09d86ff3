"""A partner's contact card as vCard 3.0 (vobject does the escaping and folding)."""

from __future__ import annotations

import vobject

from vouch.public import Partner


def vcard(partner: Partner, profile_url: str) -> str:
    card = vobject.vCard()
    card.add("fn").value = partner.name
    card.add("n").value = vobject.vcard.Name(family=partner.name)
    card.add("org").value = [partner.name]
    contact = partner.contact
    if contact is not None:
        if contact.person:
            card.add("note").value = f"Contact: {contact.person}"
        if contact.phone:
            tel = card.add("tel")
            tel.value = contact.phone.uri.removeprefix("tel:")
            tel.type_param = "WORK"
        if contact.email:
            email = card.add("email")
            email.value = contact.email
            email.type_param = "INTERNET"
        if contact.website:
            card.add("url").value = contact.website
        if contact.address:
            a = contact.address
            adr = card.add("adr")
            adr.value = vobject.vcard.Address(
                street=a.street or "",
                city=a.locality or "",
                region=a.region or "",
                code=a.postcode or "",
                country=a.country or "",
            )
            adr.type_param = "WORK"
    card.add("source").value = profile_url
    return card.serialize()
