"""Table-driven checks of classification.md sections 3-4: every case names the spec rule it checks.

Codes used below (codebooks): uu2020 OD1/OD2 1 Nee, 2 een keer, 3 2-3 keer, 4 vaker, 8 Weet ik niet,
9 Wil ik niet zeggen; OD4 1 raadslid, 2 college, 3 gebiedsbestuurder, 4 MT, 5 leidinggevende,
6 collega, 7 extern, 10 anders, 9 wiz; OD5 1 zelf, 2 raadslid, 3 college, 4 gebiedsbestuurder, 5 MT,
6 leidinggevende, 7 collega, 11 extern, 10 anders, 8 win, 9 wiz; OD6 1..5, 9 wiz; OD7_1 niet onder druk,
OD7_2 bedreigd, OD7_3 beloning, OD7_4 manier, OD7_5 non-verbaal, OD7_6 gepest, OD7_7 anders, OD7_8 wiz.
mto2019 pbd1/2/3 1 Nee, 2 een keer, 3 vaker; pbd4 1 rechtstreeks, 2 indirect, 3 ambtelijk, 8, 9;
pbd5 1 Inhoud, 2 Vorm, 3 Beide, 8, 9. io2018 v1_1..3 inhoud, v1_4..6 vorm, v1_7 geen; v2 1 binnen,
2 buiten, 3 beide, 8. fnv2018 V4 1 een keer, 2 2-3 keer, 3 vaak, 4 Nee; V5 1 verbaal, 2 non-verbaal,
3 pesten, 4..8 dreiging, 9 anders; V6 1 politiek, 2 SG/DG, 3 directeur, 4 leidinggevende, 5 collega,
6 extern, 7 anders. wodc2018 Q22 1 zeer vaak .. 4 een enkele keer, 5 nooit; Q7 1 Ja, 2 Nee.
"""

from functools import cache

import pandas as pd
import pytest

from drukmonitor.classify import CLASSIFIED_COLUMNS, CONTRACT_COLUMNS, classify_frame
from drukmonitor.codebook import load_codebook
from drukmonitor.harmonise import load_crosswalk
from drukmonitor.status import canonical_from_records

NA = pd.NA

# a complete uu2020 incident: improper content, political principal, strong pressure
UU_INCIDENT = {"OD1": 2, "OD4": 1, "OD5": 1, "OD6": 4}
MTO_YES = {"Werkgebied": 2, "pbd1": 2, "pbd2": 1, "pbd3": 2}


@cache
def instrument(name):
    codebook = load_codebook(name)
    return codebook, load_crosswalk(name, codebook=codebook)


GROUPS: dict[tuple, list[dict]] = {}  # (instrument, settings) -> records, classified together in one frame


def case(rule, name, record, expected, settings=None):
    settings = settings or {}
    records = GROUPS.setdefault((name, tuple(sorted(settings.items()))), [])
    records.append(record)
    return pytest.param(name, settings, len(records), expected, id=rule)


@cache
def classified_group(name, settings_key):
    codebook, crosswalk = instrument(name)
    canonical = canonical_from_records(codebook, GROUPS[(name, settings_key)])
    _, classified = classify_frame(canonical, codebook, crosswalk, dict(settings_key))
    return classified.set_index("source_row")


