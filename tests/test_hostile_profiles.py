"""Hostile and careless ``partners/`` folders (issue 12): every one is a ``file:line`` problem, never a crash.

Deep nesting, control characters, editor leftovers, odd file types and huge files each
end as one line an editor can act on; nothing reaches the site and nothing prints a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sitekit import DEMO_EPOCH, REPO, make_site, run_invoke, vetted
from tests.test_profile_errors import HEAD, Network
from vouch.editor_files import EDITOR_TEMPORARY, is_editor_temporary
from vouch.problems import ValidationFailed
from vouch.profiles import Options, load_partners
from vouch.publication import publish, today
from vouch.strictyaml import dotted
from vouch_site.build import build


@pytest.fixture
def network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Network:
    """A ``partners/`` folder in the current directory, so problems read ``partners/<file>``."""
    monkeypatch.chdir(tmp_path)
    return Network()


def child_env(epoch: str = DEMO_EPOCH) -> dict[str, str]:
    """For a child process: this checkout's code, and the date."""
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "SOURCE_DATE_EPOCH": epoch}


# --- nesting (case 18): a deep file must not exhaust the stack, in C or in Python ---------------

DEEP = {
    "flow-1k.yaml": HEAD + "private: " + "[" * 1_000 + "]" * 1_000 + "\n",  # 2 KB: was a RecursionError
    "flow-100k.yaml": HEAD + "private: " + "[" * 100_000 + "]" * 100_000 + "\n",  # 200 KB: was a segfault
    "mapping-1k.yaml": HEAD + "private: " + "{a: " * 1_000 + "}" * 1_000 + "\n",
    "block-1k.yaml": HEAD + "private:\n" + "- " * 1_000 + "x\n",
    "unclosed-100k.yaml": HEAD + "private: " + "[" * 100_000 + "\n",
}


LOAD_AND_PRINT = """\
from fnmatch import fnmatchcase
from pathlib import Path
from vouch.profiles import load_partners
for problem in load_partners(Path("partners"), Path("content")).problems:
    print(problem)
"""


def test_deep_nesting_is_one_problem_per_file_not_a_crash(network: Network) -> None:
    for name, text in DEEP.items():
        network.write(name, text)
    network.write("shallow.yaml", HEAD + "private: {a: " + "[" * 30 + "]" * 30 + "}\n")  # 32 levels: allowed
    # In a child process: a segfault must fail this test, not end pytest.
    command = [sys.executable, "-c", LOAD_AND_PRINT]
    result = subprocess.run(command, capture_output=True, text=True, env=child_env(), check=False)
    assert (result.returncode, result.stderr) == (0, "")
    limit = "expected at most 32 levels of nested lists and mappings; got deeper nesting here"
    assert result.stdout.splitlines() == [
        f"partners/block-1k.yaml:5: {limit}",
        f"partners/flow-100k.yaml:4: {limit}",
        f"partners/flow-1k.yaml:4: {limit}",
        f"partners/mapping-1k.yaml:4: {limit}",
        f"partners/unclosed-100k.yaml:4: {limit}",
    ]


# --- size (case 22): a profile is a page, not a book ----------------------------------------------


def test_a_profile_file_over_256_kb_is_refused_before_it_is_parsed(network: Network) -> None:
    at_limit = HEAD + "private: {notes: "
    at_limit += "x" * (256 * 1024 - len(at_limit) - 2) + "}\n"
    network.write("harbour.yaml", at_limit)
    network.write("quay.yaml", at_limit + "#")  # a comment: one byte too many
    assert network.problems() == [
        "partners/quay.yaml:1: file: expected at most 262,144 bytes (256 KB); got 262,145 bytes"
    ]


def test_a_description_over_20000_characters_is_refused(network: Network) -> None:
    network.write("harbour.yaml", HEAD + "description: " + "x" * 20_000 + "\n")
    network.write("quay.yaml", HEAD + "description: " + "x" * 20_001 + "\n")
    assert network.problems() == ["partners/quay.yaml:4: description: expected at most 20000 characters; got 20001"]


