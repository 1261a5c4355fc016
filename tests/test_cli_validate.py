"""`drukmonitor validate`: exit codes 0 / 1 / 2, --json output, one clear line instead of a traceback.

The main cases run as real subprocesses of the installed `drukmonitor` entry point, started together
(module fixture) because importing pandas dominates their run time; the other bad inputs go through
`drukmonitor.cli.main` in-process (the same code, without another interpreter start-up).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drukmonitor.cli import main

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"
COMMAND = Path(sys.executable).parent / "drukmonitor"

BAD_INPUT = {
    "missing_file": (["missing.csv", "--instrument", "uu2020"], "missing.csv: the file does not exist"),
    "unknown_instrument": (["data/raw/demo/uu2020_pilot1.csv", "--instrument", "nope"], "no codebook for instrument 'nope'"),
    "not_an_export": (["data/raw/demo/README.md", "--instrument", "uu2020"], "data/raw/demo/README.md: "),
    "no_such_sheet": (["data/raw/demo/fnv2018_demo.xlsx", "--instrument", "fnv2018", "--sheet", "Geen"], "no sheet named 'Geen'"),
    "bad_rename": (["data/raw/demo/uu2020_pilot1.csv", "--instrument", "uu2020", "--rename", "X=OD99"], "'OD99' is not a column"),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    if not COMMAND.exists():
        pytest.skip(f"{COMMAND} is not installed (pip install -e .)")
    text = (DEMO / "uu2020_pilot1.csv").read_text(encoding="utf-8-sig").splitlines()
    header, cells = text[0].split(","), text[1].split(",")
    cells[header.index("OD1")] = "7"
    text[1] = ",".join(cells)
    unmapped = tmp_path_factory.mktemp("cli") / "pilot1.csv"
    unmapped.write_text("\n".join(text) + "\n", encoding="utf-8")
    commands = {
        "clean": ["data/raw/demo/uu2020_pilot1.csv", "--instrument", "uu2020"],
        "rejected_json": ["data/raw/demo/uu2020_monitor.sav", "--instrument", "uu2020", "--json"],
        "wrong_layout": ["data/raw/demo/io2018_demo.csv", "--instrument", "uu2020"],
        "unmapped": [str(unmapped), "--instrument", "uu2020", "--json"],
    }
    processes = {
        name: subprocess.Popen(
            [str(COMMAND), "validate", *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8",
        )
        for name, args in commands.items()
    }
    results = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=180)
        results[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return results


def test_clean_file_exits_0(runs):
    run = runs["clean"]
    assert run.returncode == 0, run.stderr
    assert "rows:        150 in, 150 accepted, 0 rejected" in run.stdout
    assert "every row accepted (exit code 0)" in run.stdout
    assert run.stderr == ""


def test_rejected_rows_exit_1_with_json(runs):
    run = runs["rejected_json"]
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert report["status"] == "rows_rejected" and report["exit_code"] == 1
    assert report["summary"]["rows_in"] == 3000 and report["summary"]["rows_rejected"] == 2
    assert [r["source_row"] for r in report["rejects"]] == [812, 2214]
    assert {r["reason"] for r in report["rejects"]} == {"duplicate_id"}
    assert "Traceback" not in run.stderr


def in_process(args: list[str], capsys) -> subprocess.CompletedProcess:
    code = main(["validate", *args])
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, captured.out, captured.err)


def test_json_is_deterministic(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    args = ["data/raw/demo/io2018_demo.csv", "--instrument", "io2018", "--json"]
    first, second = in_process(args, capsys), in_process(args, capsys)
    assert first.returncode == 0 and first.stdout == second.stdout
    assert json.loads(first.stdout)["status"] == "clean"


def test_unusable_file_exits_2_without_traceback(runs):
    run = runs["wrong_layout"]
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("drukmonitor: error: data/raw/demo/io2018_demo.csv: missing required column(s)")
    assert "looks like the layout of instrument 'io2018'" in lines[0]


def test_unmapped_code_exits_2(runs):
    run = runs["unmapped"]
    assert run.returncode == 2
    assert "column OD1, row 1, value '7': not a code of OD1" in run.stderr
    if "--json" in run.args:
        report = json.loads(run.stdout)
        assert report["status"] == "unusable" and report["exit_code"] == 2
        assert "value '7': not a code of OD1" in report["error"]
    else:
        assert run.stdout == ""
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("name", sorted(BAD_INPUT))
def test_other_bad_input_exits_2(name, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    run = in_process(BAD_INPUT[name][0], capsys)
    assert run.returncode == 2, run.stdout
    assert BAD_INPUT[name][1] in run.stderr
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1


def test_sheet_by_name_and_rename(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    run = in_process(["data/raw/demo/fnv2018_demo.xlsx", "--instrument", "fnv2018", "--sheet", "Blad1"], capsys)
    assert run.returncode == 0, run.stderr
    run = in_process(["data/raw/demo/uu2020_pilot1.csv", "--instrument", "uu2020", "--rename", "Vraag1=OD1", "--json"], capsys)
    assert run.returncode == 0
    warnings = json.loads(run.stdout)["summary"]["warnings"]
    assert "rename map entry 'Vraag1' -> 'OD1': the file has no column 'Vraag1'" in warnings
