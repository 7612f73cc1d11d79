"""SPDX license expressions as the ``spdx`` crate 0.10.9 parses them in ``ParseMode::STRICT``
(``src/lexer.rs``, ``src/expression/parser.rs``, ``src/error.rs``), the one validator behind
the workspace, package and pyproject licenses."""

from __future__ import annotations

import pytest

from pixiconf.manifest.spdx import parse_error, spdx_error


@pytest.mark.parametrize(
    "text",
    [
        "MIT",
        "Apache-2.0 OR MIT",
        "(MIT OR Apache-2.0) AND BSD-3-Clause",
        "GPL-2.0-or-later WITH Classpath-exception-2.0",
        "MIT+",
        "Apache-2.0+ WITH LLVM-exception",
        "GPL-2.0",  # deprecated ids are still on the list the crate reads
        "LicenseRef-Proprietary",
        "LicenseRef-x.y-z OR MIT",
        "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
        "LicenseRef-",  # find_license_ref accepts an empty idstring
        "((MIT))",
        "  MIT\tOR\nApache-2.0  ",
    ],
)
def test_valid(text):
    assert spdx_error(text) is None


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # src/error.rs: the expression, then the byte span marked with ^ and the reason
        ("mit", "mit\n^^^ unknown term"),
        ("MIT and Apache-2.0", "MIT and Apache-2.0\n    ^^^ unknown term"),
        (
            "MIT OR FOOBAR",
            "MIT OR FOOBAR\n       ^^^^^^ unknown term",
        ),  # pixi snapshot invalid_license
        ("MIT License", "MIT License\n    ^^^^^^^ unknown term"),
        ("licenseref-x", "licenseref-x\n^^^^^^^^^^^^ unknown term"),
        (
            "GPL-2.0-or-later WITH classpath-exception-2.0",
            "GPL-2.0-or-later WITH classpath-exception-2.0\n                      "
            "^^^^^^^^^^^^^^^^^^^^^^^ unknown term",
        ),
        ("GPL-2.0+", "GPL-2.0+\n       ^ a GNU license was followed by a `+`"),
        (
            "LGPL-2.1-or-later+",
            "LGPL-2.1-or-later+\n                 ^ a GNU license was followed by a `+`",
        ),
        ("MIT +", "MIT +\n   ^ `+` must not follow whitespace"),
        ("MIT++", "MIT++\n    ^ expected one of `AND`, `OR`, `WITH`, `)` here"),
        (
            "LicenseRef-x+",
            "LicenseRef-x+\n            ^ expected one of `AND`, `OR`, `WITH`, `)` here",
        ),
        ("MIT MIT", "MIT MIT\n    ^^^ expected one of `AND`, `OR`, `WITH`, `)`, `+` here"),
        ("MIT AND", "MIT AND\n        expected one of `<license>`, `(` here"),
        ("MIT WITH", "MIT WITH\n         expected a `<exception>` here"),
        ("MIT WITH MIT", "MIT WITH MIT\n         ^^^ expected a `<exception>` here"),
        (
            "Classpath-exception-2.0",
            "Classpath-exception-2.0\n"
            "^^^^^^^^^^^^^^^^^^^^^^^ expected one of `<license>`, `(` here",
        ),
        ("(MIT) (MIT)", "(MIT) (MIT)\n      ^ expected one of `AND`, `OR` here"),
        ("(MIT", "(MIT\n- unclosed parens"),
        ("((MIT OR Apache-2.0)", "((MIT OR Apache-2.0)\n- unclosed parens"),
        ("(MIT AND (Apache-2.0", "(MIT AND (Apache-2.0\n         - unclosed parens"),
        ("MIT)", "MIT)\n   ^ unopened parens"),
        ("MIT/Apache-2.0", "MIT/Apache-2.0\n   ^^^^^^^^^^^ invalid character(s)"),
        ("LicenseRef-a:b", "LicenseRef-a:b\n            ^^ unknown term"),
        ("", "\n empty expression"),
        ("  ", "  \n^^ empty expression"),
    ],
)
def test_invalid(text, shown):
    assert spdx_error(text) == shown


def test_spans_are_bytes():
    """The crate's spans are byte offsets into the UTF-8 text."""
    error = parse_error("MIT OR é")
    assert (error.start, error.end, error.reason) == (7, 9, "invalid character(s)")
    assert str(error) == "MIT OR é\n       ^^ invalid character(s)"


def test_a_parse_error_comes_before_a_later_lexing_error():
    """The lexer is lazy: the parser stops at the first out-of-place token."""
    assert (
        spdx_error("MIT MIT %")
        == "MIT MIT %\n    ^^^ expected one of `AND`, `OR`, `WITH`, `)`, `+` here"
    )
