"""``pixiconf report ... --html DIR``: the static page of JSON reports, checked in a real
headless browser (Debian's chromium, :mod:`browser`) as a person would see it: screenshots
read pixel by pixel, and the DOM after the page's script ran."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from browser import CHROMIUM, MISSING, dump_dom, screenshot

from pixiconf.cli import main
from pixiconf.reports.html_report import Column, changed_cases, render_page
from pixiconf.reports.json_report import build_report, case_record

#: The background of a failing case's row, and of a changed case in "What changed".
FAILING_ROW = (0xFF, 0xDC, 0xDC)
CHANGED_ROW = (0xFF, 0xF3, 0xBF)

HOSTILE_ID = "evil/<img src=x onerror=\"document.title='pwned'\">"
HOSTILE_MESSAGE = "</pre></details><script>document.title='pwned'</script>&amp;"

needs_browser = pytest.mark.skipif(CHROMIUM is None, reason=MISSING)


def _report(outcomes: dict[str, str], *, pixi: str = "0.77.0", extra=None) -> dict:
    cases = {}
    for case_id, outcome in outcomes.items():
        failing = outcome not in ("pass", "skip")
        cases[case_id] = case_record(
            case_id,
            outcome,
            duration=0.25,
            features=["tag"],
            commands=["pixi info --json"] if failing else [],
            message=f"{case_id} went wrong" if failing else "",
            diff=(
                "--- expected\n+++ actual\n@@ -1 +1 @@\n-warnings: []\n+warnings: [x]"
                if outcome == "fail"
                else ""
            ),
            details="every mismatch\nand the message" if failing else "",
            **(extra or {}).get(case_id, {}),
        )
    return build_report(
        cases,
        contract=1,
        corpus_version="1.0.0",
        pixiconf_version="0.1.0",
        implementation={"name": "pixi", "version": f"pixi {pixi}", "pixi": pixi},
    )


def _write(tmp_path: Path, name: str, report: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(report))
    return str(path)


BASE = {
    "alpha/one": "pass",
    "alpha/two": "fail",
    "alpha/three": "pass",
    "beta/one": "error",
    "beta/two": "skip",
    "gamma/one": "fail",
    "gamma/two": "xfail",
}
#: The same run on another pixi: alpha/two and gamma/two now pass, beta/two fails.
OTHER = {**BASE, "alpha/two": "pass", "gamma/two": "pass", "beta/two": "fail"}


# --------------------------------------------------------------------------- the page's text


def test_the_page_lists_totals_areas_and_every_failing_case_with_its_diff():
    page = render_page([Column("run.json", _report(BASE))])
    assert "4 / 7" not in page and "2 / 7" in page  # passing cases of all
    for case in ("alpha/two", "beta/one", "gamma/one", "gamma/two"):
        assert f'data-id="{case}"' in page
    assert 'data-id="alpha/one"' not in page  # passing cases are only counted
    assert '<span class="d-add">+warnings: [x]</span>' in page
    assert "$ pixi info --json" in page
    for area in ("alpha", "beta", "gamma"):
        assert f'<td class="area mono">{area}</td>' in page
    assert "http" not in page.replace("http-equiv", "")  # no external asset


def test_everything_from_a_report_is_escaped():
    report = _report({HOSTILE_ID: "fail", "a/b": "pass"})
    report["cases"][HOSTILE_ID]["message"] = HOSTILE_MESSAGE
    report["cases"][HOSTILE_ID]["commands"] = ["echo '<b>bold</b>'"]
    report["implementation"]["name"] = "<i>impl</i>"
    page = render_page([Column("<u>label</u>.json", report)])
    assert page.count("<script") == 1 and page.count("</script>") == 1
    for raw in ("<img", "<b>bold", "<i>impl", "<u>label", "</pre></details><script>"):
        assert raw not in page
    assert "&lt;img src=x onerror=&quot;document.title=&#x27;pwned&#x27;&quot;&gt;" in page
    assert "&amp;amp;" in page  # an entity in a message is shown as written


def test_changed_cases_are_those_whose_outcome_differs_in_any_report():
    first, second = _report(BASE), _report(OTHER)
    del second["cases"]["alpha/one"]
    columns = [Column("a.json", first), Column("b.json", second)]
    assert changed_cases(columns) == ["alpha/one", "alpha/two", "beta/two", "gamma/two"]
    page = render_page(columns)
    assert page.count('<tr class="changed">') == 4
    assert 'data-changed="1"' in page and "not in this report" in page


# --------------------------------------------------------------------------- the command


def test_the_command_writes_a_self_contained_page(tmp_path, capsys):
    a = _write(tmp_path, "pixi-0.76.json", _report(BASE, pixi="0.76.0"))
    b = _write(tmp_path, "pixi-0.77.json", _report(OTHER))
    assert main(["report", a, b, "--html", str(tmp_path / "site")]) == 0
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "pixi-0.76.json vs pixi-0.77.json" in page
    assert not re.search(r"""(src|href)=["'](?!#)""", page)  # only in-page links
    assert "wrote" in capsys.readouterr().err


