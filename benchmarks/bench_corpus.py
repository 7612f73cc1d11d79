"""Benchmark: the corpus against the reference, through the plugin and without it.

Prints
* cases/s for the plugin run with ``-n 0`` and ``-n 2`` (``REPEAT`` runs of each, alternating;
  wall time of the whole pytest process, medians) and the speed-up of ``-n 2`` over ``-n 0``;
* the CPU time (user + system) of each run, all its processes together (pytest, xdist
  workers, the reference's worker processes), medians, and what they allow: on a machine with
  two idle cores ``-n 2`` can be at most ``2 * CPU(-n 0) / CPU(-n 2)`` times faster than
  ``-n 0``.  On a loaded machine the wall times say little; the CPU times still compare, and
  the load averages before and after are printed;
* the plugin's per-case overhead: the same work (load a case, materialise it, run the
  reference, match) done by a bare ``@pytest.mark.parametrize`` test over the same files,
  compared with the plugin's items, both as timed by pytest itself (startup excluded);
* the raw runner loop (no pytest at all), for scale;
* xdist's own floor: as many empty parametrised tests as there are cases, with ``-n 0`` and
  ``-n 2``.  What ``-n 2`` adds to nothing is what it adds to every run of that many items;
  with the plugin's work at ``-n 0`` split over two workers on top of it, the best ``-n 2`` can
  do is printed.

Run: python benchmarks/bench_corpus.py [CORPUS_DIR] [REPEAT] [--pycache DIR]

``--pycache DIR`` runs the pytest processes with bytecode caching in DIR
(``PYTHONPYCACHEPREFIX``, without ``PYTHONDONTWRITEBYTECODE``), as on a usual machine: with
``PYTHONDONTWRITEBYTECODE=1`` every process compiles every module it imports (pytest rewrites
the assertions of pixiconf, xdist, hypothesis and syrupy too), a cost each xdist worker and
each reference worker pays again.

Measured on an idle machine (2 cores, load 0.7, ``--pycache``, medians of 3): ``-n 0`` 9.2 s
wall / 8.8 s CPU, ``-n 2`` 8.1 s wall / 13.7 s CPU: 1.13x; the CPU allows at most 1.29x.
xdist alone takes 1.2 s for 1338 empty tests at ``-n 0`` and 2.4 s at ``-n 2``: with the
plugin's 8 s of work split in two on top of that, ``-n 2`` cannot beat 1.44x here, whatever
the plugin does per case.  (A case is about 3 ms of reference work; xdist's six messages per
test cost the controller about a millisecond per test.)

Earlier, measured (1338 cases, 2 cores shared with other work; medians of 3, ``--pycache``): load
0.2 at the start: ``-n 0`` 7.8 s wall / 7.3 s CPU, ``-n 2`` 7.4 s wall / 12.1 s CPU: 1.05x,
at most 1.21x on two idle cores; load 1.0-1.7: 1.15x (CPU 8.4 s / 12.3 s, at most 1.38x).
Without the bytecode cache (load 1.5-1.7): 1.28x (CPU 11.4 s / 15.4 s, at most 1.48x).
What ``-n 2`` adds, about 4-5 s of CPU (per process, from ``resource.getrusage`` at the
hooks): the xdist controller, 2.1-2.6 s (start 0.4 s; 0.9 ms per case for the six messages
xdist sends per test: logstart, three reports, logfinish, protocol-complete; 0.5 s at the
end, mostly hypothesis' terminal summary importing hypothesis and pytest's removal of old
basetemps); the second worker's start and collection, 0.9 s (collection 0.5 s: pytest's
nodes for 1338 files); the second reference worker process, 0.5 s (its imports); the
serialisation of the reports in the workers, 0.5 s.  The tag scan of collection is 0.1 s
per process (not worth a cache).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pixiconf.corpus.loader import iter_case_paths, load_case  # noqa: E402
from pixiconf.corpus.runner import run_case  # noqa: E402
from pixiconf.implementations import load_implementation  # noqa: E402

SUMMARY = re.compile(r"(\d+) passed.* in ([0-9.]+)s")

BARE_TEST = textwrap.dedent("""
    import pytest
    from pathlib import Path
    from pixiconf.corpus.loader import iter_case_paths, load_case
    from pixiconf.corpus.runner import run_case, CaseOutcome
    from pixiconf.implementations import load_implementation

    ROOT = Path({root!r})
    PATHS = list(iter_case_paths(ROOT))
    IMPL = load_implementation("reference")

    @pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
    def test_case(path):
        result = run_case(load_case(path, ROOT), IMPL)
        assert result.outcome in (CaseOutcome.PASS, CaseOutcome.SKIP), result.outcome
