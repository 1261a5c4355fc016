"""Snakemake entry point: the monitor report of one wave (HTML and PDF)."""

from pathlib import Path

from drukmonitor.errors import run_script
from drukmonitor.stages import run_monitor_report_stage


@run_script
def main() -> None:
    wave = snakemake.wildcards.wave
    tables = {key[len("table_"):]: path for key, path in snakemake.input.items() if key.startswith("table_")}
    result = run_monitor_report_stage(
        tables=tables,
        meta_path=snakemake.input.meta,
        codebook_path=snakemake.input.codebook,
        crosswalk_path=snakemake.input.crosswalk,
        provenance={
            "config_part": dict(snakemake.params.provenance),
            "summaries": {wave: snakemake.input[f"summary_{wave}"]},
            "repo": Path(snakemake.scriptdir).parent,  # the workflow checkout (scripts/..)
        },
        settings=dict(snakemake.params.settings),
        organisation=snakemake.params.organisation,
        outputs=dict(snakemake.output.items()),
    )
    with open(snakemake.log[0], "w", encoding="utf-8") as log:
        log.write(f"monitor report {wave}: rendered with {result['renderer']}\n")
        log.writelines(f"warning: {warning}\n" for warning in result["warnings"])


main()
