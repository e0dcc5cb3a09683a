"""Lookups in the procedure, place-of-service and modifier tables."""

from __future__ import annotations

import datetime as dt
import pickle
import subprocess
import sys
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otcoding import codes
from otcoding.codes import CodeKind, _tables
from otcoding.errors import InvalidInputError, UnknownCodeError

D2026 = dt.date(2026, 3, 2)


# --- normalisation and malformed input ---------------------------------------------


@pytest.mark.parametrize("raw", ["97110", " 97110", "97110 ", "\t97110\n"])
def test_lookup_strips_whitespace(raw: str) -> None:
    assert codes.lookup(raw, on=D2026).code == "97110"


def test_lookup_upper_cases_hcpcs() -> None:
    assert codes.lookup("l3906", on=D2026).code == "L3906"
    assert codes.lookup("g0283", on=D2026).system == "HCPCS"


@pytest.mark.parametrize("bad", ["9711O", "", None, 97110, "97 110", "971100", 9.7, b"97110"])
def test_malformed_code_names_the_value(bad: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        codes.lookup(bad, on=D2026)
    assert info.value.field == "code"
    assert info.value.value == bad
    assert repr(bad) in str(info.value)


def test_unknown_code() -> None:
    with pytest.raises(UnknownCodeError) as info:
        codes.lookup("99999", on=D2026)
    assert info.value.code == "99999"
    assert "unknown procedure code '99999'" in str(info.value)


def test_on_accepts_iso_text_and_rejects_datetime() -> None:
    assert codes.lookup("97165", on="2017-01-01").code == "97165"
    with pytest.raises(InvalidInputError):
        codes.lookup("97165", on=dt.datetime(2026, 1, 1, 9, 0))


def test_on_defaults_to_today() -> None:
    assert codes.lookup("97110").code == "97110"


@given(
    code=st.sampled_from(sorted({c.code for c in codes.codes() if c.effective_to is None})),
    left=st.text(alphabet=" \t", max_size=3),
    right=st.text(alphabet=" \t\n", max_size=3),
    lower=st.booleans(),
)
def test_normalisation_round_trip(code: str, left: str, right: str, lower: bool) -> None:
    text = left + (code.lower() if lower else code) + right
    found = codes.lookup(text, on=D2026)
    assert found.code == code
    assert codes.lookup(found.code, on=D2026) == found


# --- corrections to the marketing articles (code-tables.md §0) ------------------------


def test_97535_is_a_timed_treatment_not_an_evaluation() -> None:
    code = codes.lookup("97535", on=D2026)
    assert code.kind is CodeKind.TIMED
    assert code.timed
    assert code.unit_minutes == 15
    assert not code.is_evaluation
    assert "self-care" in code.description.lower()


def test_97168_is_the_ot_reevaluation() -> None:
    code = codes.lookup("97168", on=D2026)
    assert code.kind is CodeKind.REEVALUATION
    assert code.is_evaluation
    assert not code.timed
    assert code.typical_minutes == 30
    assert "re-evaluation" in code.description.lower()


def test_ot_evaluations_typical_minutes() -> None:
    typical = {c: codes.lookup(c, on=D2026).typical_minutes for c in ("97165", "97166", "97167")}
    assert typical == {"97165": 30, "97166": 45, "97167": 60}
    assert all(codes.lookup(c, on=D2026).kind is CodeKind.EVALUATION for c in typical)


def test_go_is_occupational_therapy_and_gp_is_physical_therapy() -> None:
    go = codes.modifier("GO", on=D2026)
    gp = codes.modifier("GP", on=D2026)
    gn = codes.modifier("GN", on=D2026)
    assert "occupational therapy" in go.description.lower()
    assert "physical therapy" in gp.description.lower()
    assert "occupational" not in gp.description.lower().replace("not for ot", "")
    assert "speech" in gn.description.lower()
    assert {go.category, gp.category, gn.category} == {"discipline"}


def test_l4396_is_an_ankle_foot_orthosis_not_elbow() -> None:
    code = codes.lookup("L4396", on=D2026)
    assert code.kind is CodeKind.ORTHOTIC
    assert "ankle-foot" in code.description.lower()
    assert "not an elbow" in code.description.lower()
    assert "elbow" in codes.lookup("L3760", on=D2026).description.lower()


# --- code history -------------------------------------------------------------------


def test_97532_not_in_effect_2021_names_deletion_and_replacement() -> None:
    with pytest.raises(UnknownCodeError) as info:
        codes.lookup("97532", on=dt.date(2021, 6, 1))
    err = info.value
    assert "2018-01-01" in str(err)
    assert "97127" in str(err)
    assert "G0515" in str(err)
    assert err.effective_to == dt.date(2017, 12, 31)
    assert err.replaced_by == ("97127", "G0515")
    assert codes.lookup("97532", on=dt.date(2017, 12, 31)).timed


def test_97127_not_in_effect_2020_replaced_by_97129_97130() -> None:
    with pytest.raises(UnknownCodeError) as info:
        codes.lookup("97127", on=dt.date(2020, 1, 1))
    assert info.value.replaced_by == ("97129", "97130")
    assert "2020-01-01" in str(info.value)
    old = codes.lookup("97127", on=dt.date(2019, 12, 31))
    assert not old.timed
    assert old.medicare_status == "I"


def test_code_not_yet_in_effect_says_when_it_starts() -> None:
    with pytest.raises(UnknownCodeError) as info:
        codes.lookup("97129", on=dt.date(2019, 12, 31))
    assert info.value.effective_from == dt.date(2020, 1, 1)
    assert "in effect from 2020-01-01" in str(info.value)


def test_2017_evaluation_switch() -> None:
    assert codes.lookup("97003", on=dt.date(2016, 12, 31)).kind is CodeKind.EVALUATION
    with pytest.raises(UnknownCodeError) as info:
        codes.lookup("97004", on=dt.date(2017, 1, 1))
    assert info.value.replaced_by == ("97168",)
    assert codes.lookup("97165", on=dt.date(2017, 1, 1)).code == "97165"
    with pytest.raises(UnknownCodeError):
        codes.lookup("97165", on=dt.date(2016, 12, 31))


def test_97760_wording_changes_in_2018() -> None:
    before = codes.lookup("97760", on=dt.date(2017, 12, 31))
    after = codes.lookup("97760", on=dt.date(2018, 1, 1))
    assert before.effective_to == dt.date(2017, 12, 31)
    assert after.description.endswith("initial orthotic encounter")
    assert codes.history("97760") == (before, after)


def test_97762_replaced_by_97763() -> None:
    with pytest.raises(UnknownCodeError) as info:
        codes.lookup("97762", on=dt.date(2018, 1, 1))
    assert info.value.replaced_by == ("97763",)


def test_2026_rtm_codes() -> None:
    assert codes.lookup("98979", on=dt.date(2026, 1, 1)).unit_minutes == 10
    with pytest.raises(UnknownCodeError):
        codes.lookup("98985", on=dt.date(2025, 12, 31))
    assert "16 to 30 days" in codes.lookup("98977", on=dt.date(2026, 1, 1)).description


def test_add_on_codes_name_their_primary() -> None:
    assert codes.lookup("97130", on=D2026).add_on_to == ("97129",)
    assert codes.lookup("96113", on=D2026).add_on_to == ("96112",)
    assert codes.lookup("97551", on=D2026).add_on_to == ("97550",)


def test_time_based_codes_have_their_own_blocks() -> None:
    blocks = {c: codes.lookup(c, on=D2026).unit_minutes for c in ("97545", "96112", "97550")}
    assert blocks == {"97545": 120, "96112": 60, "97550": 30}
    assert not any(codes.lookup(c, on=D2026).timed for c in blocks)


def test_unlisted_codes_are_untimed_and_noted() -> None:
    for code in ("97039", "97139", "97799"):
        row = codes.lookup(code, on=D2026)
        assert not row.timed
        assert row.unit_minutes is None
        assert "time depends" in row.note


def test_history_of_unknown_code() -> None:
    with pytest.raises(UnknownCodeError):
        codes.history("00000")


# --- place of service ---------------------------------------------------------------


def test_pos_10_not_in_effect_2021() -> None:
    with pytest.raises(UnknownCodeError) as info:
        codes.place_of_service("10", on=dt.date(2021, 6, 1))
    assert info.value.effective_from == dt.date(2022, 1, 1)
    assert codes.place_of_service("10", on=dt.date(2022, 1, 1)).telehealth


def test_pos_02_renamed_2022() -> None:
    old = codes.place_of_service("02", on=dt.date(2021, 12, 31))
    new = codes.place_of_service("02", on=dt.date(2022, 1, 1))
    assert old.name != new.name
    assert "Other than" in new.name
    assert old.telehealth
    assert new.telehealth
    with pytest.raises(UnknownCodeError):
        codes.place_of_service("02", on=dt.date(2016, 12, 31))


@pytest.mark.parametrize(
    ("code", "start"),
    [("19", "2016-01-01"), ("27", "2023-10-01"), ("58", "2020-01-01"), ("66", "2024-08-01")],
)
def test_pos_start_dates(code: str, start: str) -> None:
    first = dt.date.fromisoformat(start)
    assert codes.place_of_service(code, on=first).code == code
    with pytest.raises(UnknownCodeError):
        codes.place_of_service(code, on=first - dt.timedelta(days=1))


def test_pos_22_renamed_2016() -> None:
    assert codes.place_of_service("22", on=dt.date(2015, 6, 1)).name == "Outpatient Hospital"
    assert "On Campus" in codes.place_of_service("22", on=dt.date(2016, 1, 1)).name


@pytest.mark.parametrize("code", ["28", "35", "59", "98"])
def test_unassigned_pos_says_unassigned(code: str) -> None:
    with pytest.raises(UnknownCodeError, match="unassigned"):
        codes.place_of_service(code, on=D2026)


def test_pos_malformed_and_facility_flags() -> None:
    with pytest.raises(InvalidInputError):
        codes.place_of_service("1", on=D2026)
    assert codes.place_of_service(" 11 ", on=D2026).facility_rate is False
    assert codes.place_of_service("21", on=D2026).facility_rate is True
    only_telehealth = {p.code for p in codes.places_of_service() if p.telehealth}
    assert only_telehealth == {"02", "10"}


# --- modifiers ----------------------------------------------------------------------


def test_modifier_dates() -> None:
    assert codes.modifier("XE", on=dt.date(2015, 1, 1)).category == "distinct"
    with pytest.raises(UnknownCodeError):
        codes.modifier("XE", on=dt.date(2014, 12, 31))
    assert codes.modifier("GD", on=dt.date(2019, 12, 31)).code == "GD"
    with pytest.raises(UnknownCodeError, match="deleted 2020-01-01"):
        codes.modifier("GD", on=dt.date(2020, 1, 1))
    assert codes.modifier("co", on=dt.date(2019, 1, 1)).category == "assistant"
    with pytest.raises(UnknownCodeError):
        codes.modifier("CO", on=dt.date(2018, 12, 31))


def test_modifier_96_97_from_2018_and_fq_from_2022() -> None:
    assert codes.modifier("96", on=dt.date(2018, 1, 1)).category == "habilitative"
    with pytest.raises(UnknownCodeError):
        codes.modifier("97", on=dt.date(2017, 12, 31))
    with pytest.raises(UnknownCodeError):
        codes.modifier("FQ", on=dt.date(2021, 12, 31))


def test_expected_modifiers_present() -> None:
    wanted = {"GO", "GP", "GN", "CO", "CQ", "KX", "59", "XE", "XS", "XP", "XU", "95", "93",
              "FQ", "GT", "76", "77", "52", "GA", "GX", "GY", "GZ", "96", "97", "22", "25",
              "51", "LT", "RT", "FA", "F1", "F9", "TA", "T1", "T9", "J5", "KV", "RA", "RB",
              "NU", "CG", "GD"}  # fmt: skip
    assert wanted <= {m.code for m in codes.modifiers()}


def test_unknown_modifier() -> None:
    with pytest.raises(UnknownCodeError, match="modifier"):
        codes.modifier("ZZ", on=D2026)
    with pytest.raises(InvalidInputError):
        codes.modifier("GOO", on=D2026)


# --- editions, errors, laziness ------------------------------------------------------


def test_data_editions_name_every_table() -> None:
    editions = codes.data_editions()
    assert set(editions) == {"procedures", "modifiers", "places_of_service", "ncci_ptp",
                             "mue", "rvu"}  # fmt: skip
    assert "2024Q2 v30.1" in editions["ncci_ptp"]
    assert "2024-04-01" in editions["mue"]


def test_rvu_has_no_descriptor_and_reads_status() -> None:
    row = codes.rvu("97165")
    assert row is not None
    assert (row.status, row.pctc_indicator, row.mult_proc_indicator) == ("A", "7", "5")
    assert row.conversion_factor == "32.3465"
    assert codes.rvu("97532") is None


def test_errors_pickle() -> None:
    with pytest.raises(UnknownCodeError) as info:
        codes.lookup("97532", on=dt.date(2021, 6, 1))
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value)


