"""pixi's lock-file satisfiability rules (pixiconf.lock.satisfiability).

* unit tests of the pieces (``when=`` conditions, manifest specs as match specs, platform
  alignment, what is reported unsupported);
* the lock-check cases never touch the network (socket guard plus an unreachable proxy);
* property tests with an independent oracle: for a generated channel and workspace the test
  solves by hand (the generated specs admit every version) and writes the pixi.lock itself,
  with the ``platforms`` header of a lock from pixi's own test data.  The reference's writer
  (``pixiconf.lock.lock_workspace``) must lock exactly that solution (read as plain YAML); the
  checker must find the test's lock satisfiable, and report a removed platform, a changed spec,
  a changed channel or a package missing from the lock with exactly pixi's reasons (the
  wordings of the lock-check cases, which were recorded from pixi).
"""

from __future__ import annotations

import socket
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from rattler import BuildString, PackageRecord

from pixiconf.corpus.channels import write_repodata
from pixiconf.corpus.loader import iter_case_paths, load_case
from pixiconf.corpus.runner import CaseOutcome, run_case
from pixiconf.diagnostics import DiagnosticError, UnsupportedOperation
from pixiconf.implementations.base import Unsupported
from pixiconf.implementations.reference import ReferenceImplementation
from pixiconf.lock import lock_workspace
from pixiconf.lock.read import LockedPlatform, PixiLock, read_lock_file
from pixiconf.lock.satisfiability import (
    align_platform_names,
    check_lock,
    condition_is_met,
    manifest_match_spec,
    parse_locked_virtual_package,
    workspace_platforms,
)
from pixiconf.lock.virtual_packages import LockPlatform, VirtualPackage, subdir_defaults
from pixiconf.manifest.load import load_manifest
from pixiconf.operations.request import OperationRequest

ROOT = Path(__file__).resolve().parent.parent
LOCK_CHECK_CASES = ROOT / "cases" / "lock-check"


# -- pieces ---------------------------------------------------------------------------------


def _record(name: str, version: str, build: str = "0") -> PackageRecord:
    return PackageRecord(
        name=name, version=version, build=BuildString(build), build_number=0, subdir="noarch"
    )


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("python >=3.10", True),
        ("python <3", False),
        ("__cuda", False),
        ("__unix", True),
        ("python >=3.10 and __cuda", False),
        ("__cuda or python >=3.10", True),
        ("__cuda or python <3 and __unix", False),  # and binds tighter than or
        ("(__cuda or python >=3) and __unix", True),
        ("__unix and (__cuda or numpy)", False),
        ("numpy[version='>=1'] or __unix", True),
    ],
)
def test_conditions(condition, expected):
    records = [_record("python", "3.12.1")]
    vps = [_record("__unix", "0"), _record("__glibc", "2.28")]
    assert condition_is_met(condition, records, vps) is expected


@pytest.mark.parametrize(
    ("name", "spec", "display"),
    [
        ("pixi", "<0.15.2", "pixi <0.15.2"),
        ("pixi", "*", "pixi *"),
        ("pixi", "1.2.3", "pixi ==1.2.3"),
        ("pixi", ">=1,<2", "pixi >=1,<2"),
        ("gpu-package", {"version": "*", "when": "__cuda>=12"}, 'gpu-package *[when="__cuda>=12"]'),
        ("foo", {"version": ">=1", "build": "py*"}, "foo >=1 py*"),
        ("my-package", {"version": "*", "extras": ["foo"]}, "my-package *[extras=[foo]]"),
    ],
)
def test_manifest_specs_display_as_pixi_does(name, spec, display):
    assert str(manifest_match_spec(name, spec)) == display


def test_manifest_spec_matching():
    spec = manifest_match_spec("foo", {"version": ">=1", "build": "py*"})
    assert spec.matches(_record("foo", "1.5", "py_0"))
    assert not spec.matches(_record("foo", "1.5", "h0_0"))
    assert not spec.matches(_record("foo", "0.5", "py_0"))


def test_locked_virtual_packages_parse():
    assert parse_locked_virtual_package("__archspec=0=x86_64") == VirtualPackage(
        "__archspec", "0", "x86_64"
    )
    assert parse_locked_virtual_package("__cuda=12.0") == VirtualPackage("__cuda", "12.0", "")
    assert parse_locked_virtual_package("__cuda") is None
    assert parse_locked_virtual_package("__cuda=not a version!") is None


