"""Benchmark: building a project extract of 1,000,000 rows (issue 12: 3 datasets, 12 fields,
coarsening and re-keying, <= 30 s, peak RSS <= 2 GiB; 2 cores).

    .venv/bin/python bench/bench_extracts.py [--rows 1000000] [--people 250000]

Writes three research-ready datasets straight into a fresh home's research zone and catalogue
(as ``fivesafes publish`` records them: person ids, replaced ids, each attribute followed by its
coarser levels), so the figure is the extract alone, not linkage. An application for 12 fields
of them (five at a coarser level than published, two replaced ids) goes through governance with
the ordinary services; then it times :func:`fivesafes.extracts.build_extract`: reading, coverage,
re-keying every person id and replaced id under the project's key, encrypting, the manifest and
the data dictionary, and recording the build. Then a rebuild, and one read of the largest
dataset by a team member.

Prints the figures; copy them into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from common import peak_rss_mib, timed

OFFICER, ADMIN = "bench.officer", "bench.admin"
AT = "2026-01-05T09:00:00.000000Z"

# name, owner, systems, share of rows, [(column, type, sensitivity, [(coarser, level sql)])]
DATASETS = [
    ("magistrates", "HMCTS", ["Libra"], 0.4, "hearing_date", ["case_no"], [
        ("offence_code", "string", "criminal_offence", [
            ("offence_group", "'G' || (abs(hash(offence_code)) % 40)::VARCHAR"),
            ("offence_category", "'C' || (abs(hash(offence_code)) % 40 % 8)::VARCHAR")]),
        ("hearing_date", "date", "quasi_identifier", [
            ("hearing_date_month", "strftime(hearing_date, '%Y-%m')"),
            ("hearing_date_year", "CAST(year(hearing_date) AS BIGINT)")]),
        ("age_at_hearing", "integer", "quasi_identifier", [
            ("age_at_hearing_band", "CASE WHEN age_at_hearing < 18 THEN 'under 18' WHEN "
                                    "age_at_hearing < 25 THEN '18-24' WHEN age_at_hearing < 40 "
                                    "THEN '25-39' ELSE '40 and over' END")]),
        ("outcome", "string", "criminal_offence", []),
        ("court", "string", "quasi_identifier", []),
    ]),
    ("prison", "HMPPS", ["NOMIS"], 0.3, "RECEPTION_DATE", ["PRISON_NO"], [
        ("RECEPTION_DATE", "date", "quasi_identifier", [
            ("RECEPTION_DATE_month", "strftime(RECEPTION_DATE, '%Y-%m')"),
            ("RECEPTION_DATE_year", "CAST(year(RECEPTION_DATE) AS BIGINT)")]),
        ("ETHNICITY", "string", "special_category", []),
        ("SENTENCE_DAYS", "integer", "criminal_offence", []),
    ]),
    ("probation", "HMPPS", ["nDelius"], 0.3, "supervision_start", ["crn"], [
        ("order_type", "string", "criminal_offence", []),
        ("supervision_start", "date", "quasi_identifier", [
            ("supervision_start_month", "strftime(supervision_start, '%Y-%m')"),
            ("supervision_start_year", "CAST(year(supervision_start) AS BIGINT)")]),
    ]),
]
WANTED = {  # 12 fields: 5 coarsened, 2 replaced ids re-keyed (plus person_id everywhere)
    "magistrates": [("offence_code", "offence_group"), ("hearing_date", "hearing_date_month"),
                    ("age_at_hearing", "age_at_hearing_band"), ("outcome", "outcome"),
                    ("court", "court"), ("replaced_case_no", "replaced_case_no")],
    "prison": [("RECEPTION_DATE", "RECEPTION_DATE_year"), ("ETHNICITY", "ETHNICITY"),
               ("replaced_PRISON_NO", "replaced_PRISON_NO")],
    "probation": [("order_type", "order_type"),
                  ("supervision_start", "supervision_start_month"),
                  ("replaced_crn", "replaced_crn")],
}


def _base_sql(column: str, typ: str) -> str:
    if typ == "date":
        return f"DATE '2012-01-01' + CAST(hash(i, '{column}') % 4000 AS INTEGER)"
    if typ == "integer":
        return f"CAST(16 + hash(i, '{column}') % 60 AS INTEGER)"
    return f"'{column[:3]}' || (hash(i, '{column}') % 50)::VARCHAR"


def write_research(home, rows: int, people: int) -> None:
    """The three datasets' Parquet files and catalogue records, as a publish leaves them."""
    from fivesafes.catalogue.models import (
        CURRENT,
        Dataset,
        DatasetField,
        DatasetVersion,
        PersonIdRun,
        Release,
    )
    from fivesafes.sources.identifier_store import sha256_of

    con = duckdb.connect()
    with home.store.transaction() as session:
        run = PersonIdRun(link_label="link-0001", previous_link=None, at=AT, actor=OFFICER,
                          records=rows, persons=people, counts={}, folder="linkage/persons")
        session.add(run)
        session.flush()
        release = Release(label="release-0001", link_label="link-0001", person_run_id=run.id,
                          published_at=AT, actor=OFFICER, summary={})
        session.add(release)
        for name, owner, systems, share, date_field, ops, attributes in DATASETS:
            n = int(rows * share)
            selects = [f"'P' || lpad((hash(i, '{name}') % {people})::VARCHAR, 12, '0') "
                       "AS person_id"]
            selects += [f"'R' || lpad((hash(i, '{op}') % {n})::VARCHAR, 12, '0') "
                        f"AS replaced_{op}" for op in ops]
            fields = [("person_id", "string", "other", "person_id", None, 0)]
            fields += [(f"replaced_{op}", "string", "other", "replaced_id", None, 0)
                       for op in ops]
            inner = [_base_sql(c, t) + f" AS {c}" for c, t, _, _ in attributes]
            for column, typ, sens, coarser in attributes:
                selects.append(column)
                fields.append((column, typ, sens, "attribute", None, 0))
                for level, (derived, sql) in enumerate(coarser, start=1):
                    selects.append(f"{sql} AS {derived}")
                    fields.append((derived, "string" if "strftime" in sql or "'" in sql
                                   else "integer", sens, "derived", column, level))
            folder = home.research / name / "v1"
            folder.mkdir(parents=True)
            path = folder / f"{name}.parquet"
            query = (f"SELECT {', '.join(selects)} FROM (SELECT i, {', '.join(inner)} "  # noqa: S608
                     f"FROM range({n}) r(i)) ORDER BY person_id")
            con.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
            dataset = Dataset(name=name, kind="source", title=name, description=name,
                              owner=owner, jurisdictions=["England", "Wales"], systems=systems,
                              created_at=AT)
            version = DatasetVersion(
                dataset=dataset, release=release, version=1, status=CURRENT,
                folder=home.relative(folder), file_name=path.name, file_sha256=sha256_of(path),
                bytes=path.stat().st_size, rows=n, persons=people, date_field=date_field,
                date_from="2012-01-01", date_to="2022-12-31", ingests=["ingest-0001"],
                published_at=AT)
            for position, (fname, typ, sens, origin, derived_from, level) in enumerate(
                    fields, start=1):
                version.fields.append(DatasetField(
                    position=position, name=fname, type=typ, sensitivity=sens,
                    description=fname, origin=origin, derived_from=derived_from, level=level,
                    stats={}))
            session.add_all([dataset, version])
    con.close()


