"""Snakemake entry point: the data and audit report of a run (HTML and PDF)."""

from drukmonitor.errors import run_script
from drukmonitor.stages import run_audit_report_stage, write_report_log


@run_script
def main() -> None:
    waves = [dict(wave) for wave in snakemake.params.waves]
    kinds = ("summary", "rejects", "classified", "comparability")
    inputs = {wave["id"]: {kind: snakemake.input[f"{kind}_{wave['id']}"] for kind in kinds} for wave in waves}
    result = run_audit_report_stage(
        waves=waves,
        inputs=inputs,
        manifest_path=snakemake.input.manifest,
        settings=dict(snakemake.params.settings),
        organisation=snakemake.params.organisation,
        key_env=snakemake.params.key_env,
        outputs=dict(snakemake.output.items()),
    )
    write_report_log(snakemake.log[0], "audit report", result)


main()
