"""Read the batch CSV format: one row per service line, the rows of a claim consecutive.

Claim columns (their values come from the claim's first row): ``claim_id, payer,
patient_id, birth_date, member_id, therapy_allowed_ytd, npi, diagnoses,
place_of_service, submitted_on``. Line columns: ``code, modifiers, units, minutes,
date_of_service, diagnosis_pointers, charge, assistant_minutes``. List cells are
``;``-separated; an empty cell means absent. Only ``claim_id, payer, code, units,
date_of_service`` are required; columns may come in any order, and other columns
are ignored (with one warning).

The reader turns rows into claim dicts in the JSON claim format without judging
the values: :meth:`otcoding.claim.Claim.from_dict` does that, once, in the audit
(to which :meth:`CsvClaimData.build` hands the lines, patient and provider already
read through the model's own converters, sparing a dict per line).
What only the rows can tell is reported here: a row with the wrong number of
cells, bytes that are not UTF-8, an empty claim ID, a later row that disagrees with
the claim's first row.

>>> import io
>>> text = (
...     "claim_id,payer,code,modifiers,units,minutes,date_of_service\\n"
...     "C-1,medicare,97530,GO,2,30,2026-03-02\\n"
...     "C-1,medicare,97535,GO,1,15,2026-03-02\\n"
...     "C-2,medicare,97530,GO\\n"
... )
>>> reader = CsvBatchReader(io.StringIO(text))
>>> first, second = reader
>>> first.claim_id, first.row, first.rows, first.line_rows
('C-1', 2, 2, [2, 3])
>>> first.data["lines"][1]
{'code': '97535', 'modifiers': ['GO'], 'units': 1, 'minutes': 15, 'date_of_service': '2026-03-02'}
>>> second.row, second.complete, second.problems[0][1].message
(4, False, 'the row has 4 cells, the header 7; claim C-2 not checked')
"""

from __future__ import annotations

import csv
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from otcoding.claim import ServiceLine, _dated, _make_line, _make_patient, _make_provider
from otcoding.errors import DataFileError, InvalidInputError
from otcoding.findings import Finding
from otcoding.io._common import ClaimRows, FileReader, Source, source_name, utf8_ok
from otcoding.validators.batch import CLAIM_ROWS_DISAGREE, UNREADABLE_ROW, batch_finding

__all__ = [
    "CLAIM_COLUMNS",
    "COLUMNS",
    "LINE_COLUMNS",
    "MAX_CLAIM_ROWS",
    "PATIENT_COLUMNS",
    "REQUIRED_COLUMNS",
    "CsvBatchReader",
    "CsvClaimData",
    "RowsBatchReader",
    "column_for_path",
    "read_batch_csv",
]

CLAIM_COLUMNS = (
    "claim_id",
    "payer",
    "patient_id",
    "birth_date",
    "member_id",
    "therapy_allowed_ytd",
    "npi",
    "diagnoses",
    "place_of_service",
    "submitted_on",
)
LINE_COLUMNS = (
    "code",
    "modifiers",
    "units",
    "minutes",
    "date_of_service",
    "diagnosis_pointers",
    "charge",
    "assistant_minutes",
)
COLUMNS = CLAIM_COLUMNS + LINE_COLUMNS
#: What a claim cannot do without (the JSON format's required keys).
REQUIRED_COLUMNS = ("claim_id", "payer", "code", "units", "date_of_service")
#: Patient data: their values never appear in a message unless asked for.
PATIENT_COLUMNS = frozenset({"patient_id", "birth_date", "member_id"})
#: Rows one claim may have. A claim on paper has 6 lines and an 837P at most 50;
#: the bound keeps one runaway claim ID from holding a whole file in memory.
MAX_CLAIM_ROWS = 1000

# Where each claim column goes in the JSON format.
_CLAIM_KEYS = {
    "patient_id": ("patient", "id"),
    "birth_date": ("patient", "birth_date"),
    "member_id": ("patient", "member_id"),
    "therapy_allowed_ytd": ("patient", "therapy_allowed_ytd"),
    "npi": ("provider", "npi"),
}
# The patient's columns in Patient's field order (see _Layout.model_claim).
_PATIENT_FIELDS = ("patient_id", "birth_date", "member_id", "therapy_allowed_ytd")
_NO_PATIENT = [None] * len(_PATIENT_FIELDS)
# The other way, for error paths: "patient.id" -> "patient_id".
_PATH_COLUMNS = {".".join(v): k for k, v in _CLAIM_KEYS.items()}


