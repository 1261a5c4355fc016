"""End to end: the whole workflow on a copy of the demo (with canaries planted) renders every report.

One workflow run (module fixture) on a copy of the project and the demo configuration in a temporary folder, with
unique canary strings planted in the open-text answers (OD3, OD4_anders, ..., pbd7, Q9, V5_anders)
and as respondent ids of the raw demo copies. Then:

* every report exists as HTML and PDF, the PDF text holds the outline's section titles and caveats;
* every HTML report opens in headless Chromium with all images loaded (marker ``browser``);
* no canary appears in any report file (HTML, embedded images, PDF text, qmd, figures, provenance
  JSON) nor in the published estimate tables;
* no published table has an unsuppressed count 0 < n < k, and no count in a report table is one;
* re-rendering gives byte-identical reports;
* the audit report carries every checksum, the reconciliation and the demo-key warning.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import textwrap
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pypdf
import pytest
from browser_helpers import body_attributes, chromium_or_skip
from workflow_helpers import DEMO_KEY, copy_project, run_snakemake
import yaml

from drukmonitor import demo, render, reports

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CANARY = "CANARY-7f3a9"
TEXT_COLUMNS = {"OD3", "OD4_anders", "OD5_anders", "OD7_anders", "pbd7", "Q9", "V5_anders", "V6_anders", "V7_anders"}
ID_CANARIES = {"uu2020_pilot1": "respondent_id", "uu2020_pilot2": "respondent_id", "wodc2018": "respnr"}
OUTLINES = reports.load_outlines()
CAVEATS = render.load_caveats()


# ---- the shared workflow run ---------------------------------------------------------------------------


def plant_canaries(raw_dir: Path) -> dict[str, int]:
    """The demo exports, with every non-empty open-text answer and one respondent id per wave in
    ID_CANARIES replaced by a canary. Empty answers stay empty, so routing and classification are
    those of the bundled demo."""
    planted: dict[str, int] = {}
    waves = demo.build_demo()
    for wave_id, wave in waves.items():
        for column in wave.columns:
            if column not in TEXT_COLUMNS:
                continue
            for index, record in enumerate(wave.records):
                if record.get(column):
                    record[column] = f"{CANARY} {column} {index}"
                    planted[column] = planted.get(column, 0) + 1
        if wave_id in ID_CANARIES:
            wave.records[0][ID_CANARIES[wave_id]] = f"{CANARY}-ID-{wave_id}"
            planted[f"id:{wave_id}"] = 1
        path = raw_dir / wave.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(demo._WRITERS[wave_id](wave))
    return planted


PROJECT_FILES = ("Snakefile", "workflow", "scripts", "requirements.lock")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("workflow")
    copy_project(workdir, PROJECT_FILES)
    raw_dir = workdir / "data" / "raw" / "demo"
    planted = plant_canaries(raw_dir)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    for wave in config["waves"]:  # relative to the run folder, as in the bundled config
        wave["file"] = str((raw_dir / Path(wave["file"]).name).relative_to(workdir))
    (workdir / "config").mkdir()
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                                                    encoding="utf-8")
    run_snakemake(workdir, "--configfile", str(workdir / "config" / "config.yaml"), "--cores", "2")
    listing = subprocess.run([sys.executable, "-m", "drukmonitor.cli", "outputs", "--configfile", "config/config.yaml"],
                             cwd=workdir, capture_output=True, text=True, timeout=120)
    reports_dir = workdir / config.get("reports_dir", "reports") / config["run_id"]
    return {"workdir": workdir, "config": config, "reports": reports_dir, "planted": planted, "listing": listing,
            "k": int(config["settings"]["min_cell_size"]), "processed": workdir / config.get("processed_dir", "data/processed")}


def expected_reports(config) -> dict[str, str]:
    """report folder -> kind."""
    out = {f"monitor_{w['id']}": "monitor" for w in config["waves"]}
    out.update({f"vergelijking_{c['id']}": "comparison" for c in config.get("comparisons", [])})
    out.update({f"teambladen_{w['id']}": "team_sheets" for w in config["waves"]})
    out["audit"] = "audit"
    return out


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(str(path))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    """Text without whitespace, hyphens and soft hyphens (PDF line breaks and hyphenation)."""
    return re.sub(r"[\s\-\u00ad\u2010\u2011]", "", text)


@pytest.fixture(scope="module")
def pdf_texts(run):
    return {name: pdf_text(run["reports"] / name / f"{name}.pdf") for name in expected_reports(run["config"])}


# ---- every report, both formats --------------------------------------------------------------------------


def test_every_report_exists_as_html_and_pdf(run):
    for name in expected_reports(run["config"]):
        for ext in ("html", "pdf", "qmd"):
            path = run["reports"] / name / f"{name}.{ext}"
            assert path.is_file() and path.stat().st_size > 1000, path
        assert (run["reports"] / name / f"{name}.pdf").read_bytes().startswith(b"%PDF")
    listing = run["listing"].stdout
    assert run["listing"].returncode == 0, run["listing"].stderr
    for name in expected_reports(run["config"]):
        assert f"{name}/{name}.html" in listing and f"{name}/{name}.pdf" in listing, name
    assert "provenance.json" in listing


def test_manifest_is_complete_and_deterministic(run):
    manifest = json.loads((run["reports"] / "provenance.json").read_text(encoding="utf-8"))
    config = run["config"]
    assert manifest["run_id"] == config["run_id"] and len(manifest["config_sha256"]) == 64
    assert len(manifest["raw_files"]) == len(config["waves"]) and len(manifest["waves"]) == len(config["waves"])
    assert {Path(e["path"]).name for e in manifest["codebooks"]} == {f"{w['instrument']}.yaml" for w in config["waves"]}
    assert {Path(e["path"]).name for e in manifest["crosswalks"]} == {f"{w['instrument']}.yaml" for w in config["waves"]}
    assert any(Path(e["path"]).name == "labels.yaml" for e in manifest["other_inputs"])
    assert manifest["software"]["lock_file"]["sha256"] and manifest["software"]["locked"]
    assert manifest["git"]["commit"] and manifest["renderer"]["name"] in ("quarto", "pandoc+typst")
    assert manifest["pseudonymisation"] == {"key_env": "DRUKMONITOR_PSEUDONYM_KEY", "key_set": True, "demo_key": True}
    text = json.dumps(manifest)
    assert DEMO_KEY not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text)  # no timestamps


@pytest.mark.parametrize("kind", ["monitor", "comparison", "team_sheets", "audit"])
def test_pdf_has_section_titles_and_caveats(run, pdf_texts, kind):
    outline = OUTLINES[kind]
    names = [n for n, k in expected_reports(run["config"]).items() if k == kind]
    assert names
    pilots = {w["id"] for w in run["config"]["waves"] if w.get("pilot")}
    for name in names:
        text = squash(pdf_texts[name])
        sections = outline.get("sections", [])
        for section in sections:
            if section.get("when") == "pilot" and name.removeprefix("monitor_") not in pilots:
                assert squash(section["title"]) not in text, (name, section["title"])
                continue
            assert squash(section["title"]) in text, (name, section["title"])
            for key in section.get("caveats", []):
                assert squash(CAVEATS["caveats"][key]["title"]) in text, (name, key)
        if kind == "team_sheets" and "{#sec-team-1}" in (run["reports"] / name / f"{name}.qmd").read_text(encoding="utf-8"):
            for key in outline["unit_section"]["caveats"]:
                assert squash(CAVEATS["caveats"][key]["title"]) in text, (name, key)
            assert squash(CAVEATS["reflection_questions"]["title"]) in text
        assert "??" not in pdf_texts[name]


def test_monitor_reports_mark_what_an_instrument_cannot_see(pdf_texts):
    for wave in ("fnv2018", "wodc2018"):
        text = squash(pdf_texts[f"monitor_{wave}"])
        for label in ("Oneigenlijk verzoek", "Regulier verzoek", "Onbehoorlijke druk"):
            assert squash(f"{label}: niet gemeten") in text, (wave, label)
    for wave in ("uu2020_pilot1", "uu2020_monitor"):
        text = squash(pdf_texts[f"monitor_{wave}"])
        assert squash("Regulier verzoek: niet gemeten") in text and squash("Onbehoorlijke druk: niet gemeten") in text
        assert squash("Oneigenlijk verzoek: niet gemeten") not in text
    # across instruments nothing is comparable: visibly marked, no differences
    text = pdf_texts["vergelijking_mto2019_vs_monitor"]
    assert "niet vergelijkbaar" in text
    assert squash("Geen enkele schatting van mto2019 en uu2020_monitor is vergelijkbaar") in squash(text)
    assert squash(CAVEATS["caveats"]["instrument_change"]["title"]) in squash(text)


def test_team_sheets_only_for_units_with_k_respondents(run, pdf_texts):
    k = run["k"]
    sheets = 0
    for wave in run["config"]["waves"]:
        prevalence = pd.read_parquet(run["processed"] / wave["id"] / "estimates" / "prevalence.parquet")
        units = reports.eligible_units(prevalence, k)
        sheets += len(units)
        qmd = (run["reports"] / f"teambladen_{wave['id']}" / f"teambladen_{wave['id']}.qmd").read_text(encoding="utf-8")
        assert qmd.count("{#sec-team-") == len(units)
        rows = prevalence[(prevalence["group_var"] == "org_unit") & (prevalence["variable"] == "type")]
        for unit, block in rows.groupby("group"):
            if unit in units:
                assert int(block["n_total"].dropna().iloc[0]) >= k
            else:
                assert f"## {render.md_escape(unit)} {{#sec-team-" not in qmd
    assert sheets > 0


def test_every_report_carries_a_provenance_summary(run):
    manifest = json.loads((run["reports"] / "provenance.json").read_text(encoding="utf-8"))
    sha = {wave["id"]: wave["sha256"] for wave in manifest["waves"]}
    renderer = render.md_escape(manifest["renderer"]["description"]).replace("\\", "")
    waves_of = {f"monitor_{w}": [w] for w in sha} | {f"teambladen_{w}": [w] for w in sha}
    waves_of |= {f"vergelijking_{c['id']}": c["waves"] for c in run["config"]["comparisons"]}
    for name, waves in waves_of.items():
        html = (run["reports"] / name / f"{name}.html").read_text(encoding="utf-8")
        assert "Herkomst van de cijfers" in html and "git-commit" in html, name
        assert re.search(r"SHA-256 van instellingen, organisatie en meting\(en\)[^<]*:</strong> <code>[0-9a-f]{64}</code>", html), name
        assert renderer in html, name
        for wave in waves:
            assert sha[wave] in html, (name, wave)
        for other in set(sha) - set(waves):
            assert sha[other] not in html, (name, other)


def test_audit_report_checksums_reconciliation_and_demo_key(run, pdf_texts):
    manifest = json.loads((run["reports"] / "provenance.json").read_text(encoding="utf-8"))
    html = (run["reports"] / "audit" / "audit.html").read_text(encoding="utf-8")
    text = squash(pdf_texts["audit"])
    for entry in manifest["raw_files"]:
        assert entry["sha256"] in html and entry["sha256"] in text
    assert "KLOPT NIET" not in html and html.count(">klopt<") == len(run["config"]["waves"])
    assert "Demosleutel voor pseudonimisering gebruikt" in html
    assert manifest["config_sha256"] in html and manifest["git"]["commit"] in html
    assert DEMO_KEY not in html


# ---- disclosure: no canary, no small cell ----------------------------------------------------------------


def _decoded_data_uris(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r"data:[^;\"']+;base64,([A-Za-z0-9+/=]+)", html)]


def test_canaries_were_planted_and_reached_the_pipeline(run):
    planted = run["planted"]
    for column in ("OD3", "OD4_anders", "pbd7", "Q9", "V5_anders"):
        assert planted.get(column, 0) > 0, column
    classified = pd.read_parquet(run["processed"] / "uu2020_pilot1" / "classified.parquet")
    assert f"{CANARY}-ID-uu2020_pilot1" in set(classified["respondent_id"])  # local processed data keeps raw ids


def test_no_canary_in_any_report_or_published_table(run, pdf_texts):
    needle = CANARY.encode()
    checked = 0
    for path in sorted(run["reports"].rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        assert needle not in data and needle.lower() not in data.lower(), path
        if path.suffix == ".html":
            for blob in _decoded_data_uris(data.decode("utf-8")):
                assert needle not in blob, path
        if path.suffix == ".pdf":
            assert CANARY not in (pdf_texts.get(path.stem) or pdf_text(path)), path
        checked += 1
    assert checked > 60
    published = [p for p in run["processed"].glob("*/estimates/*") if p.is_file()]
    published += [p for p in run["processed"].glob("comparisons/*/*") if p.is_file()]
    assert published
    for path in published:
        data = path.read_bytes()
        assert needle not in data, path
        if path.suffix == ".parquet":
            table = pd.read_parquet(path)
            assert not table.astype(str).apply(lambda c: c.str.contains(CANARY, regex=False)).any().any(), path


def test_published_tables_have_no_small_cells(run):
    k = run["k"]
    paths = sorted(run["processed"].glob("*/estimates/*.parquet")) + sorted(run["processed"].glob("comparisons/*/*.parquet"))
    assert len(paths) >= 5 * len(run["config"]["waves"])
    for path in paths:
        reports.check_publishable(pd.read_parquet(path), k, str(path))


class _Tables(HTMLParser):
    """Cells of every <table> as (header, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


COUNT_HEADERS = {"Aantal", "n", "Aantal respondenten", "Gesteld aan (n)"}


def _dutch_int(text: str) -> int | None:
    return int(text.replace(".", "")) if re.fullmatch(r"\d{1,3}(\.\d{3})*", text) else None


def test_no_report_shows_a_count_below_k(run):
    k = run["k"]
    counted = 0
    for name in expected_reports(run["config"]):
        html = (run["reports"] / name / f"{name}.html").read_text(encoding="utf-8")
        parser = _Tables()
        parser.feed(html)
        for table in parser.tables:
            header, *body = table
            for i, column in enumerate(header):
                if column not in COUNT_HEADERS:
                    continue
                for line in body:
                    value = _dutch_int(line[i]) if i < len(line) else None
                    if value is not None:
                        counted += 1
                        assert value == 0 or value >= k, (name, column, value)
        text = re.sub(r"<[^>]+>", " ", html)
        for match in re.finditer(r"\bn = (\d{1,3}(?:\.\d{3})*)\b", text):
            value = _dutch_int(match.group(1))
            assert value == 0 or value >= k, (name, match.group(0))
        for match in re.finditer(r"\b(\d{1,3}(?:\.\d{3})*) van (\d{1,3}(?:\.\d{3})*)\b", text):
            for group in match.groups():
                value = _dutch_int(group)
                assert value == 0 or value >= k, (name, match.group(0))
    assert counted > 100


# ---- reproducibility -----------------------------------------------------------------------------------------


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_snakemake_report_bundles_the_marked_outputs_without_leaks(run, tmp_path):
    """`snakemake --report` (issue #7): every rendered report, published table and the manifest are
    report items, and nothing in the bundle carries open text, a raw id or the key."""
    bundle = tmp_path / "snakemake_report.zip"
    run_snakemake(run["workdir"], "--configfile", str(run["workdir"] / "config" / "config.yaml"), "--cores", "1",
                  "--report", str(bundle))
    with zipfile.ZipFile(bundle) as archive:
        names = {Path(name).name: name for name in archive.namelist()}
        expected = {f"{name}.html" for name in expected_reports(run["config"])} | {"provenance.json", "report.html"}
        assert expected <= set(names), expected - set(names)
        assert sum(name.endswith("/prevalence.csv") for name in archive.namelist()) == len(run["config"]["waves"])
        for name in archive.namelist():
            content = archive.read(name)
            assert CANARY.encode() not in content, name
            assert DEMO_KEY.encode() not in content, name


def test_reports_rerender_byte_identically(run):
    reports_dir = run["reports"]
    pilot = next(w["id"] for w in run["config"]["waves"] if w.get("pilot"))
    comparison = run["config"]["comparisons"][0]["id"]
    names = [f"monitor_{pilot}", f"vergelijking_{comparison}", f"teambladen_{pilot}", "audit"]
    before = {name: _digests(reports_dir / name) for name in names}
    manifest_before = (reports_dir / "provenance.json").read_bytes()
    targets = [reports_dir / name / f"{name}.html" for name in names] + [reports_dir / "provenance.json"]
    targets = [str(path.relative_to(run["workdir"])) for path in targets]  # as the rules name their outputs
    run_snakemake(run["workdir"], "--configfile", str(run["workdir"] / "config" / "config.yaml"), "--cores", "2",
                  "--force", *targets)
    assert (reports_dir / "provenance.json").read_bytes() == manifest_before
    for name in names:
        after = _digests(reports_dir / name)
        assert after == before[name], name


# ---- headless browser ----------------------------------------------------------------------------------------

PROBE = textwrap.dedent("""\
    <script>
    window.addEventListener('load', () => {
      const imgs = [...document.images];
      const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
      document.body.setAttribute('data-img-total', imgs.length);
      document.body.setAttribute('data-img-ok', ok);
      document.body.setAttribute('data-h2', document.querySelectorAll('h2').length);
    });
    </script>
""")


@pytest.mark.browser
def test_every_html_report_opens_in_headless_chromium(run, tmp_path):
    chromium = chromium_or_skip()
    for name, kind in expected_reports(run["config"]).items():
        html = (run["reports"] / name / f"{name}.html").read_text(encoding="utf-8")
        assert "<script" not in html  # the reports themselves carry no scripts
        probe = tmp_path / f"{name}.html"  # a copy with a probe script
        probe.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
        attrs, stderr = body_attributes(chromium, probe, tmp_path / "profile")
        assert attrs, (name, stderr)
        assert attrs.get("data-img-total") == attrs.get("data-img-ok"), (name, attrs)
        assert int(attrs.get("data-h2", "0")) >= 2, (name, attrs)
        if kind in ("monitor", "comparison"):
            assert int(attrs["data-img-total"]) >= 1, (name, attrs)
