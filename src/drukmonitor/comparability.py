"""Comparability of estimates across waves (classification.md section 5) and wave differences.

An estimate compared across two waves is *comparable* only when every harmonised field it uses is
``identical`` or ``comparable`` in both waves AND reference period, reference incident,
definition-shown and population type are equal. Otherwise the comparison is descriptive only:
labelled "niet vergelijkbaar", reasons listed, no test and no interval.

Differences of two proportions (comparable estimates only):
- interval: Newcombe's hybrid score interval (Newcombe 1998, method 10), statsmodels
  ``confint_proportions_2indep(method="newcomb", compare="diff")``;
- test: the score test (Miettinen-Nurminen, statsmodels ``test_proportions_2indep(method="score",
  compare="diff", correction=True)``). Chosen because it is, like Newcombe's interval, built on
  score (Wilson) variances under the null rather than on the Wald variance, so test and interval
  agree closely also for small counts and shares near 0 or 1; the statsmodels defaults differ
  between the two functions, so both methods are always passed explicitly.
With weights, both use the weighted shares and the Kish effective sample sizes (counts
``share * n_eff``), as the per-wave Wilson intervals do.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

from drukmonitor.disclosure import published  # noqa: F401  (re-exported for callers of compare_waves)

COMPARABLE_LEVELS = ("identical", "comparable")
LEVELS = ("identical", "comparable", "proxy", "not_measured")
COMPARABLE = "vergelijkbaar"
NOT_COMPARABLE = "niet vergelijkbaar"
DIFF_CI_METHOD = "newcomb"
DIFF_TEST_METHOD = "score"

FIELD_LABELS = {
    "content": "inhoud",
    "doubt": "twijfel",
    "means": "middelen",
    "context": "context",
    "felt_pressure": "ervaren druk",
    "means_detail": "middelen (detail)",
    "frequency": "frequentie",
    "intent": "intentie",
    "culpability": "verwijtbaarheid",
    "power": "machtsverschil",
    "duration": "duur",
    "repeated": "herhaling",
    "means_threat": "middelen: bedreiging",
    "means_reward": "middelen: beloning",
    "means_intimidating_manner": "middelen: intimiderende manier",
    "means_non_verbal": "middelen: non-verbaal",
    "means_bullied_excluded": "middelen: pesten of buitensluiten",
    "means_other": "middelen: anders",
    "means_none_felt": "middelen: geen druk gevoeld",
}
LEVEL_LABELS = {"identical": "identiek", "comparable": "vergelijkbaar", "proxy": "proxy", "not_measured": "niet gemeten"}
# keys under which a wave's field_levels may name a field (first match wins)
FIELD_ALIASES = {
    "means_detail": ("means_detail", "means detail", "means_details", "means_threat"),
    "intent": ("intent", "f_intent", "weighting_factors"),
    "culpability": ("culpability", "f_culpable", "weighting_factors"),
    "power": ("power", "f_power", "weighting_factors"),
    "duration": ("duration", "frequency_duration", "f_frequency_duration", "weighting_factors"),
    "repeated": ("repeated", "frequency_duration", "f_frequency_duration", "weighting_factors"),
    "context": ("context", "requester"),
}
INCIDENT_LABELS = {
    "most_serious": "meest ernstige voorval",
    "last": "laatste voorval",
    "all_requests": "alle verzoeken",
}
POPULATION_LABELS = {
    "municipal_staff": "medewerkers gemeente",
    "municipal_staff_and_office_holders": "medewerkers en politieke ambtsdragers van gemeenten",
    "national_government_staff": "medewerkers Rijksoverheid",
    "contract_researchers": "contractonderzoekers",
}


def field_level(meta: Mapping[str, Any], field: str) -> str | None:
    """Comparability level of ``field`` in a wave (None when the wave metadata does not say)."""
    levels = meta.get("field_levels") or {}
    for key in FIELD_ALIASES.get(field, (field,)):
        if key in levels and levels[key] is not None:
            return str(levels[key])
    return None


def is_measured(meta: Mapping[str, Any], field: str) -> bool:
    """False only when the wave states ``not_measured`` (an unknown level is not taken as absent)."""
    return field_level(meta, field) != "not_measured"


def _wave_name(meta: Mapping[str, Any]) -> str:
    return str(meta.get("id") or meta.get("wave") or "?")


def _bool_label(value: Any) -> str:
    if value is None:
        return "onbekend"
    return "ja" if bool(value) else "nee"


def fact_reasons(meta_a: Mapping[str, Any], meta_b: Mapping[str, Any]) -> list[str]:
    """Reasons from the dataset-level facts (reference period, incident, definition shown, population)."""
    reasons: list[str] = []
    pa, pb = meta_a.get("reference_period_months"), meta_b.get("reference_period_months")
    if pa is None or pb is None:
        reasons.append(f"referentieperiode onbekend ({pa if pa is not None else '?'} vs {pb if pb is not None else '?'} maanden)")
    elif int(pa) != int(pb):
        reasons.append(f"referentieperiode verschilt ({int(pa)} vs {int(pb)} maanden)")
    ia, ib = meta_a.get("reference_incident"), meta_b.get("reference_incident")
    if ia is None or ib is None:
        reasons.append("referentievoorval onbekend")
    elif ia != ib:
        reasons.append(
            f"referentievoorval verschilt ({INCIDENT_LABELS.get(ia, ia)} vs {INCIDENT_LABELS.get(ib, ib)})"
        )
    da, db = meta_a.get("definition_shown"), meta_b.get("definition_shown")
    if da is None or db is None:
        reasons.append("onbekend of een definitie is getoond")
    elif bool(da) != bool(db):
        reasons.append(f"definitie getoond verschilt ({_bool_label(da)} vs {_bool_label(db)})")
    qa, qb = meta_a.get("population_type"), meta_b.get("population_type")
    if qa is None or qb is None:
        reasons.append("populatie onbekend")
    elif qa != qb:
        reasons.append(f"populatie verschilt ({POPULATION_LABELS.get(qa, qa)} vs {POPULATION_LABELS.get(qb, qb)})")
    return reasons


def field_reasons(fields: Sequence[str], meta_a: Mapping[str, Any], meta_b: Mapping[str, Any]) -> list[str]:
    """One reason per (field, wave) whose level is not identical / comparable."""
    reasons: list[str] = []
    for field in fields:
        label = FIELD_LABELS.get(field, field)
        for meta in (meta_a, meta_b):
            level = field_level(meta, field)
            if level is None:
                reasons.append(f"{label}: vergelijkbaarheid onbekend in {_wave_name(meta)}")
            elif level not in COMPARABLE_LEVELS:
                reasons.append(f"{label}: {LEVEL_LABELS.get(level, level)} in {_wave_name(meta)}")
    return reasons


def assess(fields: Sequence[str], meta_a: Mapping[str, Any], meta_b: Mapping[str, Any]) -> tuple[bool, list[str]]:
    """(comparable, reasons) for an estimate that uses ``fields`` (classification.md section 5)."""
    reasons = field_reasons(fields, meta_a, meta_b) + fact_reasons(meta_a, meta_b)
    return (not reasons, reasons)


def wave_level(fields: Sequence[str], meta: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Weakest level of ``fields`` in one wave relative to the target instrument (uu2020), with a
    reason for every field that is not identical. Order: identical < comparable < proxy < unknown <
    not_measured."""
    order = {"identical": 0, "comparable": 1, "proxy": 2, "unknown": 3, "not_measured": 4}
    worst = "identical"
    reasons: list[str] = []
    for field in fields:
        level = field_level(meta, field) or "unknown"
        label = FIELD_LABELS.get(field, field)
        if level != "identical":
            text = "vergelijkbaarheid onbekend" if level == "unknown" else LEVEL_LABELS.get(level, level)
            reasons.append(f"{label}: {text}")
        if order.get(level, 3) > order[worst]:
            worst = level if level in order else "unknown"
    return worst, reasons


