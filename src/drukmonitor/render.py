"""Results-only Quarto documents and their rendering to self-contained HTML and PDF.

The workflow computes every number, table and figure; a report is a ``.qmd`` file WITHOUT code
cells, assembled here from typed blocks (:func:`build_qmd`), and rendered by
:func:`render_report`:

* with Quarto (``quarto render``) when ``quarto`` is on PATH, or
* otherwise with the pandoc that pypandoc-binary bundles (HTML: ``--standalone
  --embed-resources`` plus ``workflow/report_templates/style.css``) and the ``typst`` Python
  package (pandoc ``-t typst`` with ``template.typ``, then ``typst.compile``).

Both routes understand the same source: ``{#fig-x}`` / ``{#tbl-x}`` labels with ``@fig-x`` /
``@tbl-x`` references, ``fig-alt``, ``::: {.callout-warning title=...}`` callouts,
``{{< meta key >}}`` and ``{{< pagebreak >}}`` shortcodes. The fallback gets these from
``drukmonitor.lua``. Every report says which renderer made it (``renderer`` metadata, shown in the
colophon) and re-renders byte-identically: no dates, no random ids, only fonts embedded in typst.

Dutch number formatting lives here too (decimal comma, ``12,3%``, ``(9,8% – 15,1%)``, dates as
``1 februari 2021``) together with the suppression symbol (``•``) that every published table and
figure uses. Dutch labels of codes are never defined here: ``TYPE_LABELS``, ``CONTEXT_LABELS`` and
``STATUS_LABELS`` are read-only views of ``workflow/labels.yaml`` (:mod:`drukmonitor.labels`).
:func:`renderer_info` says which renderer :func:`render_report` will use (recorded in the
provenance manifest).
"""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
from collections.abc import Mapping as _AbcMapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

import pandas as pd
import yaml

from drukmonitor.errors import DrukmonitorError
from drukmonitor.io import write_bytes, write_text

# --------------------------------------------------------------------------------------------
# constants
# --------------------------------------------------------------------------------------------

#: Shown instead of a suppressed count/share (disclosure control, reporting.md).
SUPPRESSED = "•"
#: Shown where an instrument cannot observe a cell (never zero).
NOT_MEASURED = "niet gemeten"
#: Shown where a value does not apply / is missing for another reason.
NOT_AVAILABLE = "–"

RENDERER_QUARTO = "quarto"
RENDERER_FALLBACK = "pandoc+typst"
#: Environment variable that forces a renderer: ``auto`` (default), ``quarto`` or ``pandoc+typst``.
RENDERER_ENV = "DRUKMONITOR_RENDERER"
#: Environment variable that points at another template directory.
TEMPLATE_DIR_ENV = "DRUKMONITOR_TEMPLATE_DIR"

_REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE_DIR = _REPO_ROOT / "workflow" / "report_templates"

CALLOUT_KINDS = ("note", "tip", "important", "warning", "caution")

class LabelView(_AbcMapping):
    """Read-only code -> Dutch label mapping backed by ``workflow/labels.yaml`` (drukmonitor.labels),
    the one source of Dutch labels. Looked up on every access, so ``DRUKMONITOR_LABELS`` is honoured.

    ``column`` names a labelled output column (its domain gives the labels); ``extra`` adds labels
    for categories that are not codes of that column but appear beside them in estimate tables
    (taken from labels.yaml too: e.g. ``grey_area`` as a category of ``type``).
    """

    def __init__(self, column: str, extra_columns: Mapping[str, str] | None = None) -> None:
        self.column = column
        self.extra_columns = dict(extra_columns or {})

    def _data(self) -> dict[str, str]:
        from drukmonitor import labels as _labels

        data = dict(_labels.labels_for(self.column))
        if self.extra_columns:
            names = _variable_names(str(_labels.default_labels_path()))
            for code, column in self.extra_columns.items():
                if column in names:
                    data.setdefault(code, str(names[column]))
        return data

    def __getitem__(self, key: str) -> str:
        return self._data()[key]

    def __iter__(self):
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __repr__(self) -> str:
        return f"LabelView({self.column!r})"


@functools.lru_cache(maxsize=4)
def _variable_names(path: str) -> dict[str, str]:
    from drukmonitor import labels as _labels

    table = _labels.variable_labels(path)
    return dict(zip(table["variable"].astype(str), table["label_nl"].astype(str)))


#: Dutch labels of the classifier's codes (classification.md section 3), from workflow/labels.yaml.
TYPE_LABELS: Mapping[str, str] = LabelView("type", {"grey_area": "grey_area"})
CONTEXT_LABELS: Mapping[str, str] = LabelView("context")
STATUS_LABELS: Mapping[str, str] = LabelView("gate_status")
INSTRUMENT_LABELS: dict[str, str] = {
    "uu2020": "nieuw meetinstrument (Kader 2, Heres en Bovens 2020)",
    "mto2019": "MTO 2019 Gemeente Rotterdam",
    "io2018": "I&O Research 2018",
    "fnv2018": "FNV 2018",
    "wodc2018": "WODC-II 2018",
}


class RenderError(DrukmonitorError):
    """A report could not be built or rendered."""


