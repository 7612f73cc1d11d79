"""The temporary directories of a run: one ``pixiconf-*`` directory per process, one
``case-*`` directory per case inside it, and the timeout guard (:mod:`.isolation`).

A case's directory is removed as soon as the case is done (:meth:`Scratch.discard`), so a long
run does not fill the disk; :meth:`Scratch.close` removes everything, also after an
interrupted run.  (Removing directories in a background thread was measured and rejected: on
an idle machine the thread's wake-ups and GIL hand-offs cost more than the ``rmdir`` time it
hides.)
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from pixiconf.corpus.isolation import Guard, guard
from pixiconf.implementations.base import Implementation

__all__ = ["Scratch"]


class Scratch:
    """The run's temporary directory and timeout guard, made on first use, removed by
    :meth:`close`."""

    def __init__(self) -> None:
        self.directory: Path | None = None
        self.guard: Guard | None = None

    def _parent(self) -> Path:
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="pixiconf-"))
        return self.directory

    def new_case_directory(self) -> Path:
        """A fresh, empty directory for one case."""
        return Path(tempfile.mkdtemp(prefix="case-", dir=self._parent()))

    def guarded(self, implementation: Implementation) -> Guard:
        """The guard running ``implementation`` under time limits (made on first use)."""
        if self.guard is None:
            self.guard = guard(implementation, scratch_parent=self._parent())
        return self.guard

    def discard(self, path: Path) -> None:
        """Remove a case directory made by :meth:`new_case_directory`."""
        shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        """Stop the guard; remove every directory."""
        guard_, directory = self.guard, self.directory
        self.guard = self.directory = None
        try:
            if guard_ is not None:
                guard_.close()
        finally:
            if directory is not None:
                shutil.rmtree(directory, ignore_errors=True)