def _lock_with(*platforms: LockedPlatform) -> PixiLock:
    return PixiLock(7, list(platforms), {})


def test_alignment_renames_a_short_alias_by_identity():
    declared = [
        LockPlatform(
            "linux-64-glibc-2-17",
            "linux-64",
            (VirtualPackage("__glibc", "2.17"), *subdir_defaults("linux-64")[:1]),
        )
    ]
    lock = _lock_with(LockedPlatform("p1", "linux-64", ("__glibc=2.17", "__unix=0=0")))
    assert [p.name for p in align_platform_names(lock, declared).platforms] == [
        "linux-64-glibc-2-17"
    ]


def test_alignment_keeps_names_that_are_ambiguous_or_taken():
    a = LockPlatform("a", "linux-64", (VirtualPackage("__cuda", "12"),))
    b = LockPlatform("b", "linux-64", (VirtualPackage("__cuda", "12.0"),))
    lock = _lock_with(LockedPlatform("p1", "linux-64", ("__cuda=12",)))
    assert [p.name for p in align_platform_names(lock, [a, b]).platforms] == ["p1"]  # two matches
    taken = _lock_with(
        LockedPlatform("p1", "linux-64", ("__cuda=12",)), LockedPlatform("a", "osx-64", ())
    )
    assert [p.name for p in align_platform_names(taken, [a]).platforms] == ["p1", "a"]


def _request(root: Path) -> OperationRequest:
    return OperationRequest(op="lock-check", args={}, workspace_root=root, cwd=root, env={})


WIN_LOCK = """version: 7
platforms:
- name: win-64
environments:
  default:
    channels:
    - url: https://conda.anaconda.org/conda-forge/
    packages:
      win-64:
      - conda: https://conda.anaconda.org/conda-forge/win-64/foo-1.0-h0_0.conda
packages:
- conda: https://conda.anaconda.org/conda-forge/win-64/foo-1.0-h0_0.conda
"""


@pytest.mark.parametrize(
    ("extra", "lock", "why"),
    [
        (
            '[pypi-dependencies]\nrequests = "*"\n',
            WIN_LOCK,
            "lock-check covers conda packages only",
        ),
        ('[dependencies]\nfoo = { path = "foo" }\n', WIN_LOCK, "source or url/path dependencies"),
        ('[dev]\nfoo = { path = "foo" }\n', WIN_LOCK, "[dev] dependencies"),
        (
            "",
            WIN_LOCK.replace(
                "  - conda: https://conda.anaconda.org/conda-forge/win-64/foo-1.0-h0_0.conda\n",
                "  - conda_source: foo[12345678] @ foo\n",
            ).replace(
                "packages:\n- conda: https://conda.anaconda.org/conda-forge/win-64/"
                "foo-1.0-h0_0.conda\n",
                "packages:\n- conda_source: foo[12345678] @ foo\n"
                "  version: '1.0'\n  build: h0_0\n  subdir: win-64\n",
            ),
            "locked source packages",
        ),
    ],
)
def test_what_is_not_modelled_is_unsupported(tmp_path, extra, lock, why):
    (tmp_path / "pixi.toml").write_text(
        '[workspace]\nchannels = ["conda-forge"]\nplatforms = ["win-64"]\n'
        'preview = ["pixi-build"]\n\n' + extra,
        encoding="utf-8",
    )
    (tmp_path / "pixi.lock").write_text(lock, encoding="utf-8")
    outcome = ReferenceImplementation().run(_request(tmp_path))
    assert isinstance(outcome, Unsupported), outcome
    assert why in outcome.reason


# -- no network -----------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"lock-check opened a network connection: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")  # rattler (Rust) would fail through this


def test_lock_check_cases_never_touch_the_network(no_network, tmp_path):
    paths = list(iter_case_paths(LOCK_CHECK_CASES))
    assert len(paths) >= 40
    outcomes = {}
    for path in paths:
        case = load_case(path, ROOT / "cases")
        result = run_case(case, ReferenceImplementation(), tmp_parent=tmp_path)
        outcomes[path.stem] = result.outcome
    failed = {k: v for k, v in outcomes.items() if v not in (CaseOutcome.PASS, CaseOutcome.SKIP)}
    assert failed == {}
    assert sum(v is CaseOutcome.PASS for v in outcomes.values()) >= 40


