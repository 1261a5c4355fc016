"""Crosswalks and harmonisation: canonical table -> harmonised fields (classification.md sections 2-3).

A crosswalk (``workflow/crosswalks/<instrument>.yaml``, validated by
``workflow/schemas/crosswalk.schema.yaml``) declares, for every harmonised field in `FIELDS`:

* ``comparability`` to the target instrument uu2020: identical | comparable | proxy | not_measured;
* ``source_items`` and a Dutch ``reason`` (printed in reports);
* the derivation, one of
  - ``rules``: ordered, first match wins, ``[{when: <condition>, value: <code>, status: <optional>}]``
    plus ``default``; a value may be ``{param: <setting>}`` and conditions may read settings
    (``{gte: {param: pressure_threshold}}``), item statuses (``{col: OD6, status: [answered]}``) and
    fields derived earlier in `FIELDS` order (``{col: content, in: [not_reported]}``);
  - ``copy: <column>``: the substantive codes of one column (missing codes become blank);
  - ``recode: {column: <column>, map: {code or 'a..b': value}}``: one column, every substantive code mapped.

Field status (``<field>__status``):
* ``not_measured`` -> ``not_in_instrument`` (value blank);
* copy / recode -> the status of the source column;
* rules -> the matched rule's explicit ``status`` if given; else ``answered`` when the value is
  substantive (not blank, not ``unknown`` / ``not_applicable``); else the status that explains the gap,
  taken from ``status_from`` (default ``source_items``): the first dont_know / refused /
  item_nonresponse, else the first not_asked, else not_in_instrument; when every source is answered a
  blank or ``not_applicable`` value is ``not_asked`` (the follow-up does not apply) and ``unknown`` is
  ``answered`` (an answer that cannot be placed, e.g. 'Anders').

Adding an instrument is a codebook plus a crosswalk; no code.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import yaml

from drukmonitor.codebook import REPO_ROOT, Codebook, load_codebook, schema_dir
from drukmonitor.conditions import Condition, evaluate, parse_range_shorthand
from drukmonitor.config import DEFAULT_SETTINGS
from drukmonitor.errors import ConfigError, DrukmonitorError
from drukmonitor.status import (
    ANSWERED,
    NOT_ASKED,
    NOT_IN_INSTRUMENT,
    ROUTING_VIOLATION,
    STATUSES,
    StatusResult,
    compute_status_codes,
    first_status_codes,
    status_column,
    strings_from_codes,
    status_units,
    units_by_reference,
    with_all_columns,
)

COMPARABILITY_LEVELS = ("identical", "comparable", "proxy", "not_measured")

CONTENT_CODES = ("improper", "doubt", "proper", "not_reported", "unknown")
MEANS_CODES = ("improper", "proper", "unknown", "not_applicable")
CONTEXT_CODES = (
    "political_direct",
    "political_indirect",
    "political_unspecified",
    "top_civil_service",
    "civil_service_line",
    "internal_unspecified",
    "line_unspecified",
    "employer_employee",
    "external",
    "commissioning_principal",
    "unknown",
    "not_applicable",
)
FREQUENCY_CODES = ("once", "2_3", "4_plus", "more_than_once", "once_or_few", "regularly", "often")
DOUBT_CODES = ("yes", "no")
NON_SUBSTANTIVE = ("unknown", "not_applicable")

# settings.mto_ambtelijke_druk_context: where MTO 'Ambtelijke druk' goes (classification.md vs seed Bijlage 1)
MTO_AMBTELIJKE_DRUK_CHOICES = ("political_indirect", "civil_service_line")


@dataclass(frozen=True)
class FieldDef:
    """A harmonised field: its value kind and the values it may take."""

    name: str
    kind: str  # "code" (string codes) | "bool" | "int"
    codes: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None

    def allows(self, value: Any) -> bool:
        if value is None:
            return True
        if self.kind == "code":
            return isinstance(value, str) and value in self.codes
        if self.kind == "bool":
            return isinstance(value, bool)
        return isinstance(value, int) and not isinstance(value, bool) and self.low <= value <= self.high  # type: ignore[operator]

    @property
    def dtype(self) -> str:
        return {"code": "string", "bool": "boolean", "int": "Int64"}[self.kind]


def _bool(name: str) -> FieldDef:
    return FieldDef(name, "bool")


def _likert(name: str) -> FieldDef:
    return FieldDef(name, "int", low=1, high=5)


MEANS_DETAIL = ("threat", "reward", "intimidating_manner", "non_verbal", "bullied_excluded", "other", "none_felt")

FIELDS: dict[str, FieldDef] = {
    field.name: field
    for field in (
        FieldDef("content", "code", CONTENT_CODES),
        FieldDef("doubt", "code", DOUBT_CODES),
        FieldDef("context", "code", CONTEXT_CODES),
        FieldDef("felt_pressure", "int", low=1, high=5),
        FieldDef("means", "code", MEANS_CODES),
        *(_bool(f"means_{detail}") for detail in MEANS_DETAIL),
        FieldDef("frequency", "code", FREQUENCY_CODES),
        _likert("intent"),
        _likert("culpability"),  # OD8_2 as asked: a reversed item (agreeing = less culpable)
        _likert("power"),
        _likert("repeated"),
        _likert("duration"),
        _bool("inconsistent_pressure"),
        _bool("cooccurrence_uncertain"),
    )
}

PROVENANCE_COLUMNS: dict[str, str] = {
    "wave": "string",
    "instrument": "string",
    "source_file": "string",
    "source_sha256": "string",
    "source_row": "int64",
    "respondent_id": "string",
    "org_unit": "string",
    "role_group": "Int64",
    "weight": "float64",
    "completed": "Int64",
}
GATE_STATUS = "gate_status"
CLASSIFICATION_SETTINGS = ("pressure_threshold", "top_civil_service_is_principal", "mto_ambtelijke_druk_context")


@dataclass(frozen=True)
class Rule:
    when: Condition
    value: Any
    status: str | None = None


@dataclass(frozen=True)
class FieldMapping:
    field: str
    comparability: str
    source_items: tuple[str, ...]
    reason: str
    rules: tuple[Rule, ...] = ()
    default: Any = None
    copy: str | None = None
    recode_column: str | None = None
    recode_map: Mapping[int, Any] | None = None
    status_from: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        if self.comparability == "not_measured":
            return "not_measured"
        if self.copy is not None:
            return "copy"
        if self.recode_column is not None:
            return "recode"
        return "rules"


@dataclass(frozen=True)
class Crosswalk:
    id: str
    title: str
    target: str
    seed_ref: str
    gate_items: tuple[str, ...]
    gate_reason: str
    fields: dict[str, FieldMapping]
    facts: dict[str, Any]
    path: Path
    sha256: str


def default_crosswalk_dir() -> Path:
    """Crosswalks ship with the workflow; DRUKMONITOR_CROSSWALK_DIR points elsewhere."""
    return Path(os.environ.get("DRUKMONITOR_CROSSWALK_DIR", REPO_ROOT / "workflow" / "crosswalks"))


@cache
def _crosswalk_schema() -> dict[str, Any]:
    with open(schema_dir() / "crosswalk.schema.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# ----------------------------------------------------------------------------------------- settings


def resolve_settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """Settings with defaults filled in; the classification settings checked."""
    resolved = {**DEFAULT_SETTINGS, **dict(settings or {})}
    threshold = resolved["pressure_threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 1 <= threshold <= 5:
        raise ConfigError(f"settings.pressure_threshold must be a number from 1 to 5 (OD6 scale), not {threshold!r}")
    if not isinstance(resolved["top_civil_service_is_principal"], bool):
        raise ConfigError(
            f"settings.top_civil_service_is_principal must be true or false, not {resolved['top_civil_service_is_principal']!r}"
        )
    if resolved["mto_ambtelijke_druk_context"] not in MTO_AMBTELIJKE_DRUK_CHOICES:
        raise ConfigError(
            f"settings.mto_ambtelijke_druk_context must be one of {', '.join(MTO_AMBTELIJKE_DRUK_CHOICES)}, "
            f"not {resolved['mto_ambtelijke_druk_context']!r}"
        )
    return resolved


# ----------------------------------------------------------------------------------------- loading


def load_crosswalk(instrument: str, crosswalk_dir: Path | str | None = None, codebook: Codebook | None = None) -> Crosswalk:
    """Load one instrument's crosswalk and check it against the instrument's codebook."""
    directory = Path(crosswalk_dir) if crosswalk_dir is not None else default_crosswalk_dir()
    path = directory / f"{instrument}.yaml"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in directory.glob("*.yaml"))) or "none"
        raise ConfigError(f"no crosswalk for instrument {instrument!r} in {directory} (available: {available})")
    content = path.read_bytes()
    raw = yaml.safe_load(content.decode("utf-8"))
    codebook = codebook if codebook is not None else load_codebook(instrument)
    crosswalk = parse_crosswalk(raw, codebook, path, hashlib.sha256(content).hexdigest())
    if crosswalk.id != instrument:
        raise ConfigError(f"crosswalk id {crosswalk.id!r} does not match its file name", file=path)
    return crosswalk


def load_all_crosswalks(crosswalk_dir: Path | str | None = None, codebook_dir: Path | str | None = None) -> dict[str, Crosswalk]:
    directory = Path(crosswalk_dir) if crosswalk_dir is not None else default_crosswalk_dir()
    return {
        path.stem: load_crosswalk(path.stem, directory, load_codebook(path.stem, codebook_dir)) for path in sorted(directory.glob("*.yaml"))
    }


def parse_crosswalk(raw: Any, codebook: Codebook, path: Path | str = "<crosswalk>", sha256: str = "") -> Crosswalk:
    """Validate a crosswalk mapping against the schema and the codebook; build a Crosswalk."""
    path = Path(path)
    try:
        jsonschema.validate(raw, _crosswalk_schema())
    except jsonschema.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        raise ConfigError(f"crosswalk invalid at {where}: {error.message}", file=path) from None
    if raw["id"] != codebook.id:
        raise ConfigError(f"crosswalk {raw['id']!r} is checked against codebook {codebook.id!r}", file=path)

    units = status_units(codebook)
    reference = units_by_reference(units)
    value_columns = {name for name, column in codebook.columns.items() if column.kind != "text"}
    value_columns |= {f"{name}__filled" for name, column in codebook.columns.items() if column.kind == "text"}
    value_columns |= set(codebook.respondent)
    status_names = set(reference)

    def check_items(names: list[str], where: str) -> tuple[str, ...]:
        expanded = parse_range_shorthand(names)
        unknown = [name for name in expanded if name not in reference]
        if unknown:
            raise ConfigError(f"{where}: {unknown} are not items or columns of codebook {codebook.id}", file=path)
        return tuple(names)

    gate = raw["gate"]
    gate_items = check_items(gate["items"], "gate.items")
    fields: dict[str, FieldMapping] = {}
    earlier_fields: set[str] = set()
    for name, definition in FIELDS.items():
        spec = raw["fields"][name]
        where = f"fields.{name}"
        source_items = check_items(spec["source_items"], f"{where}.source_items")
        status_from = check_items(spec.get("status_from", spec["source_items"]), f"{where}.status_from")
        rules: list[Rule] = []
        for index, rule in enumerate(spec.get("rules") or []):
            _check_condition(
                rule["when"], value_columns | earlier_fields, status_names | earlier_fields, f"{where}.rules[{index}].when", path
            )
            _check_value(definition, rule["value"], f"{where}.rules[{index}].value", path)
            rules.append(Rule(rule["when"], rule["value"], rule.get("status")))
        default = spec.get("default")
        _check_value(definition, default, f"{where}.default", path)
        copy = spec.get("copy")
        recode_column = None
        recode_map: dict[int, Any] | None = None
        if copy is not None:
            _check_copy(definition, codebook, copy, f"{where}.copy", path)
        if "recode" in spec:
            recode_column = spec["recode"]["column"]
            recode_map = _check_recode(definition, codebook, recode_column, spec["recode"]["map"], f"{where}.recode", path)
        fields[name] = FieldMapping(
            field=name,
            comparability=spec["comparability"],
            source_items=source_items,
            reason=spec["reason"],
            rules=tuple(rules),
            default=default,
            copy=copy,
            recode_column=recode_column,
            recode_map=recode_map,
            status_from=status_from,
        )
        earlier_fields.add(name)
    return Crosswalk(
        id=raw["id"],
        title=raw["title"],
        target=raw["target"],
        seed_ref=raw.get("seed_ref", ""),
        gate_items=gate_items,
        gate_reason=gate["reason"],
        fields=fields,
        facts=dict(codebook.facts),
        path=path,
        sha256=sha256,
    )


def _check_value(definition: FieldDef, value: Any, where: str, path: Path) -> None:
    if isinstance(value, Mapping):
        name = value.get("param")
        if name not in DEFAULT_SETTINGS:
            raise ConfigError(f"{where}: unknown setting {name!r}", file=path)
        return
    if not definition.allows(value):
        allowed = (
            ", ".join(definition.codes)
            if definition.kind == "code"
            else ("true/false" if definition.kind == "bool" else f"integers {definition.low}..{definition.high}")
        )
        raise ConfigError(f"{where}: value {value!r} is not allowed for field {definition.name} ({allowed}, or null)", file=path)


def _check_condition(condition: Any, value_columns: set[str], status_names: set[str], where: str, path: Path) -> None:
    if isinstance(condition, str):
        if condition not in ("always", "never"):
            raise ConfigError(f"{where}: unknown condition {condition!r}", file=path)
        return
    if not isinstance(condition, Mapping):
        raise ConfigError(f"{where}: a condition must be 'always', 'never' or a mapping", file=path)
    for combinator in ("any", "all"):
        if combinator in condition:
            for index, part in enumerate(condition[combinator]):
                _check_condition(part, value_columns, status_names, f"{where}.{combinator}[{index}]", path)
            return
    if "not" in condition:
        _check_condition(condition["not"], value_columns, status_names, f"{where}.not", path)
        return
    names = [condition["col"]] if "col" in condition else parse_range_shorthand(condition.get("cols") or [])
    allowed = status_names if "status" in condition else value_columns
    unknown = [name for name in names if name not in allowed]
    if unknown:
        kind = "status of" if "status" in condition else "column"
        raise ConfigError(f"{where}: reads {kind} {unknown}, unknown to the codebook (or not a field derived before this one)", file=path)
    if "status" in condition:
        bad = [status for status in condition["status"] if status not in STATUSES]
        if bad:
            raise ConfigError(f"{where}: unknown statuses {bad}", file=path)
    for comparator in ("gte", "gt", "lte", "lt", "eq"):
        bound = condition.get(comparator)
        if isinstance(bound, Mapping) and bound.get("param") not in DEFAULT_SETTINGS:
            raise ConfigError(f"{where}: unknown setting {bound.get('param')!r}", file=path)


def _source_column(codebook: Codebook, column: str, where: str, path: Path) -> Any:
    spec = codebook.columns.get(column)
    if spec is None or spec.kind in ("text", "flag"):
        raise ConfigError(f"{where}: {column!r} is not a code, scale or flag column of codebook {codebook.id}", file=path)
    return spec


def _substantive_values(spec: Any) -> list[int]:
    if spec.options:
        return [code for code in spec.options if code not in spec.missing]
    if spec.value_range is not None:
        low, high = spec.value_range
        return list(range(int(np.ceil(low)), int(np.floor(high)) + 1))
    return []


def _check_copy(definition: FieldDef, codebook: Codebook, column: str, where: str, path: Path) -> None:
    spec = _source_column(codebook, column, where, path)
    bad = [code for code in _substantive_values(spec) if not definition.allows(code)]
    if bad:
        raise ConfigError(f"{where}: codes {bad} of {column} are not values of field {definition.name}; use recode", file=path)


def _check_recode(
    definition: FieldDef, codebook: Codebook, column: str, mapping: Mapping[Any, Any], where: str, path: Path
) -> dict[int, Any]:
    spec = _source_column(codebook, column, where, path)
    expanded: dict[int, Any] = {}
    for key, value in mapping.items():
        _check_value(definition, value, f"{where}.map[{key!r}]", path)
        text = str(key)
        if ".." in text:
            low, high = (int(part) for part in text.split(".."))
            codes = range(low, high + 1)
        else:
            try:
                codes = [int(text)]
            except ValueError:
                raise ConfigError(f"{where}.map: key {key!r} is not a code or a range 'a..b'", file=path) from None
        for code in codes:
            if code in expanded:
                raise ConfigError(f"{where}.map: code {code} is mapped twice", file=path)
            expanded[code] = value
    unmapped = [code for code in _substantive_values(spec) if code not in expanded]
    if unmapped:
        raise ConfigError(f"{where}.map: codes {unmapped} of {column} are not mapped", file=path)
    return expanded


# ----------------------------------------------------------------------------------------- harmonise


def harmonise(canonical: pd.DataFrame, codebook: Codebook, crosswalk: Crosswalk, settings: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The harmonised table: provenance, item statuses, routing_violation, fields + statuses, gate_status.

    One row per canonical row, same order, fresh RangeIndex.

    Statuses are handled as small integer codes (`status.StatusCodes`) and every field as the index of
    its value among the few values its rules can give, so nothing here creates a Python object per row;
    string and nullable columns are built once per output column.
    """
    if crosswalk.id != codebook.id:
        raise ConfigError(f"crosswalk {crosswalk.id!r} does not belong to codebook {codebook.id!r}")
    settings = resolve_settings(settings)
    canonical = canonical.reset_index(drop=True)
    n_rows = len(canonical)
    computed = compute_status_codes(canonical, codebook)
    statuses = computed.frame(canonical.index)
    work = pd.concat([with_all_columns(canonical, codebook), statuses], axis=1)
    reference = units_by_reference(status_units(codebook))
    source_rows = canonical["source_row"].to_numpy() if "source_row" in canonical.columns else np.arange(1, n_rows + 1)

    columns: dict[str, Any] = {}
    for name, dtype in PROVENANCE_COLUMNS.items():
        if name in canonical.columns:
            columns[name] = canonical[name].astype(dtype)
        elif name == "instrument":
            columns[name] = pd.array([codebook.id] * n_rows, dtype=dtype)
        elif name == "source_row":
            raise ConfigError("the canonical table has no source_row column")
        else:
            columns[name] = pd.array([None] * n_rows, dtype=dtype)
    for name in statuses.columns:
        columns[name] = statuses[name]

    derived: dict[str, Any] = {}
    read_later = _fields_read(crosswalk)
    for name, definition in FIELDS.items():
        mapping = crosswalk.fields[name]
        value_array, field_status = _derive(definition, mapping, work, computed, reference, settings, codebook, source_rows)
        status_array = computed.vocabulary.strings(field_status)
        derived[name] = value_array
        derived[status_column(name)] = status_array
        if name in read_later:
            work[name] = value_array
        if status_column(name) in read_later:
            work[status_column(name)] = status_array
    columns.update(derived)
    columns[GATE_STATUS] = computed.vocabulary.strings(_gate_status(crosswalk, computed, reference, n_rows))
    return pd.DataFrame(columns, index=pd.RangeIndex(n_rows))


