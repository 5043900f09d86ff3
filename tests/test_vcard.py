"""The vCard writer gives vobject's bytes exactly, for hostile profiles too."""

from __future__ import annotations

import datetime as dt

import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from vouch.phones import Phone
from vouch.public import Address, Contact, Partner, Vetting
from vouch.render.vcard import vcard

# Commas, semicolons, backslashes, every kind of line end, multi-octet characters (folding), long runs.
_HOSTILE = st.sampled_from(
    ["a", "Z", " ", ",", ";", ":", "\\", "\n", "\r\n", "\r", "é", "東", "😀", '"', "=", "x" * 40]
)
_TEXT = st.lists(_HOSTILE, max_size=60).map("".join) | st.text(
    st.characters(blacklist_categories=("Cs",)), max_size=120
)
_OPTIONAL = st.none() | _TEXT


def _partner(name: str, contact: Contact | None) -> Partner:
    vetting = Vetting(dt.date(2026, 1, 1), dt.date(2027, 1, 1), "A member", ())
    return Partner(
        slug="p", name=name, category="c", summary=None, description=None, services=(), areas=(),
        established=None, logo=None, opening_hours=(), contact=contact, vetting=vetting, referrals=None,
        testimonials=(),
    )  # fmt: skip


_ADDRESS = st.builds(Address, _OPTIONAL, _OPTIONAL, _OPTIONAL, _OPTIONAL, _OPTIONAL)
_PHONE = st.builds(lambda t: Phone(t, "tel:" + t), _TEXT)
_CONTACT = st.builds(Contact, _OPTIONAL, st.none() | _PHONE, _OPTIONAL, _OPTIONAL, st.just(()), st.none() | _ADDRESS)


def vobject_vcard(partner: Partner, profile_url: str) -> str:
    """The card as vobject writes it (what vouch/render/vcard.py wrote before it stopped using vobject)."""
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
                street=a.street or "", city=a.locality or "", region=a.region or "", code=a.postcode or "",
                country=a.country or "",
            )  # fmt: skip
            adr.type_param = "WORK"
    card.add("source").value = profile_url
    return card.serialize()


@settings(max_examples=300, deadline=None)
@given(_TEXT.filter(bool), st.none() | _CONTACT, _TEXT)
def test_vcard_equals_vobjects_serialisation(name: str, contact: Contact | None, url: str) -> None:
    partner = _partner(name, contact)
    assert vcard(partner, url) == vobject_vcard(partner, url)


def test_a_full_card_round_trips_through_vobject() -> None:
    address = Address("1, High St; Unit \\2", "Tôwn", None, "AB1 2CD", "UK")
    contact = Contact("Sam\nHarbour", Phone("0117", "tel:+441174960100"), "a@b.org", "https://b.org", (), address)
    text = vcard(_partner("Harbour, Sons; & Co " + "é" * 80, contact), "https://e.org/partners/p/")
    card = vobject.readOne(text)
    assert card.fn.value == "Harbour, Sons; & Co " + "é" * 80
    assert card.adr.value.street == "1, High St; Unit \\2" and card.note.value == "Contact: Sam\nHarbour"
    assert card.tel.value == "+441174960100" and all(len(line.encode()) <= 75 for line in text.split("\r\n"))
