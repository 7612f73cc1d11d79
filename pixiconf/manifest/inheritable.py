"""Dependency entries that may inherit from ``[workspace.dependencies]``: ``{ workspace = true }``
with optional extra fields layered over the workspace's spec.

Follows ``crates/pixi_manifest/src/utils/inheritable_package_map.rs``
(``parse_inheritable_entry``, ``parse_workspace_marker``,
``InheritablePackageMap::deserialize`` and ``resolve``, ``lookup_workspace_base``,
``finalize_inherited``) and ``TomlSpec::layer_overrides`` (``crates/pixi_spec/src/toml.rs``).
The workspace tables (``[dependencies]`` & co., :mod:`pixiconf.manifest.dependency_table`)
resolve an entry as they read it; the ``[package]`` tables
(:mod:`pixiconf.manifest.package_target`) keep an :class:`Inheritable` until
``TomlPackage::into_manifest`` resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pixiconf.diagnostics import DiagnosticError
from pixiconf.manifest.pins import Pin, parse_pin
from pixiconf.manifest.source import KeyPath, ManifestSource
from pixiconf.manifest.specs import (
    CONDA_SPEC_KEYS,
    check_package_name,
    conda_spec,
)

#: Fields a ``{ workspace = true }`` entry may not restate (``parse_workspace_marker``).
WORKSPACE_OWNED_FIELDS = ("version", "path", "git", "url")
#: Keys that make a table a spec of its own; overrides holding none of them are only checked
#: for unknown keys.
_SPEC_FIELDS = (
    "version",
    "build",
    "build-number",
    "file-name",
    "channel",
    "subdir",
    "md5",
    "sha256",
    "git",
    "url",
    "path",
)


@dataclass(slots=True)
class Inheritable:
    """A ``{ workspace = ... }`` marker, resolved after deserialisation."""

    flag: bool
    overrides: dict[str, Any]
    #: The ``workspace`` key, where resolution errors point.
    path: KeyPath


def check_unique(source: ManifestSource, path: KeyPath, name: str, seen: set[str]) -> None:
    """``PackageName`` keys normalise to lowercase: a second spelling is a duplicate key."""
    if name.lower() in seen:
        raise source.error(path, f"duplicate key: `{name}`", label="duplicate defined here")
    seen.add(name.lower())


def read_workspace_marker(
    source: ManifestSource, path: KeyPath, spec: dict[str, Any]
) -> tuple[bool, dict[str, Any]]:
    """``parse_workspace_marker``: the flag and the other fields (the overrides).  ``false``
    stands alone; the location and version belong to the workspace's spec."""
    flag = source.expect((*path, "workspace"), spec["workspace"], bool, "a boolean")
    overrides = {k: v for k, v in spec.items() if k != "workspace"}
    if not flag and overrides:
        raise source.error(path, "`workspace = false` cannot be combined with other fields")
    for owned in WORKSPACE_OWNED_FIELDS:
        if owned in overrides:
            raise source.error((*path, owned), f"`{owned}` is mutually exclusive with `workspace`")
    return flag, overrides


def workspace_cannot_be_false(source: ManifestSource, path: KeyPath) -> DiagnosticError:
    """``InheritablePackageMap::resolve`` for ``{ workspace = false }``."""
    return source.error(
        path,
        "`workspace` cannot be false",
        help="Remove the `workspace = false` entry; inheritance from the workspace is opt-in.",
    )


def not_in_workspace(source: ManifestSource, path: KeyPath, name: str) -> DiagnosticError:
    """``lookup_workspace_base``: the workspace has no such entry."""
    return source.error(
        path,
        f"the workspace does not define `{name}` in `[workspace.dependencies]`",
        help="Add the package to `[workspace.dependencies]` in the workspace `pixi.toml`.",
    )


def pool_entry(pool: dict[str, Any], name: str) -> Any:
    """The ``[workspace.dependencies]`` spec of ``name`` (a ``PackageName``: any case) or
    ``None``."""
    return next((v for k, v in pool.items() if k.lower() == name.lower()), None)


def layer_overrides(base: Any, overrides: dict[str, Any]) -> Any:
    """``TomlSpec::layer_overrides``: the workspace spec with the member's extra fields."""
    if not overrides:
        return base
    merged = {"version": base} if isinstance(base, str) else dict(base)
    merged.update(overrides)
    return merged


# -- [package] tables ---------------------------------------------------------------------


def read_inheritable_map(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    """``InheritablePackageMap::deserialize``: names are checked, entries parsed."""
    table = source.table(path, value)
    result: dict[str, Any] = {}
    seen: set[str] = set()
    for name, spec in table.items():
        spec_path = (*path, name)
        check_package_name(source, spec_path, name)
        check_unique(source, spec_path, name, seen)
        result[name] = read_inheritable_entry(source, spec_path, spec)
    return result


def read_inheritable_entry(source: ManifestSource, path: KeyPath, value: Any) -> Any:
    """``parse_inheritable_entry``: a version string, a workspace marker, a pin or a spec."""
    if isinstance(value, dict):
        if "workspace" in value:
            flag, overrides = read_workspace_marker(source, path, value)
            if flag and overrides:
                check_overrides(source, path, overrides)
            return Inheritable(flag, overrides if flag else {}, (*path, "workspace"))
        pin = parse_pin(source, path, value)  # package_dependency_spec.rs, pixi_spec pin.rs
        if pin is not None:
            return Pin(*pin)
    return conda_spec(source, path, value)


def check_overrides(source: ManifestSource, path: KeyPath, overrides: dict[str, Any]) -> Any:
    """The fields next to ``workspace = true``: a partial ``TomlSpec``.  Without any field that
    makes a spec of its own they only have to be known keys; otherwise the spec is checked."""
    if not any(k in overrides for k in _SPEC_FIELDS):
        t = source.reader(path, overrides)
        for key in CONDA_SPEC_KEYS:
            t.optional(key)
        t.finalize()
        return dict(overrides)
    return conda_spec(source, path, overrides)


def resolve_inherited(
    source: ManifestSource, pool: dict[str, Any], name: str, spec: Inheritable
) -> Any:
    """``InheritablePackageMap::resolve`` of one marker: the pool's spec, overrides layered."""
    if not spec.flag:
        raise workspace_cannot_be_false(source, spec.path)
    base = pool_entry(pool, name)
    if base is None:
        raise not_in_workspace(source, spec.path, name)
    return layer_overrides(base, spec.overrides)
