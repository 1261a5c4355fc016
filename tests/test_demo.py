"""Tests for the synthetic demo exports and their intended classification (drukmonitor.demo)."""

from __future__ import annotations

import hashlib
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from drukmonitor import demo

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "raw" / "demo"
SPEC = REPO / "docs" / "spec" / "instruments"


# ---------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """The demo set generated with the default seed into a fresh directory."""
    out = tmp_path_factory.mktemp("demo_a")
    demo.generate_demo(out)
    return out


@pytest.fixture(scope="module")
def waves() -> dict[str, demo.DemoWave]:
    return demo.build_demo()


@pytest.fixture(scope="module")
def expected(generated) -> dict[str, pd.DataFrame]:
    return {
        wave_id: pd.read_csv(generated / "expected" / f"{wave_id}.csv", dtype=str, keep_default_na=False)
        for wave_id in demo.WAVES
    }


@pytest.fixture(scope="module")
def codebooks() -> dict[str, dict]:
    return {name: yaml.safe_load((SPEC / f"{name}.yaml").read_text(encoding="utf-8"))
            for name in ("uu2020", "mto2019", "io2018", "fnv2018", "wodc2018")}


def _relative_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _norm(value: Any) -> Any:
    """Normalise a read-back cell: NA / empty -> None, integer-like numbers -> int."""
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, str):
        if value == "":
            return None
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    return value


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{c: _norm(v) for c, v in row.items()} for row in df.to_dict(orient="records")]


def _assert_same_records(read_back: list[dict[str, Any]], wave: demo.DemoWave) -> None:
    assert len(read_back) == len(wave.records)
    for n, (got, want) in enumerate(zip(read_back, wave.records), start=1):
        want = {c: _norm(want[c]) for c in wave.columns}
        assert got == want, f"{wave.file_name} source_row {n}"


def _read_csv(path: Path, **kwargs) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kwargs)


# ---------------------------------------------------------------------------------------------
# determinism and the committed copy
# ---------------------------------------------------------------------------------------------


def test_generation_twice_is_byte_identical(generated, tmp_path):
    demo.generate_demo(tmp_path)
    first, second = _relative_files(generated), _relative_files(tmp_path)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_generate_demo_returns_every_written_file(tmp_path):
    written = demo.generate_demo(tmp_path, seed=demo.DEFAULT_SEED)
    assert sorted(written) == written
    assert {p.relative_to(tmp_path).as_posix() for p in written} == set(_relative_files(tmp_path))
    expected_names = {f for _, f, _ in demo.WAVES.values()} | {f"expected/{w}.csv" for w in demo.WAVES}
    assert expected_names | {"README.md", "SHA256SUMS"} == set(_relative_files(tmp_path))


