"""Deterministic synthetic demo exports and their intended classification (the test oracle).

``generate_demo(out_dir, seed)`` writes, into ``out_dir``:

* seven raw exports, one per demo wave of ``config/config.yaml``, each in the reference layout of its
  instrument (``docs/spec/instruments/*.yaml``): SPSS ``.sav`` with value labels and user-missing codes,
  cp1252 semicolon CSV with decimal commas, a UTF-8 CSV (with and without BOM), an ``.xlsx`` workbook and
  a cp1252 *label* export of the new instrument;
* ``expected/<wave_id>.csv``: one row per raw data record with the intended ingest status and the
  output-contract columns of ``classification.md`` section 4, computed by an oracle in this module that
  is written independently of (and must not import) the real classifier;
* ``README.md`` and ``SHA256SUMS`` (sha256sum format, sorted by name, covering every other file).

Everything is synthetic. Names, e-mail addresses and phone numbers in open-text answers are invented
on purpose so that the pipeline's handling of open text (never leaves ingest) can be tested.

Determinism: all randomness comes from ``numpy.random.default_rng([seed, wave_salt])`` (one stream per
wave, so changing one wave does not change the others), drawn in a fixed order. SPSS headers get a fixed
creation date/time, xlsx zips get fixed timestamps, sorted ``ZIP_STORED`` entries (no zlib-version
dependence) and fixed document properties; CSV line endings and number formats are fixed.

Realism built into the data
---------------------------
* org units / clusters / municipalities / ministries of very different size (some uu2020 units have
  fewer than 10 respondents) and role groups with clearly different rates of each type;
* answers follow each instrument's routing (``asked_if``); "Weet ik niet" / "Wil ik niet zeggen" where
  offered; item nonresponse on always-asked items and in open text; break-offs (``completed = 0``) in
  every uu2020 wave, whose answers stop partway;
* a handful of *deliberate* routing violations per wave (the generator records them in
  ``DemoWave.injected_violations``; the oracle finds them independently and a test checks both agree);
* exactly one duplicated respondent id in the whole demo set (two rows of ``uu2020_monitor``); ids are
  otherwise unique across all waves. No other reject-worthy anomaly is injected (no unknown codes,
  invalid weights, exclusive-option clashes): those are better covered by small unit fixtures.

Interpretations made where the spec is silent or ambiguous (the oracle implements exactly these)
----------------------------------------------------------------------------------------------
Ingest / status

1. Rejected rows (only ``duplicate_id`` occurs: BOTH rows sharing an id are rejected) have
   ``expected_status = rejected`` and all classification columns empty.
2. ``respondent_id`` is written as the string the export holds; numeric SPSS ids (``50001.0``) are
   written as integer strings (``50001``).

Routing violations (``routing_violation``: item names in questionnaire order, comma-separated)

3. Item names are the codebook item names: the column name for single/scale/open items and for each
   likert statement (``OD8_2``); the item name for a multi-select (``OD7``, never ``OD7_3``).
4. ``asked_if`` conditions are evaluated on the raw values as recorded (codes incl. user-missing
   8/9; blank never satisfies ``in {...}`` or ``==``), without asking whether the gate item was itself
   asked. Extra columns (``*_anders``, ``OD3_wiz``) are not items of their own; ``OD3`` counts as
   answered when its text is non-empty or ``OD3_wiz`` = 1.
5. A multi-select item is *answered* when at least one option is ticked (= 1); a row of 0s and a row of
   blanks are both unanswered. This makes code and label exports (where 0 is blank) behave alike.
6. Violation A: an item whose ``asked_if`` is false is answered. Violation B ("left blank an item
   routing requires after an answered gate"): an item whose ``asked_if`` is a real condition (not
   ``always``) is true, the item is blank, and the item is *required*: not open text and not an
   ``optional_item`` of the instrument YAML (uu2020 OD2, OD3, OD7, OD8_1..OD8_5 are optional, so
   their blanks are item nonresponse only; in practice B concerns OD4, OD5, OD6, pbd2..pbd6, v2,
   v3_intern, v3_extern, V5..V7). Break-offs (``completed = 0``) never get B: their blanks are the
   break-off. Blanks in always-asked items are item nonresponse, never violations. The generator
   leaves blanks in gated required items only for break-offs (always whole trailing pages) and for
   the deliberate violations, so a reading that exempts only the trailing blanks of a break-off gives
   the same flags on this data; blanks in optional items where asked (OD2, OD7, an OD8 statement)
   occur on purpose and must NOT be flagged.

Classification (defaults: pressure_threshold 3, top_civil_service_is_principal true, MTO
"Ambtelijke druk" -> political_indirect)

7. Rules are applied in the order the spec lists them; the first that matches wins. Where no listed
   rule matches (blank or Weet ik niet / Wil ik niet zeggen on a deciding item) the dimension is
   ``unknown``. ``means``, ``context`` and ``principal_agent`` are ``not_applicable`` exactly where
   ``content`` is ``not_reported``; otherwise they are computed from whatever was recorded (a routing
   violation's answer is kept and used).
   ``principal_agent`` follows the spec list; a context the list does not name (only possible with
   the non-default MTO setting ``civil_service_line``) gets ``unknown``, like ``line_unspecified``.
8. uu2020 ``means`` "only OD7_1 ticked" means OD7_1 ticked and none of OD7_2..OD7_8 ticked.
   ``inconsistent_pressure`` and ``cooccurrence_uncertain`` are flags: true only where the spec's
   condition holds (uu2020 OD6 vs OD7; io2018 content and form options both ticked), false for every
   other classified row, including instruments without the items (never NA). ``grey_area`` is
   always true/false (``content == doubt``).
9. io2018 ``means``: the literal rule ("any of v1_4..v1_6 -> improper, else proper") is applied only
   when v1 was answered (some option ticked); when nothing is ticked at all (content ``unknown``)
   means is ``unknown``. fnv2018 / wodc2018 means is ``improper`` when content is improper and
   ``unknown`` when content is unknown.
10. ``frequency`` is the harmonised frequency wherever the instrument recorded one, independent of
    content: uu2020 OD1 2/3/4 -> ``once``/``2_3``/``4_plus`` (else OD2 2/3/4 the same); mto2019 pbd3
    2/3 -> ``once``/``more_than_once`` (only pbd3, as the spec says; no frequency for mto doubt cases);
    fnv2018 V4 1/2/3 -> ``once``/``2_3``/``4_plus``; wodc2018 Q22 4 -> ``once_or_few``, 3 ->
    ``regularly``, 1/2 -> ``often``; io2018 never. NA otherwise.

Weighting factors and severity

11. Factors are NA unless content is ``improper`` or ``doubt``. Each factor is true when any observed
    indicator is true, false when at least one indicator is observed and none is true, and NA when
    none of its indicators is observed. Likert indicators (OD8_k) are observed when coded 1..5 (9 =
    n.v.t./refused and blank are unobserved); values 1..3 count as "disagree" (false) for
    ``>= 4`` rules and 3..5 as false for ``f_culpable`` (OD8_2 <= 2).
12. ``f_intensity`` = harmonised felt_pressure >= 4 or means detail "threat" ticked. Indicators:
    uu2020 OD6 (observed when 1..5, true when >= 4; fixed at 4, independent of pressure_threshold)
    and OD7_2 (observed when any substantive OD7 option 1..7 is ticked); fnv2018 V5 (observed when
    answered, true when 4..8, the spec's "threat" options); io2018, through its proxies in the spec's
    crosswalk table, v3_intern binned 1-2/3-4/5-6/7-8/9-10 -> 1..5 (observed when 1..10, true when
    >= 7) and v1_5 (observed when any v1 option is ticked). NA for mto2019 and wodc2018.
13. ``f_frequency_duration`` indicators: frequency (true for 2_3 / 4_plus / more_than_once /
    regularly / often, false for once / once_or_few), OD8_4 >= 4, OD8_5 >= 4.
14. ``severity_score`` / ``severity_observed`` are NA where the factors are not applicable (content
    not improper/doubt); otherwise integers 0..5 (a row may have 0 observed factors, e.g. wodc2018
    with only Q7).

Encoding of ``expected/*.csv``: UTF-8, comma, LF, booleans ``true``/``false``, NA as empty field.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
from drukmonitor.io import pinned_sav_bytes

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_SETTINGS",
    "WAVES",
    "EXPECTED_COLUMNS",
    "CLASSIFICATION_COLUMNS",
    "DemoWave",
    "build_demo",
    "classify_record",
    "routing_violations",
    "expected_classification",
    "render_files",
    "generate_demo",
]

DEFAULT_SEED = 20200601

DEFAULT_SETTINGS: dict[str, Any] = {
    "pressure_threshold": 3,
    "top_civil_service_is_principal": True,
    "mto_ambtelijke_druk_context": "political_indirect",
}

# wave id -> (instrument, file name in config/config.yaml, stream salt for the random generator)
WAVES: dict[str, tuple[str, str, int]] = {
    "mto2019": ("mto2019", "mto2019_demo.sav", 1),
    "io2018": ("io2018", "io2018_demo.csv", 2),
    "fnv2018": ("fnv2018", "fnv2018_demo.xlsx", 3),
    "wodc2018": ("wodc2018", "wodc2018_demo.csv", 4),
    "uu2020_pilot1": ("uu2020", "uu2020_pilot1.csv", 5),
    "uu2020_pilot2": ("uu2020", "uu2020_pilot2_labels.csv", 6),
    "uu2020_monitor": ("uu2020", "uu2020_monitor.sav", 7),
}

CLASSIFICATION_COLUMNS = [
    "content", "means", "context", "principal_agent", "type", "grey_area", "frequency",
    "f_intent", "f_culpable", "f_power", "f_intensity", "f_frequency_duration",
    "severity_score", "severity_observed", "routing_violation", "inconsistent_pressure",
    "cooccurrence_uncertain",
]
EXPECTED_COLUMNS = [
    "wave", "instrument", "source_row", "respondent_id", "expected_status", "expected_reject_reason",
    *CLASSIFICATION_COLUMNS,
]

# Fixed values patched into binary formats.
ZIP_DATE_TIME = (2018, 6, 1, 0, 0, 0)
XLSX_TIMESTAMP = "2018-06-01T00:00:00Z"


# ======================================================================================
# Codebook excerpts. Labels are verbatim from docs/spec/instruments/*.yaml (tests check it).
# ======================================================================================

UU2020_ROLE = {
    1: "Medewerker",
    2: "Leidinggevende",
    3: "Lid managementteam (gemeentesecretaris of directeur)",
    4: "Politiek ambtsdrager",
    9: "Onbekend",
}
UU2020_COMPLETED = {1: "Volledig", 0: "Afgebroken"}
UU2020_FREQ_OPTIONS = {
    1: "Nee", 2: "Ja, één keer", 3: "Ja, 2 of 3 keer", 4: "Ja, 4 keer of meer",
    8: "Weet ik niet", 9: "Wil ik niet zeggen",
}
UU2020_OD3_WIZ = {1: "Wil ik niet zeggen"}
UU2020_OD4 = {
    1: "Een gemeenteraadslid",
    2: "Een lid van het College van Burgemeester en Wethouders",
    3: "Een gebiedsbestuurder (lid gebiedscommissie, wijkraad of wijkcomité)",
    4: "Een lid van het managementteam (gemeentesecretaris of directeur)",
    5: "Mijn direct leidinggevende",
    6: "Een collega",
    7: "Een externe opdrachtgever / externe partij",
    10: "Anders, namelijk....",
    9: "Wil ik niet zeggen",
}
UU2020_OD5 = {
    1: "Namens hem- of haarzelf",
    2: "Een (ander) gemeenteraadslid",
    3: "Een (ander) lid van het College van Burgemeester en Wethouders",
    4: "Een (andere) gebiedsbestuurder (lid gebiedscommissie, wijkraad of wijkcomité)",
    5: "Een (ander) lid van het managementteam (gemeentesecretaris of directeur)",
    6: "Een (andere) leidinggevende",
    7: "Een (andere) collega",
    11: "Een externe opdrachtgever / externe partij",
    10: "Anders, namelijk....",
    8: "Weet ik niet",
    9: "Wil ik niet zeggen",
}
UU2020_OD6 = {
    1: "Helemaal niet onder druk gezet",
    2: "Bijna niet onder druk gezet",
    3: "Enigszins onder druk gezet",
    4: "Sterk onder druk gezet",
    5: "Zeer sterk onder druk gezet",
    9: "Wil ik niet zeggen",
}
UU2020_OD7 = {
    1: "Ik voelde mij niet onder druk gezet",
    2: "Er werd bedreigd met nadelige gevolgen voor mijzelf of anderen als ik niet deed wat er werd gevraagd",
    3: "Er werd mij of anderen een beloning voorgehouden als ik deed wat er werd gevraagd",
    4: "De manier waarop het verzoek werd geuit, was intimiderend of bedreigend",
    5: "De non-verbale houding van de verzoeker was intimiderend of bedreigend",
    6: "Ik werd gepest of buitengesloten",
    7: "Anders, namelijk...",
    8: "Wil ik niet zeggen",
}
UU2020_OD8 = {
    1: "Zeer mee oneens", 2: "Mee oneens", 3: "Niet mee eens of oneens", 4: "Mee eens",
    5: "Zeer mee eens", 9: "Niet van toepassing / wil ik niet zeggen",
}

OD7_COLS = [f"OD7_{k}" for k in range(1, 9)]
OD8_COLS = [f"OD8_{k}" for k in range(1, 6)]
UU2020_ITEM_COLUMNS = [
    "OD1", "OD2", "OD3", "OD3_wiz", "OD4", "OD4_anders", "OD5", "OD5_anders", "OD6",
    *OD7_COLS, "OD7_anders", *OD8_COLS,
]
UU2020_TEXT_COLUMNS = {"OD3", "OD4_anders", "OD5_anders", "OD7_anders"}

# Value labels per coded uu2020 column (respondent columns included), used by the label export
# and by the SPSS export.
UU2020_VALUE_LABELS: dict[str, dict[int, str]] = {
    "role_group": UU2020_ROLE,
    "completed": UU2020_COMPLETED,
    "OD1": UU2020_FREQ_OPTIONS,
    "OD2": UU2020_FREQ_OPTIONS,
    "OD3_wiz": UU2020_OD3_WIZ,
    "OD4": UU2020_OD4,
    "OD5": UU2020_OD5,
    "OD6": UU2020_OD6,
    **{f"OD7_{k}": {1: UU2020_OD7[k]} for k in range(1, 9)},
    **{col: UU2020_OD8 for col in OD8_COLS},
}
# User-missing codes declared in SPSS: only the codes the item offers.
UU2020_SAV_MISSING = {
    "role_group": [9], "OD1": [8, 9], "OD2": [8, 9], "OD4": [9], "OD5": [8, 9], "OD6": [9],
    **{col: [9] for col in OD8_COLS},
}
UU2020_VARIABLE_LABELS = {
    "respondent_id": "Respondentnummer",
    "org_unit": "Organisatieonderdeel",
    "role_group": "Functiegroep",
    "completed": "Vragenlijst volledig ingevuld",
    "weight": "Weegfactor (poststratificatie naar organisatieonderdeel en functiegroep)",
    "OD1": "1. Verzoek/opdracht in strijd met gemeentelijke waarden en normen (12 mnd)",
    "OD2": "2. Verzoek/opdracht waarbij u twijfelde of het in strijd was (12 mnd)",
    "OD3": "3. Wat werd u verzocht of opgedragen te doen? (open)",
    "OD3_wiz": "3. Wat werd u verzocht: Wil ik niet zeggen",
    "OD4": "4. Wie deed het verzoek / gaf de opdracht?",
    "OD4_anders": "4. Wie deed het verzoek: anders, namelijk",
    "OD5": "5. Namens wie werd het verzoek of de opdracht gedaan?",
    "OD5_anders": "5. Namens wie: anders, namelijk",
    "OD6": "6. In hoeverre voelde u zich onder druk gezet?",
    **{f"OD7_{k}": f"7. Hoe onder druk gezet: {UU2020_OD7[k]}" for k in range(1, 9)},
    "OD7_anders": "7. Hoe onder druk gezet: anders, namelijk",
    "OD8_1": "8.1 Verzoeker wist dat het in strijd was met waarden en normen",
    "OD8_2": "8.2 Verzoeker kon gevolgen niet overzien of zag geen andere mogelijkheid",
    "OD8_3": "8.3 Verzoeker heeft meer macht in deze organisatie dan ik",
    "OD8_4": "8.4 Het verzoek / de opdracht werd meerdere malen herhaald",
    "OD8_5": "8.5 Ik werd langere tijd onder druk gezet",
}

MTO_FUNCTIEGROEP = {1: "Medewerker", 2: "Leidinggevende", 3: "Directeur / MT-lid", 9: "Onbekend"}
MTO_WERKGEBIED = {1: "Werkzaam in Gebied", 2: "Niet werkzaam in Gebied"}
MTO_PBD123 = {1: "Nee, geen enkele keer", 2: "Ja, één keer", 3: "Ja, meer dan één keer"}
MTO_PBD4 = {1: "Rechtstreeks bestuurlijke druk", 2: "Indirect bestuurlijke druk", 3: "Ambtelijke druk",
            8: "Weet ik niet", 9: "Wil ik niet zeggen"}
MTO_PBD5 = {1: "Inhoud", 2: "Vorm", 3: "Beide", 8: "Weet ik niet", 9: "Wil ik niet zeggen"}
MTO_PBD6 = {1: "Voor 1 juni", 2: "Na 1 juni", 8: "Weet ik niet", 9: "Wil ik niet zeggen"}
MTO_TEVR = {1: "Zeer ontevreden", 2: "Ontevreden", 3: "Neutraal", 4: "Tevreden", 5: "Zeer tevreden"}
MTO_TEVR_COLS = [f"tevr_{k:02d}" for k in range(1, 41)]
MTO_PBD_COLS = [f"pbd{k}" for k in range(1, 8)]

IO_DOELGROEP = {1: "Ambtenaar", 2: "Raadslid", 3: "Wethouder", 4: "Burgemeester",
                5: "Griffier / gemeentesecretaris"}
IO_V1_COLS = [f"v1_{k}" for k in range(1, 8)]

FNV_FUNCTIENIVEAU = {1: "Medewerker", 2: "Leidinggevende", 3: "Directeur / SG / DG"}
FNV_V4 = {1: "Ja, één keer", 2: "Ja, enkele keren (2 tot 3 keer)", 3: "Ja, vaak (meer dan 4 keer)", 4: "Nee"}
FNV_V5 = {1: "Verbale intimidatie",
          2: "Non-verbale intimidatie (zoals dreigende sfeer/ cultuur of buitengesloten worden)",
          3: "Pesten", 4: "Dreiging met slechte beoordeling", 5: "Dreiging met overplaatsing",
          6: "Dreiging met ontslag", 7: "Dreiging om op non-actief te worden gesteld",
          8: "Dreiging om promotie mis te lopen", 9: "Anders, namelijk"}
FNV_V6 = {1: "Politiek (minister, staatssecretaris)", 2: "Secretaris/ Directeur Generaal (SG/ DG)",
          3: "Directeur", 4: "Leidinggevende", 5: "Collega", 6: "Externe opdrachtgever/ externe partij",
          7: "Anders, namelijk"}
FNV_V7 = {1: "Informatie achterhouden", 2: "Informatie lekken/ toespelen aan iemand",
          3: "Niet sanctioneren/ niet beboeten", 4: "Wel sanctioneren/ wel beboeten",
          5: "Onderzoeksvragen aanpassen", 6: "Uitkomsten rapporten aanpassen",
          7: "Uitkomsten kwaliteitscontroles negeren", 8: "In dienst stellen van politieke wensen",
          9: "Anders, namelijk"}

WODC_FUNCTIE = {1: "Onderzoeker", 2: "Senior onderzoeker", 3: "Hoofd / leidinggevende"}


# ======================================================================================
# Data containers
# ======================================================================================


@dataclass
class DemoWave:
    """One demo wave at code level, in file order (``records[i]`` is ``source_row`` i + 1).

    Blank cells are ``None``. ``injected_violations`` (source_row -> item names) and
    ``duplicate_rows`` record what the generator did on purpose; the oracle does not read them.
    """

    wave_id: str
    instrument: str
    file_name: str
    columns: list[str]
    records: list[dict[str, Any]]
    injected_violations: dict[int, tuple[str, ...]] = field(default_factory=dict)
    duplicate_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Unit:
    name: str
    p_improper: float
    p_doubt: float
    requesters: str  # key of _REQUESTER_PROFILES
    roles: Mapping[int, float]


# ======================================================================================
# Small random helpers (all draws go through these, in a fixed order)
# ======================================================================================


def _draw(rng: np.random.Generator, weights: Mapping[Any, float]) -> Any:
    """One key of ``weights`` with probability proportional to its weight."""
    total = float(sum(weights.values()))
    u = rng.random() * total
    acc = 0.0
    for key, weight in weights.items():
        acc += weight
        if u < acc:
            return key
    return list(weights)[-1]


def _chance(rng: np.random.Generator, p: float) -> bool:
    return bool(rng.random() < p)


def _likert(rng: np.random.Generator, centre: float, p_na: float = 0.06) -> int:
    """A 1..5 answer around ``centre`` (or 9 = n.v.t./wil ik niet zeggen with probability p_na)."""
    if _chance(rng, p_na):
        return 9
    return _draw(rng, {k: float(np.exp(-((k - centre) ** 2) / 1.6)) for k in range(1, 6)})


def _shuffled_units(rng: np.random.Generator, sizes: Mapping[str, int]) -> list[str]:
    pool = [name for name, size in sizes.items() for _ in range(size)]
    order = rng.permutation(len(pool))
    return [pool[int(i)] for i in order]


def _pick_rows(rng: np.random.Generator, candidates: list[int], taken: set[int]) -> int:
    """A random row index from ``candidates`` that is not yet ``taken`` (then marked taken)."""
    free = [i for i in candidates if i not in taken]
    if not free:
        raise RuntimeError("demo generator: no candidate row left for an injected anomaly")
    row = free[int(rng.integers(len(free)))]
    taken.add(row)
    return row


# --- fake personal data for open-text answers -------------------------------------------------

_FIRST_NAMES = ["Anouk", "Pieter", "Fatima", "Mohammed", "Sanne", "Kees", "Jeroen", "Ingrid",
                "Yvonne", "Ruud", "Esra", "Bart", "Linda", "Hans", "Noor", "Dennis"]
_SURNAMES = ["Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
             "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
             "Brouwer", "de Wit", "Dijkstra", "Yildiz", "El Amrani", "Koster"]
_DOMAINS = ["voorbeeldstad.nl", "gemeente-voorbeeldstad.nl", "example.nl", "example.com"]


def _phone(rng: np.random.Generator) -> str:
    digits = "".join(str(int(d)) for d in rng.integers(0, 10, size=8))
    style = _draw(rng, {"mobile": 3, "landline": 2, "intl": 1})
    if style == "mobile":
        return f"06-{digits}"
    if style == "landline":
        return f"010-{digits[:7]}"
    return f"+31 6 {digits[:4]} {digits[4:]}"


def _person(rng: np.random.Generator) -> dict[str, str]:
    first = _FIRST_NAMES[int(rng.integers(len(_FIRST_NAMES)))]
    last = _SURNAMES[int(rng.integers(len(_SURNAMES)))]
    slug = re.sub(r"[^a-z]", "", last.lower())
    domain = _DOMAINS[int(rng.integers(len(_DOMAINS)))]
    return {
        "voornaam": first,
        "achternaam": last,
        "Achternaam": last[0].upper() + last[1:],
        "email": f"{first[0].lower()}.{slug}@{domain}",
        "telefoon": _phone(rng),
        "bedrag": f"{int(rng.integers(5, 200)) * 100:,}".replace(",", "."),
        "n": str(int(rng.integers(2, 8))),
    }


def _open_text(rng: np.random.Generator, templates: list[str]) -> str:
    template = templates[int(rng.integers(len(templates)))]
    return template.format(**_person(rng))


_OD3_TEXTS = [
    "Ik moest de aanvraag van Bouwbedrijf {Achternaam} B.V. voorrang geven omdat wethouder {Achternaam} dat wilde. Hij belde mij op {telefoon}.",
    "Mijn leidinggevende {voornaam} {achternaam} vroeg me een negatief advies uit het collegevoorstel te halen, zie de mail van {email}.",
    "Informatie over de begrotingsoverschrijding achterhouden voor de raad tot na de verkiezingen.",
    "Een raadslid wilde vertrouwelijke stukken over een handhavingszaak; contact via {email} of {telefoon}.",
    "Een vergunning verlenen terwijl het bestemmingsplan dat niet toeliet (dossier van dhr. {Achternaam}).",
    "Cijfers in de kwartaalrapportage 'gunstiger' presenteren dan ze waren.",
    "Een kennis van de burgemeester sneller helpen met een uitkering – mevr. {Achternaam}, {telefoon}.",
    "Ik werd gevraagd een subsidie van € {bedrag} toe te kennen aan een vereniging waar {voornaam} {achternaam} voorzitter van is.",
    "Een handhavingsbesluit tegen café De Kroon 'even in de la leggen'; wethouder belde zelf ({telefoon}).",
]
_OD4_ANDERS_TEXTS = [
    "Een projectontwikkelaar ({voornaam} {achternaam}, {telefoon})",
    "Een fractiemedewerker, {email}",
    "De secretaresse van de burgemeester",
    "Een ambtenaar van de provincie ({email})",
    "Een journalist die zei namens de wethouder te bellen",
]
_OD5_ANDERS_TEXTS = [
    "Namens de wethouder, zei {voornaam} {achternaam} ({telefoon})",
    "Namens een bewonersgroep, contactpersoon {email}",
    "Namens de fractievoorzitter",
    "Namens een wethouder van een buurgemeente",
]
_OD7_ANDERS_TEXTS = [
    "Er werd gezegd dat mijn contract niet verlengd zou worden ({Achternaam}, {telefoon})",
    "Ik kreeg 's avonds laat appjes van {voornaam} {achternaam} op {telefoon}",
    "Er werd gedreigd met een klacht bij de gemeentesecretaris, zie {email}",
    "Mijn collega's werden tegen mij opgezet",
]
_PBD7_TEXTS = [
    "Raadslid {Achternaam} stuurde mij een mail ({email}) met het verzoek de vergunning toch te verlenen.",
    "De wethouder wilde dat ik mijn advies aanpaste; zijn assistent {voornaam} belde daarover op {telefoon}.",
    "Via mijn leidinggevende kreeg ik te horen dat het college 'geen gedoe' wilde rond het dossier van {voornaam} {achternaam}.",
    "Een gebiedscommissielid ({voornaam} {achternaam}) dreigde mij zwart te maken als ik niet meewerkte.",
    "Bij de aanbesteding moest een bekende van de portefeuillehouder worden uitgenodigd.",
]
_Q9_TEXTS = [
    "Een beleidsmedewerker van de directie (mw. {Achternaam}, {telefoon}) wilde dat de conclusies in hoofdstuk {n} werden afgezwakt.",
    "De begeleidingscommissie liet twee onderzoeksvragen schrappen omdat ze 'politiek gevoelig' lagen; zie de mail van {email}.",
    "Publicatie werd maanden uitgesteld tot na het Kamerdebat.",
    "Opdrachtgever {voornaam} {achternaam} eiste inzage in de ruwe data van respondenten.",
    "Er werd gevraagd de samenvatting te herschrijven 'zodat de minister er iets mee kan'.",
]
_FNV_ANDERS_TEXTS = {
    "V5_anders": [
        "Er werd gezegd dat mijn project zou worden stopgezet ({email})",
        "Via een collega ({voornaam} {achternaam}) liet men weten dat ik 'verstandig' moest zijn",
        "Mijn verlof werd ineens niet meer goedgekeurd",
    ],
    "V6_anders": [
        "Een medewerker van een Kamerfractie ({email})",
        "Een adviseur van de minister, {voornaam} {achternaam}",
        "Een lobbyist ({telefoon})",
    ],
    "V7_anders": [
        "Een Kamerbrief 'positiever' formuleren",
        "Een aanbesteding gunnen aan een bekende van {voornaam} {achternaam}",
        "Een Woo-verzoek traag afhandelen; contact via {email}",
    ],
}


# ======================================================================================
# uu2020 (new instrument): three waves
# ======================================================================================

_DEFAULT_ROLES = {1: 0.81, 2: 0.13, 3: 0.03, 9: 0.03}
_POLITICAL_ROLES = {1: 0.76, 2: 0.13, 3: 0.03, 4: 0.05, 9: 0.03}

_UU_UNITS = {
    u.name: u
    for u in [
        _Unit("Bestuursdienst", 0.16, 0.12, "politiek", _POLITICAL_ROLES),
        _Unit("Stadsontwikkeling", 0.10, 0.10, "extern", _DEFAULT_ROLES),
        _Unit("Maatschappelijke Ontwikkeling", 0.07, 0.09, "lijn", _DEFAULT_ROLES),
        _Unit("Stadsbeheer", 0.05, 0.06, "lijn", _DEFAULT_ROLES),
        _Unit("Publiekszaken", 0.04, 0.05, "extern", _DEFAULT_ROLES),
        _Unit("Werk en Inkomen", 0.06, 0.07, "lijn", _DEFAULT_ROLES),
        _Unit("Gebiedscoördinatie", 0.14, 0.12, "gebied", _DEFAULT_ROLES),
        _Unit("Concernstaf", 0.09, 0.10, "politiek", _DEFAULT_ROLES),
        _Unit("Directie Veiligheid", 0.12, 0.08, "politiek", _DEFAULT_ROLES),
        _Unit("Griffie", 0.20, 0.10, "raad", _POLITICAL_ROLES),
        _Unit("Rekenkamer", 0.08, 0.08, "raad", _DEFAULT_ROLES),
        _Unit("Bureau Integriteit", 0.05, 0.10, "lijn", _DEFAULT_ROLES),
    ]
}

# Who made the request (OD4 code -> weight), per unit profile.
_REQUESTER_PROFILES = {
    "politiek": {1: 3, 2: 5, 3: 1, 4: 3, 5: 3, 6: 1, 7: 1, 10: 0.5, 9: 0.6},
    "gebied": {1: 1, 2: 1, 3: 6, 4: 1, 5: 2, 6: 1, 7: 1, 10: 0.5, 9: 0.5},
    "extern": {1: 1, 2: 2, 3: 0.5, 4: 1, 5: 2, 6: 1, 7: 5, 10: 0.5, 9: 0.5},
    "lijn": {1: 0.5, 2: 1, 3: 0.3, 4: 1.5, 5: 5, 6: 3, 7: 1, 10: 0.6, 9: 0.6},
    "raad": {1: 6, 2: 2, 3: 0.2, 4: 1, 5: 1, 6: 0.5, 7: 0.3, 10: 0.3, 9: 0.3},
}
# Role-specific tilt of the requester weights.
_REQUESTER_ROLE_TILT = {
    2: {2: 1.5, 4: 2.0},
    3: {2: 2.5, 1: 1.5, 4: 0.3, 5: 0.2},
    4: {1: 2.0, 2: 1.5, 7: 2.0, 5: 0.1, 6: 0.5},
}
# On whose behalf (OD5 code -> weight), given who made the request (OD4).
_BEHALF_GIVEN_REQUESTER = {
    "political": {1: 0.70, 3: 0.10, 2: 0.05, 8: 0.10, 9: 0.05},
    4: {1: 0.45, 3: 0.35, 2: 0.05, 8: 0.10, 9: 0.05},
    "line": {1: 0.35, 3: 0.20, 2: 0.05, 5: 0.12, 6: 0.08, 7: 0.05, 8: 0.10, 9: 0.03, 10: 0.02},
    7: {1: 0.60, 11: 0.20, 3: 0.05, 8: 0.10, 9: 0.05},
    10: {1: 0.50, 10: 0.20, 8: 0.20, 3: 0.10},
    9: {9: 0.60, 8: 0.20, 1: 0.20},
}
_ROLE_IMPROPER = {1: 1.0, 2: 1.5, 3: 2.5, 4: 1.3, 9: 1.0}
_ROLE_DOUBT = {1: 1.0, 2: 1.3, 3: 1.6, 4: 1.2, 9: 1.0}
# Unit response rates (for the post-stratification weight of the monitor).
_UU_RESPONSE_RATE = {
    "Bestuursdienst": 0.85, "Stadsontwikkeling": 0.72, "Maatschappelijke Ontwikkeling": 0.70,
    "Stadsbeheer": 0.52, "Publiekszaken": 0.66, "Werk en Inkomen": 0.61, "Gebiedscoördinatie": 0.74,
    "Concernstaf": 0.88, "Directie Veiligheid": 0.80, "Griffie": 0.90, "Rekenkamer": 0.95,
    "Bureau Integriteit": 0.90,
}

_UU_WAVE_DESIGN = {
    "uu2020_pilot1": {
        "units": {"Bestuursdienst": 40, "Stadsontwikkeling": 30, "Concernstaf": 25,
                  "Gebiedscoördinatie": 22, "Directie Veiligheid": 15,
                  "Maatschappelijke Ontwikkeling": 10, "Griffie": 5, "Bureau Integriteit": 3},
        "breakoff_rate": 0.06,
        "violations": ["od2_despite_od1_yes", "od4_blank", "od3_after_no"],
        "optional_nonresponse": 1,
        "weight": False,
        "duplicate": False,
    },
    "uu2020_pilot2": {
        "units": {"Bestuursdienst": 70, "Stadsontwikkeling": 110, "Maatschappelijke Ontwikkeling": 95,
                  "Stadsbeheer": 120, "Publiekszaken": 75, "Werk en Inkomen": 60,
                  "Gebiedscoördinatie": 40, "Concernstaf": 21, "Griffie": 5, "Rekenkamer": 4},
        "breakoff_rate": 0.05,
        "violations": ["od6_after_no", "od5_blank", "od6_od7_blank", "od2_despite_od1_yes"],
        "optional_nonresponse": 2,
        "weight": False,
        "duplicate": False,
    },
    "uu2020_monitor": {
        "units": {"Bestuursdienst": 300, "Stadsontwikkeling": 520, "Maatschappelijke Ontwikkeling": 470,
                  "Stadsbeheer": 610, "Publiekszaken": 380, "Werk en Inkomen": 330,
                  "Gebiedscoördinatie": 190, "Concernstaf": 110, "Directie Veiligheid": 70,
                  "Griffie": 8, "Rekenkamer": 6, "Bureau Integriteit": 6},
        "breakoff_rate": 0.04,
        "violations": ["od2_despite_od1_yes", "od6_after_no", "od3_after_no", "od4_blank",
                       "od6_od7_blank", "od5_blank"],
        "optional_nonresponse": 4,
        "weight": True,
        "duplicate": True,
    },
}

# Questionnaire pages ("stages") and the columns they fill, in order; a break-off blanks whole pages.
_UU_STAGES = {
    "OD1": ["OD1"],
    "OD2": ["OD2"],
    "OD3": ["OD3", "OD3_wiz"],
    "OD4": ["OD4", "OD4_anders"],
    "OD5": ["OD5", "OD5_anders"],
    "OD6": ["OD6"],
    "OD7": [*OD7_COLS, "OD7_anders"],
    "OD8": OD8_COLS,
}
_UU_YES = {2, 3, 4}


def _uu2020_block(rng: np.random.Generator, rec: dict[str, Any], unit: _Unit, role: int,
                  doubt: bool) -> None:
    """Questions 3..8 for a respondent routed into the follow-up block."""
    # OD3: open text, or "Wil ik niet zeggen", or left empty (item nonresponse on an open item).
    choice = _draw(rng, {"text": 0.50, "wiz": 0.12, "empty": 0.38})
    rec["OD3"] = _open_text(rng, _OD3_TEXTS) if choice == "text" else None
    rec["OD3_wiz"] = 1 if choice == "wiz" else 0

    weights = dict(_REQUESTER_PROFILES[unit.requesters])
    for code, factor in _REQUESTER_ROLE_TILT.get(role, {}).items():
        weights[code] *= factor
    od4 = _draw(rng, weights)
    rec["OD4"] = od4
    if od4 == 10 and _chance(rng, 0.85):
        rec["OD4_anders"] = _open_text(rng, _OD4_ANDERS_TEXTS)

    if od4 in (1, 2, 3):
        behalf = _BEHALF_GIVEN_REQUESTER["political"]
    elif od4 in (5, 6):
        behalf = _BEHALF_GIVEN_REQUESTER["line"]
    else:
        behalf = _BEHALF_GIVEN_REQUESTER[od4]
    od5 = _draw(rng, behalf)
    rec["OD5"] = od5
    if od5 == 10 and _chance(rng, 0.8):
        rec["OD5_anders"] = _open_text(rng, _OD5_ANDERS_TEXTS)

    political = od4 in (1, 2, 3) or od5 in (2, 3, 4)
    if doubt:
        od6_weights = {1: 0.30, 2: 0.30, 3: 0.22, 4: 0.10, 5: 0.04, 9: 0.04}
    elif political:
        od6_weights = {1: 0.08, 2: 0.14, 3: 0.28, 4: 0.27, 5: 0.18, 9: 0.05}
    else:
        od6_weights = {1: 0.14, 2: 0.20, 3: 0.30, 4: 0.20, 5: 0.11, 9: 0.05}
    od6 = _draw(rng, od6_weights)
    rec["OD6"] = od6

    # OD7 mostly consistent with OD6, with a realistic share of inconsistent answers.
    ticks: set[int] = set()
    if od6 in (1, 2):
        pattern = _draw(rng, {"none_felt": 0.85, "inconsistent": 0.07, "other": 0.05, "refuse": 0.03})
    elif od6 == 9:
        pattern = _draw(rng, {"refuse": 0.5, "means": 0.3, "none_felt": 0.2})
    else:
        pattern = _draw(rng, {"means": 0.85, "inconsistent": 0.06, "other": 0.05, "refuse": 0.04})
    if pattern == "none_felt":
        ticks = {1}
    elif pattern == "refuse":
        ticks = {8}
    elif pattern == "other":
        ticks = {7}
    elif pattern == "inconsistent":
        ticks = {1} if od6 not in (1, 2) else {_draw(rng, {2: 1, 4: 1})}
    else:  # "means": one or more of options 2..6
        for code, p in {2: 0.35, 3: 0.12, 4: 0.50, 5: 0.30, 6: 0.12}.items():
            if _chance(rng, p):
                ticks.add(code)
        if not ticks:
            ticks.add(4)
        if _chance(rng, 0.08):
            ticks.add(7)
    for k in range(1, 9):
        rec[f"OD7_{k}"] = 1 if k in ticks else 0
    if 7 in ticks and _chance(rng, 0.8):
        rec["OD7_anders"] = _open_text(rng, _OD7_ANDERS_TEXTS)

    # OD8: weighting-factor statements.
    frequency_index = {1: 0, 2: 0, 3: 1, 4: 2}.get(rec["OD1"] if not doubt else rec["OD2"], 0)
    powerful = od4 in (1, 2, 3, 4, 5)
    felt = od6 if od6 != 9 else 3
    rec["OD8_1"] = _likert(rng, (3.7 if not doubt else 2.6) + (0.4 if political else 0.0))
    rec["OD8_2"] = _likert(rng, 2.9 if not doubt else 3.4)
    rec["OD8_3"] = _likert(rng, 4.3 if powerful else 2.7)
    rec["OD8_4"] = _likert(rng, 1.8 + 1.2 * frequency_index)
    rec["OD8_5"] = _likert(rng, 1.2 + 0.6 * felt)


def _uu2020_respondent(rng: np.random.Generator, unit: _Unit, role: int) -> tuple[dict[str, Any], list[str]]:
    """All item columns of one respondent (None = blank) and the pages the routing showed."""
    rec: dict[str, Any] = dict.fromkeys(UU2020_ITEM_COLUMNS)
    path = ["OD1"]

    p_yes = min(0.6, unit.p_improper * _ROLE_IMPROPER[role])
    od1_kind = _draw(rng, {"blank": 0.012, "dont_know": 0.03, "refused": 0.02, "substantive": 0.938})
    if od1_kind == "blank":
        rec["OD1"] = None
    elif od1_kind == "dont_know":
        rec["OD1"] = 8
    elif od1_kind == "refused":
        rec["OD1"] = 9
    elif _chance(rng, p_yes):
        rec["OD1"] = _draw(rng, {2: 0.55, 3: 0.30, 4: 0.15})
    else:
        rec["OD1"] = 1

    if rec["OD1"] in (1, 8, 9):
        path.append("OD2")
        p_doubt = unit.p_doubt * _ROLE_DOUBT[role] * (1.6 if rec["OD1"] == 8 else 1.0)
        od2_kind = _draw(rng, {"dont_know": 0.02, "refused": 0.01, "substantive": 0.97})
        if od2_kind == "dont_know":
            rec["OD2"] = 8
        elif od2_kind == "refused":
            rec["OD2"] = 9
        elif _chance(rng, p_doubt):
            rec["OD2"] = _draw(rng, {2: 0.6, 3: 0.3, 4: 0.1})
        else:
            rec["OD2"] = 1

    if rec["OD1"] in _UU_YES or rec["OD2"] in _UU_YES:
        path += ["OD3", "OD4", "OD5", "OD6", "OD7", "OD8"]
        _uu2020_block(rng, rec, unit, role, doubt=rec["OD1"] not in _UU_YES)
    return rec, path


def _uu2020_inject(rng: np.random.Generator, records: list[dict[str, Any]], kind: str,
                   taken: set[int]) -> tuple[int, tuple[str, ...]]:
    """Apply one deliberate routing violation; returns (row index, violated item names)."""
    complete = [i for i, r in enumerate(records) if r["completed"] == 1]
    yes = [i for i in complete if records[i]["OD1"] in _UU_YES]
    no_no = [i for i in complete if records[i]["OD1"] == 1 and records[i]["OD2"] == 1]
    if kind == "od2_despite_od1_yes":  # answered OD2 although OD1 = yes skips it
        i = _pick_rows(rng, yes, taken)
        records[i]["OD2"] = 1
        return i, ("OD2",)
    if kind == "od6_after_no":  # answered OD6 although OD1 = OD2 = Nee ends the questionnaire
        i = _pick_rows(rng, no_no, taken)
        records[i]["OD6"] = _draw(rng, {1: 1, 2: 1})
        return i, ("OD6",)
    if kind == "od3_after_no":  # open text although routing skipped OD3
        i = _pick_rows(rng, no_no, taken)
        records[i]["OD3"] = _open_text(rng, _OD3_TEXTS)
        return i, ("OD3",)
    candidates = [i for i in yes if records[i]["OD4"] != 10 and records[i]["OD5"] != 10]
    if kind == "od4_blank":  # OD4 left blank although OD1 = yes requires it
        i = _pick_rows(rng, candidates, taken)
        records[i]["OD4"] = None
        return i, ("OD4",)
    if kind == "od5_blank":
        i = _pick_rows(rng, candidates, taken)
        records[i]["OD5"] = None
        return i, ("OD5",)
    if kind == "od6_od7_blank":  # OD7 is an optional item: its blank is item nonresponse only
        i = _pick_rows(rng, candidates, taken)
        records[i]["OD6"] = None
        for col in [*OD7_COLS, "OD7_anders"]:
            records[i][col] = None
        return i, ("OD6",)
    raise ValueError(f"unknown violation kind {kind!r}")


def _uu2020_optional_nonresponse(rng: np.random.Generator, records: list[dict[str, Any]], taken: set[int]) -> None:
    """Blank an optional item where routing asks it (OD2 after OD1 = Nee, or one OD8 statement):
    item nonresponse, not a routing violation (interpretation 6)."""
    complete = [i for i, r in enumerate(records) if r["completed"] == 1]
    if _chance(rng, 0.5):
        i = _pick_rows(rng, [i for i in complete if records[i]["OD1"] == 1 and records[i]["OD2"] == 1], taken)
        records[i]["OD2"] = None
    else:
        i = _pick_rows(rng, [i for i in complete if records[i]["OD1"] in _UU_YES], taken)
        records[i][OD8_COLS[int(rng.integers(len(OD8_COLS)))]] = None


def _uu2020_wave(wave_id: str, seed: int) -> DemoWave:
    instrument, file_name, salt = WAVES[wave_id]
    design = _UU_WAVE_DESIGN[wave_id]
    rng = np.random.default_rng([seed, salt])

    records: list[dict[str, Any]] = []
    for unit_name in _shuffled_units(rng, design["units"]):
        unit = _UU_UNITS[unit_name]
        role = _draw(rng, unit.roles)
        items, path = _uu2020_respondent(rng, unit, role)
        completed = 1
        if _chance(rng, design["breakoff_rate"]):
            completed = 0
            stop = int(rng.integers(len(path)))
            for stage in path[stop:]:
                for col in _UU_STAGES[stage]:
                    items[col] = None
        records.append({"respondent_id": None, "org_unit": unit_name, "role_group": role,
                        "completed": completed, "weight": None, **items})

    # Respondent ids: strings for the pilots, integers with gaps for the monitor.
    if wave_id == "uu2020_pilot1":
        for n, rec in enumerate(records, start=1):
            rec["respondent_id"] = f"P1-{n:03d}"
    elif wave_id == "uu2020_pilot2":
        for n, rec in enumerate(records, start=1):
            rec["respondent_id"] = f"P2-{n:04d}"
    else:
        next_id = 50000
        for rec in records:
            next_id += int(rng.integers(1, 4))
            rec["respondent_id"] = next_id

    taken: set[int] = set()
    injected: dict[int, tuple[str, ...]] = {}
    for kind in design["violations"]:
        i, items = _uu2020_inject(rng, records, kind, taken)
        injected[i + 1] = items
    for _ in range(design["optional_nonresponse"]):
        _uu2020_optional_nonresponse(rng, records, taken)

    duplicate_rows: tuple[int, ...] = ()
    if design["duplicate"]:
        # A second submission under the same id (e.g. a re-used invitation link): both rows rejected.
        candidates = [i for i, r in enumerate(records) if r["completed"] == 1
                      and r["org_unit"] in ("Stadsbeheer", "Stadsontwikkeling")]
        first = _pick_rows(rng, candidates[: len(candidates) // 2], taken)
        second = _pick_rows(rng, candidates[len(candidates) // 2:], taken)
        records[second]["respondent_id"] = records[first]["respondent_id"]
        duplicate_rows = (first + 1, second + 1)

    columns = ["respondent_id", "org_unit", "role_group", "completed"]
    if design["weight"]:
        columns.append("weight")
        _uu2020_weights(records)
    else:
        for rec in records:
            del rec["weight"]
    columns += UU2020_ITEM_COLUMNS
    return DemoWave(wave_id, instrument, file_name, columns, records, injected, duplicate_rows)


def _uu2020_weights(records: list[dict[str, Any]]) -> None:
    """Inverse unit response rate, managers slightly down-weighted, normalised to mean 1."""
    raw = []
    for rec in records:
        w = 1.0 / _UU_RESPONSE_RATE[rec["org_unit"]]
        if rec["role_group"] in (2, 3):
            w *= 0.8
        raw.append(w)
    mean = sum(raw) / len(raw)
    for rec, w in zip(records, raw):
        rec["weight"] = round(w / mean, 4)


# ======================================================================================
# mto2019 (Rotterdam employee survey block)
# ======================================================================================

_MTO_CLUSTERS = {
    # name: (size, p political pressure, p improper | pressure, p in Gebied, satisfaction centre)
    "Bestuursdienst": (110, 0.38, 0.40, 0.10, 3.4),
    "Concernstaf": (95, 0.22, 0.30, 0.05, 3.6),
    "Dienstverlening": (170, 0.10, 0.25, 0.25, 3.7),
    "Maatschappelijke Ontwikkeling": (190, 0.20, 0.35, 0.45, 3.5),
    "Stadsontwikkeling": (220, 0.26, 0.35, 0.35, 3.5),
    "Stadsbeheer": (215, 0.14, 0.30, 0.60, 3.3),
    "Werk en Inkomen": (90, 0.12, 0.30, 0.30, 3.6),
    "Directie Veiligheid": (10, 0.30, 0.40, 0.50, 3.4),
}
_MTO_ROLES = {1: 0.80, 2: 0.14, 3: 0.03, 9: 0.03}
_MTO_ROLE_FACTOR = {1: 1.0, 2: 1.5, 3: 2.2, 9: 1.0}


def _mto2019_wave(seed: int) -> DemoWave:
    instrument, file_name, salt = WAVES["mto2019"]
    rng = np.random.default_rng([seed, salt])
    sizes = {name: spec[0] for name, spec in _MTO_CLUSTERS.items()}
    records: list[dict[str, Any]] = []
    next_id = 40000
    for cluster in _shuffled_units(rng, sizes):
        _, p_pressure, p_improper, p_gebied, satisfaction = _MTO_CLUSTERS[cluster]
        role = _draw(rng, _MTO_ROLES)
        next_id += int(rng.integers(1, 3))
        rec: dict[str, Any] = {
            "RespID": next_id,
            "Cluster": cluster,
            "Functiegroep": role,
            "Werkgebied": 1 if _chance(rng, p_gebied) else 2,
            "Weegfactor": None,
        }
        for col in MTO_TEVR_COLS:
            rec[col] = None if _chance(rng, 0.015) else _likert(rng, satisfaction, p_na=0.0)
        pbd = dict.fromkeys(MTO_PBD_COLS)
        if _chance(rng, 0.01):
            pass  # pbd1 left blank: item nonresponse on the gate
        elif _chance(rng, min(0.8, p_pressure * _MTO_ROLE_FACTOR[role])):
            pbd["pbd1"] = _draw(rng, {2: 0.6, 3: 0.4})
            pbd["pbd2"] = _draw(rng, {2: 0.6, 3: 0.4}) if _chance(rng, 0.28) else 1
            pbd["pbd3"] = _draw(rng, {2: 0.6, 3: 0.4}) if _chance(rng, p_improper) else 1
            if pbd["pbd3"] in (2, 3):
                pbd["pbd4"] = _draw(rng, {1: 0.35, 2: 0.30, 3: 0.25, 8: 0.07, 9: 0.03})
                pbd["pbd5"] = _draw(rng, {1: 0.35, 2: 0.20, 3: 0.35, 8: 0.07, 9: 0.03})
                if rec["Werkgebied"] == 1:
                    pbd["pbd6"] = _draw(rng, {1: 0.45, 2: 0.45, 8: 0.07, 9: 0.03})
                if _chance(rng, 0.55):
                    pbd["pbd7"] = _open_text(rng, _PBD7_TEXTS)
        else:
            pbd["pbd1"] = 1
        rec.update(pbd)
        records.append(rec)

    # Weegfactor: inverse of a cluster response propensity, normalised to mean 1.
    propensity = {name: 0.55 + 0.04 * i for i, name in enumerate(sorted(_MTO_CLUSTERS))}
    raw = [1.0 / propensity[r["Cluster"]] for r in records]
    mean = sum(raw) / len(raw)
    for rec, w in zip(records, raw):
        rec["Weegfactor"] = round(w / mean, 4)

    taken: set[int] = set()
    injected: dict[int, tuple[str, ...]] = {}

    def rows(pred: Callable[[dict[str, Any]], bool]) -> list[int]:
        return [i for i, r in enumerate(records) if pred(r)]

    i = _pick_rows(rng, rows(lambda r: r["pbd1"] in (2, 3) and r["pbd3"] == 1), taken)
    records[i]["pbd2"] = None  # pbd2 left blank although pbd1 = yes requires it
    injected[i + 1] = ("pbd2",)
    i = _pick_rows(rng, rows(lambda r: r["pbd3"] in (2, 3)), taken)
    records[i]["pbd5"] = None
    injected[i + 1] = ("pbd5",)
    i = _pick_rows(rng, rows(lambda r: r["pbd3"] in (2, 3) and r["Werkgebied"] == 2), taken)
    records[i]["pbd6"] = 2  # answered although not working in a Gebied
    injected[i + 1] = ("pbd6",)
    i = _pick_rows(rng, rows(lambda r: r["pbd3"] == 1 and r["pbd2"] == 1), taken)
    records[i]["pbd4"] = 3  # answered although pbd3 = Nee ends the block
    injected[i + 1] = ("pbd4",)
    i = _pick_rows(rng, rows(lambda r: r["pbd1"] == 1), taken)
    records[i]["pbd7"] = _open_text(rng, _PBD7_TEXTS)
    injected[i + 1] = ("pbd7",)

    columns = ["RespID", "Cluster", "Functiegroep", "Werkgebied", "Weegfactor",
               *MTO_TEVR_COLS[:20], *MTO_PBD_COLS, *MTO_TEVR_COLS[20:]]
    return DemoWave("mto2019", instrument, file_name, columns, records, injected)


# ======================================================================================
# io2018 (I&O Research, several municipalities)
# ======================================================================================

_IO_MUNICIPALITIES = {
    # name: (respondents, municipality factor, inverse-propensity weight base)
    "Voorbeeldstad": (260, 1.2, 1.10),
    "Súdermar": (190, 0.9, 0.95),
    "Ruïnemeer": (160, 1.0, 1.00),
    "Oosterweide": (140, 0.8, 0.90),
    "Hoogeveld": (126, 1.1, 1.05),
    "Kleindorp": (24, 0.7, 0.70),
}
# doelgroep: (p content request, p form request, v2 weights)
_IO_DOELGROEP = {
    1: (0.17, 0.11, {1: 0.50, 2: 0.25, 3: 0.20, 8: 0.05}),
    2: (0.25, 0.20, {1: 0.20, 2: 0.55, 3: 0.20, 8: 0.05}),
    3: (0.35, 0.28, {1: 0.25, 2: 0.50, 3: 0.22, 8: 0.03}),
    4: (0.40, 0.30, {1: 0.20, 2: 0.55, 3: 0.25}),
    5: (0.30, 0.18, {1: 0.45, 2: 0.30, 3: 0.25}),
}


def _io_roles(n: int) -> list[int]:
    """Fixed composition of a municipality: 1 mayor, 2 clerks/secretaries, aldermen, councillors."""
    aldermen = 2 if n < 50 else 4
    councillors = max(4, round(n * 0.09))
    roles = [4] + [5, 5] + [3] * aldermen + [2] * councillors
    return roles + [1] * (n - len(roles))


def _io2018_wave(seed: int) -> DemoWave:
    instrument, file_name, salt = WAVES["io2018"]
    rng = np.random.default_rng([seed, salt])
    people = [(g, role) for g, (n, _, _) in _IO_MUNICIPALITIES.items() for role in _io_roles(n)]
    order = rng.permutation(len(people))
    records: list[dict[str, Any]] = []
    for idx, k in enumerate(order, start=1):
        gemeente, role = people[int(k)]
        factor = _IO_MUNICIPALITIES[gemeente][1]
        p_content, p_form, v2_weights = _IO_DOELGROEP[role]
        rec: dict[str, Any] = {"resp_nr": 10000 + idx, "gemeente": gemeente, "doelgroep": role,
                               "weegfactor": None, **dict.fromkeys(IO_V1_COLS), "v2": None,
                               "v3_intern": None, "v3_extern": None, "v4": None}
        v1_kind = _draw(rng, {"blank": 0.015, "zeros": 0.005, "answered": 0.98})
        if v1_kind == "zeros":
            for col in IO_V1_COLS:
                rec[col] = 0
        elif v1_kind == "answered":
            ticks = set()
            if _chance(rng, p_content * factor):
                ticks |= {k for k, p in {1: 0.6, 2: 0.4, 3: 0.3}.items() if _chance(rng, p)} or {1}
            if _chance(rng, p_form * factor):
                ticks |= {k for k, p in {4: 0.6, 5: 0.4, 6: 0.15}.items() if _chance(rng, p)} or {4}
            if not ticks:
                ticks = {7}
            for k in range(1, 8):
                rec[f"v1_{k}"] = 1 if k in ticks else 0
        if any(rec[f"v1_{k}"] == 1 for k in range(1, 7)):
            rec["v2"] = _draw(rng, v2_weights)
            form = any(rec[f"v1_{k}"] == 1 for k in (4, 5, 6))
            scale = {s: float(np.exp(-((s - (6.5 if form else 4.0)) ** 2) / 8.0)) for s in range(1, 11)}
            if rec["v2"] in (1, 3):
                rec["v3_intern"] = _draw(rng, scale)
            if rec["v2"] in (2, 3):
                rec["v3_extern"] = _draw(rng, scale)
        if not _chance(rng, 0.02):
            rec["v4"] = _draw(rng, {1: 0.18, 2: 0.34, 3: 0.28, 4: 0.09, 5: 0.03, 8: 0.08})
        records.append(rec)

    raw = [_IO_MUNICIPALITIES[r["gemeente"]][2] * (1.3 if r["doelgroep"] == 1 else 0.6)
           for r in records]
    mean = sum(raw) / len(raw)
    for rec, w in zip(records, raw):
        rec["weegfactor"] = round(w / mean, 4)

    taken: set[int] = set()
    injected: dict[int, tuple[str, ...]] = {}
    i = _pick_rows(rng, [i for i, r in enumerate(records) if r["v2"] in (1, 2, 3)], taken)
    records[i].update(v2=None, v3_intern=None, v3_extern=None)  # v2 blank although asked
    injected[i + 1] = ("v2",)
    i = _pick_rows(rng, [i for i, r in enumerate(records) if r["v2"] == 1], taken)
    records[i]["v3_extern"] = 7  # external pressure scored although only internal requests
    injected[i + 1] = ("v3_extern",)
    i = _pick_rows(rng, [i for i, r in enumerate(records) if r["v2"] == 3], taken)
    records[i]["v3_intern"] = None
    injected[i + 1] = ("v3_intern",)
    i = _pick_rows(rng, [i for i, r in enumerate(records) if r["v1_7"] == 1], taken)
    records[i]["v2"] = 8  # answered v2 although no request was ticked
    injected[i + 1] = ("v2",)

    columns = ["resp_nr", "gemeente", "doelgroep", "weegfactor", *IO_V1_COLS, "v2", "v3_intern",
               "v3_extern", "v4"]
    return DemoWave("io2018", instrument, file_name, columns, records, injected)


# ======================================================================================
# fnv2018 (national government)
# ======================================================================================

_FNV_MINISTRIES = {
    # name: (respondents, p pressured, political weight)
    "Algemene Zaken": (18, 0.25, 3.0),
    "Binnenlandse Zaken en Koninkrijksrelaties": (70, 0.20, 1.5),
    "Buitenlandse Zaken": (45, 0.15, 1.0),
    "Defensie": (95, 0.16, 0.5),
    "Economische Zaken en Klimaat": (55, 0.18, 1.2),
    "Financiën": (80, 0.14, 1.0),
    "Infrastructuur en Waterstaat": (75, 0.19, 1.2),
    "Justitie en Veiligheid": (110, 0.26, 2.0),
    "Landbouw, Natuur en Voedselkwaliteit": (35, 0.17, 1.0),
    "Onderwijs, Cultuur en Wetenschap": (50, 0.13, 0.8),
    "Sociale Zaken en Werkgelegenheid": (40, 0.15, 1.0),
    "Volksgezondheid, Welzijn en Sport": (27, 0.21, 1.5),
}
_FNV_LEVEL_FACTOR = {1: 1.0, 2: 1.4, 3: 1.9}
_FNV_CODES = {"V5": FNV_V5, "V6": FNV_V6, "V7": FNV_V7}


def _fnv2018_wave(seed: int) -> DemoWave:
    instrument, file_name, salt = WAVES["fnv2018"]
    rng = np.random.default_rng([seed, salt])
    sizes = {name: spec[0] for name, spec in _FNV_MINISTRIES.items()}
    records: list[dict[str, Any]] = []
    for idx, ministry in enumerate(_shuffled_units(rng, sizes), start=1):
        _, p_pressured, political = _FNV_MINISTRIES[ministry]
        level = _draw(rng, {1: 0.75, 2: 0.20, 3: 0.05})
        rec: dict[str, Any] = {"ID": 20000 + idx, "Ministerie": f"Ministerie van {ministry}",
                               "Functieniveau": level, "V4": None, "V5": None, "V5_anders": None,
                               "V6": None, "V6_anders": None, "V7": None, "V7_anders": None}
        if not _chance(rng, 0.01):
            if _chance(rng, p_pressured * _FNV_LEVEL_FACTOR[level]):
                rec["V4"] = _draw(rng, {1: 0.45, 2: 0.35, 3: 0.20})
                rec["V5"] = _draw(rng, {1: 0.30, 2: 0.20, 3: 0.08, 4: 0.15, 5: 0.06, 6: 0.05,
                                        7: 0.03, 8: 0.05, 9: 0.08})
                rec["V6"] = _draw(rng, {1: 0.10 * political, 2: 0.10, 3: 0.15, 4: 0.30, 5: 0.13,
                                        6: 0.12, 7: 0.08})
                rec["V7"] = _draw(rng, {1: 0.22, 2: 0.05, 3: 0.06, 4: 0.04, 5: 0.08, 6: 0.12,
                                        7: 0.06, 8: 0.27, 9: 0.10})
                for col in ("V5", "V6", "V7"):
                    if rec[col] == max(_FNV_CODES[col]) and _chance(rng, 0.85):
                        rec[f"{col}_anders"] = _open_text(rng, _FNV_ANDERS_TEXTS[f"{col}_anders"])
            else:
                rec["V4"] = 4
        records.append(rec)

    taken: set[int] = set()
    injected: dict[int, tuple[str, ...]] = {}
    yes = [i for i, r in enumerate(records) if r["V4"] in (1, 2, 3) and r["V5"] != 9 and r["V7"] != 9]
    i = _pick_rows(rng, yes, taken)
    records[i]["V5"] = None
    injected[i + 1] = ("V5",)
    i = _pick_rows(rng, yes, taken)
    records[i]["V7"] = None
    injected[i + 1] = ("V7",)
    i = _pick_rows(rng, [i for i, r in enumerate(records) if r["V4"] == 4], taken)
    records[i]["V6"] = 4  # answered although V4 = Nee routes to the end of the block
    injected[i + 1] = ("V6",)

    columns = ["ID", "Ministerie", "Functieniveau", "V4", "V5", "V5_anders", "V6", "V6_anders",
               "V7", "V7_anders"]
    return DemoWave("fnv2018", instrument, file_name, columns, records, injected)



# ======================================================================================
# wodc2018 (contract researchers)
# ======================================================================================

_WODC_DEPARTMENTS = {
    "Criminaliteit, Rechtshandhaving en Sancties": (40, 0.45),
    "Justitiële Jeugd, Vreemdelingen en Slachtoffers": (35, 0.40),
    "Statistische Informatievoorziening en Beleidsanalyse": (30, 0.25),
    "Extern Wetenschappelijke Betrekkingen": (15, 0.35),
}


def _wodc2018_wave(seed: int) -> DemoWave:
    instrument, file_name, salt = WAVES["wodc2018"]
    rng = np.random.default_rng([seed, salt])
    sizes = {name: spec[0] for name, spec in _WODC_DEPARTMENTS.items()}
    records: list[dict[str, Any]] = []
    for idx, department in enumerate(_shuffled_units(rng, sizes), start=1):
        p_influence = _WODC_DEPARTMENTS[department][1]
        functie = _draw(rng, {1: 0.6, 2: 0.3, 3: 0.1})
        rec: dict[str, Any] = {"respnr": 30000 + idx, "afdeling": department, "functie": functie,
                               "Q7": None, "Q8": None, "Q9": None, "Q14": None, "Q22": None}
        if not _chance(rng, 0.02):
            rec["Q7"] = 1 if _chance(rng, p_influence * (1.3 if functie > 1 else 1.0)) else 2
        if not _chance(rng, 0.03):
            rec["Q8"] = 1 if _chance(rng, 0.75 if rec["Q7"] == 1 else 0.40) else 2
        if (rec["Q7"] == 1 or rec["Q8"] == 1) and _chance(rng, 0.65):
            rec["Q9"] = _open_text(rng, _Q9_TEXTS)
        if not _chance(rng, 0.04):
            rec["Q14"] = _draw(rng, {1: 0.35, 2: 0.65})
        if not _chance(rng, 0.06):
            if rec["Q7"] == 1:
                rec["Q22"] = _draw(rng, {1: 0.03, 2: 0.10, 3: 0.20, 4: 0.45, 5: 0.22})
            else:
                rec["Q22"] = _draw(rng, {4: 0.07, 5: 0.93})
        records.append(rec)

    taken: set[int] = set()
    injected: dict[int, tuple[str, ...]] = {}
    for _ in range(2):  # open text although Q7 = Q8 = Nee skips Q9
        i = _pick_rows(rng, [i for i, r in enumerate(records) if r["Q7"] == 2 and r["Q8"] == 2], taken)
        records[i]["Q9"] = _open_text(rng, _Q9_TEXTS)
        injected[i + 1] = ("Q9",)

    columns = ["respnr", "afdeling", "functie", "Q7", "Q8", "Q9", "Q14", "Q22"]
    return DemoWave("wodc2018", instrument, file_name, columns, records, injected)


# ======================================================================================
# The whole demo set
# ======================================================================================


def build_demo(seed: int = DEFAULT_SEED) -> dict[str, DemoWave]:
    """All demo waves at code level, keyed by wave id (order as in config/config.yaml)."""
    return {
        "mto2019": _mto2019_wave(seed),
        "io2018": _io2018_wave(seed),
        "fnv2018": _fnv2018_wave(seed),
        "wodc2018": _wodc2018_wave(seed),
        "uu2020_pilot1": _uu2020_wave("uu2020_pilot1", seed),
        "uu2020_pilot2": _uu2020_wave("uu2020_pilot2", seed),
        "uu2020_monitor": _uu2020_wave("uu2020_monitor", seed),
    }


# ======================================================================================
# Oracle: intended classification, written independently of the real classifier
# ======================================================================================


def _filled(value: Any) -> bool:
    """True for a non-blank cell (a code, or non-empty text)."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    return True


