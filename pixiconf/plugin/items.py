"""The collectors and items of the plugin: one :class:`CaseFile` per case file, one
:class:`CaseItem` in it (see :mod:`pixiconf.plugin` for what a run shows).

Collection reads no case: the item is named with the case ID and marked with the tags
:mod:`pixiconf.corpus.tags` scans cheaply; the case is loaded and validated when the item runs,
so under pytest-xdist each process only loads the cases it runs.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pixiconf.confinement import WorkspaceError
from pixiconf.corpus.loader import case_id, load_case
from pixiconf.corpus.runner import CaseOutcome, CaseResult, execute, format_result
from pixiconf.corpus.schema import Case, CaseError, display_path
from pixiconf.corpus.tags import case_tags, features_mismatch
from pixiconf.corpus.workspace import Workspace, materialise
from pixiconf.plugin.markers import register_marker
from pixiconf.plugin.settings import SETTINGS
from pixiconf.plugin.workspaces import keeps, retention_policy

__all__ = ["CaseFailed", "CaseFile", "CaseItem", "case_file"]


def case_file(file_path: Path, parent: pytest.Collector, root: Path) -> CaseFile:
    """The collector of a case file of the corpus ``root``; a file name that is not UTF-8 gets
    a name and a node ID with ``\\xNN`` escapes (reports are text: junitxml, xdist's
    messages)."""
    if display_path(file_path.name) == file_path.name:
        return CaseFile.from_parent(parent, path=file_path, root=root)
    nodeid = f"{parent.nodeid}/{display_path(file_path.name)}".lstrip("/")
    return CaseFile.from_parent(
        parent, path=file_path, name=display_path(file_path.name), nodeid=nodeid, root=root
    )


class CaseFile(pytest.File):
    """One case file; yields one :class:`CaseItem`, named and marked without loading the case
    (:mod:`pixiconf.corpus.tags`): the item loads it when it runs."""

    def __init__(self, *, root: Path, **kwargs) -> None:
        super().__init__(**kwargs)
        self.root = root

    def collect(self) -> Iterator[CaseItem]:
        settings = self.config.stash[SETTINGS]
        ident = case_id(self.path, self.root)
        tags = case_tags(self.path, ident)
        item = CaseItem.from_parent(self, name=ident, root=self.root, tags=tags)
        for tag in tags:
            with contextlib.suppress(AttributeError, ValueError):  # never stop the collection
                item.add_marker(register_marker(self.config, settings, tag))
        yield item


class CaseFailed(Exception):
    """Raised by :meth:`CaseItem.runtest` when the case did not pass; carries the result."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.case_id)
        self.result = result


class CaseItem(pytest.Item):
    """One case run against the configured implementation; the case is loaded on first use.

    ``base`` is the case's directory while it exists (:mod:`pixiconf.plugin.workspaces`),
    ``workspace`` the materialised case, ``failed`` whether a report of the case failed (set by
    :func:`pixiconf.plugin.pytest_runtest_makereport`; it decides whether ``base`` is kept)."""

    def __init__(self, *, root: Path, tags: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.root = root
        self.tags = tags
        self.result: CaseResult | None = None
        self.base: Path | None = None
        self.workspace: Workspace | None = None
        self.failed = False
        self._case: Case | CaseError | None = None

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
        self.base = self.config.stash[SETTINGS].scratch.new_case_directory(self.name)
        try:
            self.workspace = materialise(self.case, self.base)
        except (WorkspaceError, OSError) as exc:
            pytest.fail(
                f"{display_path(self.path)}: cannot materialise the workspace: {exc}", pytrace=False
            )

    def runtest(self) -> None:
        settings = self.config.stash[SETTINGS]
        implementation = settings.implementation
        assert isinstance(self.case, Case) and self.workspace and implementation is not None
        self.result = execute(
            self.case,
            settings.scratch.guarded(implementation),
            self.workspace,
            timeout=settings.timeout,
        )
        if self.result.outcome is CaseOutcome.SKIP:
            reason = f"unsupported by {self.result.implementation}: {self.result.message}"
            # Report the skip at the case file, not at this line of the plugin.
            raise pytest.skip.Exception(reason, _use_item_location=True)
        if self.result.outcome is not CaseOutcome.PASS:
            raise CaseFailed(self.result)

    def teardown(self) -> None:
        if self.base is not None:
            settings = self.config.stash[SETTINGS]
            if not keeps(retention_policy(self.config), self.failed):
                settings.scratch.discard(self.base)
            self.base = self.workspace = None

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None):
        if isinstance(excinfo.value, CaseFailed):
            return format_result(excinfo.value.result)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path | str, int, str]:
        shown = display_path(self.path)  # reports are text (xdist sends them as UTF-8)
        return (self.path if shown == str(self.path) else shown), 0, (f"pixiconf case {self.name}")
