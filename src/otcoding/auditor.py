"""The batch audit: check a stream of claims and account for every input row.

:func:`audit` reads a batch (a CSV or JSONL file or stream, CSV-row dicts, or
claims) through :mod:`otcoding.io`, parses and checks 32 claims at a time (each
rule over all 32, then the next: ``RuleSet._check_each``), and
yields :class:`AuditFinding` values: findings that also say which claim and
which input row they are about. What the audit saw is counted in
:attr:`Audit.summary` as it goes, so the counts are there even when the caller
stops early.

Memory stays flat however long the batch. Two checks need the whole batch, to see
what one claim alone cannot show:

- a claim ID that comes back after other claims' rows (OT-ROW-003), told from a
  claim's own consecutive rows;
- the same (patient, code, date of service, modifiers) service billed on two
  claims (OT-BATCH-001). A claim without a ``patient.id`` is not part of this check.

For them each claim ID and each service leaves an 8-byte fingerprint, each claim 24
bytes saying where its fingerprints came from and a few values for the message
(claim ID, rows, codes, dates: no patient data), in an unnamed temporary file
(:mod:`otcoding._spill`, in ``temp_dir``; about 42 bytes an input row), not in
memory. Their findings come **after** every claim's own
findings, once the input has been read, in input order. Two hashes colliding (about
one chance in 30 million for a million services) would report a false repeat.
``double_billing=False`` drops the second check, ``duplicate_claim_ids=False`` the
first; with both off nothing is written to disk. A rule left out is listed in
:attr:`Summary.skipped_rules`, so the report says so.

``workers=N`` parses and checks claims in ``N`` worker processes while this process
reads the input, keeps the cross-claim records and yields the findings, in the same order
and with the same summary as ``workers=1`` (the default, all in this process). At
most ``2 x N`` chunks of claims are in flight, so memory stays bounded.

>>> import io
>>> text = (
...     "claim_id,payer,patient_id,diagnoses,code,modifiers,units,minutes,"
...     "date_of_service,diagnosis_pointers\\n"
...     "C-1,medicare,P-1,M19.90,97530,GO,3,30,2026-03-02,1\\n"
...     "C-2,medicare,P-2,M19.90,97110,GO,2,tw0,2026-03-02,1\\n")
>>> run = audit(io.StringIO(text), today=dt.date(2026, 3, 10))
>>> for f in run:
...     print(f.claim_id, f.row, f.line, f.rule_id)
C-1 2 0 OT-UNITS-001
C-2 3 0 OT-ROW-001
>>> print(f.message)
minutes: expected a whole number, got 'tw0'; claim C-2 not checked
>>> s = run.summary
>>> s.rows, s.claims, s.claims_checked, s.lines, s.unreadable_rows, s.rows_not_checked
(2, 2, 1, 1, 1, 1)
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import operator
import os
import pickle
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import attrs

from otcoding._spill import Log, Repeats, Spill
from otcoding.claim import Claim
from otcoding.errors import DataFileError, InvalidInputError
from otcoding.findings import _COLOURS, Finding, Severity
from otcoding.io import BatchReader, ClaimRows, open_batch
from otcoding.io._common import Source
from otcoding.io.batch_csv import CsvClaimData, _ClaimChunk, column_for_path
from otcoding.rulesets import RuleSet, for_payer
from otcoding.validators._core import INPUT_ERRORS, detached
from otcoding.validators.batch import (
    DOUBLE_BILLING,
    DUPLICATE_CLAIM_ID,
    UNCHECKED_CLAIM,
    UNREADABLE_ROW,
    batch_finding,
)

if TYPE_CHECKING:
    import concurrent.futures

__all__ = ["Audit", "AuditFinding", "Summary", "audit"]

_T = TypeVar("_T")


@attrs.frozen(kw_only=True)
class AuditFinding(Finding):
    """A :class:`~otcoding.findings.Finding` that also names its claim and input row.

    ``row`` is the input row (CSV: the header is row 1; JSONL: the line number)
    of the service line the finding is about, or of the claim's first row for a
    claim-level finding. ``claim_id`` is ``None`` when the row's claim cannot be
    told.
    """

    claim_id: str | None = None
    row: int | None = None

    def to_row(self) -> dict[str, Any]:
        """The report row: ``claim_id, row, line, rule_id, severity, message, fix, source``.

        >>> AuditFinding(claim_id="C-1", row=2, rule_id="OT-X", severity=Severity.INFO,
        ...              message="m").to_row()["severity"]
        'info'
        """
        return {
            "claim_id": self.claim_id,
            "row": self.row,
            "line": self.line,
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "message": self.message,
            "fix": self.fix,
            "source": self.source,
        }


_PLURAL = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}


class Summary:
    """What an audit has seen so far; complete once the audit is exhausted.

    Every non-blank input row is counted once in ``rows``, and once more in
    either ``rows_checked`` (its claim was parsed and checked) or
    ``rows_not_checked`` (it could not be read, or a row of its claim could not
    be, or a rule could not check its claim, so the claim was not checked).
    ``unreadable_rows`` are the rows that could not be read at all; each has an
    OT-ROW-001 finding.

    >>> s = Summary()
    >>> s.rows == s.rows_checked + s.rows_not_checked
    True
    """

    def __init__(self) -> None:
        self.rows = 0
        self.blank_rows = 0
        self.rows_checked = 0
        self.rows_not_checked = 0
        self.unreadable_rows = 0
        self.claims = 0
        self.claims_checked = 0
        self.lines = 0
        self.findings = 0
        self.by_rule: Counter[str] = Counter()
        self.by_severity: Counter[str] = Counter()
        self.complete = False
        self.warnings: tuple[str, ...] = ()
        self.skipped_rules: tuple[str, ...] = ()

    @property
    def accounted(self) -> bool:
        """True when every row read is either checked or reported as not checked."""
        return self.rows == self.rows_checked + self.rows_not_checked

    @property
    def errors(self) -> int:
        """Error findings so far."""
        return self.by_severity[Severity.ERROR.value]

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON data (the last line of a JSONL report).

        >>> Summary().to_dict()["by_severity"]
        {'error': 0, 'warning': 0, 'info': 0}
        """
        return {
            "rows": self.rows,
            "blank_rows": self.blank_rows,
            "rows_checked": self.rows_checked,
            "rows_not_checked": self.rows_not_checked,
            "unreadable_rows": self.unreadable_rows,
            "claims": self.claims,
            "claims_checked": self.claims_checked,
            "lines": self.lines,
            "findings": self.findings,
            "by_severity": {s.value: self.by_severity[s.value] for s in Severity},
            "by_rule": dict(sorted(self.by_rule.items())),
            "skipped_rules": list(self.skipped_rules),
            "complete": self.complete,
        }

    def _rows_read(self) -> str:
        """The rows and where each went, as the text and the HTML summary say it."""
        return (
            f"{self.rows:,} ({self.rows_checked:,} checked, {self.rows_not_checked:,} not "
            f"checked, {self.unreadable_rows:,} unreadable; {self.blank_rows:,} blank)"
        )

    def _claims_seen(self) -> str:
        return f"{self.claims:,} ({self.claims_checked:,} checked)"

    def __str__(self) -> str:
        sev = self.by_severity
        lines = [
            f"rows read: {self._rows_read()}",
            f"claims: {self._claims_seen()}, service lines checked: {self.lines:,}",
            f"findings: {self.findings:,} ("
            + ", ".join(f"{sev[level.value]:,} {_PLURAL[level]}" for level in Severity)
            + ")",
        ]
        lines.extend(f"  {rule_id}: {n:,}" for rule_id, n in sorted(self.by_rule.items()))
        if self.skipped_rules:
            lines.append(f"not run (asked for): {', '.join(self.skipped_rules)}")
        if not self.complete:
            lines.append("(incomplete: the audit stopped before the end of the input)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"Summary(rows={self.rows}, claims={self.claims}, lines={self.lines}, "
            f"findings={self.findings}, complete={self.complete})"
        )

    def _repr_html_(self) -> str:
        """Jupyter: the counts as a table, findings by severity in colour, then by rule.

        >>> s = Summary()
        >>> s.rows, s.rows_checked, s.findings = 3, 3, 1
        >>> s.by_severity["error"] += 1
        >>> s.by_rule["OT-UNITS-001"] += 1
        >>> page = s._repr_html_()
        >>> "<td>3 (3 checked, 0 not checked, 0 unreadable; 0 blank)</td>" in page
        True
        >>> "color:#b00020" in page, "<code>OT-UNITS-001</code></td><td>1</td>" in page
        (True, True)
        >>> "incomplete" in page
        True
        """
        sev = self.by_severity
        found = ", ".join(
            f"<span style='color:{_COLOURS[level]}'>{sev[level.value]:,} {_PLURAL[level]}</span>"
            for level in Severity
        )
        facts = (
            ("Rows read", self._rows_read()),
            ("Claims", self._claims_seen()),
            ("Service lines checked", f"{self.lines:,}"),
            ("Findings", f"{self.findings:,}: {found}"),
        )
        state = (
            "complete"
            if self.complete
            else "incomplete: the audit has not reached the end of the input"
        )
        rows = "".join(
            f"<tr><th style='text-align:left'>{name}</th><td>{value}</td></tr>"
            for name, value in facts
        )
        rules = "".join(
            f"<tr><td><code>{html.escape(rule_id)}</code></td><td>{n:,}</td></tr>"
            for rule_id, n in sorted(self.by_rule.items())
        )
        skipped = (
            f"<p>Not run (asked for): {html.escape(', '.join(self.skipped_rules))}</p>"
            if self.skipped_rules
            else ""
        )
        by_rule = (
            "<table class='otcoding-summary-rules'><tr><th style='text-align:left'>Rule</th>"
            f"<th>Findings</th></tr>{rules}</table>"
            if rules
            else ""
        )
        return (
            f"<p><b>Audit summary</b> ({state})</p>"
            f"<table class='otcoding-summary'>{rows}</table>{by_rule}{skipped}"
        )


class Audit:
    """An audit in progress: iterate it once for its findings; read ``summary`` any time.

    Made by :func:`audit`. Iteration is lazy and single-use; the source is closed
    when iteration ends (also on an early ``break`` or an error).
    """

    def __init__(
        self,
        reader: BatchReader,
        *,
        ruleset: RuleSet | None,
        year: int | None,
        unit_method: str | None,
        today: dt.date | None,
        double_billing: bool,
        duplicate_claim_ids: bool = True,
        workers: int = 1,
        temp_dir: str | None = None,
    ) -> None:
        self.summary = Summary()
        self.summary.warnings = reader.warnings
        self.summary.skipped_rules = tuple(
            rule_id
            for rule_id, on in (
                (DUPLICATE_CLAIM_ID, duplicate_claim_ids),
                (DOUBLE_BILLING, double_billing),
            )
            if not on
        )
        self._duplicate_claim_ids = duplicate_claim_ids
        self._reader = reader
        self._ruleset = ruleset
        self._options = {"year": year, "unit_method": unit_method, "today": today}
        self._rulesets: dict[str, RuleSet] = {}
        self._double_billing = double_billing
        self._spill = Spill(temp_dir)
        # Claim IDs and services in one set of records, told apart by their tags.
        self._repeats = Repeats(self._spill)
        self._log = Log(self._spill)
        self._workers = workers
        self._started = False

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the reader ignored (e.g. extra CSV columns), to show once."""
        return self._reader.warnings

    def __repr__(self) -> str:
        """The source's name and how far the audit has got (no patient data).

        >>> run = audit([], today=dt.date(2026, 3, 10))
        >>> run
        Audit(source='<claims>', workers=1, started=False, rows=0, findings=0, complete=False)
        >>> _ = list(run)
        >>> run
        Audit(source='<claims>', workers=1, started=True, rows=0, findings=0, complete=True)
        """
        s = self.summary
        return (
            f"Audit(source={self._reader.name!r}, workers={self._workers}, "
            f"started={self._started}, rows={s.rows}, findings={s.findings}, "
            f"complete={s.complete})"
        )

    def _repr_html_(self) -> str:
        """Jupyter: the source, then the summary so far."""
        source = html.escape(self._reader.name)
        return f"<p>Audit of <code>{source}</code></p>" + self.summary._repr_html_()

    def fraction_read(self) -> float | None:
        """How much of the input file has been read (0 to 1), for a progress bar.

        ``None`` when the size is not known: standard input, a text stream, rows or
        claims given as Python objects.

        >>> from otcoding.examples import batch_path
        >>> with batch_path().open("rb") as stream:
        ...     run = audit(stream, input_format="csv")
        ...     started = run.fraction_read()
        ...     findings = list(run)
        >>> started < 0.5, run.fraction_read()
        (True, 1.0)
        >>> audit([{"claim_id": "C-1", "payer": "commercial", "lines": []}]).fraction_read() is None
        True
        """
        fraction = getattr(self._reader, "fraction_read", None)
        return fraction() if callable(fraction) else None

    def close(self) -> None:
        """Release the input (a file opened from a path) and the temporary file."""
        self._reader.close()
        self._spill.close()

    def __iter__(self) -> Iterator[AuditFinding]:
        if self._started:
            raise RuntimeError("an audit can be iterated only once")
        self._started = True
        try:
            if self._workers > 1:
                yield from self._in_workers(self._reader)
            else:
                yield from self._here(self._reader)
            yield from self._across_claims()
            self.summary.complete = True
        finally:
            self.close()

    def _count(self, finding: AuditFinding) -> AuditFinding:
        s = self.summary
        s.findings += 1
        s.by_rule[finding.rule_id] += 1
        s.by_severity[finding.severity.value] += 1
        return finding

    def _here(self, items: Iterable[ClaimRows]) -> Iterator[AuditFinding]:
        """Parse and check in this process, a chunk of claims at a time (see _check_many)."""
        rules_for = self._ruleset_for
        keep = _billed if self._double_billing else None
        chunk: list[ClaimRows] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= _TOGETHER:
                yield from self._report(chunk, _check_many(_to_check(chunk), rules_for, keep))
                chunk = []
        if chunk:
            yield from self._report(chunk, _check_many(_to_check(chunk), rules_for, keep))

    def _report(self, chunk: list[ClaimRows], results: list[Any]) -> Iterator[AuditFinding]:
        """Count each item of a checked chunk and yield its findings, in input order.

        An exception a claim's check raised (other than a rule refusing it) is raised
        here, at that claim, after the findings of the claims before it: as checking
        claim by claim would.
        """
        count = self._count
        for item, result in zip(chunk, results, strict=True):
            found, check = self._read(item)
            for finding in found:
                yield count(finding)
            if check:
                if isinstance(result, _Raised):
                    raise result.exception
                for finding in self._checked(item, result):
                    yield count(finding)

    def _read(self, item: ClaimRows) -> tuple[Iterable[AuditFinding], bool]:
        """Count the item; what the reader found in it, and whether it is to be checked.

        Findings are counted as they are yielded, not here, so that the summary of an
        audit stopped early counts the findings given out.
        """
        s = self.summary
        s.rows += item.rows
        s.blank_rows += item.blank_rows
        s.unreadable_rows += len(item.unreadable)
        if item.rows == 0:
            return (), False
        claim_id = item.claim_id
        if claim_id is not None or item.data is not None:
            s.claims += 1
        found: Iterable[AuditFinding] = ()
        if item.problems:
            found = [_located(finding, claim_id, row) for row, finding in item.problems]
        if item.data is None or not item.complete:
            s.rows_not_checked += item.rows
            self._remember(item, claim_id, None)
            return found, False
        return found, True

    def _checked(self, item: ClaimRows, result: _Checked) -> Iterable[AuditFinding]:
        """Count a checked claim; its findings. Keep what the batch checks need of it."""
        s = self.summary
        if isinstance(result, InvalidInputError):
            # The model stops at the first bad value: that row is unreadable, the
            # claim's other rows are merely not checked.
            s.rows_not_checked += item.rows
            s.unreadable_rows += 1
            self._remember(item, item.claim_id, None)
            return (_unreadable(result, item),)
        if isinstance(result, _Unchecked):
            s.rows_not_checked += item.rows
            self._remember(item, result.claim_id, None)
            finding = batch_finding(
                UNCHECKED_CLAIM,
                f"a rule could not check claim {result.claim_id} ({result.reason}); the "
                "claim is not checked",
                fix="check this claim by hand, and report it to otcoding's maintainers",
            )
            return (_located(finding, result.claim_id, item.row),)
        claim_id, lines, findings, billed = result
        self._remember(item, claim_id, billed)
        s.rows_checked += item.rows
        s.claims_checked += 1
        s.lines += lines
        if not findings:
            return ()
        line_rows = item.line_rows
        start = item.row
        return [
            _located(
                finding,
                claim_id,
                start if finding.line is None or not line_rows else line_rows[finding.line],
            )
            for finding in findings
        ]

    def _in_workers(self, items: Iterable[ClaimRows]) -> Iterator[AuditFinding]:
        """Parse and check in worker processes; report in input order, here."""
        import concurrent.futures
        import multiprocessing

        # "spawn": a fresh interpreter per worker, safe whatever threads this process
        # runs (fork is not) and the same on every platform.
        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_quiet_worker,
        )
        job = (self._ruleset, self._options, self._double_billing)
        in_flight: deque[tuple[list[ClaimRows], concurrent.futures.Future[list[Any]]]]
        in_flight = deque()
        try:
            chunk: list[ClaimRows] = []
            for item in items:
                chunk.append(item)
                if len(chunk) < _CHUNK:
                    continue
                in_flight.append((chunk, pool.submit(_check_chunk, _payload(chunk), *job)))
                chunk = []
                while len(in_flight) > 2 * self._workers:
                    yield from self._results(*in_flight.popleft())
            if chunk:
                in_flight.append((chunk, pool.submit(_check_chunk, _payload(chunk), *job)))
            while in_flight:
                yield from self._results(*in_flight.popleft())
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _results(
        self, chunk: list[ClaimRows], future: concurrent.futures.Future[list[Any]]
    ) -> Iterator[AuditFinding]:
        from concurrent.futures.process import BrokenProcessPool

        try:
            results = future.result()
        except BrokenProcessPool:
            # Most often a script without the `__main__` guard: each spawned worker runs
            # the script again, reaches this audit and dies before checking anything.
            raise InvalidInputError(
                "workers",
                self._workers,
                "the worker processes stopped before finishing; in a script, call "
                'otcoding.audit(..., workers=N) only under `if __name__ == "__main__":`, '
                "or use workers=1",
            ) from None
        for i, result in enumerate(results):
            if type(result) is tuple:
                claim_id, lines, findings, services = result
                results[i] = (claim_id, lines, findings, _fingerprinted(services))
        yield from self._report(chunk, results)

    def _remember(self, item: ClaimRows, claim_id: str | None, billed: _Billed | None) -> None:
        """Keep the claim's ID and services for the checks across claims."""
        keep_id = claim_id is not None and self._duplicate_claim_ids
        if not (keep_id or billed):
            return
        start = item.row  # a claim is known by its first row: IDs may repeat (OT-ROW-003)
        # What a finding about this claim says, without the patient.
        entry = self._log.add((start, claim_id, item.line_rows, billed[1] if billed else ()))
        # A claim ID's key is tag 0, line i's service tag i + 1. A service's key is
        # grouped by its patient (equal services share one); an ID's by itself.
        if keep_id:
            key = hash(claim_id)
            self._repeats.add(entry, start, (key,), key)
        if billed:
            self._repeats.add(entry, start, billed[0], billed[2], 1)

    def _across_claims(self) -> Iterator[AuditFinding]:
        """The findings only the whole batch shows, in input order, once it has been read."""
        kept = self._log.cursor()
        # Per claim, a claim ID repeat (tag 0) before its lines' repeats.
        for entry, group in itertools.groupby(self._repeats.repeats(), key=_ENTRY):
            start, claim_id, line_rows, billed = kept(entry)
            for _, tag, first in group:
                if tag == 0:
                    finding = self._repeated_claim_id(claim_id, first)
                    row = start
                else:
                    line = tag - 1
                    finding = self._double_billed(billed[line], line, first)
                    row = line_rows[line] if line_rows else start
                yield self._count(_located(finding, claim_id, row))

    @staticmethod
    def _repeated_claim_id(claim_id: str, first: int) -> Finding:
        return batch_finding(
            DUPLICATE_CLAIM_ID,
            f"claim {claim_id} appeared before, from row {first}, with other claims' "
            "rows in between; these rows are checked as a separate claim",
            fix="give each claim its own ID, or keep a claim's rows together",
        )

    @staticmethod
    def _double_billed(billed: tuple[str, int], line: int, first: int) -> Finding:
        code, day = billed
        return batch_finding(
            DOUBLE_BILLING,
            f"{code} on {dt.date.fromordinal(day).isoformat()} with the same modifiers for "
            f"the same patient was already billed on another claim (starting at row {first})",
            line=line,
            fix="drop the repeat, or correct the claim it duplicates",
        )

    def _ruleset_for(self, claim: Claim) -> RuleSet:
        if self._ruleset is not None:
            return self._ruleset
        ruleset = self._rulesets.get(claim.payer)
        if ruleset is None:
            ruleset = self._rulesets[claim.payer] = for_payer(claim.payer, **self._options)  # type: ignore[arg-type]
        return ruleset


#: Per line of a claim, what identifies its service: patient, code, date of service
#: (as its ordinal) and sorted modifiers.
_Services = tuple[tuple[str, str, int, tuple[str, ...]], ...]
#: A claim's services as the checks across claims keep them: per line, the service's
#: fingerprint (its hash), and its code and date ordinal for a finding's message; and
#: the patient's hash, which groups the fingerprints (equal services share a patient).
_Billed = tuple[list[int], list[tuple[str, int]], int]

_ENTRY = operator.itemgetter(0)

# Claims per chunk sent to a worker: enough to amortise the hand-over, few enough
# that findings start flowing at once and memory stays small.
_CHUNK = 128
# Claims checked together, rule by rule (_check_many): enough that each rule's code
# stays in the processor's caches from one claim to the next, few enough that the
# claims held meanwhile do not make the garbage collector run much more often (at
# 128, it ran nine times as often as claim by claim, and took 5 % of the audit).
_TOGETHER = 32


def _services(claim: Claim) -> _Services | None:
    """What identifies each line's service, for double billing; None without a patient ID."""
    patient = claim.patient.id if claim.patient is not None else None
    if not patient:
        return None
    out = []
    for line in claim.lines:
        modifiers = line.modifiers
        # One modifier, or none, is already in order: skip the sort.
        ordered = modifiers if len(modifiers) < 2 else tuple(sorted(modifiers))
        out.append((patient, line.code, line.date_of_service.toordinal(), ordered))
    return tuple(out)


def _fingerprinted(services: _Services | None) -> _Billed | None:
    """A worker's services, hashed in this process (string hashes differ between processes)."""
    if not services:
        return None
    prints = [hash(service) for service in services]
    return prints, [service[1:3] for service in services], hash(services[0][0])


def _billed(claim: Claim) -> _Billed | None:
    """``_fingerprinted(_services(claim))`` in one pass, for a claim checked here."""
    patient = claim.patient.id if claim.patient is not None else None
    if not patient:
        return None
    prints: list[int] = []
    billed: list[tuple[str, int]] = []
    for line in claim.lines:
        modifiers = line.modifiers
        ordered = modifiers if len(modifiers) < 2 else tuple(sorted(modifiers))
        code, day = line.code, line.date_of_service.toordinal()
        prints.append(hash((patient, code, day, ordered)))
        billed.append((code, day))
    return prints, billed, hash(patient)


def _starting_as_worker() -> bool:
    """True in a spawned process still importing its parent's main module."""
    import multiprocessing

    # The flag multiprocessing itself checks before refusing to start a process.
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def _to_check(chunk: list[ClaimRows]) -> list[Any]:
    """Per item, the claim data to parse and check, or None (as ``Audit._read`` decides)."""
    return [i.data if i.rows and i.data is not None and i.complete else None for i in chunk]


def _payload(chunk: list[ClaimRows]) -> list[Any]:
    # A list, which pickles a chunk of CSV claims as one string (see _ClaimChunk).
    return _ClaimChunk(_to_check(chunk))


def _quiet_worker() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the audit (exit 130)
    # and shuts the pool down; a worker's own traceback would only be noise.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


# A worker's rule sets, built once per worker process for each payer and options.
_WORKER_RULESETS: dict[tuple[str, tuple[Any, ...]], RuleSet] = {}


class _Unchecked(NamedTuple):
    """A claim the model accepted but a rule refused to check, and what the rule said."""

    claim_id: str
    reason: str


class _Raised(NamedTuple):
    """What a claim's check raised that is not a rule refusing the claim: raised at its turn."""

    exception: Exception


#: A claim checked here: its parse error, its refusal by a rule, or its ID, line count,
#: findings and services.
_Checked = InvalidInputError | _Unchecked | tuple[str, int, tuple[Finding, ...], "_Billed | None"]
#: A claim checked in a worker, its services not yet hashed.
_Sent = (
    InvalidInputError
    | _Unchecked
    | _Raised
    | tuple[str, int, tuple[Finding, ...], "_Services | None"]
)


def _check_many(
    chunk: list[Any], rules_for: Callable[[Claim], RuleSet], services: Callable[[Claim], _T] | None
) -> list[Any]:
    """Parse and check a chunk's claims, here or in a worker (None: not to check).

    Per claim: the model's error, a rule's refusal (:class:`_Unchecked`), what else
    its check raised (:class:`_Raised`), or its ID, line count, findings and what
    ``services`` keeps of it. The claims of one rule set are checked together, rule
    by rule (``RuleSet._check_each``), with the same findings as one by one.
    """
    out: list[Any] = [None] * len(chunk)
    groups: dict[int, tuple[RuleSet, list[int], list[Claim]]] = {}
    for i, data in enumerate(chunk):
        if data is None:
            continue
        try:
            claim = _parse(data)
        except InvalidInputError as exc:
            out[i] = detached(exc)
            continue
        except Exception as exc:
            out[i] = _Raised(exc)
            continue
        try:
            rules = rules_for(claim)
        except Exception as exc:
            out[i] = _refused(claim, detached(exc))
            continue
        group = groups.get(id(rules))
        if group is None:
            group = groups[id(rules)] = (rules, [], [])
        group[1].append(i)
        group[2].append(claim)
    for rules, at, claims in groups.values():
        if type(rules).check is RuleSet.check:
            reports: list[Any] = rules._check_each(claims)
        else:
            reports = [_checked_alone(rules, claim) for claim in claims]
        for i, claim, report in zip(at, claims, reports, strict=True):
            if isinstance(report, Exception):
                out[i] = _refused(claim, report)
            else:
                kept = services(claim) if services else None
                out[i] = (claim.claim_id, len(claim.lines), report.findings, kept)
    return out


def _refused(claim: Claim, exc: Exception) -> _Unchecked | _Raised:
    if isinstance(exc, INPUT_ERRORS):
        # A rule refused a value the model accepted: a gap in that rule. In a batch,
        # one such claim is reported and the other rows go on. (A DataFileError, a
        # table that cannot be read, still stops the run: every claim would fail.)
        return _Unchecked(claim.claim_id, str(exc))
    return _Raised(exc)


def _checked_alone(rules: RuleSet, claim: Claim) -> Any:
    """``rules.check(claim)``, or what it raised: a rule set of another kind, one claim."""
    try:
        return rules.check(claim)
    except Exception as exc:
        return detached(exc)


def _check_chunk(
    chunk: list[Any],
    ruleset: RuleSet | None,
    options: Mapping[str, Any],
    double_billing: bool,
) -> list[_Sent | None]:
    """In a worker: :func:`_check_many` for a chunk (None: not to check).

    Services go back unhashed: string hashes differ between processes, so only the
    parent hashes them into fingerprints.
    """
    key = tuple(sorted(options.items()))

    def rules_for(claim: Claim) -> RuleSet:
        if ruleset is not None:
            return ruleset
        rules = _WORKER_RULESETS.get((claim.payer, key))
        if rules is None:
            rules = _WORKER_RULESETS[(claim.payer, key)] = for_payer(claim.payer, **options)
        return rules

    keep = _services if double_billing else None
    out: list[_Sent | None] = []
    for start in range(0, len(chunk), _TOGETHER):
        out += _check_many(chunk[start : start + _TOGETHER], rules_for, keep)
    return out


def _parse(data: Mapping[str, Any] | str | Claim) -> Claim:
    if isinstance(data, CsvClaimData):
        return Claim.from_dict(data.build())
    if isinstance(data, Claim):
        return data
    if isinstance(data, str):
        return Claim.from_json(data)
    return Claim.from_dict(data)


def _located(finding: Finding, claim_id: str | None, row: int | None) -> AuditFinding:
    return AuditFinding(
        rule_id=finding.rule_id,
        severity=finding.severity,
        message=finding.message,
        line=finding.line,
        fix=finding.fix,
        source=finding.source,
        claim_id=claim_id,
        row=row,
    )


def _unreadable(exc: InvalidInputError, item: ClaimRows) -> AuditFinding:
    """The OT-ROW-001 finding for a claim the model refused, at the row of the bad value."""
    row: int | None = item.row
    line: int | None = None
    where = exc.field
    if item.line_rows is not None:
        line, column = column_for_path(exc.field)
        if line is not None and line < len(item.line_rows):
            row = item.line_rows[line]
        where = column
    message = str(exc)
    if where != exc.field and message.startswith(exc.field):
        message = where + message[len(exc.field) :]
    whose = f"claim {item.claim_id}" if item.claim_id else "the claim"
    finding = batch_finding(UNREADABLE_ROW, f"{message}; {whose} not checked", line=line)
    return _located(finding, item.claim_id, row)


def audit(
    source: Source | Iterable[Any],
    *,
    ruleset: RuleSet | None = None,
    year: int | None = None,
    unit_method: str | None = None,
    today: dt.date | None = None,
    input_format: str | None = None,
    include_patient_data: bool = False,
    double_billing: bool = True,
    duplicate_claim_ids: bool = True,
    workers: int = 1,
    temp_dir: str | os.PathLike[str] | None = None,
) -> Audit:
    """Audit a batch: yields :class:`AuditFinding` values; ``.summary`` counts it all.

    ``source`` is a path or stream (CSV, or JSONL by extension or
    ``input_format``), an iterable of CSV-row dicts, or an iterable of claims
    (dicts in the JSON format or :class:`~otcoding.claim.Claim`). Each claim is
    checked with ``ruleset``, or by default with the rule set of its own payer
    (:func:`otcoding.for_payer` with ``year``, ``unit_method`` and ``today``).

    ``workers`` (default 1) is the number of processes that parse and check
    claims; ``0`` means one per CPU. A custom ``ruleset`` must then be picklable
    (no lambdas), since each worker gets a copy.

    The checks across claims (OT-ROW-003, OT-BATCH-001; ``duplicate_claim_ids``
    and ``double_billing``) keep about 42 bytes an input row in an unnamed
    temporary file in ``temp_dir`` (default: :func:`tempfile.gettempdir`), and
    report their findings after all the others, once the input has been read. A
    full disk there raises :class:`~otcoding.errors.DataFileError`.

    Rows that cannot be read, and claims the model refuses, become OT-ROW-001
    findings and the audit goes on. Only an unusable source (a missing file, a
    CSV header without a required column) raises, a
    :class:`~otcoding.errors.DataFileError`, before any row is read.

    >>> claims = [{"claim_id": "C-1", "payer": "commercial", "lines": [
    ...     {"code": "97110", "units": 3, "minutes": 20, "date_of_service": "2026-03-02"}]}]
    >>> run = audit(claims, today=dt.date(2026, 3, 10))
    >>> [(f.claim_id, f.rule_id) for f in run]
    [('C-1', 'OT-CLER-007'), ('C-1', 'OT-UNITS-001')]
    >>> run.summary.claims_checked, run.summary.errors
    (1, 1)
    """
    if type(workers) is not int or workers < 0:
        raise InvalidInputError("workers", workers, "expected a whole number, 0 for one per CPU")
    if workers == 0:
        workers = os.cpu_count() or 1
    if workers > 1 and _starting_as_worker():
        # A worker being started is running a script without the `__main__` guard
        # again: multiprocessing would refuse to start more processes, with a long
        # traceback from every worker. Stop quietly; the audit in the parent process
        # then says what to do (InvalidInputError on `workers`).
        raise SystemExit(1)
    if workers > 1 and ruleset is not None:
        try:
            pickle.dumps(ruleset)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise InvalidInputError(
                "ruleset",
                ruleset.name,
                f"cannot be sent to worker processes ({exc}); use workers=1",
            ) from None
    if temp_dir is not None and not os.path.isdir(temp_dir):
        raise DataFileError(os.fspath(temp_dir), "the temporary directory does not exist")
    reader = open_batch(
        source, input_format=input_format, include_patient_data=include_patient_data
    )
    return Audit(
        reader,
        ruleset=ruleset,
        year=year,
        unit_method=unit_method,
        today=today,
        double_billing=double_billing,
        duplicate_claim_ids=duplicate_claim_ids,
        workers=workers,
        temp_dir=None if temp_dir is None else os.fspath(temp_dir),
    )
