"""Snakemake entry point: shareable research exports (SPSS, CSV, Parquet, data package)."""

from drukmonitor.errors import run_script
from drukmonitor.stages import run_export_stage


@run_script
def main() -> None:
    rows = run_export_stage(
        harmonised_path=snakemake.input.harmonised,
        classified_path=snakemake.input.classified,
        comparability_path=snakemake.input.comparability,
        wave=dict(snakemake.params.wave),
        key_env=snakemake.params.key_env,
        outputs=dict(snakemake.output.items()),
    )
    with open(snakemake.log[0], "w", encoding="utf-8") as log:
        log.write(f"wave {snakemake.wildcards.wave}: {rows} rows exported with pseudonymised ids\n")


main()
