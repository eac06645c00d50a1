"""Shared identifiers (a National Insurance number, a PNC id) as linkage evidence: declared in
the contract, standardised as the Python reference does, one comparison and one blocking rule
each, placeholders dropped, and u measured on pairs of different people."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from fivesafes.errors import ContractError
from fivesafes.linkage.features import MAX_SHARED_RECORDS, build_features, usable_groups
from fivesafes.linkage.inputs import IdentifierTable
from fivesafes.linkage.model import plan_model
from fivesafes.linkage.pipeline import RECORDS_SQL, link_tables
from fivesafes.sources.contract import load_contracts
from fivesafes.standardise import StandardiseSpec, standardise, standardise_record
from fivesafes.standardise.specs import spec_for

AS_OF = date(2024, 6, 30)

CONTRACT = """
[[source]]
name = "prison"
owner = "HMPPS"
record_id = "prison_no"
[source.file]
path = "prison.csv"
format = "csv"
[[source.identifier]]
column = "name"
role = "full_name"
order = "forename_first"
[[source.identifier]]
column = "born"
role = "date_of_birth"
[[source.identifier]]
column = "nino"
role = "shared_identifier"
name = "ni_number"
[[source.identifier]]
column = "pnc"
role = "shared_identifier"
name = "pnc_id"
"""


def _contract(tmp_path: Path, text: str = CONTRACT):
    path = tmp_path / "c.toml"
    path.write_text(text)
    return load_contracts(path)[0]


def test_the_contract_names_each_shared_identifier(tmp_path: Path) -> None:
    contract = _contract(tmp_path)
    assert [(c.column, c.name) for c in contract.identifier("shared_identifier")] == [
        ("nino", "ni_number"), ("pnc", "pnc_id")]
    assert spec_for(contract).shared_ids == (("ni_number", "nino"), ("pnc_id", "pnc"))


@pytest.mark.parametrize(("extra", "message"), [
    ('[[source.identifier]]\ncolumn = "x"\nrole = "shared_identifier"\n',
     "a shared_identifier needs name"),
    ('[[source.identifier]]\ncolumn = "x"\nrole = "shared_identifier"\nname = "NI No"\n',
     "a shared_identifier needs name"),
    ('[[source.identifier]]\ncolumn = "x"\nrole = "shared_identifier"\nname = "ni_number"\n',
     "shared identifier 'ni_number' is declared on more than one column"),
    ('[[source.identifier]]\ncolumn = "x"\nrole = "operational_id"\nname = "ni_number"\n',
     "'name' only applies to role 'shared_identifier'"),
])
def test_bad_shared_identifiers_are_refused(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ContractError, match=message):
        _contract(tmp_path, CONTRACT + extra)


def test_standardised_like_the_reference() -> None:
    spec = StandardiseSpec(source="prison", full_name="name", full_name_order="forename_first",
                           shared_ids={"ni_number": "nino", "pnc_id": "pnc"})
    rows = [
        {"record_key": "1", "name": "Ann Lee", "nino": "qq 12 34 56 c", "pnc": "2001/123456A"},
        {"record_key": "2", "name": "Bob Ray", "nino": "  ", "pnc": "2003/9Z"},
        {"record_key": "3", "name": "Cy Fox", "nino": None, "pnc": None},
    ]
    con = duckdb.connect()
    con.register("_rows", pa.table({c: pa.array([r[c] for r in rows], pa.string())
                                    for c in rows[0]}))
    con.execute("CREATE TABLE raw AS SELECT * FROM _rows")
    standardise(con, "raw", spec, "out", as_of=AS_OF)
    got = [row[0] for row in con.execute("SELECT shared_ids FROM out").fetchall()]
    expected = [standardise_record(row, spec, AS_OF)["shared_ids"] for row in rows]
    assert got == expected == [{"ni_number": "QQ123456C", "pnc_id": "2001123456A"},
                               {"pnc_id": "20039Z"}, None]


def _features(rows: list[tuple[str, str | None]], features: str = "features"
              ) -> duckdb.DuckDBPyConnection:
    """A features table ``features`` from (surname, ni number) rows of one source."""
    spec = StandardiseSpec(source="prison", surname="surname", shared_ids={"ni_number": "nino"})
    con = duckdb.connect()
    con.register("_rows", pa.table({
        "record_key": [f"k{i:05d}" for i in range(len(rows))],
        "record_id": [f"r{i:05d}" for i in range(len(rows))],
        "surname": [r[0] for r in rows], "nino": [r[1] for r in rows]}))
    con.execute("CREATE TABLE raw AS SELECT * FROM _rows")
    standardise(con, "raw", spec, "std", as_of=AS_OF)
    con.execute("CREATE TABLE source_records AS SELECT 'prison' AS source, record_key, "
                "record_id FROM raw")
    con.execute(RECORDS_SQL)
    con.execute('ALTER TABLE std RENAME TO "st""d"')
    build_features(con, 'st"d', features)
    return con


def test_a_value_too_many_records_hold_is_a_placeholder_not_evidence() -> None:
    rows = [("SMITH", "AA000000A")] * (MAX_SHARED_RECORDS + 1) + [("LEE", "QQ123456C")] * 3
    con = _features(rows)
    kept = con.execute("SELECT shared_ni_number, count(*) FROM features GROUP BY 1 "
                       "ORDER BY 1 NULLS FIRST").fetchall()
    assert kept == [(None, MAX_SHARED_RECORDS + 1), ("QQ123456C", 3)]
    assert usable_groups(con, "features")["shared_ni_number"] == 3


def test_placeholders_are_dropped_from_an_oddly_named_table() -> None:
    rows = [("SMITH", "AA000000A")] * (MAX_SHARED_RECORDS + 1) + [("LEE", "QQ123456C")] * 3
    con = _features(rows, "feat'ures")
    kept = con.execute("SELECT shared_ni_number, count(*) FROM \"feat'ures\" GROUP BY 1 "
                       "ORDER BY 1 NULLS FIRST").fetchall()
    assert kept == [(None, MAX_SHARED_RECORDS + 1), ("QQ123456C", 3)]
    assert usable_groups(con, "feat'ures")["shared_ni_number"] == 3


def test_each_shared_identifier_brings_a_comparison_and_a_blocking_rule() -> None:
    plan = plan_model(["forename", "surname", "dob", "shared_pnc_id", "shared_ni_number"])
    settings = plan.settings.create_settings_dict("duckdb")
    names = [c["output_column_name"] for c in settings["comparisons"]]
    assert names == ["name", "dob", "shared_ni_number", "shared_pnc_id"]
    rules = [name for name, _ in plan.prediction_rules]
    assert rules[-2:] == ["shared_ni_number", "shared_pnc_id"]
    shared = settings["comparisons"][2]["comparison_levels"]
    # a value's frequency counts one person's records, not how common it is among people
    assert not any(level.get("tf_adjustment_column") for level in shared)
    spark = plan.settings.create_settings_dict("spark")
    assert "levenshtein" in " ".join(level["sql_condition"]
                                     for level in spark["comparisons"][2]["comparison_levels"])


def _people(seed: int, count: int) -> list[dict[str, str | None]]:
    """Two records per person; the NI number links them even when the names do not agree."""
    rng = random.Random(seed)
    forenames = ["JOHN", "MARY", "ALI", "SARAH", "DAVID", "EMMA", "PAUL", "ZOE"]
    surnames = ["SMITH", "JONES", "KHAN", "BROWN", "TAYLOR", "WILSON", "PATEL", "EVANS"]
    rows = []
    for person in range(count):
        forename, surname = rng.choice(forenames), rng.choice(surnames)
        born = date(1950 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28))
        nino = f"QQ{rng.randrange(10**6):06d}{'ABCD'[rng.randrange(4)]}"
        for copy in range(2):
            renamed = copy == 1 and person % 10 == 0  # an alias in one system in ten
            rows.append({
                "record_id": f"{person}-{copy}",
                "name": f"{rng.choice(forenames) if renamed else forename} {surname}",
                "born": born.isoformat(), "nino": nino, "person": str(person)})
    return rows


def test_a_shared_identifier_links_what_names_alone_cannot(tmp_path: Path) -> None:
    contract = _contract(tmp_path, CONTRACT.replace(
        '[[source.identifier]]\ncolumn = "pnc"\nrole = "shared_identifier"\nname = "pnc_id"\n',
        ""))
    rows = _people(7, 400)
    table = pa.table({
        "record_key": [f"k{i:05d}" for i in range(len(rows))],
        "record_id": [r["record_id"] for r in rows],
        "name": [r["name"] for r in rows], "born": [r["born"] for r in rows],
        "nino": [r["nino"] for r in rows]})
    outcome = link_tables([IdentifierTable(contract, table)], tmp_path / "work", as_of=AS_OF)
    try:
        assert "shared_ni_number" in outcome.groups
        assert "shared_ni_number" in [name for name, _ in outcome.prediction_rules]
        exact = next(level for c in outcome.model["comparisons"]
                     if c["output_column_name"] == "shared_ni_number"
                     for level in c["comparison_levels"]
                     if level.get("label_for_charts", "").startswith("Exact"))
        # measured on pairs of different people: far rarer than one person's two records
        assert exact["u_probability"] < 1e-5
        person = {f"k{i:05d}": r["person"] for i, r in enumerate(rows)}
        clusters: dict[str, set[str]] = {}
        for key, cluster in zip(outcome.clusters.column("record_key").to_pylist(),
                                outcome.clusters.column("cluster_id").to_pylist(), strict=True):
            clusters.setdefault(cluster, set()).add(person[key])
        assert all(len(people) == 1 for people in clusters.values())  # no false links
        assert len(clusters) == 400  # every alias linked by its NI number
        assert outcome.shared["ni_number"]["linked_pairs_agreeing"] == 400
        assert outcome.shared["ni_number"]["linked_pairs_differing"] == 0
        assert outcome.summary()["shared_identifiers"] == outcome.shared
    finally:
        assert outcome.con is not None
        outcome.con.close()
