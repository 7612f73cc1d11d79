"""Units of conformance gating: pixi ranges, shards, expectation-file writing, report totals."""

from __future__ import annotations

import pytest
import tomli
from hypothesis import given
from hypothesis import strategies as st

from pixiconf.corpus.applicability import (
    RangeError,
    outside_reason,
    parse_range,
    pixi_version_of,
)
from pixiconf.corpus.expectations import KnownFailure, render, toml_string
from pixiconf.corpus.runner import CaseOutcome
from pixiconf.corpus.sharding import Shard, ShardError, assign, parse_shard
from pixiconf.implementations.reference import ReferenceImplementation
from pixiconf.reports.json_report import OUTCOMES, commands_of, totals


@pytest.mark.parametrize(
    ("text", "kind", "inside", "outside"),
    [
        (">=0.57", "pep440", "0.77.0", "0.56.2"),
        (">=0.39, <0.57", "pep440", "0.40.1", "0.57.0"),
        ("~=0.40", "pep440", "0.45.0", "1.0.0"),
        ("0.77.*", "conda", "0.77.3", "0.76.0"),
        ("<0.39|>=0.77", "conda", "0.38.0", "0.50.0"),
        ("0.77", "conda", "0.77.0", "0.77.1"),
    ],
)
def test_ranges_pep440_then_conda(text, kind, inside, outside):
    parsed = parse_range(text)
    assert parsed.kind == kind
    assert parsed.contains(inside) and not parsed.contains(outside)


@pytest.mark.parametrize("text", ["", "  ", "soon", "abc", ">=", "0.77 &&"])
def test_bad_ranges(text):
    with pytest.raises(RangeError):
        parse_range(text)


def test_pixi_version_of_binaries_and_the_reference():
    assert pixi_version_of("pixi 0.77.0 (/usr/bin/pixi)") == "0.77.0"
    assert pixi_version_of(ReferenceImplementation().version()) == "0.77.0"
    assert pixi_version_of("pixiconf 0.1.0") is None and pixi_version_of("fake 1.0") is None
    assert outside_reason("<0.57", "pixi 0.77.0 (x)") == (
        "the case applies to pixi <0.57; the implementation is pixi 0.77.0"
    )
    assert outside_reason(">=0.57", "pixi 0.77.0 (x)") is None
    assert outside_reason("<0.57", "fake 1.0") is None  # unknown version: every case runs


def test_parse_shard():
    assert parse_shard("2/3") == Shard(2, 3) and str(parse_shard(" 1 / 1 ")) == "1/1"
    for bad in ("0/3", "4/3", "3", "1/0", "-1/2", "a/b"):
        with pytest.raises(ShardError):
            parse_shard(bad)


_ids = st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 40)), max_size=120).map(
    lambda pairs: sorted({f"{area}/case-{n}" for area, n in pairs})
)


@given(_ids, st.integers(1, 7))
def test_shards_partition_and_balance(ids, count):
    shards = assign(ids, count)
    assert set(shards) == set(ids) and set(shards.values()) <= set(range(1, count + 1))
    sizes = [sum(1 for s in shards.values() if s == k) for k in range(1, count + 1)]
    assert max(sizes) - min(sizes) <= 1
    for area in "abcde":
        per = [
            sum(1 for c, s in shards.items() if s == k and c.startswith(area + "/"))
            for k in range(1, count + 1)
        ]
        assert max(per) - min(per) <= 1
    # Deterministic: only the set of IDs matters, not their order.
    assert assign(list(reversed(ids)), count) == shards


@given(st.text())
def test_toml_string_round_trips(text):
    assert tomli.loads(f"x = {toml_string(text)}")["x"] == text


def test_render_is_sorted_and_reads_back():
    entries = {"b/y": KnownFailure("crash", 'a "panic"\n'), "a/x": KnownFailure("fail", "é")}
    text = render(entries, "# header")
    assert text.startswith('# header\n\n"a/x"')
    assert tomli.loads(text) == {
        "a/x": {"outcome": "fail", "reason": "é"},
        "b/y": {"outcome": "crash", "reason": 'a "panic"\n'},
    }


def test_outcome_names_are_the_runners():
    assert set(OUTCOMES) == {o.value for o in CaseOutcome}


def test_commands_and_totals():
    assert commands_of("$ pixi info --json\n-> exit 0\nstdout:\n  $ not a command") == [
        "pixi info --json"
    ]
    cases = {
        "a/x": {"outcome": "pass", "area": "a", "features": ["a", "t"]},
        "a/y": {"outcome": "fail", "area": "a", "features": ["a"]},
        "top": {"outcome": "skip", "area": None, "features": []},
    }
    counted = totals(cases)
    assert counted["all"]["total"] == 3 and counted["all"]["crash"] == 0
    assert counted["areas"] == {
        "": {"skip": 1, "total": 1},
        "a": {"pass": 1, "fail": 1, "total": 2},
    }
    assert counted["features"] == {
        "a": {"pass": 1, "fail": 1, "total": 2},
        "t": {"pass": 1, "total": 1},
    }
