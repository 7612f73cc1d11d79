"""pytest wiring of ``--pixiconf-record`` (:mod:`pixiconf.corpus.record`); loaded by
:mod:`pixiconf.plugin.gating`.

With ``--pixiconf-record``, every selected case that FAILs against the implementation gets
the implementation's observation (or failure) written as its ``expect``; the case then counts
as passed, and the end of the run shows each file's diff, as syrupy's ``--snapshot-update``
does.  Cases that pass, are SKIP, ERROR (malformed cases included), TIMEOUT or CRASH are never
rewritten; a case that cannot be recorded keeps failing, with the reason added to its report.
Under ``-n`` each worker rewrites the files of the cases it runs; the diffs travel to the
controller in the reports' ``user_properties``.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from pixiconf.corpus.record import RecordError, record_case
from pixiconf.corpus.runner import CaseOutcome
from pixiconf.corpus.schema import Case
from pixiconf.plugin.items import CaseItem

#: Name of the ``user_properties`` entry that carries a recorded diff.
PROPERTY = "pixiconf-recorded"


class _Recorded:
    """Collects the recorded diffs (on the controller under xdist) and prints them."""

    def __init__(self) -> None:
        self.diffs: dict[str, str] = {}
        self.failed: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == PROPERTY:
                self.diffs[value["id"]] = value["diff"]
            elif name == PROPERTY + "-failed":
                self.failed[value["id"]] = value["reason"]

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not (self.diffs or self.failed):
            terminalreporter.write_line(
                "pixiconf: --pixiconf-record: no case failed, nothing recorded"
            )
            return
        terminalreporter.section("pixiconf: recorded expectations")
        for case_id in sorted(self.diffs):
            for line in self.diffs[case_id].splitlines():
                markup = (
                    {"green": True}
                    if line.startswith("+") and not line.startswith("+++")
                    else {"red": True}
                    if line.startswith("-") and not line.startswith("---")
                    else {}
                )
                terminalreporter.write_line(line, **markup)
        for case_id in sorted(self.failed):
            terminalreporter.write_line(
                f"not recorded {case_id}: {self.failed[case_id]}", yellow=True
            )
        terminalreporter.write_line(
            f"pixiconf: recorded the expect of {len(self.diffs)} case"
            f"{'' if len(self.diffs) == 1 else 's'}"
            + (f", {len(self.failed)} could not be recorded" if self.failed else "")
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    """See ``pytest_addoption`` in the pytest reference."""
    parser.getgroup("pixiconf").addoption(
        "--pixiconf-record",
        action="store_true",
        default=False,
        dest="pixiconf_record",
        help="write the implementation's observation as the expect of every selected case "
        "that fails (YAML case files; only the expect block is rewritten); the diffs "
        "are shown at the end of the run.",
    )


def pytest_configure(config: pytest.Config) -> None:
    """See ``pytest_configure`` in the pytest reference."""
    if config.getoption("pixiconf_record", False) and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Recorded(), "pixiconf-recorded")


@pytest.hookimpl(wrapper=True, trylast=True)  # inside pixiconf.plugin.gating's: it records a pass
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Record a failing case's observation and report the case as passed."""
    report = yield
    if (
        call.when != "call"
        or not isinstance(item, CaseItem)
        or not item.config.getoption("pixiconf_record", False)
    ):
        return report
    result, case = item.result, item.case
    if result is None or not isinstance(case, Case) or result.outcome is not CaseOutcome.FAIL:
        return report
    workspace = item.workspace
    try:
        diff = record_case(
            case, result, item.root, workspace.root if workspace is not None else None
        )
    except RecordError as exc:
        report.user_properties.append((PROPERTY + "-failed", {"id": item.name, "reason": str(exc)}))
        report.sections.append(("pixiconf record", f"not recorded: {exc}"))
        return report
    report.user_properties.append((PROPERTY, {"id": item.name, "diff": diff}))
    item.result = replace(result, outcome=CaseOutcome.PASS, mismatches=(), diff="")
    report.outcome = "passed"
    report.longrepr = None
    return report
