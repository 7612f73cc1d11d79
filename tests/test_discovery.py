"""Unit tests of the reference workspace discovery (pixiconf.workspace.discovery)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pixiconf import PIXI_VERSION
from pixiconf.diagnostics import DiagnosticError, Severity
from pixiconf.operations.request import OperationRequest
from pixiconf.operations.workspace import discover
from pixiconf.workspace.discovery import DiscoveredManifest, discover_workspace

WORKSPACE = "[workspace]\nchannels = []\nplatforms = []\n"
PACKAGE = (
    '[package]\nname = "pkg"\nversion = "0.1.0"\n\n'
    '[package.build]\nbackend = { name = "bla", version = "*" }\n'
)
PY_WORKSPACE = '[project]\nname = "py"\n\n[tool.pixi.workspace]\nchannels = []\nplatforms = []\n'
PY_PLAIN = '[project]\nname = "plain"\nversion = "0.1.0"\n'
PY_PACKAGE = (
    '[project]\nname = "py-pkg"\n\n[tool.pixi.package]\n\n'
    '[tool.pixi.package.build]\nbackend = { name = "bla", version = "*" }\n'
)
NOT_FOUND = "could not find pixi.toml or pyproject.toml with tool.pixi at directory "
UNRECOGNIZED = "unrecognized manifest file format. Expected either pixi.toml or pyproject.toml."


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A workspace root inside a private directory that bounds every walk."""
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws.resolve()


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def find(root: Path, cwd: str = ".", **kwargs) -> DiscoveredManifest:
    start = root / cwd
    start.mkdir(parents=True, exist_ok=True)
    return discover_workspace(start, stop_at=root.parent, **kwargs)


def find_error(root: Path, cwd: str = ".", **kwargs) -> DiagnosticError:
    with pytest.raises(DiagnosticError) as info:
        find(root, cwd, **kwargs)
    return info.value


# ---- per-directory order and walking up ----------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected", "kind"),
    [
        ({"pixi.toml": WORKSPACE, "pyproject.toml": PY_WORKSPACE}, "pixi.toml", "pixi"),
        ({"pixi.toml": WORKSPACE, "mojoproject.toml": WORKSPACE}, "pixi.toml", "pixi"),
        (
            {"pyproject.toml": PY_WORKSPACE, "mojoproject.toml": WORKSPACE},
            "pyproject.toml",
            "pyproject",
        ),
        ({"mojoproject.toml": WORKSPACE}, "mojoproject.toml", "mojoproject"),
    ],
)
def test_per_directory_order(root: Path, files: dict[str, str], expected: str, kind: str) -> None:
    write(root, files)
    found = find(root)
    assert found.path == root / expected
    assert found.kind == kind
    assert found.text == files[expected]
    assert found.warnings == ()


def test_walks_up_past_package_manifests(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE, "a/pixi.toml": PACKAGE, "a/b/pixi.toml": PACKAGE})
    assert find(root, "a/b").path == root / "pixi.toml"


def test_nearest_workspace_wins(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE, "nested/pixi.toml": WORKSPACE})
    assert find(root, "nested/deeper").path == root / "nested" / "pixi.toml"


def test_package_pixi_toml_hides_sibling_pyproject(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE, "m/pixi.toml": PACKAGE, "m/pyproject.toml": PY_WORKSPACE})
    assert find(root, "m").path == root / "pixi.toml"


def test_pyproject_without_tool_pixi_and_package_pyproject_are_skipped(root: Path) -> None:
    write(
        root,
        {
            "pyproject.toml": PY_WORKSPACE,
            "a/pyproject.toml": PY_PLAIN,
            "a/b/pyproject.toml": PY_PACKAGE,
        },
    )
    assert find(root, "a/b").path == root / "pyproject.toml"


@pytest.mark.parametrize(
    "text",
    [
        '[project]\nname = "x"\n\n[tool.pixi.project]\nchannels = []\nplatforms = []\n',
        "[tool.pixi]\nworkspace.channels = []\nworkspace.platforms = []\n",
        "[tool]\npixi.workspace.channels = []\npixi.workspace.platforms = []\n",
    ],
    ids=["tool-pixi-project", "dotted-under-tool-pixi", "dotted-under-tool"],
)
def test_pyproject_workspace_spellings(root: Path, text: str) -> None:
    write(root, {"pyproject.toml": text})
    assert find(root).kind == "pyproject"


