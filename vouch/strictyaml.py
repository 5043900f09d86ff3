"""Strict YAML: libyaml speed, but duplicate keys, anchors and aliases are errors.

PyYAML's ``CSafeLoader`` silently keeps the last of two duplicate keys and
expands aliases (a "billion laughs" file explodes in memory). We compose the
node graph in C, then walk it once in Python: a node seen twice is an alias,
and the walk stops there, so such a file fails fast and small. The walk also
records the line of every key, so validation errors can name ``file:line``.

Both the C composer and the walk recurse once per level of nesting, so a few
kilobytes of ``[[[[`` would exhaust the stack (a ``RecursionError``, or at
100,000 levels a segfault in C). Deep nesting is refused before either runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import CSafeLoader
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]
_STR = "tag:yaml.org,2002:str"
MAX_DEPTH = 32  # levels of nested lists and mappings; a profile needs three
_INDICATORS = " \t-?:"  # what may stand before a block collection on its line


class YamlProblem(Exception):
    """A file that cannot be read as strict YAML; ``line`` is 1-based."""

    def __init__(self, line: int | None, field: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.field = field
        self.message = message


@dataclass(slots=True)
class Document:
    """Plain Python data plus where each value came from."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    raw: dict[Path, str] = field(default_factory=dict)  # source text of scalars
    faults: list[tuple[int, str, str]] = field(default_factory=list)  # (line, field, message): reported, not fatal
    blocks: dict[Path, int] = field(default_factory=dict)  # the line a block scalar's (| or >) text starts on

    def text_line_of(self, path: Path) -> int:
        """The file line of the first line of a string's text (a block scalar starts below its key)."""
        return self.blocks.get(path) or self.line_of(path)

    def line_of(self, path: Path) -> int:
        """The line of ``path`` or of its nearest ancestor that exists."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def dotted(path: Path) -> str:
    """``('vetting', 'checks', 1)`` -> ``vetting.checks[1]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def load(text: str) -> Document:
    """Parse one YAML document strictly; raise YamlProblem on the first fault."""
    # Anchors and deep nesting are rare: only then pay for a second, event-level pass.
    if "&" in text or _depth_bound(text) > MAX_DEPTH:
        _scan_events(text)
    loader = CSafeLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            if exc.context == "while scanning a quoted scalar" and exc.context_mark:
                mark = exc.context_mark  # where the unclosed quote opens, not the end of the file
            line = mark.line + 1 if mark else None
            raise YamlProblem(line, "", _explain(exc, text)) from None
        except yaml.reader.ReaderError as exc:  # a character YAML refuses to read, such as a raw escape
            line = text.count("\n", 0, exc.position) + 1
            raise YamlProblem(
                line, "", f"invalid YAML: control character U+{exc.character:04X} is not allowed (remove it)"
            ) from None
        except yaml.YAMLError as exc:
            raise YamlProblem(None, "", f"invalid YAML: {exc}") from None
        doc = Document(data=None)
        if root is None:
            return doc
        doc.data = _Walker(loader, doc).value(root, ())
        return doc
    finally:
        loader.dispose()


def _explain(exc: yaml.MarkedYAMLError, text: str) -> str:
    """PyYAML's words, made into advice for the usual mistakes."""
    problem = exc.problem or exc.context or "unreadable"
    mark = exc.problem_mark
    if problem == "found undefined alias" and mark is not None:
        name = re.match(r"\*?([^\s,\]}]*)", text[mark.index :])
        return f"YAML alias '{name.group(1) if name else ''}' is not allowed: write the value out in full"
    if problem == "but found another document":
        return "expected one mapping of fields; got a second YAML document (one partner per file)"
    if exc.context == "while scanning a quoted scalar":
        return "invalid YAML: a quoted value is never closed (add the closing quote on this line)"
    hint = _hint(exc, problem, text)
    return f"invalid YAML: {problem}" + (f" ({hint})" if hint else "")


def _hint(exc: yaml.MarkedYAMLError, problem: str, text: str) -> str:
    """What to do about it, from the offending line."""
    if exc.context == "while scanning an alias":
        return "a value that starts with * or & must be quoted"
    mark = exc.problem_mark
    lines = text.splitlines()
    if mark is None or mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    if "\t" in line[: mark.column + 1] or "tab" in problem:
        column = line.index("\t") + 1 if "\t" in line else mark.column + 1
        return f"a tab at column {column}: indent with spaces, not tabs"
    if problem == "mapping values are not allowed in this context":
        if ": " in line[: mark.column]:
            key, _, value = line.strip().partition(": ")
            quote = "'" if '"' in value else '"'
            return f"a value that contains ': ' must be quoted: {key}: {quote}{value}{quote}"
        return "check this line's indentation: it must line up with the keys above it"
    return ""


def _depth_bound(text: str) -> int:
    """An upper bound on the nesting depth, without parsing.

    A flow collection opens with a bracket; a nested block collection starts to the
    right of its parent, or at its column (a list as a mapping's value), after nothing
    but indentation and indicators on its line.
    """
    indent = max((len(line) - len(line.lstrip(_INDICATORS)) for line in text.splitlines()), default=0)
    return text.count("[") + text.count("{") + indent + 2


def _scan_events(text: str) -> None:
    """Refuse anchors, aliases and nesting deeper than MAX_DEPTH; libyaml's parser itself does not recurse."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=CSafeLoader):
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
                raise YamlProblem(
                    event.start_mark.line + 1,
                    "",
                    f"YAML {kind} '{anchor}' is not allowed: write the value out in full",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(
                        event.start_mark.line + 1,
                        "",
                        f"expected at most {MAX_DEPTH} levels of nested lists and mappings; got deeper nesting here",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # the main pass reports syntax errors with their line (before it nests this deep)


class _Walker:
    def __init__(self, loader: CSafeLoader, doc: Document) -> None:
        self.loader = loader
        self.doc = doc
        self.seen: set[int] = set()

    def value(self, node: Node, path: Path) -> Any:
        if id(node) in self.seen:
            raise YamlProblem(
                node.start_mark.line + 1, dotted(path), "YAML aliases are not allowed: write the value out in full"
            )
        self.seen.add(id(node))
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            out = []
            for i, item in enumerate(node.value):
                self.doc.lines[(*path, i)] = item.start_mark.line + 1
                out.append(self.value(item, (*path, i)))
            return out
        if not isinstance(node, ScalarNode):  # libyaml makes only these three kinds
            raise TypeError(f"unexpected YAML node {type(node).__name__} at {dotted(path)}")
        self.doc.raw[path] = node.value
        if node.style in ("|", ">"):
            self.doc.blocks[path] = node.start_mark.line + 2
        if node.tag == _STR:
            return node.value  # the common case, without PyYAML's per-node bookkeeping
        try:
            return self.loader.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            raise YamlProblem(node.start_mark.line + 1, dotted(path), f"cannot read value: {exc.problem}") from None
        except ValueError:  # a timestamp that is no calendar date, such as 2026-02-30
            self.doc.faults.append(
                (node.start_mark.line + 1, dotted(path), f"expected a real calendar date; got {node.value}")
            )
            return node.value

    def mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(line, dotted(path), "YAML merge keys (<<) are not allowed")
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem(line, dotted(path), "expected a plain key; got a list or mapping")
            key = key_node.value
            if key in out:  # reported, and the first value kept, so the rest of the file is still checked
                first = self.doc.lines[(*path, key)]
                self.doc.faults.append((line, dotted((*path, key)), f"duplicate key (first defined on line {first})"))
                continue
            self.doc.lines[(*path, key)] = line
            out[key] = self.value(value_node, (*path, key))
        return out
