"""Jupyter HTML reprs: Finding, Report, Allocation, Code and an audit are escaped tables."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import otcoding
from otcoding.codes import Code, CodeKind
from otcoding.findings import _COLOURS, Finding, Report, Severity
from otcoding.units import allocate

DOS = dt.date(2026, 3, 2)
NASTY = "<script>alert('x')</script> & \"q\""
NASTY_ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;"


class _Cells(HTMLParser):
    """Collects the text of every <td>/<th> and the tags seen."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.tags: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("td", "th"):
            self._open = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self.cells[-1] += data


def parse(text: str) -> _Cells:
    parser = _Cells()
    parser.feed(text)
    parser.close()
    return parser


def finding(**overrides: object) -> Finding:
    fields: dict[str, object] = {
        "rule_id": "OT-UNITS-001",
        "severity": Severity.ERROR,
        "message": "97530: 3 units billed, 30 minutes support 2",
        "line": 0,
        "fix": "bill 2 units",
        "source": "CMS Pub 100-04 ch.5 §20.2",
    }
    fields.update(overrides)
    return Finding(**fields)  # type: ignore[arg-type]


# --- Finding -------------------------------------------------------------------------------


def test_finding_html_has_every_field_in_order() -> None:
    cells = parse(finding()._repr_html_()).cells
    assert cells == [
        "Severity",
        "Rule",
        "Line",
        "Message",
        "Fix",
        "Source",
        "error",
        "OT-UNITS-001",
        "0",
        "97530: 3 units billed, 30 minutes support 2",
        "bill 2 units",
        "CMS Pub 100-04 ch.5 §20.2",
    ]


def test_finding_html_uses_the_severity_colour() -> None:
    for severity, colour in _COLOURS.items():
        text = finding(severity=severity)._repr_html_()
        assert f"color:{colour}" in text
        assert severity.value in parse(text).cells


def test_finding_html_claim_level_and_no_fix() -> None:
    cells = parse(finding(line=None, fix=None)._repr_html_()).cells
    assert cells[8] == "claim"
    assert cells[10] == ""
    assert "None" not in cells


def test_finding_html_escapes_every_text_field() -> None:
    text = finding(rule_id=NASTY, message=NASTY, fix=NASTY, source=NASTY)._repr_html_()
    assert "<script>" not in text
    assert text.count(NASTY_ESCAPED) == 4
    parsed = parse(text)
    assert "script" not in parsed.tags
    # The parser unescapes: the cells read back exactly as written.
    assert parsed.cells.count(NASTY) == 4


# --- Report --------------------------------------------------------------------------------


def test_report_html_title_counts_and_rows() -> None:
    report = Report(
        claim_id="C-<1>",
        findings=(
            finding(severity=Severity.WARNING, rule_id="OT-B", line=1),
            finding(),
            finding(severity=Severity.INFO, rule_id="OT-C", line=None, message=NASTY),
        ),
    )
    text = report._repr_html_()
    assert "<b>Claim C-&lt;1&gt;</b>: 1 error(s), 1 warning(s), 1 info" in text
    assert "<script>" not in text
    assert NASTY_ESCAPED in text
    parsed = parse(text)
    assert "script" not in parsed.tags
    # Rows in the report's order: claim level first, then by line.
    rows = [parsed.cells[i : i + 6] for i in range(6, len(parsed.cells), 6)]
    assert [r[1] for r in rows] == ["OT-C", "OT-UNITS-001", "OT-B"]
    assert [r[2] for r in rows] == ["claim", "0", "1"]


def test_report_html_clean_claim() -> None:
    text = Report(claim_id="C-2")._repr_html_()
    assert "no errors, 0 warning(s), 0 info" in text
    assert parse(text).cells == ["Severity", "Rule", "Line", "Message", "Fix", "Source"]


def test_report_html_from_a_real_check() -> None:
    report = otcoding.check(
        {
            "claim_id": "C-1",
            "payer": "medicare",
            "lines": [
                {
                    "code": "97530",
                    "modifiers": ["GP"],
                    "units": 3,
                    "minutes": 30,
                    "date_of_service": "2026-03-02",
                }
            ],
        },
        today=dt.date(2026, 3, 10),
    )
    cells = parse(report._repr_html_()).cells
    assert {"OT-UNITS-001", "OT-DISC-002"} <= set(cells)
    assert f"color:{_COLOURS[Severity.ERROR]}" in report._repr_html_()


