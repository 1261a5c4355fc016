"""Dutch labels for every code of the harmonised and classified output columns.

The labels live in ``workflow/labels.yaml`` (declarative, wording from the seed where it exists);
this module turns them into a tidy table ``(variable, code, label_nl)`` that reports and exports join
on. Codes are given as text: string codes as they are, booleans as ``true`` / ``false``, integers as
their digits.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from drukmonitor.codebook import REPO_ROOT
from drukmonitor.errors import ConfigError
from drukmonitor.status import STATUS_SUFFIX

STATUS_DOMAIN = "status"


def default_labels_path() -> Path:
    """Labels ship with the workflow; DRUKMONITOR_LABELS points elsewhere."""
    return Path(os.environ.get("DRUKMONITOR_LABELS", REPO_ROOT / "workflow" / "labels.yaml"))


@cache
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    if not isinstance(raw, dict) or not isinstance(raw.get("domains"), dict) or not isinstance(raw.get("columns"), dict):
        raise ConfigError("labels file needs mappings 'domains' and 'columns'", file=path)
    domains: dict[str, dict[str, str]] = {}
    for name, codes in raw["domains"].items():
        for code in codes:
            if not isinstance(code, str):
                raise ConfigError(f"domain {name}: code {code!r} must be quoted text", file=path)
        domains[name] = {str(code): str(label) for code, label in codes.items()}
    for column, spec in raw["columns"].items():
        if spec.get("domain") not in domains:
            raise ConfigError(f"column {column}: unknown domain {spec.get('domain')!r}", file=path)
    return {"domains": domains, "columns": dict(raw["columns"])}


def load_labels(path: Path | str | None = None) -> dict[str, Any]:
    return _load(str(path if path is not None else default_labels_path()))


def domain_of(column: str, path: Path | str | None = None) -> str | None:
    """The label domain of an output column (None for columns without coded values)."""
    labels = load_labels(path)
    if column in labels["columns"]:
        return str(labels["columns"][column]["domain"])
    if column.endswith(STATUS_SUFFIX):
        return STATUS_DOMAIN
    return None


def code_text(value: Any) -> str:
    """How a value is written in the code column of the label table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def labels_for(column: str, path: Path | str | None = None) -> dict[str, str]:
    """code text -> Dutch label for one output column; empty for columns without coded values."""
    domain = domain_of(column, path)
    return dict(load_labels(path)["domains"][domain]) if domain else {}


def label_table(columns: Iterable[str] | None = None, path: Path | str | None = None) -> pd.DataFrame:
    """Tidy (variable, code, label_nl): one row per code of every coded column.

    Without `columns`, every column named in the labels file plus the status domain under the
    variable name ``status`` (for all ``*__status`` columns and ``gate_status``).
    """
    labels = load_labels(path)
    names = list(columns) if columns is not None else [*labels["columns"], STATUS_DOMAIN]
    rows = []
    for name in names:
        domain = STATUS_DOMAIN if name == STATUS_DOMAIN else domain_of(name, path)
        if domain is None:
            continue
        for code, label in labels["domains"][domain].items():
            rows.append({"variable": name, "code": code, "label_nl": label})
    return pd.DataFrame(rows, columns=["variable", "code", "label_nl"]).astype("string")


def variable_labels(path: Path | str | None = None) -> pd.DataFrame:
    """Tidy (variable, label_nl): the Dutch name of every labelled output column."""
    labels = load_labels(path)
    rows = [{"variable": name, "label_nl": spec.get("label", name)} for name, spec in labels["columns"].items()]
    return pd.DataFrame(rows, columns=["variable", "label_nl"]).astype("string")


def label_values(values: pd.Series, column: str | None = None, path: Path | str | None = None) -> pd.Series:
    """Replace codes by their Dutch labels (blanks stay blank); raises on a code without a label."""
    column = column or str(values.name)
    mapping = labels_for(column, path)
    if not mapping:
        raise ConfigError(f"column {column} has no labels")
    texts = values.astype("object").map(lambda value: None if pd.isna(value) else code_text(value))
    unknown = sorted({text for text in texts.dropna() if text not in mapping})
    if unknown:
        raise ConfigError(f"column {column}: codes {unknown} have no Dutch label in the labels file")
    return texts.map(mapping).astype("string")
