"""Escape attempts from the workspace (the list is data: ``escapes.toml``): each is refused
with a message that says it is not allowed, and audited as a security event; and the engine
refuses the dangerous ones by itself, should the guard ever let one through."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pytest

from fivesafes import audit
from fivesafes.workspace import guard, open_workspace
from fivesafes.workspace.engine import Limits, QueryFailed, QueryTimedOut, Sandbox
from tests.workspace.conftest import Project

ESCAPES = tomllib.loads((Path(__file__).parent / "escapes.toml").read_text())["escape"]


def test_the_list_is_long_enough() -> None:
    assert len(ESCAPES) >= 25
    assert len({e["name"] for e in ESCAPES}) == len(ESCAPES)


def test_every_escape_is_refused_and_audited(project: Project,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    home = project.walk.home  # one person tries them all: no suspension half way
    monkeypatch.setattr(home, "settings", replace(home.settings, workspace_suspend_after=1000))
    with open_workspace(home, by=project.lead, project=project.project) as ws:
        for escape in ESCAPES:
            sql = escape["sql"].replace("HOME", str(home.root))
            with pytest.raises(guard.StatementRefused) as refused:
                ws.run(sql)
            message = str(refused.value)
            assert "is not allowed in the workspace" in message, escape["name"]
            assert guard.ALLOWED in message
            assert escape.get("says", "") in message, (escape["name"], message)
            assert refused.value.rule == escape["rule"], (escape["name"], refused.value.rule)
            assert refused.value.audited
        assert ws.run("SELECT count(*) AS n FROM magistrates").result.rows == 1
    with home.store.reading() as session:
        entries = audit.query(session, audit.EntryFilter(
            action="workspace.refused", actor=project.lead))
    assert [json.loads(e.details)["rule"] for e in entries] == [e["rule"] for e in ESCAPES]
    assert all(str(home.root / "linkage" / "keys") not in e.details or "read_blob" in e.details
               for e in entries)


def test_a_runaway_query_is_stopped_at_the_timeout(project: Project) -> None:
    home = project.walk.home
    with open_workspace(home, by=project.lead, project=project.project) as ws:
        ws.sandbox.limits = Limits(timeout_seconds=1.0)
        with pytest.raises(QueryTimedOut, match="more than 1 s"):
            ws.run("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) "
                   "SELECT count(*) FROM t")
        assert ws.run("SELECT count(*) FROM magistrates").result.rows == 1  # still usable
    with home.store.reading() as session:
        last = audit.query(session, audit.EntryFilter(action="workspace.query",
                                                      actor=project.lead))[-2]
    assert json.loads(last.details)["outcome"] == "timed out"


def test_a_very_large_result_is_capped(project: Project) -> None:
    home = project.walk.home
    with open_workspace(home, by=project.lead, project=project.project) as ws:
        out = ws.run("SELECT * FROM range(5000000) CROSS JOIN magistrates")
    assert out.result.rows == home.settings.workspace_max_rows and out.result.truncated


# -- the engine on its own: locked even for a statement the guard never saw ------------------

@pytest.fixture
def sandbox():
    with Sandbox({"ds": pa.table({"person_id": ["a", "b"], "x": [1, 2]})},
                 Limits(timeout_seconds=2)) as box:
        yield box


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM '/etc/hostname'",
    "COPY ds TO '/tmp/fivesafes-escape.csv'",
    "ATTACH '/tmp/fivesafes-escape.db' AS x",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET memory_limit = '64GB'",
    "RESET lock_configuration",
    "EXPORT DATABASE '/tmp/fivesafes-escape'",
])
def test_the_engine_refuses_by_itself(sandbox: Sandbox, sql: str) -> None:
    with pytest.raises(QueryFailed):
        sandbox.run(sql)
    assert not Path("/tmp/fivesafes-escape.csv").exists()
    assert sandbox.run("SELECT sum(x) FROM ds").table.column(0)[0].as_py() == 3


def test_the_engine_holds_only_its_datasets(sandbox: Sandbox) -> None:
    tables = sandbox._con.sql("SELECT table_schema, table_name FROM information_schema.tables"
                              ).fetchall()
    assert tables == [("main", "ds")]
    settings = dict(sandbox._con.sql(
        "SELECT name, value FROM duckdb_settings() WHERE name IN "
        "('enable_external_access', 'lock_configuration', 'threads')").fetchall())
    assert settings == {"enable_external_access": "false", "lock_configuration": "true",
                        "threads": "2"}


def test_duckdb_errors_are_one_line(sandbox: Sandbox) -> None:
    with pytest.raises(QueryFailed) as failed:
        sandbox.run("SELECT no_such_column FROM ds")
    assert "\n" not in str(failed.value) and "no_such_column" in str(failed.value)
