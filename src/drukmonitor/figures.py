"""Report figures (matplotlib, deterministic, Dutch, colour-blind safe).

Every function takes rows of a published estimate table (docs/architecture.md: ``wave,
instrument, table, variable, category, group_var, group, numerator, denominator, share, ci_low,
ci_high, suppressed, comparability, reference_period, n_total, ...``), writes one SVG or PNG (by
the suffix of ``out_path``) atomically, and returns a :class:`FigureOutput` with the path, the
alt text (Dutch, with the numbers) and the basis line that is printed on the figure itself
(n, reference period, instrument).

Determinism: the object-oriented API only (no pyplot, no global state), fonts embedded as paths
in SVG, a fixed ``svg.hashsalt``, no date/software metadata. The same input gives the same bytes.

Suppressed estimates are drawn as the suppression symbol (``•``); estimates an instrument
cannot observe are drawn as "niet gemeten", never as zero.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

import matplotlib
import pandas as pd
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Patch, Rectangle

from drukmonitor import render
from drukmonitor.io import write_bytes
from drukmonitor.render import (
    CONTEXT_LABELS,
    NOT_MEASURED,
    SUPPRESSED,
    TYPE_LABELS,
    RenderError,
    fmt_ci,
    fmt_int,
    fmt_pct,
)

# Okabe-Ito (Okabe & Ito 2008), safe for the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Order in which waves / series get colours.
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
GREY = "#8C8C8C"
LIGHT_GREY = "#D9D9D9"
TEXT = "#1B1B1B"
MUTED = "#555555"

#: matplotlib settings for every figure (applied with rc_context, never globally).
RC: dict[str, Any] = {
    "svg.hashsalt": "drukmonitor",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.labelcolor": TEXT,
    "text.color": TEXT,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "hatch.linewidth": 0.8,
    "hatch.color": GREY,
    "savefig.dpi": 200,
    "figure.dpi": 100,
}
WIDTH_IN = 6.5  # fits the A4 text width of the PDF template

TYPE_GRID = (
    # (row, column, type code); columns: 0 eigenlijke inhoud, 1 grens, 2 oneigenlijke inhoud
    (0, 0, "regular_request"),
    (0, 1, "unreasonable_pressure"),
    (0, 2, "improper_request"),
    (1, 0, "indecent_pressure"),
    (1, 2, "improper_pressure"),
)
ALWAYS_NOT_MEASURED = frozenset({"unreasonable_pressure"})

#: Agreement scale of Kader 2 question 8 (OD8_1..OD8_5), 1..5.
AGREEMENT_CATEGORIES = (
    ("1", "Zeer mee oneens"),
    ("2", "Mee oneens"),
    ("3", "Niet mee eens of oneens"),
    ("4", "Mee eens"),
    ("5", "Zeer mee eens"),
)
#: Felt pressure, Kader 2 question 6 (OD6), 1..5.
PRESSURE_CATEGORIES = (
    ("1", "Helemaal niet"),
    ("2", "Bijna niet"),
    ("3", "Enigszins"),
    ("4", "Sterk"),
    ("5", "Zeer sterk"),
)
#: The weighting-factor statements of Kader 2 question 8 (OD8_1..OD8_5), by their harmonised
#: field names (drukmonitor.harmonise), with short Dutch labels.
OD8_ITEMS = (
    ("intent", "Verzoeker wist dat het in strijd was (intentie)"),
    ("culpability", "Verzoeker kon gevolgen niet overzien (verwijtbaarheid, omgekeerd)"),
    ("power", "Verzoeker heeft meer macht (machtsverschil)"),
    ("repeated", "Verzoek werd meerdere malen herhaald (frequentie)"),
    ("duration", "Langere tijd onder druk gezet (duur)"),
)
#: Felt pressure (OD6) as one item.
FELT_PRESSURE_ITEM = (("felt_pressure", "In hoeverre voelde u zich onder druk gezet?"),)


@dataclass(frozen=True)
class FigureOutput:
    path: Path
    alt_text: str
    basis: str

    def block(self, caption: str, label: str, *, relative_to: Union[str, Path, None] = None) -> render.Figure:
        """The :class:`drukmonitor.render.Figure` block for a report whose .qmd is in ``relative_to``."""
        path = self.path
        if relative_to is not None:
            path = Path(self.path).resolve().relative_to(Path(relative_to).resolve())
        return render.Figure(path, caption, label, self.alt_text)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _with_rc(func):
    """Run a figure function inside matplotlib.rc_context(RC): no global state is touched."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with matplotlib.rc_context(RC):
            return func(*args, **kwargs)

    return wrapper


