"""The classifier against the demo generator's independent oracle (data/raw/demo/expected/<wave>.csv).

Ingest (raw -> canonical) is built separately; to compare classification on its own, this test builds
the canonical table from the raw demo exports with a deliberately small reader (pandas / pyreadstat,
labels -> codes for the label export) and drops the rows the oracle marks as rejected. Every
disagreement is reported as wave, source_row, column and both values.
"""

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from drukmonitor.classify import classify_frame
from drukmonitor.codebook import REPO_ROOT, Codebook, load_codebook, normalise_label
from drukmonitor.harmonise import load_crosswalk

DEMO = REPO_ROOT / "data" / "raw" / "demo"
WAVES = {  # wave -> (instrument, file, label export)
    "mto2019": ("mto2019", "mto2019_demo.sav", False),
    "io2018": ("io2018", "io2018_demo.csv", False),
    "fnv2018": ("fnv2018", "fnv2018_demo.xlsx", False),
    "wodc2018": ("wodc2018", "wodc2018_demo.csv", False),
    "uu2020_pilot1": ("uu2020", "uu2020_pilot1.csv", False),
    "uu2020_pilot2": ("uu2020", "uu2020_pilot2_labels.csv", True),
    "uu2020_monitor": ("uu2020", "uu2020_monitor.sav", False),
}
COMPARED = [
    "content", "means", "context", "principal_agent", "type", "grey_area", "frequency",
    "f_intent", "f_culpable", "f_power", "f_intensity", "f_frequency_duration",
    "severity_score", "severity_observed", "routing_violation", "inconsistent_pressure", "cooccurrence_uncertain",
]  # fmt: skip

pytestmark = pytest.mark.skipif(not (DEMO / "expected").is_dir(), reason="demo exports not generated")


def read_raw(path: Path) -> pd.DataFrame:
    if path.suffix == ".sav":
        import pyreadstat

        frame, _ = pyreadstat.read_sav(str(path), user_missing=True)
        return frame
    if path.suffix == ".xlsx":
        return pd.read_excel(path, sheet_name=0, dtype=object)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    first = text.splitlines()[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    from io import StringIO

    return pd.read_csv(StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def to_codes(values: pd.Series, options: dict[int, str], labels: bool) -> pd.Series:
    def convert(value):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return pd.NA
        text = str(value).strip()
        if text == "":
            return pd.NA
        if labels:
            lookup = {normalise_label(label): code for code, label in options.items()}
            return lookup[normalise_label(text)]
        return int(float(text.replace(",", ".")))

    return pd.Series([convert(value) for value in values], dtype="Int64")


def canonical(codebook: Codebook, raw: pd.DataFrame, wave: str, labels: bool) -> pd.DataFrame:
    n_rows = len(raw)
    data = {
        "wave": pd.array([wave] * n_rows, dtype="string"),
        "instrument": pd.array([codebook.id] * n_rows, dtype="string"),
        "source_file": pd.array([wave] * n_rows, dtype="string"),
        "source_sha256": pd.array(["0" * 64] * n_rows, dtype="string"),
        "source_row": np.arange(1, n_rows + 1, dtype=np.int64),
    }
    for role, spec in codebook.respondent.items():
        if spec.column not in raw.columns:
            data[role] = pd.array([pd.NA] * n_rows, dtype="Int64" if role in ("role_group", "completed") else "string")
        elif role in ("role_group", "completed"):
            data[role] = to_codes(raw[spec.column], spec.options, labels).array
        elif role == "weight":
            data[role] = pd.to_numeric(raw[spec.column].astype(str).str.replace(",", "."), errors="coerce").to_numpy()
        else:
            ids = raw[spec.column].map(lambda v: str(int(v)) if isinstance(v, float) and float(v).is_integer() else str(v).strip())
            data[role] = pd.array(ids, dtype="string")
    for name, column in codebook.columns.items():
        if name not in raw.columns:
            continue
        if column.kind == "text":
            data[f"{name}__filled"] = pd.array(raw[name].map(lambda v: isinstance(v, str) and v.strip() != ""), dtype="boolean")
        elif column.kind == "flag" and labels:
            data[name] = pd.array(raw[name].map(lambda v: 1 if str(v).strip() else pd.NA), dtype="Int64")
        else:
            data[name] = to_codes(raw[name], column.options, labels and column.kind == "code").array
    return pd.DataFrame(data)


def as_text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@cache
def comparison(wave: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    instrument, file_name, labels = WAVES[wave]
    codebook = load_codebook(instrument)
    crosswalk = load_crosswalk(instrument, codebook=codebook)
    expected = pd.read_csv(DEMO / "expected" / f"{wave}.csv", dtype=str, keep_default_na=False)
    table = canonical(codebook, read_raw(DEMO / file_name), wave, labels)
    kept = expected.loc[expected["expected_status"] == "classified", "source_row"].astype(int)
    table = table[table["source_row"].isin(kept)]
    _, classified = classify_frame(table, codebook, crosswalk, {})
    return classified, expected[expected["expected_status"] == "classified"].reset_index(drop=True)


@pytest.mark.parametrize("wave", list(WAVES))
def test_classification_agrees_with_the_demo_oracle(wave):
    classified, expected = comparison(wave)
    assert len(classified) == len(expected)
    ours = classified.set_index("source_row")
    theirs = expected.assign(source_row=expected["source_row"].astype(int)).set_index("source_row")
    assert (ours["respondent_id"].astype(str) == theirs["respondent_id"]).all()
    disagreements = []
    for column in COMPARED:
        mine = ours[column].astype(object).map(as_text)
        oracle = theirs[column]
        for source_row in mine.index[mine != oracle]:
            disagreements.append(f"{wave} source_row {source_row} {column}: classifier {mine[source_row]!r}, oracle {oracle[source_row]!r}")
    assert not disagreements, f"{len(disagreements)} disagreements:\n" + "\n".join(disagreements[:40])
