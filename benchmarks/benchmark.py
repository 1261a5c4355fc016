"""drukmonitor performance benchmark (issue #8).

Generates synthetic waves of the new instrument (uu2020) of 10k, 100k and 1M respondents as CSV
(UTF-8, codes) and SPSS .sav (value labels, user-missing 8/9), then measures, each in a fresh
subprocess so that peak memory is per measurement:

    floor     only reading the file into a DataFrame with the fastest reader available
              (CSV: ``pd.read_csv(engine="pyarrow")``; .sav: the faster of
              ``pyreadstat.read_file_multiprocessing(read_sav, num_processes=2)`` and ``read_sav``)
    ingest    read + validate -> canonical table (``drukmonitor.ingest.ingest_file``)
    classify  ingest + harmonise + classify (``drukmonitor.stages.classify_canonical``)
    estimate  ingest + harmonise + classify + estimate (``drukmonitor.estimate.estimate_wave``,
              default settings, wave metadata and estimation frame built like the workflow)
    workflow  the real Snakemake workflow (``snakemake --cores 2``) on a one-wave configuration:
              every rule except report rendering, with all intermediate files written and read

plus a no-change rerun of the workflow on the bundled demo data. Prints a Markdown table and
PASS/FAIL for the targets of issue #8 and writes ``results.md`` / ``results.json`` to the output
directory (default ``benchmarks/out/``). Generated inputs are cached there, keyed by size and seed.
See benchmarks/README.md for what is measured, the targets and the measured figures.

    .venv/bin/python benchmarks/benchmark.py                  # everything (about 25-30 minutes)
    .venv/bin/python benchmarks/benchmark.py --quick          # 10k only, no Snakemake runs (smoke test)
    .venv/bin/python benchmarks/benchmark.py --sizes 100000 --formats csv --repeat 3
    .venv/bin/python benchmarks/benchmark.py --profile 1000000 --formats csv   # cProfile of one run
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as _dt
import json
import os
import platform
import pstats
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyreadstat

REPO = Path(__file__).resolve().parent.parent
#: the drukmonitor package sources that are measured (--src: e.g. a copy of an older version)
SOURCE = REPO / "src"
DEFAULT_OUT = REPO / "benchmarks" / "out"
DEFAULT_SEED = 20240808
#: bump when the generator changes, so cached inputs are regenerated
GENERATOR_VERSION = 1
MODES = ("floor", "ingest", "classify", "estimate")
#: the floor is the fastest of these plain readers (reading into a DataFrame, nothing else)
FLOOR_READERS = {
    "csv": {"floor": "pd.read_csv(engine=pyarrow)"},
    "sav": {
        "floor": "pyreadstat.read_file_multiprocessing(read_sav, num_processes=2)",
        "floor_single": "pyreadstat.read_sav",
    },
}
WORKFLOW_MODE = "workflow"
INSTRUMENT = "uu2020"

# targets of issue #8
TARGET_RATIO_TO_FLOOR = 3.0  # 1M: ingest -> classified <= 3x floor
TARGET_WORKFLOW_S = 90.0  # whole workflow except rendering (1M)
TARGET_PEAK_MB = 3072.0  # peak memory < 3 GB
TARGET_SCALING = 1.5  # cost per respondent at 1M <= 1.5x cost at 100k
TARGET_RERUN_S = 5.0  # no-change rerun of the demo workflow


def _total_memory_kib() -> int | None:
    """MemTotal of /proc/meminfo (None where there is no /proc, e.g. macOS)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _default_memory_limit_mb() -> float:
    """Kill a measurement above 70% of the machine's memory (at most 16 GiB): the machine is shared."""
    total = _total_memory_kib()
    return 16384.0 if total is None else min(16384.0, total / 1024 * 0.7)


MEMORY_LIMIT_MB = _default_memory_limit_mb()
#: bytecode cache of the child processes when the environment disables writing .pyc files (None: as is)
BYTECODE_CACHE: Path | None = None

RESULT_COLUMNS = (
    "size",
    "format",
    "stage",
    "wall_s",
    "peak_mb",
    "ratio_to_floor",
    "us_per_row",
    "rows_out",
    "repeats",
)


# ==================================================================================================
# synthetic uu2020 waves (vectorised: no per-row Python)
# ==================================================================================================

# name, share of respondents, P(OD1 yes), P(OD2 yes | asked), requester profile, unit response rate
_UNITS = (
    ("Stadsbeheer", 0.200, 0.10, 0.08, "line", 0.55),
    ("Stadsontwikkeling", 0.180, 0.16, 0.10, "political", 0.62),
    ("Maatschappelijke Ontwikkeling", 0.160, 0.12, 0.09, "mixed", 0.60),
    ("Dienstverlening", 0.130, 0.06, 0.06, "line", 0.50),
    ("Werk en Inkomen", 0.120, 0.07, 0.07, "line", 0.58),
    ("Bestuursdienst", 0.070, 0.22, 0.12, "political", 0.75),
    ("Concernstaf", 0.060, 0.15, 0.10, "mixed", 0.70),
    ("Directie Veiligheid", 0.050, 0.18, 0.10, "political", 0.66),
    ("Griffie", 0.0295, 0.25, 0.12, "political", 0.80),
    ("Rekenkamer", 0.0005, 0.20, 0.10, "mixed", 0.90),  # < 10 respondents at 10k: disclosure control
)
_ROLE_CODES = (1, 2, 3, 4, 9)
_ROLE_P = (0.80, 0.12, 0.03, 0.02, 0.03)
_ROLE_IMPROPER = (1.0, 1.4, 2.0, 1.2, 1.0)
# OD4 codes and probabilities per requester profile
_OD4_CODES = (1, 2, 3, 4, 5, 6, 7, 10, 9)
_OD4_P = {
    "political": (0.18, 0.22, 0.08, 0.14, 0.14, 0.07, 0.07, 0.05, 0.05),
    "line": (0.04, 0.06, 0.03, 0.14, 0.33, 0.20, 0.10, 0.05, 0.05),
    "mixed": (0.10, 0.12, 0.05, 0.15, 0.22, 0.14, 0.12, 0.05, 0.05),
}
_OD5_CODES = (1, 2, 3, 4, 5, 6, 7, 11, 10, 8, 9)
_OD5_P_POLITICAL = (0.45, 0.12, 0.12, 0.04, 0.08, 0.02, 0.02, 0.03, 0.03, 0.06, 0.03)
_OD5_P_OTHER = (0.40, 0.06, 0.10, 0.02, 0.12, 0.10, 0.06, 0.05, 0.03, 0.04, 0.02)
_OD6_CODES = (1, 2, 3, 4, 5, 9)
_OD6_P_DOUBT = (0.30, 0.30, 0.22, 0.10, 0.04, 0.04)
_OD6_P_YES = (0.12, 0.18, 0.29, 0.23, 0.13, 0.05)
_OD3_TEXTS = (
    "Een vergunning sneller afhandelen voor een bekende van de wethouder",
    "Cijfers in een raadsvoorstel gunstiger presenteren, zodat het voorstel erdoor zou komen",
    "Een advies aanpassen, \"anders komt het niet door het college\"",
    "Informatie achterhouden voor de raad; contact: j.jansen@voorbeeld.nl",
    "Een aanbesteding gunnen aan een vaste leverancier zonder offertes te vergelijken",
    "Een klacht van een inwoner laten liggen",
    "Gegevens uit een dossier delen met iemand buiten de organisatie, bel 06-12345678",
    "Een handhavingsbesluit uitstellen tot na de verkiezingen",
)
_ANDERS_TEXTS = ("Een ambtenaar van een andere gemeente", "Iemand van een adviesbureau", "Een inwoner; wil ik niet zeggen wie")

