"""Resolve an environment of a workspace manifest for one platform.

Rules (pixi 0.77):

* feature order: an environment's inline feature, its listed features, then ``default``
  unless ``no-default-feature`` (``HasFeaturesIter for Environment``);
* platforms: the workspace platforms every feature supports (``FeaturesExt``);
* dependencies: each feature that supports the platform folds its targets, default first and
  selector targets in document order, replacing per package (``DependencyMap::overwrite``); in
  one target build replaces host replaces run (``WorkspaceTarget::combined_dependencies``);
  the environment keeps every feature's spec, in feature order (``DependencyMap::merge_all``);
* channels: each feature's channels (or the workspace's), stable-sorted by priority
  descending, de-duplicated keeping the first (``prioritized_channels``);
* channel-priority: one value for all features, or ``Multiple channel priorities ...``;
  solve-strategy: the first feature that sets one;
* tasks: the first feature wins; activation scripts concatenate per feature (the most
  precedent target with scripts wins inside a feature); activation env: first feature wins
  per key;
* solve groups: the features of every member, de-duplicated by name (``SolveGroup``);
* system-requirements: union (``SystemRequirements::union``); pypi-options:
  ``workspace.overlay(fold(union, features))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pixiconf.diagnostics import Diagnostic, DiagnosticError
from pixiconf.manifest import pypi_options as pypi
from pixiconf.manifest.model import DEFAULT, Environment, Feature, Target, WorkspaceManifest
from pixiconf.manifest.system_requirements import SystemRequirementsConflict, union_all

DEFAULT_CHANNEL_PRIORITY = "strict"
DEFAULT_SOLVE_STRATEGY = "highest"


INLINE_PREFIX = "environment:"


def display_name(feature: Feature) -> str:
    """The name pixi shows: an inline environment feature is the bare environment name
    (``FeatureName::as_str``, ``crates/pixi_manifest/src/feature.rs``)."""
    return feature.name.removeprefix(INLINE_PREFIX)


def get_environment(manifest: WorkspaceManifest, name: str) -> Environment:
    try:
        return manifest.environments[name]
    except KeyError:
        from pixiconf.similarity import did_you_mean

        suggestion = did_you_mean(name, list(manifest.environments))
        raise DiagnosticError(
            Diagnostic(
                f"unknown environment '{name}'",
                help=(
                    f"Did you mean '{suggestion}'?"
                    if suggestion
                    else "available environments: " + ", ".join(manifest.environments)
                ),
            )
        ) from None


def environment_features(manifest: WorkspaceManifest, env: Environment) -> list[Feature]:
    names = list(env.features) + ([] if env.no_default_feature else [DEFAULT])
    return [manifest.features[n] for n in names]


def group_features(manifest: WorkspaceManifest, members: Sequence[Environment]) -> list[Feature]:
    """The features of a solve group: every member's features in member order, the first of
    each name kept (``HasFeaturesIter::features`` of ``SolveGroup``,
    ``crates/pixi_core/src/workspace/solve_group.rs``)."""
    seen: dict[str, Feature] = {}
    for env in members:
        for feature in environment_features(manifest, env):
            seen.setdefault(feature.name, feature)
    return list(seen.values())


def feature_supports(manifest: WorkspaceManifest, feature: Feature, platform: str) -> bool:
    return feature.platforms is None or platform in feature.platforms


def environment_platforms(manifest: WorkspaceManifest, env: Environment) -> list[str]:
    features = environment_features(manifest, env)
    return [
        p
        for p in manifest.workspace.platforms
        if all(feature_supports(manifest, f, p) for f in features)
    ]


def _combined(target: Target) -> dict[str, Any]:
    combined: dict[str, Any] = {}
    for deps in (target.dependencies, target.host_dependencies, target.build_dependencies):
        combined.update(deps or {})
    return combined


def feature_dependencies(feature: Feature, platform: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for target in feature.targets_for(platform):
        result.update(_combined(target))
    return result


def feature_pypi_dependencies(feature: Feature, platform: str) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = {}
    for target in feature.targets_for(platform):
        result.update(target.pypi_dependencies or {})
    return result


def environment_tasks(features: list[Feature], platform: str) -> dict[str, dict[str, Any]]:
    """``Environment::tasks``: every feature's targets, most precedent first, all reversed and
    collected into an ordered map (a later insert replaces the value, keeping the position).
    The first feature's most precedent target therefore wins."""
    chain = [t for f in features for t in reversed(f.targets_for(platform))]
    result: dict[str, dict[str, Any]] = {}
    for target in reversed(chain):
        result.update(target.tasks)
    return result


def feature_activation(feature: Feature, platform: str) -> tuple[list[str], dict[str, str]]:
    """``Feature::activation_scripts``/``activation_env``: the most precedent target with
    scripts wins as a whole; env keys are taken most precedent target first."""
    scripts: list[str] = []
    env: dict[str, str] = {}
    found_scripts = False
    for target in reversed(feature.targets_for(platform)):
        if target.activation is None:
            continue
        if target.activation.scripts is not None and not found_scripts:
            scripts, found_scripts = list(target.activation.scripts), True
        for key, value in (target.activation.env or {}).items():
            env.setdefault(key, value)
    return scripts, env


