"""Sphinx directives that render otcoding's catalogues from the package itself.

``rule-catalogue`` renders :func:`otcoding.rules`; ``code-table`` renders one of the
shipped code tables. Both are generated at build time, never maintained by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[int]
) -> nodes.table:
    table = nodes.table()
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head += _row(headers)
    body = nodes.tbody()
    group += body
    for row in rows:
        body += _row(row)
    return table


def _row(cells: Sequence[str]) -> nodes.row:
    row = nodes.row()
    for text in cells:
        entry = nodes.entry()
        entry += nodes.paragraph(text=text)
        row += entry
    return row


class RuleCatalogue(SphinxDirective):
    """Every shipped rule: ID, severity, payers, summary, source."""

    option_spec: ClassVar[dict[str, Any]] = {"scope": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        import otcoding

        scope = self.options.get("scope")
        rows = [
            (r.rule_id, r.severity.value, ", ".join(r.payers) or "all", r.summary, r.source)
            for r in otcoding.rules()
            if scope is None or r.scope == scope
        ]
        headers = ("Rule", "Severity", "Rule sets", "Checks", "Source")
        return [_table(headers, rows, (12, 8, 14, 40, 30))]


def _date(value: Any) -> str:
    return value.isoformat() if value else "—"


class CodeTable(SphinxDirective):
    """One shipped table: ``procedures``, ``modifiers`` or ``places``."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        from otcoding import codes

        which = self.arguments[0]
        if which == "procedures":
            headers: tuple[str, ...] = (
                "Code",
                "Kind",
                "Timed",
                "From",
                "To",
                "Description",
                "Note",
            )
            rows = [
                (
                    c.code,
                    str(c.kind),
                    "yes" if c.timed else "no",
                    _date(c.effective_from),
                    _date(c.effective_to),
                    c.description,
                    c.note,
                )
                for c in codes.codes()
            ]
            widths: tuple[int, ...] = (8, 12, 6, 10, 10, 34, 30)
        elif which == "modifiers":
            headers = ("Modifier", "Category", "From", "To", "Meaning", "Note")
            rows = [
                (
                    m.code,
                    m.category,
                    _date(m.effective_from),
                    _date(m.effective_to),
                    m.description,
                    m.note,
                )
                for m in codes.modifiers()
            ]
            widths = (8, 12, 10, 10, 40, 30)
        elif which == "places":
            headers = ("POS", "Name", "Rate", "From", "To", "Note")
            rows = [
                (
                    p.code,
                    p.name,
                    "facility" if p.facility_rate else "non-facility",
                    _date(p.effective_from),
                    _date(p.effective_to),
                    p.note,
                )
                for p in codes.places_of_service()
            ]
            widths = (6, 34, 12, 10, 10, 30)
        else:
            raise self.error(f"unknown code table {which!r}")
        return [_table(headers, rows, widths)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("rule-catalogue", RuleCatalogue)
    app.add_directive("code-table", CodeTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
