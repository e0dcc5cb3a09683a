"""Effective-dated code tables: procedures, places of service, modifiers, NCCI and MUE.

Every lookup takes the date of service (``on``, default today) and answers for that
date: a code deleted before it, or added after it, raises
:class:`~otcoding.errors.UnknownCodeError` saying when and what replaced it.
Descriptions are our own summaries, never AMA CPT descriptor text. Tables are read
lazily, on first use, from the data files shipped inside the package.

>>> import datetime as dt
>>> lookup("97535", on=dt.date(2026, 3, 2)).kind
<CodeKind.TIMED: 'timed treatment'>
>>> lookup("97168", on=dt.date(2026, 3, 2)).kind
<CodeKind.REEVALUATION: 'reevaluation'>
>>> lookup("97532", on=dt.date(2021, 6, 1))
Traceback (most recent call last):
...
otcoding.errors.UnknownCodeError: procedure code '97532' is not in effect on 2021-06-01: deleted
    2018-01-01, replaced by 97127, G0515
>>> modifier("GO").category
'discipline'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar

from otcoding._parse import normalize_code, resolve_on
from otcoding.codes import _tables
from otcoding.codes._model import (
    Code,
    CodeKind,
    Modifier,
    MueEdit,
    NcciEdit,
    PlaceOfService,
    in_effect,
)
from otcoding.codes._tables import (
    SERVICE_TYPES,
    MueTable,
    NcciTable,
    Rvu,
    load_mue,
    load_ncci,
)
from otcoding.errors import UnknownCodeError

__all__ = [
    "SERVICE_TYPES",
    "Code",
    "CodeKind",
    "Modifier",
    "MueEdit",
    "MueTable",
    "NcciEdit",
    "NcciTable",
    "PlaceOfService",
    "Rvu",
    "codes",
    "data_editions",
    "find",
    "history",
    "in_effect",
    "load_mue",
    "load_ncci",
    "lookup",
    "modifier",
    "modifiers",
    "mue",
    "mue_table",
    "ncci_pair",
    "ncci_table",
    "place_of_service",
    "places_of_service",
    "rvu",
]

_Row = TypeVar("_Row", Code, PlaceOfService, Modifier)


def _pick(code: str, rows: Sequence[_Row], on: _dt.date, table: str) -> _Row:
    """The row in effect on ``on``, or an error naming the nearest row's dates."""
    for row in rows:
        if row.in_effect(on):
            return row
    earlier = [r for r in rows if r.effective_to is not None and r.effective_to < on]
    if earlier:
        last = max(earlier, key=lambda r: r.effective_to or _dt.date.min)
        replaced = last.replaced_by if isinstance(last, Code) else ()
        raise UnknownCodeError(
            code, table=table, on=on, effective_to=last.effective_to, replaced_by=replaced
        )
    first = min(rows, key=lambda r: r.effective_from or _dt.date.min)
    raise UnknownCodeError(code, table=table, on=on, effective_from=first.effective_from)


def _procedure_rows(code: object) -> tuple[str, tuple[Code, ...]]:
    norm = normalize_code(code, field="code")
    rows = _tables.PROCEDURES.get().get(norm)
    if not rows:
        raise UnknownCodeError(norm, table="procedure")
    return norm, rows


def find(code: str, on: _dt.date) -> Code | None:
    """The row of an already normalised code in effect on ``on``, or ``None``.

    The fast path for hot loops (claims normalise their codes when parsed): no
    normalisation, no exception. Use :func:`lookup` for user input and for the
    reason a code is not in effect.

    >>> import datetime as dt
    >>> find("97532", dt.date(2017, 6, 1)).code
    '97532'
    >>> find("97532", dt.date(2021, 6, 1)) is None
    True
    """
    for row in _tables.PROCEDURES.get().get(code, ()):
        if row.in_effect(on):
            return row
    return None


