"""The editor's commands: ``invoke --list`` shows them all."""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent


def _fail_with(problems: list, consequence: str) -> None:
    from vouch.problems import relative_to

    for problem in problems:
        print(relative_to(problem, ROOT), file=sys.stderr)
    noun = "problem" if len(problems) == 1 else "problems"
    raise Exit(f"vouch: {len(problems)} {noun}{consequence}", code=1)


@task(help={"output": "folder to build into (default: output/)"})
def build(c, output=""):
    """Validate everything, then build the site into output/ (atomically)."""
    from vouch.problems import ValidationFailed
    from vouch_site.build import build as run_build

    try:
        result = run_build(ROOT, Path(output) if output else None)
    except ValidationFailed as failed:
        _fail_with(failed.problems, "; nothing was written, output/ is unchanged")
    print(result.summary())


@task
def check(c):
    """Validate only; list partners by state, reviews due within 30 days, lapses."""
    from vouch.report import roster_report
    from vouch_site.build import check_only

    report = check_only(ROOT)
    print(roster_report(report.roster, report.today))
    for slug, slugs in sorted(report.withheld_partners.items()):
        print(f"withheld: partners/{slug}.yaml (its description names unpublished {', '.join(slugs)})")
    selection = report.content
    for path, slugs in sorted(selection.withheld.items()):
        print(f"withheld: {path.relative_to(ROOT)} (names unpublished {', '.join(slugs)})")
    for item in selection.scheduled:
        print(f"scheduled: {item.path.relative_to(ROOT)} (published on {item.date})")
    if report.problems:
        print(file=sys.stderr)
        _fail_with(report.problems, "")


@task(
    help={
        "name": "the business name, e.g. 'Harbour Plumbing & Heating'",
        "category": "a key of partners/_categories.yaml",
        "email": "contact e-mail (optional)",
        "phone": "contact phone (optional)",
    }
)
def new_partner(c, name, category="", email="", phone=""):
    """Scaffold partners/<slug>.yaml with status: pending."""
    from vouch.scaffold import new_profile
    from vouch.slugs import slugify
    from vouch.strictyaml import load

    categories = load((ROOT / "partners" / "_categories.yaml").read_text()).data or {}
    if category not in categories:
        raise Exit(f"vouch: --category must be one of: {', '.join(categories)}", code=2)
    slug = slugify(name)
    target = ROOT / "partners" / f"{slug}.yaml"
    if not slug:
        raise Exit("vouch: the name needs at least one letter or digit", code=2)
    if target.exists():
        raise Exit(f"vouch: {target.relative_to(ROOT)} already exists", code=2)
    target.write_text(new_profile(name, category, email, phone), encoding="utf-8")
    print(f"created {target.relative_to(ROOT)} (status: pending); fill it in, then run: invoke check")


@task
def schema(c):
    """Regenerate schema/partner.schema.json from the profile model."""
    from vouch.schema import SCHEMA_PATH, profile_schema

    target = ROOT / SCHEMA_PATH
    target.parent.mkdir(exist_ok=True)
    target.write_text(profile_schema(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")


@task
def test(c):
    """Run the whole test suite (ruff, then pytest)."""
    c.run("ruff check .", pty=False)
    c.run("ruff format --check .", pty=False)
    c.run(f"{sys.executable} -m pytest -n 2", pty=False)
