"""The claim model: frozen, typed values read from the JSON claim format.

:class:`Claim` holds a :class:`Patient`, a :class:`Provider`, a
:class:`PlanOfCare`, an :class:`Authorization` and one or more
:class:`ServiceLine`. Every class is a frozen ``attrs`` class with slots whose
collections are tuples, so a parsed claim can be shared between threads and used
as a dictionary key.

``from_dict`` reads the JSON format (see ``docs/claim-format.md``) and
``to_dict`` writes it back in canonical form: keys in the format's order,
optional keys left out when absent (``None`` or an empty list), dates as
``YYYY-MM-DD``, money as a decimal string keeping its scale. For a claim already
in canonical form, ``Claim.from_dict(d).to_dict() == d``.

Bad input raises :class:`~otcoding.errors.InvalidInputError` naming the path
of the value (``lines[2].units``) and the value itself, except patient data
(patient ``id``, ``birth_date``, ``member_id``) whose value is withheld.

>>> claim = Claim.from_dict({
...     "claim_id": "C-1", "payer": "Medicare",
...     "lines": [{"code": "97530", "modifiers": ["go"], "units": 2,
...                "date_of_service": "2026-03-02", "charge": "120.00"}],
... })
>>> claim.payer, claim.lines[0].modifiers, claim.lines[0].charge
('medicare', ('GO',), Decimal('120.00'))
>>> claim.to_dict()["lines"]
[{'code': '97530', 'modifiers': ['GO'], 'units': 2, 'date_of_service': '2026-03-02',
  'charge': '120.00'}]
>>> Claim.from_dict({"claim_id": "C-1", "payer": "medicare",
...                  "lines": [{"code": "97530", "units": -1, "date_of_service": "2026-03-02"}]})
Traceback (most recent call last):
...
otcoding.errors.InvalidInputError: lines[0].units: expected a whole number of at least 0, got -1
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from html import escape
from typing import Any, TypeVar

import attrs

from otcoding._construct import new as _new
from otcoding._construct import slot_setters as _slots
from otcoding._parse import normalize_code, parse_date, whole_number
from otcoding.errors import InvalidInputError

__all__ = [
    "PAYERS",
    "Authorization",
    "Claim",
    "Patient",
    "PlanOfCare",
    "Provider",
    "ServiceLine",
]

#: The payers a claim may name, as ``Claim.payer`` holds them.
PAYERS = ("medicare", "medicaid", "commercial")

#: Upper bounds that only catch nonsense (a misplaced column, a typo), not policy:
#: MUE and other per-code limits are validators' business.
MAX_UNITS = 999
MAX_MINUTES = 1440  # one day
#: Money: at most ten digits before the point and two after.
MAX_MONEY_DIGITS = 10

_T = TypeVar("_T")
JSON = dict[str, Any]

# ---------------------------------------------------------------------------
# Field parsers. Each takes the raw value and returns the clean one or raises
# InvalidInputError naming the field relative to its object; callers one level
# up add their own prefix (see _nested), so a message always carries the full path.
# ---------------------------------------------------------------------------

# [0-9], not \d: \d also matches other scripts' digits, which Decimal accepts.
_MONEY = re.compile(rf"[0-9]{{1,{MAX_MONEY_DIGITS}}}(?:\.[0-9]{{1,2}})?")
_MONEY_REASON = "expected an amount of money as a decimal string such as '120.00'"
_MONEY_LIMIT = Decimal(10) ** MAX_MONEY_DIGITS


def _money(value: object, field: str) -> Decimal | None:
    # Strings keep their scale ("120.00" stays "120.00" on the way out); floats are
    # refused because 0.1 + 0.2 is not 0.3 and a claim must add up to the cent.
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if _MONEY.fullmatch(text):
            return Decimal(text)
        raise InvalidInputError(
            field,
            value,
            f"{_MONEY_REASON}: non-negative, at most {MAX_MONEY_DIGITS} digits before "
            "the point and 2 after",
        )
    if isinstance(value, bool):
        raise InvalidInputError(field, value, _MONEY_REASON)
    if isinstance(value, int):
        if 0 <= value < _MONEY_LIMIT:
            return Decimal(value)
        raise InvalidInputError(field, value, f"{_MONEY_REASON}, between 0 and 10^10")
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if (
            isinstance(exponent, int)  # not NaN or Infinity
            and exponent >= -2
            and not value.is_signed()
            and value < _MONEY_LIMIT
        ):
            return value
        raise InvalidInputError(
            field, value, f"{_MONEY_REASON}: finite, non-negative, at most 2 decimal places"
        )
    if isinstance(value, float):
        raise InvalidInputError(
            field, value, f"{_MONEY_REASON}, not a float (binary floats round cents)"
        )
    raise InvalidInputError(field, value, _MONEY_REASON)


_CACHE_SIZE = 4096


def _remember(cache: dict[Any, _T], key: object, value: _T) -> _T:
    # Bounded so that a stream of distinct junk cannot grow a cache without end; dict
    # get and set are atomic, so threads may share one (a race only overshoots by a few).
    if len(cache) < _CACHE_SIZE:
        cache[key] = value
    return value


def _cached_money(cache: dict[str, Decimal | None], value: object, field: str) -> Decimal | None:
    # Raw text -> amount, for amounts a batch repeats: the regex and Decimal(text) cost
    # ten times the lookup. Decimal values are immutable, and Decimal(text) is exact
    # whatever the context, so one parsed amount serves every thread.
    if type(value) is str:
        hit = cache.get(value)
        if hit is not None:
            return hit
        return _remember(cache, value, _money(value, field))
    return _money(value, field)


def _whole(value: object, field: str, maximum: int | None, minimum: int = 0) -> int:
    if type(value) is int and minimum <= value and (maximum is None or value <= maximum):
        return value
    try:
        return whole_number(value, field=field, minimum=minimum, maximum=maximum)
    except InvalidInputError:
        raise
    except ValueError:
        # int() refuses some digit strings whole_number lets through ("+-4",
        # strings longer than Python's integer-string limit).
        raise InvalidInputError(field, value, "expected a whole number") from None


def _opt_whole(value: object, field: str, maximum: int | None) -> int | None:
    return None if value is None else _whole(value, field, maximum)


# Raw text -> normalised code, per kind. Claims repeat a few dozen codes, modifiers
# and places of service, so a dictionary hit replaces strip/upper/regex.
_CODE_CACHE: dict[str, dict[str, str]] = {"procedure": {}, "modifier": {}, "place_of_service": {}}
_PROCEDURES = _CODE_CACHE["procedure"]
_MODIFIERS = _CODE_CACHE["modifier"]
_POSITIONS = _CODE_CACHE["place_of_service"]


def _normalize(value: object, field: str, kind: str) -> str:
    if type(value) is str:
        cache = _CODE_CACHE[kind]
        hit = cache.get(value)
        if hit is not None:
            return hit
        return _remember(cache, value, normalize_code(value, field=field, kind=kind))
    return normalize_code(value, field=field, kind=kind)


_fromisoformat = _dt.date.fromisoformat
# Raw text -> date, for the dates a batch repeats (service, submission, plan of care:
# a few hundred distinct values). Never birth dates: they are patient data, and hardly
# repeat anyway.
_DATES: dict[str, _dt.date] = {}


def _date(value: object, field: str, *, sensitive: bool = False) -> _dt.date:
    if type(value) is str:
        if not sensitive:
            hit = _DATES.get(value)
            if hit is not None:
                return hit
        # A plain YYYY-MM-DD goes straight to the C parser, twenty times faster than
        # dateutil; anything else (and anything it refuses) takes the general path,
        # which accepts or explains.
        if len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
            try:
                date = _fromisoformat(value)
            except ValueError:
                pass
            else:
                return date if sensitive else _remember(_DATES, value, date)
    return parse_date(value, field=field, sensitive=sensitive)


def _opt_date(value: object, field: str, *, sensitive: bool = False) -> _dt.date | None:
    return None if value is None else _date(value, field, sensitive=sensitive)


def _opt_text(value: object, field: str, *, sensitive: bool = False) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidInputError(field, value, "expected a string", sensitive=sensitive)


def _opt_pos(value: object, field: str) -> str | None:
    if value is None:
        return None
    return _normalize(value, field, "place_of_service")


def _items(value: object, field: str, what: str) -> list[Any] | tuple[Any, ...]:
    # A bare string is refused rather than split: "GO" must not become ("G", "O").
    if isinstance(value, (list, tuple)):
        return value
    raise InvalidInputError(field, value, f"expected a list of {what}")


def _nested(
    from_dict: Callable[[Mapping[Any, Any]], _T],
    kind: type[_T],
    value: object,
    field: str,
    *,
    sensitive: bool = False,
) -> _T:
    """Build a nested object from a mapping, prefixing error paths with ``field``."""
    if isinstance(value, kind):
        return value
    if type(value) is not dict and not isinstance(value, Mapping):
        raise InvalidInputError(field, value, "expected an object", sensitive=sensitive)
    try:
        return from_dict(value)
    except InvalidInputError as exc:
        raise _within(field, exc) from None


def _within(field: str, exc: InvalidInputError) -> InvalidInputError:
    """``exc`` for a value found inside ``field``."""
    return InvalidInputError(f"{field}.{exc.field}", exc.value, exc.reason, sensitive=exc.sensitive)


# ---------------------------------------------------------------------------
# Key checking shared by every from_dict.
# ---------------------------------------------------------------------------


class _DuplicateKey:
    """Marker key :meth:`Claim.from_json` plants in an object that repeated a key.

    ``json.loads`` keeps the last of repeated keys silently; a claim with two
    ``units`` is ambiguous, so the key check reports it with its path instead.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<duplicate key>"


