"""pytest plugin: run a corpus of pixiconf cases (CASE-FORMAT.md) as test items.

Only hooks and options live here: the items are in :mod:`pixiconf.plugin.items`, the run's
state in :mod:`.settings`, roots in :mod:`.roots`, markers in :mod:`.markers`, directories in
:mod:`.workspaces`; loading, materialising, running and grading a case are in
:mod:`pixiconf.corpus`.  Hooks: https://docs.pytest.org/en/stable/reference/reference.html.

- Corpus roots come from ``--pixiconf-cases DIR`` (repeatable) and the ini option
  ``pixiconf_cases`` (paths relative to the ini file).  Only files below a root are collected,
  so installing the plugin never collects other projects' YAML.  A ``--pixiconf-cases`` root is
  added to the run's paths (when no paths are given on the command line, it replaces
  ``testpaths``), so it is collected wherever it is; an ini root is collected when pytest walks
  it (e.g. through ``testpaths``).  Inside a root, directories whose name starts with ``_`` or
  ``.`` are not collected and ``norecursedirs`` does not apply (``build`` is an area name);
  ``--ignore``, ``--ignore-glob`` and a ``conftest.py``'s ``collect_ignore`` and
  ``collect_ignore_glob`` do, by pytest itself (:func:`pytest_ignore_collect`).
- One item per case file, named with the case ID (``-k`` matches parts of IDs).
- Markers: one per area (first directory of the ID) and one per feature tag, spelt as
  :mod:`pixiconf.plugin.markers` says (``pypi-options`` → ``pypi_options``).
- A malformed case is an ERROR at setup of its item; an unsupported operation is a SKIP
  ``unsupported by <implementation>: <reason>``; a FAIL shows a report, not a traceback.
  A case-named entry that is not a regular file (a FIFO, a link to a device) is not collected,
  with a warning; a file name that is not UTF-8 gets a node ID with ``\\xNN`` escapes (the
  case is an ERROR).
- Every operation runs under ``--pixiconf-timeout`` (:mod:`pixiconf.corpus.isolation`: the
  reference in a worker process per pytest process, killed and restarted after a timeout);
  an operation that runs out of time is a TIMEOUT.
- Every case's directory, and the worker's, is made in pytest's base temporary directory
  (``--basetemp``; one per xdist worker) and kept or removed as ``tmp_path_retention_policy``
  says; a failed case's report names its kept directory (:mod:`pixiconf.plugin.workspaces`).
- The implementation comes from the ``pytest_pixiconf_make_implementation`` hook
  (:mod:`pixiconf.plugin.hookspecs`), by default
  :func:`~pixiconf.implementations.load_implementation`.
"""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path, PurePosixPath

import pytest

from pixiconf.corpus.bundled import bundled_corpus
from pixiconf.corpus.loader import (
    CASE_SUFFIXES,
    CorpusWarning,
    is_case_path,
    not_a_regular_file,
)
from pixiconf.corpus.schema import display_path
from pixiconf.implementations.base import Implementation
from pixiconf.implementations.registry import UnknownImplementationError, load_implementation
from pixiconf.plugin import hookspecs
from pixiconf.plugin.items import CaseFile, CaseItem, case_file
from pixiconf.plugin.markers import marker_name, register_vocabulary
from pixiconf.plugin.roots import add_paths, cli_roots, ini_roots
from pixiconf.plugin.settings import SETTINGS, Settings
from pixiconf.plugin.workspaces import (
    SECTION,
    failed_report,
    keeps,
    retention_policy,
    run_scratch,
)

__all__ = ["CaseFile", "CaseItem", "marker_name"]

#: Conformance gating (expectation files, ``pixi`` ranges, JSON reports, shards), and
#: ``--pixiconf-container`` (it wraps the implementation once pytest's temp directory exists).
pytest_plugins = ["pixiconf.plugin.gating", "pixiconf.plugin.containers"]


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


