"""Tests for drukmonitor.ingest: demo exports, format variants, every bad input, outputs, Snakemake script."""

from __future__ import annotations

import csv
import io
import json
import runpy
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
import yaml

from drukmonitor.codebook import load_codebook, normalise_label
from drukmonitor.errors import ConfigError, DrukmonitorError, FileUnusableError
from drukmonitor.ingest import (
    REJECT_COLUMNS,
    REJECT_REASONS,
    IngestResult,
    ingest_export,
    ingest_file,
    write_ingest_outputs,
)
from drukmonitor.readers import parse_number, read_raw_export

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
WAVES = {wave["id"]: wave for wave in CONFIG["waves"]}

PILOT1 = DEMO / "uu2020_pilot1.csv"
PILOT2 = DEMO / "uu2020_pilot2_labels.csv"
MONITOR = DEMO / "uu2020_monitor.sav"
IO2018 = DEMO / "io2018_demo.csv"
MTO2019 = DEMO / "mto2019_demo.sav"
FNV2018 = DEMO / "fnv2018_demo.xlsx"
WODC2018 = DEMO / "wodc2018_demo.csv"


# ------------------------------------------------------------------------------------------------
# helpers


@pytest.fixture(scope="module")
def demo_results() -> dict[str, IngestResult]:
    results = {}
    for wave_id, wave in WAVES.items():
        results[wave_id] = ingest_file(
            REPO / wave["file"],
            wave["instrument"],
            wave_id=wave_id,
            sheet=wave.get("sheet", 0),
            column_map=wave.get("columns"),
            source_name=wave["file"],
        )
    return results