@dataclass(frozen=True)
class _Gate:
    """One routed item: its name, kind (single | multi | open), asked_if, answer columns."""

    item: str
    kind: str
    asked: Callable[[Mapping[str, Any]], bool]
    columns: tuple[str, ...]
    optional: bool = False  # `optional_item: true` in the instrument YAML

    def answered(self, rec: Mapping[str, Any]) -> bool:
        if self.kind == "multi":
            return any(rec.get(col) == 1 for col in self.columns)
        if self.kind == "open":
            text, *ticks = self.columns
            return _filled(rec.get(text)) or any(rec.get(col) == 1 for col in ticks)
        return _filled(rec.get(self.columns[0]))


def _uu2020_block_asked(r: Mapping[str, Any]) -> bool:
    return r.get("OD1") in (2, 3, 4) or r.get("OD2") in (2, 3, 4)


_GATES: dict[str, list[_Gate]] = {
    "uu2020": [
        _Gate("OD2", "single", lambda r: r.get("OD1") in (1, 8, 9), ("OD2",), optional=True),
        _Gate("OD3", "open", _uu2020_block_asked, ("OD3", "OD3_wiz"), optional=True),
        _Gate("OD4", "single", _uu2020_block_asked, ("OD4",)),
        _Gate("OD5", "single", _uu2020_block_asked, ("OD5",)),
        _Gate("OD6", "single", _uu2020_block_asked, ("OD6",)),
        _Gate("OD7", "multi", _uu2020_block_asked, tuple(OD7_COLS), optional=True),
        *[_Gate(col, "single", _uu2020_block_asked, (col,), optional=True) for col in OD8_COLS],
    ],
    "mto2019": [
        _Gate("pbd2", "single", lambda r: r.get("pbd1") in (2, 3), ("pbd2",)),
        _Gate("pbd3", "single", lambda r: r.get("pbd1") in (2, 3), ("pbd3",)),
        _Gate("pbd4", "single", lambda r: r.get("pbd3") in (2, 3), ("pbd4",)),
        _Gate("pbd5", "single", lambda r: r.get("pbd3") in (2, 3), ("pbd5",)),
        _Gate("pbd6", "single", lambda r: r.get("pbd3") in (2, 3) and r.get("Werkgebied") == 1, ("pbd6",)),
        _Gate("pbd7", "open", lambda r: r.get("pbd3") in (2, 3), ("pbd7",)),
    ],
    "io2018": [
        _Gate("v2", "single", lambda r: any(r.get(f"v1_{k}") == 1 for k in range(1, 7)), ("v2",)),
        _Gate("v3_intern", "single", lambda r: r.get("v2") in (1, 3), ("v3_intern",)),
        _Gate("v3_extern", "single", lambda r: r.get("v2") in (2, 3), ("v3_extern",)),
    ],
    "fnv2018": [
        _Gate("V5", "single", lambda r: r.get("V4") in (1, 2, 3), ("V5",)),
        _Gate("V6", "single", lambda r: r.get("V4") in (1, 2, 3), ("V6",)),
        _Gate("V7", "single", lambda r: r.get("V4") in (1, 2, 3), ("V7",)),
    ],
    "wodc2018": [
        _Gate("Q9", "open", lambda r: r.get("Q7") == 1 or r.get("Q8") == 1, ("Q9",)),
    ],
}


