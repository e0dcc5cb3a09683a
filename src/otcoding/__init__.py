"""otcoding: rules for US occupational-therapy billing.

Effective-dated code tables, the 8-minute rule, claim validators with Medicare
and commercial rule sets, and a streaming batch audit. Pure Python; importing
it reads no file, and it imports each part of the package on first use (PEP 562),
so a host that only looks up codes does not pay for the audit.

>>> import otcoding
>>> otcoding.medicare().name
'medicare'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from otcoding.auditor import Audit, AuditFinding, Summary, audit
    from otcoding.claim import (
        Authorization,
        Claim,
        Patient,
        PlanOfCare,
        Provider,
        ServiceLine,
    )
    from otcoding.codes import (
        Code,
        CodeKind,
        Modifier,
        MueEdit,
        NcciEdit,
        PlaceOfService,
        data_editions,
        history,
        load_mue,
        load_ncci,
        lookup,
        modifier,
        mue,
        ncci_pair,
        place_of_service,
    )
    from otcoding.errors import (
        DataFileError,
        InvalidInputError,
        OTCodingError,
        UnknownCodeError,
    )
    from otcoding.findings import Finding, Report, Severity
    from otcoding.rulesets import (
        RuleSet,
        check,
        commercial,
        for_payer,
        medicaid,
        medicare,
        rules,
    )
    from otcoding.units import Allocation, Comparison, allocate, compare, total_units
    from otcoding.validators import (
        Context,
        Problem,
        Rule,
        RuleInfo,
        Settings,
        Validator,
        all_of,
        only_when,
        rule,
        with_severity,
        without,
    )

__version__ = "0.1.0"

__all__ = [
    "Allocation",
    "Audit",
    "AuditFinding",
    "Authorization",
    "Claim",
    "Code",
    "CodeKind",
    "Comparison",
    "Context",
    "DataFileError",
    "Finding",
    "InvalidInputError",
    "Modifier",
    "MueEdit",
    "NcciEdit",
    "OTCodingError",
    "Patient",
    "PlaceOfService",
    "PlanOfCare",
    "Problem",
    "Provider",
    "Report",
    "Rule",
    "RuleInfo",
    "RuleSet",
    "ServiceLine",
    "Settings",
    "Severity",
    "Summary",
    "UnknownCodeError",
    "Validator",
    "__version__",
    "all_of",
    "allocate",
    "audit",
    "check",
    "commercial",
    "compare",
    "data_editions",
    "for_payer",
    "history",
    "load_mue",
    "load_ncci",
    "lookup",
    "medicaid",
    "medicare",
    "modifier",
    "mue",
    "ncci_pair",
    "only_when",
    "place_of_service",
    "rule",
    "rules",
    "total_units",
    "with_severity",
    "without",
]

# Where each public name lives; importing that module is deferred to first use.
_LAZY: dict[str, str] = {
    "Audit": "otcoding.auditor",
    "AuditFinding": "otcoding.auditor",
    "Summary": "otcoding.auditor",
    "audit": "otcoding.auditor",
    "Authorization": "otcoding.claim",
    "Claim": "otcoding.claim",
    "Patient": "otcoding.claim",
    "PlanOfCare": "otcoding.claim",
    "Provider": "otcoding.claim",
    "ServiceLine": "otcoding.claim",
    "Code": "otcoding.codes",
    "CodeKind": "otcoding.codes",
    "Modifier": "otcoding.codes",
    "MueEdit": "otcoding.codes",
    "NcciEdit": "otcoding.codes",
    "PlaceOfService": "otcoding.codes",
    "data_editions": "otcoding.codes",
    "history": "otcoding.codes",
    "load_mue": "otcoding.codes",
    "load_ncci": "otcoding.codes",
    "lookup": "otcoding.codes",
    "modifier": "otcoding.codes",
    "mue": "otcoding.codes",
    "ncci_pair": "otcoding.codes",
    "place_of_service": "otcoding.codes",
    "DataFileError": "otcoding.errors",
    "InvalidInputError": "otcoding.errors",
    "OTCodingError": "otcoding.errors",
    "UnknownCodeError": "otcoding.errors",
    "Finding": "otcoding.findings",
    "Report": "otcoding.findings",
    "Severity": "otcoding.findings",
    "RuleSet": "otcoding.rulesets",
    "check": "otcoding.rulesets",
    "commercial": "otcoding.rulesets",
    "for_payer": "otcoding.rulesets",
    "medicaid": "otcoding.rulesets",
    "medicare": "otcoding.rulesets",
    "rules": "otcoding.rulesets",
    "Allocation": "otcoding.units",
    "Comparison": "otcoding.units",
    "allocate": "otcoding.units",
    "compare": "otcoding.units",
    "total_units": "otcoding.units",
    "Context": "otcoding.validators",
    "Problem": "otcoding.validators",
    "Rule": "otcoding.validators",
    "RuleInfo": "otcoding.validators",
    "Settings": "otcoding.validators",
    "Validator": "otcoding.validators",
    "all_of": "otcoding.validators",
    "only_when": "otcoding.validators",
    "rule": "otcoding.validators",
    "with_severity": "otcoding.validators",
    "without": "otcoding.validators",
}


def __getattr__(name: str) -> Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'otcoding' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
