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
from typing import Any, NoReturn

from vouch.controls import CONTROL_RE, position
from vouch.model import is_url
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


class OptionsRefused(InitRefused):
    """Every option that is wrong, one line each (``--url: expected ...``); nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def new_settings(name: str, url: str, region: str, timezone: str, sender: str, introductions: str) -> dict[str, str]:
    """The settings ``init`` writes, checked as the build checks them; OptionsRefused names every wrong option."""
    chosen = {"SITENAME": name.strip(), "SITEURL": url.strip().rstrip("/"), "PHONE_REGION": region.strip().upper(),
              "TIMEZONE": timezone.strip(), "NEWSLETTER_FROM": sender.strip(),
              "INTRODUCTIONS_EMAIL": introductions.strip()}  # fmt: skip
    found: dict[str, str] = {}  # setting -> problem
    if not chosen["SITENAME"]:
        found["SITENAME"] = "expected the network's name, e.g. --name 'Totnes Trusted Traders'"
    elif control := CONTROL_RE.search(chosen["SITENAME"]):  # the about page's title, the pages' <title>
        found["SITENAME"] = (f"expected one line of text without control characters; got {chosen['SITENAME']!r} "
                             f"{position(control)}")  # fmt: skip
    if not (chosen["SITEURL"].startswith("https://") and is_url(chosen["SITEURL"], ("https",))):
        found["SITEURL"] = f"expected the site's https address, e.g. https://partners.example.org; got {url!r}"
    for problem in settings_problems({**DEFAULTS, **chosen}, Path(os.devnull)):
        found.setdefault(problem.field, problem.message)
    if found:
        order = list(OPTION_OF)
        keys = sorted(found, key=lambda key: order.index(key) if key in order else len(order))
        raise OptionsRefused([f"{OPTION_OF.get(key, key)}: {found[key]}" for key in keys])
    return {key: value for key, value in chosen.items() if value}


class SettingsRefused(InitRefused):
    """``pelicanconf.py:LINE: ...``: the settings file itself stands in the way; nothing was changed."""


def _refuse(line: int | None, message: str) -> NoReturn:
    raise SettingsRefused(f"pelicanconf.py:{line or 1}: {message}; nothing was changed")


def rewrite_settings(text: str, settings: dict[str, str]) -> tuple[str, list[str]]:
    """``pelicanconf.py`` with these settings, and what changed, one phrase each. Only the managed assignment
    changes (its value, found by ast positions): a setting sharing its line (``a = 1; SITEURL = ...``) or its
    value (``SITENAME = SITETITLE = ...``) is kept. A managed setting left without a value is removed; one
    missing is added at the end; the guard against a plain ``pelican`` run is added if it is missing.
    SettingsRefused (naming the line) for anything it cannot rewrite that way."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        _refuse(exc.lineno, f"expected Python that parses ({exc.msg})")
    if text and not text.endswith(("\n", "\r")):  # so a line can be added after the last one
        text += "\n"
    source = text.encode("utf-8")  # ast's columns count UTF-8 bytes
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    _check_bindings(tree, settings)

    def at(line: int, col: int) -> int:
        return starts[line - 1] + col

    def span(node: ast.AST) -> tuple[int, int]:
        return at(node.lineno, node.col_offset), at(node.end_lineno or node.lineno, node.end_col_offset or 0)

    def segment(node: ast.AST) -> str:
        first, last = span(node)
        return source[first:last].decode("utf-8")

    edits: list[tuple[int, int, str]] = []  # (start, end, new text), byte offsets
    changes: list[str] = []
    body = tree.body
    for i, node in enumerate(body):
        targets = _plain_targets(node)
        mine = [t.id for t in targets if isinstance(t, ast.Name) and t.id in OPTION_OF]
        if not mine or node.value is None:  # type: ignore[attr-defined]
            continue
        value = node.value  # type: ignore[attr-defined]
        was, line = _shown(segment(value)), node.lineno
        before = i > 0 and body[i - 1].end_lineno == node.lineno
        after = i + 1 < len(body) and body[i + 1].lineno == node.end_lineno
        rest = "; the rest of the line kept" if before or after else ""
        kept = [segment(t) for t in targets if not (isinstance(t, ast.Name) and t.id in OPTION_OF)]
        if len(targets) == 1:
            key = mine[0]
            if key not in settings:
                edits.append(_removal(node, body, i, at, span))
                changes.append(f"{key} removed (line {line}; was {was}{rest}): its default applies until you set it")
            elif isinstance(value, ast.Constant) and value.value == settings[key]:
                changes.append(f"{key} = {_literal(settings[key])} already (line {line})")
            else:
                edits.append((*span(value), _literal(settings[key])))
                changes.append(f"{key} = {_literal(settings[key])} (line {line}; was {was}{rest})")
            continue
        others = f", which {' = '.join(kept)} keep{'s' if len(kept) == 1 else ''}" if kept else ""
        split = [f"{key} = {_literal(settings[key])}" for key in mine if key in settings]
        inline = ([f"{' = '.join(kept)} = {segment(value)}"] if kept else []) + (split if before or after else [])
        edits.append((*span(node), "; ".join(inline)) if inline else _removal(node, body, i, at, span))
        if split and not (before or after):
            end_line = node.end_lineno or node.lineno
            edits.append((starts[end_line], starts[end_line], "".join(f"{a}\n" for a in split)))
        where = "split off" if before or after else "split off onto a line of its own"
        for key in mine:
            if key in settings:
                changes.append(f"{key} = {_literal(settings[key])} (line {line}, {where}; was {was}{others})")
            else:
                changes.append(f"{key} removed (line {line}; was {was}{others}): its default applies until you set it")
    out = source
    for first, last, new in sorted(_merged(edits), key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:first] + new.encode("utf-8") + out[last:]
    result = out.decode("utf-8")
    assigned = {name for node in body for name in _names(node)}
    for key, value in settings.items():
        if key not in assigned:
            result += f"{key} = {_literal(value)}\n"
            changes.append(f"{key} = {_literal(value)} added at the end")
    _same_apart_from_the_settings(tree, result, settings)
    if "refuse_plain_pelican()" not in result:
        result = GUARD + "\n" + result
        changes.append("the guard against a plain `pelican` run added at the top")
    return result, changes