def read_rows(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        return [row for row in csv.reader(handle, delimiter=delimiter)]


def write_rows(
    path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8", newline: str = "\n"
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def pilot1_rows() -> list[list[str]]:
    return read_rows(PILOT1)


def io_rows() -> list[list[str]]:
    return read_rows(IO2018, encoding="cp1252", delimiter=";")


def set_cell(rows: list[list[str]], source_row: int, column: str, value: str) -> None:
    rows[source_row][rows[0].index(column)] = value


def unusable(path: Path, instrument: str, **kwargs) -> str:
    with pytest.raises(FileUnusableError) as info:
        ingest_file(path, instrument, **kwargs)
    message = str(info.value)
    assert message.startswith(f"{kwargs.get('source_name', path)}: "), message  # names the file
    return message


def rejects_of(result: IngestResult, reason: str) -> pd.DataFrame:
    return result.rejects[result.rejects["reason"] == reason].reset_index(drop=True)


def reconciles(result: IngestResult) -> None:
    s = result.summary
    assert s["rows_in"] == s["rows_accepted"] + s["rows_rejected"]
    accepted = set(result.canonical["source_row"])
    rejected = set(result.rejects["source_row"])
    assert not accepted & rejected
    assert accepted | rejected == set(range(1, s["rows_in"] + 1))
    assert len(rejected) == s["rows_rejected"]


def frame_without_provenance(result: IngestResult) -> pd.DataFrame:
    return result.canonical.drop(columns=["wave", "source_file", "source_sha256"]).reset_index(drop=True)


# ------------------------------------------------------------------------------------------------
# the demo exports


@pytest.mark.parametrize("wave_id", sorted(WAVES))
def test_demo_export_reads_as_expected(wave_id, demo_results):
    result = demo_results[wave_id]
    wave = WAVES[wave_id]
    expected = pd.read_csv(DEMO / "expected" / f"{wave_id}.csv", dtype=str, keep_default_na=False)
    summary = result.summary
    assert summary["rows_in"] == len(expected)
    reconciles(result)
    classified = expected[expected["expected_status"] == "classified"]
    assert result.canonical["source_row"].tolist() == classified["source_row"].astype(int).tolist()
    assert result.canonical["respondent_id"].tolist() == classified["respondent_id"].tolist()
    rejected = expected[expected["expected_status"] == "rejected"]
    got = result.rejects[["source_row", "reason"]].drop_duplicates()
    assert sorted(zip(got["source_row"], got["reason"])) == sorted(
        zip(rejected["source_row"].astype(int), rejected["expected_reject_reason"])
    )
    # provenance and fixed respondent columns
    canonical = result.canonical
    assert (canonical["wave"] == wave_id).all()
    assert (canonical["instrument"] == wave["instrument"]).all()
    assert (canonical["source_file"] == wave["file"]).all()
    assert (canonical["source_sha256"] == summary["sha256"]).all()
    assert canonical["source_row"].dtype == np.dtype("int64")
    assert list(canonical.columns[:10]) == [
        "wave", "instrument", "source_file", "source_sha256", "source_row",
        "respondent_id", "org_unit", "role_group", "weight", "completed",
    ]
    assert str(canonical["role_group"].dtype) == "Int64"
    assert str(canonical["weight"].dtype) == "Float64"
    assert str(canonical["completed"].dtype) == "Int64"
    assert summary["codebook"]["id"] == wave["instrument"]
    assert len(summary["codebook"]["sha256"]) == 64


@pytest.mark.parametrize("wave_id", [w for w in sorted(WAVES) if w != "uu2020_pilot2"])
def test_demo_code_columns_equal_raw_values(wave_id, demo_results):
    result = demo_results[wave_id]
    wave = WAVES[wave_id]
    codebook = load_codebook(wave["instrument"])
    raw = read_raw_export(REPO / wave["file"], sheet=wave.get("sheet", 0))
    rows = result.canonical["source_row"].to_numpy() - 1
    assert result.summary["export_kind"] == "codes"
    for name, column in codebook.columns.items():
        if name not in raw.frame.columns:
            continue
        if column.kind == "text":
            filled = raw.frame[name].notna().to_numpy()[rows]
            assert result.canonical[f"{name}__filled"].tolist() == filled.tolist(), name
            assert name not in result.canonical.columns
            continue
        values, bad = parse_number(raw.frame[name])
        assert not bad.any()
        expected = values.to_numpy(dtype="float64", na_value=np.nan)[rows]
        got = result.canonical[name].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        np.testing.assert_array_equal(got, expected, err_msg=name)
        assert str(result.canonical[name].dtype) == "Int64"
    weight = codebook.respondent.get("weight")
    if weight is not None and weight.column in raw.frame.columns:
        values, _ = parse_number(raw.frame[weight.column])
        np.testing.assert_allclose(
            result.canonical["weight"].to_numpy(dtype="float64"), values.to_numpy(dtype="float64")[rows]
        )
    else:
        assert result.canonical["weight"].isna().all()
        assert weight is None or weight.column in result.summary["optional_columns_absent"]


def test_monitor_duplicate_pair_rejected(demo_results):
    result = demo_results["uu2020_monitor"]
    duplicates = rejects_of(result, "duplicate_id")
    assert duplicates["source_row"].tolist() == [812, 2214]
    assert duplicates["respondent_id"].tolist() == ["51626", "51626"]
    assert "also in source row(s) 2214" in duplicates["message"][0]
    assert "also in source row(s) 812" in duplicates["message"][1]
    assert duplicates["message"][0].startswith(
        "data/raw/demo/uu2020_monitor.sav: column respondent_id, row 812, value '51626': "
    )
    assert result.summary["rows_rejected"] == 2
    assert result.summary["rejects_by_reason"]["duplicate_id"] == 2
    assert list(result.rejects.columns) == list(REJECT_COLUMNS)


def test_monitor_user_missing_codes_are_kept(demo_results):
    result = demo_results["uu2020_monitor"]
    assert result.summary["user_missing_declared"]["OD1"] == [8, 9]
    assert {8, 9} <= set(result.canonical["OD1"].dropna().astype(int))  # never turned into NA
    assert not any("user-missing" in warning for warning in result.summary["warnings"])


def test_summary_lists_ignored_and_absent_columns(demo_results):
    mto = demo_results["mto2019"].summary
    assert mto["columns_ignored"] == [f"tevr_{i:02d}" for i in range(1, 41)]
    assert not any(name.startswith("tevr") for name in demo_results["mto2019"].canonical.columns)
    pilot1 = demo_results["uu2020_pilot1"].summary
    assert pilot1["optional_columns_absent"] == ["weight"]
    assert pilot1["weighted"] is False and demo_results["uu2020_monitor"].summary["weighted"] is True
    io = demo_results["io2018"].summary
    assert (io["encoding"], io["delimiter"], io["file_format"]) == ("cp1252", ";", "csv")
    assert demo_results["fnv2018"].summary["sheet"] == "Blad1"


def test_open_text_never_leaves_ingest(demo_results, tmp_path):
    """Anonymity guarantee: open answers (with fake names, e-mail addresses, phone numbers) stay in ingest."""
    for wave_id, result in demo_results.items():
        wave = WAVES[wave_id]
        codebook = load_codebook(wave["instrument"])
        raw = read_raw_export(REPO / wave["file"], sheet=wave.get("sheet", 0))
        texts = set()
        for name, column in codebook.columns.items():
            if column.kind == "text" and name in raw.frame.columns:
                texts |= {value for value in raw.frame[name].dropna() if len(value) >= 12}
                assert name not in result.canonical.columns
        if not texts:
            continue
        out = {key: tmp_path / wave_id / f"{key}.out" for key in ("canonical", "rejects", "rejects_csv", "summary")}
        write_ingest_outputs(result, **out)
        cells = set()
        for frame in (pd.read_parquet(out["canonical"]), pd.read_parquet(out["rejects"]), result.canonical, result.rejects):
            for column in frame.columns:
                if frame[column].dtype == object or isinstance(frame[column].dtype, pd.StringDtype):
                    cells |= set(frame[column].dropna().astype(str))
        assert not texts & cells, wave_id
        written = out["rejects_csv"].read_text(encoding="utf-8") + out["summary"].read_text(encoding="utf-8")
        written += result.readable_report() + json.dumps(result.validation_report(), ensure_ascii=False)
        assert not [text for text in texts if text in written], wave_id
    assert "@example.com" in "".join(read_raw_export(WODC2018).frame["Q9"].dropna())  # the probe is real


# ------------------------------------------------------------------------------------------------
# label exports


def convert_labels_independently(raw_frame: pd.DataFrame, instrument: str) -> dict[str, list]:
    """The label export converted by the codebook alone (no ingest code): column -> list of codes/None."""
    codebook = load_codebook(instrument)
    converted: dict[str, list] = {}
    options_of = {spec.column: spec.options for spec in codebook.respondent.values() if spec.options}
    for name, column in codebook.columns.items():
        if column.kind != "text":
            options_of[name] = column.options
    for name, options in options_of.items():
        if name not in raw_frame.columns:
            continue
        lookup = {normalise_label(label): code for code, label in options.items() if label}
        converted[name] = [None if pd.isna(v) else lookup[normalise_label(v)] for v in raw_frame[name]]
    for item in codebook.items.values():
        if item.type != "multi":
            continue
        ticked_any = [any(converted[name][i] == 1 for name in item.columns) for i in range(len(raw_frame))]
        for name in item.columns:
            converted[name] = [
                (0 if ticked_any[i] else None) if value is None else value for i, value in enumerate(converted[name])
            ]
    return converted


def test_label_export_gives_codebook_codes(demo_results):
    result = demo_results["uu2020_pilot2"]
    raw = read_raw_export(PILOT2)
    assert result.summary["export_kind"] == "labels"
    expected = convert_labels_independently(raw.frame, "uu2020")
    rows = result.canonical["source_row"].to_numpy() - 1
    for name, codes in expected.items():
        target = {"role_group": "role_group", "completed": "completed"}.get(name, name)
        got = [None if pd.isna(v) else int(v) for v in result.canonical[target]]
        assert got == [codes[i] for i in rows], name
    # a row with one ticked OD7 option has 0 for the others; a row with none keeps NA everywhere
    od7 = result.canonical[[f"OD7_{i}" for i in range(1, 9)]]
    ticked = (od7 == 1).any(axis=1)
    assert ticked.any() and (~ticked).any()
    assert od7[ticked].notna().all().all()
    assert od7[~ticked].isna().all().all()


def to_label_frame(frame: pd.DataFrame, instrument: str) -> pd.DataFrame:
    codebook = load_codebook(instrument)
    labels = frame.astype(object).copy()
    options_of = {spec.column: spec.options for spec in codebook.respondent.values() if spec.options}
    for name, column in codebook.columns.items():
        if column.kind != "text":
            options_of[name] = column.options
    for name, options in options_of.items():
        if name in frame.columns:
            labels[name] = [
                None if pd.isna(v) or options.get(int(v), "") == "" else options[int(v)] for v in frame[name]
            ]
    return labels


def test_label_export_equals_code_export(tmp_path, demo_results):
    """uu2020_monitor written as a label CSV (semicolon, cp1252) ingests to the same codes."""
    raw = read_raw_export(MONITOR)
    labels = to_label_frame(raw.frame, "uu2020")
    labels["weight"] = [f"{v:.4f}".replace(".", ",") for v in raw.frame["weight"]]
    path = tmp_path / "monitor_labels.csv"
    labels.to_csv(path, sep=";", index=False, encoding="cp1252")
    result = ingest_file(path, "uu2020", wave_id="uu2020_monitor")
    reference = demo_results["uu2020_monitor"].canonical
    assert result.summary["export_kind"] == "labels"
    assert result.summary["rows_rejected"] == 2
    got = frame_without_provenance(result)
    want = frame_without_provenance(demo_results["uu2020_monitor"])
    # a label export cannot tell 'asked, nothing ticked' (0) from 'not asked' (blank)
    od7 = [f"OD7_{i}" for i in range(1, 9)]
    none_ticked = ~(want[od7] == 1).any(axis=1)
    want.loc[none_ticked, od7] = pd.NA
    want["OD3_wiz"] = want["OD3_wiz"].mask(want["OD3_wiz"] == 0)
    pd.testing.assert_frame_equal(got, want, check_dtype=True)
    assert reference["OD1"].dtype == result.canonical["OD1"].dtype


def test_label_matching_is_exact_after_normalisation(tmp_path):
    rows = read_rows(PILOT2, encoding="cp1252", delimiter=";")
    set_cell(rows, 1, "OD1", "  NEE ")
    set_cell(rows, 2, "OD1", "ja,   ÉÉN keer")
    set_cell(rows, 3, "completed", "volledig")
    path = write_rows(tmp_path / "labels.csv", rows, delimiter=";", encoding="cp1252")
    result = ingest_file(path, "uu2020")
    assert result.canonical["OD1"].tolist()[:2] == [1, 2]
    assert result.canonical["completed"].tolist()[2] == 1
    set_cell(rows, 1, "OD1", "Nee.")  # no fuzzy matching
    path = write_rows(tmp_path / "labels2.csv", rows, delimiter=";", encoding="cp1252")
    message = unusable(path, "uu2020")
    assert "column OD1, row 1, value 'Nee.': not a label of OD1" in message


# ------------------------------------------------------------------------------------------------
# format variants


def test_rename_map_and_case_insensitive_names(tmp_path, demo_results):
    rows = pilot1_rows()
    header = rows[0]
    header[header.index("respondent_id")] = "RespNr"
    header[header.index("OD1")] = "Vraag 1"
    header[header.index("OD4")] = "od4"
    header[header.index("org_unit")] = " ORG_UNIT "
    header.append("tevredenheid")
    for row in rows[1:]:
        row.append("3")
    path = write_rows(tmp_path / "renamed.csv", rows)
    result = ingest_file(
        path, "uu2020", wave_id="uu2020_pilot1", column_map={"respnr": "respondent_id", "VRAAG 1": "od1"},
        source_name="data/raw/demo/uu2020_pilot1.csv",
    )
    assert result.summary["columns_renamed"] == {"RespNr": "respondent_id", "Vraag 1": "OD1"}
    assert result.summary["columns_matched"]["OD4"] == "od4"
    assert result.summary["columns_ignored"] == ["tevredenheid"]
    want = demo_results["uu2020_pilot1"]
    pd.testing.assert_frame_equal(
        result.canonical.drop(columns="source_sha256"), want.canonical.drop(columns="source_sha256")
    )


def test_rename_map_problems(tmp_path):
    with pytest.raises(ConfigError, match="'Vraag 1' -> 'OD99': 'OD99' is not a column of codebook 'uu2020'"):
        ingest_file(PILOT1, "uu2020", column_map={"Vraag 1": "OD99"})
    result = ingest_file(PILOT1, "uu2020", column_map={"Vraag 1": "OD2"})
    assert "rename map entry 'Vraag 1' -> 'OD2': the file has no column 'Vraag 1'" in result.summary["warnings"]
    # a renamed column and the original name both present -> two columns for OD1
    rows = pilot1_rows()
    rows[0].append("vraag1")
    for row in rows[1:]:
        row.append("1")
    path = write_rows(tmp_path / "two.csv", rows)
    message = unusable(path, "uu2020", column_map={"VRAAG1": "OD1"})
    assert "raw columns 'OD1' and 'vraag1' both map to codebook column OD1" in message


def test_two_raw_columns_differing_in_case_are_unusable(tmp_path):
    rows = pilot1_rows()
    rows[0].append("od1")
    for row in rows[1:]:
        row.append("1")
    path = write_rows(tmp_path / "case.csv", rows)
    message = unusable(path, "uu2020")
    assert "column OD1: raw columns 'OD1' and 'od1' both map to codebook column OD1" in message


def test_xlsx_sheet_by_name_and_index(tmp_path, demo_results):
    raw = read_raw_export(PILOT1)
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Toelichting"
    notes.append(["Deze werkmap bevat de export van pilot 1"])
    data = workbook.create_sheet("Data")
    data.append(list(raw.frame.columns))
    for record in raw.frame.itertuples(index=False):
        cells = []
        for value in record:
            if pd.isna(value):
                cells.append(None)
            elif value.lstrip("-").isdigit():
                cells.append(int(value))  # Excel stores the codes as numbers
            else:
                cells.append(value)
        data.append(cells)
    path = tmp_path / "pilot1.xlsx"
    workbook.save(path)
    want = frame_without_provenance(demo_results["uu2020_pilot1"])
    for sheet in ("Data", 1):
        result = ingest_file(path, "uu2020", wave_id="uu2020_pilot1", sheet=sheet)
        assert result.summary["sheet"] == "Data"
        pd.testing.assert_frame_equal(frame_without_provenance(result), want)
    message = unusable(path, "uu2020", sheet="Blad1")
    assert "the workbook has no sheet named 'Blad1'" in message
    # the FNV workbook by sheet name
    result = ingest_file(FNV2018, "fnv2018", wave_id="fnv2018", sheet="Blad1")
    assert result.summary["rows_accepted"] == 700


def test_semicolon_decimal_comma_cp1252_crlf(tmp_path, demo_results):
    raw = read_raw_export(MONITOR)
    frame = raw.frame.astype(object)
    frame["weight"] = [f"{v:.4f}".replace(".", ",") for v in raw.frame["weight"]]
    path = tmp_path / "monitor.csv"
    frame.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    result = ingest_file(path, "uu2020", wave_id="uu2020_monitor")
    assert (result.summary["encoding"], result.summary["delimiter"]) == ("cp1252", ";")
    pd.testing.assert_frame_equal(frame_without_provenance(result), frame_without_provenance(demo_results["uu2020_monitor"]))


def test_cp1252_text_columns(tmp_path, demo_results):
    text = WODC2018.read_text(encoding="utf-8")
    path = tmp_path / "wodc.csv"
    path.write_bytes(text.encode("cp1252"))
    result = ingest_file(path, "wodc2018", wave_id="wodc2018")
    assert result.summary["encoding"] == "cp1252"
    want = demo_results["wodc2018"].canonical
    assert result.canonical["org_unit"].tolist() == want["org_unit"].tolist()
    assert any("ë" in unit for unit in want["org_unit"])


def monitor_frame_and_meta():
    data, meta = pyreadstat.read_sav(str(MONITOR), user_missing=True)
    return data, meta


def write_spss(path: Path, data: pd.DataFrame, meta, *, compress: bool = False, missing=None) -> Path:
    pyreadstat.write_sav(
        data,
        str(path),
        compress=compress,
        variable_value_labels=meta.variable_value_labels,
        missing_ranges=missing if missing is not None else meta.missing_ranges,
    )
    return path


def test_zsav_and_dta(tmp_path, demo_results):
    data, meta = monitor_frame_and_meta()
    want = frame_without_provenance(demo_results["uu2020_monitor"])
    zsav = write_spss(tmp_path / "monitor.zsav", data, meta, compress=True)
    result = ingest_file(zsav, "uu2020", wave_id="uu2020_monitor")
    assert result.summary["file_format"] == "zsav"
    pd.testing.assert_frame_equal(frame_without_provenance(result), want)
    dta = tmp_path / "monitor.dta"
    pyreadstat.write_dta(data, str(dta))
    result = ingest_file(dta, "uu2020", wave_id="uu2020_monitor")
    assert result.summary["file_format"] == "dta"
    pd.testing.assert_frame_equal(frame_without_provenance(result), want)


def test_integral_float_ids_become_integers(tmp_path):
    rows = pilot1_rows()
    set_cell(rows, 1, "respondent_id", "12.0")
    set_cell(rows, 2, "respondent_id", " 007 ")
    path = write_rows(tmp_path / "ids.csv", rows)
    result = ingest_file(path, "uu2020")
    assert result.canonical["respondent_id"].tolist()[:2] == ["12", "007"]
    data, meta = monitor_frame_and_meta()
    data["respondent_id"] = data["respondent_id"].astype("float64")
    result = ingest_file(write_spss(tmp_path / "f.sav", data, meta), "uu2020")
    assert result.canonical["respondent_id"].iloc[0] == "50002"


def test_wave_without_optional_items(tmp_path):
    """A wave may omit OD2, OD3, OD7, OD8 and the weight: fine, recorded, absent from canonical."""
    frame = read_raw_export(PILOT1).frame
    dropped = [c for c in frame.columns if c.startswith(("OD2", "OD3", "OD7", "OD8"))]
    path = tmp_path / "short.csv"
    frame.drop(columns=dropped).to_csv(path, index=False)
    result = ingest_file(path, "uu2020")
    assert result.summary["rows_rejected"] == 0
    assert result.summary["optional_columns_absent"] == ["weight", *dropped]
    # absent items stay absent (status.py derives `not_in_instrument` from that); fixed respondent columns stay
    assert not set(dropped) & set(result.canonical.columns)
    assert "OD3__filled" not in result.canonical.columns
    assert result.canonical["weight"].isna().all()


def test_partial_multi_item_warns(tmp_path):
    frame = read_raw_export(PILOT1).frame
    path = tmp_path / "partial.csv"
    frame.drop(columns=["OD7_8"]).to_csv(path, index=False)
    result = ingest_file(path, "uu2020")
    assert any("item OD7: option column(s) OD7_8 absent" in w for w in result.summary["warnings"])


def test_spss_value_labels_do_not_change_codes(tmp_path, demo_results):
    data, meta = monitor_frame_and_meta()
    labels = dict(meta.variable_value_labels)
    labels["OD1"] = {**labels["OD1"], 1.0: "Neen"}
    path = tmp_path / "relabelled.sav"
    pyreadstat.write_sav(data, str(path), variable_value_labels=labels, missing_ranges=meta.missing_ranges)
    result = ingest_file(path, "uu2020", wave_id="uu2020_monitor")
    assert result.canonical["OD1"].equals(demo_results["uu2020_monitor"].canonical["OD1"])
    assert any("column OD1: the file labels code 1 'Neen', the codebook 'Nee'" in w for w in result.summary["warnings"])


# ------------------------------------------------------------------------------------------------
# bad input: file level


def test_missing_required_columns_with_layout_hint():
    message = unusable(IO2018, "uu2020")
    assert (
        "missing required column(s) for instrument 'uu2020': respondent_id, org_unit, OD1, OD4, OD5, OD6" in message
    )
    assert "looks like the layout of instrument 'io2018'" in message
    assert "Columns found: resp_nr, gemeente" in message
    message = unusable(MTO2019, "uu2020")
    assert "looks like the layout of instrument 'mto2019'" in message


def test_missing_required_column_without_hint(tmp_path):
    frame = read_raw_export(PILOT1).frame
    path = tmp_path / "no_od4.csv"
    frame.drop(columns=["OD4", "org_unit"]).to_csv(path, index=False)
    message = unusable(path, "uu2020")
    assert "missing required column(s) for instrument 'uu2020': org_unit, OD4 (" in message
    assert "looks like" not in message


def test_unknown_code_fails_the_file(tmp_path):
    rows = pilot1_rows()
    set_cell(rows, 5, "OD1", "7")
    set_cell(rows, 9, "role_group", "6")
    path = write_rows(tmp_path / "code.csv", rows)
    message = unusable(path, "uu2020", source_name="pilot1.csv")
    assert message.startswith("pilot1.csv: 2 value(s) not mapped by codebook 'uu2020' version 2020.1")
    assert "column OD1, row 5, value '7': not a code of OD1; valid codes: 1, 2, 3, 4, 8, 9" in message
    assert "column role_group, row 9, value '6': not a code of role_group (role_group); valid codes: 1, 2, 3, 4, 9" in message
    assert "in column(s) OD1 (1), role_group (1)" in message
    assert "on_unknown_code: reject" in message


def test_unknown_codes_listing_is_bounded(tmp_path):
    rows = pilot1_rows()
    for source_row in range(1, 31):
        set_cell(rows, source_row, "OD1", "5")
    path = write_rows(tmp_path / "many.csv", rows)
    message = unusable(path, "uu2020")
    assert message.count("value '5'") == 10
    assert "30 value(s) not mapped" in message and "... and 20 more" in message


def test_unknown_code_reject_mode(tmp_path):
    rows = pilot1_rows()
    set_cell(rows, 5, "OD1", "7")
    set_cell(rows, 6, "OD7_2", "2")
    set_cell(rows, 7, "OD3_wiz", "0")  # a tick box: 0 = not ticked, valid
    path = write_rows(tmp_path / "code.csv", rows)
    result = ingest_file(path, "uu2020", on_unknown_code="reject")
    unknown = rejects_of(result, "unknown_code")
    assert unknown["source_row"].tolist() == [5, 6]
    assert unknown["value"].tolist() == ["7", "2"]
    assert "column OD7_2, row 6, value '2': not a code of OD7_2 (option 2 of item OD7: 1 = ticked, 0 = not ticked)" in unknown["message"][1]
    assert result.summary["rows_rejected"] == 2
    reconciles(result)


def test_unmapped_declared_user_missing_code(tmp_path):
    data, meta = monitor_frame_and_meta()
    missing = dict(meta.missing_ranges)
    missing["OD6"] = [{"lo": 8.0, "hi": 8.0}, {"lo": 9.0, "hi": 9.0}]
    row = int(np.flatnonzero(data["OD6"].notna())[0])
    data.loc[row, "OD6"] = 8.0
    path = write_spss(tmp_path / "um.sav", data, meta, missing=missing)
    message = unusable(path, "uu2020")
    assert (
        f"column OD6, row {row + 1}, value '8': not a code of OD6 (declared user-missing in the file, but the codebook "
        "does not map it)" in message
    )
    # declared but not occurring: only a warning
    data.loc[row, "OD6"] = 9.0
    result = ingest_file(write_spss(tmp_path / "um2.sav", data, meta, missing=missing), "uu2020")
    assert any("column OD6: user-missing code(s) 8 declared in the file are not mapped" in w for w in result.summary["warnings"])


def test_unknown_label_fails_the_file(tmp_path):
    rows = read_rows(PILOT2, encoding="cp1252", delimiter=";")
    set_cell(rows, 3, "OD1", "Nee hoor")
    set_cell(rows, 4, "OD7_2", "Bedreigd")
    path = write_rows(tmp_path / "labels.csv", rows, delimiter=";", encoding="cp1252")
    message = unusable(path, "uu2020")
    assert "column OD1, row 3, value 'Nee hoor': not a label of OD1 (the column holds labels" in message
    assert "labels: 'Nee'; 'Ja, één keer'" in message
    assert "column OD7_2, row 4, value 'Bedreigd': not a label of OD7_2" in message
    result = ingest_file(path, "uu2020", on_unknown_code="reject")
    assert rejects_of(result, "unknown_label")["source_row"].tolist() == [3, 4]


def test_garbage_in_a_code_column_is_an_unknown_code_not_a_label_problem(tmp_path):
    rows = pilot1_rows()
    set_cell(rows, 2, "OD1", "ja")
    path = write_rows(tmp_path / "garbage.csv", rows)
    result = ingest_file(path, "uu2020", on_unknown_code="reject")
    assert result.rejects["reason"].tolist() == ["unknown_code"]
    assert result.rejects["source_row"].tolist() == [2]
    assert "this column holds codes, not labels" in result.rejects["message"][0]
    assert result.summary["column_modes"]["OD1"] == "codes"


def test_empty_header_only_wrong_extension_undecodable(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "the file is empty (0 bytes)" in unusable(empty, "uu2020")
    header = tmp_path / "header.csv"
    header.write_text(PILOT1.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8")
    assert "has a header but no data rows" in unusable(header, "uu2020")
    wrong = tmp_path / "pilot1.sav"
    shutil.copy(PILOT1, wrong)
    assert "the extension '.sav' says an SPSS system file, but the content looks like plain text" in unusable(wrong, "uu2020")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(IO2018.read_bytes().replace(b"Kleindorp", b"Klein\x81dorp", 1))  # cp1252 file
    message = unusable(bad, "io2018")
    assert "cannot decode the text: byte 0x81 at offset" in message and "(line 2," in message
    assert "is undefined in cp1252" in message


def test_zero_data_rows_in_a_raw_export_object():
    raw = read_raw_export(PILOT1)
    from dataclasses import replace

    empty = replace(raw, frame=raw.frame.iloc[:0])
    with pytest.raises(FileUnusableError, match="has a header but no data rows"):
        ingest_export(empty, load_codebook("uu2020"), wave_id="x")


def test_bad_settings_are_config_errors():
    with pytest.raises(ConfigError, match="on_unknown_code must be one of 'fail', 'reject', got 'skip'"):
        ingest_file(PILOT1, "uu2020", on_unknown_code="skip")
    with pytest.raises(ConfigError, match="no codebook for instrument 'uu2021'"):
        ingest_file(PILOT1, "uu2021")


# ------------------------------------------------------------------------------------------------
# bad input: row level


def test_out_of_range_and_not_a_number(tmp_path):
    rows = io_rows()
    set_cell(rows, 1, "v3_intern", "11")
    set_cell(rows, 2, "v3_intern", "0")
    set_cell(rows, 3, "v3_intern", "veel")
    set_cell(rows, 4, "v3_intern", "4,5")
    set_cell(rows, 5, "v3_intern", "4,0")
    set_cell(rows, 6, "v3_extern", "10")
    path = write_rows(tmp_path / "io.csv", rows, delimiter=";", encoding="cp1252")
    result = ingest_file(path, "io2018")
    out = rejects_of(result, "out_of_range")
    assert out["source_row"].tolist() == [1, 2]
    assert out["message"][0].endswith("column v3_intern, row 1, value '11': outside the range 1..10 of v3_intern")
    nan = rejects_of(result, "not_a_number")
    assert nan["source_row"].tolist() == [3, 4]
    assert "column v3_intern, row 3, value 'veel': not a number: v3_intern expects a whole number in 1..10" in nan["message"][0]
    assert "row 4, value '4,5': not a whole number" in nan["message"][1]
    canonical = result.canonical.set_index("source_row")
    assert canonical.loc[5, "v3_intern"] == 4 and canonical.loc[6, "v3_extern"] == 10
    assert result.summary["rows_rejected"] == 4
    reconciles(result)


def test_duplicate_ids_all_rejected(tmp_path):
    rows = pilot1_rows()
    for source_row in (3, 7, 9):
        set_cell(rows, source_row, "respondent_id", "P1-DUP")
    path = write_rows(tmp_path / "dup.csv", rows)
    result = ingest_file(path, "uu2020")
    duplicates = rejects_of(result, "duplicate_id")
    assert duplicates["source_row"].tolist() == [3, 7, 9]
    assert "occurs 3 times; also in source row(s) 7, 9" in duplicates["message"][0]
    assert "also in source row(s) 3, 9" in duplicates["message"][1]
    assert "also in source row(s) 3, 7" in duplicates["message"][2]
    assert not {3, 7, 9} & set(result.canonical["source_row"])


def test_duplicate_listing_is_bounded(tmp_path):
    rows = pilot1_rows()
    for source_row in range(1, 41):
        set_cell(rows, source_row, "respondent_id", "X")
    path = write_rows(tmp_path / "dup.csv", rows)
    result = ingest_file(path, "uu2020")
    message = rejects_of(result, "duplicate_id")["message"][0]
    assert "occurs 40 times; also in source row(s) 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 29 more" in message


def test_missing_id_and_blank_record(tmp_path):
    rows = pilot1_rows()
    set_cell(rows, 4, "respondent_id", "")
    rows.insert(8, [])  # a blank line inside the data: record 8, all blank
    path = write_rows(tmp_path / "missing.csv", rows)
    result = ingest_file(path, "uu2020")
    missing = rejects_of(result, "missing_id")
    assert missing["source_row"].tolist() == [4, 8]
    assert missing["message"][0] == f"{path}: column respondent_id, row 4: the respondent id is blank"
    assert missing["value"].isna().all() and missing["respondent_id"].isna().all()
    assert result.summary["rows_in"] == 151
    reconciles(result)


def test_exclusive_options(tmp_path):
    rows = io_rows()
    set_cell(rows, 1, "v1_7", "1")  # row 1 already ticks v1_2, v1_3, v1_4
    path = write_rows(tmp_path / "io.csv", rows, delimiter=";", encoding="cp1252")
    result = ingest_file(path, "io2018")
    clash = rejects_of(result, "exclusive_option")
    assert clash["source_row"].tolist() == [1]
    assert clash["column"].tolist() == ["v1_7"]
    assert clash["message"][0].endswith(
        "column v1_7, row 1, value '1': option 7 'Geen van deze verzoeken' of item v1 excludes every other option, "
        "but the row also ticks v1_2, v1_3, v1_4"
    )
    rows = pilot1_rows()
    set_cell(rows, 13, "OD7_8", "1")  # P1-013 ticks OD7_2
    path = write_rows(tmp_path / "uu.csv", rows)
    clash = rejects_of(ingest_file(path, "uu2020"), "exclusive_option")
    assert clash["source_row"].tolist() == [13]
    assert "option 8 'Wil ik niet zeggen' of item OD7 excludes every other option, but the row also ticks OD7_2" in clash["message"][0]


def test_invalid_weights(tmp_path):
    rows = io_rows()
    set_cell(rows, 1, "weegfactor", "0")
    set_cell(rows, 2, "weegfactor", "-0,5")
    set_cell(rows, 3, "weegfactor", "1.234,5")
    set_cell(rows, 4, "weegfactor", "")
    set_cell(rows, 5, "weegfactor", "1.25")
    path = write_rows(tmp_path / "io.csv", rows, delimiter=";", encoding="cp1252")
    result = ingest_file(path, "io2018")
    weights = rejects_of(result, "invalid_weight")
    assert weights["source_row"].tolist() == [1, 2, 3, 4]
    assert weights["message"][0].endswith("column weegfactor, row 1, value '0': the weight must be greater than 0")
    assert "value '1.234,5': the weight is not a number" in weights["message"][2]
    assert weights["message"][3].endswith("row 4: the weight is blank, while other rows have a weight")
    assert result.canonical.set_index("source_row").loc[5, "weight"] == 1.25


def test_entirely_empty_weight_column_is_unweighted(tmp_path):
    frame = read_raw_export(PILOT1).frame
    frame["weight"] = None
    path = tmp_path / "noweight.csv"
    frame.to_csv(path, index=False)
    result = ingest_file(path, "uu2020")
    assert result.summary["rows_rejected"] == 0 and result.summary["weighted"] is False
    assert any("the weight column is empty" in w for w in result.summary["warnings"])


def test_several_problems_in_one_row(tmp_path):
    rows = io_rows()
    set_cell(rows, 1, "v3_intern", "12")
    set_cell(rows, 1, "weegfactor", "0")
    set_cell(rows, 1, "v1_7", "1")
    set_cell(rows, 2, "resp_nr", "10001")
    path = write_rows(tmp_path / "io.csv", rows, delimiter=";", encoding="cp1252")
    result = ingest_file(path, "io2018")
    assert result.rejects["source_row"].tolist() == [1, 1, 1, 1, 2]
    assert result.rejects["reason"].tolist() == ["duplicate_id", "invalid_weight", "exclusive_option", "out_of_range", "duplicate_id"]
    assert result.summary["rows_rejected"] == 2
    assert result.summary["rejects_by_reason"]["duplicate_id"] == 2
    assert result.summary["rows_rejected_by_reason"]["invalid_weight"] == 1
    assert set(result.summary["rejects_by_reason"]) == set(REJECT_REASONS)
    reconciles(result)


# ------------------------------------------------------------------------------------------------
# reports and outputs


def test_reports(demo_results):
    result = demo_results["uu2020_monitor"]
    report = result.validation_report()
    assert report["status"] == "rows_rejected" and report["exit_code"] == 1
    assert report["rejects_total"] == 2 and report["rejects"][0]["source_row"] == 812
    assert json.loads(json.dumps(report)) == report  # JSON-ready
    assert json.dumps(report, sort_keys=True) == json.dumps(result.validation_report(), sort_keys=True)
    text = result.readable_report()
    assert "rows:        3000 in, 2998 accepted, 2 rejected" in text
    assert "value '51626'" in text and "Traceback" not in text
    clean = demo_results["uu2020_pilot1"]
    assert clean.validation_report()["status"] == "clean"
    assert "every row accepted (exit code 0)" in clean.readable_report()


def test_outputs_are_deterministic_and_round_trip(tmp_path, demo_results):
    result = demo_results["uu2020_monitor"]
    contents = []
    for attempt in ("a", "b"):
        out = {
            "canonical": tmp_path / attempt / "canonical.parquet",
            "rejects": tmp_path / attempt / "rejects.parquet",
            "rejects_csv": tmp_path / attempt / "rejects.csv",
            "summary": tmp_path / attempt / "ingest_summary.json",
        }
        fresh = ingest_file(MONITOR, "uu2020", wave_id="uu2020_monitor", source_name="data/raw/demo/uu2020_monitor.sav")
        write_ingest_outputs(fresh, **out)
        contents.append({key: path.read_bytes() for key, path in out.items()})
        assert sorted(p.name for p in (tmp_path / attempt).iterdir()) == sorted(p.name for p in out.values())
    assert contents[0] == contents[1]
    back = pd.read_parquet(tmp_path / "a" / "canonical.parquet")
    pd.testing.assert_frame_equal(back, result.canonical, check_dtype=False)
    assert str(back["OD1"].dtype) == "Int64" and str(back["OD3__filled"].dtype) == "boolean"
    summary = json.loads((tmp_path / "a" / "ingest_summary.json").read_text(encoding="utf-8"))
    assert summary["rows_in"] == summary["rows_accepted"] + summary["rows_rejected"]
    rejects_csv = pd.read_csv(tmp_path / "a" / "rejects.csv")
    assert list(rejects_csv.columns) == list(REJECT_COLUMNS)


# ------------------------------------------------------------------------------------------------
# the Snakemake script


def run_snakemake_script(tmp_path: Path, wave: dict, settings: dict | None = None) -> dict[str, Path]:
    out = {
        "canonical": tmp_path / "canonical.parquet",
        "rejects": tmp_path / "rejects.parquet",
        "rejects_csv": tmp_path / "rejects.csv",
        "summary": tmp_path / "ingest_summary.json",
    }
    fake = SimpleNamespace(
        input=SimpleNamespace(raw=str(REPO / wave["file"]), codebook=str(REPO / "workflow" / "codebooks" / f"{wave['instrument']}.yaml")),
        output=SimpleNamespace(**{key: str(path) for key, path in out.items()}),
        params=SimpleNamespace(wave=wave),
        log=[str(tmp_path / "logs" / "ingest.log")],
        config={"settings": settings or {}},
    )
    runpy.run_path(str(REPO / "scripts" / "ingest.py"), init_globals={"snakemake": fake}, run_name="snakemake_script")
    return out


def test_snakemake_script_writes_outputs_and_log(tmp_path):
    out = run_snakemake_script(tmp_path, WAVES["uu2020_monitor"])
    summary = json.loads(out["summary"].read_text(encoding="utf-8"))
    assert summary["file"] == "data/raw/demo/uu2020_monitor.sav"
    assert summary["rows_rejected"] == 2
    log = (tmp_path / "logs" / "ingest.log").read_text(encoding="utf-8")
    assert "rows in 3000, accepted 2998, rejected 2" in log


def test_snakemake_script_bad_input_is_one_line(tmp_path, capsys):
    wave = {"id": "bad", "instrument": "uu2020", "file": "data/raw/demo/io2018_demo.csv"}
    with pytest.raises(SystemExit) as info:
        run_snakemake_script(tmp_path, wave)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("drukmonitor: error: data/raw/demo/io2018_demo.csv: missing required")
    assert "error: data/raw/demo/io2018_demo.csv" in (tmp_path / "logs" / "ingest.log").read_text(encoding="utf-8")
    assert not (tmp_path / "canonical.parquet").exists()


def test_snakemake_script_reject_setting(tmp_path):
    rows = pilot1_rows()
    set_cell(rows, 5, "OD1", "7")
    write_rows(tmp_path / "pilot1.csv", rows)
    wave = {"id": "p", "instrument": "uu2020", "file": str(tmp_path / "pilot1.csv")}
    out = run_snakemake_script(tmp_path, wave, settings={"on_unknown_code": "reject"})
    assert pd.read_csv(out["rejects_csv"])["reason"].tolist() == ["unknown_code"]


def test_every_error_is_a_drukmonitor_error():
    assert issubclass(FileUnusableError, DrukmonitorError) and issubclass(ConfigError, DrukmonitorError)
