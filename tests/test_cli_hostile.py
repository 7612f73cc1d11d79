"""Hostile input to the ``pixiconf`` command line: a located diagnostic, never a traceback.

One regression test per class of issue #8 part B (each input used to give an internal error,
a traceback, quadratic time or raw terminal escapes), then a fixed sample of generated hostile
inputs (:mod:`tests.cli_hostile_inputs`) across every command: no traceback, exit code 0-3, no
write outside the workspace.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pixiconf.cli import main
from pixiconf.manifest.locations import LocationIndex

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_hostile_inputs import generate, run_input, seed_workspaces, write_channel

MANIFEST = '[workspace]\nname = "w"\nchannels = []\nplatforms = ["linux-64"]\n'
NOT_UTF8 = os.fsdecode(b"ws\xff\xfe")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PIXI_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def channel(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_channel(tmp_path_factory.mktemp("channel") / "conda-forge")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


def workspace(root: Path, text: str | bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "pixi.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


# --------------------------------------------------------------------------- the location index


def test_the_location_index_is_linear_in_the_parts_of_a_dotted_header():
    # Recording every prefix of a 12,000-part key was quadratic: ~2 s and 700 MB.
    header = "[" + ".".join(f"k{i}" for i in range(12_000)) + "]\nx = 1\n"
    start = time.perf_counter()
    index = LocationIndex.from_text(header)
    assert index.find([f"k{i}" for i in range(12_000)] + ["x"]) == (2, 1)
    assert index.find(["k0", "k1", "missing"]) == (1, 1)
    assert time.perf_counter() - start < 0.5


def test_check_places_a_key_under_a_long_header_quickly(tmp_path, capsys):
    # 999 parts (tomli's limit is 1,000) and 3,000 keys: 3,000 x 999 prefixes before.
    header = "[tool." + ".".join(f"k{i}" for i in range(998)) + "]\n"
    root = workspace(
        tmp_path / "ws",
        MANIFEST
        + header
        + "".join(f"x{i} = 1\n" for i in range(3000))
        + "[dependencies]\nnumpy = 1\n",
    )
    start = time.perf_counter()
    code, _, err = run(capsys, "check", "--cwd", str(root))
    assert time.perf_counter() - start < 5
    assert code == 1 and "pixi.toml:3007:1: error:" in err


def test_a_header_of_tens_of_thousands_of_parts_is_a_located_error(tmp_path, capsys):
    root = workspace(tmp_path / "ws", MANIFEST + "[" + ".".join(["a"] * 30_000) + "]\n")
    start = time.perf_counter()
    code, _, err = run(capsys, "check", "--cwd", str(root))
    assert time.perf_counter() - start < 5
    assert code == 1
    assert "pixi.toml:5:" in err and "more than the allowed 1000 parts" in err
    assert len(err) < 1000  # the label shows a window of the line, not 60 kB of it


# --------------------------------------------------------------------------- deep nesting


@pytest.mark.parametrize(
    ("value", "line", "column"),
    [
        ("[" * 1000 + "]" * 1000, 6, 405),
        ("{a=" * 1000 + "1" + "}" * 1000, 6, 1205),  # the 401st table opens at 5 + 400 * 3
        ('["[[[", # [[[\n' + "[" * 1000 + "]" * 1001, 7, 400),  # none in strings or comments
    ],
)
def test_nesting_beyond_tomli_s_limit_is_a_located_error(tmp_path, capsys, value, line, column):
    root = workspace(tmp_path / "ws", MANIFEST + "[dependencies]\nx = " + value + "\n")
    code, _, err = run(capsys, "check", "--cwd", str(root))
    assert code == 1
    assert (
        f"pixi.toml:{line}:{column}: error: TOML inline arrays/tables are nested more "
        "than the allowed 400 levels"
    ) in err


@pytest.mark.parametrize("as_json", [False, True])
def test_deeply_nested_values_pass_every_path(tmp_path, capsys, channel, as_json):
    """399 levels (tomli's limit) through the reader, the parser, lock's raw checks and the
    YAML/JSON output of an observation."""
    deep = "[" * 399 + "]" * 399
    text = MANIFEST.replace("channels = []", f'channels = ["{channel}"]')
    root = workspace(
        tmp_path / "ws", text + f"[tool.x]\ny = {deep}\n[tool.z]\nq = {'[{a=' * 199}1{'}]' * 199}\n"
    )
    flag = ["--json"] if as_json else []
    for command in (
        ["check"],
        ["environments"],
        ["lock"],
        ["lock-check"],
        ["resolve", "--platform", "linux-64"],
    ):
        code, _, _ = run(capsys, *command, "--cwd", str(root), *flag)
        assert code == 0, command
    from pixiconf.cli import _dump

    nested: list = []
    inner = nested
    for _ in range(1000):
        inner.append([])
        inner = inner[0]
    assert _dump({"value": nested}, as_json).count("[]") == 1


# --------------------------------------------------------------------------- long integers


@pytest.mark.parametrize("literal", ["9" * 5000, "-" + "1" * 4301, "1_" + "0" * 5000])
def test_an_integer_python_cannot_read_is_invalid_number_at_its_place(tmp_path, capsys, literal):
    root = workspace(tmp_path / "ws", MANIFEST + f"[activation.env]\nx = {literal}\n")
    code, _, err = run(capsys, "check", "--cwd", str(root))
    assert code == 1
    assert err.startswith(f"{root / 'pixi.toml'}:6:5: error: invalid number")


# --------------------------------------------------------------------------- file system


def test_a_manifest_linking_to_itself_is_a_link_loop(tmp_path, capsys):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "pixi.toml").symlink_to("pixi.toml")
    code, _, err = run(capsys, "check", "--manifest-path", str(root / "pixi.toml"))
    assert code == 1
    assert "Too many levels of symbolic links (os error 40)" in err
    code, _, err = run(capsys, "check", "--cwd", str(root))  # not a file: not found
    assert code == 1 and "could not find pixi.toml" in err


def test_a_loop_of_directory_links_is_a_link_loop(tmp_path, capsys):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    code, _, err = run(capsys, "environments", "--manifest-path", str(tmp_path / "a"))
    assert code == 1 and "Too many levels of symbolic links (os error 40)" in err


def test_lock_and_lock_check_in_a_directory_whose_name_is_not_utf8(tmp_path, capsys, channel):
    root = workspace(
        tmp_path / NOT_UTF8,
        MANIFEST.replace("channels = []", f'channels = ["{channel}"]')
        + '[dependencies]\npython = "3.12.*"\n',
    )
    code, out, _ = run(capsys, "lock", "--cwd", str(root))
    assert code == 0 and "python" in out and (root / "pixi.lock").is_file()
    code, out, _ = run(capsys, "lock-check", "--cwd", str(root), "--json")
    assert code == 0 and json.loads(out) == {"satisfiable": True, "reasons": []}


def test_a_relative_channel_in_a_directory_whose_name_is_not_utf8(tmp_path, capsys, channel):
    """rattler's gateway cannot read a channel at such a path (as in pixi): a diagnostic."""
    import shutil
    from urllib.parse import unquote, urlsplit

    root = tmp_path / NOT_UTF8
    root.mkdir()
    shutil.copytree(unquote(urlsplit(channel).path), root / "chan")
    workspace(
        root,
        MANIFEST.replace("channels = []", 'channels = ["./chan"]')
        + '[dependencies]\npython = "3.12.*"\n',
    )
    code, _, err = run(capsys, "lock", "--cwd", str(root))
    assert code == 1 and "unsupported file based url" in err
    code, out, _ = run(capsys, "lock-check", "--cwd", str(root), "--json")
    assert code == 1 and "does not exist in the lock file" in out


def test_pixi_lock_being_a_directory_is_a_failed_write(tmp_path, capsys, channel):
    root = workspace(
        tmp_path / "ws",
        MANIFEST.replace("channels = []", f'channels = ["{channel}"]')
        + '[dependencies]\npython = "3.12.*"\n',
    )
    (root / "pixi.lock").mkdir()
    code, _, err = run(capsys, "lock", "--cwd", str(root))
    assert code == 1
    assert "failed to write lock file to disk\nIs a directory (os error 21)" in err
    assert sorted(p.name for p in root.iterdir()) == ["pixi.lock", "pixi.toml"]
    code, out, _ = run(capsys, "lock-check", "--cwd", str(root))
    assert code == 1 and "does not exist in the lock file" in out


# --------------------------------------------------------------------------- output


def test_json_output_on_a_strict_utf8_stdout_escapes_lone_surrogates(tmp_path):
    workspace(tmp_path / NOT_UTF8, MANIFEST)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    for flag in (["--json"], []):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pixiconf",
                "discover",
                "--manifest-path",
                f"{NOT_UTF8}/pixi.toml",
                *flag,
            ],
            capture_output=True,
            env=env,
            timeout=60,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        assert b"Traceback" not in done.stderr
        out = done.stdout.decode("utf-8")  # valid UTF-8
        assert "\\udcff\\udcfe" in out.lower()
        if flag:
            assert json.loads(out)["manifest"] == f"{NOT_UTF8}/pixi.toml"


