"""Which output files are still current: a key per file, from everything it was made of.

A page's key hashes its own inputs (the partner, the names it links...)
together with a fingerprint of everything pages share (theme, code,
settings, registries). Beside each key the build records which file it
wrote (``outputs.file_id``). When the key is the one recorded and the live
file is still that very file, the build links it instead of rendering it
again; output/ itself is never trusted.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from vouch.cache_files import read_stamped
from vouch.render.files import OutputFile
from vouch.writer import parallel
from vouch.writer.file_store import FileStore
from vouch.writer.staged import FileId, StagedWriter

VERSION = 2


def fingerprint(*parts: Any, files: Iterable[Path] = ()) -> str:
    """A hash of ``parts`` (picklable values) and of the bytes of ``files``."""
    digest = hashlib.sha256(repr((VERSION, parts)).encode())
    for path in sorted(files):
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def files_under(folder: Path) -> list[Path]:
    """Every file under ``folder``, through links to folders as Jinja's loader goes (``rglob`` does not), each
    folder once (a link back up is not walked round)."""
    found: list[Path] = []
    seen: set[str] = set()
    for here, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(here)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        found += [Path(here, name) for name in names if os.path.isfile(os.path.join(here, name))]
    return found


def canonical(value: Any) -> Any:
    """A stand-in for a setting with a deterministic ``repr``: equal for equal settings in any process.

    Lists, dicts and sets are walked; a function stands for its code, defaults, closure and
    source file (a changed Jinja filter re-renders), a module or class for its source file.
    Anything else falls back to its ``repr``: one that differs on every run only costs reuse.
    """
    return _canonical(value, {}, frozenset())


def _canonical(value: Any, files: dict[str, str], seen: frozenset[int]) -> Any:  # noqa: PLR0911
    if value is None or isinstance(value, bool | int | float | complex | str | bytes):
        return value
    if id(value) in seen:
        return "<cycle>"
    seen = seen | {id(value)}

    def walk(inner: Any) -> Any:
        return _canonical(inner, files, seen)

    if isinstance(value, Mapping):  # in order: a template may show a dict as it was written
        return ("dict", [(walk(k), walk(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [walk(v) for v in value])
    if isinstance(value, set | frozenset):  # a set's order changes with the hash seed
        return ("set", sorted((walk(v) for v in value), key=repr))
    if isinstance(value, functools.partial):
        return ("partial", walk(value.func), walk(value.args), walk(value.keywords))
    if isinstance(value, types.MethodType):
        return ("method", walk(value.__func__), walk(value.__self__))
    if isinstance(value, types.FunctionType):
        code = value.__code__
        return ("function", value.__module__, value.__qualname__, _code(code, walk), walk(value.__defaults__),
                walk(value.__kwdefaults__), walk(_cells(value)), _source(code.co_filename, files))  # fmt: skip
    if isinstance(value, types.ModuleType):
        return ("module", value.__name__, _source(getattr(value, "__file__", None), files))
    if isinstance(value, type):
        module = sys.modules.get(value.__module__)
        return ("class", value.__module__, value.__qualname__, _source(getattr(module, "__file__", None), files))
    if isinstance(value, types.BuiltinFunctionType | types.MethodDescriptorType | types.WrapperDescriptorType):
        return (
            "builtin",
            getattr(value, "__module__", None),
            value.__qualname__,
            walk(getattr(value, "__self__", None)),
        )
    if hasattr(value, "__dict__"):
        return ("object", walk(type(value)), walk(vars(value)))
    return repr(value)


def _code(code: types.CodeType, walk: Callable[[Any], Any]) -> tuple[Any, ...]:
    """Bytecode, names and constants (nested functions included): differs when the function does."""
    consts = tuple(_code(c, walk) if isinstance(c, types.CodeType) else walk(c) for c in code.co_consts)
    return (code.co_code, code.co_names, consts)


def _cells(function: types.FunctionType) -> list[Any]:
    """The values a closure captured (an unfilled cell stands as None)."""
    values = []
    for cell in function.__closure__ or ():
        try:
            values.append(cell.cell_contents)
        except ValueError:
            values.append(None)
    return values


def _source(path: str | None, files: dict[str, str]) -> str:
    """The hash of a source file (helpers a function calls live there too), once per file."""
    if not path or not os.path.isfile(path):
        return ""
    if path not in files:
        files[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return files[path]


def installed() -> tuple[str, ...]:
    """Python's version and every installed distribution's name and version (an upgrade re-renders)."""
    names = {
        entry.name
        for folder in sys.path
        if os.path.isdir(folder)
        for entry in os.scandir(folder)
        if entry.name.endswith((".dist-info", ".egg-info"))
    }
    return (sys.version, *sorted(names))


def key(shared: str, *inputs: Any) -> str:
    """Inputs are frozen dataclasses, tuples, strings and dates: their repr is canonical.

    (pickle is not: its bytes depend on which equal objects happen to be identical.)
    """
    return hashlib.sha256(f"{shared}\n{inputs!r}".encode()).hexdigest()


Record = dict[str, tuple[str, FileId]]  # relpath -> (render key, the file written for it)


def load(path: Path | None) -> Record:
    return read_stamped(path, VERSION)


def save(path: Path | None, record: Record) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps((VERSION, record), protocol=5))
    tmp.replace(path)


def write_all(
    files: Sequence[OutputFile],
    render: Callable[[OutputFile], bytes],
    out: StagedWriter,
    shared: str,
    previous: Record,
    progress: Callable[[int, int], None] | None = None,
    store: FileStore | None = None,
) -> tuple[Record, int, int]:
    """Render (or reuse) every file on the machine's cores; the record of this build, and the counts.

    A file without ``inputs`` is always rendered; one whose key is the one recorded is linked
    from the live build if it is still the very file written then (``StagedWriter.reuse``); a
    ``stored`` file is otherwise linked from ``store`` when it holds its key, and kept there.
    """
    store = store or FileStore(None)
    if any(file.stored for file in files):
        store.prepare()
    workers = parallel.workers(len(files))
    report = _Progress(progress, len(files), workers)
    parts = parallel.run_split(files, partial(_write_part, render, out, shared, previous, store, report), workers)
    record = {relpath: entry for part in parts for relpath, entry in part[0].items()}
    return record, sum(p[1] for p in parts), sum(p[2] for p in parts)


def _write_part(
    render: Callable[[OutputFile], bytes],
    out: StagedWriter,
    shared: str,
    previous: Record,
    store: FileStore,
    progress: _Progress,
    files: list[OutputFile],
) -> tuple[Record, int, int]:
    record: Record = {}
    rendered = reused = 0
    for done, file in enumerate(files):
        progress(done)
        if file.inputs is None:
            out.put(file.relpath, render(file))
            rendered += 1
            continue
        file_key = key(shared, file.relpath, file.template, file.inputs)
        last_key, written = previous.get(file.relpath, (None, None))
        if last_key == file_key and out.reuse(file.relpath, written):
            reused += 1
        elif file.stored and store.take(file_key, file.relpath, out):
            written = store.index[file_key]
            reused += 1
        else:
            out.put(file.relpath, render(file))
            written = out.identity(file.relpath)
            rendered += 1
        record[file.relpath] = (file_key, written)
        if file.stored:  # linked from the live site or just written: the store's entry unless it is already
            store.keep(file_key, out.staging / file.relpath, written)
    return record, rendered, reused


class _Progress:
    """Reports how far the files are, from the parent process only (children share its slice sizes)."""

    def __init__(self, report: Callable[[int, int], None] | None, total: int, workers: int) -> None:
        self.report, self.total, self.workers, self.parent = report, total, workers, os.getpid()

    def __call__(self, done: int) -> None:
        if self.report and done % 250 == 0 and os.getpid() == self.parent:
            self.report(min(self.total, done * self.workers), self.total)
