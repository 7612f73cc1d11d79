"""Reading pixi.lock with rattler (pixiconf.lock.read): every format pixi's fixtures use, and
located diagnostics for files rattler rejects.

The lock texts come from the lock-check cases, which embed pixi's own fixture lock files
(tests/data/satisfiability and non-satisfiability of prefix-dev/pixi, formats 4 to 7).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pixiconf.lock.read import LockReadError, SolveOptions, read_lock_file

CASES = Path(__file__).resolve().parent.parent / "cases" / "lock-check"


def _lock_texts() -> list[tuple[str, str]]:
    texts = []
    for path in sorted(CASES.glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = (case.get("files") or {}).get("pixi.lock")
        if text is not None and "error" not in case["expect"]:
            texts.append((path.stem, text))
    return texts


LOCK_TEXTS = _lock_texts()


def _write(tmp_path: Path, text: str | bytes, name: str = "pixi.lock") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("case", "text"), LOCK_TEXTS, ids=[c for c, _ in LOCK_TEXTS])
def test_every_case_lock_file_reads(tmp_path, case, text):
    lock = read_lock_file(_write(tmp_path, text))
    assert lock.version == yaml.safe_load(text)["version"]
    assert lock.environments, case


def test_the_corpus_covers_format_versions_4_6_and_7():
    versions = {yaml.safe_load(text)["version"] for _, text in LOCK_TEXTS}
    assert {4, 6, 7} <= versions


def test_v4_records_platforms_and_defaults(tmp_path):
    text = dict(LOCK_TEXTS)["manifest-spec-no-longer-satisfied"]
    lock = read_lock_file(_write(tmp_path, text))
    assert lock.version == 4
    assert [(p.name, p.subdir, p.virtual_packages) for p in lock.platforms] == [
        ("win-64", "win-64", ())
    ]
    env = lock.environments["default"]
    assert env.channels == ["https://conda.anaconda.org/conda-forge/"]
    assert env.options == SolveOptions()
    names = [p.name for p in env.conda["win-64"]]
    assert names == ["pixi", "ucrt", "vc", "vc14_runtime"]
    pixi = env.conda["win-64"][0]
    assert pixi.file_name == "pixi-0.15.2-h7ea99a0_0.conda"
    assert list(pixi.record.depends) == [
        "ucrt >=10.0.20348.0",
        "vc >=14.2,<15",
        "vc14_runtime >=14.29.30139",
    ]
    assert not pixi.is_source


def test_solve_options_are_read(tmp_path):
    lock = read_lock_file(_write(tmp_path, dict(LOCK_TEXTS)["solve-strategy-changed-to-highest"]))
    assert lock.version == 6
    assert lock.environments["default"].options.strategy == "lowest-version"
    lock = read_lock_file(_write(tmp_path, dict(LOCK_TEXTS)["solve-options-matching"]))
    assert lock.environments["default"].options == SolveOptions(
        strategy="lowest-version", channel_priority="disabled"
    )


def test_v7_platform_virtual_packages(tmp_path):
    lock = read_lock_file(_write(tmp_path, dict(LOCK_TEXTS)["system-requirements-platform-alias"]))
    assert lock.version == 7
    assert [(p.name, p.subdir) for p in lock.platforms] == [("p1", "linux-64")]
    assert lock.platforms[0].virtual_packages == (
        "__glibc=2.17",
        "__unix=0=0",
        "__linux=4.18",
        "__archspec=0=x86_64",
    )
    assert sorted(lock.environments) == ["default", "restricted"]


def test_pypi_records_are_kept_apart(tmp_path):
    lock = read_lock_file(_write(tmp_path, dict(LOCK_TEXTS)["pypi-wheel-tags-compatible"]))
    env = lock.environments["default"]
    assert [p.name for p in env.pypi["linux-64"]] == ["cffi", "cryptography", "pycparser"]
    assert env.has_pypi_packages()
    assert all(p.name not in ("cffi", "pycparser") for p in env.conda["linux-64"])


# -- diagnostics ---------------------------------------------------------------------------


def _error(tmp_path: Path, text: str | bytes) -> LockReadError:
    with pytest.raises(LockReadError) as info:
        read_lock_file(_write(tmp_path, text), display="ws/pixi.lock")
    return info.value


V7 = dict(LOCK_TEXTS)["spec-satisfied"]


def test_newer_version(tmp_path):
    d = _error(tmp_path, V7.replace("version: 7", "version: 8", 1)).diagnostic
    assert d.message == "Lock-file version 8 is newer than supported"
    assert (d.file, d.line, d.column) == ("ws/pixi.lock", 1, 1)
    assert d.label == (
        "found newer lockfile format version 8, but only up to including version 7 is supported"
    )
    assert d.help.startswith("Maximum supported version: 7 (pixi v0.77.0)\n")


def test_yaml_syntax_error_is_located_where_rattler_says(tmp_path):
    d = _error(tmp_path, "version: 7\nplatforms: [\n- name: win-64\n").diagnostic
    assert d.message == "Failed to load lock file from `ws/pixi.lock`"
    assert "did not find expected node content" in d.label
    assert (d.line, d.column) == (3, 1)


def test_truncated_file_points_at_its_end(tmp_path):
    text = V7[: V7.index("sha256: f29cdaf") + 20]
    d = _error(tmp_path, text).diagnostic
    assert d.label == "failed to parse digest"
    assert d.line == len(text.splitlines())
    assert d.column == len(text.splitlines()[-1]) + 1
    assert "truncated" in d.help


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("", "missing `version` field in lock file"),
        ("environments: {}\n", "missing `version` field in lock file"),
        ("version: seven\n", "`version` field in lock file is not an integer"),
    ],
)
def test_version_field_problems(tmp_path, text, label):
    d = _error(tmp_path, text).diagnostic
    assert d.label == label
    assert d.line == 1


def test_missing_package_is_located_at_its_environment_entry(tmp_path):
    text = V7.split("\npackages:\n")[0] + "\npackages: []\n"
    d = _error(tmp_path, text).diagnostic
    url = "https://conda.anaconda.org/conda-forge/win-64/pixi-0.15.2-h7ea99a0_0.conda"
    assert d.label == (
        f"environment default and platform win-64 refers to a package that does not exist: {url}"
    )
    assert text.splitlines()[d.line - 1].strip() == f"- conda: {url}"


def test_unknown_and_duplicate_platforms(tmp_path):
    unknown = (
        "version: 7\nplatforms:\n- name: linux-64\nenvironments:\n  default:\n    channels: []\n"
        "    packages:\n      osx-64:\n      - conda: https://x/noarch/a-1-0.conda\npackages:\n"
        "- conda: https://x/noarch/a-1-0.conda\n"
    )
    d = _error(tmp_path, unknown).diagnostic
    assert d.label == "Environment `default` is using an unknown platform `osx-64`"
    assert d.line == 8
    duplicate = (
        "version: 7\nplatforms:\n- name: linux-64\n- name: linux-64\n"
        "environments: {}\npackages: []\n"
    )
    d = _error(tmp_path, duplicate).diagnostic
    assert d.label == "Duplicate platform name `linux-64` found"
    assert d.line == 4


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(LockReadError) as info:
        read_lock_file(tmp_path / "pixi.lock")
    assert info.value.diagnostic.message == "Failed to load lock file from `pixi.lock`"
    d = _error(tmp_path, b"version: 7\n\xff\xfe\n").diagnostic
    assert "not valid UTF-8" in d.label


def test_rendered_error_carries_location_label_and_help(tmp_path):
    rendered = _error(tmp_path, V7.replace("version: 7", "version: 9", 1)).render()
    assert rendered.startswith(
        "ws/pixi.lock:1:1: error: Lock-file version 9 is newer than supported"
    )
    assert "= help: Maximum supported version: 7" in rendered


# -- the oldest formats (conda-lock shaped, versions 1 to 3) ---------------------------------

CONDA_LOCK_SHAPED = """version: {version}
metadata:
  content_hash:
    linux-64: e90c2ee71ad70fc0a1c8302029533a7d1498f2bffcd0eaa8d2934700e775dc1d
  channels:
  - url: https://conda.anaconda.org/conda-forge/
    used_env_vars: []
  platforms:
  - linux-64
  sources: []
