"""The mutation score: which cases of a corpus kill a mutant of the reference.

A mutant (:mod:`pixiconf.implementations.mutants`) is the reference with one rule misread;
the corpus is good when every mutant makes at least one case fail.  :func:`run_cases` runs
cases in this process with a mutant installed, :func:`kills` names the cases it failed.
``benchmarks/mutation.py`` prints the kill rate and the survivors.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pixiconf.corpus.runner import run_case
from pixiconf.implementations.mutants import Mutant, clear_caches, installed
from pixiconf.implementations.reference import ReferenceImplementation

__all__ = ["kills", "run_cases"]


def run_cases(
    mutant: Mutant | str | None, cases: Iterable[Any], *, timeout: float = 60.0
) -> list[Any]:
    """Run ``cases`` (loaded :class:`~pixiconf.corpus.schema.Case` objects) against the
    reference in this process with ``mutant`` installed (``None``: the reference as is);
    returns their :class:`~pixiconf.corpus.runner.CaseResult` in order."""
    implementation = ReferenceImplementation()
    clear_caches()
    try:
        if mutant is None:
            return [run_case(case, implementation, timeout=timeout) for case in cases]
        with installed(mutant):
            return [run_case(case, implementation, timeout=timeout) for case in cases]
    finally:
        clear_caches()


def kills(results: Iterable[Any]) -> list[str]:
    """IDs of the cases that did not pass or skip: the cases that kill a mutant (run on a
    corpus that passes against the reference)."""
    return [r.case_id for r in results if r.outcome not in ("pass", "skip")]