def test_a_list_over_50_items_is_refused(network: Network) -> None:
    """Each area is a page: 14,000 areas in a 177 KB profile made 14,000 pages."""
    fifty = ", ".join(f"Town {i}" for i in range(50))
    network.write("harbour.yaml", HEAD + f"areas: [{fifty}]\nservices: [{fifty}]\n")
    network.write("quay.yaml", HEAD + f"areas: [{fifty}, Town 50]\nservices: [{fifty}, Town 50]\n")
    assert network.problems() == [
        "partners/quay.yaml:4: areas: expected at most 50 items; got 51",
        "partners/quay.yaml:5: services: expected at most 50 items; got 51",
    ]


# --- control characters (case 17): one-line fields hold one line of plain text --------------------

ONE_LINE = "expected one line of text without control characters"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            'name: "Moor\\e[32m published"\nstatus: pending\ncategory: plumbing\n',
            f"partners/harbour.yaml:1: name: {ONE_LINE}; got 'Moor\\x1b[32m published' (U+001B at character 5)",
            id="terminal-escape-in-name",
        ),
        pytest.param(
            'name: "Harbour\\r\\nBcc: all@example.org"\nstatus: pending\ncategory: plumbing\n',
            f"partners/harbour.yaml:1: name: {ONE_LINE}; got 'Harbour\\r\\nBcc: all@example.org' (U+000D at character 8)",
            id="cr-lf-in-name",
        ),
        pytest.param(
            HEAD + "summary: >\n  Boilers and bathrooms.\n",
            f"partners/harbour.yaml:4: summary: {ONE_LINE}; got 'Boilers and bathrooms.\\n' (U+000A at character 23)",
            id="folded-block-leaves-a-line-break",
        ),
        pytest.param(
            HEAD + 'services: ["boilers\\x9b2J"]\n',
            f"partners/harbour.yaml:4: services[0]: {ONE_LINE}; got 'boilers\\x9b2J' (U+009B at character 8)",
            id="c1-control-in-a-list",
        ),
        pytest.param(
            HEAD + 'areas: ["Kings\\u2028bridge"]\n',
            f"partners/harbour.yaml:4: areas[0]: {ONE_LINE}; got 'Kings\\u2028bridge' (U+2028 at character 6)",
            id="line-separator",
        ),
        pytest.param(
            HEAD + 'contact: {person: "Fred\\u202eseoJ"}\n',
            f"partners/harbour.yaml:4: contact.person: {ONE_LINE}; got 'Fred\\u202eseoJ' (U+202E at character 5)",
            id="bidi-override",
        ),
        pytest.param(
            HEAD + 'contact: {website: "https://harbour.example/\\e]8;;x"}\n',
            f"partners/harbour.yaml:4: contact.website: {ONE_LINE}; got 'https://harbour.example/\\x1b]8;;x' (U+001B at character 25)",
            id="escape-in-a-url",
        ),
        pytest.param(
            HEAD + 'contact: {phone: "+44 117 496 0100\\x7f"}\n',
            f"partners/harbour.yaml:4: contact.phone: {ONE_LINE}; got '+44 117 496 0100\\x7f' (U+007F at character 17)",
            id="delete-in-a-phone",
        ),
        pytest.param(
            HEAD + 'logo: {src: images/logo.png, alt: "Van\\tand\\tladder"}\n',
            f"partners/harbour.yaml:4: logo.alt: {ONE_LINE}; got 'Van\\tand\\tladder' (U+0009 at character 4)",
            id="tab-in-alt",
        ),
        pytest.param(
            HEAD + 'testimonials:\n  - {quote: "Great.", by: "A. Smith\\0"}\n',
            f"partners/harbour.yaml:5: testimonials[0].by: {ONE_LINE}; got 'A. Smith\\x00' (U+0000 at character 9)",
            id="nul-in-testimonial-by",
        ),
        pytest.param(
            HEAD + 'description: "Family firm.\\n\\n\\e[8mHidden"\n',
            "partners/harbour.yaml:4: description: expected text without control characters (line breaks and tabs "
            "are fine); got 'Family firm.\\n\\n\\x1b[8mHidden' (U+001B at character 15)",
            id="escape-in-description",
        ),
        pytest.param(
            HEAD + '"na\\e[2Kme": x\n',
            "partners/harbour.yaml:4: na\\x1b[2Kme: unknown field; did you mean 'name'?",
            id="escape-in-a-key-is-printed-escaped",
        ),
    ],
)
def test_control_characters_in_one_line_fields_are_errors(network: Network, text: str, expected: str) -> None:
    network.write("harbour.yaml", text)
    assert network.problems() == [expected]


