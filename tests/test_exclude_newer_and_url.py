"""exclude-newer values and TomlFromStr<Url> errors.

Every expectation was checked against pixi 0.77.
"""

import pytest

from pixiconf.manifest.exclude_newer import exclude_newer_error
from pixiconf.manifest.url import url_error


@pytest.mark.parametrize(
    "text",
    [
        "7d",
        "1h30m",
        "7 days",
        "1.5d",
        "7d 3h",
        "2024-01-01",
        "2024-1-1",
        " 2024-01-01",
        "2024-01-01T00:00:00Z",
        "2024-01-01t00:00:00z",
        "2024-01-01T00:00:00+01:00",
    ],
)
def test_exclude_newer_accepted(text):
    assert exclude_newer_error(text) is None


@pytest.mark.parametrize(
    ("text", "date", "timestamp"),
    [
        ("yesterday", "input contains invalid characters", "premature end of input"),
        ("2024-13-01", "input is out of range", "premature end of input"),
        ("2023-02-29", "input is out of range", "premature end of input"),
        ("2024-01-01x", "trailing input", "premature end of input"),
        ("", "premature end of input", "premature end of input"),
        ("1.d", "input contains invalid characters", "premature end of input"),
        ("10000-01-01", "input contains invalid characters", "premature end of input"),
        ("2024-01-01T25:00:00Z", "trailing input", "input is out of range"),
        ("0001-02-29T00:00:00Z", "trailing input", "input is out of range"),
        ("2024-01-01T00:00:00.Z", "trailing input", "input contains invalid characters"),
        ("2024-01-01T00:00:00+0100", "trailing input", "input contains invalid characters"),
    ],
)
def test_exclude_newer_rejected(text, date, timestamp):
    assert exclude_newer_error(text) == (
        f"`{text}` is neither a valid duration, date ({date}), nor timestamp ({timestamp})"
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("example.com", "relative URL without a base"),
        ("http://", "empty host"),
        ("ftp://", "empty host"),
        ("https://user@:80", "empty host"),
        ("http://x:99999", "invalid port number"),
        ("http://x:12a/", "invalid port number"),
        ("git+https://x:70000/", "invalid port number"),
        ("https://a b/", "invalid international domain name"),
        ("foo://a b/", "invalid domain character"),
        ("https://ex.com/a", None),
        ("http:ex.com", None),
        ("s3://bucket", None),
        ("foo:bar", None),
        ("http://x:/", None),
        ("http://[::1]:80/", None),
        ("file:///tmp", None),
        ("foo://a%b/", None),
    ],
)
def test_url_error(text, error):
    assert url_error(text) == error
