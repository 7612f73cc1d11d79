"""Finding the corpus roots of a run (``--pixiconf-cases``, the ``pixiconf_cases`` ini option)
and making sure pytest collects them (see :mod:`pixiconf.plugin`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["add_paths", "cli_roots", "ini_roots"]


def cli_roots(config: pytest.Config) -> list[Path]:
    """The ``--pixiconf-cases`` directories, relative to the invocation directory."""
    roots = []
    for value in config.getoption("pixiconf_cases") or []:
        path = Path(os.path.abspath(config.invocation_params.dir / value))
        if not path.is_dir():
            raise pytest.UsageError(f"--pixiconf-cases: {value!r} is not a directory")
        roots.append(path)
    return roots


def ini_roots(config: pytest.Config) -> list[Path]:
    """The ``pixiconf_cases`` ini directories (pytest makes them relative to the ini file)."""
    roots = []
    for value in config.getini("pixiconf_cases"):
        path = Path(os.path.abspath(value))
        if path.is_dir():
            roots.append(path)
        else:
            config.issue_config_time_warning(
                pytest.PytestConfigWarning(f"pixiconf_cases: {path} is not a directory"), 2
            )
    return roots


def add_paths(config: pytest.Config, roots: list[Path]) -> None:
    """Make sure every ``--pixiconf-cases`` root is collected, whatever the cwd."""
    if not roots:
        return
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args[:] = []
        config.args_source = pytest.Config.ArgsSource.ARGS
    given = [
        Path(os.path.abspath(config.invocation_params.dir / arg.split("::", 1)[0]))
        for arg in config.args
    ]
    for root in roots:
        if not any(root == path or path in root.parents for path in given):
            config.args.append(str(root))
            given.append(root)