def test_diagnostics_show_terminal_escapes_escaped(tmp_path, capsys):
    root = workspace(
        tmp_path / "ws",
        MANIFEST + '[dependencies]\n"a\x1b]0;owned\x07" = 1\n' + '[tasks]\n"\u202eb\x9b" = 1\n',
    )
    code, _, err = run(capsys, "check", "--cwd", str(root))
    assert code == 1
    assert "\x1b" not in err and "\x07" not in err
    assert "a\\x1b]0;owned\\x07" in err


def test_observations_show_terminal_escapes_escaped(tmp_path, capsys):
    root = workspace(
        tmp_path / "ws",
        MANIFEST + '[activation.env]\nA = "\\e]0;t\\u0007"\nB = "\u202e\u0085\u009b"\n',
    )
    for flag in ([], ["--json"]):
        code, out, _ = run(capsys, "resolve", "--platform", "linux-64", "--cwd", str(root), *flag)
        assert code == 0
        assert not any(c in out for c in "\x1b\x07\u202e\x85\x9b")
        if flag:
            env = json.loads(out)["activation"]["env"]
            assert env == {"A": "\x1b]0;t\x07", "B": "\u202e\x85\x9b"}


def test_usage_errors_show_terminal_escapes_escaped(capsys):
    code = main(["recipe", "/nonexistent/\x1b]0;t\x07", "--platform", "linux-64"])
    err = capsys.readouterr().err
    assert code == 2 and "\x1b" not in err and "\\x1b]0;t\\x07" in err


