"""One generic, vectorised classifier over the harmonised fields (classification.md sections 3-4).

Nothing here knows an instrument: every instrument-specific decision lives in its crosswalk
(`harmonise`). Per row:

* ``principal_agent`` from ``context`` (`PRINCIPAL_AGENT_OF_CONTEXT`; ``top_civil_service`` by the
  setting ``top_civil_service_is_principal``: true -> yes (seed §2.2.4, de facto political
  principals), false -> no (the civil-service hierarchy, an employer-employee relation));
* ``type`` (Figuur 1), first match: content not_reported -> not_reported; content unknown, means
  unknown or principal_agent unknown -> undetermined; principal_agent no -> outside_definition;
  content improper/doubt x means improper/proper -> improper_pressure / improper_request; content
  proper x means improper/proper -> indecent_pressure / regular_request. Anything else (a combination
  no crosswalk should produce, e.g. means not_applicable beside a reported incident) -> undetermined,
  so the classification is total. ``unreasonable_pressure`` is never assigned: no instrument measures
  it (reports print "niet gemeten"). ``grey_area`` = content is doubt (classified as if improper).
* weighting factors, only where content is improper or doubt (else NA): each is true when an
  observed indicator says so, false when at least one indicator is observed and none says so, NA
  when none is observed. ``severity_score`` = number of true factors and ``severity_observed`` =
  number of non-NA factors (NA outside improper/doubt content).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from drukmonitor.codebook import Codebook
from drukmonitor.harmonise import FIELDS, GATE_STATUS, Crosswalk, harmonise, resolve_settings
from drukmonitor.status import ROUTING_VIOLATION, status_column

TYPES = (
    "improper_pressure",
    "improper_request",
    "indecent_pressure",
    "regular_request",
    "unreasonable_pressure",
    "not_reported",
    "undetermined",
    "outside_definition",
)
ASSIGNED_TYPES = tuple(code for code in TYPES if code != "unreasonable_pressure")
PRINCIPAL_AGENT_CODES = ("yes", "no", "unknown", "not_applicable")

PRINCIPAL_AGENT_OF_CONTEXT: dict[str, str] = {
    "political_direct": "yes",
    "political_indirect": "yes",
    "political_unspecified": "yes",
    "commissioning_principal": "yes",
    "internal_unspecified": "yes",  # proxy: io2018 'binnen de organisatie'
    "top_civil_service": "yes",  # or "no", settings.top_civil_service_is_principal
    "employer_employee": "no",
    "external": "no",
    "unknown": "unknown",
    "line_unspecified": "unknown",
    "civil_service_line": "unknown",
    "not_applicable": "not_applicable",
}

MULTIPLE_FREQUENCIES = ("2_3", "4_plus", "more_than_once", "regularly", "often")
FACTORS = ("f_intent", "f_culpable", "f_power", "f_intensity", "f_frequency_duration")

CONTRACT_COLUMNS = (
    "wave",
    "instrument",
    "respondent_id",
    "content",
    "means",
    "context",
    "principal_agent",
    "type",
    "grey_area",
    "frequency",
    *FACTORS,
    "severity_score",
    "severity_observed",
    ROUTING_VIOLATION,
    "inconsistent_pressure",
    "cooccurrence_uncertain",
)
EXTRA_COLUMNS = ("source_row", "org_unit", "role_group", "weight", "completed", "felt_pressure", GATE_STATUS)
FIELD_STATUS_COLUMNS = tuple(status_column(name) for name in FIELDS)
CLASSIFIED_COLUMNS = (*CONTRACT_COLUMNS, *EXTRA_COLUMNS, *FIELD_STATUS_COLUMNS)


def _codes(frame: pd.DataFrame, column: str) -> np.ndarray:
    """String codes as an object array with None for blanks."""
    values = frame[column].astype("object").to_numpy()
    return np.where(pd.isna(values), None, values)


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy()


def _flags(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(is true, is observed) of a nullable boolean column."""
    values = frame[column].astype("boolean")
    observed = values.notna().to_numpy(dtype=bool)
    return values.fillna(False).to_numpy(dtype=bool), observed


