"""PEP 440 version specifier lists in the order pixi keeps them.

pixi 0.77 reads every PEP 440 specifier list with the ``pep440_rs`` crate, version 0.7.3
(``Cargo.lock``; ``pep508_rs`` 0.9.2 and ``pyproject-toml`` build on the same crate).  Both ways a
``VersionSpecifiers`` is made go through ``VersionSpecifiers::from_unsorted``
(``src/version_specifier.rs``): ``FromStr`` (``requires-python``) and ``FromIterator``, which
``pep508_rs``' ``parse_version_specifier`` collects a requirement's specifiers into.  It sorts
the specifiers **by version only** with Rust's stable ``sort_by``, so:

* ``<4,>=3.9`` becomes ``>=3.9, <4``;
* specifiers with equal versions (``!=1.0`` and ``>=1.0``, or ``1.0`` and ``1.0.0``) keep the
  order they were written in; the operator plays no part;
* a wildcard sorts by its base version (``==1.2.*`` as ``1.2``).

``impl Display for VersionSpecifiers`` joins them with ``", "``, each written as operator and
normalised version, with ``.*`` for the wildcard operators.

One rule, used for ``[project.dependencies]``, ``optional-dependencies`` and
``dependency-groups`` (:mod:`pixiconf.manifest.pyproject`), ``requires-python`` turned into a
python spec (``pixi_manifest`` ``pyproject.rs::version_or_url_to_spec`` and
``pixi_build_python`` ``main.rs::generate_recipe``) and the PyPI→conda mapping
(``pixi_build_python`` ``pypi_mapping.rs::convert_requirement_version``).

The written order is read from the text, never from ``packaging``'s ``SpecifierSet``: that is
a set, and before packaging 26 its iteration order changes with ``PYTHONHASHSEED``.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.version import InvalidVersion, Version

__all__ = ["VersionSpecifier", "display", "parse_specifier", "parse_specifiers", "sort_by_version"]


@dataclass(frozen=True, slots=True)
class VersionSpecifier:
    """One pep440_rs ``VersionSpecifier``: operator, version and whether it is a wildcard."""

    operator: str
    version: Version
    star: bool = False

    def __str__(self) -> str:
        return f"{self.operator}{self.version}{'.*' if self.star else ''}"


def parse_specifier(text: str) -> VersionSpecifier:
    """One specifier such as ``>= 1.19`` or ``==1.1.*`` (``VersionSpecifier::from_str``).

    ``packaging``'s :class:`~packaging.specifiers.Specifier` checks the operator and the
    version; in addition every operator, ``===`` included, needs a PEP 440 version (pep440_rs
    parses it as a ``VersionPattern``, where packaging's ``===`` takes any string).  Raises
    :class:`~packaging.specifiers.InvalidSpecifier`.
    """
    spec = Specifier(text.strip())
    raw = spec.version
    star = raw.endswith(".*")
    try:
        version = Version(raw[:-2] if star else raw)
    except InvalidVersion:
        raise InvalidSpecifier(f"Invalid version in specifier: {text.strip()!r}") from None
    return VersionSpecifier(spec.operator, version, star)


def sort_by_version(specifiers: list[VersionSpecifier]) -> tuple[VersionSpecifier, ...]:
    """``VersionSpecifiers::from_unsorted``: a stable sort on the version alone."""
    return tuple(sorted(specifiers, key=lambda s: s.version))


def parse_specifiers(text: str) -> tuple[VersionSpecifier, ...]:
    """A comma-separated list, sorted by version (``VersionSpecifiers::from_str``).

    The empty string is the empty list; otherwise every comma-separated part must be a
    specifier (an empty part is an error, as in ``parse_version_specifiers``).  Raises
    :class:`~packaging.specifiers.InvalidSpecifier`.
    """
    if text == "":
        return ()
    return sort_by_version([parse_specifier(part) for part in text.split(",")])


def display(specifiers: tuple[VersionSpecifier, ...] | list[VersionSpecifier]) -> str:
    """``impl Display for VersionSpecifiers``: ``>=1.0, <2``."""
    return ", ".join(str(s) for s in specifiers)
