"""``exclude-newer`` values: a duration, a date or an RFC 3339 timestamp.

Source: ``crates/pixi_spec/src/exclude_newer.rs`` ``parse_exclude_newer_str`` (read with
``TomlFromStr<ExcludeNewer>`` by ``[workspace] exclude-newer``, the root ``[exclude-newer]`` and
``[pypi-exclude-newer]`` tables, and a channel table's ``exclude-newer``).  The value is tried as
a humantime duration, then as a ``%Y-%m-%d`` date (chrono ``NaiveDate::parse_from_str``), then as
an RFC 3339 timestamp (chrono ``DateTime::parse_from_rfc3339``); when all fail, the message names
chrono's two parse errors.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from pixiconf.manifest.source import KeyPath, ManifestSource

# chrono ``ParseErrorKind`` Display texts.
OUT_OF_RANGE = "input is out of range"
INVALID = "input contains invalid characters"
TOO_SHORT = "premature end of input"
TOO_LONG = "trailing input"


class _ParseError(Exception):
    pass


# humantime 2.x ``Unit::from_str``.
_UNITS = frozenset(
    (
        "nanos",
        "nsec",
        "ns",
        "usec",
        "us",
        "µs",
        "millis",
        "msec",
        "ms",
        "seconds",
        "second",
        "secs",
        "sec",
        "s",
        "minutes",
        "minute",
        "min",
        "mins",
        "m",
        "hours",
        "hour",
        "hr",
        "hrs",
        "h",
        "days",
        "day",
        "d",
        "weeks",
        "week",
        "wk",
        "wks",
        "w",
        "months",
        "month",
        "M",
        "years",
        "year",
        "yr",
        "yrs",
        "y",
    )
)
# humantime ``Parser::parse``: numbers (whitespace allowed between digits, an optional fraction
# with at least one digit) each followed by a unit; pieces separated by whitespace or not at all.
_DURATION_PIECE = re.compile(r"\s*(\d[\d\s]*(?:\.[\d\s]*)?)([a-zA-Zµ]+)\s*")


def is_duration(text: str) -> bool:
    """Whether humantime's ``Duration`` parser accepts ``text`` (overflow aside)."""
    pos, pieces = 0, 0
    while pos < len(text):
        match = _DURATION_PIECE.match(text, pos)
        if match is None:
            return text[pos:].strip() == "" and pieces > 0
        number, unit = match.groups()
        if "." in number and not re.search(r"\.[\s]*\d", number):
            return False  # "1." has no digit after the separator
        if unit not in _UNITS:
            return False
        pos, pieces = match.end(), pieces + 1
    return pieces > 0


def _number(s: str, minimum: int, maximum: int) -> tuple[str, int]:
    """chrono ``format::scan::number``."""
    if len(s.encode()) < minimum:
        raise _ParseError(TOO_SHORT)
    n = 0
    for i, c in enumerate(s[:maximum]):
        if not ("0" <= c <= "9"):
            if i < minimum:
                raise _ParseError(INVALID)
            return s[i:], n
        n = n * 10 + int(c)
        if n > 2**63 - 1:
            raise _ParseError(OUT_OF_RANGE)
    return s[maximum:], n


def _literal(s: str, lit: str) -> str:
    if len(s.encode()) < len(lit):
        raise _ParseError(TOO_SHORT)
    if not s.startswith(lit):
        raise _ParseError(INVALID)
    return s[len(lit) :]


def parse_date(text: str) -> None:
    """chrono ``NaiveDate::parse_from_str(text, "%Y-%m-%d")``: raises with chrono's message."""
    s = text.lstrip()
    if s.startswith(("-", "+")):
        s, year = _number(s[1:], 1, 2**63)
        year = -year if text.lstrip()[0] == "-" else year
    else:
        s, year = _number(s, 1, 4)
    if not -(2**31) <= year < 2**31:
        raise _ParseError(OUT_OF_RANGE)
    s = _literal(s, "-")
    s, month = _number(s.lstrip(), 1, 2)
    if not 1 <= month <= 12:
        raise _ParseError(OUT_OF_RANGE)
    s = _literal(s, "-")
    s, day = _number(s.lstrip(), 1, 2)
    if not 1 <= day <= 31:
        raise _ParseError(OUT_OF_RANGE)
    if s:
        raise _ParseError(TOO_LONG)
    _ymd(year, month, day)


def _ymd(year: int, month: int, day: int) -> None:
    try:
        datetime.date(year, month, day)
    except ValueError:
        # chrono's range is wider than Python's (years -262143..262142); outside 1..9999 only
        # the day of the month is checked here.
        if not 1 <= year <= 9999 and day <= _days_in_month(year, month):
            return
        raise _ParseError(OUT_OF_RANGE) from None


def _days_in_month(year: int, month: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]


