"""The run's temporary directories (pixiconf.corpus.scratch)."""

from __future__ import annotations

from pixiconf.corpus.scratch import Scratch


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
