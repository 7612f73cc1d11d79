"""The lock flow: workspace manifest → solved environments → ``pixi.lock``, fully offline.

Entry point for other code (the ``lock`` op, the satisfiability checks and their property
tests)::

    from pixiconf.lock import lock_workspace

    path, warnings = lock_workspace(manifest, workspace_root, channels)

* ``manifest``: a loaded :class:`~pixiconf.manifest.model.WorkspaceManifest`;
* ``workspace_root``: the directory of the manifest; ``pixi.lock`` is written there,
  atomically (nothing is left behind when a solve fails);
* ``channels``: optional mapping channel name → ``file://`` URL of the case's local channels;
  the manifest's own channel URLs are what is solved and written (the ``lock`` observation
  rewrites them to ``{{channels.NAME}}``, :func:`pixiconf.operations.lock.rewrite_local_paths`);
* returns the path of the written ``pixi.lock`` and a list of warning
  :class:`~pixiconf.diagnostics.Diagnostic`;
* raises :class:`~pixiconf.diagnostics.DiagnosticError` (e.g. an environment cannot be
  solved: ``failed to solve requirements of environment 'ENV' for platform 'PLATFORM'`` with
  the solver's explanation) or :class:`~pixiconf.operations.UnsupportedOperation` (PyPI
  dependencies, source dependencies, channels that are not local, ...).

Modules, one job each: :mod:`.fixtures` (shared channel fixtures and repodata records),
:mod:`.virtual_packages` (pixi's platforms and their virtual packages), :mod:`.platform_rename`
(the ``p1``, ``p2``, ... names of those platforms in ``pixi.lock`` and back), :mod:`.solve`
(environments × platforms with ``rattler.solve``, solve groups), :mod:`.write` (``pixi.lock``
through ``rattler.LockFile``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pixiconf.diagnostics import Diagnostic
    from pixiconf.manifest.model import WorkspaceManifest

__all__ = ["LOCK_FILE_NAME", "lock_workspace"]

LOCK_FILE_NAME = "pixi.lock"


def lock_workspace(
    manifest: WorkspaceManifest,
    workspace_root: Path,
    channels: Mapping[str, str] | None = None,
) -> tuple[Path, list[Diagnostic]]:
    """Solve every environment × platform of ``manifest`` and write ``pixi.lock``."""
    from pixiconf.lock.solve import solve_workspace
    from pixiconf.lock.write import write_lock_file

    solution = solve_workspace(manifest, Path(workspace_root), channels or {})
    path = write_lock_file(solution, Path(workspace_root) / LOCK_FILE_NAME)
    return path, list(solution.warnings)
