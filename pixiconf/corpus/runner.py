"""Running one case against one implementation (CASE-FORMAT.md §3, §4, §5).

:func:`run_case` materialises the workspace, asks the implementation for an observation and
grades it; :func:`execute` and :func:`evaluate` are the two halves, for callers (the pytest
plugin) that materialise the workspace themselves.  Nothing here raises for a bad case or a
misbehaving implementation: every problem becomes a :class:`CaseResult`.

The time limit is enforced for every implementation (:mod:`.isolation`): callers that run
many cases pass a guard made once (:func:`~.isolation.guard`, a worker process for the
reference); a bare implementation is run in a thread that is abandoned when it times out.
An implementation that finds the case naming a path outside its directory raises
:class:`~.confine.WorkspaceError`: an ERROR of the case, without a traceback.
"""

from __future__ import annotations

import enum
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pixiconf.confinement import WorkspaceError
from pixiconf.corpus.isolation import Guard, RemoteError, ThreadGuard
from pixiconf.corpus.matching import (
    format_value,
    match,
    match_substrings,
    strip_ansi,
    to_yaml,
    unified_diff,
)
from pixiconf.corpus.schema import Case, CaseError, display_path
from pixiconf.corpus.workspace import Workspace, temporary_workspace
from pixiconf.diagnostics import for_terminal
from pixiconf.implementations.base import Failed, Implementation, Observed, Outcome, Unsupported
from pixiconf.operations.request import OperationRequest

__all__ = [
    "CaseOutcome",
    "CaseResult",
    "error_result",
    "evaluate",
    "execute",
    "format_result",
    "run_case",
    "summary_line",
]

#: Lines of an observation or message shown in a failure report before it is cut.
MAX_SECTION_LINES = 80


class CaseOutcome(enum.StrEnum):
    """Outcomes of §5 (values as written in expectation files)."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"
    TIMEOUT = "timeout"
    #: The implementation crashed (a panic, death by a signal); additive to §5's outcomes.
    CRASH = "crash"
    XFAIL = "xfail"
    XPASS = "xpass"


@dataclass(frozen=True, slots=True)
class CaseResult:
    """What happened when one case ran against one implementation."""

    case_id: str
    outcome: CaseOutcome
    implementation: str
    path: Path | None = None
    op: str | None = None
    args: Mapping[str, Any] = field(default_factory=dict)
    #: True when the implementation produced an observation (``observation`` may be ``None``).
    observed: bool = False
    observation: Any = None
    #: The failure message of the operation, the skip reason, or what broke (ERROR).
    message: str = ""
    warnings: tuple[str, ...] = ()
    mismatches: tuple[str, ...] = ()
    diff: str = ""
    transcript: str = ""
    duration: float = 0.0
    #: Key paths the implementation could not observe (not compared).
    unobserved: tuple[str, ...] = ()


def error_result(
    case: Case | CaseError, implementation: str, message: str, duration: float = 0.0
) -> CaseResult:
    """An ERROR result: the case or the harness is broken (§5)."""
    return CaseResult(
        case_id=case.id,
        outcome=CaseOutcome.ERROR,
        implementation=implementation,
        path=case.path,
        op=getattr(case, "op", None),
        args=getattr(case, "args", {}),
        message=message,
        duration=duration,
    )


def evaluate(
    case: Case, outcome: Outcome, *, implementation: str, duration: float = 0.0
) -> CaseResult:
    """Grade an implementation's outcome against ``case.expect`` (§4)."""
    common = dict(  # noqa: C408 - keyword form mirrors the CaseResult fields
        case_id=case.id,
        implementation=implementation,
        path=case.path,
        op=case.op,
        args=case.args,
        duration=duration,
    )
    if isinstance(outcome, Unsupported):
        return CaseResult(outcome=CaseOutcome.SKIP, message=outcome.reason, **common)
    if not isinstance(outcome, Observed | Failed):
        return CaseResult(
            outcome=CaseOutcome.ERROR,
            message=f"the implementation returned {type(outcome).__name__}, "
            "expected Observed, Failed or Unsupported",
            **common,
        )
    expect = case.expect
    mismatches: list[str] = []
    diff = ""
    warnings = tuple(outcome.warnings)
    if isinstance(outcome, Observed):
        unobserved = tuple(getattr(outcome, "unobserved", ()))
        common.update(observed=True, observation=outcome.value, unobserved=unobserved)
        if expect.kind == "result":
            mismatches = match(
                expect.result, outcome.value, strict=expect.strict, ignore=unobserved
            )
            if mismatches:
                diff = unified_diff(
                    expect.result, outcome.value, strict=expect.strict, ignore=unobserved
                )
        else:
            mismatches = ["expected the operation to fail, but it produced an observation"]
    elif outcome.timed_out or getattr(outcome, "crashed", False):
        return CaseResult(
            outcome=CaseOutcome.TIMEOUT if outcome.timed_out else CaseOutcome.CRASH,
            message=outcome.message,
            warnings=warnings,
            transcript=outcome.transcript,
            **common,
        )
    else:
        common.update(message=outcome.message)
        if expect.kind == "result":
            mismatches = ["expected a result, but the operation failed"]
        elif "/error" in tuple(getattr(outcome, "unobserved", ())):
            common.update(unobserved=("/error",))
        else:
            mismatches = match_substrings(expect.error_contains, outcome.message, what="error")
    if expect.warnings_contains is not None:
        mismatches += match_substrings(expect.warnings_contains, warnings, what="warnings")
    return CaseResult(
        outcome=CaseOutcome.FAIL if mismatches else CaseOutcome.PASS,
        warnings=warnings,
        mismatches=tuple(mismatches),
        diff=diff,
        transcript=outcome.transcript,
        **common,
    )


