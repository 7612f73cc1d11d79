"""Matching an observation against an expectation (CASE-FORMAT.md §4).

- A mapping matches when every key it lists matches; other keys are ignored unless ``strict``.
- A list matches element by element and must have the same length.
- Scalars must be equal (``True`` is not ``1``; ``1`` and ``1.0`` are equal).
- :data:`ANY` (``!any``) matches any value, but its key must exist; :data:`ABSENT`
  (``!absent``) means the key must not exist.  The quoted strings ``"!any"`` / ``"!absent"``
  mean the same, so TOML cases can use them.

Error and warning substrings match after removing ANSI escape codes and collapsing every run of
whitespace (including line breaks from wrapping) to one space.

Every function here is pure: it returns readable mismatch lines (``<pointer>: <what>``, with a
JSON-pointer-like path) or text, never raises for data it is given.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pixiconf.observation_values import (
    ANY,
    Lenient,
    Token,
    is_absent,
    is_any,
    is_list,
)
from pixiconf.yaml_output import BlockDumper, dump_yaml

__all__ = [
    "format_value",
    "ignored",
    "match",
    "match_substrings",
    "normalise_message",
    "pointer",
    "strip_ansi",
    "to_yaml",
    "unified_diff",
]


# --------------------------------------------------------------------------- paths and values


def pointer(path: Sequence[object]) -> str:
    """Render a path as a JSON pointer (``/a/0/b~1c``); the root is ``/``."""
    if not path:
        return "/"
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def format_value(value: object, limit: int = 80) -> str:
    """One-line rendering of a value for a mismatch line, shortened to ``limit`` characters."""
    if is_any(value) or is_absent(value):
        text = "!any" if is_any(value) else "!absent"
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=_json_default)
        except (TypeError, ValueError):
            text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _json_default(value: object) -> object:
    if isinstance(value, Token):
        return value.tag
    if isinstance(value, tuple):
        return list(value)
    return repr(value)


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if is_list(value):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _scalar_equal(expected: object, actual: object) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    return type(expected) is type(actual) and expected == actual


# --------------------------------------------------------------------------- structural match


def match(
    expected: Any, actual: Any, *, strict: bool = False, ignore: Iterable[str] = ()
) -> list[str]:
    """Compare an observation with an expected ``result``; return mismatch lines (empty = match).

    ``ignore``: key paths the implementation could not observe (see :func:`ignored`); nothing
    at or below them is compared, not even whether the key exists.
    """
    out: list[str] = []
    _match(expected, actual, strict, [], out, _patterns(ignore))
    return out


# --------------------------------------------------------------------------- unobserved paths
# An external implementation may not be able to show part of an observation (a field its
# command line does not print).  It names those parts as JSON pointers; ``*`` stands for any
# one key or index.  The value ``ANY`` inside an *observation* means "present, value unknown".


def _patterns(ignore: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    out = []
    for text in ignore:
        parts = text.split("/")[1:] if text.startswith("/") else text.split("/")
        out.append(tuple(p.replace("~1", "/").replace("~0", "~") for p in parts if p != ""))
    return tuple(out)


def ignored(path: Sequence[object], patterns: tuple[tuple[str, ...], ...]) -> bool:
    """True when ``path`` is at or below one of the ``patterns``."""
    for pattern in patterns:
        if len(pattern) <= len(path) and all(
            p == "*" or p == str(k) for p, k in zip(pattern, path, strict=False)
        ):
            return True
    return False


def _match(
    expected: Any,
    actual: Any,
    strict: bool,
    path: list[object],
    out: list[str],
    patterns: tuple[tuple[str, ...], ...] = (),
) -> None:
    where = pointer(path)
    if patterns and ignored(path, patterns):
        return
    if is_any(expected) or (actual is ANY and not is_absent(expected)):
        return
    if is_absent(expected):
        out.append(f"{where}: !absent can only stand for a mapping value")
        return
    if isinstance(actual, Lenient):
        if actual.accepts(expected):
            return
        actual = actual.plain()
    if isinstance(expected, Mapping):
        _match_mapping(expected, actual, strict, path, out, patterns)
    elif is_list(expected):
        _match_list(expected, actual, strict, path, out, patterns)
    elif isinstance(actual, Mapping) or is_list(actual) or not _scalar_equal(expected, actual):
        out.append(f"{where}: expected {format_value(expected)}, got {format_value(actual)}")


def _match_mapping(
    expected: Mapping[Any, Any],
    actual: Any,
    strict: bool,
    path: list[object],
    out: list[str],
    patterns: tuple[tuple[str, ...], ...],
) -> None:
    """Every listed key matches (``!absent``: must not exist); with ``strict`` no other key."""
    if not isinstance(actual, Mapping):
        out.append(
            f"{pointer(path)}: expected a mapping, got {_kind(actual)} {format_value(actual)}"
        )
        return
    for key, sub in expected.items():
        here = [*path, key]
        if patterns and ignored(here, patterns):
            continue
        if is_absent(sub):
            if key in actual:
                out.append(
                    f"{pointer(here)}: expected no such key, got {format_value(actual[key])}"
                )
        elif key not in actual:
            out.append(f"{pointer(here)}: missing key (expected {format_value(sub)})")
        else:
            _match(sub, actual[key], strict, here, out, patterns)
    if not strict:
        return
    for key in actual:
        if key not in expected and not (patterns and ignored([*path, key], patterns)):
            out.append(
                f"{pointer([*path, key])}: unexpected key (strict), got {format_value(actual[key])}"
            )


def _match_list(
    expected: Sequence[Any],
    actual: Any,
    strict: bool,
    path: list[object],
    out: list[str],
    patterns: tuple[tuple[str, ...], ...],
) -> None:
    """Same length, element by element."""
    where = pointer(path)
    if not is_list(actual):
        out.append(f"{where}: expected a list, got {_kind(actual)} {format_value(actual)}")
        return
    if len(expected) != len(actual):
        out.append(
            f"{where}: expected a list of {len(expected)} items, got {len(actual)}: "
            f"{format_value(actual)}"
        )
        return
    for index, (sub, got) in enumerate(zip(expected, actual, strict=True)):
        _match(sub, got, strict, [*path, index], out, patterns)


# --------------------------------------------------------------------------- messages

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_SPACE = re.compile(r"\s+")


def strip_ansi(text: str) -> str:
    """Remove ANSI escape sequences (colours, hyperlinks)."""
    return _ANSI.sub("", text)


def normalise_message(text: str) -> str:
    """Remove ANSI escapes and collapse runs of whitespace (line wrapping included)."""
    return _SPACE.sub(" ", _ANSI.sub("", text)).strip()


def match_substrings(
    substrings: Iterable[str], messages: str | Iterable[str], *, what: str = "message"
) -> list[str]:
    """Each substring must occur in the message (or in one of several messages, e.g. warnings).

    Returns one line per substring that is not found.
    """
    texts = [messages] if isinstance(messages, str) else list(messages)
    normalised = [normalise_message(t) for t in texts]
    out = []
    for sub in substrings:
        needle = normalise_message(sub)
        if not any(needle in text for text in normalised):
            out.append(f"{what}: missing substring {format_value(sub)}")
    return out


# --------------------------------------------------------------------------- diff


class _DiffDumper(BlockDumper):
    """Block YAML for diffs: lenient values as their plain value, anything else as its repr."""


_DiffDumper.add_multi_representer(Lenient, lambda d, v: d.represent_data(v.plain()))
_DiffDumper.add_multi_representer(object, lambda d, o: d.represent_str(repr(o)))


def to_yaml(value: Any) -> str:
    """Render plain data as block YAML, keys in their order, tokens as bare ``!any``."""
    return dump_yaml(value, dumper=_DiffDumper)


def _project(
    expected: Any,
    actual: Any,
    strict: bool,
    path: tuple[object, ...] = (),
    patterns: tuple[tuple[str, ...], ...] = (),
) -> Any:
    """Return ``actual`` shaped like ``expected``: keys the expectation ignores are left out
    (unless strict) and values it accepts with ``!any`` are shown as ``!any``; unobserved
    paths show the expected value (they are not compared)."""
    if is_any(expected) or (patterns and ignored(path, patterns)):
        return expected
    if isinstance(actual, Lenient):
        if actual.accepts(expected):
            return expected
        actual = actual.plain()
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        out: dict[Any, Any] = {}
        for key, sub in expected.items():
            if key in actual:
                out[key] = _project(sub, actual[key], strict, (*path, key), patterns)
            elif is_absent(sub) or (patterns and ignored((*path, key), patterns)):
                out[key] = sub
        if strict:
            out.update((k, v) for k, v in actual.items() if k not in expected)
        return out
    if is_list(expected) and is_list(actual):
        head = [
            _project(e, a, strict, (*path, i), patterns)
            for i, (e, a) in enumerate(zip(expected, actual, strict=False))
        ]
        return head + list(actual[len(expected) :])
    return actual


def unified_diff(
    expected: Any,
    actual: Any,
    *,
    strict: bool = False,
    max_lines: int = 200,
    ignore: Iterable[str] = (),
) -> str:
    """A unified diff of expected vs actual as YAML; empty when they render the same.

    Unless ``strict``, keys of ``actual`` that the expectation does not list are left out;
    ``ignore`` paths (unobserved) show the expected value.
    """
    left = to_yaml(expected).splitlines()
    right = to_yaml(_project(expected, actual, strict, (), _patterns(ignore))).splitlines()
    lines = list(difflib.unified_diff(left, right, "expected", "actual", lineterm=""))
    if len(lines) > max_lines:
        lines = [*lines[:max_lines], f"... ({len(lines) - max_lines} more diff lines)"]
    return "\n".join(lines)