def routing_violations(instrument: str, rec: Mapping[str, Any]) -> list[str]:
    """Item names whose answer contradicts the routing (interpretations 3-6 of the module docstring)."""
    broke_off = rec.get("completed") == 0
    found = []
    for gate in _GATES[instrument]:
        asked = gate.asked(rec)
        answered = gate.answered(rec)
        if not asked and answered:
            found.append(gate.item)
        elif asked and not answered and gate.kind != "open" and not gate.optional and not broke_off:
            found.append(gate.item)
    return found


def _principal_agent(context: str, settings: Mapping[str, Any]) -> str:
    if context == "not_applicable":
        return "not_applicable"
    if context.startswith("political_") or context in ("commissioning_principal", "internal_unspecified"):
        return "yes"
    if context == "top_civil_service":
        return "yes" if settings["top_civil_service_is_principal"] else "no"
    if context in ("employer_employee", "external"):
        return "no"
    return "unknown"  # unknown, line_unspecified


def _type(content: str, means: str, principal_agent: str) -> str:
    """Figuur 1, in the order of classification.md section 3."""
    if content == "not_reported":
        return "not_reported"
    if content == "unknown" or means == "unknown" or principal_agent == "unknown":
        return "undetermined"
    if principal_agent == "no":
        return "outside_definition"
    if content in ("improper", "doubt"):
        return "improper_pressure" if means == "improper" else "improper_request"
    return "indecent_pressure" if means == "improper" else "regular_request"


