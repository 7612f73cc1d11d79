"""The ``pixiconf`` command line: run the reference on a real directory, run case files, lint.

Only wiring and output formatting live here; the work is done by
:mod:`pixiconf.implementations` (operations) and :mod:`pixiconf.corpus` (cases, lint).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pixiconf import CONTRACT_VERSION, PIXI_VERSION, __version__
from pixiconf.diagnostics import UNSAFE_FOR_TERMINAL, for_terminal
from pixiconf.exit_codes import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNSUPPORTED,
    EXIT_USAGE,
)
from pixiconf.yaml_output import dump_yaml

#: Variables copied from the process environment for the workspace commands, besides ``PIXI_*``.
PASSED_ENV = ("PATH", "HOME")

_EXIT_CODES = """\
exit codes:
  0  success (run-case: every case passed; lint: no problems)
  1  the operation failed (run-case: some case did not pass; lint: problems found)
  2  usage error, or an unusable input (missing directory, unreadable case file)
  3  the operation is not supported by the implementation
  130  interrupted (Ctrl-C)
"""

_ENV_NOTE = """\
The workspace commands run the reference implementation with the given directory (--cwd,
default the current directory) as the workspace root and working directory.  The operation
sees only PIXI_* variables, PATH and HOME from the process environment (so PIXI_PROJECT_MANIFEST
and PIXI_IN_SHELL behave as in pixi).  A relative --manifest-path is taken from --cwd.
The observation is printed on stdout (YAML, or JSON with --json); errors and warnings, as
rendered by the implementation, go to stderr.
"""


# --------------------------------------------------------------------------- output


def _plain(value: Any) -> Any:
    """Plain data for YAML/JSON: mappings → dicts, tuples → lists, anything else → its repr."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {
            k if isinstance(k, str | int | float | bool) else str(k): _plain(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return repr(value)  # e.g. the !any/!absent tokens render as their tags


def _unicode_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _stdout_takes_unicode() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or ""
    return encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")


@contextlib.contextmanager
def _deep_recursion() -> Iterator[None]:
    """Room for the YAML representer, three Python frames per level: a manifest nests values
    up to tomli's 400 levels, past the default recursion limit of 1,000 frames (Python
    frames, not C stack, on 3.11+)."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, 10_000))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _dump(value: Any, as_json: bool) -> str:
    """``value`` as JSON or YAML for stdout.  What a terminal would act on (control
    characters, bidirectional overrides, lone surrogates from non-UTF-8 file names) is
    escaped as the format escapes it, so the output is also valid on a strict UTF-8 stdout;
    on a stdout that is not UTF-8 everything beyond ASCII is escaped."""
    unicode = _stdout_takes_unicode()
    with _deep_recursion():
        if as_json:
            text = json.dumps(_plain(value), indent=2, ensure_ascii=not unicode) + "\n"
        else:
            text = dump_yaml(_plain(value), allow_unicode=unicode)
    # Only strings hold these, inside JSON strings or double-quoted YAML scalars: \uXXXX is
    # an escape in both.
    return UNSAFE_FOR_TERMINAL.sub(_unicode_escape, text)


def _write(value: Any, as_json: bool) -> None:
    """Print ``value`` (:func:`_dump`).  A lock observation whose ``packages`` is a
    :class:`~pixiconf.operations.lock.LockPackages` (a large lock file) is printed piece by
    piece, as YAML: the head, then each piece's items, the same text as the whole value's
    (block sequences in a mapping are not indented, every item starts a line with ``- ``),
    with one piece's values in memory at a time.  JSON gets the whole list."""
    from pixiconf.operations.lock import LockPackages

    packages = value.get("packages") if isinstance(value, dict) else None
    if not isinstance(packages, LockPackages):
        sys.stdout.write(_dump(value, as_json))
        return
    if as_json or next(reversed(value)) != "packages" or not packages:
        sys.stdout.write(_dump({**value, "packages": list(packages)}, as_json))
        return
    head = {key: item for key, item in value.items() if key != "packages"}
    if head:
        sys.stdout.write(_dump(head, False))
    sys.stdout.write("packages:\n")
    for piece in packages.pieces():
        text = _dump({"packages": piece}, False)
        assert text.startswith("packages:\n"), "a non-empty list in a mapping"
        sys.stdout.write(text[len("packages:\n") :])


def _err(text: str) -> None:
    print(for_terminal(text), file=sys.stderr)


# --------------------------------------------------------------------------- workspace commands


#: Commands that take a package PATH and --platform.
PACKAGE_COMMANDS = {
    "recipe": "Print the recipe pixi-build-python generates for a package.",
    "variants": "Print the variants of a package and their build strings.",
    "map-pypi": "Print a package's pyproject dependencies mapped to conda specs.",
}


def _workspace_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("PIXI_") or k in PASSED_ENV}


