"""Path-level stage functions: read inputs, call the pure DataFrame functions, write outputs.

Snakemake scripts and the CLI both call these, so a single export classified on the command line
goes through exactly the code path of the workflow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

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

    return write_exports(
        harmonised=read_parquet(harmonised_path),
        classified=read_parquet(classified_path),
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
        if columns:
            frame = frame.merge(extra.loc[:, ["source_row", *columns]], on="source_row", how="left", validate="one_to_one")
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
