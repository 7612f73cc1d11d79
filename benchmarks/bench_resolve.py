"""Benchmark: resolve every environment x platform of synthetic manifests.

Prints the parse time and the time to resolve all environments x platforms for the issue's
reference point (500 features, 200 environments, 8 platforms) and a growth curve over the
number of features.  Run: python benchmarks/bench_resolve.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import synthetic_manifest
from pixiconf.manifest.load import load_manifest
from pixiconf.workspace.environments import environment_platforms, resolve


def measure(features: int, environments: int) -> tuple[float, float, int]:
    text = synthetic_manifest(features, environments)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pixi.toml"
        path.write_text(text)
        start = time.perf_counter()
        manifest = load_manifest(path)
        parsed = time.perf_counter()
        count = 0
        for name, env in manifest.environments.items():
            for platform in environment_platforms(manifest, env):
                resolve(manifest, name, platform)
                count += 1
        done = time.perf_counter()
    return parsed - start, done - parsed, count


def main() -> None:
    parse, res, count = measure(500, 200)
    print(
        f"500 features, 200 environments, 8 platforms: parse {parse:.3f} s, "
        f"resolve {count} env x platform in {res:.3f} s ({res / count * 1e6:.0f} us each), "
        f"total {parse + res:.3f} s"
    )
    print("growth (features -> parse s, resolve s for 200 envs x 8 platforms):")
    for n in (10, 50, 100, 250, 500, 1000):
        parse, res, count = measure(n, 200)
        print(f"  {n:5d} features: parse {parse:.3f} s  resolve {res:.3f} s  ({count} resolves)")


if __name__ == "__main__":
    main()
