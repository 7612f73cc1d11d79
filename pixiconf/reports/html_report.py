"""The HTML page of one or more JSON reports (``pixiconf report A.json [B.json ...] --html DIR``).

One self-contained file, ``DIR/index.html``: inline CSS and a little inline JavaScript, no
external asset, no network, readable without JavaScript.  It shows

- each report's implementation, corpus version and totals (a bar of outcomes);
- with several reports (pixi 0.76 vs 0.77, a branch vs main): the cases whose outcome differs
  from the first report's, highlighted;
- a matrix of areas × outcomes, one column group per report;
- each case that did not pass in some report (``fail``, ``error``, ``xpass``, ``timeout``,
  ``crash``), then the known failures (``xfail``): per report its outcome, message, diff,
  details and the commands that ran.

Everything that comes from a report (case IDs, messages, diffs, commands, names) is escaped
with :func:`html.escape`; nothing from a report reaches the script, which reads only the
page's own ``data-`` attributes and the address's ``#q=TEXT&changed=1`` (a filter, applied
through ``textContent`` comparisons).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pixiconf.reports.json_report import OUTCOMES, totals

__all__ = ["FAILING", "Column", "changed_cases", "render_page", "write_site"]

#: Outcomes that fail a run: their cases are listed first, on a red row.
FAILING = ("fail", "error", "xpass", "timeout", "crash")
#: How bad an outcome is, to colour a case's row by its worst outcome across reports.
_SEVERITY = {o: i for i, o in enumerate(("pass", "skip", "xfail", *FAILING, "absent"))}
_SEVERITY["absent"] = 1  # a case one report lacks is worth seeing, not an alarm


@dataclass(frozen=True)
class Column:
    """One report shown on the page, under a label (its file name)."""

    label: str
    report: Mapping[str, Any]

    @property
    def cases(self) -> Mapping[str, Mapping[str, Any]]:
        return self.report.get("cases") or {}

    def outcome(self, case_id: str) -> str:
        record = self.cases.get(case_id)
        return record["outcome"] if record is not None else "absent"


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def changed_cases(columns: Sequence[Column]) -> list[str]:
    """IDs of the cases whose outcome is not the same in every report (absent counts)."""
    ids = sorted({case for column in columns for case in column.cases})
    return [case for case in ids if len({c.outcome(case) for c in columns}) > 1]


# --------------------------------------------------------------------------- style and script

_CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff; --soft:#f6f8fa;
  --pass:#2f9e44; --fail:#e03131; --xfail:#e8590c; --xpass:#c2255c; --skip:#868e96;
  --error:#f08c00; --timeout:#7048e8; --crash:#a61e4d; --absent:#adb5bd; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
  color:var(--fg); background:var(--bg); }
header { padding:18px 28px 10px; border-bottom:1px solid var(--line); background:var(--soft); }
h1 { margin:0 0 4px; font-size:22px; }
h2 { margin:28px 0 10px; font-size:18px; border-bottom:1px solid var(--line); padding-bottom:4px; }
main { padding:0 28px 40px; max-width:1400px; }
.sub { color:var(--muted); }
code, pre, .mono { font-family: ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;
  font-size:12.5px; }
.runs { display:flex; flex-wrap:wrap; gap:14px; margin-top:14px; }
.run { flex:1 1 300px; border:1px solid var(--line); border-radius:8px; padding:12px 14px;
  background:var(--bg); }
.run h3 { margin:0 0 2px; font-size:15px; }
.big { font-size:26px; font-weight:700; }
.bar { display:flex; height:12px; border-radius:6px; overflow:hidden; margin:8px 0 6px;
  background:var(--soft); }
.bar span { display:block; height:100%; }
.counts { display:flex; flex-wrap:wrap; gap:6px; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; color:#fff; font-size:12px;
  font-weight:600; white-space:nowrap; }
.o-pass{background:var(--pass)} .o-fail{background:var(--fail)} .o-xfail{background:var(--xfail)}
.o-xpass{background:var(--xpass)} .o-skip{background:var(--skip)} .o-error{background:var(--error)}
.o-timeout{background:var(--timeout)} .o-crash{background:var(--crash)}
.o-absent{background:var(--absent)}
table { border-collapse:collapse; }
th, td { border:1px solid var(--line); padding:3px 8px; text-align:right; }
th { background:var(--soft); font-weight:600; }
td.area, th.area { text-align:left; }
td.zero { color:#c4c9cf; }
td.hot { background:#ffe3e3; color:#a51d1d; font-weight:600; }
td.ok { color:var(--pass); font-weight:600; }
td.moved { background:#fff9db; box-shadow: inset 0 -3px 0 #f59f00; }
table.matrix td { min-width:64px; }
.matrix-wrap { overflow-x:auto; }
.changes td { text-align:left; }
.changes td:first-child { min-width:320px; }
tr.changed td { background:#fff3bf; }
.toolbar { position:sticky; top:0; z-index:2; display:flex; flex-wrap:wrap; gap:10px;
  align-items:center; padding:8px 0; background:var(--bg); border-bottom:1px solid var(--line); }
.toolbar input[type=search] { font:inherit; padding:4px 8px; width:320px;
  border:1px solid var(--line); border-radius:6px; }
.toolbar button { font:inherit; padding:3px 10px; border:1px solid var(--line);
  border-radius:6px; background:var(--soft); cursor:pointer; }
details.case { margin:6px 0; border:1px solid var(--line); border-radius:6px; }
details.case > summary { cursor:pointer; padding:6px 10px; display:flex; gap:10px;
  align-items:baseline; list-style:none; border-radius:6px; }
details.case > summary::-webkit-details-marker { display:none; }
details.case > summary::before { content:"\\25B8"; color:var(--muted); }
details.case[open] > summary::before { content:"\\25BE"; }
details.case[open] > summary { border-bottom:1px solid var(--line); border-radius:6px 6px 0 0; }
.row-fail > summary, .row-error > summary, .row-xpass > summary, .row-timeout > summary,
.row-crash > summary { background:#ffdcdc; }
.row-xfail > summary { background:#fff0e0; }
details.case.is-changed > summary { box-shadow: inset 5px 0 0 #f59f00; }
.cid { font-weight:600; word-break:break-all; }
.msg { color:var(--muted); overflow:hidden; text-overflow:ellipsis; white-space:nowrap;
  flex:1 1 0; min-width:0; }
.tag-changed { background:#f59f00; }
.panels { display:flex; flex-wrap:wrap; gap:12px; padding:10px; }
.panel { flex:1 1 420px; min-width:0; }
.panel h4 { margin:0 0 6px; font-size:13px; }
pre { margin:4px 0 10px; padding:8px 10px; background:var(--soft); border-radius:6px;
  overflow-x:auto; white-space:pre-wrap; word-break:break-word; }
pre.diff { white-space:pre; }
pre.diff span { display:block; }
.d-add { background:#dafbe1; color:#116329; } .d-del { background:#ffebe9; color:#82071e; }
.d-hunk { color:#0550ae; } .d-head { color:var(--muted); }
.label { font-size:12px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted);
  margin-top:4px; }
.hidden { display:none !important; }
footer { color:var(--muted); padding:10px 28px 30px; }
"""

