from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from fivesafes import audit
from fivesafes.encrypted_files import read_encrypted
from fivesafes.errors import ContractError, HomeError, SourceFileError
from fivesafes.home import Busy, Deployment
from fivesafes.pseudonyms import record_key
from fivesafes.sources.contract import load_all, load_contracts
from fivesafes.sources.ingest import identifiers_associated_data, ingest
from fivesafes.store.db import REFUSED_ACTION
from fivesafes.store.models import AuditEntry, IngestedSource, IngestRun

from .conftest import GOOD_ROWS, HEADER, SourceFiles


def snapshot(home: Deployment) -> tuple:
    """Everything an ingest may change: files in the zones and rows in the store."""
    files = sorted(
        str(p.relative_to(home.root)) for p in home.root.rglob("*")
        if ".work" not in p.parts and p.name not in {"store.db-wal", "store.db-shm"}
    )
    with home.store.reading() as s:
        rows = (s.scalar(select(func.count()).select_from(IngestRun)),
                s.scalar(select(func.count()).select_from(IngestedSource)),
                s.scalar(select(func.count()).select_from(AuditEntry)))
    return files, rows


def run(home: Deployment, *contracts: Path):
    return ingest(home, load_all(list(contracts)), by="officer")


def identifiers_of(home: Deployment, label: str, source: str) -> pa.Table:
    key = home.keys.load_key(label)
    path = home.linkage / "identifiers" / label / f"{source}.parquet.enc"
    plain = read_encrypted(path, key, identifiers_associated_data(label, source))
    return pq.read_table(io.BytesIO(plain))


def test_ingest_splits_identifiers_from_attributes(home: Deployment, source_files: SourceFiles):
    result = run(home, source_files.write())
    [src] = result.sources
    assert (src.read, src.accepted, src.quarantined) == (3, 3, 0)

    attrs = pq.read_table(home.root / src.attributes_path)
    assert attrs.column_names == ["record_key", "offence_code", "hearing_date", "plea",
                                  "fine_pounds", "age"]
    assert attrs.schema.field("hearing_date").type == pa.date32()
    assert attrs.column("fine_pounds").to_pylist() == [120.5, None, 0.0]
    assert attrs.column("age").to_pylist() == [30, 34, 20]
    flat = str(attrs.to_pylist())
    for identifier in ("SMITH", "Mary", "LS6", "MC1", "01/02/1990"):
        assert identifier not in flat

    raw = (home.root / src.identifiers_path).read_bytes()
    assert b"SMITH" not in raw and b"MC1" not in raw
    ids = identifiers_of(home, result.label, "mags")
    assert ids.column_names == ["record_key", "record_id", "defendant_name", "dob", "gender",
                                "address", "case_no"]
    assert ids.column("defendant_name").to_pylist() == ["SMITH, John", "JONES, Mary",
                                                        "O'BRIEN, Zoë"]
    assert ids.column("record_key").to_pylist() == attrs.column("record_key").to_pylist()

    with home.store.reading() as s:
        entry = audit.query(s, audit.EntryFilter(action="ingest.complete"))[0]
        assert audit.verify(s).intact
        ingested = s.scalars(select(IngestedSource)).one()
    assert entry.subject == result.label and entry.actor == "officer"
    assert ingested.rows_read == 3 and len(ingested.file_sha256) == 64


def test_a_shared_identifier_is_held_with_the_identifiers(home, source_files):
    header = HEADER + ["nino"]
    rows = [row + [nino] for row, nino in zip(GOOD_ROWS, ["QQ123456C", "", "AB 12 34 56 D"],
                                              strict=True)]
    contract = source_files.write(rows, header=header, contract_extra=(
        '\n[[source.identifier]]\ncolumn = "nino"\nrole = "shared_identifier"\n'
        'name = "ni_number"\n'))
    result = run(home, contract)
    [src] = result.sources
    attrs = pq.read_table(home.root / src.attributes_path)
    assert "nino" not in attrs.column_names and "QQ123456C" not in str(attrs.to_pylist())
    assert b"QQ123456C" not in (home.root / src.identifiers_path).read_bytes()
    ids = identifiers_of(home, result.label, "mags")
    assert ids.column("nino").to_pylist() == ["QQ123456C", None, "AB 12 34 56 D"]
    with home.store.reading() as s:
        held = json.loads(s.scalars(select(IngestedSource)).one().contract)
    assert {"column": "nino", "role": "shared_identifier", "name": "ni_number"}.items() <= next(
        i for i in held["identifiers"] if i["column"] == "nino").items()


