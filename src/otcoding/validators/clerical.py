"""Clerical rules: identifiers, diagnosis codes and pointers, and impossible dates.

These are the errors a clearinghouse or payer front end rejects before anyone reads the
claim (typically X12 CARC 16 with a remark code naming the field, or MA130
"unprocessable"). No message shows patient data: a bad member ID or birth date is named
by its field, never quoted.

What the shape checks do and do not do:

- **NPI** (OT-CLER-001): 10 digits whose last is the Luhn check digit computed as if the
  card-issuer prefix 80840 preceded the first 9 (the CMS NPI check-digit standard). It
  does not ask NPPES whether the number was issued, nor check the first digit (1 or 2).
- **ICD-10-CM** (OT-CLER-002): shape only. A letter (any, U included: U07.1 since
  2020-04-01), a digit, a letter or digit, then optionally a dot and 1 to 4 letters or
  digits (3 to 7 characters without the dot; the dot may be left out, as in 837P files).
  Whether the code exists, is billable (full length) or was in effect on the date of
  service is not checked. Claims for services before 2015-10-01 (ICD-9-CM) are out of
  scope.
- **Pointers** (OT-CLER-003): 1-based positions in ``diagnoses``; each line needs 1 to 4,
  each within the claim's diagnoses and within the 12 a claim can carry (item 21 A-L).
  Medicare's paper-form instruction of one pointer per line is not enforced: the 837P
  takes up to four.
- **MBI** (OT-CLER-004, Medicare only): 11 characters, without dashes, laid out as
  C A AN N A AN N A A N N, where C is 1-9, N is 0-9, A is a letter other than S, L, O, I,
  B and Z, and AN is either. Lower case is accepted (CMS upper-cases it). ``payer:
  "medicare"`` means Original Medicare: Medicare Advantage plans issue their own IDs.
- **Diagnoses** (OT-CLER-007, a warning): a claim needs at least one before it is
  submitted; while none is given the rule says so without blocking the line checks.

A missing optional part (no provider, no patient, no birth date, no member ID, no
``submitted_on``) gives no finding, except the diagnosis list, which every claim needs (a warning).

>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context, Settings
>>> npi_is_valid("1234567893"), npi_is_valid("1234567890")
(True, False)
>>> is_mbi("1EG4TE5MK73"), is_mbi("1EG4-TE5-MK73")
(True, False)
>>> claim = Claim.from_dict({
...     "claim_id": "C-1", "payer": "medicare",
...     "patient": {"member_id": "1EG4-TE5-MK73"}, "diagnoses": ["I69.351"],
...     "lines": [{"code": "97530", "units": 1, "date_of_service": "2026-03-02",
...                "diagnosis_pointers": [2]}]})
>>> ctx = Context(claim, Settings())
>>> for f in (f for rule in RULES for f in rule(claim, ctx)):
...     print(f.rule_id, f.line, f.message)
OT-CLER-003 0 diagnosis pointer 2 points past the claim's 1 diagnosis
OT-CLER-004 None patient.member_id is not a valid MBI
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from otcoding.findings import Severity
from otcoding.validators._core import Context, Problem, Rule, rule

if TYPE_CHECKING:
    from otcoding.claim import Claim

__all__ = [
    "MAX_DIAGNOSES",
    "MAX_POINTERS_PER_LINE",
    "RULES",
    "birth_after_service",
    "date_after_submission_or_today",
    "diagnosis_malformed",
    "icd10cm_shaped",
    "invalid_npi",
    "is_mbi",
    "member_id_not_mbi",
    "no_diagnosis",
    "npi_is_valid",
    "pointer_out_of_range",
]

_NO_PROBLEMS: tuple[Problem, ...] = ()
_FIRST_DIAGNOSIS = (1,)

_ALL_PAYERS = ("medicare", "medicaid", "commercial")

#: Diagnoses a claim can carry (CMS-1500 item 21 A-L; 837P HI segment).
MAX_DIAGNOSES = 12
#: Diagnosis pointers a service line can carry (CMS-1500 item 24E; 837P SV107).
MAX_POINTERS_PER_LINE = 4

# [0-9], not \d: \d matches digits of other scripts too.
_ICD10CM = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?")
_ICD9_LIKE = re.compile(r"[0-9]{3}(?:\.?[0-9]{1,2})?")
_MBI_LETTER = "AC-HJKMNP-RT-Y"  # A-Z without S, L, O, I, B, Z
_MBI = re.compile(
    rf"[1-9][{_MBI_LETTER}][0-9{_MBI_LETTER}][0-9][{_MBI_LETTER}][0-9{_MBI_LETTER}]"
    rf"[0-9][{_MBI_LETTER}][{_MBI_LETTER}][0-9][0-9]"
)
# The 80840 card-issuer prefix adds this to every NPI's Luhn sum (CMS check-digit spec).
_NPI_PREFIX_SUM = 24
# Longest diagnosis value quoted back in a message: anything longer is not a code
# mistyped but something else pasted in (possibly patient data), so it is not echoed.
_MAX_QUOTED = 10


# Identifiers repeat across a clinic's claims (one NPI, a few hundred diagnoses), so the
# checks are cached; lru_cache is bounded and thread-safe.
@functools.lru_cache(maxsize=4096)
def npi_is_valid(npi: str) -> bool:
    """True for 10 ASCII digits with a correct check digit (Luhn with the 80840 prefix).

    >>> npi_is_valid("1558598797"), npi_is_valid("155859879")
    (True, False)
    """
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    total = _NPI_PREFIX_SUM
    # Walk the first 9 digits from the right; the rightmost is doubled because the
    # check digit will sit to its right.
    for position, ch in enumerate(reversed(npi[:9])):
        digit = ord(ch) - 48
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == ord(npi[9]) - 48


@functools.lru_cache(maxsize=4096)
def icd10cm_shaped(code: str) -> bool:
    """True when ``code`` has the shape of an ICD-10-CM code (existence is not checked).

    >>> [icd10cm_shaped(c) for c in ("I69.351", "M1990", "U07.1", "S52.5XXA", "715.90", "M19.")]
    [True, True, True, True, False, False]
    """
    return _ICD10CM.fullmatch(code) is not None


# Diagnosis lists whose every code is ICD-10-CM shaped: claims repeat a few hundred
# lists, and one set look-up replaces a cache call per code. Codes only (nothing says
# whose they are), and bounded.
_SHAPED_LISTS: set[tuple[str, ...]] = set()
_SHAPED_LISTS_SIZE = 4096


def is_mbi(member_id: str) -> bool:
    """True for a Medicare Beneficiary Identifier in the CMS format (case-insensitive)."""
    return _MBI.fullmatch(member_id.strip().upper()) is not None


@rule(
    "OT-CLER-001",
    Severity.ERROR,
    summary="Rendering NPI is not 10 digits with a valid Luhn check digit (80840 prefix)",
    source=(
        "45 CFR 162.406 (NPI: 10 digits, the last a check digit); CMS NPI check-digit "
        "standard (Luhn mod-10 over 80840 + the first 9 digits, ISO/IEC 7812); CMS Pub "
        "100-04 ch.26 §10.4 item 24J; CARC 16 with RARC N290"
    ),
    payers=_ALL_PAYERS,
)
def invalid_npi(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """``provider.npi`` of the wrong length or with a wrong check digit."""
    provider = claim.provider
    if provider is None or provider.npi is None or npi_is_valid(provider.npi):
        return _NO_PROBLEMS
    npi = provider.npi
    if len(npi) != 10:
        why = f"has {len(npi)} digits, an NPI has 10"
    else:
        why = "its check digit does not match (Luhn formula with the 80840 prefix)"
    return [
        Problem(
            f"provider.npi {npi} is not a valid NPI: {why}",
            fix="copy the rendering provider's NPI from the NPPES registry (likely a typo)",
        )
    ]


@rule(
    "OT-CLER-002",
    Severity.ERROR,
    summary="Diagnosis is not shaped like an ICD-10-CM code",
    source=(
        "45 CFR 162.1002(c)(2) (ICD-10-CM for diagnoses from 2015-10-01); ICD-10-CM code "
        "structure (3-7 characters: letter, digit, then letters or digits, a dot after the "
        "third); CMS Pub 100-04 ch.26 §10.4 item 21; RARC M76"
    ),
    payers=_ALL_PAYERS,
)
def diagnosis_malformed(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Each entry of ``diagnoses`` that cannot be an ICD-10-CM code."""
    diagnoses = claim.diagnoses
    if diagnoses in _SHAPED_LISTS:
        return _NO_PROBLEMS  # the usual claim: a list of codes seen before, all shaped
    if all(map(icd10cm_shaped, diagnoses)):
        if len(_SHAPED_LISTS) < _SHAPED_LISTS_SIZE:
            _SHAPED_LISTS.add(diagnoses)
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, code in enumerate(claim.diagnoses):
        if icd10cm_shaped(code):
            continue
        shown = repr(code) if len(code) <= _MAX_QUOTED else f"(a {len(code)}-character value)"
        if _ICD9_LIKE.fullmatch(code):
            fix = "this looks like an ICD-9-CM code: use the ICD-10-CM code for the condition"
        else:
            fix = "enter the ICD-10-CM code, e.g. 'M19.90': letter, digit, then up to 5 more"
        out.append(Problem(f"diagnoses[{i}] {shown} is not shaped like an ICD-10-CM code", fix=fix))
    return out


