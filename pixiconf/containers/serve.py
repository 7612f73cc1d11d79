"""The server inside the container: ``python -m pixiconf.containers.serve CHANNEL SPEC``.

Opens the named pipes in ``CHANNEL`` (:mod:`.wire`), loads the implementation ``SPEC`` with
:func:`~pixiconf.implementations.load_implementation` (``reference``, or the path of a binary
mounted into the container), and runs every request it reads under the same timeout guard as
on the host (:func:`~pixiconf.corpus.isolation.guard`: the reference in a worker process that
is killed after a timeout; a binary's commands with their own timeout).  It exits when the host
closes the request pipe, so a container whose pytest process died stops (and, started with
``auto_remove``, disappears) by itself.
"""

from __future__ import annotations

import argparse
import os
import pickle
import signal
import sys
import traceback
from multiprocessing.connection import Connection
from pathlib import Path

from ..corpus.isolation import guard
from ..implementations.registry import load_implementation
from .wire import REPLIES, REQUESTS


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
    with guard(implementation) as guarded:
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
