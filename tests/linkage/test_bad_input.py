"""Bad input gives a clear one-line message (no traceback); odd but valid input still links."""

from __future__ import annotations

import csv
from pathlib import Path

import click
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from fivesafes.errors import FivesafesError, SourceFileError
from fivesafes.linkage.cli import register_commands
from fivesafes.linkage.options import LinkageError
from fivesafes.linkage.runs import link_files

NAMES = [("John", "Smith"), ("Mary", "Jones"), ("Ahmed", "Khan"), ("Wei", "Zhang"),
         ("Siobhan", "Murphy"), ("Tomasz", "Nowak"), ("Grace", "Okafor"), ("Liam", "Walsh"),
         ("Priya", "Patel"), ("Owen", "Evans"), ("Chloe", "Brown"), ("Dylan", "Hughes")]

INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # letters a postcode's inward code may hold
IDENTIFIERS = {
    "first": 'role = "forename"', "last": 'role = "surname"',
    "born": 'role = "date_of_birth"\nformat = "%d/%m/%Y"',
    "sex": 'role = "sex"\ncodes = { M = "male", F = "female" }',
    "pc": 'role = "postcode"', "ref": 'role = "operational_id"',
}


def write_source(folder: Path, name: str, rows: list[dict[str, str]],
                 identifiers: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", *IDENTIFIERS])
        writer.writeheader()
        writer.writerows(rows)
    blocks = "".join(f'\n[[source.identifier]]\ncolumn = "{column}"\n{IDENTIFIERS[column]}\n'
                     for column in identifiers)
    contract = folder / f"{name}.toml"
    contract.write_text(f'[[source]]\nname = "{name}"\nowner = "test"\nrecord_id = "id"\n'
                        f'[source.file]\npath = "{name}.csv"\nformat = "csv"\n{blocks}')
    return contract


def people(count: int, copies: int = 1, blank: tuple[str, ...] = ()) -> list[dict[str, str]]:
    rows = []
    for copy in range(copies):
        for i in range(count):
            first, last = NAMES[i % len(NAMES)]
            letter = INWARD[i // len(NAMES) % len(INWARD)]
            row = {"id": f"{copy}-{i}", "first": first, "last": f"{last}-{letter}{letter}",
                   "born": f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1960 + i % 40}",
                   "sex": "MF"[i % 2], "pc": f"LS{1 + i % 20} {i % 10}{letter}{INWARD[i % 20]}",
                   "ref": f"R{i}"}
            rows.append({k: ("" if k in blank else v) for k, v in row.items()})
    return rows


ALL = list(IDENTIFIERS)


def test_no_usable_identifier_columns(tmp_path: Path) -> None:
    contract = write_source(tmp_path, "ids_only", people(20), ["ref"])
    with pytest.raises(LinkageError, match="no usable identifiers to link on"):
        link_files([contract], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_all_null_name_and_dob_columns(tmp_path: Path) -> None:
    rows = people(20, blank=("first", "last", "born"))
    contract = write_source(tmp_path, "empty", rows, ALL)
    with pytest.raises(LinkageError, match="empty or missing: address, dob, forename"):
        link_files([contract], tmp_path / "out")


def test_an_all_null_column_is_left_out_of_the_model(tmp_path: Path) -> None:
    contract = write_source(tmp_path, "no_dob", people(200, copies=2, blank=("born",)), ALL)
    result = link_files([contract], tmp_path / "out")
    assert "dob" not in result.summary["evidence_used"]
    assert result.summary["clusters"] == 200


def test_one_record(tmp_path: Path) -> None:
    contract = write_source(tmp_path, "single", people(1), ALL)
    result = link_files([contract], tmp_path / "out")
    clusters = pq.read_table(tmp_path / "out" / "clusters.parquet").to_pylist()
    assert clusters == [{"source": "single", "record_id": "0-0", "cluster_id": "single-__-0-0"}]
    assert result.summary["clusters"] == 1


def test_every_record_duplicated(tmp_path: Path) -> None:
    first = write_source(tmp_path / "a", "court", people(60), ALL)
    second = write_source(tmp_path / "b", "prison", people(60), ALL)
    result = link_files([first, second], tmp_path / "out")
    clusters = pq.read_table(tmp_path / "out" / "clusters.parquet").to_pylist()
    by_cluster: dict[str, set[str]] = {}
    for row in clusters:
        by_cluster.setdefault(row["cluster_id"], set()).add(f"{row['source']}:{row['record_id']}")
    assert result.summary["clusters"] == 60
    assert all(len(members) == 2 for members in by_cluster.values())


def test_contract_naming_a_missing_column(tmp_path: Path) -> None:
    contract = write_source(tmp_path, "typo", people(5), ALL)
    contract.write_text(contract.read_text().replace('column = "last"', 'column = "lastname"'))
    with pytest.raises(SourceFileError, match="'lastname'.*not in the file"):
        link_files([contract], tmp_path / "out")


@pytest.mark.parametrize(("args", "message"), [
    (["--out", "OUT"], "belong to standalone mode"),
    ([], "give --home HOME"),
    (["--contracts", "MISSING.toml", "--out", "OUT"], "contract file not found"),
    (["--contracts", "GOOD", "--out", "OUT", "--truth", "NOPE.csv"], "truth file not found"),
    (["--contracts", "GOOD"], "needs --out DIR"),
])
def test_cli_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 args: list[str], message: str) -> None:
    monkeypatch.delenv("FIVESAFES_HOME", raising=False)
    good = write_source(tmp_path, "good", people(3), ALL)
    args = [str(good) if a == "GOOD" else str(tmp_path / a) if a.isupper() or "." in a else a
            for a in args]
    group = click.Group()
    register_commands(group)
    result = CliRunner().invoke(group, ["link", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.output.strip().count("\n") <= 2  # one message (rich may wrap it)


def test_errors_are_user_errors() -> None:
    assert issubclass(LinkageError, FivesafesError)


def test_unreadable_identifier_values_do_not_drop_records(tmp_path: Path) -> None:
    """Standalone: a record whose date of birth is not a date, or whose sex code is not
    declared, is still linked on its other identifiers; the summary counts those values."""
    rows = people(12, copies=2)
    rows[0]["born"], rows[13]["sex"] = "31/02/1980", "X"  # copies of people 0 and 1
    contract = write_source(tmp_path, "messy", rows, ALL)
    result = link_files([contract], tmp_path / "out")
    summary = result.summary
    assert summary["records"] == 24 and summary["rows_not_valid"] == {}
    assert summary["identifier_values_not_readable"] == {"messy": {
        "born: not a valid date in the form %d/%m/%Y": 1,
        "sex: not one of the sex codes F, M declared in the contract": 1}}
    clusters = pq.read_table(tmp_path / "out" / "clusters.parquet").to_pylist()
    cluster = {r["record_id"]: r["cluster_id"] for r in clusters}
    assert cluster["0-0"] == cluster["1-0"] and cluster["0-1"] == cluster["1-1"]


def test_a_required_identifier_that_cannot_be_read_still_rejects_its_row(tmp_path: Path) -> None:
    rows = people(12, copies=2)
    rows[0]["born"] = "31/02/1980"
    contract = write_source(tmp_path, "strict", rows, ALL)
    contract.write_text(contract.read_text().replace(
        'format = "%d/%m/%Y"', 'format = "%d/%m/%Y"\nrequired = true'))
    summary = link_files([contract], tmp_path / "out").summary
    assert summary["records"] == 23 and summary["rows_not_valid"] == {"strict": 1}
