"""String similarity for "did you mean" hints.

pixi (``crates/pixi_toml/src/diagnostic.rs``, ``TomlDiagnostic::help``) suggests the
expected key whose Jaro similarity (the ``strsim`` crate) to the unknown key is highest and
above 0.6.  Ties go to the *last* candidate, because Rust's ``Iterator::max_by`` returns the
last of several equal maxima.
"""

from __future__ import annotations

from collections.abc import Iterable

#: pixi only suggests candidates strictly above this similarity.
SUGGESTION_THRESHOLD = 0.6


def jaro(a: str, b: str) -> float:
    """Return the Jaro similarity of ``a`` and ``b`` (0.0 to 1.0), as ``strsim::jaro``.

    Works on Unicode scalar values, like ``strsim`` does on ``chars()``.
    """
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    if len(a) == 1 and len(b) == 1:
        return 1.0 if a == b else 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    b_taken = [False] * len(b)
    a_matches: list[str] = []
    for i, ch in enumerate(a):
        low, high = max(0, i - window), min(len(b), i + window + 1)
        for j in range(low, high):
            if not b_taken[j] and b[j] == ch:
                b_taken[j] = True
                a_matches.append(ch)
                break
    matches = len(a_matches)
    if matches == 0:
        return 0.0
    b_matches = [b[j] for j in range(len(b)) if b_taken[j]]
    transpositions = sum(x != y for x, y in zip(a_matches, b_matches, strict=True)) // 2
    return (matches / len(a) + matches / len(b) + (matches - transpositions) / matches) / 3.0


def did_you_mean(value: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate pixi would suggest for ``value``, or ``None``."""
    best: str | None = None
    best_score = SUGGESTION_THRESHOLD
    for candidate in candidates:
        score = jaro(candidate, value)
        if score > SUGGESTION_THRESHOLD and score >= best_score:
            best, best_score = candidate, score
    return best
