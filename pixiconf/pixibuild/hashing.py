"""Variant hash and build string of a rendered package.

Facts from rattler-build ``crates/rattler_build_recipe/src/stage1/hash.rs`` (``HashInput``,
``HashInfo``), ``crates/rattler_build_types/src/variant_config/normalized_key.rs``
(``NormalizedKey``), ``crates/rattler_build_types/src/lib.rs`` (``short_version``),
``stage1/build.rs`` (``BuildString::resolve``) and ``variant_render.rs``
(``finalize_build_string_single``: the build-string prefix), and
``stage0/evaluate.rs`` (noarch: ``target_platform`` becomes ``noarch``, noarch python drops
``python``).

* Keys compare, sort and serialise in their *normalized* spelling: ``-``, ``_`` and ``.`` all
  become ``_``.  Two spellings of one key are one key; the later value wins.
* The hash input is the JSON text of the key-sorted mapping written the way Python's
  ``json.dumps`` writes it: ``", "`` between items, ``": "`` after keys, non-ASCII text as is,
  ``/`` not escaped, integers and booleans bare.
* The hash is the first 7 hex digits of the SHA-1 of that text.
* The prefix is ``py`` for noarch python, else the concatenation, in the order ``np py pl lua r``,
  of each language's short version (the first 2 dot-separated parts, 3 for perl).
* The default build string is ``{prefix}h{hash}_{build_number}``; a build-string prefix ``P``
  makes it ``P_{prefix}h{hash}_{build_number}``.

Values are the types a variant can hold: ``str``, ``int``, ``bool`` and lists of these.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pixiconf.rust_format import rust_debug_str

__all__ = [
    "HASH_LENGTH",
    "NOARCH_TYPES",
    "PREFIX_ORDER",
    "BuildString",
    "NormalizedKey",
    "VariantValueError",
    "build_string",
    "check_value",
    "display_value",
    "hash_input",
    "hash_prefix",
    "normalize_key",
    "normalized_variant",
    "short_version",
    "used_variant_for_noarch",
    "variant_hash",
]

HASH_LENGTH = 7
NOARCH_TYPES = ("python", "generic")
#: normalized variant key -> (prefix, number of version parts)
_PREFIX_KEYS = {
    "numpy": ("np", 2),
    "python": ("py", 2),
    "perl": ("pl", 3),
    "lua": ("lua", 2),
    "r": ("r", 2),
    "r_base": ("r", 2),
}
PREFIX_ORDER = ("np", "py", "pl", "lua", "r", "mro")

_SEPARATORS = frozenset("-_.")


def normalize_key(key: str) -> str:
    """The normalized spelling of a variant key: ``-``, ``_`` and ``.`` become ``_``."""
    if not _SEPARATORS.intersection(key):
        return key
    return "".join("_" if ch in _SEPARATORS else ch for ch in key)


@dataclass(frozen=True, slots=True)
class NormalizedKey:
    """A variant key as written, compared and ordered by its normalized spelling."""

    raw: str

    @property
    def normalized(self) -> str:
        return normalize_key(self.raw)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NormalizedKey):
            return self.normalized == other.normalized
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.normalized)

    def __lt__(self, other: NormalizedKey) -> bool:
        return self.normalized < other.normalized

    def debug(self) -> str:
        """Rust's derived ``Debug``: ``NormalizedKey("raw")`` (the spelling as written)."""
        return f"NormalizedKey({rust_debug_str(self.raw)})"


class VariantValueError(ValueError):
    """A value a variant cannot hold (a float, a mapping, null...)."""


def check_value(value: Any, where: str = "value") -> Any:
    """Return ``value`` if a variant can hold it, else raise :class:`VariantValueError`."""
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        for i, item in enumerate(value):
            check_value(item, f"{where}[{i}]")
        return value
    kind = "null" if value is None else type(value).__name__
    if isinstance(value, float):
        raise VariantValueError(
            f"{where} is a floating point number ({value!r}); a variant holds strings, integers "
            'or booleans, so quote version numbers (e.g. "3.10")'
        )
    raise VariantValueError(
        f"{where} is a {kind}; a variant holds strings, integers, booleans or lists of them"
    )


def normalized_variant(variant: Mapping[str, Any]) -> dict[str, Any]:
    """``{normalized key: value}`` sorted by key; of two spellings of a key the later wins."""
    merged: dict[str, Any] = {}
    for key, value in variant.items():
        merged[normalize_key(key)] = value
    return dict(sorted(merged.items()))


# -- serialisation ----------------------------------------------------------------------------