# --------------------------------------------------------------------------------------------
# Dutch number formatting
# --------------------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _round_half_up(value: float, digits: int) -> Decimal:
    # repr() gives the shortest decimal that round-trips, so 0.1235 rounds to 12,4 (not 12,3).
    quantum = Decimal(1).scaleb(-digits)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def fmt_num(value: Any, digits: int = 1, *, na: str = NOT_AVAILABLE, sign: bool = False) -> str:
    """``3.456 -> "3,5"``; thousands separated with a point (``1.234,5``); minus sign U+2212."""
    if _is_missing(value):
        return na
    number = float(value)
    if math.isinf(number):
        return na
    rounded = _round_half_up(abs(number), digits)
    text = f"{rounded:,.{digits}f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    negative = number < 0 and rounded != 0
    if negative:
        return "\u2212" + text
    if sign and rounded != 0:
        return "+" + text
    return text


def fmt_int(value: Any, *, na: str = NOT_AVAILABLE) -> str:
    """``1400 -> "1.400"``."""
    return fmt_num(value, 0, na=na)


def fmt_pct(
    share: Any, digits: int = 1, *, suppressed: bool = False, na: str = NOT_AVAILABLE
) -> str:
    """A share (0..1) as a Dutch percentage: ``0.123 -> "12,3%"``; suppressed -> ``•``."""
    if suppressed:
        return SUPPRESSED
    if _is_missing(share):
        return na
    return fmt_num(float(share) * 100.0, digits) + "%"


def fmt_ci(
    low: Any, high: Any, digits: int = 1, *, suppressed: bool = False, na: str = NOT_AVAILABLE
) -> str:
    """An interval of shares: ``(0.098, 0.151) -> "(9,8% – 15,1%)"``."""
    if suppressed:
        return SUPPRESSED
    if _is_missing(low) or _is_missing(high):
        return na
    return f"({fmt_pct(low, digits)} \u2013 {fmt_pct(high, digits)})"


def fmt_pct_ci(
    share: Any, low: Any, high: Any, digits: int = 1, *, suppressed: bool = False
) -> str:
    """``"12,3% (9,8% – 15,1%)"``."""
    if suppressed:
        return SUPPRESSED
    point = fmt_pct(share, digits)
    interval = fmt_ci(low, high, digits)
    return point if interval == NOT_AVAILABLE else f"{point} {interval}"


def fmt_pp(diff: Any, digits: int = 1, *, na: str = NOT_AVAILABLE) -> str:
    """A difference of two shares in percentage points: ``0.023 -> "+2,3 procentpunt"``."""
    if _is_missing(diff):
        return na
    return fmt_num(float(diff) * 100.0, digits, sign=True) + " procentpunt"


def fmt_p(p: Any, *, na: str = NOT_AVAILABLE) -> str:
    """A p-value: ``"p = 0,032"``, ``"p < 0,001"``."""
    if _is_missing(p):
        return na
    if float(p) < 0.001:
        return "p < 0,001"
    return "p = " + fmt_num(p, 3)


def fmt_period(reference_period: Any) -> str:
    """``12 -> "12 maanden"``; strings are kept."""
    if _is_missing(reference_period):
        return "onbekend"
    if isinstance(reference_period, (int, float)) and float(reference_period).is_integer():
        months = int(reference_period)
        return f"{months} maand" if months == 1 else f"{months} maanden"
    text = str(reference_period).strip()
    if text.isdigit():
        return fmt_period(int(text))
    return text


_MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
              "oktober", "november", "december")


def fmt_date(value: Any, *, na: str = "onbekend") -> str:
    """An ISO date as Dutch text: ``"2021-02-01" -> "1 februari 2021"``; other text is kept."""
    if _is_missing(value) or str(value).strip() == "":
        return na
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text[:10])
    if not match:
        return text
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return text
    return f"{day} {_MONTHS_NL[month - 1]} {year}"


def fmt_period_range(start: Any, end: Any) -> str:
    """Fieldwork period: ``"1 februari 2021 – 19 februari 2021"``."""
    if _is_missing(start) and _is_missing(end):
        return "onbekend"
    return f"{fmt_date(start)} \u2013 {fmt_date(end)}"


def instrument_label(instrument: str) -> str:
    return INSTRUMENT_LABELS.get(str(instrument), str(instrument))


def basis_note(
    n: Any,
    reference_period: Any,
    instrument: str,
    *,
    n_label: str = "respondenten",
    k: int | None = None,
) -> str:
    """The line every table and figure carries: n, reference period, instrument.

    ``n`` may be a number, a ``(low, high)`` range, or NA (suppressed: ``n < k``).
    """
    if isinstance(n, tuple):
        low, high = n
        n_text = fmt_int(low) if low == high else f"{fmt_int(low)}\u2013{fmt_int(high)}"
    elif _is_missing(n):
        n_text = f"< {k}" if k else SUPPRESSED
    else:
        n_text = fmt_int(n)
    return (
        f"Basis: n = {n_text} {n_label} · referteperiode: {fmt_period(reference_period)}"
        f" · instrument: {instrument_label(instrument)}"
    )


def suppression_note(k: int) -> str:
    """Footnote text for the suppression symbol (from caveats.yaml ``notes.suppressed``)."""
    try:
        template = load_caveats()["notes"]["suppressed"]
    except (OSError, KeyError, RenderError):
        template = "Onderdrukt: minder dan {k} respondenten."
    return f"{SUPPRESSED} {template.format(k=k)}"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|@$~^])")


