"""Writing ``pixi.lock`` with ``rattler.LockFile`` (format version 7), atomically.

What pixi writes (``UpdateContext::update`` in ``crates/pixi_core/src/lock_file/update.rs``):
every platform any environment uses, with its declared virtual packages; per environment its
(grouped) channels as base URLs, its solve options and the records of each platform.  The
serialisation and all ordering are rattler's (``rattler_lock/src/parse/serialize.rs``):
platforms by name, environments by name, package selectors per platform sorted, packages
de-duplicated and sorted, fields that can be derived from a location left out.

Platforms that are not subdir platforms (those ``[system-requirements]`` synthesise or
compose, e.g. ``linux-64-cuda-12-0``) are written under their short aliases ``p1``, ``p2``, ...
(``shorten_platform_names`` in ``crates/pixi_core/src/lock_file/platform_rename.rs``, applied
by ``write_to_disk``): in ``platforms[].name`` and in each environment's ``packages`` keys, with
an explicit ``subdir``.  rattler sorts the platforms by that name, as strings (``p10`` before
``p2``).

py-rattler has no setter for an environment's ``options`` (``SolveOptions``), so non-default
options are added to rattler's own output and the file is read back and written again by
``rattler.LockFile``: every byte of the result is rattler's serialisation.  The file is
written to a temporary sibling and moved into place, so a failure never leaves a
half-written ``pixi.lock``.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from pixiconf.diagnostics import Diagnostic, DiagnosticError
from pixiconf.lock.platform_rename import shorten_platform_names
from pixiconf.lock.solve import WorkspaceSolution

__all__ = ["DEFAULT_OPTIONS", "write_lock_file"]

#: ``SolveOptions::default()``: options equal to these are not written.
DEFAULT_OPTIONS = {"strategy": "highest", "channel-priority": "strict"}


#: pixi's ``SolveStrategy`` → rattler_solve's, as serialised (``pixi_manifest/src/workspace.rs``).
LOCK_STRATEGIES = {
    "highest": "highest",
    "lowest": "lowest-version",
    "lowest-direct": "lowest-version-direct",
}


def _options(strategy: str, priority: str) -> dict[str, str]:
    values = {"strategy": LOCK_STRATEGIES[strategy], "channel-priority": priority}
    return {k: v for k, v in values.items() if v != DEFAULT_OPTIONS[k]}


def _insert_options(text: str, options: dict[str, dict[str, str]]) -> str:
    """Add ``options:`` before ``packages:`` of each listed environment of rattler's output."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    section = None
    environment = None
    for line in lines:
        if not line.startswith(" "):
            section = line.rstrip(":\n")
            environment = None
        elif section == "environments" and re.match(r"^  \S", line):
            environment = line.strip().rstrip(":").strip("'\"")
        elif (
            section == "environments"
            and environment in options
            and line.startswith("    packages:")
        ):
            out.append("    options:\n")
            out += [f"      {key}: {value}\n" for key, value in options[environment].items()]
        out.append(line)
    return "".join(out)


def write_lock_file(solution: WorkspaceSolution, path: Path) -> Path:
    """Write ``solution`` to ``path`` (``pixi.lock``); return ``path``.  The records of
    ``solution`` are consumed: each environment's ``records`` is empty afterwards."""
    from rattler import LockChannel, LockFile, Subdir
    from rattler import LockPlatform as RattlerLockPlatform

    aliases = shorten_platform_names(solution.declared)
    lock = LockFile(
        [
            RattlerLockPlatform(
                aliases.get(p.name, p.name), Subdir(p.subdir), p.lock_virtual_packages
            )
            for p in solution.platforms
        ]
    )
    by_name = {p.name: p for p in lock.platforms()}
    options: dict[str, dict[str, str]] = {}
    for env in solution.environments:
        lock.set_channels(env.name, [LockChannel(url) for url in env.channels])
        for platform_name in list(env.records):
            platform = by_name[aliases.get(platform_name, platform_name)]
            # ``LockFile`` keeps its own copy of every record: the solution's are let go as
            # they are added, so they are not held next to that copy while it is written.
            records = env.records.pop(platform_name)
            records.reverse()
            while records:
                lock.add_conda_package(env.name, platform, records.pop())
        if _options(env.strategy, env.channel_priority):
            options[env.name] = _options(env.strategy, env.channel_priority)

    # Atomic: a temporary file next to ``path``, renamed over it.  An interrupt or an error
    # leaves the old lock file (or none) and no temporary file.
    path = Path(path)
    temp = None
    try:
        fd, temp = tempfile.mkstemp(prefix=".pixi.lock.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        lock.to_path(temp)
        if options:
            text = Path(temp).read_text(encoding="utf-8")
            Path(temp).write_text(_insert_options(text, options), encoding="utf-8")
            LockFile.from_path(temp).to_path(temp)
        os.replace(temp, path)
    except BaseException as exc:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):  # `write_to_disk`: its context, then the io error
            reason = (
                f"{exc.strerror} (os error {exc.errno})" if exc.errno and exc.strerror else str(exc)
            )
            raise DiagnosticError(
                Diagnostic(f"failed to write lock file to disk\n{reason}", file=path.name)
            ) from None
        raise
    return path
