"""Linking a home: the person key map in the linkage zone, recorded and audited atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from fivesafes import audit
from fivesafes.home import Deployment
from fivesafes.linkage.options import LinkageError
from fivesafes.linkage.runs import link_home
from fivesafes.sources.contract import load_all
from fivesafes.sources.ingest import ingest
from fivesafes.store.models import IngestedSource, LinkRun

from .link_fixtures import contracts, make_synth

PEOPLE = 150


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_synth(tmp_path_factory.mktemp("synth"), people=PEOPLE, seed=9)


def _ingested_keys(home: Deployment) -> set[tuple[str, str]]:
    from fivesafes.linkage.inputs import ingested_tables

    return {(t.source, key) for t in ingested_tables(home)
            for key in t.table.column("record_key").to_pylist()}


def test_link_home_writes_key_map_run_and_audit(home: Deployment, synth: Path, staff) -> None:
    ingest(home, load_all(contracts(synth)), by=staff.officer)
    result = link_home(home, by=staff.officer)
    assert result.label == "link-0001"
    folder = home.linkage / "links" / "link-0001"
    assert result.folder == folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "clusters.parquet", "model.json", "report-without-identifiers.html", "report.html",
        "summary.json"]
    clusters = pq.read_table(folder / "clusters.parquet")
    assert clusters.column_names == ["record_key", "source", "cluster_id"]
    assert all(str(t) == "string" for t in clusters.schema.types)
    keys = list(zip(clusters.column("source").to_pylist(),
                    clusters.column("record_key").to_pylist(), strict=True))
    assert len(keys) == len(set(keys))
    assert set(keys) == _ingested_keys(home)
    with home.store.reading() as session:
        run = session.execute(select(LinkRun)).scalar_one()
        accepted = sum(s.rows_accepted for s in session.execute(select(IngestedSource)).scalars())
        entries = audit.query(session, audit.EntryFilter(action="link.complete"))
        assert audit.verify(session).intact
    assert run.records == accepted == len(keys)
    assert run.clusters == len(set(clusters.column("cluster_id").to_pylist()))
    assert run.folder == "linkage/links/link-0001" and run.engine == "duckdb"
    assert json.loads(run.ingests) == ["ingest-0001"]
    assert json.loads(run.summary)["clusters"] == run.clusters
    assert [(e.subject, e.actor) for e in entries] == [("link-0001", staff.officer)]
    # identifiers are not destroyed by linking
    assert (home.linkage / "identifiers" / "ingest-0001").is_dir()


def test_failed_publish_leaves_nothing_and_rerun_completes(
        home: Deployment, synth: Path, staff, monkeypatch: pytest.MonkeyPatch) -> None:
    from fivesafes.linkage import runs

    ingest(home, load_all(contracts(synth)[:2]), by=staff.officer)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runs.audit, "record", killed)
    with pytest.raises(KeyboardInterrupt):
        link_home(home, by=staff.officer)
    monkeypatch.undo()
    assert list((home.linkage / "links").iterdir()) == []
    assert not [p for p in home.work_for("link").iterdir() if p.name.startswith("link-")]
    with home.store.reading() as session:
        assert session.execute(select(LinkRun)).first() is None
    # a folder left by a run killed between the rename and the commit is cleared
    (home.linkage / "links" / "link-0001").mkdir()
    result = link_home(home, by=staff.officer)
    assert result.label == "link-0001" and (result.folder / "clusters.parquet").is_file()


def test_only_linkage_officers_may_link(home: Deployment, staff) -> None:
    from fivesafes.errors import PermissionDenied

    with pytest.raises(PermissionDenied, match="may not link records"):
        link_home(home, by=staff.auditor)


def test_nothing_ingested_is_a_clear_error(home: Deployment, staff) -> None:
    with pytest.raises(LinkageError, match="nothing has been ingested"):
        link_home(home, by=staff.officer)


def test_run_demo_lines(home: Deployment, synth: Path, staff) -> None:
    from fivesafes.demo.link import run_demo

    ingest(home, load_all(contracts(synth)), by=staff.officer)
    lines = run_demo(home, by=staff.officer)
    assert lines[0].startswith("link-0001: ") and "persons found" in lines[0]
    assert any(line.split()[:2] == ["magistrates", "probation"] for line in lines)
    assert lines[-1] == f"quality report: {home.linkage / 'links' / 'link-0001' / 'report.html'}"


def test_link_says_when_a_source_has_fewer_records_than_last_time(
        home: Deployment, synth: Path, staff, tmp_path: Path) -> None:
    from .link_fixtures import copy_synth

    ingest(home, load_all(contracts(synth)), by=staff.officer)
    first = link_home(home, by=staff.officer)
    assert first.summary["notes"] == [] or not any("fewer" in n for n in first.summary["notes"])
    short = copy_synth(synth, tmp_path / "short")
    contract = next(p for p in contracts(short) if p.stem.startswith("magistrates"))
    extract = next(p for p in (short / "extracts").iterdir() if p.name.startswith("magistrates"))
    lines = extract.read_text(encoding="utf-8").splitlines(keepends=True)
    extract.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    ingest(home, load_all([contract]), by=staff.officer, accept_shrink=True)
    second = link_home(home, by=staff.officer)
    before = first.summary["records_per_source"]["magistrates"]
    now = second.summary["records_per_source"]["magistrates"]
    assert now < before
    assert (f"magistrates has {now:,} records, fewer than the {before:,} of link-0001: its "
            "newest ingest is shorter; if records are missing, ingest the full extract again "
            "and link") in second.summary["notes"]
    from fivesafes.catalogue.errors import PublishError
    from fivesafes.catalogue.publish import publish

    with pytest.raises(PublishError) as refused:
        publish(home, by=staff.officer)
    message = str(refused.value)
    assert f"{before - now:,} record(s) of magistrates ({before - now:,} from ingest-0001)" \
        in message
    assert "took magistrates from its newest ingest, ingest-0002" in message
    assert "ingest the full magistrates extract again, link" in message
