"""Provenance: prove that a published figure came from given raw files, config and software.

The manifest is deterministic: it holds hashes, versions and the git commit, never a timestamp,
so two runs of the same inputs in two directories give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from drukmonitor.readers import sha256_of

KEY_PACKAGES = (
    "drukmonitor", "snakemake", "pandas", "numpy", "pyarrow", "pyreadstat", "openpyxl", "scipy",
    "statsmodels", "matplotlib", "pypandoc-binary", "typst", "frictionless", "pyyaml", "jsonschema",
)


def config_hash(config: Mapping[str, Any]) -> str:
    """SHA-256 of the config as canonical JSON (key order and whitespace do not matter)."""
    canonical = json.dumps(config, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def locked_versions(lock_file: Path | str) -> dict[str, str]:
    """Package pins of requirements.lock (name -> version)."""
    pins: dict[str, str] = {}
    for line in Path(lock_file).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line.strip())
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return dict(sorted(pins.items()))


def installed_versions(packages: Iterable[str] = KEY_PACKAGES) -> dict[str, str]:
    versions: dict[str, str] = {}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def git_state(repo: Path | str) -> dict[str, Any]:
    """Commit of the workflow code and whether tracked files differ from it (outputs are ignored)."""
    def run(*args: str) -> str | None:
        try:
            completed = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return None
        return completed.stdout.strip()

    commit = run("rev-parse", "HEAD")
    if commit is None:
        return {"commit": "unknown (not a git checkout)", "tracked_changes": None}
    changes = run("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "tracked_changes": bool(changes)}


def file_entries(paths: Iterable[Path | str], base: Path | str) -> list[dict[str, str]]:
    base = Path(base).resolve()
    entries = []
    for path in sorted({Path(p) for p in paths}, key=str):
        resolved = path.resolve()
        try:
            shown = str(resolved.relative_to(base))
        except ValueError:
            shown = str(path)
        entries.append({"path": shown, "sha256": sha256_of(resolved)})
    return entries


def build_manifest(
    *,
    config: Mapping[str, Any],
    raw_files: Iterable[Path | str],
    codebooks: Iterable[Path | str],
    crosswalks: Iterable[Path | str],
    other_inputs: Iterable[Path | str] = (),
    repo: Path | str,
    lock_file: Path | str,
    renderer: str | None = None,
) -> dict[str, Any]:
    return {
        "run_id": config.get("run_id"),
        "config_sha256": config_hash(config),
        "config": json.loads(json.dumps(config, default=str)),
        "raw_files": file_entries(raw_files, repo),
        "codebooks": file_entries(codebooks, repo),
        "crosswalks": file_entries(crosswalks, repo),
        "other_inputs": file_entries(other_inputs, repo),
        "software": {
            "lock_file": file_entries([lock_file], repo)[0],
            "installed": installed_versions(),
            "locked": locked_versions(lock_file),
        },
        "git": git_state(repo),
        "renderer": renderer,
    }
