"""Hostile inputs for the ``pixiconf`` command line, and a harness that runs one in-process.

:func:`generate` makes ``count`` inputs from a seed: random TOML-ish text, mutated manifests
of the case corpus, deep nesting, huge keys and values, odd bytes (invalid UTF-8, NUL, control
characters, terminal escapes), odd file types (a directory, FIFO, ``/dev/zero`` link or link
loop in place of ``pixi.toml``, ``pyproject.toml`` or ``pixi.lock``), odd directory names, and
odd arguments, across every workspace and package command.  :func:`run_input` runs one in a
fresh directory with its own ``HOME`` and reports what went wrong: a traceback or internal
error, an exit code outside 0-3, a hang, or a write outside the workspace.

``tests/test_cli_hostile.py`` runs a fixed sample; ``python tests/cli_hostile_inputs.py N``
runs ``N`` and prints the counts.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent.parent / "cases"
COMMANDS = (
    "check",
    "environments",
    "resolve",
    "lock",
    "lock-check",
    "discover",
    "recipe",
    "variants",
    "map-pypi",
    "build-string",
)
#: File entries that are not text: made by :func:`_materialise`.
DIR, FIFO, DEVZERO, LOOP, SELF = "<dir>", "<fifo>", "<devzero>", "<loop>", "<self>"
CHANNEL = "{{channel}}"  # replaced by a local file:// channel (the conda-forge slice)
HANG_SECONDS = 30

MANIFEST = """[workspace]
name = "w"
channels = ["{{channel}}"]
platforms = ["linux-64"]

[dependencies]
python = "3.12.*"
"""

PACKAGE = """[workspace]
name = "w"
channels = ["{{channel}}"]
platforms = ["linux-64"]
preview = ["pixi-build"]

[package]
name = "p"
version = "1.0"

[package.build]
backend = { name = "pixi-build-python", version = "*" }
"""

FRAGMENTS = [
    "[workspace]",
    "[project]",
    "[dependencies]",
    "[pypi-dependencies]",
    "[feature.a]",
    "[feature.a.dependencies]",
    "[environments]",
    "[tasks]",
    "[target.linux-64.dependencies]",
    "[package]",
    "[package.build]",
    "[activation.env]",
    "[system-requirements]",
    "[tool.pixi.workspace]",
    "[[package.outputs]]",
    "[pypi-options]",
    "[package.build.config]",
    'name = "x"',
    "channels = []",
    'platforms = ["linux-64"]',
    'python = ">=3.11"',
    'numpy = { version = "*", build = "py*" }',
    "a = [",
    "]",
    "{",
    "}",
    "=",
    ",",
    '"',
    "'",
    '"""',
    "'''",
    "#",
    ".",
    "\\",
    "\\u0000",
    "\\e",
    "\\x1b",
    "1e999",
    "nan",
    "-inf",
    "0x_",
    "1979-05-27T07:32:00Z",
    "true",
    "1" * 4400,
    "9" * 30,
    '"\x1b]0;owned\x07"',
    "\x00",
    "\t",
    "\r",
    "\r\n",
    "\ufeff",
    "\u202e",
    "\ud7ff",
    "é",
    "😀",
    "\x7f",
    "\x9b",
    "a.b.c.d",
    "'a'.\"b\"",
    "default = []",
    'x = { features = ["a"], solve-group = "g" }',
    "requires-pixi = '>=99'",
    'exclude-newer = "2020-01-01"',
    'version = "1.0"',
    'backend = { name = "x", version = "*" }',
]

ODD_PLATFORMS = [
    "linux-64",
    "",
    "x",
    "noarch",
    "linux-64\x1b[2J",
    "../x",
    "win-64",
    "a" * 5000,
    "linux-*",
    "é",
    "zos-z",
]


@dataclass
class Input:
    """One hostile invocation: files of the workspace and the command line."""

    shape: str
    command: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    #: The workspace directory's name (bytes: may be non-UTF-8).
    dirname: bytes = b"ws"


def seed_workspaces(corpus: Path = CORPUS) -> list[dict[str, str]]:
    """The ``files`` of every case in the corpus (text files only), channels templated."""
    out = []
    for path in sorted(corpus.rglob("*.yaml")):
        if path.parent == corpus or "_channels" in path.parts:
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except Exception:
            continue
        files = data.get("files") if isinstance(data, dict) else None
        if isinstance(files, dict) and all(isinstance(v, str) for v in files.values()):
            out.append({str(k): _template(v) for k, v in files.items()})
    return out


