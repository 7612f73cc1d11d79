"""An external ``pixi`` binary as an :class:`~pixiconf.implementations.base.Implementation`.

Each operation of CASE-FORMAT.md §3 is observed through pixi commands (docs/implementations.md
has the table; every mapping was verified on pixi 0.77, see the project's research notes):

- ``discover``, ``check``, ``environments``: ``pixi workspace name get`` (parses and validates
  the whole manifest; the diagnostic and the warnings are on stderr) and ``pixi info --json``;
- ``resolve``: ``pixi workspace export conda-environment -e E -p P``, ``pixi info --json``,
  ``pixi workspace platform list --json`` (manifest order of platforms: ``info`` lists them in
  hash order), ``pixi task list --json`` and ``pixi shell-hook --json --no-install --frozen``
  (both only for the host platform);
- ``lock``: ``pixi lock`` (not offline), then ``pixi.lock``;
- ``lock-check``: ``RUST_LOG=pixi_core=info pixi list --locked``;
- ``recipe``, ``variants``, ``map-pypi``: ``pixi build`` with a local backend
  (:mod:`.build_route`);
- ``build-string``: no command shows it (unsupported).

What a command cannot show is named in :attr:`Observed.unobserved` and not compared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from pixiconf.implementations.base import Failed, Observed, Outcome, Unsupported
from pixiconf.implementations.pixi_binary import build_route, operations
from pixiconf.implementations.pixi_binary.process import isolated_env, run_command
from pixiconf.implementations.pixi_binary.session import Abort, CommandFailed, Session, failed
from pixiconf.operations.request import OperationRequest

__all__ = ["PixiBinary", "detect_version"]

_VERSION = re.compile(r"\b(\d+\.\d+\.\d+(?:[-.+][0-9A-Za-z.+-]+)?)\b")


def detect_version(binary: str, timeout: float = 30.0) -> str:
    """``pixi --version`` → ``0.77.0`` (``unknown`` when it cannot be read)."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pixiconf-version-") as base:
        env = isolated_env({"PATH": os.environ.get("PATH", os.defpath)}, Path(base))
        result = run_command([binary, "--version"], cwd=Path(base), env=env, timeout=timeout)
    found = _VERSION.search(result.stdout) if result.ok else None
    return found.group(1) if found else "unknown"


class PixiBinary:
    """Runs cases against an external pixi (or the ``pixiconf-pixi`` shim)."""

    def __init__(self, binary: str, *, backend: str | None = None, name: str | None = None):
        self.binary = str(binary)
        self.backend = backend
        self.name = name or Path(self.binary).name
        self._version: str | None = None

    def version(self) -> str:
        if self._version is None:
            self._version = detect_version(self.binary)
        return f"pixi {self._version} ({self.binary})"

    def run(self, request: OperationRequest) -> Outcome:
        handlers: dict[str, Callable[[Session], Outcome]] = {
            "discover": operations.discover,
            "check": operations.check,
            "environments": operations.environments,
            "resolve": operations.resolve,
            "lock": operations.lock,
            "lock-check": operations.lock_check,
            "recipe": build_route.recipe,
            "variants": build_route.variants,
            "map-pypi": build_route.map_pypi,
        }
        handler = handlers.get(request.op)
        if handler is None:
            return Unsupported(f"no pixi command shows the '{request.op}' operation")
        if request.op in ("recipe", "variants", "map-pypi") and not self.backend:
            return Unsupported(
                "the build route needs a build backend binary (--pixiconf-backend PATH)"
            )
        session = Session(self.binary, request)
        session.backend = self.backend  # type: ignore[attr-defined]
        try:
            outcome = handler(session)
        except Abort as exc:
            result = exc.result
            return Failed(
                message=(f"{result.status()}: {result.command_line()}\n{result.stderr}"),
                transcript=session.transcript(),
                exit_code=result.exit_code,
                timed_out=result.timed_out,
                crashed=result.crashed,
            )
        except CommandFailed as exc:
            return failed(session, exc.result)
        if isinstance(outcome, Observed | Failed) and not outcome.transcript:
            from dataclasses import replace

            outcome = replace(outcome, transcript=session.transcript())
        return outcome
