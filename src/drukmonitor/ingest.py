"""Validation layer: one :class:`~drukmonitor.readers.RawExport` + its codebook -> canonical table + rejects.

The format layer (:mod:`drukmonitor.readers`) has turned the file into a frame of raw columns; this
module knows the instrument. It

1. matches raw columns to codebook columns (the wave's rename map first, then case-insensitive names;
   unrelated columns are ignored and listed),
2. checks the layout (required columns present, no codebook column twice),
3. decodes every coded cell to an integer code, from a code export or a label export (decided per
   column), and checks it against the codebook (``unknown_code`` / ``unknown_label``, file-level by
   default: classification.md section 1),
4. checks every row (``missing_id``, ``duplicate_id``, ``out_of_range``, ``not_a_number``,
   ``exclusive_option``, ``invalid_weight``) and turns problems into rows of the rejects table,
5. returns the canonical table (accepted rows only) with provenance, and a summary that reconciles
   ``rows_in == rows_accepted + rows_rejected``.

Everything is vectorised over columns (pandas / numpy); the only Python loops run over columns,
distinct values or rejected rows. Open text never leaves this module: the canonical table carries
``<column>__filled`` booleans only. See ``docs/ingest.md`` for the user-facing description of every
message and reject reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from drukmonitor.codebook import Codebook, Column, load_all_codebooks, load_codebook, normalise_label
from drukmonitor.errors import ConfigError, DrukmonitorError, FileUnusableError
from drukmonitor.io import write_csv, write_json, write_parquet
from drukmonitor.readers import STRING_DTYPE, RawExport, parse_number, read_raw_export
from drukmonitor.status import strings_from_codes

__all__ = [
    "IngestResult",
    "ingest_export",
    "ingest_file",
    "write_ingest_outputs",
    "REJECT_REASONS",
    "REJECT_COLUMNS",
    "ON_UNKNOWN_CODE",
]

#: Every reason a row can be rejected for, in reporting order.
REJECT_REASONS: tuple[str, ...] = (
    "missing_id",
    "duplicate_id",
    "unknown_code",
    "unknown_label",
    "out_of_range",
    "not_a_number",
    "exclusive_option",
    "invalid_weight",
)
UNKNOWN_REASONS = ("unknown_code", "unknown_label")
REJECT_COLUMNS: tuple[str, ...] = (
    "wave",
    "source_file",
    "source_row",
    "respondent_id",
    "column",
    "value",
    "reason",
    "message",
)
ON_UNKNOWN_CODE = ("fail", "reject")
PROVENANCE = ("wave", "instrument", "source_file", "source_sha256", "source_row")
RESPONDENT_ORDER = ("respondent_id", "org_unit", "role_group", "weight", "completed")
FILLED_SUFFIX = "__filled"

#: How many unmapped values a FileUnusableError lists (the total is always given).
MAX_LISTED = 10
#: How many other source rows a duplicate_id message names.
MAX_OTHER_ROWS = 10
#: Values longer than this are cut in messages and in the rejects table (a code column holding pasted
#: free text must not carry that text into processed data in full).
MAX_VALUE_CHARS = 80
#: How many rejects ``validation_report()`` / ``readable_report()`` list.
REPORT_REJECTS = 1000
READABLE_REJECTS = 50

_MAX_EXACT = 2.0**53
_SPSS_FORMATS = {"sav", "zsav", "por"}


# --------------------------------------------------------------------------------------------------
# result


@dataclass(frozen=True, eq=False)
class IngestResult:
    """Canonical table, rejects table and summary of one ingested export.

    ``eq=False``: DataFrames have no single truth value, so instances compare by identity.
    """

    canonical: pd.DataFrame
    rejects: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def validation_report(self) -> dict[str, Any]:
        """JSON-ready, deterministic report: the summary plus the first rejects."""
        rejects = self.rejects.head(REPORT_REJECTS)
        listed = []
        for record in rejects.to_dict(orient="records"):
            listed.append({key: _json_value(value) for key, value in record.items()})
        rejected = int(self.summary["rows_rejected"])
        return {
            "status": "rows_rejected" if rejected else "clean",
            "exit_code": 1 if rejected else 0,
            "summary": _json_ready(self.summary),
            "rejects": listed,
            "rejects_total": int(len(self.rejects)),
            "rejects_listed": int(len(listed)),
        }

    def readable_report(self) -> str:
        """Human-readable English report; values are quoted as found in the file."""
        s = self.summary
        lines = [f"drukmonitor validation report for {s['file']}"]
        fmt = s["file_format"]
        details = [fmt]
        if s.get("encoding"):
            details.append(f"encoding {s['encoding']}")
        if s.get("delimiter"):
            details.append(f"delimiter {_delimiter_name(s['delimiter'])}")
        if s.get("sheet") is not None:
            details.append(f"sheet {s['sheet']!r}")
        lines.append(f"  format:      {', '.join(details)}; sha256 {s['sha256']}")
        codebook = s["codebook"]
        lines.append(f"  instrument:  {codebook['id']} (codebook version {codebook['version']}); wave {s['wave']}")
        lines.append(f"  export kind: {s['export_kind']} (coded columns hold {_kind_words(s['export_kind'])})")
        lines.append(
            f"  rows:        {s['rows_in']} in, {s['rows_accepted']} accepted, {s['rows_rejected']} rejected"
        )
        if s["columns_renamed"]:
            renamed = ", ".join(f"{raw!r} -> {target}" for raw, target in s["columns_renamed"].items())
            lines.append(f"  renamed:     {renamed}")
        if s["columns_ignored"]:
            lines.append(f"  ignored:     {_listing(s['columns_ignored'], 30)} (not in the codebook)")
        if s["optional_columns_absent"]:
            lines.append(f"  absent:      {_listing(s['optional_columns_absent'], 30)} (optional, not in this export)")
        if s["warnings"]:
            lines.append("  warnings:")
            lines.extend(f"    - {warning}" for warning in s["warnings"])
        if s["rows_rejected"]:
            lines.append("  rejects by reason (problems / rows):")
            for reason in REJECT_REASONS:
                count = s["rejects_by_reason"].get(reason, 0)
                if count:
                    lines.append(f"    {reason}: {count} / {s['rows_rejected_by_reason'][reason]}")
            shown = self.rejects.head(READABLE_REJECTS)
            lines.append(f"  rejects ({len(shown)} of {len(self.rejects)} listed):")
            lines.extend(f"    - [{reason}] {message}" for reason, message in zip(shown["reason"], shown["message"]))
            lines.append(f"  result: {s['rows_rejected']} row(s) rejected (exit code 1)")
        else:
            lines.append("  result: every row accepted (exit code 0)")
        return "\n".join(lines) + "\n"


def _kind_words(kind: str) -> str:
    return {
        "codes": "numeric codes",
        "labels": "option labels",
        "mixed": "codes in some columns, labels in others",
        "empty": "no values",
    }.get(kind, kind)


def _delimiter_name(delimiter: str) -> str:
    return {",": "','", ";": "';'", "\t": "TAB", "|": "'|'"}.get(delimiter, repr(delimiter))


def _listing(names: list[str], limit: int) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", ... ({len(names) - limit} more)"


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    return _json_value(value)


# --------------------------------------------------------------------------------------------------
# entry points


def ingest_file(
    path: str | Path,
    instrument: str,
    *,
    wave_id: str | None = None,
    sheet: str | int | None = 0,
    column_map: dict[str, str] | None = None,
    codebook_dir: str | Path | None = None,
    source_name: str | None = None,
    on_unknown_code: str = "fail",
) -> IngestResult:
    """Read one raw export and ingest it with the codebook of ``instrument``.

    ``wave_id`` defaults to the file name without extension; ``source_name`` (what provenance and
    messages call the file) defaults to the path as given.
    """
    _check_on_unknown(on_unknown_code)
    codebook = load_codebook(instrument, codebook_dir)
    raw = read_raw_export(path, sheet=sheet)
    return ingest_export(
        raw,
        codebook,
        wave_id=wave_id if wave_id is not None else Path(path).stem,
        column_map=column_map,
        source_name=source_name if source_name is not None else str(path),
        on_unknown_code=on_unknown_code,
    )


def write_ingest_outputs(
    result: IngestResult,
    *,
    canonical: str | Path,
    rejects: str | Path,
    rejects_csv: str | Path,
    summary: str | Path,
) -> None:
    """Write the four ingest outputs atomically and deterministically (see docs/architecture.md)."""
    write_parquet(result.canonical, canonical)
    write_parquet(result.rejects, rejects)
    write_csv(result.rejects, rejects_csv)
    write_json(_json_ready(result.summary), summary)


def _check_on_unknown(on_unknown_code: str) -> None:
    if on_unknown_code not in ON_UNKNOWN_CODE:
        raise ConfigError(
            f"on_unknown_code must be one of {', '.join(repr(v) for v in ON_UNKNOWN_CODE)}, got {on_unknown_code!r}"
        )


# --------------------------------------------------------------------------------------------------
# column matching


@dataclass
class _Layout:
    matched: dict[str, str]  # codebook column -> raw column
    renamed: dict[str, str]  # raw column -> codebook column (rename map entries that were used)
    ignored: list[str]  # raw columns not in the codebook
    warnings: list[str]


def _match_columns(
    raw_columns: list[str], codebook: Codebook, column_map: dict[str, str] | None, file: str
) -> _Layout:
    known = codebook.known_columns
    by_fold: dict[str, str] = {}
    for name in known:
        by_fold.setdefault(name.strip().casefold(), name)
    warnings: list[str] = []

    rename: dict[str, tuple[str, str]] = {}  # folded raw name -> (raw key as configured, codebook column)
    for key, target in (column_map or {}).items():
        key_s, target_s = str(key).strip(), str(target).strip()
        resolved = by_fold.get(target_s.casefold())
        if resolved is None:
            raise ConfigError(
                f"rename map entry {key_s!r} -> {target_s!r}: {target_s!r} is not a column of codebook "
                f"{codebook.id!r} (columns: {', '.join(known)})"
            )
        folded = key_s.casefold()
        if folded in rename and rename[folded][1] != resolved:
            raise ConfigError(f"rename map: raw column {key_s!r} is mapped twice (names match case-insensitively)")
        rename[folded] = (key_s, resolved)

    matched: dict[str, str] = {}
    renamed: dict[str, str] = {}
    ignored: list[str] = []
    used_keys: set[str] = set()
    for raw_name in raw_columns:
        folded = str(raw_name).strip().casefold()
        if folded in rename:
            target = rename[folded][1]
            used_keys.add(folded)
            renamed[raw_name] = target
        else:
            target = by_fold.get(folded)
        if target is None:
            ignored.append(raw_name)
            continue
        if target in matched:
            raise FileUnusableError(
                f"raw columns {matched[target]!r} and {raw_name!r} both map to codebook column {target} "
                "(names match case-insensitively, after the wave's rename map); remove or rename one of them",
                file=file,
                column=target,
            )
        matched[target] = raw_name
    for folded, (key, target) in sorted(rename.items()):
        if folded not in used_keys:
            warnings.append(f"rename map entry {key!r} -> {target!r}: the file has no column {key!r}")
    return _Layout(matched, renamed, ignored, warnings)


def _check_required(raw_columns: list[str], layout: _Layout, codebook: Codebook, file: str) -> None:
    missing = [name for name in codebook.required_columns if name not in layout.matched]
    if not missing:
        return
    message = (
        f"missing required column(s) for instrument {codebook.id!r}: {', '.join(missing)} "
        "(names match case-insensitively; use the wave's 'columns:' rename map for other names)"
    )
    hint = _other_layout(raw_columns, codebook)
    if hint:
        message += f"; the file looks like the layout of instrument {hint!r}"
    shown = _listing([str(name) for name in raw_columns], 20)
    message += f". Columns found: {shown}"
    raise FileUnusableError(message, file=file)


def _other_layout(raw_columns: list[str], codebook: Codebook) -> str | None:
    """The id of another codebook (same directory) whose required columns are all in the file."""
    folded = {str(name).strip().casefold() for name in raw_columns}
    try:
        others = load_all_codebooks(codebook.path.parent)
    except (DrukmonitorError, OSError):  # a broken neighbour must not hide the real message
        return None
    candidates = []
    for other_id, other in sorted(others.items()):
        if other_id == codebook.id:
            continue
        required = [name.casefold() for name in other.required_columns]
        if required and all(name in folded for name in required):
            known = sum(name.casefold() in folded for name in other.known_columns)
            candidates.append((-known, other_id))
    return min(candidates)[1] if candidates else None


# --------------------------------------------------------------------------------------------------
# problems


class _Problems:
    """Collects row-level problems as small frames (positions, column, value, reason, text)."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        mask: np.ndarray,
        *,
        column: str,
        display: str,
        values: pd.Series,
        reason: str,
        text: str | pd.Series | np.ndarray,
        order: int,
    ) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        if isinstance(text, str):
            texts = pd.array([text] * len(positions), dtype=STRING_DTYPE)
        else:
            texts = pd.array(np.asarray(text, dtype=object)[positions], dtype=STRING_DTYPE)
        self.parts.append(
            pd.DataFrame(
                {
                    "pos": positions.astype("int64"),
                    "order": np.full(len(positions), order, dtype="int64"),
                    "column": pd.array([column] * len(positions), dtype=STRING_DTYPE),
                    "display": pd.array([display] * len(positions), dtype=STRING_DTYPE),
                    "value": _value_text(values.iloc[positions]).array,
                    "reason": pd.array([reason] * len(positions), dtype=STRING_DTYPE),
                    "text": texts,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(
                {
                    "pos": pd.Series([], dtype="int64"),
                    "order": pd.Series([], dtype="int64"),
                    **{name: pd.Series([], dtype=STRING_DTYPE) for name in ("column", "display", "value", "reason", "text")},
                }
            )
        frame = pd.concat(self.parts, ignore_index=True)
        reason_rank = frame["reason"].map({reason: i for i, reason in enumerate(REJECT_REASONS)}).astype("int64")
        frame = frame.assign(rank=reason_rank).sort_values(["pos", "order", "rank"], kind="stable")
        return frame.drop(columns="rank").reset_index(drop=True)


def _value_text(values: pd.Series) -> pd.Series:
    """Cells as the text found in the file (numbers without a spurious '.0'), cut to MAX_VALUE_CHARS."""
    values = values.reset_index(drop=True)
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype):
        text = values.astype(STRING_DTYPE)
    elif pd.api.types.is_float_dtype(dtype):
        floats = values.astype("Float64")
        text = pd.Series(
            [None if pd.isna(v) else (str(int(v)) if float(v).is_integer() and abs(v) < _MAX_EXACT else repr(float(v))) for v in floats],
            dtype=STRING_DTYPE,
        )
    else:
        text = values.astype("object").map(lambda v: None if _is_na(v) else str(v)).astype(STRING_DTYPE)
    long = text.str.len().fillna(0).to_numpy() > MAX_VALUE_CHARS
    if long.any():
        cut = text.str.slice(0, MAX_VALUE_CHARS) + "…"
        text = text.where(~long, cut)
    return text


def _is_na(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _quoted(values: pd.Series) -> pd.Series:
    """repr() of each distinct value (Python quoting, like DrukmonitorError)."""
    present = values.dropna()
    mapping = {value: repr(str(value)) for value in pd.unique(present)}
    return values.map(mapping).astype(STRING_DTYPE)


# --------------------------------------------------------------------------------------------------
# decoding coded cells


@dataclass
class _Decoded:
    codes: np.ndarray  # float64, NaN = blank or undecodable
    mode: str  # "codes" | "labels" | "empty"
    mixed: bool = False  # the column holds both integer codes and labels


def _numeric_values(series: pd.Series) -> np.ndarray:
    return series.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def _is_whole(values: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (values == np.floor(values)) & (np.abs(values) < _MAX_EXACT)


def _text_series(series: pd.Series) -> pd.Series:
    """Any column as stripped text (NA = blank)."""
    if isinstance(series.dtype, pd.StringDtype):
        return series  # the readers' contract: text is already stripped and blank is NA
    try:
        text = series.astype(STRING_DTYPE)
    except (TypeError, ValueError):  # exotic object columns (e.g. time-of-day values)
        text = series.astype("object").map(lambda v: None if _is_na(v) else str(v)).astype(STRING_DTYPE)
    text = text.str.strip()
    return text.mask(text == "")


def _is_typed_number(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _decode_coded(
    series: pd.Series,
    valid: set[int],
    lookup: dict[str, int],
    problems: _Problems,
    *,
    column: str,
    display: str,
    order: int,
    describe: str,
    labels_text: str,
    user_missing: set[int],
) -> _Decoded:
    """Codes of one coded column (single / likert / respondent code / multi-select option)."""
    n = len(series)
    if _is_typed_number(series):
        values = _numeric_values(series)
        present = ~np.isnan(values)
        mode = "codes" if present.any() else "empty"
        whole = _is_whole(values)
        codes = np.where(whole, values, np.nan)
        _unknown_codes(codes, present, valid, series, problems, column, display, order, describe, user_missing, n)
        return _Decoded(np.where(np.isin(codes, list(valid)), codes, np.nan), mode)

    text = _text_series(series)
    present_mask = text.notna().to_numpy(dtype=bool)
    if not present_mask.any():
        return _Decoded(np.full(n, np.nan), "empty")
    position, unique_index = pd.factorize(text, use_na_sentinel=True)  # -1 = blank
    uniques = np.asarray(unique_index, dtype=object)
    uniq = pd.Series(uniques, dtype=STRING_DTYPE)
    numbers, _ = parse_number(uniq, decimal_comma_ok=False)
    unique_numbers = numbers.to_numpy(dtype="float64", na_value=np.nan)
    unique_whole = _is_whole(unique_numbers)
    unique_label = np.array([lookup.get(normalise_label(value), np.nan) for value in uniques], dtype="float64")
    cell_whole = np.zeros(n, dtype=bool)
    cell_number = np.full(n, np.nan)
    cell_label = np.full(n, np.nan)
    cell_whole[present_mask] = unique_whole[position[present_mask]]
    cell_number[present_mask] = unique_numbers[position[present_mask]]
    cell_label[present_mask] = unique_label[position[present_mask]]
    n_present = int(present_mask.sum())
    n_whole = int(cell_whole.sum())
    n_label = int((~np.isnan(cell_label)).sum())
    if n_whole == n_present:
        mode = "codes"
    elif n_label == n_present:
        mode = "labels"
    else:  # both kinds (or garbage): the interpretation that explains more cells wins, ties -> codes
        mode = "labels" if n_label > n_whole else "codes"
    mixed = 0 < n_whole < n_present and 0 < n_label < n_present
    if mode == "codes":
        codes = np.where(cell_whole, cell_number, np.nan)
        not_whole = present_mask & ~cell_whole
        if not_whole.any():
            hint = " (a code is a whole number" + ("; this column holds codes, not labels)" if n_whole else ")")
            problems.add(
                not_whole,
                column=column,
                display=display,
                values=series,
                reason="unknown_code",
                text=f"not a code of {describe}{hint}; valid codes: {_codes_text(valid)}",
                order=order,
            )
        _unknown_codes(codes, present_mask & cell_whole, valid, series, problems, column, display, order, describe, user_missing, n)
        return _Decoded(np.where(np.isin(codes, list(valid)), codes, np.nan), mode, mixed)
    unknown = present_mask & np.isnan(cell_label)
    if unknown.any():
        problems.add(
            unknown,
            column=column,
            display=display,
            values=series,
            reason="unknown_label",
            text=f"not a label of {describe} (the column holds labels; they must match exactly, ignoring only "
            f"case, spacing and Unicode form); labels: {labels_text}",
            order=order,
        )
    return _Decoded(cell_label, mode, mixed)


def _unknown_codes(
    codes: np.ndarray,
    candidates: np.ndarray,
    valid: set[int],
    series: pd.Series,
    problems: _Problems,
    column: str,
    display: str,
    order: int,
    describe: str,
    user_missing: set[int],
    n: int,
) -> None:
    present = ~np.isnan(_numeric_values(series)) if _is_typed_number(series) else candidates
    not_whole = present & np.isnan(codes)
    if not_whole.any():
        problems.add(
            not_whole,
            column=column,
            display=display,
            values=series,
            reason="unknown_code",
            text=f"not a code of {describe} (a code is a whole number); valid codes: {_codes_text(valid)}",
            order=order,
        )
    unmapped = candidates & ~np.isnan(codes) & ~np.isin(codes, list(valid))
    if unmapped.any():
        text = np.full(n, f"not a code of {describe}; valid codes: {_codes_text(valid)}", dtype=object)
        if user_missing:
            declared = unmapped & np.isin(codes, list(user_missing))
            text[declared] = (
                f"not a code of {describe} (declared user-missing in the file, but the codebook does not map it); "
                f"valid codes: {_codes_text(valid)}"
            )
        problems.add(unmapped, column=column, display=display, values=series, reason="unknown_code", text=text, order=order)


def _codes_text(codes: set[int] | list[int]) -> str:
    return ", ".join(str(code) for code in sorted(codes)) or "(none)"


def _labels_text(options: dict[int, str]) -> str:
    return "; ".join(f"{label!r}" for code, label in options.items() if label != "")


def _label_lookup(options: dict[int, str], where: str) -> dict[str, int]:
    lookup: dict[str, int] = {}
    for code, label in options.items():
        if label == "":
            continue
        key = normalise_label(label)
        if key in lookup and lookup[key] != code:
            raise ConfigError(f"{where}: codes {lookup[key]} and {code} have the same label {label!r}")
        lookup[key] = code
    return lookup


def _is_tick_column(column: Column) -> bool:
    """A single tick box (options only {1: label}, e.g. OD3_wiz 'Wil ik niet zeggen'): 0 = not ticked."""
    return column.kind == "code" and set(column.options) == {1}


# --------------------------------------------------------------------------------------------------
# the ingest


def ingest_export(
    raw: RawExport,
    codebook: Codebook,
    *,
    wave_id: str,
    column_map: dict[str, str] | None = None,
    source_name: str | None = None,
    on_unknown_code: str = "fail",
) -> IngestResult:
    """Validate one export against its codebook: canonical table (accepted rows), rejects, summary.

    Raises :class:`FileUnusableError` for file-level problems (missing required columns, two raw
    columns for one codebook column, zero data rows, and - unless ``on_unknown_code="reject"`` -
    any value the codebook does not map), :class:`ConfigError` for a bad rename map or setting.
    """
    _check_on_unknown(on_unknown_code)
    file = source_name if source_name is not None else str(raw.path)
    frame = raw.frame
    n = len(frame)
    raw_columns = [str(name) for name in frame.columns]
    if n == 0:
        raise FileUnusableError("the file has a header but no data rows", file=file)

    layout = _match_columns(raw_columns, codebook, column_map, file)
    _check_required(raw_columns, layout, codebook, file)
    warnings: list[str] = list(raw.warnings) + layout.warnings

    problems = _Problems()
    order_of = {name: i for i, name in enumerate(codebook.known_columns)}
    modes: dict[str, str] = {}
    mixed_columns: list[str] = []

    def display(name: str) -> str:
        raw_name = layout.matched[name]
        return raw_name if raw_name == name else f"{raw_name} (= {name})"

    def user_missing_of(name: str) -> set[int]:
        return set(raw.user_missing.get(layout.matched[name], set()))

    # ---- respondent columns ---------------------------------------------------------------------
    respondent = codebook.respondent
    id_name = respondent["respondent_id"].column
    ids = _respondent_ids(frame[layout.matched[id_name]])
    id_blank = ids.isna().to_numpy(dtype=bool)
    problems.add(
        id_blank,
        column=id_name,
        display=display(id_name),
        values=frame[layout.matched[id_name]],
        reason="missing_id",
        text="the respondent id is blank",
        order=order_of[id_name],
    )
    duplicated = ids.duplicated(keep=False).to_numpy(dtype=bool) & ~id_blank
    if duplicated.any():
        problems.add(
            duplicated,
            column=id_name,
            display=display(id_name),
            values=ids,
            reason="duplicate_id",
            text=_duplicate_texts(ids, duplicated),
            order=order_of[id_name],
        )

    columns_out: dict[str, Any] = {"respondent_id": ids.array}

    spec = respondent.get("org_unit")
    if spec is not None and spec.column in layout.matched:
        columns_out["org_unit"] = _org_units(frame[layout.matched[spec.column]], raw.value_labels.get(layout.matched[spec.column], {}))
    else:
        columns_out["org_unit"] = pd.array([pd.NA] * n, dtype=STRING_DTYPE)

    for role in ("role_group", "completed"):
        spec = respondent.get(role)
        if spec is None or spec.column not in layout.matched:
            columns_out[role] = pd.array([pd.NA] * n, dtype="Int64")
            continue
        options = dict(spec.options) or ({1: "", 0: ""} if role == "completed" else {})
        name = spec.column
        series = frame[layout.matched[name]]
        if options:
            decoded = _decode_coded(
                series,
                set(options),
                _label_lookup(options, f"{codebook.id} respondent column {name}"),
                problems,
                column=name,
                display=display(name),
                order=order_of[name],
                describe=f"{name} ({role})",
                labels_text=_labels_text(options),
                user_missing=user_missing_of(name),
            )
            codes = decoded.codes
        else:  # no options in the codebook: any whole number is a code
            decoded = _any_integer(series, problems, name, display(name), order_of[name], role)
            codes = decoded.codes
        modes[name] = decoded.mode
        if decoded.mixed:
            mixed_columns.append(name)
        columns_out[role] = _to_int64(codes)

    spec = respondent.get("weight")
    if spec is not None and spec.column in layout.matched:
        columns_out["weight"] = _weights(frame[layout.matched[spec.column]], problems, spec.column, display(spec.column), order_of[spec.column], warnings)
    else:
        columns_out["weight"] = pd.array([pd.NA] * n, dtype="Float64")

    # ---- item columns -------------------------------------------------------------------------------
    item_codes: dict[str, np.ndarray] = {}
    for name, column in codebook.columns.items():
        if name not in layout.matched:
            continue
        series = frame[layout.matched[name]]
        order = order_of[name]
        if column.kind == "text":
            text = _text_series(series)
            columns_out[f"{name}{FILLED_SUFFIX}"] = pd.array(text.notna().to_numpy(dtype=bool), dtype="boolean")
            continue
        if column.kind == "scale":
            item_codes[name] = _decode_scale(series, column, problems, display(name), order, user_missing_of(name))
            modes[name] = "codes" if series.notna().any() else "empty"
            continue
        if column.kind == "flag":
            options = {0: "", 1: column.options.get(1, "")}
            describe = f"{name} (option {column.option_code} of item {column.item}: 1 = ticked, 0 = not ticked)"
        elif _is_tick_column(column):
            options = {0: "", 1: column.options[1]}
            describe = f"{name} (tick box {column.options[1]!r}: 1 = ticked, 0 = not ticked)"
        else:
            options = dict(column.options)
            describe = name
        decoded = _decode_coded(
            series,
            set(options),
            _label_lookup(options, f"{codebook.id} column {name}"),
            problems,
            column=name,
            display=display(name),
            order=order,
            describe=describe,
            labels_text=_labels_text(options),
            user_missing=user_missing_of(name),
        )
        modes[name] = decoded.mode
        if decoded.mixed:
            mixed_columns.append(name)
        item_codes[name] = decoded.codes

    # ---- multi-select items: label exports, exclusive options, partial items ------------------------
    for item in codebook.items.values():
        if item.type != "multi":
            continue
        present = [name for name in item.columns if name in item_codes]
        if not present:
            continue
        absent = [name for name in item.columns if name not in item_codes]
        if absent:
            warnings.append(
                f"item {item.id}: option column(s) {', '.join(absent)} absent while {', '.join(present)} are present"
            )
        ticked = {name: item_codes[name] == 1 for name in present}
        any_ticked = np.logical_or.reduce(list(ticked.values()))
        if any(modes.get(name) == "labels" for name in present):
            # label export: the label when ticked, empty otherwise -> 0 for the empty options of a row
            # that ticked at least one option of the item; a row with none ticked keeps NA everywhere
            for name in present:
                if modes.get(name) in ("labels", "empty"):
                    blank_cells = _text_series(frame[layout.matched[name]]).isna().to_numpy(dtype=bool)
                    item_codes[name] = np.where(blank_cells & any_ticked, 0.0, item_codes[name])
        for code in item.exclusive:
            exclusive_name = next(
                (name for name in present if codebook.columns[name].option_code == code), None
            )
            if exclusive_name is None:
                continue
            others = [name for name in present if name != exclusive_name]
            if not others:
                continue
            other_any = np.logical_or.reduce([ticked[name] for name in others])
            clash = ticked[exclusive_name] & other_any
            if not clash.any():
                continue
            listing = np.full(n, "", dtype=object)
            for name in others:
                listing = listing + np.where(ticked[name], name + ", ", "")
            label = codebook.columns[exclusive_name].options.get(1, "")
            texts = np.array(
                [f"option {code} {label!r} of item {item.id} excludes every other option, but the row also ticks "]
                * n,
                dtype=object,
            ) + pd.Series(listing).str.rstrip(", ").to_numpy(dtype=object)
            problems.add(
                clash,
                column=exclusive_name,
                display=display(exclusive_name),
                values=frame[layout.matched[exclusive_name]],
                reason="exclusive_option",
                text=texts,
                order=order_of[exclusive_name],
            )

    for name, codes in item_codes.items():
        columns_out[name] = _to_int64(codes)

    # ---- warnings about the file's own metadata ----------------------------------------------------
    warnings.extend(_value_label_warnings(raw, codebook, layout))
    warnings.extend(_user_missing_warnings(raw, codebook, layout))
    if mixed_columns:
        warnings.append(
            "column(s) holding both codes and labels (decided per column by the majority; the rest is reported): "
            + ", ".join(mixed_columns)
        )

    # ---- unmapped values: file-level unless on_unknown_code="reject" -------------------------------
    found = problems.frame()
    unknown_mask = found["reason"].isin(UNKNOWN_REASONS).to_numpy(dtype=bool)
    if on_unknown_code == "fail" and unknown_mask.any():
        raise _unmapped_error(found[unknown_mask], file, codebook)

    # ---- rejects and canonical ----------------------------------------------------------------------
    rejects = _rejects_table(found, ids, wave_id, file)
    rejected_positions = np.unique(found["pos"].to_numpy(dtype="int64"))
    accepted = np.ones(n, dtype=bool)
    accepted[rejected_positions] = False

    keep = np.flatnonzero(accepted)
    m = len(keep)
    provenance = {
        "wave": strings_from_codes(np.zeros(m, dtype=np.int8), [wave_id]),
        "instrument": strings_from_codes(np.zeros(m, dtype=np.int8), [codebook.id]),
        "source_file": strings_from_codes(np.zeros(m, dtype=np.int8), [file]),
        "source_sha256": strings_from_codes(np.zeros(m, dtype=np.int8), [raw.sha256]),
        "source_row": keep + 1,
    }
    ordered: dict[str, Any] = dict(provenance)
    # only the accepted rows are copied, and only when some were rejected
    take = (lambda a: a) if m == n else (lambda a: a.take(keep))
    for role in RESPONDENT_ORDER:
        ordered[role] = take(columns_out[role])
    for name, column in codebook.columns.items():
        key = f"{name}{FILLED_SUFFIX}" if column.kind == "text" else name
        if key in columns_out:
            ordered[key] = take(columns_out[key])
    canonical = pd.DataFrame(ordered, copy=False)

    rows_rejected = int(len(rejected_positions))
    rows_accepted = int(len(canonical))
    if rows_accepted + rows_rejected != n:  # cannot happen: every row is either accepted or rejected
        raise AssertionError(f"{file}: reconciliation failed: {n} rows in, {rows_accepted} accepted, {rows_rejected} rejected")

    absent = [name for name in codebook.known_columns if name not in layout.matched]
    weighted = bool(pd.Series(columns_out["weight"]).notna().any())
    export_modes = {mode for name, mode in modes.items() if mode != "empty"}
    export_kind = "mixed" if len(export_modes) > 1 else (export_modes.pop() if export_modes else "empty")
    rejects_by_reason = {reason: int((rejects["reason"] == reason).sum()) for reason in REJECT_REASONS}
    rows_by_reason = {
        reason: int(rejects.loc[rejects["reason"] == reason, "source_row"].nunique()) for reason in REJECT_REASONS
    }
    summary: dict[str, Any] = {
        "wave": wave_id,
        "instrument": codebook.id,
        "file": file,
        "sha256": raw.sha256,
        "file_format": raw.file_format,
        "encoding": raw.encoding,
        "delimiter": raw.delimiter,
        "sheet": raw.sheet,
        "rows_in": int(n),
        "rows_accepted": rows_accepted,
        "rows_rejected": rows_rejected,
        "rejects_by_reason": rejects_by_reason,
        "rows_rejected_by_reason": rows_by_reason,
        "export_kind": export_kind,
        "column_modes": {name: modes[name] for name in codebook.known_columns if name in modes},
        "columns_matched": {name: layout.matched[name] for name in codebook.known_columns if name in layout.matched},
        "columns_renamed": dict(layout.renamed),
        "columns_ignored": list(layout.ignored),
        "optional_columns_absent": absent,
        "weighted": weighted,
        "user_missing_declared": {
            name: sorted(int(code) for code in raw.user_missing[layout.matched[name]])
            for name in codebook.known_columns
            if name in layout.matched and layout.matched[name] in raw.user_missing
        },
        "on_unknown_code": on_unknown_code,
        "warnings": warnings,
        "codebook": {"id": codebook.id, "version": codebook.version, "sha256": codebook.sha256},
        "canonical_columns": list(canonical.columns),
    }
    return IngestResult(canonical=canonical, rejects=rejects, summary=summary)


# --------------------------------------------------------------------------------------------------
# helpers for single columns


def _respondent_ids(series: pd.Series) -> pd.Series:
    """Ids as stripped strings; integer-like numbers (12.0, '12.0') become '12'."""
    if _is_typed_number(series):
        values = _numeric_values(series)
        whole = _is_whole(values)
        texts = np.full(len(values), None, dtype=object)
        if whole.any():
            texts[whole] = values[whole].astype("int64").astype(str)
        other = ~whole & ~np.isnan(values)
        if other.any():
            texts[other] = [repr(float(v)) for v in values[other]]
        return pd.Series(texts, dtype=STRING_DTYPE)
    text = _text_series(series).reset_index(drop=True)
    return text.str.replace(r"^([+-]?[0-9]+)\.0+$", r"\1", regex=True)


def _duplicate_texts(ids: pd.Series, duplicated: np.ndarray) -> np.ndarray:
    """Per duplicated row: how often its id occurs and which other source rows carry it (vectorised)."""
    n = len(ids)
    texts = np.full(n, "", dtype=object)
    positions = np.flatnonzero(duplicated)
    if not len(positions):
        return texts
    group, uniques = pd.factorize(ids.iloc[positions], use_na_sentinel=True)
    order = np.argsort(group, kind="stable")  # positions ascend, so rows stay in file order per group
    sorted_rows = positions[order] + 1
    sizes = np.bincount(group)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rank = np.empty(len(positions), dtype="int64")
    rank[order] = np.arange(len(positions)) - starts[group[order]]
    size, start = sizes[group], starts[group]
    listing = np.full(len(positions), "", dtype=object)
    included = np.zeros(len(positions), dtype="int64")
    # only the first MAX_OTHER_ROWS + 1 rows of a group are ever named: stringify just those
    named = np.flatnonzero(np.arange(len(positions)) - starts[group[order]] <= MAX_OTHER_ROWS)
    sorted_text = np.full(len(positions), "", dtype=object)
    sorted_text[named] = sorted_rows[named].astype(str)
    for j in range(MAX_OTHER_ROWS + 1):
        take = (j < size) & (j != rank) & (included < MAX_OTHER_ROWS)
        if not take.any():
            continue
        row_text = sorted_text[np.minimum(start + j, len(positions) - 1)]
        listing = listing + np.where(take & (included > 0), ", ", "") + np.where(take, row_text, "")
        included += take
    more = size - 1 - included
    more_text = np.where(more > 0, " and " + more.astype(str).astype(object) + " more", "")
    quoted = np.array([repr(str(value)) for value in uniques], dtype=object)[group]
    texts[positions] = (
        "respondent id " + quoted + " occurs " + size.astype(str).astype(object)
        + " times; also in source row(s) " + listing + more_text + " (every row with this id is rejected)"
    )
    return texts


def _org_units(series: pd.Series, labels: dict[int, str]) -> pd.api.extensions.ExtensionArray:
    if _is_typed_number(series):
        values = _numeric_values(series)
        # numeric unit codes: the SPSS value label where there is one, else the number
        mapping = {
            value: (labels.get(int(value), str(int(value))) if _is_whole(np.array([value]))[0] else repr(float(value)))
            for value in np.unique(values[~np.isnan(values)])
        }
        return pd.array(pd.Series(values).map(mapping).to_numpy(dtype=object, na_value=None), dtype=STRING_DTYPE)
    return _text_series(series).reset_index(drop=True).array


def _any_integer(series: pd.Series, problems: _Problems, name: str, display: str, order: int, role: str) -> _Decoded:
    if _is_typed_number(series):
        values = _numeric_values(series)
    else:
        values = parse_number(_text_series(series), decimal_comma_ok=False)[0].to_numpy(dtype="float64", na_value=np.nan)
    present = _text_series(series).notna().to_numpy(dtype=bool)
    whole = _is_whole(values)
    problems.add(
        present & ~whole,
        column=name,
        display=display,
        values=series,
        reason="unknown_code",
        text=f"not a code of {name} ({role}): a code is a whole number",
        order=order,
    )
    return _Decoded(np.where(whole, values, np.nan), "codes" if present.any() else "empty")


def _decode_scale(
    series: pd.Series, column: Column, problems: _Problems, display: str, order: int, user_missing: set[int]
) -> np.ndarray:
    """Whole numbers in the codebook range, or a (missing) code among the options (also by label)."""
    name = column.name
    low, high = column.value_range or (-math.inf, math.inf)
    range_text = f"{low:g}..{high:g}"
    options = dict(column.options)
    values, bad = parse_number(series, decimal_comma_ok=True)
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    bad_mask = bad.to_numpy(dtype=bool)
    if options and bad_mask.any():  # a label export may carry 'Weet ik niet' in a scale column
        lookup = _label_lookup(options, f"column {name}")
        bad_text = _text_series(series).reset_index(drop=True)[bad_mask]
        by_value = {value: lookup.get(normalise_label(value), np.nan) for value in pd.unique(bad_text.dropna())}
        labelled_values = np.full(len(numbers), np.nan)
        labelled_values[bad_mask] = bad_text.map(by_value).to_numpy(dtype="float64", na_value=np.nan)
        hit = bad_mask & ~np.isnan(labelled_values)
        numbers = np.where(hit, labelled_values, numbers)
        bad_mask = bad_mask & ~hit
    option_text = f" or one of the codes {_codes_text(set(options))}" if options else ""
    problems.add(
        bad_mask,
        column=name,
        display=display,
        values=series,
        reason="not_a_number",
        text=f"not a number: {name} expects a whole number in {range_text}{option_text}",
        order=order,
    )
    present = ~np.isnan(numbers)
    whole = _is_whole(numbers)
    problems.add(
        present & ~whole,
        column=name,
        display=display,
        values=series,
        reason="not_a_number",
        text=f"not a whole number: {name} expects a whole number in {range_text}{option_text}",
        order=order,
    )
    is_option = np.isin(numbers, list(options)) if options else np.zeros(len(numbers), dtype=bool)
    with np.errstate(invalid="ignore"):
        in_range = (numbers >= low) & (numbers <= high)
    out = present & whole & ~in_range & ~is_option
    if out.any():
        text = np.full(len(numbers), f"outside the range {range_text} of {name}{option_text}", dtype=object)
        if user_missing:
            declared = out & np.isin(numbers, list(user_missing))
            text[declared] = (
                f"outside the range {range_text} of {name}{option_text} (declared user-missing in the file, "
                "but the codebook does not map it)"
            )
        problems.add(out, column=name, display=display, values=series, reason="out_of_range", text=text, order=order)
    good = present & whole & (in_range | is_option)
    return np.where(good, numbers, np.nan)


def _weights(
    series: pd.Series, problems: _Problems, name: str, display: str, order: int, warnings: list[str]
) -> pd.api.extensions.ExtensionArray:
    values, bad = parse_number(series, decimal_comma_ok=True)
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    bad_mask = bad.to_numpy(dtype=bool)
    blank = np.isnan(numbers) & ~bad_mask
    if blank.all():
        warnings.append(f"column {display}: the weight column is empty; the wave is treated as unweighted")
        return pd.array([pd.NA] * len(numbers), dtype="Float64")
    problems.add(
        bad_mask,
        column=name,
        display=display,
        values=series,
        reason="invalid_weight",
        text="the weight is not a number (a decimal comma or point is accepted, thousands separators are not)",
        order=order,
    )
    problems.add(
        blank,
        column=name,
        display=display,
        values=series,
        reason="invalid_weight",
        text="the weight is blank, while other rows have a weight",
        order=order,
    )
    with np.errstate(invalid="ignore"):
        not_positive = ~np.isnan(numbers) & (numbers <= 0)
    problems.add(
        not_positive,
        column=name,
        display=display,
        values=series,
        reason="invalid_weight",
        text="the weight must be greater than 0",
        order=order,
    )
    good = ~np.isnan(numbers) & ~not_positive
    return pd.arrays.FloatingArray(np.where(good, numbers, 0.0), ~good)


def _to_int64(codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    mask = np.isnan(codes)
    return pd.arrays.IntegerArray(np.where(mask, 0, codes).astype("int64"), mask)


def _value_label_warnings(raw: RawExport, codebook: Codebook, layout: _Layout) -> list[str]:
    """SPSS value labels never change codes; report where they disagree with the codebook."""
    notes: list[str] = []
    options_of: dict[str, dict[int, str]] = {spec.column: spec.options for spec in codebook.respondent.values() if spec.options}
    for name, column in codebook.columns.items():
        if column.kind == "text":
            continue
        options_of[name] = column.options
    for name in codebook.known_columns:
        if name not in layout.matched or name not in options_of:
            continue
        column = codebook.columns.get(name)
        tick = column is not None and (column.kind == "flag" or _is_tick_column(column))
        labels = raw.value_labels.get(layout.matched[name], {})
        for code, label in sorted(labels.items()):
            if tick and code in (0, 1):
                if code == 1 and normalise_label(label) != normalise_label(options_of[name].get(1, "")):
                    pass  # tick boxes are often labelled 'Gekozen' / 'Niet gekozen': nothing to compare
                continue
            expected = options_of[name].get(code)
            if expected is None:
                notes.append(
                    f"column {name}: the file labels code {code} {label!r}, a code the codebook does not know "
                    "(only an error if the code occurs)"
                )
            elif normalise_label(expected) != normalise_label(label):
                notes.append(
                    f"column {name}: the file labels code {code} {label!r}, the codebook {expected!r} "
                    "(codes are used as they are; check the codebook version)"
                )
    return notes


def _user_missing_warnings(raw: RawExport, codebook: Codebook, layout: _Layout) -> list[str]:
    notes: list[str] = []
    options_of = {spec.column: set(spec.options) for spec in codebook.respondent.values() if spec.options}
    for name, column in codebook.columns.items():
        if column.kind in ("code", "scale"):
            options_of[name] = set(column.options)
    for name in codebook.known_columns:
        if name not in layout.matched or name not in options_of:
            continue
        declared = raw.user_missing.get(layout.matched[name], set())
        unknown = sorted(code for code in declared if code not in options_of[name])
        if unknown:
            notes.append(
                f"column {name}: user-missing code(s) {_codes_text(unknown)} declared in the file are not mapped by the "
                "codebook (an error wherever they occur)"
            )
    return notes


# --------------------------------------------------------------------------------------------------
# messages and tables


def _messages(found: pd.DataFrame, file: str) -> pd.Series:
    rows = found["pos"].astype("int64") + 1
    quoted = _quoted(found["value"])
    location = "column " + found["display"] + ", row " + rows.astype(str).astype(STRING_DTYPE)
    with_value = location + ", value " + quoted
    location = with_value.where(found["value"].notna(), location)
    return (file + ": " + location + ": " + found["text"]).astype(STRING_DTYPE)


def _unmapped_error(unknown: pd.DataFrame, file: str, codebook: Codebook) -> FileUnusableError:
    total = len(unknown)
    listed = unknown.head(MAX_LISTED)
    rows = (listed["pos"] + 1).to_list()
    lines = [
        f"column {display}, row {row}, value {value!r}: {text}"
        for display, row, value, text in zip(listed["display"], rows, listed["value"], listed["text"])
    ]
    per_column = unknown.groupby("column", sort=False).size()
    columns = ", ".join(f"{name} ({count})" for name, count in per_column.items())
    more = f"; ... and {total - len(listed)} more" if total > len(listed) else ""
    message = (
        f"{total} value(s) not mapped by codebook {codebook.id!r} version {codebook.version} "
        f"(every source code must be mapped, classification.md section 1), in column(s) {columns}: "
        + "; ".join(lines)
        + more
        + ". Correct the export or the codebook, or set on_unknown_code: reject to reject these rows instead"
    )
    return FileUnusableError(message, file=file)


def _rejects_table(found: pd.DataFrame, ids: pd.Series, wave_id: str, file: str) -> pd.DataFrame:
    count = len(found)
    positions = found["pos"].to_numpy(dtype="int64")
    table = pd.DataFrame(
        {
            "wave": pd.array([wave_id] * count, dtype=STRING_DTYPE),
            "source_file": pd.array([file] * count, dtype=STRING_DTYPE),
            "source_row": positions + 1,
            "respondent_id": pd.array(ids.to_numpy(dtype=object, na_value=None)[positions], dtype=STRING_DTYPE),
            "column": found["column"].astype(STRING_DTYPE).array,
            "value": found["value"].astype(STRING_DTYPE).array,
            "reason": found["reason"].astype(STRING_DTYPE).array,
            "message": _messages(found, file).array if count else pd.array([], dtype=STRING_DTYPE),
        }
    )
    table["source_row"] = table["source_row"].astype("int64")
    return table[list(REJECT_COLUMNS)]
