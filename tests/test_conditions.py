import numpy as np
import pandas as pd
import pytest

from drukmonitor.conditions import evaluate, parse_range_shorthand, referenced_columns, referenced_params
from drukmonitor.errors import ConfigError


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "OD1": pd.array([1, 2, 8, None, 4], dtype="Int64"),
            "OD2": pd.array([2, None, 1, None, None], dtype="Int64"),
            "OD6": pd.array([2, 3, None, 5, 9], dtype="Int64"),
            "OD7_2": pd.array([0, 1, None, 0, 0], dtype="Int64"),
            "OD7_3": pd.array([0, 0, None, 1, 0], dtype="Int64"),
            "OD6__status": ["answered", "answered", "not_asked", "answered", "refused"],
        }
    )


def test_in_is_false_for_blanks(frame):
    assert evaluate({"col": "OD1", "in": [2, 3, 4]}, frame).tolist() == [False, True, False, False, True]


def test_not_negates_the_whole_mask_including_blanks(frame):
    assert evaluate({"not": {"col": "OD1", "in": [1]}}, frame).tolist() == [False, True, True, True, True]


def test_not_in_requires_a_value(frame):
    assert evaluate({"col": "OD1", "not_in": [1]}, frame).tolist() == [False, True, True, False, True]


def test_any_all_combinators(frame):
    asked = {"any": [{"col": "OD1", "in": [2, 3, 4]}, {"col": "OD2", "in": [2, 3, 4]}]}
    assert evaluate(asked, frame).tolist() == [True, True, False, False, True]
    both = {"all": [{"col": "OD1", "in": [1]}, {"col": "OD2", "in": [2]}]}
    assert evaluate(both, frame).tolist() == [True, False, False, False, False]


def test_comparison_with_parameter(frame):
    mask = evaluate({"col": "OD6", "gte": {"param": "pressure_threshold"}}, frame, {"pressure_threshold": 3})
    assert mask.tolist() == [False, True, False, True, True]
    with pytest.raises(ConfigError, match="pressure_threshold"):
        evaluate({"col": "OD6", "gte": {"param": "pressure_threshold"}}, frame, {})


def test_cols_any_and_all_with_range_shorthand(frame):
    assert evaluate({"cols": ["OD7_2..OD7_3"], "in": [1]}, frame).tolist() == [False, True, False, True, False]
    assert evaluate({"cols": ["OD7_2", "OD7_3"], "in": [0], "how": "all"}, frame).tolist() == [True, False, False, False, True]


def test_blank_filled_and_status(frame):
    assert evaluate({"col": "OD2", "blank": True}, frame).tolist() == [False, True, False, True, True]
    assert evaluate({"col": "OD2", "filled": True}, frame).tolist() == [True, False, True, False, False]
    assert evaluate({"col": "OD6", "status": ["refused"]}, frame).tolist() == [False, False, False, False, True]


def test_constants_and_result_type(frame):
    assert evaluate("always", frame).all() and not evaluate("never", frame).any()
    assert evaluate({"col": "OD1", "in": [1]}, frame).dtype == np.bool_


@pytest.mark.parametrize(
    "condition, message",
    [
        ("sometimes", "unknown condition"),
        ({"in": [1]}, "names no column"),
        ({"col": "OD1", "in": [1], "gte": 2}, "exactly one test"),
        ({"col": "NOPE", "in": [1]}, "column NOPE"),
        ({"col": "OD1", "in": [1], "colour": "red"}, "unknown keys"),
        ({"col": "OD1", "status": ["answered"]}, "OD1__status"),
    ],
)
def test_invalid_conditions_are_named(frame, condition, message):
    with pytest.raises(ConfigError, match=message):
        evaluate(condition, frame)


def test_referenced_columns_and_params():
    condition = {"any": [{"col": "OD1", "in": [2]}, {"not": {"cols": ["OD7_1..OD7_3"], "gte": {"param": "t"}}}]}
    assert referenced_columns(condition) == {"OD1", "OD7_1", "OD7_2", "OD7_3"}
    assert referenced_params(condition) == {"t"}
    assert parse_range_shorthand(["v1_1..v1_3", "v2"]) == ["v1_1", "v1_2", "v1_3", "v2"]