def md_escape(text: Any) -> str:
    """Escape data-derived text (unit names, labels) for pandoc/Quarto markdown."""
    if _is_missing(text):
        return ""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text))
    escaped = escaped.replace("\r", " ").replace("\n", " ")
    # a leading '-', '1.' or ':' would start a list or definition
    return re.sub(r"^(\s*)([-+:])", r"\1\\\2", escaped)


# --------------------------------------------------------------------------------------------
# estimate tables -> display tables
# --------------------------------------------------------------------------------------------


def _truthy(value: Any) -> bool:
    return False if _is_missing(value) else bool(value)


_NOT_MEASURED_MARKERS = frozenset({"not_measured", NOT_MEASURED})


def is_not_measured(row: Mapping[str, Any]) -> bool:
    """An estimate row that an instrument cannot observe (never shown as zero).

    drukmonitor.estimate marks such rows ``measured = False`` (method "niet gemeten"); the
    markers ``not_measured`` in ``method``, ``comparability`` or ``suppression_reason`` count too.
    """
    measured = row.get("measured")
    if not _is_missing(measured) and not bool(measured):
        return True
    for key in ("method", "comparability", "suppression_reason"):
        value = row.get(key)
        if not _is_missing(value) and str(value) in _NOT_MEASURED_MARKERS:
            return True
    return False


def estimate_table(
    estimates: pd.DataFrame,
    *,
    row: str = "category",
    row_label: str = "Categorie",
    labels: Mapping[str, str] | None = None,
    counts: bool = True,
    digits: int = 1,
) -> pd.DataFrame:
    """Tidy estimate rows (docs/architecture.md) -> a display table of Dutch strings.

    Columns: ``row_label``, ``Aantal`` (numerator), ``n`` (denominator), ``Aandeel``,
    ``95%-interval`` and, for weighted rows, ``n_eff``. Suppressed rows show ``•`` in every
    number column; rows marked ``not_measured`` show ``niet gemeten``. Row order is kept.
    """
    labels = dict(labels or {})
    weighted = "weighted" in estimates.columns and estimates["weighted"].map(_truthy).any()
    records = []
    for rec in estimates.to_dict("records"):
        key = rec.get(row)
        out: dict[str, str] = {row_label: labels.get(str(key), str(key))}
        suppressed = _truthy(rec.get("suppressed"))
        if is_not_measured(rec):
            filler = NOT_MEASURED
            values = {"Aantal": filler, "n": filler, "Aandeel": filler, "95%-interval": filler}
            if weighted:
                values["n_eff"] = filler
        else:
            values = {
                "Aantal": SUPPRESSED if suppressed else fmt_int(rec.get("numerator")),
                "n": SUPPRESSED if suppressed else fmt_int(rec.get("denominator")),
                "Aandeel": fmt_pct(rec.get("share"), digits, suppressed=suppressed),
                "95%-interval": fmt_ci(rec.get("ci_low"), rec.get("ci_high"), digits, suppressed=suppressed),
            }
            if weighted:
                values["n_eff"] = SUPPRESSED if suppressed else fmt_num(rec.get("n_eff"), 1)
        if not counts:
            values.pop("Aantal")
        out.update(values)
        records.append(out)
    columns = [row_label] + (["Aantal"] if counts else []) + ["n", "Aandeel", "95%-interval"]
    if weighted:
        columns.append("n_eff")
    return pd.DataFrame.from_records(records, columns=columns)


def estimates_basis(estimates: pd.DataFrame, *, k: int | None = None, n_column: str = "denominator") -> str:
    """:func:`basis_note` from the columns of an estimate table (denominator, reference_period,
    instrument). Several instruments or periods are listed side by side."""
    if estimates.empty:
        raise RenderError("no estimate rows to describe")
    n_values = pd.to_numeric(estimates[n_column], errors="coerce").dropna() if n_column in estimates else pd.Series(dtype=float)
    if n_values.empty:
        n: Any = None
    else:
        n = (int(n_values.min()), int(n_values.max()))
    instruments = sorted({str(v) for v in estimates.get("instrument", pd.Series(dtype=object)).dropna()}) or ["onbekend"]
    periods = sorted({fmt_period(v) for v in estimates.get("reference_period", pd.Series([None]))}) or ["onbekend"]
    if len(instruments) == 1 and len(periods) == 1:
        return basis_note(n, periods[0], instruments[0], k=k)
    return basis_note(n, " / ".join(periods), " / ".join(instruments), k=k)


# --------------------------------------------------------------------------------------------
# typed content blocks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 3
    id: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """Markdown text; may contain ``@fig-x`` / ``@tbl-x`` references and emphasis."""

    text: str


@dataclass(frozen=True)
class Markdown:
    """A raw markdown fragment (lists, block quotes). No code cells."""

    text: str


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]
    ordered: bool = False

    def __init__(self, items: Iterable[str], ordered: bool = False) -> None:
        object.__setattr__(self, "items", tuple(items))
        object.__setattr__(self, "ordered", ordered)


@dataclass(frozen=True)
class Callout:
    kind: str
    title: str
    text: str

    def __post_init__(self) -> None:
        if self.kind not in CALLOUT_KINDS:
            raise RenderError(f"callout kind must be one of {CALLOUT_KINDS}", value=self.kind)


