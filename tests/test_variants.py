"""Variant configuration, used keys and combinations (pixiconf.pixibuild.variants and the
modules it uses).

Expected values are rattler-build's and pixi's: the ``integration_tests`` snapshots of
``rattler_build_variant_config``, ``stage1/variant_tests.rs``, pixi's ``stdlib_variants.rs``
and ``compilers.rs``, and the ``variants:`` recorded in pixi's lock files.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pixiconf.manifest.selectors import parse_selector
from pixiconf.pixibuild.combinations import combinations
from pixiconf.pixibuild.conda_build_config import parse_conda_build_config
from pixiconf.pixibuild.hashing import NormalizedKey, debug_map
from pixiconf.pixibuild.used_variables import used_variables
from pixiconf.pixibuild.variant_config import VariantConfig, VariantError
from pixiconf.pixibuild.variant_files import load_variant_files, parse_variant_yaml
from pixiconf.pixibuild.variants import compute_variants
from pixiconf.pixibuild.workspace_variants import (
    default_variants,
    derive_stdlib_variants,
    resolve_inline_variants,
    workspace_variant_config,
)

COMPILER_C = "${{ compiler('c') }}"
COMPILER_CXX = "${{ compiler('cxx') }}"
STDLIB_C = "${{ stdlib('c') }}"

# rattler_build_variant_config test-data (quoted here as inputs).
SIMPLE = (
    'python:\n  - "3.9"\n  - "3.10"\n  - "3.11"\n\n'
    'numpy:\n  - "1.20"\n  - "1.21"\n  - "1.22"\n\n'
    "compiler:\n  - gcc\n  - clang\n"
)
WITH_ZIP = (
    SIMPLE
    + 'compiler_version:\n  - "9"\n  - "10"\n\n'
    + "zip_keys:\n  - [python, numpy]\n  - [compiler, compiler_version]\n"
)
SELECTORS = """python:
  - if: unix
    then: ["3.14", "3.15"]
  - if: win
    then: ["3.14"]
c_compiler:
  - if: linux
    then: [gcc, clang]
  - if: osx
    then: [clang]
  - if: win
    then: [vs2019, vs2022]
foobar:
  - ${{ "unknown" if unix else "known" }}
filter:
  - ${{ "appears" if true }}
  - ${{ "disappears" if false }}
target:
  - ${{ target_platform }}
mixed:
  - "static_value"
  - if: linux
    then: ["linux_only"]
  - ${{ "jinja_value" }}
unix_level:
  - if: unix
    then: 1
"""
CONDA_BUILD_CONFIG = """python:
  - 3.9
  - 3.10 # [unix]
  - 3.11 # [linux]

compiler: # [unix]
  - gcc
  - clang

compiler: # [win]
  - vs2019 # [win]

c_compiler_version: # [linux]
  - 9 # [linux]
  - 10 # [linux]
  - 11 # [linux]

c_compiler_version: # [osx]
  - 14 # [osx]
  - 15 # [osx]

target_platform:
  - linux-64 # [linux]
  - osx-64 # [osx]
  - win-64 # [win]
"""
TYPES = """zip_keys:
  - - python
    - numpy
pin_run_as_build:
  boost:
    max_pin: x.x.x
libblas:
  - 3.9 *netlib
blas_impl:
  - openblas
  - mkl # [x86 or x86_64]
  - blis # [x86 or x86_64]
alsa_lib:
  - 1.2.8
arb:
  - "2.23"
integer:
  - 5
boolean:
  - true
noboolean:
  - "true"
nointeger:
  - "5"
