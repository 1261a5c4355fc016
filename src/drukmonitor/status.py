"""Item statuses: missing values are data (classification.md section 1).

For every item of an instrument's codebook, `compute_statuses` derives from the canonical table a
status column ``<unit>__status`` with one of

    answered | dont_know | refused | not_asked | item_nonresponse | not_in_instrument

and one ``routing_violation`` column. A *status unit* is what carries one status:

* a single / likert / scale / flag column: the column itself (``OD1``, ``OD8_2``, ``v3_intern``);
* a multi-select item: the item as a whole (``OD7``, ``v1``), never its 0/1 option columns;
* an open-text item: the item as a whole (``OD3``, read from ``OD3__filled`` and its extra code
  columns such as ``OD3_wiz`` = 'Wil ik niet zeggen').

Rules, all vectorised (no per-row Python):

* ``not_in_instrument``: the unit's column(s) are absent from the canonical table (a wave may omit an
  optional item, e.g. uu2020 OD2, OD7, OD8).
* A value present -> its status from the value: a code the codebook declares under ``missing`` gives
  ``dont_know`` / ``refused``; any other code ``answered``. Multi-select: any substantive option
  ticked -> ``answered``; only the 'Wil ik niet zeggen' option -> ``refused`` ('Weet ik niet' ->
  ``dont_know``). Open text: filled -> ``answered``; its 'Wil ik niet zeggen' box -> ``refused``.
  The status follows the value even where routing skipped the item: the answer is kept and the unit
  is listed in ``routing_violation``.
* Blank (multi-select: no option ticked; 0 and blank are the same) -> ``item_nonresponse`` when the
  routing (`asked_if`, evaluated with `conditions.evaluate` on the kept values) asks it, else
  ``not_asked``.
* Break-offs (``completed == 0``): the break-off point is the last item (codebook order) with any
  answer. A blank item after that point whose routing depends on an item that was not reached either
  (a gate after the break-off point) is ``item_nonresponse``: we cannot know it would have been
  skipped. Where the routing is decided by items before the break-off point it still gives
  ``not_asked``.

``routing_violation`` lists, comma-separated and in codebook order, the units where

* an answer exists although routing skips the unit, or
* a required unit (item not ``optional_item`` and its columns ``required``) is blank although routing
  asks it after an answered gate (at least one column its ``asked_if`` reads holds a value). Items
  asked of everyone (no gate) are plain item nonresponse when blank, never a violation. For break-offs
  blanks after the break-off point are not violations.

It is the empty string when there is none. Nothing is ever dropped or overwritten.

Which option of a multi-select item means 'Wil ik niet zeggen' / 'Weet ik niet' is read from the
option label (`MULTI_MISSING_LABELS`), because the codebook keeps no missing map for option columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from drukmonitor.codebook import Codebook, normalise_label
from drukmonitor.conditions import evaluate, parse_range_shorthand, referenced_columns

ANSWERED = "answered"
DONT_KNOW = "dont_know"
REFUSED = "refused"
NOT_ASKED = "not_asked"
ITEM_NONRESPONSE = "item_nonresponse"
NOT_IN_INSTRUMENT = "not_in_instrument"
STATUSES = (ANSWERED, DONT_KNOW, REFUSED, NOT_ASKED, ITEM_NONRESPONSE, NOT_IN_INSTRUMENT)
NONRESPONSE_STATUSES = (DONT_KNOW, REFUSED, ITEM_NONRESPONSE)

STATUS_SUFFIX = "__status"
FILLED_SUFFIX = "__filled"
ROUTING_VIOLATION = "routing_violation"

# Option labels of multi-select items (and open-text boxes) that are a missing code, not an answer.
MULTI_MISSING_LABELS = {
    normalise_label("Wil ik niet zeggen"): REFUSED,
    normalise_label("Weet ik niet"): DONT_KNOW,
}


def status_column(name: str) -> str:
    return f"{name}{STATUS_SUFFIX}"


@dataclass(frozen=True)
class StatusUnit:
    """One thing that carries one status: a code column, or a whole multi-select / open-text item."""

    name: str
    item: str
    kind: str  # "column" | "multi" | "open"
    position: int  # index of the item in codebook order
    columns: tuple[str, ...]  # data columns read (multi: option columns; open: extra code columns)
    required: bool
    missing: dict[int, str] = field(default_factory=dict)  # column: code -> status; multi/open: option code -> status
    option_codes: tuple[int, ...] = ()  # multi: the option code of each column in `columns`

    def __hash__(self) -> int:  # dict fields are unhashable; the name is unique within a codebook
        return hash((self.name, self.kind))


def status_units(codebook: Codebook) -> list[StatusUnit]:
    """The status units of a codebook, in codebook order."""
    units: list[StatusUnit] = []
    for position, item in enumerate(codebook.items.values()):
        columns = [codebook.columns[name] for name in item.columns]
        required = not item.optional and all(column.required for column in columns if column.kind != "text")
        if item.type == "multi":
            missing = {
                column.option_code: MULTI_MISSING_LABELS[normalise_label(column.options[1])]
                for column in columns
                if normalise_label(column.options.get(1, "")) in MULTI_MISSING_LABELS
            }
            option_codes = tuple(int(column.option_code) for column in columns)  # type: ignore[arg-type]
            units.append(StatusUnit(item.id, item.id, "multi", position, tuple(item.columns), required, missing, option_codes))
        elif item.type == "open_text":
            extra = [column for column in columns if column.kind != "text"]
            missing = {
                code: MULTI_MISSING_LABELS[normalise_label(label)]
                for column in extra
                for code, label in column.options.items()
                if normalise_label(label) in MULTI_MISSING_LABELS
            }
            units.append(
                StatusUnit(
                    item.id,
                    item.id,
                    "open",
                    position,
                    tuple(column.name for column in extra),
                    not item.optional and codebook.columns[item.id].required,
                    missing,
                )
            )
        else:
            for column in columns:
                if column.kind == "text":
                    continue
                units.append(
                    StatusUnit(
                        column.name,
                        item.id,
                        "column",
                        position,
                        (column.name,),
                        not item.optional and column.required,
                        dict(column.missing),
                    )
                )
    return units


def units_by_reference(units: Sequence[StatusUnit]) -> dict[str, list[str]]:
    """Map every name a condition or crosswalk may use (unit, item id, data column) to its status units."""
    mapping: dict[str, list[str]] = {}
    for unit in units:
        for name in (unit.name, unit.item, *unit.columns):
            targets = mapping.setdefault(name, [])
            if unit.name not in targets:
                targets.append(unit.name)
    return mapping


def _present_columns(canonical: pd.DataFrame, unit: StatusUnit) -> list[str]:
    return [column for column in unit.columns if column in canonical.columns]


def in_instrument(canonical: pd.DataFrame, unit: StatusUnit) -> bool:
    if unit.kind == "open":
        return f"{unit.name}{FILLED_SUFFIX}" in canonical.columns or bool(_present_columns(canonical, unit))
    return bool(_present_columns(canonical, unit))


def with_all_columns(canonical: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The canonical table plus an all-blank column for every codebook column it lacks (routing input)."""
    additions: dict[str, Any] = {}
    n_rows = len(canonical)
    for name, column in codebook.columns.items():
        if column.kind == "text":
            filled = f"{name}{FILLED_SUFFIX}"
            if filled not in canonical.columns:
                additions[filled] = pd.arrays.BooleanArray(np.zeros(n_rows, dtype=bool), np.zeros(n_rows, dtype=bool))
        elif name not in canonical.columns:
            additions[name] = pd.arrays.IntegerArray(np.zeros(n_rows, dtype=np.int64), np.ones(n_rows, dtype=bool))
    for spec in codebook.respondent.values():
        if spec.role not in canonical.columns and spec.column not in canonical.columns:
            if spec.role in ("role_group", "completed"):
                additions[spec.role] = pd.arrays.IntegerArray(np.zeros(n_rows, dtype=np.int64), np.ones(n_rows, dtype=bool))
            else:
                additions[spec.role] = pd.array(np.full(n_rows, pd.NA, dtype=object), dtype="object")
    if not additions:
        return canonical
    extra = pd.DataFrame(additions, index=canonical.index)
    return pd.concat([canonical, extra], axis=1)


