"""Jinja of recipes and variant files: conditions, ``${{ ... }}`` templates, the variables
they read.

rattler-build renders with minijinja (``rattler_build_jinja/src/jinja.rs``: ``Jinja::new``,
``Jinja::eval``, ``Jinja::render_str``; the syntax ``${{ ... }}``), so the reference uses the
same engine through the ``minijinja`` package on PyPI, which binds that Rust crate: literals,
operators, truthiness, ``~``, filters, ``is`` tests and keyword arguments behave as in
rattler-build because they are the same code.  Undefined values are strict: using one is an
error, as with the hand-written evaluator this module replaces (``JinjaConfig`` defaults to
``SemiStrict``, where an undefined value is merely falsy in a condition; no case shows which
one pixi's backends use, so the reference keeps its earlier behaviour).

What the Python binding does not offer, and how this module makes up for it:

* **Which variables an evaluation read.**  rattler-build wraps its context in an object that
  records every lookup (``TrackingContext::get_value``).  The binding only takes a plain
  ``dict`` as the root context, so :func:`evaluate_condition` and :func:`render_template` find
  the variant keys an evaluation read by evaluating again without each candidate key (the keys
  the expression names, :func:`expression_variables`): a key the evaluation never looked up
  cannot change it, a key it looked up is undefined in the second run and strict mode fails
  on it (in comparisons too from minijinja 2.19, hence the lower bound).  A key only tested
  with ``is defined`` or ``| default`` is the one blind spot.
* **The variables a template names, with ``compiler('c')`` as its variant keys.**
  rattler-build walks minijinja's AST (``ast_variables.rs``, used by
  ``variant_render.rs::collect_used_variables``).  The binding gives the undeclared names
  (``undeclared_variables_in_str``); the known function names are dropped
  (``KNOWN_FUNCTIONS``) and ``compiler``/``stdlib``/``cdt`` calls with a literal argument add
  their keys (``rattler_build_jinja`` ``compiler_stdlib_eval``, ``cdt``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from minijinja import Environment, TemplateError

from pixiconf.pixibuild.hashing import display_value, normalize_key
from pixiconf.pixibuild.platforms import is_windows, platform_family
from pixiconf.pixibuild.variant_config import VariantError

__all__ = [
    "KNOWN_FUNCTIONS",
    "Scope",
    "evaluate_condition",
    "expression_variables",
    "is_template",
    "render_template",
    "template_variables",
]

#: ``jinja.rs`` ``KNOWN_FUNCTIONS``: looked up like variables, resolved as functions.
KNOWN_FUNCTIONS = frozenset(
    {
        "match",
        "cdt",
        "compiler",
        "stdlib",
        "pin_subpackage",
        "pin_compatible",
        "is_linux",
        "is_osx",
        "is_windows",
        "is_unix",
        "load_from_file",
        "git",
        "env",
        "cmp",
        "hash",
    }
)


def _finalize(value: Any) -> Any:
    """Values as minijinja's Rust ``Display`` writes them (the binding writes Python's
    ``True``/``[1, 'a']``); an undefined value or ``none`` renders as nothing."""
    return "" if value is None else display_value(value)


_ENV = Environment(
    undefined_behavior="strict",
    variable_start_string="${{",
    variable_end_string="}}",
    debug=False,
    finalizer=_finalize,
)


class Scope:
    """Variables (platform selectors + the variant) and the functions of a render.

    ``accessed`` collects the variables evaluations read: the keys of ``variant`` that an
    evaluation looked up and the keys ``compiler``/``stdlib`` consult.
    """

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

    def context(self, record: set[str], without: str | None = None) -> dict[str, Any]:
        """The root context of one evaluation; ``compiler``/``stdlib`` report into ``record``."""
        ctx = {k: v for k, v in self.variables.items() if k != without}
        ctx.update(self.functions)
        ctx["compiler"] = lambda lang=None, *_, **__: self._compiler_stdlib(
            "compiler", lang, record
        )
        ctx["stdlib"] = lambda lang=None, *_, **__: self._compiler_stdlib("stdlib", lang, record)
        return ctx

    def _compiler_stdlib(self, kind: str, lang: Any, record: set[str]) -> str:
        # rattler_build_jinja compiler_stdlib_eval
        lang = str(lang)
        key = normalize_key(f"{lang}_{kind}")
        key_version = normalize_key(f"{lang}_{kind}_version")
        record.update({key, key_version, "CONDA_BUILD_SYSROOT"})
        name = self.variant.get(key)
        if name is None and kind == "compiler":
            name = default_compiler(self.target_platform, lang)
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


def default_compiler(platform: str, lang: str) -> str:
    """``rattler_build_jinja`` ``default_compiler``: the compiler of a language per platform."""
    if lang == "fortran":
        return "flang" if is_windows(platform) else "gfortran"
    if lang not in ("c", "cxx"):
        return lang
    family = platform_family(platform)
    if family == "win":
        return "vs2022"
    if family in ("osx", "ios", "iossimulator", "android"):
        return "clang" if lang == "c" else "clangxx"
    if platform == "emscripten-wasm32":
        return "emscripten"
    return "gcc" if lang == "c" else "gxx"


# --------------------------------------------------------------------------- evaluation


def _as_template(expression: str) -> str:
    return "${{ " + expression + " }}"


def _condition_template(expression: str) -> str:
    # Jinja truthiness, and strict mode fails on an undefined value (eval_expr would return it).
    return _as_template(f"true if ({expression}) else false")


def _error(
    exc: TemplateError, text: str, scope: Scope, names: set[str], where: str
) -> VariantError:
    if exc.kind == "UndefinedError":
        missing = sorted(n for n in names if n not in scope.variables)
        if missing:
            return VariantError(f"undefined value `{missing[0]}` in {where} `{text}`")
    message = str(exc).splitlines()[0] if str(exc) else exc.kind
    return VariantError(f"{message} in {where} `{text}`")


def _run(source: str, text: str, scope: Scope, names: set[str], where: str) -> str:
    """Render ``source`` in ``scope``; record which variant keys it read into the scope."""
    record: set[str] = set()
    try:
        result = _ENV.render_str(source, **scope.context(record))
    except TemplateError as exc:
        raise _error(exc, text, scope, names, where) from None
    for key in sorted(names & scope.variant.keys()):
        try:
            _ENV.render_str(source, **scope.context(set(), without=key))
        except (TemplateError, VariantError):
            record.add(key)
    scope.accessed |= record
    return result


def evaluate_condition(text: str, scope: Scope) -> bool:
    """An ``if:`` condition (``Jinja::eval``), by Jinja's truthiness."""
    names = expression_variables(text)
    return _run(_condition_template(text), text, scope, names, "condition") == "true"