def test_record_keys_are_keyed_and_stable_across_refreshes(home, source_files):
    first = run(home, source_files.write())
    refreshed = GOOD_ROWS[:2] + [["9", "NEW, Person", "01/01/1970", "M", "x", "MC9", "TH1",
                                  "01/01/2022", "guilty", "", "52"]]
    second = run(home, source_files.write(refreshed))
    keys1 = pq.read_table(home.root / first.sources[0].attributes_path)["record_key"].to_pylist()
    keys2 = pq.read_table(home.root / second.sources[0].attributes_path)["record_key"].to_pylist()
    assert keys1[:2] == keys2[:2] and keys2[2] not in keys1
    secret = home.keys.load_key("record-key")
    assert keys1[0] == record_key(secret, "mags", "1")
    assert keys1[0] != record_key(b"another secret of 32 bytes......", "mags", "1")
    assert "1" not in keys1 and len(set(keys1)) == 3


def test_quarantine_names_line_column_reason_and_value(home, source_files):
    rows = [
        GOOD_ROWS[0],
        ["2", "JONES, Mary", "31/02/1990", "F", "x", "MC2", "TH2", "05/06/2020", "guilty", "",
         "1"],
        ["3", "BROWN, Al", "03/04/1985", "X", "x", "MC3", "TH3", "bad", "maybe", "lots", "2.5"],
        ["", "NOID, Al", "03/04/1985", "M", "x", "MC4", "TH3", "05/06/2020", "guilty", "", ""],
        ["5", "SHORT, Row"],
        ["6", "MULTI, Line", "03/04/1985", "m", "4 Long\nRoad", "MC6", "TH1", "01/01/2021",
         "not guilty", "", ""],
        ["7", "LATE, Row", "03/04/1985", "M", "x", "MC7", "TH1", "", "guilty", "", ""],
    ]
    result = run(home, source_files.write(rows))
    [src] = result.sources
    assert (src.read, src.accepted, src.quarantined) == (7, 3, 4)
    assert src.read == src.accepted + src.quarantined
    with open(home.root / src.quarantine_path, newline="", encoding="utf-8") as fh:
        got = list(csv.reader(fh))
    assert got[0] == ["line", "column", "reason", "value"]
    assert got[1:] == [
        ["4", "age", "not a whole number", "2.5"],
        ["4", "fine_pounds", "not a number", "lots"],
        ["4", "gender", "not one of the sex codes F, M, U declared in the contract", "X"],
        ["4", "hearing_date", "not a valid date in the form %d/%m/%Y", "bad"],
        ["4", "plea", "not one of the allowed values (guilty, not guilty)", "maybe"],
        ["5", "case_id", "record id is empty", ""],
        ["6", "", "row has 2 fields; the header has 11", ""],
        ["9", "hearing_date", "required value is empty", ""],
    ]
    # a date of birth that is not a date keeps its record (linkage reads it as missing); it is
    # listed beside the quarantine. A rejected row's unreadable sex code stays with the row.
    assert (src.warnings, src.warning_reasons) == (
        1, {"dob: not a valid date in the form %d/%m/%Y": 1})
    with open(home.root / src.warnings_path, newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["line", "column", "reason", "value"], [
            "3", "dob", "not a valid date in the form %d/%m/%Y", "31/02/1990"]]
    accepted = identifiers_of(home, result.label, "mags")
    assert accepted["record_id"].to_pylist() == ["1", "2", "6"]
    assert accepted["dob"].to_pylist()[1] == "31/02/1990"
    assert accepted["address"].to_pylist()[2] == "4 Long\nRoad"


