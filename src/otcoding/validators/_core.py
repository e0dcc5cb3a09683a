"""The validator protocol, rules, the per-check context, and combinators.

A *validator* is any callable ``(claim, context) -> Iterable[Finding]``. A
:class:`Rule` is a validator with a stable ID, a default severity, a one-line
summary and a source; its check function yields :class:`Problem` values and the
rule turns them into findings. Combinators build bigger validators from smaller
ones, in the manner of ``attrs.validators``:

>>> from otcoding.findings import Severity
>>> @rule("X-DEMO-001", Severity.WARNING, summary="Demo: claim IDs start with C",
...       source="house rule")
... def starts_with_c(claim, ctx):
...     if not claim.claim_id.startswith("C"):
...         yield Problem("claim_id does not start with C", fix="rename it")
>>> starts_with_c.rule_id, starts_with_c.severity
('X-DEMO-001', <Severity.WARNING: 'warning'>)
>>> strict = with_severity(starts_with_c, "X-DEMO-001", "error")
>>> [r.rule_id for r in iter_rules(without(all_of(starts_with_c), "X-DEMO-001"))]
[]
"""

from __future__ import annotations

import datetime as _dt
import importlib
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import attrs

from otcoding.codes import find
from otcoding.errors import InvalidInputError, UnknownCodeError
from otcoding.findings import Finding, Severity

if TYPE_CHECKING:
    from otcoding.claim import Claim
    from otcoding.codes import MueTable, NcciTable
    from otcoding.codes._model import Code

__all__ = [
    "Context",
    "Problem",
    "Rule",
    "RuleInfo",
    "Settings",
    "Validator",
    "all_of",
    "iter_rules",
    "only_when",
    "rule",
    "with_severity",
    "without",
]

UNIT_METHODS = ("cms", "cpt")


class Validator(Protocol):
    """Anything that checks a claim: ``(claim, context) -> Iterable[Finding]``."""

    def __call__(self, claim: Claim, context: Context, /) -> Iterable[Finding]: ...


@attrs.frozen
class Problem:
    """What a rule's check function yields; the rule adds its ID, severity and source.

    ``severity`` overrides the rule's default for this one finding (used where the
    manual leaves a case unresolved and the rule downgrades itself to a warning).
    """

    message: str
    line: int | None = None
    fix: str | None = None
    severity: Severity | None = None


CheckFunction = Callable[["Claim", "Context"], Iterable[Problem]]


