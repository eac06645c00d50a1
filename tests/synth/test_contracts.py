"""The source contracts written beside the extracts follow docs/source-contracts.md."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.synth.helpers import SOURCES, contract, header

SOURCE_KEYS = {
    "name",
    "title",
    "owner",
    "jurisdictions",
    "systems",
    "description",
    "record_id",
    "file",
    "identifier",
    "attribute",
}
FILE_KEYS = {"path", "format", "delimiter", "encoding"}
IDENTIFIER_KEYS = {"column", "role", "order", "format", "codes", "required", "description"}
ATTRIBUTE_KEYS = {"column", "type", "format", "values", "sensitivity", "description", "required"}
ROLES = {
    "forename",
    "middle_names",
    "surname",
    "full_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "operational_id",
}
TYPES = {"string", "integer", "decimal", "date", "boolean"}
SENSITIVITIES = {"quasi_identifier", "special_category", "criminal_offence", "other"}
OWNERS = {
    "magistrates": "HMCTS",
    "crown_court": "HMCTS",
    "family_court": "HMCTS",
    "prison": "HMPPS",
    "probation": "HMPPS",
}


@pytest.mark.parametrize("source", SOURCES)
def test_contract_has_the_documented_shape(out: Path, source: str) -> None:
    path = out / "contracts" / f"{source}.toml"
    text = path.read_text("utf-8")
    for table in ("[[source]]", "[source.file]", "[[source.identifier]]", "[[source.attribute]]"):
        assert table in text
    raw = tomllib.loads(text)
    assert set(raw) == {"source"} and len(raw["source"]) == 1
    spec = raw["source"][0]
    assert set(spec) <= SOURCE_KEYS
    assert spec["name"] == source and spec["owner"] == OWNERS[source]
    assert set(spec["file"]) <= FILE_KEYS
    assert (path.parent / spec["file"]["path"]).resolve() == (
        out / "extracts" / f"{source}.{spec['file']['format']}"
    ).resolve()
    for ident in spec["identifier"]:
        assert set(ident) <= IDENTIFIER_KEYS and ident["role"] in ROLES
        assert ident.get("description")
        if ident["role"] == "sex":
            assert set(ident["codes"].values()) <= {"male", "female", "unknown"}
        if ident["role"] == "full_name":
            assert ident["order"] == "surname_first"
    for attr in spec["attribute"]:
        assert set(attr) <= ATTRIBUTE_KEYS
        assert attr["type"] in TYPES and attr["sensitivity"] in SENSITIVITIES
        assert attr["description"]
        assert ("format" in attr) == (attr["type"] == "date")


@pytest.mark.parametrize("source", SOURCES)
def test_contract_names_exactly_the_extract_columns(out: Path, source: str) -> None:
    spec = contract(out, source)
    named = [spec["record_id"]]
    named += [i["column"] for i in spec["identifier"]]
    named += [a["column"] for a in spec["attribute"]]
    assert len(named) == len(set(named))
    assert sorted(named) == sorted(header(out, source))


def test_sensitivity_classes(out: Path) -> None:
    for source in SOURCES:
        for attr in contract(out, source)["attribute"]:
            name = attr["column"].lower()
            if "ethnicity" in name:
                assert attr["sensitivity"] == "special_category"
            elif attr["type"] == "date" or "age" in name or "court" in name:
                assert attr["sensitivity"] == "quasi_identifier", name
            elif any(w in name for w in ("offence", "plea", "verdict", "sentence")):
                assert attr["sensitivity"] == "criminal_offence", name
    mags = {a["column"]: a for a in contract(out, "magistrates")["attribute"]}
    assert mags["outcome"]["sensitivity"] == "criminal_offence"


def test_the_package_contract_loader_accepts_them(out: Path) -> None:
    loader = pytest.importorskip("fivesafes.sources.contract")
    for source in SOURCES:
        (loaded,) = loader.load_contracts(out / "contracts" / f"{source}.toml")
        assert loaded.name == source
        assert loaded.file.path.resolve().exists()
