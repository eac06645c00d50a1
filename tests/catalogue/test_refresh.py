"""Person ids across refreshes: a refresh that adds records, corrects a typo that joins two
people (a merge), and removes a wrong link (a split); then one that drops records (retired)."""

from __future__ import annotations

import re
from collections import Counter

import pyarrow.parquet as pq
import pytest

from fivesafes import audit
from fivesafes.catalogue.errors import PublishError
from fivesafes.catalogue.listing import read_catalogue
from fivesafes.catalogue.persons import ISSUED_FILE, recorded
from fivesafes.catalogue.publish import publish
from fivesafes.home import Deployment
from fivesafes.pseudonyms import record_key
from fivesafes.retention import destroy_identifiers

from .conftest import OFFICER, HandMade, ingest_contracts, row
from .linking import link

PERSON_ID = re.compile(r"^P[0-9A-HJKMNP-TV-Z]{12}$")

FIRST = [row(1, "ann", "MC100"), row(2, "ann", "MC100", hearing="06/07/2021"),
         row(3, "bob", "MC200"), row(4, "bob_typo", "MC201"),
         row(5, "dan", "MC300"), row(6, "eve", "MC301")]
FIRST_GROUPS = {1: "A", 2: "A", 3: "B", 4: "C", 5: "D", 6: "D"}  # 4 has a typo; 5+6 wrongly one

SECOND = ([row(1, "ann", "MC100"), row(2, "ann", "MC100", hearing="06/07/2021"),
           row(3, "bob", "MC200"), row(4, "bob", "MC201"),  # typo corrected
           row(5, "dan", "MC300"), row(6, "eve", "MC301")]
          + [row(7, "ann", "MC400", hearing="01/02/2023"), row(8, "fay", "MC500")])
SECOND_GROUPS = {1: "A", 2: "A", 7: "A", 3: "B", 4: "B", 5: "D", 6: "E", 8: "F"}

THIRD = [r for r in SECOND if r[0] not in ("5", "6")]
THIRD_GROUPS = {k: v for k, v in SECOND_GROUPS.items() if k not in (5, 6)}


def groups(mapping: dict[int, str]) -> dict[tuple[str, str], str]:
    return {("mags", str(k)): v for k, v in mapping.items()}


def person_of(home: Deployment, link_label: str) -> dict[int, str]:
    """record id -> person id, from the person key map in the linkage zone."""
    done = recorded(home, link_label)
    table = pq.read_table(done.person_map).to_pylist()
    by_key = {r["record_key"]: r["person_id"] for r in table}
    secret = home.keys.load_key("record-key")
    return {i: by_key[record_key(secret, "mags", str(i))] for i in range(1, 9)
            if record_key(secret, "mags", str(i)) in by_key}


def research(home: Deployment, version: int) -> list[dict]:
    path = home.research / "mags" / f"v{version}" / "mags.parquet"
    return pq.read_table(path).to_pylist()


def lineage(home: Deployment, link_label: str) -> list[tuple]:
    done = recorded(home, link_label)
    return sorted((r["reason"], r["old_id"], r["new_id"], r["records"])
                  for r in pq.read_table(done.lineage).to_pylist())