# --------------------------------------------------------------------------- options and setup


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register :mod:`pixiconf.plugin.hookspecs`."""
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    """See ``pytest_addoption`` in the pytest reference."""
    group = parser.getgroup("pixiconf", "pixi manifest conformance cases")
    group.addoption(
        "--pixiconf-cases",
        action="append",
        default=[],
        dest="pixiconf_cases",
        metavar="DIR",
        help="collect every case file below DIR (repeatable).",
    )
    group.addoption(
        "--pixiconf-impl",
        default=None,
        dest="pixiconf_impl",
        metavar="NAME",
        help="implementation to run cases against (default: reference).",
    )
    group.addoption(
        "--pixiconf-backend",
        default=None,
        dest="pixiconf_backend",
        metavar="PATH",
        help="build backend binary for recipe/variants/map-pypi through an external pixi.",
    )
    group.addoption(
        "--pixiconf-timeout",
        default=60.0,
        type=_positive_seconds,
        dest="pixiconf_timeout",
        metavar="SECONDS",
        help="time limit for one operation (default: 60).",
    )
    group.addoption(
        "--pixiconf-container",
        default=None,
        dest="pixiconf_container",
        metavar="PLATFORM",
        help="run every operation in a Docker container of PLATFORM, e.g. linux-64 "
        "(pixiconf.containers; images from `pixiconf containers build`).",
    )
    parser.addini(
        "pixiconf_cases",
        type="paths",
        default=[],
        help="directories of pixiconf cases, relative to the ini file.",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    """With ``--pixiconf-cases`` and no paths on the command line, run only the corpus.

    The roots must replace ``testpaths`` before pytest picks the initial conftests: otherwise
    a project's own test conftests (which may import test-only packages such as hypothesis)
    are loaded by a run that only asked for cases.  Changing ``args`` in place is how this hook
    adds arguments (pytest reference, ``pytest_load_initial_conftests``).
    """
    namespace = early_config.known_args_namespace
    values = getattr(namespace, "pixiconf_cases", None) or []
    if not values and getattr(namespace, "pixiconf_impl", None) is not None:
        # An implementation but no corpus anywhere: run the corpus pixiconf ships.  The
        # directory's own conftests still load (they may define the implementation), so the
        # root is only added to the run's paths later, by ``pytest_configure``.
        bundled = None if early_config.getini("pixiconf_cases") else bundled_corpus()
        if bundled is not None:
            args.append(f"--pixiconf-cases={bundled}")
        return
    if not values or namespace.file_or_dir:
        return
    roots = [os.path.abspath(early_config.invocation_params.dir / value) for value in values]
    args.extend(roots)
    namespace.file_or_dir = roots


@pytest.hookimpl(trylast=True)
def pytest_pixiconf_make_implementation(config: pytest.Config, name: str) -> Implementation:
    """Default: resolve ``name`` with :func:`load_implementation`."""
    return load_implementation(name, backend=config.getoption("pixiconf_backend", None))


def pytest_configure(config: pytest.Config) -> None:
    """See ``pytest_configure`` in the pytest reference."""
    given = cli_roots(config)
    roots = tuple(dict.fromkeys([*given, *ini_roots(config)]))
    name = config.getoption("pixiconf_impl")
    implementation = None
    if roots or name is not None:
        try:
            implementation = config.hook.pytest_pixiconf_make_implementation(
                config=config, name=name or "reference"
            )
        except UnknownImplementationError as exc:
            raise pytest.UsageError(f"--pixiconf-impl: {exc}") from None
    settings = Settings(
        roots,
        implementation,
        config.getoption("pixiconf_timeout"),
        scratch=run_scratch(config),
    )
    config.stash[SETTINGS] = settings
    add_paths(config, given)
    for root in roots:
        register_vocabulary(config, settings, root)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the worker and remove the directories the run made for itself, however it ended."""
    settings = config.stash.get(SETTINGS, None)
    if settings is not None:
        try:
            close = getattr(settings.implementation, "close", None)
            if callable(close):  # e.g. the container of --pixiconf-container
                close()
        finally:
            settings.scratch.close()


def pytest_report_header(config: pytest.Config) -> list[str]:
    """See ``pytest_report_header`` in the pytest reference."""
    settings = config.stash.get(SETTINGS, None)
    if settings is None or not settings.roots or settings.implementation is None:
        return []
    impl = settings.implementation
    return [
        f"pixiconf: implementation {impl.name} ({impl.version()})",
        f"pixiconf: cases in {', '.join(map(str, settings.roots))}",
    ]


