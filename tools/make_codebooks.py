"""One-off bootstrap: derive workflow/codebooks/*.yaml from the shared reference layouts.

Kept for the audit trail (how the codebooks were first made); the codebooks themselves are the
maintained source of truth and are edited by hand from now on.
"""
import sys
from pathlib import Path

import yaml

SPEC = Path(sys.argv[1])
OUT = Path(sys.argv[2])

ASKED_UU = {"any": [{"col": "OD1", "in": [2, 3, 4]}, {"col": "OD2", "in": [2, 3, 4]}]}

def single(spec, item, **extra):
    entry = {"text": spec["items"][item]["text"], "type": "single", "options": spec["items"][item]["options"]}
    entry.update(extra)
    return entry

def uu():
    s = yaml.safe_load((SPEC / "uu2020.yaml").read_text())
    it = s["items"]
    items = {
        "OD1": single(s, "OD1", missing={8: "dont_know", 9: "refused"}, asked_if="always", required_for_classification=True, purpose=it["OD1"]["purpose"]),
        "OD2": single(s, "OD2", missing={8: "dont_know", 9: "refused"}, asked_if={"col": "OD1", "in": [1, 8, 9]}, optional_item=True, purpose=it["OD2"]["purpose"]),
        "OD3": {"text": it["OD3"]["text"], "type": "open_text", "optional_item": True, "asked_if": ASKED_UU,
                "extra_columns": {"OD3_wiz": {"options": {1: "Wil ik niet zeggen"}}}},
        "OD4": single(s, "OD4", missing={9: "refused"}, asked_if=ASKED_UU, required_for_classification=True, text_columns=["OD4_anders"]),
        "OD5": single(s, "OD5", missing={8: "dont_know", 9: "refused"}, asked_if=ASKED_UU, required_for_classification=True, text_columns=["OD5_anders"]),
        "OD6": single(s, "OD6", missing={9: "refused"}, asked_if=ASKED_UU, required_for_classification=True, purpose=it["OD6"]["purpose"]),
        "OD7": {"text": it["OD7"]["text"], "type": "multi", "options": it["OD7"]["options"], "columns": ["OD7_1..OD7_8"],
                "exclusive": [8], "optional_item": True, "asked_if": ASKED_UU, "text_columns": ["OD7_anders"]},
        "OD8": {"text": it["OD8"]["text"], "type": "likert", "scale": it["OD8"]["scale"], "missing": {9: "refused"},
                "statements": it["OD8"]["statements"], "optional_item": True, "asked_if": ASKED_UU},
    }
    rc = s["respondent_columns"]
    return {
        "id": "uu2020", "version": "2020.1", "title": s["title"], "seed_ref": s["seed_ref"],
        "facts": {"reference_period_months": 12, "reference_period_label": s["reference_period"],
                  "reference_incident": "most_serious", "reference_incident_label": s["reference_incident"],
                  "definition_shown": False, "population_type": "municipal_staff", "population_label": s["population"],
                  "typical_files": s["typical_files"]},
        "respondent_columns": {
            "respondent_id": {"column": "respondent_id", "required": True},
            "org_unit": {"column": "org_unit", "required": True},
            "role_group": {"column": "role_group", "required": False, "options": rc["role_group"]},
            "weight": {"column": "weight", "required": False},
            "completed": {"column": "completed", "required": False, "options": rc["completed"]},
        },
        "missing_codes": {8: "dont_know", 9: "refused"},
        "items": items,
        "notes": s["notes"],
    }

def mto():
    s = yaml.safe_load((SPEC / "mto2019.yaml").read_text())
    asked3 = {"col": "pbd3", "in": [2, 3]}
    items = {
        "Werkgebied": {"text": "Werkzaam in Gebied", "type": "single", "options": s["respondent_columns"]["Werkgebied"], "asked_if": "always", "required": False},
        "pbd1": single(s, "pbd1", asked_if="always", routing_note="1 -> einde blok"),
        "pbd2": single(s, "pbd2", asked_if={"col": "pbd1", "in": [2, 3]}),
        "pbd3": single(s, "pbd3", asked_if={"col": "pbd1", "in": [2, 3]}, routing_note="1 -> einde blok"),
        "pbd4": single(s, "pbd4", missing={8: "dont_know", 9: "refused"}, asked_if=asked3),
        "pbd5": single(s, "pbd5", missing={8: "dont_know", 9: "refused"}, asked_if=asked3),
        "pbd6": single(s, "pbd6", missing={8: "dont_know", 9: "refused"}, asked_if={"all": [asked3, {"col": "Werkgebied", "in": [1]}]}),
        "pbd7": {"text": s["items"]["pbd7"]["text"], "type": "open_text", "asked_if": asked3, "optional_item": True},
    }
    return {
        "id": "mto2019", "version": "2019.1", "title": s["title"], "seed_ref": s["seed_ref"],
        "facts": {"reference_period_months": 12, "reference_period_label": s["reference_period"],
                  "reference_incident": "last", "reference_incident_label": s["reference_incident"],
                  "definition_shown": True, "population_type": "municipal_staff", "population_label": s["population"],
                  "typical_files": s["typical_files"]},
        "respondent_columns": {
            "respondent_id": {"column": "RespID", "required": True},
            "org_unit": {"column": "Cluster", "required": True},
            "role_group": {"column": "Functiegroep", "required": False, "options": s["respondent_columns"]["Functiegroep"]},
            "weight": {"column": "Weegfactor", "required": False},
        },
        "missing_codes": {8: "dont_know", 9: "refused"},
        "items": items,
    }

