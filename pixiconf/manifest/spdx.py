"""SPDX license expressions, exactly as strict as pixi 0.77 checks them.

pixi validates three licenses with the ``spdx`` crate, version 0.10.9 (``Cargo.lock``), always
through ``spdx::Expression::parse``, i.e. ``ParseMode::STRICT``:

* ``[workspace] license`` (``crates/pixi_manifest/src/toml/workspace.rs``
  ``TomlWorkspace::into_workspace``) and ``[package] license``
  (``crates/pixi_manifest/src/toml/package.rs`` ``TomlPackage::into_manifest``): an error
  ``'license' is not a valid SPDX expression`` labelled with the crate's ``ParseError``;
* the ``pyproject.toml`` license read by pixi-build-python
  (``crates/pixi_build_python/src/metadata.rs`` ``license``, ``str::parse``, the same mode):
  a warning quoting the ``ParseError``.

What strict mode accepts (``src/lexer.rs``, ``src/expression/parser.rs`` of the crate):

* license and exception identifiers of the SPDX list, **case-sensitively** (``mit`` is an
  unknown term); ``LicenseRef-<idstring>`` and ``DocumentRef-<idstring>:LicenseRef-<idstring>``
  with the prefixes spelled exactly so;
* the operators ``AND``, ``OR`` and ``WITH`` in capitals only (``and`` is an unknown term),
  ``WITH`` followed by an exception, parentheses;
* ``+`` straight after a license id (``MIT+``), except after a GNU license (``AGPL-``,
  ``GFDL-``, ``GPL-``, ``LGPL-``), which uses ``-or-later`` instead (``GPL-2.0+`` is an error);
  ``+`` after whitespace is an error.

The identifier lists come from ``packaging`` through its public API only:
:func:`packaging.licenses.canonicalize_license_expression` tells whether a word is an id and
gives its canonical spelling, which must equal the written word.  The crate carries SPDX list
3.27.0; packaging 26 carries the same list, packaging 24.2 carries 3.25.0 (ids added since
are unknown there).

The error text is the crate's ``ParseError`` display: the expression, then a line with the
error's byte span marked by ``^`` and the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

__all__ = ["SpdxError", "parse_error", "spdx_error"]

#: Rust's ``char::is_whitespace`` (the Unicode ``White_Space`` property).
_WHITESPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_REF_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
_TEXT_CHARS = _REF_CHARS | {":"}
_GNU_PREFIXES = ("AGPL-", "GFDL-", "GPL-", "LGPL-")

# Token kinds.
_LICENSE, _REF, _EXCEPTION, _PLUS, _OPEN, _CLOSE, _WITH, _AND, _OR = (
    "license",
    "ref",
    "exception",
    "+",
    "(",
    ")",
    "WITH",
    "AND",
    "OR",
)

#: ``Expression::parse_mode``: the tokens each kind may follow (``None``: the start).
_ALLOWED_AFTER: dict[str, tuple[str | None, ...]] = {
    _LICENSE: (None, _AND, _OR, _OPEN),
    _REF: (None, _AND, _OR, _OPEN),
    _OPEN: (None, _AND, _OR, _OPEN),
    _PLUS: (_LICENSE,),
    _WITH: (_LICENSE, _REF, _PLUS),
    _AND: (_LICENSE, _REF, _CLOSE, _EXCEPTION, _PLUS),
    _OR: (_LICENSE, _REF, _CLOSE, _EXCEPTION, _PLUS),
    _CLOSE: (_LICENSE, _REF, _PLUS, _EXCEPTION, _CLOSE),
    _EXCEPTION: (_WITH,),
}
#: ``make_err_for_token``: what may follow the previous token (``None``: the start).
_EXPECTED: dict[str | None, tuple[str, ...]] = {
    None: ("<license>", "("),
    _AND: ("<license>", "("),
    _OR: ("<license>", "("),
    _OPEN: ("<license>", "("),
    _CLOSE: ("AND", "OR"),
    _EXCEPTION: ("AND", "OR", ")"),
    _LICENSE: ("AND", "OR", "WITH", ")", "+"),
    _REF: ("AND", "OR", "WITH", ")"),
    _PLUS: ("AND", "OR", "WITH", ")"),
    _WITH: ("<exception>",),
}


@dataclass(frozen=True, slots=True)
class SpdxError:
    """The crate's ``ParseError``: the expression, a byte span and the reason."""

    original: str
    start: int
    end: int
    reason: str

    def __str__(self) -> str:
        marker = " " * self.start
        if self.reason == "unclosed parens":
            return f"{self.original}\n{marker}- {self.reason}"
        if self.reason == "unopened parens":
            return f"{self.original}\n{marker}^ {self.reason}"
        return f"{self.original}\n{marker}{'^' * (self.end - self.start)} {self.reason}"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    start: int  # character offsets into the expression
    end: int
    license_id: str = ""


class _Failed(Exception):
    def __init__(self, error: SpdxError):
        super().__init__(str(error))
        self.error = error


def _canonical(expression: str) -> str | None:
    try:
        return canonicalize_license_expression(expression)
    except InvalidLicenseExpression:
        return None


