"""Benchmark: the corpus through the pixi-binary adapter against the ``pixiconf-pixi`` shim.

One run measures, on the same sample of cases (every ``--every``-th case of the corpus, copied
with its fixtures into a temporary corpus so that case IDs are unchanged):

* ``pytest --pixiconf-impl SHIM`` with ``-n 0`` and ``-n 2``: wall time of the whole pytest
  process (interpreter start, collection, the run), ``--repeat`` times each, alternating;
  cases/s and the speed-up of ``-n 2`` over ``-n 0`` (medians);
* the adapter's overhead per case.  Each case is run once through the adapter in this
  process (no pytest), with the adapter's ``run_command`` wrapped to record the exact command
  lines (argv, cwd, environment); then the case is materialised again in the same directory
  and the recorded commands are replayed bare (``subprocess.run``, no adapter) and timed.
  Adapter and bare runs alternate case by case, so a change of machine load hits both.
  Reported: bare per case, adapter per case (the operation: every command plus the adapter's
  work around them), pytest ``-n 0`` per case (wall time / cases), and the overheads in %.

Run: python benchmarks/bench_adapter.py [--binary PATH] [--every K] [--repeat R] [CORPUS]

Measured on an idle machine (2 cores, ``--every 10``: 134 cases, 245 commands, bytecode
caching on): ``-n 0`` 45.7 s, ``-n 2`` 24.0 s (medians of 3): 1.90x; per case: the bare
commands 338.8 ms, through the adapter 340.2 ms (+0.4%), through pytest ``-n 0`` 340.9 ms
(+0.6%).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pixiconf.corpus.loader import iter_case_paths, load_case  # noqa: E402
from pixiconf.corpus.runner import CaseOutcome, execute  # noqa: E402
from pixiconf.corpus.schema import Case  # noqa: E402
from pixiconf.corpus.workspace import materialise  # noqa: E402
from pixiconf.implementations.pixi_binary import adapter as adapter_module  # noqa: E402
from pixiconf.implementations.pixi_binary import session as session_module  # noqa: E402
from pixiconf.implementations.pixi_binary.adapter import PixiBinary  # noqa: E402
from pixiconf.implementations.pixi_binary.process import isolation_dirs  # noqa: E402


def default_binary() -> str:
    found = shutil.which("pixiconf-pixi") or str(Path(sys.executable).parent / "pixiconf-pixi")
    if not Path(found).is_file():
        raise SystemExit("pixiconf-pixi not found; pass --binary PATH")
    return found


def sample_corpus(corpus: Path, every: int, target: Path) -> list[Path]:
    """Copy ``corpus`` to ``target`` keeping every ``every``-th case (and every fixture)."""
    shutil.copytree(corpus, target, symlinks=True)
    kept = []
    for index, path in enumerate(iter_case_paths(target)):
        if index % every:
            path.unlink()
        else:
            kept.append(path)
    return kept


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pytest_wall(args: list[str], cwd: Path) -> tuple[float, str]:
    start, cpu = time.perf_counter(), children_cpu()
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
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr
    summary = f"CPU {cpu:.2f} s; {summary}"
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pytest failed to run:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return wall, summary


#: The modules that call ``process.run_command``: the adapter (``--version``) and the
#: session that runs every operation's commands.
CALLERS = (adapter_module, session_module)


class Recorder:
    """Wraps the adapter's ``run_command`` and keeps what it ran."""

    def __init__(self) -> None:
        self.original = adapter_module.run_command
        self.calls: list[dict] = []

    def install(self) -> None:
        for module in CALLERS:
            module.run_command = self

    def remove(self) -> None:
        for module in CALLERS:
            module.run_command = self.original

    def __call__(self, argv, *, cwd, env, timeout, shown=()):
        self.calls.append(
            {"argv": list(argv), "cwd": Path(cwd), "env": dict(env), "timeout": timeout}
        )
        return self.original(argv, cwd=cwd, env=env, timeout=timeout, shown=shown)


