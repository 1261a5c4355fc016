"""Report figures: content (alt text, basis line, suppression, 'niet gemeten'), determinism."""

from __future__ import annotations

import hashlib
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from drukmonitor import figures
from drukmonitor.render import RenderError

ESTIMATE_COLUMNS = [
    "wave", "instrument", "table", "variable", "category", "group_var", "group", "numerator",
    "denominator", "denominator_definition", "share", "ci_low", "ci_high", "n_eff", "method",
    "weighted", "suppressed", "suppression_reason", "comparability", "comparability_reasons",
    "reference_period", "n_total",
]
K = 10


def wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return centre - half, centre + half


def est_row(wave, variable, category, x, n, *, group_var="all", group="Totaal", instrument="uu2020",
            comparability="identical", table="prevalence", k=K, method="wilson"):
    """One published estimate row (docs/architecture.md); cells with 0 < x < k are suppressed."""
    lo, hi = wilson(x, n)
    sup = (0 < x < k) or n < k
    return dict(
        wave=wave, instrument=instrument, table=table, variable=variable, category=category,
        group_var=group_var, group=group, numerator=pd.NA if sup else x, denominator=pd.NA if sup else n,
        denominator_definition="beantwoordde vraag 1", share=np.nan if sup else x / n,
        ci_low=np.nan if sup else lo, ci_high=np.nan if sup else hi, n_eff=np.nan, method=method,
        weighted=False, suppressed=sup, suppression_reason="min_cell_size" if sup else pd.NA,
        comparability=comparability, comparability_reasons="", reference_period="12 maanden", n_total=450,
    )


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)


def type_estimates(wave="uu2020_monitor") -> pd.DataFrame:
    return frame([
        est_row(wave, "type", "improper_request", 51, 412),
        est_row(wave, "type", "improper_pressure", 17, 412),
        est_row(wave, "type", "indecent_pressure", 4, 412),      # suppressed (0 < 4 < k)
        est_row(wave, "type", "not_reported", 340, 412),
    ])


def group_estimates() -> pd.DataFrame:
    rows = [est_row("w", "type", "improper_pressure", 17, 412)]
    for group, (x, n) in {"Stadsontwikkeling": (11, 120), "Maatschappelijke Ontwikkeling": (12, 150),
                          "Bestuursdienst": (3, 8)}.items():
        rows.append(est_row("w", "type", "improper_pressure", x, n, group_var="org_unit", group=group))
    return frame(rows)


def likert_estimates() -> pd.DataFrame:
    dist = {"intent": [5, 10, 20, 30, 15], "culpability": [20, 25, 15, 10, 10], "power": [12, 13, 10, 35, 30],
            "repeated": [15, 20, 15, 20, 10], "duration": [1, 2, 3, 2, 1]}
    rows = []
    for item, counts in dist.items():
        n = sum(counts)
        for code, x in enumerate(counts, 1):
            # the weighting-factor table suppresses whole items with n < k
            rows.append(est_row("w", item, str(code), x, n, table="weighting", k=K if n < K else 0))
    return frame(rows)


def context_estimates() -> pd.DataFrame:
    return frame([est_row("w", "context", c, x, 68, table="context") for c, x in
                  [("political_direct", 22), ("political_indirect", 18), ("top_civil_service", 15), ("external", 8)]])


def comparison_estimates() -> pd.DataFrame:
    rows = []
    for wave, instrument, level, n, values in [
        ("mto2019", "mto2019", "proxy", 900, (60, 30)),
        ("uu2020_pilot1", "uu2020", "identical", 150, (14, 5)),
        ("uu2020_monitor", "uu2020", "identical", 412, (51, 17)),
    ]:
        rows.append(est_row(wave, "type", "improper_request", values[0], n, instrument=instrument, comparability=level))
        rows.append(est_row(wave, "type", "improper_pressure", values[1], n, instrument=instrument, comparability=level))
    df = frame(rows)
    df["comparable"] = df["comparability"] != "proxy"
    return df


@pytest.fixture
def footnotes(monkeypatch):
    """Capture the text printed under each figure (basis line, suppression legend)."""
    captured: list[str] = []
    original = figures._footnote

    def spy(fig, lines):
        lines = list(lines)
        captured.append("\n".join(lines))
        original(fig, lines)

    monkeypatch.setattr(figures, "_footnote", spy)
    return captured


# --------------------------------------------------------------------------------------------