def lookup(code: object, on: object = None) -> Code:
    """The procedure code (CPT or HCPCS Level II) in effect on ``on`` (default today).

    Input is normalised (surrounding whitespace, letter case). A malformed code (an
    ``int``, ``""``, ``None``, ``"9711O"``) raises
    :class:`~otcoding.errors.InvalidInputError` naming the value; an unknown code, or one
    not in effect on that date, raises :class:`~otcoding.errors.UnknownCodeError`.

    >>> import datetime as dt
    >>> code = lookup(" 97110 ", on=dt.date(2026, 1, 5))
    >>> (code.code, code.timed, code.unit_minutes)
    ('97110', True, 15)
    >>> lookup("l4396", on=dt.date(2026, 1, 5)).description.startswith("Ankle-foot")
    True
    >>> lookup("97127", on=dt.date(2020, 3, 1))
    Traceback (most recent call last):
    ...
    otcoding.errors.UnknownCodeError: procedure code '97127' is not in effect on 2020-03-01:
        deleted 2020-01-01, replaced by 97129, 97130
    >>> lookup("97763", on=dt.date(2017, 6, 1))
    Traceback (most recent call last):
    ...
    otcoding.errors.UnknownCodeError: procedure code '97763' is not in effect on 2017-06-01: in
        effect from 2018-01-01
    >>> lookup(97110)
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: code: expected a 5-character CPT or HCPCS Level II code
        such as '97110' or 'L3906', got 97110
    """
    day = resolve_on(on)
    norm, rows = _procedure_rows(code)
    return _pick(norm, rows, day, "procedure")


def history(code: object) -> tuple[Code, ...]:
    """Every dated row of a procedure code, oldest first.

    >>> [(c.effective_from, c.effective_to) for c in history("97760")]
    [(None, datetime.date(2017, 12, 31)), (datetime.date(2018, 1, 1), None)]
    """
    return _procedure_rows(code)[1]


def codes() -> Iterator[Code]:
    """Iterate every procedure row (all codes, all dated versions), sorted by code.

    >>> sum(1 for c in codes() if c.code == "97165")
    1
    """
    for rows in _tables.PROCEDURES.get().values():
        yield from rows


def place_of_service(code: object, on: object = None) -> PlaceOfService:
    """The CMS place-of-service code in effect on ``on`` (default today).

    Unassigned numbers raise :class:`~otcoding.errors.UnknownCodeError` saying so.

    >>> import datetime as dt
    >>> place_of_service("10", on=dt.date(2026, 1, 5)).telehealth
    True
    >>> place_of_service("02", on=dt.date(2021, 1, 5)).name
    'Telehealth'
    >>> place_of_service("10", on=dt.date(2021, 6, 1))
    Traceback (most recent call last):
    ...
    otcoding.errors.UnknownCodeError: place_of_service code '10' is not in effect on 2021-06-01:
        in effect from 2022-01-01
    >>> place_of_service("28")
    Traceback (most recent call last):
    ...
    otcoding.errors.UnknownCodeError: place_of_service code '28' is unassigned in the CMS
        place-of-service code set
    """
    day = resolve_on(on)
    norm = normalize_code(code, field="place_of_service", kind="place_of_service")
    table, unassigned = _tables.PLACES.get()
    rows = table.get(norm)
    if not rows:
        err = UnknownCodeError(norm, table="place_of_service")
        if norm in unassigned:
            # The base message only says "unknown"; an unassigned number deserves the
            # precise reason so a host can tell a typo from a retired code.
            err.args = (
                f"place_of_service code {norm!r} is unassigned in the CMS place-of-service "
                "code set",
            )
        raise err
    return _pick(norm, rows, day, "place_of_service")


def places_of_service() -> Iterator[PlaceOfService]:
    """Iterate every assigned place-of-service row, sorted by code.

    >>> sorted({p.code for p in places_of_service() if p.telehealth})
    ['02', '10']
    """
    for rows in _tables.PLACES.get()[0].values():
        yield from rows