def principal_agent(context: np.ndarray, settings: Mapping[str, Any]) -> np.ndarray:
    mapping = dict(PRINCIPAL_AGENT_OF_CONTEXT)
    mapping["top_civil_service"] = "yes" if settings["top_civil_service_is_principal"] else "no"
    result = pd.Series(context, dtype=object).map(mapping).to_numpy(dtype=object)
    return np.where(pd.isna(result), "unknown", result).astype(object)


def interaction_type(content: np.ndarray, means: np.ndarray, principal: np.ndarray) -> np.ndarray:
    improper_content = np.isin(content, ("improper", "doubt"))
    conditions = [
        content == "not_reported",
        (content == "unknown") | (means == "unknown") | (principal == "unknown"),
        principal == "no",
        (principal == "yes") & improper_content & (means == "improper"),
        (principal == "yes") & improper_content & (means == "proper"),
        (principal == "yes") & (content == "proper") & (means == "improper"),
        (principal == "yes") & (content == "proper") & (means == "proper"),
    ]
    choices = [
        "not_reported",
        "undetermined",
        "outside_definition",
        "improper_pressure",
        "improper_request",
        "indecent_pressure",
        "regular_request",
    ]
    return np.select(conditions, choices, default="undetermined").astype(object)


def _factor(indicators: list[tuple[np.ndarray, np.ndarray]], applicable: np.ndarray) -> pd.arrays.BooleanArray:
    """True if any observed indicator is true, false if some are observed and none true, else NA."""
    any_true = np.logical_or.reduce([true & observed for true, observed in indicators])
    any_observed = np.logical_or.reduce([observed for _, observed in indicators])
    mask = ~(applicable & any_observed)
    return pd.arrays.BooleanArray(any_true & ~mask, mask)


def _at_least(frame: pd.DataFrame, column: str, bound: float) -> tuple[np.ndarray, np.ndarray]:
    numbers = _numbers(frame, column)
    observed = ~np.isnan(numbers)
    return observed & (numbers >= bound), observed


def _at_most(frame: pd.DataFrame, column: str, bound: float) -> tuple[np.ndarray, np.ndarray]:
    numbers = _numbers(frame, column)
    observed = ~np.isnan(numbers)
    return observed & (numbers <= bound), observed


def _in(frame: pd.DataFrame, column: str, values: tuple[str, ...]) -> np.ndarray:
    """Rows whose code is one of `values` (blank -> False), as ``np.isin(_codes(...), values)``."""
    return frame[column].isin(list(values)).to_numpy(dtype=bool)


def weighting_factors(harmonised: pd.DataFrame) -> dict[str, pd.arrays.BooleanArray]:
    applicable = _in(harmonised, "content", ("improper", "doubt"))
    frequency_observed = harmonised["frequency"].notna().to_numpy(dtype=bool)
    return {
        "f_intent": _factor([_at_least(harmonised, "intent", 4)], applicable),
        "f_culpable": _factor([_at_most(harmonised, "culpability", 2)], applicable),  # OD8_2 is a reversed item
        "f_power": _factor([_at_least(harmonised, "power", 4)], applicable),
        "f_intensity": _factor([_at_least(harmonised, "felt_pressure", 4), _flags(harmonised, "means_threat")], applicable),
        "f_frequency_duration": _factor(
            [
                (_in(harmonised, "frequency", MULTIPLE_FREQUENCIES), frequency_observed),
                _at_least(harmonised, "repeated", 4),
                _at_least(harmonised, "duration", 4),
            ],
            applicable,
        ),
    }


def _factorized(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, values): ``values[codes]`` is the column as an object array with None for blanks."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = np.array([*uniques, None], dtype=object)
    return np.where(codes < 0, len(values) - 1, codes), values


