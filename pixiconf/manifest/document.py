"""A whole pixi manifest document (pixi.toml, or ``[tool.pixi]`` of pyproject.toml) into a
:class:`~pixiconf.manifest.model.WorkspaceManifest`: the top-level keys, the default feature
they form, the named features, the environments and the hand-over of ``[package]``.

Follows ``crates/pixi_manifest/src/toml/manifest.rs`` (``impl Deserialize for TomlManifest``,
``TomlManifest::into_workspace_manifest``, ``extend_originals_with_referenced_subdirs``; pixi's
``toml/document.rs`` is the editing wrapper, not a parser).  Each table has its module:
``[workspace]`` :mod:`~pixiconf.manifest.workspace_table`, ``[feature.*]``
:mod:`~pixiconf.manifest.feature`, the dependency/task/activation tables of a target and
``[target.*]`` :mod:`~pixiconf.manifest.target`, ``[environments]``
:mod:`~pixiconf.manifest.environment`, ``[package]`` :mod:`~pixiconf.manifest.package`.  The key
lists are in the order pixi reads them, which is the order of its ``Unexpected keys, expected
only ...`` messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pixiconf.diagnostics import DiagnosticError
from pixiconf.manifest import pypi_options as pypi
from pixiconf.manifest.context import ManifestContext
from pixiconf.manifest.environment import parse_environments
from pixiconf.manifest.feature import parse_feature
from pixiconf.manifest.model import DEFAULT, Feature, Workspace, WorkspaceManifest
from pixiconf.manifest.package import check_package_table, package_defaults, parse_package
from pixiconf.manifest.platforms import read_system_requirements
from pixiconf.manifest.preview import PIXI_BUILD
from pixiconf.manifest.selectors import subdir, subdir_error
from pixiconf.manifest.source import ManifestSource, Table, toml_type_name
from pixiconf.manifest.target import (
    owner_label,
    parse_target,
    parse_targets,
    warn_deprecated_build_tables,
)
from pixiconf.manifest.workspace_table import parse_workspace

#: The tables of the default feature's default target, in ``TomlManifest::deserialize`` order.
ROOT_TARGET_KEYS = (
    "dependencies",
    "host-dependencies",
    "build-dependencies",
    "constraints",
    "exclude-newer",
    "pypi-dependencies",
    "pypi-exclude-newer",
    "dev",
    "activation",
    "tasks",
)
#: The top-level keys (besides ``$schema`` and ``tool``), in ``TomlManifest::deserialize`` order.
MANIFEST_KEYS = (
    "workspace",
    "project",
    "package",
    "target",
    *ROOT_TARGET_KEYS,
    "feature",
    "environments",
    "pypi-options",
    "system-requirements",
)


def parse_manifest_data(
    source: ManifestSource,
    data: dict[str, Any],
    root: Path | None,
    *,
    pyproject: bool = False,
    external: dict[str, Any] | None = None,
) -> WorkspaceManifest:
    """Parse and validate the pixi tables ``data`` of ``source``; ``root`` is the workspace
    directory (``None`` skips the file checks), ``external`` what a pyproject's ``[project]``
    supplies (``ExternalWorkspaceProperties``: name, version, ..., dependency-group features).
    Warnings end up in ``manifest.warnings``."""
    ctx = ManifestContext(source, root, pyproject=pyproject)
    manifest = _parse(ctx, data, external or {})
    manifest.warnings = [*source.log_warnings, *source.warnings]
    return manifest


def _parse(
    ctx: ManifestContext, data: dict[str, Any], external: dict[str, Any]
) -> WorkspaceManifest:
    src = ctx.source
    raw = _read_top_level(src, data)
    if raw["workspace"] is None:
        raise src.error((), "Missing field `project/workspace`")
    workspace = parse_workspace(ctx, (raw["workspace_key"],), raw["workspace"], external)
    ctx.workspace = workspace
    ctx.pixi_build = workspace.preview_enabled(PIXI_BUILD)
    root_tables = {k: raw[k] for k in ROOT_TARGET_KEYS}
    warn_deprecated_build_tables(ctx, (), root_tables)

    default = _default_feature(ctx, raw, root_tables)
    features: dict[str, Feature] = {DEFAULT: default}
    feature_table = src.table(("feature",), raw["feature"]) if raw["feature"] is not None else {}
    for name, feature_raw in feature_table.items():
        path = ("feature", name)
        if name == DEFAULT:
            raise src.error(
                path,
                "The feature 'default' is reserved and cannot be redefined",
                help="All tables at the root of the document are implicitly "
                "added to the 'default' feature, use those instead.",
            )
        features[name] = parse_feature(ctx, path, name, feature_raw, workspace)
    for name in external.get("features", []):
        features.setdefault(name, Feature(name))
    environments = parse_environments(ctx, raw["environments"], features)
    _warn_unused_features(ctx, feature_table, environments)

    _extend_platforms(ctx, workspace, features)
    manifest = WorkspaceManifest(
        workspace, features, environments, kind="pyproject" if ctx.pyproject else "pixi"
    )
    if raw["package"] is not None:
        _package(ctx, raw["package"])
        manifest.has_package = True
    return manifest


def _read_top_level(src: ManifestSource, data: dict[str, Any]) -> dict[str, Any]:
    """``TomlManifest::deserialize``: every top-level key in read order (absent ones are
    ``None``); ``workspace_key`` says whether ``[workspace]`` or ``[project]`` was used."""
    top = Table(src, (), dict(data))
    top.ignore("$schema") if isinstance(data.get("$schema"), str) else None
    if "$schema" in top.remaining:
        raise src.error(("$schema",), "expected a string, found " + toml_type_name(data["$schema"]))
    if "tool" in top.remaining:
        src.table(("tool",), top.remaining.pop("tool"))
    raw: dict[str, Any] = {}
    if top.contains("workspace"):
        raw["workspace"], raw["workspace_key"] = top.required("workspace"), "workspace"
    else:
        raw["workspace"], raw["workspace_key"] = top.optional("project"), "project"
        if raw["workspace"] is not None:
            src.warn(
                ("project",),
                "The `project` field is deprecated. Use `workspace` instead.",
                label="replace this with 'workspace'",
            )
    for key in MANIFEST_KEYS[2:]:
        raw[key] = top.optional(key)
    top.finalize()
    return raw


def _default_feature(
    ctx: ManifestContext, raw: dict[str, Any], root_tables: dict[str, Any]
) -> Feature:
    """The top-level tables form the ``default`` feature."""
    src = ctx.source
    workspace = ctx.workspace
    pypi_options_raw = raw["pypi-options"]
    default = Feature(
        DEFAULT,
        channel_priority=workspace.channel_priority,
        solve_strategy=workspace.solve_strategy,
        pypi_options=(
            pypi.parse_pypi_options(src, ("pypi-options",), pypi_options_raw)
            if pypi_options_raw is not None
            else None
        ),
        default_target=parse_target(ctx, (), root_tables),
    )
    if raw["system-requirements"] is not None:
        default.system_requirements = read_system_requirements(
            src, ("system-requirements",), raw["system-requirements"], workspace.platforms
        )
    if raw["target"] is not None:
        default.targets = parse_targets(ctx, ("target",), raw["target"], workspace.platforms, None)
    return default


def _warn_unused_features(
    ctx: ManifestContext, feature_table: dict[str, Any], environments: dict[str, Any]
) -> None:
    used = {f for env in environments.values() for f in env.features}
    for name in feature_table:
        if name not in used:
            ctx.source.warn(
                ("feature", name),
                f"The feature '{name}' is defined but not used in any environment. "
                "Dependencies of unused features are not resolved or checked, and use "
                "wildcard (*) version specifiers by default, disregarding any set "
                "`pinning-strategy`",
                help="Remove the feature from the manifest or add it to an environment",
            )


def _extend_platforms(
    ctx: ManifestContext, workspace: Workspace, features: dict[str, Feature]
) -> None:
    """A subdir named by a feature but missing from the workspace is appended
    (``extend_originals_with_referenced_subdirs``); other names are an error."""
    for feature in features.values():
        for name in feature.platforms or []:
            if name in workspace.platforms:
                continue
            if subdir(name) is None:
                raise DiagnosticError(
                    ctx.source.diagnostic(
                        ("feature", feature.name, "platforms"),
                        f"{owner_label(feature.name)} references platform '{name}' which is "
                        "neither declared in the workspace nor a valid conda subdir: "
                        f"{subdir_error(name)}",
                    )
                )
            workspace.platforms.append(name)


def _package(ctx: ManifestContext, raw: Any) -> None:
    """``[package]``: ``TomlPackage::deserialize`` requires ``build`` while the whole manifest
    is deserialised, before ``into_workspace_manifest`` checks the preview flag; the rest of
    the section is :func:`pixiconf.manifest.package.parse_package`."""
    src = ctx.source
    table = check_package_table(src, raw, pixi_build=ctx.pixi_build)
    parse_package(
        src,
        ("package",),
        table,
        workspace=ctx.package_properties(package_raw=table),
        root=ctx.root,
        defaults=package_defaults(src.data if ctx.pyproject else None),
    )
