"""Per-implementation expectation files (CASE-FORMAT.md §5).

An expectation file lives outside the corpus (``expectations/<implementation>.toml``) and lists,
keyed by case ID, only the cases that do not pass against that implementation::

    "tasks/task-inputs-must-be-array" = { outcome = "crash", reason = "panics in toml-span" }

``outcome`` is one of ``fail``, ``error``, ``timeout``, ``crash`` (the outcome the case has) or
``skip`` (the case is not run at all, e.g. it hangs the implementation); ``reason`` says why.
Grading (:func:`grade`) is strict:

- a listed case whose outcome is the listed one is XFAIL (does not fail the run);
- a listed case that passes is XPASS and fails the run;
- a listed case with another non-passing outcome keeps that outcome (fails the run), with a
  note naming the listed one;
- a listed ID that is not a case of the corpus fails the run (:func:`stale_ids`).

:func:`updated_entries` and :func:`render` rewrite a file from a run, keeping the reasons of
cases that stay listed; :func:`render` writes TOML by hand (basic strings, every character
TOML requires escaped), sorted by ID, keeping the comment lines at the top of the old file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import tomli

from pixiconf.corpus.runner import CaseOutcome, CaseResult

__all__ = [
    "LISTABLE",
    "ExpectationFile",
    "ExpectationsError",
    "KnownFailure",
    "grade",
    "load_expectations",
    "render",
    "skip_reason",
    "stale_ids",
    "toml_string",
    "updated_entries",
]

#: Outcomes an entry may give.
LISTABLE = ("fail", "error", "timeout", "crash", "skip")
_ENTRY_KEYS = ("outcome", "reason")
#: Longest reason :func:`updated_entries` suggests for a newly listed case.
MAX_SUGGESTED_REASON = 200


class ExpectationsError(Exception):
    """An expectation file that cannot be used (unreadable, not TOML, a bad entry)."""


@dataclass(frozen=True, slots=True)
class KnownFailure:
    """One entry: the outcome a case has against the implementation, and why."""

    outcome: str
    reason: str


@dataclass(frozen=True, slots=True)
class ExpectationFile:
    path: Path
    entries: Mapping[str, KnownFailure] = field(default_factory=dict)
    #: Comment lines (and blank lines between them) at the top of the file, kept on rewrite.
    header: str = ""

    def get(self, case_id: str) -> KnownFailure | None:
        return self.entries.get(case_id)


def load_expectations(path: Path) -> ExpectationFile:
    """Read and check an expectation file; raise :class:`ExpectationsError` naming the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExpectationsError(f"{path}: cannot read the expectation file: {exc}") from None
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise ExpectationsError(f"{path}: not a TOML file: {exc}") from None
    entries: dict[str, KnownFailure] = {}
    for case_id, value in data.items():
        where = f"{path}: {case_id!r}"
        if not isinstance(value, dict):
            raise ExpectationsError(
                f'{where}: expected a table {{ outcome = "...", reason = "..." }}'
            )
        unknown = [key for key in value if key not in _ENTRY_KEYS]
        if unknown:
            raise ExpectationsError(
                f"{where}: unknown key {unknown[0]!r}; expected only 'outcome' and 'reason'"
            )
        outcome, reason = value.get("outcome"), value.get("reason")
        if outcome not in LISTABLE:
            raise ExpectationsError(
                f"{where}: outcome must be one of {', '.join(LISTABLE)}; got {outcome!r}"
            )
        if not isinstance(reason, str) or not reason.strip():
            raise ExpectationsError(f"{where}: expected a non-empty 'reason' string")
        entries[case_id] = KnownFailure(outcome, reason)
    return ExpectationFile(path, entries, _header(text))


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            break
        lines.append(line.rstrip())
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def stale_ids(expectations: ExpectationFile, corpus_ids: Iterable[str]) -> list[str]:
    """Listed IDs that are not cases of the corpus, sorted."""
    known = set(corpus_ids)
    return sorted(case_id for case_id in expectations.entries if case_id not in known)


def skip_reason(known: KnownFailure | None, source: str) -> str | None:
    """The SKIP reason of a case listed with ``outcome = "skip"`` (it is not run)."""
    if known is None or known.outcome != "skip":
        return None
    return f"listed as skip in {source}: {known.reason}"


def grade(result: CaseResult, known: KnownFailure | None, source: str) -> CaseResult:
    """Apply an entry to a case's result (module docstring); ``source`` names the file."""
    if known is None or result.outcome is CaseOutcome.SKIP:
        return result
    listed = f"listed in {source} as {known.outcome} ({known.reason})"
    if result.outcome is CaseOutcome.PASS:
        return replace(
            result,
            outcome=CaseOutcome.XPASS,
            mismatches=(f"{listed}, but the case passes; remove the entry",),
        )
    if result.outcome.value == known.outcome:
        return replace(result, outcome=CaseOutcome.XFAIL)
    return replace(
        result,
        mismatches=(f"{listed}, but the outcome is {result.outcome.value}", *result.mismatches),
    )


def updated_entries(
    old: ExpectationFile | None,
    run: Mapping[str, tuple[str, str]],
    corpus_ids: Iterable[str],
) -> dict[str, KnownFailure]:
    """The entries of a rewritten file, sorted by ID.

    ``run`` maps each case ID that ran to its report outcome (``pass``, ``xfail``, ...) and a
    one-line reason to suggest for a newly listed case.  Cases that did not run keep their
    entries (a run selected with ``-k`` or a shard rewrites only what it saw); entries whose ID
    is not in ``corpus_ids`` are dropped; a case that now passes is removed; a case that is
    not listed and does not pass is added with the suggested reason; a listed case keeps its
    reason, with the outcome it had.  A SKIP (an unsupported operation, a ``pixi`` range) is
    not listed: it is not a failure of the implementation.
    """
    existing = set(corpus_ids)
    entries = {k: v for k, v in (old.entries if old else {}).items() if k in existing}
    for case_id, (outcome, suggestion) in run.items():
        previous = entries.get(case_id)
        if outcome in ("pass", "xpass"):
            entries.pop(case_id, None)
        elif outcome in ("fail", "error", "timeout", "crash"):
            reason = previous.reason if previous is not None else _suggest(outcome, suggestion)
            entries[case_id] = KnownFailure(outcome, reason)
    return dict(sorted(entries.items()))


def _suggest(outcome: str, suggestion: str) -> str:
    text = " ".join(suggestion.split()) or f"the case's outcome is {outcome}"
    if len(text) > MAX_SUGGESTED_REASON:
        text = text[: MAX_SUGGESTED_REASON - 3].rstrip() + "..."
    return text


_ESCAPES = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render(entries: Mapping[str, KnownFailure], header: str = "") -> str:
    """The text of an expectation file: ``header``, then one inline table per entry by ID."""
    lines = [header, ""] if header else []
    for case_id in sorted(entries):
        entry = entries[case_id]
        lines.append(
            f"{toml_string(case_id)} = {{ outcome = {toml_string(entry.outcome)}, "
            f"reason = {toml_string(entry.reason)} }}"
        )
    return "\n".join(lines) + "\n"
