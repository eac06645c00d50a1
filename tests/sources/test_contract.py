"""A contract recorded as JSON reads back as the same :class:`SourceContract`."""

from __future__ import annotations

from pathlib import Path

import pytest

from fivesafes import audit
from fivesafes.sources.contract import (
    AttributeColumn,
    Sensitivity,
    attribute_from_dict,
    contract_from_json,
    load_contracts,
)

CONTRACT = """
[[source]]
name = "mags"
owner = "HMCTS"
title = "Magistrates' courts"
description = "Fake cases"
record_id = "case_id"
jurisdictions = ["England", "Wales"]
systems = ["Libra"]

[source.file]
path = "mags.csv"
format = "csv"
delimiter = ";"
encoding = "latin-1"

[[source.identifier]]
column = "defendant_name"
role = "full_name"
order = "surname_first"
description = "as charged"

[[source.identifier]]
column = "dob"
role = "date_of_birth"
format = "%d/%m/%Y"

[[source.identifier]]
column = "gender"
role = "sex"
codes = { M = "male", F = "female" }
required = true

[[source.identifier]]
column = "ni"
role = "shared_identifier"
name = "ni_number"

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
description = "the plea entered"
"""


def test_a_recorded_contract_reads_back_equal(tmp_path: Path):
    path = tmp_path / "mags.toml"
    path.write_text(CONTRACT, encoding="utf-8")
    [contract] = load_contracts(path)
    recorded = audit.canonical_json(contract.as_json())  # as ingest records it
    again = contract_from_json(recorded)
    assert again == contract
    assert all(type(a.sensitivity) is Sensitivity for a in again.attributes)
    assert audit.canonical_json(again.as_json()) == recorded


def test_attributes_read_from_a_dict_are_checked():
    raw = {"column": "plea", "type": "string", "sensitivity": "criminal_offence"}
    assert attribute_from_dict(raw) == AttributeColumn("plea", "string",
                                                       Sensitivity.CRIMINAL_OFFENCE)
    with pytest.raises(ValueError, match="secret"):
        attribute_from_dict({**raw, "sensitivity": "secret"})
    with pytest.raises(ValueError, match="'text' is not one of"):
        attribute_from_dict({**raw, "type": "text"})
    with pytest.raises(KeyError):
        attribute_from_dict({"column": "plea", "type": "string"})


def test_sensitivity_in_words():
    assert Sensitivity.SPECIAL_CATEGORY.in_words == "special category"
    assert f"{Sensitivity.OTHER}" == "other"