_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def _json_str(text: str) -> str:
    """A JSON string literal as serde_json writes it (and Python's ``ensure_ascii=False``)."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    out = ['"']
    for ch in text:
        escaped = _SHORT_ESCAPES.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif ch < " ":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _json_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _json_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_json_value(v) for v in value) + "]"
    raise VariantValueError(f"cannot serialise {value!r} into a variant hash input")


def hash_input(variant: Mapping[str, Any]) -> str:
    """The text that is hashed: the key-sorted variant in Python-``json.dumps`` style."""
    items = normalized_variant(variant)
    return "{" + ", ".join(f"{_json_str(k)}: {_json_value(v)}" for k, v in items.items()) + "}"


def variant_hash(variant: Mapping[str, Any]) -> str:
    """First 7 hex digits of the SHA-1 of :func:`hash_input`."""
    digest = hashlib.sha1(hash_input(variant).encode("utf-8")).hexdigest()
    return digest[:HASH_LENGTH]


# -- prefix -----------------------------------------------------------------------------------


def display_value(value: Any) -> str:
    """``Display`` of a variant value (``true``/``false`` for booleans, text as is)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(rust_debug_value(v) for v in value) + "]"
    return str(value)


def short_version(text: str, parts: int) -> str:
    """The first ``parts`` dot-separated pieces of ``text``, concatenated
    (``3.11.2`` -> ``311``)."""
    return "".join(text.split(".")[:parts])


def hash_prefix(variant: Mapping[str, Any], noarch: str | None) -> str:
    """``py`` for noarch python, else e.g. ``np120py311`` (order np, py, pl, lua, r)."""
    if noarch == "python":
        return "py"
    found: dict[str, str] = {}
    for key, value in normalized_variant(variant).items():
        rule = _PREFIX_KEYS.get(key)
        if rule is not None:
            name, parts = rule
            found[name] = short_version(display_value(value), parts)
    return "".join(f"{name}{found[name]}" for name in PREFIX_ORDER if name in found)


# -- noarch and the build string --------------------------------------------------------------


def used_variant_for_noarch(variant: Mapping[str, Any], noarch: str | None) -> dict[str, Any]:
    """The hash input of a noarch output: without ``python`` for noarch python, and with
    ``target_platform`` set to ``noarch`` for any noarch kind."""
    result = dict(variant)
    if noarch is None:
        return result
    if noarch == "python":
        result = {k: v for k, v in result.items() if normalize_key(k) != "python"}
    result = {k: v for k, v in result.items() if normalize_key(k) != "target_platform"}
    result["target_platform"] = "noarch"
    return result


@dataclass(frozen=True, slots=True)
class BuildString:
    hash: str
    #: The full prefix before ``h``: the build-string prefix (with ``_``) and the language part.
    prefix: str
    build_number: int

    @property
    def value(self) -> str:
        return f"{self.prefix}h{self.hash}_{self.build_number}"

    def __str__(self) -> str:
        return self.value


def build_string(
    variant: Mapping[str, Any],
    *,
    noarch: str | None = None,
    build_number: int = 0,
    prefix: str | None = None,
    apply_noarch: bool = True,
) -> BuildString:
    """Hash and default build string of ``variant``.

    With ``apply_noarch`` (the default) the noarch rules of :func:`used_variant_for_noarch`
    are applied first; pass ``False`` when ``variant`` already is the used variant.
    """
    if noarch is not None and noarch not in NOARCH_TYPES:
        raise ValueError(f"Invalid noarch type '{noarch}'. Expected 'python' or 'generic'")
    used = used_variant_for_noarch(variant, noarch) if apply_noarch else dict(variant)
    lang = hash_prefix(used, noarch)
    if prefix is not None:
        lang = f"{prefix}_{lang}"
    return BuildString(variant_hash(used), lang, build_number)


# -- Rust Debug formatting (combination sort key) ---------------------------------------------


def rust_debug_value(value: Any) -> str:
    """``Debug`` of rattler-build's ``Variable``: a string is wrapped in quotes *unescaped*;
    other values use minijinja's ``Debug`` (``5``, ``true``, ``[...]``)."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_minijinja_debug(v) for v in value) + "]"
    return repr(value)


def _minijinja_debug(value: Any) -> str:
    if isinstance(value, str):
        return rust_debug_str(value)
    return rust_debug_value(value)


def debug_map(items: Iterable[tuple[NormalizedKey, Any]]) -> str:
    """``format!("{:?}", BTreeMap<NormalizedKey, Variable>)`` for items already in key order."""
    return "{" + ", ".join(f"{k.debug()}: {rust_debug_value(v)}" for k, v in items) + "}"