# --------------------------------------------------------------------------- collection


class _WithoutNorecursedirs:
    """The run's config as pytest's own ``pytest_ignore_collect`` reads it, with an empty
    ``norecursedirs``."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    def getini(self, name: str):
        return [] if name == "norecursedirs" else self._config.getini(name)

    def __getattr__(self, name: str):
        return getattr(self._config, name)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Inside a corpus root, skip ``_``/``.`` directories and ignore ``norecursedirs``.

    pytest answers this hook for ``collect_ignore``, ``--ignore``, ``collect_ignore_glob``,
    ``--ignore-glob``, virtualenvs and ``norecursedirs`` in one implementation
    (``_pytest/main.py``, ``pytest_ignore_collect``), and it is the last one called (it is
    registered first and is neither ``tryfirst`` nor ``trylast``; the first answer other than
    ``None`` wins).  This one is called just before it: conftests' and other plugins'
    implementations have had their say.  A file is left to pytest; a directory of a root that
    is not hidden gets pytest's own answer computed without ``norecursedirs``, and ``False``
    (collect it) when pytest would ignore it for ``norecursedirs`` alone.
    """
    settings = config.stash.get(SETTINGS, None)
    if settings is None or not settings.roots:
        return None
    root = settings.root_of(collection_path)
    if root is None or not collection_path.is_dir():
        return None
    below = collection_path.relative_to(root).parts
    if any(part.startswith(("_", ".")) for part in below):
        return True
    own = getattr(config.pluginmanager.get_plugin("main"), "pytest_ignore_collect", None)
    if own is None:  # not pytest's main module as known: leave the answer to pytest
        return None
    return bool(own(collection_path=collection_path, config=_WithoutNorecursedirs(config)))


def _file_or_directory(entry: os.DirEntry) -> bool:
    """A regular file (pytest collects it) or a directory; no ``stat`` call but for links."""
    try:
        return entry.is_file() or entry.is_dir()
    except OSError:  # a link loop
        return False


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> None:
    """Warn about case-named entries pytest's walk passes over silently: FIFOs, links to
    devices, dangling links (:func:`~pixiconf.corpus.loader.not_a_regular_file`)."""
    settings = parent.config.stash.get(SETTINGS, None)
    root = settings.root_of(path) if settings is not None else None
    if root is None:
        return
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if not entry.name.endswith(CASE_SUFFIXES) or _file_or_directory(entry):
            continue
        file_path = Path(entry.path)
        if not is_case_path(PurePosixPath(*file_path.relative_to(root).parts)):
            continue
        why = not_a_regular_file(file_path)  # os.stat: a link loop is a reason, not an error
        if why is None or why.endswith("a directory, not a regular file"):
            continue
        warnings.warn(CorpusWarning(f"{display_path(file_path)} {why}; skipped"), stacklevel=1)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> CaseFile | None:
    """See ``pytest_collect_file`` in the pytest reference."""
    if file_path.suffix not in CASE_SUFFIXES:
        return None
    settings = parent.config.stash.get(SETTINGS, None)
    if settings is None or not settings.roots:
        return None
    root = settings.root_of(file_path)
    if root is None or not is_case_path(PurePosixPath(*file_path.relative_to(root).parts)):
        return None
    why = not_a_regular_file(file_path)
    if why is not None:
        warnings.warn(CorpusWarning(f"{display_path(file_path)} {why}; skipped"), stacklevel=1)
        return None
    return case_file(file_path, parent, root)


# --------------------------------------------------------------------------- running


@pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: sees gating's and recording's outcome
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Note a failed case (its directory may be kept); name a kept directory in the report."""
    report = yield
    if isinstance(item, CaseItem) and failed_report(report):
        item.failed = True
        policy = retention_policy(item.config)
        if report.failed and item.base is not None and keeps(policy, failed=True):
            report.sections.append((SECTION, f"kept in {item.base}"))
    return report
