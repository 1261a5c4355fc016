"""Tests for drukmonitor.readers: every supported format, every encoding, every bad input."""

from __future__ import annotations

import csv
import hashlib
import io
import random
import shutil
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drukmonitor.errors import FileUnusableError
from drukmonitor.readers import (
    STRING_DTYPE,
    RawExport,
    parse_number,
    read_raw_export,
    sha256_of,
)


def write(directory: Path, name: str, content: bytes | str, encoding: str = "utf-8") -> Path:
    path = directory / name
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def column(raw: RawExport, name: str) -> list:
    """Column values as a list with None for NA."""
    return [None if pd.isna(v) else v for v in raw.frame[name].tolist()]


def unusable(path: Path, **kwargs) -> str:
    with pytest.raises(FileUnusableError) as info:
        read_raw_export(path, **kwargs)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message  # every message names the file
    return message


# ------------------------------------------------------------------------------------------------
# SPSS / Stata


@pytest.fixture
def spss_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "RespID": [1.0, 2.0, 3.0, 4.0],
            "Functiegroep": [1.0, 2.0, 9.0, np.nan],
            "pbd4": [1.0, 8.0, 9.0, np.nan],  # 8/9 user-missing, NaN = system-missing
            "Weegfactor": [1.25, 0.5, np.nan, 2.0],
            "Cluster": ["  Stadsontwikkeling ", "Één, twee \"drie\"", "", "Naïef"],
        }
    )