def _split(text: str) -> list[str]:
    parts = text.split(";")
    if len(parts) == 1:
        return parts
    return [p.strip() for p in parts if p.strip()]


def _number(text: str) -> int | str:
    # Digit strings become ints here so the claim model takes its fast path; anything
    # else stays text for the model to refuse with its own message.
    # A long digit string stays text too: int() refuses over 4300 digits, and the model
    # refuses anything that long with its own message anyway.
    if len(text) <= 18 and text.isdigit() and text.isascii():
        return int(text)
    return text


class _Counts(dict[str, "int | str"]):
    """``_number`` as a dict lookup: ``_COUNTS[text]``.

    Units, minutes and pointers are small numbers, so nearly every cell is one of
    the precomputed digit strings and is looked up in C, without a Python call;
    any other text goes to ``_number``.
    """

    def __missing__(self, text: str) -> int | str:
        return _number(text)


#: Every count the format allows (minutes go up to a day, 1440).
_COUNTS = _Counts((str(n), n) for n in range(1441))


def _numbers(text: str) -> list[int | str]:
    if ";" not in text:
        return [_COUNTS[text]]
    return [_COUNTS[p] for p in _split(text)]


_CONVERT: dict[str, Callable[[str], Any]] = {
    "modifiers": _split,
    "units": _COUNTS.__getitem__,
    "minutes": _COUNTS.__getitem__,
    "diagnosis_pointers": _numbers,
    "assistant_minutes": _COUNTS.__getitem__,
    "diagnoses": _split,
}


def column_for_path(path: str) -> tuple[int | None, str]:
    """The service line and CSV column an error path of the claim model points at.

    >>> column_for_path("lines[3].modifiers[1]")
    (3, 'modifiers')
    >>> column_for_path("patient.birth_date")
    (None, 'birth_date')
    >>> column_for_path("diagnoses[0]")
    (None, 'diagnoses')
    """
    line: int | None = None
    if path.startswith("lines["):
        index, _, path = path[6:].partition("]")
        line = int(index)
        path = path.lstrip(".")
    head = path.split("[", 1)[0]
    parts = head.split(".")
    return line, _PATH_COLUMNS.get(".".join(parts[:2]), parts[-1] if line is not None else parts[0])


