"""Target selectors and platform names.

Rules from ``crates/pixi_manifest/src/target.rs`` (``impl FromStr for TargetSelector``,
``TargetSelector::matches``) and ``crates/pixi_manifest/src/platform.rs``
(``PixiPlatformName``, ``PlatformGlob``).  Parse order: expression check, family name, conda
subdir, glob, platform name.  Subdirs are known through py-rattler's ``Platform``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from rattler import Subdir as Platform  # `Platform` is deprecated in py-rattler

from pixiconf.manifest.source import KeyPath, ManifestSource

FAMILIES = ("linux", "unix", "win", "osx", "macos")
MAX_PLATFORM_NAME_BYTES = 64


class SelectorError(ValueError):
    """An invalid selector or platform name; ``str()`` is pixi's message."""


#: ``Platform::all()`` of rattler_conda_types 0.50.0, the version pixi 0.77 locks (the enum
#: order, with the unparseable ``unknown`` variant).  py-rattler knows a different set of subdirs
#: (e.g. ``freebsd-ppc64le``) and words its errors differently, so the set and pixi's
#: ``ParsePlatformError`` text are kept here.
RATTLER_PLATFORMS = (
    "noarch",
    "unknown",
    "linux-32",
    "linux-64",
    "linux-aarch64",
    "linux-armv6l",
    "linux-armv7l",
    "linux-loongarch64",
    "linux-ppc64le",
    "linux-ppc64",
    "linux-ppc",
    "linux-s390x",
    "linux-riscv32",
    "linux-riscv64",
    "freebsd-32",
    "freebsd-64",
    "freebsd-arm64",
    "osx-64",
    "osx-arm64",
    "ios-arm64",
    "iossimulator-arm64",
    "iossimulator-64",
    "android-aarch64",
    "android-armv7a",
    "android-64",
    "android-32",
    "win-32",
    "win-64",
    "win-arm64",
    "emscripten-wasm32",
    "emscripten-wasm64",
    "wasi-wasm32",
    "zos-z",
)


@cache
def subdir(name: str) -> Platform | None:
    """The conda subdir called ``name`` (``Platform::from_str`` of rattler 0.50), or ``None``."""
    if name == "unknown" or name not in RATTLER_PLATFORMS:
        return None
    try:
        return Platform(name)
    except Exception:  # py-rattler raises its own ParseSubdirError/PlatformParseError
        return None


def subdir_error(name: str) -> str:
    """rattler's ``ParsePlatformError`` message for ``name``."""
    return "" if subdir(name) is not None else unknown_platform_message(name)


def validate_platform_name(name: str) -> str:
    """Check a custom platform name (``PixiPlatformName::try_from``)."""
    if not name:
        raise SelectorError("a platform name can not be empty")
    size = len(name.encode())
    if size > MAX_PLATFORM_NAME_BYTES:
        raise SelectorError(
            f"a platform name can not be longer than {MAX_PLATFORM_NAME_BYTES} bytes (got {size})"
        )
    # Checked byte by byte; a control or non-ASCII byte is shown as U+FFFD
    # (``valid_pixi_platform_name`` and ``byte_for_error_display`` in platform.rs).
    data = name.encode()
    for position, byte in enumerate(data):
        ch = chr(byte)
        first, last = position == 0, position == len(data) - 1
        ok = byte < 128 and (ch.isalpha() if first else ch.isalnum() or (ch == "-" and not last))
        if not ok:
            shown = ch if 32 <= byte < 127 else "\ufffd"
            raise SelectorError(f"a platform name can not contain '{shown}' at position {position}")
    if name in FAMILIES:
        raise SelectorError(f"'{name}' is a reserved platform name")
    return name


@dataclass(frozen=True, slots=True)
class TargetSelector:
    """A parsed ``[target.<selector>]`` key."""

    kind: str  # "family" | "subdir" | "glob" | "name"
    value: str  # canonical family ("osx" for macos), subdir, collapsed glob, or name
    written: str

    def matches(self, platform_name: str, platform_subdir: str | None = None) -> bool:
        """Does this selector select the workspace platform ``platform_name``?"""
        sub = platform_subdir if platform_subdir is not None else platform_name
        if self.kind == "family":
            p = subdir(sub)
            if p is None:
                return False
            return {
                "linux": p.is_linux,
                "unix": p.is_unix,
                "win": p.is_windows,
                "osx": p.is_osx,
            }[self.value]
        if self.kind == "subdir":
            return sub == self.value
        if self.kind == "glob":
            return _glob_regex(self.value).fullmatch(platform_name) is not None
        return platform_name == self.value

    @property
    def identity(self) -> tuple[str, str]:
        """Two keys with the same identity are the same selector (``osx`` and ``macos``)."""
        return (self.kind, self.value)

    def __str__(self) -> str:
        # pixi displays the parsed selector (``TargetSelector::as_str``): ``macos`` shows as
        # ``osx`` and a glob with its runs of ``*`` collapsed.
        return self.value


@lru_cache(maxsize=256)
def _glob_regex(glob: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in glob.split("*")))


def parse_selector(key: str) -> TargetSelector:
    if "(" in key:
        raise SelectorError(
            f"`{key}` is not a valid target selector. Expression selectors (`if(...)`) are only "
            "supported inside the `[package]` dependency tables (e.g. "
            "`[package.build-dependencies.\"if(host_platform == 'linux-64')\"]`); "
            "`[target.*]` accepts platform names only"
        )
    if key in FAMILIES:
        return TargetSelector("family", "osx" if key == "macos" else key, key)
    if subdir(key) is not None:
        return TargetSelector("subdir", key, key)
    if any(ch in key for ch in "*?["):
        return TargetSelector("glob", _validate_glob(key), key)
    try:
        validate_platform_name(key)
    except SelectorError:
        raise SelectorError(unknown_platform_message(key)) from None
    return TargetSelector("name", key, key)


def read_selector(source: ManifestSource, path: KeyPath, key: str) -> TargetSelector:
    """A ``[...target.<key>]`` table name as a selector; a bad one is an error at ``path``."""
    try:
        return parse_selector(key)
    except SelectorError as exc:
        raise source.error(path, str(exc)) from None


def reject_glob_in_package(source: ManifestSource, path: KeyPath, selector: TargetSelector) -> None:
    """``[package.target.*]`` and ``[package.build.target.*]`` take no wildcard selector
    (``toml/package.rs`` ``TomlPackage::deserialize``, ``toml/build_backend.rs``
    ``TomlPackageBuild::deserialize``)."""
    if selector.kind == "glob":
        raise source.error(
            path,
            f"the wildcard target selector '{selector}' is not supported in package targets",
            label="wildcard target selector specified here",
            help="Use a concrete platform name, such as `linux-64`, instead of a wildcard.",
        )


def _validate_glob(glob: str) -> str:
    if "*" not in glob:
        raise SelectorError(unknown_platform_message(glob))
    for ch in glob:
        if not (ch.isascii() and (ch.isalnum() or ch in "-*")):
            raise SelectorError(unknown_platform_message(glob))
    return re.sub(r"\*+", "*", glob)


def unknown_platform_message(value: str) -> str:
    known = ", ".join(f"'{p}'" for p in all_subdirs())
    return f"'{value}' is not a known platform. Valid platforms are {known}"


def all_subdirs() -> tuple[str, ...]:
    return RATTLER_PLATFORMS
