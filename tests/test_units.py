"""otcoding.units: the 8-minute rule, against the CMS worked examples and sourced checks.

Examples are from ../shared/reference/medicare-rules.md §1.4 (CMS Pub 100-04 ch.5
§20.2) and §2 (CPT per-code midpoint method).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import pickle
import threading

import attrs
import pytest

from otcoding.cli import main
from otcoding.errors import InvalidInputError, UnknownCodeError
from otcoding.units import (
    METHODS,
    Allocation,
    Comparison,
    Tie,
    allocate,
    compare,
    total_units,
)

DOS = dt.date(2026, 3, 2)


def cms(minutes: dict[str, int]) -> Allocation:
    return allocate(minutes, on=DOS)


def cpt(minutes: dict[str, int]) -> Allocation:
    return allocate(minutes, method="cpt", on=DOS)


# --- the chart -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "units"),
    [
        (0, 0),
        (1, 0),
        (7, 0),
        (8, 1),
        (22, 1),
        (23, 2),
        (37, 2),
        (38, 3),
        (52, 3),
        (53, 4),
        (67, 4),
        (68, 5),
        (82, 5),
        (83, 6),
        (97, 6),
        (98, 7),
        (112, 7),
        (113, 8),
        (127, 8),
        # "the pattern remains the same" past 2 hours: no cap at 8 units.
        (128, 9),
        (142, 9),
        (143, 10),
        (1440, 96),
    ],
)
def test_chart(minutes: int, units: int) -> None:
    assert total_units(minutes) == units


def test_chart_accepts_digit_strings() -> None:
    assert total_units("38") == 3
    assert total_units(" 8 ") == 1


@pytest.mark.parametrize(
    "bad",
    [-1, -15, 2.0, 7.5, True, False, math.nan, math.inf, "abc", "1.5", "", "8 min", 1441, None],
)
def test_chart_refuses_bad_input(bad: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        total_units(bad)  # type: ignore[arg-type]
    assert info.value.field == "minutes"
    assert repr(bad) in str(info.value)


# --- CMS worked examples (Pub 100-04 ch.5 §20.2) ----------------------------------------


def test_cms1_24_and_23_minutes() -> None:
    """CMS-1: 47 min → 3 units; the extra unit goes to the code with more time."""
    a = cms({"97112": 24, "97110": 23})
    assert a.units == {"97112": 2, "97110": 1}
    assert a.total_units == 3
    assert a.timed_minutes == 47
    assert not a.ties
    assert not a.dropped
    text = a.explain()
    assert "Total timed minutes 47 → 3 units (38–52)." in text
    assert "The 3rd unit goes to 97112, whose 9 remaining minutes exceed 97110's 8." in text
    assert "Source: CMS Pub 100-04 ch.5 §20.2." in text


def test_cms2_20_and_20_minutes_is_a_tie() -> None:
    """CMS-2: 40 min → 3 units; either code takes the 2nd unit, never 3 of one code."""
    a = cms({"97112": 20, "97110": 20})
    assert a.total_units == 3
    assert sorted(a.units.values()) == [1, 2]
    # Documented tie-break: equal minutes, so code order.
    assert a.units == {"97110": 2, "97112": 1}
    assert a.ties == (
        Tie(codes=("97110", "97112"), remaining_minutes=5, units=1, chosen=("97110",)),
    )
    assert a.allowed == {"97110": (1, 2), "97112": (1, 2)}
    text = a.explain()
    assert "either is acceptable to CMS" in text
    assert "tie broken by more total minutes, then code order" in text


def test_cms3_33_and_7_minutes() -> None:
    """CMS-3: 97110's 3 leftover minutes lose to 97140's 7, so 97140 gets the 3rd unit."""
    a = cms({"97110": 33, "97140": 7})
    assert a.units == {"97110": 2, "97140": 1}
    assert a.total_units == 3
    text = a.explain()
    assert "97110 33 min: 2 full units, 3 min left." in text
    assert "The 3rd unit goes to 97140, whose 7 remaining minutes exceed 97110's 3" in text
    assert "under 8 minutes, but the day's pooled minutes earn the unit" in text


def test_cms4_ultrasound_not_billed() -> None:
    """CMS-4: 49 min → 3 units to 97110, 97140, 97116; 97035's 8 min documented, not billed."""
    a = cms({"97110": 18, "97140": 13, "97116": 10, "97035": 8})
    assert a.units == {"97110": 1, "97140": 1, "97116": 1, "97035": 0}
    assert a.total_units == 3
    assert a.timed_minutes == 49
    assert set(a.dropped) == {"97035"}
    assert "documented but not billed" in a.dropped["97035"]
    assert "97035 is not billed" in a.explain()


