"""Unit tests for the reference's small building blocks.

Expected values come from pixi and its dependencies, not from the reference:

* ``jaro``: the ``strsim`` test-suite (``tests/jaro.rs``; pixi locks strsim 0.11.1) and the
  "did you mean" choice of ``crates/pixi_toml/src/diagnostic.rs`` (``> 0.6``, ``max_by`` keeps
  the last of equal maxima) plus the help texts of pixi's snapshots;
* selectors: ``crates/pixi_manifest/src/target.rs`` and ``platform.rs``;
* pypi-options: ``crates/pixi_manifest/src/pypi/pypi_options.rs`` and ``pypi/merge.rs``;
* system requirements: ``crates/pixi_manifest/src/system_requirements.rs``.
"""

from __future__ import annotations

import pytest

from pixiconf.manifest import pypi_options as pypi
from pixiconf.manifest import system_requirements as sysreq
from pixiconf.manifest.locations import LocationIndex, split_dotted
from pixiconf.manifest.selectors import (
    SelectorError,
    parse_selector,
    validate_platform_name,
)
from pixiconf.similarity import did_you_mean, jaro

# -- similarity -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected", "tolerance"),
    [
        ("martha", "marhta", 0.9444, 0.0001),
        ("dixon", "dicksonx", 0.7667, 0.0001),
        ("dwayne", "duane", 0.822, 0.001),
        ("Friedrich Nietzsche", "Jean-Paul Sartre", 0.392, 0.001),
        ("a", "ab", 0.83, 0.01),
        ("ab", "a", 0.83, 0.01),
        # strsim works on chars, not bytes
        ("testabctest", "testöঙ香test", 0.818, 0.001),
        ("testöঙ香test", "testabctest", 0.818, 0.001),
    ],
)
def test_jaro_matches_strsim(a, b, expected, tolerance):
    assert jaro(a, b) == pytest.approx(expected, abs=tolerance)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("", "", 1.0),
        ("", "jaro", 0.0),
        ("distance", "", 0.0),
        ("jaro", "jaro", 1.0),
        ("a", "b", 0.0),
        ("a", "a", 1.0),
    ],
)
def test_jaro_exact_values_from_strsim(a, b, expected):
    assert jaro(a, b) == expected


def test_jaro_exact_fractions():
    # martha/marhta: 6 matches, 1 transposition: (1 + 1 + 5/6) / 3
    assert jaro("martha", "marhta") == pytest.approx((1 + 1 + 5 / 6) / 3, abs=1e-12)
    # dixon/dicksonx: 4 matches of 5 and 8, no transposition: (4/5 + 4/8 + 1) / 3
    assert jaro("dixon", "dicksonx") == pytest.approx((4 / 5 + 4 / 8 + 1) / 3, abs=1e-12)


def test_did_you_mean_ties_go_to_the_last_candidate():
    assert jaro("abx", "ab") == jaro("aby", "ab")
    assert did_you_mean("ab", ["abx", "aby"]) == "aby"
    assert did_you_mean("ab", ["aby", "abx"]) == "abx"


def test_did_you_mean_needs_more_than_the_threshold():
    assert did_you_mean("zzz", ["feature", "target"]) is None
    assert did_you_mean("anything", []) is None
    # jaro("xyzab", "abcde") is well below 0.6: no suggestion even as the only candidate
    assert jaro("abcde", "xyzab") < 0.6
    assert did_you_mean("xyzab", ["abcde"]) is None


