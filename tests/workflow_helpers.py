"""Run the real workflow in a throw-away copy of the project (used by the slow end-to-end tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
COPIED = ("Snakefile", "workflow", "scripts", "config", "profiles", "requirements.lock", "data/raw/demo")
DEMO_KEY = "demo-key-not-secret-bundled-demo-only"


def copy_project(target: Path, names: tuple[str, ...] = COPIED) -> Path:
    """The files a run needs, without processed data, reports or the venv: the run is independent of
    the checkout (and of edits to it while a test runs)."""
    for name in names:
        source = ROOT / name
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination)
    return target


def run_snakemake(directory: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DRUKMONITOR_PSEUDONYM_KEY": DEMO_KEY, "DRUKMONITOR_LOCAL_CLUSTER_DIR": str(directory / ".cluster")}
    completed = subprocess.run(
        [str(SNAKEMAKE), "--snakefile", str(directory / "Snakefile"), "--directory", str(directory), *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=3000,
    )
    if check and completed.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}")
    return completed


def output_files(directory: Path) -> dict[str, Path]:
    """Every processed file and report of a run, keyed by path relative to the run directory."""
    files = {}
    for part in ("data/processed", "reports"):
        base = directory / part
        if base.exists():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    files[str(path.relative_to(directory))] = path
    return files