package:
- platform: linux-64
  name: foo
  version: '1.0'
  category: main
  manager: conda
  dependencies:
    bar: '>=1'
  url: https://conda.anaconda.org/conda-forge/linux-64/foo-1.0-h0_0.conda
  hash:
    md5: 0123456789abcdef0123456789abcdef
    sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  build: h0_0
  subdir: linux-64
- platform: linux-64
  name: bar
  version: '2.0'
  category: main
  manager: conda
  dependencies: {{}}
  url: https://conda.anaconda.org/conda-forge/noarch/bar-2.0-pyh0_0.conda
  hash:
    md5: 0123456789abcdef0123456789abcdef
    sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  build: pyh0_0
  subdir: noarch
"""


@pytest.mark.parametrize("version", [1, 2, 3])
def test_conda_lock_shaped_formats(tmp_path, version):
    lock = read_lock_file(_write(tmp_path, CONDA_LOCK_SHAPED.format(version=version)))
    assert lock.version == version
    assert [p.name for p in lock.platforms] == ["linux-64"]
    env = lock.environments["default"]
    assert env.channels == ["https://conda.anaconda.org/conda-forge/"]
    records = env.conda["linux-64"]
    assert [(r.name, list(r.record.depends), r.file_name) for r in records] == [
        ("foo", ["bar >=1"], "foo-1.0-h0_0.conda"),
        ("bar", [], "bar-2.0-pyh0_0.conda"),
    ]