# fmt: off
CASES = [
    # ---- content ---------------------------------------------------------------------------------------
    case("3.content.uu2020: OD1 yes -> improper", "uu2020", UU_INCIDENT, {"content": "improper"}),
    case("3.content.uu2020: OD1 yes wins over a yes on OD2 (routing violation kept)", "uu2020", {**UU_INCIDENT, "OD2": 3}, {"content": "improper", "routing_violation": "OD2"}),
    case("3.content.uu2020: else OD2 yes -> doubt", "uu2020", {"OD1": 1, "OD2": 2, "OD4": 1, "OD5": 1, "OD6": 4}, {"content": "doubt", "grey_area": True}),
    case("3.content.uu2020: OD1 Weet ik niet and OD2 yes -> doubt", "uu2020", {"OD1": 8, "OD2": 4, "OD4": 1, "OD5": 1, "OD6": 4}, {"content": "doubt"}),
    case("3.content.uu2020: else OD1 = Nee -> not_reported", "uu2020", {"OD1": 1, "OD2": 1}, {"content": "not_reported", "type": "not_reported"}),
    case("3.content.uu2020: OD1 = Nee whatever OD2 holds besides yes (Weet ik niet)", "uu2020", {"OD1": 1, "OD2": 8}, {"content": "not_reported"}),
    case("3.content.uu2020: OD1 = Nee, OD2 blank -> not_reported", "uu2020", {"OD1": 1}, {"content": "not_reported"}),
    case("3.content.uu2020: OD1 Weet ik niet, no yes on OD2 -> unknown", "uu2020", {"OD1": 8, "OD2": 1}, {"content": "unknown", "type": "undetermined"}),
    case("3.content.uu2020: OD1 Wil ik niet zeggen, OD2 refused -> unknown", "uu2020", {"OD1": 9, "OD2": 9}, {"content": "unknown", "content__status": "refused"}),
    case("3.content.uu2020: OD1 blank -> unknown", "uu2020", {}, {"content": "unknown", "content__status": "item_nonresponse", "gate_status": "item_nonresponse"}),
    case("3.content.mto2019: pbd1 = Nee -> not_reported", "mto2019", {"pbd1": 1}, {"content": "not_reported", "type": "not_reported"}),
    case("3.content.mto2019: pbd3 yes, pbd5 Inhoud -> improper", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 1}, {"content": "improper"}),
    case("3.content.mto2019: pbd3 yes, pbd5 Beide -> improper", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 3}, {"content": "improper"}),
    case("3.content.mto2019: pbd3 yes, pbd5 Vorm -> proper", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 2}, {"content": "proper"}),
    case("3.content.mto2019: pbd3 yes, pbd5 Weet ik niet -> unknown", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 8}, {"content": "unknown", "content__status": "dont_know"}),
    case("3.content.mto2019: pbd3 yes, pbd5 Wil ik niet zeggen -> unknown", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 9}, {"content": "unknown", "content__status": "refused"}),
    case("3.content.mto2019: pbd3 = Nee and pbd2 yes -> doubt", "mto2019", {"pbd1": 3, "pbd2": 3, "pbd3": 1}, {"content": "doubt", "grey_area": True}),
    case("3.content.mto2019: pbd3 = Nee and pbd2 = Nee -> proper", "mto2019", {"pbd1": 2, "pbd2": 1, "pbd3": 1}, {"content": "proper"}),
    case("3.content.io2018: any of v1_1..v1_3 -> improper", "io2018", {"v1_3": 1, "v2": 1, "v4": 1}, {"content": "improper"}),
    case("3.content.io2018: else any of v1_4..v1_6 -> proper", "io2018", {"v1_6": 1, "v2": 1, "v4": 1}, {"content": "proper"}),
    case("3.content.io2018: v1_7 -> not_reported", "io2018", {"v1_7": 1, "v4": 1}, {"content": "not_reported"}),
    case("3.content.io2018: nothing ticked at all -> unknown", "io2018", {"v1_1": 0, "v1_7": 0, "v4": 1}, {"content": "unknown", "content__status": "item_nonresponse"}),
    case("3.content.fnv2018: V4 yes -> improper", "fnv2018", {"V4": 3, "V5": 1, "V6": 1, "V7": 1}, {"content": "improper"}),
    case("3.content.fnv2018: V4 = Nee -> not_reported", "fnv2018", {"V4": 4}, {"content": "not_reported"}),
    case("3.content.wodc2018: Q22 in 1..4 -> improper", "wodc2018", {"Q7": 1, "Q8": 2, "Q14": 2, "Q22": 4}, {"content": "improper"}),
    case("3.content.wodc2018: Q22 = 5 -> not_reported", "wodc2018", {"Q7": 1, "Q8": 2, "Q14": 2, "Q22": 5}, {"content": "not_reported"}),
    case("3.content.wodc2018: Q22 missing -> Q7 Ja -> improper", "wodc2018", {"Q7": 1, "Q8": 2, "Q14": 2}, {"content": "improper", "frequency": NA}),
    case("3.content.wodc2018: Q22 missing -> Q7 Nee -> not_reported", "wodc2018", {"Q7": 2, "Q8": 2, "Q14": 2}, {"content": "not_reported"}),
    # ---- means -----------------------------------------------------------------------------------------
    case("3.means.uu2020: OD6 >= threshold (3, Enigszins) -> improper", "uu2020", {**UU_INCIDENT, "OD6": 3}, {"means": "improper"}),
    case("3.means.uu2020: OD6 below threshold -> proper", "uu2020", {**UU_INCIDENT, "OD6": 2}, {"means": "proper", "type": "improper_request"}),
    case("3.means.uu2020: threshold is configurable (4: OD6 3 -> proper)", "uu2020", {**UU_INCIDENT, "OD6": 3}, {"means": "proper"}, {"pressure_threshold": 4}),
    case("3.means.uu2020: OD6 refused -> OD7_2..OD7_6 ticked -> improper", "uu2020", {**UU_INCIDENT, "OD6": 9, "OD7_6": 1}, {"means": "improper", "type": "improper_pressure"}),
    case("3.means.uu2020: OD6 missing -> only OD7_1 ticked -> proper", "uu2020", {"OD1": 2, "OD4": 1, "OD5": 1, "OD7_1": 1}, {"means": "proper", "routing_violation": "OD6"}),
    case("3.means.uu2020: OD6 refused, OD7_1 with OD7_7 -> unknown", "uu2020", {**UU_INCIDENT, "OD6": 9, "OD7_1": 1, "OD7_7": 1}, {"means": "unknown", "type": "undetermined"}),
    case("3.means.uu2020: OD6 refused, OD7 refused -> unknown", "uu2020", {**UU_INCIDENT, "OD6": 9, "OD7_8": 1}, {"means": "unknown", "means__status": "refused"}),
    case("3.means.uu2020: OD6 refused, OD7 blank -> unknown", "uu2020", {**UU_INCIDENT, "OD6": 9}, {"means": "unknown"}),
    case("3.means.uu2020: content not_reported -> not_applicable", "uu2020", {"OD1": 1, "OD2": 1}, {"means": "not_applicable", "means__status": "not_asked"}),
    case("3.means.uu2020: inconsistent_pressure, OD6 >= threshold and only OD7_1 (OD6 decides)", "uu2020", {**UU_INCIDENT, "OD7_1": 1}, {"means": "improper", "inconsistent_pressure": True}),
    case("3.means.uu2020: inconsistent_pressure, OD6 < threshold and OD7_2..OD7_6 ticked (OD6 decides)", "uu2020", {**UU_INCIDENT, "OD6": 1, "OD7_3": 1}, {"means": "proper", "inconsistent_pressure": True}),
    case("3.means.uu2020: no inconsistency when OD6 and OD7 agree", "uu2020", {**UU_INCIDENT, "OD7_2": 1}, {"inconsistent_pressure": False}),
    case("3.means.uu2020: no inconsistency flag without OD6", "uu2020", {**UU_INCIDENT, "OD6": 9, "OD7_1": 1}, {"means": "proper", "inconsistent_pressure": False}),
    case("3.means.mto2019: pbd5 Vorm -> improper", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 2}, {"means": "improper", "type": "indecent_pressure"}),
    case("3.means.mto2019: pbd5 Beide -> improper", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 3}, {"means": "improper", "type": "improper_pressure"}),
    case("3.means.mto2019: pbd5 Inhoud -> proper", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 1}, {"means": "proper", "type": "improper_request"}),
    case("3.means.mto2019: pbd3 = Nee and pbd2 = Nee -> proper", "mto2019", {"pbd1": 2, "pbd2": 1, "pbd3": 1}, {"means": "proper", "type": "regular_request"}),
    case("3.means.mto2019: pbd3 = Nee and pbd2 yes (doubt) -> unknown", "mto2019", {"pbd1": 2, "pbd2": 2, "pbd3": 1}, {"means": "unknown", "type": "undetermined", "grey_area": True}),
    case("3.means.mto2019: pbd5 Weet ik niet -> unknown", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 8}, {"means": "unknown"}),
    case("3.means.io2018: any of v1_4..v1_6 -> improper", "io2018", {"v1_2": 1, "v1_5": 1, "v2": 1, "v4": 1}, {"means": "improper", "cooccurrence_uncertain": True}),
    case("3.means.io2018: else proper", "io2018", {"v1_1": 1, "v2": 1, "v4": 1}, {"means": "proper", "cooccurrence_uncertain": False, "type": "improper_request"}),
    case("3.means.io2018: only form options -> proper content, improper means", "io2018", {"v1_4": 1, "v2": 3, "v4": 1}, {"content": "proper", "means": "improper", "type": "indecent_pressure", "cooccurrence_uncertain": False}),
    case("3.means.fnv2018: V4 yes -> improper", "fnv2018", {"V4": 1, "V5": 9, "V6": 1, "V7": 1}, {"means": "improper"}),
    case("3.means.wodc2018: content improper -> improper", "wodc2018", {"Q7": 1, "Q8": 1, "Q14": 2, "Q22": 1}, {"means": "improper", "type": "improper_pressure"}),
    # ---- context and principal_agent ------------------------------------------------------------------------
    case("3.context.uu2020: OD4 in P -> political_direct", "uu2020", {**UU_INCIDENT, "OD4": 3, "OD5": 1}, {"context": "political_direct", "principal_agent": "yes"}),
    case("3.context.uu2020: OD4 in P wins over OD5 in E", "uu2020", {**UU_INCIDENT, "OD4": 2, "OD5": 11}, {"context": "political_direct"}),
    case("3.context.uu2020: else OD5 in P -> political_indirect", "uu2020", {**UU_INCIDENT, "OD4": 5, "OD5": 3}, {"context": "political_indirect", "principal_agent": "yes"}),
    case("3.context.uu2020: OD5 in P wins over OD4 in T", "uu2020", {**UU_INCIDENT, "OD4": 4, "OD5": 2}, {"context": "political_indirect"}),
    case("3.context.uu2020: else OD4 in T -> top_civil_service", "uu2020", {**UU_INCIDENT, "OD4": 4, "OD5": 1}, {"context": "top_civil_service", "principal_agent": "yes", "type": "improper_pressure"}),
    case("3.context.uu2020: else OD5 in T -> top_civil_service", "uu2020", {**UU_INCIDENT, "OD4": 6, "OD5": 5}, {"context": "top_civil_service"}),
    case("3.context.uu2020: top_civil_service_is_principal false -> principal_agent no", "uu2020", {**UU_INCIDENT, "OD4": 4, "OD5": 1}, {"principal_agent": "no", "type": "outside_definition"}, {"top_civil_service_is_principal": False}),
    case("3.context.uu2020: else OD4 in E -> external", "uu2020", {**UU_INCIDENT, "OD4": 7, "OD5": 1}, {"context": "external", "principal_agent": "no", "type": "outside_definition"}),
    case("3.context.uu2020: else OD5 in E -> external", "uu2020", {**UU_INCIDENT, "OD4": 6, "OD5": 11}, {"context": "external"}),
    case("3.context.uu2020: OD4 in C and OD5 self -> employer_employee", "uu2020", {**UU_INCIDENT, "OD4": 5, "OD5": 1}, {"context": "employer_employee", "principal_agent": "no", "type": "outside_definition"}),
    case("3.context.uu2020: OD4 in C and OD5 leidinggevende/collega -> employer_employee", "uu2020", {**UU_INCIDENT, "OD4": 6, "OD5": 7}, {"context": "employer_employee"}),
    case("3.context.uu2020: OD4 Anders -> unknown", "uu2020", {**UU_INCIDENT, "OD4": 10, "OD5": 1}, {"context": "unknown", "principal_agent": "unknown", "type": "undetermined", "context__status": "answered"}),
    case("3.context.uu2020: OD4 in C, OD5 Weet ik niet -> unknown", "uu2020", {**UU_INCIDENT, "OD4": 5, "OD5": 8}, {"context": "unknown", "context__status": "dont_know"}),
    case("3.context.uu2020: OD4 Wil ik niet zeggen -> unknown", "uu2020", {**UU_INCIDENT, "OD4": 9, "OD5": 1}, {"context": "unknown", "context__status": "refused"}),
    case("3.context.uu2020: OD4 in C, OD5 Anders -> unknown", "uu2020", {**UU_INCIDENT, "OD4": 6, "OD5": 10}, {"context": "unknown"}),
    case("3.context.uu2020: OD4 and OD5 missing -> unknown", "uu2020", {"OD1": 2, "OD6": 4}, {"context": "unknown", "context__status": "item_nonresponse"}),
    case("3.context.uu2020: no incident -> not_applicable", "uu2020", {"OD1": 1, "OD2": 1}, {"context": "not_applicable", "principal_agent": "not_applicable"}),
    case("3.context.mto2019: pbd4 Rechtstreeks -> political_direct", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 3}, {"context": "political_direct", "principal_agent": "yes"}),
    case("3.context.mto2019: pbd4 Indirect -> political_indirect", "mto2019", {**MTO_YES, "pbd4": 2, "pbd5": 3}, {"context": "political_indirect"}),
    case("3.context.mto2019: pbd4 Ambtelijke druk -> political_indirect (default)", "mto2019", {**MTO_YES, "pbd4": 3, "pbd5": 3}, {"context": "political_indirect", "principal_agent": "yes", "type": "improper_pressure"}),
    case("3.context.mto2019: pbd4 Ambtelijke druk -> civil_service_line (setting), principal_agent unknown", "mto2019", {**MTO_YES, "pbd4": 3, "pbd5": 3}, {"context": "civil_service_line", "principal_agent": "unknown", "type": "undetermined"}, {"mto_ambtelijke_druk_context": "civil_service_line"}),
    case("3.context.mto2019: pbd3 = Nee -> political_unspecified", "mto2019", {"pbd1": 2, "pbd2": 1, "pbd3": 1}, {"context": "political_unspecified", "principal_agent": "yes"}),
    case("3.context.mto2019: pbd4 Weet ik niet -> unknown", "mto2019", {**MTO_YES, "pbd4": 8, "pbd5": 3}, {"context": "unknown", "type": "undetermined"}),
    case("3.context.io2018: v2 Binnen -> internal_unspecified (principal_agent yes, proxy)", "io2018", {"v1_1": 1, "v1_4": 1, "v2": 1, "v4": 1}, {"context": "internal_unspecified", "principal_agent": "yes", "type": "improper_pressure"}),
    case("3.context.io2018: v2 Beide -> internal_unspecified", "io2018", {"v1_1": 1, "v2": 3, "v4": 1}, {"context": "internal_unspecified"}),
    case("3.context.io2018: v2 Buiten -> external", "io2018", {"v1_1": 1, "v2": 2, "v4": 1}, {"context": "external", "principal_agent": "no", "type": "outside_definition"}),
    case("3.context.io2018: v2 Weet ik niet -> unknown", "io2018", {"v1_1": 1, "v2": 8, "v4": 1}, {"context": "unknown", "type": "undetermined"}),
    case("3.context.fnv2018: V6 Politiek -> political_direct", "fnv2018", {"V4": 1, "V5": 1, "V6": 1, "V7": 1}, {"context": "political_direct", "type": "improper_pressure"}),
    case("3.context.fnv2018: V6 SG/DG -> top_civil_service", "fnv2018", {"V4": 1, "V5": 1, "V6": 2, "V7": 1}, {"context": "top_civil_service", "principal_agent": "yes"}),
    case("3.context.fnv2018: V6 Directeur -> top_civil_service", "fnv2018", {"V4": 1, "V5": 1, "V6": 3, "V7": 1}, {"context": "top_civil_service"}),
    case("3.context.fnv2018: V6 Leidinggevende -> line_unspecified, principal_agent unknown", "fnv2018", {"V4": 1, "V5": 1, "V6": 4, "V7": 1}, {"context": "line_unspecified", "principal_agent": "unknown", "type": "undetermined"}),
    case("3.context.fnv2018: V6 Collega -> line_unspecified", "fnv2018", {"V4": 1, "V5": 1, "V6": 5, "V7": 1}, {"context": "line_unspecified"}),
    case("3.context.fnv2018: V6 Extern -> external", "fnv2018", {"V4": 1, "V5": 1, "V6": 6, "V7": 1}, {"context": "external", "type": "outside_definition"}),
    case("3.context.fnv2018: V6 Anders -> unknown", "fnv2018", {"V4": 1, "V5": 1, "V6": 7, "V7": 1}, {"context": "unknown"}),
    case("3.context.wodc2018: commissioning_principal -> principal_agent yes", "wodc2018", {"Q7": 1, "Q8": 2, "Q14": 2, "Q22": 2}, {"context": "commissioning_principal", "principal_agent": "yes"}),
    # ---- type (Figuur 1) ------------------------------------------------------------------------------------
    case("3.type: content not_reported -> not_reported", "fnv2018", {"V4": 4}, {"type": "not_reported", "grey_area": False}),
    case("3.type: content unknown -> undetermined", "wodc2018", {"Q8": 2, "Q14": 1}, {"type": "undetermined"}),
    case("3.type: means unknown -> undetermined", "uu2020", {**UU_INCIDENT, "OD6": 9}, {"type": "undetermined"}),
    case("3.type: principal_agent unknown -> undetermined", "uu2020", {**UU_INCIDENT, "OD4": 10}, {"type": "undetermined"}),
    case("3.type: undetermined comes before outside_definition (external, means unknown)", "uu2020", {**UU_INCIDENT, "OD4": 7, "OD6": 9}, {"type": "undetermined", "principal_agent": "no"}),
    case("3.type: principal_agent no -> outside_definition", "uu2020", {**UU_INCIDENT, "OD4": 7}, {"type": "outside_definition"}),
    case("3.type: improper content, improper means -> improper_pressure", "uu2020", UU_INCIDENT, {"type": "improper_pressure", "grey_area": False}),
    case("3.type: improper content, proper means -> improper_request", "uu2020", {**UU_INCIDENT, "OD6": 1}, {"type": "improper_request"}),
    case("3.type: doubt content, improper means -> improper_pressure, grey_area", "uu2020", {"OD1": 1, "OD2": 2, "OD4": 2, "OD5": 1, "OD6": 5}, {"type": "improper_pressure", "grey_area": True}),
    case("3.type: doubt content, proper means -> improper_request, grey_area", "uu2020", {"OD1": 9, "OD2": 3, "OD4": 2, "OD5": 1, "OD6": 2}, {"type": "improper_request", "grey_area": True}),
    case("3.type: proper content, improper means -> indecent_pressure", "io2018", {"v1_5": 1, "v2": 1, "v4": 1}, {"type": "indecent_pressure"}),
    case("3.type: proper content, proper means -> regular_request", "mto2019", {"pbd1": 3, "pbd2": 1, "pbd3": 1}, {"type": "regular_request"}),
    # ---- frequency ------------------------------------------------------------------------------------------
    case("3.frequency.uu2020: OD1 2 / 3 / 4 -> once", "uu2020", UU_INCIDENT, {"frequency": "once"}),
    case("3.frequency.uu2020: OD1 3 -> 2_3", "uu2020", {**UU_INCIDENT, "OD1": 3}, {"frequency": "2_3"}),
    case("3.frequency.uu2020: OD1 4 -> 4_plus", "uu2020", {**UU_INCIDENT, "OD1": 4}, {"frequency": "4_plus"}),
    case("3.frequency.uu2020: doubt cases use OD2", "uu2020", {"OD1": 1, "OD2": 4, "OD4": 1, "OD5": 1, "OD6": 4}, {"frequency": "4_plus"}),
    case("3.frequency.mto2019: pbd3 2 -> once", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 3}, {"frequency": "once"}),
    case("3.frequency.mto2019: pbd3 3 -> more_than_once", "mto2019", {**MTO_YES, "pbd3": 3, "pbd4": 1, "pbd5": 3}, {"frequency": "more_than_once"}),
    case("3.frequency.fnv2018: V4 2 -> 2_3", "fnv2018", {"V4": 2, "V5": 1, "V6": 1, "V7": 1}, {"frequency": "2_3"}),
    case("3.frequency.fnv2018: V4 3 'meer dan 4' -> 4_plus", "fnv2018", {"V4": 3, "V5": 1, "V6": 1, "V7": 1}, {"frequency": "4_plus"}),
    case("3.frequency.wodc2018: Q22 4 -> once_or_few", "wodc2018", {"Q7": 1, "Q8": 2, "Q14": 2, "Q22": 4}, {"frequency": "once_or_few"}),
    case("3.frequency.wodc2018: Q22 3 -> regularly", "wodc2018", {"Q7": 1, "Q8": 2, "Q14": 2, "Q22": 3}, {"frequency": "regularly"}),
    case("3.frequency.wodc2018: Q22 1..2 -> often", "wodc2018", {"Q7": 1, "Q8": 2, "Q14": 2, "Q22": 1}, {"frequency": "often"}),
    case("3.frequency.io2018: not measured -> NA", "io2018", {"v1_1": 1, "v2": 1, "v4": 1}, {"frequency": NA}),
    # ---- weighting factors ----------------------------------------------------------------------------------
    case("3.weighting.f_intent: OD8_1 >= 4 -> true", "uu2020", {**UU_INCIDENT, "OD8_1": 4}, {"f_intent": True}),
    case("3.weighting.f_intent: OD8_1 < 4 -> false", "uu2020", {**UU_INCIDENT, "OD8_1": 3}, {"f_intent": False}),
    case("3.weighting.f_intent: OD8_1 'niet van toepassing / wil ik niet zeggen' -> NA", "uu2020", {**UU_INCIDENT, "OD8_1": 9}, {"f_intent": NA}),
    case("3.weighting.f_culpable: OD8_2 <= 2 (reversed item) -> true", "uu2020", {**UU_INCIDENT, "OD8_2": 2}, {"f_culpable": True}),
    case("3.weighting.f_culpable: OD8_2 >= 3 -> false", "uu2020", {**UU_INCIDENT, "OD8_2": 5}, {"f_culpable": False}),
    case("3.weighting.f_power: OD8_3 >= 4 -> true", "uu2020", {**UU_INCIDENT, "OD8_3": 5}, {"f_power": True}),
    case("3.weighting.f_power: OD8_3 < 4 -> false", "uu2020", {**UU_INCIDENT, "OD8_3": 1}, {"f_power": False}),
    case("3.weighting.f_intensity: OD6 >= 4 -> true", "uu2020", UU_INCIDENT, {"f_intensity": True}),
    case("3.weighting.f_intensity: OD7_2 ticked -> true", "uu2020", {**UU_INCIDENT, "OD6": 3, "OD7_2": 1}, {"f_intensity": True}),
    case("3.weighting.f_intensity: OD6 < 4, OD7 without OD7_2 -> false", "uu2020", {**UU_INCIDENT, "OD6": 3, "OD7_4": 1}, {"f_intensity": False}),
    case("3.weighting.f_intensity: OD6 < 4, OD7 blank -> false (every observed indicator says no)", "uu2020", {**UU_INCIDENT, "OD6": 3}, {"f_intensity": False}),
    case("3.weighting.f_intensity: OD6 refused and OD7 refused -> NA", "uu2020", {**UU_INCIDENT, "OD6": 9, "OD7_8": 1}, {"f_intensity": NA}),
    case("3.weighting.f_intensity.fnv2018: V5 in 4..8 -> true", "fnv2018", {"V4": 1, "V5": 6, "V6": 1, "V7": 1}, {"f_intensity": True}),
    case("3.weighting.f_intensity.fnv2018: V5 1 -> false", "fnv2018", {"V4": 1, "V5": 1, "V6": 1, "V7": 1}, {"f_intensity": False}),
    case("3.weighting.f_frequency_duration: once and OD8_4, OD8_5 disagree -> false", "uu2020", {**UU_INCIDENT, "OD8_4": 2, "OD8_5": 1}, {"f_frequency_duration": False}),
    case("3.weighting.f_frequency_duration: 2_3 -> true", "uu2020", {**UU_INCIDENT, "OD1": 3}, {"f_frequency_duration": True}),
    case("3.weighting.f_frequency_duration: once but OD8_4 >= 4 -> true", "uu2020", {**UU_INCIDENT, "OD8_4": 4}, {"f_frequency_duration": True}),
    case("3.weighting.f_frequency_duration: once but OD8_5 >= 4 -> true", "uu2020", {**UU_INCIDENT, "OD8_5": 5}, {"f_frequency_duration": True}),
    case("3.weighting.f_frequency_duration.mto2019: more_than_once -> true", "mto2019", {**MTO_YES, "pbd3": 3, "pbd4": 1, "pbd5": 3}, {"f_frequency_duration": True}),
    case("3.weighting.f_frequency_duration.mto2019: once -> false", "mto2019", {**MTO_YES, "pbd4": 1, "pbd5": 3}, {"f_frequency_duration": False}),
    case("3.weighting.f_frequency_duration.wodc2018: regularly -> true", "wodc2018", {"Q7": 1, "Q8": 2, "Q14": 2, "Q22": 3}, {"f_frequency_duration": True}),
    case("3.weighting.f_frequency_duration.wodc2018: once_or_few -> false", "wodc2018", {"Q7": 1, "Q8": 2, "Q14": 2, "Q22": 4}, {"f_frequency_duration": False}),
    case("3.weighting.f_frequency_duration.wodc2018: Q7 only, no indicator -> NA", "wodc2018", {"Q7": 1, "Q8": 2, "Q14": 2}, {"f_frequency_duration": NA, "severity_score": 0, "severity_observed": 0}),
    case(
        "3.weighting: severity_score = number of true factors, severity_observed = number of non-NA factors",
        "uu2020",
        {**UU_INCIDENT, "OD8_1": 5, "OD8_2": 4, "OD8_3": 9, "OD8_4": 1, "OD8_5": 2},
        {"f_intent": True, "f_culpable": False, "f_power": NA, "f_intensity": True, "f_frequency_duration": False, "severity_score": 2, "severity_observed": 4},
    ),
    case(
        "3.weighting: factors also for doubt content",
        "uu2020",
        {"OD1": 1, "OD2": 3, "OD4": 1, "OD5": 1, "OD6": 2, "OD8_1": 4},
        {"f_intent": True, "f_frequency_duration": True, "f_intensity": False, "severity_score": 2, "severity_observed": 3},
    ),
    case(
        "3.weighting: only where content is improper or doubt (proper content -> NA)",
        "mto2019",
        {**MTO_YES, "pbd3": 3, "pbd4": 1, "pbd5": 2},
        {"content": "proper", "f_frequency_duration": NA, "severity_score": NA, "severity_observed": NA},
    ),
    case(
        "3.weighting: only where content is improper or doubt (not_reported -> NA)",
        "uu2020",
        {"OD1": 1, "OD2": 1},
        {"f_intent": NA, "f_intensity": NA, "severity_score": NA, "severity_observed": NA},
    ),
    case(
        "3.weighting: the severity profile is independent of type (outside_definition keeps factors)",
        "uu2020",
        {**UU_INCIDENT, "OD4": 7, "OD8_3": 5},
        {"type": "outside_definition", "f_power": True, "f_intensity": True},
    ),
    # ---- section 1 in the output -----------------------------------------------------------------------------
    case("1.routing_violation: required item blank after an answered gate", "fnv2018", {"V4": 2, "V6": 1}, {"routing_violation": "V5,V7"}),
    case("1.routing_violation: none -> empty", "fnv2018", {"V4": 4}, {"routing_violation": ""}),
]
# fmt: on


