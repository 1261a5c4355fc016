"""Smoke test of the benchmark (issue #8): it runs and writes its results table.

No timing assertions: the speed targets are measured by ``benchmarks/benchmark.py`` itself, not by
unit tests (they depend on the machine and its load).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyreadstat
import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "benchmark.py"
COLUMNS = ["size", "format", "stage", "wall_s", "peak_mb", "ratio_to_floor", "us_per_row", "rows_out", "repeats"]
STAGES = ["floor", "ingest", "classify", "estimate"]


def _benchmark_module():
    spec = importlib.util.spec_from_file_location("drukmonitor_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--out", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done.stdout


def test_quick_run_writes_the_results_table_with_every_column(quick_run):
    out, stdout = quick_run
    markdown = (out / "results.md").read_text(encoding="utf-8")
    header = next(line for line in markdown.splitlines() if line.startswith("| size |"))
    assert [cell.strip() for cell in header.strip("|").split("|")] == COLUMNS
    rows = [line for line in markdown.splitlines() if line.startswith("| 10000 |")]
    assert [(row.split("|")[2].strip(), row.split("|")[3].strip()) for row in rows] == [
        (fmt, stage) for fmt in ("csv", "sav") for stage in STAGES
    ]
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == len(COLUMNS) and all(cells), row
    assert "| size |" in stdout  # the table is printed too
    assert "## Targets" in markdown


def test_quick_run_writes_json_results(quick_run):
    out, _ = quick_run
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {"machine", "results", "targets"} <= set(payload)
    assert len(payload["results"]) == 8
    for row in payload["results"]:
        assert set(COLUMNS) <= set(row)
        assert row["wall_s"] > 0 and row["peak_mb"] > 0 and row["rows_out"] > 0
        assert row["ratio_to_floor"] == pytest.approx(row["wall_s"] / next(
            r["wall_s"] for r in payload["results"] if r["format"] == row["format"] and r["stage"] == "floor"))
    assert {target["status"] for target in payload["targets"]} <= {"PASS", "FAIL", "n/a"}
    # the generated inputs are cached, keyed by size and seed
    assert sorted(path.suffix for path in (out / "data").iterdir()) == [".csv", ".sav"]


def test_generated_wave_follows_the_routing_and_labels_the_sav(tmp_path):
    bench = _benchmark_module()
    frame = bench.generate_wave(5000, seed=1)
    assert list(frame.columns) == list(bench.COLUMNS)
    again = bench.generate_wave(5000, seed=1)
    assert frame.equals(again)  # deterministic
    od1, od2 = frame["OD1"].to_numpy(), frame["OD2"].to_numpy()
    yes = np.isin(od1, (2, 3, 4)) | np.isin(od2, (2, 3, 4))
    # OD2 only after OD1 in {1, 8, 9} (a handful of deliberate violations)
    assert np.mean(~np.isnan(od2) & ~np.isin(od1, (1, 8, 9))) < 0.005
    # OD4..OD8 only after a yes
    for column in ("OD4", "OD5", "OD6", "OD7_1", "OD8_1"):
        assert np.isnan(frame[column].to_numpy()[~yes]).all(), column
    assert set(np.unique(od1[~np.isnan(od1)])) == {1, 2, 3, 4, 8, 9}  # Weet ik niet / Wil ik niet zeggen
    assert frame["org_unit"].nunique() == 10 and frame["role_group"].nunique() == 5
    assert np.isnan(od1).any() and frame["weight"].between(0.1, 10).all()

    path = tmp_path / "wave.sav"
    bench.write_sav_wave(frame.head(500), path)
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True, user_missing=True)
    assert meta.variable_value_labels["OD1"][8.0] == "Weet ik niet"
    assert {(r["lo"], r["hi"]) for r in meta.missing_ranges["OD1"]} == {(8.0, 8.0), (9.0, 9.0)}
