"""What pixi passes to a build backend as variants: backend defaults, variant files, inline
``[workspace.build-variants]`` and the derived ``c_stdlib`` keys.

pixi ``2b25fc76``: ``pixi_build_backend/src/intermediate_backend.rs::conda_outputs``
(backend defaults < variant files < the variants pixi passes), defaults from
``pixi_build_backend/src/compilers.rs::default_compiler_variants``;
``pixi_core/src/workspace/mod.rs::Workspace::variants`` (inline ``build-variants``, most
specific target first, ``or_insert``; then ``c_stdlib``/``c_stdlib_version`` derived in
``stdlib_variants.rs``; then the variant files).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pixiconf.pixibuild.platforms import is_linux, is_osx, is_windows
from pixiconf.pixibuild.variant_config import VariantConfig
from pixiconf.pixibuild.variant_files import load_variant_files

__all__ = [
    "DEFAULT_GLIBC",
    "DEFAULT_OSX",
    "default_variants",
    "derive_stdlib_variants",
    "resolve_inline_variants",
    "workspace_variant_config",
]


def default_variants(platform: str) -> VariantConfig:
    """``default_compiler_variants``: vs2022 C/C++ on Windows; cuda-nvcc on Linux and Windows."""
    config = VariantConfig()
    if is_windows(platform):
        config.insert("c_compiler", ["vs2022"])
        config.insert("cxx_compiler", ["vs2022"])
    if is_linux(platform) or is_windows(platform):
        config.insert("cuda_compiler", ["cuda-nvcc"])
    return config


#: ``subdir_default_virtual_packages``: ``__glibc`` on Linux, ``__osx`` on macOS.
DEFAULT_GLIBC = "2.28"
DEFAULT_OSX = "13.0"


def _channel_is_conda_forge(channel: str) -> bool:
    # stdlib_variants.rs channels_target_conda_forge: the last non-empty path segment of the
    # channel's base URL.  A bare name resolves below the channel alias, so its last segment
    # is its own last segment.
    text = channel.strip()
    if "://" in text:
        text = text.split("://", 1)[1]
        text = text.split("/", 1)[1] if "/" in text else ""
    text = text.split("?", 1)[0].split("#", 1)[0]
    segments = [s for s in text.replace("\\", "/").split("/") if s]
    return bool(segments) and segments[-1] == "conda-forge"


def derive_stdlib_variants(
    platform: str, channels: Iterable[str], *, glibc: str = DEFAULT_GLIBC, osx: str = DEFAULT_OSX
) -> list[tuple[str, str]]:
    """``derive_stdlib_variants`` (exact pin): ``c_stdlib``/``c_stdlib_version`` from the
    platform's ``__glibc``/``__osx``, truncated to major.minor; only with a conda-forge
    channel; nothing on Windows or other platforms."""
    if not any(_channel_is_conda_forge(c) for c in channels):
        return []
    if is_osx(platform):
        provider, version = "macosx_deployment_target", osx
    elif is_linux(platform):
        provider, version = "sysroot", glibc
    else:
        return []
    version = ".".join(version.split(".")[:2])
    return [("c_stdlib", provider), ("c_stdlib_version", version)]


def resolve_inline_variants(
    default: Mapping[str, Sequence[str]] | None,
    targets: Sequence[tuple[Any, Mapping[str, Sequence[str]] | None]],
    platform: str,
) -> dict[str, list[str]]:
    """``[workspace.build-variants]`` for ``platform``: the matching targets, last written first,
    then the default table; a key keeps the value of the first table that sets it."""
    tables = [default or {}] + [t or {} for sel, t in targets if sel.matches(platform)]
    resolved: dict[str, list[str]] = {}
    for table in reversed(tables):
        for key, values in table.items():
            resolved.setdefault(key, list(values))
    return resolved


def workspace_variant_config(
    *,
    platform: str,
    build_variants: Mapping[str, Sequence[str]] | None,
    build_variant_targets: Sequence[tuple[Any, Any]] = (),
    variant_files: Sequence[Path] = (),
    channels: Iterable[str] = (),
    file_display: Callable[[Path], str] = str,
    env: Mapping[str, str] | None = None,
) -> VariantConfig:
    """The configuration a build backend renders with: backend defaults < variant files <
    inline build-variants (+ derived ``c_stdlib``), ``zip_keys`` from the files."""
    inline = resolve_inline_variants(build_variants, build_variant_targets, platform)
    for key, value in derive_stdlib_variants(platform, channels):
        inline.setdefault(key, [value])
    config = default_variants(platform)
    config.merge(load_variant_files(list(variant_files), platform, display=file_display, env=env))
    # pixi passes a BTreeMap<String, ...>: converted key by key in string order, so of two
    # spellings of one key the one sorting last wins.
    for key in sorted(inline):
        config.insert(key, inline[key])
    return config
