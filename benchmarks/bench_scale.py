"""Benchmark: time and peak memory of ``pixiconf check``, ``resolve`` and ``lock`` by manifest size.

For manifest sizes from about 10 KB to 10 MB (``[dependencies]`` of ``pkg-N = ">=1"`` lines,
about 24 bytes each, so 10 MB is about 420,000 dependencies), each command runs as the
``pixiconf`` CLI in a child process, output to ``/dev/null``; the figures are its wall time and
peak resident memory (``ru_maxrss`` of that child, from ``os.wait4``).  ``lock`` solves against
a local ``file://`` channel with one ``linux-64`` record per dependency (and a few hundred
records per MB of dependencies between them), written once for the largest size.

The target: memory under 1 GB for a 10 MB manifest, growth linear.  Run:
``python benchmarks/bench_scale.py [--max-mb 10] [--ops check,resolve,lock]``.

Measured (2 cores; seconds / peak MB)::

    size     deps      check        resolve        lock
    10 KB      500   0.13 /  29   0.13 /  29    0.27 /   75
    100 KB   5,000   0.16 /  30   0.18 /  35    1.08 /  114
    1 MB    50,000   0.31 /  47   1.34 /  97   12.4  /  620
    3 MB   150,000   1.05 /  76   4.93 / 237   66    / 1695
    10 MB  500,000   2.91 / 190  13.5  / 762

check and resolve grow linearly and stay under 1 GB at 10 MB (resolve's memory is mostly the
YAML representer's node graph of the printed observation).

lock (measured again after the changes below; 2 cores shared with other jobs, so the seconds
vary by up to 2x; the channel is written for the largest size, 1,000,000 records, whose
sparse index and mapped ``repodata.json`` are the ~300 MB floor of the small sizes: with a
channel for 3 MB, 10 KB took 128 MB and 1 MB 442 MB)::

    size     deps      lock
    10 KB      500      0.81 /  313
    100 KB   5,000      1.86 /  352
    1 MB    50,000     16.3  /  569
    3 MB   150,000     71.4  / 1066
    10 MB  500,000    296    / 3460

What was done: the solve runs in independent parts (``pixiconf.lock.solve.independent_parts``:
root names that reach disjoint package names, one part after the other, so the solver's
memory is the largest part's: at 50,000 deps the solve's peak went from 476 to 329 MB, at
150,000 the solve alone took 1361 MB), the solved records are let go as ``LockFile`` copies
them (``pixiconf.lock.write``), and the observation is printed piece by piece from the lock
file's text (``LockPackages``, ``cli._write``: the same text, one piece's values at a time;
before, 150,000 deps peaked at 1458 MB while printing).  Before these changes: 1 MB 16.6 s /
578 MB, 3 MB 60 s / 1377 MB.

What bounds the rest, and why 10 MB stays over 1 GB: writing the lock file.  py-rattler
0.28's only writer is ``LockFile`` (``add_conda_package`` then ``to_path``): it keeps every
package (about 2.1 KB each), and ``to_path`` builds a ``rattler_lock`` lock file from a copy
of them and serialises it in memory, about 2 KB more per package, in time that grows faster
than linearly.  Measured alone, without solving (records loaded from the repodata and added
20,000 at a time): 150,000 packages 335 MB kept, peak 675 MB, ``to_path`` 15 s; 416,666
packages 886 MB kept, peak 1743 MB, ``to_path`` 172 s.  py-rattler has no other public way
to write a lock file (no streaming writer, no environment-wise writer: ``Environment`` only
reads), and the lock file is never written by hand.  At 10 MB (500,000 packages) the
solved records (about 1.7 KB each as ``RepoDataRecord``), ``LockFile``'s copy and
``to_path``'s second copy roughly account for the 3.4 GB measured (an estimate from the
per-package sizes above, not a separate measurement at this size): under 1 GB is not reachable with
py-rattler 0.28's writer; from 1 MB up the peak is the write's, about 4-7 KB per package.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINE = 'pkg-{:07d} = ">=1"\n'
LINE_BYTES = len(LINE.format(0))
SIZES_KB = [10, 100, 1_000, 3_000, 10_000]
LIMIT_MB = 1024


def manifest(channel_url: str, dependencies: int) -> str:
    head = (
        f'[workspace]\nname = "scale"\nchannels = ["{channel_url}"]\n'
        'platforms = ["linux-64"]\n\n[dependencies]\n'
    )
    return head + "".join(LINE.format(i) for i in range(dependencies))


def write_channel(directory: Path, packages: int) -> str:
    """A channel of ``pkg-N`` records, versions 1.0 and 2.0 (the newer of every tenth depends
    on the next package), streamed to ``repodata.json``."""
    out = directory / "linux-64"
    out.mkdir(parents=True)
    with open(out / "repodata.json", "w", encoding="utf-8") as handle:
        handle.write('{"info": {"subdir": "linux-64"}, "repodata_version": 1, "packages": {')
        first = True
        for i in range(packages):
            for version in ("1.0", "2.0"):
                depends = (
                    [f"pkg-{i + 1:07d} >=1"]
                    if version == "2.0" and i % 10 == 0 and i + 1 < packages
                    else []
                )
                record = {
                    "name": f"pkg-{i:07d}",
                    "version": version,
                    "build": "0",
                    "build_number": 0,
                    "depends": depends,
                    "subdir": "linux-64",
                    "sha256": f"{i:064x}",
                    "size": 1,
                }
                handle.write(
                    ("" if first else ",")
                    + json.dumps(f"pkg-{i:07d}-{version}-0.tar.bz2")
                    + ":"
                    + json.dumps(record)
                )
                first = False
        handle.write('}, "packages.conda": {}}')
    noarch = directory / "noarch"
    noarch.mkdir()
    (noarch / "repodata.json").write_text(
        '{"info": {"subdir": "noarch"}, "packages": {}, "packages.conda": {}}'
    )
    return directory.as_uri()


def run(argv: list[str], cwd: Path) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MB and exit code of the CLI with ``argv``."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        child = subprocess.Popen(
            [sys.executable, "-m", "pixiconf", *argv], cwd=cwd, stdout=null, stderr=subprocess.PIPE
        )
        assert child.stderr is not None
        err = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-2000:])
    return seconds, usage.ru_maxrss // 1024, child.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-mb", type=float, default=10.0, help="largest manifest (MB)")
    parser.add_argument("--ops", default="check,resolve,lock", help="commands to measure")
    args = parser.parse_args(argv)
    ops = args.ops.split(",")
    sizes = [kb for kb in SIZES_KB if kb <= args.max_mb * 1000]
    over = False
    with tempfile.TemporaryDirectory(prefix="pixiconf-scale-") as tmp:
        most = max(sizes) * 1000 // LINE_BYTES + 1
        url = write_channel(Path(tmp) / "channel", most) if "lock" in ops else "file:///none"
        print(
            f"{'size':>8} {'deps':>8}  "
            + "  ".join(f"{op + ' s':>10} {op + ' MB':>10}" for op in ops),
            flush=True,
        )
        for kb in sizes:
            dependencies = kb * 1000 // LINE_BYTES
            root = Path(tmp) / f"ws-{kb}"
            root.mkdir()
            text = manifest(url, dependencies)
            (root / "pixi.toml").write_text(text, encoding="utf-8")
            cells = []
            for op in ops:
                command = [op, "--cwd", str(root)]
                if op == "resolve":
                    command += ["--platform", "linux-64"]
                seconds, rss, code = run(command, root)
                over |= rss > LIMIT_MB and kb <= 10_000
                mark = "" if code == 0 else f" (exit {code})"
                cells.append(f"{seconds:>10.2f} {rss:>10d}{mark}")
            print(f"{len(text) / 1e6:>6.2f}MB {dependencies:>8d}  " + "  ".join(cells), flush=True)
    print(f"memory limit {LIMIT_MB} MB up to 10 MB: {'EXCEEDED' if over else 'kept'}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