@rule(
    "OT-CLER-003",
    Severity.ERROR,
    summary="Diagnosis pointer missing, more than 4 on a line, or pointing past the diagnoses",
    source=(
        "CMS Pub 100-04 ch.26 §10.4 item 24E (required; refers to item 21); NUCC 1500 "
        "instructions items 21 (up to 12 diagnoses, A-L) and 24E (up to 4 pointers)"
    ),
    payers=_ALL_PAYERS,
)
def pointer_out_of_range(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Lines without a pointer, with more than 4, or pointing to no diagnosis."""
    count = len(claim.diagnoses)
    if not count:
        return _NO_PROBLEMS  # OT-CLER-007 reports the missing diagnoses once
    for line in claim.lines:
        if line.diagnosis_pointers != _FIRST_DIAGNOSIS:
            break
    else:
        return _NO_PROBLEMS  # the usual claim: each line points at diagnosis 1 alone
    limit = min(count, MAX_DIAGNOSES)
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        pointers = line.diagnosis_pointers
        # Fast path; pointers below 1 cannot be parsed, so only the top end is checked.
        if pointers and len(pointers) <= MAX_POINTERS_PER_LINE and max(pointers) <= limit:
            continue
        if not pointers:
            out.append(
                Problem(
                    "line has no diagnosis pointer",
                    line=i,
                    fix="point the line at the diagnosis it treats (diagnosis_pointers: [1])",
                )
            )
            continue
        if len(pointers) > MAX_POINTERS_PER_LINE:
            out.append(
                Problem(
                    f"line has {len(pointers)} diagnosis pointers; a line carries at most "
                    f"{MAX_POINTERS_PER_LINE}",
                    line=i,
                    fix="keep the (up to) 4 diagnoses most relevant to this service, primary first",
                )
            )
        for pointer in pointers:
            if pointer < 1 or pointer > count:
                noun = "diagnosis" if count == 1 else "diagnoses"
                out.append(
                    Problem(
                        f"diagnosis pointer {pointer} points past the claim's {count} {noun}",
                        line=i,
                        fix=f"use a position from 1 to {limit} in diagnoses",
                    )
                )
            elif pointer > MAX_DIAGNOSES:
                out.append(
                    Problem(
                        f"diagnosis pointer {pointer} refers to a diagnosis beyond the "
                        f"{MAX_DIAGNOSES} a claim can carry",
                        line=i,
                        fix="move the diagnosis among the first 12, or split the claim",
                    )
                )
    return out


@rule(
    "OT-CLER-004",
    Severity.ERROR,
    summary="Medicare member ID is empty or not in the MBI format",
    source=(
        "CMS 'Understanding the Medicare Beneficiary Identifier (MBI) Format' (11 "
        "characters, C A AN N A AN N A A N N, letters exclude S, L, O, I, B, Z; no "
        "dashes); MBI required on claims from 2020-01-01; CMS Pub 100-04 ch.26 §10.2 "
        "item 1a; CARC 31"
    ),
    payers=("medicare",),
)
def member_id_not_mbi(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """``patient.member_id`` that cannot be an MBI (never quoting it)."""
    patient = claim.patient
    if ctx.payer != "medicare" or patient is None or patient.member_id is None:
        return _NO_PROBLEMS
    # An MBI as given (no spaces, upper case) needs no normalising first.
    if _MBI.fullmatch(patient.member_id):
        return _NO_PROBLEMS
    text = patient.member_id.strip().upper()
    if _MBI.fullmatch(text):
        return _NO_PROBLEMS
    if not text:
        return [
            Problem(
                "patient.member_id is empty",
                fix="enter the patient's MBI from the Medicare card (11 characters)",
            )
        ]
    if "-" in text and _MBI.fullmatch(text.replace("-", "")):
        fix = "remove the dashes: the MBI goes on a claim as 11 characters without them"
    elif len(text) != 11:
        fix = (
            f"the value has {len(text)} characters, an MBI has 11; a HICN (SSN-based) is "
            "not accepted: use the MBI from the card or the MAC's MBI lookup tool"
        )
    else:
        fix = (
            "check the MBI against the patient's Medicare card (letters S, L, O, I, B and "
            "Z never occur; positions 1, 4, 7, 10 and 11 are digits)"
        )
    return [Problem("patient.member_id is not a valid MBI", fix=fix)]


@rule(
    "OT-CLER-005",
    Severity.ERROR,
    summary="Date of service after the submission date, or in the future",
    source=(
        "CMS Pub 100-04 ch.26 §10.4 item 24A (dates the services were furnished): a "
        "claim bills services already given; CARC 16 / RARC MA130"
    ),
    payers=_ALL_PAYERS,
)
def date_after_submission_or_today(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Lines dated after ``submitted_on`` or after today."""
    submitted, today = claim.submitted_on, ctx.today
    latest = ctx.last_date
    if latest <= today and (submitted is None or latest <= submitted):
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        day = line.date_of_service
        if submitted is not None and day > submitted:
            out.append(
                Problem(
                    f"date of service {day} is after the claim's submission date ({submitted})",
                    line=i,
                    fix="correct the date of service or submitted_on; bill a service once given",
                )
            )
        elif day > today:
            out.append(
                Problem(
                    f"date of service {day} is in the future (today is {today})",
                    line=i,
                    fix="bill the service after it has been given, or correct the date",
                )
            )
    return out


@rule(
    "OT-CLER-006",
    Severity.ERROR,
    summary="Patient's birth date after a date of service",
    source=(
        "CMS Pub 100-04 ch.26 §10.2 item 3 (patient's birth date) and §10.4 item 24A "
        "(date of service); CARC 16"
    ),
    payers=_ALL_PAYERS,
)
def birth_after_service(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Lines dated before the patient was born (the birth date is never shown)."""
    patient = claim.patient
    if patient is None or patient.birth_date is None:
        return _NO_PROBLEMS
    born = patient.birth_date
    if born <= ctx.first_date:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        if line.date_of_service < born:
            out.append(
                Problem(
                    "patient.birth_date is after this line's date of service",
                    line=i,
                    fix="check the birth date (often a mistyped year) and the date of service",
                )
            )
    return out


@rule(
    "OT-CLER-007",
    # A warning, not an error: the claim format makes diagnoses optional so a host can
    # check lines before coding is finished; a rule must not treat "not supplied" as wrong.
    Severity.WARNING,
    summary="Claim lists no diagnosis",
    source=(
        "CMS Pub 100-04 ch.26 §10.4 items 21 (diagnosis codes) and 24E (required pointer "
        "to item 21); NUCC 1500 instructions item 21; RARC M76"
    ),
    payers=_ALL_PAYERS,
)
def no_diagnosis(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """An empty ``diagnoses`` list."""
    if claim.diagnoses:
        return _NO_PROBLEMS
    return [
        Problem(
            "the claim lists no diagnosis; every claim needs at least one ICD-10-CM code",
            fix="add the treated condition's ICD-10-CM code(s) to diagnoses, primary first",
        )
    ]


RULES: tuple[Rule, ...] = (
    invalid_npi,
    diagnosis_malformed,
    pointer_out_of_range,
    member_id_not_mbi,
    date_after_submission_or_today,
    birth_after_service,
    no_diagnosis,
)