def _factor(indicators: Iterable[bool | None]) -> bool | None:
    """True if any observed indicator is true, false if some observed and none true, else NA."""
    observed = [value for value in indicators if value is not None]
    if not observed:
        return None
    return any(observed)


def _likert_at_least(value: Any, cut: int) -> bool | None:
    return None if value not in (1, 2, 3, 4, 5) else value >= cut


_FREQUENCY_HIGH = {"2_3", "4_plus", "more_than_once", "regularly", "often"}
_FREQUENCY_LOW = {"once", "once_or_few"}
_UU_FREQUENCY = {2: "once", 3: "2_3", 4: "4_plus"}


def _finish(content: str, means: str, context: str, frequency: str | None,
            factors: Mapping[str, bool | None], flags: Mapping[str, bool | None],
            settings: Mapping[str, Any]) -> dict[str, Any]:
    """Common tail of every instrument's oracle: principal-agent, type, factors, severity."""
    principal_agent = _principal_agent(context, settings)
    out: dict[str, Any] = {
        "content": content,
        "means": means,
        "context": context,
        "principal_agent": principal_agent,
        "type": _type(content, means, principal_agent),
        "grey_area": content == "doubt",
        "frequency": frequency,
    }
    applicable = content in ("improper", "doubt")
    names = ["f_intent", "f_culpable", "f_power", "f_intensity", "f_frequency_duration"]
    for name in names:
        out[name] = factors.get(name) if applicable else None
    if applicable:
        values = [out[name] for name in names]
        out["severity_score"] = sum(1 for v in values if v is True)
        out["severity_observed"] = sum(1 for v in values if v is not None)
    else:
        out["severity_score"] = None
        out["severity_observed"] = None
    out.update(flags)
    return out


