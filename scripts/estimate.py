"""Snakemake entry point: published estimate tables of one wave."""

from drukmonitor.errors import run_script
from drukmonitor.stages import run_estimate_stage


@run_script
def main() -> None:
    counts = run_estimate_stage(
        canonical_path=snakemake.input.canonical,
        harmonised_path=snakemake.input.harmonised,
        classified_path=snakemake.input.classified,
        comparability_path=snakemake.input.comparability,
        codebook_path=snakemake.input.codebook,
        wave=dict(snakemake.params.wave),
        settings=dict(snakemake.params.settings),
        outputs=dict(snakemake.output.items()),
    )
    with open(snakemake.log[0], "w", encoding="utf-8") as log:
        log.write(f"wave {snakemake.wildcards.wave}: rows per table {counts}\n")


main()
