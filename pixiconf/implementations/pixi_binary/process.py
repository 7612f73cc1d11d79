"""Running one command of an external ``pixi`` in an isolated environment.

Isolation (CASE-FORMAT.md §6, docs/implementations.md): every run gets a private ``HOME``,
``PIXI_HOME``, pixi/rattler/uv caches and XDG directories inside the case's base directory
(the parent of the workspace root, removed with the case); ``NO_COLOR=1``,
``PIXI_NO_WRAP=1``; ``PIXI_OFFLINE=1`` unless asked otherwise; no proxy variables; nothing
inherited from the calling process but what the runner put in the request's environment
(``PATH``, ``LANG`` and the case's ``env``).

A command that outlives its timeout is killed with its whole process group (pixi spawns build
backends); one that dies of a panic (Rust's panic exit code 101) or by a signal is a crash.  A
panic of another thread that the program survives (``panicked at`` on stderr, then an ordinary
exit: pixi 0.77 sometimes prints one from ``async-fd-lock`` while it cancels the other builds
of a failed ``pixi build``) does not decide the outcome: the exit code does, and the message
stays in the transcript.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CommandResult", "isolated_env", "isolation_dirs", "run_command"]

#: Exit code of a Rust program that panicked (``std::process::abort`` aside).
PANIC_EXIT_CODE = 101

#: Variables never passed to the binary, whatever the request's environment holds.
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "ftp_proxy")

#: Directory names below ``<case base>/pixi-run``; each is created before the first command.
_DIRS = {
    "HOME": "home",
    "PIXI_HOME": "pixi-home",
    "PIXI_CACHE_DIR": "cache/pixi",
    "RATTLER_CACHE_DIR": "cache/rattler",
    "UV_CACHE_DIR": "cache/uv",
    "XDG_CACHE_HOME": "xdg/cache",
    "XDG_CONFIG_HOME": "xdg/config",
    "XDG_DATA_HOME": "xdg/data",
    "XDG_STATE_HOME": "xdg/state",
    "XDG_RUNTIME_DIR": "xdg/runtime",
}


def isolation_dirs(base: Path) -> dict[str, Path]:
    """The private directories of one case run (created)."""
    root = Path(base) / "pixi-run"
    dirs = {name: root / relative for name, relative in _DIRS.items()}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    return dirs


def isolated_env(
    request_env: Mapping[str, str],
    base: Path,
    *,
    offline: bool = True,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The complete environment of one command (see the module docstring).

    ``request_env`` is the runner's environment for the case (``PATH``, ``HOME``, ``LANG``,
    ``NO_COLOR`` and the case's ``env``); a variable the case sets itself (e.g.
    ``PIXI_CACHE_DIR``) is kept, except proxies.  ``HOME`` always moves into the private
    directory tree so that nothing of the runner's home leaks in.
    """
    env = {k: v for k, v in request_env.items() if k.lower() not in PROXY_VARIABLES}
    for name, path in isolation_dirs(base).items():
        if name == "HOME" or name not in env:
            env[name] = str(path)
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    env["NO_COLOR"] = "1"
    env["PIXI_NO_WRAP"] = "1"
    if offline:
        env["PIXI_OFFLINE"] = "1"
    else:
        env.pop("PIXI_OFFLINE", None)
    env.update(extra or {})
    return env


@dataclass(frozen=True, slots=True)
class CommandResult:
    """One finished (or killed) command."""

    argv: tuple[str, ...]
    cwd: Path
    #: Variables of the run that differ from the runner's safe set (shown in transcripts).
    shown_env: tuple[tuple[str, str], ...]
    exit_code: int | None
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False

    @property
    def signal(self) -> int | None:
        """The signal that killed the process, if any (not for a timeout kill)."""
        if self.timed_out or self.exit_code is None or self.exit_code >= 0:
            return None
        return -self.exit_code

    @property
    def crashed(self) -> bool:
        return not self.timed_out and (self.signal is not None or self.exit_code == PANIC_EXIT_CODE)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def command_line(self) -> str:
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.shown_env)
        return (
            f"(cd {shlex.quote(str(self.cwd))} && {env + ' ' if env else ''}"
            f"{shlex.join(self.argv)})"
        )

    def status(self) -> str:
        if self.timed_out:
            return f"timed out after {self.duration:.1f}s (killed)"
        if self.signal is not None:
            try:
                name = signal.Signals(self.signal).name
            except ValueError:
                name = f"signal {self.signal}"
            return f"killed by {name}"
        return f"exit code {self.exit_code}"

    def transcript(self) -> str:
        parts = [f"$ {self.command_line()}", f"-> {self.status()} in {self.duration:.2f}s"]
        for title, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            if text.strip():
                parts.append(f"{title}:")
                parts += ["  " + line for line in text.rstrip("\n").splitlines()]
        return "\n".join(parts)


def run_command(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    shown: Sequence[str] = (),
) -> CommandResult:
    """Run ``argv`` to completion or until ``timeout`` seconds have passed; never raises for
    what the program does (a missing binary is exit code 127 with the reason on stderr)."""
    shown_env = tuple((k, env[k]) for k in shown if k in env)
    start = time.perf_counter()
    try:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        return CommandResult(
            tuple(argv),
            cwd,
            shown_env,
            127,
            "",
            f"cannot run: {exc}\n",
            time.perf_counter() - start,
        )
    try:
        out, err = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_group(process)
        out, err = process.communicate()
        timed_out = True
    return CommandResult(
        tuple(argv),
        cwd,
        shown_env,
        process.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        time.perf_counter() - start,
        timed_out,
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
