"""Write synthetic batches in the batch CSV format, for examples and benchmarks.

    python -m otcoding.examples.generate --lines 1000000 -o big.csv
    python -m otcoding.examples.generate --example -o batch.csv   # the shipped example

Every value is made up: patient IDs ``P-00001``..., member IDs that only have the
shape of an MBI, made-up NPIs with a valid check digit, birth dates drawn from
1935-1960. Most claims are clean; a share carry one planted mistake from
:data:`FAMILIES`, each named after the rule that should catch it, so a test can
check that the audit finds every planted mistake and nothing on the clean claims.

The output depends only on the arguments (a seeded :class:`random.Random`).

>>> import io
>>> out = io.StringIO()
>>> write_batch(out, lines=40, seed=7) >= 40
True
>>> out.getvalue().splitlines()[0].split(",")[:3]
['claim_id', 'payer', 'patient_id']
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections.abc import Iterator, Sequence
from typing import IO

from otcoding.io.batch_csv import COLUMNS
from otcoding.units import allocate

__all__ = ["FAMILIES", "Row", "claims", "main", "write_batch"]

#: A batch row: the cells of :data:`otcoding.io.COLUMNS`, in order.
Row = list[str]

#: Planted mistakes, each with the rule that should report it. "clean" has none.
FAMILIES: dict[str, str] = {
    "units_over": "OT-UNITS-001",
    "units_under": "OT-UNITS-002",
    "no_minutes": "OT-UNITS-003",
    "no_go": "OT-DISC-001",
    "gp_on_ot": "OT-DISC-002",
    "deleted_code": "OT-CODE-002",
    "eval_and_reeval": "OT-EVAL-002",
    "ncci_no_modifier": "OT-NCCI-002",
    "mue_over": "OT-MUE-001",
    "kx_missing": "OT-KX-001",
    "assistant_no_co": "OT-ASST-001",
    "telehealth_no_95": "OT-TELE-002",
    "duplicate_line": "OT-DUP-001",
    "bad_npi": "OT-CLER-001",
    "bad_diagnosis": "OT-CLER-002",
    "late_filing": "OT-FILE-001",
    "bad_date": "OT-ROW-001",
    "short_row": "OT-ROW-001",
    "rows_disagree": "OT-ROW-002",
    "claim_id_reused": "OT-ROW-003",
    "double_billing": "OT-BATCH-001",
}

# Timed codes with no NCCI edit among them in the shipped edition, so that clean
# claims are clean (tests/test_examples.py checks it).
_TIMED = ("97110", "97530", "97535", "97112")
_DIAGNOSES = ("I69.351", "M19.90", "M62.81", "R26.89", "S52.501D", "G81.91")
_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # letters an MBI may use (not S, L, O, I, B, Z)
_FIRST = dt.date(2026, 1, 5)
_DAYS = 280  # dates of service run 2026-01-05 to mid-October
_VISITS = (1, 1, 2, 3)  # visits a claim covers, three days apart
_EXAMPLE = {"lines": 260, "seed": 2026, "error_share": 0.45, "patients": 30}
# One bit per code the generator writes, for a patient's codes billed on a day.
_BITS = {code: 1 << i for i, code in enumerate((*_TIMED, "97150", "97165", "97168", "97532"))}


def _npi(rng: random.Random) -> str:
    """Nine random digits and the Luhn check digit over the 80840 prefix."""
    body = str(rng.randrange(100_000_000, 999_999_999))
    total = 24  # the prefix 80840's contribution to the Luhn sum
    for position, ch in enumerate(reversed(body)):
        digit = int(ch) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


def _mbi(rng: random.Random) -> str:
    """A value with the shape of an MBI (C A AN N A AN N A A N N); not a real one."""
    digit, letter = "0123456789", _MBI_LETTERS
    either = digit + letter
    pattern = ("123456789", letter, either, digit, letter, either, digit, letter, letter)
    return "".join(rng.choice(p) for p in pattern) + "".join(rng.choice(digit) for _ in "NN")


class _Patient:
    __slots__ = ("billed", "birth_date", "id", "member_id", "next_visit", "wraps", "ytd")

    def __init__(self, n: int, rng: random.Random) -> None:
        self.id = f"P-{n:05d}"
        self.member_id = _mbi(rng)
        self.birth_date = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(365 * 25))
        self.ytd = rng.randrange(0, 1400)
        self.next_visit = rng.randrange(14)
        self.wraps = 0
        # Per day of the window, the codes billed for this patient that day (bits of
        # _BITS): what a later clean claim must not bill again.
        self.billed = bytearray(_DAYS)

    def visit_day(self, visits: int, rng: random.Random) -> dt.date:
        """The first date of service of the patient's next claim, after the last one's.

        Each patient's visits move forward so that two clean claims never bill one
        service twice (which would be real double billing). Once a patient's visits
        have gone round the window, a pass may come back to days already billed:
        then the claim starts at the next day whose visits find nothing billed, or
        failing that (a full calendar) the least billed; :meth:`free_codes` keeps a
        clean claim off the codes already billed on a day.
        """
        if self.next_visit + 3 * visits >= _DAYS:
            self.wraps += 1
            self.next_visit = self.wraps % 3  # a new pass, on other days of the cycle
        start = self._start(self.next_visit, visits)
        day = _FIRST + dt.timedelta(days=start)
        self.next_visit = start + 3 * visits + 3 * rng.randint(1, 4)
        return day

    def _start(self, start: int, visits: int) -> int:
        """``start``, or the first start after it (round the window) billed least."""
        span = 3 * (visits - 1)
        billed = self.billed

        def used(first: int) -> int:
            return sum(1 for day in range(first, first + span + 1, 3) if billed[day])

        if not used(start):
            return start  # the usual case, and every claim before a pass comes back
        last = _DAYS - 1 - span
        order = [*range(start, last + 1), *range(start)]
        least: int = min(order, key=used)  # the first of the least billed
        return least

    def free_codes(self, day: dt.date, codes: Sequence[str]) -> list[str]:
        """Those of ``codes`` not yet billed for this patient on ``day``."""
        taken = self.billed[(day - _FIRST).days]
        return [code for code in codes if not taken & _BITS[code]]

    def bill(self, lines: Sequence[dict[str, str]]) -> None:
        """Remember the codes of a claim's lines on their days."""
        for line in lines:
            try:
                offset = (dt.date.fromisoformat(line["date_of_service"]) - _FIRST).days
            except ValueError:
                continue  # a planted impossible date bills no day
            if 0 <= offset < _DAYS:
                self.billed[offset] |= _BITS[line["code"]]


