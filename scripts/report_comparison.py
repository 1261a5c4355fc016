"""Snakemake entry point: the report of one configured comparison of waves (HTML and PDF)."""

from drukmonitor.errors import run_script
from drukmonitor.stages import report_provenance_inputs, run_comparison_report_stage, write_report_log


@run_script
def main() -> None:
    kinds = ("prevalence", "distributions", "meta", "codebook", "crosswalk")
    waves = {wave_id: {kind: snakemake.input[f"{kind}_{wave_id}"] for kind in kinds} for wave_id in snakemake.params.waves}
    result = run_comparison_report_stage(
        comparison=dict(snakemake.params.comparison),
        comparison_path=snakemake.input.comparison,
        waves=waves,
        provenance=report_provenance_inputs(
            snakemake.params.provenance, {wave_id: snakemake.input[f"summary_{wave_id}"] for wave_id in waves}, snakemake.scriptdir
        ),
        settings=dict(snakemake.params.settings),
        organisation=snakemake.params.organisation,
        outputs=dict(snakemake.output.items()),
    )
    write_report_log(snakemake.log[0], f"comparison report {snakemake.wildcards.comparison}", result)


main()