ITEM_COLUMNS = (
    "OD1", "OD2", "OD3", "OD3_wiz", "OD4", "OD4_anders", "OD5", "OD5_anders", "OD6",
    *(f"OD7_{k}" for k in range(1, 9)), "OD7_anders", *(f"OD8_{k}" for k in range(1, 6)),
)
TEXT_COLUMNS = ("org_unit", "OD3", "OD4_anders", "OD5_anders", "OD7_anders")
COLUMNS = ("respondent_id", "org_unit", "role_group", "completed", "weight", *ITEM_COLUMNS)
# questionnaire pages in order, and the columns each page fills (a break-off blanks whole pages)
_PAGES = (
    ("OD1",),
    ("OD2",),
    ("OD3", "OD3_wiz"),
    ("OD4", "OD4_anders"),
    ("OD5", "OD5_anders"),
    ("OD6",),
    (*(f"OD7_{k}" for k in range(1, 9)), "OD7_anders"),
    tuple(f"OD8_{k}" for k in range(1, 6)),
)


def _draw(rng, codes, p, size):
    return rng.choice(np.asarray(codes, dtype=np.int64), size=size, p=np.asarray(p) / np.sum(p))


def _texts(rng, choices, mask):
    """Categorical text column: one of `choices` where mask, blank (NaN) elsewhere."""
    codes = np.where(mask, rng.integers(len(choices), size=mask.shape), -1)
    return pd.Categorical.from_codes(codes, categories=list(choices))


