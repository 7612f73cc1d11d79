"""Benchmark: lock time against the ~200-package ``conda-forge-slice`` channel fixture.

Measures ``lock_workspace`` (manifest load, every solve, writing ``pixi.lock``) for one
environment on one platform (target: under 1 s), one environment on three platforms, ten
environments on one and on three platforms, and ten environments in one solve group.
Each figure is the median of several runs.  Run: python benchmarks/bench_lock.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pixiconf.corpus.channels import load_fixture, write_repodata
from pixiconf.lock import lock_workspace
from pixiconf.manifest.load import load_manifest

CORPUS = Path(__file__).resolve().parent.parent / "cases"
TARGET_SECONDS = 1.0

#: Ten environments over the fixture: different python versions and package mixes.
ENVIRONMENT_FEATURES = {
    "py312": 'python = "3.12.*"',
    "py311": 'python = "3.11.*"',
    "py313": 'python = "3.13.*"',
    "science": 'python = "3.12.*"\npandas = "*"\nnumpy = "*"',
    "old-numpy": 'python = "3.12.*"\nnumpy = "1.26.*"',
    "web": 'python = "3.12.*"\nrequests = "*"\nclick = "*"',
    "test": 'python = "3.12.*"\npytest = "*"',
    "yaml": 'python = "3.12.*"\npyyaml = "*"\njinja2 = "*"',
    "tools": 'python = "3.12.*"\npip = "*"\npackaging = "*"',
    "mkl": 'python = "3.12.*"\nnumpy = "*"\nlibblas = { version = "*", build = "*mkl" }',
}


def manifest(url: str, platforms: list[str], environments: int, solve_group: bool) -> str:
    lines = [
        "[workspace]",
        f'channels = ["{url}"]',
        "platforms = [" + ", ".join(f'"{p}"' for p in platforms) + "]",
        "",
    ]
    names = list(ENVIRONMENT_FEATURES)[:environments]
    if environments == 1:
        lines += ["[dependencies]", 'python = "3.12.*"', 'pandas = "*"', 'requests = "*"']
        return "\n".join(lines) + "\n"
    for name in names:
        if name == "mkl":  # no mkl for osx-arm64, as on conda-forge
            supported = [p for p in platforms if p in ("linux-64", "win-64")]
            lines += [
                f"[feature.{name}]",
                "platforms = [" + ", ".join(f'"{p}"' for p in supported) + "]",
            ]
        lines += [f"[feature.{name}.dependencies]", ENVIRONMENT_FEATURES[name], ""]
    lines.append("[environments]")
    for name in names:
        group = ', solve-group = "all"' if solve_group else ""
        lines.append(f'{name} = {{ features = ["{name}"]{group} }}')
    return "\n".join(lines) + "\n"


def measure(
    channel_url: str,
    platforms: list[str],
    environments: int,
    solve_group: bool = False,
    runs: int = 5,
    first: bool = False,
) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            text = manifest(channel_url, platforms, environments, solve_group)
            if solve_group:  # a common python so the group is solvable
                text = (
                    text.replace('python = "3.11.*"', 'python = "3.12.*"')
                    .replace('python = "3.13.*"', 'python = "3.12.*"')
                    .replace('numpy = "1.26.*"', 'numpy = "*"')
                )
            (root / "pixi.toml").write_text(text)
            start = time.perf_counter()
            lock_workspace(load_manifest(root / "pixi.toml"), root)
            times.append(time.perf_counter() - start)
    return times[0] if first else statistics.median(times)


def main() -> None:
    records = load_fixture([CORPUS], "conda-forge-slice")
    count = sum(len(r) for r in records.values())
    with tempfile.TemporaryDirectory() as tmp:
        channel = Path(tmp) / "conda-forge"
        write_repodata(channel, records)
        url = channel.as_uri()
        print(
            f"channel: conda-forge-slice, {count} records "
            f"({', '.join(f'{s} {len(r)}' for s, r in sorted(records.items()))})"
        )
        cold = measure(url, ["linux-64"], 1, runs=1, first=True)
        one = measure(url, ["linux-64"], 1)
        verdict = "ok" if one < TARGET_SECONDS else "OVER TARGET"
        print(
            f"  1 environment  x 1 platform : {one:.3f} s  (target < {TARGET_SECONDS:.0f} s: "
            f"{verdict}; first run in this process {cold:.3f} s)"
        )
        print(
            f"  1 environment  x 3 platforms: "
            f"{measure(url, ['linux-64', 'osx-arm64', 'win-64'], 1):.3f} s"
        )
        print(f"  10 environments x 1 platform : {measure(url, ['linux-64'], 10):.3f} s")
        print(
            f"  10 environments x 3 platforms: "
            f"{measure(url, ['linux-64', 'osx-arm64', 'win-64'], 10):.3f} s"
        )
        print(
            f"  10 environments in one solve group x 3 platforms: "
            f"{measure(url, ['linux-64', 'osx-arm64', 'win-64'], 10, solve_group=True):.3f} s"
        )


if __name__ == "__main__":
    main()
