"""Hostile and careless ``partners/`` folders (issue 12): every one is a ``file:line`` problem, never a crash.

Deep nesting, control characters, editor leftovers, odd file types and huge files each
end as one line an editor can act on; nothing reaches the site and nothing prints a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sitekit import REPO
from tests.test_profile_errors import HEAD, Network

# --- nesting (case 18): a deep file must not exhaust the stack, in C or in Python ---------------

DEEP = {
    "flow-1k.yaml": HEAD + "private: " + "[" * 1_000 + "]" * 1_000 + "\n",  # 2 KB: was a RecursionError
    "flow-100k.yaml": HEAD + "private: " + "[" * 100_000 + "]" * 100_000 + "\n",  # 200 KB: was a segfault
    "mapping-1k.yaml": HEAD + "private: " + "{a: " * 1_000 + "}" * 1_000 + "\n",
    "block-1k.yaml": HEAD + "private:\n" + "- " * 1_000 + "x\n",
    "unclosed-100k.yaml": HEAD + "private: " + "[" * 100_000 + "\n",
}


@pytest.fixture
def network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Network:
    """A ``partners/`` folder in the current directory, so problems read ``partners/<file>``."""
    monkeypatch.chdir(tmp_path)
    return Network()


LOAD_AND_PRINT = """\
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
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", LOAD_AND_PRINT], capture_output=True, text=True, env=env, check=False
    )
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