def _truthy(value: Any) -> bool:
    return render._truthy(value)


def _suppressed(row: Mapping[str, Any]) -> bool:
    return _truthy(row.get("suppressed"))


def _num(value: Any) -> float | None:
    return None if render._is_missing(value) else float(value)


def _describe(row: Mapping[str, Any] | None) -> str:
    """Dutch words for one estimate, for alt texts."""
    if row is None or render.is_not_measured(row):
        return "niet gemeten"
    if _suppressed(row):
        return "onderdrukt (te weinig respondenten)"
    share = fmt_pct(row.get("share"))
    ci = fmt_ci(row.get("ci_low"), row.get("ci_high"))
    text = share if ci == render.NOT_AVAILABLE else f"{share}, 95%-interval {ci[1:-1]}"
    if not render._is_missing(row.get("denominator")):
        text += f", n = {fmt_int(row.get('denominator'))}"
    return text


def _wrap(text: str, width_in: float = WIDTH_IN, fontsize: float = 7.5) -> str:
    chars = max(40, int(width_in * 72 / (fontsize * 0.55)))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def _footnote(fig: MplFigure, lines: Iterable[str]) -> None:
    text = _wrap("\n".join(line for line in lines if line))
    fig.text(0.0, -0.02, text, ha="left", va="top", fontsize=7.5, color=MUTED, linespacing=1.35)


def _notes(basis: str | Sequence[str], *, suppressed: bool, not_measured: bool, k: int | None, extra: Sequence[str] = ()) -> list[str]:
    lines = [basis] if isinstance(basis, str) else list(basis)
    lines.append("Ervaren oneigenlijke druk: de beleving van respondenten, geen objectieve feiten.")
    if suppressed:
        lines.append(f"{SUPPRESSED} = onderdrukt: " + (f"minder dan {k} respondenten." if k else "te weinig respondenten."))
    if not_measured:
        lines.append("niet gemeten = dit meetinstrument kan dit type niet waarnemen (geen nul).")
    lines.extend(extra)
    return lines


def _save(fig: MplFigure, out_path: Union[str, Path], description: str) -> Path:
    """Write the figure atomically; the alt text goes into the file's metadata too."""
    out_path = Path(out_path)
    suffix = out_path.suffix.lower()
    buffer = io.BytesIO()
    if suffix == ".svg":
        fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.08,
                    metadata={"Date": None, "Creator": None, "Description": description, "Language": "nl"})
    elif suffix == ".png":
        fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.08,
                    metadata={"Software": None, "Description": description})
    else:
        raise RenderError("figures are written as .svg or .png", file=out_path)
    return write_bytes(buffer.getvalue(), out_path)


def _single(values: pd.Series, what: str) -> Any:
    uniques = pd.unique(values.dropna())
    if len(uniques) > 1:
        raise RenderError(f"rows of one figure must share one {what}", value=tuple(map(str, uniques)))
    return uniques[0] if len(uniques) else None


def _total_rows(estimates: pd.DataFrame) -> pd.DataFrame:
    if "group_var" in estimates.columns:
        total = estimates[estimates["group_var"].astype("string") == "all"]
        if not total.empty:
            return total
    return estimates


def _basis(estimates: pd.DataFrame, basis: str | None, k: int | None) -> str:
    return basis if basis else render.estimates_basis(estimates, k=k)


def _new_figure(height: float, *, constrained: bool = True) -> MplFigure:
    # constrained layout keeps axes labels inside the figure, so the footnote (placed just below
    # the figure and included by bbox_inches="tight") never overlaps them
    return MplFigure(figsize=(WIDTH_IN, height), layout="constrained" if constrained else None)