# ----------------------------------------------------------------------------------------------
# differences of two proportions
# ----------------------------------------------------------------------------------------------
def diff_two_proportions(
    count_a: float, nobs_a: float, count_b: float, nobs_b: float, alpha: float = 0.05
) -> dict[str, float]:
    """share_a - share_b with Newcombe's interval and the score test, methods set explicitly."""
    result = {"diff": np.nan, "ci_low": np.nan, "ci_high": np.nan, "statistic": np.nan, "p_value": np.nan}
    if not (nobs_a > 0 and nobs_b > 0) or any(pd.isna(v) for v in (count_a, nobs_a, count_b, nobs_b)):
        return result
    result["diff"] = count_a / nobs_a - count_b / nobs_b
    low, high = confint_proportions_2indep(
        count_a, nobs_a, count_b, nobs_b, method=DIFF_CI_METHOD, compare="diff", alpha=alpha
    )
    result["ci_low"], result["ci_high"] = float(low), float(high)
    pooled = (count_a + count_b) / (nobs_a + nobs_b)
    if 0.0 < pooled < 1.0:
        with np.errstate(all="ignore"):
            test = test_proportions_2indep(
                count_a, nobs_a, count_b, nobs_b, method=DIFF_TEST_METHOD, compare="diff", correction=True
            )
        result["statistic"], result["p_value"] = float(test.statistic), float(test.pvalue)
    else:  # both shares 0 or both 1: no evidence of a difference, the score statistic is 0/0
        result["statistic"], result["p_value"] = 0.0, 1.0
    return result