def _check_rule_id(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    parts = value.split("-")
    if len(parts) != 3 or not all(parts) or not parts[2].isdigit():
        raise InvalidInputError(attribute.name, value, "expected an ID such as 'OT-UNITS-001'")


def _to_severity(value: object) -> Severity:
    return Severity.parse(value)


@attrs.frozen(kw_only=True)
class Rule:
    """A validator with a stable identity, for catalogues, filtering and docs."""

    rule_id: str = attrs.field(validator=_check_rule_id)
    severity: Severity = attrs.field(converter=_to_severity)
    summary: str
    source: str
    payers: tuple[str, ...] = ()  # informational: which payers' rule sets include it
    check: CheckFunction = attrs.field(repr=False, eq=False)

    def __call__(self, claim: Claim, context: Context) -> list[Finding]:
        return [self._finding(p) for p in self.check(claim, context)]

    def _finding(self, problem: Problem) -> Finding:
        """The finding this rule reports for one of its problems."""
        return Finding(
            rule_id=self.rule_id,
            severity=problem.severity or self.severity,
            message=problem.message,
            line=problem.line,
            fix=problem.fix,
            source=self.source,
        )

    @property
    def info(self) -> RuleInfo:
        """The rule's catalogue entry."""
        return RuleInfo(
            rule_id=self.rule_id,
            severity=self.severity,
            summary=self.summary,
            source=self.source,
            payers=self.payers,
        )

    def describe(self) -> dict[str, Any]:
        """The rule's catalogue entry as plain data."""
        return self.info.to_dict()

    def __reduce__(self) -> tuple[Any, ...]:
        # @rule puts the Rule where its function was, so the function cannot be
        # pickled by name; the Rule can (for audit workers), when it is that name.
        module = getattr(self.check, "__module__", None)
        qualname = getattr(self.check, "__qualname__", "")
        if module and "<" not in qualname and _named_rule(module, qualname) is self:
            return (_named_rule, (module, qualname))
        raise pickle.PicklingError(
            f"rule {self.rule_id}: only a rule defined by @rule at module level can be "
            "pickled (sent to another process)"
        )


def _named_rule(module: str, qualname: str) -> object:
    """The object a module-level name points at, or ``None``."""
    try:
        found: object = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        return None
    return found


@attrs.frozen(kw_only=True)
class RuleInfo:
    """A catalogue entry: what a rule checks, how serious it is, where it comes from.

    ``scope`` is ``"claim"`` for rules that look at one claim and ``"batch"`` for
    the audit's rules about rows and files.
    """

    rule_id: str
    severity: Severity
    summary: str
    source: str
    payers: tuple[str, ...] = ()
    scope: str = "claim"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON and docs."""
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "summary": self.summary,
            "source": self.source,
            "payers": list(self.payers),
            "scope": self.scope,
        }


def rule(
    rule_id: str,
    severity: Severity | str,
    *,
    summary: str,
    source: str,
    payers: Iterable[str] = (),
) -> Callable[[CheckFunction], Rule]:
    """Decorator turning a check function into a :class:`Rule`."""

    def wrap(check: CheckFunction) -> Rule:
        return Rule(
            rule_id=rule_id,
            severity=Severity.parse(severity),
            summary=summary,
            source=source,
            payers=tuple(payers),
            check=check,
        )

    return wrap


@attrs.frozen(kw_only=True)
class Settings:
    """Configuration shared by every check of one rule set.

    ``payer``: whose rules apply (``None``: the claim's own payer field).
    ``year``: pin yearly figures (KX threshold, conversion factor) to one year
    instead of each line's date of service. ``unit_method``: ``"cms"`` or ``"cpt"``
    (``None``: CMS for Medicare, CPT otherwise). ``ncci``/``mue``: tables to use
    (``None``: the shipped editions). ``today``: the date "future" is judged
    against (``None``: the real today).
    """

    payer: str | None = None
    year: int | None = None
    unit_method: str | None = attrs.field(default=None)
    ncci: NcciTable | None = None
    mue: MueTable | None = None
    today: _dt.date | None = None

    @unit_method.validator
    def _check_method(self, attribute: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None and value not in UNIT_METHODS:
            raise InvalidInputError("unit_method", value, "expected 'cms' or 'cpt'")


_MISSING = object()
_NOTHING: tuple[Problem, ...] = ()
_NO_LINE_PLACE: frozenset[str | None] = frozenset({None})
T = TypeVar("T")

# Claims repeat a few dozen codes on a few hundred dates, and a row lookup walks the
# code's dated rows; the tables never change once loaded, so the answer is cached:
# (code, date of service) -> the code's row then. A plain dict rather than lru_cache,
# so that a hit only reads memory (the LRU bookkeeping wrote to it for every line of
# every claim); cleared when full, which a batch's few thousand pairs rarely make it.
_FOUND: dict[tuple[str, _dt.date], Code | None] = {}
_FOUND_SIZE = 8192


def _look_up(key: tuple[str, _dt.date]) -> Code | None:
    """``find(*key)``, remembered in ``_FOUND`` (the miss path of Context)."""
    if len(_FOUND) >= _FOUND_SIZE:
        _FOUND.clear()
    row = _FOUND[key] = find(*key)
    return row


class Context:
    """Facts about one claim, computed once per check and shared by every rule.

    Not thread-shared: each ``check`` call makes its own.

    The facts every rule set asks for (``payer``, ``codes``, ``line_codes``,
    ``line_places``, ``modifiers``, ``lines_by_date``, ``repeats``, ``first_date``,
    ``last_date``) are plain attributes filled in one pass over the lines when the
    context is made: a check reads them some thirty times, and a lazy property cost
    several times a plain read on each of them.
    """

    __slots__ = {
        "_memo": "Values computed once per check (see :meth:`memo`).",
        "claim": "The claim being checked.",
        "codes": ":meth:`code` of every line, in line order.",
        "first_date": (
            "The earliest date of service (``date.max`` for a claim without lines).\n\n"
            "The first key of ``lines_by_date``, for the rules that screen on the span of "
            "the claim's dates."
        ),
        "last_date": "The latest date of service (``date.min`` for a claim without lines).",
        "line_codes": (
            "Every procedure code billed on the claim.\n\n"
            "Lets a rule about a few codes pass over a claim that bills none of them."
        ),
        "line_places": (
            "Every place of service given on a line (``None`` for a line that gives none).\n\n"
            "Lets a rule about line places of service pass over a claim whose lines give none."
        ),
        "lines_by_date": "Line indexes grouped by date of service, dates in order.",
        "modifiers": (
            "Every modifier on any line of the claim.\n\n"
            "Lets a rule about a few modifiers pass over a claim that carries none of them."
        ),
        "payer": "The payer whose rules apply.",
        "repeats": (
            "Whether some code is on more than one line of one date of service.\n\n"
            "Lets the rules about repeated lines pass over the claims that have none."
        ),
        "settings": "The rule set's :class:`Settings`.",
        "today": 'The date "future" is judged against.',
    }

    claim: Claim
    settings: Settings
    today: _dt.date
    payer: str
    codes: tuple[Code | None, ...]
    line_codes: frozenset[str]
    line_places: frozenset[str | None]
    modifiers: frozenset[str]
    lines_by_date: Mapping[_dt.date, tuple[int, ...]]
    repeats: bool
    first_date: _dt.date
    last_date: _dt.date
    _memo: dict[str, Any]

    def __init__(self, claim: Claim, settings: Settings | None = None) -> None:
        self.claim = claim
        self.settings = settings = settings or Settings()
        self.today = settings.today or _dt.date.today()
        self.payer = settings.payer or claim.payer
        self._memo = {}
        codes: list[Code | None] = []
        found = _FOUND.get
        names: list[str] = []
        places: list[str] = []
        no_place = False
        modifiers: list[str] = []
        groups: dict[_dt.date, list[int]] = {}
        repeats = False
        for i, line in enumerate(claim.lines):
            on, name = line.date_of_service, line.code
            key = (name, on)
            row = found(key, _MISSING)
            codes.append(_look_up(key) if row is _MISSING else row)  # type: ignore[arg-type]
            names.append(name)
            if line.place_of_service is None:
                no_place = True
            else:
                places.append(line.place_of_service)
            modifiers += line.modifiers
            group = groups.get(on)
            if group is None:
                groups[on] = [i]
            else:
                # Another line on this date: does it bill a code already billed then?
                for j in group:
                    if names[j] == name:
                        repeats = True
                group.append(i)
        self.codes = tuple(codes)
        self.line_codes = frozenset(names)
        # Most lines leave the place of service to the claim: no set to build.
        self.line_places = (
            _NO_LINE_PLACE if not places else frozenset([*places, None] if no_place else places)
        )
        self.modifiers = frozenset(modifiers)
        self.repeats = repeats
        by_date: dict[_dt.date, tuple[int, ...]] = {}
        if len(groups) == 1:
            # Most claims are one visit: nothing to sort.
            ((on, group),) = groups.items()
            by_date[on] = tuple(group)
            self.first_date = self.last_date = on
        else:
            dates = sorted(groups)
            for on in dates:
                by_date[on] = tuple(groups[on])
            self.first_date = dates[0] if dates else _dt.date.max
            self.last_date = dates[-1] if dates else _dt.date.min
        self.lines_by_date = by_date

    @property
    def unit_method(self) -> str:
        """``"cms"`` (total time) or ``"cpt"`` (per-code midpoint)."""
        if self.settings.unit_method:
            return self.settings.unit_method
        return "cms" if self.payer == "medicare" else "cpt"

    def year(self, on: _dt.date) -> int:
        """The year whose figures apply to a date of service."""
        return self.settings.year or on.year

    def code(self, index: int) -> Code | None:
        """The code table row for line ``index`` on its date of service.

        ``None`` when the code is unknown or not in effect then; the codes
        validator reports that, other rules simply skip the line.
        """
        return self.codes[index]

    def dates_within(self, start: _dt.date | None, end: _dt.date | None) -> bool:
        """Whether every date of service lies from ``start`` to ``end`` (both included).

        ``None`` leaves that end open (False for a context without lines). The claim's
        first and last dates decide, so a rule about a period (a plan of care, an
        authorization) can pass over a claim inside it without a look at each line.

        >>> from otcoding.claim import Claim
        >>> claim = Claim.from_dict({"claim_id": "C-1", "payer": "medicare", "lines": [
        ...     {"code": "97110", "units": 1, "date_of_service": d}
        ...     for d in ("2026-03-02", "2026-03-09")]})
        >>> ctx, march = Context(claim), _dt.date(2026, 3, 1)
        >>> ctx.dates_within(march, None), ctx.dates_within(None, march)
        (True, False)
        """
        return bool(self.lines_by_date) and (
            (start is None or start <= self.first_date) and (end is None or self.last_date <= end)
        )

    def place_of_service(self, index: int) -> str | None:
        """The line's place of service, or the claim's when the line has none."""
        return self.claim.lines[index].place_of_service or self.claim.place_of_service

    def memo(self, key: str, compute: Callable[..., T], *args: Any) -> T:
        """Compute a value once per check (rules sharing work use the same key).

        ``compute(*args)`` is called on the first request; passing the arguments
        rather than a closure spares the rules a new function object per check.
        """
        value = self._memo.get(key, _MISSING)
        if value is _MISSING:
            value = self._memo[key] = compute(*args)
        return value  # type: ignore[no-any-return]


# ---------------------------------------------------------------- combinators


@attrs.frozen
class _AllOf:
    validators: tuple[Validator, ...]
    # Each validator with its check function when it is a plain Rule (else None),
    # worked out once here rather than on every check.
    _plan: tuple[tuple[Validator, CheckFunction | None], ...] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        plan = tuple((v, v.check if type(v) is Rule else None) for v in self.validators)
        object.__setattr__(self, "_plan", plan)

    def __reduce__(self) -> tuple[Any, ...]:
        # The plan holds bare check functions, which pickle cannot name: rebuild it.
        return (_AllOf, (self.validators,))

    def __call__(self, claim: Claim, context: Context) -> list[Finding]:
        out: list[Finding] = []
        for validator, check in self._plan:
            # Inline Rule.__call__: a check of a clean claim runs ~40 rules that find
            # nothing, and the extra frame per rule was a third of the check's time.
            if check is None:
                out.extend(validator(claim, context))
                continue
            problems = check(claim, context)
            if problems is _NOTHING:
                # The usual answer: no iterator over nothing. (CPython has one empty
                # tuple; elsewhere the loop below simply finds nothing.)
                continue
            finding = validator._finding  # type: ignore[attr-defined]
            out.extend(finding(p) for p in problems)
        return out


def all_of(*validators: Validator) -> Validator:
    """Run every validator and collect all their findings (never stops early)."""
    return _AllOf(tuple(validators))


@attrs.frozen
class _OnlyWhen:
    predicate: Callable[[Claim, Context], bool]
    validator: Validator

    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        if self.predicate(claim, context):
            return self.validator(claim, context)
        return ()


def only_when(predicate: Callable[[Claim, Context], bool], validator: Validator) -> Validator:
    """Run ``validator`` only for claims where ``predicate(claim, context)`` is true."""
    return _OnlyWhen(predicate, validator)


@attrs.frozen
class _Without:
    validator: Validator
    rule_ids: frozenset[str]

    def __call__(self, claim: Claim, context: Context) -> list[Finding]:
        return [f for f in self.validator(claim, context) if f.rule_id not in self.rule_ids]


def without(validator: Validator, *rule_ids: str) -> Validator:
    """Drop the given rules. Known rules are pruned up front, so they never run."""
    drop = frozenset(rule_ids)
    if isinstance(validator, Rule):
        return _AllOf(()) if validator.rule_id in drop else validator
    if isinstance(validator, _AllOf):
        return _AllOf(tuple(without(v, *drop) for v in validator.validators))
    if isinstance(validator, _OnlyWhen):
        return _OnlyWhen(validator.predicate, without(validator.validator, *drop))
    return _Without(validator, drop)


@attrs.frozen
class _WithSeverity:
    validator: Validator
    rule_id: str
    severity: Severity

    def __call__(self, claim: Claim, context: Context) -> list[Finding]:
        found = self.validator(claim, context)
        if type(found) is list and not found:
            return found  # most claims: nothing to go through
        return [
            attrs.evolve(f, severity=self.severity) if f.rule_id == self.rule_id else f
            for f in found
        ]


def with_severity(validator: Validator, rule_id: str, severity: Severity | str) -> Validator:
    """Report ``rule_id``'s findings at another severity (e.g. an error as a warning)."""
    return _WithSeverity(validator, rule_id, Severity.parse(severity))


#: One claim of :func:`check_each` still being checked: its index, the claim, its
#: context and its findings so far.
_Job = tuple[int, "Claim", Context, list[Finding]]


def check_each(
    validator: Validator, claims: list[Claim], contexts: list[Context]
) -> list[list[Finding] | Exception]:
    """``validator(claim, context)`` for many claims: per claim its findings, or what it raised.

    Each claim gets the findings, in the same order, that a call of its own would
    give; a claim whose check raises an :class:`Exception` gets that exception
    instead, and the other claims are checked as usual. The rules of an
    :func:`all_of` run *rule by rule* over the claims rather than claim by claim: one
    rule's code and tables then stay in the processor's caches across the claims,
    which made the checks of a batch a fifth faster (see ``docs/performance.md``).
    A validator that is not one of this module's combinators or rules is called
    once per claim, in claim order.

    >>> from otcoding.claim import Claim
    >>> @rule("X-DEMO-002", "warning", summary="Demo: two lines at most", source="house rule")
    ... def short(claim, ctx):
    ...     if len(claim.lines) > 2:
    ...         yield Problem("more than two lines")
    >>> claims = [Claim.from_dict({"claim_id": f"C-{n}", "payer": "medicare", "lines": [
    ...     {"code": "97110", "units": 1, "date_of_service": "2026-03-02"}] * n})
    ...     for n in (1, 3)]
    >>> [[f.rule_id for f in found] for found in check_each(
    ...     all_of(short), claims, [Context(c) for c in claims])]
    [[], ['X-DEMO-002']]
    """
    out: list[list[Finding] | Exception] = []
    live: list[_Job] = []
    for i, (claim, context) in enumerate(zip(claims, contexts, strict=True)):
        found: list[Finding] = []
        out.append(found)
        live.append((i, claim, context, found))
    _run_each(validator, live, out)
    return out


def _run_each(validator: Validator, live: list[_Job], out: list[list[Finding] | Exception]) -> None:
    """Add ``validator``'s findings to each live job's list; a job that raises leaves ``live``.

    Its exception replaces the job's findings in ``out``; ``live`` is edited in place,
    so that the callers' loops pass over that claim from then on.
    """
    kind = type(validator)
    if kind is _AllOf:
        for inner, check in validator._plan:  # type: ignore[attr-defined]
            if check is None:
                _run_each(inner, live, out)
            elif live:
                _run_rule(inner, check, live, out)
        return
    if kind is _WithSeverity:
        # Each job with where its findings from this validator will start (a job that
        # fails inside leaves `live`, so the list of jobs is kept here as it was).
        starts = [(job[0], job[3], len(job[3])) for job in live]
        _run_each(validator.validator, live, out)  # type: ignore[attr-defined]
        rule_id, severity = validator.rule_id, validator.severity  # type: ignore[attr-defined]
        for i, found, start in starts:
            if out[i] is not found:
                continue  # its check raised: no findings to report
            for at in range(start, len(found)):
                if found[at].rule_id == rule_id:
                    found[at] = attrs.evolve(found[at], severity=severity)
        return
    failed = False
    for i, claim, context, found in live:
        try:
            found.extend(validator(claim, context))
        except Exception as exc:
            out[i] = detached(exc)
            failed = True
    if failed:
        _drop_failed(live, out)


def _run_rule(
    rule: Rule, check: CheckFunction, live: list[_Job], out: list[list[Finding] | Exception]
) -> None:
    """One plain rule over every live job (``_AllOf.__call__``'s loop body, claim by claim)."""
    finding = rule._finding
    failed = False
    for i, claim, context, found in live:
        try:
            problems = check(claim, context)
            if problems is _NOTHING:
                continue
            found.extend(finding(p) for p in problems)
        except Exception as exc:
            out[i] = detached(exc)
            failed = True
    if failed:
        _drop_failed(live, out)


E = TypeVar("E", bound=BaseException)

#: otcoding's own errors about the input: a rule raising one refuses the claim it
#: checks (in a batch audit, OT-ROW-004; the other claims go on).
INPUT_ERRORS = (InvalidInputError, UnknownCodeError)


def detached(exc: E) -> E:
    """``exc`` made safe to keep in a list while the work goes on: for the claims kept in it.

    A traceback's frames lead, through each frame's caller, back to the frame that
    caught the exception, whose locals hold the list it is kept in and through it a
    whole chunk of claims: a reference cycle, which leaves the chunk to the garbage
    collector instead of being freed at once (at 100,000 lines the collector then
    took 0.8 s). otcoding's own input errors (:class:`InvalidInputError`,
    :class:`UnknownCodeError`) say all they have to say in their message, so they
    are kept without traceback or context. Any other exception keeps them, for its
    report: it is a bug or an unreadable table, and it stops the run.
    """
    if isinstance(exc, INPUT_ERRORS):
        exc.__context__ = exc.__cause__ = exc.__traceback__ = None
    return exc


def _drop_failed(live: list[_Job], out: list[list[Finding] | Exception]) -> None:
    live[:] = [job for job in live if out[job[0]] is job[3]]


def iter_rules(validator: Validator) -> Iterator[Rule]:
    """Every :class:`Rule` inside a composed validator, in order."""
    if isinstance(validator, Rule):
        yield validator
    elif isinstance(validator, _AllOf):
        for inner in validator.validators:
            yield from iter_rules(inner)
    elif isinstance(validator, _Without):
        yield from (
            r for r in iter_rules(validator.validator) if r.rule_id not in validator.rule_ids
        )
    elif isinstance(validator, (_OnlyWhen, _WithSeverity)):
        yield from iter_rules(validator.validator)
