"""Ready rule sets per payer, and :func:`check`.

A :class:`RuleSet` is an immutable value: rules plus settings. Build one once and
share it between threads; each ``check`` call keeps its own state.

>>> from otcoding import rulesets
>>> ruleset = rulesets.medicare()
>>> ruleset.name
'medicare'
>>> ruleset is rulesets.medicare()  # built once, then cached
True
"""

from __future__ import annotations

import datetime as _dt
import functools
import importlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from otcoding.claim import Claim
from otcoding.errors import InvalidInputError
from otcoding.findings import Finding, Report, Severity, _report
from otcoding.validators import (
    Context,
    Rule,
    RuleInfo,
    Settings,
    Validator,
    all_of,
    iter_rules,
    with_severity,
    without,
)
from otcoding.validators._core import check_each, detached

if TYPE_CHECKING:
    from otcoding.codes import MueTable, NcciTable

__all__ = [
    "PAYERS",
    "RuleSet",
    "check",
    "commercial",
    "for_payer",
    "medicaid",
    "medicare",
    "rules",
]

PAYERS = ("medicare", "medicaid", "commercial")

# Rule modules under otcoding.validators, in the order their findings are produced.
_MEDICARE: tuple[str, ...] = (
    "codes",
    "units",
    "discipline",
    "evaluations",
    "ncci",
    "kx",
    "assistants",
    "telehealth",
    "plan_of_care",
    "authorization",
    "clerical",
    "timely_filing",
    "duplicates",
)
# Commercial: no Medicare statute or manual rules (KX, CQ/CO, telehealth waivers,
# certification, 12-month filing, GO enforcement under CR 10176).
_COMMERCIAL: tuple[str, ...] = (
    "codes",
    "units",
    "evaluations",
    "ncci",
    "authorization",
    "clerical",
    "duplicates",
)
# Medicaid: the commercial rules plus the discipline modifiers Medicare requires.
_MEDICAID: tuple[str, ...] = (
    "codes",
    "units",
    "discipline",
    "evaluations",
    "ncci",
    "authorization",
    "clerical",
    "duplicates",
)
# Many commercial plans adopt NCCI and MUE edits, but not all of them and not
# always the Medicare quarter: outside Medicare, an edit hit is worth a warning.
_COMMERCIAL_WARN_PREFIXES = ("OT-NCCI-", "OT-MUE-")


def _module_rules(names: Iterable[str], payer: str) -> tuple[Rule, ...]:
    """The rules of the named modules that apply to ``payer``.

    A rule that lists payers applies only to those; one that lists none applies to all.
    """
    out: list[Rule] = []
    for name in names:
        module = importlib.import_module(f"otcoding.validators.{name}")
        rules: tuple[Rule, ...] = module.RULES
        out.extend(r for r in rules if not r.payers or payer in r.payers)
    return tuple(out)


