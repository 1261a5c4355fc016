"""Properties of classification over arbitrary canonical tables (hypothesis).

* total: one row per respondent, exactly one allowed type, every code within its labelled domain;
* consistent with the typology (Figuur 1) and the weighting-factor semantics;
* independent of row order (shuffled input -> same result per source_row);
* the same for a code export and for its label-export counterpart once converted back to codes
  (simulated here: codes -> option labels, multi-select 'ticked = label, else empty' -> codes).

Values are drawn from every code a column allows (missing codes included) plus blanks, regardless
of routing, so routing violations and break-offs are exercised too.
"""

from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from drukmonitor.classify import ASSIGNED_TYPES, FACTORS, PRINCIPAL_AGENT_OF_CONTEXT, classify_frame
from drukmonitor.codebook import load_codebook, normalise_label
from drukmonitor.harmonise import FIELDS, MTO_AMBTELIJKE_DRUK_CHOICES, NON_SUBSTANTIVE, load_crosswalk
from drukmonitor.labels import labels_for
from drukmonitor.status import STATUSES, canonical_from_records

INSTRUMENTS = ("uu2020", "mto2019", "io2018", "fnv2018", "wodc2018")
# derandomized: the suite is reproducible; no shrinking phase: a frame of many rows shrinks very slowly,
# and hypothesis prints the failing example anyway
PROPERTY_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def instrument(name):
    codebook = load_codebook(name)
    return codebook, load_crosswalk(name, codebook=codebook)


def column_values(column):
    if column.kind == "text":
        return st.booleans()
    if column.kind == "flag":
        return st.sampled_from([None, 0, 1])
    if column.kind == "scale":
        low, high = column.value_range
        return st.one_of(st.none(), st.integers(int(low), int(high)))
    return st.sampled_from([None, *column.options])


@st.composite
def records(draw, name, max_rows=25):
    codebook, _ = instrument(name)
    n_rows = draw(st.integers(1, max_rows))
    rows = []
    source_rows = draw(st.permutations(range(1, n_rows + 1)))
    for index in range(n_rows):
        source_row = int(source_rows[index]) * 3
        record = {"source_row": source_row, "respondent_id": f"r{source_row}", "completed": draw(st.sampled_from([None, 0, 1]))}
        for column_name, column in codebook.columns.items():
            value = draw(column_values(column))
            key = f"{column_name}__filled" if column.kind == "text" else column_name
            if value is not None:
                record[key] = value
        rows.append(record)
    return rows


run_settings = st.fixed_dictionaries(
    {
        "pressure_threshold": st.integers(1, 5),
        "top_civil_service_is_principal": st.booleans(),
        "mto_ambtelijke_druk_context": st.sampled_from(MTO_AMBTELIJKE_DRUK_CHOICES),
    }
)


def classify(name, rows, run):
    codebook, crosswalk = instrument(name)
    return classify_frame(canonical_from_records(codebook, rows), codebook, crosswalk, run)


