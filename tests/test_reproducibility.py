"""Issue #7: byte-identical reruns, cluster execution, new-wave reruns (slow: runs the workflow)."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from workflow_helpers import copy_project, output_files, run_snakemake

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The demo workflow run twice in two fresh directories: once locally, once through the
    generic cluster executor with every job its own process (local submit script)."""
    local = copy_project(tmp_path_factory.mktemp("run_local"))
    cluster = copy_project(tmp_path_factory.mktemp("run_cluster"))
    run_snakemake(local, "--cores", "2")
    run_snakemake(cluster, "--workflow-profile", "profiles/local-cluster")
    return local, cluster


def test_reruns_are_byte_identical_across_directories_and_executors(two_runs):
    local, cluster = two_runs
    local_files, cluster_files = output_files(local), output_files(cluster)
    assert local_files, "the workflow produced nothing"
    assert sorted(local_files) == sorted(cluster_files)
    different = [name for name in local_files if local_files[name].read_bytes() != cluster_files[name].read_bytes()]
    assert different == []
    kinds = {path.suffix for path in local_files.values()}
    assert {".parquet", ".csv", ".json", ".sav"} <= kinds


def test_cluster_run_used_one_process_per_job(two_runs):
    _, cluster = two_runs
    job_logs = list((cluster / ".cluster").glob("*.status"))
    assert len(job_logs) >= 20
    assert {path.read_text().strip() for path in job_logs} == {"success"}


def test_no_change_rerun_has_nothing_to_do(two_runs):
    local, _ = two_runs
    dry = run_snakemake(local, "--cores", "2", "--dry-run")
    assert "Nothing to be done" in dry.stdout + dry.stderr


def _planned_jobs(output: str) -> set[tuple[str, str]]:
    """(rule, wildcards) of every job in a dry run."""
    jobs = set()
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", output):
        match = re.match(r"(?:local)?rule (\w+):", block.strip())
        if not match:
            continue
        wildcards = re.search(r"wildcards: (.*)", block)
        jobs.add((match.group(1), wildcards.group(1).strip() if wildcards else ""))
    return jobs


def test_adding_a_wave_reruns_only_that_wave_and_what_includes_it(two_runs, tmp_path):
    local, _ = two_runs
    new_run = tmp_path / "run"
    shutil.copytree(local, new_run, symlinks=True)
    config_path = new_run / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    shutil.copy(new_run / "data/raw/demo/uu2020_pilot1.csv", new_run / "data/raw/demo/uu2020_pilot3.csv")
    config["waves"].append(
        {"id": "uu2020_pilot3", "instrument": "uu2020", "file": "data/raw/demo/uu2020_pilot3.csv", "pilot": True}
    )
    config["comparisons"].append({"id": "pilot2_vs_pilot3", "waves": ["uu2020_pilot2", "uu2020_pilot3"]})
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")

    dry = run_snakemake(new_run, "--cores", "2", "--dry-run")
    planned = _planned_jobs(dry.stdout + dry.stderr)
    assert planned, dry.stdout[-2000:]
    per_wave = {(rule, wc) for rule, wc in planned if "wave=" in wc}
    assert per_wave and all("wave=uu2020_pilot3" in wc for _, wc in per_wave), per_wave
    assert {rule for rule, _ in per_wave} >= {"ingest", "classify", "estimate"}
    comparisons = {wc for rule, wc in planned if rule == "compare"}
    assert comparisons == {"comparison=pilot2_vs_pilot3"}
    other = {rule for rule, wc in planned if "wave=" not in wc and "comparison=" not in wc}
    # run-level jobs that summarise every wave (manifest, audit report) rerun by design; nothing else
    assert other <= {"all", "manifest", "report_audit"}, other
