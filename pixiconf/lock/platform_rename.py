"""Lock platform names: short aliases on save, manifest names on load.

Sources (pixi 0.77, ``crates/pixi_core/src/lock_file/platform_rename.rs``):

* ``shorten_platform_names`` (called by ``LockFileDerivedData::write_to_disk`` in
  ``update.rs``): before ``pixi.lock`` is written, every workspace platform that is *not* a
  subdir platform (its name differs from its subdir, e.g. the ``linux-64-cuda-12-0`` that
  ``[system-requirements]`` synthesise) is renamed ``p1``, ``p2``, ... numbered in the order of
  ``workspace.platforms`` (subdir platforms are skipped and keep their name).  That order is
  the one pixi's manifest loader builds: the platforms the features point at, feature by
  feature (``migrate_system_requirements_to_platforms``), then the uncovered subdirs, then the
  platforms composed per environment and per solve group (``register_composed_platforms``);
  every registered platform takes a number, also one no environment ends up using.  The alias
  replaces the name in ``platforms[].name`` and in each environment's ``packages`` keys;
  ``subdir`` is then written because the name no longer equals it.
* ``align_platform_names`` (when the lock file is loaded, before the satisfiability check):
  a locked platform is renamed to the one workspace platform with the same subdir and the
  same customised virtual packages (the subdir defaults left out, compared by name), unless
  that name is taken in the lock or the locked name already is a manifest name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pixiconf.lock.read import LockedPlatform, PixiLock
from pixiconf.lock.virtual_packages import LockPlatform, VirtualPackage, subdir_defaults

__all__ = [
    "align_platform_names",
    "customised",
    "is_subdir_default",
    "parse_locked_virtual_package",
    "shorten_platform_names",
]


def shorten_platform_names(declared: Sequence[LockPlatform]) -> dict[str, str]:
    """``shorten_platform_names``: workspace name → ``pN`` for every platform that is not a
    subdir platform, numbered from 1 in the order of ``declared`` (pixi's
    ``workspace.platforms``; a name met twice keeps its first number)."""
    aliases: dict[str, str] = {}
    for platform in declared:
        if platform.name == platform.subdir or platform.name in aliases:
            continue
        aliases[platform.name] = f"p{len(aliases) + 1}"
    return aliases


def parse_locked_virtual_package(raw: str) -> VirtualPackage | None:
    """``parse_locked_virtual_package``: ``name=version[=build]``; ``None`` if unparsable."""
    from rattler import Version

    parts = raw.split("=", 2)
    if len(parts) < 2:
        return None
    try:
        Version(parts[1])
    except Exception:
        return None
    return VirtualPackage(parts[0], parts[1], parts[2] if len(parts) > 2 else "")


def is_subdir_default(vp: VirtualPackage, subdir: str) -> bool:
    """``pixi_manifest::platform::is_subdir_default``."""
    return any(vp.same(default) for default in subdir_defaults(subdir))


def customised(platform: LockPlatform) -> list[VirtualPackage]:
    """The declared virtual packages that are not subdir defaults: a platform's identity."""
    return [vp for vp in platform.virtual_packages if not is_subdir_default(vp, platform.subdir)]


def _locked_customised(platform: LockedPlatform) -> list[VirtualPackage]:
    parsed = [parse_locked_virtual_package(raw) for raw in platform.virtual_packages]
    return sorted(
        (vp for vp in parsed if vp is not None and not is_subdir_default(vp, platform.subdir)),
        key=lambda vp: vp.name,
    )


def _same_vps(a: Sequence[VirtualPackage], b: Sequence[VirtualPackage]) -> bool:
    return len(a) == len(b) and all(x.same(y) for x, y in zip(a, b, strict=True))


def align_platform_names(lock: PixiLock, declared: Sequence[LockPlatform]) -> PixiLock:
    """``align_platform_names``: rename locked platforms (``p1``, an old name) to the one
    workspace platform with the same subdir and customised virtual packages."""
    locked_names = {p.name for p in lock.platforms}
    manifest_names = {p.name for p in declared}
    renames: dict[str, str] = {}
    for locked in lock.platforms:
        identity = _locked_customised(locked)
        matching = [
            p
            for p in declared
            if p.subdir == locked.subdir
            and _same_vps(sorted(customised(p), key=lambda vp: vp.name), identity)
        ]
        if len(matching) != 1:
            continue
        target = matching[0].name
        if target == locked.name or target in locked_names or locked.name in manifest_names:
            continue
        renames[locked.name] = target
    if not renames:
        return lock
    environments = {}
    for name, env in lock.environments.items():
        environments[name] = replace(
            env,
            conda={renames.get(k, k): v for k, v in env.conda.items()},
            pypi={renames.get(k, k): v for k, v in env.pypi.items()},
        )
    platforms = [replace(p, name=renames.get(p.name, p.name)) for p in lock.platforms]
    return PixiLock(lock.version, platforms, environments, lock.lock_file)