class _Layout:
    """Where each known column sits in a row, and how a row becomes claim data."""

    def __init__(self, header: list[str], name: str) -> None:
        self._args = (list(header), name)
        names = [h.strip().lower() for h in header]
        if names:
            names[0] = names[0].lstrip("\ufeff").strip()
        index: dict[str, int] = {}
        extra: list[str] = []
        for i, column in enumerate(names):
            if column not in _KNOWN:
                extra.append(header[i].strip())
            elif column in index:
                raise DataFileError(
                    name,
                    f"column {column!r} appears twice in the header "
                    f"(columns {index[column] + 1} and {i + 1})",
                )
            else:
                index[column] = i
        missing = [c for c in REQUIRED_COLUMNS if c not in index]
        if missing:
            names_ = ", ".join(repr(c) for c in missing)
            plural = "s" if len(missing) > 1 else ""
            raise DataFileError(
                name,
                f"missing required column{plural} {names_} in the header "
                f"(required: {', '.join(REQUIRED_COLUMNS)}){_separator_hint(names)}",
            )
        self.width = len(header)
        self.index = index
        self.extra = tuple(extra)
        self.claim_id = index["claim_id"]
        self.claim_columns = tuple(c for c in CLAIM_COLUMNS if c in index)
        # One C call returns a row's claim cells, compared as a tuple with the first row's.
        self.claim_cells: Callable[[list[str]], tuple[str, ...]] = operator.itemgetter(
            *(index[c] for c in self.claim_columns)
        )
        self.line_specs = tuple((c, index[c], _CONVERT.get(c)) for c in LINE_COLUMNS if c in index)
        # A row's line cells, the date last, when the header has every line column (as
        # exports do): such rows become lines without a dict each.
        self.line_cells: Callable[[list[str]], tuple[str, ...]] | None = (
            operator.itemgetter(*(index[c] for c in _LINE_CELLS))
            if all(c in index for c in LINE_COLUMNS)
            else None
        )
        # Line cells -> the line they read as. Rows repeat their line cells (a batch
        # bills a few codes, units and minutes on a few hundred dates), and a line is
        # an immutable value, so one read serves every repeat. Bounded, and per reader.
        self._lines: dict[str, ServiceLine] = {}
        # The same without the date: a batch has a few hundred, so a line on a new date
        # is most often a known line with its date changed.
        self._undated: dict[str, ServiceLine] = {}
        self.claim_specs = tuple(
            (c, index[c], _CONVERT.get(c), _CLAIM_KEYS.get(c))
            for c in self.claim_columns
            if c != "claim_id"
        )
        # For model_claim: the claim's own columns, and where the patient's and the
        # provider's cells are (None: no such column).
        self.claim_fields = tuple(
            (c, i, convert) for c, i, convert, nested in self.claim_specs if nested is None
        )
        self.patient_at = tuple(index.get(c) for c in _PATIENT_FIELDS)
        self.npi_at = index.get("npi")

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from the header where it is unpickled (an audit worker), rather than
        # shipping its converters, one of which is a large lookup table.
        return (_shared_layout, self._args)

    def line(self, cells: list[str]) -> dict[str, Any]:
        line: dict[str, Any] = {}
        for name, i, convert in self.line_specs:
            value = cells[i]
            if value:
                value = value.strip()
                if value:
                    line[name] = convert(value) if convert else value
        return line

    def service_line(self, cells: list[str]) -> ServiceLine:
        """``ServiceLine.from_dict(self.line(cells))``, without making the dict.

        Raises :class:`~otcoding.errors.InvalidInputError` as that would.
        """
        get = self.line_cells
        if get is None:
            return ServiceLine.from_dict(self.line(cells))
        values = get(cells)
        # The cells as one string: a fifth of the memory of their tuple. Cells that hold
        # the separator themselves could make two rows' keys alike: those are not kept.
        key = _SEP.join(values)
        line = self._lines.get(key)
        if line is not None:
            return line
        if key.count(_SEP) != _LINE_SEPARATORS:
            return self._read_line(cells, values)
        undated, _, on = key.rpartition(_SEP)
        known = self._undated.get(undated)
        on = on.strip()
        if known is not None and on:
            line = _dated(known, on)
        else:
            line = self._read_line(cells, values)
            if len(self._undated) >= _UNDATED_CACHE_SIZE:
                self._undated.clear()
            self._undated[undated] = line
        if len(self._lines) >= _LINE_CACHE_SIZE:
            self._lines.clear()  # simplest bound; the next rows fill it again
        self._lines[key] = line
        return line

    def _read_line(self, cells: list[str], values: tuple[str, ...]) -> ServiceLine:
        code, modifiers, units, minutes, pointers, charge, assistant, on = values
        # As in line(): a cell is stripped, and an empty one is absent.
        code, units, on = code.strip(), units.strip(), on.strip()
        if not (code and units and on):
            return ServiceLine.from_dict(self.line(cells))  # raises: a required key is missing
        modifiers, minutes, pointers = modifiers.strip(), minutes.strip(), pointers.strip()
        charge, assistant = charge.strip(), assistant.strip()
        line = _make_line(
            code,
            _split(modifiers) if modifiers else (),
            _COUNTS[units],
            _COUNTS[minutes] if minutes else None,
            on,
            _numbers(pointers) if pointers else (),
            charge or None,
            _COUNTS[assistant] if assistant else None,
            None,  # the format has no line place of service: the claim's applies
        )
        if line is None:
            return ServiceLine.from_dict(self.line(cells))  # raises: assistant over minutes
        return line

    def model_claim(self, claim_id: str, cells: list[str]) -> dict[str, Any]:
        """:meth:`claim`, with the patient and the provider already model values.

        Raises :class:`~otcoding.errors.InvalidInputError` as ``Claim.from_dict``
        would for them.
        """
        claim: dict[str, Any] = {"claim_id": claim_id}
        for name, i, convert in self.claim_fields:
            value = cells[i].strip()
            if value:
                claim[name] = convert(value) if convert else value
        patient: list[str | None] = []
        for at in self.patient_at:
            patient.append(None if at is None else cells[at].strip() or None)
        if patient != _NO_PATIENT:
            claim["patient"] = _make_patient(*patient)
        npi = None if self.npi_at is None else cells[self.npi_at].strip()
        if npi:
            claim["provider"] = _make_provider(npi)
        return claim

    def claim(self, claim_id: str, cells: list[str]) -> dict[str, Any]:
        claim: dict[str, Any] = {"claim_id": claim_id}
        for name, i, convert, nested in self.claim_specs:
            value = cells[i].strip()
            if not value:
                continue
            if nested is None:
                claim[name] = convert(value) if convert else value
            else:
                claim.setdefault(nested[0], {})[nested[1]] = value
        return claim


