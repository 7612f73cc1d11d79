"""Nothing a case names reaches outside its temporary directory (pixiconf.confinement).

Each test gives the case input that reached outside before: a manifest named by
``PIXI_PROJECT_MANIFEST`` or ``manifest-path`` outside the workspace, ``HOME``/``PATH`` in a
case's ``env``, a channel written ``~/x`` or as an absolute path, a channel fixture above the
corpus root.
"""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

from pixiconf.confinement import (
    WorkspaceError,
    confine_case_paths,
    fixture_directories,
    is_path_variable,
)
from pixiconf.corpus.isolation import guard
from pixiconf.corpus.loader import load_case
from pixiconf.corpus.runner import CaseOutcome, run_case
from pixiconf.implementations.reference import ReferenceImplementation

MANIFEST = '[workspace]\nname = "x"\nchannels = []\nplatforms = ["linux-64"]\n'


def write_case(root: Path, name: str, text: str) -> Path:
    path = root / "area" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def run(root: Path, path: Path, implementation=None):
    return run_case(load_case(path, root), implementation or ReferenceImplementation(), timeout=60)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory outside every case, holding a valid workspace manifest."""
    directory = tmp_path / "outside"
    directory.mkdir()
    (directory / "pixi.toml").write_text(MANIFEST)
    return directory


@pytest.mark.parametrize("absolute", [True, False], ids=["absolute", "dot-dot"])
def test_pixi_project_manifest_outside_the_workspace_is_an_error(tmp_path, outside, absolute):
    corpus = tmp_path / "corpus"
    value = (
        str(outside / "pixi.toml")
        if absolute
        else "../" * 12 + str(outside / "pixi.toml").lstrip("/")
    )
    path = write_case(
        corpus,
        "escape",
        f"""
        description: Locks the manifest that PIXI_PROJECT_MANIFEST names.
        features: [lock]
        env: {{PIXI_PROJECT_MANIFEST: "{value}"}}
        op: lock
        expect: {{result: {{}}}}
    """,
    )
    for _ in range(2):  # a second run used to replace the lock file written by the first
        result = run(corpus, path)
        assert result.outcome is CaseOutcome.ERROR, result
        assert "key 'env.PIXI_PROJECT_MANIFEST'" in result.message
        assert "outside the case's temporary directory" in result.message
    assert sorted(p.name for p in outside.iterdir()) == ["pixi.toml"]


def test_manifest_path_outside_the_workspace_is_an_error(tmp_path, outside):
    corpus = tmp_path / "corpus"
    path = write_case(
        corpus,
        "escape",
        f"""
        description: Reads the manifest that manifest-path names.
        features: [discovery]
        op: discover
        args: {{manifest-path: "{outside / "pixi.toml"}"}}
        expect: {{result: {{}}}}
    """,
    )
    result = run(corpus, path)
    assert result.outcome is CaseOutcome.ERROR
    assert "key 'args.manifest-path'" in result.message
    assert not result.observed


@pytest.mark.parametrize("name", ["HOME", "PATH"])
def test_a_case_cannot_replace_home_or_path(tmp_path, name):
    corpus = tmp_path / "corpus"
    path = write_case(
        corpus,
        "env",
        f"""
        description: Sets {name}.
        features: [discovery]
        files: {{pixi.toml: "[workspace]"}}
        env: {{{name}: /root}}
        op: discover
        expect: {{result: {{}}}}
    """,
    )
    case = load_case(path, corpus)
    assert [p.key for p in case.problems] == [f"env.{name}"]
    assert "cannot be replaced by a case" in case.message


def test_path_valued_variables_are_confined_and_others_are_not(tmp_path):
    base = tmp_path / "base"
    cwd = base / "workspace" / "sub"
    cwd.mkdir(parents=True)
    home = base / "home"
    ok = {
        "PIXI_CACHE_DIR": "cache",
        "UV_CACHE_DIR": "../x",
        "XDG_CONFIG_HOME": "~/config",
        "PIXI_X": "1",
        "PIXI_IN_SHELL": "",
        "PYTHONPATH": "a:../b",
    }
    confine_case_paths(
        env=ok, args={"manifest-path": "../pixi.toml"}, cwd=cwd, home=home, base=base
    )
    for name, value in [
        ("PIXI_CACHE_DIR", "/tmp"),
        ("UV_CACHE_DIR", "../../.."),
        ("ANYTHING", "/etc/passwd"),
        ("PYTHONPATH", "a:/usr/lib"),
        ("XDG_DATA_HOME", "~root/x"),
        ("OTHER", "../../../x"),
    ]:
        with pytest.raises(WorkspaceError, match=re.escape(f"key 'env.{name}'")):
            confine_case_paths(env={name: value}, args={}, cwd=cwd, home=home, base=base)
    with pytest.raises(WorkspaceError, match=re.escape("key 'args.package'")):
        confine_case_paths(env={}, args={"package": "../../../.."}, cwd=cwd, home=home, base=base)
    assert is_path_variable("PIXI_PROJECT_MANIFEST", "pixi.toml")
    assert not is_path_variable("BUILD_EDITABLE_PYTHON", "true")


def test_a_symlink_out_of_the_case_directory_is_an_escape(tmp_path):
    base = tmp_path / "base"
    (base / "workspace").mkdir(parents=True)
    (base / "workspace" / "link").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(WorkspaceError, match=re.escape("key 'env.PIXI_PROJECT_MANIFEST'")):
        confine_case_paths(
            env={"PIXI_PROJECT_MANIFEST": "link/pixi.toml"},
            args={},
            cwd=base / "workspace",
            home=base / "home",
            base=base,
        )


def _channel_case(corpus: Path, channel: str) -> Path:
    return write_case(
        corpus,
        "channel",
        f"""
        description: Locks against a channel written as a path.
        features: [lock]
        files:
          pixi.toml: |
            [workspace]
            name = "x"
            channels = ["{channel}"]
            platforms = ["linux-64"]
            [dependencies]
            secret = "*"
        op: lock
        expect: {{result: {{}}}}
    """,
    )


@pytest.fixture
def real_home(tmp_path, monkeypatch) -> Path:
    """``HOME`` of this process, holding a channel ``chan`` with a package ``secret``."""
    from pixiconf.corpus.channels import write_repodata

    home = tmp_path / "real-home"
    write_repodata(home / "chan", {"linux-64": [{"name": "secret", "version": "1"}]})
    monkeypatch.setenv("HOME", str(home))
    return home


def test_a_tilde_channel_is_the_case_home_not_the_real_one(tmp_path, real_home):
    corpus = tmp_path / "corpus"
    path = _channel_case(corpus, "~/chan")
    # In-process, `~` would be this process's HOME: that is outside the case, an error.
    result = run(corpus, path)
    assert result.outcome is CaseOutcome.ERROR, result
    assert "key 'files['pixi.toml']'" in result.message and "'~/chan'" in result.message
    # In the worker, HOME is the case's: the channel is looked up there (and is not there).
    with guard(ReferenceImplementation()) as worker:
        result = run(corpus, path, worker)
    assert result.outcome is CaseOutcome.FAIL, result
    assert "secret" not in repr(result.observation)
    assert str(real_home) not in result.message


@pytest.mark.parametrize("form", ["path", "url", "dot-dot"])
def test_a_channel_outside_the_case_is_an_error(tmp_path, real_home, form):
    corpus = tmp_path / "corpus"
    channel = {
        "path": str(real_home / "chan"),
        "url": (real_home / "chan").as_uri(),
        "dot-dot": "../" * 12 + str(real_home / "chan").lstrip("/"),
    }[form]
    result = run(corpus, _channel_case(corpus, channel))
    assert result.outcome is CaseOutcome.ERROR, result
    assert "resolves outside the case's temporary directory" in result.message
    assert not result.observed


FIXTURE = """
description: A channel.
packages:
  linux-64: [{name: secret, version: "1"}]
