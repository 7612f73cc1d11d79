"""``[environments]``: each environment as a list of feature names or a table (``features``,
``solve-group``, ``no-default-feature`` and an inline feature's keys).

Follows ``crates/pixi_manifest/src/toml/environment.rs`` (``impl Deserialize for
TomlEnvironmentList`` and ``TomlEnvironment``, ``TomlEnvironmentInline::is_empty`` and
``into_feature``) and the checks ``TomlManifest::into_workspace_manifest`` makes
(``toml/manifest.rs``: environment names, unknown and repeated features, the union of the
features' system requirements and pypi-options).
"""

from __future__ import annotations

import re
from typing import Any

from pixiconf.manifest import pypi_options as pypi
from pixiconf.manifest.context import ManifestContext
from pixiconf.manifest.feature import read_feature
from pixiconf.manifest.model import DEFAULT, Environment, Feature
from pixiconf.manifest.source import KeyPath, toml_type_name
from pixiconf.manifest.system_requirements import SystemRequirementsConflict, union_all

ENVIRONMENT_NAME = re.compile(r"^[a-z0-9-]+$")


def parse_environments(
    ctx: ManifestContext, raw: Any, features: dict[str, Feature]
) -> dict[str, Environment]:
    """The ``[environments]`` table (``None`` when absent); an environment's inline feature is
    added to ``features`` as ``environment:<name>``.  ``default`` exists even when unlisted."""
    src = ctx.source
    table = src.table(("environments",), raw) if raw is not None else {}
    environments: dict[str, Environment] = {}
    if DEFAULT not in table:
        environments[DEFAULT] = Environment(DEFAULT, [])
    for name, value in table.items():
        path = ("environments", name)
        if not ENVIRONMENT_NAME.match(name):
            raise src.error(
                path,
                f"Failed to parse environment name '{name}', please use "
                "only lowercase letters, numbers and dashes",
            )
        environments[name] = _environment(ctx, path, name, value, features)
    return environments


def _environment(
    ctx: ManifestContext, path: KeyPath, name: str, value: Any, features: dict[str, Feature]
) -> Environment:
    src = ctx.source
    solve_group, no_default = None, False
    inline_feature: Feature | None = None
    if isinstance(value, list):
        listed = src.strings(path, value)
        listed_path = path
    elif isinstance(value, dict):
        t = src.reader(path, value)
        listed = t.optional("features", src.strings)
        solve_group = t.optional("solve-group", src.string)
        no_default = bool(t.optional("no-default-feature", src.boolean))
        inline_name = f"environment:{name}"
        inline_feature = read_feature(ctx, path, inline_name, t, ctx.workspace, inline=True)
        if not _has_content(inline_feature):
            inline_feature = None
        # ``TomlEnvironment::deserialize``: without `features`, a `solve-group` or
        # inline content (``TomlEnvironmentInline::is_empty``) the table is rejected,
        # even if it sets `no-default-feature` or an empty `tasks` table.
        if listed is None and solve_group is None and inline_feature is None:
            raise src.error(
                path, "missing field 'features' in table", label="table with missing field"
            )
        listed = listed or []
        listed_path = (*path, "features")
    else:
        # toml/environment.rs impl Deserialize for TomlEnvironmentList
        raise src.error(path, f"expected either a map or a sequence, found {toml_type_name(value)}")
    _check_listed(ctx, listed_path, listed, features)
    names = list(listed)
    if inline_feature is not None:
        features[inline_feature.name] = inline_feature
        names.insert(0, inline_feature.name)
    used = [features[f] for f in names] + ([] if no_default else [features[DEFAULT]])
    _check_combination(ctx, path, used)
    return Environment(name, names, solve_group, no_default)


def _check_listed(
    ctx: ManifestContext, path: KeyPath, listed: list[str], features: dict[str, Feature]
) -> None:
    """Each listed feature is defined, and listed once (the order of features matters)."""
    seen: set[str] = set()
    for i, feature_name in enumerate(listed):
        item_path = (*path, str(i))
        if feature_name not in features:
            raise ctx.source.error(
                item_path,
                f"The feature '{feature_name}' is not defined in the manifest",
                help="Add the feature to the manifest",
            )
        if feature_name in seen:
            raise ctx.source.error(
                item_path,
                f"The feature '{feature_name}' is included more than once.",
                label="the feature is included here",
                help="Since the order of the features matters, a duplicate feature is ambiguous",
            )
        seen.add(feature_name)


def _check_combination(ctx: ManifestContext, path: KeyPath, used: list[Feature]) -> None:
    """The features' system requirements and pypi-options must combine
    (``SystemRequirements::union``, ``PypiOptions::union``)."""
    try:
        union_all([f.system_requirements for f in used])
    except SystemRequirementsConflict as exc:
        raise ctx.source.error(
            path, str(exc), label="while resolving system requirements of features defined here"
        ) from None
    combined: dict[str, Any] = {}
    try:
        for feature in used:
            if feature.pypi_options is not None:
                combined = pypi.union(combined, feature.pypi_options)
    except pypi.PypiOptionsConflict as exc:
        raise ctx.source.error(
            path, str(exc), label="while resolving pypi options of features defined here"
        ) from None


def _has_content(feature: Feature) -> bool:
    """Not ``TomlEnvironmentInline::is_empty``: the inline keys set anything."""
    t = feature.default_target
    return any(
        [
            feature.platforms is not None,
            feature.channels is not None,
            feature.channel_priority is not None,
            feature.solve_strategy is not None,
            feature.pypi_options is not None,
            bool(feature.targets),
            t.dependencies is not None,
            t.pypi_dependencies is not None,
            t.dev is not None,
            t.constraints is not None,
            t.activation is not None,
            bool(t.tasks),
        ]
    )
