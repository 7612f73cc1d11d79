"""The plugin's per-run state, kept in ``config.stash`` (never in module globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pixiconf.corpus.scratch import Scratch
from pixiconf.implementations.base import Implementation

__all__ = ["SETTINGS", "Settings"]


@dataclass
class Settings:
    """What :func:`pixiconf.plugin.pytest_configure` found: the corpus roots, the
    implementation (wrapped by :mod:`pixiconf.plugin.containers` for ``--pixiconf-container``),
    the time limit, the registered marker names and the run's directories
    (:mod:`pixiconf.plugin.workspaces`)."""

    roots: tuple[Path, ...]
    implementation: Implementation | None
    timeout: float
    scratch: Scratch
    markers: set[str] = field(default_factory=set)


SETTINGS = pytest.StashKey[Settings]()
