"""Private loaders for the shipped code tables and for host-supplied NCCI/MUE files.

Nothing here runs at import time: each table is parsed on first use, once, under a lock,
so that the first calls from several threads share one result. Parsed tables are plain
dicts keyed by code, which keeps every lookup O(1).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Generic, TypeVar

import attrs

from otcoding._parse import normalize_code
from otcoding.codes._model import Code, CodeKind, Modifier, MueEdit, NcciEdit, PlaceOfService
from otcoding.errors import DataFileError, InvalidInputError

if TYPE_CHECKING:
    from importlib.abc import Traversable

__all__ = [
    "SERVICE_TYPES",
    "MueTable",
    "NcciTable",
    "Rvu",
    "load_mue",
    "load_ncci",
]

T = TypeVar("T")

#: MUE service types, as CMS names its three tables.
SERVICE_TYPES = ("Practitioner", "Outpatient Hospital", "DME Supplier")
_SERVICE_TYPE_KEYS = {name.lower(): name for name in SERVICE_TYPES}


class _Lazy(Generic[T]):
    """A value computed on first access, exactly once, even under a thread race."""

    __slots__ = ("_done", "_factory", "_lock", "_value")

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._done = False
        self._value: T | None = None

    @property
    def loaded(self) -> bool:
        return self._done

    def get(self) -> T:
        if not self._done:
            with self._lock:
                if not self._done:
                    self._value = self._factory()
                    self._done = True
        return self._value  # type: ignore[return-value]


# ------------------------------------------------------------------------------------
# Reading CSV with '#' comment headers, reporting physical line numbers
# ------------------------------------------------------------------------------------


class _Rows:
    """Iterate the data rows of a CSV text, skipping ``#`` comment lines.

    Keeps the physical line number of each row so that errors point at the file line.
    """

    def __init__(self, name: str, text: Iterable[str]) -> None:
        self.name = name
        self._lines: list[int] = []
        self._reader = csv.reader(self._data_lines(text))
        try:
            header = next(self._reader)
        except StopIteration:
            raise DataFileError(name, "no header row") from None
        self.columns = [c.strip() for c in header]

    def _data_lines(self, text: Iterable[str]) -> Iterator[str]:
        for number, line in enumerate(text, start=1):
            if line.startswith("#") or not line.strip():
                continue
            self._lines.append(number)
            yield line

    @property
    def line(self) -> int:
        return self._lines[-1] if self._lines else 0

    def require(self, *names: str) -> None:
        missing = [n for n in names if n not in self.columns]
        if missing:
            raise DataFileError(
                self.name,
                f"missing column(s) {', '.join(missing)}; found {', '.join(self.columns)}",
            )

    def __iter__(self) -> Iterator[dict[str, str]]:
        width = len(self.columns)
        for cells in self._reader:
            if len(cells) != width:
                raise DataFileError(
                    self.name, f"line {self.line}: expected {width} cells, found {len(cells)}"
                )
            yield dict(zip(self.columns, (c.strip() for c in cells), strict=True))

    def error(self, column: str, value: str, reason: str) -> DataFileError:
        return DataFileError(
            self.name, f"line {self.line}, column {column}: {reason}, got {value!r}"
        )


def _data_file(name: str) -> Traversable:
    # importlib.resources costs more to import than most of this package: import it
    # when a table is first loaded, not when otcoding is imported.
    from importlib import resources

    return resources.files("otcoding.codes").joinpath("data").joinpath(name)


def _shipped(name: str) -> _Rows:
    text = _data_file(name).read_text(encoding="utf-8")
    return _Rows(f"otcoding/codes/data/{name}", io.StringIO(text))


def _date(rows: _Rows, row: Mapping[str, str], column: str) -> _dt.date | None:
    value = row.get(column, "")
    if value in ("", "*"):
        return None
    try:
        if len(value) == 8 and value.isdigit():  # CMS files write YYYYMMDD
            return _dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        if len(value) == 10:
            return _dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise rows.error(column, value, "expected a date YYYY-MM-DD")


def _int(rows: _Rows, row: Mapping[str, str], column: str, *, allowed: Iterable[int] = ()) -> int:
    value = row.get(column, "")
    head = value.split(" ", 1)[0]  # CMS MAI cells read "3 Date of Service Edit: Clinical"
    if not head.isdigit():
        raise rows.error(column, value, "expected a whole number")
    number = int(head)
    choices = tuple(allowed)
    if choices and number not in choices:
        raise rows.error(column, value, f"expected one of {', '.join(map(str, choices))}")
    return number


def _opt_int(rows: _Rows, row: Mapping[str, str], column: str) -> int | None:
    return None if row.get(column, "") == "" else _int(rows, row, column)


def _code(rows: _Rows, row: Mapping[str, str], column: str, kind: str = "procedure") -> str:
    value = row.get(column, "")
    try:
        return normalize_code(value, field=column, kind=kind)
    except InvalidInputError as exc:
        raise rows.error(column, value, exc.reason) from None


def _flag(rows: _Rows, row: Mapping[str, str], column: str) -> bool:
    value = row.get(column, "")
    if value not in ("Y", "N"):
        raise rows.error(column, value, "expected Y or N")
    return value == "Y"


def _codes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# ------------------------------------------------------------------------------------
# Shipped tables
# ------------------------------------------------------------------------------------


def _group(items: Iterable[tuple[str, T]]) -> Mapping[str, tuple[T, ...]]:
    grouped: dict[str, list[T]] = {}
    for key, item in items:
        grouped.setdefault(key, []).append(item)
    return MappingProxyType({k: tuple(v) for k, v in grouped.items()})


def _start_key(row: Code | PlaceOfService | Modifier) -> _dt.date:
    return row.effective_from or _dt.date.min


def _load_procedures() -> Mapping[str, tuple[Code, ...]]:
    rows = _shipped("procedures.csv")
    rows.require("code", "system", "description", "kind", "timed", "source")
    out: list[tuple[str, Code]] = []
    for row in rows:
        try:
            kind = CodeKind(row["kind"])
        except ValueError:
            raise rows.error("kind", row["kind"], "unknown kind") from None
        code = Code(
            code=_code(rows, row, "code"),
            system=row["system"],
            description=row["description"],
            kind=kind,
            timed=_flag(rows, row, "timed"),
            unit_minutes=_opt_int(rows, row, "unit_minutes"),
            typical_minutes=_opt_int(rows, row, "typical_minutes"),
            effective_from=_date(rows, row, "effective_from"),
            effective_to=_date(rows, row, "effective_to"),
            replaced_by=_codes(row.get("replaced_by", "")),
            add_on_to=_codes(row.get("add_on_to", "")),
            therapy=row.get("therapy") or None,
            medicare_status=row.get("medicare_status") or None,
            source=row["source"],
            note=row.get("note", ""),
        )
        out.append((code.code, code))
    out.sort(key=lambda pair: (pair[0], _start_key(pair[1])))
    return _group(out)


def _load_places() -> tuple[Mapping[str, tuple[PlaceOfService, ...]], frozenset[str]]:
    rows = _shipped("places_of_service.csv")
    rows.require("code", "name", "facility_rate", "telehealth", "assigned", "source")
    out: list[tuple[str, PlaceOfService]] = []
    unassigned: set[str] = set()
    for row in rows:
        code = _code(rows, row, "code", "place_of_service")
        if not _flag(rows, row, "assigned"):
            unassigned.add(code)
            continue
        facility = row["facility_rate"]
        out.append(
            (
                code,
                PlaceOfService(
                    code=code,
                    name=row["name"],
                    facility_rate=None if facility == "" else _flag(rows, row, "facility_rate"),
                    telehealth=_flag(rows, row, "telehealth"),
                    effective_from=_date(rows, row, "effective_from"),
                    effective_to=_date(rows, row, "effective_to"),
                    source=row["source"],
                    note=row.get("note", ""),
                ),
            )
        )
    out.sort(key=lambda pair: (pair[0], _start_key(pair[1])))
    return _group(out), frozenset(unassigned)


def _load_modifiers() -> Mapping[str, tuple[Modifier, ...]]:
    rows = _shipped("modifiers.csv")
    rows.require("code", "system", "description", "category", "source")
    out: list[tuple[str, Modifier]] = []
    for row in rows:
        code = _code(rows, row, "code", "modifier")
        out.append(
            (
                code,
                Modifier(
                    code=code,
                    system=row["system"],
                    description=row["description"],
                    category=row["category"],
                    effective_from=_date(rows, row, "effective_from"),
                    effective_to=_date(rows, row, "effective_to"),
                    source=row["source"],
                    note=row.get("note", ""),
                ),
            )
        )
    out.sort(key=lambda pair: (pair[0], _start_key(pair[1])))
    return _group(out)


def _load_editions() -> Mapping[str, str]:
    rows = _shipped("editions.csv")
    rows.require("table", "edition", "source")
    return MappingProxyType({r["table"]: f"{r['edition']} (source: {r['source']})" for r in rows})


@attrs.frozen(kw_only=True)
class Rvu:
    """Medicare PFS relative values of one code (CY2025, non-facility unless named).

    Kept for fee estimates; amounts are national (GPCI 1), before MPPR and sequestration.
    """

    code: str
    status: str
    work: str
    pe_nonfacility: str
    pe_facility: str
    malpractice: str
    total_nonfacility: str
    total_facility: str
    pctc_indicator: str
    global_days: str
    mult_proc_indicator: str
    conversion_factor: str
    edition: str = "CY2025 RVU25D"
    source: str = "S1"


def _load_rvus() -> Mapping[str, Rvu]:
    rows = _shipped("rvu.csv")
    rows.require("hcpcs", "status_code", "work_rvu", "nonfac_pe_rvu", "mp_rvu", "conv_factor")
    out: dict[str, Rvu] = {}
    for row in rows:
        code = _code(rows, row, "hcpcs")
        out[code] = Rvu(
            code=code,
            status=row["status_code"],
            work=row["work_rvu"],
            pe_nonfacility=row["nonfac_pe_rvu"],
            pe_facility=row["fac_pe_rvu"],
            malpractice=row["mp_rvu"],
            total_nonfacility=row["nonfac_total_rvu"],
            total_facility=row["fac_total_rvu"],
            pctc_indicator=row["pctc_ind"],
            global_days=row["glob_days"],
            mult_proc_indicator=row["mult_proc_ind"],
            conversion_factor=row["conv_factor"],
            source=row["source"],
        )
    return MappingProxyType(out)


# ------------------------------------------------------------------------------------
# NCCI and MUE tables
# ------------------------------------------------------------------------------------


def _pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


_Edit = TypeVar("_Edit", NcciEdit, MueEdit)
# An edit with its dates first, so a lookup tests them without a method call.
_Span = tuple[_dt.date | None, _dt.date | None, _Edit]


def _spans(edits: Iterable[_Edit]) -> tuple[_Span[_Edit], ...]:
    return tuple((e.effective_from, e.effective_to, e) for e in edits)


def _in_force(spans: tuple[_Span[_Edit], ...], on: _dt.date) -> _Edit | None:
    """The first edit whose dates (inclusive, None: open) cover ``on``."""
    for start, end, edit in spans:
        if (start is None or start <= on) and (end is None or on <= end):
            return edit
    return None


_TOGETHER_SIZE = 4096


_NO_SPANS: Mapping[str, tuple[_Span[MueEdit], ...]] = MappingProxyType({})


def _end_key(edit: NcciEdit) -> _dt.date:
    return edit.effective_to or _dt.date.max


class NcciTable:
    """An immutable, indexed edition of NCCI procedure-to-procedure edits.

    Pairs are indexed without regard to order, so ``pair("97530", "97150", on)`` and
    ``pair("97150", "97530", on)`` find the same edit; the edit itself says which code is
    column 1 (paid) and which is column 2 (denied unless bypassed).

    >>> from otcoding.codes import ncci_table
    >>> table = ncci_table()
    >>> edit = table.pair("97530", "97150", _dt.date(2024, 5, 1))
    >>> (edit.column1, edit.column2, edit.modifier_indicator)
    ('97150', '97530', 1)
    >>> table.edition
    '2024Q2 v30.1'
    """

    __slots__ = ("_count", "_edition", "_index", "_live", "_source", "_together")
    _count: int
    _edition: str
    _index: Mapping[tuple[str, str], tuple[NcciEdit, ...]]
    _live: dict[tuple[str, str], tuple[_Span[NcciEdit], ...]]
    _source: str
    _together: dict[tuple[str, ...], tuple[tuple[int, int, tuple[_Span[NcciEdit], ...]], ...]]

    def __init__(self, edits: Iterable[NcciEdit], *, edition: str, source: str = "") -> None:
        index: dict[tuple[str, str], list[NcciEdit]] = {}
        count = 0
        for edit in edits:
            index.setdefault(_pair_key(edit.column1, edit.column2), []).append(edit)
            count += 1
        frozen = {k: tuple(sorted(v, key=_end_key)) for k, v in index.items()}
        object.__setattr__(self, "_index", MappingProxyType(frozen))
        # What pair() searches, every claim, for every two codes on a date: the edits
        # that can be in force (indicator 9 never is) with their dates unpacked.
        live = {k: _spans(e for e in v if e.modifier_indicator != 9) for k, v in frozen.items()}
        object.__setattr__(self, "_live", {k: v for k, v in live.items() if v})
        object.__setattr__(self, "_together", {})
        object.__setattr__(self, "_edition", edition)
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_count", count)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("NcciTable is immutable")

    @property
    def edition(self) -> str:
        """Which CMS quarter this table is (e.g. ``"2024Q2 v30.1"``)."""
        return self._edition

    @property
    def source(self) -> str:
        """Where the rows came from (file name or a short citation)."""
        return self._source

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[NcciEdit]:
        for edits in self._index.values():
            yield from edits

    def __repr__(self) -> str:
        return f"NcciTable(edition={self._edition!r}, rows={self._count})"

    def history(self, a: str, b: str) -> tuple[NcciEdit, ...]:
        """Every row for the pair (either order), earliest deletion first."""
        return self._index.get(_pair_key(a, b), ())

    def pair(self, a: str, b: str, on: _dt.date) -> NcciEdit | None:
        """The edit in force for codes ``a`` and ``b`` on ``on``, or ``None``.

        Codes must already be normalised. When several rows cover the date (the source
        has no start dates, so an old row and its re-added successor can both reach
        back), the row with the earliest end wins: its end date is sourced, the
        successor's start is not.
        """
        spans = self._live.get((a, b) if a <= b else (b, a))
        return None if spans is None else _in_force(spans, on)

    def pairs_among(self, codes: tuple[str, ...], on: _dt.date) -> list[tuple[int, int, NcciEdit]]:
        """The edits in force on ``on`` between any two of ``codes`` (billed on one date).

        Each hit is ``(a, b, edit)`` with positions ``a < b`` in ``codes``, in the order
        of :meth:`pair` called on every two positions; equal codes are not paired.
        """
        found = []
        for a, b, spans in self._pairs_with_edits(codes):
            edit = _in_force(spans, on)
            if edit is not None:
                found.append((a, b, edit))
        return found

    def _pairs_with_edits(
        self, codes: tuple[str, ...]
    ) -> tuple[tuple[int, int, tuple[_Span[NcciEdit], ...]], ...]:
        # Claims bill the same few code combinations over and over, and most pairs of
        # codes have no edit: the pairs worth a date check are found once per combination.
        pairs = self._together.get(codes)
        if pairs is None:
            live = self._live
            pairs = tuple(
                (a, b, spans)
                for a in range(len(codes))
                for b in range(a + 1, len(codes))
                if codes[a] != codes[b]
                and (spans := live.get(_pair_key(codes[a], codes[b]))) is not None
            )
            # Bounded: a stream of junk codes must not grow it (dict get/set are atomic,
            # so threads sharing the table may both fill an entry, harmlessly).
            if len(self._together) < _TOGETHER_SIZE:
                self._together[codes] = pairs
        return pairs


class MueTable:
    """An immutable, indexed edition of Medically Unlikely Edits (all service types).

    >>> from otcoding.codes import mue_table
    >>> mue_table().get("97165", _dt.date(2024, 5, 1)).units
    1
    """

    __slots__ = ("_by_type", "_count", "_edition", "_index", "_source")
    _by_type: dict[str, dict[str, tuple[_Span[MueEdit], ...]]]
    _count: int
    _edition: str
    _index: Mapping[tuple[str, str], tuple[MueEdit, ...]]
    _source: str

    def __init__(self, edits: Iterable[MueEdit], *, edition: str, source: str = "") -> None:
        index: dict[tuple[str, str], list[MueEdit]] = {}
        count = 0
        for edit in edits:
            index.setdefault((edit.code, edit.service_type), []).append(edit)
            count += 1
        frozen = {
            k: tuple(sorted(v, key=lambda e: e.effective_from or _dt.date.min))
            for k, v in index.items()
        }
        object.__setattr__(self, "_index", MappingProxyType(frozen))
        # What get() searches: service type, then code, so a lookup builds no key.
        by_type: dict[str, dict[str, tuple[_Span[MueEdit], ...]]] = {}
        for (code, service_type), rows in frozen.items():
            by_type.setdefault(service_type, {})[code] = _spans(rows)
        object.__setattr__(self, "_by_type", by_type)
        object.__setattr__(self, "_edition", edition)
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_count", count)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("MueTable is immutable")

    @property
    def edition(self) -> str:
        """Which CMS edition this table is (e.g. ``"2024-04-01"``)."""
        return self._edition

    @property
    def source(self) -> str:
        """Where the rows came from."""
        return self._source

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[MueEdit]:
        for edits in self._index.values():
            yield from edits

    def __repr__(self) -> str:
        return f"MueTable(edition={self._edition!r}, rows={self._count})"

    def get(self, code: str, on: _dt.date, service_type: str = "Practitioner") -> MueEdit | None:
        """The MUE for a normalised code and canonical service type on ``on``."""
        spans = self._by_type.get(service_type, _NO_SPANS).get(code)
        return None if spans is None else _in_force(spans, on)


def canonical_service_type(value: object) -> str:
    """Map a service type to CMS's spelling, or raise InvalidInputError."""
    if isinstance(value, str):
        found = _SERVICE_TYPE_KEYS.get(" ".join(value.split()).lower())
        if found:
            return found
    raise InvalidInputError(
        "service_type", value, f"expected one of {', '.join(map(repr, SERVICE_TYPES))}"
    )