# Reads only the page's own attributes; never inserts markup (textContent only).
_JS = """
(function () {
  var q = document.getElementById('q'), onlyChanged = document.getElementById('only-changed');
  var shown = document.getElementById('shown');
  var rows = Array.prototype.slice.call(document.querySelectorAll('details.case'));
  function apply() {
    var text = q.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (row) {
      var ok = (!text || row.getAttribute('data-id').toLowerCase().indexOf(text) >= 0) &&
               (!onlyChanged.checked || row.getAttribute('data-changed') === '1');
      row.classList.toggle('hidden', !ok);
      if (ok) { n += 1; }
    });
    shown.textContent = n + ' of ' + rows.length + ' cases shown';
  }
  var params = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (params.get('q')) { q.value = params.get('q'); }
  if (params.get('changed') === '1' && onlyChanged) { onlyChanged.checked = true; }
  q.addEventListener('input', apply);
  onlyChanged.addEventListener('change', apply);
  document.getElementById('expand').addEventListener('click', function () {
    rows.forEach(function (row) { if (!row.classList.contains('hidden')) { row.open = true; } });
  });
  document.getElementById('collapse').addEventListener('click', function () {
    rows.forEach(function (row) { row.open = false; });
  });
  if (params.get('open') === '1') { rows.forEach(function (row) { row.open = true; }); }
  apply();
  document.body.setAttribute('data-ready', '1');
})();
"""


