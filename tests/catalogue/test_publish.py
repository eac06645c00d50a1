"""Publishing a small synthetic data set: what the research-ready datasets hold (and never
hold), the person-level index, the catalogue, the data dictionary and governance's view."""

from __future__ import annotations

import csv
import tomllib
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fivesafes.catalogue.build import PERSON_INDEX
from fivesafes.catalogue.dictionary import write_dictionary
from fivesafes.catalogue.listing import StoreCatalogue, as_json, find_version, read_catalogue
from fivesafes.catalogue.lookups import register_lookup
from fivesafes.catalogue.publish import publish
from fivesafes.home import Deployment
from fivesafes.pseudonyms import record_key
from fivesafes.synth import SynthSummary

from .conftest import OFFICER, ingest_synth
from .linking import link_from_truth, read_truth

SKIP_ROLES = {"sex"}  # one-letter codes (M, F) that are not identifying and occur anywhere


def identifier_values(synth: SynthSummary) -> tuple[set[str], set[str]]:
    """Every identifier value that went into ingest (upper case): whole values, and the values
    long and specific enough to look for inside text too."""
    whole: set[str] = set()
    inside: set[str] = set()
    for contract_path in synth.paths.contracts.values():
        spec = tomllib.loads(contract_path.read_text("utf-8"))["source"][0]
        columns = {spec["record_id"]: "record_id"}
        columns.update({i["column"]: i["role"] for i in spec["identifier"]})
        path = (contract_path.parent / spec["file"]["path"]).resolve()
        if spec["file"]["format"] == "parquet":
            table = pq.read_table(path).to_pydict()
        else:
            with open(path, encoding=spec["file"]["encoding"], newline="") as fh:
                rows = list(csv.reader(fh, delimiter=spec["file"]["delimiter"]))
            table = {h: [r[i] for r in rows[1:] if len(r) > i] for i, h in enumerate(rows[0])}
        for column, role in columns.items():
            if role in SKIP_ROLES:
                continue
            for value in table[column]:
                text = str(value or "").strip().upper()
                if role == "address" and not any(ch.isdigit() for ch in text):
                    continue  # a town on its own ("London") names a region too
                if len(text) >= 4:
                    whole.add(text)
                if len(text) >= 6 and role not in ("forename", "surname"):
                    inside.add(text)
        if "forename" in columns.values() and "surname" in columns.values():
            fore = [c for c, r in columns.items() if r == "forename"][0]
            sur = [c for c, r in columns.items() if r == "surname"][0]
            for f, s in zip(table[fore], table[sur], strict=True):
                inside.add(f"{f} {s}".upper())
                inside.add(f"{s}, {f}".upper())
    return whole, inside


def research_files(home: Deployment) -> dict[str, Path]:
    return {p.parent.parent.name: p for p in home.research.glob("*/v1/*.parquet")}


