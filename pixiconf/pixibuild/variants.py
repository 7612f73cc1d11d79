"""Variant configuration, used keys, combinations and per-variant build strings.

Sources (pixi ``2b25fc76``, rattler-build ``28f2ba1a``):

* configuration priority: ``pixi_build_backend/src/intermediate_backend.rs::conda_outputs``
  (backend defaults < variant files < the variants pixi passes), defaults from
  ``pixi_build_backend/src/compilers.rs::default_compiler_variants``;
* what pixi passes: ``pixi_core/src/workspace/mod.rs::Workspace::variants`` (inline
  ``build-variants``, most specific target first, ``or_insert``; then ``c_stdlib`` /
  ``c_stdlib_version`` derived in ``stdlib_variants.rs``; then the variant files);
* files: ``rattler_build_variant_config`` ``config.rs`` (``from_files``, ``merge``),
  ``yaml_parser.rs``, ``variable_converter.rs``, ``evaluate.rs``, ``conda_build_config.rs``;
* used keys: ``rattler_build_recipe/src/variant_render.rs`` (``collect_used_variables``,
  ``expand_variants_tree``, ``render_with_variants``) and ``stage0/evaluate.rs`` (the used
  variant of an evaluated recipe), ``rattler_build_jinja`` (``compiler``/``stdlib``);
* combinations: ``rattler_build_variant_config/src/combination.rs``.

The module works on plain data: a rattler-build recipe as a ``dict`` (requirements are
lists of match-spec strings, ``${{ ... }}`` templates and ``{if, then, else}`` mappings) and a
:class:`VariantConfig`.  Values are ``str``, ``int``, ``bool`` (or lists of them).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pixiconf.pixibuild.hashing import (
    NormalizedKey,
    build_string,
    debug_map,
    display_value,
    normalize_key,
)

__all__ = [
    "ALWAYS_INCLUDED_VARS",
    "CONDA_BUILD_CONFIG",
    "VariantConfig",
    "VariantError",
    "compute_variants",
    "default_variants",
    "derive_stdlib_variants",
    "load_variant_files",
    "parse_conda_build_config",
    "parse_variant_yaml",
    "platform_context",
    "used_variables",
    "workspace_variant_config",
]

#: ``stage0/evaluate.rs``: always part of the used keys (if the configuration has them).
ALWAYS_INCLUDED_VARS = ("target_platform", "channel_targets", "channel_sources")
CONDA_BUILD_CONFIG = "conda_build_config.yaml"
#: ``expand_variants_tree``: rounds of discovering keys from evaluated free specs.
MAX_EXPANSION_ROUNDS = 10


class VariantError(ValueError):
    """An invalid variant configuration or recipe; ``str()`` is the user-facing message."""


# =============================================================================================
# The configuration
# =============================================================================================


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


# =============================================================================================
# Platform facts (rattler_conda_types Platform, rattler_build_jinja::Jinja::new)
# =============================================================================================

_ARCHES = (
    "x86",
    "x86_64",
    "aarch64",
    "arm64",
    "armv6l",
    "armv7l",
    "armv7a",
    "loongarch64",
    "ppc64le",
    "ppc64",
    "ppc",
    "s390x",
    "riscv32",
    "riscv64",
    "wasm32",
    "wasm64",
    "z",
)
_PLATFORM_ARCH = {
    "linux-32": "x86",
    "linux-64": "x86_64",
    "linux-aarch64": "aarch64",
    "linux-armv6l": "armv6l",
    "linux-armv7l": "armv7l",
    "linux-loongarch64": "loongarch64",
    "linux-ppc64le": "ppc64le",
    "linux-ppc64": "ppc64",
    "linux-ppc": "ppc",
    "linux-s390x": "s390x",
    "linux-riscv32": "riscv32",
    "linux-riscv64": "riscv64",
    "freebsd-32": "x86",
    "freebsd-64": "x86_64",
    "freebsd-arm64": "arm64",
    "osx-64": "x86_64",
    "osx-arm64": "arm64",
    "ios-arm64": "arm64",
    "iossimulator-arm64": "arm64",
    "iossimulator-64": "x86_64",
    "android-aarch64": "aarch64",
    "android-armv7a": "armv7a",
    "android-64": "x86_64",
    "android-32": "x86",
    "win-32": "x86",
    "win-64": "x86_64",
    "win-arm64": "arm64",
    "emscripten-wasm32": "wasm32",
    "emscripten-wasm64": "wasm64",
    "wasi-wasm32": "wasm32",
    "zos-z": "z",
}
_FAMILY = {
    "linux": "linux",
    "freebsd": "freebsd",
    "osx": "osx",
    "ios": "ios",
    "iossimulator": "iossimulator",
    "android": "android",
    "win": "win",
    "emscripten": "emscripten",
    "wasi": "wasi",
    "zos": "zos",
}


def _family(platform: str) -> str | None:
    if platform in ("noarch", "unknown"):
        return None
    return _FAMILY.get(platform.split("-", 1)[0])


def is_linux(platform: str) -> bool:
    return _family(platform) == "linux"


def is_osx(platform: str) -> bool:
    return _family(platform) == "osx"


def is_windows(platform: str) -> bool:
    return _family(platform) == "win"


def is_unix(platform: str) -> bool:
    family = _family(platform)
    return family is not None and family not in ("win", "emscripten", "wasi", "zos")


def platform_context(platform: str, build_platform: str | None = None) -> dict[str, Any]:
    """The selector variables of rattler-build's Jinja for a host/target platform."""
    ctx: dict[str, Any] = {
        "target_platform": platform,
        "build_platform": build_platform or platform,
        "host_platform": platform,
        "unix": is_unix(platform),
    }
    arch = _PLATFORM_ARCH.get(platform)
    for name in _ARCHES:
        ctx[name] = arch == name
    family = _family(platform)
    for name in _PLATFORM_ARCH:
        ctx[name.replace("-", "")] = name == platform
    for name in _FAMILY.values():
        ctx[name] = name == family
    ctx["ios"] = family in ("ios", "iossimulator")
    return ctx