"""


# -- variant files ----------------------------------------------------------------------------


def test_selectors_linux_snapshot():
    # integration_tests__flatten_selectors_linux.snap
    assert parse_variant_yaml(SELECTORS, "linux-64").to_dict() == {
        "c_compiler": ["gcc", "clang"],
        "filter": ["appears"],
        "foobar": ["unknown"],
        "mixed": ["static_value", "linux_only", "jinja_value"],
        "python": ["3.14", "3.15"],
        "target": ["linux-64"],
        "unix_level": [1],
    }


def test_selectors_win_snapshot():
    # integration_tests__flatten_selectors_win.snap: unix_level is gone (no value left)
    assert parse_variant_yaml(SELECTORS, "win-64").to_dict() == {
        "c_compiler": ["vs2019", "vs2022"],
        "filter": ["appears"],
        "foobar": ["known"],
        "mixed": ["static_value", "jinja_value"],
        "python": ["3.14"],
        "target": ["win-64"],
    }


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        (
            "linux-64",
            {
                "c_compiler_version": ["9", "10", "11"],
                "compiler": ["gcc", "clang"],
                "python": ["3.9", "3.10", "3.11"],
                "target_platform": ["linux-64"],
            },
        ),
        (
            "osx-arm64",
            {
                "c_compiler_version": ["14", "15"],
                "compiler": ["gcc", "clang"],
                "python": ["3.9", "3.10"],
                "target_platform": ["osx-64"],
            },
        ),
        # the skipped `compiler: # [unix]` line leaves its items under `python`
        (
            "win-64",
            {
                "compiler": ["vs2019"],
                "python": ["3.9", "gcc", "clang"],
                "target_platform": ["win-64"],
            },
        ),
    ],
)
def test_conda_build_config_snapshots(platform, expected):
    # integration_tests__conda_build_config_{linux,osx,win}.snap
    assert parse_conda_build_config(CONDA_BUILD_CONFIG, platform).to_dict() == expected


def test_value_types_modern_and_legacy():
    # test_load_variant_config_with_types / test_load_conda_build_config_with_types
    modern = parse_variant_yaml(TYPES, "linux-64")
    legacy = parse_conda_build_config(TYPES, "linux-64")
    assert modern.get("integer") == [5] and legacy.get("integer") == ["5"]
    for config in (modern, legacy):
        assert config.get("boolean") == [True]
        assert config.get("noboolean") == ["true"]
        assert config.get("nointeger") == ["5"]
        assert config.get("alsa_lib") == ["1.2.8"]
        assert config.get("libblas") == ["3.9 *netlib"]
        assert config.get("pin_run_as_build") is None
        assert config.zip_keys == [["python", "numpy"]]
    assert legacy.get("blas_impl") == ["openblas", "mkl", "blis"]


def test_legacy_selector_on_arm_drops_x86_only_lines():
    assert parse_conda_build_config(TYPES, "osx-arm64").get("blas_impl") == ["openblas"]


def test_modern_file_value_must_be_a_list():
    with pytest.raises(VariantError, match="Variant values for 'python' must be a list"):
        parse_variant_yaml("python: '3.11'\n", "linux-64")


def test_modern_condition_error_names_the_key():
    with pytest.raises(
        VariantError,
        match=r"Failed to evaluate condition 'nope' for variant key "
        r"'NormalizedKey\(\"python\"\)'",
    ):
        parse_variant_yaml("python:\n  - if: nope\n    then: ['3.11']\n", "linux-64")


def test_legacy_unknown_selector_drops_the_line():
    config = parse_conda_build_config("python:\n  - 3.9\n  - 3.10  # [nope]\n", "linux-64")
    assert config.get("python") == ["3.9"]


def test_legacy_environ_get_uses_the_given_environment():
    text = "flag:\n  - a  # [environ_get('X', 'no') == 'yes']\n  - b\n"
    assert parse_conda_build_config(text, "linux-64", env={"X": "yes"}).get("flag") == ["a", "b"]
    assert parse_conda_build_config(text, "linux-64").get("flag") == ["b"]


def test_files_merge_in_order_and_zip_keys_come_from_the_last_file(tmp_path: Path):
    # test_multi_file_merge / integration_tests__multi_file_combos.snap
    base = tmp_path / "base.yaml"
    base.write_text('python:\n  - "3.9"\n  - "3.10"\n\ncompiler:\n  - gcc\n')
    override = tmp_path / "override.yaml"
    override.write_text(
        'python:\n  - "3.11"\n  - "3.12"\n\nnumpy:\n  - "1.20"\n  - "1.21"\n\n'
        "zip_keys:\n  - [python, numpy]\n"
    )
    config = load_variant_files([base, override], "linux-64")
    assert config.get("python") == ["3.11", "3.12"]
    assert config.zip_keys == [["python", "numpy"]]
    assert combinations(config, {"python", "numpy", "compiler"}) == [
        {"compiler": "gcc", "numpy": "1.20", "python": "3.11"},
        {"compiler": "gcc", "numpy": "1.21", "python": "3.12"},
    ]
    # A later file without zip_keys keeps the earlier ones.
    extra = tmp_path / "extra.yaml"
    extra.write_text("other:\n  - x\n")
    assert load_variant_files([override, extra], "linux-64").zip_keys == [["python", "numpy"]]


def test_conda_build_config_file_name_selects_the_legacy_loader(tmp_path: Path):
    legacy = tmp_path / "conda_build_config.yaml"
    legacy.write_text("python:\n  - 3.10  # [win]\n  - 3.11\n")
    other = tmp_path / "variants.yaml"
    other.write_text("python:\n  - 3.10  # [win]\n  - 3.11\n")
    assert load_variant_files([legacy], "linux-64").get("python") == ["3.11"]
    # Not the legacy loader: the comment is a comment and floats keep their text.
    assert load_variant_files([other], "linux-64").get("python") == ["3.10", "3.11"]


# -- combinations -----------------------------------------------------------------------------


def test_combinations_are_sorted_by_debug_text():
    # integration_tests__simple_python_numpy_combos.snap: "3.10" < "3.11" < "3.9"
    config = parse_variant_yaml(SIMPLE, "linux-64")
    combos = combinations(config, {"python", "numpy"})
    assert [(c["numpy"], c["python"]) for c in combos] == [
        (n, p) for n in ("1.20", "1.21", "1.22") for p in ("3.10", "3.11", "3.9")
    ]
    assert len(combinations(config, {"python", "numpy", "compiler"})) == 18
    assert combinations(config, {"python"}) == [
        {"python": "3.10"},
        {"python": "3.11"},
        {"python": "3.9"},
    ]


def test_zip_groups_advance_together():
    # integration_tests__zip_keys_all_combos.snap
    config = parse_variant_yaml(WITH_ZIP, "linux-64")
    assert len(combinations(config, {"python", "numpy"})) == 3
    assert combinations(config, {"python", "numpy", "compiler", "compiler_version"}) == [
        {"compiler": "clang", "compiler_version": "10", "numpy": n, "python": p}
        for n, p in (("1.20", "3.9"), ("1.21", "3.10"), ("1.22", "3.11"))
    ] + [
        {"compiler": "gcc", "compiler_version": "9", "numpy": n, "python": p}
        for n, p in (("1.20", "3.9"), ("1.21", "3.10"), ("1.22", "3.11"))
    ]


def test_zip_group_with_one_used_member():
    # test_variant_combinations_with_zip_and_filter
    config = VariantConfig.from_mapping({"a": ["1", "2"], "b": ["3", "4"]}, [["a", "b"]])
    assert combinations(config, {"a"}) == [{"a": "1"}, {"a": "2"}]
    assert len(combinations(config, {"a", "b"})) == 2
    config.insert("c", ["5", "6", "7"])
    assert len(combinations(config, {"a", "b", "c"})) == 6
    config.zip_keys = None
    assert len(combinations(config, {"a", "b", "c"})) == 12


def test_zip_length_mismatch_and_flat_list_errors():
    config = VariantConfig.from_mapping(
        {"python": ["3.9", "3.10"], "numpy": ["1.20"]}, [["python", "numpy"]]
    )
    with pytest.raises(
        VariantError, match=r"^Zip key elements do not all have same length: numpy$"
    ):
        combinations(config, {"target_platform"})
    config.zip_keys = [["python"]]
    with pytest.raises(VariantError, match="zip_keys must be a list of lists, not a flat list"):
        combinations(config, {"python"})


def test_zip_group_with_a_missing_key_is_not_validated():
    config = VariantConfig.from_mapping(
        {"c_compiler_version": ["9", "10"]}, [["cxx_compiler_version", "c_compiler_version"]]
    )
    assert combinations(config, {"c_compiler_version"}) == [
        {"c_compiler_version": "10"},
        {"c_compiler_version": "9"},
    ]


def test_flat_zip_keys_in_a_file_are_rejected():
    with pytest.raises(VariantError):
        parse_variant_yaml("zip_keys: [python, compiler]\npython: ['3.9']\n", "linux-64")


def test_no_used_keys_is_one_empty_combination():
    assert combinations(VariantConfig.from_mapping({"a": ["1"]}), set()) == [{}]


@settings(max_examples=100)
@given(
    st.dictionaries(
        st.sampled_from(list("abcdef")),
        st.lists(
            st.text(alphabet="0123456789.", min_size=1, max_size=4),
            min_size=1,
            max_size=3,
            unique=True,
        ),
        max_size=5,
    ),
    st.data(),
)
def test_combination_count_and_order(values, data):
    used = data.draw(st.sets(st.sampled_from(list("abcdefg"))))
    config = VariantConfig.from_mapping(values)
    combos = combinations(config, used)
    present = [k for k in used if k in values]
    assert len(combos) == math.prod(len(values[k]) for k in present)
    texts = [debug_map([(NormalizedKey(k), v) for k, v in sorted(c.items())]) for c in combos]
    assert texts == sorted(texts)
    assert all(set(c) == set(present) for c in combos)


# -- pixi's configuration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        (
            "win-64",
            {"c_compiler": ["vs2022"], "cxx_compiler": ["vs2022"], "cuda_compiler": ["cuda-nvcc"]},
        ),
        (
            "win-arm64",
            {"c_compiler": ["vs2022"], "cxx_compiler": ["vs2022"], "cuda_compiler": ["cuda-nvcc"]},
        ),
        ("linux-64", {"cuda_compiler": ["cuda-nvcc"]}),
        ("linux-aarch64", {"cuda_compiler": ["cuda-nvcc"]}),
        ("osx-arm64", {}),
        ("emscripten-wasm32", {}),
    ],
)
def test_default_variants(platform, expected):
    assert default_variants(platform).to_dict() == expected


@pytest.mark.parametrize(
    ("platform", "channels", "expected"),
    [
        ("linux-64", ["conda-forge"], [("c_stdlib", "sysroot"), ("c_stdlib_version", "2.28")]),
        (
            "linux-aarch64",
            ["https://prefix.dev/conda-forge"],
            [("c_stdlib", "sysroot"), ("c_stdlib_version", "2.28")],
        ),
        (
            "osx-64",
            ["https://conda.anaconda.org/conda-forge/"],
            [("c_stdlib", "macosx_deployment_target"), ("c_stdlib_version", "13.0")],
        ),
        (
            "osx-arm64",
            ["bioconda", "conda-forge"],
            [("c_stdlib", "macosx_deployment_target"), ("c_stdlib_version", "13.0")],
        ),
        ("win-64", ["conda-forge"], []),
        ("linux-64", ["https://prefix.dev/my-channel"], []),
        ("linux-64", ["conda-forge/label/dev"], []),
        ("linux-64", [], []),
    ],
)
def test_derive_stdlib_variants(platform, channels, expected):
    assert derive_stdlib_variants(platform, channels) == expected


def test_derived_stdlib_version_is_truncated_to_major_minor():
    # stdlib_variants.rs / workspace tests glibc_patch_version_truncated_to_major_minor
    assert derive_stdlib_variants("linux-64", ["conda-forge"], glibc="2.28.1")[1] == (
        "c_stdlib_version",
        "2.28",
    )
    assert derive_stdlib_variants("osx-arm64", ["conda-forge"], osx="15.1.1")[1] == (
        "c_stdlib_version",
        "15.1",
    )


def test_inline_variants_most_specific_target_wins():
    targets = [
        (parse_selector("unix"), {"python": ["3.10.*"], "numpy": ["1.0"]}),
        (parse_selector("linux-64"), {"python": ["3.12.*"]}),
        (parse_selector("win"), {"python": ["3.9.*"]}),
    ]
    resolved = resolve_inline_variants({"python": ["3.11.*"], "cuda": ["12"]}, targets, "linux-64")
    assert resolved == {"python": ["3.12.*"], "numpy": ["1.0"], "cuda": ["12"]}
    assert resolve_inline_variants({"python": ["3.11.*"]}, targets, "osx-64")["python"] == [
        "3.10.*"
    ]
    assert resolve_inline_variants({"python": ["3.11.*"]}, targets, "win-64")["python"] == ["3.9.*"]


def test_workspace_configuration_priority(tmp_path: Path):
    variants = tmp_path / "variants.yaml"
    variants.write_text(
        "cuda_compiler:\n  - nvcc\npython:\n  - '3.10'\nc_stdlib_version:\n"
        "  - '2.17'\nzip_keys:\n  - [python, cuda_compiler]\n"
    )
    config = workspace_variant_config(
        platform="linux-64",
        build_variants={"python": ["3.12.*"]},
        variant_files=[variants],
        channels=["conda-forge"],
    )
    assert config.to_dict() == {
        "c_stdlib": ["sysroot"],
        # the derived value fills the inline table, which is applied after the files
        "c_stdlib_version": ["2.28"],
        "cuda_compiler": ["nvcc"],  # files beat the backend defaults
        "python": ["3.12.*"],  # inline beats files
        "zip_keys": [["python", "cuda_compiler"]],
    }


def test_explicit_inline_value_beats_derived_stdlib():
    # pixi workspace test explicit_build_variant_overrides_derived_stdlib
    config = workspace_variant_config(
        platform="osx-arm64",
        build_variants={"c_stdlib_version": ["99.0"]},
        channels=["conda-forge"],
    )
    assert config.get("c_stdlib_version") == ["99.0"]
    assert config.get("c_stdlib") == ["macosx_deployment_target"]


# -- used keys and the used variant -----------------------------------------------------------


def test_used_variables_expand_compiler_and_stdlib_and_filter_to_the_config():
    config = VariantConfig.from_mapping(
        {
            "c_compiler": ["gcc"],
            "c_compiler_version": ["11"],
            "c_stdlib": ["glibc"],
            "c_stdlib_version": ["2.35"],
            "CONDA_BUILD_SYSROOT": ["/x"],
            "python": ["3.11"],
            "numpy": ["1.20"],
            "target_platform": ["linux-64"],
            "channel_targets": ["cf main"],
            "cuda": ["12"],
            "zlib": ["1"],
        }
    )
    recipe = {
        "requirements": {
            "build": [COMPILER_C, STDLIB_C],
            "host": ["python", {"if": "win", "then": ["numpy"]}],
            "run": ["zlib"],
        },
        "build": {"variant": {"use_keys": ["cuda"], "ignore_keys": []}},
    }
    assert used_variables(recipe, config) == {
        "c_compiler",
        "c_compiler_version",
        "c_stdlib",
        "c_stdlib_version",
        "CONDA_BUILD_SYSROOT",
        "python",
        "numpy",
        "target_platform",
        "channel_targets",
        "cuda",
    }


def _variants(recipe, mapping, platform="linux-64", **kwargs):
    kwargs.setdefault("noarch", None)
    return compute_variants(recipe, VariantConfig.from_mapping(mapping), platform, **kwargs)


def test_free_dependency_and_compiler_keys_are_used():
    # variant_tests.rs test_free_dependency_creates_variant
    out = _variants(
        {"requirements": {"build": [COMPILER_C, STDLIB_C], "host": ["python"]}},
        {
            "target_platform": ["linux-64"],
            "c_compiler": ["gcc"],
            "c_compiler_version": ["11"],
            "c_stdlib": ["glibc"],
            "c_stdlib_version": ["2.35"],
            "python": ["3.11"],
            "numpy": ["1.20"],
        },
    )
    assert out[0]["variant"] == {
        "c_compiler": "gcc",
        "c_compiler_version": "11",
        "c_stdlib": "glibc",
        "c_stdlib_version": "2.35",
        "python": "3.11",
        "target_platform": "linux-64",
    }


def test_pinned_dependency_is_not_a_variant():
    # variant_tests.rs test_pinned_dependency_no_variant
    out = _variants(
        {"requirements": {"host": ["python >=3.11"]}},
        {"target_platform": ["linux-64"], "python": ["3.11"]},
    )
    assert out == [{"variant": {"target_platform": "linux-64"}, "build-string": "hb0f4dca_0"}]


def test_conda_build_sysroot_follows_compiler_use():
    # test_conda_build_sysroot_included_with_compiler / _not_included_without_compiler
    config = {
        "target_platform": ["osx-arm64"],
        "c_compiler": ["clang"],
        "c_compiler_version": ["14"],
        "CONDA_BUILD_SYSROOT": ["/sdk"],
        "python": ["3.11"],
    }
    with_compiler = _variants({"requirements": {"build": [COMPILER_C]}}, config, "osx-arm64")
    assert "CONDA_BUILD_SYSROOT" in with_compiler[0]["variant"]
    without = _variants({"requirements": {"host": ["python"]}}, config, "osx-arm64")
    assert "CONDA_BUILD_SYSROOT" not in without[0]["variant"]


def test_only_the_taken_branch_counts_in_the_used_variant():
    # test_conditional_dependencies: numpy only under `win`; both keys enter the matrix, so
    # on linux the numpy values give identical outputs, reported once.
    recipe = {
        "requirements": {
            "host": [{"if": "unix", "then": ["python"]}, {"if": "win", "then": ["numpy"]}]
        }
    }
    config = {"python": ["3.11", "3.12"], "numpy": ["1.20", "1.21"]}
    out = _variants(recipe, config)
    assert [o["variant"] for o in out] == [
        {"python": "3.11", "target_platform": "linux-64"},
        {"python": "3.12", "target_platform": "linux-64"},
    ]
    win = _variants(recipe, config, "win-64")
    assert [o["variant"]["numpy"] for o in win] == ["1.20", "1.21"]
    assert all("python" not in o["variant"] for o in win)


def test_noarch_python_collapses_python_variants():
    out = _variants(
        {"requirements": {"host": ["python"], "run": ["__unix"]}},
        {"python": ["3.11", "3.12"]},
        noarch="python",
        build_number=5,
    )
    assert out == [
        {
            "variant": {"__unix": "__unix", "target_platform": "noarch"},
            "build-string": "pyh5600cae_5",
        }
    ]


def test_virtual_run_packages_keep_their_spec():
    out = _variants(
        {"requirements": {"run": ["__glibc>=2.17", {"if": "win", "then": ["__win"]}]}}, {}
    )
    assert out[0]["variant"] == {"__glibc": "__glibc >=2.17", "target_platform": "linux-64"}


def test_use_keys_and_ignore_keys():
    recipe = {
        "requirements": {"host": ["python"]},
        "build": {"variant": {"use_keys": ["cuda"], "ignore_keys": ["python"]}},
    }
    out = _variants(recipe, {"python": ["3.11"], "cuda": ["11", "12"]})
    assert [o["variant"] for o in out] == [
        {"cuda": "11", "target_platform": "linux-64"},
        {"cuda": "12", "target_platform": "linux-64"},
    ]


def test_build_platform_is_only_used_when_referenced():
    out = _variants({"requirements": {"build": ["make ${{ build_platform }}"]}}, {}, "osx-64")
    assert out[0]["variant"] == {"build_platform": "osx-64", "target_platform": "osx-64"}


def test_stdlib_without_a_c_stdlib_variant_is_an_error():
    with pytest.raises(VariantError, match="No stdlib found for language: c"):
        _variants({"requirements": {"build": [STDLIB_C]}}, {})


def test_hyphenated_variant_keys_are_reported_normalized():
    out = _variants({"requirements": {"host": ["r-base"]}}, {"r-base": ["4.2"]})
    assert out[0]["variant"] == {"r_base": "4.2", "target_platform": "linux-64"}
    assert out[0]["build-string"].startswith("r42h")


def test_prefix_and_build_number_reach_every_output():
    out = _variants(
        {"requirements": {"host": ["python"]}}, {"python": ["3.9.*", "3.10.*"]}, prefix="myprefix"
    )
    assert [o["build-string"] for o in out] == [
        "myprefix_py310h04c9772_0",
        "myprefix_py39h431d701_0",
    ]


def test_lock_file_variants_of_workspace_variants_example():
    # docs/source_files/pixi_workspaces/pixi_build/workspace_variants/pixi.lock (python_rich)
    recipe = {
        "requirements": {
            "host": ["hatchling ==1.26.3", "python", "uv", "python >=3.11"],
            "run": ["cpp_math", "rich >=13.9.4,<14", "python >=3.11"],
        }
    }
    for platform in ("linux-64", "win-64", "osx-arm64"):
        config = workspace_variant_config(
            platform=platform,
            build_variants={"python": ["3.11.*", "3.12.*"]},
            channels=["https://prefix.dev/conda-forge"],
        )
        out = compute_variants(recipe, config, platform, noarch=None)
        assert [o["variant"] for o in out] == [
            {"python": "3.11.*", "target_platform": platform},
            {"python": "3.12.*", "target_platform": platform},
        ]


@pytest.mark.parametrize(
    ("platform", "variant"),
    [
        (
            "linux-64",
            {"c_stdlib": "sysroot", "c_stdlib_version": "2.28", "target_platform": "linux-64"},
        ),
        (
            "osx-64",
            {
                "c_stdlib": "macosx_deployment_target",
                "c_stdlib_version": "13.0",
                "target_platform": "osx-64",
            },
        ),
    ],
)
def test_lock_file_variants_of_cpp_example(platform, variant):
    # docs/source_files/pixi_workspaces/pixi_build/cpp/pixi.lock (cpp_math)
    recipe = {
        "requirements": {
            "build": [COMPILER_CXX, STDLIB_C],
            "host": ["cmake >=3.20,<3.27", "nanobind >=2.4.0,<2.5.0", "python 3.12.*"],
        }
    }
    config = workspace_variant_config(
        platform=platform, build_variants={}, channels=["https://prefix.dev/conda-forge"]
    )
    assert [o["variant"] for o in compute_variants(recipe, config, platform, noarch=None)] == [
        variant
    ]


# pixi crates/pixi_build_rattler_build protocol tests: conda_outputs snapshots (host linux-64)


def test_pixi_snapshot_variants_recipe():
    # conda_outputs@variants__recipe.yaml.snap: outputs in rattler-build's order
    out = _variants(
        {"requirements": {"host": ["python"], "run": ["python"]}},
        {"python": ["3.8", "3.9", "3.10"]},
    )
    assert out == [
        {
            "variant": {"python": "3.10", "target_platform": "linux-64"},
            "build-string": "py310h8e7c8fa_0",
        },
        {
            "variant": {"python": "3.8", "target_platform": "linux-64"},
            "build-string": "py38h0891c58_0",
        },
        {
            "variant": {"python": "3.9", "target_platform": "linux-64"},
            "build-string": "py39h2e92cda_0",
        },
    ]


def test_pixi_snapshot_noarch_generic_keeps_python():
    # conda_outputs@pin-subpackage-variants__recipe.yaml.snap, output my-package
    out = _variants(
        {"build": {"noarch": "generic"}, "requirements": {"host": ["python"]}},
        {"python": ["3.8", "3.9", "3.10"]},
        noarch="generic",
    )
    assert [(o["variant"], o["build-string"]) for o in out] == [
        ({"python": "3.10", "target_platform": "noarch"}, "py310hbede2c2_0"),
        ({"python": "3.8", "target_platform": "noarch"}, "py38hb368f13_0"),
        ({"python": "3.9", "target_platform": "noarch"}, "py39h6a44458_0"),
    ]


def test_pixi_snapshot_boltons_noarch_python():
    # conda_outputs@boltons__recipe.yaml.snap
    recipe = {
        "build": {"noarch": "python"},
        "requirements": {"host": ["python", "pip", "setuptools"], "run": ["pip"]},
    }
    assert _variants(recipe, {}, noarch="python") == [
        {"variant": {"target_platform": "noarch"}, "build-string": "pyh4616a5c_0"}
    ]


# --------------------------------------------------------------------------- Jinja (minijinja)


def _scope(variant, platform="linux-64"):
    from pixiconf.pixibuild.jinja import Scope
    from pixiconf.pixibuild.platforms import platform_context

    return Scope({**platform_context(platform), **variant}, variant=variant)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # Jinja's own literals and operators (the hand-written subset kept `3.10` as text and
        # had no filters or tests): rattler-build renders with minijinja, so does the reference.
        ("${{ 3.10 }}", "3.1"),
        ("${{ python | replace('.', '') }}", "311"),
        ("${{ python is string }}", "true"),
        ("${{ 'x' ~ 1 }}", "x1"),
        ("${{ 'on' if linux }}|${{ 'on' if win }}", "on|"),
        ("${{ [1, 'a'] }}", '[1, "a"]'),
    ],
)
def test_templates_render_as_minijinja(template, expected):
    from pixiconf.pixibuild.jinja import render_template

    assert render_template(template, _scope({"python": "3.11"})) == expected


def test_keyword_arguments_reach_the_functions():
    from pixiconf.pixibuild.jinja import Scope, render_template

    seen = []
    scope = Scope({}, functions={"pin": lambda *a, **k: seen.append((a, k)) or "ok"})
    assert render_template("${{ pin('x', exact=True) }}", scope) == "ok"
    assert seen == [(("x",), {"exact": True})]


def test_evaluations_record_only_the_variant_keys_they_read():
    # jinja.rs TrackingContext: a lookup is recorded when it happens, so a short-circuited
    # operand is not read.
    from pixiconf.pixibuild.jinja import evaluate_condition

    scope = _scope({"foo": "a", "bar": "b"})
    assert evaluate_condition("osx and foo == 'a'", scope) is False
    assert scope.accessed == set()
    assert evaluate_condition("linux and foo == 'a' or bar", scope) is True
    assert scope.accessed == {"foo"}


def test_used_variables_name_compiler_keys_and_template_names():
    from pixiconf.pixibuild.jinja import expression_variables, template_variables

    assert expression_variables("foo == 'a' and compiler('cxx')") == {
        "foo",
        "cxx_compiler",
        "cxx_compiler_version",
        "CONDA_BUILD_SYSROOT",
    }
    assert template_variables("${{ cdt('x') }}-${{ bar | lower }}") == {"cdt_name", "bar"}


def test_conditional_requirement_reads_its_variant_key():
    recipe = {"requirements": {"host": [{"if": "mpi == 'openmpi'", "then": "openmpi"}]}}
    out = _variants(recipe, {"mpi": ["openmpi", "nompi"]})
    assert [o["variant"] for o in out] == [
        {"mpi": "nompi", "target_platform": "linux-64"},
        {"mpi": "openmpi", "target_platform": "linux-64"},
    ]


def test_jinja_errors_are_variant_errors():
    from pixiconf.pixibuild.jinja import evaluate_condition

    with pytest.raises(VariantError, match=r"^undefined value `nope` in condition `nope`$"):
        evaluate_condition("nope", _scope({}))
    with pytest.raises(VariantError, match=r"syntax error.* in `foo ==`$"):
        evaluate_condition("foo ==", _scope({"foo": 1}))


def test_a_condition_that_does_not_evaluate_names_its_file_and_line() -> None:
    from pixiconf.pixibuild.variant_config import VariantError
    from pixiconf.pixibuild.variant_files import parse_variant_yaml

    text = 'numpy:\n  - "2.0"\npython:\n  - if: linux and (\n    then: ["3.11"]\n'
    with pytest.raises(VariantError, match="Failed to evaluate condition 'linux and \\('") as exc:
        parse_variant_yaml(text, "linux-64", "variants.yaml")
    assert (exc.value.file, exc.value.line) == ("variants.yaml", 4)
    assert exc.value.diagnostic().render().startswith("variants.yaml:4: error: Invalid variant")
