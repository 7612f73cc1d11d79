"""The lock observation of a large lock file is printed piece by piece: the same text.

``observe_lock_text(..., lazy=True)`` keeps the ``packages`` list of a lock file over 1 MB
as text (:class:`~pixiconf.operations.lock.LockPackages`) and ``pixiconf lock`` prints it a
piece at a time (``pixiconf.cli._write``); both must give exactly what the whole value gives.
"""

from __future__ import annotations

import io
import json
import sys

import pytest

from pixiconf import cli
from pixiconf.operations.lock import PACKAGES_PER_PIECE, LockPackages, observe_lock_text

#: Items with what the YAML dumper treats specially: quoting, a literal block, a terminal
#: control character, non-ASCII text, a long line that wraps, YAML 1.1 look-alikes.
_ODD = [
    '  note: "a: b # c"\n',
    "  text: |-\n    two\n    lines\n",
    '  ctl: "bell\\a"\n',
    "  name: caf\u00e9 \u2014 \u00fcber\n",
    "  long: " + " ".join(["word"] * 40) + "\n",
    "  yes_no: yes\n  date: 2024-01-01\n  octal: 0o17\n",
    "  empty: []\n  nested:\n    deep:\n    - 1\n    - {}\n",
]


def _lock_text(items: int, channel: str = "/c") -> str:
    package = (
        "- conda: " + channel + "/linux-64/pkg-{0:07d}-1.0-0.tar.bz2\n  sha256: '{0:064x}'\n"
        "  depends:\n  - pkg-{1:07d} >=1\n  version: 1.10\n"
    )
    body = "".join(package.format(i, i + 1) + _ODD[i % len(_ODD)] for i in range(items))
    return (
        "version: 7\nenvironments:\n  default:\n    channels:\n    - url: " + channel + "/\n"
        "    packages:\n      linux-64:\n      - conda: " + channel + "/linux-64/x.tar.bz2\n"
        "packages:\n" + body
    )


class _Stdout(io.StringIO):
    """A UTF-8 stdout, so the output keeps its non-ASCII text."""

    encoding = "utf-8"


def _printed(value: object, as_json: bool = False) -> str:
    """What ``pixiconf`` prints for ``value``: streamed (``cli._write``) and, for comparison,
    the whole value at once (``cli._dump``), both on the same stdout."""
    out = _Stdout()
    real = sys.stdout
    sys.stdout = out
    try:
        cli._write(value, as_json)
    finally:
        sys.stdout = real
    return out.getvalue()


def _dumped(value: object, as_json: bool = False) -> str:
    real = sys.stdout
    sys.stdout = _Stdout()
    try:
        return cli._dump(value, as_json)
    finally:
        sys.stdout = real


@pytest.mark.parametrize("items", [PACKAGES_PER_PIECE * 3, PACKAGES_PER_PIECE * 3 + 1, 5001])
def test_streamed_output_is_the_whole_values(items: int) -> None:
    text = _lock_text(items)
    assert len(text) > 1_000_000
    channels = {"c": "file:///c"}
    lazy = observe_lock_text(text, channels, lazy=True)
    whole = observe_lock_text(text, channels)
    assert isinstance(lazy["packages"], LockPackages)
    assert isinstance(whole["packages"], list)
    assert len(lazy["packages"]) == items
    assert lazy == whole
    assert lazy["packages"][-1]["conda"] == "{{channels.c}}/linux-64/" + (
        f"pkg-{items - 1:07d}-1.0-0.tar.bz2"
    )
    streamed = _printed(lazy)
    assert streamed == _dumped(whole)
    assert "caf\u00e9 \u2014" in streamed and '"bell\\a"' in streamed
    assert streamed.count("\n- conda: '{{channels.c}}/linux-64/pkg-") == items
    assert _printed(lazy, as_json=True) == _dumped(whole, as_json=True)
    assert json.loads(_printed(lazy, as_json=True))["packages"] == whole["packages"]


def test_a_piece_that_does_not_parse_raises_the_whole_texts_error() -> None:
    import yaml

    text = _lock_text(PACKAGES_PER_PIECE * 3) + "- conda: x\n  a: 1\n  a: 2\n"
    assert len(text) > 1_000_000
    lazy = observe_lock_text(text, {}, lazy=True)
    assert isinstance(lazy["packages"], LockPackages)
    with pytest.raises(yaml.YAMLError) as error:
        _printed(lazy)
    assert f"line {text.count(chr(10))}" in str(error.value)


def test_small_or_unusual_texts_are_plain_values() -> None:
    small = _lock_text(10)
    assert isinstance(observe_lock_text(small, {}, lazy=True)["packages"], list)
    # a line in column 0 that does not start an item: parsed whole
    odd = _lock_text(PACKAGES_PER_PIECE * 3).replace("\n  sha256:", "\n# c\n  sha256:", 1)
    value = observe_lock_text(odd, {}, lazy=True)
    assert isinstance(value["packages"], list)
    assert value == observe_lock_text(odd, {})