# --------------------------------------------------------------------------- interrupts


def test_ctrl_c_during_lock_ends_cleanly(tmp_path):
    """SIGINT in a solve: one line, exit 130, no traceback, no pixi.lock, no temp files."""
    root = tmp_path / "ws"
    root.mkdir()
    code = (
        "import asyncio, sys, rattler\n"
        "async def slow(**kwargs):\n"  # a solve that takes long, as rattler's awaits
        "    sys.stderr.write('solving\\n'); sys.stderr.flush(); await asyncio.sleep(60)\n"
        "rattler.solve = slow\n"
        "from pixiconf.cli import main\n"
        "main()\n"
    )
    (root / "pixi.toml").write_text(
        MANIFEST.replace("channels = []", f'channels = ["{root.as_uri()}"]')
        + '[dependencies]\npython = "*"\n'
    )
    (root / "linux-64").mkdir()
    (root / "noarch").mkdir()
    for subdir in ("linux-64", "noarch"):
        (root / subdir / "repodata.json").write_text('{"packages": {}}')
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    child = subprocess.Popen(
        [sys.executable, "-c", code, "lock", "--cwd", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert child.stderr is not None
    assert child.stderr.readline() == b"solving\n"
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 130
    assert err.decode() == "pixiconf: interrupted\n"
    assert out == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]  # no cache left behind
    assert not (root / "pixi.lock").exists()
    assert not [p for p in root.iterdir() if p.name.startswith(".pixi.lock")]


def test_ctrl_c_in_process_returns_130(monkeypatch, capsys, tmp_path):
    from pixiconf import cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_run_workspace_op", interrupted)
    assert main(["check", "--cwd", str(tmp_path)]) == 130
    assert capsys.readouterr().err == "pixiconf: interrupted\n"


# --------------------------------------------------------------------------- generated inputs


#: A fixed sample (seed and size): about 300 inputs across every command, under a minute.
SEED, COUNT = 8, 300


def test_generated_hostile_inputs(tmp_path, channel):
    seeds = seed_workspaces()
    assert len(seeds) > 500  # the corpus' workspaces seed the mutations
    inputs = generate(SEED, COUNT, seeds)
    problems = []
    codes: dict[int | None, int] = {}
    for i, item in enumerate(inputs):
        base = tmp_path / f"i{i}"
        base.mkdir()
        outcome = run_input(item, base, channel)
        codes[outcome.code] = codes.get(outcome.code, 0) + 1
        if outcome.problem:
            problems.append(f"#{i} {item.shape} {item.command} {item.args!r}: {outcome.problem}")
    assert problems == []
    assert set(codes) <= {0, 1, 2, 3}
    assert len(codes) >= 3  # the sample reaches successes, failures and usage errors
    assert {item.command for item in inputs} >= {
        "check",
        "environments",
        "resolve",
        "lock",
        "lock-check",
        "recipe",
        "variants",
        "map-pypi",
        "build-string",
    }


def test_ctrl_c_during_a_real_solve_ends_without_a_panic(tmp_path):
    """The same with rattler solving (10,000 packages): its threads are abandoned, no Rust
    panic or traceback is printed; a pixi.lock, if the interrupt came after the write, is
    whole."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.bench_scale import manifest
    from benchmarks.bench_scale import write_channel as write_scale_channel

    root = tmp_path / "ws"
    root.mkdir()
    url = write_scale_channel(tmp_path / "channel", 10_000)
    (root / "pixi.toml").write_text(manifest(url, 10_000))
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    child = subprocess.Popen(
        [sys.executable, "-m", "pixiconf", "lock", "--cwd", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(1.5)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    assert (child.returncode, err.decode()) == (130, "pixiconf: interrupted\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["channel", "ws"]
    assert sorted(p.name for p in root.iterdir()) in (["pixi.toml"], ["pixi.lock", "pixi.toml"])
    if (root / "pixi.lock").exists():
        import yaml

        assert len(yaml.safe_load((root / "pixi.lock").read_text())["packages"]) >= 10_000


class _ClosedPipe:
    """A stdout whose reader has gone away (``| head -1`` after its line)."""

    encoding = "utf-8"

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self):
        raise OSError("no file descriptor")


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path, monkeypatch, capsys):
    # `pixiconf resolve ... | head -1`: a closed pipe is exit 1 and nothing on stderr.
    (tmp_path / "pixi.toml").write_text(
        '[workspace]\nchannels = []\nplatforms = ["linux-64"]\n\n[dependencies]\npython = "*"\n'
    )
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["resolve", "--platform", "linux-64", "--cwd", str(tmp_path)]) == 1
    assert capsys.readouterr().err == ""
