"""The conda dependency tables of the workspace: ``[dependencies]``, ``[host-dependencies]``,
``[build-dependencies]`` and ``[constraints]``, at the top level, in features and in targets.

Follows ``crates/pixi_manifest/src/utils/package_map.rs`` (``deserialize_dependency_table``,
``peel_inline_package``), ``toml/target.rs`` (``TomlTarget::into_workspace_target``,
``resolve_dependency_table``) and ``utils/inheritable_package_map.rs`` (entries written
``{ workspace = true }``, see :mod:`pixiconf.manifest.inheritable`).  The first three tables are
``DependencyTable``s: an entry may carry an inline ``package = {...}`` definition
(``InlinePackageManifest::from_toml_package`` in ``target.rs``), converted once the table is
resolved.  ``[constraints]`` is an ``InheritablePackageMap``, where ``package`` is an unknown spec
key.  Pins parse in all four and are then rejected (``ResolvedPackageMap::try_into_unique`` /
``into_pixi_specs``).
"""

from __future__ import annotations

from typing import Any

from pixiconf.diagnostics import DiagnosticError
from pixiconf.manifest.context import ManifestContext
from pixiconf.manifest.inheritable import (
    check_unique,
    layer_overrides,
    not_in_workspace,
    read_workspace_marker,
    workspace_cannot_be_false,
)
from pixiconf.manifest.package import PackageDefaults, parse_package
from pixiconf.manifest.pins import parse_pin, pin_not_allowed
from pixiconf.manifest.source import KeyPath, ManifestSource
from pixiconf.manifest.specs import (
    check_package_name,
    check_spec_combinations,
    check_spec_keys,
    conda_spec,
    is_source_spec,
)

_NO_SOURCE = "an inline package definition requires a `git`, `path` or `url` source location"


def read_dependency_table(ctx: ManifestContext, path: KeyPath, raw: Any) -> dict[str, Any]:
    """One dependency table; ``path[-1]`` names it.  Returns name → spec as written
    (inherited entries resolved)."""
    src = ctx.source
    table = src.table(path, raw)
    kind = path[-1]
    result: dict[str, Any] = {}
    inline: dict[str, tuple[KeyPath, dict[str, Any]]] = {}
    pin_used: tuple[KeyPath, str] | None = None
    seen: set[str] = set()
    for name, spec in table.items():
        spec_path = (*path, name)
        check_unique(src, spec_path, name, seen)
        package = None
        if kind != "constraints" and isinstance(spec, dict) and "package" in spec:
            package = _peel_inline_package(src, (*spec_path, "package"), spec["package"])
            spec = {k: v for k, v in spec.items() if k != "package"}
        if isinstance(spec, dict) and "workspace" in spec:
            result[name] = _inherited_entry(ctx, spec_path, name, spec)
        else:
            pin = parse_pin(src, spec_path, spec) if isinstance(spec, dict) else None
            check_package_name(src, spec_path, name)
            if pin is not None:
                pin_used = pin_used or (spec_path, pin[0])
                continue
            result[name] = conda_spec(src, spec_path, spec)
            if package is not None and not is_source_spec(result[name]):
                raise src.error(spec_path, _NO_SOURCE)
        if package is not None:
            inline[name] = ((*spec_path, "package"), package)
        if is_source_spec(result[name]):
            _check_source_allowed(ctx, kind, spec_path, name)
    _finish(ctx, kind, result, inline, pin_used)
    return result


def _inherited_entry(ctx: ManifestContext, path: KeyPath, name: str, spec: dict[str, Any]) -> Any:
    """``{ workspace = true, ... }``: the pool's spec with the member's fields on top."""
    src = ctx.source
    flag, overrides = read_workspace_marker(src, path, spec)
    if overrides:
        # the overrides are a ``TomlSpec`` (unknown keys and types are rejected)
        check_spec_keys(src, path, overrides)
    if not flag:
        raise workspace_cannot_be_false(src, (*path, "workspace"))
    if name not in ctx.pool:
        raise not_in_workspace(src, path, name)
    check_package_name(src, path, name)
    return _inherit(src, path, ctx.pool[name], overrides)


def _inherit(source: ManifestSource, path: KeyPath, base: Any, overrides: dict[str, Any]) -> Any:
    """``finalize_inherited``: the layered spec is checked again as a whole
    (``TomlSpec::into_spec``)."""
    merged = layer_overrides(base, overrides)
    if not overrides:
        return merged
    try:
        check_spec_combinations(source, path, merged)
    except DiagnosticError as exc:
        raise source.error(
            (*path, "workspace"),
            "cannot apply member overrides to inherited "
            f"workspace dependency: {exc.diagnostic.message}",
        ) from None
    return merged


def _check_source_allowed(ctx: ManifestContext, kind: str, path: KeyPath, name: str) -> None:
    """A source spec is no constraint (``into_workspace_target``) and needs ``pixi-build``
    (``InheritablePackageMap::resolve``)."""
    if kind == "constraints":
        raise ctx.source.error(
            path,
            "source specifications are not supported in `[constraints]`, "
            f"but '{name}' is a source specification",
            label="source specification specified here",
            help="constraints only apply to packages resolved from channels, not source packages",
        )
    if not ctx.pixi_build:
        raise ctx.source.error(
            path,
            "conda source dependencies are not allowed without "
            "enabling the 'pixi-build' preview flag",
            label="source dependency specified here",
            help="Run `pixi workspace preview add pixi-build` to enable the preview flag",
        )


def _finish(
    ctx: ManifestContext,
    kind: str,
    result: dict[str, Any],
    inline: dict[str, tuple[KeyPath, dict[str, Any]]],
    pin_used: tuple[KeyPath, str] | None,
) -> None:
    """After the whole table: inline packages need a source (an inherited entry is only known
    once resolved), pins are rejected, then the inline packages are parsed."""
    src = ctx.source
    for name, (package_path, _) in inline.items():
        if not is_source_spec(result[name]):
            raise src.error(package_path[:-1], _NO_SOURCE)
    if pin_used is not None:
        raise pin_not_allowed(src, pin_used[0], pin_used[1], f"[{kind}]")
    for name, (package_path, package) in inline.items():
        _inline_package(ctx, package_path, name, package)


def _peel_inline_package(source: ManifestSource, path: KeyPath, raw: Any) -> dict[str, Any]:
    """``peel_inline_package``: a ``[package]`` table without ``name`` or ``build.source``."""
    package = source.table(path, raw)
    if "build" not in package:  # TomlPackage::deserialize (th.required("build"))
        raise source.error(path, "missing field 'build' in table", label="table with missing field")
    if "name" in package:
        raise source.error(
            path,
            "an inline package definition cannot set `name`; it is taken from the dependency key",
        )
    if isinstance(package["build"], dict) and "source" in package["build"]:
        raise source.error(
            path,
            "an inline package definition cannot set `build.source`; the source "
            "is taken from the dependency spec",
        )
    return package


def _inline_package(
    ctx: ManifestContext, path: KeyPath, name: str, package: dict[str, Any]
) -> None:
    """``InlinePackageManifest::from_toml_package``: the inline table as a ``[package]`` named
    after the dependency, inheriting the workspace's package properties (no defaults)."""
    parse_package(
        ctx.source,
        path,
        package,
        workspace=ctx.package_properties(),
        root=ctx.root,
        defaults=PackageDefaults(name=name),
    )
