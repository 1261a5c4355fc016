"""Deterministic, atomic writers: same data in, same bytes out; never a half-written file."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


@contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `target`; move it into place only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        os.replace(temporary_path, target)
    finally:
        if temporary_path.exists():
            temporary_path.unlink()


def write_parquet(frame: pd.DataFrame, target: Path | str) -> None:
    # pandas metadata (kept so nullable dtypes round-trip) names the pandas version, which the lock file pins
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    with atomic_path(target) as temporary:
        pq.write_table(table, temporary, compression="zstd")


def read_parquet(source: Path | str) -> pd.DataFrame:
    return pd.read_parquet(source)


def write_csv(frame: pd.DataFrame, target: Path | str) -> None:
    with atomic_path(target) as temporary:
        frame.to_csv(temporary, index=False, lineterminator="\n", encoding="utf-8")


def write_json(data: Any, target: Path | str) -> None:
    with atomic_path(target) as temporary:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def write_text(text: str, target: Path | str) -> None:
    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")


SAV_CREATION_DATE = b"01 Jan 20"
SAV_CREATION_TIME = b"00:00:00"


def _check_sav_header(head: bytes) -> None:
    if head[:4] not in (b"$FL2", b"$FL3"):
        raise ValueError("not an SPSS .sav header")


# Header layout: "$FL2", 60-byte product name, 5 int32, float64 bias -> date at 92, time at 101.
_SAV_DATE_OFFSET = 92
_SAV_TIME_OFFSET = 101


def pinned_sav_bytes(data: bytes) -> bytes:
    """SPSS headers carry a creation date and time; pin them so rewrites are byte-identical."""
    _check_sav_header(data)
    pinned = bytearray(data)
    pinned[_SAV_DATE_OFFSET:_SAV_TIME_OFFSET] = SAV_CREATION_DATE
    pinned[_SAV_TIME_OFFSET:_SAV_TIME_OFFSET + len(SAV_CREATION_TIME)] = SAV_CREATION_TIME
    return bytes(pinned)


def pin_sav_header(path: Path | str) -> None:
    """`pinned_sav_bytes` in place: a large export is patched, not read and rewritten."""
    with open(path, "r+b") as handle:
        _check_sav_header(handle.read(4))
        handle.seek(_SAV_DATE_OFFSET)
        handle.write(SAV_CREATION_DATE + SAV_CREATION_TIME)