def io():
    s = yaml.safe_load((SPEC / "io2018.yaml").read_text())
    it = s["items"]
    v1_opts = {k: (v["label"] if isinstance(v, dict) else v) for k, v in it["v1"]["options"].items()}
    items = {
        "v1": {"text": it["v1"]["text"], "type": "multi", "options": v1_opts, "columns": ["v1_1..v1_7"], "exclusive": [7], "asked_if": "always"},
        "v2": {"text": it["v2"]["text"], "type": "single", "options": it["v2"]["options"], "missing": {8: "dont_know"},
               "asked_if": {"cols": ["v1_1..v1_6"], "in": [1]}},
        "v3_intern": {"text": it["v3_intern"]["text"], "type": "scale", "range": [1, 10], "asked_if": {"col": "v2", "in": [1, 3]}},
        "v3_extern": {"text": it["v3_extern"]["text"], "type": "scale", "range": [1, 10], "asked_if": {"col": "v2", "in": [2, 3]}},
        "v4": {"text": it["v4"]["text"], "type": "single", "options": it["v4"]["options"], "missing": {8: "dont_know"}, "asked_if": "always"},
    }
    return {
        "id": "io2018", "version": "2018.1", "title": s["title"], "seed_ref": s["seed_ref"],
        "facts": {"reference_period_months": 12, "reference_period_label": s["reference_period"],
                  "reference_incident": "all_requests", "reference_incident_label": s["reference_incident"],
                  "definition_shown": False, "population_type": "municipal_staff_and_office_holders", "population_label": s["population"],
                  "typical_files": s["typical_files"]},
        "respondent_columns": {
            "respondent_id": {"column": "resp_nr", "required": True},
            "org_unit": {"column": "gemeente", "required": True},
            "role_group": {"column": "doelgroep", "required": False, "options": s["respondent_columns"]["doelgroep"]},
            "weight": {"column": "weegfactor", "required": False},
        },
        "missing_codes": {8: "dont_know"},
        "items": items,
    }

def fnv():
    s = yaml.safe_load((SPEC / "fnv2018.yaml").read_text())
    asked = {"col": "V4", "in": [1, 2, 3]}
    items = {
        "V4": single(s, "V4", asked_if="always", routing_note="4 -> V15 (einde blok)"),
        "V5": single(s, "V5", asked_if=asked, text_columns=["V5_anders"]),
        "V6": single(s, "V6", asked_if=asked, text_columns=["V6_anders"]),
        "V7": single(s, "V7", asked_if=asked, text_columns=["V7_anders"]),
    }
    return {
        "id": "fnv2018", "version": "2018.1", "title": s["title"], "seed_ref": s["seed_ref"],
        "facts": {"reference_period_months": 60, "reference_period_label": s["reference_period"],
                  "reference_incident": "last", "reference_incident_label": s["reference_incident"],
                  "definition_shown": False, "population_type": "national_government_staff", "population_label": s["population"],
                  "typical_files": s["typical_files"]},
        "respondent_columns": {
            "respondent_id": {"column": "ID", "required": True},
            "org_unit": {"column": "Ministerie", "required": True},
            "role_group": {"column": "Functieniveau", "required": False, "options": s["respondent_columns"]["Functieniveau"]},
        },
        "items": items,
    }

def wodc():
    s = yaml.safe_load((SPEC / "wodc2018.yaml").read_text())
    items = {
        "Q7": single(s, "Q7", asked_if="always"),
        "Q8": single(s, "Q8", asked_if="always"),
        "Q9": {"text": s["items"]["Q9"]["text"], "type": "open_text", "optional_item": True,
               "asked_if": {"any": [{"col": "Q7", "in": [1]}, {"col": "Q8", "in": [1]}]}},
        "Q14": single(s, "Q14", asked_if="always", purpose=s["items"]["Q14"]["purpose"]),
        "Q22": single(s, "Q22", asked_if="always"),
    }
    return {
        "id": "wodc2018", "version": "2018.1", "title": s["title"], "seed_ref": s["seed_ref"],
        "facts": {"reference_period_months": 24, "reference_period_label": "2 jaar (Q22); ooit (Q7)",
                  "reference_incident": "most_serious", "reference_incident_label": "meest ernstige geval (Q9)",
                  "definition_shown": True, "population_type": "contract_researchers", "population_label": s["population"],
                  "typical_files": s["typical_files"]},
        "respondent_columns": {
            "respondent_id": {"column": "respnr", "required": True},
            "org_unit": {"column": "afdeling", "required": True},
            "role_group": {"column": "functie", "required": False, "options": s["respondent_columns"]["functie"]},
        },
        "items": items,
    }

HEADER = """# drukmonitor codebook: {id}
# Derived from the reference export layout (shared/spec/instruments/{id}.yaml); question texts and
# labels verbatim from the seed. Validated by workflow/schemas/codebook.schema.yaml.
# Routing (asked_if) uses the condition language documented in src/drukmonitor/conditions.py.
"""
for build in (uu, mto, io, fnv, wodc):
    data = build()
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    (OUT / f"{data['id']}.yaml").write_text(HEADER.format(id=data["id"]) + text, encoding="utf-8")
    print("wrote", data["id"])