# --- Allocation ----------------------------------------------------------------------------


def test_allocation_html_content() -> None:
    allocation = allocate({"97110": 7, "97112": 7, "97140": 7}, on=DOS)
    text = allocation._repr_html_()
    assert "21 timed min" in text
    cells = parse(text).cells
    assert cells[:5] == ["Code", "Minutes", "Timed", "Units", "Note"]
    rows = [cells[i : i + 5] for i in range(5, len(cells), 5)]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("97110", "7", "1"),
        ("97112", "7", "0"),
        ("97140", "7", "0"),
    ]
    assert "tied" in rows[0][4]


def test_allocation_html_untimed_code() -> None:
    cells = parse(allocate({"97150": 30, "97110": 20}, on=DOS)._repr_html_()).cells
    row = cells[cells.index("97150") : cells.index("97150") + 5]
    assert row == ["97150", "30", "no", "1", "untimed: 1 unit"]


def test_allocation_html_escapes_labels() -> None:
    text = allocate({NASTY: 20, "gait": 10}, lookup=False)._repr_html_()
    assert "<script>" not in text
    assert NASTY_ESCAPED in text
    assert NASTY in parse(text).cells


# --- Code ----------------------------------------------------------------------------------


def test_code_html_content() -> None:
    code = otcoding.lookup("97532", on=dt.date(2017, 6, 1))
    cells = parse(code._repr_html_()).cells
    table = dict(zip(cells[::2], cells[1::2], strict=True))
    assert table["Code"] == "97532"
    assert table["System"] == "CPT"
    assert table["Timed (15-minute units)"] == "yes"
    assert table["In effect"].endswith("2017-12-31")
    assert table["Replaced by"] == "97127, G0515"


def test_code_html_escapes() -> None:
    code = Code(
        code="99999",
        system="CPT",
        description=NASTY,
        kind=CodeKind.SUPPLY,
        timed=False,
        source=NASTY,
        note=NASTY,
    )
    text = code._repr_html_()
    assert "<script>" not in text
    assert text.count(NASTY_ESCAPED) == 3
    cells = parse(text).cells
    table = dict(zip(cells[::2], cells[1::2], strict=True))
    assert table["Description (our summary)"] == NASTY
    assert table["Timed (15-minute units)"] == "no"


def test_allocation_caption_counts_units_in_words() -> None:
    one = otcoding.allocate({"97110": 7, "97112": 7, "97140": 7}, lookup=False)
    two = otcoding.allocate({"97110": 30}, lookup=False)
    assert "21 timed min, 1 unit</caption>" in one._repr_html_()
    assert "30 timed min, 2 units</caption>" in two._repr_html_()


def test_audit_summary_is_a_table_of_counts_then_rules() -> None:
    from otcoding.examples import batch_path

    run = otcoding.audit(str(batch_path()), today=dt.date(2026, 12, 1))
    before = parse(run._repr_html_())
    assert "incomplete" in run._repr_html_()
    assert before.cells[before.cells.index("Rows read") + 1].startswith("0 (")
    findings = list(run)
    page = run.summary._repr_html_()
    cells = parse(page).cells
    s = run.summary
    assert cells[cells.index("Rows read") + 1] == (
        f"{s.rows:,} ({s.rows_checked:,} checked, {s.rows_not_checked:,} not checked, "
        f"{s.unreadable_rows:,} unreadable; {s.blank_rows:,} blank)"
    )
    assert cells[cells.index("Findings") + 1].startswith(f"{len(findings)}: ")
    assert f"<span style='color:{_COLOURS[Severity.ERROR]}'>{s.errors} errors</span>" in page
    rules = cells[cells.index("Rule") + 2 :]  # after the header cells "Rule", "Findings"
    shown = dict(zip(rules[::2], rules[1::2], strict=True))
    assert shown == {rule: f"{n:,}" for rule, n in s.by_rule.items()}
    assert "(complete)" in page
    assert repr(run).endswith(f"rows={s.rows}, findings={s.findings}, complete=True)")


def test_audit_html_escapes_the_source_name_and_lists_skipped_rules() -> None:
    import io

    stream = io.StringIO("claim_id,payer,code,units,date_of_service\n")
    stream.name = NASTY  # type: ignore[misc]
    run = otcoding.audit(stream, input_format="csv", double_billing=False)
    page = run._repr_html_()
    assert NASTY not in page
    assert NASTY_ESCAPED in page
    assert "Not run (asked for): OT-BATCH-001" in page
