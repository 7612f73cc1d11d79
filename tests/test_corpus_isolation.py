"""Time limits and interrupts (pixiconf.corpus.isolation, the plugin's run directory).

``--pixiconf-timeout`` used to be passed to the implementation and never enforced: the
reference ran in the pytest process, so an operation running 14 s under a 2 s limit was
graded FAIL (or PASS).  A Ctrl-C during a case left its ``pixiconf-*`` directory behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pixiconf.corpus.isolation import ProcessGuard, ThreadGuard, guard
from pixiconf.implementations.base import Failed, Observed
from pixiconf.implementations.reference import ReferenceImplementation
from pixiconf.operations.request import OperationRequest

#: A process-safe implementation in its own module, so that the worker process can import it.
SLOW_MODULE = '''
import os, tempfile, time
from pathlib import Path
from pixiconf.implementations.base import Observed


class Slow:
    """discover: says where it runs; check: sleeps; lock: dies; recipe: marks then sleeps."""

    name = "slow"
    process_safe = True

    def version(self):
        return "slow 1.0"

    def run(self, request):
        if request.op == "check":
            time.sleep(60)
        if request.op == "lock":
            os._exit(3)
        if request.op == "recipe":
            (request.workspace_root / "started").write_text(str(os.getpid()))
            Path(tempfile.mkdtemp(prefix="pixiconf-left-")).joinpath("x").write_text("x")
            time.sleep(60)
        return Observed({"pid": os.getpid(), "home": os.environ.get("HOME"),
                         "tmp": tempfile.gettempdir()})


def pytest_pixiconf_make_implementation(config, name):
    if name == "slow":
        return Slow()
'''

CASE = """
description: One operation.
features: [x]
op: {op}
args: {args}
expect: {{result: {{}}}}
"""


@pytest.fixture
def slow(tmp_path, monkeypatch):
    (tmp_path / "slow_impl.py").write_text(SLOW_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import slow_impl

    return slow_impl.Slow()


def request(tmp_path: Path, op: str, timeout: float = 30.0) -> OperationRequest:
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    return OperationRequest(
        op=op,
        args={},
        workspace_root=root,
        cwd=root,
        env={"HOME": str(tmp_path / "case-home"), "PATH": os.defpath},
        timeout=timeout,
    )


def test_the_reference_runs_in_a_worker_process():
    with guard(ReferenceImplementation()) as guarded:
        assert isinstance(guarded, ProcessGuard)
        assert guarded.name == "reference" and "pixiconf" in guarded.version()


def test_a_timed_out_worker_is_killed_and_replaced(tmp_path, slow):
    scratch_parent = tmp_path / "scratch"
    scratch_parent.mkdir()
    with guard(slow, scratch_parent) as guarded:
        assert isinstance(guarded, ProcessGuard)
        first = guarded.run(request(tmp_path, "discover")).value
        assert first["pid"] != os.getpid()
        assert first["home"] == str(tmp_path / "case-home")  # the case's HOME, not ours
        assert Path(first["tmp"]).parent == scratch_parent
        start = time.monotonic()
        outcome = guarded.run(request(tmp_path, "check", timeout=1))
        assert time.monotonic() - start < 15
        assert isinstance(outcome, Failed) and outcome.timed_out
        assert "did not finish within 1 s" in outcome.message
        assert not Path(first["tmp"]).exists()  # the killed worker's directory is gone
        second = guarded.run(request(tmp_path, "discover")).value
        assert second["pid"] != first["pid"]
    assert list(scratch_parent.iterdir()) == []


def test_a_dying_worker_is_a_crash_and_the_next_operation_runs(tmp_path, slow):
    with guard(slow, tmp_path) as guarded:
        outcome = guarded.run(request(tmp_path, "lock"))
        assert isinstance(outcome, Failed) and outcome.crashed and "exit code 3" in outcome.message
        assert isinstance(guarded.run(request(tmp_path, "discover")), Observed)


def test_other_implementations_are_abandoned_in_a_thread(tmp_path):
    class Sleepy:
        name = "sleepy"

        def version(self):
            return "1"

        def run(self, request):
            time.sleep(5)
            return Observed({})

    guarded = guard(Sleepy())
    assert isinstance(guarded, ThreadGuard)
    start = time.monotonic()
    outcome = guarded.run(request(tmp_path, "discover", timeout=0.2))
    assert time.monotonic() - start < 3
    assert isinstance(outcome, Failed) and outcome.timed_out


@pytest.fixture
def corpus(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest -p no:syrupy -p no:cacheprovider")
    pytester.makepyfile(slow_impl=SLOW_MODULE)
    pytester.makeconftest("from slow_impl import pytest_pixiconf_make_implementation\n")
    pytester.syspathinsert()
    root = pytester.path / "corpus" / "x"
    root.mkdir(parents=True)
    for op, args in [("check", "{}"), ("discover", "{}"), ("recipe", "{platform: linux-64}")]:
        (root / f"{op}.yaml").write_text(CASE.format(op=op, args=args))
    return root.parent


def test_the_plugin_reports_a_slow_operation_as_timeout(pytester, corpus):
    start = time.monotonic()
    result = pytester.runpytest(
        "--pixiconf-cases",
        "corpus",
        "--pixiconf-impl",
        "slow",
        "--pixiconf-timeout",
        "1",
        "-k",
        "check or discover",
    )
    assert time.monotonic() - start < 30
    result.assert_outcomes(failed=1, passed=1)  # the worker still runs after the timeout
    result.stdout.fnmatch_lines(["*TIMEOUT x/check: *did not finish within 1 s*"])


def test_ctrl_c_ends_the_run_and_leaves_nothing_behind(pytester, corpus, tmp_path):
    tmp = tmp_path / "tmp"  # the system's temporary directory
    tmp.mkdir()
    basetemp = tmp_path / "basetemp"  # pytest's, where the case directories are made
    path = os.pathsep.join(filter(None, [str(pytester.path), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": path}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pixiconf-cases",
            "corpus",
            "--pixiconf-impl",
            "slow",
            "-k",
            "recipe",
            "-p",
            "no:randomly",
            f"--basetemp={basetemp}",
        ],
        cwd=pytester.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    started = []
    while not started and time.monotonic() < deadline and process.poll() is None:
        started = list(basetemp.glob("*/workspace/started"))
        time.sleep(0.05)
    assert started, process.communicate()[0]
    worker = int(started[0].read_text())
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    output = process.communicate(timeout=60)[0].decode()
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output
    assert "KeyboardInterrupt" in output
    assert list(tmp.iterdir()) == [], output  # nothing in the system's temporary directory
    assert not list(basetemp.glob("pixiconf-worker-*")), output  # the worker's: gone
    with pytest.raises(ProcessLookupError):
        for _ in range(100):
            os.kill(worker, 0)
            time.sleep(0.05)


@pytest.mark.parametrize(
    "text",
    [
        textwrap.dedent("""
    description: x
    features: [x]
    op: discover
    expect: {result: {}}