def execute(
    case: Case, implementation: Implementation, workspace: Workspace, *, timeout: float = 60.0
) -> CaseResult:
    """Run ``case`` in an already materialised ``workspace`` and grade it."""
    request = OperationRequest(
        op=case.op,
        args=case.args,
        workspace_root=workspace.root,
        cwd=workspace.cwd,
        env=workspace.env,
        timeout=timeout,
        pypi_mapping=case.pypi_mapping,
        channels=workspace.channels,
    )
    name = getattr(implementation, "name", type(implementation).__name__)
    guarded = implementation if isinstance(implementation, Guard) else ThreadGuard(implementation)
    start = time.perf_counter()
    try:
        outcome = guarded.run(request)
    except WorkspaceError as exc:
        return error_result(
            case,
            name,
            f"the case reaches outside its directory: {exc}",
            time.perf_counter() - start,
        )
    except Exception as exc:
        details = exc.remote_traceback if isinstance(exc, RemoteError) else (traceback.format_exc())
        return error_result(
            case,
            name,
            f"the implementation raised an exception:\n{details}",
            time.perf_counter() - start,
        )
    result = evaluate(case, outcome, implementation=name)
    duration = time.perf_counter() - start
    return replace(result, duration=duration)


def run_case(
    case: Case | CaseError,
    implementation: Implementation,
    *,
    timeout: float = 60.0,
    tmp_parent: Path | None = None,
) -> CaseResult:
    """Run one case (or report its :class:`CaseError`) in a temporary workspace."""
    name = getattr(implementation, "name", type(implementation).__name__)
    if isinstance(case, CaseError):
        return error_result(case, name, case.message)
    if case.pixi is not None:
        from pixiconf.corpus.applicability import outside_reason

        reason = outside_reason(case.pixi, implementation.version())
        if reason is not None:  # the case's ``pixi`` range excludes this implementation
            return CaseResult(
                case_id=case.id,
                outcome=CaseOutcome.SKIP,
                implementation=name,
                path=case.path,
                op=case.op,
                args=case.args,
                message=reason,
            )
    start = time.perf_counter()
    try:
        with temporary_workspace(case, tmp_parent) as workspace:
            result = execute(case, implementation, workspace, timeout=timeout)
    except (WorkspaceError, OSError) as exc:
        return error_result(
            case, name, f"cannot materialise the workspace: {exc}", time.perf_counter() - start
        )
    return replace(result, duration=time.perf_counter() - start)


# --------------------------------------------------------------------------- report


def _section(title: str, text: str) -> list[str]:
    lines = text.rstrip("\n").splitlines() or [""]
    if len(lines) > MAX_SECTION_LINES:
        lines = [*lines[:MAX_SECTION_LINES], f"... ({len(lines) - MAX_SECTION_LINES} more lines)"]
    return [f"{title}:", *("  " + line for line in lines)]


def summary_line(result: CaseResult) -> str:
    """One line: outcome, case ID and the first reason (used as pytest's short summary)."""
    reasons = list(result.mismatches) or strip_ansi(result.message).strip().splitlines() or [""]
    more = f" (+{len(result.mismatches) - 1} more)" if len(result.mismatches) > 1 else ""
    return f"{result.outcome.name} {result.case_id}: {reasons[0]}{more}".rstrip(": ")


def format_result(result: CaseResult) -> str:
    """A concise, readable report of a result that did not pass (no Python traceback)."""
    out = [
        summary_line(result),
        f"file: {display_path(result.path) if result.path is not None else None}",
        f"implementation: {result.implementation}",
    ]
    if result.op is not None:
        out.append(f"op: {result.op}")
        args = format_value(dict(result.args), limit=10_000)
        if len(args) > 100:
            out += _section("args", to_yaml(dict(result.args)))
        else:
            out.append(f"args: {args}")
    if result.observed:
        out += _section("observation", to_yaml(result.observation))
    if result.unobserved:
        out += _section(
            f"not observable by {result.implementation} (not compared)",
            "\n".join(result.unobserved),
        )
    if result.message:
        title = {CaseOutcome.SKIP: "reason", CaseOutcome.ERROR: "error"}.get(
            result.outcome, "failure message"
        )
        out += _section(title, strip_ansi(result.message))
    if result.mismatches:
        out += _section("mismatches", "\n".join(result.mismatches))
    if result.diff:
        out += _section("diff (expected → actual)", result.diff)
    if result.warnings:
        out += _section("warnings", "\n".join(f"- {w}" for w in result.warnings))
    if result.transcript:
        out += _section("transcript", result.transcript)
    # What the case and the implementation wrote is shown, never acted on by the terminal.
    return for_terminal("\n".join(out))
