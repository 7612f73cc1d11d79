"""Turn an ``--pixiconf-impl`` value into an :class:`Implementation`.

Accepted values, tried in this order: ``reference`` (the Python reference in this package);
the name of an entry point in the ``pixiconf.implementations`` group (a zero-argument factory),
so that other frontends can register themselves without touching pixiconf; a path to a pixi
binary (any value with a path separator, ``~`` expanded); a program name found on ``PATH``
(``pixi``).  A binary is run through :mod:`pixiconf.implementations.pixi_binary`; ``backend``
names the build backend binary it uses for the build operations.
"""

from __future__ import annotations

from pixiconf.implementations.base import Implementation

ENTRY_POINT_GROUP = "pixiconf.implementations"


class UnknownImplementationError(ValueError):
    pass


def load_implementation(spec: str, *, backend: str | None = None) -> Implementation:
    # Imported here: importlib.metadata costs ~15 ms, and every process that imports
    # pixiconf.implementations (each pixiconf-pixi command) would pay it.
    from importlib.metadata import entry_points

    name = spec.strip()
    if name in ("", "reference"):
        from pixiconf.implementations.reference import ReferenceImplementation

        return ReferenceImplementation()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            return ep.load()()
    binary = _find_binary(name)
    if binary is not None:
        from pixiconf.implementations.pixi_binary import PixiBinary

        return PixiBinary(binary, backend=backend)
    known = ["reference", *sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))]
    raise UnknownImplementationError(
        f"unknown implementation {spec!r}; expected one of: {', '.join(known)}, "
        "a path to a pixi binary or a program name on PATH"
    )


def _find_binary(name: str) -> str | None:
    import os
    import shutil

    if os.sep in name or (os.altsep and os.altsep in name) or name.startswith("~"):
        path = os.path.abspath(os.path.expanduser(name))
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    return shutil.which(name)
