"""Snakemake entry point: the provenance manifest (provenance.json) of a run."""

from drukmonitor.errors import run_script
from drukmonitor.stages import run_manifest_stage


@run_script
def main() -> None:
    manifest = run_manifest_stage(
        config=dict(snakemake.params.config),
        raw_files=list(snakemake.input.raw),
        codebooks=list(snakemake.input.codebooks),
        crosswalks=list(snakemake.input.crosswalks),
        other_inputs=[snakemake.input.labels, *snakemake.input.templates],
        repo=snakemake.params.repo,
        lock_file=snakemake.input.lock,
        key_env=snakemake.params.key_env,
        output=snakemake.output.manifest,
    )
    with open(snakemake.log[0], "w", encoding="utf-8") as log:
        log.write(f"run {manifest['run_id']}: config {manifest['config_sha256']}, renderer {manifest['renderer']['name']}\n")


main()
