"""Which interaction types an instrument can observe at all (seed Figuur 1; reports show the others
as "niet gemeten" rather than 0,0%).

The exact method runs the pipeline's own harmonise + classify over a synthetic canonical table with
every distinct combination of the answers the type rules read; where that is not possible or too
large, the per-field method takes the product of each field's reachable values (an over-approximation:
it can call a type reachable that is not, never the reverse).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from drukmonitor import render
from drukmonitor.classify import classify, interaction_type, principal_agent
from drukmonitor.codebook import default_codebook_dir, load_codebook
from drukmonitor.conditions import evaluate, referenced_columns, referenced_params
from drukmonitor.config import DEFAULT_SETTINGS
from drukmonitor.errors import DrukmonitorError
from drukmonitor.harmonise import CLASSIFICATION_SETTINGS, CONTENT_CODES, CONTEXT_CODES, FIELDS, MEANS_CODES, harmonise, resolve_settings
from drukmonitor.status import compute_statuses, status_column, status_units, units_by_reference, with_all_columns

#: Most rows a synthetic table of :func:`reachability` may have (each of its two steps); an instrument
#: whose type rules read more distinct answer combinations falls back to the per-field method.
REACHABILITY_MAX_ROWS = 200_000
#: The harmonised fields the Figuur 1 type is derived from.
TYPE_FIELDS = ("content", "means", "context")
# Statuses that follow from an item's own value. The others (not_asked, item_nonresponse,
# not_in_instrument) depend on routing, break-off or which items a wave's file holds, which one
# synthetic table cannot cover, so a rule reading them makes the exact method step aside.
_VALUE_STATUSES = frozenset({"answered", "dont_know", "refused"})
_FILLED_SUFFIX = "__filled"
_REACHABILITY_CACHE: dict[tuple[Any, ...], "Reachability"] = {}
_REACHABILITY_CACHE_SIZE = 32


@dataclass(frozen=True)
class Reachability:
    """What :func:`reachability` found for one crosswalk and settings.

    ``types``: the types the classifier can assign; ``combinations``: the (content, means,
    principal_agent) triples behind them (blank as ``""``); ``method``: ``exact`` (the pipeline ran
    on every distinct answer combination) or ``per_field`` (the fields' value sets combined freely);
    ``reason``: why the exact method was not used; ``rows``: size of the synthetic table."""

    types: frozenset[str]
    combinations: frozenset[tuple[str, str, str]]
    method: str
    reason: str = ""
    rows: int = 0


def reachable_values(crosswalk: Any, field_name: str, settings: Mapping[str, Any] | None = None) -> set[str] | None:
    """Values the crosswalk can give ``field_name`` (rule values, recode values and the default);
    ``None`` when any value is possible (copied items); empty when the field is not measured."""
    settings = dict(settings or {})
    mapping = crosswalk.fields.get(field_name)
    if mapping is None or mapping.comparability == "not_measured":
        return set()
    if mapping.copy is not None:
        return None
    values: list[Any] = [rule.value for rule in mapping.rules]
    if mapping.recode_map:
        values += list(mapping.recode_map.values())
    values.append(mapping.default)
    out: set[str] = set()
    for value in values:
        if isinstance(value, Mapping) and "param" in value:
            value = settings.get(value["param"])
        if value is None:
            continue
        out.add(str(value).lower() if isinstance(value, bool) else str(value))
    return out


def reachable_types(crosswalk: Any, settings: Mapping[str, Any] | None = None) -> set[str]:
    """Types the classifier can assign to a respondent of this instrument (see :func:`reachability`)."""
    return set(reachability(crosswalk, settings).types)


def reachability(crosswalk: Any, settings: Mapping[str, Any] | None = None, *, max_rows: int | None = None) -> Reachability:
    """Which types (and content/means/principal_agent combinations) this instrument can produce.

    Exact method, used whenever it is cheap: the raw codebook columns the ``content``, ``means`` and
    ``context`` rules read (directly or through harmonised fields they read, e.g. ``content`` in the
    means rules) are collected; each column's possible values (its codes including missing codes,
    scale values, blank) are reduced to one value per class that no rule test and no status the
    rules read can tell apart; synthetic canonical tables covering every combination of those values
    go through the pipeline's own :func:`drukmonitor.harmonise.harmonise` and
    :func:`drukmonitor.classify.classify` (:func:`_reachability_exact` splits the work so that
    columns only one field reads are not multiplied with those of another). Joint constraints
    between the fields are then respected (io2018: the tick that makes content 'proper' also makes
    means 'improper', so ``regular_request`` is unreachable). Combinations ingest would reject (e.g.
    an exclusive option ticked beside others) are included, so the exact method may call a type
    reachable that no real file produces, never the other way round.

    Per-field method (the fallback): every combination of the values the crosswalk can give each of
    the three fields separately (:func:`reachable_values`) goes through
    :func:`drukmonitor.classify.interaction_type`. It over-approximates (joint constraints are
    ignored) and is used when the exact method cannot be sound or cheap: no codebook with the
    crosswalk's facts is found beside the crosswalk folder or in the default codebook folder, a rule
    reads a routing-dependent status or a column without a finite list of values, or the synthetic
    tables would have more than ``max_rows`` rows (default :data:`REACHABILITY_MAX_ROWS`).
    ``Reachability.method`` says which method decided, ``Reachability.reason`` why it was not exact.

    Results are cached per (crosswalk rules, settings the rules read, ``max_rows``): the exact
    method takes a few tenths of a second and a report asks several times.
    """
    limit = REACHABILITY_MAX_ROWS if max_rows is None else int(max_rows)
    key = (_crosswalk_fingerprint(crosswalk), _settings_key(crosswalk, settings), limit)
    cached = _REACHABILITY_CACHE.get(key)
    if cached is not None:
        return cached
    found = _reachability_exact(crosswalk, settings, limit)
    if isinstance(found, str):
        found = _reachability_per_field(crosswalk, settings, found)
    if len(_REACHABILITY_CACHE) >= _REACHABILITY_CACHE_SIZE:
        _REACHABILITY_CACHE.clear()
    _REACHABILITY_CACHE[key] = found
    return found


def _crosswalk_fingerprint(crosswalk: Any) -> str:
    # the rules themselves, not only the id: tests and tools build crosswalks in memory
    text = repr((getattr(crosswalk, "id", None), getattr(crosswalk, "sha256", None), str(getattr(crosswalk, "path", "")),
                 crosswalk.fields))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _settings_key(crosswalk: Any, settings: Mapping[str, Any] | None) -> str:

    names = set(CLASSIFICATION_SETTINGS)
    for mapping in crosswalk.fields.values():
        for rule in mapping.rules:
            names |= referenced_params(rule.when)
            if isinstance(rule.value, Mapping) and "param" in rule.value:
                names.add(rule.value["param"])
        if isinstance(mapping.default, Mapping) and "param" in mapping.default:
            names.add(mapping.default["param"])

    given = {**DEFAULT_SETTINGS, **dict(settings or {})}
    return json.dumps({name: given.get(name) for name in sorted(names)}, sort_keys=True, default=repr)


def _reachability_per_field(crosswalk: Any, settings: Mapping[str, Any] | None, reason: str) -> Reachability:

    settings = {"top_civil_service_is_principal": True, **dict(settings or {})}
    content = reachable_values(crosswalk, "content", settings)
    means = reachable_values(crosswalk, "means", settings)
    context = reachable_values(crosswalk, "context", settings)
    content = set(CONTENT_CODES) if content is None else content
    means = set(MEANS_CODES) if means is None else (means or {"unknown"})
    context = set(CONTEXT_CODES) if context is None else (context or {"unknown"})
    combos = list(itertools.product(sorted(content), sorted(means), sorted(context)))
    if not combos:
        return Reachability(frozenset(), frozenset(), "per_field", reason)
    c = np.array([x[0] for x in combos], dtype=object)
    m = np.array([x[1] for x in combos], dtype=object)
    principal = principal_agent(np.array([x[2] for x in combos], dtype=object), settings)
    types = interaction_type(c, m, principal)
    kept = [i for i, t in enumerate(types) if t is not None and not render._is_missing(t)]
    return Reachability(
        frozenset(str(types[i]) for i in kept),
        frozenset((str(c[i]), str(m[i]), str(principal[i])) for i in kept),
        "per_field",
        reason,
    )


def _reachability_exact(crosswalk: Any, settings: Mapping[str, Any] | None, limit: int) -> Reachability | str:
    """The exact :class:`Reachability`, or the reason it cannot be computed exactly and cheaply.

    Each of content, means and context is a function of the raw columns it reads (directly or
    through the fields it reads). Columns read by two or more of them form a shared part S; the rest
    is private to one field. Given a value of S the three fields vary independently, so the reachable
    (content, means, context) triples are, per value s of S, the product of the values each field
    reaches with s fixed. Step 1 runs harmonise on S x private(field) for each field (one table each,
    instead of one table over every column at once) and keeps one row per (s, value); step 2 joins
    those rows per s into one canonical table that goes through harmonise and classify.
    """

    codebook = _codebook_of(crosswalk)
    if codebook is None:
        return f"no codebook matching crosswalk {getattr(crosswalk, 'id', '?')!r} was found"
    inputs = _type_inputs(crosswalk, codebook)
    if isinstance(inputs, str):
        return inputs
    resolved = resolve_settings(settings)
    classes: dict[str, list[Any]] = {}
    for column in sorted(set().union(*inputs.columns.values())):
        domain = _column_domain(codebook, column)
        if domain is None:
            return f"column {column} has no finite list of values"
        classes[column] = domain if column in inputs.verbatim else _value_classes(
            codebook, column, domain, inputs.tests.get(column, []), column in inputs.status_read, resolved)

    readers = {column: sum(column in inputs.columns[name] for name in TYPE_FIELDS) for column in classes}
    shared = [column for column in classes if readers[column] > 1]
    private = {name: sorted(inputs.columns[name].difference(shared)) for name in TYPE_FIELDS}
    shared_sizes = [len(classes[column]) for column in shared]
    n_shared = _product(shared_sizes)
    step1_rows = sum(n_shared * _product(len(classes[column]) for column in private[name]) for name in TYPE_FIELDS)
    if step1_rows > limit:
        return f"{step1_rows} distinct answer combinations exceed the limit of {limit}"

    # step 1: per field and per value s of the shared columns, one row (private indices) per value reached
    representatives: dict[str, list[list[tuple[int, ...]]]] = {}
    for name in TYPE_FIELDS:
        columns = shared + private[name]
        index = np.unravel_index(np.arange(_product(len(classes[column]) for column in columns)),
                                 [len(classes[column]) for column in columns])
        table = _synthetic_canonical(codebook, classes, dict(zip(columns, index)))
        values = harmonise(table, codebook, _only_fields(crosswalk, inputs.fields[name]), resolved)[name]
        value_codes, distinct = pd.factorize(values.astype("string").fillna(""))
        shared_id = np.ravel_multi_index(index[: len(shared)], shared_sizes) if shared else np.zeros(len(values), dtype=np.intp)
        _, first_rows = np.unique(shared_id.astype(np.int64) * len(distinct) + value_codes, return_index=True)
        per_shared: list[list[tuple[int, ...]]] = [[] for _ in range(n_shared)]
        for row in first_rows:
            per_shared[shared_id[row]].append(tuple(int(part[row]) for part in index[len(shared):]))
        representatives[name] = per_shared

    # step 2: every combination of the three fields' values per shared value, through the pipeline
    step2_rows = sum(_product(len(representatives[name][s]) for name in TYPE_FIELDS) for s in range(n_shared))
    if step2_rows > limit:
        return f"{step2_rows} combinations of field values exceed the limit of {limit}"
    chosen: dict[str, list[int]] = {column: [] for column in classes}
    for s in range(n_shared):
        shared_index = np.unravel_index(s, shared_sizes) if shared else ()
        for picks in itertools.product(*(representatives[name][s] for name in TYPE_FIELDS)):
            for column, position in zip(shared, shared_index):
                chosen[column].append(int(position))
            for name, pick in zip(TYPE_FIELDS, picks):
                for column, position in zip(private[name], pick):
                    chosen[column].append(position)
    joint = {column: np.asarray(positions, dtype=np.intp) for column, positions in chosen.items()}
    canonical = _synthetic_canonical(codebook, classes, joint, n_rows=step2_rows)
    needed = list(dict.fromkeys(field_name for name in TYPE_FIELDS for field_name in inputs.fields[name]))
    classified = classify(harmonise(canonical, codebook, _only_fields(crosswalk, needed), resolved), resolved)
    found = classified.loc[:, ["content", "means", "principal_agent", "type"]].astype("string").fillna("").drop_duplicates()
    return Reachability(
        frozenset(code for code in found["type"] if code),
        frozenset(zip(found["content"], found["means"], found["principal_agent"])),
        "exact",
        "",
        step1_rows + step2_rows,
    )


def _product(sizes: Iterable[int]) -> int:
    out = 1
    for size in sizes:
        out *= int(size)
    return out


def _codebook_of(crosswalk: Any) -> Any:
    """The codebook a crosswalk was checked against: beside its crosswalk folder (the workflow's layout)
    or in the default codebook folder, and only if its facts are the crosswalk's."""

    instrument = getattr(crosswalk, "id", None)
    path = Path(str(getattr(crosswalk, "path", "")))
    folders = [path.parent.parent / "codebooks"] if path.is_file() else []
    folders.append(default_codebook_dir())
    for folder in dict.fromkeys(folder.resolve() for folder in folders):
        if not instrument or not (folder / f"{instrument}.yaml").is_file():
            continue
        try:
            codebook = load_codebook(instrument, folder)
        except DrukmonitorError:
            continue
        if dict(codebook.facts) == dict(getattr(crosswalk, "facts", {}) or {}):
            return codebook
    return None


def _leaf_conditions(condition: Any) -> Iterable[Mapping[str, Any]]:
    if not isinstance(condition, Mapping):
        return
    for combinator in ("any", "all"):
        if combinator in condition:
            for part in condition[combinator]:
                yield from _leaf_conditions(part)
            return
    if "not" in condition:
        yield from _leaf_conditions(condition["not"])
        return
    yield condition


@dataclass
class _TypeInputs:
    fields: dict[str, list[str]]  # content/means/context -> the harmonised fields it is derived from, itself included
    columns: dict[str, set[str]]  # content/means/context -> the raw columns those fields read
    tests: dict[str, list[Mapping[str, Any]]]  # raw column -> the value tests rules make on it
    status_read: set[str]  # raw columns whose item status a rule reads
    verbatim: set[str]  # raw columns every value of which matters (copy / recode sources)


def _type_inputs(crosswalk: Any, codebook: Any) -> _TypeInputs | str:
    """What the content, means and context rules read, or why it cannot be enumerated."""

    units = {unit.name: unit for unit in status_units(codebook)}
    reference = units_by_reference(list(units.values()))
    inputs = _TypeInputs({}, {}, {}, set(), set())
    direct: dict[str, tuple[set[str], set[str]]] = {}  # field -> (raw columns, fields) its own rules read

    def unit_columns(name: str) -> list[str] | None:
        if name not in reference:
            return None
        out: list[str] = []
        for unit_name in reference[name]:
            unit = units[unit_name]
            out += [*unit.columns, *([f"{unit.item}{_FILLED_SUFFIX}"] if unit.kind == "open" else [])]
        return out

    def read(name: str) -> str | None:
        if name in direct:
            return None
        columns: set[str] = set()
        fields: set[str] = set()
        direct[name] = (columns, fields)
        mapping = crosswalk.fields.get(name)
        if mapping is None or mapping.method == "not_measured":
            return None
        if mapping.method in ("copy", "recode"):
            # copy and recode keep a value only where the source item is answered, and every code counts
            source = mapping.copy if mapping.method == "copy" else mapping.recode_column
            found = unit_columns(source)
            if found is None:
                return f"field {name} reads {source}, which is not a column of codebook {codebook.id}"
            columns.update(found)
            inputs.status_read.update(found)
            inputs.verbatim.add(source)
            return None
        for rule in mapping.rules:
            for leaf in _leaf_conditions(rule.when):
                for column in sorted(referenced_columns(leaf)):
                    if "status" in leaf:
                        if column in FIELDS:
                            return f"a rule of {name} reads the status of harmonised field {column}"
                        routed = sorted(set(leaf["status"]) - _VALUE_STATUSES)
                        if routed:
                            return f"a rule of {name} reads status {', '.join(routed)} of {column}, which depends on routing"
                        found = unit_columns(column)
                        if found is None:
                            return f"a rule of {name} reads the status of {column}, unknown to codebook {codebook.id}"
                        columns.update(found)
                        inputs.status_read.update(found)
                    elif column in FIELDS:
                        fields.add(column)
                        problem = read(column)
                        if problem:
                            return problem
                    else:
                        single = {key: value for key, value in leaf.items() if key not in ("col", "cols", "how")}
                        inputs.tests.setdefault(column, []).append({**single, "col": column})
                        columns.add(column)
        return None

    for name in TYPE_FIELDS:
        problem = read(name)
        if problem:
            return problem
    for name in TYPE_FIELDS:
        fields, columns, pending = [name], set(direct[name][0]), list(direct[name][1])
        while pending:
            other = pending.pop(0)
            if other not in fields:
                fields.append(other)
                columns |= direct[other][0]
                pending += sorted(direct[other][1])
        inputs.fields[name], inputs.columns[name] = fields, columns
    return inputs


def _column_domain(codebook: Any, column: str) -> list[Any] | None:
    """Every value ingest can leave in a canonical column (blank as None), or None when unbounded."""
    if column.endswith(_FILLED_SUFFIX):
        spec = codebook.columns.get(column[: -len(_FILLED_SUFFIX)])
        return [True, False] if spec is not None and spec.kind == "text" else None
    spec = codebook.columns.get(column)
    if spec is not None:
        values = set(spec.options)
        if spec.kind == "scale" and spec.value_range is not None:
            low, high = spec.value_range
            values |= set(range(int(np.ceil(low)), int(np.floor(high)) + 1))
        return [*sorted(values), None] if values else None
    role = codebook.respondent.get(column)
    if role is not None and column in ("role_group", "completed"):
        options = set(role.options) or ({0, 1} if column == "completed" else set())
        return [*sorted(options), None] if options else None
    return None


def _value_classes(codebook: Any, column: str, domain: list[Any], tests: list[Mapping[str, Any]],
                   status_read: bool, settings: Mapping[str, Any]) -> list[Any]:
    """One value of ``domain`` per class of values that every rule test on ``column`` and, where a rule
    reads it, the status of its item treat alike (the first of each class, in domain order)."""

    probe = _synthetic_canonical(codebook, {column: domain}, {column: np.arange(len(domain))})
    work = with_all_columns(probe, codebook)
    signature = [evaluate(test, work, settings) for test in tests]
    if status_read:
        # a status depends on the value alone here (routing-dependent statuses make the exact method step aside)
        statuses = compute_statuses(probe, codebook)
        owner = codebook.columns[column[: -len(_FILLED_SUFFIX)]].item if column.endswith(_FILLED_SUFFIX) else column
        for unit in units_by_reference(status_units(codebook)).get(owner, []):
            signature.append(statuses[status_column(unit)].astype("string").fillna("").to_numpy(dtype=object))
    seen: dict[tuple[Any, ...], Any] = {}
    for index, value in enumerate(domain):
        seen.setdefault(tuple(part[index] for part in signature), value)
    return list(seen.values())


def _synthetic_canonical(codebook: Any, values: Mapping[str, Sequence[Any]], chosen: Mapping[str, np.ndarray],
                         n_rows: int | None = None) -> pd.DataFrame:
    """A canonical table whose column c holds ``values[c][chosen[c]]`` (None = blank) and every other
    codebook column blank; respondent columns as ingest leaves them when the file has none (one id
    per row, the rest blank)."""
    if n_rows is None:
        n_rows = len(next(iter(chosen.values()))) if chosen else 1
    data: dict[str, Any] = {
        "wave": pd.array([codebook.id] * n_rows, dtype="string"),
        "instrument": pd.array([codebook.id] * n_rows, dtype="string"),
        "source_file": pd.array(["<reachability>"] * n_rows, dtype="string"),
        "source_sha256": pd.array(["0" * 64] * n_rows, dtype="string"),
        "source_row": np.arange(1, n_rows + 1, dtype=np.int64),
        "respondent_id": pd.array(np.arange(1, n_rows + 1).astype(str), dtype="string"),
        "org_unit": pd.array([pd.NA] * n_rows, dtype="string"),
        "weight": pd.array([pd.NA] * n_rows, dtype="Float64"),
    }

    def integers(name: str) -> Any:
        if name not in chosen:
            return pd.arrays.IntegerArray(np.zeros(n_rows, dtype=np.int64), np.ones(n_rows, dtype=bool))
        codes = np.array([0 if value is None else int(value) for value in values[name]], dtype=np.int64)
        blank = np.array([value is None for value in values[name]], dtype=bool)
        return pd.arrays.IntegerArray(codes[chosen[name]], blank[chosen[name]])

    data["role_group"] = integers("role_group")
    data["completed"] = integers("completed")
    for name, column in codebook.columns.items():
        if column.kind != "text":
            data[name] = integers(name)
            continue
        filled = f"{name}{_FILLED_SUFFIX}"
        flags = np.zeros(n_rows, dtype=bool)
        if filled in chosen:
            flags = np.array([bool(value) for value in values[filled]], dtype=bool)[chosen[filled]]
        data[filled] = pd.arrays.BooleanArray(flags, np.zeros(n_rows, dtype=bool))
    return pd.DataFrame(data)


def _only_fields(crosswalk: Any, fields: Sequence[str]) -> Any:
    """The crosswalk with every field outside ``fields`` marked not measured (fewer rules to run)."""
    kept = {name: mapping if name in fields else replace(mapping, comparability="not_measured")
            for name, mapping in crosswalk.fields.items()}
    return replace(crosswalk, fields=kept)