""")
    ],
)
def test_a_thread_guard_passes_exceptions_through(tmp_path, text):
    class Raising:
        name = "raising"

        def version(self):
            return "1"

        def run(self, request):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        ThreadGuard(Raising()).run(request(tmp_path, "discover"))


def test_the_worker_never_reruns_the_parents_main_module(tmp_path):
    script = tmp_path / "script.py"  # no `if __name__ == "__main__":` guard, on purpose
    script.write_text(
        textwrap.dedent("""
        import os
        from pathlib import Path
        from pixiconf.corpus.isolation import guard
        from pixiconf.implementations.base import OperationRequest
        from pixiconf.implementations.reference import ReferenceImplementation

        print("main ran", flush=True)
        root = Path(os.environ["ROOT"])
        with guard(ReferenceImplementation()) as reference:
            print(type(reference.run(OperationRequest(
                op="discover", args={}, workspace_root=root, cwd=root,
                env={"HOME": str(root)}))).__name__)
    """)
    )
    (tmp_path / "pixi.toml").write_text("[workspace]\nchannels = []\nplatforms = []\n")
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "ROOT": str(tmp_path)},
        check=False,
    )
    assert done.stdout.splitlines() == ["main ran", "Observed"], done.stderr


def test_closing_a_thread_guard_waits_for_abandoned_operations(tmp_path):
    marker = tmp_path / "late" / "write"

    class Late:
        name = "late"

        def version(self):
            return "1"

        def run(self, request):
            time.sleep(1)
            marker.parent.mkdir(parents=True)  # what an abandoned operation may still do
            marker.write_text("x")
            return Observed({})

    guarded = ThreadGuard(Late(), grace=30)
    assert guarded.run(request(tmp_path, "discover", timeout=0.1)).timed_out
    guarded.close()
    assert marker.is_file()  # it finished before close returned: removing now is final