def _run_workspace_op(args: argparse.Namespace) -> int:
    from pixiconf.operations.request import OperationRequest

    cwd = Path(os.path.abspath(args.cwd if args.cwd is not None else os.getcwd()))
    if not cwd.is_dir():
        args.parser.error(f"--cwd: not a directory: {args.cwd}")
    op_args: dict[str, Any] = {}
    if args.manifest_path is not None:
        op_args["manifest-path"] = args.manifest_path
    if args.command == "resolve":
        op_args["platform"] = args.platform
        if args.environment is not None:
            op_args["environment"] = args.environment
    if args.command in PACKAGE_COMMANDS:
        op_args.update(platform=args.platform, package=args.package)
    table = None
    if getattr(args, "pypi_mapping", None):
        from pixiconf.diagnostics import DiagnosticError
        from pixiconf.pixibuild.pypi_mapping import load_mapping_table

        try:
            table = load_mapping_table(args.pypi_mapping)
        except DiagnosticError as exc:
            _err(exc.render())
            return EXIT_USAGE
    return _run_request(
        args,
        OperationRequest(
            op=args.command,
            args=op_args,
            workspace_root=cwd,
            cwd=cwd,
            env=_workspace_env(),
            confined=False,
            pypi_mapping=table,
        ),
    )


def _run_request(args: argparse.Namespace, request: Any) -> int:
    from pixiconf.implementations.base import Failed, Observed, Unsupported
    from pixiconf.implementations.reference import ReferenceImplementation

    implementation = ReferenceImplementation()
    try:
        outcome = implementation.run(request)
    except Exception as exc:
        _err(
            f"pixiconf: internal error in the {implementation.name} implementation: "
            f"{type(exc).__name__}: {exc}"
        )
        return EXIT_FAILED
    if isinstance(outcome, Unsupported):
        _err(f"pixiconf: {args.command}: unsupported by {implementation.name}: {outcome.reason}")
        return EXIT_UNSUPPORTED
    for text in outcome.warnings:
        _err(text)
    if isinstance(outcome, Failed):
        _err(outcome.message)
        return EXIT_FAILED
    assert isinstance(outcome, Observed)
    _write(outcome.value, args.json)
    if args.command == "lock-check" and not outcome.value.get("satisfiable", False):
        return EXIT_FAILED  # like `pixi lock --check`: an out-of-date lock fails
    return EXIT_OK


def _run_package_op(args: argparse.Namespace) -> int:
    """``recipe|variants|map-pypi PATH``: PATH is a package manifest or a directory holding
    one; the workspace is discovered from it like pixi's ``--manifest-path`` does."""
    path = Path(os.path.abspath(args.path))
    if path.is_dir():
        path = next(
            (path / n for n in ("pixi.toml", "pyproject.toml") if (path / n).is_file()), path
        )
    if not path.is_file():
        args.parser.error(f"no pixi.toml or pyproject.toml at {args.path}")
    args.cwd, args.manifest_path, args.package = str(path.parent), str(path), str(path)
    return _run_workspace_op(args)


def _run_build_string(args: argparse.Namespace) -> int:
    """``build-string --variant k=v ...``: the hash and build string of a used variant."""
    from pixiconf.operations.request import OperationRequest

    variant: dict[str, str] = {}
    for item in args.variant:
        key, sep, value = item.partition("=")
        if not sep or not key:
            args.parser.error(f"--variant expects KEY=VALUE, got {item!r}")
        variant[key] = value
    op_args: dict[str, Any] = {"variant": variant, "build-number": args.build_number}
    if args.noarch is not None:
        op_args["noarch"] = args.noarch
    if args.prefix is not None:
        op_args["prefix"] = args.prefix
    cwd = Path(os.getcwd())
    return _run_request(
        args,
        OperationRequest(
            op="build-string", args=op_args, workspace_root=cwd, cwd=cwd, env={}, confined=False
        ),
    )


# --------------------------------------------------------------------------- run-case


def _corpus_root(path: Path) -> Path:
    """The nearest directory above ``path`` holding ``features.txt``, else its directory."""
    for parent in path.parents:
        if (parent / "features.txt").is_file():
            return parent
    return path.parent


