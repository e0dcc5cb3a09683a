"""Patient data never leaks: not into errors, reprs, findings, reports or logs.

The patient's ``id``, ``birth_date`` and ``member_id`` are protected health
information. A claim system logs errors and reports freely, so none of them may
carry these values, in any spelling. Sentinels below are planted in every field
they belong to, both well-formed (the claim parses and is checked) and malformed
(the parser refuses it), and every text the library produces is searched for them.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import pickle
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from claimfactory import TODAY, clean_claim
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    SENTINEL_BIRTH_DATE,
    SENTINEL_MEMBER_ID,
    SENTINEL_PATIENT_ID,
    flawed_claim_dicts,
    set_path,
)

import otcoding
from otcoding import Claim, InvalidInputError, Patient

# A well-formed MBI (C A AN N A AN N A A N N), so OT-CLER-004 stays quiet on it.
PLAUSIBLE_MBI = "9QX7QX7QX79"
# Member IDs that are not MBIs: OT-CLER-004 fires on each (Medicare), and must not
# quote it. S, L, O, I, B and Z never occur in an MBI.
IMPLAUSIBLE_MEMBER_IDS = (
    "9ZZ9ZZ9ZZ99",  # the right length, forbidden letters
    "9QX7-QX7-QX79",  # dashes
    "9qx7qx7qx79zz",  # too long
    "PHIMEMBER77",  # letters where digits go
    "4417",  # too short
)
BIRTH_DATE = "1901-02-03"
# After every date of service on the claims below: OT-CLER-006 fires.
LATE_BIRTH_DATE = "2031-07-13"
PATIENT_ID = "PHI-SENTINEL-7"

SENTINELS = (
    PLAUSIBLE_MBI,
    *IMPLAUSIBLE_MEMBER_IDS,
    PATIENT_ID,
    SENTINEL_MEMBER_ID,
    SENTINEL_PATIENT_ID,
    SENTINEL_BIRTH_DATE,
    BIRTH_DATE,
    LATE_BIRTH_DATE,
)


def _spellings(value: str) -> set[str]:
    """The ways a value can show up in text: as given, folded, and, for a date,
    in the formats a message or a US form would use."""
    out = {value, value.upper(), value.lower(), value.replace("-", "")}
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return {s for s in out if len(s) >= 4}
    out |= {
        day.strftime("%m/%d/%Y"),
        day.strftime("%d/%m/%Y"),
        day.strftime("%Y%m%d"),
        day.strftime("%B %d, %Y").replace(" 0", " "),
        day.strftime("%b %d, %Y"),
        repr(day),
        f"{day.year}, {day.month}, {day.day}",  # datetime.date(1901, 2, 3)
    }
    return out


NEEDLES = {s for value in SENTINELS for s in _spellings(value)}


def assert_clean(text: object, where: str = "") -> None:
    """No sentinel, in any spelling, in ``text``."""
    shown = text if isinstance(text, str) else repr(text)
    leaked = sorted(n for n in NEEDLES if n.lower() in shown.lower())
    assert not leaked, f"patient data {leaked} leaked into {where or 'text'}: {shown[:500]!r}"


def assert_error_clean(exc: BaseException) -> None:
    """The error, its chain and its traceback as a logger would print it.

    The chain is followed as ``traceback`` and logging follow it: a context that
    ``raise ... from None`` suppressed is not shown, so it is not searched here
    (see ``test_suppressed_context_keeps_no_patient_data``).
    """
    seen = 0
    node: BaseException | None = exc
    while node is not None and seen < 10:
        assert_clean(str(node), "str(error)")
        assert_clean(repr(node), "repr(error)")
        assert_clean(repr(node.args), "error.args")
        for attr in ("field", "value", "reason"):
            assert_clean(repr(getattr(node, attr, None)), f"error.{attr}")
        node = node.__cause__ or (None if node.__suppress_context__ else node.__context__)
        seen += 1
    assert_clean("".join(traceback.format_exception(exc)), "traceback")
    again = pickle.loads(pickle.dumps(exc))
    assert_clean(str(again), "unpickled error")


def _mbi_claim(member_id: str, **patient: Any) -> dict[str, Any]:
    claim = clean_claim()
    claim["patient"].update(id=PATIENT_ID, member_id=member_id, **patient)
    return claim


# --- malformed values: the parser's errors -------------------------------------------

MALFORMED: tuple[tuple[str, Any], ...] = (
    # (path, bad value carrying a sentinel)
    ("patient.member_id", int("9009009009")),
    ("patient.member_id", [PLAUSIBLE_MBI]),
    ("patient.member_id", ["9ZZ9ZZ9ZZ99", None]),
    ("patient.member_id", {"mbi": PLAUSIBLE_MBI}),
    ("patient.member_id", (PLAUSIBLE_MBI,)),
    ("patient.birth_date", "1901-02-30"),
    ("patient.birth_date", "02/03/1901"),
    ("patient.birth_date", "1901-02-03T00:00:00"),
    ("patient.birth_date", " 1901-2-3 "),
    ("patient.birth_date", 19010203),
    ("patient.birth_date", dt.datetime(1901, 2, 3, 0, 0)),
    ("patient.birth_date", [BIRTH_DATE]),
    ("patient.birth_date", PATIENT_ID),
    ("patient.id", 9009009009),
    ("patient.id", [PATIENT_ID]),
    ("patient.id", {"id": PATIENT_ID}),
    ("patient", PATIENT_ID),
    ("patient", [PATIENT_ID, BIRTH_DATE, PLAUSIBLE_MBI]),
    ("patient", f"{PATIENT_ID},{BIRTH_DATE},{PLAUSIBLE_MBI}"),
)


@pytest.mark.parametrize(("path", "value"), MALFORMED, ids=lambda v: repr(v)[:30])
def test_malformed_patient_data_is_withheld_from_errors(path: str, value: Any) -> None:
    # The other patient fields carry sentinels too, so an error naming the wrong
    # field's value would show.
    data = set_path(_mbi_claim(PLAUSIBLE_MBI, birth_date=BIRTH_DATE), path, value)
    with pytest.raises(InvalidInputError) as info:
        Claim.from_dict(data)
    exc = info.value
    assert exc.field.startswith("patient"), exc.field
    assert exc.sensitive
    assert exc.value is None
    assert "withheld" in str(exc)
    assert_error_clean(exc)


@pytest.mark.parametrize(("path", "value"), MALFORMED[:-3], ids=lambda v: repr(v)[:30])
def test_patient_from_dict_and_constructor_withhold_too(path: str, value: Any) -> None:
    key = path.split(".", 1)[1]
    for build in (lambda: Patient.from_dict({key: value}), lambda: Patient(**{key: value})):
        with pytest.raises(InvalidInputError) as info:
            build()
        assert info.value.value is None
        assert_error_clean(info.value)


@pytest.mark.parametrize(
    "data",
    [
        PATIENT_ID,
        [PLAUSIBLE_MBI],
        (BIRTH_DATE,),
        12345,
        None,
    ],
)
def test_a_claim_that_is_not_an_object_is_withheld(data: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        Claim.from_dict(data)
    assert_error_clean(info.value)


@pytest.mark.parametrize(
    "text",
    [
        # Broken JSON around patient data: the parser's message must not quote it.
        '{"claim_id": "C-1", "patient": {"member_id": "9QX7QX7QX79", "id": PHI-SENTINEL-7}}',
        '{"patient": {"birth_date": "1901-02-03"}, ',
        '["9ZZ9ZZ9ZZ99"',
        b'{"patient": {"id": "PHI-SENTINEL-7\xff"}}',
        '{"claim_id": "C-1", "payer": "medicare", "patient": {"member_id": "9QX7QX7QX79", '
        '"member_id": "9ZZ9ZZ9ZZ99"}, "lines": []}',
    ],
)
def test_unreadable_json_with_patient_data_is_withheld(text: str | bytes) -> None:
    with pytest.raises(InvalidInputError) as info:
        Claim.from_json(text)
    assert_error_clean(info.value)


def test_suppressed_context_keeps_no_patient_data() -> None:
    # Hidden from tracebacks, but still reachable by error reporters that walk
    # __context__ or pickle the exception's attributes.
    with pytest.raises(InvalidInputError) as info:
        Claim.from_json(b'{"patient": {"id": "PHI-SENTINEL-7\xff"}}')
    context = info.value.__context__
    assert context is None or not any(
        PATIENT_ID in repr(v) for v in (context.args, *vars(context).values())
    )


def test_other_errors_on_a_claim_with_patient_data_do_not_show_it() -> None:
    # A bad line, an unknown key and a missing key on claims whose patient block is
    # full of sentinels: the errors concern other fields and must stay there.
    base = _mbi_claim(PLAUSIBLE_MBI, birth_date=BIRTH_DATE)
    variants = [
        set_path(base, "lines[0].units", -1),
        set_path(base, "lines[1].code", "9753"),
        set_path(base, "patient.first_name", "Jane"),
        set_path(base, "notes", {"member": PLAUSIBLE_MBI}),
        {k: v for k, v in base.items() if k != "payer"},
    ]
    for data in variants:
        with pytest.raises(InvalidInputError) as info:
            Claim.from_dict(data)
        assert_error_clean(info.value)


def test_unknown_key_holding_patient_data_is_not_echoed() -> None:
    # A host that pastes a whole patient record in: the key is named, its value not.
    data = clean_claim()
    data["patient"]["mbi"] = PLAUSIBLE_MBI
    with pytest.raises(InvalidInputError) as info:
        Claim.from_dict(data)
    assert info.value.field == "patient.mbi"
    assert_error_clean(info.value)


# --- reprs -------------------------------------------------------------------------


def _planted() -> Iterator[Claim]:
    for member_id in (PLAUSIBLE_MBI, *IMPLAUSIBLE_MEMBER_IDS):
        for birth in (BIRTH_DATE, LATE_BIRTH_DATE):
            yield Claim.from_dict(_mbi_claim(member_id, birth_date=birth))


def test_reprs_and_strs_withhold_patient_data() -> None:
    for claim in _planted():
        patient = claim.patient
        assert patient is not None
        # The data is there (the claim is usable) ...
        assert patient.member_id in (PLAUSIBLE_MBI, *IMPLAUSIBLE_MEMBER_IDS)
        assert patient.id == PATIENT_ID
        # ... but no text form of the objects shows it.
        for obj in (claim, patient):
            assert_clean(repr(obj), f"repr({type(obj).__name__})")
            assert_clean(str(obj), f"str({type(obj).__name__})")
            assert_clean(f"{obj!s} {obj!r}", "f-string")
        assert_clean(claim._repr_html_(), "Claim._repr_html_")
        assert_clean(repr(claim.lines), "repr(lines)")
        assert_clean(repr([claim, patient]), "repr of a list")


# --- findings and reports ------------------------------------------------------------


def _report_texts(report: otcoding.Report) -> Iterator[tuple[str, str]]:
    for f in report.findings:
        yield "Finding.message", f.message
        yield "Finding.fix", f.fix or ""
        yield "Finding.source", f.source
        yield "str(Finding)", str(f)
        yield "repr(Finding)", repr(f)
        yield "Finding._repr_html_", f._repr_html_()
    yield "Report.to_dict", json.dumps(report.to_dict())
    yield "str(Report)", str(report)
    yield "repr(Report)", repr(report)
    yield "Report._repr_html_", report._repr_html_()


def _all_reports(data: dict[str, Any]) -> Iterator[otcoding.Report]:
    claim = Claim.from_dict(data)
    yield otcoding.check(data, today=TODAY)
    yield otcoding.check(claim, today=TODAY)
    for ruleset in (otcoding.medicare(), otcoding.commercial(), otcoding.medicaid()):
        yield ruleset.configure(today=TODAY).check(claim)


@pytest.mark.parametrize("member_id", IMPLAUSIBLE_MEMBER_IDS)
def test_member_id_finding_does_not_quote_the_member_id(member_id: str) -> None:
    data = _mbi_claim(member_id, birth_date=BIRTH_DATE)
    report = otcoding.check(data, today=TODAY)
    # The rule did fire: this test is about a real finding's text.
    assert [f.rule_id for f in report.findings] == ["OT-CLER-004"]
    assert "member_id" in report.findings[0].message
    for report in _all_reports(data):
        for where, text in _report_texts(report):
            assert_clean(text, where)


def test_birth_date_finding_does_not_show_the_birth_date() -> None:
    data = _mbi_claim("9ZZ9ZZ9ZZ99", birth_date=LATE_BIRTH_DATE)
    report = otcoding.check(data, today=TODAY)
    by_rule = sorted((f.rule_id, f.line) for f in report.findings)
    # One OT-CLER-006 per line (both are before the birth date), and the bad MBI.
    assert by_rule == [("OT-CLER-004", None), ("OT-CLER-006", 0), ("OT-CLER-006", 1)]
    for report in _all_reports(data):
        assert {"OT-CLER-006"} <= report.rule_ids()
        for where, text in _report_texts(report):
            assert_clean(text, where)


def test_clean_claim_with_plausible_sentinels_passes_and_stays_clean() -> None:
    data = _mbi_claim(PLAUSIBLE_MBI, birth_date=BIRTH_DATE)
    report = otcoding.check(data, today=TODAY)
    assert report.findings == ()
    for where, text in _report_texts(report):
        assert_clean(text, where)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flawed_claim_dicts(max_flaws=5, sentinels=True),
    st.sampled_from((PLAUSIBLE_MBI, *IMPLAUSIBLE_MEMBER_IDS, SENTINEL_MEMBER_ID)),
    st.sampled_from((BIRTH_DATE, LATE_BIRTH_DATE, SENTINEL_BIRTH_DATE)),
)
def test_no_finding_on_any_flawed_claim_shows_patient_data(
    data: dict[str, Any], member_id: str, birth_date: str
) -> None:
    data = copy.deepcopy(data)
    data["patient"].update(id=PATIENT_ID, member_id=member_id, birth_date=birth_date)
    for report in _all_reports(data):
        for where, text in _report_texts(report):
            assert_clean(text, where)


# --- logs -----------------------------------------------------------------------------


def test_nothing_logged_shows_patient_data(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="otcoding")
    caplog.set_level(logging.DEBUG)
    for claim in _planted():
        for ruleset in (otcoding.medicare(), otcoding.commercial(), otcoding.medicaid()):
            ruleset.check(claim)
        otcoding.check(claim.to_dict(), today=TODAY)
    for path, value in MALFORMED:
        with pytest.raises(InvalidInputError):
            Claim.from_dict(set_path(_mbi_claim(PLAUSIBLE_MBI), path, value))
    with pytest.raises(InvalidInputError):
        Claim.from_json('{"patient": {"member_id": "9QX7QX7QX79"')
    for record in caplog.records:
        assert_clean(record.getMessage(), f"log record from {record.name}")
        assert_clean(repr(record.args), f"log record args from {record.name}")
        if record.exc_info:
            assert_clean("".join(traceback.format_exception(*record.exc_info)), "logged error")
    assert_clean(caplog.text, "captured log text")


def test_log_capture_would_see_a_leak(caplog: pytest.LogCaptureFixture) -> None:
    # The check above is only worth something if caplog hears the otcoding loggers.
    caplog.set_level(logging.DEBUG, logger="otcoding")
    logging.getLogger("otcoding.validators.clerical").debug("member %s", PLAUSIBLE_MBI)
    with pytest.raises(AssertionError, match="leaked"):
        assert_clean(caplog.text)


def test_a_bad_birth_date_leaves_no_trace_in_the_error_context() -> None:
    # fromisoformat's ValueError quotes the text; it must not ride along as __context__.
    claim = clean_claim()
    claim["patient"]["birth_date"] = "1901-0A-03"
    with pytest.raises(InvalidInputError) as info:
        Claim.from_dict(claim)
    node: BaseException | None = info.value
    while node is not None:
        assert "1901-0A-03" not in repr(node.args)
        node = node.__context__ or node.__cause__
