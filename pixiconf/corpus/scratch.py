"""The temporary directories of a run: where every case's directory is made, and the timeout
guard (:mod:`.isolation`), whose worker process gets its own directory there too.

Where the directories go is the caller's choice:

- by default (``pixiconf run-case``, scripts) a ``pixiconf-*`` directory of the system's
  temporary directory, made on first use and removed, with everything in it, by
  :meth:`Scratch.close` (also after an interrupted run);
- a ``parent`` given as a callable (the pytest plugin passes pytest's base temporary directory,
  see :mod:`pixiconf.plugin.workspaces`): called on first use (when it returns ``None``, the
  default applies); the directory belongs to the caller,
  so :meth:`Scratch.close` leaves it and the case directories in it alone (the caller decides
  which to keep) and only stops the guard, whose worker removes its own directory.

A case's directory is named after the case (``new_case_directory("discovery/x")`` →
``discovery_x0``, then ``discovery_x1``...: the spelling of pytest's ``tmp_path``,
``_pytest/tmpdir.py``); :meth:`Scratch.discard` removes it as soon as the case is done when
it is not kept, so a long run does not fill the disk.  (Removing directories in a background
thread was measured and rejected: on an idle machine the thread's wake-ups and GIL hand-offs
cost more than the ``rmdir`` time it hides.)
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from pixiconf.corpus.isolation import Guard, guard
from pixiconf.implementations.base import Implementation

__all__ = ["Scratch", "directory_name"]

#: Longest directory name made from a case ID (before its number), as pytest's ``tmp_path``.
MAX_NAME = 30


def directory_name(name: str) -> str:
    """``name`` (a case ID) as a directory name: every character other than a letter, digit
    or ``_`` becomes ``_``, at most :data:`MAX_NAME` characters (as ``tmp_path`` names a test's
    directory)."""
    return re.sub(r"\W", "_", name)[:MAX_NAME] or "case"


class Scratch:
    """The run's temporary directory and timeout guard, made on first use; :meth:`close`
    stops the guard and removes the directory when this object made it."""

    def __init__(self, parent: Callable[[], Path | None] | None = None) -> None:
        self.directory: Path | None = None
        self.guard: Guard | None = None
        #: True when :meth:`close` removes :attr:`directory` (this object made it).
        self.owned = False
        self._given_parent = parent
        self._numbers: dict[str, int] = {}

    def parent(self) -> Path:
        """The directory every case directory (and the worker's) is made in: the given
        ``parent()``, or when there is none or it returns ``None``, a ``pixiconf-*``
        directory of the system's temporary directory."""
        if self.directory is None:
            given = self._given_parent() if self._given_parent is not None else None
            self.owned = given is None
            self.directory = Path(tempfile.mkdtemp(prefix="pixiconf-")) if given is None else given
        return self.directory

    def new_case_directory(self, name: str = "case") -> Path:
        """A fresh, empty directory for one case: ``<name>N``, ``N`` the first free number."""
        parent, base = self.parent(), directory_name(name)
        number = self._numbers.get(base.lower(), 0)  # lower: case-insensitive file systems
        for _ in range(1000):
            path = parent / f"{base}{number}"
            number += 1
            try:
                path.mkdir(mode=0o700)
            except FileExistsError:
                continue
            self._numbers[base.lower()] = number
            return path
        return Path(tempfile.mkdtemp(prefix=f"{base}-", dir=parent))

    def guarded(self, implementation: Implementation) -> Guard:
        """The guard running ``implementation`` under time limits (made on first use)."""
        if self.guard is None:
            self.guard = guard(implementation, scratch_parent=self.parent())
        return self.guard

    def discard(self, path: Path) -> None:
        """Remove a case directory made by :meth:`new_case_directory`."""
        shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        """Stop the guard; remove the directory if this object made it."""
        guard_, directory = self.guard, self.directory
        self.guard = self.directory = None
        try:
            if guard_ is not None:
                guard_.close()
        finally:
            if directory is not None and self.owned:
                shutil.rmtree(directory, ignore_errors=True)
