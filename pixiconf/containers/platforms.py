"""The Linux platforms a container run can target, and whether the engine can execute them.

pixi 0.77 ships Linux binaries for x86_64, aarch64 and riscv64 (``release.yml`` in
prefix-dev/pixi at 2b25fc76: ``x86_64-unknown-linux-musl``, ``aarch64-unknown-linux-musl``,
``riscv64gc-unknown-linux-gnu``); each is a conda platform name here, with the Debian
architecture and release its image is made of.  riscv64 is an official Debian architecture from
trixie on, so its image uses trixie; the others use bookworm.

A platform whose machine is not the engine's own runs only through an emulator that the kernel
knows (a ``binfmt_misc`` entry, e.g. ``qemu-aarch64`` from Debian's qemu-user-static):
:func:`execution_problem` says why a platform cannot run, and a run reports that reason as the
SKIP of every case.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["PLATFORMS", "Platform", "execution_problem", "get_platform"]

BINFMT_MISC = Path("/proc/sys/fs/binfmt_misc")


@dataclass(frozen=True)
class Platform:
    #: The conda platform name (``linux-64``): the ``containers/<name>/`` directory.
    name: str
    #: ``uname -m`` inside the container, as the engine's ``Architecture`` reports it.
    machine: str
    #: The engine's ``--platform`` value.
    docker: str
    #: Debian's architecture name (debootstrap ``--arch``).
    debian_arch: str
    #: Debian release of the base image.
    suite: str
    #: The release's ``python3`` (major.minor): wheels are fetched for it.
    python: str
    #: The release's glibc (major, minor): the newest manylinux tag its wheels may carry.
    glibc: tuple[int, int]

    @property
    def base_image(self) -> str:
        """Repository and tag of the base image (Debian and Python only; no project version,
        so that it is reused across versions of pixiconf)."""
        return f"pixiconf-base-{self.name}:{self.suite}"

    def image(self, version: str) -> str:
        """Repository and tag of the platform's image for pixiconf ``version``."""
        return f"pixiconf-{self.name}:{version}"

    def wheel_platforms(self) -> list[str]:
        """``pip download --platform`` values whose wheels run on this platform's image."""
        major, newest = self.glibc
        tags = [f"manylinux_{major}_{minor}_{self.machine}" for minor in range(newest, 16, -1)]
        return [*tags, f"manylinux2014_{self.machine}", f"linux_{self.machine}"]


PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform("linux-64", "x86_64", "linux/amd64", "amd64", "bookworm", "3.11", (2, 36)),
        Platform("linux-aarch64", "aarch64", "linux/arm64", "arm64", "bookworm", "3.11", (2, 36)),
        Platform("linux-riscv64", "riscv64", "linux/riscv64", "riscv64", "trixie", "3.13", (2, 41)),
    )
}


class UnknownPlatformError(ValueError):
    pass


def get_platform(name: str) -> Platform:
    try:
        return PLATFORMS[name]
    except KeyError:
        raise UnknownPlatformError(
            f"unknown platform {name!r}; expected one of: {', '.join(PLATFORMS)}"
        ) from None


def _registered_emulators(binfmt: Path) -> dict[str, bool]:
    """binfmt_misc entry name → enabled, for every entry that names an interpreter."""
    entries: dict[str, bool] = {}
    try:
        children = sorted(binfmt.iterdir())
    except OSError:
        return entries
    for entry in children:
        if entry.name in ("register", "status"):
            continue
        try:
            text = entry.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        lines = text.splitlines()
        interpreter = next(
            (ln.split(None, 1)[1] for ln in lines if ln.startswith("interpreter ") and " " in ln),
            "",
        )
        entries[f"{entry.name} {interpreter}"] = bool(lines) and lines[0] == "enabled"
    return entries


def execution_problem(
    platform: Platform,
    engine_machine: str,
    *,
    local_engine: bool = True,
    binfmt: Path = BINFMT_MISC,
) -> str | None:
    """Why the engine cannot run ``platform``'s containers, or ``None`` when it can.

    ``engine_machine`` is the engine's ``Architecture`` (``docker info``).  A foreign platform
    needs an enabled binfmt_misc entry for its machine (``qemu-<machine>``); the entries are
    read from this machine's kernel, so for a remote engine (``DOCKER_HOST`` naming another
    machine) a foreign platform is assumed runnable and the engine reports any failure.
    """
    if engine_machine == platform.machine:
        return None
    if not local_engine:
        return None
    emulators = _registered_emulators(binfmt)
    wanted = f"qemu-{platform.machine}"
    found = [key for key in emulators if wanted in key]
    if any(emulators[key] for key in found):
        return None
    state = "registered but disabled" if found else "registered"
    if binfmt.is_dir() and (binfmt / "status").exists():
        how = f"no enabled {wanted} entry in {binfmt}; Debian's qemu-user-static registers one"
    else:
        how = (
            f"binfmt_misc is not mounted at {binfmt}: as root, `mount -t binfmt_misc "
            f"binfmt_misc {binfmt}` (refused where the kernel or sandbox forbids it), then "
            f"Debian's qemu-user-static and `update-binfmts --enable {wanted}`"
        )
    return (
        f"the engine runs {engine_machine} and no emulator for {platform.machine} is "
        f"{state} ({how})"
    )
