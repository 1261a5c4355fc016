"""Estimates per wave: prevalence, distributions, group differences, pilot evaluation, response.

Every number is a respondent count (a *cell*: a set of respondents) or a share of two cells, so
that one disclosure-control pass (:mod:`drukmonitor.disclosure`) protects all tables of a wave
jointly: a cell that appears in two tables is one cell, and every additive relation between
cells (categories within a group, groups within the total, the follow-up base within the gate
answers ...) is declared. Tables are tidy, one row per published number, in the column order of
the estimate-table contract (docs/architecture.md) plus a few extra columns.

Methods (for the README)
------------------------
- **Denominator of prevalence**: respondents who answered the gate question(s) — gate status
  ``answered``, or a determinate content through the follow-up gate (a doubt case after "Weet ik
  niet" on OD1). Gate ``dont_know`` / ``refused`` / ``item_nonresponse`` are reported as their own
  rows (variable ``gate_status``, share of all respondents), never dropped.
- **Types and doubt cases**: variable ``type`` partitions the denominator into the seven types of
  the respondents *outside* the grey area plus the category ``grey_area`` (doubt cases, reported
  apart and never folded into a type, seed Kader 2); variable ``type_grey_area`` breaks the doubt
  cases down by the type they would have if the content were improper. ``unreasonable_pressure``
  is a row with ``measured=False`` and method "niet gemeten", never a zero.
- **Distributions** (felt pressure, means, means detail, context, frequency, weighting factors
  true/false/NA, the OD8 statements 1..5 when the harmonised fields ``intent`` ... ``duration`` are
  present, severity score) are shares of the respondents who reported a request with
  (possibly) improper content (``content`` improper or doubt; for means and context also proper
  content, where an instrument observes it); missing answers are categories of their own.
- **Intervals**: Wilson score intervals (statsmodels ``proportion_confint(method="wilson")``) at the
  configured confidence level. With weights (setting ``weighting: kish`` and a weight column):
  weighted share, Kish effective sample size ``n_eff = (sum w)^2 / sum w^2`` of the denominator
  population and the Wilson interval on ``n_eff`` (counts ``share * n_eff``). ``numerator`` and
  ``denominator`` are always unweighted respondent counts (they are what disclosure control
  protects); ``share`` is weighted when ``weighted`` is true.
- **Group differences**: Pearson chi-square test of independence (scipy
  ``chi2_contingency``, no continuity correction) per variable and grouping (org unit, role group),
  on unweighted counts, Cramér's V (``scipy.stats.contingency.association``), p-values corrected
  over all tests of the wave (``multiple_testing``, Holm by default). To never reveal a suppressed
  cell, the test is computed from published numbers only: groups whose base is published, the
  categories published in every such group, and one pooled rest column (base minus the published
  categories); the note says so, and warns when expected counts are below 5.
- **Response**: AAPOR RR1 = completes / eligible population and RR2 = (completes + partials) /
  eligible population when the population size is configured (overall, and per unit when unit
  sizes are given); a census has no sampling error, so no interval.
- **Disclosure control** (:mod:`drukmonitor.disclosure`), once per wave over all tables jointly:
  every count is a cell; declared relations are the partition of every group's base into the
  categories of a variable, the groups adding up to the organisation (per grouping, the group
  "(onbekend)" included so that the sums are exact), the gate answers / follow-up bases and the
  completion partition. Families of cells that hold the same respondents in the whole wave are one
  cell (structural identities: the 'na' of every OD7 option, OD1 answered = the gate answers,
  asked OD4 = the follow-up base ...). Missing-answer categories and response behaviour are not
  sensitive answers (no group disclosure). Complements are chosen by cost: unit-level categories
  first, then group denominators, then cells of the whole organisation, its denominators last, so
  the headline table survives wherever possible. A row is suppressed when its numerator or its
  denominator cell is; ``denominator_suppressed`` / ``n_total_suppressed`` say which numbers
  :func:`drukmonitor.disclosure.published` blanks.
- **Pilot evaluation** (pilot waves): per item the shares answered / Weet ik niet / Wil ik niet
  zeggen / item nonresponse among those asked, routing violations, break-off points (first item
  left blank after the last answer of a respondent who broke off), uptake of the optional items
  (OD2, OD3, OD7, OD8), 'Anders, namelijk' shares (OD4 and OD5 code 10, OD7_7) and open-text answer
  rates (``__filled`` columns; open text itself never reaches this module).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency
from scipy.stats.contingency import association
from statsmodels.stats.proportion import proportion_confint

from drukmonitor import comparability as comp
from drukmonitor.disclosure import DisclosureSettings, Relation, protect, published
from drukmonitor.errors import DrukmonitorError
from drukmonitor.harmonise import FIELDS

TYPES = (
    "not_reported",
    "undetermined",
    "outside_definition",
    "improper_pressure",
    "improper_request",
    "indecent_pressure",
    "regular_request",
)
NOT_MEASURED_TYPES = ("unreasonable_pressure",)
GREY_AREA = "grey_area"
GATE_STATUSES = ("answered", "dont_know", "refused", "item_nonresponse")
ITEM_STATUSES = ("answered", "dont_know", "refused", "item_nonresponse")
ASKED_STATUSES = frozenset(ITEM_STATUSES)
CONTENT_DETERMINED = ("improper", "doubt", "proper", "not_reported")
CONTENT_REQUEST = ("improper", "doubt", "proper")
CONTENT_CASE = ("improper", "doubt")
MISSING = "missing"
NA_BOOL = "na"
UNKNOWN_GROUP = "(onbekend)"
TOTAL_GROUP = "Totaal"
GROUP_VARS = ("all", "org_unit", "role_group")
TABLES = ("prevalence", "distributions", "group_tests", "pilot_evaluation", "response")
OPTIONAL_ITEMS = ("OD2", "OD3", "OD7", "OD8")
ANDERS = {"OD4": ("OD4", 10), "OD5": ("OD5", 10), "OD7": ("OD7_7", 1)}
# the harmonised fields of the crosswalks (plus the gate) are field statuses, not questionnaire items
_HARMONISED_FIELDS = {*FIELDS, "gate"}
#: ``<name>__status`` columns that are field statuses, not questionnaire items
NOT_PILOT_ITEMS = frozenset(_HARMONISED_FIELDS)
MISSING_CATEGORIES = frozenset({MISSING, NA_BOOL, "dont_know", "refused", "item_nonresponse", "not_asked"})

CONTRACT_COLUMNS = [
    "wave", "instrument", "table", "variable", "category", "group_var", "group", "numerator", "denominator",
    "denominator_definition", "share", "ci_low", "ci_high", "n_eff", "method", "weighted", "suppressed",
    "suppression_reason", "comparability", "comparability_reasons", "reference_period", "n_total",
]
EXTRA_COLUMNS = ["measured", "fields", "denominator_suppressed", "n_total_suppressed"]
TEST_COLUMNS = ["statistic", "df", "p_value", "p_adjusted", "cramers_v", "min_expected", "share_expected_lt5",
                "n_groups", "n_categories", "note"]

DEN_ALL = "alle respondenten"
DEN_GATE = "respondenten die de poortvraag beantwoordden (OD1, bij twijfel OD2)"
DEN_REQUEST = "respondenten die een verzoek meldden (inhoud oneigenlijk, twijfel of behoorlijk)"
DEN_CASE = "respondenten met een (mogelijk) oneigenlijk verzoek (inhoud oneigenlijk of twijfel)"
DEN_POPULATION = "doelpopulatie (opgegeven populatieomvang)"
NOT_MEASURED = "niet gemeten"


# ----------------------------------------------------------------------------------------------
# small numeric helpers
# ----------------------------------------------------------------------------------------------
def kish_n_eff(weights: Sequence[float] | np.ndarray) -> float:
    """Kish effective sample size (sum w)^2 / sum w^2 (NaN for an empty set)."""
    w = np.asarray(weights, dtype=float)
    s2 = float(np.sum(w * w))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else float("nan")


def wilson_interval(count, nobs, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Wilson score interval; NaN where nobs is 0 or missing (counts may be fractional)."""
    count = np.atleast_1d(np.asarray(count, dtype=float))
    nobs = np.atleast_1d(np.asarray(nobs, dtype=float))
    low = np.full(count.shape, np.nan)
    high = np.full(count.shape, np.nan)
    ok = np.isfinite(count) & np.isfinite(nobs) & (nobs > 0)
    if ok.any():
        lo, hi = proportion_confint(count[ok], nobs[ok], alpha=alpha, method="wilson")
        low[ok] = np.clip(lo, 0.0, 1.0)
        high[ok] = np.clip(hi, 0.0, 1.0)
    return low, high


