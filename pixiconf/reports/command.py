"""``pixiconf report``: summarise JSON reports, or merge the reports of a sharded run.

    pixiconf report out.json                         # totals per outcome and per area
    pixiconf report --merge a.json b.json c.json -o merged.json
    pixiconf report pixi-0.76.json pixi-0.77.json --html site/   # site/index.html

Exit codes as the rest of the command line: 0 done, 2 a report is unusable or the reports
cannot be merged (different runs, a case in two reports, a shard missing).
"""

from __future__ import annotations

import argparse
import json
import sys

from pixiconf.reports.json_report import (
    OUTCOMES,
    ReportError,
    load_report,
    merge_reports,
    totals,
    write_report,
)

__all__ = ["add_report_command"]


def add_report_command(commands, epilog: str) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to the ``pixiconf`` parser's ``commands``."""
    report = commands.add_parser(
        "report",
        help="Summarise JSON reports of runs, or merge the reports of a sharded run.",
        description="Print the totals of each JSON report (pytest --pixiconf-report), or with "
        "--merge join the reports of the shards of one run (pytest "
        "--pixiconf-shard K/N) into one report: the reports must be of the same "
        "contract, corpus version, implementation and expectation file, and no "
        "case may be in two of them.  --html DIR writes a static page (no server, "
        "no network): totals, areas x outcomes, every case that did not pass with "
        "its diff and commands, and with several reports the cases whose outcome "
        "differs between them.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("reports", nargs="+", metavar="REPORT", help="a JSON report")
    report.add_argument(
        "--merge", action="store_true", help="join the reports into one (written to -o, or printed)"
    )
    report.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where --merge writes the merged report (default: stdout)",
    )
    report.add_argument(
        "--html",
        metavar="DIR",
        help="write a static page of the reports, side by side, to "
        "DIR/index.html (with --merge: of the merged report)",
    )
    report.set_defaults(handler=_run, parser=report)
    return report


def _run(args: argparse.Namespace) -> int:
    from pixiconf.exit_codes import EXIT_OK, EXIT_USAGE

    try:
        loaded = [(name, load_report(name)) for name in args.reports]
        if args.merge:
            merged = merge_reports(loaded)
        elif args.output:
            raise ReportError("-o/--output is only used with --merge")
    except ReportError as exc:
        print(f"pixiconf report: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.html:
        try:
            page = _write_html(
                args.html, [(args.output or "merged", merged)] if args.merge else loaded
            )
        except OSError as exc:
            print(f"pixiconf report: error: cannot write {args.html}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"pixiconf report: wrote {page}", file=sys.stderr)
        if args.merge and args.output:
            write_report(args.output, merged)
        return EXIT_OK
    if not args.merge:
        for name, report in loaded:
            print(_summary(name, report))
        return EXIT_OK
    if args.output:
        write_report(args.output, merged)
        all_ = merged["totals"]["all"]
        print(
            f"pixiconf report: merged {len(loaded)} reports ({all_['total']} cases) into "
            f"{args.output}",
            file=sys.stderr,
        )
    else:
        print(json.dumps(merged, indent=2, ensure_ascii=False))
    return EXIT_OK


def _labels(names: list[str]) -> list[str]:
    """Each report's file name, or its path where two reports share a name."""
    from pathlib import Path

    short = [Path(name).name for name in names]
    return [s if short.count(s) == 1 else name for s, name in zip(short, names, strict=True)]


def _write_html(directory: str, loaded: list[tuple[str, dict]]):
    from pixiconf.reports.html_report import Column, write_site

    labels = _labels([name for name, _ in loaded])
    return write_site(
        directory,
        [Column(label, report) for label, (_, report) in zip(labels, loaded, strict=True)],
    )


def _counts(counts: dict) -> str:
    return ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts.get(o))


def _summary(name: str, report: dict) -> str:
    impl = report.get("implementation") or {}
    shard = report.get("shard")
    counted = totals(report["cases"])
    lines = [
        f"{name}: {impl.get('name')} ({impl.get('version')}), corpus "
        f"{report.get('corpus-version')}, contract {report.get('contract')}"
        + (f", shard {shard['index']}/{shard['count']}" if shard else ""),
        f"  {counted['all']['total']} cases: {_counts(counted['all'])}",
    ]
    for area, counts in counted["areas"].items():
        lines.append(f"  {area or '(root)'}: {_counts(counts)}")
    return "\n".join(lines)