def _case_files(given: Sequence[str], root: str | None) -> list[tuple[Path, Path]] | str:
    """``(file, corpus root)`` for every case to run, or a message for an unusable input."""
    from pixiconf.corpus.loader import iter_case_paths

    out: list[tuple[Path, Path]] = []
    root_path = Path(os.path.abspath(root)) if root is not None else None
    if root_path is not None and not root_path.is_dir():
        return f"--root: not a directory: {root}"
    for name in given:
        path = Path(os.path.abspath(name))
        if path.is_dir():
            base = root_path or (path if (path / "features.txt").is_file() else _corpus_root(path))
            if base != path and base not in path.parents:
                return f"{name}: not inside --root {root}"
            found = [(p, base) for p in iter_case_paths(path)]
            if not found:
                return f"no case files found in {name}"
            out += found
            continue
        from pixiconf.corpus.loader import not_a_regular_file

        why = not_a_regular_file(path)
        if why is not None:
            return f"case file {name} {why}"
        base = root_path or _corpus_root(path)
        if base not in path.parents:
            return f"{name}: not inside --root {root}"
        out.append((path, base))
    return out


def _case_report(result: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "case": result.case_id,
        "file": str(result.path) if result.path is not None else None,
        "outcome": result.outcome.name,
    }
    if result.observed:
        entry["observation"] = result.observation
    if result.message:
        entry["message"] = result.message
    if result.mismatches:
        entry["mismatches"] = list(result.mismatches)
    if result.diff:
        entry["diff"] = result.diff
    if result.warnings:
        entry["warnings"] = list(result.warnings)
    return entry


def _run_cases(args: argparse.Namespace) -> int:
    from pixiconf.corpus.isolation import guard
    from pixiconf.corpus.loader import load_case
    from pixiconf.implementations.registry import load_implementation

    files = _case_files(args.files, args.root)
    if isinstance(files, str):
        args.parser.error(files)
    try:
        implementation = load_implementation(args.impl)
    except Exception as exc:
        args.parser.error(f"--impl: {exc}")
    reports: list[dict[str, Any]] = []
    failed = False
    with guard(implementation) as guarded:  # --timeout holds for every implementation
        for path, root in files:
            failed |= _run_one(args, load_case(path, root), guarded, reports)
    if args.json:
        sys.stdout.write(_dump(reports, as_json=True))
    return EXIT_FAILED if failed else EXIT_OK


def _run_one(
    args: argparse.Namespace, case: Any, implementation: Any, reports: list[dict[str, Any]]
) -> bool:
    """Run one case; print its report (or keep it for --json); True when it did not pass."""
    from pixiconf.corpus.runner import CaseOutcome, error_result, run_case

    try:
        result = run_case(case, implementation, timeout=args.timeout)
    except Exception as exc:
        result = error_result(
            case, implementation.name, f"the runner raised {type(exc).__name__}: {exc}"
        )
    report = _case_report(result)
    if args.json:
        reports.append(report)
    else:  # stream: the concatenated items form one YAML list
        sys.stdout.write(_dump([report], as_json=False))
        sys.stdout.flush()
    return result.outcome is not CaseOutcome.PASS


# --------------------------------------------------------------------------- lint


