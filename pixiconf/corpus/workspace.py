"""Materialising a case into a fresh temporary directory (CASE-FORMAT.md §2).

Layout of the directory a case gets (``base``)::

    base/workspace/   the workspace root: the case's ``files``
    base/channels/    one local conda channel per ``channels`` entry (``repodata.json`` per
                      subdir, ``noarch`` always present)
    base/home/        ``HOME`` for the run

Paths of ``files`` and ``cwd`` are checked again here (the schema checks them first): ``..``,
absolute paths, drive letters and anything that resolves outside the root, through symlinks
too, raise :class:`WorkspaceError`; so do ``env`` values and ``args`` that are paths leading
outside ``base`` (:func:`pixiconf.confinement.confine_case_paths`).  The run environment
is only ``PATH``, ``HOME``, ``LANG=C.UTF-8``, ``NO_COLOR=1`` and the case's ``env``, which
cannot replace ``PATH`` or ``HOME``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pixiconf.confinement import (
    WorkspaceError,
    confine_case_paths,
    reserved_env_problem,
    resolve_inside,
)
from pixiconf.corpus.schema import CHANNEL_REF, Case

__all__ = [
    "Workspace",
    "WorkspaceError",
    "build_env",
    "materialise",
    "resolve_inside",
    "temporary_workspace",
    "write_channel",
]


@dataclass(frozen=True, slots=True)
class Workspace:
    """A materialised case: where to run and with which environment."""

    base: Path
    root: Path
    cwd: Path
    env: Mapping[str, str]
    #: channel name → ``file://`` URL.
    channels: Mapping[str, str]


def build_env(home: Path, case_env: Mapping[str, str]) -> dict[str, str]:
    """The run environment: the minimal safe set plus the case's ``env`` (§2 ``env``).

    ``PATH`` and ``HOME`` are the runner's: a case that sets them is an error."""
    for name in case_env:
        why = reserved_env_problem(name)
        if why:
            raise WorkspaceError(why, f"env.{name}")
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
    }
    env.update(case_env)
    return env


def write_channel(directory: Path, subdirs: Mapping[str, Any]) -> None:
    """Write a local conda channel: one ``repodata.json`` per subdir, ``noarch`` always
    (record defaults: :mod:`pixiconf.corpus.channels`, docs/channels.md)."""
    from pixiconf.corpus.channels import write_repodata

    write_repodata(directory, subdirs)


def materialise(case: Case, base: Path) -> Workspace:
    """Write ``case`` into the empty directory ``base``; return where and how to run it."""
    base = Path(base).resolve()
    root, home, channel_dir = base / "workspace", base / "home", base / "channels"
    for directory in (root, home):
        directory.mkdir(parents=True, exist_ok=True)
    urls = {}
    for name, subdirs in case.channels.items():
        write_channel(channel_dir / name, subdirs)
        urls[name] = (channel_dir / name).as_uri()

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in urls:
            raise WorkspaceError(f"'{match.group(0)}' names no channel of this case", "files")
        return urls[name]

    for relative, content in case.files.items():
        # Checked before any directory is made: only regular files and directories are
        # written below, so nothing can turn into a symlink afterwards.
        target = resolve_inside(root, relative, resolved_root=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            with target.open("w", encoding="utf-8", newline="") as handle:
                handle.write(CHANNEL_REF.sub(substitute, content))
    cwd = root
    if case.cwd:
        cwd = resolve_inside(root, case.cwd, resolved_root=True, key="cwd")
        if not cwd.is_dir():
            raise WorkspaceError(f"{case.cwd!r} is not a directory of the workspace", "cwd")
    env = build_env(home, case.env)
    confine_case_paths(env=case.env, args=case.args, cwd=cwd, home=home, base=base)
    return Workspace(base, root, cwd, env, urls)


@contextmanager
def temporary_workspace(case: Case, parent: Path | None = None) -> Iterator[Workspace]:
    """Materialise ``case`` in a fresh temporary directory, removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="pixiconf-", dir=parent))
    try:
        yield materialise(case, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)
