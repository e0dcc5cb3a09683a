"""The 8-minute rule: turn documented minutes into billable units, and say why.

Two methods, chosen per payer:

``"cms"`` — Medicare's total-time method (CMS Pub 100-04 ch.5 §20.2). The day's
total timed minutes, read off the chart, set how many timed units are billed;
each code keeps its whole 15-minute units and the units left over go, one each,
to the codes with the most minutes left over. Pooled minutes can earn a unit for
a code that ran under 8 minutes.

``"cpt"`` — the AMA/CPT per-code midpoint method: each timed code stands alone
(8–22 minutes → 1 unit, 23–37 → 2, ...), with no pooling across codes.

Under both, untimed ("service-based") codes such as evaluations and 97150 are one
unit each and their minutes never count toward timed minutes (Pub 100-02 ch.15
§220.3).

>>> total_units(40)
3
>>> allocation = allocate({"97110": 33, "97140": 7}, on="2026-03-02")
>>> allocation.units
{'97110': 2, '97140': 1}
>>> allocate({"97110": 33, "97140": 7}, method="cpt", on="2026-03-02").units
{'97110': 2, '97140': 0}
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias, TypeVar

import attrs

from otcoding._construct import new as _new
from otcoding._construct import slot_setters
from otcoding._parse import normalize_code, parse_date, resolve_on, whole_number
from otcoding.codes import CodeKind
from otcoding.codes import lookup as _lookup_code
from otcoding.errors import InvalidInputError

__all__ = [
    "METHODS",
    "Allocation",
    "Comparison",
    "LineComparison",
    "Tie",
    "allocate",
    "compare",
    "total_units",
]

#: The unit methods :func:`allocate` and :func:`compare` accept.
METHODS: tuple[str, ...] = ("cms", "cpt")

#: Minutes in a day: no code, and no day, can document more.
MAX_MINUTES = 1440

_SOURCE_CMS = "CMS Pub 100-04 ch.5 §20.2"
_SOURCE_UNTIMED = "CMS Pub 100-02 ch.15 §220.3"
_SOURCE_CPT = (
    "AMA CPT time rule (a unit is attained once the midpoint is passed; "
    "CPT Assistant, Dec 2003, p.6)"
)
_TIE_RULE = "tie broken by more total minutes, then code order"

#: What :func:`allocate` reads: code → whole number (``int`` or digit string), or pairs.
MinutesInput: TypeAlias = Mapping[str, int | str] | Iterable[tuple[str, int | str]]

_K = TypeVar("_K")
_V = TypeVar("_V")


class _FrozenMap(Mapping[_K, _V]):
    """A read-only, hashable dict view, so frozen results stay hashable and safe to share."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[_K, _V]) -> None:
        self._data = data

    def __getitem__(self, key: _K) -> _V:
        return self._data[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return repr(self._data)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_FrozenMap, (self._data,))


def _chart(minutes: int) -> int:
    return 0 if minutes < 8 else (minutes + 7) // 15


def total_units(minutes: int) -> int:
    """Timed units for a day's total timed minutes, from the CMS chart.

    Under 8 minutes is 0 units; 8–22 is 1; 23–37 is 2; and each further 15
    minutes one more unit, with no cap past 2 hours (CMS Pub 100-04 ch.5 §20.2).
    ``minutes`` is a whole number from 0 to 1440 (an ``int`` or a digit string).

    >>> [total_units(m) for m in (7, 8, 22, 23, 37, 38, 52, 53, 127, 128)]
    [0, 1, 1, 2, 2, 3, 3, 4, 8, 9]
    >>> total_units(2.0)
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: minutes: expected a whole number, not a float, got 2.0
    >>> total_units(1441)
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: minutes: expected a whole number of at most 1440, got 1441
    """
    # `type(...) is int` keeps the common case to one check (bool is a subclass of int
    # and must go through the strict path to be refused).
    if type(minutes) is int and 0 <= minutes <= MAX_MINUTES:
        return 0 if minutes < 8 else (minutes + 7) // 15
    return _chart(whole_number(minutes, field="minutes", maximum=MAX_MINUTES))


@attrs.frozen(kw_only=True)
class Tie:
    """Codes that tied on minutes left over for the day's last unit(s).

    CMS accepts any of them taking the tied unit(s) (Pub 100-04 ch.5 §20.2,
    the 20/20-minute example); :func:`allocate` picks by more total minutes, then
    code order, and :func:`compare` accepts every choice.

    Attributes:
        codes: the tied codes, in tie-break order.
        remaining_minutes: the minutes each has left after its whole units.
        units: how many of them get one more unit.
        chosen: the codes :func:`allocate` gave the unit(s) to.
    """

    codes: tuple[str, ...]
    remaining_minutes: int
    units: int
    chosen: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "codes": list(self.codes),
            "remaining_minutes": self.remaining_minutes,
            "units": self.units,
            "chosen": list(self.chosen),
        }


