"""``pixiconf report``: summarise JSON reports, or merge the reports of a sharded run.

    pixiconf report out.json                         # totals per outcome and per area
    pixiconf report --merge a.json b.json c.json -o merged.json

Exit codes as the rest of the command line: 0 done, 2 a report is unusable or the reports
cannot be merged (different runs, a case in two reports, a shard missing).
"""

from __future__ import annotations

import argparse
import json
import sys

from .json_report import (
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
        "report", help="Summarise JSON reports of runs, or merge the reports of a sharded run.",
        description="Print the totals of each JSON report (pytest --pixiconf-report), or with "
                    "--merge join the reports of the shards of one run (pytest "
                    "--pixiconf-shard K/N) into one report: the reports must be of the same "
                    "contract, corpus version, implementation and expectation file, and no "
                    "case may be in two of them.",
        epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("reports", nargs="+", metavar="REPORT", help="a JSON report")
    report.add_argument("--merge", action="store_true",
                        help="join the reports into one (written to -o, or printed)")
    report.add_argument("-o", "--output", metavar="FILE",
                        help="where --merge writes the merged report (default: stdout)")
    report.set_defaults(handler=_run, parser=report)
    return report


def _run(args: argparse.Namespace) -> int:
    from ..cli import EXIT_OK, EXIT_USAGE

    try:
        loaded = [(name, load_report(name)) for name in args.reports]
        if args.merge:
            merged = merge_reports(loaded)
        elif args.output:
            raise ReportError("-o/--output is only used with --merge")
    except ReportError as exc:
        print(f"pixiconf report: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not args.merge:
        for name, report in loaded:
            print(_summary(name, report))
        return EXIT_OK
    if args.output:
        write_report(args.output, merged)
        all_ = merged["totals"]["all"]
        print(f"pixiconf report: merged {len(loaded)} reports ({all_['total']} cases) into "
              f"{args.output}", file=sys.stderr)
    else:
        print(json.dumps(merged, indent=2, ensure_ascii=False))
    return EXIT_OK


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