def replay(calls: list[dict]) -> float:
    """Run recorded commands bare, as the adapter ran them (same argv, cwd, env, pipes)."""
    start = time.perf_counter()
    for call in calls:
        subprocess.run(
            call["argv"],
            cwd=call["cwd"],
            env=call["env"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=call["timeout"],
            check=False,
            start_new_session=True,
        )
    return time.perf_counter() - start


def adapter_vs_bare(
    paths: list[Path], root: Path, binary: str
) -> list[tuple[str, int, float, float, str]]:
    """Per case: (ID, commands, adapter seconds, bare seconds, outcome)."""
    recorder = Recorder()
    recorder.install()
    implementation = PixiBinary(binary, backend=binary)
    implementation.version()  # ``pixi --version`` once, as the plugin's report header does
    rows = []
    scratch = Path(tempfile.mkdtemp(prefix="bench-adapter-"))
    try:
        for path in paths:
            case = load_case(path, root)
            if not isinstance(case, Case):
                continue
            base = scratch / "case"
            base.mkdir()
            workspace = materialise(case, base)
            recorder.calls = []
            start = time.perf_counter()
            result = execute(case, implementation, workspace, timeout=60.0)
            adapter = time.perf_counter() - start
            calls = recorder.calls
            shutil.rmtree(base)
            base.mkdir()
            materialise(case, base)  # the same state, at the same paths
            isolation_dirs(base)  # the private HOME, caches, XDG dirs the commands are given
            bare = replay(calls)
            shutil.rmtree(base)
            rows.append((case.id, len(calls), adapter, bare, result.outcome.value))
    finally:
        recorder.remove()
        shutil.rmtree(scratch, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=REPO / "cases")
    parser.add_argument("--binary", default=None, help="pixi-compatible binary (the shim)")
    parser.add_argument("--every", type=int, default=10, help="sample every K-th case")
    parser.add_argument("--repeat", type=int, default=2, help="pytest runs per -n setting")
    options = parser.parse_args()
    binary = options.binary or default_binary()

    with tempfile.TemporaryDirectory(prefix="bench-adapter-corpus-") as tmp:
        root = Path(tmp) / "cases"
        paths = sample_corpus(options.corpus.resolve(), options.every, root)
        print(
            f"sample: {len(paths)} cases (every {options.every}th of {options.corpus}); "
            f"binary {binary}; {os.cpu_count()} CPUs"
        )

        rows = adapter_vs_bare(paths, root, binary)
        commands = sum(r[1] for r in rows)
        adapter_total = sum(r[2] for r in rows)
        bare_total = sum(r[3] for r in rows)
        ran = [r for r in rows if r[1]]
        outcomes = {o: sum(r[4] == o for r in rows) for o in {r[4] for r in rows}}
        print(f"adapter in process: {len(rows)} cases, {commands} commands, outcomes {outcomes}")
        if any(r[4] not in (CaseOutcome.PASS.value, CaseOutcome.SKIP.value) for r in rows):
            print(
                "  not passing: "
                + ", ".join(
                    r[0]
                    for r in rows
                    if r[4] not in (CaseOutcome.PASS.value, CaseOutcome.SKIP.value)
                )[:500]
            )

        common = [
            "--pixiconf-cases",
            str(root),
            "--pixiconf-impl",
            binary,
            "--pixiconf-backend",
            binary,
        ]
        walls: dict[str, list[float]] = {"-n 0": [], "-n 2": []}
        for _ in range(options.repeat):
            for label in walls:
                wall, summary = pytest_wall([*common, *label.split()], Path(tmp))
                walls[label].append(wall)
                print(f"pytest {label}: wall {wall:6.2f} s  ({summary})")

    n = len(paths)
    serial, parallel = (statistics.median(walls[k]) for k in ("-n 0", "-n 2"))
    print(f"pytest -n 0: {n / serial:6.2f} cases/s (median wall {serial:.2f} s)")
    print(f"pytest -n 2: {n / parallel:6.2f} cases/s (median wall {parallel:.2f} s)")
    print(f"speed-up -n 2 / -n 0: {serial / parallel:.2f}x")
    bare_case = bare_total / len(rows)
    adapter_case = adapter_total / len(rows)
    pytest_case = serial / n
    per_case = [r[2] / r[3] - 1 for r in ran] or [float("nan")]
    print(
        f"per case: bare commands {bare_case * 1000:7.1f} ms | through the adapter "
        f"{adapter_case * 1000:7.1f} ms | through pytest -n 0 {pytest_case * 1000:7.1f} ms"
    )
    print(
        f"adapter overhead: {100 * (adapter_total / bare_total - 1):+.1f}% "
        f"(median per case {100 * statistics.median(per_case):+.1f}%); "
        f"pytest + adapter overhead: {100 * (pytest_case / bare_case - 1):+.1f}%"
    )


if __name__ == "__main__":
    main()
