"""The public partner model: what a page, feed, JSON or vCard may show.

It has no field for vetting notes, ``private:`` or status, so nothing that
renders from it can leak them. ``to_public`` is the one way in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vouch.phones import Phone
from vouch.pickling import quick_pickle
from vouch.profiles import Profile
from vouch.slugs import slugify


@quick_pickle
@dataclass(frozen=True, slots=True)
class Area:
    name: str
    slug: str


@quick_pickle
@dataclass(frozen=True, slots=True)
class Address:
    street: str | None
    locality: str | None
    region: str | None
    postcode: str | None
    country: str | None

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(x for x in (self.street, self.locality, self.region, self.postcode) if x)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Contact:
    person: str | None
    phone: Phone | None
    email: str | None
    website: str | None
    social: tuple[str, ...]
    address: Address | None


@quick_pickle
@dataclass(frozen=True, slots=True)
class Vetting:
    vetted_on: dt.date
    review_by: dt.date
    vouched_by: str
    checks: tuple[str, ...]


@quick_pickle
@dataclass(frozen=True, slots=True)
class Referrals:
    good_fit: tuple[str, ...]
    not_a_fit: tuple[str, ...]
    how_to_refer: str | None


@quick_pickle
@dataclass(frozen=True, slots=True)
class Testimonial:
    quote: str
    by: str
    date: dt.date | None


@quick_pickle
@dataclass(frozen=True, slots=True)
class Logo:
    src: str
    alt: str


@quick_pickle
@dataclass(frozen=True, slots=True)
class Partner:
    slug: str
    name: str
    category: str
    summary: str | None
    description: str | None  # Markdown; the site renders and sanitises it
    services: tuple[str, ...]
    areas: tuple[Area, ...]
    established: int | None
    logo: Logo | None
    opening_hours: tuple[str, ...]
    contact: Contact | None
    vetting: Vetting
    referrals: Referrals | None
    testimonials: tuple[Testimonial, ...]


def to_public(profile: Profile) -> Partner:
    """Copy the public fields of a *published* profile, field by field."""
    f = profile.file
    vet = f.vetting
    if vet is None or profile.review_by is None:
        raise ValueError(f"{profile.slug} is not vetted")  # publish() never asks this
    contact = None
    if f.contact is not None:
        c = f.contact
        a = c.address
        contact = Contact(
            person=c.person,
            phone=profile.phone,
            email=c.email,
            website=c.website,
            social=tuple(c.social),
            address=Address(a.street, a.locality, a.region, a.postcode, a.country) if a else None,
        )
    r = f.referrals
    return Partner(
        slug=profile.slug,
        name=f.name.strip(),
        category=f.category,
        summary=f.summary,
        description=f.description,
        services=tuple(f.services),
        areas=tuple(Area(name.strip(), slugify(name)) for name in f.areas),
        established=f.established,
        logo=Logo(f.logo.src, f.logo.alt) if f.logo else None,
        opening_hours=tuple(f.opening_hours),
        contact=contact,
        vetting=Vetting(vet.vetted_on, profile.review_by, vet.vouched_by, tuple(vet.checks)),
        referrals=Referrals(tuple(r.good_fit), tuple(r.not_a_fit), r.how_to_refer) if r else None,
        testimonials=tuple(Testimonial(t.quote, t.by, t.date) for t in f.testimonials),
    )
