import sys
from pathlib import Path

from snakemake.utils import validate

from drukmonitor.config import check_run_config, comparison_config, settings_of, wave_config
from drukmonitor.errors import ConfigError


validate(config, schema="../schemas/config.schema.yaml")
try:
    check_run_config(config, Path.cwd())
except ConfigError as error:
    sys.exit(f"drukmonitor: configuration error: {error}")

PROCESSED = config.get("processed_dir", "data/processed")
REPORTS = f"{config.get('reports_dir', 'reports')}/{config['run_id']}"
CODEBOOKS = config.get("codebook_dir", "workflow/codebooks")
CROSSWALKS = config.get("crosswalk_dir", "workflow/crosswalks")
WAVE_IDS = [wave["id"] for wave in config["waves"]]
COMPARISON_IDS = [comparison["id"] for comparison in config.get("comparisons", [])]


wildcard_constraints:
    wave="|".join(WAVE_IDS) if WAVE_IDS else "[^/]+",
    comparison="|".join(COMPARISON_IDS) if COMPARISON_IDS else "[^/]+",


def get_wave(wildcards):
    return wave_config(config, wildcards.wave)


def get_raw_file(wildcards):
    return get_wave(wildcards)["file"]


def get_codebook(wildcards):
    return f"{CODEBOOKS}/{get_wave(wildcards)['instrument']}.yaml"


def get_crosswalk(wildcards):
    return f"{CROSSWALKS}/{get_wave(wildcards)['instrument']}.yaml"


def get_settings():
    return settings_of(config)


def is_pilot(wave_id):
    return bool(wave_config(config, wave_id).get("pilot", False))


def get_comparison_waves(wildcards):
    return comparison_config(config, wildcards.comparison)["waves"]


def get_final_outputs():
    outputs = expand(f"{PROCESSED}/{{wave}}/estimates/prevalence.parquet", wave=WAVE_IDS)
    outputs += expand(f"{PROCESSED}/{{wave}}/export/datapackage.json", wave=WAVE_IDS)
    outputs += expand(f"{PROCESSED}/comparisons/{{comparison}}/comparison.parquet", comparison=COMPARISON_IDS)
    # provenance manifest and reports (workflow/rules/provenance.smk, report.smk; included before `rule all`)
    outputs.append(f"{REPORTS}/provenance.json")
    outputs += get_report_targets()
    return outputs


ESTIMATE_TABLES = ["prevalence", "distributions", "group_tests", "pilot_evaluation", "response"]


def get_estimate_outputs(directory):
    outputs = {}
    for table in ESTIMATE_TABLES:
        outputs[table] = f"{directory}/{table}.parquet"
        outputs[f"{table}_csv"] = f"{directory}/{table}.csv"
    outputs["prevalence_csv"] = report(
        outputs["prevalence_csv"], caption="../report/prevalence.rst", category="Schattingen", labels={"meting": "{wave}"}
    )
    return outputs


def get_comparison_inputs(wildcards):
    inputs = {}
    for wave_id in get_comparison_waves(wildcards):
        wave = wave_config(config, wave_id)
        for kind in ("canonical", "harmonised", "classified"):
            inputs[f"{kind}_{wave_id}"] = f"{PROCESSED}/{wave_id}/{kind}.parquet"
        inputs[f"comparability_{wave_id}"] = f"{PROCESSED}/{wave_id}/comparability.csv"
        inputs[f"codebook_{wave_id}"] = f"{CODEBOOKS}/{wave['instrument']}.yaml"
    return inputs


# ---- provenance manifest and reports (rules in provenance.smk and report.smk) ----------------------

from drukmonitor.labels import default_labels_path
from drukmonitor.render import template_directory

REPO_DIR = str(Path(workflow.basedir).resolve())
LOCK_FILE = f"{REPO_DIR}/requirements.lock"
LABELS_FILE = str(default_labels_path())
# report templates: a change re-renders the reports (and is recorded in the manifest)
REPORT_TEMPLATE_FILES = [
    str(template_directory() / name)
    for name in ("outlines.yaml", "caveats.yaml", "style.css", "template.typ", "drukmonitor.lua")
]


def report_outputs(name, stem=None, report_item=None):
    """qmd / html / pdf of one report: {REPORTS}/<name>/<stem>.<ext> (formats from settings.report_formats).
    With report_item (caption, category, labels) the HTML is marked for `snakemake --report`."""
    stem = stem or name
    outputs = {"qmd": f"{REPORTS}/{name}/{stem}.qmd"}
    for fmt in get_settings().get("report_formats", ["html", "pdf"]):
        outputs[fmt] = f"{REPORTS}/{name}/{stem}.{fmt}"
    if report_item is not None and "html" in outputs:
        outputs["html"] = report(outputs["html"], **report_item)
    return outputs


