"""The metadata store: transactions, read-only units of work, schema checks and migrations, on
SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from fivesafes import tables  # noqa: F401  (registers every table)
from fivesafes.errors import StoreError
from fivesafes.store import Store
from fivesafes.store.base import Base
from fivesafes.store.db import describe_url, make_engine
from fivesafes.store.models import AuditEntry, IngestedSource, IngestRun


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url, seal_key=b"s" * 32)
    s.upgrade()
    yield s
    s.dispose()


def _run(label: str) -> IngestRun:
    return IngestRun(label=label, started_at="2026-01-05T09:00:00.000000Z",
                     finished_at="2026-01-05T09:01:00.000000Z", actor="test:officer",
                     data_key=f"{label}-key")


def _count(store: Store, model: type) -> int:
    with store.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


# -- units of work ----------------------------------------------------------------------------
def test_transaction_commits_or_rolls_back(store: Store) -> None:
    with store.transaction() as session:
        session.add(_run("ingest-0001"))
    assert _count(store, IngestRun) == 1
    with pytest.raises(KeyError):
        with store.transaction() as session:
            session.add(_run("ingest-0002"))
            session.flush()
            raise KeyError("boom")
    assert _count(store, IngestRun) == 1


def test_reading_refuses_writes_and_blocks_no_writer(store: Store) -> None:
    with store.transaction() as session:
        session.add(_run("ingest-0001"))
    with pytest.raises(sqlalchemy.exc.DBAPIError), store.reading() as session:
        run = session.scalars(select(IngestRun)).one()
        seen = (run.label, run.data_key)
        session.add(_run("ingest-0002"))
        session.flush()
    assert seen == ("ingest-0001", "ingest-0001-key")
    assert _count(store, IngestRun) == 1
    # a reader does not block a writer
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(IngestRun)) == 1
        done = threading.Event()

        def write() -> None:
            with store.transaction() as other:
                other.add(_run("ingest-0003"))
            done.set()

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=20)
        assert done.is_set()
    assert _count(store, IngestRun) == 2


def test_reading_is_one_snapshot(store: Store) -> None:
    with store.reading() as session:
        before = session.scalar(select(func.count()).select_from(IngestRun))
        with store.transaction() as other:
            other.add(_run("ingest-0001"))
        after = session.scalar(select(func.count()).select_from(IngestRun))
    assert before == after == 0
    assert _count(store, IngestRun) == 1


def test_sqlite_operational_error_becomes_a_store_error(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with pytest.raises(StoreError, match="failed"):
            with store.transaction() as session:
                session.execute(sa.text("SELECT * FROM no_such_table"))
    finally:
        store.dispose()


# -- constraints ------------------------------------------------------------------------------
def test_constraints_hold(store: Store) -> None:
    source = dict(source="courts", owner="courts", contract="{}", file_name="c.csv",
                  file_sha256="0" * 64, rows_read=1, rows_accepted=1, rows_quarantined=0,
                  attributes_path="a", identifiers_path="i", quarantine_path="q")
    with pytest.raises(sa.exc.IntegrityError):  # foreign keys are enforced (SQLite too)
        with store.transaction() as session:
            session.add(IngestedSource(ingest_id=999, **source))
            session.flush()
    with store.transaction() as session:
        run = _run("ingest-0001")
        run.sources.append(IngestedSource(**source))
        session.add(run)
    with pytest.raises(sa.exc.IntegrityError):  # one row per source and run
        with store.transaction() as session:
            session.add(IngestedSource(ingest_id=run.id, **source))
            session.flush()
    with pytest.raises(sa.exc.IntegrityError):  # ingest labels are unique
        with store.transaction() as session:
            session.add(_run("ingest-0001"))
            session.flush()
    entry = dict(at="x", actor="a", action="b", subject="c", details="{}", prev_hash="0",
                 hash="1")
    with store.transaction() as session:
        session.add(AuditEntry(seq=1, **entry))
    with pytest.raises(sa.exc.IntegrityError):  # audit sequence numbers are unique
        with store.transaction() as session:
            session.add(AuditEntry(seq=1, **entry))
            session.flush()
    assert _count(store, IngestedSource) == 1 and _count(store, AuditEntry) == 1


# -- schema -----------------------------------------------------------------------------------
def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_schema_checks(db_url: str) -> None:
    store = Store(db_url)
    try:
        assert store.current_revision() is None
        with pytest.raises(StoreError, match="is empty") as caught:
            store.check_schema()
        assert "fivesafes db upgrade" in str(caught.value)
        store.upgrade()
        head = store.head_revision()
        assert head and store.current_revision() == head
        store.check_schema()
        store.upgrade()  # a second upgrade changes nothing
        assert store.current_revision() == head
        store.check_schema()
        with store.engine.begin() as conn:  # a store at another revision is refused
            conn.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": "9999"})
        with pytest.raises(StoreError, match="9999") as caught:
            store.check_schema()
        assert head in str(caught.value)
    finally:
        store.dispose()


# -- URLs -------------------------------------------------------------------------------------
def test_describe_url_hides_the_password() -> None:
    shown = describe_url("postgresql+psycopg://fs:s3cret@db:5432/fs")
    assert "s3cret" not in shown and "fs@db" not in shown and "db:5432/fs" in shown
    assert describe_url("not a url") == "<unparseable database URL>"


def test_invalid_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="not valid"):
        make_engine("definitely not a url")


def test_unreachable_store_is_a_store_error_without_the_password() -> None:
    store = Store("postgresql+psycopg://fs:s3cret@127.0.0.1:1/fs")
    try:
        with pytest.raises(StoreError, match="cannot reach") as caught:
            store.current_revision()
        assert "s3cret" not in str(caught.value)
    finally:
        store.dispose()
