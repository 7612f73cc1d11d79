"""Combining ``[system-requirements]`` of the features of one environment.

Source: ``crates/pixi_manifest/src/system_requirements.rs`` (``SystemRequirements::union``):
``linux``, ``cuda``, ``macos`` and the libc version take the highest version; two libc
families or two archspecs that differ are errors.  A glibc requirement is reported as its
version string, another family as ``{family, version}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rattler import Version

GLIBC = "glibc"


class SystemRequirementsConflict(ValueError):
    pass


def _libc(value: Any) -> tuple[str, str]:
    if isinstance(value, dict):
        return value.get("family") or GLIBC, value["version"]
    return GLIBC, value


def _max_version(a: str, b: str) -> str:
    return a if Version(a) >= Version(b) else b


def union(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in ("linux", "cuda", "macos"):
        x, y = a.get(key), b.get(key)
        value = (
            _max_version(x, y) if x is not None and y is not None else (x if x is not None else y)
        )
        if value is not None:
            result[key] = value
    if "libc" in a and "libc" in b:
        (fa, va), (fb, vb) = _libc(a["libc"]), _libc(b["libc"])
        if fa != fb:
            raise SystemRequirementsConflict(
                f"two different libc families were specified: '{fa}' and '{fb}'"
            )
        version = _max_version(va, vb)
        result["libc"] = version if fa == GLIBC else {"family": fa, "version": version}
    elif "libc" in a or "libc" in b:
        family, version = _libc(a.get("libc", b.get("libc")))
        result["libc"] = version if family == GLIBC else {"family": family, "version": version}
    x, y = a.get("archspec"), b.get("archspec")
    if x is not None and y is not None and x != y:
        raise SystemRequirementsConflict(f"cannot combine archspecs: '{x}' and '{y}'")
    if x is not None or y is not None:
        result["archspec"] = x if x is not None else y
    return {k: result[k] for k in ("macos", "linux", "cuda", "libc", "archspec") if k in result}


def union_all(requirements: Iterable[dict[str, Any]]) -> dict[str, Any]:
    combined: dict[str, Any] = {}
    for item in requirements:
        combined = union(combined, item)
    return combined