def test_figure1_grid_cells_and_alt_text(tmp_path, footnotes):
    out = figures.figure1_grid(type_estimates(), tmp_path / "grid.svg", k=K)
    assert out.path.is_file() and out.path.stat().st_size > 1000
    alt = out.alt_text
    assert "Oneigenlijk verzoek: 12,4%" in alt
    assert "Oneigenlijke druk: 4,1%" in alt
    assert "Onbehoorlijke druk: onderdrukt" in alt                 # suppressed, never a number
    assert "Onredelijke c.q. onhoudbare druk: niet gemeten" in alt   # no instrument measures it
    assert "Regulier verzoek: niet gemeten" in alt                 # absent from the table
    assert "n = 412" in alt and "12 maanden" in alt and "Kader 2" in alt
    # n, reference period and instrument are printed on the figure itself
    assert "Basis: n = 412 respondenten · referteperiode: 12 maanden" in footnotes[0]
    assert "onderdrukt: minder dan 10 respondenten" in footnotes[0]
    assert "niet gemeten" in footnotes[0]
    # the alt text is stored in the file as well
    assert "Oneigenlijk verzoek: 12,4%" in out.path.read_text(encoding="utf-8")


def test_figure1_unreasonable_pressure_is_never_a_number(tmp_path):
    df = pd.concat([type_estimates(), frame([est_row("uu2020_monitor", "type", "unreasonable_pressure", 30, 412)])])
    out = figures.figure1_grid(df, tmp_path / "grid.svg", k=K, not_measured=["regular_request"])
    assert "Onredelijke c.q. onhoudbare druk: niet gemeten" in out.alt_text
    assert "7,3%" not in out.alt_text


def test_figure1_not_measured_marker_in_estimate_rows(tmp_path):
    df = type_estimates()
    df.loc[df["category"] == "improper_request", "method"] = "not_measured"
    out = figures.figure1_grid(df, tmp_path / "grid.svg", k=K)
    assert "Oneigenlijk verzoek: niet gemeten" in out.alt_text
    # drukmonitor.estimate's own marking: measured = False, method "niet gemeten", counts NA
    df = type_estimates()
    df["measured"] = True
    df.loc[df["category"] == "improper_pressure", ["measured", "method"]] = [False, "niet gemeten"]
    out = figures.figure1_grid(df, tmp_path / "grid2.svg", k=K)
    assert "Oneigenlijke druk: niet gemeten" in out.alt_text


def test_felt_pressure_distribution(tmp_path):
    rows = [est_row("w", "felt_pressure", str(c), x, 60, table="distributions", k=0)
            for c, x in enumerate([5, 10, 20, 15, 8], 1)]
    rows.append(est_row("w", "felt_pressure", "refused", 2, 60, table="distributions", k=0))
    out = figures.diverging_likert(frame(rows), tmp_path / "od6.svg", items=figures.FELT_PRESSURE_ITEM,
                                   categories=figures.PRESSURE_CATEGORIES, k=K)
    assert "Enigszins 33,3%" in out.alt_text and "overige antwoorden 3,3%" in out.alt_text


def test_figure1_rejects_several_waves(tmp_path):
    df = pd.concat([type_estimates("a"), type_estimates("b")])
    with pytest.raises(RenderError):
        figures.figure1_grid(df, tmp_path / "grid.svg", k=K)


def test_prevalence_intervals(tmp_path, footnotes):
    out = figures.prevalence_intervals(group_estimates(), tmp_path / "prev.svg", k=K)
    assert "Totaal: 4,1%" in out.alt_text
    assert "Maatschappelijke Ontwikkeling: 8,0%, 95%-interval" in out.alt_text
    assert "Bestuursdienst: onderdrukt" in out.alt_text
    assert "Basis: n = 120–412 respondenten" in footnotes[0]


def test_diverging_likert(tmp_path, footnotes):
    out = figures.diverging_likert(likert_estimates(), tmp_path / "od8.svg", k=K)
    assert "Zeer mee eens 18,8%" in out.alt_text
    assert "Langere tijd onder druk gezet (duur): onderdrukt" in out.alt_text
    assert "referteperiode: 12 maanden" in footnotes[0]


def test_diverging_palette_is_symmetric_and_colour_blind_safe():
    palette = figures._diverging_palette(5, 2)
    assert palette[2] == figures.LIGHT_GREY
    assert palette[0] == figures.OKABE_ITO["vermillion"] and palette[4] == figures.OKABE_ITO["blue"]
    assert figures._diverging_palette(4, None)[:2] == ["#D55E00", "#E69F00"]
    with pytest.raises(RenderError):
        figures._diverging_palette(9, 4)


