"""Pelican adapter: the partner directory pages, rendered from public models.

Partner pages are not Pelican articles: they are rendered straight from the
validated, published models with the theme's compiled templates, which is
several times cheaper than going through Pelican's readers and writer.
"""

from __future__ import annotations

from pelican import signals

from .generator import PartnersGenerator


def get_generators(_pelican: object) -> type[PartnersGenerator]:
    return PartnersGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
