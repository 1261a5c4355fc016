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
