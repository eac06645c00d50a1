"""The ingest summary names the column and reason that quarantined each row, with counts, and
never blames an identifier warning that only rode along in a rejected row."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fivesafes import cli
from fivesafes.home import Deployment
from fivesafes.sources.contract import load_all
from fivesafes.sources.ingest import ingest, quarantine_summary

from .conftest import GOOD_ROWS, SourceFiles

OFFENCES = 'sensitivity = "criminal_offence"\n'
CODES = 'values = ["TH1", "TH2", "VI1"]\n'
OFFENCE_REASON = "offence_code: not one of the allowed values (TH1, TH2, VI1)"
CASE_REASON = "case_no: required value is empty"


def _rows() -> list[list[str]]:
    """Three rows with an unknown offence code (each with a date of birth that is not a date,
    which sorts first), two with no case number, two good ones."""
    rows = [list(r) for r in GOOD_ROWS[:2]]
    for n in range(3):
        rows.append([f"b{n}", "BAD, Code", "31/02/1990", "M", "x", f"MB{n}", "ZZ9",
                     "05/06/2020", "guilty", "", "30"])
    for n in range(2):
        rows.append([f"m{n}", "NO, Case", "01/01/1990", "F", "x", "", "TH1", "05/06/2020",
                     "guilty", "", "30"])
    return rows


@pytest.fixture
def contract(source_files: SourceFiles):
    path = source_files.write(_rows())
    text = path.read_text(encoding="utf-8")
    # the codes go on offence_code; the operational id becomes required
    text = text.replace('column = "offence_code"\ntype = "string"\n' + OFFENCES,
                        'column = "offence_code"\ntype = "string"\n' + OFFENCES + CODES)
    text = text.replace('role = "operational_id"\n', 'role = "operational_id"\nrequired = true\n')
    assert CODES in text and "required = true\n\n[[source.attribute]]\ncolumn = \"offence" in text
    path.write_text(text, encoding="utf-8")
    return path


def test_reasons_count_the_rows_each_cause_quarantined(home: Deployment, contract):
    [src] = ingest(home, load_all([contract]), by="officer").sources
    assert (src.read, src.accepted, src.quarantined) == (7, 2, 5)
    assert src.reasons == {OFFENCE_REASON: 3, CASE_REASON: 2}
    assert src.warnings == 0  # the bad dates of birth went with their rejected rows
    assert quarantine_summary(src) == [
        "mags: 5 row(s) quarantined:", f"  {OFFENCE_REASON} (3)", f"  {CASE_REASON} (2)"]


def test_the_ingest_command_prints_every_cause(home: Deployment, contract,
                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cli.console, "width", 80)
    result = CliRunner().invoke(cli.main, ["ingest", "--home", str(home.root), "--as", "officer",
                                           str(contract)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("mags: 5 row(s) quarantined:")
    assert lines[at + 1:at + 3] == [f"  {OFFENCE_REASON} (3)", f"  {CASE_REASON} (2)"]
    assert "dob" not in result.output and "date of birth" not in result.output
    again = CliRunner().invoke(cli.main, ["ingest", "--home", str(home.root), "--as", "officer",
                                          "--json", str(contract)])
    [src] = json.loads(again.stdout)["sources"]
    assert src["reasons"] == {OFFENCE_REASON: 3, CASE_REASON: 2}