def _frequency_indicator(frequency: str | None) -> bool | None:
    if frequency in _FREQUENCY_HIGH:
        return True
    if frequency in _FREQUENCY_LOW:
        return False
    return None


def _oracle_uu2020(r: Mapping[str, Any], s: Mapping[str, Any]) -> dict[str, Any]:
    od1, od2, od4, od5, od6 = (r.get(c) for c in ("OD1", "OD2", "OD4", "OD5", "OD6"))
    ticks = {k for k in range(1, 9) if r.get(f"OD7_{k}") == 1}
    threshold = s["pressure_threshold"]
    od6_substantive = od6 in (1, 2, 3, 4, 5)

    if od1 in (2, 3, 4):
        content = "improper"
    elif od2 in (2, 3, 4):
        content = "doubt"
    elif od1 == 1:
        content = "not_reported"
    else:
        content = "unknown"

    if od1 in (2, 3, 4):
        frequency = _UU_FREQUENCY[od1]
    elif od2 in (2, 3, 4):
        frequency = _UU_FREQUENCY[od2]
    else:
        frequency = None

    if content == "not_reported":
        means = context = "not_applicable"
    else:
        if od6_substantive:
            means = "improper" if od6 >= threshold else "proper"
        elif ticks & {2, 3, 4, 5, 6}:
            means = "improper"
        elif ticks == {1}:
            means = "proper"
        else:
            means = "unknown"

        political_od4, political_od5 = {1, 2, 3}, {2, 3, 4}
        if od4 in political_od4:
            context = "political_direct"
        elif od5 in political_od5:
            context = "political_indirect"
        elif od4 == 4 or od5 == 5:
            context = "top_civil_service"
        elif od4 == 7 or od5 == 11:
            context = "external"
        elif od4 in (5, 6) and od5 in (1, 6, 7):
            context = "employer_employee"
        else:
            context = "unknown"

    od7_observed = bool(ticks & {1, 2, 3, 4, 5, 6, 7})
    factors = {
        "f_intent": _likert_at_least(r.get("OD8_1"), 4),
        "f_culpable": None if r.get("OD8_2") not in (1, 2, 3, 4, 5) else r.get("OD8_2") <= 2,
        "f_power": _likert_at_least(r.get("OD8_3"), 4),
        "f_intensity": _factor([od6 >= 4 if od6_substantive else None,
                                (2 in ticks) if od7_observed else None]),
        "f_frequency_duration": _factor([_frequency_indicator(frequency),
                                         _likert_at_least(r.get("OD8_4"), 4),
                                         _likert_at_least(r.get("OD8_5"), 4)]),
    }
    inconsistent = od6_substantive and (
        (od6 >= threshold and ticks == {1}) or (od6 < threshold and bool(ticks & {2, 3, 4, 5, 6}))
    )
    flags = {"inconsistent_pressure": bool(inconsistent), "cooccurrence_uncertain": False}
    return _finish(content, means, context, frequency, factors, flags, s)


