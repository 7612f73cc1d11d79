"""Unit and property tests of the offline PyPI → conda mapping (pixiconf.pixibuild.pypi_mapping).

Expected values come from pixi's ``crates/pixi_build_python/src/pypi_mapping.rs`` (its unit
tests are cited by name), pep508_rs 0.9.2 / pep440_rs 0.7.3 and rattler_conda_types 0.50; the
properties state rules of that source, never what the module happens to print.  Hypothesis runs
are deterministic (``derandomize=True``, no database) so they behave the same under
``-p randomly`` and ``-n 2``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rattler import MatchSpec, VersionSpec

from pixiconf.diagnostics import DiagnosticError
from pixiconf.pixibuild.config import PythonBackendConfig
from pixiconf.pixibuild.pypi_mapping import (
    PLATFORM_MARKERS,
    MappingResult,
    RequirementError,
    conda_match_spec,
    convert_version,
    detect_compilers,
    load_mapping_table,
    map_pyproject,
    map_requirements,
    marker_environment,
    normalize_pypi_name,
    parse_requirement,
    should_skip_requirement,
)

PROPERTY = settings(max_examples=80, derandomize=True, database=None, deadline=None)

NOT_FOUND = "PyPI package '{}' has no conda-forge mapping, skipping"
NONE_FOUND = "No PyPI-to-conda mapping found for {} in channel '{}'"


def mapped(
    requirements, platform="linux-64", *, noarch=False, user_map=None, table=None, **kwargs
) -> MappingResult:
    return map_requirements(
        requirements, platform, noarch=noarch, user_map=user_map, table=table or {}, **kwargs
    )


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("friendly-bard", "friendly-bard"),
        ("Friendly-Bard", "friendly-bard"),
        ("friendly.bard", "friendly-bard"),
        ("friendly_bard", "friendly-bard"),
        ("friendly--bard", "friendly-bard"),
        ("FrIeNdLy-._.-bArD", "friendly-bard"),
        ("", ""),  # pep508_rs is_normalized("") is Ok(true)
    ],
)
def test_normalize_pypi_name(name, normal):
    assert normalize_pypi_name(name) == normal


@pytest.mark.parametrize("name", ["-bad", "bad-", "_x", "x.", "with space", "caf\u00e9", "a/b"])
def test_invalid_pypi_names_are_rejected_with_pep508_rs_text(name):
    with pytest.raises(RequirementError) as info:
        normalize_pypi_name(name)
    assert str(info.value) == (
        f'Not a valid package or extra name: "{name}". Names must start and end with a letter '
        "or digit and may only contain -, _, ., and alphanumeric characters."
    )


# --------------------------------------------------------------------------- requirements


def test_specifiers_are_sorted_by_version_and_normalised():
    req = parse_requirement("Foo_Bar[x] <3.0.0-RC1, >=v1.0, !=02.5")
    assert req.name == "foo-bar"
    assert req.specifier_text == ">=1.0, !=2.5, <3.0.0rc1"


def test_equal_versions_keep_their_written_order():
    assert parse_requirement("a!=1.0,>=1.0").specifier_text == "!=1.0, >=1.0"
    assert parse_requirement("a>=1.0,!=1.0").specifier_text == ">=1.0, !=1.0"


def test_wildcards_keep_their_star():
    assert parse_requirement("a==1.2.*,!=1.2.3.*").specifier_text == "==1.2.*, !=1.2.3.*"


def test_arbitrary_equality_needs_a_pep440_version():
    assert parse_requirement("a===1.0").specifier_text == "===1.0"
    with pytest.raises(RequirementError):
        parse_requirement("a===foobar")


def test_url_requirement_has_no_specifiers():
    req = parse_requirement("pkg @ https://example.com/pkg-1.0.tar.gz ; os_name == 'nt'")
    assert req.url == "https://example.com/pkg-1.0.tar.gz"
    assert req.specifiers == ()
    assert req.marker is not None


@pytest.mark.parametrize(
    ("written", "rewritten"),
    [
        ("a; os.name == 'nt'", 'os_name == "nt"'),
        ("a; sys.platform == 'win32'", 'sys_platform == "win32"'),
        ("a; platform.machine == 'x86_64'", 'platform_machine == "x86_64"'),
        ("a; platform.version == '1'", 'platform_version == "1"'),
        (
            "a; platform.python_implementation == 'CPython'",
            'platform_python_implementation == "CPython"',
        ),
        ("a; python_implementation == 'CPython'", 'platform_python_implementation == "CPython"'),
        (
            "a; platform_python_implementation == 'CPython'",
            'platform_python_implementation == "CPython"',
        ),
        # values are never rewritten
        ("a; sys_platform == 'os.name'", 'sys_platform == "os.name"'),
        ('a; "sys.platform" == sys.platform', '"sys.platform" == sys_platform'),
    ],
)
def test_deprecated_marker_names(written, rewritten):
    assert str(parse_requirement(written).marker) == rewritten


def test_invalid_requirement_raises():
    with pytest.raises(RequirementError):
        parse_requirement("requests >>= 2")


# --------------------------------------------------------------------------- markers


@pytest.mark.parametrize(
    ("platform", "values"),
    [
        ("linux-64", ("linux", "posix", "Linux", "x86_64")),
        ("linux-aarch64", ("linux", "posix", "Linux", "aarch64")),
        ("linux-ppc64le", ("linux", "posix", "Linux", "ppc64le")),
        ("linux-s390x", ("linux", "posix", "Linux", "s390x")),
        ("linux-armv6l", ("linux", "posix", "Linux", "armv6l")),
        ("linux-armv7l", ("linux", "posix", "Linux", "armv7l")),
        ("linux-32", ("linux", "posix", "Linux", "i686")),
        ("osx-64", ("darwin", "posix", "Darwin", "x86_64")),
        ("osx-arm64", ("darwin", "posix", "Darwin", "arm64")),
        ("win-64", ("win32", "nt", "Windows", "AMD64")),
        ("win-32", ("win32", "nt", "Windows", "x86")),
        ("win-arm64", ("win32", "nt", "Windows", "ARM64")),
        ("linux-riscv64", ("linux", "posix", "Linux", "x86_64")),
        ("emscripten-wasm32", ("linux", "posix", "Linux", "x86_64")),
        ("made-up", ("linux", "posix", "Linux", "x86_64")),
    ],
)
def test_marker_environment(platform, values):
    env = marker_environment(platform)
    assert (
        env["sys_platform"],
        env["os_name"],
        env["platform_system"],
        env["platform_machine"],
    ) == values


# pixi's test_all_system_marker_styles, row by row.
SYSTEM_MARKER_STYLES = [
    ("sys_platform == 'linux'", "linux-64", True),
    ("sys_platform == 'linux'", "linux-aarch64", True),
    ("sys_platform == 'linux'", "win-64", False),
    ("sys_platform == 'linux'", "osx-64", False),
    ("sys_platform == 'win32'", "win-64", True),
    ("sys_platform == 'win32'", "win-32", True),
    ("sys_platform == 'win32'", "win-arm64", True),
    ("sys_platform == 'win32'", "linux-64", False),
    ("sys_platform == 'darwin'", "osx-64", True),
    ("sys_platform == 'darwin'", "osx-arm64", True),
    ("sys_platform == 'darwin'", "linux-64", False),
    ("platform_system == 'Linux'", "linux-64", True),
    ("platform_system == 'Linux'", "linux-aarch64", True),
    ("platform_system == 'Linux'", "win-64", False),
    ("platform_system == 'Windows'", "win-64", True),
    ("platform_system == 'Windows'", "win-32", True),
    ("platform_system == 'Windows'", "linux-64", False),
    ("platform_system == 'Darwin'", "osx-64", True),
    ("platform_system == 'Darwin'", "osx-arm64", True),
    ("platform_system == 'Darwin'", "linux-64", False),
    ("os_name == 'posix'", "linux-64", True),
    ("os_name == 'posix'", "osx-64", True),
    ("os_name == 'posix'", "win-64", False),
    ("os_name == 'nt'", "win-64", True),
    ("os_name == 'nt'", "linux-64", False),
    ("platform_machine == 'x86_64'", "linux-64", True),
    ("platform_machine == 'x86_64'", "osx-64", True),
    ("platform_machine == 'x86_64'", "linux-aarch64", False),
    ("platform_machine == 'aarch64'", "linux-aarch64", True),
    ("platform_machine == 'aarch64'", "linux-64", False),
    ("platform_machine == 'arm64'", "osx-arm64", True),
    ("platform_machine == 'arm64'", "osx-64", False),
    ("platform_machine == 'AMD64'", "win-64", True),
    ("platform_machine == 'AMD64'", "win-32", False),
]


@pytest.mark.parametrize(("marker", "platform", "include"), SYSTEM_MARKER_STYLES)
def test_all_system_marker_styles(marker, platform, include):
    result = mapped([f"test-pkg; {marker}"], platform, table={"test-pkg": "test-pkg"})
    assert result.specs == (["test-pkg"] if include else [])


@pytest.mark.parametrize(
    "marker",
    [
        "python_version >= '3.8'",
        "python_full_version < '3.10.0'",
        "implementation_name == 'cpython'",
        "implementation_version >= '3'",
        "platform_python_implementation == 'CPython'",
        "platform_release >= '5'",
        "platform_version == 'x'",
        "extra == 'test'",
        "sys_platform == 'linux' and python_version >= '3.8'",
        "sys_platform == 'linux' or extra == 'dev'",
        "sys_platform != 'extra'",  # pixi searches the whole marker text
    ],
)
def test_non_system_fields_drop_on_every_platform(marker):
    req = parse_requirement(f"a; {marker}")
    assert all(should_skip_requirement(req, p) for p in PLATFORM_MARKERS)


def test_noarch_drops_every_marker_and_keeps_none():
    assert should_skip_requirement(parse_requirement("a; sys_platform == 'linux'"), "noarch")
    assert not should_skip_requirement(parse_requirement("a"), "noarch")


# --------------------------------------------------------------------------- versions


def test_convert_version_rewrites_arbitrary_equality():
    # test_convert_pep440_operators / test_apply_user_map_converts_pep440_operators
    version, problem = convert_version(parse_requirement("torch===2.0.0"))
    assert problem is None and str(version) == "==2.0.0"


def test_convert_version_failure_warns_and_unconstrains():
    version, problem = convert_version(parse_requirement("a==1.0+18446744073709551616"))
    assert version is None
    assert problem == (
        "Failed to convert version specifier for 'a': failed to convert version "
        "specifier '==1.0+18446744073709551616' to conda format: malformed version "
        "string '': invalid number, using unconstrained version"
    )


def test_convert_version_url_and_empty_are_unconstrained():
    assert convert_version(parse_requirement("a @ https://x.org/a.tar.gz")) == (None, None)
    assert convert_version(parse_requirement("a")) == (None, None)


def test_match_spec_display_lowercases_and_joins_with_commas():
    assert conda_match_spec("PyTorch", VersionSpec(">=2.0, <3", strict=False)) == "pytorch >=2.0,<3"
    assert conda_match_spec("flask", None) == "flask"


def test_match_spec_that_rattler_cannot_parse_back_is_an_error():
    # "" is a valid rattler PackageName, but " >=1" is no match spec.
    with pytest.raises(DiagnosticError):
        conda_match_spec("", VersionSpec(">=1", strict=False))


# --------------------------------------------------------------------------- user map


def test_user_map_override_and_skip():
    # test_apply_user_map_override_and_skip (numpy goes to the service)
    result = mapped(
        ["torch>=2.0", "my-internal-pkg", "numpy"],
        user_map={"torch": "pytorch", "my-internal-pkg": False},
        table={"numpy": "numpy"},
    )
    assert result == MappingResult(["pytorch >=2.0", "numpy"], [])


def test_user_map_none_drops_like_false():
    assert mapped(["a"], user_map={"a": None}, table={"a": "a"}).specs == []


def test_user_map_true_is_rejected():
    with pytest.raises(ValueError, match="`true` is not supported"):
        mapped(["a"], user_map={"a": True})


def test_user_map_collision_last_wins_in_mapping_order():
    # test_apply_user_map_colliding_keys_last_wins
    result = mapped(["my-pkg"], user_map={"My_Pkg": "first", "my-pkg": "second"})
    assert result.specs == ["second"]
    assert result.warnings == [
        (
            "multiple `pypi-conda-map` entries normalize to the same package "
            "name as 'my-pkg'; the last one wins"
        )
    ]


def test_user_map_invalid_conda_name_falls_through():
    # test_apply_user_map_invalid_conda_name_falls_through
    result = mapped(["torch"], user_map={"torch": "not a valid name!"}, table={"torch": "pytorch"})
    assert result.specs == ["pytorch"]
    assert result.warnings[0].startswith(
        "ignoring `pypi-conda-map` entry for 'torch': "
        "invalid conda package name 'not a valid name!'"
    )


def test_user_map_respects_markers():
    # test_apply_user_map_respects_markers / test_apply_user_map_skip_entry_respects_markers
    req = ["torch; sys_platform == 'win32'"]
    assert mapped(req, "linux-64", user_map={"torch": "pytorch"}).specs == []
    assert mapped(req, "win-64", user_map={"torch": "pytorch"}).specs == ["pytorch"]
    assert mapped(req, "win-64", noarch=True, user_map={"torch": "pytorch"}).specs == []
    assert mapped(req, "win-64", user_map={"torch": False}, table={"torch": "t"}).specs == []


def test_user_mapped_dependencies_come_first():
    result = mapped(["numpy", "torch"], user_map={"torch": "pytorch"}, table={"numpy": "numpy"})
    assert result.specs == ["pytorch", "numpy"]


# --------------------------------------------------------------------------- channels


def test_first_channel_that_maps_something_wins():
    result = mapped(
        ["requests", "internal"],
        table={"requests": "requests"},
        channels=["conda-forge", "bioconda"],
    )
    assert result == MappingResult(["requests"], [NOT_FOUND.format("internal")])


def test_every_channel_is_tried_when_nothing_maps():
    result = mapped(
        ["internal"],
        channels=["https://prefix.dev/conda-forge/", "bioconda"],
        context="build-system",
    )
    assert result.warnings == [
        NOT_FOUND.format("internal"),
        NONE_FOUND.format("build-system", "conda-forge"),
        NOT_FOUND.format("internal"),
        NONE_FOUND.format("build-system", "bioconda"),
    ]


def test_invalid_conda_name_from_the_table_fails_the_channel():
    result = mapped(
        ["requests", "weird"],
        table={"requests": "requests", "weird": "a b"},
        channels=["conda-forge"],
    )
    assert result == MappingResult(
        [],
        [
            (
                "Failed to get PyPI-to-conda mapping for project in channel 'conda-forge': invalid "
                "conda package name 'a b'"
            )
        ],
    )


def test_no_channels_means_no_lookup_and_no_warning():
    assert mapped(["internal"], channels=[]) == MappingResult([], [])


def test_table_keys_are_looked_up_normalised():
    assert mapped(
        ["typing_extensions"], table={"Typing-Extensions": "typing_extensions"}
    ).specs == ["typing_extensions"]


# --------------------------------------------------------------------------- build tools


def test_detect_compilers():
    # test_detect_compilers_{maturin,setuptools_rust,no_special_tools,deduplicates}
    assert detect_compilers(["maturin>=1.0,<2.0"]) == ["rust"]
    assert detect_compilers(["setuptools_rust>=1.0"]) == ["rust"]
    assert detect_compilers(["setuptools>=42", "wheel"]) == []
    assert detect_compilers(["maturin>=1.0", "setuptools-rust>=1.0"]) == ["rust"]


# --------------------------------------------------------------------------- config and pyproject


def _pyproject(deps=None, requires=None):
    data: dict = {"project": {"name": "demo"}}
    if deps is not None:
        data["project"]["dependencies"] = deps
    if requires is not None:
        data["build-system"] = {"requires": requires}
    return data


def test_map_pyproject_noarch_follows_compilers():
    deps = ["a; sys_platform == 'linux'"]
    table = {"a": "a", "maturin": "maturin"}
    channels = ["conda-forge"]
    noarch = map_pyproject(
        _pyproject(deps), "linux-64", config=PythonBackendConfig(), table=table, channels=channels
    )
    assert noarch["run"] == []
    detected = map_pyproject(
        _pyproject(deps, ["maturin"]),
        "linux-64",
        config=PythonBackendConfig(),
        table=table,
        channels=channels,
    )
    assert detected == {"run": ["a"], "host": ["maturin"], "warnings": []}
    configured = map_pyproject(
        _pyproject(deps),
        "linux-64",
        config=PythonBackendConfig(compilers=["c"]),
        table=table,
        channels=channels,
    )
    assert configured["run"] == ["a"]
    forced = map_pyproject(
        _pyproject(deps, ["maturin"]),
        "linux-64",
        config=PythonBackendConfig(noarch=True),
        table=table,
        channels=channels,
    )
    assert forced["run"] == []


def test_map_pyproject_user_map_false_from_config_drops():
    config = PythonBackendConfig(pypi_conda_map={"a": False, "b": "bee"})
    assert map_pyproject(
        _pyproject(["a", "b>=1"]),
        "linux-64",
        config=config,
        table={"a": "a"},
        channels=["conda-forge"],
    ) == {"run": ["bee >=1"], "host": [], "warnings": []}


def test_map_pyproject_missing_lists_run_no_pass():
    config = PythonBackendConfig(pypi_conda_map={"My_Pkg": "a", "my-pkg": "b"})
    collision = (
        "multiple `pypi-conda-map` entries normalize to the same package name as "
        "'my-pkg'; the last one wins"
    )
    assert (
        map_pyproject(
            {"project": {"name": "demo"}},
            "linux-64",
            config=config,
            table={},
            channels=["conda-forge"],
        )["warnings"]
        == []
    )
    assert map_pyproject(
        _pyproject([], ["hatchling"]),
        "linux-64",
        config=config,
        table={"hatchling": "hatchling"},
        channels=["conda-forge"],
    )["warnings"] == [collision, collision]


def test_map_pyproject_ignore_pyproject_manifest():
    config = PythonBackendConfig(ignore_pyproject_manifest=True)
    assert map_pyproject(
        _pyproject(["a"], ["b"]),
        "linux-64",
        config=config,
        table={"a": "a", "b": "b"},
        channels=["c"],
    ) == {"run": [], "host": [], "warnings": []}


def test_map_pyproject_invalid_requirement():
    with pytest.raises(DiagnosticError, match=r"failed to parse pyproject\.toml"):
        map_pyproject(
            _pyproject(["a >>= 1"]), "linux-64", config=PythonBackendConfig(), table={}, channels=[]
        )


# --------------------------------------------------------------------------- the table file


def test_load_mapping_table(tmp_path: Path):
    path = tmp_path / "table.json"
    path.write_text(json.dumps({"torch": "pytorch", "internal": False}))
    assert load_mapping_table(path) == {"torch": "pytorch", "internal": False}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"a": true}', "expected a conda package name or false for 'a'"),
        ('{"a": ""}', "expected a conda package name or false for 'a'"),
        ('{"a": 1}', "expected a conda package name or false for 'a'"),
    ],
)
def test_load_mapping_table_rejects(tmp_path: Path, text, fragment):
    path = tmp_path / "table.json"
    path.write_text(text)
    with pytest.raises(DiagnosticError, match=fragment):
        load_mapping_table(path)


def test_load_mapping_table_missing_file(tmp_path: Path):
    with pytest.raises(DiagnosticError, match="cannot read the mapping table"):
        load_mapping_table(tmp_path / "absent.json")


# --------------------------------------------------------------------------- properties

NAME = st.from_regex(r"[a-z][a-z0-9]{0,6}([-_.][a-z0-9]{1,4}){0,2}", fullmatch=True)
PLATFORM = st.sampled_from([*PLATFORM_MARKERS, "linux-riscv64", "emscripten-wasm32"])
RELEASE = st.lists(st.integers(0, 40), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, parts))
)
OPERATOR = st.sampled_from([">=", "<=", ">", "<", "==", "!=", "~="])


@st.composite
def specifiers(draw) -> list[str]:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        op = draw(OPERATOR)
        version = draw(RELEASE)
        if op == "~=" and "." not in version:
            version += ".0"
        out.append(op + version)
    return out


def _spelling_variant(draw, name: str) -> str:
    """Another spelling of ``name`` with the same PEP 503 normal form."""
    out = []
    for ch in name:
        if ch in "-_.":
            out.append(draw(st.sampled_from(["-", "_", ".", "--", "_.", "-_-"])))
        elif ch.isalpha() and draw(st.booleans()):
            out.append(ch.upper())
        else:
            out.append(ch)
    return "".join(out)


@PROPERTY
@given(
    name=NAME,
    specs=specifiers(),
    platform=PLATFORM,
    noarch=st.booleans(),
    channels=st.lists(
        st.sampled_from(["conda-forge", "bioconda", "https://x.org/ch/"]), min_size=1, max_size=3
    ),
)
def test_unmarked_mapped_requirement_is_never_dropped(name, specs, platform, noarch, channels):
    """No marker, a table entry and no user-map entry: the requirement is always in the output,
    under the table's (normalised) conda name."""
    requirement = name + ",".join(specs)
    result = mapped(
        [requirement, "zz-unmapped"],
        platform,
        noarch=noarch,
        table={normalize_pypi_name(name): "conda-" + name},
        channels=channels,
    )
    assert len(result.specs) == 1
    parsed = MatchSpec(result.specs[0], strict=True)
    assert parsed.name.normalized == "conda-" + name.lower()
    assert (parsed.version is None) == (not specs)
    assert result.warnings[0] == NOT_FOUND.format("zz-unmapped")