def _license_id(word: str) -> bool:
    """``spdx::license_id``: an id of the SPDX license list, spelled exactly."""
    if word.lower().startswith(("licenseref-", "documentref-")):
        return False
    return _canonical(word) == word


def _exception_id(word: str) -> bool:
    """``spdx::exception_id``: an id of the SPDX exception list, spelled exactly."""
    return _canonical(f"MIT WITH {word}") == f"MIT WITH {word}"


def _ref_run(text: str) -> int:
    """How many leading characters of ``text`` are idstring characters."""
    n = 0
    while n < len(text) and text[n] in _REF_CHARS:
        n += 1
    return n


def _reference_length(word: str) -> int | None:
    """``find_document_and_license_ref`` then ``find_license_ref``: how many characters of
    ``word`` form a ``DocumentRef-…:LicenseRef-…`` or ``LicenseRef-…`` term, or ``None``."""
    doc, colon, lic = word.partition(":")
    if colon and doc.startswith("DocumentRef-") and lic.startswith("LicenseRef-"):
        return len(doc) + 1 + len("LicenseRef-") + _ref_run(lic[len("LicenseRef-") :])
    if word.startswith("LicenseRef-"):
        return len("LicenseRef-") + _ref_run(word[len("LicenseRef-") :])
    return None


class _Parser:
    def __init__(self, text: str):
        self.text = text

    def fail(self, start: int, end: int, reason: str) -> _Failed:
        """An error over characters ``start..end``, shown with the crate's byte offsets."""

        def byte(i: int) -> int:
            return len(self.text[:i].encode("utf-8"))

        return _Failed(SpdxError(self.text, byte(start), byte(end), reason))

    def unexpected(self, last: str | None, start: int, end: int) -> _Failed:
        expected = _EXPECTED[last]
        if len(expected) > 1:
            reason = "expected one of " + ", ".join(f"`{e}`" for e in expected) + " here"
        else:
            reason = f"expected a `{expected[0]}` here"
        return self.fail(start, end, reason)

    def tokens(self) -> Iterator[_Token]:
        """The crate's ``Lexer``, lazily: a lexing error surfaces only when reached."""
        text, pos = self.text, 0
        while True:
            skipped = 0
            while pos < len(text) and text[pos] in _WHITESPACE:
                pos, skipped = pos + 1, skipped + 1
            if pos == len(text):
                return
            char = text[pos]
            if char == "+":
                if skipped:
                    raise self.fail(pos - skipped, pos, "`+` must not follow whitespace")
                yield _Token(_PLUS, pos, pos + 1)
                pos += 1
                continue
            if char in "()":
                yield _Token(_OPEN if char == "(" else _CLOSE, pos, pos + 1)
                pos += 1
                continue
            end = pos
            while end < len(text) and text[end] in _TEXT_CHARS:
                end += 1
            if end == pos:
                raise self.fail(pos, len(text), "invalid character(s)")
            word = text[pos:end]
            if word in (_WITH, _AND, _OR):
                token = _Token(word, pos, end)
            elif _license_id(word):
                token = _Token(_LICENSE, pos, end, word)
            elif _exception_id(word):
                token = _Token(_EXCEPTION, pos, end)
            elif (length := _reference_length(word)) is not None:
                token = _Token(_REF, pos, pos + length)
            else:
                raise self.fail(pos, end, "unknown term")
            yield token
            pos = token.end

    def parse(self) -> None:
        """``Expression::parse_mode`` with ``ParseMode::STRICT``; raises :class:`_Failed`."""
        last: _Token | None = None
        opened: list[_Token] = []

        def last_kind() -> str | None:
            return last.kind if last is not None else None

        for token in self.tokens():
            kind, previous = token.kind, last_kind()
            allowed = previous in _ALLOWED_AFTER[kind]
            if allowed and kind == _PLUS and last.license_id.startswith(_GNU_PREFIXES):
                raise self.fail(token.start, token.end, "a GNU license was followed by a `+`")
            if allowed and kind == _CLOSE and not opened:
                raise self.fail(token.start, token.end, "unopened parens")
            if not allowed:
                raise self.unexpected(previous, token.start, token.end)
            if kind == _OPEN:
                opened.append(token)
            elif kind == _CLOSE:
                opened.pop()
            last = token
        if last is None:
            raise self.fail(0, len(self.text), "empty expression")
        if last.kind not in (_LICENSE, _REF, _EXCEPTION, _CLOSE, _PLUS):
            raise self.unexpected(last.kind, len(self.text), len(self.text))
        if opened:
            raise self.fail(opened[-1].start, opened[-1].end, "unclosed parens")


def parse_error(text: str) -> SpdxError | None:
    """Why ``spdx::Expression::parse(text)`` fails, or ``None`` when ``text`` is valid."""
    try:
        _Parser(text).parse()
    except _Failed as failed:
        return failed.error
    return None


def spdx_error(text: str) -> str | None:
    """The crate's ``ParseError`` display for ``text``, or ``None`` when it is valid."""
    error = parse_error(text)
    return None if error is None else str(error)