def _fields_read(crosswalk: Crosswalk) -> set[str]:
    """Field values (``name``) and statuses (``name__status``) that rules of later fields read."""
    read: set[str] = set()

    def walk(condition: Any) -> None:
        if not isinstance(condition, Mapping):
            return
        for combinator in ("any", "all"):
            for part in condition.get(combinator, []):
                walk(part)
        if "not" in condition:
            walk(condition["not"])
        names = [condition["col"]] if "col" in condition else list(condition.get("cols") or [])
        for name in names:
            if name in FIELDS:
                read.add(status_column(name) if "status" in condition else name)

    for mapping in crosswalk.fields.values():
        for rule in mapping.rules:
            walk(rule.when)
    return read


def _unit_statuses(names: tuple[str, ...], computed: StatusResult, reference: Mapping[str, list[str]]) -> list[np.ndarray]:
    units: list[str] = []
    for name in parse_range_shorthand(names):
        for unit in reference[name]:
            if unit not in units:
                units.append(unit)
    return [computed.codes[unit] for unit in units]


def _field_array(definition: FieldDef, candidates: list[Any], choice: np.ndarray) -> Any:
    """``candidates[choice[i]]`` for every row, as the field's column type (None -> NA).

    What ``pd.array(<object array>, dtype=definition.dtype)`` gives, without a Python object per row.
    """
    blank = np.array([value is None for value in candidates], dtype=bool)
    if definition.kind == "code":
        return strings_from_codes(np.where(blank[choice], -1, choice), [None if v is None else str(v) for v in candidates])
    if definition.kind == "bool":
        values = np.array([bool(v) if v is not None else False for v in candidates], dtype=bool)
        return pd.arrays.BooleanArray(values[choice], blank[choice])
    values = np.array([int(v) if v is not None else 0 for v in candidates], dtype=np.int64)
    return pd.arrays.IntegerArray(values[choice], blank[choice])