def generate_wave(n: int, seed: int):
    """A uu2020 wave of `n` respondents as a DataFrame: float64 codes (NaN = blank), categorical text.

    Realistic routing: OD2 only after OD1 in {1, 8, 9}; OD3..OD8 only after a yes on OD1 or OD2.
    ~10 units of very different size (one tiny), role groups with different rates, weights
    (inverse unit response rate), Weet ik niet / Wil ik niet zeggen, optional-item nonresponse,
    break-offs (whole pages blank from a random page on), a few routing violations and - rejected
    at ingest - a few duplicated ids and exclusive-option clashes (OD7_8 with another option).
    """
    rng = np.random.default_rng([seed, n])
    shares = np.array([u[1] for u in _UNITS])
    unit = rng.choice(len(_UNITS), size=n, p=shares / shares.sum())
    role_index = _draw(rng, range(len(_ROLE_CODES)), _ROLE_P, n)
    role = np.asarray(_ROLE_CODES)[role_index]
    p_yes = np.minimum(0.6, np.array([u[2] for u in _UNITS])[unit] * np.asarray(_ROLE_IMPROPER)[role_index])
    p_doubt = np.array([u[3] for u in _UNITS])[unit]

    blank = -1  # int sentinel; becomes NaN at the end
    cols: dict[str, np.ndarray] = {}

    # OD1: blank 1.2%, Weet ik niet 3%, Wil ik niet zeggen 2%, else yes with the unit/role rate
    u = rng.random(n)
    yes = rng.random(n) < p_yes
    od1 = np.where(yes, _draw(rng, (2, 3, 4), (0.55, 0.30, 0.15), n), 1)
    od1 = np.select([u < 0.012, u < 0.042, u < 0.062], [blank, 8, 9], od1)
    cols["OD1"] = od1

    # OD2 (optional item) only after OD1 in {1, 8, 9}
    asked2 = np.isin(od1, (1, 8, 9))
    u = rng.random(n)
    doubt_yes = rng.random(n) < p_doubt * np.where(od1 == 8, 1.6, 1.0)
    od2 = np.where(doubt_yes, _draw(rng, (2, 3, 4), (0.6, 0.3, 0.1), n), 1)
    od2 = np.select([u < 0.005, u < 0.025, u < 0.035], [blank, 8, 9], od2)
    cols["OD2"] = np.where(asked2, od2, blank)

    block = np.isin(od1, (2, 3, 4)) | np.isin(cols["OD2"], (2, 3, 4))
    doubt = block & ~np.isin(od1, (2, 3, 4))

    # OD3: open text 50%, tick 'Wil ik niet zeggen' 12%, empty 38%
    u = rng.random(n)
    cols["OD3"] = _texts(rng, _OD3_TEXTS, block & (u < 0.50))
    cols["OD3_wiz"] = np.where(block, np.where((u >= 0.50) & (u < 0.62), 1, 0), blank)

    # OD4 by requester profile of the unit
    profiles = list(_OD4_P)
    profile = np.array([profiles.index(u_[4]) for u_ in _UNITS])[unit]
    od4 = np.full(n, blank)
    for index, p in enumerate(_OD4_P.values()):
        hit = block & (profile == index)
        od4[hit] = _draw(rng, _OD4_CODES, p, int(hit.sum()))
    cols["OD4"] = od4
    cols["OD4_anders"] = _texts(rng, _ANDERS_TEXTS, (od4 == 10) & (rng.random(n) < 0.85))
    political4 = np.isin(od4, (1, 2, 3))
    od5 = np.where(political4, _draw(rng, _OD5_CODES, _OD5_P_POLITICAL, n), _draw(rng, _OD5_CODES, _OD5_P_OTHER, n))
    cols["OD5"] = np.where(block, od5, blank)
    cols["OD5_anders"] = _texts(rng, _ANDERS_TEXTS, (cols["OD5"] == 10) & (rng.random(n) < 0.8))

    od6 = np.where(doubt, _draw(rng, _OD6_CODES, _OD6_P_DOUBT, n), _draw(rng, _OD6_CODES, _OD6_P_YES, n))
    cols["OD6"] = np.where(block, od6, blank)

    # OD7 (multi-select, optional): mostly consistent with OD6; 'Wil ik niet zeggen' (8) is exclusive
    low = np.isin(od6, (1, 2))
    refused6 = od6 == 9
    u = rng.random(n)
    none_felt = np.where(low, u < 0.87, np.where(refused6, (u >= 0.5) & (u < 0.7), u < 0.06))
    refuse7 = np.where(low, (u >= 0.87) & (u < 0.90), np.where(refused6, u < 0.5, (u >= 0.06) & (u < 0.10)))
    other_only = np.where(low, (u >= 0.90) & (u < 0.95), (u >= 0.10) & (u < 0.15) & ~refused6)
    means = ~low & ~refused6 & (u >= 0.15) | refused6 & (u >= 0.7) | low & (u >= 0.95)
    ticks = {k: np.zeros(n, dtype=bool) for k in range(1, 9)}
    ticks[1] = none_felt
    ticks[8] = refuse7
    ticks[7] = other_only | (means & (rng.random(n) < 0.08))
    for k, p in ((2, 0.35), (3, 0.12), (4, 0.50), (5, 0.30), (6, 0.12)):
        ticks[k] = means & (rng.random(n) < p)
    nothing = means & ~np.logical_or.reduce([ticks[k] for k in range(2, 7)])
    ticks[4] |= nothing
    for k in range(1, 9):
        cols[f"OD7_{k}"] = np.where(block, ticks[k].astype(np.int64), blank)
    cols["OD7_anders"] = _texts(rng, _ANDERS_TEXTS, block & ticks[7] & (rng.random(n) < 0.8))

    # OD8 statements (optional): Likert 1..5 around a centre, 9 = n.v.t. / wil ik niet zeggen, blanks
    centres = (np.where(doubt, 2.6, 3.7), np.where(doubt, 3.4, 2.9), np.where(political4, 4.3, 2.8),
               np.where(np.isin(od1, (3, 4)), 3.4, 2.0), 1.2 + 0.6 * np.where(refused6, 3, od6))
    for k, centre in enumerate(centres, start=1):
        value = np.clip(np.rint(centre + rng.normal(0.0, 1.0, n)), 1, 5).astype(np.int64)
        u = rng.random(n)
        value = np.select([u < 0.03, u < 0.07], [blank, 9], value)
        cols[f"OD8_{k}"] = np.where(block, value, blank)

    # break-offs (4%): every page from a random page of the respondent's path on is blank
    shown = np.stack(
        [np.ones(n, dtype=bool), asked2, *([block] * 6)], axis=1
    )  # pages OD1, OD2, OD3..OD8
    rank = np.cumsum(shown.astype(np.int8), axis=1, dtype=np.int8) - 1  # position of each shown page in the respondent's path
    path_length = shown.sum(axis=1)
    broke_off = rng.random(n) < 0.04
    stop = np.floor(rng.random(n) * path_length).astype(np.int64)
    for page, columns in enumerate(_PAGES):
        cut = broke_off & shown[:, page] & (rank[:, page] >= stop)
        for column in columns:
            if isinstance(cols[column], pd.Categorical):
                codes = cols[column].codes.copy()
                codes[cut] = -1
                cols[column] = pd.Categorical.from_codes(codes, categories=cols[column].categories)
            else:
                cols[column][cut] = blank
    completed = np.where(broke_off, 0, 1)

    # a few routing violations (flagged by classify, not rejected): OD2 answered after OD1 = yes,
    # OD6 blank although the block was shown
    viol = np.flatnonzero(np.isin(od1, (2, 3, 4)) & ~broke_off)
    viol = viol[rng.random(viol.size) < 0.002]
    cols["OD2"][viol] = 1
    viol = np.flatnonzero(block & ~broke_off)
    viol = viol[rng.random(viol.size) < 0.002]
    cols["OD6"][viol] = blank

    # rejected at ingest: exclusive-option clashes (OD7_8 ticked with OD7_4) in ~0.01% of rows
    clash = np.flatnonzero(block & ~broke_off & (cols["OD7_4"] == 1))
    clash = clash[rng.random(clash.size) < 0.001]
    cols["OD7_8"][clash] = 1

    # respondent ids: increasing integers with gaps; two duplicated pairs (both rows rejected)
    ids = 100000 + np.cumsum(rng.integers(1, 4, size=n))
    if n >= 100:
        pairs = rng.choice(n, size=4, replace=False)
        ids[pairs[1]] = ids[pairs[0]]
        ids[pairs[3]] = ids[pairs[2]]

    # weights: inverse unit response rate, managers down-weighted, normalised to mean 1
    raw_w = 1.0 / np.array([u_[5] for u_ in _UNITS])[unit] * np.where(np.isin(role, (2, 3)), 0.8, 1.0)
    weight = np.round(raw_w / raw_w.mean(), 4)

    data: dict[str, Any] = {
        "respondent_id": ids.astype(np.float64),
        "org_unit": pd.Categorical.from_codes(unit, categories=[u_[0] for u_ in _UNITS]),
        "role_group": role.astype(np.float64),
        "completed": completed.astype(np.float64),
        "weight": weight,
    }
    for column in ITEM_COLUMNS:
        values = cols[column]
        if isinstance(values, pd.Categorical):
            data[column] = values
        else:
            data[column] = np.where(values == blank, np.nan, values.astype(np.float64))
    return pd.DataFrame(data, columns=list(COLUMNS))


def write_csv_wave(frame, path: Path) -> None:
    """UTF-8 CSV, comma, codes; blanks empty; text quoted (pyarrow writer, vectorised)."""
    arrays = {}
    for column in frame.columns:
        if column in TEXT_COLUMNS:
            text = frame[column].array
            dictionary = pa.DictionaryArray.from_arrays(
                pa.array(text.codes, mask=text.codes < 0), pa.array(list(text.categories), type=pa.string())
            )
            arrays[column] = dictionary.dictionary_decode()
            continue
        values = frame[column].to_numpy()
        if column == "weight":
            arrays[column] = pa.array(values, type=pa.float64(), from_pandas=True)
        else:
            mask = np.isnan(values)
            arrays[column] = pa.array(np.where(mask, 0, values).astype(np.int64), mask=mask)
    table = pa.table(arrays)
    with _atomic(path) as tmp:
        pacsv.write_csv(table, tmp, pacsv.WriteOptions(quoting_style="needed"))


