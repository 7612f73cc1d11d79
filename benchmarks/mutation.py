"""Mutation score: does the corpus tell the reference from deliberately wrong variants of it?

For every mutant of :mod:`pixiconf.implementations.mutants` the corpus runs against the
reference with the mutant installed, in process; a mutant is *killed* when at least one case
that passes against the reference fails (or errors) under it.  Prints, per mutant,
killed/survived and how many cases killed it, then the kill rate and the survivors.

Speed: a coverage pass first records which cases call each mutant's target function (the
reference's memo caches emptied before every case, so a cached result never hides a call);
a mutant then runs only those cases, which are the only ones it can change.  ``--full`` runs
every case for every mutant instead.  Each mutant runs in a fresh forked process (``-j``
of them at a time), so a mutant never leaks into the next one.

``--via-shim`` also runs the chosen mutants through the real ``pixiconf-pixi`` subprocess
and the pixi adapter (``PIXICONF_MUTANT`` set by a wrapper script), on their area's cases
only.

Run: python benchmarks/mutation.py [--cases DIR] [--mutant ID ...] [--area AREA ...]
                                   [--full] [-j N] [--via-shim] [--list]
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pixiconf.corpus import mutation  # noqa: E402
from pixiconf.corpus.loader import iter_case_paths, load_case  # noqa: E402
from pixiconf.implementations import mutants  # noqa: E402

#: Reference modules imported before forking, so every child starts warm.
WARM_MODULES = (
    "pixiconf.operations.workspace",
    "pixiconf.operations.build",
    "pixiconf.operations.lock",
    "pixiconf.pixibuild.recipe",
    "pixiconf.pixibuild.variants",
    "pixiconf.pixibuild.pypi_mapping",
    "pixiconf.lock.solve",
    "pixiconf.lock.satisfiability",
    "pixiconf.implementations.reference",
)

#: The loaded corpus inside a forked child (set by :func:`_init`, inherited, never pickled).
_CHILD: dict[str, list] = {}

SUMMARY = re.compile(r"(\d+) (passed|failed|skipped|errors?)")


def _load(corpus: Path) -> list:
    return [load_case(path, corpus) for path in iter_case_paths(corpus)]


# ------------------------------------------------------------------------------- children


def _init(cases: list) -> None:
    _CHILD["cases"] = cases


def _coverage(targets: Sequence[str]) -> tuple[dict[str, list[int]], list[str]]:
    """Which cases call each target, and the outcome of every case against the reference."""
    cases = _CHILD["cases"]
    from pixiconf.corpus.runner import run_case
    from pixiconf.implementations.reference import ReferenceImplementation

    current: list[int] = [-1]
    calls: dict[str, set[int]] = {target: set() for target in targets}
    spies = []
    for target in targets:
        owner, name, original = mutants.resolve_target(target)

        def spy(*args, _original=original, _seen=calls[target], **kwargs):
            _seen.add(current[0])
            return _original(*args, **kwargs)

        spies.append((owner, name, original))
        setattr(owner, name, functools.wraps(original)(spy))
    implementation = ReferenceImplementation()
    outcomes = []
    try:
        for index, case in enumerate(cases):
            mutants.clear_caches()
            current[0] = index
            outcomes.append(str(run_case(case, implementation).outcome))
    finally:
        for owner, name, original in spies:
            setattr(owner, name, original)
    return {t: sorted(seen) for t, seen in calls.items()}, outcomes


def _run_mutant(job: tuple[str, list[int]]) -> tuple[str, list[str], float]:
    mutant_id, indices = job
    cases = _CHILD["cases"]
    start = time.perf_counter()
    results = mutation.run_cases(mutant_id, [cases[i] for i in indices], timeout=30.0)
    return mutant_id, mutation.kills(results), time.perf_counter() - start


# ---------------------------------------------------------------------------------- shim


def _via_shim(chosen: Sequence[mutants.Mutant], corpus: Path) -> dict[str, tuple[int, int]]:
    """``{id: (failed, ran)}`` of each mutant's area run through the shim."""
    shim = shutil.which("pixiconf-pixi") or str(Path(sys.executable).parent / "pixiconf-pixi")
    results = {}
    with tempfile.TemporaryDirectory(prefix="pixiconf-mutation-") as tmp:
        for mutant in chosen:
            # Named like the shim: it only stands in for a backend called pixiconf-pixi*.
            wrapper = Path(tmp) / f"pixiconf-pixi-{mutant.id}"
            wrapper.write_text(f"#!/bin/sh\nPIXICONF_MUTANT='{mutant.id}' exec '{shim}' \"$@\"\n")
            wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:randomly",
                    "-p",
                    "no:cacheprovider",
                    "--pixiconf-cases",
                    str(corpus / mutant.area),
                    "--pixiconf-impl",
                    str(wrapper),
                    "--pixiconf-backend",
                    str(wrapper),
                ],
                cwd=tmp,
                capture_output=True,
                text=True,
                check=False,
            )
            counts = {
                kind.rstrip("s"): int(n)
                for n, kind in SUMMARY.findall(proc.stdout.splitlines()[-1] if proc.stdout else "")
            }
            failed = counts.get("failed", 0) + counts.get("error", 0)
            results[mutant.id] = (failed, failed + counts.get("passed", 0))
    return results