def _template(text: str) -> str:
    for marker in ("{{channels.conda-forge}}", "{{channels.local}}", "{{channels.cf}}"):
        text = text.replace(marker, CHANNEL)
    return text


# --------------------------------------------------------------------------- generators


def _random_toml(rng: random.Random) -> str:
    return "".join(
        rng.choice(FRAGMENTS) + rng.choice(["\n", " ", "", " = ", "."])
        for _ in range(rng.randint(1, 60))
    )


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(text))
        kind = rng.randrange(6)
        if kind == 0:
            text = text[:pos]
        elif kind == 1:
            text = text[:pos] + rng.choice(FRAGMENTS) + text[pos:]
        elif kind == 2:
            end = min(len(text), pos + rng.randint(1, 40))
            text = text[:pos] + text[end:]
        elif kind == 3:
            text = text[:pos] + text[pos : pos + 200] * rng.randint(2, 50) + text[pos:]
        elif kind == 4:
            text = (
                text[:pos]
                + chr(rng.choice([0, 7, 8, 0x1B, 0x7F, 0x85, 0x9B, 0x2028, 0xFEFF, 0x202E]))
                + text[pos:]
            )
        else:
            text = text.replace("\n", rng.choice(["\r\n", "\r", "\n\n", "\n ", "\n\t"]))
    return text


def _deep(rng: random.Random) -> str:
    depth = rng.choice([50, 399, 400, 401, 1000, 5000])
    opener, closer = rng.choice([("[", "]"), ("{a=", "}"), ("[{a=", "}]")])
    value = opener * depth + ("1" if opener != "[" else "") + closer * depth
    place = rng.choice(
        [
            "[dependencies]\nx = ",
            "[activation.env]\nx = ",
            "[tool.x]\ny = ",
            "[package.build.config]\nx = ",
            "[tasks]\nt = ",
            "[pypi-options]\nx = ",
            "[workspace.build-variants]\nx = ",
            "[feature.a]\nx = ",
        ]
    )
    if rng.random() < 0.3:  # nested tables of tables
        return MANIFEST + "[" + ".".join(["t"] * rng.choice([100, 999, 1001, 20000])) + "]\n"
    return MANIFEST + place + value + "\n"


