"""Snakemake entry point of rule `ingest` (workflow/rules/ingest.smk): raw export -> canonical + rejects.

Thin wrapper: all logic is in `drukmonitor.ingest`. A bad input gives one clear line on stderr (and in
the rule's log) and exit code 2, never a traceback.
"""


from pathlib import Path

from drukmonitor.errors import DrukmonitorError, run_script
from drukmonitor.ingest import ingest_file, write_ingest_outputs


def _log_lines(summary: dict) -> list[str]:
    lines = [
        f"wave {summary['wave']} ({summary['instrument']}): {summary['file']}",
        f"format {summary['file_format']}, export kind {summary['export_kind']}, sha256 {summary['sha256']}",
        f"rows in {summary['rows_in']}, accepted {summary['rows_accepted']}, rejected {summary['rows_rejected']}",
    ]
    for reason, count in summary["rejects_by_reason"].items():
        if count:
            lines.append(f"  rejected for {reason}: {count} problem(s) in {summary['rows_rejected_by_reason'][reason]} row(s)")
    if summary["columns_ignored"]:
        lines.append(f"columns ignored: {', '.join(summary['columns_ignored'])}")
    if summary["optional_columns_absent"]:
        lines.append(f"optional columns absent: {', '.join(summary['optional_columns_absent'])}")
    lines.extend(f"warning: {warning}" for warning in summary["warnings"])
    return lines


def main() -> None:
    smk = snakemake  # noqa: F821 - injected by Snakemake
    wave = dict(smk.params.wave)
    codebook_path = Path(str(smk.input.codebook))
    settings = (smk.config or {}).get("settings") or {}
    log_path = Path(str(smk.log[0])) if len(smk.log) else None
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = ingest_file(
            str(smk.input.raw),
            wave["instrument"],
            wave_id=wave["id"],
            sheet=wave.get("sheet", 0),
            column_map=wave.get("columns") or None,
            codebook_dir=codebook_path.parent,
            source_name=str(wave.get("file", smk.input.raw)),
            on_unknown_code=settings.get("on_unknown_code", "fail"),
        )
        write_ingest_outputs(
            result,
            canonical=smk.output.canonical,
            rejects=smk.output.rejects,
            rejects_csv=smk.output.rejects_csv,
            summary=smk.output.summary,
        )
    except DrukmonitorError as error:
        if log_path is not None:
            log_path.write_text(f"error: {error}\n", encoding="utf-8")
        raise
    if log_path is not None:
        log_path.write_text("\n".join(_log_lines(result.summary)) + "\n", encoding="utf-8")


if __name__ == "__main__" or "snakemake" in globals():
    run_script(main)()