@pytest.mark.parametrize(
    ("value", "candidates", "expected"),
    [
        # crates/pixi_manifest/src/manifests/snapshots ...invalid_key@foobar / @hostdependencies
        (
            "foobar",
            [
                "project",
                "package",
                "target",
                "dependencies",
                "host-dependencies",
                "build-dependencies",
                "constraints",
                "exclude-newer",
                "pypi-dependencies",
                "pypi-exclude-newer",
                "dev",
                "activation",
                "tasks",
                "feature",
                "environments",
                "pypi-options",
                "system-requirements",
            ],
            "feature",
        ),
        (
            "hostdependencies",
            [
                "dependencies",
                "host-dependencies",
                "build-dependencies",
                "constraints",
                "pypi-dependencies",
                "dev",
                "activation",
                "tasks",
            ],
            "host-dependencies",
        ),
        # toml/environment.rs test_parse_invalid_environment
        (
            "feat",
            [
                "features",
                "solve-group",
                "no-default-feature",
                "platforms",
                "channels",
                "channel-priority",
                "solve-strategy",
                "target",
                "dependencies",
                "pypi-dependencies",
                "dev",
                "constraints",
                "activation",
                "tasks",
                "pypi-options",
            ],
            "features",
        ),
    ],
)
def test_did_you_mean_reproduces_pixi_snapshots(value, candidates, expected):
    assert did_you_mean(value, candidates) == expected


# -- locations ------------------------------------------------------------------------------

LOCATION_DOC = """\
[workspace]
name = "demo"
channels = ["conda-forge"]
description = \"\"\"
[not.a.header]
fake = 1
\"\"\"

  [feature.cuda.dependencies]
pytorch = "*"
"quoted.name" = ">=1"

[environments]
dev = { features = ["cuda"], solve-group = "gpu", inner = { deep = 1 } }
tool.pixi.x = 2

[[package.outputs]]
name = "out"
"""
LINES = LOCATION_DOC.splitlines()


def _col(line: int, text: str) -> int:
    return LINES[line - 1].index(text) + 1


@pytest.fixture(scope="module")
def index() -> LocationIndex:
    return LocationIndex.from_text(LOCATION_DOC)


def test_headers_are_placed_at_their_bracket(index):
    assert index.find(["workspace"]) == (1, 1)
    assert index.find(["feature", "cuda", "dependencies"]) == (9, 3)  # indented header
    assert index.find(["feature"]) == (9, 3)  # parents are placed where they first appear
    assert index.find(["package", "outputs"]) == (17, 1)  # array of tables


def test_keys_under_headers(index):
    assert index.find(["workspace", "name"]) == (2, 1)
    assert index.find(["feature", "cuda", "dependencies", "pytorch"]) == (10, 1)
    assert index.find(["feature", "cuda", "dependencies", "quoted.name"]) == (11, 1)
    assert index.find(["package", "outputs", "name"]) == (18, 1)


def test_dotted_keys(index):
    assert index.find(["environments", "tool", "pixi", "x"]) == (15, 1)
    assert index.find(["environments", "tool"]) == (15, 1)


def test_inline_table_keys(index):
    assert index.find(["environments", "dev"]) == (14, 1)
    assert index.find(["environments", "dev", "features"]) == (14, _col(14, "features"))
    assert index.find(["environments", "dev", "solve-group"]) == (14, _col(14, "solve-group"))
    assert index.find(["environments", "dev", "inner", "deep"]) == (14, _col(14, "deep"))


def test_multiline_strings_are_not_scanned(index):
    assert index.find(["not"]) is None
    assert index.find(["workspace", "fake"]) == (1, 1)  # falls back to the parent


def test_unknown_keys_fall_back_to_the_nearest_parent(index):
    assert index.find(["feature", "cuda", "dependencies", "missing"]) == (9, 3)
    assert index.find(["environments", "dev", "features", "0"]) == (14, _col(14, "features"))
    assert index.find(["nowhere"]) is None
    assert index.find([]) is None


def test_split_dotted_handles_quotes_and_spaces():
    assert split_dotted("a . \"b.c\" . 'd'") == ["a", "b.c", "d"]
    assert split_dotted('target."linux-*".dependencies') == ["target", "linux-*", "dependencies"]


# -- selectors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "kind", "value"),
    [
        ("linux", "family", "linux"),
        ("unix", "family", "unix"),
        ("win", "family", "win"),
        ("osx", "family", "osx"),
        ("macos", "family", "osx"),  # an alias of osx (family_name_to_selector)
        ("linux-64", "subdir", "linux-64"),
        ("osx-arm64", "subdir", "osx-arm64"),
        ("noarch", "subdir", "noarch"),
        ("linux-*", "glob", "linux-*"),
        ("cuda-**", "glob", "cuda-*"),  # runs of * collapse
        ("*", "glob", "*"),
        ("gpu-box", "name", "gpu-box"),
    ],
)
def test_parse_selector_kinds(key, kind, value):
    selector = parse_selector(key)
    assert (selector.kind, selector.value) == (kind, value)


