"""pixi's platforms and their virtual packages, as the lock flow sees them.

Sources (pixi 0.77):

* ``crates/pixi_manifest/src/platform.rs``: ``subdir_default_virtual_packages`` (``__unix=0=0``
  on unix subdirs, ``__linux=4.18`` and ``__glibc=2.28`` on linux, ``__win=10.0`` on windows,
  ``__osx=13.0`` on macOS, ``__archspec=0=<minimal microarchitecture>``),
  ``PixiPlatform::new_with_defaults`` / ``merge_subdir_defaults`` (declared packages first, then
  the defaults whose name is not declared; a declared libc replaces ``__glibc``);
* ``crates/pixi_default_versions/src/lib.rs`` (the default versions);
* ``crates/pixi_manifest/src/system_requirements.rs``: ``to_declared_virtual_packages``
  (linux, cuda, macos, libc; ``archspec`` is deprecated and ignored) and
  ``virtual_package_applies_to_subdir`` (``__cuda`` never on macOS);
* ``crates/pixi_manifest/src/toml/manifest.rs``: ``migrate_system_requirements_to_platforms``
  (a feature with ``[system-requirements]`` points at one synthesised platform per subdir,
  e.g. ``linux-64-cuda-12-0``; uncovered subdirs keep their bare platform; ``pixi.lock``
  writes these under short aliases, :mod:`.platform_rename`);
* ``crates/pixi_manifest/src/platform_composition.rs``: an environment (or solve group)
  pinning several platforms on one subdir gets a platform composed from the union of their
  customised virtual packages (highest version wins, ordered by name);
* ``crates/pixi_manifest/src/toml/platform.rs``: ``synthesize_name_string``;
* ``crates/pixi_core/src/workspace/virtual_packages.rs``: ``get_minimal_virtual_packages``
  (what the solver gets: the typed rattler virtual packages, e.g. ``__archspec=1=x86_64``).

The reference models subdir platforms only (rich platform tables are unsupported by the
manifest parser), so pixi's ``use_platform_composition`` path is the one implemented here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rattler import BuildString, GenericVirtualPackage, PackageName, Subdir, Version

__all__ = [
    "LockPlatform",
    "PlatformModel",
    "VirtualPackage",
    "applies_to_subdir",
    "platform_with_defaults",
    "solver_virtual_packages",
    "subdir_defaults",
    "synthesize_name",
    "system_requirement_packages",
]

DEFAULT_LINUX = "4.18"
DEFAULT_GLIBC = "2.28"
DEFAULT_WINDOWS = "10.0"
DEFAULT_MACOS = "13.0"
LIBC_NAMES = ("__glibc", "__musl", "__eglibc")

#: ``Archspec::from_platform`` (rattler_virtual_packages): the minimal microarchitecture.
_ARCHSPEC = {
    "win-32": "x86",
    "linux-32": "x86",
    "win-64": "x86_64",
    "osx-64": "x86_64",
    "linux-64": "x86_64",
    "linux-aarch64": "aarch64",
    "linux-armv6l": "aarch64",
    "linux-armv7l": "aarch64",
    "linux-loongarch64": "loongarch64",
    "linux-ppc64le": "ppc64le",
    "linux-ppc64": "ppc64",
    "linux-s390x": "s390x",
    "linux-riscv32": "riscv32",
    "linux-riscv64": "riscv64",
    "win-arm64": "aarch64",
    "osx-arm64": "m1",
}

#: ``FRIENDLY_VIRTUAL_PACKAGES`` of ``toml/platform.rs``: key order of synthesised names.
_FRIENDLY = (
    ("cuda", "__cuda", "version"),
    ("archspec", "__archspec", "microarch"),
    ("glibc", "__glibc", "version"),
    ("linux", "__linux", "version"),
    ("macos", "__osx", "version"),
    ("windows", "__win", "version"),
)


@dataclass(frozen=True, slots=True)
class VirtualPackage:
    """A declared virtual package: ``name=version`` or ``name=version=build``."""

    name: str
    version: str
    build: str = ""

    def __str__(self) -> str:  # ``GenericVirtualPackage`` Display
        return f"{self.name}={self.version}" + (f"={self.build}" if self.build else "")

    def same(self, other: VirtualPackage) -> bool:
        """Equal as pixi compares them (rattler ``Version`` equality ignores trailing zeros)."""
        return (
            self.name == other.name
            and self.build == other.build
            and Version(self.version) == Version(other.version)
        )


@dataclass(frozen=True, slots=True)
class LockPlatform:
    """A workspace platform (``PixiPlatform``): a name, a subdir, its virtual packages."""

    name: str
    subdir: str
    virtual_packages: tuple[VirtualPackage, ...]

    @property
    def lock_virtual_packages(self) -> list[str]:
        """As written under ``platforms[].virtual-packages`` of ``pixi.lock``."""
        return [str(vp) for vp in self.virtual_packages]


def subdir_defaults(subdir: str) -> tuple[VirtualPackage, ...]:
    """``subdir_default_virtual_packages``: what pixi assumes of a bare subdir."""
    platform = Subdir(subdir)
    defaults: list[VirtualPackage] = []
    if platform.is_unix:
        defaults.append(VirtualPackage("__unix", "0", "0"))
    if platform.is_linux:
        defaults += [
            VirtualPackage("__linux", DEFAULT_LINUX),
            VirtualPackage("__glibc", DEFAULT_GLIBC),
        ]
    if platform.is_windows:
        defaults.append(VirtualPackage("__win", DEFAULT_WINDOWS))
    if platform.is_osx:
        defaults.append(VirtualPackage("__osx", DEFAULT_MACOS))
    if subdir in _ARCHSPEC:
        defaults.append(VirtualPackage("__archspec", "0", _ARCHSPEC[subdir]))
    return tuple(defaults)


def _is_default(vp: VirtualPackage, subdir: str) -> bool:
    return any(vp.same(d) for d in subdir_defaults(subdir))


def system_requirement_packages(sysreqs: Mapping[str, Any]) -> list[VirtualPackage]:
    """``SystemRequirements::to_declared_virtual_packages``: linux, cuda, macos, libc."""
    out = []
    for key, name in (("linux", "__linux"), ("cuda", "__cuda"), ("macos", "__osx")):
        if sysreqs.get(key) is not None:
            out.append(VirtualPackage(name, str(sysreqs[key])))
    libc = sysreqs.get("libc")
    if libc is not None:
        if isinstance(libc, Mapping):
            out.append(VirtualPackage(f"__{libc.get('family') or 'glibc'}", str(libc["version"])))
        else:
            out.append(VirtualPackage("__glibc", str(libc)))
    return out


def applies_to_subdir(name: str, subdir: str) -> bool:
    """``virtual_package_applies_to_subdir``."""
    platform = Subdir(subdir)
    if name in ("__linux", *LIBC_NAMES):
        return platform.is_linux
    if name == "__osx":
        return platform.is_osx
    if name == "__cuda":
        return not platform.is_osx
    return True


def _segment(text: str) -> str:
    """``sanitize_name_segment``: runs of non-alphanumerics become one ``-``, trimmed."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def synthesize_name(subdir: str, declared: Sequence[VirtualPackage]) -> str:
    """``synthesize_name_string``: the subdir, then the customised packages, friendly keys
    first (in ``FRIENDLY_VIRTUAL_PACKAGES`` order), then the others by name."""
    customised = [vp for vp in declared if not _is_default(vp, subdir)]
    parts = [subdir]
    consumed: set[str] = set()
    for key, conda_name, kind in _FRIENDLY:
        package = next((vp for vp in customised if vp.name == conda_name), None)
        if package is None:
            continue
        if kind == "version":
            if package.build not in ("", "0"):
                continue
            value = package.version
        else:
            if Version(package.version) != Version("0") or not package.build:
                continue
            value = package.build
        consumed.add(conda_name)
        parts.append(f"{key}-{_segment(value)}")
    for package in sorted(
        (vp for vp in customised if vp.name not in consumed), key=lambda vp: vp.name
    ):
        value = (
            package.version if package.build in ("", "0") else f"{package.version}={package.build}"
        )
        parts.append(f"{_segment(package.name.lstrip('_'))}-{_segment(value)}")
    return "-".join(parts)


