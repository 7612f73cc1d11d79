"""Time limits for operations (CASE-FORMAT.md §5 TIMEOUT), for every implementation.

An operation that does not finish within the request's ``timeout`` is abandoned and reported
as :class:`~pixiconf.implementations.base.Failed` with ``timed_out=True`` (the runner grades
it TIMEOUT).  How an operation is abandoned depends on what the implementation says about
itself:

- ``enforces_timeout = True`` (an adapter that runs a binary with ``subprocess`` and its
  ``timeout``): called directly;
- ``process_safe = True`` (the reference): run in a persistent **worker process**, one per
  :class:`ProcessGuard`, started on the first request.  A request that times out kills the
  worker, whose private temporary directory is removed with it; the next request starts a
  fresh one.  A worker that dies is a crash (``Failed(crashed=True)``).  The worker runs each
  operation with the case's environment as its process environment (``HOME`` is the case's,
  so ``~`` means the case's home, as it will for an external binary) and with its own
  temporary directory; it ignores SIGINT, so Ctrl-C is handled once, by the run, which then
  closes the worker;
- anything else: a daemon **thread**, abandoned (left running, its result ignored) when it
  times out; closing the guard waits a bounded time for abandoned threads, so that the
  directories they write into can be removed afterwards.

:func:`guard` picks the strategy; a guard is a context manager and an implementation itself.
The cost of the worker is one interpreter start per guard (about 0.2 s, once per pytest
process) and one pickled round trip per operation (about 0.1 ms).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from pixiconf.implementations.base import Failed, Implementation, Outcome
from pixiconf.operations.request import OperationRequest

__all__ = [
    "DirectGuard",
    "Guard",
    "ProcessGuard",
    "RemoteError",
    "ThreadGuard",
    "guard",
    "timeout_outcome",
]


class RemoteError(RuntimeError):
    """The implementation raised in the worker (``remote_traceback`` is its traceback)."""

    def __init__(self, message: str, remote_traceback: str = "") -> None:
        super().__init__(message)
        self.remote_traceback = remote_traceback or message


def timeout_outcome(timeout: float) -> Failed:
    return Failed(
        f"the operation did not finish within {timeout:g} s (--pixiconf-timeout)", timed_out=True
    )


class Guard:
    """Common part: an :class:`Implementation` that delegates ``name`` and ``version``."""

    def __init__(self, implementation: Implementation) -> None:
        self.implementation = implementation
        self.name = getattr(implementation, "name", type(implementation).__name__)

    def version(self) -> str:
        return self.implementation.version()

    def close(self) -> None:
        """Release what the guard holds (nothing by default)."""

    def __enter__(self) -> Guard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DirectGuard(Guard):
    """For implementations that enforce the timeout themselves."""

    def run(self, request: OperationRequest) -> Outcome:
        return self.implementation.run(request)


class ThreadGuard(Guard):
    """Runs each operation in a daemon thread; abandons it when it times out.

    An abandoned thread may still write into its case's directory; :meth:`close` waits for
    abandoned threads (at most ``grace`` seconds in all, default the longest timeout seen) so
    that the caller can then remove every directory for good."""

    def __init__(self, implementation: Implementation, grace: float | None = None) -> None:
        super().__init__(implementation)
        self.grace = grace
        self._abandoned: list[threading.Thread] = []
        self._longest = 0.0

    def close(self) -> None:
        deadline = time.monotonic() + (self.grace if self.grace is not None else self._longest)
        for thread in self._abandoned:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._abandoned = [thread for thread in self._abandoned if thread.is_alive()]

    def run(self, request: OperationRequest) -> Outcome:
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["outcome"] = self.implementation.run(request)
            except BaseException as exc:  # handed to the caller
                box["error"] = exc

        thread = threading.Thread(target=target, name="pixiconf-operation", daemon=True)
        thread.start()
        thread.join(request.timeout)
        if thread.is_alive():
            self._abandoned.append(thread)
            self._longest = max(self._longest, request.timeout)
            return timeout_outcome(request.timeout)
        if "error" in box:
            raise box["error"]
        return box["outcome"]


def _serve(connection: Any, sending: Any) -> None:
    """The worker process: set up from the first message, then run requests until the pipe
    closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        path, scratch, payload = connection.recv()
    except (EOFError, OSError):
        return
    sys.path[:] = path
    tempfile.tempdir = scratch
    implementation = pickle.loads(payload)
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        os.environ.clear()
        os.environ.update(request.env)
        os.environ["TMPDIR"] = scratch
        try:
            reply: tuple[str, Any] = ("ok", implementation.run(request))
        except BaseException as exc:
            reply = ("raised", (exc, traceback.format_exc()))
        try:
            sending.send(reply)
        except Exception:  # an unpicklable outcome or exception
            sending.send(("raised", (None, traceback.format_exc())))