def _digit(b: bytes, i: int) -> int:
    if not 48 <= b[i] <= 57:
        raise _ParseError(INVALID)
    return b[i] - 48


def _digits(b: bytes, start: int, width: int) -> int:
    """``width`` decimal digits from ``start``."""
    value = 0
    for i in range(start, start + width):
        value = value * 10 + _digit(b, i)
    return value


def _separator(b: bytes, i: int, *allowed: bytes) -> None:
    if b[i : i + 1] not in allowed:
        raise _ParseError(INVALID)


def parse_rfc3339(text: str) -> None:
    """chrono ``format::parse::parse_rfc3339``: raises with chrono's message."""
    b = text.encode()
    if len(b) < 19:
        raise _ParseError(TOO_SHORT)
    year = _digits(b, 0, 4)
    _separator(b, 4, b"-")
    month = _digits(b, 5, 2)
    _separator(b, 7, b"-")
    day = _digits(b, 8, 2)
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        raise _ParseError(OUT_OF_RANGE)
    _separator(b, 10, b"t", b"T", b" ")
    hour = _digits(b, 11, 2)
    _separator(b, 13, b":")
    minute = _digits(b, 14, 2)
    _separator(b, 16, b":")
    sec = _digits(b, 17, 2)
    rest = b[19:]
    if rest[:1] == b".":
        digits = re.match(rb"\d*", rest[1:]).group()
        if not digits:
            raise _ParseError(TOO_SHORT if len(rest) == 1 else INVALID)
        rest = rest[1 + len(digits) :]
    if hour > 23 or minute > 59 or sec > 60:
        raise _ParseError(OUT_OF_RANGE)
    _offset(rest)


def _offset(rest: bytes) -> None:
    """chrono ``scan::timezone_offset``: ``Z``, or a sign, two hour digits, ``:`` and two
    minute digits."""
    if not rest:
        raise _ParseError(TOO_SHORT)
    if rest[:1] in (b"z", b"Z"):
        rest = rest[1:]
    else:
        minus = "\u2212".encode()
        if rest[:1] in (b"+", b"-"):
            rest = rest[1:]
        elif rest.startswith(minus):
            rest = rest[len(minus) :]
        else:
            raise _ParseError(INVALID)
        if len(rest) < 2:
            raise _ParseError(TOO_SHORT)
        hours = _two_digits(rest)
        rest = rest[2:]
        if not rest:
            raise _ParseError(TOO_SHORT)
        if rest[:1] != b":":
            raise _ParseError(INVALID)
        rest = rest[1:]
        if len(rest) < 2:
            raise _ParseError(TOO_SHORT)
        minutes = _two_digits(rest)
        rest = rest[2:]
        if hours > 23 or minutes > 59:
            raise _ParseError(OUT_OF_RANGE)
    if rest:
        raise _ParseError(TOO_LONG)


def _two_digits(b: bytes) -> int:
    if not (48 <= b[0] <= 57 and 48 <= b[1] <= 57):
        raise _ParseError(INVALID)
    return (b[0] - 48) * 10 + b[1] - 48


def exclude_newer_error(text: str) -> str | None:
    """``None`` when pixi accepts ``text``, else its message."""
    if is_duration(text):
        return None
    try:
        parse_date(text)
        return None
    except _ParseError as exc:
        date_err = str(exc)
    try:
        parse_rfc3339(text)
        return None
    except _ParseError as exc:
        timestamp_err = str(exc)
    return (
        f"`{text}` is neither a valid duration, date ({date_err}), nor timestamp ({timestamp_err})"
    )


def read_exclude_newer(source: ManifestSource, path: KeyPath, value: Any) -> str:
    """``TomlFromStr<ExcludeNewer>``: a string (``expected expected a string`` otherwise) that
    ``parse_exclude_newer_str`` accepts."""
    text = source.from_str(path, value)
    error = exclude_newer_error(text)
    if error is not None:
        raise source.error(path, error)
    return text


def read_exclude_newer_map(
    source: ManifestSource, path: KeyPath, value: Any, *, pypi: bool
) -> dict[str, str]:
    """The root ``[exclude-newer]`` (conda ``PackageName`` keys) and ``[pypi-exclude-newer]``
    (pep508 ``PackageName`` keys) tables of ``toml/manifest.rs`` ``TomlManifest::deserialize``;
    each key is checked before its value."""
    from packaging.utils import InvalidName, canonicalize_name

    from pixiconf.manifest.specs import _pep508_name_error, check_package_name

    result: dict[str, str] = {}
    for name, item in source.table(path, value).items():
        if pypi:
            try:
                canonicalize_name(name, validate=True)
            except InvalidName:
                raise source.error((*path, name), _pep508_name_error(name)) from None
        else:
            check_package_name(source, (*path, name), name)
        result[name] = read_exclude_newer(source, (*path, name), item)
    return result