def test_legacy_project_table_is_a_workspace(root: Path) -> None:
    write(root, {"pixi.toml": "[project]\nchannels = []\nplatforms = []\n"})
    assert find(root).path == root / "pixi.toml"


def test_stop_at_bounds_the_walk(tmp_path: Path) -> None:
    outer = tmp_path.resolve()
    write(outer, {"pixi.toml": WORKSPACE, "inner/deeper/README.md": ""})
    start = outer / "inner" / "deeper"
    assert discover_workspace(start, stop_at=outer).path == outer / "pixi.toml"
    with pytest.raises(DiagnosticError) as info:
        discover_workspace(start, stop_at=outer / "inner")
    assert info.value.diagnostic.message == NOT_FOUND + str(start)


# ---- text checks before parsing ------------------------------------------------------------


def test_pixi_toml_without_tables(root: Path) -> None:
    write(root, {"pixi.toml": "# empty\n"})
    diagnostic = find_error(root).diagnostic
    assert diagnostic.message == (
        "Missing table in manifest pixi.toml:\nAny of the following sections is required:\n"
        "* workspace\n* project\n* package"
    )
    assert diagnostic.help == (
        "More information about pixi manifest files can be found at "
        "https://pixi.sh/latest/reference/pixi_manifest/"
    )
    assert (diagnostic.file, diagnostic.line, diagnostic.column) == (str(root / "pixi.toml"), 1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "workspace = { channels = [], platforms = [] }\n",
        "channels = [\n",
        "workspace.channels = []\n",
    ],
    ids=["inline-table", "invalid-toml", "dotted-keys"],
)
def test_pixi_toml_text_check_runs_before_parsing(root: Path, text: str) -> None:
    write(root, {"pixi.toml": text})
    assert find_error(root).diagnostic.message.startswith("Missing table in manifest pixi.toml:")


def test_indented_header_passes_text_check(root: Path) -> None:
    write(root, {"pixi.toml": "\t [workspace]\r\nchannels = []\r\n"})
    assert find(root).path == root / "pixi.toml"


def test_failing_manifest_is_not_skipped(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE, "sub/pixi.toml": "name = 1\n"})
    assert find_error(root, "sub").diagnostic.file == str(root / "sub" / "pixi.toml")


def test_mojoproject_in_directory_is_checked_as_pixi_toml(root: Path) -> None:
    write(root, {"mojoproject.toml": "# nothing\n"})
    assert find_error(root).diagnostic.message.startswith("Missing table in manifest pixi.toml:")


def test_pyproject_tool_pixi_without_required_tables(root: Path) -> None:
    text = '[project]\nname = "m"\n\n[tool.pixi.pypi-dependencies]\npytest = "*"\n'
    write(root, {"pyproject.toml": text})
    diagnostic = find_error(root).diagnostic
    assert diagnostic.message == (
        "Missing table in manifest pyproject.toml:\nAny of the following sections is required:\n"
        "* tool.pixi.workspace\n* tool.pixi.project\n* tool.pixi.package"
    )
    assert diagnostic.help is not None and "[tool.pixi.*]" in diagnostic.help


def test_pyproject_text_check_matches_project_dot_anywhere(root: Path) -> None:
    write(
        root,
        {
            "pixi.toml": WORKSPACE,
            "lib/pyproject.toml": '[project]\nname = "lib"\n\n'
            '[project.urls]\nhome = "https://x"\n\n'
            '[tool.pixi.pypi-dependencies]\nlib = { path = "." }\n',
        },
    )
    assert find(root, "lib").path == root / "pixi.toml"


def test_toml_syntax_error_names_file_and_line(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE, "lib/pyproject.toml": '[project\nname = "x"\n'})
    diagnostic = find_error(root, "lib").diagnostic
    assert diagnostic.file == str(root / "lib" / "pyproject.toml")
    assert (diagnostic.line, diagnostic.column) == (1, 9)
    assert "(at line" not in diagnostic.message
    assert diagnostic.severity is Severity.ERROR


