"""pytest plugin: run a corpus of pixiconf cases (CASE-FORMAT.md) as test items.

Only pytest wiring lives here; loading, materialising, running and grading a case are in
:mod:`pixiconf.corpus`.  Hooks: https://docs.pytest.org/en/stable/reference/reference.html.

- Corpus roots come from ``--pixiconf-cases DIR`` (repeatable) and the ini option
  ``pixiconf_cases`` (paths relative to the ini file).  Only files below a root are collected,
  so installing the plugin never collects other projects' YAML.  A ``--pixiconf-cases`` root is
  added to the run's paths (when no paths are given on the command line, it replaces
  ``testpaths``), so it is collected wherever it is; an ini root is collected when pytest walks
  it (e.g. through ``testpaths``).  ``norecursedirs`` does not apply inside a root, ``--ignore``
  does.
- One item per case file, named with the case ID (``-k`` matches parts of IDs).
- Markers: one per area (first directory of the ID) and one per feature tag.  A marker name is
  the tag with every character other than a letter, digit or ``_`` replaced by ``_``
  (``pypi-options`` → ``pypi_options``); a name that clashes with a pytest marker or a ``-m``
  keyword (``skip``, ``not``, ...) or starts with ``_`` (``_x``, ``-x``, an emoji; pytest
  refuses such marker names) gets a ``pixiconf_`` prefix.
- A malformed case is an ERROR at setup of its item; an unsupported operation is a SKIP
  ``unsupported by <implementation>: <reason>``; a FAIL shows a report, not a traceback.
  A case-named entry that is not a regular file (a FIFO, a link to a device) is not collected,
  with a warning; a file name that is not UTF-8 gets a node ID with ``\\xNN`` escapes (the
  case is an ERROR).
- Every operation runs under ``--pixiconf-timeout`` (:mod:`pixiconf.corpus.isolation`: the
  reference in a worker process per pytest process, killed and restarted after a timeout);
  an operation that runs out of time is a TIMEOUT.
- Every case's temporary directory, and the worker's, lives in one ``pixiconf-*`` directory
  per pytest process, removed when the run ends, also when it is interrupted (Ctrl-C).
- The implementation comes from the ``pytest_pixiconf_make_implementation`` hook
  (:mod:`pixiconf.plugin.hookspecs`), by default :func:`~pixiconf.implementations.load_implementation`.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import keyword
import os
import re
import tempfile
import textwrap
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest

from pixiconf.confinement import WorkspaceError
from pixiconf.corpus.bundled import bundled_corpus
from pixiconf.corpus.loader import (
    CASE_SUFFIXES,
    CorpusWarning,
    case_id,
    find_root,
    is_case_path,
    load_case,
    not_a_regular_file,
    read_features,
)
from pixiconf.corpus.runner import CaseOutcome, CaseResult, execute, format_result
from pixiconf.corpus.schema import Case, CaseError, display_path
from pixiconf.corpus.scratch import Scratch as _Scratch
from pixiconf.corpus.tags import case_tags, features_mismatch
from pixiconf.corpus.workspace import Workspace, materialise
from pixiconf.implementations.base import Implementation
from pixiconf.implementations.registry import UnknownImplementationError, load_implementation
from pixiconf.plugin import hookspecs

#: Conformance gating (expectation files, ``pixi`` ranges, JSON reports, shards).
pytest_plugins = ["pixiconf.plugin.gating"]

_RESERVED_MARKERS = frozenset(
    {
        "skip",
        "skipif",
        "xfail",
        "parametrize",
        "usefixtures",
        "filterwarnings",
        "tryfirst",
        "trylast",
        "and",
        "or",
        "not",
        "True",
        "False",
        "None",
    }
)


@dataclass(frozen=True)
class _Settings:
    """Per-run plugin state, kept in ``config.stash`` (never in module globals)."""

    roots: tuple[Path, ...]
    implementation: Implementation | None
    timeout: float
    markers: set[str] = field(default_factory=set)
    scratch: _Scratch = field(default_factory=_Scratch)


_SETTINGS = pytest.StashKey[_Settings]()


def marker_name(tag: str) -> str:
    """The marker spelling of an area or feature tag (see the module docstring)."""
    name = re.sub(r"\W", "_", tag, flags=re.ASCII)
    reserved = name in _RESERVED_MARKERS or keyword.iskeyword(name)
    return f"pixiconf_{name}" if reserved or name.startswith("_") or not name else name


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
    cli_roots = _cli_roots(config)
    roots = tuple(dict.fromkeys([*cli_roots, *_ini_roots(config)]))
    name = config.getoption("pixiconf_impl")
    implementation = None
    if roots or name is not None:
        try:
            implementation = config.hook.pytest_pixiconf_make_implementation(
                config=config, name=name or "reference"
            )
        except UnknownImplementationError as exc:
            raise pytest.UsageError(f"--pixiconf-impl: {exc}") from None
    scratch = _Scratch()
    if config.getoption("pixiconf_container") and implementation is not None:
        implementation = _containerised(config, implementation, name or "reference", scratch)
    settings = _Settings(
        roots, implementation, config.getoption("pixiconf_timeout"), scratch=scratch
    )
    config.stash[_SETTINGS] = settings
    _add_paths(config, cli_roots)
    for root in roots:
        _register_vocabulary(config, settings, root)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the worker and remove every temporary directory, however the run ended."""
    settings = config.stash.get(_SETTINGS, None)
    if settings is not None:
        try:
            close = getattr(settings.implementation, "close", None)
            if callable(close):  # e.g. the container of --pixiconf-container
                close()
        finally:
            settings.scratch.close()