def _separator_hint(names: list[str]) -> str:
    """Why a header lacks its columns, when it is plainly split by another character.

    Spreadsheets in many locales save "CSV" with semicolons, and "Unicode text" with
    tabs: the header then reads as one cell holding every column name.
    """
    if len(names) != 1:
        return ""
    for separator, called in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
        parts = [n.strip() for n in names[0].split(separator)]
        if len(parts) > 1 and "claim_id" in parts:
            return (
                f"; the header is one cell with its names separated by {called}: the "
                "batch format is comma-separated"
            )
    return ""


def _shared_layout(header: list[str], name: str) -> _Layout:
    """The layout of ``header``, one per process: what an audit worker unpickles.

    Each chunk sent to a worker pickles its own copy of the layout; sharing one keeps
    the line cache warm across chunks (a fresh layout per chunk of 128 claims would
    build nearly every line anew).
    """
    key = (tuple(header), name)
    layout = _SHARED_LAYOUTS.get(key)
    if layout is None:
        if len(_SHARED_LAYOUTS) >= 8:
            _SHARED_LAYOUTS.clear()  # a worker sees one header per audit: a tiny bound
        layout = _SHARED_LAYOUTS[key] = _Layout(header, name)
    return layout


# Filled with whole values only, so threads unpickling at once at worst build one
# layout twice; a layout's line cache is a cache, and dict operations are atomic.
_SHARED_LAYOUTS: dict[tuple[tuple[str, ...], str], _Layout] = {}

_KNOWN = frozenset(COLUMNS)
#: Distinct line cells one reader remembers (some 6 MB at most).
_LINE_CACHE_SIZE = 16384
#: Distinct line cells but the date one reader remembers.
_UNDATED_CACHE_SIZE = 4096
# The line columns in the order the reader reads them: the date last, so that the
# cells but the date are the start of the line's cache key.
_LINE_CELLS = (*(c for c in LINE_COLUMNS if c != "date_of_service"), "date_of_service")
# The ASCII unit separator: never in a real export's cells (and checked for anyway).
_SEP = "\x1f"
# The ASCII record separator, between the rows of a chunk sent to a worker.
_ROW_SEP = "\x1e"
_LINE_SEPARATORS = len(LINE_COLUMNS) - 1


