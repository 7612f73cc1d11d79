"""Platforms: the ``[workspace] platforms`` list and the deprecated ``[system-requirements]``
tables, whose warning suggests virtual packages on ``platforms`` instead.

Follows ``crates/pixi_manifest/src/toml/platform.rs`` (``impl Deserialize for TomlPixiPlatform``,
``system_requirements_as_platforms`` and its ``FRIENDLY_VIRTUAL_PACKAGES``) and
``crates/pixi_manifest/src/system_requirements.rs`` (``to_declared_virtual_packages``,
``virtual_package_applies_to_subdir``); the warning text is ``warning/deprecation.rs``.
"""

from __future__ import annotations

from typing import Any

from pixiconf.diagnostics import UnsupportedOperation
from pixiconf.manifest.selectors import subdir, subdir_error
from pixiconf.manifest.source import KeyPath, ManifestSource, toml_type_name
from pixiconf.manifest.tables import parse_system_requirements

# ``FRIENDLY_VIRTUAL_PACKAGES`` order (archspec/windows never come from sysreqs).
_FRIENDLY_VIRTUAL_PACKAGES = (
    ("cuda", "__cuda"),
    ("archspec", "__archspec"),
    ("glibc", "__glibc"),
    ("linux", "__linux"),
    ("macos", "__osx"),
    ("windows", "__win"),
)


def parse_platform_list(src: ManifestSource, path: KeyPath, value: Any) -> list[str]:
    """``[workspace] platforms``: ``TomlPixiPlatform`` entries, conda subdirs, no duplicates."""
    names: list[str] = []
    for i, item in enumerate(src.array(path, value)):
        item_path = (*path, str(i))
        if isinstance(item, dict):
            raise UnsupportedOperation(
                "platform entries written as tables (rich platforms with virtual packages) "
                "are not modelled by the reference yet"
            )
        if not isinstance(item, str):  # ``TomlPixiPlatform``: a string or a table
            raise src.error(item_path, f"expected a string or table, found {toml_type_name(item)}")
        name = item
        if subdir(name) is None:
            raise src.error(item_path, subdir_error(name))
        if name in names:
            raise src.error(item_path, f"duplicate key: `{name}`", label="duplicate key")
        names.append(name)
    return names


def read_system_requirements(
    src: ManifestSource, path: KeyPath, value: Any, subdirs: list[str]
) -> dict[str, Any]:
    """A ``[system-requirements]`` table; a non-empty one is deprecated.  ``subdirs`` are the
    workspace platforms the suggestion is written for (none for a feature: ``TomlFeature``
    is deserialised without the workspace)."""
    sysreqs = parse_system_requirements(src, path, value)
    if sysreqs:
        src.warn(
            path,
            "the `[system-requirements]` table is deprecated in favor of "
            "virtual packages on `platforms`",
            label="declare these on the `platforms` entries instead",
            help="e.g. " + _sysreqs_as_platforms(sysreqs, subdirs),
        )
    return sysreqs


def _sysreq_candidates(sysreqs: dict[str, Any]) -> list[tuple[str, str]]:
    """``SystemRequirements::to_declared_virtual_packages``: (virtual package, version)."""
    candidates: list[tuple[str, str]] = []
    for key, conda in (("linux", "__linux"), ("cuda", "__cuda"), ("macos", "__osx")):
        if sysreqs.get(key) is not None:
            candidates.append((conda, sysreqs[key]))
    libc = sysreqs.get("libc")
    if libc is not None:
        family, version = (
            (libc.get("family") or "glibc", libc["version"])
            if isinstance(libc, dict)
            else ("glibc", libc)
        )
        candidates.append((f"__{family}", version))
    return candidates


def _applies_to_subdir(name: str, subdir_name: str) -> bool:
    """``virtual_package_applies_to_subdir``."""
    linux, osx = subdir_name.startswith("linux-"), subdir_name.startswith("osx-")
    if name in ("__linux", "__glibc", "__musl", "__eglibc"):
        return linux
    if name == "__osx":
        return osx
    if name == "__cuda":
        return not osx
    return True


def _sysreqs_as_platforms(sysreqs: dict[str, Any], subdirs: list[str]) -> str:
    """The help of the deprecation: ``system_requirements_as_platforms``, one entry per subdir
    with the virtual packages that apply to it; no subdirs falls back to ``linux-64``."""
    candidates = _sysreq_candidates(sysreqs)
    friendly_names = {c for _, c in _FRIENDLY_VIRTUAL_PACKAGES}
    entries = []
    for subdir_name in dict.fromkeys(subdirs or ["linux-64"]):
        applies = [(n, v) for n, v in candidates if _applies_to_subdir(n, subdir_name)]
        versions = dict(applies)
        friendly = [
            f'{key} = "{versions[conda]}"'
            for key, conda in _FRIENDLY_VIRTUAL_PACKAGES
            if conda in versions
        ]
        raw = [f'{n} = "{v}"' for n, v in sorted(applies) if n not in friendly_names]
        pairs = friendly + raw
        entries.append(
            f'{{ name = "my-{subdir_name}", platform = "{subdir_name}", {", ".join(pairs)} }}'
            if pairs
            else f'"{subdir_name}"'
        )
    return f"platforms = [{', '.join(entries)}]"
