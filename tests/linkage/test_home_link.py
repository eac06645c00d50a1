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
    assert not [p for p in home.work.iterdir() if p.name.startswith("link-")]
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