""")


EMPTY_TEST = textwrap.dedent("""
    import pytest

    @pytest.mark.parametrize("i", range({count}))
    def test_empty(i):
        pass
""")


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pytest_run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, float]:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    match = SUMMARY.search(proc.stdout.splitlines()[-1] if proc.stdout else "")
    if not match:
        raise SystemExit(f"pytest did not pass:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return int(match.group(1)), float(match.group(2))


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=REPO / "cases")
    parser.add_argument("repeat", nargs="?", type=int, default=3)
    parser.add_argument("--pycache", type=Path, default=None, help="bytecode cache directory")
    options = parser.parse_args()
    corpus, repeat = options.corpus.resolve(), options.repeat
    env = dict(os.environ)
    if options.pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(options.pycache.resolve())
    print(f"{os.cpu_count()} CPUs, {load()}; bytecode cache: {options.pycache or 'as inherited'}")
    paths = list(iter_case_paths(corpus))
    impl = load_implementation("reference")
    start = time.perf_counter()
    for path in paths:
        run_case(load_case(path, corpus), impl)
    loop = time.perf_counter() - start
    print(f"corpus: {len(paths)} cases in {corpus}")
    print(f"runner loop, no pytest:      {loop:6.2f} s  {len(paths) / loop:7.0f} cases/s")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "test_bare.py").write_text(BARE_TEST.format(root=str(corpus)))
        (work / "test_empty.py").write_text(EMPTY_TEST.format(count=len(paths)))
        (work / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
        runs = {}
        walls: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        configurations = (
            ("plugin -n 0", ["--pixiconf-cases", str(corpus)]),
            ("plugin -n 2", ["--pixiconf-cases", str(corpus), "-n", "2"]),
            ("bare   -n 0", ["test_bare.py", "-p", "no:pixiconf"]),
            ("empty  -n 0", ["test_empty.py", "-p", "no:pixiconf"]),
            ("empty  -n 2", ["test_empty.py", "-p", "no:pixiconf", "-n", "2"]),
        )
        for round_ in range(repeat):
            for label, args in configurations:
                if round_ and label.startswith("bare"):
                    continue
                wall, cpu = time.perf_counter(), children_cpu()
                count, duration = pytest_run(args, work, env)
                wall, cpu = time.perf_counter() - wall, children_cpu() - cpu
                runs[label] = (count, duration)
                walls.setdefault(label, []).append(wall)
                cpus.setdefault(label, []).append(cpu)
                print(
                    f"pytest {label}: {count} passed in {duration:6.2f} s (wall {wall:5.2f} s, "
                    f"CPU {cpu:5.2f} s)  {count / wall:7.0f} cases/s"
                )
    serial, parallel = (statistics.median(walls[f"plugin -n {n}"]) for n in (0, 2))
    count = runs["plugin -n 0"][0]
    print(f"plugin -n 0: median wall {serial:5.2f} s  {count / serial:6.0f} cases/s")
    print(f"plugin -n 2: median wall {parallel:5.2f} s  {count / parallel:6.0f} cases/s")
    print(f"speed-up -n 2 / -n 0 (wall of the whole pytest run): {serial / parallel:.2f}x")
    cpu_serial, cpu_parallel = (statistics.median(cpus[f"plugin -n {n}"]) for n in (0, 2))
    print(
        f"CPU (all processes, medians): -n 0 {cpu_serial:5.2f} s, -n 2 {cpu_parallel:5.2f} s "
        f"(+{cpu_parallel - cpu_serial:.2f} s); on two idle cores -n 2 is at most "
        f"{2 * cpu_serial / cpu_parallel:.2f}x faster"
    )
    empty_serial, empty_parallel = (statistics.median(walls[f"empty  -n {n}"]) for n in (0, 2))
    work_serial = serial - empty_serial
    best = empty_parallel + work_serial / 2
    print(
        f"xdist alone: {len(paths)} empty tests take {empty_serial:5.2f} s at -n 0 and "
        f"{empty_parallel:5.2f} s at -n 2 (+{empty_parallel - empty_serial:.2f} s); with the "
        f"plugin's {work_serial:.2f} s of work split in two on top, -n 2 takes at least "
        f"{best:5.2f} s: at most {serial / best:.2f}x"
    )
    print(f"after the runs: {load()}")
    plugin_n, plugin_s = runs["plugin -n 0"]
    bare_n, bare_s = runs["bare   -n 0"]
    overhead_ms = (plugin_s / plugin_n - bare_s / bare_n) * 1000
    print(
        f"plugin overhead vs bare parametrised test: {overhead_ms:+.2f} ms per case "
        f"(plugin {plugin_s / plugin_n * 1000:.2f} ms, bare {bare_s / bare_n * 1000:.2f} ms)"
    )


if __name__ == "__main__":
    main()
