"""Item statuses and routing violations (classification.md section 1)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from drukmonitor.codebook import load_codebook, parse_codebook
from drukmonitor.status import (
    ROUTING_VIOLATION,
    STATUSES,
    canonical_from_records,
    compute_statuses,
    first_status,
    status_units,
)


@pytest.fixture(scope="module")
def uu2020():
    return load_codebook("uu2020")


def statuses(codebook, records, **kwargs):
    return compute_statuses(canonical_from_records(codebook, records, **kwargs), codebook)


def row(frame, index=0):
    return {column.removesuffix("__status"): value for column, value in frame.iloc[index].items()}


def test_status_units_follow_codebook_order_and_group_multi_and_open_items(uu2020):
    names = [unit.name for unit in status_units(uu2020)]
    assert names == ["OD1", "OD2", "OD3", "OD4", "OD5", "OD6", "OD7", "OD8_1", "OD8_2", "OD8_3", "OD8_4", "OD8_5"]
    od7 = next(unit for unit in status_units(uu2020) if unit.name == "OD7")
    assert od7.kind == "multi" and od7.missing == {8: "refused"} and not od7.required
    assert next(unit for unit in status_units(uu2020) if unit.name == "OD4").required


def test_single_item_statuses_from_codes_and_routing(uu2020):
    frame = statuses(uu2020, [{"OD1": 2}, {"OD1": 8, "OD2": 1}, {"OD1": 9, "OD2": 9}, {"OD1": 1, "OD2": 8}, {}])
    assert frame["OD1__status"].tolist() == ["answered", "dont_know", "refused", "answered", "item_nonresponse"]
    # OD2 is asked only when OD1 is Nee / Weet ik niet / Wil ik niet zeggen
    assert frame["OD2__status"].tolist() == ["not_asked", "answered", "refused", "dont_know", "not_asked"]
    assert set(frame.columns) == {f"{unit.name}__status" for unit in status_units(uu2020)} | {ROUTING_VIOLATION}
    assert all(frame[column].dtype == "string" for column in frame.columns)


def test_follow_up_items_are_not_asked_when_no_incident(uu2020):
    result = row(statuses(uu2020, [{"OD1": 1, "OD2": 1}]))
    for name in ("OD3", "OD4", "OD5", "OD6", "OD7", "OD8_1", "OD8_5"):
        assert result[name] == "not_asked", name
    assert result[ROUTING_VIOLATION] == ""


def test_multi_select_status_is_per_item(uu2020):
    base = {"OD1": 2, "OD4": 1, "OD5": 1, "OD6": 3}
    frame = statuses(
        uu2020,
        [
            {**base, "OD7_2": 1, "OD7_4": 1},
            {**base, "OD7_8": 1},  # 'Wil ik niet zeggen'
            {**base},  # every option blank
            {**base, **{f"OD7_{i}": 0 for i in range(1, 9)}},  # every option 0: nothing ticked either
            {"OD1": 1, "OD2": 1},
        ],
    )
    assert frame["OD7__status"].tolist() == ["answered", "refused", "item_nonresponse", "item_nonresponse", "not_asked"]
    assert not [column for column in frame.columns if column.startswith("OD7_") and column != "OD7__status"]


def test_open_text_status_from_filled_flag_and_refusal_box(uu2020):
    base = {"OD1": 2, "OD4": 1, "OD5": 1, "OD6": 3}
    frame = statuses(uu2020, [{**base, "OD3__filled": True}, {**base, "OD3_wiz": 1}, base, {"OD1": 1, "OD2": 1}])
    assert frame["OD3__status"].tolist() == ["answered", "refused", "item_nonresponse", "not_asked"]


def test_missing_codes_come_from_the_codebook():
    mto = load_codebook("mto2019")
    frame = statuses(mto, [{"pbd1": 2, "pbd2": 1, "pbd3": 2, "pbd4": 8, "pbd5": 9}])
    assert row(frame)["pbd4"] == "dont_know"
    assert row(frame)["pbd5"] == "refused"
    # OD6 offers only 'Wil ik niet zeggen' (9); OD8 code 9 is 'Niet van toepassing / wil ik niet zeggen'
    uu = load_codebook("uu2020")
    result = row(statuses(uu, [{"OD1": 2, "OD4": 1, "OD5": 1, "OD6": 9, "OD8_1": 9}]))
    assert result["OD6"] == "refused" and result["OD8_1"] == "refused"


def test_item_absent_from_the_export_is_not_in_instrument(uu2020):
    frame = statuses(uu2020, [{"OD1": 1}, {"OD1": 2, "OD4": 1, "OD5": 1, "OD6": 2}], omit_items=["OD2", "OD7", "OD8"])
    assert frame["OD2__status"].tolist() == ["not_in_instrument", "not_in_instrument"]
    assert frame["OD7__status"].tolist() == ["not_in_instrument", "not_in_instrument"]
    assert frame["OD8_3__status"].tolist() == ["not_in_instrument", "not_in_instrument"]
    # routing of OD4..OD6 treats the missing OD2 as blank
    assert frame["OD4__status"].tolist() == ["not_asked", "answered"]
    assert frame[ROUTING_VIOLATION].tolist() == ["", ""]


def test_answer_where_routing_skips_is_kept_and_flagged(uu2020):
    canonical = canonical_from_records(uu2020, [{"OD1": 1, "OD2": 1, "OD4": 2, "OD6": 5}])
    frame = compute_statuses(canonical, uu2020)
    assert row(frame)["OD4"] == "answered"  # the status follows the kept value
    assert row(frame)[ROUTING_VIOLATION] == "OD4,OD6"
    assert canonical.loc[0, "OD4"] == 2  # never dropped


def test_required_item_left_blank_after_answered_gate_is_a_violation(uu2020):
    frame = statuses(uu2020, [{"OD1": 3, "OD5": 1}])
    result = row(frame)
    assert result["OD4"] == "item_nonresponse" and result["OD6"] == "item_nonresponse"
    # OD3, OD7, OD8 are optional items: blank is item nonresponse, not a violation
    assert result["OD7"] == "item_nonresponse" and result["OD8_1"] == "item_nonresponse"
    assert result[ROUTING_VIOLATION] == "OD4,OD6"


def test_item_asked_of_everyone_left_blank_is_nonresponse_not_violation(uu2020):
    result = row(statuses(uu2020, [{}]))
    assert result["OD1"] == "item_nonresponse"
    assert result[ROUTING_VIOLATION] == ""


def test_violations_are_listed_in_codebook_order():
    fnv = load_codebook("fnv2018")
    frame = statuses(fnv, [{"V4": 1}, {"V4": 4, "V7": 2, "V5": 3}, {"V4": 2, "V5": 1, "V6": 1, "V7": 1}])
    assert frame[ROUTING_VIOLATION].tolist() == ["V5,V6,V7", "V5,V7", ""]


def test_break_off_blanks_after_the_break_off_point_are_not_violations(uu2020):
    frame = statuses(
        uu2020,
        [
            {"OD1": 2, "completed": 0},  # stopped after OD1
            {"OD1": 2, "OD5": 1, "completed": 0},  # OD4 skipped before the break-off point
            {"OD1": 2, "completed": 1},  # completed: blanks are violations
            {"OD1": 2},  # completion unknown: treated as completed
        ],
    )
    assert frame[ROUTING_VIOLATION].tolist() == ["", "OD4", "OD4,OD5,OD6", "OD4,OD5,OD6"]
    assert frame["OD4__status"].tolist() == ["item_nonresponse"] * 4
    assert frame["OD6__status"].tolist() == ["item_nonresponse"] * 4


def test_break_off_routing_that_depends_on_unreached_items_is_nonresponse(uu2020):
    frame = statuses(
        uu2020,
        [
            {"completed": 0},  # broke off before OD1
            {"OD1": 1, "completed": 0},  # broke off before OD2: OD4.. could have been asked
            {"OD1": 1, "OD2": 1, "completed": 0},  # routing decided: nothing more was asked
        ],
    )
    assert frame["OD1__status"].tolist() == ["item_nonresponse", "answered", "answered"]
    assert frame["OD2__status"].tolist() == ["item_nonresponse", "item_nonresponse", "answered"]
    assert frame["OD4__status"].tolist() == ["item_nonresponse", "item_nonresponse", "not_asked"]
    assert frame[ROUTING_VIOLATION].tolist() == ["", "", ""]


def test_routing_on_a_multi_select_gate_and_on_two_conditions():
    io = load_codebook("io2018")
    frame = statuses(io, [{"v1_2": 1, "v2": 3, "v3_intern": 4, "v3_extern": 5, "v4": 1}, {"v1_7": 1, "v4": 2}, {"v1_5": 1, "v4": 8}])
    assert frame["v2__status"].tolist() == ["answered", "not_asked", "item_nonresponse"]
    assert frame["v3_intern__status"].tolist() == ["answered", "not_asked", "not_asked"]
    assert frame["v4__status"].tolist() == ["answered", "answered", "dont_know"]
    assert frame[ROUTING_VIOLATION].tolist() == ["", "", "v2"]
    mto = load_codebook("mto2019")
    frame = statuses(
        mto,
        [
            {"Werkgebied": 1, "pbd1": 2, "pbd2": 1, "pbd3": 2, "pbd4": 1, "pbd5": 1},
            {"Werkgebied": 2, "pbd1": 2, "pbd2": 1, "pbd3": 2, "pbd4": 1, "pbd5": 1},
        ],
    )
    assert frame["pbd6__status"].tolist() == ["item_nonresponse", "not_asked"]
    assert frame[ROUTING_VIOLATION].tolist() == ["pbd6", ""]


def test_statuses_keep_the_index_of_the_canonical_table(uu2020):
    canonical = canonical_from_records(uu2020, [{"OD1": 1}, {"OD1": 2}]).set_axis([10, 20])
    assert compute_statuses(canonical, uu2020).index.tolist() == [10, 20]


def test_empty_table(uu2020):
    frame = compute_statuses(canonical_from_records(uu2020, []), uu2020)
    assert len(frame) == 0 and ROUTING_VIOLATION in frame.columns


def test_statuses_are_always_one_of_the_documented_values(uu2020):
    rng = np.random.default_rng(7)
    records = []
    for _ in range(200):
        record = {}
        for name, column in uu2020.columns.items():
            if column.kind == "text":
                record[f"{name}__filled"] = bool(rng.integers(0, 2))
            elif rng.random() < 0.5:
                record[name] = int(rng.choice(list(column.options)))
        record["completed"] = rng.choice([None, 0, 1])
        records.append(record)
    frame = statuses(uu2020, records)
    for column in frame.columns:
        if column != ROUTING_VIOLATION:
            assert set(frame[column]) <= set(STATUSES)


def test_routing_may_test_the_status_of_an_earlier_item(tmp_path: Path):
    raw = {
        "id": "toy",
        "version": "1",
        "title": "toy",
        "facts": {
            "reference_period_months": 12,
            "reference_period_label": "12 maanden",
            "reference_incident": "last",
            "reference_incident_label": "laatste",
            "definition_shown": False,
            "population_type": "x",
            "population_label": "x",
        },
        "respondent_columns": {"respondent_id": {"column": "id"}},
        "missing_codes": {9: "refused"},
        "items": {
            "A": {"type": "single", "options": {1: "Ja", 2: "Nee", 9: "Wil ik niet zeggen"}},
            "B": {"type": "single", "options": {1: "x", 2: "y"}, "asked_if": {"col": "A", "status": ["refused"]}},
        },
    }
    toy = parse_codebook(raw, tmp_path / "toy.yaml", "")
    frame = statuses(toy, [{"A": 9}, {"A": 1}, {"A": 1, "B": 2}])
    assert frame["B__status"].tolist() == ["item_nonresponse", "not_asked", "answered"]
    # B is required: blank after the gate A was answered (with a refusal, still an answer) is a violation
    assert frame[ROUTING_VIOLATION].tolist() == ["B", "", "B"]


def test_first_status_prefers_nonresponse_then_not_asked():
    a = np.array(["answered", "not_asked", "answered", "not_in_instrument", "answered"], dtype=object)
    b = np.array(["refused", "item_nonresponse", "answered", "not_asked", "not_in_instrument"], dtype=object)
    assert first_status([a, b], 5).tolist() == ["refused", "item_nonresponse", "answered", "not_asked", "not_in_instrument"]
    assert pd.Series(first_status([], 2)).tolist() == ["answered", "answered"]
