"""The server inside the container: ``python -m pixiconf.containers.serve CHANNEL SPEC``.

Opens the named pipes in ``CHANNEL`` (:mod:`.wire`), loads the implementation ``SPEC`` with
:func:`~pixiconf.implementations.load_implementation` (``reference``, or the path of a binary
mounted into the container), and runs every request it reads.  It exits when the host closes
the request pipe, so a container whose pytest process died stops by itself.

How a request's time limit is kept:

- a *process-safe* implementation (the reference; :func:`runs_in_server`) runs **in this
  process**, as the host's timeout worker (:mod:`pixiconf.corpus.isolation`) runs it: the
  request's environment as the process environment, a private temporary directory.  The host
  enforces the timeout: it waits ``timeout`` seconds for the reply, then removes the container
  (the next request starts a new one), which kills the operation as the host's guard kills
  its worker.  A worker process behind this server would add a third process, two pickles and
  two wake-ups to every request: measured, most of the container's per-case overhead;
- anything else under :func:`~pixiconf.corpus.isolation.guard` (a binary's adapter keeps its
  own timeout), the host waiting a grace period longer.
"""

from __future__ import annotations

import argparse
import os
import pickle
import signal
import sys
import tempfile
import traceback
from multiprocessing.connection import Connection
from pathlib import Path

from pixiconf.containers.wire import REPLIES, REQUESTS
from pixiconf.corpus.isolation import guard
from pixiconf.implementations.base import Implementation, Outcome
from pixiconf.implementations.registry import load_implementation
from pixiconf.operations.request import OperationRequest


def runs_in_server(implementation: object) -> bool:
    """Whether the server runs ``implementation`` in its own process, the host keeping the
    time limit (see the module docstring); the host asks the same of its implementation."""
    return bool(getattr(implementation, "process_safe", False)) and not getattr(
        implementation, "enforces_timeout", False
    )


class InProcess:
    """Runs each request in this process with the request's environment (the same set-up as
    the host's timeout worker) and a private temporary directory."""

    def __init__(self, implementation: Implementation) -> None:
        self.implementation = implementation
        self.scratch = tempfile.mkdtemp(prefix="pixiconf-server-")
        tempfile.tempdir = self.scratch

    def run(self, request: OperationRequest) -> Outcome:
        os.environ.clear()
        os.environ.update(request.env)
        os.environ["TMPDIR"] = self.scratch
        return self.implementation.run(request)

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to release: the container's ``/tmp`` goes with it."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pixiconf-container-server")
    parser.add_argument("channel", type=Path)
    parser.add_argument("spec")
    parser.add_argument("--backend")
    parser.add_argument("--start-timeout", type=int, default=120)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # A host that never opens the pipes (interrupted while starting the container) must not
    # leave the server waiting: SIGALRM's default action ends it.
    signal.alarm(args.start_timeout)
    # Open order matches the host's: requests (read) first, then replies (write).
    requests = Connection(os.open(args.channel / REQUESTS, os.O_RDONLY), writable=False)
    replies = Connection(os.open(args.channel / REPLIES, os.O_WRONLY), readable=False)
    signal.alarm(0)
    try:
        implementation = load_implementation(args.spec, backend=args.backend)
    except Exception:
        replies.send_bytes(pickle.dumps(("raised", traceback.format_exc())))
        return 1
    replies.send_bytes(pickle.dumps(("ready", implementation.version())))
    runner = InProcess(implementation) if runs_in_server(implementation) else guard(implementation)
    with runner as guarded:
        while True:
            try:
                request = pickle.loads(requests.recv_bytes())
            except (EOFError, OSError):
                return 0
            try:
                reply = ("ok", guarded.run(request))
                data = pickle.dumps(reply)
            except BaseException:
                data = pickle.dumps(("raised", traceback.format_exc()))
            replies.send_bytes(data)


if __name__ == "__main__":
    raise SystemExit(main())
