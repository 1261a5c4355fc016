import copy
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from drukmonitor.config import check_run_config, settings_of
from drukmonitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = str(ROOT / "workflow" / "schemas" / "config.schema.yaml")


@pytest.fixture
def config():
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))


def test_demo_config_is_valid_and_consistent(config):
    validate(config, schema=SCHEMA)
    check_run_config(config, ROOT)
    assert settings_of(config)["pressure_threshold"] == 3
    assert settings_of(config)["min_cell_size"] == 10
    assert settings_of(config)["top_civil_service_is_principal"] is True


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda c: c.pop("waves"), "'waves' is a required property"),
        (lambda c: c["settings"].pop("min_cell_size"), "'min_cell_size' is a required property"),
        (lambda c: c["settings"].update(pressure_threshold=7), "7 is greater than the maximum of 5"),
        (lambda c: c["settings"].update(min_cel_size=10), "'min_cel_size' was unexpected"),
        (lambda c: c["waves"][0].update(instrument=None), "None is not of type 'string'"),
        (lambda c: c["waves"][0].update(id="Bad Id"), "'Bad Id' does not match"),
    ],
)
def test_schema_names_the_wrong_or_missing_key(config, mutate, expected):
    broken = copy.deepcopy(config)
    mutate(broken)
    with pytest.raises(WorkflowError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        validate(broken, schema=SCHEMA)


def _write_raw(tmp_path, config):
    for wave in config["waves"]:
        target = tmp_path / wave["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x")
    return tmp_path


def test_cross_checks_name_the_offending_key(config, tmp_path):
    base = _write_raw(tmp_path, config)
    config["codebook_dir"] = str(ROOT / "workflow" / "codebooks")
    check_run_config(config, base)

    duplicate = copy.deepcopy(config)
    duplicate["waves"][1]["id"] = duplicate["waves"][0]["id"]
    with pytest.raises(ConfigError, match=r"waves\[1\] \(id 'mto2019'\): wave id is used twice"):
        check_run_config(duplicate, base)

    unknown_instrument = copy.deepcopy(config)
    unknown_instrument["waves"][0]["instrument"] = "mto2099"
    with pytest.raises(ConfigError, match=r"waves\[0\].*instrument: unknown instrument 'mto2099'"):
        check_run_config(unknown_instrument, base)

    missing_file = copy.deepcopy(config)
    missing_file["waves"][0]["file"] = "data/raw/nope.sav"
    with pytest.raises(ConfigError, match=r"raw file 'data/raw/nope.sav' does not exist"):
        check_run_config(missing_file, base)

    bad_comparison = copy.deepcopy(config)
    bad_comparison["comparisons"][0]["waves"] = ["uu2020_pilot1", "uu2021"]
    with pytest.raises(ConfigError, match=r"comparisons\[0\].*unknown wave ids \['uu2021'\]"):
        check_run_config(bad_comparison, base)