@attrs.frozen(kw_only=True, repr=False)
class Allocation:
    """Billable units per code for one patient's day, from :func:`allocate`.

    Attributes:
        method: ``"cms"`` or ``"cpt"``.
        on: the date codes were looked up for; ``None`` with ``lookup=False``
            when no date was given.
        minutes: code → documented minutes (normalised codes, repeats summed).
        units: code → billable units; every input code appears, dropped ones with 0.
        timed_minutes: minutes of the timed (15-minute) codes; untimed minutes excluded.
        timed_units: timed units only; under ``"cms"`` always
            ``total_units(timed_minutes)``.
        untimed: codes billed as untimed, 1 unit each.
        ties: the tie for the last unit(s), if any (at most one under ``"cms"``).

    Codes are ordered timed first, then untimed, each by most minutes then code,
    whatever the input order, so equal days give equal allocations and explanations.
    """

    method: str
    on: _dt.date | None
    minutes: Mapping[str, int]
    units: Mapping[str, int]
    timed_minutes: int
    timed_units: int
    untimed: tuple[str, ...]
    ties: tuple[Tie, ...]

    # Derived on demand: allocate() is called in validator loops, explanations are not.

    @property
    def total_units(self) -> int:
        """All units billed, timed plus untimed."""
        return self.timed_units + len(self.untimed)

    @property
    def allowed(self) -> Mapping[str, tuple[int, int]]:
        """Code → (fewest, most) units any valid allocation gives it.

        Differs from ``(units, units)`` only for codes in a CMS tie.
        """
        bounds = {code: (n, n) for code, n in self.units.items()}
        for tie in self.ties:
            for code in tie.codes:
                full = self.minutes[code] // 15
                bounds[code] = (full, full + 1)
        return _FrozenMap(bounds)

    @property
    def dropped(self) -> Mapping[str, str]:
        """Code → why it gets no unit (timed codes with 0 units)."""
        return _FrozenMap(
            {code: _why_dropped(self, code) for code, n in self.units.items() if not n}
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """Caveats about specific codes (97129/97130)."""
        if "97129" in self.minutes or "97130" in self.minutes:
            return (_COGNITIVE_NOTE,)
        return ()

    def explain(self) -> str:
        """A short plain-English account, in the style of the CMS manual's examples.

        >>> print(allocate({"97110": 33, "97140": 7}, on="2026-03-02").explain())
        Total timed minutes 40 → 3 units (38–52).
        97110 33 min: 2 full units, 3 min left.
        97140 7 min.
        The 3rd unit goes to 97140, whose 7 remaining minutes exceed 97110's 3
        (97140 ran under 8 minutes, but the day's pooled minutes earn the unit).
        Billed: 97110 × 2, 97140 × 1 (3 units).
        Source: CMS Pub 100-04 ch.5 §20.2.
        """
        if self.method == "cpt":
            return _explain_cpt(self)
        return _explain_cms(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (no patient data: codes, minutes and units only)."""
        untimed = set(self.untimed)
        allowed = self.allowed
        return {
            "method": self.method,
            "on": self.on.isoformat() if self.on else None,
            "total_units": self.total_units,
            "timed_units": self.timed_units,
            "timed_minutes": self.timed_minutes,
            "lines": [
                {
                    "code": code,
                    "minutes": minutes,
                    "timed": code not in untimed,
                    "units": self.units[code],
                    "min_units": allowed[code][0],
                    "max_units": allowed[code][1],
                }
                for code, minutes in self.minutes.items()
            ],
            "units": dict(self.units),
            "untimed": list(self.untimed),
            "dropped": dict(self.dropped),
            "ties": [tie.to_dict() for tie in self.ties],
            "notes": list(self.notes),
            "explanation": self.explain(),
            "source": _source(self),
        }

    def _repr_html_(self) -> str:
        untimed = set(self.untimed)
        tied = {code for tie in self.ties for code in tie.codes}
        rows = []
        dropped = self.dropped
        for code, minutes in self.minutes.items():
            if code in untimed:
                note = "untimed: 1 unit"
            elif code in dropped:
                note = dropped[code]
            elif code in tied:
                low, high = self.allowed[code]
                note = f"tied: {low} or {high} acceptable"
            else:
                note = ""
            rows.append(
                "<tr>"
                + "".join(
                    f"<td style='text-align:{align}'>{html.escape(str(value))}</td>"
                    for value, align in (
                        (code, "left"),
                        (minutes, "right"),
                        ("no" if code in untimed else "yes", "left"),
                        (self.units[code], "right"),
                        (note, "left"),
                    )
                )
                + "</tr>"
            )
        head = "".join(f"<th>{name}</th>" for name in ("Code", "Minutes", "Timed", "Units", "Note"))
        caption = html.escape(
            f"{_METHOD_NAMES[self.method]}: {self.timed_minutes} timed min, "
            f"{_plural(self.total_units, 'unit')}"
        )
        return (
            f"<table class='otcoding-allocation'><caption>{caption}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def __repr__(self) -> str:
        return (
            f"Allocation(method={self.method!r}, units={self.units!r}, "
            f"total_units={self.total_units})"
        )


_METHOD_NAMES = {"cms": "CMS total-time method", "cpt": "CPT per-code midpoint method"}


def _source(allocation: Allocation) -> str:
    source = _SOURCE_CPT if allocation.method == "cpt" else _SOURCE_CMS
    if allocation.untimed:
        source += "; " + _SOURCE_UNTIMED
    return source


# --- input -----------------------------------------------------------------------------


def _pairs(data: object, field: str) -> Iterable[tuple[object, object]]:
    if isinstance(data, Mapping):
        return data.items()
    if isinstance(data, (str, bytes)) or not isinstance(data, Iterable):
        raise InvalidInputError(
            field, data, "expected a mapping of code to a whole number, or (code, number) pairs"
        )
    pairs: list[tuple[object, object]] = []
    for index, item in enumerate(data):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise InvalidInputError(f"{field}[{index}]", item, "expected a (code, number) pair")
        pairs.append((item[0], item[1]))
    return pairs


_UNTIMED_KINDS = frozenset({CodeKind.EVALUATION, CodeKind.REEVALUATION, CodeKind.UNTIMED})

# Raw key → (normalised code, timed?), per lookup date, and for ad-hoc labels.  The
# shipped tables never change while the process runs, so an answer can be reused;
# errors are never cached.  Plain dicts: reads and writes are atomic under the GIL,
# and the worst race repeats a lookup.  Bounded by clearing, which only costs speed.
_SEEN: dict[_dt.date, dict[str, tuple[str, bool]]] = {}
_LABELS: dict[str, tuple[str, bool]] = {}
_NOTHING: dict[str, tuple[str, bool]] = {}
_CACHE_LIMIT = 4096


def _remember(cache: dict[str, tuple[str, bool]], key: str, entry: tuple[str, bool]) -> None:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = entry


def _entry(key: object, field: str, day: _dt.date | None, lookup: bool) -> tuple[str, bool]:
    """Normalise a key and classify its code (the slow path), then remember the answer."""
    if lookup:
        code = normalize_code(key, field=field)
        assert day is not None
        entry = (code, _is_timed(code, day, field))
        if len(_SEEN) >= _CACHE_LIMIT:
            _SEEN.clear()
        _remember(_SEEN.setdefault(day, {}), str(key), entry)
        return entry
    if not isinstance(key, str) or not key.strip():
        raise InvalidInputError(field, key, "expected a non-empty code or label")
    entry = (key.strip(), True)
    _remember(_LABELS, key, entry)
    return entry


def _is_timed(code: str, on: _dt.date, field: str) -> bool:
    """Whether a code is a 15-minute timed code (True) or a 1-unit untimed one (False).

    Codes counted any other way are refused rather than guessed at: time blocks other
    than 15 minutes (97545, 97550, 98980) and codes whose units count items or periods
    (orthoses, supplies, remote monitoring, home-health and other G-codes).
    """
    info = _lookup_code(code, on=on)
    if info.timed and info.unit_minutes in (15, None):
        return True
    if not info.timed and info.kind in _UNTIMED_KINDS and info.unit_minutes is None:
        return False
    if info.kind is CodeKind.TIME_BASED or info.unit_minutes not in (15, None):
        block = f"{info.unit_minutes}-minute" if info.unit_minutes else "non-15-minute"
        raise InvalidInputError(
            field,
            code,
            f"{code} is billed in {block} blocks, not 15-minute units, so the 8-minute rule "
            "does not apply; leave it out and bill it by its own time rule",
        )
    raise InvalidInputError(
        field,
        code,
        f"{code} is a {info.kind} code: its units are not counted by treatment time, "
        "so the 8-minute rule does not apply; leave it out",
    )


def _collect(
    data: object, field: str, lookup: bool, day: _dt.date | None, *, day_limit: bool
) -> tuple[dict[str, int], dict[str, bool]]:
    """Code → whole number, and code → timed?; a repeated code is summed.

    Units are per code per day, reported on one line (R9), so repeats add up.
    """
    if lookup:
        assert day is not None
        known = _SEEN.get(day, _NOTHING)
    else:
        known = _LABELS
    items = data.items() if type(data) is dict else _pairs(data, field)
    numbers: dict[str, int] = {}
    timed: dict[str, bool] = {}
    total = 0
    for key, value in items:
        entry = known.get(key) if type(key) is str else None
        if entry is None:
            entry = _entry(key, field, day, lookup)
        code = entry[0]
        if type(value) is not int or value < 0 or value > MAX_MINUTES:
            value = whole_number(value, field=f"{field}[{code!r}]", maximum=MAX_MINUTES)
        if code in numbers:
            value += numbers[code]
            if value > MAX_MINUTES:
                raise InvalidInputError(
                    f"{field}[{code!r}]",
                    value,
                    f"expected at most {MAX_MINUTES} in a day once repeated entries are summed",
                )
            total -= numbers[code]
        numbers[code] = value
        timed[code] = entry[1]
        total += value
    if day_limit and total > MAX_MINUTES:
        raise InvalidInputError(
            field, total, f"expected at most {MAX_MINUTES} minutes in a day across all codes"
        )
    return numbers, timed


def _method(method: object) -> str:
    if method == "cms" or method == "cpt":
        return str(method)
    raise InvalidInputError("method", method, "expected 'cms' or 'cpt'")


def _day(on: object, lookup: bool) -> _dt.date | None:
    if lookup:
        return resolve_on(on)
    return None if on is None else parse_date(on, field="on")


# --- allocation ------------------------------------------------------------------------


def allocate(
    minutes_by_code: MinutesInput,
    *,
    method: str = "cms",
    on: _dt.date | str | None = None,
    lookup: bool = True,
) -> Allocation:
    """Billable units per code for one patient's day of therapy.

    Args:
        minutes_by_code: code → minutes, as a mapping or as ``(code, minutes)``
            pairs. A code given more than once has its minutes summed: units are
            per code per day, reported on one line (Pub 100-04 ch.5 §20.2, R9).
        method: ``"cms"`` (Medicare total-time) or ``"cpt"`` (per-code midpoint).
        on: date of service (``date`` or ``YYYY-MM-DD``) for the code lookup;
            default today.
        lookup: look each code up in the code tables, so a deleted or unknown code
            raises :class:`~otcoding.errors.UnknownCodeError` and untimed codes are
            recognised. With ``lookup=False`` every key is a timed 15-minute service
            label (any non-empty string), for ad-hoc use.

    Under ``"cms"`` the day's total timed minutes set the timed units; each code
    keeps its whole 15-minute units and the rest go one each to the codes with the
    most minutes left over. A tie is broken by more total minutes, then code
    order, reported in :attr:`Allocation.ties` and in :meth:`Allocation.explain`;
    any tie-break is acceptable to CMS. Untimed codes get 1 unit each; their
    minutes are excluded. A time-based code billed in blocks other than 15
    minutes (97545, 97550, ...) is refused with
    :class:`~otcoding.errors.InvalidInputError` rather than guessed at.

    >>> allocate({"97112": 24, "97110": 23}, on="2026-03-02").units
    {'97112': 2, '97110': 1}
    >>> allocate({"97112": 7, "97110": 7, "97140": 7}, on="2026-03-02").units
    {'97110': 1, '97112': 0, '97140': 0}
    >>> a = allocate({"97166": 45, "97530": 30}, on="2026-03-02")
    >>> a.units, a.timed_minutes, a.untimed
    ({'97530': 2, '97166': 1}, 30, ('97166',))
    >>> allocate({"lifting practice": 10}, lookup=False).units
    {'lifting practice': 1}
    >>> allocate({"97110": -5}, on="2026-03-02")
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: minutes_by_code['97110']: expected ... at least 0, got -5
    """
    method = _method(method)
    day = _day(on, lookup)
    minutes, timed = _collect(minutes_by_code, "minutes_by_code", lookup, day, day_limit=True)
    if not minutes:
        raise InvalidInputError("minutes_by_code", minutes_by_code, "expected at least one code")
    return _allocate(minutes, timed, method, day)


def _allocate(
    minutes: dict[str, int], timed: dict[str, bool], method: str, on: _dt.date | None
) -> Allocation:
    # Most minutes first, code order among equals: two stable sorts with C-level keys
    # are much cheaper than one sort with a Python key function.
    codes = sorted(minutes)
    codes.sort(key=minutes.__getitem__, reverse=True)
    untimed: list[str] = []
    if False in timed.values():
        untimed = [c for c in codes if not timed[c]]
        codes = [c for c in codes if timed[c]]
    units: dict[str, int] = {}
    ordered: dict[str, int] = {}
    ties: tuple[Tie, ...] = ()
    total = 0
    if method == "cpt":
        timed_units = 0
        for code in codes:
            m = minutes[code]
            ordered[code] = m
            total += m
            n = 0 if m < 8 else (m + 7) // 15
            units[code] = n
            timed_units += n
    else:
        full_units = 0
        for code in codes:
            m = minutes[code]
            ordered[code] = m
            total += m
            n = m // 15
            units[code] = n
            full_units += n
        timed_units = 0 if total < 8 else (total + 7) // 15
        # sum(full) <= chart(T) always, and the leftover units never outnumber the codes
        # with minutes left over, so every leftover unit has a taker.
        leftover = timed_units - full_units
        if leftover:
            rem = {code: minutes[code] % 15 for code in codes}
            # Most minutes left over first; the stable sort keeps the tie-break order.
            ranked = sorted(codes, key=rem.__getitem__, reverse=True)
            for code in ranked[:leftover]:
                units[code] += 1
            cut = rem[ranked[leftover - 1]]
            at_cut = [code for code in ranked if rem[code] == cut]
            slots = leftover - ranked.index(at_cut[0])
            if len(at_cut) > slots:
                ties = (
                    Tie(
                        codes=tuple(at_cut),
                        remaining_minutes=cut,
                        units=slots,
                        chosen=tuple(at_cut[:slots]),
                    ),
                )
    for code in untimed:
        units[code] = 1
        ordered[code] = minutes[code]
    # Allocation(...) without its generated __init__, about a tenth of an allocation
    # (see otcoding._construct): every field is set here, in field order, and
    # Allocation has no converter, validator or default (a test holds it to that).
    allocation = _new(Allocation)
    set_method, set_on, set_minutes, set_units, set_tm, set_tu, set_untimed, set_ties = (
        _ALLOCATION_SLOTS
    )
    set_method(allocation, method)
    set_on(allocation, on)
    set_minutes(allocation, _FrozenMap(ordered))
    set_units(allocation, _FrozenMap(units))
    set_tm(allocation, total)
    set_tu(allocation, timed_units)
    set_untimed(allocation, tuple(untimed))
    set_ties(allocation, ties)
    return allocation


_ALLOCATION_SLOTS = slot_setters(Allocation)

_COGNITIVE_NOTE = (
    "97129 is reported once per day for the first 15 minutes and +97130 for each "
    "further 15; how the two share the CMS total-time pool is UNCONFIRMED, so they "
    "are counted here as separate timed codes: check the split before billing."
)


def _why_dropped(a: Allocation, code: str) -> str:
    m = a.minutes[code]
    if not m:
        return "no minutes documented"
    if a.method == "cpt":
        return (
            f"{m} min is under the 8-minute midpoint; the CPT method counts each code "
            "alone, with no pooling"
        )
    if a.timed_minutes < 8:
        return (
            f"the day's {a.timed_minutes} timed minutes are under 8, so no timed unit is billable"
        )
    for tie in a.ties:
        if code in tie.codes:
            others = [c for c in tie.codes if c != code]
            return (
                f"tied with {_join(others)} at {m % 15} remaining minutes; "
                f"{_join(tie.chosen)} took the unit ({_TIE_RULE}); {_acceptable(tie)}"
            )
    taken = "the day's only unit" if a.timed_units == 1 else f"all {a.timed_units} units"
    return f"{taken} went to codes with more minutes; its {m} minutes are documented but not billed"


# --- explanations ----------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _join(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _acceptable(tie: Tie) -> str:
    if tie.units == 1:
        if len(tie.codes) == 2:
            return "either is acceptable to CMS, but not both"
        return "any one of them is acceptable to CMS"
    return f"any {tie.units} of them, one unit each, are acceptable to CMS"


def _band(units: int) -> str:
    return "under 8" if units == 0 else f"{15 * units - 7}–{15 * units + 7}"


def _billed_line(allocation: Allocation) -> str:
    billed = [f"{code} × {n}" for code, n in allocation.units.items() if n]
    if not billed:
        return "Billed: nothing."
    return f"Billed: {', '.join(billed)} ({_plural(allocation.total_units, 'unit')})."


def _tail(allocation: Allocation, lines: list[str]) -> str:
    for code in allocation.untimed:
        m = allocation.minutes[code]
        extra = f"; its {m} min do not count toward timed minutes" if m else ""
        lines.append(f"{code} is untimed: 1 unit whatever its length{extra}.")
    for code, reason in allocation.dropped.items():
        lines.append(f"{code} is not billed: {reason}.")
    lines.extend(allocation.notes)
    lines.append(_billed_line(allocation))
    lines.append(f"Source: {_source(allocation)}.")
    return "\n".join(lines)


def _explain_cms(a: Allocation) -> str:
    lines: list[str] = []
    timed = [c for c in a.minutes if c not in a.untimed]
    if timed:
        lines.append(
            f"Total timed minutes {a.timed_minutes} → {_plural(a.timed_units, 'unit')} "
            f"({_band(a.timed_units)})."
        )
    full: dict[str, int] = {}
    left: dict[str, int] = {}
    for code in timed:
        m = a.minutes[code]
        full[code], left[code] = divmod(m, 15)
        if full[code]:
            rest = f", {left[code]} min left." if left[code] else "."
            lines.append(f"{code} {m} min: {_plural(full[code], 'full unit')}{rest}")
        else:
            lines.append(f"{code} {m} min.")
    full_total = sum(full.values())
    leftover = a.timed_units - full_total
    spare = sum(left.values())
    if timed and leftover == 0 and spare and a.timed_minutes >= 8:
        lines.append(
            f"The full units account for all {a.timed_units}; the {spare} leftover "
            f"minute{'s' if spare != 1 else ''} do not reach another unit."
        )
    if leftover:
        tied = set(a.ties[0].codes) if a.ties else set()
        winners = [c for c in timed if a.units[c] > full[c] and c not in tied]
        winners.sort(key=lambda c: (-left[c], -a.minutes[c], c))
        losers = [c for c in timed if left[c] and a.units[c] == full[c] and c not in tied]
        losers.sort(key=lambda c: (-left[c], -a.minutes[c], c))
        number = full_total + 1
        if winners:
            ordinals = [_ordinal(number + i) for i in range(len(winners))]
            number += len(winners)
            if len(winners) == 1:
                w = winners[0]
                sentence = f"The {ordinals[0]} unit goes to {w}"
                beaten = losers + (list(a.ties[0].codes) if a.ties else [])
                if len(beaten) == 1:
                    sentence += (
                        f", whose {left[w]} remaining minutes exceed {beaten[0]}'s "
                        f"{left[beaten[0]]}"
                    )
                elif beaten:
                    sentence += f", whose {left[w]} remaining minutes exceed those of " + _join(
                        f"{c} ({left[c]})" for c in beaten
                    )
                else:
                    sentence += f" for its {left[w]} remaining minutes"
            else:
                sentence = (
                    f"The {_join(ordinals)} units go to "
                    + _join(f"{c} ({left[c]} min left)" for c in winners)
                    + ", the codes with the most minutes left over"
                )
                if losers:
                    sentence += "; " + _join(f"{c} ({left[c]})" for c in losers) + " get none"
            short = [c for c in winners if a.minutes[c] < 8]
            if short:
                verb = "ran" if len(short) == 1 else "each ran"
                sentence += (
                    f"\n({_join(short)} {verb} under 8 minutes, but the day's pooled "
                    "minutes earn the unit)"
                )
            lines.append(sentence + ".")
        if a.ties:
            tie = a.ties[0]
            ordinals = [_ordinal(number + i) for i in range(tie.units)]
            lines.append(
                f"The {_join(ordinals)} {'unit' if tie.units == 1 else 'units'}: "
                f"{_join(tie.codes)} tie with {tie.remaining_minutes} remaining minutes each; "
                f"{_acceptable(tie)}.\nThis allocation gives "
                f"{'it' if tie.units == 1 else 'them'} to {_join(tie.chosen)} ({_TIE_RULE})."
            )
    elif timed and a.timed_minutes < 8 and a.timed_minutes > 0:
        lines.append("Under 8 timed minutes in the day: no timed unit is billed.")
    return _tail(a, lines)


def _explain_cpt(a: Allocation) -> str:
    lines: list[str] = []
    timed = [c for c in a.minutes if c not in a.untimed]
    if timed:
        lines.append(
            "Per-code midpoint method: each timed code stands alone, with no pooling "
            "(8–22 min → 1 unit, 23–37 → 2, and so on)."
        )
    for code in timed:
        m = a.minutes[code]
        n = a.units[code]
        under = " (under 8)" if m and not n else ""
        lines.append(f"{code} {m} min → {_plural(n, 'unit')}{under}.")
    if timed:
        lines.append(f"Timed: {a.timed_minutes} min, {_plural(a.timed_units, 'unit')}.")
    return _tail(a, lines)


# --- comparison ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LineComparison:
    """Billed against supportable units for one code.

    Attributes:
        code: the code.
        minutes: documented minutes, or ``None`` when the code was billed with none.
        billed: units billed.
        supportable: units the documentation supports; with a CMS tie, the valid
            allocation nearest to what was billed.
        min_units: fewest units any valid allocation gives the code.
        max_units: most units any valid allocation gives the code.
        reason: why the line is over- or under-billed (empty when it is fine).
    """

    code: str
    minutes: int | None
    billed: int
    supportable: int
    min_units: int
    max_units: int
    reason: str = ""

    @property
    def difference(self) -> int:
        """``billed - supportable``: positive when over-billed, negative when under."""
        return self.billed - self.supportable

    @property
    def status(self) -> str:
        """``"over"``, ``"under"`` or ``"ok"``."""
        if self.billed > self.supportable:
            return "over"
        if self.billed < self.supportable:
            return "under"
        return "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "minutes": self.minutes,
            "billed": self.billed,
            "supportable": self.supportable,
            "min_units": self.min_units,
            "max_units": self.max_units,
            "difference": self.difference,
            "status": self.status,
            "reason": self.reason,
        }


@attrs.frozen(kw_only=True, repr=False)
class Comparison:
    """Billed units set against the units the minutes support, from :func:`compare`.

    Attributes:
        method: ``"cms"`` or ``"cpt"``.
        allocation: the supportable :class:`Allocation` (its own tie-break).
        lines: one :class:`LineComparison` per code, documented codes first.
    """

    method: str
    allocation: Allocation
    lines: tuple[LineComparison, ...]

    @property
    def on(self) -> _dt.date | None:
        """The date codes were looked up for."""
        return self.allocation.on

    @property
    def over(self) -> Mapping[str, int]:
        """Code → units billed beyond what is supportable."""
        return _FrozenMap({ln.code: ln.difference for ln in self.lines if ln.difference > 0})

    @property
    def under(self) -> Mapping[str, int]:
        """Code → units supportable but not billed."""
        return _FrozenMap({ln.code: -ln.difference for ln in self.lines if ln.difference < 0})

    @property
    def ok(self) -> bool:
        """True when every code is billed at a supportable number of units."""
        return all(ln.billed == ln.supportable for ln in self.lines)

    @property
    def billed_total(self) -> int:
        """All units billed."""
        return sum(ln.billed for ln in self.lines)

    @property
    def supportable_total(self) -> int:
        """All units the documentation supports."""
        return self.allocation.total_units

    def explain(self) -> str:
        """Per-code verdicts, then the totals.

        >>> print(compare({"97110": 2, "97112": 2}, {"97110": 20, "97112": 20},
        ...               on="2026-03-02").explain())
        97110: billed 2, supportable 2: ok.
        97112: billed 2, supportable 1: over by 1 (97110 and 97112 tie for the last unit;
        either may take it, not both).
        Total billed 4, supportable 3 (CMS total-time method).
        Source: CMS Pub 100-04 ch.5 §20.2.
        """
        out = []
        for ln in self.lines:
            verdict = {"ok": "ok", "over": "over", "under": "under"}[ln.status]
            if ln.status != "ok":
                verdict += f" by {abs(ln.difference)}"
            reason = f" ({ln.reason})" if ln.reason else ""
            out.append(
                f"{ln.code}: billed {ln.billed}, supportable {ln.supportable}: {verdict}{reason}."
            )
        out.append(
            f"Total billed {self.billed_total}, supportable {self.supportable_total} "
            f"({_METHOD_NAMES[self.method]})."
        )
        out.append(f"Source: {_source(self.allocation)}.")
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "method": self.method,
            "on": self.on.isoformat() if self.on else None,
            "ok": self.ok,
            "billed_total": self.billed_total,
            "supportable_total": self.supportable_total,
            "over": dict(self.over),
            "under": dict(self.under),
            "lines": [ln.to_dict() for ln in self.lines],
            "allocation": self.allocation.to_dict(),
        }

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{name}</th>"
            for name in ("Code", "Minutes", "Billed", "Supportable", "Status", "Reason")
        )
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(value))}</td>"
                for value in (
                    ln.code,
                    "—" if ln.minutes is None else ln.minutes,
                    ln.billed,
                    ln.supportable,
                    ln.status,
                    ln.reason,
                )
            )
            + "</tr>"
            for ln in self.lines
        )
        caption = html.escape(
            f"{_METHOD_NAMES[self.method]}: billed {self.billed_total}, "
            f"supportable {self.supportable_total}"
        )
        return (
            f"<table class='otcoding-comparison'><caption>{caption}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        )

    def __repr__(self) -> str:
        return (
            f"Comparison(method={self.method!r}, ok={self.ok}, over={self.over!r}, "
            f"under={self.under!r})"
        )


def compare(
    billed_units_by_code: MinutesInput,
    minutes_by_code: MinutesInput,
    *,
    method: str = "cms",
    on: _dt.date | str | None = None,
    lookup: bool = True,
) -> Comparison:
    """Which codes are billed for more, or fewer, units than their minutes support.

    Arguments as for :func:`allocate`, plus the billed units per code (repeated
    codes summed; an empty mapping means nothing was billed). Under ``"cms"`` a
    billing that matches *any* valid tie-break is accepted: a code is judged
    against the valid allocation nearest to what was billed. A code billed
    with no minutes documented is over-billed by all its units.

    >>> c = compare({"97110": 3, "97140": 0}, {"97110": 33, "97140": 7}, on="2026-03-02")
    >>> c.ok, dict(c.over), dict(c.under)
    (False, {'97110': 1}, {'97140': 1})
    >>> compare({"97110": 1, "97112": 2}, {"97110": 20, "97112": 20}, on="2026-03-02").ok
    True
    """
    method = _method(method)
    day = _day(on, lookup)
    minutes, timed = _collect(minutes_by_code, "minutes_by_code", lookup, day, day_limit=True)
    if not minutes:
        raise InvalidInputError("minutes_by_code", minutes_by_code, "expected at least one code")
    billed = _collect(billed_units_by_code, "billed_units_by_code", lookup, day, day_limit=False)[0]
    extra = [code for code in billed if code not in minutes]
    allocation = _allocate(minutes, timed, method, day)

    supportable = dict(allocation.units)
    tie_reason: dict[str, str] = {}
    if allocation.ties:
        tie = allocation.ties[0]
        floor = {c: allocation.minutes[c] // 15 for c in tie.codes}
        # The valid allocation nearest to the billing: give the tied unit(s) first to the
        # codes that billed it, then in tie-break order.
        ranked = sorted(tie.codes, key=lambda c: billed.get(c, 0) <= floor[c])
        for code in tie.codes:
            supportable[code] = floor[code]
        for code in ranked[: tie.units]:
            supportable[code] += 1
        which = "the last unit" if tie.units == 1 else f"the last {tie.units} units"
        for code in tie.codes:
            if tie.units > 1:
                share = f"exactly {tie.units} of them bill one more unit each"
            elif billed.get(code, 0) <= supportable[code]:
                share = "one of them must bill it"
            elif len(tie.codes) == 2:
                share = "either may take it, not both"
            else:
                share = "only one of them may take it"
            tie_reason[code] = f"{_join(tie.codes)} tie for {which}; {share}"

    lines: list[LineComparison] = []
    allowed = allocation.allowed
    for code, m in allocation.minutes.items():
        b = billed.get(code, 0)
        s = supportable[code]
        low, high = allowed[code]
        reason = ""
        if b != s:
            if code in tie_reason and low <= b <= high:
                reason = tie_reason[code]
            elif code in allocation.untimed:
                reason = "untimed: 1 unit per day whatever its length"
            elif b > high:
                reason = f"{m} min supports at most {_plural(high, 'unit')} here"
            else:
                reason = f"{m} min requires at least {_plural(low, 'unit')} here"
        lines.append(
            LineComparison(
                code=code,
                minutes=m,
                billed=b,
                supportable=s,
                min_units=low,
                max_units=high,
                reason=reason,
            )
        )
    for code in sorted(extra):
        b = billed[code]
        lines.append(
            LineComparison(
                code=code,
                minutes=None,
                billed=b,
                supportable=0,
                min_units=0,
                max_units=0,
                reason="no minutes documented for this code" if b else "",
            )
        )
    return Comparison(method=method, allocation=allocation, lines=tuple(lines))


def _fits(method: str, billed: Mapping[str, int], minutes: Mapping[str, int]) -> bool:
    """True when timed billing matches a valid allocation of its minutes.

    A shortcut for ``compare(billed, minutes, method=method, lookup=False).ok`` when
    every code is timed and both mappings have the same codes, with no objects
    built: most days are billed right, and only the rest need the full comparison.
    The property tests hold it to ``compare``.
    """
    if method == "cpt":
        # A loop rather than all(<generator>): no generator object per day.
        for code, m in minutes.items():  # noqa: SIM110
            if billed[code] != (0 if m < 8 else (m + 7) // 15):
                return False
        return True
    total = 0
    full_units = 0
    for m in minutes.values():
        total += m
        full_units += m // 15
    leftover = (0 if total < 8 else (total + 7) // 15) - full_units
    # Each code bills its full units, plus one for exactly `leftover` codes whose
    # minutes left over are no fewer than those of any code passed over.
    extra = 0
    lowest_taken = 15
    highest_passed = -1
    for code, m in minutes.items():
        step = billed[code] - m // 15
        rem = m % 15
        # Conditionals, not min() and max(): those calls cost more than the rest of the
        # loop, and every day of every claim comes here.
        if step == 1:
            extra += 1
            if rem < lowest_taken:
                lowest_taken = rem
        elif step == 0:
            if rem > highest_passed:
                highest_passed = rem
        else:
            return False
    return extra == leftover and (extra == 0 or lowest_taken >= highest_passed)