def _huge(rng: random.Random) -> str:
    size = rng.choice([10_000, 100_000, 1_000_000])
    kind = rng.randrange(6)
    if kind == 0:
        return MANIFEST + f'"{"k" * size}" = "1"\n'
    if kind == 1:
        return MANIFEST + f'x = "{"v" * size}"\n'
    if kind == 2:
        return MANIFEST + "".join(f"p{i} = '*'\n" for i in range(size // 10))
    if kind == 3:
        return MANIFEST.replace('name = "w"', f'name = "{"n" * size}"')
    if kind == 4:
        return MANIFEST + "[" + ".".join(f"k{i}" for i in range(rng.choice([999, 30_000]))) + "]\n"
    return MANIFEST + f"x = {rng.choice(['-', '+', ''])}{'7' * rng.choice([4301, 5000, 20000])}\n"


def _odd_bytes(rng: random.Random) -> bytes:
    text = MANIFEST.encode()
    for _ in range(rng.randint(1, 5)):
        pos = rng.randint(0, len(text))
        text = (
            text[:pos]
            + rng.choice(
                [
                    b"\xff",
                    b"\xc3",
                    b"\x00",
                    b"\xed\xa0\x80",
                    b"\xef\xbb\xbf",
                    b"\x1b]0;t\x07",
                    b"\x1b[31m",
                    b"\xe2\x80\xae",
                    b"\r",
                    bytes(rng.randrange(256) for _ in range(8)),
                ]
            )
            + text[pos:]
        )
    return text


def _files_for(rng: random.Random, command: str) -> dict[str, str | bytes]:
    """A workspace for ``command`` from one of the text shapes."""
    shape = rng.randrange(5)
    if shape == 0:
        text: str | bytes = _random_toml(rng)
    elif shape == 1:
        text = _deep(rng)
    elif shape == 2:
        text = _huge(rng)
    elif shape == 3:
        text = _odd_bytes(rng)
    else:
        text = _mutate(rng, PACKAGE if command in ("recipe", "variants", "map-pypi") else MANIFEST)
    name = rng.choice(["pixi.toml"] * 4 + ["pyproject.toml", "mojoproject.toml"])
    if name == "pyproject.toml" and isinstance(text, str):
        text = '[project]\nname = "p"\n' + text.replace("[", "[tool.pixi.").replace(
            "[tool.pixi.[", "[[tool.pixi."
        )
    return {name: text}


def _odd_files(rng: random.Random) -> dict[str, str | bytes]:
    """A workspace with an odd file type somewhere it matters."""
    where = rng.choice(
        ["pixi.toml", "pyproject.toml", "pixi.lock", "pixi.toml", ".pixi", "sub/pixi.toml"]
    )
    what = rng.choice([DIR, FIFO, DEVZERO, LOOP, SELF])
    files: dict[str, str | bytes] = {where: what}
    if where in ("pixi.lock", ".pixi"):
        files["pixi.toml"] = MANIFEST
    if rng.random() < 0.3:
        files["pixi.lock"] = rng.choice(
            [
                "",
                "version: 6\n",
                "version: 99\n",
                "{",
                "\x00\xff",
                "version: 6\nenvironments: 1\n",
                "- a\n",
                "version: " + "9" * 5000 + "\n",
                DIR,
                FIFO,
            ]
        )
    return files


def _args(rng: random.Random, command: str) -> list[str]:
    args: list[str] = []
    if command == "resolve":
        args += ["--platform", rng.choice(ODD_PLATFORMS)]
        if rng.random() < 0.3:
            args += ["-e", rng.choice(["default", "x", "", "\x1b[2J", "é" * 500])]
    if command in ("recipe", "variants", "map-pypi"):
        args += ["--platform", rng.choice(ODD_PLATFORMS)]
        if rng.random() < 0.2:
            args += ["--pypi-mapping", rng.choice(["map.json", "missing.json", "."])]
    if command == "build-string":
        for _ in range(rng.randint(0, 4)):
            key = rng.choice(["python", "target_platform", "", "x" * 300, "\x1b", "numpy"])
            value = rng.choice(["3.11", "", "linux-64", "é", "=", "1" * 5000, "\x00x"])
            args += ["--variant", f"{key}={value}"]
        if rng.random() < 0.3:
            args += ["--noarch", rng.choice(["python", "generic"])]
        if rng.random() < 0.3:
            args += ["--build-number", rng.choice(["0", "-1", "99999999999999999999", "x"])]
        if rng.random() < 0.2:
            args += ["--prefix", rng.choice(["py", "", "\x1b[31m", "a" * 1000])]
        return args
    if rng.random() < 0.15:
        args += [
            "--manifest-path",
            rng.choice(
                ["pixi.toml", "missing.toml", ".", "sub", "pixi.lock", "../ws", "pyproject.toml"]
            ),
        ]
    if rng.random() < 0.5:
        args.append("--json")
    return args


def generate(seed: int, count: int, seeds: list[dict[str, str]] | None = None) -> list[Input]:
    """``count`` inputs from ``seed`` (deterministic)."""
    rng = random.Random(seed)
    seeds = seed_workspaces() if seeds is None else seeds
    out = []
    for i in range(count):
        command = COMMANDS[i % len(COMMANDS)]
        kind = rng.choice(["text", "text", "corpus", "files", "dirname"])
        if kind == "corpus" and seeds:
            files: dict[str, str | bytes] = dict(rng.choice(seeds))
            key = rng.choice(sorted(files))
            files[key] = _mutate(rng, files[key]) if rng.random() < 0.8 else files[key]
        elif kind == "files":
            files = _odd_files(rng)
        else:
            files = _files_for(rng, command)
        dirname = b"ws"
        if kind == "dirname":
            dirname = rng.choice(
                [
                    b"ws\xff\xfe",
                    b"w\x1b]0;t\x07s",
                    b"ws\nx",
                    b"-ws",
                    b"w s",
                    "wé😀".encode(),
                    b"ws\xed\xa0\x80",
                ]
            )
            files = {"pixi.toml": MANIFEST} if rng.random() < 0.5 else files
        if rng.random() < 0.1:
            files["map.json"] = rng.choice(['{"a": "b"}', "[", '{"a": 1}', "null", "{" * 2000])
        out.append(Input(kind, command, files, _args(rng, command), dirname))
    return out


# --------------------------------------------------------------------------- harness


def _materialise(root: Path, files: dict[str, str | bytes], channel: str) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == DIR:
            path.mkdir(exist_ok=True)
        elif content == FIFO:
            os.mkfifo(path)
        elif content == DEVZERO:
            path.symlink_to("/dev/zero")
        elif content == LOOP:
            path.symlink_to(path.name + ".loop")
            (root / (name + ".loop")).symlink_to(path.name)
        elif content == SELF:
            path.symlink_to(path.name)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(
                content.replace(CHANNEL, channel), encoding="utf-8", errors="surrogateescape"
            )


def _snapshot(root: Path, skip: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == skip or skip in Path(dirpath).parents:
            dirnames[:] = []
            continue
        for name in filenames + dirnames:
            path = os.path.join(dirpath, name)
            if Path(path) == skip:  # the workspace itself changes (its mtime)
                continue
            try:
                st = os.lstat(path)
            except OSError:
                continue
            out[path] = (st.st_size, st.st_mtime_ns)
    return out


@dataclass
class Outcome:
    code: int | None
    problem: str | None  # None: fine
    seconds: float


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang


def run_input(item: Input, base: Path, channel: str) -> Outcome:
    """Run ``item`` through ``pixiconf.cli.main`` in ``base`` (a fresh directory)."""
    from pixiconf.cli import main

    home = base / "home"
    home.mkdir(parents=True, exist_ok=True)
    root = Path(os.fsdecode(os.path.join(os.fsencode(base), item.dirname)))
    root.mkdir()
    _materialise(root, item.files, channel)
    argv = [item.command]
    if item.command in ("recipe", "variants", "map-pypi"):
        argv.append(str(root))
        argv += [a.replace("map.json", str(root / "map.json")) for a in item.args]
    elif item.command == "build-string":
        argv += item.args
    else:
        argv += ["--cwd", str(root), *item.args]
    before = _snapshot(base, root)
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in ("HOME",)}
    pixi_env = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("PIXI_")}
    os.environ["HOME"] = str(home)
    cwd = os.getcwd()
    os.chdir(root)  # build-string works in the current directory
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    start = time.perf_counter()
    code: int | None = None
    problem = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except _Hang:
        problem = "hang"
    except BaseException as exc:
        problem = f"escaped: {type(exc).__name__}: {exc}"[:300]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        os.chdir(cwd)
        os.environ.update({k: v for k, v in saved.items() if v is not None})
        os.environ.update(pixi_env)
    seconds = time.perf_counter() - start
    text = err.getvalue()
    if problem is None:
        if "Traceback" in text or "internal error" in text:
            problem = "internal: " + text.strip().splitlines()[-1][:300]
        elif code not in (0, 1, 2, 3):
            problem = f"exit code {code!r}"
        elif any(c in text for c in "\x1b\x07\x9b"):
            problem = "raw control character on stderr"
    if problem is None:
        out_text = out.getvalue()
        try:
            out_text.encode("utf-8")
        except UnicodeEncodeError:
            problem = "stdout is not UTF-8-encodable"
        if any(c in out_text for c in "\x1b\x07\x9b"):
            problem = "raw control character on stdout"
    after = _snapshot(base, root)
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    if problem is None and changed:
        problem = f"wrote outside the workspace: {changed[:3]}"
    return Outcome(code, problem, seconds)


def write_channel(directory: Path) -> str:
    """The conda-forge slice fixture as a local channel; its file:// URL."""
    from pixiconf.corpus.channels import load_fixture, write_repodata

    write_repodata(directory, load_fixture([CORPUS], "conda-forge-slice"))
    return directory.as_uri()


def main(argv: list[str]) -> int:  # pragma: no cover - the exploratory run
    import shutil
    import tempfile

    count = int(argv[1]) if len(argv) > 1 else 2000
    seed = int(argv[2]) if len(argv) > 2 else 1
    codes: Counter[int | None] = Counter()
    shapes: Counter[str] = Counter()
    problems: list[tuple[int, Input, Outcome]] = []
    slow: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory(prefix="pixiconf-fuzz-") as tmp:
        channel = write_channel(Path(tmp) / "channel")
        for i, item in enumerate(generate(seed, count)):
            base = Path(tmp) / f"i{i}"
            base.mkdir()
            outcome = run_input(item, base, channel)
            shutil.rmtree(base, ignore_errors=True)
            codes[outcome.code] += 1
            shapes[f"{item.shape}/{item.command}"] += 1
            slow.append((outcome.seconds, i))
            if outcome.problem:
                problems.append((i, item, outcome))
                print(
                    f"#{i} {item.shape} {item.command} {item.args!r}: {outcome.problem}", flush=True
                )
    print(f"{count} inputs (seed {seed}); exit codes {dict(codes)}; problems {len(problems)}")
    print("slowest:", sorted(slow, reverse=True)[:5])
    print("shapes:", dict(sorted(shapes.items())))
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv))
