"""Phone numbers shown the way people dial them, with a tel: link."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from vouch.pickling import quick_pickle


@quick_pickle
@dataclass(frozen=True, slots=True)
class Phone:
    display: str  # national format at home, international abroad
    uri: str  # tel:+441174960100


def format_phone(raw: str, region: str, as_written: bool = False) -> Phone:
    """``as_written``: the editor confirmed a number the library cannot place: shown unchanged, dialled by digits."""
    if as_written:
        return Phone(raw, "tel:" + re.sub(r"(?!^\+)[^\d]", "", raw.strip()))
    number = phonenumbers.parse(raw, region)
    home = phonenumbers.region_code_for_number(number) == region
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(phonenumbers.format_number(number, fmt), f"tel:{e164}")
