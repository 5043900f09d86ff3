"""Partner profiles (SPEC section 2): every bad input is one exact, actionable message.

Each case writes one small file into a throw-away ``partners/`` folder and runs
the real loader from inside ``tmp_path``, so messages read exactly as an editor
sees them: ``partners/harbour.yaml:2: status: expected ...; got ...``.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from vouch.problems import ValidationFailed, sort_problems
from vouch.profiles import Loaded, Options, load_partners

CATEGORIES = """\
plumbing:
  title: Plumbing & Heating
  description: Boilers, bathrooms and leaks.
electrical:
  title: Electrical
  description: Rewires and safety certificates.
"""
CHECKS = """\
references:
  title: References
  description: Two past clients called.
insurance:
  title: Insurance
  description: Public liability certificate seen.
"""
# Lines 1-3 of most cases; the field under test is written from line 4 on.
HEAD = "name: Harbour Plumbing\nstatus: pending\ncategory: plumbing\n"
DEFAULT = Options()
VETTED = "name: Harbour Plumbing\nstatus: vetted\ncategory: plumbing\n"

COMPLETE = """\
name: Harbour Plumbing & Heating
status: vetted
category: plumbing
summary: Boilers, bathrooms and emergency call-outs.
description: |
  Family firm since 1998, *Gas Safe* registered.
