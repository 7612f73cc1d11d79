"""Which variant keys a recipe uses, before any combination is evaluated.

rattler-build ``rattler_build_recipe/src/variant_render.rs`` (``collect_used_variables``:
the variables of every template and condition, with ``compiler('c')`` as its variant keys;
the free specs of build and host, both branches of every conditional; the always-included
keys and ``build.variant.use_keys``) and ``stage0/evaluate.rs`` (``ALWAYS_INCLUDED_VARS``).
A spec is *free* when it names an exact package and nothing else (``MatchSpec``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from pixiconf.pixibuild.jinja import expression_variables, is_template, template_variables
from pixiconf.pixibuild.variant_config import VariantConfig, VariantError

__all__ = [
    "ALWAYS_INCLUDED_VARS",
    "requirement_lists",
    "spec_facts",
    "used_variables",
    "variant_settings",
]

#: ``stage0/evaluate.rs``: always part of the used keys (if the configuration has them).
ALWAYS_INCLUDED_VARS = ("target_platform", "channel_targets", "channel_sources")


@lru_cache(maxsize=8192)
def spec_facts(text: str) -> tuple[str | None, bool, str]:
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


def requirement_lists(recipe: Mapping[str, Any]) -> dict[str, list[Any]]:
    reqs = recipe.get("requirements") or {}
    return {k: list(reqs.get(k) or []) for k in ("build", "host", "run", "run_constraints")}


def _recipe_texts(value: Any) -> Iterable[tuple[bool, str]]:
    """``(False, text)`` for every string of the recipe, ``(True, condition)`` for the ``if``
    of every ``if/then`` mapping."""
    if isinstance(value, str):
        yield False, value
        return
    if isinstance(value, Mapping):
        if "if" in value and "then" in value and isinstance(value["if"], str):
            yield True, value["if"]
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _recipe_texts(item)


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
            name, free, _ = spec_facts(item)
            if free and name:
                found.add(name)

    reqs = requirement_lists(recipe)
    for item in reqs["build"] + reqs["host"]:
        visit(item)
    return found


def variant_settings(recipe: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    variant = (recipe.get("build") or {}).get("variant") or {}
    use_keys = [k for k in variant.get("use_keys") or [] if isinstance(k, str)]
    ignore_keys = [k for k in variant.get("ignore_keys") or [] if isinstance(k, str)]
    return use_keys, ignore_keys


def used_variables(recipe: Mapping[str, Any], config: VariantConfig) -> set[str]:
    """``collect_used_variables``: template and condition variables (``compiler('c')`` as its
    keys), free build/host specs, ``ALWAYS_INCLUDED_VARS`` and ``use_keys``, kept when the
    configuration has them.  Returned in the configuration's spelling."""
    names: set[str] = set()
    texts = list(_recipe_texts(recipe))
    for is_condition, text in texts:
        if not is_condition and is_template(text):
            try:
                names |= template_variables(text)
            except VariantError:
                continue  # a syntax error surfaces when the requirements are evaluated
    for is_condition, text in texts:
        if is_condition:
            names |= expression_variables(text)
    names |= _stage0_free_specs(recipe)
    names.update(ALWAYS_INCLUDED_VARS)
    names.update(variant_settings(recipe)[0])
    return {config.spelling(n) for n in names if n in config}