def _derive(
    definition: FieldDef,
    mapping: FieldMapping,
    work: pd.DataFrame,
    computed: StatusResult,
    reference: Mapping[str, list[str]],
    settings: Mapping[str, Any],
    codebook: Codebook,
    source_rows: np.ndarray,
) -> tuple[Any, np.ndarray]:
    """(field values as the field's column type, field status codes) for one harmonised field."""
    n_rows = len(work)
    vocabulary = computed.vocabulary
    answered_code = vocabulary.code(ANSWERED)
    if mapping.method == "not_measured":
        return _field_array(definition, [None], np.zeros(n_rows, dtype=np.intp)), vocabulary.full(n_rows, NOT_IN_INSTRUMENT)

    if mapping.method in ("copy", "recode"):
        column = mapping.copy if mapping.method == "copy" else mapping.recode_column
        assert column is not None
        unit = reference[column][0]
        source_status = computed.codes[unit]
        answered = source_status == answered_code
        codes = pd.to_numeric(work[column], errors="coerce").astype("float64").to_numpy()
        answered_codes = codes[answered]
        if mapping.method == "copy":
            if definition.kind != "int" or np.isnan(answered_codes).any():  # not reached for a checked crosswalk
                values = np.full(n_rows, None, dtype=object)
                values[answered] = [int(code) for code in answered_codes]
                return pd.array(values, dtype=definition.dtype), source_status.copy()
            ints = np.zeros(n_rows, dtype=np.int64)
            ints[answered] = answered_codes.astype(np.int64)
            return pd.arrays.IntegerArray(ints, ~answered), source_status.copy()
        assert mapping.recode_map is not None
        uniques, inverse = np.unique(answered_codes, return_inverse=True)
        mapped = [mapping.recode_map.get(code) if not np.isnan(code) else None for code in uniques.tolist()]
        unmapped_unique = np.array([value is None for value in mapped], dtype=bool)
        unmapped = unmapped_unique[inverse.reshape(-1)] if len(answered_codes) else np.zeros(0, dtype=bool)
        if unmapped.any():
            position = int(np.flatnonzero(answered)[np.flatnonzero(unmapped)[0]])
            raise DrukmonitorError(
                f"no recode for this value in crosswalk field {definition.name}",
                file=str(work["source_file"].iloc[position]) if "source_file" in work.columns else None,
                column=column,
                row=int(source_rows[position]),
                value=int(codes[position]) if float(codes[position]).is_integer() else float(codes[position]),
            )
        choice = np.zeros(n_rows, dtype=np.intp)
        choice[answered] = 1 + inverse.reshape(-1)
        return _field_array(definition, [None, *mapped], choice), source_status.copy()

    params = dict(settings)
    masks = [evaluate(rule.when, work, params) for rule in mapping.rules]
    # candidate 0 is the default, candidate i + 1 the value of rule i (first match wins)
    choice = np.select(masks, list(range(1, len(masks) + 1)), default=0) if masks else np.zeros(n_rows, dtype=np.intp)
    candidates = [_resolve(definition, mapping.default, settings), *(_resolve(definition, rule.value, settings) for rule in mapping.rules)]
    empty = vocabulary.code("")
    rule_status = np.array(
        [empty, *(vocabulary.code(rule.status) if rule.status is not None else empty for rule in mapping.rules)], dtype=np.int16
    )
    non_substantive_candidate = np.array([value is None or str(value) in NON_SUBSTANTIVE for value in candidates], dtype=bool)
    unknown_candidate = np.array([value is not None and str(value) == "unknown" for value in candidates], dtype=bool)

    field_status = rule_status[choice]
    non_substantive = non_substantive_candidate[choice]
    open_status = field_status == empty
    field_status[open_status & ~non_substantive] = answered_code
    explain = open_status & non_substantive
    if explain.any():
        from_sources = first_status_codes(_unit_statuses(mapping.status_from, computed, reference), n_rows, vocabulary)
        all_answered = from_sources == answered_code
        fallback = np.where(unknown_candidate[choice], answered_code, vocabulary.code(NOT_ASKED))
        field_status[explain] = np.where(all_answered, fallback, from_sources)[explain]
    return _field_array(definition, candidates, choice), field_status


