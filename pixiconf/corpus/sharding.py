"""Split a run of the corpus into N deterministic shards (``--pixiconf-shard K/N``).

The shard of a case depends only on the set of case IDs in the run: areas (the first part of
an ID) are taken in sorted order, and the IDs of each area, sorted, are dealt round-robin to
the shards, each area starting where the previous one stopped.  So every area is spread over
the shards (sizes differ by at most one per area), the shards' totals differ by at most one,
and N jobs of a CI matrix that collect the same cases run each case exactly once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Shard", "ShardError", "assign", "parse_shard"]

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


class ShardError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"2/3"`` → ``Shard(2, 3)``; raise :class:`ShardError` unless 1 ≤ K ≤ N."""
    found = _SHARD.fullmatch(text)
    if not found:
        raise ShardError(f"expected K/N such as 1/3, got {text!r}")
    index, count = int(found.group(1)), int(found.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ShardError(f"expected K/N with 1 <= K <= N, got {text!r}")
    return Shard(index, count)


def assign(case_ids: Iterable[str], count: int) -> dict[str, int]:
    """Each case ID → its shard index (1-based) among ``count`` shards."""
    by_area: dict[str, list[str]] = defaultdict(list)
    for case_id in set(case_ids):
        by_area[case_id.partition("/")[0] if "/" in case_id else ""].append(case_id)
    shards: dict[str, int] = {}
    dealt = 0
    for area in sorted(by_area):
        for case_id in sorted(by_area[area]):
            shards[case_id] = dealt % count + 1
            dealt += 1
    return shards