def modifier(code: object, on: object = None) -> Modifier:
    """The CPT or HCPCS modifier in effect on ``on`` (default today).

    >>> import datetime as dt
    >>> "occupational" in modifier("go").description
    True
    >>> "physical therapy" in modifier("GP").description
    True
    >>> modifier("GD", on=dt.date(2020, 1, 1))
    Traceback (most recent call last):
    ...
    otcoding.errors.UnknownCodeError: modifier code 'GD' is not in effect on 2020-01-01: deleted
        2020-01-01
    """
    day = resolve_on(on)
    norm = normalize_code(code, field="modifier", kind="modifier")
    rows = _tables.MODIFIERS.get().get(norm)
    if not rows:
        raise UnknownCodeError(norm, table="modifier")
    return _pick(norm, rows, day, "modifier")


def modifiers() -> Iterator[Modifier]:
    """Iterate every modifier row, sorted by code.

    >>> [m.code for m in modifiers() if m.category == "discipline"]
    ['GN', 'GO', 'GP']
    """
    for rows in _tables.MODIFIERS.get().values():
        yield from rows


def ncci_table() -> NcciTable:
    """The shipped NCCI practitioner PTP edition (2024Q2 v30.1, OT codes only).

    >>> ncci_table().edition
    '2024Q2 v30.1'
    """
    return _tables.NCCI.get()


def mue_table() -> MueTable:
    """The shipped MUE edition (effective 2024-04-01; all three service types).

    >>> mue_table().edition
    '2024-04-01'
    """
    return _tables.MUE.get()


def ncci_pair(
    a: object, b: object, on: object = None, *, table: NcciTable | None = None
) -> NcciEdit | None:
    """The NCCI PTP edit in force between two codes on ``on``, in either order.

    Returns ``None`` when no edit applies. ``table`` selects another edition (see
    :func:`load_ncci`); the default is :func:`ncci_table`.

    >>> import datetime as dt
    >>> edit = ncci_pair("97165", "97168", on=dt.date(2024, 5, 1))
    >>> (edit.column1, edit.column2, edit.modifier_indicator)
    ('97165', '97168', 0)
    >>> ncci_pair("97530", "97535", on=dt.date(2024, 5, 1)) is None
    True
    >>> ncci_pair("97140", "97530", on=dt.date(2019, 6, 1)).modifier_indicator
    1
    """
    day = resolve_on(on)
    first = normalize_code(a, field="code")
    second = normalize_code(b, field="code")
    return (table or ncci_table()).pair(first, second, day)


def mue(
    code: object,
    on: object = None,
    *,
    service_type: str = "Practitioner",
    table: MueTable | None = None,
) -> MueEdit | None:
    """The Medically Unlikely Edit for a code on ``on``, or ``None`` if there is none.

    ``service_type`` is ``"Practitioner"`` (default), ``"Outpatient Hospital"`` or
    ``"DME Supplier"``.

    >>> import datetime as dt
    >>> edit = mue("97165", on=dt.date(2024, 5, 1))
    >>> (edit.units, edit.mai)
    (1, 2)
    >>> mue("97110", on=dt.date(2024, 5, 1), service_type="outpatient hospital").units
    8
    """
    day = resolve_on(on)
    norm = normalize_code(code, field="code")
    kind = _tables.canonical_service_type(service_type)
    return (table or mue_table()).get(norm, day, kind)


def rvu(code: object) -> Rvu | None:
    """CY2025 Medicare PFS relative values of a code (RVU25D), or ``None``.

    >>> rvu("97535").status
    'A'
    """
    norm = normalize_code(code, field="code")
    return _tables.RVUS.get().get(norm)


def data_editions() -> Mapping[str, str]:
    """Which edition of each shipped table is in use, with its source.

    Hosts can log this so that every finding can be traced to the tables that ruled.

    >>> data_editions()["ncci_ptp"]
    '2024Q2 v30.1 practitioner (quarter from 2024-04-01) (source: S4)'
    """
    return _tables.EDITIONS.get()
