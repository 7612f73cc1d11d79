"""The schema of a case file (CASE-FORMAT.md §2 keys, §3 operations, §4 expectations).

:func:`validate_case` turns a loaded mapping into a :class:`Case`, or into a :class:`CaseError`
that lists every problem with the file, the key, and what was expected (plus a "did you mean"
for misspelt keys).  It never raises for bad data.

Additive extensions to contract 1, all of which only reject things the contract leaves
meaningless: ``args`` keys are checked per operation (§3 table); ``files`` values may also be
bytes (YAML ``!!binary``); a ``files`` path may not be both a file and a directory;
``{{channels.NAME}}`` in ``files`` must name a channel of the case; ``spec`` may be a list;
``channel-fixtures`` maps a channel name to a shared fixture ``_channels/<name>.yaml`` of the
corpus (:mod:`pixiconf.corpus.channels`); package records may also give ``archive``,
``license``, ``md5``, ``sha256``, ``size`` and ``track_features``; ``pixi`` is the range of pixi
releases the case applies to (:mod:`.applicability`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixiconf import CONTRACT_VERSION
from pixiconf.confinement import (
    check_relative_path,
    fixture_directories,
    is_inside,
    reserved_env_problem,
)
from pixiconf.corpus.applicability import RangeError, parse_range
from pixiconf.corpus.channels import (
    SAFE_NAME,
    FixtureError,
    check_channels,
    find_fixture,
    load_fixture,
)
from pixiconf.corpus.checking import Checker, Problem, describe, display_path, key_path
from pixiconf.observation_values import Token, is_absent
from pixiconf.operations.request import CONTRACT_OPERATIONS
from pixiconf.similarity import did_you_mean

__all__ = [
    "CASE_KEYS",
    "CHANNEL_REF",
    "OPERATION_ARGS",
    "Case",
    "CaseError",
    "Expectation",
    "Problem",
    "check_case",
    "check_relative_path",
    "display_path",
    "validate_case",
]

#: Top-level keys of a case, §2.
CASE_KEYS = (
    "contract",
    "description",
    "features",
    "spec",
    "files",
    "channels",
    "channel-fixtures",
    "pypi-mapping",
    "env",
    "cwd",
    "op",
    "args",
    "expect",
    "pixi",
)
REQUIRED_KEYS = ("description", "features", "op", "expect")

#: ``op`` → (required args, optional args), §3.
OPERATION_ARGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "discover": ((), ("manifest-path",)),
    "check": ((), ("manifest-path",)),
    "environments": ((), ()),
    "resolve": (("platform",), ("environment",)),
    "recipe": (("platform",), ("package",)),
    "variants": (("platform",), ("package",)),
    "build-string": (("variant",), ("noarch", "build-number", "prefix")),
    "map-pypi": (("platform",), ("package",)),
    "lock": ((), ()),
    "lock-check": ((), ()),
}

EXPECT_KEYS = ("result", "strict", "error", "warnings")
CONTAINS_KEYS = ("contains",)
CHANNEL_REF = re.compile(r"\{\{\s*channels\.([^}\s]*)\s*\}\}")


@dataclass(frozen=True, slots=True)
class CaseError:
    """A case file that cannot run: unreadable, not YAML/TOML, or not schema-valid (§1)."""

    id: str
    path: Path
    problems: tuple[Problem, ...]

    @property
    def message(self) -> str:
        return "\n".join(p.render(self.path) for p in self.problems)


@dataclass(frozen=True, slots=True)
class Expectation:
    """``expect`` (§4): either a ``result`` or an ``error``, optionally ``warnings``."""

    kind: str  # "result" or "error"
    result: Any = None
    strict: bool = False
    error_contains: tuple[str, ...] = ()
    warnings_contains: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """A schema-valid case (§2)."""

    id: str
    path: Path
    description: str
    features: tuple[str, ...]
    op: str
    expect: Expectation
    args: Mapping[str, Any] = field(default_factory=dict)
    contract: int = 1
    spec: tuple[str, ...] = ()
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    channels: Mapping[str, Mapping[str, tuple[Mapping[str, Any], ...]]] = field(
        default_factory=dict
    )
    pypi_mapping: Mapping[str, str | bool] | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    #: The pixi releases the case applies to (``pixi: ">=0.57"``), or ``None`` for all.
    pixi: str | None = None

    @property
    def area(self) -> str | None:
        """First directory of the ID, or ``None`` for a case at the corpus root."""
        head, sep, _ = self.id.partition("/")
        return head if sep else None


# --------------------------------------------------------------------------- helpers


def _check_plain(c: Checker, key: str, value: object, *, tokens: bool) -> None:
    """Observations are plain data; tokens only where ``tokens`` is true (§4)."""
    if isinstance(value, Token):
        if not tokens:
            c.add(key, f"{value.tag} is only allowed inside expect.result")
        return
    if isinstance(value, Mapping):
        for name, item in value.items():
            if tokens and is_absent(item):
                continue
            _check_plain(c, key_path(key, name), item, tokens=tokens)
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            if tokens and is_absent(item):
                c.add(key_path(key, i), "!absent can only stand for a mapping value")
                continue
            _check_plain(c, key_path(key, i), item, tokens=tokens)
        return
    if isinstance(value, datetime.date | datetime.time | bytes | set):
        c.add(
            key,
            f"expected plain data (mapping, list, string, number, boolean, null), "
            f"got {describe(value)}; quote it",
        )


# --------------------------------------------------------------------------- sections


def _check_expect(c: Checker, value: object) -> Expectation | None:
    if not c.expect_type("expect", value, Mapping, "a mapping"):
        return None
    c.known_keys("expect", value, EXPECT_KEYS)
    has_result, has_error = "result" in value, "error" in value
    if has_result == has_error:
        c.add("expect", "expected exactly one of 'result' or 'error'")
        return None
    warnings = None
    if "warnings" in value:
        warnings = _check_contains(c, "expect.warnings", value["warnings"])
    if has_result:
        result = value["result"]
        if is_absent(result):
            c.add("expect.result", "!absent can only stand for a mapping value")
        else:
            _check_plain(c, "expect.result", result, tokens=True)
        strict = value.get("strict", False)
        if not c.expect_type("expect.strict", strict, bool, "a boolean"):
            strict = False
        return Expectation("result", result=result, strict=strict, warnings_contains=warnings)
    if "strict" in value:
        c.add("expect.strict", "'strict' is only allowed beside 'result'")
    contains = _check_contains(c, "expect.error", value["error"])
    return Expectation("error", error_contains=contains or (), warnings_contains=warnings)


def _check_contains(c: Checker, key: str, value: object) -> tuple[str, ...] | None:
    if not c.expect_type(key, value, Mapping, "a mapping with 'contains'"):
        return None
    c.known_keys(key, value, CONTAINS_KEYS)
    if "contains" not in value:
        c.add(key, "missing required key 'contains'")
        return None
    return c.string_list(key_path(key, "contains"), value["contains"])


def _check_args(c: Checker, op: str | None, value: object) -> dict[str, Any]:
    if value is None:
        value = {}
    if not c.expect_type("args", value, Mapping, "a mapping"):
        return {}
    _check_plain(c, "args", value, tokens=False)
    if op in OPERATION_ARGS:
        required, optional = OPERATION_ARGS[op]
        c.known_keys("args", value, required + optional)
        for name in required:
            if name not in value:
                c.add("args", f"operation '{op}' requires argument '{name}'")
    return dict(value)


def _check_files(c: Checker, value: object, channels: Mapping) -> dict[str, str | bytes]:
    if not c.expect_type("files", value, Mapping, "a mapping of relative paths to text"):
        return {}
    out: dict[str, str | bytes] = {}
    for path, text in value.items():
        key = key_path("files", path)
        if not c.expect_type(key, path, str, "a string path"):
            continue
        why = check_relative_path(path)
        if why:
            c.add(key, why)
            continue
        if not c.expect_type(key, text, (str, bytes), "text (a string)"):
            continue
        if isinstance(text, str):
            for name in CHANNEL_REF.findall(text):
                if name not in channels:
                    known = ", ".join(map(str, channels)) or "none"
                    c.add(
                        key,
                        f"'{{{{channels.{name}}}}}' names no channel of this case "
                        f"(channels: {known})",
                    )
        out[path] = text
    dirs = {"/".join(p.split("/")[:i]) for p in out for i in range(1, p.count("/") + 1)}
    for path in out:
        if path in dirs:
            c.add(key_path("files", path), "is both a file and a directory of other files")
    return out


def _check_channel_fixtures(
    c: Checker, value: object, search: tuple[Path, ...], channels: dict[str, dict[str, tuple]]
) -> None:
    """``channel-fixtures``: channel name → fixture; the fixture's records come first."""

    for name, fixture in c.string_map("channel-fixtures", value).items():
        key = key_path("channel-fixtures", name)
        if not SAFE_NAME.match(name) or name in (".", ".."):
            c.add(key, "expected a channel name of letters, digits, '_', '.', '-'")
            continue
        if not SAFE_NAME.match(fixture) or fixture in (".", ".."):
            c.add(key, "expected a fixture name (a file _channels/<name>.yaml of the corpus)")
            continue
        found = find_fixture(search, fixture)
        if found is not None and not is_inside(found, search[-1:]):
            c.add(key, f"channel fixture '{fixture}' resolves outside the corpus")
            continue
        try:
            records = load_fixture((found.parent.parent,) if found else (), fixture)
        except FixtureError as exc:
            c.add(key, str(exc))
            continue
        own = channels.get(name, {})
        channels[name] = {
            subdir: records.get(subdir, ()) + tuple(own.get(subdir, ()))
            for subdir in {**records, **own}
        }


