"""Benchmark: recipes and build strings per second, and rendering a 1000-variant matrix.

Prints how many recipes :func:`pixiconf.pixibuild.recipe.package_recipe` renders per second for
the realistic packages in ``tests/data/packages`` (whole flow: manifest, config, variant keys,
recipe),

Prints how many build strings :func:`pixiconf.pixibuild.hashing.build_string` computes per second
(for a typical used variant and for a large one), and the time
:func:`pixiconf.pixibuild.variants.compute_variants` takes for a recipe whose variant matrix has
1000 combinations (10 python x 10 numpy x 10 cuda), which must stay under 2 s; the script
exits non-zero if it does not.  Run: python benchmarks/bench_build.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pixiconf.pixibuild.hashing import build_string
from pixiconf.pixibuild.variants import VariantConfig, compute_variants

MATRIX_LIMIT_S = 2.0

SMALL = {"python": "3.12.*", "target_platform": "linux-64"}
LARGE = {
    "rust_compiler": "rust",
    "build_platform": "osx-64",
    "c_compiler": "clang",
    "target_platform": "osx-arm64",
    "openssl": "3",
    "CONDA_BUILD_SYSROOT": "/Applications/Xcode_13.2.1.app/Contents/Developer/Platforms/"
    "MacOSX.platform/Developer/SDKs/MacOSX11.0.sdk",
    "channel_targets": "conda-forge main",
    "python": "3.11.* *_cpython",
    "c_compiler_version": "14",
    "numpy": "2.0",
    "perl": "5.32.1",
    "r-base": "4.3",
}


def build_strings_per_second(variant: dict, seconds: float = 1.0) -> float:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for n in range(200):
            build_string(variant, build_number=n)
        count += 200
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def matrix(size: int = 10) -> tuple[dict, VariantConfig]:
    recipe = {
        "build": {"variant": {"use_keys": [], "ignore_keys": []}},
        "requirements": {
            "build": ["${{ compiler('c') }}", "${{ stdlib('c') }}"],
            "host": [
                "python",
                "numpy",
                "cuda-version",
                "uv",
                {"if": "host_platform == 'linux-64'", "then": ["libgcc"]},
            ],
            "run": ["python", "__glibc >=2.17"],
        },
    }
    config = VariantConfig.from_mapping(
        {
            "python": [f"3.{i}.*" for i in range(size)],
            "numpy": [f"1.{i}" for i in range(size)],
            "cuda_version": [f"12.{i}" for i in range(size)],
            "c_compiler": ["gcc"],
            "c_compiler_version": ["13"],
            "c_stdlib": ["sysroot"],
            "c_stdlib_version": ["2.28"],
            "unused": ["a", "b", "c"],
        }
    )
    return recipe, config


def recipes_per_second(seconds: float = 2.0) -> tuple[float, int]:
    from pixiconf.pixibuild.recipe import package_recipe

    packages = sorted(
        (Path(__file__).resolve().parent.parent / "tests" / "data" / "packages").glob("*/pixi.toml")
    )
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for manifest in packages:
            package_recipe(manifest, "linux-64")
            count += 1
    return count / (time.perf_counter() - start), len(packages)


def main() -> int:
    per_second, kinds = recipes_per_second()
    print(f"recipes: {per_second:,.0f}/s (full flow over {kinds} realistic packages, linux-64)")
    small = build_strings_per_second(SMALL)
    large = build_strings_per_second(LARGE)
    print(f"build strings: {small:,.0f}/s (2-key variant), {large:,.0f}/s (13-key variant)")

    recipe, config = matrix()
    compute_variants(recipe, config, "linux-64", noarch=None)  # warm the parse caches
    start = time.perf_counter()
    outputs = compute_variants(recipe, config, "linux-64", noarch=None)
    elapsed = time.perf_counter() - start
    print(
        f"1000-variant matrix: {len(outputs)} outputs in {elapsed:.3f} s "
        f"({elapsed / max(len(outputs), 1) * 1e6:.0f} us each; limit {MATRIX_LIMIT_S:.1f} s)"
    )

    cold_recipe, cold_config = matrix()
    cold_config.insert("python", [f"4.{i}.*" for i in range(10)])  # new spec texts, cold caches
    start = time.perf_counter()
    compute_variants(cold_recipe, cold_config, "linux-64", noarch=None)
    cold = time.perf_counter() - start
    print(f"1000-variant matrix with fresh values: {cold:.3f} s")

    if len(outputs) != 1000 or max(elapsed, cold) >= MATRIX_LIMIT_S:
        print(
            f"FAIL: the 1000-variant matrix must give 1000 outputs in under {MATRIX_LIMIT_S:.1f} s",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
