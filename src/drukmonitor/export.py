"""Research exports of the harmonised and classified data: SPSS .sav, CSV, Parquet, data package.

Exports are meant to be shared with researchers, so respondent ids are pseudonymised with a keyed
hash (HMAC-SHA256, key from an environment variable, never in the repository) and the raw-file
provenance (file, row number) is left out. Open text never reaches this stage (ingest keeps only a
`__filled` flag). Everything is deterministic: same data and key, same bytes.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyreadstat

from drukmonitor.classify import CONTRACT_COLUMNS
from drukmonitor.errors import ConfigError
from drukmonitor.frames import join_on_source_row
from drukmonitor.harmonise import FIELDS
from drukmonitor.io import atomic_path, pin_sav_header, write_csv, write_json, write_parquet
from drukmonitor.labels import label_table, load_labels, variable_labels
from drukmonitor.status import STATUS_SUFFIX

DEMO_KEY_MARKER = "demo-"

# SPSS user-missing codes for a harmonised value that is missing, by its status (section 1 of the spec)
STATUS_MISSING_CODES: dict[str, int] = {
    "item_nonresponse": 95,
    "not_asked": 96,
    "dont_know": 97,
    "refused": 98,
    "not_in_instrument": 99,
}
PSEUDONYM_COLUMN = "respondent_pseudonym"
RESPONDENT_COLUMNS = ("wave", "instrument", PSEUDONYM_COLUMN, "org_unit", "role_group", "weight", "completed")


def pseudonym_key(env_var: str) -> bytes:
    """The pseudonymisation secret; refuse to export without one rather than publish raw ids."""
    key = os.environ.get(env_var, "")
    if not key:
        raise ConfigError(
            f"no pseudonymisation key: set the environment variable {env_var} to a secret that is not in the repository "
            "(keep it: the same key gives the same pseudonyms next year)"
        )
    return key.encode("utf-8")


def pseudonymise(ids: pd.Series, wave: str, key: bytes) -> pd.Series:
    """Keyed hash of (wave, id): stable for a key, not reversible without it, different per wave."""
    prefix = f"{wave}\x1f"
    values = ids.astype("string").to_numpy(dtype=object, na_value="")
    digests = [hmac.digest(key, (prefix + value).encode(), "sha256").hex()[:20] for value in values]
    return pd.Series(digests, index=ids.index, dtype="string")


def export_frame(harmonised: pd.DataFrame, classified: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """One row per classified respondent: respondent columns, harmonised fields with statuses, typology."""
    merged = join_on_source_row(classified, harmonised, [name for name in FIELDS if name not in classified.columns])
    wave = str(merged["wave"].iloc[0]) if len(merged) else ""
    merged[PSEUDONYM_COLUMN] = pseudonymise(merged["respondent_id"], wave, key)
    field_columns = [name for name in FIELDS]
    status_columns = [f"{name}{STATUS_SUFFIX}" for name in FIELDS if f"{name}{STATUS_SUFFIX}" in merged.columns]
    contract = [column for column in CONTRACT_COLUMNS if column not in ("wave", "instrument", "respondent_id")]
    ordered = [*RESPONDENT_COLUMNS, *contract, *[c for c in field_columns if c not in contract], "gate_status", *status_columns]
    ordered = list(dict.fromkeys(column for column in ordered if column in merged.columns))
    # rows in pseudonym order, so the export's row order says nothing about the raw file's
    order = pc.sort_indices(pa.array(merged[PSEUDONYM_COLUMN], type=pa.large_string())).to_numpy()  # a stable sort
    return merged.loc[:, ordered].take(order).reset_index(drop=True)


def _code_numbers(domain_codes: list[str]) -> dict[str, int]:
    return {code: index + 1 for index, code in enumerate(domain_codes)}


def _numbered(values: pd.Series, codes: list[str], numbers: list[int] | None = None) -> np.ndarray:
    """float64 array: codes[i] -> numbers[i] (default i + 1), anything else (or NA) -> NaN."""
    text = pa.array(values.astype("string"), type=pa.large_string(), from_pandas=True)
    positions = pc.fill_null(pc.index_in(text, value_set=pa.array(codes, type=pa.large_string())), len(codes))
    lookup = np.append(np.asarray(numbers if numbers is not None else range(1, len(codes) + 1), dtype="float64"), np.nan)
    return lookup[positions.to_numpy(zero_copy_only=False)]  # position len(codes) (not a code) takes the NaN


def spss_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict[float, str]], dict[str, list], dict[str, str]]:
    """Numeric SPSS version: coded strings -> 1..n with Dutch value labels; missing statuses -> user-missing."""
    labels = load_labels()
    domains = labels["domains"]
    variable_label_map = dict(zip(variable_labels()["variable"], variable_labels()["label_nl"], strict=True))
    status_labels = domains.get("status", {})
    out = pd.DataFrame(index=frame.index)
    value_labels: dict[str, dict[float, str]] = {}
    missing_ranges: dict[str, list] = {}
    column_labels: dict[str, str] = {}
    for column in frame.columns:
        series = frame[column]
        domain_name = _domain(column, labels)
        column_labels[column] = variable_label_map.get(column, _default_variable_label(column))
        if domain_name == "boolean" or pd.api.types.is_bool_dtype(series.dtype):
            out[column] = series.astype("Float64").astype("float64")
            value_labels[column] = {0.0: domains.get("boolean", {}).get("false", "Nee"), 1.0: domains.get("boolean", {}).get("true", "Ja")}
        elif domain_name and not pd.api.types.is_numeric_dtype(series.dtype):
            codes = list(domains[domain_name])
            numbers = _code_numbers(codes)
            unknown = sorted(set(series.dropna().astype(str).unique()) - set(numbers))
            if unknown:
                raise ConfigError(f"column {column}: codes {unknown} have no label, cannot export to SPSS")
            out[column] = _numbered(series, codes)
            value_labels[column] = {float(numbers[code]): domains[domain_name][code] for code in codes}
        elif pd.api.types.is_numeric_dtype(series.dtype):
            out[column] = series.astype("Float64").astype("float64")
            if domain_name:
                value_labels[column] = {float(code): label for code, label in domains[domain_name].items() if str(code).isdigit()}
        else:
            # plain Python strings: pyreadstat iterates the cells, and arrow-backed strings iterate slowly
            out[column] = pd.Series(series.astype("string").to_numpy(dtype=object, na_value=""), index=frame.index, dtype=object)
        status_column = f"{column}{STATUS_SUFFIX}"
        if column in FIELDS and status_column in frame.columns:
            statuses = frame[status_column].astype("object")
            fill = pd.Series(_numbered(statuses, list(STATUS_MISSING_CODES), list(STATUS_MISSING_CODES.values())), index=frame.index)
            out[column] = out[column].where(out[column].notna(), fill)
            for status, code in STATUS_MISSING_CODES.items():
                value_labels.setdefault(column, {})[float(code)] = status_labels.get(status, status)
            missing_ranges[column] = [{"lo": 95.0, "hi": 99.0}]
    return out, value_labels, missing_ranges, column_labels


def _domain(column: str, labels: Mapping[str, Any]) -> str | None:
    if column in labels["columns"]:
        return str(labels["columns"][column]["domain"])
    if column.endswith(STATUS_SUFFIX):
        return "status"
    return None


def _default_variable_label(column: str) -> str:
    defaults = {
        "wave": "Meting",
        "instrument": "Meetinstrument",
        PSEUDONYM_COLUMN: "Respondent (pseudoniem)",
        "org_unit": "Organisatieonderdeel",
        "role_group": "Functiegroep (code)",
        "weight": "Weegfactor",
        "completed": "Vragenlijst volledig (1) of afgebroken (0)",
        "routing_violation": "Routeringsfouten (vraagnummers)",
        "severity_score": "Ernst: aantal wegingsfactoren aanwezig",
        "severity_observed": "Ernst: aantal wegingsfactoren waargenomen",
    }
    if column.endswith(STATUS_SUFFIX):
        return f"Status van {column[: -len(STATUS_SUFFIX)]}"
    return defaults.get(column, column)


def write_sav(frame: pd.DataFrame, target: Path | str) -> None:
    data, value_labels, missing_ranges, column_labels = spss_frame(frame)
    with atomic_path(target) as temporary:
        pyreadstat.write_sav(
            data,
            str(temporary),
            column_labels=[column_labels[c] for c in data.columns],
            variable_value_labels=value_labels,
            missing_ranges=missing_ranges,
        )
        pin_sav_header(temporary)


def datapackage_descriptor(frame: pd.DataFrame, wave: Mapping[str, Any], comparability: pd.DataFrame, resource_path: str) -> dict[str, Any]:
    """Frictionless data package: fields, types, allowed codes with labels, comparability and source item per field."""
    labels = load_labels()
    domains = labels["domains"]
    variable_label_map = dict(zip(variable_labels()["variable"], variable_labels()["label_nl"], strict=True))
    levels = {row.field: row for row in comparability.itertuples(index=False)}
    fields = []
    for column in frame.columns:
        series = frame[column]
        domain_name = _domain(column, labels)
        field: dict[str, Any] = {"name": column, "title": variable_label_map.get(column, _default_variable_label(column))}
        if pd.api.types.is_bool_dtype(series.dtype):
            field["type"] = "boolean"
            field["trueValues"] = ["True"]
            field["falseValues"] = ["False"]
        elif pd.api.types.is_integer_dtype(series.dtype):
            field["type"] = "integer"
        elif pd.api.types.is_float_dtype(series.dtype):
            field["type"] = "number"
        else:
            field["type"] = "string"
        if domain_name and field["type"] == "string":
            codes = list(domains[domain_name])
            field["constraints"] = {"enum": codes}
            field["categories"] = [{"value": code, "label": domains[domain_name][code]} for code in codes]
        base = column[: -len(STATUS_SUFFIX)] if column.endswith(STATUS_SUFFIX) else column
        if base in levels:
            level = levels[base]
            field["drukmonitor:comparability"] = level.comparability
            field["drukmonitor:comparability_reason"] = level.reason
            items = level.source_items if not isinstance(level.source_items, str) else level.source_items.split(",")
            field["drukmonitor:source_items"] = [item.strip() for item in items if item.strip()]
        fields.append(field)
    return {
        "name": f"drukmonitor-{wave['id']}".replace("_", "-"),
        "title": f"drukmonitor: geharmoniseerde en geclassificeerde gegevens, meting {wave['id']}",
        "description": "Ervaren oneigenlijke druk (Heres & Bovens, 2020). Respondent-ids zijn gepseudonimiseerd; open antwoorden zijn niet opgenomen.",
        "resources": [
            {
                "name": wave["id"].replace("_", "-"),
                "path": resource_path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": fields, "missingValues": [""]},
            }
        ],
    }


def write_exports(
    *, harmonised: pd.DataFrame, classified: pd.DataFrame, comparability: pd.DataFrame, wave: Mapping[str, Any], key: bytes, outputs: Mapping[str, Any]
) -> int:
    frame = export_frame(harmonised, classified, key)
    write_parquet(frame, outputs["parquet"])
    write_csv(frame, outputs["csv"])
    write_sav(frame, outputs["sav"])
    descriptor = datapackage_descriptor(frame, wave, comparability, Path(outputs["csv"]).name)
    write_json(descriptor, outputs["datapackage"])
    write_csv(label_table(), outputs["labels"]) if "labels" in outputs else None
    return len(frame)


def descriptor_json(descriptor: Mapping[str, Any]) -> str:
    return json.dumps(descriptor, indent=2, sort_keys=True, ensure_ascii=False)