# -- generated workspaces -------------------------------------------------------------------

NAMES = ("alpha", "beta", "gamma", "delta", "epsilon")
VERSIONS = ("1.0", "1.5", "2.0", "3.1")
PLATFORMS = ("linux-64", "osx-arm64", "win-64")


@dataclass
class Generated:
    """A channel (name → versions, depends, noarch) and a workspace using it."""

    packages: dict[str, tuple[list[str], list[str], bool]]
    platforms: list[str]
    default: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)
    solve_group: bool = False
    priority: str = "strict"
    strategy: str = "highest"
    sysreq: str | None = None

    def channel(self) -> dict[str, list[dict]]:
        subdirs: dict[str, list[dict]] = {"noarch": []}
        for name, (versions, depends, noarch) in self.packages.items():
            for version in versions:
                record = {"name": name, "version": version, "build": "h0_0", "depends": depends}
                if noarch:
                    subdirs["noarch"].append({**record, "noarch": "generic"})
                else:
                    for platform in PLATFORMS:
                        subdirs.setdefault(platform, []).append(record)
        return subdirs

    def manifest(
        self,
        channel_url: str,
        *,
        platforms: list[str] | None = None,
        default: dict[str, str] | None = None,
    ) -> str:
        platforms = self.platforms if platforms is None else platforms
        default = self.default if default is None else default
        lines = [
            "[workspace]",
            f'channels = ["{channel_url}"]',
            "platforms = [" + ", ".join(f'"{p}"' for p in platforms) + "]",
            f'channel-priority = "{self.priority}"',
            f'solve-strategy = "{self.strategy}"',
            "",
            "[dependencies]",
            *(f'{n} = "{s}"' for n, s in default.items()),
            "",
        ]
        if self.sysreq == "cuda":
            lines += ["[system-requirements]", 'cuda = "12"', ""]
        elif self.sysreq == "libc":
            lines += ["[system-requirements]", 'libc = "2.17"', ""]
        if self.extra:
            lines += [
                "[feature.extra.dependencies]",
                *(f'{n} = "{s}"' for n, s in self.extra.items()),
                "",
            ]
            group = ', solve-group = "g"' if self.solve_group else ""
            lines += ["[environments]", f'extra = {{ features = ["extra"]{group} }}']
            if self.solve_group:
                lines.append('default = { solve-group = "g" }')
        return "\n".join(lines) + "\n"


@st.composite
def generated(draw) -> Generated:
    count = draw(st.integers(2, len(NAMES)))
    packages = {}
    for index, name in enumerate(NAMES[:count]):
        versions = draw(st.lists(st.sampled_from(VERSIONS), min_size=1, max_size=3, unique=True))
        lower = list(NAMES[:index])
        deps = draw(st.lists(st.sampled_from(lower), unique=True, max_size=2)) if lower else []
        depends = [f"{d} {draw(st.sampled_from(['*', '>=1.0']))}" for d in deps]
        packages[name] = (versions, depends, draw(st.booleans()))

    def spec(name: str) -> str:
        return draw(st.sampled_from(["*", f">={min(packages[name][0], key=float)}"]))

    names = list(packages)
    default = {
        n: spec(n)
        for n in draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    }
    extra = {n: spec(n) for n in draw(st.lists(st.sampled_from(names), max_size=2, unique=True))}
    platforms = draw(st.lists(st.sampled_from(PLATFORMS), min_size=1, max_size=3, unique=True))
    return Generated(
        packages=packages,
        platforms=[p for p in PLATFORMS if p in platforms],
        default=default,
        extra=extra,
        solve_group=draw(st.booleans()),
        priority=draw(st.sampled_from(["strict", "disabled"])),
        strategy=draw(st.sampled_from(["highest", "lowest", "lowest-direct"])),
        sysreq=draw(st.sampled_from([None, "cuda", "libc"])),
    )


