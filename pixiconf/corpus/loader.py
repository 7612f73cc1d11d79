"""Finding and loading case files (CASE-FORMAT.md §1).

- A case file is a ``.yaml``, ``.yml`` or ``.toml`` file below a corpus root.  Files whose name
  starts with ``_`` are fixtures, not cases; ``renamed.toml`` at the root is the rename map.
  Directories whose name starts with ``_`` or ``.`` are skipped too (fixtures, VCS data).
- The case ID is the path relative to the root, without the extension, with ``/`` separators.
- YAML is read with :class:`CaseLoader`: safe, ``!any``/``!absent`` become the tokens of
  :mod:`.matching`, duplicate keys are an error, and (as in YAML 1.2) only ``true``/``false``
  are booleans and dates stay strings, so ``yes`` or ``2024-01-01`` mean what they say.
- TOML is read as TOML 1.1 with the same reader as manifests (:mod:`pixiconf.manifest.toml`),
  so a case file may use what a manifest may use (multi-line inline tables, ``\\e``, ``\\xHH``).
- A case cannot make its reader hang or exhaust memory: only regular files are read (a FIFO
  or a link to a device named ``*.yaml`` is skipped with a :class:`CorpusWarning`), at most
  :data:`MAX_CASE_BYTES`; a YAML document may not expand (aliases counted every time they are
  used) to more than :data:`MAX_NODES` nodes or :data:`MAX_CHARS` characters, nor nest deeper
  than :data:`MAX_DEPTH`, and a recursive alias is an error; an integer too long for Python
  (``sys.get_int_max_str_digits()``) is an error of the case, with its location.
- A case ID is text: a file name that is not valid UTF-8 shows its bad bytes as ``\\xNN``
  in the ID, and the case is an error.

:func:`load_case` never raises for a bad file: it returns a :class:`~.schema.CaseError`.
"""

from __future__ import annotations

import io
import os
import stat
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from pixiconf.corpus.case_yaml import MAX_CHARS, MAX_DEPTH, MAX_NODES, CaseLoader
from pixiconf.corpus.schema import Case, CaseError, Problem, validate_case
from pixiconf.manifest import toml

__all__ = [
    "CASE_SUFFIXES",
    "MAX_CASE_BYTES",
    "MAX_CHARS",
    "MAX_DEPTH",
    "MAX_NODES",
    "CaseLoader",
    "CorpusWarning",
    "case_id",
    "find_root",
    "is_case_path",
    "iter_case_paths",
    "load_case",
    "load_corpus",
    "not_a_regular_file",
    "parse_case_text",
    "read_case_file",
    "read_features",
]

CASE_SUFFIXES = (".yaml", ".yml", ".toml")
#: Files at the corpus root that are not cases.
ROOT_FILES = ("features.txt", "renamed.toml")
#: Largest case file read (the corpus' largest is a few kB).
MAX_CASE_BYTES = 16 * 1024 * 1024


class CorpusWarning(UserWarning):
    """A file below a corpus root that looks like a case but cannot be one (skipped)."""


def is_case_path(relative: PurePosixPath) -> bool:
    """True when a path relative to a corpus root names a case file (§1)."""
    if relative.suffix not in CASE_SUFFIXES or not relative.parts:
        return False
    if len(relative.parts) == 1 and relative.name in ROOT_FILES:
        return False
    if relative.name.startswith("_"):
        return False
    return not any(part.startswith(("_", ".")) for part in relative.parts[:-1])


def find_root(path: Path, roots: Iterable[Path]) -> Path | None:
    """The outermost of ``roots`` that contains ``path`` (IDs are relative to it), or ``None``."""
    found = None
    for root in roots:
        if (path == root or root in path.parents) and (found is None or root in found.parents):
            found = root
    return found


def case_id(path: Path, root: Path) -> str:
    """The case ID: ``path`` relative to ``root``, without extension, ``/``-separated.

    Bytes of the file name that are not UTF-8 are written ``\\xNN`` (an ID is text)."""
    relative = PurePosixPath(*path.relative_to(root).parts)
    ident = str(relative.with_suffix(""))
    return ident.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a case file (not a regular file), or ``None``."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    kind = (
        "a FIFO"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a directory"
        if stat.S_ISDIR(mode)
        else "a special file"
    )
    return f"is {kind}, not a regular file"


