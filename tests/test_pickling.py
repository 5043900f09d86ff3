"""Published partners come back from the validation child as they went in (vouch/pickling.py)."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, fields

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vouch.pickling import quick_pickle
from vouch.public import Partner


@given(st.builds(Partner))
def test_a_partner_pickles_back_equal_field_by_field(partner: Partner) -> None:
    back = pickle.loads(pickle.dumps(partner, protocol=5))
    assert back == partner
    assert [type(getattr(back, f.name)) for f in fields(Partner)] == [
        type(getattr(partner, f.name)) for f in fields(Partner)
    ]


def test_a_one_field_class_is_refused() -> None:
    with pytest.raises(TypeError, match="one field"):

        @quick_pickle
        @dataclass(frozen=True, slots=True)
        class One:
            value: int