def _oracle_mto2019(r: Mapping[str, Any], s: Mapping[str, Any]) -> dict[str, Any]:
    pbd1, pbd2, pbd3, pbd4, pbd5 = (r.get(c) for c in ("pbd1", "pbd2", "pbd3", "pbd4", "pbd5"))
    yes = (2, 3)
    if pbd1 == 1:
        content = "not_reported"
    elif pbd3 in yes:
        content = {1: "improper", 3: "improper", 2: "proper"}.get(pbd5, "unknown")
    elif pbd3 == 1 and pbd2 in yes:
        content = "doubt"
    elif pbd3 == 1 and pbd2 == 1:
        content = "proper"
    else:
        content = "unknown"

    if content == "not_reported":
        means = context = "not_applicable"
    else:
        if pbd5 in (2, 3):
            means = "improper"
        elif pbd5 == 1:
            means = "proper"
        elif pbd3 == 1 and pbd2 == 1:
            means = "proper"
        else:  # doubt (pbd3 = Nee, pbd2 yes), pbd5 Weet ik niet / Wil ik niet zeggen / blank
            means = "unknown"
        if pbd4 == 1:
            context = "political_direct"
        elif pbd4 == 2:
            context = "political_indirect"
        elif pbd4 == 3:
            context = s["mto_ambtelijke_druk_context"]
        elif pbd3 == 1:
            context = "political_unspecified"
        else:
            context = "unknown"

    frequency = {2: "once", 3: "more_than_once"}.get(pbd3)
    factors = {"f_frequency_duration": _factor([_frequency_indicator(frequency)])}
    flags = {"inconsistent_pressure": False, "cooccurrence_uncertain": False}
    return _finish(content, means, context, frequency, factors, flags, s)