def _lock(gen: Generated, base: Path):
    channel = base / "channel"
    write_repodata(channel, gen.channel())
    root = base / "ws"
    root.mkdir()
    manifest_path = root / "pixi.toml"
    manifest_path.write_text(gen.manifest(channel.as_uri()), encoding="utf-8")
    manifest = load_manifest(manifest_path)
    try:
        path, _ = lock_workspace(manifest, root)
    except (DiagnosticError, UnsupportedOperation):
        reject()
    return channel.as_uri(), root, manifest, read_lock_file(path)


def _check(gen: Generated, root: Path, lock: PixiLock, text: str):
    (root / "pixi.toml").write_text(text, encoding="utf-8")
    return check_lock(load_manifest(root / "pixi.toml"), lock, root)


PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _environments(gen: Generated) -> list[str]:
    return ["default", "extra"] if gen.extra else ["default"]


@PROPERTY
@given(generated())
def test_a_fresh_lock_writes_system_requirement_platforms_under_aliases(gen):
    """``shorten_platform_names``: a platform that is not a subdir platform is written ``pN``;
    ``align_platform_names`` maps every alias back to a workspace platform."""
    with tempfile.TemporaryDirectory() as base:
        _, _, manifest, lock = _lock(gen, Path(base))
        declared = {p.name: p for p in workspace_platforms(manifest)}
        aligned = align_platform_names(lock, list(declared.values()))
        for written, restored in zip(lock.platforms, aligned.platforms, strict=True):
            if written.name == written.subdir:
                assert restored.name == written.name
            else:
                assert written.name.startswith("p") and written.name[1:].isdigit(), written.name
                assert restored.name in declared and restored.name != written.name
                assert declared[restored.name].subdir == written.subdir
        assert all(not p.name.startswith("linux-64-") for p in lock.platforms)


# -- an independent oracle ---------------------------------------------------------------------
#
# Every generated spec ("*" or ">=" the lowest version) and every generated depends entry ("*"
# or ">=1.0") admits every version of the channel, so the solution is known without a solver:
# each environment locks the closure of its direct dependencies over ``depends``; "highest"
# takes every package's highest version, "lowest" its lowest, "lowest-direct" the lowest for
# the direct dependencies (of the whole solve group) and the highest for the others.  A solve
# group is solved once; each of its environments locks the closure of its own dependencies.
# The lock files below are written by the test itself, and the writer's lock is read as plain
# YAML, so neither side of a comparison goes through the reference's writer or reader.

#: ``platforms`` of a lock pixi writes for bare subdirs, taken from pixi's own test data:
#: docs/source_files/pixi_workspaces/pixi_build/cpp/pixi.lock (pixi 2b25fc76).
PIXI_PLATFORM_VIRTUAL_PACKAGES = {
    "linux-64": ["__unix=0=0", "__linux=4.18", "__glibc=2.28", "__archspec=0=x86_64"],
    "osx-arm64": ["__unix=0=0", "__osx=13.0", "__archspec=0=m1"],
    "win-64": ["__win=10.0", "__archspec=0=x86_64"],
}
#: ``environments.*.options`` of a lock as pixi writes them (non-default values only; the
#: spellings are those of the lock-check cases, e.g. cases/lock-check/solve-options-matching).
LOCK_STRATEGY = {"lowest": "lowest-version", "lowest-direct": "lowest-version-direct"}


def _environment_dependencies(gen: Generated) -> dict[str, dict[str, str]]:
    """environment -> its direct conda dependencies (the default feature is in both)."""
    envs = {"default": dict(gen.default)}
    if gen.extra:
        envs["extra"] = {**gen.default, **gen.extra}
    return envs


def _closure(gen: Generated, names: set[str]) -> set[str]:
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [entry.split()[0] for entry in gen.packages[name][1]]
    return seen


def expected_solution(gen: Generated) -> dict[str, dict[str, str]]:
    """environment -> {package: locked version}, solved by hand (see above)."""
    envs = _environment_dependencies(gen)
    grouped = gen.solve_group and len(envs) > 1
    groups = [list(envs)] if grouped else [[env] for env in envs]
    solution = {}
    for group in groups:
        direct = set().union(*(envs[env] for env in group))
        version = {}
        for name in _closure(gen, direct):
            versions = sorted(gen.packages[name][0], key=float)
            lowest = gen.strategy == "lowest" or (
                gen.strategy == "lowest-direct" and name in direct
            )
            version[name] = versions[0] if lowest else versions[-1]
        for env in group:
            solution[env] = {n: version[n] for n in _closure(gen, set(envs[env]))}
    return solution