@pytest.mark.parametrize(("name", "settings", "source_row", "expected"), CASES)
def test_rule(name, settings, source_row, expected):
    """All cases of one instrument and settings are classified in one frame; each case is one row."""
    result = classified_group(name, tuple(sorted(settings.items()))).loc[source_row]
    for column, value in expected.items():
        actual = result[column]
        if value is NA:
            assert actual is NA, f"{column}: {actual!r}, expected NA"
        else:
            assert actual == value, f"{column}: {actual!r}, expected {value!r}"


def test_output_contract_columns_in_order():
    assert CONTRACT_COLUMNS == (
        "wave",
        "instrument",
        "respondent_id",
        "content",
        "means",
        "context",
        "principal_agent",
        "type",
        "grey_area",
        "frequency",
        "f_intent",
        "f_culpable",
        "f_power",
        "f_intensity",
        "f_frequency_duration",
        "severity_score",
        "severity_observed",
        "routing_violation",
        "inconsistent_pressure",
        "cooccurrence_uncertain",
    )
    codebook, crosswalk = instrument("uu2020")
    harmonised, classified = classify_frame(canonical_from_records(codebook, [UU_INCIDENT, {"OD1": 1}]), codebook, crosswalk, {})
    assert tuple(classified.columns) == CLASSIFIED_COLUMNS
    assert tuple(classified.columns[: len(CONTRACT_COLUMNS)]) == CONTRACT_COLUMNS
    for column in ("source_row", "org_unit", "role_group", "weight", "completed", "felt_pressure", "gate_status", "content__status"):
        assert column in classified.columns
    assert len(harmonised) == len(classified) == 2


