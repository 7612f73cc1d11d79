"""pytest wiring for gating a run on conformance (CASE-FORMAT.md §5); loaded by
:mod:`pixiconf.plugin` (``pytest_plugins``).  Only hooks and options live here:

- ``--pixiconf-expectations FILE``: grade cases against an expectation file
  (:mod:`pixiconf.corpus.expectations`): a listed case with its listed outcome is XFAIL, a listed
  case that passes is XPASS and fails; a listed ID that is not a case of the corpus is a usage
  error of the run naming the ID and the file; ``outcome = "skip"`` cases are not run.
  ``--pixiconf-update-expectations`` rewrites the file at the end of the run instead.
- the case key ``pixi`` (:mod:`pixiconf.corpus.applicability`): a case whose range does not
  contain the implementation's pixi version is SKIP.
- ``--pixiconf-report FILE``: the JSON report (:mod:`pixiconf.reports.json_report`).  Each
  case's record travels on its pytest report (the ``pixiconf`` attribute, serialised by
  pytest-xdist with the report), so under ``-n`` the controller alone writes one report.
- ``--pixiconf-shard K/N`` (:mod:`pixiconf.corpus.sharding`): keep only the cases of shard K;
  items that are not cases run in shard 1.
- ``--pixiconf-record`` (:mod:`pixiconf.plugin.recording`, loaded from here).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pixiconf import CONTRACT_VERSION, __version__
from pixiconf.corpus.applicability import outside_reason, pixi_version_of
from pixiconf.corpus.expectations import (
    ExpectationFile,
    ExpectationsError,
    grade,
    load_expectations,
    render,
    skip_reason,
    stale_ids,
    updated_entries,
)
from pixiconf.corpus.loader import case_id, iter_case_paths
from pixiconf.corpus.runner import CaseOutcome, format_result
from pixiconf.corpus.schema import Case
from pixiconf.corpus.sharding import Shard, ShardError, assign, parse_shard
from pixiconf.corpus.version import corpus_version
from pixiconf.plugin.items import CaseItem
from pixiconf.plugin.settings import SETTINGS
from pixiconf.reports.json_report import build_report, case_record, result_record, write_report

#: ``--pixiconf-record``: write a failing case's observation as its expect.
pytest_plugins = ["pixiconf.plugin.recording"]

#: Name of the attribute of a pytest report that carries a case's record.
RECORD_ATTRIBUTE = "pixiconf"


@dataclass(eq=False)  # registered as a plugin: hashed by identity
class _Gate:
    """Per-run state, in ``config.stash``; also registered as a plugin for the hooks that
    collect case records and write the report (they get no ``config``)."""

    expectations: ExpectationFile | None = None
    #: How the expectation file is named in messages (as given on the command line).
    source: str = ""
    update: bool = False
    report: Path | None = None
    shard: Shard | None = None
    corpus_ids: frozenset[str] = frozenset()
    #: case ID → record, gathered from every report (under xdist: on the controller).
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    writer: bool = True

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = getattr(report, RECORD_ATTRIBUTE, None)
        if record is not None:
            self.records.setdefault(record["id"], record["data"])

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.writer:
            return
        config = session.config
        if self.report is not None:
            write_report(self.report, _build(config, self))
            self.notes.append(f"wrote the report of {len(self.records)} cases to {self.report}")
        if self.update and self.expectations is not None:
            run = {case: (r["outcome"], r.get("message", "")) for case, r in self.records.items()}
            entries = updated_entries(self.expectations, run, self.corpus_ids)
            self.expectations.path.parent.mkdir(parents=True, exist_ok=True)
            self.expectations.path.write_text(
                render(entries, self.expectations.header), encoding="utf-8"
            )
            self.notes.append(
                f"rewrote {self.source}: {len(entries)} case"
                f"{'' if len(entries) == 1 else 's'} listed"
            )

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for note in self.notes:
            terminalreporter.write_line(f"pixiconf: {note}")


_GATE = pytest.StashKey[_Gate]()


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_addoption(parser: pytest.Parser) -> None:
    """See ``pytest_addoption`` in the pytest reference."""
    group = parser.getgroup("pixiconf", "pixi manifest conformance cases")
    group.addoption(
        "--pixiconf-expectations",
        default=None,
        dest="pixiconf_expectations",
        metavar="FILE",
        help="expectation file of the implementation: the cases it does not pass (TOML).",
    )
    group.addoption(
        "--pixiconf-update-expectations",
        action="store_true",
        default=False,
        dest="pixiconf_update_expectations",
        help="rewrite --pixiconf-expectations FILE from this run, keeping existing reasons.",
    )
    group.addoption(
        "--pixiconf-report",
        default=None,
        dest="pixiconf_report",
        metavar="FILE",
        help="write a JSON report of the run to FILE.",
    )
    group.addoption(
        "--pixiconf-shard",
        default=None,
        dest="pixiconf_shard",
        metavar="K/N",
        help="run only shard K of N of the cases (deterministic by case ID, balanced by area).",
    )


@pytest.hookimpl(trylast=True)  # after pixiconf.plugin has found the corpus roots
def pytest_configure(config: pytest.Config) -> None:
    """See ``pytest_configure`` in the pytest reference."""
    gate = _Gate(
        update=config.getoption("pixiconf_update_expectations"), writer=not _is_worker(config)
    )
    config.stash[_GATE] = gate
    config.pluginmanager.register(gate, "pixiconf-gate")
    shard = config.getoption("pixiconf_shard")
    if shard is not None:
        try:
            gate.shard = parse_shard(shard)
        except ShardError as exc:
            raise pytest.UsageError(f"--pixiconf-shard: {exc}") from None
    report = config.getoption("pixiconf_report")
    if report is not None:
        gate.report = Path(os.path.abspath(config.invocation_params.dir / report))
    if config.getoption("pixiconf_expectations") is not None:
        # Stale IDs are checked against every case file of the corpus (a -k or a shard
        # cannot hide them); only a run with an expectation file pays for the walk.
        roots = _corpora(config)
        gate.corpus_ids = frozenset(
            case_id(path, root) for root in roots for path in iter_case_paths(root)
        )
    _configure_expectations(config, gate)


def _configure_expectations(config: pytest.Config, gate: _Gate) -> None:
    given = config.getoption("pixiconf_expectations")
    if given is None:
        if gate.update:
            raise pytest.UsageError(
                "--pixiconf-update-expectations needs "
                "--pixiconf-expectations FILE (the file to rewrite)"
            )
        return
    path = Path(os.path.abspath(config.invocation_params.dir / given))
    gate.source = given
    if gate.update and not path.exists():
        gate.expectations = ExpectationFile(path)
        return
    try:
        gate.expectations = load_expectations(path)
    except ExpectationsError as exc:
        raise pytest.UsageError(f"--pixiconf-expectations: {exc}") from None
    stale = stale_ids(gate.expectations, gate.corpus_ids)
    if stale and gate.update:
        gate.notes.append(
            f"dropped {len(stale)} entr{'y' if len(stale) == 1 else 'ies'} "
            f"naming no case of the corpus: {', '.join(stale)}"
        )
    elif stale and not _is_worker(config):
        listed = "\n".join(f"  {case}" for case in stale)
        raise pytest.UsageError(
            f"--pixiconf-expectations: {given} lists {len(stale)} case ID"
            f"{'s' if len(stale) > 1 else ''} that the corpus does not have (renamed or "
            f"removed cases; remove the entries or run with "
            f"--pixiconf-update-expectations):\n{listed}"
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    """See ``pytest_report_header`` in the pytest reference."""
    gate = config.stash.get(_GATE, None)
    lines = []
    if gate is not None and gate.expectations is not None:
        count = len(gate.expectations.entries)
        lines.append(f"pixiconf: expectations {gate.source} ({count} listed)")
    if gate is not None and gate.shard is not None:
        lines.append(f"pixiconf: shard {gate.shard}")
    return lines


@pytest.hookimpl(trylast=True)  # after -k/-m deselection: shards balance what is selected
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep only the items of ``--pixiconf-shard K/N``."""
    gate = config.stash.get(_GATE, None)
    if gate is None or gate.shard is None:
        return
    shards = assign((item.name for item in items if isinstance(item, CaseItem)), gate.shard.count)
    keep, drop = [], []
    for item in items:
        index = shards[item.name] if isinstance(item, CaseItem) else 1
        (keep if index == gate.shard.index else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """SKIP a case listed as ``skip``, or whose ``pixi`` range excludes the implementation."""
    if not isinstance(item, CaseItem):
        return
    gate = item.config.stash[_GATE]
    known = gate.expectations.get(item.name) if gate.expectations is not None else None
    reason = skip_reason(known, gate.source)
    case = item.case
    if reason is None and isinstance(case, Case) and case.pixi is not None:
        implementation = item.config.stash[SETTINGS].implementation
        if implementation is not None:
            reason = outside_reason(case.pixi, implementation.version())
    if reason is not None:
        raise pytest.skip.Exception(reason, _use_item_location=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Grade a case against the expectation file and attach its record to the report."""
    report = yield
    if not isinstance(item, CaseItem) or getattr(item, "_pixiconf_recorded", False):
        return report
    gate = item.config.stash[_GATE]
    if gate.expectations is None and gate.report is None and not gate.update:
        return report  # nothing to grade or record: no record travels with the report
    known = gate.expectations.get(item.name) if gate.expectations is not None else None
    expected = {"outcome": known.outcome, "reason": known.reason} if known else None
    features = list(getattr(item.case, "features", ()))
    result = item.result if call.when == "call" else None
    if result is not None:
        graded = grade(result, known, gate.source)
        if graded.outcome is CaseOutcome.XFAIL:
            report.outcome = "skipped"
            report.wasxfail = f"{known.outcome} as listed in {gate.source}: {known.reason}"
        elif graded != result:  # XPASS, or another outcome than the listed one
            report.outcome = "failed"
            report.longrepr = format_result(graded)
        record = result_record(graded, features, expected)
    elif report.failed:
        record = case_record(
            item.name,
            "error",
            duration=report.duration,
            features=features,
            message=_first_line(report.longreprtext),
            expected=expected,
            details=report.longreprtext.strip(),
        )
    elif report.skipped and call.when == "setup":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        record = case_record(
            item.name,
            "skip",
            features=features,
            message=reason.removeprefix("Skipped: "),
            expected=expected,
        )
    else:
        return report
    item._pixiconf_recorded = True
    setattr(report, RECORD_ATTRIBUTE, {"id": item.name, "data": record})
    return report


def _corpora(config: pytest.Config) -> list[Path]:
    """The run's corpus roots, without roots inside another (IDs are relative to the outer)."""
    settings = config.stash.get(SETTINGS, None)
    roots = settings.roots if settings is not None else ()
    return [root for root in roots if not any(other in root.parents for other in roots)]


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _build(config: pytest.Config, gate: _Gate) -> dict[str, Any]:
    settings = config.stash.get(SETTINGS, None)
    implementation = settings.implementation if settings is not None else None
    described: dict[str, Any] = {"name": None, "version": None, "pixi": None}
    if implementation is not None:
        version = implementation.version()
        described = {
            "name": implementation.name,
            "version": version,
            "pixi": pixi_version_of(version),
        }
    shard = gate.shard
    return build_report(
        gate.records,
        contract=CONTRACT_VERSION,
        corpus_version=corpus_version(_corpora(config)),
        pixiconf_version=__version__,
        implementation=described,
        expectations=gate.source or None,
        shard={"index": shard.index, "count": shard.count} if shard else None,
    )
