"""Variant combinations: the cartesian product of the used keys, ``zip_keys`` advancing
together.

rattler-build ``rattler_build_variant_config/src/combination.rs`` (``compute_combinations``,
the zip-key checks) and ``config.rs`` (``zip_keys`` validation messages).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from pixiconf.pixibuild.hashing import NormalizedKey, debug_map, normalize_key
from pixiconf.pixibuild.variant_config import VariantConfig, VariantError

__all__ = ["combinations"]


def _validate_zip_keys(config: VariantConfig) -> None:
    for group in config.zip_keys or []:
        if len(group) < 2:
            raise VariantError("zip_keys must be a list of lists, not a flat list")
        if any(key not in config for key in group):
            continue
        previous = None
        for key in group:
            length = len(config.get(key) or [])
            if previous is not None and previous != length:
                raise VariantError(
                    f"Zip key elements do not all have same length: {normalize_key(key)}"
                )
            previous = length


def combinations(config: VariantConfig, used: Iterable[str]) -> list[dict[str, Any]]:
    """``compute_combinations``: the cartesian product of the used keys, zip groups that hold
    a used key advancing together (only their used members), sorted by the ``Debug`` text of
    each combination.  Returns ``{key as spelled: value}`` in key order."""
    _validate_zip_keys(config)
    used_norm = {normalize_key(k): k for k in used}
    zip_groups = config.zip_keys or []
    zipped_norm = {normalize_key(k) for g in zip_groups for k in g}

    axes: list[list[list[tuple[str, Any]]]] = []
    for group in zip_groups:
        members = [k for k in group if normalize_key(k) in used_norm]
        if not members:
            continue
        present = [(k, config.get(k)) for k in members if config.get(k) is not None]
        if not present:
            continue
        length = len(present[0][1])
        rows = []
        for i in range(length):
            row = [(k, vals[i]) for k, vals in present if i < len(vals)]
            if len(row) == len(present):
                rows.append(row)
        axes.append(rows)
    for norm, key in used_norm.items():
        values = config.get(key)
        if values is None or norm in zipped_norm:
            continue
        axes.append([[(key, v)] for v in values])

    results: list[tuple[str, dict[str, Any]]] = []
    for product in itertools.product(*axes):
        entries: dict[str, tuple[NormalizedKey, Any]] = {}
        for row in product:
            for key, value in row:
                entries[normalize_key(key)] = (NormalizedKey(key), value)
        ordered = [entries[k] for k in sorted(entries)]
        results.append((debug_map(ordered), {k.raw: v for k, v in ordered}))
    results.sort(key=lambda item: item[0])
    return [combo for _, combo in results]
