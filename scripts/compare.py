"""Snakemake entry point: one configured comparison of waves."""

from drukmonitor.errors import run_script
from drukmonitor.stages import run_compare_stage


@run_script
def main() -> None:
    waves = dict(snakemake.params.waves)
    inputs = {
        wave_id: {kind: snakemake.input[f"{kind}_{wave_id}"] for kind in ("canonical", "harmonised", "classified", "comparability", "codebook")}
        for wave_id in waves
    }
    rows = run_compare_stage(
        comparison=dict(snakemake.params.comparison),
        waves=waves,
        inputs=inputs,
        settings=dict(snakemake.params.settings),
        outputs=dict(snakemake.output.items()),
    )
    with open(snakemake.log[0], "w", encoding="utf-8") as log:
        log.write(f"comparison {snakemake.wildcards.comparison}: {rows} rows\n")


main()
