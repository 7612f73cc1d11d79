"""``pixiconf containers build``: a platform's base image and pixiconf's image on top of it.

1. **Base** ``pixiconf-base-<platform>:<suite>``: Debian ``minbase`` with ``python3`` and
   ``python3-venv``, made by ``debootstrap`` into a temporary folder (root only; Debian's
   ``debootstrap`` package) and turned into an image ``FROM scratch`` with the folder as its only
   layer (what ``docker import`` does, with the platform recorded).  Skipped when an image with
   that tag exists: the base does not depend on pixiconf's version and is reused between runs.
2. **Image** ``pixiconf-<platform>:<version>`` from ``containers/<platform>/Dockerfile``: the
   runtime dependencies as wheels downloaded on the host for the platform (``pip download``,
   kept in a cache folder), and pixiconf's own wheel (``pip wheel --no-deps`` of the checkout,
   or ``--wheel``).  The engine builds it without a network.  Skipped when the image exists and
   was built from a wheel with the same SHA-256 (its ``org.pixiconf.wheel-sha256`` label).

Concurrent builds on one machine (two xdist workers) are serialised by a lock file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path
from typing import Any

from pixiconf import __version__
from pixiconf.containers.engine import connect, engine_machine, is_local_engine
from pixiconf.containers.platforms import Platform, execution_problem

__all__ = ["BuildError", "BuildResult", "build_platform", "dockerfile_dir", "source_root"]

_PACKAGE = Path(__file__).resolve().parent.parent
#: What the base image's PATH is (Debian's default for root).
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

Say = Callable[[str], None]


class BuildError(RuntimeError):
    """A step of the build failed; the message says which and why."""


@dataclass(frozen=True)
class BuildResult:
    platform: str
    image: str | None
    #: ``built``, ``cached`` (nothing to do) or ``skipped`` (the engine cannot run it).
    status: str
    reason: str = ""
    base_seconds: float = 0.0
    image_seconds: float = 0.0


def dockerfile_dir(platform: Platform) -> Path:
    """``containers/<platform>`` of the checkout, or its copy inside the wheel."""
    for root in (_PACKAGE / "_containers", _PACKAGE.parent / "containers"):
        if (root / platform.name / "Dockerfile").is_file():
            return root / platform.name
    raise BuildError(f"no Dockerfile for {platform.name} in this installation of pixiconf")


def source_root() -> Path | None:
    """The checkout pixiconf is imported from (an editable install), if any."""
    root = _PACKAGE.parent
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    return root if re.search(r'(?m)^name\s*=\s*"pixiconf"', text) else None


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    path = Path(tempfile.gettempdir()) / "pixiconf-containers-build.lock"
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _image_labels(client: Any, tag: str) -> dict[str, str] | None:
    from docker.errors import ImageNotFound

    try:
        image = client.images.get(tag)
    except ImageNotFound:
        return None
    return dict(image.labels or {})


def _run(argv: list[str], say: Say, what: str) -> None:
    say(f"  $ {' '.join(argv)}")
    process = subprocess.run(
        argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace"
    )
    if process.returncode != 0:
        tail = "\n".join((process.stdout + process.stderr).strip().splitlines()[-15:])
        raise BuildError(f"{what} failed (exit code {process.returncode}):\n{tail}")


def debian_mirror() -> str | None:
    """The Debian mirror this machine's apt uses (``PIXICONF_DEBIAN_MIRROR`` first), or
    ``None`` for debootstrap's default."""
    if os.environ.get("PIXICONF_DEBIAN_MIRROR"):
        return os.environ["PIXICONF_DEBIAN_MIRROR"]
    sources = [
        Path("/etc/apt/sources.list"),
        *sorted(Path("/etc/apt/sources.list.d").glob("*.sources")),
        *sorted(Path("/etc/apt/sources.list.d").glob("*.list")),
    ]
    for path in sources:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in re.finditer(r"(?m)^(?:URIs:|deb)\s+(?:\[[^]]*\]\s+)?(\S+/debian)/?\s*$", text):
            return match.group(1)
        for match in re.finditer(r"(?m)^deb\s+(?:\[[^]]*\]\s+)?(\S+/debian)/?\s", text):
            return match.group(1)
    return None


