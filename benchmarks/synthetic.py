"""Synthetic manifests for benchmarks, generated with tomlkit."""

from __future__ import annotations

import random

import tomlkit

PLATFORMS = [
    "linux-64",
    "linux-aarch64",
    "linux-ppc64le",
    "osx-64",
    "osx-arm64",
    "win-64",
    "win-arm64",
    "emscripten-wasm32",
]
SELECTORS = ["linux", "unix", "win", "osx", "linux-64", "osx-arm64", "linux-*"]


def synthetic_manifest(features: int, environments: int, platforms: int = 8, seed: int = 0) -> str:
    """A pixi.toml with ``features`` features and ``environments`` environments."""
    rng = random.Random(seed)
    doc = tomlkit.document()
    ws = tomlkit.table()
    ws["name"] = "synthetic"
    ws["channels"] = ["conda-forge", "bioconda"]
    ws["platforms"] = PLATFORMS[:platforms]
    doc["workspace"] = ws
    doc["dependencies"] = {"python": ">=3.10", "numpy": ">=1.26"}
    doc["tasks"] = {"test": "pytest", "lint": {"cmd": "ruff check", "depends-on": ["test"]}}
    feature_table = tomlkit.table(is_super_table=True)
    for i in range(features):
        f = tomlkit.table()
        f["dependencies"] = {f"pkg-{(i * 7 + j) % 300}": f">={j}.{i % 10}" for j in range(5)}
        f["pypi-dependencies"] = {f"pypkg-{(i + j) % 100}": "*" for j in range(2)}
        if i % 3 == 0:
            f["channels"] = [{"channel": f"chan-{i % 11}", "priority": i % 5}, "conda-forge"]
        if i % 4 == 0:
            f["platforms"] = rng.sample(PLATFORMS[:platforms], k=max(1, platforms - 2))
        f["tasks"] = {f"task-{i}": f"echo {i}"}
        f["activation"] = {"env": {f"VAR_{i % 13}": str(i)}}
        target = tomlkit.table(is_super_table=True)
        for selector in rng.sample(SELECTORS, k=2):
            target[selector] = {"dependencies": {f"pkg-{i % 300}": f"<{i % 7 + 2}"}}
        f["target"] = target
        feature_table[f"f{i}"] = f
    doc["feature"] = feature_table
    envs = tomlkit.table()
    for e in range(environments):
        chosen = rng.sample(range(features), k=min(5, features))
        entry = {"features": [f"f{c}" for c in chosen]}
        if e % 10 == 0:
            entry["solve-group"] = f"group-{e % 7}"
        envs[f"env-{e}"] = entry
    doc["environments"] = envs
    return tomlkit.dumps(doc)
