"""The TOML 1.1 reader (:mod:`pixiconf.manifest.toml`) and the location index on TOML 1.1 text.

Accepted and rejected forms come from the TOML 1.1 specification and toml-span 0.7.1, which
pixi 0.77 reads manifests with (``de.rs`` ``Deserializer::inline_table``, ``tokens.rs``
escapes): newlines, comments and one trailing comma inside inline tables; ``\\e`` is U+001B and
``\\xHH`` the code point HH, in basic strings only.  Error lines are toml-span's; columns are
tomli's (toml-span sometimes points one character later), since the reference keeps tomli's.
"""

from __future__ import annotations

import pytest

from pixiconf.diagnostics import DiagnosticError
from pixiconf.manifest import toml
from pixiconf.manifest.locations import LocationIndex
from pixiconf.manifest.source import ManifestSource

# -- what TOML 1.1 accepts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = {\n  x = 1,\n  y = 2\n}\n", {"a": {"x": 1, "y": 2}}),
        ("a = { x = 1, y = 2, }\n", {"a": {"x": 1, "y": 2}}),
        ("a = { # opening\n  x = 1, # first\n  # y = 2,\n}\n", {"a": {"x": 1}}),
        ("a = {\n}\n", {"a": {}}),
        ("a = [{\n  x = 1,\n}, { y = [\n  2,\n], },]\n", {"a": [{"x": 1}, {"y": [2]}]}),
    ],
    ids=["newlines", "trailing-comma", "comments", "empty-on-two-lines", "nested"],
)
def test_inline_tables_span_lines(text, expected):
    assert toml.loads(text) == expected


@pytest.mark.parametrize(
    ("escaped", "decoded"),
    [
        (r"\e", "\x1b"),
        (r"\e[1mbold\e[0m", "\x1b[1mbold\x1b[0m"),
        (r"\x41", "A"),
        (r"caf\xe9", "café"),
        (r"\xE9\xff", "éÿ"),
        (r"\x00", "\x00"),
        (r"\x3e=2", ">=2"),
    ],
)
def test_basic_string_escapes(escaped, decoded):
    assert toml.loads(f'a = "{escaped}"\n') == {"a": decoded}
    assert toml.loads(f'a = """{escaped}"""\n') == {"a": decoded}


def test_literal_strings_keep_backslashes():
    assert toml.loads("a = '\\e\\x41'\nb = '''\\e'''\n") == {"a": "\\e\\x41", "b": "\\e"}


# -- what stays an error, and where -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('a = "\\x4"\n', 1, 8),  # one hex digit, then the closing quote
        ('a = "\\xZZ"\n', 1, 8),
        ('a = "\\x"\n', 1, 8),
        ("a = { x = 1,, y = 2 }\n", 1, 13),
        ("a = { , }\n", 1, 7),
        ('a = {\n  x = "one\n",\n}\n', 2, 11),  # a raw newline in a basic string
        ('a = "\\q"\n', 1, 8),  # still no other escapes
    ],
    ids=["hex-one-digit", "hex-not-hex", "hex-none", "two-commas", "lone-comma", "newline", "q"],
)
def test_syntax_errors_are_located(text, line, column):
    with pytest.raises(toml.TOMLDecodeError) as caught:
        toml.loads(text)
    assert (caught.value.lineno, caught.value.colno) == (line, column)


def test_parse_gives_a_located_diagnostic_with_the_offending_line():
    # An unclosed inline table runs into the next line: the error is where the next key
    # starts, as pixi 0.77 reports it ("expected a comma, found an identifier" at 3:1).
    text = '[dependencies]\nnumpy = { version = ">=2"\nscipy = "*"\n'
    with pytest.raises(DiagnosticError) as caught:
        toml.parse(text, "pixi.toml", help="be valid")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.file, diagnostic.line, diagnostic.column) == ("pixi.toml", 3, 1)
    assert diagnostic.label == 'scipy = "*"'
    assert diagnostic.help == "be valid"
    assert diagnostic.render().startswith("pixi.toml:3:1: error: ")