def test_selector_display_is_the_parsed_selector():
    # TargetSelector::as_str: macos shows as osx, a glob with collapsed stars
    assert str(parse_selector("macos")) == "osx"
    assert str(parse_selector("a**b*")) == "a*b*"
    assert str(parse_selector("linux-64")) == "linux-64"


def test_same_selector_identity():
    assert parse_selector("osx").identity == parse_selector("macos").identity
    assert parse_selector("linux-*").identity == parse_selector("linux-**").identity
    assert parse_selector("linux").identity != parse_selector("linux-*").identity
    assert parse_selector("linux-64").identity != parse_selector("linux-64*").identity


@pytest.mark.parametrize("key", ["if(host_platform == 'linux-64')", "linux-64(x)"])
def test_expression_selectors_are_rejected(key):
    with pytest.raises(SelectorError, match="Expression selectors"):
        parse_selector(key)


@pytest.mark.parametrize("key", ["linux-6?", "linux[64]", "foo_bar", "9lives", "trailing-"])
def test_invalid_selectors_are_unknown_platforms(key):
    with pytest.raises(SelectorError) as exc:
        parse_selector(key)
    message = str(exc.value)
    assert message.startswith(f"'{key}' is not a known platform. Valid platforms are ")
    assert "'linux-64'" in message and "'win-64'" in message


@pytest.mark.parametrize(
    ("key", "matching", "not_matching"),
    [
        ("linux", ["linux-64", "linux-aarch64"], ["osx-64", "win-64", "noarch"]),
        ("unix", ["linux-64", "osx-arm64"], ["win-64", "win-arm64"]),
        ("win", ["win-64", "win-arm64"], ["linux-64", "osx-64"]),
        ("osx", ["osx-64", "osx-arm64"], ["linux-64", "win-64"]),
        ("macos", ["osx-64", "osx-arm64"], ["linux-64"]),
        ("linux-64", ["linux-64"], ["linux-aarch64", "osx-64"]),
        ("*-64", ["linux-64", "osx-64", "win-64"], ["linux-aarch64", "osx-arm64"]),
        ("linux-*", ["linux-64", "linux-aarch64"], ["osx-64", "linux"]),
        ("*", ["linux-64", "win-64", "osx-arm64"], []),
        ("gpu-box", [], ["linux-64", "win-64"]),
    ],
)
def test_selector_matches_subdir_platforms(key, matching, not_matching):
    selector = parse_selector(key)
    assert [p for p in matching if selector.matches(p)] == matching
    assert [p for p in not_matching if selector.matches(p)] == []


def test_selectors_on_named_platforms():
    # A platform named "linux-64-cuda" on subdir linux-64: subdir and family selectors look at
    # the subdir, globs and names at the name (TargetSelector::matches).
    assert parse_selector("linux-64").matches("linux-64-cuda", "linux-64")
    assert parse_selector("linux").matches("linux-64-cuda", "linux-64")
    assert not parse_selector("win").matches("linux-64-cuda", "linux-64")
    assert parse_selector("linux-64*").matches("linux-64-cuda", "linux-64")
    assert not parse_selector("*-cuda12").matches("linux-64-cuda", "linux-64")
    assert parse_selector("gpu-box").matches("gpu-box", "linux-64")
    assert not parse_selector("gpu-box").matches("linux-64", "linux-64")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "a platform name can not be empty"),
        ("a" * 65, "a platform name can not be longer than 64 bytes (got 65)"),
        ("é" * 33, "a platform name can not be longer than 64 bytes (got 66)"),  # bytes, not chars
        ("1abc", "a platform name can not contain '1' at position 0"),
        ("-abc", "a platform name can not contain '-' at position 0"),
        ("abc-", "a platform name can not contain '-' at position 3"),
        ("ab_c", "a platform name can not contain '_' at position 2"),
        ("linux", "'linux' is a reserved platform name"),
        ("macos", "'macos' is a reserved platform name"),
    ],
)
def test_invalid_platform_names(name, message):
    with pytest.raises(SelectorError) as exc:
        validate_platform_name(name)
    assert str(exc.value) == message


