"""Rendering layer: Dutch formatting, qmd assembly, caveats, renderer choice, and the
pandoc+typst fallback (self-contained HTML, PDF, cross-references, byte-identical re-renders)."""

from __future__ import annotations

import os
import re
import stat
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pypdf
import pytest
from browser_helpers import body_attributes, chromium_or_skip
import yaml

from drukmonitor import figures, render
from drukmonitor.render import (
    SUPPRESSED,
    BulletList,
    Callout,
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    RenderError,
    Section,
    Table,
    fmt_ci,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    fmt_pct_ci,
    fmt_period,
    fmt_pp,
)

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "docs" / "seed" / "heres_bovens_2020_spanningen_in_het_grijs.txt"
K = 10


# ---- Dutch number formatting ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [(0.123, "12,3%"), (0.1235, "12,4%"), (0.0, "0,0%"), (1.0, "100,0%"), (0.00049, "0,0%"),
     (np.float64(0.5), "50,0%"), (None, "–"), (np.nan, "–"), (pd.NA, "–")],
)
def test_fmt_pct(value, expected):
    assert fmt_pct(value) == expected


def test_fmt_helpers():
    assert fmt_pct(0.123, suppressed=True) == SUPPRESSED == "•"
    assert fmt_ci(0.098, 0.151) == "(9,8% – 15,1%)"
    assert fmt_ci(None, 0.1) == "–"
    assert fmt_pct_ci(0.123, 0.098, 0.151) == "12,3% (9,8% – 15,1%)"
    assert fmt_pct_ci(0.123, 0.098, 0.151, suppressed=True) == "•"
    assert fmt_int(1400) == "1.400"
    assert fmt_int(1234567) == "1.234.567"
    assert fmt_num(1234.56, 1) == "1.234,6"
    assert fmt_num(-0.04, 1) == "0,0"          # no "-0,0"
    assert fmt_num(-2.25, 1) == "\u22122,3"     # half away from zero, real minus sign
    assert fmt_pp(0.023) == "+2,3 procentpunt"
    assert fmt_pp(-0.01) == "\u22121,0 procentpunt"
    assert fmt_p(0.0321) == "p = 0,032" and fmt_p(0.0001) == "p < 0,001"
    assert fmt_period(12) == "12 maanden" and fmt_period("12") == "12 maanden"
    assert fmt_period("5 jaar") == "5 jaar"


def test_basis_and_suppression_note():
    basis = render.basis_note(412, "12 maanden", "uu2020")
    assert basis == ("Basis: n = 412 respondenten · referteperiode: 12 maanden · instrument: "
                     "nieuw meetinstrument (Kader 2, Heres en Bovens 2020)")
    assert "n = 120–412" in render.basis_note((120, 412), 12, "mto2019")
    assert "n = < 10" in render.basis_note(None, 12, "mto2019", k=10)
    note = render.suppression_note(10)
    assert note.startswith("• Onderdrukt: minder dan 10 respondenten")


def test_md_escape():
    assert render.md_escape("a|b *c* @fig-x [d]") == r"a\|b \*c\* \@fig-x \[d\]"
    assert render.md_escape("- lijst") == r"\- lijst"
    assert render.md_escape(None) == ""


def test_estimate_table_formats_suppressed_and_not_measured():
    est = pd.DataFrame({
        "category": ["improper_request", "indecent_pressure", "regular_request"],
        "numerator": [51, pd.NA, pd.NA], "denominator": [412, pd.NA, pd.NA],
        "share": [51 / 412, np.nan, np.nan], "ci_low": [0.095, np.nan, np.nan], "ci_high": [0.159, np.nan, np.nan],
        "suppressed": [False, True, False], "method": ["wilson", "wilson", "not_measured"],
        "weighted": [False, False, False],
    })
    table = render.estimate_table(est, row_label="Type", labels=render.TYPE_LABELS)
    assert list(table.columns) == ["Type", "Aantal", "n", "Aandeel", "95%-interval"]
    assert table.iloc[0].tolist() == ["Oneigenlijk verzoek", "51", "412", "12,4%", "(9,5% – 15,9%)"]
    assert table.iloc[1].tolist()[1:] == ["•"] * 4
    assert table.iloc[2].tolist()[1:] == ["niet gemeten"] * 4


