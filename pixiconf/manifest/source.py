"""A parsed TOML manifest plus the helpers that read its tables strictly.

:class:`Table` mirrors pixi's use of ``toml_span::de_helpers::TableHelper``: every key read
(``optional``/``required``) is remembered as *expected*, in read order; :meth:`Table.finalize`
rejects what is left with ``Unexpected keys, expected only 'a', 'b', ...`` and, when exactly one
key is unknown, a Jaro-similarity "did you mean" (``crates/pixi_toml/src/diagnostic.rs``).
Type errors use toml-span's wording, ``expected a table, found boolean``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pixiconf.diagnostics import Diagnostic, DiagnosticError, Severity
from pixiconf.manifest.locations import LocationIndex
from pixiconf.manifest.toml import parse as parse_toml
from pixiconf.similarity import did_you_mean

T = TypeVar("T")
KeyPath = tuple[str, ...]


#: toml-span's value type names; ``bool`` before ``int`` (a bool is an int in Python).
_TOML_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "float"),
    (str, "string"),
    (list, "array"),
    (dict, "table"),
)


def toml_type_name(value: Any) -> str:
    """toml-span's name of a value's type (``found`` in its ``Wanted`` error)."""
    return next((name for kind, name in _TOML_TYPES if isinstance(value, kind)), "datetime")


@dataclass
class ManifestSource:
    """One manifest file: its display name, text, parsed data and key positions.

    ``prefix`` is the key path of the pixi tables inside the document (``("tool", "pixi")``
    for pyproject.toml), used only to place diagnostics.
    """

    name: str
    text: str
    data: dict[str, Any]
    prefix: KeyPath = ()
    warnings: list[Diagnostic] = field(default_factory=list)
    #: ``tracing::warn!`` lines pixi logs while it deserialises the document: printed at once,
    #: so before every manifest warning, which pixi reports once the manifest is loaded.
    log_warnings: list[Diagnostic] = field(default_factory=list)
    _index: LocationIndex | None = None

    @classmethod
    def parse(cls, name: str, text: str) -> ManifestSource:
        """Parse TOML 1.1 text; a syntax error becomes a located diagnostic."""
        data = parse_toml(text, name, help="the manifest must be valid TOML (https://toml.io)")
        return cls(name=name, text=text, data=data)

    @property
    def index(self) -> LocationIndex:
        if self._index is None:
            self._index = LocationIndex.from_text(self.text)
        return self._index

    def position(self, path: Sequence[str]) -> tuple[int | None, int | None]:
        found = self.index.find(tuple(self.prefix) + tuple(path))
        return found if found else (None, None)

    def diagnostic(
        self,
        path: Sequence[str],
        message: str,
        *,
        label: str | None = None,
        help: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Diagnostic:
        line, column = self.position(path)
        return Diagnostic(
            message,
            severity,
            file=self.name,
            line=line,
            column=column,
            label=label,
            help=help,
            key=".".join((*self.prefix, *path)) or None,
        )

    def error(self, path: Sequence[str], message: str, **kwargs: Any) -> DiagnosticError:
        return DiagnosticError(self.diagnostic(path, message, **kwargs))

    def warn(self, path: Sequence[str], message: str, **kwargs: Any) -> None:
        self.warnings.append(self.diagnostic(path, message, severity=Severity.WARNING, **kwargs))

    def log_warn(self, path: Sequence[str], message: str) -> None:
        """A ``tracing::warn!`` of the deserialiser (see ``log_warnings``)."""
        self.log_warnings.append(self.diagnostic(path, message, severity=Severity.WARNING))

    # -- typed access ---------------------------------------------------------------------

    def expect(self, path: KeyPath, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
        """Check ``value``'s type; raise toml-span's ``expected X, found Y``."""
        ok = isinstance(value, kind)
        if (
            ok
            and isinstance(value, bool)
            and bool not in (kind if isinstance(kind, tuple) else (kind,))
        ):
            ok = False
        if not ok:
            raise self.error(path, f"expected {what}, found {toml_type_name(value)}")
        return value

    def string(self, path: KeyPath, value: Any) -> str:
        return self.expect(path, value, str, "a string")

    def boolean(self, path: KeyPath, value: Any) -> bool:
        # toml-span 0.7.1 `impl Deserialize for bool`: ``expected a bool, found ...``
        return self.expect(path, value, bool, "a bool")

    def from_str(self, path: KeyPath, value: Any) -> str:
        """A string parsed by pixi's ``TomlFromStr``: it passes ``"expected a string"`` as the
        wanted text, so a wrong type reads ``expected expected a string, found integer``."""
        return self.expect(path, value, str, "expected a string")

    def table(self, path: KeyPath, value: Any) -> dict[str, Any]:
        return self.expect(path, value, dict, "a table")

    def array(self, path: KeyPath, value: Any) -> list[Any]:
        return self.expect(path, value, list, "an array")

    def strings(self, path: KeyPath, value: Any) -> list[str]:
        items = self.array(path, value)
        return [self.string((*path, str(i)), item) for i, item in enumerate(items)]

    def reader(self, path: KeyPath, value: Any) -> Table:
        return Table(self, path, self.table(path, value))

    def enum(self, path: KeyPath, value: Any, choices: Sequence[str]) -> str:
        """A string restricted to ``choices`` (pixi's ``TomlEnum``: ``Expected one of ...``)."""
        text = self.string(path, value)
        if text not in choices:
            suggestion = did_you_mean(text, choices)
            raise self.error(
                path,
                "Expected one of " + ", ".join(f"'{c}'" for c in choices),
                help=f"Did you mean '{suggestion}'?" if suggestion else None,
            )
        return text


class Table:
    """Strict reader over one TOML table (see module docstring)."""

    def __init__(self, source: ManifestSource, path: KeyPath, value: dict[str, Any]):
        self.source = source
        self.path = path
        self.remaining = dict(value)
        self.expected: list[str] = []

    def contains(self, key: str) -> bool:
        return key in self.remaining

    def _expect(self, key: str) -> None:
        if key not in self.expected:
            self.expected.append(key)

    def optional(self, key: str, convert: Callable[[KeyPath, Any], T] | None = None) -> T | None:
        self._expect(key)
        if key not in self.remaining:
            return None
        value = self.remaining.pop(key)
        return convert((*self.path, key), value) if convert else value

    def required(self, key: str, convert: Callable[[KeyPath, Any], T] | None = None) -> T:
        self._expect(key)
        if key not in self.remaining:
            raise self.source.error(
                self.path, f"missing field '{key}' in table", label="table with missing field"
            )
        value = self.remaining.pop(key)
        return convert((*self.path, key), value) if convert else value

    def ignore(self, *keys: str) -> None:
        """Drop keys that are accepted but not part of the expected list."""
        for key in keys:
            self.remaining.pop(key, None)

    def finalize(self, expected: Sequence[str] | None = None) -> None:
        if not self.remaining:
            return
        expected = list(expected) if expected is not None else self.expected
        unknown = list(self.remaining)
        help_text = None
        if len(unknown) == 1:
            suggestion = did_you_mean(unknown[0], expected)
            if suggestion:
                help_text = f"Did you mean '{suggestion}'?"
        raise self.source.error(
            (*self.path, unknown[0]),
            "Unexpected keys, expected only " + ", ".join(f"'{k}'" for k in expected),
            # pixi_toml TomlDiagnostic::labels: one "'<key>' was not expected here" per key.
            label="; ".join(f"'{k}' was not expected here" for k in unknown),
            help=help_text,
        )
