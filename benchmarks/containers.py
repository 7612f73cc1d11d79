"""Per-case cost of ``--pixiconf-container`` against the same cases on the host.

    python benchmarks/containers.py [--impl reference|pixiconf-pixi] [--platform linux-64]
                                    [--repeat N] AREA...

Runs the cases of each AREA (``cases/<AREA>``) with pytest on the host and in a container
(one per run), ``--repeat`` times each, alternating, and prints the wall time of each run and
the mean time per case from the junitxml report (setup + call + teardown).  The first case of
a container run also starts the container: it is reported apart as the start-up cost and left
out of the per-case means.  Needs the image (`pixiconf containers build`).

Measured (2 cores, reference, --repeat 3, medians; the machine was NOT idle: load 3.5-7 from
other test runs, so single runs vary by +-20%):

    areas                                   host ms/case  container ms/case  overhead
    before (server -> worker process hop):
      lock discovery environments activation    12.39          23.23          +87.4%
      dependencies platforms channels validation 2.08           2.10           +1.2%
    after (the server runs the reference itself, the host keeps the time limit):
      lock discovery environments activation    13.37 / 14.03 / 13.05   13.22 / 16.96 / 13.47
                                                 -> -1.1% / +20.8% / +3.3%
      dependencies platforms channels validation 2.11 / 2.90    2.01 / 2.82    -4.9% / -2.7%

Round trip of one ``check`` (500 requests, median): host worker 0.22 ms, container before
0.35 ms, after 0.25 ms; mean 0.27 / 0.80 / 0.28 ms (the extra process mostly cost wake-ups
under load).  Container start-up: 0.5-0.7 s once per run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

CASES = Path(__file__).resolve().parents[1] / "cases"


def run(areas: list[str], extra: list[str]) -> tuple[float, list[float]]:
    with tempfile.TemporaryDirectory() as work:
        xml = Path(work) / "report.xml"
        argv = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-p",
            "no:xdist",
            f"--junitxml={xml}",
            *(f"--pixiconf-cases={CASES / area}" for area in areas),
            *extra,
        ]
        env = {
            **os.environ,
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        }
        start = time.perf_counter()
        subprocess.run(argv, cwd=work, env=env, stdout=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - start
        times = [float(case.get("time", 0)) for case in ET.parse(xml).getroot().iter("testcase")]
    return wall, times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("areas", nargs="+")
    parser.add_argument("--impl", default="reference")
    parser.add_argument("--platform", default="linux-64")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    impl = [] if args.impl == "reference" else [f"--pixiconf-impl={args.impl}"]
    results: dict[str, list[tuple[float, list[float]]]] = {"host": [], "container": []}
    for _ in range(args.repeat):
        results["host"].append(run(args.areas, impl))
        results["container"].append(
            run(args.areas, [*impl, f"--pixiconf-container={args.platform}"])
        )
    means = {}
    for where, runs in results.items():
        cases = len(runs[0][1])
        skip = 1 if where == "container" else 0
        means[where] = statistics.median(statistics.mean(t[skip:]) for _, t in runs)
        walls = ", ".join(f"{wall:.2f}" for wall, _ in runs)
        print(
            f"{where:9}  {cases} cases  wall [{walls}] s  "
            f"per case {means[where] * 1000:.2f} ms (median of {len(runs)} runs)"
        )
    startup = statistics.median(t[0] - statistics.mean(t[1:]) for _, t in results["container"])
    overhead = means["container"] / means["host"] - 1
    print(
        f"container start-up (first case extra): {startup:.2f} s; "
        f"per-case overhead: {overhead * 100:+.1f}%"
    )


if __name__ == "__main__":
    main()
