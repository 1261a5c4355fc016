"""Format layer: turn any raw export file into a :class:`RawExport`, without knowing the instrument.

The reader dispatches on the *content* of the file (magic bytes), checks that the content matches
the extension, and returns one column per raw column with the original names. Row ``i`` of
``RawExport.frame`` is data record ``i + 1`` of the file (``source_row``, header excluded).

Column types in ``frame``:

* delimited text: every column is ``string`` (``pd.StringDtype("pyarrow")``, missing = ``pd.NA``);
  nothing is converted to numbers here (use :func:`parse_number`).
* SPSS / Stata: numeric columns are ``Int64`` when every non-missing value is integral, else
  ``Float64``; string columns are ``string``; dates stay ``datetime64``. SPSS user-missing codes are kept
  as ordinary codes (listed in ``user_missing``); system-missing is ``pd.NA``.
* Excel: a column whose filled cells are all numbers becomes ``Int64`` / ``Float64`` like SPSS;
  any other column becomes ``string`` (numbers written as text, dates in ISO format, booleans as
  ``TRUE`` / ``FALSE``).

In every format text is stripped of surrounding whitespace and an empty string is ``pd.NA``.
Entirely empty records at the end of a text file or sheet are dropped; empty records in the middle
are kept (all ``pd.NA``) so that ``source_row`` keeps pointing at the record in the file.

Column names are stripped of surrounding whitespace; a column without a name is dropped when it is
empty and named ``unnamed_<position>`` otherwise (with a warning); duplicate names are an error.

Delimited text: the encoding is UTF-8 (``utf-8-sig`` with a BOM) when the bytes are valid UTF-8;
otherwise charset-normalizer chooses between cp1252 and latin-1 (default cp1252). The two decode
every byte outside 0x80-0x9F identically, and inside that range latin-1 yields C1 control characters,
so in practice ``latin-1`` is only reported when charset-normalizer prefers it and the text has no
such byte. Refused as undecodable: a byte undefined in cp1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D), any
C0 control character other than TAB/CR/LF (and DEL), text that is mostly UTF-8 with a few stray bytes
(mixed encodings), and non-UTF-8 bytes after a UTF-8 BOM. The delimiter is the one among
``, ; TAB |`` that splits the header into at least two fields and the first records consistently.
Parsing uses pyarrow (multi-threaded); rare cases (odd number of quote characters, ragged rows)
go through the exact csv-module parser, which gives physical line numbers and the same result.

File-level problems raise :class:`~drukmonitor.errors.FileUnusableError`; recoverable oddities (a
truncated last line, a column without a header, ...) are recorded in ``RawExport.warnings``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import numbers
import re
import warnings as _pywarnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from drukmonitor.errors import FileUnusableError

__all__ = [
    "RawExport",
    "read_raw_export",
    "sha256_of",
    "parse_number",
    "DELIMITERS",
    "STRING_DTYPE",
]

#: Dtype of every text column in a RawExport frame (nullable, missing = pd.NA).
STRING_DTYPE = pd.StringDtype("pyarrow")

#: Candidate delimiters for delimited text, in tie-break order.
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

_HEAD_BYTES = 8192
_SNIFF_CHARS = 65536
_SNIFF_RECORDS = 50
_ARROW_BLOCK_SIZE = 1 << 22
#: pandas keeps "string[pyarrow]" data as large_string; parse straight into it (no cast copy)
_ARROW_STRING = pa.large_string()
#: A user-missing range wider than this is not expanded integer by integer.
_MAX_RANGE_EXPANSION = 1000

_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "TAB", "|": "'|'"}


@dataclass(frozen=True, eq=False)
class RawExport:
    """One raw export file, read without any knowledge of the instrument.

    ``eq=False``: a DataFrame has no single truth value, so instances compare by identity.
    """

    path: Path
    sha256: str
    file_format: str  # "sav" | "zsav" | "por" | "dta" | "xlsx" | "csv"
    encoding: str | None  # text only: "utf-8", "utf-8-sig", "cp1252", "latin-1"
    delimiter: str | None  # text only
    frame: pd.DataFrame  # original column names; row i = source_row i + 1
    value_labels: dict[str, dict[int, str]]
    user_missing: dict[str, set[int]]
    variable_labels: dict[str, str]
    warnings: tuple[str, ...] = ()
    sheet: str | None = None  # xlsx only: name of the sheet that was read

    @property
    def n_rows(self) -> int:
        return len(self.frame)


# --------------------------------------------------------------------------------------------------
# hashing


def sha256_of(path: str | Path) -> str:
    """SHA-256 (hex) of a file, read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# --------------------------------------------------------------------------------------------------
# content sniffing

# family -> what an extension promises
_EXTENSIONS: dict[str, tuple[str, str]] = {
    ".sav": ("spss", "an SPSS system file"),
    ".zsav": ("spss", "a compressed SPSS system file"),
    ".por": ("por", "an SPSS portable file"),
    ".dta": ("dta", "a Stata data file"),
    ".xlsx": ("xlsx", "an Excel workbook"),
    ".xlsm": ("xlsx", "an Excel workbook"),
    ".csv": ("text", "delimited text"),
    ".tsv": ("text", "delimited text"),
    ".tab": ("text", "delimited text"),
    ".txt": ("text", "delimited text"),
}

