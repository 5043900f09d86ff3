"""The editor's commands, run as the editor runs them: ``invoke`` in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sitekit import DEMO_EPOCH, REPO, make_site, run_invoke, vetted
from vouch.schema import SCHEMA_PATH, site_schema

INVOKE = [sys.executable, "-m", "invoke"]


def invoke(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as the editor types it, run in this process (``test_invoke_runs_as_a_process`` starts one)."""
    return run_invoke(project, *args, env={**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH})


def test_invoke_runs_as_a_process_with_the_same_exit_code_and_message(project: Path) -> None:
    make_site(project, {"a": "name: A\nstatus: yes\ncategory: plumbing\n"})
    env = {**os.environ, "SOURCE_DATE_EPOCH": DEMO_EPOCH}
    done = subprocess.run([*INVOKE, "check"], cwd=project, capture_output=True, text=True, env=env, check=False)
    here = invoke(project, "check")
    assert (done.returncode, done.stdout, done.stderr) == (here.returncode, here.stdout, here.stderr) != (0, "", "")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A site folder with this repository's tasks.py, as an editor's checkout has."""
    shutil.copy(REPO / "tasks.py", tmp_path / "tasks.py")
    return tmp_path


def test_check_lists_partners_by_state_and_exits_zero(project: Path) -> None:
    make_site(
        project,
        {
            "harbour": vetted("Harbour", review_by="2026-12-10"),
            "quay": vetted("Quay", review_by="2026-01-31"),
            "moor": {"name": "Moor", "status": "pending", "category": "plumbing"},
        },
        {
            "content/articles/due.md": "Title: Boilers\nDate: 2026-11-01\nPartners: harbour\n\nx\n",
            "content/articles/gone.md": "Title: Drains\nDate: 2026-11-01\n\nAsk {partner}quay.\n",
            "content/articles/later.md": "Title: Soon\nDate: 2026-12-24\n\nx\n",
        },
    )
    result = invoke(project, "check")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "3 profiles (1 published, 1 pending, 1 lapsed)" in out
    assert "due for review within 30 days:" in out and "harbour  2026-12-10  15" in out
    assert "lapsed (off the site until renewed): quay" in out
    assert "withheld: content/articles/gone.md (names unpublished quay)" in out
    assert "scheduled: content/articles/later.md (published on 2026-12-24)" in out
    assert "features a partner due for review: content/articles/due.md: harbour (review by 2026-12-10)" in out


def test_check_exits_non_zero_and_lists_every_problem(project: Path) -> None:
    make_site(project, {"a": "name: A\nstatus: yes\ncategory: plumbing\n", "b": "name: B\nstaus: vetted\n"})
    result = invoke(project, "check")
    assert result.returncode == 1
    assert "partners/a.yaml:2: status: expected one of" in result.stderr
    assert "partners/b.yaml:2: staus: unknown field; did you mean 'status'?" in result.stderr
    assert result.stderr.strip().endswith("vouch: 4 problems")


def test_build_failure_exits_non_zero(project: Path) -> None:
    make_site(project, {"a": "name: A\nstatus: yes\ncategory: plumbing\n"})
    result = invoke(project, "build")
    assert result.returncode == 1
    assert "partners/a.yaml:2: status:" in result.stderr
    assert "nothing was written, output/ is unchanged" in result.stderr
    assert not (project / "output").exists()


def test_build_prints_a_summary_with_stage_times(project: Path) -> None:
    make_site(
        project,
        {"harbour": vetted("Harbour"), "quay": {"name": "Quay", "status": "pending", "category": "plumbing"}},
        {"content/articles/a.md": "Title: A\nDate: 2026-01-01\n\nx\n",
         "content/articles/b.md": "Title: B\nDate: 2026-01-02\n\nAsk {partner}quay.\n",
         "content/newsletter/n.md": "Title: News for November\nDate: 2026-11-01\n\nHi.\n"},
    )  # fmt: skip
    result = invoke(project, "build", "-v")
    assert result.returncode == 0, result.stderr
    assert "1 of 2 partners published, 1 article, 0 pages, 1 newsletter issue\n" in result.stdout
    assert "e-mail previews: 1 in " in result.stdout
    assert "validate: " in result.stdout and "pages: " in result.stdout and "search index: " in result.stdout
    # -v adds Vouch's detail (paths as the editor types them), not a line per file Pelican writes.
    assert "vouch: withheld content/articles/b.md: it names unpublished quay" in result.stderr
    assert "Writing" not in result.stderr and "Copying" not in result.stderr


def test_new_partner_scaffolds_a_pending_profile_that_validates(project: Path) -> None:
    make_site(project, {})
    result = invoke(
        project, "new-partner", "Harbour Plumbing & Heating", "--category", "plumbing", "--phone", "0117 496 0100"
    )
    assert result.returncode == 0, result.stderr
    created = project / "partners/harbour-plumbing-heating.yaml"
    assert "status: pending" in created.read_text()
    assert invoke(project, "check").returncode == 0
    again = invoke(project, "new-partner", "Harbour Plumbing & Heating", "--category", "plumbing")
    assert again.returncode != 0 and "already exists" in again.stderr


def test_new_partner_names_the_file_that_holds_the_name_and_takes_a_slug(project: Path) -> None:
    make_site(
        project, {"harbour": {"name": "Harbour Plumbing & Heating Ltd", "status": "pending", "category": "plumbing"}}
    )
    taken = invoke(project, "new-partner", "HARBOUR PLUMBING AND HEATING")
    assert taken.returncode == 2
    assert "vouch: partners/harbour.yaml already holds the name 'HARBOUR PLUMBING AND HEATING'" in taken.stderr
    assert "--slug" in taken.stderr
    assert not (project / "partners/harbour-plumbing-and-heating.yaml").exists()
    other = invoke(project, "new-partner", "Harbour Plumbing & Heating", "--slug", "harbour-plumbing-totnes")
    assert other.returncode == 0, other.stderr
    assert "Harbour Plumbing & Heating" in (project / "partners/harbour-plumbing-totnes.yaml").read_text()
    used = invoke(project, "new-partner", "Quay", "--slug", "harbour")
    assert used.returncode == 2 and "partners/harbour.yaml already exists: choose another file name" in used.stderr
    bad = invoke(project, "new-partner", "Quay", "--slug", "Quay_Cafe")
    assert (
        bad.returncode == 2 and "--slug Quay_Cafe: expected a-z, 0-9 and single hyphens, e.g. quay-cafe" in bad.stderr
    )
    assert invoke(project, "check").returncode == 0


def test_new_partner_without_a_category_takes_the_first_and_lists_the_others(project: Path) -> None:
    make_site(project, {})
    result = invoke(project, "new-partner", "Quay Ltd")
    assert result.returncode == 0, result.stderr
    text = (project / "partners/quay-ltd.yaml").read_text()
    assert "category: electrical  # one of: electrical, plumbing\n" in text
    # Uncommenting the vetting block as written gives a valid, vetted profile.
    head, block = text.replace("status: pending", "status: vetted").split("\n# vetting:")
    block = block.replace("\n#   ", "\n  ")
    (project / "partners/quay-ltd.yaml").write_text(f"{head}\nvetting:{block}")
    checked = invoke(project, "check")
    assert checked.returncode == 0, checked.stderr


def test_new_partner_requires_a_known_category(project: Path) -> None:
    make_site(project, {})
    result = invoke(project, "new-partner", "X Ltd", "--category", "nope")
    assert result.returncode != 0
    assert "--category must be one of: electrical, plumbing" in result.stderr


def test_committed_schema_is_current() -> None:
    assert (REPO / SCHEMA_PATH).read_text() == site_schema(REPO), "run: invoke schema"


def test_unsubscribe_appends_once(project: Path) -> None:
    make_site(project, {})
    refused = invoke(project, "unsubscribe", "notanemail")
    assert refused.returncode == 2 and "expected an e-mail address; got 'notanemail'" in refused.stderr
    assert not (project / "private/suppressions.csv").exists()
    assert "added to private/suppressions.csv" in invoke(project, "unsubscribe", "Ann@Example.org").stdout
    assert "already in" in invoke(project, "unsubscribe", "ann@example.org").stdout
    assert (project / "private/suppressions.csv").read_text() == "email\nann@example.org\n"


def test_newsletter_drafts_the_next_issue_with_its_digest(project: Path) -> None:
    make_site(
        project,
        {"harbour": vetted("Harbour Plumbing", vetted_on="2026-11-10")},
        {"content/newsletter/november-2026.md": "Title: November news for you\nDate: 2026-11-01\n\nHi.\n"},
    )
    result = invoke(project, "newsletter")
    assert result.returncode == 0, result.stderr
    draft = (project / "content/newsletter/december-2026.md").read_text()
    assert "Date: 2026-12-01\n" in draft and "Status: draft" in draft
    assert "partner: Harbour Plumbing (https://test.example/partners/harbour/), vetted 2026-11-10" in draft
    assert invoke(project, "check").returncode == 0
    again = invoke(project, "newsletter")
    assert again.returncode == 1 and "content/newsletter/december-2026.md is already the next issue" in again.stderr
    assert sorted(p.name for p in (project / "content/newsletter").iterdir()) == [
        "december-2026.md",
        "november-2026.md",
    ]


def test_new_partner_rejects_a_bad_phone_before_writing(project: Path) -> None:
    make_site(project, {})
    result = invoke(project, "new-partner", "Quay Ltd", "--category", "plumbing", "--phone", "01548 123")
    assert result.returncode == 2
    assert "--phone: expected a valid phone number (national numbers are read as GB); got '01548 123'" in result.stderr
    assert not (project / "partners/quay-ltd.yaml").exists()


def test_check_notes_a_schema_that_no_longer_lists_the_registries(project: Path) -> None:
    make_site(project, {})
    assert "run invoke schema" in invoke(project, "check").stdout  # no schema yet
    assert invoke(project, "schema").returncode == 0
    schema = (project / SCHEMA_PATH).read_text()
    assert '"electrical",\n' in schema and '"insurance",\n' in schema  # the site's own keys, for autocomplete
    assert "run invoke schema" not in invoke(project, "check").stdout
    (project / "partners/_categories.yaml").write_text("glazing: {title: Glazing, description: Windows.}\n")
    assert "run invoke schema" in invoke(project, "check").stdout


def test_the_cron_build_takes_a_lapsed_partner_down_even_when_another_profile_breaks(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lapses never wait for a clean build: --keep-going leaves the broken files out and builds the rest."""
    from vouch_site.build import build

    make_site(
        project,
        {"harbour": vetted("Harbour Plumbing"), "lapsing": vetted("Lapsing Roofing", review_by="2026-11-24"),
         "quay": vetted("Quay Drains")},
        {"content/articles/ok.md": "Title: Boilers\nDate: 2026-11-01\n\nAsk {partner}harbour.\n",
         "content/articles/quay.md": "Title: Drains\nDate: 2026-11-01\n\nAsk {partner}quay.\n"},
    )  # fmt: skip
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(DEMO_EPOCH) - 86400))  # yesterday: all valid, none lapsed
    build(project, search=False)
    assert "Lapsing Roofing" in (project / "output/directory/plumbing/index.html").read_text()
    # Today Lapsing lapses, and on the same day quay.yaml breaks and an article gets a bad date.
    (project / "partners/quay.yaml").write_text("name: Quay Drains\nstatus: yes\ncategory: plumbing\n")
    (project / "content/articles/bad.md").write_text("Title: Gutters\nDate: someday\n\nx\n")
    before = sorted(p.relative_to(project) for p in (project / "output").rglob("*"))

    strict = invoke(project, "build")
    assert strict.returncode == 1
    assert sorted(p.relative_to(project) for p in (project / "output").rglob("*")) == before  # unchanged, as ever

    cron = invoke(project, "build", "--keep-going")
    assert cron.returncode == 2, cron.stderr
    assert "content/articles/bad.md:2: Date: expected a date" in cron.stderr
    assert "partners/quay.yaml:2: status: expected one of" in cron.stderr
    assert "built " in cron.stdout
    output = {p.relative_to(project / "output").as_posix(): p.read_bytes() for p in (project / "output").rglob("*")
              if p.is_file()}  # fmt: skip
    assert "partners/harbour/index.html" in output and "articles/ok/index.html" in output
    for name in (b"Lapsing Roofing", b"lapsing", b"Quay Drains", b"quay", b"Gutters"):
        assert not [rel for rel, data in output.items() if name in data or name.decode() in rel], name