# --------------------------------------------------------------------------- pieces


def _badge(outcome: str, text: str | None = None, title: str = "") -> str:
    tip = f' title="{_e(title)}"' if title else ""
    return (
        f'<span class="badge o-{_e(outcome)}"{tip}>'
        f"{_e(text if text is not None else outcome)}</span>"
    )


def _run_card(column: Column) -> str:
    report = column.report
    impl = report.get("implementation") or {}
    counts = totals(column.cases)["all"]
    total = counts["total"] or 1
    bar = "".join(
        f'<span class="o-{o}" style="width:{100 * counts[o] / total:.3f}%" '
        f'title="{counts[o]} {o}"></span>'
        for o in OUTCOMES
        if counts.get(o)
    )
    passed = counts.get("pass", 0)
    badges = "".join(_badge(o, f"{counts[o]} {o}") for o in OUTCOMES if counts.get(o))
    shard = report.get("shard")
    extra = f" · shard {_e(shard.get('index'))}/{_e(shard.get('count'))}" if shard else ""
    expectations = report.get("expectations")
    return (
        f'<section class="run"><h3 class="mono">{_e(column.label)}</h3>'
        f'<div class="sub">{_e(impl.get("name"))} — {_e(impl.get("version"))}</div>'
        f'<div class="sub">corpus {_e(report.get("corpus-version"))} · contract '
        f"{_e(report.get('contract'))} · pixiconf {_e(report.get('pixiconf'))}{extra}</div>"
        + (f'<div class="sub">expectations {_e(expectations)}</div>' if expectations else "")
        + f'<div class="big">{passed} / {counts["total"]} <span class="sub" '
        f'style="font-size:14px;font-weight:400">cases pass</span></div>'
        f'<div class="bar">{bar}</div><div class="counts">{badges}</div></section>'
    )


def _matrix(columns: Sequence[Column]) -> str:
    """Areas × outcomes; with several reports each cell lists every report's count
    (``3 → 1``) and is highlighted where they differ."""
    per = [totals(column.cases)["areas"] for column in columns]
    areas = sorted({area for counts in per for area in counts})
    used = [o for o in OUTCOMES if any(c.get(o) for counts in per for c in counts.values())]
    several = len(columns) > 1
    arrow = " → " if len(columns) == 2 else " / "
    note = (
        f'<p class="sub">Each cell: {_e(arrow.join(c.label for c in columns))}; '
        f"highlighted where the counts differ.</p>"
        if several
        else ""
    )
    head = (
        '<tr><th class="area">area</th>'
        + "".join(f"<th>{_badge(o)}</th>" for o in used)
        + "<th>total</th></tr>"
    )
    body = []
    for area in areas:
        cells = []
        for outcome in [*used, "total"]:
            values = [counts.get(area, {}).get(outcome, 0) for counts in per]
            cls = (
                "zero"
                if not any(values)
                else ("hot" if outcome in FAILING else "ok" if outcome == "pass" else "")
            )
            if several and len(set(values)) > 1:
                cls += " moved"
            cells.append(f'<td class="{cls}">{arrow.join(map(str, values))}</td>')
        body.append(f'<tr><td class="area mono">{_e(area or "(root)")}</td>{"".join(cells)}</tr>')
    return (
        f'{note}<div class="matrix-wrap"><table class="matrix">{head}{"".join(body)}</table></div>'
    )