Source = str | os.PathLike[str] | IO[str]


def _open(source: Source) -> tuple[str, Iterable[str], Callable[[], None]]:
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
        except OSError as exc:
            raise DataFileError(path, f"cannot open: {exc.strerror or exc}") from None
        return path, handle, handle.close
    name = str(getattr(source, "name", "<stream>"))
    return name, source, lambda: None


def load_ncci(source: Source, *, edition: str, effective_from: _dt.date | None = None) -> NcciTable:
    """Read an NCCI PTP file with the shipped table's columns into an :class:`NcciTable`.

    Required columns: ``column1, column2, deletion_date, modifier_indicator``; optional:
    ``rationale``, ``effective_from``, ``effective_to``. Lines starting with ``#`` are
    comments. ``deletion_date`` is read as the last day the edit applies (see
    ``docs/code-tables.md``); ``effective_from`` fills rows that carry no start date.
    A bad or missing column or value raises :class:`~otcoding.errors.DataFileError`
    naming the file, the line and the column.

    >>> import io
    >>> text = "column1,column2,deletion_date,modifier_indicator\\n97150,97530,,1\\n"
    >>> table = load_ncci(io.StringIO(text), edition="2026Q3")
    >>> table.pair("97530", "97150", _dt.date(2026, 8, 1)).modifier_indicator
    1
    >>> load_ncci(io.StringIO("column1,column2\\n"), edition="x")
    Traceback (most recent call last):
    ...
    otcoding.errors.DataFileError: <stream>: missing column(s) deletion_date,
        modifier_indicator; found column1, column2
    """
    name, lines, close = _open(source)
    try:
        rows = _Rows(name, lines)
        rows.require("column1", "column2", "deletion_date", "modifier_indicator")
        edits = []
        for row in rows:
            deletion = _date(rows, row, "deletion_date")
            own_end = _date(rows, row, "effective_to") if "effective_to" in row else None
            edits.append(
                NcciEdit(
                    column1=_code(rows, row, "column1"),
                    column2=_code(rows, row, "column2"),
                    modifier_indicator=_int(rows, row, "modifier_indicator", allowed=(0, 1, 9)),
                    effective_from=_date(rows, row, "effective_from") or effective_from,
                    effective_to=own_end or deletion,
                    rationale=row.get("rationale", ""),
                    edition=edition,
                )
            )
    except UnicodeDecodeError as exc:
        raise DataFileError(name, f"not UTF-8 text: {exc.reason}") from None
    finally:
        close()
    return NcciTable(edits, edition=edition, source=name)