def test_output_is_sorted_by_source_row():
    codebook, crosswalk = instrument("fnv2018")
    canonical = canonical_from_records(codebook, [{"V4": 4, "source_row": 9}, {"V4": 1, "V5": 1, "V6": 1, "V7": 1, "source_row": 2}])
    _, classified = classify_frame(canonical, codebook, crosswalk, {})
    assert classified["source_row"].tolist() == [2, 9]
    assert classified["type"].tolist() == ["improper_pressure", "not_reported"]


def test_unreasonable_pressure_is_never_assigned():
    from drukmonitor.classify import ASSIGNED_TYPES, TYPES

    assert "unreasonable_pressure" in TYPES and "unreasonable_pressure" not in ASSIGNED_TYPES


def test_every_output_code_has_a_dutch_label():
    from drukmonitor.classify import PRINCIPAL_AGENT_CODES, TYPES
    from drukmonitor.codebook import load_all_codebooks
    from drukmonitor.harmonise import COMPARABILITY_LEVELS, FIELDS
    from drukmonitor.labels import label_table, labels_for
    from drukmonitor.status import STATUSES

    assert set(labels_for("type")) == set(TYPES)
    assert set(labels_for("principal_agent")) == set(PRINCIPAL_AGENT_CODES)
    assert set(labels_for("comparability")) == set(COMPARABILITY_LEVELS)
    assert set(labels_for("gate_status")) == set(labels_for("content__status")) == set(STATUSES)
    for name, definition in FIELDS.items():
        labels = labels_for(name)
        if definition.kind == "code":
            assert set(labels) == set(definition.codes), name
        elif definition.kind == "bool":
            assert set(labels) == {"true", "false"}, name
        else:
            assert set(labels) == {str(code) for code in range(definition.low, definition.high + 1)}, name
    for factor in ("grey_area", "f_intent", "f_culpable", "f_power", "f_intensity", "f_frequency_duration"):
        assert set(labels_for(factor)) == {"true", "false"}
    table = label_table()
    assert list(table.columns) == ["variable", "code", "label_nl"]
    wording = table[table["variable"] == "type"].set_index("code")["label_nl"].to_dict()
    assert wording == {
        "improper_pressure": "Oneigenlijke druk",
        "improper_request": "Oneigenlijk verzoek",
        "indecent_pressure": "Onbehoorlijke druk",
        "regular_request": "Regulier verzoek",
        "unreasonable_pressure": "Onredelijke c.q. onhoudbare druk",
        "not_reported": "Geen voorval gemeld",
        "undetermined": "Niet te bepalen",
        "outside_definition": "Buiten de definitie (geen principaal-agentrelatie)",
    }
    comparability = table[table["variable"] == "comparability"].set_index("code")["label_nl"].to_dict()
    assert comparability == {
        "identical": "identiek",
        "comparable": "vergelijkbaar",
        "proxy": "benadering (proxy)",
        "not_measured": "niet gemeten",
    }
    assert not table.duplicated(["variable", "code"]).any()
    assert "labels" not in load_all_codebooks()  # the labels file does not live among the codebooks


def test_label_values_replaces_codes_and_refuses_unknown_codes():
    from drukmonitor.errors import ConfigError
    from drukmonitor.labels import label_values

    assert label_values(pd.Series(["political_indirect", None], name="context")).tolist() == [
        "Politiek, indirect (namens bestuurder)",
        pd.NA,
    ]
    assert label_values(pd.Series([True, False, None], dtype="boolean", name="f_power")).tolist() == ["Ja", "Nee", pd.NA]
    assert label_values(pd.Series([4, None], dtype="Int64", name="intent")).tolist() == ["Mee eens", pd.NA]
    with pytest.raises(ConfigError, match="no Dutch label"):
        label_values(pd.Series(["nonsense"], name="type"))
