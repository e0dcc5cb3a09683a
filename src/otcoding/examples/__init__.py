"""Example data shipped with otcoding: one claim per rule family, and a batch.

Everything here is synthetic: no real patient, member ID or provider. The files
are package data, so they work after a plain ``pip install``; nothing is read
until a function here is called.

- :func:`claim_names` / :func:`load_claim`: the claims of the rule catalogue
  (``otcoding check --example NAME``).
- :func:`batch_path`: ``batch.csv``, a batch of a few hundred service lines
  across some sixty claims, clean ones and each error family, in the batch CSV
  format (``otcoding audit --example``). It is made by
  :mod:`otcoding.examples.generate` with its default seed.

>>> "units" in claim_names()
True
>>> load_claim("units")["claim_id"]
'EX-UNITS-1'
>>> batch_path().name
'batch.csv'
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from otcoding.errors import InvalidInputError

if TYPE_CHECKING:
    from importlib.abc import Traversable

__all__ = ["batch_path", "claim_names", "load_claim"]


def _claims_dir() -> Traversable:
    return resources.files(__name__).joinpath("claims")


def claim_names() -> tuple[str, ...]:
    """The names of the shipped example claims, sorted."""
    return tuple(sorted(p.name[:-5] for p in _claims_dir().iterdir() if p.name.endswith(".json")))


def load_claim(name: str) -> dict[str, Any]:
    """The example claim ``name`` as a dict in the JSON claim format.

    >>> load_claim("nope")
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: example: no example claim of that name (try ...), got 'nope'
    """
    names = claim_names()
    if name not in names:
        raise InvalidInputError(
            "example", name, f"no example claim of that name (try {', '.join(names)})"
        )
    data: dict[str, Any] = json.loads(
        _claims_dir().joinpath(f"{name}.json").read_text(encoding="utf-8")
    )
    return data


def batch_path() -> Traversable:
    """The shipped example batch (``batch.csv``); open it with ``.open()`` or pass it on."""
    return resources.files(__name__).joinpath("batch.csv")