def _resolve(definition: FieldDef, value: Any, settings: Mapping[str, Any]) -> Any:
    if isinstance(value, Mapping):
        name = value["param"]
        resolved = settings[name]
        if not definition.allows(resolved):
            raise ConfigError(f"setting {name}={resolved!r} is not a value of field {definition.name} ({', '.join(definition.codes)})")
        return resolved
    return value


def _gate_status(crosswalk: Crosswalk, computed: StatusResult, reference: Mapping[str, list[str]], n_rows: int) -> np.ndarray:
    """Status (code) of the first gate item that is answered; else the status of the first gate item."""
    answered = computed.vocabulary.code(ANSWERED)
    gate = [computed.codes[reference[item][0]] for item in parse_range_shorthand(crosswalk.gate_items)]
    result = gate[0].copy()
    for status in gate[1:]:
        take = (result != answered) & (status == answered)
        result[take] = answered
    return result


def comparability_table(crosswalk: Crosswalk) -> pd.DataFrame:
    """field, comparability, reason, source_items (comma-separated) for every harmonised field."""
    rows = [
        {
            "field": name,
            "comparability": mapping.comparability,
            "reason": mapping.reason,
            "source_items": ", ".join(mapping.source_items),
        }
        for name, mapping in crosswalk.fields.items()
    ]
    return pd.DataFrame(rows, columns=["field", "comparability", "reason", "source_items"]).astype("string")


def harmonised_columns(codebook: Codebook) -> list[str]:
    """Column order of the harmonised table for one instrument."""
    return [
        *PROVENANCE_COLUMNS,
        *(status_column(unit.name) for unit in status_units(codebook)),
        ROUTING_VIOLATION,
        *(column for name in FIELDS for column in (name, status_column(name))),
        GATE_STATUS,
    ]
