"""Snakemake entry point: canonical table -> harmonised and classified tables."""

from drukmonitor.errors import run_script
from drukmonitor.stages import run_classify_stage


@run_script
def main() -> None:
    counts = run_classify_stage(
        canonical_path=snakemake.input.canonical,
        codebook_path=snakemake.input.codebook,
        crosswalk_path=snakemake.input.crosswalk,
        settings=dict(snakemake.params.settings),
        outputs=dict(snakemake.output.items()),
    )
    with open(snakemake.log[0], "w", encoding="utf-8") as log:
        log.write(f"wave {snakemake.wildcards.wave}: {counts['rows']} rows classified\n")


main()