def _check_pypi_mapping(c: Checker, value: object) -> dict[str, str | bool] | None:
    if not c.expect_type("pypi-mapping", value, Mapping, "a mapping of PyPI names"):
        return None
    out: dict[str, str | bool] = {}
    for name, target in value.items():
        key = key_path("pypi-mapping", name)
        if not isinstance(name, str):
            c.add(key, f"expected a string key, got {describe(name)}")
        elif target is False or (isinstance(target, str) and target):
            out[str(name)] = target
        else:
            c.add(key, f"expected a conda package name or false, got {describe(target)}")
    return out


def _check_env(c: Checker, value: object) -> dict[str, str]:
    env = c.string_map("env", value)
    for name, text in env.items():
        if not name or "=" in name or "\0" in name:
            c.add(key_path("env", name), "expected an environment variable name (no '=' or NUL)")
        elif "\0" in text:
            c.add(key_path("env", name), "a value cannot contain NUL")
        elif why := reserved_env_problem(name):
            c.add(key_path("env", name), why)
    return env


# --------------------------------------------------------------------------- entry points


def _check_header(c: Checker, data: Mapping[str, Any], fields: dict[str, Any]) -> None:
    """``contract``, ``description``, ``features``, ``spec``, ``pixi`` (§2)."""
    contract = data.get("contract", 1)
    if c.expect_type("contract", contract, int, "an integer"):
        if contract < 1 or contract > CONTRACT_VERSION:
            c.add(
                "contract",
                f"this runner implements contract {CONTRACT_VERSION}; "
                f"the case is written for contract {contract}",
            )
        fields["contract"] = contract
    if "description" in data and c.expect_type("description", data["description"], str, "a string"):
        if not data["description"].strip():
            c.add("description", "expected a non-empty sentence")
        fields["description"] = data["description"]
    if "features" in data:
        fields["features"] = c.string_list("features", data["features"])
    if "spec" in data:
        spec = data["spec"]
        fields["spec"] = (spec,) if isinstance(spec, str) else c.string_list("spec", spec)
    if "pixi" in data and c.expect_type("pixi", data["pixi"], str, "a string"):
        try:
            fields["pixi"] = parse_range(data["pixi"]).text
        except RangeError as exc:
            c.add("pixi", str(exc))