def platform_with_defaults(
    name: str, subdir: str, declared: Sequence[VirtualPackage]
) -> LockPlatform:
    """``PixiPlatform::new_with_defaults``: the bare subdir platform when ``name == subdir``,
    else the declared packages followed by the defaults they do not name."""
    if name == subdir:
        return LockPlatform(subdir, subdir, subdir_defaults(subdir))
    packages = list(declared)
    has_libc = any(vp.name in LIBC_NAMES for vp in packages)
    for default in subdir_defaults(subdir):
        if default.name == "__glibc" and has_libc:
            continue
        if any(vp.name == default.name for vp in packages):
            continue
        packages.append(default)
    return LockPlatform(name, subdir, tuple(packages))


class PlatformModel:
    """The workspace platforms after pixi's ``[system-requirements]`` migration.

    ``pins[feature]`` is the list of platform names a feature references (``None``: every
    subdir); ``platforms`` maps every registered name to its :class:`LockPlatform`.
    """

    def __init__(self, subdirs: Sequence[str], features: Iterable[Any]) -> None:
        self.subdirs: list[str] = list(dict.fromkeys(subdirs))
        self.platforms: dict[str, LockPlatform] = {
            s: LockPlatform(s, s, subdir_defaults(s)) for s in self.subdirs
        }
        self.pins: dict[str, list[str] | None] = {}
        self.migrated = False
        for feature in features:
            self.migrated |= bool(feature.system_requirements)
            self.pins[feature.name] = self._migrate(feature)

    def _migrate(self, feature: Any) -> list[str] | None:
        """``synthesise_for_feature`` for a feature with system requirements."""
        sysreqs = feature.system_requirements or {}
        candidates = system_requirement_packages(sysreqs)
        if not candidates:
            return None if feature.platforms is None else list(feature.platforms)
        names: list[str] = []
        for subdir in feature.platforms if feature.platforms is not None else self.subdirs:
            declared = [vp for vp in candidates if applies_to_subdir(vp.name, subdir)]
            name = synthesize_name(subdir, declared)
            if name not in self.platforms:
                self.platforms[name] = platform_with_defaults(name, subdir, declared)
            if name not in names:
                names.append(name)
        return names

    def workspace_platforms(self, composed: Iterable[LockPlatform]) -> list[LockPlatform]:
        """pixi's ``workspace.platforms``, in its order, given the platforms of every
        environment and then every solve group (``composed``, in that order).

        Without system requirements: the workspace subdirs.  Otherwise
        ``migrate_system_requirements_to_platforms`` rebuilds the list from the platforms the
        features point at (feature by feature), then the original subdirs no feature covers,
        and ``register_composed_platforms`` appends the platforms composed per environment and
        solve group; a name already present keeps its place (an ``IndexSet`` keyed by name).
        """
        if not self.migrated:
            return [self.platforms[s] for s in self.subdirs]
        pinned = [self.platforms[n] for pins in self.pins.values() for n in pins or ()]
        covered = {p.subdir for p in pinned}
        uncovered = [self.platforms[s] for s in self.subdirs if s not in covered]
        declared: dict[str, LockPlatform] = {}
        for platform in [*pinned, *uncovered, *composed]:
            declared.setdefault(platform.name, platform)
        return list(declared.values())

    def supports_subdir(self, feature_name: str, subdir: str) -> bool:
        pins = self.pins.get(feature_name)
        return pins is None or any(self.platforms[p].subdir == subdir for p in pins)

    def environment_platforms(self, feature_names: Sequence[str]) -> list[LockPlatform]:
        """``FeaturesExt::platforms`` on the composition path: one platform per subdir every
        feature supports; the pinned platform, or one composed from several."""
        result = []
        for subdir in self.subdirs:
            if not all(self.supports_subdir(f, subdir) for f in feature_names):
                continue
            pinned: list[str] = []
            for feature in feature_names:
                for name in self.pins.get(feature) or ():
                    if self.platforms[name].subdir == subdir and name not in pinned:
                        pinned.append(name)
            if not pinned:
                result.append(self.platforms[subdir])
            elif len(pinned) == 1:
                result.append(self.platforms[pinned[0]])
            else:
                result.append(self._compose(subdir, [self.platforms[p] for p in pinned]))
        return result

    def _compose(self, subdir: str, platforms: Sequence[LockPlatform]) -> LockPlatform:
        """``combined_platform``: the union of the customised packages, highest version."""
        union: dict[str, VirtualPackage] = {}
        for platform in platforms:
            for vp in platform.virtual_packages:
                if _is_default(vp, subdir):
                    continue
                existing = union.get(vp.name)
                if existing is None or Version(vp.version) > Version(existing.version):
                    union[vp.name] = vp
        declared = [union[n] for n in sorted(union)]
        name = synthesize_name(subdir, declared)
        if name not in self.platforms:
            self.platforms[name] = platform_with_defaults(name, subdir, declared)
        return self.platforms[name]


def solver_virtual_packages(platform: LockPlatform) -> list[GenericVirtualPackage]:
    """``get_minimal_virtual_packages`` then ``GenericVirtualPackage::from``: the typed
    rattler packages (build ``0``; ``__archspec`` is version 1 with the microarchitecture as
    build); names rattler has no type for are dropped."""
    out = []
    for vp in platform.virtual_packages:
        if vp.name == "__unix":
            version, build = "0", "0"
        elif vp.name in ("__linux", "__win", "__osx", "__cuda", "__cuda_arch", *LIBC_NAMES):
            version, build = vp.version, "0"
        elif vp.name == "__archspec":
            version, build = "1", vp.build if vp.build not in ("", "0") else "0"
        else:
            continue
        out.append(
            GenericVirtualPackage(PackageName(vp.name), Version(version), BuildString(build))
        )
    return out