def _subdir(gen: Generated, name: str, platform: str) -> str:
    return "noarch" if gen.packages[name][2] else platform


def _archive(name: str, version: str) -> str:
    return f"{name}-{version}-h0_0.tar.bz2"


def _options(gen: Generated) -> dict[str, str]:
    options = {}
    if gen.strategy in LOCK_STRATEGY:
        options["strategy"] = LOCK_STRATEGY[gen.strategy]
    if gen.priority == "disabled":
        options["channel-priority"] = "disabled"
    return options


def oracle_lock(gen: Generated, url: str) -> str:
    """The pixi.lock (v7) pixi writes for ``gen``, built by the test from the generated
    inputs alone."""
    assert gen.sysreq is None, "the fixture's virtual packages are those of bare subdirs"
    environments, records = {}, {}
    for env, packages in expected_solution(gen).items():
        locked = {}
        for platform in gen.platforms:
            locked[platform] = []
            for name in sorted(packages):
                subdir = _subdir(gen, name, platform)
                archive = f"{url}/{subdir}/{_archive(name, packages[name])}"
                locked[platform].append({"conda": archive})
                records[archive] = {"conda": archive, "subdir": subdir}
                if gen.packages[name][1]:
                    records[archive]["depends"] = list(gen.packages[name][1])
        environments[env] = {"channels": [{"url": url + "/"}]}
        if _options(gen):
            environments[env]["options"] = _options(gen)
        environments[env]["packages"] = locked
    lock = {
        "version": 7,
        "platforms": [
            {"name": p, "virtual-packages": PIXI_PLATFORM_VIRTUAL_PACKAGES[p]}
            for p in gen.platforms
        ],
        "environments": environments,
        "packages": [records[archive] for archive in sorted(records)],
    }
    return yaml.safe_dump(lock, sort_keys=False)


@PROPERTY
@given(generated())
def test_the_writer_locks_what_the_oracle_predicts(gen):
    """``lock_workspace`` against the hand solution, its lock read as plain YAML."""
    with tempfile.TemporaryDirectory() as base:
        url, root, _, _ = _lock(gen, Path(base))
        written = yaml.safe_load((root / "pixi.lock").read_text(encoding="utf-8"))
    subdir = {p["name"]: p.get("subdir", p["name"]) for p in written["platforms"]}
    assert sorted(subdir.values()) == sorted(gen.platforms)
    solution = expected_solution(gen)
    assert sorted(written["environments"]) == sorted(solution)
    for env, packages in solution.items():
        locked = written["environments"][env]
        assert [c["url"].rstrip("/") for c in locked["channels"]] == [url]
        assert locked.get("options", {}) == _options(gen)
        by_subdir = {subdir[name]: entries for name, entries in locked["packages"].items()}
        for platform in gen.platforms:
            archives = sorted(entry["conda"] for entry in by_subdir[platform])
            expected = sorted(
                f"{_subdir(gen, n, platform)}/{_archive(n, v)}" for n, v in packages.items()
            )
            assert ["/".join(a.rsplit("/", 2)[-2:]) for a in archives] == expected, (env, platform)


def generated_bare():
    """Generated workspaces without system requirements (their platforms are bare subdirs)."""
    return generated().map(lambda gen: replace(gen, sysreq=None))


def _oracle_workspace(gen: Generated, base: Path) -> tuple[str, Path, PixiLock]:
    channel = base / "channel"
    write_repodata(channel, gen.channel())
    root = base / "ws"
    root.mkdir()
    url = channel.as_uri()
    (root / "pixi.lock").write_text(oracle_lock(gen, url), encoding="utf-8")
    return url, root, read_lock_file(root / "pixi.lock")


@PROPERTY
@given(generated_bare())
def test_an_oracle_lock_is_satisfiable(gen):
    with tempfile.TemporaryDirectory() as base:
        url, root, lock = _oracle_workspace(gen, Path(base))
        result = _check(gen, root, lock, gen.manifest(url))
        assert (result.satisfiable, result.reasons) == (True, [])


