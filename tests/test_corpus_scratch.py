"""The run's temporary directories (pixiconf.corpus.scratch)."""

from __future__ import annotations

import tempfile

from pixiconf.corpus.scratch import MAX_NAME, Scratch


def test_a_discarded_case_directory_is_removed_at_once():
    scratch = Scratch()
    try:
        base = scratch.new_case_directory()
        (base / "workspace" / "deep").mkdir(parents=True)
        (base / "workspace" / "deep" / "file").write_text("x")
        scratch.discard(base)
        assert not base.exists()
        assert scratch.directory is not None and scratch.directory.is_dir()
        assert scratch.new_case_directory().parent == scratch.directory
    finally:
        directory = scratch.directory
        scratch.close()
    assert directory is not None and not directory.exists()


def test_close_removes_case_directories_never_discarded():
    scratch = Scratch()
    kept = scratch.new_case_directory()
    directory = scratch.directory
    scratch.close()
    assert not kept.exists() and directory is not None and not directory.exists()
    scratch.close()  # closing twice is harmless


def test_case_directories_are_named_after_the_case_and_numbered():
    scratch = Scratch()
    try:
        first = scratch.new_case_directory("discovery/finds-manifest")
        second = scratch.new_case_directory("discovery/finds-manifest")
        long = scratch.new_case_directory("area/" + "x" * 100)
        assert (first.name, second.name) == (
            "discovery_finds_manifest0",
            "discovery_finds_manifest1",
        )
        assert long.name == ("area_" + "x" * 100)[:MAX_NAME] + "0"
        assert {first.parent, second.parent, long.parent} == {scratch.directory}
        (scratch.directory / "taken0").mkdir()  # a name already there is skipped
        assert scratch.new_case_directory("taken").name == "taken1"
    finally:
        scratch.close()


def test_a_given_parent_is_used_and_left_to_its_owner(tmp_path):
    calls = []

    def parent():
        calls.append(1)
        return tmp_path

    scratch = Scratch(parent)
    assert calls == []  # asked on first use only
    kept = scratch.new_case_directory("a/b")
    scratch.new_case_directory("a/c")
    assert kept.parent == tmp_path and calls == [1] and not scratch.owned
    scratch.close()
    assert kept.is_dir() and tmp_path.is_dir()  # the owner decides what to keep


def test_a_parent_that_gives_none_falls_back_to_an_own_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    scratch = Scratch(lambda: None)
    base = scratch.new_case_directory("x")
    assert base.parent.parent == tmp_path and base.parent.name.startswith("pixiconf-")
    assert scratch.owned
    scratch.close()
    assert list(tmp_path.iterdir()) == []