def test_a_required_identifier_that_cannot_be_read_quarantines_its_row(home, source_files):
    rows = [GOOD_ROWS[0], ["2", "JONES, Mary", "31/02/1990", "F", "x", "MC2", "TH2",
                           "05/06/2020", "guilty", "", "1"]]
    contract = source_files.write(rows)
    contract.write_text(contract.read_text().replace(
        'format = "%d/%m/%Y"\n', 'format = "%d/%m/%Y"\nrequired = true\n', 1))
    [src] = run(home, contract).sources
    assert (src.accepted, src.quarantined, src.warnings) == (1, 1, 0)


def test_parquet_source_with_typed_dates(home, source_files):
    table = pa.table({h: [r[i] for r in GOOD_ROWS] for i, h in enumerate(HEADER)})
    table = table.set_column(HEADER.index("hearing_date"), "hearing_date",
                             pa.array([pa.scalar(18418, pa.date32())] * 3))
    pq.write_table(table, source_files.folder / "mags.parquet")
    result = run(home, source_files.write(name="mags.parquet", fmt="parquet"))
    [src] = result.sources
    assert (src.read, src.accepted, src.quarantined) == (3, 3, 0)
    attrs = pq.read_table(home.root / src.attributes_path)
    assert str(attrs["hearing_date"][0]) == "2020-06-05"


def _assert_refused(home, contract_paths, error, *fragments):
    before = snapshot(home)
    with pytest.raises(error) as info:
        run(home, *contract_paths)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    assert snapshot(home) == before  # nothing written, nothing recorded
    return message


def test_missing_file(home, source_files):
    contract = source_files.write()
    (source_files.folder / "mags.csv").unlink()
    _assert_refused(home, [contract], SourceFileError, "mags.csv", "file not found",
                    "relative to the contract")


def test_missing_column(home, source_files):
    header = [h if h != "dob" else "date_of_birth" for h in HEADER]
    _assert_refused(home, [source_files.write(header=header)], SourceFileError,
                    "'dob'", "not in the file", "mags.csv")


def test_wrong_delimiter(home, source_files):
    contract = source_files.write(delimiter=";", contract_delimiter=",")
    _assert_refused(home, [contract], SourceFileError, "looks ';'-delimited",
                    "delimiter = ';'")


def test_wrong_encoding(home, source_files):
    contract = source_files.write(encoding="latin-1", contract_encoding="utf-8")
    _assert_refused(home, [contract], SourceFileError, "line 4 is not utf-8 text", "0xeb",
                    "encoding")


def test_empty_file(home, source_files):
    _assert_refused(home, [source_files.write(raw=b"")], SourceFileError, "empty")


def test_binary_file(home, source_files):
    _assert_refused(home, [source_files.write(raw=b"PK\x03\x04\x00\x00binary")],
                    SourceFileError, "binary")


def test_csv_declared_as_parquet(home, source_files):
    source_files.write()  # a CSV extract ...
    contract = source_files.write(fmt="parquet")  # ... named by a contract that says Parquet
    _assert_refused(home, [contract], SourceFileError, "not a readable Parquet file",
                    'format = "csv"')


def test_duplicated_record_ids(home, source_files):
    rows = GOOD_ROWS + [["2"] + GOOD_ROWS[0][1:]]
    _assert_refused(home, [source_files.write(rows)], SourceFileError, "duplicated",
                    "'2' on lines 3 and 5", "unique")


def test_malformed_contract_reports_every_problem(source_files):
    contract = source_files.write(contract_extra="\n[[source.attribute]]\ncolumn = \"x\"\n"
                                                 "type = \"text\"\nsensitivty = \"other\"\n")
    with pytest.raises(ContractError) as info:
        load_contracts(contract)
    message = str(info.value)
    assert "unknown key(s) 'sensitivty'" in message
    assert "type 'text' is not one of" in message
    assert "'sensitivity' is required" in message
    assert message.startswith("3 problems in the contracts")


