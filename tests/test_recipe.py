"""Unit tests of the pixi-build-python recipe: package parsing, backend config, build script,
input globs, metadata helpers, recipe generation and the ``pixiconf recipe`` command.

Expected values come from pixi (``crates/pixi_build_python``, ``crates/pixi_build_backend``,
``crates/pixi_manifest``) tests and snapshots where they exist; the test names say which.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pixiconf.cli import main
from pixiconf.diagnostics import DiagnosticError, UnsupportedOperation
from pixiconf.manifest import package as pkg
from pixiconf.manifest.selectors import parse_selector
from pixiconf.manifest.source import ManifestSource
from pixiconf.pixibuild import config as cfg
from pixiconf.pixibuild import recipe as rcp
from pixiconf.pixibuild import script

ROOT = Path("/ws/pkg")


# --------------------------------------------------------------------------- build script

UV_UNIX = (
    'uv pip install --python "$PYTHON" --reinstall -vv \\\n'
    "        --no-deps \\\n"
    "        --no-build-isolation \\\n"
    '        --no-index "/ws/pkg"'
)
UV_WINDOWS = (
    'uv pip install --python "%PYTHON%" --reinstall -vv ^\n'
    "        --no-deps ^\n"
    "        --no-build-isolation ^\n"
    '        --no-index "/ws/pkg"\n'
    "if errorlevel 1 exit 1"
)
PIP_UNIX_EDITABLE = (
    '"$PYTHON" -m pip install --force-reinstall -vv \\\n'
    "        --no-deps \\\n"
    "        --no-build-isolation \\\n"
    "        --no-index \\\n"
    "        -Cbuilddir=b \\\n"
    '        --editable "/ws/pkg"'
)
PIP_WINDOWS = (
    '"%PYTHON%" -m pip install --force-reinstall -vv ^\n'
    "        --no-deps ^\n"
    "        --no-build-isolation ^\n"
    '        --no-index "/ws/pkg"\n'
    "if errorlevel 1 exit 1"
)


@pytest.mark.parametrize(
    ("installer", "platform", "editable", "extra", "expected"),
    [
        ("uv", "unix", False, [], UV_UNIX),
        ("uv", "windows", False, [], UV_WINDOWS),
        ("pip", "unix", True, ["-Cbuilddir=b"], PIP_UNIX_EDITABLE),
        ("pip", "windows", False, [], PIP_WINDOWS),
    ],
)
def test_build_script_text(installer, platform, editable, extra, expected):
    # build_script.j2 rendered and trimmed (build_script.rs BuildScriptContext::render)
    assert (
        script.render_build_script(
            installer=installer,
            build_platform=platform,
            editable=editable,
            extra_args=extra,
            manifest_root="/ws/pkg",
        )
        == expected
    )


def test_build_script_windows_editable_keeps_errorlevel_line_last():
    text = script.render_build_script(
        installer="uv",
        build_platform="windows",
        editable=True,
        extra_args=["-v"],
        manifest_root="C:/ws",
    )
    assert text.splitlines()[-2:] == ['        --editable "C:/ws"', "if errorlevel 1 exit 1"]
    assert '"%PYTHON%"' in text and "$PYTHON" not in text


def test_build_script_rejects_unknown_inputs():
    with pytest.raises(ValueError, match="installer"):
        script.render_build_script(
            installer="conda",
            build_platform="unix",
            editable=False,
            extra_args=[],
            manifest_root="/x",
        )
    with pytest.raises(ValueError, match="build platform"):
        script.render_build_script(
            installer="uv", build_platform="beos", editable=False, extra_args=[], manifest_root="/x"
        )


@pytest.mark.parametrize(
    ("env", "default", "expected"),
    [
        ({}, False, False),
        ({}, True, True),
        ({"BUILD_EDITABLE_PYTHON": "true"}, False, True),
        ({"BUILD_EDITABLE_PYTHON": "True"}, True, False),
        ({"BUILD_EDITABLE_PYTHON": ""}, True, False),
    ],
)
def test_effective_editable(env, default, expected):
    # main.rs effective_editable: "true" forces editable, any other value forces non-editable
    assert script.effective_editable(default, env) is expected


# --------------------------------------------------------------------------- backend config


def test_config_defaults():
    # config.rs test_ensure_deserialize_from_empty / test_ignore_pypi_mapping_default_is_true
    config = cfg.parse_config({})
    assert config.ignore_pypi_mapping() is True
    assert config.installer_name() == "uv"
    assert config.skip_pyc_globs() == []
    assert config.compilers is None and config.noarch is None and config.pypi_conda_map is None


def test_config_unknown_field_lists_fields_with_aliases():
    with pytest.raises(cfg.ConfigError) as info:
        cfg.parse_config({"noarch": True, "nope": 1})
    assert str(info.value) == (
        "unknown field `nope`, expected one of `noarch`, `extra-args`, `env`, `debug-dir`, "
        "`debug_dir`, `extra-input-globs`, `compilers`, `ignore-pyproject-manifest`, "
        "`ignore-pypi-mapping`, `pypi-conda-map`, `abi3`, `skip-pyc-compilation`, `installer`"
    )


def test_config_keys_are_read_in_sorted_order():
    # the table reaches the backend as a BTreeMap: `abi3`'s type error comes before `zzz`
    with pytest.raises(cfg.ConfigError, match="expected a boolean"):
        cfg.parse_config({"zzz": 1, "abi3": "yes"})
    with pytest.raises(cfg.ConfigError, match="unknown field `aaa`"):
        cfg.parse_config({"noarch": "yes", "aaa": 1})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"noarch": 1}, "invalid type: integer `1`, expected a boolean"),
        ({"noarch": 1.5}, "invalid type: floating point `1.5`, expected a boolean"),
        ({"abi3": [True]}, "invalid type: sequence, expected a boolean"),
        ({"env": ["A"]}, "invalid type: sequence, expected a map"),
        ({"env": {"A": True}}, "invalid type: boolean `true`, expected a string"),
        ({"extra-args": "x"}, 'invalid type: string "x", expected a sequence'),
        ({"installer": "Pip"}, "unknown variant `Pip`, expected `uv` or `pip`"),
        ({"installer": 3}, "invalid type: integer `3`, expected string or map"),
        ({"pypi-conda-map": {"torch": True}}, "`true` is not supported; use a conda package name"),
        ({"pypi-conda-map": {"torch": 1}}, "expected a conda package name or `false`"),
        ({"skip-pyc-compilation": ["ok", 1]}, "untagged enum SkipPycCompilation"),
        ({"debug-dir": 1}, "expected path string"),
        ({"debug-dir": "/a", "debug_dir": "/b"}, "duplicate field `debug-dir`"),
        ("not a table", 'invalid type: string "not a table", expected struct PythonBackendConfig'),
    ],
)
def test_config_serde_errors(value, message):
    with pytest.raises(cfg.ConfigError) as info:
        cfg.parse_config(value)
    assert message in str(info.value)


def test_config_values():
    config = cfg.parse_config(
        {
            "noarch": False,
            "extra-args": ["-v"],
            "env": {"B": "2", "A": "1"},
            "debug_dir": "/d",
            "extra-input-globs": ["*.txt"],
            "compilers": ["c"],
            "ignore-pyproject-manifest": True,
            "ignore-pypi-mapping": False,
            "pypi-conda-map": {"torch": "pytorch", "x": False},
            "abi3": True,
            "skip-pyc-compilation": True,
            "installer": "pip",
        }
    )
    assert config.noarch is False and config.extra_args == ["-v"]
    assert list(config.env) == ["A", "B"]  # sorted, as the BTreeMap hands them over
    assert config.debug_dir == "/d"
    assert config.ignore_pypi_mapping() is False
    assert config.pypi_conda_map == {"torch": "pytorch", "x": False}
    assert config.skip_pyc_globs() == ["**/*.py"]
    assert config.installer_name() == "pip"


def test_merge_with_target_config():
    # config.rs test_merge_with_target_config
    base = cfg.parse_config(
        {
            "noarch": True,
            "env": {"BASE_VAR": "base_value", "SHARED_VAR": "base_shared"},
            "debug-dir": "/base/debug",
            "extra-args": ["-Cbuilddir=mybuilddir"],
            "extra-input-globs": ["*.base"],
            "compilers": ["c"],
            "ignore-pyproject-manifest": True,
            "ignore-pypi-mapping": True,
            "abi3": True,
            "skip-pyc-compilation": True,
            "installer": "uv",
        }
    )
    target = cfg.parse_config(
        {
            "noarch": False,
            "env": {"TARGET_VAR": "target_value", "SHARED_VAR": "target_shared"},
            "extra-args": [],
            "extra-input-globs": ["*.target"],
            "compilers": ["cxx", "rust"],
            "ignore-pyproject-manifest": False,
            "ignore-pypi-mapping": False,
            "abi3": False,
            "skip-pyc-compilation": ["tests/**"],
            "installer": "pip",
        }
    )
    merged = base.merge_with_target(target)
    assert merged.noarch is False
    assert merged.env == {
        "BASE_VAR": "base_value",
        "SHARED_VAR": "target_shared",
        "TARGET_VAR": "target_value",
    }
    assert list(merged.env) == ["BASE_VAR", "SHARED_VAR", "TARGET_VAR"]
    assert merged.debug_dir == "/base/debug"
    assert merged.extra_args == ["-Cbuilddir=mybuilddir"]  # empty target list keeps the base
    assert merged.extra_input_globs == ["*.target"]
    assert merged.compilers == ["cxx", "rust"]
    assert merged.ignore_pyproject_manifest is False
    assert merged.ignore_pypi_mapping() is False
    assert merged.abi3 is False
    assert merged.skip_pyc_globs() == ["tests/**"]
    assert merged.installer == "pip"


def test_merge_with_empty_target_config():
    # config.rs test_merge_with_empty_target_config
    base = cfg.parse_config(
        {
            "noarch": True,
            "env": {"BASE_VAR": "base_value"},
            "extra-input-globs": ["*.base"],
            "ignore-pyproject-manifest": True,
            "skip-pyc-compilation": True,
            "installer": "pip",
        }
    )
    merged = base.merge_with_target(cfg.PythonBackendConfig())
    assert merged == base


def test_merge_special_cases():
    base = cfg.parse_config(
        {
            "compilers": ["c"],
            "skip-pyc-compilation": True,
            "pypi-conda-map": {"torch": "pytorch", "shared": "base-name"},
        }
    )
    # `compilers = []` in a target clears the base list (Option::or)
    assert base.merge_with_target(cfg.parse_config({"compilers": []})).compilers == []
    # a target `false` has no globs and cannot cancel a base `true`
    assert base.merge_with_target(
        cfg.parse_config({"skip-pyc-compilation": False})
    ).skip_pyc_globs() == ["**/*.py"]
    # config.rs test_merge_pypi_conda_map_per_key
    merged = base.merge_with_target(
        cfg.parse_config({"pypi-conda-map": {"shared": False, "extra": "extra-conda"}})
    )
    assert merged.pypi_conda_map == {"torch": "pytorch", "shared": False, "extra": "extra-conda"}
    assert (
        cfg.PythonBackendConfig().merge_with_target(cfg.PythonBackendConfig()).pypi_conda_map
        is None
    )


def test_resolve_config_uses_only_the_first_matching_target():
    targets = [
        (parse_selector("win"), {"noarch": False}),
        (parse_selector("win-64"), {"noarch": True, "installer": "pip"}),
    ]
    config, warnings = cfg.resolve_config({"env": {"A": "1"}}, targets, "win-64")
    assert config.noarch is False and config.installer is None and config.env == {"A": "1"}
    assert warnings == []
    config, _ = cfg.resolve_config(None, targets, "linux-64")
    assert config.noarch is None


def test_resolve_config_errors_and_debug_dir_warning():
    with pytest.raises(DiagnosticError, match="failed to parse configuration: unknown field `x`"):
        cfg.resolve_config({"x": 1}, [], "linux-64")
    with pytest.raises(DiagnosticError, match="failed to parse target configuration for macos"):
        cfg.resolve_config(
            {}, [(parse_selector("linux-64"), {}), (parse_selector("macos"), {"x": 1})], "linux-64"
        )
    _, warnings = cfg.resolve_config(
        {"debug-dir": "/d"}, [(parse_selector("unix"), {"debug-dir": "/t"})], "linux-64"
    )
    assert [w.message for w in warnings] == [cfg.DEBUG_DIR_WARNING]


# --------------------------------------------------------------------------- input globs

BASE_GLOBS = [
    "setup.py",
    "setup.cfg",
    "pyproject.toml",
    "requirements*.txt",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "tox.ini",
]


@pytest.mark.parametrize(
    ("options", "editable", "expected"),
    [
        # snapshots pixi_build_python__tests__{c,cxx,rust}_compilers_create_extra_input_globs
        ({"compilers": ["c"]}, False, [*BASE_GLOBS, "**/*.py", "**/*.{c,h}"]),
        ({"compilers": ["cxx"]}, False, [*BASE_GLOBS, "**/*.py", "**/*.{cc,cxx,cpp,hpp,hxx}"]),
        ({"compilers": ["rust"]}, False, [*BASE_GLOBS, "**/*.py", "**/*.rs", "**/Cargo.toml"]),
        # snapshots ..._input_globs_includes_extra_globs(_editable)
        ({"extra-input-globs": ["custom/*.py"]}, False, [*BASE_GLOBS, "**/*.py", "custom/*.py"]),
        ({"extra-input-globs": ["custom/*.py"]}, True, [*BASE_GLOBS, "custom/*.py"]),
        ({"compilers": ["fortran", "c"]}, True, [*BASE_GLOBS, "**/*.{c,h}"]),
    ],
)
def test_build_input_globs(options, editable, expected):
    assert rcp.build_input_globs(cfg.parse_config(options), editable=editable) == expected


def test_metadata_and_resolved_input_globs():
    assert rcp.metadata_input_globs(cfg.parse_config({})) == ["pyproject.toml"]
    assert rcp.metadata_input_globs(cfg.parse_config({"ignore-pyproject-manifest": True})) == []
    # main.rs test_cython_input_globs_{added,not_added}...
    assert rcp.resolved_package_input_globs({"python", "cython"}) == ["**/*.{pyx,pxd,pxi}"]
    assert rcp.resolved_package_input_globs({"python"}) == []


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("requires_python", "expected"),
    [
        # main.rs python_abi3_spec_from_requires_python doc examples
        (">=3.9", "3.9.*"),
        (">=3.9.3", "3.9.*"),
        (">=3.11, <4", "3.11.*"),
        (None, "3.9.*"),
        ("<4", "3.9.*"),
        ("!=3.10.1, >=3.12", "3.12.*"),
        (">=3", "3.*"),
        # the first >= after pep440_rs sorted the specifiers by version, not the first one written
        ("<4,>=3.11", "3.11.*"),
        (">=3.12,>=3.10", "3.10.*"),
        (">=3.12,", "3.9.*"),
    ],
)
def test_python_abi3_spec(requires_python, expected):
    assert rcp.python_abi3_spec(requires_python) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = pkg.cli:main", "a = pkg.cli:main"),
        ("  spaced   =  pkg :  main ", "spaced = pkg:main"),
        ("nocolon = pkg.main", None),
        ("extras = pkg:main [cli]", None),
        (".hidden = pkg:main", None),
        ("dir/cmd = pkg:main", None),
        ("bad = 1pkg:main", None),
    ],
)
def test_parse_entry_point(text, expected):
    # rattler_conda_types 0.50 EntryPoint::from_str validation
    assert rcp.parse_entry_point(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com", ("https://example.com/", None)),
        ("HTTPS://Example.COM:443/a?b#c", ("https://example.com/a?b#c", None)),
        ("http://example.com:8080", ("http://example.com:8080/", None)),
        ("example.com", (None, "relative URL without a base")),
        ("mailto:me@example.com", ("mailto:me@example.com", None)),
    ],
)
def test_normalize_url(text, expected):
    assert rcp.normalize_url(text) == expected


@pytest.mark.parametrize(
    ("name", "spec", "expected"),
    [
        ("boltons", "*", "boltons"),
        ("Boltons", ">=1", "boltons >=1"),
        ("attrs", "23.1.0", "attrs ==23.1.0"),
        ("foo", {"version": ">=1", "build": "py*"}, "foo >=1 py*"),
        ("foo", {"build": "py*"}, "foo * py*"),
        ("foo", {"version": "*", "extras": ["a"]}, "foo[extras=[a]]"),
        ("foo", {"build-number": "3"}, 'foo *[build_number="==3"]'),
    ],
)
def test_render_spec(name, spec, expected):
    # specs_conversion.rs binary_package_spec_to_package_dependency + MatchSpec display
    assert rcp.render_spec(name, spec) == expected


@pytest.mark.parametrize(
    "spec",
    [pkg.Pin("pin-compatible", True), {"path": "../x"}, {"version": "1", "channel": "conda-forge"}],
)
def test_render_spec_unsupported(spec):
    with pytest.raises(UnsupportedOperation):
        rcp.render_spec("foo", spec)


def test_detect_compilers():
    assert rcp.detect_compilers(["maturin>=1", "Setuptools_Rust"]) == ["rust"]
    assert rcp.detect_compilers(["setuptools", "cython"]) == []


# --------------------------------------------------------------------------- [package]


def parse(body: str, **kwargs: Any) -> pkg.PackageManifest:
    text = (
        '[package]\nname = "foo"\nversion = "1.0"\n\n'
        '[package.build]\nbackend = { name = "pixi-build-python" }\n\n' + body
    )
    source = ManifestSource.parse("pixi.toml", text)
    return pkg.parse_package(source, ("package",), source.data["package"], **kwargs)


def test_package_defaults_and_backend():
    manifest = parse("")
    assert (manifest.name, manifest.version) == ("foo", "1.0")
    assert manifest.build.backend.name == "pixi-build-python" and manifest.build.backend.spec == "*"
    assert manifest.dependencies.is_empty() and manifest.conditional == {}


def test_package_conditional_targets_fold_in_section_order():
    # package.rs TomlPackage::into_manifest: run, run-constraints, host, build, run-exports, extras
    manifest = parse("""
