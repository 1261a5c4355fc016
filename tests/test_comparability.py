"""Comparability rules (classification.md section 5) and differences between waves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.proportion import test_proportions_2indep as score_test_2indep

from drukmonitor import comparability as comp
from drukmonitor.comparability import (
    COMPARABLE,
    NOT_COMPARABLE,
    assess,
    compare_waves,
    diff_two_proportions,
    wave_level,
    wave_pairs,
)
from drukmonitor.disclosure import published

FIELDS = ["content", "doubt", "means", "context", "felt_pressure", "means_threat", "frequency", "intent", "culpability",
          "power", "repeated", "duration"]


def meta(wave, **overrides):
    base = {"id": wave, "instrument": "uu2020", "reference_period_months": 12, "reference_incident": "most_serious",
            "definition_shown": False, "population_type": "municipal_staff",
            "field_levels": {f: "identical" for f in FIELDS}}
    base.update(overrides)
    return base


# ----------------------------------------------------------------------------------------------
# rules: every reason
# ----------------------------------------------------------------------------------------------
def test_identical_and_comparable_fields_with_equal_facts_are_comparable():
    a = meta("a")
    b = meta("b", field_levels={**a["field_levels"], "context": "comparable", "frequency": "comparable"})
    assert assess(["content", "means", "context", "frequency"], a, b) == (True, [])


@pytest.mark.parametrize("overrides,expected", [
    ({"reference_period_months": 60}, "referentieperiode verschilt (12 vs 60 maanden)"),
    ({"reference_incident": "last"}, "referentievoorval verschilt (meest ernstige voorval vs laatste voorval)"),
    ({"definition_shown": True}, "definitie getoond verschilt (nee vs ja)"),
    ({"population_type": "national_government_staff"},
     "populatie verschilt (medewerkers gemeente vs medewerkers Rijksoverheid)"),
    ({"reference_period_months": None}, "referentieperiode onbekend (12 vs ? maanden)"),
])
def test_each_fact_reason(overrides, expected):
    ok, reasons = assess(["content"], meta("a"), meta("b", **overrides))
    assert not ok and reasons == [expected]


@pytest.mark.parametrize("level,expected", [
    ("proxy", "inhoud: proxy in mto2019"),
    ("not_measured", "inhoud: niet gemeten in mto2019"),
    (None, "inhoud: vergelijkbaarheid onbekend in mto2019"),
])
def test_each_field_reason(level, expected):
    levels = {f: "identical" for f in FIELDS}
    if level is None:
        del levels["content"]
    else:
        levels["content"] = level
    ok, reasons = assess(["content", "means"], meta("uu2020_monitor"), meta("mto2019", field_levels=levels))
    assert not ok and reasons == [expected]


def test_reasons_accumulate_for_mto_versus_monitor():
    mto = meta("mto2019", instrument="mto2019", reference_incident="last", definition_shown=True,
               field_levels={"content": "proxy", "doubt": "proxy", "means": "proxy", "context": "comparable"})
    ok, reasons = assess(["content", "doubt", "means", "context"], meta("uu2020_monitor"), mto)
    assert not ok
    assert reasons == ["inhoud: proxy in mto2019", "twijfel: proxy in mto2019", "middelen: proxy in mto2019",
                       "referentievoorval verschilt (meest ernstige voorval vs laatste voorval)",
                       "definitie getoond verschilt (nee vs ja)"]


def test_field_aliases_and_wave_level():
    m = meta("fnv", field_levels={"weighting_factors": "not_measured", "means": "comparable", "content": "proxy"})
    assert comp.field_level(m, "intent") == "not_measured"
    assert not comp.is_measured(m, "power")
    level, reasons = wave_level(["content", "means"], m)
    assert level == "proxy" and reasons == ["inhoud: proxy", "middelen: vergelijkbaar"]
    assert wave_level(["content"], meta("x"))[0] == "identical"


def test_wave_pairs():
    assert wave_pairs(["a", "b"]) == [("a", "b", "opeenvolgend")]
    assert wave_pairs(["a", "b", "c"]) == [("a", "b", "opeenvolgend"), ("b", "c", "opeenvolgend"),
                                           ("a", "c", "eerste_laatste")]


# ----------------------------------------------------------------------------------------------
# Newcombe difference, methods explicit
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("a,n1,b,n2,low,high", [
    (56, 70, 48, 80, 0.0524, 0.3339),  # Newcombe (1998), Table II, method 10
    (9, 10, 3, 10, 0.1705, 0.8090),
    (5, 56, 0, 29, -0.0381, 0.1926),
])
def test_newcombe_interval_published_values(a, n1, b, n2, low, high):
    result = diff_two_proportions(a, n1, b, n2)
    assert result["diff"] == pytest.approx(a / n1 - b / n2)
    assert result["ci_low"] == pytest.approx(low, abs=5e-5) and result["ci_high"] == pytest.approx(high, abs=5e-5)


def test_difference_uses_explicit_statsmodels_methods():
    result = diff_two_proportions(56, 70, 48, 80, alpha=0.1)
    ci = confint_proportions_2indep(56, 70, 48, 80, method="newcomb", compare="diff", alpha=0.1)
    test = score_test_2indep(56, 70, 48, 80, method="score", compare="diff", correction=True)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx(tuple(map(float, ci)))
    assert result["p_value"] == pytest.approx(test.pvalue) and result["statistic"] == pytest.approx(test.statistic)
    assert comp.DIFF_CI_METHOD == "newcomb" and comp.DIFF_TEST_METHOD == "score"


def test_difference_edge_cases():
    both_zero = diff_two_proportions(0, 20, 0, 30)
    assert both_zero["diff"] == 0 and both_zero["p_value"] == 1.0 and both_zero["ci_low"] < 0 < both_zero["ci_high"]
    empty = diff_two_proportions(0, 0, 3, 10)
    assert np.isnan(empty["diff"]) and np.isnan(empty["p_value"])
    weighted = diff_two_proportions(0.3 * 41.7, 41.7, 0.2 * 55.2, 55.2)  # effective counts (Kish n_eff)
    assert weighted["diff"] == pytest.approx(0.1) and np.isfinite(weighted["p_value"])


# ----------------------------------------------------------------------------------------------
# compare_waves on per-wave tables
# ----------------------------------------------------------------------------------------------
def wave_table(wave, rows):
    """A minimal internal per-wave table: rows = (variable, category, group, numerator, denominator, suppressed, measured)."""
    records = []
    for variable, category, group, num, den, suppressed, measured in rows:
        records.append({
            "table": "prevalence", "variable": variable, "category": category,
            "group_var": "all" if group == "Totaal" else "org_unit", "group": group,
            "numerator": num, "denominator": den, "share": (num / den) if measured else np.nan,
            "n_eff": float(den) if measured else np.nan, "measured": measured, "suppressed": suppressed,
            "suppression_reason": "primary" if suppressed else None,
            "fields": "content,doubt,means,context" if variable == "type" else "content,doubt,felt_pressure",
            "denominator_suppressed": False, "reference_period": "12 maanden",
        })
    return {"prevalence": pd.DataFrame.from_records(records)}


@pytest.fixture()
def series():
    tables = {
        "p1": wave_table("p1", [("type", "improper_pressure", "Totaal", 56, 70, False, True),
                                ("type", "not_reported", "Totaal", 14, 70, False, True),
                                ("type", "improper_pressure", "A", 5, 30, True, True),
                                ("felt_pressure", "4", "Totaal", 20, 40, False, True)]),
        "p2": wave_table("p2", [("type", "improper_pressure", "Totaal", 48, 80, False, True),
                                ("type", "not_reported", "Totaal", 32, 80, False, True),
                                ("type", "improper_pressure", "A", 12, 35, False, True),
                                ("felt_pressure", "4", "Totaal", 10, 30, False, True)]),
        "mto": wave_table("mto", [("type", "improper_pressure", "Totaal", 30, 100, False, True),
                                  ("type", "not_reported", "Totaal", 70, 100, False, True),
                                  ("felt_pressure", None, "Totaal", None, None, False, False)]),
    }
    mto_levels = {"content": "proxy", "doubt": "proxy", "means": "proxy", "context": "comparable",
                  "felt_pressure": "not_measured"}
    metas = {"p1": meta("p1"), "p2": meta("p2"),
             "mto": meta("mto", instrument="mto2019", reference_incident="last", definition_shown=True,
                         field_levels=mto_levels)}
    return tables, metas


def test_compare_comparable_pair(series):
    tables, metas = series
    out = compare_waves({k: tables[k] for k in ("p1", "p2")}, metas, {"multiple_testing": "holm"}, internal=True)
    row = out[(out["variable"] == "type") & (out["category"] == "improper_pressure") & (out["group"] == "Totaal")].iloc[0]
    assert row["comparability"] == COMPARABLE and row["comparability_reasons"] == "" and row["comparable"]
    assert row["diff"] == pytest.approx(0.2)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.0524, 0.3339), abs=5e-5)
    assert 0 < row["p_value"] <= row["p_adjusted"] <= 1
    assert "Newcombe" in row["method"]


def test_compare_series_and_non_comparable_rows(series):
    tables, metas = series
    out = compare_waves(tables, metas, {}, waves=["p1", "p2", "mto"], comparison="reeks", internal=True)
    assert list(dict.fromkeys(zip(out["wave_a"], out["wave_b"]))) == [("p1", "p2"), ("p2", "mto"), ("p1", "mto")]
    assert (out["comparison"] == "reeks").all()
    vs_mto = out[out["wave_b"] == "mto"]
    assert (vs_mto["comparability"] == NOT_COMPARABLE).all() and not vs_mto["comparable"].any()
    assert vs_mto[["diff", "ci_low", "ci_high", "p_value", "statistic"]].isna().all().all()
    assert vs_mto["comparability_reasons"].str.contains("referentievoorval verschilt").all()
    felt = vs_mto[vs_mto["variable"] == "felt_pressure"].iloc[0]
    assert not felt["measured_b"] and pd.isna(felt["share_b"])
    assert "ervaren druk: niet gemeten in mto" in felt["comparability_reasons"]
    # descriptive values stay side by side
    desc = vs_mto[(vs_mto["variable"] == "type") & (vs_mto["category"] == "improper_pressure")].iloc[0]
    assert desc["share_b"] == pytest.approx(0.3)
    # groups only where both waves have them
    assert set(out.loc[out["wave_b"] == "mto", "group"]) == {"Totaal"}


def test_compare_keeps_suppression_of_each_wave(series):
    tables, metas = series
    internal = compare_waves({k: tables[k] for k in ("p1", "p2")}, metas, {}, internal=True)
    row = internal[internal["group"] == "A"].iloc[0]
    assert row["suppressed_a"] and not row["suppressed_b"] and row["suppressed"]
    assert row["numerator_a"] == 5 and np.isfinite(row["diff"])  # internal: values kept
    public = compare_waves({k: tables[k] for k in ("p1", "p2")}, metas, {})
    prow = public[public["group"] == "A"].iloc[0]
    assert pd.isna(prow["numerator_a"]) and pd.isna(prow["share_a"]) and pd.isna(prow["diff"])
    assert pd.isna(prow["p_value"]) and prow["share_b"] == pytest.approx(12 / 35)
    pd.testing.assert_frame_equal(published(internal), public)


def test_category_missing_in_one_wave_is_a_zero_of_the_same_base(series):
    tables, metas = series
    extra = tables["p1"]["prevalence"].copy()
    extra.loc[len(extra)] = {**extra.iloc[0].to_dict(), "category": "indecent_pressure", "numerator": 0, "share": 0.0}
    out = compare_waves({"p1": {"prevalence": extra}, "p2": tables["p2"]}, metas, {"group_disclosure_max_n": 30},
                        internal=True)
    row = out[(out["category"] == "indecent_pressure")].iloc[0]
    assert row["numerator_b"] == 0 and row["denominator_b"] == 80 and row["share_b"] == 0
    assert not row["suppressed"]


def test_compare_needs_two_waves(series):
    tables, metas = series
    with pytest.raises(ValueError):
        compare_waves({"p1": tables["p1"]}, metas, {})


def test_compare_on_estimated_waves():
    """End to end with estimate_wave: same instrument and facts -> comparable with intervals."""
    import importlib.util
    import pathlib

    spec = importlib.util.spec_from_file_location("_est_tests", pathlib.Path(__file__).with_name("test_estimate.py"))
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    from drukmonitor.estimate import estimate_wave

    m1, m2 = helpers.wave_meta("w1", pilot=False), helpers.wave_meta("w2", pilot=False)
    tables = {"w1": estimate_wave(helpers.make_classified(500, 1, pilot=False), m1, helpers.SETTINGS, internal=True),
              "w2": estimate_wave(helpers.make_classified(600, 2, pilot=False), m2, helpers.SETTINGS, internal=True)}
    out = compare_waves(tables, {"w1": m1, "w2": m2}, helpers.SETTINGS, internal=True)
    total = out[(out["group"] == "Totaal") & out["measured_a"] & out["measured_b"]]
    assert (total["comparability"] == COMPARABLE).all()
    assert total.loc[~total["suppressed"], "ci_low"].notna().all()
    pub = published(out)
    assert pub.loc[out["suppressed_a"], "numerator_a"].isna().all()
    assert pub.loc[out["suppressed_b"], "numerator_b"].isna().all()