# extensions we know but do not read (always an error, with advice)
_UNSUPPORTED_EXTENSIONS: dict[str, str] = {
    ".xls": "legacy Excel workbooks (.xls) are not supported; save the sheet as .xlsx or CSV",
    ".xlsb": "binary Excel workbooks (.xlsb) are not supported; save the sheet as .xlsx or CSV",
    ".ods": "OpenDocument spreadsheets (.ods) are not supported; save the sheet as .xlsx or CSV",
    ".sas7bdat": "SAS data files are not supported; export to .sav, .dta, .xlsx or CSV",
    ".parquet": "Parquet files are not raw exports; deliver .sav, .dta, .xlsx or CSV",
    ".json": "JSON files are not supported; deliver .sav, .dta, .xlsx or CSV",
    ".pdf": "PDF files cannot be read as data; deliver .sav, .dta, .xlsx or CSV",
    ".zip": "zip archives are not read; unpack the export and configure the data file itself",
    ".gz": "compressed files are not read; unpack the export and configure the data file itself",
}

# content kind -> (family, description)
_KINDS: dict[str, tuple[str | None, str]] = {
    "sav": ("spss", "an SPSS system file (.sav)"),
    "zsav": ("spss", "a compressed SPSS system file (.zsav)"),
    "por": ("por", "an SPSS portable file (.por)"),
    "dta": ("dta", "a Stata data file (.dta)"),
    "xlsx": ("xlsx", "an Excel workbook (.xlsx)"),
    "text": ("text", "plain text (CSV or similar)"),
    "empty": (None, "an empty file"),
    "xlsb": (None, "a binary Excel workbook (.xlsb)"),
    "ods": (None, "an OpenDocument spreadsheet (.ods)"),
    "docx": (None, "a Word document (.docx)"),
    "pptx": (None, "a PowerPoint presentation (.pptx)"),
    "zip": (None, "a zip archive"),
    "badzip": (None, "a damaged zip archive"),
    "ole2": (None, "a legacy Office file (e.g. Excel 97-2003 .xls)"),
    "pdf": (None, "a PDF document"),
    "gzip": (None, "a gzip-compressed file"),
    "bzip2": (None, "a bzip2-compressed file"),
    "xz": (None, "an xz-compressed file"),
    "7z": (None, "a 7-Zip archive"),
    "rar": (None, "a RAR archive"),
    "parquet": (None, "a Parquet file"),
    "arrow": (None, "an Arrow/Feather file"),
    "png": (None, "a PNG image"),
    "jpeg": (None, "a JPEG image"),
    "rtf": (None, "an RTF document"),
    "html": (None, "an HTML page"),
    "xml": (None, "an XML document"),
    "utf16": (None, "UTF-16/UTF-32 encoded text (save it as UTF-8 CSV)"),
    "binary": (None, "binary data of an unknown type"),
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"$FL2", "sav"),
    (b"$FL3", "zsav"),
    (b"<stata_dta>", "dta"),
    (b"%PDF", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"PAR1", "parquet"),
    (b"ARROW1", "arrow"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"{\\rtf", "rtf"),
    (b"\xff\xfe\x00\x00", "utf16"),
    (b"\x00\x00\xfe\xff", "utf16"),
    (b"\xff\xfe", "utf16"),
    (b"\xfe\xff", "utf16"),
)

# Stata 102..115 ("old" binary format): version byte, byte order (1 = MSF, 2 = LSF), file type 1, 0
_OLD_STATA_VERSIONS = {102, 103, 104, 105, 108, 110, 111, 113, 114, 115}

# C0 control characters other than TAB, LF, CR, plus DEL: never part of a text export
_CONTROL_BYTES = bytes([b for b in range(0x20) if b not in (0x09, 0x0A, 0x0D)] + [0x7F])
_CONTROL_RE = re.compile(b"[" + re.escape(_CONTROL_BYTES) + b"]")
_C1_RE = re.compile(b"[\x80-\x9f]")
_UTF8_C1_RE = re.compile(rb"\xc2[\x80-\x9f]")


