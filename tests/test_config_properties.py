"""Properties of the python backend's config target merge (research §1 table).

``merge_with_target_config`` (pixi ``crates/pixi_build_python/src/config.rs``) merges the base
``[package.build.config]`` with only the *first* ``[package.build.target.<sel>.config]`` whose
selector matches.  The oracle below is written from the rules, not from the implementation:

* overwrite options (``noarch``, ``abi3``, ``installer``, ``compilers``,
  ``ignore-pyproject-manifest``, ``ignore-pypi-mapping``) take the target value when it is set;
* ``extra-args`` and ``extra-input-globs`` take the target value only when it is non-empty;
* merge options (``env``, ``pypi-conda-map``) are a key-wise union where the target wins.

Together with the variant-hash properties (tests/test_build_hashing.py) these are the
property tests of issue [2/5].
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pixiconf.manifest.selectors import parse_selector
from pixiconf.pixibuild.config import resolve_config

PLATFORM = "linux-64"
MATCHING = parse_selector("linux")
OTHER = parse_selector("win")

names = st.text("abcdefgh", min_size=1, max_size=4)
words = st.lists(st.text("abcxyz-", min_size=1, max_size=5), max_size=3)
OVERWRITE = {
    "noarch": st.booleans(),
    "abi3": st.booleans(),
    "installer": st.sampled_from(["uv", "pip"]),
    "compilers": st.lists(
        st.sampled_from(["c", "cxx", "rust", "fortran"]), max_size=3, unique=True
    ),
    "ignore-pyproject-manifest": st.booleans(),
    "ignore-pypi-mapping": st.booleans(),
}
NON_EMPTY_REPLACE = {"extra-args": words, "extra-input-globs": words}
MERGE = {
    "env": st.dictionaries(
        st.text("ABCD_", min_size=1, max_size=3), st.text("xyz", max_size=3), max_size=3
    ),
    "pypi-conda-map": st.dictionaries(names, st.one_of(st.just(False), names), max_size=3),
}
ATTRIBUTE = {
    "noarch": "noarch",
    "abi3": "abi3",
    "installer": "installer",
    "compilers": "compilers",
    "ignore-pyproject-manifest": "ignore_pyproject_manifest",
    "ignore-pypi-mapping": "ignore_pypi_mapping_option",
    "extra-args": "extra_args",
    "extra-input-globs": "extra_input_globs",
    "env": "env",
    "pypi-conda-map": "pypi_conda_map",
}


@st.composite
def configs(draw) -> dict:
    config = {}
    for key, strategy in {**OVERWRITE, **NON_EMPTY_REPLACE, **MERGE}.items():
        if draw(st.booleans()):
            config[key] = draw(strategy)
    return config


def expected(base: dict, target: dict, key: str):
    if key in OVERWRITE:
        return target.get(key, base.get(key))
    if key in NON_EMPTY_REPLACE:
        return target.get(key) or base.get(key) or []
    if key not in base and key not in target:
        return {} if key == "env" else None
    return {**base.get(key, {}), **target.get(key, {})}


SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)


@SETTINGS
@given(base=configs(), target=configs())
def test_matching_target_merges_per_key_rule(base, target):
    config, _ = resolve_config(base, [(MATCHING, target)], PLATFORM)
    for key, attribute in ATTRIBUTE.items():
        assert getattr(config, attribute) == expected(base, target, key), key


@SETTINGS
@given(base=configs(), target=configs())
def test_env_keys_base_sorted_then_new_target_keys_sorted(base, target):
    # Config tables reach the backend as serde_value maps, which are BTreeMaps
    # (crates/pixi_manifest/src/toml/build_backend.rs convert_toml_to_serde), so each table's
    # keys are sorted; IndexMap::extend then keeps the base keys first.
    config, _ = resolve_config(base, [(MATCHING, target)], PLATFORM)
    base_env, target_env = base.get("env", {}), target.get("env", {})
    assert list(config.env) == sorted(base_env) + sorted(k for k in target_env if k not in base_env)


@SETTINGS
@given(base=configs(), first=configs(), second=configs())
def test_only_the_first_matching_target_applies(base, first, second):
    config, _ = resolve_config(base, [(MATCHING, first), (MATCHING, second)], PLATFORM)
    alone, _ = resolve_config(base, [(MATCHING, first)], PLATFORM)
    assert config == alone


@SETTINGS
@given(base=configs(), target=configs())
def test_a_target_for_another_platform_never_contributes(base, target):
    config, _ = resolve_config(base, [(OTHER, target)], PLATFORM)
    untouched, _ = resolve_config(base, [], PLATFORM)
    assert config == untouched
