"""Which pixi versions a case applies to: the optional ``pixi`` key (an additive extension of
CASE-FORMAT.md version 1, documented in docs/writing-cases.md).

A case may say ``pixi: ">=0.57"``: the rule it pins holds for those pixi releases only (pixi's
manifest rules change between releases, e.g. the ``[project]`` table became a deprecated
spelling of ``[workspace]`` in 0.57.0).  The range is a PEP 440 specifier set
(``>=0.40, <0.57``, ``~=0.40``) or, when it is not one, a conda version spec as rattler reads it
(``0.77.*``, ``<0.39|>=0.77``, ``0.77``).  Against an implementation whose pixi version is
outside the range the case is SKIP, with the range and the version in the reason.

An implementation's pixi version is the first ``pixi X.Y[.Z]`` in its ``version()`` text: an
external binary says ``pixi 0.77.0 (/usr/bin/pixi)``; the reference says ``pixiconf 0.1.0
(pixi 0.77.0 semantics)`` and so counts as the release it follows
(:data:`pixiconf.PIXI_VERSION`).  An implementation whose text names no pixi version runs
every case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

__all__ = ["PixiRange", "RangeError", "outside_reason", "parse_range", "pixi_version_of"]

_PIXI_VERSION = re.compile(r"\bpixi (\d+(?:\.\d+)+)\b")


class RangeError(ValueError):
    """A ``pixi`` value that is neither a PEP 440 specifier set nor a conda version spec."""


@dataclass(frozen=True, slots=True)
class PixiRange:
    """A parsed ``pixi`` range; :meth:`contains` takes a version such as ``0.77.0``."""

    text: str
    kind: str  # "pep440" or "conda"

    def contains(self, version: str) -> bool:
        if self.kind == "pep440":
            try:
                return SpecifierSet(self.text).contains(Version(version), prereleases=True)
            except InvalidVersion:
                return False
        from rattler import Version as CondaVersion
        from rattler import VersionSpec

        return VersionSpec(self.text).matches(CondaVersion(version))


def parse_range(text: str) -> PixiRange:
    """Parse a ``pixi`` range; raise :class:`RangeError` with what was expected."""
    stripped = text.strip()
    if not stripped:
        raise RangeError("expected a pixi version range such as '>=0.40', got an empty string")
    try:
        SpecifierSet(stripped)
        return PixiRange(stripped, "pep440")
    except InvalidSpecifier:
        pass
    # rattler reads any word as an exact version ('abc'); a range names at least one number.
    if re.search(r"\d", stripped):
        from rattler import VersionSpec
        from rattler.exceptions import InvalidVersionSpecError

        try:
            VersionSpec(stripped)
            return PixiRange(stripped, "conda")
        except InvalidVersionSpecError:
            pass
    raise RangeError(
        f"expected a PEP 440 or conda version range such as '>=0.40' or '0.77.*', got {text!r}"
    )


def pixi_version_of(version_text: str) -> str | None:
    """The pixi release an implementation's ``version()`` text names, or ``None``."""
    found = _PIXI_VERSION.search(version_text)
    return found.group(1) if found else None


def outside_reason(pixi_range: str | None, version_text: str) -> str | None:
    """Why a case with range ``pixi_range`` does not apply to an implementation whose
    ``version()`` is ``version_text``; ``None`` when it applies (or the version is unknown)."""
    if pixi_range is None:
        return None
    version = pixi_version_of(version_text)
    if version is None:
        return None
    try:
        parsed = parse_range(pixi_range)
    except RangeError:
        return None  # the schema reports it as an ERROR of the case
    if parsed.contains(version):
        return None
    return f"the case applies to pixi {parsed.text}; the implementation is pixi {version}"