@PROPERTY
@given(
    name=NAME, target=st.one_of(st.none(), st.just(False), NAME), platform=PLATFORM, data=st.data()
)
def test_user_map_keys_are_normalisation_insensitive(name, target, platform, data):
    """Any spelling of a user-map key that normalises to the requirement's name acts the same."""
    key = _spelling_variant(data.draw, name)
    requirement = _spelling_variant(data.draw, name) + ">=1.0"
    canonical = mapped(
        [requirement],
        platform,
        user_map={normalize_pypi_name(name): target},
        table={normalize_pypi_name(name): "from-table"},
    )
    spelled = mapped(
        [requirement],
        platform,
        user_map={key: target},
        table={normalize_pypi_name(name): "from-table"},
    )
    assert spelled == canonical
    if target:
        assert canonical.specs == [f"{target.lower()} >=1.0"]
    else:
        assert canonical.specs == []


@PROPERTY
@given(name=NAME, specs=specifiers().filter(lambda s: len(s) >= 2), data=st.data())
def test_specifier_order_does_not_matter(name, specs, data):
    """pep440_rs sorts specifiers by version, so any written order with distinct versions gives
    the same conda spec, and that spec round-trips through rattler's strict parser."""
    versions = [s.lstrip("<>=!~") for s in specs]
    if len({parse_requirement("x==" + v).specifiers[0][1] for v in versions}) < len(versions):
        return
    shuffled = data.draw(st.permutations(specs))
    first = mapped([name + ",".join(specs)], table={normalize_pypi_name(name): "pkg"}).specs
    second = mapped([name + ",".join(shuffled)], table={normalize_pypi_name(name): "pkg"}).specs
    assert first == second
    assert str(MatchSpec(first[0], strict=True)) == first[0]


@PROPERTY
@given(
    name=NAME, marker=st.sampled_from([m for m, _, _ in SYSTEM_MARKER_STYLES]), platform=PLATFORM
)
def test_noarch_drops_every_marked_requirement(name, marker, platform):
    result = mapped(
        [f"{name}; {marker}"],
        platform,
        noarch=True,
        table={normalize_pypi_name(name): "pkg"},
        user_map={"other": "x"},
    )
    assert result.specs == []