class CsvClaimData(Mapping[str, Any]):
    """One claim's rows, read as a claim dict in the JSON format on first access.

    The reader only groups rows; turning cells into the dict is left to whoever
    reads the claim, which for ``otcoding.audit(..., workers=N)`` is a worker
    process: a pickled ``CsvClaimData`` carries the cells, not the dict.
    """

    __slots__ = ("_claim_id", "_data", "_layout", "_plain", "_rows")

    def __init__(self, layout: _Layout, claim_id: str, rows: list[list[str]]) -> None:
        self._layout = layout
        self._claim_id = claim_id
        self._rows = rows
        self._data: dict[str, Any] | None = None
        self._plain: dict[str, Any] | None = None

    def build(self) -> dict[str, Any]:
        """What ``Claim.from_dict`` reads for this claim (made once).

        The claim dict, except that its lines, patient and provider are already
        model values (:class:`~otcoding.claim.ServiceLine` and so on) when they all
        read as such: the model then converts the claim's own values as usual, and
        no dict is made per line. When one of them does not read, this is the claim
        dict as the Mapping shows it, so that ``Claim.from_dict`` reports the first
        bad value exactly as for any dict.
        """
        data = self._data
        if data is None:
            try:
                data = self._model_data()
            except InvalidInputError:
                data = self._json()  # from which the model says which value, and where
            self._data = data
        return data

    def _model_data(self) -> dict[str, Any]:
        layout = self._layout
        rows = self._rows
        lines = [layout.service_line(cells) for cells in rows]
        data = layout.model_claim(self._claim_id, rows[0])
        data["lines"] = lines
        return data

    def _json(self) -> dict[str, Any]:
        """The claim dict in the JSON format (made once)."""
        data = self._plain
        if data is None:
            layout = self._layout
            data = layout.claim(self._claim_id, self._rows[0])
            data["lines"] = [layout.line(cells) for cells in self._rows]
            self._plain = data
        return data

    def __getitem__(self, key: str) -> Any:
        return self._json()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._json())

    def __len__(self) -> int:
        return len(self._json())

    def __repr__(self) -> str:
        return f"CsvClaimData(claim_id={self._claim_id!r}, rows={len(self._rows)})"

    def __reduce__(self) -> tuple[Any, ...]:
        # One string per row instead of a list of cells: unpickling a string is the
        # cost, and a row has some twenty cells. A row whose cells hold the separator
        # itself goes as its list.
        packed = [_SEP.join(cells) if _SEP not in "".join(cells) else cells for cells in self._rows]
        return (_unpack_claim, (self._layout, self._claim_id, packed))


def _unpack_claim(
    layout: _Layout, claim_id: str, packed: Sequence[str | list[str]]
) -> CsvClaimData:
    rows = [row.split(_SEP) if isinstance(row, str) else row for row in packed]
    return CsvClaimData(layout, claim_id, rows)