def _containerised(
    config: pytest.Config, implementation: Implementation, name: str, scratch: _Scratch
) -> Implementation:
    """Wrap ``implementation`` for ``--pixiconf-container`` (:mod:`pixiconf.containers`);
    the scratch directory is made now: it is what the container mounts."""
    from pixiconf.containers.runtime import ContainerUsageError, open_container_run

    scratch.directory = Path(tempfile.mkdtemp(prefix="pixiconf-"))
    try:
        return open_container_run(
            implementation,
            spec=name,
            mount=scratch.directory,
            platform_name=config.getoption("pixiconf_container"),
            backend=config.getoption("pixiconf_backend", None),
        )
    except ContainerUsageError as exc:
        scratch.close()
        raise pytest.UsageError(f"--pixiconf-container: {exc}") from None


def _cli_roots(config: pytest.Config) -> list[Path]:
    roots = []
    for value in config.getoption("pixiconf_cases") or []:
        path = Path(os.path.abspath(config.invocation_params.dir / value))
        if not path.is_dir():
            raise pytest.UsageError(f"--pixiconf-cases: {value!r} is not a directory")
        roots.append(path)
    return roots


def _ini_roots(config: pytest.Config) -> list[Path]:
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


def _register_vocabulary(config: pytest.Config, settings: _Settings, root: Path) -> None:
    """Register a root's areas and ``features.txt`` tags, so ``pytest --markers`` lists them.

    Tags that only cases use are registered when those cases are collected.
    """
    hidden = ("_", ".")
    tags = [e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith(hidden)]
    try:
        tags += read_features(root / "features.txt")
    except (OSError, UnicodeDecodeError):
        pass
    for tag in tags:
        _register_marker(config, settings, tag)


def _add_paths(config: pytest.Config, roots: list[Path]) -> None:
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


def _register_marker(config: pytest.Config, settings: _Settings, tag: str) -> str:
    name = marker_name(tag)
    if name not in settings.markers:
        settings.markers.add(name)
        config.addinivalue_line("markers", f"{name}: pixiconf cases of area or feature '{tag}'")
    return name


def pytest_report_header(config: pytest.Config) -> list[str]:
    """See ``pytest_report_header`` in the pytest reference."""
    settings = config.stash.get(_SETTINGS, None)
    if settings is None or not settings.roots or settings.implementation is None:
        return []
    impl = settings.implementation
    return [
        f"pixiconf: implementation {impl.name} ({impl.version()})",
        f"pixiconf: cases in {', '.join(map(str, settings.roots))}",
    ]


# --------------------------------------------------------------------------- collection


def _explicitly_ignored(path: Path, config: pytest.Config) -> bool:
    base = config.invocation_params.dir
    ignored = {Path(os.path.abspath(base / p)) for p in config.getoption("ignore") or []}
    globs = [os.path.abspath(base / g) for g in config.getoption("ignore_glob") or []]
    return path in ignored or any(fnmatch.fnmatch(str(path), g) for g in globs)


