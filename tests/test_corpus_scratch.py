"""The run's temporary directories (pixiconf.corpus.scratch)."""

from __future__ import annotations

from pixiconf.corpus.scratch import BACKLOG, Scratch


def test_discarded_case_directories_are_removed_in_the_background():
    scratch = Scratch()
    try:
        made = []
        for _ in range(BACKLOG + 10):  # more than the backlog: discard waits, never drops
            base = scratch.new_case_directory()
            (base / "workspace" / "deep").mkdir(parents=True)
            (base / "workspace" / "deep" / "file").write_text("x")
            made.append(base)
            scratch.discard(base)
        scratch.drain()
        assert not any(base.exists() for base in made)
        assert scratch.directory is not None and scratch.directory.is_dir()
        kept = scratch.new_case_directory()  # still usable after a drain
        assert kept.parent == scratch.directory
    finally:
        directory = scratch.directory
        scratch.close()
    assert directory is not None and not directory.exists()


def test_close_removes_what_is_still_queued_or_never_discarded():
    scratch = Scratch()
    queued = scratch.new_case_directory()
    kept = scratch.new_case_directory()
    scratch.discard(queued)
    directory = scratch.directory
    scratch.close()
    assert not queued.exists() and not kept.exists() and not directory.exists()
    scratch.close()  # closing twice is harmless
