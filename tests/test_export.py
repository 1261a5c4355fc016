import hashlib
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from frictionless import validate

from drukmonitor.config import DEFAULT_SETTINGS
from drukmonitor.errors import ConfigError
from drukmonitor.export import PSEUDONYM_COLUMN, pseudonym_key, pseudonymise, write_exports
from drukmonitor.stages import classify_canonical, ingest_single_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pilot1():
    result = ingest_single_file(ROOT / "data/raw/demo/uu2020_pilot1.csv", "uu2020", wave_id="uu2020_pilot1")
    harmonised, classified, comparability = classify_canonical(result.canonical, "uu2020", DEFAULT_SETTINGS)
    return harmonised, classified, comparability


def _export(pilot1, directory: Path, key: bytes = b"test-key") -> dict[str, Path]:
    harmonised, classified, comparability = pilot1
    outputs = {
        "sav": directory / "x.sav",
        "csv": directory / "x.csv",
        "parquet": directory / "x.parquet",
        "datapackage": directory / "datapackage.json",
        "labels": directory / "labels.csv",
    }
    write_exports(
        harmonised=harmonised, classified=classified, comparability=comparability,
        wave={"id": "uu2020_pilot1"}, key=key, outputs=outputs,
    )
    return outputs


def test_sav_carries_dutch_labels_and_missing_statuses_as_user_missing(pilot1, tmp_path):
    outputs = _export(pilot1, tmp_path)
    data, meta = pyreadstat.read_sav(str(outputs["sav"]), user_missing=True)
    assert len(data) == len(pilot1[1])
    assert meta.variable_value_labels["type"][1.0] == "Oneigenlijke druk"
    assert meta.column_names_to_labels["type"] == "Type interactie (Figuur 1)"
    assert meta.missing_ranges["felt_pressure"] == [{"lo": 95.0, "hi": 99.0}]
    # respondents who reported nothing were never asked OD6: their felt pressure is user-missing 96
    not_reported = pilot1[1]["type"].eq("not_reported").sum()
    assert (data["felt_pressure"] == 96).sum() >= not_reported
    assert meta.variable_value_labels["felt_pressure"][96.0]


def test_ids_are_pseudonymised_and_provenance_left_out(pilot1, tmp_path):
    outputs = _export(pilot1, tmp_path)
    frame = pd.read_parquet(outputs["parquet"])
    raw_ids = set(pilot1[1]["respondent_id"].astype(str))
    assert not raw_ids & set(frame[PSEUDONYM_COLUMN])
    assert frame[PSEUDONYM_COLUMN].is_unique
    assert not {"respondent_id", "source_row", "source_file", "source_sha256"} & set(frame.columns)
    text = outputs["csv"].read_text(encoding="utf-8")
    assert not any(f",{raw_id}," in text for raw_id in raw_ids if len(raw_id) > 3)


def test_pseudonyms_depend_on_the_key_and_are_stable():
    ids = pd.Series(["1", "2"])
    assert pseudonymise(ids, "w", b"a").tolist() == pseudonymise(ids, "w", b"a").tolist()
    assert pseudonymise(ids, "w", b"a").tolist() != pseudonymise(ids, "w", b"b").tolist()
    assert pseudonymise(ids, "w1", b"a").tolist() != pseudonymise(ids, "w2", b"a").tolist()


def test_export_refuses_to_run_without_a_key(monkeypatch):
    monkeypatch.delenv("DRUKMONITOR_TEST_KEY", raising=False)
    with pytest.raises(ConfigError, match="set the environment variable DRUKMONITOR_TEST_KEY"):
        pseudonym_key("DRUKMONITOR_TEST_KEY")


def test_data_package_validates_with_frictionless(pilot1, tmp_path):
    outputs = _export(pilot1, tmp_path)
    report = validate(str(outputs["datapackage"]))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    import json

    descriptor = json.loads(outputs["datapackage"].read_text(encoding="utf-8"))
    fields = {field["name"]: field for field in descriptor["resources"][0]["schema"]["fields"]}
    assert fields["type"]["constraints"]["enum"][0] == "improper_pressure"
    assert {"value": "improper_pressure", "label": "Oneigenlijke druk"} in fields["type"]["categories"]
    assert fields["felt_pressure"]["drukmonitor:comparability"] == "identical"
    assert fields["content"]["drukmonitor:source_items"] == ["OD1", "OD2"]


def test_exports_are_byte_identical_on_rerun(pilot1, tmp_path):
    first = _export(pilot1, tmp_path / "a")
    second = _export(pilot1, tmp_path / "b")
    for name in first:
        assert hashlib.sha256(first[name].read_bytes()).digest() == hashlib.sha256(second[name].read_bytes()).digest(), name