def load_mue(source: Source, *, edition: str, effective_from: _dt.date | None = None) -> MueTable:
    """Read an MUE file with the shipped table's columns into a :class:`MueTable`.

    Required columns: ``hcpcs, service_type, mue_units, mai``; optional ``rationale``.
    ``service_type`` is one of ``Practitioner``, ``Outpatient Hospital``,
    ``DME Supplier``. Errors raise :class:`~otcoding.errors.DataFileError`.

    >>> import io
    >>> text = "hcpcs,service_type,mue_units,mai\\n97110,Practitioner,8,3\\n"
    >>> load_mue(io.StringIO(text), edition="2026-07-01").get("97110", _dt.date(2026, 8, 1)).units
    8
    >>> bad = "hcpcs,service_type,mue_units,mai\\n97110,Practitioner,x,3\\n"
    >>> load_mue(io.StringIO(bad), edition="bad")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    otcoding.errors.DataFileError: <stream>: line 2, column mue_units: expected a whole ...
    """
    name, lines, close = _open(source)
    try:
        rows = _Rows(name, lines)
        rows.require("hcpcs", "service_type", "mue_units", "mai")
        edits = []
        for row in rows:
            try:
                service_type = canonical_service_type(row["service_type"])
            except InvalidInputError:
                raise rows.error(
                    "service_type",
                    row["service_type"],
                    f"expected one of {', '.join(SERVICE_TYPES)}",
                ) from None
            edits.append(
                MueEdit(
                    code=_code(rows, row, "hcpcs"),
                    units=_int(rows, row, "mue_units"),
                    mai=_int(rows, row, "mai", allowed=(1, 2, 3)),
                    rationale=row.get("rationale", ""),
                    service_type=service_type,
                    edition=edition,
                    effective_from=effective_from,
                )
            )
    except UnicodeDecodeError as exc:
        raise DataFileError(name, f"not UTF-8 text: {exc.reason}") from None
    finally:
        close()
    return MueTable(edits, edition=edition, source=name)


