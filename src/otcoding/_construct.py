"""Filling frozen attrs instances without their generated ``__init__`` (internal).

The claim model and the unit calculator build many small frozen values in hot loops.
The ``__init__`` attrs generates for a frozen class sets each field through
``object.__setattr__`` (frozen classes override ``__setattr__``) and takes keyword
arguments; a bare instance filled through its slot descriptors costs about half as
much. Frozen only overrides ``__setattr__``: the slot descriptors stay writable.

Only for a class whose fields the caller converts and validates itself, as its
``__init__`` would, and sets every one of, in field order.

>>> import attrs
>>> @attrs.frozen
... class Point:
...     x: int
...     y: int
>>> set_x, set_y = slot_setters(Point)
>>> p = new(Point)
>>> set_x(p, 1); set_y(p, 2)
>>> p == Point(1, 2)
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["new", "slot_setters"]

#: A bare instance of a class, no ``__init__`` run.
new = object.__new__


def slot_setters(cls: type[Any]) -> tuple[Callable[[Any, Any], None], ...]:
    """The setters of ``cls``'s slots, in field order."""
    return tuple(cls.__dict__[a.name].__set__ for a in attrs.fields(cls))
