"""Turn an ``--pixiconf-impl`` value into an :class:`Implementation`.

Accepted values: ``reference`` (the Python reference in this package), or the name of an
entry point in the ``pixiconf.implementations`` group (a zero-argument factory), so that other
frontends can register themselves without touching pixiconf.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from .base import Implementation

ENTRY_POINT_GROUP = "pixiconf.implementations"


class UnknownImplementationError(ValueError):
    pass


def load_implementation(spec: str) -> Implementation:
    name = spec.strip()
    if name in ("", "reference"):
        from .reference import ReferenceImplementation

        return ReferenceImplementation()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            return ep.load()()
    known = ["reference", *sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))]
    raise UnknownImplementationError(
        f"unknown implementation {spec!r}; expected one of: {', '.join(known)}"
    )
