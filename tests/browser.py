"""A real headless browser for the tests of the HTML report: Debian's ``chromium``.

:func:`screenshot` loads a page and returns its pixels (:class:`Image`, read by a small PNG
decoder: 8-bit RGB or RGBA, not interlaced, as chromium writes them); :func:`dump_dom` returns
the DOM after the page's scripts ran.  :data:`CHROMIUM` is ``None`` when no browser is
installed; the tests skip with :data:`MISSING` as the reason (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)
MISSING = (
    "no chromium on PATH: the HTML report is tested in a real headless browser "
    "(apt-get install chromium; .ci/run installs it)"
)


def _run(args: list[str], timeout: float = 90.0) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None, MISSING
    with tempfile.TemporaryDirectory(prefix="pixiconf-chromium-") as profile:
        command = [
            CHROMIUM,
            "--headless",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            "--mute-audio",
            "--force-device-scale-factor=1",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=2000",
            *args,
        ]
        if os.geteuid() == 0:  # chromium refuses to run as root with its sandbox
            command.insert(1, "--no-sandbox")
        return subprocess.run(
            command, capture_output=True, timeout=timeout, check=False, cwd=profile
        )


def screenshot(url: str, png: Path, size: tuple[int, int] = (1280, 1600)) -> Image:
    """Load ``url`` at ``size`` and return the screenshot (also kept in ``png``)."""
    png.unlink(missing_ok=True)
    done = _run([f"--screenshot={png}", f"--window-size={size[0]},{size[1]}", url])
    assert png.is_file(), f"chromium wrote no screenshot:\n{done.stderr.decode()[-2000:]}"
    return read_png(png)


def dump_dom(url: str) -> str:
    """The serialised DOM of ``url`` after its scripts ran."""
    done = _run(["--dump-dom", url])
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout.decode("utf-8")


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    #: Rows of ``(r, g, b)`` tuples.
    rows: tuple[tuple[tuple[int, int, int], ...], ...]

    def row_matches(self, y: int, colour: tuple[int, int, int], tolerance: int = 2) -> int:
        """How many pixels of row ``y`` are ``colour`` (within ``tolerance`` per channel)."""
        return sum(
            all(abs(a - b) <= tolerance for a, b in zip(px, colour, strict=True))
            for px in self.rows[y]
        )

    def bands(self, colour: tuple[int, int, int], min_width: int, tolerance: int = 2) -> int:
        """Number of separate horizontal bands where rows hold at least ``min_width`` pixels
        of ``colour``: e.g. table rows or list items with that background."""
        count, inside = 0, False
        for y in range(self.height):
            hit = self.row_matches(y, colour, tolerance) >= min_width
            count += hit and not inside
            inside = hit
        return count

    def count(self, colour: tuple[int, int, int], tolerance: int = 2) -> int:
        return sum(self.row_matches(y, colour, tolerance) for y in range(self.height))


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def read_png(path: Path) -> Image:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG (what chromium's screenshots are)."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    assert header is not None, "PNG without IHDR"
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, f"unsupported PNG {header}"
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, upper_left)) & 0xFF
        rows.append(tuple(tuple(line[x : x + 3]) for x in range(0, stride, channels)))
        previous = line
    return Image(width, height, tuple(rows))
