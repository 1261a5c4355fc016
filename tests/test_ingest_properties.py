"""Property tests for drukmonitor.ingest: corrupted exports never crash and every record is accounted for.

Valid demo exports are corrupted at random (cells replaced by random text, codes or labels; columns
shuffled, dropped, duplicated or re-cased; blank lines inserted; re-encoded; bytes truncated). Ingest
must then either raise a DrukmonitorError (a clear file-level message, never another exception) or
return a result where rows_in == rows_accepted + rows_rejected and every data record - counted by an
independent reader (the csv module) - is either in the canonical table or in the rejects table.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from drukmonitor.codebook import load_codebook
from drukmonitor.errors import DrukmonitorError
from drukmonitor.ingest import REJECT_REASONS, IngestResult, ingest_file

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"
ROWS_KEPT = 40  # records of each demo export used as the valid starting point

# file, instrument, encoding, delimiter
BASES = {
    "uu2020_pilot1": (DEMO / "uu2020_pilot1.csv", "uu2020", "utf-8-sig", ","),
    "uu2020_pilot2": (DEMO / "uu2020_pilot2_labels.csv", "uu2020", "cp1252", ";"),
    "io2018": (DEMO / "io2018_demo.csv", "io2018", "cp1252", ";"),
    "wodc2018": (DEMO / "wodc2018_demo.csv", "wodc2018", "utf-8", ","),
}


def _load(name: str) -> list[list[str]]:
    path, _, encoding, delimiter = BASES[name]
    with open(path, encoding=encoding, newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    return rows[: ROWS_KEPT + 1]


BASE_ROWS = {name: _load(name) for name in BASES}


def _codebook_values(instrument: str) -> list[str]:
    codebook = load_codebook(instrument)
    values = set()
    for column in codebook.columns.values():
        for code, label in column.options.items():
            values.add(str(code))
            if label:
                values.add(label)
    for spec in codebook.respondent.values():
        for code, label in spec.options.items():
            values |= {str(code), label}
    return sorted(values)


CODEBOOK_VALUES = {instrument: _codebook_values(instrument) for instrument in {b[1] for b in BASES.values()}}

cell_values = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=" ,;\t|\"'\r\n0123456789.-éë€ÿ", max_size=8),
    st.integers(min_value=-3, max_value=15).map(str),
    st.sampled_from(["", " ", "0", "1", "1,5", "2.0", "-0", "1e3", "nan", "NA", "Weet ik niet", "P1-001", "10001"]),
)


def independent_record_count(data: bytes, encoding: str | None, delimiter: str | None) -> int:
    """Data records as the csv module sees them (header excluded, trailing empty records dropped)."""
    text = data.decode(encoding or "utf-8")
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or ","))
    body = records[1:]
    while body and all(not field.strip() for field in body[-1]):
        body.pop()
    return len(body)


def check_accounted_for(result: IngestResult, data: bytes) -> None:
    summary = result.summary
    assert summary["rows_in"] == summary["rows_accepted"] + summary["rows_rejected"]
    accepted = set(result.canonical["source_row"].tolist())
    rejected = set(result.rejects["source_row"].tolist())
    assert len(accepted) == summary["rows_accepted"] == len(result.canonical)
    assert len(rejected) == summary["rows_rejected"]
    assert not accepted & rejected
    assert accepted | rejected == set(range(1, summary["rows_in"] + 1))
    assert summary["rows_in"] == independent_record_count(data, summary["encoding"], summary["delimiter"])
    assert set(result.rejects["reason"]) <= set(REJECT_REASONS)
    assert result.canonical["respondent_id"].notna().all()
    assert not result.canonical["respondent_id"].duplicated().any()
    assert result.canonical["source_row"].is_monotonic_increasing
    # open text never leaves ingest, whatever the file looks like
    codebook = load_codebook(summary["instrument"])
    texts = [name for name, column in codebook.columns.items() if column.kind == "text"]
    assert not set(texts) & set(result.canonical.columns)


@st.composite
def corrupted_exports(draw):
    name = draw(st.sampled_from(sorted(BASES)))
    _, instrument, encoding, delimiter = BASES[name]
    rows = [list(row) for row in BASE_ROWS[name]]
    width = len(rows[0])
    # cell corruption
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        row = draw(st.integers(min_value=1, max_value=len(rows) - 1))
        column = draw(st.integers(min_value=0, max_value=width - 1))
        rows[row][column] = draw(st.one_of(cell_values, st.sampled_from(CODEBOOK_VALUES[instrument])))
    # column operations
    operation = draw(st.sampled_from(["none", "none", "shuffle", "drop", "duplicate", "recase"]))
    if operation == "shuffle":
        order = draw(st.permutations(range(width)))
        rows = [[row[i] for i in order] for row in rows]
    elif operation == "drop":
        gone = draw(st.integers(min_value=0, max_value=width - 1))
        rows = [[value for i, value in enumerate(row) if i != gone] for row in rows]
    elif operation == "duplicate":
        copied = draw(st.integers(min_value=0, max_value=width - 1))
        new_name = draw(st.sampled_from([rows[0][copied], rows[0][copied].upper(), rows[0][copied] + "_kopie"]))
        rows = [row + [new_name if i == 0 else row[copied]] for i, row in enumerate(rows)]
    elif operation == "recase":
        rows[0] = [draw(st.sampled_from([n, n.upper(), n.lower(), f" {n} "])) for n in rows[0]]
    # blank lines inside the data
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        rows.insert(draw(st.integers(min_value=1, max_value=len(rows))), [])
    # serialise, re-encode, maybe truncate
    out_delimiter = draw(st.sampled_from([delimiter, delimiter, ";" if delimiter == "," else ",", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=out_delimiter, lineterminator=newline).writerows(rows)
    text = buffer.getvalue()
    out_encoding = draw(st.sampled_from([encoding, "utf-8", "utf-8-sig", "cp1252", "latin-1"]))
    data = text.encode(out_encoding, errors="replace")
    if draw(st.booleans()) and draw(st.booleans()):
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    on_unknown = draw(st.sampled_from(["fail", "reject"]))
    return name, instrument, data, on_unknown


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(corrupted_exports())
def test_corrupted_exports_fail_cleanly_or_reconcile(case):
    name, instrument, data, on_unknown = case
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{name}.csv"
        path.write_bytes(data)
        try:
            result = ingest_file(path, instrument, on_unknown_code=on_unknown)
        except DrukmonitorError as error:
            assert str(error)  # a message, never an empty error
            event(f"raised {type(error).__name__}")
            return
        event("ingested with rejects" if result.summary["rows_rejected"] else "ingested clean")
        check_accounted_for(result, data)
        if on_unknown == "reject":
            return
        assert not result.rejects["reason"].isin(["unknown_code", "unknown_label"]).any()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_column_order_and_name_case_do_not_change_the_canonical_table(data):
    name = data.draw(st.sampled_from(sorted(BASES)))
    _, instrument, encoding, delimiter = BASES[name]
    rows = BASE_ROWS[name]
    order = data.draw(st.permutations(range(len(rows[0]))))
    header = [data.draw(st.sampled_from([n, n.upper(), n.lower()])) for n in rows[0]]
    shuffled = [[header[i] for i in order]] + [[row[i] for i in order] for row in rows[1:]]
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for label, table in (("original", rows), ("shuffled", shuffled)):
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(table)
            path = Path(directory) / f"{label}.csv"
            path.write_bytes(buffer.getvalue().encode(encoding))
            results.append(ingest_file(path, instrument, wave_id="w", source_name="x.csv"))
    first, second = results
    pd.testing.assert_frame_equal(first.canonical.drop(columns="source_sha256"), second.canonical.drop(columns="source_sha256"))
    pd.testing.assert_frame_equal(first.rejects, second.rejects)