_DUPLICATE = _DuplicateKey()


def _mapping(value: object, field: str, *, sensitive: bool = False) -> Mapping[Any, Any]:
    if type(value) is dict or isinstance(value, Mapping):
        return value
    raise InvalidInputError(field, value, "expected an object", sensitive=sensitive)


def _check_keys(
    data: Mapping[Any, Any], known: frozenset[str], required: tuple[str, ...], order: str
) -> None:
    # The fast path is set operations in C; the loops run only to build a message.
    if not known.issuperset(data):
        for key in data:
            if key is _DUPLICATE:
                raise InvalidInputError(str(data[key]), data[key], "key repeated in a JSON object")
            if key not in known:
                # Quoted unless a plain name, so "first name" or "" still reads as a key.
                name = key if isinstance(key, str) and key.isidentifier() else repr(key)
                raise InvalidInputError(name, key, f"unknown key (the format has: {order})")
    for key in required:
        if data.get(key) is None:
            reason = "required, must not be null" if key in data else "required key is missing"
            raise InvalidInputError(key, None, reason)


def _keys(cls: type[Any]) -> tuple[frozenset[str], str]:
    names = tuple(a.name for a in attrs.fields(cls))
    return frozenset(names), ", ".join(names)


def _money_text(value: Decimal) -> str:
    # "f", not str(): str() switches to exponent notation for Decimal("1E+2").
    return format(value, "f")