def prioritized_channels(manifest: WorkspaceManifest, features: list[Feature]) -> list[str]:
    channels = [
        c
        for f in features
        for c in (f.channels if f.channels is not None else manifest.workspace.channels)
    ]
    ordered = sorted(channels, key=lambda c: -c.sort_priority)  # sorted() is stable
    result: list[str] = []
    for channel in ordered:
        if channel.channel not in result:
            result.append(channel.channel)
    return result


def channel_priority(features: list[Feature]) -> str:
    values = {f.channel_priority for f in features if f.channel_priority is not None}
    if len(values) > 1:
        raise DiagnosticError(
            Diagnostic("Multiple channel priorities are not allowed in a single environment")
        )
    return values.pop() if values else DEFAULT_CHANNEL_PRIORITY


def solve_strategy(features: list[Feature]) -> str:
    return next(
        (f.solve_strategy for f in features if f.solve_strategy is not None), DEFAULT_SOLVE_STRATEGY
    )


def environment_pypi_options(
    manifest: WorkspaceManifest, features: list[Feature]
) -> dict[str, Any]:
    combined: dict[str, Any] = {}
    for feature in features:
        if feature.pypi_options is not None:
            combined = pypi.union(combined, feature.pypi_options)
    return pypi.overlay(manifest.workspace.pypi_options or {}, combined)


def unsupported_platform(env: Environment, platform: str, supported: list[str]) -> DiagnosticError:
    if env.name == DEFAULT:
        message = (
            f"The workspace does not support '{platform}'.\n"
            f"Add it with 'pixi workspace platform add {platform}'."
        )
    else:
        message = f"the environment '{env.name}' does not support '{platform}'"
    # ``impl Diagnostic for UnsupportedPlatformError::help`` always appends the
    # ``--platform`` escape hatch (crates/pixi_core/src/workspace/errors.rs).
    return DiagnosticError(
        Diagnostic(
            message,
            help="supported platforms are "
            + ", ".join(supported)
            + "\nOr install for a target this machine cannot run with "
            "`pixi install --platform <platform>`.",
        )
    )


def resolve(manifest: WorkspaceManifest, env_name: str, platform: str) -> dict[str, Any]:
    """The ``resolve`` observation of CASE-FORMAT.md §3.1."""
    env = get_environment(manifest, env_name)
    features = environment_features(manifest, env)
    platforms = environment_platforms(manifest, env)
    if platform not in platforms:
        raise unsupported_platform(env, platform, platforms)
    active = [f for f in features if feature_supports(manifest, f, platform)]

    dependencies: dict[str, list[Any]] = {}
    pypi_dependencies: dict[str, list[Any]] = {}
    tasks = environment_tasks(active, platform)
    scripts: list[str] = []
    activation_env: dict[str, str] = {}
    for feature in active:
        # DependencyMap::merge_all keeps an ordered *set* of specs per package
        # (crates/pixi_spec_containers/src/lib.rs): an identical spec is kept once.
        for name, spec in feature_dependencies(feature, platform).items():
            _add_unique(dependencies.setdefault(name, []), spec)
        for name, specs in feature_pypi_dependencies(feature, platform).items():
            for spec in specs:
                _add_unique(pypi_dependencies.setdefault(name, []), spec)
        feature_scripts, feature_env = feature_activation(feature, platform)
        scripts.extend(feature_scripts)
        for key, value in feature_env.items():
            activation_env.setdefault(key, value)
    try:
        system_requirements = union_all(f.system_requirements for f in features)
        pypi_opts = environment_pypi_options(manifest, features)
    except (SystemRequirementsConflict, pypi.PypiOptionsConflict) as exc:
        raise DiagnosticError(Diagnostic(str(exc))) from None
    return {
        "features": [display_name(f) for f in features],
        "channels": prioritized_channels(manifest, features),
        "channel-priority": channel_priority(features),
        "solve-strategy": solve_strategy(features),
        "platforms": platforms,
        "dependencies": dependencies,
        "pypi-dependencies": pypi_dependencies,
        "system-requirements": system_requirements,
        "pypi-options": pypi_opts,
        "tasks": tasks,
        "activation": {"scripts": scripts, "env": activation_env},
    }


def _add_unique(specs: list[Any], spec: Any) -> None:
    if spec not in specs:
        specs.append(spec)


def environments_observation(manifest: WorkspaceManifest) -> dict[str, Any]:
    """The ``environments`` observation: manifest order, ``default`` first.

    ``features`` is what ``pixi info --json`` lists (``crates/pixi_cli/src/info.rs``): the
    environment's features in use order (``Environment::features`` in
    ``crates/pixi_core/src/workspace/environment.rs``), followed by ``default`` unless
    ``no-default-feature``, with the environment's own inline feature left out
    (``FeatureName::is_environment``).
    """
    envs = dict(manifest.environments)
    ordered = {DEFAULT: envs.pop(DEFAULT)} if DEFAULT in envs else {}
    ordered.update(envs)
    return {
        "environments": {
            name: {
                "features": _info_features(env.features, env.no_default_feature),
                "solve-group": env.solve_group,
                "no-default-feature": env.no_default_feature,
            }
            for name, env in ordered.items()
        }
    }


def _info_features(features: list[str], no_default_feature: bool) -> list[str]:
    listed = [f for f in features if not f.startswith(INLINE_PREFIX)]
    return listed if no_default_feature else [*listed, DEFAULT]
