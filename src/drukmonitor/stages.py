"""Path-level stage functions: read inputs, call the pure DataFrame functions, write outputs.

Snakemake scripts and the CLI both call these, so a single export classified on the command line
goes through exactly the code path of the workflow.
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Mapping
from typing import Any

import pandas as pd
import yaml

from drukmonitor.frames import join_on_source_row
from drukmonitor.io import read_parquet, write_csv, write_parquet


def ingest_single_file(path: Path, instrument: str, *, sheet: Any = 0, column_map: dict[str, str] | None = None, **options: Any):
    from drukmonitor.ingest import ingest_file

    return ingest_file(path, instrument, sheet=sheet, column_map=column_map, **options)


def classify_canonical(canonical: pd.DataFrame, instrument: str, settings: dict[str, Any], *, codebook_dir=None, crosswalk_dir=None):
    """canonical -> (harmonised, classified, comparability table) for one instrument."""
    from drukmonitor.classify import classify_frame
    from drukmonitor.codebook import load_codebook
    from drukmonitor.harmonise import comparability_table, load_crosswalk

    codebook = load_codebook(instrument, codebook_dir)
    crosswalk = load_crosswalk(instrument, crosswalk_dir, codebook=codebook)
    harmonised, classified = classify_frame(canonical, codebook, crosswalk, settings)
    return harmonised, classified, comparability_table(crosswalk)


def run_classify_stage(*, canonical_path, codebook_path, crosswalk_path, settings, outputs) -> dict[str, int]:
    from drukmonitor.labels import label_table

    canonical = read_parquet(canonical_path)
    instrument = str(canonical["instrument"].iloc[0]) if len(canonical) else Path(codebook_path).stem
    harmonised, classified, comparability = classify_canonical(
        canonical, instrument, settings, codebook_dir=Path(codebook_path).parent, crosswalk_dir=Path(crosswalk_path).parent
    )
    write_parquet(harmonised, outputs["harmonised"])
    write_parquet(classified, outputs["classified"])
    write_csv(classified, outputs["classified_csv"])
    write_csv(label_table(), outputs["labels"])
    write_csv(comparability, outputs["comparability"])
    return {"rows": len(classified)}


def classify_single_file(path: Path, instrument: str, out: Path, *, sheet: Any = 0, column_map=None, settings_file=None) -> dict[str, Any]:
    """`drukmonitor classify`: one raw export -> output-contract CSV, rejects beside it."""
    from drukmonitor.classify import CONTRACT_COLUMNS
    from drukmonitor.config import settings_of

    settings = settings_of(yaml.safe_load(Path(settings_file).read_text(encoding="utf-8")) if settings_file else {})
    result = ingest_single_file(path, instrument, sheet=sheet, column_map=column_map, on_unknown_code=settings.get("on_unknown_code", "fail"))
    _, classified, _ = classify_canonical(result.canonical, instrument, settings)
    contract = classified.loc[:, [*CONTRACT_COLUMNS, "source_row"]]
    rejects_path = out.with_name(f"{out.stem}.rejects.csv")
    write_csv(contract, out)
    write_csv(result.rejects, rejects_path)
    return {
        "rows_in": result.summary["rows_in"],
        "rows_classified": len(contract),
        "rows_rejected": result.summary["rows_rejected"],
        "rejects_path": rejects_path,
    }


def list_run_outputs(configfile: Path) -> list[str]:
    """Human-readable list of where a run's results landed (printed by `make run`)."""
    config = yaml.safe_load(Path(configfile).read_text(encoding="utf-8"))
    processed = Path(config.get("processed_dir", "data/processed"))
    reports = Path(config.get("reports_dir", "reports")) / config["run_id"]
    lines = [f"drukmonitor run '{config['run_id']}' finished. Results:"]
    for wave in config["waves"]:
        lines.append(f"  wave {wave['id']}: {processed / wave['id']}/ (classified.parquet, classified.csv, rejects.csv, estimates)")
    if reports.exists():
        for report in sorted(reports.rglob("*")):
            if report.suffix in {".html", ".pdf", ".json"} and report.is_file():
                lines.append(f"  report: {report}")
    return lines


def run_export_stage(*, harmonised_path, classified_path, comparability_path, wave, key_env, outputs) -> int:
    from drukmonitor.export import pseudonym_key, write_exports

    from drukmonitor.harmonise import FIELDS

    classified = read_parquet(classified_path)
    # only the harmonised fields the classified table lacks: the rest would be a second copy in memory
    needed = ["source_row", *[name for name in FIELDS if name not in classified.columns]]
    return write_exports(
        harmonised=read_parquet(harmonised_path, columns=needed),
        classified=classified,
        comparability=pd.read_csv(comparability_path, dtype=str, keep_default_na=False),
        wave=wave,
        key=pseudonym_key(key_env),
        outputs=outputs,
    )


