"""Reaching the Docker engine through the ``docker`` SDK (the ``containers`` extra).

Every failure to reach it is an :class:`EngineUnavailable` whose message says what to do; no
caller sees an SDK traceback for a missing package or a stopped daemon.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = [
    "LABEL",
    "OWNER_LABEL",
    "EngineUnavailable",
    "connect",
    "engine_machine",
    "is_local_engine",
]

#: Every container a run starts carries this label (value ``1``), so leftovers can be found.
LABEL = "org.pixiconf.run"
#: ``<hostname>:<pid>`` of the pytest process that owns the container.
OWNER_LABEL = "org.pixiconf.owner"


class EngineUnavailable(RuntimeError):
    """The SDK is not installed or the engine does not answer."""


def connect(timeout: float = 30.0) -> Any:
    """A ``docker.DockerClient`` for the environment's engine (``DOCKER_HOST`` or the local
    socket), after a ping."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError:
        raise EngineUnavailable(
            "the docker Python SDK is not installed; install pixiconf's 'containers' extra "
            "(pip install 'pixiconf[containers]')"
        ) from None
    try:
        client = docker.from_env(timeout=int(timeout))
        client.ping()
    except DockerException as exc:
        where = os.environ.get("DOCKER_HOST") or "the local socket"
        raise EngineUnavailable(
            f"the Docker engine is not reachable through {where}: {exc}"
        ) from None
    except OSError as exc:  # requests' connection errors are OSErrors too
        raise EngineUnavailable(f"the Docker engine is not reachable: {exc}") from None
    return client


def engine_machine(client: Any) -> str:
    """The engine's machine (``x86_64``, ``aarch64``), as ``docker info`` reports it."""
    return str(client.info().get("Architecture", ""))


def is_local_engine() -> bool:
    """True when the engine runs on this machine's kernel (a unix socket)."""
    host = os.environ.get("DOCKER_HOST", "")
    return not host or host.startswith("unix://")
