"""otcoding: rules for US occupational-therapy billing.

Effective-dated code tables, the 8-minute rule, claim validators with Medicare
and commercial rule sets, and a streaming batch audit. Pure Python; importing
it reads no file.
"""

from __future__ import annotations

from otcoding.errors import (
    DataFileError,
    InvalidInputError,
    OTCodingError,
    UnknownCodeError,
)

__version__ = "0.1.0"

__all__ = [
    "DataFileError",
    "InvalidInputError",
    "OTCodingError",
    "UnknownCodeError",
    "__version__",
]
