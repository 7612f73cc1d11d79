"""The temporary directories of a run: one ``pixiconf-*`` directory per process, one
``case-*`` directory per case inside it, and the timeout guard (:mod:`.isolation`).

Removing a case's directory is left to a background thread (:meth:`Scratch.discard`): on a
file system that journals or discards freed blocks, ``rmdir`` waits for the disk (about 0.5 ms
a directory measured on ext4 mounted with ``discard``, several per case), time the run can
spend on the next case instead.  At most :data:`BACKLOG` directories wait to be removed (then
:meth:`~Scratch.discard` waits), so a long run does not fill the disk; :meth:`Scratch.drain`
waits until every discarded directory is gone, and :meth:`Scratch.close` removes everything,
also after an interrupted run.
"""

from __future__ import annotations

import queue
import shutil
import tempfile
import threading
from pathlib import Path

from ..implementations.base import Implementation
from .isolation import Guard, guard

__all__ = ["BACKLOG", "Scratch"]

#: Most case directories waiting for the background thread.
BACKLOG = 256


class Scratch:
    """The run's temporary directory and timeout guard, made on first use, removed by
    :meth:`close`."""

    def __init__(self) -> None:
        self.directory: Path | None = None
        self.guard: Guard | None = None
        self._removals: queue.Queue[Path | None] = queue.Queue(BACKLOG)
        self._remover: threading.Thread | None = None

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
        """Remove a case directory (from :meth:`new_case_directory`) in the background."""
        if self._remover is None:
            self._remover = threading.Thread(target=self._remove_queued, daemon=True,
                                             name="pixiconf-scratch-remover")
            self._remover.start()
        self._removals.put(path)

    def _remove_queued(self) -> None:
        while True:
            path = self._removals.get()
            try:
                if path is None:
                    return
                shutil.rmtree(path, ignore_errors=True)
            finally:
                self._removals.task_done()

    def drain(self) -> None:
        """Wait until every discarded directory has been removed."""
        if self._remover is not None:
            self._removals.join()

    def close(self) -> None:
        """Stop the guard and the background thread; remove every directory."""
        guard_, directory, remover = self.guard, self.directory, self._remover
        self.guard = self.directory = self._remover = None
        try:
            if remover is not None:
                self._removals.put(None)
                remover.join()
        finally:
            try:
                if guard_ is not None:
                    guard_.close()
            finally:
                if directory is not None:
                    shutil.rmtree(directory, ignore_errors=True)