@pytest.mark.parametrize("name", ["a", "gpu-box", "linux-64-cuda-12", "A1", "x" * 64])
def test_valid_platform_names(name):
    assert validate_platform_name(name) == name


def test_pin_non_ascii_platform_name_character_is_replaced():
    """pixi checks platform names byte by byte and prints a non-ASCII byte as U+FFFD
    (byte_for_error_display in platform.rs)."""
    with pytest.raises(SelectorError) as exc:
        validate_platform_name("aéb")
    assert str(exc.value) == "a platform name can not contain '\ufffd' at position 1"


# -- pypi-options ---------------------------------------------------------------------------

GOOGLE, PREFIX = "https://google.com/", "https://prefix.dev/"


def test_pypi_union_of_nothing_is_nothing():
    assert pypi.union({}, {}) == {}
    assert pypi.overlay({}, {}) == {}


@pytest.mark.parametrize(
    ("key", "a", "b", "message"),
    [
        (
            "index-url",
            GOOGLE,
            PREFIX,  # toml/manifest.rs test_conflicting_pypi_options
            (
                "multiple primary pypi indexes are not supported, found both "
                "https://google.com/ and https://prefix.dev/ across multiple pypi options"
            ),
        ),
        (
            "index-strategy",
            "first-index",
            "unsafe-best-match",
            (
                "multiple index strategies are not supported, found both first-index and "
                "unsafe-best-match across multiple pypi options"
            ),
        ),
        (
            "prerelease-mode",
            "allow",
            "disallow",
            (
                "multiple prerelease modes are not supported, found both allow and disallow across "
                "multiple pypi options"
            ),
        ),
        (
            "skip-wheel-filename-check",
            True,
            False,
            (
                "multiple skip-wheel-filename-check values are not supported, found both true and "
                "false across multiple pypi options"
            ),
        ),
    ],
)
def test_pypi_union_rejects_different_single_values(key, a, b, message):
    with pytest.raises(pypi.PypiOptionsConflict) as exc:
        pypi.union({key: a}, {key: b})
    assert str(exc.value) == message
    assert pypi.union({key: a}, {key: a}) == {key: a}
    assert pypi.union({key: a}, {}) == pypi.union({}, {key: a}) == {key: a}


def test_pypi_union_concatenates_lists_without_duplicates():
    a = {"extra-index-urls": ["https://a/", "https://b/"], "find-links": [{"path": "./w"}]}
    b = {
        "extra-index-urls": ["https://b/", "https://c/"],
        "find-links": [{"url": "https://links/"}, {"path": "./w"}],
    }
    assert pypi.union(a, b) == {
        "extra-index-urls": ["https://a/", "https://b/", "https://c/"],
        "find-links": [{"path": "./w"}, {"url": "https://links/"}],
    }
    assert pypi.union(b, a)["extra-index-urls"] == ["https://b/", "https://c/", "https://a/"]


@pytest.mark.parametrize("key", ["no-build", "no-binary", "no-build-isolation"])
def test_pypi_union_of_package_sets(key):
    assert pypi.union({key: ["a", "b"]}, {key: ["b", "c"]}) == {key: ["a", "b", "c"]}
    assert pypi.union({key: ["a"]}, {key: True}) == {key: True}
    assert pypi.union({key: True}, {key: ["a"]}) == {key: True}
    assert pypi.union({key: ["a"]}, {}) == {key: ["a"]}


def test_pypi_union_dependency_overrides_left_wins():
    # merge_map_override_left(self, other): other's map, extended by self's entries
    left = {"dependency-overrides": {"numpy": ">=1", "attrs": "*"}}
    right = {"dependency-overrides": {"numpy": ">=2", "scipy": "<2"}}
    merged = pypi.union(left, right)["dependency-overrides"]
    assert merged == {"numpy": ">=1", "scipy": "<2", "attrs": "*"}
    assert list(merged) == ["numpy", "scipy", "attrs"]