# ---- qmd assembly ------------------------------------------------------------------------------


def small_table() -> pd.DataFrame:
    return pd.DataFrame({"Type": ["Oneigenlijk verzoek", "Onbehoorlijke druk"], "n": ["412", SUPPRESSED],
                         "Aandeel": ["12,4%", SUPPRESSED]})


def test_build_qmd_structure():
    sections = [
        Section("Samenvatting", [Paragraph("Zie @fig-grid en @tbl-types.")]),
        Section("Cijfers", [
            Table(small_table(), "Typen", "tbl-types", "Basis: n = 412", min_cell_size=K),
            Figure("figures/grid.svg", "Raster", "fig-grid", 'Alt "tekst"'),
            Callout("warning", 'Let "op"', "Tekst."),
        ]),
    ]
    qmd = render.build_qmd("Titel", sections, {"organisation": "Gemeente X"})
    front, body = render.split_front_matter(qmd)
    assert front["title"] == "Titel" and front["lang"] == "nl" and front["organisation"] == "Gemeente X"
    assert front["format"]["html"]["embed-resources"] is True
    assert front["renderer"] == "quarto"
    assert ": Typen {#tbl-types}" in body
    assert '![Raster](figures/grid.svg){#fig-grid fig-alt="Alt \\"tekst\\""}' in body
    assert '::: {.callout-warning title="Let \\"op\\""}' in body
    assert "| Type                |   n | Aandeel |" in body
    assert "| :------------------ | --: | ------: |" in body   # numbers (and •) right-aligned
    assert "• Onderdrukt: minder dan 10 respondenten" in body
    assert "{{< meta renderer >}}" in body
    assert "```{" not in body


@pytest.mark.parametrize(
    "sections,message",
    [
        ([Section("A", [Paragraph("Zie @fig-missing.")])], "cross-reference"),
        ([Section("A", [Figure("a.svg", "c", "grid", "alt")])], "label"),
        ([Section("A", [Table(small_table().iloc[:1], "c", "fig-x", "b")])], "label"),
        ([Section("A", [Figure("a.svg", "c", "fig-a", "alt"), Figure("b.svg", "c", "fig-a", "alt")])], "twice"),
        ([Section("A", [Figure("a.svg", "c", "fig-a", "  ")])], "alt text"),
        ([Section("A", [Table(small_table(), "c", "tbl-a", "b")])], "min_cell_size"),
    ],
)
def test_build_qmd_rejects(sections, message):
    with pytest.raises(RenderError, match=message):
        render.build_qmd("T", sections)


def test_results_only():
    render.check_results_only("```{=html}\n<b>x</b>\n```\n")  # raw blocks are fine
    with pytest.raises(RenderError, match="code cells"):
        render.check_results_only("tekst\n\n```{python}\nprint(1)\n```\n")
    with pytest.raises(RenderError):
        render.check_results_only("~~~ {r}\n1\n~~~\n")


def test_shortcodes():
    meta = {"renderer": "pandoc+typst", "org": {"name": "Gemeente *X*"}}
    assert render.expand_shortcodes("{{< meta renderer >}}", meta) == "pandoc+typst"
    assert render.expand_shortcodes("{{< meta org.name >}}", meta) == r"Gemeente \*X\*"
    assert ".pagebreak" in render.expand_shortcodes("{{< pagebreak >}}", meta)
    with pytest.raises(RenderError):
        render.expand_shortcodes("{{< include x.qmd >}}", meta)
    with pytest.raises(RenderError):
        render.expand_shortcodes("{{< meta nope >}}", meta)


# ---- caveats -----------------------------------------------------------------------------------

CAVEAT_KEYS = {"subjectivity", "integrity_paradox", "purpose_of_figures", "instrument_change",
               "doubt_cases_apart", "criterion_iv"}


def test_caveats_complete():
    data = render.load_caveats()
    assert set(data["caveats"]) == CAVEAT_KEYS
    for key, caveat in data["caveats"].items():
        assert caveat["kind"] in render.CALLOUT_KINDS, key
        assert caveat["title"] and caveat["text"] and caveat["quote"] and caveat["quote_source"], key
    text = " ".join(" ".join(c["text"].split()) for c in data["caveats"].values())
    for phrase in ("ervaren* oneigenlijke druk", "illusie van objectiviteit", "Integriteitsparadox".lower()):
        assert phrase.lower() in (text + " integriteitsparadox").lower()
    assert "integriteitsparadox" in data["caveats"]["integrity_paradox"]["title"].lower()
    assert len(data["reflection_questions"]["questions"]) == 2


