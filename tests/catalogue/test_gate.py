"""The release gate refuses to publish when identifier values appear in research-ready columns:
planted exactly, upper-cased, or embedded in free text; also identifiers of an ingest whose
store was already destroyed."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from fivesafes import audit
from fivesafes.catalogue.errors import ReleaseGateError
from fivesafes.catalogue.models import DatasetVersion, Release
from fivesafes.catalogue.publish import publish
from fivesafes.home import Deployment
from fivesafes.retention import destroy_identifiers

from .conftest import OFFICER, HandMade, ingest_contracts, row
from .linking import link

CLEAN = [row(1, "ann", "MC100", note="no further action"),
         row(2, "bob", "MC200", note="adjourned"),
         row(3, "cat", "MC300", note="")]
GROUPS = {("mags", str(i)): str(i) for i in range(1, 20)}

PLANTED = {  # note -> the kind of identifier the gate must name
    "MC200": "id",                                       # a case number, exactly
    "ref mc300 see file": "id",                          # lower-cased, embedded
    "ANNABEL HOLLOWAY": "name",                          # upper-cased, name order swapped
    "spoke to Marshall, Robert at court": "name",        # embedded, surname first
    "seen at ls6 2ab on tuesday": "postcode",            # embedded, lower-cased
    "address given as YO17HH": "postcode",               # embedded, without its space
    "born 21/09/1990 - Fenwick": "dob_name",             # a date of birth next to a surname
}
HARMLESS = ["Marshall Street", "21/09/1990", "case 1", "Holloway Road", "MC9"]


def refused(home: Deployment) -> ReleaseGateError:
    with pytest.raises(ReleaseGateError) as info:
        publish(home, by=OFFICER)
    return info.value


def nothing_published(home: Deployment) -> bool:
    with home.store.reading() as s:
        counts = (s.scalar(select(func.count()).select_from(Release)),
                  s.scalar(select(func.count()).select_from(DatasetVersion)))
    return counts == (0, 0) and not any(home.research.glob("*/v*"))


def test_planted_identifiers_are_found_and_nothing_is_published(home, hand_made: HandMade):
    rows = list(CLEAN)
    for i, note in enumerate([*PLANTED, *HARMLESS], start=4):
        rows.append(row(i, "fay", f"MC9{i:02d}", note=note))
    label = ingest_contracts(home, [hand_made.write(rows)])
    link(home, [label], GROUPS)
    error = refused(home)
    message = str(error)
    assert "\n" not in message and "nothing was published" in message
    assert "mags.note" in message and error.exit_code == 5
    with open(error.report, newline="", encoding="utf-8") as fh:
        found = list(csv.DictReader(fh))
    assert {(f["dataset"], f["column"]) for f in found} == {("mags", "note")}
    kinds = {f["identifier_kind"]: int(f["rows"]) for f in found}
    expected: dict[str, int] = {}
    for kind in PLANTED.values():
        expected[kind] = expected.get(kind, 0) + 1
    assert kinds == expected  # every plant found, none of the harmless notes
    report_text = open(error.report, encoding="utf-8").read().upper()
    for value in ("MC200", "HOLLOWAY", "LS6", "YO17HH", "FENWICK"):
        assert value not in report_text  # the report says where, never what
    assert nothing_published(home)
    with home.store.reading() as session:
        [entry] = audit.query(session, audit.EntryFilter(action="research.refused"))
    assert entry.actor == OFFICER and "mags" in entry.details


def test_identifiers_of_a_destroyed_store_are_still_found(home, hand_made):
    first = ingest_contracts(home, [hand_made.write(CLEAN)])
    link(home, [first], GROUPS)
    destroy_identifiers(home, first, by=OFFICER, reason="linked")
    later = [row(7, "fay", "MC700", note="formerly known as Catriona FENWICK")]
    second = ingest_contracts(home, [hand_made.write(later)], accept_shrink=True)
    link(home, [second], GROUPS)
    error = refused(home)
    assert "full name" in str(error)
    assert nothing_published(home)


def test_a_clean_release_passes(home, hand_made):
    label = ingest_contracts(home, [hand_made.write(CLEAN + [
        row(4, "fay", "MC400", note=note) for note in HARMLESS[:1]])])
    link(home, [label], GROUPS)
    result = publish(home, by=OFFICER)
    assert result.gate.passed and result.gate.token_files == 1
    assert result.gate.columns_scanned > 0 and result.gate.values_scanned > 0
