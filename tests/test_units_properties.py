"""Properties of otcoding.units that must hold for every day of minutes."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import random

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from otcoding.units import Allocation, _fits, allocate, compare, total_units

DOS = dt.date(2026, 3, 2)
TIMED = ("97110", "97112", "97113", "97116", "97140", "97530", "97535", "97035")
UNTIMED = ("97150", "97165", "97166", "97168")

# Up to 6 timed and 2 untimed codes of at most 180 minutes keep every day within 24 hours.
minutes_st = st.integers(min_value=0, max_value=180)
timed_day = st.dictionaries(st.sampled_from(TIMED), minutes_st, min_size=1, max_size=6)
untimed_day = st.dictionaries(st.sampled_from(UNTIMED), minutes_st, max_size=2)
label_day = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3), minutes_st, min_size=1, max_size=6
)


def chart(minutes: int) -> int:
    return 0 if minutes < 8 else (minutes + 7) // 15


def cms_valid(units: dict[str, int], minutes: dict[str, int]) -> bool:
    """Whether a billing is a valid CMS allocation, checked from the rules directly.

    Total from the chart; every code keeps its whole units and gets at most one more;
    an extra unit never goes to a code with fewer minutes left over than a code
    that went without.
    """
    if sum(units.values()) != chart(sum(minutes.values())):
        return False
    extra = {}
    for code, m in minutes.items():
        bonus = units[code] - m // 15
        if bonus not in (0, 1):
            return False
        extra[code] = bonus
    with_extra = [minutes[c] % 15 for c in minutes if extra[c]]
    without = [minutes[c] % 15 for c in minutes if not extra[c]]
    return not with_extra or not without or min(with_extra) >= max(without)


@given(st.integers(min_value=0, max_value=1440))
def test_total_units_is_the_chart(m: int) -> None:
    assert total_units(m) == chart(m)
    assert total_units(str(m)) == total_units(m)


@given(timed_day, untimed_day)
def test_cms_total_follows_the_chart(timed: dict[str, int], untimed: dict[str, int]) -> None:
    a = allocate({**timed, **untimed}, on=DOS)
    assert a.timed_minutes == sum(timed.values())
    assert a.timed_units == total_units(sum(timed.values()))
    assert a.total_units == a.timed_units + len(untimed)
    assert sum(a.units.values()) == a.total_units


@given(label_day, st.sampled_from(["cms", "cpt"]))
def test_per_code_bounds(minutes: dict[str, int], method: str) -> None:
    a = allocate(minutes, method=method, lookup=False)
    for code, m in minutes.items():
        assert a.units[code] >= m // 15
        assert a.units[code] <= math.ceil(m / 15)
        if m >= 15:
            assert a.units[code] >= 1
        low, high = a.allowed[code]
        assert low <= a.units[code] <= high
    assert set(a.dropped) == {code for code, n in a.units.items() if n == 0}


@given(label_day, st.data())
def test_adding_a_minute_never_lowers_the_total(
    minutes: dict[str, int], data: st.DataObject
) -> None:
    code = data.draw(st.sampled_from(sorted(minutes)))
    more = {**minutes, code: minutes[code] + 1}
    for method in ("cms", "cpt"):
        before = allocate(minutes, method=method, lookup=False).total_units
        after = allocate(more, method=method, lookup=False).total_units
        assert after >= before


@given(timed_day, untimed_day, st.randoms(use_true_random=False))
def test_order_never_changes_the_result(
    timed: dict[str, int], untimed: dict[str, int], rnd: random.Random
) -> None:
    items = list({**timed, **untimed}.items())
    shuffled = items[:]
    rnd.shuffle(shuffled)
    for method in ("cms", "cpt"):
        a = allocate(dict(items), method=method, on=DOS)
        b = allocate(dict(shuffled), method=method, on=DOS)
        assert a == b
        assert a.explain() == b.explain()
        assert a.to_dict() == b.to_dict()
        assert json.loads(json.dumps(a.to_dict())) == a.to_dict()
        assert a._repr_html_() == b._repr_html_()


@given(st.sampled_from(TIMED), st.integers(min_value=0, max_value=1440))
def test_cms_and_cpt_agree_for_a_single_code(code: str, m: int) -> None:
    cms = allocate({code: m}, on=DOS)
    cpt = allocate({code: m}, method="cpt", on=DOS)
    assert cms.units == cpt.units == {code: chart(m)}


@given(timed_day, untimed_day, untimed_day, st.sampled_from(["cms", "cpt"]))
def test_untimed_minutes_never_change_timed_units(
    timed: dict[str, int], first: dict[str, int], second: dict[str, int], method: str
) -> None:
    alone = allocate(timed, method=method, on=DOS)
    with_first = allocate({**timed, **first}, method=method, on=DOS)
    with_second = allocate({**timed, **second}, method=method, on=DOS)
    for code in timed:
        assert alone.units[code] == with_first.units[code] == with_second.units[code]
    for code in first:
        assert with_first.units[code] == 1


@given(label_day)
def test_cpt_units_per_code_are_the_chart(minutes: dict[str, int]) -> None:
    a = allocate(minutes, method="cpt", lookup=False)
    assert dict(a.units) == {code: chart(m) for code, m in minutes.items()}
    assert a.ties == ()


@given(label_day)
def test_cms_allocation_is_valid(minutes: dict[str, int]) -> None:
    assert cms_valid(dict(allocate(minutes, lookup=False).units), minutes)


@given(label_day, st.sampled_from(["cms", "cpt"]))
def test_compare_of_the_computed_allocation_is_ok(minutes: dict[str, int], method: str) -> None:
    a = allocate(minutes, method=method, lookup=False)
    c = compare(a.units, minutes, method=method, lookup=False)
    assert c.ok
    assert c.over == {}
    assert c.under == {}


@settings(max_examples=200)
@given(
    st.dictionaries(
        st.sampled_from("abcde"), st.integers(min_value=0, max_value=50), min_size=1, max_size=5
    ),
    st.data(),
)
def test_compare_accepts_exactly_the_valid_allocations(
    minutes: dict[str, int], data: st.DataObject
) -> None:
    """Every tie-break CMS allows passes compare; nothing else does."""
    a = allocate(minutes, lookup=False)
    codes = sorted(minutes)
    # Every billing within one unit of the computed one, where all the candidates lie.
    offsets = [(-1, 0, 1)] * len(codes)
    candidates = list(itertools.product(*offsets))
    for offset in data.draw(st.permutations(candidates))[:40]:
        billed = {c: max(0, a.units[c] + d) for c, d in zip(codes, offset, strict=True)}
        c = compare(billed, minutes, lookup=False)
        assert c.ok == cms_valid(billed, minutes), (billed, minutes)
        if not c.ok:
            assert c.over or c.under
            assert all(ln.reason for ln in c.lines if ln.status != "ok")
        assert c.explain()
        assert sum(ln.supportable for ln in c.lines) == a.total_units


# Billed units near the supportable ones, so that most days fit and many just miss.
near_billing = st.integers(min_value=-1, max_value=2)


@given(label_day, st.data(), st.sampled_from(["cms", "cpt"]))
def test_the_fits_shortcut_of_the_unit_rules_agrees_with_compare(
    minutes: dict[str, int], data: st.DataObject, method: str
) -> None:
    supported = allocate(minutes, method=method, lookup=False).units
    billed = {
        code: max(0, supported[code] + data.draw(near_billing, label=code)) for code in minutes
    }
    assert (
        _fits(method, billed, minutes) == compare(billed, minutes, method=method, lookup=False).ok
    )
    if method == "cms":
        assert _fits(method, billed, minutes) == cms_valid(billed, minutes)


def test_allocation_has_no_field_logic_its_fast_construction_would_skip() -> None:
    # _allocate fills an Allocation through its slots, not its __init__: a converter,
    # validator or default added to a field would be silently skipped there.
    for field in attrs.fields(Allocation):
        assert field.converter is None, field.name
        assert field.validator is None, field.name
        assert field.default is attrs.NOTHING, field.name


@given(timed_day, untimed_day, st.sampled_from(["cms", "cpt"]))
def test_an_allocation_equals_the_one_its_init_builds(
    timed: dict[str, int], untimed: dict[str, int], method: str
) -> None:
    got = allocate({**timed, **untimed}, method=method, on=DOS)
    # evolve() reads every field (an unset slot would raise) and calls __init__.
    again = attrs.evolve(got)
    assert again == got
    assert hash(again) == hash(got)
    assert repr(again) == repr(got)
