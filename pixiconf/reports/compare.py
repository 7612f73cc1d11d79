"""``pixiconf compare A B``: the cases on which two implementations' observations differ.

The tool a maintainer runs before a release (the reference against a pixi binary, pixi 0.76
against 0.77): every selected case runs against both implementations
(:func:`pixiconf.corpus.runner.run_case`), and what each *observed* is compared, whatever the
case expects:

- both produced an observation: the observations must be equal (mappings key by key, lists
  in order; a path either implementation could not observe is not compared), and so must the
  warnings; the difference is shown as :func:`pixiconf.corpus.matching.unified_diff` (A → B);
- both failed: the messages must be equal after removing ANSI escapes and collapsing
  whitespace (``--ignore-messages``: failing is enough), and so must the warnings;
- otherwise the kinds must be the same (an observation, a failure, a timeout, a crash);
- a case either implementation cannot run (unsupported, a malformed case, a broken harness)
  is not compared, and is listed as such.

Exit codes: 0 every compared case is the same, 1 some differ, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Difference", "Side", "add_compare_command", "compare_results", "side_of"]


@dataclass(frozen=True)
class Side:
    """What one implementation did with a case, as comparable plain data."""

    kind: str  # "observation", "failure", "timeout", "crash", or "not run"
    observation: Any = None
    message: str = ""
    warnings: tuple[str, ...] = ()
    unobserved: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "observation":
            out["observation"] = _plain(self.observation)
        if self.message:
            out["message"] = self.message
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True)
class Difference:
    """One compared case and how its two sides differ (``reasons`` empty: the same)."""

    case_id: str
    a: Side
    b: Side
    reasons: tuple[str, ...] = ()
    diff: str = ""
    commands: dict[str, list[str]] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """An observation as JSON data (tokens and lenient values as what they print)."""
    from pixiconf.observation_values import Lenient, Token

    if isinstance(value, Lenient):
        return _plain(value.plain())
    if isinstance(value, Token):
        return value.tag
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def side_of(result: Any) -> Side:
    """The :class:`Side` of a :class:`~pixiconf.corpus.runner.CaseResult`."""
    from pixiconf.corpus.matching import strip_ansi
    from pixiconf.corpus.runner import CaseOutcome

    warnings = tuple(result.warnings)
    if result.observed:
        return Side(
            "observation",
            result.observation,
            warnings=warnings,
            unobserved=tuple(result.unobserved),
        )
    message = strip_ansi(result.message).strip()
    if result.outcome is CaseOutcome.TIMEOUT:
        return Side("timeout", message=message)
    if result.outcome is CaseOutcome.CRASH:
        return Side("crash", message=message, warnings=warnings)
    if result.outcome in (CaseOutcome.PASS, CaseOutcome.FAIL):  # the operation failed
        return Side(
            "failure", message=message, warnings=warnings, unobserved=tuple(result.unobserved)
        )
    return Side("not run", message=message)


def compare_results(case_id: str, a: Side, b: Side, *, messages: bool = True) -> Difference:
    """Compare two sides of one case (see the module docs)."""
    from pixiconf.corpus.matching import match, normalise_message, unified_diff

    reasons: list[str] = []
    diff = ""
    if a.kind != b.kind:
        reasons.append(f"A: {_kind_text(a)}; B: {_kind_text(b)}")
    elif a.kind == "observation":
        ignore = (*a.unobserved, *b.unobserved)
        reasons += match(a.observation, b.observation, strict=True, ignore=ignore)
        if reasons:
            diff = unified_diff(a.observation, b.observation, strict=True, ignore=ignore)
            diff = diff.replace("--- expected", "--- A", 1).replace("+++ actual", "+++ B", 1)
    elif a.kind == "failure" and messages and "/error" not in (*a.unobserved, *b.unobserved):
        left, right = normalise_message(a.message), normalise_message(b.message)
        if left != right:
            reasons.append("the failure messages differ")
            diff = _text_diff(a.message, b.message)
    same_warnings = [normalise_message(w) for w in a.warnings] == [
        normalise_message(w) for w in b.warnings
    ]
    if a.kind == b.kind and a.kind in ("observation", "failure", "crash") and not same_warnings:
        reasons.append("the warnings differ")
        diff = "\n".join(
            filter(None, [diff, _text_diff("\n".join(a.warnings), "\n".join(b.warnings))])
        )
    return Difference(case_id, a, b, tuple(reasons), diff)


def _kind_text(side: Side) -> str:
    if side.kind == "observation":
        return "an observation"
    first = side.message.splitlines()[0] if side.message else ""
    return f"{side.kind}" + (f" ({first[:120]})" if first else "")


def _text_diff(a: str, b: str) -> str:
    import difflib

    return "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), "A", "B", lineterm=""))


# --------------------------------------------------------------------------- command


def add_compare_command(commands, epilog: str) -> argparse.ArgumentParser:
    """Add the ``compare`` subcommand to the ``pixiconf`` parser's ``commands``."""
    compare = commands.add_parser(
        "compare",
        help="List the cases on which two implementations' observations differ.",
        description="Run every selected case against implementations A and B (as "
        "--pixiconf-impl accepts them: reference, an entry point name, a path to "
        "a pixi binary or a program on PATH) and list the cases where what they "
        "observe differs (the observation, the failure and its message, the "
        "warnings), whatever the cases expect.  Exit 0 when every compared case "
        "is the same, 1 when some differ.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.add_argument("a", metavar="A", help="first implementation (e.g. reference)")
    compare.add_argument("b", metavar="B", help="second implementation (e.g. /usr/bin/pixi)")
    compare.add_argument(
        "--cases", metavar="DIR", help="corpus root (default: the corpus bundled with pixiconf)"
    )
    compare.add_argument(
        "-k",
        dest="select",
        action="append",
        default=[],
        metavar="TEXT",
        help="only cases whose ID contains TEXT (repeatable: any of them)",
    )
    compare.add_argument(
        "--ignore-messages",
        action="store_true",
        help="two failures are the same whatever their messages",
    )
    compare.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="time limit per case and implementation (default: 60)",
    )
    compare.add_argument("--json", action="store_true", help="print JSON instead of text")
    compare.set_defaults(handler=_run, parser=compare)
    return compare