def _lint(args: argparse.Namespace) -> int:
    from pixiconf.corpus.lint import lint_corpus

    root = Path(args.corpus_dir)
    if not root.is_dir():
        args.parser.error(f"not a directory: {args.corpus_dir}")
    problems = lint_corpus(root)
    for problem in problems:
        print(for_terminal(str(problem)))
    if problems:
        _err(f"pixiconf lint: {len(problems)} problem(s) in {args.corpus_dir}")
        return EXIT_FAILED
    _err(f"pixiconf lint: no problems in {args.corpus_dir}")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """An argument parser whose messages (usage errors quote arguments and paths) are shown
    with control characters escaped; its sub-command parsers are of this class too."""

    def _print_message(self, message: str, file: Any = None) -> None:
        super()._print_message(for_terminal(message) if message else message, file)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pixiconf",
        description="Conformance suite and reference implementation of pixi "
        f"{PIXI_VERSION}'s manifest rules.",
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"pixiconf {__version__} (pixi {PIXI_VERSION} semantics, "
        f"case contract {CONTRACT_VERSION})",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def workspace_command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=f"{help_text}\n\n{_ENV_NOTE}",
            epilog=_EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument(
            "--manifest-path",
            metavar="P",
            help="manifest file or directory holding one, as pixi's option",
        )
        sub.add_argument(
            "--cwd",
            metavar="DIR",
            help="directory to run from, also the workspace root (default: .)",
        )
        sub.add_argument("--json", action="store_true", help="print JSON instead of YAML")
        sub.set_defaults(handler=_run_workspace_op, parser=sub)
        return sub

    workspace_command("discover", "Print the workspace manifest a pixi command would use.")
    workspace_command("check", "Load the manifest and print its warnings.")
    workspace_command("environments", "Print the environments of the workspace.")
    workspace_command(
        "lock",
        "Solve every environment offline and write pixi.lock "
        "(local file:// channels only); print the lock file.",
    )
    workspace_command(
        "lock-check",
        "Check whether pixi.lock is still up to date with the "
        "manifest; print {satisfiable, reasons}; exit 1 if not.",
    )
    resolve = workspace_command("resolve", "Print an environment as resolved for one platform.")
    resolve.add_argument("--platform", required=True, metavar="P", help="e.g. linux-64")
    resolve.add_argument(
        "-e", "--environment", metavar="NAME", help="environment name (default: default)"
    )

    for name, summary in PACKAGE_COMMANDS.items():
        package = commands.add_parser(
            name,
            help=summary,
            description=f"{summary}  PATH is a manifest with a [package] table, or a directory "
            "holding one; the workspace is discovered from it as pixi's "
            "--manifest-path does.  The operation sees only PIXI_* variables, PATH "
            "and HOME.  The result is printed on stdout (YAML, or JSON with --json); "
            "errors and warnings go to stderr.  No network is used: the PyPI to "
            "conda mapping service is replaced by --pypi-mapping FILE, a JSON object "
            "of PyPI name to conda name or false.",
            epilog=_EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        package.add_argument("path", metavar="PATH", help="package manifest or its directory")
        package.add_argument("--platform", required=True, metavar="P", help="e.g. linux-64")
        package.add_argument(
            "--pypi-mapping", metavar="FILE", help="offline PyPI to conda mapping table (JSON)"
        )
        output = package.add_mutually_exclusive_group()
        output.add_argument(
            "--yaml", dest="json", action="store_false", help="print YAML (default)"
        )
        output.add_argument(
            "--json", dest="json", action="store_true", help="print JSON instead of YAML"
        )
        package.set_defaults(handler=_run_package_op, parser=package, json=False)

    build_string = commands.add_parser(
        "build-string",
        help="Print the hash and build string of a used variant.",
        description="Print the rattler-build hash and build string of a used variant, e.g. "
        "pixiconf build-string --variant python=3.11 --variant target_platform=linux-64",
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build_string.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a used variant key and its value (repeatable)",
    )
    build_string.add_argument(
        "--noarch", choices=("python", "generic"), help="apply rattler-build's noarch rules"
    )
    build_string.add_argument(
        "--build-number", type=int, default=0, metavar="N", help="build number (default: 0)"
    )
    build_string.add_argument("--prefix", metavar="P", help="pixi's build-string prefix")
    build_string.add_argument("--json", action="store_true", help="print JSON instead of YAML")
    build_string.set_defaults(handler=_run_build_string, parser=build_string)

    run = commands.add_parser(
        "run-case",
        help="Run case files and report each case's outcome.",
        description="Run case files (or every case below a directory) and print, per case, "
        "its ID, outcome (PASS, FAIL, ERROR, SKIP, TIMEOUT) and the observation or "
        "message.  Case IDs are relative to --root, default the nearest parent "
        "directory holding features.txt, else the file's own directory.",
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("files", nargs="+", metavar="FILE", help="case file or corpus directory")
    run.add_argument(
        "--impl", default="reference", help="implementation to run against (default: reference)"
    )
    run.add_argument("--root", metavar="DIR", help="corpus root the case IDs are relative to")
    run.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="time limit per case for external implementations (default: 60)",
    )
    run.add_argument("--json", action="store_true", help="print JSON instead of YAML")
    run.set_defaults(handler=_run_cases, parser=run)

    lint = commands.add_parser(
        "lint",
        help="Lint a case corpus (schema, IDs, descriptions, feature tags).",
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lint.add_argument(
        "corpus_dir",
        nargs="?",
        default="cases",
        metavar="CORPUS_DIR",
        help="corpus root holding features.txt (default: cases)",
    )
    lint.set_defaults(handler=_lint, parser=lint)

    from pixiconf.reports.command import add_report_command

    add_report_command(commands, _EXIT_CODES)

    from pixiconf.reports.compare import add_compare_command

    add_compare_command(commands, _EXIT_CODES)

    from pixiconf.containers.command import add_containers_command

    add_containers_command(commands, _EXIT_CODES)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; ``argv`` defaults to ``sys.argv[1:]`` (the console script).

    Ctrl-C ends any command with one line on stderr and exit code 130, no traceback.  The
    console script (``argv`` not given) then leaves at once (``os._exit``): a solve still
    running in rattler's threads is abandoned instead of panicking while the interpreter
    shuts down.  A ``pixi.lock`` is written atomically (:mod:`pixiconf.lock.write`), so an
    interrupt leaves the previous one, or none, and no temporary file.
    """
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except SystemExit as exc:  # argparse: --help, --version and usage errors
        return (
            exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)
        )
    except BrokenPipeError:
        # The reader went away (``pixiconf report x.json | head``): stop quietly, as a Unix
        # filter does.  stdout is pointed at devnull so the interpreter's final flush cannot
        # raise again (Python docs, "Note on SIGPIPE").
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except KeyboardInterrupt:
        _err("pixiconf: interrupted")
        if argv is None:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