def test_cms5_three_codes_of_7_minutes() -> None:
    """CMS-5: 7/7/7 → 21 min → 1 unit, any one of the three.

    The rule ("same logic ... three or more services") is confirmed; the example's
    exact numbers are UNCONFIRMED against a retrieved copy of the manual
    (medicare-rules.md §1.4 and §11.1).
    """
    a = cms({"97112": 7, "97110": 7, "97140": 7})
    assert a.total_units == 1
    assert sum(a.units.values()) == 1
    assert a.ties[0].codes == ("97110", "97112", "97140")
    assert a.ties[0].units == 1
    assert a.units["97110"] == 1
    assert all(a.allowed[c] == (0, 1) for c in ("97110", "97112", "97140"))
    assert "any one of them is acceptable to CMS" in a.explain()
    for code in ("97112", "97140"):
        assert "tied with" in a.dropped[code]


def test_cms6_single_code_60_minutes() -> None:
    """CMS-6: 60 min of 97530 is 4 units, straight from the chart."""
    a = cms({"97530": 60})
    assert a.units == {"97530": 4}
    assert "97530 60 min: 4 full units." in a.explain()


# --- more sourced checks (§1.4) ---------------------------------------------------------


def test_fifty_minutes_supports_three_units_not_four() -> None:
    assert total_units(50) == 3
    assert total_units(53) == 4
    c = compare({"97530": 4}, {"97530": 50}, on=DOS)
    assert not c.ok
    assert c.over == {"97530": 1}


def test_single_service_under_8_minutes_is_not_billed() -> None:
    a = cms({"97530": 5})
    assert a.units == {"97530": 0}
    assert a.total_units == 0
    assert "under 8" in a.dropped["97530"]


def test_five_and_three_minutes_bill_one_unit_for_the_longer() -> None:
    a = cms({"97530": 3, "97110": 5})
    assert a.units == {"97110": 1, "97530": 0}


def test_eighteen_and_ten_minutes() -> None:
    assert cms({"97110": 18, "97140": 10}).units == {"97110": 1, "97140": 1}


def test_twenty_and_twenty_minutes_is_three_units() -> None:
    assert cms({"97110": 20, "97116": 20}).total_units == 3


def test_fifteen_minutes_guarantees_a_unit() -> None:
    # R3/R4: 97140 ran 15 min, so it keeps its unit even though 97110 has more time.
    a = cms({"97110": 37, "97140": 15})
    assert a.units == {"97110": 2, "97140": 1}


def test_leftover_minutes_that_do_not_reach_a_unit() -> None:
    a = cms({"97110": 33, "97140": 3})
    assert a.units == {"97110": 2, "97140": 0}
    assert "do not reach another unit" in a.explain()


