"""``[feature.<name>]`` tables, and the inline feature of an ``[environments]`` table.

Follows ``crates/pixi_manifest/src/toml/feature.rs`` (``impl Deserialize for TomlFeature``,
``TomlFeature::into_feature``) and, for the inline form, ``toml/environment.rs``
(``TomlEnvironmentInline``: the same keys minus ``host-dependencies``, ``build-dependencies``
and ``system-requirements``).  A feature's tables are one target (:mod:`pixiconf.manifest.target`)
plus its ``[feature.<name>.target.<selector>]`` tables.
"""

from __future__ import annotations

from typing import Any

from pixiconf.diagnostics import DiagnosticError
from pixiconf.manifest import pypi_options as pypi
from pixiconf.manifest.context import ManifestContext
from pixiconf.manifest.model import Feature, Workspace
from pixiconf.manifest.platforms import read_system_requirements
from pixiconf.manifest.selectors import SelectorError, validate_platform_name
from pixiconf.manifest.source import KeyPath, Table
from pixiconf.manifest.tables import (
    CHANNEL_PRIORITIES,
    SOLVE_STRATEGIES,
    index_set_strings,
    parse_channels,
)
from pixiconf.manifest.target import (
    DEPENDENCY_KEYS,
    parse_target,
    parse_targets,
    warn_deprecated_build_tables,
)

#: ``TomlEnvironmentInline``'s dependency tables (no host/build dependencies), in read order.
INLINE_DEPENDENCY_KEYS = ("dependencies", "pypi-dependencies", "dev", "constraints")


def parse_feature(
    ctx: ManifestContext, path: KeyPath, name: str, raw: Any, workspace: Workspace
) -> Feature:
    """One ``[feature.<name>]`` table."""
    return read_feature(ctx, path, name, ctx.source.reader(path, raw), workspace, inline=False)


def read_feature(
    ctx: ManifestContext, path: KeyPath, name: str, t: Table, workspace: Workspace, *, inline: bool
) -> Feature:
    """The feature keys of ``t`` (a feature table, or an environment table whose own keys the
    caller has read), in pixi's read order; ``t`` is finalised."""
    src = ctx.source
    feature = Feature(name)
    feature.platforms = t.optional("platforms", lambda p, v: index_set_strings(src, p, v))
    _check_platform_names(ctx, path, feature.platforms or [])
    feature.channels = t.optional("channels", lambda p, v: parse_channels(src, p, v))
    feature.channel_priority = t.optional(
        "channel-priority", lambda p, v: src.enum(p, v, CHANNEL_PRIORITIES)
    )
    feature.solve_strategy = t.optional(
        "solve-strategy", lambda p, v: src.enum(p, v, SOLVE_STRATEGIES)
    )
    target_raw = t.optional("target")
    kinds = INLINE_DEPENDENCY_KEYS if inline else DEPENDENCY_KEYS
    tables = {k: t.optional(k) for k in kinds}
    if not inline:
        warn_deprecated_build_tables(ctx, path, tables)
    tables["activation"] = t.optional("activation")
    tables["tasks"] = t.optional("tasks")
    pypi_raw = t.optional("pypi-options")
    if not inline:
        # No workspace context in TomlFeature::deserialize: no subdirs for the suggestion.
        sysreqs = t.optional(
            "system-requirements", lambda p, v: read_system_requirements(src, p, v, [])
        )
        if sysreqs is not None:
            feature.system_requirements = sysreqs
    t.finalize()
    if pypi_raw is not None:
        feature.pypi_options = pypi.parse_pypi_options(src, (*path, "pypi-options"), pypi_raw)
    feature.default_target = parse_target(ctx, path, tables)
    if target_raw is not None:
        feature.targets = parse_targets(
            ctx, (*path, "target"), target_raw, workspace.platforms, (name, feature.platforms)
        )
    return feature


def _check_platform_names(ctx: ManifestContext, path: KeyPath, platforms: list[str]) -> None:
    """``TomlFeature::into_feature``: every entry must be a ``PixiPlatformName``
    (``TomlError::InvalidPlatform``), before the subdir check of
    ``extend_originals_with_referenced_subdirs`` (:mod:`pixiconf.manifest.document`)."""
    for platform_name in platforms:
        try:
            validate_platform_name(platform_name)
        except SelectorError:
            raise DiagnosticError(
                ctx.source.diagnostic(
                    (*path, "platforms"), f"{platform_name} is not a valid platform name"
                )
            ) from None
