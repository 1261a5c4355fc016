"""The `drukmonitor` command: demo data, validation and classification of single exports, run outputs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from drukmonitor.errors import EXIT_OK, EXIT_ROWS_REJECTED, DrukmonitorError


def _command_demo(args: argparse.Namespace) -> int:
    from drukmonitor.demo import generate_demo

    written = generate_demo(Path(args.out), seed=args.seed)
    for path in written:
        print(path)
    return EXIT_OK


def _command_validate(args: argparse.Namespace) -> int:
    from drukmonitor.stages import ingest_single_file

    result = ingest_single_file(Path(args.file), args.instrument, sheet=args.sheet, column_map=_column_map(args.rename))
    report = result.validation_report()
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True))
    else:
        print(result.readable_report())
    return EXIT_ROWS_REJECTED if result.summary["rows_rejected"] else EXIT_OK


def _command_classify(args: argparse.Namespace) -> int:
    from drukmonitor.stages import classify_single_file

    out = Path(args.out)
    counts = classify_single_file(
        Path(args.file), args.instrument, out, sheet=args.sheet, column_map=_column_map(args.rename), settings_file=args.configfile
    )
    print(
        f"drukmonitor: {counts['rows_in']} rows in, {counts['rows_classified']} classified -> {out}, "
        f"{counts['rows_rejected']} rejected -> {counts['rejects_path']}",
        file=sys.stderr,
    )
    return EXIT_ROWS_REJECTED if counts["rows_rejected"] else EXIT_OK


def _command_outputs(args: argparse.Namespace) -> int:
    from drukmonitor.stages import list_run_outputs

    for line in list_run_outputs(Path(args.configfile)):
        print(line)
    return EXIT_OK


def _column_map(pairs: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        raw, sep, target = pair.partition("=")
        if not sep or not raw or not target:
            raise DrukmonitorError(f"--rename expects RAW=CODEBOOK, got {pair!r}")
        mapping[raw] = target
    return mapping


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="drukmonitor", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="write the deterministic synthetic demo exports")
    demo.add_argument("--out", default="data/raw/demo")
    demo.add_argument("--seed", type=int, default=20200601)
    demo.set_defaults(handler=_command_demo)

    for name, handler, help_text in (
        ("validate", _command_validate, "validate one raw export: exit 0 clean, 1 rows rejected, 2 file unusable"),
        ("classify", _command_classify, "classify one raw export into the output-contract columns"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("file")
        sub.add_argument("--instrument", required=True, help="codebook id, e.g. uu2020")
        sub.add_argument("--sheet", default=0, help="xlsx sheet name or 0-based index")
        sub.add_argument("--rename", action="append", metavar="RAW=CODEBOOK", help="rename a raw column (repeatable)")
        if name == "validate":
            sub.add_argument("--json", action="store_true", help="machine-readable report")
        else:
            sub.add_argument("--out", required=True, help="output CSV; rejects go to <out stem>.rejects.csv")
            sub.add_argument("--configfile", default=None, help="run config whose settings to use (default settings otherwise)")
        sub.set_defaults(handler=handler)

    outputs = commands.add_parser("outputs", help="list where a run's results are")
    outputs.add_argument("--configfile", default="config/config.yaml")
    outputs.set_defaults(handler=_command_outputs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "sheet") and isinstance(args.sheet, str) and args.sheet.isdigit():
        args.sheet = int(args.sheet)
    try:
        return args.handler(args)
    except DrukmonitorError as error:
        print(f"drukmonitor: error: {error}", file=sys.stderr)
        if getattr(args, "json", False):
            print(json.dumps({"status": "unusable", "exit_code": error.exit_code, "error": str(error)}, ensure_ascii=False))
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
