"""Platform facts a recipe's Jinja sees: the selector variables of a host platform.

rattler-build ``rattler_build_jinja/src/jinja.rs`` (``Jinja::new``: ``target_platform``,
``build_platform``, ``host_platform``, ``unix``, one boolean per architecture, per platform
without its dash and per platform family) over ``rattler_conda_types`` ``Platform``
(``arch``, ``only_platform``, ``is_unix``).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "is_known_platform",
    "is_linux",
    "is_osx",
    "is_unix",
    "is_windows",
    "platform_context",
    "platform_family",
]

_ARCHES = (
    "x86",
    "x86_64",
    "aarch64",
    "arm64",
    "armv6l",
    "armv7l",
    "armv7a",
    "loongarch64",
    "ppc64le",
    "ppc64",
    "ppc",
    "s390x",
    "riscv32",
    "riscv64",
    "wasm32",
    "wasm64",
    "z",
)
_PLATFORM_ARCH = {
    "linux-32": "x86",
    "linux-64": "x86_64",
    "linux-aarch64": "aarch64",
    "linux-armv6l": "armv6l",
    "linux-armv7l": "armv7l",
    "linux-loongarch64": "loongarch64",
    "linux-ppc64le": "ppc64le",
    "linux-ppc64": "ppc64",
    "linux-ppc": "ppc",
    "linux-s390x": "s390x",
    "linux-riscv32": "riscv32",
    "linux-riscv64": "riscv64",
    "freebsd-32": "x86",
    "freebsd-64": "x86_64",
    "freebsd-arm64": "arm64",
    "osx-64": "x86_64",
    "osx-arm64": "arm64",
    "ios-arm64": "arm64",
    "iossimulator-arm64": "arm64",
    "iossimulator-64": "x86_64",
    "android-aarch64": "aarch64",
    "android-armv7a": "armv7a",
    "android-64": "x86_64",
    "android-32": "x86",
    "win-32": "x86",
    "win-64": "x86_64",
    "win-arm64": "arm64",
    "emscripten-wasm32": "wasm32",
    "emscripten-wasm64": "wasm64",
    "wasi-wasm32": "wasm32",
    "zos-z": "z",
}
_FAMILY = {
    "linux": "linux",
    "freebsd": "freebsd",
    "osx": "osx",
    "ios": "ios",
    "iossimulator": "iossimulator",
    "android": "android",
    "win": "win",
    "emscripten": "emscripten",
    "wasi": "wasi",
    "zos": "zos",
}


def platform_family(platform: str) -> str | None:
    if platform in ("noarch", "unknown"):
        return None
    return _FAMILY.get(platform.split("-", 1)[0])


def is_known_platform(platform: str) -> bool:
    """A platform name ``rattler_conda_types`` knows (``noarch`` and ``unknown`` excluded)."""
    return platform in _PLATFORM_ARCH


def is_linux(platform: str) -> bool:
    return platform_family(platform) == "linux"


def is_osx(platform: str) -> bool:
    return platform_family(platform) == "osx"


def is_windows(platform: str) -> bool:
    return platform_family(platform) == "win"


def is_unix(platform: str) -> bool:
    family = platform_family(platform)
    return family is not None and family not in ("win", "emscripten", "wasi", "zos")


def platform_context(platform: str, build_platform: str | None = None) -> dict[str, Any]:
    """The selector variables of rattler-build's Jinja for a host/target platform."""
    ctx: dict[str, Any] = {
        "target_platform": platform,
        "build_platform": build_platform or platform,
        "host_platform": platform,
        "unix": is_unix(platform),
    }
    arch = _PLATFORM_ARCH.get(platform)
    for name in _ARCHES:
        ctx[name] = arch == name
    family = platform_family(platform)
    for name in _PLATFORM_ARCH:
        ctx[name.replace("-", "")] = name == platform
    for name in _FAMILY.values():
        ctx[name] = name == family
    ctx["ios"] = family in ("ios", "iossimulator")
    return ctx