def _sniff_kind(path: Path, head: bytes) -> str:
    """Classify the content from its first bytes (and, for zip files, the archive listing)."""
    if not head:
        return "empty"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if _is_old_stata(head):
        return "dta"
    port = head.find(b"SPSSPORT", 0, 1024)
    if 400 <= port <= 560:
        return "por"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path)
    # binary if control bytes (NUL included) are frequent; a few stray ones in text are reported
    # precisely (offset, line) by the text reader instead
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > max(2, len(head) // 20):
        return "binary"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<head", b"<body")):
        return "html"
    if start.startswith(b"<?xml"):
        return "xml"
    return "text"


def _is_old_stata(head: bytes) -> bool:
    return (
        len(head) >= 4
        and head[0] in _OLD_STATA_VERSIONS
        and head[1] in (1, 2)
        and head[2] == 1
        and head[3] == 0
    )


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        return "badzip"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return "zip"


def _check_kind_against_extension(path: Path, kind: str, notes: list[str]) -> None:
    ext = path.suffix.lower()
    family, description = _KINDS[kind]
    if kind == "empty":
        raise FileUnusableError("the file is empty (0 bytes)", file=path)
    if ext in _UNSUPPORTED_EXTENSIONS:
        raise FileUnusableError(
            f"{_UNSUPPORTED_EXTENSIONS[ext]} (the content looks like {description})", file=path
        )
    if ext in _EXTENSIONS:
        expected_family, promised = _EXTENSIONS[ext]
        if family != expected_family:
            raise FileUnusableError(
                f"the extension '{ext}' says {promised}, but the content looks like {description}",
                file=path,
            )
        if kind == "zsav" and ext == ".sav":
            notes.append("the .sav file is a compressed SPSS system file (.zsav); read it as such")
        return
    if family is None:
        raise FileUnusableError(
            f"the content looks like {description}, which is not a supported export format "
            "(SPSS .sav/.zsav/.por, Stata .dta, Excel .xlsx, delimited text .csv/.tsv/.txt)",
            file=path,
        )
    notes.append(
        f"unknown extension {ext or '(none)'!r}: read by content as {description}"
    )


# --------------------------------------------------------------------------------------------------
# entry point


def read_raw_export(path: str | Path, *, sheet: str | int | None = 0) -> RawExport:
    """Read one raw export file into a :class:`RawExport`.

    ``sheet`` selects the Excel sheet by name or 0-based index (``None`` = the first sheet); it is
    ignored for other formats. Raises :class:`FileUnusableError` for any file-level problem.
    """
    path = Path(path)
    if not path.exists():
        raise FileUnusableError("the file does not exist", file=path)
    if not path.is_file():
        raise FileUnusableError("the path is not a regular file", file=path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as error:
        raise FileUnusableError(f"cannot read the file: {error}", file=path) from error

    notes: list[str] = []
    kind = _sniff_kind(path, head)
    _check_kind_against_extension(path, kind, notes)

    if kind == "text":
        try:
            data = path.read_bytes()
        except OSError as error:
            raise FileUnusableError(f"cannot read the file: {error}", file=path) from error
        digest = hashlib.sha256(data).hexdigest()
        return _read_text(path, data, digest, notes)
    digest = sha256_of(path)
    if kind == "xlsx":
        return _read_xlsx(path, digest, sheet, notes)
    return _read_stat(path, digest, kind, notes)


# --------------------------------------------------------------------------------------------------
# shared column finishing


def _finish_columns(
    path: Path, names: list[str | None], columns: list[Any], is_empty: list[bool], notes: list[str]
) -> tuple[list[str], list[Any]]:
    """Name or drop header-less columns and reject duplicate names."""
    out_names: list[str] = []
    out_columns: list[Any] = []
    dropped = []
    for position, (name, column, empty) in enumerate(zip(names, columns, is_empty), start=1):
        if name is None or name == "":
            if empty:
                dropped.append(position)
                continue
            name = f"unnamed_{position}"
            notes.append(
                f"column {position} has no name in the header but holds data; named {name!r}"
            )
        out_names.append(name)
        out_columns.append(column)
    if dropped:
        notes.append(
            f"ignored {len(dropped)} column(s) without a name and without data "
            f"(position {', '.join(map(str, dropped))})"
        )
    seen: dict[str, int] = {}
    for position, name in enumerate(out_names, start=1):
        if name in seen:
            raise FileUnusableError(
                f"duplicate column name {name!r} in the header (columns {seen[name]} and {position})",
                file=path,
                column=name,
            )
        seen[name] = position
    return out_names, out_columns


def _no_rows_error(path: Path, where: str = "the file") -> FileUnusableError:
    return FileUnusableError(f"{where} has a header but no data rows", file=path)


# --------------------------------------------------------------------------------------------------
# delimited text


def _line_of_offset(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and 1-based byte column of a byte offset."""
    newline = b"\n" if b"\n" in data else b"\r"
    line = data.count(newline, 0, offset) + 1
    start = data.rfind(newline, 0, offset) + 1
    return line, offset - start + 1


def _byte_context(data: bytes, offset: int, width: int = 12) -> str:
    return repr(data[max(0, offset - width) : offset + width])


def _decode(path: Path, data: bytes, notes: list[str]) -> tuple[str, str, bytes]:
    """Return (text, encoding, utf8_payload) where utf8_payload is the text as UTF-8 without BOM."""
    bom = data.startswith(b"\xef\xbb\xbf")
    payload = data[3:] if bom else data
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + (3 if bom else 0)
        bad = data[offset : offset + 1]
        line, column = _line_of_offset(data, offset)
        where = (
            f"byte 0x{bad.hex().upper()} at offset {offset} (line {line}, byte {column} of the line, "
            f"context {_byte_context(data, offset)})"
        )
        if bom:
            raise FileUnusableError(
                f"cannot decode the text: the file starts with a UTF-8 byte-order mark, but {where} "
                "is not valid UTF-8",
                file=path,
            ) from None
        _check_not_mixed_utf8(path, data, where, notes)
        text, encoding = _decode_single_byte(path, data)
        _check_controls(path, data)
        return text, encoding, text.encode("utf-8")
    _check_controls(path, data)
    c1 = _UTF8_C1_RE.search(payload)
    if c1:
        offset = c1.start() + (3 if bom else 0)
        line, _ = _line_of_offset(data, offset)
        notes.append(
            f"the UTF-8 text contains C1 control characters (first at offset {offset}, line {line}); "
            "some text may have been converted between encodings twice"
        )
    return text, ("utf-8-sig" if bom else "utf-8"), payload


def _check_not_mixed_utf8(path: Path, data: bytes, where: str, notes: list[str]) -> None:
    """Refuse text that is mostly UTF-8 with a few stray bytes: a single-byte decode would garble it."""
    lenient = data.decode("utf-8", errors="replace")
    stray = lenient.count("\ufffd")  # one per invalid byte sequence
    non_ascii = len(lenient) - len(lenient.encode("ascii", errors="ignore"))
    valid = non_ascii - stray  # characters that were proper UTF-8 multi-byte sequences
    if valid <= 0:
        return
    if stray <= valid:
        raise FileUnusableError(
            f"cannot decode the text: it is mostly UTF-8 ({valid} multi-byte characters), "
            f"but {where} is not valid UTF-8; the file mixes encodings or is damaged",
            file=path,
        )
    notes.append(
        f"the text is not UTF-8 ({where}) but contains {valid} byte sequence(s) that are "
        "valid UTF-8; check for mixed encodings"
    )


def _decode_single_byte(path: Path, data: bytes) -> tuple[str, str]:
    """Choose between cp1252 and latin-1 (default cp1252); refuse text that is neither."""
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=["cp1252", "latin_1"]).best()
    guess = best.encoding if best is not None else None
    if guess == "latin_1":
        c1 = _C1_RE.search(data)
        if c1 is None:
            return data.decode("latin-1"), "latin-1"
        # latin-1 would produce C1 control characters: fall through to cp1252
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        offset = error.start
        bad = data[offset : offset + 1]
        line, column = _line_of_offset(data, offset)
        raise FileUnusableError(
            f"cannot decode the text: byte 0x{bad.hex().upper()} at offset {offset} "
            f"(line {line}, byte {column} of the line) is not valid UTF-8, is undefined in cp1252 "
            f"and would be the control character U+{bad[0]:04X} in latin-1; "
            f"context {_byte_context(data, offset)}",
            file=path,
        ) from None
    return text, "cp1252"


def _check_controls(path: Path, data: bytes) -> None:
    if len(data.translate(None, _CONTROL_BYTES)) == len(data):
        return
    match = _CONTROL_RE.search(data)
    assert match is not None
    offset = match.start()
    byte = data[offset]
    line, column = _line_of_offset(data, offset)
    raise FileUnusableError(
        f"cannot decode the text: byte 0x{byte:02X} at offset {offset} (line {line}, byte {column} "
        f"of the line) is the control character U+{byte:04X}, which does not occur in text exports; "
        f"the file is damaged or not a text export; context {_byte_context(data, offset)}",
        file=path,
    )


def _sniff_delimiter(path: Path, text: str, notes: list[str]) -> str:
    """Pick the delimiter among DELIMITERS from the first records (quotes respected)."""
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > len(sample)
    scores = []
    for priority, delimiter in enumerate(DELIMITERS):
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, quotechar='"')
        try:
            records = [record for _, record in zip(range(_SNIFF_RECORDS + 2), reader)]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        body = [record for record in records[1:] if record]
        if truncated and body:
            body = body[:-1]
        width = len(records[0])
        consistency = sum(len(record) == width for record in body) / len(body) if body else 1.0
        scores.append((consistency, width, -priority, delimiter))
    if not scores:
        first_line = sample.splitlines()[0] if sample.splitlines() else ""
        raise FileUnusableError(
            "cannot find the delimiter: the header line contains none of "
            f"{', '.join(_DELIMITER_NAMES[d] for d in DELIMITERS)} outside quotes "
            f"(header starts {first_line[:60]!r})",
            file=path,
        )
    scores.sort(reverse=True)
    chosen = scores[0][3]
    rivals = [s[3] for s in scores[1:] if s[0] == 1.0 and scores[0][0] == 1.0]
    if rivals:
        notes.append(
            f"delimiter is ambiguous: {_DELIMITER_NAMES[chosen]} and "
            f"{', '.join(_DELIMITER_NAMES[r] for r in rivals)} both split the first records "
            f"consistently; chose {_DELIMITER_NAMES[chosen]} ({scores[0][1]} columns)"
        )
    return chosen


class _SlowPath(Exception):
    """The fast parser cannot decide; use the exact (slower) parser."""


def _parse_arrow(payload: bytes, delimiter: str, width: int, *, threads: bool) -> tuple[pa.Table, list]:
    invalid: list[tuple[int | None, int, int, str]] = []

    def handler(row: Any) -> str:
        invalid.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"

    table = pacsv.read_csv(
        io.BytesIO(payload),
        read_options=pacsv.ReadOptions(
            autogenerate_column_names=True, use_threads=threads, block_size=_ARROW_BLOCK_SIZE
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=handler,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={f"f{i}": _ARROW_STRING for i in range(width + 1)},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table, invalid


def _split_record(text: str, delimiter: str) -> list[str]:
    """Fields of the first record in text."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        return next(reader, [])
    except csv.Error:
        return []


@dataclass
class _Parsed:
    header: list[str]
    columns: list[pa.Array | pa.ChunkedArray]  # raw strings, same length n_rows
    n_rows: int
    truncated: int | None = None  # data index of a short (truncated) last record
    truncated_line: int | None = None


def _line_of_char(text: str, position: int) -> int:
    newline = "\n" if "\n" in text else "\r"
    return text.count(newline, 0, position) + 1


def _parse_fast(text: str, payload: bytes, delimiter: str) -> _Parsed:
    """pyarrow parse (multi-threaded, no per-row Python). Raises _SlowPath when it cannot decide."""
    if text.count('"') % 2:
        raise _SlowPath  # an unterminated quote would silently swallow records: diagnose exactly
    width = len(_split_record(text[:_SNIFF_CHARS], delimiter))
    try:
        table, invalid = _parse_arrow(payload, delimiter, 2 * width + 8, threads=True)
        if invalid:  # single-threaded again: only then does pyarrow report record numbers
            table, invalid = _parse_arrow(payload, delimiter, 2 * width + 8, threads=False)
    except (pa.ArrowInvalid, pa.ArrowException):
        raise _SlowPath from None
    if table.num_rows == 0:
        return _Parsed([], [], 0)
    if any(field.type != _ARROW_STRING for field in table.schema):
        raise _SlowPath
    ncol = table.num_columns
    header = [table.column(i)[0].as_py() for i in range(ncol)]
    body = table.slice(1)
    if not invalid:
        return _Parsed(header, list(body.columns), body.num_rows)

    # Re-insert blank lines (all NA) and a short record (padded) at their positions; anything else
    # (a ragged row) goes to the exact parser, which reports it with its line number.
    extra_rows: list[tuple[int, list[str | None]]] = []
    truncated: int | None = None
    truncated_text = ""
    for number, expected, actual, row_text in invalid:
        if number is None or expected != ncol or number < 2:
            raise _SlowPath
        index = number - 2  # data index (record 1 is the header)
        if row_text.strip() == "":
            extra_rows.append((index, [None] * ncol))
        elif actual < expected and truncated is None:
            fields: list[str | None] = list(_split_record(row_text, delimiter))
            if len(fields) != actual:
                raise _SlowPath
            extra_rows.append((index, fields + [None] * (ncol - len(fields))))
            truncated, truncated_text = index, row_text
        else:
            raise _SlowPath
    extra_rows.sort(key=lambda item: item[0])
    n_total = body.num_rows + len(extra_rows)
    positions = np.array([index for index, _ in extra_rows], dtype=np.int64)
    if positions.max() >= n_total:
        raise _SlowPath
    order = np.empty(n_total, dtype=np.int64)
    is_extra = np.zeros(n_total, dtype=bool)
    is_extra[positions] = True
    order[~is_extra] = np.arange(body.num_rows)
    order[is_extra] = body.num_rows + np.arange(len(extra_rows))
    extra = pa.table(
        {
            name: pa.array([row[i] for _, row in extra_rows], type=_ARROW_STRING)
            for i, name in enumerate(body.column_names)
        }
    )
    combined = pa.concat_tables([body, extra]).take(pa.array(order))
    line = None
    if truncated is not None:
        stripped = text.rstrip()
        start = stripped.rfind(truncated_text.strip())
        if start >= 0:
            line = _line_of_char(stripped, start)
    return _Parsed(header, list(combined.columns), n_total, truncated, line)


def _parse_exact(path: Path, text: str, delimiter: str) -> _Parsed:
    """csv-module parse with exact line numbers; raises FileUnusableError for ragged rows."""
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True, strict=True
    )
    records: list[list[str]] = []
    starts: list[int] = []
    previous_line = 0
    try:
        for record in reader:
            records.append(record)
            starts.append(previous_line + 1)
            previous_line = reader.line_num
    except csv.Error as error:
        line = previous_line + 1
        if "unexpected end of data" in str(error):
            message = (
                f"line {line}: a quoted field is never closed (unterminated '\"'); "
                "the rest of the file would be read as one value"
            )
        else:
            message = f"line {line}: cannot parse the record ({error})"
        raise FileUnusableError(message, file=path, row=len(records) or None) from None
    if not records:
        return _Parsed([], [], 0)
    header = records[0]
    width = len(header)
    rows: list[list[str | None]] = []
    truncated: int | None = None
    short: tuple[int, int, int] | None = None  # (data index, line, fields)
    for index, (record, line) in enumerate(zip(records[1:], starts[1:])):
        if not record or (len(record) == 1 and record[0].strip() == "" and width > 1):
            rows.append([None] * width)
            continue
        if len(record) > width:
            raise FileUnusableError(
                f"line {line} has {len(record)} fields but the header has {width} (ragged row); "
                f"starts {delimiter.join(record)[:60]!r}",
                file=path,
                row=index + 1,
            )
        if len(record) < width:
            if short is not None and any(value.strip() for value in record):
                raise _short_row_error(path, short, width)
            if short is None:
                short = (index, line, len(record))
                truncated = index
            rows.append(list(record) + [None] * (width - len(record)))
            continue
        rows.append(list(record))
    columns = [pa.array([row[i] for row in rows], type=_ARROW_STRING) for i in range(width)]
    if short is not None:
        # the short row is only acceptable when nothing but empty records follows it
        for row in rows[short[0] + 1 :]:
            if any(value is not None and value.strip() != "" for value in row):
                raise _short_row_error(path, short, width)
    return _Parsed(header, columns, len(rows), truncated, None if short is None else short[1])


def _short_row_error(path: Path, short: tuple[int, int, int], width: int) -> FileUnusableError:
    index, line, fields = short
    return FileUnusableError(
        f"line {line} has {fields} fields but the header has {width} (ragged row; only a truncated "
        "last line may be short)",
        file=path,
        row=index + 1,
    )


def _clean_string_array(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Strip surrounding whitespace; empty string -> null."""
    if array.type != _ARROW_STRING:
        array = array.cast(_ARROW_STRING)
    if isinstance(array, pa.ChunkedArray):
        return pa.chunked_array([_clean_string_chunk(chunk) for chunk in array.chunks], type=_ARROW_STRING)
    return _clean_string_chunk(array)


# first/last bytes after which a value may need trimming: ASCII whitespace and control characters,
# and any non-ASCII byte (a multi-byte character may be Unicode whitespace, e.g. U+00A0)
_MAYBE_SPACE = np.zeros(256, dtype=bool)
_MAYBE_SPACE[: 0x21] = True
_MAYBE_SPACE[0x7F:] = True


def _clean_string_exact(array: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, _ARROW_STRING), trimmed)


def _clean_string_chunk(array: pa.Array) -> pa.Array:
    """`_clean_string_exact` without copying the text when no value has surrounding whitespace.

    The usual export has none: then only empty strings become null, which is a new validity bitmap
    over the same offsets and bytes. Any value whose first or last byte may be whitespace (see
    `_MAYBE_SPACE`) sends the chunk through the exact pyarrow trim.
    """
    n = len(array)
    validity, offsets_buffer, data_buffer = array.buffers()
    if n == 0 or data_buffer is None:
        return _clean_string_exact(array)
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[array.offset : array.offset + n + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    nonempty = offsets[1:] > offsets[:-1]
    if nonempty.any():
        starts = offsets[:-1][nonempty]
        if _MAYBE_SPACE[data[starts]].any() or _MAYBE_SPACE[data[offsets[1:][nonempty] - 1]].any():
            return _clean_string_exact(array)
    valid = nonempty
    if array.null_count:
        valid = valid & array.is_valid().to_numpy(zero_copy_only=False)
    if validity is None and valid.all():
        return array
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(
        _ARROW_STRING, n, [bitmap, pa.py_buffer(np.ascontiguousarray(offsets)), data_buffer], null_count=int(n - valid.sum())
    )


def _trailing_empty(is_null: np.ndarray) -> int:
    """Number of trailing rows that are entirely null (is_null: rows x columns)."""
    if is_null.shape[0] == 0:
        return 0
    row_empty = is_null.all(axis=1)
    if not row_empty[-1]:
        return 0
    nonempty = np.flatnonzero(~row_empty)
    return is_null.shape[0] - (nonempty[-1] + 1 if nonempty.size else 0)


def _read_text(path: Path, data: bytes, digest: str, notes: list[str]) -> RawExport:
    if data.endswith(b"\x1a"):
        data = data[:-1]
        notes.append("removed a trailing Ctrl-Z (0x1A) end-of-file marker")
    text, encoding, payload = _decode(path, data, notes)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise FileUnusableError("the file contains only whitespace (no header, no data)", file=path)
    delimiter = _sniff_delimiter(path, text, notes)
    try:
        parsed = _parse_fast(text, payload, delimiter)
    except _SlowPath:
        parsed = _parse_exact(path, text, delimiter)
    columns = [_clean_string_array(column) for column in parsed.columns]
    n_rows = parsed.n_rows
    if columns and n_rows and all(not column[n_rows - 1].is_valid for column in columns):
        is_null = np.column_stack(
            [column.is_null().to_numpy(zero_copy_only=False) for column in columns]
        )
        drop = _trailing_empty(is_null)
        if drop:
            n_rows -= drop
            columns = [column.slice(0, n_rows) for column in columns]
    if parsed.truncated is not None and parsed.truncated < n_rows:
        if parsed.truncated != n_rows - 1:
            # a short row followed by data is a ragged row, not a truncation: report it exactly
            parsed = _parse_exact(path, text, delimiter)
            raise AssertionError("the exact parser accepted a short row in the middle")  # pragma: no cover
        where = f"line {parsed.truncated_line}, " if parsed.truncated_line else ""
        notes.append(
            f"the last record ({where}data record {parsed.truncated + 1}) has fewer fields than the "
            "header; it looks truncated and the missing fields are read as empty"
        )
    raw_header = parsed.header
    header = [name.strip() for name in raw_header]
    empties = [column.null_count == len(column) for column in columns]
    names, columns = _finish_columns(path, list(header), columns, empties, notes)
    if n_rows == 0:
        raise _no_rows_error(path)
    frame = pd.DataFrame(
        {
            name: pd.arrays.ArrowStringArray(
                column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])
            )
            for name, column in zip(names, columns)
        }
    )
    return RawExport(
        path=path,
        sha256=digest,
        file_format="csv",
        encoding=encoding,
        delimiter=delimiter,
        frame=frame,
        value_labels={},
        user_missing={},
        variable_labels={},
        warnings=tuple(notes),
    )


# --------------------------------------------------------------------------------------------------
# Excel


def _read_xlsx(path: Path, digest: str, sheet: str | int | None, notes: list[str]) -> RawExport:
    import openpyxl

    try:
        with _pywarnings.catch_warnings():
            _pywarnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged workbooks
        raise FileUnusableError(f"cannot open the Excel workbook: {error}", file=path) from error
    try:
        names = list(workbook.sheetnames)
        listing = ", ".join(f"{i}: {name!r}" for i, name in enumerate(names))
        if sheet is None:
            sheet = 0
        if isinstance(sheet, bool) or not isinstance(sheet, (str, numbers.Integral)):
            raise FileUnusableError(f"sheet must be a name or a 0-based index, got {sheet!r}", file=path)
        if not isinstance(sheet, str):
            sheet = int(sheet)
            if not 0 <= sheet < len(names):
                raise FileUnusableError(
                    f"the workbook has no sheet with index {sheet} (sheets: {listing})", file=path
                )
            sheet_name = names[sheet]
        else:
            if sheet not in names:
                raise FileUnusableError(
                    f"the workbook has no sheet named {sheet!r} (sheets: {listing})", file=path
                )
            sheet_name = sheet
        worksheet = workbook[sheet_name]
        if not hasattr(worksheet, "iter_rows"):
            raise FileUnusableError(f"sheet {sheet_name!r} is a chart sheet, not a table", file=path)
        worksheet.reset_dimensions()  # do not trust the stored dimension: read every row
        try:
            with _pywarnings.catch_warnings():
                _pywarnings.simplefilter("ignore")
                rows = [tuple(row) for row in worksheet.iter_rows(values_only=True)]
        except Exception as error:
            raise FileUnusableError(
                f"cannot read sheet {sheet_name!r}: {error}", file=path
            ) from error
    finally:
        workbook.close()

    where = f"sheet {sheet_name!r}"
    if not rows:
        raise FileUnusableError(f"{where} is empty (no header, no data)", file=path)
    width = max(len(row) for row in rows)
    header_cells = list(rows[0]) + [None] * (width - len(rows[0]))
    header: list[str | None] = []
    for cell in header_cells:
        value = _cell_text(_normalise_cell(cell))
        header.append(value)
    if all(name is None for name in header):
        raise FileUnusableError(f"{where}: row 1 (the header) is empty", file=path)
    body = [
        [_normalise_cell(value) for value in row] + [None] * (width - len(row)) for row in rows[1:]
    ]
    while body and all(value is None for value in body[-1]):
        body.pop()
    columns_raw = [[row[i] for row in body] for i in range(width)]
    empties = [all(value is None for value in column) for column in columns_raw]
    names, columns_raw = _finish_columns(path, header, columns_raw, empties, notes)
    if not body:
        raise _no_rows_error(path, where)
    frame = pd.DataFrame({name: _typed_column(values) for name, values in zip(names, columns_raw)})
    return RawExport(
        path=path,
        sha256=digest,
        file_format="xlsx",
        encoding=None,
        delimiter=None,
        frame=frame,
        value_labels={},
        user_missing={},
        variable_labels={},
        warnings=tuple(notes),
        sheet=sheet_name,
    )


def _normalise_cell(value: Any) -> Any:
    """str -> stripped (empty -> None); numbers stay numbers; everything else -> text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _cell_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _typed_column(values: list[Any]) -> pd.api.extensions.ExtensionArray:
    present = [value for value in values if value is not None]
    if present and all(isinstance(value, (int, float)) for value in present):
        if all(isinstance(value, int) or float(value).is_integer() for value in present):
            return pd.array([None if v is None else int(v) for v in values], dtype="Int64")
        return pd.array([None if v is None else float(v) for v in values], dtype="Float64")
    return pd.array([_cell_text(value) for value in values], dtype=STRING_DTYPE)


# --------------------------------------------------------------------------------------------------
# SPSS / Stata


_STAT_READERS = {"sav": "read_sav", "zsav": "read_sav", "por": "read_por", "dta": "read_dta"}


def _stat_reader(kind: str):
    import pyreadstat

    return getattr(pyreadstat, _STAT_READERS[kind])


def _stat_probe_child(kind: str, path: str, options: dict[str, Any]) -> None:
    try:
        _stat_reader(kind)(path, metadataonly=True, **options)
    except Exception:  # a clean error: the parent's own read reports it with its message
        pass


def _probe_stat_file(path: Path, kind: str, options: dict[str, Any]) -> None:
    """Read the file's dictionary (header, variables, labels) in a forked child first.

    pyreadstat's C library can crash (segmentation fault) on a damaged file: that kills the process,
    with no exception to catch. In development, 550 randomly damaged copies of a demo file crashed
    the full read 3 times, and the dictionary-only read crashed on the same 3, so a child reads only
    the dictionary (milliseconds) and a crash there becomes a clear error here; the data is then
    read in this process at full speed. (Reading the data in a child too would cover damage in the
    data part, at ~2 s per million respondents of copying the frame back; not done.)"""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return  # without fork the probe costs a fresh interpreter per file; the read below still runs
    child = multiprocessing.get_context("fork").Process(target=_stat_probe_child, args=(kind, str(path), options), daemon=True)
    child.start()
    child.join()
    if child.exitcode is not None and child.exitcode < 0:
        raise FileUnusableError(
            f"cannot read the file as {_KINDS[kind][1]}: the SPSS/Stata reader (pyreadstat) crashed on it "
            f"(signal {-child.exitcode}); the file is damaged: export it again from the survey software",
            file=path,
        )


def _read_stat(path: Path, digest: str, kind: str, notes: list[str]) -> RawExport:
    options: dict[str, Any] = {"dates_as_pandas_datetime": True}
    if kind != "por":  # pyreadstat cannot keep user-missing values for .por files
        options["user_missing"] = True
    _probe_stat_file(path, kind, options)
    try:
        data, meta = _stat_reader(kind)(str(path), **options)
    except Exception as error:  # ReadstatError, PyreadstatError, OSError, UnicodeError
        raise FileUnusableError(f"cannot read the file as {_KINDS[kind][1]}: {error}", file=path) from error

    if len(data) == 0:
        raise _no_rows_error(path)
    columns: dict[str, Any] = {}
    for name in data.columns:
        columns[str(name)] = _stat_column(str(name), data[name], kind, notes)
    frame = pd.DataFrame(columns, copy=False)  # fresh arrays: no second copy of every column

    value_labels: dict[str, dict[int, str]] = {}
    for name, labels in (meta.variable_value_labels or {}).items():
        converted: dict[int, str] = {}
        skipped = []
        for key, label in labels.items():
            code = _as_int(key)
            if code is None:
                skipped.append(key)
            else:
                converted[code] = str(label)
        if skipped:
            notes.append(
                f"column {name}: value labels for non-integer values {skipped!r} are ignored"
            )
        if converted:
            value_labels[str(name)] = dict(sorted(converted.items()))

    user_missing: dict[str, set[int]] = {}
    for name, ranges in (meta.missing_ranges or {}).items():
        name = str(name)
        codes = _expand_missing(name, ranges, frame.get(name), value_labels.get(name, {}), notes)
        if codes:
            user_missing[str(name)] = codes
    if kind == "por" and user_missing:
        notes.append(
            "SPSS portable (.por) files are read without user-missing support: values in the "
            f"user-missing ranges of {sorted(user_missing)} may have been read as empty; "
            "deliver a .sav file to keep them"
        )

    variable_labels = {
        str(name): str(label)
        for name, label in (meta.column_names_to_labels or {}).items()
        if label not in (None, "")
    }
    return RawExport(
        path=path,
        sha256=digest,
        file_format=kind,
        encoding=None,
        delimiter=None,
        frame=frame,
        value_labels=value_labels,
        user_missing=user_missing,
        variable_labels=variable_labels,
        warnings=tuple(notes),
    )


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def _numeric_to_nullable(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    values = values.astype("float64", copy=False)
    present = ~np.isnan(values)
    finite = values[present]
    if np.all(np.isfinite(finite)) and np.all(finite == np.floor(finite)) and (
        finite.size == 0 or np.abs(finite).max() < 2**53
    ):
        ints = np.zeros(values.shape, dtype="int64")
        ints[present] = finite.astype("int64")
        return pd.arrays.IntegerArray(ints, ~present)
    return pd.arrays.FloatingArray(np.where(present, values, 0.0), ~present)


def _stat_column(name: str, series: pd.Series, kind: str, notes: list[str]) -> Any:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return series.astype("boolean").array
    if pd.api.types.is_numeric_dtype(dtype):
        return _numeric_to_nullable(series.to_numpy(dtype="float64", na_value=np.nan))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return series.array
    if dtype != object and pd.api.types.is_string_dtype(dtype):
        return _clean_strings(series)
    values = series.to_numpy(dtype=object)
    present = [v for v in values if not _is_missing(v)]
    def number_or_letter(value: Any) -> bool:
        if isinstance(value, str):
            return len(value) == 1 and value.isalpha()
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)

    if kind == "dta" and present and all(number_or_letter(v) for v in present):
        # Stata extended missing values (.a-.z) come back as letters inside a numeric column
        letters = sorted(v for v in present if isinstance(v, str))
        if letters:
            counts = pd.Series(letters).value_counts().sort_index()
            listing = ", ".join(f".{k}: {v}" for k, v in counts.items())
            notes.append(
                f"column {name}: {len(letters)} Stata extended missing value(s) ({listing}) read as empty"
            )
        floats = np.array(
            [np.nan if _is_missing(v) or isinstance(v, str) else float(v) for v in values],
            dtype="float64",
        )
        return _numeric_to_nullable(floats)
    if present and all(isinstance(v, str) for v in present):
        return _clean_strings(series.map(lambda v: None if _is_missing(v) else v))
    return series.array  # e.g. time-of-day values: passed through untouched


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or _is_nan(value)


def _is_nan(value: Any) -> bool:
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _clean_strings(series: pd.Series) -> pd.api.extensions.ExtensionArray:
    strings = series.astype(STRING_DTYPE).str.strip()
    return strings.mask(strings == "").astype(STRING_DTYPE).array


def _expand_missing(
    name: str,
    ranges: list[dict[str, Any]],
    column: pd.Series | None,
    labels: dict[int, str],
    notes: list[str],
) -> set[int]:
    codes: set[int] = set()
    for spec in ranges:
        lo, hi = spec.get("lo"), spec.get("hi")
        if isinstance(lo, str) or isinstance(hi, str):
            notes.append(f"column {name}: string user-missing values {lo!r}..{hi!r} are ignored")
            continue
        lo_f, hi_f = float(lo), float(hi)
        if lo_f == hi_f:
            code = _as_int(lo_f)
            if code is None:
                notes.append(f"column {name}: non-integer user-missing value {lo!r} is ignored")
            else:
                codes.add(code)
            continue
        first, last = math.ceil(lo_f), math.floor(hi_f)
        if last - first <= _MAX_RANGE_EXPANSION:
            codes.update(range(first, last + 1))
            continue
        present: set[int] = set(code for code in labels if lo_f <= code <= hi_f)
        if column is not None and pd.api.types.is_numeric_dtype(column.dtype):
            observed = column.dropna()
            observed = observed[(observed >= lo_f) & (observed <= hi_f)]
            present.update(int(v) for v in observed.unique() if float(v).is_integer())
        codes.update(present)
        notes.append(
            f"column {name}: user-missing range {lo_f:g}..{hi_f:g} is too wide to list; kept the "
            f"{len(present)} code(s) in it that occur in the data or the value labels"
        )
    return codes


# --------------------------------------------------------------------------------------------------
# numbers


_DIGITS = r"(?:[0-9]+(?:{sep}[0-9]*)?|{sep}[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER_DOT = re.compile(r"[+-]?" + _DIGITS.format(sep=r"\."))
_NUMBER_DOT_OR_COMMA = re.compile(r"[+-]?" + _DIGITS.format(sep=r"[.,]"))


def parse_number(series: pd.Series, *, decimal_comma_ok: bool = True) -> tuple[pd.Series, pd.Series]:
    """Parse text to numbers: ``(values, bad_mask)``.

    ``values`` is ``Float64`` (NA for empty and for bad values); ``bad_mask`` is a plain ``bool``
    Series that is True where a non-empty value is not a number. Accepted: optional sign, digits,
    one decimal separator (``.``, or ``,`` when ``decimal_comma_ok``), optional exponent, surrounding
    whitespace: ``"3"``, ``" 3 "``, ``"1.25"``, ``"1,25"``, ``"-0,5"``, ``"2.5E-3"``. Refused:
    thousands separators (``"1.234,5"``), units or percent signs, ``nan``/``inf`` and values that
    overflow to infinity. Numeric input is passed through (non-finite values count as bad).
    """
    index, name = series.index, series.name
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype("string")
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype("Float64")
        bad = values.notna() & ~np.isfinite(values.fillna(0.0).to_numpy(dtype="float64"))
        values = values.mask(bad)
        return values, pd.Series(bad.to_numpy(dtype=bool), index=index, name=name)
    text = series.astype(STRING_DTYPE).str.strip()
    text = text.mask(text == "")
    pattern = _NUMBER_DOT_OR_COMMA if decimal_comma_ok else _NUMBER_DOT
    ok = text.str.fullmatch(pattern.pattern).fillna(False).astype(bool)
    candidates = text.where(ok)
    if decimal_comma_ok:
        candidates = candidates.str.replace(",", ".", regex=False)
    numbers = pc.cast(pa.array(candidates.array), pa.float64()).to_numpy(zero_copy_only=False)
    numbers = np.asarray(numbers, dtype="float64")
    present = text.notna().to_numpy(dtype=bool)
    ok_np = ok.to_numpy(dtype=bool)
    overflow = ok_np & np.isinf(numbers)
    bad = present & (~ok_np | overflow)
    mask = np.isnan(numbers) | bad
    values = pd.Series(
        pd.arrays.FloatingArray(np.where(mask, 0.0, numbers), mask), index=index, name=name
    )
    return values, pd.Series(bad, index=index, name=name)
