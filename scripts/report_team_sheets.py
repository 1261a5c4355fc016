"""Snakemake entry point: team feedback sheets of one wave (a page per unit with at least k respondents)."""

from pathlib import Path

from drukmonitor.errors import run_script
from drukmonitor.stages import run_team_sheets_stage


@run_script
def main() -> None:
    result = run_team_sheets_stage(
        prevalence_path=snakemake.input.prevalence,
        meta_path=snakemake.input.meta,
        codebook_path=snakemake.input.codebook,
        crosswalk_path=snakemake.input.crosswalk,
        provenance={
            "config_part": dict(snakemake.params.provenance),
            "summaries": {snakemake.wildcards.wave: snakemake.input.summary},
            "repo": Path(snakemake.scriptdir).parent,  # the workflow checkout (scripts/..)
        },
        settings=dict(snakemake.params.settings),
        organisation=snakemake.params.organisation,
        outputs=dict(snakemake.output.items()),
    )
    with open(snakemake.log[0], "w", encoding="utf-8") as log:
        log.write(f"team sheets {snakemake.wildcards.wave}: rendered with {result['renderer']}\n")
        log.writelines(f"warning: {warning}\n" for warning in result["warnings"])


main()