services: [boiler servicing, bathroom fitting]
areas: [Kingsbridge, Salcombe, Saint-Étienne]
established: 1998
logo: {src: images/logo.png, alt: Harbour Plumbing van}
opening_hours: ["Mo-Fr 08:00-17:30", "Sa 09:00-12:00"]
contact:
  person: Fred Jones
  phone: "+44 117 496 0100"
  email: fred@harbour.example
  website: https://harbour.example
  social: [https://www.instagram.com/harbourplumbing]
  address: {street: 1 Quay St, locality: Kingsbridge, region: Devon, postcode: TQ7 1AA, country: GB}
vetting:
  vetted_on: 2026-03-01
  vouched_by: Jim Carter
  checks: [references, insurance]
  notes: "Spoke to two past clients."
referrals:
  good_fit: [homeowners with boilers over 10 years old, landlords]
  not_a_fit: [new-build developments]
  how_to_refer: Call Fred before 9am, or e-mail with the address and photos.
testimonials:
  - {quote: "Fixed our boiler on Christmas Eve.", by: "A. Smith, Salcombe", date: 2025-12-24}
private:
  owner_mobile: "07700 900123"
"""


Check = Callable[..., list[str]]


class Network:
    """A ``partners/`` and ``content/`` folder in the current directory, addressed relatively."""

    partners = Path("partners")
    content = Path("content")

    def __init__(self) -> None:
        self.partners.mkdir()
        (self.content / "images").mkdir(parents=True)
        (self.content / "images" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        self.write("_categories.yaml", CATEGORIES)
        self.write("_checks.yaml", CHECKS)

    def write(self, name: str, text: str) -> None:
        (self.partners / name).write_text(text, encoding="utf-8", newline="")

    def load(self, options: Options = DEFAULT, cache_dir: Path | None = None) -> Loaded:
        return load_partners(self.partners, self.content, options, cache_dir)

    def problems(self, options: Options = DEFAULT, cache_dir: Path | None = None) -> list[str]:
        """Every problem as printed, in the order a build reports them."""
        return [str(p) for p in sort_problems(self.load(options, cache_dir).problems)]


@pytest.fixture
def network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Network:
    """Run from ``tmp_path`` so that problems name ``partners/<file>`` as an editor would."""
    monkeypatch.chdir(tmp_path)
    return Network()


@pytest.fixture
def problems_of(network: Network) -> Check:
    """Write one profile (``partners/harbour.yaml`` unless named) and return its problems."""

    def check(text: str, name: str = "harbour.yaml", options: Options = DEFAULT) -> list[str]:
        network.write(name, text)
        return network.problems(options)

    return check


def at(line: int | None, rest: str, file: str = "harbour.yaml") -> str:
    where = f"partners/{file}:{line}" if line else f"partners/{file}"
    return f"{where}: {rest}"


# --- types are strict ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "name: 1234\nstatus: pending\ncategory: plumbing\n",
            at(1, "name: expected a string; got 1234 (YAML reads 1234 as a number: quote it)"),
            id="number-for-name",
        ),
        pytest.param(
            HEAD + "summary: 42\n",
            at(4, "summary: expected a string; got 42 (YAML reads 42 as a number: quote it)"),
            id="number-for-summary",
        ),
        pytest.param(
            HEAD + "contact:\n  phone: 441174960100\n",
            at(5, "contact.phone: expected a string; got 441174960100 (YAML reads 441174960100 as a number: quote it)"),
            id="number-for-phone",
        ),
        pytest.param(
            HEAD + "areas: [Kingsbridge, 12]\n",
            at(4, "areas[1]: expected a string; got 12 (YAML reads 12 as a number: quote it)"),
            id="number-in-list-of-strings",
        ),
        pytest.param(
            HEAD + "areas: [Kingsbridge, '!!!']\n",
            at(
                4,
                "areas[1]: expected a place name with at least one letter or digit (it becomes the URL "
                "/areas/<name>/); got '!!!'",
            ),
            id="area-without-a-letter",
        ),
        pytest.param(
            HEAD + "description: |\n  See [our page]({filename}/pages/about.md).\n",
            at(
                4,
                "description: expected Markdown with full URLs, or {partner}slug for a partner ({filename} links "
                "only work in articles and pages); got '{filename}'",
            ),
            id="pelican-link-in-description",
        ),
        pytest.param(
            "name: 2026-01-01\nstatus: pending\ncategory: plumbing\n",
            at(1, "name: expected a string; got 2026-01-01 (YAML reads 2026-01-01 as a date: quote it)"),
            id="date-for-name",
        ),
        pytest.param(
            HEAD + "vetting:\n  vetted_on: '2026-03-01'\n  vouched_by: Jim\n  checks: [references]\n",
            at(
                5,
                "vetting.vetted_on: expected a date written as YYYY-MM-DD; got '2026-03-01' (write the date unquoted)",
            ),
            id="quoted-date",
        ),
        pytest.param(
            HEAD + "vetting:\n  vetted_on: March 2026\n  vouched_by: Jim\n  checks: [references]\n",
            at(
                5,
                "vetting.vetted_on: expected a date written as YYYY-MM-DD; got 'March 2026' (write the date unquoted)",
            ),
            id="words-for-date",
        ),
        pytest.param(
            HEAD + "vetting:\n  vetted_on: 2026-03-01 10:00:00\n  vouched_by: Jim\n  checks: [references]\n",
            at(5, "vetting.vetted_on: expected a date written as YYYY-MM-DD; got 2026-03-01 10:00:00"),
            id="datetime-for-date",
        ),
        pytest.param(
            HEAD + "vetting:\n  vetted_on: 2026-03-01\n  vouched_by: Jim\n  checks: [references]\n  review_by: soon\n",
            at(8, "vetting.review_by: expected a date written as YYYY-MM-DD; got 'soon' (write the date unquoted)"),
            id="words-for-review-by",
        ),
        pytest.param(
            HEAD + "testimonials:\n  - quote: Great.\n    by: A. Smith\n    date: '2025-12-24'\n",
            at(
                7,
                "testimonials[0].date: expected a date written as YYYY-MM-DD; got '2025-12-24' "
                "(write the date unquoted)",
            ),
            id="quoted-testimonial-date",
        ),
        pytest.param(
            HEAD + "contact: [Fred, '0117 496 0100']\n",
            at(4, "contact: expected a mapping; got a list"),
            id="list-for-mapping",
        ),
        pytest.param(
            HEAD + "private: [owner mobile]\n",
            at(4, "private: expected a mapping; got a list"),
            id="list-for-private-mapping",
        ),
        pytest.param(
            HEAD + "logo: images/logo.png\n",
            at(4, "logo: expected a mapping; got 'images/logo.png'"),
            id="string-for-mapping",
        ),
        pytest.param(
            HEAD + "services: boiler servicing\n",
            at(4, "services: expected a list; got 'boiler servicing'"),
            id="string-for-list",
        ),
        pytest.param(
            HEAD + "contact:\n  social: https://www.instagram.com/harbour\n",
            at(5, "contact.social: expected a list; got 'https://www.instagram.com/harbour'"),
            id="string-for-social-list",
        ),
        pytest.param(
            HEAD + 'established: "1998"\n',
            at(4, "established: expected a whole number; got '1998' (write the number unquoted)"),
            id="quoted-year",
        ),
        pytest.param(
            HEAD + "established: 1998.5\n",
            at(4, "established: expected a whole number; got 1998.5"),
            id="fractional-year",
        ),
        pytest.param(
            HEAD + "established: 98\n",
            at(4, "established: expected a year such as 1998; got 98"),
            id="two-digit-year",
        ),
        pytest.param(
            HEAD + "opening_hours: [Mon 9-5]\n",
            at(4, "opening_hours[0]: expected opening hours such as 'Mo-Fr 08:00-17:30'; got 'Mon 9-5'"),
            id="opening-hours-syntax",
        ),
        pytest.param(
            HEAD + "contact:\n  address:\n    country: gb\n",
            at(6, "contact.address.country: expected a two-letter country code such as GB; got 'gb'"),
            id="lower-case-country",
        ),
        pytest.param(
            "name: Harbour\nstatus: Vetted\ncategory: plumbing\n",
            at(2, "status: expected one of pending, vetted, suspended, retired; got 'Vetted'"),
            id="status-capitalised",
        ),
        pytest.param(
            "name: Harbour\nstatus: 1\ncategory: plumbing\n",
            at(2, "status: expected one of pending, vetted, suspended, retired; got 1"),
            id="number-for-status",
        ),
    ],
)
def test_wrong_types_are_errors_not_coerced(problems_of: Check, text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "name: Harbour\nstatus: yes\ncategory: plumbing\n",
            at(
                2,
                "status: expected one of pending, vetted, suspended, retired; got True "
                "(YAML reads yes as a boolean: quote it)",
            ),
            id="status-yes",
        ),
        pytest.param(
            "name: Harbour\nstatus: on\ncategory: plumbing\n",
            at(
                2,
                "status: expected one of pending, vetted, suspended, retired; got True "
                "(YAML reads on as a boolean: quote it)",
            ),
            id="status-on",
        ),
        pytest.param(
            "name: Harbour\nstatus: true\ncategory: plumbing\n",
            at(
                2,
                "status: expected one of pending, vetted, suspended, retired; got True "
                "(YAML reads true as a boolean: quote it)",
            ),
            id="status-true",
        ),
        pytest.param(
            "name: no\nstatus: pending\ncategory: plumbing\n",
            at(1, "name: expected a string; got False (YAML reads no as a boolean: quote it)"),
            id="name-no",
        ),
        pytest.param(
            HEAD + "services: [plumbing, off]\n",
            at(4, "services[1]: expected a string; got False (YAML reads off as a boolean: quote it)"),
            id="list-item-off",
        ),
    ],
)
def test_yaml_booleans_say_to_quote_the_word(problems_of: Check, text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


def test_windows_line_endings_keep_the_same_lines(problems_of: Check) -> None:
    assert problems_of("name: Harbour\r\nstatus: yes\r\ncategory: plumbing\r\n") == [
        at(
            2,
            "status: expected one of pending, vetted, suspended, retired; got True "
            "(YAML reads yes as a boolean: quote it)",
        )
    ]


# --- unknown and duplicate keys ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "name: Harbour\nstaus: vetted\ncategory: plumbing\n",
            [
                at(1, "status: expected a value (this field is required); got nothing"),
                at(2, "staus: unknown field; did you mean 'status'?"),
            ],
            id="top-level-staus",
        ),
        pytest.param(
            HEAD + "contact:\n  person: Fred\n  phnoe: '+44 117 496 0100'\n",
            [at(6, "contact.phnoe: unknown field; did you mean 'phone'?")],
            id="contact-phnoe",
        ),
        pytest.param(
            HEAD + "vetting:\n  vetted_on: 2026-03-01\n  vouchd_by: Jim\n  checks: [references]\n",
            [
                at(4, "vetting.vouched_by: expected a value (this field is required); got nothing"),
                at(6, "vetting.vouchd_by: unknown field; did you mean 'vouched_by'?"),
            ],
            id="vetting-vouchd-by",
        ),
        pytest.param(
            HEAD + "contact:\n  address:\n    postode: TQ7 1AA\n",
            [at(6, "contact.address.postode: unknown field; did you mean 'postcode'?")],
            id="address-postode",
        ),
        pytest.param(
            HEAD + "referrals:\n  goodfit: [landlords]\n",
            [at(5, "referrals.goodfit: unknown field; did you mean 'good_fit'?")],
            id="referrals-goodfit",
        ),
        pytest.param(
            HEAD + "testimonials:\n  - quote: Great.\n    bye: A. Smith\n",
            [
                at(5, "testimonials[0].by: expected a value (this field is required); got nothing"),
                at(6, "testimonials[0].bye: unknown field; did you mean 'by'?"),
            ],
            id="testimonial-bye",
        ),
        pytest.param(
            HEAD + "zzzzz: 1\n",
            [
                at(
                    4,
                    "zzzzz: unknown field; expected one of name, status, category, summary, description, "
                    "services, areas, established, logo, opening_hours, contact, vetting, referrals, "
                    "testimonials, private",
                )
            ],
            id="nothing-close",
        ),
    ],
)
def test_typo_key_names_closest_field(problems_of: Check, text: str, expected: list[str]) -> None:
    assert problems_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            HEAD + "name: Other Plumbing\n",
            at(4, "name: duplicate key (first defined on line 1)"),
            id="top-level",
        ),
        pytest.param(
            HEAD + "contact:\n  person: Fred\n  email: fred@harbour.example\n  person: Jo\n",
            at(7, "contact.person: duplicate key (first defined on line 5)"),
            id="nested",
        ),
        pytest.param(
            HEAD + "testimonials:\n  - quote: Great.\n    quote: Superb.\n    by: A. Smith\n",
            at(6, "testimonials[0].quote: duplicate key (first defined on line 5)"),
            id="in-a-list-item",
        ),
    ],
)
def test_duplicate_keys_are_errors(problems_of: Check, text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


# --- anchors and aliases -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            HEAD + "services: &work [boilers, bathrooms]\nareas: *work\n",
            at(4, "YAML anchor 'work' is not allowed: write the value out in full"),
            id="anchor-and-alias",
        ),
        pytest.param(
            HEAD + "areas: [&town Kingsbridge, *town]\n",
            at(4, "YAML anchor 'town' is not allowed: write the value out in full"),
            id="anchor-in-a-list",
        ),
        pytest.param(
            HEAD + "summary: Repairs & servicing\nareas: *town\n",
            at(5, "YAML alias 'town' is not allowed: write the value out in full"),
            id="alias-in-a-file-with-an-ampersand",
        ),
        pytest.param(
            HEAD + "summary: Repairs and servicing\nareas: *town\n",
            at(5, "YAML alias 'town' is not allowed: write the value out in full"),
            id="alias-in-a-file-without-an-ampersand",
        ),
        pytest.param(
            HEAD + "contact:\n  <<: {person: Fred}\n",
            at(5, "contact: YAML merge keys (<<) are not allowed"),
            id="merge-key",
        ),
    ],
)
def test_anchors_and_aliases_are_errors(problems_of: Check, text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


def test_billion_laughs_fails_fast_with_one_problem(problems_of: Check) -> None:
    lines = ['lol0: &lol0 "lol"']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, 10)]
    started = time.perf_counter()
    problems = problems_of("\n".join(lines) + "\n")
    elapsed = time.perf_counter() - started
    assert problems == [at(1, "YAML anchor 'lol0' is not allowed: write the value out in full")]
    assert elapsed < 1.0


def test_ampersand_in_text_is_not_an_anchor(problems_of: Check) -> None:
    assert problems_of("name: Harbour Plumbing & Heating\nstatus: pending\ncategory: plumbing\nsummary: 'R&D'\n") == []


# --- cross-field rules and registries ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(VETTED, 2, id="no-vetting-key"),  # reported where status says vetted
        pytest.param(VETTED + "vetting:\n", 4, id="empty-vetting-key"),  # reported on the empty key
        pytest.param(VETTED + "vetting: ~\n", 4, id="null-vetting-key"),
    ],
)
def test_vetted_status_requires_a_vetting_block(problems_of: Check, text: str, line: int) -> None:
    assert problems_of(text) == [
        at(
            line,
            "vetting: expected a vetting block (vetted_on, vouched_by, checks, each indented below vetting:) "
            "because status is vetted; got nothing",
        )
    ]


def test_vetted_status_with_an_empty_vetting_mapping_names_each_missing_field(problems_of: Check) -> None:
    assert problems_of(VETTED + "vetting: {}\n") == [
        at(4, "vetting.checks: expected a value (this field is required); got nothing"),
        at(4, "vetting.vetted_on: expected a value (this field is required); got nothing"),
        at(4, "vetting.vouched_by: expected a value (this field is required); got nothing"),
    ]


def test_vetting_without_checks_says_the_list_is_empty(problems_of: Check) -> None:
    text = VETTED + "vetting:\n  vetted_on: 2026-03-01\n  vouched_by: Jim\n  checks: []\n"
    assert problems_of(text) == [at(7, "vetting.checks: expected at least one item; got an empty list")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "name: Harbour\nstatus: pending\ncategory: plumbin\n",
            at(
                3,
                "category: expected a key of partners/_categories.yaml (plumbing, electrical); got 'plumbin' "
                "(did you mean 'plumbing'?)",
            ),
            id="category-typo",
        ),
        pytest.param(
            "name: Harbour\nstatus: pending\ncategory: zoology\n",
            at(3, "category: expected a key of partners/_categories.yaml (plumbing, electrical); got 'zoology'"),
            id="category-unknown",
        ),
        pytest.param(
            "name: Harbour\nstatus: pending\ncategory: Plumbing\n",
            at(3, "category: expected a key (lower-case letters, digits and single hyphens); got 'Plumbing'"),
            id="category-not-a-key",
        ),
        pytest.param(
            VETTED + "vetting:\n  vetted_on: 2026-03-01\n  vouched_by: Jim\n  checks: [references, insurence]\n",
            at(
                7,
                "vetting.checks[1]: expected a key of partners/_checks.yaml (references, insurance); "
                "got 'insurence' (did you mean 'insurance'?)",
            ),
            id="check-typo",
        ),
        pytest.param(
            VETTED + "vetting:\n  vetted_on: 2026-03-01\n  vouched_by: Jim\n  checks:\n    - references\n"
            "    - track-record\n",
            at(
                9,
                "vetting.checks[1]: expected a key of partners/_checks.yaml (references, insurance); "
                "got 'track-record'",
            ),
            id="check-unknown-block-list",
        ),
    ],
)
def test_unknown_registry_key_is_an_error(problems_of: Check, text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


def test_review_by_before_vetted_on_is_an_error(problems_of: Check) -> None:
    text = VETTED + "vetting:\n  vetted_on: 2026-03-01\n  vouched_by: Jim\n  checks: [references]\n"
    text += "  review_by: 2026-02-01\n"
    assert problems_of(text) == [
        at(8, "vetting.review_by: expected a date on or after vetted_on (2026-03-01); got 2026-02-01")
    ]


def test_vetted_on_in_the_future_is_allowed(problems_of: Check) -> None:
    text = VETTED + "vetting:\n  vetted_on: 2099-03-01\n  vouched_by: Jim\n  checks: [references]\n"
    assert problems_of(text) == []


# --- links, e-mail, phone, logo ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            HEAD + "contact:\n  website: javascript:alert(1)\n",
            at(5, "contact.website: expected an http/https URL such as https://example.org; got 'javascript:alert(1)'"),
            id="javascript-website",
        ),
        pytest.param(
            HEAD + "contact:\n  website: ftp://harbour.example\n",
            at(
                5,
                "contact.website: expected an http/https URL such as https://example.org; got 'ftp://harbour.example'",
            ),
            id="ftp-website",
        ),
        pytest.param(
            HEAD + "contact:\n  website: 'https://'\n",
            at(5, "contact.website: expected an http/https URL such as https://example.org; got 'https://'"),
            id="website-without-host",
        ),
        pytest.param(
            HEAD + "contact:\n  website: https://harbour.example/a b\n",
            at(
                5,
                "contact.website: expected an http/https URL such as https://example.org; "
                "got 'https://harbour.example/a b'",
            ),
            id="website-with-space",
        ),
        pytest.param(
            HEAD + "contact:\n  social: [https://www.instagram.com/harbour, http://www.facebook.com/harbour]\n",
            at(
                5,
                "contact.social[1]: expected an https URL such as https://example.org; "
                "got 'http://www.facebook.com/harbour'",
            ),
            id="http-social",
        ),
        pytest.param(
            HEAD + "contact:\n  social:\n    - javascript:alert(1)\n",
            at(6, "contact.social[0]: expected an https URL such as https://example.org; got 'javascript:alert(1)'"),
            id="javascript-social",
        ),
    ],
)
def test_links_must_be_web_urls(problems_of: Check, text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


def test_http_website_is_allowed(problems_of: Check) -> None:
    assert problems_of(HEAD + "contact:\n  website: http://harbour.example\n") == []


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        (
            "fred@@harbour.example",
            "expected an e-mail address; got 'fred@@harbour.example'",  # the schema's pattern catches it first
        ),
        (
            "fred@harbour",
            "expected an e-mail address (The part after the @-sign is not valid. It should have a "
            "period.); got 'fred@harbour'",
        ),
        (
            "fred.harbour.example",
            "expected an e-mail address; got 'fred.harbour.example'",
        ),
    ],
)
def test_invalid_email_is_an_error(problems_of: Check, email: str, expected: str) -> None:
    assert problems_of(HEAD + f"contact:\n  email: {email}\n") == [at(5, f"contact.email: {expected}")]


def phone_problem(region: str, phone: str) -> str:
    return at(
        5,
        f"contact.phone: expected a valid phone number (national numbers are read as {region}); got '{phone}'"
        " (if it is right as written, add phone_as_written: true under contact:)",
    )


@pytest.mark.parametrize(
    ("phone", "region", "expected"),
    [
        pytest.param("12345", "GB", [phone_problem("GB", "12345")], id="too-short"),
        pytest.param("0117 496 0100", "US", [phone_problem("US", "0117 496 0100")], id="gb-national-read-as-us"),
        pytest.param("0117 496 0100", "GB", [], id="gb-national-read-as-gb"),
        pytest.param("(650) 253-0000", "GB", [phone_problem("GB", "(650) 253-0000")], id="us-national-read-as-gb"),
        pytest.param("(650) 253-0000", "US", [], id="us-national-read-as-us"),
        pytest.param("+44 117 496 0100", "US", [], id="international-in-any-region"),
    ],
)
def test_phone_must_be_valid_for_the_phone_region(
    problems_of: Check, phone: str, region: str, expected: list[str]
) -> None:
    assert problems_of(HEAD + f"contact:\n  phone: '{phone}'\n", options=Options(phone_region=region)) == expected


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        pytest.param("  phone_as_written: true\n  phone: '0800 12 34'\n", [], id="accepted-as-written"),
        pytest.param("  phone: '0800 12 34'\n  phone_as_written: true\n", [], id="flag-after-the-number"),
        pytest.param(
            "  phone_as_written: true\n  phone: 'ask at the bar'\n",
            [at(6, "contact.phone: expected a phone number with at least three digits; got 'ask at the bar'")],
            id="still-needs-digits",
        ),
    ],
)
def test_phone_as_written_accepts_a_number_the_library_cannot_place(
    problems_of: Check, contact: str, expected: list[str]
) -> None:
    assert problems_of(HEAD + "contact:\n" + contact) == expected


def test_a_phone_as_written_is_shown_as_written_and_dialled_by_its_digits(tmp_path: Path) -> None:
    from vouch.phones import Phone
    from vouch.profiles import validate_one

    path = tmp_path / "harbour.yaml"
    path.write_text(HEAD + "contact:\n  phone_as_written: true\n  phone: '+44 (0)800 12 34'\n")
    loaded = validate_one(path, DEFAULT, ["plumbing"], [])
    assert not isinstance(loaded, list) and loaded.phone == Phone("+44 (0)800 12 34", "tel:+4408001234")


@pytest.mark.parametrize(
    ("logo", "expected"),
    [
        pytest.param(
            "logo:\n  src: images/missing.png\n  alt: Harbour van\n",
            [at(5, "logo.src: expected a file under content/; got 'images/missing.png' (not found)")],
            id="missing-file",
        ),
        pytest.param(
            "logo:\n  src: ../partners/logo.png\n  alt: Harbour van\n",
            [at(5, "logo.src: expected a file under content/; got '../partners/logo.png' (not found)")],
            id="file-outside-content",
        ),
        pytest.param(
            "logo:\n  src: articles/draft.md\n  alt: Harbour van\n",
            [
                at(
                    5,
                    "logo.src: expected an image file under content/ (.png, .jpg, .jpeg, .gif, .svg, .webp or .avif); "
                    "got 'articles/draft.md'",
                )
            ],
            id="not-an-image",
        ),
        pytest.param(
            "logo:\n  src: images/logo.png\n",
            [at(4, "logo.alt: expected a value (this field is required); got nothing")],
            id="no-alt",
        ),
        pytest.param(
            "logo:\n  src: images/logo.png\n  alt: ''\n",
            [at(6, "logo.alt: expected a non-empty string; got ''")],
            id="empty-alt",
        ),
        pytest.param("logo: {src: images/logo.png, alt: Harbour van}\n", [], id="valid"),
    ],
)
def test_logo_is_a_file_under_content_with_alt_text(problems_of: Check, logo: str, expected: list[str]) -> None:
    assert problems_of(HEAD + logo) == expected


# --- whole files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("- name: Harbour\n- name: Quay\n", at(1, "expected one mapping of fields; got a list"), id="list"),
        pytest.param("Harbour\n", at(1, "expected one mapping of fields; got 'Harbour'"), id="scalar"),
        pytest.param("", at(1, "expected one mapping of fields; got nothing"), id="empty"),
        pytest.param("# to do\n", at(1, "expected one mapping of fields; got nothing"), id="only-a-comment"),
        pytest.param(
            HEAD + "---\n" + HEAD,
            at(4, "expected one mapping of fields; got a second YAML document (one partner per file)"),
            id="two-documents",
        ),
    ],
)
def test_file_must_be_one_mapping(problems_of: Check, text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "name: Harbour\nstatus: pending\ncategory: [plumbing\nsummary: Boilers\n",
            at(4, "invalid YAML: did not find expected ',' or ']'"),
            id="unclosed-list",
        ),
        pytest.param(
            "name: Harbour\nstatus: pending\n  category: plumbing\n",
            at(
                3,
                "invalid YAML: mapping values are not allowed in this context (check this line's indentation: "
                "it must line up with the keys above it)",
            ),
            id="bad-indent",
        ),
        pytest.param(
            "name: Harbour\nstatus: pending\ncategory: plumbing\nareas:\n\t- Kingsbridge\n",
            at(
                5,
                "invalid YAML: found character that cannot start any token (a tab at column 1: indent with spaces, "
                "not tabs)",
            ),
            id="tab-indent",
        ),
        pytest.param(
            "name: Harbour\nstatus: pending\ncategory: plumbing\nsummary: Electricians: rewires\n",
            at(
                4,
                "invalid YAML: mapping values are not allowed in this context (a value that contains ': ' must be "
                'quoted: summary: "Electricians: rewires")',
            ),
            id="colon-in-value",
        ),
        pytest.param(
            'name: "Harbour\nstatus: pending\ncategory: plumbing\n',
            at(1, "invalid YAML: a quoted value is never closed (add the closing quote on this line)"),
            id="unclosed-quote",
        ),
        pytest.param(
            "name: Harbour\nstatus: pending\ncategory: plumbing\nsummary: *New* boilers\n",
            at(
                4,
                "invalid YAML: did not find expected alphabetic or numeric character (a value that starts with * or & must be quoted)",
            ),
            id="markdown-emphasis-unquoted",
        ),
    ],
)
def test_yaml_syntax_error_names_its_line(problems_of: Check, text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


@pytest.mark.parametrize("name", ["Bad_Name.yaml", "harbour--plumbing.yaml", "-harbour.yaml", "harbour plumbing.yaml"])
def test_file_name_must_be_a_slug(problems_of: Check, name: str) -> None:
    assert problems_of(HEAD, name=name) == [
        at(
            1,
            f"file name: expected a slug such as harbour-plumbing.yaml (a-z, 0-9, single hyphens); got {name!r}",
            file=name,
        )
    ]


def test_a_key_at_the_wrong_indentation_is_told_where_it_belongs(problems_of: Check) -> None:
    text = "name: Harbour\nstatus: vetted\ncategory: plumbing\nvetting:\n  vouched_by: Jim\n  checks: [references]\n"
    assert problems_of(text + "vetted_on: 2026-01-01\n") == [
        at(4, "vetting.vetted_on: expected a value (this field is required); got nothing"),
        at(7, "vetted_on: unknown field here; vetted_on belongs under vetting: (indent it below that key)"),
    ]


def test_profile_file_must_end_in_yaml(problems_of: Check) -> None:
    assert problems_of(HEAD, name="harbour.yml") == [
        at(1, "file name: expected a name ending in .yaml; got 'harbour.yml'", file="harbour.yml")
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("''", "name: expected a non-empty string; got ''", id="empty"),
        pytest.param("'   '", "name: expected a non-empty string; got '   '", id="blank"),
        pytest.param("", "name: expected a string; got nothing", id="null"),
    ],
)
def test_name_must_not_be_empty_or_blank(problems_of: Check, name: str, expected: str) -> None:
    assert problems_of(f"name: {name}\nstatus: pending\ncategory: plumbing\n") == [at(1, expected)]


def test_summary_may_have_160_characters_not_161(problems_of: Check) -> None:
    assert problems_of(HEAD + "summary: " + "a" * 160 + "\n") == []
    assert problems_of(HEAD + "summary: " + "a" * 161 + "\n") == [
        at(4, "summary: expected at most 160 characters; got 161")
    ]


def test_missing_required_fields_are_each_named(problems_of: Check) -> None:
    assert problems_of("summary: Boilers.\n") == [
        at(1, "category: expected a value (this field is required); got nothing"),
        at(1, "name: expected a value (this field is required); got nothing"),
        at(1, "status: expected a value (this field is required); got nothing"),
    ]


def test_all_problems_of_all_files_are_reported_together_sorted_by_file_then_line(network: Network) -> None:
    network.write("b-quay.yaml", "name: Quay\nstatus: yes\ncategory: plumbin\nsummary: 7\n")
    network.write("a-harbour.yaml", HEAD + "services:\n" + "  - s\n" * 5 + "  - 10\n")
    network.write("Harbour_Two.yaml", HEAD + "staus: vetted\n")
    network.write("c-fine.yaml", HEAD)
    loaded = network.load()
    expected = [
        "partners/Harbour_Two.yaml:1: file name: expected a slug such as harbour-plumbing.yaml (a-z, 0-9, single hyphens); got 'Harbour_Two.yaml'",
        "partners/Harbour_Two.yaml:4: staus: unknown field; did you mean 'status'?",
        "partners/a-harbour.yaml:10: services[5]: expected a string; got 10 (YAML reads 10 as a number: quote it)",
        "partners/b-quay.yaml:2: status: expected one of pending, vetted, suspended, retired; got True "
        "(YAML reads yes as a boolean: quote it)",
        "partners/b-quay.yaml:3: category: expected a key of partners/_categories.yaml (plumbing, electrical); "
        "got 'plumbin' (did you mean 'plumbing'?)",
        "partners/b-quay.yaml:4: summary: expected a string; got 7 (YAML reads 7 as a number: quote it)",
    ]
    assert sorted(str(p) for p in loaded.problems) == sorted(expected)
    assert str(ValidationFailed(loaded.problems)) == "\n".join(expected)
    assert [p.slug for p in loaded.profiles] == ["c-fine"]


def test_line_numbers_sort_as_numbers(network: Network) -> None:
    network.write("harbour.yaml", HEAD + "summary: 9\n" + "services:\n" + "  - s\n" * 4 + "  - 10\n")
    assert network.problems() == [
        at(4, "summary: expected a string; got 9 (YAML reads 9 as a number: quote it)"),
        at(10, "services[4]: expected a string; got 10 (YAML reads 10 as a number: quote it)"),
    ]


# --- a complete, valid profile -------------------------------------------------------------------


def test_complete_profile_has_no_problem_and_review_by_defaults_to_a_year(network: Network) -> None:
    network.write("harbour-plumbing.yaml", COMPLETE)
    loaded = network.load()
    assert loaded.problems == []
    [profile] = loaded.profiles
    assert profile.slug == "harbour-plumbing"
    assert profile.source == Path("partners/harbour-plumbing.yaml")
    assert profile.review_by == dt.date(2027, 3, 1)  # 2026-03-01 + 365 days
    assert profile.file.vetting is not None
    assert profile.file.vetting.review_by is None
    assert profile.file.vetting.checks == ["references", "insurance"]
    assert profile.file.contact is not None
    assert profile.file.contact.address is not None
    assert profile.file.contact.address.country == "GB"
    assert profile.file.testimonials[0].date == dt.date(2025, 12, 24)
    assert profile.file.private == {"owner_mobile": "07700 900123"}
    assert sorted(loaded.categories) == ["electrical", "plumbing"]
    assert sorted(loaded.checks) == ["insurance", "references"]


def test_review_by_default_follows_vetting_valid_days(network: Network) -> None:
    network.write("harbour-plumbing.yaml", COMPLETE)
    [profile] = network.load(Options(vetting_valid_days=30)).profiles
    assert profile.review_by == dt.date(2026, 3, 31)


def test_explicit_review_by_is_kept(network: Network) -> None:
    network.write("harbour-plumbing.yaml", COMPLETE.replace("  notes:", "  review_by: 2026-09-01\n  notes:"))
    loaded = network.load()
    assert loaded.problems == []
    assert loaded.profiles[0].review_by == dt.date(2026, 9, 1)


# --- registries ----------------------------------------------------------------------------------


def test_registry_key_of_one_character_is_an_error(network: Network) -> None:
    network.write("_categories.yaml", "a:\n  title: A\n  description: Ay.\n" + CATEGORIES)
    network.write("harbour.yaml", HEAD)
    assert network.problems() == [
        "partners/_categories.yaml:1: a: expected a key of at least two characters: a-z, 0-9, single hyphens; got 'a'"
    ]


def test_registry_entry_without_title_is_reported_once(network: Network) -> None:
    network.write("_categories.yaml", "plumbing:\n  description: Pipes.\nelectrical:\n  title: E\n  description: W.\n")
    network.write("harbour.yaml", HEAD)
    # The broken entry is the one problem; the profile naming it is not blamed with "not a key".
    assert network.problems() == [
        "partners/_categories.yaml:1: plumbing.title: expected a value (this field is required); got nothing"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "references:\n  titel: References\n  description: Two clients.\n",
            [
                "partners/_checks.yaml:1: references.title: expected a value (this field is required); got nothing",
                "partners/_checks.yaml:2: references.titel: unknown field; did you mean 'title'?",
            ],
            id="typo-in-entry",
        ),
        pytest.param(
            "references: Two clients.\n",
            ["partners/_checks.yaml:1: references: expected a mapping; got 'Two clients.'"],
            id="entry-not-a-mapping",
        ),
        pytest.param(
            "- references\n",
            ["partners/_checks.yaml:1: expected a mapping of key: {title, description}; got a list"],
            id="file-is-a-list",
        ),
        pytest.param(
            "references:\n  title: R\n  description: D\nreferences:\n  title: R\n  description: D\n",
            ["partners/_checks.yaml:4: references: duplicate key (first defined on line 1)"],
            id="duplicate-key",
        ),
    ],
)
def test_registry_errors_are_reported_with_file_and_line(network: Network, text: str, expected: list[str]) -> None:
    network.write("_checks.yaml", text)
    assert network.problems() == expected


def test_missing_registry_is_an_error(network: Network) -> None:
    Path("partners/_checks.yaml").unlink()
    assert network.problems() == ["partners/_checks.yaml: missing registry file (key: {title: ..., description: ...})"]


# --- the cache -----------------------------------------------------------------------------------


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / ".cache" / "profiles"


def test_cache_gives_the_same_result_twice(network: Network, cache_dir: Path) -> None:
    network.write("harbour-plumbing.yaml", COMPLETE)
    network.write("quay.yaml", "name: Quay\nstatus: yes\ncategory: plumbing\n")
    first = network.load(cache_dir=cache_dir)
    assert list(cache_dir.glob("*.pickle"))
    second = network.load(cache_dir=cache_dir)
    assert second == first
    assert [str(p) for p in second.problems] == [
        "partners/quay.yaml:2: status: expected one of pending, vetted, suspended, retired; got True "
        "(YAML reads yes as a boolean: quote it)"
    ]
    assert [p.slug for p in second.profiles] == ["harbour-plumbing"]


def test_cache_revalidates_an_edited_file(network: Network, cache_dir: Path) -> None:
    network.write("harbour-plumbing.yaml", COMPLETE)
    network.write("quay.yaml", HEAD)
    assert network.problems(cache_dir=cache_dir) == []
    network.write("quay.yaml", HEAD.replace("pending", "pendng"))  # same size, new content
    assert network.problems(cache_dir=cache_dir) == [
        "partners/quay.yaml:2: status: expected one of pending, vetted, suspended, retired; got 'pendng'"
    ]
    network.write("quay.yaml", HEAD)
    loaded = network.load(cache_dir=cache_dir)
    assert loaded.problems == []
    assert [p.slug for p in loaded.profiles] == ["harbour-plumbing", "quay"]


def test_cache_keys_on_content_not_on_size_and_mtime(network: Network, cache_dir: Path) -> None:
    """An edit of the same length with the old mtime put back (cp -p, rsync -t, git stash) still counts."""
    network.write("quay.yaml", COMPLETE)
    path = Path("partners/quay.yaml")
    before = path.stat()
    assert network.load(cache_dir=cache_dir).profiles[0].file.vetting.vetted_on == dt.date(2026, 3, 1)
    network.write("quay.yaml", COMPLETE.replace("vetted_on: 2026-03-01", "vetted_on: 2027-03-01"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert network.load(cache_dir=cache_dir).profiles[0].file.vetting.vetted_on == dt.date(2027, 3, 1)


def test_cache_forgets_a_deleted_file(network: Network, cache_dir: Path) -> None:
    network.write("quay.yaml", "name: Quay\nstatus: yes\ncategory: plumbing\n")
    assert len(network.problems(cache_dir=cache_dir)) == 1
    Path("partners/quay.yaml").unlink()
    loaded = network.load(cache_dir=cache_dir)
    assert (loaded.profiles, loaded.problems) == ([], [])


def test_cache_revalidates_when_a_registry_changes(network: Network, cache_dir: Path) -> None:
    network.write("harbour.yaml", HEAD)
    assert network.problems(cache_dir=cache_dir) == []
    network.write("_categories.yaml", "electrical:\n  title: Electrical\n  description: Wires.\n")
    assert network.problems(cache_dir=cache_dir) == [
        at(3, "category: expected a key of partners/_categories.yaml (electrical); got 'plumbing'")
    ]


def test_cache_revalidates_when_the_phone_region_changes(network: Network, cache_dir: Path) -> None:
    network.write("harbour.yaml", HEAD + "contact:\n  phone: '0117 496 0100'\n")
    assert network.problems(Options(phone_region="GB"), cache_dir) == []
    assert network.problems(Options(phone_region="US"), cache_dir) == [phone_problem("US", "0117 496 0100")]


def test_cache_still_looks_for_the_logo_file_every_time(network: Network, cache_dir: Path) -> None:
    network.write("harbour.yaml", HEAD + "logo:\n  src: images/harbour.png\n  alt: Harbour van\n")
    assert network.problems(cache_dir=cache_dir) == [
        at(5, "logo.src: expected a file under content/; got 'images/harbour.png' (not found)")
    ]
    Path("content/images/harbour.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert network.problems(cache_dir=cache_dir) == []
    Path("content/images/harbour.png").unlink()
    assert len(network.problems(cache_dir=cache_dir)) == 1


def test_cache_hit_reports_the_path_given_on_this_call(network: Network, cache_dir: Path, tmp_path: Path) -> None:
    network.write("quay.yaml", "name: Quay\nstatus: yes\ncategory: plumbing\n")
    network.write("harbour-plumbing.yaml", COMPLETE)
    network.load(cache_dir=cache_dir)
    moved = load_partners(tmp_path / "partners", tmp_path / "content", Options(), cache_dir)
    assert [p.path for p in moved.problems] == [tmp_path / "partners" / "quay.yaml"]
    assert [p.source for p in moved.profiles] == [tmp_path / "partners" / "harbour-plumbing.yaml"]


def test_corrupt_cache_is_ignored(network: Network, cache_dir: Path) -> None:
    network.write("quay.yaml", "name: Quay\nstatus: yes\ncategory: plumbing\n")
    cache_dir.mkdir(parents=True)
    (cache_dir / "00.pickle").write_bytes(b"not a pickle")
    assert len(network.problems(cache_dir=cache_dir)) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEAD + "testimonials: [{quote: x, by: y, date: 2026-13-01}]\n", [
            at(4, "testimonials[0].date: expected a real calendar date; got 2026-13-01"),
        ]),
        (VETTED + "vetting:\n  vetted_on: 2026-02-30\n  vouched_by: Jim\n  checks: [references]\n", [
            at(5, "vetting.vetted_on: expected a real calendar date; got 2026-02-30"),
        ]),
    ],
)  # fmt: skip
def test_impossible_dates_are_reported_not_crashed_on(problems_of: Check, text: str, expected: list[str]) -> None:
    assert problems_of(text) == expected


def test_a_duplicate_key_does_not_hide_the_rest_of_the_file(problems_of: Check) -> None:
    text = "name: Harbour\nname: Again\nstatus: yes\ncategory: plumbing\nstaus: x\n"
    assert problems_of(text) == [
        at(2, "name: duplicate key (first defined on line 1)"),
        at(
            3,
            "status: expected one of pending, vetted, suspended, retired; got True (YAML reads yes as a boolean: quote it)",
        ),
        at(5, "staus: unknown field; did you mean 'status'?"),
    ]