def _check_op(c: Checker, data: Mapping[str, Any], fields: dict[str, Any]) -> str | None:
    """``op`` (§3): one of the contract's operations."""
    if "op" not in data or not c.expect_type("op", data["op"], str, "a string"):
        return None
    op = data["op"]
    if op not in CONTRACT_OPERATIONS:
        hint = did_you_mean(op, CONTRACT_OPERATIONS)
        suffix = f"; did you mean '{hint}'?" if hint else ""
        c.add(
            "op",
            f"unknown operation {op!r}; expected one of: {', '.join(CONTRACT_OPERATIONS)}{suffix}",
        )
    fields["op"] = op
    return op


def _check_inputs(
    c: Checker, data: Mapping[str, Any], fields: dict[str, Any], search: tuple[Path, ...]
) -> None:
    """What the workspace is made of: ``channels``, ``channel-fixtures``, ``files``,
    ``pypi-mapping``, ``env``, ``cwd`` (§2)."""
    channels = check_channels(c, data["channels"]) if "channels" in data else {}
    if "channel-fixtures" in data:
        _check_channel_fixtures(c, data["channel-fixtures"], search, channels)
    fields["channels"] = channels
    if "files" in data:
        raw_channels = data.get("channels")
        known = dict(raw_channels) if isinstance(raw_channels, Mapping) else {}
        if isinstance(data.get("channel-fixtures"), Mapping):
            known.update(data["channel-fixtures"])
        fields["files"] = _check_files(c, data["files"], known)
    if "pypi-mapping" in data:
        fields["pypi_mapping"] = _check_pypi_mapping(c, data["pypi-mapping"])
    if "env" in data:
        fields["env"] = _check_env(c, data["env"])
    if "cwd" in data and c.expect_type("cwd", data["cwd"], str, "a string"):
        why = check_relative_path(data["cwd"]) if data["cwd"] not in ("", ".") else None
        if why:
            c.add("cwd", why)
        fields["cwd"] = None if data["cwd"] in ("", ".") else data["cwd"]