def test_two_digit_birth_years_are_refused(source_files):
    contract = source_files.write()
    contract.write_text(contract.read_text().replace('format = "%d/%m/%Y"\n\n[[source.identifier]]\n'
                                                     'column = "gender"',
                                                     'format = "%d/%m/%y"\n\n[[source.identifier]]\n'
                                                     'column = "gender"'))
    with pytest.raises(ContractError, match="two-digit year"):
        load_contracts(contract)


def test_one_bad_source_stops_the_whole_run(home, source_files, tmp_path):
    good = source_files.write()
    other = tmp_path / "other"
    other.mkdir()
    bad = SourceFiles(other).write(raw=b"")
    bad.write_text(bad.read_text().replace('name = "mags"', 'name = "mags2"'))
    _assert_refused(home, [good, bad], SourceFileError, "empty")


def test_a_second_ingest_at_the_same_time_is_refused(home, source_files):
    with Busy(home, "ingest"), pytest.raises(HomeError, match="in progress"):
        run(home, source_files.write())


def test_only_a_linkage_officer_may_ingest(home, source_files):
    from fivesafes.errors import PermissionDenied

    before = snapshot(home)
    for actor, message in (("auditor", "auditor may not ingest source extracts"),
                           ("nobody", "'nobody' is not an active fivesafes account")):
        with pytest.raises(PermissionDenied, match=message):
            ingest(home, load_all([source_files.write()]), by=actor)
    files, (runs, sources, entries) = snapshot(home)
    assert (files, runs, sources, entries) == (before[0], *before[1][:2], before[1][2] + 2)
    with home.store.reading() as s:
        refusals = audit.query(s, audit.EntryFilter(action=REFUSED_ACTION))
    assert [(e.actor, json.loads(e.details)["refused"].split(";")[0].split(":")[0])
            for e in refusals] == [
        ("auditor", "auditor may not ingest source extracts"),
        ("nobody", "'nobody' is not an active fivesafes account")]


def test_contract_declares_jurisdictions_and_systems(source_files):
    contract = source_files.write()
    contract.write_text(contract.read_text().replace(
        'owner = "HMCTS"\n', 'owner = "HMCTS"\njurisdictions = ["England", "Wales"]\n'
                             'systems = ["Libra"]\n', 1))
    (source,) = load_contracts(contract)
    assert source.jurisdictions == ("England", "Wales") and source.systems == ("Libra",)
    assert json.loads(json.dumps(source.as_json()))["systems"] == ["Libra"]


def test_contract_refuses_bad_jurisdictions_and_systems(source_files):
    contract = source_files.write()
    contract.write_text(contract.read_text().replace(
        'owner = "HMCTS"\n', 'owner = "HMCTS"\njurisdictions = "England"\n'
                             'systems = ["Libra", "Libra"]\n', 1))
    with pytest.raises(ContractError) as info:
        load_contracts(contract)
    message = str(info.value)
    assert "'jurisdictions' must be a list of names, e.g. jurisdictions = " \
           '["England", "Wales"]' in message
    assert "'systems' names ['Libra'] more than once" in message


def test_contract_names_differing_only_by_spaces_are_the_same_name(source_files):
    contract = source_files.write()
    contract.write_text(contract.read_text().replace(
        'owner = "HMCTS"\n', 'owner = "HMCTS"\nsystems = ["Libra", " Libra"]\n', 1))
    with pytest.raises(ContractError, match=r"'systems' names \['Libra'\] more than once"):
        load_contracts(contract)