def _selected(root: Path, select: Sequence[str]) -> list[Path]:
    from pixiconf.corpus.loader import case_id, iter_case_paths

    return [
        path
        for path in iter_case_paths(root)
        if not select or any(text in case_id(path, root) for text in select)
    ]


def _run(args: argparse.Namespace) -> int:
    from pixiconf.corpus.bundled import bundled_corpus
    from pixiconf.exit_codes import EXIT_FAILED, EXIT_OK
    from pixiconf.implementations.registry import load_implementation

    if args.cases is not None:
        root = Path(args.cases).resolve()
        if not (root / "features.txt").is_file():
            args.parser.error(f"--cases: not a corpus root (no features.txt): {args.cases}")
    else:
        root = bundled_corpus()
        if root is None:
            args.parser.error("this installation has no bundled corpus; pass --cases DIR")
    if not args.timeout > 0:
        args.parser.error("--timeout: expected a positive number of seconds")
    paths = _selected(root, args.select)
    if not paths:
        args.parser.error(f"no case of {root} matches -k {' -k '.join(args.select)}")
    implementations = []
    for name in (args.a, args.b):
        try:
            implementations.append(load_implementation(name))
        except Exception as exc:
            args.parser.error(f"{name}: {exc}")
    differences, skipped = _compare(root, paths, implementations, args)
    described = [_describe(i) for i in implementations]
    if args.json:
        print(
            json.dumps(
                _as_json(described, len(paths), differences, skipped), indent=2, ensure_ascii=False
            )
        )
    else:
        _print_text(described, len(paths), differences, skipped)
    return EXIT_FAILED if differences else EXIT_OK


def _compare(root: Path, paths: Iterable[Path], implementations: list, args) -> tuple:
    from contextlib import ExitStack

    from pixiconf.corpus.isolation import guard
    from pixiconf.corpus.loader import load_case
    from pixiconf.corpus.runner import run_case
    from pixiconf.corpus.schema import CaseError
    from pixiconf.reports.json_report import commands_of

    differences: list[Difference] = []
    skipped: list[tuple[str, str]] = []
    with ExitStack() as stack:
        guarded = [stack.enter_context(guard(i)) for i in implementations]
        for path in paths:
            case = load_case(path, root)
            if isinstance(case, CaseError):
                skipped.append((case.id, "malformed case: " + case.problems[0].describe()))
                continue
            results = [run_case(case, g, timeout=args.timeout) for g in guarded]
            sides = [side_of(r) for r in results]
            not_run = [
                (name, s) for name, s in zip("AB", sides, strict=True) if s.kind == "not run"
            ]
            if not_run:
                name, side = not_run[0]
                first = side.message.splitlines()[0] if side.message else ""
                skipped.append((case.id, f"not run by {name}: {first}"))
                continue
            difference = compare_results(case.id, *sides, messages=not args.ignore_messages)
            if difference.reasons:
                commands = {
                    n: commands_of(r.transcript) for n, r in zip("AB", results, strict=True)
                }
                differences.append(Difference(**{**difference.__dict__, "commands": commands}))
    return differences, skipped


def _describe(implementation: Any) -> dict[str, str]:
    try:
        version = implementation.version()
    except Exception as exc:  # a binary that cannot say its version still runs cases
        version = f"unknown ({exc})"
    return {
        "name": getattr(implementation, "name", type(implementation).__name__),
        "version": version,
    }


def _as_json(
    described: list, count: int, differences: list[Difference], skipped: list[tuple[str, str]]
) -> dict[str, Any]:
    return {
        "a": described[0],
        "b": described[1],
        "cases": count,
        "compared": count - len(skipped),
        "differ": [
            {
                "case": d.case_id,
                "reasons": list(d.reasons),
                "diff": d.diff,
                "a": d.a.as_json(),
                "b": d.b.as_json(),
                "commands": d.commands,
            }
            for d in differences
        ],
        "not-compared": [{"case": case, "reason": reason} for case, reason in skipped],
    }


def _print_text(
    described: list, count: int, differences: list[Difference], skipped: list[tuple[str, str]]
) -> None:
    from pixiconf.diagnostics import for_terminal

    out = [
        f"A: {described[0]['name']} ({described[0]['version']})",
        f"B: {described[1]['name']} ({described[1]['version']})",
    ]
    for d in differences:
        out.append(f"DIFFERS {d.case_id}")
        out += [f"  {reason}" for reason in d.reasons[:20]]
        if len(d.reasons) > 20:
            out.append(f"  ... ({len(d.reasons) - 20} more)")
        out += [f"    {line}" for line in d.diff.splitlines()]
    for case, reason in skipped:
        out.append(f"NOT COMPARED {case}: {reason}")
    out.append(
        f"{count - len(skipped)} cases compared, {len(differences)} differ, "
        f"{len(skipped)} not compared"
    )
    sys.stdout.write(for_terminal("\n".join(out)) + "\n")
