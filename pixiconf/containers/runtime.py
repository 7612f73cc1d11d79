"""``--pixiconf-container PLATFORM``: an implementation that runs every operation in a container.

:class:`ContainerImplementation` wraps the implementation the run would use on the host.  On its
first operation it starts **one** container of ``pixiconf-<platform>:<version>`` for the pytest
process (so one per xdist worker), running :mod:`.serve`, and talks to it through two named
pipes (:mod:`.wire`) in the run's scratch directory.  That directory holds every case's
workspace and home; it is the only host folder mounted read-write, at the same path, so the
requests' paths hold unchanged inside.  An external binary is mounted read-only and its adapter
runs inside, so pixi's commands run on the container's system; ``pixiconf-pixi`` (a console
script of this project) is the image's own.  The container has no network (``network_mode
none``), a read-only root with a private ``/tmp``, no capabilities, the host user's uid, and
memory and process limits.

Cleanup: :meth:`ContainerImplementation.close` (the plugin calls it at ``pytest_unconfigure``,
which also runs on a failure or Ctrl-C; and at interpreter exit) removes the container.  A
container whose pytest process was killed sees its request pipe close and exits; every
container carries the :data:`~.engine.LABEL` label and its owner's ``host:pid``, and the next run
removes those whose owner is gone (:func:`sweep_leftovers`).

A platform the engine cannot execute (no emulator) is not an error: every operation returns
:class:`~pixiconf.implementations.base.Unsupported` with the reason, so each case is a SKIP.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import errno
import os
import pickle
import secrets
import shutil
import socket
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pixiconf import __version__
from pixiconf.containers.engine import (
    LABEL,
    OWNER_LABEL,
    EngineUnavailable,
    connect,
    engine_machine,
    is_local_engine,
)
from pixiconf.containers.platforms import (
    Platform,
    UnknownPlatformError,
    execution_problem,
    get_platform,
)
from pixiconf.containers.serve import runs_in_server
from pixiconf.containers.wire import load_reply, make_pipes
from pixiconf.corpus.isolation import RemoteError, timeout_outcome
from pixiconf.implementations.base import Failed, Implementation, Outcome, Unsupported
from pixiconf.operations.request import OperationRequest

__all__ = [
    "ContainerImplementation",
    "ContainerUsageError",
    "open_container_run",
    "sweep_leftovers",
]

#: ``PATH`` of every operation in the container (the image's; never the host's).
IMAGE_PATH = "/opt/pixiconf/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#: Where an external binary (and a build backend) is mounted read-only.
IMPL_DIR = "/opt/pixiconf-impl"
#: Console scripts of this project: the image has its own, a host copy's ``#!`` names a host
#: interpreter.
OWN_SCRIPTS = frozenset({"pixiconf", "pixiconf-pixi"})


class ContainerUsageError(ValueError):
    """The option cannot work here (engine, platform or image); the message says why."""


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_leftovers(client: Any) -> int:
    """Remove labelled containers of this host whose pytest process is gone; how many."""
    from docker.errors import APIError

    removed = 0
    # ignore_removed: another run may remove a listed container before it is inspected.
    for container in client.containers.list(
        all=True, filters={"label": LABEL}, ignore_removed=True
    ):
        host, _, pid = str(container.labels.get(OWNER_LABEL, "")).rpartition(":")
        if host != socket.gethostname() or not pid.isdigit() or _alive(int(pid)):
            continue
        with contextlib.suppress(APIError):
            container.remove(force=True)
            removed += 1
    return removed


def _in_container(
    inner: Implementation, spec: str, backend: str | None
) -> tuple[str, str | None, dict[str, dict[str, str]]]:
    """The implementation spec and backend as the server in the container sees them, and the
    read-only mounts they need."""
    from pixiconf.implementations.pixi_binary import PixiBinary

    volumes: dict[str, dict[str, str]] = {}

    def place(host_path: str, sub: str) -> str:
        name = Path(host_path).name
        if name in OWN_SCRIPTS:
            return name
        inside = f"{IMPL_DIR}/{sub}/{name}"
        volumes[os.path.realpath(host_path)] = {"bind": inside, "mode": "ro"}
        return inside

    if isinstance(inner, PixiBinary):
        spec = place(inner.binary, "bin")
        backend = backend or inner.backend
    if backend:
        backend = place(os.path.abspath(os.path.expanduser(backend)), "backend")
    return spec, backend, volumes


class ContainerImplementation:
    """Runs ``inner``'s operations in a container of ``platform`` (see the module docstring)."""

    #: For an implementation the server runs in its own process (the reference,
    #: :func:`.serve.runs_in_server`) the host waits the request's timeout; for one that keeps
    #: its own time limit (a binary's adapter), that plus this grace.  Past it the container
    #: is removed (the next operation starts a new one) and the operation is a TIMEOUT.
    enforces_timeout = True
    grace = 30.0

    def __init__(
        self,
        inner: Implementation,
        *,
        spec: str,
        platform: Platform,
        image: str,
        mount: Path,
        client: Any,
        backend: str | None = None,
        problem: str | None = None,
        memory: str = "4g",
        pids: int = 1024,
        start_timeout: float = 120.0,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.platform = platform
        self.image = image
        self.mount = Path(mount).resolve()
        self.problem = problem
        self.memory, self.pids, self.start_timeout = memory, pids, start_timeout
        self._client = client
        self._spec, self._backend, self._volumes = _in_container(inner, spec, backend)
        self._slack = 0.0 if runs_in_server(inner) else self.grace
        self._container: Any = None
        self._name: str | None = None
        self._send: Connection | None = None
        self._receive: Connection | None = None
        self._channel: Path | None = None
        self.inner_version: str | None = None
        self._start_failure: str | None = None
        self.starts = 0
        atexit.register(self.close)

    def version(self) -> str:
        where = f"in container {self.image} ({self.platform.docker})"
        if self.problem:
            where = f"not run: {self.platform.name} cannot execute here"
        return f"{self.inner.version()} {where}"

    # ----------------------------------------------------------------- container life

    def _start(self) -> None:
        from docker.errors import APIError, DockerException

        self.starts += 1
        self._channel = self.mount / f".container-{secrets.token_hex(4)}"
        requests, replies = make_pipes(self._channel)
        command = ["python3", "-m", "pixiconf.containers.serve", str(self._channel), self._spec]
        if self._backend:
            command += ["--backend", self._backend]
        command += ["--start-timeout", str(int(self.start_timeout))]
        volumes = {str(self.mount): {"bind": str(self.mount), "mode": "rw"}, **self._volumes}
        # Named before it exists: a Ctrl-C inside ``run`` (created, not yet returned) still
        # lets :meth:`close` find it.
        self._name = f"pixiconf-{self.platform.name}-{os.getpid()}-{secrets.token_hex(3)}"
        try:
            self._container = self._client.containers.run(
                self.image,
                command,
                detach=True,
                platform=self.platform.docker,
                name=self._name,
                labels={LABEL: "1", OWNER_LABEL: _owner()},
                volumes=volumes,
                network_mode="none",
                mem_limit=self.memory,
                memswap_limit=self.memory,
                pids_limit=self.pids,
                user=f"{os.getuid()}:{os.getgid()}",
                read_only=True,
                tmpfs={"/tmp": "rw,exec,size=1g"},
                cap_drop=["ALL"],
                security_opt=["no-new-privileges"],
                working_dir="/tmp",
                environment={"HOME": "/tmp", "PATH": IMAGE_PATH},
            )
        except (APIError, DockerException) as exc:
            raise RuntimeError(f"cannot start a container of {self.image}: {exc}") from None
        deadline = time.monotonic() + self.start_timeout
        fd = None
        while fd is None:
            try:
                fd = os.open(requests, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:
                    raise
                if time.monotonic() > deadline or self._exited():
                    raise RuntimeError(
                        f"the server in the container did not start:\n{self._logs()}"
                    ) from None
                time.sleep(0.01)
        os.set_blocking(fd, True)
        self._send = Connection(fd, readable=False)
        read_fd = os.open(replies, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(read_fd, True)
        self._receive = Connection(read_fd, writable=False)
        kind, payload = self._reply(max(1.0, deadline - time.monotonic()))
        if kind != "ready":
            raise RuntimeError(
                f"the server in the container failed to load {self._spec!r}:\n{payload}"
            )
        self.inner_version = payload

    def _reply(self, timeout: float) -> tuple[str, Any]:
        assert self._receive is not None
        if not self._receive.poll(timeout):
            raise TimeoutError
        return load_reply(self._receive.recv_bytes())

    def _exited(self) -> bool:
        from docker.errors import APIError

        try:
            self._container.reload()
        except APIError:
            return True
        return self._container.status in ("exited", "dead")

    def _logs(self) -> str:
        from docker.errors import APIError

        try:
            text = self._container.logs(tail=30).decode("utf-8", "replace")
        except (APIError, AttributeError):
            return "(no logs)"
        return text.strip() or "(no output)"

    def close(self) -> None:
        """Remove the container and the pipes; safe to call more than once."""
        for connection in (self._send, self._receive):
            if connection is not None:
                with contextlib.suppress(OSError):
                    connection.close()
        self._send = self._receive = None
        container, self._container = self._container, None
        name, self._name = self._name, None
        if container is not None or name is not None:
            # Only a started container needs the SDK (a run that never started one, e.g. on
            # a platform the engine cannot execute, closes without it).
            from docker.errors import APIError

            if container is None:
                with contextlib.suppress(APIError):
                    container = self._client.containers.get(name)
            if container is not None:
                with contextlib.suppress(APIError):
                    container.remove(force=True)
        channel, self._channel = self._channel, None
        if channel is not None:
            shutil.rmtree(channel, ignore_errors=True)

    # ----------------------------------------------------------------- operations

    def run(self, request: OperationRequest) -> Outcome:
        if self.problem is not None:
            return Unsupported(f"platform {self.platform.name}: {self.problem}")
        root = Path(request.workspace_root).resolve()
        if root != self.mount and self.mount not in root.parents:
            return Failed(
                f"the workspace {root} is outside the directory mounted into the "
                f"container ({self.mount})",
                crashed=True,
            )
        if self._start_failure is not None:
            return Failed(self._start_failure, crashed=True)
        if self._container is None:
            try:
                self._start()
            except (RuntimeError, TimeoutError, OSError) as exc:
                # Not retried for every case: the next ones would fail the same way.
                self._start_failure = str(exc) or "the container's server did not answer"
                self.close()
                return Failed(self._start_failure, crashed=True)
        inside = dataclasses.replace(request, env={**request.env, "PATH": IMAGE_PATH})
        try:
            assert self._send is not None
            self._send.send_bytes(pickle.dumps(inside))
            kind, payload = self._reply(request.timeout + self._slack)
        except TimeoutError:
            self.close()
            return timeout_outcome(request.timeout)
        except (EOFError, OSError) as exc:
            logs = self._logs()
            self.close()
            return Failed(
                f"the container's server stopped ({exc or 'end of file'}):\n{logs}", crashed=True
            )
        if kind == "raised":
            raise RemoteError(str(payload).strip().splitlines()[-1], str(payload))
        return payload


def open_container_run(
    inner: Implementation, *, spec: str, platform_name: str, mount: Path, backend: str | None = None
) -> ContainerImplementation:
    """Check that ``--pixiconf-container`` can work and return the wrapper (no container is
    started yet); :class:`ContainerUsageError` otherwise."""
    try:
        platform = get_platform(platform_name)
    except UnknownPlatformError as exc:
        raise ContainerUsageError(str(exc)) from None
    try:
        client = connect()
    except EngineUnavailable as exc:
        raise ContainerUsageError(str(exc)) from None
    sweep_leftovers(client)
    problem = execution_problem(platform, engine_machine(client), local_engine=is_local_engine())
    image = platform.image(__version__)
    if problem is None:
        from docker.errors import ImageNotFound

        try:
            client.images.get(image)
        except ImageNotFound:
            raise ContainerUsageError(
                f"the image {image} is not built; run `pixiconf containers build "
                f"--platform {platform.name}`"
            ) from None
    return ContainerImplementation(
        inner,
        spec=spec,
        platform=platform,
        image=image,
        mount=mount,
        client=client,
        backend=backend,
        problem=problem,
    )