def _plain_targets(node: ast.stmt) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    return [node.target] if isinstance(node, ast.AnnAssign) else []


def _names(node: ast.stmt) -> list[str]:
    return [t.id for t in _plain_targets(node) if isinstance(t, ast.Name)]


def _check_bindings(tree: ast.Module, settings: dict[str, str]) -> None:
    """Refuse a managed setting bound any other way than ``KEY = value`` at the top level, or one to be
    removed that the file reads: rewriting either could change what the rest of the file means."""
    plain = {id(t) for node in tree.body for t in _plain_targets(node)}
    removed = {name for node in tree.body for name in _names(node)} & set(OPTION_OF) - set(settings)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in OPTION_OF:
            if not isinstance(node.ctx, ast.Load) and id(node) not in plain:
                found.append((node.lineno, f"{node.id}: set in a way init cannot rewrite"))
            elif isinstance(node.ctx, ast.Load) and node.id in removed:
                found.append((node.lineno, f"{node.id}: used here, so init cannot remove it (give "
                                           f"{OPTION_OF[node.id]}, or change it by hand"))  # fmt: skip
        elif isinstance(node, ast.alias) and (node.asname or node.name) in OPTION_OF:
            found.append((getattr(node, "lineno", 1), f"{node.asname or node.name}: set in a way init cannot rewrite"))
        elif (
            isinstance(node, ast.AugAssign | ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id in OPTION_OF
            and (isinstance(node, ast.AugAssign) or node.value is None)
        ):
            found.append((node.lineno, f"{node.target.id}: set in a way init cannot rewrite"))
    if found:
        line, message = min(found)
        key = message.partition(":")[0]
        if "cannot remove" in message:
            _refuse(line, message + ")")
        _refuse(line, f"{message}; change it by hand to a line of its own, {key} = ..., and run init again")


def _removal(node: ast.stmt, body: list[ast.stmt], i: int, at: Any, span: Any) -> tuple[int, int, str]:
    """The bytes to delete for statement ``i``: its whole lines, or only itself and one ``;`` on a shared line."""
    first, last = span(node)
    if i + 1 < len(body) and body[i + 1].lineno == node.end_lineno:
        return first, span(body[i + 1])[0], ""
    if i > 0 and body[i - 1].end_lineno == node.lineno:
        return span(body[i - 1])[1], last, ""
    return at(node.lineno, 0), at((node.end_lineno or node.lineno) + 1, 0), ""


def _merged(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The edits with overlapping deletions joined (two removed statements on one line share their ``;``)."""
    out: list[tuple[int, int, str]] = []
    for first, last, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if out and not new and not out[-1][2] and first < out[-1][1]:
            out[-1] = (out[-1][0], max(last, out[-1][1]), "")
        elif out and first < out[-1][1]:  # not expected: refused below rather than written wrong
            return []
        else:
            out.append((first, last, new))
    return out


def _same_apart_from_the_settings(tree: ast.Module, result: str, settings: dict[str, str]) -> None:
    """The rewritten file means what the old one did, except for the managed settings: else refuse."""

    def shape(module: ast.Module) -> list[str]:
        shapes = []
        for node in module.body:
            if isinstance(node, ast.Assign):  # its targets other than the managed ones, and its value
                kept = [ast.dump(t) for t in node.targets if not (isinstance(t, ast.Name) and t.id in OPTION_OF)]
                shapes += [f"{kept} = {ast.dump(node.value)}"] if kept else []
            elif not set(_names(node)) & set(OPTION_OF):
                shapes.append(ast.dump(node))
        return shapes

    try:
        new = ast.parse(result)
    except SyntaxError as exc:
        _refuse(exc.lineno, f"init could not rewrite the settings here ({exc.msg}): change them by hand")
    values = [(t.id, n.value) for n in new.body for t in _plain_targets(n) if isinstance(t, ast.Name)]  # type: ignore[attr-defined]
    wrong = {key for key, value in values if key in OPTION_OF and not (
        isinstance(value, ast.Constant) and key in settings and value.value == settings[key])}  # fmt: skip
    wrong |= set(settings) - {key for key, _ in values}
    if shape(tree) != shape(new) or wrong:
        lines = [n.lineno for n in tree.body if set(_names(n)) & (wrong or set(OPTION_OF))]
        _refuse(min(lines, default=1), "init could not rewrite the settings here safely: change them by hand")


def _shown(source: str) -> str:
    """An old value as the file wrote it, shortened for one line of the report."""
    flat = " ".join(source.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


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
    try:
        old = conf.read_text(encoding="utf-8-sig") if conf.exists() else ""  # a byte-order mark is no Python
    except UnicodeDecodeError as exc:
        raise SettingsRefused(f"pelicanconf.py: expected UTF-8 text ({exc.reason}); nothing was changed") from None
    text, changes = rewrite_settings(old, dict(settings))
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
    report += [f"pelicanconf.py: {change}" for change in changes]
    report.append("pelicanconf.py: nothing else changed")
    if ABOUT not in found.others:
        report.append(f"wrote {ABOUT}: fill it in")
    return report