def _worker_main(read_fd: int, write_fd: int) -> None:
    """Entry point of the worker (``python -c``): no ``__main__`` of the parent is imported."""
    from multiprocessing.connection import Connection

    _serve(Connection(read_fd, writable=False), Connection(write_fd, readable=False))


_WORKER_CODE = (
    "import sys; from pixiconf.corpus.isolation import _worker_main; "
    "_worker_main(int(sys.argv[1]), int(sys.argv[2]))"
)


class ProcessGuard(Guard):
    """Runs operations in a persistent worker process; kills it when one times out.

    The worker is a fresh interpreter (``python -c``) that talks over two pipes, so it never
    re-runs the parent's ``__main__``; the implementation is pickled to it with the parent's
    ``sys.path``.  ``scratch_parent`` is where the worker's temporary directory is made
    (default: the system's).  POSIX only: elsewhere :func:`guard` uses a thread."""

    def __init__(self, implementation: Implementation, scratch_parent: Path | None = None):
        super().__init__(implementation)
        self.scratch_parent = scratch_parent
        self._process: subprocess.Popen[bytes] | None = None
        self._send: Any = None
        self._receive: Any = None
        self._scratch: str | None = None

    def _start(self) -> None:
        from multiprocessing.connection import Connection

        self._scratch = tempfile.mkdtemp(prefix="pixiconf-worker-", dir=self.scratch_parent)
        to_child, from_parent = os.pipe()[::-1]
        from_child, to_parent = os.pipe()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE, str(from_parent), str(to_parent)],
                pass_fds=(from_parent, to_parent),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        finally:
            os.close(from_parent)
            os.close(to_parent)
        self._send = Connection(to_child, readable=False)
        self._receive = Connection(from_child, writable=False)
        self._send.send((list(sys.path), self._scratch, pickle.dumps(self.implementation)))

    def run(self, request: OperationRequest) -> Outcome:
        if self._process is None:
            self._start()
        try:
            self._send.send(request)
            ready = self._receive.poll(request.timeout)
            reply = self._receive.recv() if ready else None
        except (EOFError, OSError):
            process = self._process
            self._stop()
            code = process.returncode if process is not None else None
            return Failed(
                f"the worker process running the implementation died (exit code {code})",
                crashed=True,
            )
        if reply is None:
            self._stop()
            return timeout_outcome(request.timeout)
        kind, value = reply
        if kind == "ok":
            return value
        exc, text = value
        if isinstance(exc, Exception) and _is_case_error(exc):
            raise exc
        raise RemoteError(str(exc) if exc is not None else "the worker failed", text)

    def _stop(self) -> None:
        process, scratch = self._process, self._scratch
        connections = (self._send, self._receive)
        self._process = self._send = self._receive = self._scratch = None
        for connection in connections:
            if connection is not None:
                with contextlib.suppress(OSError):
                    connection.close()
        if process is not None:
            process.kill()
            process.wait()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    def close(self) -> None:
        """Stop the worker (whatever it is doing) and remove its temporary directory."""
        self._stop()


def _is_case_error(exc: Exception) -> bool:
    from pixiconf.confinement import WorkspaceError

    return isinstance(exc, WorkspaceError)


def guard(implementation: Implementation, scratch_parent: Path | None = None) -> Guard:
    """The guard that enforces timeouts for ``implementation`` (see the module docs)."""
    if isinstance(implementation, Guard):
        return implementation
    if getattr(implementation, "enforces_timeout", False):
        return DirectGuard(implementation)
    if getattr(implementation, "process_safe", False) and os.name == "posix":
        return ProcessGuard(implementation, scratch_parent)
    return ThreadGuard(implementation)