def test_a_description_may_hold_line_breaks_and_tabs(network: Network) -> None:
    network.write("harbour.yaml", HEAD + "description: |\n  Family firm.\n\n  - boilers\t(all makes)\n")
    assert network.problems() == []


def test_a_raw_control_character_in_the_file_is_one_line_naming_its_line(network: Network) -> None:
    network.write("harbour.yaml", HEAD + "summary: Boilers\x1b[32m\n")
    assert network.problems() == [
        "partners/harbour.yaml:4: invalid YAML: control character U+001B is not allowed (remove it)"
    ]


# Every one-line string in a profile, in a profile that is published when it is valid.
PUBLISHED = {
    "name": "Harbour Plumbing",
    "status": "vetted",
    "category": "plumbing",
    "summary": "Boilers and bathrooms.",
    "services": ["boiler servicing"],
    "areas": ["Kingsbridge"],
    "logo": {"src": "images/logo.png", "alt": "Harbour van"},
    "opening_hours": ["Mo-Fr 08:00-17:30"],
    "contact": {
        "person": "Fred Jones",
        "phone": "+44 117 496 0100",
        "email": "fred@harbour.example",
        "website": "https://harbour.example",
        "social": ["https://www.instagram.com/harbour"],
        "address": {"street": "1 Quay St", "locality": "Kingsbridge", "region": "Devon", "postcode": "TQ7 1AA"},
    },
    "vetting": {"vetted_on": dt.date(2026, 3, 1), "vouched_by": "Jim Carter", "checks": ["references"]},
    "referrals": {"good_fit": ["landlords"], "not_a_fit": ["new builds"], "how_to_refer": "Call Fred."},
    "testimonials": [{"quote": "Fixed it.", "by": "A. Smith"}],
}


def _strings(data: object, path: tuple = ()) -> list[tuple]:
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _strings(value, (*path, key))]
    if isinstance(data, list):
        return [p for i, value in enumerate(data) for p in _strings(value, (*path, i))]
    return [path] if isinstance(data, str) and path != ("testimonials", 0, "quote") else []


ONE_LINE_PATHS = _strings(PUBLISHED)
CONTROLS = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x1F),
    st.sampled_from(["\x7f", "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069"]),
    st.characters(min_codepoint=0x80, max_codepoint=0x9F),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(ONE_LINE_PATHS), control=CONTROLS, where=st.floats(0, 1))
def test_any_control_character_in_any_one_line_field_is_an_error_never_published(
    network: Network, path: tuple, control: str, where: float
) -> None:
    data = yaml.safe_load(yaml.safe_dump(PUBLISHED))  # a deep copy
    *parents, last = path
    holder = data
    for part in parents:
        holder = holder[part]
    value = holder[last]
    cut = round(where * len(value))
    holder[last] = value[:cut] + control + value[cut:]
    network.write("harbour.yaml", yaml.safe_dump(data, sort_keys=False))  # ASCII: every control char escaped
    loaded = load_partners(network.partners, network.content, Options())
    assert [p.field for p in loaded.problems] == [dotted(path)]
    assert publish(loaded.profiles, dt.date(2026, 11, 25)) == []


def test_the_same_profile_without_a_control_character_is_published(network: Network) -> None:
    network.write("harbour.yaml", yaml.safe_dump(PUBLISHED, allow_unicode=True, sort_keys=False))
    loaded = load_partners(network.partners, network.content, Options())
    assert loaded.problems == []
    assert [p.slug for p in publish(loaded.profiles, dt.date(2026, 11, 25))] == ["harbour"]


def invoke(project: Path, *args: str, epoch: str = DEMO_EPOCH) -> subprocess.CompletedProcess[str]:
    return run_invoke(project, *args, env=child_env(epoch))