def wave_pairs(waves: Sequence[str]) -> list[tuple[str, str, str]]:
    """Consecutive pairs, plus first-vs-last for a series of more than two waves."""
    waves = list(waves)
    pairs = [(waves[i], waves[i + 1], "opeenvolgend") for i in range(len(waves) - 1)]
    if len(waves) > 2:
        pairs.append((waves[0], waves[-1], "eerste_laatste"))
    return pairs


def adjust_pvalues(p: pd.Series, method: str) -> pd.Series:
    """Multiple-testing correction over the non-NA p-values (method from config, 'none' = unadjusted)."""
    out = pd.Series(np.nan, index=p.index, dtype=float)
    valid = p.notna()
    if not valid.any():
        return out
    if method in (None, "none"):
        out[valid] = p[valid].astype(float)
    else:
        out[valid] = multipletests(p[valid].astype(float).to_numpy(), method=method)[1]
    return out


# ----------------------------------------------------------------------------------------------
# comparison of waves
# ----------------------------------------------------------------------------------------------
COMPARED_TABLES = ("prevalence", "distributions")
_KEY = ["table", "variable", "group_var", "group"]
COMPARE_COLUMNS = [
    "comparison", "pair", "wave_a", "wave_b", "instrument_a", "instrument_b", "table", "variable", "category",
    "group_var", "group", "numerator_a", "denominator_a", "share_a", "n_eff_a", "numerator_b", "denominator_b",
    "share_b", "n_eff_b", "diff", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted", "method",
    "comparable", "comparability", "comparability_reasons", "measured_a", "measured_b", "suppressed_a", "suppressed_b",
    "suppressed", "suppression_reason", "reference_period_a", "reference_period_b",
]
_SIDE = ["numerator", "denominator", "share", "n_eff", "measured", "suppressed", "suppression_reason", "fields",
         "denominator_suppressed", "reference_period"]