def _type_and_principal(harmonised: pd.DataFrame, settings: Mapping[str, Any]) -> tuple[Any, Any]:
    """principal_agent and type, computed once per distinct (content, means, context) combination.

    Both depend on those three codes only; `principal_agent` and `interaction_type` run on the few
    distinct combinations and the results are spread to the rows as string columns.
    """
    from drukmonitor.status import strings_from_codes

    content_codes, content_values = _factorized(harmonised["content"])
    means_codes, means_values = _factorized(harmonised["means"])
    context_codes, context_values = _factorized(harmonised["context"])
    combination = (content_codes.astype(np.int64) * len(means_values) + means_codes) * len(context_values) + context_codes
    uniques, inverse = np.unique(combination, return_inverse=True)
    inverse = inverse.reshape(-1)
    unique_context = context_values[uniques % len(context_values)]
    unique_means = means_values[(uniques // len(context_values)) % len(means_values)]
    unique_content = content_values[uniques // (len(context_values) * len(means_values))]
    principal = principal_agent(unique_context, settings)
    types = interaction_type(unique_content, unique_means, principal)
    return strings_from_codes(inverse, [str(value) for value in principal]), strings_from_codes(inverse, [str(value) for value in types])


def classify(harmonised: pd.DataFrame, settings: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Classified table (`CLASSIFIED_COLUMNS`, rows sorted by source_row) from a harmonised table."""
    settings = resolve_settings(settings)
    principal, types = _type_and_principal(harmonised, settings)
    factors = weighting_factors(harmonised)
    applicable = _in(harmonised, "content", ("improper", "doubt"))
    true_count = np.sum([factor.fillna(False).to_numpy(dtype=bool) for factor in factors.values()], axis=0)
    observed_count = np.sum([~factor.isna() for factor in factors.values()], axis=0)
    n_rows = len(harmonised)
    if n_rows == 0:
        true_count = observed_count = np.zeros(0, dtype=np.int64)

    out: dict[str, Any] = {
        "wave": harmonised["wave"].astype("string"),
        "instrument": harmonised["instrument"].astype("string"),
        "respondent_id": harmonised["respondent_id"].astype("string"),
        "content": harmonised["content"].astype("string"),
        "means": harmonised["means"].astype("string"),
        "context": harmonised["context"].astype("string"),
        "principal_agent": principal,
        "type": types,
        "grey_area": pd.arrays.BooleanArray(_in(harmonised, "content", ("doubt",)), np.zeros(n_rows, dtype=bool)),
        "frequency": harmonised["frequency"].astype("string"),
        **factors,
        "severity_score": pd.arrays.IntegerArray(np.asarray(true_count, dtype=np.int64), ~applicable),
        "severity_observed": pd.arrays.IntegerArray(np.asarray(observed_count, dtype=np.int64), ~applicable),
        ROUTING_VIOLATION: harmonised[ROUTING_VIOLATION].astype("string"),
        "inconsistent_pressure": harmonised["inconsistent_pressure"].astype("boolean").fillna(False),
        "cooccurrence_uncertain": harmonised["cooccurrence_uncertain"].astype("boolean").fillna(False),
    }
    for column in EXTRA_COLUMNS:
        out[column] = harmonised[column]
    for column in FIELD_STATUS_COLUMNS:
        out[column] = harmonised[column].astype("string")
    frame = pd.DataFrame({name: value.array if isinstance(value, pd.Series) else value for name, value in out.items()})
    frame = frame.loc[:, list(CLASSIFIED_COLUMNS)]
    if frame["source_row"].is_monotonic_increasing:  # the usual case: ingest keeps the file order
        return frame.reset_index(drop=True)
    return frame.sort_values("source_row", kind="stable").reset_index(drop=True)


def classify_frame(
    canonical: pd.DataFrame, codebook: Codebook, crosswalk: Crosswalk, settings: Mapping[str, Any] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """canonical -> (harmonised, classified): the single code path of the workflow and the CLI."""
    harmonised = harmonise(canonical, codebook, crosswalk, settings)
    return harmonised, classify(harmonised, settings)