def is_template(text: str) -> bool:
    return "${{" in text


def render_template(text: str, scope: Scope) -> str:
    """A string with ``${{ ... }}`` parts (``Jinja::render_str``)."""
    return _run(text, text, scope, template_variables(text), "template")


# --------------------------------------------------------------------------- static names

_KEYED_CALL = re.compile(r"\b(compiler|stdlib|cdt)\s*\(\s*(?:'([^'\\]*)'|\"([^\"\\]*)\")?")


@lru_cache(maxsize=4096)
def _undeclared(source: str, text: str) -> frozenset[str]:
    try:
        names = _ENV.undeclared_variables_in_str(source)
    except TemplateError as exc:
        raise VariantError(f"{str(exc).splitlines()[0]} in `{text}`") from None
    found = set(names) - KNOWN_FUNCTIONS
    for m in _KEYED_CALL.finditer(source):
        name, lang = m.group(1), m.group(2) or m.group(3)
        if name == "cdt":
            found.add("cdt_name")
        elif lang:
            found.update({f"{lang}_{name}", f"{lang}_{name}_version", "CONDA_BUILD_SYSROOT"})
    return frozenset(found)


def expression_variables(text: str) -> set[str]:
    """Names an expression reads (``compiler('c')`` counts as its variant keys)."""
    return set(_undeclared(_as_template(text), text))


def template_variables(text: str) -> set[str]:
    """Names the ``${{ ... }}`` parts of a string read."""
    return set(_undeclared(text, text))
