"""The corpus covers every documented manifest option and every researched error.

Sources: ../shared/seeds/pixi-manifest-reference.md (options) and
../shared/research/manifest-semantics.md (errors and warnings).

An option is a place in the manifest (a key path, read from each case's TOML files with the
reference's own reader, :func:`pixiconf.manifest.toml.loads`), optionally with a condition on
the value found there.  It is covered

* positively by a case whose manifest has the option at that place and whose expectation is a
  ``result``;
* negatively by a case whose manifest has the option at that place, whose expectation is an
  ``error``, and which is about the option: its ``features`` carry the option's tag or one of
  its expected error texts names the option's key.

``pyproject.toml`` files contribute their ``[tool.pixi]`` table; every other ``*.toml`` file of
a case is read as a pixi manifest.  A file that is not valid TOML (the malformed-input cases)
contributes nothing.  A missing entry fails with the option and the side it lacks; the tests at
the end feed the same checks synthetic corpora to show that each of them can fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from pixiconf.corpus.loader import iter_case_paths, load_case
from pixiconf.corpus.schema import CHANNEL_REF, Case, Expectation
from pixiconf.manifest.toml import TOMLDecodeError, loads

CORPUS = Path(__file__).resolve().parent.parent / "cases"

# --------------------------------------------------------------------------- reading cases


def _cases() -> list[Case]:
    cases = [load_case(p, CORPUS) for p in iter_case_paths(CORPUS)]
    return [c for c in cases if isinstance(c, Case)]


def manifests(case: Case) -> list[tuple[str, dict[str, Any]]]:
    """The pixi manifests of a case, parsed (``[tool.pixi]`` of a ``pyproject.toml``), each
    with the name of its file."""
    found = []
    for name, text in (case.files or {}).items():
        if not isinstance(text, str) or not name.endswith(".toml"):
            continue
        try:
            document = loads(text)
        except TOMLDecodeError:
            continue
        file = name.rsplit("/", 1)[-1]
        if file == "pyproject.toml":
            tool = document.get("tool")
            document = tool.get("pixi") if isinstance(tool, dict) else None
            if not isinstance(document, dict):
                continue
        found.append((file, document))
    return found


def key_paths(value: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (key path, value) of a parsed TOML document; arrays are transparent, so the
    tables of an array of tables sit at the array's path."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = (*prefix, key)
            yield path, item
            yield from key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                yield from key_paths(item, prefix)


# --------------------------------------------------------------------------- options

#: Where a scoped option may also sit: in a feature, a target, or a feature's target.
SCOPES = ((), ("feature", "*"), ("target", "*"), ("feature", "*", "target", "*"))


@dataclass(frozen=True)
class Option:
    """A documented option: a key path pattern (``.``-separated; ``*`` is any key, ``a|b``
    either key) and an optional condition on the value there.  ``tag`` is the ``features``
    tag of the cases about it; ``example`` a manifest fragment that uses it."""

    path: str
    example: str
    tag: str | None = None
    value: Callable[[Any], bool] | None = None
    scoped: bool = False
    #: Only manifests read from a file of this name count (``None``: any manifest).
    file: str | None = None
    #: Whether a negative case is required.  ``False`` for one accepted value of an option
    #: (a selector name, an index strategy): wrong values are the option's own negative cases.
    negative: bool = True

    @property
    def key(self) -> str:
        """The last plain key of the path (the one an error message would name)."""
        plain = [s for s in self.path.split(".") if not any(c in s for c in "*?[")]
        return plain[-1].split("|")[0]

    def patterns(self) -> Iterator[tuple[str, ...]]:
        own = tuple(self.path.split("."))
        for scope in SCOPES if self.scoped else ((),):
            yield (*scope, *own)

    def used_in(self, file: str, document: Mapping[str, Any], *, value: bool = True) -> bool:
        """Whether ``document`` (read from ``file``) has the option; with ``value=False`` any
        value at its place counts (a negative case usually gives a wrong one)."""
        if self.file is not None and file != self.file:
            return False
        patterns = list(self.patterns())
        for path, found in key_paths(document):
            if any(_matches(p, path) for p in patterns) and (
                not value or self.value is None or self.value(found)
            ):
                return True
        return False


def _matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    return len(pattern) == len(path) and all(
        any(fnmatchcase(key, alternative) for alternative in p.split("|"))
        for p, key in zip(pattern, path, strict=True)
    )


def _channel_urls(value: Any) -> Iterator[str]:
    for item in value if isinstance(value, list) else ():
        url = item.get("channel") if isinstance(item, dict) else item
        if isinstance(url, str):
            yield url


def _file_channel(value: Any) -> bool:
    # A ``{{channels.NAME}}`` reference is written into the workspace as a file:// URL.
    return any(u.startswith("file://") or CHANNEL_REF.search(u) for u in _channel_urls(value))


def _https_channel(value: Any) -> bool:
    return any(u.startswith("https://") for u in _channel_urls(value))


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _alias(value: Any) -> bool:
    return isinstance(value, dict) and "depends-on" in value and "cmd" not in value


def _archive_url(value: Any) -> bool:
    return isinstance(value, str) and value.endswith((".whl", ".tar.gz", ".zip"))


def _has(key: str) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, dict) and key in value


W = "workspace|project"
DEPS = "dependencies|host-dependencies|build-dependencies|constraints"
TARGETS = "win|osx|linux|unix"

#: option -> where it sits in a manifest.
DOCUMENTED_OPTIONS: dict[str, Option] = {
    "project.name": Option(f"{W}.name", '[workspace]\nname = "x"', "names"),
    "project.channels": Option(f"{W}.channels", "[workspace]\nchannels = []", "channels"),
    "project.platforms": Option(f"{W}.platforms", "[workspace]\nplatforms = []", "platforms"),
    "project.version": Option(f"{W}.version", '[workspace]\nversion = "1"', "metadata", _is_str),
    "project.authors": Option(f"{W}.authors", "[workspace]\nauthors = []", "metadata"),
    "project.description": Option(f"{W}.description", '[workspace]\ndescription = "d"', "metadata"),
    "project.license": Option(f"{W}.license", '[workspace]\nlicense = "MIT"', "license"),
    "project.license-file": Option(
        f"{W}.license-file", '[workspace]\nlicense-file = "L"', "license"
    ),
    "project.readme": Option(f"{W}.readme", '[workspace]\nreadme = "R"', "metadata"),
    "project.homepage": Option(f"{W}.homepage", '[workspace]\nhomepage = "h"', "metadata"),
    "project.repository": Option(f"{W}.repository", '[workspace]\nrepository = "r"', "metadata"),
    "project.documentation": Option(
        f"{W}.documentation", '[workspace]\ndocumentation = "d"', "metadata"
    ),
    "project.conda-pypi-map": Option(
        f"{W}.conda-pypi-map", "[workspace]\nconda-pypi-map = {}", "conda-pypi-map"
    ),
    "project.channel-priority": Option(
        f"{W}.channel-priority", '[workspace]\nchannel-priority = "strict"', "channel-priority"
    ),
    "project.solve-strategy": Option(
        f"{W}.solve-strategy", '[workspace]\nsolve-strategy = "lowest"', "solve-strategy"
    ),
    "project.preview": Option(f"{W}.preview", "[workspace]\npreview = []", "preview"),
    "project.requires-pixi": Option(
        f"{W}.requires-pixi", '[workspace]\nrequires-pixi = ">=0.1"', "requires-pixi"
    ),
    "project.exclude-newer": Option(
        f"{W}.exclude-newer", '[workspace]\nexclude-newer = "2024-01-01"', "exclude-newer"
    ),
    "project.build-variants": Option(
        f"{W}.build-variants", "[workspace.build-variants]\npython = []", "build-variants"
    ),
    "channels: file URL": Option(
        f"{W}.channels",
        '[workspace]\nchannels = ["file:///c"]',
        "local-channel",
        _file_channel,
        negative=False,
    ),
    "channels: https URL": Option(
        f"{W}.channels",
        '[workspace]\nchannels = ["https://c"]',
        "channels",
        _https_channel,
        negative=False,
    ),
    "tasks": Option("tasks.*", '[tasks]\nt = "echo"', "tasks", scoped=True),
    "tasks: string": Option(
        "tasks.*", '[tasks]\nt = "echo"', "task-string", _is_str, True, negative=False
    ),
    "tasks: cmd": Option("tasks.*.cmd", '[tasks]\nt = { cmd = "x" }', "task-table", scoped=True),
    "tasks: depends-on": Option(
        "tasks.*.depends-on", "[tasks]\nt = { depends-on = [] }", "depends-on", scoped=True
    ),
    "tasks: cwd": Option("tasks.*.cwd", '[tasks]\nt = { cwd = "x" }', "task-table", scoped=True),
    "tasks: env": Option("tasks.*.env", "[tasks]\nt = { env = {} }", "task-table", scoped=True),
    "tasks: inputs": Option(
        "tasks.*.inputs", "[tasks]\nt = { inputs = [] }", "task-table", scoped=True
    ),
    "tasks: outputs": Option(
        "tasks.*.outputs", "[tasks]\nt = { outputs = [] }", "task-table", scoped=True
    ),
    "tasks: clean-env": Option(
        "tasks.*.clean-env", "[tasks]\nt = { clean-env = true }", "task-table", scoped=True
    ),
    "tasks: alias": Option(
        "tasks.*", "[tasks]\nt = { depends-on = [] }", "task-alias", _alias, True
    ),
    "tasks: hidden _task": Option(
        "tasks._*", '[tasks]\n_t = "x"', "hidden-task", scoped=True, negative=False
    ),
    "system-requirements.linux": Option(
        "system-requirements.linux", '[system-requirements]\nlinux = "5"', "linux", scoped=True
    ),
    "system-requirements.libc": Option(
        "system-requirements.libc", '[system-requirements]\nlibc = "2"', "libc", _is_str, True
    ),
    "system-requirements.libc family": Option(
        "system-requirements.libc.family",
        '[system-requirements]\nlibc = { family = "glibc" }',
        "libc",
        scoped=True,
    ),
    "system-requirements.macos": Option(
        "system-requirements.macos", '[system-requirements]\nmacos = "13"', "macos", scoped=True
    ),
    "system-requirements.cuda": Option(
        "system-requirements.cuda", '[system-requirements]\ncuda = "12"', "cuda", scoped=True
    ),
    "pypi-options.index-url": Option(
        "pypi-options.index-url", '[pypi-options]\nindex-url = "u"', "index-url", scoped=True
    ),
    "pypi-options.extra-index-urls": Option(
        "pypi-options.extra-index-urls",
        "[pypi-options]\nextra-index-urls = []",
        "extra-index-urls",
        scoped=True,
    ),
    "pypi-options.find-links path": Option(
        "pypi-options.find-links.path",
        '[pypi-options]\nfind-links = [{ path = "p" }]',
        "find-links",
        scoped=True,
    ),
    "pypi-options.find-links url": Option(
        "pypi-options.find-links.url",
        '[pypi-options]\nfind-links = [{ url = "u" }]',
        "find-links",
        scoped=True,
    ),
    "pypi-options.no-build-isolation": Option(
        "pypi-options.no-build-isolation",
        "[pypi-options]\nno-build-isolation = true",
        "no-build-isolation",
        scoped=True,
    ),
    "pypi-options.no-build": Option(
        "pypi-options.no-build", "[pypi-options]\nno-build = true", "no-build", scoped=True
    ),
    "pypi-options.no-binary": Option(
        "pypi-options.no-binary", "[pypi-options]\nno-binary = true", "no-binary", scoped=True
    ),
    "pypi-options.prerelease-mode": Option(
        "pypi-options.prerelease-mode",
        '[pypi-options]\nprerelease-mode = "allow"',
        "prerelease-mode",
        scoped=True,
    ),
    "pypi-options.dependency-overrides": Option(
        "pypi-options.dependency-overrides",
        "[pypi-options.dependency-overrides]\nx = '1'",
        "dependency-overrides",
        scoped=True,
    ),
    "pypi-options.index-strategy": Option(
        "pypi-options.index-strategy",
        '[pypi-options]\nindex-strategy = "first-index"',
        "index-strategy",
        scoped=True,
    ),
    **{
        f"pypi-options.index-strategy {strategy}": Option(
            "pypi-options.index-strategy",
            f'[pypi-options]\nindex-strategy = "{strategy}"',
            "index-strategy",
            lambda value, strategy=strategy: value == strategy,
            True,
            negative=False,
        )
        for strategy in ("first-index", "unsafe-first-match", "unsafe-best-match")
    },
    "dependencies: conda spec": Option(
        f"{DEPS}.*", '[dependencies]\nx = ">=1"', "conda-spec", _is_str, True
    ),
    "dependencies: ~= spec": Option(
        f"{DEPS}.*",
        '[dependencies]\nx = "~=1.2"',
        "conda-spec",
        lambda v: isinstance(v, str) and v.startswith("~="),
        True,
        negative=False,
    ),
    "dependencies: | spec": Option(
        f"{DEPS}.*",
        '[dependencies]\nx = "1|2"',
        "conda-spec",
        lambda v: isinstance(v, str) and "|" in v,
        True,
        negative=False,
    ),
    "dependencies: table channel": Option(
        f"{DEPS}.*.channel", '[dependencies]\nx = { channel = "c" }', "channel-table", scoped=True
    ),
    "dependencies: table build": Option(
        f"{DEPS}.*.build", '[dependencies]\nx = { build = "b" }', "conda-spec", scoped=True
    ),
    "host-dependencies": Option(
        "host-dependencies", "[host-dependencies]", "host-dependencies", scoped=True
    ),
    "build-dependencies": Option(
        "build-dependencies", "[build-dependencies]", "build-dependencies", scoped=True
    ),
    "dev": Option("dev.*", '[dev]\nx = { path = "." }', "dev", scoped=True),
    "pypi-dependencies: extras": Option(
        "pypi-dependencies.*.extras",
        "[pypi-dependencies]\nx = { extras = [] }",
        "extras",
        scoped=True,
    ),
    "pypi-dependencies: index": Option(
        "pypi-dependencies.*.index",
        '[pypi-dependencies]\nx = { index = "i" }',
        "index",
        scoped=True,
    ),
    "pypi-dependencies: git": Option(
        "pypi-dependencies.*.git", '[pypi-dependencies]\nx = { git = "g" }', "git", scoped=True
    ),
    "pypi-dependencies: git rev": Option(
        "pypi-dependencies.*.rev",
        '[pypi-dependencies]\nx = { git = "g", rev = "r" }',
        "git",
        scoped=True,
    ),
    "pypi-dependencies: git subdirectory": Option(
        "pypi-dependencies.*.subdirectory",
        '[pypi-dependencies]\nx = { git = "g", subdirectory = "s" }',
        "git",
        scoped=True,
    ),
    "pypi-dependencies: path": Option(
        "pypi-dependencies.*.path", '[pypi-dependencies]\nx = { path = "p" }', "path", scoped=True
    ),
    "pypi-dependencies: editable": Option(
        "pypi-dependencies.*.editable",
        '[pypi-dependencies]\nx = { path = "p", editable = true }',
        "editable",
        scoped=True,
    ),
    "pypi-dependencies: url": Option(
        "pypi-dependencies.*.url",
        '[pypi-dependencies]\nx = { url = "https://h/x.whl" }',
        "url",
        _archive_url,
        True,
    ),
    "pypi-dependencies: *": Option(
        "pypi-dependencies.*",
        '[pypi-dependencies]\nx = "*"',
        "pypi-spec",
        lambda v: v == "*",
        True,
        negative=False,
    ),
    "activation.scripts": Option(
        "activation.scripts", "[activation]\nscripts = []", "activation-scripts", scoped=True
    ),
    "activation.env": Option(
        "activation.env", "[activation]\nenv = {}", "activation-env", scoped=True
    ),
    **{
        f"target: {family}": Option(
            f"target.{family}",
            f"[target.{family}.dependencies]",
            "selector-family",
            scoped=True,
            negative=False,
        )
        for family in TARGETS.split("|")
    },
    "target: selector": Option("target.*", "[target.linux.dependencies]", "targets", scoped=True),
    "target: subdir": Option(
        "target.linux-64|osx-arm64|win-64|osx-64",
        "[target.linux-64.dependencies]",
        "selector-subdir",
        scoped=True,
        negative=False,
    ),
    "feature.channels": Option("feature.*.channels", "[feature.f]\nchannels = []", "feature"),
    "feature.platforms": Option("feature.*.platforms", "[feature.f]\nplatforms = []", "feature"),
    "feature.system-requirements": Option(
        "feature.*.system-requirements", "[feature.f.system-requirements]", "system-requirements"
    ),
    "feature.target": Option("feature.*.target", "[feature.f.target.unix]", "feature"),
    "environments: list": Option(
        "environments.*",
        '[environments]\ne = ["f"]',
        "environment-table",
        lambda v: isinstance(v, list),
    ),
    "environments: features": Option(
        "environments.*.features", '[environments]\ne = { features = ["f"] }', "environment-table"
    ),
    "environments: solve-group": Option(
        "environments.*.solve-group", '[environments]\ne = { solve-group = "g" }', "solve-group"
    ),
    "environments: no-default-feature": Option(
        "environments.*.no-default-feature",
        "[environments]\ne = { no-default-feature = true }",
        "no-default-feature",
    ),
    "package": Option("package", "[package]", "package"),
    "pyproject tool.pixi": Option(
        "workspace|project", "[tool.pixi.workspace]", "pyproject", file="pyproject.toml"
    ),
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


# --------------------------------------------------------------------------- coverage


def about(case: Case, option: Option) -> bool:
    """Whether an error case is about ``option``: tagged with it, or an expected error text
    names its key."""
    return (option.tag is not None and option.tag in case.features) or any(
        option.key in text for text in case.expect.error_contains
    )


def coverage(cases: Iterable[Case], options: Mapping[str, Option]) -> dict[str, tuple[set, set]]:
    """option -> (IDs of the cases covering it positively, IDs covering it negatively)."""
    covered: dict[str, tuple[set, set]] = {name: (set(), set()) for name in options}
    for case in cases:
        documents = manifests(case)
        for name, option in options.items():
            if case.expect.kind == "result":
                if any(option.used_in(file, doc) for file, doc in documents):
                    covered[name][0].add(case.id)
            elif (
                option.negative
                and about(case, option)
                and any(option.used_in(file, doc, value=False) for file, doc in documents)
            ):
                covered[name][1].add(case.id)
    return covered


def expected_errors(cases: Iterable[Case]) -> str:
    """Every error text the negative cases expect, one a line."""
    return "\n".join(s for c in cases if c.expect.kind == "error" for s in c.expect.error_contains)


def expected_warnings(cases: Iterable[Case]) -> str:
    """Every warning text the cases expect (``expect.warnings`` or a ``check`` result's
    ``warnings``), one a line."""
    texts = [s for case in cases for s in case.expect.warnings_contains or ()]
    for case in cases:
        if case.op == "check" and isinstance(case.expect.result, dict):
            texts += [str(w) for w in case.expect.result.get("warnings") or ()]
    return "\n".join(texts)


CASES = _cases()
COVERAGE = coverage(CASES, DOCUMENTED_OPTIONS)
ERROR_TEXT = expected_errors(CASES)
WARNING_TEXT = expected_warnings(CASES)

#: Options no negative case of the corpus is about yet: option -> what is missing (each an
#: xfail, strict).  A case must be verified against a real pixi before it is added.
NEGATIVE_GAPS: dict[str, str] = {}


def _negative_params() -> list:
    params = []
    for name in sorted(DOCUMENTED_OPTIONS):
        if not DOCUMENTED_OPTIONS[name].negative:
            continue
        marks = ()
        if name in NEGATIVE_GAPS:
            marks = (pytest.mark.xfail(reason=f"corpus gap: {NEGATIVE_GAPS[name]}", strict=True),)
        params.append(pytest.param(name, marks=marks))
    return params


# --------------------------------------------------------------------------- the corpus


def test_corpus_is_loaded() -> None:
    assert len(CASES) >= 300, f"only {len(CASES)} valid cases found in {CORPUS}"


@pytest.mark.parametrize("option", sorted(DOCUMENTED_OPTIONS))
def test_documented_option_has_a_positive_case(option: str) -> None:
    positive, _ = COVERAGE[option]
    assert positive, f"no case with a result expectation uses {option!r}"


@pytest.mark.parametrize("option", _negative_params())
def test_documented_option_has_a_negative_case(option: str) -> None:
    _, negative = COVERAGE[option]
    assert negative, f"no case with an error expectation is about {option!r}"


@pytest.mark.parametrize("message", RESEARCHED_ERRORS)
def test_researched_error_has_a_negative_case(message: str) -> None:
    assert message in ERROR_TEXT, f"no negative case expects the error {message!r}"


@pytest.mark.parametrize("message", RESEARCHED_WARNINGS)
def test_researched_warning_has_a_case(message: str) -> None:
    assert message in WARNING_TEXT, f"no case expects the warning {message!r}"


# --------------------------------------------------------------------------- the checks can fail


def _case(
    files: dict[str, str], *, error: str | None = None, features: tuple[str, ...] = ()
) -> Case:
    expect = (
        Expectation(kind="result", result={})
        if error is None
        else Expectation(kind="error", error_contains=(error,))
    )
    return Case(
        id=f"synthetic/{len(files)}-{error}-{features}",
        path=Path("synthetic.yaml"),
        description="a synthetic case",
        features=features,
        op="check",
        expect=expect,
        files=files,
    )


def _file(option: Option) -> str:
    return option.file or "pixi.toml"


BARE = '[workspace]\nname = "w"\nchannels = []\nplatforms = ["linux-64"]\n'


def test_a_bare_workspace_covers_only_its_own_keys() -> None:
    corpus = [
        _case({"pixi.toml": BARE}),
        _case({"pixi.toml": BARE, "pyproject.toml": "[project]\nname = 'p'\n"}, error="boom"),
        _case({"pixi.toml": "[workspace\nbroken"}, error="expected"),
    ]
    covered = coverage(corpus, DOCUMENTED_OPTIONS)
    positive = {name for name, (pos, _) in covered.items() if pos}
    negative = {name for name, (_, neg) in covered.items() if neg}
    assert positive == {"project.name", "project.channels", "project.platforms"}
    assert negative == set()


@pytest.mark.parametrize("option", sorted(DOCUMENTED_OPTIONS))
def test_an_option_is_covered_only_where_it_sits(option: str) -> None:
    spec = DOCUMENTED_OPTIONS[option]
    file = _file(spec)
    assert spec.tag != "toml-syntax"
    corpus = [
        _case({file: spec.example}),
        _case({file: spec.example}, error="wrong", features=(spec.tag or "",)),
        _case({file: spec.example}, error="unrelated message", features=("toml-syntax",)),
    ]
    positive, negative = coverage(corpus, {option: spec})[option]
    assert positive == {corpus[0].id}
    assert negative == ({corpus[1].id} if spec.negative else set())
    # The same fragment one table down (under a key no option uses) covers nothing.
    root = "[tool.pixi." if file == "pyproject.toml" else "["
    assert spec.example.startswith(root)
    moved = spec.example.replace(root, root + "elsewhere.", 1)
    corpus = [_case({file: moved}), _case({file: moved}, error="wrong", features=(spec.tag,))]
    assert coverage(corpus, {option: spec})[option] == (set(), set())
    # An option of one kind of manifest file does not count in another.
    if spec.file is not None:
        other = _case({"pixi.toml": spec.example.replace("tool.pixi.", "")})
        assert coverage([other], {option: spec})[option] == (set(), set())


@pytest.mark.parametrize(
    ("option", "other"),
    [
        (
            "pypi-options.index-strategy first-index",
            "pypi-options.index-strategy unsafe-best-match",
        ),
        (
            "pypi-options.index-strategy unsafe-first-match",
            "pypi-options.index-strategy first-index",
        ),
        ("channels: file URL", "channels: https URL"),
        ("channels: https URL", "channels: file URL"),
        ("dependencies: ~= spec", "dependencies: | spec"),
        ("dependencies: | spec", "dependencies: ~= spec"),
        ("tasks: string", "tasks: alias"),
        ("tasks: alias", "tasks: string"),
        ("target: win", "target: unix"),
        ("project.version", "project.name"),
    ],
)
def test_another_value_of_the_same_key_does_not_cover_an_option(option: str, other: str) -> None:
    example = DOCUMENTED_OPTIONS[option].example
    covered = coverage([_case({"pixi.toml": example})], DOCUMENTED_OPTIONS)
    assert covered[option][0]
    assert not covered[other][0]


def test_an_error_case_about_something_else_is_no_negative_case() -> None:
    option = DOCUMENTED_OPTIONS["pypi-options.index-strategy"]
    files = {"pixi.toml": option.example}
    assert coverage([_case(files, error="Expected one of")], {"o": option})["o"] == (set(), set())
    named = _case(files, error="unknown index-strategy")
    assert coverage([named], {"o": option})["o"] == (set(), {named.id})


def test_removing_the_covering_cases_from_the_corpus_opens_gaps() -> None:
    kept = [c for c in CASES if "index-strategy" not in c.features]
    covered = coverage(kept, DOCUMENTED_OPTIONS)
    assert COVERAGE["pypi-options.index-strategy"][1]
    assert covered["pypi-options.index-strategy"][1] == set()
    assert covered["pypi-options.index-strategy unsafe-first-match"][0] == set()
    assert covered["project.name"] == COVERAGE["project.name"]  # others stay covered
    dropped = {c.id for c in CASES} - {c.id for c in kept}
    assert dropped >= COVERAGE["pypi-options.index-strategy"][1]


def test_removing_the_cases_that_expect_a_message_loses_it() -> None:
    message = "multiple index strategies are not supported"
    kept = [c for c in CASES if not any(message in e for e in c.expect.error_contains)]
    assert len(kept) < len(CASES)
    assert message not in expected_errors(kept)
    warning = "Using local manifest"
    kept = [
        c
        for c in CASES
        if not any(warning in w for w in c.expect.warnings_contains or ())
        and warning not in str(c.expect.result)
    ]
    assert warning not in expected_warnings(kept)