def get_report_targets():
    """Every rendered report of the run (used by common.smk::get_final_outputs)."""
    names = [f"monitor_{wave}" for wave in WAVE_IDS]
    names += [f"vergelijking_{comparison}" for comparison in COMPARISON_IDS]
    names += [f"teambladen_{wave}" for wave in WAVE_IDS]
    targets = []
    for name in names:
        targets += [path for kind, path in report_outputs(name).items() if kind != "qmd"]
    targets += [path for kind, path in report_outputs("audit").items() if kind != "qmd"]
    return targets


def report_provenance_config(wave_ids, comparison=None):
    """The part of the run configuration a report's numbers rest on: its provenance hash. Adding a
    wave to the run does not change it, so the reports of the other waves are not re-rendered."""
    part = {
        "run_id": config["run_id"],
        "organisation": config["organisation"],
        "settings": get_settings(),
        "codebook_dir": CODEBOOKS,
        "crosswalk_dir": CROSSWALKS,
        "waves": [wave_config(config, wave_id) for wave_id in wave_ids],
    }
    if comparison is not None:
        part["comparison"] = comparison_config(config, comparison)
    return part


def _published_tables(wave_id):
    directory = f"{PROCESSED}/{wave_id}/estimates"
    return {table: f"{directory}/{table}.parquet" for table in ESTIMATE_TABLES}


def get_monitor_report_inputs(wildcards):
    inputs = {f"table_{name}": path for name, path in _published_tables(wildcards.wave).items()}
    inputs["meta"] = f"{PROCESSED}/{wildcards.wave}/estimates/wave_meta.json"
    inputs["codebook"] = get_codebook(wildcards)
    inputs["crosswalk"] = get_crosswalk(wildcards)
    inputs[f"summary_{wildcards.wave}"] = f"{PROCESSED}/{wildcards.wave}/ingest_summary.json"
    inputs["templates"] = REPORT_TEMPLATE_FILES
    inputs["labels"] = LABELS_FILE
    return inputs


def get_comparison_report_inputs(wildcards):
    inputs = {"comparison": f"{PROCESSED}/comparisons/{wildcards.comparison}/comparison.parquet"}
    for wave_id in get_comparison_waves(wildcards):
        instrument = wave_config(config, wave_id)["instrument"]
        inputs[f"prevalence_{wave_id}"] = f"{PROCESSED}/{wave_id}/estimates/prevalence.parquet"
        inputs[f"distributions_{wave_id}"] = f"{PROCESSED}/{wave_id}/estimates/distributions.parquet"
        inputs[f"meta_{wave_id}"] = f"{PROCESSED}/{wave_id}/estimates/wave_meta.json"
        inputs[f"codebook_{wave_id}"] = f"{CODEBOOKS}/{instrument}.yaml"
        inputs[f"crosswalk_{wave_id}"] = f"{CROSSWALKS}/{instrument}.yaml"
        inputs[f"summary_{wave_id}"] = f"{PROCESSED}/{wave_id}/ingest_summary.json"
    inputs["templates"] = REPORT_TEMPLATE_FILES
    inputs["labels"] = LABELS_FILE
    return inputs


def get_audit_report_inputs(wildcards):
    inputs = {}
    for wave_id in WAVE_IDS:
        inputs[f"summary_{wave_id}"] = f"{PROCESSED}/{wave_id}/ingest_summary.json"
        inputs[f"rejects_{wave_id}"] = f"{PROCESSED}/{wave_id}/rejects.parquet"
        inputs[f"classified_{wave_id}"] = f"{PROCESSED}/{wave_id}/classified.parquet"
        inputs[f"comparability_{wave_id}"] = f"{PROCESSED}/{wave_id}/comparability.csv"
    inputs["manifest"] = f"{REPORTS}/provenance.json"
    inputs["templates"] = REPORT_TEMPLATE_FILES
    return inputs


def get_mem_mb(base_mb, mb_per_input_mb):
    """A job's memory request grows with its input (measured at 1M respondents by benchmarks/benchmark.py):
    a cluster gets honest requests, and `--resources mem_mb=N` keeps local jobs side by side within N."""

    def mem_mb(wildcards, input):
        return int(base_mb + mb_per_input_mb * input.size_mb)

    return mem_mb