def test_the_cron_build_still_refuses_broken_registries(project: Path) -> None:
    """Nothing can be checked without the categories and checks: --keep-going changes nothing then."""
    make_site(project, {"harbour": vetted("Harbour Plumbing")})
    (project / "partners/_checks.yaml").write_text("references: [\n")
    result = invoke(project, "build", "--keep-going")
    assert result.returncode == 1
    assert "partners/_checks.yaml:2: invalid YAML" in result.stderr
    assert "nothing was written, output/ is unchanged" in result.stderr
    assert not (project / "output").exists()


def test_check_lists_the_files_that_no_published_item_or_partner_links(project: Path) -> None:
    make_site(
        project,
        {"harbour": vetted("Harbour", logo={"src": "images/harbour.svg", "alt": "H"})},
        {
            "content/articles/a.md": "Title: A\nDate: 2026-11-01\n\nThe [form]({static}../files/form.pdf).\n",
            "content/files/form.pdf": "x",
            "content/files/old-price-list.pdf": "x",
            "content/images/harbour.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        },
    )
    result = invoke(project, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("not published:") == 1
    assert "not published: content/files/old-price-list.pdf (no published item or partner links it)" in result.stdout


def test_check_lists_the_editor_temporary_files_it_skips(project: Path) -> None:
    make_site(
        project,
        {"harbour": vetted("Harbour")},
        {"content/articles/a.md": "Title: A\nDate: 2026-11-01\n\nx\n", "content/articles/a.md~": "old"},
    )
    (project / "content/articles/.#a.md").symlink_to("editor@host.1234:1700000000")
    result = invoke(project, "check")
    assert result.returncode == 0, result.stderr
    assert "skipped: content/articles/.#a.md (an editor's temporary file)" in result.stdout
    assert "skipped: content/articles/a.md~ (an editor's temporary file)" in result.stdout


def test_check_lists_items_withheld_for_linking_an_unpublished_one(project: Path) -> None:
    make_site(
        project,
        {"harbour": vetted("Harbour")},
        {
            "content/articles/a.md": "Title: A\nDate: 2026-11-01\n\nSee [b]({filename}b.md).\n",
            "content/articles/b.md": "Title: B\nDate: 2026-11-01\nStatus: draft\n\nx\n",
        },
    )
    result = invoke(project, "check")
    assert result.returncode == 0, result.stderr
    assert "withheld: content/articles/a.md (links content/articles/b.md, not published)" in result.stdout