# ---- not found -----------------------------------------------------------------------------


def test_not_found(root: Path) -> None:
    write(root, {"pixi.toml": PACKAGE})
    assert find_error(root).diagnostic.message == NOT_FOUND + str(root)


def test_plain_pyproject_in_start_directory_hint(root: Path) -> None:
    write(root, {"pyproject.toml": PY_PLAIN})
    assert find_error(root).diagnostic.message == (
        f"found pyproject.toml without tool.pixi section at directory {root}\n\n"
        "Suggestion: Run 'pixi init' to initialize pixi support in the existing pyproject.toml"
    )


def test_pyproject_hint_only_for_start_directory_and_project_table(root: Path) -> None:
    write(
        root,
        {"pyproject.toml": PY_PLAIN, "docs/pyproject.toml": "[tool.black]\nline-length = 1\n"},
    )
    assert find_error(root, "docs").diagnostic.message == NOT_FOUND + str(root / "docs")


def test_package_pyproject_gets_the_hint(root: Path) -> None:
    write(root, {"pyproject.toml": PY_PACKAGE})
    assert find_error(root).diagnostic.message.startswith("found pyproject.toml without tool.pixi")


# ---- explicit manifest path ----------------------------------------------------------------


def test_explicit_file_and_directory(root: Path) -> None:
    write(
        root,
        {
            "pixi.toml": WORKSPACE,
            "other/pyproject.toml": PY_WORKSPACE,
            "other/mojoproject.toml": WORKSPACE,
        },
    )
    expected = root / "other" / "pyproject.toml"
    assert find(root, manifest_path="other/pyproject.toml").path == expected
    assert find(root, manifest_path="other").path == expected
    assert find(root, "other", manifest_path="../pixi.toml").path == root / "pixi.toml"
    assert find(root, manifest_path=str(root / "pixi.toml")).path == root / "pixi.toml"


def test_explicit_pyproject_beats_preferred_pixi_toml(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE, "pyproject.toml": PY_WORKSPACE})
    assert find(root, manifest_path="pyproject.toml").kind == "pyproject"


@pytest.mark.parametrize("manifest_path", ["workspace.toml", "empty"])
def test_explicit_unrecognized(root: Path, manifest_path: str) -> None:
    write(root, {"pixi.toml": WORKSPACE, "workspace.toml": WORKSPACE, "empty/README.md": ""})
    assert find_error(root, manifest_path=manifest_path).diagnostic.message == UNRECOGNIZED


def test_explicit_missing_path(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE})
    message = find_error(root, manifest_path="missing/pixi.toml").diagnostic.message
    assert message.splitlines()[0] == "unable to canonicalize 'missing/pixi.toml'"
    assert "(os error 2)" in message


def test_explicit_package_continues_in_grandparent(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE, "m/pixi.toml": WORKSPACE, "m/pyproject.toml": PY_PACKAGE})
    # m/pixi.toml is never considered: the search continues above m/.
    assert find(root, manifest_path="m/pyproject.toml").path == root / "pixi.toml"


def test_explicit_package_directory_continues_in_parent(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE, "package/pixi.toml": PACKAGE})
    assert find(root, manifest_path="package").path == root / "pixi.toml"


def test_explicit_not_found_names_the_given_path(root: Path) -> None:
    write(root, {"pkg/pixi.toml": PACKAGE})
    message = find_error(root, manifest_path="pkg/pixi.toml").diagnostic.message
    assert message == NOT_FOUND + "pkg/pixi.toml"


@pytest.mark.parametrize("manifest_path", ["pyproject.toml", "."])
def test_explicit_pyproject_always_text_checked(root: Path, manifest_path: str) -> None:
    write(root, {"pyproject.toml": PY_PLAIN})
    message = find_error(root, manifest_path=manifest_path).diagnostic.message
    assert message.startswith("Missing table in manifest pyproject.toml:")


