from pathlib import Path

import pytest
import yaml

from drukmonitor.codebook import load_all_codebooks, load_codebook, normalise_label
from drukmonitor.errors import ConfigError

SPEC_DIR = Path(__file__).resolve().parents[1] / "docs" / "spec" / "instruments"
INSTRUMENTS = ["fnv2018", "io2018", "mto2019", "uu2020", "wodc2018"]


def test_every_instrument_has_a_valid_codebook():
    assert sorted(load_all_codebooks()) == INSTRUMENTS


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_question_texts_and_labels_are_verbatim_from_the_reference_layout(instrument):
    reference = yaml.safe_load((SPEC_DIR / f"{instrument}.yaml").read_text(encoding="utf-8"))
    codebook = load_codebook(instrument)
    for item_id, spec in reference["items"].items():
        item = codebook.items[item_id]
        assert item.text == spec["text"]
        options = spec.get("options") or spec.get("scale") or {}
        for code, label in options.items():
            label = label["label"] if isinstance(label, dict) else label
            column = codebook.columns[item.columns[0]]
            if column.kind == "flag":
                column = next(codebook.columns[c] for c in item.columns if codebook.columns[c].option_code == code)
                assert column.options[1] == label
            else:
                assert column.options[code] == label


def test_uu2020_structure_follows_kader_2():
    codebook = load_codebook("uu2020")
    # seed: questions 1, 4, 5 and 6 are necessary, 2, 3, 7 and 8 help interpret
    required_items = {c.item for c in codebook.columns.values() if c.required}
    assert required_items == {"OD1", "OD4", "OD5", "OD6"}
    assert codebook.items["OD7"].columns == tuple(f"OD7_{i}" for i in range(1, 9))
    assert codebook.columns["OD1"].missing == {8: "dont_know", 9: "refused"}
    assert codebook.columns["OD6"].missing == {9: "refused"}
    assert codebook.items["OD2"].asked_if == {"col": "OD1", "in": [1, 8, 9]}
    assert codebook.facts["definition_shown"] is False


def test_label_normalisation_is_exact_not_fuzzy():
    assert normalise_label("  Ja,  ÉÉN keer ") == normalise_label("ja, één keer")
    assert normalise_label("Ja, een keer") != normalise_label("Ja, één keer")


def test_unknown_instrument_lists_the_available_ones(tmp_path):
    with pytest.raises(ConfigError, match="available: none"):
        load_codebook("uu2099", tmp_path)


def test_schema_violation_names_the_place(tmp_path):
    raw = yaml.safe_load((Path(load_codebook("wodc2018").path)).read_text(encoding="utf-8"))
    raw["items"]["Q7"]["type"] = "checkbox"
    (tmp_path / "wodc2018.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="items/Q7/type"):
        load_codebook("wodc2018", tmp_path)


def test_routing_that_reads_an_unknown_column_is_rejected(tmp_path):
    raw = yaml.safe_load((Path(load_codebook("wodc2018").path)).read_text(encoding="utf-8"))
    raw["items"]["Q9"]["asked_if"] = {"col": "Q77", "in": [1]}
    (tmp_path / "wodc2018.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"Q9: asked_if reads unknown columns \['Q77'\]"):
        load_codebook("wodc2018", tmp_path)
