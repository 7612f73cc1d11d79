"""The corpus covers every documented manifest option and every researched error.

Sources: ../shared/seeds/pixi-manifest-reference.md (options) and
../shared/research/manifest-semantics.md (errors).  Each entry below names an option (as a
regular expression over the TOML text of some case's files) or an error (a substring that
some negative case must expect).  A missing entry fails with the option or error it lacks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pixiconf.corpus.loader import iter_case_paths, load_case
from pixiconf.corpus.schema import Case

CORPUS = Path(__file__).resolve().parent.parent / "cases"


def _cases() -> list[Case]:
    cases = [load_case(p, CORPUS) for p in iter_case_paths(CORPUS)]
    return [c for c in cases if isinstance(c, Case)]


CASES = _cases()
MANIFEST_TEXT = "\n".join(
    text for case in CASES for text in (case.files or {}).values() if isinstance(text, str)
)
ERROR_TEXT = "\n".join(
    s for case in CASES if case.expect.kind == "error" for s in case.expect.error_contains
)
WARNING_TEXT = "\n".join(
    [s for case in CASES for s in case.expect.warnings_contains or ()]
    + [
        str(w)
        for case in CASES
        if case.op == "check" and isinstance(case.expect.result, dict)
        for w in case.expect.result.get("warnings") or ()
    ]
)

#: option -> regular expression that a case manifest must contain (multiline mode).
DOCUMENTED_OPTIONS = {
    "project.name": r"^\[(tool\.pixi\.)?(project|workspace)\][^\[]*^name\s*=",
    "project.channels": r"^channels\s*=",
    "project.platforms": r"^platforms\s*=",
    "project.version": r"^version\s*=\s*\"",
    "project.authors": r"^authors\s*=",
    "project.description": r"^description\s*=",
    "project.license": r"^license\s*=",
    "project.license-file": r"^license-file\s*=",
    "project.readme": r"^readme\s*=",
    "project.homepage": r"^homepage\s*=",
    "project.repository": r"^repository\s*=",
    "project.documentation": r"^documentation\s*=",
    "project.conda-pypi-map": r"^conda-pypi-map\s*=",
    "project.channel-priority": r"^channel-priority\s*=",
    "project.preview": r"^preview\s*=",
    "channels: file URL": r"file://",
    "channels: https URL": r"channels\s*=.*https://",
    "tasks: string": r"^\[(tool\.pixi\.)?tasks\][^\[]*^\w[\w-]*\s*=\s*\"",
    "tasks: cmd": r"cmd\s*=",
    "tasks: depends-on": r"depends-on\s*=",
    "tasks: cwd": r"cwd\s*=",
    "tasks: env": r"\benv\s*=\s*\{",
    "tasks: inputs": r"inputs\s*=",
    "tasks: outputs": r"outputs\s*=",
    "tasks: clean-env": r"clean-env\s*=",
    "tasks: alias": r"=\s*\{\s*depends-on\s*=",
    "tasks: hidden _task": r"^_\w+\s*=",
    "system-requirements.linux": r"^linux\s*=",
    "system-requirements.libc": r"^libc\s*=\s*\"",
    "system-requirements.libc family": r"family\s*=",
    "system-requirements.macos": r"^macos\s*=",
    "system-requirements.cuda": r"^cuda\s*=",
    "pypi-options.index-url": r"index-url\s*=",
    "pypi-options.extra-index-urls": r"extra-index-urls\s*=",
    "pypi-options.find-links path": r"find-links\s*=.*path",
    "pypi-options.find-links url": r"find-links\s*=.*url",
    "pypi-options.no-build-isolation": r"no-build-isolation\s*=",
    "pypi-options.index-strategy first-index": r"index-strategy\s*=\s*\"first-index\"",
    "pypi-options.index-strategy unsafe-first-match": r"\"unsafe-first-match\"",
    "pypi-options.index-strategy unsafe-best-match": r"\"unsafe-best-match\"",
    "dependencies: ~= spec": r"=\s*\"~=",
    "dependencies: | spec": r"=\s*\"[^\"]*\|",
    "dependencies: table channel": r"\{[^}]*channel\s*=",
    "dependencies: table build": r"\{[^}]*build\s*=",
    "host-dependencies": r"host-dependencies",
    "build-dependencies": r"build-dependencies",
    "pypi-dependencies: extras": r"extras\s*=",
    "pypi-dependencies: index": r"\{[^}]*\bindex\s*=",
    "pypi-dependencies: git": r"\{[^}]*git\s*=",
    "pypi-dependencies: git rev": r"\{[^}]*rev\s*=",
    "pypi-dependencies: git subdirectory": r"\{[^}]*subdirectory\s*=",
    "pypi-dependencies: path": r"\{[^}]*path\s*=",
    "pypi-dependencies: editable": r"editable\s*=",
    "pypi-dependencies: url": r"\{[^}]*url\s*=\s*\"https://[^\"]*\.(whl|tar\.gz|zip)\"",
    "pypi-dependencies: *": r"=\s*\"\*\"",
    "activation.scripts": r"scripts\s*=",
    "activation.env": r"activation\.env\]|activation\s*=\s*\{[^}]*env",
    "target: win": r"target\.win[.\]]",
    "target: osx": r"target\.osx[.\]]",
    "target: linux": r"target\.linux[.\]]",
    "target: unix": r"target\.unix[.\]]",
    "target: subdir": r"target\.(linux-64|osx-arm64|win-64|osx-64)",
    "feature.channels": r"^\[feature\.[\w-]+\][^\[]*^channels\s*=",
    "feature.platforms": r"^\[feature\.[\w-]+\][^\[]*^platforms\s*=",
    "feature.system-requirements": r"feature\.[\w-]+\.system-requirements|^\[feature\.[\w-]+\][^\[]*system-requirements",
    "feature.target": r"feature\.[\w-]+\.target",
    "feature inline table": r"^\[feature\.[\w-]+\]\s*$",
    "environments: list": r"^[\w-]+\s*=\s*\[\s*\"",
    "environments: features": r"features\s*=",
    "environments: solve-group": r"solve-group\s*=",
    "environments: no-default-feature": r"no-default-feature\s*=",
    "package": r"^\[package\]",
    "pyproject tool.pixi": r"\[tool\.pixi\.",
}

#: Errors the research lists (manifest-semantics.md) that need a negative case.
RESEARCHED_ERRORS = [
    "Missing table in manifest pixi.toml",
    "Missing table in manifest pyproject.toml",
    "unrecognized manifest file format",
    "this project requires pixi",
    "could not find pixi.toml or pyproject.toml with tool.pixi at directory",
    "found pyproject.toml without tool.pixi section",
    "Unexpected keys, expected only",
    "Did you mean",
    "When `pixi-build` is enabled",
    "[package] section is only allowed when the `pixi-build` preview flag is enabled",
    "missing field 'channels'",
    "'license' is not a valid SPDX expression",
    "does not exist",
    "The feature 'default' is reserved and cannot be redefined",
    "is not a valid target selector",
    "Failed to parse environment name",
    "missing field 'features' in table",
    "The feature 'unknown' is not defined in the manifest",
    "is included more than once",
    "cannot combine archspecs",
    "two different libc families were specified",
    "multiple primary pypi indexes are not supported",
    "multiple index strategies are not supported",
    "multiple prerelease modes are not supported",
    "Multiple channel priorities are not allowed in a single environment",
    "references platform",
    "does not support",
    "missing field 'channel'",
    "expected a string or table",
    "either 'url' or 'path' must be defined",
    "cannot define both 'url' and 'path'",
    "duplicate key",
]

#: Warnings the research lists.
RESEARCHED_WARNINGS = [
    "The `project` field is deprecated. Use `workspace` instead.",
    "The `host-dependencies` field is deprecated. Use `dependencies` instead.",
    "The `build-dependencies` field is deprecated. Use `dependencies` instead.",
    "defined in the manifest but un-used in pixi",
    "is defined but not used in any environment",
    "does not match any of the platforms supported by the workspace",
    "does not match any of the platforms supported by the feature",
    "the `[system-requirements]` table is deprecated",
    "Using local manifest",
]


def test_corpus_is_loaded() -> None:
    assert len(CASES) >= 300, f"only {len(CASES)} valid cases found in {CORPUS}"


@pytest.mark.parametrize("option", sorted(DOCUMENTED_OPTIONS))
def test_documented_option_has_a_case(option: str) -> None:
    pattern = re.compile(DOCUMENTED_OPTIONS[option], re.MULTILINE)
    assert pattern.search(MANIFEST_TEXT), f"no case manifest uses the documented option {option!r}"


@pytest.mark.parametrize("message", RESEARCHED_ERRORS)
def test_researched_error_has_a_negative_case(message: str) -> None:
    assert message in ERROR_TEXT, f"no negative case expects the error {message!r}"


@pytest.mark.parametrize("message", RESEARCHED_WARNINGS)
def test_researched_warning_has_a_case(message: str) -> None:
    assert message in WARNING_TEXT, f"no case expects the warning {message!r}"