def _changes(columns: Sequence[Column], changed: Sequence[str]) -> str:
    if not changed:
        return '<p class="sub">Every case has the same outcome in every report.</p>'
    head = (
        '<tr><th class="area">case</th>'
        + "".join(f'<th class="area mono">{_e(c.label)}</th>' for c in columns)
        + "</tr>"
    )
    rows = []
    for case in changed:
        cells = "".join(f"<td>{_badge(c.outcome(case))}</td>" for c in columns)
        rows.append(
            f'<tr class="changed"><td class="mono"><a href="#case-{_e(_anchor(case))}">'
            f"{_e(case)}</a></td>{cells}</tr>"
        )
    return (
        f"<p>{len(changed)} case{'s' if len(changed) != 1 else ''} changed outcome "
        f'(compared with <span class="mono">{_e(columns[0].label)}</span>):</p>'
        f'<table class="changes">{head}{"".join(rows)}</table>'
    )


def _anchor(case_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in case_id)


def _diff(text: str) -> str:
    lines = []
    for line in text.splitlines():
        cls = (
            "d-head"
            if line.startswith(("---", "+++"))
            else "d-add"
            if line.startswith("+")
            else "d-del"
            if line.startswith("-")
            else "d-hunk"
            if line.startswith("@@")
            else ""
        )
        lines.append(f'<span class="{cls}">{_e(line) or " "}</span>')
    return f'<pre class="diff">{"".join(lines)}</pre>'


def _panel(column: Column, case_id: str, several: bool) -> str:
    record = column.cases.get(case_id)
    title = f'<h4>{_badge(column.outcome(case_id))} <span class="mono">{_e(column.label)}</span>'
    if record is None:
        return f'<div class="panel">{title}</h4><p class="sub">not in this report</p></div>'
    duration = record.get("duration")
    title += (
        f' <span class="sub">{duration:.3f} s</span></h4>'
        if isinstance(duration, int | float)
        else "</h4>"
    )
    parts = [title]
    expected = record.get("expected")
    if isinstance(expected, Mapping):
        parts.append(
            f'<div class="label">expected</div><div>{_e(expected.get("outcome"))}: '
            f"{_e(expected.get('reason'))}</div>"
        )
    if record.get("message"):
        parts.append(f'<div class="label">message</div><pre>{_e(record["message"])}</pre>')
    if record.get("diff"):
        parts.append(f'<div class="label">diff (expected → actual)</div>{_diff(record["diff"])}')
    details = record.get("details")
    if details and details != record.get("message"):
        parts.append(f'<div class="label">details</div><pre>{_e(details)}</pre>')
    commands = record.get("commands") or []
    if commands:
        shown = "\n".join(f"$ {command}" for command in commands)
        parts.append(f'<div class="label">commands</div><pre>{_e(shown)}</pre>')
    return f'<div class="panel">{"".join(parts)}</div>'