@dataclass(frozen=True)
class Table:
    """A table of display strings (see :func:`estimate_table`), with caption and ``tbl-`` label.

    ``basis`` is the n / reference period / instrument line (:func:`basis_note`); every published
    table must state it. ``notes`` are extra lines of small print. ``align`` is one letter per
    column (``l``, ``r``, ``c``); by default numeric-looking columns are right-aligned.
    """

    data: pd.DataFrame
    caption: str
    label: str
    basis: str
    notes: tuple[str, ...] = ()
    align: str | None = None
    min_cell_size: int | None = None

    def __init__(
        self,
        data: pd.DataFrame,
        caption: str,
        label: str,
        basis: str,
        notes: Iterable[str] = (),
        align: str | None = None,
        min_cell_size: int | None = None,
    ) -> None:
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "caption", caption)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "basis", basis)
        object.__setattr__(self, "notes", tuple(notes))
        object.__setattr__(self, "align", align)
        object.__setattr__(self, "min_cell_size", min_cell_size)


@dataclass(frozen=True)
class Figure:
    """An image file (path relative to the .qmd's folder), caption, ``fig-`` label and alt text."""

    path: Union[str, Path]
    caption: str
    label: str
    alt_text: str
    width: str | None = None


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Union[Heading, Paragraph, Markdown, BulletList, Callout, Table, Figure, PageBreak]


@dataclass(frozen=True)
class Section:
    """A heading (level 2 by default: the title is the document's level 1) and its blocks.
    ``new_page`` starts the section on a new page in the PDF (team feedback sheets)."""

    title: str
    blocks: tuple[Block, ...] = ()
    level: int = 2
    id: str | None = None
    new_page: bool = False

    def __init__(
        self,
        title: str,
        blocks: Iterable[Block] = (),
        level: int = 2,
        id: str | None = None,
        new_page: bool = False,
    ) -> None:
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "blocks", tuple(blocks))
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "new_page", new_page)


# --------------------------------------------------------------------------------------------
# qmd writer
# --------------------------------------------------------------------------------------------

_LABEL_RE = re.compile(r"^(fig|tbl|sec)-[A-Za-z0-9][A-Za-z0-9_-]*$")
_REF_RE = re.compile(r"(?<![\w\\])@((?:fig|tbl)-[A-Za-z0-9_-]*[A-Za-z0-9])")
_NUMERIC_CELL = re.compile(r"^[\s+\u2212\-<>≤≥(]*[0-9][0-9.,\s%–\u2013\u2212()+-]*(procentpunt|pp)?$")


def _check_label(label: str, prefix: str) -> None:
    if not _LABEL_RE.match(label) or not label.startswith(prefix + "-"):
        raise RenderError(f"label must look like '{prefix}-name' (letters, digits, '-', '_')", value=label)


def _attr_value(text: str) -> str:
    """A double-quoted attribute value for pandoc/Quarto attributes."""
    clean = " ".join(str(text).split())
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: Cell text that typst would read as markup when pandoc writes it unescaped into a table cell
#: (``[= x]`` is a heading, ``[- x]`` / ``[+ x]`` / ``[/ x: y]`` are list items).
_TYPST_CELL_MARKUP = re.compile(r"^\\?(=|[-+/]\s)")


def _cell_text(value: Any) -> str:
    if _is_missing(value):
        return ""
    text = str(value)
    if text in (SUPPRESSED, NOT_MEASURED, NOT_AVAILABLE):
        return text
    text = md_escape(text)
    if _TYPST_CELL_MARKUP.match(text):
        text = "\u200b" + text  # a zero-width space keeps the text literal in typst
    return text


def _column_align(series: pd.Series) -> str:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return "r"
    values = [str(v) for v in series if not _is_missing(v) and str(v) not in (SUPPRESSED, NOT_MEASURED, NOT_AVAILABLE, "")]
    if values and all(_NUMERIC_CELL.match(v) for v in values):
        return "r"
    return "l"


_MAX_COLUMN_DASHES = 40


def _longest_word(cells: Iterable[str]) -> int:
    return max([len(word) for cell in cells for word in str(cell).split()] + [3])