def _minutes(rng: random.Random) -> int:
    # Whole 15-minute blocks plus a remainder under 8: every code earns its units
    # on its own, so no clean line is billed for 0 units.
    return 15 * rng.randint(1, 2) + rng.randrange(0, 8)


def _visit(rng: random.Random, payer: str, dos: dt.date, patient: _Patient) -> list[dict[str, str]]:
    codes = rng.sample(_TIMED, rng.randint(1, 3))
    free = patient.free_codes(dos, codes)
    if len(free) < len(codes):
        # The patient is billed some of these codes that day already: as many codes
        # among those still free (none free: the day is full, and the repeat stays).
        others = patient.free_codes(dos, _TIMED)
        if others:
            codes = rng.sample(others, min(len(codes), len(others)))
    minutes = {code: _minutes(rng) for code in codes}
    method = "cms" if payer == "medicare" else "cpt"
    units = allocate(minutes, method=method, lookup=False).units
    return [
        {
            "code": code,
            "modifiers": "GO",
            "units": str(units[code]),
            "minutes": str(minutes[code]),
            "date_of_service": dos.isoformat(),
            "diagnosis_pointers": "1",
            "charge": f"{45 * units[code]}.00",
            "assistant_minutes": "0",
        }
        for code in codes
    ]


def _plant(family: str, lines: list[dict[str, str]], claim: dict[str, str]) -> None:
    """Change a clean claim so that it carries the mistake ``family``."""
    first = lines[0]
    dos = first["date_of_service"]
    if family == "mue_over":
        for line in lines:  # keep 97110 on one line only, so only the MUE is in play
            if line["code"] == "97110" and line["date_of_service"] == dos:
                line["code"] = "97535"
    if family == "units_over":
        first["units"] = str(int(first["units"]) + 1)
    elif family == "units_under":
        first["minutes"] = str(int(first["minutes"]) + 15)
    elif family == "no_minutes":
        first["minutes"] = ""
    elif family == "no_go":
        first["modifiers"] = ""
    elif family == "gp_on_ot":
        first["modifiers"] = "GP"
    elif family == "deleted_code":
        first["code"] = "97532"  # deleted 2018-01-01 (cognitive skills; now 97129/97130)
    elif family == "eval_and_reeval":
        for code in ("97165", "97168"):
            lines.append(_untimed(code, dos, minutes="30"))
    elif family == "ncci_no_modifier":
        # 97150 (group) and 97530 on one day: a modifier-indicator-1 NCCI pair.
        lines.append(_untimed("97150", dos, minutes="30"))
        if all(line["code"] != "97530" for line in lines if line["date_of_service"] == dos):
            lines.append({**first, "code": "97530", "units": "2", "minutes": "30"})
    if family == "mue_over":
        # 97110's practitioner MUE (2024-04-01 edition) is 6 units a day.
        first.update(code="97110", units="7", minutes="105")
    elif family == "kx_missing":
        claim["therapy_allowed_ytd"] = "2700.00"  # over the 2026 KX threshold
    elif family == "assistant_no_co":
        first["assistant_minutes"] = str(int(first["minutes"]) // 2)
    elif family == "telehealth_no_95":
        claim["place_of_service"] = "10"
    elif family == "duplicate_line":
        lines.append(dict(first))
    elif family == "bad_npi":
        npi = claim["npi"]
        claim["npi"] = npi[:-1] + str((int(npi[-1]) + 1) % 10)
    elif family == "bad_diagnosis":
        claim["diagnoses"] = "250.00"  # an ICD-9 code
    elif family == "late_filing":
        claim["submitted_on"] = (dt.date.fromisoformat(dos) + dt.timedelta(days=400)).isoformat()
    elif family == "bad_date":
        first["date_of_service"] = (
            dos[:8] + "31" if dos[5:7] in ("02", "04", "06") else "2026-02-30"
        )


def _untimed(code: str, dos: str, *, minutes: str) -> dict[str, str]:
    return {
        "code": code,
        "modifiers": "GO",
        "units": "1",
        "minutes": minutes,
        "date_of_service": dos,
        "diagnosis_pointers": "1",
        "charge": "90.00",
        "assistant_minutes": "0",
    }


def claims(
    lines: int, *, seed: int = 1, error_share: float = 0.2, patients: int | None = None
) -> Iterator[tuple[str, list[Row]]]:
    """Claims of a synthetic batch, as ``(family, rows)``, until ``lines`` rows are made.

    ``family`` is ``"clean"`` or a key of :data:`FAMILIES`. Mistakes take turns,
    so that every family appears once ``error_share`` x claims reaches the
    number of families. Memory grows with the patient pool, not with ``lines``: a
    patient keeps 280 bytes, the codes billed on each day of the window.

    No clean claim bills a service its patient was billed on an earlier claim, so
    the audit finds nothing on it, as long as a patient has room: the dates of
    service span 280 days, four timed codes a day. Checked up to 600 lines a patient
    on average (the benchmark's 1,000,000 lines over 2,000 patients are 500); at
    700 a few patients run out of free days, and their clean claims start to repeat.
    """
    rng = random.Random(seed)
    pool = [_Patient(n, rng) for n in range(1, (patients or max(50, lines // 20)) + 1)]
    npis = [_npi(rng) for _ in range(8)]
    families = list(FAMILIES)
    made = turn = 0
    number = 0
    previous: tuple[str, list[Row]] | None = None
    earlier_id: str | None = None
    older_id: str | None = None  # the earlier ID before earlier_id
    last_id: str | None = None  # the claim just written
    while made < lines:
        number += 1
        patient = rng.choice(pool)
        payer = rng.choices(("medicare", "commercial", "medicaid"), (6, 3, 1))[0]
        family = "clean"
        if rng.random() < error_share:
            family = families[turn % len(families)]
            turn += 1
        if family != "clean":
            payer = "medicare"  # most planted mistakes are against Medicare's rules
        if family == "double_billing" and previous is not None:
            last_id = f"C-{number:07d}"
            rows = [_renumber(row, last_id) for row in previous[1][:1]]
            made += len(rows)
            yield family, rows
            continue
        if family == "claim_id_reused" and earlier_id is not None:
            # Straight after its claim, the ID would only add rows to that claim.
            claim_id = older_id if earlier_id == last_id and older_id else earlier_id
        else:
            claim_id = f"C-{number:07d}"
        visits = rng.choice(_VISITS)
        dos = patient.visit_day(visits, rng)
        claim = {
            "claim_id": claim_id,
            "payer": payer,
            "patient_id": patient.id,
            "birth_date": patient.birth_date.isoformat(),
            "member_id": patient.member_id,
            "therapy_allowed_ytd": f"{patient.ytd}.00",
            "npi": rng.choice(npis),
            "diagnoses": ";".join(rng.sample(_DIAGNOSES, 2)),
            "place_of_service": "11",
            "submitted_on": "",
        }
        visit = []
        for k in range(visits):
            visit.extend(_visit(rng, payer, dos + dt.timedelta(days=3 * k), patient))
        claim["submitted_on"] = (dos + dt.timedelta(days=rng.randint(9, 25))).isoformat()
        if family == "rows_disagree" and len(visit) == 1:
            visit.append(dict(visit[0], code="97112" if visit[0]["code"] != "97112" else "97110"))
        _plant(family, visit, claim)
        patient.bill(visit)
        rows = [[{**claim, **line}[c] for c in COLUMNS] for line in visit]
        if family == "rows_disagree":
            rows[-1][COLUMNS.index("npi")] = _npi(rng)
        elif family == "short_row":
            rows[-1] = rows[-1][: len(COLUMNS) - 3]
        made += len(rows)
        if family == "clean" and len(rows) <= 3:
            previous = (family, rows)
        if number % 7 == 3:
            older_id, earlier_id = earlier_id, claim_id
        last_id = claim_id
        yield family, rows


def _renumber(row: Row, claim_id: str) -> Row:
    out = list(row)
    out[COLUMNS.index("claim_id")] = claim_id
    return out


def write_batch(
    stream: IO[str],
    *,
    lines: int,
    seed: int = 1,
    error_share: float = 0.2,
    patients: int | None = None,
) -> int:
    """Write a synthetic batch CSV (header and about ``lines`` rows); returns the rows."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for _family, rows in claims(lines, seed=seed, error_share=error_share, patients=patients):
        writer.writerows(rows)
        count += len(rows)
    return count


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m otcoding.examples.generate``."""
    parser = argparse.ArgumentParser(
        prog="python -m otcoding.examples.generate",
        description="Write a synthetic OT batch in the otcoding batch CSV format.",
    )
    parser.add_argument("--lines", type=int, default=1000, help="service lines to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same file)")
    parser.add_argument(
        "--error-share", type=float, default=0.2, help="share of claims with a planted mistake"
    )
    parser.add_argument(
        "--patients",
        type=int,
        help="size of the patient pool (default: one per 20 lines; clean claims stay clean up "
        "to about 600 lines a patient)",
    )
    parser.add_argument(
        "--example", action="store_true", help="write the shipped example batch (batch.csv)"
    )
    parser.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    args = parser.parse_args(argv)
    options = (
        dict(_EXAMPLE)
        if args.example
        else {
            "lines": args.lines,
            "seed": args.seed,
            "error_share": args.error_share,
            "patients": args.patients,
        }
    )
    if args.output == "-":
        write_batch(sys.stdout, **options)
    else:
        with open(args.output, "w", encoding="utf-8", newline="") as stream:
            write_batch(stream, **options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