class _ClaimChunk(list[Any]):
    """Claims on their way to an audit worker: a list, pickled compactly.

    When every item is a :class:`CsvClaimData` of one reader (or ``None``, a claim not
    to check), the whole chunk pickles as one string of its rows, and unpickles as a
    plain list of the same items: one ``split`` in the worker instead of an object per
    claim. Any other chunk pickles as a plain list.

    >>> import io, pickle
    >>> from otcoding.io import open_batch
    >>> text = "claim_id,payer,code,units,date_of_service\\nC-1,medicare,97530,2,2026-03-02\\n"
    >>> chunk = _ClaimChunk([*(item.data for item in open_batch(io.StringIO(text))), None])
    >>> [data if data is None else data["lines"] for data in pickle.loads(pickle.dumps(chunk))]
    [[{'code': '97530', 'units': 2, 'date_of_service': '2026-03-02'}], None]
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        layout: _Layout | None = None
        ids: list[str | None] = []
        counts: list[int] = []
        rows: list[str] = []
        cells = 0
        for data in self:
            if data is None:
                ids.append(None)
                counts.append(0)
                continue
            if type(data) is not CsvClaimData or data._layout is not (layout or data._layout):
                return (list, (list(self),))  # another kind of item, or another reader's
            layout = data._layout
            ids.append(data._claim_id)
            counts.append(len(data._rows))
            rows += map(_SEP.join, data._rows)
            cells += sum(map(len, data._rows))
        text = _ROW_SEP.join(rows)
        # A cell holding either separator would split wrongly: such a chunk goes as it is.
        if text.count(_SEP) != cells - len(rows) or text.count(_ROW_SEP) != max(len(rows) - 1, 0):
            return (list, (list(self),))
        return (_unpack_chunk, (layout, ids, counts, text))


def _unpack_chunk(
    layout: _Layout | None, ids: list[str | None], counts: list[int], text: str
) -> list[CsvClaimData | None]:
    rows = text.split(_ROW_SEP) if text or sum(counts) else []
    out: list[CsvClaimData | None] = []
    at = 0
    for claim_id, count in zip(ids, counts, strict=True):
        if claim_id is None or layout is None:
            out.append(None)
            continue
        out.append(_unpack_claim(layout, claim_id, rows[at : at + count]))
        at += count
    return out


class _Bad:
    """A row that cannot be read, waiting to learn which claim it belongs to."""

    __slots__ = ("claim_id", "column", "reason", "row")

    def __init__(self, row: int, claim_id: str | None, reason: str, column: str | None) -> None:
        self.row = row
        self.claim_id = claim_id
        self.reason = reason
        self.column = column


class _Claim(ClaimRows):
    """The rows of the claim being read; :meth:`close` makes it the reader's item.

    Its own fields are filled here, not through ``ClaimRows.__init__`` (whose keyword
    arguments, and a copy into a second object at the end, cost more than the rest
    of a claim's grouping).
    """

    __slots__ = ("cells", "first", "first_cells", "truncated")
    line_rows: list[int]  # never None while the claim is read

    def __init__(self, claim_id: str, row: int, cells: list[str], layout: _Layout) -> None:
        self.claim_id = claim_id
        self.row = row
        self.first = row
        self.first_cells = layout.claim_cells(cells)
        self.cells = [cells]
        self.data = CsvClaimData(layout, claim_id, self.cells)
        self.line_rows = [row]
        self.rows = 1
        self.blank_rows = 0
        self.problems = []
        self.unreadable = set()
        self.truncated = False
        self.complete = True

    def add_bad(self, bad: _Bad) -> None:
        where = f"{bad.column}: " if bad.column else ""
        message = f"{where}{bad.reason}; claim {self.claim_id} not checked"
        self.problems.append((bad.row, batch_finding(UNREADABLE_ROW, message, line=self.rows)))
        self.unreadable.add(bad.row)
        self.rows += 1
        self.row = min(self.row, bad.row)

    def close(self, blank_rows: int) -> ClaimRows:
        if len(self.problems) > 1:
            self.problems.sort(key=_first)
        self.blank_rows = blank_rows
        self.complete = not self.truncated and not self.unreadable
        return self


def _first(item: tuple[int, Finding]) -> int:
    return item[0]


def _stray(bad: _Bad, blank_rows: int = 0, *, own_claim: bool = True) -> ClaimRows:
    where = f"{bad.column}: " if bad.column else ""
    # The claim ID may be readable even though no row of that claim is: then the
    # row stands for its claim (named in the report, counted in ``claims``).
    whose = f"claim {bad.claim_id} not checked" if bad.claim_id else "the row belongs to no claim"
    problem = batch_finding(UNREADABLE_ROW, f"{where}{bad.reason}; {whose}")
    return ClaimRows(
        bad.row,
        claim_id=bad.claim_id if own_claim else None,
        blank_rows=blank_rows,
        problems=[(bad.row, problem)],
        unreadable=(bad.row,),
    )


def _differs(
    claim: _Claim, row: int, cells: list[str], layout: _Layout, include_patient_data: bool
) -> None:
    for name, value, first in zip(
        layout.claim_columns, layout.claim_cells(cells), claim.first_cells, strict=True
    ):
        value, first = value.strip(), first.strip()
        # A blank claim cell on a later row means "as on the first row": many
        # exports fill claim columns on a claim's first row only.
        if not value or value == first:
            continue
        if name in PATIENT_COLUMNS and not include_patient_data:
            what = (
                f"{name} differs from row {claim.first}, the claim's first row "
                "(values withheld: patient data)"
            )
        else:
            what = (
                f"{name} is {value!r} on this row but {first!r} on row {claim.first}, "
                "the claim's first row"
            )
        finding = batch_finding(
            CLAIM_ROWS_DISAGREE,
            f"{what}; the first row's value is used",
            line=claim.rows - 1,
            fix=f"give every row of claim {claim.claim_id} the same {name}",
        )
        claim.problems.append((row, finding))


class CsvBatchReader(FileReader):
    """Reads a batch CSV into :class:`~otcoding.io._common.ClaimRows`, one per claim.

    The header is read and checked when the reader is made: a missing required
    column or a column named twice raises :class:`~otcoding.errors.DataFileError`
    naming the file and the column, as does an empty file. Rows are read as the
    reader is iterated, once. ``extra_columns`` names the columns ignored.

    Rows are numbered as a spreadsheet shows them: the header is row 1, and a row
    with a quoted line break is still one row.

    A row that cannot be read is attached to its claim when the claim can be told
    (the rows around it have its claim ID), which keeps that claim from being
    checked with a line missing; otherwise it stands alone.
    """

    def __init__(
        self,
        source: Source,
        *,
        name: str | None = None,
        include_patient_data: bool = False,
    ) -> None:
        self.name = name or source_name(source)
        self.include_patient_data = include_patient_data
        self._open(source, newline="")
        self._header_row = 1
        try:
            self._records = csv.reader(self._stream)
            header = self._next_header()
            self._layout = _Layout(header, self.name)
        except BaseException:
            self.close()
            raise
        self.extra_columns: tuple[str, ...] = self._layout.extra

    def _next_header(self) -> list[str]:
        try:
            header = next(self._records, None)
            while header is not None and not "".join(header):
                self._header_row += 1
                header = next(self._records, None)
        except csv.Error as exc:
            raise DataFileError(
                self.name, f"the header row cannot be read as CSV ({exc})"
            ) from None
        except UnicodeDecodeError as exc:
            raise DataFileError(
                self.name, f"the header row is not UTF-8 text ({exc.reason})"
            ) from None
        if header is None:
            raise DataFileError(self.name, "the file is empty: no header row")
        if not utf8_ok("".join(header)):
            raise DataFileError(self.name, "the header row is not UTF-8 text")
        return header

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the reader ignored, for a caller to show once."""
        if not self.extra_columns:
            return ()
        names = ", ".join(repr(c) for c in self.extra_columns)
        return (f"{self.name}: ignoring columns not in the batch format: {names}",)

    def _items(self) -> Iterator[ClaimRows]:
        return _joined(_group(self._numbered(), self._layout, self.include_patient_data))

    def _numbered(self) -> Iterator[tuple[int, list[str] | _Bad]]:
        records, width, id_at = self._records, self._layout.width, self._layout.claim_id
        row = self._header_row
        while True:
            try:
                # One for loop rather than next() per row: after a csv.Error the reader
                # goes on from the next row, so the loop is simply entered again.
                for cells in records:
                    row += 1
                    # The common row, as _check would pass it, without the call: as wide
                    # as the header, with a claim ID, all ASCII (so UTF-8).
                    if len(cells) == width and cells[id_at].strip() and "".join(cells).isascii():
                        yield row, cells
                    else:
                        yield row, _check(row, cells, width, id_at)
                return
            except csv.Error as exc:
                row += 1
                reason = f"the row cannot be read as CSV ({exc}; near line {records.line_num})"
                yield row, _Bad(row, None, reason, None)
            except UnicodeDecodeError as exc:
                raise DataFileError(
                    self.name,
                    f"row {row + 1} is not text in the stream's encoding ({exc.reason}); pass "
                    "the file's path or a binary stream to get bad bytes reported per row",
                ) from None


def _check(row: int, cells: list[str], width: int, id_at: int) -> list[str] | _Bad:
    """The row's cells, or why they cannot be read. A blank row comes back as ``[]``."""
    joined = "".join(cells)
    if not joined:
        return []
    if len(cells) != width:
        claim_id = cells[id_at].strip() if id_at < len(cells) else None
        return _Bad(row, claim_id, f"the row has {len(cells)} cells, the header {width}", None)
    if not utf8_ok(joined):
        claim_id = cells[id_at].strip()
        column = next(i for i, c in enumerate(cells) if not utf8_ok(c))
        return _Bad(
            row,
            claim_id if utf8_ok(claim_id) else None,
            "bytes that are not UTF-8 text",
            f"column {column + 1}",
        )
    if not cells[id_at].strip():
        return _Bad(row, None, "the claim ID is empty", "claim_id")
    return cells


def _group(
    records: Iterable[tuple[int, list[str] | _Bad]], layout: _Layout, include_patient_data: bool
) -> Iterator[ClaimRows]:
    """Collect consecutive rows of a claim; place unreadable rows (see CsvBatchReader)."""
    id_at, claim_cells = layout.claim_id, layout.claim_cells
    current: _Claim | None = None
    pending: list[_Bad] = []
    blank = 0
    overflow: str | None = None  # a claim ID past MAX_CLAIM_ROWS: its further rows stand alone
    for row, cells in records:
        if isinstance(cells, _Bad):
            pending.append(cells)
            continue
        if not cells:
            blank += 1
            continue
        claim_id = cells[id_at].strip()
        if current is not None and claim_id == current.claim_id:
            if pending:
                for bad in pending:
                    current.add_bad(bad)
                pending.clear()
            if current.rows >= MAX_CLAIM_ROWS:
                overflow = claim_id
                current.truncated = True
                yield current.close(blank)
                blank, current = 0, None
            else:
                current.rows += 1
                if claim_cells(cells) != current.first_cells:
                    _differs(current, row, cells, layout, include_patient_data)
                current.cells.append(cells)
                current.line_rows.append(row)
                continue
        if claim_id == overflow:
            reason = (
                f"claim {claim_id} has more than {MAX_CLAIM_ROWS} rows: this row is not read "
                "and the claim is not checked"
            )
            for bad in pending:
                # A row of the claim already reported as too long: not a claim of its own.
                yield _stray(bad, own_claim=bad.claim_id != claim_id)
            pending.clear()
            yield _stray(_Bad(row, None, reason, None), blank)
            blank = 0
            continue
        overflow = None
        if current is not None:
            for bad in pending:
                if bad.claim_id == current.claim_id:
                    current.add_bad(bad)
            yield current.close(blank)
            blank = 0
        following = _Claim(claim_id, row, cells, layout)
        for bad in pending:
            if bad.claim_id == claim_id:
                following.add_bad(bad)
            elif current is None or bad.claim_id != current.claim_id:
                yield _stray(bad, blank)
                blank = 0
        pending.clear()
        current = following
    if current is not None:
        for bad in pending:
            if bad.claim_id == current.claim_id:
                current.add_bad(bad)
        yield current.close(blank)
        blank = 0
        current_id: str | None = current.claim_id
    else:
        current_id = None
    for bad in pending:
        # A row whose claim cannot be told (claim_id None) is never attached.
        if bad.claim_id is None or bad.claim_id != current_id:
            yield _stray(bad, blank)
            blank = 0
    if blank:
        yield ClaimRows(0, rows=0, blank_rows=blank)


def _joined(items: Iterable[ClaimRows]) -> Iterator[ClaimRows]:
    """Merge consecutive unreadable rows of one claim ID into one item (one claim)."""
    held: ClaimRows | None = None
    for item in items:
        if (
            held is not None
            and item.data is None
            and item.claim_id is not None
            and item.claim_id == held.claim_id
        ):
            held.rows += item.rows
            held.blank_rows += item.blank_rows
            held.problems.extend(item.problems)
            held.unreadable |= item.unreadable
            continue
        if held is not None:
            yield held
            held = None
        if item.data is None and item.claim_id is not None:
            held = item
        else:
            yield item
    if held is not None:
        yield held


def read_batch_csv(
    source: Source, *, name: str | None = None, include_patient_data: bool = False
) -> CsvBatchReader:
    """Open a batch CSV (a path, or a text or binary stream) and check its header."""
    return CsvBatchReader(source, name=name, include_patient_data=include_patient_data)


class RowsBatchReader:
    """Groups rows given as dicts (CSV column -> value), as :class:`CsvBatchReader` does.

    The first row's keys play the header: it must have the required columns, and
    its keys outside the format are ignored with a warning. A missing key is an
    empty cell. Values may be text, numbers, dates or lists (joined with ``;``).
    Rows are numbered as if the dicts were a CSV file with a header (first row: 2).
    """

    def __init__(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        name: str = "<rows>",
        include_patient_data: bool = False,
    ) -> None:
        self.name = name
        self.include_patient_data = include_patient_data
        self._rows = iter(rows)
        self._first = next(self._rows, None)
        keys = [str(k) for k in self._first] if self._first is not None else list(COLUMNS)
        self.extra_columns = _Layout(keys, name).extra
        self._layout = _Layout(list(COLUMNS), name)

    warnings = CsvBatchReader.warnings

    def close(self) -> None:
        """Nothing to release: the caller owns the rows."""

    def __iter__(self) -> Iterator[ClaimRows]:
        return _joined(_group(self._numbered(), self._layout, self.include_patient_data))

    def _numbered(self) -> Iterator[tuple[int, list[str] | _Bad]]:
        if self._first is None:
            return
        width, id_at = self._layout.width, self._layout.claim_id
        row = 2
        yield row, _check(row, [_cell(self._first.get(c)) for c in COLUMNS], width, id_at)
        self._first = None
        for item in self._rows:
            row += 1
            cells = [_cell(item.get(c)) for c in COLUMNS]
            yield row, _check(row, cells, width, id_at)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ";".join(_cell(v) for v in value)
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return str(isoformat())
    return str(value)
