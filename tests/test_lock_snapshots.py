"""Snapshot tests: complete ``pixi.lock`` files of realistic workspaces.

Every workspace below is locked against the shared ``conda-forge-slice`` channel fixture
(``cases/_channels/conda-forge-slice.yaml``, ~200 records shaped like conda-forge) and the
written file is compared byte for byte, after the temporary channel path is rewritten to
``{{channels.conda-forge}}`` (as the ``lock`` observation does).  The files live in
``tests/__snapshots__/test_lock_snapshots/`` as ``.lock`` files, so a change shows as a
readable diff of a real lock file.  They were reviewed against pixi's rules (platform
virtual packages, options, ordering, derived fields) before being accepted; regenerate with
``--snapshot-update`` only after the same review.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from pixiconf.corpus.channels import load_fixture, write_repodata
from pixiconf.lock import lock_workspace
from pixiconf.manifest.load import load_manifest
from pixiconf.operations.lock import rewrite_local_paths

CORPUS = Path(__file__).resolve().parent.parent / "cases"

HEADER = """
[workspace]
channels = ["{{channels.conda-forge}}"]
"""

WORKSPACES = {
    # A data-science project on the three desktop platforms.
    "data-science": HEADER
    + """
platforms = ["linux-64", "osx-arm64", "win-64"]

[dependencies]
python = "3.12.*"
pandas = ">=2.2"
numpy = "*"
pyyaml = "*"
requests = "*"
""",
    # A library tested on several python versions, with a test environment sharing the
    # default environment's solve group.
    "multi-python": HEADER
    + """
platforms = ["linux-64", "osx-arm64"]

[dependencies]
numpy = ">=1.26"
click = "*"

[feature.py311.dependencies]
python = "3.11.*"

[feature.py312.dependencies]
python = "3.12.*"

[feature.py313.dependencies]
python = "3.13.*"

[feature.test.dependencies]
pytest = "*"

[environments]
default = { features = ["py312"], solve-group = "default" }
test = { features = ["py312", "test"], solve-group = "default" }
py311 = ["py311", "test"]
py313 = ["py313", "test"]
""",
    # A cuda environment next to a cpu one (system requirements become a platform).
    "cuda": HEADER
    + """
platforms = ["linux-64", "win-64"]

[dependencies]
python = "3.12.*"
numpy = "*"

[feature.gpu.system-requirements]
cuda = "12.6"

[feature.gpu]
platforms = ["linux-64"]

[feature.gpu.dependencies]
libcublas = "*"
cuda-cudart = "*"

[environments]
gpu = ["gpu"]
""",
    # Oldest supported versions, blas from mkl, channel priority disabled.
    "lowest-direct-mkl": HEADER
    + """
platforms = ["linux-64"]
solve-strategy = "lowest-direct"
channel-priority = "disabled"

[dependencies]
python = ">=3.11"
numpy = ">=1.26"
pandas = "*"
libblas = { version = "*", build = "*mkl" }

[constraints]
libsqlite = "3.48.*"
""",
}


class LockSnapshot(SingleFileSnapshotExtension):
    """One ``.lock`` file per snapshot: the text rattler wrote, paths normalised."""

    _write_mode = WriteMode.TEXT
    # syrupy 5+ reads ``file_extension``; 4.x reads ``_file_extension``.
    file_extension = "lock"
    _file_extension = "lock"

    def serialize(self, data: Any, **kwargs: Any) -> str:
        return data


@pytest.fixture
def snapshot(snapshot):
    return snapshot.use_extension(LockSnapshot)


@pytest.fixture(scope="module")
def channel(tmp_path_factory) -> tuple[Path, str]:
    directory = tmp_path_factory.mktemp("channels") / "conda-forge"
    write_repodata(directory, load_fixture([CORPUS], "conda-forge-slice"))
    return directory, directory.as_uri()


@pytest.mark.parametrize("name", sorted(WORKSPACES))
def test_lock_file(name: str, tmp_path: Path, channel: tuple[Path, str], snapshot) -> None:
    _, url = channel
    (tmp_path / "pixi.toml").write_text(
        textwrap.dedent(WORKSPACES[name]).replace("{{channels.conda-forge}}", url), encoding="utf-8"
    )
    path, _ = lock_workspace(load_manifest(tmp_path / "pixi.toml"), tmp_path)
    text = rewrite_local_paths(path.read_text(encoding="utf-8"), {"conda-forge": url}, tmp_path)
    assert "file://" not in text and str(tmp_path) not in text
    assert text == snapshot