def check_case(data: object, search: tuple[Path, ...] = ()) -> tuple[list[Problem], dict[str, Any]]:
    """Check a loaded case mapping; return the problems and the cleaned fields.

    ``search``: directories where ``_channels/`` fixtures are looked up, nearest first; the
    last one is the corpus root, which a fixture file may not resolve outside of."""
    c = Checker()
    fields: dict[str, Any] = {}
    if not isinstance(data, Mapping):
        c.add("", f"expected a mapping of case keys at the top level, got {describe(data)}")
        return c.problems, fields
    c.known_keys("", data, CASE_KEYS)
    for name in REQUIRED_KEYS:
        if name not in data:
            c.add(name, "missing required key")
    _check_header(c, data, fields)
    op = _check_op(c, data, fields)
    fields["args"] = _check_args(c, op, data.get("args"))
    _check_inputs(c, data, fields, search)
    if "expect" in data:
        fields["expect"] = _check_expect(c, data["expect"])
    return c.problems, fields


def validate_case(
    data: object, *, case_id: str, path: Path, root: Path | None = None
) -> Case | CaseError:
    """Validate a loaded mapping; return the :class:`Case` or a :class:`CaseError` (§1, §2).

    ``root`` is the corpus root (fixtures are looked up between the case and it); without it,
    the directory above the case's area directory (the §1 layout ``<root>/<area>/<name>``)."""
    path = Path(path)
    if root is None:
        root = path.parent.parent
    problems, fields = check_case(data, search=fixture_directories(path, root))
    if problems:
        return CaseError(case_id, path, tuple(problems))
    return Case(id=case_id, path=path, **fields)
