"""The variant configuration: variant keys to lists of values, plus ``zip_keys``.

rattler-build ``rattler_build_variant_config/src/config.rs`` (``VariantConfig``: a
``BTreeMap<NormalizedKey, Vec<Variable>>`` and ``zip_keys``; ``merge``: a later file's values
replace a key's values, its ``zip_keys`` replace the earlier ones) and
``rattler_build_types`` ``normalized_key.rs`` (keys compare by their normalized spelling).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from pixiconf.diagnostics import Diagnostic
from pixiconf.pixibuild.hashing import normalize_key

__all__ = ["VariantConfig", "VariantError", "scalar_value"]

INT = re.compile(r"[+-]?\d+")
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_I64 = (-(2**63), 2**63 - 1)


class VariantError(ValueError):
    """An invalid variant configuration or recipe; ``str()`` is the user-facing message (the
    text rattler-build gives), ``file`` and ``line`` where in a variant file it is, when known."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.file = file
        self.line = line

    def diagnostic(self) -> Diagnostic:
        """The error as a diagnostic, located in its variant file when known."""
        return Diagnostic(str(self), file=self.file, line=self.line)


@dataclass(slots=True)
class VariantConfig:
    """Key -> list of values, plus ``zip_keys``.

    Keys compare by their normalized spelling (``NormalizedKey``); the first spelling written
    is kept, a later write of the same key replaces its values (``BTreeMap::insert``).
    """

    _values: dict[str, list[Any]] = field(default_factory=dict)
    _spelling: dict[str, str] = field(default_factory=dict)
    zip_keys: list[list[str]] | None = None

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, Sequence[Any]], zip_keys: Sequence[Sequence[str]] | None = None
    ) -> VariantConfig:
        config = cls()
        for key, vals in values.items():
            config.insert(key, list(vals))
        if zip_keys is not None:
            config.zip_keys = [list(group) for group in zip_keys]
        return config

    def insert(self, key: str, values: list[Any]) -> None:
        norm = normalize_key(key)
        self._spelling.setdefault(norm, key)
        self._values[norm] = list(values)

    def setdefault(self, key: str, values: list[Any]) -> None:
        """Insert only when the key is missing (``entry().or_insert_with``)."""
        if normalize_key(key) not in self._values:
            self.insert(key, values)

    def get(self, key: str) -> list[Any] | None:
        return self._values.get(normalize_key(key))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and normalize_key(key) in self._values

    def __len__(self) -> int:
        return len(self._values)

    def spelling(self, key: str) -> str:
        norm = normalize_key(key)
        return self._spelling.get(norm, key)

    def keys(self) -> list[str]:
        """Keys as first written, in normalized order."""
        return [self._spelling[k] for k in sorted(self._values)]

    def items(self) -> list[tuple[str, list[Any]]]:
        return [(self._spelling[k], self._values[k]) for k in sorted(self._values)]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: list(v) for k, v in self.items()}
        if self.zip_keys is not None:
            out["zip_keys"] = [list(g) for g in self.zip_keys]
        return out

    def merge(self, other: VariantConfig) -> None:
        """Later values replace earlier ones; ``zip_keys`` of ``other`` win if it has any."""
        for key, values in other.items():
            self.insert(key, values)
        if other.zip_keys is not None:
            self.zip_keys = [list(g) for g in other.zip_keys]

    def copy(self) -> VariantConfig:
        new = VariantConfig()
        new._values = {k: list(v) for k, v in self._values.items()}
        new._spelling = dict(self._spelling)
        new.zip_keys = None if self.zip_keys is None else [list(g) for g in self.zip_keys]
        return new


def scalar_value(node: yaml.ScalarNode, *, i64: bool = True) -> Any:
    """``variable_converter.rs`` (``VariableConverter``): quoted text stays text; unquoted
    ``true``/``false`` are booleans, integers are integers (``i64`` only: a larger number stays
    text), floats keep their text (version numbers), the rest is text."""
    text = node.value
    if node.style is not None:  # quoted (or a block scalar)
        return text
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if INT.fullmatch(text) and (not i64 or _I64[0] <= int(text) <= _I64[1]):
        return int(text)
    return text
