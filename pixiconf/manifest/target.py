"""What one target holds: the tables of a feature (or of the top level) and of each
``[target.<selector>]`` / ``[feature.<name>.target.<selector>]`` table.

Follows ``crates/pixi_manifest/src/toml/target.rs`` (``impl Deserialize for TomlTarget``,
``TomlTarget::into_workspace_target``), ``toml/feature.rs`` (the ``target`` map of
``TomlFeature``: a repeated selector replaces the earlier table in place) and ``toml/mod.rs``
(``create_unsupported_selector_warning``).  The conda dependency tables are
:mod:`pixiconf.manifest.dependency_table`; ``[pypi-dependencies]`` :mod:`pixiconf.manifest.specs`;
``[dev]`` :mod:`pixiconf.manifest.location_spec`; ``[tasks]`` :mod:`pixiconf.manifest.tasks`.
"""

from __future__ import annotations

from typing import Any

from pixiconf.manifest.context import ManifestContext
from pixiconf.manifest.dependency_table import read_dependency_table
from pixiconf.manifest.exclude_newer import read_exclude_newer_map
from pixiconf.manifest.location_spec import dev_dependency
from pixiconf.manifest.model import Target
from pixiconf.manifest.selectors import TargetSelector, all_subdirs, read_selector
from pixiconf.manifest.source import KeyPath
from pixiconf.manifest.specs import check_package_name, pypi_dependency_map
from pixiconf.manifest.tables import parse_activation
from pixiconf.manifest.tasks import parse_tasks

#: The dependency tables of a target, in ``TomlTarget::deserialize`` (and
#: ``TomlFeature::deserialize``) read order.
DEPENDENCY_KEYS = (
    "dependencies",
    "host-dependencies",
    "build-dependencies",
    "constraints",
    "pypi-dependencies",
    "dev",
)
#: ``TomlTarget::deserialize`` read order.
TARGET_KEYS = (*DEPENDENCY_KEYS, "activation", "tasks")
CONDA_TABLES = ("dependencies", "host-dependencies", "build-dependencies", "constraints")
#: Deprecated in a feature (and at the top level) unless ``pixi-build`` is enabled.
BUILD_TABLES = ("host-dependencies", "build-dependencies")


def warn_deprecated_build_tables(
    ctx: ManifestContext, path: KeyPath, tables: dict[str, Any]
) -> None:
    """``[host-dependencies]``/``[build-dependencies]`` without ``pixi-build``
    (``TomlFeature::deserialize`` and ``TomlManifest::deserialize``)."""
    for kind in BUILD_TABLES:
        if tables.get(kind) is not None and not ctx.pixi_build:
            ctx.source.warn(
                (*path, kind),
                f"The `{kind}` field is deprecated. Use `dependencies` instead.",
                label="replace this with 'dependencies'",
            )


def parse_target(ctx: ManifestContext, path: KeyPath, tables: dict[str, Any]) -> Target:
    """``TomlTarget::into_workspace_target`` over the raw tables of one target (absent ones
    are ``None``)."""
    src = ctx.source
    deps = {}
    for kind in CONDA_TABLES:
        raw = tables.get(kind)
        if raw is None:
            continue
        if kind in BUILD_TABLES and ctx.pixi_build:
            _reject_build_table(ctx, path, kind)
        deps[kind] = read_dependency_table(ctx, (*path, kind), raw)
    target = Target(
        dependencies=deps.get("dependencies"),
        host_dependencies=deps.get("host-dependencies"),
        build_dependencies=deps.get("build-dependencies"),
        constraints=deps.get("constraints"),
    )
    if tables.get("exclude-newer") is not None:
        read_exclude_newer_map(src, (*path, "exclude-newer"), tables["exclude-newer"], pypi=False)
    if tables.get("pypi-dependencies") is not None:
        target.pypi_dependencies = {
            name: [spec]
            for name, spec in pypi_dependency_map(
                src, (*path, "pypi-dependencies"), tables["pypi-dependencies"]
            ).items()
        }
    if tables.get("pypi-exclude-newer") is not None:
        read_exclude_newer_map(
            src, (*path, "pypi-exclude-newer"), tables["pypi-exclude-newer"], pypi=True
        )
    if tables.get("dev") is not None:
        dev = src.table((*path, "dev"), tables["dev"])
        target.dev = {}
        for name, spec in dev.items():
            check_package_name(src, (*path, "dev", name), name)
            target.dev[name] = dev_dependency(src, (*path, "dev", name), spec)
    if tables.get("activation") is not None:
        target.activation = parse_activation(src, (*path, "activation"), tables["activation"])
    if tables.get("tasks") is not None:
        target.tasks = parse_tasks(src, (*path, "tasks"), tables["tasks"])
    return target


