"""Opening the metadata store, transactions, and schema migrations (Alembic)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from fivesafes.errors import PermissionDenied, StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def describe_url(url: str) -> str:
    """The URL with any password hidden, safe to show in messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def make_engine(url: str, read_only: bool = False) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            "the database URL is not valid; expected e.g. sqlite:///path/fivesafes.db or "
            "postgresql+psycopg://user@host:5432/dbname"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record) -> None:  # pragma: no cover - driver hook
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            if read_only:
                cur.execute("PRAGMA query_only=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # pragma: no cover - driver hook
            # Writers take the write lock at the start, so concurrent writers queue instead of
            # failing, and the audit chain's head is read and advanced by one writer at a time.
            # Readers take a snapshot and block nobody.
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_engine(parsed, pool_pre_ping=True)


#: ``session.info`` key naming the account a unit of work acts as (set by
#: :func:`fivesafes.accounts.acting_account`), for the record of a refusal.
ACTOR_INFO = "acting_as"
#: The audit action of a refused attempt.
REFUSED_ACTION = "security.refused"


class Store:
    """The metadata store at ``url``. ``seal_key`` seals the audit log's head."""

    def __init__(self, url: str, seal_key: bytes | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if self.engine.dialect.name == "sqlite":
            self._read_engine = make_engine(url, read_only=True)
        else:  # one consistent snapshot, as on SQLite, and no writes
            self._read_engine = self.engine.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True)
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)
        self._seal_key = seal_key

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises. A refusal
        (:class:`PermissionDenied`) is recorded after the rollback (:meth:`record_refusal`)."""
        with self._sessions() as session:
            session.info["audit_seal_key"] = self._seal_key
            try:
                with session.begin():
                    yield session
            except OperationalError as exc:
                raise StoreError(
                    f"metadata store {describe_url(self.url)} failed: {exc.orig}"
                ) from exc
            except PermissionDenied as exc:
                self.record_refusal(exc, session.info.get(ACTOR_INFO))
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A unit of work that only reads: one consistent snapshot, in which writing is an error;
        objects stay usable after the block. A refusal is recorded as in :meth:`transaction`."""
        with self._read_sessions() as session:
            session.info["audit_seal_key"] = self._seal_key
            session.begin()
            try:
                try:
                    yield session
                finally:
                    session.expunge_all()
                    session.rollback()
            except PermissionDenied as exc:
                self.record_refusal(exc, session.info.get(ACTOR_INFO))
                raise

    def record_refusal(self, refusal: PermissionDenied, actor: str | None,
                       subject: str | None = None) -> None:
        """Append a ``security.refused`` entry for ``refusal`` in a transaction of its own: who
        (the account the unit of work acted as, or ``unknown``), and what was refused and why
        (the refusal's message, which never holds a secret); the subject is the actor's account
        unless named. Recorded once per refusal."""
        if refusal.audited:
            return
        from fivesafes import audit

        with self._sessions() as session:
            session.info["audit_seal_key"] = self._seal_key
            with session.begin():
                audit.record(session, by=(actor or "unknown")[:200], action=REFUSED_ACTION,
                             subject=subject or f"account:{(actor or 'unknown')[:60]}",
                             details={"refused": str(refusal)[:2000]})
        refusal.audited = True

    # -- schema --------------------------------------------------------------------------------
    def head_revision(self) -> str:
        return ScriptDirectory.from_config(_alembic_config(self.engine)).get_current_head() or ""

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except OperationalError as exc:
            raise StoreError(
                f"cannot reach the metadata store {describe_url(self.url)}: {exc.orig}".strip()
            ) from None

    def upgrade(self) -> None:
        """Bring the schema to the newest revision."""
        command.upgrade(_alembic_config(self.engine), "head")

    def drop_schema(self) -> None:
        """Remove every table this code created (used to undo a failed ``init``)."""
        command.downgrade(_alembic_config(self.engine), "base")

    def check_schema(self) -> None:
        """Refuse to work on a store whose schema is not the one this code expects."""
        current, head = self.current_revision(), self.head_revision()
        if current is None:
            raise StoreError(
                f"the metadata store {describe_url(self.url)} is empty; create it with "
                "'fivesafes init' (or 'fivesafes db upgrade' for a new database)"
            )
        if current != head:
            raise StoreError(
                f"the metadata store is at schema revision {current} but this version of "
                f"fivesafes needs {head}; run 'fivesafes db upgrade'"
            )

    def dispose(self) -> None:
        self.engine.dispose()
        self._read_engine.dispose()