def test_synthetic_extracts_quarantine_and_warn_exactly_the_planted_rows(home, tmp_path):
    from fivesafes.synth import generate

    synth = generate(people=300, out=tmp_path / "synth", seed=5)
    result = ingest(home, load_all(sorted(synth.paths.contracts.values())), by="officer")
    with open(synth.paths.expected_quarantine, newline="", encoding="utf-8") as fh:
        planted = list(csv.DictReader(fh))
    assert {r["outcome"] for r in planted} == {"quarantine", "identifier_warning"}
    for src in result.sources:
        mine = [r for r in planted if r["source"] == src.source]
        assert src.quarantined == sum(r["outcome"] == "quarantine" for r in mine)
        assert src.warnings == sum(r["outcome"] == "identifier_warning" for r in mine)
        assert src.read == src.accepted + src.quarantined
        kept = set(identifiers_of(home, result.label, src.source)["record_id"].to_pylist())
        for r in mine:
            if r["record_id"]:
                assert (r["record_id"] in kept) == (r["outcome"] == "identifier_warning"), r


def test_an_extract_with_a_header_and_no_rows_is_refused(home, source_files):
    message = _assert_refused(home, [source_files.write(rows=[])], SourceFileError,
                              "mags.csv", "no data rows", "every mags record would be dropped",
                              "--allow-empty")
    assert "full extract" in message


def test_an_empty_extract_can_be_allowed_and_is_said_again(home, source_files):
    result = ingest(home, load_all([source_files.write(rows=[])]), by="officer",
                    allow_empty=True)
    assert result.read == 0
    assert result.notices == ("mags: empty extract ingested (--allow-empty)",)
    with home.store.reading() as s:
        entry = audit.query(s, audit.EntryFilter(action="ingest.complete"))[-1]
    assert json.loads(entry.details)["confirmed"] == list(result.notices)


def test_a_re_ingest_that_shrinks_a_source_needs_confirmation(home, source_files):
    run(home, source_files.write())  # 3 rows
    shorter = source_files.write(rows=GOOD_ROWS[:1])
    message = _assert_refused(home, [shorter], SourceFileError, "mags: 1 rows read",
                              "67% fewer than the 3 of ingest-0001", "--accept-shrink",
                              "ingest.shrink_share")
    assert "dropped" in message
    result = ingest(home, load_all([shorter]), by="officer", accept_shrink=True)
    assert result.notices == ("mags: 1 rows read, 67% fewer than the 3 of ingest-0001 "
                              "(--accept-shrink)",)


def test_a_shrink_within_the_configured_share_is_not_questioned(home, source_files):
    run(home, source_files.write())
    result = run(home, source_files.write(rows=GOOD_ROWS))  # same size: nothing to confirm
    assert result.notices == ()


def test_contract_problems_are_listed_one_per_line_across_every_file(source_files, tmp_path):
    first = source_files.write(contract_extra='\n[[source.attribute]]\ncolumn = "x"\n'
                                              'type = "text"\nsensitivty = "other"\n')
    first.write_text(first.read_text().replace('owner = "HMCTS"\n', 'jurisdictions = "Eng"\n'))
    other = tmp_path / "other"
    other.mkdir()
    second = SourceFiles(other).write()
    second.write_text(second.read_text().replace('role = "sex"', 'role = "gender"'))
    missing = tmp_path / "missing.toml"
    with pytest.raises(ContractError) as info:
        load_all([first, second, missing])
    lines = str(info.value).splitlines()
    assert lines[0] == "7 problems in the contracts (see docs/source-contracts.md):"
    assert lines[1:] == [f"  - {p}" for p in info.value.problems]
    assert info.value.problems == [
        f"{first}: source 'mags': 'owner' is required",
        f"{first}: source 'mags' attribute 'x': unknown key(s) 'sensitivty' (allowed: column, "
        "description, format, required, sensitivity, type, values)",
        f"{first}: source 'mags' attribute 'x': 'sensitivity' is required",
        f"{first}: source 'mags' attribute 'x': type 'text' is not one of string, integer, "
        "decimal, date, boolean",
        f"{first}: source 'mags': 'jurisdictions' must be a list of names, e.g. jurisdictions = "
        '["England", "Wales"]',
        f"{second}: source 'mags' identifier 'gender': role 'gender' is not one of forename, "
        "middle_names, surname, full_name, date_of_birth, sex, postcode, address, "
        "operational_id, shared_identifier",
        f"{missing}: contract file not found; check the path",
    ]
