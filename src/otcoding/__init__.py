"""otcoding: rules for US occupational-therapy billing.

Effective-dated code tables, the 8-minute rule, claim validators with Medicare
and commercial rule sets, and a streaming batch audit. Pure Python; importing
it reads no file.

>>> import otcoding
>>> otcoding.medicare().name
'medicare'
"""

from __future__ import annotations

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