def test_check_and_introduce_print_no_raw_control_character(tmp_path: Path) -> None:
    """An escape sequence once made a pending partner read as "published"; a CR/LF name crashed introduce."""
    (tmp_path / "tasks.py").write_bytes((REPO / "tasks.py").read_bytes())
    make_site(
        tmp_path,
        {
            "moor": 'name: "Moor\\e[2K\\rmoor  published"\nstatus: pending\ncategory: plumbing\n',
            "quay": vetted("Quay\r\nBcc: everyone@example.org", contact={"email": "q@quay.example"}),
            "tide": vetted("Tide", private={"note": "\x1b]0;owned\x07", "\x1b[2J": 1}, contact={"person": "Bo\x9b"}),
        },
    )
    (tmp_path / "partners" / "bad\x1b[31m.yaml").write_text("name: x\n", encoding="utf-8")
    checked = invoke(tmp_path, "check")
    introduced = invoke(tmp_path, "introduce", "quay", "--to", "Ann <ann@example.org>", "--dry-run")
    for result in (checked, introduced):
        assert result.returncode == 1 and "Traceback" not in result.stderr
        printed = result.stdout + result.stderr
        assert re.findall("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]", printed) == []
    assert "partners/moor.yaml:1: name: " in checked.stderr
    assert "partners/bad\\x1b[31m.yaml:1: file name: " in checked.stderr
    assert "partners/tide.yaml:" in checked.stderr and "contact.person" in checked.stderr
    assert "partners/quay.yaml:" in introduced.stderr


def test_a_line_break_at_the_end_of_a_file_name_or_registry_key_is_no_slug(network: Network) -> None:
    """Python's ``$`` matches before a final line break: ``harbour\\n`` once passed as a slug."""
    network.write("harbour\n.yaml", HEAD)
    network.write(
        "_categories.yaml", 'plumbing: {title: Plumbing, description: Pipes.}\n"gas\\n": {title: G, description: G.}\n'
    )
    assert network.problems() == [
        "partners/_categories.yaml:2: gas\\n: expected a key of at least two characters: a-z, 0-9, single hyphens; "
        "got 'gas\\n'",
        "partners/harbour\\n.yaml:1: file name: expected a slug such as harbour-plumbing.yaml (a-z, 0-9, single "
        "hyphens); got 'harbour\\n.yaml'",
    ]


# --- what else lies in partners/ (case 19): editor leftovers, folders, loops -----------------------

EDITOR_FILES = ["#harbour.yaml#", ".#harbour.yaml", ".harbour.yaml.swp", "harbour.yaml~"]


def _leave_editor_files(partners: Path) -> None:
    (partners / ".#harbour.yaml").symlink_to("ann@laptop.4242:1795600000")  # Emacs's lock: a dangling link
    (partners / "#harbour.yaml#").write_text("name: [unfinished\n")  # Emacs's auto-save
    (partners / "harbour.yaml~").write_text("name: Old\nstatus: vetted\n")  # a backup
    (partners / ".harbour.yaml.swp").write_bytes(b"b0VIM 9.0\x00\x00")  # vim's swap file


def test_editor_files_in_partners_are_skipped_and_counted(network: Network) -> None:
    network.write("harbour.yaml", HEAD)
    _leave_editor_files(network.partners)
    loaded = network.load()
    assert loaded.problems == []
    assert [p.slug for p in loaded.profiles] == ["harbour"]
    assert [p.name for p in loaded.editor_files] == EDITOR_FILES


def test_a_folder_a_symlink_loop_or_a_broken_link_named_like_a_profile_is_one_line(network: Network) -> None:
    network.write("harbour.yaml", HEAD)
    (network.partners / "folder.yaml").mkdir()
    (network.partners / "loop.yaml").symlink_to("loop.yaml")
    (network.partners / "ping.yaml").symlink_to("pong.yaml")
    (network.partners / "pong.yaml").symlink_to("ping.yaml")
    (network.partners / "gone.yaml").symlink_to("renamed.yaml")
    loaded = network.load()
    assert [str(p) for p in loaded.problems] == [
        "partners/folder.yaml: file: expected a profile file; got a folder",
        "partners/gone.yaml: file: expected a profile file; got a symbolic link to a missing file",
        "partners/loop.yaml: file: expected a profile file; got a symbolic link that loops",
        "partners/ping.yaml: file: expected a profile file; got a symbolic link that loops",
        "partners/pong.yaml: file: expected a profile file; got a symbolic link that loops",
    ]
    assert [p.slug for p in loaded.profiles] == ["harbour"]
    assert loaded.known_slugs == {"harbour", "folder", "gone", "loop", "ping", "pong"}  # they exist: no "unknown"