def write_sav_wave(frame, path: Path) -> None:
    """SPSS .sav with value labels and user-missing codes (8/9 where the item offers them)."""
    from drukmonitor import demo

    df = frame.copy()
    for column in TEXT_COLUMNS:
        df[column] = df[column].astype(object).where(df[column].notna(), "")
    labels = {c: {float(k): v for k, v in lab.items()} for c, lab in demo.UU2020_VALUE_LABELS.items()}
    for k in range(1, 9):
        labels[f"OD7_{k}"] = {0.0: "Niet gekozen", 1.0: demo.UU2020_OD7[k]}
    labels["OD3_wiz"] = {0.0: "Niet gekozen", 1.0: demo.UU2020_OD3_WIZ[1]}
    missing = {c: [float(v) for v in codes] for c, codes in demo.UU2020_SAV_MISSING.items()}
    formats = {c: "F2.0" for c in labels}
    formats.update(respondent_id="F8.0", weight="F8.4")
    with _atomic(path) as tmp:
        pyreadstat.write_sav(
            df, str(tmp), file_label="drukmonitor benchmark (synthetisch)",
            column_labels={c: demo.UU2020_VARIABLE_LABELS.get(c, c)[:255] for c in df.columns},
            variable_value_labels=labels, missing_ranges=missing, variable_format=formats, row_compress=True,
        )