def test_person_ids_stay_with_people_across_refreshes(home: Deployment, hand_made: HandMade):
    secret = home.keys.load_key("record-key")
    first_ingest = ingest_contracts(home, [hand_made.write(FIRST)])
    first_link = link(home, [first_ingest], groups(FIRST_GROUPS))
    first = publish(home, by=OFFICER)
    assert first.persons.counts == {"kept": 0, "new": 4, "split": 0, "merged": 0, "retired": 0,
                                    "moved": 0}
    p1 = person_of(home, first_link)
    assert all(PERSON_ID.match(p) for p in p1.values())
    assert p1[1] == p1[2] and p1[5] == p1[6] and len(set(p1.values())) == 4
    # publishing accepted the run and destroyed its identifiers; later releases still check them
    assert [c.ingest for c in first.destroyed] == [first_ingest]

    second_ingest = ingest_contracts(home, [hand_made.write(SECOND)])
    second_link = link(home, [second_ingest], groups(SECOND_GROUPS))
    second = publish(home, by=OFFICER)
    assert second.persons.counts == {"kept": 3, "new": 1, "split": 1, "merged": 1,
                                     "retired": 0, "moved": 0}
    assert "3 kept, 1 new, 1 split, 1 merged, 0 retired" in second.persons.summary_line()
    p2 = person_of(home, second_link)
    assert p2[1] == p2[2] == p2[7] == p1[1]  # added record joins the person it belongs to
    merged_keep = min(p1[3], p1[4])  # tie: the same overlap, so the smaller id is kept
    retired = max(p1[3], p1[4])
    assert p2[3] == p2[4] == merged_keep
    first_key = min((record_key(secret, "mags", "5"), 5), (record_key(secret, "mags", "6"), 6))
    split_on, split_off = first_key[1], 11 - first_key[1]
    assert p2[split_on] == p1[5]  # a tie between the parts: the one with the smaller record key
    assert p2[split_off] not in set(p1.values())
    assert p2[8] not in set(p1.values()) | {p2[split_off]}
    assert lineage(home, second_link) == sorted([
        ("merged", retired, merged_keep, 1),
        ("split", p1[5], p2[split_off], 1),
        ("new", None, p2[8], 0),
    ])

    third_ingest = ingest_contracts(home, [hand_made.write(THIRD)], accept_shrink=True)
    third_link = link(home, [third_ingest], groups(THIRD_GROUPS))
    third = publish(home, by=OFFICER)
    assert third.persons.counts["retired"] == 2 and third.persons.counts["kept"] == 3
    assert third.persons.counts["new"] == 0
    p3 = person_of(home, third_link)
    assert {p3[i] for i in (1, 2, 7)} == {p1[1]} and p3[8] == p2[8]
    assert {e for e in lineage(home, third_link) if e[0] == "retired"} == {
        ("retired", p2[5], None, 0), ("retired", p2[6], None, 0)}

    # never reused: every id issued once, and retired ids never come back
    issued = []
    for label in (first_link, second_link, third_link):
        issued += pq.read_table(recorded(home, label).folder / ISSUED_FILE)["person_id"].to_pylist()
    assert len(issued) == len(set(issued)) == 6
    assert retired not in set(p3.values())

    # research datasets follow the person key map; the catalogue marks the current version
    assert Counter(r["person_id"] for r in research(home, 2)) == Counter(
        p2[i] for i in range(1, 9))
    [mags] = [e for e in read_catalogue(home) if e.name == "mags"]
    assert [(v.version, v.status) for v in mags.versions] == [
        (1, "superseded"), (2, "superseded"), (3, "current")]
    for version in (1, 2, 3):
        assert (home.research / "mags" / f"v{version}" / "mags.parquet").is_file()
    with home.store.reading() as session:
        entries = audit.query(session, audit.EntryFilter(action="persons.assigned"))
        assert audit.verify(session).intact
    assert [e.subject for e in entries] == [first_link, second_link, third_link]


def test_replaced_ids_are_consistent_within_a_release_only(home, hand_made):
    first_ingest = ingest_contracts(home, [hand_made.write(FIRST)])
    link(home, [first_ingest], groups(FIRST_GROUPS))
    publish(home, by=OFFICER)
    second_ingest = ingest_contracts(home, [hand_made.write(SECOND)])
    link(home, [second_ingest], groups(SECOND_GROUPS))
    publish(home, by=OFFICER)
    for version, records in ((1, 6), (2, 8)):
        rows = research(home, version)
        assert len(rows) == records
        replaced = [r["replaced_case_no"] for r in rows]
        assert all(re.match(r"^R[0-9A-HJKMNP-TV-Z]{12}$", v) for v in replaced)
        assert len(set(replaced)) == records - 1  # records 1 and 2 share case MC100
        shared = {r["replaced_case_no"] for r in rows if str(r["hearing_date"]) == "2021-07-06"}
        ann = [r for r in rows if r["replaced_case_no"] in shared]
        assert len(ann) == 2 and len({r["person_id"] for r in ann}) == 1
        assert not {"MC100", "MC200"} & set(replaced)
    v1 = {r["replaced_case_no"] for r in research(home, 1)}
    v2 = {r["replaced_case_no"] for r in research(home, 2)}
    assert not v1 & v2  # fresh in every release


def test_publish_refuses_a_link_run_already_published_or_older(home, hand_made):
    first_ingest = ingest_contracts(home, [hand_made.write(FIRST)])
    first_link = link(home, [first_ingest], groups(FIRST_GROUPS))
    second_link = link(home, [first_ingest], groups(FIRST_GROUPS))
    publish(home, by=OFFICER, link_label=second_link)
    with pytest.raises(PublishError, match="already published as release-0001"):
        publish(home, by=OFFICER, link_label=second_link)
    with pytest.raises(PublishError, match=f"{first_link} is older than {second_link}"):
        publish(home, by=OFFICER, link_label=first_link)
    with pytest.raises(PublishError, match="no link run 'link-0009'"):
        publish(home, by=OFFICER, link_label="link-0009")


def test_publish_after_the_identifiers_were_destroyed_by_hand(home, hand_made):
    label = ingest_contracts(home, [hand_made.write(FIRST)])
    link(home, [label], groups(FIRST_GROUPS))
    destroy_identifiers(home, label, by=OFFICER, reason="linkage link-0001 complete")
    result = publish(home, by=OFFICER)
    assert result.gate.passed and result.gate.token_files == 1 and result.destroyed == ()
    rows = research(home, 1)
    assert len(rows) == 6 and len({r["replaced_case_no"] for r in rows}) == 5
    assert not (home.linkage / "identifiers" / label).exists()