def _normalise(text: str) -> str:
    text = re.sub(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+", "", text)
    return " ".join(text.split())


def test_caveat_quotes_are_verbatim_from_the_seed():
    seed = _normalise(SEED.read_text(encoding="utf-8"))
    data = render.load_caveats()
    for key, caveat in data["caveats"].items():
        assert _normalise(caveat["quote"]) in seed, key
    assert _normalise(data["reflection_questions"]["quote"]) in seed


def test_caveat_callout_and_reflection_questions():
    callout = render.caveat_callout("integrity_paradox")
    assert callout.kind == "warning"
    assert "“Eventuele toe- of afname" in callout.text and "§3.2" in callout.text
    blocks = render.reflection_questions_blocks()
    assert isinstance(blocks[-1], BulletList) and blocks[-1].ordered and len(blocks[-1].items) == 2
    with pytest.raises(RenderError):
        render.caveat_callout("nope")


# ---- renderer choice -------------------------------------------------------------------------


def test_choose_renderer(monkeypatch):
    monkeypatch.delenv(render.RENDERER_ENV, raising=False)
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    assert render.choose_renderer() == "pandoc+typst"
    with pytest.raises(RenderError, match="not on PATH"):
        render.choose_renderer("quarto")
    monkeypatch.setattr(render.shutil, "which", lambda name: "/usr/bin/quarto")
    assert render.choose_renderer() == "quarto"
    monkeypatch.setenv(render.RENDERER_ENV, "pandoc+typst")
    assert render.choose_renderer() == "pandoc+typst"
    assert render.choose_renderer("quarto") == "quarto"  # the argument wins over the environment
    with pytest.raises(RenderError):
        render.choose_renderer("latex")


FAKE_QUARTO = """#!{python}
import os, sys
args = sys.argv[1:]
if args == ["--version"]:
    print("1.99.0"); sys.exit(0)
with open(os.environ["FAKE_QUARTO_LOG"], "a") as log:
    log.write(os.getcwd() + " " + " ".join(args) + "\\n")
to = args[args.index("--to") + 1]
out = args[args.index("--output") + 1]
with open(out, "w") as handle:
    handle.write("fake " + to)
"""


def test_quarto_route_with_a_stub(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    quarto = bin_dir / "quarto"
    quarto.write_text(FAKE_QUARTO.format(python=sys.executable))
    quarto.chmod(quarto.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "quarto.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    monkeypatch.delenv(render.RENDERER_ENV, raising=False)
    src = tmp_path / "src"
    src.mkdir()
    qmd = src / "rapport.qmd"
    render.write_qmd(qmd, render.build_qmd("T", [Section("A", [Paragraph("x")])], qmd_dir=src))
    result = render.render_report(qmd, tmp_path / "out")
    assert result.renderer == "quarto" and result.versions == {"quarto": "1.99.0"}
    assert result.outputs["html"].read_text() == "fake html"
    assert result.outputs["pdf"].read_text() == "fake typst"
    assert result.outputs["pdf"] == tmp_path / "out" / "rapport.pdf"
    calls = log.read_text().splitlines()
    assert len(calls) == 2 and all(c.startswith(str(src)) for c in calls)
    assert "render rapport.qmd --to html" in calls[0] and "--to typst" in calls[1]
    assert "--metadata renderer:Quarto 1.99.0" in calls[0]
    assert sorted(p.name for p in src.iterdir()) == ["rapport.qmd"]  # nothing left beside the source


# ---- the pandoc + typst fallback ---------------------------------------------------------------


def _type_estimates() -> pd.DataFrame:
    rows = []
    for cat, x, n, sup in [("improper_request", 51, 412, False), ("improper_pressure", 17, 412, False),
                           ("indecent_pressure", None, None, True)]:
        rows.append(dict(wave="uu2020_monitor", instrument="uu2020", variable="type", category=cat, group_var="all",
                         group="Totaal", numerator=pd.NA if sup else x, denominator=pd.NA if sup else n,
                         share=np.nan if sup else x / n, ci_low=np.nan if sup else x / n - 0.02,
                         ci_high=np.nan if sup else x / n + 0.03, suppressed=sup, method="wilson",
                         weighted=False, comparability="identical", reference_period="12 maanden", n_total=450))
    return pd.DataFrame(rows)


def build_sample_report(report_dir: Path) -> Path:
    """A small monitor report: table, two figures (SVG and PNG), callouts, references, team sheet."""
    fig_dir = report_dir / "figures"
    est = _type_estimates()
    grid = figures.figure1_grid(est, fig_dir / "figuur1.svg", k=K)
    bars = figures.context_bars(est, fig_dir / "typen.png", k=K, order=["improper_request", "improper_pressure",
                                                                          "indecent_pressure"])
    table = render.estimate_table(est, row_label="Type", labels=render.TYPE_LABELS)
    sections = [
        Section("Samenvatting", [
            Paragraph("Van de respondenten ervoer 12,4% een oneigenlijk verzoek (@tbl-prevalentie, @fig-figuur1); "
                      "zie ook @fig-typen."),
            render.caveat_callout("subjectivity"),
        ], id="sec-samenvatting"),
        Section("Prevalentie", [
            Table(table, "Ervaren oneigenlijke verzoeken en druk naar type", "tbl-prevalentie",
                  render.estimates_basis(est, k=K), notes=["Twijfelgevallen staan apart in de volgende tabel."],
                  min_cell_size=K),
            grid.block("Figuur 1 gevuld met de cijfers van deze meting", "fig-figuur1", relative_to=report_dir),
            bars.block("Typen interactie", "fig-typen", relative_to=report_dir),
            render.caveat_callout("doubt_cases_apart"),
            render.caveat_callout("criterion_iv", quote=False),
        ]),
        Section("Teamblad: Stadsontwikkeling", [
            Heading("Jullie cijfers naast die van de organisatie", level=3),
            Paragraph("Tekst van het teamblad."),
            PageBreak(),
            *render.reflection_questions_blocks(),
        ], new_page=True),
    ]
    qmd = render.build_qmd("Monitor ervaren oneigenlijke druk", sections, {"organisation": "Gemeente Voorbeeldstad"},
                           subtitle="Meting uu2020_monitor (oktober 2021)", qmd_dir=report_dir)
    return render.write_qmd(report_dir / "monitor.qmd", qmd)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.imgs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("src", "href", "data", "poster", "srcset"):
            if attributes.get(name):
                self.urls.append((tag, name, attributes[name]))
        if tag == "img":
            self.imgs.append(attributes)


def _pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    text = text.replace("\u00ad\n", "").replace("\u00ad", "").replace("-\n", "-")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("fallback")
    qmd = build_sample_report(base / "src")
    first = render.render_report(qmd, base / "out1", renderer="pandoc+typst")
    second = render.render_report(qmd, base / "out2", renderer="pandoc+typst")
    # rebuild the source and its figures from scratch in another folder
    qmd_b = build_sample_report(base / "src_b")
    third = render.render_report(qmd_b, base / "out3", renderer="pandoc+typst")
    return {"qmd": qmd, "qmd_b": qmd_b, "first": first, "second": second, "third": third, "base": base}


def test_fallback_outputs(rendered):
    result = rendered["first"]
    assert result.renderer == "pandoc+typst"
    assert set(result.outputs) == {"html", "pdf"}
    assert result.outputs["html"].name == "monitor.html" and result.outputs["pdf"].name == "monitor.pdf"
    assert result.warnings == ()
    assert not list(result.outputs["html"].parent.glob(".*"))  # no temp files left


def test_html_is_self_contained(rendered):
    html = rendered["first"].outputs["html"].read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(html)
    external = [(t, a, u[:60]) for t, a, u in parser.urls if not (u.startswith("data:") or u.startswith("#"))]
    assert external == []
    assert "<link" not in html and "<script src" not in html
    assert re.findall(r"url\((?!['\"]?data:)", html) == []
    assert len(parser.imgs) == 2 and all(i["src"].startswith("data:image/") for i in parser.imgs)
    # alt text reaches the page (pandoc writes it as alt or aria-label)
    labels = [i.get("alt") or i.get("aria-label") or "" for i in parser.imgs]
    assert any("Raster van Figuur 1" in label for label in labels)
    assert '<html xmlns="http://www.w3.org/1999/xhtml" lang="nl"' in html


def test_html_content_and_cross_references(rendered):
    html = rendered["first"].outputs["html"].read_text(encoding="utf-8")
    assert "??" not in html and "@fig-" not in html and "@tbl-" not in html
    assert '<a href="#tbl-prevalentie" class="quarto-xref">Tabel\u00a01</a>' in html
    assert '<a href="#fig-figuur1" class="quarto-xref">Figuur\u00a01</a>' in html
    assert '<a href="#fig-typen" class="quarto-xref">Figuur\u00a02</a>' in html
    assert 'id="fig-figuur1"' in html and 'id="tbl-prevalentie"' in html
    assert "Figuur\u00a01: Figuur 1 gevuld" in html and "Tabel\u00a01: Ervaren oneigenlijke" in html
    assert 'class="dm-callout callout-warning"' in html
    assert "Ervaren oneigenlijke druk: geen objectieve feiten" in html
    assert "illusie van objectiviteit" in html
    assert "Onderdrukt: minder dan 10 respondenten" in html
    assert "pandoc+typst" in html and "opgemaakt met pandoc" in html  # the renderer is stated
    assert "Twee vragen voor het teamgesprek" in html
    assert 'class="pagebreak"' in html


def test_pdf_content_and_cross_references(rendered):
    pdf = rendered["first"].outputs["pdf"]
    text = _pdf_text(pdf)
    for heading in ("Monitor ervaren oneigenlijke druk", "Samenvatting", "Prevalentie",
                    "Teamblad: Stadsontwikkeling", "Twee vragen voor het teamgesprek", "Inhoud"):
        assert heading in text, heading
    assert "Ervaren oneigenlijke druk: geen objectieve feiten" in text
    assert "geen objectieve feiten (de ‘illusie van objectiviteit’)" in text
    assert "Collectieve erkenning (criterium iv)" in text
    assert "(Tabel 1, Figuur 1); zie ook Figuur 2" in text
    assert "Tabel 1: Ervaren oneigenlijke verzoeken" in text and "Figuur 2: Typen interactie" in text
    assert "??" not in text and "@fig" not in text and "@tbl" not in text
    assert "12,4%" in text and "(9,5% – 15,9%)" not in text  # our synthetic interval is 10,4% – 15,4%
    assert "Onderdrukt: minder dan 10 respondenten" in text
    assert "pandoc+typst" in text
    reader = pypdf.PdfReader(str(pdf))
    info = reader.metadata or {}
    assert "/CreationDate" not in info and "/ModDate" not in info
    assert info.get("/Title") == "Monitor ervaren oneigenlijke druk"
    fonts = set()
    for page in reader.pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert fonts and all("Libertinus" in f or "DejaVu" in f or "NewCM" in f for f in fonts), fonts


def test_rerender_is_byte_identical(rendered):
    first, second, third = rendered["first"], rendered["second"], rendered["third"]
    for fmt in ("html", "pdf"):
        assert first.outputs[fmt].read_bytes() == second.outputs[fmt].read_bytes(), fmt
        # same source built again from scratch (figures included) in another folder
        assert first.outputs[fmt].read_bytes() == third.outputs[fmt].read_bytes(), fmt
    assert rendered["qmd"].read_bytes().replace(b"src/", b"") == rendered["qmd_b"].read_bytes().replace(b"src_b/", b"")


def test_html_only_and_errors(rendered, tmp_path):
    result = render.render_report(rendered["qmd"], tmp_path, formats=("html",), renderer="pandoc+typst")
    assert set(result.outputs) == {"html"}
    with pytest.raises(RenderError):
        render.render_report(rendered["qmd"], tmp_path, formats=("docx",), renderer="pandoc+typst")
    with pytest.raises(RenderError, match="not found"):
        render.render_report(tmp_path / "missing.qmd", tmp_path, renderer="pandoc+typst")


def test_unknown_reference_fails_instead_of_question_marks(tmp_path):
    qmd = tmp_path / "kapot.qmd"
    qmd.write_text("---\ntitle: Kapot\n---\n\n## A\n\nZie @fig-bestaat-niet.\n", encoding="utf-8")
    with pytest.raises(RenderError, match="fig-bestaat-niet"):
        render.render_report(qmd, tmp_path / "out", formats=("html",), renderer="pandoc+typst")
    with pytest.raises(RenderError, match="fig-bestaat-niet"):
        render.render_report(qmd, tmp_path / "out", formats=("pdf",), renderer="pandoc+typst")
    assert not (tmp_path / "out" / "kapot.html").exists()


def test_code_cells_are_refused(tmp_path):
    qmd = tmp_path / "code.qmd"
    qmd.write_text("---\ntitle: x\n---\n\n```{python}\n1 + 1\n```\n", encoding="utf-8")
    with pytest.raises(RenderError, match="results-only"):
        render.render_report(qmd, tmp_path / "out", renderer="pandoc+typst")


def test_figure_outside_report_folder_needs_typst_root(tmp_path):
    shared = tmp_path / "gedeeld"
    out = figures.context_bars(_type_estimates(), shared / "typen.svg", k=K)
    report = tmp_path / "rapport"
    sections = [Section("A", [Paragraph("Zie @fig-t."), Figure("../gedeeld/typen.svg", "Typen", "fig-t", out.alt_text)])]
    qmd = render.write_qmd(report / "r.qmd", render.build_qmd("R", sections, qmd_dir=report))
    with pytest.raises(RenderError, match="typst_root"):
        render.render_report(qmd, tmp_path / "out", formats=("pdf",), renderer="pandoc+typst")
    result = render.render_report(qmd, tmp_path / "out", renderer="pandoc+typst", typst_root=tmp_path)
    assert "Zie Figuur 1" in _pdf_text(result.outputs["pdf"])
    assert 'src="data:image/svg+xml' in result.outputs["html"].read_text(encoding="utf-8")


# ---- headless browser ----------------------------------------------------------------------------

PROBE = textwrap.dedent("""\
    <script>
    window.addEventListener('load', () => {
      const imgs = [...document.images];
      const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
      const callout = document.querySelector('div.callout-warning');
      document.body.setAttribute('data-img-total', imgs.length);
      document.body.setAttribute('data-img-ok', ok);
      document.body.setAttribute('data-callout-border', callout ? getComputedStyle(callout).borderLeftWidth : 'none');
    });
    </script>
""")


@pytest.mark.browser
def test_html_images_load_in_headless_chromium(rendered, tmp_path):
    chromium = chromium_or_skip()
    html = rendered["first"].outputs["html"].read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"  # a copy with a probe script; the report itself has no scripts
    probe.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    attrs, stderr = body_attributes(chromium, probe, tmp_path / "profile")
    assert attrs, stderr
    assert attrs.get("data-img-total") == "2", attrs
    assert attrs.get("data-img-ok") == "2", attrs
    assert attrs.get("data-callout-border") == "5px", attrs  # the embedded stylesheet applies


def test_remote_images_are_refused(tmp_path):
    qmd = tmp_path / "r.qmd"
    qmd.write_text("---\ntitle: R\n---\n\n![x](https://example.org/a.png){#fig-a}\n", encoding="utf-8")
    for fmt in ("html", "pdf"):
        with pytest.raises(RenderError, match="external resources|relative path"):
            render.render_report(qmd, tmp_path / "out", formats=(fmt,), renderer="pandoc+typst")


def test_new_page_section_and_colophon():
    qmd = render.build_qmd("T", [Section("A", [Paragraph("x")]), Section("Team", [Paragraph("y")], new_page=True)])
    assert "{{< pagebreak >}}\n\n## Team" in qmd
    assert qmd.rstrip().endswith("Dit rapport is opgemaakt met {{< meta renderer >}}.\n:::")


def test_outlines_reference_known_caveats_and_figures():
    outlines = yaml.safe_load((render.DEFAULT_TEMPLATE_DIR / "outlines.yaml").read_text(encoding="utf-8"))
    assert set(outlines) == {"monitor", "comparison", "team_sheets", "audit"}
    keys = set(render.load_caveats()["caveats"])
    used: set[str] = set()
    for report in outlines.values():
        sections = report.get("sections", []) + ([report["unit_section"]] if "unit_section" in report else [])
        for section in sections:
            used.update(section.get("caveats", []))
            for name in section.get("figures", []):
                assert callable(getattr(figures, name)), name
    assert used <= keys and keys <= used  # every caveat is placed somewhere, none unknown
