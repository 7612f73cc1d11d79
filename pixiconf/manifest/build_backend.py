"""``[package.build]``: the build backend, its channels and extra dependencies, the source,
``config`` and ``[package.build.target.<selector>]``.

Follows ``crates/pixi_manifest/src/toml/build_backend.rs`` (``impl Deserialize for
TomlPackageBuild`` and ``TomlBuildBackend``, ``TomlPackageBuild::into_build_system``,
``spec_from_spanned_toml_location``), ``toml/build_target.rs`` (``TomlPackageBuildTarget``) and
``utils/inheritable_package_map.rs`` (``resolve_inherited_backend_spec``, ``into_direct``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pixiconf.manifest.inheritable import (
    WORKSPACE_OWNED_FIELDS,
    check_overrides,
    layer_overrides,
    not_in_workspace,
    pool_entry,
)
from pixiconf.manifest.location_spec import location_error, read_location_table
from pixiconf.manifest.pins import parse_pin
from pixiconf.manifest.selectors import TargetSelector, read_selector, reject_glob_in_package
from pixiconf.manifest.source import KeyPath, ManifestSource, Table
from pixiconf.manifest.specs import check_package_name, conda_spec, is_source_spec

#: rattler ``is_valid_record_flag``.
_RECORD_FLAG = re.compile(r"\A[a-z0-9_]+(:[a-z0-9_]+)?\Z")
_NO_CHANNELS = "No channels specified for the build backend dependencies"


@dataclass(slots=True)
class Backend:
    name: str
    #: The backend spec as written (``"*"`` when only a name is given).
    spec: Any = "*"


@dataclass(slots=True)
class PackageBuild:
    backend: Backend
    channels: list[str] | None = None
    additional_dependencies: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] | None = None
    #: ``[package.build.config]`` as written (``None`` when absent).
    config: Any = None
    #: ``[package.build.target.<selector>.config]`` in manifest order (targets without a
    #: ``config`` are dropped, like ``into_build_system`` does).
    target_config: list[tuple[TargetSelector, Any]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    build_string_prefix: str | None = None
    build_number: int | None = None
    #: A ``BTreeSet``: sorted and unique.
    secrets: list[str] = field(default_factory=list)


def parse_build(
    src: ManifestSource, path: KeyPath, value: Any, pool: dict[str, Any]
) -> PackageBuild:
    """``TomlPackageBuild::deserialize`` then ``into_build_system``; ``pool`` is
    ``[workspace.dependencies]`` for a backend written ``{ workspace = true }``."""
    t = src.reader(path, value)
    backend = t.required("backend", lambda p, v: _backend(src, p, v, pool))
    channels = t.optional("channels", lambda p, v: _channels(src, p, v))
    additional = t.optional("additional-dependencies", lambda p, v: _binary_map(src, p, v)) or {}
    source = t.optional("source", lambda p, v: _build_source(src, p, v))
    flags = t.optional("flags", lambda p, v: _flags(src, p, v)) or []
    config = _read_config(src, t, path)
    target_raw = t.optional("target")
    prefix = t.optional("build-string-prefix", src.string)
    number = t.optional("build-number", lambda p, v: _build_number(src, p, v))
    # ``TomlBTreeSet<String>``: pixi_toml says ``expected array``.
    secrets = t.optional("secrets", lambda p, v: src.strings(p, src.expect(p, v, list, "array")))
    t.finalize()

    backend_name, backend_spec, backend_channels, backend_additional = backend
    # ``into_build_system``: the backend's own channels win over ``[package.build] channels``.
    if backend_channels is not None:
        if not backend_channels:
            raise src.error((*path, "backend", "channels"), _NO_CHANNELS)
        channels_used = backend_channels
    elif channels is not None:
        if not channels:
            raise src.error((*path, "channels"), _NO_CHANNELS)
        channels_used = channels
    else:
        channels_used = None
    target_config = (
        _target_config(src, (*path, "target"), target_raw) if target_raw is not None else []
    )
    return PackageBuild(
        backend=Backend(backend_name, backend_spec),
        channels=channels_used,
        additional_dependencies=backend_additional or additional,
        source=source,
        config=config,
        target_config=target_config,
        flags=flags,
        build_string_prefix=prefix,
        build_number=number,
        secrets=sorted(set(secrets or [])),
    )


def _read_config(src: ManifestSource, t: Table, path: KeyPath) -> Any:
    """``config``, or its deprecated name ``configuration`` (a warning)."""
    config = t.optional("config")
    if config is None and t.contains("configuration"):
        config = t.remaining.pop("configuration")
        src.warn(
            (*path, "configuration"),
            "The `configuration` field is deprecated. Use `config` instead.",
            label="replace this with 'config'",
        )
    return config


def _target_config(
    src: ManifestSource, path: KeyPath, value: Any
) -> list[tuple[TargetSelector, Any]]:
    """``[package.build.target.<selector>]`` (``TomlPackageBuildTarget``): only ``config``."""
    target_config: list[tuple[TargetSelector, Any]] = []
    for key, item in src.table(path, value).items():
        sel_path = (*path, key)
        selector = read_selector(src, sel_path, key)
        tt = src.reader(sel_path, item)
        item_config = _read_config(src, tt, sel_path)
        tt.finalize()
        reject_glob_in_package(src, sel_path, selector)
        if item_config is not None:
            target_config.append((selector, item_config))
    return target_config


def _backend(
    src: ManifestSource, path: KeyPath, value: Any, pool: dict[str, Any]
) -> tuple[str, Any, list[str] | None, dict[str, Any]]:
    """``TomlBuildBackend::deserialize``: own keys first, the rest is a ``TomlSpec``."""
    table = src.table(path, value)
    t = Table(src, path, table)
    name = t.required("name", src.from_str)
    check_package_name(src, (*path, "name"), name)
    channels = t.optional("channels", lambda p, v: _channels(src, p, v))
    additional = t.optional("additional-dependencies", lambda p, v: _binary_map(src, p, v)) or {}
    marker = t.optional("workspace", src.boolean)
    remaining = dict(t.remaining)
    if marker is False:
        raise src.error(
            (*path, "workspace"),
            "`workspace` cannot be false; inheritance from the workspace is opt-in",
        )
    if marker is True:
        # ``resolve_inherited_backend_spec``: the errors point at the ``workspace`` key.
        for owned in WORKSPACE_OWNED_FIELDS:
            if owned in remaining:
                raise src.error(
                    (*path, "workspace"), f"`{owned}` is mutually exclusive with `workspace`"
                )
        base = pool_entry(pool, name)
        if base is None:
            raise not_in_workspace(src, (*path, "workspace"), name)
        if remaining:
            check_overrides(src, path, remaining)
        spec = layer_overrides(base, remaining)
    elif remaining:
        spec = conda_spec(src, path, remaining)
    else:
        spec = "*"
    if is_source_spec(spec):
        raise src.error(path, "build backends cannot be defined as source dependencies")
    return name, spec, channels, additional


def _channels(src: ManifestSource, path: KeyPath, value: Any) -> list[str]:
    # ``TomlWith<_, Vec<TomlFromStr<_>>>``: pixi_toml's ``Vec`` says ``expected array``.
    items = src.expect(path, value, list, "array")
    return [src.from_str((*path, str(i)), item) for i, item in enumerate(items)]


def _binary_map(src: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    """A ``UniquePackageMap``: entries parse like any dependency, then
    ``InheritablePackageMap::into_direct`` rejects pins and ``workspace`` markers."""
    result: dict[str, Any] = {}
    for name, spec in src.table(path, value).items():
        spec_path = (*path, name)
        check_package_name(src, spec_path, name)
        if isinstance(spec, dict) and "workspace" in spec:
            src.expect((*spec_path, "workspace"), spec["workspace"], bool, "a boolean")
            raise src.error(
                (*spec_path, "workspace"),
                "`workspace` inheritance is not supported in this table",
            )
        if isinstance(spec, dict) and parse_pin(src, spec_path, spec) is not None:
            raise src.error(
                spec_path,
                "`pin-subpackage` and `pin-compatible` are only supported "
                "in package dependency tables",
            )
        result[name] = conda_spec(src, spec_path, spec)
    return result


def _build_source(src: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    """``spec_from_spanned_toml_location``: a location, the ``SourceSpecError`` unwrapped."""
    table = read_location_table(src, path, value)
    error = location_error(table)
    if error is not None:
        raise src.error(path, error)
    if "git" in table and "lfs" in table:
        raise src.error(path, "`lfs` is not supported for build sources")
    return table


def _build_number(src: ManifestSource, path: KeyPath, value: Any) -> int:
    """An ``Option<u64>``: toml-span's integer deserialiser names the Rust type."""
    number = src.expect(path, value, int, "u64")
    if not 0 <= number < 2**64:
        raise src.error(path, "out of range of 'u64'")
    return number


def _flags(src: ManifestSource, path: KeyPath, value: Any) -> list[str]:
    """``TomlWith<_, Vec<TomlFromStr<Flag>>>``: rattler ``Flag::from_str`` (``flags.rs``)."""
    items = src.expect(path, value, list, "array")
    flags = []
    for i, item in enumerate(items):
        flag = src.from_str((*path, str(i)), item)
        if not _RECORD_FLAG.match(flag):
            raise src.error(
                (*path, str(i)),
                f"'{flag}' is not a valid flag. Flags must match ^[a-z0-9_]+(:[a-z0-9_]+)?$",
            )
        flags.append(flag)
    return flags
