"""The profile format, as strict pydantic models (the source of the JSON Schema).

These models hold *everything* in a profile file, private fields included.
They never leave the domain: the site only ever sees ``public.Partner``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from vouch.controls import CONTROL_RE, PROSE_CONTROL_RE, position
from vouch.slugs import SLUG_RE, slugify

STATUSES = ("pending", "vetted", "suspended", "retired")
_DAY = "(Mo|Tu|We|Th|Fr|Sa|Su)"
_DAYS = f"{_DAY}(-{_DAY})?(,{_DAY}(-{_DAY})?)*"
OPENING_HOURS_RE = rf"^{_DAYS} ([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$"
DEFAULT_PHONE_REGION = "GB"
MAX_DESCRIPTION = 20_000  # characters: about 3,000 words, far more than a profile needs
MAX_ITEMS = 50  # per list: each area is a page, and 14,000 of them in one profile took minutes to build


def _fail(expected: str, value: Any, detail: str = "") -> PydanticCustomError:
    return PydanticCustomError("vouch", "expected {expected}", {"expected": expected, "got": value, "detail": detail})


def _without(pattern: re.Pattern[str], expected: str, value: str) -> str:
    if found := pattern.search(value):
        raise _fail(expected, value, f" {position(found)}")
    return value


def _one_line(value: str) -> str:
    """No control character: an escape sequence repaints the editor's terminal, CR/LF splits e-mail headers."""
    return _without(CONTROL_RE, "one line of text without control characters", value)


def _prose(value: str) -> str:
    return _without(PROSE_CONTROL_RE, "text without control characters (line breaks and tabs are fine)", value)


def is_url(value: object, schemes: tuple[str, ...]) -> bool:
    """An absolute URL with one of ``schemes``, a host and no white space (profiles and settings alike)."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port out of range or not a number)
    except ValueError:  # also "[::1" and other hosts urlsplit cannot read
        return False
    return parts.scheme in schemes and bool(parts.hostname) and not any(c.isspace() for c in value)


def email_problem(value: str) -> str | None:
    """Why ``value`` is not an e-mail address, or None (profiles and settings alike)."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def _check_url(value: str, schemes: tuple[str, ...]) -> str:
    if not is_url(value, schemes):
        raise _fail(f"an {'/'.join(schemes)} URL such as {schemes[-1]}://example.org", value)
    return value


def _web_url(value: str) -> str:
    return _check_url(value, ("http", "https"))


def _https_url(value: str) -> str:
    return _check_url(value, ("https",))


def _email(value: str) -> str:
    if problem := email_problem(value):
        raise _fail(f"an e-mail address ({problem})", value)
    return value


def _phone(value: str, info: ValidationInfo) -> str:
    if info.data.get("phone_as_written"):  # the editor has confirmed a number the library cannot place
        if len(re.findall(r"\d", value)) < 3:
            raise _fail("a phone number with at least three digits", value)
        return value
    region = (info.context or {}).get("phone_region", DEFAULT_PHONE_REGION)
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        hint = " (if it is right as written, add phone_as_written: true under contact:)"
        raise _fail(f"a valid phone number (national numbers are read as {region})", value, hint)
    return value


def _place(value: str) -> str:
    if not slugify(value):
        raise _fail("a place name with at least one letter or digit (it becomes the URL /areas/<name>/)", value)
    return value


PELICAN_LINK_RE = re.compile(r"\{(filename|static|attach|index|category|tag|author|tags|categories)\}")


def _profile_markdown(value: str) -> str:
    if found := PELICAN_LINK_RE.search(value):
        raise _fail(
            "Markdown with full URLs, or {partner}slug for a partner "
            f"({found.group(0)} links only work in articles and pages)",
            found.group(0),
        )
    return value


