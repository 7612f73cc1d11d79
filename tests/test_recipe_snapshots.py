"""Snapshot tests: the complete recipe pixi-build-python generates for realistic packages.

Every package under ``tests/data/packages/<name>/`` (a workspace manifest with a ``[package]``
table, plus its ``pyproject.toml``) is rendered for linux-64, osx-arm64 and win-64 with
:func:`pixiconf.pixibuild.recipe.package_recipe`.  The build script is rendered for the OS of the
target platform, as on a machine of that OS (pixi renders it for the backend's own OS), and the
package directory is written ``{{package}}`` so that the snapshots do not depend on the
checkout.  Each snapshot is one YAML file in ``tests/__snapshots__/test_recipe_snapshots/``
holding the recipe and the rendered warnings.

The snapshots were reviewed against pixi's rules (pixi_build_python ``main.rs``, ``metadata.rs``,
pixi_build_backend ``generated_recipe.rs``, ``specs_conversion.rs``, ``compilers.rs`` and the
``.snap`` files next to them) before being accepted; regenerate with ``--snapshot-update`` only
after the same review.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from pixiconf.pixibuild.recipe import package_recipe, replace_path

PACKAGES = Path(__file__).parent / "data" / "packages"
PLATFORMS = ("linux-64", "osx-arm64", "win-64")


class _Dumper(yaml.SafeDumper):
    """``yaml.safe_dump`` with multi-line strings (scripts) as literal blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    )


_Dumper.add_representer(str, _represent_str)


class YamlSnapshot(SingleFileSnapshotExtension):
    """One ``.yaml`` file per snapshot, keys in the order the reference produces them."""

    _write_mode = WriteMode.TEXT
    # syrupy 5+ reads ``file_extension``; 4.x reads ``_file_extension``.
    file_extension = "yaml"
    _file_extension = "yaml"

    def serialize(self, data: Any, **kwargs: Any) -> str:
        return yaml.dump(
            data,
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            width=100,
        )


@pytest.fixture
def snapshot(snapshot):
    return snapshot.use_extension(YamlSnapshot)


def package_names() -> list[str]:
    return sorted(p.name for p in PACKAGES.iterdir() if p.is_dir())


def manifest(name: str) -> Path:
    directory = PACKAGES / name
    for file_name in ("pixi.toml", "pyproject.toml"):
        if (directory / file_name).is_file() and (
            file_name == "pixi.toml" or "[tool.pixi" in (directory / file_name).read_text()
        ):
            return directory / file_name
    raise FileNotFoundError(f"no manifest in {directory}")


def render(name: str, platform: str) -> dict[str, Any]:
    path = manifest(name)
    recipe, warnings, root = package_recipe(
        path, platform, env={}, build_platform="windows" if platform.startswith("win-") else "unix"
    )
    return {
        "recipe": replace_path(recipe, root, "{{package}}"),
        "warnings": [w.render() for w in warnings],
    }


def test_every_kind_of_package_is_present():
    assert set(package_names()) >= {
        "pure-python",
        "c-extension",
        "maturin-rust",
        "abi3-extension",
        "pip-installer",
        "target-configs",
        "pyproject-manifest",
    }


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", package_names())
def test_recipe(name: str, platform: str, snapshot) -> None:
    assert render(name, platform) == snapshot