@pytest.hookimpl(tryfirst=True)
def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Inside a corpus root, skip ``_``/``.`` directories and ignore ``norecursedirs``."""
    settings = config.stash.get(_SETTINGS, None)
    if settings is None or not settings.roots:
        return None
    root = find_root(collection_path, settings.roots)
    if root is None or _explicitly_ignored(collection_path, config):
        return None
    below = collection_path.relative_to(root).parts
    return any(part.startswith(("_", ".")) for part in below) and collection_path.is_dir()


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> None:
    """Warn about case-named entries pytest's walk passes over silently: FIFOs, links to
    devices, dangling links (:func:`~pixiconf.corpus.loader.not_a_regular_file`)."""
    settings = parent.config.stash.get(_SETTINGS, None)
    root = find_root(path, settings.roots) if settings is not None else None
    if root is None:
        return
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        file_path = Path(entry.path)
        if not entry.name.endswith(CASE_SUFFIXES) or not is_case_path(
            PurePosixPath(*file_path.relative_to(root).parts)
        ):
            continue
        why = not_a_regular_file(file_path)  # os.stat: a link loop is a reason, not an error
        if why is None or why.endswith("a directory, not a regular file"):
            continue
        warnings.warn(CorpusWarning(f"{display_path(file_path)} {why}; skipped"), stacklevel=1)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> CaseFile | None:
    """See ``pytest_collect_file`` in the pytest reference."""
    if file_path.suffix not in CASE_SUFFIXES:
        return None
    settings = parent.config.stash.get(_SETTINGS, None)
    if settings is None or not settings.roots:
        return None
    root = find_root(file_path, settings.roots)
    if root is None or not is_case_path(PurePosixPath(*file_path.relative_to(root).parts)):
        return None
    why = not_a_regular_file(file_path)
    if why is not None:
        warnings.warn(CorpusWarning(f"{display_path(file_path)} {why}; skipped"), stacklevel=1)
        return None
    if display_path(file_path.name) == file_path.name:
        return CaseFile.from_parent(parent, path=file_path)
    # Not UTF-8: reports (junitxml, xdist's messages) are text, so name and node ID escape it.
    nodeid = f"{parent.nodeid}/{display_path(file_path.name)}".lstrip("/")
    return CaseFile.from_parent(
        parent, path=file_path, name=display_path(file_path.name), nodeid=nodeid
    )


class CaseFile(pytest.File):
    """One case file; yields one :class:`CaseItem`, named and marked without loading the case
    (:mod:`pixiconf.corpus.tags`): the item loads it when it runs."""

    def collect(self) -> Iterator[CaseItem]:
        settings = self.config.stash[_SETTINGS]
        root = find_root(self.path, settings.roots)
        assert root is not None  # pytest_collect_file only creates CaseFile below a root
        ident = case_id(self.path, root)
        tags = case_tags(self.path, ident)
        item = CaseItem.from_parent(self, name=ident, root=root, tags=tags)
        for tag in tags:
            with contextlib.suppress(AttributeError, ValueError):  # never stop the collection
                item.add_marker(_register_marker(self.config, settings, tag))
        yield item


class CaseFailed(Exception):
    """Raised by :meth:`CaseItem.runtest` when the case did not pass; carries the result."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.case_id)
        self.result = result


class CaseItem(pytest.Item):
    """One case run against the configured implementation; the case is loaded on first use."""

    def __init__(self, *, root: Path, tags: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.root = root
        self.tags = tags
        self.result: CaseResult | None = None
        self._case: Case | CaseError | None = None
        self._base: Path | None = None
        self._workspace: Workspace | None = None

    @property
    def case(self) -> Case | CaseError:
        """The loaded and validated case (:func:`~pixiconf.corpus.loader.load_case`)."""
        if self._case is None:
            self._case = load_case(self.path, self.root)
        return self._case

    def setup(self) -> None:
        if isinstance(self.case, CaseError):
            problems = self.case.problems
            count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
            lines = "\n".join(textwrap.indent(p.describe(), "  ") for p in problems)
            pytest.fail(
                f"malformed case {self.case.id}: {count} in {display_path(self.path)}\n{lines}",
                pytrace=False,
            )
        why = features_mismatch(self.case, self.tags)
        if why:
            pytest.fail(f"{display_path(self.path)}: {why}", pytrace=False)
        self._base = self.config.stash[_SETTINGS].scratch.new_case_directory()
        try:
            self._workspace = materialise(self.case, self._base)
        except (WorkspaceError, OSError) as exc:
            pytest.fail(
                f"{display_path(self.path)}: cannot materialise the workspace: {exc}", pytrace=False
            )

    def runtest(self) -> None:
        settings = self.config.stash[_SETTINGS]
        implementation = settings.implementation
        assert isinstance(self.case, Case) and self._workspace and implementation is not None
        self.result = execute(
            self.case,
            settings.scratch.guarded(implementation),
            self._workspace,
            timeout=settings.timeout,
        )
        if self.result.outcome is CaseOutcome.SKIP:
            reason = f"unsupported by {self.result.implementation}: {self.result.message}"
            # Report the skip at the case file, not at this line of the plugin.
            raise pytest.skip.Exception(reason, _use_item_location=True)
        if self.result.outcome is not CaseOutcome.PASS:
            raise CaseFailed(self.result)

    def teardown(self) -> None:
        if self._base is not None:
            self.config.stash[_SETTINGS].scratch.discard(self._base)
            self._base = self._workspace = None

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None):
        if isinstance(excinfo.value, CaseFailed):
            return format_result(excinfo.value.result)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path | str, int, str]:
        shown = display_path(self.path)  # reports are text (xdist sends them as UTF-8)
        return (self.path if shown == str(self.path) else shown), 0, (f"pixiconf case {self.name}")