@attrs.frozen(kw_only=True)
class RuleSet:
    """Rules plus settings; ``check(claim)`` returns a :class:`~otcoding.findings.Report`.

    A rule set is itself a validator, so it composes with the combinators.
    """

    name: str
    validator: Validator = attrs.field(repr=False)
    settings: Settings = attrs.field(factory=Settings)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this set runs."""
        return tuple(iter_rules(self.validator))

    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        return self.validator(claim, context)

    def check(self, claim: Claim | Mapping[str, Any]) -> Report:
        """Check one claim (a :class:`~otcoding.claim.Claim` or a dict in the JSON format)."""
        parsed = claim if isinstance(claim, Claim) else Claim.from_dict(claim)
        findings = self.validator(parsed, Context(parsed, self.settings))
        return _report(parsed.claim_id, tuple(findings))

    def _check_each(self, claims: list[Claim]) -> list[Report | Exception]:
        """:meth:`check` for each of many parsed claims: its report, or what it raised.

        The same reports as one :meth:`check` per claim, found rule by rule over the
        claims (:func:`~otcoding.validators._core.check_each`); a claim whose check
        raises gets the exception, and the others are checked as usual. For the batch
        audit.

        >>> from otcoding.claim import Claim
        >>> claims = [Claim.from_dict({"claim_id": "C-1", "payer": "medicare", "lines": [
        ...     {"code": "97110", "units": 2, "minutes": 20, "date_of_service": "2026-03-02"}]})]
        >>> ruleset = medicare(today=_dt.date(2026, 3, 10))
        >>> ruleset._check_each(claims) == [ruleset.check(claims[0])]
        True
        """
        reports: list[Report | Exception | None] = [None] * len(claims)
        made: list[Claim] = []
        contexts: list[Context] = []
        at: list[int] = []
        for i, claim in enumerate(claims):
            try:
                contexts.append(Context(claim, self.settings))
            except Exception as exc:
                reports[i] = detached(exc)
                continue
            made.append(claim)
            at.append(i)
        for i, claim, found in zip(
            at, made, check_each(self.validator, made, contexts), strict=True
        ):
            reports[i] = (
                found if isinstance(found, Exception) else _report(claim.claim_id, tuple(found))
            )
        return reports  # type: ignore[return-value]  # every claim has its entry now

    def without(self, *rule_ids: str) -> RuleSet:
        """The same set minus some rules."""
        return attrs.evolve(self, validator=without(self.validator, *rule_ids))

    def with_severity(self, rule_id: str, severity: Severity | str) -> RuleSet:
        """The same set with one rule reported at another severity."""
        return attrs.evolve(self, validator=with_severity(self.validator, rule_id, severity))

    def plus(self, *validators: Validator) -> RuleSet:
        """The same set with host-written validators added."""
        return attrs.evolve(self, validator=all_of(self.validator, *validators))

    def configure(self, **settings: Any) -> RuleSet:
        """The same rules with other settings (``year``, ``unit_method``, ``today``, ...)."""
        return attrs.evolve(self, settings=attrs.evolve(self.settings, **settings))


def _year(year: int | None) -> int | None:
    if year is None:
        return None
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInputError("year", year, "expected a calendar year such as 2026")
    return year


@functools.lru_cache(maxsize=64)
def medicare(
    year: int | None = None,
    *,
    today: _dt.date | None = None,
    ncci: NcciTable | None = None,
    mue: MueTable | None = None,
) -> RuleSet:
    """Medicare Part B outpatient OT rules (CMS total-time unit method).

    ``year`` pins yearly figures (KX threshold, conversion factor) to one year;
    by default each line's date of service decides.
    """
    settings = Settings(
        payer="medicare", year=_year(year), unit_method="cms", today=today, ncci=ncci, mue=mue
    )
    return RuleSet(
        name="medicare", validator=all_of(*_module_rules(_MEDICARE, "medicare")), settings=settings
    )


def _commercial_rules(names: Iterable[str], payer: str) -> Validator:
    validator: Validator = all_of(*_module_rules(names, payer))
    for r in iter_rules(validator):
        if r.rule_id.startswith(_COMMERCIAL_WARN_PREFIXES) and r.severity is Severity.ERROR:
            validator = with_severity(validator, r.rule_id, Severity.WARNING)
    return validator


@functools.lru_cache(maxsize=64)
def commercial(
    method: str = "cpt",
    *,
    today: _dt.date | None = None,
    ncci: NcciTable | None = None,
    mue: MueTable | None = None,
) -> RuleSet:
    """Commercial payer rules; ``method`` is the unit method (``"cpt"`` or ``"cms"``)."""
    settings = Settings(payer="commercial", unit_method=method, today=today, ncci=ncci, mue=mue)
    return RuleSet(
        name="commercial", validator=_commercial_rules(_COMMERCIAL, "commercial"), settings=settings
    )


@functools.lru_cache(maxsize=64)
def medicaid(
    method: str = "cpt",
    *,
    today: _dt.date | None = None,
    ncci: NcciTable | None = None,
    mue: MueTable | None = None,
) -> RuleSet:
    """Medicaid: the commercial rules plus Medicare's discipline modifiers (GO)."""
    settings = Settings(payer="medicaid", unit_method=method, today=today, ncci=ncci, mue=mue)
    return RuleSet(
        name="medicaid", validator=_commercial_rules(_MEDICAID, "medicaid"), settings=settings
    )


def for_payer(
    payer: str,
    *,
    year: int | None = None,
    unit_method: str | None = None,
    today: _dt.date | None = None,
) -> RuleSet:
    """The rule set for a payer name (``"medicare"``, ``"medicaid"``, ``"commercial"``).

    >>> for_payer("Medicare").name
    'medicare'
    """
    key = payer.strip().lower() if isinstance(payer, str) else payer
    if key == "medicare":
        ruleset = medicare(year, today=today)
        return ruleset.configure(unit_method=unit_method) if unit_method else ruleset
    if key == "commercial":
        ruleset = commercial(unit_method or "cpt", today=today)
    elif key == "medicaid":
        ruleset = medicaid(unit_method or "cpt", today=today)
    else:
        raise InvalidInputError("payer", payer, "expected 'medicare', 'medicaid' or 'commercial'")
    return ruleset.configure(year=_year(year)) if year is not None else ruleset


def check(
    claim: Claim | Mapping[str, Any],
    *,
    year: int | None = None,
    unit_method: str | None = None,
    today: _dt.date | None = None,
) -> Report:
    """Check a claim with the rule set of its own payer.

    >>> import otcoding
    >>> report = otcoding.check({"claim_id": "C-9", "payer": "commercial", "lines": [
    ...     {"code": "97110", "units": 1, "minutes": 15, "date_of_service": "2026-03-02"}]},
    ...     today=_dt.date(2026, 3, 10))
    >>> report.claim_id
    'C-9'
    """
    parsed = claim if isinstance(claim, Claim) else Claim.from_dict(claim)
    ruleset = for_payer(parsed.payer, year=year, unit_method=unit_method, today=today)
    return ruleset.check(parsed)


def rules() -> tuple[RuleInfo, ...]:
    """The catalogue of every shipped rule (claim rules, then batch rules), by rule ID.

    >>> ids = [r.rule_id for r in rules()]
    >>> len(ids) == len(set(ids))
    True
    """
    payers: dict[str, list[str]] = {}
    infos: dict[str, RuleInfo] = {}
    for payer, names in (
        ("medicare", _MEDICARE),
        ("commercial", _COMMERCIAL),
        ("medicaid", _MEDICAID),
    ):
        for r in _module_rules(names, payer):
            infos.setdefault(r.rule_id, r.info)
            payers.setdefault(r.rule_id, []).append(payer)
    out = [attrs.evolve(info, payers=tuple(payers[rid])) for rid, info in infos.items()]
    out.extend(_batch_rules())
    return tuple(sorted(out, key=lambda r: r.rule_id))


def _batch_rules() -> tuple[RuleInfo, ...]:
    from otcoding.validators.batch import BATCH_RULES

    return BATCH_RULES
