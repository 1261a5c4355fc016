"""Crosswalks and harmonisation (classification.md section 2)."""

import copy
from pathlib import Path

import pandas as pd
import pytest
import yaml

from drukmonitor.classify import classify_frame
from drukmonitor.codebook import REPO_ROOT, load_all_codebooks, load_codebook, parse_codebook
from drukmonitor.errors import ConfigError, DrukmonitorError
from drukmonitor.harmonise import (
    FIELDS,
    PROVENANCE_COLUMNS,
    comparability_table,
    harmonise,
    harmonised_columns,
    load_all_crosswalks,
    load_crosswalk,
    parse_crosswalk,
    resolve_settings,
)
from drukmonitor.status import STATUSES, canonical_from_records

CROSSWALK_DIR = REPO_ROOT / "workflow" / "crosswalks"
INSTRUMENTS = ("uu2020", "mto2019", "io2018", "fnv2018", "wodc2018")


@pytest.fixture(scope="module")
def crosswalks():
    return load_all_crosswalks()


@pytest.fixture(scope="module")
def codebooks():
    return load_all_codebooks()


def raw_crosswalk(instrument):
    return yaml.safe_load((CROSSWALK_DIR / f"{instrument}.yaml").read_text(encoding="utf-8"))


def harmonised(instrument, records, settings=None, **kwargs):
    codebook = load_codebook(instrument)
    crosswalk = load_crosswalk(instrument, codebook=codebook)
    return harmonise(canonical_from_records(codebook, records, **kwargs), codebook, crosswalk, settings or {})


# --- the crosswalk files -------------------------------------------------------------------------------


def test_every_instrument_has_a_crosswalk_with_every_field(crosswalks, codebooks):
    assert set(crosswalks) == set(codebooks) == set(INSTRUMENTS)
    for crosswalk in crosswalks.values():
        assert list(crosswalk.fields) == list(FIELDS)
        assert crosswalk.target == "uu2020"
        assert crosswalk.facts == codebooks[crosswalk.id].facts


# classification.md section 2, one row per field: uu2020, mto2019, io2018, fnv2018, wodc2018
SPEC_COMPARABILITY = {
    "content": ("identical", "proxy", "proxy", "proxy", "proxy"),
    "doubt": ("identical", "proxy", "not_measured", "not_measured", "not_measured"),
    "context": ("identical", "comparable", "proxy", "proxy", "proxy"),
    "felt_pressure": ("identical", "not_measured", "proxy", "not_measured", "not_measured"),
    "means": ("identical", "proxy", "proxy", "comparable", "proxy"),
    "frequency": ("identical", "comparable", "not_measured", "comparable", "proxy"),
    "intent": ("identical", "not_measured", "not_measured", "not_measured", "not_measured"),
    "culpability": ("identical", "not_measured", "not_measured", "not_measured", "not_measured"),
    "power": ("identical", "not_measured", "not_measured", "not_measured", "not_measured"),
    "repeated": ("identical", "not_measured", "not_measured", "not_measured", "not_measured"),
    "duration": ("identical", "not_measured", "not_measured", "not_measured", "not_measured"),
    # means detail: OD7 identical; mto/wodc not measured; io2018 v1_4..v1_6 proxy; fnv V5 comparable
    "means_threat": ("identical", "not_measured", "proxy", "comparable", "not_measured"),
    "means_reward": ("identical", "not_measured", "proxy", "not_measured", "not_measured"),
    "means_intimidating_manner": ("identical", "not_measured", "proxy", "comparable", "not_measured"),
    "means_non_verbal": ("identical", "not_measured", "not_measured", "comparable", "not_measured"),
    "means_bullied_excluded": ("identical", "not_measured", "not_measured", "comparable", "not_measured"),
    "means_other": ("identical", "not_measured", "not_measured", "comparable", "not_measured"),
    "means_none_felt": ("identical", "not_measured", "not_measured", "not_measured", "not_measured"),
}


@pytest.mark.parametrize("field", list(SPEC_COMPARABILITY))
def test_comparability_levels_are_those_of_the_spec(crosswalks, field):
    assert tuple(crosswalks[instrument].fields[field].comparability for instrument in INSTRUMENTS) == SPEC_COMPARABILITY[field]


