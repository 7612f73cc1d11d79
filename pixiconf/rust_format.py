"""Rust's ``{:?}`` (Debug) formatting of strings, which some pixi messages and sort keys embed.

serde's "invalid type: string \\"x\\"" errors (``pixiconf.pixibuild.config``) and rattler-build's
variant combination order (``pixiconf.pixibuild.hashing``) both use ``<str as Debug>::fmt``.
"""

from __future__ import annotations

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}


def rust_debug_str(text: str) -> str:
    """Rust's ``{:?}`` of a ``str``: quoted, with ``\\``, ``"`` and control characters escaped."""
    out = ['"']
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