def _reject_build_table(ctx: ManifestContext, path: KeyPath, kind: str) -> None:
    """With ``pixi-build`` these tables belong to ``[package]``; a target table names its
    selector in the suggestion."""
    in_target = len(path) >= 2 and path[-2] == "target"
    table = f"target.{read_selector(ctx.source, path, path[-1])}.{kind}" if in_target else kind
    raise ctx.source.error(
        (*path, kind),
        f"When `pixi-build` is enabled, {kind} can only be specified for a package.",
        help=f"Did you mean [package.{table}]?",
    )


def parse_targets(
    ctx: ManifestContext,
    path: KeyPath,
    raw: Any,
    workspace_platforms: list[str],
    feature: tuple[str, list[str] | None] | None,
) -> list[tuple[TargetSelector, Target]]:
    """A ``target`` table: ``(selector, target)`` in document order.  ``feature`` is the
    owning feature's name and ``platforms`` (``None`` at the top level)."""
    src = ctx.source
    ordered: list[tuple[Any, Target]] = []
    for key, value in src.table(path, raw).items():
        sel_path = (*path, key)
        selector = read_selector(src, sel_path, key)
        _warn_unmatched_selector(ctx, sel_path, selector, workspace_platforms, feature)
        t = src.reader(sel_path, value)
        tables = {k: t.optional(k) for k in TARGET_KEYS}
        t.finalize()
        target = parse_target(ctx, sel_path, tables)
        for i, (existing, _) in enumerate(ordered):
            if existing.identity == selector.identity:
                ordered[i] = (existing, target)  # same selector: replaced, keeps position
                break
        else:
            ordered.append((selector, target))
    return ordered


def owner_label(feature_name: str) -> str:
    """How warnings name a feature; an environment's inline feature is named after it."""
    if feature_name.startswith("environment:"):
        return f"environment '{feature_name.split(':', 1)[1]}'"
    return f"feature '{feature_name}'"


def _warn_unmatched_selector(
    ctx: ManifestContext,
    path: KeyPath,
    selector: TargetSelector,
    workspace_platforms: list[str],
    feature: tuple[str, list[str] | None] | None,
) -> None:
    """``TomlFeature::into_feature``: warn about the workspace when no declared workspace
    platform matches; otherwise about a feature whose own ``platforms`` contain none of the
    matching workspace platforms.  The suggestions start with those matching workspace
    platforms (``create_unsupported_selector_warning``)."""
    matching = [p for p in workspace_platforms if selector.matches(p)]
    owner = "workspace"
    if matching:
        if feature is None or feature[1] is None or any(p in feature[1] for p in matching):
            return
        owner = owner_label(feature[0])
    suggestions = list(matching)
    if selector.kind == "family":
        for name in all_subdirs():  # rattler ``Platform::all()`` order
            if selector.matches(name) and name not in suggestions:
                suggestions.append(name)
    if not suggestions and selector.kind != "glob":
        suggestions.append(str(selector))
    ctx.source.warn(
        path,
        f"The target selector '{selector}' does not match any of "
        f"the platforms supported by the {owner}",
        label="target selector specified here",
        help=_platform_add_help(selector, suggestions),
    )


def _platform_add_help(selector: TargetSelector, suggestions: list[str]) -> str:
    if selector.kind == "glob":
        return (
            f"Declare a platform whose name matches '{selector}', using "
            "`pixi workspace platform add <name>`"
        )
    if len(suggestions) == 1:
        return (
            f"Add '{suggestions[0]}' to the supported platforms, using "
            f"`pixi workspace platform add {suggestions[0]}`"
        )
    return (
        "Add one of "
        + ", ".join(f"'{s}'" for s in suggestions)
        + f" to the supported platforms, using `pixi workspace platform add {suggestions[0]}`"
    )
