"""Absolute URLs as pixi reads them with ``TomlFromStr<Url>`` (the ``url`` crate, WHATWG parsing).

Used for ``[workspace]``/``[package]`` ``homepage``, ``repository``, ``documentation``
(``toml/workspace.rs``, ``toml/package.rs``) and ``[workspace.s3-options.*] endpoint-url``
(``toml/s3_options.rs``).  Only the errors a manifest can reasonably hit are modelled, with the
``url`` crate's ``ParseError`` texts: a missing scheme, an empty host of a special scheme, a
port that is not a number up to 65535, and a forbidden host character (an IDNA error for
special schemes).
"""

from __future__ import annotations

import re
from typing import Any

from pixiconf.manifest.source import KeyPath, ManifestSource

#: The URL fields of ``[workspace]`` and ``[package]``.
URL_KEYS = ("homepage", "repository", "documentation")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_SPECIAL = ("http", "https", "ws", "wss", "ftp")
# WHATWG forbidden host code points that can appear inside an authority.
_FORBIDDEN_HOST = set(" <>^|%\t\n\r\0")


def url_error(text: str) -> str | None:
    """``None`` when the ``url`` crate parses ``text`` as an absolute URL, else its message."""
    text = text.strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12"
        "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )
    match = _SCHEME.match(text)
    if match is None:
        return "relative URL without a base"
    scheme = match.group()[:-1].lower()
    rest = text[match.end() :]
    special = scheme in _SPECIAL or scheme == "file"
    if scheme in _SPECIAL:
        rest = rest.lstrip("/\\")  # special schemes ignore any number of slashes
    elif rest.startswith("//"):
        rest = rest[2:]
    else:
        return None  # no authority: nothing to check here
    if scheme == "file":
        return None
    end = re.search(r"[/?#\\]" if special else r"[/?#]", rest)
    authority = rest[: end.start()] if end else rest
    host_port = authority.rpartition("@")[2]
    if host_port.startswith("["):
        host, _, port = host_port.partition("]")
        port = port[1:] if port.startswith(":") else port
        has_port = host_port.find("]:") >= 0
    else:
        host, has_port, port = host_port.partition(":")
    if scheme in _SPECIAL and not host:
        return "empty host"
    if has_port and port and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        return "invalid port number"
    if special and any(c in _FORBIDDEN_HOST for c in host):
        return "invalid international domain name"  # the host goes through IDNA first
    if not special and any(c in _FORBIDDEN_HOST - {"%"} for c in host):
        return "invalid domain character"  # an opaque host
    return None


def read_url(source: ManifestSource, path: KeyPath, value: Any) -> str:
    """A ``TomlFromStr<Url>`` value: a string (``from_str``'s type error), then
    :func:`url_error`."""
    text = source.from_str(path, value)
    error = url_error(text)
    if error is not None:
        raise source.error(path, error)
    return text
