"""Variant hash and build string (pixiconf.pixibuild.hashing): unit tests and properties."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pixiconf.pixibuild.hashing import (
    NormalizedKey,
    VariantValueError,
    build_string,
    check_value,
    debug_map,
    hash_input,
    hash_prefix,
    normalize_key,
    short_version,
    used_variant_for_noarch,
    variant_hash,
)

# -- unit tests -------------------------------------------------------------------------------


def test_hash_input_is_python_json_style():
    text = hash_input({"target_platform": "linux-64", "python": "3.11", "n": 5, "flag": False})
    assert text == '{"flag": false, "n": 5, "python": "3.11", "target_platform": "linux-64"}'


def test_hash_input_serialises_normalized_keys_sorted_bytewise():
    # `Z` (0x5a) sorts before `_` (0x5f) and lowercase letters.
    assert hash_input({"b-c": "1", "Z.x": "2", "a": "3"}) == '{"Z_x": "2", "a": "3", "b_c": "1"}'


def test_hash_input_keeps_utf8_and_slashes_raw_but_escapes_quotes_and_controls():
    text = hash_input({"k": 'Grüße/Ω "q" \\ \n\t\x01'})
    assert text == '{"k": "Grüße/Ω \\"q\\" \\\\ \\n\\t\\u0001"}'


def test_hash_input_lists_use_comma_space():
    assert hash_input({"k": ["a", 1, True]}) == '{"k": ["a", 1, true]}'


def test_later_spelling_of_a_key_wins():
    assert hash_input({"r-base": "4.1", "r_base": "4.2"}) == '{"r_base": "4.2"}'


def test_variant_hash_is_sha1_prefix_of_the_input():
    variant = {"python": "3.11", "target_platform": "linux-64"}
    expected = hashlib.sha1(hash_input(variant).encode()).hexdigest()[:7]
    assert variant_hash(variant) == expected == "48b7412"


@pytest.mark.parametrize(
    ("text", "parts", "short"),
    [
        ("3.11.2", 2, "311"),
        ("3.11.* *_cpython", 2, "311"),
        ("5.26.2", 3, "5262"),
        ("5", 2, "5"),
        ("", 2, ""),
    ],
)
def test_short_version(text, parts, short):
    assert short_version(text, parts) == short


def test_prefix_order_and_noarch_python():
    variant = {"r": "4.2", "lua": "5.4", "perl": "5.32.1", "python": "3.10", "numpy": "1.21"}
    assert hash_prefix(variant, None) == "np121py310pl5321lua54r42"
    assert hash_prefix(variant, "generic") == "np121py310pl5321lua54r42"
    assert hash_prefix(variant, "python") == "py"
    assert hash_prefix({"Python": "3.10"}, None) == ""


def test_r_base_wins_over_r_for_the_prefix():
    # Keys are visited in normalized order ("r" < "r_base"); the later one sets the prefix.
    assert hash_prefix({"r_base": "4.2", "r": "4.1"}, None) == "r42"


def test_boolean_prefix_value_displays_as_true():
    assert hash_prefix({"python": True}, None) == "pytrue"


def test_noarch_rules():
    variant = {"python": "3.11", "target-platform": "linux-64", "numpy": "1.2"}
    assert used_variant_for_noarch(variant, "python") == {
        "numpy": "1.2",
        "target_platform": "noarch",
    }
    assert used_variant_for_noarch(variant, "generic") == {
        "python": "3.11",
        "numpy": "1.2",
        "target_platform": "noarch",
    }
    assert used_variant_for_noarch(variant, None) == variant


def test_build_string_with_and_without_prefix():
    variant = {"target_platform": "linux-64"}
    assert build_string(variant).value == "hb0f4dca_0"
    assert build_string(variant, prefix="foo", build_number=3).value == "foo_hb0f4dca_3"
    assert build_string(
        {"python": "3.9.*", "target_platform": "linux-64"}, prefix="myprefix"
    ).value.startswith("myprefix_py39h")
    # An empty prefix still adds its separator (`format!("{prefix}_")`).
    assert build_string(variant, prefix="").value == "_hb0f4dca_0"


def test_build_string_rejects_unknown_noarch():
    with pytest.raises(ValueError, match="Invalid noarch type 'java'"):
        build_string({}, noarch="java")


@pytest.mark.parametrize("value", [1.5, None, {"a": 1}, [1.0]])
def test_check_value_rejects_what_a_variant_cannot_hold(value):
    with pytest.raises(VariantValueError):
        check_value(value)


@pytest.mark.parametrize("value", ["x", 1, True, ["a", 2, False]])
def test_check_value_accepts_variant_values(value):
    assert check_value(value) == value


def test_normalized_key_equality_order_and_debug():
    assert NormalizedKey("a-b") == NormalizedKey("a.b") == NormalizedKey("a_b")
    assert hash(NormalizedKey("a-b")) == hash(NormalizedKey("a_b"))
    assert sorted([NormalizedKey("b"), NormalizedKey("a-z"), NormalizedKey("a")]) == [
        NormalizedKey("a"),
        NormalizedKey("a_z"),
        NormalizedKey("b"),
    ]
    assert NormalizedKey("r-base").debug() == 'NormalizedKey("r-base")'


def test_debug_map_matches_the_insta_snapshot_format():
    # rattler_build_recipe__stage1__variant_tests__tests__build_string_py_noarch.snap
    items = [(NormalizedKey("__unix"), "__unix"), (NormalizedKey("target_platform"), "noarch")]
    assert debug_map(items) == (
        '{NormalizedKey("__unix"): "__unix", NormalizedKey("target_platform"): "noarch"}'
    )
    assert debug_map([(NormalizedKey("n"), 5), (NormalizedKey("b"), True)]) == (
        '{NormalizedKey("n"): 5, NormalizedKey("b"): true}'
    )


# -- properties -------------------------------------------------------------------------------

_WORD = st.text(alphabet="abcxyzABZ019", min_size=1, max_size=4)
_KEY_PARTS = st.lists(_WORD, min_size=1, max_size=3)
_SCALAR = st.one_of(
    st.text(max_size=8), st.integers(min_value=-(2**63), max_value=2**63 - 1), st.booleans()
)
_VALUE = st.one_of(_SCALAR, st.lists(_SCALAR, max_size=2))
_VERSION = st.lists(st.integers(min_value=0, max_value=999), min_size=1, max_size=4).map(
    lambda parts: ".".join(map(str, parts))
)


@st.composite
def variants(draw, *, min_size=0):
    """Variants whose keys are distinct after normalization (so spelling cannot collide)."""
    parts = draw(
        st.lists(_KEY_PARTS, min_size=min_size, max_size=5, unique_by=lambda p: "_".join(p))
    )
    return {"_".join(p): draw(_VALUE) for p in parts}


def _respell(key: str, seps: list[str]) -> str:
    it = iter(seps)
    return "".join(next(it, "_") if ch == "_" else ch for ch in key)


@settings(max_examples=200)
@given(variants(), st.randoms(use_true_random=False))
def test_hash_does_not_depend_on_key_order(variant, rnd):
    items = list(variant.items())
    rnd.shuffle(items)
    assert variant_hash(dict(items)) == variant_hash(variant)
    assert build_string(dict(items)).value == build_string(variant).value


@settings(max_examples=200)
@given(variants(), st.data())
def test_hash_does_not_depend_on_separator_spelling(variant, data):
    respelled = {}
    for key, value in variant.items():
        seps = data.draw(
            st.lists(st.sampled_from("-_."), max_size=key.count("_"), min_size=key.count("_"))
        )
        respelled[_respell(key, seps)] = value
    assert variant_hash(respelled) == variant_hash(variant)
    assert (
        build_string(respelled, noarch="generic").value
        == build_string(variant, noarch="generic").value
    )


@settings(max_examples=200)
@given(variants(), _VALUE, _VALUE, st.integers(min_value=0, max_value=10**6))
def test_noarch_python_never_hashes_python(variant, first, second, number):
    # (the generated keys cannot spell `python`, so only the key added here is python)
    a = build_string({**variant, "python": first}, noarch="python", build_number=number)
    b = build_string({**variant, "python": second}, noarch="python", build_number=number)
    assert a.value == b.value
    used = used_variant_for_noarch({**variant, "python": first}, "python")
    assert '"python":' not in hash_input(used)
    assert re.fullmatch(r"pyh[0-9a-f]{7}_\d+", a.value)


def test_noarch_python_drops_only_the_python_key():
    used = used_variant_for_noarch(
        {"Python": "3.11", "python-abi3": "3.9", "python": "3.12"}, "python"
    )
    assert used == {"Python": "3.11", "python-abi3": "3.9", "target_platform": "noarch"}


@settings(max_examples=200)
@given(variants(), _VALUE)
def test_any_noarch_hashes_target_platform_noarch(variant, platform):
    with_platform = build_string({**variant, "target_platform": platform}, noarch="generic")
    without = build_string({**variant, "target-platform": "noarch"}, noarch=None)
    assert with_platform.hash == without.hash


#: The shape of a default build string: optional user prefix, language prefixes in the order
#: np, py, pl, lua, r (each with the digits of its short version), `h`, 7 hex digits, `_N`.
BUILD_STRING = re.compile(
    r"(?:[A-Za-z0-9_.]+_)?(?:np\d*)?(?:py\d*)?(?:pl\d*)?(?:lua\d*)?(?:r\d*)?h[0-9a-f]{7}_\d+"
)


@settings(max_examples=300)
@given(
    variants(),
    st.dictionaries(
        st.sampled_from(["numpy", "python", "perl", "lua", "r", "r_base", "r-base"]),
        _VERSION,
        max_size=6,
    ),
    st.sampled_from([None, "generic", "python"]),
    st.none() | st.from_regex(r"[A-Za-z0-9_.]{1,8}", fullmatch=True),
    st.integers(min_value=0, max_value=10**9),
)
def test_build_string_shape(variant, languages, noarch, prefix, number):
    result = build_string(
        {**variant, **languages}, noarch=noarch, build_number=number, prefix=prefix
    )
    assert BUILD_STRING.fullmatch(result.value), result.value
    assert result.value.endswith(f"h{result.hash}_{number}")
    if prefix is not None:
        assert result.value.startswith(prefix + "_")


@given(st.text(max_size=20))
def test_normalize_key_is_idempotent_and_separator_free(key):
    once = normalize_key(key)
    assert normalize_key(once) == once
    assert "-" not in once and "." not in once
    assert len(once) == len(key)
