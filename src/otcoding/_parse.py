"""Shared input normalisation: codes, dates, whole numbers.

Private: the public modules wrap these with their own field names. Each helper
either returns a clean value or raises :class:`~otcoding.errors.InvalidInputError`
naming the field and the value.

>>> normalize_code(" 97110 ", field="code")
'97110'
>>> normalize_code("go", field="modifier", kind="modifier")
'GO'
>>> parse_date("2026-03-02", field="date_of_service")
datetime.date(2026, 3, 2)
>>> whole_number("4", field="units")
4
"""

from __future__ import annotations

import datetime as _dt
import math
import re

from otcoding.errors import InvalidInputError

__all__ = ["normalize_code", "parse_date", "resolve_on", "whole_number"]

# CPT Category I is five digits; Category II/III and PLA codes end in F, T or U.
_PROCEDURE = re.compile(r"^(?:\d{5}|\d{4}[FTU]|[A-V]\d{4})$")
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")
_POS = re.compile(r"^\d{2}$")
# One optional sign, then at most 9 ASCII digits: int() would accept more than we want.
_WHOLE = re.compile(r"^\s*[+-]?[0-9]{1,9}\s*$")
_PATTERNS = {"procedure": _PROCEDURE, "modifier": _MODIFIER, "place_of_service": _POS}
_EXPECTED = {
    "procedure": "expected a 5-character CPT or HCPCS Level II code such as '97110' or 'L3906'",
    "modifier": "expected a 2-character modifier such as 'GO' or '59'",
    "place_of_service": "expected a 2-digit place-of-service code such as '11'",
}


def normalize_code(value: object, *, field: str, kind: str = "procedure") -> str:
    """Strip and upper-case a code, then check its shape.

    Integers are refused on purpose: ``97110`` as an int would silently lose
    meaning for codes such as ``'02'`` or ``'0552T'``.

    >>> normalize_code("l3906", field="code")
    'L3906'
    >>> normalize_code(97110, field="code")
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: code: expected a 5-character CPT or HCPCS ..., got 97110
    >>> normalize_code("9711O", field="code")
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: code: expected a 5-character CPT or HCPCS ..., got '9711O'
    """
    if not isinstance(value, str):
        raise InvalidInputError(field, value, _EXPECTED[kind])
    text = value.strip().upper()
    if not _PATTERNS[kind].match(text):
        raise InvalidInputError(field, value, _EXPECTED[kind])
    return text


def parse_date(value: object, *, field: str, sensitive: bool = False) -> _dt.date:
    """Parse an ISO 8601 calendar date (``YYYY-MM-DD``) or accept a ``date``.

    A ``datetime`` is refused: a time of day has no meaning for a date of
    service and usually signals a time-zone mistake upstream.

    >>> parse_date(_dt.date(2026, 1, 5), field="on")
    datetime.date(2026, 1, 5)
    >>> parse_date("2026-02-30", field="date_of_service")
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: date_of_service: expected an ISO ..., got '2026-02-30'
    """
    if isinstance(value, _dt.datetime):
        raise InvalidInputError(
            field, value, "expected a date, not a datetime", sensitive=sensitive
        )
    if isinstance(value, _dt.date):
        return value
    reason = "expected an ISO 8601 date YYYY-MM-DD"
    if not isinstance(value, str):
        raise InvalidInputError(field, value, reason, sensitive=sensitive)
    text = value.strip()
    # From 3.11 fromisoformat also takes week dates and compact forms; a claim date is
    # the plain extended calendar form, so check the shape first.
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise InvalidInputError(field, value, reason, sensitive=sensitive)
    try:
        return _dt.date.fromisoformat(text)
    except (ValueError, OverflowError):
        pass
    # Raised outside the except block: the ValueError quotes the text, which may be a
    # birth date, and would otherwise stay reachable as __context__.
    raise InvalidInputError(field, value, reason, sensitive=sensitive)


def resolve_on(on: object, *, field: str = "on") -> _dt.date:
    """The date a lookup is for: ``None`` means today (local date)."""
    if on is None:
        return _dt.date.today()
    return parse_date(on, field=field)


def whole_number(value: object, *, field: str, minimum: int = 0, maximum: int | None = None) -> int:
    """Accept a non-negative whole number given as ``int`` or a digit string.

    ``bool``, floats (even ``2.0``), NaN and fractional strings are refused so that
    a unit or minute count is never silently rounded.

    >>> whole_number(True, field="minutes")
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: minutes: expected a whole number, got True
    >>> whole_number(-1, field="minutes")
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: minutes: expected a whole number of at least 0, got -1
    """
    if isinstance(value, bool):
        raise InvalidInputError(field, value, "expected a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE.match(value):
        number = int(value)
    elif isinstance(value, float) and not math.isnan(value) and not math.isinf(value):
        raise InvalidInputError(field, value, "expected a whole number, not a float")
    else:
        raise InvalidInputError(field, value, "expected a whole number")
    if number < minimum:
        raise InvalidInputError(field, value, f"expected a whole number of at least {minimum}")
    if maximum is not None and number > maximum:
        raise InvalidInputError(field, value, f"expected a whole number of at most {maximum}")
    return number
