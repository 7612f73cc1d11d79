"""The PEP 440 specifier order pixi keeps (pep440_rs 0.7.3 ``VersionSpecifiers::from_unsorted``:
a stable sort by version) and the written parts of a PEP 508 requirement it is read from."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import InvalidSpecifier
from packaging.version import Version

from pixiconf.manifest import pep440
from pixiconf.manifest.pep508 import written_parts


def shown(text: str) -> str:
    return pep440.display(pep440.parse_specifiers(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # research note: requires-python = "<4,>=3.9" becomes python >=3.9,<4
        ("<4,>=3.9", ">=3.9, <4"),
        ("<3.0.0-RC1, >=v1.0, !=02.5", ">=1.0, !=2.5, <3.0.0rc1"),
        # equal versions: the stable sort keeps the written order, whatever the operators
        ("!=1.0,>=1.0", "!=1.0, >=1.0"),
        (">=1.0,!=1.0", ">=1.0, !=1.0"),
        ("<=2,>=2.0.0,==2.0", "<=2, >=2.0.0, ==2.0"),
        # a wildcard sorts by its base version
        ("<1.3,!=1.2.*,>1.2.0.post1", "!=1.2.*, >1.2.0.post1, <1.3"),
        ("==1.2.*,!=1.2.3.*", "==1.2.*, !=1.2.3.*"),
        (" >= 3.11 ", ">=3.11"),
        ("~=3.10", "~=3.10"),
        ("===1.0", "===1.0"),
        ("", ""),
    ],
)
def test_specifiers_sorted_by_version(text, expected):
    assert shown(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        ">=3.9,",  # parse_version_specifiers: an empty part has no operator
        " ",
        "3.9",
        "===foobar",  # pep440_rs parses the version of === too
        ">=1.0.*",
        "~=1",
    ],
)
def test_invalid_specifiers_are_rejected(text):
    with pytest.raises(InvalidSpecifier):
        pep440.parse_specifiers(text)


@given(
    st.lists(
        st.tuples(
            st.sampled_from([">=", "<=", ">", "<", "==", "!="]),
            st.sampled_from(["1", "1.0", "1.0.0", "2", "2.0", "0.9", "1.0rc1"]),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_sort_is_stable_by_version(pairs):
    """The display is the written list ordered by version, ties in written order."""
    written = [f"{op}{v}" for op, v in pairs]
    by_version = sorted(range(len(written)), key=lambda i: (Version(pairs[i][1]), i))
    assert shown(",".join(written)) == ", ".join(
        f"{pairs[i][0]}{Version(pairs[i][1])}" for i in by_version
    )


_SEED_SCRIPT = """
import json
from pixiconf.pixibuild.pypi_mapping import parse_requirement
from pixiconf.pixibuild.recipe import python_abi3_spec
from pixiconf.manifest import pep440
from pixiconf.manifest.pyproject import _parse_requirement, _requirement_spec, python_spec
texts = ["!=1.0,>=1.0", ">=1.0,!=1.0", "<4,>=3.9,!=3.9", "<=2,>=2.0.0,==2.0,!=2"]
print(json.dumps({
    "rule": [pep440.display(pep440.parse_specifiers(t)) for t in texts],
    "map-pypi": [parse_requirement("a" + t).specifier_text for t in texts],
    "pyproject": [_requirement_spec(_parse_requirement((), "a" + t)) for t in texts],
    "python": [python_spec(t) for t in texts],
    "abi3": python_abi3_spec(">=3.12,<4,>=3.10"),
}))
"""


def _run_with_seed(seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", _SEED_SCRIPT], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def test_order_does_not_depend_on_the_hash_seed():
    """packaging < 26 iterates a SpecifierSet in hash order; the rule reads the written text."""
    first, second = _run_with_seed("1"), _run_with_seed("2")
    assert first == second
    expected = ["!=1.0, >=1.0", ">=1.0, !=1.0", ">=3.9, !=3.9, <4", "<=2, >=2.0.0, ==2.0, !=2"]
    assert first["rule"] == expected
    assert first["map-pypi"] == expected
    assert first["pyproject"] == expected
    assert first["python"] == [
        "!=1.0,>=1.0",
        ">=1.0,!=1.0",
        ">=3.9,!=3.9,<4",
        "<=2,>=2.0.0,==2.0,!=2",
    ]
    assert first["abi3"] == "3.10.*"


@pytest.mark.parametrize(
    ("text", "name", "extras", "specifiers"),
    [
        ("requests>=2,<3", "requests", (), ">=2,<3"),
        ("Foo [ b , a ] ( <2 , >=1 ) ; python_version<'3'", "Foo", ("b", "a"), "<2 , >=1"),
        ("foo[]", "foo", (), ""),
        ("foo ; os_name == 'nt'", "foo", (), ""),
        ("foo[x] @ https://e.org/foo-1.0.tar.gz ; os_name == 'nt'", "foo", ("x",), ""),
    ],
)
def test_written_parts(text, name, extras, specifiers):
    parts = written_parts(text)
    assert (parts.name, parts.extras, parts.specifiers) == (name, extras, specifiers)


def test_version_specifier_display_keeps_the_star():
    assert str(pep440.VersionSpecifier("!=", Version("1.2"), True)) == "!=1.2.*"