"""
USES_FIXTURE = """
description: Uses a channel fixture.
features: [lock]
channel-fixtures: {main: shared}
op: discover
expect: {result: {}}
"""


def test_channel_fixtures_are_not_looked_up_above_the_corpus(tmp_path):
    (tmp_path / "_channels").mkdir()
    (tmp_path / "_channels" / "shared.yaml").write_text(FIXTURE)
    corpus = tmp_path / "corpus"
    case = load_case(write_case(corpus, "fixture", USES_FIXTURE), corpus)
    assert [p.key for p in case.problems] == ["channel-fixtures.main"]
    assert "no channel fixture 'shared'" in case.message
    (corpus / "_channels").mkdir()
    (corpus / "_channels" / "shared.yaml").write_text(FIXTURE)
    assert load_case(corpus / "area" / "fixture.yaml", corpus).channels["main"]["linux-64"]


def test_a_channel_fixture_linked_from_outside_the_corpus_is_an_error(tmp_path):
    (tmp_path / "shared.yaml").write_text(FIXTURE)
    corpus = tmp_path / "corpus"
    (corpus / "_channels").mkdir(parents=True)
    (corpus / "_channels" / "shared.yaml").symlink_to(tmp_path / "shared.yaml")
    case = load_case(write_case(corpus, "fixture", USES_FIXTURE), corpus)
    assert "resolves outside the corpus" in case.message


def test_fixture_directories_stop_at_the_root(tmp_path):
    root = tmp_path / "corpus"
    assert fixture_directories(root / "a" / "b" / "c.yaml", root) == (
        root / "a" / "b",
        root / "a",
        root,
    )
    assert fixture_directories(tmp_path / "elsewhere" / "c.yaml", root) == ()
    assert os.path.isabs(fixture_directories(Path("x/y.yaml"), Path("x"))[0])