def test_pypi_overlay_top_wins_without_errors():
    base = {
        "index-url": GOOGLE,
        "index-strategy": "first-index",
        "extra-index-urls": ["https://a/"],
        "no-build": ["x"],
        "dependency-overrides": {"numpy": ">=1", "attrs": "*"},
    }
    top = {
        "index-url": PREFIX,
        "extra-index-urls": ["https://b/", "https://a/"],
        "no-build": ["y"],
        "dependency-overrides": {"numpy": ">=2"},
    }
    result = pypi.overlay(base, top)
    assert result == {
        "index-url": PREFIX,  # top wins
        "extra-index-urls": ["https://a/", "https://b/"],  # base first, de-duplicated
        "index-strategy": "first-index",  # kept from base
        "no-build": ["x", "y"],  # union
        "dependency-overrides": {"numpy": ">=2", "attrs": "*"},  # top wins per key
    }
    assert list(result["dependency-overrides"]) == ["numpy", "attrs"]
    assert pypi.overlay(top, {}) == top
    assert pypi.overlay({}, top) == top


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://pypi.org/simple", "https://pypi.org/simple"),
        ("https://Mirror.Example.COM", "https://mirror.example.com/"),
        ("HTTPS://example.com/a/b/", "https://example.com/a/b/"),
    ],
)
def test_normalize_url_like_the_url_crate(text, expected):
    assert pypi.normalize_url(text) == expected


# -- system requirements --------------------------------------------------------------------


def test_system_requirements_union_takes_the_highest_versions():
    a = {"linux": "4.18", "cuda": "11.8", "macos": "13.0"}
    b = {"linux": "5.10", "cuda": "12.1", "macos": "12.5"}
    assert sysreq.union(a, b) == {"macos": "13.0", "linux": "5.10", "cuda": "12.1"}
    assert sysreq.union(b, a) == sysreq.union(a, b)
    # versions compare as versions, not strings
    assert sysreq.union({"cuda": "9.2"}, {"cuda": "10.0"}) == {"cuda": "10.0"}


def test_system_requirements_union_keeps_one_sided_values():
    assert sysreq.union({"cuda": "12"}, {}) == {"cuda": "12"}
    assert sysreq.union({}, {"archspec": "x86_64_v3"}) == {"archspec": "x86_64_v3"}
    assert sysreq.union({}, {}) == {}


def test_system_requirements_union_key_order():
    result = sysreq.union(
        {"archspec": "zen4", "cuda": "12"}, {"libc": "2.28", "linux": "5.10", "macos": "13"}
    )
    assert list(result) == ["macos", "linux", "cuda", "libc", "archspec"]


def test_system_requirements_libc_families():
    glibc_table = {"libc": {"family": "glibc", "version": "2.17"}}
    assert sysreq.union({"libc": "2.28"}, glibc_table) == {"libc": "2.28"}  # glibc as a string
    musl = {"libc": {"family": "musl", "version": "1.2"}}
    assert sysreq.union(musl, {"libc": {"family": "musl", "version": "1.1"}}) == musl
    with pytest.raises(sysreq.SystemRequirementsConflict) as exc:
        sysreq.union({"libc": "2.28"}, musl)
    assert str(exc.value) == "two different libc families were specified: 'glibc' and 'musl'"


def test_system_requirements_archspec_conflict():
    assert sysreq.union({"archspec": "zen4"}, {"archspec": "zen4"}) == {"archspec": "zen4"}
    with pytest.raises(sysreq.SystemRequirementsConflict) as exc:
        sysreq.union({"archspec": "foo"}, {"archspec": "bar"})
    assert str(exc.value) == "cannot combine archspecs: 'foo' and 'bar'"  # toml/manifest.rs


def test_system_requirements_union_all_folds_in_order():
    assert sysreq.union_all([]) == {}
    assert sysreq.union_all([{"cuda": "11.8"}, {"linux": "5.10"}, {"cuda": "12.1"}]) == {
        "linux": "5.10",
        "cuda": "12.1",
    }
    with pytest.raises(sysreq.SystemRequirementsConflict):
        sysreq.union_all([{"archspec": "a"}, {}, {"archspec": "b"}])