[package.build-dependencies."if(win)"]
b = "*"

[package.host-dependencies."if(linux)"]
h = "*"

[package.run-dependencies."if(linux)"]
r = "*"

[package.target.osx.run-dependencies]
o = "*"
""")
    assert list(manifest.conditional) == ["linux", "win", "osx"]
    assert manifest.conditional["linux"].run == {"r": "*"}
    assert manifest.conditional["linux"].host == {"h": "*"}
    assert manifest.conditional["win"].build == {"b": "*"}


def test_package_inherited_dependency_layers_overrides():
    workspace = pkg.WorkspaceProperties(dependencies={"numpy": ">=1.26"})
    manifest = parse(
        '[package.host-dependencies]\nnumpy = { workspace = true, build = "py*" }',
        workspace=workspace,
    )
    assert manifest.dependencies.host == {"numpy": {"version": ">=1.26", "build": "py*"}}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[package.run-dependencies]\nx = { workspace = true, version = "1" }',
            "`version` is mutually exclusive with `workspace`",
        ),
        (
            '[package.run-dependencies]\nx = { workspace = false, build = "a" }',
            "`workspace = false` cannot be combined with other fields",
        ),
        (
            "[package.host-dependencies]\nx = { pin-subpackage = true }",
            "`pin-subpackage` is not allowed in `[package.host-dependencies]`",
        ),
        (
            "[package.run-dependencies]\nfoo = { pin-compatible = true }",
            "`pin-compatible` cannot reference the package's own name",
        ),
        (
            '[package.run-dependencies]\nx = { pin-compatible = true, version = "1" }',
            "`pin-compatible` cannot be combined with other fields (found `version`)",
        ),
        (
            "[package.run-constraints]\nx = { pin-compatible = false }",
            "`pin-compatible = false` has no meaning",
        ),
        (
            '[package.run-exports.strong]\nx = { url = "https://e.org/x-1-0.conda" }',
            "url specs are not supported in `[package.run-exports]`",
        ),
        (
            '[package.run-exports.weak-constraints]\nx = { path = "../x" }',
            "source specs are not supported in run-export constraints",
        ),
        ("[package.run-dependencies]\nx = 3", "expected a string or a table, found integer"),
        ('[package.run-dependencies."if()"]\nx = "*"', "`if()` is not a valid selector"),
    ],
)
def test_package_dependency_errors(body, message):
    with pytest.raises(DiagnosticError) as info:
        parse(body)
    assert message in info.value.diagnostic.message


def test_package_legacy_target_warning_help():
    text = (
        '[package]\nname = "foo"\n\n[package.build]\nbackend = { name = "b" }\n\n'
        '[package.target.linux-64.build-dependencies]\nfoo = "==1.0"\n'
        '[package.target.linux-64.run-dependencies]\nbar = "*"\n'
    )
    source = ManifestSource.parse("pixi.toml", text)
    pkg.parse_package(source, ("package",), source.data["package"])
    # test_package_target_emits_deprecation_warning
    (warning,) = source.warnings
    assert warning.message == (
        "the `[package.target]` tables are deprecated in favor of conditional dependencies"
    )
    assert warning.help == (
        "Move the dependencies under a conditional dependency table instead:\n"
        "  [package.build-dependencies.\"if(host_platform == 'linux-64')\"]\n"
        "  [package.run-dependencies.\"if(host_platform == 'linux-64')\"]"
    )


@pytest.mark.parametrize(
    ("key", "expression"),
    [
        ("linux-64", "host_platform == 'linux-64'"),
        ("unix", "unix"),
        ("macos", "osx"),
        ("win", "win"),
    ],
)
def test_target_selector_expression(key, expression):
    assert pkg.target_selector_expression(parse_selector(key)) == expression


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("if(host_platform == 'linux-64')", "host_platform == 'linux-64'"),
        ("if(  osx )", "osx"),
        ("if()", None),
        ("matches(x)", None),
        ("if(a", None),
    ],
)
def test_parse_if_expression(key, expected):
    assert pkg.parse_if_expression(key) == expected


def test_package_defaults_from_pyproject_document():
    defaults = pkg.package_defaults(
        {
            "project": {
                "name": "Foo",
                "version": "1.0.0-RC1",
                "description": "d",
                "authors": [{"name": "A", "email": "a@x"}, {"email": "b@x"}],
            }
        }
    )
    assert defaults == pkg.PackageDefaults("Foo", "1.0.0rc1", "d", ["A <a@x>", "b@x"])
    assert pkg.package_defaults(None) == pkg.PackageDefaults()


# --------------------------------------------------------------------------- generate_recipe


def generate(
    body: str = "",
    *,
    pyproject: str | None = '[project]\nname = "foo"\nversion = "1.0"\n',
    platform: str = "linux-64",
    keys: frozenset[str] = frozenset(),
    **kwargs: Any,
):
    manifest = parse(body)
    config = cfg.resolve_config(manifest.build.config, manifest.build.target_config, platform)[0]
    return rcp.generate_recipe(
        manifest,
        config,
        manifest_root=ROOT,
        host_platform=platform,
        variant_keys=keys,
        pyproject_text=pyproject,
        build_platform="unix",
        **kwargs,
    )


def test_generate_recipe_unix_script():
    """The build script rendered for a unix build platform (the recipe's shape and
    requirements are pinned against pixi's own snapshot in test_pixi_snapshots.py)."""
    recipe, warnings = generate(
        '[package.run-dependencies]\nboltons = "*"\n'
        "[package.build.config]\nignore-pyproject-manifest = true",
        pyproject=None,
    )
    assert warnings == []
    assert recipe["build"]["script"] == {"content": [UV_UNIX.replace("/ws/pkg", ROOT.as_posix())]}


def test_generate_recipe_windows_script():
    manifest = parse("[package.build.config]\nignore-pyproject-manifest = true")
    recipe, _ = rcp.generate_recipe(
        manifest,
        cfg.parse_config({"ignore-pyproject-manifest": True}),
        manifest_root=ROOT,
        host_platform="win-64",
        variant_keys=set(),
        pyproject_text=None,
        build_platform="windows",
    )
    assert recipe["build"]["script"]["content"] == [UV_WINDOWS]


def test_generate_recipe_stdlib_needs_the_variant_key():
    body = '[package.build.config]\ncompilers = ["c", "go-nocgo"]'
    with_key, _ = generate(body, keys=frozenset({"c_stdlib"}))
    without_key, _ = generate(body)
    assert with_key["requirements"]["build"][-1] == "${{ stdlib('c') }}"
    assert "${{ stdlib('c') }}" not in without_key["requirements"]["build"]
    only_go, _ = generate(
        '[package.build.config]\ncompilers = ["go-nocgo"]', keys=frozenset({"c_stdlib"})
    )
    assert only_go["requirements"]["build"] == ["${{ compiler('go-nocgo') }}"]


def test_generate_recipe_uv_cache_dir_position_and_precedence():
    # main.rs test_uv_cache_dir_is_passed_to_the_build_script; config env is layered on top
    recipe, _ = generate(
        '[package.build.config]\nenv = { A = "1", UV_CACHE_DIR = "/cfg" }', uv_cache_dir="/env"
    )
    assert list(recipe["build"]["script"]["env"].items()) == [("UV_CACHE_DIR", "/cfg"), ("A", "1")]
    pip, _ = generate('[package.build.config]\ninstaller = "pip"', uv_cache_dir="/env")
    assert "env" not in pip["build"]["script"]


def test_generate_recipe_mapping_passes():
    calls: list[tuple[Any, ...]] = []

    def mapper(requirements, platform, *, noarch, user_map, table, channels, context):
        calls.append((list(requirements), platform, noarch, user_map, context))
        return [f"{r.split('>')[0]}-conda" for r in requirements], [f"mapped {context}"]

    pyproject = (
        '[project]\nname = "foo"\nversion = "1.0"\ndependencies = ["requests>=2"]\n'
        '[build-system]\nrequires = ["maturin"]\n'
    )
    recipe, warnings = generate(
        '[package.build.config]\nignore-pypi-mapping = false\npypi-conda-map = { x = "y" }',
        pyproject=pyproject,
        mapper=mapper,
    )
    # maturin implies rust, so the mapping runs for the host platform, not noarch
    assert calls == [
        (["requests>=2"], "linux-64", False, {"x": "y"}, "project"),
        (["maturin"], "linux-64", False, {"x": "y"}, "build-system"),
    ]
    assert recipe["requirements"]["run"] == ["python", "requests-conda"]
    assert recipe["requirements"]["host"] == ["uv", "python", "maturin-conda"]
    assert [w.message for w in warnings] == ["mapped project", "mapped build-system"]


def test_generate_recipe_mapping_disabled_warns_about_user_map():
    def mapper(*args, **kwargs):  # pragma: no cover - must not be called
        raise AssertionError("the mapping is disabled")

    _, warnings = generate("[package.build.config]\npypi-conda-map = {}", mapper=mapper)
    assert [w.message for w in warnings] == [cfg.PYPI_CONDA_MAP_UNUSED]


def test_generate_recipe_missing_pyproject_names_the_first_query():
    with pytest.raises(DiagnosticError) as info:
        generate(pyproject=None)
    message = info.value.diagnostic.message
    assert message.startswith("An error occurred while querying the homepage: ")
    assert "`pixi-build-python` requires a `pyproject.toml` at /ws/pkg/pyproject.toml" in message


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ("[project]\nversion = '1'\n", "failed to parse pyproject.toml, missing field `name`"),
        (
            "[project]\nname = 'x'\ndependencies = ['not a requirement ((']\n",
            "invalid PEP 508 requirement",
        ),
        ("[build-system]\nbuild-backend = 'x'\n", "missing field `requires`"),
        ("[project\n", "failed to parse pyproject.toml, TOML parse error"),
    ],
)
def test_generate_recipe_invalid_pyproject(pyproject, message):
    with pytest.raises(DiagnosticError) as info:
        generate(pyproject=pyproject)
    assert message in info.value.diagnostic.message


