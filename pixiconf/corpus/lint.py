"""Corpus lint (CASE-FORMAT.md §1, §2): the sanity checks a corpus change must pass.

Checks, each with a short ID used in the problem text:

- ``schema``: every case file is schema-valid;
- ``duplicate-id``: IDs are unique (``a.yaml`` and ``a.toml`` collide);
- ``duplicate-description``: descriptions are unique (compared case- and space-insensitively);
- ``description``: one sentence on one line, under 150 characters, without "should" or
  "test that";
- ``features``: a non-empty list of distinct tags, each listed in the root's ``features.txt``;
- ``area``: every case lives in an area directory (``<area>/<name>``), and the area is a tag.

Running a case never applies these checks; only the lint does.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pixiconf.corpus.loader import case_id, iter_case_paths, load_case, read_features
from pixiconf.corpus.schema import Case, CaseError, display_path
from pixiconf.similarity import did_you_mean

__all__ = ["MAX_DESCRIPTION", "LintProblem", "check_description", "lint_corpus"]

MAX_DESCRIPTION = 150
_FORBIDDEN = re.compile(r"\bshould\b|\btest that\b", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")


@dataclass(frozen=True, slots=True)
class LintProblem:
    path: Path
    check: str
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}: [{self.check}] {self.message}"


def check_description(text: str) -> list[str]:
    """Problems with one description (empty list when it is fine)."""
    out = []
    stripped = text.strip()
    if len(stripped) >= MAX_DESCRIPTION:
        out.append(f"is {len(stripped)} characters; keep it under {MAX_DESCRIPTION}")
    if "\n" in stripped:
        out.append("spans several lines; write one sentence on one line")
    elif _SENTENCE_BREAK.search(stripped):
        out.append("has more than one sentence")
    found = _FORBIDDEN.search(stripped)
    if found:
        out.append(f"uses {found.group(0)!r}; state the behaviour instead")
    return out


def lint_corpus(root: Path, features_file: Path | None = None) -> list[LintProblem]:
    """Lint every case below ``root`` against ``features_file`` (default ``root/features.txt``)."""
    root = Path(root)
    features_file = features_file or root / "features.txt"
    problems: list[LintProblem] = []
    vocabulary: set[str] | None = None
    try:
        vocabulary = set(read_features(features_file))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(
            LintProblem(features_file, "features", f"cannot read the vocabulary: {exc}")
        )

    by_id: dict[str, list[Path]] = defaultdict(list)
    by_description: dict[str, list[Path]] = defaultdict(list)
    for path in iter_case_paths(root):
        by_id[case_id(path, root)].append(path)
        loaded = load_case(path, root)
        if isinstance(loaded, CaseError):
            problems += [LintProblem(path, "schema", p.describe()) for p in loaded.problems]
            continue
        problems += _check_case(loaded, vocabulary)
        by_description[" ".join(loaded.description.casefold().split())].append(path)

    for ident, paths in by_id.items():
        if len(paths) > 1:
            names = ", ".join(str(p.relative_to(root)) for p in paths)
            problems.append(LintProblem(paths[0], "duplicate-id", f"ID {ident!r} used by {names}"))
    for paths in by_description.values():
        for path in paths[1:]:
            problems.append(
                LintProblem(
                    path,
                    "duplicate-description",
                    f"same description as {paths[0].relative_to(root)}",
                )
            )
    return problems


def _check_case(case: Case, vocabulary: set[str] | None) -> list[LintProblem]:
    out = [LintProblem(case.path, "description", m) for m in check_description(case.description)]
    if not case.features:
        out.append(LintProblem(case.path, "features", "lists no feature tags"))
    seen: set[str] = set()
    for tag in case.features:
        if tag in seen:
            out.append(LintProblem(case.path, "features", f"tag {tag!r} is listed twice"))
        seen.add(tag)
        if vocabulary is not None and tag not in vocabulary:
            hint = did_you_mean(tag, sorted(vocabulary))
            suffix = f"; did you mean {hint!r}?" if hint else ""
            out.append(
                LintProblem(
                    case.path, "features", f"unknown tag {tag!r} (not in features.txt){suffix}"
                )
            )
    if case.area is None:
        out.append(LintProblem(case.path, "area", "a case must live in an area directory"))
    elif vocabulary is not None and case.area not in vocabulary:
        out.append(
            LintProblem(case.path, "area", f"area {case.area!r} is not a tag in features.txt")
        )
    return out