def test_committed_demo_matches_sha256sums_and_fresh_generation(generated):
    sums = (COMMITTED / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    names = []
    for line in sums:
        digest, name = line.split("  ", 1)
        names.append(name)
        assert hashlib.sha256((COMMITTED / name).read_bytes()).hexdigest() == digest, name
    assert names == sorted(names)
    committed = _relative_files(COMMITTED)
    assert set(names) == set(committed) - {"SHA256SUMS"}, "SHA256SUMS must cover every demo file"
    fresh = _relative_files(generated)
    assert committed.keys() == fresh.keys()
    for name in committed:
        assert committed[name] == fresh[name], f"{name} is not reproducible from the default seed"


def test_other_seed_gives_other_data(waves):
    other = demo.build_demo(seed=1)
    assert other["wodc2018"].records != waves["wodc2018"].records


def test_binary_formats_carry_fixed_timestamps(generated):
    for name in ("mto2019_demo.sav", "uu2020_monitor.sav"):
        header = (generated / name).read_bytes()[:176]
        assert header[:4] == b"$FL2"
        assert header[92:109] == b"01 Jan 2000:00:00"
    with zipfile.ZipFile(generated / "fnv2018_demo.xlsx") as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {demo.ZIP_DATE_TIME}
        core = z.read("docProps/core.xml").decode()
        assert core.count(demo.XLSX_TIMESTAMP) == 2


def test_demo_dir_is_small(generated):
    assert sum(len(b) for b in _relative_files(generated).values()) < 5_000_000


# ---------------------------------------------------------------------------------------------
# every file reads back in its declared layout and equals the generator's code-level data
# ---------------------------------------------------------------------------------------------


def test_mto2019_sav_reads_back(generated, waves, codebooks):
    wave = waves["mto2019"]
    df, meta = pyreadstat.read_sav(generated / wave.file_name, user_missing=True)
    assert list(df.columns) == wave.columns
    _assert_same_records(_records(df), wave)
    assert meta.missing_ranges["pbd4"] == [{"lo": 8.0, "hi": 8.0}, {"lo": 9.0, "hi": 9.0}]
    assert meta.missing_ranges["Functiegroep"] == [{"lo": 9.0, "hi": 9.0}]
    items = codebooks["mto2019"]["items"]
    for col in ("pbd1", "pbd2", "pbd3", "pbd4", "pbd5", "pbd6"):
        assert {int(k): v for k, v in meta.variable_value_labels[col].items()} == items[col]["options"]
    # user-missing codes really occur and survive as codes
    assert (df["pbd5"] == 8).any() and (df["pbd4"] == 9).any()
    assert {f"tevr_{k:02d}" for k in range(1, 41)} <= set(df.columns)
    assert (df["Weegfactor"] > 0).all()


def test_uu2020_monitor_sav_reads_back(generated, waves, codebooks):
    wave = waves["uu2020_monitor"]
    df, meta = pyreadstat.read_sav(generated / wave.file_name, user_missing=True)
    assert list(df.columns) == wave.columns
    _assert_same_records(_records(df), wave)
    assert meta.missing_ranges["OD1"] == [{"lo": 8.0, "hi": 8.0}, {"lo": 9.0, "hi": 9.0}]
    assert meta.missing_ranges["OD6"] == [{"lo": 9.0, "hi": 9.0}]
    items = codebooks["uu2020"]["items"]
    for col in ("OD1", "OD2", "OD4", "OD5", "OD6"):
        assert {int(k): v for k, v in meta.variable_value_labels[col].items()} == items[col]["options"]
    assert (df["OD1"] == 8).any() and (df["OD1"] == 9).any() and (df["OD5"] == 8).any()
    assert (df["weight"] > 0).all()
    # without user_missing the declared codes become NA: proof that they are declared missing
    plain, _ = pyreadstat.read_sav(generated / wave.file_name, usecols=["OD1"])
    assert plain["OD1"].isna().sum() > df["OD1"].isna().sum()


def test_io2018_csv_reads_back_cp1252_decimal_comma(generated, waves):
    wave = waves["io2018"]
    raw = (generated / wave.file_name).read_bytes()
    assert "Ruïnemeer".encode("cp1252") in raw and "Súdermar".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.count(b"\r\n") == len(wave.records) + 1
    df = _read_csv(generated / wave.file_name, sep=";", encoding="cp1252")
    assert list(df.columns) == wave.columns
    assert df["weegfactor"].str.fullmatch(r"\d+,\d{4}").all()
    df["weegfactor"] = df["weegfactor"].str.replace(",", ".").astype(float)
    _assert_same_records(_records(df), wave)
    numeric = pd.read_csv(generated / wave.file_name, sep=";", encoding="cp1252", decimal=",")
    assert numeric["weegfactor"].dtype == np.float64
    assert numeric["gemeente"].nunique() == 6 and numeric["gemeente"].value_counts().min() < 30
    # v1_7 'Geen van deze verzoeken' is exclusive
    ticked_other = numeric[[f"v1_{k}" for k in range(1, 7)]].eq(1).any(axis=1)
    assert not (numeric["v1_7"].eq(1) & ticked_other).any()


def test_fnv2018_xlsx_reads_back(generated, waves):
    wave = waves["fnv2018"]
    df = pd.read_excel(generated / wave.file_name, sheet_name=0)
    assert list(df.columns) == wave.columns
    _assert_same_records(_records(df), wave)


def test_wodc2018_csv_reads_back_utf8(generated, waves):
    wave = waves["wodc2018"]
    raw = (generated / wave.file_name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    raw.decode("utf-8")
    df = _read_csv(generated / wave.file_name, encoding="utf-8")
    assert list(df.columns) == wave.columns
    _assert_same_records(_records(df), wave)


def test_uu2020_pilot1_csv_reads_back_utf8_bom(generated, waves):
    wave = waves["uu2020_pilot1"]
    raw = (generated / wave.file_name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = _read_csv(generated / wave.file_name, encoding="utf-8-sig")
    assert list(df.columns) == wave.columns
    _assert_same_records(_records(df), wave)


def _uu2020_label_maps(codebook: dict) -> dict[str, dict[str, int]]:
    """label -> code per coded column of a uu2020 label export, straight from the instrument YAML."""
    items = codebook["items"]
    respondent = codebook["respondent_columns"]
    maps = {
        "role_group": respondent["role_group"],
        "completed": respondent["completed"],
        "OD3_wiz": {1: "Wil ik niet zeggen"},
        **{col: items[col]["options"] for col in ("OD1", "OD2", "OD4", "OD5", "OD6")},
        **{f"OD7_{k}": {1: label} for k, label in items["OD7"]["options"].items()},
        **{col: items["OD8"]["scale"] for col in items["OD8"]["statements"]},
    }
    return {col: {label: code for code, label in labels.items()} for col, labels in maps.items()}


def test_uu2020_pilot2_label_export_holds_exact_codebook_labels(generated, waves, codebooks):
    wave = waves["uu2020_pilot2"]
    raw = (generated / wave.file_name).read_bytes()
    assert "Ja, één keer".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    df = _read_csv(generated / wave.file_name, sep=";", encoding="cp1252")
    assert list(df.columns) == wave.columns
    maps = _uu2020_label_maps(codebooks["uu2020"])
    for col, label_to_code in maps.items():
        used = set(df[col]) - {""}
        assert used <= set(label_to_code), f"{col}: labels not in the codebook: {used - set(label_to_code)}"
        df[col] = [label_to_code[v] if v else "" for v in df[col]]
    # decoded back to codes, the label export equals the generator's data; multi-select columns
    # carry no 0 in a label export (unticked = empty), so compare ticks only
    ticks_only = [{c: (None if c in (*demo.OD7_COLS, "OD3_wiz") and v == 0 else v) for c, v in rec.items()}
                  for rec in wave.records]
    _assert_same_records(_records(df), demo.DemoWave(wave.wave_id, wave.instrument, wave.file_name,
                                                     wave.columns, ticks_only))
    assert set(df["OD1"]) >= {1, 2, 8, 9}
    assert (df["OD7_1"] == 1).any() and (df["completed"] == 0).any()


def test_module_labels_equal_the_instrument_yaml(codebooks):
    uu = codebooks["uu2020"]
    assert demo.UU2020_ROLE == uu["respondent_columns"]["role_group"]
    assert demo.UU2020_COMPLETED == uu["respondent_columns"]["completed"]
    for col, labels in [("OD1", demo.UU2020_FREQ_OPTIONS), ("OD2", demo.UU2020_FREQ_OPTIONS),
                        ("OD4", demo.UU2020_OD4), ("OD5", demo.UU2020_OD5), ("OD6", demo.UU2020_OD6),
                        ("OD7", demo.UU2020_OD7)]:
        assert labels == uu["items"][col]["options"], col
    assert demo.UU2020_OD8 == uu["items"]["OD8"]["scale"]
    mto = codebooks["mto2019"]
    assert demo.MTO_FUNCTIEGROEP == mto["respondent_columns"]["Functiegroep"]
    assert demo.MTO_WERKGEBIED == mto["respondent_columns"]["Werkgebied"]
    for col, labels in [("pbd1", demo.MTO_PBD123), ("pbd4", demo.MTO_PBD4), ("pbd5", demo.MTO_PBD5),
                        ("pbd6", demo.MTO_PBD6)]:
        assert labels == mto["items"][col]["options"], col
    assert demo.IO_DOELGROEP == codebooks["io2018"]["respondent_columns"]["doelgroep"]
    fnv = codebooks["fnv2018"]
    assert demo.FNV_FUNCTIENIVEAU == fnv["respondent_columns"]["Functieniveau"]
    for col, labels in [("V4", demo.FNV_V4), ("V5", demo.FNV_V5), ("V6", demo.FNV_V6), ("V7", demo.FNV_V7)]:
        assert labels == fnv["items"][col]["options"], col
    assert demo.WODC_FUNCTIE == codebooks["wodc2018"]["respondent_columns"]["functie"]


def test_columns_follow_the_reference_layouts(waves, codebooks):
    for wave_id, wave in waves.items():
        codebook = codebooks[wave.instrument]
        names = list(codebook["respondent_columns"])
        for item, spec in codebook["items"].items():
            if spec["type"] == "multi":
                names += [f"{item}_{k}" for k in spec["options"]]
            elif spec["type"] == "likert":
                names += list(spec["statements"])
            else:
                names.append(item)
            names += list(spec.get("extra_columns", {}))
        extra = set(wave.columns) - set(names)
        if wave.instrument == "mto2019":
            assert extra == {f"tevr_{k:02d}" for k in range(1, 41)}
        else:
            assert extra == set(), wave_id
        optional = {"weight", "completed"} if wave.instrument == "uu2020" else set()
        assert set(names) - set(wave.columns) <= optional, wave_id


# ---------------------------------------------------------------------------------------------
# properties of the demo set
# ---------------------------------------------------------------------------------------------


def test_every_raw_row_has_one_expected_row(expected, waves):
    for wave_id, wave in waves.items():
        exp = expected[wave_id]
        assert list(exp.columns) == demo.EXPECTED_COLUMNS
        assert len(exp) == len(wave.records)
        assert exp["source_row"].tolist() == [str(n) for n in range(1, len(wave.records) + 1)]
        assert set(exp["wave"]) == {wave_id} and set(exp["instrument"]) == {wave.instrument}
        id_col = {"uu2020": "respondent_id", "mto2019": "RespID", "io2018": "resp_nr",
                  "fnv2018": "ID", "wodc2018": "respnr"}[wave.instrument]
        assert exp["respondent_id"].tolist() == [str(r[id_col]) for r in wave.records]


def test_exactly_one_duplicated_id_in_the_whole_set(expected):
    ids = pd.concat([exp["respondent_id"] for exp in expected.values()])
    counts = ids.value_counts()
    assert (counts > 1).sum() == 1 and counts.max() == 2
    duplicated = counts.index[counts > 1][0]
    monitor = expected["uu2020_monitor"]
    rows = monitor[monitor["respondent_id"] == duplicated]
    assert len(rows) == 2
    assert set(rows["expected_status"]) == {"rejected"} and set(rows["expected_reject_reason"]) == {"duplicate_id"}
    assert (rows[demo.CLASSIFICATION_COLUMNS] == "").all().all()
    everything = pd.concat(expected.values())
    assert set(everything["expected_status"]) == {"classified", "rejected"}
    assert (everything["expected_status"] == "rejected").sum() == 2


def test_routing_violations_exist_and_are_marked(expected, waves):
    for wave_id, wave in waves.items():
        exp = expected[wave_id]
        flagged = {int(r.source_row): tuple(r.routing_violation.split(","))
                   for r in exp.itertuples() if r.routing_violation}
        assert 1 <= len(flagged) <= 8, wave_id
        assert flagged == wave.injected_violations, wave_id
    # both kinds occur: answered although skipped, and blank although required
    monitor = {v for items in waves["uu2020_monitor"].injected_violations.values() for v in items}
    assert {"OD2", "OD3"} <= monitor and {"OD4", "OD5", "OD6"} <= monitor


def test_optional_item_blanks_where_asked_are_not_violations(expected, waves):
    """Blank OD2 after OD1 = Nee, or blank OD7 / OD8 statements in the block: item nonresponse only."""
    found = 0
    for wave_id in ("uu2020_pilot1", "uu2020_pilot2", "uu2020_monitor"):
        exp = expected[wave_id]
        for n, rec in enumerate(waves[wave_id].records, start=1):
            if rec["completed"] != 1 or exp.at[n - 1, "expected_status"] != "classified":
                continue
            optional_blank = (rec["OD1"] in (1, 8, 9) and rec["OD2"] is None) or (
                rec["OD1"] in (2, 3, 4)
                and (any(rec[c] is None for c in demo.OD8_COLS) or not any(rec[c] == 1 for c in demo.OD7_COLS))
            )
            if optional_blank:
                found += 1
                assert not {"OD2", "OD7", *demo.OD8_COLS} & set(exp.at[n - 1, "routing_violation"].split(","))
    assert found >= 5


def test_break_offs_stop_partway(waves):
    for wave_id in ("uu2020_pilot1", "uu2020_pilot2", "uu2020_monitor"):
        records = waves[wave_id].records
        broke_off = [r for r in records if r["completed"] == 0]
        assert broke_off, wave_id
        assert any(r["OD1"] is not None for r in broke_off)
        for rec in broke_off:
            if rec["OD1"] not in (2, 3, 4):
                continue
            # pages of the follow-up block: answered up to the break, blank after it
            pages = [rec["OD4"] is not None, rec["OD5"] is not None, rec["OD6"] is not None,
                     any(rec[c] == 1 for c in demo.OD7_COLS), rec["OD8_1"] is not None]
            assert pages == sorted(pages, reverse=True) and not all(pages), rec["respondent_id"]


def test_small_units_exist(waves):
    for wave_id in ("uu2020_pilot1", "uu2020_pilot2", "uu2020_monitor"):
        sizes = pd.Series([r["org_unit"] for r in waves[wave_id].records]).value_counts()
        assert 8 <= len(sizes) <= 12, wave_id
        assert (sizes < 10).sum() >= 2, wave_id
        assert (sizes >= 10).sum() >= 6, wave_id


def test_groups_have_clearly_different_rates(expected, waves):
    exp = expected["uu2020_monitor"]
    raw = pd.DataFrame(waves["uu2020_monitor"].records)
    improper = exp["type"].eq("improper_pressure")
    by_unit = improper.groupby(raw["org_unit"]).mean()[raw["org_unit"].value_counts() >= 100]
    assert by_unit.max() > 2.5 * by_unit.min()
    by_role = improper.groupby(raw["role_group"]).mean()
    assert by_role[3] > 2 * by_role[1]


def test_expected_types_cover_the_typology(expected):
    everything = pd.concat(expected.values())
    assert {"improper_pressure", "improper_request", "indecent_pressure", "regular_request",
            "outside_definition", "undetermined", "not_reported"} <= set(everything["type"])
    monitor = expected["uu2020_monitor"]
    assert {"improper_pressure", "improper_request", "outside_definition", "undetermined",
            "not_reported"} <= set(monitor["type"])
    assert (monitor["grey_area"] == "true").any()
    assert (monitor["inconsistent_pressure"] == "true").any()
    assert (expected["io2018"]["cooccurrence_uncertain"] == "true").any()
    assert set(everything["grey_area"]) <= {"true", "false", ""}


def test_expected_values_use_the_contract_codes(expected):
    everything = pd.concat(expected.values())
    classified = everything[everything["expected_status"] == "classified"]
    allowed = {
        "content": {"improper", "doubt", "proper", "not_reported", "unknown"},
        "means": {"improper", "proper", "unknown", "not_applicable"},
        "context": {"political_direct", "political_indirect", "political_unspecified", "top_civil_service",
                    "external", "employer_employee", "internal_unspecified", "line_unspecified",
                    "commissioning_principal", "unknown", "not_applicable"},
        "principal_agent": {"yes", "no", "unknown", "not_applicable"},
        "frequency": {"once", "2_3", "4_plus", "more_than_once", "once_or_few", "regularly", "often", ""},
    }
    for col, values in allowed.items():
        assert set(classified[col]) <= values, col
    for col in ("f_intent", "f_culpable", "f_power", "f_intensity", "f_frequency_duration"):
        assert set(classified[col]) <= {"true", "false", ""}, col
    for col in ("grey_area", "inconsistent_pressure", "cooccurrence_uncertain"):
        assert set(classified[col]) <= {"true", "false"}, col  # flags are never NA
    # not_reported <-> not_applicable, factors only for improper / doubt
    not_reported = classified["content"] == "not_reported"
    assert (classified.loc[not_reported, ["means", "context", "principal_agent"]] == "not_applicable").all().all()
    assert (classified.loc[~not_reported, ["means", "context", "principal_agent"]] != "not_applicable").all().all()
    other = ~classified["content"].isin(["improper", "doubt"])
    assert (classified.loc[other, ["f_intent", "f_intensity", "severity_score", "severity_observed"]] == "").all().all()


def test_open_text_carries_fake_personal_data(waves):
    texts = [rec[col] for wave in waves.values() for rec in wave.records
             for col in ("OD3", "OD4_anders", "OD5_anders", "OD7_anders", "pbd7", "Q9",
                         "V5_anders", "V6_anders", "V7_anders") if rec.get(col)]
    assert any(re.search(r"[\w.]+@[\w-]+\.(nl|com)", t) for t in texts)
    assert any(re.search(r"\b06-\d{8}\b", t) for t in texts)
    for col in ("pbd7", "Q9", "OD3", "V5_anders"):
        assert any(rec.get(col) for wave in waves.values() for rec in wave.records), col


# ---------------------------------------------------------------------------------------------
# the oracle on hand-made records
# ---------------------------------------------------------------------------------------------


def _uu(**answers) -> dict[str, Any]:
    rec: dict[str, Any] = dict.fromkeys(demo.UU2020_ITEM_COLUMNS)
    rec["completed"] = 1
    block = answers.get("OD1") in (2, 3, 4) or answers.get("OD2") in (2, 3, 4)
    if block:
        rec.update({c: 0 for c in demo.OD7_COLS}, OD3_wiz=0, OD4=2, OD5=1, OD6=4,
                   **{c: 3 for c in demo.OD8_COLS})
    ticks = answers.pop("ticks", None)
    if ticks is not None:
        rec.update({f"OD7_{k}": int(k in ticks) for k in range(1, 9)})
    rec.update(answers)
    return rec


@pytest.mark.parametrize(
    ("answers", "want"),
    [
        ({"OD1": 1, "OD2": 1}, {"content": "not_reported", "type": "not_reported", "means": "not_applicable",
                                "context": "not_applicable", "principal_agent": "not_applicable",
                                "inconsistent_pressure": False, "severity_score": None}),
        ({"OD1": 2, "ticks": {4}}, {"content": "improper", "means": "improper", "context": "political_direct",
                                    "type": "improper_pressure", "frequency": "once", "f_intensity": True}),
        ({"OD1": 3, "OD6": 2, "ticks": {1}}, {"means": "proper", "type": "improper_request",
                                              "frequency": "2_3", "f_intensity": False}),
        ({"OD1": 1, "OD2": 4, "ticks": {4}}, {"content": "doubt", "grey_area": True, "frequency": "4_plus",
                                              "type": "improper_pressure", "f_frequency_duration": True}),
        ({"OD1": 8, "OD2": 1}, {"content": "unknown", "type": "undetermined", "context": "unknown"}),
        ({"OD1": None}, {"content": "unknown", "type": "undetermined", "routing_violation": None}),
        ({"OD1": 2, "OD4": 5, "OD5": 3, "ticks": {4}}, {"context": "political_indirect", "principal_agent": "yes"}),
        ({"OD1": 2, "OD4": 6, "OD5": 5, "ticks": {4}}, {"context": "top_civil_service", "principal_agent": "yes"}),
        ({"OD1": 2, "OD4": 5, "OD5": 11, "ticks": {4}}, {"context": "external", "type": "outside_definition"}),
        ({"OD1": 2, "OD4": 5, "OD5": 7, "ticks": {4}}, {"context": "employer_employee", "principal_agent": "no",
                                                        "type": "outside_definition"}),
        ({"OD1": 2, "OD4": 10, "OD5": 1, "ticks": {4}}, {"context": "unknown", "type": "undetermined"}),
        ({"OD1": 2, "OD6": 9, "ticks": {1}}, {"means": "proper", "inconsistent_pressure": False,
                                              "type": "improper_request"}),
        ({"OD1": 2, "OD6": 9, "ticks": {1, 7}}, {"means": "unknown", "type": "undetermined"}),
        ({"OD1": 2, "OD6": 9, "ticks": {8}}, {"means": "unknown", "f_intensity": None}),
        ({"OD1": 2, "OD6": 3, "ticks": {1}}, {"means": "improper", "inconsistent_pressure": True,
                                              "f_intensity": False}),
        ({"OD1": 2, "OD6": 1, "ticks": {2}}, {"means": "proper", "inconsistent_pressure": True,
                                              "f_intensity": True}),
        ({"OD1": 2, "ticks": {4}, "OD8_1": 4, "OD8_2": 2, "OD8_3": 9, "OD8_4": 3, "OD8_5": 9},
         {"f_intent": True, "f_culpable": True, "f_power": None, "f_frequency_duration": False,
          "severity_score": 3, "severity_observed": 4}),
        # routing violations
        ({"OD1": 2, "OD2": 1, "ticks": {4}}, {"routing_violation": "OD2", "content": "improper"}),
        ({"OD1": 1, "OD2": 1, "OD6": 2}, {"routing_violation": "OD6", "type": "not_reported"}),
        ({"OD1": 1, "OD2": 1, "OD3": "tekst"}, {"routing_violation": "OD3"}),
        ({"OD1": 2, "ticks": {4}, "OD3": None}, {"routing_violation": None}),  # empty open text is no violation
        ({"OD1": 2, "OD4": None, "ticks": {4}}, {"routing_violation": "OD4"}),
        ({"OD1": 2, "OD6": None, "ticks": set()}, {"routing_violation": "OD6"}),  # OD7 is optional
        ({"OD1": 2, "ticks": {4}, "OD8_2": None}, {"routing_violation": None, "f_culpable": None}),
        ({"OD1": 2, "OD5": None, "ticks": {4}}, {"routing_violation": "OD5", "context": "political_direct"}),
        ({"OD1": 2, "completed": 0, "OD6": None, "ticks": set(), "OD8_1": None},
         {"routing_violation": None}),  # a break-off's blanks are not violations
        ({"OD1": 1, "OD2": None}, {"routing_violation": None, "content": "not_reported"}),  # OD2 is optional
        ({"OD1": 2, "OD4": None, "completed": 0, "ticks": {4}}, {"routing_violation": None}),
    ],
)
def test_oracle_uu2020_cases(answers, want):
    rec = _uu(**answers)
    got = demo.classify_record("uu2020", rec)
    for key, value in want.items():
        assert got[key] == value, (key, got)


def test_oracle_uu2020_pressure_threshold_setting():
    rec = _uu(OD1=2, OD6=3, ticks={4})
    assert demo.classify_record("uu2020", rec)["means"] == "improper"
    assert demo.classify_record("uu2020", rec, {"pressure_threshold": 4})["means"] == "proper"
    top = _uu(OD1=2, OD4=4, OD5=1, ticks={4})
    assert demo.classify_record("uu2020", top)["type"] == "improper_pressure"
    not_principal = {"top_civil_service_is_principal": False}
    assert demo.classify_record("uu2020", top, not_principal)["type"] == "outside_definition"


def _mto(**answers) -> dict[str, Any]:
    rec = {"Werkgebied": 2, **dict.fromkeys(demo.MTO_PBD_COLS)}
    rec.update(answers)
    return rec


@pytest.mark.parametrize(
    ("answers", "want"),
    [
        ({"pbd1": 1}, {"content": "not_reported", "type": "not_reported", "frequency": None}),
        ({"pbd1": 2, "pbd2": 1, "pbd3": 2, "pbd4": 1, "pbd5": 3},
         {"content": "improper", "means": "improper", "context": "political_direct", "type": "improper_pressure",
          "frequency": "once", "f_frequency_duration": False, "severity_observed": 1}),
        ({"pbd1": 3, "pbd2": 1, "pbd3": 3, "pbd4": 3, "pbd5": 1},
         {"context": "political_indirect", "type": "improper_request", "f_frequency_duration": True}),
        ({"pbd1": 2, "pbd2": 1, "pbd3": 2, "pbd4": 2, "pbd5": 2},
         {"content": "proper", "means": "improper", "type": "indecent_pressure", "f_intensity": None}),
        ({"pbd1": 2, "pbd2": 1, "pbd3": 1}, {"content": "proper", "means": "proper",
                                             "context": "political_unspecified", "type": "regular_request"}),
        ({"pbd1": 2, "pbd2": 2, "pbd3": 1}, {"content": "doubt", "means": "unknown", "grey_area": True,
                                             "type": "undetermined", "severity_observed": 0}),
        ({"pbd1": 2, "pbd2": 1, "pbd3": 2, "pbd4": 8, "pbd5": 9},
         {"content": "unknown", "means": "unknown", "context": "unknown", "type": "undetermined"}),
        ({"pbd1": 2, "pbd2": 1, "pbd3": 2, "pbd4": 1, "pbd5": 1, "pbd6": 1},
         {"routing_violation": "pbd6"}),
        ({"pbd1": 2, "pbd3": 1}, {"routing_violation": "pbd2", "content": "unknown"}),
    ],
)
def test_oracle_mto2019_cases(answers, want):
    got = demo.classify_record("mto2019", _mto(**answers))
    for key, value in want.items():
        assert got[key] == value, (key, got)


def test_oracle_mto_setting():
    rec = _mto(pbd1=2, pbd2=1, pbd3=2, pbd4=3, pbd5=3)
    got = demo.classify_record("mto2019", rec, {"mto_ambtelijke_druk_context": "civil_service_line"})
    assert got["context"] == "civil_service_line"


def _io(ticks=(), **answers) -> dict[str, Any]:
    rec = {f"v1_{k}": int(k in ticks) for k in range(1, 8)}
    rec.update(v2=None, v3_intern=None, v3_extern=None, v4=3)
    rec.update(answers)
    return rec


@pytest.mark.parametrize(
    ("rec", "want"),
    [
        (_io((7,)), {"content": "not_reported", "type": "not_reported", "cooccurrence_uncertain": False}),
        (_io((1, 4), v2=1, v3_intern=8), {"content": "improper", "means": "improper", "type": "improper_pressure",
                                          "cooccurrence_uncertain": True, "f_intensity": True,
                                          "severity_score": 1, "severity_observed": 1}),
        (_io((1,), v2=1, v3_intern=6), {"f_intensity": False, "inconsistent_pressure": False}),
        (_io((5,), v2=2, v3_extern=9), {"f_intensity": None, "severity_observed": None}),  # content proper
        (_io((1, 5), v2=2, v3_extern=9), {"f_intensity": True, "cooccurrence_uncertain": True}),
        (_io((2,), v2=3, v3_intern=2, v3_extern=3), {"type": "improper_request", "context": "internal_unspecified"}),
        (_io((5,), v2=1, v3_intern=5), {"content": "proper", "type": "indecent_pressure"}),
        (_io((1,), v2=2, v3_extern=4), {"context": "external", "type": "outside_definition"}),
        (_io((1,), v2=8), {"context": "unknown", "type": "undetermined"}),
        (_io(()), {"content": "unknown", "means": "unknown", "type": "undetermined"}),
        ({**_io(()), **dict.fromkeys([f"v1_{k}" for k in range(1, 8)])}, {"content": "unknown"}),
        (_io((1,), v2=1), {"routing_violation": "v3_intern"}),
        (_io((7,), v2=8), {"routing_violation": "v2"}),
    ],
)
def test_oracle_io2018_cases(rec, want):
    got = demo.classify_record("io2018", rec)
    for key, value in want.items():
        assert got[key] == value, (key, got)


@pytest.mark.parametrize(
    ("rec", "want"),
    [
        ({"V4": 4}, {"content": "not_reported", "type": "not_reported"}),
        ({"V4": 2, "V5": 6, "V6": 1, "V7": 1}, {"type": "improper_pressure", "context": "political_direct",
                                                "frequency": "2_3", "f_intensity": True,
                                                "f_frequency_duration": True, "severity_score": 2}),
        ({"V4": 1, "V5": 1, "V6": 3, "V7": 1}, {"context": "top_civil_service", "f_intensity": False,
                                                "severity_observed": 2}),
        ({"V4": 1, "V5": 1, "V6": 4, "V7": 1}, {"context": "line_unspecified", "principal_agent": "unknown",
                                                "type": "undetermined"}),
        ({"V4": 3, "V5": 9, "V6": 6, "V7": 1}, {"context": "external", "type": "outside_definition"}),
        ({"V4": None}, {"content": "unknown", "type": "undetermined"}),
        ({"V4": 4, "V6": 4}, {"routing_violation": "V6"}),
        ({"V4": 1, "V5": None, "V6": 1, "V7": 2}, {"routing_violation": "V5", "f_intensity": None}),
    ],
)
def test_oracle_fnv2018_cases(rec, want):
    full = {"V4": None, "V5": None, "V6": None, "V7": None, **rec}
    got = demo.classify_record("fnv2018", full)
    for key, value in want.items():
        assert got[key] == value, (key, got)


@pytest.mark.parametrize(
    ("rec", "want"),
    [
        ({"Q7": 1, "Q8": 1, "Q22": 4}, {"type": "improper_pressure", "context": "commissioning_principal",
                                        "frequency": "once_or_few", "f_frequency_duration": False}),
        ({"Q7": 1, "Q8": 1, "Q22": 2}, {"frequency": "often", "f_frequency_duration": True}),
        ({"Q7": 1, "Q8": 2, "Q22": 5}, {"content": "not_reported"}),
        ({"Q7": 1, "Q8": 2, "Q22": None}, {"content": "improper", "frequency": None, "severity_observed": 0}),
        ({"Q7": 2, "Q8": 2, "Q22": None}, {"content": "not_reported"}),
        ({"Q7": None, "Q8": 2, "Q22": None}, {"content": "unknown", "type": "undetermined"}),
        ({"Q7": 2, "Q8": 2, "Q22": 5, "Q9": "tekst"}, {"routing_violation": "Q9"}),
        ({"Q7": 1, "Q8": 2, "Q22": 3, "Q9": None}, {"routing_violation": None, "frequency": "regularly"}),
    ],
)
def test_oracle_wodc2018_cases(rec, want):
    full = {"Q9": None, "Q14": 1, **rec}
    got = demo.classify_record("wodc2018", full)
    for key, value in want.items():
        assert got[key] == value, (key, got)


def test_expected_csv_encoding(generated):
    raw = (generated / "expected" / "uu2020_monitor.csv").read_bytes()
    assert b"\r\n" not in raw
    header = raw.split(b"\n", 1)[0].decode()
    assert header == ",".join(demo.EXPECTED_COLUMNS)
    assert b",true," in raw and b",false," in raw and b"True" not in raw and b"nan" not in raw.lower()