def cramers_v(table: np.ndarray) -> float:
    """Cramér's V (scipy.stats.contingency.association, no bias correction) of a table of counts."""
    return float(association(np.rint(np.asarray(table, dtype=float)).astype(np.int64), method="cramer",
                             correction=False))


# ----------------------------------------------------------------------------------------------
# variable specifications
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VarSpec:
    name: str
    column: str
    table: str
    base: str  # N (all), A (gate answered), R (request reported), F (improper/doubt)
    kind: str  # cat | bool | int
    always: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    measure_fields: tuple[str, ...] = ()  # all must be measured
    any_of: tuple[str, ...] = ()  # at least one must be measured
    base_fields: tuple[str, ...] = ("content", "doubt")  # matter for comparability only
    sensitive: bool = True
    test: bool = True


CONTEXT_ORDER = (
    "political_direct", "political_indirect", "political_unspecified", "top_civil_service", "commissioning_principal",
    "internal_unspecified", "line_unspecified", "employer_employee", "external", "unknown", "not_applicable",
)
FREQUENCY_ORDER = ("once", "2_3", "4_plus", "more_than_once", "once_or_few", "regularly", "often")
MEANS_ORDER = ("improper", "proper", "unknown", "not_applicable")
BOOL_ORDER = ("true", "false", NA_BOOL)

PREVALENCE_SPECS = (
    VarSpec("gate_status", "gate_status", "prevalence", "N", "cat", always=GATE_STATUSES, order=GATE_STATUSES,
            base_fields=("content",), sensitive=False, test=False),
    VarSpec("type", "type", "prevalence", "A", "cat", always=TYPES + (GREY_AREA,), order=TYPES + (GREY_AREA,),
            measure_fields=("content", "means", "context")),
    VarSpec("type_grey_area", "type", "prevalence", "A", "cat", always=(), order=TYPES,
            measure_fields=("content", "doubt", "means", "context"), test=False),
)
MEANS_DETAIL = ("threat", "reward", "intimidating_manner", "non_verbal", "bullied_excluded", "other", "none_felt")
FACTOR_FIELDS = {
    "f_intent": (("intent",), ()),
    "f_culpable": (("culpability",), ()),
    "f_power": (("power",), ()),
    "f_intensity": ((), ("felt_pressure", "means_threat")),
    "f_frequency_duration": ((), ("frequency", "repeated", "duration")),
}
LIKERT_FIELDS = ("intent", "culpability", "power", "repeated", "duration")
LIKERT = ("1", "2", "3", "4", "5")
SEVERITY_FIELDS = ("intent", "culpability", "power", "felt_pressure", "means_threat", "frequency", "repeated", "duration")


def _means_detail_columns(columns: Sequence[str]) -> list[str]:
    named = [f"means_{d}" for d in MEANS_DETAIL if f"means_{d}" in columns]
    return named + sorted(c for c in columns if c.startswith("means_detail_") and not c.endswith("__status"))


def distribution_specs(columns: Sequence[str]) -> list[VarSpec]:
    """Distribution variables present in the classified table (means detail: boolean ``means_<option>``
    columns of the harmonised table, when the caller joins them in)."""
    specs = [
        VarSpec("felt_pressure", "felt_pressure", "distributions", "F", "int", always=("1", "2", "3", "4", "5"),
                order=("1", "2", "3", "4", "5"), measure_fields=("felt_pressure",)),
        VarSpec("means", "means", "distributions", "R", "cat", order=MEANS_ORDER, measure_fields=("means",)),
    ]
    for column in _means_detail_columns(columns):
        field_name = column if not column.startswith("means_detail_") else "means_detail"
        specs.append(VarSpec(column, column, "distributions", "F", "bool", always=("true", "false"), order=BOOL_ORDER,
                             measure_fields=(field_name,)))
    specs += [
        VarSpec("context", "context", "distributions", "R", "cat", order=CONTEXT_ORDER, measure_fields=("context",)),
        VarSpec("frequency", "frequency", "distributions", "F", "cat", order=FREQUENCY_ORDER,
                measure_fields=("frequency",)),
    ]
    for name, (fields, any_of) in FACTOR_FIELDS.items():
        specs.append(VarSpec(name, name, "distributions", "F", "bool", always=("true", "false"), order=BOOL_ORDER,
                             measure_fields=fields, any_of=any_of))
    for name in LIKERT_FIELDS:  # OD8 statements 1..5 (diverging bars), when the harmonised fields are joined in
        specs.append(VarSpec(name, name, "distributions", "F", "int", always=LIKERT, order=LIKERT,
                             measure_fields=(name,)))
    specs.append(VarSpec("severity_score", "severity_score", "distributions", "F", "int",
                         always=("0", "1", "2", "3", "4", "5"), order=("0", "1", "2", "3", "4", "5"),
                         any_of=SEVERITY_FIELDS))
    return [s for s in specs if s.column in columns]


