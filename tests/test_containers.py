"""pixiconf.containers: platforms, the reply unpickler, the option's usage errors, and (marked
``containers``) real runs in a Docker container compared with the same runs on the host.

The engine tests build ``pixiconf-base-linux-64`` (debootstrap, cached in the engine between
runs) and ``pixiconf-linux-64:<version>``.  They SKIP with the reason when the docker SDK, the
engine, root or debootstrap is missing, unless ``PIXICONF_REQUIRE_CONTAINERS=1`` (set by
``.ci/run``), where a missing piece fails them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pixiconf.containers.engine import LABEL, OWNER_LABEL, EngineUnavailable
from pixiconf.containers.platforms import PLATFORMS, execution_problem, get_platform
from pixiconf.containers.runtime import ContainerImplementation
from pixiconf.containers.wire import load_reply
from pixiconf.implementations.base import Failed, Observed, Unsupported
from pixiconf.implementations.reference import ReferenceImplementation
from pixiconf.operations.request import OperationRequest

CASES = Path(__file__).resolve().parents[1] / "cases"
REQUIRED = os.environ.get("PIXICONF_REQUIRE_CONTAINERS") == "1"
#: Subprocesses find this environment's console scripts (``pixiconf-pixi``) on PATH.
ENV = {
    **os.environ,
    "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
}


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"PIXICONF_REQUIRE_CONTAINERS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------- no engine needed


def _binfmt(tmp_path: Path, entries: dict[str, str]) -> Path:
    (tmp_path / "status").write_text("enabled\n")
    (tmp_path / "register").write_text("")
    for name, text in entries.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_native_platform_needs_no_emulator(tmp_path):
    assert execution_problem(get_platform("linux-64"), "x86_64", binfmt=tmp_path) is None


def test_foreign_platform_without_emulator_has_a_reason(tmp_path):
    binfmt = _binfmt(tmp_path, {"python3.11": "enabled\ninterpreter /usr/bin/python3.11\n"})
    problem = execution_problem(get_platform("linux-aarch64"), "x86_64", binfmt=binfmt)
    assert problem is not None
    assert "no emulator for aarch64 is registered" in problem
    assert "qemu-aarch64" in problem


def test_unmounted_binfmt_misc_is_named_in_the_reason(tmp_path):
    problem = execution_problem(
        get_platform("linux-aarch64"), "x86_64", binfmt=tmp_path / "binfmt_misc"
    )
    assert problem is not None
    assert f"binfmt_misc is not mounted at {tmp_path / 'binfmt_misc'}" in problem
    assert "update-binfmts --enable qemu-aarch64" in problem


def test_foreign_platform_with_enabled_emulator_runs(tmp_path):
    binfmt = _binfmt(
        tmp_path,
        {"qemu-aarch64": "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n"},
    )
    assert execution_problem(get_platform("linux-aarch64"), "x86_64", binfmt=binfmt) is None


def test_disabled_emulator_is_a_reason(tmp_path):
    binfmt = _binfmt(tmp_path, {"qemu-aarch64": "disabled\ninterpreter /usr/bin/qemu-aarch64\n"})
    problem = execution_problem(get_platform("linux-aarch64"), "x86_64", binfmt=binfmt)
    assert problem is not None and "registered but disabled" in problem


def test_every_platform_has_a_dockerfile():
    from pixiconf.containers.build import dockerfile_dir

    for platform in PLATFORMS.values():
        text = (dockerfile_dir(platform) / "Dockerfile").read_text()
        assert "ARG BASE" in text and f'org.pixiconf.platform="{platform.name}"' in text


def test_reply_unpickler_accepts_outcomes_and_refuses_callables():
    outcome = Observed({"a": (1, 2.0, None)}, warnings=("w",))
    assert load_reply(pickle.dumps(("ok", outcome))) == ("ok", outcome)
    with pytest.raises(pickle.UnpicklingError, match=r"may not contain posix\.system"):
        load_reply(pickle.dumps(os.system))
    # A pixiconf *function* (not a class) could be called by a crafted reply: refused.
    from pixiconf.corpus import workspace

    with pytest.raises(pickle.UnpicklingError, match="may not contain"):
        load_reply(pickle.dumps(workspace.build_env))


def _request(tmp_path: Path) -> OperationRequest:
    return OperationRequest(
        op="check", args={}, workspace_root=tmp_path, cwd=tmp_path, env={"PATH": "/usr/bin"}
    )


def test_unrunnable_platform_is_unsupported_for_every_case(tmp_path):
    wrapper = ContainerImplementation(
        ReferenceImplementation(),
        spec="reference",
        platform=get_platform("linux-riscv64"),
        image="pixiconf-linux-riscv64:0",
        mount=tmp_path,
        client=None,
        problem="no emulator for riscv64 is registered",
    )
    try:
        for _ in range(2):
            outcome = wrapper.run(_request(tmp_path))
            assert isinstance(outcome, Unsupported)
            assert outcome.reason == (
                "platform linux-riscv64: no emulator for riscv64 is registered"
            )
    finally:
        wrapper.close()


def test_workspace_outside_the_mount_is_refused(tmp_path):
    mount, elsewhere = tmp_path / "mount", tmp_path / "elsewhere"
    mount.mkdir()
    elsewhere.mkdir()
    wrapper = ContainerImplementation(
        ReferenceImplementation(),
        spec="reference",
        platform=get_platform("linux-64"),
        image="pixiconf-linux-64:0",
        mount=mount,
        client=None,
    )
    outcome = wrapper.run(_request(elsewhere))
    assert isinstance(outcome, Failed) and "outside the directory mounted" in outcome.message
    wrapper.close()


def test_the_reference_runs_in_the_server_and_the_host_keeps_its_time_limit(tmp_path):
    from pixiconf.containers.serve import runs_in_server
    from pixiconf.implementations.pixi_binary import PixiBinary

    reference = ReferenceImplementation()
    assert runs_in_server(reference)
    assert not runs_in_server(PixiBinary(sys.executable))
    wrapper = ContainerImplementation(
        reference,
        spec="reference",
        platform=get_platform("linux-64"),
        image="pixiconf-linux-64:0",
        mount=tmp_path,
        client=None,
    )
    assert wrapper._slack == 0.0
    wrapper.close()


def test_in_process_runner_gives_each_request_its_environment(tmp_path, monkeypatch):
    import tempfile

    from pixiconf.containers.serve import InProcess

    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setattr(tempfile, "tempdir", None)
    seen = []

    class Recorder:
        def run(self, request):
            seen.append((dict(os.environ), tempfile.gettempdir()))
            return Observed(len(seen))

    with InProcess(Recorder()) as runner:
        request = _request(tmp_path)
        assert runner.run(dataclasses.replace(request, env={"A": "1", "HOME": "/h"})) == Observed(1)
        runner.run(dataclasses.replace(request, env={"B": "2"}))
    (first, tmp1), (second, tmp2) = seen
    assert first == {"A": "1", "HOME": "/h", "TMPDIR": runner.scratch}
    assert second == {"B": "2", "TMPDIR": runner.scratch}
    assert tmp1 == tmp2 == runner.scratch != "/tmp"


def _pytest(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-p",
            "no:xdist",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )


def test_unknown_platform_is_a_usage_error(tmp_path):
    result = _pytest(
        f"--pixiconf-cases={CASES / 'activation'}", "--pixiconf-container=osx-64", cwd=tmp_path
    )
    assert result.returncode == 4, result.stderr
    assert "--pixiconf-container: unknown platform 'osx-64'" in result.stderr


def test_unreachable_engine_is_a_usage_error(tmp_path):
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-such-engine.sock"}
    result = _pytest(
        f"--pixiconf-cases={CASES / 'activation'}",
        "--pixiconf-container=linux-64",
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 4, result.stderr
    assert "--pixiconf-container: " in result.stderr
    assert (
        "not reachable" in result.stderr or "docker Python SDK is not installed" in result.stderr
    ), result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- real engine


@pytest.fixture(autouse=True)
def _one_engine_test_at_a_time(request):
    """Real-engine tests hold a machine-wide lock: every run they start sweeps the labelled
    leftovers of dead runs, which would race with the sweep test (and each other) when two
    xdist workers run engine tests at once."""
    if request.node.get_closest_marker("containers") is None:
        yield
        return
    import fcntl
    import tempfile

    lock = Path(tempfile.gettempdir()) / "pixiconf-engine-tests.lock"
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def engine():
    from pixiconf.containers.engine import connect

    try:
        return connect()
    except EngineUnavailable as exc:
        _unavailable(f"no Docker engine: {exc}")


def _image(engine, name: str) -> str:
    """Build (or find cached) pixiconf-<name>:<version>; skip when it cannot be built here."""
    import shutil

    from docker.errors import ImageNotFound

    from pixiconf.containers.build import BuildError, build_platform, source_root

    platform = get_platform(name)
    problem = execution_problem(platform, engine.info().get("Architecture", ""))
    if problem is not None:
        if platform.machine != "x86_64":
            # By design, not a failure: the platform's cases SKIP with this reason.
            pytest.skip(f"{name}: {problem}")
        _unavailable(f"the engine cannot run {name} containers: {problem}")
    try:
        engine.images.get(platform.base_image)
    except ImageNotFound:
        if shutil.which("debootstrap") is None or os.geteuid() != 0:
            _unavailable(
                f"{platform.base_image} is not built and cannot be: it needs root "
                "and debootstrap (apt-get install debootstrap)"
            )
    if source_root() is None:
        _unavailable(
            "pixiconf is not installed from a source checkout, so there is no wheel "
            "to build the image from (run `pixiconf containers build --wheel W`)"
        )
    try:
        result = build_platform(platform, say=lambda _text: None, client=engine)
    except BuildError as exc:
        pytest.fail(f"pixiconf containers build failed: {exc}", pytrace=False)
    assert result.image is not None
    return result.image


@pytest.fixture(scope="session")
def linux64_image(engine) -> str:
    return _image(engine, "linux-64")


@pytest.fixture(scope="session")
def aarch64_image(engine) -> str:
    """linux-aarch64 through qemu-user (binfmt_misc); SKIP with the reason where the kernel
    has no enabled ``qemu-aarch64`` entry (.ci/run registers one when it can)."""
    return _image(engine, "linux-aarch64")


def _outcomes(xml: Path) -> dict[str, str]:
    """Case ID → outcome (``passed``, ``failure``, ``error``, ``skipped: <reason>``)."""
    outcomes = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        kinds = [child for child in case if child.tag in ("failure", "error", "skipped")]
        if not kinds:
            outcomes[case.get("name")] = "passed"
        elif kinds[0].tag == "skipped":
            outcomes[case.get("name")] = f"skipped: {kinds[0].get('message')}"
        else:
            outcomes[case.get("name")] = kinds[0].tag
    return outcomes


def _containers_of(engine, pid: int) -> list:
    owner = f"{socket.gethostname()}:{pid}"
    return [
        c
        for c in engine.containers.list(all=True, filters={"label": LABEL}, ignore_removed=True)
        if c.labels.get(OWNER_LABEL) == owner
    ]


def _run_slice(
    tmp_path: Path, engine, name: str, areas: list[str], *extra: str
) -> tuple[dict[str, str], dict, str]:
    """The junitxml outcomes, the JSON report (``--pixiconf-report``) and the output."""
    xml, report = tmp_path / f"{name}.xml", tmp_path / f"{name}.json"
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "-p",
        "no:xdist",
        f"--junitxml={xml}",
        f"--pixiconf-report={report}",
        *(f"--pixiconf-cases={CASES / area}" for area in areas),
        *extra,
    ]
    process = subprocess.Popen(
        argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV
    )
    output, _ = process.communicate(timeout=600)
    assert process.returncode in (0, 1), output
    assert _containers_of(engine, process.pid) == [], "a container was left behind"
    return _outcomes(xml), json.loads(report.read_text(encoding="utf-8")), output


@pytest.mark.containers
@pytest.mark.parametrize(
    ("impl", "areas"),
    [
        pytest.param("reference", ["dependencies", "platforms", "channels"], id="reference"),
        pytest.param("pixiconf-pixi", ["activation"], id="pixiconf-pixi"),
    ],
)
def test_slice_in_container_matches_host(tmp_path, engine, linux64_image, impl, areas):
    impl_args = [] if impl == "reference" else [f"--pixiconf-impl={impl}"]
    host, host_report, _ = _run_slice(tmp_path, engine, "host", areas, *impl_args)
    inside, report, output = _run_slice(
        tmp_path, engine, "container", areas, *impl_args, "--pixiconf-container=linux-64"
    )
    where = f"in container {linux64_image} (linux/amd64)"
    assert where in output
    assert where in report["implementation"]["version"]
    assert where not in host_report["implementation"]["version"]
    assert len(host) >= 15 and any(v == "passed" for v in host.values())
    assert inside == host
    # The JSON reports: the same outcome for every case, the same totals.
    assert {case: r["outcome"] for case, r in report["cases"].items()} == {
        case: r["outcome"] for case, r in host_report["cases"].items()
    }
    assert report["totals"] == host_report["totals"]
    assert len(report["cases"]) == len(host)


@pytest.mark.containers
def test_slice_in_emulated_aarch64_container_matches_host(tmp_path, engine, aarch64_image):
    # The image really is aarch64 and runs through the emulator.
    machine = engine.containers.run(
        aarch64_image,
        ["python3", "-c", "import platform; print(platform.machine())"],
        platform="linux/arm64",
        network_mode="none",
        remove=True,
    )
    assert machine.decode().strip() == "aarch64"
    assert engine.images.get(aarch64_image).attrs["Architecture"] == "arm64"
    areas = ["platforms", "channels"]
    host, host_report, _ = _run_slice(tmp_path, engine, "host", areas)
    inside, report, output = _run_slice(
        tmp_path, engine, "aarch64", areas, "--pixiconf-container=linux-aarch64"
    )
    where = f"in container {aarch64_image} (linux/arm64)"
    assert where in output and where in report["implementation"]["version"]
    assert len(host) >= 15 and any(v == "passed" for v in host.values())
    assert inside == host
    assert {case: r["outcome"] for case, r in report["cases"].items()} == {
        case: r["outcome"] for case, r in host_report["cases"].items()
    }
    assert report["totals"] == host_report["totals"]


@pytest.mark.containers
def test_interrupted_run_removes_its_container(tmp_path, engine, linux64_image):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"--pixiconf-cases={CASES / 'activation'}",
            "--pixiconf-impl=pixiconf-pixi",
            "--pixiconf-container=linux-64",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=ENV,
    )
    deadline = time.monotonic() + 120
    while not _containers_of(engine, process.pid):
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, "no container was started"
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert "KeyboardInterrupt" in output
    assert _containers_of(engine, process.pid) == [], "Ctrl-C left a container behind"


@pytest.mark.containers
def test_killed_run_leaves_a_container_the_next_run_sweeps(tmp_path, engine, linux64_image):
    from pixiconf.containers.runtime import sweep_leftovers

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"--pixiconf-cases={CASES / 'activation'}",
            "--pixiconf-impl=pixiconf-pixi",
            "--pixiconf-container=linux-64",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ENV,
    )
    deadline = time.monotonic() + 120
    while not _containers_of(engine, process.pid):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    process.kill()
    process.wait(timeout=60)
    left = _containers_of(engine, process.pid)
    assert left, "the container disappeared before the sweep could be tested"
    # Its server saw the request pipe close and exited; the sweep removes what remains.
    assert sweep_leftovers(engine) >= 1
    assert _containers_of(engine, process.pid) == []
