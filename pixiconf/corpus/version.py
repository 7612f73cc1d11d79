"""The corpus version: one line in ``<corpus root>/VERSION`` (``cases/VERSION``).

It is the one place the corpus version is written; every JSON report records it
(:mod:`pixiconf.reports.json_report`).  The contract version (CASE-FORMAT.md) is separate:
:data:`pixiconf.CONTRACT_VERSION`.  How it is bumped is in docs/writing-cases.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["UNKNOWN", "VERSION_FILE", "corpus_version"]

VERSION_FILE = "VERSION"
#: The version of a corpus root without a readable VERSION file.
UNKNOWN = "unknown"


def _read(root: Path) -> str:
    try:
        text = (Path(root) / VERSION_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return UNKNOWN
    return text.splitlines()[0].strip() if text else UNKNOWN


def corpus_version(roots: Iterable[Path]) -> str:
    """The version of the run's corpus; several roots give their versions joined by ``+``."""
    versions = [_read(root) for root in roots]
    return "+".join(versions) if versions else UNKNOWN
