"""The documentation the README promises exists and stays in sync with the shared contract."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_CONTRACT = REPO.parent / "shared" / "CASE-FORMAT.md"


def test_readme_links_resolve() -> None:
    readme = (REPO / "README.md").read_text()
    for target in ("docs/CASE-FORMAT.md", "docs/writing-cases.md", "docs/implementations.md"):
        assert target in readme, f"README does not link {target}"
        assert (REPO / target).is_file(), f"README links {target}, which does not exist"


@pytest.mark.skipif(
    not SHARED_CONTRACT.is_file(),
    reason="../shared/CASE-FORMAT.md is only present in the development checkout",
)
def test_contract_copy_matches_shared_contract() -> None:
    assert (REPO / "docs" / "CASE-FORMAT.md").read_text() == SHARED_CONTRACT.read_text()
