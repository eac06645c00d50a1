"""The release-gate scan on its own (no metadata store): identifier tokens are found whatever
their case, accents and punctuation, wherever they sit in free text; harmless text is not."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fivesafes.catalogue import digests, gate
from fivesafes.keys import KeyRing
from fivesafes.sources.contract import IdentifierColumn, SourceContract, SourceFile
from fivesafes.sql import run_arrow

CONTRACT = SourceContract(
    name="test", owner="Test", record_id="case_id",
    file=SourceFile(Path("/nowhere/test.csv"), "csv"),
    identifiers=(
        IdentifierColumn("forename", "forename"),
        IdentifierColumn("surname", "surname"),
        IdentifierColumn("dob", "date_of_birth", format="%d/%m/%Y"),
        IdentifierColumn("address", "address"),
        IdentifierColumn("case_no", "operational_id"),
        IdentifierColumn("ni", "shared_identifier", name="ni_number"),
    ),
)
IDENTIFIERS = pa.table({
    "record_key": ["k1", "k2"],
    "record_id": ["4000123", "4000124"],
    "forename": ["Zoë", "Robert James"],
    "surname": ["O'Brien", "Marshall"],
    "dob": ["03/04/2001", "11/12/1975"],
    "address": ["3 Mid Lane, Hull HU1 1AA", "9 Low Road, York"],
    "case_no": ["T20120001", "MC-2019-0042"],
    "ni": ["QQ 12 34 56 C", None],
})


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Just enough of a deployment for the gate: a key ring and a linkage zone with digests."""
    root = tmp_path_factory.mktemp("gate")
    keys = KeyRing(root / "keys")
    keys.create_master_key()
    deployment = SimpleNamespace(keys=keys, linkage=root / "linkage", root=root,
                                 digests=root / "linkage" / "digests")
    con = digests.connect(deployment)
    con.register("ids", IDENTIFIERS)
    tokens = run_arrow(con, digests.token_statement("test", CONTRACT))
    folder = root / "linkage" / "digests" / "ingest-0001"
    folder.mkdir(parents=True)
    pq.write_table(tokens.rename_columns(["kind", "h"]), folder / digests.TOKENS_FILE)
    deployment.counter = 0
    return deployment


def scan(place: SimpleNamespace, values: list[str]) -> set[str]:
    place.counter += 1
    path = Path(place.root) / f"data-{place.counter}.parquet"
    pq.write_table(pa.table({"note": pa.array(values, pa.string()),
                             "n": pa.array(range(len(values)), pa.int64())}), path)
    return {f.kind for f in gate.scan(place, {"d": path}).findings}


@pytest.mark.parametrize(("text", "kind"), [
    ("T20120001", "id"), ("t2012 0001", "id"), ("ref mc 2019 0042.", "id"),
    ("4000123", "id"), ("QQ123456C", "id"), ("qq12 3456c", "id"),
    ("zoe o'brien", "name"), ("O BRIEN, ZOË", "name"),
    ("Robert MARSHALL", "name"), ("marshall robert james", "name"),
    ("James Marshall", "name"), ("HU1 1AA", "postcode"), ("hu11aa?", "postcode"),
    ("born 2001-04-03, o'brien", "dob_name"), ("Marshall 11121975", "dob_name"),
])
def test_each_kind_is_found(place, text, kind):
    assert kind in scan(place, [text])


@pytest.mark.parametrize("text", [
    "Marshall Street", "Robert", "03/04/2001", "York", "T2012", "MC", "Hull Crown Court",
    "1975", "guilty", "Zoë", "robert smith", "born 2001-04-03 in Leeds",
])
def test_harmless_text_passes(place, text):
    assert scan(place, [text]) == set()


def _case(draw, text: str) -> str:
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in text)


@st.composite
def embedded(draw) -> tuple[str, str]:
    kind, token = draw(st.sampled_from([
        ("id", "T20120001"), ("name", "Zoe O'Brien"), ("postcode", "HU1 1AA"),
        ("name", "Marshall, Robert"), ("dob_name", "Marshall 11/12/1975")]))
    words = st.lists(st.sampled_from(["seen", "at", "the", "on", "case", "ref", "x9", "-"]),
                     max_size=4)
    separator = draw(st.sampled_from([" ", " - ", ", ", "; ", " (", ": "]))
    text = (" ".join(draw(words)) + separator + _case(draw, token) + separator
            + " ".join(draw(words)))
    return kind, text


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(embedded())
def test_found_whatever_the_case_and_the_text_around_it(place, case):
    kind, text = case
    assert kind in scan(place, [text]), text


def test_a_hostile_column_name_and_path_are_quoted_and_bound(place):
    column = 'note"; DROP TABLE fs_values; --'
    folder = Path(place.root) / "it's; here"
    folder.mkdir(exist_ok=True)
    path = folder / "data.parquet"
    pq.write_table(pa.table({column: ["x", "ref T20120001", "y", "ref T20120001"]}), path)
    [found] = gate.scan(place, {"d'; --": path}).findings
    assert (found.dataset, found.column, found.kind) == ("d'; --", column, "id")
    assert (found.rows, found.example_rows) == (2, (2, 4))