PROVENANCE_ONLY = ("source_file", "source_sha256")


def estimation_frame(canonical: pd.DataFrame, harmonised: pd.DataFrame, classified: pd.DataFrame) -> pd.DataFrame:
    """Classified rows with the harmonised fields, item statuses and item codes estimation reads."""
    frame = classified
    for extra in (harmonised, canonical):
        columns = [c for c in extra.columns if c not in frame.columns and c not in PROVENANCE_ONLY]
        frame = join_on_source_row(frame, extra, columns)
    return frame


def wave_meta(wave: dict[str, Any], codebook_path, comparability: pd.DataFrame) -> dict[str, Any]:
    """What estimation and comparison need to know about a wave: facts, levels, population."""
    from drukmonitor.codebook import load_codebook

    codebook = load_codebook(wave["instrument"], Path(codebook_path).parent)
    facts = codebook.facts
    population = wave.get("population") or {}
    return {
        "id": wave["id"],
        "instrument": wave["instrument"],
        "instrument_title": codebook.title,
        "title": wave.get("title", wave["id"]),
        "pilot": bool(wave.get("pilot", False)),
        "fieldwork": wave.get("fieldwork", {}),
        "reference_period_months": facts["reference_period_months"],
        "reference_period_label": facts["reference_period_label"],
        "reference_incident": facts["reference_incident"],
        "reference_incident_label": facts["reference_incident_label"],
        "definition_shown": facts["definition_shown"],
        "population_type": facts["population_type"],
        "population_label": facts["population_label"],
        "field_levels": dict(zip(comparability["field"], comparability["comparability"], strict=True)),
        "population_total": population.get("total"),
        "population_units": population.get("units") or {},
    }


def _read_wave_inputs(canonical_path, harmonised_path, classified_path) -> pd.DataFrame:
    return estimation_frame(read_parquet(canonical_path), read_parquet(harmonised_path), read_parquet(classified_path))


def run_estimate_stage(*, canonical_path, harmonised_path, classified_path, comparability_path, codebook_path, wave, settings, outputs) -> dict[str, int]:
    """Published (disclosure-controlled) estimate tables of one wave; internal values never hit disk."""
    from drukmonitor.estimate import TABLES, estimate_wave

    comparability = pd.read_csv(comparability_path, dtype=str, keep_default_na=False)
    meta = wave_meta(wave, codebook_path, comparability)
    tables = estimate_wave(_read_wave_inputs(canonical_path, harmonised_path, classified_path), meta, settings)
    counts = {}
    for name in TABLES:
        table = tables.get(name)
        if table is None:
            table = pd.DataFrame()
        write_parquet(table, outputs[name])
        write_csv(table, outputs[f"{name}_csv"])
        counts[name] = len(table)
    from drukmonitor.io import write_json

    write_json(meta, outputs["meta"])
    return counts


def run_compare_stage(*, comparison, waves, inputs, settings, outputs) -> int:
    """Compare waves: internal estimates are recomputed in memory, only the published comparison is written."""
    from drukmonitor.comparability import compare_waves
    from drukmonitor.estimate import estimate_wave

    tables, metas = {}, {}
    for wave_id, wave in waves.items():
        paths = inputs[wave_id]
        comparability = pd.read_csv(paths["comparability"], dtype=str, keep_default_na=False)
        metas[wave_id] = wave_meta(wave, paths["codebook"], comparability)
        frame = _read_wave_inputs(paths["canonical"], paths["harmonised"], paths["classified"])
        tables[wave_id] = estimate_wave(frame, metas[wave_id], settings, internal=True)
    table = compare_waves(tables, metas, settings, waves=list(waves), comparison=comparison["id"])
    write_parquet(table, outputs["comparison"])
    write_csv(table, outputs["comparison_csv"])
    return len(table)


# ---- provenance manifest and reports (issues #6 and #7) ---------------------------------------


def pseudonym_key_status(key_env: str) -> dict[str, Any]:
    """Whether the pseudonymisation key is set and whether it is the bundled demo key ("demo-...").
    Never the key itself, nor anything derived from it."""
    import os

    value = os.environ.get(key_env) or ""
    return {"key_env": key_env, "key_set": bool(value), "demo_key": value.startswith("demo-")}