def test_import_reads_no_file() -> None:
    script = (
        "import otcoding, otcoding.codes\n"
        "from otcoding.codes import _tables\n"
        "assert not any(_tables.loaded().values()), _tables.loaded()\n"
        "otcoding.codes.lookup('97110', on='2026-01-05')\n"
        "assert _tables.loaded()['procedures'] and not _tables.loaded()['ncci']\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_public_api_first_call_race_in_fresh_process() -> None:
    script = (
        "import threading, datetime as dt\n"
        "from otcoding import codes\n"
        "barrier = threading.Barrier(8)\n"
        "seen = []\n"
        "def work():\n"
        "    barrier.wait()\n"
        "    seen.append((codes.ncci_table(), codes.lookup('97110', on=dt.date(2026, 1, 5))))\n"
        "threads = [threading.Thread(target=work) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "assert len(seen) == 8\n"
        "assert all(t is seen[0][0] and c is seen[0][1] for t, c in seen)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_first_call_race_gives_one_table() -> None:
    lazy = _tables._Lazy(_tables._load_procedures)
    barrier = threading.Barrier(8)
    results: list[object] = []

    def worker() -> None:
        barrier.wait()
        results.append(lazy.get())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert all(r is results[0] for r in results)


def test_factory_runs_once_under_race() -> None:
    calls: list[int] = []
    barrier = threading.Barrier(8)

    def slow() -> object:
        calls.append(1)
        return object()

    lazy = _tables._Lazy(slow)
    seen: list[object] = []

    def worker() -> None:
        barrier.wait()
        seen.append(lazy.get())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len({id(s) for s in seen}) == 1