@pytest.mark.parametrize("name", INSTRUMENTS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_classification_is_total_and_consistent(name, data):
    rows = data.draw(records(name))
    run = data.draw(run_settings)
    harmonised, out = classify(name, rows, run)

    # total: one row per respondent, one allowed type each
    assert len(out) == len(harmonised) == len(rows)
    assert sorted(out["source_row"]) == sorted(row["source_row"] for row in rows)
    assert out["type"].notna().all() and out["type"].isin(ASSIGNED_TYPES).all()

    # every coded value is one the label table knows
    for column in ("type", "content", "means", "context", "principal_agent", "frequency", "gate_status", *(f"{f}__status" for f in FIELDS)):
        labels = labels_for(column)
        assert set(out[column].dropna()) <= set(labels), column
    for column in harmonised.columns:
        if column.endswith("__status"):
            assert set(harmonised[column]) <= set(STATUSES), column

    content, means, principal, kind = (out[c].to_numpy(dtype=object) for c in ("content", "means", "principal_agent", "type"))
    improper_or_doubt = np.isin(content, ("improper", "doubt"))
    mapping = {**PRINCIPAL_AGENT_OF_CONTEXT, "top_civil_service": "yes" if run["top_civil_service_is_principal"] else "no"}
    assert (principal == out["context"].astype(object).map(mapping).to_numpy(dtype=object)).all()

    # Figuur 1
    assert ((kind == "not_reported") == (content == "not_reported")).all()
    pressure = kind == "improper_pressure"
    assert (improper_or_doubt[pressure] & (means[pressure] == "improper") & (principal[pressure] == "yes")).all()
    request = kind == "improper_request"
    assert (improper_or_doubt[request] & (means[request] == "proper") & (principal[request] == "yes")).all()
    indecent = kind == "indecent_pressure"
    assert ((content[indecent] == "proper") & (means[indecent] == "improper") & (principal[indecent] == "yes")).all()
    regular = kind == "regular_request"
    assert ((content[regular] == "proper") & (means[regular] == "proper") & (principal[regular] == "yes")).all()
    assert (principal[kind == "outside_definition"] == "no").all()
    unknown_anything = (content == "unknown") | (means == "unknown") | (principal == "unknown")
    assert (kind[unknown_anything & (content != "not_reported")] == "undetermined").all()
    assert (out["grey_area"].to_numpy(dtype=bool) == (content == "doubt")).all()

    # weighting factors: NA outside improper/doubt content; score and observed count them
    factors = out[list(FACTORS)]
    assert factors[~improper_or_doubt].isna().all().all()
    score = factors.fillna(False).astype(bool).sum(axis=1).to_numpy()
    observed = factors.notna().sum(axis=1).to_numpy()
    assert (out["severity_score"][improper_or_doubt].to_numpy() == score[improper_or_doubt]).all()
    assert (out["severity_observed"][improper_or_doubt].to_numpy() == observed[improper_or_doubt]).all()
    assert out["severity_score"][~improper_or_doubt].isna().all()
    assert (score <= observed).all() and (observed <= len(FACTORS)).all()

    # a substantive field value is always 'answered'; not measured fields are never filled
    _, crosswalk = instrument(name)
    for field, mapping in crosswalk.fields.items():
        values, statuses = harmonised[field], harmonised[f"{field}__status"]
        substantive = values.notna() & ~values.astype("string").isin(NON_SUBSTANTIVE).fillna(False)
        assert (statuses[substantive] == "answered").all(), field
        if mapping.comparability == "not_measured":
            assert values.isna().all() and (statuses == "not_in_instrument").all(), field
        if FIELDS[field].kind != "code":
            assert values[statuses != "answered"].isna().all(), field

    # flags are plain booleans; routing_violation is text, never missing
    assert out["inconsistent_pressure"].notna().all() and out["cooccurrence_uncertain"].notna().all()
    assert out["routing_violation"].notna().all()


def to_label_export(codebook, rows):
    """What a 'labels' export of the same answers holds: option labels, multi-select label-or-empty."""
    exported = []
    for row in rows:
        record = {}
        for key, value in row.items():
            column = codebook.columns.get(key)
            if column is None or column.kind in ("text", "scale"):
                record[key] = value
            elif column.kind == "flag":
                record[key] = column.options[1] if value == 1 else ""
            else:
                record[key] = column.options[value]
        exported.append(record)
    return exported


def from_label_export(codebook, exported):
    """Labels back to codes, as ingest does for a label export (exact normalised label match)."""
    rows = []
    for record in exported:
        row = {}
        for key, value in record.items():
            column = codebook.columns.get(key)
            if column is None or column.kind in ("text", "scale"):
                row[key] = value
            elif column.kind == "flag":
                if value != "":
                    row[key] = 1
            else:
                row[key] = column.label_lookup()[normalise_label(value)]
        rows.append(row)
    return rows


@pytest.mark.parametrize("name", INSTRUMENTS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_classification_ignores_row_order_and_export_flavour(name, data):
    codebook, _ = instrument(name)
    rows = data.draw(records(name, max_rows=15))
    run = data.draw(run_settings)
    _, reference = classify(name, rows, run)

    shuffled = data.draw(st.permutations(rows))
    _, result = classify(name, list(shuffled), run)
    pd.testing.assert_frame_equal(result, reference)

    converted = from_label_export(codebook, to_label_export(codebook, rows))
    _, from_labels = classify(name, converted, run)
    pd.testing.assert_frame_equal(from_labels, reference)
