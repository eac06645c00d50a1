"""Fixtures of the publishing tests: staff accounts in every home, a small synthetic data set
(generated once per session), and a small hand-made source for refresh scenarios."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

from fivesafes.home import Deployment
from fivesafes.sources.contract import load_all
from fivesafes.sources.ingest import ingest
from fivesafes.synth import SynthSummary, generate

OFFICER = "officer"
SYNTH_PEOPLE = 150


@pytest.fixture(autouse=True)
def _accounts(request: pytest.FixtureRequest) -> None:
    """Every test with a home gets its staff accounts (publishing needs a linkage officer)."""
    if "home" in request.fixturenames:
        request.getfixturevalue("staff")


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    return generate(people=SYNTH_PEOPLE, out=tmp_path_factory.mktemp("synth") / "data",
                    seed=4242)


def ingest_contracts(home: Deployment, contracts: list[Path], *,
                     accept_shrink: bool = False) -> str:
    """Ingest as the officer; ``accept_shrink`` for a refresh that is meant to be shorter."""
    return ingest(home, load_all(contracts), by=OFFICER, accept_shrink=accept_shrink).label


def ingest_synth(home: Deployment, synth: SynthSummary) -> str:
    return ingest_contracts(home, sorted(synth.paths.contracts.values()))


# -- a small hand-made source --------------------------------------------------------------------

CONTRACT = """
[[source]]
name = "mags"
owner = "HMCTS"
title = "Magistrates (test)"
description = "A few hand-made magistrates' records"
record_id = "case_id"

[source.file]
path = "{name}"
format = "csv"

[[source.identifier]]
column = "defendant_name"
role = "full_name"
order = "surname_first"

[[source.identifier]]
column = "dob"
role = "date_of_birth"
format = "%d/%m/%Y"

[[source.identifier]]
column = "postcode"
role = "postcode"

[[source.identifier]]
column = "case_no"
role = "operational_id"
description = "Court case number"

[[source.attribute]]
column = "offence_code"
type = "string"
sensitivity = "criminal_offence"
description = "Offence code"

[[source.attribute]]
column = "note"
type = "string"
sensitivity = "other"
description = "Free-text note"

[[source.attribute]]
column = "hearing_date"
type = "date"
format = "%d/%m/%Y"
sensitivity = "quasi_identifier"
required = true

[[source.attribute]]
column = "age"
type = "integer"
sensitivity = "quasi_identifier"
"""

HEADER = ["case_id", "defendant_name", "dob", "postcode", "case_no", "offence_code", "note",
          "hearing_date", "age"]


@dataclass
class Person:
    name: str
    dob: str
    postcode: str


PEOPLE = {
    "ann": Person("HOLLOWAY, Annabel", "03/04/1981", "LS6 2AB"),
    "bob": Person("MARSHALL, Robert", "11/12/1975", "YO1 7HH"),
    "bob_typo": Person("MARHSALL, Robert", "11/12/1975", "YO1 7HH"),
    "cat": Person("FENWICK, Catriona", "21/09/1990", "HU1 1AA"),
    "dan": Person("OKONKWO, Daniel", "07/07/1988", "M14 5RT"),
    "eve": Person("OKONKWO, Evelyn", "07/07/1988", "M14 5RT"),
    "fay": Person("PRENDERGAST, Fay", "30/01/2001", "BS8 1TH"),
}


def row(record: int, who: str, case_no: str, offence: str = "TH04008", note: str = "",
        hearing: str = "05/06/2020", age: str = "30") -> list[str]:
    p = PEOPLE[who]
    return [str(record), p.name, p.dob, p.postcode, case_no, offence, note, hearing, age]


class HandMade:
    """Writes a version of the hand-made extract and its contract; returns the contract."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def write(self, rows: list[list[str]]) -> Path:
        self.count += 1
        name = f"mags-{self.count}.csv"
        with open(self.folder / name, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            writer.writerows(rows)
        contract = self.folder / f"mags-{self.count}.toml"
        contract.write_text(CONTRACT.format(name=name), encoding="utf-8")
        return contract


@pytest.fixture
def hand_made(tmp_path: Path) -> HandMade:
    folder = tmp_path / "extracts"
    folder.mkdir()
    return HandMade(folder)