def _oracle_io2018(r: Mapping[str, Any], s: Mapping[str, Any]) -> dict[str, Any]:
    content_ticked = any(r.get(f"v1_{k}") == 1 for k in (1, 2, 3))
    form_ticked = any(r.get(f"v1_{k}") == 1 for k in (4, 5, 6))
    if content_ticked:
        content = "improper"
    elif form_ticked:
        content = "proper"
    elif r.get("v1_7") == 1:
        content = "not_reported"
    else:
        content = "unknown"

    if content == "not_reported":
        means = context = "not_applicable"
    else:
        if content == "unknown":
            means = "unknown"
        else:
            means = "improper" if form_ticked else "proper"
        v2 = r.get("v2")
        if v2 in (1, 3):
            context = "internal_unspecified"
        elif v2 == 2:
            context = "external"
        else:
            context = "unknown"

    # f_intensity from the harmonised proxies (interpretation 12): felt_pressure = v3_intern binned
    # 1-2, 3-4, 5-6, 7-8, 9-10 -> 1..5, so felt_pressure >= 4 <=> v3_intern >= 7; threat = v1_5.
    v3_intern = r.get("v3_intern")
    felt_high = None if v3_intern not in range(1, 11) else v3_intern >= 7
    v1_answered = any(r.get(col) == 1 for col in IO_V1_COLS)
    threat = (r.get("v1_5") == 1) if v1_answered else None
    factors = {"f_intensity": _factor([felt_high, threat])}
    flags = {"inconsistent_pressure": False,
             "cooccurrence_uncertain": bool(content_ticked and form_ticked)}
    return _finish(content, means, context, None, factors, flags, s)


def _oracle_fnv2018(r: Mapping[str, Any], s: Mapping[str, Any]) -> dict[str, Any]:
    v4, v5, v6 = r.get("V4"), r.get("V5"), r.get("V6")
    if v4 in (1, 2, 3):
        content = "improper"
    elif v4 == 4:
        content = "not_reported"
    else:
        content = "unknown"
    if content == "not_reported":
        means = context = "not_applicable"
    else:
        means = "improper" if content == "improper" else "unknown"
        context = {1: "political_direct", 2: "top_civil_service", 3: "top_civil_service",
                   4: "line_unspecified", 5: "line_unspecified", 6: "external"}.get(v6, "unknown")
    frequency = {1: "once", 2: "2_3", 3: "4_plus"}.get(v4)
    factors = {
        "f_intensity": _factor([(4 <= v5 <= 8) if v5 in FNV_V5 else None]),
        "f_frequency_duration": _factor([_frequency_indicator(frequency)]),
    }
    flags = {"inconsistent_pressure": False, "cooccurrence_uncertain": False}
    return _finish(content, means, context, frequency, factors, flags, s)


def _oracle_wodc2018(r: Mapping[str, Any], s: Mapping[str, Any]) -> dict[str, Any]:
    q7, q22 = r.get("Q7"), r.get("Q22")
    if q22 in (1, 2, 3, 4):
        content = "improper"
    elif q22 == 5:
        content = "not_reported"
    elif q7 == 1:
        content = "improper"
    elif q7 == 2:
        content = "not_reported"
    else:
        content = "unknown"
    if content == "not_reported":
        means = context = "not_applicable"
    else:
        means = "improper" if content == "improper" else "unknown"
        context = "commissioning_principal"
    frequency = {4: "once_or_few", 3: "regularly", 2: "often", 1: "often"}.get(q22)
    factors = {"f_frequency_duration": _factor([_frequency_indicator(frequency)])}
    flags = {"inconsistent_pressure": False, "cooccurrence_uncertain": False}
    return _finish(content, means, context, frequency, factors, flags, s)


_ORACLES: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]] = {
    "uu2020": _oracle_uu2020,
    "mto2019": _oracle_mto2019,
    "io2018": _oracle_io2018,
    "fnv2018": _oracle_fnv2018,
    "wodc2018": _oracle_wodc2018,
}

_ID_COLUMN = {"uu2020": "respondent_id", "mto2019": "RespID", "io2018": "resp_nr",
              "fnv2018": "ID", "wodc2018": "respnr"}


