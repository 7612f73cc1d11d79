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

:func:`load_case` never raises for a bad file: it returns a :class:`~.schema.CaseError`.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

import yaml

from ..manifest import toml
from .matching import ABSENT, ANY
from .schema import Case, CaseError, Problem, validate_case

__all__ = [
    "CASE_SUFFIXES",
    "CaseLoader",
    "case_id",
    "find_root",
    "is_case_path",
    "iter_case_paths",
    "load_case",
    "load_corpus",
    "parse_case_text",
    "read_features",
]

CASE_SUFFIXES = (".yaml", ".yml", ".toml")
#: Files at the corpus root that are not cases.
ROOT_FILES = ("features.txt", "renamed.toml")

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CaseLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML loader for case files (see the module docstring)."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                    key_node, yaml.ScalarNode
                ):
                    continue
                ident = (key_node.tag, key_node.value)
                if ident in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"found duplicate key {key_node.value!r}", key_node.start_mark,
                    )
                seen.add(ident)
        return super().construct_mapping(node, deep=deep)


def _token(value: Any):
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode) or node.value != "":
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.tag} takes no value", node.start_mark
            )
        return value

    return construct


CaseLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
CaseLoader.add_constructor("!any", _token(ANY))
CaseLoader.add_constructor("!absent", _token(ABSENT))


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
    """The case ID: ``path`` relative to ``root``, without extension, ``/``-separated."""
    relative = PurePosixPath(*path.relative_to(root).parts)
    return str(relative.with_suffix(""))


def iter_case_paths(root: Path) -> Iterator[Path]:
    """Every case file below ``root``, in sorted order."""
    root = Path(root)
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(("_", ".")))
        for name in sorted(filenames):
            path = Path(directory, name)
            if is_case_path(PurePosixPath(*path.relative_to(root).parts)):
                yield path


def parse_case_text(text: str, suffix: str, name: str = "<case>") -> Any:
    """Parse the text of a case file; raises ``yaml.YAMLError`` or ``toml.TOMLDecodeError``.

    ``name`` is the file name YAML error messages mention.
    """
    if suffix == ".toml":
        return toml.loads(text)
    stream = io.StringIO(text)
    stream.name = name
    return yaml.load(stream, Loader=CaseLoader)


def load_case(path: Path, root: Path) -> Case | CaseError:
    """Read, parse and validate one case file; every failure is a :class:`CaseError`."""
    path = Path(path)
    ident = case_id(path, root)
    try:
        text = path.read_text(encoding="utf-8")
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
    return validate_case(data, case_id=ident, path=path)


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
