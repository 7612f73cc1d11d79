"""A catalogue of semantic mutants of the reference: plausible misreadings of pixi's rules.

Each :class:`Mutant` replaces one function of the reference (``target``, ``module:attribute``
where the function is looked up at call time) with a wrong variant built from the original.
:func:`installed` applies one for the duration of a ``with`` block and restores the original
afterwards.  The corpus is good when every mutant makes at least one case fail
(``benchmarks/mutation.py``, :mod:`pixiconf.corpus.mutation`); the ``pixiconf-pixi``
shim applies the mutant named by ``PIXICONF_MUTANT`` so the same test can be run through a
real subprocess.

Nothing in the reference imports this module.  The ids are ``<corpus area>.<wrong rule>``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = [
    "CATALOGUE",
    "ENV_VAR",
    "Mutant",
    "clear_caches",
    "get",
    "installed",
    "resolve_target",
]

#: The environment variable the shim reads at startup.
ENV_VAR = "PIXICONF_MUTANT"

Wrap = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Mutant:
    id: str
    #: One line: the wrong rule this mutant implements.
    description: str
    #: ``module:Attribute.path`` of the function replaced (every place it is looked up).
    targets: tuple[str, ...]
    #: ``original -> replacement``.
    wrap: Wrap

    @property
    def area(self) -> str:
        return self.id.split(".", 1)[0]


def resolve_target(target: str) -> tuple[Any, str, Any]:
    """``(owner, attribute name, current value)`` of ``module:Attr.path``."""
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    value = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
    return owner, name, value


@contextmanager
def installed(mutant: Mutant | str) -> Iterator[Mutant]:
    """Apply ``mutant`` (or the mutant with that id) inside the block."""
    mutant = get(mutant) if isinstance(mutant, str) else mutant
    saved = [resolve_target(target) for target in mutant.targets]
    try:
        for owner, name, original in saved:
            setattr(owner, name, mutant.wrap(original))
        yield mutant
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def get(mutant_id: str) -> Mutant:
    try:
        return CATALOGUE[mutant_id]
    except KeyError:
        from pixiconf.similarity import did_you_mean

        hint = did_you_mean(mutant_id, CATALOGUE)
        raise KeyError(
            f"unknown mutant '{mutant_id}'" + (f"; did you mean '{hint}'?" if hint else "")
        ) from None


def clear_caches() -> None:
    """Empty the reference's memo caches (``functools.cache``): a result computed with a
    mutant installed must not outlive it, nor one computed without it hide it."""
    import sys

    for name, module in list(sys.modules.items()):
        if name.split(".", 1)[0] != "pixiconf" or module is None:
            continue
        for value in list(vars(module).values()):
            if (
                callable(getattr(value, "cache_clear", None))
                and getattr(value, "__module__", None) == name
            ):
                value.cache_clear()


_ENTRIES: list[Mutant] = []


def _mutant(
    mutant_id: str, target: str | tuple[str, ...], description: str
) -> Callable[[Wrap], Wrap]:
    targets = (target,) if isinstance(target, str) else target

    def register(wrap: Wrap) -> Wrap:
        _ENTRIES.append(Mutant(mutant_id, description, targets, wrap))
        return wrap

    return register


def _returns(value: Any) -> Wrap:
    """A replacement that ignores its arguments."""
    return lambda original: lambda *args, **kwargs: value


# =============================================================================== discovery


@_mutant(
    "discovery.pyproject-before-pixi-toml",
    "pixiconf.workspace.discovery:_candidate_in_dir",
    "in a directory holding both, pyproject.toml is used before pixi.toml",
)
def _pyproject_first(original):
    def candidate(directory: Path):
        from pixiconf.workspace.discovery import _Candidate

        path = Path(directory) / "pyproject.toml"
        if path.is_file():
            return _Candidate(path, "pyproject", "pyproject")
        return original(directory)

    return candidate


_mutant(
    "discovery.requires-pixi-ignored",
    "pixiconf.workspace.discovery:_check_requires_pixi",
    "requires-pixi is not checked against the running pixi version",
)(_returns(None))


@_mutant(
    "discovery.env-manifest-ignored",
    "pixiconf.workspace.discovery:_load_env_manifest",
    "PIXI_PROJECT_MANIFEST is never used when no manifest is found by walking up",
)
def _env_manifest_ignored(original):
    return lambda value, start: None


# ============================================================================== validation

_mutant(
    "validation.unknown-keys-accepted",
    "pixiconf.manifest.source:Table.finalize",
    "unknown keys in a table are silently ignored (serde's default)",
)(_returns(None))
_mutant(
    "validation.no-did-you-mean",
    "pixiconf.manifest.source:did_you_mean",
    "an unknown key never gets a 'Did you mean' suggestion",
)(_returns(None))
_mutant(
    "validation.parse-time-warnings-dropped",
    "pixiconf.manifest.source:ManifestSource.log_warn",
    "warnings logged while deserialising (ambiguous version specifiers) are not shown",
)(_returns(None))


# =============================================================================== malformed

_mutant(
    "malformed.quick-check-skipped",
    "pixiconf.workspace.discovery:_quick_check",
    "the text check for a [workspace]/[tool.pixi] header before parsing is skipped",
)(_returns(None))


@_mutant(
    "malformed.syntax-errors-unlocated",
    "pixiconf.manifest.toml:syntax_diagnostic",
    "a TOML syntax error is reported without its line and column",
)
def _unlocated(original):
    def diagnostic(*args, **kwargs):
        return replace(original(*args, **kwargs), line=None, column=None)

    return diagnostic


# ================================================================================= targets

_SPECIFICITY = {"glob": 0, "family": 1, "name": 2, "subdir": 2}


@_mutant(
    "targets.specificity-precedence",
    "pixiconf.manifest.model:Feature.targets_for",
    "the most specific matching selector wins (subdir over family over glob), "
    "not the last in document order",
)
def _specificity(original):
    def targets_for(self, platform: str):
        matching = [(s, t) for s, t in self.targets if s.matches(platform)]
        matching.sort(key=lambda item: _SPECIFICITY[item[0].kind])
        return [self.default_target] + [t for _, t in matching]

    return targets_for


@_mutant(
    "targets.glob-not-matched",
    "pixiconf.manifest.selectors:TargetSelector.matches",
    'glob selectors ([target."linux-*"]) never match a platform',
)
def _glob_not_matched(original):
    def matches(self, platform_name, platform_subdir=None):
        return False if self.kind == "glob" else original(self, platform_name, platform_subdir)

    return matches


@_mutant(
    "targets.unix-means-linux",
    "pixiconf.manifest.selectors:TargetSelector.matches",
    "the unix family selects only linux platforms, not osx",
)
def _unix_means_linux(original):
    def matches(self, platform_name, platform_subdir=None):
        if self.kind == "family" and self.value == "unix":
            self = replace(self, value="linux")
        return original(self, platform_name, platform_subdir)

    return matches


# ============================================================================ environments


@_mutant(
    "environments.default-feature-first",
    "pixiconf.workspace.environments:environment_features",
    "the default feature comes first in an environment, before its listed features",
)
def _default_first(original):
    def features(manifest, env):
        result = original(manifest, env)
        return sorted(result, key=lambda f: f.name != "default")

    return features


@_mutant(
    "environments.no-default-feature-ignored",
    "pixiconf.workspace.environments:environment_features",
    "no-default-feature = true still includes the default feature",
)
def _no_default_ignored(original):
    return lambda manifest, env: original(manifest, replace(env, no_default_feature=False))


@_mutant(
    "environments.inline-feature-listed",
    "pixiconf.workspace.environments:_info_features",
    "an environment's own inline feature is listed among its features",
)
def _inline_listed(original):
    def features(names, no_default_feature):
        shown = [n.removeprefix("environment:") for n in names]
        return shown if no_default_feature else [*shown, "default"]

    return features


@_mutant(
    "environments.solve-strategy-last-wins",
    "pixiconf.workspace.environments:solve_strategy",
    "the last feature that sets solve-strategy wins, not the first",
)
def _strategy_last(original):
    return lambda features: original(list(reversed(features)))


# ================================================================================ channels


@_mutant(
    "channels.priority-ascending",
    "pixiconf.workspace.environments:prioritized_channels",
    "channels are ordered by priority ascending (lowest priority first)",
)
def _priority_ascending(original):
    def channels(manifest, features):
        chosen = [
            c
            for f in features
            for c in (f.channels if f.channels is not None else manifest.workspace.channels)
        ]
        result: list[str] = []
        for channel in sorted(chosen, key=lambda c: c.sort_priority):
            if channel.channel not in result:
                result.append(channel.channel)
        return result

    return channels


@_mutant(
    "channels.duplicates-keep-last",
    "pixiconf.workspace.environments:prioritized_channels",
    "a channel listed twice keeps its last position, not its first",
)
def _dedup_last(original):
    def channels(manifest, features):
        chosen = [
            c
            for f in features
            for c in (f.channels if f.channels is not None else manifest.workspace.channels)
        ]
        ordered = [c.channel for c in sorted(chosen, key=lambda c: -c.sort_priority)]
        return [c for i, c in enumerate(ordered) if c not in ordered[i + 1 :]]

    return channels


@_mutant(
    "channels.priority-conflict-first-wins",
    "pixiconf.workspace.environments:channel_priority",
    "features with different channel-priority do not conflict: the first one wins",
)
def _priority_first(original):
    def priority(features):
        values = [f.channel_priority for f in features if f.channel_priority is not None]
        return values[0] if values else original([])

    return priority


# =============================================================================== platforms


@_mutant(
    "platforms.union",
    "pixiconf.workspace.environments:environment_platforms",
    "an environment supports the union of its features' platforms, not the intersection",
)
def _platforms_union(original):
    def platforms(manifest, env):
        from pixiconf.workspace.environments import environment_features, feature_supports

        features = environment_features(manifest, env)
        return [
            p
            for p in manifest.workspace.platforms
            if any(feature_supports(manifest, f, p) for f in features)
        ]

    return platforms


@_mutant(
    "platforms.default-unsupported-message",
    "pixiconf.workspace.environments:unsupported_platform",
    "an unsupported platform of the default environment is reported like any other environment's",
)
def _unsupported_message(original):
    def error(env, platform, supported):
        from pixiconf.diagnostics import DiagnosticError

        diagnostic = original(env, platform, supported).diagnostic
        return DiagnosticError(
            replace(
                diagnostic, message=f"the environment '{env.name}' does not support '{platform}'"
            )
        )

    return error


# =================================================================================== tasks


@_mutant(
    "tasks.last-feature-wins",
    "pixiconf.workspace.environments:environment_tasks",
    "a task defined in several features comes from the last feature, not the first",
)
def _tasks_last_feature(original):
    return lambda features, platform: original(list(reversed(features)), platform)


@_mutant(
    "tasks.default-target-wins",
    "pixiconf.workspace.environments:environment_tasks",
    "inside a feature, the default [tasks] table wins over [target.*.tasks]",
)
def _tasks_default_target(original):
    def tasks(features, platform):
        result: dict[str, Any] = {}
        for feature in reversed(features):
            for target in reversed(feature.targets_for(platform)):
                result.update(target.tasks)
        return result

    return tasks


# ============================================================================== activation


@_mutant(
    "activation.last-feature-wins",
    "pixiconf.operations.workspace:resolve_environment",
    "an activation env key set by several features takes the last feature's value",
)
def _activation_last_feature(original):
    def resolve(manifest, env_name, platform):
        from pixiconf.workspace import environments as envs

        result = original(manifest, env_name, platform)
        env = envs.get_environment(manifest, env_name)
        merged: dict[str, str] = {}
        for feature in envs.environment_features(manifest, env):
            if envs.feature_supports(manifest, feature, platform):
                merged.update(envs.feature_activation(feature, platform)[1])
        result["activation"]["env"] = merged
        return result

    return resolve


@_mutant(
    "activation.scripts-concatenated",
    "pixiconf.workspace.environments:feature_activation",
    "a feature's activation scripts from every matching target are concatenated, instead "
    "of the most precedent target's list winning",
)
def _scripts_concatenated(original):
    def activation(feature, platform):
        _, env = original(feature, platform)
        scripts = [
            s
            for t in feature.targets_for(platform)
            if t.activation is not None and t.activation.scripts is not None
            for s in t.activation.scripts
        ]
        return scripts, env

    return activation


@_mutant(
    "activation.env-default-target-wins",
    "pixiconf.workspace.environments:feature_activation",
    "an activation env key in both [activation.env] and [target.*.activation.env] keeps "
    "the default target's value",
)
def _activation_env_default(original):
    def activation(feature, platform):
        scripts, _ = original(feature, platform)
        env: dict[str, str] = {}
        for target in feature.targets_for(platform):
            if target.activation is not None:
                for key, value in (target.activation.env or {}).items():
                    env.setdefault(key, value)
        return scripts, env

    return activation


# ============================================================================ pypi-options


@_mutant(
    "pypi-options.feature-conflicts-first-wins",
    "pixiconf.manifest.pypi_options:union",
    "features with different index-url or index-strategy do not conflict: the first wins",
)
def _pypi_first_wins(original):
    def union(a, b):
        from pixiconf.manifest.pypi_options import overlay

        return overlay(b, a)

    return union


@_mutant(
    "pypi-options.workspace-wins",
    "pixiconf.manifest.pypi_options:overlay",
    "the workspace's pypi-options override the features', not the other way round",
)
def _pypi_workspace_wins(original):
    return lambda base, top: original(top, base)


@_mutant(
    "pypi-options.lists-not-deduplicated",
    "pixiconf.manifest.pypi_options:_dedup_concat",
    "extra-index-urls and find-links are concatenated without removing duplicates",
)
def _pypi_no_dedup(original):
    def concat(a, b):
        return None if a is None and b is None else [*(a or []), *(b or [])]

    return concat


# ===================================================================== system-requirements


@_mutant(
    "system-requirements.lowest-version-wins",
    "pixiconf.manifest.system_requirements:_max_version",
    "combining features keeps the lower of two system-requirement versions",
)
def _sysreq_min(original):
    return lambda a, b: b if original(a, b) == a and a != b else a


@_mutant(
    "system-requirements.libc-family-conflict-ignored",
    "pixiconf.manifest.system_requirements:union",
    "two different libc families do not conflict: the first one is kept",
)
def _libc_conflict_ignored(original):
    def union(a, b):
        from pixiconf.manifest.system_requirements import _libc

        if "libc" in a and "libc" in b and _libc(a["libc"])[0] != _libc(b["libc"])[0]:
            b = {k: v for k, v in b.items() if k != "libc"}
        return original(a, b)

    return union


# =============================================================================== pyproject


@_mutant(
    "pyproject.extras-dropped",
    "pixiconf.manifest.load:apply_pyproject",
    "[project.optional-dependencies] extras add no pypi-dependencies to their features",
)
def _extras_dropped(original):
    def apply(source, data, features, groups):
        extras = set((data.get("project") or {}).get("optional-dependencies") or {})
        return original(
            source, data, features, {k: v for k, v in groups.items() if k not in extras}
        )

    return apply


_mutant(
    "pyproject.requires-python-ignored",
    "pixiconf.manifest.pyproject:python_spec",
    'requires-python is not turned into the python dependency (python = "*")',
)(_returns("*"))


@_mutant(
    "pyproject.requires-python-overrides-pixi-python",
    "pixiconf.manifest.load:apply_pyproject",
    "requires-python replaces a python dependency written in [tool.pixi.dependencies]",
)
def _requires_python_overrides(original):
    def apply(source, data, features, groups):
        if (data.get("project") or {}).get("requires-python") is not None:
            target = features["default"].default_target
            if target.dependencies:
                target.dependencies.pop("python", None)
        return original(source, data, features, groups)

    return apply


# ============================================================================ dependencies


@_mutant(
    "dependencies.run-overrides-build",
    "pixiconf.workspace.environments:_combined",
    "within one target, run dependencies replace host and build specs of the same package",
)
def _run_overrides(original):
    def combined(target):
        result: dict[str, Any] = {}
        for deps in (target.build_dependencies, target.host_dependencies, target.dependencies):
            result.update(deps or {})
        return result

    return combined


@_mutant(
    "dependencies.identical-specs-repeated",
    "pixiconf.workspace.environments:_add_unique",
    "an identical spec from two features is listed twice",
)
def _specs_repeated(original):
    return lambda specs, spec: specs.append(spec)


@_mutant(
    "dependencies.target-replaces-table",
    "pixiconf.workspace.environments:feature_dependencies",
    "a matching target's dependencies replace the feature's whole table instead of "
    "overriding per package",
)
def _target_replaces(original):
    def dependencies(feature, platform):
        from pixiconf.workspace.environments import _combined

        result: dict[str, Any] = {}
        for target in feature.targets_for(platform):
            combined = _combined(target)
            if combined:
                result = dict(combined)
        return result

    return dependencies


# ================================================================================== recipe

_mutant(
    "recipe.compilers-not-detected",
    "pixiconf.pixibuild.recipe:detect_compilers",
    "maturin or setuptools-rust in build-system.requires do not add a rust compiler",
)(_returns([]))
_mutant(
    "recipe.entry-points-dropped",
    "pixiconf.pixibuild.recipe:read_entry_points",
    "[project.scripts] are not turned into python entry points",
)(_returns([]))


@_mutant(
    "recipe.urls-verbatim",
    "pixiconf.pixibuild.recipe:normalize_url",
    "homepage/documentation/repository URLs are copied verbatim, not normalised",
)
def _urls_verbatim(original):
    return lambda text: (text, None)


# ================================================================================ map-pypi


@_mutant(
    "map-pypi.markers-ignored",
    "pixiconf.pixibuild.pypi_mapping:should_skip_requirement",
    "requirements with environment markers are mapped on every platform",
)
def _markers_ignored(original):
    return lambda req, platform: False


@_mutant(
    "map-pypi.noarch-evaluates-markers",
    "pixiconf.pixibuild.pypi_mapping:should_skip_requirement",
    "a noarch package evaluates markers for linux-64 instead of dropping marked requirements",
)
def _noarch_markers(original):
    def skip(req, platform):
        return original(req, "linux-64" if platform == "noarch" else platform)

    return skip


@_mutant(
    "map-pypi.user-map-ignored",
    "pixiconf.pixibuild.pypi_mapping:map_requirements",
    "the package's pypi-conda-map is not consulted",
)
def _user_map_ignored(original):
    return lambda *args, **kwargs: original(*args, **{**kwargs, "user_map": None})


@_mutant(
    "map-pypi.names-only-lowercased",
    "pixiconf.pixibuild.pypi_mapping:normalize_pypi_name",
    "PyPI names are only lower-cased, runs of '-', '_' and '.' are kept",
)
def _names_lowercased(original):
    def normalize(name):
        original(name)  # still validates
        return name.lower()

    return normalize


# ================================================================================ variants


@_mutant(
    "variants.glibc-default-2.17",
    "pixiconf.pixibuild.workspace_variants:derive_stdlib_variants",
    "c_stdlib_version on linux defaults to glibc 2.17 instead of 2.28",
)
def _glibc_217(original):
    return lambda platform, channels, **kwargs: original(
        platform, channels, **{**kwargs, "glibc": "2.17"}
    )


@_mutant(
    "variants.stdlib-without-conda-forge",
    "pixiconf.pixibuild.workspace_variants:derive_stdlib_variants",
    "c_stdlib/c_stdlib_version are derived whatever the channels, not only with conda-forge",
)
def _stdlib_always(original):
    return lambda platform, channels, **kwargs: original(platform, ["conda-forge"], **kwargs)


@_mutant(
    "variants.zip-keys-ignored",
    "pixiconf.pixibuild.variants:combinations",
    "zip_keys are ignored: zipped keys are combined as a cartesian product",
)
def _zip_ignored(original):
    def combinations(config, used):
        copy = config.copy()
        copy.zip_keys = None
        return original(copy, used)

    return combinations


@_mutant(
    "variants.first-target-wins",
    "pixiconf.pixibuild.workspace_variants:resolve_inline_variants",
    "of two matching [workspace.target.*.build-variants] tables the first written wins",
)
def _variants_first_target(original):
    def resolve(default, targets, platform):
        return original(default, list(reversed(targets)), platform)

    return resolve


@_mutant(
    "variants.build-number-ignored",
    "pixiconf.pixibuild.variants:compute_variants",
    "[package.build] number is ignored: build strings always end in _0",
)
def _variants_build_number(original):
    return lambda *args, **kwargs: original(*args, **{**kwargs, "build_number": 0})


# ============================================================================ build-string


@_mutant(
    "build-string.hash-unsorted-keys",
    "pixiconf.pixibuild.hashing:hash_input",
    "the variant hash is taken over the keys in the order given, not sorted",
)
def _hash_unsorted(original):
    def hash_input(variant):
        from pixiconf.pixibuild.hashing import _json_str, _json_value, normalize_key

        items: dict[str, Any] = {}
        for key, value in variant.items():
            items[normalize_key(key)] = value
        return "{" + ", ".join(f"{_json_str(k)}: {_json_value(v)}" for k, v in items.items()) + "}"

    return hash_input


@_mutant(
    "build-string.build-number-ignored",
    "pixiconf.pixibuild.hashing:build_string",
    "the build number is not appended: build strings always end in _0",
)
def _bs_build_number(original):
    return lambda *args, **kwargs: original(*args, **{**kwargs, "build_number": 0})


@_mutant(
    "build-string.noarch-python-keeps-python",
    "pixiconf.pixibuild.hashing:used_variant_for_noarch",
    "a noarch python output keeps python in its hash input",
)
def _noarch_keeps_python(original):
    def used(variant, noarch):
        return original(variant, "generic" if noarch == "python" else noarch)

    return used


@_mutant(
    "build-string.prefix-alphabetical",
    "pixiconf.pixibuild.hashing:hash_prefix",
    "the language prefix lists its parts alphabetically (lua, np, pl, py, r)",
)
def _prefix_alphabetical(original):
    def prefix(variant, noarch):
        from pixiconf.pixibuild.hashing import (
            _PREFIX_KEYS,
            display_value,
            normalized_variant,
            short_version,
        )

        if noarch == "python":
            return "py"
        found: dict[str, str] = {}
        for key, value in normalized_variant(variant).items():
            rule = _PREFIX_KEYS.get(key)
            if rule is not None:
                found[rule[0]] = short_version(display_value(value), rule[1])
        return "".join(f"{name}{found[name]}" for name in sorted(found))

    return prefix


@_mutant(
    "build-string.keys-not-normalized",
    "pixiconf.pixibuild.hashing:normalize_key",
    "variant keys are hashed as written: c-compiler and c_compiler are different keys",
)
def _keys_not_normalized(original):
    return lambda key: key


# ==================================================================================== lock


@_mutant(
    "lock.constraints-ignored",
    "pixiconf.lock.solve:_combined",
    "[constraints] are not passed to the solver",
)
def _lock_constraints(original):
    def combined(features, model, subdir, constraints=False):
        return {} if constraints else original(features, model, subdir)

    return combined


@_mutant(
    "lock.glibc-default-2.17",
    "pixiconf.lock.virtual_packages:subdir_defaults",
    "a linux platform without system-requirements assumes __glibc 2.17, not 2.28",
)
def _lock_glibc(original):
    def defaults(subdir):
        return tuple(
            replace(vp, version="2.17") if vp.name == "__glibc" else vp for vp in original(subdir)
        )

    return defaults


@_mutant(
    "lock.channel-priority-disabled",
    "pixiconf.lock.solve:_solve_all",
    "the solver ignores channel-priority = strict (every channel is searched)",
)
def _lock_priority(original):
    def solve_all(tasks, cache_dir):
        return original([replace(t, channel_priority="disabled") for t in tasks], cache_dir)

    return solve_all


@_mutant(
    "lock.strategy-ignored",
    "pixiconf.lock.solve:_solve_all",
    "the solver always picks the highest versions, whatever solve-strategy says",
)
def _lock_strategy(original):
    def solve_all(tasks, cache_dir):
        return original([replace(t, strategy="highest") for t in tasks], cache_dir)

    return solve_all


@_mutant(
    "lock.solve-groups-ignored",
    "pixiconf.lock.solve:group_features",
    "environments in one solve-group are solved alone, not with the group's features",
)
def _lock_groups(original):
    return lambda manifest, members: original(manifest, list(members)[:1])


# ============================================================================== lock-check


def _manifest_channels(manifest, env) -> list[str]:
    from pixiconf.lock import satisfiability as sat

    features = sat.group_features(manifest, sat._grouped_members(manifest, env))
    return sat.prioritized_channels(manifest, features)


@_mutant(
    "lock-check.channels-ignored",
    "pixiconf.lock.satisfiability:_verify_environment",
    "a lock file solved with other channels still counts as up to date",
)
def _check_channels(original):
    def verify(manifest, env, locked, platforms, lock, config):
        locked = replace(locked, channels=_manifest_channels(manifest, env))
        return original(manifest, env, locked, platforms, lock, config)

    return verify


@_mutant(
    "lock-check.strategy-ignored",
    "pixiconf.lock.satisfiability:_verify_environment",
    "a lock file solved with another solve-strategy still counts as up to date",
)
def _check_strategy(original):
    def verify(manifest, env, locked, platforms, lock, config):
        from pixiconf.lock import satisfiability as sat

        features = sat.environment_features(manifest, env)
        strategy = sat._STRATEGY[sat.solve_strategy(features)]
        locked = replace(locked, options=replace(locked.options, strategy=strategy))
        return original(manifest, env, locked, platforms, lock, config)

    return verify


@_mutant(
    "lock-check.unused-packages-accepted",
    "pixiconf.lock.satisfiability:_verify_platform",
    "conda packages in the lock file that no dependency needs are accepted",
)
def _check_unused(original):
    def verify(*args, **kwargs):
        from pixiconf.lock.satisfiability import _PlatformUnsat

        try:
            return original(*args, **kwargs)
        except _PlatformUnsat as unsat:
            if not unsat.message.startswith("there are more conda packages"):
                raise

    return verify


@_mutant(
    "lock-check.constraints-ignored",
    "pixiconf.lock.satisfiability:_platform_specs",
    "a locked package that violates a [constraints] entry is accepted",
)
def _check_constraints(original):
    def specs(manifest, env, platform, attribute):
        return [] if attribute == "constraints" else original(manifest, env, platform, attribute)

    return specs


#: Every mutant by id, in catalogue order.
CATALOGUE: dict[str, Mutant] = {m.id: m for m in _ENTRIES}
