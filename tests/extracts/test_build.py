"""Building an application's extract from a published home (SQLite and PostgreSQL): only the
approved fields at the approved level and coarser, only rows in coverage, project pseudonyms that
no two projects share and that survive a rebuild, encryption at rest, the manifest and its audit
entry, atomic builds, and who may build."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from datetime import date

import duckdb
import pytest
from sqlalchemy import select
from tests.extracts.conftest import OFFICER, Walk

from fivesafes import audit
from fivesafes.errors import PermissionDenied
from fivesafes.extracts import build as build_module
from fivesafes.extracts import build_extract, extract_manifest, read_extract
from fivesafes.extracts import service as service_module
from fivesafes.extracts.models import CURRENT, SUPERSEDED, ProjectExtract
from fivesafes.home import in_work
from fivesafes.store.models import AuditEntry

MAGISTRATES = {"magistrates": [("offence_code", "offence_group"),
                               ("hearing_date", "hearing_date_month"),
                               ("age_at_hearing", "age_at_hearing_band"),
                               ("outcome", "outcome")]}
THREE = {**MAGISTRATES,
         "prison": [("RECEPTION_DATE", "RECEPTION_DATE_year"), ("ETHNICITY", "ETHNICITY")],
         "probation": [("order_type", "order_type"), ("supervision_start",
                                                      "supervision_start_year")]}


def _research(walk: Walk, dataset: str, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE r AS SELECT * FROM read_parquet($1)",
                    [str(walk.research_file(dataset))])
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_only_approved_fields_at_approved_level_and_coarser(walk: Walk) -> None:
    team = walk.team()
    reference = walk.provisioned(team, THREE)
    result = build_extract(walk.home, by=OFFICER, reference=reference)
    walk.in_window()
    mags = read_extract(walk.home, by=team[1], reference=reference, dataset="magistrates")
    assert mags.column_names == ["person_id", "offence_group", "offence_category",
                                 "hearing_date_month", "hearing_date_year",
                                 "age_at_hearing_band", "outcome"]
    prison = read_extract(walk.home, by=team[0], reference=reference, dataset="prison")
    assert prison.column_names == ["person_id", "RECEPTION_DATE_year", "ETHNICITY"]
    probation = read_extract(walk.home, by=team[0], reference=reference, dataset="probation")
    assert probation.column_names == ["person_id", "order_type", "supervision_start_year"]
    # nothing finer, nothing not asked for: no code, no date, no court, no replaced case number
    research_columns = {r[0] for r in _research(walk, "magistrates", "DESCRIBE r")}
    absent = research_columns - set(mags.column_names)
    assert {"offence_code", "hearing_date", "age_at_hearing", "court", "plea",
            "replaced_case_no"} <= absent
    # the values are the research-ready ones, row for row (same coverage: everything)
    expected = _research(walk, "magistrates", "SELECT offence_group, hearing_date_month, "
                         "outcome FROM r ORDER BY ALL")
    got = sorted(zip(*(mags.column(c).to_pylist() for c in ("offence_group",
                                                              "hearing_date_month",
                                                              "outcome")), strict=True),
                 key=lambda t: tuple("" if v is None else v for v in t))
    assert sorted(expected, key=lambda t: tuple("" if v is None else v for v in t)) == got
    # at rest, nothing is readable: no Parquet magic, no value in clear
    for path in result.folder.glob("*.parquet.enc"):
        raw = path.read_bytes()
        assert b"PAR1" not in raw and b"custody" not in raw
    assert not list(result.folder.glob("*.parquet"))


def test_rows_outside_the_coverage_are_absent(walk: Walk) -> None:
    team = walk.team()
    coverage = (date(2019, 1, 1), date(2020, 12, 31))
    reference = walk.provisioned(team, MAGISTRATES, coverage=coverage)
    build_extract(walk.home, by=OFFICER, reference=reference)
    walk.in_window()
    mags = read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates")
    months = set(mags.column("hearing_date_month").to_pylist())
    assert months and all("2019-01" <= m <= "2020-12" for m in months)
    [(inside,)] = _research(walk, "magistrates", "SELECT count(*) FROM r WHERE hearing_date "
                            "BETWEEN $1 AND $2", list(coverage))
    [(everything,)] = _research(walk, "magistrates", "SELECT count(*) FROM r")
    assert mags.num_rows == inside < everything


def test_a_dataset_from_no_approved_source_system_has_no_rows(walk: Walk) -> None:
    team = walk.team()
    wanted = {"magistrates": [("outcome", "outcome")],
              "prison": [("ETHNICITY", "ETHNICITY")]}
    reference = walk.provisioned(team, wanted, sources=["Libra"])
    result = build_extract(walk.home, by=OFFICER, reference=reference)
    walk.in_window()
    prison = read_extract(walk.home, by=team[0], reference=reference, dataset="prison")
    assert prison.num_rows == 0 and prison.column_names == ["person_id", "ETHNICITY"]
    listed = {d["name"]: d for d in result.manifest["datasets"]}
    assert "source systems" in listed["prison"]["excluded_because"]
    assert listed["magistrates"]["rows"] > 0 and listed["magistrates"]["excluded_because"] is None


def _person_ids(walk: Walk, user: str, reference: str, datasets: list[str]) -> set[str]:
    return {p for d in datasets
            for p in read_extract(walk.home, by=user, reference=reference,
                                  dataset=d).column("person_id").to_pylist()}


def test_two_projects_share_no_identifier(walk: Walk) -> None:
    wanted = {"magistrates": [("outcome", "outcome"), ("offence_code", "offence_category")],
              "prison": [("ETHNICITY", "ETHNICITY")]}
    first, second = walk.team(), walk.team()
    a = walk.provisioned(first, wanted)
    b = walk.provisioned(second, wanted)
    build_extract(walk.home, by=OFFICER, reference=a)
    build_extract(walk.home, by=OFFICER, reference=b)
    walk.in_window()
    ids_a = _person_ids(walk, first[0], a, ["magistrates", "prison"])
    ids_b = _person_ids(walk, second[0], b, ["magistrates", "prison"])
    research = {r[0] for d in ("magistrates", "prison")
                for r in _research(walk, d, "SELECT DISTINCT person_id FROM r")}
    assert len(ids_a) == len(ids_b) == len(research) > 50
    assert ids_a.isdisjoint(ids_b)
    assert ids_a.isdisjoint(research) and ids_b.isdisjoint(research)
    # within a project the datasets still link: a person in both has one pseudonym
    mags = set(read_extract(walk.home, by=first[0], reference=a,
                            dataset="magistrates").column("person_id").to_pylist())
    prison = set(read_extract(walk.home, by=first[0], reference=a,
                              dataset="prison").column("person_id").to_pylist())
    in_both = {r[0] for r in _research(walk, "magistrates", "SELECT DISTINCT person_id FROM r "
                                       "WHERE person_id IN (SELECT person_id FROM "
                                       "read_parquet($1))",
                                       [str(walk.research_file("prison"))])}
    assert len(mags & prison) == len(in_both) > 0
    # a replaced case number is re-keyed too, and per project
    replaced = {"magistrates": [("replaced_case_no", "replaced_case_no")]}
    c, d = walk.provisioned(first, replaced), walk.provisioned(second, replaced)
    build_extract(walk.home, by=OFFICER, reference=c)
    build_extract(walk.home, by=OFFICER, reference=d)
    cases_c = set(read_extract(walk.home, by=first[0], reference=c, dataset="magistrates")
                  .column("replaced_case_no").to_pylist())
    cases_d = set(read_extract(walk.home, by=second[0], reference=d, dataset="magistrates")
                  .column("replaced_case_no").to_pylist())
    research_cases = {r[0] for r in _research(walk, "magistrates",
                                              "SELECT DISTINCT replaced_case_no FROM r")}
    assert len(cases_c) == len(research_cases) and cases_c.isdisjoint(cases_d)
    assert cases_c.isdisjoint(research_cases) and all(v.startswith("RX") for v in cases_c)


def test_same_pseudonym_across_rebuilds_and_applications_of_a_project(walk: Walk) -> None:
    team = walk.team()
    reference = walk.provisioned(team, MAGISTRATES)
    first = build_extract(walk.home, by=OFFICER, reference=reference)
    walk.in_window()
    before = read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates")
    walk.clock.now = walk.clock.now.replace(month=1)  # the officer rebuilds before the window
    second = build_extract(walk.home, by=OFFICER, reference=reference)
    assert (first.build, second.build, second.superseded) == (1, 2, 1)
    assert not first.folder.exists() and second.folder.exists()
    assert not walk.home.keys.has_key(f"extract-{reference}-b1")
    walk.in_window()
    after = read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates")
    order = [(c, "ascending") for c in before.column_names]
    assert before.sort_by(order).equals(after.sort_by(order))
    with walk.home.store.reading() as session:
        statuses = session.execute(select(ProjectExtract.build, ProjectExtract.status).where(
            ProjectExtract.folder.like(f"%/{reference}/%")).order_by(ProjectExtract.build)
        ).all()
    assert statuses == [(1, SUPERSEDED), (2, CURRENT)]
    # another application of the same project: the same people, the same pseudonyms
    other = walk.provisioned(team, {"magistrates": [("outcome", "outcome")]},
                             project=second.project)
    walk.clock.now = walk.clock.now.replace(month=1)
    build_extract(walk.home, by=OFFICER, reference=other)
    walk.in_window()
    assert _person_ids(walk, team[0], other, ["magistrates"]) == set(
        after.column("person_id").to_pylist())


def test_manifest_is_recorded_and_audited_with_its_digest(walk: Walk) -> None:
    team = walk.team()
    reference = walk.provisioned(team, THREE)
    result = build_extract(walk.home, by=OFFICER, reference=reference)
    raw = (result.folder / "manifest.json").read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    assert digest == result.manifest_sha256 and json.loads(raw) == result.manifest
    m = result.manifest
    assert m["application"] == reference and m["build"] == 1
    listed = {d["name"]: d for d in m["datasets"]}
    assert set(listed) == {"magistrates", "prison", "probation"}
    assert listed["magistrates"]["research_ready"]["version"] == "v1"
    columns = {c["name"]: c for c in listed["magistrates"]["columns"]}
    assert columns["offence_category"] == {
        "name": "offence_category", "field": "offence_code", "approved_level": "offence_group",
        "level": 2, "type": "string", "sensitivity": "criminal_offence", "pseudonym": False}
    assert columns["person_id"]["pseudonym"]
    for d in m["datasets"]:
        path = result.folder / d["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == d["sha256"]
    assert m["rows"] == sum(d["rows"] for d in m["datasets"]) == result.rows
    assert m["persons"] == result.persons <= m["rows"]
    assert (result.folder / "data-dictionary.html").is_file()
    with open(result.folder / "data-dictionary.csv", newline="", encoding="utf-8") as fh:
        described = [(r["dataset"], r["field"]) for r in csv.DictReader(fh)]
    assert described == [(d["name"], c["name"]) for d in m["datasets"] for c in d["columns"]]
    with walk.home.store.reading() as session:
        entry = session.execute(select(AuditEntry).where(
            AuditEntry.action == "extract.built",
            AuditEntry.subject == f"application:{reference}")).scalar_one()
        assert json.loads(entry.details)["manifest_sha256"] == digest
        assert audit.verify(session).intact
    assert extract_manifest(walk.home, by=OFFICER, reference=reference)[
        "manifest_sha256"] == digest


def _leftovers(walk: Walk, reference: str) -> list[str]:
    home = walk.home
    with home.store.reading() as session:
        records = session.execute(select(ProjectExtract.id).where(
            ProjectExtract.folder.like(f"%/{reference}/%"))).all()
    # the scratch folder of a killed run (inside the zone) is the next run's to clear
    return ([str(p) for p in home.extracts.rglob(f"*{reference}*") if not in_work(p)]
            + [str(p) for p in home.keys.folder.glob(f"extract-{reference}-*")]
            + [str(r) for r in records])


def test_a_killed_build_leaves_nothing_and_a_rerun_completes(walk: Walk, monkeypatch) -> None:
    team = walk.team()
    reference = walk.provisioned(team, THREE)
    real_write, calls = build_module._write, []

    def dies_on_second_dataset(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")  # as a kill would, mid-build
        return real_write(*args, **kwargs)

    with monkeypatch.context() as mp:
        mp.setattr(build_module, "_write", dies_on_second_dataset)
        mp.setattr(service_module.shutil, "rmtree", lambda *a, **k: None)  # no clean-up runs
        with pytest.raises(KeyboardInterrupt):
            build_extract(walk.home, by=OFFICER, reference=reference)
    assert _leftovers(walk, reference) == []
    assert list(walk.home.work_for("extract").glob("extract-*"))  # the killed run's scratch folder

    # killed as the files move into place: the rename is undone with the transaction
    real_rename, renames = os.rename, []  # the rename of home.move_all

    def dies_on_folder_rename(src, dst):
        renames.append(dst)
        if str(dst).endswith("/b1"):
            raise KeyboardInterrupt("killed")
        return real_rename(src, dst)

    with monkeypatch.context() as mp:
        mp.setattr(os, "rename", dies_on_folder_rename)
        with pytest.raises(KeyboardInterrupt):
            build_extract(walk.home, by=OFFICER, reference=reference)
    assert _leftovers(walk, reference) == []
    assert len(renames) >= 2  # the data key had moved, and was moved back

    result = build_extract(walk.home, by=OFFICER, reference=reference)
    assert result.build == 1 and result.rows > 0
    assert not list(walk.home.work_for("extract").glob("extract-*"))
    walk.in_window()
    assert read_extract(walk.home, by=team[0], reference=reference,
                        dataset="prison").num_rows > 0


def test_only_a_linkage_officer_builds_and_only_for_an_accredited_application(walk) -> None:
    team = walk.team()
    reference = walk.accredited(team, {"magistrates": [("outcome", "outcome")]})
    with pytest.raises(PermissionDenied, match="linkage_officer"):
        build_extract(walk.home, by=team[0], reference=reference)
    build_extract(walk.home, by=OFFICER, reference=reference)  # accredited: built before access
    from fivesafes.governance import applications

    draft = applications.create_application(walk.home, by=team[0], form=walk.form(
        walk.project(team), {"magistrates": [("outcome", "outcome")]}))
    with pytest.raises(PermissionDenied, match="draft"):
        build_extract(walk.home, by=OFFICER, reference=draft)
    with walk.home.store.reading() as session:
        refused = session.execute(select(AuditEntry.details).where(
            AuditEntry.action == "security.refused")).scalars().all()
    assert any(draft in r for r in refused)
