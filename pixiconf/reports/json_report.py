"""The JSON report of a run (CASE-FORMAT.md §5), and the merge of sharded runs' reports.

A report is one JSON object::

    {
      "report-format": 1,
      "contract": 1,                       # CASE-FORMAT.md version
      "corpus-version": "1.0.0",           # <corpus root>/VERSION
      "pixiconf": "0.1.0",
      "implementation": {"name": "pixi", "version": "pixi 0.77.0 (/usr/bin/pixi)",
                         "pixi": "0.77.0"},
      "expectations": "expectations/pixi-0.77.toml",      # or null
      "shard": {"index": 1, "count": 3},                  # or null
      "totals": {"all": {<outcome>: n, ..., "total": n},
                 "areas": {<area>: {<outcome>: n, "total": n}},
                 "features": {<tag>: {<outcome>: n, "total": n}}},
      "cases": {<case ID>: {"outcome": "pass", "duration": 0.01, "commands": [...],
                            "area": ..., "features": [...], "message": "...",
                            "expected": {"outcome": ..., "reason": ...},
                            "diff": "...", "details": "..."}}
    }

Outcomes are named as in the contract, lower case: ``pass``, ``fail``, ``xfail``, ``xpass``,
``skip``, ``error``, ``timeout``, and ``crash`` (additive).  ``commands`` are the command lines
an external implementation ran (the ``$ `` lines of its transcript; empty for the reference).
``message`` is the first reason of a case that did not pass; ``expected`` is the entry of the
expectation file when the case is listed.  Additive, for the HTML page
(:mod:`pixiconf.reports.html_report`): ``diff`` is the unified diff of the expected and the
observed result (YAML, ``expected`` → ``actual``) and ``details`` the full text of what went
wrong (every mismatch, the implementation's failure message), each present only when not
empty and cut at :data:`MAX_DETAIL_CHARS`.  Cases are sorted by ID.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_DETAIL_CHARS",
    "OUTCOMES",
    "REPORT_FORMAT",
    "ReportError",
    "build_report",
    "case_record",
    "commands_of",
    "load_report",
    "merge_reports",
    "result_record",
    "totals",
    "write_report",
]

REPORT_FORMAT = 1
#: Longest ``diff`` or ``details`` text kept in a record (the rest is cut, and says so).
MAX_DETAIL_CHARS = 20_000
#: Every outcome, in the contract's order (plus ``crash``).
OUTCOMES = ("pass", "fail", "xfail", "xpass", "skip", "error", "timeout", "crash")
#: Keys that must be equal in reports that are merged.
SAME_RUN_KEYS = ("report-format", "contract", "corpus-version", "implementation", "expectations")


class ReportError(ValueError):
    """A report that cannot be read, or reports that cannot be merged."""


def commands_of(transcript: str) -> list[str]:
    """The command lines of an adapter's transcript (its lines starting with ``$ ``)."""
    return [line[2:] for line in transcript.splitlines() if line.startswith("$ ")]


def case_record(
    case_id: str,
    outcome: str,
    *,
    duration: float = 0.0,
    features: Sequence[str] = (),
    commands: Sequence[str] = (),
    message: str = "",
    expected: Mapping[str, str] | None = None,
    diff: str = "",
    details: str = "",
) -> dict[str, Any]:
    """One case of a report, as plain data (sent from xdist workers as it is)."""
    record: dict[str, Any] = {
        "outcome": outcome,
        "duration": round(float(duration), 6),
        "commands": list(commands),
        "area": case_id.partition("/")[0] if "/" in case_id else None,
        "features": list(features),
    }
    if message:
        record["message"] = message
    if expected is not None:
        record["expected"] = dict(expected)
    if diff:
        record["diff"] = _cut(diff)
    if details:
        record["details"] = _cut(details)
    return record


def _cut(text: str) -> str:
    if len(text) <= MAX_DETAIL_CHARS:
        return text
    return f"{text[:MAX_DETAIL_CHARS]}\n... ({len(text) - MAX_DETAIL_CHARS} more characters)"