def iter_case_paths(root: Path) -> Iterator[Path]:
    """Every case file below ``root``, in sorted order.

    A case-named entry that is not a regular file (a FIFO, a link to ``/dev/zero``, a
    dangling link) is skipped with a :class:`CorpusWarning`."""
    root = Path(root)
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(("_", ".")))
        for name in sorted(filenames):
            path = Path(directory, name)
            if is_case_path(PurePosixPath(*path.relative_to(root).parts)):
                why = not_a_regular_file(path)
                if why is None:
                    yield path
                else:
                    warnings.warn(
                        CorpusWarning(f"{os.fsdecode(path)!r} {why}; skipped"), stacklevel=2
                    )


def parse_case_text(text: str, suffix: str, name: str = "<case>") -> Any:
    """Parse the text of a case file; raises ``yaml.YAMLError`` or ``toml.TOMLDecodeError``.

    ``name`` is the file name YAML error messages mention.
    """
    if suffix == ".toml":
        return toml.loads(text)
    stream = io.StringIO(text)
    stream.name = name
    return yaml.load(stream, Loader=CaseLoader)


def _is_text(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_case_file(path: Path) -> str:
    """The text of a case file; raises ``OSError`` (not a regular file, too large, ...) or
    ``UnicodeDecodeError``.  Never blocks on a FIFO and never reads more than
    :data:`MAX_CASE_BYTES`."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"{os.fsdecode(path)!r} is not a regular file")
        data = handle.read(MAX_CASE_BYTES + 1)
    if len(data) > MAX_CASE_BYTES:
        raise OSError(f"the file is larger than {MAX_CASE_BYTES:,} bytes")
    return data.decode("utf-8")


def load_case(path: Path, root: Path) -> Case | CaseError:
    """Read, parse and validate one case file; every failure is a :class:`CaseError`."""
    path = Path(path)
    ident = case_id(path, root)
    if not _is_text(str(path.relative_to(root))):
        return CaseError(
            ident, path, (Problem("", "the file name is not valid UTF-8 (a case ID must be text)"),)
        )
    try:
        text = read_case_file(path)
    except (OSError, UnicodeDecodeError) as exc:
        return CaseError(ident, path, (Problem("", f"cannot read the file: {exc}"),))
    try:
        data = parse_case_text(text, path.suffix, path.name)
    except yaml.YAMLError as exc:
        return CaseError(ident, path, (Problem("", f"not valid YAML{_yaml_error(exc)}"),))
    except toml.TOMLDecodeError as exc:
        return CaseError(ident, path, (Problem("", f"not valid TOML: {exc}"),))
    except RecursionError:
        return CaseError(ident, path, (Problem("", "the file is nested too deeply"),))
    except ValueError as exc:  # the TOML reader: an integer longer than Python reads
        return CaseError(
            ident,
            path,
            (Problem("", f"not valid {path.suffix[1:].upper()}: {str(exc).split(';')[0]}"),),
        )
    try:
        return validate_case(data, case_id=ident, path=path, root=root)
    except RecursionError:
        return CaseError(ident, path, (Problem("", "the file is nested too deeply"),))


def _yaml_error(exc: yaml.YAMLError) -> str:
    """`` (line L, column C): problem (context)`` on one line."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return f": {exc}"
    mark = exc.problem_mark or exc.context_mark
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    context = f" ({exc.context})" if exc.context else ""
    return f"{where}: {exc.problem or 'invalid'}{context}"


def load_corpus(root: Path) -> list[Case | CaseError]:
    """Load every case below ``root`` (sorted by path)."""
    return [load_case(path, root) for path in iter_case_paths(root)]


def read_features(path: Path) -> list[str]:
    """Tags of a ``features.txt`` vocabulary: one per line, ``#`` starts a comment."""
    tags = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        tag = line.split("#", 1)[0].strip()
        if tag:
            tags.append(tag)
    return tags
