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

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..base import Failed, Observed, OperationRequest, Outcome, Unsupported
from .process import CommandResult, isolated_env, run_command
from .stderr import info_messages, parse_warnings, skipped_dependencies

__all__ = ["CommandFailed", "PixiBinary", "Session", "detect_version"]

_VERSION = re.compile(r"\b(\d+\.\d+\.\d+(?:[-.+][0-9A-Za-z.+-]+)?)\b")
#: Marker the pixiconf shim puts before the reason of an operation the reference cannot do.
SHIM_UNSUPPORTED = "pixiconf-pixi: unsupported: "


class _Abort(Exception):
    """A command timed out or crashed: the operation stops there."""

    def __init__(self, result: CommandResult) -> None:
        super().__init__(result.status())
        self.result = result


class CommandFailed(Exception):
    """A command exited non-zero: the operation fails with its stderr."""

    def __init__(self, result: CommandResult) -> None:
        super().__init__(result.status())
        self.result = result


def detect_version(binary: str, timeout: float = 30.0) -> str:
    """``pixi --version`` → ``0.77.0`` (``unknown`` when it cannot be read)."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pixiconf-version-") as base:
        env = isolated_env({"PATH": os.environ.get("PATH", os.defpath)}, Path(base))
        result = run_command([binary, "--version"], cwd=Path(base), env=env, timeout=timeout)
    found = _VERSION.search(result.stdout) if result.ok else None
    return found.group(1) if found else "unknown"


class Session:
    """The commands of one operation of one case: same binary, same isolation."""

    def __init__(self, binary: str, request: OperationRequest) -> None:
        self.binary = binary
        self.request = request
        self.base = request.workspace_root.parent
        self.results: list[CommandResult] = []

    def env(self, *, offline: bool = True, extra: Mapping[str, str] | None = None,
            drop: tuple[str, ...] = ()):
        env = isolated_env(self.request.env, self.base, offline=offline, extra=extra)
        for name in drop:
            if name not in self.request.env:
                env.pop(name, None)
        return env

    def run(self, *args: str, offline: bool = True, extra: Mapping[str, str] | None = None,
            check: bool = True, drop: tuple[str, ...] = ()) -> CommandResult:
        """Run ``pixi ARGS`` in the case's cwd; a crash or timeout aborts the operation, a
        non-zero exit raises :class:`CommandFailed` when ``check``.  ``drop``: isolation
        variables left unset (unless the case sets them)."""
        env = self.env(offline=offline, extra=extra, drop=drop)
        shown = ["PIXI_OFFLINE", *(extra or {})]
        result = run_command([self.binary, *args], cwd=self.request.cwd, env=env,
                             timeout=self.request.timeout, shown=shown)
        self.results.append(result)
        if result.timed_out or result.crashed:
            raise _Abort(result)
        if check and not result.ok:
            raise CommandFailed(result)
        return result

    def json(self, *args: str, **kwargs: Any) -> Any:
        result = self.run(*args, **kwargs)
        try:
            return json.loads(result.stdout)
        except ValueError as exc:
            raise CommandFailed(CommandResult(
                result.argv, result.cwd, result.shown_env, result.exit_code, result.stdout,
                result.stderr + f"\npixiconf: stdout is not JSON: {exc}", result.duration,
            )) from None

    def transcript(self) -> str:
        return "\n".join(r.transcript() for r in self.results)

    def manifest_args(self) -> list[str]:
        path = self.request.args.get("manifest-path")
        return ["--manifest-path", str(path)] if isinstance(path, str) else []


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
        from . import build_route, operations

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
            return Unsupported("the build route needs a build backend binary "
                               "(--pixiconf-backend PATH)")
        session = Session(self.binary, request)
        session.backend = self.backend  # type: ignore[attr-defined]
        try:
            outcome = handler(session)
        except _Abort as exc:
            result = exc.result
            return Failed(
                message=(f"{result.status()}: {result.command_line()}\n{result.stderr}"),
                transcript=session.transcript(), exit_code=result.exit_code,
                timed_out=result.timed_out, crashed=result.crashed,
            )
        except CommandFailed as exc:
            return failed(session, exc.result)
        if isinstance(outcome, Observed | Failed) and not outcome.transcript:
            from dataclasses import replace

            outcome = replace(outcome, transcript=session.transcript())
        return outcome


def failed(session: Session, result: CommandResult,
           rewrite: Callable[[str], str] | None = None) -> Outcome:
    """A non-zero exit: the operation failed with stderr (or the shim says unsupported)."""
    text = result.stderr
    if SHIM_UNSUPPORTED in text:
        reason = text.split(SHIM_UNSUPPORTED, 1)[1].strip().splitlines()[0]
        return Unsupported(reason)
    if rewrite is not None:
        text = rewrite(text)
    warnings = tuple(w.text for w in parse_warnings(text))
    return Failed(message=text, warnings=warnings, transcript=session.transcript(),
                  exit_code=result.exit_code)


__all__ += ["failed", "info_messages", "skipped_dependencies"]
