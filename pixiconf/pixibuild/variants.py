"""Every output variant of a recipe: combinations evaluated, used keys, build strings.

rattler-build ``rattler_build_recipe/src/variant_render.rs`` (``render_with_variants``,
``expand_variants_tree``: free specs an evaluation reveals add keys, up to 10 rounds) and
``stage0/evaluate.rs`` (``impl Evaluate for Stage0Recipe``: the used variant of an evaluated
recipe, noarch rules, virtual run packages, ``use_keys``/``ignore_keys``); pixi keeps outputs
in an ``IndexSet`` (``pixi_build_backend/src/intermediate_backend.rs::conda_outputs``).

The recipe is plain data: a rattler-build recipe as a ``dict`` (requirements are lists of
match-spec strings, ``${{ ... }}`` templates and ``{if, then, else}`` mappings).  The steps
live in their own modules: :mod:`~pixiconf.pixibuild.variant_config` (the configuration),
:mod:`~pixiconf.pixibuild.workspace_variants` (what pixi passes),
:mod:`~pixiconf.pixibuild.variant_files` and :mod:`~pixiconf.pixibuild.conda_build_config`
(files), :mod:`~pixiconf.pixibuild.used_variables` (the keys a recipe uses),
:mod:`~pixiconf.pixibuild.combinations` and :mod:`~pixiconf.pixibuild.jinja` (evaluation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pixiconf.pixibuild.combinations import combinations
from pixiconf.pixibuild.hashing import build_string, display_value, normalize_key
from pixiconf.pixibuild.jinja import Scope, evaluate_condition, is_template, render_template
from pixiconf.pixibuild.platforms import is_known_platform, platform_context
from pixiconf.pixibuild.used_variables import (
    ALWAYS_INCLUDED_VARS,
    requirement_lists,
    spec_facts,
    used_variables,
    variant_settings,
)
from pixiconf.pixibuild.variant_config import VariantConfig, VariantError

__all__ = ["MAX_EXPANSION_ROUNDS", "VariantConfig", "VariantError", "compute_variants"]

#: ``expand_variants_tree``: rounds of discovering keys from evaluated free specs.
MAX_EXPANSION_ROUNDS = 10


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
    if isinstance(target, str) and is_known_platform(target):
        variables = platform_context(target)
    variant = {normalize_key(k): v for k, v in combination.items()}
    variables.update(variant)
    scope = Scope(
        variables,
        variant=variant,
        target_platform=target if isinstance(target, str) else platform,
        functions=_PIN_FUNCTIONS,
    )
    reqs = requirement_lists(recipe)
    evaluated: dict[str, list[str]] = {}
    for section, items in reqs.items():
        out: list[str] = []
        for item in items:
            _evaluate_requirement(item, scope, out)
        evaluated[section] = out
    free: set[str] = set()
    for spec in evaluated["build"] + evaluated["host"]:
        name, is_free, _ = spec_facts(spec)
        if is_free and name:
            free.add(normalize_key(name))  # compared as NormalizedKeys
    virtual = []
    for spec in evaluated["run"]:
        name, _, canonical = spec_facts(spec)
        if name and name.startswith("__"):
            virtual.append((name, canonical))
    return _Evaluated(scope.accessed, free, virtual)


def _evaluate_requirement(item: Any, scope: Scope, out: list[str]) -> None:
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
    use_keys, ignore_keys = variant_settings(recipe)
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