# ---------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=Path, default=REPO / "cases", help="corpus directory")
    parser.add_argument(
        "--mutant",
        action="append",
        default=[],
        metavar="ID",
        help="run only this mutant (repeatable)",
    )
    parser.add_argument(
        "--area", action="append", default=[], help="run only the mutants of this area (repeatable)"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="run every case for every mutant (no coverage selection)",
    )
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--via-shim",
        action="store_true",
        help="also run the chosen mutants through the pixiconf-pixi subprocess",
    )
    parser.add_argument("--list", action="store_true", help="print the catalogue and exit")
    args = parser.parse_args(argv)

    catalogue = list(mutants.CATALOGUE.values())
    if args.list:
        for m in catalogue:
            print(f"{m.id:50} {m.description}")
        return 0
    try:
        chosen = [mutants.get(i) for i in args.mutant] or catalogue
    except KeyError as exc:
        parser.error(exc.args[0])
    if args.area:
        chosen = [m for m in chosen if m.area in args.area]
    corpus = args.cases.resolve()
    wall = time.perf_counter()
    cases = _load(corpus)
    for module in WARM_MODULES:
        __import__(module)
    context = multiprocessing.get_context("fork")
    targets = sorted({t for m in chosen for t in m.targets})
    start = time.perf_counter()
    with context.Pool(1, initializer=_init, initargs=(cases,)) as pool:
        coverage, outcomes = pool.apply(_coverage, (targets,))
    coverage_time = time.perf_counter() - start
    failing = [c.id for c, o in zip(cases, outcomes, strict=True) if o not in ("pass", "skip")]
    print(
        f"corpus: {len(cases)} cases in {corpus}; {len(chosen)} mutants; "
        f"coverage pass {coverage_time:.1f} s"
    )
    if failing:
        print(
            f"warning: {len(failing)} cases do not pass against the reference and are left "
            f"out: {', '.join(failing)}",
            file=sys.stderr,
        )
    usable = [i for i, o in enumerate(outcomes) if o == "pass"]
    allowed = set(usable)
    jobs = [
        (
            m.id,
            usable
            if args.full
            else sorted({i for t in m.targets for i in coverage[t] if i in allowed}),
        )
        for m in chosen
    ]
    results: dict[str, tuple[list[str], float, int]] = {}
    with context.Pool(
        max(1, args.jobs), initializer=_init, initargs=(cases,), maxtasksperchild=1
    ) as pool:
        for (mutant_id, killers, seconds), (_, indices) in zip(
            pool.imap(_run_mutant, jobs), jobs, strict=True
        ):
            results[mutant_id] = (killers, seconds, len(indices))
            verdict = "killed  " if killers else "SURVIVED" if indices else "UNREACHED"
            print(
                f"{verdict:8} {mutant_id:50} {len(killers):4}/{len(indices):<4} cases "
                f"{seconds:5.1f} s",
                flush=True,
            )
    killed = [m for m in chosen if results[m.id][0]]
    survivors = [m for m in chosen if not results[m.id][0]]
    print(
        f"\nkill rate: {len(killed)}/{len(chosen)} = {100 * len(killed) / len(chosen):.1f}% "
        f"in {time.perf_counter() - wall:.1f} s"
    )
    if survivors:
        print("survivors:")
        for m in survivors:
            print(f"  {m.id}: {m.description}")
    if args.via_shim:
        print("\nthrough the pixiconf-pixi shim (each mutant on its area's cases):")
        for mutant_id, (failed, ran) in _via_shim(chosen, corpus).items():
            verdict = "killed  " if failed else "SURVIVED" if ran else "UNOBSERVED"
            print(f"{verdict:8} {mutant_id:50} {failed:4}/{ran:<4} cases")
    return 0 if not survivors else 1


if __name__ == "__main__":
    sys.exit(main())