def result_record(
    result: Any, features: Sequence[str] = (), expected: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The record of a :class:`~pixiconf.corpus.runner.CaseResult` (already graded against
    the expectation file, so its outcome may be ``xfail`` or ``xpass``)."""
    from pixiconf.corpus.matching import strip_ansi
    from pixiconf.corpus.runner import CaseOutcome, summary_line

    message = details = ""
    if result.outcome is not CaseOutcome.PASS:
        line = summary_line(result)
        prefix = f"{result.outcome.name} {result.case_id}"
        message = line[len(prefix) :].lstrip(": ") if line.startswith(prefix) else line
        parts = list(result.mismatches)
        if result.message.strip():
            parts.append(strip_ansi(result.message).rstrip())
        details = "\n".join(parts)
    return case_record(
        result.case_id,
        result.outcome.value,
        duration=result.duration,
        features=features,
        commands=commands_of(result.transcript),
        message=message,
        expected=expected,
        diff=result.diff,
        details=details,
    )


def _count(records: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counter = Counter(r["outcome"] for r in records)
    out = {o: counter[o] for o in OUTCOMES if counter[o]}
    out["total"] = sum(counter.values())
    return out


def totals(cases: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Outcome counts over all cases, per area and per feature tag."""
    areas: dict[str, list] = defaultdict(list)
    features: dict[str, list] = defaultdict(list)
    for record in cases.values():
        areas[record.get("area") or ""].append(record)
        for tag in dict.fromkeys(record.get("features") or ()):
            features[tag].append(record)
    counter = Counter(r["outcome"] for r in cases.values())
    overall = {o: counter[o] for o in OUTCOMES}
    overall["total"] = len(cases)
    return {
        "all": overall,
        "areas": {a: _count(areas[a]) for a in sorted(areas)},
        "features": {t: _count(features[t]) for t in sorted(features)},
    }


def build_report(
    cases: Mapping[str, Mapping[str, Any]],
    *,
    contract: int,
    corpus_version: str,
    pixiconf_version: str,
    implementation: Mapping[str, Any],
    expectations: str | None = None,
    shard: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """A complete report of ``cases`` (case ID → :func:`case_record`)."""
    ordered = {case_id: dict(cases[case_id]) for case_id in sorted(cases)}
    return {
        "report-format": REPORT_FORMAT,
        "contract": contract,
        "corpus-version": corpus_version,
        "pixiconf": pixiconf_version,
        "implementation": dict(implementation),
        "expectations": expectations,
        "shard": dict(shard) if shard else None,
        "totals": totals(ordered),
        "cases": ordered,
    }


def write_report(path: Path, report: Mapping[str, Any]) -> None:
    """Write ``report`` as indented JSON (UTF-8), creating the directory if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def load_report(path: Path) -> dict[str, Any]:
    """Read a report; raise :class:`ReportError` naming the file and what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: cannot read the report: {exc}") from None
    except ValueError as exc:
        raise ReportError(f"{path}: not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("report-format") != REPORT_FORMAT:
        raise ReportError(
            f"{path}: not a pixiconf report (expected 'report-format': {REPORT_FORMAT})"
        )
    shard = data.get("shard")
    if shard is not None and not (
        isinstance(shard, dict) and all(isinstance(shard.get(k), int) for k in ("index", "count"))
    ):
        raise ReportError(f'{path}: \'shard\' must be null or {{"index": K, "count": N}}')
    cases = data.get("cases")
    if not isinstance(cases, dict) or not all(
        isinstance(r, dict) and r.get("outcome") in OUTCOMES for r in cases.values()
    ):
        raise ReportError(
            f"{path}: 'cases' must map case IDs to records with an outcome ({', '.join(OUTCOMES)})"
        )
    return data


def merge_reports(reports: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """Join the reports of one run's shards (``(name, report)`` pairs) into one report.

    The reports must come from the same run: equal format, contract, corpus version,
    implementation and expectation file; no case may be in two of them; reports of shards
    must cover every shard of one ``count`` exactly once.
    """
    if not reports:
        raise ReportError("no reports to merge")
    first_name, first = reports[0]
    for name, report in reports[1:]:
        for key in SAME_RUN_KEYS:
            if report.get(key) != first.get(key):
                raise ReportError(
                    f"{name} and {first_name} differ in {key!r} "
                    f"({json.dumps(report.get(key))} vs {json.dumps(first.get(key))}); "
                    "only reports of one run can be merged"
                )
    _check_shards(reports)
    cases: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for name, report in reports:
        for case_id, record in report["cases"].items():
            if case_id in cases:
                raise ReportError(f"case {case_id!r} is in both {origin[case_id]} and {name}")
            cases[case_id] = record
            origin[case_id] = name
    return build_report(
        cases,
        contract=first["contract"],
        corpus_version=first["corpus-version"],
        pixiconf_version=first.get("pixiconf", ""),
        implementation=first["implementation"],
        expectations=first.get("expectations"),
        shard=None,
    )


def _check_shards(reports: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    shards = [(name, r.get("shard")) for name, r in reports]
    if all(shard is None for _, shard in shards):
        return
    unsharded = [name for name, shard in shards if shard is None]
    if unsharded:
        raise ReportError(f"{unsharded[0]} is not the report of a shard, the others are")
    counts = {shard["count"] for _, shard in shards}
    if len(counts) > 1:
        listed = ", ".join(f"{s['index']}/{s['count']}" for _, s in shards)
        raise ReportError(f"the reports are of different shardings: {listed}")
    count = counts.pop()
    seen: dict[int, str] = {}
    for name, shard in shards:
        if shard["index"] in seen:
            raise ReportError(
                f"{seen[shard['index']]} and {name} are both shard {shard['index']}/{count}"
            )
        seen[shard["index"]] = name
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in seen]
    if missing:
        raise ReportError(
            f"shard {', '.join(missing)} missing: merge the reports of every shard of the run"
        )