def test_a_registry_that_is_a_folder_is_one_line(network: Network) -> None:
    (network.partners / "_checks.yaml").unlink()
    (network.partners / "_checks.yaml").mkdir()
    assert network.problems() == [
        "partners/_checks.yaml: expected a registry file (key: {title: ..., description: ...}); got a folder"
    ]


def test_check_lists_skipped_editor_files_and_prints_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_bytes((REPO / "tasks.py").read_bytes())
    make_site(tmp_path, {"harbour": vetted("Harbour")})
    _leave_editor_files(tmp_path / "partners")
    (tmp_path / "partners" / "folder.yaml").mkdir()
    result = invoke(tmp_path, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "partners/folder.yaml: file: expected a profile file; got a folder" in result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("skipped")] == [
        f"skipped (editor temporary file): partners/{name}" for name in EDITOR_FILES
    ]


# --- SOURCE_DATE_EPOCH (case 19): the build's clock, checked like a setting ------------------------

EPOCH_EXPECTED = "expected whole seconds since 1970-01-01 UTC, such as 1795608000 (or leave it unset)"


@pytest.mark.parametrize("value", ["tomorrow", "1.5", "-1", "1_795_608_000", " 1795608000", "9" * 30])
def test_a_source_date_epoch_that_is_no_unix_time_is_a_clear_error(value: str) -> None:
    with pytest.raises(ValueError) as error:
        today("UTC", {"SOURCE_DATE_EPOCH": value})
    assert str(error.value) == f"SOURCE_DATE_EPOCH: {EPOCH_EXPECTED}; got {value!r}"


def test_an_empty_source_date_epoch_means_the_clock() -> None:
    assert today("UTC", {"SOURCE_DATE_EPOCH": ""}) == dt.datetime.now(dt.UTC).date()


def test_a_build_with_a_bad_source_date_epoch_fails_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(tmp_path, {"harbour": vetted("Harbour")})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "tomorrow")
    with pytest.raises(ValidationFailed) as failed:
        build(root)
    assert [str(p) for p in failed.value.problems] == [
        f"environment: SOURCE_DATE_EPOCH: {EPOCH_EXPECTED}; got 'tomorrow'"
    ]
    assert not (root / "output").exists()


def test_a_command_that_needs_only_the_date_refuses_a_bad_source_date_epoch_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_bytes((REPO / "tasks.py").read_bytes())
    make_site(tmp_path, {})
    result = invoke(tmp_path, "follow-ups", epoch="tomorrow")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"vouch: SOURCE_DATE_EPOCH: {EPOCH_EXPECTED}; got 'tomorrow'\n"


# --- SVG logos (case 8): tests/test_svg.py has the rule, tests/test_browser.py the proof -------------


def test_a_profile_whose_svg_logo_holds_a_script_is_a_logo_src_problem(network: Network) -> None:
    (network.content / "images" / "harbour.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="go()">\n<script>fetch("/partners.json")</script>\n</svg>\n'
    )
    network.write("harbour.yaml", HEAD + "logo: {src: images/harbour.svg, alt: Harbour van}\n")
    assert network.problems() == [
        "partners/harbour.yaml:4: logo.src: expected an SVG without script, event handlers, foreignObject, HTML "
        "or outside references; got 'images/harbour.svg': an event handler onload= on line 1, "
        "a <script> element on line 2"
    ]


@given(st.text(st.sampled_from("ab.~#$_-swpjbtmoldlock "), max_size=16),
       st.sampled_from(["", "~", "#", ".#", ".~lock.", "~$", "___jb_tmp___", "___jb_old___", ".kate-swp", ".swo"]))  # fmt: skip
def test_editor_files_are_told_by_their_patterns_as_fnmatch_tells_them(name: str, mark: str) -> None:
    for candidate in (mark + name, name + mark, f".{name}{mark}", f"#{name}{mark}"):
        assert is_editor_temporary(candidate) == any(fnmatchcase(candidate, p) for p in EDITOR_TEMPORARY)