# --- CPT per-code midpoint method (§2) --------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "total"),
    [
        ({"97112": 24, "97110": 23}, 4),
        ({"97112": 20, "97110": 20}, 2),
        ({"97110": 33, "97140": 7}, 2),
        ({"97110": 18, "97140": 13, "97116": 10, "97035": 8}, 4),
        ({"97112": 7, "97110": 7, "97140": 7}, 0),
        ({"97530": 60}, 4),
    ],
)
def test_cpt_method_on_the_cms_examples(minutes: dict[str, int], total: int) -> None:
    a = cpt(minutes)
    assert a.total_units == total
    assert a.ties == ()
    for code, m in minutes.items():
        assert a.units[code] == (0 if m < 8 else (m + 7) // 15)


def test_cpt_explains_no_pooling() -> None:
    a = cpt({"97110": 33, "97140": 7})
    assert a.units == {"97110": 2, "97140": 0}
    assert "midpoint" in a.dropped["97140"]
    text = a.explain()
    assert "no pooling" in text
    assert "97140 7 min → 0 units (under 8)." in text


# --- untimed codes ----------------------------------------------------------------------


def test_evaluation_is_one_unit_and_its_minutes_are_not_timed() -> None:
    a = cms({"97166": 45, "97530": 30})
    assert a.units == {"97530": 2, "97166": 1}
    assert a.untimed == ("97166",)
    assert a.timed_minutes == 30
    assert a.timed_units == 2
    assert a.total_units == 3
    text = a.explain()
    assert "97166 is untimed: 1 unit" in text
    assert "Pub 100-02 ch.15 §220.3" in text


def test_group_therapy_and_supervised_modality_are_untimed() -> None:
    a = cms({"97150": 60, "97010": 0, "97110": 10})
    assert a.units == {"97110": 1, "97010": 1, "97150": 1}
    assert a.timed_minutes == 10
    assert set(a.untimed) == {"97010", "97150"}


def test_untimed_minutes_do_not_rescue_short_timed_minutes() -> None:
    # 5 timed minutes stay under 8 even with a 45-minute evaluation that day.
    a = cms({"97168": 45, "97530": 5})
    assert a.units == {"97530": 0, "97168": 1}
    assert a.timed_units == 0


def test_only_untimed_codes() -> None:
    a = cms({"97165": 50})
    assert a.units == {"97165": 1}
    assert a.timed_minutes == 0
    assert a.timed_units == 0
    assert a.total_units == 1
    assert "Billed: 97165 × 1 (1 unit)." in a.explain()


def test_cpt_untimed_codes() -> None:
    assert cpt({"97167": 60, "97110": 7}).units == {"97110": 0, "97167": 1}


# --- code lookup by date ----------------------------------------------------------------


def test_deleted_code_raises() -> None:
    with pytest.raises(UnknownCodeError) as info:
        allocate({"97532": 30}, on=dt.date(2021, 1, 1))
    assert "97532" in str(info.value)


def test_code_not_yet_in_effect_raises() -> None:
    with pytest.raises(UnknownCodeError) as info:
        allocate({"97129": 15}, on="2019-06-01")
    assert "97129" in str(info.value)


def test_unknown_code_raises() -> None:
    with pytest.raises(UnknownCodeError):
        allocate({"99999": 15}, on=DOS)


def test_compare_looks_up_billed_only_codes() -> None:
    with pytest.raises(UnknownCodeError):
        compare({"97532": 1}, {"97110": 15}, on=dt.date(2021, 1, 1))


@pytest.mark.parametrize("code", ["97545", "97550"])
def test_non_15_minute_time_based_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        allocate({code: 120, "97110": 15}, on=DOS)
    assert code in str(info.value)
    assert "not 15-minute units" in str(info.value)


def test_default_date_is_today() -> None:
    assert allocate({"97110": 15}).on == dt.date.today()


def test_codes_are_normalised() -> None:
    a = allocate({" 97110 ": 15}, on=DOS)
    assert a.units == {"97110": 1}


def test_cognitive_codes_carry_a_caveat() -> None:
    a = cms({"97129": 15, "97130": 15})
    assert a.notes
    assert "UNCONFIRMED" in a.explain()


# --- input handling ---------------------------------------------------------------------


def test_pairs_are_accepted_and_repeats_summed() -> None:
    a = allocate([("97110", 10), ("97140", 7), ("97110", 23)], on=DOS)
    assert a.minutes == {"97110": 33, "97140": 7}
    assert a.units == {"97110": 2, "97140": 1}


def test_repeats_after_normalising_are_summed() -> None:
    assert allocate({"97110": 10, "97110 ": 5}, on=DOS).minutes == {"97110": 15}


def test_digit_strings_are_accepted() -> None:
    assert allocate({"97110": "33", "97140": "7"}, on=DOS).units == {  # type: ignore[dict-item]
        "97110": 2,
        "97140": 1,
    }


def test_ad_hoc_labels() -> None:
    a = allocate({"gait": 33, "manual": 7}, lookup=False)
    assert a.units == {"gait": 2, "manual": 1}
    assert a.on is None
    assert allocate({"x": 8}, lookup=False, on="2026-03-02").on == DOS


@pytest.mark.parametrize(
    ("minutes", "field", "value"),
    [
        ({"97110": -5}, "minutes_by_code['97110']", "-5"),
        ({"97110": 7.0}, "minutes_by_code['97110']", "7.0"),
        ({"97110": True}, "minutes_by_code['97110']", "True"),
        ({"97110": math.nan}, "minutes_by_code['97110']", "nan"),
        ({"97110": "seven"}, "minutes_by_code['97110']", "'seven'"),
        ({"97110": "7.5"}, "minutes_by_code['97110']", "'7.5'"),
        ({"97110": None}, "minutes_by_code['97110']", "None"),
        ({"97110": 1441}, "minutes_by_code['97110']", "1441"),
        ({"97110": 800, "97140": 700}, "minutes_by_code", "1500"),
        ({"9711O": 15}, "minutes_by_code", "'9711O'"),
        ({97110: 15}, "minutes_by_code", "97110"),
        ({}, "minutes_by_code", "{}"),
    ],
)
def test_bad_minutes(minutes: dict[object, object], field: str, value: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        allocate(minutes, on=DOS)  # type: ignore[arg-type]
    assert info.value.field == field
    assert f"got {value}" in str(info.value)


def test_repeats_summed_past_a_day() -> None:
    with pytest.raises(InvalidInputError) as info:
        allocate([("97110", 1000), ("97110", 441)], on=DOS)
    assert info.value.field == "minutes_by_code['97110']"
    assert "1441" in str(info.value)


@pytest.mark.parametrize("data", ["97110=15", 15, None, [("97110",)], [("97110", 15, 1)]])
def test_bad_shapes(data: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        allocate(data, on=DOS)  # type: ignore[arg-type]
    assert info.value.field.startswith("minutes_by_code")


@pytest.mark.parametrize("label", ["", "   "])
def test_empty_labels(label: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        allocate({label: 15}, lookup=False)
    assert info.value.field == "minutes_by_code"


@pytest.mark.parametrize("method", ["CMS ", "ama", "", None, 1])
def test_bad_method(method: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        allocate({"97110": 15}, method=method, on=DOS)  # type: ignore[arg-type]
    assert info.value.field == "method"
    assert repr(method) in str(info.value)


@pytest.mark.parametrize("on", ["2026-13-01", "03/02/2026", dt.datetime(2026, 3, 2), 20260302])
def test_bad_date(on: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        allocate({"97110": 15}, on=on)  # type: ignore[arg-type]
    assert info.value.field == "on"
    with pytest.raises(InvalidInputError):
        allocate({"x": 15}, on=on, lookup=False)  # type: ignore[arg-type]


def test_methods_constant() -> None:
    assert METHODS == ("cms", "cpt")


# --- the Allocation value ---------------------------------------------------------------


def test_allocation_is_frozen_and_read_only() -> None:
    a = cms({"97110": 33, "97140": 7})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.total_units = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        a.units["97110"] = 3  # type: ignore[index]


def test_allocation_equality_hash_and_pickle() -> None:
    a = cms({"97110": 33, "97140": 7})
    b = cms({"97140": 7, "97110": 33})
    assert a == b
    assert hash(a) == hash(b)
    assert pickle.loads(pickle.dumps(a)) == a


def test_to_dict_is_json_ready() -> None:
    d = cms({"97110": 20, "97112": 20, "97166": 30}).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["method"] == "cms"
    assert d["on"] == "2026-03-02"
    assert d["units"] == {"97110": 2, "97112": 1, "97166": 1}
    assert d["total_units"] == 4
    assert d["timed_units"] == 3
    assert d["timed_minutes"] == 40
    assert d["untimed"] == ["97166"]
    assert d["ties"] == [
        {"codes": ["97110", "97112"], "remaining_minutes": 5, "units": 1, "chosen": ["97110"]}
    ]
    assert d["lines"][1] == {
        "code": "97112",
        "minutes": 20,
        "timed": True,
        "units": 1,
        "min_units": 1,
        "max_units": 2,
    }
    assert d["explanation"].startswith("Total timed minutes 40")


def test_repr_and_html() -> None:
    a = allocate({"<b>": 8}, lookup=False)
    assert repr(a) == "Allocation(method='cms', units={'<b>': 1}, total_units=1)"
    page = a._repr_html_()
    assert page.startswith("<table")
    assert "&lt;b&gt;" in page
    assert "<b>" not in page


def test_html_lists_every_code() -> None:
    page = cms({"97110": 18, "97140": 13, "97116": 10, "97035": 8, "97166": 40})._repr_html_()
    for code in ("97110", "97140", "97116", "97035", "97166"):
        assert f">{code}<" in page
    assert "untimed" in page


def test_concurrent_calls_agree() -> None:
    expected = cms({"97110": 18, "97140": 13, "97116": 10, "97035": 8})
    results: list[Allocation] = []

    def work() -> None:
        for _ in range(200):
            results.append(cms({"97110": 18, "97140": 13, "97116": 10, "97035": 8}))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 800
    assert all(r == expected for r in results)


# --- compare ----------------------------------------------------------------------------


def test_compare_exact_billing_is_ok() -> None:
    c = compare({"97110": 2, "97140": 1}, {"97110": 33, "97140": 7}, on=DOS)
    assert isinstance(c, Comparison)
    assert c.ok
    assert c.over == {}
    assert c.under == {}
    assert c.billed_total == c.supportable_total == 3
    assert all(ln.status == "ok" and ln.reason == "" for ln in c.lines)


def test_compare_over_and_under() -> None:
    c = compare({"97110": 3, "97140": 0}, {"97110": 33, "97140": 7}, on=DOS)
    assert not c.ok
    assert c.over == {"97110": 1}
    assert c.under == {"97140": 1}
    line = c.lines[0]
    assert (line.code, line.billed, line.supportable, line.difference) == ("97110", 3, 2, 1)
    assert line.status == "over"
    assert "at most 2 units" in line.reason
    assert "under by 1" in c.explain()


@pytest.mark.parametrize("billed", [{"97110": 2, "97112": 1}, {"97110": 1, "97112": 2}])
def test_compare_accepts_either_tie_break(billed: dict[str, int]) -> None:
    """CMS-2: either code may take the 3rd unit."""
    c = compare(billed, {"97110": 20, "97112": 20}, on=DOS)
    assert c.ok, c.explain()
    assert {ln.code: ln.supportable for ln in c.lines} == billed


@pytest.mark.parametrize("winner", ["97110", "97112", "97140"])
def test_compare_accepts_any_of_three_tied(winner: str) -> None:
    minutes = {"97112": 7, "97110": 7, "97140": 7}
    billed = {code: int(code == winner) for code in minutes}
    assert compare(billed, minutes, on=DOS).ok


def test_compare_refuses_both_tied_codes_taking_the_unit() -> None:
    c = compare({"97110": 2, "97112": 2}, {"97110": 20, "97112": 20}, on=DOS)
    assert not c.ok
    assert c.over == {"97112": 1}
    assert "either may take it, not both" in c.lines[1].reason


def test_compare_flags_a_missing_tied_unit() -> None:
    c = compare({"97110": 1, "97112": 1}, {"97110": 20, "97112": 20}, on=DOS)
    assert c.under == {"97110": 1}
    assert "one of them must bill it" in c.lines[0].reason


def test_compare_tie_for_two_units() -> None:
    minutes = {f"9711{i}": 5 for i in (0, 2, 3, 6)} | {"97140": 5, "97530": 5}
    a = allocate(minutes, on=DOS)
    assert a.total_units == 2
    assert a.ties[0].units == 2
    billed = {"97530": 1, "97113": 1}
    assert compare(billed, minutes, on=DOS).ok
    c = compare({"97530": 1, "97113": 1, "97140": 1}, minutes, on=DOS)
    assert sum(c.over.values()) == 1
    assert set(c.over) < {"97530", "97113", "97140"}
    assert "exactly 2 of them" in c.explain()


def test_compare_billed_without_minutes() -> None:
    c = compare({"97110": 1, "97530": 2}, {"97110": 15}, on=DOS)
    assert c.over == {"97530": 2}
    assert c.lines[-1].minutes is None
    assert "no minutes documented" in c.lines[-1].reason


def test_compare_untimed_billed_twice() -> None:
    c = compare({"97166": 2}, {"97166": 60}, on=DOS)
    assert c.over == {"97166": 1}
    assert "untimed" in c.lines[0].reason


def test_compare_cpt_method() -> None:
    c = compare({"97110": 2, "97140": 1}, {"97110": 33, "97140": 7}, method="cpt", on=DOS)
    assert c.over == {"97140": 1}
    assert c.method == "cpt"


def test_compare_to_dict_and_html() -> None:
    c = compare({"97110": 3}, {"97110": 33, "97140": 7}, on=DOS)
    d = c.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["ok"] is False
    assert d["over"] == {"97110": 1}
    assert d["under"] == {"97140": 1}
    assert d["lines"][0]["status"] == "over"
    assert d["allocation"]["units"] == {"97110": 2, "97140": 1}
    assert "<table" in c._repr_html_()
    assert repr(c).startswith("Comparison(method='cms', ok=False")


def test_compare_bad_billed_units() -> None:
    with pytest.raises(InvalidInputError) as info:
        compare({"97110": -1}, {"97110": 15}, on=DOS)
    assert info.value.field == "billed_units_by_code['97110']"
    with pytest.raises(InvalidInputError) as info:
        compare({"97110": 1.5}, {"97110": 15}, on=DOS)  # type: ignore[dict-item]
    assert "1.5" in str(info.value)


def test_compare_nothing_billed() -> None:
    c = compare({}, {"97110": 15}, on=DOS)
    assert c.under == {"97110": 1}


# --- command line -----------------------------------------------------------------------


def test_cli_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "97110=33", "97140=7", "--on", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert "97110" in out
    assert "The 3rd unit goes to 97140" in out


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["units", "97110=33", "97140=7", "--method", "cpt", "--on", "2026-03-02"]
    assert main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "cpt"
    assert data["units"] == {"97110": 2, "97140": 0}


def test_cli_ad_hoc_labels(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "gait=20", "stairs=20", "--no-lookup"]) == 0
    assert "either is acceptable to CMS" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("token", "needle"),
    [
        ("97110", "CODE=MINUTES"),
        ("97110=", "minutes_by_code['97110']"),
        ("97110=x", "'x'"),
        ("97110=-3", "-3"),
        ("=5", "'=5'"),
        ("9711O=5", "'9711O'"),
    ],
)
def test_cli_bad_token(token: str, needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", token, "--on", "2026-03-02"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "otcoding: error:" in captured.err
    assert needle in captured.err


def test_cli_unknown_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "97532=30", "--on", "2021-01-01"]) == 2
    assert "97532" in capsys.readouterr().err


def test_cli_bad_method(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["units", "97110=30", "--method", "ama"])
    assert info.value.code == 2
    assert "ama" in capsys.readouterr().err
