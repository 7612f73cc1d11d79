"""The case layer: load, validate, materialise, run and grade cases (CASE-FORMAT.md).

- :mod:`.schema`: the keys of a case (§2) → :class:`Case` or :class:`CaseError`;
- :mod:`.loader`: finding case files and their IDs, parsing YAML/TOML (§1);
- :mod:`.matching`: §4 matching, error substrings, diffs;
- :mod:`.workspace`: the temporary workspace, channels and environment (§2);
- :mod:`.runner`: one case against one implementation → :class:`CaseResult` (§5);
- :mod:`.lint`: corpus sanity checks.
"""

from __future__ import annotations

from pixiconf.corpus.loader import case_id, iter_case_paths, load_case, load_corpus
from pixiconf.corpus.matching import match, match_substrings, unified_diff
from pixiconf.corpus.runner import (
    CaseOutcome,
    CaseResult,
    evaluate,
    execute,
    format_result,
    run_case,
)
from pixiconf.corpus.schema import Case, CaseError, Expectation, Problem, validate_case
from pixiconf.observation_values import ABSENT, ANY

__all__ = [
    "ABSENT",
    "ANY",
    "Case",
    "CaseError",
    "CaseOutcome",
    "CaseResult",
    "Expectation",
    "Problem",
    "case_id",
    "evaluate",
    "execute",
    "format_result",
    "iter_case_paths",
    "load_case",
    "load_corpus",
    "match",
    "match_substrings",
    "run_case",
    "unified_diff",
    "validate_case",
]