def test_the_command_refuses_a_bad_report_without_writing(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert main(["report", str(bad), "--html", str(tmp_path / "site")]) == 2
    assert "not a pixiconf report" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_the_page_of_merged_shards(tmp_path):
    one, two = _report({"alpha/one": "fail"}), _report({"beta/one": "pass"})
    one["shard"], two["shard"] = {"index": 1, "count": 2}, {"index": 2, "count": 2}
    paths = [_write(tmp_path, "1.json", one), _write(tmp_path, "2.json", two)]
    out = tmp_path / "merged.json"
    assert (
        main(["report", "--merge", *paths, "-o", str(out), "--html", str(tmp_path / "site")]) == 0
    )
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "1 / 2" in page and 'data-id="alpha/one"' in page
    assert json.loads(out.read_text())["totals"]["all"]["total"] == 2


def test_a_run_report_carries_the_diff_and_details_the_page_shows(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:randomly -p no:cacheprovider -p no:syrupy")
    corpus = pytester.path / "corpus"
    (corpus / "check").mkdir(parents=True)
    (corpus / "features.txt").write_text("check\n")
    (corpus / "check" / "warns.yaml").write_text(
        textwrap.dedent("""\
        description: A manifest without problems has no warnings.
        features: [check]
        files:
          pixi.toml: |
            [workspace]
            name = "x"
            channels = []
            platforms = ["linux-64"]
        op: check
        expect:
          result: {warnings: [a warning that is not there]}
        """)
    )
    result = pytester.runpytest("--pixiconf-cases", "corpus", "--pixiconf-report", "out.json")
    result.assert_outcomes(failed=1)
    record = json.loads((pytester.path / "out.json").read_text())["cases"]["check/warns"]
    assert "-- a warning that is not there" in record["diff"]
    assert record["details"].startswith("/warnings")
    assert (
        main(["report", str(pytester.path / "out.json"), "--html", str(pytester.path / "site")])
        == 0
    )
    page = (pytester.path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<span class="d-del">-- a warning that is not there</span>' in page


# --------------------------------------------------------------------------- in a browser


@needs_browser
def test_a_person_sees_one_red_row_per_failing_case(tmp_path):
    outcomes = {f"area{i % 3}/case-{i:02d}": "pass" for i in range(20)}
    failing = ["area0/case-03", "area1/case-07", "area2/case-11", "area1/case-16"]
    outcomes.update(dict.fromkeys(failing, "fail"))
    outcomes["area2/case-05"] = "crash"
    path = _write(tmp_path, "run.json", _report(outcomes))
    assert main(["report", path, "--html", str(tmp_path / "site")]) == 0
    image = screenshot(
        (tmp_path / "site" / "index.html").as_uri(), tmp_path / "page.png", size=(1100, 1400)
    )
    assert image.bands(FAILING_ROW, min_width=600) == len(failing) + 1
    # The outcome colours of the bar and badges are there too: green pass, red fail.
    assert image.count((0x2F, 0x9E, 0x44)) > 500 and image.count((0xE0, 0x31, 0x31)) > 100


@needs_browser
def test_what_changed_between_two_reports_is_highlighted(tmp_path):
    a = _write(tmp_path, "main.json", _report(BASE))
    b = _write(tmp_path, "branch.json", _report(OTHER))
    assert main(["report", a, b, "--html", str(tmp_path / "site")]) == 0
    image = screenshot(
        (tmp_path / "site" / "index.html").as_uri(), tmp_path / "page.png", size=(1100, 1500)
    )
    assert image.bands(CHANGED_ROW, min_width=250) == 3  # alpha/two, beta/two, gamma/two
    same = _write(tmp_path, "main-again.json", _report(BASE))
    assert main(["report", a, same, "--html", str(tmp_path / "same")]) == 0
    image = screenshot(
        (tmp_path / "same" / "index.html").as_uri(), tmp_path / "same.png", size=(1100, 1500)
    )
    assert image.bands(CHANGED_ROW, min_width=250) == 0


@needs_browser
def test_the_filter_in_the_address_hides_other_cases_after_the_script_ran(tmp_path):
    a = _write(tmp_path, "main.json", _report(BASE))
    b = _write(tmp_path, "branch.json", _report(OTHER))
    assert main(["report", a, b, "--html", str(tmp_path / "site")]) == 0
    uri = (tmp_path / "site" / "index.html").as_uri()
    dom = dump_dom(uri + "#q=gamma")
    assert 'data-ready="1"' in dom
    assert "2 of 5 cases shown" in dom
    hidden = re.findall(r'<details class="([^"]*)"[^>]*data-id="([^"]*)"', dom)
    assert {case for cls, case in hidden if "hidden" not in cls} == {"gamma/one", "gamma/two"}
    dom = dump_dom(uri + "#changed=1")
    shown = {
        case
        for cls, case in re.findall(r'<details class="([^"]*)"[^>]*data-id="([^"]*)"', dom)
        if "hidden" not in cls
    }
    assert shown == {"alpha/two", "beta/two", "gamma/two"}


@needs_browser
def test_case_content_cannot_inject_markup_or_script(tmp_path):
    report = _report({HOSTILE_ID: "fail", "a/b": "pass"})
    report["cases"][HOSTILE_ID]["message"] = HOSTILE_MESSAGE
    path = _write(tmp_path, "run.json", report)
    assert main(["report", path, "--html", str(tmp_path / "site")]) == 0
    dom = dump_dom((tmp_path / "site" / "index.html").as_uri() + "#q=evil&open=1")
    assert "<title>pixiconf conformance report</title>" in dom  # no script changed it
    assert "pwned</title>" not in dom and "<img" not in dom
    assert "1 of 1 cases shown" in dom
