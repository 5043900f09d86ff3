"""``invoke init``: the demo network becomes an empty network of the organiser's own.

It deletes only the demo's own files (known by path and content, ``demo_files.DEMO_FILES``):
anything else under ``partners/`` or ``content/`` makes it refuse, changing nothing, and with
``--force`` it is kept and listed. Every option is checked before the first file is touched.
"""

from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from vouch.profiles import NORMAL_EXTRAS
from vouch.settings import DEFAULTS, settings_problems
from vouch_site.demo_files import DEMO_FILES, KEPT, file_hash

GUARD = (
    "from vouch_site.guard import refuse_plain_pelican\n\n"
    "refuse_plain_pelican()  # build with `invoke build`: plain `pelican` would skip Vouch's checks\n"
)
OPTION_OF = {"SITENAME": "--name", "SITEURL": "--url", "PHONE_REGION": "--region", "TIMEZONE": "--timezone",
             "NEWSLETTER_FROM": "--from", "INTRODUCTIONS_EMAIL": "--introductions"}  # fmt: skip
ABOUT = "content/pages/about.md"
FOLDERS = ("content/articles", "content/pages", "content/newsletter", "content/images")


class InitRefused(ValueError):
    """One line; nothing was changed."""


@dataclass(slots=True)
class Survey:
    """What partners/ and content/ hold, sorted: the demo's own files, and everything else."""

    demo: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)


def survey(root: Path) -> Survey:
    found = Survey()
    for top in ("partners", "content"):
        for folder, subfolders, files in os.walk(root / top):  # symbolic links to folders are not followed
            subfolders.sort()
            here = Path(folder)
            names = sorted(files) + sorted(s for s in subfolders if (here / s).is_symlink())
            for name in names:
                path = here / name
                rel = path.relative_to(root).as_posix()
                if rel in KEPT or any(fnmatchcase(name, pattern) for pattern in NORMAL_EXTRAS):
                    continue
                is_demo = rel in DEMO_FILES and not path.is_symlink() and file_hash(path) == DEMO_FILES[rel]
                (found.demo if is_demo else found.others).append(rel)
    found.demo.sort()
    found.others.sort()
    return found


def new_settings(name: str, url: str, region: str, timezone: str, sender: str, introductions: str) -> dict[str, str]:
    """The settings ``init`` writes, checked as the build checks them; InitRefused names the option."""
    chosen = {"SITENAME": name.strip(), "SITEURL": url.strip().rstrip("/"), "PHONE_REGION": region.strip().upper(),
              "TIMEZONE": timezone.strip(), "NEWSLETTER_FROM": sender.strip(),
              "INTRODUCTIONS_EMAIL": introductions.strip()}  # fmt: skip
    if not chosen["SITENAME"]:
        raise InitRefused("--name: expected the network's name, e.g. --name 'Totnes Trusted Traders'")
    if not chosen["SITEURL"].startswith("https://"):
        raise InitRefused(f"--url: expected the site's https address, e.g. https://partners.example.org; got {url!r}")
    problems = settings_problems({**DEFAULTS, **chosen}, Path(os.devnull))
    if problems:
        first = problems[0]
        raise InitRefused(f"{OPTION_OF.get(first.field, first.field)}: {first.message}")
    return {key: value for key, value in chosen.items() if value}


def rewrite_settings(text: str, settings: dict[str, str]) -> tuple[str, list[str]]:
    """``pelicanconf.py`` with these settings (each replacing its assignment, or added at the end), the rest
    kept; the guard against a plain ``pelican`` run added if it was missing. Also what it removed."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    replaced: dict[int, tuple[int, str | None]] = {}  # first line -> (last line, new text or None to delete)
    removed = []
    managed = set(OPTION_OF)
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            key = next(iter(names & managed), None)
            if key is None or node.end_lineno is None:
                continue
            new = f"{key} = {_literal(settings[key])}\n" if key in settings else None
            if new is None:
                removed.append(key)
            replaced[node.lineno - 1] = (node.end_lineno - 1, new)
            settings = {k: v for k, v in settings.items() if k != key}
    out: list[str] = []
    skip_to = -1
    for number, line in enumerate(lines):
        if number <= skip_to:
            continue
        if number in replaced:
            skip_to, new = replaced[number]
            if new is not None:
                out.append(new)
            continue
        out.append(line)
    result = "".join(out)
    if result and not result.endswith("\n"):
        result += "\n"
    result += "".join(f"{key} = {_literal(value)}\n" for key, value in settings.items())
    if "refuse_plain_pelican()" not in result:
        result = GUARD + "\n" + result
    return result, removed


def _literal(value: str) -> str:
    """A Python string literal in double quotes, as the rest of pelicanconf.py writes them."""
    return json.dumps(value, ensure_ascii=False)


def about_page(name: str) -> str:
    return (
        f"Title: About {name}\n"
        f"Summary: Who runs {name}, how partners are vouched for, and how to recommend a business.\n\n"
        "<!-- Fill this page in: it is the first thing a careful visitor reads. -->\n\n"
        f"{name} is a referral network: every business listed has been personally vouched for by one of "
        "our members.\n\n"
        "## Who we are\n\nWho runs the network, where, and since when.\n\n"
        "## How partners are vouched for\n\n"
        "The checks are on our [vetting page](../vetting/); each profile shows which were passed and when.\n\n"
        "## Recommend a business\n\nHow to suggest a business for vetting, and how to tell us about a bad "
        "experience (read in confidence).\n"
    )


def init_network(root: Path, settings: dict[str, str], force: bool) -> list[str]:
    """Do it, and return the lines that say what was done. Refuses (changing nothing) unless only the demo is there."""
    found = survey(root)
    if found.others and not force:
        shown = ", ".join(found.others[:5]) + (f" and {len(found.others) - 5} more" if len(found.others) > 5 else "")
        raise InitRefused(
            f"partners/ and content/ hold files that are not the demo's ({shown}); nothing was changed "
            "(init empties the demo network only; --force removes the demo's own files and keeps these)"
        )
    conf = root / "pelicanconf.py"
    text, removed = rewrite_settings(conf.read_text(encoding="utf-8") if conf.exists() else "", dict(settings))
    about = root / ABOUT
    for rel in found.demo:
        (root / rel).unlink()
    conf.write_text(text, encoding="utf-8")
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    if not about.exists():  # with --force, an about page of the organiser's own stays as it is
        about.write_text(about_page(settings["SITENAME"]), encoding="utf-8")
    report = [f"removed {len(found.demo)} demo files:"]
    for top in ("partners/", "content/"):
        mine = [rel.removeprefix(top) for rel in found.demo if rel.startswith(top)]
        if mine:
            report.append(f"  {top}: {', '.join(mine)}")
    report.append(f"kept {', '.join(KEPT)} (the demo's categories and checks: make them your own)")
    if found.others:
        report.append(f"kept {len(found.others)} files that are not the demo's: {', '.join(found.others)}")
    written = ", ".join(f"{key} = {_literal(value)}" for key, value in settings.items())
    report.append(f"pelicanconf.py: {written}; the rest of the file is unchanged")
    if removed:
        report.append(f"pelicanconf.py: removed the demo's {', '.join(removed)} (the default applies until you set it)")
    if ABOUT not in found.others:
        report.append(f"wrote {ABOUT}: fill it in")
    return report
