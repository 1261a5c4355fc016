"""Snakemake entry point: the monitor report of one wave (HTML and PDF)."""

from drukmonitor.errors import run_script
from drukmonitor.stages import report_provenance_inputs, run_monitor_report_stage, write_report_log


@run_script
def main() -> None:
    wave = snakemake.wildcards.wave
    tables = {key[len("table_"):]: path for key, path in snakemake.input.items() if key.startswith("table_")}
    result = run_monitor_report_stage(
        tables=tables,
        meta_path=snakemake.input.meta,
        codebook_path=snakemake.input.codebook,
        crosswalk_path=snakemake.input.crosswalk,
        provenance=report_provenance_inputs(snakemake.params.provenance, {wave: snakemake.input[f"summary_{wave}"]}, snakemake.scriptdir),
        settings=dict(snakemake.params.settings),
        organisation=snakemake.params.organisation,
        outputs=dict(snakemake.output.items()),
    )
    write_report_log(snakemake.log[0], f"monitor report {wave}", result)


main()