def classify_record(instrument: str, rec: Mapping[str, Any],
                    settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Intended classification of one code-level record (None = blank): the contract columns."""
    s = {**DEFAULT_SETTINGS, **(settings or {})}
    out = _ORACLES[instrument](rec, s)
    out["routing_violation"] = ",".join(routing_violations(instrument, rec)) or None
    return {col: out.get(col) for col in CLASSIFICATION_COLUMNS}


def _id_string(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def expected_classification(wave: DemoWave, settings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """One expected row per record of ``wave`` (columns ``EXPECTED_COLUMNS``)."""
    id_col = _ID_COLUMN[wave.instrument]
    ids = [_id_string(rec[id_col]) for rec in wave.records]
    counts: dict[str, int] = {}
    for rid in ids:
        counts[rid] = counts.get(rid, 0) + 1
    rows = []
    for n, (rec, rid) in enumerate(zip(wave.records, ids), start=1):
        row: dict[str, Any] = {"wave": wave.wave_id, "instrument": wave.instrument, "source_row": n,
                               "respondent_id": rid}
        if counts[rid] > 1:
            row.update(expected_status="rejected", expected_reject_reason="duplicate_id")
            row.update(dict.fromkeys(CLASSIFICATION_COLUMNS))
        else:
            row.update(expected_status="classified", expected_reject_reason=None)
            row.update(classify_record(wave.instrument, rec, settings))
        rows.append(row)
    return rows


# ======================================================================================
# Writers (each returns the file's bytes)
# ======================================================================================


def _cell(value: Any) -> str:
    """Text of one CSV cell: blank for NA, true/false for booleans, no trailing .0 for codes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        raise TypeError("floats must be formatted explicitly")
    return str(value)


def _csv_bytes(header: list[str], rows: Iterable[list[str]], *, delimiter: str, encoding: str,
               newline: str, bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)  # strict: every character must exist in the encoding
    return (b"\xef\xbb\xbf" + data) if bom else data


def _truncate_utf8(text: str, limit: int = 255) -> str:
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text


def _sav_bytes(df: pd.DataFrame, *, file_label: str, column_labels: Mapping[str, str],
               value_labels: Mapping[str, Mapping[int, str]], missing: Mapping[str, list[int]],
               formats: Mapping[str, str], measures: Mapping[str, str]) -> bytes:
    """SPSS .sav (bytecode-compressed) with the header creation date/time fixed."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.sav"
        pyreadstat.write_sav(
            df, path, file_label=file_label,
            column_labels={c: _truncate_utf8(column_labels.get(c, c)) for c in df.columns},
            variable_value_labels={c: {float(k): v for k, v in labels.items()}
                                   for c, labels in value_labels.items()},
            missing_ranges={c: [float(v) for v in values] for c, values in missing.items()},
            variable_format=dict(formats), variable_measure=dict(measures), row_compress=True,
        )
        data = bytearray(path.read_bytes())
    return pinned_sav_bytes(bytes(data))


def _frame(wave: DemoWave, text_columns: Iterable[str]) -> pd.DataFrame:
    """Code-level records as a DataFrame for SPSS: float64 numbers (NaN = sysmis), object text."""
    text_columns = set(text_columns)
    data = {}
    for col in wave.columns:
        values = [rec[col] for rec in wave.records]
        if col in text_columns:
            data[col] = pd.Series(["" if v is None else v for v in values], dtype=object)
        else:
            data[col] = pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    return pd.DataFrame(data)


def _write_uu2020_sav(wave: DemoWave) -> bytes:
    df = _frame(wave, {"org_unit", *UU2020_TEXT_COLUMNS})
    value_labels = {c: labels for c, labels in UU2020_VALUE_LABELS.items() if c in df.columns}
    for k in range(1, 9):
        value_labels[f"OD7_{k}"] = {0: "Niet gekozen", 1: UU2020_OD7[k]}
    value_labels["OD3_wiz"] = {0: "Niet gekozen", 1: UU2020_OD3_WIZ[1]}
    formats = {c: "F2.0" for c in df.columns if c in value_labels}
    formats.update(respondent_id="F8.0", weight="F8.4")
    measures = {c: "nominal" for c in value_labels}
    measures.update({c: "ordinal" for c in ["OD6", *OD8_COLS]}, respondent_id="nominal", weight="scale")
    return _sav_bytes(df, file_label="Monitor oneigenlijke druk 2021 (synthetische demo)",
                      column_labels=UU2020_VARIABLE_LABELS, value_labels=value_labels,
                      missing=UU2020_SAV_MISSING, formats=formats, measures=measures)


def _write_mto2019_sav(wave: DemoWave) -> bytes:
    df = _frame(wave, {"Cluster", "pbd7"})
    value_labels = {"Functiegroep": MTO_FUNCTIEGROEP, "Werkgebied": MTO_WERKGEBIED,
                    "pbd1": MTO_PBD123, "pbd2": MTO_PBD123, "pbd3": MTO_PBD123, "pbd4": MTO_PBD4,
                    "pbd5": MTO_PBD5, "pbd6": MTO_PBD6, **{c: MTO_TEVR for c in MTO_TEVR_COLS}}
    missing = {"Functiegroep": [9], "pbd4": [8, 9], "pbd5": [8, 9], "pbd6": [8, 9]}
    column_labels = {
        "RespID": "Respondentnummer", "Cluster": "Cluster", "Functiegroep": "Functiegroep",
        "Werkgebied": "Werkzaam in Gebied", "Weegfactor": "Weegfactor",
        "pbd1": "Politiek bestuurlijke druk uitgeoefend (12 mnd)",
        "pbd2": "Getwijfeld of de druk eigenlijk of oneigenlijk was (12 mnd)",
        "pbd3": "Te maken gehad met oneigenlijke politiek bestuurlijke druk (12 mnd)",
        "pbd4": "Soort druk bij de (laatste) situatie",
        "pbd5": "Betrekking op inhoud of vorm",
        "pbd6": "Situatie voor of na 1 juni",
        "pbd7": "Beschrijving (laatste) situatie (open)",
        **{c: f"Tevredenheid stelling {c[-2:]}" for c in MTO_TEVR_COLS},
    }
    formats = {c: "F1.0" for c in value_labels}
    formats.update(RespID="F8.0", Weegfactor="F8.4")
    measures = {c: "nominal" for c in value_labels}
    measures.update({c: "ordinal" for c in MTO_TEVR_COLS}, RespID="nominal", Weegfactor="scale")
    return _sav_bytes(df, file_label="MTO 2019 blok politiek-bestuurlijke druk (synthetische demo)",
                      column_labels=column_labels, value_labels=value_labels, missing=missing,
                      formats=formats, measures=measures)


def _write_uu2020_codes_csv(wave: DemoWave) -> bytes:
    """UTF-8 (with BOM, as several survey tools write it), comma, CRLF, codes."""
    rows = [[_cell(rec[c]) for c in wave.columns] for rec in wave.records]
    return _csv_bytes(wave.columns, rows, delimiter=",", encoding="utf-8", newline="\r\n", bom=True)


def _write_uu2020_labels_csv(wave: DemoWave) -> bytes:
    """Label export: cp1252, semicolon, CRLF; each coded cell holds the option label.

    Multi-select (OD7_k) and tick (OD3_wiz) columns hold the option label when ticked, else empty.
    """
    rows = []
    for rec in wave.records:
        row = []
        for col in wave.columns:
            value = rec[col]
            if value is None or col in UU2020_TEXT_COLUMNS or col in ("respondent_id", "org_unit"):
                row.append(_cell(value))
            elif col.startswith("OD7_") or col == "OD3_wiz":
                row.append(UU2020_VALUE_LABELS[col][1] if value == 1 else "")
            else:
                row.append(UU2020_VALUE_LABELS[col][value])
        rows.append(row)
    return _csv_bytes(wave.columns, rows, delimiter=";", encoding="cp1252", newline="\r\n")


def _write_io2018_csv(wave: DemoWave) -> bytes:
    """cp1252, semicolon, CRLF, decimal comma in weegfactor."""
    rows = []
    for rec in wave.records:
        row = []
        for col in wave.columns:
            if col == "weegfactor":
                row.append(f"{rec[col]:.4f}".replace(".", ","))
            else:
                row.append(_cell(rec[col]))
        rows.append(row)
    return _csv_bytes(wave.columns, rows, delimiter=";", encoding="cp1252", newline="\r\n")


def _write_wodc2018_csv(wave: DemoWave) -> bytes:
    """UTF-8 without BOM, comma, LF."""
    rows = [[_cell(rec[c]) for c in wave.columns] for rec in wave.records]
    return _csv_bytes(wave.columns, rows, delimiter=",", encoding="utf-8", newline="\n")


def _write_fnv2018_xlsx(wave: DemoWave) -> bytes:
    """Data on the first sheet (header in row 1), a code book on the second; deterministic zip."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Blad1"
    sheet.append(wave.columns)
    for rec in wave.records:
        sheet.append([rec[c] for c in wave.columns])
    codebook = workbook.create_sheet("Codeboek")
    codebook.append(["variabele", "code", "label"])
    for name, labels in [("Functieniveau", FNV_FUNCTIENIVEAU), ("V4", FNV_V4), ("V5", FNV_V5),
                         ("V6", FNV_V6), ("V7", FNV_V7)]:
        for code, label in labels.items():
            codebook.append([name, code, label])
    fixed = datetime.datetime(*ZIP_DATE_TIME)
    workbook.properties.creator = "drukmonitor demo"
    workbook.properties.lastModifiedBy = "drukmonitor demo"
    workbook.properties.title = "FNV 2018 integriteit Rijksoverheid (synthetische demo)"
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _normalise_zip(buffer.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with sorted entries, fixed timestamps/attributes, stored (uncompressed) members."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as target:
        for name in sorted(source.namelist()):
            content = source.read(name)
            if name == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              rf"\g<1>{XLSX_TIMESTAMP}\g<3>", text)
                content = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, content)
    return out.getvalue()


def _write_expected_csv(rows: list[dict[str, Any]]) -> bytes:
    body = [[_cell(row[c]) for c in EXPECTED_COLUMNS] for row in rows]
    return _csv_bytes(EXPECTED_COLUMNS, body, delimiter=",", encoding="utf-8", newline="\n")


_WRITERS: dict[str, Callable[[DemoWave], bytes]] = {
    "mto2019": _write_mto2019_sav,
    "io2018": _write_io2018_csv,
    "fnv2018": _write_fnv2018_xlsx,
    "wodc2018": _write_wodc2018_csv,
    "uu2020_pilot1": _write_uu2020_codes_csv,
    "uu2020_pilot2": _write_uu2020_labels_csv,
    "uu2020_monitor": _write_uu2020_sav,
}

_FILE_DESCRIPTIONS = {
    "mto2019": "SPSS .sav (bytecode-compressed, UTF-8), value labels, user-missing 8/9 (and 9 on "
               "Functiegroep) declared; pbd1..pbd7 between unrelated satisfaction items tevr_01..tevr_40; "
               "Weegfactor.",
    "io2018": "CSV, semicolon, cp1252, CRLF, decimal comma in `weegfactor`; six fictional municipalities "
              "(one with 24 respondents); multi-select v1_1..v1_7 as 1/0 (v1_7 'Geen van deze verzoeken').",
    "fnv2018": "Excel .xlsx, data on the first sheet `Blad1` (header in row 1), a code book on sheet "
               "`Codeboek`; codes, blanks where not asked.",
    "wodc2018": "CSV, comma, UTF-8 without BOM, LF; Q9 open text.",
    "uu2020_pilot1": "CSV, comma, UTF-8 with BOM, CRLF, codes; pilot among a select group of units; "
                     "`completed`, no weight.",
    "uu2020_pilot2": "LABEL export: CSV, semicolon, cp1252, CRLF; every coded cell holds the exact option "
                     "label of the codebook; multi-select / tick columns hold the label when ticked, else "
                     "empty; `completed` as Volledig/Afgebroken, no weight.",
    "uu2020_monitor": "SPSS .sav (bytecode-compressed, UTF-8), numeric ids, value labels, user-missing "
                      "8/9 declared where offered (9 on role_group), `completed` and `weight`; contains "
                      "the one duplicated respondent id of the demo set.",
}


def _readme(waves: Mapping[str, DemoWave], seed: int) -> bytes:
    lines = [
        "# Synthetic demo exports (drukmonitor)",
        "",
        "**Everything in this directory is synthetic.** No real respondent, organisation unit result or",
        "incident is described. Names, e-mail addresses and phone numbers in open-text answers are",
        "invented on purpose, to test that open text never leaves ingest.",
        "",
        f"Generated by `drukmonitor demo --out data/raw/demo --seed {seed}`, i.e.",
        f"`drukmonitor.demo.generate_demo(Path('data/raw/demo'), seed={seed})`. Generation is",
        "deterministic: rerunning it gives byte-identical files (checked by `tests/test_demo.py`",
        "against `SHA256SUMS`). Do not edit these files by hand; change `src/drukmonitor/demo.py` and",
        "regenerate. The workflow never writes here.",
        "",
        "## Raw exports (one per demo wave of `config/config.yaml`)",
        "",
        "| wave | file | rows | layout |",
        "|---|---|---|---|",
    ]
    for wave_id, wave in waves.items():
        lines.append(f"| `{wave_id}` | `{wave.file_name}` | {len(wave.records)} | "
                     f"{_FILE_DESCRIPTIONS[wave_id]} |")
    lines += [
        "",
        "Column names and codes follow the reference layouts in `docs/spec/instruments/*.yaml`.",
        "",
        "Built-in properties (as in real exports):",
        "",
        "- org units / clusters / municipalities / ministries of very different size; every uu2020 wave",
        "  has units with fewer than 10 respondents; role groups with clearly different rates;",
        "- answers follow the routing (`asked_if`); Weet ik niet / Wil ik niet zeggen where offered;",
        "  item nonresponse; break-offs (`completed = 0`, answers stop partway) in the uu2020 waves;",
        "- a handful of deliberate routing violations per wave (answered where routing skips, blank",
        "  where routing requires after an answered gate);",
        "- exactly one duplicated respondent id in the whole set: two rows of `uu2020_monitor`",
        "  (both must be rejected with reason `duplicate_id`); ids are otherwise unique across waves;",
        "- open text with fake personal data (names, e-mail addresses, phone numbers).",
        "",
        "## Intended classification: `expected/<wave_id>.csv`",
        "",
        "One row per raw data record: `wave, instrument, source_row` (1-based data record number, header",
        "excluded), `respondent_id, expected_status` (`classified` | `rejected`),",
        "`expected_reject_reason`, and the output-contract columns of `docs/spec/classification.md`",
        "section 4, computed with the default settings by the independent oracle in",
        "`drukmonitor.demo`. Booleans are `true`/`false`, NA is an empty field, `routing_violation`",
        "lists item names comma-separated. Interpretations where the spec is silent are listed in the",
        "docstring of `src/drukmonitor/demo.py`.",
        "",
        "## Checksums",
        "",
        "`SHA256SUMS` covers every other file here (`cd data/raw/demo && sha256sum -c SHA256SUMS`).",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def render_files(seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    """Every demo file as bytes, keyed by its path relative to the demo directory (incl. SHA256SUMS)."""
    waves = build_demo(seed)
    files: dict[str, bytes] = {}
    for wave_id, wave in waves.items():
        files[wave.file_name] = _WRITERS[wave_id](wave)
        files[f"expected/{wave_id}.csv"] = _write_expected_csv(expected_classification(wave))
    files["README.md"] = _readme(waves, seed)
    sums = "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in sorted(files))
    files["SHA256SUMS"] = sums.encode("ascii")
    return files


def generate_demo(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the demo exports, expected classifications, README.md and SHA256SUMS into ``out_dir``.

    Returns the written paths, sorted. Running it twice with the same seed gives byte-identical files.
    """
    out_dir = Path(out_dir)
    written = []
    for name, data in sorted(render_files(seed).items()):
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written.append(path)
    return written