def _pct_axis(ax: Any, axis: str = "x", upper: float | None = None, *, symmetric: bool = False) -> None:
    """Percent tick labels (decimal comma); ticks never beyond 100%."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    setter = ax.set_xlim if axis == "x" else ax.set_ylim
    if upper is not None:
        setter(-upper if symmetric else -upper * 0.015, upper)
    low, high = (ax.get_xlim() if axis == "x" else ax.get_ylim())
    ticks = [t for t in MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
             if low - 1e-9 <= t <= high + 1e-9 and abs(t) <= 1.0 + 1e-9]
    (ax.set_xticks if axis == "x" else ax.set_yticks)(ticks)
    target.set_major_formatter(FuncFormatter(lambda v, _pos: render.fmt_num(abs(v) * 100, 0) + "%"))


def _nice_limit(values: Iterable[float | None]) -> float:
    """A round upper limit for a share axis."""
    top = max([v for v in values if v is not None] + [0.02])
    for step in (0.05, 0.1, 0.2, 0.25, 0.4, 0.5, 0.6, 0.8, 1.0):
        if top <= step:
            return step
    return 1.0


# --------------------------------------------------------------------------------------------
# (a) Figuur 1 grid
# --------------------------------------------------------------------------------------------


@_with_rc
def figure1_grid(
    estimates: pd.DataFrame,
    out_path: Union[str, Path],
    *,
    variable: str = "type",
    not_measured: Iterable[str] = (),
    k: int | None = None,
    wave_label: str | None = None,
    basis: str | None = None,
    note: str | None = None,
) -> FigureOutput:
    """Figuur 1 of the seed (five types of interaction) filled with this wave's shares.

    Uses the overall rows (``group_var == "all"``) of ``variable``. A type is "niet gemeten"
    when it is ``unreasonable_pressure`` (no instrument measures it), listed in
    ``not_measured``, marked ``not_measured`` in the estimate row, or absent from the table (the
    estimate layer emits a row, possibly with count 0, for every type the instrument can see).
    """
    rows = _total_rows(estimates)
    if "variable" in rows.columns:
        rows = rows[rows["variable"].astype("string") == variable]
    if rows.empty:
        raise RenderError(f"no estimate rows for variable {variable!r}")
    if "wave" in rows.columns:
        wave = _single(rows["wave"], "wave")
        wave_label = wave_label or (str(wave) if wave is not None else None)
    by_type = {str(r["category"]): r for r in rows.to_dict("records")}
    unseen = set(not_measured) | ALWAYS_NOT_MEASURED
    basis_text = _basis(rows, basis, k)

    fills = {
        "regular_request": "#FFFFFF",
        "unreasonable_pressure": "#EDEDED",
        "improper_request": "#FBE3B8",
        "indecent_pressure": "#FBE3B8",
        "improper_pressure": "#F6C0A0",
    }
    fig = _new_figure(3.3, constrained=False)
    ax = fig.add_axes((0.2, 0.12, 0.79, 0.86))
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 2)
    ax.set_axis_off()
    col_x = (0.0, 1.0, 2.0)
    any_suppressed = any_unseen = False
    descriptions = []
    for row_i, col_i, code in TYPE_GRID:
        x, y = col_x[col_i], 1 - row_i  # row 0 on top
        record = by_type.get(code)
        unseen_here = code in unseen or record is None or render.is_not_measured(record)
        fill = fills[code]
        rect = Rectangle((x + 0.02, y + 0.03), 0.96, 0.94, facecolor=fill, edgecolor="#444444", linewidth=0.8)
        if unseen_here:
            rect.set_hatch("///")
            rect.set_facecolor("#FFFFFF")
        ax.add_patch(rect)
        label = TYPE_LABELS[code]
        ax.text(x + 0.5, y + 0.72, textwrap.fill(label, 20), ha="center", va="center", fontsize=8.5,
                fontweight="bold", color=TEXT)
        if unseen_here:
            any_unseen = True
            ax.text(x + 0.5, y + 0.32, NOT_MEASURED, ha="center", va="center", fontsize=9, style="italic",
                    color=MUTED, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
            descriptions.append(f"{label}: niet gemeten")
        elif _suppressed(record):
            any_suppressed = True
            ax.text(x + 0.5, y + 0.32, SUPPRESSED, ha="center", va="center", fontsize=16, color=TEXT)
            descriptions.append(f"{label}: onderdrukt")
        else:
            ax.text(x + 0.5, y + 0.38, fmt_pct(record.get("share")), ha="center", va="center", fontsize=13,
                    fontweight="bold", color=TEXT)
            ci = fmt_ci(record.get("ci_low"), record.get("ci_high"))
            if ci != render.NOT_AVAILABLE:
                ax.text(x + 0.5, y + 0.17, ci, ha="center", va="center", fontsize=7.5, color=MUTED)
            descriptions.append(f"{label}: {_describe(record)}")
    # the empty boundary cell (bottom middle) and the axis labels of the seed's Figuur 1
    ax.add_patch(Rectangle((1.02, 0.03), 0.96, 0.94, facecolor="#F7F7F7", edgecolor="#BBBBBB", linewidth=0.6,
                           linestyle=(0, (3, 2))))
    for row_i, text in ((0, "Eigenlijke\ninzet middelen"), (1, "Oneigenlijke\ninzet middelen")):
        ax.text(-0.06, 1.5 - row_i, text, ha="right", va="center", fontsize=8.5, style="italic", color=TEXT)
    for col_i, text in ((0, "Eigenlijke inhoud"), (1, "(grensvlak)"), (2, "Oneigenlijke inhoud")):
        ax.text(col_i + 0.5, -0.06, text, ha="center", va="top", fontsize=8.5, style="italic",
                color=TEXT if col_i != 1 else MUTED)
    extra = [note] if note else []
    _footnote(fig, _notes(basis_text, suppressed=any_suppressed, not_measured=any_unseen, k=k, extra=extra))
    wave_text = f" in meting {wave_label}" if wave_label else ""
    alt = (
        f"Raster van Figuur 1 uit Heres en Bovens (2020): vijf typen interactie tussen politiek en ambtenaren, "
        f"naar eigenlijke of oneigenlijke inhoud (kolommen) en eigenlijke of oneigenlijke inzet van middelen (rijen), "
        f"met het aandeel respondenten dat het type ervoer{wave_text}. "
        + "; ".join(descriptions)
        + f". {basis_text}."
    )
    path = _save(fig, out_path, alt)
    return FigureOutput(path, alt, basis_text)


# --------------------------------------------------------------------------------------------
# (b) prevalence per group with asymmetric intervals
# --------------------------------------------------------------------------------------------


@_with_rc
def prevalence_intervals(
    estimates: pd.DataFrame,
    out_path: Union[str, Path],
    *,
    labels: Mapping[str, str] | None = None,
    k: int | None = None,
    what: str = "ervaren oneigenlijke druk",
    basis: str | None = None,
) -> FigureOutput:
    """One share per group as a point with its (asymmetric) 95% interval.

    ``estimates``: rows of one variable/category, one per group; the overall row
    (``group_var == "all"``) is drawn first, in black, with a dotted reference line.
    """
    if estimates.empty:
        raise RenderError("no estimate rows for the prevalence figure")
    labels = dict(labels or {})
    records = estimates.to_dict("records")
    total = [r for r in records if str(r.get("group_var", "")) == "all"]
    groups = [r for r in records if str(r.get("group_var", "")) != "all"]
    ordered = total + groups
    n_total_rows = len(total)
    basis_text = _basis(estimates, basis, k)
    height = 1.0 + 0.32 * len(ordered)
    fig = _new_figure(height)
    ax = fig.add_subplot()
    limit = _nice_limit([_num(r.get("ci_high")) or _num(r.get("share")) for r in ordered if not _suppressed(r)])
    any_suppressed = any_unseen = False
    ticklabels = []
    descriptions = []
    for i, rec in enumerate(ordered):
        y = len(ordered) - 1 - i
        name = labels.get(str(rec.get("group")), str(rec.get("group")))
        n_text = SUPPRESSED if _suppressed(rec) else fmt_int(rec.get("denominator"))
        ticklabels.append((y, f"{name} (n = {n_text})"))
        is_total = i < n_total_rows
        colour = OKABE_ITO["black"] if is_total else OKABE_ITO["blue"]
        if render.is_not_measured(rec):
            any_unseen = True
            ax.text(0.002, y, NOT_MEASURED, va="center", ha="left", fontsize=8, style="italic", color=MUTED)
        elif _suppressed(rec):
            any_suppressed = True
            ax.text(0.002, y, f"{SUPPRESSED} onderdrukt", va="center", ha="left", fontsize=8, color=MUTED)
        else:
            share = _num(rec.get("share")) or 0.0
            low, high = _num(rec.get("ci_low")), _num(rec.get("ci_high"))
            if low is not None and high is not None:
                ax.errorbar([share], [y], xerr=[[share - low], [high - share]], fmt="none", ecolor=colour,
                            elinewidth=1.4, capsize=3)
            ax.plot([share], [y], marker="D" if is_total else "o", markersize=6, color=colour, linestyle="none")
            ax.text(high if high is not None else share, y + 0.22, " " + fmt_pct(share), va="center", ha="left",
                    fontsize=7.5, color=TEXT)
            if is_total:
                ax.axvline(share, color=GREY, linewidth=0.8, linestyle=":", zorder=0)
        descriptions.append(f"{name}: {_describe(rec)}")
    ax.set_yticks([y for y, _ in ticklabels], [t for _, t in ticklabels])
    ax.set_ylim(-0.7, len(ordered) - 0.3)
    _pct_axis(ax, "x", limit * 1.12)
    ax.set_xlabel(f"Aandeel respondenten met {what} (punt en 95%-interval)")
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    _footnote(fig, _notes(basis_text, suppressed=any_suppressed, not_measured=any_unseen, k=k))
    alt = (
        f"Puntgrafiek van het aandeel respondenten met {what} per groep, met 95%-betrouwbaarheidsintervallen. "
        + "; ".join(descriptions)
        + f". {basis_text}."
    )
    path = _save(fig, out_path, alt)
    return FigureOutput(path, alt, basis_text)


# --------------------------------------------------------------------------------------------
# (c) diverging stacked bars for ordinal items
# --------------------------------------------------------------------------------------------


def _diverging_palette(n: int, neutral_index: int | None) -> list[str]:
    """Warm colours left of the centre (strongest outermost), cool colours right."""
    warm = ["#D55E00", "#E69F00", "#F3C56B"]  # strongest first
    cool = ["#0072B2", "#56B4E9", "#A6D4F2"]  # strongest first
    if neutral_index is None:
        left, right = n // 2, n - n // 2
    else:
        left, right = neutral_index, n - neutral_index - 1
    if left > len(warm) or right > len(cool):
        raise RenderError("diverging bars support at most three categories on each side of the centre")
    middle = [LIGHT_GREY] if neutral_index is not None else []
    return warm[:left] + middle + cool[:right][::-1]


@_with_rc
def diverging_likert(
    estimates: pd.DataFrame,
    out_path: Union[str, Path],
    *,
    items: Sequence[tuple[str, str]] = OD8_ITEMS,
    categories: Sequence[tuple[str, str]] = AGREEMENT_CATEGORIES,
    neutral: str | None = "3",
    k: int | None = None,
    basis: str | None = None,
    title: str | None = None,
) -> FigureOutput:
    """Diverging stacked bars, centred on the neutral category (half left, half right).

    ``estimates``: overall rows with ``variable`` in the item codes and ``category`` in the
    category codes (compared as strings); ``share`` is the share of the item's respondents.
    An item with any suppressed category is not drawn at all (a diverging bar cannot be centred
    without every share) but shown as the suppression symbol.
    Answers outside ``categories`` (n.v.t., wil ik niet zeggen) are not drawn: their share is
    printed beside the bar ("overig"). Suppressed items are drawn as the suppression symbol.
    """
    rows = _total_rows(estimates)
    codes = [c for c, _ in categories]
    neutral_index = codes.index(neutral) if neutral is not None else None
    palette = _diverging_palette(len(codes), neutral_index)
    basis_text = _basis(rows, basis, k)
    fig = _new_figure(max(2.4, 1.3 + 0.42 * len(items)))  # room for the legend above one bar
    ax = fig.add_subplot()
    any_suppressed = False
    descriptions = []
    ylabels = []
    prepared = []  # (y, shares or None, left_total, other_share)
    max_extent = 0.5
    for i, (item, item_label) in enumerate(items):
        y = len(items) - 1 - i
        item_rows = rows[rows["variable"].astype("string") == item] if "variable" in rows.columns else rows.iloc[0:0]
        if item_rows.empty:
            raise RenderError(f"no estimate rows for item {item}")
        by_cat = {str(r["category"]): r for r in item_rows.to_dict("records")}
        n_values = pd.to_numeric(item_rows["denominator"], errors="coerce").dropna()
        suppressed = any(_suppressed(r) for r in by_cat.values())
        n_text = SUPPRESSED if suppressed or n_values.empty else fmt_int(n_values.max())
        ylabels.append((y, f"{textwrap.fill(item_label, 34)}\n(n = {n_text})"))
        if suppressed:
            any_suppressed = True
            prepared.append((y, None, 0.0, 0.0))
            descriptions.append(f"{item_label}: onderdrukt (een of meer antwoordcategorieën te klein)")
            continue
        shares = [(_num(by_cat[c]["share"]) if c in by_cat else 0.0) or 0.0 for c in codes]
        if neutral_index is not None:
            left_total = sum(shares[:neutral_index]) + shares[neutral_index] / 2
        else:
            left_total = sum(shares[: len(codes) // 2])
        other_share = sum(_num(r.get("share")) or 0.0 for c, r in by_cat.items() if c not in codes)
        prepared.append((y, shares, left_total, other_share))
        max_extent = max(max_extent, left_total, sum(shares) - left_total)
        parts = ", ".join(f"{label} {fmt_pct(s)}" for (_, label), s in zip(categories, shares))
        extra = f"; overige antwoorden {fmt_pct(other_share)}" if other_share > 0 else ""
        descriptions.append(f"{item_label}: {parts}{extra}")
    limit = min(1.0, max_extent + 0.08)
    for y, shares, left_total, other_share in prepared:
        if shares is None:
            ax.text(0, y, f"{SUPPRESSED} onderdrukt (een of meer antwoorden door minder dan {k or 'k'} respondenten)",
                    ha="center", va="center", fontsize=7.5, color=MUTED)
            continue
        start = -left_total
        for j, share in enumerate(shares):
            if share > 0:
                ax.barh(y, share, left=start, height=0.62, color=palette[j], edgecolor="white", linewidth=0.6)
                if share / (2 * limit) >= 0.05:  # wide enough for a label
                    dark = palette[j] in ("#0072B2", "#D55E00")
                    ax.text(start + share / 2, y, render.fmt_num(share * 100, 0) + "%", ha="center", va="center",
                            fontsize=7, color="white" if dark else TEXT)
            start += share
        if other_share > 0:
            ax.text(start + limit * 0.01, y, f"overig {fmt_pct(other_share, 0)}", ha="left", va="center",
                    fontsize=6.5, color=MUTED)
    ax.axvline(0, color="#444444", linewidth=0.8)
    _pct_axis(ax, "x", limit, symmetric=True)
    ax.set_yticks([y for y, _ in ylabels], [t for _, t in ylabels])
    ax.set_ylim(-0.6, len(items) - 0.4)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    # long category labels (e.g. "Helemaal niet onder druk gezet") are wrapped and set in fewer columns,
    # so the legend never gets wider than the figure
    long_labels = max((len(label) for _, label in categories), default=0) > 18
    handles = [Patch(facecolor=palette[j], edgecolor="none", label=textwrap.fill(label, 22) if long_labels else label)
               for j, (_, label) in enumerate(categories)]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              ncol=min(3 if long_labels else 5, len(handles)), frameon=False, handlelength=1.2, columnspacing=1.0,
              fontsize=7.5 if long_labels else None)
    if title:
        ax.set_title(title, pad=26, loc="left")
    extra_notes = ["Gecentreerd op de middelste categorie; overige antwoorden (niet van toepassing, wil ik niet "
                   "zeggen) zijn niet getekend."]
    _footnote(fig, _notes(basis_text, suppressed=any_suppressed, not_measured=False, k=k, extra=extra_notes))
    alt = (
        "Gestapelde staafgrafiek, gecentreerd op de middelste antwoordcategorie, van de verdeling van de "
        "antwoorden per stelling. " + "; ".join(descriptions) + f". {basis_text}."
    )
    path = _save(fig, out_path, alt)
    return FigureOutput(path, alt, basis_text)


# --------------------------------------------------------------------------------------------
# (d) context breakdown
# --------------------------------------------------------------------------------------------


@_with_rc
def context_bars(
    estimates: pd.DataFrame,
    out_path: Union[str, Path],
    *,
    order: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    k: int | None = None,
    basis: str | None = None,
    xlabel: str = "Aandeel van de respondenten die een verzoek meldden",
) -> FigureOutput:
    """Horizontal bars of one categorical breakdown (e.g. context: direct / indirect / top)."""
    rows = _total_rows(estimates)
    if rows.empty:
        raise RenderError("no estimate rows for the breakdown figure")
    labels = {**CONTEXT_LABELS, **TYPE_LABELS, **dict(labels or {})}
    by_cat = {str(r["category"]): r for r in rows.to_dict("records")}
    cats = list(order) if order else list(by_cat)
    basis_text = _basis(rows, basis, k)
    fig = _new_figure(1.0 + 0.36 * len(cats))
    ax = fig.add_subplot()
    limit = _nice_limit([_num(by_cat[c].get("ci_high")) or _num(by_cat[c].get("share"))
                         for c in cats if c in by_cat and not _suppressed(by_cat[c])])
    any_suppressed = any_unseen = False
    descriptions = []
    for i, cat in enumerate(cats):
        y = len(cats) - 1 - i
        rec = by_cat.get(cat)
        name = labels.get(cat, cat)
        if rec is None or render.is_not_measured(rec):
            any_unseen = True
            ax.text(0.002, y, NOT_MEASURED, va="center", ha="left", fontsize=8, style="italic", color=MUTED)
        elif _suppressed(rec):
            any_suppressed = True
            ax.text(0.002, y, SUPPRESSED, va="center", ha="left", fontsize=12, color=TEXT)
        else:
            share = _num(rec.get("share")) or 0.0
            low, high = _num(rec.get("ci_low")), _num(rec.get("ci_high"))
            ax.barh(y, share, height=0.6, color=OKABE_ITO["blue"])
            if low is not None and high is not None:
                ax.errorbar([share], [y], xerr=[[share - low], [high - share]], fmt="none", ecolor="#333333",
                            elinewidth=0.9, capsize=2.5)
            ax.text((high if high is not None else share) + limit * 0.01, y, fmt_pct(share), va="center", ha="left",
                    fontsize=7.5)
        descriptions.append(f"{name}: {_describe(rec)}")
    ax.set_yticks(range(len(cats) - 1, -1, -1), [textwrap.fill(labels.get(c, c), 38) for c in cats])
    ax.set_ylim(-0.6, len(cats) - 0.4)
    _pct_axis(ax, "x", limit * 1.15)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    _footnote(fig, _notes(basis_text, suppressed=any_suppressed, not_measured=any_unseen, k=k))
    alt = "Liggende staafgrafiek met 95%-intervallen. " + "; ".join(descriptions) + f". {basis_text}."
    path = _save(fig, out_path, alt)
    return FigureOutput(path, alt, basis_text)


# --------------------------------------------------------------------------------------------
# (e) comparison across waves
# --------------------------------------------------------------------------------------------

COMPARABLE_LEVELS = frozenset({"identical", "comparable", "vergelijkbaar", "true", "True"})


def _is_comparable(row: Mapping[str, Any]) -> bool:
    if "comparable" in row and not render._is_missing(row.get("comparable")):
        return bool(row["comparable"])
    level = row.get("comparability")
    return not render._is_missing(level) and str(level) in COMPARABLE_LEVELS


@_with_rc
def comparison_chart(
    estimates: pd.DataFrame,
    out_path: Union[str, Path],
    *,
    waves: Sequence[str] | None = None,
    wave_labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    k: int | None = None,
    basis: Sequence[str] | None = None,
) -> FigureOutput:
    """Estimates of several waves side by side, with 95% intervals.

    ``estimates``: overall rows with columns ``wave, category, share, ci_low, ci_high,
    suppressed`` and comparability with the reference wave, either a boolean ``comparable``
    column (preferred; the comparison table of the estimate layer) or ``comparability``
    (``identical``/``comparable`` count as comparable, anything else does not). Non-comparable
    estimates are drawn grey and hatched and labelled "niet vergelijkbaar".
    """
    rows = _total_rows(estimates)
    if rows.empty:
        raise RenderError("no estimate rows for the comparison figure")
    labels = {**TYPE_LABELS, **CONTEXT_LABELS, **dict(labels or {})}
    wave_labels = dict(wave_labels or {})
    wave_ids = list(waves) if waves else list(dict.fromkeys(str(w) for w in rows["wave"]))
    cats = list(order) if order else list(dict.fromkeys(str(c) for c in rows["category"]))
    table = {(str(r["wave"]), str(r["category"])): r for r in rows.to_dict("records")}
    if isinstance(basis, str):
        basis = [basis]
    if basis is None:
        basis = []
        for wave in wave_ids:
            wave_rows = rows[rows["wave"].astype("string") == wave]
            if not wave_rows.empty:
                basis.append(f"{wave_labels.get(wave, wave)}: " + render.estimates_basis(wave_rows, k=k))
    n_w = len(wave_ids)
    band = 0.8
    bar_h = band / n_w
    fig = _new_figure(1.2 + len(cats) * (0.25 + 0.22 * n_w))
    ax = fig.add_subplot()
    limit = _nice_limit([_num(r.get("ci_high")) or _num(r.get("share")) for r in table.values() if not _suppressed(r)])
    any_suppressed = any_unseen = any_noncomp = False
    drawn_comparable: set[str] = set()
    drawn_noncomparable: set[str] = set()
    descriptions = []
    for i, cat in enumerate(cats):
        centre = len(cats) - 1 - i
        parts = []
        for j, wave in enumerate(wave_ids):
            y = centre + band / 2 - bar_h * (j + 0.5)
            rec = table.get((wave, cat))
            colour = SERIES_COLOURS[j % len(SERIES_COLOURS)]
            wname = wave_labels.get(wave, wave)
            if rec is None or render.is_not_measured(rec):
                any_unseen = True
                ax.text(0.002, y, f"{wname}: {NOT_MEASURED}", va="center", ha="left", fontsize=7, style="italic",
                        color=MUTED)
                parts.append(f"{wname} niet gemeten")
                continue
            if _suppressed(rec):
                any_suppressed = True
                ax.text(0.002, y, f"{SUPPRESSED} {wname}: onderdrukt", va="center", ha="left", fontsize=7, color=MUTED)
                parts.append(f"{wname} onderdrukt")
                continue
            comparable = _is_comparable(rec)
            share = _num(rec.get("share")) or 0.0
            low, high = _num(rec.get("ci_low")), _num(rec.get("ci_high"))
            if comparable:
                ax.barh(y, share, height=bar_h * 0.9, color=colour, edgecolor="white", linewidth=0.5)
            else:
                any_noncomp = True
                ax.barh(y, share, height=bar_h * 0.9, color="#EFEFEF", edgecolor=GREY, hatch="////", linewidth=0.6)
            if low is not None and high is not None:
                ax.errorbar([share], [y], xerr=[[share - low], [high - share]], fmt="none",
                            ecolor="#333333" if comparable else GREY, elinewidth=0.8, capsize=2)
            end = (high if high is not None else share) + limit * 0.01
            label = fmt_pct(share) + ("" if comparable else f"  {wname}: niet vergelijkbaar")
            (drawn_comparable if comparable else drawn_noncomparable).add(wave)
            ax.text(end, y, label, va="center", ha="left", fontsize=7, color=TEXT if comparable else MUTED,
                    style="normal" if comparable else "italic")
            parts.append(f"{wname} {_describe(rec)}" + ("" if comparable else " (niet vergelijkbaar)"))
        descriptions.append(f"{labels.get(cat, cat)}: " + ", ".join(parts))
    ax.set_yticks(range(len(cats) - 1, -1, -1), [textwrap.fill(labels.get(c, c), 30) for c in cats])
    ax.set_ylim(-0.6, len(cats) - 0.4)
    _pct_axis(ax, "x", limit * 1.35)
    ax.set_xlabel("Aandeel respondenten (balk en 95%-interval)")
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    handles = []
    for j, wave in enumerate(wave_ids):
        if wave in drawn_noncomparable and wave not in drawn_comparable:
            continue  # only ever drawn grey and named beside its bars
        handles.append(Patch(facecolor=SERIES_COLOURS[j % len(SERIES_COLOURS)], label=wave_labels.get(wave, wave)))
    if any_noncomp:
        handles.append(Patch(facecolor="#EFEFEF", edgecolor=GREY, hatch="////",
                             label="niet vergelijkbaar (andere meetwijze)"))
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(4, len(handles)),
              frameon=False, handlelength=1.4)
    extra = []
    if any_noncomp:
        extra.append("Niet vergelijkbaar: andere vraag, referteperiode, referentievoorval, definitie of populatie; "
                     "alleen beschrijvend getoond, zonder toets.")
    _footnote(fig, _notes(list(basis), suppressed=any_suppressed, not_measured=any_unseen, k=k, extra=extra))
    alt = (
        "Liggende staafgrafiek die metingen naast elkaar zet, met 95%-intervallen; niet-vergelijkbare schattingen "
        "zijn grijs gearceerd. " + "; ".join(descriptions) + ". " + " ".join(f"{b}." for b in basis)
    )
    path = _save(fig, out_path, alt)
    return FigureOutput(path, alt, " | ".join(basis))


__all__ = [
    "AGREEMENT_CATEGORIES",
    "FigureOutput",
    "FELT_PRESSURE_ITEM",
    "OD8_ITEMS",
    "OKABE_ITO",
    "PRESSURE_CATEGORIES",
    "comparison_chart",
    "context_bars",
    "diverging_likert",
    "figure1_grid",
    "prevalence_intervals",
]