class _atomic:
    def __init__(self, path: Path):
        self.path = Path(path)

    def __enter__(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            os.replace(self.tmp, self.path)
        elif self.tmp.exists():
            self.tmp.unlink()


def input_path(out: Path, n: int, seed: int, fmt: str) -> Path:
    return out / "data" / f"uu2020_n{n}_seed{seed}_g{GENERATOR_VERSION}.{fmt}"


def ensure_inputs(out: Path, n: int, seed: int, formats: list[str]) -> dict[str, Path]:
    """Generate (or reuse from the cache) the input files of one size."""
    paths = {fmt: input_path(out, n, seed, fmt) for fmt in formats}
    todo = [fmt for fmt, path in paths.items() if not path.exists()]
    if todo:
        start = time.perf_counter()
        frame = generate_wave(n, seed)
        generated = time.perf_counter() - start
        for fmt in todo:
            start = time.perf_counter()
            (write_csv_wave if fmt == "csv" else write_sav_wave)(frame, paths[fmt])
            print(f"  generated {paths[fmt].name}: {n} rows in {generated:.1f} s, written in "
                  f"{time.perf_counter() - start:.1f} s ({paths[fmt].stat().st_size / 2**20:.0f} MiB)", flush=True)
    return paths


# ==================================================================================================
# measurements (run inside a fresh child process)
# ==================================================================================================


def _vm_hwm_mb() -> float:
    """Peak resident set size of this process (VmHWM), MiB."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_mb() -> float:
    """Largest peak RSS of any finished child process (multiprocessing workers, Snakemake jobs), MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def workflow_wave(n: int, fmt: str, path: Path) -> dict[str, Any]:
    """The wave entry of a run configuration for a benchmark input."""
    return {"id": f"bench_{fmt}_{n}", "instrument": INSTRUMENT, "file": str(path), "population": {"total": int(n * 1.25)}}


def _estimate(canonical, harmonised, classified, comparability, wave, settings):
    """estimate_wave on the estimation frame and wave metadata the workflow's estimate rule builds."""
    from drukmonitor import stages
    from drukmonitor.codebook import default_codebook_dir
    from drukmonitor.estimate import estimate_wave

    meta = stages.wave_meta(wave, default_codebook_dir() / f"{INSTRUMENT}.yaml", comparability)
    return estimate_wave(stages.estimation_frame(canonical, harmonised, classified), meta, settings)


def run_stage(mode: str, path: Path, fmt: str, n: int) -> dict[str, Any]:
    """One measurement; returns wall time of the measured work and the rows it produced."""
    if mode.startswith("floor"):
        reader = FLOOR_READERS[fmt][mode]
        start = time.perf_counter()
        if reader == "pd.read_csv(engine=pyarrow)":
            frame = pd.read_csv(path, engine="pyarrow")
        elif reader == "pyreadstat.read_file_multiprocessing(read_sav, num_processes=2)":
            frame, _ = pyreadstat.read_file_multiprocessing(pyreadstat.read_sav, str(path), num_processes=2)
        else:
            frame, _ = pyreadstat.read_sav(str(path))
        return {"wall_s": time.perf_counter() - start, "rows_out": len(frame)}

    # imports are not part of the measured time (a constant 1-5 s per process)
    from drukmonitor.config import DEFAULT_SETTINGS
    from drukmonitor.stages import classify_canonical, ingest_single_file

    if mode == "estimate":
        import drukmonitor.estimate  # noqa: F401
    settings = dict(DEFAULT_SETTINGS)
    wave = workflow_wave(n, fmt, path)
    start = time.perf_counter()
    result = ingest_single_file(path, INSTRUMENT, wave_id=wave["id"])
    rows = len(result.canonical)
    if mode in ("classify", "estimate"):
        harmonised, classified, comparability = classify_canonical(result.canonical, INSTRUMENT, settings)
        rows = len(classified)
        if mode == "estimate":
            tables = _estimate(result.canonical, harmonised, classified, comparability, wave, settings)
            rows = sum(len(table) for table in tables.values())
    return {"wall_s": time.perf_counter() - start, "rows_out": rows}


def _workflow_config(workdir: Path, waves: list[dict[str, Any]], demo: bool = False) -> Path:
    """A run configuration whose paths are absolute, so Snakemake can run in an isolated directory."""
    import yaml

    if demo:
        config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
        for wave in config["waves"]:
            wave["file"] = str(REPO / wave["file"])
    else:
        from drukmonitor.config import DEFAULT_SETTINGS

        config = {"run_id": "bench", "organisation": "Benchmark (synthetisch)", "settings": dict(DEFAULT_SETTINGS),
                  "waves": waves, "comparisons": []}
    config["processed_dir"] = str(workdir / "processed")
    config["reports_dir"] = str(workdir / "reports")
    config["codebook_dir"] = str(REPO / "workflow" / "codebooks")
    config["crosswalk_dir"] = str(REPO / "workflow" / "crosswalks")
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def workflow_cores() -> str:
    """`--cores` of the Snakemake runs (--workflow-cores; 1 = one job at a time, the memory-bound mode)."""
    return os.environ.get("BENCHMARK_WORKFLOW_CORES", "2")


def _snakemake_command(workdir: Path, configfile: Path, *, omit_rendering: bool = True) -> list[str]:
    return [str(Path(sys.executable).with_name("snakemake")), "--snakefile", str(REPO / "Snakefile"),
            "--directory", str(workdir), "--configfile", str(configfile), "--cores", workflow_cores(), "--quiet", "all",
            *(_omit_rendering(workdir, configfile) if omit_rendering else [])]


def _omit_rendering(workdir: Path, configfile: Path) -> list[str]:
    """`--omit-from` every rendering rule the workflow has (the target excludes rendering)."""
    listing = subprocess.run(
        [str(Path(sys.executable).with_name("snakemake")), "--snakefile", str(REPO / "Snakefile"), "--directory",
         str(workdir), "--configfile", str(configfile), "--list-rules"],
        capture_output=True, text=True, env=_workflow_env(), check=False,
    )
    rules = [line.strip() for line in listing.stdout.splitlines() if line.strip()]
    render = [rule for rule in rules if any(word in rule for word in ("render", "report", "figure"))]
    return ["--omit-from", *render] if render else []


def _workflow_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DRUKMONITOR_PSEUDONYM_KEY", "benchmark-key-not-secret")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_workflow(path: Path, fmt: str, n: int, workdir: Path) -> dict[str, Any]:
    """The whole workflow (except rendering) on one wave, from scratch, in an isolated directory."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    config = _workflow_config(workdir, [workflow_wave(n, fmt, path)])
    command = _snakemake_command(workdir, config)
    start, epoch = time.perf_counter(), time.time()
    done = subprocess.run(command, capture_output=True, text=True, env=_workflow_env(), check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"snakemake failed ({done.returncode}):\n{done.stderr[-4000:]}")
    processed = workdir / "processed" / f"bench_{fmt}_{n}"
    rows = sum(1 for _ in processed.rglob("*.parquet"))
    # when each stage's outputs were complete (seconds after the start; rules may run side by side)
    milestones = {}
    for stage, pattern in (("ingest", "canonical.parquet"), ("classify", "classified.csv"),
                           ("estimate", "estimates/*"), ("export", "export/*")):
        files = list(processed.glob(pattern))
        if files:
            milestones[stage] = round(max(f.stat().st_mtime for f in files) - epoch, 1)
    return {"wall_s": wall, "rows_out": rows, "finished_at_s": milestones}


def run_demo_rerun(workdir: Path, repeat: int = 3) -> dict[str, Any]:
    """Full workflow on the demo config (rendering included), then time reruns that have nothing to do."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    config = _workflow_config(workdir, [], demo=True)
    command = _snakemake_command(workdir, config, omit_rendering=False)
    scope = "whole workflow, rendering included"
    start = time.perf_counter()
    first = subprocess.run(command, capture_output=True, text=True, env=_workflow_env(), check=False)
    first_wall = time.perf_counter() - start
    if first.returncode != 0:  # e.g. no rendering toolchain: measure the workflow without rendering
        failure = first.stderr.strip()[-600:]
        command = _snakemake_command(workdir, config)
        scope = f"rendering omitted (the full run failed: {failure[-200:]!r})"
        start = time.perf_counter()
        first = subprocess.run(command, capture_output=True, text=True, env=_workflow_env(), check=False)
        first_wall = time.perf_counter() - start
        if first.returncode != 0:
            return {"measurable": False, "first_run_s": first_wall,
                    "reason": "the demo workflow does not run end to end yet: " + first.stderr.strip()[-1500:]}
    reruns = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        again = subprocess.run(command, capture_output=True, text=True, env=_workflow_env(), check=False)
        reruns.append(time.perf_counter() - start)
        if again.returncode != 0:
            return {"measurable": False, "first_run_s": first_wall, "reason": again.stderr[-1500:]}
    dry = subprocess.run([c for c in command if c != "--quiet"] + ["-n"], capture_output=True, text=True,
                         env=_workflow_env(), check=False)
    nothing = "Nothing to be done" in (dry.stdout + dry.stderr)
    result = {"measurable": True, "scope": scope, "first_run_s": first_wall, "rerun_s": statistics.median(reruns),
              "reruns_s": [round(r, 2) for r in reruns], "nothing_to_do": nothing, "reason": ""}
    if os.environ.get("PYTHONPYCACHEPREFIX") and os.environ.get("BENCHMARK_ORIGINAL_DONTWRITEBYTECODE"):
        # the same rerun without any bytecode cache (how this environment runs Python by default)
        env = _workflow_env()
        env.pop("PYTHONPYCACHEPREFIX")
        env["PYTHONDONTWRITEBYTECODE"] = env["BENCHMARK_ORIGINAL_DONTWRITEBYTECODE"]
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        result["rerun_without_bytecode_cache_s"] = time.perf_counter() - start
    return result


def child_main(args: argparse.Namespace) -> None:
    """Entry point of the measuring child process: prints one JSON line."""
    path = Path(args.child_path)
    n = int(args.child_size)
    if args.child_mode == WORKFLOW_MODE:
        result = run_workflow(path, args.child_format, n, Path(args.child_workdir))
    elif args.child_mode == "rerun":
        result = run_demo_rerun(Path(args.child_workdir))
    elif args.child_profile:
        profiler = cProfile.Profile()
        profiler.enable()
        result = run_stage(args.child_mode, path, args.child_format, n)
        profiler.disable()
        profiler.dump_stats(args.child_profile)
    else:
        result = run_stage(args.child_mode, path, args.child_format, n)
    result["self_peak_mb"] = _vm_hwm_mb()
    result["children_peak_mb"] = _children_peak_mb()
    print("BENCHMARK-RESULT " + json.dumps(result), flush=True)


def child_env() -> dict[str, str]:
    """Environment of a measuring child process (and of the Snakemake jobs it starts)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE), env.get("PYTHONPATH")]))
    # codebooks and crosswalks of this checkout, also when --src measures a copy of the package
    env.setdefault("DRUKMONITOR_CODEBOOK_DIR", str(REPO / "workflow" / "codebooks"))
    env.setdefault("DRUKMONITOR_CROSSWALK_DIR", str(REPO / "workflow" / "crosswalks"))
    if BYTECODE_CACHE is not None and env.get("PYTHONDONTWRITEBYTECODE"):
        # An environment that forbids bytecode caching recompiles pandas, scipy, snakemake ... from
        # source in every process (seconds per process). An installed venv normally has its .pyc
        # files: give the children a bytecode cache of their own (outside the venv and the sources).
        env["BENCHMARK_ORIGINAL_DONTWRITEBYTECODE"] = env.pop("PYTHONDONTWRITEBYTECODE")
        env["PYTHONPYCACHEPREFIX"] = str(BYTECODE_CACHE)
    return env


def measure(mode: str, path: Path, fmt: str, n: int, *, workdir: Path | None = None, profile: Path | None = None) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child-mode", mode, "--child-path", str(path),
               "--child-format", fmt, "--child-size", str(n)]
    if workdir is not None:
        command += ["--child-workdir", str(workdir)]
    if profile is not None:
        command += ["--child-profile", str(profile)]
    env = child_env()
    started = time.perf_counter()
    returncode, stdout, stderr, tree_peak_mb, killed = run_guarded(command, env, MEMORY_LIMIT_MB)
    if killed:
        elapsed = time.perf_counter() - started
        print(f"  !! {mode} {fmt} {n}: killed after {elapsed:.0f} s, its processes used more than "
              f"{MEMORY_LIMIT_MB:.0f} MiB (--mem-limit-mb)", flush=True)
        return {"wall_s": None, "peak_mb": tree_peak_mb, "rows_out": None, "killed_after_s": elapsed}
    lines = [line for line in stdout.splitlines() if line.startswith("BENCHMARK-RESULT ")]
    if returncode != 0 or not lines:
        raise RuntimeError(f"measurement {mode} {fmt} {n} failed (exit {returncode}):\n{stderr[-4000:]}")
    result = json.loads(lines[-1].split(" ", 1)[1])
    # peak of the measuring process plus its largest child (the floor's .sav reader runs in workers; a
    # workflow runs its work in Snakemake jobs), or the sampled peak of the whole process tree if higher
    own = result["children_peak_mb"] if mode == WORKFLOW_MODE else result["self_peak_mb"] + result["children_peak_mb"]
    result["peak_mb"] = max(own, tree_peak_mb)
    return result


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (MiB), from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21])  # resident pages
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_guarded(command: list[str], env: dict[str, str], limit_mb: float) -> tuple[int, str, str, float, bool]:
    """Run a measurement; kill its whole process group when the tree exceeds `limit_mb` (0: no limit).

    Returns (exit code, stdout, stderr, sampled peak of the tree in MiB, killed). The machine is shared:
    a measurement must never push it into swapping or the OOM killer.
    """
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               start_new_session=True)
    peak, killed = 0.0, False
    while True:
        try:
            stdout, stderr = process.communicate(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            current = _tree_rss_mb(process.pid)
            peak = max(peak, current)
            if limit_mb and current > limit_mb and not killed:
                killed = True
                os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, stdout, stderr, peak, killed


# ==================================================================================================
# driver
# ==================================================================================================


def _median_result(results: list[dict[str, Any]]) -> dict[str, Any]:
    killed = [r for r in results if r["wall_s"] is None]
    if killed:  # any repetition killed at the memory limit: the measurement has no time
        return {"wall_s": None, "peak_mb": max(r["peak_mb"] for r in results), "rows_out": None,
                "repeats": len(results), "wall_all_s": [], "killed_after_s": killed[0]["killed_after_s"]}
    return {
        "wall_s": statistics.median(r["wall_s"] for r in results),
        "peak_mb": statistics.median(r["peak_mb"] for r in results),
        "rows_out": results[-1]["rows_out"],
        "repeats": len(results),
        "wall_all_s": [round(r["wall_s"], 3) for r in results],
        "killed_after_s": None,
        "finished_at_s": results[-1].get("finished_at_s"),
    }


def machine_info() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    total = _total_memory_kib()
    memory = "" if total is None else f"{total / 2**20:.1f} GiB"
    return {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "pyarrow": pa.__version__,
        "pyreadstat": getattr(pyreadstat, "__version__", "?"),
        "platform": platform.platform(),
        "workflow_cores": workflow_cores(),
    }


def evaluate_targets(rows: list[dict[str, Any]], rerun: dict[str, Any] | None) -> list[dict[str, Any]]:
    """PASS/FAIL per target; a target without the measurements it needs is 'n/a'."""
    targets: list[dict[str, Any]] = []
    by_key = {(r["size"], r["format"], r["stage"]): r for r in rows}
    sizes = sorted({r["size"] for r in rows})
    formats = sorted({r["format"] for r in rows})
    largest = max(sizes) if sizes else None

    def add(name: str, measured: str, limit: str, ok: bool | None, margin: str = "") -> None:
        targets.append({"target": name, "measured": measured, "limit": limit,
                        "status": "n/a" if ok is None else ("PASS" if ok else "FAIL"), "margin": margin})

    for fmt in formats:
        row = by_key.get((1_000_000, fmt, "classify"))
        ratio = row and row.get("ratio_to_floor")
        add(f"1M {fmt}: ingest -> classified <= {TARGET_RATIO_TO_FLOOR:g}x floor",
            f"{ratio:.2f}x" if ratio else "not measured", f"{TARGET_RATIO_TO_FLOOR:g}x",
            None if not ratio else ratio <= TARGET_RATIO_TO_FLOOR,
            f"{ratio / TARGET_RATIO_TO_FLOOR:.0%} of the limit" if ratio else "")
    for fmt in formats:
        row = by_key.get((1_000_000, fmt, WORKFLOW_MODE))
        stage = WORKFLOW_MODE
        if row is None:
            row, stage = by_key.get((1_000_000, fmt, "estimate")), "estimate (in memory; workflow not run)"
        wall = row and row["wall_s"]
        name = f"1M {fmt}: whole workflow except rendering <= {TARGET_WORKFLOW_S:g} s [{stage}]"
        if row and row["wall_s"] is None:
            add(name, f"killed at the memory limit after {row['killed_after_s']:.0f} s", f"{TARGET_WORKFLOW_S:g} s",
                False if row["killed_after_s"] > TARGET_WORKFLOW_S else None, "no time: see the memory target")
            continue
        add(name, f"{wall:.1f} s" if wall else "not measured", f"{TARGET_WORKFLOW_S:g} s",
            None if not wall else wall <= TARGET_WORKFLOW_S, f"{wall / TARGET_WORKFLOW_S:.0%} of the limit" if wall else "")
    if largest is not None:
        worst = max((r for r in rows if r["size"] == largest), key=lambda r: r["peak_mb"])
        add(f"peak memory < {TARGET_PEAK_MB / 1024:g} GB (largest size, every stage)",
            ("more than " if worst["wall_s"] is None else "")
            + f"{worst['peak_mb']:.0f} MiB ({worst['format']} {worst['stage']}, {largest} rows)",
            f"{TARGET_PEAK_MB:.0f} MiB", worst["peak_mb"] < TARGET_PEAK_MB, f"{worst['peak_mb'] / TARGET_PEAK_MB:.0%} of the limit")
    for fmt in formats:
        for stage in (*MODES[1:], WORKFLOW_MODE):
            big, mid = by_key.get((1_000_000, fmt, stage)), by_key.get((100_000, fmt, stage))
            if big is None or mid is None or big["us_per_row"] is None or mid["us_per_row"] is None:
                continue
            factor = big["us_per_row"] / mid["us_per_row"]
            add(f"{fmt} {stage}: cost/respondent at 1M <= {TARGET_SCALING:g}x cost at 100k",
                f"{big['us_per_row']:.2f} vs {mid['us_per_row']:.2f} us/row = {factor:.2f}x", f"{TARGET_SCALING:g}x",
                factor <= TARGET_SCALING, f"{factor / TARGET_SCALING:.0%} of the limit")
    if rerun is not None:
        if rerun.get("measurable"):
            add(f"no-change rerun of the demo workflow < {TARGET_RERUN_S:g} s", f"{rerun['rerun_s']:.2f} s"
                + ("" if rerun.get("nothing_to_do") else " (WARNING: the rerun still had jobs to do)"),
                f"{TARGET_RERUN_S:g} s", rerun["rerun_s"] < TARGET_RERUN_S and rerun.get("nothing_to_do", False),
                f"{rerun['rerun_s'] / TARGET_RERUN_S:.0%} of the limit")
        else:
            add(f"no-change rerun of the demo workflow < {TARGET_RERUN_S:g} s", "not yet measurable", f"{TARGET_RERUN_S:g} s",
                None, rerun.get("reason", "")[:300].replace("\n", " "))
    return targets


def _wall_text(row: dict[str, Any]) -> str:
    if row["wall_s"] is None:
        return f"killed > {row['killed_after_s']:.0f} s" if row.get("killed_after_s") else "-"
    return f"{row['wall_s']:.2f} s"


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def results_markdown(rows: list[dict[str, Any]], targets: list[dict[str, Any]], machine: dict[str, Any],
                     rerun: dict[str, Any] | None) -> str:
    lines = [
        "# drukmonitor benchmark results",
        "",
        f"{machine['date']} - {machine['cpu']}, {machine['cores']} cores, {machine['memory']}; "
        f"Python {machine['python']}, pandas {machine['pandas']}, numpy {machine['numpy']}, "
        f"pyarrow {machine['pyarrow']}, pyreadstat {machine['pyreadstat']}; "
        f"Snakemake runs with --cores {machine.get('workflow_cores', '2')}",
        "",
        "| " + " | ".join(RESULT_COLUMNS) + " |",
        "|" + "|".join("---:" if c not in ("format", "stage") else "---" for c in RESULT_COLUMNS) + "|",
    ]
    for row in rows:
        cells = [
            str(row["size"]), row["format"], row["stage"],
            _fmt(row["wall_s"], 2) if row["wall_s"] is not None else f"killed at {row['killed_after_s']:.0f}",
            (">" if row["wall_s"] is None else "") + _fmt(row["peak_mb"], 0),
            _fmt(row["ratio_to_floor"], 2), _fmt(row["us_per_row"], 2), _fmt(row["rows_out"]), str(row["repeats"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "wall_s: median wall time of the measured work (imports excluded; `workflow` is the whole `snakemake` "
        "command, every rule except rendering, from scratch); peak_mb: peak resident memory (MiB) of the measuring "
        "process plus its largest child, or the sampled total of all its processes if higher (`workflow`: jobs "
        "running side by side count together; `>`: killed at --mem-limit-mb); ratio_to_floor: wall_s / floor wall_s "
        "of the same file; us_per_row: wall_s per "
        "respondent in microseconds; rows_out: rows read (floor), canonical rows (ingest), classified rows (classify), "
        "estimate-table rows (estimate), parquet files written (workflow).",
        "",
    ]
    flows = [row for row in rows if row.get("workflow_stages_finished_at_s")]
    if flows:
        lines.append("Workflow: seconds after the start when each stage's outputs were complete:")
        lines.append("")
        for row in flows:
            stages = ", ".join(f"{stage} {at:.0f}" for stage, at in row["workflow_stages_finished_at_s"].items())
            lines.append(f"- {row['size']} {row['format']}: {stages} (total {row['wall_s']:.0f})")
        lines.append("")
    floors = [row for row in rows if row.get("floor_readers")]
    if floors:
        lines.append("Floor readers (median s; the fastest is the floor):")
        lines.append("")
        for row in floors:
            detail = row["floor_readers"]
            times = ", ".join(f"`{reader}` {seconds:.2f}" for reader, seconds in detail.items() if reader != "reader")
            lines.append(f"- {row['size']} {row['format']}: {times}")
        lines.append("")
    if rerun is not None:
        if rerun.get("measurable"):
            lines.append(
                f"Demo workflow ({rerun.get('scope', '')}): first full run {rerun['first_run_s']:.1f} s, no-change rerun "
                f"{rerun['rerun_s']:.2f} s (median of {rerun.get('reruns_s')})"
                + ("" if rerun.get("nothing_to_do") else "; WARNING: a dry run still lists jobs")
                + (f"; without any bytecode cache (PYTHONDONTWRITEBYTECODE as in this environment) "
                   f"{rerun['rerun_without_bytecode_cache_s']:.2f} s" if rerun.get("rerun_without_bytecode_cache_s") else "")
                + "."
            )
        else:
            lines.append(f"Demo workflow no-change rerun: not yet measurable ({rerun.get('reason', '')[:300]}).")
        lines.append("")
    lines += ["## Targets", "", "| target | measured | limit | status | margin |", "|---|---|---|---|---|"]
    for target in targets:
        lines.append(f"| {target['target']} | {target['measured']} | {target['limit']} | {target['status']} | {target['margin']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    global SOURCE, MEMORY_LIMIT_MB, BYTECODE_CACHE
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated wave sizes")
    parser.add_argument("--formats", default="csv,sav", help="comma-separated input formats (csv, sav)")
    parser.add_argument("--repeat", type=int, default=1, help="repeat each measurement N times, report the median")
    parser.add_argument("--quick", action="store_true", help="10k only, no Snakemake runs (smoke test)")
    parser.add_argument("--stages", default=",".join((*MODES, WORKFLOW_MODE)),
                        help="comma-separated stages to measure (floor is always measured)")
    parser.add_argument("--no-workflow", action="store_true", help="skip the Snakemake workflow runs")
    parser.add_argument("--no-rerun", action="store_true", help="skip the demo no-change rerun")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="run the children exactly in this environment even if it disables .pyc caching "
                        "(PYTHONDONTWRITEBYTECODE); by default they get a bytecode cache in OUT/pycache")
    parser.add_argument("--mem-limit-mb", type=float, default=MEMORY_LIMIT_MB,
                        help="kill a measurement whose processes use more memory than this (0: no limit; "
                        "default: 70%% of the machine's memory, at most 16 GiB)")
    parser.add_argument("--workflow-cores", type=int, default=2,
                        help="--cores of the Snakemake runs (default 2; 1 runs one job at a time: lower peak memory)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output and cache directory")
    parser.add_argument("--src", type=Path, default=None,
                        help="directory holding the drukmonitor package to measure (default: the repository's src/)")
    parser.add_argument("--profile", type=int, default=None, metavar="SIZE",
                        help="write cProfile stats of the 'classify' (and 'estimate') run of SIZE rows and stop")
    # internal: child process
    parser.add_argument("--child-mode", help=argparse.SUPPRESS)
    parser.add_argument("--child-path", help=argparse.SUPPRESS)
    parser.add_argument("--child-format", help=argparse.SUPPRESS)
    parser.add_argument("--child-size", help=argparse.SUPPRESS)
    parser.add_argument("--child-workdir", help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_mode:
        child_main(args)
        return 0

    MEMORY_LIMIT_MB = args.mem_limit_mb
    os.environ["BENCHMARK_WORKFLOW_CORES"] = str(args.workflow_cores)  # read by the measuring children
    if args.src is not None:
        SOURCE = args.src.resolve()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    BYTECODE_CACHE = None if args.no_bytecode_cache else out / "pycache"
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = set(formats) - {"csv", "sav"}
    if unknown:
        parser.error(f"unknown formats {sorted(unknown)}")
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    run_workflows = WORKFLOW_MODE in stages and not (args.quick or args.no_workflow)
    stages = ["floor", *[s for s in MODES[1:] if s in stages]]

    if args.profile:
        for fmt in formats:
            path = ensure_inputs(out, args.profile, args.seed, [fmt])[fmt]
            for stage in ("classify", "estimate"):
                target = out / f"profile_{stage}_{fmt}_{args.profile}.prof"
                result = measure(stage, path, fmt, args.profile, profile=target)
                print(f"{stage} {fmt} {args.profile}: {result['wall_s']:.2f} s under cProfile -> {target}")
                stats = pstats.Stats(str(target))
                stats.sort_stats("cumulative").print_stats(45)
                stats.sort_stats("tottime").print_stats(30)
        return 0

    machine = machine_info()
    print(f"drukmonitor benchmark - {machine['date']} - {machine['cpu']} ({machine['cores']} cores, {machine['memory']})", flush=True)
    rows: list[dict[str, Any]] = []
    for n in sizes:
        paths = ensure_inputs(out, n, args.seed, formats)
        for fmt in formats:
            floor_wall = None
            run_stages = [*stages, *([WORKFLOW_MODE] if run_workflows else [])]
            for stage in run_stages:
                floor_detail = None
                if stage == "floor":  # several plain readers: the fastest one is the floor
                    candidates = {}
                    for variant, reader in FLOOR_READERS[fmt].items():
                        runs = [measure(variant, paths[fmt], fmt, n) for _ in range(max(1, args.repeat))]
                        candidates[reader] = _median_result(runs)
                    best = min(candidates, key=lambda reader: candidates[reader]["wall_s"])
                    summary = candidates[best]
                    floor_detail = {"reader": best, **{reader: round(c["wall_s"], 3) for reader, c in candidates.items()}}
                else:
                    results = []
                    for _ in range(max(1, args.repeat)):
                        workdir = out / "workflow" / f"{fmt}_{n}" if stage == WORKFLOW_MODE else None
                        results.append(measure(stage, paths[fmt], fmt, n, workdir=workdir))
                    summary = _median_result(results)
                wall = summary["wall_s"]
                if stage == "floor":
                    floor_wall = wall
                row = {
                    "size": n,
                    "format": fmt,
                    "stage": stage,
                    "wall_s": wall,
                    "peak_mb": summary["peak_mb"],
                    "ratio_to_floor": wall / floor_wall if wall is not None and floor_wall else None,
                    "us_per_row": wall / n * 1e6 if wall is not None else None,
                    "rows_out": summary["rows_out"],
                    "repeats": summary["repeats"],
                    "wall_all_s": summary["wall_all_s"],
                    "killed_after_s": summary["killed_after_s"],
                    "floor_readers": floor_detail,
                    "workflow_stages_finished_at_s": summary.get("finished_at_s"),
                }
                rows.append(row)
                print(f"  {n:>8} {fmt} {stage:<9} {_wall_text(row):>10} {row['peak_mb']:7.0f} MiB "
                      f"{_fmt(row['ratio_to_floor']):>6}x floor {_fmt(row['us_per_row']):>8} us/row", flush=True)
            if run_workflows:
                shutil.rmtree(out / "workflow" / f"{fmt}_{n}", ignore_errors=True)

    rerun = None
    if not (args.quick or args.no_rerun):
        print("  demo workflow: full run, then a no-change rerun ...", flush=True)
        workdir = out / "workflow" / "demo"
        command = [sys.executable, str(Path(__file__).resolve()), "--child-mode", "rerun", "--child-path", "-",
                   "--child-format", "-", "--child-size", "0", "--child-workdir", str(workdir)]
        returncode, stdout, stderr, _, _ = run_guarded(command, child_env(), MEMORY_LIMIT_MB)
        lines = [line for line in stdout.splitlines() if line.startswith("BENCHMARK-RESULT ")]
        rerun = json.loads(lines[-1].split(" ", 1)[1]) if lines else {"measurable": False, "reason": stderr[-1500:]}
        shutil.rmtree(workdir, ignore_errors=True)

    targets = evaluate_targets(rows, rerun)
    markdown = results_markdown(rows, targets, machine, rerun)
    (out / "results.md").write_text(markdown, encoding="utf-8")
    payload = {"machine": machine, "seed": args.seed, "generator_version": GENERATOR_VERSION, "source": str(SOURCE),
               "memory_limit_mb": MEMORY_LIMIT_MB,
               "bytecode_cache": str(BYTECODE_CACHE) if BYTECODE_CACHE and os.environ.get("PYTHONDONTWRITEBYTECODE") else None,
               "results": rows,
               "rerun": rerun, "targets": targets}
    (out / "results.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print()
    print(markdown)
    for target in targets:
        print(f"{target['status']:>4}  {target['target']}: {target['measured']} (limit {target['limit']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
