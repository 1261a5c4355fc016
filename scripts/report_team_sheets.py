"""Snakemake entry point: team feedback sheets of one wave (a page per unit with at least k respondents)."""

from drukmonitor.errors import run_script
from drukmonitor.stages import report_provenance_inputs, run_team_sheets_stage, write_report_log


@run_script
def main() -> None:
    result = run_team_sheets_stage(
        prevalence_path=snakemake.input.prevalence,
        meta_path=snakemake.input.meta,
        codebook_path=snakemake.input.codebook,
        crosswalk_path=snakemake.input.crosswalk,
        provenance=report_provenance_inputs(snakemake.params.provenance, {snakemake.wildcards.wave: snakemake.input.summary}, snakemake.scriptdir),
        settings=dict(snakemake.params.settings),
        organisation=snakemake.params.organisation,
        outputs=dict(snakemake.output.items()),
    )
    write_report_log(snakemake.log[0], f"team sheets {snakemake.wildcards.wave}", result)


main()