def _codes(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Codes as float64 (NaN = blank), so comparisons never meet pd.NA."""
    values = frame[column]
    if isinstance(values.array, pd.arrays.IntegerArray | pd.arrays.FloatingArray):
        return values.array.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()


# ---------------------------------------------------------------------------------------------------
# statuses as small integer codes (one byte per row and unit); strings are built once, at the end

#: status code -> status; ``EMPTY`` ('' = no status from the value) is code 0
_EMPTY = ""
_BASE_VOCABULARY: tuple[str, ...] = (_EMPTY, *STATUSES)
_LARGE_STRING = pa.large_string()


class StatusCodes:
    """Vocabulary of status strings <-> int8 codes (grows if a codebook ever names another status)."""

    def __init__(self) -> None:
        self.names: list[str] = list(_BASE_VOCABULARY)
        self._code = {name: code for code, name in enumerate(self.names)}

    def code(self, name: str) -> int:
        if name not in self._code:
            self._code[name] = len(self.names)
            self.names.append(name)
        return self._code[name]

    def codes_of(self, names: Sequence[str]) -> np.ndarray:
        return np.array([self.code(name) for name in names], dtype=np.int16)

    def full(self, n_rows: int, name: str) -> np.ndarray:
        return np.full(n_rows, self.code(name), dtype=np.int16)

    def strings(self, codes: np.ndarray) -> pd.arrays.ArrowStringArray:
        return strings_from_codes(codes, self.names)

    def objects(self, codes: np.ndarray) -> np.ndarray:
        return np.array(self.names, dtype=object)[codes]

    def encode(self, values: np.ndarray) -> np.ndarray:
        """Codes of an object array of status strings."""
        uniques, inverse = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
        return self.codes_of([str(value) for value in uniques])[inverse.reshape(-1)]


def strings_from_codes(codes: np.ndarray, vocabulary: Sequence[str | None]) -> pd.arrays.ArrowStringArray:
    """A ``string`` array (what ``pd.array(values, dtype="string")`` gives) of ``vocabulary[code]``.

    A negative code or a ``None`` entry gives NA. Vectorised: one pyarrow ``take`` instead of building
    a Python string object per row.
    """
    codes = np.asarray(codes)
    dictionary = pa.array(list(vocabulary), type=_LARGE_STRING)
    indices = pa.array(codes.astype(np.int32, copy=False), mask=codes < 0) if len(codes) else pa.array([], type=pa.int32())
    return pd.arrays.ArrowStringArray(pa.chunked_array([pc.take(dictionary, indices)], type=_LARGE_STRING))


def _value_status(frame: pd.DataFrame, unit: StatusUnit, vocabulary: StatusCodes) -> tuple[np.ndarray, np.ndarray]:
    """(answer exists, status code from the value, EMPTY where blank) for one unit."""
    n_rows = len(frame)
    status = vocabulary.full(n_rows, _EMPTY)
    answered = vocabulary.code(ANSWERED)
    if unit.kind == "column":
        values = _codes(frame, unit.name)
        exists = ~np.isnan(values)
        status[exists] = answered
        for code, missing_status in unit.missing.items():
            status[values == code] = vocabulary.code(missing_status)
        return exists, status
    if unit.kind == "multi":
        columns = _present_columns(frame, unit)
        ticked = {column: _codes(frame, column) == 1 for column in columns}
        code_of = dict(zip(unit.columns, unit.option_codes, strict=True))
        substantive = np.zeros(n_rows, dtype=bool)
        missing_ticked: dict[str, np.ndarray] = {}
        for column, mask in ticked.items():
            code = code_of[column]
            if code in unit.missing:
                missing_status = unit.missing[code]
                missing_ticked[missing_status] = missing_ticked.get(missing_status, np.zeros(n_rows, dtype=bool)) | mask
            else:
                substantive |= mask
        exists = np.logical_or.reduce(list(ticked.values())) if ticked else np.zeros(n_rows, dtype=bool)
        for missing_status in (DONT_KNOW, REFUSED):  # refused wins over dont_know if both were ticked
            if missing_status in missing_ticked:
                status[missing_ticked[missing_status]] = vocabulary.code(missing_status)
        status[substantive] = answered
        return exists, status
    # open text
    filled_column = f"{unit.name}{FILLED_SUFFIX}"
    filled = frame[filled_column].fillna(False).to_numpy(dtype=bool) if filled_column in frame.columns else np.zeros(n_rows, dtype=bool)
    exists = filled.copy()
    for column in _present_columns(frame, unit):
        values = _codes(frame, column)
        for code, missing_status in unit.missing.items():
            hit = (values == code) & ~filled
            status[hit] = vocabulary.code(missing_status)
            exists |= values == code
    status[filled] = answered
    return exists, status


@dataclass
class StatusResult:
    """Statuses of a canonical table as codes (see `StatusCodes`), plus the routing_violation strings."""

    codes: dict[str, np.ndarray]  # unit name -> int16 status codes
    vocabulary: StatusCodes
    violation: pd.arrays.ArrowStringArray

    def frame(self, index: pd.Index) -> pd.DataFrame:
        result = pd.DataFrame(
            {status_column(name): self.vocabulary.strings(codes) for name, codes in self.codes.items()}, index=index
        )
        result[ROUTING_VIOLATION] = pd.Series(self.violation, index=index)
        return result


def compute_statuses(canonical: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Status columns (``<unit>__status``, codebook order) and ``routing_violation`` for every row.

    The result has the index of `canonical`; string dtype throughout.
    """
    return compute_status_codes(canonical, codebook).frame(canonical.index)


def compute_status_codes(canonical: pd.DataFrame, codebook: Codebook) -> StatusResult:
    """`compute_statuses` as integer codes (what harmonisation works on); strings only on request."""
    units = status_units(codebook)
    vocabulary = StatusCodes()
    work = with_all_columns(canonical, codebook)
    n_rows = len(work)
    reference = units_by_reference(units)
    position_of_unit = {unit.name: unit.position for unit in units}
    status_read = {name for item in codebook.items.values() for name in _status_tests(item.asked_if)}
    if status_read:
        work = work.copy(deep=False)  # never write into the caller's table

    exists: dict[str, np.ndarray] = {}
    value_status: dict[str, np.ndarray] = {}
    present: dict[str, bool] = {}
    for unit in units:
        present[unit.name] = in_instrument(canonical, unit)
        if present[unit.name]:
            exists[unit.name], value_status[unit.name] = _value_status(work, unit, vocabulary)
        else:
            exists[unit.name] = np.zeros(n_rows, dtype=bool)
            value_status[unit.name] = vocabulary.full(n_rows, _EMPTY)

    last_position = np.full(n_rows, -1, dtype=np.int64)
    for unit in units:
        last_position = np.where(exists[unit.name], np.maximum(last_position, unit.position), last_position)
    if "completed" in work.columns:
        broke_off = (pd.to_numeric(work["completed"], errors="coerce") == 0).fillna(False).to_numpy(dtype=bool)
    else:
        broke_off = np.zeros(n_rows, dtype=bool)

    item_nonresponse, not_asked = vocabulary.code(ITEM_NONRESPONSE), vocabulary.code(NOT_ASKED)
    statuses: dict[str, np.ndarray] = {}
    violations: list[tuple[str, np.ndarray]] = []
    asked_cache: dict[str, np.ndarray] = {}
    for unit in units:
        item = codebook.items[unit.item]
        if unit.item not in asked_cache:
            asked_cache[unit.item] = evaluate(item.asked_if, work)
        asked = asked_cache[unit.item]
        if present[unit.name]:
            gates = [target for name in referenced_columns(item.asked_if) for target in reference.get(name, [])]
            after_break = broke_off & (unit.position > last_position)
            gate_unreached = np.zeros(n_rows, dtype=bool)
            for gate in gates:
                gate_unreached |= position_of_unit[gate] > last_position
            blank = ~exists[unit.name]
            status = np.where(
                ~blank,
                value_status[unit.name],
                np.where(asked | (after_break & gate_unreached), item_nonresponse, not_asked),
            ).astype(np.int16)
            skipped_but_answered = exists[unit.name] & ~asked
            gate_answered = np.logical_or.reduce([exists[gate] for gate in gates]) if gates else np.zeros(n_rows, dtype=bool)
            required_blank = blank & asked & gate_answered & ~after_break if unit.required else np.zeros(n_rows, dtype=bool)
            violations.append((unit.name, skipped_but_answered | required_blank))
        else:
            status = vocabulary.full(n_rows, NOT_IN_INSTRUMENT)
        statuses[unit.name] = status
        if unit.name in status_read:  # routing may test the status of an earlier item ({col: X, status: [...]})
            work[status_column(unit.name)] = vocabulary.strings(status)

    return StatusResult(statuses, vocabulary, _violation_strings(violations, n_rows))


def _violation_strings(violations: list[tuple[str, np.ndarray]], n_rows: int) -> pd.arrays.ArrowStringArray:
    """Comma-separated names of the violated units per row ('' for none), codebook order.

    Built per distinct combination of violated units (few), not per row.
    """
    if not violations:
        return strings_from_codes(np.zeros(n_rows, dtype=np.int32), [""])
    matrix = np.column_stack([mask for _, mask in violations])
    rows = np.flatnonzero(matrix.any(axis=1))
    codes = np.zeros(n_rows, dtype=np.int32)
    vocabulary = [""]
    if rows.size:
        packed = np.packbits(matrix[rows], axis=1)
        uniques, inverse = np.unique(packed, axis=0, return_inverse=True)
        unpacked = np.unpackbits(uniques, axis=1, count=len(violations)).astype(bool)
        for combination in unpacked:
            text = "".join(f"{name}," for (name, _), hit in zip(violations, combination) if hit)
            vocabulary.append(text.rstrip(","))
        codes[rows] = 1 + inverse.reshape(-1)
    return strings_from_codes(codes, vocabulary)


def _status_tests(condition: Any) -> set[str]:
    """Names whose status a condition tests."""
    if not isinstance(condition, Mapping):
        return set()
    for combinator in ("any", "all"):
        if combinator in condition:
            return set().union(*(_status_tests(part) for part in condition[combinator]))
    if "not" in condition:
        return _status_tests(condition["not"])
    if "status" in condition:
        return {condition["col"]} if "col" in condition else set(parse_range_shorthand(condition.get("cols") or []))
    return set()


def first_status(statuses: Sequence[np.ndarray], n_rows: int) -> np.ndarray:
    """Combine the statuses of several units into the one that explains a missing derived value.

    The first non-response (dont_know / refused / item_nonresponse) in the given order wins; else the
    first not_asked; else not_in_instrument if any unit is not in the instrument; else answered.
    """
    vocabulary = StatusCodes()
    codes = first_status_codes([vocabulary.encode(status) for status in statuses], n_rows, vocabulary)
    return vocabulary.objects(codes)


def first_status_codes(statuses: Sequence[np.ndarray], n_rows: int, vocabulary: StatusCodes) -> np.ndarray:
    """`first_status` on status codes of `vocabulary`."""
    result = vocabulary.full(n_rows, ANSWERED)
    decided = np.zeros(n_rows, dtype=bool)
    for wanted in (NONRESPONSE_STATUSES, (NOT_ASKED,), (NOT_IN_INSTRUMENT,)):
        lookup = np.zeros(len(vocabulary.names), dtype=bool)
        lookup[vocabulary.codes_of(wanted)] = True
        for status in statuses:
            hit = ~decided & lookup[status]
            result[hit] = status[hit]
            decided |= hit
    return result


def canonical_from_records(
    codebook: Codebook,
    records: Sequence[Mapping[str, Any]],
    *,
    wave: str | None = None,
    source_file: str = "<records>",
    omit_items: Sequence[str] = (),
) -> pd.DataFrame:
    """A canonical-shaped table (architecture.md) built from code records, for tests and examples.

    Each record maps codebook column names to codes (blank when left out); an open-text item is given
    as ``<item>__filled`` (or truthy under the item id); respondent roles (``respondent_id``,
    ``org_unit``, ``role_group``, ``weight``, ``completed``) may be given too. Items in `omit_items`
    are left out of the table altogether, as a wave that did not ask them.
    """
    omitted = {column for item in omit_items for column in (*codebook.items[item].columns, *codebook.items[item].text_columns)}
    n_rows = len(records)
    data: dict[str, Any] = {
        "wave": pd.array([wave or codebook.id] * n_rows, dtype="string"),
        "instrument": pd.array([codebook.id] * n_rows, dtype="string"),
        "source_file": pd.array([source_file] * n_rows, dtype="string"),
        "source_sha256": pd.array(["0" * 64] * n_rows, dtype="string"),
        "source_row": np.arange(1, n_rows + 1, dtype=np.int64),
        "respondent_id": pd.array([str(record.get("respondent_id", index + 1)) for index, record in enumerate(records)], dtype="string"),
        "org_unit": pd.array([record.get("org_unit") for record in records], dtype="string"),
        "role_group": pd.array([record.get("role_group") for record in records], dtype="Int64"),
        "weight": np.array([record.get("weight", np.nan) for record in records], dtype="float64"),
        "completed": pd.array([record.get("completed") for record in records], dtype="Int64"),
    }
    if "source_row" in (records[0] if records else {}):
        data["source_row"] = np.array([record["source_row"] for record in records], dtype=np.int64)
    for name, column in codebook.columns.items():
        if name in omitted:
            continue
        if column.kind == "text":
            filled = f"{name}{FILLED_SUFFIX}"
            data[filled] = pd.array([bool(record.get(filled, record.get(name, False))) for record in records], dtype="boolean")
        else:
            data[name] = pd.array([record.get(name) for record in records], dtype="Int64")
    return pd.DataFrame(data)