def table_markdown(table: Table) -> str:
    """A pandoc/Quarto pipe table with ``: caption {#tbl-x}`` and small print below."""
    data = table.data
    if data.shape[1] == 0:
        raise RenderError("a table needs at least one column", value=table.label)
    align = table.align or "".join(_column_align(data[c]) for c in data.columns)
    if len(align) != data.shape[1] or set(align) - set("lrc"):
        raise RenderError("align must give l, r or c for every column", value=align)
    header = [_cell_text(c) for c in data.columns]
    rows = [[_cell_text(v) for v in rec] for rec in data.itertuples(index=False, name=None)]
    # the dashes of the separator line set the relative column widths of wrapped tables: long text
    # columns are capped, so a short column (a verdict, a number) never shrinks below its longest word
    widths = [max([3, len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    widths = [min(w, max(_MAX_COLUMN_DASHES, _longest_word([h, *(r[i] for r in rows)])))
              for i, (w, h) in enumerate(zip(widths, header))]
    sep = {"l": lambda w: ":" + "-" * (w - 1), "r": lambda w: "-" * (w - 1) + ":", "c": lambda w: ":" + "-" * (w - 2) + ":"}

    def line(cells: Sequence[str]) -> str:
        padded = [c.rjust(w) if a == "r" else c.ljust(w) for c, a, w in zip(cells, align, widths)]
        return "| " + " | ".join(padded) + " |"

    out = [line(header), "| " + " | ".join(sep[a](w) for a, w in zip(align, widths)) + " |"]
    out.extend(line(r) for r in rows)
    text = "\n".join(out) + f"\n\n: {table.caption.strip()} {{#{table.label}}}\n"
    has_suppressed = any(SUPPRESSED in cell for r in rows for cell in r)
    notes = [table.basis.strip()] + [n.strip() for n in table.notes if n and n.strip()]
    if has_suppressed:
        if table.min_cell_size is None:
            raise RenderError(
                "table shows suppressed cells: give min_cell_size for the footnote", value=table.label
            )
        notes.append(suppression_note(table.min_cell_size))
    text += "\n::: {.table-notes}\n" + "\n\n".join(notes) + "\n:::\n"
    return text


def figure_markdown(figure: Figure) -> str:
    path = Path(figure.path).as_posix()
    if not figure.alt_text.strip():
        raise RenderError("every figure needs alt text", value=figure.label)
    attrs = [f"#{figure.label}", f"fig-alt={_attr_value(figure.alt_text)}"]
    if figure.width:
        attrs.append(f"width={_attr_value(figure.width)}")
    return f"![{figure.caption.strip()}]({path}){{{' '.join(attrs)}}}\n"


def callout_markdown(callout: Callout) -> str:
    return f"::: {{.callout-{callout.kind} title={_attr_value(callout.title)}}}\n{callout.text.strip()}\n:::\n"


def _block_markdown(block: Block) -> str:
    if isinstance(block, Heading):
        ident = f" {{#{block.id}}}" if block.id else ""
        return "#" * block.level + " " + block.text.strip() + ident + "\n"
    if isinstance(block, (Paragraph, Markdown)):
        return block.text.strip() + "\n"
    if isinstance(block, BulletList):
        if block.ordered:
            return "\n".join(f"{i}. {item.strip()}" for i, item in enumerate(block.items, 1)) + "\n"
        return "\n".join(f"- {item.strip()}" for item in block.items) + "\n"
    if isinstance(block, Callout):
        return callout_markdown(block)
    if isinstance(block, Table):
        return table_markdown(block)
    if isinstance(block, Figure):
        return figure_markdown(block)
    if isinstance(block, PageBreak):
        return "{{< pagebreak >}}\n"
    raise RenderError(f"unknown block type {type(block).__name__}")


def _block_texts(block: Block) -> list[str]:
    if isinstance(block, (Paragraph, Markdown)):
        return [block.text]
    if isinstance(block, BulletList):
        return list(block.items)
    if isinstance(block, Callout):
        return [block.text]
    if isinstance(block, Table):
        return [block.caption, *block.notes]
    if isinstance(block, Figure):
        return [block.caption]
    return []


_CODE_CELL = re.compile(r"^\s*(```+|~~~+)\s*\{\s*[A-Za-z]", re.MULTILINE)


def check_results_only(qmd_text: str) -> None:
    """Raise if the document has executable code cells (reports are results-only)."""
    match = _CODE_CELL.search(qmd_text)
    if match:
        line = qmd_text.count("\n", 0, match.start()) + 1
        raise RenderError("reports are results-only: code cells are not allowed", row=line, value=match.group(0).strip())


def default_front_matter(
    title: str,
    *,
    subtitle: str | None = None,
    css: str = "style.css",
    toc: bool = True,
) -> dict[str, Any]:
    front: dict[str, Any] = {"title": title}
    if subtitle:
        front["subtitle"] = subtitle
    front.update(
        {
            "lang": "nl",
            # overridden by render_report (-M renderer:...); shown in the colophon
            "renderer": RENDERER_QUARTO,
            "toc": toc,
            "toc-title": "Inhoud",
            "toc-depth": 2,
            "crossref": {"fig-title": "Figuur", "tbl-title": "Tabel", "fig-prefix": "Figuur", "tbl-prefix": "Tabel"},
            "format": {
                "html": {"embed-resources": True, "css": css, "toc": toc, "toc-title": "Inhoud", "toc-depth": 2},
                "typst": {"papersize": "a4", "toc": toc, "toc-title": "Inhoud", "toc-depth": 2, "keep-typ": False},
            },
        }
    )
    return front


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def stylesheet_href(qmd_dir: Union[str, Path, None], template_dir: Union[str, Path, None] = None) -> str:
    """Path of ``style.css`` as the front matter should give it for a .qmd in ``qmd_dir``
    (relative when possible, so the source stays valid when the repository moves)."""
    if qmd_dir is not None and (Path(qmd_dir) / "style.css").is_file():
        return "style.css"  # the report folder's own copy (reports.write_report)
    css = (Path(template_dir) if template_dir else template_directory()) / "style.css"
    if qmd_dir is None:
        return css.resolve().as_posix()
    try:
        return Path(os.path.relpath(css.resolve(), Path(qmd_dir).resolve())).as_posix()
    except ValueError:  # other drive (Windows)
        return css.resolve().as_posix()


def build_qmd(
    title: str,
    sections: Sequence[Section],
    front_matter: Mapping[str, Any] | None = None,
    *,
    subtitle: str | None = None,
    qmd_dir: Union[str, Path, None] = None,
    colophon: bool = True,
) -> str:
    """Assemble a results-only Quarto document.

    ``front_matter`` is merged over :func:`default_front_matter` (Dutch, TOC, self-contained HTML
    with ``style.css``; give ``qmd_dir`` so the stylesheet path is relative to where the .qmd will
    be written). Labels are checked (``fig-``/``tbl-``, unique) and every ``@fig-``/``@tbl-``
    reference must point at a figure or table in the document. A colophon that names the
    renderer (``{{< meta renderer >}}``) closes the document.
    """
    front = default_front_matter(title, subtitle=subtitle, css=stylesheet_href(qmd_dir))
    if front_matter:
        front = _merge(front, front_matter)

    labels: set[str] = set()
    for section in sections:
        if section.id:
            _check_label(section.id, "sec")
            if section.id in labels:
                raise RenderError("label used twice", value=section.id)
            labels.add(section.id)
        for block in section.blocks:
            label = None
            if isinstance(block, Table):
                _check_label(block.label, "tbl")
                label = block.label
            elif isinstance(block, Figure):
                _check_label(block.label, "fig")
                label = block.label
            if label:
                if label in labels:
                    raise RenderError("label used twice", value=label)
                labels.add(label)
    for section in sections:
        for block in section.blocks:
            for text in _block_texts(block):
                for ref in _REF_RE.findall(text):
                    if ref not in labels:
                        raise RenderError(f"cross-reference @{ref} has no figure or table with that label", value=ref)

    yaml_text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)
    parts = ["---\n" + yaml_text + "---\n"]
    for section in sections:
        ident = f" {{#{section.id}}}" if section.id else ""
        if section.new_page:
            parts.append("{{< pagebreak >}}\n")
        parts.append("#" * section.level + " " + section.title.strip() + ident + "\n")
        for block in section.blocks:
            parts.append(_block_markdown(block))
    if colophon:
        parts.append("::: {.colophon}\nDit rapport is opgemaakt met {{< meta renderer >}}.\n:::\n")
    text = "\n".join(parts)
    check_results_only(text)
    return text


# --------------------------------------------------------------------------------------------
# caveats
# --------------------------------------------------------------------------------------------


def template_directory(template_dir: Union[str, Path, None] = None) -> Path:
    if template_dir:
        return Path(template_dir)
    env = os.environ.get(TEMPLATE_DIR_ENV)
    return Path(env) if env else DEFAULT_TEMPLATE_DIR


def load_caveats(template_dir: Union[str, Path, None] = None) -> dict[str, Any]:
    path = template_directory(template_dir) / "caveats.yaml"
    try:
        stat = path.stat()
    except FileNotFoundError as error:
        raise RenderError("caveats file not found", file=path) from error
    import copy

    return copy.deepcopy(_load_caveats_cached(str(path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _load_caveats_cached(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def caveat_callout(key: str, *, quote: bool = True, template_dir: Union[str, Path, None] = None) -> Callout:
    """The caveat ``key`` from caveats.yaml as a callout, with the seed's own words quoted."""
    data = load_caveats(template_dir)
    try:
        caveat = data["caveats"][key]
    except KeyError as error:
        raise RenderError("unknown caveat", value=key) from error
    text = " ".join(caveat["text"].split())
    if quote and caveat.get("quote"):
        source = data.get("source", {}).get("short", "")
        quoted = " ".join(caveat["quote"].split())
        text += f"\n\n> “{quoted}” ({source}, {caveat['quote_source']})"
    return Callout(caveat.get("kind", "note"), caveat["title"], text)


def reflection_questions_blocks(template_dir: Union[str, Path, None] = None) -> list[Block]:
    """Schein's two reflection questions for team feedback sheets."""
    data = load_caveats(template_dir)["reflection_questions"]
    return [
        Heading(data["title"], level=3),
        Paragraph(" ".join(data["intro"].split())),
        BulletList([" ".join(q.split()) for q in data["questions"]], ordered=True),
    ]


# --------------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderResult:
    renderer: str                      # "quarto" | "pandoc+typst"
    outputs: dict[str, Path]           # format ("html", "pdf") -> file
    versions: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        """What the colophon of the rendered report says."""
        return renderer_description(self.renderer, self.versions)


def renderer_description(renderer: str, versions: Mapping[str, str]) -> str:
    if renderer == RENDERER_QUARTO:
        return f"Quarto {versions.get('quarto', '')}".strip()
    return (
        f"pandoc {versions.get('pandoc', '')} (HTML) en typst {versions.get('typst', '')} (PDF),"
        " zonder Quarto (pandoc+typst)"
    )


def write_qmd(path: Union[str, Path], qmd_text: str) -> Path:
    check_results_only(qmd_text)
    return write_text(qmd_text, path)


def choose_renderer(renderer: str | None = None) -> str:
    """``renderer`` argument, else ``$DRUKMONITOR_RENDERER``, else quarto when on PATH."""
    choice = (renderer or os.environ.get(RENDERER_ENV) or "auto").strip().lower()
    if choice in ("pandoc+typst", "pandoc", "typst", "fallback"):
        return RENDERER_FALLBACK
    if choice == "quarto":
        if shutil.which("quarto") is None:
            raise RenderError(f"renderer 'quarto' requested ({RENDERER_ENV}) but quarto is not on PATH")
        return RENDERER_QUARTO
    if choice == "auto":
        return RENDERER_QUARTO if shutil.which("quarto") else RENDERER_FALLBACK
    raise RenderError("unknown renderer (use auto, quarto or pandoc+typst)", value=renderer or os.environ.get(RENDERER_ENV))


def renderer_info(renderer: str | None = None) -> dict[str, Any]:
    """The renderer :func:`render_report` will use here and now, with its versions (no dates):
    ``{"name": "quarto" | "pandoc+typst", "description": ..., "versions": {...}}``. The provenance
    manifest records it, so every report can say which renderer made it."""
    chosen = choose_renderer(renderer)
    versions = {"quarto": quarto_version()} if chosen == RENDERER_QUARTO else tool_versions()
    return {"name": chosen, "description": renderer_description(chosen, versions), "versions": versions}


def render_report(
    qmd_path: Union[str, Path],
    out_dir: Union[str, Path],
    formats: Sequence[str] = ("html", "pdf"),
    *,
    renderer: str | None = None,
    template_dir: Union[str, Path, None] = None,
    typst_root: Union[str, Path, None] = None,
    font_paths: Sequence[Union[str, Path]] = (),
    stem: str | None = None,
) -> RenderResult:
    """Render a results-only .qmd to ``out_dir/<stem>.html`` and/or ``.pdf``, atomically.

    Quarto is used when it is on PATH, unless ``renderer`` (or ``$DRUKMONITOR_RENDERER``) says
    ``pandoc+typst``. Figures must be relative paths inside the .qmd's folder (or, for the PDF,
    inside ``typst_root`` when given).
    """
    qmd_path = Path(qmd_path).resolve()
    out_dir = Path(out_dir).resolve()
    if not qmd_path.is_file():
        raise RenderError("report source not found", file=qmd_path)
    unknown = set(formats) - {"html", "pdf"}
    if unknown or not formats:
        raise RenderError("formats must be html and/or pdf", value=tuple(formats))
    text = qmd_path.read_text(encoding="utf-8")
    check_results_only(text)
    stem = stem or qmd_path.stem
    chosen = choose_renderer(renderer)
    out_dir.mkdir(parents=True, exist_ok=True)
    if chosen == RENDERER_QUARTO:
        return _render_quarto(qmd_path, out_dir, formats, stem)
    return _render_fallback(qmd_path, text, out_dir, formats, stem, template_directory(template_dir), typst_root, font_paths)


# ---- front matter and shortcodes ------------------------------------------------------------

_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*\n", re.DOTALL)
_SHORTCODE = re.compile(r"\{\{<\s*([A-Za-z_-]+)((?:\s+[^>]*?)?)\s*>\}\}")


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT.match(text)
    if not match:
        return {}, text
    meta = yaml.safe_load(match.group(1)) or {}
    if not isinstance(meta, dict):
        raise RenderError("front matter must be a YAML mapping")
    return meta, text[match.end():]


def _meta_lookup(meta: Mapping[str, Any], key: str) -> Any:
    value: Any = meta
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise RenderError("shortcode {{< meta %s >}}: no such metadata" % key, value=key)
        value = value[part]
    return value


def expand_shortcodes(body: str, meta: Mapping[str, Any]) -> str:
    """The Quarto shortcodes the reports use, for plain pandoc: ``meta`` and ``pagebreak``."""

    def replace(match: re.Match[str]) -> str:
        name, args = match.group(1), match.group(2).split()
        if name == "meta" and len(args) == 1:
            value = _meta_lookup(meta, args[0])
            return md_escape(value) if not isinstance(value, (dict, list)) else md_escape(str(value))
        if name == "pagebreak" and not args:
            return "\n\n::: {.pagebreak}\n:::\n\n"
        raise RenderError("unsupported shortcode in the pandoc fallback", value=match.group(0))

    return _SHORTCODE.sub(replace, body)


# ---- pandoc + typst fallback ----------------------------------------------------------------


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def tool_versions() -> dict[str, str]:
    import typst

    pandoc = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=True)
    return {"pandoc": pandoc.stdout.split()[1], "typst": typst.__version__}


def _run_pandoc(args: list[str], markdown: str, cwd: Path) -> bytes:
    proc = subprocess.run(
        [pandoc_path(), *args],
        input=markdown.encode("utf-8"),
        capture_output=True,
        cwd=cwd,
        env={**os.environ, "LC_ALL": "C.UTF-8", "SOURCE_DATE_EPOCH": "0"},
    )
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"pandoc failed: {message}", file=cwd)
    return proc.stdout


def _css_for(meta: Mapping[str, Any], qmd_dir: Path, template_dir: Path) -> Path:
    css = (meta.get("format") or {}).get("html", {}) if isinstance(meta.get("format"), Mapping) else {}
    href = css.get("css") if isinstance(css, Mapping) else None
    if isinstance(href, list):
        href = href[0] if href else None
    if href:
        path = (qmd_dir / href).resolve()
        if path.is_file():
            return path
        raise RenderError("stylesheet named in the front matter not found", file=path)
    return (template_dir / "style.css").resolve()


def _render_fallback(
    qmd_path: Path,
    text: str,
    out_dir: Path,
    formats: Sequence[str],
    stem: str,
    template_dir: Path,
    typst_root: Union[str, Path, None],
    font_paths: Sequence[Union[str, Path]],
) -> RenderResult:
    import typst

    versions = tool_versions()
    meta, body = split_front_matter(text)
    meta = dict(meta)
    meta["renderer"] = renderer_description(RENDERER_FALLBACK, versions)
    body = expand_shortcodes(body, meta)
    qmd_dir = qmd_path.parent
    lua = (template_dir / "drukmonitor.lua").resolve()
    toc = bool(meta.get("toc", False))
    toc_title = str(meta.get("toc-title", "Inhoud"))
    toc_depth = int(meta.get("toc-depth", 2))
    common = [
        "--from=markdown",
        f"--lua-filter={lua}",
        f"--resource-path={qmd_dir}",
        "--wrap=none",
        f"--toc-depth={toc_depth}",
    ]
    # the body without front matter: pandoc gets the metadata as one YAML block we control
    meta.setdefault("lang", "nl")
    front = yaml.safe_dump({k: v for k, v in meta.items() if k != "format"}, sort_keys=False, allow_unicode=True, width=4096)
    markdown = f"---\n{front}---\n\n{body}"
    outputs: dict[str, Path] = {}
    warnings: list[str] = []
    if "html" in formats:
        css = _css_for(meta, qmd_dir, template_dir)
        args = [*common, "--to=html5", "--standalone", "--embed-resources", f"--css={css}", "--section-divs"]
        if toc:
            args += ["--toc", f"--variable=toc-title:{toc_title}"]
        html = _run_pandoc(args, markdown, qmd_dir)
        outputs["html"] = write_bytes(html, out_dir / f"{stem}.html")
    if "pdf" in formats:
        root = Path(typst_root).resolve() if typst_root else qmd_dir
        try:
            prefix = qmd_dir.relative_to(root).as_posix()
        except ValueError as error:
            raise RenderError("typst_root must contain the report folder", file=qmd_path) from error
        args = [
            *common,
            "--to=typst",
            "--standalone",
            f"--template={(template_dir / 'template.typ').resolve()}",
            f"--metadata=drukmonitor-typst-prefix:{prefix}",
        ]
        typ = _run_pandoc(args, markdown, qmd_dir)
        try:
            pdf, typst_warnings = typst.compile_with_warnings(
                typ,
                root=str(root),
                font_paths=[str(p) for p in font_paths],
                ignore_system_fonts=True,
                format="pdf",
            )
        except typst.TypstError as error:
            detail = getattr(error, "diagnostic", "") or str(error)
            raise RenderError(f"typst failed: {detail}", file=qmd_path) from error
        warnings.extend(f"typst: {w.message}" for w in typst_warnings)
        outputs["pdf"] = write_bytes(pdf, out_dir / f"{stem}.pdf")
    return RenderResult(RENDERER_FALLBACK, outputs, versions, tuple(warnings))


# ---- quarto ---------------------------------------------------------------------------------


def quarto_version() -> str:
    proc = subprocess.run(["quarto", "--version"], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def _move_atomic(src: Path, dest: Path) -> Path:
    if src.resolve() == dest.resolve():
        return dest
    write_bytes(src.read_bytes(), dest)
    src.unlink()
    return dest


def _render_quarto(qmd_path: Path, out_dir: Path, formats: Sequence[str], stem: str) -> RenderResult:
    versions = {"quarto": quarto_version()}
    renderer = renderer_description(RENDERER_QUARTO, versions)
    outputs: dict[str, Path] = {}
    for fmt in formats:
        to, ext = ("html", "html") if fmt == "html" else ("typst", "pdf")
        # render beside the source under a private name, then move into place atomically
        tmp_name = f"{stem}.drukmonitor-tmp-{os.getpid()}.{ext}"
        cmd = ["quarto", "render", qmd_path.name, "--to", to, "--output", tmp_name,
               "--metadata", f"renderer:{renderer}"]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=qmd_path.parent,
                              env={**os.environ, "SOURCE_DATE_EPOCH": "0"})
        produced = qmd_path.parent / tmp_name
        if proc.returncode != 0 or not produced.is_file():
            if produced.exists():
                produced.unlink()
            raise RenderError(f"quarto render --to {to} failed: {proc.stderr.strip()[-2000:]}", file=qmd_path)
        outputs[fmt] = _move_atomic(produced, out_dir / f"{stem}.{ext}")
    return RenderResult(RENDERER_QUARTO, outputs, versions, ())


def _main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m drukmonitor.render", description=__doc__.split("\n\n")[0])
    parser.add_argument("qmd")
    parser.add_argument("out_dir")
    parser.add_argument("--to", action="append", choices=("html", "pdf"))
    parser.add_argument("--renderer", choices=("auto", "quarto", "pandoc+typst"))
    args = parser.parse_args(argv)
    result = render_report(args.qmd, args.out_dir, tuple(args.to or ("html", "pdf")), renderer=args.renderer)
    for fmt, path in result.outputs.items():
        print(f"{fmt}: {path}")
    print(f"renderer: {result.description}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