def run_manifest_stage(*, config, raw_files, codebooks, crosswalks, other_inputs, repo, lock_file, key_env, output) -> dict[str, Any]:
    """provenance.json of a run: build_manifest + the renderer reports will use, python, the raw
    file of every wave and the pseudonymisation-key status. Deterministic: no timestamps."""
    import json
    import platform

    from drukmonitor import render
    from drukmonitor.io import write_json
    from drukmonitor.provenance import build_manifest
    from drukmonitor.readers import sha256_of

    config = json.loads(json.dumps(dict(config), default=str))
    manifest = build_manifest(
        config=config,
        raw_files=raw_files,
        codebooks=codebooks,
        crosswalks=crosswalks,
        other_inputs=other_inputs,
        repo=repo,
        lock_file=lock_file,
        renderer=render.renderer_info(),
    )
    manifest["python"] = platform.python_version()
    manifest["waves"] = [
        {"id": wave["id"], "instrument": wave["instrument"], "file": str(wave["file"]), "sha256": sha256_of(Path(wave["file"]))}
        for wave in config["waves"]
    ]
    manifest["pseudonymisation"] = pseudonym_key_status(key_env)
    write_json(manifest, output)
    return manifest


def report_provenance(*, config_part: dict[str, Any], summaries: dict[str, Any], repo) -> dict[str, Any]:
    """The provenance summary one report carries: the hash of the configuration it rests on (its
    waves, settings, organisation), the raw file and SHA-256 of each of its waves (as ingest read
    them), the git state of the workflow code and the renderer. The run's full manifest
    (provenance.json) is what the audit report shows."""
    import json

    from drukmonitor import render
    from drukmonitor.provenance import config_hash, git_state

    part = json.loads(json.dumps(config_part, default=str))
    waves = []
    for wave in part.get("waves", []):
        summary = _read_json(summaries[wave["id"]])
        waves.append({"id": wave["id"], "instrument": wave["instrument"], "file": str(wave["file"]),
                      "sha256": summary.get("sha256", "onbekend")})
    return {"run_id": part.get("run_id"), "config_sha256": config_hash(part), "config_scope": "report",
            "git": git_state(repo), "renderer": render.renderer_info(), "waves": waves}


def _read_json(path) -> Any:
    import json

    return json.loads(Path(path).read_text(encoding="utf-8"))


def _read_tables(paths: dict[str, Any]) -> dict[str, pd.DataFrame]:
    return {name: read_parquet(path) for name, path in paths.items()}


def _prepare_report_dir(qmd_path) -> tuple[Path, Path]:
    """The report folder and its figure folder, emptied (figures are rewritten every time)."""
    import shutil

    qmd_dir = Path(qmd_path).parent
    figure_dir = qmd_dir / "figuren"
    if figure_dir.exists():
        shutil.rmtree(figure_dir)
    figure_dir.mkdir(parents=True, exist_ok=True)
    return qmd_dir, figure_dir


def _write_and_render(report, outputs: dict[str, Any]) -> dict[str, Any]:
    from drukmonitor import render
    from drukmonitor.reports import write_report

    qmd_path = Path(outputs["qmd"])
    write_report(report, qmd_path)
    formats = tuple(fmt for fmt in ("html", "pdf") if fmt in outputs)
    result = render.render_report(qmd_path, qmd_path.parent, formats, stem=qmd_path.stem)
    for fmt in formats:
        if Path(result.outputs[fmt]).resolve() != Path(outputs[fmt]).resolve():
            raise render.RenderError("rendered file is not where the workflow expects it", file=result.outputs[fmt])
    return {"renderer": result.description, "warnings": list(result.warnings), "sections": report.section_titles}


def _load_instrument(instrument: str, codebook_path, crosswalk_path):
    from drukmonitor.codebook import load_codebook
    from drukmonitor.harmonise import load_crosswalk

    codebook = load_codebook(instrument, Path(codebook_path).parent)
    crosswalk = load_crosswalk(instrument, Path(crosswalk_path).parent, codebook=codebook)
    return codebook, crosswalk


def run_monitor_report_stage(*, tables, meta_path, codebook_path, crosswalk_path, provenance, settings, organisation, outputs) -> dict[str, Any]:
    """Monitor report of one wave from its published estimate tables."""
    from drukmonitor.reports import build_monitor_report

    meta = _read_json(meta_path)
    codebook, crosswalk = _load_instrument(meta["instrument"], codebook_path, crosswalk_path)
    qmd_dir, figure_dir = _prepare_report_dir(outputs["qmd"])
    report = build_monitor_report(
        tables=_read_tables(tables), meta=meta, settings=settings, organisation=organisation, codebook=codebook,
        crosswalk=crosswalk, manifest=report_provenance(**provenance), figure_dir=figure_dir, qmd_dir=qmd_dir,
    )
    return _write_and_render(report, outputs)


