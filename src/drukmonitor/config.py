"""Run configuration: the cross-field checks a JSON schema cannot express, and wave look-ups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drukmonitor.codebook import default_codebook_dir
from drukmonitor.errors import ConfigError

DEFAULT_SETTINGS: dict[str, Any] = {
    "pressure_threshold": 3,
    "top_civil_service_is_principal": True,
    "mto_ambtelijke_druk_context": "political_indirect",
    "on_unknown_code": "fail",
    "min_cell_size": 10,
    "confidence_level": 0.95,
    "weighting": "kish",
    "multiple_testing": "holm",
    "group_disclosure": True,
    "group_disclosure_max_n": 30,
    "random_seed": 20200601,
    "pseudonym_key_env": "DRUKMONITOR_PSEUDONYM_KEY",
    "report_formats": ["html", "pdf"],
}


def settings_of(config: dict[str, Any]) -> dict[str, Any]:
    """Settings with the documented defaults filled in."""
    return {**DEFAULT_SETTINGS, **(config.get("settings") or {})}


def check_run_config(config: dict[str, Any], base_dir: Path | str = ".") -> None:
    """Raise ConfigError naming the offending key when waves or comparisons do not fit together."""
    base_dir = Path(base_dir)
    codebook_dir = base_dir / config.get("codebook_dir", "workflow/codebooks") if config.get("codebook_dir") else default_codebook_dir()
    seen: set[str] = set()
    for index, wave in enumerate(config["waves"]):
        key = f"waves[{index}] (id {wave['id']!r})"
        if wave["id"] in seen:
            raise ConfigError(f"{key}: wave id is used twice")
        seen.add(wave["id"])
        if not (codebook_dir / f"{wave['instrument']}.yaml").is_file():
            available = ", ".join(sorted(p.stem for p in codebook_dir.glob("*.yaml")))
            raise ConfigError(f"{key}.instrument: unknown instrument {wave['instrument']!r} (codebooks: {available})")
        if not (base_dir / wave["file"]).is_file():
            raise ConfigError(f"{key}.file: raw file {wave['file']!r} does not exist")
    seen_comparisons: set[str] = set()
    for index, comparison in enumerate(config.get("comparisons") or []):
        key = f"comparisons[{index}] (id {comparison['id']!r})"
        if comparison["id"] in seen_comparisons:
            raise ConfigError(f"{key}: comparison id is used twice")
        seen_comparisons.add(comparison["id"])
        unknown = [wave_id for wave_id in comparison["waves"] if wave_id not in seen]
        if unknown:
            raise ConfigError(f"{key}.waves: unknown wave ids {unknown}")
        if len(set(comparison["waves"])) != len(comparison["waves"]):
            raise ConfigError(f"{key}.waves: a wave is listed twice")


def wave_config(config: dict[str, Any], wave_id: str) -> dict[str, Any]:
    for wave in config["waves"]:
        if wave["id"] == wave_id:
            return wave
    raise ConfigError(f"no wave {wave_id!r} in the configuration")


def comparison_config(config: dict[str, Any], comparison_id: str) -> dict[str, Any]:
    for comparison in config.get("comparisons") or []:
        if comparison["id"] == comparison_id:
            return comparison
    raise ConfigError(f"no comparison {comparison_id!r} in the configuration")
