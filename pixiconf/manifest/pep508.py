"""The written parts of a PEP 508 requirement that ``packaging`` does not keep in order.

``packaging.requirements.Requirement`` keeps extras and specifiers as sets; ``pep508_rs``
(``src/lib.rs``, ``parse_extras`` and ``parse_version_specifier``) keeps the extras as written
(a ``Vec``) and hands the specifiers, in written order, to pep440_rs, which then sorts them by
version (:mod:`pixiconf.manifest.pep440`).  :func:`written_parts` reads both from the text of
a requirement that ``Requirement`` has already accepted; it uses no ``packaging`` internals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["WrittenParts", "written_parts"]

# PEP 508: identifier, optional [extras], then either `@ url` or a version spec, optionally in
# parentheses, up to the marker's `;`.
_HEAD = re.compile(
    r"\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*"
    r"(?:\[(?P<extras>[^\]]*)\])?\s*"
)


@dataclass(frozen=True, slots=True)
class WrittenParts:
    """Extras and specifier text of a requirement, as written."""

    name: str
    #: The extras as written (not normalised), in written order.
    extras: tuple[str, ...]
    #: The comma-separated specifiers without parentheses (``""`` for none or a URL).
    specifiers: str


def written_parts(text: str) -> WrittenParts:
    """Split a requirement string that ``packaging`` accepted into its written parts.

    Raises :class:`ValueError` when the text does not start with a requirement name.
    """
    head = _HEAD.match(text)
    if head is None:
        raise ValueError(f"not a PEP 508 requirement: {text!r}")
    extras = tuple(e.strip() for e in (head.group("extras") or "").split(",") if e.strip())
    rest = text[head.end() :]
    if rest.startswith("@"):
        return WrittenParts(head.group("name"), extras, "")
    spec = rest.split(";", 1)[0].strip()
    if spec.startswith("(") and spec.endswith(")"):
        spec = spec[1:-1].strip()
    return WrittenParts(head.group("name"), extras, spec)