def test_research_ready_datasets_from_a_synthetic_run(home: Deployment, synth: SynthSummary):
    label = ingest_synth(home, synth)
    link_label = link_from_truth(home, [label], synth.paths.truth)
    register_lookup(home, "offences", synth.paths.reference["offences"], key="offence_code",
                    levels=["offence_group", "offence_category"],
                    applies_to=["prison.MAIN_OFFENCE"], by=OFFICER)
    result = publish(home, by=OFFICER)
    assert result.gate.passed and result.link == link_label
    files = research_files(home)
    assert set(files) == {*synth.paths.contracts, PERSON_INDEX}

    # -- no identifier that went into ingest, and nothing of the linkage zone ----------------
    whole, inside = identifier_values(synth)
    clusters = pq.read_table(home.linkage / "links" / link_label / "clusters.parquet")
    linkage_values = {v.upper() for v in clusters["cluster_id"].to_pylist()}
    linkage_values |= {v.upper() for v in clusters["record_key"].to_pylist()}
    for name, path in files.items():
        table = pq.read_table(path)
        assert not {"record_key", "record_id", "cluster_id"} & set(table.column_names)
        for field in table.schema:
            if pa.types.is_date(field.type) or pa.types.is_boolean(field.type):
                continue
            values = {str(v).upper() for v in table[field.name].to_pylist() if v is not None}
            assert not values & whole, (name, field.name, sorted(values & whole)[:3])
            assert not values & linkage_values, (name, field.name)
            if field.name == "person_id" or field.name.startswith("replaced_"):
                continue  # random ids: checked whole above
            hits = [(v, i) for v in values for i in inside if i in v]
            assert not hits, (name, field.name, hits[:3])

    # -- people are who the ground truth says, in every dataset and in the index -------------
    truth = read_truth(synth.paths.truth)
    secret = home.keys.load_key("record-key")
    accepted = {src.source: set(pq.read_table(home.root / src.attributes_path)["record_key"]
                                .to_pylist()) for src in _ingested(home, label)}
    for source, keys in accepted.items():
        expected = Counter(true for (s, rid), true in truth.items()
                           if s == source and record_key(secret, s, rid) in keys)
        got = Counter(pq.read_table(files[source])["person_id"].to_pylist())
        assert sorted(got.values()) == sorted(expected.values()), source
    index = pq.read_table(files[PERSON_INDEX]).to_pylist()
    persons = {r["person_id"] for r in index}
    assert len(persons) == len(index) == result.persons.persons
    magistrates = set(pq.read_table(files["magistrates"])["person_id"].to_pylist())
    assert {r["person_id"] for r in index if r["in_magistrates"]} == magistrates
    assert all(r["datasets"] == sum(v for k, v in r.items() if k.startswith("in_"))
               for r in index)

    # -- the catalogue ---------------------------------------------------------------------------
    version = find_version(home, "magistrates")
    assert (version.version, version.status, version.rows) == (1, "current", sum(
        1 for _ in pq.read_table(files["magistrates"])["person_id"]))
    assert version.date_field == "hearing_date" and version.date_from <= version.date_to
    fields = {f.name: f for f in version.fields}
    assert fields["offence_code"].coarser == ("offence_group", "offence_category")
    assert fields["hearing_date"].coarser == ("hearing_date_month", "hearing_date_year")
    assert fields["age_at_hearing"].coarser == ("age_at_hearing_band",)
    assert fields["replaced_case_no"].origin == "replaced_id"
    assert fields["ethnicity"].sensitivity == "special_category"
    assert fields["offence_group"].derived_from == "offence_code"
    assert fields["person_id"].stats["distinct"] == version.persons
    prison = {f.name: f for f in find_version(home, "prison").fields}
    assert prison["MAIN_OFFENCE"].coarser == ("offence_group", "offence_category")
    entries = read_catalogue(home)
    owners = {e.name: e.owner for e in entries}
    assert owners["prison"] == "HMPPS" and owners["magistrates"] == "HMCTS"
    listing = as_json(entries)
    assert {d["name"]: d["current_version"] for d in listing["datasets"]}["probation"] == 1

    ref = StoreCatalogue(home).dataset("magistrates", "v1")
    assert ref.owner == "HMCTS" and StoreCatalogue(home).versions("magistrates") == ("v1",)
    assert ref.fields["offence_code"].levels == ("offence_code", "offence_group",
                                                 "offence_category")
    assert "offence_group" not in ref.fields  # a level, not a field of its own
    # what the contract declares an application may cover
    assert ref.jurisdictions == ("England", "Wales") and ref.sources == ("Libra",
                                                                         "Common Platform")
    assert {d["name"]: d["systems"] for d in listing["datasets"]}["prison"] == ["NOMIS"]

    # -- the data dictionary: offline HTML and CSV -------------------------------------------
    html_path, csv_path = write_dictionary(entries, home.root / "dictionary")
    html = html_path.read_text("utf-8")
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert "<link" not in html and "<style>" in html
    for name in files:
        assert f"id='{name}'" in html
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sum(len(e.current.fields) for e in entries)
    offence = next(r for r in rows if r["dataset"] == "magistrates"
                   and r["field"] == "offence_code")
    assert offence["coarser_alternatives"] == "offence_group > offence_category"


def _ingested(home: Deployment, label: str):
    from sqlalchemy import select

    from fivesafes.store.models import IngestRun

    with home.store.reading() as session:
        run = session.execute(select(IngestRun).where(IngestRun.label == label)).scalar_one()
        return list(run.sources)