def _case_rows(columns: Sequence[Column], ids: Sequence[str], changed: set[str]) -> str:
    several = len(columns) > 1
    out = []
    for case in ids:
        outcomes = [c.outcome(case) for c in columns]
        worst = max(outcomes, key=lambda o: _SEVERITY.get(o, 0))
        message = next(
            (
                c.cases[case].get("message", "")
                for c in columns
                if c.outcome(case) == worst and case in c.cases
            ),
            "",
        )
        is_changed = case in changed
        badges = "".join(
            _badge(o, title=f"{c.label}: {o}") for c, o in zip(columns, outcomes, strict=True)
        )
        flag = (
            _badge("changed", "changed").replace("o-changed", "tag-changed") if (is_changed) else ""
        )
        cls = f"case row-{_e(worst)}" + (" is-changed" if is_changed else "")
        panels = "".join(_panel(c, case, several) for c in columns)
        out.append(
            f'<details class="{cls}" id="case-{_e(_anchor(case))}" data-id="{_e(case)}" '
            f'data-outcomes="{_e(" ".join(outcomes))}" data-changed="{int(is_changed)}">'
            f'<summary><span class="cid mono">{_e(case)}</span>{badges}{flag}'
            f'<span class="msg" title="{_e(message)}">{_e(message)}</span></summary>'
            f'<div class="panels">{panels}</div></details>'
        )
    return "".join(out)


# --------------------------------------------------------------------------- page


def render_page(columns: Sequence[Column]) -> str:
    """The whole page for ``columns`` (at least one)."""
    if not columns:
        raise ValueError("render_page needs at least one report")
    changed = changed_cases(columns) if len(columns) > 1 else []
    ids = sorted({case for column in columns for case in column.cases})
    failing = [c for c in ids if any(col.outcome(c) in FAILING for col in columns)]
    known = [
        c for c in ids if c not in failing and any(col.outcome(c) == "xfail" for col in columns)
    ]
    changed_rest = [c for c in changed if c not in failing and c not in known]
    changed_set = set(changed)
    title = "pixiconf conformance report"
    if len(columns) > 1:
        title += ": " + " vs ".join(c.label for c in columns)
    sections = [
        '<h2 id="runs">Runs</h2>',
        f'<div class="runs">{"".join(_run_card(c) for c in columns)}</div>',
    ]
    if len(columns) > 1:
        sections += ['<h2 id="changes">What changed</h2>', _changes(columns, changed)]
    sections += ['<h2 id="areas">Areas × outcomes</h2>', _matrix(columns)]
    sections += [
        '<h2 id="cases">Cases that did not pass</h2>',
        '<div class="toolbar"><input type="search" id="q" placeholder="filter by case ID" '
        'aria-label="filter by case ID">'
        + (
            '<label><input type="checkbox" id="only-changed"> only changed</label>'
            if len(columns) > 1
            else '<input type="checkbox" id="only-changed" hidden>'
        )
        + '<button type="button" id="expand">expand all</button>'
        '<button type="button" id="collapse">collapse all</button>'
        f'<span class="sub" id="shown">{len(failing) + len(known) + len(changed_rest)} cases'
        "</span></div>",
        f'<h3 id="failing">Failing ({len(failing)})</h3>',
        _case_rows(columns, failing, changed_set)
        or '<p class="sub">No case failed in any report.</p>',
    ]
    if known:
        sections += [
            f'<h3 id="known">Known failures, listed in the expectation file ({len(known)})</h3>',
            _case_rows(columns, known, changed_set),
        ]
    if changed_rest:
        sections += [
            f'<h3 id="other-changes">Other changed cases ({len(changed_rest)})</h3>',
            _case_rows(columns, changed_rest, changed_set),
        ]
    subtitle = " · ".join(
        f"{_e(c.label)}: {_e((c.report.get('implementation') or {}).get('name'))}" for c in columns
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>{_e(title)}</h1><div class="sub">{subtitle}</div></header>'
        f"<main>{''.join(sections)}</main>"
        f"<footer>Generated by pixiconf report --html from {len(columns)} JSON report"
        f"{'s' if len(columns) != 1 else ''}. Static page: no server, no network.</footer>"
        f"<script>{_JS}</script></body></html>\n"
    )


def write_site(directory: Path, columns: Sequence[Column]) -> Path:
    """Write ``directory/index.html``; return its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    page = directory / "index.html"
    page.write_text(render_page(columns), encoding="utf-8")
    return page
