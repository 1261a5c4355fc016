"""Report builders: published tables and metadata -> sections of the four Dutch reports.

docs/spec/reporting.md ("Reports") asks for four results-only documents; their outline (Dutch
section titles with stable ``sec-`` ids, where each caveat of ``caveats.yaml`` goes, which figure
each section uses) is fixed in ``workflow/report_templates/outlines.yaml`` and read from there:

* :func:`build_monitor_report` - one wave: Figuur 1 filled with the wave's shares, prevalence with
  intervals and denominators, doubt cases apart, context, spread and group differences, severity,
  pilot evaluation, methodology, caveats and provenance;
* :func:`build_comparison_report` - a configured pair or series of waves: side by side,
  comparability per estimate with its reasons, differences (Newcombe) only where comparable;
* :func:`build_team_sheets` - one short page per unit with at least k respondents (Schein);
* :func:`build_audit_report` - raw files, rejects, routing, reconciliation, configuration,
  software and the full provenance manifest.

A builder returns a :class:`Report` (title, subtitle, a list of :class:`drukmonitor.render.Section`);
:func:`write_report` turns it into a ``.qmd`` with :func:`drukmonitor.render.build_qmd`. Figures
are drawn by :mod:`drukmonitor.figures` into the folder the caller names.

What reports never show (reporting.md, disclosure control):

* open text - it never leaves ingest (only ``<column>__filled`` flags exist downstream), and the
  builders only ever receive published estimate tables and aggregated counts;
* a cell with ``0 < n < k`` - every table handed to a builder goes through
  :func:`check_publishable` first, which raises :class:`ReportDisclosureError` on an unsuppressed
  count below k (or on an internal, not yet published table);
* respondent ids - no builder receives a respondent-level table.

Which Figuur 1 types an instrument can see is derived, not hard-coded: a type is "niet gemeten"
for a wave when its prevalence row says ``measured=False`` or when no answers the instrument's
codebook allows lead the pipeline's own harmonisation and classifier to that type
(``drukmonitor.reachability``: :func:`reachable_types`; :func:`reachability` says whether that was decided exactly, on a synthetic
table of every distinct answer combination the ``content``, ``means`` and ``context`` rules read, or
by combining the values each field can take separately).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

import numpy as np
import pandas as pd
import yaml

from drukmonitor import figures, render
from drukmonitor.io import write_bytes
from drukmonitor.reachability import reachability, reachable_types
from drukmonitor.render import (
    NOT_AVAILABLE,
    NOT_MEASURED,
    SUPPRESSED,
    BulletList,
    Callout,
    Heading,
    Markdown,
    Paragraph,
    RenderError,
    Section,
    Table,
    fmt_ci,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    fmt_pp,
    md_escape,
)

# ----------------------------------------------------------------------------------------------
# constants
# ----------------------------------------------------------------------------------------------

TOTAL_GROUP = "Totaal"
UNKNOWN_GROUP = "(onbekend)"
#: Denominator definition of response rates: the configured population size, not a respondent count.
POPULATION_DENOMINATOR = "doelpopulatie (opgegeven populatieomvang)"
#: Columns of published tables that hold respondent counts (checked by :func:`check_publishable`).
COUNT_COLUMNS = ("numerator", "denominator", "n_total", "numerator_a", "denominator_a", "numerator_b", "denominator_b")
#: Figuur 1 types first, then the residual types, in report order.
FIGURE1_TYPES = ("improper_pressure", "improper_request", "indecent_pressure", "regular_request", "unreasonable_pressure")
RESIDUAL_TYPES = ("outside_definition", "undetermined", "not_reported")
ALL_TYPES = FIGURE1_TYPES + RESIDUAL_TYPES
GREY_AREA = "grey_area"
ALWAYS_NOT_MEASURED = frozenset({"unreasonable_pressure"})
GATE_ORDER = ("answered", "dont_know", "refused", "item_nonresponse")
ITEM_STATUSES = ("answered", "dont_know", "refused", "item_nonresponse")
MEANS_DETAIL_VARIABLES = ("means_threat", "means_reward", "means_intimidating_manner", "means_non_verbal",
                          "means_bullied_excluded", "means_other", "means_none_felt")
FACTOR_VARIABLES = ("f_intent", "f_culpable", "f_power", "f_intensity", "f_frequency_duration")
LIKERT_VARIABLES = ("intent", "culpability", "power", "repeated", "duration")
#: Variables compared in the comparison report (overall rows).
COMPARED_VARIABLES = ("type", "gate_status", "context", "means", "felt_pressure", "frequency", "severity_score")

#: Labels of categories the estimate layer adds beside the codes of labels.yaml (missing answers,
#: pilot indicators). Codes of harmonised / classified columns are labelled by labels.yaml only.
ESTIMATE_CATEGORY_LABELS = {
    "na": "Geen antwoord of niet waargenomen",
    "missing": "Ontbrekend",
    "routing_violation": "Routingfout (beantwoord terwijl de routing de vraag oversloeg, of omgekeerd)",
    "breakoff": "Vragenlijst afgebroken",
    "breakoff_point": "Afgebroken bij deze vraag",
    "optional_uptake": "Optionele vraag beantwoord",
    "anders_namelijk": "'Anders, namelijk' gekozen",
    "open_text_filled": "Open antwoord ingevuld (de tekst zelf komt nooit in een rapport)",
    "complete": "Volledig ingevuld",
    "partial": "Gedeeltelijk ingevuld (afgebroken)",
    "unknown": "Onbekend",
}
#: Dutch names of estimate-layer variables that are not output columns of labels.yaml.
ESTIMATE_VARIABLE_LABELS = {
    "gate_status": "Antwoord op de openingsvraag",
    "type_grey_area": "Twijfelgevallen naar het type dat ze bij een oneigenlijke inhoud zouden hebben",
    "severity_score": "Ernstscore (aantal aanwezige wegingsfactoren, 0-5)",
}
INCIDENT_LABELS = {"most_serious": "het meest ernstige voorval", "last": "het laatste voorval",
                   "all_requests": "alle verzoeken samen"}
LEVEL_LABELS = {"identical": "identiek", "comparable": "vergelijkbaar", "proxy": "benadering (proxy)",
                "not_measured": "niet gemeten"}
ITEM_TYPE_LABELS = {"single": "één antwoord", "multi": "meerdere antwoorden mogelijk", "likert": "stellingen (1-5)",
                    "scale": "schaal", "open_text": "open antwoord", "flag": "aanvinken"}
PathLike = Union[str, Path]


class ReportDisclosureError(RenderError):
    """A table handed to a report would show a cell with 0 < n < k, or is not a published table."""


# ----------------------------------------------------------------------------------------------
# disclosure guard
# ----------------------------------------------------------------------------------------------


def _count_mask(table: pd.DataFrame, column: str, k: int) -> pd.Series:
    values = pd.to_numeric(table[column], errors="coerce")
    mask = values.notna() & (values > 0) & (values < k)
    if column == "denominator" and "denominator_definition" in table.columns:
        # a response rate's denominator is the configured population size, not a count of respondents
        mask &= table["denominator_definition"].astype("string").fillna("") != POPULATION_DENOMINATOR
    return mask.fillna(False).astype(bool)


def check_publishable(table: pd.DataFrame | None, k: int, name: str = "table") -> None:
    """Raise :class:`ReportDisclosureError` unless ``table`` is safe to show with minimum cell size k.

    Safe means: the table went through disclosure control (a ``suppressed`` column), every
    suppressed row has its numbers blanked (a published table, not an internal one), and no
    numerator / denominator / group size that is still shown lies strictly between 0 and k.
    The error names the table, column and row, never the value.
    """
    if table is None or len(table) == 0:
        return
    if "suppressed" not in table.columns:
        raise ReportDisclosureError(f"{name}: no 'suppressed' column - only disclosure-controlled tables may reach a report")
    for flag, columns in (("suppressed", ("numerator", "share")), ("suppressed_a", ("numerator_a", "share_a")),
                          ("suppressed_b", ("numerator_b", "share_b"))):
        if flag not in table.columns:
            continue
        rows = table[flag].fillna(False).astype(bool)
        for column in columns:
            if column in table.columns and (rows & table[column].notna()).any():
                row = int(np.flatnonzero((rows & table[column].notna()).to_numpy())[0])
                raise ReportDisclosureError(
                    f"{name}: a suppressed row still carries its {column} - an internal (unpublished) table was "
                    "handed to a report", column=column, row=row)
    for column in COUNT_COLUMNS:
        if column not in table.columns:
            continue
        mask = _count_mask(table, column, k)
        if mask.any():
            row = int(np.flatnonzero(mask.to_numpy())[0])
            raise ReportDisclosureError(
                f"{name}: unsuppressed count with 0 < n < {k} (minimum cell size) - refusing to report it",
                column=column, row=row)


def check_tables(tables: Mapping[str, pd.DataFrame | None], k: int, prefix: str = "") -> None:
    for name, table in tables.items():
        check_publishable(table, k, f"{prefix}{name}")


def coarse_count(n: Any, k: int) -> str:
    """A count of respondents with a data-quality property for the audit report: 0 and n >= k
    exactly, 0 < n < k as ``< k`` (the same rule as every other published count)."""
    if render._is_missing(n):
        return NOT_AVAILABLE
    n = int(n)
    if 0 < n < k:
        return f"< {k}"
    return fmt_int(n)


# ----------------------------------------------------------------------------------------------
# labels (labels.yaml is the one source for codes of the output columns)
# ----------------------------------------------------------------------------------------------


def _label_module():
    from drukmonitor import labels

    return labels


@functools.lru_cache(maxsize=4)
def _variable_names(path: str) -> dict[str, str]:
    table = _label_module().variable_labels(path)
    return dict(zip(table["variable"].astype(str), table["label_nl"].astype(str)))


def variable_label(variable: str) -> str:
    if variable in ESTIMATE_VARIABLE_LABELS:
        return ESTIMATE_VARIABLE_LABELS[variable]
    return _variable_names(str(_label_module().default_labels_path())).get(variable, variable)


def category_labels(variable: str) -> dict[str, str]:
    """code -> Dutch label for the categories of one estimate variable."""
    labels = _label_module()
    out: dict[str, str] = dict(ESTIMATE_CATEGORY_LABELS)
    out.update(labels.labels_for("gate_status"))  # missing-answer statuses appear in many variables
    if variable in ("type", "type_grey_area"):
        out.update(render.TYPE_LABELS)
    elif variable == "severity_score":
        out.update({str(i): f"{i} van de 5 factoren" for i in range(6)})
    else:
        out.update(labels.labels_for(variable))
    return out


def category_label(variable: str, category: Any) -> str:
    return category_labels(variable).get(str(category), str(category))


def role_group_labels(codebook: Any) -> dict[str, str]:
    spec = getattr(codebook, "respondent", {}).get("role_group") if codebook is not None else None
    options = getattr(spec, "options", {}) or {}
    return {str(code): str(label) for code, label in options.items()}


def group_label(group_var: str, group: Any, role_labels: Mapping[str, str]) -> str:
    if group_var == "role_group":
        return role_labels.get(str(group), str(group))
    return str(group)


def not_measured_types(prevalence: pd.DataFrame | None, crosswalk: Any, settings: Mapping[str, Any] | None = None) -> set[str]:
    """Types shown as "niet gemeten" for a wave: ``measured=False`` rows, types the crosswalk can
    never produce, and ``unreasonable_pressure`` (no instrument measures it)."""
    out = set(ALWAYS_NOT_MEASURED)
    if prevalence is not None and len(prevalence):
        rows = prevalence[(prevalence["variable"] == "type") & (prevalence["group_var"] == "all")]
        for rec in rows.to_dict("records"):
            if render.is_not_measured(rec) and str(rec["category"]) != GREY_AREA:
                out.add(str(rec["category"]))
    if crosswalk is not None:
        out |= set(ALL_TYPES) - reachable_types(crosswalk, settings)
    return out


@functools.lru_cache(maxsize=1)
def _type_cells() -> dict[str, frozenset[tuple[str, str]]]:
    """Type -> the (content, means) pairs that give it within a principal-agent relation, read off the
    classifier itself so the reasons below never drift from it."""
    from drukmonitor.classify import interaction_type
    from drukmonitor.harmonise import CONTENT_CODES, MEANS_CODES

    pairs = list(itertools.product(CONTENT_CODES, MEANS_CODES))
    types = interaction_type(np.array([c for c, _ in pairs], dtype=object), np.array([m for _, m in pairs], dtype=object),
                             np.array(["yes"] * len(pairs), dtype=object))
    cells: dict[str, set[tuple[str, str]]] = {}
    for pair, code in zip(pairs, types):
        cells.setdefault(str(code), set()).add(pair)
    return {code: frozenset(found) for code, found in cells.items()}


_CONTENT_WORDS = {"proper": "een eigenlijke inhoud", "improper": "een (mogelijk) oneigenlijke inhoud",
                  "doubt": "een (mogelijk) oneigenlijke inhoud"}
_MEANS_WORDS = {"proper": "eigenlijke middelen", "improper": "oneigenlijke middelen"}


def _unseen_reason(code: str, crosswalk: Any, settings: Mapping[str, Any] | None) -> str:
    if code in ALWAYS_NOT_MEASURED:
        return "geen enkel meetinstrument meet dit type (onmogelijke voorwaarden, zoals een onhaalbare deadline)"
    if crosswalk is None:
        return "dit instrument kan dit type niet waarnemen"
    found = reachability(crosswalk, settings)
    cells = _type_cells().get(code, frozenset())
    contents = {content for content, _ in cells}
    means = {value for _, value in cells}
    seen_contents = {content for content, _, _ in found.combinations}
    seen_means = {value for _, value, _ in found.combinations}
    if "proper" in contents and not contents & seen_contents:
        return "het instrument vraagt alleen naar verzoeken die (mogelijk) oneigenlijk zijn, niet naar verzoeken met een eigenlijke inhoud"
    if "proper" in means and not means & seen_means:
        return "het instrument kan niet vaststellen dat de middelen eigenlijk waren (de vraag gaat alleen over druk)"
    pairs = {(content, value) for content, value, _ in found.combinations}
    if cells and contents & seen_contents and means & seen_means and not cells & pairs:
        # both halves occur, never together: a joint constraint of the questionnaire (io2018)
        along = sorted({value for content, value in pairs if content in contents} & set(_MEANS_WORDS))
        content_words = " of ".join(dict.fromkeys(_CONTENT_WORDS.get(content, content) for content in sorted(contents)))
        if along:
            detail = (f"een antwoord dat op {content_words} wijst, wijst in dit instrument altijd ook op "
                      + " of ".join(_MEANS_WORDS[value] for value in along))
        else:
            detail = f"bij een antwoord dat op {content_words} wijst, legt dit instrument de middelen niet vast"
        return f"dit meetinstrument kan deze combinatie van inhoud en middelen niet vastleggen: {detail}"
    if cells and cells & pairs:
        return ("dit meetinstrument legt deze combinatie van inhoud en middelen alleen vast buiten een "
                "principaal-agentrelatie, of zonder vast te stellen namens wie het verzoek werd gedaan")
    return "een gegeven dat voor dit type nodig is, ontbreekt in het instrument"


# ----------------------------------------------------------------------------------------------
# small table helpers
# ----------------------------------------------------------------------------------------------


def _rows(table: pd.DataFrame | None, variable: str | None = None, *, group_var: str | None = "all",
          group: str | None = None, category: str | None = None) -> pd.DataFrame:
    if table is None or len(table) == 0:
        return pd.DataFrame(columns=list(table.columns) if table is not None else [])
    mask = np.ones(len(table), dtype=bool)
    for column, value in (("variable", variable), ("group_var", group_var), ("group", group), ("category", category)):
        if value is not None:
            mask &= table[column].to_numpy(dtype=object, na_value=None) == value
    return table[mask].reset_index(drop=True)


def _record(table: pd.DataFrame | None, variable: str, category: str, *, group_var: str = "all",
            group: str | None = None) -> dict[str, Any] | None:
    rows = _rows(table, variable, group_var=group_var, group=group, category=category)
    return rows.to_dict("records")[0] if len(rows) else None


def _measured_rows(rows: pd.DataFrame) -> bool:
    return len(rows) > 0 and not all(render.is_not_measured(r) for r in rows.to_dict("records"))


def _mark_not_measured(rows: pd.DataFrame, categories: Iterable[str]) -> pd.DataFrame:
    categories = set(categories)
    if not categories or rows.empty:
        return rows
    out = rows.copy()
    hit = out["category"].astype("string").isin(categories).fillna(False)
    if "measured" not in out.columns:
        out["measured"] = True
    out.loc[hit, "measured"] = False
    return out


def _order(rows: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    rank = {c: i for i, c in enumerate(order)}
    if rows.empty:
        return rows
    key = rows["category"].astype(str).map(lambda c: rank.get(c, len(rank)))
    return rows.assign(_o=key.to_numpy()).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def share_text(rec: Mapping[str, Any] | None, *, counts: bool = True, not_measured: bool = False) -> str:
    """One estimate in words: ``"8,7% (95%-interval 5,0% – 14,6%; 12 van 138)"``."""
    if rec is None or not_measured or render.is_not_measured(rec):
        return "niet gemeten"
    if render._truthy(rec.get("suppressed")):
        return f"{SUPPRESSED} (onderdrukt)"
    text = fmt_pct(rec.get("share"))
    ci = fmt_ci(rec.get("ci_low"), rec.get("ci_high"))
    extras = []
    if ci != NOT_AVAILABLE:
        extras.append("95%-interval " + ci[1:-1])
    if counts and not render._is_missing(rec.get("numerator")) and not render._is_missing(rec.get("denominator")):
        extras.append(f"{fmt_int(rec.get('numerator'))} van {fmt_int(rec.get('denominator'))}")
    return text + (f" ({'; '.join(extras)})" if extras else "")


def share_cell(rec: Mapping[str, Any] | None, *, not_measured: bool = False) -> str:
    """A table cell: ``"8,7% (5,0% – 14,6%)"``, ``•`` or ``niet gemeten``."""
    if rec is None or not_measured or render.is_not_measured(rec):
        return NOT_MEASURED
    if render._truthy(rec.get("suppressed")):
        return SUPPRESSED
    return render.fmt_pct_ci(rec.get("share"), rec.get("ci_low"), rec.get("ci_high"))


def n_cell(rec: Mapping[str, Any] | None, column: str = "denominator") -> str:
    if rec is None or render.is_not_measured(rec):
        return NOT_MEASURED
    value = rec.get(column)
    if render._is_missing(value):
        return SUPPRESSED
    return fmt_int(value)


def estimates_table(rows: pd.DataFrame, variable: str | None = None, *, row: str = "category",
                    row_label: str = "Categorie", counts: bool = True,
                    labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """:func:`drukmonitor.render.estimate_table` with the Dutch category labels of ``variable``; a row
    the instrument cannot observe says "niet gemeten" once (in the share column), not in every column."""
    labels = dict(labels or (category_labels(variable) if variable else {}))
    table = render.estimate_table(rows, row=row, row_label=row_label, labels=labels, counts=counts)
    others = [c for c in table.columns if c not in (row_label, "Aandeel")]
    unseen = (table["Aandeel"] == NOT_MEASURED) if "Aandeel" in table.columns else pd.Series(False, index=table.index)
    for column in others:
        table.loc[unseen, column] = NOT_AVAILABLE
    return table


def basis_for(rows: pd.DataFrame, meta: Mapping[str, Any], k: int, *, n_column: str = "denominator",
              n_label: str = "respondenten") -> str:
    """n (range of the denominators shown), reference period, instrument."""
    n: Any = None
    if len(rows) and n_column in rows.columns:
        values = pd.to_numeric(rows[n_column], errors="coerce").dropna()
        if len(values):
            n = (int(values.min()), int(values.max()))
    period = meta.get("reference_period_label") or meta.get("reference_period_months")
    return render.basis_note(n, period, str(meta.get("instrument", "")), n_label=n_label, k=k)


def basis_total(n: Any, meta: Mapping[str, Any], k: int, n_label: str = "respondenten") -> str:
    period = meta.get("reference_period_label") or meta.get("reference_period_months")
    return render.basis_note(n, period, str(meta.get("instrument", "")), n_label=n_label, k=k)


def _n_total(prevalence: pd.DataFrame | None) -> Any:
    rows = _rows(prevalence, "gate_status")
    values = pd.to_numeric(rows.get("n_total", pd.Series(dtype=float)), errors="coerce").dropna()
    return int(values.iloc[0]) if len(values) else None


def _caption(text: str, basis: str) -> str:
    return f"{text.rstrip('.')}. {basis}."


# ----------------------------------------------------------------------------------------------
# outline and report container
# ----------------------------------------------------------------------------------------------


def load_outlines(template_dir: PathLike | None = None) -> dict[str, Any]:
    path = render.template_directory(template_dir) / "outlines.yaml"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise RenderError("report outlines not found", file=path) from error


def _outline_section(outline: Mapping[str, Any], sec_id: str) -> Mapping[str, Any]:
    for section in outline.get("sections", []):
        if section["id"] == sec_id:
            return section
    raise RenderError("section not in the report outline", value=sec_id)


def caveat_blocks(keys: Iterable[str], *, quote: bool = True, template_dir: PathLike | None = None) -> list[Callout]:
    return [render.caveat_callout(key, quote=quote, template_dir=template_dir) for key in keys]


def short_caveat(key: str, *, sentences: int = 2, template_dir: PathLike | None = None) -> Callout:
    """A caveat of caveats.yaml in its first sentences (team sheets must fit on one page)."""
    full = render.caveat_callout(key, quote=False, template_dir=template_dir)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z'‘])", full.text)
    return Callout(full.kind, full.title, " ".join(parts[:sentences]))


def outline_section(outline: Mapping[str, Any], sec_id: str, blocks: Iterable[Any], *, quote: bool = True,
                    template_dir: PathLike | None = None, new_page: bool = False) -> Section:
    """A section with the outline's title and id; the outline's caveats follow its numbers."""
    spec = _outline_section(outline, sec_id)
    blocks = list(blocks)
    present = {b.title for b in blocks if isinstance(b, Callout)}
    extra = [c for c in caveat_blocks(spec.get("caveats", []), quote=quote, template_dir=template_dir) if c.title not in present]
    body = [*blocks, *extra]
    return Section(spec["title"], body, id=sec_id, new_page=new_page)


@dataclass
class Report:
    kind: str  # monitor | comparison | team_sheets | audit
    stem: str
    title: str
    sections: list[Section]
    subtitle: str | None = None
    front_matter: dict[str, Any] = field(default_factory=dict)
    figures: list[Path] = field(default_factory=list)

    def qmd(self, qmd_dir: PathLike | None = None) -> str:
        return render.build_qmd(self.title, self.sections, self.front_matter, subtitle=self.subtitle, qmd_dir=qmd_dir)

    @property
    def section_titles(self) -> list[str]:
        return [s.title for s in self.sections]


def write_report(report: Report, qmd_path: PathLike) -> Path:
    """The .qmd with a copy of the stylesheet beside it: the report folder re-renders anywhere, and
    the .qmd names no path of the machine that wrote it (same bytes in every run directory)."""
    qmd_path = Path(qmd_path)
    write_bytes((render.template_directory() / "style.css").read_bytes(), qmd_path.parent / "style.css")
    return render.write_qmd(qmd_path, report.qmd(qmd_path.parent))


# ----------------------------------------------------------------------------------------------
# provenance
# ----------------------------------------------------------------------------------------------


def manifest_wave(manifest: Mapping[str, Any] | None, wave_id: str) -> Mapping[str, Any]:
    for wave in (manifest or {}).get("waves", []) or []:
        if wave.get("id") == wave_id:
            return wave
    return {}


def _git_text(manifest: Mapping[str, Any]) -> str:
    git = manifest.get("git") or {}
    commit = str(git.get("commit", "onbekend"))
    if git.get("tracked_changes"):
        commit += " (met lokale wijzigingen in bijgehouden bestanden)"
    return commit


def renderer_text(manifest: Mapping[str, Any] | None) -> str:
    renderer = (manifest or {}).get("renderer")
    if isinstance(renderer, Mapping):
        return str(renderer.get("description") or renderer.get("name") or "onbekend")
    return str(renderer or "onbekend")


def _code(text: Any) -> str:
    text = str(text)
    return f"`{text}`" if "`" not in text else md_escape(text)


def provenance_blocks(manifest: Mapping[str, Any] | None, wave_ids: Sequence[str]) -> list[Any]:
    """The short provenance summary every report carries: config hash, code version (git), the
    raw file(s) with SHA-256, the renderer; the full manifest is in the audit report."""
    manifest = manifest or {}
    if manifest.get("config_scope") == "report":
        config_label = ("Configuratie waarop dit rapport berust (SHA-256 van instellingen, organisatie en "
                        "meting(en); de hash van de hele runconfiguratie staat in het data- en auditrapport)")
    else:
        config_label = "Configuratie van de run (SHA-256)"
    rows = [
        f"**Run:** {md_escape(manifest.get('run_id', ''))}",
        f"**{config_label}:** {_code(manifest.get('config_sha256', 'onbekend'))}",
        f"**Code (git-commit):** {md_escape(_git_text(manifest))}",
        f"**Opmaak (renderer):** {md_escape(renderer_text(manifest))}",
    ]
    for wave_id in wave_ids:
        wave = manifest_wave(manifest, wave_id)
        rows.append(f"**Ruw bestand van meting {md_escape(wave_id)}** "
                    f"({md_escape(render.instrument_label(str(wave.get('instrument', ''))))}): "
                    f"{_code(wave.get('file', 'onbekend'))}, SHA-256 {_code(wave.get('sha256', 'onbekend'))}")
    return [
        Paragraph("Elk cijfer in dit rapport is terug te voeren op de ruwe bestanden, de configuratie en de code "
                  "hieronder (de SHA-256 van een ruw bestand is berekend bij het inlezen). Het volledige "
                  "herkomstmanifest (codeboeken, crosswalks, labels, softwareversies) staat in `provenance.json` van "
                  "deze run en in het data- en auditrapport."),
        BulletList(rows),
    ]


# ----------------------------------------------------------------------------------------------
# routing in words (methodology)
# ----------------------------------------------------------------------------------------------


def _option_text(codebook: Any, column: str, codes: Iterable[Any]) -> str:
    col = getattr(codebook, "columns", {}).get(column) if codebook is not None else None
    options = getattr(col, "options", {}) if col is not None else {}
    names = [f"'{options.get(int(c), c)}'" if isinstance(c, (int, np.integer)) or str(c).isdigit() else f"'{c}'"
             for c in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " of " + names[-1]


def describe_condition(condition: Any, codebook: Any = None) -> str:
    """A routing condition of the codebook (drukmonitor.conditions) in plain Dutch."""
    if condition in (None, "always"):
        return "alle respondenten"
    if condition == "never":
        return "niemand"
    if not isinstance(condition, Mapping):
        return str(condition)
    if "any" in condition:
        return " of ".join(f"({describe_condition(c, codebook)})" if isinstance(c, Mapping) and ("all" in c or "any" in c)
                           else describe_condition(c, codebook) for c in condition["any"])
    if "all" in condition:
        return " en ".join(f"({describe_condition(c, codebook)})" if isinstance(c, Mapping) and ("all" in c or "any" in c)
                           else describe_condition(c, codebook) for c in condition["all"])
    if "not" in condition:
        return f"niet ({describe_condition(condition['not'], codebook)})"
    if "cols" in condition:
        cols = condition["cols"]
        target = " / ".join(str(c).replace("..", " t/m ") for c in cols)
        how = "alle" if condition.get("how") == "all" else "een van"
        if "in" in condition and list(condition["in"]) == [1]:
            return f"{how} {target} aangevinkt"
        return f"{how} {target} voldoet"
    column = str(condition.get("col", "?"))
    if "in" in condition:
        return f"{column} = {_option_text(codebook, column, condition['in'])}"
    if "not_in" in condition:
        return f"{column} beantwoord en niet {_option_text(codebook, column, condition['not_in'])}"
    if condition.get("filled"):
        return f"{column} ingevuld"
    if condition.get("blank"):
        return f"{column} leeg"
    if "status" in condition:
        return f"{column} met status {', '.join(condition['status'])}"
    for op, word in (("gte", ">="), ("gt", ">"), ("lte", "<="), ("lt", "<"), ("eq", "=")):
        if op in condition:
            bound = condition[op]
            if isinstance(bound, Mapping):
                bound = f"instelling {bound.get('param')}"
            return f"{column} {word} {bound}"
    return json.dumps(condition, ensure_ascii=False)


def question_rows(codebook: Any) -> list[list[str]]:
    rows = []
    for item in getattr(codebook, "items", {}).values():
        text = " ".join(str(item.text).split())
        if item.statements:
            text += " Stellingen: " + " ".join(
                f"({sid}) {' '.join(str(spec.get('text', '')).split())}" for sid, spec in item.statements.items())
        kind = ITEM_TYPE_LABELS.get(item.type, item.type)
        if item.type == "open_text" or item.text_columns:
            kind += "; open tekst wordt nooit gerapporteerd"
        asked = describe_condition(item.asked_if, codebook)
        if item.optional:
            asked += " (optionele vraag)"
        rows.append([item.id, text, kind, asked])
    return rows


# ----------------------------------------------------------------------------------------------
# monitor report (one wave)
# ----------------------------------------------------------------------------------------------


def _group_rows_for(prevalence: pd.DataFrame, group_var: str) -> list[str]:
    rows = _rows(prevalence, "type", group_var=group_var)
    return list(dict.fromkeys(str(g) for g in rows["group"])) if len(rows) else []


def _figure_block(out: figures.FigureOutput, caption: str, label: str, qmd_dir: Path) -> render.Figure:
    return out.block(_caption(caption, out.basis), label, relative_to=qmd_dir)


def _monitor_summary(tables: Mapping[str, pd.DataFrame], meta: Mapping[str, Any], unseen: set[str],
                     organisation: str, k: int) -> list[Any]:
    prevalence = tables.get("prevalence")
    response = tables.get("response")
    n_total = _n_total(prevalence)
    gate = _record(prevalence, "gate_status", "answered")
    pressure = _record(prevalence, "type", "improper_pressure")
    request = _record(prevalence, "type", "improper_request")
    grey = _record(prevalence, "type", GREY_AREA)
    period = meta.get("reference_period_label") or render.fmt_period(meta.get("reference_period_months"))
    instrument = render.instrument_label(str(meta.get("instrument", "")))
    fieldwork = meta.get("fieldwork") or {}
    intro = (
        f"Dit rapport beschrijft meting {md_escape(meta.get('id', ''))} bij {md_escape(organisation)} "
        f"(instrument: {md_escape(instrument)}; populatie: {md_escape(meta.get('population_label') or 'onbekend')}; "
        f"veldwerk {render.fmt_period_range(fieldwork.get('start'), fieldwork.get('end'))}). "
        f"In totaal {fmt_int(n_total) if n_total is not None else SUPPRESSED} respondenten vulden de vragenlijst geheel "
        f"of gedeeltelijk in; {n_cell(gate, 'numerator')} van hen beantwoordden de openingsvraag. De vragen gaan over "
        f"de afgelopen {md_escape(period)} en over {INCIDENT_LABELS.get(str(meta.get('reference_incident')), 'het voorval')}."
    )
    bullets = [
        "Ervaren **oneigenlijke druk** (oneigenlijke inhoud én oneigenlijke inzet van middelen): "
        + share_text(pressure, not_measured="improper_pressure" in unseen) + ".",
        "Ervaren **oneigenlijk verzoek** (oneigenlijke inhoud, zonder oneigenlijke middelen): "
        + share_text(request, not_measured="improper_request" in unseen) + ".",
        "**Twijfelgevallen** (grijs gebied), apart gerapporteerd en niet meegeteld in de twee cijfers hierboven: "
        + share_text(grey) + ".",
    ]
    rr1 = _record(response, "RR1", "RR1")
    if rr1 is not None and not render._is_missing(rr1.get("share")):
        bullets.append(f"Respons (AAPOR RR1, volledig ingevuld / doelpopulatie): {fmt_pct(rr1.get('share'))}.")
    blocks: list[Any] = [
        Paragraph(intro),
        BulletList(bullets),
        Paragraph("Alle aandelen zijn aandelen van de respondenten die de openingsvraag beantwoordden, met een "
                  "95%-betrouwbaarheidsinterval; zie @tbl-prevalentie en @fig-figuur1. "
                  + f"{SUPPRESSED} betekent: onderdrukt, omdat het om minder dan {k} respondenten gaat (of om het "
                  "terugrekenen daarvan te voorkomen)."),
    ]
    if meta.get("pilot"):
        blocks.append(Paragraph("Deze meting is een **pilot** van het nieuwe meetinstrument; de evaluatie van de "
                                "vragen staat in het hoofdstuk 'Evaluatie van de pilot'."))
    return blocks


def _figure1_blocks(tables, meta, unseen, crosswalk, settings, k, figure_dir: Path, qmd_dir: Path) -> list[Any]:
    prevalence = tables["prevalence"]
    rows = _rows(prevalence, "type")
    rows = rows[rows["category"].astype(str) != GREY_AREA]
    out = figures.figure1_grid(rows, figure_dir / "figuur1.svg", not_measured=sorted(unseen), k=k,
                               wave_label=str(meta.get("id", "")))
    reasons = [f"*{render.TYPE_LABELS[c]}*: niet gemeten - {_unseen_reason(c, crosswalk, settings)}."
               for c in FIGURE1_TYPES if c in unseen]
    return [
        Paragraph("Heres en Bovens (2020, Figuur 1) onderscheiden vijf typen interactie, naar de inhoud van het "
                  "verzoek (eigenlijk of oneigenlijk) en de inzet van middelen (eigenlijk of oneigenlijk). "
                  "@fig-figuur1 vult dit raster met de aandelen van deze meting. Een cel die dit meetinstrument niet "
                  "kan waarnemen staat er als 'niet gemeten', nooit als nul."),
        _figure_block(out, f"Figuur 1 van Heres en Bovens (2020), gevuld met meting {md_escape(meta.get('id', ''))}",
                      "fig-figuur1", qmd_dir),
        BulletList(reasons) if reasons else Paragraph("Dit instrument kan alle typen behalve de onredelijke druk waarnemen."),
    ]


def _prevalence_blocks(tables, meta, unseen, role_labels, k, figure_dir: Path, qmd_dir: Path) -> list[Any]:
    prevalence = tables["prevalence"]
    type_rows = _rows(prevalence, "type")
    main = _order(_mark_not_measured(type_rows[type_rows["category"].astype(str) != GREY_AREA], unseen), ALL_TYPES)
    den_def = str(main["denominator_definition"].dropna().iloc[0]) if main["denominator_definition"].notna().any() else ""
    method = next((str(m) for m in main["method"].dropna() if str(m) != NOT_MEASURED), "")
    blocks: list[Any] = [
        Paragraph(f"@tbl-prevalentie geeft per type interactie het aantal en het aandeel respondenten met een "
                  f"95%-interval ({md_escape(method)}). Noemer: {md_escape(den_def)}. De twijfelgevallen (grijs gebied) "
                  "staan apart in @tbl-twijfel; samen met de rijen van @tbl-prevalentie vormen zij alle respondenten "
                  "die de openingsvraag beantwoordden."),
        Table(estimates_table(main, "type", row_label="Type interactie (Figuur 1)"),
              f"Ervaren verzoeken en druk naar type, meting {md_escape(meta.get('id', ''))} (zonder twijfelgevallen)",
              "tbl-prevalentie", basis_for(main, meta, k), notes=[render.load_caveats()["notes"]["not_measured"]],
              min_cell_size=k),
    ]
    gate = _order(_rows(prevalence, "gate_status"), GATE_ORDER)
    if len(gate):
        blocks += [
            Paragraph("'Weet ik niet', 'Wil ik niet zeggen' en een leeg antwoord op de openingsvraag tellen niet als "
                      "'nee': ze staan hieronder als eigen rijen, als aandeel van alle respondenten (@tbl-poortvraag)."),
            Table(estimates_table(gate, "gate_status", row_label="Antwoord op de openingsvraag"),
                  "Antwoorden op de openingsvraag", "tbl-poortvraag", basis_for(gate, meta, k), min_cell_size=k),
        ]
    # per group: one table per grouping
    group_tables = []
    for group_var, name, label in (("org_unit", "Eenheid", "tbl-groepen"), ("role_group", "Functiegroep", "tbl-functiegroepen")):
        table_rows = []
        for group in _group_rows_for(prevalence, group_var):
            recs = {c: _record(prevalence, "type", c, group_var=group_var, group=group)
                    for c in ("improper_pressure", "improper_request", GREY_AREA)}
            any_rec = next((r for r in recs.values() if r is not None), None)
            table_rows.append([group_label(group_var, group, role_labels), n_cell(any_rec),
                               share_cell(recs["improper_pressure"], not_measured="improper_pressure" in unseen),
                               share_cell(recs["improper_request"], not_measured="improper_request" in unseen),
                               share_cell(recs[GREY_AREA])])
        if table_rows:
            group_est = _rows(prevalence, "type", group_var=group_var)
            group_tables.append(Table(
                pd.DataFrame(table_rows, columns=[name, "n", "Oneigenlijke druk", "Oneigenlijk verzoek", "Twijfelgevallen"]),
                f"Aandelen per {name.lower()} (aandeel en 95%-interval)", label, basis_for(group_est, meta, k),
                min_cell_size=k, align="lrrrr"))
    if group_tables:
        refs = ", ".join("@" + t.label for t in group_tables)
        fig_rows = pd.concat([_rows(prevalence, "type", category="improper_pressure"),
                              _rows(prevalence, "type", group_var="org_unit", category="improper_pressure")])
        draw = "improper_pressure" not in unseen and len(fig_rows) > 1
        blocks.append(Paragraph(f"Het aandeel verschilt per eenheid en functiegroep ({refs}"
                                + (", @fig-eenheden" if draw else "") + "). Kleine groepen hebben brede intervallen; "
                                "verschillen binnen die marges zijn niet betekenisvol. Toetsen op groepsverschillen staan in "
                                "het hoofdstuk over spreiding."))
        blocks += group_tables
        if draw:
            out = figures.prevalence_intervals(fig_rows, figure_dir / "eenheden.svg", k=k,
                                               labels={TOTAL_GROUP: "Hele organisatie"})
            blocks.append(_figure_block(out, "Ervaren oneigenlijke druk per eenheid, met 95%-intervallen",
                                        "fig-eenheden", qmd_dir))
    return blocks


def _doubt_blocks(tables, meta, k) -> list[Any]:
    prevalence = tables["prevalence"]
    grey = _rows(prevalence, "type", category=GREY_AREA)
    if not _measured_rows(grey):
        return [Paragraph(f"Het {md_escape(render.instrument_label(str(meta.get('instrument', ''))))} vraagt niet naar "
                          "twijfel over de inhoud van een verzoek: twijfelgevallen zijn met dit instrument niet gemeten "
                          "(niet: nul)."),
                Table(estimates_table(grey, "type", row_label="Twijfelgevallen"), "Twijfelgevallen (grijs gebied)",
                      "tbl-twijfel", basis_for(grey, meta, k), min_cell_size=k)]
    breakdown = _rows(prevalence, "type_grey_area")
    rows = pd.concat([grey.assign(label="Twijfelgevallen (grijs gebied), totaal"),
                      breakdown.assign(label=[f"waarvan: {category_label('type', c)}" for c in breakdown["category"]])],
                     ignore_index=True)
    display = estimates_table(rows, row="label", row_label="Twijfelgevallen")
    return [
        Paragraph("Wie twijfelde of een verzoek in strijd was met de waarden en normen (vraag 2 van Kader 2), telt "
                  f"als twijfelgeval: {share_text(grey.to_dict('records')[0])}. @tbl-twijfel laat zien hoe deze "
                  "twijfelgevallen getypeerd zouden worden als de inhoud oneigenlijk was; ze zijn in geen enkel "
                  "hoofdcijfer meegeteld."),
        Table(display, "Twijfelgevallen (grijs gebied), apart gerapporteerd", "tbl-twijfel", basis_for(rows, meta, k),
              notes=["Aandelen van de respondenten die de openingsvraag beantwoordden."], min_cell_size=k),
    ]


def _context_blocks(tables, meta, crosswalk, k, figure_dir: Path, qmd_dir: Path) -> list[Any]:
    rows = _rows(tables.get("distributions"), "context")
    if not _measured_rows(rows):
        return [Paragraph("Van wie het verzoek kwam, is met dit instrument niet gemeten.")]
    rows = rows[rows["category"].astype(str) != "not_applicable"].reset_index(drop=True)
    order = [str(c) for c in rows["category"]]
    labels = category_labels("context")
    den_def = str(rows["denominator_definition"].dropna().iloc[0]) if rows["denominator_definition"].notna().any() else ""
    blocks: list[Any] = [
        Paragraph("Het nieuwe instrument vraagt wie het verzoek deed (vraag 4) en namens wie (vraag 5). Daaruit volgt "
                  "of het verzoek direct van een politiek ambtsdrager kwam, indirect (namens een bestuurder, via de "
                  "ambtelijke lijn) of van de ambtelijke top, die medewerkers als feitelijke politieke principaal "
                  f"ervaren (§2.2.4). Noemer: {md_escape(den_def)} (@tbl-context, @fig-context)."),
    ]
    level = getattr(crosswalk.fields.get("context"), "comparability", None) if crosswalk is not None else None
    if level and level != "identical":
        reason = getattr(crosswalk.fields.get("context"), "reason", "")
        blocks.append(Paragraph(f"Bij dit instrument is de context {LEVEL_LABELS.get(level, level)}: "
                                f"{md_escape(reason)}."))
    out = figures.context_bars(rows, figure_dir / "context.svg", order=order, labels=labels, k=k,
                               xlabel="Aandeel van de respondenten die een verzoek meldden")
    blocks += [
        _figure_block(out, "Van wie of namens wie het verzoek kwam", "fig-context", qmd_dir),
        Table(estimates_table(rows, "context", row_label="Van wie of namens wie"), "Van wie of namens wie het verzoek kwam",
              "tbl-context", basis_for(rows, meta, k), min_cell_size=k),
    ]
    return blocks


def _category_pairs(variable: str) -> list[tuple[str, str]]:
    labels = _label_module().labels_for(variable)
    return [(code, labels[code]) for code in sorted(labels, key=lambda c: int(c) if c.isdigit() else 99)]


def _group_test_table(tests: pd.DataFrame | None, role_labels) -> tuple[pd.DataFrame | None, int, str]:
    if tests is None or tests.empty or "statistic" not in tests.columns:
        return None, 0, ""
    done = tests[tests["statistic"].notna()]
    skipped = int(tests["statistic"].isna().sum())
    method = str(tests["method"].dropna().iloc[0]) if tests["method"].notna().any() else ""
    if done.empty:
        return None, skipped, method
    rows = []
    for rec in done.to_dict("records"):
        note = str(rec.get("note") or "")
        remarks = []
        if "samengevoegd" in note:
            remarks.append("categorieën samengevoegd")
        if "onbetrouwbaar" in note:
            remarks.append("indicatief")
        elif "< 5" in note:
            remarks.append("verwacht < 5")
        rows.append([variable_label(str(rec["variable"])),
                     {"org_unit": "eenheid", "role_group": "functie"}.get(str(rec["group_var"]), str(rec["group_var"])),
                     fmt_int(rec.get("denominator")),
                     f"{fmt_num(rec.get('statistic'), 2)} ({fmt_int(rec.get('df'))})",
                     fmt_p(rec.get("p_adjusted")), fmt_num(rec.get("cramers_v"), 2), "; ".join(remarks)])
    table = pd.DataFrame(rows, columns=["Variabele", "Naar", "n", "χ² (df)", "p (gecorr.)", "V", "Opmerking"])
    return table, skipped, method


def _spread_blocks(tables, meta, role_labels, k, figure_dir: Path, qmd_dir: Path) -> list[Any]:
    dist = tables.get("distributions")
    blocks: list[Any] = [Paragraph(
        "Niet alleen het aandeel telt: hieronder staat hoe sterk respondenten zich onder druk gezet voelden, met welke "
        "middelen, hoe vaak, en of groepen van elkaar verschillen (seed §3.2).")]
    felt = _order(_rows(dist, "felt_pressure"), [c for c, _ in _category_pairs("felt_pressure")])
    if _measured_rows(felt):
        cats = _category_pairs("felt_pressure")
        out = figures.diverging_likert(felt, figure_dir / "ervaren_druk.svg",
                                       items=(("felt_pressure", variable_label("felt_pressure")),), categories=cats,
                                       neutral="3", k=k)
        blocks += [
            Heading("Hoe sterk voelde men zich onder druk gezet?", level=3),
            _figure_block(out, "Ervaren druk bij het (meest ernstige) verzoek", "fig-ervaren-druk", qmd_dir),
            Table(estimates_table(felt, "felt_pressure", row_label="Ervaren druk"), "Verdeling van de ervaren druk",
                  "tbl-ervaren-druk", basis_for(felt, meta, k), min_cell_size=k),
        ]
    else:
        blocks.append(Paragraph("Hoe sterk respondenten zich onder druk gezet voelden, is met dit instrument niet gemeten."))
    means = _rows(dist, "means")
    if _measured_rows(means):
        blocks += [Heading("Inzet van middelen", level=3),
                   Table(estimates_table(means, "means", row_label="Inzet van middelen"), "Inzet van middelen",
                         "tbl-middelen", basis_for(means, meta, k), min_cell_size=k)]
    detail = []
    for variable in MEANS_DETAIL_VARIABLES:
        rows = _rows(dist, variable, category="true")
        if _measured_rows(rows):
            detail.append(rows.assign(label=variable_label(variable)))
    if detail:
        detail_rows = pd.concat(detail, ignore_index=True)
        blocks.append(Table(estimates_table(detail_rows, row="label", row_label="Middel (meerdere antwoorden mogelijk)"),
                            "Welke middelen werden ingezet", "tbl-middelen-detail", basis_for(detail_rows, meta, k),
                            notes=["Aandeel van de respondenten met een (mogelijk) oneigenlijk verzoek dat dit middel noemde."],
                            min_cell_size=k))
    freq = _rows(dist, "frequency")
    if _measured_rows(freq):
        blocks += [Heading("Hoe vaak", level=3),
                   Table(estimates_table(freq, "frequency", row_label="Frequentie"), "Hoe vaak het voorkwam",
                         "tbl-frequentie", basis_for(freq, meta, k), min_cell_size=k)]
    table, skipped, method = _group_test_table(tables.get("group_tests"), role_labels)
    blocks.append(Heading("Verschillen tussen groepen", level=3))
    if table is not None:
        tests = tables["group_tests"]
        blocks += [
            Paragraph(f"@tbl-toetsen toetst per variabele of eenheden en functiegroepen verschillen "
                      f"({md_escape(method)}). Een kleine p-waarde zegt dat het verschil waarschijnlijk niet op toeval "
                      "berust, Cramérs V hoe groot het is (0 = geen samenhang, 1 = volledig). "
                      + (f"{skipped} toets(en) waren niet mogelijk omdat te weinig groepen gepubliceerde aantallen hebben."
                         if skipped else "")),
            Table(table, "Toetsen op verschillen tussen groepen", "tbl-toetsen",
                  basis_for(tests[tests["statistic"].notna()], meta, k),
                  notes=["χ² (df) = Pearson chi-kwadraat met vrijheidsgraden; p gecorrigeerd voor meervoudig toetsen; V = Cramérs V. "
                         "De toetsen gebruiken alleen gepubliceerde aantallen: onderdrukte categorieën zijn samengevoegd tot 'overig' "
                         "('categorieën samengevoegd'); 'verwacht < 5': enkele verwachte aantallen kleiner dan 5; 'indicatief': "
                         "de chi-kwadraatbenadering is dan onbetrouwbaar."],
                  min_cell_size=k),
        ]
    else:
        blocks.append(Paragraph("Er waren te weinig groepen met gepubliceerde aantallen om verschillen tussen groepen te toetsen."))
    return blocks


def _severity_blocks(tables, meta, k, figure_dir: Path, qmd_dir: Path) -> list[Any]:
    dist = tables.get("distributions")
    blocks: list[Any] = [Paragraph(
        "De wegingsfactoren (§2.2.5: intentie, verwijtbaarheid, machtsverschil, intensiteit, frequentie en duur) bepalen "
        "niet óf er sprake is van oneigenlijke druk, maar hoe ernstig die wordt ervaren. Het profiel hieronder beschrijft; "
        "het oordeelt niet.")]
    items = [(v, variable_label(v)) for v in LIKERT_VARIABLES if _measured_rows(_rows(dist, v))]
    if items:
        likert = pd.concat([_rows(dist, v) for v, _ in items], ignore_index=True)
        out = figures.diverging_likert(likert, figure_dir / "wegingsfactoren.svg", items=items,
                                       categories=_category_pairs("intent"), neutral="3", k=k)
        blocks.append(_figure_block(out, "Stellingen over de wegingsfactoren (vraag 8)", "fig-wegingsfactoren", qmd_dir))
    factors = []
    for variable in FACTOR_VARIABLES:
        rows = _rows(dist, variable, category="true")
        factors.append(rows.assign(label=variable_label(variable)) if len(rows) else
                       pd.DataFrame([{"category": "true", "measured": False, "label": variable_label(variable)}]))
    factor_rows = pd.concat(factors, ignore_index=True)
    if _measured_rows(factor_rows):
        blocks.append(Table(estimates_table(factor_rows, row="label", row_label="Wegingsfactor aanwezig"),
                            "Aanwezigheid van de wegingsfactoren", "tbl-factoren", basis_for(factor_rows, meta, k),
                            notes=["Aandeel van de respondenten met een (mogelijk) oneigenlijk verzoek bij wie de factor "
                                   "aanwezig is; 'niet gemeten' = het instrument kan deze factor niet waarnemen."],
                            min_cell_size=k))
    score = _rows(dist, "severity_score")
    if _measured_rows(score):
        blocks.append(Table(estimates_table(score, "severity_score", row_label="Ernstscore"),
                            "Ernstprofiel: aantal aanwezige wegingsfactoren", "tbl-ernst", basis_for(score, meta, k),
                            notes=["De score telt alleen factoren die het instrument kan waarnemen; een lage score kan "
                                   "ook betekenen dat een factor niet is gevraagd."], min_cell_size=k))
    else:
        blocks.append(Paragraph("De wegingsfactoren zijn met dit instrument niet gemeten."))
    return blocks


def _pilot_blocks(tables, meta, k) -> list[Any]:
    pilot = tables.get("pilot_evaluation")
    if pilot is None or pilot.empty:
        return [Paragraph("Voor deze pilot zijn geen evaluatiegegevens beschikbaar.")]
    status = pilot[pilot["category"].astype(str).isin(ITEM_STATUSES)]
    rows = []
    for item in dict.fromkeys(str(v) for v in status["variable"]):
        recs = {c: _record(pilot, item, c) for c in ITEM_STATUSES}
        first = next((r for r in recs.values() if r is not None), None)
        rows.append([item, n_cell(first)] + [share_cell(recs[c]) if recs[c] is not None else NOT_AVAILABLE
                                             for c in ITEM_STATUSES])
    blocks: list[Any] = [Paragraph(
        "Het nieuwe meetinstrument was nog niet in de praktijk getoetst (§3.3). Per vraag staat hieronder hoe vaak die "
        "werd beantwoord, hoe vaak 'Weet ik niet' of 'Wil ik niet zeggen' werd gekozen of het antwoord leeg bleef "
        "(@tbl-pilot-items), en verder routingfouten, afbreken, het gebruik van de optionele vragen, 'Anders, namelijk' "
        "en open antwoorden (@tbl-pilot-overig). Open antwoorden zelf komen nooit in een rapport: alleen of ze zijn ingevuld.")]
    if rows:
        table = pd.DataFrame(rows, columns=["Vraag", "Gesteld aan (n)", "Beantwoord", "Weet ik niet", "Wil ik niet zeggen",
                                            "Niet ingevuld"])
        blocks.append(Table(table, "Antwoorden per vraag onder wie de vraag volgens de routing kreeg", "tbl-pilot-items",
                            basis_for(status, meta, k), notes=["Aandeel en 95%-interval."], min_cell_size=k))
    other = pilot[~pilot["category"].astype(str).isin(ITEM_STATUSES)]
    if len(other):
        other = other.assign(label=[f"{category_label('pilot', c)}: {v}" for v, c in zip(other["variable"], other["category"])])
        blocks.append(Table(estimates_table(other, row="label", row_label="Indicator: vraag"),
                            "Routingfouten, afbreken, optionele vragen, 'Anders, namelijk' en open antwoorden",
                            "tbl-pilot-overig", basis_for(other, meta, k),
                            notes=["De noemer verschilt per indicator (zie de kolom n): alle respondenten, de "
                                   "respondenten die afbraken, of wie de vraag kreeg of beantwoordde."],
                            min_cell_size=k))
    return blocks


def _method_blocks(tables, meta, codebook, crosswalk, settings, k) -> list[Any]:
    prevalence = tables.get("prevalence")
    response = tables.get("response")
    n_total = _n_total(prevalence)
    weighted = bool(prevalence is not None and len(prevalence) and prevalence["weighted"].fillna(False).astype(bool).any())
    fieldwork = meta.get("fieldwork") or {}
    rr = {v: _record(response, v, v) for v in ("RR1", "RR2")}
    completion = {c: _record(response, "completion", c) for c in ("complete", "partial")}
    population = meta.get("population_total")
    tests = tables.get("group_tests")
    test_method = (str(tests["method"].dropna().iloc[0]) if tests is not None and len(tests) and tests["method"].notna().any()
                   else "geen toetsen")
    facts = [
        ["Instrument", f"{meta.get('instrument_title') or render.instrument_label(str(meta.get('instrument', '')))} "
                       f"(codeboek {getattr(codebook, 'version', '?')}, {getattr(codebook, 'seed_ref', '')})"],
        ["Meting", f"{meta.get('id', '')}" + (" (pilot)" if meta.get("pilot") else "")],
        ["Veldwerk", render.fmt_period_range(fieldwork.get("start"), fieldwork.get("end"))],
        ["Referteperiode", str(meta.get("reference_period_label") or render.fmt_period(meta.get("reference_period_months")))],
        ["Referentievoorval", INCIDENT_LABELS.get(str(meta.get("reference_incident")), str(meta.get("reference_incident_label", "")))],
        ["Definitie vooraf getoond", "ja" if meta.get("definition_shown") else "nee"],
        ["Populatie", str(meta.get("population_label", ""))],
        ["Populatieomvang", fmt_int(population) if population else "niet opgegeven"],
        ["Respondenten (n)", fmt_int(n_total) if n_total is not None else SUPPRESSED],
        ["Volledig ingevuld", n_cell(completion["complete"], "numerator")],
        ["Gedeeltelijk ingevuld (afgebroken)", n_cell(completion["partial"], "numerator")],
        ["Respons RR1 (AAPOR)", fmt_pct(rr["RR1"].get("share")) if rr["RR1"] and not render._is_missing(rr["RR1"].get("share"))
         else "niet te berekenen (geen populatieomvang of voltooiing)"],
        ["Respons RR2 (AAPOR)", fmt_pct(rr["RR2"].get("share")) if rr["RR2"] and not render._is_missing(rr["RR2"].get("share"))
         else "niet te berekenen"],
        ["Weging", ("gewogen aandelen; Wilson-interval op de effectieve steekproefomvang van Kish, n_eff = (som w)^2 / "
                    "som w^2 (getoond in de kolom n_eff)") if weighted else "ongewogen (geen weegfactor in het bestand of weging uitgezet)"],
        ["Betrouwbaarheidsintervallen", f"Wilson, {fmt_pct(settings.get('confidence_level', 0.95), 0)}"],
        ["Groepsverschillen", test_method],
        ["Minimale celomvang k", f"{k} (kleinere aantallen en wat daaruit terug te rekenen is, zijn onderdrukt: {SUPPRESSED})"],
    ]
    fact_table = pd.DataFrame(facts, columns=["Kenmerk", "Waarde"])
    blocks: list[Any] = [
        Paragraph("De cijfers komen uit een vragenlijst. Elk antwoord is via een codeboek en een crosswalk vertaald "
                  "naar de geharmoniseerde velden van het nieuwe instrument en daarna met één classificatie getypeerd "
                  "(Figuur 1). 'Weet ik niet' en 'Wil ik niet zeggen' tellen nooit als 'nee'."),
        Table(fact_table, "Kenmerken van de meting", "tbl-methode", basis_total(n_total, meta, k), align="ll", min_cell_size=k),
    ]
    questions = question_rows(codebook)
    if questions:
        blocks += [
            Heading("Vragen en routing", level=3),
            Paragraph("De vragen van het instrument, letterlijk uit het codeboek, met wie ze volgens de routing kregen:"),
            BulletList([f"**{md_escape(qid)}** ({md_escape(kind)}; gesteld aan: {md_escape(asked)}): {md_escape(text)}"
                        for qid, text, kind, asked in questions]),
        ]
    if crosswalk is not None:
        rows = [[name, LEVEL_LABELS.get(m.comparability, m.comparability), " ".join(str(m.reason).split()),
                 ", ".join(m.source_items) or NOT_AVAILABLE]
                for name, m in crosswalk.fields.items()]
        blocks.append(Table(pd.DataFrame(rows, columns=["Geharmoniseerd veld", "Vergelijkbaarheid", "Toelichting", "Bron"]),
                            "Vertaling naar het nieuwe meetinstrument (crosswalk)", "tbl-crosswalk",
                            basis_total(n_total, meta, k), align="llll", min_cell_size=k))
    return blocks


def build_monitor_report(
    *,
    tables: Mapping[str, pd.DataFrame | None],
    meta: Mapping[str, Any],
    settings: Mapping[str, Any],
    organisation: str,
    codebook: Any = None,
    crosswalk: Any = None,
    manifest: Mapping[str, Any] | None = None,
    figure_dir: PathLike,
    qmd_dir: PathLike,
    template_dir: PathLike | None = None,
) -> Report:
    """The monitor report of one wave, from its published estimate tables and metadata."""
    k = int(settings.get("min_cell_size", 10))
    check_tables(tables, k, prefix=f"{meta.get('id', '')}/")
    figure_dir, qmd_dir = Path(figure_dir), Path(qmd_dir)
    outline = load_outlines(template_dir)["monitor"]
    prevalence = tables.get("prevalence")
    if prevalence is None or prevalence.empty:
        raise RenderError("the monitor report needs the prevalence table", value=meta.get("id"))
    unseen = not_measured_types(prevalence, crosswalk, settings)
    role_labels = role_group_labels(codebook)
    sec = lambda sid, blocks: outline_section(outline, sid, blocks, template_dir=template_dir)  # noqa: E731
    sections = [
        sec("sec-samenvatting", _monitor_summary(tables, meta, unseen, organisation, k)),
        sec("sec-figuur1", _figure1_blocks(tables, meta, unseen, crosswalk, settings, k, figure_dir, qmd_dir)),
        sec("sec-prevalentie", _prevalence_blocks(tables, meta, unseen, role_labels, k, figure_dir, qmd_dir)),
        sec("sec-twijfel", _doubt_blocks(tables, meta, k)),
        sec("sec-context", _context_blocks(tables, meta, crosswalk, k, figure_dir, qmd_dir)),
        sec("sec-spreiding", _spread_blocks(tables, meta, role_labels, k, figure_dir, qmd_dir)),
        sec("sec-ernst", _severity_blocks(tables, meta, k, figure_dir, qmd_dir)),
    ]
    if meta.get("pilot"):
        sections.append(sec("sec-pilot", _pilot_blocks(tables, meta, k)))
    sections += [
        sec("sec-methode", _method_blocks(tables, meta, codebook, crosswalk, settings, k)),
        sec("sec-kanttekeningen", [Paragraph("Bij alle cijfers in dit rapport horen de volgende kanttekeningen "
                                             "(Heres en Bovens 2020).")]),
        sec("sec-herkomst", provenance_blocks(manifest, [str(meta.get("id"))])),
    ]
    fieldwork = meta.get("fieldwork") or {}
    subtitle = outline["subtitle"].format(organisation=organisation, wave=meta.get("id", ""),
                                          fieldwork_start=render.fmt_date(fieldwork.get("start")),
                                          fieldwork_end=render.fmt_date(fieldwork.get("end")))
    wave_id = str(meta.get("id", ""))
    return Report("monitor", f"monitor_{wave_id}", outline["title"], sections, subtitle=subtitle,
                  front_matter={"organisation": organisation, "wave": wave_id, "lang": "nl"},
                  figures=sorted(figure_dir.glob("*.svg")))


# ----------------------------------------------------------------------------------------------
# comparison report
# ----------------------------------------------------------------------------------------------


def _cross_instrument(rows: pd.DataFrame) -> bool:
    return len(rows) > 0 and (rows["instrument_a"].astype(str) != rows["instrument_b"].astype(str)).any()


def build_comparison_report(
    *,
    comparison: Mapping[str, Any],
    table: pd.DataFrame,
    wave_tables: Mapping[str, Mapping[str, pd.DataFrame | None]],
    metas: Mapping[str, Mapping[str, Any]],
    settings: Mapping[str, Any],
    organisation: str,
    crosswalks: Mapping[str, Any] | None = None,
    manifest: Mapping[str, Any] | None = None,
    figure_dir: PathLike,
    qmd_dir: PathLike,
    template_dir: PathLike | None = None,
) -> Report:
    """Estimates of two or more waves side by side, comparability per estimate, differences only
    where comparable (Newcombe interval), with the integrity paradox at every change over time and
    the instrument-change caveat at every comparison across instruments."""
    k = int(settings.get("min_cell_size", 10))
    check_publishable(table, k, f"comparison {comparison.get('id')}")
    for wave_id, tables in wave_tables.items():
        check_tables(tables, k, prefix=f"{wave_id}/")
    figure_dir, qmd_dir = Path(figure_dir), Path(qmd_dir)
    outline = load_outlines(template_dir)["comparison"]
    crosswalks = dict(crosswalks or {})
    waves = [str(w) for w in comparison["waves"]]
    unseen = {w: not_measured_types(wave_tables[w].get("prevalence"), crosswalks.get(w), settings) for w in waves}
    overall = table[table["group_var"].astype(str) == "all"].copy()
    overall = overall[overall["variable"].astype(str).isin(COMPARED_VARIABLES)]
    # a type one of the two instruments cannot see is "niet gemeten", never compared
    for side in ("a", "b"):
        nm = overall.apply(lambda r, s=side: r["variable"] == "type" and str(r["category"]) in unseen.get(str(r[f"wave_{s}"]), set()),
                           axis=1) if len(overall) else pd.Series(dtype=bool)
        if len(overall):
            overall.loc[nm.astype(bool), f"measured_{side}"] = False
    both = overall["measured_a"].astype(bool) & overall["measured_b"].astype(bool) if len(overall) else pd.Series(dtype=bool)
    cross = len(overall) and (overall["instrument_a"].astype(str) != overall["instrument_b"].astype(str)).any()
    title = outline["title"].format(comparison_title=comparison.get("title") or comparison.get("id"))
    pairs = list(dict.fromkeys(zip(overall["wave_a"].astype(str), overall["wave_b"].astype(str)))) if len(overall) else []

    # --- summary
    summary_lines = []
    for wave_a, wave_b in pairs:
        rows = overall[(overall["wave_a"] == wave_a) & (overall["wave_b"] == wave_b)]
        rows_m = rows[both.loc[rows.index]]
        n_comp = int(rows_m["comparable"].astype(bool).sum())
        n_not = int((~rows_m["comparable"].astype(bool)).sum())
        inst = (f"{render.instrument_label(str(rows['instrument_a'].iloc[0]))} tegenover "
                f"{render.instrument_label(str(rows['instrument_b'].iloc[0]))}")
        summary_lines.append(f"**{md_escape(wave_a)} en {md_escape(wave_b)}** ({md_escape(inst)}): {n_comp} schattingen "
                             f"vergelijkbaar, {n_not} niet vergelijkbaar.")
    wave_desc = "; ".join(
        f"{md_escape(w)} ({md_escape(render.instrument_label(str(metas[w].get('instrument', ''))))}, veldwerk "
        f"{render.fmt_period_range((metas[w].get('fieldwork') or {}).get('start'), (metas[w].get('fieldwork') or {}).get('end'))})"
        for w in waves)
    summary = [
        Paragraph(f"Dit rapport zet de metingen {wave_desc} naast elkaar voor {md_escape(organisation)}. Per schatting "
                  "staat of die vergelijkbaar is (zelfde of vergelijkbare vraag in beide instrumenten, en dezelfde "
                  "referteperiode, hetzelfde referentievoorval, wel of geen definitie vooraf en dezelfde populatie). "
                  "Alleen voor vergelijkbare schattingen staat een verschil met een 95%-interval (Newcombe); niet "
                  "vergelijkbare schattingen staan er beschrijvend, gemarkeerd als 'niet vergelijkbaar', zonder toets."),
        BulletList(summary_lines) if summary_lines else Paragraph("Geen gemeenschappelijke schattingen."),
    ]

    # --- side by side (type, overall)
    side_rows = []
    for wave in waves:
        prev = wave_tables[wave].get("prevalence")
        rows = _rows(prev, "type")
        rows = _mark_not_measured(rows, unseen[wave])
        side_rows.append(rows)
    side = pd.concat(side_rows, ignore_index=True) if side_rows else pd.DataFrame()
    type_cmp = overall[overall["variable"] == "type"]
    comparable_of = {}
    for wave in waves:
        for cat in ALL_TYPES + (GREY_AREA,):
            hits = type_cmp[((type_cmp["wave_a"] == wave) | (type_cmp["wave_b"] == wave)) & (type_cmp["category"] == cat)]
            comparable_of[(wave, cat)] = bool(len(hits)) and bool(hits["comparable"].astype(bool).all())
    side = side.assign(comparable=[comparable_of.get((str(w), str(c)), False) for w, c in zip(side["wave"], side["category"])])
    chart_rows = side[side["category"].astype(str).isin(["improper_pressure", "improper_request", GREY_AREA])]
    out = figures.comparison_chart(chart_rows, figure_dir / "vergelijking.svg", waves=waves,
                                   order=["improper_pressure", "improper_request", GREY_AREA], k=k)
    side_table_rows = []
    for cat in ALL_TYPES + (GREY_AREA,):
        line = [category_label("type", cat) + (" (apart gerapporteerd)" if cat == GREY_AREA else "")]
        for wave in waves:
            rec = _record(wave_tables[wave].get("prevalence"), "type", cat)
            cell = share_cell(rec, not_measured=cat in unseen[wave])
            if cell not in (NOT_MEASURED, SUPPRESSED) and not comparable_of.get((wave, cat), False):
                cell += " (niet vergelijkbaar)"
            line.append(cell)
        side_table_rows.append(line)
    n_line = ["n (beantwoordde de openingsvraag)"] + [n_cell(_record(wave_tables[w].get("prevalence"), "gate_status", "answered"),
                                                              "numerator") for w in waves]
    side_table = pd.DataFrame([n_line] + side_table_rows, columns=["Type interactie"] + waves)
    side_basis = " | ".join(f"{w}: " + basis_for(_rows(wave_tables[w].get("prevalence"), "type"), metas[w], k) for w in waves)
    next_to = [
        Paragraph("@fig-vergelijking en @tbl-naast-elkaar zetten de aandelen per meting naast elkaar. Een aandeel dat "
                  "niet met de andere meting(en) vergelijkbaar is, is gemarkeerd als 'niet vergelijkbaar' (grijs "
                  "gearceerd in de figuur): het verschil kan mede uit de andere meetwijze komen."),
        out.block(_caption("Ervaren oneigenlijke druk, oneigenlijke verzoeken en twijfelgevallen per meting", out.basis),
                  "fig-vergelijking", relative_to=qmd_dir),
        Table(side_table, "De metingen naast elkaar: aandeel en 95%-interval", "tbl-naast-elkaar", side_basis,
              notes=[render.load_caveats()["notes"]["not_measured"]], min_cell_size=k),
    ]

    # --- comparability per estimate, and differences only where comparable (one block per pair)
    from drukmonitor.comparability import fact_reasons

    comparability: list[Any] = [Paragraph(
        "Vergelijkbaar is een schatting alleen als elk veld dat ze gebruikt in beide instrumenten identiek of "
        "vergelijkbaar is gemeten, en referteperiode, referentievoorval, definitie vooraf en populatie gelijk zijn "
        "(classificatieregels, sectie 5). Per paar metingen staat hieronder het oordeel per schatting, met de redenen.")]
    differences: list[Any] = []
    for index, (wave_a, wave_b) in enumerate(pairs, 1):
        rows = overall[(overall["wave_a"] == wave_a) & (overall["wave_b"] == wave_b)]
        measured_rows = rows[both.loc[rows.index]]
        common = fact_reasons({"id": wave_a, **metas[wave_a]}, {"id": wave_b, **metas[wave_b]})
        pair_basis = "Basis: " + "; ".join(
            f"{w}: n = {fmt_int(_n_total(wave_tables[w].get('prevalence')))} respondenten, referteperiode "
            f"{metas[w].get('reference_period_label', '?')}, instrument {render.instrument_label(str(metas[w].get('instrument', '')))}"
            for w in (wave_a, wave_b))
        comp_rows = []
        for (variable, comparable, reasons), block in measured_rows.groupby(
                ["variable", "comparable", "comparability_reasons"], sort=False, dropna=False):
            own = [r for r in (str(reasons).split("; ") if not render._is_missing(reasons) and str(reasons) else [])
                   if r not in common]
            comp_rows.append([variable_label(str(variable)),
                              ", ".join(category_label(str(variable), c) for c in block["category"].astype(str)),
                              "vergelijkbaar" if comparable else "niet vergelijkbaar",
                              "; ".join(own) if own else ("-" if comparable else "zie boven")])
        for variable, block in rows[~both.loc[rows.index]].groupby("variable", sort=False):
            missing = [w for w, flag in ((wave_a, block["measured_a"].astype(bool).all()),
                                         (wave_b, block["measured_b"].astype(bool).all())) if not flag]
            comp_rows.append([variable_label(str(variable)),
                              ", ".join(category_label(str(variable), c) for c in block["category"].astype(str)),
                              "niet gemeten", "niet gemeten in " + " en ".join(missing)])
        comparability += [
            Heading(f"{md_escape(wave_a)} en {md_escape(wave_b)}", level=3),
            Paragraph(("Voor alle schattingen van dit paar geldt: " + md_escape("; ".join(common)) +
                       ". Daarom is geen enkele schatting vergelijkbaar.") if common else
                      "Referteperiode, referentievoorval, definitie vooraf en populatie zijn gelijk; het oordeel hangt "
                      "af van de velden die een schatting gebruikt."),
            Table(pd.DataFrame(comp_rows, columns=["Schatting", "Categorieën", "Oordeel", "Redenen"]),
                  f"Vergelijkbaarheid per schatting: {md_escape(wave_a)} en {md_escape(wave_b)}",
                  f"tbl-vergelijkbaarheid-{index}", pair_basis, align="llll", min_cell_size=k),
        ]
        if _cross_instrument(rows):
            comparability.append(render.caveat_callout("instrument_change", quote=False, template_dir=template_dir))
        # differences
        comparable_rows = measured_rows[measured_rows["comparable"].astype(bool)]
        not_comparable = measured_rows[~measured_rows["comparable"].astype(bool)]
        differences.append(Heading(f"{md_escape(wave_a)} tegenover {md_escape(wave_b)}", level=3))
        if comparable_rows.empty:
            differences.append(Paragraph(
                f"Geen enkele schatting van {md_escape(wave_a)} en {md_escape(wave_b)} is vergelijkbaar: alle "
                f"{len(not_comparable)} schattingen zijn **niet vergelijkbaar** en staan alleen beschrijvend naast "
                f"elkaar (@tbl-naast-elkaar), zonder verschil, interval of toets (@tbl-vergelijkbaarheid-{index})."))
        else:
            diff_rows = []
            for rec in comparable_rows.to_dict("records"):
                label = f"{variable_label(str(rec['variable']))}: {category_label(str(rec['variable']), rec['category'])}"
                a = fmt_pct(rec.get("share_a"), suppressed=bool(rec.get("suppressed_a")))
                b = fmt_pct(rec.get("share_b"), suppressed=bool(rec.get("suppressed_b")))
                if rec.get("suppressed"):
                    diff_rows.append([label, a, b, SUPPRESSED, SUPPRESSED, SUPPRESSED])
                else:
                    diff_rows.append([label, a, b, fmt_pp(rec.get("diff")).replace(" procentpunt", ""),
                                      fmt_ci(rec.get("ci_low"), rec.get("ci_high")).replace("%", ""),
                                      fmt_p(rec.get("p_adjusted"))])
            diff_table = pd.DataFrame(diff_rows, columns=["Schatting", "a", "b", "Verschil a - b (pp)",
                                                          "95%-interval (pp)", "p (gecorr.)"])
            method = next((str(m) for m in comparable_rows["method"].dropna() if "Newcombe" in str(m)), "")
            differences += [
                Paragraph(f"Verschil = aandeel in {md_escape(wave_a)} min aandeel in {md_escape(wave_b)}, in procentpunten "
                          f"(pp), met het 95%-interval van Newcombe ({md_escape(method) or 'hybride score'}); p-waarden "
                          f"gecorrigeerd voor meervoudig toetsen (@tbl-verschil-{index})."
                          + (f" {len(not_comparable)} schattingen zijn **niet vergelijkbaar** en hebben daarom geen "
                             "verschil, interval of toets." if len(not_comparable) else "")),
                Table(diff_table, f"Verschillen tussen a = {md_escape(wave_a)} en b = {md_escape(wave_b)} (alleen "
                      "vergelijkbare schattingen)", f"tbl-verschil-{index}", pair_basis,
                      notes=["Aandelen van de hele meting (geen uitsplitsing)."], min_cell_size=k),
            ]
        differences.append(render.caveat_callout("integrity_paradox", quote=False, template_dir=template_dir))
        if _cross_instrument(rows):
            differences.append(render.caveat_callout("instrument_change", quote=False, template_dir=template_dir))
    if not differences:
        differences = [Paragraph("Er zijn geen schattingen die in beide metingen gemeten zijn.")]
    sec = lambda sid, blocks: outline_section(outline, sid, blocks, template_dir=template_dir)  # noqa: E731
    next_blocks = next_to + ([render.caveat_callout("instrument_change", quote=False, template_dir=template_dir)]
                             if cross else [])
    sections = [
        sec("sec-samenvatting", summary),
        sec("sec-naast-elkaar", next_blocks),
        sec("sec-vergelijkbaarheid", comparability),
        sec("sec-verschillen", differences),
        sec("sec-kanttekeningen", [Paragraph("Bij elke vergelijking in dit rapport horen de volgende kanttekeningen.")]),
        outline_section(outline, "sec-herkomst", provenance_blocks(manifest, waves),
                        template_dir=template_dir),
    ]
    return Report("comparison", f"vergelijking_{comparison['id']}", title, sections,
                  subtitle=f"{organisation} · {' · '.join(waves)}",
                  front_matter={"organisation": organisation, "comparison": str(comparison["id"])},
                  figures=sorted(figure_dir.glob("*.svg")))


# ----------------------------------------------------------------------------------------------
# team feedback sheets
# ----------------------------------------------------------------------------------------------


def eligible_units(prevalence: pd.DataFrame | None, k: int) -> list[str]:
    """Units with at least k respondents whose size is published (a unit whose base is suppressed
    gets no sheet); the '(onbekend)' group is not a team."""
    rows = _rows(prevalence, "type", group_var="org_unit")
    units = []
    for group, block in rows.groupby("group", sort=True):
        if str(group) == UNKNOWN_GROUP:
            continue
        n = pd.to_numeric(block["n_total"], errors="coerce").dropna()
        suppressed = block.get("n_total_suppressed", pd.Series(False, index=block.index)).fillna(False).astype(bool).any()
        if not suppressed and len(n) and int(n.iloc[0]) >= k:
            units.append(str(group))
    return units


def build_team_sheets(
    *,
    tables: Mapping[str, pd.DataFrame | None],
    meta: Mapping[str, Any],
    settings: Mapping[str, Any],
    organisation: str,
    crosswalk: Any = None,
    manifest: Mapping[str, Any] | None = None,
    figure_dir: PathLike,
    qmd_dir: PathLike,
    template_dir: PathLike | None = None,
) -> Report:
    """One short page per unit with at least k respondents: the unit's distribution over the types
    beside the organisation's, and Schein's two reflection questions."""
    k = int(settings.get("min_cell_size", 10))
    check_tables(tables, k, prefix=f"{meta.get('id', '')}/")
    figure_dir, qmd_dir = Path(figure_dir), Path(qmd_dir)
    outline = load_outlines(template_dir)["team_sheets"]
    unit_spec = outline["unit_section"]
    prevalence = tables.get("prevalence")
    unseen = not_measured_types(prevalence, crosswalk, settings)
    units = eligible_units(prevalence, k)
    wave_id = str(meta.get("id", ""))
    intro = [
        Paragraph(f"Deze teambladen geven per eenheid de resultaten van meting {md_escape(wave_id)} naast die van de hele "
                  f"organisatie. Ze zijn bedoeld om eerst in het team te bespreken, op het niveau waar de gegevens zijn "
                  f"verzameld (Heres en Bovens 2020, §3.2). Alleen eenheden met ten minste {k} respondenten krijgen een "
                  f"blad; in kleinere eenheden zouden collega's elkaars antwoorden kunnen herleiden."),
        Paragraph(f"Teambladen in dit document: {len(units)}." if units else
                  f"Geen enkele eenheid heeft ten minste {k} respondenten met gepubliceerde aantallen: er zijn geen teambladen."),
    ]
    sections = [Section("Over deze teambladen", intro, id="sec-inleiding")]
    for index, unit in enumerate(units, 1):
        rows = []
        records_unit, records_all = [], []
        for cat in ALL_TYPES + (GREY_AREA,):
            unit_rec = _record(prevalence, "type", cat, group_var="org_unit", group=unit)
            all_rec = _record(prevalence, "type", cat)
            if unit_rec is not None:
                records_unit.append(unit_rec)
            if all_rec is not None:
                records_all.append(all_rec)
            label = category_label("type", cat) + (" (apart)" if cat == GREY_AREA else "")
            rows.append([label, share_cell(unit_rec, not_measured=cat in unseen), share_cell(all_rec, not_measured=cat in unseen)])
        unit_any = records_unit[0] if records_unit else None
        n_unit = unit_any.get("n_total") if unit_any else None
        table = pd.DataFrame(rows, columns=["Type interactie", f"{unit}", "Hele organisatie"])
        basis = (f"Basis: {unit}: n = {n_cell(unit_any)} (beantwoordde de openingsvraag) van {fmt_int(n_unit)} "
                 f"respondenten; hele organisatie: n = {n_cell(records_all[0] if records_all else None)} · referteperiode: "
                 f"{meta.get('reference_period_label', '?')} · instrument: {render.instrument_label(str(meta.get('instrument', '')))}")
        fig_rows = pd.concat([_rows(prevalence, "type", category="improper_pressure"),
                              _rows(prevalence, "type", group_var="org_unit", group=unit, category="improper_pressure")])
        blocks: list[Any] = [
            Paragraph(f"**{md_escape(unit)}**: {fmt_int(n_unit)} respondenten. Aandeel van wie de openingsvraag "
                      f"beantwoordde, met 95%-interval; {SUPPRESSED} = onderdrukt (te weinig respondenten)."),
            Table(table, f"{md_escape(unit)} naast de hele organisatie", f"tbl-team-{index}", basis, min_cell_size=k,
                  align="lll"),
        ]
        if "improper_pressure" not in unseen and len(fig_rows) == 2:
            out = figures.prevalence_intervals(fig_rows, figure_dir / f"team_{index:02d}.svg", k=k,
                                               labels={TOTAL_GROUP: "Hele organisatie"})
            path = Path(out.path).resolve().relative_to(qmd_dir.resolve())
            blocks.append(render.Figure(path, _caption(f"Ervaren oneigenlijke druk: {md_escape(unit)} en de hele "
                                                       "organisatie", out.basis),
                                        f"fig-team-{index}", out.alt_text, width="80%"))
        blocks += [short_caveat(key, template_dir=template_dir) for key in unit_spec.get("caveats", [])]
        blocks += render.reflection_questions_blocks(template_dir)
        sections.append(Section(md_escape(unit_spec["title"].format(unit=unit)), blocks, id=f"sec-team-{index}", new_page=True))
    sections.append(Section("Herkomst van de cijfers",
                            provenance_blocks(manifest, [wave_id]),
                            id="sec-herkomst", new_page=True))
    return Report("team_sheets", f"teambladen_{wave_id}", outline["title"], sections,
                  subtitle=f"{organisation} · meting {wave_id}",
                  front_matter={"organisation": organisation, "wave": wave_id, "toc": False,
                                "format": {"html": {"toc": False}, "typst": {"toc": False}}},
                  figures=sorted(figure_dir.glob("*.svg")))


# ----------------------------------------------------------------------------------------------
# data and audit report
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveAudit:
    """Aggregated, value-free facts about one wave for the audit report (never ids or values)."""

    wave: str
    instrument: str
    file: str
    summary: Mapping[str, Any]
    rows_classified: int
    rejects_by_reason_column: Mapping[tuple[str, str], int]
    routing_by_item: Mapping[str, int]
    flags: Mapping[str, int | None]


REJECT_REASON_LABELS = {
    "duplicate_id": "dubbel respondentnummer",
    "missing_id": "respondentnummer ontbreekt",
    "unknown_code": "onbekende code",
    "unknown_label": "onbekend antwoordlabel",
    "out_of_range": "waarde buiten het bereik",
    "exclusive_option": "exclusieve optie samen met andere aangevinkt",
    "not_a_number": "geen getal",
    "invalid_weight": "ongeldige weegfactor",
}
VALUE_REASONS = ("unknown_code", "unknown_label", "out_of_range", "not_a_number", "exclusive_option", "invalid_weight")


def audit_counts(classified: pd.DataFrame, rejects: pd.DataFrame, not_measured: Iterable[str] = ()
                 ) -> tuple[dict[tuple[str, str], int], dict[str, int], dict[str, int | None]]:
    """Counts only: (reason, column) of the rejects, routing violations per item, flags (None for a
    flag the instrument's crosswalk does not measure)."""
    not_measured = set(not_measured)
    by_reason: dict[tuple[str, str], int] = {}
    if rejects is not None and len(rejects):
        grouped = rejects.groupby([rejects["reason"].astype("string").fillna(""),
                                   rejects["column"].astype("string").fillna("")], sort=True).size()
        by_reason = {(str(r), str(c)): int(n) for (r, c), n in grouped.items()}
    routing: dict[str, int] = {}
    if "routing_violation" in classified.columns:
        for value in classified["routing_violation"].astype("string").fillna(""):
            for item in {x.strip() for x in str(value).split(",") if x.strip()}:
                routing[item] = routing.get(item, 0) + 1
    flags: dict[str, int | None] = {}
    for column in ("inconsistent_pressure", "cooccurrence_uncertain"):
        if column in not_measured:
            flags[column] = None
        elif column in classified.columns:
            flags[column] = int(classified[column].astype("boolean").fillna(False).astype(bool).sum())
    return by_reason, dict(sorted(routing.items())), flags


def _pseudonym_callout(key_status: Mapping[str, Any]) -> list[Any]:
    env = md_escape(key_status.get("key_env", "DRUKMONITOR_PSEUDONYM_KEY"))
    if key_status.get("demo_key"):
        return [Callout("warning", "Demosleutel voor pseudonimisering gebruikt",
                        f"Deze run gebruikte de meegeleverde demosleutel (de waarde van {env} begint met 'demo-'). "
                        "De gepseudonimiseerde respondentnummers in de exports zijn daarmee door iedereen met deze "
                        "code terug te rekenen. Gebruik voor echte gegevens een eigen, geheime sleutel in "
                        f"{env} en deel de exports van deze run niet.")]
    if not key_status.get("key_set"):
        return [Callout("warning", "Geen pseudonimiseringssleutel",
                        f"{env} was niet gezet; exports met gepseudonimiseerde nummers zijn niet te maken.")]
    return [Paragraph(f"Pseudonimisering: een eigen sleutel uit {env} (de sleutel zelf staat nergens in de uitvoer).")]


def build_audit_report(
    *,
    waves: Sequence[WaveAudit],
    manifest: Mapping[str, Any],
    settings: Mapping[str, Any],
    key_status: Mapping[str, Any],
    organisation: str = "",
    template_dir: PathLike | None = None,
) -> Report:
    """Per raw file: checksum, rows in / classified / rejected with reasons, routing violations,
    unmapped or out-of-range values (counts), configuration, software and the full manifest."""
    k = int(settings.get("min_cell_size", 10))
    outline = load_outlines(template_dir)["audit"]
    rows_total = sum(int(w.summary.get("rows_in") or 0) for w in waves)
    instruments = ", ".join(dict.fromkeys(render.instrument_label(w.instrument) for w in waves)) or "geen"
    run_basis = (f"Basis: n = {fmt_int(rows_total)} rijen in {len(waves)} ruwe bestanden van run {manifest.get('run_id', '')} · "
                 f"referteperiode: per meting (zie de monitorrapporten) · instrumenten: {instruments}")
    files, hashes, recon, reject_rows, value_rows, routing_rows = [], [], [], [], [], []
    for w in waves:
        s = w.summary
        entry = manifest_wave(manifest, w.wave)
        match = "ja" if entry.get("sha256") and entry.get("sha256") == s.get("sha256") else "nee"
        files.append([w.wave, w.instrument, str(s.get("file_format", "?")), fmt_int(s.get("rows_in")), match])
        hashes.append(f"**{md_escape(w.wave)}:** {_code(w.file)}, SHA-256 {_code(s.get('sha256', '?'))}")
        rows_in = int(s.get("rows_in", 0))
        rejected = int(s.get("rows_rejected", 0))
        ok = rows_in == w.rows_classified + rejected
        recon.append([w.wave, fmt_int(rows_in), fmt_int(s.get("rows_accepted")), fmt_int(w.rows_classified),
                      fmt_int(rejected), "klopt" if ok else "KLOPT NIET"])
        for (reason, column), n in w.rejects_by_reason_column.items():
            reject_rows.append([w.wave, REJECT_REASON_LABELS.get(reason, reason), column or "-", fmt_int(n)])
            if reason in VALUE_REASONS:
                value_rows.append([w.wave, column or "-", REJECT_REASON_LABELS.get(reason, reason), fmt_int(n)])
        for item, n in w.routing_by_item.items():
            routing_rows.append([w.wave, f"routingfout bij {item}", coarse_count(n, k)])
        for flag, n in w.flags.items():
            routing_rows.append([w.wave, variable_label(flag), "niet van toepassing" if n is None else coarse_count(n, k)])
    file_table = pd.DataFrame(files, columns=["Meting", "Instrument", "Formaat", "Rijen in", "SHA-256 gelijk aan manifest"])
    recon_table = pd.DataFrame(recon, columns=["Meting", "Rijen in", "Geaccepteerd", "Geclassificeerd", "Afgewezen", "Aansluiting"])
    sections = [
        outline_section(outline, "sec-bestanden", [
            Paragraph("Dit rapport legt verantwoording af over de gegevens van deze run: welke ruwe bestanden zijn "
                      "ingelezen (met hun SHA-256-controlegetal), wat daarmee is gebeurd, en met welke configuratie en "
                      "software. Het toont alleen aantallen, nooit antwoorden, open tekst of respondentnummers."),
            *_pseudonym_callout(key_status),
            Table(file_table, "Ruwe bestanden", "tbl-bestanden", run_basis, align="lllrl"),
            Paragraph("Bestanden en hun SHA-256-controlegetal (zoals gelezen bij het inlezen):"),
            BulletList(hashes),
        ], template_dir=template_dir),
        outline_section(outline, "sec-afwijzingen", [
            Paragraph("Rijen die niet te gebruiken waren, zijn niet stilzwijgend weggelaten maar afgewezen, met een reden "
                      "per kolom. Hieronder staan alleen de aantallen per reden en kolom; de afgewezen waarden zelf en de "
                      "respondentnummers staan alleen in het lokale bestand `rejects.csv` van de meting (voor wie het ruwe "
                      "bestand beheert) en komen nooit in een rapport."),
            Table(pd.DataFrame(reject_rows or [["-", "geen afgewezen rijen", "-", "0"]],
                               columns=["Meting", "Reden", "Kolom", "Afgewezen rijen"]),
                  "Afgewezen rijen per reden en kolom", "tbl-afwijzingen", run_basis, align="lllr"),
        ], template_dir=template_dir),
        outline_section(outline, "sec-routing", [
            Paragraph("Een routingfout betekent dat een respondent een vraag beantwoordde die de routing oversloeg, of "
                      "een verplichte vervolgvraag leeg liet; het antwoord is bewaard en gemarkeerd. Tegenstrijdige "
                      f"antwoorden zijn gemarkeerd, niet verwijderd. Aantallen respondenten onder {k} staan als "
                      f"'< {k}' (dezelfde regel als in alle andere rapporten)."),
            Table(pd.DataFrame(routing_rows or [["-", "geen routingfouten of markeringen", "0"]],
                               columns=["Meting", "Markering", "Aantal respondenten"]),
                  "Routingfouten en inconsistenties", "tbl-routing", run_basis, align="llr", min_cell_size=k),
        ], template_dir=template_dir),
        outline_section(outline, "sec-waarden", [
            Paragraph("Elke broncode moet in het codeboek staan; een onbekende code laat het inlezen van het hele "
                      "bestand mislukken, tenzij de run onbekende codes als afgewezen rijen behandelt. Hieronder de "
                      "onbekende, ongeldige of buiten het bereik vallende waarden die zijn gevonden (aantallen per kolom)."),
            Table(pd.DataFrame(value_rows or [["-", "-", "geen onbekende of ongeldige waarden", "0"]],
                               columns=["Meting", "Kolom", "Soort", "Afgewezen rijen"]),
                  "Onbekende of ongeldige waarden", "tbl-waarden", run_basis, align="lllr"),
            *_warning_blocks(waves),
        ], template_dir=template_dir),
        outline_section(outline, "sec-reconciliatie", [
            Paragraph("Per bestand moet gelden: rijen in = geclassificeerd + afgewezen. Zo valt geen rij ongemerkt weg."),
            Table(recon_table, "Aansluiting per bestand", "tbl-aansluiting", run_basis, align="lrrrrl"),
        ], template_dir=template_dir),
        outline_section(outline, "sec-omgeving", _environment_blocks(manifest, settings, k), template_dir=template_dir),
        Section("Volledig herkomstmanifest", _manifest_blocks(manifest), id="sec-manifest"),
    ]
    title = outline["title"]
    return Report("audit", "audit", title, sections,
                  subtitle=f"{organisation} · run {manifest.get('run_id', '')}" if organisation else f"run {manifest.get('run_id', '')}",
                  front_matter={"organisation": organisation, "run": str(manifest.get("run_id", ""))})


def _warning_blocks(waves: Sequence[WaveAudit]) -> list[Any]:
    lines = []
    for w in waves:
        for warning in w.summary.get("warnings") or []:
            lines.append(f"{md_escape(w.wave)}: {md_escape(' '.join(str(warning).split())[:300])}")
    if not lines:
        return [Paragraph("Het inlezen gaf geen waarschuwingen over de metadata van de bestanden.")]
    return [Paragraph("Waarschuwingen bij het inlezen (over kolommen en labels van de bestanden, niet over antwoorden):"),
            BulletList(lines)]


def _environment_blocks(manifest: Mapping[str, Any], settings: Mapping[str, Any], k: int) -> list[Any]:
    software = manifest.get("software") or {}
    installed = software.get("installed") or {}
    locked = software.get("locked") or {}
    renderer = manifest.get("renderer") or {}
    versions = dict(renderer.get("versions") or {}) if isinstance(renderer, Mapping) else {}
    rows = [["python", str(manifest.get("python", "?")), "-"]]
    for name in sorted(installed):
        rows.append([name, str(installed[name]), str(locked.get(name.lower(), "-"))])
    for name, version in sorted(versions.items()):
        rows.append([f"{name} (renderer)", str(version), "-"])
    config_rows = [["Configuratie (SHA-256)", str(manifest.get("config_sha256", "?"))],
                   ["Code (git-commit)", _git_text(manifest)],
                   ["Opmaak (renderer)", renderer_text(manifest)],
                   ["Vergrendelde pakketten (requirements.lock, SHA-256)",
                    str((software.get("lock_file") or {}).get("sha256", "?"))]]
    config_rows += [[f"Instelling {key}", json.dumps(value, ensure_ascii=False)] for key, value in sorted(settings.items())]
    return [
        Paragraph(f"Dezelfde ruwe bestanden, dezelfde configuratie en dezelfde software geven dezelfde uitkomsten, tot "
                  f"op de byte. Minimale celomvang k = {k}."),
        Table(pd.DataFrame(config_rows, columns=["Onderdeel", "Waarde"]), "Configuratie", "tbl-configuratie",
              "Basis: configuratie van deze run", align="ll"),
        Table(pd.DataFrame(rows, columns=["Software", "Geïnstalleerd", "Vergrendeld"]), "Softwareversies",
              "tbl-software", "Basis: de omgeving waarin deze run draaide", align="lll"),
    ]


def _manifest_blocks(manifest: Mapping[str, Any]) -> list[Any]:
    entries = []
    for group, name in (("raw_files", "ruw bestand"), ("codebooks", "codeboek"), ("crosswalks", "crosswalk"),
                        ("other_inputs", "overige invoer")):
        for entry in manifest.get(group) or []:
            entries.append([name, str(entry.get("path", "")), str(entry.get("sha256", ""))])
    locked = (manifest.get("software") or {}).get("locked") or {}
    blocks: list[Any] = [
        Paragraph("Het herkomstmanifest (`provenance.json`) van deze run, volledig. Het bevat geen tijdstempels: "
                  "twee runs van dezelfde invoer geven hetzelfde manifest."),
        Table(pd.DataFrame(entries, columns=["Soort", "Bestand", "SHA-256"]), "Invoerbestanden met controlegetal",
              "tbl-manifest-bestanden", "Basis: herkomstmanifest van deze run", align="lll"),
    ]
    if locked:
        blocks.append(Table(pd.DataFrame(sorted(locked.items()), columns=["Pakket", "Versie"]),
                            "Vergrendelde pakketversies (requirements.lock)", "tbl-manifest-lock",
                            "Basis: requirements.lock van deze run", align="ll"))
    config = manifest.get("config") or {}
    blocks.append(Paragraph("De configuratie van de run, zoals gehasht:"))
    blocks.append(Markdown("```json\n" + json.dumps(config, indent=2, sort_keys=True, ensure_ascii=False) + "\n```"))
    return blocks


__all__ = [
    "Report", "ReportDisclosureError", "WaveAudit", "audit_counts", "build_audit_report",
    "build_comparison_report", "build_monitor_report", "build_team_sheets", "check_publishable", "describe_condition",
    "eligible_units", "load_outlines", "not_measured_types",
    "write_report",
]
