"""A small magistrates-like source, written fresh for each test, with its contract."""

from __future__ import annotations

from pathlib import Path

import pytest

CONTRACT = """
[[source]]
name = "mags"
owner = "HMCTS"
title = "Magistrates' courts"
record_id = "case_id"

[source.file]
path = "{path}"
format = "{format}"
delimiter = "{delimiter}"
encoding = "{encoding}"

[[source.identifier]]
column = "defendant_name"
role = "full_name"
order = "surname_first"

[[source.identifier]]
column = "dob"
role = "date_of_birth"
format = "%d/%m/%Y"

[[source.identifier]]
column = "gender"
role = "sex"
codes = {{ M = "male", F = "female", U = "unknown" }}

[[source.identifier]]
column = "address"
role = "address"

[[source.identifier]]
column = "case_no"
role = "operational_id"

[[source.attribute]]
column = "offence_code"
type = "string"
sensitivity = "criminal_offence"

[[source.attribute]]
column = "hearing_date"
type = "date"
format = "%d/%m/%Y"
sensitivity = "quasi_identifier"
required = true

[[source.attribute]]
column = "plea"
type = "string"
values = ["guilty", "not guilty"]
sensitivity = "criminal_offence"

[[source.attribute]]
column = "fine_pounds"
type = "decimal"
sensitivity = "criminal_offence"

[[source.attribute]]
column = "age"
type = "integer"
sensitivity = "quasi_identifier"
"""

HEADER = ["case_id", "defendant_name", "dob", "gender", "address", "case_no", "offence_code",
          "hearing_date", "plea", "fine_pounds", "age"]
GOOD_ROWS = [
    ["1", "SMITH, John", "01/02/1990", "M", "1 High St, Leeds LS6 2AB", "MC1", "TH1",
     "05/06/2020", "guilty", "120.50", "30"],
    ["2", "JONES, Mary", "11/12/1985", "F", "2 Low Rd, York YO1 7HH", "MC2", "TH2",
     "05/06/2020", "not guilty", "", "34"],
    ["3", "O'BRIEN, Zoë", "03/04/2001", "f", "3 Mid Ln, Hull HU1 1AA", "MC3", "VI1",
     "07/07/2021", "guilty", "0", "20"],
]


def csv_text(rows: list[list[str]], delimiter: str = ",", header: list[str] = HEADER) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


class SourceFiles:
    """Writes an extract and its contract into a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, rows: list[list[str]] | None = None, *, name: str = "mags.csv",
              delimiter: str = ",", encoding: str = "utf-8", fmt: str = "csv",
              contract_delimiter: str | None = None, contract_encoding: str | None = None,
              header: list[str] = HEADER, raw: bytes | None = None,
              contract_extra: str = "") -> Path:
        extract = self.folder / name
        if raw is not None:
            extract.write_bytes(raw)
        elif fmt == "csv":
            extract.write_bytes(
                csv_text(GOOD_ROWS if rows is None else rows, delimiter, header).encode(encoding)
            )
        contract = self.folder / "mags.toml"
        contract.write_text(
            CONTRACT.format(path=name, format=fmt,
                            delimiter=contract_delimiter or delimiter,
                            encoding=contract_encoding or encoding) + contract_extra,
            encoding="utf-8",
        )
        return contract


@pytest.fixture(autouse=True)
def _accounts(request: pytest.FixtureRequest) -> None:
    """Every test with a home gets its staff accounts (ingest needs a linkage officer)."""
    if "home" in request.fixturenames:
        request.getfixturevalue("staff")


@pytest.fixture
def source_files(tmp_path: Path) -> SourceFiles:
    folder = tmp_path / "extracts"
    folder.mkdir()
    return SourceFiles(folder)