def test_crlf_text_is_labelled_without_the_carriage_return():
    with pytest.raises(DiagnosticError) as caught:
        toml.parse('[workspace]\r\nname = "bad\\xZZ"\r\n', "pixi.toml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.line == 2
    assert diagnostic.label == 'name = "bad\\xZZ"'


def test_error_at_the_end_of_the_document_is_located():
    with pytest.raises(DiagnosticError) as caught:
        toml.parse("a = {\n  x = 1,\n", "pixi.toml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.line == 3
    assert diagnostic.label is None  # the last line is empty


def test_too_deep_nesting_is_a_diagnostic_not_a_traceback():
    with pytest.raises(DiagnosticError) as caught:
        ManifestSource.parse("pixi.toml", "a = " + "[" * 5000 + "\n")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.file == "pixi.toml"
    assert "nested" in diagnostic.message


def test_manifest_source_reads_toml_1_1():
    source = ManifestSource.parse("pixi.toml", 'a = {\n  b = "\\e",\n}\n')
    assert source.data == {"a": {"b": "\x1b"}}


# -- the location index on TOML 1.1 text ------------------------------------------------------

MULTILINE_DOC = """\
[dependencies]
numpy = { # braces { } and commas , in a comment
  version = ">=2",  # a comment
  "quoted.key" = "x",
  extras = [
    "a", "b,c = 1",
  ],
  build = \"\"\"
  fake = { inner = 1 }
  \"\"\", channel = "conda-forge",
}
scipy = "*"

[feature.test]
dependencies = {
  pytest = { version = "*",
             channel = "x", },
  # hidden = "*",
  hypothesis = "*",
}
tasks = { a = "x", b = { cmd = "y" } }
after = 1
"""
LINES = MULTILINE_DOC.splitlines()


def _col(line: int, text: str) -> int:
    return LINES[line - 1].index(text) + 1


@pytest.fixture(scope="module")
def index() -> LocationIndex:
    toml.loads(MULTILINE_DOC)  # the document is valid TOML 1.1
    return LocationIndex.from_text(MULTILINE_DOC)


def test_keys_of_a_multiline_inline_table_are_on_their_own_lines(index):
    deps = ("dependencies", "numpy")
    assert index.find(deps) == (2, 1)
    assert index.find((*deps, "version")) == (3, 3)
    assert index.find((*deps, "quoted.key")) == (4, 3)
    assert index.find((*deps, "extras")) == (5, 3)
    assert index.find((*deps, "build")) == (8, 3)
    assert index.find((*deps, "channel")) == (10, _col(10, "channel"))


def test_comments_and_multiline_strings_inside_inline_tables_hold_no_keys(index):
    assert index.find(("dependencies", "numpy", "fake")) == (2, 1)  # falls back to the parent
    assert index.find(("dependencies", "numpy", "inner")) == (2, 1)
    assert index.find(("dependencies", "numpy", "b,c")) == (2, 1)
    assert index.find(("feature", "test", "dependencies", "hidden")) == (15, 1)


def test_the_document_goes_on_after_the_inline_table_closes(index):
    assert index.find(("dependencies", "scipy")) == (12, 1)
    assert index.find(("feature", "test")) == (14, 1)
    assert index.find(("feature", "test", "after")) == (22, 1)


def test_nested_inline_tables_over_lines_and_trailing_commas(index):
    deps = ("feature", "test", "dependencies")
    assert index.find((*deps, "pytest")) == (16, 3)
    assert index.find((*deps, "pytest", "version")) == (16, _col(16, "version"))
    assert index.find((*deps, "pytest", "channel")) == (17, _col(17, "channel"))
    assert index.find((*deps, "hypothesis")) == (19, 3)


def test_one_line_inline_tables_are_placed_as_before(index):
    tasks = ("feature", "test", "tasks")
    assert index.find((*tasks, "a")) == (21, _col(21, "a ="))
    assert index.find((*tasks, "b", "cmd")) == (21, _col(21, "cmd"))


def test_unknown_key_in_a_multiline_inline_table_is_reported_at_its_line():
    text = '[dependencies]\nnumpy = {\n  version = ">=2",\n  chanel = "x",\n}\n'
    source = ManifestSource.parse("pixi.toml", text)
    diagnostic = source.diagnostic(("dependencies", "numpy", "chanel"), "unexpected")
    assert (diagnostic.line, diagnostic.column) == (4, 3)


def test_toml_case_files_are_read_as_toml_1_1():
    from pixiconf.corpus.loader import parse_case_text

    text = 'description = "d"\nexpect = {\n  result = { warnings = [] }, # none\n}\n'
    assert parse_case_text(text, ".toml") == {
        "description": "d",
        "expect": {"result": {"warnings": []}},
    }