def _withheld(value: object) -> str:
    return "None" if value is None else "<withheld>"


# ---------------------------------------------------------------------------
# Patient
# ---------------------------------------------------------------------------


def _patient_id(value: object) -> str | None:
    if value is None or type(value) is str:
        return value
    return _opt_text(value, "id", sensitive=True)


def _birth_date(value: object) -> _dt.date | None:
    return None if value is None else _date(value, "birth_date", sensitive=True)


def _member_id(value: object) -> str | None:
    if value is None or type(value) is str:
        return value
    return _opt_text(value, "member_id", sensitive=True)


# Not patient data (repr and errors show it), and a patient's claims in a batch
# usually carry the same amount.
_YTD_AMOUNTS: dict[str, Decimal | None] = {}


def _therapy_allowed_ytd(value: object) -> Decimal | None:
    return _cached_money(_YTD_AMOUNTS, value, "therapy_allowed_ytd")


@attrs.frozen(kw_only=True, slots=True)
class Patient:
    """Who the services were for. ``id``, ``birth_date`` and ``member_id`` are patient
    data: they never appear in ``repr`` or in error messages.

    ``therapy_allowed_ytd`` is what the payer has already allowed for therapy this
    calendar year (the KX-threshold rule adds this claim's estimate to it).
    Names are not part of the format: the rules never need them.

    >>> p = Patient.from_dict({"id": "P-1", "member_id": "1EG4TE5MK73",
    ...                        "birth_date": "1950-03-01"})
    >>> p
    Patient(id=<withheld>, birth_date=<withheld>, member_id=<withheld>, therapy_allowed_ytd=None)
    >>> p.birth_date
    datetime.date(1950, 3, 1)
    """

    id: str | None = attrs.field(default=None, converter=_patient_id, repr=_withheld)
    birth_date: _dt.date | None = attrs.field(default=None, converter=_birth_date, repr=_withheld)
    member_id: str | None = attrs.field(default=None, converter=_member_id, repr=_withheld)
    therapy_allowed_ytd: Decimal | None = attrs.field(default=None, converter=_therapy_allowed_ytd)

    @classmethod
    def from_dict(cls, data: object) -> Patient:
        """Read the ``patient`` object of the JSON format."""
        if cls is Patient and type(data) is dict:
            return _build_patient(data)
        d = _mapping(data, "patient", sensitive=True)
        _check_keys(d, _PATIENT_KEYS, (), _PATIENT_ORDER)
        return cls(**d)

    def to_dict(self) -> JSON:
        """The ``patient`` object in canonical form."""
        out: JSON = {}
        if self.id is not None:
            out["id"] = self.id
        if self.birth_date is not None:
            out["birth_date"] = self.birth_date.isoformat()
        if self.member_id is not None:
            out["member_id"] = self.member_id
        if self.therapy_allowed_ytd is not None:
            out["therapy_allowed_ytd"] = _money_text(self.therapy_allowed_ytd)
        return out


_PATIENT_KEYS, _PATIENT_ORDER = _keys(Patient)
_PATIENT_SLOTS = _slots(Patient)


def _build_patient(d: dict[str, Any]) -> Patient:
    # Patient.from_dict for a dict, without the generated __init__ (see _make_patient).
    if not _PATIENT_KEYS.issuperset(d):
        _check_keys(d, _PATIENT_KEYS, (), _PATIENT_ORDER)  # raises
    get = d.get
    return _make_patient(get("id"), get("birth_date"), get("member_id"), get("therapy_allowed_ytd"))


def _make_patient(
    patient_id: object, birth_date: object, member_id: object, therapy_allowed_ytd: object
) -> Patient:
    """A patient from its raw field values (absent: ``None``), as ``Patient(...)``
    makes it: the same converters on the same values, in field order, so that the
    first bad value raises the same error (see otcoding._construct). Shared with the
    batch CSV reader, which fills the patient from its cells."""
    set_id, set_birth_date, set_member_id, set_ytd = _PATIENT_SLOTS
    patient = _new(Patient)
    set_id(patient, _patient_id(patient_id))
    set_birth_date(patient, _birth_date(birth_date))
    set_member_id(patient, _member_id(member_id))
    set_ytd(patient, _therapy_allowed_ytd(therapy_allowed_ytd))
    return patient


# ---------------------------------------------------------------------------
# Provider
# ---------------------------------------------------------------------------


def _npi(value: object) -> str | None:
    # Kept as given (leading zeros matter in identifiers); length and the Luhn
    # check digit are a validator's finding, not unusable input.
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return value
    raise InvalidInputError("npi", value, "expected the NPI as a string of digits")


