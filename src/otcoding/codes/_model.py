"""Value types of the code tables: frozen, typed, effective-dated rows.

Dates are inclusive: a row is in effect on ``effective_from`` through
``effective_to``. ``effective_from=None`` means the row was in effect before the
earliest date the tables record (the start date is not sourced);
``effective_to=None`` means it is still in effect.
"""

from __future__ import annotations

import datetime as _dt
import enum
import html

import attrs

__all__ = [
    "Code",
    "CodeKind",
    "Modifier",
    "MueEdit",
    "NcciEdit",
    "PlaceOfService",
    "in_effect",
]


def in_effect(effective_from: _dt.date | None, effective_to: _dt.date | None, on: _dt.date) -> bool:
    """Whether an inclusive date range covers ``on``.

    >>> in_effect(_dt.date(2018, 1, 1), None, _dt.date(2026, 1, 1))
    True
    >>> in_effect(None, _dt.date(2017, 12, 31), _dt.date(2018, 1, 1))
    False
    """
    if effective_from is not None and on < effective_from:
        return False
    return effective_to is None or on <= effective_to


class CodeKind(str, enum.Enum):
    """What sort of service a procedure code bills."""

    EVALUATION = "evaluation"
    REEVALUATION = "reevaluation"
    TIMED = "timed treatment"
    UNTIMED = "untimed treatment"
    TIME_BASED = "time-based, not 15-minute"
    ORTHOTIC = "orthotic"
    SUPPLY = "supply"
    MONITORING = "remote monitoring"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


def _date_text(value: _dt.date | None, default: str) -> str:
    return value.isoformat() if value else default


@attrs.frozen(kw_only=True)
class Code:
    """One effective-dated row of the procedure table (CPT or HCPCS Level II).

    ``description`` is our own short summary, never the AMA descriptor.
    ``timed`` is true for codes billed per 15 minutes under the 8-minute rule;
    ``unit_minutes`` is 15 for those, the code's own time block for other
    time-based codes (e.g. 60 for 96112), and ``None`` for untimed codes.
    """

    code: str
    system: str  # "CPT" | "HCPCS"
    description: str
    kind: CodeKind
    timed: bool
    unit_minutes: int | None = None
    typical_minutes: int | None = None
    effective_from: _dt.date | None = None
    effective_to: _dt.date | None = None
    replaced_by: tuple[str, ...] = ()
    add_on_to: tuple[str, ...] = ()
    therapy: str | None = None  # "always" | "sometimes" | None
    medicare_status: str | None = None  # PFS status indicator (A, B, C, I, N, R, ...)
    source: str = ""
    note: str = ""

    def in_effect(self, on: _dt.date) -> bool:
        """Whether this row is in effect on ``on``."""
        return in_effect(self.effective_from, self.effective_to, on)

    @property
    def is_evaluation(self) -> bool:
        """True for initial evaluations and re-evaluations (untimed, 1 unit)."""
        return self.kind in (CodeKind.EVALUATION, CodeKind.REEVALUATION)

    def __str__(self) -> str:
        timing = "timed, 15-min units" if self.timed else str(self.kind)
        span = f"{_date_text(self.effective_from, '...')} to {_date_text(self.effective_to, 'now')}"
        return f"{self.code} ({self.system}) {self.description} [{timing}; {span}]"

    def _repr_html_(self) -> str:
        rows = [
            ("Code", self.code),
            ("System", self.system),
            ("Description (our summary)", self.description),
            ("Kind", str(self.kind)),
            ("Timed (15-minute units)", "yes" if self.timed else "no"),
            (
                "In effect",
                f"{_date_text(self.effective_from, 'not recorded')} to "
                f"{_date_text(self.effective_to, 'now')}",
            ),
            ("Replaced by", ", ".join(self.replaced_by) or "—"),
            ("Therapy designation", self.therapy or "—"),
            ("Source", self.source),
            ("Note", self.note or "—"),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table class='otcoding-code'>{body}</table>"


@attrs.frozen(kw_only=True)
class PlaceOfService:
    """One effective-dated row of the CMS place-of-service code set."""

    code: str
    name: str
    facility_rate: bool | None  # Medicare PFS pays the facility rate here; None: unassigned
    telehealth: bool = False
    effective_from: _dt.date | None = None
    effective_to: _dt.date | None = None
    source: str = ""
    note: str = ""

    def in_effect(self, on: _dt.date) -> bool:
        """Whether this row is in effect on ``on``."""
        return in_effect(self.effective_from, self.effective_to, on)

    def __str__(self) -> str:
        return f"POS {self.code} {self.name}"


@attrs.frozen(kw_only=True)
class Modifier:
    """One effective-dated row of the modifier table (CPT or HCPCS Level II)."""

    code: str
    system: str  # "CPT" | "HCPCS"
    description: str
    category: str  # discipline, assistant, threshold, distinct, telehealth, repeat, abn, ...
    effective_from: _dt.date | None = None
    effective_to: _dt.date | None = None
    source: str = ""
    note: str = ""

    def in_effect(self, on: _dt.date) -> bool:
        """Whether this row is in effect on ``on``."""
        return in_effect(self.effective_from, self.effective_to, on)

    def __str__(self) -> str:
        return f"modifier {self.code}: {self.description}"


@attrs.frozen(kw_only=True)
class NcciEdit:
    """One NCCI procedure-to-procedure (PTP) edit row.

    ``modifier_indicator``: 0 no modifier bypasses the edit; 1 an NCCI-associated
    modifier (59, XE, XS, XP, XU, anatomic) bypasses it when the services were
    distinct; 9 not applicable (edit deleted).
    """

    column1: str
    column2: str
    modifier_indicator: int
    effective_from: _dt.date | None = None
    effective_to: _dt.date | None = None
    rationale: str = ""
    edition: str = ""

    def in_effect(self, on: _dt.date) -> bool:
        """Whether this edit is in force on ``on`` (indicator 9 never is)."""
        return self.modifier_indicator != 9 and in_effect(
            self.effective_from, self.effective_to, on
        )


@attrs.frozen(kw_only=True)
class MueEdit:
    """One Medically Unlikely Edit: the most units of a code per line or per day.

    ``mai`` (MUE adjudication indicator): 1 per claim line, 2 per day (policy,
    absolute), 3 per day (clinical benchmark).
    """

    code: str
    units: int
    mai: int
    rationale: str = ""
    service_type: str = "Practitioner"
    edition: str = ""
    effective_from: _dt.date | None = None
    effective_to: _dt.date | None = None

    def in_effect(self, on: _dt.date) -> bool:
        """Whether this MUE value applies on ``on``."""
        return in_effect(self.effective_from, self.effective_to, on)
