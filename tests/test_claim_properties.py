"""Properties of the claim model over generated claims (see tests/strategies.py)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    CSV_COLUMNS,
    SENTINEL_BIRTH_DATE,
    SENTINEL_MEMBER_ID,
    SENTINEL_PATIENT_ID,
    TODAY,
    Broken,
    batch_rows,
    claim_dicts,
    field_soup_claims,
    invalid_claim_dicts,
    npi_check_digit,
)

from otcoding.claim import Claim
from otcoding.errors import InvalidInputError

SENTINELS = (SENTINEL_MEMBER_ID, SENTINEL_BIRTH_DATE, SENTINEL_PATIENT_ID)
# Generating whole claims is slower than hypothesis' default budget expects.
claims_settings = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@claims_settings
@given(claim_dicts())
def test_round_trip_is_exact(d: dict[str, Any]) -> None:
    out = Claim.from_dict(d).to_dict()
    assert out == d
    assert json.dumps(out) == json.dumps(d)  # key order too, at every level


@claims_settings
@given(claim_dicts(full=True))
def test_json_text_round_trip(d: dict[str, Any]) -> None:
    claim = Claim.from_dict(d)
    assert Claim.from_json(claim.to_json()) == claim
    assert json.loads(claim.to_json()) == d


@claims_settings
@given(claim_dicts(sentinels=True))
def test_repr_never_shows_patient_data(d: dict[str, Any]) -> None:
    claim = Claim.from_dict(d)
    shown = repr(claim) + claim._repr_html_()
    for secret in SENTINELS:
        assert secret not in shown


@claims_settings
@given(invalid_claim_dicts(sentinels=True))
def test_one_defect_is_reported_at_its_path(broken: Broken) -> None:
    with pytest.raises(InvalidInputError) as info:
        Claim.from_dict(broken.data)
    exc, message = info.value, str(info.value)
    assert exc.field == broken.path, (broken.description, broken.value, message)
    assert message.startswith(f"{broken.path}: ")
    for secret in SENTINELS:
        assert secret not in message
    if broken.sensitive:
        assert exc.value is None
        assert "withheld" in message
    elif broken.description == "bad value":
        assert exc.value is broken.value
        assert repr(broken.value) in message


def parse(data: Any) -> Claim | InvalidInputError:
    """The claim, or the InvalidInputError; anything else propagates and fails."""
    try:
        return Claim.from_dict(data)
    except InvalidInputError as exc:
        return exc


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(field_soup_claims())
def test_any_field_soup_parses_or_raises_invalid_input(data: Any) -> None:
    result = parse(data)
    if isinstance(result, InvalidInputError):
        assert str(result).startswith(f"{result.field}: ")
        return
    # Whatever was accepted is canonicalised once and for all.
    canonical = result.to_dict()
    assert Claim.from_dict(canonical) == result
    assert Claim.from_dict(canonical).to_dict() == canonical
    assert Claim.from_json(result.to_json()) == result


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=50))
def test_any_text_parses_or_raises_invalid_input(text: str | bytes) -> None:
    with contextlib.suppress(InvalidInputError):
        Claim.from_json(text)


@given(st.text(max_size=14))
def test_any_date_text_parses_or_raises_invalid_input(text: str) -> None:
    d = {
        "claim_id": "C",
        "payer": "medicare",
        "lines": [{"code": "97110", "units": 1, "date_of_service": text}],
    }
    result = parse(d)
    if isinstance(result, InvalidInputError):
        assert result.field == "lines[0].date_of_service"
    else:
        assert result.lines[0].date_of_service.isoformat() == text.strip()


@claims_settings
@given(batch_rows())
def test_batch_rows_have_every_column_as_text(rows: list[dict[str, str]]) -> None:
    assert rows
    for row in rows:
        assert tuple(row) == CSV_COLUMNS
        assert all(isinstance(v, str) for v in row.values())


def test_npi_check_digit_matches_cms_example() -> None:
    # CMS's worked example: 123456789 -> check digit 3.
    assert npi_check_digit("123456789") == "3"


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(claim_dicts(full=True) | claim_dicts())
def test_generated_claims_are_clean(d: dict[str, Any]) -> None:
    # The strategy promises clean claims so that rule tests can add one defect and
    # expect one finding; if this fails, either a rule or the strategy is wrong.
    from otcoding.rulesets import for_payer

    claim = Claim.from_dict(d)
    report = for_payer(claim.payer, today=TODAY).check(claim)
    assert report.findings == (), [(f.rule_id, f.message) for f in report.findings]


class _ReadOnly(Mapping[str, Any]):
    """A Mapping that is not a dict, shown as the dict it wraps (errors quote values)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)


def _as_mapping(value: Any) -> Any:
    """The same data with every dict a read-only Mapping, which from_dict reads the slow way."""
    if isinstance(value, dict):
        return _ReadOnly({k: _as_mapping(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_as_mapping(v) for v in value]
    return value


def _outcome(data: Any) -> tuple[str, Any]:
    try:
        claim = Claim.from_dict(data)
    except InvalidInputError as exc:
        return ("error", (exc.field, str(exc), exc.sensitive))
    return ("claim", (claim.to_dict(), hash(claim), claim))


@claims_settings
@given(
    st.one_of(
        claim_dicts(full=True), invalid_claim_dicts().map(lambda b: b.data), field_soup_claims()
    )
)
def test_the_dict_fast_path_matches_the_generic_path(d: Any) -> None:
    # from_dict builds claims from plain dicts without the attrs __init__; any other
    # Mapping takes the generic, validating path. Both must agree on every input.
    assert _outcome(d) == _outcome(_as_mapping(d))