@attrs.frozen(kw_only=True, slots=True)
class Provider:
    """The rendering provider. ``npi`` is a digit string; its check digit is
    verified by the clerical rules, not here.

    >>> Provider.from_dict({"npi": "1234567893"})
    Provider(npi='1234567893')
    """

    npi: str | None = attrs.field(default=None, converter=_npi)

    @classmethod
    def from_dict(cls, data: object) -> Provider:
        """Read the ``provider`` object of the JSON format."""
        if cls is Provider and type(data) is dict:
            return _build_provider(data)
        d = _mapping(data, "provider")
        _check_keys(d, _PROVIDER_KEYS, (), _PROVIDER_ORDER)
        return cls(**d)

    def to_dict(self) -> JSON:
        """The ``provider`` object in canonical form."""
        return {} if self.npi is None else {"npi": self.npi}


_PROVIDER_KEYS, _PROVIDER_ORDER = _keys(Provider)
(_SET_NPI,) = _slots(Provider)


def _build_provider(d: dict[str, Any]) -> Provider:
    # Provider.from_dict for a dict, without the generated __init__ (see _make_provider).
    if not _PROVIDER_KEYS.issuperset(d):
        _check_keys(d, _PROVIDER_KEYS, (), _PROVIDER_ORDER)  # raises
    return _make_provider(d.get("npi"))


# NPI text -> its Provider: a batch comes from a few clinicians, and a Provider is an
# immutable value (not patient data), so claims can share one.
_PROVIDERS: dict[str, Provider] = {}


def _make_provider(npi: object) -> Provider:
    """A provider from its raw ``npi`` (absent: ``None``), as ``Provider(npi=npi)``
    makes it, without the generated __init__ (see otcoding._construct)."""
    if type(npi) is str:
        hit = _PROVIDERS.get(npi)
        if hit is not None:
            return hit
    provider = _new(Provider)
    _SET_NPI(provider, _npi(npi))
    return _remember(_PROVIDERS, npi, provider) if type(npi) is str else provider


# ---------------------------------------------------------------------------
# PlanOfCare
# ---------------------------------------------------------------------------


def _certified_from(value: object) -> _dt.date | None:
    return _opt_date(value, "certified_from")


def _certified_to(value: object) -> _dt.date | None:
    return _opt_date(value, "certified_to")


def _last_progress_report(value: object) -> _dt.date | None:
    return _opt_date(value, "last_progress_report")


def _visits_since_progress_report(value: object) -> int | None:
    return _opt_whole(value, "visits_since_progress_report", None)


@attrs.frozen(kw_only=True, slots=True)
class PlanOfCare:
    """The certified plan of care and progress-report bookkeeping.

    Dates out of order or a span over 90 days are findings of the plan-of-care
    rules, so they parse here.
    """

    certified_from: _dt.date | None = attrs.field(default=None, converter=_certified_from)
    certified_to: _dt.date | None = attrs.field(default=None, converter=_certified_to)
    last_progress_report: _dt.date | None = attrs.field(
        default=None, converter=_last_progress_report
    )
    visits_since_progress_report: int | None = attrs.field(
        default=None, converter=_visits_since_progress_report
    )

    @classmethod
    def from_dict(cls, data: object) -> PlanOfCare:
        """Read the ``plan_of_care`` object of the JSON format."""
        d = _mapping(data, "plan_of_care")
        _check_keys(d, _POC_KEYS, (), _POC_ORDER)
        return cls(**d)

    def to_dict(self) -> JSON:
        """The ``plan_of_care`` object in canonical form."""
        out: JSON = {}
        if self.certified_from is not None:
            out["certified_from"] = self.certified_from.isoformat()
        if self.certified_to is not None:
            out["certified_to"] = self.certified_to.isoformat()
        if self.last_progress_report is not None:
            out["last_progress_report"] = self.last_progress_report.isoformat()
        if self.visits_since_progress_report is not None:
            out["visits_since_progress_report"] = self.visits_since_progress_report
        return out


_POC_KEYS, _POC_ORDER = _keys(PlanOfCare)

# ---------------------------------------------------------------------------
# Authorization
# ---------------------------------------------------------------------------


def _visits_authorized(value: object) -> int | None:
    return _opt_whole(value, "visits_authorized", None)


def _visits_used(value: object) -> int | None:
    return _opt_whole(value, "visits_used", None)


def _valid_from(value: object) -> _dt.date | None:
    return _opt_date(value, "valid_from")


def _valid_to(value: object) -> _dt.date | None:
    return _opt_date(value, "valid_to")


@attrs.frozen(kw_only=True, slots=True)
class Authorization:
    """A payer's prior authorization: visits allowed and the window they cover.

    ``visits_used`` at or over ``visits_authorized`` is a finding of the
    authorization rules, so it parses here.
    """

    visits_authorized: int | None = attrs.field(default=None, converter=_visits_authorized)
    visits_used: int | None = attrs.field(default=None, converter=_visits_used)
    valid_from: _dt.date | None = attrs.field(default=None, converter=_valid_from)
    valid_to: _dt.date | None = attrs.field(default=None, converter=_valid_to)

    @classmethod
    def from_dict(cls, data: object) -> Authorization:
        """Read the ``authorization`` object of the JSON format."""
        d = _mapping(data, "authorization")
        _check_keys(d, _AUTH_KEYS, (), _AUTH_ORDER)
        return cls(**d)

    def to_dict(self) -> JSON:
        """The ``authorization`` object in canonical form."""
        out: JSON = {}
        if self.visits_authorized is not None:
            out["visits_authorized"] = self.visits_authorized
        if self.visits_used is not None:
            out["visits_used"] = self.visits_used
        if self.valid_from is not None:
            out["valid_from"] = self.valid_from.isoformat()
        if self.valid_to is not None:
            out["valid_to"] = self.valid_to.isoformat()
        return out


