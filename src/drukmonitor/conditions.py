"""A small declarative condition language, evaluated vectorised over a DataFrame.

Codebooks use it for routing (`asked_if`) and crosswalks use it for harmonisation rules, so that
routing and research decisions live in YAML and never in `eval`-ed strings.

Grammar (YAML):

    always | never                                  -> constant
    {col: OD1, in: [2, 3, 4]}                       -> value is one of the codes
    {col: OD1, not_in: [1]}                         -> value present and not one of the codes
    {col: OD6, gte: 3}  (also gt, lt, lte, eq)      -> numeric comparison; the bound may be
    {col: OD6, gte: {param: pressure_threshold}}       a parameter taken from the settings
    {col: OD3, filled: true} / {col: OD3, blank: true}
    {col: OD6, status: [refused, item_nonresponse]} -> needs status columns "<col>__status"
    {cols: [OD7_2, OD7_3], in: [1]}                 -> any of the columns satisfies the test
    {cols: [v1_1..v1_6], in: [1]}                   -> ranges of numbered columns are expanded
    {cols: [...], in: [1], how: all}                -> every column satisfies it
    {any: [cond, ...]} / {all: [cond, ...]} / {not: cond}

A test on a blank (NA) value is false, except `blank: true`; `not` negates the whole mask, so
`{not: {col: X, in: [1]}}` is true for blanks. Conditions always return a plain boolean ndarray.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from drukmonitor.errors import ConfigError

Condition = Any  # str | Mapping[str, Any]

_COMPARATORS = ("gte", "gt", "lte", "lt", "eq")
_COLUMN_TESTS = ("in", "not_in", "filled", "blank", "status", *_COMPARATORS)


def referenced_columns(condition: Condition) -> set[str]:
    """Every column a condition reads (used to check codebooks and crosswalks before running)."""
    if isinstance(condition, str):
        return set()
    if not isinstance(condition, Mapping):
        raise ConfigError(f"a condition must be 'always', 'never' or a mapping, not {condition!r}")
    for combinator in ("any", "all"):
        if combinator in condition:
            columns: set[str] = set()
            for part in condition[combinator]:
                columns |= referenced_columns(part)
            return columns
    if "not" in condition:
        return referenced_columns(condition["not"])
    return set(_columns_of(condition))


def referenced_params(condition: Condition) -> set[str]:
    """Every settings parameter a condition reads."""
    if isinstance(condition, str) or not isinstance(condition, Mapping):
        return set()
    params: set[str] = set()
    for combinator in ("any", "all"):
        for part in condition.get(combinator, []):
            params |= referenced_params(part)
    if "not" in condition:
        params |= referenced_params(condition["not"])
    for comparator in _COMPARATORS:
        bound = condition.get(comparator)
        if isinstance(bound, Mapping) and "param" in bound:
            params.add(bound["param"])
    return params


def evaluate(condition: Condition, frame: pd.DataFrame, params: Mapping[str, Any] | None = None) -> np.ndarray:
    """Evaluate a condition for every row of `frame`; returns a boolean ndarray."""
    params = params or {}
    n_rows = len(frame)
    if isinstance(condition, str):
        if condition == "always":
            return np.ones(n_rows, dtype=bool)
        if condition == "never":
            return np.zeros(n_rows, dtype=bool)
        raise ConfigError(f"unknown condition {condition!r} (expected 'always', 'never' or a mapping)")
    if not isinstance(condition, Mapping):
        raise ConfigError(f"a condition must be 'always', 'never' or a mapping, not {condition!r}")
    if "any" in condition:
        masks = [evaluate(part, frame, params) for part in condition["any"]]
        return np.logical_or.reduce(masks) if masks else np.zeros(n_rows, dtype=bool)
    if "all" in condition:
        masks = [evaluate(part, frame, params) for part in condition["all"]]
        return np.logical_and.reduce(masks) if masks else np.ones(n_rows, dtype=bool)
    if "not" in condition:
        return ~evaluate(condition["not"], frame, params)

    columns = _columns_of(condition)
    how = condition.get("how", "any")
    if how not in ("any", "all"):
        raise ConfigError(f"condition {dict(condition)!r}: 'how' must be 'any' or 'all'")
    masks = [_column_test(condition, frame, column, params) for column in columns]
    return np.logical_or.reduce(masks) if how == "any" else np.logical_and.reduce(masks)


def _columns_of(condition: Mapping[str, Any]) -> list[str]:
    if "col" in condition:
        columns = [condition["col"]]
    elif "cols" in condition:
        columns = parse_range_shorthand(condition["cols"])
    else:
        raise ConfigError(f"condition {dict(condition)!r} names no column ('col' or 'cols')")
    if not columns:
        raise ConfigError(f"condition {dict(condition)!r} has an empty column list")
    tests = [key for key in condition if key in _COLUMN_TESTS]
    if len(tests) != 1:
        raise ConfigError(
            f"condition {dict(condition)!r} must hold exactly one test of {', '.join(_COLUMN_TESTS)}"
        )
    unknown = set(condition) - {"col", "cols", "how", *_COLUMN_TESTS}
    if unknown:
        raise ConfigError(f"condition {dict(condition)!r} has unknown keys {sorted(unknown)}")
    return columns


def _column_test(condition: Mapping[str, Any], frame: pd.DataFrame, column: str, params: Mapping[str, Any]) -> np.ndarray:
    if "status" in condition:
        status_column = f"{column}__status"
        if status_column not in frame.columns:
            raise ConfigError(f"condition tests the status of {column}, but {status_column} is not computed")
        return frame[status_column].isin(list(condition["status"])).to_numpy(dtype=bool)
    if column not in frame.columns:
        raise ConfigError(f"condition reads column {column}, which the data does not have")
    values = frame[column]
    present = values.notna().to_numpy(dtype=bool)
    if "filled" in condition:
        return present if condition["filled"] else ~present
    if "blank" in condition:
        return ~present if condition["blank"] else present
    for test in ("in", "not_in"):
        if test in condition and _numeric_codes(values, condition[test]):
            # codes in a nullable integer column: compare the numbers, no masked-array round trip
            numbers = values.array.to_numpy(dtype="int64", na_value=0)
            hit = np.isin(numbers, np.asarray([int(code) for code in condition[test]], dtype="int64"))
            return hit & present if test == "in" else present & ~hit
    if "in" in condition:
        return values.isin(list(condition["in"])).fillna(False).to_numpy(dtype=bool) & present
    if "not_in" in condition:
        return present & ~values.isin(list(condition["not_in"])).fillna(False).to_numpy(dtype=bool)
    for comparator in _COMPARATORS:
        if comparator in condition:
            bound = _resolve_bound(condition[comparator], params)
            numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
            with np.errstate(invalid="ignore"):
                result = {
                    "gte": numbers >= bound,
                    "gt": numbers > bound,
                    "lte": numbers <= bound,
                    "lt": numbers < bound,
                    "eq": numbers == bound,
                }[comparator]
            return np.asarray(result, dtype=bool) & ~np.isnan(numbers)
    raise ConfigError(f"condition {dict(condition)!r} has no test")  # unreachable: _columns_of checked


def _numeric_codes(values: pd.Series, codes: Any) -> bool:
    """True for a nullable integer column tested against plain integer codes (the common case)."""
    return isinstance(values.array, pd.arrays.IntegerArray) and all(
        isinstance(code, int | np.integer) and not isinstance(code, bool) and -(2**63) <= int(code) < 2**63 for code in codes
    )


def _resolve_bound(bound: Any, params: Mapping[str, Any]) -> float:
    if isinstance(bound, Mapping):
        name = bound.get("param")
        if name not in params:
            raise ConfigError(f"condition needs setting {name!r}, which is not configured")
        return float(params[name])
    return float(bound)


def parse_range_shorthand(columns: Iterable[str]) -> list[str]:
    """Expand 'v1_1..v1_6' style entries into explicit column names (codebook convenience)."""
    expanded: list[str] = []
    for entry in columns:
        if ".." in entry:
            first, last = entry.split("..")
            stem_first, _, start = first.rpartition("_")
            stem_last, _, end = last.rpartition("_")
            if stem_first != stem_last or not start.isdigit() or not end.isdigit():
                raise ConfigError(f"cannot expand column range {entry!r}")
            expanded.extend(f"{stem_first}_{i}" for i in range(int(start), int(end) + 1))
        else:
            expanded.append(entry)
    return expanded