def _side_rows(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    frames = [tables[t] for t in COMPARED_TABLES if t in tables and len(tables[t])]
    if not frames:
        return pd.DataFrame(columns=_KEY + ["category"] + _SIDE)
    rows = pd.concat(frames, ignore_index=True)
    return rows[_KEY + ["category"] + _SIDE]


def _fill_side(block: list[dict], categories: list, settings: Mapping[str, Any]) -> dict:
    """Values of one side per category; a category the wave never observed is a 0 of the same base."""
    out = {}
    measured_rows = [r for r in block if r["measured"]]
    max_n = int(settings.get("group_disclosure_max_n", 30)) if settings.get("group_disclosure", True) else 0
    by_category = {}
    for r in block:
        by_category.setdefault(None if pd.isna(r["category"]) else r["category"], r)
    for category in categories:
        hit = by_category.get(category)
        if hit is not None and (hit["measured"] or not measured_rows):
            out[category] = hit
        elif measured_rows:
            b = measured_rows[0]
            den = b["denominator"]
            zero_sensitive = pd.notna(den) and 0 < int(den) < max_n
            out[category] = {
                "numerator": 0, "denominator": den, "share": 0.0 if pd.notna(den) and den > 0 else np.nan,
                "n_eff": b["n_eff"], "measured": True,
                "suppressed": bool(b["denominator_suppressed"]) or zero_sensitive,
                "suppression_reason": "group_disclosure" if zero_sensitive else ("secondary" if b["denominator_suppressed"] else None),
                "fields": b["fields"], "reference_period": b["reference_period"],
            }
        else:
            first = block[0] if block else {}
            out[category] = {"numerator": np.nan, "denominator": np.nan, "share": np.nan, "n_eff": np.nan,
                             "measured": False, "suppressed": False, "suppression_reason": None,
                             "fields": first.get("fields", ""), "reference_period": first.get("reference_period")}
    return out


def _blocks(rows: pd.DataFrame) -> dict[tuple, list[dict]]:
    blocks: dict[tuple, list[dict]] = {}
    for record in rows.to_dict("records"):
        blocks.setdefault(tuple(record[k] for k in _KEY), []).append(record)
    return blocks


def _compare_pair(rows_a: pd.DataFrame, rows_b: pd.DataFrame, meta_a, meta_b, settings, pair: str,
                  comparison: str | None) -> list[dict]:
    alpha = 1.0 - float(settings.get("confidence_level", 0.95))
    level = f"{round(100 * (1 - alpha))}%"
    blocks_a, blocks_b = _blocks(rows_a), _blocks(rows_b)
    # keys in order of appearance (wave a first); groups other than the total must exist in both waves
    keys = list(dict.fromkeys([*blocks_a, *blocks_b]))
    keys = [k for k in keys if k[2] == "all" or (k in blocks_a and k in blocks_b)]
    records = []
    for key in keys:
        block_a, block_b = blocks_a.get(key, []), blocks_b.get(key, [])
        cats: list = []
        for block in (block_a, block_b):
            cats += [r["category"] for r in block if r["measured"] and r["category"] not in cats]
        if not cats:
            cats = [None]
        side_a = _fill_side(block_a, cats, settings)
        side_b = _fill_side(block_b, cats, settings)
        for category in cats:
            a, b = side_a[category], side_b[category]
            fields = sorted(set(filter(None, str(a.get("fields") or "").split(","))) |
                            set(filter(None, str(b.get("fields") or "").split(","))))
            ok, reasons = assess(fields, meta_a, meta_b)
            rec = {
                "comparison": comparison, "pair": pair, "wave_a": str(meta_a.get("id")), "wave_b": str(meta_b.get("id")),
                "instrument_a": meta_a.get("instrument"), "instrument_b": meta_b.get("instrument"),
                "table": key[0], "variable": key[1], "category": category, "group_var": key[2], "group": key[3],
                "measured_a": bool(a["measured"]), "measured_b": bool(b["measured"]),
                "suppressed_a": bool(a["suppressed"]), "suppressed_b": bool(b["suppressed"]),
                "reference_period_a": a.get("reference_period"), "reference_period_b": b.get("reference_period"),
                "comparable": bool(ok), "comparability": COMPARABLE if ok else NOT_COMPARABLE,
                "comparability_reasons": "; ".join(reasons),
            }
            for side, values in (("a", a), ("b", b)):
                for column in ("numerator", "denominator", "share", "n_eff"):
                    rec[f"{column}_{side}"] = values.get(column)
            rec["suppressed"] = rec["suppressed_a"] or rec["suppressed_b"]
            rec["suppression_reason"] = (a.get("suppression_reason") if rec["suppressed_a"] else
                                         b.get("suppression_reason") if rec["suppressed_b"] else None)
            both = rec["measured_a"] and rec["measured_b"]
            if ok and both:
                sa, na = rec["share_a"], rec["n_eff_a"]
                sb, nb = rec["share_b"], rec["n_eff_b"]
                if not any(pd.isna(v) for v in (sa, na, sb, nb)):
                    rec.update(diff_two_proportions(float(sa) * float(na), float(na), float(sb) * float(nb), float(nb),
                                                    alpha=alpha))
                rec["method"] = (f"verschil van aandelen (a - b); Newcombe-interval ({level}, hybride score, methode 10); "
                                 "scoretoets (Miettinen-Nurminen); bij weging op Kish-n_eff")
            else:
                rec["method"] = "beschrijvend naast elkaar; geen toets of interval (niet vergelijkbaar)"
            records.append(rec)
    return records


def compare_waves(
    tables_by_wave: Mapping[str, Mapping[str, pd.DataFrame]],
    metas: Mapping[str, Mapping[str, Any]],
    settings: Mapping[str, Any] | None = None,
    *,
    waves: Sequence[str] | None = None,
    comparison: str | None = None,
    internal: bool = False,
) -> pd.DataFrame:
    """Estimates of two or more waves side by side, with differences where comparable.

    ``tables_by_wave`` holds per wave the tables of :func:`drukmonitor.estimate.estimate_wave`
    (preferably ``internal=True``). For a series of more than two waves: consecutive pairs and the
    first against the last. Comparable rows get the difference (a - b), Newcombe interval, score test
    and a p-value corrected (``multiple_testing``) per pair and table; non-comparable rows are
    descriptive, with reasons and without test or interval. A side that is suppressed in its own
    wave stays suppressed here, so the comparison discloses nothing the wave tables do not; the
    published version (default) blanks it, ``internal=True`` keeps the values with the flags.
    """
    settings = dict(settings or {})
    waves = list(waves if waves is not None else tables_by_wave.keys())
    if len(waves) < 2:
        raise ValueError("a comparison needs at least two waves")
    records: list[dict] = []
    for wave_a, wave_b, pair in wave_pairs(waves):
        meta_a = {"id": wave_a, **metas[wave_a]}
        meta_b = {"id": wave_b, **metas[wave_b]}
        records += _compare_pair(_side_rows(tables_by_wave[wave_a]), _side_rows(tables_by_wave[wave_b]), meta_a, meta_b,
                                 settings, pair, comparison)
    out = pd.DataFrame.from_records(records, columns=COMPARE_COLUMNS)
    method = settings.get("multiple_testing", "holm")
    if len(out):
        out["p_adjusted"] = np.nan
        for _, idx in out.groupby(["wave_a", "wave_b", "table"], sort=False).groups.items():
            out.loc[idx, "p_adjusted"] = adjust_pvalues(out.loc[idx, "p_value"].astype(float), method).to_numpy()
    out = _typed_compare(out)
    return out if internal else published(out)


def _typed_compare(out: pd.DataFrame) -> pd.DataFrame:
    out = out.copy()
    for column in ("numerator_a", "denominator_a", "numerator_b", "denominator_b"):
        out[column] = pd.array(pd.to_numeric(out[column], errors="coerce"), dtype="Float64").round().astype("Int64")
    for column in ("share_a", "n_eff_a", "share_b", "n_eff_b", "diff", "ci_low", "ci_high", "statistic", "p_value",
                   "p_adjusted"):
        out[column] = pd.array(pd.to_numeric(out[column], errors="coerce"), dtype="Float64")
    for column in ("comparison", "pair", "wave_a", "wave_b", "instrument_a", "instrument_b", "table", "variable",
                   "category", "group_var", "group", "method", "comparability", "comparability_reasons",
                   "suppression_reason", "reference_period_a", "reference_period_b"):
        out[column] = out[column].astype("string")
    for column in ("comparable", "measured_a", "measured_b", "suppressed_a", "suppressed_b", "suppressed"):
        out[column] = out[column].fillna(False).astype(bool)
    return out.reset_index(drop=True)