_AUTH_KEYS, _AUTH_ORDER = _keys(Authorization)

# ---------------------------------------------------------------------------
# ServiceLine
# ---------------------------------------------------------------------------


def _code(value: object) -> str:
    if type(value) is str:
        hit = _PROCEDURES.get(value)
        if hit is not None:
            return hit
    return _normalize(value, "code", "procedure")


def _modifiers(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if type(value) is list else _items(value, "modifiers", "2-character modifiers")
    out = []
    for m in items:
        hit = _MODIFIERS.get(m) if type(m) is str else None
        if hit is None:
            break
        out.append(hit)
    else:
        return tuple(out)
    # A modifier not seen before: the indexed field name is built only now.
    return tuple([_normalize(m, f"modifiers[{i}]", "modifier") for i, m in enumerate(items)])


def _units(value: object) -> int:
    if type(value) is int and 0 <= value <= MAX_UNITS:
        return value
    return _whole(value, "units", MAX_UNITS)


def _minutes(value: object) -> int | None:
    if value is None or (type(value) is int and 0 <= value <= MAX_MINUTES):
        return value
    return _whole(value, "minutes", MAX_MINUTES)


def _date_of_service(value: object) -> _dt.date:
    # _date's cache hit, without the call: every line has a date of service.
    if type(value) is str:
        hit = _DATES.get(value)
        if hit is not None:
            return hit
    return _date(value, "date_of_service")


def _diagnosis_pointers(value: object) -> tuple[int, ...]:
    if value is None:
        return ()
    items = (
        value
        if type(value) is list
        else _items(value, "diagnosis_pointers", "1-based diagnosis positions")
    )
    # A plain loop: all() over a generator costs more than the one or two pointers a
    # line has.
    for p in items:
        if type(p) is not int or p < 1:
            break
    else:
        return tuple(items)
    return tuple(
        [_whole(p, f"diagnosis_pointers[{i}]", None, minimum=1) for i, p in enumerate(items)]
    )


# Raw text -> amount: a batch's charges are a few dozen fee-schedule amounts.
_CHARGES: dict[str, Decimal | None] = {}


def _charge(value: object) -> Decimal | None:
    return _cached_money(_CHARGES, value, "charge")


def _assistant_minutes(value: object) -> int | None:
    if value is None or (type(value) is int and 0 <= value <= MAX_MINUTES):
        return value
    return _whole(value, "assistant_minutes", MAX_MINUTES)


def _line_pos(value: object) -> str | None:
    # Most lines leave it to the claim's.
    return None if value is None else _normalize(value, "place_of_service", "place_of_service")


def _not_over_minutes(line: ServiceLine, attribute: object, value: int | None) -> None:
    if value is not None and line.minutes is not None and value > line.minutes:
        raise InvalidInputError(
            "assistant_minutes",
            value,
            f"expected at most the line's minutes ({line.minutes})",
        )


@attrs.frozen(kw_only=True, slots=True)
class ServiceLine:
    """One billed service: a code, its units and the date it was given.

    ``minutes`` is the treatment time the units rest on (needed by the 8-minute
    rule for timed codes). ``assistant_minutes`` is the part of those minutes an
    OT assistant furnished, so it cannot exceed ``minutes``.
    ``diagnosis_pointers`` are 1-based positions in ``Claim.diagnoses``.
    ``place_of_service`` overrides the claim's for this line
    (see :meth:`Claim.effective_pos`).

    Modifiers keep their order and any repetition: the first modifier is the
    pricing one on a CMS-1500, and a repeated modifier is a finding, not a parse
    error.

    >>> line = ServiceLine(code="97110", units="2", date_of_service="2026-03-02",
    ...                    modifiers=["go"])
    >>> line.units, line.modifiers, line.date_of_service
    (2, ('GO',), datetime.date(2026, 3, 2))
    """

    code: str = attrs.field(converter=_code)
    modifiers: tuple[str, ...] = attrs.field(default=(), converter=_modifiers)
    units: int = attrs.field(converter=_units)
    minutes: int | None = attrs.field(default=None, converter=_minutes)
    date_of_service: _dt.date = attrs.field(converter=_date_of_service)
    diagnosis_pointers: tuple[int, ...] = attrs.field(default=(), converter=_diagnosis_pointers)
    charge: Decimal | None = attrs.field(default=None, converter=_charge)
    assistant_minutes: int | None = attrs.field(
        default=None, converter=_assistant_minutes, validator=_not_over_minutes
    )
    place_of_service: str | None = attrs.field(default=None, converter=_line_pos)

    @classmethod
    def from_dict(cls, data: object) -> ServiceLine:
        """Read one object of the ``lines`` list of the JSON format."""
        if cls is ServiceLine and type(data) is dict:
            return _build_line(data)
        d = _mapping(data, "line")
        _check_keys(d, _LINE_KEYS, _LINE_REQUIRED, _LINE_ORDER)
        return cls(**d)

    def to_dict(self) -> JSON:
        """The line in canonical form."""
        out: JSON = {"code": self.code}
        if self.modifiers:
            out["modifiers"] = list(self.modifiers)
        out["units"] = self.units
        if self.minutes is not None:
            out["minutes"] = self.minutes
        out["date_of_service"] = self.date_of_service.isoformat()
        if self.diagnosis_pointers:
            out["diagnosis_pointers"] = list(self.diagnosis_pointers)
        if self.charge is not None:
            out["charge"] = _money_text(self.charge)
        if self.assistant_minutes is not None:
            out["assistant_minutes"] = self.assistant_minutes
        if self.place_of_service is not None:
            out["place_of_service"] = self.place_of_service
        return out


_LINE_KEYS, _LINE_ORDER = _keys(ServiceLine)
_LINE_REQUIRED = ("code", "units", "date_of_service")
_LINE_SLOTS = _slots(ServiceLine)


def _build_line(d: dict[str, Any]) -> ServiceLine:
    # ServiceLine.from_dict for a dict, once per line of a batch: ServiceLine(**d)
    # without the generated __init__ (see otcoding._construct and _make_line).
    get = d.get
    code = get("code")
    units = get("units")
    date_of_service = get("date_of_service")
    if code is None or units is None or date_of_service is None or not _LINE_KEYS.issuperset(d):
        _check_keys(d, _LINE_KEYS, _LINE_REQUIRED, _LINE_ORDER)  # raises
    line = _make_line(
        code,
        get("modifiers", ()),
        units,
        get("minutes"),
        date_of_service,
        get("diagnosis_pointers", ()),
        get("charge"),
        get("assistant_minutes"),
        get("place_of_service"),
    )
    if line is None:
        # attrs runs _not_over_minutes after the last converter, and not at all while
        # validators are disabled: let it.
        return ServiceLine(**d)
    return line


def _make_line(
    code: object,
    modifiers: object,
    units: object,
    minutes: object,
    date_of_service: object,
    diagnosis_pointers: object,
    charge: object,
    assistant_minutes: object,
    place_of_service: object,
) -> ServiceLine | None:
    """A line from its raw field values (absent: ``None``, or ``()`` for the lists).

    What ``ServiceLine(**d)`` makes of the same values, minus the key checks: each
    field goes through its converter in field order, so that the first bad value
    raises the same error, except that the converters' own fast paths are repeated
    inline (on common values a call per field would cost about as much as the rest
    of the line). ``None`` when the assistant minutes exceed the minutes: only the
    attrs validator may judge that (see :func:`_build_line`).

    Shared by :func:`_build_line` and the batch CSV reader, which fills lines from
    its cells without a dict per line.
    """
    (
        set_code,
        set_modifiers,
        set_units,
        set_minutes,
        set_date_of_service,
        set_diagnosis_pointers,
        set_charge,
        set_assistant_minutes,
        set_place_of_service,
    ) = _LINE_SLOTS
    line = _new(ServiceLine)
    # "hit or convert": cache hits are never empty strings; a falsy Decimal("0.00")
    # just takes the converter, which finds it in the cache too.
    set_code(line, (type(code) is str and _PROCEDURES.get(code)) or _code(code))
    set_modifiers(line, _modifiers(modifiers))
    set_units(line, units if type(units) is int and 0 <= units <= MAX_UNITS else _units(units))
    mins = (
        minutes
        if minutes is None or (type(minutes) is int and 0 <= minutes <= MAX_MINUTES)
        else _minutes(minutes)
    )
    set_minutes(line, mins)
    set_date_of_service(
        line,
        (type(date_of_service) is str and _DATES.get(date_of_service))
        or _date_of_service(date_of_service),
    )
    set_diagnosis_pointers(line, _diagnosis_pointers(diagnosis_pointers))
    if charge is not None:
        charge = (type(charge) is str and _CHARGES.get(charge)) or _charge(charge)
    set_charge(line, charge)
    assistant = (
        assistant_minutes
        if assistant_minutes is None
        or (type(assistant_minutes) is int and 0 <= assistant_minutes <= MAX_MINUTES)
        else _assistant_minutes(assistant_minutes)
    )
    if assistant is not None and mins is not None and assistant > mins:
        return None
    set_assistant_minutes(line, assistant)
    set_place_of_service(line, None if place_of_service is None else _line_pos(place_of_service))
    return line


def _dated(line: ServiceLine, date_of_service: str) -> ServiceLine:
    """``line`` on another date of service (a text, converted as :func:`_make_line` does).

    For the batch CSV reader, whose rows repeat a few hundred lines on many dates:
    every other field is already a model value, and none of them depends on the
    date, so only the date is converted (and may raise).
    """
    on = _DATES.get(date_of_service) or _date_of_service(date_of_service)
    new = _new(ServiceLine)
    # The slots in field order, one call each: a loop over the slot descriptors made a
    # whole audit do 3 % more instructions (valgrind), as many lines come here.
    slot = _LINE_SLOTS
    slot[0](new, line.code)
    slot[1](new, line.modifiers)
    slot[2](new, line.units)
    slot[3](new, line.minutes)
    slot[4](new, on)
    slot[5](new, line.diagnosis_pointers)
    slot[6](new, line.charge)
    slot[7](new, line.assistant_minutes)
    slot[8](new, line.place_of_service)
    return new


# ---------------------------------------------------------------------------
# Claim
# ---------------------------------------------------------------------------


def _claim_id(value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value
    raise InvalidInputError("claim_id", value, "expected a non-empty string")


def _payer(value: object) -> str:
    if type(value) is str and value in PAYERS:
        return value
    if isinstance(value, str):
        payer = value.strip().lower()
        if payer in PAYERS:
            return payer
    raise InvalidInputError("payer", value, f"expected one of {', '.join(PAYERS)}")


def _patient(value: object) -> Patient | None:
    if value is None:
        return None
    return _nested(Patient.from_dict, Patient, value, "patient", sensitive=True)


def _provider(value: object) -> Provider | None:
    if value is None:
        return None
    return _nested(Provider.from_dict, Provider, value, "provider")


def _diagnoses(value: object) -> tuple[str, ...]:
    # Upper-cased but not otherwise reshaped: whether "I69.351" is a valid
    # ICD-10-CM code is the clerical rules' finding. Order matters (pointers refer
    # to positions), so duplicates are kept too.
    if value is None:
        return ()
    items = _items(value, "diagnoses", "ICD-10-CM codes")
    key = tuple(items)
    try:
        hit = _DIAGNOSES.get(key)
    except TypeError:  # an unhashable item: the loop below says what is wrong with it
        hit = None
    if hit is not None:
        return hit
    out = []
    for i, code in enumerate(items):
        if not isinstance(code, str):
            raise InvalidInputError(f"diagnoses[{i}]", code, "expected an ICD-10-CM code string")
        out.append(code.strip().upper())
    return _remember(_DIAGNOSES, key, tuple(out))


# Raw diagnoses -> as the claim holds them: a batch's claims repeat a few hundred lists
# of codes (codes only: nothing says whose they are).
_DIAGNOSES: dict[tuple[Any, ...], tuple[str, ...]] = {}


def _claim_pos(value: object) -> str | None:
    return _opt_pos(value, "place_of_service")


def _submitted_on(value: object) -> _dt.date | None:
    return _opt_date(value, "submitted_on")


def _plan_of_care(value: object) -> PlanOfCare | None:
    if value is None:
        return None
    return _nested(PlanOfCare.from_dict, PlanOfCare, value, "plan_of_care")


def _authorization(value: object) -> Authorization | None:
    if value is None:
        return None
    return _nested(Authorization.from_dict, Authorization, value, "authorization")


def _lines(value: object) -> tuple[ServiceLine, ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise InvalidInputError("lines", value, "expected a non-empty list of service lines")
    out = []
    for item in value:
        if type(item) is dict:
            # _nested's work, with the indexed path built only for an error.
            try:
                out.append(_build_line(item))
            except InvalidInputError as exc:
                raise _within(f"lines[{len(out)}]", exc) from None
        elif isinstance(item, ServiceLine):
            out.append(item)
        else:
            out.append(_nested(ServiceLine.from_dict, ServiceLine, item, f"lines[{len(out)}]"))
    return tuple(out)


def _duplicate_hook(pairs: list[tuple[str, Any]]) -> dict[Any, Any]:
    out: dict[Any, Any] = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                out[_DUPLICATE] = key
                break
            seen.add(key)
    return out


@attrs.frozen(kw_only=True, slots=True)
class Claim:
    """One claim: who billed which services, for whom, under which plan of care.

    Construct it with :meth:`from_dict` / :meth:`from_json` from the JSON
    format, or directly; the constructor converts and checks every field the same
    way (``patient`` etc. accept a mapping, ``lines`` a list of mappings or
    :class:`ServiceLine`). ``repr`` never shows patient data.
    """

    claim_id: str = attrs.field(converter=_claim_id)
    payer: str = attrs.field(converter=_payer)
    patient: Patient | None = attrs.field(default=None, converter=_patient)
    provider: Provider | None = attrs.field(default=None, converter=_provider)
    diagnoses: tuple[str, ...] = attrs.field(default=(), converter=_diagnoses)
    place_of_service: str | None = attrs.field(default=None, converter=_claim_pos)
    submitted_on: _dt.date | None = attrs.field(default=None, converter=_submitted_on)
    plan_of_care: PlanOfCare | None = attrs.field(default=None, converter=_plan_of_care)
    authorization: Authorization | None = attrs.field(default=None, converter=_authorization)
    lines: tuple[ServiceLine, ...] = attrs.field(converter=_lines)

    @classmethod
    def from_dict(cls, data: object) -> Claim:
        """Read a claim in the JSON format (a ``dict`` as ``json.loads`` returns it).

        Raises:
            InvalidInputError: for anything that is not a claim in the format,
                naming the path of the first bad value (and the value, unless it
                is patient data). Nothing else escapes, whatever ``data`` is.
        """
        if cls is Claim and type(data) is dict:
            return _build_claim(data)
        d = _mapping(data, "claim", sensitive=True)
        _check_keys(d, _CLAIM_KEYS, _CLAIM_REQUIRED, _CLAIM_ORDER)
        return cls(**d)

    @classmethod
    def from_json(cls, text: str | bytes) -> Claim:
        """Parse a claim from JSON text.

        Unlike ``json.loads``, a key repeated within an object is an error rather
        than silently keeping the last value.

        >>> Claim.from_json('{"claim_id": "C-1", "payer": "medicare", "lines": []}')
        Traceback (most recent call last):
        ...
        otcoding.errors.InvalidInputError: lines: expected a non-empty list of service lines, got []
        """
        reason = None
        try:
            data = json.loads(text, object_pairs_hook=_duplicate_hook)
        except (ValueError, TypeError, RecursionError) as exc:
            # The text is withheld (it may hold patient data); the parser's message
            # says where it broke.
            reason = f"not valid JSON ({exc})" if isinstance(exc, ValueError) else "not JSON text"
        if reason is not None:
            # Raised outside the except block so that the decoder's error, which holds
            # the whole document, is not kept as __context__ for a reporter to find.
            raise InvalidInputError("claim", None, reason, sensitive=True)
        return cls.from_dict(data)

    def to_dict(self) -> JSON:
        """The claim in canonical JSON form (see the module docstring)."""
        out: JSON = {"claim_id": self.claim_id, "payer": self.payer}
        if self.patient is not None:
            out["patient"] = self.patient.to_dict()
        if self.provider is not None:
            out["provider"] = self.provider.to_dict()
        if self.diagnoses:
            out["diagnoses"] = list(self.diagnoses)
        if self.place_of_service is not None:
            out["place_of_service"] = self.place_of_service
        if self.submitted_on is not None:
            out["submitted_on"] = self.submitted_on.isoformat()
        if self.plan_of_care is not None:
            out["plan_of_care"] = self.plan_of_care.to_dict()
        if self.authorization is not None:
            out["authorization"] = self.authorization.to_dict()
        out["lines"] = [line.to_dict() for line in self.lines]
        return out

    def to_json(self, *, indent: int | None = None) -> str:
        """The claim as JSON text (canonical form)."""
        return json.dumps(self.to_dict(), indent=indent)

    def effective_pos(self, line: ServiceLine | int) -> str | None:
        """The place of service that applies to a line (a line or its index):
        the line's own, else the claim's, else ``None``.

        >>> c = Claim(claim_id="C-1", payer="medicare", place_of_service="11",
        ...           lines=[{"code": "97530", "units": 1, "date_of_service": "2026-03-02"},
        ...                  {"code": "97530", "units": 1, "date_of_service": "2026-03-03",
        ...                   "place_of_service": "02"}])
        >>> c.effective_pos(0), c.effective_pos(c.lines[1])
        ('11', '02')
        """
        if isinstance(line, int):
            line = self.lines[line]
        return line.place_of_service or self.place_of_service

    @property
    def dates_of_service(self) -> tuple[_dt.date, ...]:
        """The distinct dates of service, earliest first."""
        return tuple(sorted({line.date_of_service for line in self.lines}))

    def _repr_html_(self) -> str:
        # Jupyter: the lines as a table; patient data stays out as in repr.
        head = (
            "<tr><th>#</th><th>date</th><th>code</th><th>modifiers</th><th>units</th>"
            "<th>minutes</th><th>charge</th><th>POS</th></tr>"
        )
        rows = []
        for i, line in enumerate(self.lines):
            cells = (
                str(i),
                line.date_of_service.isoformat(),
                line.code,
                " ".join(line.modifiers),
                str(line.units),
                "" if line.minutes is None else str(line.minutes),
                "" if line.charge is None else _money_text(line.charge),
                self.effective_pos(line) or "",
            )
            rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
        return (
            f"<div><strong>Claim {escape(self.claim_id)}</strong> ({escape(self.payer)}, "
            f"{len(self.lines)} line{'s' if len(self.lines) != 1 else ''})"
            f"<table>{head}{''.join(rows)}</table></div>"
        )


_CLAIM_KEYS, _CLAIM_ORDER = _keys(Claim)
_CLAIM_REQUIRED = ("claim_id", "payer", "lines")
_CLAIM_SLOTS = _slots(Claim)


def _build_claim(d: dict[str, Any]) -> Claim:
    # Claim.from_dict for a dict, without the generated __init__ (see
    # otcoding._construct): the same converters on the same values, in field order, so
    # that the first bad value raises the same error; the cache lookups the converters
    # start with are inlined.
    get = d.get
    claim_id = get("claim_id")
    payer = get("payer")
    lines = get("lines")
    if claim_id is None or payer is None or lines is None or not _CLAIM_KEYS.issuperset(d):
        _check_keys(d, _CLAIM_KEYS, _CLAIM_REQUIRED, _CLAIM_ORDER)  # raises
    (
        set_claim_id,
        set_payer,
        set_patient,
        set_provider,
        set_diagnoses,
        set_place_of_service,
        set_submitted_on,
        set_plan_of_care,
        set_authorization,
        set_lines,
    ) = _CLAIM_SLOTS
    claim = _new(Claim)
    set_claim_id(claim, _claim_id(claim_id))
    set_payer(claim, payer if type(payer) is str and payer in PAYERS else _payer(payer))
    # Already model values when the batch CSV reader filled them (see io.batch_csv).
    patient = get("patient")
    set_patient(claim, patient if type(patient) is Patient else _patient(patient))
    provider = get("provider")
    set_provider(claim, provider if type(provider) is Provider else _provider(provider))
    set_diagnoses(claim, _diagnoses(get("diagnoses", ())))
    pos = get("place_of_service")
    if pos is not None:
        pos = (type(pos) is str and _POSITIONS.get(pos)) or _claim_pos(pos)
    set_place_of_service(claim, pos)
    submitted_on = get("submitted_on")
    if submitted_on is not None:
        submitted_on = (type(submitted_on) is str and _DATES.get(submitted_on)) or _submitted_on(
            submitted_on
        )
    set_submitted_on(claim, submitted_on)
    plan_of_care = get("plan_of_care")
    set_plan_of_care(claim, None if plan_of_care is None else _plan_of_care(plan_of_care))
    authorization = get("authorization")
    set_authorization(claim, None if authorization is None else _authorization(authorization))
    set_lines(claim, _lines(lines))
    return claim