def test_explicit_mojoproject_is_not_text_checked(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE, "mojo/mojoproject.toml": "# nothing\n"})
    assert find(root, manifest_path="mojo/mojoproject.toml").path == root / "pixi.toml"


def test_explicit_path_ignores_environment(root: Path) -> None:
    write(root, {"pkg/pixi.toml": PACKAGE, "ws/pixi.toml": WORKSPACE})
    env = {"PIXI_PROJECT_MANIFEST": "ws/pixi.toml", "PIXI_IN_SHELL": "1"}
    error = find_error(root, manifest_path="pkg/pixi.toml", env=env)
    assert error.diagnostic.message.startswith(NOT_FOUND)


# ---- requires-pixi -------------------------------------------------------------------------


def test_requires_pixi_mismatch(root: Path) -> None:
    write(
        root,
        {
            "pixi.toml": '[workspace]\nchannels = []\nname = "r"\nplatforms = []\n'
            'requires-pixi = ">=100"\nsome-future-field = true\n'
        },
    )
    diagnostic = find_error(root).diagnostic
    assert diagnostic.message == (
        f"this project requires pixi '>=100', but you have pixi {PIXI_VERSION}"
    )
    assert diagnostic.label == "this version requirement is not satisfied"
    assert diagnostic.help == (
        "install a version of pixi that satisfies '>=100' with "
        "`pixi self-update --version <version>` (a plain `pixi self-update` installs the "
        "latest version, which may not satisfy this requirement)"
    )
    # Same position as pixi's snapshot (the value, inside the quotes).
    assert (diagnostic.line, diagnostic.column) == (5, 18)


def test_requires_pixi_malformed_pyproject(root: Path) -> None:
    write(
        root,
        {
            "pyproject.toml": '[project]\nname = "r"\n\n[tool.pixi.workspace]\nchannels = []\n'
            'platforms = []\nrequires-pixi = "not a valid version spec!!"\n'
        },
    )
    diagnostic = find_error(root).diagnostic
    assert diagnostic.message == (
        "invalid version specifier in 'requires-pixi'\n"
        "missing range specifier for 'not'. Did you mean '==not' or 'not.*'?"
    )
    assert diagnostic.label == "could not parse this as a version specifier"
    assert (diagnostic.line, diagnostic.column) == (7, 18)


@pytest.mark.parametrize(
    "text",
    [
        '[workspace]\nchannels = []\nplatforms = []\nrequires-pixi = ">=0.1,<1000"\n',
        '[project]\nchannels = []\nplatforms = []\nrequires-pixi = ">=100"\n',
        "[workspace]\nchannels = []\nplatforms = []\nrequires-pixi = 100\n",
    ],
    ids=["satisfied", "legacy-project-not-checked", "non-string-skipped"],
)
def test_requires_pixi_not_reported(root: Path, text: str) -> None:
    write(root, {"pixi.toml": text})
    assert find(root).path == root / "pixi.toml"


# ---- environment ---------------------------------------------------------------------------


def test_env_fallback_when_nothing_found(root: Path) -> None:
    files = {
        "project/pixi.toml": WORKSPACE + 'requires-pixi = ">=100"\n',
        "elsewhere/README.md": "",
    }
    write(root, files)
    found = find(root, "elsewhere", env={"PIXI_PROJECT_MANIFEST": "../project/pixi.toml"})
    # No text check and no requires-pixi check for the environment fallback.
    assert found.path == root / "project" / "pixi.toml"
    assert found.warnings == ()


def test_env_fallback_without_text_check(root: Path) -> None:
    write(root, {"project/pixi.toml": "workspace = { channels = [], platforms = [] }\n"})
    found = find(root, env={"PIXI_PROJECT_MANIFEST": str(root / "project" / "pixi.toml")})
    assert found.path == root / "project" / "pixi.toml"