def run_comparison_report_stage(*, comparison, comparison_path, waves, provenance, settings, organisation, outputs) -> dict[str, Any]:
    """Comparison report; ``waves`` maps wave id -> {prevalence, distributions, meta, codebook, crosswalk} paths;
    ``provenance`` holds the arguments of :func:`report_provenance`."""
    from drukmonitor.reports import build_comparison_report

    wave_tables, metas, crosswalks = {}, {}, {}
    for wave_id, paths in waves.items():
        metas[wave_id] = _read_json(paths["meta"])
        wave_tables[wave_id] = _read_tables({name: paths[name] for name in ("prevalence", "distributions")})
        crosswalks[wave_id] = _load_instrument(metas[wave_id]["instrument"], paths["codebook"], paths["crosswalk"])[1]
    qmd_dir, figure_dir = _prepare_report_dir(outputs["qmd"])
    report = build_comparison_report(
        comparison=comparison, table=read_parquet(comparison_path), wave_tables=wave_tables, metas=metas,
        settings=settings, organisation=organisation, crosswalks=crosswalks, manifest=report_provenance(**provenance),
        figure_dir=figure_dir, qmd_dir=qmd_dir,
    )
    return _write_and_render(report, outputs)


def run_team_sheets_stage(*, prevalence_path, meta_path, codebook_path, crosswalk_path, provenance, settings, organisation, outputs) -> dict[str, Any]:
    """Team feedback sheets of one wave (a page per unit with at least k respondents)."""
    from drukmonitor.reports import build_team_sheets

    meta = _read_json(meta_path)
    _, crosswalk = _load_instrument(meta["instrument"], codebook_path, crosswalk_path)
    qmd_dir, figure_dir = _prepare_report_dir(outputs["qmd"])
    report = build_team_sheets(
        tables={"prevalence": read_parquet(prevalence_path)}, meta=meta, settings=settings, organisation=organisation,
        crosswalk=crosswalk, manifest=report_provenance(**provenance), figure_dir=figure_dir, qmd_dir=qmd_dir,
    )
    return _write_and_render(report, outputs)


def run_audit_report_stage(*, waves, inputs, manifest_path, settings, organisation, key_env, outputs) -> dict[str, Any]:
    """Data and audit report of a run. Respondent-level tables are reduced to counts here, so the
    report builder never sees a value, an id or open text."""
    from drukmonitor.reports import WaveAudit, audit_counts, build_audit_report

    audits = []
    for wave in waves:
        paths = inputs[wave["id"]]
        summary = _read_json(paths["summary"])
        classified = read_parquet(paths["classified"])
        rejects = read_parquet(paths["rejects"])
        levels = pd.read_csv(paths["comparability"], dtype=str, keep_default_na=False) if paths.get("comparability") else None
        not_measured = set(levels.loc[levels["comparability"] == "not_measured", "field"]) if levels is not None else set()
        by_reason, routing, flags = audit_counts(classified, rejects.loc[:, [c for c in ("reason", "column") if c in rejects]],
                                                 not_measured)
        summary = {key: summary.get(key) for key in ("file", "file_format", "sha256", "rows_in", "rows_accepted",
                                                     "rows_rejected", "warnings", "on_unknown_code")}
        audits.append(WaveAudit(wave=wave["id"], instrument=wave["instrument"], file=str(wave["file"]), summary=summary,
                                rows_classified=len(classified), rejects_by_reason_column=by_reason,
                                routing_by_item=routing, flags=flags))
    manifest = _read_json(manifest_path)
    status = pseudonym_key_status(key_env)
    recorded = manifest.get("pseudonymisation") or {}
    status["demo_key"] = bool(status["demo_key"] or recorded.get("demo_key"))
    qmd_dir, _ = _prepare_report_dir(outputs["qmd"])
    report = build_audit_report(waves=audits, manifest=manifest, settings=settings, key_status=status, organisation=organisation)
    return _write_and_render(report, outputs)


def report_provenance_inputs(config_part, summaries, scriptdir) -> dict[str, Any]:
    """The arguments of `report_provenance` as a report script has them: the configuration the report
    rests on, the ingest summaries of its waves, and the workflow checkout (the scripts' parent folder)."""
    return {"config_part": dict(config_part), "summaries": dict(summaries), "repo": Path(scriptdir).parent}


def write_report_log(log_path, title: str, result: Mapping[str, Any]) -> None:
    """One rule log per report: the renderer used and every rendering warning."""
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(f"{title}: rendered with {result['renderer']}\n")
        log.writelines(f"warning: {warning}\n" for warning in result["warnings"])