def test_generate_recipe_invalid_pyproject_when_ignored_fails_on_entry_points():
    # main.rs reads pyproject.toml for the entry points whenever the file exists
    with pytest.raises(DiagnosticError, match="missing field `name`"):
        generate(
            "[package.build.config]\nignore-pyproject-manifest = true", pyproject="[project]\n"
        )


# --------------------------------------------------------------------------- the command line

WORKSPACE = """\
[workspace]
channels = ["https://prefix.dev/my-channel"]
platforms = ["linux-64", "win-64"]
preview = ["pixi-build"]
"""
PACKAGE = """\
[package]
name = "demo"
version = "1.2.3"

[package.build]
backend = { name = "pixi-build-python", version = "*" }

[package.run-dependencies]
rich = ">=13"
"""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("UV_CACHE_DIR", "BUILD_EDITABLE_PYTHON"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "ws"
    (root / "pkgs" / "demo").mkdir(parents=True)
    (root / "pixi.toml").write_text(WORKSPACE, encoding="utf-8")
    (root / "pkgs" / "demo" / "pixi.toml").write_text(PACKAGE, encoding="utf-8")
    (root / "pkgs" / "demo" / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1.2.3"\nrequires-python = ">=3.12"\n',
        encoding="utf-8",
    )
    return root


def test_cli_recipe_yaml_for_a_member_directory(
    workspace: Path, capsys: pytest.CaptureFixture[str]
):
    code = main(["recipe", str(workspace / "pkgs" / "demo"), "--platform", "linux-64"])
    out, err = capsys.readouterr()
    assert code == 0, err
    recipe = yaml.safe_load(out)
    assert recipe["package"] == {"name": "demo", "version": "1.2.3"}
    assert recipe["requirements"]["run"] == ["rich >=13", "python >=3.12"]
    # the command line shows the real package directory
    assert (workspace / "pkgs" / "demo").resolve().as_posix() in recipe["build"]["script"][
        "content"
    ][0]


def test_cli_recipe_json_for_a_manifest_file(workspace: Path, capsys: pytest.CaptureFixture[str]):
    code = main(
        ["recipe", str(workspace / "pkgs" / "demo" / "pixi.toml"), "--platform", "win-64", "--json"]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    assert json.loads(out)["requirements"]["host"] == ["uv", "python >=3.12"]


def test_cli_recipe_errors(workspace: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["recipe", str(workspace / "missing"), "--platform", "linux-64"]) == 2
    assert "no pixi.toml or pyproject.toml" in capsys.readouterr().err
    # the workspace manifest itself has no [package]
    assert main(["recipe", str(workspace), "--platform", "linux-64"]) == 1
    assert "the pixi.toml does not describe a package" in capsys.readouterr().err
    assert main(["recipe", str(workspace / "pkgs" / "demo"), "--platform", "linux-65"]) == 1
    assert "'linux-65' is not a known platform" in capsys.readouterr().err
    assert main(["recipe", str(workspace), "--yaml", "--json", "--platform", "linux-64"]) == 2