def _category_fields(spec: VarSpec, category: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields that must be measured, alternatives) of one estimate."""
    if spec.name == "type" and category == GREY_AREA:
        return ("content", "doubt"), ()
    if spec.name == "type" and category == "not_reported":
        return ("content",), ()
    return spec.measure_fields, spec.any_of


def _measured(meta: Mapping, fields: Sequence[str], any_of: Sequence[str]) -> bool:
    if not all(comp.is_measured(meta, f) for f in fields):
        return False
    return not any_of or any(comp.is_measured(meta, f) for f in any_of)


def estimate_fields(spec: VarSpec, category: str | None, meta: Mapping) -> list[str]:
    """Every harmonised field an estimate uses in this wave (for comparability)."""
    fields, any_of = _category_fields(spec, category)
    used = list(dict.fromkeys([*spec.base_fields, *fields, *[f for f in any_of if comp.is_measured(meta, f)]]))
    return used


# ----------------------------------------------------------------------------------------------
# value codes
# ----------------------------------------------------------------------------------------------
def _codes(series: pd.Series, kind: str, status: pd.Series | None = None) -> np.ndarray:
    """Category labels (numpy str array) of a column; NA becomes 'missing' / 'na' or the item status."""
    if kind == "bool":
        values = series.astype("boolean")
        out = np.where(values.isna().to_numpy(), NA_BOOL, np.where(values.fillna(False).to_numpy(bool), "true", "false"))
        return out.astype(object)
    if kind == "int":
        values = pd.to_numeric(series, errors="coerce").astype("Int64")
        out = values.astype("string").fillna(MISSING).to_numpy(dtype=object)
    else:
        out = series.astype("string").fillna(MISSING).to_numpy(dtype=object)
    if status is not None:
        st = status.astype("string").to_numpy(dtype=object)
        replace = (out == MISSING) & pd.notna(st)
        out = np.where(replace, st, out)
    return out


def _ordered_categories(observed: Sequence[str], always: Sequence[str], order: Sequence[str]) -> list[str]:
    cats = set(observed) | set(always)
    rank = {c: i for i, c in enumerate(order)}
    return sorted(cats, key=lambda c: (c in MISSING_CATEGORIES, rank.get(c, len(rank)), c))


# ----------------------------------------------------------------------------------------------
# cell registry
# ----------------------------------------------------------------------------------------------
@dataclass
class _Registry:
    """Every cell of a wave's tables: its respondents (bit-packed: a wave has thousands of cells and
    may have a million respondents), count and weighted sums, taken when the cell is registered."""

    n: int
    weights: np.ndarray | None = None
    packed: dict[str, np.ndarray] = field(default_factory=dict)
    count: dict[str, int] = field(default_factory=dict)
    wsum: dict[str, float] = field(default_factory=dict)
    w2sum: dict[str, float] = field(default_factory=dict)
    group_n: dict[str, int | None] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._squared = None if self.weights is None else self.weights * self.weights

    def __contains__(self, cid: str) -> bool:
        return cid in self.packed

    def cell(self, cid: str, mask: np.ndarray, group_n: int | None) -> str:
        if cid in self.packed:
            return cid
        mask = np.asarray(mask, dtype=bool)
        self.packed[cid] = np.packbits(mask)
        self.count[cid] = int(np.count_nonzero(mask))
        if self.weights is not None:
            self.wsum[cid] = float(self.weights[mask].sum())
            self.w2sum[cid] = float(self._squared[mask].sum())
        self.group_n[cid] = group_n
        return cid

    def mask(self, cid: str) -> np.ndarray:
        return np.unpackbits(self.packed[cid], count=self.n).view(bool)

    def relate(self, total: str, parts: Sequence[str], sensitive: bool = False, within_group: bool = True) -> None:
        if parts:
            self.relations.append(Relation(total, tuple(parts), sensitive, within_group))

    def row(self, **values: Any) -> None:
        self.rows.append(values)


@dataclass(frozen=True)
class _Group:
    group_var: str
    label: str
    mask: np.ndarray


def _groups(df: pd.DataFrame) -> list[_Group]:
    n = len(df)
    groups = [_Group("all", TOTAL_GROUP, np.ones(n, dtype=bool))]
    for gv in ("org_unit", "role_group"):
        if gv not in df.columns or df[gv].notna().sum() == 0:
            continue
        if gv == "role_group":
            codes = pd.to_numeric(df[gv], errors="coerce").astype("Int64")
            labels = codes.astype("string").fillna(UNKNOWN_GROUP).to_numpy(dtype=object)
            known = sorted({int(v) for v in codes.dropna()})
            order = [str(v) for v in known]
        else:
            labels = df[gv].astype("string").str.strip().fillna(UNKNOWN_GROUP).to_numpy(dtype=object)
            order = sorted({str(v) for v in labels if v != UNKNOWN_GROUP})
        if (labels == UNKNOWN_GROUP).any():
            order.append(UNKNOWN_GROUP)
        groups += [_Group(gv, label, labels == label) for label in order]
    return groups


def _cid(table: str, variable: str, category: str, group: _Group) -> str:
    return f"{table}|{variable}|{category}|{group.group_var}|{group.label}"


def _group_relations(reg: _Registry, groups: Sequence[_Group], make_id) -> None:
    """Cell of the total = sum of the cells of the groups, per grouping."""
    total = make_id(groups[0])
    if total not in reg:
        return
    for gv in GROUP_VARS[1:]:
        parts = [make_id(g) for g in groups if g.group_var == gv]
        parts = [p for p in parts if p in reg]
        if parts:
            reg.relate(total, parts, sensitive=False, within_group=False)


# ----------------------------------------------------------------------------------------------
# table builders
# ----------------------------------------------------------------------------------------------
@dataclass
class _Wave:
    df: pd.DataFrame
    meta: Mapping[str, Any]
    settings: Mapping[str, Any]
    groups: list[_Group]
    reg: _Registry
    bases: dict[str, np.ndarray]
    base_ids: dict[tuple[str, str, str], str]

    def n_total_id(self, group: _Group) -> str:
        return self.base_ids[("N", group.group_var, group.label)]


def _base_masks(df: pd.DataFrame) -> dict[str, np.ndarray]:
    n = len(df)
    gate = df["gate_status"].astype("string").to_numpy(dtype=object) if "gate_status" in df else np.full(n, None)
    content = df["content"].astype("string").fillna(MISSING).to_numpy(dtype=object)
    answered = (gate == "answered") | np.isin(content, CONTENT_DETERMINED)
    return {
        "N": np.ones(n, dtype=bool),
        "A": answered,
        "R": answered & np.isin(content, CONTENT_REQUEST),
        "F": answered & np.isin(content, CONTENT_CASE),
    }


def _register_bases(w: _Wave) -> None:
    reg = w.reg
    # an instrument without a 'proper content' answer (uu2020): "reported a request" and "(possibly)
    # improper request" are the same respondents by construction: one cell, not two equal ones
    same_base = bool(np.array_equal(w.bases["R"], w.bases["F"]))
    for base in ("N", "F", "R"):
        if base == "R" and same_base:
            for g in w.groups:
                w.base_ids[("R", g.group_var, g.label)] = w.base_ids[("F", g.group_var, g.label)]
            continue
        for g in w.groups:
            n_g = int(g.mask.sum())
            cid = reg.cell(f"base|{base}|{g.group_var}|{g.label}", g.mask & w.bases[base], n_g)
            w.base_ids[(base, g.group_var, g.label)] = cid
        _group_relations(reg, w.groups, lambda g, b=base: f"base|{b}|{g.group_var}|{g.label}")


def _not_measured_row(w: _Wave, spec: VarSpec, category: str | None, group: _Group, den_def: str) -> None:
    fields = estimate_fields(spec, category, w.meta)
    w.reg.row(table=spec.table, variable=spec.name, category=category, group=group, num=None, den=None,
              ntot=w.n_total_id(group), denominator_definition=den_def, measured=False, fields=fields)


def _variable_rows(w: _Wave, spec: VarSpec) -> None:
    """Partition cells of one variable within every group, with the row per category."""
    reg, df = w.reg, w.df
    den_def = {"N": DEN_ALL, "A": DEN_GATE, "R": DEN_REQUEST, "F": DEN_CASE}[spec.base]
    fields, any_of = _category_fields(spec, None)
    if spec.name != "gate_status" and not _measured(w.meta, fields, any_of):
        for g in w.groups:
            _not_measured_row(w, spec, None, g, den_def)
        return
    if spec.name == "gate_status":
        codes = _codes(df["gate_status"], "cat") if "gate_status" in df else np.full(len(df), MISSING, dtype=object)
        codes = np.where(w.bases["A"], "answered", np.where(codes == "answered", MISSING, codes))
        universe = w.bases["N"]
    elif spec.name in ("type", "type_grey_area"):
        codes = _codes(df["type"], "cat")
        grey = df["grey_area"].astype("boolean").fillna(False).to_numpy(bool) if "grey_area" in df else np.zeros(len(df), bool)
        if spec.name == "type":
            codes = np.where(grey, GREY_AREA, codes)
            universe = w.bases["A"]
        else:
            universe = w.bases["A"] & grey
    else:
        status_col = f"{spec.column}__status"
        codes = _codes(df[spec.column], spec.kind, df[status_col] if status_col in df else None)
        universe = w.bases[spec.base]
    observed = sorted(set(codes[universe]))
    categories = _ordered_categories(observed, spec.always, spec.order)
    in_category = {category: universe & (codes == category) for category in categories}  # once, not per group
    for g in w.groups:
        n_g = int(g.mask.sum())
        if spec.name == "type_grey_area":
            line_total = _cid("prevalence", "type", GREY_AREA, g)
            den_id = w.base_ids.get(("A", g.group_var, g.label))
        elif spec.base == "A":
            line_total = den_id = w.base_ids[("A", g.group_var, g.label)]
        else:  # gate_status (line of all respondents) and the distributions (their follow-up base)
            line_total = den_id = w.base_ids[(spec.base, g.group_var, g.label)]
        parts = []
        for category in categories:
            cid = reg.cell(_cid(spec.table, spec.name, category, g), g.mask & in_category[category], n_g)
            parts.append(cid)
            if spec.name == "gate_status" and category == "answered":
                w.base_ids[("A", g.group_var, g.label)] = cid  # the denominator of the type prevalence
            cat_fields, cat_any = _category_fields(spec, category)
            measured = _measured(w.meta, cat_fields, cat_any) if spec.name != "gate_status" else True
            reg.row(table=spec.table, variable=spec.name, category=category, group=g, num=cid if measured else None,
                    den=den_id if measured else None, ntot=w.n_total_id(g), denominator_definition=den_def,
                    measured=measured, fields=estimate_fields(spec, category, w.meta))
        reg.relate(line_total, parts, sensitive=spec.sensitive)
        if spec.name == "type":
            for extra in NOT_MEASURED_TYPES:
                _not_measured_row(w, spec, extra, g, den_def)
    for category in categories:
        _group_relations(reg, w.groups, lambda g, c=category: _cid(spec.table, spec.name, c, g))


def _pilot_rows(w: _Wave) -> None:
    reg, df = w.reg, w.df
    total = w.groups[0]
    n_all = int(len(df))
    n_id = w.n_total_id(total)
    status_cols = [c for c in df.columns if c.endswith("__status") and c[: -len("__status")] not in NOT_PILOT_ITEMS]
    items = [c[: -len("__status")] for c in status_cols]
    asked_ids: dict[str, str] = {}
    answered_ids: dict[str, str] = {}
    status_of: dict[str, np.ndarray] = {}

    def add_row(variable, category, num, den, den_def):
        reg.row(table="pilot_evaluation", variable=variable, category=category, group=total, num=num, den=den,
                ntot=n_id, denominator_definition=den_def, measured=True, fields=[])

    for item, column in zip(items, status_cols):
        status = df[column].astype("string").fillna("item_nonresponse").to_numpy(dtype=object)
        status_of[item] = status
        asked = np.isin(status, list(ASKED_STATUSES))
        asked_id = reg.cell(f"pilot|{item}|asked|all|{TOTAL_GROUP}", asked, n_all)
        asked_ids[item] = asked_id
        parts = []
        for s in ITEM_STATUSES:
            cid = reg.cell(f"pilot|{item}|{s}|all|{TOTAL_GROUP}", status == s, n_all)
            parts.append(cid)
            add_row(item, s, cid, asked_id, "respondenten aan wie de vraag volgens de routing is gesteld")
            if s == "answered":
                answered_ids[item] = cid
        reg.relate(asked_id, parts)
    # routing violations per item
    if "routing_violation" in df:
        rv = df["routing_violation"].astype("string").fillna("")
        listed = rv.str.split(",")
        names = sorted({x.strip() for lst in listed for x in lst if x.strip()},
                       key=lambda x: (items.index(x) if x in items else len(items), x))
        for name in names:
            mask = listed.map(lambda lst, n=name: n in {x.strip() for x in lst}).to_numpy(bool)
            cid = reg.cell(f"pilot|{name}|routing_violation|all|{TOTAL_GROUP}", mask, n_all)
            add_row(name, "routing_violation", cid, n_id, DEN_ALL)
    # break-offs: overall and the item where respondents stopped
    if "completed" in df and df["completed"].notna().any():
        completed = pd.to_numeric(df["completed"], errors="coerce").astype("Int64")
        partial = completed.eq(0).fillna(False).to_numpy(bool)
        partial_id = reg.cell(f"response|completion|partial|all|{TOTAL_GROUP}", partial, n_all)
        add_row("(vragenlijst)", "breakoff", partial_id, n_id, DEN_ALL)
        if items:
            responded = np.column_stack([np.isin(status_of[i], ["answered", "dont_know", "refused"]) for i in items])
            blank = np.column_stack([status_of[i] == "item_nonresponse" for i in items])
            idx = np.arange(len(items))
            last = np.where(responded.any(axis=1), np.max(np.where(responded, idx, -1), axis=1), -1)
            after = blank & (idx[None, :] > last[:, None])
            first_blank = np.where(after.any(axis=1), np.argmax(after, axis=1), -1)
            parts = []
            for j, item in enumerate(items):
                cid = reg.cell(f"pilot|{item}|breakoff_point|all|{TOTAL_GROUP}", partial & (first_blank == j), n_all)
                parts.append(cid)
                add_row(item, "breakoff_point", cid, partial_id, "respondenten die de vragenlijst afbraken")
            cid = reg.cell(f"pilot|(onbekend)|breakoff_point|all|{TOTAL_GROUP}", partial & (first_blank < 0), n_all)
            parts.append(cid)
            add_row(UNKNOWN_GROUP, "breakoff_point", cid, partial_id, "respondenten die de vragenlijst afbraken")
            reg.relate(partial_id, parts)
    # optional items: answered (any sub-item) among asked (any sub-item)
    group_answered: dict[str, str] = {}
    for opt in OPTIONAL_ITEMS:
        members = [i for i in items if i == opt or re.fullmatch(rf"{re.escape(opt)}_\w+", i)]
        if not members:
            continue
        asked = np.column_stack([np.isin(status_of[i], list(ASKED_STATUSES)) for i in members]).any(axis=1)
        answered = np.column_stack([status_of[i] == "answered" for i in members]).any(axis=1)
        asked_id = reg.cell(f"pilot|{opt}|asked_any|all|{TOTAL_GROUP}", asked, n_all)
        ans_id = reg.cell(f"pilot|{opt}|optional_uptake|all|{TOTAL_GROUP}", answered, n_all)
        group_answered[opt] = ans_id
        add_row(opt, "optional_uptake", ans_id, asked_id, "respondenten aan wie de (optionele) vraag is gesteld")
    # 'Anders, namelijk'
    anders_ids: dict[str, str] = {}
    for item, (column, code) in ANDERS.items():
        if column not in df:
            continue
        if item in answered_ids:
            den_id = answered_ids[item]
            base = status_of[item] == "answered"
        elif item in group_answered:
            den_id = group_answered[item]
            base = reg.mask(den_id)
        else:
            base = df[column].notna().to_numpy(bool) if item != "OD7" else np.ones(len(df), bool)
            den_id = reg.cell(f"pilot|{item}|answered|all|{TOTAL_GROUP}", base, n_all)
        values = pd.to_numeric(df[column], errors="coerce").astype("Int64")
        mask = base & values.eq(code).fillna(False).to_numpy(bool)
        cid = reg.cell(f"pilot|{item}|anders_namelijk|all|{TOTAL_GROUP}", mask, n_all)
        anders_ids[item] = cid
        add_row(item, "anders_namelijk", cid, den_id, "respondenten die de vraag beantwoordden")
    # open-text answer rates
    for column in [c for c in df.columns if c.endswith("__filled")]:
        name = column[: -len("__filled")]
        parent = re.fullmatch(r"(.+)_anders", name)
        if parent and parent.group(1) in anders_ids:
            den_id, den_def = anders_ids[parent.group(1)], "respondenten die 'Anders, namelijk' kozen"
        elif name in asked_ids:
            den_id, den_def = asked_ids[name], "respondenten aan wie de vraag is gesteld"
        else:
            den_id, den_def = n_id, DEN_ALL
        filled = df[column].astype("boolean").fillna(False).to_numpy(bool) & reg.mask(den_id)
        cid = reg.cell(f"pilot|{name}|open_text_filled|all|{TOTAL_GROUP}", filled, n_all)
        add_row(name, "open_text_filled", cid, den_id, den_def)


def _population(meta: Mapping[str, Any]) -> tuple[int | None, dict[str, int]]:
    total = meta.get("population_total")
    units = meta.get("population_units") or {}
    population = meta.get("population") or {}
    if isinstance(total, Mapping):
        units, total = dict(total), None
    if total is None:
        total = population.get("total")
    units = dict(units or population.get("units") or {})
    if total is None and units:
        total = int(sum(units.values()))
    return (None if total is None else int(total)), {str(k): int(v) for k, v in units.items()}


def _response_rows(w: _Wave) -> None:
    reg, df = w.reg, w.df
    n = len(df)
    completed = (pd.to_numeric(df["completed"], errors="coerce").astype("Int64") if "completed" in df
                 else pd.Series(pd.NA, index=df.index, dtype="Int64"))
    status = np.where(completed.isna().to_numpy(), "unknown",
                      np.where(completed.fillna(-1).to_numpy() == 1, "complete",
                               np.where(completed.fillna(-1).to_numpy() == 0, "partial", "unknown")))
    known = bool(completed.notna().any())
    categories = ["complete", "partial", "unknown"] if known else ["unknown"]
    for g in w.groups:
        n_g = int(g.mask.sum())
        n_id = w.n_total_id(g)
        parts = []
        for category in categories:
            cid = reg.cell(f"response|completion|{category}|{g.group_var}|{g.label}", g.mask & (status == category), n_g)
            parts.append(cid)
            reg.row(table="response", variable="completion", category=category, group=g, num=cid, den=n_id,
                    ntot=n_id, denominator_definition=DEN_ALL, measured=True, fields=[])
        reg.relate(n_id, parts)
        if known:
            cp = reg.cell(f"response|responded|complete_or_partial|{g.group_var}|{g.label}",
                          g.mask & np.isin(status, ["complete", "partial"]), n_g)
            reg.relate(cp, parts[:2])
    for category in categories:
        _group_relations(reg, w.groups, lambda g, c=category: f"response|completion|{c}|{g.group_var}|{g.label}")
    if known:
        _group_relations(reg, w.groups, lambda g: f"response|responded|complete_or_partial|{g.group_var}|{g.label}")
    total, units = _population(w.meta)
    targets = [(w.groups[0], total)] + [(g, units.get(g.label)) for g in w.groups if g.group_var == "org_unit"]
    # units in the population without any respondent
    seen = {g.label for g in w.groups if g.group_var == "org_unit"}
    empty = [(_Group("org_unit", u, np.zeros(n, dtype=bool)), size) for u, size in sorted(units.items()) if u not in seen]
    for g, size in targets + empty:
        if g.group_var != "all" and size is None:
            continue
        for rr in ("RR1", "RR2"):
            if g.label in seen or g.group_var == "all":
                if rr == "RR1":
                    num = f"response|completion|complete|{g.group_var}|{g.label}" if known else None
                else:
                    num = f"response|responded|complete_or_partial|{g.group_var}|{g.label}" if known else w.n_total_id(g)
                ntot = w.n_total_id(g)
                num_value = None
            else:
                num, ntot, num_value = None, None, 0
            reg.row(table="response", variable=rr, category=rr, group=g, num=num, den=None, den_value=size,
                    num_value=num_value, ntot=ntot, denominator_definition=DEN_POPULATION, measured=True, fields=[],
                    response_rate=True, completion_known=known)


# ----------------------------------------------------------------------------------------------
# dedup, disclosure, statistics
# ----------------------------------------------------------------------------------------------
def _family(cid: str) -> tuple[str, str]:
    """(family, group key) of a cell id ``<family>|<group_var>|<group>``."""
    family, group_var, group = cid.rsplit("|", 2)
    return family, f"{group_var}|{group}"


def _dedup(reg: _Registry) -> dict[str, str]:
    """Map every cell id to a canonical id, so that a quantity published in two places is one cell
    (suppressed in both or in neither).

    Only *structural* identities are merged. Every cell of a group is the wave-level (``Totaal``)
    cell of its family intersected with the group, so two families whose wave-level respondent
    sets are identical are identical in every group: that identity follows from the instrument
    (the 'na' of every OD7 option = OD7 not answered; OD1 answered = the gate answers; asked OD4 =
    the follow-up base; break-offs = partial completes) and an attacker may know it. A coincidence
    inside one group (all 20 members of a unit answered 'no', so a category equals the unit
    total) is not merged: that is the group-disclosure case itself and must stay a separate,
    protected cell. Cells that share a relation are never merged."""
    rel_of: dict[str, set[int]] = {}
    for i, relation in enumerate(reg.relations):
        for cell in relation.cells:
            rel_of.setdefault(cell, set()).add(i)
    # canonical family per wave-level respondent set
    family_canon: dict[str, str] = {}
    by_hash: dict[bytes, list[str]] = {}
    for cid in reg.packed:
        family, key = _family(cid)
        if family in family_canon or key != f"all|{TOTAL_GROUP}":
            continue
        family_canon[family] = family
        if not reg.count[cid]:
            continue
        digest = reg.packed[cid].tobytes()  # the same respondents, the same bits
        for other in by_hash.get(digest, []):
            if np.array_equal(reg.packed[f"{other}|all|{TOTAL_GROUP}"], reg.packed[cid]):
                family_canon[family] = other
                break
        else:
            by_hash.setdefault(digest, []).append(family)
    alias: dict[str, str] = {}
    canon_rel: dict[str, set[int]] = {}
    for cid in reg.packed:
        alias[cid] = cid
        family, key = _family(cid)
        target_family = family_canon.get(family, family)
        if target_family != family:
            target = f"{target_family}|{key}"
            target = alias.get(target, target)
            if target in reg and not (canon_rel.get(target, set()) & rel_of.get(cid, set())):
                alias[cid] = target
                canon_rel[target] = canon_rel.get(target, set()) | rel_of.get(cid, set())
                continue
        canon_rel.setdefault(cid, set()).update(rel_of.get(cid, set()))
    return alias


def _is_sensitive(cid: str) -> bool:
    """A substantive answer in an estimate table (group disclosure applies); not a missing-answer
    category, not response behaviour (gate status, pilot evaluation, response)."""
    parts = cid.split("|")
    if parts[0] not in ("prevalence", "distributions") or parts[1] == "gate_status":
        return False
    return parts[2] not in MISSING_CATEGORIES


def _cost_tier(cid: str) -> int:
    """Extra cost of a cell as secondary complement (see drukmonitor.disclosure.cost_tiers).

    Unit-level categories are used first (0-2). Denominators blank a whole table when suppressed:
    the respondents and follow-up bases of a group (3: they only denominate the gate-status and
    distribution rows), the gate answers of a group (5: they denominate the prevalence of every
    type). Cells of the whole organisation are the headline numbers (4; its denominators 6-7)."""
    total = cid.endswith(f"|all|{TOTAL_GROUP}")
    if cid.startswith("prevalence|gate_status|answered|"):
        return 7 if total else 5
    if cid.startswith("base|"):
        return 6 if total else 3
    return 4 if total else 0


def _protect_registry(reg: _Registry, settings: Mapping[str, Any]) -> tuple[pd.DataFrame, dict[str, str], list[Relation]]:
    """Merge structural identities, then protect all cells of the wave jointly."""
    alias = _dedup(reg)
    canon = list(dict.fromkeys(alias[c] for c in reg.packed))
    group_n: dict[str, int | None] = {}
    for cid, target in alias.items():
        value = reg.group_n.get(cid)
        if value is not None:
            group_n[target] = value if group_n.get(target) is None else min(group_n[target], value)
    relations, seen = [], set()
    for relation in reg.relations:
        mapped = Relation(alias[relation.total], tuple(alias[p] for p in relation.parts), relation.sensitive,
                          relation.within_group)
        key = (mapped.total, mapped.parts)
        if key in seen or mapped.total in mapped.parts:
            continue
        seen.add(key)
        relations.append(mapped)
    sensitive: dict[str, bool] = {}
    for cid, target in alias.items():
        sensitive[target] = sensitive.get(target, False) or _is_sensitive(cid)
    tier: dict[str, int] = {}
    for cid, target in alias.items():
        tier[target] = max(tier.get(target, 0), _cost_tier(cid))
    cells = pd.DataFrame({
        "cell_id": canon,
        "count": [reg.count[c] for c in canon],
        "group_n": pd.array([group_n.get(c) for c in canon], dtype="Int64"),
        "sensitive": [sensitive[c] for c in canon],
        "cost_tier": [tier[c] for c in canon],
    })
    return protect(cells, relations, DisclosureSettings.from_settings(settings)), alias, relations


def _weights(df: pd.DataFrame, settings: Mapping[str, Any]) -> np.ndarray | None:
    if settings.get("weighting", "kish") == "none" or "weight" not in df or df["weight"].notna().sum() == 0:
        return None
    weight = pd.to_numeric(df["weight"], errors="coerce")
    if weight.isna().any():
        raise DrukmonitorError(f"weight missing for {int(weight.isna().sum())} of {len(df)} respondents", column="weight")
    if (weight <= 0).any():
        raise DrukmonitorError("weights must be positive", column="weight", value=float(weight[weight <= 0].iloc[0]))
    return weight.to_numpy(dtype=float)


def _reference_period(meta: Mapping[str, Any]) -> str | None:
    if meta.get("reference_period_label"):
        return str(meta["reference_period_label"])
    months = meta.get("reference_period_months")
    return None if months is None else f"{int(months)} maanden"


def _assemble(w: _Wave, protection: pd.DataFrame, alias: dict[str, str]) -> pd.DataFrame:
    reg, meta, settings = w.reg, w.meta, w.settings
    weights = reg.weights
    alpha = 1.0 - float(settings.get("confidence_level", 0.95))
    level = f"{round(100 * (1 - alpha))}%"
    status = protection.set_index("cell_id")
    ids = list(status.index)
    count, wsum, w2sum = reg.count, reg.wsum, reg.w2sum
    suppressed = status["suppressed"].to_dict()
    reason = status["suppression_reason"].to_dict()
    records = []
    for row in reg.rows:
        g: _Group = row["group"]
        num = alias.get(row["num"]) if row.get("num") else None
        den = alias.get(row["den"]) if row.get("den") else None
        ntot = alias.get(row["ntot"]) if row.get("ntot") else None
        measured = bool(row.get("measured", True))
        rec = {
            "table": row["table"], "variable": row["variable"], "category": row["category"],
            "group_var": g.group_var, "group": g.label, "denominator_definition": row["denominator_definition"],
            "measured": measured, "fields": ",".join(row.get("fields") or []),
        }
        numerator = count[num] if num else row.get("num_value")
        denominator = count[den] if den else row.get("den_value")
        share = ci_low = ci_high = n_eff = np.nan
        weighted = False
        if row.get("response_rate"):
            method = ("AAPOR RR1: volledig ingevulde vragenlijsten / doelpopulatie (census, geen steekproeffout)"
                      if row["variable"] == "RR1" else
                      "AAPOR RR2: volledig en gedeeltelijk ingevulde vragenlijsten / doelpopulatie (census)")
            if not row.get("completion_known") and row["variable"] == "RR1":
                method += "; voltooiing onbekend (geen kolom completed)"
            if denominator is None:
                method = "populatieomvang niet opgegeven"
            if numerator is not None and denominator:
                share = numerator / denominator
        elif not measured:
            method = NOT_MEASURED
            numerator = denominator = None
        elif den is not None and num is not None:
            if weights is not None and row["table"] in ("prevalence", "distributions"):
                weighted = True
                if wsum[den] > 0:
                    share = wsum[num] / wsum[den]
                    n_eff = wsum[den] ** 2 / w2sum[den]
                method = (f"gewogen aandeel; Wilson-interval ({level}) op Kish effectieve steekproefomvang "
                          "n_eff = (som w)^2 / som w^2")
            else:
                if denominator > 0:
                    share = numerator / denominator
                n_eff = float(denominator)
                method = f"aandeel; Wilson-interval ({level})"
        else:
            method = f"aandeel; Wilson-interval ({level})"
        rec.update(numerator=numerator, denominator=denominator, share=share, n_eff=n_eff, method=method,
                   weighted=weighted, ci_low=ci_low, ci_high=ci_high)
        rec["n_total"] = count[ntot] if ntot else None
        num_sup = bool(suppressed.get(num, False)) if num else False
        den_sup = bool(suppressed.get(den, False)) if den else False
        rec["suppressed"] = num_sup or den_sup
        rec["suppression_reason"] = reason.get(num) if num_sup else ("secondary" if den_sup else None)
        rec["denominator_suppressed"] = den_sup
        rec["n_total_suppressed"] = bool(suppressed.get(ntot, False)) if ntot else False
        if row["table"] in ("prevalence", "distributions"):
            spec_fields = row.get("fields") or []
            level_name, reasons = comp.wave_level(spec_fields, meta)
            if measured and level_name == "not_measured":
                level_name = "proxy"  # measured, but a field that delimits it (e.g. doubt) is not: other scope
            rec["comparability"] = level_name
            rec["comparability_reasons"] = "; ".join(reasons)
        else:
            rec["comparability"] = None
            rec["comparability_reasons"] = None
        records.append(rec)
    out = pd.DataFrame.from_records(records)
    # Wilson intervals, vectorised (on n_eff with weights: counts share * n_eff)
    ci_rows = out["measured"] & out["n_eff"].notna() & out["share"].notna() & ~out["table"].eq("response")
    low, high = wilson_interval((out.loc[ci_rows, "share"] * out.loc[ci_rows, "n_eff"]).to_numpy(),
                                out.loc[ci_rows, "n_eff"].to_numpy(), alpha)
    out.loc[ci_rows, "ci_low"] = low
    out.loc[ci_rows, "ci_high"] = high
    out.insert(0, "wave", str(meta.get("id", "")))
    out.insert(1, "instrument", str(meta.get("instrument", "")))
    out["reference_period"] = _reference_period(meta)
    return _typed(out)


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    for column in ("numerator", "denominator", "n_total"):
        out[column] = pd.array(pd.to_numeric(out[column], errors="coerce"), dtype="Float64").round().astype("Int64")
    for column in ("share", "ci_low", "ci_high", "n_eff"):
        out[column] = pd.array(pd.to_numeric(out[column], errors="coerce"), dtype="Float64")
        out.loc[out[column].isna(), column] = pd.NA
    for column in ("wave", "instrument", "table", "variable", "category", "group_var", "group", "denominator_definition",
                   "method", "suppression_reason", "comparability", "comparability_reasons", "reference_period", "fields"):
        out[column] = out[column].astype("string")
    for column in ("weighted", "suppressed", "measured", "denominator_suppressed", "n_total_suppressed"):
        out[column] = out[column].astype(bool)
    return out[CONTRACT_COLUMNS + EXTRA_COLUMNS]


def _group_tests(w: _Wave, tables: pd.DataFrame) -> pd.DataFrame:
    """Chi-square tests per variable and grouping, from published numbers only (see module doc)."""
    settings, meta = w.settings, w.meta
    records = []
    source = tables[tables["table"].isin(["prevalence", "distributions"]) & tables["measured"]
                    & ~tables["variable"].isin(["gate_status", "type_grey_area"])]
    for (table, variable), block in source.groupby(["table", "variable"], sort=False):
        for gv in ("org_unit", "role_group"):
            sub = block[(block["group_var"] == gv) & (block["group"] != UNKNOWN_GROUP)]
            rec = {"table": "group_tests", "variable": variable, "category": None, "group_var": gv, "group": None,
                   "fields": block["fields"].iloc[0], "source_table": table}
            if sub.empty:
                continue
            groups = [g for g, gb in sub.groupby("group", sort=False)
                      if not gb["denominator_suppressed"].any() and int(gb["denominator"].iloc[0]) > 0]
            sub = sub[sub["group"].isin(groups)]
            categories = list(dict.fromkeys(sub["category"]))
            published_all = sub.groupby("category", sort=False)["suppressed"].apply(lambda s: not s.any())
            kept = [c for c in categories if published_all.get(c, False) and c not in MISSING_CATEGORIES]
            dropped = [c for c in categories if published_all.get(c, False) and c in MISSING_CATEGORIES]
            notes = []
            if len(groups) < 2:
                notes.append("minder dan twee groepen met gepubliceerde aantallen: geen toets")
                records.append({**rec, "note": "; ".join(notes)})
                continue
            wide = sub.pivot(index="group", columns="category", values="numerator").reindex(groups)
            base = sub.groupby("group", sort=False)["denominator"].first().reindex(groups).astype(float)
            counts = wide[kept].astype(float) if kept else pd.DataFrame(index=groups)
            rest = base - counts.sum(axis=1) - (wide[dropped].astype(float).sum(axis=1) if dropped else 0.0)
            if (rest > 0).any():
                counts = counts.assign(**{"(overig)": rest})
                pooled = [c for c in categories if c not in kept and c not in dropped]
                if pooled:
                    notes.append("samengevoegd tot 'overig' (onderdrukt of ontbrekend): " + ", ".join(pooled))
            if dropped:
                notes.append("ontbrekende antwoorden niet meegeteld: " + ", ".join(dropped))
            matrix = counts.to_numpy(dtype=float)
            matrix = matrix[:, matrix.sum(axis=0) > 0]
            matrix = matrix[matrix.sum(axis=1) > 0, :]
            if matrix.shape[0] < 2 or matrix.shape[1] < 2:
                notes.append("te weinig gevulde groepen of categorieën: geen toets")
                records.append({**rec, "denominator": int(matrix.sum()), "note": "; ".join(notes)})
                continue
            chi2, p, dof, expected = chi2_contingency(matrix, correction=False)
            lt5 = float((expected < 5).mean())
            if lt5 > 0:
                warn = (f"{(expected < 5).sum()} van {expected.size} verwachte aantallen < 5 "
                        f"(kleinste {expected.min():.1f})")
                if lt5 > 0.2 or expected.min() < 1:
                    warn += ": chi-kwadraatbenadering onbetrouwbaar, uitkomst indicatief"
                notes.append(warn)
            records.append({**rec, "denominator": int(matrix.sum()), "statistic": float(chi2), "df": int(dof),
                            "p_value": float(p), "cramers_v": cramers_v(matrix), "min_expected": float(expected.min()),
                            "share_expected_lt5": lt5, "n_groups": int(matrix.shape[0]),
                            "n_categories": int(matrix.shape[1]), "note": "; ".join(notes)})
    columns = CONTRACT_COLUMNS + EXTRA_COLUMNS + TEST_COLUMNS
    if not records:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns}).pipe(_typed_tests)
    out = pd.DataFrame.from_records(records)
    method = settings.get("multiple_testing", "holm")
    n_tests = int(out["p_value"].notna().sum()) if "p_value" in out else 0
    out["p_adjusted"] = comp.adjust_pvalues(out.get("p_value", pd.Series(np.nan, index=out.index)), method)
    correction = "zonder correctie" if method in (None, "none") else f"{method}-correctie over {n_tests} toetsen"
    out["method"] = (f"Pearson chi-kwadraattoets op onafhankelijkheid (ongewogen aantallen, geen continuïteitscorrectie); "
                     f"Cramér's V; p-waarden {correction} van deze golf")
    out["wave"] = str(meta.get("id", ""))
    out["instrument"] = str(meta.get("instrument", ""))
    out["denominator_definition"] = "respondenten in de getoetste groepen"
    out["weighted"] = False
    out["suppressed"] = False
    out["measured"] = True
    out["denominator_suppressed"] = False
    out["n_total_suppressed"] = False
    out["reference_period"] = _reference_period(meta)
    levels = [comp.wave_level(f.split(",") if f else [], meta) for f in out["fields"]]
    out["comparability"] = [lv for lv, _ in levels]
    out["comparability_reasons"] = ["; ".join(r) for _, r in levels]
    for column in columns:
        if column not in out:
            out[column] = pd.NA
    return _typed_tests(out[columns])


def _typed_tests(out: pd.DataFrame) -> pd.DataFrame:
    out = out.copy()
    for column in ("numerator", "denominator", "n_total", "df", "n_groups", "n_categories"):
        out[column] = pd.array(pd.to_numeric(out[column], errors="coerce"), dtype="Float64").round().astype("Int64")
    for column in ("share", "ci_low", "ci_high", "n_eff", "statistic", "p_value", "p_adjusted", "cramers_v",
                   "min_expected", "share_expected_lt5"):
        out[column] = pd.array(pd.to_numeric(out[column], errors="coerce"), dtype="Float64")
    for column in ("wave", "instrument", "table", "variable", "category", "group_var", "group", "denominator_definition",
                   "method", "suppression_reason", "comparability", "comparability_reasons", "reference_period",
                   "fields", "note"):
        out[column] = out[column].astype("string")
    for column in ("weighted", "suppressed", "measured", "denominator_suppressed", "n_total_suppressed"):
        out[column] = out[column].fillna(False).astype(bool)
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------------
REQUIRED_COLUMNS = ("wave", "instrument", "respondent_id", "content", "type", "grey_area")


def estimate_wave(
    classified: pd.DataFrame, wave_meta: Mapping[str, Any], settings: Mapping[str, Any] | None = None, *,
    internal: bool = False,
) -> dict[str, pd.DataFrame]:
    """All estimate tables of one wave, jointly through disclosure control.

    Returns ``{"prevalence", "distributions", "group_tests", "response"}`` plus ``"pilot_evaluation"``
    for pilot waves. By default the tables are *published* (suppressed values blanked); with
    ``internal=True`` they keep every value next to the ``suppressed`` flags (for comparisons of
    waves and for tests; never write these where a report can read them).
    """
    settings = dict(settings or {})
    missing = [c for c in REQUIRED_COLUMNS if c not in classified.columns]
    if missing:
        raise DrukmonitorError(f"classified table lacks columns {missing}", column=missing[0])
    w = _build(classified, wave_meta, settings)
    pilot = bool(wave_meta.get("pilot", False))
    protection, alias, _ = _protect_registry(w.reg, settings)
    table = _assemble(w, protection, alias)
    tables = {name: table[table["table"] == name].reset_index(drop=True) for name in ("prevalence", "distributions")}
    tables["group_tests"] = _group_tests(w, table)
    if pilot:
        tables["pilot_evaluation"] = table[table["table"] == "pilot_evaluation"].reset_index(drop=True)
    tables["response"] = table[table["table"] == "response"].reset_index(drop=True)
    if internal:
        return tables
    return {name: published(t) for name, t in tables.items()}


def estimate_wave_internal(classified: pd.DataFrame, wave_meta: Mapping[str, Any],
                           settings: Mapping[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """Unsuppressed values with suppression flags (see :func:`estimate_wave`)."""
    return estimate_wave(classified, wave_meta, settings, internal=True)


def _build(classified: pd.DataFrame, wave_meta: Mapping[str, Any], settings: Mapping[str, Any]) -> _Wave:
    """All cells, relations and rows of a wave (before disclosure control)."""
    df = classified.reset_index(drop=True)
    if "source_row" in df:
        df = df.sort_values("source_row", kind="stable").reset_index(drop=True)
    w = _Wave(df=df, meta=wave_meta, settings=settings, groups=_groups(df), reg=_Registry(len(df), _weights(df, settings)),
              bases=_base_masks(df), base_ids={})
    _register_bases(w)
    for spec in PREVALENCE_SPECS:
        _variable_rows(w, spec)
    for spec in distribution_specs(df.columns):
        _variable_rows(w, spec)
    _response_rows(w)
    if bool(wave_meta.get("pilot", False)):
        _pilot_rows(w)
    return w


def disclosure_cells(classified: pd.DataFrame, wave_meta: Mapping[str, Any],
                     settings: Mapping[str, Any] | None = None) -> tuple[pd.DataFrame, list[Relation]]:
    """The protected cells and the relations of a wave, as the attacker sees them (for audits and the
    differencing-attack test)."""
    protection, _, relations = _protect_registry(_build(classified, wave_meta, dict(settings or {})).reg,
                                                 dict(settings or {}))
    return protection, relations


from drukmonitor.comparability import compare_waves  # noqa: E402  (re-export; defined with the comparability rules)

__all__ = [
    "estimate_wave", "estimate_wave_internal", "compare_waves", "published", "kish_n_eff", "wilson_interval",
    "cramers_v", "disclosure_cells", "CONTRACT_COLUMNS",
]
