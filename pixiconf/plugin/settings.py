"""The plugin's per-run state, kept in ``config.stash`` (never in module globals)."""

from __future__ import annotations

import os
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

    def __post_init__(self) -> None:
        # Shortest first: the first prefix that matches is the outermost root.
        roots = sorted(self.roots, key=lambda root: len(str(root)))
        self._prefixes = [(root, os.path.join(str(root), "")) for root in roots]

    def root_of(self, path: Path) -> Path | None:
        """The outermost root that contains ``path`` (IDs are relative to it), or ``None``:
        :func:`pixiconf.corpus.loader.find_root` on strings, as collection asks it for every
        path (``path`` is absolute and normalised, as pytest's paths are)."""
        text = str(path)
        for root, prefix in self._prefixes:
            if text.startswith(prefix) or text == prefix[:-1]:
                return root
        return None


SETTINGS = pytest.StashKey[Settings]()
