"""Snakemake entry point: the report of one configured comparison of waves (HTML and PDF)."""

from pathlib import Path

from drukmonitor.errors import run_script
from drukmonitor.stages import run_comparison_report_stage


@run_script
def main() -> None:
    kinds = ("prevalence", "distributions", "meta", "codebook", "crosswalk")
    waves = {wave_id: {kind: snakemake.input[f"{kind}_{wave_id}"] for kind in kinds} for wave_id in snakemake.params.waves}
    result = run_comparison_report_stage(
        comparison=dict(snakemake.params.comparison),
        comparison_path=snakemake.input.comparison,
        waves=waves,
        provenance={
            "config_part": dict(snakemake.params.provenance),
            "summaries": {wave_id: snakemake.input[f"summary_{wave_id}"] for wave_id in waves},
            "repo": Path(snakemake.scriptdir).parent,  # the workflow checkout (scripts/..)
        },
        settings=dict(snakemake.params.settings),
        organisation=snakemake.params.organisation,
        outputs=dict(snakemake.output.items()),
    )
    with open(snakemake.log[0], "w", encoding="utf-8") as log:
        log.write(f"comparison report {snakemake.wildcards.comparison}: rendered with {result['renderer']}\n")
        log.writelines(f"warning: {warning}\n" for warning in result["warnings"])


main()