@pytest.mark.parametrize(
    ("files", "value", "message"),
    [
        ({"p/manifest.toml": WORKSPACE}, "p/manifest.toml", UNRECOGNIZED),
        (
            {},
            "gone/pixi.toml",
            "failed to open file `gone/pixi.toml`\nNo such file or directory (os error 2)",
        ),
        ({"p/pixi.toml": PACKAGE}, "p/pixi.toml", "Missing field `project/workspace`"),
        ({"p/pyproject.toml": PY_PLAIN}, "p/pyproject.toml", "Missing field `tool.pixi`"),
        ({"p/pyproject.toml": PY_PACKAGE}, "p/pyproject.toml", "Missing field `project/workspace`"),
        ({}, "", UNRECOGNIZED),
    ],
)
def test_env_fallback_errors(root: Path, files: dict[str, str], value: str, message: str) -> None:
    write(root, files)
    assert find_error(root, env={"PIXI_PROJECT_MANIFEST": value}).diagnostic.message == message


def test_env_ignored_when_manifest_found(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE, "other/pixi.toml": WORKSPACE})
    found = find(root, env={"PIXI_PROJECT_MANIFEST": "other/pixi.toml"})
    assert found.path == root / "pixi.toml"
    assert found.warnings == ()


def test_in_shell_warning(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE, "other/pixi.toml": WORKSPACE})
    found = find(root, env={"PIXI_PROJECT_MANIFEST": "other/pixi.toml", "PIXI_IN_SHELL": ""})
    assert found.path == root / "pixi.toml"
    (warn,) = found.warnings
    assert warn.severity is Severity.WARNING
    assert warn.message == (
        f"Using local manifest {root / 'pixi.toml'} rather than other/pixi.toml "
        "from environment variable `PIXI_PROJECT_MANIFEST`"
    )


def test_in_shell_no_warning_for_identical_absolute_path(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE})
    env = {"PIXI_PROJECT_MANIFEST": str(root / "pixi.toml"), "PIXI_IN_SHELL": "1"}
    assert find(root, env=env).warnings == ()
    # A relative spelling of the same file is a different path and warns.
    env["PIXI_PROJECT_MANIFEST"] = "pixi.toml"
    assert len(find(root, env=env).warnings) == 1


def test_process_environment_is_never_read(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(root, {"project/pixi.toml": WORKSPACE, "elsewhere/README.md": ""})
    monkeypatch.setenv("PIXI_PROJECT_MANIFEST", str(root / "project" / "pixi.toml"))
    monkeypatch.setenv("PIXI_IN_SHELL", "1")
    assert find_error(root, "elsewhere").diagnostic.message.startswith(NOT_FOUND)
    assert find_error(root, "elsewhere", env={}).diagnostic.message.startswith(NOT_FOUND)


# ---- API and the discover operation --------------------------------------------------------


def test_discovered_manifest_is_frozen(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE})
    found = find(root)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.kind = "pyproject"  # type: ignore[misc]


def _request(
    root: Path, cwd: str = ".", args: dict | None = None, env: dict | None = None
) -> OperationRequest:
    return OperationRequest(
        op="discover", args=args or {}, workspace_root=root, cwd=root / cwd, env=env or {}
    )


def test_discover_op_reports_path_relative_to_root(root: Path) -> None:
    write(
        root,
        {"pixi.toml": WORKSPACE, "a/b/pixi.toml": PACKAGE, "other/pyproject.toml": PY_WORKSPACE},
    )
    assert discover(_request(root, "a/b")).value == {"manifest": "pixi.toml"}
    result = discover(_request(root, args={"manifest-path": "other"}))
    assert result.value == {"manifest": "other/pyproject.toml"}
    assert result.warnings == []


def test_discover_op_returns_warnings(root: Path) -> None:
    write(root, {"pixi.toml": WORKSPACE})
    env = {"PIXI_PROJECT_MANIFEST": "x/pixi.toml", "PIXI_IN_SHELL": "1"}
    result = discover(_request(root, env=env))
    assert [w.severity for w in result.warnings] == [Severity.WARNING]


def test_discover_op_outside_root_is_absolute(root: Path) -> None:
    # The parent of the workspace root is still searched (it bounds the walk).
    write(root.parent, {"pixi.toml": WORKSPACE})
    assert discover(_request(root)).value == {"manifest": (root.parent / "pixi.toml").as_posix()}
