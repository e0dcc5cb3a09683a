"""The otcoding exception hierarchy.

Every exception the library raises on bad input or an unknown code derives from
:class:`OTCodingError`, itself a :class:`ValueError`, so a host can catch one class.
Messages name the field and the offending value, except for patient data (member
IDs, birth dates, names), where only the field is named.

>>> from otcoding.errors import InvalidInputError, OTCodingError
>>> err = InvalidInputError("lines[2].units", "2.5", "expected a whole number")
>>> str(err)
"lines[2].units: expected a whole number, got '2.5'"
>>> isinstance(err, OTCodingError) and isinstance(err, ValueError)
True
>>> str(InvalidInputError("patient.member_id", "1EG4TE5MK73", "malformed", sensitive=True))
'patient.member_id: malformed (value withheld: patient data)'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

__all__ = [
    "DataFileError",
    "InvalidInputError",
    "OTCodingError",
    "UnknownCodeError",
]


class OTCodingError(ValueError):
    """Base class of every error otcoding raises for bad input or unknown codes."""


class InvalidInputError(OTCodingError):
    """A value is malformed: wrong type, wrong shape, out of range.

    Attributes:
        field: where the value was found, as a path (``"lines[2].units"``).
        value: the offending value, or ``None`` when it is patient data.
        reason: what was expected.
    """

    def __init__(self, field: str, value: object, reason: str, *, sensitive: bool = False) -> None:
        self.field = field
        self.value = None if sensitive else value
        self.reason = reason
        self.sensitive = sensitive
        if sensitive:
            message = f"{field}: {reason} (value withheld: patient data)"
        else:
            message = f"{field}: {reason}, got {value!r}"
        super().__init__(message)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_invalid, (self.field, self.value, self.reason, self.sensitive))


def _rebuild_invalid(field: str, value: object, reason: str, sensitive: bool) -> InvalidInputError:
    return InvalidInputError(field, value, reason, sensitive=sensitive)


class UnknownCodeError(OTCodingError, LookupError):
    """A code is not in the table, or not in effect on the date asked about.

    Attributes:
        code: the normalised code.
        table: which table was searched (``"procedure"``, ``"modifier"``, ...).
        on: the date asked about, or ``None``.
        effective_from: first day the code was in effect, when it exists at another date.
        effective_to: last day the code was in effect, when it was deleted.
        replaced_by: codes that replaced a deleted code.
    """

    def __init__(
        self,
        code: str,
        *,
        table: str = "procedure",
        on: _dt.date | None = None,
        effective_from: _dt.date | None = None,
        effective_to: _dt.date | None = None,
        replaced_by: Sequence[str] = (),
    ) -> None:
        self.code = code
        self.table = table
        self.on = on
        self.effective_from = effective_from
        self.effective_to = effective_to
        self.replaced_by = tuple(replaced_by)
        super().__init__(self._message())

    def _message(self) -> str:
        when = f" on {self.on.isoformat()}" if self.on else ""
        if self.effective_to is not None and (self.on is None or self.on > self.effective_to):
            deleted = (self.effective_to + _dt.timedelta(days=1)).isoformat()
            text = f"{self.table} code {self.code!r} is not in effect{when}: deleted {deleted}"
            if self.replaced_by:
                text += f", replaced by {', '.join(self.replaced_by)}"
            return text
        if self.effective_from is not None:
            return (
                f"{self.table} code {self.code!r} is not in effect{when}: "
                f"in effect from {self.effective_from.isoformat()}"
            )
        return f"unknown {self.table} code {self.code!r}"

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild_unknown,
            (
                self.code,
                self.table,
                self.on,
                self.effective_from,
                self.effective_to,
                self.replaced_by,
            ),
        )


def _rebuild_unknown(
    code: str,
    table: str,
    on: _dt.date | None,
    effective_from: _dt.date | None,
    effective_to: _dt.date | None,
    replaced_by: tuple[str, ...],
) -> UnknownCodeError:
    return UnknownCodeError(
        code,
        table=table,
        on=on,
        effective_from=effective_from,
        effective_to=effective_to,
        replaced_by=replaced_by,
    )


class DataFileError(OTCodingError):
    """A data file (shipped or supplied by the host) cannot be read.

    Attributes:
        path: the file's name.
        detail: what is wrong (missing column, bad value and its row).
    """

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}")

    def __reduce__(self) -> tuple[object, ...]:
        return (DataFileError, (self.path, self.detail))