def _load_shipped_ncci() -> NcciTable:
    text = _data_file("ncci_ptp.csv")
    with text.open("r", encoding="utf-8") as handle:
        table = load_ncci(handle, edition="2024Q2 v30.1")
    # The stream name is an absolute install path; report the package path instead.
    return NcciTable(table, edition=table.edition, source="otcoding/codes/data/ncci_ptp.csv")


def _load_shipped_mue() -> MueTable:
    text = _data_file("mue.csv")
    with text.open("r", encoding="utf-8") as handle:
        table = load_mue(handle, edition="2024-04-01")
    return MueTable(table, edition=table.edition, source="otcoding/codes/data/mue.csv")


PROCEDURES: _Lazy[Mapping[str, tuple[Code, ...]]] = _Lazy(_load_procedures)
PLACES: _Lazy[tuple[Mapping[str, tuple[PlaceOfService, ...]], frozenset[str]]] = _Lazy(_load_places)
MODIFIERS: _Lazy[Mapping[str, tuple[Modifier, ...]]] = _Lazy(_load_modifiers)
EDITIONS: _Lazy[Mapping[str, str]] = _Lazy(_load_editions)
RVUS: _Lazy[Mapping[str, Rvu]] = _Lazy(_load_rvus)
NCCI: _Lazy[NcciTable] = _Lazy(_load_shipped_ncci)
MUE: _Lazy[MueTable] = _Lazy(_load_shipped_mue)


def loaded() -> dict[str, bool]:
    """Which shipped tables have been read so far (for tests of lazy loading)."""
    return {
        "procedures": PROCEDURES.loaded,
        "places": PLACES.loaded,
        "modifiers": MODIFIERS.loaded,
        "editions": EDITIONS.loaded,
        "rvus": RVUS.loaded,
        "ncci": NCCI.loaded,
        "mue": MUE.loaded,
    }