def test_diverging_likert_missing_item_raises(tmp_path):
    with pytest.raises(RenderError):
        figures.diverging_likert(likert_estimates(), tmp_path / "x.svg", items=[("OD9", "bestaat niet")], k=K)


def test_context_bars(tmp_path):
    out = figures.context_bars(context_estimates(), tmp_path / "ctx.svg", k=K,
                               order=["political_direct", "political_indirect", "top_civil_service",
                                      "external", "commissioning_principal"])
    assert "Politiek, rechtstreeks: 32,4%" in out.alt_text  # labels from workflow/labels.yaml
    assert "Extern (opdrachtgever of partij buiten de organisatie): onderdrukt" in out.alt_text
    assert "Opdrachtgever (principaal): niet gemeten" in out.alt_text


def test_comparison_marks_non_comparable(tmp_path, footnotes):
    out = figures.comparison_chart(comparison_estimates(), tmp_path / "cmp.svg", k=K,
                                   order=["improper_request", "improper_pressure"])
    assert "mto2019 6,7%" in out.alt_text and "(niet vergelijkbaar)" in out.alt_text
    assert "uu2020_monitor 12,4%" in out.alt_text
    assert out.alt_text.count("(niet vergelijkbaar)") == 2  # the two mto2019 estimates
    assert "uu2020_pilot1 onderdrukt" in out.alt_text
    note = footnotes[0]
    assert "mto2019: Basis: n = 900" in note and "MTO 2019" in note and "Kader 2" in note
    assert "zonder toets" in note


def test_comparison_uses_comparability_levels_without_flag(tmp_path):
    df = comparison_estimates().drop(columns=["comparable"])
    out = figures.comparison_chart(df, tmp_path / "cmp.svg", k=K)
    assert "mto2019 6,7%, 95%-interval 5,2% – 8,5%, n = 900 (niet vergelijkbaar)" in out.alt_text
    assert "uu2020_monitor 12,4%, 95%-interval 9,5% – 15,9%, n = 412" in out.alt_text
    assert out.alt_text.count("(niet vergelijkbaar)") == 2


def test_figure_block_relative_path(tmp_path):
    out = figures.context_bars(context_estimates(), tmp_path / "figs" / "ctx.svg", k=K)
    block = out.block("Context", "fig-context", relative_to=tmp_path)
    assert Path(block.path).as_posix() == "figs/ctx.svg"
    assert block.alt_text == out.alt_text


# ---- determinism -----------------------------------------------------------------------------


ALL_FIGURES = [
    ("grid", lambda p: figures.figure1_grid(type_estimates(), p, k=K)),
    ("prev", lambda p: figures.prevalence_intervals(group_estimates(), p, k=K)),
    ("od8", lambda p: figures.diverging_likert(likert_estimates(), p, k=K)),
    ("ctx", lambda p: figures.context_bars(context_estimates(), p, k=K)),
    ("cmp", lambda p: figures.comparison_chart(comparison_estimates(), p, k=K)),
]


@pytest.mark.parametrize("suffix", [".svg", ".png"])
@pytest.mark.parametrize("name,make", ALL_FIGURES, ids=[n for n, _ in ALL_FIGURES])
def test_figures_are_byte_identical(tmp_path, name, make, suffix):
    first = make(tmp_path / f"a{suffix}")
    second = make(tmp_path / f"b{suffix}")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.alt_text == second.alt_text
    data = first.path.read_bytes()
    if suffix == ".svg":
        assert b"<dc:date>" not in data and b"Matplotlib v" not in data
    else:
        assert b"Software" not in data and data.startswith(b"\x89PNG")
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write left nothing behind


def test_figures_identical_across_processes(tmp_path):
    here = figures.figure1_grid(type_estimates(), tmp_path / "here.svg", k=K)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_figures import type_estimates, K
        from drukmonitor import figures
        figures.figure1_grid(type_estimates(), {str(tmp_path / 'there.svg')!r}, k=K)
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
    there = tmp_path / "there.svg"
    assert hashlib.sha256(here.path.read_bytes()).hexdigest() == hashlib.sha256(there.read_bytes()).hexdigest()


def test_figures_leave_global_matplotlib_state_alone(tmp_path):
    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    figures.context_bars(context_estimates(), tmp_path / "ctx.svg", k=K)
    assert dict(matplotlib.rcParams) == before
    assert matplotlib.get_backend() == backend


def test_unknown_suffix_rejected(tmp_path):
    with pytest.raises(RenderError):
        figures.context_bars(context_estimates(), tmp_path / "ctx.jpg", k=K)
