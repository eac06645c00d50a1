"""The rules that say two records cannot be one person, on pairs of feature rows."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from fivesafes.errors import StepFailed
from fivesafes.linkage.contradictions import GENERATION_YEARS, flag_contradictions, reason_sql
from fivesafes.standardise.phonetic import phonetic_key
from fivesafes.standardise.variants import variant_groups

COLUMNS = ("unique_id", "source_dataset", "forename", "forename_initial", "forename_phonetic",
           "forename_variant_groups", "surname", "dob", "dob_transposed", "dob_year",
           "dob_month_day", "sex", "shared_ni_number")


def row(uid: str, forename: str | None, dob: str | None, sex: str | None = None,
        surname: str = "SMITH", ni: str | None = None) -> dict[str, object]:
    transposed = None
    if dob and int(dob[8:]) <= 12 and dob[8:] != dob[5:7]:
        transposed = f"{dob[:4]}-{dob[8:]}-{dob[5:7]}"
    return {
        "unique_id": uid, "source_dataset": "s", "forename": forename,
        "forename_initial": forename[:1] if forename else None,
        "forename_phonetic": phonetic_key(forename) if forename else None,
        "forename_variant_groups": list(variant_groups(forename)) or None if forename else None,
        "surname": surname, "dob": dob, "dob_transposed": transposed,
        "dob_year": dob[:4] if dob else None, "dob_month_day": dob[5:] if dob else None,
        "sex": sex, "shared_ni_number": ni,
    }


def features(rows: list[dict[str, object]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=pa.schema(
        [(c, pa.list_(pa.string()) if c == "forename_variant_groups" else pa.string())
         for c in COLUMNS]))


def contradicts(a: dict[str, object], b: dict[str, object]) -> bool:
    con = duckdb.connect()
    con.register("features", features([a, b]))
    sql = f"({reason_sql('l', 'r', ['shared_ni_number'])}) IS NOT NULL"
    return con.sql(f"SELECT {sql} FROM features AS l, features AS r "
                   "WHERE l.unique_id = '1' AND r.unique_id = '2'").fetchall()[0][0]


@pytest.mark.parametrize(("a", "b", "expected", "why"), [
    (row("1", "JOHN", "1980-03-14"), row("2", "SUSAN", "1983-07-22"), True,
     "partners of one household: unrelated forenames, dates years apart"),
    (row("1", "DAVID", "1955-03-14"), row("2", "DAVID", "1984-09-02"), True,
     "a senior and a junior: one forename, a generation apart"),
    (row("1", "DAVID", "1975-03-14"), row("2", "DAVID", "1979-09-02"), False,
     "same forename, a few years apart: the model decides"),
    (row("1", "JOHN", "1980-03-14"), row("2", "SUSAN", "1980-03-15"), False,
     "a date one character different is a slip"),
    (row("1", "JOHN", "1980-03-04"), row("2", "SUSAN", "1980-04-03"), False,
     "day and month transposed"),
    (row("1", "JOHN", "1980-03-14"), row("2", "SUSAN", "1981-03-14"), False,
     "the same day a year out"),
    (row("1", "WILLIAM", "1970-01-20"), row("2", "BILL", "1976-05-11"), False,
     "a nickname is the same forename"),
    (row("1", "J", "1970-01-20"), row("2", "JOHN", "1976-05-11"), False,
     "an initial of the other's forename"),
    (row("1", "JONATHAN", "1970-01-20"), row("2", "JONATHON", "1976-05-11"), False,
     "a typing slip in the forename"),
    (row("1", "JOHN", None), row("2", "SUSAN", "1983-07-22"), False,
     "a missing date of birth contradicts nothing"),
    (row("1", "JOHN", "1980-03-14", ni="QQ123456A"),
     row("2", "SUSAN", "1983-07-22", ni="QQ123456A"), False,
     "a shared identifier that agrees outweighs the rule"),
    (row("1", "JOHN", "1980-03-14", ni="QQ123456A"),
     row("2", "SUSAN", "1983-07-22", ni="QQ124356A"), False,
     "so does one with two digits swapped"),
    (row("1", "JOHN", "1980-03-14", ni="QQ123456A"),
     row("2", "SUSAN", "1983-07-22", ni="AB987654C"), True,
     "different shared identifiers do not help"),
    (row("1", "JAMES", "1990-06-01", "male"), row("2", "EMILY", "1990-06-01", "female"), True,
     "twins of different sex with unrelated forenames"),
    (row("1", "JAMES", "1990-06-01", "male"), row("2", "JAMIE", "1990-06-01", "female"), False,
     "a sex recorded wrongly, the forename a variant"),
    (row("1", "SMITH", "1980-03-14", surname="JOHN"), row("2", "JOHN", "1990-07-22"), False,
     "names swapped between forename and surname"),
])
def test_rule(a, b, expected, why) -> None:
    assert contradicts(a, b) is expected, why


def test_generation_gap_is_fifteen_years() -> None:
    assert GENERATION_YEARS == 15
    older = row("1", "PAUL", "1960-02-10")
    assert contradicts(older, row("2", "PAUL", f"{1960 + GENERATION_YEARS}-11-23"))
    assert not contradicts(older, row("2", "PAUL", f"{1960 + GENERATION_YEARS - 2}-11-23"))


def test_flag_marks_scored_pairs() -> None:
    con = duckdb.connect()
    rows = [row("1", "JOHN", "1980-03-14"), row("2", "SUSAN", "1983-07-22"),
            row("3", "JOHN", "1980-03-14")]
    con.register("_f", features(rows))
    con.execute("CREATE TABLE features AS SELECT * FROM _f")
    con.execute("CREATE TABLE pairs AS SELECT * FROM (VALUES ('s-__-1', 's-__-2', 0.9), "
                "('s-__-1', 's-__-3', 0.99), ('s-__-2', 's-__-3', 0.85)) "
                "AS t(join_key_l, join_key_r, match_probability)")
    assert flag_contradictions(con, "pairs", "features") == {
        "dates_and_forenames": 2, "generation": 0, "sexes_and_forenames": 0}
    flagged = con.execute("SELECT join_key_l, join_key_r, contradicts FROM pairs "
                          "ORDER BY 1, 2").fetchall()
    assert flagged == [("s-__-1", "s-__-2", True), ("s-__-1", "s-__-3", False),
                       ("s-__-2", "s-__-3", True)]
    assert sum(flag_contradictions(con, "pairs", "features").values()) == 2  # refreshed


def test_odd_table_names_are_quoted_and_a_failing_step_is_named() -> None:
    con = duckdb.connect()
    con.register("_f", features([row("1", "JOHN", "1980-03-14"), row("2", "SUSAN", "1983-07-22")]))
    con.execute('CREATE TABLE "feat""ures" AS SELECT * FROM _f')
    con.execute("CREATE TABLE \"pa'irs\" AS SELECT 's-__-1' AS join_key_l, "
                "'s-__-2' AS join_key_r")
    assert flag_contradictions(con, "pa'irs", 'feat"ures')["dates_and_forenames"] == 1
    assert con.execute("SELECT contradicts, contradiction FROM \"pa'irs\"").fetchall() == [
        (True, "dates_and_forenames")]
    with pytest.raises(StepFailed, match="contradictions: drop an old flag failed: .*no_pairs"):
        flag_contradictions(con, "no_pairs", 'feat"ures')


@pytest.mark.slow
def test_household_members_end_in_different_persons(tmp_path) -> None:
    import csv

    from fivesafes.linkage.options import LinkOptions
    from fivesafes.linkage.runs import link_files

    from .link_fixtures import contracts, make_synth

    synth = make_synth(tmp_path, people=3000, seed=11)
    plain = link_files(contracts(synth), tmp_path / "plain", LinkOptions(split=False))
    result = link_files(contracts(synth), tmp_path / "out", truth=synth / "truth.csv")
    summary = result.summary
    assert summary["contradictions"]["dates_and_forenames"] > 0
    assert summary["split"]["links_refused"] > 0
    assert summary["split"]["pairs_contradicting"] == sum(summary["contradictions"].values())
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<h2>Records that cannot be one person</h2>" in report
    assert "highest-scoring pairs kept apart" in report

    with open(synth / "truth.csv", newline="", encoding="utf-8") as handle:
        person = {(r["source"], r["record_id"]): r["true_id"] for r in csv.DictReader(handle)}
    import pyarrow.parquet as pq

    with open(synth / "relations.csv", newline="", encoding="utf-8") as handle:
        households: dict[str, set[str]] = {}
        for r in csv.DictReader(handle):
            if r["kind"] == "household":
                households.setdefault(r["group"], set()).add(r["true_id"])

    def merged_households(folder) -> int:
        people_of: dict[str, set[str]] = {}
        for record in pq.read_table(folder / "clusters.parquet").to_pylist():
            people_of.setdefault(record["cluster_id"], set()).add(
                person[(record["source"], record["record_id"])])
        return sum(1 for members in people_of.values() for group in households.values()
                   if len(members & group) > 1)

    assert len(households) > 50
    before, after = merged_households(plain.folder), merged_households(tmp_path / "out")
    assert before > 5 * after, (before, after)  # households no longer merge into one person