@PROPERTY
@given(generated_bare(), st.data())
def test_removing_a_platform_reports_it_per_environment(gen, data):
    if len(gen.platforms) < 2:
        reject()
    removed = data.draw(st.sampled_from(gen.platforms))
    with tempfile.TemporaryDirectory() as base:
        url, root, lock = _oracle_workspace(gen, Path(base))
        remaining = [p for p in gen.platforms if p != removed]
        result = _check(gen, root, lock, gen.manifest(url, platforms=remaining))
    expected = [
        f"environment '{env}' is out of date because platform(s) '{removed}' present in the lock "
        "file but not in the environment"
        for env in _environments(gen)
    ]
    assert (result.satisfiable, result.reasons) == (False, expected)


@PROPERTY
@given(generated_bare(), st.data())
def test_changing_a_spec_reports_it_per_environment_and_platform(gen, data):
    name = data.draw(st.sampled_from(sorted(gen.default)))
    with tempfile.TemporaryDirectory() as base:
        url, root, lock = _oracle_workspace(gen, Path(base))
        changed = {**gen.default, name: "==999"}
        result = _check(gen, root, lock, gen.manifest(url, default=changed))
    expected = [
        f"the dependencies of environment '{env}' for platform {platform} are out of date "
        f"because the requirement '{name} ==999' could not be satisfied (required by "
        "'<environment>')"
        for env in _environments(gen)
        for platform in gen.platforms
    ]
    assert (result.satisfiable, result.reasons) == (False, expected)


@PROPERTY
@given(generated_bare())
def test_changing_the_channel_reports_it_per_environment(gen):
    with tempfile.TemporaryDirectory() as base:
        url, root, lock = _oracle_workspace(gen, Path(base))
        result = _check(gen, root, lock, gen.manifest(url + "-moved"))
    expected = [
        f"environment '{env}' is out of date because the channels in the lock file do not match "
        "the environments channels"
        for env in _environments(gen)
    ]
    assert (result.satisfiable, result.reasons) == (False, expected)


@PROPERTY
@given(generated_bare(), st.data())
def test_a_package_missing_from_the_lock_is_reported(gen, data):
    """A direct dependency (of no other package) removed from every platform of the lock: its
    requirement fails, required by the environment, on every platform of every environment."""
    name = data.draw(st.sampled_from(sorted(gen.default)))
    if gen.extra.get(name, gen.default[name]) != gen.default[name]:
        reject()  # two different specs: which of them pixi names is not this test's subject
    if any(
        entry.split()[0] == name for _, depends, _ in gen.packages.values() for entry in depends
    ):
        # pixi walks a stack (platform.rs verify_package_platform_satisfiability), so a
        # package that is also some record's dependency may be reported as that record's.
        reject()
    with tempfile.TemporaryDirectory() as base:
        url, root, _ = _oracle_workspace(gen, Path(base))
        text = yaml.safe_load((root / "pixi.lock").read_text(encoding="utf-8"))
        for env in text["environments"].values():
            for platform, entries in env["packages"].items():
                env["packages"][platform] = [
                    e for e in entries if not e["conda"].rsplit("/", 1)[1].startswith(name + "-")
                ]
        (root / "pixi.lock").write_text(yaml.safe_dump(text, sort_keys=False), encoding="utf-8")
        lock = read_lock_file(root / "pixi.lock")
        result = _check(gen, root, lock, gen.manifest(url))
    spec = gen.default[name]
    expected = [
        f"the dependencies of environment '{env}' for platform {platform} are out of date "
        f"because the requirement '{name} {spec}' could not be satisfied (required by "
        "'<environment>')"
        for env in _environments(gen)
        for platform in gen.platforms
    ]
    assert (result.satisfiable, result.reasons) == (False, expected)


def test_an_old_satisfiable_lock_warns_about_its_format(tmp_path):
    from test_lock_read import CONDA_LOCK_SHAPED

    (tmp_path / "pixi.toml").write_text(
        '[workspace]\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n'
        '[dependencies]\nfoo = "1.*"\n',
        encoding="utf-8",
    )
    (tmp_path / "pixi.lock").write_text(CONDA_LOCK_SHAPED.format(version=3), encoding="utf-8")
    outcome = ReferenceImplementation().run(_request(tmp_path))
    assert outcome.value == {"satisfiable": True, "reasons": []}
    assert any(
        "uses an older format (v3), run `pixi lock` to upgrade to v7" in w for w in outcome.warnings
    )
