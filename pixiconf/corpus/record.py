"""Recording an implementation's observation as a case's ``expect`` (``--pixiconf-record``).

For new cases whose truth comes from a real pixi: run the case against the binary and write
what it observed into the case file, as syrupy's ``--snapshot-update`` does for snapshots.

- Only the top-level ``expect:`` block of a YAML case file is rewritten; every other line of
  the file (comments, literal blocks of ``files``, key order) stays byte for byte.  The new
  block is a PyYAML safe dump: keys in the order observed, multi-line strings as literal
  blocks, unknown values as ``!any``.
- An observation becomes ``result`` (``strict`` kept from the old ``expect``); a failure
  becomes ``error: {contains: [<its first line>]}`` with the workspace's path taken out; the
  implementation's warnings become ``warnings: {contains: [...]}``, also when the old
  ``expect`` listed warnings and there are none now (an empty list).
- Nothing is recorded for a case that passed, that did not run to an observation or a failure
  (SKIP, ERROR, TIMEOUT, CRASH), whose implementation could not observe part of the result,
  or that is a TOML file; :class:`RecordError` says why.  The rewritten file is loaded again
  and must give the recorded ``expect``, or it is left as it was.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pixiconf.corpus.matching import strip_ansi
from pixiconf.observation_values import Lenient, Token
from pixiconf.yaml_output import dump_yaml

__all__ = ["RecordError", "dump_expect", "new_expect", "record_case", "replace_expect_block"]


class RecordError(Exception):
    """The case's ``expect`` cannot be recorded (the message says why)."""


def _plain(value: Any) -> Any:
    """Observed data as plain YAML data (lenient values as what they print)."""
    if isinstance(value, Lenient):
        return _plain(value.plain())
    if isinstance(value, Token):
        return value
    if isinstance(value, Mapping):
        return {
            (str(k) if not isinstance(k, str | int | float | bool) else k): _plain(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def new_expect(result: Any, old: Any, workspace_root: Path | None = None) -> dict[str, Any]:
    """The ``expect`` mapping that records ``result`` (a
    :class:`~pixiconf.corpus.runner.CaseResult`); ``old`` is the case's
    :class:`~pixiconf.corpus.schema.Expectation`."""
    from pixiconf.corpus.runner import CaseOutcome

    if result.outcome is CaseOutcome.PASS:
        raise RecordError("the case passes: its expect already matches")
    if result.outcome is not CaseOutcome.FAIL:
        raise RecordError(f"the case is {result.outcome.name}, not an observation or a failure")
    if result.unobserved:
        raise RecordError(f"{result.implementation} cannot observe {', '.join(result.unobserved)}")
    expect: dict[str, Any] = {}
    if result.observed:
        expect["result"] = _plain(result.observation)
        if old is not None and old.kind == "result" and old.strict:
            expect["strict"] = True
    else:
        message = strip_ansi(result.message)
        if workspace_root is not None:
            for root in {str(workspace_root), str(Path(workspace_root).resolve())}:
                message = message.replace(root + "/", "").replace(root, ".")
        first = next((line.strip() for line in message.splitlines() if line.strip()), "")
        if not first:
            raise RecordError("the operation failed without a message")
        expect["error"] = {"contains": [first]}
    if result.warnings or (old is not None and old.warnings_contains is not None):
        expect["warnings"] = {"contains": [str(w) for w in result.warnings]}
    return expect


def dump_expect(expect: Mapping[str, Any]) -> str:
    """The ``expect:`` block of a case file (text, ending with a newline)."""
    return dump_yaml({"expect": dict(expect)})


_TOP_KEY = re.compile(r"^expect\s*:", re.MULTILINE)


def replace_expect_block(text: str, block: str) -> str:
    """``text`` with its top-level ``expect:`` block replaced by ``block``; every other line
    is kept.  The block runs from the ``expect:`` line to the next line that starts at column
    0 (another key, a comment, a document marker), blank lines before it excluded."""
    starts = [m.start() for m in _TOP_KEY.finditer(text)]
    if len(starts) != 1:
        raise RecordError(
            "the file has no top-level 'expect:' line"
            if not starts
            else "the file has more than one top-level 'expect:' line"
        )
    lines = text.splitlines(keepends=True)
    first = text.count("\n", 0, starts[0])
    end = first + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t")):
        end += 1
    while end > first + 1 and not lines[end - 1].strip():
        end -= 1
    if not block.endswith("\n"):
        block += "\n"
    return "".join(lines[:first]) + block + "".join(lines[end:])


def record_case(case: Any, result: Any, root: Path, workspace_root: Path | None = None) -> str:
    """Rewrite the ``expect`` of ``case`` (a :class:`~pixiconf.corpus.schema.Case` loaded from
    ``root``) from ``result``; return the unified diff of the file.  Raises
    :class:`RecordError` when nothing can be recorded."""
    from pixiconf.corpus.loader import load_case
    from pixiconf.corpus.schema import Case

    path = Path(case.path)
    if path.suffix not in (".yaml", ".yml"):
        raise RecordError(f"only YAML case files are recorded, not {path.suffix}")
    expect = new_expect(result, case.expect, workspace_root)
    try:
        old_text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(f"cannot read {path}: {exc}") from None
    new_text = replace_expect_block(old_text, dump_expect(expect))
    if new_text == old_text:
        raise RecordError("the recorded expect is the one the file has")
    path.write_text(new_text, encoding="utf-8")
    reloaded = load_case(path, root)
    if not isinstance(reloaded, Case) or not _same(reloaded.expect, expect):
        path.write_text(old_text, encoding="utf-8")
        why = reloaded.message if not isinstance(reloaded, Case) else "a different expect"
        raise RecordError(f"the rewritten file did not load back ({why}); left unchanged")
    return "".join(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            f"{case.id} (before)",
            f"{case.id} (recorded)",
        )
    )


def _same(loaded: Any, expect: Mapping[str, Any]) -> bool:
    if "result" in expect:
        return loaded.kind == "result" and loaded.result == expect["result"]
    return loaded.kind == "error" and list(loaded.error_contains) == expect["error"]["contains"]