def test_comparability_table(crosswalks):
    table = comparability_table(crosswalks["mto2019"])
    assert list(table.columns) == ["field", "comparability", "reason", "source_items"]
    assert table["field"].tolist() == list(FIELDS)
    content = table.set_index("field").loc["content"]
    assert content["comparability"] == "proxy"
    assert content["reason"].startswith("eigen oordeel na getoonde definitie")
    assert content["source_items"] == "pbd1, pbd3, pbd5, pbd2"
    assert (table["reason"].str.len() > 0).all()


def test_crosswalk_files_validate_and_id_must_match(tmp_path, codebooks):
    raw = raw_crosswalk("fnv2018")
    raw["id"] = "uu2020"
    (tmp_path / "fnv2018.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match="checked against codebook"):
        load_crosswalk("fnv2018", tmp_path, codebooks["fnv2018"])
    with pytest.raises(ConfigError, match="no crosswalk for instrument 'nope'"):
        load_crosswalk("nope", tmp_path, codebooks["fnv2018"])


def broken(instrument, mutate):
    raw = copy.deepcopy(raw_crosswalk(instrument))
    mutate(raw)
    return raw


@pytest.mark.parametrize(
    ("instrument", "mutate", "message"),
    [
        ("uu2020", lambda raw: raw["fields"].pop("duration"), "'duration' is a required property"),
        ("uu2020", lambda raw: raw["fields"]["content"].update(comparability="same"), "is not one of"),
        ("uu2020", lambda raw: raw["fields"]["content"].update(reason=""), "should be non-empty|is too short"),
        ("uu2020", lambda raw: raw["fields"]["frequency"]["rules"][1].update(value=23), "value 23 is not allowed for field frequency"),
        ("uu2020", lambda raw: raw["fields"]["doubt"]["rules"][0].update(value=True), "value True is not allowed for field doubt"),
        ("uu2020", lambda raw: raw["fields"]["content"]["rules"][0].update(when={"col": "OD99", "in": [1]}), r"reads column \['OD99'\]"),
        (
            "uu2020",
            lambda raw: raw["fields"]["content"]["rules"][0].update(when={"col": "means", "in": ["improper"]}),
            r"reads column \['means'\]",
        ),
        (
            "uu2020",
            lambda raw: raw["fields"]["means"]["rules"][1]["when"]["all"][1].update(gte={"param": "nope"}),
            "unknown setting 'nope'",
        ),
        ("uu2020", lambda raw: raw["fields"]["content"].update(source_items=["OD1", "XX"]), r"\['XX'\] are not items"),
        ("uu2020", lambda raw: raw["fields"]["intent"].update(copy="OD4"), r"codes \[6, 7, 10\] of OD4 are not values"),
        ("uu2020", lambda raw: raw["fields"]["intent"].update(comparability="not_measured"), "should not be valid|is not allowed"),
        ("uu2020", lambda raw: raw["fields"]["content"]["rules"][0].update(when={"col": "OD1", "status": ["maybe"]}), "unknown statuses"),
        (
            "io2018",
            lambda raw: raw["fields"]["felt_pressure"]["recode"]["map"].pop("9..10"),
            r"codes \[9, 10\] of v3_intern are not mapped",
        ),
        ("io2018", lambda raw: raw["fields"]["felt_pressure"]["recode"]["map"].update({"2": 1}), "code 2 is mapped twice"),
        ("mto2019", lambda raw: raw["fields"]["context"]["rules"][3].update(value={"param": "typo"}), "unknown setting 'typo'"),
        ("wodc2018", lambda raw: raw["gate"].update(items=["Q99"]), r"gate.items: \['Q99'\]"),
    ],
)
def test_invalid_crosswalks_are_rejected_with_a_message(codebooks, instrument, mutate, message):
    with pytest.raises(ConfigError, match=message):
        parse_crosswalk(broken(instrument, mutate), codebooks[instrument], Path(f"{instrument}.yaml"))


def test_unquoted_yaml_codes_are_caught():
    # YAML 1.1 reads 2_3 as the integer 23 and yes as true: the value check catches both
    assert yaml.safe_load("value: 2_3")["value"] == 23
    assert yaml.safe_load("value: yes")["value"] is True


# --- harmonise ----------------------------------------------------------------------------------------


def test_harmonised_table_layout_and_provenance():
    codebook = load_codebook("uu2020")
    frame = harmonised(
        "uu2020",
        [{"OD1": 1, "OD2": 1, "org_unit": "Stadsbeheer", "role_group": 1, "weight": 1.5, "completed": 1}, {"OD1": 2}],
        wave="uu2020_pilot1",
    )
    assert list(frame.columns) == harmonised_columns(codebook)
    assert len(frame) == 2
    for column, dtype in PROVENANCE_COLUMNS.items():
        assert str(frame[column].dtype) == dtype, column
    first = frame.iloc[0]
    assert (first["wave"], first["instrument"], first["org_unit"], first["role_group"], first["weight"]) == (
        "uu2020_pilot1",
        "uu2020",
        "Stadsbeheer",
        1,
        1.5,
    )
    for name, definition in FIELDS.items():
        assert str(frame[name].dtype) == definition.dtype, name
        assert set(frame[f"{name}__status"]) <= set(STATUSES)


def test_copy_keeps_substantive_codes_and_blanks_missing_codes():
    frame = harmonised(
        "uu2020", [{"OD1": 2, "OD4": 1, "OD5": 1, "OD6": 4, "OD8_2": 9}, {"OD1": 2, "OD4": 1, "OD5": 1, "OD6": 9}, {"OD1": 1, "OD2": 1}]
    )
    assert frame["felt_pressure"].tolist() == [4, pd.NA, pd.NA]
    assert frame["felt_pressure__status"].tolist() == ["answered", "refused", "not_asked"]
    assert frame["culpability"].tolist()[0] is pd.NA and frame["culpability__status"].iloc[0] == "refused"


def test_recode_bins_the_io2018_pressure_scale():
    records = [{"v1_1": 1, "v2": 1, "v3_intern": value, "v4": 1} for value in range(1, 11)]
    frame = harmonised("io2018", records)
    assert frame["felt_pressure"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert set(frame["felt_pressure__status"]) == {"answered"}
    outside = harmonised("io2018", [{"v1_1": 1, "v2": 2, "v3_extern": 9, "v4": 1}])
    assert outside["felt_pressure"].iloc[0] is pd.NA and outside["felt_pressure__status"].iloc[0] == "not_asked"


def test_an_unmapped_value_fails_naming_column_row_and_value():
    codebook = load_codebook("io2018")
    canonical = canonical_from_records(codebook, [{"v1_1": 1, "v2": 1, "v3_intern": 4}, {"v1_1": 1, "v2": 1, "v3_intern": 11}])
    with pytest.raises(DrukmonitorError, match=r"<records>: column v3_intern, row 2, value 11: no recode"):
        harmonise(canonical, codebook, load_crosswalk("io2018", codebook=codebook), {})


def test_not_measured_fields_are_not_in_instrument():
    frame = harmonised("mto2019", [{"pbd1": 2, "pbd2": 1, "pbd3": 2, "pbd4": 1, "pbd5": 3}])
    for name in ("felt_pressure", "intent", "means_threat", "inconsistent_pressure"):
        assert frame[name].iloc[0] is pd.NA, name
        assert frame[f"{name}__status"].iloc[0] == "not_in_instrument", name


def test_a_wave_without_optional_items_gives_not_in_instrument():
    frame = harmonised("uu2020", [{"OD1": 2, "OD4": 1, "OD5": 1, "OD6": 4}], omit_items=["OD2", "OD7", "OD8"])
    assert frame["means"].iloc[0] == "improper"
    for name in ("means_threat", "means_none_felt", "intent", "duration"):
        assert frame[f"{name}__status"].iloc[0] == "not_in_instrument", name
    assert frame["doubt__status"].iloc[0] == "not_in_instrument"


def test_field_status_explains_unknown_values():
    frame = harmonised(
        "uu2020",
        [
            {"OD1": 8, "OD2": 1},  # content unknown: OD1 Weet ik niet
            {"OD1": 9, "OD2": 9},  # content unknown: OD1 Wil ik niet zeggen
            {},  # content unknown: OD1 blank
            {"OD1": 2, "OD4": 10, "OD5": 1, "OD6": 2},  # context unknown: 'Anders' is an answer
            {"OD1": 2, "OD4": 5, "OD5": 8, "OD6": 2},  # context unknown: OD5 Weet ik niet
            {"OD1": 1, "OD2": 1},  # context not applicable
        ],
    )
    assert frame["content"].tolist()[:3] == ["unknown"] * 3
    assert frame["content__status"].tolist() == ["dont_know", "refused", "item_nonresponse", "answered", "answered", "answered"]
    assert frame["context"].tolist()[3:] == ["unknown", "unknown", "not_applicable"]
    assert frame["context__status"].tolist()[3:] == ["answered", "dont_know", "not_asked"]


def test_gate_status_uses_the_first_answered_gate_item():
    frame = harmonised("wodc2018", [{"Q22": 3, "Q7": 1}, {"Q7": 2}, {}, {"Q22": 5}])
    assert frame["gate_status"].tolist() == ["answered", "answered", "item_nonresponse", "answered"]
    assert harmonised("uu2020", [{"OD1": 9}, {"OD1": 1}])["gate_status"].tolist() == ["refused", "answered"]


def test_settings_are_validated_and_used():
    assert resolve_settings({})["pressure_threshold"] == 3
    for bad in (
        {"pressure_threshold": 7},
        {"pressure_threshold": "3"},
        {"top_civil_service_is_principal": "yes"},
        {"mto_ambtelijke_druk_context": "ambtelijk"},
    ):
        with pytest.raises(ConfigError):
            resolve_settings(bad)
    record = {"pbd1": 2, "pbd2": 1, "pbd3": 2, "pbd4": 3, "pbd5": 3}
    assert harmonised("mto2019", [record])["context"].iloc[0] == "political_indirect"
    assert harmonised("mto2019", [record], {"mto_ambtelijke_druk_context": "civil_service_line"})["context"].iloc[0] == "civil_service_line"


def test_harmonise_does_not_depend_on_the_canonical_index():
    codebook = load_codebook("fnv2018")
    canonical = canonical_from_records(codebook, [{"V4": 1, "V5": 4, "V6": 1, "V7": 1}, {"V4": 4}]).set_axis([7, 3])
    frame = harmonise(canonical, codebook, load_crosswalk("fnv2018", codebook=codebook), {})
    assert frame.index.tolist() == [0, 1]
    assert frame["content"].tolist() == ["improper", "not_reported"]


def test_adding_an_instrument_needs_only_a_codebook_and_a_crosswalk(tmp_path):
    """A hypothetical uu2020 variant exported with other column names: YAML only, no code."""
    codebook_raw = yaml.safe_load((REPO_ROOT / "workflow" / "codebooks" / "uu2020.yaml").read_text(encoding="utf-8"))
    renamed = {f"OD{i}": f"Q{i}" for i in range(1, 9)}

    def rename_text(text):
        if ".." in text:
            return "..".join(rename_text(part) for part in text.split(".."))
        for old, new in renamed.items():
            if text == old:
                return new
            if text.startswith(f"{old}_"):
                return new + text[len(old) :]
        return text

    def rename(node):
        if isinstance(node, dict):
            return {rename_text(key) if isinstance(key, str) else key: rename(value) for key, value in node.items()}
        if isinstance(node, list):
            return [rename(value) for value in node]
        return rename_text(node) if isinstance(node, str) else node

    codebook_raw = rename(codebook_raw)
    codebook_raw["id"] = "uu2021"
    codebook = parse_codebook(codebook_raw, tmp_path / "uu2021.yaml", "")
    crosswalk_raw = rename(raw_crosswalk("uu2020"))
    crosswalk_raw["id"] = "uu2021"
    crosswalk = parse_crosswalk(crosswalk_raw, codebook, tmp_path / "uu2021.yaml")
    canonical = canonical_from_records(codebook, [{"Q1": 3, "Q4": 4, "Q5": 1, "Q6": 5, "Q7_2": 1}])
    _, classified = classify_frame(canonical, codebook, crosswalk, {})
    assert classified[["instrument", "content", "means", "context", "type"]].iloc[0].tolist() == [
        "uu2021",
        "improper",
        "improper",
        "top_civil_service",
        "improper_pressure",
    ]
