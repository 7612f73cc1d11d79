"""One operation's run of pixi commands: the commands, their transcript, and how a failed
command becomes an outcome.

A :class:`Session` runs each command of one operation in the case's isolated environment
(:func:`.process.isolated_env`) and keeps the transcript shown on failure.  A command that
times out or crashes aborts the operation (:class:`Abort`); one that exits non-zero raises
:class:`CommandFailed`, which :func:`failed` turns into the outcome (or a SKIP when the
``pixiconf-pixi`` shim says the reference does not support the input).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pixiconf.implementations.base import Failed, Outcome, Unsupported
from pixiconf.implementations.pixi_binary.process import CommandResult, isolated_env, run_command
from pixiconf.implementations.pixi_binary.stderr import (
    info_messages,
    parse_warnings,
    skipped_dependencies,
)
from pixiconf.implementations.pixi_shim.terminal import UNSUPPORTED_MARKER
from pixiconf.operations.request import OperationRequest

__all__ = ["SHIM_UNSUPPORTED", "Abort", "CommandFailed", "Session", "failed"]

#: Marker the pixiconf shim puts before the reason of an operation the reference cannot do.
SHIM_UNSUPPORTED = UNSUPPORTED_MARKER


class Abort(Exception):
    """A command timed out or crashed: the operation stops there."""

    def __init__(self, result: CommandResult) -> None:
        super().__init__(result.status())
        self.result = result


class CommandFailed(Exception):
    """A command exited non-zero: the operation fails with its stderr."""

    def __init__(self, result: CommandResult) -> None:
        super().__init__(result.status())
        self.result = result


class Session:
    """The commands of one operation of one case: same binary, same isolation."""

    def __init__(self, binary: str, request: OperationRequest) -> None:
        self.binary = binary
        self.request = request
        self.base = request.workspace_root.parent
        self.results: list[CommandResult] = []

    def env(
        self,
        *,
        offline: bool = True,
        extra: Mapping[str, str] | None = None,
        drop: tuple[str, ...] = (),
    ):
        env = isolated_env(self.request.env, self.base, offline=offline, extra=extra)
        for name in drop:
            if name not in self.request.env:
                env.pop(name, None)
        return env

    def run(
        self,
        *args: str,
        offline: bool = True,
        extra: Mapping[str, str] | None = None,
        check: bool = True,
        drop: tuple[str, ...] = (),
    ) -> CommandResult:
        """Run ``pixi ARGS`` in the case's cwd; a crash or timeout aborts the operation, a
        non-zero exit raises :class:`CommandFailed` when ``check``.  ``drop``: isolation
        variables left unset (unless the case sets them)."""
        env = self.env(offline=offline, extra=extra, drop=drop)
        shown = ["PIXI_OFFLINE", *(extra or {})]
        result = run_command(
            [self.binary, *args],
            cwd=self.request.cwd,
            env=env,
            timeout=self.request.timeout,
            shown=shown,
        )
        self.results.append(result)
        if result.timed_out or result.crashed:
            raise Abort(result)
        if check and not result.ok:
            raise CommandFailed(result)
        return result

    def json(self, *args: str, **kwargs: Any) -> Any:
        result = self.run(*args, **kwargs)
        try:
            return json.loads(result.stdout)
        except ValueError as exc:
            raise CommandFailed(
                CommandResult(
                    result.argv,
                    result.cwd,
                    result.shown_env,
                    result.exit_code,
                    result.stdout,
                    result.stderr + f"\npixiconf: stdout is not JSON: {exc}",
                    result.duration,
                )
            ) from None

    def transcript(self) -> str:
        return "\n".join(r.transcript() for r in self.results)

    def manifest_args(self) -> list[str]:
        path = self.request.args.get("manifest-path")
        return ["--manifest-path", str(path)] if isinstance(path, str) else []


def failed(
    session: Session, result: CommandResult, rewrite: Callable[[str], str] | None = None
) -> Outcome:
    """A non-zero exit: the operation failed with stderr (or the shim says unsupported)."""
    text = result.stderr
    if SHIM_UNSUPPORTED in text:
        reason = text.split(SHIM_UNSUPPORTED, 1)[1].strip().splitlines()[0]
        return Unsupported(reason)
    if rewrite is not None:
        text = rewrite(text)
    warnings = tuple(w.text for w in parse_warnings(text))
    return Failed(
        message=text, warnings=warnings, transcript=session.transcript(), exit_code=result.exit_code
    )


__all__ += ["failed", "info_messages", "skipped_dependencies"]
