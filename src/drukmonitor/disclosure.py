"""Statistical disclosure control for every published table (reporting.md, "Disclosure control").

The engine works on *cells* (respondent counts, identified by a string id) and *relations*
(additive lines: ``total = part_1 + ... + part_m``), so it protects linked tables jointly: the
categories of a variable within a group sum to the group's base, group cells sum to the overall
(``Totaal``) cell, teams sum to units and units to the organisation, and a cell that appears in two
tables is one cell.

Method (documented for the README)
----------------------------------
1. **Primary suppression** (reason ``primary``), with ``k = min_cell_size``:
   - every cell with ``0 < n < k``;
   - every cell of a group with fewer than ``k`` respondents (``0 < group_n < k``), zeros included;
   - every part of a within-group line whose total has ``0 < total < k`` (a sub-population smaller
     than k, e.g. the follow-up questions in a unit where only 4 people reported a request), zeros
     included.
2. **Group disclosure** (reason ``group_disclosure``, setting ``group_disclosure``): in a line marked
   *sensitive* (the distribution of an answer within one group) whose total is ``0 < t <
   group_disclosure_max_n``, every part whose share is 0% or 100% is suppressed: it tells the answer
   of every member of the group. Exempt: a zero that follows from a zero in the larger group (a
   category nobody in the organisation chose) and categories that are no substantive answer
   ('na', 'Weet ik niet', 'Wil ik niet zeggen', item nonresponse).
3. **Secondary suppression** ("hypercube-like" smallest-count complement heuristic): for every line
   with exactly one suppressed cell, suppress one more cell of that line, chosen in this order:
   by cost tier — a non-zero *leaf* part (the total of no other line, so the suppression
   propagates nowhere), a zero leaf part, a part that is a total elsewhere, then the tiers the
   caller marks as expensive (:mod:`drukmonitor.estimate`: every cell of the whole organisation,
   and most expensive its denominators, whose suppression would blank a whole table); the line's
   own total costs one tier more than its tier; within a tier the smallest count; ties are broken by
   cell id. Iterate over
   all lines until a fixed point (no line has exactly one suppressed cell).
4. **Audit and repair** (the differencing attack, run on every table, not only in tests): for each
   primary or group-disclosure cell the attacker's feasible range is computed by linear
   programming (``scipy.optimize.linprog``, HiGHS) subject to every published cell, every relation
   and non-negativity. *Protection criterion*: the feasible interval ``[lower, upper]`` of every such
   cell must have width >= 1 (with integer counts: the value is never pinned down exactly, a 0% or
   100% is never certain). A cell that fails makes the engine suppress one more published cell
   from the lines through it or through its suppressed neighbours (same order as step 3, nearer
   lines first), after which steps 3-4 repeat until every cell passes.

Limits (stated, not hidden): the attacker is assumed to know only the published cells and the
declared relations (no prior knowledge of the suppression rules, no knowledge of one's own answer —
a respondent who knows they are the single member of a suppressed cell can still subtract
themselves); LP ranges are continuous relaxations.

``published(table)`` blanks numerator, denominator, share, interval and effective n of suppressed
rows of any estimate table made by :mod:`drukmonitor.estimate`; reports only ever read its result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

PRIMARY = "primary"
SECONDARY = "secondary"
GROUP_DISCLOSURE = "group_disclosure"
REASONS = (PRIMARY, SECONDARY, GROUP_DISCLOSURE)

DEFAULT_MIN_CELL_SIZE = 10
DEFAULT_GROUP_DISCLOSURE_MAX_N = 30
#: a suppressed primary / group-disclosure cell is protected when its feasible range is at least this wide
PROTECTION_WIDTH = 1.0
_TOL = 1e-6


@dataclass(frozen=True)
class Relation:
    """An additive line of a table: ``total = sum(parts)``.

    ``sensitive`` marks a line that is the distribution of an answer within one group, so that group
    disclosure (0% / 100%) applies to its parts. ``within_group`` is true for a partition of one
    group (a total below k makes all its parts primary) and false for lines that add groups up to a
    larger group (units to the organisation), where a small total is protected by itself.
    """

    total: str
    parts: tuple[str, ...]
    sensitive: bool = False
    within_group: bool = True

    @property
    def cells(self) -> tuple[str, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class DisclosureSettings:
    min_cell_size: int = DEFAULT_MIN_CELL_SIZE
    group_disclosure: bool = True
    group_disclosure_max_n: int = DEFAULT_GROUP_DISCLOSURE_MAX_N

    @classmethod
    def from_settings(cls, settings: Mapping | None) -> "DisclosureSettings":
        settings = settings or {}
        return cls(
            min_cell_size=int(settings.get("min_cell_size", DEFAULT_MIN_CELL_SIZE)),
            group_disclosure=bool(settings.get("group_disclosure", True)),
            group_disclosure_max_n=int(settings.get("group_disclosure_max_n", DEFAULT_GROUP_DISCLOSURE_MAX_N)),
        )


# ----------------------------------------------------------------------------------------------
# primary suppression
# ----------------------------------------------------------------------------------------------
def _as_counts(cells: pd.DataFrame) -> pd.Series:
    if cells["cell_id"].duplicated().any():
        dup = cells.loc[cells["cell_id"].duplicated(), "cell_id"].iloc[0]
        raise ValueError(f"cell id {dup!r} occurs twice")
    counts = pd.Series(cells["count"].to_numpy(dtype="int64"), index=pd.Index(cells["cell_id"].astype(str), name="cell_id"))
    if (counts < 0).any():
        raise ValueError("cell counts must be non-negative")
    return counts


def _check_relations(relations: Sequence[Relation], counts: pd.Series) -> None:
    for relation in relations:
        missing = [c for c in relation.cells if c not in counts.index]
        if missing:
            raise ValueError(f"relation with total {relation.total!r} names unknown cells {missing}")
        if counts[relation.total] != sum(int(counts[p]) for p in relation.parts):
            raise ValueError(
                f"relation does not add up: {relation.total} = {counts[relation.total]} but parts sum to "
                f"{sum(int(counts[p]) for p in relation.parts)}"
            )


def primary_suppression(
    cells: pd.DataFrame, relations: Sequence[Relation], settings: DisclosureSettings
) -> pd.Series:
    """Reason per cell id: ``primary``, ``group_disclosure`` or NA (not suppressed by a primary rule).

    ``cells`` has columns ``cell_id``, ``count`` and optionally ``group_n`` (size of the group the
    cell belongs to; NA when not applicable), ``sensitive`` (False for a category that is not a
    substantive answer, e.g. 'na' or 'Wil ik niet zeggen': no group disclosure; default True) and
    ``cost_tier`` (see :func:`cost_tiers`).
    """
    counts = _as_counts(cells)
    k = settings.min_cell_size
    reason = pd.Series(pd.NA, index=counts.index, dtype="string")
    small = (counts > 0) & (counts < k)
    if "group_n" in cells:
        group_n = pd.Series(cells["group_n"].to_numpy(), index=counts.index).astype("Float64")
        small |= ((group_n > 0) & (group_n < k)).fillna(False).astype(bool)
    for relation in relations:
        total = counts[relation.total]
        if relation.within_group and 0 < total < k:
            small.loc[list(relation.parts)] = True
    reason[small] = PRIMARY
    implied = implied_zeros(counts, relations)
    sensitive_cell = _sensitive_cells(cells, counts)
    if settings.group_disclosure:
        max_n = settings.group_disclosure_max_n
        for relation in relations:
            if not relation.sensitive:
                continue
            total = int(counts[relation.total])
            if not 0 < total < max_n:
                continue
            for part in relation.parts:
                value = int(counts[part])
                if value == 0 and part in implied:
                    continue  # zero in the whole of a larger group: not a disclosure about this group
                if not sensitive_cell[part]:
                    continue  # a missing-answer category ('na', 'Wil ik niet zeggen'): not a sensitive answer
                if (value == 0 or value == total) and pd.isna(reason[part]):
                    reason[part] = GROUP_DISCLOSURE
    return reason


def _sensitive_cells(cells: pd.DataFrame, counts: pd.Series) -> pd.Series:
    if "sensitive" not in cells:
        return pd.Series(True, index=counts.index)
    return pd.Series(cells["sensitive"].fillna(True).astype(bool).to_numpy(), index=counts.index)


def implied_zeros(counts: pd.Series, relations: Sequence[Relation]) -> set[str]:
    """Zero cells that are a part of a line whose total is zero: their value follows from the larger
    group (e.g. a category nobody in the organisation chose) and tells nothing about this group."""
    return {p for r in relations if counts[r.total] == 0 for p in r.parts if counts[p] == 0}


def audit_targets(
    counts: pd.Series, reason: Mapping[str, str | None], relations: Sequence[Relation],
    sensitive: Mapping[str, bool] | None = None,
) -> list[str]:
    """Cells the protection criterion applies to: every primary cell with 0 < n < k and every
    group-disclosure cell, plus zero cells of sensitive lines suppressed by the small-group rule
    (a 0% in a small group); implied zeros, zeros of non-sensitive lines and zeros of cells that are
    not a sensitive answer (``sensitive`` False) are exempt."""
    sensitive = sensitive or {}
    implied = implied_zeros(counts, relations)
    sensitive_parts = {p for r in relations if r.sensitive for p in r.parts}
    targets = []
    for cell, why in reason.items():
        if why not in (PRIMARY, GROUP_DISCLOSURE):
            continue
        if counts[cell] > 0 or (cell in sensitive_parts and cell not in implied and sensitive.get(cell, True)):
            targets.append(cell)
    return targets


# ----------------------------------------------------------------------------------------------
# secondary suppression
# ----------------------------------------------------------------------------------------------
def _complement_key(cell: str, relation: Relation | None, counts: pd.Series, tiers: Mapping[str, int],
                    ring: int = 0) -> tuple:
    """Ranking of candidate complements, best first: the cost tier of the cell (see :func:`cost_tiers`;
    the line's own total always last), then the nearest ring (repair), the smallest count, the id."""
    tier = tiers[cell]
    if relation is not None and cell == relation.total:
        tier = max(tier, 2) + 1  # the line's own total propagates upwards: dearer than its tier
    return (tier, ring, int(counts[cell]), cell)


def cost_tiers(counts: pd.Series, relations: Sequence[Relation], cells: pd.DataFrame | None = None) -> dict[str, int]:
    """Cost tier of suppressing each cell as a complement (lower is cheaper).

    Default: 0 a non-zero leaf (the total of no line: its suppression propagates nowhere), 1 a zero
    leaf, 2 a cell that is the total of another line. A ``cost_tier`` column in ``cells`` raises
    tiers (callers mark wave-level cells and denominators as expensive: suppressing them blanks a
    whole table)."""
    totals = {r.total for r in relations}
    tiers = {c: (2 if c in totals else (0 if counts[c] > 0 else 1)) for c in counts.index}
    if cells is not None and "cost_tier" in cells:
        for cell, extra in zip(cells["cell_id"].astype(str), cells["cost_tier"]):
            if pd.notna(extra):
                tiers[cell] = max(tiers[cell], int(extra))
    return tiers


def _choose(candidates: Iterable[tuple[str, Relation | None, int]], counts: pd.Series, tiers: Mapping[str, int]) -> str | None:
    best = None
    for cell, relation, ring in candidates:
        key = _complement_key(cell, relation, counts, tiers, ring)
        if best is None or key < best[0]:
            best = (key, cell)
    return None if best is None else best[1]


def _fixed_point(
    counts: pd.Series, reason: dict[str, str | None], relations: Sequence[Relation], tiers: Mapping[str, int] | None = None
) -> None:
    tiers = cost_tiers(counts, relations) if tiers is None else tiers
    changed = True
    while changed:
        changed = False
        for relation in relations:
            cells = relation.cells
            n_suppressed = sum(1 for c in cells if reason[c] is not None)
            if n_suppressed != 1:
                continue
            pick = _choose(((c, relation, 0) for c in cells if reason[c] is None), counts, tiers)
            if pick is not None:
                reason[pick] = SECONDARY
                changed = True


def feasible_ranges(
    counts: pd.Series,
    suppressed: pd.Series,
    relations: Sequence[Relation],
    targets: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The attacker's view: min and max of each target suppressed cell over all non-negative values of
    the suppressed cells that reproduce every published cell through the relations (LP, HiGHS).

    Returns a DataFrame indexed by cell id with ``lower``, ``upper`` (``inf`` when unbounded) and
    ``width``.
    """
    suppressed = suppressed.reindex(counts.index).fillna(False).astype(bool)
    sup_ids, position, a_eq, b_eq, var_label, eq_label = _equations(counts, suppressed, relations)
    targets = list(sup_ids if targets is None else targets)
    out = pd.DataFrame(index=pd.Index(targets, name="cell_id"), columns=["lower", "upper"], dtype=float)
    if not targets:
        out["width"] = pd.Series(dtype=float)
        return out
    cache: dict[int, tuple[np.ndarray, sparse.csr_matrix, np.ndarray]] = {}
    for target in targets:
        j = position.get(target)
        if j is None:  # published: known exactly
            value = float(counts[target])
            out.loc[target] = [value, value]
            continue
        label = var_label[j]
        if label not in cache:
            var_idx = np.flatnonzero(var_label == label)
            eq_idx = np.flatnonzero(eq_label == label)
            cache[label] = (var_idx, a_eq[eq_idx][:, var_idx], b_eq[eq_idx])
        var_idx, a_sub, b_sub = cache[label]
        if a_sub.shape[0] == 0:
            out.loc[target] = [0.0, np.inf]
            continue
        local = int(np.flatnonzero(var_idx == j)[0])
        c = np.zeros(len(var_idx))
        c[local] = 1.0
        low = linprog(c, A_eq=a_sub, b_eq=b_sub, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_sub, b_eq=b_sub, bounds=(0, None), method="highs")
        if low.status != 0:
            raise RuntimeError(f"disclosure audit LP failed for {target}: {low.message}")
        upper = np.inf if high.status == 3 else -high.fun
        if high.status not in (0, 3):
            raise RuntimeError(f"disclosure audit LP failed for {target}: {high.message}")
        out.loc[target] = [low.fun, upper]
    out["width"] = out["upper"] - out["lower"]
    return out


def _equations(counts: pd.Series, suppressed: pd.Series, relations: Sequence[Relation]):
    """A_eq x = b_eq over the suppressed cells (published cells are constants), and the components of
    the bipartite graph cells <-> equations."""
    sup_ids = [c for c in counts.index if suppressed[c]]
    position = {c: i for i, c in enumerate(sup_ids)}
    rows, cols, vals, rhs = [], [], [], []
    n_eq = 0
    for relation in relations:
        coefficients: dict[int, float] = {}
        constant = 0.0
        for cell, sign in [(relation.total, 1.0)] + [(p, -1.0) for p in relation.parts]:
            if cell in position:
                coefficients[position[cell]] = coefficients.get(position[cell], 0.0) + sign
            else:
                constant += sign * float(counts[cell])
        coefficients = {j: v for j, v in coefficients.items() if v != 0.0}
        if not coefficients:
            continue
        for j, v in coefficients.items():
            rows.append(n_eq)
            cols.append(j)
            vals.append(v)
        rhs.append(-constant)
        n_eq += 1
    n_var = len(sup_ids)
    a_eq = sparse.csr_matrix((vals, (rows, cols)), shape=(n_eq, n_var))
    b_eq = np.asarray(rhs, dtype=float)
    if n_eq and n_var:
        graph = sparse.bmat([[None, a_eq.T.astype(bool)], [a_eq.astype(bool), None]], format="csr")
        _, labels = connected_components(graph, directed=False)
        var_label, eq_label = labels[:n_var], labels[n_var:]
    else:
        var_label, eq_label = np.arange(n_var), np.array([], dtype=int)
    return sup_ids, position, a_eq, b_eq, var_label, eq_label


def exposed_cells(
    counts: pd.Series, suppressed: pd.Series, relations: Sequence[Relation], targets: Iterable[str],
    width: float = PROTECTION_WIDTH,
) -> list[str]:
    """Targets whose feasible range is narrower than ``width`` (the protection criterion).

    Fast certification: the true table is feasible, so any feasible vertex ``v`` proves
    ``range(x_j) >= |v_j - true_j|`` for every cell at once. Vertices of min / max of the sum of the
    unresolved targets certify most cells; the rest get their own min / max LPs (every solution again
    certifies all remaining targets it moves by >= width). Upper bounds (the grand sum of all cells)
    only shrink the feasible set, so a certificate found with them is valid without them.
    """
    suppressed = suppressed.reindex(counts.index).fillna(False).astype(bool)
    targets = [t for t in targets if suppressed.get(t, False)]
    if not targets:
        return []
    sup_ids, position, a_eq, b_eq, var_label, eq_label = _equations(counts, suppressed, relations)
    truth_all = np.array([float(counts[c]) for c in sup_ids])
    big = float(counts.sum()) + 1.0
    exposed: list[str] = []
    by_label: dict[int, list[str]] = {}
    for t in targets:
        by_label.setdefault(int(var_label[position[t]]), []).append(t)
    for label, comp_targets in by_label.items():
        var_idx = np.flatnonzero(var_label == label)
        eq_idx = np.flatnonzero(eq_label == label)
        if len(eq_idx) == 0:
            continue  # free variables: unbounded
        a_sub, b_sub = a_eq[eq_idx][:, var_idx], b_eq[eq_idx]
        truth = truth_all[var_idx]
        local = {c: int(np.flatnonzero(var_idx == position[c])[0]) for c in comp_targets}
        open_ = set(comp_targets)

        def solve(objective: np.ndarray) -> None:
            res = linprog(objective, A_eq=a_sub, b_eq=b_sub, bounds=(0, big), method="highs")
            if res.status != 0:
                raise RuntimeError(f"disclosure audit LP failed: {res.message}")
            moved = np.abs(res.x - truth) >= width - _TOL
            for c in list(open_):
                if moved[local[c]]:
                    open_.discard(c)

        for sign in (1.0, -1.0):
            if open_:
                objective = np.zeros(len(var_idx))
                objective[[local[c] for c in open_]] = sign
                solve(objective)
        for c in sorted(comp_targets):
            for sign in (-1.0, 1.0):
                if c in open_:
                    objective = np.zeros(len(var_idx))
                    objective[local[c]] = sign
                    solve(objective)
        exposed += sorted(open_)
    return [t for t in targets if t in set(exposed)]


def _relations_by_cell(relations: Sequence[Relation]) -> dict[str, list[Relation]]:
    index: dict[str, list[Relation]] = {}
    for relation in relations:
        for cell in relation.cells:
            index.setdefault(cell, []).append(relation)
    return index


def _repair_pick(
    cell: str, counts: pd.Series, reason: Mapping[str, str | None], by_cell: Mapping[str, list[Relation]],
    tiers: Mapping[str, int],
) -> str | None:
    """The published cell to suppress next for an exposed ``cell``: searched ring by ring over the
    lines through it and through its suppressed neighbours (the whole connected part of the table),
    ranked like the heuristic's complements with nearer rings first within a rank, so a nearby leaf
    cell wins over a total."""
    candidates: list[tuple[str, Relation | None, int]] = []
    frontier, seen, ring = {cell}, set(), 0
    while frontier:
        seen |= frontier
        lines = [r for c in sorted(frontier) for r in by_cell.get(c, [])]
        candidates += [(c, r, ring) for r in lines for c in r.cells if reason[c] is None]
        frontier = {c for r in lines for c in r.cells if reason[c] is not None} - seen
        ring += 1
    return _choose(candidates, counts, tiers)


def protect(
    cells: pd.DataFrame,
    relations: Sequence[Relation],
    settings: DisclosureSettings | Mapping | None = None,
    *,
    audit: bool = True,
    max_rounds: int | None = None,
) -> pd.DataFrame:
    """Primary, group-disclosure and secondary suppression of linked count cells.

    Returns ``cells`` (order kept) with ``suppressed`` (bool), ``suppression_reason``
    (``primary`` | ``group_disclosure`` | ``secondary`` | NA) and ``audited`` (the protection
    criterion was checked for this cell; see :func:`audit_targets`).
    """
    if not isinstance(settings, DisclosureSettings):
        settings = DisclosureSettings.from_settings(settings)
    relations = [r for r in relations if len(r.parts) > 0]
    counts = _as_counts(cells)
    _check_relations(relations, counts)
    primary = primary_suppression(cells, relations, settings)
    reason: dict[str, str | None] = {c: (None if pd.isna(r) else str(r)) for c, r in primary.items()}
    protected_ids = audit_targets(counts, reason, relations, _sensitive_cells(cells, counts).to_dict())
    by_cell = _relations_by_cell(relations)
    tiers = cost_tiers(counts, relations, cells)
    _fixed_point(counts, reason, relations, tiers)
    rounds = 0
    limit = max_rounds if max_rounds is not None else len(counts) + 1
    open_targets = list(protected_ids)
    while audit and open_targets:
        suppressed = pd.Series({c: reason[c] is not None for c in counts.index})
        # adding a suppression only widens feasible ranges: a protected cell stays protected
        open_targets = exposed_cells(counts, suppressed, relations, open_targets)
        if not open_targets:
            break
        rounds += 1
        if rounds > limit:
            raise RuntimeError(f"disclosure control did not converge; still exposed: {open_targets[:5]}")
        # one more cell per exposed cell (skipping cells whose lines this round already touched),
        # then the heuristic and the audit again
        touched: set[str] = set()
        for target in open_targets:
            near = {c for r in by_cell.get(target, []) for c in r.cells}
            if near & touched:
                continue
            pick = _repair_pick(target, counts, reason, by_cell, tiers)
            if pick is None:
                raise RuntimeError(f"disclosure control cannot protect {target}: no cell left to suppress")
            reason[pick] = SECONDARY
            touched |= {pick} | {c for r in by_cell.get(pick, []) for c in r.cells}
        _fixed_point(counts, reason, relations, tiers)
    result = cells.copy()
    ids = result["cell_id"].astype(str)
    result["suppressed"] = ids.map(lambda c: reason[c] is not None).astype(bool)
    result["suppression_reason"] = pd.array([reason[c] for c in ids], dtype="string")
    result["audited"] = ids.isin(set(protected_ids)).astype(bool)
    return result


def hierarchy_relations(tree: Mapping[str, Sequence[str]], sensitive: bool = False) -> list[Relation]:
    """Relations from a ``{total: [parts]}`` mapping (helper for hierarchical tables)."""
    return [Relation(total, tuple(parts), sensitive) for total, parts in tree.items()]


# ----------------------------------------------------------------------------------------------
# publication
# ----------------------------------------------------------------------------------------------
_ROW_VALUES = ["numerator", "denominator", "share", "ci_low", "ci_high", "n_eff", "statistic", "p_value", "p_adjusted",
               "diff", "cramers_v"]
_DENOMINATOR_VALUES = ["denominator", "share", "ci_low", "ci_high", "n_eff"]
_SIDE_VALUES = ["numerator", "denominator", "share", "ci_low", "ci_high", "n_eff", "n_total"]


def _blank(table: pd.DataFrame, mask: pd.Series, columns: Iterable[str]) -> None:
    mask = mask.fillna(False).astype(bool).to_numpy()
    if not mask.any():
        return
    for column in columns:
        if column in table.columns:
            table.loc[mask, column] = pd.NA


def published(table: pd.DataFrame) -> pd.DataFrame:
    """The publishable version of an (internal) estimate or comparison table.

    Suppressed rows keep their labels, ``suppressed`` and ``suppression_reason`` but lose numerator,
    denominator, share, interval, effective n and any statistic; a suppressed denominator or group
    size is blanked wherever it appears. Raises if the table has not been through disclosure control.
    """
    if "suppressed" not in table.columns:
        raise ValueError("table has no 'suppressed' column: run disclosure control first")
    out = table.copy()
    _blank(out, out["suppressed"], _ROW_VALUES)
    if "denominator_suppressed" in out.columns:
        _blank(out, out["denominator_suppressed"], _DENOMINATOR_VALUES)
    if "n_total_suppressed" in out.columns:
        _blank(out, out["n_total_suppressed"], ["n_total"])
    for side in ("a", "b"):
        flag = f"suppressed_{side}"
        if flag in out.columns:
            _blank(out, out[flag], [f"{c}_{side}" for c in _SIDE_VALUES])
    return out.reset_index(drop=True)