def governance(home) -> tuple[str, str]:
    """An accredited, provisioned application for ``WANTED``; (reference, a team member)."""
    from fivesafes import accounts
    from fivesafes.accounts.panels import routing_for
    from fivesafes.governance import access, agreements, applications, people, projects, reviews

    password = os.urandom(18).hex()
    accounts.create_first_administrator(home, by="os:bench", username=ADMIN,
                                        full_name="Bench Admin", email="admin@bench.example",
                                        password=password)
    accounts.create_account(home, by=ADMIN, username=OFFICER, full_name="Bench Officer",
                            email="officer@bench.example", password=password,
                            roles=(("linkage_officer", ""),))
    lead = "bench.lead"
    accounts.create_account(home, by=ADMIN, username=lead, full_name="Bench Lead",
                            email="lead@bench.example", password=password,
                            roles=(("researcher", ""),))
    people.record_accreditation(home, by=ADMIN, username=lead, number="ACC-1", body="UKSA",
                                granted_on=date(2025, 1, 1), expires_on=date(2028, 1, 1))
    people.record_training(home, by=ADMIN, username=lead, course="SRT",
                           passed_on=date(2025, 1, 1), expires_on=date(2028, 1, 1))
    project = projects.create_project(home, by=lead, form={
        "title": "Bench", "lay_summary": "Bench.", "public_benefit": "Figures.",
        "research_questions": ["How fast?"], "lead": lead, "organisation": "Bench",
        "funder": "Bench", "start": date(2026, 1, 1), "end": date(2027, 12, 31),
        "sensitive_topic": False, "team": []})
    justification = "The analysis compares groups that only this field distinguishes, " * 3
    reference = applications.create_application(home, by=lead, form={
        "project": project,
        "datasets": [{"name": name, "version": "v1", "fields": [
            {"name": f, "level": level, "justification": justification,
             "why_not_coarser": justification} for f, level in fields]}
            for name, fields in WANTED.items()],
        "coverage": {"from": date(2010, 1, 1), "to": date(2025, 12, 31),
                     "jurisdictions": ["England", "Wales"],
                     "sources": ["Libra", "NOMIS", "nDelius"]},
        "access": {"start": date(2026, 1, 1), "end": date(2026, 12, 31)},
        "legal_basis": {"gateway": "dea2017_research", "art6": "public_task",
                        "art9": "research", "art10": "research"},
        "ethics_reference": "ETH", "dpia_reference": "DPIA"})
    applications.submit(home, by=lead, reference=reference)
    route = applications.start_review(home, by=ADMIN, reference=reference)
    for panel in route:
        accounts.create_account(home, by=ADMIN, username=f"panel.{panel}", full_name=panel,
                                email=f"{panel}@bench.example", password=password,
                                roles=(("panel_member", panel),))
    for panel in route[:-1]:
        reviews.approve(home, by=f"panel.{panel}", reference=reference)
    reviews.accredit(home, by=f"panel.{routing_for(home).accreditation_panel}",
                     reference=reference, rap_reference="RAP-1", expires_on=date(2027, 1, 1))
    dsa = agreements.record_agreement(home, by=ADMIN, form={
        "reference": "DSA-1", "kind": "dsa", "title": "Bench", "parties": ["MoJ", "Bench"],
        "datasets": list(WANTED), "permitted_uses": ["bench"], "legal_basis": "DEA",
        "protections": ["bench"], "starts": date(2026, 1, 1), "ends": date(2027, 1, 1),
        "review": date(2026, 6, 1)})
    agreements.link_agreement(home, by=ADMIN, agreement=dsa, application=reference)
    access.provision(home, by=OFFICER, reference=reference)
    return reference, lead


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=250_000)
    args = parser.parse_args()

    from fivesafes.extracts import build_extract, read_extract
    from fivesafes.home import init_home

    with tempfile.TemporaryDirectory(prefix="fivesafes-bench-") as tmp:
        clock = lambda: datetime(2026, 2, 1, 9, 0, tzinfo=UTC)  # noqa: E731
        home = init_home(Path(tmp) / "home", by="os:bench", clock=clock)
        with timed() as t_data:
            write_research(home, args.rows, args.people)
        reference, lead = governance(home)
        print(f"research-ready data written in {t_data.seconds:.1f} s; application {reference}")
        rss_before = peak_rss_mib()
        with timed() as t_build:
            result = build_extract(home, by=OFFICER, reference=reference)
        rss_build = peak_rss_mib()
        with timed() as t_rebuild:
            again = build_extract(home, by=OFFICER, reference=reference)
        with timed() as t_read:
            table = read_extract(home, by=lead, reference=reference, dataset="magistrates")
        columns = sum(len(d["columns"]) for d in result.manifest["datasets"])
        size = sum((result.folder.parent / f"b{again.build}" / d["file"]).stat().st_size
                   for d in again.manifest["datasets"])
        print(f"extract: {result.rows:,} rows, {result.persons:,} persons, 3 datasets, "
              f"12 fields -> {columns} columns, {size / 2**20:.1f} MiB encrypted")
        print(f"build:   {t_build.seconds:.1f} s")
        print(f"rebuild: {t_rebuild.seconds:.1f} s (build 1 superseded, its files removed, its key shredded)")
        print(f"read magistrates ({table.num_rows:,} rows) by a team member: "
              f"{t_read.seconds:.2f} s")
        print(f"peak RSS: {rss_build:,.0f} MiB after the build (before it {rss_before:,.0f} MiB);"
              f" {peak_rss_mib():,.0f} MiB at the end")
        home.close()


if __name__ == "__main__":
    main()