# =============================================================================================
# A small Jinja expression evaluator (conditions, ``${{ ... }}`` templates)
# =============================================================================================


class _Undefined(Exception):
    pass


_TOKEN = re.compile(
    r"""
    \s*(?:
      (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<num>\d+(?:\.\d+)?)
    | (?P<op>==|!=|<=|>=|<|>|=|\(|\)|,|~|\[|\]|\.)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)


def _tokenize(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise VariantError(f"syntax error in expression `{text}` at offset {pos}")
        pos = m.end()
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
    return out


class _Expr:
    """Parsed expression: a tiny AST of tuples, evaluated against a scope."""

    __slots__ = ("ast", "text")

    def __init__(self, text: str):
        self.text = text
        tokens = _tokenize(text)
        self.ast, pos = _parse_expr(tokens, 0)
        if pos != len(tokens):
            raise VariantError(
                f"syntax error in expression `{text}`: unexpected `{tokens[pos][1]}`"
            )

    def variables(self) -> set[str]:
        """Names the expression reads (``compiler('c')`` counts as its variant keys)."""
        found: set[str] = set()
        _collect_vars(self.ast, found)
        return found


def _parse_expr(t, i):
    """``A if C else B`` (``else`` optional: a false condition gives none) or an or-expression."""
    value, i = _parse_or(t, i)
    if i < len(t) and t[i] == ("name", "if"):
        cond, i = _parse_or(t, i + 1)
        other: Any = ("const", None)
        if i < len(t) and t[i] == ("name", "else"):
            other, i = _parse_expr(t, i + 1)
        value = ("ifelse", cond, value, other)
    return value, i


def _parse_or(t, i):
    left, i = _parse_and(t, i)
    while i < len(t) and t[i] == ("name", "or"):
        right, i = _parse_and(t, i + 1)
        left = ("or", left, right)
    return left, i


def _parse_and(t, i):
    left, i = _parse_not(t, i)
    while i < len(t) and t[i] == ("name", "and"):
        right, i = _parse_not(t, i + 1)
        left = ("and", left, right)
    return left, i


def _parse_not(t, i):
    if i < len(t) and t[i] == ("name", "not"):
        operand, i = _parse_not(t, i + 1)
        return ("not", operand), i
    return _parse_cmp(t, i)


_CMP = {"==", "!=", "<", ">", "<=", ">="}


def _parse_cmp(t, i):
    left, i = _parse_concat(t, i)
    while i < len(t):
        kind, val = t[i]
        if kind == "op" and val in _CMP:
            right, i = _parse_concat(t, i + 1)
            left = ("cmp", val, left, right)
        elif (kind, val) == ("name", "in"):
            right, i = _parse_concat(t, i + 1)
            left = ("in", left, right)
        elif (kind, val) == ("name", "not") and i + 1 < len(t) and t[i + 1] == ("name", "in"):
            right, i = _parse_concat(t, i + 2)
            left = ("not", ("in", left, right))
        else:
            break
    return left, i


def _parse_concat(t, i):
    left, i = _parse_primary(t, i)
    while i < len(t) and t[i] == ("op", "~"):
        right, i = _parse_primary(t, i + 1)
        left = ("concat", left, right)
    return left, i


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _parse_primary(t, i):
    if i >= len(t):
        raise VariantError("unexpected end of expression")
    kind, val = t[i]
    if kind == "str":
        node: Any = ("const", _unquote(val))
        i += 1
    elif kind == "num":
        node = ("const", int(val) if "." not in val else val)
        i += 1
    elif kind == "op" and val == "(":
        node, i = _parse_expr(t, i + 1)
        if i >= len(t) or t[i] != ("op", ")"):
            raise VariantError("expected `)`")
        i += 1
    elif kind == "op" and val == "[":
        items, i = [], i + 1
        while i < len(t) and t[i] != ("op", "]"):
            item, i = _parse_expr(t, i)
            items.append(item)
            if i < len(t) and t[i] == ("op", ","):
                i += 1
        if i >= len(t):
            raise VariantError("expected `]`")
        node, i = ("list", items), i + 1
    elif kind == "name":
        if val in ("true", "True"):
            node = ("const", True)
        elif val in ("false", "False"):
            node = ("const", False)
        elif val in ("none", "None"):
            node = ("const", None)
        else:
            node = ("var", val)
        i += 1
        if i < len(t) and t[i] == ("op", "("):
            args, i = [], i + 1
            while i < len(t) and t[i] != ("op", ")"):
                keyword = t[i][0] == "name" and i + 1 < len(t) and t[i + 1] == ("op", "=")
                arg, i = _parse_expr(t, i + 2 if keyword else i)
                if not keyword:  # keyword arguments (``exact=True``) do not reach the functions
                    args.append(arg)
                if i < len(t) and t[i] == ("op", ","):
                    i += 1
            if i >= len(t):
                raise VariantError("expected `)`")
            node, i = ("call", val, args), i + 1
    else:
        raise VariantError(f"unexpected `{val}`")
    return node, i


def _collect_vars(node: Any, found: set[str]) -> None:
    tag = node[0]
    if tag == "var":
        found.add(node[1])
    elif tag == "call":
        name, args = node[1], node[2]
        lang = args[0][1] if args and args[0][0] == "const" else None
        if name in ("compiler", "stdlib") and isinstance(lang, str):
            found.update({f"{lang}_{name}", f"{lang}_{name}_version", "CONDA_BUILD_SYSROOT"})
        elif name == "cdt":
            found.add("cdt_name")
        else:
            for arg in args:
                if arg[0] != "const":
                    _collect_vars(arg, found)
    elif tag in ("and", "or", "concat", "in"):
        _collect_vars(node[1], found)
        _collect_vars(node[2], found)
    elif tag == "cmp":
        _collect_vars(node[2], found)
        _collect_vars(node[3], found)
    elif tag == "not":
        _collect_vars(node[1], found)
    elif tag == "ifelse":
        for sub in node[1:]:
            _collect_vars(sub, found)
    elif tag == "list":
        for item in node[1]:
            _collect_vars(item, found)


def _truthy(value: Any) -> bool:
    if isinstance(value, (list, str)):
        return len(value) > 0
    return bool(value)


class _Scope:
    """Variables (platform selectors + the variant) and the functions of a render."""

    def __init__(
        self,
        variables: Mapping[str, Any],
        *,
        variant: Mapping[str, Any] | None = None,
        target_platform: str = "linux-64",
        functions: Mapping[str, Callable[..., Any]] | None = None,
    ):
        self.variables = variables
        self.variant = variant or {}
        self.target_platform = target_platform
        self.functions = functions or {}
        self.accessed: set[str] = set()

    def lookup(self, name: str) -> Any:
        self.accessed.add(name)
        if name in self.variables:
            return self.variables[name]
        raise _Undefined(name)

    def call(self, name: str, args: list[Any]) -> Any:
        if name in ("compiler", "stdlib"):
            return self._compiler_stdlib(name, *args)
        func = self.functions.get(name)
        if func is None:
            raise VariantError(f"unknown function `{name}`")
        return func(*args)

    def _compiler_stdlib(self, kind: str, lang: Any = None, *_: Any) -> str:
        # rattler_build_jinja compiler_stdlib_eval
        lang = str(lang)
        key = normalize_key(f"{lang}_{kind}")
        key_version = normalize_key(f"{lang}_{kind}_version")
        self.accessed.update({key, key_version, "CONDA_BUILD_SYSROOT"})
        name = self.variant.get(key)
        if name is None and kind == "compiler":
            name = _default_compiler(self.target_platform, lang)
        if name is None:
            raise VariantError(
                f"No {kind} found for language: {lang}\nYou should add "
                f"`{lang}_{kind}` to your variant config file."
            )
        name = display_value(name)
        version = self.variant.get(key_version)
        if version is None:
            return f"{name}_{self.target_platform}"
        version = display_value(version)
        if all(ch.isalnum() or ch == "." for ch in version):
            return f"{name}_{self.target_platform} ={version}"
        return f"{name}_{self.target_platform} {version}"


def _default_compiler(platform: str, lang: str) -> str:
    if lang == "fortran":
        return "flang" if is_windows(platform) else "gfortran"
    if lang not in ("c", "cxx"):
        return lang
    family = _family(platform)
    if family == "win":
        return "vs2022"
    if family in ("osx", "ios", "iossimulator", "android"):
        return "clang" if lang == "c" else "clangxx"
    if platform == "emscripten-wasm32":
        return "emscripten"
    return "gcc" if lang == "c" else "gxx"


def _eval(node: Any, scope: _Scope) -> Any:
    tag = node[0]
    if tag == "const":
        return node[1]
    if tag == "var":
        return scope.lookup(node[1])
    if tag == "list":
        return [_eval(n, scope) for n in node[1]]
    if tag == "or":
        left = _eval(node[1], scope)
        return left if _truthy(left) else _eval(node[2], scope)
    if tag == "and":
        left = _eval(node[1], scope)
        return _eval(node[2], scope) if _truthy(left) else left
    if tag == "not":
        return not _truthy(_eval(node[1], scope))
    if tag == "ifelse":
        return _eval(node[2] if _truthy(_eval(node[1], scope)) else node[3], scope)
    if tag == "concat":
        return display_value(_eval(node[1], scope)) + display_value(_eval(node[2], scope))
    if tag == "in":
        needle, hay = _eval(node[1], scope), _eval(node[2], scope)
        if isinstance(hay, str):
            return isinstance(needle, str) and needle in hay
        return needle in hay if isinstance(hay, list) else False
    if tag == "cmp":
        op, left, right = node[1], _eval(node[2], scope), _eval(node[3], scope)
        if op in ("==", "!="):
            same = left == right and isinstance(left, str) == isinstance(right, str)
            return same if op == "==" else not same
        try:
            return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[
                op
            ]
        except TypeError:
            raise VariantError(f"cannot compare {left!r} and {right!r}") from None
    if tag == "call":
        return scope.call(node[1], [_eval(a, scope) for a in node[2]])
    raise VariantError(f"cannot evaluate {node!r}")


@lru_cache(maxsize=4096)
def _expr(text: str) -> _Expr:
    return _Expr(text)


def evaluate_condition(text: str, scope: _Scope) -> bool:
    try:
        return _truthy(_eval(_expr(text).ast, scope))
    except _Undefined as exc:
        raise VariantError(f"undefined value `{exc.args[0]}` in condition `{text}`") from None


_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def is_template(text: str) -> bool:
    return "${{" in text


def render_template(text: str, scope: _Scope) -> str:
    def repl(m: re.Match[str]) -> str:
        try:
            value = _eval(_expr(m.group(1).strip()).ast, scope)
        except _Undefined as exc:
            raise VariantError(f"undefined value `{exc.args[0]}` in `{text}`") from None
        return "" if value is None else display_value(value)

    return _TEMPLATE.sub(repl, text)


def template_variables(text: str) -> set[str]:
    found: set[str] = set()
    for m in _TEMPLATE.finditer(text):
        found |= _expr(m.group(1).strip()).variables()
    return found


# =============================================================================================
# Variant files
# =============================================================================================

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(
    r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?"
    r"|inf|infinity|nan)",
    re.IGNORECASE,
)
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_I64 = (-(2**63), 2**63 - 1)


def _scalar_value(node: yaml.ScalarNode) -> Any:
    """``VariableConverter``: quoted text stays text; unquoted ``true``/``false`` are booleans,
    integers are integers, floats keep their text (version numbers), the rest is text."""
    text = node.value
    if node.style is not None:  # quoted (or a block scalar)
        return text
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text) and _I64[0] <= int(text) <= _I64[1]:
        return int(text)
    return text


def _compose(text: str, display: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise VariantError(f"Could not parse variant config file {display}: {exc}") from None


def parse_variant_yaml(
    text: str, platform: str, display: str = "<variants>", *, build_platform: str | None = None
) -> VariantConfig:
    """A ``variants.yaml`` (rattler-build format, with ``if/then/else`` and ``${{ }}``)."""
    root = _compose(text, display)
    config = VariantConfig()
    if root is None:
        return config
    if not isinstance(root, yaml.MappingNode):
        raise VariantError(f"Could not parse variant config file {display}: expected a mapping")
    scope = _Scope(platform_context(platform, build_platform), target_platform=platform)
    for key_node, value_node in root.value:
        key = key_node.value
        if key == "zip_keys":
            config.zip_keys = _zip_keys_node(value_node, display)
            continue
        if key == "pin_run_as_build":
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            raise VariantError(
                f"Could not parse variant config file {display}: "
                f"Variant values for '{key}' must be a list"
            )
        if not value_node.value:
            continue
        values: list[Any] = []
        for item in value_node.value:
            _evaluate_item(item, key, scope, values, display)
        if values:
            config.insert(key, values)
    return config


def _zip_keys_node(node: yaml.Node, display: str) -> list[list[str]]:
    # rattler_build_yaml_parser ParseError::expected_type: "expected X but got Y"
    if not isinstance(node, yaml.SequenceNode):
        raise VariantError(
            f"Could not parse variant config file {display}: expected list but got other"
        )
    groups = []
    for group in node.value:
        if not isinstance(group, yaml.SequenceNode):
            raise VariantError(
                f"Could not parse variant config file {display}: expected "
                "sequence but got non-sequence"
            )
        if not all(isinstance(k, yaml.ScalarNode) for k in group.value):
            raise VariantError(
                f"Could not parse variant config file {display}: expected scalar but got non-scalar"
            )
        groups.append([k.value for k in group.value])
    return groups


def _evaluate_item(node: yaml.Node, key: str, scope: _Scope, out: list[Any], display: str) -> None:
    if isinstance(node, yaml.MappingNode):
        fields = {k.value: v for k, v in node.value}
        if "if" not in fields or "then" not in fields:
            raise VariantError(
                f"Could not parse variant config file {display}: expected scalar but got non-scalar"
            )
        condition = fields["if"].value
        try:
            taken = evaluate_condition(str(condition), scope)
        except VariantError as exc:
            raise VariantError(
                f"Invalid variant configuration: Failed to evaluate condition "
                f"'{condition}' for variant key "
                f"'{NormalizedKey(key).debug()}': {exc}"
            ) from None
        branch = fields["then"] if taken else fields.get("else")
        if branch is None:
            return
        items = branch.value if isinstance(branch, yaml.SequenceNode) else [branch]
        for item in items:
            _evaluate_item(item, key, scope, out, display)
        return
    if isinstance(node, yaml.SequenceNode):
        raise VariantError(
            f"Could not parse variant config file {display}: expected scalar but got non-scalar"
        )
    value = _scalar_value(node)
    if isinstance(value, str) and is_template(value):
        rendered = render_template(value, scope)
        if rendered:
            out.append(rendered)
        return
    out.append(value)


# -- conda_build_config.yaml ------------------------------------------------------------------


def _legacy_line(line: str) -> tuple[str, str | None]:
    content, sep, comment = line.partition("#")
    if not sep:
        return line.rstrip(), None
    cond = comment.strip()
    if cond.startswith("[") and cond.endswith("]"):
        return content.rstrip(), cond[1:-1].strip()
    return content.rstrip(), None


def _legacy_condition(condition: str, scope: _Scope, env: Mapping[str, str]) -> bool:
    if not condition:
        return True
    condition = condition.replace("os.environ.get", "environ_get")
    try:
        return evaluate_condition(condition, scope)
    except VariantError:
        return False  # a selector that cannot be evaluated drops its line


def parse_conda_build_config(
    text: str,
    platform: str,
    display: str = CONDA_BUILD_CONFIG,
    *,
    env: Mapping[str, str] | None = None,
) -> VariantConfig:
    """A legacy ``conda_build_config.yaml``: ``# [selector]`` lines, numbers kept as text."""
    env = env or {}
    scope = _Scope(
        platform_context(platform),
        target_platform=platform,
        functions={"environ_get": lambda name, default="": env.get(name, default)},
    )
    lines = []
    for raw in text.splitlines():
        content, condition = _legacy_line(raw)
        if condition is not None and not _legacy_condition(condition, scope, env):
            continue
        stripped = content.strip()
        if stripped.startswith("- "):
            item = stripped[2:].strip()
            if _FLOAT.fullmatch(item) or _INT.fullmatch(item):
                content = content.replace(item, f'"{item}"')
        lines.append(content)
    try:
        root = yaml.compose("\n".join(lines), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise VariantError(f"Invalid variant configuration: {exc}") from None
    config = VariantConfig()
    if root is None or (isinstance(root, yaml.ScalarNode) and root.value in ("", "~", "null")):
        return config
    if not isinstance(root, yaml.MappingNode):
        raise VariantError(
            "Invalid variant configuration: Expected conda_build_config.yaml to be a mapping"
        )
    for key_node, value_node in root.value:
        key = key_node.value
        if key == "pin_run_as_build":
            continue
        if (
            isinstance(value_node, yaml.ScalarNode)
            and value_node.style is None
            and value_node.value in ("", "~", "null", "Null", "NULL")
        ):
            continue
        if key == "zip_keys":
            config.zip_keys = _legacy_zip_keys(value_node)
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            raise VariantError(
                f"Invalid variant configuration: the value of '{key}' must be a list"
            )
        config.insert(key, [_legacy_value(item, key) for item in value_node.value])
    return config


def _legacy_value(node: yaml.Node, key: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise VariantError(f"Invalid variant configuration: values of '{key}' must be scalars")
    if node.style is None:
        if node.value in _TRUE:
            return True
        if node.value in _FALSE:
            return False
        if _INT.fullmatch(node.value):
            return int(node.value)
    return node.value


def _legacy_zip_keys(node: yaml.Node) -> list[list[str]]:
    if not isinstance(node, yaml.SequenceNode) or not all(
        isinstance(g, yaml.SequenceNode) for g in node.value
    ):
        raise VariantError(
            "Invalid variant configuration: zip_keys must be a list of lists of keys"
        )
    return [[k.value for k in g.value] for g in node.value]


def load_variant_files(
    paths: Sequence[Path],
    platform: str,
    *,
    display: Callable[[Path], str] = str,
    env: Mapping[str, str] | None = None,
) -> VariantConfig:
    """``VariantConfig::from_files``: merged in order; ``conda_build_config.yaml`` files use the
    legacy loader."""
    config = VariantConfig()
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise VariantError(f"Could not open file ({display(path)}): {exc.strerror}") from None
        if path.name == CONDA_BUILD_CONFIG:
            loaded = parse_conda_build_config(text, platform, display(path), env=env)
        else:
            loaded = parse_variant_yaml(text, platform, display(path))
        config.merge(loaded)
    return config


# =============================================================================================
# pixi's side: defaults, inline build-variants, derived stdlib
# =============================================================================================


def default_variants(platform: str) -> VariantConfig:
    """``default_compiler_variants``: vs2022 C/C++ on Windows; cuda-nvcc on Linux and Windows."""
    config = VariantConfig()
    if is_windows(platform):
        config.insert("c_compiler", ["vs2022"])
        config.insert("cxx_compiler", ["vs2022"])
    if is_linux(platform) or is_windows(platform):
        config.insert("cuda_compiler", ["cuda-nvcc"])
    return config


#: ``subdir_default_virtual_packages``: ``__glibc`` on Linux, ``__osx`` on macOS.
DEFAULT_GLIBC = "2.28"
DEFAULT_OSX = "13.0"


def _channel_is_conda_forge(channel: str) -> bool:
    # stdlib_variants.rs channels_target_conda_forge: the last non-empty path segment of the
    # channel's base URL.  A bare name resolves below the channel alias, so its last segment
    # is its own last segment.
    text = channel.strip()
    if "://" in text:
        text = text.split("://", 1)[1]
        text = text.split("/", 1)[1] if "/" in text else ""
    text = text.split("?", 1)[0].split("#", 1)[0]
    segments = [s for s in text.replace("\\", "/").split("/") if s]
    return bool(segments) and segments[-1] == "conda-forge"


def derive_stdlib_variants(
    platform: str, channels: Iterable[str], *, glibc: str = DEFAULT_GLIBC, osx: str = DEFAULT_OSX
) -> list[tuple[str, str]]:
    """``derive_stdlib_variants`` (exact pin): ``c_stdlib``/``c_stdlib_version`` from the
    platform's ``__glibc``/``__osx``, truncated to major.minor; only with a conda-forge
    channel; nothing on Windows or other platforms."""
    if not any(_channel_is_conda_forge(c) for c in channels):
        return []
    if is_osx(platform):
        provider, version = "macosx_deployment_target", osx
    elif is_linux(platform):
        provider, version = "sysroot", glibc
    else:
        return []
    version = ".".join(version.split(".")[:2])
    return [("c_stdlib", provider), ("c_stdlib_version", version)]


def resolve_inline_variants(
    default: Mapping[str, Sequence[str]] | None,
    targets: Sequence[tuple[Any, Mapping[str, Sequence[str]] | None]],
    platform: str,
) -> dict[str, list[str]]:
    """``[workspace.build-variants]`` for ``platform``: the matching targets, last written first,
    then the default table; a key keeps the value of the first table that sets it."""
    tables = [default or {}] + [t or {} for sel, t in targets if sel.matches(platform)]
    resolved: dict[str, list[str]] = {}
    for table in reversed(tables):
        for key, values in table.items():
            resolved.setdefault(key, list(values))
    return resolved


def workspace_variant_config(
    *,
    platform: str,
    build_variants: Mapping[str, Sequence[str]] | None,
    build_variant_targets: Sequence[tuple[Any, Any]] = (),
    variant_files: Sequence[Path] = (),
    channels: Iterable[str] = (),
    file_display: Callable[[Path], str] = str,
    env: Mapping[str, str] | None = None,
) -> VariantConfig:
    """The configuration a build backend renders with: backend defaults < variant files <
    inline build-variants (+ derived ``c_stdlib``), ``zip_keys`` from the files."""
    inline = resolve_inline_variants(build_variants, build_variant_targets, platform)
    for key, value in derive_stdlib_variants(platform, channels):
        inline.setdefault(key, [value])
    config = default_variants(platform)
    config.merge(load_variant_files(list(variant_files), platform, display=file_display, env=env))
    # pixi passes a BTreeMap<String, ...>: converted key by key in string order, so of two
    # spellings of one key the one sorting last wins.
    for key in sorted(inline):
        config.insert(key, inline[key])
    return config


# =============================================================================================
# Combinations
# =============================================================================================


def _validate_zip_keys(config: VariantConfig) -> None:
    for group in config.zip_keys or []:
        if len(group) < 2:
            raise VariantError("zip_keys must be a list of lists, not a flat list")
        if any(key not in config for key in group):
            continue
        previous = None
        for key in group:
            length = len(config.get(key) or [])
            if previous is not None and previous != length:
                raise VariantError(
                    f"Zip key elements do not all have same length: {normalize_key(key)}"
                )
            previous = length


def combinations(config: VariantConfig, used: Iterable[str]) -> list[dict[str, Any]]:
    """``compute_combinations``: the cartesian product of the used keys, zip groups that hold
    a used key advancing together (only their used members), sorted by the ``Debug`` text of
    each combination.  Returns ``{key as spelled: value}`` in key order."""
    _validate_zip_keys(config)
    used_norm = {normalize_key(k): k for k in used}
    zip_groups = config.zip_keys or []
    zipped_norm = {normalize_key(k) for g in zip_groups for k in g}

    axes: list[list[list[tuple[str, Any]]]] = []
    for group in zip_groups:
        members = [k for k in group if normalize_key(k) in used_norm]
        if not members:
            continue
        present = [(k, config.get(k)) for k in members if config.get(k) is not None]
        if not present:
            continue
        length = len(present[0][1])
        rows = []
        for i in range(length):
            row = [(k, vals[i]) for k, vals in present if i < len(vals)]
            if len(row) == len(present):
                rows.append(row)
        axes.append(rows)
    for norm, key in used_norm.items():
        values = config.get(key)
        if values is None or norm in zipped_norm:
            continue
        axes.append([[(key, v)] for v in values])

    results: list[tuple[str, dict[str, Any]]] = []
    for product in itertools.product(*axes):
        entries: dict[str, tuple[NormalizedKey, Any]] = {}
        for row in product:
            for key, value in row:
                entries[normalize_key(key)] = (NormalizedKey(key), value)
        ordered = [entries[k] for k in sorted(entries)]
        results.append((debug_map(ordered), {k.raw: v for k, v in ordered}))
    results.sort(key=lambda item: item[0])
    return [combo for _, combo in results]


# =============================================================================================
# The recipe: used variables, evaluation, used variant
# =============================================================================================


@lru_cache(maxsize=8192)
def _spec(text: str) -> tuple[str | None, bool, str]:
    """(normalized package name or None, is it a *free* spec, canonical text)."""
    from rattler import MatchSpec

    try:
        spec = MatchSpec(text)
    except Exception:
        return None, False, text
    name: str | None = None
    m = re.fullmatch(r'PackageNameMatcher\("([^"]+)", exact\)', repr(spec.name))
    if m:  # an exact name (not a glob or a regex)
        name = m.group(1).lower()
    free = name is not None and all(
        getattr(spec, attr, None) in (None, [], {})
        for attr in (
            "version",
            "build",
            "build_number",
            "channel",
            "subdir",
            "namespace",
            "md5",
            "sha256",
            "file_name",
            "extras",
            "condition",
        )
    )
    return name, free, str(spec)


def _requirement_lists(recipe: Mapping[str, Any]) -> dict[str, list[Any]]:
    reqs = recipe.get("requirements") or {}
    return {k: list(reqs.get(k) or []) for k in ("build", "host", "run", "run_constraints")}


def _walk_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _walk_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_strings(v)


def _walk_conditions(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        if "if" in value and "then" in value and isinstance(value["if"], str):
            yield value["if"]
        for v in value.values():
            yield from _walk_conditions(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_conditions(v)


def _stage0_free_specs(recipe: Mapping[str, Any]) -> set[str]:
    """Free specs of build and host, both branches of every conditional, templates skipped."""
    found: set[str] = set()

    def visit(item: Any) -> None:
        if isinstance(item, Mapping) and "then" in item:
            for branch in ("then", "else"):
                value = item.get(branch)
                for sub in value if isinstance(value, list) else ([] if value is None else [value]):
                    visit(sub)
        elif isinstance(item, str) and not is_template(item):
            name, free, _ = _spec(item)
            if free and name:
                found.add(name)

    reqs = _requirement_lists(recipe)
    for item in reqs["build"] + reqs["host"]:
        visit(item)
    return found


def _variant_settings(recipe: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    variant = (recipe.get("build") or {}).get("variant") or {}
    use_keys = [k for k in variant.get("use_keys") or [] if isinstance(k, str)]
    ignore_keys = [k for k in variant.get("ignore_keys") or [] if isinstance(k, str)]
    return use_keys, ignore_keys


def used_variables(recipe: Mapping[str, Any], config: VariantConfig) -> set[str]:
    """``collect_used_variables``: template and condition variables (``compiler('c')`` as its
    keys), free build/host specs, ``ALWAYS_INCLUDED_VARS`` and ``use_keys``, kept when the
    configuration has them.  Returned in the configuration's spelling."""
    names: set[str] = set()
    for text in _walk_strings(recipe):
        if is_template(text):
            try:
                names |= template_variables(text)
            except VariantError:
                continue  # Jinja beyond this evaluator; requirements are evaluated later anyway
    for cond in _walk_conditions(recipe):
        names |= _expr(cond).variables()
    names |= _stage0_free_specs(recipe)
    names.update(ALWAYS_INCLUDED_VARS)
    names.update(_variant_settings(recipe)[0])
    return {config.spelling(n) for n in names if n in config}


@dataclass(slots=True)
class _Evaluated:
    accessed: set[str]
    free_specs: set[str]
    #: ``(normalized name, spec text)`` of run requirements naming a virtual package.
    virtual_run: list[tuple[str, str]]


def _evaluate_requirements(
    recipe: Mapping[str, Any], combination: Mapping[str, Any], platform: str
) -> _Evaluated:
    variables = platform_context(platform)
    target = combination.get("target_platform", platform)
    if isinstance(target, str) and target in _PLATFORM_ARCH:
        variables = platform_context(target)
    variant = {normalize_key(k): v for k, v in combination.items()}
    variables.update(variant)
    scope = _Scope(
        variables,
        variant=variant,
        target_platform=target if isinstance(target, str) else platform,
        functions=_PIN_FUNCTIONS,
    )
    reqs = _requirement_lists(recipe)
    evaluated: dict[str, list[str]] = {}
    for section, items in reqs.items():
        out: list[str] = []
        for item in items:
            _evaluate_requirement(item, scope, out)
        evaluated[section] = out
    free: set[str] = set()
    for spec in evaluated["build"] + evaluated["host"]:
        name, is_free, _ = _spec(spec)
        if is_free and name:
            free.add(normalize_key(name))  # compared as NormalizedKeys
    virtual = []
    for spec in evaluated["run"]:
        name, _, canonical = _spec(spec)
        if name and name.startswith("__"):
            virtual.append((name, canonical))
    return _Evaluated(scope.accessed, free, virtual)


def _evaluate_requirement(item: Any, scope: _Scope, out: list[str]) -> None:
    if isinstance(item, Mapping) and "if" in item:
        branch = (
            item.get("then") if evaluate_condition(str(item["if"]), scope) else item.get("else")
        )
        if branch is None:
            return
        for sub in branch if isinstance(branch, list) else [branch]:
            _evaluate_requirement(sub, scope, out)
        return
    if isinstance(item, str):
        text = render_template(item, scope) if is_template(item) else item
        if text.strip().startswith("{") and ("pin_subpackage" in text or "pin_compatible" in text):
            return  # a pin, not a match spec
        if text.strip():
            out.append(text)


def _pin(kind: str) -> Callable[..., str]:
    def render(*args: Any) -> str:
        return "{" + f'"{kind}": "{args[0] if args else ""}"' + "}"

    return render


#: ``pin_subpackage``/``pin_compatible`` render to a pin (JSON), never to a match spec.
_PIN_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "pin_subpackage": _pin("pin_subpackage"),
    "pin_compatible": _pin("pin_compatible"),
}


def _used_variant(
    recipe: Mapping[str, Any], combination: Mapping[str, Any], platform: str, noarch: str | None
) -> dict[str, Any]:
    """``impl Evaluate for Stage0Recipe``: the combination's keys that were read, are free
    build/host specs or are always included; then the noarch rules, virtual run packages,
    ``use_keys``/``ignore_keys``.  Keys in normalized spelling, key order."""
    ev = _evaluate_requirements(recipe, combination, platform)
    used: dict[str, Any] = {}
    for key, value in combination.items():
        norm = normalize_key(key)
        if noarch == "python" and norm == "python":
            continue
        if norm in ev.accessed or norm in ev.free_specs or norm in ALWAYS_INCLUDED_VARS:
            used[norm] = value
    if noarch is not None:
        used["target_platform"] = "noarch"
    for name, spec in ev.virtual_run:
        used[normalize_key(name)] = spec
    use_keys, ignore_keys = _variant_settings(recipe)
    norm_combo = {normalize_key(k): v for k, v in combination.items()}
    for key in use_keys:
        if normalize_key(key) in norm_combo:
            used[normalize_key(key)] = norm_combo[normalize_key(key)]
    ignored = {normalize_key(k) for k in ignore_keys}
    return {k: used[k] for k in sorted(used) if k not in ignored}


def _expand(
    recipe: Mapping[str, Any], initial: list[dict[str, Any]], config: VariantConfig, platform: str
) -> list[dict[str, Any]]:
    """``expand_variants_tree``: free specs revealed by evaluation add keys, up to 10 rounds;
    duplicates (by displayed values) are dropped."""
    final: list[dict[str, Any]] = []
    todo = initial
    rounds = 0
    while todo and rounds < MAX_EXPANSION_ROUNDS:
        rounds += 1
        following: list[dict[str, Any]] = []
        for combo in todo:
            ev = _evaluate_requirements(recipe, combo, platform)
            present = {normalize_key(k) for k in combo}
            new = sorted(name for name in ev.free_specs if name in config and name not in present)
            if not new:
                final.append(combo)
                continue
            expanded = [dict(combo)]
            for name in new:
                key = config.spelling(name)
                expanded = [{**c, key: v} for c in expanded for v in config.get(name) or []]
            following.extend(expanded)
        todo = following
    final.extend(todo)
    seen: set[tuple[tuple[str, str], ...]] = set()
    unique = []
    for combo in final:
        ident = tuple(sorted((normalize_key(k), display_value(v)) for k, v in combo.items()))
        if ident not in seen:
            seen.add(ident)
            unique.append(combo)
    return unique


def compute_variants(
    recipe: Mapping[str, Any],
    variant_config: VariantConfig,
    platform: str,
    *,
    noarch: str | None,
    build_number: int = 0,
    prefix: str | None = None,
) -> list[dict[str, Any]]:
    """Every output variant of ``recipe`` on ``platform``:
    ``[{"variant": {used key: value}, "build-string": str}, ...]``.

    ``target_platform`` and ``build_platform`` default to ``platform``.  Outputs with the same
    build string are reported once (pixi keeps outputs in an ``IndexSet`` keyed by name,
    version, build string, noarch kind and subdir).
    """
    config = variant_config.copy()
    config.setdefault("target_platform", [platform])
    config.setdefault("build_platform", [platform])
    used = used_variables(recipe, config)
    initial = combinations(config, used)
    expanded = _expand(recipe, initial, config, platform) if initial else [{}]
    outputs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for combo in expanded:
        variant = _used_variant(recipe, combo, platform, noarch)
        bs = build_string(
            variant, noarch=noarch, build_number=build_number, prefix=prefix, apply_noarch=False
        ).value
        if bs in seen:
            continue
        seen.add(bs)
        outputs.append({"variant": variant, "build-string": bs})
    return outputs