def test_sav_keeps_user_missing_codes_labels_and_system_missing(tmp_path, spss_frame):
    path = tmp_path / "mto2019.sav"
    pyreadstat.write_sav(
        spss_frame,
        path,
        column_labels={"RespID": "Respondent", "pbd4": "Sprake van..."},
        variable_value_labels={
            "pbd4": {1: "Rechtstreeks bestuurlijke druk", 8: "Weet ik niet", 9: "Wil ik niet zeggen"},
            "Functiegroep": {1: "Medewerker", 2: "Leidinggevende", 9: "Onbekend"},
        },
        missing_ranges={"pbd4": [8, 9]},
    )
    raw = read_raw_export(path)
    assert raw.file_format == "sav"
    assert raw.encoding is None and raw.delimiter is None
    assert list(raw.frame.columns) == ["RespID", "Functiegroep", "pbd4", "Weegfactor", "Cluster"]
    assert str(raw.frame["pbd4"].dtype) == "Int64"
    assert str(raw.frame["RespID"].dtype) == "Int64"
    assert str(raw.frame["Weegfactor"].dtype) == "Float64"
    assert raw.frame["Cluster"].dtype == STRING_DTYPE
    assert column(raw, "pbd4") == [1, 8, 9, None]  # user-missing kept as codes, sysmis NA
    assert column(raw, "Weegfactor") == [1.25, 0.5, None, 2.0]
    assert column(raw, "Cluster") == ["Stadsontwikkeling", 'Één, twee "drie"', None, "Naïef"]
    assert raw.user_missing == {"pbd4": {8, 9}}
    assert raw.value_labels["pbd4"] == {
        1: "Rechtstreeks bestuurlijke druk",
        8: "Weet ik niet",
        9: "Wil ik niet zeggen",
    }
    assert raw.value_labels["Functiegroep"][9] == "Onbekend"
    assert raw.variable_labels == {"RespID": "Respondent", "pbd4": "Sprake van..."}
    assert raw.sha256 == sha256_of(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert raw.warnings == ()
    assert isinstance(raw.frame.index, pd.RangeIndex) and raw.frame.index[0] == 0  # row i = source_row i+1


def test_zsav_and_missing_range_expansion(tmp_path, spss_frame):
    frame = spss_frame.assign(
        OD6=[1.0, -9.0, -1.0, 5.0], OD1=[-99999.0, 1.0, -7.0, 2.0]
    )
    path = tmp_path / "export.zsav"
    pyreadstat.write_sav(
        frame,
        path,
        compress=True,
        variable_value_labels={"OD1": {-5: "Vervallen", 1: "Nee"}},
        missing_ranges={
            "pbd4": [{"lo": 8, "hi": 9}],
            "OD6": [{"lo": -9, "hi": -1}],
            "OD1": [{"lo": -100000, "hi": -1}],  # too wide to list: observed + labelled codes
        },
    )
    raw = read_raw_export(path)
    assert raw.file_format == "zsav"
    assert column(raw, "pbd4") == [1, 8, 9, None]
    assert raw.user_missing["pbd4"] == {8, 9}
    assert raw.user_missing["OD6"] == set(range(-9, 0))
    assert raw.user_missing["OD1"] == {-99999, -7, -5}
    assert any("OD1" in w and "too wide" in w for w in raw.warnings)


def test_compressed_sav_named_sav_is_read_with_a_note(tmp_path, spss_frame):
    path = tmp_path / "compressed.sav"
    pyreadstat.write_sav(spss_frame, path, compress=True)
    raw = read_raw_export(path)
    assert raw.file_format == "zsav"
    assert any(".zsav" in w for w in raw.warnings)


def test_dta_labels_and_extended_missing(tmp_path, spss_frame):
    path = tmp_path / "export.dta"
    pyreadstat.write_dta(
        spss_frame, path, variable_value_labels={"pbd4": {1: "Ja", 8: "Weet ik niet"}}
    )
    raw = read_raw_export(path)
    assert raw.file_format == "dta"
    assert str(raw.frame["pbd4"].dtype) == "Int64"
    assert column(raw, "pbd4") == [1, 8, 9, None]
    assert raw.value_labels == {"pbd4": {1: "Ja", 8: "Weet ik niet"}}
    assert raw.user_missing == {}
    assert column(raw, "Cluster")[0] == "Stadsontwikkeling"

    extended = tmp_path / "extended.dta"
    frame = pd.DataFrame({"id": [1.0, 2.0, 3.0], "q": [1.0, "a", "b"]})
    frame["q"] = frame["q"].astype(object)
    pyreadstat.write_dta(frame, extended, missing_user_values={"q": ["a", "b"]})
    raw = read_raw_export(extended)
    assert column(raw, "q") == [1, None, None]
    assert str(raw.frame["q"].dtype) == "Int64"
    assert any("extended missing" in w and ".a: 1" in w for w in raw.warnings)


def test_por(tmp_path):
    path = tmp_path / "export.por"
    pyreadstat.write_por(pd.DataFrame({"id": [1.0, 2.0], "q": [1.5, np.nan], "s": ["a", ""]}), path)
    raw = read_raw_export(path)
    assert raw.file_format == "por"
    assert column(raw, "ID") == [1, 2]  # portable files upper-case the names
    assert column(raw, "Q") == [1.5, None]
    assert column(raw, "S") == ["a", None]


def test_sav_without_rows(tmp_path, spss_frame):
    path = tmp_path / "empty.sav"
    pyreadstat.write_sav(spss_frame.iloc[:0], path)
    assert "has a header but no data rows" in unusable(path)


# ------------------------------------------------------------------------------------------------
# Excel


@pytest.fixture
def workbook(tmp_path) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Resultaten"
    first.append(["ID", "Ministerie", "V4", "Gewicht", None, "Opmerking"])
    first.append([101, "  BZK ", 1, 1.5, None, "één"])
    first.append([None, None, None, None, None, None])  # empty row in the middle: kept
    first.append(["102", "JenV", 4, 2, None, True])
    first.append([103, "", 2, 0.75, None, None])
    first.append([None] * 6)  # trailing empty rows: dropped
    first.append([None] * 6)
    second = book.create_sheet("Codes")
    second.append(["code", "label"])
    second.append([1, "Ja, één keer"])
    path = tmp_path / "fnv2018.xlsx"
    book.save(path)
    return path


def test_xlsx_first_sheet_types_and_rows(workbook):
    raw = read_raw_export(workbook)
    assert raw.file_format == "xlsx" and raw.sheet == "Resultaten"
    assert list(raw.frame.columns) == ["ID", "Ministerie", "V4", "Gewicht", "Opmerking"]
    assert len(raw.frame) == 4  # middle empty row kept, trailing ones dropped
    assert raw.frame["ID"].dtype == STRING_DTYPE  # mixed numbers and text -> text
    assert column(raw, "ID") == ["101", None, "102", "103"]
    assert column(raw, "Ministerie") == ["BZK", None, "JenV", None]
    assert str(raw.frame["V4"].dtype) == "Int64" and column(raw, "V4") == [1, None, 4, 2]
    assert str(raw.frame["Gewicht"].dtype) == "Float64"
    assert column(raw, "Gewicht") == [1.5, None, 2.0, 0.75]
    assert column(raw, "Opmerking") == ["één", None, "TRUE", None]
    assert any("without a name and without data" in w for w in raw.warnings)
    assert raw.sha256 == sha256_of(workbook)


@pytest.mark.parametrize("sheet", ["Codes", 1])
def test_xlsx_sheet_by_name_and_index(workbook, sheet):
    raw = read_raw_export(workbook, sheet=sheet)
    assert raw.sheet == "Codes"
    assert column(raw, "label") == ["Ja, één keer"]


def test_xlsx_default_sheet_none_is_first(workbook):
    assert read_raw_export(workbook, sheet=None).sheet == "Resultaten"


@pytest.mark.parametrize("sheet", ["Data", 2, -1])
def test_xlsx_unknown_sheet_lists_sheets(workbook, sheet):
    message = unusable(workbook, sheet=sheet)
    assert "no sheet" in message
    assert "0: 'Resultaten'" in message and "1: 'Codes'" in message


def test_xlsx_header_only_and_duplicate_header(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["ID", "V4"])
    path = tmp_path / "header_only.xlsx"
    book.save(path)
    assert "has a header but no data rows" in unusable(path)

    book = openpyxl.Workbook()
    book.active.append(["ID", "V4", "V4"])
    book.active.append([1, 2, 3])
    path = tmp_path / "dupe.xlsx"
    book.save(path)
    message = unusable(path)
    assert "column V4" in message and "duplicate column name 'V4'" in message


# ------------------------------------------------------------------------------------------------
# Delimited text: encodings and delimiters

DUTCH = [
    ["resp_nr", "gemeente", "label"],
    ["1", "Één", "Ja, één keer"],
    ["2", "Naïef", "coördinatie"],
    ["3", "Zuid-Holland", "reünie"],
]


def csv_text(rows, delimiter=",", lineterminator="\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator).writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("latin-1", "cp1252")],
)
def test_csv_encodings(tmp_path, encoding, expected):
    path = write(tmp_path, "export.csv", csv_text(DUTCH), encoding)
    raw = read_raw_export(path)
    assert raw.file_format == "csv"
    # latin-1 and cp1252 give the same text for these bytes; cp1252 is the documented default
    assert raw.encoding == expected
    assert list(raw.frame.columns) == DUTCH[0]  # no BOM in the first name
    assert column(raw, "gemeente") == ["Één", "Naïef", "Zuid-Holland"]
    assert column(raw, "label") == ["Ja, één keer", "coördinatie", "reünie"]
    assert all(raw.frame[c].dtype == STRING_DTYPE for c in raw.frame.columns)
    assert raw.sha256 == sha256_of(path)
    assert raw.value_labels == {} and raw.user_missing == {} and raw.variable_labels == {}


def test_cp1252_specials(tmp_path):
    text = "id;tekst\n1;€ 5 – ‘zo’ één\n2;naïef\n"
    raw = read_raw_export(write(tmp_path, "io.csv", text, "cp1252"))
    assert raw.encoding == "cp1252" and raw.delimiter == ";"
    assert column(raw, "tekst") == ["€ 5 – ‘zo’ één", "naïef"]


def test_semicolon_decimal_comma_weights(tmp_path):
    text = "resp_nr;gemeente;doelgroep;weegfactor\n1;Één;1;1,25\n2;Tiel;2; 0,5 \n3;Ede;1;1.5\n4;Epe;3;\n"
    raw = read_raw_export(write(tmp_path, "io2018.csv", text, "cp1252"))
    assert raw.delimiter == ";"
    assert column(raw, "weegfactor") == ["1,25", "0,5", "1.5", None]  # text is never coerced here
    values, bad = parse_number(raw.frame["weegfactor"])
    assert str(values.dtype) == "Float64"
    assert values.tolist()[:3] == [1.25, 0.5, 1.5] and pd.isna(values.iloc[3])
    assert not bad.any()


def test_tab_separated_and_pipe(tmp_path):
    raw = read_raw_export(write(tmp_path, "export.tsv", csv_text(DUTCH, "\t")))
    assert raw.delimiter == "\t" and column(raw, "label")[0] == "Ja, één keer"
    raw = read_raw_export(write(tmp_path, "export.txt", csv_text(DUTCH, "|", "\n")))
    assert raw.delimiter == "|" and column(raw, "gemeente")[1] == "Naïef"


def test_quotes_embedded_delimiters_and_newlines(tmp_path):
    rows = [
        ["respnr", "afdeling", "Q9"],
        ["1", "Onderzoek; Beleid", 'Hij zei: "schrap dat", echt'],
        ["2", '"Criminaliteit"', "regel 1\nregel 2"],
        ["3", "  spaties  ", ""],
    ]
    for delimiter in (",", ";"):
        raw = read_raw_export(write(tmp_path, "wodc.csv", csv_text(rows, delimiter)))
        assert raw.delimiter == delimiter
        assert column(raw, "afdeling") == ["Onderzoek; Beleid", '"Criminaliteit"', "spaties"]
        assert column(raw, "Q9") == ['Hij zei: "schrap dat", echt', "regel 1\nregel 2", None]


def test_leading_zeros_and_text_stay_text(tmp_path):
    raw = read_raw_export(write(tmp_path, "ids.csv", "id,code\n007,1\n12.0,NA\n,n/a\n"))
    assert column(raw, "id") == ["007", "12.0", None]
    assert column(raw, "code") == ["1", "NA", "n/a"]  # no NA-sentinel guessing


def test_truncated_last_line_is_padded_with_warning(tmp_path):
    raw = read_raw_export(write(tmp_path, "cut.csv", "a,b,c\n1,2,3\n4,5\n"))
    assert column(raw, "c") == ["3", None]
    assert column(raw, "b") == ["2", "5"]
    assert len(raw.warnings) == 1
    assert "line 3" in raw.warnings[0] and "truncated" in raw.warnings[0]


def test_blank_lines(tmp_path):
    raw = read_raw_export(write(tmp_path, "blank.csv", "a,b\n1,2\n\n   \n3,4\n\n\n"))
    # blank records in the middle stay (source_row keeps pointing at the file); trailing ones go
    assert column(raw, "a") == ["1", None, None, "3"]
    assert column(raw, "b") == ["2", None, None, "4"]


def test_nameless_columns(tmp_path):
    raw = read_raw_export(write(tmp_path, "idx.csv", ",a,b,\n0,1,2,\n1,3,4,\n"))
    assert list(raw.frame.columns) == ["unnamed_1", "a", "b"]
    assert any("column 1 has no name" in w for w in raw.warnings)
    assert any("without a name and without data (position 4)" in w for w in raw.warnings)


def test_stray_quote_inside_unquoted_field(tmp_path):
    # odd number of quotes: the exact parser runs and must give the same answer
    raw = read_raw_export(write(tmp_path, "inch.csv", 'a,b\n1,5 "inch\n2,x\n'))
    assert column(raw, "b") == ['5 "inch', "x"]


def test_unknown_extension_is_read_by_content_with_a_note(tmp_path):
    raw = read_raw_export(write(tmp_path, "export.dat", "a;b\n1;2\n"))
    assert raw.file_format == "csv"
    assert any("unknown extension '.dat'" in w for w in raw.warnings)


def test_same_file_same_result(tmp_path):
    path = write(tmp_path, "export.csv", csv_text(DUTCH), "cp1252")
    first, second = read_raw_export(path), read_raw_export(path)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    assert (first.sha256, first.encoding, first.delimiter, first.warnings) == (
        second.sha256,
        second.encoding,
        second.delimiter,
        second.warnings,
    )


def test_larger_file_fast_path(tmp_path):
    rng = np.random.default_rng(7)
    n = 20_000
    codes = rng.integers(1, 10, size=(n, 5)).astype(str)
    names = np.array(["één", "Ïsbrand", '"x;y"', "", "café"])[rng.integers(0, 5, n)]
    lines = [";".join(row) + ";" + name for row, name in zip(codes.tolist(), names.tolist())]
    text = "c1;c2;c3;c4;c5;naam\r\n" + "\r\n".join(lines) + "\r\n"
    raw = read_raw_export(write(tmp_path, "big.csv", text, "cp1252"))
    assert raw.frame.shape == (n, 6)
    assert column(raw, "c1") == codes[:, 0].tolist()
    expected = [None if v == "" else v.replace('"x;y"', "x;y") for v in names.tolist()]
    assert column(raw, "naam") == expected


# ------------------------------------------------------------------------------------------------
# Bad inputs


def test_zero_bytes(tmp_path):
    assert "the file is empty (0 bytes)" in unusable(write(tmp_path, "empty.csv", b""))


def test_only_whitespace(tmp_path):
    assert "only whitespace" in unusable(write(tmp_path, "ws.csv", b"\xef\xbb\xbf \r\n\r\n"))


def test_header_only(tmp_path):
    assert "has a header but no data rows" in unusable(write(tmp_path, "h.csv", "a;b;c\r\n"))
    assert "has a header but no data rows" in unusable(write(tmp_path, "h2.csv", "a;b;c\n;;\n\n"))


def test_csv_named_sav(tmp_path):
    message = unusable(write(tmp_path, "mto2019.sav", "RespID;pbd1\n1;2\n"))
    assert "mto2019.sav" in message
    assert "'.sav'" in message and "SPSS" in message
    assert "content looks like plain text" in message


def test_xlsx_renamed_csv(tmp_path, workbook):
    renamed = tmp_path / "fnv2018.csv"
    shutil.copy(workbook, renamed)
    message = unusable(renamed)
    assert "fnv2018.csv" in message and "'.csv'" in message
    assert "content looks like an Excel workbook" in message


def test_sav_renamed_dta(tmp_path, spss_frame):
    path = tmp_path / "export.dta"
    pyreadstat.write_sav(spss_frame, path)
    message = unusable(path)
    assert "'.dta'" in message and "Stata" in message and "SPSS system file" in message


@pytest.mark.parametrize(
    ("name", "content", "looks_like"),
    [
        ("random.csv", random.Random(3).randbytes(4096), "binary data"),
        ("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        ("page.csv", b"<!DOCTYPE html><html><body><table></table>", "an HTML page"),
        ("legacy.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "legacy Office file"),
        ("unicode.csv", "a\tb\n1\t2\n".encode("utf-16"), "UTF-16"),
        ("archive.csv", b"\x1f\x8b\x08\x00" + bytes(40), "gzip"),
    ],
)
def test_not_what_the_extension_says(tmp_path, name, content, looks_like):
    message = unusable(write(tmp_path, name, content))
    assert name in message and Path(name).suffix in message
    assert looks_like in message


def test_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "export.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    assert "content looks like a zip archive" in unusable(path)


def test_unsupported_extension(tmp_path):
    message = unusable(write(tmp_path, "export.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)))
    assert ".xls" in message and "not supported" in message


def test_missing_file(tmp_path):
    assert "does not exist" in unusable(tmp_path / "nope.csv")


def test_undecodable_byte(tmp_path):
    # 0x81 is not UTF-8, undefined in cp1252 and a C1 control character in latin-1
    path = write(tmp_path, "io2018.csv", b"id;naam\r\n1;Jan\r\n2;caf\xe9 \x81x\r\n")
    message = unusable(path)
    assert "io2018.csv" in message
    assert "byte 0x81 at offset 23" in message
    assert "line 3" in message
    assert "undefined in cp1252" in message


def test_control_character(tmp_path):
    message = unusable(write(tmp_path, "ctl.csv", b"id,naam\n1,Jan\n2,a\x01b\n"))
    assert "byte 0x01 at offset 17 (line 3" in message and "control character" in message


def test_mostly_utf8_with_a_stray_byte(tmp_path):
    content = "id;naam\n1;één\n2;café\n".encode("utf-8") + b"3;caf\xe9\n"
    message = unusable(write(tmp_path, "mixed.csv", content))
    assert "mostly UTF-8" in message and "byte 0xE9" in message and "line 4" in message


def test_bom_but_not_utf8(tmp_path):
    message = unusable(write(tmp_path, "bom.csv", b"\xef\xbb\xbfid;naam\n1;caf\xe9\n"))
    assert "byte-order mark" in message and "line 2" in message


def test_ragged_row_names_the_line(tmp_path):
    text = 'a,b,c\n1,2,3\n4,"x\ny",6\n7,8,9,10\n11,12,13\n'
    message = unusable(write(tmp_path, "ragged.csv", text))
    # record 3 spans lines 3-4, so the ragged record starts on line 5 (data record 3)
    assert "line 5 has 4 fields but the header has 3" in message
    assert "row 3" in message


def test_short_row_in_the_middle_is_ragged(tmp_path):
    message = unusable(write(tmp_path, "short.csv", "a;b;c\n1;2;3\n4;5\n7;8;9\n"))
    assert "line 3 has 2 fields but the header has 3" in message


def test_duplicate_header(tmp_path):
    message = unusable(write(tmp_path, "dupe.csv", "resp_nr;v1_1;v1_2;v1_1\n1;0;1;0\n"))
    assert "column v1_1" in message
    assert "duplicate column name 'v1_1' in the header (columns 2 and 4)" in message


def test_unterminated_quote(tmp_path):
    message = unusable(write(tmp_path, "quote.csv", 'a,b\n1,"abc\n2,3\n4,5\n'))
    assert "line 2" in message and "never closed" in message


def test_no_delimiter(tmp_path):
    message = unusable(write(tmp_path, "single.csv", "respondent\n1\n2\n"))
    assert "cannot find the delimiter" in message


# ------------------------------------------------------------------------------------------------
# parse_number


def test_parse_number():
    series = pd.Series(
        ["1,25", "1.25", "3", " 3 ", "-0,5", "+2", "2.5E-3", ".5", None, "", "  ", "x", "1.234,5",
         "1,5%", "1e999", "nan", "inf", "3 4"],
        dtype=STRING_DTYPE,
    )
    values, bad = parse_number(series)
    assert str(values.dtype) == "Float64" and bad.dtype == bool
    assert values.tolist()[:8] == [1.25, 1.25, 3.0, 3.0, -0.5, 2.0, 0.0025, 0.5]
    assert values.iloc[8:].isna().all()
    assert bad.tolist() == [False] * 11 + [True] * 7
    assert values.index.equals(series.index)

    values, bad = parse_number(pd.Series(["1,25", "1.25"]), decimal_comma_ok=False)
    assert bad.tolist() == [True, False] and pd.isna(values.iloc[0]) and values.iloc[1] == 1.25


def test_parse_number_passes_numbers_through():
    values, bad = parse_number(pd.Series([1, None, 3], dtype="Int64"))
    assert str(values.dtype) == "Float64" and values.tolist()[0] == 1.0 and pd.isna(values.iloc[1])
    assert not bad.any()
    values, bad = parse_number(pd.Series([1.5, np.inf]))
    assert bad.tolist() == [False, True] and pd.isna(values.iloc[1])


# ------------------------------------------------------------------------------------------------
# Property: Dutch text written as CSV in any supported encoding and delimiter reads back unchanged

# No character that encodes to bytes 0x80-0xBF in cp1252: such bytes can make cp1252 text valid
# UTF-8 by accident (e.g. "Ë’"), which no detector can tell apart. They are fine for UTF-8 targets.
BASE_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:'\"\t\n-()/?!&"
    "éëïöüèàáóúçêîôûñÉËÏÖÜ"
)
UTF8_EXTRA = "€‘’“”–·"
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_csv_round_trip(data):
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    delimiter = data.draw(st.sampled_from([",", ";", "\t"]))
    terminator = data.draw(st.sampled_from(["\n", "\r\n"]))
    alphabet = BASE_ALPHABET + ("" if encoding == "cp1252" else UTF8_EXTRA)
    names = data.draw(st.lists(NAMES, min_size=2, max_size=5, unique=True))
    rows = data.draw(
        st.lists(
            st.lists(st.text(alphabet, max_size=12), min_size=len(names), max_size=len(names)),
            min_size=1,
            max_size=8,
        )
    )
    content = csv_text([names, *rows], delimiter, terminator).encode(encoding)
    expected = [[value.strip() or None for value in row] for row in rows]
    while expected and all(value is None for value in expected[-1]):
        expected.pop()  # trailing empty records are not data

    with tempfile.TemporaryDirectory() as directory:
        path = write(Path(directory), "export.csv", content)
        if not expected:
            with pytest.raises(FileUnusableError, match="no data rows"):
                read_raw_export(path)
            return
        raw = read_raw_export(path)
    assert raw.delimiter == delimiter
    assert list(raw.frame.columns) == names
    got = [[None if pd.isna(v) else v for v in row] for row in raw.frame.itertuples(index=False)]
    assert got == expected
    assert raw.warnings == ()


# one byte of the bundled demo .sav changed: a damaged file on which pyreadstat's C library segfaults
SEGFAULTING_BYTE = (6491, 7)


def test_a_damaged_sav_that_crashes_pyreadstat_is_a_clear_file_error(tmp_path):
    import subprocess
    import sys

    data = bytearray((Path(__file__).resolve().parents[1] / "data/raw/demo/uu2020_monitor.sav").read_bytes())
    position, value = SEGFAULTING_BYTE
    data[position] = value
    damaged = tmp_path / "beschadigd.sav"
    damaged.write_bytes(bytes(data))
    # the premise: read in-process, this file kills the interpreter (no exception to catch)
    direct = subprocess.run([sys.executable, "-c", f"import pyreadstat; pyreadstat.read_sav({str(damaged)!r}, user_missing=True)"],
                            capture_output=True, timeout=120)
    assert direct.returncode < 0, "pyreadstat no longer crashes on this file: pick another damaged byte"
    with pytest.raises(FileUnusableError, match=r"crashed on it \(signal 11\); the file is damaged") as caught:
        read_raw_export(damaged)
    assert caught.value.file == str(damaged)
    cli = subprocess.run([sys.executable, "-m", "drukmonitor.cli", "validate", str(damaged), "--instrument", "uu2020"],
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 2 and "beschadigd.sav" in cli.stderr and "Traceback" not in cli.stderr
