"""Writers and joins. The fast CSV writer gives exactly the bytes of pandas' own ``to_csv`` (the processed CSVs and the
research exports must not change with the writer), and falls back to pandas where it cannot."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from drukmonitor.io import csv_bytes, write_csv

TEXT = st.lists(st.sampled_from(list('ab ,"\r\nçé€;\t') + ["ij", "Ünïcödé"]), max_size=6).map("".join)


def pandas_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


@st.composite
def frames(draw) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=25))
    kinds = draw(st.lists(st.sampled_from(["string", "str", "object_str", "bool", "boolean", "Int64", "int64", "float64", "Float64"]),
                          min_size=2, max_size=6))
    columns = {}
    for position, kind in enumerate(kinds):
        name = draw(TEXT.filter(bool)) + f"_{position}"
        missing = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        if kind in ("string", "str", "object_str"):
            values = draw(st.lists(TEXT, min_size=n, max_size=n))
            values = [None if gone else value for value, gone in zip(values, missing)]
            if kind == "object_str":
                columns[name] = pd.Series([value if value is not None else np.nan for value in values], dtype=object)
            else:  # "string": NA semantics; "str": pandas 3's default string dtype (NaN semantics)
                columns[name] = pd.array(values, dtype=kind)
        elif kind in ("bool", "boolean"):
            values = draw(st.lists(st.booleans(), min_size=n, max_size=n))
            columns[name] = np.array(values) if kind == "bool" else pd.array(
                [None if gone else value for value, gone in zip(values, missing)], dtype="boolean")
        elif kind in ("Int64", "int64"):
            values = draw(st.lists(st.integers(min_value=-(2**62), max_value=2**62), min_size=n, max_size=n))
            columns[name] = np.array(values, dtype="int64") if kind == "int64" else pd.array(
                [None if gone else value for value, gone in zip(values, missing)], dtype="Int64")
        else:
            values = draw(st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.1, 1.0, -0.0, 1e-5, 1e16, 1.0228]),
                                   min_size=n, max_size=n))
            columns[name] = np.array(values, dtype="float64") if kind == "float64" else pd.array(
                [None if gone else value for value, gone in zip(values, missing)], dtype="Float64")
    return pd.DataFrame(columns)


@settings(max_examples=300, deadline=None)
@given(frames())
def test_fast_csv_is_byte_identical_to_pandas(frame):
    fast = csv_bytes(frame)
    assert fast is not None, frame.dtypes
    assert fast == pandas_bytes(frame)


def test_unsupported_columns_and_single_columns_go_through_pandas(tmp_path):
    mixed = pd.DataFrame({"a": [1, "x", None], "b": ["p", "q", "r"]})  # object column with mixed values
    one_column = pd.DataFrame({"a": ["", None, "x"]})  # the csv module quotes a lone empty field
    dates = pd.DataFrame({"a": pd.to_datetime(["2020-01-01", None, "2021-02-03"]), "b": [1, 2, 3]})
    for frame in (mixed, one_column, dates):
        assert csv_bytes(frame) is None
        write_csv(frame, tmp_path / "out.csv")
        assert (tmp_path / "out.csv").read_bytes() == pandas_bytes(frame)


def test_write_csv_writes_the_fast_bytes(tmp_path):
    frame = pd.DataFrame({"tekst": ['met, komma', 'met "aanhalingstekens"', None], "n": pd.array([1, None, 3], dtype="Int64")})
    write_csv(frame, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_bytes() == pandas_bytes(frame) == csv_bytes(frame)
    assert (tmp_path / "out.csv").read_bytes().splitlines()[1] == b'"met, komma",1'


def test_outputs_get_the_usual_file_mode_not_the_temporary_files_0600(tmp_path):
    import os

    previous = os.umask(0o022)
    try:
        write_csv(pd.DataFrame({"a": [1], "b": ["x"]}), tmp_path / "out.csv")
    finally:
        os.umask(previous)
    assert (tmp_path / "out.csv").stat().st_mode & 0o777 == 0o644


def test_join_on_source_row_side_by_side_equals_the_merge():
    from drukmonitor.frames import join_on_source_row

    left = pd.DataFrame({"source_row": [1, 2, 4], "a": ["x", "y", "z"]})
    right = pd.DataFrame({"source_row": [1, 2, 4], "b": pd.array([1, None, 3], dtype="Int64"), "c": [True, False, True]})
    shuffled = right.iloc[[2, 0, 1]].reset_index(drop=True)
    expected = left.merge(right, on="source_row", how="left", validate="one_to_one")
    pd.testing.assert_frame_equal(join_on_source_row(left, right, ["b", "c"]), expected)  # aligned: side by side
    pd.testing.assert_frame_equal(join_on_source_row(left, shuffled, ["b", "c"]), expected)  # not aligned: merged
    assert join_on_source_row(left, right, []) is left
