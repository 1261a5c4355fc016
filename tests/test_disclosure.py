"""Disclosure control: primary rules, secondary suppression and a differencing attack.

Protection criterion tested here (and documented in drukmonitor.disclosure): after publication,
for every suppressed cell with 0 < n < k and every group-disclosure cell (0% / 100% of a small
group), the attacker's feasible interval — min and max of the cell over all non-negative tables
that reproduce every published cell and every additive relation (units within the organisation,
teams within units, categories within a group) — has width >= 1: the value is never pinned down.
The attacker below is written independently of the engine (dense matrices, its own LPs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from drukmonitor.disclosure import (
    GROUP_DISCLOSURE,
    PRIMARY,
    SECONDARY,
    DisclosureSettings,
    Relation,
    feasible_ranges,
    primary_suppression,
    protect,
    published,
)

K = 10


# ----------------------------------------------------------------------------------------------
# an independent attacker
# ----------------------------------------------------------------------------------------------
def attack(cells: pd.DataFrame, relations: list[Relation]) -> pd.DataFrame:
    """Feasible [low, high] of every suppressed cell, from the published cells and the relations."""
    counts = cells.set_index("cell_id")["count"].astype(float)
    hidden = list(cells.loc[cells["suppressed"], "cell_id"])
    col = {c: j for j, c in enumerate(hidden)}
    a_rows, b = [], []
    for relation in relations:
        row = np.zeros(len(hidden))
        rhs = 0.0
        for cell, sign in [(relation.total, 1.0)] + [(p, -1.0) for p in relation.parts]:
            if cell in col:
                row[col[cell]] += sign
            else:
                rhs -= sign * counts[cell]
        if row.any():
            a_rows.append(row)
            b.append(rhs)
    out = {}
    for cell in hidden:
        if not a_rows:
            out[cell] = (0.0, np.inf)
            continue
        c = np.zeros(len(hidden))
        c[col[cell]] = 1.0
        lo = linprog(c, A_eq=np.array(a_rows), b_eq=np.array(b), bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=np.array(a_rows), b_eq=np.array(b), bounds=(0, None), method="highs")
        assert lo.status == 0, lo.message
        out[cell] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return pd.DataFrame.from_dict(out, orient="index", columns=["low", "high"])


# ----------------------------------------------------------------------------------------------
# hierarchical tables: organisation -> units -> teams, categories within every node
# ----------------------------------------------------------------------------------------------
def hierarchical_table(leaf_counts: dict[tuple[str, str], list[int]]) -> tuple[pd.DataFrame, list[Relation]]:
    """``leaf_counts[(unit, team)]`` = counts per category. Cells for every node x (category | total)."""
    n_cat = len(next(iter(leaf_counts.values())))
    cats = [f"c{i}" for i in range(n_cat)] + ["T"]
    values: dict[str, int] = {}
    units: dict[str, list[str]] = {}
    for (unit, team), counts in leaf_counts.items():
        units.setdefault(unit, []).append(team)
        node = f"{unit}/{team}"
        for i, v in enumerate(counts):
            values[f"{node}|c{i}"] = v
        values[f"{node}|T"] = sum(counts)
    for unit, teams in units.items():
        for c in cats:
            values[f"{unit}|{c}"] = sum(values[f"{unit}/{t}|{c}"] for t in teams)
    for c in cats:
        values[f"org|{c}"] = sum(values[f"{u}|{c}"] for u in units)
    nodes = ["org"] + list(units) + [f"{u}/{t}" for u, ts in units.items() for t in ts]
    relations = [Relation(f"{node}|T", tuple(f"{node}|{c}" for c in cats[:-1]), sensitive=True) for node in nodes]
    for c in cats:
        relations.append(Relation(f"org|{c}", tuple(f"{u}|{c}" for u in units), within_group=False))
        for u, teams in units.items():
            relations.append(Relation(f"{u}|{c}", tuple(f"{u}/{t}|{c}" for t in teams), within_group=False))
    group_n = {f"{node}|{c}": values[f"{node}|T"] for node in nodes for c in cats}
    cells = pd.DataFrame({"cell_id": list(values), "count": list(values.values()),
                          "group_n": [group_n[c] for c in values]})
    return cells, relations


count_values = st.one_of(st.integers(0, 4), st.integers(5, 15), st.integers(16, 60))


@st.composite
def hierarchies(draw):
    n_units = draw(st.integers(2, 4))
    n_cat = draw(st.integers(2, 4))
    leaves = {}
    for u in range(n_units):
        for t in range(draw(st.integers(1, 3))):
            leaves[(f"U{u}", f"T{t}")] = draw(st.lists(count_values, min_size=n_cat, max_size=n_cat))
    return leaves


def implied_zero(cell: str, cells: pd.DataFrame, relations: list[Relation]) -> bool:
    counts = cells.set_index("cell_id")["count"]
    return any(cell in r.parts and counts[r.total] == 0 for r in relations)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaves=hierarchies(), max_n=st.sampled_from([0, 30]))
def test_differencing_attack_recovers_no_protected_cell(leaves, max_n):
    cells, relations = hierarchical_table(leaves)
    config = DisclosureSettings(min_cell_size=K, group_disclosure=max_n > 0, group_disclosure_max_n=max_n)
    result = protect(cells, relations, config)
    # 1. nothing published with 0 < n < k
    small = (result["count"] > 0) & (result["count"] < K)
    assert result.loc[small, "suppressed"].all()
    # 2. every suppressed small cell and every group-disclosure cell keeps a feasible range of width >= 1
    ranges = attack(result, relations)
    protected = result[(small & result["suppressed"]) | result["suppression_reason"].eq(GROUP_DISCLOSURE)]
    for cell in protected["cell_id"]:
        low, high = ranges.loc[cell]
        assert high - low >= 1 - 1e-6, f"{cell} pinned to [{low}, {high}]"
    # 3. no line of the published table has exactly one suppressed cell (the heuristic's fixed point)
    suppressed = set(result.loc[result["suppressed"], "cell_id"])
    for relation in relations:
        assert sum(c in suppressed for c in relation.cells) != 1
    # 4. group disclosure: no published 0% / 100% of a small group in a sensitive line (except zeros
    #    that follow from a zero larger group)
    if max_n:
        counts = result.set_index("cell_id")["count"]
        for relation in relations:
            total = counts[relation.total]
            if relation.sensitive and 0 < total < max_n:
                for part in relation.parts:
                    if counts[part] in (0, total) and not (counts[part] == 0 and implied_zero(part, result, relations)):
                        assert part in suppressed, part
    # 5. the engine's own audit agrees with the independent attacker
    engine = feasible_ranges(result.set_index("cell_id")["count"], result.set_index("cell_id")["suppressed"], relations,
                             list(protected["cell_id"]))
    for cell in protected["cell_id"]:
        assert engine.at[cell, "lower"] == pytest.approx(ranges.at[cell, "low"], abs=1e-6)


def test_attacker_recovers_primary_cells_without_secondary_suppression():
    """Sanity check of the attack: primary suppression alone leaks by subtraction."""
    cells, relations = hierarchical_table({("U0", "T0"): [3, 20, 15], ("U1", "T0"): [12, 30, 11]})
    reasons = primary_suppression(cells, relations, DisclosureSettings(group_disclosure=False))
    naive = cells.assign(suppressed=reasons.notna().to_numpy())
    ranges = attack(naive, relations)
    assert ranges.loc["U0/T0|c0", "high"] - ranges.loc["U0/T0|c0", "low"] == pytest.approx(0)


def test_two_way_table_rectangle():
    """The classic pattern: one small cell in a units x categories table needs a rectangle of four."""
    values = {("U1", "a"): 3, ("U1", "b"): 20, ("U1", "c"): 15, ("U2", "a"): 12, ("U2", "b"): 30, ("U2", "c"): 11,
              ("U3", "a"): 14, ("U3", "b"): 40, ("U3", "c"): 18}
    cells = {f"{u}|{c}": v for (u, c), v in values.items()}
    for u in ("U1", "U2", "U3"):
        cells[f"{u}|T"] = sum(v for (uu, _), v in values.items() if uu == u)
    for c in "abc":
        cells[f"T|{c}"] = sum(v for (_, cc), v in values.items() if cc == c)
    cells["T|T"] = sum(values.values())
    relations = [Relation(f"{u}|T", tuple(f"{u}|{c}" for c in "abc"), True) for u in ("U1", "U2", "U3", "T")]
    relations += [Relation(f"T|{c}", tuple(f"{u}|{c}" for u in ("U1", "U2", "U3")), within_group=False) for c in "abcT"]
    frame = pd.DataFrame({"cell_id": list(cells), "count": list(cells.values())})
    result = protect(frame, relations, {"min_cell_size": 10}).set_index("cell_id")
    assert result.loc["U1|a", "suppression_reason"] == PRIMARY
    assert result["suppressed"].sum() == 4  # fewest extra cells: a rectangle
    assert set(result.index[result["suppression_reason"].eq(SECONDARY)]) == {"U1|c", "U2|a", "U2|c"}


def test_primary_rules():
    cells = pd.DataFrame({
        "cell_id": ["g|T", "g|a", "g|b", "g|c", "h|T", "h|a", "h|b"],
        "count": [25, 25, 0, 0, 8, 8, 0],
        "group_n": [25, 25, 25, 25, 8, 8, 8],
    })
    relations = [Relation("g|T", ("g|a", "g|b", "g|c"), sensitive=True), Relation("h|T", ("h|a", "h|b"), sensitive=True)]
    reasons = primary_suppression(cells, relations, DisclosureSettings(min_cell_size=10, group_disclosure_max_n=30))
    # group h has fewer than k respondents: every cell, zeros included
    assert (reasons[["h|T", "h|a", "h|b"]] == PRIMARY).all()
    # group g (25 < 30): everyone gave answer a -> 100% and the 0% cells are group disclosure
    assert (reasons[["g|a", "g|b", "g|c"]] == GROUP_DISCLOSURE).all()
    assert pd.isna(reasons["g|T"])
    # without group disclosure nothing in g is primary
    off = primary_suppression(cells, relations, DisclosureSettings(min_cell_size=10, group_disclosure=False))
    assert off[["g|T", "g|a", "g|b", "g|c"]].isna().all()


def test_line_total_below_k_suppresses_parts_only_within_groups():
    cells = pd.DataFrame({"cell_id": ["T", "a", "b", "S", "x", "y"], "count": [12, 12, 0, 7, 7, 0]})
    relations = [Relation("T", ("a", "b")), Relation("S", ("x", "y"))]  # partitions of two groups
    reasons = primary_suppression(cells, relations, DisclosureSettings(min_cell_size=10, group_disclosure=False))
    assert reasons["y"] == PRIMARY  # the zero of a sub-population smaller than k
    assert pd.isna(reasons["b"])
    sums = [Relation("S", ("x", "y"), within_group=False)]
    reasons = primary_suppression(cells, sums, DisclosureSettings(min_cell_size=10, group_disclosure=False))
    assert pd.isna(reasons["y"])  # a group contributing 0 to a small total discloses nobody


def test_structural_zero_is_not_group_disclosure():
    # category b is empty in the whole organisation: its zero in a small unit says nothing about the unit
    cells = pd.DataFrame({"cell_id": ["o|T", "o|a", "o|b", "u|T", "u|a", "u|b", "v|T", "v|a", "v|b"],
                          "count": [60, 60, 0, 20, 20, 0, 40, 40, 0]})
    relations = [Relation(f"{g}|T", (f"{g}|a", f"{g}|b"), sensitive=True) for g in "ouv"]
    relations += [Relation(f"o|{c}", (f"u|{c}", f"v|{c}"), within_group=False) for c in "abT"]
    reasons = primary_suppression(cells, relations, DisclosureSettings(min_cell_size=10, group_disclosure_max_n=30))
    assert reasons["u|a"] == GROUP_DISCLOSURE  # 100% of unit u gave answer a ...
    assert pd.isna(reasons["u|b"])  # ... but nobody anywhere gave b
    result = protect(cells, relations, DisclosureSettings(min_cell_size=10, group_disclosure_max_n=30))
    ranges = attack(result, relations)
    assert ranges.loc["u|a", "high"] - ranges.loc["u|a", "low"] >= 1


def test_inconsistent_relations_are_rejected():
    cells = pd.DataFrame({"cell_id": ["T", "a", "b"], "count": [10, 3, 4]})
    with pytest.raises(ValueError, match="does not add up"):
        protect(cells, [Relation("T", ("a", "b"))], {})


def test_published_blanks_suppressed_rows():
    table = pd.DataFrame({
        "numerator": pd.array([3, 40], dtype="Int64"), "denominator": pd.array([50, 50], dtype="Int64"),
        "share": pd.array([0.06, 0.8], dtype="Float64"), "ci_low": pd.array([0.02, 0.67], dtype="Float64"),
        "ci_high": pd.array([0.16, 0.89], dtype="Float64"), "n_eff": pd.array([50.0, 50.0], dtype="Float64"),
        "n_total": pd.array([55, 55], dtype="Int64"), "suppressed": [True, False],
        "suppression_reason": pd.array(["primary", pd.NA], dtype="string"),
        "denominator_suppressed": [False, False], "n_total_suppressed": [False, True],
    })
    out = published(table)
    assert out.loc[0, ["numerator", "share", "ci_low", "ci_high"]].isna().all()
    assert out.loc[0, "suppression_reason"] == "primary"
    assert out.loc[1, "numerator"] == 40 and pd.isna(out.loc[1, "n_total"])
    assert table.loc[0, "numerator"] == 3  # the internal table is untouched
    with pytest.raises(ValueError):
        published(table.drop(columns="suppressed"))
