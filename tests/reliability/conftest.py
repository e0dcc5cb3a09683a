"""Make the shared test helpers importable from this folder.

``tests/`` has no ``__init__.py``: pytest's default (prepend) import mode puts only
a test file's own folder on ``sys.path``, so modules here could not import
``claimfactory`` or ``strategies`` from the parent folder without this.
"""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
