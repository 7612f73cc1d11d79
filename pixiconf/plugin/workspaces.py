"""Case directories under pytest's temporary directory, kept as pytest keeps ``tmp_path``.

Where: every case's directory (its workspace, home and channels,
:mod:`pixiconf.corpus.workspace`) and the reference's worker directory
(:mod:`pixiconf.corpus.isolation`) are made in the run's base temporary directory: the
``--basetemp`` directory when given, otherwise pytest's numbered ``pytest-of-<user>/pytest-N``.
Under pytest-xdist every worker has its own (xdist runs each worker with
``--basetemp=<the controller's>/popen-gwN``).  A case's directory is named after its ID
(:func:`pixiconf.corpus.scratch.directory_name`, as ``tmp_path`` names a test's), e.g.
``discovery_finds_manifest0``.  With ``--pixiconf-container`` the base temporary directory is
what the container mounts.

Which directory: pytest makes one :class:`pytest.TempPathFactory` per run.  Its public route is
the session fixture ``tmp_path_factory``, but fixtures only reach Python test functions (a
``FixtureRequest`` needs a ``Function`` item) and a case item is not one.
``TempPathFactory.from_config`` would make a second factory: a second numbered ``pytest-N``
directory per run (so ``tmp_path_retention_count`` would count each run twice) that nothing
cleans up.  So the plugin uses the object the fixture returns, ``config._tmp_path_factory``,
which pytest attaches to the config for plugins (``_pytest/tmpdir.py``,
``pytest_configure``).  Without it (pytest's tmpdir plugin disabled, ``-p no:tmpdir``) the
directories go into a ``pixiconf-*`` directory of the system's temporary directory, removed
at the end of the run, also after Ctrl-C (:class:`pixiconf.corpus.scratch.Scratch`).

Which directories are kept: the ini option ``tmp_path_retention_policy``, as for ``tmp_path``:

- ``all`` (pytest's default): every case's directory;
- ``failed``: the directories of failed cases (FAIL, ERROR, TIMEOUT, XPASS, and XFAIL, an
  expected failure); the others are removed when their case is torn down;
- ``none``: none; each is removed when its case is torn down.

Older runs are pytest's business: it keeps ``tmp_path_retention_count`` numbered directories
(none with the policy ``none``), empties a given ``--basetemp`` when a run starts, and with
``failed`` removes the whole directory after a run in which every test passed.  A failed case
whose directory is kept has a ``pixiconf workspace`` section in its report naming it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from pixiconf.corpus.scratch import Scratch

__all__ = ["SECTION", "failed_report", "keeps", "retention_policy", "run_scratch"]

#: Title of the report section that names a failed case's kept directory.
SECTION = "pixiconf workspace"

_POLICIES = ("all", "failed", "none")
_POLICY = pytest.StashKey[str]()


def _factory(config: pytest.Config) -> pytest.TempPathFactory | None:
    """The run's ``TempPathFactory`` (see the module docstring), or ``None``."""
    factory = getattr(config, "_tmp_path_factory", None)
    return factory if isinstance(factory, pytest.TempPathFactory) else None


def run_scratch(config: pytest.Config) -> Scratch:
    """The run's directories: in the base temporary directory, looked up on first use (pytest
    makes its factory after this plugin's ``pytest_configure``)."""

    def basetemp() -> Path | None:
        factory = _factory(config)
        return factory.getbasetemp() if factory is not None else None

    return Scratch(basetemp)


def retention_policy(config: pytest.Config) -> str:
    """``tmp_path_retention_policy`` (``none`` when pytest's tmpdir plugin is not there: the
    directories are then removed as soon as their case is done).  Read on first use, once the
    factory exists, and kept in ``config.stash``."""
    policy = config.stash.get(_POLICY, None)
    if policy is None:
        policy = "none"
        if _factory(config) is not None:
            with contextlib.suppress(ValueError):  # ValueError: the option is not registered
                policy = str(config.getini("tmp_path_retention_policy"))
        policy = config.stash[_POLICY] = policy if policy in _POLICIES else "all"
    return policy


def keeps(policy: str, failed: bool) -> bool:
    """Whether a case's directory outlives its case under ``policy``."""
    return policy == "all" or (policy == "failed" and failed)


def failed_report(report: pytest.TestReport) -> bool:
    """A report of a case that failed, expectedly (XFAIL) or not."""
    return report.failed or (report.when == "call" and hasattr(report, "wasxfail"))
