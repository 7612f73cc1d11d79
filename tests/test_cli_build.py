"""The build-flow commands of the command line: variants, map-pypi, build-string."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pixiconf.cli import main

PACKAGES = Path(__file__).parent / "data" / "packages"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def pure_python(tmp_path: Path) -> Path:
    target = tmp_path / "pure-python"
    shutil.copytree(PACKAGES / "pure-python", target)
    return target


def test_build_string_matches_rattler_build_vector(capsys):
    # rattler-build stage1/variant_tests.rs test_build_string_py311
    code, out, _ = run(
        capsys,
        "build-string",
        "--variant",
        "python=3.11",
        "--variant",
        "target_platform=linux-64",
        "--build-number",
        "5",
        "--json",
    )
    assert code == 0
    assert json.loads(out) == {"hash": "48b7412", "build-string": "py311h48b7412_5"}


def test_build_string_noarch_python_drops_python(capsys):
    a = run(capsys, "build-string", "--variant", "python=3.11", "--noarch", "python", "--json")
    b = run(capsys, "build-string", "--variant", "python=3.12", "--noarch", "python", "--json")
    assert a[0] == b[0] == 0
    assert json.loads(a[1]) == json.loads(b[1])
    assert json.loads(a[1])["build-string"].startswith("pyh")


def test_build_string_rejects_malformed_variant(capsys):
    code, _, err = run(capsys, "build-string", "--variant", "python")
    assert code == 2
    assert "KEY=VALUE" in err


def test_variants_of_a_package(capsys, pure_python):
    code, out, _ = run(capsys, "variants", str(pure_python), "--platform", "linux-64", "--json")
    assert code == 0
    outputs = json.loads(out)
    assert outputs and all(set(o) == {"variant", "build-string"} for o in outputs)
    assert all(o["build-string"].endswith("_0") for o in outputs)


def test_map_pypi_uses_the_offline_table(capsys, pure_python, tmp_path):
    # pure-python depends on rich>=13.7,<14 and click>=8.1 ([project.dependencies])
    table = tmp_path / "mapping.json"
    table.write_text(json.dumps({"rich": "conda-rich", "click": False}))
    code, out, _ = run(
        capsys,
        "map-pypi",
        str(pure_python),
        "--platform",
        "linux-64",
        "--pypi-mapping",
        str(table),
        "--json",
    )
    assert code == 0
    mapped = json.loads(out)
    assert [spec.split()[0] for spec in mapped["run"]] == ["conda-rich"]
    assert any("click" in w for w in mapped["warnings"])


def test_map_pypi_reports_an_unreadable_table(capsys, pure_python, tmp_path):
    code, _, err = run(
        capsys,
        "map-pypi",
        str(pure_python),
        "--platform",
        "linux-64",
        "--pypi-mapping",
        str(tmp_path / "missing.json"),
    )
    assert code == 2
    assert "cannot read the mapping table" in err


def test_recipe_for_an_unknown_platform_fails_cleanly(capsys, pure_python):
    code, _, err = run(capsys, "recipe", str(pure_python), "--platform", "linux-65")
    assert code == 1
    assert "is not a known platform" in err


def _local_channel_workspace(root: Path) -> Path:
    channel = root / "chan"
    for subdir, packages in (
        (
            "noarch",
            {
                "tiny-1.0-0.conda": {
                    "name": "tiny",
                    "version": "1.0",
                    "build": "0",
                    "build_number": 0,
                    "depends": [],
                    "subdir": "noarch",
                    "noarch": "generic",
                    "timestamp": 1700000000000,
                }
            },
        ),
        ("linux-64", {}),
    ):
        (channel / subdir).mkdir(parents=True)
        (channel / subdir / "repodata.json").write_text(
            json.dumps({"info": {"subdir": subdir}, "packages": {}, "packages.conda": packages})
        )
    (root / "pixi.toml").write_text(
        f'[workspace]\nchannels = ["{channel.as_uri()}"]\nplatforms = ["linux-64"]\n'
        '[dependencies]\ntiny = "*"\n'
    )
    return root


def test_lock_then_lock_check_and_a_stale_lock_fails(capsys, tmp_path):
    root = _local_channel_workspace(tmp_path)
    code, out, _ = run(capsys, "lock", "--cwd", str(root), "--json")
    assert code == 0
    assert (root / "pixi.lock").is_file()
    assert "tiny" in out
    code, out, _ = run(capsys, "lock-check", "--cwd", str(root), "--json")
    assert (code, json.loads(out)) == (0, {"satisfiable": True, "reasons": []})
    manifest = root / "pixi.toml"
    manifest.write_text(manifest.read_text().replace('tiny = "*"', 'tiny = ">=2"'))
    code, out, _ = run(capsys, "lock-check", "--cwd", str(root), "--json")
    assert code == 1
    assert json.loads(out)["satisfiable"] is False