NON_BLANK_RE = r"\S"
OneLine = AfterValidator(_one_line)
Text = Annotated[str, Field(min_length=1, pattern=NON_BLANK_RE), OneLine]
Prose = Annotated[str, Field(min_length=1, pattern=NON_BLANK_RE), AfterValidator(_prose)]  # may span lines
# The pattern comes first so it reaches the JSON Schema; the validators then check the rest.
WebUrl = Annotated[str, Field(pattern=r"^https?://"), OneLine, AfterValidator(_web_url)]
HttpsUrl = Annotated[str, Field(pattern=r"^https://"), OneLine, AfterValidator(_https_url)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$"), OneLine, AfterValidator(_email)]
Phone = Annotated[str, OneLine, AfterValidator(_phone)]
Slug = Annotated[str, Field(pattern=SLUG_RE)]
Place = Annotated[str, Field(min_length=1, pattern=NON_BLANK_RE), OneLine, AfterValidator(_place)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Address(_Strict):
    street: Text | None = None
    locality: Text | None = None
    region: Text | None = None
    postcode: Text | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = Field(
        None, description="ISO 3166 two-letter code, e.g. GB"
    )


class Contact(_Strict):
    person: Text | None = None
    # Before phone: its check reads this flag. Only an editor sets it; `invoke import` never does.
    phone_as_written: bool = Field(
        False,
        description="true: show phone exactly as written, unchecked (a number the phone library cannot place)",
    )
    phone: Phone | None = None
    email: Email | None = None
    website: WebUrl | None = None
    social: list[HttpsUrl] = Field([], max_length=MAX_ITEMS)
    address: Address | None = None


IMAGE_RE = r"^\S.*\.(png|jpe?g|gif|svg|webp|avif|PNG|JPE?G|GIF|SVG|WEBP|AVIF)$"  # JSON Schema has no (?i)


class Logo(_Strict):
    # An image type, so no other content file (a draft's Markdown, say) can be published as a "logo".
    src: Annotated[
        str, Field(pattern=IMAGE_RE, description="an image file under content/, e.g. images/logo.png"), OneLine
    ]
    alt: Text = Field(description="text alternative, required")


class Vetting(_Strict):
    vetted_on: dt.date = Field(description="date the checks were completed")
    vouched_by: Text = Field(description="the member who vouches (public)")
    checks: list[Slug] = Field(min_length=1, max_length=MAX_ITEMS, description="keys of partners/_checks.yaml")
    review_by: dt.date | None = Field(None, description="default: vetted_on + VETTING_VALID_DAYS")
    notes: str | None = Field(None, description="PRIVATE: never published")


class Referrals(_Strict):
    good_fit: list[Text] = Field([], max_length=MAX_ITEMS)
    not_a_fit: list[Text] = Field([], max_length=MAX_ITEMS)
    how_to_refer: Text | None = None


class Testimonial(_Strict):
    quote: Prose
    by: Text
    date: dt.date | None = None


class ProfileFile(_Strict):
    """One partner profile, partners/<slug>.yaml, exactly as written."""

    name: Text
    status: Literal[STATUSES]  # type: ignore[valid-type]
    category: Slug = Field(description="a key of partners/_categories.yaml")
    summary: Annotated[str, Field(max_length=160), OneLine] | None = None
    description: (
        Annotated[str, Field(max_length=MAX_DESCRIPTION), AfterValidator(_prose), AfterValidator(_profile_markdown)]
        | None
    ) = Field(None, description="Markdown; rendered, then sanitised")
    services: list[Text] = Field([], max_length=MAX_ITEMS)
    areas: list[Place] = Field([], max_length=MAX_ITEMS)
    established: Annotated[int, Field(ge=1000, le=2999)] | None = None
    logo: Logo | None = None
    opening_hours: list[Annotated[str, Field(pattern=OPENING_HOURS_RE)]] = Field([], max_length=MAX_ITEMS)
    contact: Contact | None = None
    vetting: Vetting | None = Field(None, description="required when status is vetted")
    referrals: Referrals | None = None
    testimonials: list[Testimonial] = Field([], max_length=MAX_ITEMS)
    private: dict[str, Any] | None = Field(None, description="PRIVATE: never published")


class RegistryEntry(_Strict):
    title: Text
    description: Prose


def known_keys() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Field names at each nesting level (list indices dropped), for typo hints."""
    out: dict[tuple[str, ...], tuple[str, ...]] = {}

    def visit(model: type[BaseModel], prefix: tuple[str, ...]) -> None:
        out[prefix] = tuple(model.model_fields)
        for name, info in model.model_fields.items():
            for sub in _models_in(info.annotation):
                visit(sub, (*prefix, name))

    visit(ProfileFile, ())
    return out


def field_homes(known: dict[tuple[str, ...], tuple[str, ...]]) -> dict[str, str]:
    """Nested field names that exist at exactly one level -> that level: where a mis-indented key belongs."""
    levels: dict[str, list[str]] = {}
    for prefix, names in known.items():
        for name in names:
            levels.setdefault(name, []).append(".".join(prefix))
    return {name: found[0] for name, found in levels.items() if len(found) == 1 and found[0]}


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]
