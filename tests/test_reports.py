"""Report builders on small published tables: outline, caveat placement, "niet gemeten", disclosure guard,
team-sheet eligibility, comparison marking, audit contents (fast; the workflow test renders them for real)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from drukmonitor import reachability as reach
from drukmonitor import render, reports
from drukmonitor.codebook import REPO_ROOT, load_codebook
from drukmonitor.harmonise import load_crosswalk
from drukmonitor.render import BulletList, Callout, Figure, Section, Table
from drukmonitor.reports import ReportDisclosureError

K = 10
SETTINGS = {"min_cell_size": K, "confidence_level": 0.95, "multiple_testing": "holm", "top_civil_service_is_principal": True,
            "pressure_threshold": 3, "mto_ambtelijke_druk_context": "political_indirect"}
OUTLINES = reports.load_outlines()
CAVEATS = render.load_caveats()
CANARY = "CANARY-7f3a9"


# ---- small published tables ----------------------------------------------------------------------------------


def wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, centre - half), min(1.0, centre + half)


def row(variable, category, x, n, *, table="prevalence", group_var="all", group="Totaal", wave="w1", instrument="uu2020",
        n_total=400, measured=True, suppress=None, den_def="respondenten die de poortvraag beantwoordden"):
    """One published row: cells with 0 < x < k (or a base below k) are suppressed and blanked."""
    sup = ((0 < x < K) or n < K) if suppress is None else suppress
    lo, hi = wilson(x, n) if n else (np.nan, np.nan)
    return dict(
        wave=wave, instrument=instrument, table=table, variable=variable, category=category, group_var=group_var,
        group=group, numerator=pd.NA if (sup or not measured) else x, denominator=pd.NA if (sup or not measured) else n,
        denominator_definition=den_def, share=np.nan if (sup or not measured) else x / n,
        ci_low=np.nan if (sup or not measured) else lo, ci_high=np.nan if (sup or not measured) else hi,
        n_eff=np.nan if (sup or not measured) else float(n), method="aandeel; Wilson-interval (95%)" if measured else "niet gemeten",
        weighted=False, suppressed=bool(sup and measured), suppression_reason="primary" if (sup and measured) else pd.NA,
        comparability="identical", comparability_reasons="", reference_period="12 maanden", n_total=n_total,
        measured=measured, fields="content", denominator_suppressed=False, n_total_suppressed=False,
    )


def frame(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    for column in ("numerator", "denominator", "n_total"):
        out[column] = out[column].astype("Int64")
    return out


TYPE_COUNTS = {"not_reported": 300, "undetermined": 12, "outside_definition": 0, "improper_pressure": 40,
               "improper_request": 20, "indecent_pressure": 0, "regular_request": 0, "grey_area": 28}


def wave_tables(wave="w1", instrument="uu2020", *, pilot=False, units=None):
    units = units if units is not None else {"Stadsontwikkeling": (120, 100, 12, 3), "Griffie": (8, 8, 0, 0),
                                             "Concernstaf": (60, 55, 11, 0)}
    n_gate = sum(TYPE_COUNTS.values())
    prev = [row("gate_status", c, x, 420, wave=wave, instrument=instrument, n_total=420, den_def="alle respondenten")
            for c, x in (("answered", n_gate), ("dont_know", 0), ("refused", 0), ("item_nonresponse", 20))]
    prev += [row("type", c, x, n_gate, wave=wave, instrument=instrument, n_total=420) for c, x in TYPE_COUNTS.items()]
    prev.append(row("type", "unreasonable_pressure", 0, n_gate, wave=wave, instrument=instrument, measured=False))
    prev += [row("type_grey_area", c, x, n_gate, wave=wave, instrument=instrument)
             for c, x in (("improper_pressure", 15), ("improper_request", 13))]
    for unit, (n_total, n_gate_u, x_pressure, x_grey) in units.items():
        suppressed_base = n_total < K
        for c in TYPE_COUNTS:
            x = {"improper_pressure": x_pressure, GREY: x_grey}.get(c, 0) if c in ("improper_pressure", GREY) else (
                n_gate_u - x_pressure - x_grey if c == "not_reported" else 0)
            r = row("type", c, x, n_gate_u, group_var="org_unit", group=unit, wave=wave, instrument=instrument,
                    n_total=n_total, suppress=True if suppressed_base else None)
            if suppressed_base:
                r.update(n_total=pd.NA, n_total_suppressed=True, denominator_suppressed=True)
            prev.append(r)
    dist = [row("context", c, x, 88, table="distributions", wave=wave, instrument=instrument,
                den_def="respondenten die een verzoek meldden")
            for c, x in (("political_direct", 30), ("political_indirect", 25), ("top_civil_service", 18), ("external", 15))]
    dist += [row("felt_pressure", str(c), x, 88, table="distributions", wave=wave, instrument=instrument)
             for c, x in zip(range(1, 6), (10, 20, 28, 18, 12))]
    response = [row("RR1", "RR1", 380, 600, table="response", wave=wave, instrument=instrument,
                    den_def=reports.POPULATION_DENOMINATOR)]
    tables = {"prevalence": frame(prev), "distributions": frame(dist), "group_tests": pd.DataFrame(),
              "response": frame(response), "pilot_evaluation": pd.DataFrame()}
    if pilot:
        tables["pilot_evaluation"] = frame(
            [row("OD1", s, x, 420, table="pilot_evaluation", wave=wave, instrument=instrument, den_def="gesteld")
             for s, x in (("answered", 400), ("dont_know", 0), ("refused", 0), ("item_nonresponse", 20))]
            + [row("OD3", "open_text_filled", 30, 88, table="pilot_evaluation", wave=wave, instrument=instrument)])
    return tables


GREY = "grey_area"


def wave_meta(wave="w1", instrument="uu2020", pilot=False):
    return {"id": wave, "instrument": instrument, "instrument_title": "Kader 2", "pilot": pilot,
            "fieldwork": {"start": "2021-02-01", "end": "2021-02-19"}, "reference_period_months": 12,
            "reference_period_label": "12 maanden", "reference_incident": "most_serious", "definition_shown": False,
            "population_type": "municipal_staff", "population_label": "medewerkers", "population_total": 600}


MANIFEST = {"run_id": "demo", "config_sha256": "c" * 64, "git": {"commit": "a" * 40, "tracked_changes": False},
            "renderer": {"name": "pandoc+typst", "description": "pandoc 3 (HTML) en typst 0.1 (PDF)", "versions": {}},
            "waves": [{"id": "w1", "instrument": "uu2020", "file": "data/raw/w1.csv", "sha256": "b" * 64},
                      {"id": "w0", "instrument": "mto2019", "file": "data/raw/w0.sav", "sha256": "d" * 64}],
            "raw_files": [{"path": "data/raw/w1.csv", "sha256": "b" * 64}], "codebooks": [], "crosswalks": [],
            "other_inputs": [], "software": {"installed": {"pandas": "2"}, "locked": {"pandas": "2"},
                                             "lock_file": {"path": "requirements.lock", "sha256": "e" * 64}},
            "config": {"run_id": "demo"}, "python": "3.11"}


@pytest.fixture(scope="module")
def uu2020():
    codebook = load_codebook("uu2020")
    return codebook, load_crosswalk("uu2020", codebook=codebook)


def blocks_of(section: Section, kind):
    return [b for b in section.blocks if isinstance(b, kind)]


def all_table_cells(report: reports.Report) -> list[tuple[str, str]]:
    cells = []
    for section in report.sections:
        for table in blocks_of(section, Table):
            for column in table.data.columns:
                cells += [(str(column), str(v)) for v in table.data[column]]
    return cells


# ---- disclosure guard --------------------------------------------------------------------------------------


def test_guard_refuses_small_unsuppressed_counts():
    table = frame([row("type", "improper_pressure", 40, 400), row("type", "regular_request", 0, 400)])
    reports.check_publishable(table, K)  # 0 and >= k are fine
    leaked = table.copy()
    leaked.loc[0, "numerator"] = 4
    with pytest.raises(ReportDisclosureError, match="0 < n < 10") as info:
        reports.check_publishable(leaked, K, "prevalence")
    assert "column numerator, row 0" in str(info.value) and "value" not in str(info.value)  # never the value
    small_group = table.copy()
    small_group.loc[1, "n_total"] = 7
    with pytest.raises(ReportDisclosureError, match="n_total"):
        reports.check_publishable(small_group, K)


def test_guard_refuses_internal_tables_and_unprotected_tables():
    internal = frame([row("type", "improper_pressure", 4, 400)])
    internal.loc[0, "numerator"] = 4  # suppressed, but the value is still there
    with pytest.raises(ReportDisclosureError, match="internal"):
        reports.check_publishable(internal, K)
    with pytest.raises(ReportDisclosureError, match="suppressed"):
        reports.check_publishable(pd.DataFrame({"numerator": [3]}), K)


def test_guard_allows_population_denominator_and_checks_comparison_sides():
    rr = frame([row("RR1", "RR1", 140, 180, table="response", den_def=reports.POPULATION_DENOMINATOR)])
    rr.loc[0, "denominator"] = 8  # a tiny configured population is not a respondent count
    reports.check_publishable(rr, K)
    comparison = pd.DataFrame({"numerator_a": pd.array([12, 3], dtype="Int64"), "numerator_b": pd.array([20, 30], dtype="Int64"),
                               "suppressed_a": [False, False], "suppressed_b": [False, False], "suppressed": [False, False]})
    with pytest.raises(ReportDisclosureError, match="numerator_a"):
        reports.check_publishable(comparison, K, "comparison")


def test_builders_call_the_guard(tmp_path, uu2020):
    codebook, crosswalk = uu2020
    tables = wave_tables()
    tables["distributions"].loc[0, "numerator"] = 3
    with pytest.raises(ReportDisclosureError, match="distributions"):
        reports.build_monitor_report(tables=tables, meta=wave_meta(), settings=SETTINGS, organisation="X",
                                     codebook=codebook, crosswalk=crosswalk, manifest=MANIFEST,
                                     figure_dir=tmp_path / "f", qmd_dir=tmp_path)
    with pytest.raises(ReportDisclosureError):
        reports.build_team_sheets(tables=tables, meta=wave_meta(), settings=SETTINGS, organisation="X",
                                  crosswalk=crosswalk, manifest=MANIFEST, figure_dir=tmp_path / "f", qmd_dir=tmp_path)


# ---- which types an instrument can see ------------------------------------------------------------------------


@pytest.mark.parametrize("instrument,unseen", [
    ("uu2020", {"regular_request", "indecent_pressure", "unreasonable_pressure"}),
    ("fnv2018", {"regular_request", "indecent_pressure", "improper_request", "unreasonable_pressure"}),
    ("wodc2018", {"regular_request", "indecent_pressure", "improper_request", "unreasonable_pressure"}),
    ("mto2019", {"unreasonable_pressure"}),
    ("io2018", {"regular_request", "unreasonable_pressure"}),  # a joint constraint, see below
])
def test_not_measured_types_come_from_the_crosswalk(instrument, unseen):
    crosswalk = load_crosswalk(instrument, codebook=load_codebook(instrument))
    got = reports.not_measured_types(None, crosswalk, SETTINGS)
    assert got & set(reports.FIGURE1_TYPES) == unseen
    assert "improper_pressure" not in got and "not_reported" not in got


def crosswalk_of(instrument):
    return load_crosswalk(instrument, codebook=load_codebook(instrument))


def test_io2018_joint_constraint_makes_regular_request_unreachable():
    # content=proper needs one of v1_4..v1_6 ticked, and that tick makes means improper
    io2018 = crosswalk_of("io2018")
    found = reach.reachability(io2018, SETTINGS)
    assert found.method == "exact", found.reason
    assert "regular_request" not in found.types
    assert {"improper_pressure", "improper_request", "indecent_pressure"} <= found.types
    assert not {("proper", "proper", principal) for principal in ("yes", "no", "unknown")} & found.combinations
    # each half is reachable on its own: only the joint check sees it
    assert "proper" in reach.reachable_values(io2018, "content") and "proper" in reach.reachable_values(io2018, "means")
    reason = reports._unseen_reason("regular_request", io2018, SETTINGS)
    assert "combinatie van inhoud en middelen niet vastleggen" in reason and "eigenlijke inhoud" in reason


def test_uu2020_reachable_types_unchanged_by_the_exact_method(uu2020):
    found = reach.reachability(uu2020[1], SETTINGS)
    assert found.method == "exact", found.reason
    # uu2020 has no question that gives a proper content (Kader 2 asks only about improper requests)
    assert found.types & set(reports.FIGURE1_TYPES) == {"improper_pressure", "improper_request"}
    assert found.types == reach.reachability(uu2020[1], SETTINGS, max_rows=0).types


DEMO_EXPECTED = REPO_ROOT / "data" / "raw" / "demo" / "expected"
needs_demo = pytest.mark.skipif(not DEMO_EXPECTED.is_dir(), reason="demo exports not generated")


def expected_types() -> list[tuple[str, str, frozenset[str]]]:
    """(expected file, instrument, types it holds) for every demo oracle file."""
    out = []
    for path in sorted(DEMO_EXPECTED.glob("*.csv")):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        table = table[table["type"] != ""]
        for instrument, rows in table.groupby("instrument"):
            out.append((path.name, str(instrument), frozenset(rows["type"])))
    return out


EXPECTED_TYPES = expected_types()


@needs_demo
def test_every_crosswalk_has_demo_expectations():
    covered = {instrument for _, instrument, _ in EXPECTED_TYPES}
    assert {path.stem for path in (REPO_ROOT / "workflow" / "crosswalks").glob("*.yaml")} <= covered


@needs_demo
@pytest.mark.parametrize("name,instrument,observed", EXPECTED_TYPES, ids=[name for name, _, _ in EXPECTED_TYPES])
def test_exact_reachability_never_hides_an_observed_type(name, instrument, observed):
    # the demo oracle was classified with the default settings
    found = reach.reachability(crosswalk_of(instrument), {})
    assert found.method == "exact", found.reason
    assert observed <= found.types, (name, sorted(observed - found.types))


def test_fallback_to_the_per_field_method_above_the_limit(monkeypatch):
    io2018 = crosswalk_of("io2018")
    found = reach.reachability(io2018, SETTINGS, max_rows=10)
    assert found.method == "per_field" and "limit of 10" in found.reason
    assert "regular_request" in found.types  # the per-field method cannot see the joint constraint
    monkeypatch.setattr(reach, "REACHABILITY_MAX_ROWS", 10)
    assert "regular_request" in reach.reachable_types(io2018, SETTINGS)
    assert "regular_request" not in reports.not_measured_types(None, io2018, SETTINGS)
    monkeypatch.setattr(reach, "REACHABILITY_MAX_ROWS", 200_000)
    assert "regular_request" not in reach.reachable_types(io2018, SETTINGS)


def test_reachability_is_cached_per_crosswalk_and_settings():
    io2018 = crosswalk_of("io2018")
    first = reach.reachability(io2018, SETTINGS)
    assert reach.reachability(crosswalk_of("io2018"), dict(SETTINGS)) is first
    other = reach.reachability(io2018, {**SETTINGS, "top_civil_service_is_principal": False})
    assert other is not first


def test_measured_false_rows_are_not_measured(uu2020):
    prevalence = wave_tables()["prevalence"]
    prevalence.loc[(prevalence["variable"] == "type") & (prevalence["category"] == "improper_request"), "measured"] = False
    assert "improper_request" in reports.not_measured_types(prevalence, uu2020[1], SETTINGS)
    assert reach.reachable_values(uu2020[1], "felt_pressure") is None  # a copied item: any value
    assert reach.reachable_values(uu2020[1], "cooccurrence_uncertain") == set()


def test_describe_condition_in_dutch(uu2020):
    codebook = uu2020[0]
    assert reports.describe_condition("always") == "alle respondenten"
    text = reports.describe_condition(codebook.items["OD2"].asked_if, codebook)
    assert text == "OD1 = 'Nee', 'Weet ik niet' of 'Wil ik niet zeggen'"
    assert " of OD2 = " in reports.describe_condition(codebook.items["OD4"].asked_if, codebook)
    assert reports.describe_condition({"cols": ["v1_1..v1_6"], "in": [1]}) == "een van v1_1 t/m v1_6 aangevinkt"


def test_labels_come_from_labels_yaml():
    from drukmonitor import labels

    assert dict(render.TYPE_LABELS).items() >= labels.labels_for("type").items()
    assert render.CONTEXT_LABELS["political_direct"] == labels.labels_for("context")["political_direct"]
    assert render.STATUS_LABELS["item_nonresponse"] == labels.labels_for("gate_status")["item_nonresponse"]
    assert reports.category_label("felt_pressure", "3") == labels.labels_for("felt_pressure")["3"]


# ---- monitor report ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def monitor(tmp_path_factory, uu2020):
    base = tmp_path_factory.mktemp("monitor")
    codebook, crosswalk = uu2020
    report = reports.build_monitor_report(tables=wave_tables(pilot=True), meta=wave_meta(pilot=True), settings=SETTINGS,
                                          organisation="Gemeente Voorbeeldstad", codebook=codebook, crosswalk=crosswalk,
                                          manifest=MANIFEST, figure_dir=base / "figuren", qmd_dir=base)
    qmd = reports.write_report(report, base / "monitor_w1.qmd")
    return report, qmd.read_text(encoding="utf-8"), base


def test_monitor_follows_the_outline(monitor):
    report, _, _ = monitor
    outline = OUTLINES["monitor"]["sections"]
    assert [(s.id, s.title) for s in report.sections] == [(s["id"], s["title"]) for s in outline]
    assert report.title == OUTLINES["monitor"]["title"]
    assert "1 februari 2021" in report.subtitle and "Gemeente Voorbeeldstad" in report.subtitle


def test_monitor_caveats_where_the_outline_puts_them(monitor):
    report, _, _ = monitor
    by_id = {s.id: s for s in report.sections}
    for spec in OUTLINES["monitor"]["sections"]:
        titles = {c.title for c in blocks_of(by_id[spec["id"]], Callout)}
        for key in spec.get("caveats", []):
            assert CAVEATS["caveats"][key]["title"] in titles, (spec["id"], key)


def test_monitor_figure1_marks_not_measured_and_excludes_doubt(monitor):
    report, qmd, base = monitor
    section = next(s for s in report.sections if s.id == "sec-figuur1")
    figure = blocks_of(section, Figure)[0]
    assert (base / figure.path).is_file()
    alt = figure.alt_text
    assert "Regulier verzoek: niet gemeten" in alt and "Onbehoorlijke druk: niet gemeten" in alt
    assert "Oneigenlijke druk: 10,0%" in alt  # 40 of 400
    assert "Basis: n = 400" in figure.caption and "12 maanden" in figure.caption
    # the prevalence table: doubt cases apart, unreasonable pressure never a zero
    prev = next(s for s in report.sections if s.id == "sec-prevalentie")
    table = next(t for t in blocks_of(prev, Table) if t.label == "tbl-prevalentie")
    labels = list(table.data.iloc[:, 0])
    assert render.TYPE_LABELS["grey_area"] not in labels
    shares = dict(zip(labels, table.data["Aandeel"]))
    assert shares["Onredelijke c.q. onhoudbare druk"] == "niet gemeten"
    assert shares["Regulier verzoek"] == "niet gemeten"
    assert "@tbl-twijfel" in qmd and "{#tbl-twijfel}" in qmd


def test_io2018_monitor_shows_regular_request_as_not_measured(tmp_path):
    codebook = load_codebook("io2018")
    crosswalk = load_crosswalk("io2018", codebook=codebook)
    meta = {**wave_meta("io18", "io2018"), "reference_incident": "all_requests"}
    report = reports.build_monitor_report(tables=wave_tables("io18", "io2018"), meta=meta, settings=SETTINGS,
                                          organisation="Gemeente Voorbeeldstad", codebook=codebook, crosswalk=crosswalk,
                                          manifest=MANIFEST, figure_dir=tmp_path / "figuren", qmd_dir=tmp_path)
    section = next(s for s in report.sections if s.id == "sec-figuur1")
    alt = blocks_of(section, Figure)[0].alt_text
    assert "Regulier verzoek: niet gemeten" in alt and "Regulier verzoek: 0,0%" not in alt
    assert "Onbehoorlijke druk: niet gemeten" not in alt  # indecent pressure is reachable for io2018
    reasons = [item for block in blocks_of(section, BulletList) for item in block.items]
    assert any(item.startswith("*Regulier verzoek*: niet gemeten - dit meetinstrument kan deze combinatie") for item in reasons)
    prev = next(s for s in report.sections if s.id == "sec-prevalentie")
    table = next(t for t in blocks_of(prev, Table) if t.label == "tbl-prevalentie")
    assert dict(zip(table.data.iloc[:, 0], table.data["Aandeel"]))["Regulier verzoek"] == "niet gemeten"


def test_monitor_tables_state_basis_and_never_small_counts(monitor):
    report, _, _ = monitor
    for section in report.sections:
        for table in blocks_of(section, Table):
            assert table.basis.startswith("Basis"), table.label
        for fig in blocks_of(section, Figure):
            assert "Basis: n = " in fig.caption and "referteperiode" in fig.caption and "instrument" in fig.caption
    for column, value in all_table_cells(report):
        if column in ("Aantal", "n"):
            assert not (value.isdigit() and 0 < int(value) < K), (column, value)


def test_monitor_pilot_methodology_provenance(monitor, uu2020):
    report, qmd, _ = monitor
    assert "Evaluatie van de pilot" in report.section_titles
    assert "Open antwoord ingevuld" in qmd and "OD3" in qmd
    assert uu2020[0].items["OD1"].text.split()[0] in qmd  # question text from the codebook
    assert "gesteld aan: alle respondenten" in qmd
    assert "c" * 64 in qmd and "a" * 40 in qmd and "b" * 64 in qmd and "pandoc 3 (HTML)" in qmd
    assert "respondent_id" not in qmd and CANARY not in qmd


def test_monitor_without_pilot_has_no_pilot_section(tmp_path, uu2020):
    report = reports.build_monitor_report(tables=wave_tables(), meta=wave_meta(), settings=SETTINGS, organisation="X",
                                          codebook=uu2020[0], crosswalk=uu2020[1], manifest=MANIFEST,
                                          figure_dir=tmp_path / "f", qmd_dir=tmp_path)
    assert "Evaluatie van de pilot" not in report.section_titles


# ---- team sheets ------------------------------------------------------------------------------------------


def test_team_sheets_only_units_with_k_respondents(tmp_path, uu2020):
    tables = wave_tables(units={"Stadsontwikkeling": (120, 100, 12, 3), "Griffie": (8, 8, 0, 0),
                                "Concernstaf": (60, 55, 11, 0), "(onbekend)": (30, 30, 0, 0)})
    assert reports.eligible_units(tables["prevalence"], K) == ["Concernstaf", "Stadsontwikkeling"]
    report = reports.build_team_sheets(tables=tables, meta=wave_meta(), settings=SETTINGS, organisation="X",
                                       crosswalk=uu2020[1], manifest=MANIFEST, figure_dir=tmp_path / "f", qmd_dir=tmp_path)
    units = [s for s in report.sections if s.id and s.id.startswith("sec-team-")]
    assert [s.title for s in units] == ["Concernstaf", "Stadsontwikkeling"]
    questions = CAVEATS["reflection_questions"]
    for section in units:
        assert section.new_page
        text = " ".join(getattr(b, "text", "") for b in section.blocks) + " ".join(
            " ".join(b.items) for b in section.blocks if isinstance(b, render.BulletList))
        assert " ".join(questions["questions"][0].split()) in text
        assert questions["title"] in [b.text for b in section.blocks if isinstance(b, render.Heading)]
        titles = {c.title for c in blocks_of(section, Callout)}
        assert {CAVEATS["caveats"][k]["title"] for k in OUTLINES["team_sheets"]["unit_section"]["caveats"]} <= titles
        table = blocks_of(section, Table)[0]
        assert list(table.data.columns) == ["Type interactie", section.title, "Hele organisatie"]
    qmd = report.qmd(tmp_path)
    assert "Griffie" not in qmd and "(onbekend)" not in qmd


# ---- comparison ------------------------------------------------------------------------------------------


def comparison_table(instrument_a="mto2019", comparable=False):
    rows = []
    for cat, xa, xb in (("improper_pressure", 27, 40), ("improper_request", 32, 20), ("regular_request", 112, 0)):
        rows.append(dict(comparison="c", pair="opeenvolgend", wave_a="w0", wave_b="w1", instrument_a=instrument_a,
                         instrument_b="uu2020", table="prevalence", variable="type", category=cat, group_var="all",
                         group="Totaal", numerator_a=xa, denominator_a=1085, share_a=xa / 1085, n_eff_a=1085.0,
                         numerator_b=xb, denominator_b=400, share_b=xb / 400, n_eff_b=400.0,
                         diff=(xa / 1085 - xb / 400) if comparable else np.nan, ci_low=-0.05 if comparable else np.nan,
                         ci_high=0.01 if comparable else np.nan, statistic=np.nan, p_value=0.2 if comparable else np.nan,
                         p_adjusted=0.4 if comparable else np.nan, method="Newcombe" if comparable else "beschrijvend",
                         comparable=comparable, comparability="vergelijkbaar" if comparable else "niet vergelijkbaar",
                         comparability_reasons="" if comparable else "inhoud: proxy in w0; definitie getoond verschilt (ja vs nee)",
                         measured_a=True, measured_b=True, suppressed_a=False, suppressed_b=False, suppressed=False,
                         suppression_reason=pd.NA, reference_period_a="12 maanden", reference_period_b="12 maanden"))
    out = pd.DataFrame(rows)
    for column in ("numerator_a", "denominator_a", "numerator_b", "denominator_b"):
        out[column] = out[column].astype("Int64")
    return out


@pytest.mark.parametrize("cross", [True, False])
def test_comparison_marks_non_comparable_and_places_caveats(tmp_path, cross):
    instrument_a = "mto2019" if cross else "uu2020"
    metas = {"w0": {**wave_meta("w0", instrument_a), "definition_shown": cross}, "w1": wave_meta("w1")}
    crosswalks = {w: load_crosswalk(m["instrument"], codebook=load_codebook(m["instrument"])) for w, m in metas.items()}
    report = reports.build_comparison_report(
        comparison={"id": "c", "title": "Test", "waves": ["w0", "w1"]},
        table=comparison_table(instrument_a, comparable=not cross),
        wave_tables={"w0": wave_tables("w0", instrument_a), "w1": wave_tables("w1")}, metas=metas, settings=SETTINGS,
        organisation="X", crosswalks=crosswalks, manifest=MANIFEST, figure_dir=tmp_path / "f", qmd_dir=tmp_path)
    assert [s.id for s in report.sections] == [s["id"] for s in OUTLINES["comparison"]["sections"]]
    qmd = report.qmd(tmp_path)
    by_id = {s.id: s for s in report.sections}
    paradox = CAVEATS["caveats"]["integrity_paradox"]["title"]
    change = CAVEATS["caveats"]["instrument_change"]["title"]
    differences = by_id["sec-verschillen"]
    assert paradox in {c.title for c in blocks_of(differences, Callout)}
    assert (change in {c.title for c in blocks_of(differences, Callout)}) == cross
    if cross:
        assert "niet vergelijkbaar" in qmd
        assert not [t for t in blocks_of(differences, Table)]  # no differences where nothing is comparable
        side = next(t for t in blocks_of(by_id["sec-naast-elkaar"], Table))
        assert any("(niet vergelijkbaar)" in str(v) for v in side.data["w0"])
    else:
        table = blocks_of(differences, Table)[0]
        assert "Verschil a - b (pp)" in table.data.columns
        labels = list(table.data["Schatting"])
        # uu2020 cannot see regular requests: never compared, even though the table says comparable
        assert not any("Regulier verzoek" in label for label in labels)
        assert any("Oneigenlijke druk" in label for label in labels)


# ---- audit ----------------------------------------------------------------------------------------------


def test_audit_counts_carry_no_values():
    classified = pd.DataFrame({"respondent_id": [f"{CANARY}-{i}" for i in range(30)],
                               "routing_violation": ["OD2"] * 3 + ["OD2,OD5"] * 12 + [""] * 15,
                               "inconsistent_pressure": [True] * 4 + [False] * 26,
                               "cooccurrence_uncertain": [False] * 30})
    rejects = pd.DataFrame({"reason": ["duplicate_id", "duplicate_id", "out_of_range"], "column": ["respondent_id"] * 2 + ["OD6"],
                            "value": [CANARY] * 3})
    by_reason, routing, flags = reports.audit_counts(classified, rejects[["reason", "column"]], {"cooccurrence_uncertain"})
    assert by_reason == {("duplicate_id", "respondent_id"): 2, ("out_of_range", "OD6"): 1}
    assert routing == {"OD2": 15, "OD5": 12}
    assert flags == {"inconsistent_pressure": 4, "cooccurrence_uncertain": None}
    waves = [reports.WaveAudit("w1", "uu2020", "data/raw/w1.csv",
                               {"sha256": "b" * 64, "rows_in": 33, "rows_accepted": 30, "rows_rejected": 3,
                                "file_format": "csv", "warnings": []}, 30, by_reason, routing, flags)]
    report = reports.build_audit_report(waves=waves, manifest=MANIFEST, settings=SETTINGS,
                                        key_status={"key_env": "DRUKMONITOR_PSEUDONYM_KEY", "key_set": True, "demo_key": True})
    assert [s.id for s in report.sections][:6] == [s["id"] for s in OUTLINES["audit"]["sections"]]
    qmd = report.qmd()
    assert CANARY not in qmd
    assert "Demosleutel voor pseudonimisering gebruikt" in qmd
    assert "b" * 64 in qmd and "c" * 64 in qmd and "e" * 64 in qmd
    cells = all_table_cells(report)
    assert ("Aantal respondenten", "< 10") in cells  # 4 inconsistent answers
    assert ("Aantal respondenten", "15") in cells and ("Aantal respondenten", "niet van toepassing") in cells
    assert ("Aansluiting", "klopt") in cells
    assert ("Afgewezen rijen", "2") in cells  # file rows, not answers


def test_audit_without_demo_key(tmp_path):
    report = reports.build_audit_report(waves=[], manifest=MANIFEST, settings=SETTINGS,
                                        key_status={"key_env": "K", "key_set": True, "demo_key": False})
    assert "Demosleutel" not in report.qmd()


def test_outlines_yaml_is_what_the_builders_read():
    # every outline section of every report exists (the workflow test renders them all)
    raw = yaml.safe_load((render.DEFAULT_TEMPLATE_DIR / "outlines.yaml").read_text(encoding="utf-8"))
    assert raw == OUTLINES


# ---- provenance ---------------------------------------------------------------------------------------------


def test_report_provenance_is_scoped_to_the_report(tmp_path):
    from drukmonitor import stages

    summary = tmp_path / "ingest_summary.json"
    summary.write_text('{"sha256": "' + "f" * 64 + '", "file": "data/raw/w1.csv"}', encoding="utf-8")
    part = {"run_id": "demo", "organisation": "X", "settings": SETTINGS,
            "waves": [{"id": "w1", "instrument": "uu2020", "file": "data/raw/w1.csv"}]}
    first = stages.report_provenance(config_part=part, summaries={"w1": summary}, repo=tmp_path)
    again = stages.report_provenance(config_part=json_roundtrip(part), summaries={"w1": summary}, repo=tmp_path)
    assert first == again and first["config_scope"] == "report"
    assert first["waves"] == [{"id": "w1", "instrument": "uu2020", "file": "data/raw/w1.csv", "sha256": "f" * 64}]
    assert first["git"]["commit"].startswith("unknown") and first["renderer"]["name"] in ("quarto", "pandoc+typst")
    changed = stages.report_provenance(config_part={**part, "settings": {**SETTINGS, "min_cell_size": 5}},
                                       summaries={"w1": summary}, repo=tmp_path)
    assert changed["config_sha256"] != first["config_sha256"]
    blocks = reports.provenance_blocks(first, ["w1"])
    text = " ".join(" ".join(b.items) if isinstance(b, render.BulletList) else b.text for b in blocks)
    assert "f" * 64 in text and first["config_sha256"] in text and "Configuratie waarop dit rapport berust" in text


def json_roundtrip(value):
    import json

    return json.loads(json.dumps(value))


def test_manifest_is_deterministic(tmp_path, monkeypatch):
    import json

    from drukmonitor import stages

    raw = tmp_path / "raw.csv"
    raw.write_text("respondent_id,OD1\n1,1\n", encoding="utf-8")
    lock = tmp_path / "requirements.lock"
    lock.write_text("pandas==2.2.0\n", encoding="utf-8")
    config = {"run_id": "t", "waves": [{"id": "w1", "instrument": "uu2020", "file": str(raw)}], "settings": SETTINGS}
    monkeypatch.setenv("DRUKMONITOR_PSEUDONYM_KEY", "demo-key-not-secret-bundled-demo-only")
    outputs = []
    for name in ("a.json", "b.json"):
        stages.run_manifest_stage(config=config, raw_files=[raw], codebooks=[], crosswalks=[], other_inputs=[],
                                  repo=tmp_path, lock_file=lock, key_env="DRUKMONITOR_PSEUDONYM_KEY", output=tmp_path / name)
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    manifest = json.loads(outputs[0])
    assert manifest["pseudonymisation"] == {"key_env": "DRUKMONITOR_PSEUDONYM_KEY", "key_set": True, "demo_key": True}
    assert manifest["waves"][0]["sha256"] == manifest["raw_files"][0]["sha256"]
    assert manifest["renderer"]["name"] == render.choose_renderer() and manifest["python"]
    assert b"demo-key-not-secret" not in outputs[0]