def build_base(client: Any, platform: Platform, say: Say) -> float:
    """Make the base image unless it exists; the seconds it took (0 when cached)."""
    if _image_labels(client, platform.base_image) is not None:
        say(f"base image {platform.base_image} exists (cached)")
        return 0.0
    if shutil.which("debootstrap") is None:
        raise BuildError("debootstrap is not installed (Debian: apt-get install debootstrap)")
    if os.geteuid() != 0:
        raise BuildError("debootstrap needs root to make the base image; run the build as root")
    start = time.monotonic()
    say(f"base image {platform.base_image}: debootstrap {platform.suite} ({platform.debian_arch})")
    with tempfile.TemporaryDirectory(prefix="pixiconf-base-") as work:
        rootfs = Path(work) / "rootfs"
        argv = [
            "debootstrap",
            "--variant=minbase",
            f"--arch={platform.debian_arch}",
            "--include=python3,python3-venv",
            platform.suite,
            str(rootfs),
        ]
        mirror = debian_mirror()
        if mirror:
            argv.append(mirror)
        _run(argv, say, "debootstrap")
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (rootfs / junk).glob("*"):
                if entry.is_file():
                    entry.unlink()
        say("  packing the root file system")
        context = Path(work) / "context"
        context.mkdir()
        _run(
            ["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(context / "rootfs.tar"), "."],
            say,
            "tar",
        )
        (context / "Dockerfile").write_text(
            "FROM scratch\nADD rootfs.tar /\n"
            f"ENV PATH={DEFAULT_PATH} LANG=C.UTF-8\n"
            f'LABEL org.pixiconf.base="{platform.suite}"\nCMD ["/bin/sh"]\n',
            encoding="utf-8",
        )
        say("  importing it into the engine")
        _engine_build(client, context, platform.base_image, platform, say, buildargs={})
    seconds = time.monotonic() - start
    say(f"base image {platform.base_image} built in {seconds:.1f} s")
    return seconds


def _engine_build(
    client: Any, context: Path, tag: str, platform: Platform, say: Say, buildargs: dict[str, str]
) -> None:
    from docker.errors import APIError

    try:
        stream = client.api.build(
            path=str(context),
            tag=tag,
            rm=True,
            forcerm=True,
            decode=True,
            buildargs=buildargs,
            network_mode="none",
            platform=platform.docker,
        )
        for chunk in stream:
            if "error" in chunk:
                raise BuildError(f"the engine failed to build {tag}: {chunk['error'].strip()}")
            text = str(chunk.get("stream", "")).strip()
            if text.startswith("Step "):
                say(f"  {text}")
    except APIError as exc:
        raise BuildError(f"the engine failed to build {tag}: {exc}") from None


def _project_wheel(wheel: Path | None, out: Path, say: Say) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    if wheel is not None:
        if not wheel.is_file():
            raise BuildError(f"--wheel: {wheel} is not a file")
        return Path(shutil.copy2(wheel, out))
    root = source_root()
    if root is None:
        raise BuildError(
            "pixiconf is not installed from a source checkout: pass --wheel "
            "with the pixiconf wheel to install into the image"
        )
    say(f"building pixiconf's wheel from {root}")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
            "-w",
            str(out),
            str(root),
        ],
        say,
        "pip wheel",
    )
    wheels = sorted(out.glob("pixiconf-*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"pip wheel made {len(wheels)} pixiconf wheels in {out}")
    return wheels[0]


def runtime_requirements(wheel: Path) -> list[str]:
    """The wheel's ``Requires-Dist`` lines that no extra guards."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(name).decode("utf-8"))
    return [req for req in metadata.get_all("Requires-Dist") or [] if "extra" not in req]


def wheel_cache(platform: Platform) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "pixiconf" / "containers" / f"wheels-{platform.name}-py{platform.python}"


def _download_wheels(platform: Platform, requirements: list[str], out: Path, say: Say) -> None:
    cache = wheel_cache(platform)
    cache.mkdir(parents=True, exist_ok=True)
    say(f"downloading runtime wheels for {platform.name} (cache: {cache})")
    argv = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        "--python-version",
        platform.python,
        "--implementation",
        "cp",
        "-d",
        str(cache),
    ]
    for tag in platform.wheel_platforms():
        argv += ["--platform", tag]
    _run([*argv, *requirements], say, "pip download")
    out.mkdir(parents=True, exist_ok=True)
    for wheel in cache.glob("*.whl"):
        shutil.copy2(wheel, out)
    (out / "requirements.txt").write_text("\n".join(requirements) + "\n", encoding="utf-8")


def build_platform(
    platform: Platform, *, wheel: Path | None = None, say: Say = print, client: Any = None
) -> BuildResult:
    """Build (or find cached) ``platform``'s base and image; see the module docstring."""
    client = client or connect()
    problem = execution_problem(platform, engine_machine(client), local_engine=is_local_engine())
    if problem is not None:
        say(f"{platform.name}: skipped: {problem}")
        return BuildResult(platform.name, None, "skipped", problem)
    tag = platform.image(__version__)
    with _build_lock(), tempfile.TemporaryDirectory(prefix="pixiconf-image-") as work:
        base_seconds = build_base(client, platform, say)
        start = time.monotonic()
        context = Path(work)
        project = _project_wheel(wheel, context / "project", say)
        digest = hashlib.sha256(project.read_bytes()).hexdigest()
        labels = _image_labels(client, tag)
        if labels is not None and labels.get("org.pixiconf.wheel-sha256") == digest:
            say(f"image {tag} is up to date (wheel sha256 {digest[:12]})")
            return BuildResult(
                platform.name,
                tag,
                "cached" if not base_seconds else "built",
                base_seconds=base_seconds,
            )
        _download_wheels(platform, runtime_requirements(project), context / "wheels", say)
        shutil.copy2(dockerfile_dir(platform) / "Dockerfile", context / "Dockerfile")
        say(f"building image {tag}")
        _engine_build(
            client,
            context,
            tag,
            platform,
            say,
            buildargs={"BASE": platform.base_image, "WHEEL_SHA256": digest},
        )
        seconds = time.monotonic() - start
        say(f"image {tag} built in {seconds:.1f} s")
        return BuildResult(
            platform.name, tag, "built", base_seconds=base_seconds, image_seconds=seconds
        )
