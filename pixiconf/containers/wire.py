"""What travels between the host and the server in the container.

Two named pipes in the run's scratch directory (mounted into the container at the same path):
``requests`` (host → container) and ``replies`` (container → host), each carrying
length-prefixed messages (:class:`multiprocessing.connection.Connection` on the pipes' file
descriptors).  A request is a pickled
:class:`~pixiconf.implementations.base.OperationRequest`; a reply is a pickled
``("ok", outcome)`` or ``("raised", traceback text)``.

Pickle keeps the outcome exactly as the implementation made it (tuples, the adapter's lenient
values), as the timeout worker of :mod:`pixiconf.corpus.isolation` does.  The host unpickles a
reply with :class:`ReplyUnpickler`, which accepts only plain data and pixiconf's own classes, so
that what runs in the container cannot make the host call anything.
"""

from __future__ import annotations

import builtins
import io
import os
import pickle
import stat
from pathlib import Path
from typing import Any

__all__ = ["REPLIES", "REQUESTS", "ReplyUnpickler", "load_reply", "make_pipes"]

REQUESTS, REPLIES = "requests", "replies"

_SAFE_BUILTINS = frozenset(
    {
        "bool",
        "bytearray",
        "bytes",
        "complex",
        "dict",
        "float",
        "frozenset",
        "int",
        "list",
        "object",
        "range",
        "set",
        "slice",
        "str",
        "tuple",
    }
)
_SAFE_MODULES = {
    "collections": frozenset({"OrderedDict", "defaultdict", "deque"}),
    "pathlib": frozenset({"Path", "PosixPath", "PurePath", "PurePosixPath"}),
    "datetime": frozenset({"date", "datetime", "time", "timedelta", "timezone"}),
    "copyreg": frozenset({"_reconstructor"}),
}


class ReplyUnpickler(pickle.Unpickler):
    """Only builtins' data types, a few standard data classes and pixiconf's classes."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in _SAFE_BUILTINS:
            return getattr(builtins, name)
        if name in _SAFE_MODULES.get(module, ()):
            return super().find_class(module, name)
        if module == "pixiconf" or module.startswith("pixiconf."):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"a reply may not contain {module}.{name}")


def load_reply(data: bytes) -> Any:
    return ReplyUnpickler(io.BytesIO(data)).load()


def make_pipes(directory: Path) -> tuple[Path, Path]:
    """Create the two named pipes in ``directory`` (made, mode 0700); return their paths."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths = directory / REQUESTS, directory / REPLIES
    for path in paths:
        if path.exists() and not stat.S_ISFIFO(path.lstat().st_mode):
            path.unlink()
        if not path.exists():
            os.mkfifo(path, 0o600)
    return paths
